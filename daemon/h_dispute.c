/*
 * h_dispute.c: disputes about a match: raised by either side, accepted
 * or rejected by the other, decided by a coordinator when they do not
 * agree. The outcome corrects the record: a no-show reversed, a weight
 * corrected; the ledger, sanctions and figures follow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "larderd.h"
#include "log.h"
#include "valid.h"

#define DAY 86400

enum { DISPUTE_OPEN, DISPUTE_ACCEPTED, DISPUTE_REJECTED, DISPUTE_RESOLVED };

static const char *const dispute_states[] = {"open", "accepted", "rejected",
    "resolved"};
static const char *const reasons[] = {"weight", "quality", "noshow", "other",
    NULL};
static const char *const outcomes[] = {"reverse_noshow", "correct_grams",
    "no_change", NULL};

static int
dispute_word(const char *const *words, const char *w)
{
	int i;

	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(words[i], w) == 0)
			return i;
	}
	return -1;
}

/* Turns a stored dispute into its record as members see it. */
static json_t *
dispute_view(json_t *x)
{
	json_int_t state = json_integer_value(json_object_get(x, "state"));
	json_int_t settled = json_integer_value(json_object_get(x, "settled"));

	if (x == NULL)
		return NULL;
	json_object_set_new(x, "state",
	    json_string(dispute_states[state >= 0 && state < 4 ? state : 0]));
	json_object_set_new(x, "raised",
	    proto_time_json(
	        (time_t)json_integer_value(json_object_get(x, "raised"))));
	json_object_set_new(x, "respond_by",
	    proto_time_json(
	        (time_t)json_integer_value(json_object_get(x, "respond_by"))));
	json_object_set_new(x, "settled",
	    settled > 0 ? proto_time_json((time_t)settled) : json_null());
	json_object_del(x, "by_id");
	json_object_del(x, "against_id");
	if (strcmp(json_string_value(json_object_get(x, "reason")), "weight") !=
	    0)
		json_object_set_new(x, "grams", json_null());
	return x;
}

int
h_dispute_raise(struct call *c)
{
	const struct member *m = session_member(c->s);
	const char *reason = proto_arg_str(c->req, "reason");
	const char *note = proto_arg_str(c->req, "note");
	json_int_t grams = proto_arg_int(c->req, "grams", 0);
	struct allocation a;
	time_t by =
	    c->now + (time_t)engine_rules(c->d->engine)->dispute_days * DAY;
	int64_t id, against;

	if (dispute_word(reasons, reason) < 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "reason \"%s\" is "
		    "not weight, quality, noshow or other",
		    reason);
	if (strcmp(reason, "weight") == 0 &&
	    (grams < 1 || grams > VALID_MAX_GRAMS))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "a weight dispute "
		    "says the right weight in grams");
	if (note != NULL && !valid_text(note))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "note has control characters");
	if (store_alloc_get(c->d->store, proto_arg_int(c->req, "match", 0),
	        &a) != 1)
		return call_fail(c, PROTO_NOT_FOUND, "no match %lld",
		    (long long)proto_arg_int(c->req, "match", 0));
	if (a.member != m->id && a.donor != m->id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "match %lld is between %s "
		    "and %s",
		    (long long)a.id, a.donor_handle, a.member_handle);
	against = a.member == m->id ? a.donor : a.member;
	id = store_dispute_insert(c->d->store, a.id, m->id, against, reason,
	    grams, note != NULL ? note : "", c->now, by);
	if (id < 0 ||
	    exlog_append(c->d->log, c->now, "dispute.raised", call_actor(c),
	        json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o}", "dispute",
	            (json_int_t)id, "allocation", (json_int_t)a.id, "member",
	            m->handle, "against",
	            a.member == m->id ? a.donor_handle : a.member_handle, "hub",
	            a.hub, "reason", reason, "grams",
	            grams > 0 ? json_integer(grams) : json_null())) != 0)
		return call_store_error(c);
	c->result = json_pack("{s:o}", "dispute",
	    dispute_view(store_dispute_json(c->d->store, id)));
	return 0;
}

/* Reverses a no-show: the food was collected after all. */
static int
dispute_reverse(struct call *c, struct allocation *a)
{
	if (a->state != ALLOC_NO_SHOW)
		return call_fail(c, PROTO_CONFLICT,
		    "match %lld is %s, not a "
		    "no-show",
		    (long long)a->id, alloc_state_name(a->state));
	a->state = ALLOC_COLLECTED;
	a->collected_grams = a->grams;
	a->member_confirmed = a->donor_confirmed = 1;
	if (store_alloc_update(c->d->store, a) != 0 ||
	    store_request_add_received(c->d->store, a->request, a->grams) !=
	        0 ||
	    market_log_alloc(c->d, c->now, "allocation.collected",
	        call_actor(c), a,
	        json_pack("{s:I, s:s, s:s, s:b}", "request",
	            (json_int_t)a->request, "hub", a->hub, "category",
	            a->category, "reverses_no_show", 1)) != 0 ||
	    gov_recount(c->d, a->member, c->now, 1) != 0)
		return call_store_error(c);
	return 0;
}

/* Corrects the weight of a collection. */
static int
dispute_correct(struct call *c, struct allocation *a, json_int_t grams)
{
	int64_t before = a->collected_grams;

	if (a->state != ALLOC_COLLECTED)
		return call_fail(c, PROTO_CONFLICT,
		    "match %lld is %s, not "
		    "collected",
		    (long long)a->id, alloc_state_name(a->state));
	if (grams < 1 || grams > VALID_MAX_GRAMS)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "the corrected weight must be from 1 g");
	a->collected_grams = grams;
	if (store_alloc_update(c->d->store, a) != 0 ||
	    store_request_add_received(c->d->store, a->request,
	        grams - before) != 0 ||
	    exlog_append(c->d->log, c->now, "allocation.corrected",
	        call_actor(c),
	        json_pack("{s:I, s:s, s:s, "
	                  "s:s, s:I, s:I}",
	            "allocation", (json_int_t)a->id, "member", a->member_handle,
	            "donor", a->donor_handle, "hub", a->hub, "grams", grams,
	            "was", (json_int_t)before)) != 0)
		return call_store_error(c);
	return 0;
}

/* Applies an outcome to the match, then settles the dispute. */
static int
dispute_settle(struct call *c, json_t *x, int state, int outcome,
    json_int_t grams)
{
	struct allocation a;
	json_int_t id = json_integer_value(json_object_get(x, "id"));

	if (store_alloc_get(c->d->store,
	        json_integer_value(json_object_get(x, "match")), &a) != 1)
		return call_store_error(c);
	if ((outcome == 0 && dispute_reverse(c, &a) != 0) ||
	    (outcome == 1 && dispute_correct(c, &a, grams) != 0))
		return -1;
	if (store_dispute_settle(c->d->store, id, state,
	        outcome >= 0 ? outcomes[outcome] : "", c->now) != 0 ||
	    exlog_append(c->d->log, c->now, "dispute.settled", call_actor(c),
	        json_pack("{s:I, s:I, "
	                  "s:s, s:s, s:s, s:o}",
	            "dispute", id, "allocation", (json_int_t)a.id, "hub", a.hub,
	            "how", dispute_states[state], "outcome",
	            outcome >= 0 ? outcomes[outcome] : "", "raised",
	            proto_time_json((time_t)json_integer_value(
	                json_object_get(x, "raised"))))) != 0)
		return call_store_error(c);
	log_info("dispute %lld: %s, %s", (long long)id, dispute_states[state],
	    outcome >= 0 ? outcomes[outcome] : "no change yet");
	c->result = json_pack("{s:o}", "dispute",
	    dispute_view(store_dispute_json(c->d->store, id)));
	return 0;
}

/* Loads the dispute named, for the side it was raised against. */
static json_t *
dispute_for_other_side(struct call *c)
{
	json_int_t id = proto_arg_int(c->req, "dispute", 0);
	json_t *x = store_dispute_json(c->d->store, id);

	if (x == NULL) {
		call_fail(c, PROTO_NOT_FOUND, "no dispute %lld", (long long)id);
		return NULL;
	}
	if (json_integer_value(json_object_get(x, "against_id")) !=
	    session_member(c->s)->id) {
		call_fail(c, PROTO_FORBIDDEN, "only %s answers dispute %lld",
		    json_string_value(json_object_get(x, "against")),
		    (long long)id);
	} else if (json_integer_value(json_object_get(x, "state")) !=
	    DISPUTE_OPEN)
		call_fail(c, PROTO_CONFLICT, "dispute %lld is no longer open",
		    (long long)id);
	else
		return x;
	json_decref(x);
	return NULL;
}

int
h_dispute_accept(struct call *c)
{
	json_t *x = dispute_for_other_side(c);
	const char *reason;
	int outcome, rc;

	if (x == NULL)
		return -1;
	reason = json_string_value(json_object_get(x, "reason"));
	outcome = strcmp(reason, "noshow") == 0 ? 0
	    : strcmp(reason, "weight") == 0     ? 1
	                                        : 2;
	rc = dispute_settle(c, x, DISPUTE_ACCEPTED, outcome,
	    json_integer_value(json_object_get(x, "grams")));
	json_decref(x);
	return rc;
}

int
h_dispute_reject(struct call *c)
{
	json_t *x = dispute_for_other_side(c);
	int rc;

	if (x == NULL)
		return -1;
	rc = dispute_settle(c, x, DISPUTE_REJECTED, -1, 0);
	json_decref(x);
	return rc;
}

int
h_dispute_resolve(struct call *c)
{
	json_int_t id = proto_arg_int(c->req, "dispute", 0);
	const char *word = proto_arg_str(c->req, "outcome");
	int outcome = dispute_word(outcomes, word), rc;
	json_t *x;

	if (outcome < 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "outcome \"%s\" is "
		    "not reverse_noshow, correct_grams or no_change",
		    word);
	if ((x = store_dispute_json(c->d->store, id)) == NULL)
		return call_fail(c, PROTO_NOT_FOUND, "no dispute %lld",
		    (long long)id);
	if (json_integer_value(json_object_get(x, "state")) != DISPUTE_OPEN &&
	    json_integer_value(json_object_get(x, "state")) !=
	        DISPUTE_REJECTED) {
		json_decref(x);
		return call_fail(c, PROTO_CONFLICT, "dispute %lld is settled",
		    (long long)id);
	}
	rc = dispute_settle(c, x, DISPUTE_RESOLVED, outcome,
	    proto_arg_int(c->req, "grams", 0));
	json_decref(x);
	return rc;
}

static int
dispute_page_add(void *arg, json_t *x)
{
	struct page *p = arg;

	p->last = json_integer_value(json_object_get(x, "id"));
	return json_array_append_new(p->items, dispute_view(x));
}

int
h_dispute_list(struct call *c)
{
	const struct member *m = session_member(c->s);
	struct store_filter f;
	struct page p;

	if (call_page_begin(c, &f, &p) != 0)
		return -1;
	f.member =
	    session_is_admin(c->s) || (m != NULL && m->coordinator) || m == NULL
	    ? 0
	    : m->id;
	return call_page_end(c, "disputes", &f, &p,
	    store_dispute_list(c->d->store, &f, dispute_page_add, &p));
}
