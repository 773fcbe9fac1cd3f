/* when.h: dates, times, windows and quantities as members type them. */
#ifndef LARDER_WHEN_H
#define LARDER_WHEN_H
#include <stdint.h>
#include <time.h>

#define WHEN_MAX_GRAMS 100000000LL /* 100 tonnes: larger is a typo */

/* Parses "12.5" or "12.5kg" (kilograms, at most three decimals), "800g"
 * (whole grams), optional spaces before the unit, units case-insensitive.
 * Zero, negative, over WHEN_MAX_GRAMS, or junk: -1 and *cause. */
int when_parse_grams(const char *s, int64_t *grams, char **cause);

/* Parses a point in time relative to now. With end_of_day set, a bare
 * date means 23:59:59 local time that day; otherwise 00:00:00. */
int when_parse_time(const char *s, time_t now, int end_of_day, time_t *out,
    char **cause);

/* Parses a collection window into [*start, *end). */
int when_parse_window(const char *s, time_t now, time_t *start, time_t *end,
    char **cause);
#endif
