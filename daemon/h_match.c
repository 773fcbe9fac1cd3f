/*
 * h_match.c: matches (allocations) from proposal to collection: listing
 * and explaining them, accepting or declining, claiming offers open to
 * all, confirming collection and reporting no-shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "larderd.h"
#include "log.h"

/* Builds a match's record as members see it. */
static json_t *
match_json(const struct allocation *a)
{
	json_t *obj;

	obj = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b, "
	                "s:s, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)a->id, "offer", (json_int_t)a->offer, "request",
	    (json_int_t)a->request, "donor", a->donor_handle, "member",
	    a->member_handle, "category", a->category, "storage",
	    storage_name(a->storage), "grams", (json_int_t)a->grams, "charge",
	    (json_int_t)a->charge, "flash", a->flash, "state",
	    alloc_state_name(a->state), "respond_by",
	    proto_time_json(a->respond_by), "window_start",
	    proto_time_json(a->window_start), "window_end",
	    proto_time_json(a->window_end), "created",
	    proto_time_json(a->created));
	if (obj == NULL)
		return NULL;
	json_object_set_new(obj, "decided",
	    a->decided > 0 ? proto_time_json(a->decided) : json_null());
	if (a->state == ALLOC_COLLECTED) {
		json_object_set_new(obj, "collected_grams",
		    json_integer(a->collected_grams));
		json_object_set_new(obj, "donor_confirmed",
		    json_boolean(a->donor_confirmed));
		json_object_set_new(obj, "member_confirmed",
		    json_boolean(a->member_confirmed));
	}
	return obj;
}

/* Whether the session may see everyone's matches. */
static int
match_sees_all(const struct call *c)
{
	const struct member *m = session_member(c->s);

	return session_is_admin(c->s) || (m != NULL && m->coordinator);
}

/* Loads the match the request names, if the session may see it. */
static int
match_load(struct call *c, struct allocation *a)
{
	json_int_t id = proto_arg_int(c->req, "match", 0);
	const struct member *m = session_member(c->s);
	int rc;

	rc = store_alloc_get(c->d->store, id, a);
	if (rc < 0)
		return call_store_error(c);
	if (rc == 0)
		return call_fail(c, PROTO_NOT_FOUND, "no match %lld",
		    (long long)id);
	if (!match_sees_all(c) &&
	    (m == NULL || (a->member != m->id && a->donor != m->id)))
		return call_fail(c, PROTO_FORBIDDEN,
		    "match %lld is between "
		    "%s and %s",
		    (long long)id, a->donor_handle, a->member_handle);
	return 0;
}

/* Sets the reply to the match as it now stands. */
static int
match_reply(struct call *c, int64_t id)
{
	struct allocation a;

	if (store_alloc_get(c->d->store, id, &a) != 1)
		return call_store_error(c);
	c->result = json_pack("{s:o}", "match", match_json(&a));
	return 0;
}

static int
match_page_add(void *arg, const struct allocation *a)
{
	struct page *p = arg;

	p->last = a->id;
	return json_array_append_new(p->items, match_json(a));
}

int
h_match_list(struct call *c)
{
	const struct member *m = session_member(c->s);
	struct store_filter f;
	struct page p;
	int all = proto_arg_bool(c->req, "all", 0);

	if (all && !match_sees_all(c))
		return call_fail(c, PROTO_FORBIDDEN,
		    "all matches are for coordinators");
	if (call_page_begin(c, &f, &p) != 0)
		return -1;
	f.member = all || m == NULL ? 0 : m->id;
	return call_page_end(c, "matches", &f, &p,
	    store_alloc_list(c->d->store, &f, match_page_add, &p));
}

int
h_match_show(struct call *c)
{
	struct allocation a;

	if (match_load(c, &a) != 0)
		return -1;
	c->result = json_pack("{s:o}", "match", match_json(&a));
	return 0;
}

int
h_match_explain(struct call *c)
{
	struct allocation a;
	json_t *reason;
	char *text;

	if (match_load(c, &a) != 0)
		return -1;
	text = store_alloc_reason(c->d->store, a.id);
	reason = text != NULL ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (reason == NULL)
		return call_store_error(c);
	c->result =
	    json_pack("{s:o, s:o}", "match", match_json(&a), "reason", reason);
	return 0;
}

/* Checks a proposal may be answered now by the acting member. */
static int
match_answerable(struct call *c, const struct allocation *a)
{
	const struct member *m = session_member(c->s);
	char by[PROTO_TIME_LEN];

	if (a->member != m->id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "match %lld was proposed "
		    "to %s",
		    (long long)a->id, a->member_handle);
	if (a->state != ALLOC_PROPOSED)
		return call_fail(c, PROTO_CONFLICT,
		    "match %lld is %s, not "
		    "proposed",
		    (long long)a->id, alloc_state_name(a->state));
	if (c->now >= a->respond_by)
		return call_fail(c, PROTO_CONFLICT,
		    "match %lld lapsed: the "
		    "answer was due by %s",
		    (long long)a->id,
		    proto_time_format(a->respond_by, by, sizeof by));
	return 0;
}

/* Answers a proposal: the engine moves on, and the store follows. */
static int
match_answer(struct call *c, enum engine_answer answer)
{
	struct engine_out out;
	struct allocation a;
	const char *reason = proto_arg_str(c->req, "reason");
	int rc;

	if (match_load(c, &a) != 0 || match_answerable(c, &a) != 0)
		return -1;
	engine_out_init(&out);
	rc = engine_answer(c->d->engine, a.offer, a.member, answer, c->now,
	    &out);
	a.state = answer == ANSWER_ACCEPTED ? ALLOC_ACCEPTED : ALLOC_DECLINED;
	a.decided = c->now;
	if (rc == 0)
		rc = store_alloc_update(c->d->store, &a);
	if (rc == 0)
		rc = market_log_alloc(c->d, c->now,
		    answer == ANSWER_ACCEPTED ? "allocation.accepted"
		                              : "allocation.declined",
		    call_actor(c), &a,
		    answer == ANSWER_ACCEPTED
		        ? json_pack("{s:I}", "charge", (json_int_t)a.charge)
		        : json_pack("{s:s}", "reason",
		              reason != NULL ? reason : ""));
	if (market_finish(c->d, c->now, rc, &out) != 0 ||
	    market_sync_offer(c->d, a.offer, c->now) != 0) {
		c->d->engine_stale = 1;
		return call_store_error(c);
	}
	log_info("allocation %lld: %s by %s", (long long)a.id,
	    alloc_state_name(a.state), a.member_handle);
	return match_reply(c, a.id);
}

int
h_match_accept(struct call *c)
{
	return match_answer(c, ANSWER_ACCEPTED);
}

int
h_match_decline(struct call *c)
{
	return match_answer(c, ANSWER_DECLINED);
}

int
h_offer_claim(struct call *c)
{
	const struct member *m = session_member(c->s);
	json_int_t id = proto_arg_int(c->req, "offer", 0);
	json_int_t grams = proto_arg_int(c->req, "grams", 0);
	json_int_t challenge = proto_arg_int(c->req, "challenge", 0);
	struct engine_out out;
	struct allocation a;
	struct offer o;
	char *cause = NULL;
	int rc;

	if ((rc = store_offer_get(c->d->store, id, &o)) != 1)
		return rc < 0 ? call_store_error(c)
		              : call_fail(c, PROTO_NOT_FOUND, "no offer %lld",
		                    (long long)id);
	if (o.state != OFFER_OPEN)
		return call_fail(c, PROTO_CONFLICT,
		    "offer %lld is %s, not "
		    "open",
		    (long long)id, offer_state_name(o.state));
	if (grams < 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "grams must be more than zero");
	if (challenge != 0 && gov_challenge_check(c, challenge) != 0)
		return -1;
	engine_out_init(&out);
	if (engine_claim(c->d->engine, id, m->id, grams, c->now, &out,
	        &cause) != 0) {
		call_fail(c, PROTO_CONFLICT, "%s", cause);
		free(cause);
		return -1;
	}
	rc = market_record(c->d, &out.proposals[0], ALLOC_ACCEPTED, c->now,
	    challenge, &a);
	engine_out_clear(&out);
	if (rc != 0 || market_sync_offer(c->d, id, c->now) != 0) {
		c->d->engine_stale = 1;
		return call_store_error(c);
	}
	return match_reply(c, a.id);
}

/*
 * Closes the request a collection fed once it has all it asked for, or
 * gives back to it what was allocated but not collected.
 */
static int
match_feed_request(struct call *c, const struct allocation *a, int64_t grams)
{
	struct request r;

	if (store_request_add_received(c->d->store, a->request, grams) != 0 ||
	    store_request_get(c->d->store, a->request, &r) != 1)
		return -1;
	if (r.state != REQUEST_OPEN || r.received < r.grams) {
		engine_request_give_back(c->d->engine, r.id, a->grams - grams);
		return 0;
	}
	if (store_request_set_state(c->d->store, r.id, REQUEST_FULFILLED) != 0)
		return -1;
	engine_request_drop(c->d->engine, r.id);
	return exlog_append(c->d->log, c->now, "request.fulfilled",
	    call_actor(c),
	    json_pack("{s:I, s:s}", "request", (json_int_t)r.id, "member",
	        r.member_handle));
}

/* The first side to confirm a collection: the food has changed hands. */
static int
match_first_confirmation(struct call *c, struct allocation *a, int64_t grams,
    int donor)
{
	a->state = ALLOC_COLLECTED;
	a->collected_grams = grams;
	a->donor_confirmed = donor;
	a->member_confirmed = !donor;
	if (store_alloc_update(c->d->store, a) != 0 ||
	    match_feed_request(c, a, grams) != 0 ||
	    engine_settle(c->d->engine, a->donor, a->member, grams) != 0)
		return -1;
	if (market_settle_offer(c->d, a->offer, c->now) != 0)
		return -1;
	log_info("allocation %lld: %lld g collected by %s", (long long)a->id,
	    (long long)grams, a->member_handle);
	return market_log_alloc(c->d, c->now, "allocation.collected",
	    call_actor(c), a,
	    json_pack("{s:I, s:s, s:s, s:I, s:s}", "request",
	        (json_int_t)a->request, "hub", a->hub, "category", a->category,
	        "grams", (json_int_t)grams, "confirmed_by",
	        donor ? "donor" : "member"));
}

int
h_match_collected(struct call *c)
{
	const struct member *m = session_member(c->s);
	json_int_t grams = proto_arg_int(c->req, "grams", 0);
	struct allocation a;
	int donor;

	if (match_load(c, &a) != 0)
		return -1;
	if (a.member != m->id && a.donor != m->id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "match %lld is between %s "
		    "and %s",
		    (long long)a.id, a.donor_handle, a.member_handle);
	donor = a.donor == m->id;
	if (grams < 1 || grams > a.grams)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "grams must be "
		    "from 1 to the %lld g matched",
		    (long long)a.grams);
	if (a.state == ALLOC_ACCEPTED) {
		if (match_first_confirmation(c, &a, grams, donor) != 0) {
			c->d->engine_stale = 1;
			return call_store_error(c);
		}
		return match_reply(c, a.id);
	}
	if (a.state != ALLOC_COLLECTED)
		return call_fail(c, PROTO_CONFLICT,
		    "match %lld is %s, not "
		    "accepted",
		    (long long)a.id, alloc_state_name(a.state));
	if (donor ? a.donor_confirmed : a.member_confirmed)
		return call_fail(c, PROTO_CONFLICT,
		    "%s has already confirmed "
		    "match %lld",
		    m->handle, (long long)a.id);
	*(donor ? &a.donor_confirmed : &a.member_confirmed) = 1;
	if (store_alloc_update(c->d->store, &a) != 0 ||
	    market_log_alloc(c->d, c->now, "allocation.confirmed",
	        call_actor(c), &a,
	        json_pack("{s:I, s:s}", "grams", grams, "confirmed_by",
	            donor ? "donor" : "member")) != 0)
		return call_store_error(c);
	return match_reply(c, a.id);
}

int
h_match_noshow(struct call *c)
{
	const struct member *m = session_member(c->s);
	struct allocation a;

	if (match_load(c, &a) != 0)
		return -1;
	if (a.donor != m->id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "only the donor, %s, "
		    "reports a no-show",
		    a.donor_handle);
	if (a.state != ALLOC_ACCEPTED)
		return call_fail(c, PROTO_CONFLICT,
		    "match %lld is %s, not "
		    "accepted",
		    (long long)a.id, alloc_state_name(a.state));
	if (c->now < a.window_end)
		return call_fail(c, PROTO_CONFLICT,
		    "the collection window of "
		    "match %lld has not ended yet",
		    (long long)a.id);
	a.state = ALLOC_NO_SHOW;
	a.decided = c->now;
	if (store_alloc_update(c->d->store, &a) != 0 ||
	    market_log_alloc(c->d, c->now, "allocation.no_show", call_actor(c),
	        &a, NULL) != 0 ||
	    market_settle_offer(c->d, a.offer, c->now) != 0)
		return call_store_error(c);
	engine_request_give_back(c->d->engine, a.request, a.grams);
	if (gov_recount(c->d, a.member, c->now, 0) != 0)
		return call_store_error(c);
	log_info("allocation %lld: %s did not collect", (long long)a.id,
	    a.member_handle);
	return match_reply(c, a.id);
}
