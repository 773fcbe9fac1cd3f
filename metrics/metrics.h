/*
 * metrics.h: the metrics core. Exchange-log events (the export format of
 * proto/PROTOCOL.md) go in, in sequence order; report objects (described
 * in metrics/REPORT.md) come out for any period, for the network or one
 * hub. No I/O and no clock.
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

struct metrics;

struct metrics *metrics_new(const struct metrics_factors *, const char *);
void metrics_free(struct metrics *);
int metrics_add(struct metrics *, const json_t *, char **);
int metrics_add_line(struct metrics *, const char *, size_t, char **);
size_t metrics_count(const struct metrics *);
json_t *metrics_report(struct metrics *, time_t, time_t, const char *);
int metrics_month(const char *, time_t *, time_t *);

#endif
