/* when.c: turns the dates, times, windows and quantities members type into
 * time_t values and whole grams. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "when.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHEN_BUFSZ     128 /* longest time or window worth parsing, plus 1 */
#define WHEN_SHOWN     48  /* input characters quoted in a message */
#define WHEN_MAX_TIME  253402300799LL /* 9999-12-31T23:59:59Z */
#define WHEN_TRY_GRAMS "(try 12.5, 12.5kg or 800g)"
#define WHEN_TRY_TIME                                                          \
	"(try 2026-12-05, 2026-12-05 16:00, today, tomorrow 16:00, "           \
	"friday, 16:00, +2d, +3h)"
#define WHEN_TRY_CLOCK  "(try 16:00 or 9:30)"
#define WHEN_TRY_ZONE   "(try Z, +01:00 or -0500)"
#define WHEN_TRY_REL    "(try +30m, +3h, +2d or +1w)"
#define WHEN_TRY_WINDOW "(try 16:00-19:00, now-+6h or today,tomorrow)"

/* A day and time of day as typed, before it becomes a time_t. */
struct when_fields {
	int year; /* e.g. 2026 */
	int mon;  /* 1 to 12 */
	int mday; /* may run past the month: mktime carries it over */
	int hour;
	int min;
	int sec;
	int zoned;   /* an offset was given: absolute, not local time */
	long offset; /* seconds east of UTC when zoned */
};

/* A decimal number as typed: whole part, up to three decimals. */
struct when_amount {
	int64_t whole; /* capped once past WHEN_MAX_GRAMS */
	int64_t frac;  /* the first three decimals */
	int ndec;      /* decimals typed, even past three */
	int ndig;      /* digits typed in all */
	int dot;       /* a decimal point was typed */
};

/* Copies in, trimmed and without control characters, into shown (at
 * least WHEN_SHOWN + 4 bytes), eliding a long tail with "...". */
static void
when_show(const char *in, char *shown)
{
	size_t len, n, i;

	while (isspace((unsigned char)*in))
		in++;
	len = strlen(in);
	while (len > 0 && isspace((unsigned char)in[len - 1]))
		len--;
	n = len < WHEN_SHOWN ? len : WHEN_SHOWN;
	while (n < len && n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
		n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		shown[i] = c < 0x20 || c == 0x7f ? '?' : in[i];
	}
	if (n < len) {
		memcpy(shown + n, "...", 3);
		n += 3;
	}
	shown[n] = '\0';
}

/* Sets *cause to "<input>": <message> and returns -1. */
static int __attribute__((format(printf, 3, 4)))
when_fail(char **cause, const char *in, const char *fmt, ...)
{
	char shown[WHEN_SHOWN + 4], *msg;
	va_list ap;
	int r;

	when_show(in, shown);
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		*cause = NULL;
		return -1;
	}
	if (asprintf(cause, "\"%s\": %s", shown, msg) < 0)
		*cause = NULL;
	free(msg);
	return -1;
}

/* Copies s without surrounding spaces into buf; -1 if it does not fit. */
static int
when_norm(const char *s, char *buf, size_t size)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= size)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* Returns p past any spaces. */
static const char *
when_skip(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Reads min to max decimal digits at *pp into *val, advancing *pp. */
static int
when_digits(const char **pp, int min, int max, int *val)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (n < max && isdigit((unsigned char)p[n])) {
		v = v * 10 + (p[n] - '0');
		n++;
	}
	if (n < min)
		return -1;
	*val = v;
	*pp = p + n;
	return 0;
}

/* Reads a number with optional decimals at *pp into a. */
static void
when_scan_amount(const char **pp, struct when_amount *a)
{
	const char *p = *pp;

	memset(a, 0, sizeof *a);
	for (; isdigit((unsigned char)*p); p++, a->ndig++) {
		if (a->whole <= WHEN_MAX_GRAMS)
			a->whole = a->whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		a->dot = 1;
		for (p++; isdigit((unsigned char)*p); p++, a->ndec++) {
			if (a->ndec < 3)
				a->frac = a->frac * 10 + (*p - '0');
		}
		a->ndig += a->ndec;
	}
	*pp = p;
}

/* Returns grams per unit for nothing, "kg" or "g" then spaces, else 0. */
static int64_t
when_grams_unit(const char *p)
{
	size_t n = 0;
	int64_t unit = 0;

	p = when_skip(p);
	while (isalpha((unsigned char)p[n]))
		n++;
	if (n == 0 || (n == 2 && strncasecmp(p, "kg", 2) == 0))
		unit = 1000;
	else if (n == 1 && tolower((unsigned char)*p) == 'g')
		unit = 1;
	return *when_skip(p + n) == '\0' ? unit : 0;
}

/* Converts a checked amount to grams, or -1 past WHEN_MAX_GRAMS. */
static int64_t
when_amount_grams(const struct when_amount *a, int64_t unit)
{
	static const int64_t scale[] = {1, 100, 10, 1};
	int64_t g;

	if (a->whole > WHEN_MAX_GRAMS / unit)
		return -1;
	g = a->whole * unit;
	if (unit == 1000)
		g += a->frac * scale[a->ndec];
	return g > WHEN_MAX_GRAMS ? -1 : g;
}

int
when_parse_grams(const char *s, int64_t *grams, char **cause)
{
	struct when_amount a;
	const char *p = when_skip(s);
	int64_t unit, g;
	int neg = *p == '-';

	p += neg;
	when_scan_amount(&p, &a);
	unit = when_grams_unit(p);
	if (a.ndig == 0 || unit == 0)
		return when_fail(cause, s, "not a quantity %s", WHEN_TRY_GRAMS);
	if (unit == 1 && a.dot)
		return when_fail(cause, s,
		    "grams must be whole (try 800g, or 12.5kg for kilograms)");
	if (a.ndec > 3)
		return when_fail(cause, s,
		    "at most three decimals in kilograms (try 1.235kg)");
	g = when_amount_grams(&a, unit);
	if (neg || g == 0)
		return when_fail(cause, s, "quantity must be more than zero");
	if (g < 0)
		return when_fail(cause, s,
		    "more than %lld kg (100 tonnes): is it a typo?",
		    WHEN_MAX_GRAMS / 1000);
	*grams = g;
	return 0;
}

/* Returns the days in month mon (1 to 12) of year. */
static int
when_month_days(int year, int mon)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};
	int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* Checks the year, month and day in f; -1 and *cause naming the fault. */
static int
when_check_date(const struct when_fields *f, const char *in, char **cause)
{
	static const char *const names[] = {"January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December"};
	int days;

	if (f->year < 1970 || f->year > 9999)
		return when_fail(cause, in, "year must be 1970 to 9999");
	if (f->mon < 1 || f->mon > 12)
		return when_fail(cause, in, "month must be 1 to 12");
	days = when_month_days(f->year, f->mon);
	if (f->mday < 1 || f->mday > days)
		return when_fail(cause, in, "no such day (%s %d has %d days)",
		    names[f->mon - 1], f->year, days);
	return 0;
}

/* Checks the time of day in f; -1 and *cause naming the fault. */
static int
when_check_clock(const struct when_fields *f, const char *in, char **cause)
{
	if (f->hour > 23)
		return when_fail(cause, in, "hour must be 0 to 23");
	if (f->min > 59)
		return when_fail(cause, in, "minute must be 0 to 59");
	if (f->sec > 59)
		return when_fail(cause, in, "second must be 0 to 59");
	return 0;
}

/* Returns whether p starts with a time of day: one or two digits, ':'. */
static int
when_is_clock(const char *p)
{
	size_t n = strspn(p, "0123456789");

	return n >= 1 && n <= 2 && p[n] == ':';
}

/* Reads H:MM or HH:MM, then an optional :SS, at *pp into f. */
static int
when_scan_clock(const char **pp, struct when_fields *f)
{
	const char *p = *pp;

	f->sec = 0;
	if (when_digits(&p, 1, 2, &f->hour) != 0 || *p != ':')
		return -1;
	p++;
	if (when_digits(&p, 2, 2, &f->min) != 0)
		return -1;
	if (*p == ':') {
		p++;
		if (when_digits(&p, 2, 2, &f->sec) != 0)
			return -1;
	}
	*pp = p;
	return 0;
}

/* Reads YYYY-MM-DD (month and day may be one digit) at *pp into f. */
static int
when_scan_date(const char **pp, struct when_fields *f)
{
	const char *p = *pp;

	if (when_digits(&p, 4, 4, &f->year) != 0 || *p != '-')
		return -1;
	p++;
	if (when_digits(&p, 1, 2, &f->mon) != 0 || *p != '-')
		return -1;
	p++;
	if (when_digits(&p, 1, 2, &f->mday) != 0)
		return -1;
	*pp = p;
	return 0;
}

/* Reads an optional Z, +HH, +HH:MM or +HHMM (or with -) at *pp into f. */
static int
when_scan_zone(const char **pp, struct when_fields *f)
{
	const char *p = *pp;
	int sign, h, m = 0;

	if (*p == 'z' || *p == 'Z') {
		f->zoned = 1;
		*pp = p + 1;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return 0;
	sign = *p++ == '-' ? -1 : 1;
	if (when_digits(&p, 2, 2, &h) != 0)
		return -1;
	if (*p == ':' || isdigit((unsigned char)*p)) {
		p += *p == ':';
		if (when_digits(&p, 2, 2, &m) != 0)
			return -1;
	}
	if (h > 23 || m > 59)
		return -1;
	f->zoned = 1;
	f->offset = sign * (h * 3600L + m * 60L);
	*pp = p;
	return 0;
}

/* Returns whether the n letters at p are word, ignoring case. */
static int
when_word_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

/* Returns the weekday (0 is Sunday) named by the n letters at p, which
 * may be any prefix of three letters or more, or -1. */
static int
when_weekday(const char *p, size_t n)
{
	static const char *const names[] = {"sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday"};
	int i;

	for (i = 0; i < 7; i++) {
		if (n >= 3 && n <= strlen(names[i]) &&
		    strncasecmp(p, names[i], n) == 0)
			return i;
	}
	return -1;
}

/* Sets the day in f to off days after the day in tm. */
static void
when_set_day(struct when_fields *f, const struct tm *tm, int off)
{
	f->year = tm->tm_year + 1900;
	f->mon = tm->tm_mon + 1;
	f->mday = tm->tm_mday + off;
}

/* Reads today, tomorrow or a weekday name at *pp as a day into f. */
static int
when_scan_word(const char **pp, const struct tm *today, struct when_fields *f)
{
	const char *p = *pp;
	size_t n = 0;
	int wday;

	while (isalpha((unsigned char)p[n]))
		n++;
	if (when_word_is(p, n, "today"))
		when_set_day(f, today, 0);
	else if (when_word_is(p, n, "tomorrow"))
		when_set_day(f, today, 1);
	else if ((wday = when_weekday(p, n)) >= 0)
		when_set_day(f, today, (wday - today->tm_wday + 7) % 7);
	else
		return -1;
	*pp = p + n;
	return 0;
}

/* Reads the day at *pp into f: a date (setting *iso), today, tomorrow or
 * a weekday; a bare time of day leaves *pp alone and means today. */
static int
when_scan_day(const char **pp, time_t now, struct when_fields *f, int *iso)
{
	struct tm today;

	memset(f, 0, sizeof *f);
	*iso = 0;
	if (localtime_r(&now, &today) == NULL)
		return -1;
	when_set_day(f, &today, 0);
	if (when_is_clock(*pp))
		return 0;
	if (isdigit((unsigned char)**pp)) {
		*iso = 1;
		return when_scan_date(pp, f);
	}
	return when_scan_word(pp, &today, f);
}

/* Converts f to a time_t: local time by mktime, or UTC less its offset. */
static int
when_make(const struct when_fields *f, time_t *out, const char *in,
    char **cause)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = f->year - 1900;
	tm.tm_mon = f->mon - 1;
	tm.tm_mday = f->mday;
	tm.tm_hour = f->hour;
	tm.tm_min = f->min;
	tm.tm_sec = f->sec;
	tm.tm_isdst = -1;
	errno = 0;
	t = f->zoned ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 && errno == EOVERFLOW)
		return when_fail(cause, in, "out of range");
	*out = f->zoned ? t - f->offset : t;
	return 0;
}

/* Reads what follows a day at *pp in buf: a space (or T after a date),
 * a time of day, and after a date an optional offset. */
static int
when_scan_time(const char *buf, const char *p, int iso, struct when_fields *f,
    char **cause)
{
	if (p != buf) {
		if (iso && (*p == 't' || *p == 'T'))
			p++;
		else if (isspace((unsigned char)*p))
			p = when_skip(p);
		else
			return when_fail(cause, buf, "not a date or time %s",
			    WHEN_TRY_TIME);
	}
	if (when_scan_clock(&p, f) != 0)
		return when_fail(cause, buf, "not a time of day %s",
		    WHEN_TRY_CLOCK);
	if (when_check_clock(f, buf, cause) != 0)
		return -1;
	if (iso && when_scan_zone(&p, f) != 0)
		return when_fail(cause, buf, "not a time zone offset %s",
		    WHEN_TRY_ZONE);
	if (*p != '\0')
		return when_fail(cause, buf, "not a date or time %s",
		    WHEN_TRY_TIME);
	return 0;
}

/* Parses buf, a date, a time of day, or a day then a time, into *out. */
static int
when_point(const char *buf, time_t now, int end_of_day, time_t *out,
    char **cause)
{
	struct when_fields f;
	const char *p = buf;
	int iso;

	if (when_scan_day(&p, now, &f, &iso) != 0)
		return when_fail(cause, buf, "not a date or time %s",
		    WHEN_TRY_TIME);
	if (iso && when_check_date(&f, buf, cause) != 0)
		return -1;
	if (*p == '\0' && p != buf) {
		f.hour = end_of_day ? 23 : 0;
		f.min = f.sec = end_of_day ? 59 : 0;
	} else if (when_scan_time(buf, p, iso, &f, cause) != 0)
		return -1;
	return when_make(&f, out, buf, cause);
}

/* Returns the seconds in relative unit c (m, h, d or w), or 0. */
static int64_t
when_unit(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	default:
		return 0;
	}
}

/* Parses buf, +N then a unit, as now plus that much real time. */
static int
when_relative(const char *buf, time_t now, time_t *out, char **cause)
{
	const char *p = buf + 1;
	int64_t n = 0, unit, room;
	int ndig = 0;

	for (; isdigit((unsigned char)*p); p++, ndig++) {
		if (n <= WHEN_MAX_TIME)
			n = n * 10 + (*p - '0');
	}
	unit = when_unit(*p);
	if (ndig == 0 || unit == 0 || p[1] != '\0')
		return when_fail(cause, buf, "not a relative time %s",
		    WHEN_TRY_REL);
	room = now < 0 ? WHEN_MAX_TIME : WHEN_MAX_TIME - (int64_t)now;
	if (n > room / unit)
		return when_fail(cause, buf, "too far in the future");
	*out = now + (time_t)(n * unit);
	return 0;
}

int
when_parse_time(const char *s, time_t now, int end_of_day, time_t *out,
    char **cause)
{
	char buf[WHEN_BUFSZ];

	if (when_norm(s, buf, sizeof buf) != 0)
		return when_fail(cause, s, "not a date or time %s",
		    WHEN_TRY_TIME);
	if (strcasecmp(buf, "now") == 0) {
		*out = now;
		return 0;
	}
	if (buf[0] == '+')
		return when_relative(buf, now, out, cause);
	return when_point(buf, now, end_of_day, out, cause);
}

/* Places the times of day fa to fb on the first of today and tomorrow
 * whose end is after now; an end not after the start is the next day. */
static int
when_clock_span(struct when_fields *fa, struct when_fields *fb, time_t now,
    time_t *a, time_t *b, const char *in, char **cause)
{
	int day;

	for (day = 0;; day++) {
		fb->mday = fa->mday;
		if (when_make(fa, a, in, cause) != 0 ||
		    when_make(fb, b, in, cause) != 0)
			return -1;
		if (*b <= *a) {
			fb->mday++;
			if (when_make(fb, b, in, cause) != 0)
				return -1;
		}
		if (*b > now || day == 1)
			return 0;
		fa->mday++;
	}
}

/* Parses buf, HH:MM-HH:MM, as the next such window. */
static int
when_clock_window(const char *buf, time_t now, time_t *a, time_t *b,
    char **cause)
{
	struct when_fields fa, fb;
	struct tm today;
	const char *p = buf;

	memset(&fa, 0, sizeof fa);
	memset(&fb, 0, sizeof fb);
	if (when_scan_clock(&p, &fa) != 0 || *(p = when_skip(p)) != '-')
		return when_fail(cause, buf, "not a window %s",
		    WHEN_TRY_WINDOW);
	p = when_skip(p + 1);
	if (when_scan_clock(&p, &fb) != 0 || *p != '\0')
		return when_fail(cause, buf, "not a window %s",
		    WHEN_TRY_WINDOW);
	if (when_check_clock(&fa, buf, cause) != 0 ||
	    when_check_clock(&fb, buf, cause) != 0)
		return -1;
	if (localtime_r(&now, &today) == NULL)
		return when_fail(cause, buf, "out of range");
	when_set_day(&fa, &today, 0);
	when_set_day(&fb, &today, 0);
	return when_clock_span(&fa, &fb, now, a, b, buf, cause);
}

/* Parses the two times of START,END, the end's bare date at its end. */
static int
when_pair(const char *in, const char *sa, const char *sb, time_t now, time_t *a,
    time_t *b, char **cause)
{
	if (*when_skip(sa) == '\0' || *when_skip(sb) == '\0')
		return when_fail(cause, in, "not a window %s", WHEN_TRY_WINDOW);
	if (when_parse_time(sa, now, 0, a, cause) != 0)
		return -1;
	return when_parse_time(sb, now, 1, b, cause);
}

/* Returns what follows "now -" at the start of buf, or NULL. */
static const char *
when_after_now(const char *buf)
{
	const char *p;

	if (strncasecmp(buf, "now", 3) != 0)
		return NULL;
	p = when_skip(buf + 3);
	return *p == '-' ? p + 1 : NULL;
}

/* Parses buf, a copy of s, as whichever window form it is into [*a, *b). */
static int
when_window_form(const char *s, char *buf, time_t now, time_t *a, time_t *b,
    char **cause)
{
	char *comma = strchr(buf, ',');
	const char *rest;

	if (comma != NULL) {
		*comma = '\0';
		return when_pair(s, buf, comma + 1, now, a, b, cause);
	}
	if (when_is_clock(buf))
		return when_clock_window(buf, now, a, b, cause);
	if ((rest = when_after_now(buf)) != NULL)
		return when_pair(s, "now", rest, now, a, b, cause);
	return when_fail(cause, s, "not a window %s", WHEN_TRY_WINDOW);
}

int
when_parse_window(const char *s, time_t now, time_t *start, time_t *end,
    char **cause)
{
	char buf[WHEN_BUFSZ];
	time_t a, b;

	if (when_norm(s, buf, sizeof buf) != 0)
		return when_fail(cause, s, "not a window %s", WHEN_TRY_WINDOW);
	if (when_window_form(s, buf, now, &a, &b, cause) != 0)
		return -1;
	if (b <= a)
		return when_fail(cause, s, "window ends before it starts");
	*start = a;
	*end = b;
	return 0;
}
