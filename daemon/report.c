/*
 * report.c: a report straight from a store: every event of the exchange
 * log, in order, through the metrics core, read from the facts kept
 * beside each event (or from the bodies, in an older read-only store).
 * The daemon uses it for the report operation and the monthly files; the
 * client for --db.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "report.h"

#define REPORT_BATCH 4096

struct report_feed {
	struct metrics *m;
	int64_t last;
	int rows;
	char *cause;
};

static int
report_feed_one(void *arg, const struct store_event *ev)
{
	struct report_feed *f = arg;

	f->last = ev->seq;
	f->rows++;
	return metrics_add_line(f->m, ev->body, strlen(ev->body), &f->cause);
}

/* Adds an event from its kept facts; a nested one from its body. */
static int
report_feed_facts(void *arg, const struct store_event *ev)
{
	struct report_feed *f = arg;

	if (ev->body != NULL)
		return report_feed_one(arg, ev);
	f->last = ev->seq;
	f->rows++;
	return metrics_add_facts(f->m, ev->facts, &f->cause);
}

/* Feeds the next batch of events, from their facts where the store has them. */
static int
report_batch(struct store *st, struct report_feed *f)
{
	if (store_event_has_facts(st))
		return store_event_facts_scan(st, f->last, REPORT_BATCH,
		    report_feed_facts, f);
	return store_event_scan(st, f->last, REPORT_BATCH, report_feed_one, f);
}

/* Builds the report for [from, to) and hub (NULL: all) from a store. */
json_t *
report_from_store(struct store *st, const struct metrics_factors *factors,
    const char *network, time_t from, time_t to, const char *hub, char **cause)
{
	struct report_feed f = {NULL, 0, 0, NULL};
	json_t *r = NULL;

	if ((f.m = metrics_new(factors, network)) == NULL)
		return asprintf(cause, "out of memory"), NULL;
	do {
		f.rows = 0;
		if (report_batch(st, &f) != 0) {
			asprintf(cause, "store: %s", store_errmsg(st));
			goto out;
		}
		if (f.cause != NULL) {
			asprintf(cause, "event %lld: %s", (long long)f.last,
			    f.cause);
			goto out;
		}
	} while (f.rows == REPORT_BATCH);
	if ((r = metrics_report(f.m, from, to, hub)) == NULL)
		asprintf(cause, "out of memory");
out:
	free(f.cause);
	metrics_free(f.m);
	return r;
}

/*
 * Reads a period: a month "YYYY-MM", or from and to as RFC 3339 times
 * (to excluded). Exactly one of the two forms.
 */
int
report_period(const char *month, const char *from, const char *to,
    time_t *start, time_t *end, char **cause)
{
	if (month != NULL && (from != NULL || to != NULL))
		return asprintf(cause, "give a month, or from and to"), -1;
	if (month != NULL) {
		if (metrics_month(month, start, end) != 0)
			return asprintf(cause,
			           "\"%s\" is not a month (YYYY-MM)", month),
			       -1;
		return 0;
	}
	if (from == NULL || to == NULL || proto_time_parse(from, start) != 0 ||
	    proto_time_parse(to, end) != 0)
		return asprintf(cause, "give a month, or from and to"), -1;
	if (*end <= *start)
		return asprintf(cause, "the period ends before it starts"), -1;
	return 0;
}
