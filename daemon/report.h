/* report.h: reports built from a store's exchange log. */
#ifndef LARDER_REPORT_H
#define LARDER_REPORT_H

#include <time.h>

#include <jansson.h>

#include "metrics.h"
#include "store.h"

json_t *report_from_store(struct store *, const struct metrics_factors *,
    const char *, time_t, time_t, const char *, char **);
int report_period(const char *, const char *, const char *, time_t *, time_t *,
    char **);

#endif
