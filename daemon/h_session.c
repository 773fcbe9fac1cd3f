/* h_session.c: hello, which says who a session acts for, and status. */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "larderd.h"
#include "log.h"
#include "token.h"
#include "valid.h"

/* Describes the session's role in a word. */
static const char *
h_role(const struct session *s)
{
	const struct member *m = session_member(s);

	if (session_is_admin(s))
		return "admin";
	return m != NULL && m->coordinator ? "coordinator" : "member";
}

/* Authenticates by token, or lets the administrator act as a member. */
static int
h_hello_who(struct call *c, struct member *m, int *found)
{
	const char *token = proto_arg_str(c->req, "token");
	const char *as = proto_arg_str(c->req, "as");
	unsigned char hash[DIGEST_LEN];
	int rc;

	*found = 0;
	if (token != NULL && as != NULL)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "give either \"token\" or \"as\", not both");
	if (as != NULL) {
		if (!session_is_admin(c->s))
			return call_fail(c, PROTO_FORBIDDEN,
			    "only the administrator may act as another member");
		rc = store_member_by_handle(c->d->store, as, m);
		if (rc == 0)
			return call_fail(c, PROTO_NOT_FOUND, "no member \"%s\"",
			    as);
	} else if (token != NULL) {
		if (token_hash(token, hash) != 0)
			return call_fail(c, PROTO_INTERNAL, "cannot hash");
		rc = store_member_by_token(c->d->store, hash, m);
		if (rc == 0) {
			log_info("session %llu: hello with an unknown token",
			    (unsigned long long)session_id(c->s));
			return call_fail(c, PROTO_UNAUTHENTICATED,
			    "that token is not known here");
		}
	} else if (session_is_admin(c->s))
		return 0;
	else
		return call_fail(c, PROTO_UNAUTHENTICATED,
		    "hello needs a member's token");
	if (rc < 0)
		return call_store_error(c);
	*found = 1;
	return 0;
}

int
h_hello(struct call *c)
{
	struct member m;
	int found;

	/* A failed hello leaves the session as if it had never said one. */
	if (h_hello_who(c, &m, &found) != 0) {
		session_logout(c->s);
		return -1;
	}
	session_login(c->s, found ? &m : NULL);
	if (found)
		log_info("session %llu: acting as %s",
		    (unsigned long long)session_id(c->s), m.handle);
	c->result = json_pack("{s:s, s:i, s:s, s:o, s:s, s:s}", "server",
	    "larderd " LARDER_VERSION, "protocol", PROTO_VERSION, "role",
	    h_role(c->s), "now", proto_time_json(c->now), "timezone",
	    c->d->timezone, "network", c->d->conf->network_name);
	if (c->result != NULL && found)
		json_object_set_new(c->result, "member", member_json(&m));
	return 0;
}

/* What a status result said, and its text, kept while it still holds. */
struct status_text {
	int64_t said[8];
	char *text;
};

/*
 * The daemon's status: version, clock, uptime and counts. Under load
 * many sessions ask within the same second, so the result's text is
 * kept and sent again while every figure in it is the same.
 */
int
h_status(struct call *c)
{
	struct larderd *d = c->d;
	struct store *st = d->store;
	int64_t said[8] = {c->now, time(NULL) - d->started, d->nsessions,
	    store_member_count(st), store_offer_count_open(st),
	    store_request_count_open(st), exlog_last_seq(d->log), 0};
	json_t *r;

	if (d->status == NULL &&
	    (d->status = calloc(1, sizeof *d->status)) == NULL)
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	if (d->status->text == NULL ||
	    memcmp(said, d->status->said, sizeof said) != 0) {
		r = json_pack("{s:s, s:i, s:o, s:o, s:I, s:s, s:I, s:I, s:I,"
		              " s:I, s:I}",
		    "version", LARDER_VERSION, "protocol", PROTO_VERSION,
		    "started", proto_time_json(d->started), "now",
		    proto_time_json(c->now), "uptime", (json_int_t)said[1],
		    "timezone", d->timezone, "sessions", (json_int_t)said[2],
		    "members", (json_int_t)said[3], "offers_open",
		    (json_int_t)said[4], "requests_open", (json_int_t)said[5],
		    "events", (json_int_t)said[6]);
		free(d->status->text);
		d->status->text =
		    r != NULL ? json_dumps(r, JSON_COMPACT) : NULL;
		json_decref(r);
		if (d->status->text == NULL)
			return call_fail(c, PROTO_INTERNAL, "out of memory");
		memcpy(d->status->said, said, sizeof said);
	}
	if ((c->raw = strdup(d->status->text)) == NULL)
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	return 0;
}

void
h_status_free(struct larderd *d)
{
	if (d->status != NULL)
		free(d->status->text);
	free(d->status);
	d->status = NULL;
}

int
h_watch(struct call *c)
{
	const char *hub = proto_arg_str(c->req, "hub");

	if (hub != NULL && !valid_word(hub))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "hub \"%s\" is not a hub's name", hub);
	session_watch(c->s, hub);
	c->result = json_pack("{s:b}", "watching", 1);
	return 0;
}

/*
 * Moves the manual clock to t and acts on every deadline passed, in the
 * same step: a clock that moved has always had its consequences.
 */
static int
clock_move(struct call *c, time_t t)
{
	struct larderd *d = c->d;
	time_t old = d->clock;
	char buf[32];

	if (!d->manual_clock)
		return call_fail(c, PROTO_CONFLICT,
		    "larderd runs on the real "
		    "clock; start it with clock = manual to move time by hand");
	if (t < d->clock)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "the clock only moves forward");
	d->clock = c->now = t;
	snprintf(buf, sizeof buf, "%lld", (long long)t);
	if (store_meta_set(d->store, "clock", buf) != 0 ||
	    sweep_due(d, NULL) != 0) {
		d->clock = old;
		return call_store_error(c);
	}
	log_info("clock: moved to %lld", (long long)t);
	c->result = json_pack("{s:o}", "now", proto_time_json(t));
	return 0;
}

int
h_clock_advance(struct call *c)
{
	json_int_t seconds = proto_arg_int(c->req, "seconds", 0);

	if (seconds < 1 || seconds > 366 * 86400)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "seconds must be from 1 to a year (31622400)");
	return clock_move(c, c->d->clock + (time_t)seconds);
}

int
h_clock_set(struct call *c)
{
	time_t t;

	proto_arg_time(c->req, "time", &t);
	return clock_move(c, t);
}
