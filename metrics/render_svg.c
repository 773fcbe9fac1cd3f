/* render_svg.c: the HTML report's three charts, drawn as inline SVG. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "render_impl.h"

#define SVG_WIDTH 720
#define SVG_ROW   36 /* height of one member's pair of bars */
#define SVG_NAME  24 /* characters of a member's name shown */

/* A series of data: its key in each entry and how its marks look. */
struct svg_series {
	const char *key;
	const char *label;
	const char *attrs; /* SVG attributes of its bars or line */
	const char *mark;  /* a line's point marker, an SVG element's start */
};

/* The area data is drawn in, and the value at its top or right end. */
struct svg_plot {
	double x, y, w, h;
	double top, step;
};

/* Light, dark and hatched: three series told apart in greyscale too. */
static const struct svg_series svg_weekly_series[] = {
    {"sourced_g", "Sourced",
        "fill=\"#c6dbef\" stroke=\"#3b6a91\" stroke-width=\"1\"", NULL},
    {"redistributed_g", "Redistributed", "fill=\"#1f4e79\"", NULL},
    {"wasted_g", "Wasted",
        "fill=\"url(#svg-hatch)\" stroke=\"#8c3b0f\" stroke-width=\"1\"", NULL},
};

/* Solid with dots, dashed with squares: two lines told apart in grey. */
static const struct svg_series svg_trend_series[] = {
    {"rescue_rate", "Rescue rate",
        "fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"2.5\"",
        "<circle r=\"4\" fill=\"#1f4e79\""},
    {"waste_rate", "Waste rate",
        "fill=\"none\" stroke=\"#b4531c\" stroke-width=\"2.5\" "
        "stroke-dasharray=\"7 4\"",
        "<rect width=\"8\" height=\"8\" fill=\"#fff\" stroke=\"#b4531c\" "
        "stroke-width=\"2\""},
};

static const struct svg_series svg_member_series[] = {
    {"given_g", "Given", "fill=\"#1f4e79\"", NULL},
    {"received_g", "Received",
        "fill=\"#c6dbef\" stroke=\"#3b6a91\" stroke-width=\"1\"", NULL},
};

/* Opens a chart of the given size, titled for every reader. */
static void
svg_open(FILE *out, int height, const char *title)
{
	fprintf(out,
	    "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"",
	    SVG_WIDTH, height);
	render_html_escape(out, title);
	fputs("\"><title>", out);
	render_html_escape(out, title);
	fputs("</title>\n", out);
}

/* Writes a number for an axis: whole, or with one decimal. */
static char *
svg_number(double v, char *buf, size_t len)
{
	int64_t tenths = render_round(v * 10);

	if (tenths % 10 == 0)
		return render_group(tenths / 10, buf, len);
	snprintf(buf, len, "%.1f", v);
	return buf;
}

/* Picks a round step and an axis end for values up to max. */
static void
svg_scale(double max, struct svg_plot *p)
{
	double raw, mag = 1, step;
	int64_t n;

	if (max <= 0)
		max = 1;
	raw = max / 4;
	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw)
		mag /= 10;
	if (raw <= mag)
		step = mag;
	else if (raw <= 2 * mag)
		step = 2 * mag;
	else if (raw <= 2.5 * mag)
		step = 2.5 * mag;
	else if (raw <= 5 * mag)
		step = 5 * mag;
	else
		step = 10 * mag;
	n = (int64_t)(max / step);
	if ((double)n * step < max)
		n++;
	p->step = step;
	p->top = (double)n * step;
}

/* The largest value, in kg, of some series over an array's entries. */
static double
svg_max_kg(const json_t *array, const struct svg_series *s, size_t ns)
{
	double max = 0;
	size_t i, k;
	int64_t g;

	for (i = 0; i < json_array_size(array); i++) {
		for (k = 0; k < ns; k++) {
			if (render_int(json_array_get(array, i), s[k].key,
			        &g) == 0 &&
			    (double)g / 1000 > max)
				max = (double)g / 1000;
		}
	}
	return max;
}

/* Draws the value axis up the left: grid lines and their labels. */
static void
svg_axis_y(FILE *out, const struct svg_plot *p, const char *unit,
    const char *suffix)
{
	char label[RENDER_BUF];
	double v, y;

	for (v = 0; v <= p->top + p->step / 2; v += p->step) {
		y = p->y + p->h - v / p->top * p->h;
		fprintf(out,
		    "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/>",
		    p->x, p->x + p->w, y, y);
		fprintf(out,
		    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
		    "%s%s</text>\n",
		    p->x - 6, y + 4, svg_number(v, label, sizeof label),
		    suffix);
	}
	if (unit != NULL)
		fprintf(out,
		    "<text class=\"unit\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">%s</text>\n",
		    p->x - 6, p->y - 12, unit);
	fprintf(out,
	    "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
	    "y2=\"%.1f\"/>\n",
	    p->x, p->x + p->w, p->y + p->h, p->y + p->h);
}

/* Draws the value axis along the bottom: grid lines and their labels. */
static void
svg_axis_x(FILE *out, const struct svg_plot *p, const char *unit)
{
	char label[RENDER_BUF];
	double v, x;

	for (v = 0; v <= p->top + p->step / 2; v += p->step) {
		x = p->x + v / p->top * p->w;
		fprintf(out,
		    "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/>",
		    x, x, p->y, p->y + p->h);
		fprintf(out,
		    "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">%s</text>\n",
		    x, p->y + p->h + 16, svg_number(v, label, sizeof label));
	}
	fprintf(out,
	    "<text class=\"unit\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"start\">%s</text>\n",
	    p->x + p->w + 24, p->y + p->h + 16, unit);
	fprintf(out,
	    "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
	    "y2=\"%.1f\"/>\n",
	    p->x, p->x, p->y, p->y + p->h);
}

/* Starts a line's marker centred on (x, y); returns its closing tag. */
static const char *
svg_mark(FILE *out, const struct svg_series *s, double x, double y)
{
	if (strncmp(s->mark, "<rect", 5) == 0) {
		fprintf(out, "%s x=\"%.1f\" y=\"%.1f\"", s->mark, x - 4, y - 4);
		return "</rect>";
	}
	fprintf(out, "%s cx=\"%.1f\" cy=\"%.1f\"", s->mark, x, y);
	return "</circle>";
}

/* Draws a legend in a row from (x, y): a swatch and a name per series. */
static void
svg_legend(FILE *out, double x, double y, const struct svg_series *s, size_t n)
{
	const char *end;
	size_t k;

	for (k = 0; k < n; k++) {
		if (s[k].mark != NULL) {
			fprintf(out,
			    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" %s/>",
			    x, x + 28, y - 4, y - 4, s[k].attrs);
			end = svg_mark(out, &s[k], x + 14, y - 4);
			fprintf(out, ">%s", end);
		} else {
			fprintf(out,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" "
			    "height=\"12\" %s/>",
			    x + 6, y - 10, s[k].attrs);
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 34,
		    y, s[k].label);
		x += 34 + 8 * (double)strlen(s[k].label) + 24;
	}
}

/* Says, in the middle of the plot, that there is nothing to draw. */
static void
svg_empty(FILE *out, const struct svg_plot *p, const char *what)
{
	fprintf(out,
	    "<text class=\"unit\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\">%s</text>\n",
	    p->x + p->w / 2, p->y + p->h / 2, what);
}

/* Draws one bar, with a tooltip naming what it shows. */
static void
svg_bar(FILE *out, double x, double y, double w, double h,
    const struct svg_series *s, const char *what, int64_t grams)
{
	char kg[RENDER_BUF];

	fprintf(out,
	    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\" %s><title>",
	    x, y, w, h, s->attrs);
	render_html_escape(out, what);
	fprintf(out, ": %s %s kg</title></rect>\n", s->label,
	    render_kg(grams, kg, sizeof kg));
}

/* Draws week i of n: its three bars side by side, and maybe its label. */
static void
svg_week(FILE *out, const struct svg_plot *p, const json_t *week, size_t i,
    size_t n)
{
	double gw = p->w / (double)n, bw = gw * 0.78 / 3, gap, x, h;
	char day[RENDER_BUF], what[RENDER_BUF + 16];
	size_t k, every;
	int64_t g;

	bw = bw > 34 ? 34 : bw;
	gap = bw > 4 ? 2 : 0;
	x = p->x + (double)i * gw + (gw - 3 * bw) / 2;
	render_day(render_str(week, "week"), day, sizeof day);
	snprintf(what, sizeof what, "week of %s", day);
	for (k = 0; k < 3; k++) {
		if (render_int(week, svg_weekly_series[k].key, &g) != 0 ||
		    g <= 0)
			continue;
		h = (double)g / 1000 / p->top * p->h;
		svg_bar(out, x + (double)k * bw + gap / 2, p->y + p->h - h,
		    bw - gap, h, &svg_weekly_series[k], what, g);
	}
	/* Label only every so many weeks, so that labels never overlap. */
	every = (size_t)(96 * (double)n / p->w) + 1;
	if (i % every == 0)
		fprintf(out,
		    "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">w/c %s</text>\n",
		    p->x + ((double)i + 0.5) * gw, p->y + p->h + 18, day);
}

/* Draws the weekly chart: three bars a week. */
void
render_svg_weekly(const json_t *report, FILE *out)
{
	const json_t *weekly = render_get(report, "weekly");
	struct svg_plot p = {64, 48, 636, 214, 0, 0};
	size_t i, n = json_array_size(weekly);

	svg_open(out, 300,
	    "Food sourced, redistributed and wasted each week, in kg");
	fputs("<defs><pattern id=\"svg-hatch\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
	      "fill=\"#f2b27e\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
	      "stroke=\"#8c3b0f\" stroke-width=\"3\"/></pattern></defs>\n",
	    out);
	svg_scale(svg_max_kg(weekly, svg_weekly_series, 3), &p);
	svg_axis_y(out, &p, "kg", "");
	svg_legend(out, p.x, 20, svg_weekly_series, 3);
	for (i = 0; i < n; i++)
		svg_week(out, &p, json_array_get(weekly, i), i, n);
	if (n == 0)
		svg_empty(out, &p, "No weeks in this report");
	fputs("</svg>\n", out);
}

/* Where month i of n sits across the plot. */
static double
svg_slot(const struct svg_plot *p, size_t i, size_t n)
{
	return p->x + ((double)i + 0.5) * p->w / (double)n;
}

/* A month's rate in percent, kept within the axis: 0, or -1 when null. */
static int
svg_rate(const json_t *month, const char *key, double *pct)
{
	double r;

	if (render_real(month, key, &r) != 0)
		return -1;
	r = r < 0 ? 0 : r > 1 ? 1 : r;
	*pct = r * 100;
	return 0;
}

/* Draws a series as polylines broken where a month has no rate. */
static void
svg_line(FILE *out, const struct svg_plot *p, const json_t *trend,
    const struct svg_series *s)
{
	size_t i, n = json_array_size(trend);
	int open = 0;
	double v;

	for (i = 0; i < n; i++) {
		if (svg_rate(json_array_get(trend, i), s->key, &v) != 0) {
			if (open)
				fputs("\"/>\n", out);
			open = 0;
			continue;
		}
		if (!open)
			fprintf(out, "<polyline %s points=\"", s->attrs);
		fprintf(out, "%s%.1f,%.1f", open ? " " : "", svg_slot(p, i, n),
		    p->y + p->h - v / 100 * p->h);
		open = 1;
	}
	if (open)
		fputs("\"/>\n", out);
}

/* Marks each month of a series that has a rate, with a tooltip. */
static void
svg_marks(FILE *out, const struct svg_plot *p, const json_t *trend,
    const struct svg_series *s)
{
	size_t i, n = json_array_size(trend);
	const json_t *month;
	char pct[RENDER_BUF];
	const char *end;
	double v;

	for (i = 0; i < n; i++) {
		month = json_array_get(trend, i);
		if (svg_rate(month, s->key, &v) != 0)
			continue;
		end = svg_mark(out, s, svg_slot(p, i, n),
		    p->y + p->h - v / 100 * p->h);
		fputs("><title>", out);
		render_html_escape(out,
		    render_str(month, "month") ? render_str(month, "month")
		                               : "?");
		fprintf(out, ": %s %s</title>%s\n", s->label,
		    render_pct(v / 100, pct, sizeof pct), end);
	}
}

/* Labels the months under the plot, with the year under each January. */
static void
svg_months(FILE *out, const struct svg_plot *p, const json_t *trend)
{
	size_t i, n = json_array_size(trend);
	const char *name;
	int year, mon;

	for (i = 0; i < n; i++) {
		name = render_month(
		    render_str(json_array_get(trend, i), "month"), &year, &mon);
		fprintf(out,
		    "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">%s</text>\n",
		    svg_slot(p, i, n), p->y + p->h + 18, name);
		if (mon == 1 || (i == 0 && mon != 0))
			fprintf(out,
			    "<text class=\"unit\" x=\"%.1f\" "
			    "y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
			    svg_slot(p, i, n), p->y + p->h + 34, year);
	}
}

/* Draws the 12-month chart of rescue and waste rates. */
void
render_svg_trend(const json_t *report, FILE *out)
{
	const json_t *trend = render_get(report, "trend");
	struct svg_plot p = {56, 48, 644, 190, 100, 25};
	size_t k;

	svg_open(out, 290,
	    "Rescue rate and waste rate, month by month, "
	    "over the last 12 months");
	svg_axis_y(out, &p, NULL, "%");
	svg_legend(out, p.x, 20, svg_trend_series, 2);
	svg_months(out, &p, trend);
	for (k = 0; k < 2; k++) {
		svg_line(out, &p, trend, &svg_trend_series[k]);
		svg_marks(out, &p, trend, &svg_trend_series[k]);
	}
	if (json_array_size(trend) == 0)
		svg_empty(out, &p, "No months in this report");
	fputs("</svg>\n", out);
}

/* Writes a member's name, cut to SVG_NAME characters with an ellipsis. */
static void
svg_name(FILE *out, const char *name)
{
	char cut[4 * SVG_NAME + 4];
	size_t n = render_prefix(name, SVG_NAME);

	if (name[n] == '\0') {
		render_html_escape(out, name);
		return;
	}
	snprintf(cut, sizeof cut, "%.*s\xe2\x80\xa6", (int)n, name);
	render_html_escape(out, cut);
}

/* Draws member i's name and its given and received bars with values. */
static void
svg_member(FILE *out, const struct svg_plot *p, const json_t *m, size_t i)
{
	const char *name = render_str(m, "member");
	double y = p->y + (double)i * SVG_ROW, w;
	char kg[RENDER_BUF];
	int64_t g;
	size_t k;

	name = name != NULL ? name : "?";
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
	    p->x - 8, y + SVG_ROW / 2 + 4);
	svg_name(out, name);
	fputs("<title>", out);
	render_html_escape(out, name);
	fputs("</title></text>\n", out);
	for (k = 0; k < 2; k++) {
		if (render_int(m, svg_member_series[k].key, &g) != 0)
			continue;
		w = g > 0 ? (double)g / 1000 / p->top * p->w : 0;
		if (w > 0)
			svg_bar(out, p->x, y + 6 + (double)k * 12, w, 11,
			    &svg_member_series[k], name, g);
		fprintf(out,
		    "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">"
		    "%s</text>\n",
		    p->x + w + 4, y + 15 + (double)k * 12,
		    render_kg(g, kg, sizeof kg));
	}
}

/* Room for the widest name shown, within bounds. */
static double
svg_name_room(const json_t *members)
{
	size_t i, w, widest = 0;
	const char *s;

	for (i = 0; i < json_array_size(members); i++) {
		s = render_str(json_array_get(members, i), "member");
		w = s != NULL ? render_width(s) : 1;
		widest = w > widest ? w : widest;
	}
	widest = widest > SVG_NAME + 1 ? SVG_NAME + 1 : widest;
	return 16 + 7.5 * (double)(widest < 6 ? 6 : widest);
}

/* Draws given and received bars for each member. */
void
render_svg_members(const json_t *members, FILE *out)
{
	size_t i, n = json_array_size(members);
	struct svg_plot p = {0, 40, 0, 0, 0, 0};

	p.x = svg_name_room(members);
	p.w = SVG_WIDTH - p.x - 96;
	p.h = (double)(n > 0 ? n : 1) * SVG_ROW;
	svg_open(out, (int)(p.y + p.h + 30),
	    "Food given and received by each member, in kg");
	svg_scale(svg_max_kg(members, svg_member_series, 2), &p);
	svg_axis_x(out, &p, "kg");
	svg_legend(out, p.x, 20, svg_member_series, 2);
	for (i = 0; i < n; i++)
		svg_member(out, &p, json_array_get(members, i), i);
	if (n == 0)
		svg_empty(out, &p, "No members in this report");
	fputs("</svg>\n", out);
}
