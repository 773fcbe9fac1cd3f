/*
 * test_e2e_report.c: reports through a real larderd: the same month from
 * the daemon, from a log export and from the database file gives the same
 * JSON, every format renders, and the daemon writes a finished month's
 * report files on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"

#define ARGS 24

/* Runs larder as the administrator (acting for as, if given). */
static struct run *
admin(struct daemon_ctx *d, const char *as, ...)
{
	const char *argv[ARGS];
	size_t n = 0;
	va_list ap;

	argv[n++] = "--socket";
	argv[n++] = d->sock;
	if (as != NULL) {
		argv[n++] = "--as";
		argv[n++] = as;
	}
	va_start(ap, as);
	while (n < ARGS - 1 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_larder(d, NULL, argv);
}

/* Runs larder and expects success. */
static char *
ok(struct run *r)
{
	char *out;

	assert_exit(r, 0);
	out = strdup(r->out);
	run_free(r);
	return out;
}

/* The month the daemon's clock is in, as YYYY-MM. */
static void
this_month(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m", &tm);
}

/* A little activity: a request, an offer, a collection, some waste. */
static int
report_setup(void **state)
{
	struct daemon_ctx *d;

	harness_init();
	d = daemon_start("--demo", "--clock", "manual", NULL);
	free(ok(admin(d, "humdum", "offer", "post", "--category", "bakery",
	    "--kg", "12", "--use-by", "+2d", "--collect", "now-+1d", NULL)));
	free(ok(admin(d, "stmarys", "match", "accept", "1", NULL)));
	free(ok(admin(d, "stmarys", "match", "collected", "1", "--kg", "11.5",
	    NULL)));
	free(ok(admin(d, "heathway", "waste", "record", "--kg", "0.7",
	    "--destination", "animal_feed", "--cause", "spoiled", NULL)));
	free(ok(admin(d, "heathway", "fed", "report", "--people", "80", NULL)));
	*state = d;
	return 0;
}

static int
report_teardown(void **state)
{
	struct daemon_ctx *d = *state;

	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
	return 0;
}

static void
test_e2e_report_three_sources_agree(void **state)
{
	struct daemon_ctx *d = *state;
	char month[16], export[HARNESS_PATH + 16];
	char *live, *db, *log;
	json_t *r;

	this_month(month, sizeof month);
	snprintf(export, sizeof export, "%s/export.jsonl", d->dir);
	live = ok(admin(d, NULL, "report", "--month", month, "--format", "json",
	    NULL));
	free(ok(admin(d, NULL, "log", "export", "-o", export, NULL)));
	log = ok(admin(d, NULL, "report", "--month", month, "--format", "json",
	    "--from-log", export, NULL));
	db = ok(admin(d, NULL, "report", "--month", month, "--format", "json",
	    "--db", d->db, NULL));
	assert_string_equal(live, log);
	assert_string_equal(live, db);
	r = json_loads(live, 0, NULL);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(r, "figures"), "redistributed_g")),
	    11500);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(r, "figures"), "discarded_g")),
	    700);
	json_decref(r);
	free(live);
	free(log);
	free(db);
}

static void
test_e2e_report_formats(void **state)
{
	struct daemon_ctx *d = *state;
	char month[16], *out;

	this_month(month, sizeof month);
	out = ok(admin(d, NULL, "report", "--month", month, NULL));
	assert_has(out, month);
	assert_has(out, "11.5 kg");
	free(out);
	out = ok(admin(d, NULL, "report", "--month", month, "--format", "csv",
	    NULL));
	assert_has(out, "stmarys");
	free(out);
	out = ok(admin(d, NULL, "report", "--month", month, "--format", "html",
	    NULL));
	assert_has(out, "<!DOCTYPE html>");
	assert_has(out, "<svg");
	free(out);
}

static void
test_e2e_report_bad_period(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r;

	r = admin(d, NULL, "report", "--month", "2026-13", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "not a month");
	run_free(r);
	r = admin(d, NULL, "report", NULL);
	assert_exit(r, 2);
	run_free(r);
	r = admin(d, NULL, "report", "--month", "2026-11", "--format", "pdf",
	    NULL);
	assert_exit(r, 2);
	run_free(r);
}

static void
test_e2e_report_written_when_month_ends(void **state)
{
	struct daemon_ctx *d = *state;
	char month[16], path[HARNESS_PATH + 32], *file, *db;

	this_month(month, sizeof month);
	free(ok(admin(d, NULL, "clock", "advance", "32d", NULL)));
	snprintf(path, sizeof path, "%s/reports/%s.json", d->state, month);
	file = harness_slurp(path);
	if (file == NULL)
		fail_msg("no report file %s", path);
	db = ok(admin(d, NULL, "report", "--month", month, "--format", "json",
	    "--db", d->db, NULL));
	assert_string_equal(file, db);
	free(file);
	free(db);
	snprintf(path, sizeof path, "%s/reports/%s.html", d->state, month);
	file = harness_slurp(path);
	assert_non_null(file);
	assert_has(file, "<!DOCTYPE html>");
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_report_three_sources_agree),
	    cmocka_unit_test(test_e2e_report_formats),
	    cmocka_unit_test(test_e2e_report_bad_period),
	    cmocka_unit_test(test_e2e_report_written_when_month_ends),
	};

	return cmocka_run_group_tests(tests, report_setup, report_teardown);
}
