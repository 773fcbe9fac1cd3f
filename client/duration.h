/* duration.h: spans of time as people type them: 90s, 30m, 2h, 1d2h. */
#ifndef LARDER_DURATION_H
#define LARDER_DURATION_H
#include <stdint.h>

#define DURATION_MAX (365LL * 86400) /* one year: longer is a typo */

/* Parses a span: numbers each followed by a unit, w, d, h, m or s, from
 * the largest unit down and each at most once ("1d2h", "90s"), or a plain
 * number of seconds. Zero, negative, over DURATION_MAX or junk: -1 and
 * *cause, which the caller frees. */
int duration_parse(const char *s, int64_t *seconds, char **cause);
#endif
