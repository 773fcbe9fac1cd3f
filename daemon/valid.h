/* valid.h: checks on the words and text that members send. */
#ifndef LARDER_VALID_H
#define LARDER_VALID_H

#include <stddef.h>

#include <jansson.h>

#define VALID_MAX_GRAMS 100000000LL /* 100 tonnes in one offer */

int valid_word(const char *);
int valid_text(const char *);
int valid_district(const char *, char *, size_t);
int valid_join(json_t *, char *, size_t);
json_t *valid_split(const char *);

#endif
