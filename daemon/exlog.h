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

/* Called with each event's canonical object after it is appended. */
typedef void (*exlog_cb)(void *, json_t *);

struct exlog *exlog_open(struct store *, char **);
void exlog_free(struct exlog *);
int exlog_reload(struct exlog *);
void exlog_set_listener(struct exlog *, exlog_cb, void *);
int64_t exlog_last_seq(const struct exlog *);
int exlog_append(struct exlog *, time_t, const char *, const char *, json_t *);
int exlog_verify(struct store *, struct exlog_check *);
json_t *exlog_export(const struct store_event *);

#endif
