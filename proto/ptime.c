/* ptime.c: RFC 3339 times on the wire, integer seconds everywhere else. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

/* Writes v as n decimal digits, zero-padded, at p; returns what follows. */
static char *
ptime_put(char *p, int v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/*
 * Days from 1970-01-01 to the date y-m-d of the proleptic Gregorian
 * calendar, by counting whole 400-year eras (146,097 days each) and days
 * within the era, with the year taken to begin on 1 March so that the
 * leap day falls at its end. Every record and event carries several
 * times, and gmtime_r and timegm, which take the C library's time zone
 * lock, cost several hundred instructions each; this costs a few dozen.
 */
static int64_t
ptime_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                                   /* 0-399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0-365 */
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The date of day z counted from 1970-01-01: ptime_days backwards. */
static void
ptime_date(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097; /* 0-146096 */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0-399 */
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0-365 */
	mp = (5 * doy + 2) / 153;                                    /* 0-11 */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = era * 400 + yoe + (*m <= 2);
}

/*
 * Formats a time as RFC 3339 UTC, e.g. 2026-12-03T19:16:41Z, or
 * "invalid" outside the years 0000-9999.
 */
char *
proto_time_format(time_t t, char *buf, size_t len)
{
	int64_t days = (int64_t)t / 86400, secs = (int64_t)t % 86400, y;
	int m, d;
	char *p = buf;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	ptime_date(days, &y, &m, &d);
	if (y < 0 || y > 9999 || len < sizeof "YYYY-MM-DDTHH:MM:SSZ") {
		snprintf(buf, len, "invalid");
		return buf;
	}
	p = ptime_put(p, (int)y, 4);
	*p++ = '-';
	p = ptime_put(p, m, 2);
	*p++ = '-';
	p = ptime_put(p, d, 2);
	*p++ = 'T';
	p = ptime_put(p, (int)(secs / 3600), 2);
	*p++ = ':';
	p = ptime_put(p, (int)(secs / 60 % 60), 2);
	*p++ = ':';
	p = ptime_put(p, (int)(secs % 60), 2);
	*p++ = 'Z';
	*p = '\0';
	return buf;
}

/* Returns a time as a new JSON string. */
json_t *
proto_time_json(time_t t)
{
	char buf[PROTO_TIME_LEN];

	return json_string(proto_time_format(t, buf, sizeof buf));
}

/* Reads n digits into *out; returns the position after them or NULL. */
static const char *
ptime_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (!isdigit((unsigned char)*s))
			return NULL;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return s;
}

/* Reads YYYY-MM-DDTHH:MM:SS into six fields; returns what follows. */
static const char *
ptime_fields(const char *s, int f[6])
{
	static const char seps[] = "--T::";
	static const int widths[] = {4, 2, 2, 2, 2, 2};
	int i;

	for (i = 0; i < 6; i++) {
		if (i > 0 && toupper((unsigned char)*s++) != seps[i - 1])
			return NULL;
		if ((s = ptime_digits(s, widths[i], &f[i])) == NULL)
			return NULL;
	}
	return s;
}

/* Reads the zone designator: Z or +HH:MM or -HH:MM, as seconds east. */
static int
ptime_zone(const char *s, long *offset)
{
	int sign, hh, mm;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*offset = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	s = ptime_digits(s + 1, 2, &hh);
	if (s == NULL || *s++ != ':' || (s = ptime_digits(s, 2, &mm)) == NULL ||
	    *s != '\0' || hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600L + mm * 60L);
	return 0;
}

/*
 * Parses an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS, optional fraction
 * (dropped), then Z or a numeric offset. Impossible dates are refused.
 */
int
proto_time_parse(const char *s, time_t *t)
{
	int64_t y;
	int f[6], m, d;
	long offset;
	time_t v;

	if ((s = ptime_fields(s, f)) == NULL)
		return -1;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++)
			;
	}
	if (ptime_zone(s, &offset) != 0)
		return -1;
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[3] > 23 || f[4] > 59 ||
	    f[5] > 60)
		return -1;
	/*
	 * A day past the month's end would carry into the next month, and
	 * second 60 of the day's last minute into the next day: both are
	 * refused by checking that the time falls on the day given.
	 */
	v = (time_t)(ptime_days(f[0], f[1], f[2]) * 86400 + f[3] * 3600L +
	    f[4] * 60L + f[5]);
	ptime_date((int64_t)v / 86400, &y, &m, &d);
	if (d != f[2])
		return -1;
	*t = v - offset;
	return 0;
}
