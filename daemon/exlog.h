/* exlog.h: the exchange log, an append-only SHA-256 hash chain. */
#ifndef LARDER_EXLOG_H
#define LARDER_EXLOG_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "store.h"

struct exlog;

/* What verifying the chain found. */
struct exlog_check {
	int64_t events;  /* events read */
	int64_t bad_seq; /* first broken event, 0 when none */
	char reason[128];
};

/*
 * Called with each event after it is appended: its canonical text, and
 * its object when it was appended as one (else NULL).
 */
typedef void (*exlog_cb)(void *, json_t *, const char *, size_t);

/* A member of an event appended without a jansson tree. */
struct exfield {
	const char *key;
	enum metrics_value type; /* text, integer, true or false, or time */
	const char *text;
	int64_t num;
};

#define EXLOG_FIELDS_MAX 32

struct exlog *exlog_open(struct store *, char **);
void exlog_free(struct exlog *);
int exlog_reload(struct exlog *);
void exlog_set_listener(struct exlog *, exlog_cb, void *);
int64_t exlog_last_seq(const struct exlog *);
int exlog_append(struct exlog *, time_t, const char *, const char *, json_t *);
int exlog_append_fields(struct exlog *, time_t, const char *, const char *,
    const struct exfield *, size_t);
int exlog_verify(struct store *, struct exlog_check *);
json_t *exlog_export(const struct store_event *);

#endif
