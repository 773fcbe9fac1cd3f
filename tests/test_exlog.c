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
heard(void *arg, json_t *ev)
{
	struct fixture *f = arg;

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
	    cmocka_unit_test_setup_teardown(test_exlog_verify_spans_batches,
	        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
