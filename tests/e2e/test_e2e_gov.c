/*
 * test_e2e_gov.c: governance through a real larderd on a manual clock: a
 * rule changed by vote changes the next allocation, a member goes down
 * the sanctions ladder and back up, a dispute reverses a no-show, a new
 * member is admitted by vote, and members cannot do what only votes or
 * coordinators may.
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

#define V1 "{\"v\":1,"

/* The members' tokens: each acts over TCP, as a member really does. */
static const char *const names[] = {"alpha", "bravo", "echo"};
static char tokens[3][128];

/* A member's session with its token, or (NULL) the administrator's. */
static struct wire *
as(struct daemon_ctx *d, const char *handle)
{
	size_t i;

	for (i = 0; handle != NULL && i < 3; i++) {
		if (strcmp(names[i], handle) == 0)
			return wire_member(d, tokens[i]);
	}
	return wire_unix(d);
}

/* Calls and expects ok; returns the result (valid until the next call). */
static json_t *
ok(struct wire *w, const char *fmt, ...)
{
	char line[2048];
	json_t *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	r = wire_call(w, "%s", line);
	assert_reply_ok(r);
	return reply_result(r);
}

static const char *
standing(struct wire *admin, const char *handle)
{
	json_t *r = ok(admin,
	    V1 "\"id\":2,\"op\":\"member.show\",\"handle\":"
	       "\"%s\"}",
	    handle);

	return json_string_value(
	    json_object_get(json_object_get(r, "member"), "standing"));
}

static void
advance(struct wire *admin, long seconds)
{
	ok(admin, V1 "\"id\":3,\"op\":\"clock.advance\",\"seconds\":%ld}",
	    seconds);
}

static char *
now_plus(struct wire *admin, long seconds)
{
	json_t *r = ok(admin, V1 "\"id\":4,\"op\":\"status\"}");
	const char *now = json_string_value(json_object_get(r, "now"));
	static char buf[40];
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof tm);
	sscanf(now, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) + seconds;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Posts a 1 kg loaf from echo, collected within hours; its offer id. */
static json_int_t
loaf(struct daemon_ctx *d, struct wire *admin, long hours)
{
	struct wire *echo = as(d, "echo");
	char start[40], end[40];
	json_t *r;
	json_int_t id;

	snprintf(start, sizeof start, "%s", now_plus(admin, 0));
	snprintf(end, sizeof end, "%s", now_plus(admin, hours * 3600));
	r = ok(echo,
	    V1 "\"id\":5,\"op\":\"offer.post\",\"category\":\"bakery\","
	       "\"grams\":1000,\"divisible\":false,\"best_before\":\"%s\","
	       "\"window_start\":\"%s\",\"window_end\":\"%s\"}",
	    end, start, end);
	id = json_integer_value(
	    json_object_get(json_object_get(r, "offer"), "id"));
	wire_close(echo);
	return id;
}

static int
gov_setup(void **state)
{
	struct daemon_ctx *d;
	struct wire *admin;
	size_t i;

	harness_init();
	d = daemon_start("--clock", "manual", NULL);
	admin = as(d, NULL);
	for (i = 0; i < 3; i++) {
		json_t *r = ok(admin,
		    V1 "\"id\":6,\"op\":\"member.add\","
		       "\"handle\":\"%s\",\"name\":\"%s\",\"hub\":\"barking\","
		       "\"people\":100,\"storage\":[\"ambient\"]}",
		    names[i], names[i]);

		snprintf(tokens[i], sizeof tokens[i], "%s",
		    json_string_value(json_object_get(r, "token")));
	}
	for (i = 0; i < 2; i++) {
		struct wire *w = as(d, names[i]);

		ok(w,
		    V1 "\"id\":7,\"op\":\"request.post\",\"categories\":"
		       "[\"bakery\"],\"grams\":50000,\"by\":\"%s\"}",
		    now_plus(admin, 200 * 86400));
		wire_close(w);
	}
	wire_close(admin);
	*state = d;
	return 0;
}

static int
gov_teardown(void **state)
{
	struct daemon_ctx *d = *state;

	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
	return 0;
}

static int
offer_flash(struct wire *admin, json_int_t offer)
{
	json_t *r = ok(admin,
	    V1 "\"id\":8,\"op\":\"offer.show\",\"offer\":"
	       "%lld}",
	    (long long)offer);

	return json_is_true(
	    json_object_get(json_object_get(r, "offer"), "flash"));
}

/* Members vote fcfs in; the next offer goes to claims, not in turn. */
static void
test_e2e_gov_vote_changes_next_allocation(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *admin = as(d, NULL), *alpha = as(d, "alpha");
	struct wire *bravo = as(d, "bravo");
	json_t *r;

	assert_false(offer_flash(admin, loaf(d, admin, 48)));
	r = ok(alpha,
	    V1 "\"id\":9,\"op\":\"proposal.open\",\"kind\":\"rule\","
	       "\"key\":\"policy\",\"value\":\"fcfs\",\"why\":\"try the old "
	       "way\"}");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(r, "proposal"), "state")),
	    "open");
	ok(alpha,
	    V1 "\"id\":10,\"op\":\"proposal.vote\",\"proposal\":1,"
	       "\"choice\":\"yes\"}");
	ok(bravo,
	    V1 "\"id\":11,\"op\":\"proposal.vote\",\"proposal\":1,"
	       "\"choice\":\"yes\"}");
	assert_reply_error(
	    wire_call(bravo,
	        V1 "\"id\":12,\"op\":"
	           "\"proposal.vote\",\"proposal\":1,\"choice\":\"no\"}"),
	    "conflict");
	assert_true(
	    strcmp(json_string_value(json_object_get(
	               json_array_get(
	                   json_object_get(
	                       ok(admin, V1 "\"id\":13,\"op\":\"rules.show\"}"),
	                       "rules"),
	                   0),
	               "value")),
	        "fairshare") == 0);
	advance(admin, 4 * 86400);
	r = ok(admin, V1 "\"id\":14,\"op\":\"proposal.show\",\"proposal\":1}");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(r, "proposal"), "state")),
	    "passed");
	assert_true(offer_flash(admin, loaf(d, admin, 48)));
	/* Back to fairshare for the tests that follow. */
	ok(alpha,
	    V1 "\"id\":15,\"op\":\"proposal.open\",\"kind\":\"rule\","
	       "\"key\":\"policy\",\"value\":\"fairshare\",\"why\":\"back\"}");
	ok(alpha,
	    V1 "\"id\":16,\"op\":\"proposal.vote\",\"proposal\":2,"
	       "\"choice\":\"yes\"}");
	advance(admin, 4 * 86400);
	wire_close(alpha);
	wire_close(bravo);
	wire_close(admin);
}

/* bravo claims a loaf and never comes: one more no-show. */
static json_int_t
no_show(struct daemon_ctx *d, struct wire *admin)
{
	struct wire *bravo = as(d, "bravo"), *echo = as(d, "echo");
	json_int_t offer = loaf(d, admin, 2), match;
	json_t *r;

	r = ok(bravo, V1 "\"id\":17,\"op\":\"offer.claim\",\"offer\":%lld}",
	    (long long)offer);
	match = json_integer_value(
	    json_object_get(json_object_get(r, "match"), "id"));
	advance(admin, 3 * 3600);
	ok(echo, V1 "\"id\":18,\"op\":\"match.noshow\",\"match\":%lld}",
	    (long long)match);
	wire_close(bravo);
	wire_close(echo);
	return match;
}

/* Down the ladder with no-shows, a dispute, then back up with time. */
static void
test_e2e_gov_ladder_and_dispute(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *admin = as(d, NULL), *bravo, *echo;
	json_int_t last;
	json_t *r;

	no_show(d, admin);
	assert_string_equal(standing(admin, "bravo"), "good");
	no_show(d, admin);
	assert_string_equal(standing(admin, "bravo"), "warning");
	last = no_show(d, admin);
	assert_string_equal(standing(admin, "bravo"), "restricted");

	/* The last one was a mistake: bravo disputes, echo accepts. */
	bravo = as(d, "bravo");
	echo = as(d, "echo");
	r = ok(bravo,
	    V1 "\"id\":19,\"op\":\"dispute.raise\",\"match\":%lld,"
	       "\"reason\":\"noshow\",\"note\":\"we came at 18:55\"}",
	    (long long)last);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(r, "dispute"), "state")),
	    "open");
	assert_reply_error(
	    wire_call(bravo,
	        V1
	        "\"id\":20,\"op\":"
	        "\"dispute.resolve\",\"dispute\":1,\"outcome\":\"no_change\"}"),
	    "forbidden");
	assert_reply_error(wire_call(bravo,
	                       V1 "\"id\":21,\"op\":"
	                          "\"dispute.accept\",\"dispute\":1}"),
	    "forbidden");
	ok(echo, V1 "\"id\":22,\"op\":\"dispute.accept\",\"dispute\":1}");
	r = ok(admin, V1 "\"id\":23,\"op\":\"match.show\",\"match\":%lld}",
	    (long long)last);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(r, "match"), "state")),
	    "collected");
	assert_string_equal(standing(admin, "bravo"), "warning");

	/* A clean month brings bravo back to good. */
	advance(admin, 31 * 86400);
	assert_string_equal(standing(admin, "bravo"), "good");
	wire_close(bravo);
	wire_close(echo);
	wire_close(admin);
}

/* The log tells the story of the votes, sanctions and the dispute. */
static void
test_e2e_gov_logged(void **state)
{
	struct daemon_ctx *d = *state;
	const char *argv[] = {"--socket", d->sock, "log", "export", NULL};
	struct run *r = run_larder(d, NULL, argv);

	assert_exit(r, 0);
	assert_has(r->out, "\"kind\":\"proposal.closed\"");
	assert_has(r->out, "\"outcome\":\"passed\"");
	assert_has(r->out, "\"kind\":\"rule.changed\"");
	assert_has(r->out, "\"to\":\"restricted\"");
	assert_has(r->out, "\"kind\":\"dispute.settled\"");
	assert_has(r->out, "\"reverses_no_show\":true");
	run_free(r);
}

/* A member cannot set rules or the clock directly, or resolve. */
static void
test_e2e_gov_roles(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *alpha = as(d, "alpha");
	struct wire *tcp = wire_tcp(d);

	assert_reply_error(wire_call(alpha,
	                       V1 "\"id\":24,\"op\":"
	                          "\"clock.advance\",\"seconds\":60}"),
	    "forbidden");
	assert_reply_error(wire_call(alpha,
	                       V1 "\"id\":25,\"op\":"
	                          "\"proposal.open\",\"kind\":\"rule\",\"key\":"
	                          "\"beta\",\"value\":"
	                          "\"7\",\"why\":\"x\"}"),
	    "invalid_argument");
	assert_reply_error(
	    wire_call(tcp,
	        V1 "\"id\":26,\"op\":"
	           "\"proposal.vote\",\"proposal\":1,\"choice\":\"yes\"}"),
	    "unauthenticated");
	wire_close(alpha);
	wire_close(tcp);
}

/* refer names the members whose catchment covers a district. */
static void
test_e2e_gov_refer(void **state)
{
	struct daemon_ctx *d = *state;
	struct wire *admin = as(d, NULL);
	json_t *r;

	ok(admin,
	    V1 "\"id\":27,\"op\":\"member.add\",\"handle\":\"foxtrot\","
	       "\"name\":\"Foxtrot Pantry\",\"hub\":\"barking\",\"people\":50,"
	       "\"storage\":[\"ambient\"],\"catchment\":[\"RM9\",\"IG11\"]}");
	r = ok(admin, V1 "\"id\":28,\"op\":\"refer\",\"district\":\"rm9\"}");
	assert_int_equal(json_array_size(json_object_get(r, "members")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r, "members"), 0), "handle")),
	    "foxtrot");
	r = ok(admin, V1 "\"id\":29,\"op\":\"refer\",\"district\":\"E1\"}");
	assert_int_equal(json_array_size(json_object_get(r, "members")), 0);
	assert_reply_error(wire_call(admin,
	                       V1 "\"id\":30,\"op\":\"refer\","
	                          "\"district\":\"nowhere\"}"),
	    "invalid_argument");
	wire_close(admin);
}

/* The rules exported as a file found a new network with the same rules. */
static void
test_e2e_gov_constitution(void **state)
{
	struct daemon_ctx *d = *state, *fresh;
	char path[HARNESS_PATH + 32];
	const char *argv[] = {"--socket", d->sock, "rules", "export", path,
	    NULL};
	struct wire *a, *b;
	json_t *ra, *rb, *x, *y;
	struct run *r;
	size_t i;

	snprintf(path, sizeof path, "%s/constitution.conf", d->dir);
	r = run_larder(d, NULL, argv);
	assert_exit(r, 0);
	run_free(r);
	fresh = daemon_start("--rules", path, NULL);
	a = as(d, NULL);
	b = wire_unix(fresh);
	ra = json_incref(ok(a, V1 "\"id\":31,\"op\":\"rules.show\"}"));
	rb = ok(b, V1 "\"id\":32,\"op\":\"rules.show\"}");
	json_array_foreach(json_object_get(ra, "rules"), i, x)
	{
		y = json_array_get(json_object_get(rb, "rules"), i);
		assert_string_equal(
		    json_string_value(json_object_get(x, "key")),
		    json_string_value(json_object_get(y, "key")));
		assert_string_equal(
		    json_string_value(json_object_get(x, "value")),
		    json_string_value(json_object_get(y, "value")));
	}
	json_decref(ra);
	wire_close(a);
	wire_close(b);
	assert_int_equal(daemon_stop(fresh), 0);
	daemon_free(fresh);
}

/* Runs the real larder as the administrator, maybe acting for a member. */
static struct run *
cli(struct daemon_ctx *d, const char *as_member, ...)
{
	const char *argv[32];
	size_t n = 0;
	va_list ap;

	argv[n++] = "--socket";
	argv[n++] = d->sock;
	if (as_member != NULL) {
		argv[n++] = "--as";
		argv[n++] = as_member;
	}
	va_start(ap, as_member);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_larder(d, NULL, argv);
}

/* A shared challenge through the client: opened, joined, closed. */
static void
test_e2e_gov_challenge(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r;

	r = cli(d, NULL, "challenge", "open", "Christmas surplus", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "challenge 1: Christmas surplus, open");
	run_free(r);
	r = cli(d, "echo", "offer", "post", "--category", "bakery", "--kg", "3",
	    "--use-by", "+2d", "--challenge", "1", NULL);
	assert_exit(r, 0);
	run_free(r);
	r = cli(d, "echo", "offer", "post", "--category", "bakery", "--kg", "3",
	    "--use-by", "+2d", "--challenge", "9", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "no challenge 9");
	run_free(r);
	r = cli(d, NULL, "challenge", "list", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "Christmas surplus");
	run_free(r);
	r = cli(d, "alpha", "challenge", "close", "1", "--resolved", NULL);
	assert_exit(r, 0);
	run_free(r);
	r = cli(d, NULL, "challenge", "close", "1", "--resolved", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "is closed");
	run_free(r);
}

/* The governance commands print what a member reads. */
static void
test_e2e_gov_client_commands(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r;

	r = cli(d, NULL, "rules", "show", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "policy");
	assert_has(r->out, "proposal 2");
	run_free(r);
	r = cli(d, NULL, "proposal", "list", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "passed");
	run_free(r);
	r = cli(d, NULL, "refer", "RM9", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "foxtrot");
	run_free(r);
	r = cli(d, "bravo", "vote", "1", "maybe", NULL);
	assert_exit(r, 2);
	run_free(r);
}

/* Proposes admitting handle as alpha; the client run. */
static struct run *
propose(struct daemon_ctx *d, const char *handle, const char *people,
    const char *storage)
{
	return cli(d, "alpha", "member", "propose", handle, "--name",
	    "New Pantry", "--hub", "barking", "--people", people, "--storage",
	    storage, "--catchment", "rm10", "--why", "they asked to join",
	    NULL);
}

/* The id in the "proposal N: ..." line a proposal command printed. */
static char *
proposal_id(const struct run *r, char *buf, size_t len)
{
	long long id = 0;

	assert_non_null(strstr(r->out, "proposal "));
	assert_int_equal(
	    sscanf(strstr(r->out, "proposal "), "proposal %lld:", &id), 1);
	snprintf(buf, len, "%lld", id);
	return buf;
}

/* Votes on a proposal as each of the members named, then closes it. */
static void
vote_and_close(struct daemon_ctx *d, const char *id, const char *choice,
    const char *const *voters)
{
	struct run *r;

	for (; *voters != NULL; voters++) {
		r = cli(d, *voters, "vote", id, choice, NULL);
		assert_exit(r, 0);
		run_free(r);
	}
	r = cli(d, NULL, "clock", "advance", "4d", NULL);
	assert_exit(r, 0);
	run_free(r);
}

/* The exchange log's line for golf joining, copied. */
static char *
golf_joined(struct daemon_ctx *d)
{
	struct run *r = cli(d, NULL, "log", "export", NULL);
	char *line, *save = NULL, *found = NULL;

	assert_exit(r, 0);
	for (line = strtok_r(r->out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "\"kind\":\"member.joined\"") != NULL &&
		    strstr(line, "\"member\":\"golf\"") != NULL)
			found = strdup(line);
	}
	run_free(r);
	assert_non_null(found);
	return found;
}

/*
 * Members vote golf in: it exists with no token, a coordinator gives it
 * one, and golf posts an offer over TCP with it.
 */
static void
test_e2e_gov_admit_by_vote(void **state)
{
	static const char *const voters[] = {"alpha", "bravo", "echo", NULL};
	struct daemon_ctx *d = *state;
	struct wire *admin = as(d, NULL);
	char id[32], token[128], hotel[128], *line, *log;
	struct run *r;

	snprintf(hotel, sizeof hotel, "%s",
	    json_string_value(json_object_get(
	        ok(admin,
	            V1 "\"id\":33,\"op\":\"member.add\",\"handle\":"
	               "\"hotel\",\"name\":\"Hotel Hub\",\"hub\":\"barking\","
	               "\"people\":0,\"storage\":[\"ambient\"],"
	               "\"coordinator\":true}"),
	        "token")));
	wire_close(admin);
	r = propose(d, "golf", "60", "ambient,chilled");
	assert_exit(r, 0);
	assert_has(r->out, "admit golf, open until");
	assert_has(r->out, "New Pantry");
	assert_has(r->out, "ambient,chilled");
	assert_has(r->out, "RM10");
	proposal_id(r, id, sizeof id);
	run_free(r);
	r = cli(d, NULL, "proposal", "list", "--open", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "admit     golf");
	run_free(r);
	r = cli(d, NULL, "member", "show", "golf", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "no member \"golf\"");
	run_free(r);

	vote_and_close(d, id, "yes", voters);
	r = cli(d, NULL, "member", "show", "golf", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "golf: New Pantry");
	assert_has(r->out, "60 a week");
	assert_has(r->out, "ambient,chilled");
	assert_has(r->out, "standing     good");
	run_free(r);
	r = cli(d, NULL, "proposal", "show", id, NULL);
	assert_exit(r, 0);
	assert_has(r->out, "admit golf, passed");
	assert_has(r->out, "golf joined with no token");
	assert_has(r->out, "larder member token rotate golf");
	run_free(r);

	/* Nobody was given a token: the log says so, and no token event. */
	log = harness_slurp(d->err_path);
	assert_has(log,
	    "golf admitted, with no token until a coordinator "
	    "runs larder member token rotate golf");
	free(log);
	line = golf_joined(d);
	assert_has(line, "\"actor\":\"larderd\"");
	assert_has(line, "\"proposal\":");
	free(line);

	/* The coordinator hands golf a token; golf offers food over TCP. */
	r = run_member(d, hotel, "member", "token", "rotate", "golf", NULL);
	assert_exit(r, 0);
	assert_non_null(strstr(r->out, "token: ldr_"));
	sscanf(strstr(r->out, "token: "), "token: %127s", token);
	run_free(r);
	r = run_member(d, token, "offer", "post", "--category", "bakery",
	    "--kg", "2", "--use-by", "+2d", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "from golf");
	run_free(r);
}

/* A vote that fails admits nobody. */
static void
test_e2e_gov_admit_rejected(void **state)
{
	static const char *const voters[] = {"alpha", "bravo", NULL};
	struct daemon_ctx *d = *state;
	struct run *r;
	char id[32];

	r = propose(d, "india", "40", "frozen");
	assert_exit(r, 0);
	proposal_id(r, id, sizeof id);
	run_free(r);
	vote_and_close(d, id, "no", voters);
	r = cli(d, NULL, "proposal", "show", id, NULL);
	assert_exit(r, 0);
	assert_has(r->out, "admit india, rejected");
	assert_null(strstr(r->out, "joined"));
	run_free(r);
	r = cli(d, NULL, "member", "show", "india", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "no member \"india\"");
	run_free(r);
}

/* A handle a coordinator took while the vote ran: passed, not applied. */
static void
test_e2e_gov_admit_taken_meanwhile(void **state)
{
	static const char *const voters[] = {"alpha", "bravo", NULL};
	struct daemon_ctx *d = *state;
	struct run *r;
	char id[32];

	r = propose(d, "kilo", "40", "ambient");
	assert_exit(r, 0);
	proposal_id(r, id, sizeof id);
	run_free(r);
	r = cli(d, NULL, "member", "add", "kilo", "--name", "Kilo Direct",
	    "--hub", "barking", "--people", "10", "--storage", "ambient", NULL);
	assert_exit(r, 0);
	run_free(r);
	vote_and_close(d, id, "yes", voters);
	r = cli(d, NULL, "proposal", "show", id, NULL);
	assert_exit(r, 0);
	assert_has(r->out, "admit kilo, passed");
	assert_has(r->out,
	    "not applied  handle \"kilo\" was taken before the vote closed");
	run_free(r);
	r = cli(d, NULL, "member", "show", "kilo", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "kilo: Kilo Direct");
	run_free(r);
}

/* What member add would refuse, a proposal refuses at once, by field. */
static void
test_e2e_gov_admit_refused(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r;

	r = propose(d, "alpha", "40", "ambient");
	assert_exit(r, 1);
	assert_has(r->err, "handle \"alpha\" is taken");
	run_free(r);
	r = propose(d, "lima", "40", "fridge");
	assert_exit(r, 1);
	assert_has(r->err,
	    "storage \"fridge\" is not ambient, chilled or "
	    "frozen");
	run_free(r);
	r = propose(d, "lima", "-3", "ambient");
	assert_exit(r, 1);
	assert_has(r->err, "people must be from 0 to 1000000");
	run_free(r);
	r = propose(d, "lima", "many", "ambient");
	assert_exit(r, 2);
	assert_has(r->err, "--people takes a whole number");
	run_free(r);
	r = propose(d, "Lima!", "40", "ambient");
	assert_exit(r, 1);
	assert_has(r->err, "handle \"Lima!\" must be");
	run_free(r);
	r = cli(d, "alpha", "member", "propose", "lima", "--name", "Lima",
	    "--hub", "barking", "--people", "4", "--why", "x", NULL);
	assert_exit(r, 2);
	assert_has(r->err, "--storage is required");
	run_free(r);

	/* One open proposal per handle. */
	r = propose(d, "lima", "40", "ambient");
	assert_exit(r, 0);
	run_free(r);
	r = propose(d, "lima", "40", "ambient");
	assert_exit(r, 1);
	assert_has(r->err, "already proposes admitting \"lima\"");
	run_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_gov_vote_changes_next_allocation),
	    cmocka_unit_test(test_e2e_gov_ladder_and_dispute),
	    cmocka_unit_test(test_e2e_gov_logged),
	    cmocka_unit_test(test_e2e_gov_roles),
	    cmocka_unit_test(test_e2e_gov_refer),
	    cmocka_unit_test(test_e2e_gov_constitution),
	    cmocka_unit_test(test_e2e_gov_challenge),
	    cmocka_unit_test(test_e2e_gov_client_commands),
	    cmocka_unit_test(test_e2e_gov_admit_by_vote),
	    cmocka_unit_test(test_e2e_gov_admit_rejected),
	    cmocka_unit_test(test_e2e_gov_admit_taken_meanwhile),
	    cmocka_unit_test(test_e2e_gov_admit_refused),
	};

	return cmocka_run_group_tests(tests, gov_setup, gov_teardown);
}
