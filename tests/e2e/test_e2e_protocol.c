/* test_e2e_protocol.c: raw protocol lines against a real larderd. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

#define V1          "{\"v\":1,"
#define MAX_LINE    65535 /* bytes before the newline */
#define OFFER_GRAMS 12500

/* The daemon shared by a group of tests and its demo members' tokens. */
struct group {
	struct daemon_ctx *d;
	char *humdum;    /* a coordinator */
	char *stmarys;   /* a plain member */
	char *gascoigne; /* another plain member */
};

/* Starts the demo daemon the group shares and reads three tokens. */
static int
group_setup(void **state)
{
	struct group *g = calloc(1, sizeof *g);

	if (g == NULL)
		return -1;
	g->d = daemon_start("--demo", NULL);
	g->humdum = daemon_token(g->d, "humdum");
	g->stmarys = daemon_token(g->d, "stmarys");
	g->gascoigne = daemon_token(g->d, "gascoigne");
	*state = g;
	return 0;
}

/* Stops the group's daemon and removes its directory. */
static int
group_teardown(void **state)
{
	struct group *g = *state;

	daemon_free(g->d);
	free(g->humdum);
	free(g->stmarys);
	free(g->gascoigne);
	free(g);
	return 0;
}

/* A test of its own: a fresh daemon with no members. */
static int
fresh_setup(void **state)
{
	*state = daemon_start(NULL);
	return 0;
}

/* Stops a test's own daemon and removes its directory. */
static int
fresh_teardown(void **state)
{
	daemon_free(*state);
	return 0;
}

/* Posts dry goods (nobody asks for them) as a member; returns the id. */
static json_int_t
post_offer(struct wire *w)
{
	char use_by[32];
	json_t *r;

	harness_time(use_by, sizeof use_by, 2 * 86400);
	r = wire_call(w,
	    V1 "\"id\":20,\"op\":\"offer.post\",\"category\":"
	       "\"dry\",\"grams\":%d,\"use_by\":\"%s\"}",
	    OFFER_GRAMS, use_by);
	assert_reply_ok(r);
	return json_integer_value(
	    json_object_get(json_object_get(reply_result(r), "offer"), "id"));
}

/* Posts a request for produce on a member's session; returns its id. */
static json_int_t
post_request(struct wire *w)
{
	char by[32];
	json_t *r;

	harness_time(by, sizeof by, 3 * 86400);
	r = wire_call(w,
	    V1 "\"id\":21,\"op\":\"request.post\",\"categories\":"
	       "[\"produce\"],\"grams\":5000,\"by\":\"%s\"}",
	    by);
	assert_reply_ok(r);
	return json_integer_value(
	    json_object_get(json_object_get(reply_result(r), "request"), "id"));
}

/* Returns the state of an offer or request, as the server shows it. */
static const char *
state_of(struct wire *w, const char *noun, json_int_t id)
{
	json_t *r;

	r = wire_call(w, V1 "\"id\":22,\"op\":\"%s.show\",\"%s\":%lld}", noun,
	    noun, (long long)id);
	assert_reply_ok(r);
	return json_string_value(
	    json_object_get(json_object_get(reply_result(r), noun), "state"));
}

/* Lines that are not JSON requests get bad_json; the session goes on. */
static void
test_e2e_bad_json_keeps_session(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	r = wire_call(w, V1 "\"id\":5,\"op\":");
	assert_reply_error(r, "bad_json");
	assert_reply_id(r, -1);
	assert_reply_error(wire_call(w, "[1,2]"), "bad_json");
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":1,\"id\":2,\"op\":"
	                          "\"status\"}"),
	    "bad_json");
	r = wire_call(w, V1 "\"id\":6,\"op\":\"status\"}");
	assert_reply_ok(r);
	assert_reply_id(r, 6);
	wire_close(w);
}

/* A missing or other protocol version gets bad_version. */
static void
test_e2e_bad_version(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	r = wire_call(w, "{\"v\":2,\"id\":7,\"op\":\"status\"}");
	assert_reply_error(r, "bad_version");
	assert_reply_id(r, 7);
	assert_reply_error(wire_call(w, "{\"id\":8,\"op\":\"status\"}"),
	    "bad_version");
	assert_reply_error(wire_call(w,
	                       "{\"v\":\"1\",\"id\":9,\"op\":"
	                       "\"status\"}"),
	    "bad_version");
	assert_reply_ok(wire_call(w, V1 "\"id\":10,\"op\":\"status\"}"));
	wire_close(w);
}

/* An operation protocol v1 lacks gets unknown_op, named in the message. */
static void
test_e2e_unknown_op(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	r = wire_call(w, V1 "\"id\":11,\"op\":\"offer.eat\"}");
	assert_reply_error(r, "unknown_op");
	assert_reply_id(r, 11);
	assert_has(reply_message(r), "offer.eat");
	wire_close(w);
}

/* An argument of the wrong type is refused by name. */
static void
test_e2e_invalid_argument_wrong_type(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	r = wire_call(w, V1 "\"id\":12,\"op\":\"offer.show\",\"offer\":\"1\"}");
	assert_reply_error(r, "invalid_argument");
	assert_has(reply_message(r), "\"offer\"");
	r = wire_call(w, V1 "\"id\":13,\"op\":\"offer.list\",\"mine\":1}");
	assert_reply_error(r, "invalid_argument");
	assert_has(reply_message(r), "\"mine\"");
	wire_close(w);
}

/* A missing required argument is refused by name. */
static void
test_e2e_invalid_argument_missing_required(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->stmarys);
	json_t *r;

	r = wire_call(w, V1 "\"id\":14,\"op\":\"member.show\"}");
	assert_reply_error(r, "invalid_argument");
	assert_has(reply_message(r), "\"handle\"");
	r = wire_call(w,
	    V1 "\"id\":15,\"op\":\"offer.post\",\"category\":"
	       "\"dry\"}");
	assert_reply_error(r, "invalid_argument");
	assert_has(reply_message(r), "\"grams\"");
	wire_close(w);
}

/* An argument the operation does not take is refused by name. */
static void
test_e2e_invalid_argument_unknown_field(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	r = wire_call(w, V1 "\"id\":16,\"op\":\"status\",\"colour\":\"red\"}");
	assert_reply_error(r, "invalid_argument");
	assert_reply_id(r, 16);
	assert_has(reply_message(r), "\"colour\"");
	wire_close(w);
}

/* Strings over their limit are refused by name; at the limit they pass. */
static void
test_e2e_invalid_argument_string_too_long(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->stmarys);
	char note[282], use_by[32];
	json_t *r;

	r = wire_call(w,
	    V1 "\"id\":17,\"op\":\"member.show\",\"handle\":"
	       "\"%033d\"}",
	    0);
	assert_reply_error(r, "invalid_argument");
	assert_has(reply_message(r), "\"handle\"");
	harness_time(use_by, sizeof use_by, 86400);
	memset(note, 'n', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	r = wire_call(w,
	    V1 "\"id\":18,\"op\":\"offer.post\",\"category\":"
	       "\"dry\",\"grams\":1000,\"use_by\":\"%s\",\"note\":\"%s\"}",
	    use_by, note);
	assert_reply_error(r, "invalid_argument");
	assert_has(reply_message(r), "\"note\"");
	note[280] = '\0';
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":19,\"op\":\"offer.post\","
	       "\"category\":\"dry\",\"grams\":1000,\"use_by\":\"%s\","
	       "\"note\":\"%s\"}",
	    use_by, note));
	wire_close(w);
}

/* On TCP nothing but hello works until hello succeeds. */
static void
test_e2e_unauthenticated_before_hello(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_tcp(g->d);
	json_t *r;

	r = wire_call(w, V1 "\"id\":30,\"op\":\"status\"}");
	assert_reply_error(r, "unauthenticated");
	assert_reply_id(r, 30);
	assert_reply_error(wire_call(w, V1 "\"id\":31,\"op\":\"offer.list\"}"),
	    "unauthenticated");
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":32,\"op\":\"hello\","
	       "\"token\":\"%s\"}",
	    g->stmarys));
	assert_reply_ok(wire_call(w, V1 "\"id\":33,\"op\":\"status\"}"));
	wire_close(w);
}

/* An unknown token is refused and leaves the session unauthenticated. */
static void
test_e2e_unauthenticated_wrong_token(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_tcp(g->d);
	json_t *r;

	r = wire_call(w,
	    V1 "\"id\":34,\"op\":\"hello\",\"token\":\"ldr_%064d\"}", 0);
	assert_reply_error(r, "unauthenticated");
	assert_reply_error(wire_call(w, V1 "\"id\":35,\"op\":\"status\"}"),
	    "unauthenticated");
	wire_close(w);
}

/* A failed hello forgets the member the session acted for before. */
static void
test_e2e_failed_hello_forgets_member(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->stmarys);

	assert_reply_ok(wire_call(w, V1 "\"id\":38,\"op\":\"status\"}"));
	assert_reply_error(
	    wire_call(w,
	        V1 "\"id\":39,\"op\":\"hello\",\"token\":\"ldr_%064d\"}", 0),
	    "unauthenticated");
	assert_reply_error(wire_call(w, V1 "\"id\":40,\"op\":\"status\"}"),
	    "unauthenticated");
	wire_close(w);
}

/* On TCP, hello without a token is refused. */
static void
test_e2e_unauthenticated_hello_without_token(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_tcp(g->d);

	assert_reply_error(wire_call(w,
	                       V1 "\"id\":36,\"op\":\"hello\","
	                          "\"client\":\"e2e\"}"),
	    "unauthenticated");
	assert_reply_error(wire_call(w, V1 "\"id\":37,\"op\":\"status\"}"),
	    "unauthenticated");
	wire_close(w);
}

/* A member cannot withdraw another member's offer. */
static void
test_e2e_forbidden_withdraw_others_offer(void **state)
{
	struct group *g = *state;
	struct wire *donor = wire_member(g->d, g->humdum);
	struct wire *other = wire_member(g->d, g->stmarys);
	json_int_t id = post_offer(donor);
	json_t *r;

	r = wire_call(other,
	    V1 "\"id\":40,\"op\":\"offer.withdraw\","
	       "\"offer\":%lld}",
	    (long long)id);
	assert_reply_error(r, "forbidden");
	assert_has(reply_message(r), "belongs to humdum");
	assert_string_equal(state_of(other, "offer", id), "open");
	wire_close(donor);
	wire_close(other);
}

/* A member cannot cancel another member's request. */
static void
test_e2e_forbidden_cancel_others_request(void **state)
{
	struct group *g = *state;
	struct wire *asker = wire_member(g->d, g->stmarys);
	struct wire *other = wire_member(g->d, g->gascoigne);
	json_int_t id = post_request(asker);
	json_t *r;

	r = wire_call(other,
	    V1 "\"id\":41,\"op\":\"request.cancel\","
	       "\"request\":%lld}",
	    (long long)id);
	assert_reply_error(r, "forbidden");
	assert_has(reply_message(r), "belongs to stmarys");
	assert_string_equal(state_of(other, "request", id), "open");
	wire_close(asker);
	wire_close(other);
}

/* Adding members is for coordinators; nothing is added. */
static void
test_e2e_forbidden_member_add_by_plain_member(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->stmarys);
	json_t *r;

	r = wire_call(w,
	    V1
	    "\"id\":42,\"op\":\"member.add\",\"handle\":"
	    "\"sneaky\",\"name\":\"Sneaky\",\"hub\":\"barking\",\"people\":1,"
	    "\"storage\":[\"ambient\"]}");
	assert_reply_error(r, "forbidden");
	assert_has(reply_message(r), "coordinators");
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":43,\"op\":\"member.show\","
	                          "\"handle\":\"sneaky\"}"),
	    "not_found");
	wire_close(w);
}

/* A coordinator may add a member and gets its token. */
static void
test_e2e_coordinator_may_add_member(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->humdum);
	json_t *r;

	r = wire_call(w,
	    V1 "\"id\":44,\"op\":\"member.add\",\"handle\":"
	       "\"newpantry\",\"name\":\"New Pantry\",\"hub\":\"barking\","
	       "\"people\":10,\"storage\":[\"ambient\"]}");
	assert_reply_ok(r);
	assert_has(json_string_value(json_object_get(reply_result(r), "token")),
	    "ldr_");
	wire_close(w);
}

/* Only the administrator may act as another member. */
static void
test_e2e_forbidden_hello_as_by_member(void **state)
{
	struct group *g = *state;
	struct wire *anon = wire_tcp(g->d);
	struct wire *member = wire_member(g->d, g->stmarys);
	json_t *r;

	r = wire_call(anon, V1 "\"id\":45,\"op\":\"hello\",\"as\":\"humdum\"}");
	assert_reply_error(r, "forbidden");
	assert_reply_error(wire_call(anon, V1 "\"id\":46,\"op\":\"status\"}"),
	    "unauthenticated");
	r = wire_call(member,
	    V1 "\"id\":47,\"op\":\"hello\",\"as\":"
	       "\"humdum\"}");
	assert_reply_error(r, "forbidden");
	wire_close(anon);
	wire_close(member);
}

/* The administrator posts food only when acting as a member. */
static void
test_e2e_forbidden_admin_acting_for_nobody(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	char use_by[32];
	json_t *r;

	harness_time(use_by, sizeof use_by, 86400);
	r = wire_call(w,
	    V1 "\"id\":48,\"op\":\"offer.post\",\"category\":"
	       "\"dry\",\"grams\":1000,\"use_by\":\"%s\"}",
	    use_by);
	assert_reply_error(r, "forbidden");
	assert_has(reply_message(r), "acts for a member");
	r = wire_call(w, V1 "\"id\":49,\"op\":\"hello\",\"as\":\"gascoigne\"}");
	assert_reply_ok(r);
	assert_string_equal(
	    json_string_value(json_object_get(reply_result(r), "role")),
	    "admin");
	r = wire_call(w,
	    V1 "\"id\":50,\"op\":\"offer.post\",\"category\":"
	       "\"dry\",\"grams\":1000,\"use_by\":\"%s\"}",
	    use_by);
	assert_reply_ok(r);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(reply_result(r), "offer"), "donor")),
	    "gascoigne");
	wire_close(w);
}

/* Offers, requests and members that do not exist are not_found. */
static void
test_e2e_not_found(void **state)
{
	struct group *g = *state;
	struct wire *admin = wire_unix(g->d);
	struct wire *member = wire_member(g->d, g->stmarys);
	json_t *r;

	r = wire_call(member,
	    V1 "\"id\":51,\"op\":\"offer.show\","
	       "\"offer\":999999}");
	assert_reply_error(r, "not_found");
	assert_has(reply_message(r), "999999");
	assert_reply_error(wire_call(member,
	                       V1 "\"id\":52,\"op\":"
	                          "\"request.show\",\"request\":999999}"),
	    "not_found");
	assert_reply_error(wire_call(member,
	                       V1 "\"id\":53,\"op\":"
	                          "\"offer.withdraw\",\"offer\":999999}"),
	    "not_found");
	assert_reply_error(wire_call(member,
	                       V1 "\"id\":54,\"op\":"
	                          "\"request.cancel\",\"request\":999999}"),
	    "not_found");
	assert_reply_error(wire_call(member,
	                       V1 "\"id\":55,\"op\":"
	                          "\"member.show\",\"handle\":\"nobody\"}"),
	    "not_found");
	assert_reply_error(wire_call(admin,
	                       V1 "\"id\":56,\"op\":\"hello\","
	                          "\"as\":\"nobody\"}"),
	    "not_found");
	wire_close(admin);
	wire_close(member);
}

/* An offer withdrawn once cannot be withdrawn again. */
static void
test_e2e_conflict_withdraw_twice(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->humdum);
	json_int_t id = post_offer(w);
	json_t *r;

	assert_reply_ok(wire_call(w,
	    V1 "\"id\":60,\"op\":\"offer.withdraw\","
	       "\"offer\":%lld}",
	    (long long)id));
	r = wire_call(w,
	    V1 "\"id\":61,\"op\":\"offer.withdraw\",\"offer\":"
	       "%lld}",
	    (long long)id);
	assert_reply_error(r, "conflict");
	assert_has(reply_message(r), "withdrawn");
	wire_close(w);
}

/* A request cancelled once cannot be cancelled again. */
static void
test_e2e_conflict_cancel_twice(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->gascoigne);
	json_int_t id = post_request(w);

	assert_reply_ok(wire_call(w,
	    V1 "\"id\":62,\"op\":\"request.cancel\","
	       "\"request\":%lld}",
	    (long long)id));
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":63,\"op\":"
	                          "\"request.cancel\",\"request\":%lld}",
	                       (long long)id),
	    "conflict");
	wire_close(w);
}

/* A handle already taken cannot be added again. */
static void
test_e2e_conflict_existing_handle(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	r = wire_call(w,
	    V1 "\"id\":64,\"op\":\"member.add\",\"handle\":"
	       "\"humdum\",\"name\":\"Again\",\"hub\":\"barking\",\"people\":1,"
	       "\"storage\":[\"ambient\"]}");
	assert_reply_error(r, "conflict");
	assert_has(reply_message(r), "already exists");
	wire_close(w);
}

/* Builds a status request padded with spaces to exactly len bytes. */
static char *
padded_status(size_t len)
{
	static const char head[] = V1 "\"id\":70,\"op\":\"status\"";
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	memset(buf, ' ', len);
	memcpy(buf, head, sizeof head - 1);
	buf[len - 1] = '}';
	buf[len] = '\0';
	return buf;
}

/* A line of exactly 65535 bytes before its newline is accepted. */
static void
test_e2e_longest_line_accepted(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	char *line = padded_status(MAX_LINE);
	json_t *r;

	wire_send(w, line, MAX_LINE);
	wire_send(w, "\n", 1);
	r = wire_recv(w);
	assert_reply_ok(r);
	assert_reply_id(r, 70);
	free(line);
	wire_close(w);
}

/* A line over the limit gets one too_large error, then the session ends. */
static void
test_e2e_too_large_closes_session(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	char *line = padded_status(MAX_LINE + 1);
	json_t *r;

	/* No newline: the server cannot know the line ends, and must not
	 * wait for one. */
	wire_send(w, line, MAX_LINE + 1);
	r = wire_recv(w);
	assert_reply_error(r, "too_large");
	assert_reply_id(r, -1);
	assert_int_equal(wire_closed(w), 1);
	free(line);
	wire_close(w);
}

/* A raw NUL byte gets one bad_json error, then the session ends. */
static void
test_e2e_nul_byte_closes_session(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	static const char line[] = V1 "\"id\":71,\"op\":\"sta\0tus\"}\n";

	wire_send(w, line, sizeof line - 1);
	assert_reply_error(wire_recv(w), "bad_json");
	assert_int_equal(wire_closed(w), 1);
	wire_close(w);
	w = wire_unix(g->d);
	wire_send(w, "\0\1\2\3\n", 5);
	assert_reply_error(wire_recv(w), "bad_json");
	assert_int_equal(wire_closed(w), 1);
	wire_close(w);
}

/* Bytes that are not UTF-8 get one bad_json error, then the session ends. */
static void
test_e2e_invalid_utf8_closes_session(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	static const char line[] = V1 "\"id\":72,\"op\":\"\xff\xfe\"}\n";
	json_t *r;

	wire_send(w, line, sizeof line - 1);
	r = wire_recv(w);
	assert_reply_error(r, "bad_json");
	assert_reply_id(r, -1);
	assert_int_equal(wire_closed(w), 1);
	wire_close(w);
}

/* Appends one pipelined request with this id to buf at *off. */
static void
pipeline_line(char *buf, size_t len, size_t *off, int i, const char *use_by)
{
	int n, id = 1000 + 7 * i;

	if (i % 3 == 0)
		n = snprintf(buf + *off, len - *off,
		    V1 "\"id\":%d,\"op\":"
		       "\"offer.post\",\"category\":\"dry\",\"grams\":%d,"
		       "\"use_by\":\"%s\"}\n",
		    id, 100 + i, use_by);
	else if (i % 3 == 1)
		n = snprintf(buf + *off, len - *off,
		    V1 "\"id\":%d,\"op\":"
		       "\"status\"}\n",
		    id);
	else
		n = snprintf(buf + *off, len - *off,
		    V1 "\"id\":%d,\"op\":"
		       "\"offer.show\",\"offer\":999999}\n",
		    id);
	assert_true(n > 0 && (size_t)n < len - *off);
	*off += (size_t)n;
}

/* Requests sent in one write are all answered, in order, ids matching. */
static void
test_e2e_pipelined_requests_answered_in_order(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_tcp(g->d);
	char buf[16384], use_by[32];
	size_t off = 0;
	int i, n = 60;
	json_t *r;

	harness_time(use_by, sizeof use_by, 86400);
	off = (size_t)snprintf(buf, sizeof buf,
	    V1 "\"id\":999,\"op\":"
	       "\"hello\",\"token\":\"%s\"}\n",
	    g->stmarys);
	for (i = 0; i < n; i++)
		pipeline_line(buf, sizeof buf, &off, i, use_by);
	wire_send(w, buf, off);
	assert_reply_ok(wire_recv(w));
	for (i = 0; i < n; i++) {
		r = wire_recv(w);
		assert_reply_id(r, 1000 + 7 * i);
		if (i % 3 == 2)
			assert_reply_error(r, "not_found");
		else
			assert_reply_ok(r);
	}
	wire_close(w);
}

/*
 * larderd reads each socket itself, a bounded amount a wakeup: a request
 * that arrives a few bytes at a time is still one request, and a burst
 * larger than one read is answered whole and in order.
 */
static void
test_e2e_reads_in_pieces_and_bursts(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_member(g->d, g->stmarys);
	static const char piece[] = V1 "\"id\":41,\"op\":\"status\"}\n";
	size_t off, cap = 64 * 1024, len = 0;
	char *buf;
	int i, n = 1100;
	json_t *r;

	for (off = 0; off < sizeof piece - 1; off += 5) {
		wire_send(w, piece + off,
		    sizeof piece - 1 - off < 5 ? sizeof piece - 1 - off : 5);
		usleep(2000);
	}
	r = wire_recv(w);
	assert_reply_id(r, 41);
	assert_reply_ok(r);
	buf = malloc(cap);
	assert_non_null(buf);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    V1 "\"id\":%d,\"op\":\"status\"}\n", 5000 + i);
	assert_true(len > 2 * 16384 && len < cap);
	wire_send(w, buf, len);
	free(buf);
	for (i = 0; i < n; i++) {
		r = wire_recv(w);
		assert_reply_id(r, 5000 + i);
		assert_reply_ok(r);
	}
	wire_close(w);
}

/* Replies carry the request's id, or null when it had no usable one. */
static void
test_e2e_ids_echoed(void **state)
{
	struct group *g = *state;
	struct wire *w = wire_unix(g->d);
	json_t *r;

	assert_reply_id(wire_call(w, V1 "\"id\":0,\"op\":\"status\"}"), 0);
	assert_reply_id(wire_call(w,
	                    V1 "\"id\":9007199254740992,\"op\":"
	                       "\"status\"}"),
	    9007199254740992LL);
	assert_reply_id(wire_call(w, V1 "\"id\":123456,\"op\":\"nope\"}"),
	    123456);
	r = wire_call(w, V1 "\"op\":\"status\"}");
	assert_reply_ok(r);
	assert_reply_id(r, -1);
	r = wire_call(w, V1 "\"id\":\"7\",\"op\":\"status\"}");
	assert_reply_error(r, "invalid_argument");
	assert_reply_id(r, -1);
	assert_reply_id(wire_call(w,
	                    V1 "\"id\":9007199254740993,\"op\":"
	                       "\"status\"}"),
	    -1);
	assert_reply_id(wire_call(w, V1 "\"id\":1.5,\"op\":\"status\"}"), -1);
	assert_reply_id(wire_call(w, V1 "\"id\":-1,\"op\":\"status\"}"), -1);
	wire_close(w);
}

/* Sends bytes on a new connection and hangs up without reading. */
static void
hit_and_run(struct daemon_ctx *d, const char *bytes, size_t len)
{
	struct wire *w = wire_unix(d);

	if (len > 0)
		wire_send(w, bytes, len);
	wire_close(w);
}

/* Sends a line far over the limit with more after it, and hangs up. */
static void
flood(struct daemon_ctx *d)
{
	struct wire *w = wire_tcp(d);
	size_t len = 3 * (MAX_LINE + 1);
	char *buf = malloc(len);

	assert_non_null(buf);
	memset(buf, '{', len);
	buf[MAX_LINE + 10] = '\n';
	wire_send(w, buf, len);
	free(buf);
	wire_close(w);
}

/* After all a client can throw at it, the daemon still answers. */
static void
test_e2e_daemon_survives_abuse(void **state)
{
	struct group *g = *state;
	struct wire *w;
	char batch[4096];
	size_t off = 0;
	int i;

	for (i = 0; i < 20; i++)
		hit_and_run(g->d, NULL, 0);
	hit_and_run(g->d, V1 "\"id\":1,\"op\":\"sta", 23);
	hit_and_run(g->d, "\n\r\n\n\xc3\x28\n\0\0\0", 10);
	flood(g->d);
	for (i = 0; i < 30; i++)
		off += (size_t)snprintf(batch + off, sizeof batch - off,
		    V1 "\"id\":%d,\"op\":\"status\"}\n", i);
	hit_and_run(g->d, batch, off);
	w = wire_tcp(g->d);
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":1,\"op\":\"hello\","
	                          "\"token\":\"%0200d\"}",
	                       0),
	    "invalid_argument");
	wire_close(w);
	w = wire_unix(g->d);
	assert_reply_error(wire_call(w, "%s", ""), "bad_json");
	assert_reply_ok(wire_call(w, V1 "\"id\":2,\"op\":\"status\"}\r"));
	wire_close(w);
	assert_true(daemon_alive(g->d));
	w = wire_member(g->d, g->gascoigne);
	assert_reply_ok(wire_call(w, V1 "\"id\":3,\"op\":\"status\"}"));
	wire_close(w);
}

/* Adds a member through the administrator and returns its token. */
static char *
add_member(struct daemon_ctx *d, const char *handle)
{
	struct wire *w = wire_unix(d);
	json_t *r;
	char *token;

	r = wire_call(w,
	    V1 "\"id\":80,\"op\":\"member.add\",\"handle\":\"%s\","
	       "\"name\":\"Test Pantry\",\"hub\":\"barking\",\"people\":25,"
	       "\"storage\":[\"ambient\",\"chilled\"]}",
	    handle);
	assert_reply_ok(r);
	token = strdup(
	    json_string_value(json_object_get(reply_result(r), "token")));
	assert_non_null(token);
	wire_close(w);
	return token;
}

/*
 * Makes five logged changes: a member joins (1), posts an offer (2) and
 * a request (3), withdraws the offer (4) and cancels the request (5).
 */
static void
make_changes(struct daemon_ctx *d)
{
	char *token = add_member(d, "pantry");
	struct wire *w = wire_member(d, token);
	json_int_t offer = post_offer(w), request = post_request(w);

	assert_reply_ok(wire_call(w,
	    V1 "\"id\":81,\"op\":\"offer.withdraw\","
	       "\"offer\":%lld}",
	    (long long)offer));
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":82,\"op\":\"request.cancel\","
	       "\"request\":%lld}",
	    (long long)request));
	wire_close(w);
	free(token);
}

/* An ok reply means committed: the offers outlive a SIGKILL. */
static void
test_e2e_ok_reply_is_durable(void **state)
{
	struct daemon_ctx *d = *state;
	char *token = add_member(d, "pantry");
	struct wire *w = wire_member(d, token);
	json_int_t ids[10];
	json_t *r;
	size_t i;

	for (i = 0; i < 10; i++)
		ids[i] = post_offer(w);
	/* Killed, not stopped: nothing gets a chance to flush. */
	daemon_kill(d);
	wire_close(w);
	daemon_restart(d);
	w = wire_member(d, token);
	for (i = 0; i < 10; i++) {
		r = wire_call(w,
		    V1 "\"id\":83,\"op\":\"offer.show\","
		       "\"offer\":%lld}",
		    (long long)ids[i]);
		assert_reply_ok(r);
		assert_int_equal(
		    json_integer_value(json_object_get(
		        json_object_get(reply_result(r), "offer"), "grams")),
		    OFFER_GRAMS);
	}
	wire_close(w);
	free(token);
}

/* Asks the daemon to verify its exchange log; the result is borrowed. */
static json_t *
log_verify(struct wire *w)
{
	json_t *r = wire_call(w, V1 "\"id\":84,\"op\":\"log.verify\"}");

	assert_reply_ok(r);
	return reply_result(r);
}

/* The log verifies and counts the events the changes made. */
static void
test_e2e_log_verify_counts_events(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *w;
	json_t *res;

	make_changes(d);
	w = wire_unix(d);
	res = log_verify(w);
	assert_true(json_is_true(json_object_get(res, "ok")));
	assert_int_equal(json_integer_value(json_object_get(res, "events")), 5);
	assert_null(json_object_get(res, "bad_seq"));
	res = reply_result(wire_call(w, V1 "\"id\":85,\"op\":\"status\"}"));
	assert_int_equal(json_integer_value(json_object_get(res, "events")), 5);
	wire_close(w);
}

/* Runs SQL on the stopped daemon's database; returns SQLite's code. */
static int
sql_run(struct daemon_ctx *d, const char *sql, char *msg, size_t len)
{
	sqlite3 *db;
	char *err = NULL;
	int rc;

	assert_int_equal(
	    sqlite3_open_v2(d->db, &db, SQLITE_OPEN_READWRITE, NULL),
	    SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	snprintf(msg, len, "%s", err != NULL ? err : "");
	sqlite3_free(err);
	sqlite3_close(db);
	return rc;
}

/* Reads one integer from a query on the stopped daemon's database. */
static long long
sql_int(struct daemon_ctx *d, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(
	    sqlite3_open_v2(d->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The database's triggers refuse to change or drop logged events. */
static void
test_e2e_log_refuses_update_and_delete(void **state)
{
	struct daemon_ctx *d = *state;
	char msg[256];

	make_changes(d);
	assert_int_equal(daemon_stop(d), 0);
	assert_int_equal(sql_run(d,
	                     "UPDATE events SET at = at + 1 "
	                     "WHERE seq = 1",
	                     msg, sizeof msg),
	    SQLITE_CONSTRAINT);
	assert_has(msg, "append-only");
	assert_int_equal(
	    sql_run(d, "DELETE FROM events WHERE seq = 5", msg, sizeof msg),
	    SQLITE_CONSTRAINT);
	assert_has(msg, "append-only");
	assert_int_equal(sql_int(d, "SELECT count(*) FROM events"), 5);
	assert_int_equal(sql_int(d,
	                     "SELECT count(*) FROM events WHERE "
	                     "seq = 1 AND at = (SELECT min(at) FROM events)"),
	    1);
}

/* An event changed behind the daemon's back is found by log.verify. */
static void
test_e2e_log_verify_finds_tampered_event(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *w;
	json_t *res;
	long long seq;
	char msg[256];

	make_changes(d);
	assert_int_equal(daemon_stop(d), 0);
	seq = sql_int(d,
	    "SELECT min(seq) FROM events WHERE body LIKE "
	    "'%\"kind\":\"offer.posted\"%'");
	assert_true(seq > 1);
	/* Inflate the donation: the trigger must go first. */
	assert_int_equal(
	    sql_run(d,
	        "DROP TRIGGER events_no_update;"
	        "UPDATE events SET body = replace(body, '\"grams\":12500',"
	        " '\"grams\":125000') WHERE body LIKE '%\"offer.posted\"%'",
	        msg, sizeof msg),
	    SQLITE_OK);
	assert_int_equal(sql_int(d,
	                     "SELECT count(*) FROM events WHERE "
	                     "body LIKE '%\"grams\":125000%'"),
	    1);
	daemon_restart(d);
	w = wire_unix(d);
	res = log_verify(w);
	assert_true(json_is_false(json_object_get(res, "ok")));
	assert_int_equal(json_integer_value(json_object_get(res, "bad_seq")),
	    seq);
	assert_int_equal(json_integer_value(json_object_get(res, "events")),
	    seq - 1);
	assert_has(json_string_value(json_object_get(res, "reason")), "hash");
	wire_close(w);
}

/* Fetches one page of the member's offers; returns the next cursor. */
static json_int_t
offer_page(struct wire *w, json_int_t after, json_int_t *last, size_t *n)
{
	json_t *r, *item, *next;
	size_t i;

	r = wire_call(w,
	    V1 "\"id\":73,\"op\":\"offer.list\",\"mine\":true,"
	       "\"limit\":2,\"after\":%lld}",
	    (long long)after);
	assert_reply_ok(r);
	json_array_foreach(json_object_get(reply_result(r), "offers"), i, item)
	{
		assert_true(
		    json_integer_value(json_object_get(item, "id")) > *last);
		*last = json_integer_value(json_object_get(item, "id"));
		(*n)++;
	}
	assert_true(
	    json_array_size(json_object_get(reply_result(r), "offers")) <= 2);
	next = json_object_get(reply_result(r), "next");
	assert_true(json_is_null(next) || json_integer_value(next) == *last);
	return json_integer_value(next);
}

/* A listing comes in pages whose cursors lead through every item once. */
static void
test_e2e_listing_pages(void **state)
{
	struct daemon_ctx *d = *state;
	char *token = add_member(d, "pager");
	struct wire *w = wire_member(d, token);
	json_int_t after = 0, last = 0;
	size_t i, n = 0;

	for (i = 0; i < 5; i++)
		post_offer(w);
	do
		after = offer_page(w, after, &last, &n);
	while (after != 0);
	assert_int_equal(n, 5);
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":74,\"op\":\"offer.list\","
	                          "\"limit\":0}"),
	    "invalid_argument");
	assert_reply_error(wire_call(w,
	                       V1 "\"id\":75,\"op\":\"offer.list\","
	                          "\"limit\":101}"),
	    "invalid_argument");
	wire_close(w);
	free(token);
}

/* The state of offer id as the first page of offer.list shows it. */
static const char *
listed_state(struct wire *w, json_int_t id, json_t **reply)
{
	json_t *offers, *o;
	size_t i;

	*reply = wire_call(w, V1 "\"id\":76,\"op\":\"offer.list\"}");
	assert_reply_ok(*reply);
	offers = json_object_get(reply_result(*reply), "offers");
	json_array_foreach(offers, i, o)
	{
		if (json_integer_value(json_object_get(o, "id")) == id)
			return json_string_value(json_object_get(o, "state"));
	}
	return NULL;
}

/*
 * Listings keep each offer's text between calls: a change to the offer
 * shows in the next listing all the same, and the reply reads as JSON.
 */
static void
test_e2e_listing_shows_changes(void **state)
{
	struct daemon_ctx *d = *state;
	char *token = add_member(d, "lister");
	struct wire *w = wire_member(d, token);
	json_int_t id = post_offer(w);
	json_t *r;

	assert_string_equal(listed_state(w, id, &r), "open");
	assert_string_equal(listed_state(w, id, &r), "open");
	assert_true(json_is_null(json_object_get(reply_result(r), "next")));
	assert_reply_ok(wire_call(w,
	    V1 "\"id\":77,\"op\":\"offer.withdraw\",\"offer\":%lld}",
	    (long long)id));
	assert_string_equal(listed_state(w, id, &r), "withdrawn");
	wire_close(w);
	free(token);
}

/* A test of its own: a fresh daemon run with this configuration. */
static void
configured_setup(void **state, const char *conf)
{
	struct daemon_ctx *d = daemon_new();
	char path[HARNESS_PATH + 16];
	FILE *f;

	snprintf(path, sizeof path, "%s/larderd.conf", d->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf, f);
	assert_int_equal(fclose(f), 0);
	daemon_run(d, "--config", path, NULL);
	*state = d;
}

/* A test of its own: sessions idle for a second are closed. */
static int
idle_setup(void **state)
{
	configured_setup(state, "[limits]\nidle_timeout = 1\n");
	return 0;
}

/* A test of its own: at most two sessions at once. */
static int
full_setup(void **state)
{
	configured_setup(state, "[limits]\nmax_sessions = 2\n");
	return 0;
}

/* SIGTERM tells every session why it closes, then exits 0. */
static void
test_e2e_sigterm_closes_sessions_and_exits_0(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *w[2] = {wire_unix(d), wire_tcp(d)};
	json_t *ev;
	size_t i;

	assert_reply_ok(wire_call(w[0], V1 "\"id\":90,\"op\":\"status\"}"));
	assert_reply_error(wire_call(w[1], V1 "\"id\":91,\"op\":\"status\"}"),
	    "unauthenticated");
	assert_int_equal(daemon_stop(d), 0);
	for (i = 0; i < 2; i++) {
		ev = wire_next(w[i]);
		assert_non_null(ev);
		assert_string_equal(
		    json_string_value(json_object_get(ev, "event")), "closing");
		assert_has(json_string_value(json_object_get(ev, "reason")),
		    "stopping");
		assert_null(wire_next(w[i]));
		wire_close(w[i]);
	}
}

/* A session idle past idle_timeout is told so and closed. */
static void
test_e2e_idle_session_closed(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *w = wire_tcp(d);
	json_t *ev;

	ev = wire_next(w);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "event")),
	    "closing");
	assert_string_equal(json_string_value(json_object_get(ev, "reason")),
	    "idle timeout");
	assert_null(wire_next(w));
	wire_close(w);
}

/* Past max_sessions a connection gets unavailable and is closed. */
static void
test_e2e_unavailable_when_sessions_full(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *w1 = wire_unix(d), *w2, *w3;
	json_t *r;

	/* A round trip on each: the readiness probe's session is gone. */
	assert_reply_ok(wire_call(w1, V1 "\"id\":92,\"op\":\"status\"}"));
	w2 = wire_unix(d);
	assert_reply_ok(wire_call(w2, V1 "\"id\":93,\"op\":\"status\"}"));
	w3 = wire_tcp(d);
	r = wire_recv(w3);
	assert_reply_error(r, "unavailable");
	assert_reply_id(r, -1);
	assert_int_equal(wire_closed(w3), 1);
	wire_close(w3);
	wire_close(w2);
	assert_reply_ok(wire_call(w1, V1 "\"id\":94,\"op\":\"status\"}"));
	w3 = wire_unix(d);
	assert_reply_ok(wire_call(w3, V1 "\"id\":95,\"op\":\"status\"}"));
	wire_close(w3);
	wire_close(w1);
}

/* A second larderd on the same state directory refuses to start. */
static void
test_e2e_second_daemon_refused(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r = run_larderd(d, NULL);
	struct wire *w;

	assert_int_equal(r->status, 1);
	assert_has(r->err, "another larderd is using this state directory");
	run_free(r);
	w = wire_unix(d);
	assert_reply_ok(wire_call(w, V1 "\"id\":96,\"op\":\"status\"}"));
	wire_close(w);
}

/* The local socket is for the daemon's user and group only. */
static void
test_e2e_socket_mode_0660(void **state)
{
	struct group *g = *state;
	struct stat st;

	assert_int_equal(stat(g->d->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
}

/* Runs the group: shared-daemon tests first, then those with their own. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_bad_json_keeps_session),
	    cmocka_unit_test(test_e2e_bad_version),
	    cmocka_unit_test(test_e2e_unknown_op),
	    cmocka_unit_test(test_e2e_invalid_argument_wrong_type),
	    cmocka_unit_test(test_e2e_invalid_argument_missing_required),
	    cmocka_unit_test(test_e2e_invalid_argument_unknown_field),
	    cmocka_unit_test(test_e2e_invalid_argument_string_too_long),
	    cmocka_unit_test(test_e2e_unauthenticated_before_hello),
	    cmocka_unit_test(test_e2e_unauthenticated_wrong_token),
	    cmocka_unit_test(test_e2e_failed_hello_forgets_member),
	    cmocka_unit_test(test_e2e_unauthenticated_hello_without_token),
	    cmocka_unit_test(test_e2e_forbidden_withdraw_others_offer),
	    cmocka_unit_test(test_e2e_forbidden_cancel_others_request),
	    cmocka_unit_test(test_e2e_forbidden_member_add_by_plain_member),
	    cmocka_unit_test(test_e2e_coordinator_may_add_member),
	    cmocka_unit_test(test_e2e_forbidden_hello_as_by_member),
	    cmocka_unit_test(test_e2e_forbidden_admin_acting_for_nobody),
	    cmocka_unit_test(test_e2e_not_found),
	    cmocka_unit_test(test_e2e_conflict_withdraw_twice),
	    cmocka_unit_test(test_e2e_conflict_cancel_twice),
	    cmocka_unit_test(test_e2e_conflict_existing_handle),
	    cmocka_unit_test(test_e2e_longest_line_accepted),
	    cmocka_unit_test(test_e2e_too_large_closes_session),
	    cmocka_unit_test(test_e2e_nul_byte_closes_session),
	    cmocka_unit_test(test_e2e_invalid_utf8_closes_session),
	    cmocka_unit_test(test_e2e_pipelined_requests_answered_in_order),
	    cmocka_unit_test(test_e2e_reads_in_pieces_and_bursts),
	    cmocka_unit_test(test_e2e_ids_echoed),
	    cmocka_unit_test(test_e2e_socket_mode_0660),
	    cmocka_unit_test(test_e2e_daemon_survives_abuse),
	    cmocka_unit_test_setup_teardown(test_e2e_ok_reply_is_durable,
	        fresh_setup, fresh_teardown),
	    cmocka_unit_test_setup_teardown(test_e2e_log_verify_counts_events,
	        fresh_setup, fresh_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_e2e_log_refuses_update_and_delete, fresh_setup,
	        fresh_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_e2e_log_verify_finds_tampered_event, fresh_setup,
	        fresh_teardown),
	    cmocka_unit_test_setup_teardown(test_e2e_listing_shows_changes,
	        fresh_setup, fresh_teardown),
	    cmocka_unit_test_setup_teardown(test_e2e_listing_pages, fresh_setup,
	        fresh_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_e2e_sigterm_closes_sessions_and_exits_0, fresh_setup,
	        fresh_teardown),
	    cmocka_unit_test_setup_teardown(test_e2e_second_daemon_refused,
	        fresh_setup, fresh_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_e2e_unavailable_when_sessions_full, full_setup,
	        fresh_teardown),
	    cmocka_unit_test_setup_teardown(test_e2e_idle_session_closed,
	        idle_setup, fresh_teardown),
	};

	harness_init();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
