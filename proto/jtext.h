/*
 * jtext.h: JSON text written directly, for the few records whose shape is
 * fixed and which are made so often that building a jansson tree and
 * dumping it costs more than the rest of their work. Strings are escaped
 * as jansson's compact dump escapes them, so a record written here is
 * byte for byte the one jansson would write. jtext_json writes a jansson
 * tree as its compact dump with sorted keys would, the exchange log's
 * canonical form, in a fraction of the time.
 */
#ifndef LARDER_JTEXT_H
#define LARDER_JTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

struct jtext {
	char *buf; /* NUL-terminated while not failed */
	size_t len;
	size_t size;
	int failed; /* out of memory: every later write is skipped */
};

#define JTEXT_INIT                                                             \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

void jtext_put(struct jtext *, const char *, size_t);
void jtext_strn(struct jtext *, const char *, size_t);
void jtext_str(struct jtext *, const char *);
void jtext_list(struct jtext *, const char *);
void jtext_int(struct jtext *, int64_t);
void jtext_time(struct jtext *, time_t);
void jtext_json(struct jtext *, json_t *);
char *jtext_end(struct jtext *);

/* Writes a string literal of JSON (punctuation, keys) as it is. */
#define jtext_raw(t, lit) jtext_put((t), "" lit, sizeof(lit) - 1)

#endif
