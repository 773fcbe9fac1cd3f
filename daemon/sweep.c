/*
 * sweep.c: what happens because time passed: offers whose deadline came
 * while still open expire, one-off requests expire at their end, and
 * standing requests renew for another week.
 */
#include <stdio.h>
#include <string.h>

#include "larderd.h"
#include "log.h"

#define WEEK        (7 * 24 * 3600)
#define SWEEP_BATCH 64

struct sweep {
	time_t now;
	int n;
	struct offer offers[SWEEP_BATCH];
	struct request requests[SWEEP_BATCH];
};

static int
sweep_take_offer(void *arg, const struct offer *o)
{
	struct sweep *w = arg;

	w->offers[w->n++] = *o;
	return 0;
}

static int
sweep_take_request(void *arg, const struct request *r)
{
	struct sweep *w = arg;

	w->requests[w->n++] = *r;
	return 0;
}

/* Expires an offer whose deadline came while it was still open. */
static int
sweep_offer(struct larderd *d, time_t now, const struct offer *o)
{
	if (store_offer_set_state(d->store, o->id, OFFER_EXPIRED) != 0 ||
	    exlog_append(d->log, now, "offer.expired", "larderd",
	        json_pack("{s:I, s:s, s:s, s:s, s:I}", "offer",
	            (json_int_t)o->id, "member", o->donor_handle, "hub", o->hub,
	            "category", o->category, "grams",
	            (json_int_t)o->remaining)) != 0)
		return -1;
	log_info("offer %lld: expired unclaimed with %lld g", (long long)o->id,
	    (long long)o->remaining);
	return 0;
}

/* Renews a standing request for the next week that has not yet ended. */
static int
sweep_renew(struct larderd *d, time_t now, const struct request *r)
{
	struct request next = *r;

	while (next.window_end <= now)
		next.window_end += WEEK;
	next.window_start = next.posted = now;
	next.received = 0;
	next.state = REQUEST_OPEN;
	if (store_request_insert(d->store, &next) != 0)
		return -1;
	return exlog_append(d->log, now, "request.renewed", "larderd",
	    json_pack("{s:I, s:I, s:s, s:I, s:o}", "request",
	        (json_int_t)next.id, "renews", (json_int_t)r->id, "member",
	        r->member_handle, "grams", (json_int_t)next.grams, "by",
	        proto_time_json(next.window_end)));
}

/* Ends a request at its deadline; a standing one comes back renewed. */
static int
sweep_request(struct larderd *d, time_t now, const struct request *r)
{
	if (store_request_set_state(d->store, r->id, REQUEST_EXPIRED) != 0 ||
	    exlog_append(d->log, now, "request.expired", "larderd",
	        json_pack("{s:I, s:s, s:I}", "request", (json_int_t)r->id,
	            "member", r->member_handle, "grams",
	            (json_int_t)(r->grams - r->received))) != 0)
		return -1;
	return r->standing ? sweep_renew(d, now, r) : 0;
}

/* Applies every deadline that has passed; one step of the transaction. */
int
sweep_due(struct larderd *d, void *arg)
{
	static struct sweep w;
	int i, more;

	(void)arg;
	w.now = server_now(d);
	do {
		w.n = 0;
		if (store_offer_due(d->store, w.now, SWEEP_BATCH,
		        sweep_take_offer, &w) != 0)
			goto fail;
		for (i = 0; i < w.n; i++) {
			if (sweep_offer(d, w.now, &w.offers[i]) != 0)
				goto fail;
		}
		more = w.n == SWEEP_BATCH;
		w.n = 0;
		if (store_request_due(d->store, w.now, SWEEP_BATCH,
		        sweep_take_request, &w) != 0)
			goto fail;
		for (i = 0; i < w.n; i++) {
			if (sweep_request(d, w.now, &w.requests[i]) != 0)
				goto fail;
		}
	} while (more || w.n == SWEEP_BATCH);
	return 0;
fail:
	log_error("sweep: %s", store_errmsg(d->store));
	return -1;
}
