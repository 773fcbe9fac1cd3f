/* ptime.c: RFC 3339 times on the wire, integer seconds everywhere else. */
#include <ctype.h>
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
 * Formats a time as RFC 3339 UTC, e.g. 2026-12-03T19:16:41Z. Every
 * record and event carries several times, so the digits are written
 * directly rather than through strftime and the locale.
 */
char *
proto_time_format(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char *p = buf;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900 || len < sizeof "YYYY-MM-DDTHH:MM:SSZ") {
		snprintf(buf, len, "invalid");
		return buf;
	}
	p = ptime_put(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = ptime_put(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = ptime_put(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = ptime_put(p, tm.tm_hour, 2);
	*p++ = ':';
	p = ptime_put(p, tm.tm_min, 2);
	*p++ = ':';
	p = ptime_put(p, tm.tm_sec, 2);
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
	struct tm tm, check;
	int f[6];
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
	memset(&tm, 0, sizeof tm);
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[3] > 23 || f[4] > 59 ||
	    f[5] > 60)
		return -1;
	v = timegm(&tm);
	if (v == (time_t)-1 || gmtime_r(&v, &check) == NULL ||
	    check.tm_mday != f[2])
		return -1;
	*t = v - offset;
	return 0;
}
