/* test_store.c: the SQLite store: schema, rows, savepoints, durability. */
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

#include "larderd.h"
#include "store.h"

struct fixture {
	char dir[256];
	char path[300];
	struct store *st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "%s/larder-store-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/larder.db", f->dir);
	f->st = store_open(f->path, 0, &cause);
	if (f->st == NULL) {
		fprintf(stderr, "store_open: %s\n", cause);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[320];

	store_close(f->st);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Runs SQL on a second, plain connection; returns the first integer. */
static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
make_member(struct member *m, const char *handle)
{
	memset(m, 0, sizeof *m);
	snprintf(m->handle, sizeof m->handle, "%s", handle);
	snprintf(m->name, sizeof m->name, "Pantry %s", handle);
	snprintf(m->hub, sizeof m->hub, "barking");
	snprintf(m->standing, sizeof m->standing, "good");
	snprintf(m->catchment, sizeof m->catchment, "IG11,RM9");
	m->storage = STORAGE_AMBIENT | STORAGE_CHILLED;
	m->people = 120;
	m->joined = 1000;
}

static int64_t
add_member(struct store *st, const char *handle)
{
	struct member m;
	unsigned char hash[STORE_HASH_LEN];

	make_member(&m, handle);
	memset(hash, handle[0], sizeof hash);
	assert_int_equal(store_member_insert(st, &m, hash), 0);
	return m.id;
}

static int64_t
add_offer(struct store *st, int64_t donor, time_t end, int state)
{
	struct offer o;

	memset(&o, 0, sizeof o);
	o.donor = donor;
	snprintf(o.category, sizeof o.category, "bakery");
	snprintf(o.hub, sizeof o.hub, "barking");
	o.storage = STORAGE_AMBIENT;
	o.date = end + 100;
	o.grams = o.remaining = 12500;
	o.min_portion = 1000;
	o.divisible = 1;
	o.window_start = 100;
	o.window_end = end;
	o.deadline = end;
	snprintf(o.fallback, sizeof o.fallback, "compost");
	o.state = (enum offer_state)state;
	assert_int_equal(store_offer_insert(st, &o), 0);
	return o.id;
}

static void
test_store_durability_settings(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_cache(f->st, 8), 0);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path,
	                     "SELECT count(*) FROM "
	                     "pragma_journal_mode WHERE journal_mode = 'wal'"),
	    1);
}

/* A database that cannot be in WAL is refused, saying why. */
static void
test_store_refuses_without_wal(void **state)
{
	struct store *st;
	char *cause = NULL;

	(void)state;
	st = store_open(":memory:", 0, &cause);
	assert_null(st);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "instead of WAL"));
	assert_non_null(strstr(cause, "\"memory\""));
	free(cause);
}

static void
test_store_reopen_keeps_rows(void **state)
{
	struct fixture *f = *state;
	struct member m;
	char *cause = NULL;

	add_member(f->st, "humdum");
	store_close(f->st);
	f->st = store_open(f->path, 0, &cause);
	assert_non_null(f->st);
	assert_int_equal(store_member_by_handle(f->st, "humdum", &m), 1);
	assert_string_equal(m.name, "Pantry humdum");
	assert_int_equal(m.storage, STORAGE_AMBIENT | STORAGE_CHILLED);
	assert_string_equal(m.catchment, "IG11,RM9");
}

static void
test_store_refuses_newer_schema(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	char *cause = NULL;

	store_close(f->st);
	f->st = NULL;
	raw_int(f->path, "PRAGMA user_version = 99");
	st = store_open(f->path, 0, &cause);
	assert_null(st);
	assert_non_null(strstr(cause, "newer"));
	free(cause);
}

static void
test_store_member_lookup(void **state)
{
	struct fixture *f = *state;
	struct member m, dup;
	unsigned char hash[STORE_HASH_LEN];

	add_member(f->st, "humdum");
	memset(hash, 'h', sizeof hash);
	assert_int_equal(store_member_by_token(f->st, hash, &m), 1);
	assert_string_equal(m.handle, "humdum");
	memset(hash, 'x', sizeof hash);
	assert_int_equal(store_member_by_token(f->st, hash, &m), 0);
	assert_int_equal(store_member_by_handle(f->st, "nobody", &m), 0);
	make_member(&dup, "humdum");
	memset(hash, 'z', sizeof hash);
	assert_int_equal(store_member_insert(f->st, &dup, hash), -1);
	assert_int_equal(store_member_count(f->st), 1);
}

static int
count_offer(void *arg, const struct offer *o)
{
	(void)o;
	(*(int *)arg)++;
	return 0;
}

static void
test_store_offer_filters(void **state)
{
	struct fixture *f = *state;
	struct store_filter all = {0, 0, 0, 100};
	struct store_filter flt;
	int64_t a, b;
	int n;

	a = add_member(f->st, "alpha");
	b = add_member(f->st, "bravo");
	add_offer(f->st, a, 500, OFFER_OPEN);
	add_offer(f->st, a, 600, OFFER_WITHDRAWN);
	add_offer(f->st, b, 700, OFFER_OPEN);
	n = 0;
	assert_int_equal(store_offer_list(f->st, &all, count_offer, &n), 0);
	assert_int_equal(n, 3);
	flt = all;
	flt.member = a;
	n = 0;
	store_offer_list(f->st, &flt, count_offer, &n);
	assert_int_equal(n, 2);
	flt.open_only = 1;
	n = 0;
	store_offer_list(f->st, &flt, count_offer, &n);
	assert_int_equal(n, 1);
	flt = all;
	flt.after = 1;
	flt.limit = 1;
	n = 0;
	store_offer_list(f->st, &flt, count_offer, &n);
	assert_int_equal(n, 1);
	assert_int_equal(store_offer_count_open(f->st), 2);
}

static void
test_store_offer_due_and_state(void **state)
{
	struct fixture *f = *state;
	struct offer o;
	int64_t a, id;
	int n = 0;

	a = add_member(f->st, "alpha");
	id = add_offer(f->st, a, 500, OFFER_OPEN);
	add_offer(f->st, a, 900, OFFER_OPEN);
	assert_int_equal(store_offer_due(f->st, 499, 10, count_offer, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_offer_due(f->st, 500, 10, count_offer, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_offer_set_state(f->st, id, OFFER_EXPIRED), 0);
	assert_int_equal(store_offer_get(f->st, id, &o), 1);
	assert_int_equal(o.state, OFFER_EXPIRED);
	assert_string_equal(o.donor_handle, "alpha");
	assert_int_equal(store_offer_set_state(f->st, 999, OFFER_EXPIRED), -1);
	assert_int_equal(store_offer_get(f->st, 999, &o), 0);
}

/* The plan SQLite makes for a statement, its steps joined. */
static char *
query_plan(const char *path, const char *sql)
{
	char buf[1024] = "", *q;
	sqlite3 *db;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_not_equal(asprintf(&q, "EXPLAIN QUERY PLAN %s", sql), -1);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		strncat(buf, (const char *)sqlite3_column_text(s, 3),
		    sizeof buf - strlen(buf) - 2);
		strcat(buf, ";");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(q);
	return strdup(buf);
}

/*
 * New offers and requests go to the end of the open ones' indexes, which
 * keep their deadlines beside them: the sweep finds what is due in the
 * index, and the order is by id, not deadline, so that food good for an
 * hour and food good for a week are not written far apart.
 */
static void
assert_open_index(struct fixture *f, const char *table, const char *end)
{
	char sql[256], *plan;

	snprintf(sql, sizeof sql,
	    "SELECT id FROM %ss WHERE state = 0 AND %s <= 5 ORDER BY id "
	    "LIMIT 64",
	    table, end);
	plan = query_plan(f->path, sql);
	snprintf(sql, sizeof sql, "USING COVERING INDEX %ss_open", table);
	assert_non_null(strstr(plan, sql));
	assert_null(strstr(plan, "TEMP B-TREE"));
	free(plan);
	snprintf(sql, sizeof sql,
	    "SELECT group_concat(name, ',') = 'state,id,%s' FROM "
	    "pragma_index_info('%ss_open')",
	    end, table);
	assert_int_equal(raw_int(f->path, sql), 1);
}

static void
test_store_open_indexes_follow_posting_order(void **state)
{
	struct fixture *f = *state;

	assert_open_index(f, "offer", "deadline");
	assert_open_index(f, "request", "window_end");
}

static int
count_request(void *arg, const struct request *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void
test_store_requests(void **state)
{
	struct fixture *f = *state;
	struct store_filter open = {0, 1, 0, 100};
	struct request r, got;
	int n = 0;

	memset(&r, 0, sizeof r);
	r.member = add_member(f->st, "alpha");
	snprintf(r.categories, sizeof r.categories, "bakery,produce");
	r.storage = STORAGE_CHILLED;
	r.grams = 20000;
	r.window_start = 100;
	r.window_end = 800;
	r.standing = 1;
	assert_int_equal(store_request_insert(f->st, &r), 0);
	assert_int_equal(store_request_get(f->st, r.id, &got), 1);
	assert_string_equal(got.categories, "bakery,produce");
	assert_int_equal(got.standing, 1);
	assert_string_equal(got.member_handle, "alpha");
	assert_int_equal(store_request_due(f->st, 800, 10, count_request, &n),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    store_request_set_state(f->st, r.id, REQUEST_CANCELLED), 0);
	n = 0;
	store_request_list(f->st, &open, count_request, &n);
	assert_int_equal(n, 0);
	assert_int_equal(store_request_count_open(f->st), 0);
}

static void
test_store_failed_step_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct member m;

	assert_int_equal(store_step_begin(f->st), 0);
	add_member(f->st, "kept");
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(store_step_begin(f->st), 0);
	add_member(f->st, "dropped");
	assert_true(store_writing(f->st));
	assert_int_equal(store_step_end(f->st, 0), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_member_by_handle(f->st, "kept", &m), 1);
	assert_int_equal(store_member_by_handle(f->st, "dropped", &m), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM members"), 1);
}

/*
 * Counts are remembered between changes: each insert shows at once, and
 * a step rolled back takes its rows out of the count too.
 */
static void
test_store_counts_follow_changes_and_rollbacks(void **state)
{
	struct fixture *f = *state;
	int64_t donor;

	donor = add_member(f->st, "donor");
	assert_int_equal(store_member_count(f->st), 1);
	assert_int_equal(store_offer_count_open(f->st), 0);
	add_offer(f->st, donor, 5000, OFFER_OPEN);
	assert_int_equal(store_offer_count_open(f->st), 1);
	assert_int_equal(store_offer_count_open(f->st), 1);
	assert_int_equal(store_open_count(f->st, "offer", donor), 1);
	assert_int_equal(store_step_begin(f->st), 0);
	add_offer(f->st, donor, 5000, OFFER_OPEN);
	add_member(f->st, "other");
	assert_int_equal(store_offer_count_open(f->st), 2);
	assert_int_equal(store_member_count(f->st), 2);
	assert_int_equal(store_open_count(f->st, "offer", donor), 2);
	assert_int_equal(store_step_end(f->st, 0), 0);
	assert_int_equal(store_offer_count_open(f->st), 1);
	assert_int_equal(store_member_count(f->st), 1);
	assert_int_equal(store_open_count(f->st, "offer", donor), 1);
	assert_int_equal(store_step_begin(f->st), 0);
	add_offer(f->st, donor, 5000, OFFER_OPEN);
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(store_offer_count_open(f->st), 2);
	assert_int_equal(store_open_count(f->st, "offer", donor), 2);
	assert_int_equal(store_rollback(f->st), 0);
	assert_int_equal(store_offer_count_open(f->st), 1);
	assert_int_equal(store_open_count(f->st, "offer", donor), 1);
	/* A closed offer no longer counts against the member's cap. */
	assert_int_equal(store_offer_set_state(f->st,
	                     add_offer(f->st, donor, 5000, OFFER_OPEN),
	                     OFFER_WITHDRAWN),
	    0);
	assert_int_equal(store_open_count(f->st, "offer", donor), 1);
	/* The network's count follows each change of state as well. */
	assert_int_equal(store_offer_count_open(f->st), 1);
	assert_int_equal(store_offer_set_state(f->st, 1, OFFER_ALLOCATED), 0);
	assert_int_equal(store_offer_count_open(f->st), 0);
	assert_int_equal(store_offer_set_state(f->st, 1, OFFER_CLOSED), 0);
	assert_int_equal(store_offer_count_open(f->st), 0);
}

/* Adds a member in a turn of its own; returns its id. */
static int64_t
add_member_committed(struct fixture *f)
{
	int64_t id;

	assert_int_equal(store_step_begin(f->st), 0);
	id = add_member(f->st, "donor");
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(store_commit(f->st), 0);
	return id;
}

/* The write-ahead log's size in pages, from its file. */
static long
wal_pages(const struct fixture *f)
{
	char p[320];
	FILE *fp;
	long size;

	snprintf(p, sizeof p, "%s-wal", f->path);
	if ((fp = fopen(p, "rb")) == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	return size / 4096;
}

/* Commits one turn of n offers. */
static void
commit_offers(struct fixture *f, int64_t donor, int n)
{
	int i;

	assert_int_equal(store_step_begin(f->st), 0);
	for (i = 0; i < n; i++)
		add_offer(f->st, donor, 5000 + i, 0);
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(store_commit(f->st), 0);
}

/*
 * With the checkpoint thread, the log is copied back and started again
 * once it holds the pages asked for, and nothing is lost.
 */
static void
test_store_checkpoint_thread_keeps_log_short(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL, why[200];
	int64_t donor;
	int i;

	assert_int_equal(store_checkpoint_start(f->st, 20, &cause), 0);
	donor = add_member_committed(f);
	for (i = 0; i < 150; i++) {
		commit_offers(f, donor, 40);
		store_checkpoint_wait(f->st);
	}
	assert_true(store_checkpoint_wait(f->st) > 0);
	assert_int_equal(store_checkpoint_failed(f->st, why, sizeof why), 0);
	/* 150 turns wrote well over 1,000 pages; the log never held 100. */
	assert_true(wal_pages(f) < 100);
	store_close(f->st);
	f->st = store_open(f->path, 0, &cause);
	assert_non_null(f->st);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM offers"),
	    150 * 40);
}

/* With it, the loop's commits no longer checkpoint at 1,000 pages. */
static void
test_store_checkpoint_thread_takes_it_from_the_loop(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int64_t donor;
	int i;

	assert_int_equal(store_checkpoint_start(f->st, 1000000000, &cause), 0);
	donor = add_member_committed(f);
	for (i = 0; i < 600; i++)
		commit_offers(f, donor, 40);
	assert_int_equal(store_checkpoint_wait(f->st), 0);
	/* 600 turns write some 3,400 pages; SQLite alone stops at 1,000. */
	assert_true(wal_pages(f) > 1500);
}

static void
test_store_reads_do_not_write(void **state)
{
	struct fixture *f = *state;
	struct member m;

	assert_int_equal(store_step_begin(f->st), 0);
	store_member_by_handle(f->st, "nobody", &m);
	assert_false(store_writing(f->st));
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(store_commit(f->st), 0);
}

static void
test_store_uncommitted_is_invisible_then_durable(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_step_begin(f->st), 0);
	add_member(f->st, "pending");
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM members"), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM members"), 1);
}

static void
test_store_rollback_discards_group(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_step_begin(f->st), 0);
	add_member(f->st, "one");
	assert_int_equal(store_step_end(f->st, 1), 0);
	assert_int_equal(store_rollback(f->st), 0);
	assert_int_equal(store_member_count(f->st), 0);
}

static void
test_store_events_append_only(void **state)
{
	struct fixture *f = *state;
	struct store_event ev;
	unsigned char prev[STORE_HASH_LEN] = {0};
	unsigned char hash[STORE_HASH_LEN], last[STORE_HASH_LEN];
	int64_t seq;

	memset(hash, 7, sizeof hash);
	ev.seq = 1;
	ev.at = 100;
	ev.body = "{\"seq\":1}";
	ev.prev = prev;
	ev.hash = hash;
	ev.facts = NULL;
	assert_int_equal(store_event_insert(f->st, &ev), 0);
	assert_int_equal(store_event_last(f->st, &seq, last), 0);
	assert_int_equal(seq, 1);
	assert_memory_equal(last, hash, STORE_HASH_LEN);
	assert_int_equal(store_event_insert(f->st, &ev), -1);
	assert_int_equal(raw_int(f->path, "UPDATE events SET at = 5"), -1);
	assert_int_equal(raw_int(f->path, "SELECT at FROM events"), 100);
	raw_int(f->path, "DELETE FROM events");
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM events"), 1);
}

static int64_t
add_request(struct store *st, int64_t member)
{
	struct request r;

	memset(&r, 0, sizeof r);
	r.member = member;
	snprintf(r.categories, sizeof r.categories, "bakery");
	r.storage = STORAGE_AMBIENT;
	r.grams = 20000;
	r.window_start = 100;
	r.window_end = 800;
	assert_int_equal(store_request_insert(st, &r), 0);
	return r.id;
}

static int
count_alloc(void *arg, const struct allocation *a)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void
test_store_allocations(void **state)
{
	struct fixture *f = *state;
	struct store_filter mine = {0, 0, 0, 100};
	struct allocation a, got;
	int64_t donor, taker, offer;
	char *reason;
	int n = 0;

	donor = add_member(f->st, "alpha");
	taker = add_member(f->st, "bravo");
	offer = add_offer(f->st, donor, 500, OFFER_OPEN);
	memset(&a, 0, sizeof a);
	a.offer = offer;
	a.request = add_request(f->st, taker);
	a.member = taker;
	a.grams = 4000;
	a.charge = 4000;
	a.state = ALLOC_PROPOSED;
	a.respond_by = 300;
	a.created = 200;
	assert_int_equal(store_alloc_insert(f->st, &a, "{\"why\":\"test\"}"),
	    0);
	assert_int_equal(store_request_held(f->st, a.request), 4000);
	assert_int_equal(
	    store_alloc_find(f->st, offer, taker, ALLOC_PROPOSED, &got), 1);
	assert_string_equal(got.donor_handle, "alpha");
	assert_string_equal(got.member_handle, "bravo");
	assert_string_equal(got.category, "bakery");
	assert_int_equal(got.window_end, 500);
	got.state = ALLOC_COLLECTED;
	got.decided = 400;
	got.collected_grams = 3900;
	got.member_confirmed = 1;
	assert_int_equal(store_alloc_update(f->st, &got), 0);
	assert_int_equal(store_alloc_get(f->st, a.id, &got), 1);
	assert_int_equal(got.collected_grams, 3900);
	assert_int_equal(store_request_held(f->st, a.request), 0);
	reason = store_alloc_reason(f->st, a.id);
	assert_string_equal(reason, "{\"why\":\"test\"}");
	free(reason);
	mine.member = donor;
	assert_int_equal(store_alloc_list(f->st, &mine, count_alloc, &n), 0);
	assert_int_equal(n, 1);
	mine.open_only = 1;
	n = 0;
	store_alloc_list(f->st, &mine, count_alloc, &n);
	assert_int_equal(n, 0);
}

static int
sum_pair(void *arg, int64_t donor, int64_t grams)
{
	(void)donor;
	*(int64_t *)arg += grams;
	return 0;
}

/*
 * Members' open offers are counted all at once, and a member first seen
 * after that count starts from none; each change moves only its own.
 */
static void
test_store_open_offers_counted_for_all(void **state)
{
	struct fixture *f = *state;
	int64_t alpha, bravo, charlie, first;
	uint64_t passes;

	alpha = add_member(f->st, "alpha");
	bravo = add_member(f->st, "bravo");
	first = add_offer(f->st, alpha, 5000, OFFER_OPEN);
	add_offer(f->st, alpha, 5000, OFFER_OPEN);
	add_offer(f->st, bravo, 5000, OFFER_WITHDRAWN);
	assert_int_equal(store_open_counts_load(f->st), 0);
	assert_int_equal(store_open_count(f->st, "offer", bravo), 0);
	assert_int_equal(store_open_count(f->st, "offer", alpha), 2);
	charlie = add_member(f->st, "charlie");
	add_offer(f->st, charlie, 5000, OFFER_OPEN);
	add_offer(f->st, bravo, 5000, OFFER_OPEN);
	assert_int_equal(store_open_count(f->st, "offer", charlie), 1);
	assert_int_equal(store_open_count(f->st, "offer", bravo), 1);
	assert_int_equal(store_offer_set_state(f->st, first, OFFER_CLOSED), 0);
	assert_int_equal(store_open_count(f->st, "offer", alpha), 1);
	assert_int_equal(store_open_count(f->st, "offer", bravo), 1);
	/* The same, counted afresh from the rows. */
	assert_int_equal(store_rollback(f->st), 0);
	assert_int_equal(store_open_count(f->st, "offer", alpha), 1);
	assert_int_equal(store_open_count(f->st, "offer", charlie), 1);
	/*
	 * A step that fails puts back the counts it moved, without counting
	 * every member again; a whole group rolled back counts again.
	 */
	passes = store_open_passes(f->st);
	assert_int_equal(store_step_begin(f->st), 0);
	add_offer(f->st, alpha, 5000, OFFER_OPEN);
	add_offer(f->st, charlie, 5000, OFFER_OPEN);
	assert_int_equal(store_open_count(f->st, "offer", alpha), 2);
	assert_int_equal(store_step_end(f->st, 0), 0);
	assert_int_equal(store_open_count(f->st, "offer", alpha), 1);
	assert_int_equal(store_open_count(f->st, "offer", charlie), 1);
	assert_int_equal(store_open_passes(f->st), passes);

	/* Requests the same way. */
	first = add_request(f->st, alpha);
	assert_int_equal(store_open_count(f->st, "request", alpha), 1);
	assert_int_equal(store_open_count(f->st, "request", bravo), 0);
	add_request(f->st, bravo);
	add_request(f->st, bravo);
	assert_int_equal(store_open_count(f->st, "request", bravo), 2);
	assert_int_equal(
	    store_request_set_state(f->st, first, REQUEST_CANCELLED), 0);
	assert_int_equal(store_open_count(f->st, "request", alpha), 0);
	assert_int_equal(raw_int(f->path,
	                     "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                     "('offers_donor', 'requests_member')"),
	    0);
}

struct id_list {
	int64_t id[16];
	int n;
};

static int
collect_alloc(void *arg, const struct allocation *a)
{
	struct id_list *l = arg;

	if (l->n < 16)
		l->id[l->n++] = a->id;
	return 0;
}

/* Lists member's allocations after an id, two at a time, as ids. */
static void
list_pages(struct store *st, int64_t member, int open_only, struct id_list *all)
{
	struct store_filter filter = {member, open_only, 0, 2};
	struct id_list page;

	all->n = 0;
	do {
		page.n = 0;
		assert_int_equal(
		    store_alloc_list(st, &filter, collect_alloc, &page), 0);
		assert_true(page.n <= 2);
		memcpy(all->id + all->n, page.id,
		    (size_t)page.n * sizeof(int64_t));
		all->n += page.n;
		if (page.n > 0)
			filter.after = page.id[page.n - 1];
	} while (page.n == 2);
}

/*
 * A member's allocations, as donor and as receiver, come in order a page
 * at a time, open ones alone when asked; a schema 9 database gains each
 * allocation's donor and lists the same.
 */
static void
test_store_alloc_list_both_sides(void **state)
{
	struct fixture *f = *state;
	int64_t alpha, bravo, charlie, mine, theirs, req_a, req_b, ids[7];
	struct id_list got;
	struct allocation a;
	char *cause = NULL, *err = NULL;
	sqlite3 *db;
	int i;

	alpha = add_member(f->st, "alpha");
	bravo = add_member(f->st, "bravo");
	charlie = add_member(f->st, "charlie");
	mine = add_offer(f->st, alpha, 500, OFFER_OPEN);
	theirs = add_offer(f->st, charlie, 500, OFFER_OPEN);
	req_a = add_request(f->st, alpha);
	req_b = add_request(f->st, bravo);
	/* alpha gives, receives, is not concerned, gives, ... */
	for (i = 0; i < 7; i++) {
		memset(&a, 0, sizeof a);
		a.offer = i % 3 == 1 ? theirs : i % 3 == 2 ? theirs : mine;
		a.request = i % 3 == 1 ? req_a : req_b;
		a.member = i % 3 == 1 ? alpha : bravo;
		a.grams = a.charge = 100;
		a.state = i == 3 ? ALLOC_COLLECTED : ALLOC_PROPOSED;
		a.respond_by = 300;
		a.created = 200;
		assert_int_equal(store_alloc_insert(f->st, &a, "{}"), 0);
		ids[i] = a.id;
	}
	/* Concerned: 0 (gives), 1 (receives), 3 (gives), 4, 6. */
	list_pages(f->st, alpha, 0, &got);
	assert_int_equal(got.n, 5);
	assert_int_equal(got.id[0], ids[0]);
	assert_int_equal(got.id[1], ids[1]);
	assert_int_equal(got.id[2], ids[3]);
	assert_int_equal(got.id[3], ids[4]);
	assert_int_equal(got.id[4], ids[6]);
	list_pages(f->st, alpha, 1, &got);
	assert_int_equal(got.n, 4); /* not 3, collected */
	assert_int_equal(got.id[2], ids[4]);

	store_close(f->st);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db,
	        "DROP INDEX allocations_donor;"
	        "ALTER TABLE allocations DROP COLUMN donor;"
	        "PRAGMA user_version = 9;",
	        NULL, NULL, &err) != SQLITE_OK)
		fail_msg("to schema 9: %s", err);
	sqlite3_close(db);
	f->st = store_open(f->path, 0, &cause);
	assert_non_null(f->st);
	assert_int_equal(raw_int(f->path,
	                     "SELECT count(*) FROM allocations a JOIN offers o "
	                     "ON o.id = a.offer WHERE a.donor = o.donor"),
	    7);
	list_pages(f->st, alpha, 0, &got);
	assert_int_equal(got.n, 5);
	assert_int_equal(got.id[4], ids[6]);
}

static void
test_store_contributions_count_collected(void **state)
{
	struct fixture *f = *state;
	struct allocation a;
	int64_t donor, sum = 0;

	donor = add_member(f->st, "alpha");
	memset(&a, 0, sizeof a);
	a.member = add_member(f->st, "bravo");
	a.offer = add_offer(f->st, donor, 500, OFFER_OPEN);
	a.request = add_request(f->st, a.member);
	a.grams = a.charge = 3000;
	a.state = ALLOC_PROPOSED;
	assert_int_equal(store_alloc_insert(f->st, &a, "{}"), 0);
	a.state = ALLOC_COLLECTED;
	a.collected_grams = 2500;
	a.decided = 1000;
	assert_int_equal(store_alloc_update(f->st, &a), 0);
	assert_int_equal(store_contributions(f->st, 900, sum_pair, &sum), 0);
	assert_int_equal(sum, 2500);
	sum = 0;
	assert_int_equal(store_contributions(f->st, 1001, sum_pair, &sum), 0);
	assert_int_equal(sum, 0);
}

static void
test_store_rules_and_meta(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	assert_int_equal(store_meta_get(f->st, "clock", buf, sizeof buf), 0);
	assert_int_equal(store_meta_set(f->st, "clock", "12345"), 0);
	assert_int_equal(store_meta_set(f->st, "clock", "12346"), 0);
	assert_int_equal(store_meta_get(f->st, "clock", buf, sizeof buf), 1);
	assert_string_equal(buf, "12346");
	assert_int_equal(store_rule_set(f->st, "beta", "0.2", 1, "config"), 0);
	assert_int_equal(store_rule_set(f->st, "beta", "0.3", 2, "vote 4"), 0);
	assert_int_equal(raw_int(f->path, "SELECT changed FROM rules"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rules"), 1);
}

static void
test_store_migrates_version_one(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;

	/* A database as schema 1 left it: no allocations table. */
	store_close(f->st);
	f->st = NULL;
	unlink(f->path);
	raw_int(f->path,
	    "CREATE TABLE members (id INTEGER PRIMARY KEY, "
	    "handle TEXT NOT NULL UNIQUE, name TEXT NOT NULL, hub TEXT NOT "
	    "NULL, coordinator INTEGER NOT NULL DEFAULT 0, storage INTEGER NOT "
	    "NULL, people INTEGER NOT NULL, catchment TEXT NOT NULL DEFAULT '',"
	    " standing TEXT NOT NULL DEFAULT 'good', token_hash BLOB NOT NULL "
	    "UNIQUE, joined INTEGER NOT NULL)");
	raw_int(f->path,
	    "CREATE TABLE offers (id INTEGER PRIMARY KEY, donor "
	    "INTEGER, category TEXT, storage INTEGER, date_type INTEGER, date "
	    "INTEGER, grams INTEGER, remaining INTEGER, min_portion INTEGER, "
	    "divisible INTEGER, window_start INTEGER, window_end INTEGER, hub "
	    "TEXT, note TEXT, state INTEGER, posted INTEGER)");
	raw_int(f->path,
	    "CREATE INDEX offers_open ON offers(state, "
	    "window_end)");
	raw_int(f->path,
	    "CREATE TABLE requests (id INTEGER PRIMARY KEY, "
	    "member INTEGER, categories TEXT, storage INTEGER, grams INTEGER, "
	    "received INTEGER, window_start INTEGER, window_end INTEGER, "
	    "standing INTEGER, note TEXT, state INTEGER, posted INTEGER)");
	raw_int(f->path,
	    "CREATE TABLE events (seq INTEGER PRIMARY KEY, at "
	    "INTEGER NOT NULL, body TEXT NOT NULL, prev BLOB NOT NULL, hash "
	    "BLOB NOT NULL)");
	raw_int(f->path,
	    "INSERT INTO offers VALUES (1, 1, 'bakery', 1, 0, "
	    "900, 10, 10, 1, 1, 100, 700, 'barking', '', 0, 100)");
	raw_int(f->path, "PRAGMA user_version = 1");
	f->st = store_open(f->path, 0, &cause);
	if (f->st == NULL)
		fail_msg("store_open: %s", cause);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "SELECT deadline FROM offers"), 700);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM allocations"),
	    0);
}

/* An admit proposal keeps its member's details; one is open per handle,
 * and a passed one can say why it was not applied. */
static void
test_store_admit_proposals(void **state)
{
	struct fixture *f = *state;
	struct store_proposal sp = {"admit", "", "", "golf",
	    "{\"hub\":\"barking\",\"people\":60}", "asked", "alpha", 100, 200,
	    3};
	struct store_proposal rule = {"rule", "beta", "0.3", "", "", "more",
	    "alpha", 100, 200, 3};
	json_t *p;
	int64_t id, found = 0;

	assert_int_equal(store_proposal_insert(f->st, &rule), 1);
	assert_int_equal(store_proposal_admitting(f->st, "golf", &found), 0);
	id = store_proposal_insert(f->st, &sp);
	assert_int_equal(id, 2);
	assert_int_equal(store_proposal_admitting(f->st, "golf", &found), 1);
	assert_int_equal(found, id);
	p = store_proposal_json(f->st, id);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(p, "admit"), "people")),
	    60);
	assert_true(json_is_null(json_object_get(p, "not_applied")));
	json_decref(p);
	p = store_proposal_json(f->st, 1);
	assert_true(json_is_null(json_object_get(p, "admit")));
	json_decref(p);

	assert_int_equal(store_proposal_close(f->st, id, 1, 300, "taken"), 0);
	assert_int_equal(store_proposal_admitting(f->st, "golf", &found), 0);
	p = store_proposal_json(f->st, id);
	assert_string_equal(
	    json_string_value(json_object_get(p, "not_applied")), "taken");
	json_decref(p);
}

static void
test_store_storage_words(void **state)
{
	unsigned bit;
	char buf[64];

	(void)state;
	assert_int_equal(storage_parse("chilled", &bit), 0);
	assert_int_equal(bit, STORAGE_CHILLED);
	assert_int_equal(storage_parse("warm", &bit), -1);
	assert_string_equal(
	    storage_format(STORAGE_AMBIENT | STORAGE_FROZEN, buf, sizeof buf),
	    "ambient,frozen");
	assert_string_equal(storage_name(STORAGE_FROZEN), "frozen");
	assert_string_equal(offer_state_name(OFFER_WITHDRAWN), "withdrawn");
	assert_string_equal(request_state_name(REQUEST_FULFILLED), "fulfilled");
}

/* Storage as the log writes it: a list of words, and back. */
/* Checks that text (freed) is jansson's compact dump of rec (freed). */
static void
assert_same_text(json_t *rec, char *text)
{
	char *want;

	assert_non_null(rec);
	assert_non_null(text);
	want = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(want);
	assert_string_equal(text, want);
	free(want);
	free(text);
	json_decref(rec);
}

/*
 * An offer's record written as text is byte for byte jansson's compact
 * dump of its record, whatever its note holds: quotes, backslashes,
 * every kind of control character, slashes, DEL and UTF-8.
 */
static void
test_store_offer_record_text(void **state)
{
	static const char *notes[] = {"", "plain", "say \"hi\"", "a\\b",
	    "tab\there\nnew line\r\b\f", "\x01\x02\x1f\x7f",
	    "caf\xc3\xa9 \xf0\x9f\x8d\x9e / </script>", "0123456789"};
	struct offer o;
	size_t i;

	(void)state;
	for (i = 0; i < 2 * sizeof notes / sizeof notes[0]; i++) {
		memset(&o, 0, sizeof o);
		o.id = (int64_t)i * 1000003;
		o.donor = 7;
		snprintf(o.donor_handle, sizeof o.donor_handle, "stmarys-%zu",
		    i);
		snprintf(o.hub, sizeof o.hub, "north_%zu", i % 3);
		snprintf(o.category, sizeof o.category, "bakery");
		o.storage = i % 3 == 0 ? STORAGE_AMBIENT
		    : i % 3 == 1       ? STORAGE_CHILLED
		                       : STORAGE_FROZEN;
		o.date_type = i % 2 ? DATE_USE_BY : DATE_BEST_BEFORE;
		o.date = 1796325401 + (time_t)i * 86399;
		o.grams = 1 + (int64_t)i * 999999;
		o.remaining = o.grams / 2;
		o.min_portion = 1 + (int64_t)i;
		o.divisible = (int)(i % 2);
		o.window_start = (time_t)i * 37;
		o.window_end = o.date;
		snprintf(o.note, sizeof o.note, "%s",
		    notes[i % (sizeof notes / sizeof notes[0])]);
		o.state = i % 4 == 0 ? OFFER_OPEN : OFFER_CLOSED;
		o.posted = 1796325401;
		o.deadline = o.date - 3600;
		snprintf(o.fallback, sizeof o.fallback, "compost");
		o.flash = (int)(i / 8);
		assert_same_text(offer_record_json(&o), offer_record_text(&o));
	}
}

/* Likewise a request's record, with its lists of categories and storage. */
static void
test_store_request_record_text(void **state)
{
	static const char *notes[] = {"", "for \"friday\"", "a\\b\tc\n",
	    "\x01\x1f\x7f caf\xc3\xa9"};
	static const char *cats[] = {"bakery", "bakery,dairy,produce",
	    "dry_goods,frozen-meals", "a,,b", ",lead", "trail,"};
	struct request r;
	size_t i;

	(void)state;
	for (i = 0; i < 24; i++) {
		memset(&r, 0, sizeof r);
		r.id = (int64_t)i * 7919;
		r.member = 3;
		snprintf(r.member_handle, sizeof r.member_handle, "m%zu", i);
		snprintf(r.categories, sizeof r.categories, "%s",
		    cats[i % (sizeof cats / sizeof cats[0])]);
		r.storage = (unsigned)(1 + i % 7);
		r.grams = 1000 + (int64_t)i;
		r.received = (int64_t)i * 10;
		r.window_start = 1796325401;
		r.window_end = 1796325401 + (time_t)i * 3600;
		r.standing = (int)(i % 2);
		snprintf(r.note, sizeof r.note, "%s",
		    notes[i % (sizeof notes / sizeof notes[0])]);
		r.state = i % 3 == 0 ? REQUEST_OPEN : REQUEST_CANCELLED;
		r.posted = 1796325401 - (time_t)i;
		assert_same_text(request_record_json(&r),
		    request_record_text(&r));
	}
}

static void
test_store_storage_json(void **state)
{
	json_t *list, *odd;
	char *text;

	(void)state;
	list = storage_json(STORAGE_AMBIENT | STORAGE_FROZEN);
	text = json_dumps(list, JSON_COMPACT);
	assert_string_equal(text, "[\"ambient\",\"frozen\"]");
	assert_int_equal(storage_mask(list), STORAGE_AMBIENT | STORAGE_FROZEN);
	free(text);
	json_decref(list);
	/* A single word reads too; unknown words and non-strings do not. */
	odd = json_pack("[s, i, s, n]", "chilled", 3, "warm");
	assert_int_equal(storage_mask(odd), STORAGE_CHILLED);
	json_decref(odd);
	odd = json_string("frozen");
	assert_int_equal(storage_mask(odd), STORAGE_FROZEN);
	json_decref(odd);
	assert_int_equal(storage_mask(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_store_durability_settings,
	        setup, teardown),
	    cmocka_unit_test(test_store_refuses_without_wal),
	    cmocka_unit_test_setup_teardown(test_store_reopen_keeps_rows, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_store_refuses_newer_schema,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_member_lookup, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_store_offer_filters, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_store_offer_due_and_state,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_requests, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_failed_step_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_counts_follow_changes_and_rollbacks, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_checkpoint_thread_keeps_log_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_checkpoint_thread_takes_it_from_the_loop, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_store_reads_do_not_write,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_uncommitted_is_invisible_then_durable, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_store_rollback_discards_group,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_events_append_only,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_open_offers_counted_for_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_open_indexes_follow_posting_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_alloc_list_both_sides,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_allocations, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_contributions_count_collected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_rules_and_meta, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_store_migrates_version_one,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_admit_proposals, setup,
	        teardown),
	    cmocka_unit_test(test_store_storage_words),
	    cmocka_unit_test(test_store_offer_record_text),
	    cmocka_unit_test(test_store_request_record_text),
	    cmocka_unit_test(test_store_storage_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
