/* render.h: a report object as text, CSV or a self-contained HTML page. */
#ifndef LARDER_RENDER_H
#define LARDER_RENDER_H
#include <stdio.h>

#include <jansson.h>

/*
 * Each reads only the report object described in metrics/REPORT.md and
 * writes it to out. The object must hold at least "network", "period"
 * with its "label", a "figures" object and a "members" array; anything
 * else missing, of the wrong type or null is shown as "n/a" or left out.
 * Return 0, or -1 when the object lacks what they need or writing fails
 * (having possibly written part of the output).
 */

/* A page a coordinator reads in a minute, headline first, 80 columns. */
int render_text(const json_t *report, FILE *out);

/* RFC 4180 CSV: a header, one row per member, then a "(network)" row. */
int render_csv(const json_t *report, FILE *out);

/* One HTML page with inline style and SVG charts, fetching nothing. */
int render_html(const json_t *report, FILE *out);
#endif
