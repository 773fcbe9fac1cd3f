/*
 * test_e2e_crash.c: kill larderd with SIGKILL at random points while
 * several members post offers and requests, accept matches and confirm
 * collections; after every kill, every change that got an ok reply must be
 * in the database, nothing may be half applied, the database must pass
 * PRAGMA integrity_check and the exchange log must verify.
 *
 * LARDER_CRASH_CYCLES sets the number of kills (default 60);
 * LARDER_CRASH_SEED the random seed (default: the time, printed).
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
#include <sqlite3.h>

#include "harness.h"

#define V1        "{\"v\":1,"
#define DONORS    2
#define NEEDERS   3
#define PER_BURST 24   /* requests a member pipelines before a kill */
#define MAX_ACKED 8192 /* acknowledged changes kept for checking */

/* What a pipelined request was, to check once its reply says ok. */
enum sent_kind { SENT_OFFER, SENT_REQUEST, SENT_ACCEPT, SENT_COLLECTED };

struct sent {
	enum sent_kind kind;
	json_int_t match; /* for accept and collected */
	json_int_t grams;
};

/* A change the daemon acknowledged: what it made, or which match. */
struct acked {
	enum sent_kind kind;
	json_int_t id;
	json_int_t grams;
};

struct crash {
	struct daemon_ctx *d;
	char *tokens[DONORS + NEEDERS];
	struct acked acked[MAX_ACKED];
	size_t nacked;
	char use_by[40], by[40];
};

static const char *const handles[DONORS + NEEDERS] = {"donor-a", "donor-b",
    "need-a", "need-b", "need-c"};

static char *
add_member(struct daemon_ctx *d, const char *handle)
{
	struct wire *admin = wire_unix(d);
	json_t *r;
	char *token;

	r = wire_call(admin,
	    V1 "\"id\":1,\"op\":\"member.add\",\"handle\":\"%s\","
	       "\"name\":\"%s\",\"hub\":\"barking\",\"people\":80,"
	       "\"storage\":[\"ambient\",\"chilled\"]}",
	    handle, handle);
	assert_reply_ok(r);
	token = strdup(
	    json_string_value(json_object_get(reply_result(r), "token")));
	wire_close(admin);
	return token;
}

/* Appends one request line to buf, remembering what it was as id n. */
static size_t
add_line(char *buf, size_t off, size_t cap, struct sent *sent, size_t n,
    const struct sent *what, const struct crash *cr)
{
	int len = 0;

	sent[n] = *what;
	switch (what->kind) {
	case SENT_OFFER:
		len = snprintf(buf + off, cap - off,
		    V1 "\"id\":%zu,\"op\":\"offer.post\",\"category\":"
		       "\"produce\",\"grams\":%lld,\"use_by\":\"%s\"}\n",
		    n, (long long)what->grams, cr->use_by);
		break;
	case SENT_REQUEST:
		len = snprintf(buf + off, cap - off,
		    V1 "\"id\":%zu,\"op\":\"request.post\",\"categories\":"
		       "[\"produce\"],\"grams\":%lld,\"by\":\"%s\"}\n",
		    n, (long long)what->grams, cr->by);
		break;
	case SENT_ACCEPT:
		len = snprintf(buf + off, cap - off,
		    V1 "\"id\":%zu,\"op\":\"match.accept\",\"match\":%lld}\n",
		    n, (long long)what->match);
		break;
	case SENT_COLLECTED:
		len = snprintf(buf + off, cap - off,
		    V1 "\"id\":%zu,\"op\":\"match.collected\",\"match\":%lld,"
		       "\"grams\":%lld}\n",
		    n, (long long)what->match, (long long)what->grams);
		break;
	}
	assert_true(len > 0 && (size_t)len < cap - off);
	return off + (size_t)len;
}

/* A burst of one member's requests: what it would do next. */
struct burst {
	struct wire *w;
	struct sent sent[PER_BURST];
	size_t n;
	char buf[PER_BURST * 256]; /* the lines, sent at once */
	size_t len;
};

/* A needer's burst: accept proposals, confirm accepted, ask for more. */
static void
needer_burst(struct crash *cr, struct burst *b)
{
	char *buf = b->buf;
	size_t cap = sizeof b->buf;
	json_t *r, *m;
	size_t i, off = 0;
	struct sent s;

	r = wire_call(b->w,
	    V1 "\"id\":0,\"op\":\"match.list\",\"open\":true,\"limit\":100}");
	assert_reply_ok(r);
	b->n = 0;
	json_array_foreach(json_object_get(reply_result(r), "matches"), i, m)
	{
		const char *state =
		    json_string_value(json_object_get(m, "state"));

		if (b->n >= PER_BURST - 2)
			break;
		memset(&s, 0, sizeof s);
		s.match = json_integer_value(json_object_get(m, "id"));
		s.grams = json_integer_value(json_object_get(m, "grams"));
		if (strcmp(state, "proposed") == 0)
			s.kind = SENT_ACCEPT;
		else if (strcmp(state, "accepted") == 0)
			s.kind = SENT_COLLECTED;
		else
			continue;
		off = add_line(buf, off, cap, b->sent, b->n++, &s, cr);
	}
	while (b->n < PER_BURST) {
		memset(&s, 0, sizeof s);
		s.kind = SENT_REQUEST;
		s.grams = 1000 + rand() % 4000;
		off = add_line(buf, off, cap, b->sent, b->n++, &s, cr);
		if (b->n >= 4 && rand() % 2)
			break;
	}
	b->len = off;
}

/* A donor's burst: offers of produce. */
static void
donor_burst(struct crash *cr, struct burst *b)
{
	char *buf = b->buf;
	size_t cap = sizeof b->buf;
	struct sent s;
	size_t off = 0;

	for (b->n = 0; b->n < PER_BURST;) {
		memset(&s, 0, sizeof s);
		s.kind = SENT_OFFER;
		s.grams = 500 + rand() % 6000;
		off = add_line(buf, off, cap, b->sent, b->n++, &s, cr);
	}
	b->len = off;
}

/*
 * Reads replies, up to want of them or until the session ends (after a
 * kill), and keeps the ok ones.
 */
static void
collect_acks(struct crash *cr, struct burst *b, size_t want)
{
	json_t *line, *res;
	json_int_t id;
	const struct sent *s;
	size_t got = 0;

	while (got < want && (line = wire_next(b->w)) != NULL) {
		if (json_object_get(line, "event") == NULL)
			got++;
		if (json_object_get(line, "event") != NULL ||
		    !json_is_true(json_object_get(line, "ok")))
			continue;
		id = json_integer_value(json_object_get(line, "id"));
		assert_true(id >= 0 && (size_t)id < b->n);
		s = &b->sent[id];
		res = reply_result(line);
		assert_true(cr->nacked < MAX_ACKED);
		cr->acked[cr->nacked].kind = s->kind;
		cr->acked[cr->nacked].grams = s->grams;
		switch (s->kind) {
		case SENT_OFFER:
			cr->acked[cr->nacked].id = json_integer_value(
			    json_object_get(json_object_get(res, "offer"),
			        "id"));
			break;
		case SENT_REQUEST:
			cr->acked[cr->nacked].id = json_integer_value(
			    json_object_get(json_object_get(res, "request"),
			        "id"));
			break;
		default:
			cr->acked[cr->nacked].id = s->match;
			break;
		}
		assert_true(cr->acked[cr->nacked].id > 0);
		cr->nacked++;
	}
}

/* One integer from the database, or fails the test. */
static long long
db_int(sqlite3 *db, const char *sql, json_int_t arg)
{
	sqlite3_stmt *s;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (arg != 0)
		sqlite3_bind_int64(s, 1, arg);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* After a kill, with larderd down: every ok change is there, whole. */
static void
check_database(const struct crash *cr)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t i;

	assert_int_equal(
	    sqlite3_open_v2(cr->d->db, &db, SQLITE_OPEN_READWRITE, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	for (i = 0; i < cr->nacked; i++) {
		const struct acked *a = &cr->acked[i];

		switch (a->kind) {
		case SENT_OFFER:
			assert_int_equal(db_int(db,
			                     "SELECT grams FROM offers WHERE "
			                     "id = ?",
			                     a->id),
			    a->grams);
			break;
		case SENT_REQUEST:
			assert_int_equal(db_int(db,
			                     "SELECT grams FROM requests WHERE "
			                     "id = ?",
			                     a->id),
			    a->grams);
			break;
		case SENT_ACCEPT: /* accepted, or collected since */
			assert_true(db_int(db,
			                "SELECT state IN (1, 4) FROM "
			                "allocations WHERE id = ?",
			                a->id) == 1);
			break;
		case SENT_COLLECTED:
			assert_int_equal(db_int(db,
			                     "SELECT collected_grams FROM "
			                     "allocations WHERE id = ? AND "
			                     "state = 4",
			                     a->id),
			    a->grams);
			break;
		}
	}
	/* Each row came with its log event, in the same transaction. */
	assert_int_equal(db_int(db, "SELECT count(*) FROM offers", 0),
	    db_int(db,
	        "SELECT count(*) FROM events WHERE "
	        "json_extract(body, '$.kind') = 'offer.posted'",
	        0));
	assert_int_equal(db_int(db, "SELECT count(*) FROM requests", 0),
	    db_int(db,
	        "SELECT count(*) FROM events WHERE "
	        "json_extract(body, '$.kind') = 'request.posted'",
	        0));
	assert_int_equal(db_int(db,
	                     "SELECT count(*) FROM allocations WHERE "
	                     "state = 4",
	                     0),
	    db_int(db,
	        "SELECT count(*) FROM events WHERE "
	        "json_extract(body, '$.kind') = 'allocation.collected'",
	        0));
	assert_int_equal(db_int(db, "SELECT count(*) FROM allocations", 0),
	    db_int(db,
	        "SELECT count(*) FROM events WHERE "
	        "json_extract(body, '$.kind') IN ('allocation.proposed', "
	        "'allocation.claimed')",
	        0));
	assert_int_equal(db_int(db,
	                     "SELECT count(*) FROM allocations WHERE "
	                     "state IN (1, 4, 5)",
	                     0),
	    db_int(db,
	        "SELECT count(*) FROM events WHERE "
	        "json_extract(body, '$.kind') IN ('allocation.accepted', "
	        "'allocation.claimed')",
	        0));
	sqlite3_close(db);
}

static void
test_e2e_crash_sigkill_keeps_acknowledged(void **state)
{
	struct crash *cr = calloc(1, sizeof *cr);
	struct burst bursts[DONORS + NEEDERS];
	char conf[HARNESS_PATH + 32];
	const char *env;
	size_t i, sent = 0, by_kind[4] = {0};
	unsigned seed;
	int cycles, cycle;
	long window_us = 20000; /* kills land at random in this window */
	FILE *f;
	struct run *r;

	(void)state;
	assert_non_null(cr);
	env = getenv("LARDER_CRASH_CYCLES");
	cycles = env != NULL ? atoi(env) : 60;
	env = getenv("LARDER_CRASH_SEED");
	seed = env != NULL ? (unsigned)strtoul(env, NULL, 10)
	                   : (unsigned)time(NULL);
	printf("crash: seed %u (LARDER_CRASH_SEED repeats it)\n", seed);
	srand(seed);

	cr->d = daemon_new();
	snprintf(conf, sizeof conf, "%s/larderd.conf", cr->d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("[limits]\nopen_offers = 100000\nopen_requests = 100000\n"
	      "burst = 100000\n",
	    f);
	fclose(f);
	daemon_run(cr->d, "--config", conf, NULL);
	for (i = 0; i < DONORS + NEEDERS; i++)
		cr->tokens[i] = add_member(cr->d, handles[i]);
	harness_time(cr->use_by, sizeof cr->use_by, 2 * 86400);
	harness_time(cr->by, sizeof cr->by, 30 * 86400);

	/*
	 * Rounds with no kill first, so that offers, requests, accepts and
	 * collections are all acknowledged whatever the kills later hit.
	 */
	for (cycle = 0; cycle < 3; cycle++) {
		for (i = 0; i < DONORS + NEEDERS; i++) {
			bursts[i].w = wire_member(cr->d, cr->tokens[i]);
			if (i < DONORS)
				donor_burst(cr, &bursts[i]);
			else
				needer_burst(cr, &bursts[i]);
			wire_send(bursts[i].w, bursts[i].buf, bursts[i].len);
			collect_acks(cr, &bursts[i], bursts[i].n);
			sent += bursts[i].n;
			wire_close(bursts[i].w);
		}
	}
	for (cycle = 0; cycle < cycles; cycle++) {
		size_t before = cr->nacked, sent_before = sent;
		long us = rand() % window_us;
		struct timespec pause = {us / 1000000, us % 1000000 * 1000};

		for (i = 0; i < DONORS + NEEDERS; i++)
			bursts[i].w = wire_member(cr->d, cr->tokens[i]);
		for (i = 0; i < DONORS + NEEDERS; i++) {
			if (i < DONORS)
				donor_burst(cr, &bursts[i]);
			else
				needer_burst(cr, &bursts[i]);
		}
		/* All at once, then a kill somewhere in their handling. */
		for (i = 0; i < DONORS + NEEDERS; i++) {
			wire_send(bursts[i].w, bursts[i].buf, bursts[i].len);
			sent += bursts[i].n;
		}
		nanosleep(&pause, NULL);
		daemon_kill(cr->d);
		for (i = 0; i < DONORS + NEEDERS; i++) {
			collect_acks(cr, &bursts[i], SIZE_MAX);
			wire_close(bursts[i].w);
		}
		check_database(cr);
		/*
		 * Kills should land in the middle of the work: widen the
		 * window after a cycle with no reply (a slow build), narrow it
		 * after one that had them all.
		 */
		if (cr->nacked == before && window_us < 1000000)
			window_us *= 2;
		else if (cr->nacked - before == sent - sent_before &&
		    window_us > 5000)
			window_us /= 2;
		daemon_restart(cr->d);
		r = run_admin(cr->d, "log", "verify", NULL);
		assert_exit(r, 0);
		run_free(r);
	}
	for (i = 0; i < cr->nacked; i++)
		by_kind[cr->acked[i].kind]++;
	printf("crash: %d kills; of %zu requests sent, %zu acknowledged (%zu "
	       "offers, %zu requests, %zu accepts, %zu collections), each "
	       "checked after every later kill\n",
	    cycles, sent, cr->nacked, by_kind[SENT_OFFER],
	    by_kind[SENT_REQUEST], by_kind[SENT_ACCEPT],
	    by_kind[SENT_COLLECTED]);
	assert_true(by_kind[SENT_OFFER] > 0 && by_kind[SENT_ACCEPT] > 0 &&
	    by_kind[SENT_COLLECTED] > 0);
	assert_int_equal(daemon_stop(cr->d), 0);
	daemon_free(cr->d);
	for (i = 0; i < DONORS + NEEDERS; i++)
		free(cr->tokens[i]);
	free(cr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_crash_sigkill_keeps_acknowledged),
	};

	harness_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
