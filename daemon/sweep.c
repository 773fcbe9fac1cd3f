/*
 * sweep.c: what happens because time passed. Offers still open at their
 * deadline expire, and what nobody took is recorded as waste with the
 * donor's fallback destination; one-off requests expire at their end and
 * standing ones renew for another week; then the engine lapses overdue
 * proposals, opens offers near their deadline to claims, and decays the
 * ledger.
 */
#include <stdio.h>
#include <string.h>

#include "larderd.h"
#include "log.h"

#define WEEK        (7 * 24 * 3600)
#define SWEEP_BATCH 64

struct sweep {
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

/* Records the food an expired offer still had as unclaimed waste. */
static int
sweep_waste(struct larderd *d, const struct offer *o, int64_t grams, time_t now)
{
	struct member m;
	struct waste w;

	if (grams <= 0)
		return 0;
	if (store_member_by_handle(d->store, o->donor_handle, &m) != 1)
		return -1;
	memset(&w, 0, sizeof w);
	w.member = o->donor;
	w.offer = o->id;
	w.grams = grams;
	proto_copy(w.destination, sizeof w.destination, o->fallback);
	snprintf(w.cause, sizeof w.cause, "unclaimed");
	w.at = now;
	return waste_record(d, &w, &m, "larderd");
}

/* Expires an offer whose deadline came while it was still open. */
static int
sweep_offer(struct larderd *d, time_t now, const struct offer *o)
{
	struct engine_offer *eo = engine_offer_get(d->engine, o->id);
	int64_t left = eo != NULL ? eo->free : o->remaining;

	if (market_end_offer(d, o->id, now) != 0 ||
	    store_offer_set_state(d->store, o->id, OFFER_EXPIRED) != 0 ||
	    store_offer_set_remaining(d->store, o->id, 0) != 0 ||
	    exlog_append(d->log, now, "offer.expired", "larderd",
	        json_pack("{s:I, s:s, s:s, s:s, s:I}", "offer",
	            (json_int_t)o->id, "member", o->donor_handle, "hub", o->hub,
	            "category", o->category, "grams", (json_int_t)left)) != 0)
		return -1;
	log_info("offer %lld: expired with %lld g unclaimed", (long long)o->id,
	    (long long)left);
	return sweep_waste(d, o, left, now);
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
	if (store_request_insert(d->store, &next) != 0 ||
	    exlog_append(d->log, now, "request.renewed", "larderd",
	        json_pack("{s:I, s:I, s:s, s:I, s:o}", "request",
	            (json_int_t)next.id, "renews", (json_int_t)r->id, "member",
	            r->member_handle, "grams", (json_int_t)next.grams, "by",
	            proto_time_json(next.window_end))) != 0)
		return -1;
	return market_request_posted(d, &next, now);
}

/* Ends a request at its deadline; a standing one comes back renewed. */
static int
sweep_request(struct larderd *d, time_t now, const struct request *r)
{
	if (market_end_request(d, r->id, now) != 0 ||
	    store_request_set_state(d->store, r->id, REQUEST_EXPIRED) != 0 ||
	    exlog_append(d->log, now, "request.expired", "larderd",
	        json_pack("{s:I, s:s, s:I}", "request", (json_int_t)r->id,
	            "member", r->member_handle, "grams",
	            (json_int_t)(r->grams - r->received))) != 0)
		return -1;
	return r->standing ? sweep_renew(d, now, r) : 0;
}

/* Expires every offer and request whose time has come, in batches. */
static int
sweep_expire(struct larderd *d, time_t now)
{
	static struct sweep w;
	int i, more;

	do {
		w.n = 0;
		if (store_offer_due(d->store, now, SWEEP_BATCH,
		        sweep_take_offer, &w) != 0)
			return -1;
		for (i = 0; i < w.n; i++) {
			if (sweep_offer(d, now, &w.offers[i]) != 0)
				return -1;
		}
		more = w.n == SWEEP_BATCH;
		w.n = 0;
		if (store_request_due(d->store, now, SWEEP_BATCH,
		        sweep_take_request, &w) != 0)
			return -1;
		for (i = 0; i < w.n; i++) {
			if (sweep_request(d, now, &w.requests[i]) != 0)
				return -1;
		}
	} while (more || w.n == SWEEP_BATCH);
	return 0;
}

/* Applies every deadline that has passed; one step of the transaction. */
int
sweep_due(struct larderd *d, void *arg)
{
	time_t now = server_now(d);

	(void)arg;
	if (sweep_expire(d, now) != 0 || market_tick(d, now) != 0 ||
	    gov_due(d, now) != 0 || report_monthly(d, now) != 0) {
		log_error("sweep: %s", store_errmsg(d->store));
		d->engine_stale = 1;
		return -1;
	}
	return 0;
}
