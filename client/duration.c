/* duration.c: turns the spans of time people type into seconds. */
#include "duration.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DURATION_SHOWN 40 /* input characters quoted in a message */
#define DURATION_TRY   "(try 90s, 30m, 2h, 1d, 1w, 1d2h or 90)"

/* Sets *cause to "<input>": <message>, the input shortened and made
 * printable, and returns -1. */
static int __attribute__((format(printf, 3, 4)))
duration_fail(char **cause, const char *in, const char *fmt, ...)
{
	char shown[DURATION_SHOWN + 4], msg[128];
	va_list ap;
	size_t n = strnlen(in, DURATION_SHOWN + 1), i;

	if (n > DURATION_SHOWN) {
		n = DURATION_SHOWN;
		while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		shown[i] =
		    (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
	if (in[n] != '\0') {
		memcpy(shown + n, "...", 3);
		n += 3;
	}
	shown[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (asprintf(cause, "\"%s\": %s", shown, msg) < 0)
		*cause = NULL;
	return -1;
}

/* Returns the seconds in unit c and sets *rank, its place in w d h m s;
 * 0 for no unit. */
static int64_t
duration_unit(char c, int *rank)
{
	static const char units[] = "wdhms";
	static const int64_t seconds[] = {7 * 86400, 86400, 3600, 60, 1};
	const char *p;

	if (c == '\0' || (p = strchr(units, c)) == NULL)
		return 0;
	*rank = (int)(p - units);
	return seconds[*rank];
}

/* Reads the digits at *pp into *n, stopping growth past DURATION_MAX so
 * that a long number cannot overflow; returns how many there were. */
static int
duration_number(const char **pp, int64_t *n)
{
	int ndig = 0;

	for (*n = 0; isdigit((unsigned char)**pp); (*pp)++, ndig++) {
		if (*n <= DURATION_MAX)
			*n = *n * 10 + (**pp - '0');
	}
	return ndig;
}

int
duration_parse(const char *s, int64_t *seconds, char **cause)
{
	const char *p = s;
	int64_t total = 0, n, unit = 1;
	int rank = 0, last = -1;

	if (*p == '-')
		return duration_fail(cause, s, "a duration cannot be negative");
	while (*p != '\0') {
		if (duration_number(&p, &n) == 0)
			return duration_fail(cause, s, "not a duration %s",
			    DURATION_TRY);

		/* A plain number is seconds; otherwise a unit must follow. */
		if (*p != '\0' || last != -1) {
			if ((unit = duration_unit(*p, &rank)) == 0)
				return duration_fail(cause, s,
				    "not a duration %s", DURATION_TRY);
			if (rank <= last)
				return duration_fail(cause, s,
				    "give each unit once, from weeks down to "
				    "seconds");
			last = rank;
			p++;
		}
		if (n > (DURATION_MAX - total) / unit)
			return duration_fail(cause, s, "longer than a year");
		total += n * unit;
	}
	if (p == s)
		return duration_fail(cause, s, "not a duration %s",
		    DURATION_TRY);
	if (total == 0)
		return duration_fail(cause, s, "must be at least one second");
	*seconds = total;
	return 0;
}
