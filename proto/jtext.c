/* jtext.c: JSON text written directly; see jtext.h. */
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "proto.h"

/* Makes room for n more bytes and their NUL. */
static int
jtext_room(struct jtext *t, size_t n)
{
	size_t size;
	char *buf;

	if (t->failed)
		return -1;
	if (t->len + n + 1 <= t->size)
		return 0;
	for (size = t->size ? t->size : 512; size < t->len + n + 1;)
		size *= 2;
	if ((buf = realloc(t->buf, size)) == NULL) {
		t->failed = 1;
		return -1;
	}
	t->buf = buf;
	t->size = size;
	return 0;
}

/* Writes n bytes of JSON as they are. */
void
jtext_put(struct jtext *t, const char *s, size_t n)
{
	if (jtext_room(t, n) == 0) {
		memcpy(t->buf + t->len, s, n);
		t->len += n;
		t->buf[t->len] = '\0';
	}
}

/*
 * Writes the n bytes at s, which must be UTF-8 without NULs, as a JSON
 * string: quoted, with quotes, backslashes and control characters
 * escaped as jansson escapes them.
 */
void
jtext_strn(struct jtext *t, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u, *end = (const unsigned char *)s + n;
	char *p;

	if (jtext_room(t, 6 * n + 2) != 0)
		return;
	p = t->buf + t->len;
	*p++ = '"';
	for (u = (const unsigned char *)s; u < end; u++) {
		if (*u >= 0x20 && *u != '"' && *u != '\\') {
			*p++ = (char)*u;
			continue;
		}
		*p++ = '\\';
		switch (*u) {
		case '"':
		case '\\':
			*p++ = (char)*u;
			break;
		case '\b':
			*p++ = 'b';
			break;
		case '\f':
			*p++ = 'f';
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			memcpy(p, "u00", 3);
			p[3] = hex[*u >> 4];
			p[4] = hex[*u & 0xf];
			p += 5;
		}
	}
	*p++ = '"';
	*p = '\0';
	t->len = (size_t)(p - t->buf);
}

/* Writes a NUL-terminated string as jtext_strn does. */
void
jtext_str(struct jtext *t, const char *s)
{
	jtext_strn(t, s, strlen(s));
}

/* Writes a list of names separated by commas as an array of strings. */
void
jtext_list(struct jtext *t, const char *s)
{
	const char *comma;

	jtext_raw(t, "[");
	while (*s != '\0') {
		if ((comma = strchr(s, ',')) == NULL)
			comma = s + strlen(s);
		jtext_strn(t, s, (size_t)(comma - s));
		s = *comma == ',' ? comma + 1 : comma;
		if (*s != '\0')
			jtext_raw(t, ",");
	}
	jtext_raw(t, "]");
}

/* Writes a time as an RFC 3339 string, as proto_time_json makes it. */
void
jtext_time(struct jtext *t, time_t when)
{
	char buf[PROTO_TIME_LEN];

	jtext_str(t, proto_time_format(when, buf, sizeof buf));
}

/* Writes an integer. */
void
jtext_int(struct jtext *t, int64_t v)
{
	char digits[24], *p = digits + sizeof digits;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	jtext_put(t, p, (size_t)(digits + sizeof digits - p));
}

/* Returns the text, for the caller to free; NULL if any write failed. */
char *
jtext_end(struct jtext *t)
{
	if (t->failed) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}
