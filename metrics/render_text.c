/* render_text.c: the report as a plain-text page of at most 80 columns. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "render_impl.h"

#define TEXT_COLUMNS 80
#define TEXT_FIGURE  36 /* where a test condition's figure starts */

/* Writes n spaces. */
static void
text_pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

/*
 * Writes s padded to width characters, left-aligned, or right-aligned
 * when right is set, with control characters (C0, DEL and C1) written as
 * '?' so that a name cannot steer the reader's terminal.
 */
static void
text_cell(FILE *out, const char *s, size_t width, int right)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = render_width(s);

	if (right && w < width)
		text_pad(out, width - w);
	for (; *p != '\0'; p++) {
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			fputc('?', out);
			p++;
		} else {
			fputc(*p < 0x20 || *p == 0x7F ? '?' : *p, out);
		}
	}
	if (!right && w < width)
		text_pad(out, width - w);
}

/* Writes a section heading. */
static void
text_heading(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
}

/* Writes the title lines: network, hub when limited, period. */
static void
text_title(const json_t *report, FILE *out)
{
	const char *hub = render_str(report, "hub");
	const char *network = render_str(report, "network");
	const char *label = render_str(render_get(report, "period"), "label");
	char days[RENDER_BUF];
	size_t i;

	text_cell(out, network, 0, 0);
	/* A long name gets a line of its own. */
	if (render_width(network) + render_width(label) + 13 > TEXT_COLUMNS)
		fputs("\nReport for ", out);
	else
		fputs(": report for ", out);
	text_cell(out, label, 0, 0);
	fputc('\n', out);
	fputs(render_period_days(report, days, sizeof days), out);
	if (hub != NULL) {
		fputs(", hub ", out);
		text_cell(out, hub, 0, 0);
	} else {
		fputs(", whole network", out);
	}
	fputc('\n', out);
	for (i = 0; i < TEXT_COLUMNS; i++)
		fputc('=', out);
	fputc('\n', out);
}

/* Writes the headline figures with their change against previous. */
static void
text_headline(const json_t *report, FILE *out)
{
	const json_t *now = render_get(report, "figures");
	const json_t *prev = render_get(report, "previous");
	const struct render_row *row;
	char value[RENDER_BUF], change[RENDER_BUF], f[RENDER_BUF];
	const char *factor;

	text_heading(out, "Headline");
	for (row = render_headline; row->key != NULL; row++) {
		fprintf(out, "  %-18s %14s  (%s)\n", row->label,
		    render_with_unit(now, row, value, sizeof value),
		    render_change(now, prev, row, change, sizeof change));
		factor = render_factor(report, row, f, sizeof f);
		if (factor != NULL)
			fprintf(out, "%*s%s\n", 2 + 18 + 1 + 14 + 2, "",
			    factor);
	}
}

/* Writes the floor's figure and handles, wrapped at 80 columns. */
static void
text_floor(const char *figure, const json_t *at_floor, FILE *out)
{
	size_t i, col = TEXT_FIGURE + strlen(figure), w;
	const char *h;

	fputs(figure, out);
	for (i = 0; i < json_array_size(at_floor); i++) {
		h = json_string_value(json_array_get(at_floor, i));
		h = h != NULL ? h : "?";
		w = render_width(h) + 2;
		if (col + w > TEXT_COLUMNS) {
			fputc('\n', out);
			text_pad(out, TEXT_FIGURE - 1);
			col = TEXT_FIGURE;
		}
		fputc(' ', out);
		text_cell(out, h, 0, 0);
		fputs(i + 1 < json_array_size(at_floor) ? "," : "", out);
		col += w;
	}
	fputc('\n', out);
}

/* Writes the positive-sum test: three conditions and the verdict. */
static void
text_positive(const json_t *report, FILE *out)
{
	const json_t *ps = render_get(report, "positive_sum");
	const json_t *floor = render_get(ps, "at_floor");
	const struct render_condition *c;
	char figure[RENDER_BUF];
	int i;

	text_heading(out,
	    "Positive-sum test: did working together beat "
	    "working alone?");
	for (i = 0; i < RENDER_CONDITIONS; i++) {
		c = &render_conditions[i];
		fprintf(out, "  %-4s %-28s ", render_ok(ps, c->key), c->label);
		render_condition_figure(ps, i, figure, sizeof figure);
		if (i == 2 && json_array_size(floor) > 0)
			text_floor(figure, floor, out);
		else
			fprintf(out, "%s\n", figure);
	}
	fprintf(out, "  %s\n", render_verdict(ps));
}

/* Writes the non-zero parts of one breakdown of waste, with shares. */
static void
text_breakdown(const json_t *figures, const char *key, const char *title,
    FILE *out)
{
	json_t *parts = render_get(figures, key);
	const char *name;
	json_t *v;
	char kg[RENDER_BUF], pct[RENDER_BUF], words[RENDER_BUF];
	int64_t g, total;
	int shown = 0;

	text_heading(out, title);
	if (render_int(figures, "wasted_g", &total) != 0)
		total = 0;
	json_object_foreach(parts, name, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		g = json_integer_value(v);
		fputs("  ", out);
		text_cell(out, render_words(name, words, sizeof words), 22, 0);
		fprintf(out, " %11s kg  %7s\n", render_kg(g, kg, sizeof kg),
		    total > 0
		        ? render_pct((double)g / (double)total, pct, sizeof pct)
		        : "n/a");
		shown++;
	}
	if (!json_is_object(parts))
		fputs("  n/a\n", out);
	else if (shown == 0)
		fputs("  none\n", out);
}

/* Writes network health, each figure with a one-line explanation. */
static void
text_health(const json_t *report, FILE *out)
{
	const json_t *health = render_get(report, "health");
	const struct render_row *row;
	const char *value;
	char buf[RENDER_BUF];

	text_heading(out, "Network health");
	for (row = render_health; row->key != NULL; row++) {
		value = render_value(health, row, buf, sizeof buf);
		fprintf(out, "  %-18s ", row->label);
		text_cell(out, value, 12, 1);
		if (render_width(value) > 12) {
			fputc('\n', out);
			text_pad(out, 2 + 18 + 1 + 12);
		}
		fprintf(out, "  %s\n", row->meaning);
	}
}

/* The widest string at key over the objects of an array, within bounds. */
static size_t
text_widest(const json_t *array, const char *key, size_t least, size_t most)
{
	size_t i, w, widest = least;
	const char *s;

	for (i = 0; i < json_array_size(array); i++) {
		s = render_str(json_array_get(array, i), key);
		w = s != NULL ? render_width(s) : 0;
		if (w > widest)
			widest = w;
	}
	return widest < most ? widest : most;
}

/* Writes a grams figure of obj as kg, right-aligned in width columns. */
static void
text_kg(const json_t *obj, const char *key, size_t width, FILE *out)
{
	char kg[RENDER_BUF];
	int64_t g;

	fputc(' ', out);
	text_cell(out,
	    render_int(obj, key, &g) == 0 ? render_kg(g, kg, sizeof kg) : "n/a",
	    width, 1);
}

/* Writes one member's row; a name too long for its column gets a line. */
static void
text_member(const json_t *m, size_t mw, size_t hw, FILE *out)
{
	const char *member = render_str(m, "member");
	const char *hub = render_str(m, "hub");
	char n[RENDER_BUF];
	int64_t shows;

	member = member != NULL ? member : "n/a";
	hub = hub != NULL ? hub : "n/a";
	fputs("  ", out);
	if (render_width(member) > mw || render_width(hub) > hw) {
		text_cell(out, member, 0, 0);
		fputs(" (", out);
		text_cell(out, hub, 0, 0);
		fputs(")\n  ", out);
		member = hub = "";
	}
	text_cell(out, member, mw, 0);
	fputc(' ', out);
	text_cell(out, hub, hw, 0);
	text_kg(m, "given_g", 11, out);
	text_kg(m, "received_g", 12, out);
	text_kg(m, "net_g", 11, out);
	snprintf(n, sizeof n, "n/a");
	if (render_int(m, "no_shows", &shows) == 0)
		snprintf(n, sizeof n, "%lld", (long long)shows);
	fprintf(out, " %9s\n", n);
}

/* Writes the members table. */
static void
text_members(const json_t *members, FILE *out)
{
	size_t hw = text_widest(members, "hub", 3, 14);
	size_t mw = text_widest(members, "member", 6, 30 - hw);
	size_t i;

	text_heading(out, "Members");
	fputs("  ", out);
	text_cell(out, "member", mw, 0);
	fputc(' ', out);
	text_cell(out, "hub", hw, 0);
	fprintf(out, " %11s %12s %11s %9s\n", "given kg", "received kg",
	    "net kg", "no-shows");
	for (i = 0; i < json_array_size(members); i++)
		text_member(json_array_get(members, i), mw, hw, out);
	if (json_array_size(members) == 0)
		fputs("  none\n", out);
}

/* Writes one hub's row; a name too long for its column gets a line. */
static void
text_hub(const json_t *h, size_t hw, FILE *out)
{
	static const struct render_row rate = {"rescue_rate", "", RENDER_RATE,
	    "", ""};
	const char *hub = render_str(h, "hub");
	char n[RENDER_BUF], r[RENDER_BUF];
	int64_t members;

	hub = hub != NULL ? hub : "n/a";
	fputs("  ", out);
	if (render_width(hub) > hw) {
		text_cell(out, hub, 0, 0);
		fputs("\n  ", out);
		hub = "";
	}
	text_cell(out, hub, hw, 0);
	snprintf(n, sizeof n, "n/a");
	if (render_int(h, "members", &members) == 0)
		snprintf(n, sizeof n, "%lld", (long long)members);
	fprintf(out, " %7s", n);
	text_kg(h, "sourced_g", 11, out);
	text_kg(h, "redistributed_g", 16, out);
	text_kg(h, "wasted_g", 10, out);
	fprintf(out, " %7s\n", render_value(h, &rate, r, sizeof r));
}

/* Writes the hubs table. */
static void
text_hubs(const json_t *report, FILE *out)
{
	const json_t *hubs = render_get(report, "hubs");
	size_t hw = text_widest(hubs, "hub", 3, 20), i;

	text_heading(out, "Hubs");
	fputs("  ", out);
	text_cell(out, "hub", hw, 0);
	fprintf(out, " %7s %11s %16s %10s %7s\n", "members", "sourced kg",
	    "redistributed kg", "wasted kg", "rescue");
	for (i = 0; i < json_array_size(hubs); i++)
		text_hub(json_array_get(hubs, i), hw, out);
	if (json_array_size(hubs) == 0)
		fputs(json_is_array(hubs) ? "  none\n" : "  n/a\n", out);
}

/* Writes the report as text. */
int
render_text(const json_t *report, FILE *out)
{
	const json_t *members = render_check(report);
	const json_t *figures = render_get(report, "figures");

	if (members == NULL)
		return -1;
	text_title(report, out);
	text_headline(report, out);
	text_positive(report, out);
	text_breakdown(figures, "wasted_by_destination", "Waste by destination",
	    out);
	text_breakdown(figures, "wasted_by_cause", "Waste by cause", out);
	text_health(report, out);
	text_members(members, out);
	text_hubs(report, out);
	return render_finish(out);
}
