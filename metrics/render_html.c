/* render_html.c: the report as one self-contained HTML page that fetches
 * nothing, prints on A4, and escapes every string from the object. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "render_impl.h"

/* The page's whole style: screen first, then what changes in print. */
static const char html_style[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#eceae4;color:#1b1b1b;"
    "font:15px/1.45 system-ui,'Segoe UI',Roboto,'Helvetica Neue',"
    "Arial,sans-serif}\n"
    "main{max-width:980px;margin:0 auto;padding:28px 36px 40px;"
    "background:#fff}\n"
    "h1{font-size:28px;margin:0}\n"
    "h2{font-size:19px;margin:32px 0 12px;padding-bottom:4px;"
    "border-bottom:2px solid #1b1b1b}\n"
    ".sub{margin:4px 0 0;color:#4a4a4a}\n"
    ".cards{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}\n"
    ".card{border:1px solid #c9c9c9;border-radius:6px;padding:10px 12px;"
    "background:#f7f7f4}\n"
    ".card .v{font-size:24px;font-weight:700}\n"
    ".card .l{font-weight:600}\n"
    ".card .c,.card .f{font-size:13px;color:#4a4a4a}\n"
    ".verdict{margin:0 0 10px;padding:10px 14px;font-weight:700;"
    "border:2px solid #1b1b1b;border-left-width:10px}\n"
    ".verdict.no{border-style:dashed dashed dashed solid}\n"
    ".conds{list-style:none;margin:0;padding:0}\n"
    ".conds li{padding:6px 0;border-bottom:1px solid #ddd}\n"
    ".mark{display:inline-block;min-width:56px;font-weight:700}\n"
    ".why{display:block;margin-left:60px;font-size:13px;color:#4a4a4a}\n"
    "figure{margin:18px 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{font-weight:600;margin-bottom:6px}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    "svg text{font-size:13px;fill:#1b1b1b}\n"
    "svg text.unit,svg text.value{fill:#4a4a4a;font-size:12px}\n"
    "svg .grid{stroke:#dcdcdc;stroke-width:1}\n"
    "svg .axis{stroke:#1b1b1b;stroke-width:1}\n"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:28px}\n"
    "table{width:100%;border-collapse:collapse;font-size:14px}\n"
    "th,td{padding:5px 8px;border-bottom:1px solid #ddd;text-align:left;"
    "vertical-align:top}\n"
    "th{border-bottom:2px solid #1b1b1b}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "td.name{min-width:9em}\n"
    ".scroll{overflow-x:auto}\n"
    "td.m{color:#4a4a4a}\n"
    "tr{break-inside:avoid;page-break-inside:avoid}\n"
    "footer{margin-top:32px;font-size:13px;color:#4a4a4a}\n"
    "@media (max-width:700px){main{padding:16px}"
    ".cards{grid-template-columns:1fr 1fr}"
    ".pair{grid-template-columns:1fr}}\n"
    "@media print{@page{size:A4;margin:14mm 12mm}\n"
    "body{background:none;font-size:10.5pt}\n"
    "main{max-width:none;padding:0}\n"
    ".card{background:none}\n"
    ".scroll{overflow:visible}\n"
    "h2{break-after:avoid;page-break-after:avoid}\n"
    "section.ps,.cards,figure,table{break-inside:avoid;"
    "page-break-inside:avoid}\n"
    "table.members{break-inside:auto}}\n";

/* Writes an element holding escaped text: <tag class="cls">s</tag>. */
static void
html_el(FILE *out, const char *tag, const char *cls, const char *s)
{
	if (cls != NULL)
		fprintf(out, "<%s class=\"%s\">", tag, cls);
	else
		fprintf(out, "<%s>", tag);
	render_html_escape(out, s);
	fprintf(out, "</%s>", tag);
}

/* Writes a table cell with grams of obj at key, as kg. */
static void
html_kg(FILE *out, const json_t *obj, const char *key)
{
	char kg[RENDER_BUF];
	int64_t g;

	html_el(out, "td", "n",
	    render_int(obj, key, &g) == 0 ? render_kg(g, kg, sizeof kg)
	                                  : "n/a");
}

/* Writes a table cell with a figure of obj as its row says. */
static void
html_value(FILE *out, const json_t *obj, const struct render_row *row)
{
	char buf[RENDER_BUF];

	html_el(out, "td", "n", render_value(obj, row, buf, sizeof buf));
}

/* Writes a table's head row: cells named, those starting '#' numeric. */
static void
html_head_row(FILE *out, const char *const *names)
{
	fputs("<thead><tr>", out);
	for (; *names != NULL; names++) {
		if ((*names)[0] == '#')
			html_el(out, "th", "n", *names + 1);
		else
			html_el(out, "th", NULL, *names);
	}
	fputs("</tr></thead>\n", out);
}

/* Writes the document's head and the page's title block. */
static void
html_top(const json_t *report, FILE *out)
{
	const char *network = render_str(report, "network");
	const char *label = render_str(render_get(report, "period"), "label");
	const char *hub = render_str(report, "hub");
	char days[RENDER_BUF];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" "
	      "content=\"width=device-width, initial-scale=1\">\n<title>",
	    out);
	render_html_escape(out, network);
	fputs(": report for ", out);
	render_html_escape(out, label);
	fprintf(out,
	    "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n"
	    "<header>\n",
	    html_style);
	html_el(out, "h1", NULL, network);
	fputs("\n<p class=\"sub\">Report for <strong>", out);
	render_html_escape(out, label);
	fputs("</strong>: ", out);
	render_html_escape(out, render_period_days(report, days, sizeof days));
	fputs(hub != NULL ? ", hub <strong>" : ", whole network", out);
	if (hub != NULL) {
		render_html_escape(out, hub);
		fputs("</strong>", out);
	}
	fputs("</p>\n</header>\n", out);
}

/* Writes one headline figure as a card: value, name, change, factor. */
static void
html_card(const json_t *report, const struct render_row *row, FILE *out)
{
	const json_t *now = render_get(report, "figures");
	char value[RENDER_BUF], change[RENDER_BUF], f[RENDER_BUF];
	const char *factor;

	fputs("<div class=\"card\">", out);
	html_el(out, "div", "v",
	    render_with_unit(now, row, value, sizeof value));
	html_el(out, "div", "l", row->label);
	html_el(out, "div", "c",
	    render_change(now, render_get(report, "previous"), row, change,
	        sizeof change));
	factor = render_factor(report, row, f, sizeof f);
	html_el(out, "div", "f", factor != NULL ? factor : row->meaning);
	fputs("</div>\n", out);
}

/* Writes the headline figures. */
static void
html_headline(const json_t *report, FILE *out)
{
	const struct render_row *row;

	fputs("<section>\n<h2>Headline</h2>\n<div class=\"cards\">\n", out);
	for (row = render_headline; row->key != NULL; row++)
		html_card(report, row, out);
	fputs("</div>\n</section>\n", out);
}

/* Writes the handles at the ledger floor after their count. */
static void
html_floor(const json_t *floor, FILE *out)
{
	const char *h;
	size_t i;

	for (i = 0; i < json_array_size(floor); i++) {
		h = json_string_value(json_array_get(floor, i));
		fputs(i > 0 ? ", " : " ", out);
		render_html_escape(out, h != NULL ? h : "?");
	}
}

/* Writes the positive-sum test: the verdict and its three conditions. */
static void
html_positive(const json_t *report, FILE *out)
{
	const json_t *ps = render_get(report, "positive_sum");
	const struct render_condition *c;
	char figure[RENDER_BUF];
	const char *ok;
	int i;

	fputs("<section class=\"ps\">\n<h2>Positive-sum test: did working "
	      "together beat working alone?</h2>\n",
	    out);
	html_el(out, "p",
	    json_is_true(render_get(ps, "positive")) ? "verdict yes"
	                                             : "verdict no",
	    render_verdict(ps));
	fputs("\n<ul class=\"conds\">\n", out);
	for (i = 0; i < RENDER_CONDITIONS; i++) {
		c = &render_conditions[i];
		ok = render_ok(ps, c->key);
		fprintf(out, "<li><span class=\"mark\">%s %s</span>",
		    strcmp(ok, "yes") == 0      ? "&#10003;"
		        : strcmp(ok, "no") == 0 ? "&#10007;"
		                                : "&#8211;",
		    ok);
		html_el(out, "strong", NULL, c->label);
		fputs(": ", out);
		render_html_escape(out,
		    render_condition_figure(ps, i, figure, sizeof figure));
		if (i == 2)
			html_floor(render_get(ps, "at_floor"), out);
		html_el(out, "span", "why", c->why);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

/* Writes a chart in a figure with its caption. */
static void
html_figure_open(FILE *out, const char *caption)
{
	fputs("<figure>\n", out);
	html_el(out, "figcaption", NULL, caption);
	fputc('\n', out);
}

/* Writes the weekly and the 12-month charts. */
static void
html_charts(const json_t *report, FILE *out)
{
	fputs("<section>\n<h2>Week by week, and the last 12 months</h2>\n",
	    out);
	html_figure_open(out,
	    "Food sourced, redistributed and wasted each "
	    "week (w/c: week commencing)");
	render_svg_weekly(report, out);
	fputs("</figure>\n", out);
	html_figure_open(out,
	    "Rescue rate and waste rate each month "
	    "(months with nothing sourced are left out)");
	render_svg_trend(report, out);
	fputs("</figure>\n</section>\n", out);
}

/* Writes one breakdown of waste as a table of its non-zero parts. */
static void
html_breakdown(const json_t *figures, const char *key, const char *what,
    FILE *out)
{
	json_t *parts = render_get(figures, key);
	const char *const head[] = {what, "#kg", "#share", NULL};
	char words[RENDER_BUF], pct[RENDER_BUF];
	const char *name;
	json_t *v;
	int64_t total;
	int shown = 0;

	if (render_int(figures, "wasted_g", &total) != 0)
		total = 0;
	fputs("<table>\n", out);
	html_head_row(out, head);
	fputs("<tbody>\n", out);
	json_object_foreach(parts, name, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		fputs("<tr>", out);
		html_el(out, "td", NULL,
		    render_words(name, words, sizeof words));
		html_kg(out, parts, name);
		html_el(out, "td", "n",
		    total > 0 ? render_pct((double)json_integer_value(v) /
		                        (double)total,
		                    pct, sizeof pct)
		              : "n/a");
		fputs("</tr>\n", out);
		shown++;
	}
	if (shown == 0)
		fputs(json_is_object(parts) ? "<tr><td colspan=\"3\">none</td>"
		                              "</tr>\n"
		                            : "<tr><td colspan=\"3\">n/a</td>"
		                              "</tr>\n",
		    out);
	fputs("</tbody>\n</table>\n", out);
}

/* Writes where the waste went and why, side by side. */
static void
html_waste(const json_t *report, FILE *out)
{
	const json_t *figures = render_get(report, "figures");

	fputs("<section>\n<h2>Waste by destination and cause</h2>\n"
	      "<div class=\"pair\">\n<div>\n",
	    out);
	html_breakdown(figures, "wasted_by_destination", "Destination", out);
	fputs("</div>\n<div>\n", out);
	html_breakdown(figures, "wasted_by_cause", "Cause", out);
	fputs("</div>\n</div>\n</section>\n", out);
}

/* Writes network health: each measure, its value and what it means. */
static void
html_health(const json_t *report, FILE *out)
{
	const json_t *health = render_get(report, "health");
	const char *const head[] = {"Measure", "#This period", "What it means",
	    NULL};
	const struct render_row *row;

	fputs("<section>\n<h2>Network health</h2>\n<table>\n", out);
	html_head_row(out, head);
	fputs("<tbody>\n", out);
	for (row = render_health; row->key != NULL; row++) {
		fputs("<tr>", out);
		html_el(out, "td", NULL, row->label);
		html_value(out, health, row);
		html_el(out, "td", "m", row->meaning);
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* Writes one member's row of the members table. */
static void
html_member(const json_t *m, FILE *out)
{
	static const struct render_row people = {"people_supported", "",
	    RENDER_TENTHS, "", ""};
	static const struct render_row collections = {"collections", "",
	    RENDER_COUNT, "", ""};
	static const struct render_row shows = {"no_shows", "", RENDER_COUNT,
	    "", ""};
	const char *name = render_str(m, "member");
	const char *hub = render_str(m, "hub");

	fputs("<tr>", out);
	html_el(out, "td", "name", name != NULL ? name : "n/a");
	html_el(out, "td", "name", hub != NULL ? hub : "n/a");
	html_value(out, m, &people);
	html_kg(out, m, "given_g");
	html_kg(out, m, "received_g");
	html_kg(out, m, "net_g");
	html_value(out, m, &collections);
	html_value(out, m, &shows);
	fputs("</tr>\n", out);
}

/* Writes the per-member chart and the members table. */
static void
html_members(const json_t *members, FILE *out)
{
	const char *const head[] = {"Member", "Hub", "#People a week",
	    "#Given kg", "#Received kg", "#Net kg", "#Collections", "#No-shows",
	    NULL};
	size_t i;

	fputs("<section>\n<h2>Members</h2>\n", out);
	html_figure_open(out,
	    "Food each member gave (collected by others) "
	    "and received");
	render_svg_members(members, out);
	fputs("</figure>\n<div class=\"scroll\">\n<table class=\"members\">\n",
	    out);
	html_head_row(out, head);
	fputs("<tbody>\n", out);
	for (i = 0; i < json_array_size(members); i++)
		html_member(json_array_get(members, i), out);
	if (json_array_size(members) == 0)
		fputs("<tr><td colspan=\"8\">none</td></tr>\n", out);
	fputs("</tbody>\n</table>\n</div>\n</section>\n", out);
}

/* Writes the hubs table. */
static void
html_hubs(const json_t *report, FILE *out)
{
	static const struct render_row members = {"members", "", RENDER_COUNT,
	    "", ""};
	static const struct render_row rate = {"rescue_rate", "", RENDER_RATE,
	    "", ""};
	const char *const head[] = {"Hub", "#Members", "#Sourced kg",
	    "#Redistributed kg", "#Wasted kg", "#Rescue rate", NULL};
	const json_t *hubs = render_get(report, "hubs"), *h;
	size_t i;

	fputs("<section>\n<h2>Hubs</h2>\n<div class=\"scroll\">\n<table>\n",
	    out);
	html_head_row(out, head);
	fputs("<tbody>\n", out);
	for (i = 0; i < json_array_size(hubs); i++) {
		h = json_array_get(hubs, i);
		fputs("<tr>", out);
		html_el(out, "td", NULL,
		    render_str(h, "hub") != NULL ? render_str(h, "hub")
		                                 : "n/a");
		html_value(out, h, &members);
		html_kg(out, h, "sourced_g");
		html_kg(out, h, "redistributed_g");
		html_kg(out, h, "wasted_g");
		html_value(out, h, &rate);
		fputs("</tr>\n", out);
	}
	if (json_array_size(hubs) == 0)
		fprintf(out, "<tr><td colspan=\"6\">%s</td></tr>\n",
		    json_is_array(hubs) ? "none" : "n/a");
	fputs("</tbody>\n</table>\n</div>\n</section>\n", out);
}

/* Writes the footer: how the figures were made, and the page's end. */
static void
html_bottom(const json_t *report, FILE *out)
{
	const struct render_row *row;
	char f[RENDER_BUF];
	const char *factor;

	fputs("<footer>\n<p>Quantities are weighed food in kg. Rates are "
	      "n/a when nothing was sourced. Meals and CO2e are estimated "
	      "from food used: meals ",
	    out);
	for (row = render_headline; row->key != NULL; row++) {
		factor = render_factor(report, row, f, sizeof f);
		if (factor == NULL)
			continue;
		render_html_escape(out, factor);
		fputs(strcmp(row->key, "meals") == 0 ? ", CO2e " : ".", out);
	}
	fputs(" Changes compare with the period of the same length just "
	      "before.</p>\n</footer>\n</main>\n</body>\n</html>\n",
	    out);
}

/* Writes the report as one HTML page. */
int
render_html(const json_t *report, FILE *out)
{
	const json_t *members = render_check(report);

	if (members == NULL)
		return -1;
	html_top(report, out);
	html_headline(report, out);
	html_positive(report, out);
	html_charts(report, out);
	html_waste(report, out);
	html_health(report, out);
	html_members(members, out);
	html_hubs(report, out);
	html_bottom(report, out);
	return render_finish(out);
}
