/* valid.c: checks on the words and text that members send. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "valid.h"

/* A handle, hub or category: 1-32 of [a-z0-9_-], not starting with - or _. */
int
valid_word(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 32 || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < len; i++) {
		if (!(islower((unsigned char)s[i]) ||
		        isdigit((unsigned char)s[i]) || s[i] == '_' ||
		        s[i] == '-'))
			return 0;
	}
	return 1;
}

/* Free text (names, notes): anything printable, no control characters. */
int
valid_text(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * A UK postcode district (the part before the space): one or two letters,
 * a digit, then an optional digit or letter, e.g. E1, RM9, IG11, EC1A.
 * Written out upper-case.
 */
int
valid_district(const char *s, char *out, size_t len)
{
	size_t i, n = strlen(s), letters = 0;

	if (n < 2 || n > 4 || n >= len)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[n] = '\0';
	while (
	    letters < n && letters < 2 && isupper((unsigned char)out[letters]))
		letters++;
	if (letters == 0 || letters >= n ||
	    !isdigit((unsigned char)out[letters]))
		return 0;
	for (i = letters + 1; i < n; i++) {
		if (!isalnum((unsigned char)out[i]) || i > letters + 1)
			return 0;
	}
	return 1;
}

/* Joins a list of strings with commas; -1 when it does not fit. */
int
valid_join(json_t *list, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *item;
	int n;

	buf[0] = '\0';
	json_array_foreach(list, i, item)
	{
		n = snprintf(buf + off, len - off, "%s%s", i > 0 ? "," : "",
		    json_string_value(item));
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Splits a comma list back into a JSON array; empty gives []. */
json_t *
valid_split(const char *s)
{
	json_t *list = json_array();
	const char *comma;

	while (list != NULL && *s != '\0') {
		comma = strchr(s, ',');
		if (comma == NULL)
			comma = s + strlen(s);
		json_array_append_new(list,
		    json_stringn(s, (size_t)(comma - s)));
		s = *comma == ',' ? comma + 1 : comma;
	}
	return list;
}
