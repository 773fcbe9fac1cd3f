/*
 * output.c: how the client reads what people type and writes what they
 * read: kilograms, local times, lists, usage errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "when.h"

/* Writes grams as kilograms with no trailing zeros: 12.5 kg, 0.8 kg. */
char *
out_kg(int64_t grams, char *buf, size_t len)
{
	int64_t whole = grams / 1000, frac = grams % 1000;
	int digits = 3;

	if (grams < 0) {
		whole = -whole;
		frac = -frac;
	}
	while (digits > 0 && frac % 10 == 0 && frac != 0) {
		frac /= 10;
		digits--;
	}
	if (frac == 0)
		snprintf(buf, len, "%s%lld kg", grams < 0 ? "-" : "",
		    (long long)whole);
	else
		snprintf(buf, len, "%s%lld.%0*lld kg", grams < 0 ? "-" : "",
		    (long long)whole, digits, (long long)frac);
	return buf;
}

/* Writes an RFC 3339 time from the server in local time, short form. */
char *
out_when(json_t *value, char *buf, size_t len)
{
	struct tm tm;
	time_t t;
	const char *s = json_string_value(value);

	if (s == NULL || proto_time_parse(s, &t) != 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%a %d %b %H:%M", &tm);
	return buf;
}

/*
 * Writes the local day of an RFC 3339 time, or of a bare YYYY-MM-DD date,
 * as "Mon 30 Nov".
 */
char *
out_day(json_t *value, char *buf, size_t len)
{
	const char *s = json_string_value(value);
	struct tm tm;
	time_t t;
	int n = 0;

	memset(&tm, 0, sizeof tm);
	if (s != NULL && proto_time_parse(s, &t) == 0)
		localtime_r(&t, &tm);
	else if (s != NULL &&
	    sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	        &n) == 3 &&
	    s[n] == '\0') {
		tm.tm_year -= 1900;
		tm.tm_mon--;
		tm.tm_hour = 12;
		tm.tm_isdst = -1;
		mktime(&tm);
	} else {
		snprintf(buf, len, "-");
		return buf;
	}
	strftime(buf, len, "%a %d %b", &tm);
	return buf;
}

/* Joins a JSON list of strings with commas. */
char *
out_list(json_t *list, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *item;

	buf[0] = '\0';
	json_array_foreach(list, i, item)
	{
		if (off >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "," : "", json_string_value(item));
	}
	return buf;
}

/* Prints a reply object as one line, for scripts. */
void
out_json(json_t *obj)
{
	json_dumpf(obj, stdout, JSON_COMPACT);
	fputc('\n', stdout);
}

/* Prints a usage error for a command; returns EXIT_USAGE. */
int
out_usage(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "larder %s: ", cmd->words);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: larder %s %s\n", cmd->words, cmd->usage);
	return EXIT_USAGE;
}

/* Reads a quantity option into grams; prints why when it cannot. */
int
parse_grams_opt(const struct command *cmd, const char *s, int64_t *grams)
{
	char *cause = NULL;

	if (when_parse_grams(s, grams, &cause) == 0)
		return 0;
	out_usage(cmd, "%s", cause != NULL ? cause : "bad quantity");
	free(cause);
	return -1;
}

/*
 * Reads a time option against the server's clock and stores it in args
 * under key as RFC 3339.
 */
int
parse_time_opt(struct client *c, const struct command *cmd, const char *s,
    int end_of_day, json_t *args, const char *key)
{
	char *cause = NULL;
	time_t t;

	if (when_parse_time(s, c->now, end_of_day, &t, &cause) != 0) {
		out_usage(cmd, "%s", cause != NULL ? cause : "bad time");
		free(cause);
		return -1;
	}
	json_object_set_new(args, key, proto_time_json(t));
	return 0;
}

/* Splits "a,b,c" into a JSON list of strings, dropping spaces. */
json_t *
parse_list(const char *s)
{
	json_t *list = json_array();
	char *copy, *word, *save = NULL;

	if (list == NULL || (copy = strdup(s)) == NULL)
		return list;
	for (word = strtok_r(copy, ", ", &save); word != NULL;
	     word = strtok_r(NULL, ", ", &save))
		json_array_append_new(list, json_string(word));
	free(copy);
	return list;
}

/* Reads a positive id from a command's argument. */
int
parse_id(const struct command *cmd, const char *s, json_int_t *id)
{
	char *end;
	long long v;

	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0) {
		out_usage(cmd, "\"%s\" is not an id", s);
		return -1;
	}
	*id = v;
	return 0;
}

/* Checks that s is one of words; otherwise prints them and returns -1. */
int
parse_word(const struct command *cmd, const char *what,
    const char *const *words, const char *s)
{
	char list[512];
	size_t i, off = 0;

	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(words[i], s) == 0)
			return 0;
	}
	list[0] = '\0';
	for (i = 0; words[i] != NULL && off < sizeof list; i++)
		off += (size_t)snprintf(list + off, sizeof list - off, "%s%s",
		    i > 0 ? ", " : "", words[i]);
	out_usage(cmd, "\"%s\" is not a %s; use one of: %s", s, what, list);
	return -1;
}

/* Reads --challenge ID into args. */
int
parse_challenge_opt(const struct command *cmd, const char *s, json_t *args)
{
	json_int_t id;

	if (parse_id(cmd, s, &id) != 0)
		return -1;
	return json_object_set_new(args, "challenge", json_integer(id));
}
