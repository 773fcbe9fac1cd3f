/*
 * test_e2e_day.c: a day in a five-member network, through a real larderd
 * on a manual clock and the real larder client: a split offer, a
 * decline, a lapse, a flash claim, a no-show, collections, and an expiry
 * that becomes waste; then the log verifies and every match explains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define DAY_ARGS 32

/* The network: three members in barking, two in dagenham. */
static const char *const members[][3] = {
    {"alpha", "barking", "100"},
    {"bravo", "barking", "100"},
    {"charlie", "barking", "100"},
    {"delta", "dagenham", "100"},
    {"echo", "dagenham", "100"},
};

/*
 * Runs larder as the administrator acting for a member (or for nobody
 * when as is NULL) with --json, expects exit 0, and returns the last
 * reply's result (a new reference).
 */
static json_t *
cli(struct daemon_ctx *d, const char *as, ...)
{
	const char *argv[DAY_ARGS];
	struct run *r;
	json_t *reply, *result;
	const char *last;
	size_t n = 0;
	va_list ap;

	argv[n++] = "--socket";
	argv[n++] = d->sock;
	argv[n++] = "--json";
	if (as != NULL) {
		argv[n++] = "--as";
		argv[n++] = as;
	}
	va_start(ap, as);
	while (n < DAY_ARGS - 1 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	r = run_larder(d, NULL, argv);
	assert_exit(r, 0);
	/* --json prints one reply a line; a listing's pages come in order. */
	for (last = r->out;
	     strchr(last, '\n') != NULL && strchr(last, '\n')[1] != '\0';)
		last = strchr(last, '\n') + 1;
	reply = json_loads(last, 0, NULL);
	if (reply == NULL)
		fail_msg("not a JSON reply: %s", r->out);
	result = json_incref(json_object_get(reply, "result"));
	json_decref(reply);
	run_free(r);
	return result;
}

/* Runs larder as a member and expects it to fail with a message. */
static void
cli_fails(struct daemon_ctx *d, const char *as, const char *msg, ...)
{
	const char *argv[DAY_ARGS];
	struct run *r;
	size_t n = 0;
	va_list ap;

	argv[n++] = "--socket";
	argv[n++] = d->sock;
	argv[n++] = "--as";
	argv[n++] = as;
	va_start(ap, msg);
	while (n < DAY_ARGS - 1 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	r = run_larder(d, NULL, argv);
	assert_exit(r, 1);
	assert_has(r->err, msg);
	run_free(r);
}

/* The matches of one offer, every member's, as a new array. */
static json_t *
offer_matches(struct daemon_ctx *d, json_int_t offer)
{
	json_t *res = cli(d, NULL, "match", "list", "--all", NULL);
	json_t *all = json_object_get(res, "matches"), *out = json_array();
	json_t *m;
	size_t i;

	json_array_foreach(all, i, m)
	{
		if (json_integer_value(json_object_get(m, "offer")) == offer)
			json_array_append(out, m);
	}
	json_decref(res);
	return out;
}

/* Finds the match of an offer proposed to a member, in a given state. */
static json_int_t
match_of(struct daemon_ctx *d, json_int_t offer, const char *member,
    const char *state)
{
	json_t *ms = offer_matches(d, offer), *m;
	json_int_t id = 0;
	size_t i;

	json_array_foreach(ms, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "member")),
		        member) == 0 &&
		    strcmp(json_string_value(json_object_get(m, "state")),
		        state) == 0)
			id = json_integer_value(json_object_get(m, "id"));
	}
	json_decref(ms);
	if (id == 0)
		fail_msg("no %s match of offer %lld for %s", state,
		    (long long)offer, member);
	return id;
}

static const char *
match_state(struct daemon_ctx *d, json_int_t id, char *buf, size_t len)
{
	char arg[32];
	json_t *res;

	snprintf(arg, sizeof arg, "%lld", (long long)id);
	res = cli(d, NULL, "match", "show", arg, NULL);
	snprintf(buf, len, "%s",
	    json_string_value(
	        json_object_get(json_object_get(res, "match"), "state")));
	json_decref(res);
	return buf;
}

/* Starts the network: five members, four of them asking for bread. */
static int
day_setup(void **state)
{
	struct daemon_ctx *d;
	json_t *res;
	size_t i;

	harness_init();
	d = daemon_start("--clock", "manual", NULL);
	for (i = 0; i < sizeof members / sizeof members[0]; i++) {
		res = cli(d, NULL, "member", "add", members[i][0], "--name",
		    members[i][0], "--hub", members[i][1], "--people",
		    members[i][2], "--storage", "ambient,chilled", NULL);
		json_decref(res);
	}
	json_decref(cli(d, "alpha", "request", "post", "--categories", "bakery",
	    "--kg", "10", "--by", "+3d", NULL));
	json_decref(cli(d, "bravo", "request", "post", "--categories", "bakery",
	    "--kg", "10", "--by", "+3d", NULL));
	json_decref(cli(d, "delta", "request", "post", "--categories", "bakery",
	    "--kg", "10", "--by", "+3d", NULL));
	*state = d;
	return 0;
}

static int
day_teardown(void **state)
{
	struct daemon_ctx *d = *state;

	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
	return 0;
}

static json_int_t
post_offer(struct daemon_ctx *d, const char *as, ...)
{
	const char *args[DAY_ARGS];
	json_t *res;
	json_int_t id;
	size_t n = 0;
	va_list ap;

	va_start(ap, as);
	while (n < DAY_ARGS - 8 && (args[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	res = cli(d, as, "offer", "post", args[0], args[1], args[2], args[3],
	    args[4], args[5], args[6], args[7], args[8], args[9], NULL);
	id = json_integer_value(
	    json_object_get(json_object_get(res, "offer"), "id"));
	json_decref(res);
	assert_true(id > 0);
	return id;
}

/* The whole day, in order: each step depends on the one before. */
static void
test_e2e_day_of_a_network(void **state)
{
	struct daemon_ctx *d = *state;
	json_t *ms, *m, *res, *reason;
	json_int_t offer, flash, veg, id, delta_match;
	int64_t total = 0;
	char buf[32], arg[32];
	size_t i;

	/* A split offer: dagenham's delta first, the rest to barking. */
	offer = post_offer(d, "echo", "--category", "bakery", "--kg", "12",
	    "--use-by", "+3d", "--collect", "now-+30h", NULL, NULL, NULL);
	ms = offer_matches(d, offer);
	assert_true(json_array_size(ms) >= 2);
	json_array_foreach(ms, i, m)
	{
		total += json_integer_value(json_object_get(m, "grams"));
		assert_true(
		    json_integer_value(json_object_get(m, "grams")) <= 10000);
	}
	assert_int_equal(total, 12000);
	json_decref(ms);
	delta_match = match_of(d, offer, "delta", "proposed");

	/* A decline costs nothing, and the food moves on to charlie. */
	json_decref(cli(d, "charlie", "request", "post", "--categories",
	    "bakery", "--kg", "10", "--by", "+3d", NULL));
	snprintf(arg, sizeof arg, "%lld", (long long)delta_match);
	json_decref(cli(d, "delta", "match", "decline", arg, "--reason",
	    "van broke down", NULL));
	assert_string_equal(match_state(d, delta_match, buf, sizeof buf),
	    "declined");
	id = match_of(d, offer, "charlie", "proposed");

	/* alpha and bravo accept; charlie lets its proposal lapse. */
	snprintf(arg, sizeof arg, "%lld",
	    (long long)match_of(d, offer, "alpha", "proposed"));
	json_decref(cli(d, "alpha", "match", "accept", arg, NULL));
	snprintf(arg, sizeof arg, "%lld",
	    (long long)match_of(d, offer, "bravo", "proposed"));
	json_decref(cli(d, "bravo", "match", "accept", arg, NULL));
	json_decref(cli(d, NULL, "clock", "advance", "5h", NULL));
	assert_string_equal(match_state(d, id, buf, sizeof buf), "lapsed");
	snprintf(arg, sizeof arg, "%lld", (long long)id);
	cli_fails(d, "charlie", "lapsed", "match", "accept", arg, NULL);

	/* Food near its deadline opens to the first claim, at half charge. */
	flash = post_offer(d, "echo", "--category", "bakery", "--kg", "3",
	    "--indivisible", "--use-by", "+3d", "--collect", "now-+2h", NULL);
	snprintf(arg, sizeof arg, "%lld", (long long)flash);
	cli_fails(d, "echo", "none of your open requests", "claim", arg, NULL);
	res = cli(d, "charlie", "claim", arg, NULL);
	m = json_object_get(res, "match");
	assert_true(json_is_true(json_object_get(m, "flash")));
	assert_string_equal(json_string_value(json_object_get(m, "state")),
	    "accepted");
	assert_int_equal(json_integer_value(json_object_get(m, "charge")),
	    1500);
	json_decref(res);
	cli_fails(d, "delta", "not open", "claim", arg, NULL);

	/* Collections: weighed, never more than matched. */
	snprintf(arg, sizeof arg, "%lld",
	    (long long)match_of(d, offer, "alpha", "accepted"));
	cli_fails(d, "alpha", "grams must be", "match", "collected", arg,
	    "--kg", "50", NULL);
	res = cli(d, "alpha", "match", "collected", arg, "--kg", "0.9", NULL);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(res, "match"), "collected_grams")),
	    900);
	json_decref(res);
	json_decref(
	    cli(d, "echo", "match", "collected", arg, "--kg", "0.9", NULL));
	cli_fails(d, "echo", "already confirmed", "match", "collected", arg,
	    "--kg", "0.9", NULL);

	/* bravo never comes: a no-show, but only once the window is over. */
	snprintf(arg, sizeof arg, "%lld",
	    (long long)match_of(d, offer, "bravo", "accepted"));
	cli_fails(d, "echo", "has not ended", "match", "noshow", arg, NULL);
	cli_fails(d, "bravo", "only the donor", "match", "noshow", arg, NULL);
	json_decref(cli(d, NULL, "clock", "advance", "2d", NULL));
	json_decref(cli(d, "echo", "match", "noshow", arg, NULL));
	assert_string_equal(
	    match_state(d, strtoll(arg, NULL, 10), buf, sizeof buf), "no_show");

	/* Vegetables nobody asked for expire into the compost. */
	veg = post_offer(d, "alpha", "--category", "produce", "--kg", "5",
	    "--best-before", "+1d", "--collect", "now-+6h", "--fallback",
	    "compost", NULL);
	json_decref(cli(d, NULL, "clock", "advance", "7h", NULL));
	snprintf(arg, sizeof arg, "%lld", (long long)veg);
	res = cli(d, NULL, "offer", "show", arg, NULL);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(res, "offer"), "state")),
	    "expired");
	json_decref(res);

	/* Every match explains itself; the log holds. */
	res = cli(d, NULL, "match", "list", "--all", NULL);
	assert_true(json_array_size(json_object_get(res, "matches")) >= 6);
	json_array_foreach(json_object_get(res, "matches"), i, m)
	{
		json_t *ex;

		snprintf(arg, sizeof arg, "%lld",
		    (long long)json_integer_value(json_object_get(m, "id")));
		ex = cli(d, NULL, "explain", arg, NULL);
		reason = json_object_get(ex, "reason");
		assert_non_null(
		    json_string_value(json_object_get(reason, "policy")));
		assert_non_null(
		    json_string_value(json_object_get(reason, "why")));
		json_decref(ex);
	}
	json_decref(res);
	res = cli(d, NULL, "log", "verify", NULL);
	assert_true(json_is_true(json_object_get(res, "ok")));
	json_decref(res);
}

/* The day's log records every step, and the waste with its destination. */
static void
test_e2e_day_log_tells_the_story(void **state)
{
	struct daemon_ctx *d = *state;
	const char *argv[] = {"--socket", d->sock, "log", "export", NULL};
	static const char *const kinds[] = {"\"allocation.proposed\"",
	    "\"allocation.declined\"", "\"allocation.accepted\"",
	    "\"allocation.lapsed\"", "\"offer.flash\"",
	    "\"allocation.claimed\"", "\"allocation.collected\"",
	    "\"allocation.confirmed\"", "\"allocation.no_show\"",
	    "\"offer.expired\""};
	struct run *r = run_larder(d, NULL, argv);
	size_t i;

	assert_exit(r, 0);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		assert_has(r->out, kinds[i]);
	assert_has(r->out, "\"cause\":\"unclaimed\"");
	assert_has(r->out, "\"destination\":\"compost\",\"grams\":5000");
	run_free(r);
}

/* The day survives a restart: the engine is rebuilt from the store. */
static void
test_e2e_day_survives_restart(void **state)
{
	struct daemon_ctx *d = *state;
	json_t *before, *after;

	before = cli(d, NULL, "match", "list", "--all", NULL);
	assert_int_equal(daemon_stop(d), 0);
	daemon_restart(d);
	after = cli(d, NULL, "match", "list", "--all", NULL);
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}

/* A member watching sees the food proposed to it, after the commit. */
static void
test_e2e_day_watch_sees_proposals(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *w = wire_unix(d);
	json_t *ev;

	assert_reply_ok(wire_call(w,
	    "{\"v\":1,\"id\":1,\"op\":\"hello\","
	    "\"as\":\"delta\"}"));
	assert_reply_ok(wire_call(w, "{\"v\":1,\"id\":2,\"op\":\"watch\"}"));
	post_offer(d, "echo", "--category", "bakery", "--kg", "2",
	    "--indivisible", "--use-by", "+3d", "--collect", "now-+10h", NULL);
	/* The administrator sees every event: skip to the proposal. */
	while ((ev = wire_next(w)) != NULL &&
	    strcmp(json_string_value(json_object_get(ev, "event")),
	        "allocation.proposed") != 0)
		;
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "member")),
	    "delta");
	assert_int_equal(json_integer_value(json_object_get(ev, "grams")),
	    2000);
	assert_true(json_integer_value(json_object_get(ev, "seq")) > 0);
	wire_close(w);
}

/* The share explain gives a member among a match's candidates. */
static double
explained_share(struct daemon_ctx *d, json_int_t offer, const char *member)
{
	json_t *ms = offer_matches(d, offer), *res, *cand;
	char arg[32];
	double share = -1;
	size_t i;

	assert_int_equal(json_array_size(ms), 1);
	snprintf(arg, sizeof arg, "%lld",
	    (long long)json_integer_value(
	        json_object_get(json_array_get(ms, 0), "id")));
	json_decref(ms);
	res = cli(d, NULL, "explain", arg, NULL);
	json_array_foreach(
	    json_object_get(json_object_get(res, "reason"), "candidates"), i,
	    cand)
	{
		if (strcmp(json_string_value(json_object_get(cand, "member")),
		        member) == 0)
			share = json_real_value(json_object_get(cand, "share"));
	}
	json_decref(res);
	return share;
}

/* giver and third ask for produce; taker offers some; giver's share. */
static double
giver_share(struct daemon_ctx *d)
{
	json_int_t offer;

	json_decref(cli(d, "giver", "request", "post", "--categories",
	    "produce", "--kg", "10", "--by", "+3d", NULL));
	json_decref(cli(d, "third", "request", "post", "--categories",
	    "produce", "--kg", "10", "--by", "+3d", NULL));
	offer = post_offer(d, "taker", "--category", "produce", "--kg", "2",
	    "--use-by", "+3d", "--collect", "now-+30h", "--indivisible", NULL,
	    NULL);
	return explained_share(d, offer, "giver");
}

/*
 * What a member gave that others collected raises its share for 90
 * days, then no more, though the daemon runs on all the while.
 */
static void
test_e2e_day_contributions_trail_90_days(void **state)
{
	struct daemon_ctx *group = *state, *d;
	char path[HARNESS_PATH + 32], arg[32];
	static const char *const who[] = {"giver", "taker", "third"};
	json_int_t offer, match;
	json_t *ms;
	FILE *f;
	size_t i;

	snprintf(path, sizeof path, "%s/beta.conf", group->dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("[rules]\nbeta = 0.5\n", f);
	assert_int_equal(fclose(f), 0);
	d = daemon_start("--clock", "manual", "--rules", path, NULL);
	for (i = 0; i < 3; i++)
		json_decref(cli(d, NULL, "member", "add", who[i], "--name",
		    who[i], "--hub", "barking", "--people", "100", "--storage",
		    "ambient", NULL));
	json_decref(cli(d, "taker", "request", "post", "--categories", "bakery",
	    "--kg", "5", "--by", "+3d", NULL));
	offer = post_offer(d, "giver", "--category", "bakery", "--kg", "5",
	    "--use-by", "+3d", "--collect", "now-+30h", NULL, NULL, NULL);
	ms = offer_matches(d, offer);
	match =
	    json_integer_value(json_object_get(json_array_get(ms, 0), "id"));
	json_decref(ms);
	snprintf(arg, sizeof arg, "%lld", (long long)match);
	json_decref(cli(d, "taker", "match", "accept", arg, NULL));
	json_decref(
	    cli(d, "taker", "match", "collected", arg, "--kg", "5", NULL));
	json_decref(cli(d, NULL, "clock", "advance", "1m", NULL));
	/* Need alone: half each; giving: (0.5 * 0.5 + 0.5 * 1) / 1. */
	assert_float_equal(giver_share(d), 0.75, 0.001);
	json_decref(cli(d, NULL, "clock", "advance", "91d", NULL));
	assert_float_equal(giver_share(d), 0.5, 0.001);
	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_day_of_a_network),
	    cmocka_unit_test(test_e2e_day_log_tells_the_story),
	    cmocka_unit_test(test_e2e_day_survives_restart),
	    cmocka_unit_test(test_e2e_day_watch_sees_proposals),
	    cmocka_unit_test(test_e2e_day_contributions_trail_90_days),
	};

	return cmocka_run_group_tests(tests, day_setup, day_teardown);
}
