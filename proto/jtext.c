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
 * Writes the n bytes at s, which must be UTF-8, as a JSON string:
 * quoted, with quotes, backslashes and control characters (NUL too)
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

/* An object's member, for writing the members in the order of keys. */
struct jtext_member {
	const char *key;
	size_t len;
	json_t *value;
};

#define JTEXT_MEMBERS 24 /* members sorted on the stack; more, on the heap */

/* Whether key a sorts after key b: byte by byte, a prefix first. */
static int
jtext_after(const struct jtext_member *a, const struct jtext_member *b)
{
	int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);

	return c > 0 || (c == 0 && a->len > b->len);
}

static int
jtext_member_cmp(const void *a, const void *b)
{
	if (jtext_after(a, b))
		return 1;
	return jtext_after(b, a) ? -1 : 0;
}

/* Writes an object with its members in the order of their keys. */
static void
jtext_object(struct jtext *t, json_t *obj)
{
	struct jtext_member stack[JTEXT_MEMBERS], *m = stack, x;
	size_t n = json_object_size(obj), i, j;
	void *it;

	if (n > JTEXT_MEMBERS && (m = calloc(n, sizeof *m)) == NULL) {
		t->failed = 1;
		return;
	}
	i = 0;
	for (it = json_object_iter(obj); it != NULL && i < n;
	     it = json_object_iter_next(obj, it), i++) {
		m[i].key = json_object_iter_key(it);
		m[i].len = json_object_iter_key_len(it);
		m[i].value = json_object_iter_value(it);
	}
	n = i;
	/* Events have a score of keys or fewer: an insertion sort. */
	if (n > JTEXT_MEMBERS)
		qsort(m, n, sizeof *m, jtext_member_cmp);
	for (i = 1; n <= JTEXT_MEMBERS && i < n; i++) {
		x = m[i];
		for (j = i; j > 0 && jtext_after(&m[j - 1], &x); j--)
			m[j] = m[j - 1];
		m[j] = x;
	}
	jtext_raw(t, "{");
	for (i = 0; i < n; i++) {
		if (i > 0)
			jtext_raw(t, ",");
		jtext_strn(t, m[i].key, m[i].len);
		jtext_raw(t, ":");
		jtext_json(t, m[i].value);
	}
	jtext_raw(t, "}");
	if (m != stack)
		free(m);
}

/*
 * Writes a jansson value as json_dumps with JSON_COMPACT | JSON_SORT_KEYS
 * writes it: objects' members in the byte order of their keys. Strings
 * must be valid UTF-8, as jansson makes them. Reals, which no frequent
 * record holds, are written by jansson itself, so their digits are its.
 */
void
jtext_json(struct jtext *t, json_t *v)
{
	size_t i;
	char *real;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jtext_object(t, v);
		break;
	case JSON_ARRAY:
		jtext_raw(t, "[");
		for (i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				jtext_raw(t, ",");
			jtext_json(t, json_array_get(v, i));
		}
		jtext_raw(t, "]");
		break;
	case JSON_STRING:
		jtext_strn(t, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jtext_int(t, json_integer_value(v));
		break;
	case JSON_REAL:
		if ((real = json_dumps(v, JSON_ENCODE_ANY)) == NULL) {
			t->failed = 1;
			break;
		}
		jtext_put(t, real, strlen(real));
		free(real);
		break;
	case JSON_TRUE:
		jtext_raw(t, "true");
		break;
	case JSON_FALSE:
		jtext_raw(t, "false");
		break;
	case JSON_NULL:
		jtext_raw(t, "null");
		break;
	}
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
