/* test_when.c: cmocka tests for the date, time, window and quantity
 * parsers in client/when.c, run in the Europe/London time zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "when.h"

#define NOW_THU     1796310000 /* 2026-12-03 15:00 GMT, a Thursday */
#define NOW_PRE_DST 1774699200 /* 2026-03-28 12:00 GMT, day before BST */
#define HOUR        3600
#define DAY         86400

/* Stands in for *cause to show it is left alone on success. */
static char untouched[] = "untouched";

/* Returns the local time with these fields, worked out by mktime. */
static time_t
local(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Asserts cause is one line naming both the input and the reason. */
static void
check_cause(char *cause, const char *input, const char *reason)
{
	assert_non_null(cause);
	if (strstr(cause, input) == NULL || strstr(cause, reason) == NULL)
		fail_msg("cause '%s' lacks '%s' or '%s'", cause, input, reason);
	assert_null(strchr(cause, '\n'));
	free(cause);
}

/* Asserts s parses to want grams. */
static void
grams_ok(const char *s, int64_t want)
{
	char *cause = untouched;
	int64_t got = -7;

	if (when_parse_grams(s, &got, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
	assert_ptr_equal(cause, untouched);
	assert_int_equal(got, want);
}

/* Asserts s is refused as a quantity for reason. */
static void
grams_bad(const char *s, const char *reason)
{
	char *cause = NULL;
	int64_t got = -7;

	assert_int_equal(when_parse_grams(s, &got, &cause), -1);
	assert_int_equal(got, -7);
	check_cause(cause, s, reason);
}

/* Asserts s parses, at now and with end_of_day eod, to want. */
static void
time_ok(const char *s, time_t now, int eod, time_t want)
{
	char *cause = untouched;
	time_t got = -7;

	if (when_parse_time(s, now, eod, &got, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
	assert_ptr_equal(cause, untouched);
	if (got != want)
		fail_msg("'%s' gave %lld, want %lld", s, (long long)got,
		    (long long)want);
}

/* Asserts s is refused as a time for reason. */
static void
time_bad(const char *s, const char *reason)
{
	char *cause = NULL;
	time_t got = -7;

	assert_int_equal(when_parse_time(s, NOW_THU, 0, &got, &cause), -1);
	assert_int_equal(got, -7);
	check_cause(cause, s, reason);
}

/* Asserts window s, at now, is [want_start, want_end). */
static void
window_ok(const char *s, time_t now, time_t want_start, time_t want_end)
{
	char *cause = untouched;
	time_t start = -7, end = -7;

	if (when_parse_window(s, now, &start, &end, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
	assert_ptr_equal(cause, untouched);
	if (start != want_start || end != want_end)
		fail_msg("'%s' gave [%lld, %lld), want [%lld, %lld)", s,
		    (long long)start, (long long)end, (long long)want_start,
		    (long long)want_end);
}

/* Asserts window s is refused, with a cause naming shown and reason. */
static void
window_bad(const char *s, const char *shown, const char *reason)
{
	char *cause = NULL;
	time_t start = -7, end = -7;

	assert_int_equal(when_parse_window(s, NOW_THU, &start, &end, &cause),
	    -1);
	assert_int_equal(start, -7);
	assert_int_equal(end, -7);
	check_cause(cause, shown, reason);
}

/* Puts the tests in London time, which has a summer time. */
static int
group_setup(void **state)
{
	(void)state;
	setenv("TZ", "Europe/London", 1);
	tzset();
	return 0;
}

/* The fixed clocks agree with date(1) and with mktime. */
static void
test_when_fixture_clocks(void **state)
{
	(void)state;
	assert_int_equal(local(2026, 12, 3, 15, 0, 0), NOW_THU);
	assert_int_equal(local(2026, 3, 28, 12, 0, 0), NOW_PRE_DST);
}

/* A bare number is kilograms, decimals allowed. */
static void
test_when_grams_plain_kilograms(void **state)
{
	(void)state;
	grams_ok("12.5", 12500);
	grams_ok("3", 3000);
	grams_ok("0.25", 250);
	grams_ok("1.234", 1234);
	grams_ok("2.", 2000);
	grams_ok(".5", 500);
	grams_ok("  7.5  ", 7500);
}

/* kg in any case, with or without spaces before it. */
static void
test_when_grams_kilogram_unit(void **state)
{
	(void)state;
	grams_ok("12.5kg", 12500);
	grams_ok("12.5 kg", 12500);
	grams_ok("12.5  KG", 12500);
	grams_ok("2Kg", 2000);
	grams_ok("0.001kg", 1);
	grams_ok("1.200kg", 1200);
}

/* g means whole grams, in any case, with or without spaces. */
static void
test_when_grams_whole_grams(void **state)
{
	(void)state;
	grams_ok("800g", 800);
	grams_ok("800 g", 800);
	grams_ok("800G", 800);
	grams_ok("1g", 1);
}

/* Exactly 100 tonnes is still allowed. */
static void
test_when_grams_at_max(void **state)
{
	(void)state;
	grams_ok("100000kg", WHEN_MAX_GRAMS);
	grams_ok("100000.000", WHEN_MAX_GRAMS);
	grams_ok("100000000g", WHEN_MAX_GRAMS);
}

/* Nothing at all is not a quantity. */
static void
test_when_grams_zero(void **state)
{
	(void)state;
	grams_bad("0", "more than zero");
	grams_bad("0kg", "more than zero");
	grams_bad("0.000kg", "more than zero");
	grams_bad("0g", "more than zero");
}

/* Negative quantities are refused. */
static void
test_when_grams_negative(void **state)
{
	(void)state;
	grams_bad("-1", "more than zero");
	grams_bad("-800g", "more than zero");
	grams_bad("-99999999999999999999", "more than zero");
}

/* Kilograms take at most three decimals: grams are whole. */
static void
test_when_grams_too_many_decimals(void **state)
{
	(void)state;
	grams_bad("1.2345kg", "three decimals");
	grams_bad("1.2345", "three decimals");
	grams_bad("0.0001", "three decimals");
}

/* Grams cannot have decimals. */
static void
test_when_grams_fractional_grams(void **state)
{
	(void)state;
	grams_bad("12.5g", "whole");
	grams_bad("12.g", "whole");
}

/* Anything else is junk, and the cause lists the accepted forms. */
static void
test_when_grams_junk(void **state)
{
	(void)state;
	grams_bad("abc", "12.5kg or 800g");
	grams_bad("12.5lb", "not a quantity");
	grams_bad("12.5kgs", "not a quantity");
	grams_bad("12kg5", "not a quantity");
	grams_bad("1.2.3", "not a quantity");
	grams_bad("1,5kg", "not a quantity");
	grams_bad("kg", "not a quantity");
	grams_bad(".", "not a quantity");
	grams_bad("+5", "not a quantity");
	grams_bad("5 k g", "not a quantity");
}

/* An empty or blank quantity is junk. */
static void
test_when_grams_empty(void **state)
{
	char *cause = NULL;
	int64_t got;

	(void)state;
	assert_int_equal(when_parse_grams("", &got, &cause), -1);
	check_cause(cause, "\"\"", "not a quantity");
	assert_int_equal(when_parse_grams("   ", &got, &cause), -1);
	check_cause(cause, "\"\"", "not a quantity");
}

/* A number too big for any integer type does not overflow. */
static void
test_when_grams_huge(void **state)
{
	(void)state;
	grams_bad("99999999999999999999", "100 tonnes");
	grams_bad("99999999999999999999g", "100 tonnes");
	grams_bad("9223372036854775808kg", "100 tonnes");
}

/* Just over 100 tonnes is taken for a typo. */
static void
test_when_grams_over_max(void **state)
{
	(void)state;
	grams_bad("100000.001kg", "100 tonnes");
	grams_bad("100001", "100 tonnes");
	grams_bad("100000001g", "100 tonnes");
}

/* Long input is refused, and quoted only in part. */
static void
test_when_grams_long_input(void **state)
{
	char *s = malloc(10001), *cause = NULL;
	int64_t got;

	(void)state;
	assert_non_null(s);
	memset(s, '7', 10000);
	s[10000] = '\0';
	assert_int_equal(when_parse_grams(s, &got, &cause), -1);
	assert_non_null(cause);
	assert_true(strlen(cause) < 200);
	assert_non_null(strstr(cause, "..."));
	free(cause);
	memset(s, 'x', 10000);
	assert_int_equal(when_parse_grams(s, &got, &cause), -1);
	assert_true(strlen(cause) < 200);
	free(cause);
	free(s);
}

/* An ISO date is its start, or its last second with end_of_day. */
static void
test_when_time_iso_date(void **state)
{
	(void)state;
	time_ok("2026-12-05", NOW_THU, 0, local(2026, 12, 5, 0, 0, 0));
	time_ok("2026-12-05", NOW_THU, 1, local(2026, 12, 5, 23, 59, 59));
	time_ok("2026-1-5", NOW_THU, 0, local(2026, 1, 5, 0, 0, 0));
	time_ok("2020-01-01", NOW_THU, 0, local(2020, 1, 1, 0, 0, 0));
	time_ok("2028-02-29", NOW_THU, 0, local(2028, 2, 29, 0, 0, 0));
	time_ok("2000-02-29", NOW_THU, 1, local(2000, 2, 29, 23, 59, 59));
}

/* An ISO date and time, with T or spaces, and optional seconds. */
static void
test_when_time_iso_datetime(void **state)
{
	time_t want = local(2026, 12, 5, 16, 0, 0);

	(void)state;
	time_ok("2026-12-05T16:00", NOW_THU, 0, want);
	time_ok("2026-12-05 16:00", NOW_THU, 0, want);
	time_ok("2026-12-05  16:00", NOW_THU, 1, want);
	time_ok("2026-12-05t16:00", NOW_THU, 0, want);
	time_ok("2026-12-05T16:00:30", NOW_THU, 0, want + 30);
	time_ok("2026-12-05 9:05", NOW_THU, 0, local(2026, 12, 5, 9, 5, 0));
}

/* Z makes the time UTC, whatever the local zone says. */
static void
test_when_time_iso_zulu(void **state)
{
	(void)state;
	time_ok("2026-12-05T16:00Z", NOW_THU, 0, 1796486400);
	time_ok("2026-12-05 16:00z", NOW_THU, 0, 1796486400);
	time_ok("2026-06-05T16:00Z", NOW_THU, 0, 1780675200);
	time_ok("2026-06-05T16:00:00Z", NOW_THU, 1, 1780675200);
}

/* A numeric offset makes the time absolute. */
static void
test_when_time_iso_offset(void **state)
{
	(void)state;
	time_ok("2026-12-05T16:00+01:00", NOW_THU, 0, 1796482800);
	time_ok("2026-12-05T16:00+0100", NOW_THU, 0, 1796482800);
	time_ok("2026-12-05T16:00+01", NOW_THU, 0, 1796482800);
	time_ok("2026-12-05T16:00:30-05:00", NOW_THU, 0, 1796504430);
	time_ok("2026-12-05T16:00-0500", NOW_THU, 0, 1796504400);
	time_ok("2026-12-05 16:00+05:00", NOW_THU, 0, 1796468400);
	time_ok("2026-12-05T16:00+00:00", NOW_THU, 0, 1796486400);
}

/* Malformed or impossible offsets are refused. */
static void
test_when_time_bad_offset(void **state)
{
	(void)state;
	time_bad("2026-12-05T16:00+1", "time zone offset");
	time_bad("2026-12-05T16:00+24:00", "time zone offset");
	time_bad("2026-12-05T16:00+01:60", "time zone offset");
	time_bad("2026-12-05T16:00+01:0", "time zone offset");
	time_bad("2026-12-05T16:00+", "time zone offset");
	time_bad("2026-12-05T16:00Zjunk", "not a date");
	time_bad("2026-12-05Z", "not a date");
	time_bad("16:00Z", "not a date");
	time_bad("tomorrow 16:00+01:00", "not a date");
}

/* now is now, whatever end_of_day says. */
static void
test_when_time_now(void **state)
{
	(void)state;
	time_ok("now", NOW_THU, 0, NOW_THU);
	time_ok("  NOW ", NOW_THU, 1, NOW_THU);
}

/* today is a date: its start or its end. */
static void
test_when_time_today(void **state)
{
	(void)state;
	time_ok("today", NOW_THU, 0, local(2026, 12, 3, 0, 0, 0));
	time_ok("Today", NOW_THU, 1, local(2026, 12, 3, 23, 59, 59));
}

/* tomorrow is a date, also across a month end. */
static void
test_when_time_tomorrow(void **state)
{
	time_t dec31 = local(2026, 12, 31, 10, 0, 0);

	(void)state;
	time_ok("tomorrow", NOW_THU, 0, local(2026, 12, 4, 0, 0, 0));
	time_ok("TOMORROW", NOW_THU, 1, local(2026, 12, 4, 23, 59, 59));
	time_ok("tomorrow", dec31, 0, local(2027, 1, 1, 0, 0, 0));
}

/* A weekday is the next such day, full or abbreviated. */
static void
test_when_time_weekday_next(void **state)
{
	(void)state;
	time_ok("friday", NOW_THU, 0, local(2026, 12, 4, 0, 0, 0));
	time_ok("Fri", NOW_THU, 0, local(2026, 12, 4, 0, 0, 0));
	time_ok("FRIDAY", NOW_THU, 1, local(2026, 12, 4, 23, 59, 59));
	time_ok("saturday", NOW_THU, 0, local(2026, 12, 5, 0, 0, 0));
	time_ok("sun", NOW_THU, 0, local(2026, 12, 6, 0, 0, 0));
	time_ok("monday", NOW_THU, 0, local(2026, 12, 7, 0, 0, 0));
	time_ok("tue", NOW_THU, 0, local(2026, 12, 8, 0, 0, 0));
	time_ok("tues", NOW_THU, 0, local(2026, 12, 8, 0, 0, 0));
	time_ok("wednesday", NOW_THU, 0, local(2026, 12, 9, 0, 0, 0));
}

/* Today's own weekday name means today, not next week. */
static void
test_when_time_weekday_today(void **state)
{
	(void)state;
	time_ok("thursday", NOW_THU, 0, local(2026, 12, 3, 0, 0, 0));
	time_ok("thu", NOW_THU, 1, local(2026, 12, 3, 23, 59, 59));
	time_ok("thurs", NOW_THU, 0, local(2026, 12, 3, 0, 0, 0));
}

/* +N with m, h, d or w is that much after now, ignoring end_of_day. */
static void
test_when_time_relative(void **state)
{
	(void)state;
	time_ok("+2d", NOW_THU, 0, NOW_THU + 2 * DAY);
	time_ok("+2d", NOW_THU, 1, NOW_THU + 2 * DAY);
	time_ok("+3h", NOW_THU, 0, NOW_THU + 3 * HOUR);
	time_ok("+3H", NOW_THU, 1, NOW_THU + 3 * HOUR);
	time_ok("+30m", NOW_THU, 0, NOW_THU + 30 * 60);
	time_ok("+1w", NOW_THU, 0, NOW_THU + 7 * DAY);
	time_ok(" +0h ", NOW_THU, 0, NOW_THU);
}

/* +1d is 24 hours of real time, even across the clocks going forward. */
static void
test_when_time_relative_across_dst(void **state)
{
	(void)state;
	time_ok("+1d", NOW_PRE_DST, 0, 1774785600);
	time_ok("+1d", NOW_PRE_DST, 0, local(2026, 3, 29, 13, 0, 0));
	time_ok("tomorrow 12:00", NOW_PRE_DST, 0, NOW_PRE_DST + 23 * HOUR);
}

/* Relative times of the wrong shape are refused. */
static void
test_when_time_relative_junk(void **state)
{
	(void)state;
	time_bad("+2x", "+30m, +3h, +2d or +1w");
	time_bad("+", "not a relative time");
	time_bad("+d", "not a relative time");
	time_bad("+2", "not a relative time");
	time_bad("+2dd", "not a relative time");
	time_bad("+2 d", "not a relative time");
	time_bad("+-2d", "not a relative time");
	time_bad("+1d2h", "not a relative time");
	time_bad("-2d", "not a date");
}

/* Relative times too far ahead do not overflow. */
static void
test_when_time_relative_overflow(void **state)
{
	(void)state;
	time_bad("+99999999999999999999d", "too far");
	time_bad("+99999999999999999999999999999999999999w", "too far");
	time_bad("+1000000w", "too far");
	time_ok("+100w", NOW_THU, 0, NOW_THU + 700 * DAY);
}

/* HH:MM alone is today at that time, past or not. */
static void
test_when_time_clock(void **state)
{
	(void)state;
	time_ok("16:00", NOW_THU, 0, local(2026, 12, 3, 16, 0, 0));
	time_ok("16:00", NOW_THU, 1, local(2026, 12, 3, 16, 0, 0));
	time_ok("9:30", NOW_THU, 0, local(2026, 12, 3, 9, 30, 0));
	time_ok("09:30", NOW_THU, 0, local(2026, 12, 3, 9, 30, 0));
	time_ok("16:00:30", NOW_THU, 0, local(2026, 12, 3, 16, 0, 30));
	time_ok("0:00", NOW_THU, 0, local(2026, 12, 3, 0, 0, 0));
	time_ok("23:59", NOW_THU, 0, local(2026, 12, 3, 23, 59, 0));
}

/* A day then a time is that day at that time. */
static void
test_when_time_day_and_clock(void **state)
{
	(void)state;
	time_ok("tomorrow 16:00", NOW_THU, 0, local(2026, 12, 4, 16, 0, 0));
	time_ok("Tomorrow   7:05", NOW_THU, 1, local(2026, 12, 4, 7, 5, 0));
	time_ok("friday 09:30", NOW_THU, 0, local(2026, 12, 4, 9, 30, 0));
	time_ok("mon 18:00", NOW_THU, 0, local(2026, 12, 7, 18, 0, 0));
	time_ok("thursday 08:00", NOW_THU, 0, local(2026, 12, 3, 8, 0, 0));
	time_ok("today 23:59:59", NOW_THU, 0, local(2026, 12, 3, 23, 59, 59));
}

/* Local times in summer are BST, UTC+1. */
static void
test_when_time_dst_summer(void **state)
{
	(void)state;
	time_ok("2026-03-29 12:00", NOW_THU, 0, 1774782000);
	time_ok("2026-03-29T12:00Z", NOW_THU, 0, 1774782000 + HOUR);
	time_ok("2026-03-29 00:30", NOW_THU, 0, 1774744200);
	time_ok("2026-03-29", NOW_THU, 1, 1774825199);
}

/* Dates that do not exist are refused, saying which part is wrong. */
static void
test_when_time_invalid_date(void **state)
{
	(void)state;
	time_bad("2026-02-29", "February 2026 has 28 days");
	time_bad("2026-04-31", "April 2026 has 30 days");
	time_bad("2100-02-29", "February 2100 has 28 days");
	time_bad("2026-12-00", "no such day");
	time_bad("2026-13-01", "month must be 1 to 12");
	time_bad("2026-00-10", "month must be 1 to 12");
	time_bad("1969-12-31", "year must be");
	time_bad("2026-02-29 12:00", "no such day");
}

/* Times of day that do not exist are refused. */
static void
test_when_time_invalid_clock(void **state)
{
	(void)state;
	time_bad("25:00", "hour must be 0 to 23");
	time_bad("24:00", "hour");
	time_bad("12:60", "minute must be 0 to 59");
	time_bad("12:00:60", "second must be 0 to 59");
	time_bad("2026-12-05 24:00", "hour");
	time_bad("tomorrow 25:00", "hour");
}

/* Anything else is refused, listing the accepted forms. */
static void
test_when_time_junk(void **state)
{
	(void)state;
	time_bad("frday", "try 2026-12-05, 2026-12-05 16:00, today");
	time_bad("fr", "not a date");
	time_bad("tomorrowish", "not a date");
	time_bad("tomorrow 4pm", "not a time of day");
	time_bad("tomorrow16:00", "not a date");
	time_bad("now 16:00", "not a date");
	time_bad("2026/12/05", "not a date");
	time_bad("26-12-05", "not a date");
	time_bad("2026-12-05 16:00 x", "not a date");
	time_bad("2026-12-05T", "not a time of day");
	time_bad("16", "not a date");
	time_bad("16:0", "not a time of day");
	time_bad("16:000", "not a date");
}

/* An empty or blank time is refused. */
static void
test_when_time_empty(void **state)
{
	char *cause = NULL;
	time_t got;

	(void)state;
	assert_int_equal(when_parse_time("", NOW_THU, 0, &got, &cause), -1);
	check_cause(cause, "\"\"", "not a date");
	assert_int_equal(when_parse_time(" \t", NOW_THU, 0, &got, &cause), -1);
	check_cause(cause, "\"\"", "not a date");
}

/* Long input is refused, quoted only in part and on one line. */
static void
test_when_time_long_input(void **state)
{
	char *s = malloc(10001), *cause = NULL;
	time_t got;

	(void)state;
	assert_non_null(s);
	memset(s, 'a', 10000);
	s[10000] = '\0';
	s[5] = '\n';
	assert_int_equal(when_parse_time(s, NOW_THU, 0, &got, &cause), -1);
	assert_true(strlen(cause) < 300);
	check_cause(cause, "\"aaaaa?aaa", "...");
	memcpy(s, "+99", 3);
	memset(s + 3, '9', 9996);
	s[9999] = 'd';
	assert_int_equal(when_parse_time(s, NOW_THU, 0, &got, &cause), -1);
	check_cause(cause, "+999", "not a date");
	free(s);
}

/* HH:MM-HH:MM is today's window while its end is still to come. */
static void
test_when_window_clock_today(void **state)
{
	(void)state;
	window_ok("16:00-19:00", NOW_THU, local(2026, 12, 3, 16, 0, 0),
	    local(2026, 12, 3, 19, 0, 0));
	window_ok("9:00 - 17:30", NOW_THU, local(2026, 12, 3, 9, 0, 0),
	    local(2026, 12, 3, 17, 30, 0));
	window_ok("14:00-15:00:01", NOW_THU, local(2026, 12, 3, 14, 0, 0),
	    NOW_THU + 1);
}

/* Once today's window has ended, it is tomorrow's. */
static void
test_when_window_clock_tomorrow(void **state)
{
	(void)state;
	window_ok("09:00-12:00", NOW_THU, local(2026, 12, 4, 9, 0, 0),
	    local(2026, 12, 4, 12, 0, 0));
	window_ok("09:00-15:00", NOW_THU, local(2026, 12, 4, 9, 0, 0),
	    local(2026, 12, 4, 15, 0, 0));
}

/* An end not after the start is on the following day. */
static void
test_when_window_wrap_midnight(void **state)
{
	time_t one_am = local(2026, 12, 3, 1, 0, 0);

	(void)state;
	window_ok("22:00-02:00", NOW_THU, local(2026, 12, 3, 22, 0, 0),
	    local(2026, 12, 4, 2, 0, 0));
	window_ok("10:00-02:00", NOW_THU, local(2026, 12, 3, 10, 0, 0),
	    local(2026, 12, 4, 2, 0, 0));
	window_ok("22:00-02:00", one_am, local(2026, 12, 3, 22, 0, 0),
	    local(2026, 12, 4, 2, 0, 0));
	window_ok("16:00-16:00", NOW_THU, local(2026, 12, 3, 16, 0, 0),
	    local(2026, 12, 4, 16, 0, 0));
}

/* A clock window on the day the clocks go forward is 1 hour shorter. */
static void
test_when_window_clock_across_dst(void **state)
{
	(void)state;
	window_ok("20:00-08:00", NOW_PRE_DST, local(2026, 3, 28, 20, 0, 0),
	    local(2026, 3, 28, 20, 0, 0) + 11 * HOUR);
}

/* now-+<rel> runs from now for that long. */
static void
test_when_window_now_relative(void **state)
{
	(void)state;
	window_ok("now-+6h", NOW_THU, NOW_THU, NOW_THU + 6 * HOUR);
	window_ok(" NOW - +30m ", NOW_THU, NOW_THU, NOW_THU + 30 * 60);
	window_ok("now-+1d", NOW_PRE_DST, NOW_PRE_DST, NOW_PRE_DST + DAY);
	window_ok("now-tomorrow", NOW_THU, NOW_THU,
	    local(2026, 12, 4, 23, 59, 59));
}

/* START,END takes any two times; a bare END date runs to its end. */
static void
test_when_window_pair(void **state)
{
	(void)state;
	window_ok("today,tomorrow", NOW_THU, local(2026, 12, 3, 0, 0, 0),
	    local(2026, 12, 4, 23, 59, 59));
	window_ok("2026-12-05 16:00,2026-12-05 19:00", NOW_THU,
	    local(2026, 12, 5, 16, 0, 0), local(2026, 12, 5, 19, 0, 0));
	window_ok("friday 16:00 , friday 19:00", NOW_THU,
	    local(2026, 12, 4, 16, 0, 0), local(2026, 12, 4, 19, 0, 0));
	window_ok("now,+2h", NOW_THU, NOW_THU, NOW_THU + 2 * HOUR);
	window_ok("friday,friday", NOW_THU, local(2026, 12, 4, 0, 0, 0),
	    local(2026, 12, 4, 23, 59, 59));
	window_ok("2026-12-05T16:00Z,2026-12-05T17:01+01:00", NOW_THU,
	    1796486400, 1796486400 + 60);
}

/* Windows in the past are for the server to judge, not here. */
static void
test_when_window_past_allowed(void **state)
{
	(void)state;
	window_ok("2020-01-01,2020-01-02", NOW_THU, local(2020, 1, 1, 0, 0, 0),
	    local(2020, 1, 2, 23, 59, 59));
	window_ok("09:00,10:00", NOW_THU, local(2026, 12, 3, 9, 0, 0),
	    local(2026, 12, 3, 10, 0, 0));
}

/* A window must end after it starts. */
static void
test_when_window_ends_before_start(void **state)
{
	(void)state;
	window_bad("19:00,16:00", "19:00,16:00", "ends before it starts");
	window_bad("tomorrow,today", "tomorrow,today", "ends before it");
	window_bad("now-+0h", "now-+0h", "ends before it starts");
	window_bad("now,now", "now,now", "ends before it starts");
}

/* Windows that are no window form, or have a bad part, are refused. */
static void
test_when_window_junk(void **state)
{
	(void)state;
	window_bad("", "\"\"", "not a window");
	window_bad("16:00", "16:00", "try 16:00-19:00, now-+6h");
	window_bad("tomorrow", "tomorrow", "not a window");
	window_bad("16:00-", "16:00-", "not a window");
	window_bad("16:00-19", "16:00-19", "not a window");
	window_bad("16:00-25:00", "16:00-25:00", "hour must be 0 to 23");
	window_bad("frday,tomorrow", "frday", "not a date");
	window_bad("today,frday", "frday", "not a date");
	window_bad("today,", "today,", "not a window");
	window_bad(",today", ",today", "not a window");
	window_bad("now-", "now-", "not a window");
	window_bad("now-x", "x", "not a date");
	window_bad("2026-12-05 16:00", "2026-12-05 16:00", "not a window");
	window_bad("2026-02-29,2026-03-01", "2026-02-29", "no such day");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_when_fixture_clocks),
	    cmocka_unit_test(test_when_grams_plain_kilograms),
	    cmocka_unit_test(test_when_grams_kilogram_unit),
	    cmocka_unit_test(test_when_grams_whole_grams),
	    cmocka_unit_test(test_when_grams_at_max),
	    cmocka_unit_test(test_when_grams_zero),
	    cmocka_unit_test(test_when_grams_negative),
	    cmocka_unit_test(test_when_grams_too_many_decimals),
	    cmocka_unit_test(test_when_grams_fractional_grams),
	    cmocka_unit_test(test_when_grams_junk),
	    cmocka_unit_test(test_when_grams_empty),
	    cmocka_unit_test(test_when_grams_huge),
	    cmocka_unit_test(test_when_grams_over_max),
	    cmocka_unit_test(test_when_grams_long_input),
	    cmocka_unit_test(test_when_time_iso_date),
	    cmocka_unit_test(test_when_time_iso_datetime),
	    cmocka_unit_test(test_when_time_iso_zulu),
	    cmocka_unit_test(test_when_time_iso_offset),
	    cmocka_unit_test(test_when_time_bad_offset),
	    cmocka_unit_test(test_when_time_now),
	    cmocka_unit_test(test_when_time_today),
	    cmocka_unit_test(test_when_time_tomorrow),
	    cmocka_unit_test(test_when_time_weekday_next),
	    cmocka_unit_test(test_when_time_weekday_today),
	    cmocka_unit_test(test_when_time_relative),
	    cmocka_unit_test(test_when_time_relative_across_dst),
	    cmocka_unit_test(test_when_time_relative_junk),
	    cmocka_unit_test(test_when_time_relative_overflow),
	    cmocka_unit_test(test_when_time_clock),
	    cmocka_unit_test(test_when_time_day_and_clock),
	    cmocka_unit_test(test_when_time_dst_summer),
	    cmocka_unit_test(test_when_time_invalid_date),
	    cmocka_unit_test(test_when_time_invalid_clock),
	    cmocka_unit_test(test_when_time_junk),
	    cmocka_unit_test(test_when_time_empty),
	    cmocka_unit_test(test_when_time_long_input),
	    cmocka_unit_test(test_when_window_clock_today),
	    cmocka_unit_test(test_when_window_clock_tomorrow),
	    cmocka_unit_test(test_when_window_wrap_midnight),
	    cmocka_unit_test(test_when_window_clock_across_dst),
	    cmocka_unit_test(test_when_window_now_relative),
	    cmocka_unit_test(test_when_window_pair),
	    cmocka_unit_test(test_when_window_past_allowed),
	    cmocka_unit_test(test_when_window_ends_before_start),
	    cmocka_unit_test(test_when_window_junk),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
