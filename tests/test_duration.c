/* test_duration.c: cmocka tests for the duration parser in
 * client/duration.c that larder clock advance uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

#define MINUTE 60
#define HOUR   3600
#define DAY    86400
#define WEEK   (7 * DAY)

/* Stands in for *cause to show it is left alone on success. */
static char untouched[] = "untouched";

/* Asserts s parses to want seconds and leaves *cause alone. */
static void
duration_ok(const char *s, int64_t want)
{
	char *cause = untouched;
	int64_t got = -7;

	if (duration_parse(s, &got, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
	assert_ptr_equal(cause, untouched);
	if (got != want)
		fail_msg("'%s' gave %lld, want %lld", s, (long long)got,
		    (long long)want);
}

/* Asserts s is refused with a one-line cause holding shown and reason. */
static void
duration_bad_shown(const char *s, const char *shown, const char *reason)
{
	char *cause = NULL;
	int64_t got = -7;

	assert_int_equal(duration_parse(s, &got, &cause), -1);
	assert_int_equal(got, -7);
	assert_non_null(cause);
	if (strstr(cause, shown) == NULL || strstr(cause, reason) == NULL)
		fail_msg("cause '%s' lacks '%s' or '%s'", cause, shown, reason);
	assert_null(strchr(cause, '\n'));
	free(cause);
}

/* Asserts s is refused with a cause naming s and reason. */
static void
duration_bad(const char *s, const char *reason)
{
	duration_bad_shown(s, s, reason);
}

static void
test_duration_units(void **state)
{
	(void)state;
	duration_ok("90s", 90);
	duration_ok("30m", 30 * MINUTE);
	duration_ok("2h", 2 * HOUR);
	duration_ok("1d", DAY);
	duration_ok("1w", WEEK);
}

static void
test_duration_plain_seconds(void **state)
{
	(void)state;
	duration_ok("1", 1);
	duration_ok("90", 90);
	duration_ok("0090", 90);
}

static void
test_duration_combined(void **state)
{
	(void)state;
	duration_ok("1d2h", DAY + 2 * HOUR);
	duration_ok("1w1d1h1m1s", WEEK + DAY + HOUR + MINUTE + 1);
	duration_ok("2h30m", 2 * HOUR + 30 * MINUTE);
	duration_ok("1h0m", HOUR);
	duration_ok("90m", 90 * MINUTE);
}

static void
test_duration_one_year(void **state)
{
	(void)state;
	duration_ok("365d", 365 * DAY);
	duration_ok("52w1d", 365 * DAY);
	duration_ok("31536000", 365 * DAY);
}

static void
test_duration_zero(void **state)
{
	(void)state;
	duration_bad("0", "at least one second");
	duration_bad("0s", "at least one second");
	duration_bad("0d0h", "at least one second");
}

static void
test_duration_negative(void **state)
{
	(void)state;
	duration_bad("-5m", "negative");
	duration_bad("-1", "negative");
}

static void
test_duration_junk(void **state)
{
	(void)state;
	duration_bad("", "not a duration");
	duration_bad("h", "not a duration");
	duration_bad("5x", "not a duration");
	duration_bad("1.5h", "not a duration");
	duration_bad("1d2", "not a duration");
	duration_bad("1d 2h", "not a duration");
	duration_bad(" 5m", "not a duration");
	duration_bad("+5m", "not a duration");
	duration_bad("5M", "not a duration");
	duration_bad("5mm", "not a duration");
}

static void
test_duration_unit_order(void **state)
{
	(void)state;
	duration_bad("2h1d", "from weeks down");
	duration_bad("1m1m", "from weeks down");
}

static void
test_duration_over_a_year(void **state)
{
	(void)state;
	duration_bad("366d", "longer than a year");
	duration_bad("53w", "longer than a year");
	duration_bad("365d1s", "longer than a year");
	duration_bad("31536001", "longer than a year");
}

static void
test_duration_overflow(void **state)
{
	(void)state;
	duration_bad("99999999999999999999999999s", "longer than a year");
	duration_bad("9223372036854775807", "longer than a year");
	duration_bad("1w9223372036854775807s", "longer than a year");
}

static void
test_duration_cause_printable(void **state)
{
	char long_input[128];

	(void)state;
	duration_bad_shown("5\nm", "5?m", "not a duration");
	memset(long_input, '7', sizeof long_input - 2);
	long_input[sizeof long_input - 2] = 's';
	long_input[sizeof long_input - 1] = '\0';
	duration_bad_shown(long_input, "777...", "longer than a year");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_units),
	    cmocka_unit_test(test_duration_plain_seconds),
	    cmocka_unit_test(test_duration_combined),
	    cmocka_unit_test(test_duration_one_year),
	    cmocka_unit_test(test_duration_zero),
	    cmocka_unit_test(test_duration_negative),
	    cmocka_unit_test(test_duration_junk),
	    cmocka_unit_test(test_duration_unit_order),
	    cmocka_unit_test(test_duration_over_a_year),
	    cmocka_unit_test(test_duration_overflow),
	    cmocka_unit_test(test_duration_cause_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
