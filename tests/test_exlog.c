/* test_exlog.c: the exchange log's hash chain, verification and export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "digest.h"
#include "exlog.h"
#include "metrics.h"
#include "report.h"

#define NOV_2026 1793491200 /* 2026-11-01T00:00:00Z */
#define DEC_2026 1796083200
#define HOUR     3600

struct fixture {
	char dir[256];
	char path[300];
	struct store *st;
	struct exlog *log;
	int heard;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "%s/larder-exlog-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/larder.db", f->dir);
	if ((f->st = store_open(f->path, 0, &cause)) == NULL ||
	    (f->log = exlog_open(f->st, &cause)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[320];

	exlog_free(f->log);
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

/* Appends n offer events with growing grams. */
static void
append_n(struct fixture *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(
		    exlog_append(f->log, 1796325401 + i, "offer.posted",
		        "humdum",
		        json_pack("{s:i, s:i, s:s}", "offer", i + 1, "grams",
		            1000 * (i + 1), "category", "bakery")),
		    0);
}

/* Runs SQL on a plain connection, with the update trigger removed. */
static void
tamper(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db,
	        "DROP TRIGGER IF EXISTS events_no_update;"
	        "DROP TRIGGER IF EXISTS events_no_delete;",
	        NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("tamper: %s", err);
	sqlite3_close(db);
}

static int
read_event(void *arg, const struct store_event *ev)
{
	json_t **out = arg;

	*out = exlog_export(ev);
	return -1;
}

static void
test_exlog_chain_verifies(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	append_n(f, 3);
	assert_int_equal(exlog_last_seq(f->log), 3);
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 0);
	assert_int_equal(check.events, 3);
}

static void
test_exlog_hash_is_sha256_of_prev_and_body(void **state)
{
	struct fixture *f = *state;
	json_t *ev = NULL, *copy;
	unsigned char prev[32] = {0}, md[32];
	char hex[65], *body;
	unsigned int len;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	append_n(f, 1);
	store_event_scan(f->st, 0, 1, read_event, &ev);
	assert_non_null(ev);
	copy = json_deep_copy(ev);
	json_object_del(copy, "hash");
	json_object_del(copy, "prev");
	body = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(body,
	    "{\"actor\":\"humdum\",\"at\":"
	    "\"2026-12-03T19:16:41Z\",\"category\":\"bakery\",\"grams\":1000,"
	    "\"kind\":\"offer.posted\",\"offer\":1,\"seq\":1}");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, prev, sizeof prev);
	EVP_DigestUpdate(ctx, body, strlen(body));
	EVP_DigestFinal_ex(ctx, md, &len);
	assert_string_equal(json_string_value(json_object_get(ev, "hash")),
	    digest_hex(md, 32, hex));
	assert_string_equal(json_string_value(json_object_get(ev, "prev")),
	    digest_hex(prev, 32, hex));
	EVP_MD_CTX_free(ctx);
	free(body);
	json_decref(copy);
	json_decref(ev);
}

static void
test_exlog_changed_body_is_detected(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	append_n(f, 4);
	tamper(f,
	    "UPDATE events SET body = replace(body, '\"grams\":2000', "
	    "'\"grams\":20000') WHERE seq = 2");
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 2);
	assert_int_equal(check.events, 1);
	assert_non_null(strstr(check.reason, "hash"));
}

static void
test_exlog_removed_event_is_detected(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	append_n(f, 4);
	tamper(f, "DELETE FROM events WHERE seq = 3");
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 3);
	assert_non_null(strstr(check.reason, "missing"));
}

static void
test_exlog_rehashed_event_breaks_the_next(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	append_n(f, 3);
	/* A forger who recomputes event 2's hash still breaks event 3. */
	tamper(f, "UPDATE events SET hash = zeroblob(32) WHERE seq = 2");
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 2);
}

static void
test_exlog_row_time_must_match_body(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	append_n(f, 2);
	tamper(f, "UPDATE events SET at = at + 86400 WHERE seq = 2");
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 2);
	assert_non_null(strstr(check.reason, "disagree"));
}

static void
test_exlog_reload_after_rollback(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	append_n(f, 2);
	assert_int_equal(store_step_begin(f->st), 0);
	append_n(f, 1);
	assert_int_equal(exlog_last_seq(f->log), 3);
	store_step_end(f->st, 1);
	assert_int_equal(store_rollback(f->st), 0);
	assert_int_equal(exlog_reload(f->log), 0);
	assert_int_equal(exlog_last_seq(f->log), 2);
	append_n(f, 1);
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 0);
	assert_int_equal(check.events, 3);
}

static void
test_exlog_chain_survives_reopen(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;
	char *cause = NULL;

	append_n(f, 2);
	exlog_free(f->log);
	store_close(f->st);
	f->st = store_open(f->path, 0, &cause);
	f->log = exlog_open(f->st, &cause);
	assert_int_equal(exlog_last_seq(f->log), 2);
	append_n(f, 2);
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.events, 4);
	assert_int_equal(check.bad_seq, 0);
}

static void
heard(void *arg, json_t *ev, const char *text, size_t len)
{
	struct fixture *f = arg;

	assert_int_equal(strlen(text), len);

	assert_string_equal(json_string_value(json_object_get(ev, "kind")),
	    "offer.posted");
	f->heard++;
}

static void
test_exlog_listener_hears_each_event(void **state)
{
	struct fixture *f = *state;

	exlog_set_listener(f->log, heard, f);
	append_n(f, 3);
	assert_int_equal(f->heard, 3);
}

static void
test_exlog_verify_spans_batches(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;

	assert_int_equal(store_step_begin(f->st), 0);
	append_n(f, 2500);
	store_step_end(f->st, 1);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.events, 2500);
	assert_int_equal(check.bad_seq, 0);
}

/* The facts kept beside each event, in the order of their columns. */
static const char *const fact_cols[] = {"kind", "member", "donor", "hub",
    "destination", "cause", "how", "week", "raised", "grams", "offer",
    "allocation", "people", "challenge", "reverses_no_show", "resolved"};

#define NFACTS (sizeof fact_cols / sizeof fact_cols[0])

/* Runs SQL on a plain connection; returns the first column as text. */
static char *
raw_text(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *out = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("raw_text: %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		out = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out != NULL ? out : strdup("");
}

/* Runs a script on a plain connection; returns SQLite's code. */
static int
raw_exec(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* Every event's kept facts, quoted, one event a line, in order. */
static char *
facts_snapshot(struct fixture *f)
{
	char sql[1024] = "SELECT group_concat(";
	char *out;
	size_t i;

	for (i = 0; i < NFACTS; i++) {
		strcat(sql, i > 0 ? " || ',' || quote(" : "quote(");
		strcat(sql, fact_cols[i]);
		strcat(sql, ")");
	}
	strcat(sql, ", char(10)) FROM (SELECT * FROM events ORDER BY seq)");
	out = raw_text(f, sql);
	assert_true(strlen(out) > 0);
	return out;
}

/* Takes a database back to schema 7: events without their facts. */
static void
make_version_seven(struct fixture *f)
{
	char sql[2048] = "DROP TRIGGER events_no_update;"
	                 "DROP INDEX offers_challenge;"
	                 "DROP INDEX requests_challenge;"
	                 "DROP INDEX allocations_donor;"
	                 "ALTER TABLE allocations DROP COLUMN donor;";
	char *n;
	size_t i;

	for (i = 0; i < NFACTS; i++) {
		strcat(sql, "ALTER TABLE events DROP COLUMN ");
		strcat(sql, fact_cols[i]);
		strcat(sql, ";");
	}
	strcat(sql,
	    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN"
	    " SELECT RAISE(ABORT, 'the exchange log is append-only'); END;"
	    "PRAGMA user_version = 7;");
	assert_int_equal(raw_exec(f, sql), SQLITE_OK);
	n = raw_text(f, "SELECT count(*) FROM pragma_table_info('events')");
	assert_string_equal(n, "5");
	free(n);
}

/* Appends an event from a json_pack format, hours into November. */
static void
log_event(struct fixture *f, int hours, const char *kind, const char *fmt, ...)
{
	json_error_t error;
	json_t *fields;
	va_list ap;

	va_start(ap, fmt);
	fields = json_vpack_ex(&error, 0, fmt, ap);
	va_end(ap);
	if (fields == NULL)
		fail_msg("log_event %s: %s", kind, error.text);
	assert_int_equal(exlog_append(f->log, NOV_2026 + hours * HOUR, kind,
	                     "admin", fields),
	    0);
}

/* A month with every kind of event the figures read. */
static void
log_a_month(struct fixture *f)
{
	log_event(f, -720, "member.joined", "{s:s, s:s}", "member", "alpha",
	    "hub", "barking");
	log_event(f, -719, "member.joined", "{s:s, s:s}", "member", "bravo",
	    "hub", "barking");
	log_event(f, -718, "member.joined", "{s:s, s:s}", "member", "charlie",
	    "hub", "dagenham");
	log_event(f, 1, "offer.posted", "{s:i, s:i, s:s, s:s, s:i}", "offer", 1,
	    "grams", 12000, "member", "alpha", "hub", "barking", "challenge",
	    1);
	log_event(f, 2, "allocation.accepted", "{s:i, s:i, s:s, s:s, s:i}",
	    "allocation", 1, "offer", 1, "member", "bravo", "donor", "alpha",
	    "grams", 12000);
	log_event(f, 3, "offer.allocated", "{s:i, s:s}", "offer", 1, "member",
	    "alpha");
	log_event(f, 4, "allocation.collected",
	    "{s:i, s:i, s:s, s:s, s:i, s:s}", "allocation", 1, "offer", 1,
	    "member", "bravo", "donor", "alpha", "grams", 11500, "hub",
	    "barking");
	log_event(f, 5, "allocation.corrected", "{s:i, s:s, s:s, s:i}",
	    "allocation", 1, "member", "bravo", "donor", "alpha", "grams",
	    11000);
	log_event(f, 6, "allocation.no_show", "{s:i, s:i, s:s, s:s, s:i}",
	    "allocation", 2, "offer", 2, "member", "charlie", "donor", "alpha",
	    "grams", 3000);
	log_event(f, 7, "allocation.collected",
	    "{s:i, s:i, s:s, s:s, s:i, s:s, s:b}", "allocation", 2, "offer", 2,
	    "member", "charlie", "donor", "alpha", "grams", 3000, "hub",
	    "dagenham", "reverses_no_show", 1);
	log_event(f, 8, "waste.recorded", "{s:s, s:i, s:s, s:s, s:n}", "member",
	    "charlie", "grams", 700, "destination", "animal_feed", "cause",
	    "spoiled", "offer");
	log_event(f, 9, "waste.recorded", "{s:s, s:i, s:s, s:s, s:i}", "member",
	    "alpha", "grams", 2000, "destination", "compost", "cause",
	    "unclaimed", "offer", 1);
	log_event(f, 30, "people.reported", "{s:s, s:s, s:i, s:s}", "member",
	    "bravo", "hub", "barking", "people", 80, "week",
	    "2026-11-02T00:00:00Z");
	log_event(f, 31, "dispute.raised", "{s:i, s:s}", "allocation", 1,
	    "member", "bravo");
	log_event(f, 33, "dispute.settled", "{s:i, s:s, s:s}", "allocation", 1,
	    "how", "rejected", "raised", "2026-11-02T07:00:00Z");
	log_event(f, 34, "dispute.settled", "{s:i, s:s, s:s}", "allocation", 1,
	    "how", "resolved", "raised", "2026-11-02T07:00:00Z");
	log_event(f, 40, "ledger.balances", "{s:{s:i, s:i}, s:i}", "balances",
	    "charlie", -5000, "bravo", 100, "cap", 5000);
	log_event(f, 41, "referral.made", "{s:s, s:[s, s]}", "member", "alpha",
	    "referred", "charlie", "bravo");
	log_event(f, 50, "ledger.balances", "{s:{s:i}, s:i}", "balances",
	    "charlie", -5000, "cap", 5000);
	log_event(f, 60, "challenge.closed", "{s:i, s:b}", "challenge", 1,
	    "resolved", 1);
}

static int
lines_feed(void *arg, const struct store_event *ev)
{
	struct metrics *m = arg;
	json_t *obj = exlog_export(ev);
	char *line = json_dumps(obj, JSON_COMPACT), *cause = NULL;

	assert_int_equal(metrics_add_line(m, line, strlen(line), &cause), 0);
	free(line);
	json_decref(obj);
	return 0;
}

/* November's report from the log as exported JSON lines, as text. */
static char *
report_from_lines(struct fixture *f)
{
	struct metrics_factors k = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	struct metrics *m = metrics_new(&k, "test");
	json_t *r;
	char *out;

	assert_int_equal(store_event_scan(f->st, 0, 1000, lines_feed, m), 0);
	r = metrics_report(m, NOV_2026, DEC_2026, NULL);
	out = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(r);
	metrics_free(m);
	return out;
}

/* November's report straight from the store, as text. */
static char *
report_from_db(struct store *st)
{
	struct metrics_factors k = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	char *cause = NULL, *out;
	json_t *r;

	r = report_from_store(st, &k, "test", NOV_2026, DEC_2026, NULL, &cause);
	if (r == NULL)
		fail_msg("report_from_store: %s", cause);
	out = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(r);
	return out;
}

/* Checks what a reader of November's report sees of log_a_month. */
static void
assert_month_figures(const char *text)
{
	json_t *r = json_loads(text, 0, NULL), *fig, *health, *pos;

	assert_non_null(r);
	fig = json_object_get(r, "figures");
	health = json_object_get(r, "health");
	pos = json_object_get(r, "positive_sum");
	assert_int_equal(json_integer_value(json_object_get(fig, "sourced_g")),
	    12000);
	assert_int_equal(
	    json_integer_value(json_object_get(fig, "redistributed_g")), 14000);
	assert_int_equal(
	    json_integer_value(json_object_get(fig, "discarded_g")), 700);
	assert_int_equal(json_integer_value(json_object_get(fig, "wasted_g")),
	    2700);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(fig, "wasted_by_destination"), "animal_feed")),
	    700);
	assert_int_equal(json_integer_value(json_object_get(fig, "no_shows")),
	    0);
	assert_int_equal(
	    json_integer_value(json_object_get(fig, "people_supported")), 80);
	assert_true(
	    json_real_value(json_object_get(health, "dispute_hours")) == 3.0);
	assert_int_equal(
	    json_integer_value(json_object_get(health, "challenges_resolved")),
	    1);
	assert_string_equal(json_string_value(json_array_get(
	                        json_object_get(pos, "at_floor"), 0)),
	    "charlie");
	json_decref(r);
}

/* The facts kept when an event is appended. */
static void
test_exlog_keeps_facts_beside_events(void **state)
{
	struct fixture *f = *state;
	char *row;

	log_a_month(f);
	row = raw_text(f,
	    "SELECT kind || ' ' || member || ' ' || week || ' ' || people "
	    "|| ' ' || typeof(grams) FROM events WHERE kind = "
	    "'people.reported'");
	assert_string_equal(row, "people.reported bravo 1793577600 80 null");
	free(row);
	row = raw_text(f,
	    "SELECT how || ' ' || raised FROM events WHERE kind = "
	    "'dispute.settled' ORDER BY seq");
	assert_string_equal(row, "rejected 1793602800");
	free(row);
	row = raw_text(f,
	    "SELECT count(*) FROM events WHERE reverses_no_show = 1 AND "
	    "offer = 2 AND hub = 'dagenham' AND allocation = 2");
	assert_string_equal(row, "1");
	free(row);
	row = raw_text(f,
	    "SELECT quote(offer) || ' ' || cause || ' ' || destination FROM "
	    "events WHERE kind = 'waste.recorded' AND member = 'charlie'");
	assert_string_equal(row, "NULL spoiled animal_feed");
	free(row);
}

/* The report read from kept facts is the one the JSON lines give. */
static void
test_exlog_facts_report_equals_lines(void **state)
{
	struct fixture *f = *state;
	char *db, *lines;

	log_a_month(f);
	db = report_from_db(f->st);
	lines = report_from_lines(f);
	assert_string_equal(db, lines);
	assert_month_figures(db);
	free(db);
	free(lines);
}

/*
 * A schema 7 database (events without facts) reads the same read-only;
 * opened to write, it gains the facts the appends would have kept, and
 * the same report, while the chain verifies and the log stays closed.
 */
static void
test_exlog_facts_migrate_from_seven(void **state)
{
	struct fixture *f = *state;
	struct exlog_check check;
	char *kept, *lines, *old, *migrated, *now, *cause = NULL;

	log_a_month(f);
	kept = facts_snapshot(f);
	lines = report_from_lines(f);
	exlog_free(f->log);
	f->log = NULL;
	store_close(f->st);
	make_version_seven(f);

	f->st = store_open(f->path, 1, &cause);
	assert_non_null(f->st);
	assert_false(store_event_has_facts(f->st));
	old = report_from_db(f->st);
	assert_string_equal(old, lines);
	store_close(f->st);

	f->st = store_open(f->path, 0, &cause);
	assert_non_null(f->st);
	f->log = exlog_open(f->st, &cause);
	assert_true(store_event_has_facts(f->st));
	now = raw_text(f, "PRAGMA user_version");
	assert_int_equal(atoi(now), STORE_SCHEMA_VERSION);
	free(now);
	now = facts_snapshot(f);
	assert_string_equal(now, kept);
	migrated = report_from_db(f->st);
	assert_string_equal(migrated, lines);
	assert_month_figures(migrated);
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.bad_seq, 0);
	assert_int_equal(check.events, 20);
	assert_int_not_equal(
	    raw_exec(f, "UPDATE events SET grams = 1 WHERE seq = 4"),
	    SQLITE_OK);
	assert_int_not_equal(raw_exec(f, "DELETE FROM events WHERE seq = 4"),
	    SQLITE_OK);
	free(kept);
	free(lines);
	free(old);
	free(now);
	free(migrated);
}

/* Every fact column of one event, quoted, for comparing two events. */
static char *
facts_of(struct fixture *f, int seq)
{
	char sql[512];

	snprintf(sql, sizeof sql,
	    "SELECT quote(kind) || quote(member) || quote(donor) || quote(hub)"
	    " || quote(destination) || quote(cause) || quote(how) ||"
	    " quote(week) || quote(raised) || quote(grams) || quote(offer) ||"
	    " quote(allocation) || quote(people) || quote(challenge) ||"
	    " quote(reverses_no_show) || quote(resolved) || quote(at)"
	    " FROM events WHERE seq = %d",
	    seq);
	return raw_text(f, sql);
}

/*
 * An event appended as its members, in any order, is the event its
 * object makes: the same canonical text, facts and chain. One with a key
 * twice, or a key of the log's own, is refused and leaves nothing.
 */
static void
test_exlog_fields_match_the_object(void **state)
{
	struct fixture *f = *state;
	const struct exfield fields[] = {
	    {"window_end", METRICS_TIME, NULL, 1796400000},
	    {"member", METRICS_TEXT, "st \"anne's\" \\ caf\xc3\xa9", 0},
	    {"offer", METRICS_INT, NULL, 42},
	    {"divisible", METRICS_BOOL, NULL, 1},
	    {"flash", METRICS_BOOL, NULL, 0},
	    {"grams", METRICS_INT, NULL, -12500},
	    {"hub", METRICS_TEXT, "barking", 0},
	    {"week", METRICS_TIME, NULL, 1793577600},
	    {"challenge", METRICS_INT, NULL, 7},
	    {"note", METRICS_TEXT, "tab\there\nline \x01 \xe2\x82\xac </", 0},
	};
	struct exfield twice[2] = {{"grams", METRICS_INT, NULL, 1},
	    {"grams", METRICS_INT, NULL, 2}};
	struct exfield own = {"seq", METRICS_INT, NULL, 9};
	struct exfield empty = {"member", METRICS_TEXT, NULL, 0};
	size_t n = sizeof fields / sizeof fields[0];
	struct exlog_check check;
	json_t *obj, *back;
	char *one, *two, *want;

	obj = json_pack("{s:s, s:s, s:i, s:b, s:b, s:i, s:s, s:s, s:i, s:s}",
	    "window_end", "2026-12-04T16:00:00Z", "member",
	    "st \"anne's\" \\ caf\xc3\xa9", "offer", 42, "divisible", 1,
	    "flash", 0, "grams", -12500, "hub", "barking", "week",
	    "2026-11-02T00:00:00Z", "challenge", 7, "note",
	    "tab\there\nline \x01 \xe2\x82\xac </");
	assert_non_null(obj);
	assert_int_equal(
	    exlog_append(f->log, 1796325401, "offer.posted", "humdum", obj), 0);
	assert_int_equal(exlog_append_fields(f->log, 1796325401, "offer.posted",
	                     "humdum", fields, n),
	    0);
	assert_int_equal(exlog_last_seq(f->log), 2);

	/* The second is the first with its own seq, and canonical. */
	one = raw_text(f, "SELECT body FROM events WHERE seq = 1");
	two = raw_text(f, "SELECT body FROM events WHERE seq = 2");
	back = json_loads(one, 0, NULL);
	assert_non_null(back);
	json_object_set_new(back, "seq", json_integer(2));
	want = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(two, want);
	free(want);
	json_decref(back);
	free(one);
	free(two);
	one = facts_of(f, 1);
	two = facts_of(f, 2);
	assert_string_equal(one, two);
	assert_non_null(strstr(one, "'offer.posted'"));
	assert_non_null(strstr(one, "1793577600")); /* the week, read */
	free(one);
	free(two);

	assert_int_equal(
	    exlog_append_fields(f->log, 1796325401, "x", "humdum", twice, 2),
	    -1);
	assert_int_equal(
	    exlog_append_fields(f->log, 1796325401, "x", "humdum", &own, 1),
	    -1);
	assert_int_equal(
	    exlog_append_fields(f->log, 1796325401, "x", "humdum", &empty, 1),
	    -1);
	assert_int_equal(exlog_last_seq(f->log), 2);
	assert_int_equal(exlog_verify(f->st, &check), 0);
	assert_int_equal(check.events, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_exlog_chain_verifies, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_exlog_hash_is_sha256_of_prev_and_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_changed_body_is_detected,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_exlog_removed_event_is_detected, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_exlog_rehashed_event_breaks_the_next, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_row_time_must_match_body,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_reload_after_rollback,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_chain_survives_reopen,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_exlog_listener_hears_each_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_fields_match_the_object,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_verify_spans_batches,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_exlog_keeps_facts_beside_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_exlog_facts_report_equals_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exlog_facts_migrate_from_seven,
	        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
