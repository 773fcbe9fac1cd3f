/*
 * dispatch.c: the table from operation to handler and the role it needs,
 * and the one place where every request is checked, run and answered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "larderd.h"
#include "log.h"

struct handler {
	const char *op;
	enum need need;
	handler_fn fn;
	int flags;
};

#define H_READ 0x1 /* changes nothing: runs outside any savepoint */

static const struct handler handlers[] = {
    {"hello", NEED_NONE, h_hello, 0},
    {"status", NEED_SESSION, h_status, H_READ},
    {"member.add", NEED_COORDINATOR, h_member_add, 0},
    {"member.list", NEED_SESSION, h_member_list, H_READ},
    {"member.show", NEED_SESSION, h_member_show, H_READ},
    {"member.token", NEED_SESSION, h_member_token, 0},
    {"offer.post", NEED_MEMBER, h_offer_post, 0},
    {"offer.list", NEED_SESSION, h_offer_list, H_READ},
    {"offer.show", NEED_SESSION, h_offer_show, H_READ},
    {"offer.withdraw", NEED_MEMBER, h_offer_withdraw, 0},
    {"request.post", NEED_MEMBER, h_request_post, 0},
    {"request.list", NEED_SESSION, h_request_list, H_READ},
    {"request.show", NEED_SESSION, h_request_show, H_READ},
    {"request.cancel", NEED_MEMBER, h_request_cancel, 0},
    {"log.verify", NEED_SESSION, h_log_verify, H_READ},
    {"log.export", NEED_SESSION, h_log_export, H_READ},
    {"offer.claim", NEED_MEMBER, h_offer_claim, 0},
    {"match.list", NEED_SESSION, h_match_list, H_READ},
    {"match.show", NEED_SESSION, h_match_show, H_READ},
    {"match.accept", NEED_MEMBER, h_match_accept, 0},
    {"match.decline", NEED_MEMBER, h_match_decline, 0},
    {"match.collected", NEED_MEMBER, h_match_collected, 0},
    {"match.noshow", NEED_MEMBER, h_match_noshow, 0},
    {"match.explain", NEED_SESSION, h_match_explain, H_READ},
    {"waste.record", NEED_MEMBER, h_waste_record, 0},
    {"fed.report", NEED_MEMBER, h_fed_report, 0},
    {"watch", NEED_SESSION, h_watch, H_READ},
    {"clock.advance", NEED_ADMIN, h_clock_advance, 0},
    {"clock.set", NEED_ADMIN, h_clock_set, 0},
    {"report", NEED_SESSION, h_report, H_READ},
    {"rules.show", NEED_SESSION, h_rules_show, H_READ},
    {"proposal.open", NEED_MEMBER, h_proposal_open, 0},
    {"proposal.vote", NEED_MEMBER, h_proposal_vote, 0},
    {"proposal.list", NEED_SESSION, h_proposal_list, H_READ},
    {"proposal.show", NEED_SESSION, h_proposal_show, H_READ},
    {"dispute.raise", NEED_MEMBER, h_dispute_raise, 0},
    {"dispute.accept", NEED_MEMBER, h_dispute_accept, 0},
    {"dispute.reject", NEED_MEMBER, h_dispute_reject, 0},
    {"dispute.resolve", NEED_COORDINATOR, h_dispute_resolve, 0},
    {"dispute.list", NEED_SESSION, h_dispute_list, H_READ},
    {"refer", NEED_SESSION, h_refer, 0},
    {"challenge.open", NEED_COORDINATOR, h_challenge_open, 0},
    {"challenge.close", NEED_COORDINATOR, h_challenge_close, 0},
    {"challenge.list", NEED_SESSION, h_challenge_list, H_READ},
};

static const struct handler *
dispatch_find(const char *op)
{
	size_t i;

	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
		if (strcmp(handlers[i].op, op) == 0)
			return &handlers[i];
	}
	return NULL;
}

/* Checks that every protocol operation has a handler, at start-up. */
int
dispatch_check_table(char **cause)
{
	const struct proto_op *op;
	size_t i;

	for (i = 0; (op = proto_op_at(i)) != NULL; i++) {
		if (dispatch_find(op->name) == NULL)
			return asprintf(cause, "operation %s has no handler",
			           op->name),
			       -1;
	}
	return 0;
}

/* Records why a call failed; always returns -1. */
int
call_fail(struct call *c, enum proto_error code, const char *fmt, ...)
{
	va_list ap;

	c->code = code;
	free(c->message);
	va_start(ap, fmt);
	if (vasprintf(&c->message, fmt, ap) == -1)
		c->message = NULL;
	va_end(ap);
	return -1;
}

/* Answers {"key": text}, where text is a record already in JSON. */
int
call_record(struct call *c, const char *key, const char *text)
{
	if (text == NULL || asprintf(&c->raw, "{\"%s\":%s}", key, text) == -1) {
		c->raw = NULL;
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	}
	return 0;
}

/* Fails a call because the store could not do what was asked. */
int
call_store_error(struct call *c)
{
	return call_fail(c, PROTO_UNAVAILABLE, "store: %s",
	    store_errmsg(c->d->store));
}

/*
 * Refuses a new offer or request (what) when the member already has the
 * most open that [limits] allows.
 */
int
call_open_cap(struct call *c, const char *what, int cap)
{
	const struct member *m = session_member(c->s);
	int64_t n = store_open_count(c->d->store, what, m->id);

	if (n < 0)
		return call_store_error(c);
	if (n < cap)
		return 0;
	session_limit_hit(c->s,
	    strcmp(what, "offer") == 0 ? LIMIT_OPEN_OFFERS
	                               : LIMIT_OPEN_REQUESTS);
	return call_fail(c, PROTO_CONFLICT,
	    "%s already has %lld open %ss, the most a member may; close one "
	    "first",
	    m->handle, (long long)n, what);
}

/* Names who is acting, as the exchange log records it. */
const char *
call_actor(const struct call *c)
{
	const struct member *m = session_member(c->s);

	return m != NULL ? m->handle : "admin";
}

/* Starts a listed page: reads after and limit, within bounds. */
int
call_page_begin(struct call *c, struct store_filter *f, struct page *p)
{
	json_int_t limit = proto_arg_int(c->req, "limit", PAGE_MAX);

	memset(f, 0, sizeof *f);
	memset(p, 0, sizeof *p);
	f->after = proto_arg_int(c->req, "after", 0);
	if (limit < 1 || limit > PAGE_MAX)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "limit must be from 1 to %d", PAGE_MAX);
	f->limit = (int)limit;
	f->open_only = proto_arg_bool(c->req, "open", 0);
	if (proto_arg_bool(c->req, "mine", 0)) {
		if (session_member(c->s) == NULL)
			return call_fail(c, PROTO_FORBIDDEN,
			    "\"mine\" needs a session acting for a member");
		f->member = session_member(c->s)->id;
	}
	if ((p->items = json_array()) == NULL)
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	return 0;
}

/*
 * Ends a listed page: result is {key: [...], next: cursor or null}, the
 * cursor to pass as "after" for the next page when this one is full.
 */
int
call_page_end(struct call *c, const char *key, const struct store_filter *f,
    struct page *p, int rc)
{
	if (rc != 0) {
		json_decref(p->items);
		return call_fail(c, PROTO_UNAVAILABLE, "store: %s",
		    store_errmsg(c->d->store));
	}
	c->result = json_pack("{s:o, s:o}", key, p->items, "next",
	    json_array_size(p->items) == (size_t)f->limit
	        ? json_integer(p->last)
	        : json_null());
	return c->result != NULL
	    ? 0
	    : call_fail(c, PROTO_INTERNAL, "out of memory");
}

/* Milliseconds on a clock that never jumps, for rate limits. */
static int64_t
dispatch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The token bucket of a member, made full the first time. */
static struct bucket *
dispatch_bucket(struct larderd *d, int64_t member)
{
	struct bucket *rows;
	size_t slot;

	if (idmap_get(&d->buckets, member, &slot))
		return &d->rate[slot];
	if (d->nrate == d->ratecap) {
		d->ratecap = d->ratecap ? d->ratecap * 2 : 64;
		rows = realloc(d->rate, d->ratecap * sizeof *rows);
		if (rows == NULL)
			return NULL;
		d->rate = rows;
	}
	if (idmap_put(&d->buckets, member, d->nrate) != 0)
		return NULL;
	d->rate[d->nrate].tokens = d->conf->burst;
	d->rate[d->nrate].last_ms = dispatch_ms();
	return &d->rate[d->nrate++];
}

/*
 * Takes one request from a member's token bucket: rate a second refill
 * it, up to burst. An empty bucket refuses, saying when to retry.
 */
static int
dispatch_rate(struct call *c)
{
	const struct member *m = session_member(c->s);
	struct bucket *b;
	int64_t now = dispatch_ms();

	if (m == NULL || session_is_admin(c->s) ||
	    (b = dispatch_bucket(c->d, m->id)) == NULL)
		return 0;
	b->tokens += (double)(now - b->last_ms) * c->d->conf->rate / 1000;
	if (b->tokens > c->d->conf->burst)
		b->tokens = c->d->conf->burst;
	b->last_ms = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 0;
	}
	session_limit_hit(c->s, LIMIT_RATE);
	return call_fail(c, PROTO_RATE_LIMITED,
	    "more than %d requests a "
	    "second; retry in %d ms",
	    c->d->conf->rate,
	    (int)((1 - b->tokens) * 1000 / c->d->conf->rate) + 1);
}

/* Checks that the session may use the operation. */
static int
dispatch_allowed(struct call *c, const struct handler *h)
{
	const struct member *m = session_member(c->s);

	if (h->need == NEED_NONE)
		return 0;
	if (!session_authenticated(c->s))
		return call_fail(c, PROTO_UNAUTHENTICATED,
		    "send hello with your token first");
	if (h->need == NEED_MEMBER && m == NULL)
		return call_fail(c, PROTO_FORBIDDEN,
		    "%s acts for a member; "
		    "the administrator names one with \"as\" (larder --as "
		    "HANDLE)",
		    h->op);
	if (h->need == NEED_ADMIN && !session_is_admin(c->s))
		return call_fail(c, PROTO_FORBIDDEN,
		    "%s is for the "
		    "administrator",
		    h->op);
	if (h->need == NEED_COORDINATOR && !session_is_admin(c->s) &&
	    (m == NULL || !m->coordinator))
		return call_fail(c, PROTO_FORBIDDEN, "%s is for coordinators",
		    h->op);
	return 0;
}

/*
 * Runs a handler. A request with a retry key that this member has used
 * before gets the first answer again and changes nothing; otherwise the
 * answer is kept under the key in the same transaction as the change.
 */
static int
dispatch_keyed(struct call *c, const struct handler *h)
{
	const char *key =
	    json_string_value(json_object_get(c->req->root, "retry"));
	const struct member *m = session_member(c->s);
	char *op = NULL, *text;
	int rc;

	if (key == NULL || m == NULL)
		return h->fn(c);
	if ((text = store_key_get(c->d->store, m->id, key, &op)) != NULL) {
		rc = strcmp(op, h->op) != 0
		    ? call_fail(c, PROTO_CONFLICT,
		          "retry key \"%s\" was used for %s", key, op)
		    : 0;
		if (rc == 0 && (c->result = json_loads(text, 0, NULL)) == NULL)
			rc = call_fail(c, PROTO_INTERNAL,
			    "a stored answer is "
			    "not JSON");
		free(text);
		free(op);
		return rc;
	}
	if ((rc = h->fn(c)) != 0)
		return rc;
	text = c->raw != NULL   ? strdup(c->raw)
	    : c->result != NULL ? json_dumps(c->result, JSON_COMPACT)
	                        : strdup("{}");
	if (text == NULL ||
	    store_key_put(c->d->store, m->id, key, h->op, text, c->now) != 0)
		rc = call_store_error(c);
	free(text);
	return rc;
}

/*
 * Runs a permitted request. A change runs inside its own savepoint of
 * the group transaction, so that a handler that fails leaves nothing
 * behind. A read needs none: there is nothing to undo, and larderd is the
 * database's only writer, so its statements see one state. (A read with
 * a retry key writes its answer, so it goes the first way.)
 */
static int
dispatch_run(struct call *c, const struct handler *h)
{
	size_t mark;
	int rc;

	if ((h->flags & H_READ) &&
	    json_object_get(c->req->root, "retry") == NULL)
		return h->fn(c);
	if (server_begin(c->d, &mark) != 0)
		return call_fail(c, PROTO_UNAVAILABLE,
		    "the store is unavailable: %s", store_errmsg(c->d->store));
	rc = dispatch_keyed(c, h);
	if (server_end(c->d, mark, rc == 0) != 0 && rc == 0)
		rc = call_fail(c, PROTO_UNAVAILABLE,
		    "the change could not be saved");
	return rc;
}

/* Runs one validated request and returns the reply line. */
char *
dispatch(struct larderd *d, struct session *s, const struct proto_request *req)
{
	const struct handler *h;
	struct call c;
	char *line;
	int rc;

	memset(&c, 0, sizeof c);
	c.d = d;
	c.s = s;
	c.req = req;
	c.now = server_now(d);
	h = dispatch_find(req->op->name);
	if (h == NULL)
		rc = call_fail(&c, PROTO_UNKNOWN_OP, "no handler");
	else if ((rc = dispatch_allowed(&c, h)) == 0 &&
	    (rc = dispatch_rate(&c)) == 0)
		rc = dispatch_run(&c, h);
	log_debug("session %llu: %s: %s", (unsigned long long)session_id(s),
	    req->op->name, rc == 0 ? "ok" : proto_error_name(c.code));
	if (rc == 0 && c.raw != NULL) {
		json_decref(c.result);
		line = proto_reply_ok_text(req->id, c.raw);
	} else if (rc == 0)
		line = proto_reply_ok(req->id, c.result);
	else {
		json_decref(c.result);
		line = proto_reply_error(req->id, c.code, c.message);
	}
	free(c.raw);
	free(c.message);
	return line;
}
