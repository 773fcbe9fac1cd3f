/* render_impl.h: what the text, CSV and HTML renderers share. */
#ifndef LARDER_RENDER_IMPL_H
#define LARDER_RENDER_IMPL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define RENDER_BUF 64 /* room for any one formatted figure or phrase */

/* How a figure is shown. */
enum render_kind {
	RENDER_KG,     /* integer grams, shown as kg with one decimal */
	RENDER_COUNT,  /* an integer */
	RENDER_TENTHS, /* a number with one decimal */
	RENDER_RATE,   /* 0 to 1, shown as a percentage */
	RENDER_RATIO,  /* a plain number with two decimals */
	RENDER_HANDLE, /* a member's handle, or "nobody" when null */
	RENDER_BOOL,   /* yes or no */
};

/* One figure of a list: its key, its label, how shown, and a unit. */
struct render_row {
	const char *key;
	const char *label;
	enum render_kind kind;
	const char *unit;    /* after the value, with its space, or "" */
	const char *meaning; /* a plain explanation, at most 45 columns */
};

/* The headline figures and the network health rows, NULL-key ended. */
extern const struct render_row render_headline[];
extern const struct render_row render_health[];

/* One of the positive-sum test's three conditions. */
struct render_condition {
	const char *key;   /* its true or false member of positive_sum */
	const char *label; /* what it asks, in a few words */
	const char *why;   /* what it means, in a sentence */
};

#define RENDER_CONDITIONS 3
extern const struct render_condition render_conditions[RENDER_CONDITIONS];

/* The word for a condition of positive_sum: "yes", "no" or "n/a". */
const char *render_ok(const json_t *ps, const char *key);

/* Writes the figure of condition i; the floor's handles are left out. */
char *render_condition_figure(const json_t *ps, int i, char *buf, size_t len);

/* The verdict of the positive-sum test, as a sentence. */
const char *render_verdict(const json_t *ps);

/* The object's members array if the object has all a renderer needs. */
const json_t *render_check(const json_t *report);

/* A member of an object, or NULL when obj is no object. */
json_t *render_get(const json_t *obj, const char *key);

/* A string member, or NULL when missing or of another type. */
const char *render_str(const json_t *obj, const char *key);

/* An integer member (a real is rounded): 0, or -1 when missing. */
int render_int(const json_t *obj, const char *key, int64_t *out);

/* A number member: 0, or -1 when missing, null or not a number. */
int render_real(const json_t *obj, const char *key, double *out);

/* Rounds half away from zero to a whole number. */
int64_t render_round(double x);

/* Writes a whole number with commas between thousands: -1,234,567. */
char *render_group(int64_t v, char *buf, size_t len);

/* Writes grams as kg with one decimal and thousands separators. */
char *render_kg(int64_t grams, char *buf, size_t len);

/* Writes a 0-1 rate as a percentage with one decimal. */
char *render_pct(double rate, char *buf, size_t len);

/* Writes a figure of obj as its row says: "n/a" when it is missing. */
const char *render_value(const json_t *obj, const struct render_row *row,
    char *buf, size_t len);

/* Writes a figure of obj as its row says, followed by its unit. */
char *render_with_unit(const json_t *obj, const struct render_row *row,
    char *buf, size_t len);

/* Writes how a figure changed against previous, as a phrase. */
char *render_change(const json_t *now, const json_t *prev,
    const struct render_row *row, char *buf, size_t len);

/* The factor a headline row is computed with, as a phrase, or NULL. */
const char *render_factor(const json_t *report, const struct render_row *row,
    char *buf, size_t len);

/* Writes the period's first and last days: "1 Nov 2026 to 30 Nov 2026". */
char *render_period_days(const json_t *report, char *buf, size_t len);

/* Writes the day of an RFC 3339 time as "2 Nov", or "?". */
char *render_day(const char *rfc3339, char *buf, size_t len);

/* Writes a "YYYY-MM" month's short name, or "?"; sets *year and *mon. */
const char *render_month(const char *ym, int *year, int *mon);

/* Writes a key for people: underscores become spaces. */
char *render_words(const char *key, char *buf, size_t len);

/* Bytes of s's first max characters (UTF-8 code points). */
size_t render_prefix(const char *s, size_t max);

/* Characters (UTF-8 code points) in s. */
size_t render_width(const char *s);

/* Writes s with &, <, >, " and ' escaped for HTML. */
void render_html_escape(FILE *out, const char *s);

/* Draws the weekly sourced, redistributed and wasted bars as SVG. */
void render_svg_weekly(const json_t *report, FILE *out);

/* Draws the 12-month trend of rescue and waste rates as SVG. */
void render_svg_trend(const json_t *report, FILE *out);

/* Draws each member's given and received bars as SVG. */
void render_svg_members(const json_t *members, FILE *out);

/* Flushes out: 0, or -1 when anything written failed. */
int render_finish(FILE *out);
#endif
