/*
 * metrics.h: the metrics core. Exchange-log events (the export format of
 * proto/PROTOCOL.md), or the facts read from them, go in, in sequence
 * order; report objects (described in metrics/REPORT.md) come out for any
 * period, for the network or one hub. No I/O and no clock.
 */
#ifndef LARDER_METRICS_H
#define LARDER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define METRICS_GRAMS_PER_MEAL 420 /* WRAP's UK figure */
#define METRICS_CO2E_PER_KG    1.6 /* FareShare and Carbon Trust */

/* The conversion factors printed on every report. */
struct metrics_factors {
	int64_t grams_per_meal;
	double co2e_per_kg;
};

/* Which of a metrics_facts' numbers the event carries. */
#define METRICS_HAS_GRAMS      (1u << 0)
#define METRICS_HAS_OFFER      (1u << 1)
#define METRICS_HAS_ALLOCATION (1u << 2)
#define METRICS_HAS_PEOPLE     (1u << 3)
#define METRICS_HAS_CHALLENGE  (1u << 4)
#define METRICS_HAS_REVERSES   (1u << 5)
#define METRICS_HAS_RESOLVED   (1u << 6)

/*
 * One event's facts, as the figures read them: strings borrowed (NULL
 * when absent), times in seconds (0 when absent), numbers 0 when absent
 * and flagged in has when present. An event of a kind metrics_nested
 * names keeps facts the fields cannot hold (balances, referred): it
 * needs its whole object in event.
 */
struct metrics_facts {
	const char *kind;
	const char *member;
	const char *donor;
	const char *hub;
	const char *destination;
	const char *cause;
	const char *how;
	time_t at;
	time_t week;
	time_t raised;
	int64_t grams;
	int64_t offer;
	int64_t allocation;
	int64_t people;
	int64_t challenge;
	int reverses_no_show;
	int resolved;
	unsigned has;
	const json_t *event;
};

struct metrics;

/* The type of a value given to metrics_fact. */
enum metrics_value {
	METRICS_TEXT,
	METRICS_INT,
	METRICS_BOOL,
	METRICS_TIME, /* seconds, already read */
};

void metrics_facts_read(const json_t *, struct metrics_facts *);
void metrics_fact(struct metrics_facts *, const char *, enum metrics_value,
    const char *, int64_t);
int metrics_nested(const char *);
int metrics_add_facts(struct metrics *, const struct metrics_facts *, char **);

struct metrics *metrics_new(const struct metrics_factors *, const char *);
void metrics_free(struct metrics *);
int metrics_add(struct metrics *, const json_t *, char **);
int metrics_add_line(struct metrics *, const char *, size_t, char **);
size_t metrics_count(const struct metrics *);
json_t *metrics_report(struct metrics *, time_t, time_t, const char *);
int metrics_month(const char *, time_t *, time_t *);

#endif
