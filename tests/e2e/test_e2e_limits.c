/*
 * test_e2e_limits.c: the daemon's limits, each at its boundary, retry
 * keys, and token rotation and revocation, against a real larderd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"

#define V1 "{\"v\":1,"

/* Starts a daemon whose larderd.conf holds text. */
static struct daemon_ctx *
start_with(const char *text)
{
	struct daemon_ctx *d = daemon_new();
	char conf[HARNESS_PATH + 32];
	FILE *f;

	snprintf(conf, sizeof conf, "%s/larderd.conf", d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	daemon_run(d, "--config", conf, NULL);
	return d;
}

static void
stop(struct daemon_ctx *d)
{
	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
}

/* Registers a member as the administrator; returns its token (malloc'd). */
static char *
add_member(struct daemon_ctx *d, const char *handle, int coordinator)
{
	struct wire *admin = wire_unix(d);
	json_t *r;
	char *token;

	r = wire_call(admin,
	    V1 "\"id\":1,\"op\":\"member.add\",\"handle\":\"%s\","
	       "\"name\":\"%s\",\"hub\":\"barking\",\"people\":50,"
	       "\"storage\":[\"ambient\"],\"coordinator\":%s}",
	    handle, handle, coordinator ? "true" : "false");
	assert_reply_ok(r);
	token = strdup(
	    json_string_value(json_object_get(reply_result(r), "token")));
	wire_close(admin);
	return token;
}

/* How many times larderd's stderr holds text. */
static int
log_count(struct daemon_ctx *d, const char *text)
{
	char *log = harness_slurp(d->err_path), *p;
	int n = 0;

	for (p = log; p != NULL && (p = strstr(p, text)) != NULL; p++)
		n++;
	free(log);
	return n;
}

/* Reads until the session ends; the closing event's reason, or "". */
static const char *
closing_reason(struct wire *w)
{
	static char reason[256];
	json_t *line;

	reason[0] = '\0';
	while ((line = wire_next(w)) != NULL) {
		const char *ev =
		    json_string_value(json_object_get(line, "event"));
		const char *why;

		why = json_string_value(json_object_get(line, "reason"));
		if (ev != NULL && strcmp(ev, "closing") == 0 && why != NULL)
			snprintf(reason, sizeof reason, "%s", why);
	}
	return reason;
}

/* Over hello_bytes before hello on TCP: told, then closed. */
static void
test_limits_hello_bytes(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\nhello_bytes = 256\n");
	struct wire *w = wire_tcp(d);
	const char *status = V1 "\"id\":7,\"op\":\"status\"}\n";
	json_t *line;
	int i, refused = 0, closed = 0;

	(void)state;
	/* 29 bytes a line: eight lines are 232 bytes, nine are 261. */
	for (i = 0; i < 8; i++) {
		wire_send(w, status, strlen(status));
		assert_reply_error(wire_recv(w), "unauthenticated");
	}
	wire_send(w, status, strlen(status));
	while ((line = wire_next(w)) != NULL) {
		if (strstr(reply_message(line), "too much sent before hello"))
			refused = 1;
	}
	closed = 1;
	assert_true(refused && closed);
	wire_close(w);
	/* The Unix socket, the administrator's, has no such limit. */
	w = wire_unix(d);
	for (i = 0; i < 20; i++)
		assert_reply_ok(wire_call(w, V1 "\"id\":8,\"op\":\"status\"}"));
	wire_close(w);
	assert_int_equal(log_count(d, "limit hit: hello_bytes"), 1);
	stop(d);
}

/* Deep nesting is refused as bad JSON; the session goes on. */
static void
test_limits_nesting(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\njson_depth = 4\n");
	struct wire *w = wire_unix(d);
	char line[9000];
	json_t *r;
	size_t off = 0;
	int i;

	(void)state;
	off += (size_t)snprintf(line, sizeof line,
	    V1 "\"id\":1,\"op\":\"status\",\"x\":");
	for (i = 0; i < 3000; i++)
		line[off++] = '[';
	for (i = 0; i < 3000; i++)
		line[off++] = ']';
	line[off++] = '}';
	line[off] = '\0';
	assert_reply_error(wire_call(w, "%s", line), "bad_json");
	/* Past [limits] json_depth (4 here): refused, saying so. */
	off = 0;
	off += (size_t)snprintf(line, sizeof line,
	    V1 "\"id\":1,\"op\":\"member.show\",\"handle\":[[[[]]]]}");
	r = wire_call(w, "%s", line);
	assert_reply_error(r, "bad_json");
	assert_has(reply_message(r), "nested deeper than 4 levels");
	/* At it, the line parses and is refused by type. */
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":1,\"op\":\"member.show\","
	                          "\"handle\":[[[]]]}"),
	    "invalid_argument");
	assert_reply_ok(wire_call(w, V1 "\"id\":2,\"op\":\"status\"}"));
	wire_close(w);
	stop(d);
}

/* A TCP session that never says hello is closed after hello_timeout. */
static void
test_limits_hello_timeout(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\nhello_timeout = 1\n");
	struct wire *w = wire_tcp(d), *m;
	char *token = add_member(d, "alpha", 0);

	(void)state;
	assert_string_equal(closing_reason(w), "no hello in time");
	wire_close(w);
	/* One that did say hello stays open past it. */
	m = wire_member(d, token);
	{
		struct timespec pause = {1, 500 * 1000 * 1000};

		nanosleep(&pause, NULL);
	}
	assert_reply_ok(wire_call(m, V1 "\"id\":2,\"op\":\"status\"}"));
	wire_close(m);
	free(token);
	stop(d);
}

/* Idle sessions are closed; watchers, which only listen, are not. */
static void
test_limits_idle_watchers_exempt(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\nidle_timeout = 1\n");
	char *token = add_member(d, "alpha", 1);
	struct wire *idle = wire_member(d, token);
	struct wire *watcher = wire_member(d, token), *w;
	struct timespec pause = {2, 500 * 1000 * 1000};
	char use_by[40];
	json_t *line;

	(void)state;
	assert_reply_ok(wire_call(watcher, V1 "\"id\":2,\"op\":\"watch\"}"));
	assert_string_equal(closing_reason(idle), "idle timeout");
	nanosleep(&pause, NULL);
	w = wire_member(d, token);
	harness_time(use_by, sizeof use_by, 86400);
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":3,\"op\":\"offer.post\",\"category\":\"bakery\","
	       "\"grams\":900,\"use_by\":\"%s\"}",
	    use_by));
	wire_close(w);
	line = wire_next(watcher);
	assert_non_null(line);
	assert_string_equal(json_string_value(json_object_get(line, "event")),
	    "offer.posted");
	wire_close(watcher);
	wire_close(idle);
	free(token);
	stop(d);
}

/* Past the burst, a member is refused with a retry hint; logged once. */
static void
test_limits_rate(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\nrate = 1\nburst = 3\n");
	char *token = add_member(d, "alpha", 0);
	struct wire *w, *admin;
	json_t *r;
	int i;

	(void)state;
	w = wire_member(d, token); /* hello is not counted */
	for (i = 0; i < 3; i++)
		assert_reply_ok(wire_call(w, V1 "\"id\":2,\"op\":\"status\"}"));
	for (i = 0; i < 3; i++) {
		r = wire_call(w, V1 "\"id\":3,\"op\":\"status\"}");
		assert_reply_error(r, "rate_limited");
		assert_has(reply_message(r), "retry in");
	}
	/* The administrator is not rate limited. */
	admin = wire_unix(d);
	for (i = 0; i < 10; i++)
		assert_reply_ok(
		    wire_call(admin, V1 "\"id\":4,\"op\":\"status\"}"));
	wire_close(admin);
	wire_close(w);
	assert_int_equal(log_count(d, "limit hit: rate"), 1);
	free(token);
	stop(d);
}

/* The open requests a member may hold, at the boundary and after. */
static void
test_limits_open_requests(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\nopen_requests = 2\n");
	char *token = add_member(d, "alpha", 0);
	struct wire *w = wire_member(d, token);
	char by[40];
	json_t *r;
	json_int_t first = 0;
	int i;

	(void)state;
	harness_time(by, sizeof by, 7 * 86400);
	for (i = 0; i < 2; i++) {
		r = wire_call(w,
		    V1 "\"id\":2,\"op\":\"request.post\",\"categories\":"
		       "[\"bakery\"],\"grams\":1000,\"by\":\"%s\"}",
		    by);
		assert_reply_ok(r);
		if (i == 0)
			first = json_integer_value(json_object_get(
			    json_object_get(reply_result(r), "request"), "id"));
	}
	r = wire_call(w,
	    V1 "\"id\":3,\"op\":\"request.post\",\"categories\":"
	       "[\"bakery\"],\"grams\":1000,\"by\":\"%s\"}",
	    by);
	assert_reply_error(r, "conflict");
	assert_has(reply_message(r), "already has 2 open requests");
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":4,\"op\":\"request.cancel\",\"request\":%lld}",
	    (long long)first));
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":5,\"op\":\"request.post\",\"categories\":"
	       "[\"bakery\"],\"grams\":1000,\"by\":\"%s\"}",
	    by));
	wire_close(w);
	free(token);
	stop(d);
}

/* A watcher that stops reading is told it is too slow and dropped. */
static void
test_limits_slow_watcher(void **state)
{
	struct daemon_ctx *d = start_with("[limits]\nwatch_buffer = 65536\n"
	                                  "open_offers = 100000\n"
	                                  "burst = 100000\n");
	char *token = add_member(d, "alpha", 0);
	struct wire *watcher = wire_unix(d), *w = wire_member(d, token);
	char use_by[40], *batch;
	size_t off, cap = 200 * 160;
	int round, i;

	(void)state;
	assert_reply_ok(wire_call(watcher, V1 "\"id\":1,\"op\":\"watch\"}"));
	harness_time(use_by, sizeof use_by, 86400);
	batch = malloc(cap);
	assert_non_null(batch);
	/* About 1.2 MB of events, far past the socket's buffers and 64 KiB. */
	for (round = 0; round < 20; round++) {
		off = 0;
		for (i = 0; i < 200; i++)
			off += (size_t)snprintf(batch + off, cap - off,
			    V1 "\"id\":%d,\"op\":\"offer.post\",\"category\":"
			       "\"dry\",\"grams\":%d,\"use_by\":\"%s\"}\n",
			    i, 500 + i, use_by);
		wire_send(w, batch, off);
		for (i = 0; i < 200; i++)
			assert_reply_ok(wire_recv(w));
	}
	free(batch);
	assert_has(closing_reason(watcher), "too slow");
	wire_close(watcher);
	/* The member posting was not held up by the slow watcher. */
	assert_reply_ok(wire_call(w, V1 "\"id\":9,\"op\":\"status\"}"));
	wire_close(w);
	assert_int_equal(log_count(d, "limit hit: watch_buffer"), 1);
	free(token);
	stop(d);
}

/* The number of offers a member has posted, as offer.list shows. */
static size_t
offers_of(struct wire *w)
{
	json_t *r = wire_call(w,
	    V1 "\"id\":20,\"op\":\"offer.list\",\"mine\":true,"
	       "\"limit\":100}");

	assert_reply_ok(r);
	return json_array_size(json_object_get(reply_result(r), "offers"));
}

/* Posts an offer under retry key k-1. */
#define POST_K1                                                                \
	V1 "\"id\":%d,\"op\":\"offer.post\",\"retry\":\"k-1\","                \
	   "\"category\":\"bakery\",\"grams\":%d,\"use_by\":\"%s\"}"

/* A repeated retry key gets the first answer and changes nothing. */
static void
test_limits_retry_key(void **state)
{
	struct daemon_ctx *d = start_with("[daemon]\n");
	char *token = add_member(d, "alpha", 0);
	struct wire *w = wire_member(d, token);
	char use_by[40];
	json_t *r;
	json_int_t id;

	(void)state;
	harness_time(use_by, sizeof use_by, 86400);
	r = wire_call(w, POST_K1, 2, 1200, use_by);
	assert_reply_ok(r);
	id = json_integer_value(
	    json_object_get(json_object_get(reply_result(r), "offer"), "id"));
	/* The same key again, even with other arguments: the first offer. */
	r = wire_call(w, POST_K1, 3, 9999, use_by);
	assert_reply_ok(r);
	assert_reply_id(r, 3);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(reply_result(r), "offer"), "id")),
	    id);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(reply_result(r), "offer"), "grams")),
	    1200);
	assert_int_equal(offers_of(w), 1);
	/* The key is kept on disk: after a restart it still holds. */
	wire_close(w);
	assert_int_equal(daemon_stop(d), 0);
	daemon_restart(d);
	w = wire_member(d, token);
	r = wire_call(w, POST_K1, 4, 1200, use_by);
	assert_reply_ok(r);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(reply_result(r), "offer"), "id")),
	    id);
	assert_int_equal(offers_of(w), 1);
	/* Used for another operation, the key is refused. */
	r = wire_call(w,
	    V1 "\"id\":5,\"op\":\"offer.withdraw\",\"retry\":\"k-1\","
	       "\"offer\":%lld}",
	    (long long)id);
	assert_reply_error(r, "conflict");
	assert_has(reply_message(r), "was used for offer.post");
	/* A new key is a new request; a bad key is refused. */
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":6,\"op\":\"offer.post\",\"retry\":\"k-2\","
	       "\"category\":\"bakery\",\"grams\":700,\"use_by\":\"%s\"}",
	    use_by));
	assert_int_equal(offers_of(w), 2);
	assert_reply_error(
	    wire_call(w, V1 "\"id\":7,\"op\":\"status\",\"retry\":\"\"}"),
	    "invalid_argument");
	wire_close(w);
	free(token);
	stop(d);
}

/* hello with a token: ok, or the error code it got. */
static const char *
hello(struct daemon_ctx *d, const char *token)
{
	struct wire *w = wire_tcp(d);
	static char code[32];
	json_t *r;

	r = wire_call(w, V1 "\"id\":1,\"op\":\"hello\",\"token\":\"%s\"}",
	    token);
	snprintf(code, sizeof code, "%s",
	    json_is_true(json_object_get(r, "ok"))
	        ? "ok"
	        : json_string_value(
	              json_object_get(json_object_get(r, "error"), "code")));
	wire_close(w);
	return code;
}

/* Rotation and revocation: who may, what stops working, what is logged. */
static void
test_limits_token_rotate_revoke(void **state)
{
	struct daemon_ctx *d = start_with("[daemon]\n");
	char *alpha = add_member(d, "alpha", 0);
	char *bravo = add_member(d, "bravo", 0);
	char *coord = add_member(d, "hub-lead", 1);
	struct wire *a1 = wire_member(d, alpha), *a2 = wire_member(d, alpha);
	struct wire *b = wire_member(d, bravo), *c;
	json_t *r;
	char *fresh;
	struct run *run;

	(void)state;
	/* A member may not touch another's token. */
	r = wire_call(b,
	    V1 "\"id\":2,\"op\":\"member.token\",\"handle\":"
	       "\"alpha\",\"action\":\"revoke\"}");
	assert_reply_error(r, "forbidden");
	assert_reply_error(wire_call(b,
	                       V1 "\"id\":3,\"op\":\"member.token\","
	                          "\"handle\":\"alpha\",\"action\":"
	                          "\"shred\"}"),
	    "invalid_argument");
	/* alpha rotates its own: the new token works, the old does not. */
	r = wire_call(a1,
	    V1 "\"id\":4,\"op\":\"member.token\",\"handle\":"
	       "\"alpha\",\"action\":\"rotate\"}");
	assert_reply_ok(r);
	fresh = strdup(
	    json_string_value(json_object_get(reply_result(r), "token")));
	assert_string_not_equal(fresh, alpha);
	assert_string_equal(hello(d, alpha), "unauthenticated");
	assert_string_equal(hello(d, fresh), "ok");
	/* Its other session on the old token is told and closed ... */
	assert_string_equal(closing_reason(a2),
	    "this member's token was rotated");
	/* ... the one that asked goes on. */
	assert_reply_ok(wire_call(a1, V1 "\"id\":5,\"op\":\"status\"}"));
	/* A coordinator revokes it: nobody can sign in as alpha. */
	c = wire_member(d, coord);
	r = wire_call(c,
	    V1 "\"id\":6,\"op\":\"member.token\",\"handle\":"
	       "\"alpha\",\"action\":\"revoke\"}");
	assert_reply_ok(r);
	assert_null(json_object_get(reply_result(r), "token"));
	assert_string_equal(closing_reason(a1),
	    "this member's token was revoked");
	assert_string_equal(hello(d, fresh), "unauthenticated");
	assert_string_equal(hello(d, bravo), "ok");
	wire_close(c);
	/* The client as the administrator; both changes are in the log. */
	run = run_admin(d, "member", "token", "rotate", "alpha", NULL);
	assert_exit(run, 0);
	assert_has(run->out, "token: ");
	assert_has(run->out, "shown only now");
	run_free(run);
	run = run_admin(d, "log", "export", NULL);
	assert_exit(run, 0);
	assert_has(run->out, "\"kind\":\"member.token\"");
	assert_has(run->out, "\"action\":\"revoked\"");
	assert_has(run->out, "\"action\":\"rotated\"");
	assert_true(strstr(run->out, fresh) == NULL);
	run_free(run);
	run = run_admin(d, "log", "verify", NULL);
	assert_exit(run, 0);
	run_free(run);
	run = run_admin(d, "member", "token", "shred", "alpha", NULL);
	assert_exit(run, 2);
	run_free(run);
	wire_close(a1);
	wire_close(a2);
	wire_close(b);
	free(fresh);
	free(alpha);
	free(bravo);
	free(coord);
	stop(d);
}

/* Calls as w and expects the error code; the reply's text on failure. */
static void
refused(struct wire *w, const char *code, const char *line)
{
	json_t *r = wire_call(w, "%s", line);

	assert_reply_error(r, code);
}

/* One member tries to act on others' offers, matches, disputes, votes. */
static void
test_limits_cross_member_refused(void **state)
{
	struct daemon_ctx *d = start_with("[daemon]\n");
	char *alpha = add_member(d, "alpha", 0),
	     *bravo = add_member(d, "bravo", 0);
	char *mallory = add_member(d, "mallory", 0);
	struct wire *a = wire_member(d, alpha), *b = wire_member(d, bravo);
	struct wire *m = wire_member(d, mallory);
	char use_by[40], by[40], line[512];
	json_int_t offer, request, match, dispute;
	json_t *r;

	(void)state;
	harness_time(use_by, sizeof use_by, 86400);
	harness_time(by, sizeof by, 7 * 86400);
	r = wire_call(b,
	    V1 "\"id\":1,\"op\":\"request.post\",\"categories\":"
	       "[\"bakery\"],\"grams\":5000,\"by\":\"%s\"}",
	    by);
	assert_reply_ok(r);
	request = json_integer_value(
	    json_object_get(json_object_get(reply_result(r), "request"), "id"));
	r = wire_call(a,
	    V1 "\"id\":2,\"op\":\"offer.post\",\"category\":\"bakery\","
	       "\"grams\":3000,\"use_by\":\"%s\"}",
	    use_by);
	assert_reply_ok(r);
	offer = json_integer_value(
	    json_object_get(json_object_get(reply_result(r), "offer"), "id"));
	r = wire_call(b, V1 "\"id\":3,\"op\":\"match.list\",\"open\":true}");
	assert_reply_ok(r);
	match = json_integer_value(json_object_get(
	    json_array_get(json_object_get(reply_result(r), "matches"), 0),
	    "id"));
	assert_true(match > 0);
	assert_reply_ok(
	    wire_call(b, V1 "\"id\":4,\"op\":\"match.accept\",\"match\":%lld}",
	        (long long)match));
	assert_reply_ok(wire_call(b,
	    V1 "\"id\":5,\"op\":\"match.collected\",\"match\":%lld,"
	       "\"grams\":3000}",
	    (long long)match));
	r = wire_call(a,
	    V1 "\"id\":6,\"op\":\"dispute.raise\",\"match\":%lld,"
	       "\"reason\":\"weight\",\"grams\":2500}",
	    (long long)match);
	assert_reply_ok(r);
	dispute = json_integer_value(
	    json_object_get(json_object_get(reply_result(r), "dispute"), "id"));
	assert_true(dispute > 0);

	/* mallory, a member with no part in any of it: */
#define TRY(code, ...)                                                         \
	do {                                                                   \
		snprintf(line, sizeof line, __VA_ARGS__);                      \
		refused(m, code, line);                                        \
	} while (0)
	TRY("forbidden", V1 "\"op\":\"offer.withdraw\",\"offer\":%lld}",
	    (long long)offer);
	TRY("forbidden", V1 "\"op\":\"request.cancel\",\"request\":%lld}",
	    (long long)request);
	TRY("forbidden", V1 "\"op\":\"match.accept\",\"match\":%lld}",
	    (long long)match);
	TRY("forbidden", V1 "\"op\":\"match.decline\",\"match\":%lld}",
	    (long long)match);
	TRY("forbidden",
	    V1 "\"op\":\"match.collected\",\"match\":%lld,\"grams\":1}",
	    (long long)match);
	TRY("forbidden", V1 "\"op\":\"match.noshow\",\"match\":%lld}",
	    (long long)match);
	TRY("forbidden",
	    V1 "\"op\":\"dispute.raise\",\"match\":%lld,\"reason\":"
	       "\"quality\"}",
	    (long long)match);
	TRY("forbidden", V1 "\"op\":\"dispute.accept\",\"dispute\":%lld}",
	    (long long)dispute);
	TRY("forbidden", V1 "\"op\":\"dispute.reject\",\"dispute\":%lld}",
	    (long long)dispute);
	TRY("forbidden",
	    V1 "\"op\":\"dispute.resolve\",\"dispute\":%lld,\"outcome\":"
	       "\"no_change\"}",
	    (long long)dispute);
	TRY("forbidden",
	    V1 "\"op\":\"waste.record\",\"offer\":%lld,\"destination\":"
	       "\"compost\",\"cause\":\"spoiled\"}",
	    (long long)offer);
	TRY("forbidden",
	    V1 "\"op\":\"member.token\",\"handle\":\"bravo\",\"action\":"
	       "\"rotate\"}");
	TRY("forbidden", V1 "\"op\":\"clock.advance\",\"seconds\":60}");
	TRY("forbidden",
	    V1 "\"op\":\"member.add\",\"handle\":\"sock\",\"name\":\"S\","
	       "\"hub\":\"barking\",\"people\":1,\"storage\":[\"ambient\"]}");
	TRY("forbidden", V1 "\"op\":\"challenge.open\",\"title\":\"mine\"}");
	/* One member, one vote. */
	r = wire_call(m,
	    V1 "\"id\":7,\"op\":\"proposal.open\",\"kind\":\"rule\","
	       "\"key\":\"beta\",\"value\":\"0.5\",\"why\":\"mine\"}");
	assert_reply_ok(r);
	assert_reply_ok(wire_call(m,
	    V1 "\"id\":8,\"op\":\"proposal.vote\",\"proposal\":1,"
	       "\"choice\":\"yes\"}"));
	TRY("conflict",
	    V1 "\"op\":\"proposal.vote\",\"proposal\":1,\"choice\":\"yes\"}");
	/* Last, as a failed hello leaves the session signed out. */
	TRY("forbidden", V1 "\"op\":\"hello\",\"as\":\"bravo\"}");
#undef TRY
	/* Nothing mallory tried changed anything. */
	r = wire_call(b, V1 "\"id\":9,\"op\":\"match.show\",\"match\":%lld}",
	    (long long)match);
	assert_reply_ok(r);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(reply_result(r), "match"), "state")),
	    "collected");
	r = wire_call(b,
	    V1 "\"id\":10,\"op\":\"request.show\",\"request\":%lld}",
	    (long long)request);
	assert_reply_ok(r);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(reply_result(r), "request"), "state")),
	    "open");
	r = wire_call(b, V1 "\"id\":11,\"op\":\"dispute.list\"}");
	assert_reply_ok(r);
	wire_close(a);
	wire_close(b);
	wire_close(m);
	free(alpha);
	free(bravo);
	free(mallory);
	stop(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits_hello_bytes),
	    cmocka_unit_test(test_limits_hello_timeout),
	    cmocka_unit_test(test_limits_nesting),
	    cmocka_unit_test(test_limits_idle_watchers_exempt),
	    cmocka_unit_test(test_limits_rate),
	    cmocka_unit_test(test_limits_open_requests),
	    cmocka_unit_test(test_limits_slow_watcher),
	    cmocka_unit_test(test_limits_retry_key),
	    cmocka_unit_test(test_limits_token_rotate_revoke),
	    cmocka_unit_test(test_limits_cross_member_refused),
	};

	harness_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
