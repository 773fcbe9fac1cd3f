/* test_render.c: cmocka tests of the text, CSV and HTML report renderers,
 * on a sample report object and on copies broken on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "render.h"

#define SAMPLE LARDER_SOURCE_DIR "/tests/data/report-2026-11.json"

typedef int (*renderer)(const json_t *, FILE *);

/* A fresh copy of the sample for each test, and what was rendered. */
struct fixture {
	json_t *report;
	char *out;
};

/* Loads a fresh copy of the sample report for a test. */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	json_error_t error;

	if (f == NULL)
		return -1;
	f->report = json_load_file(SAMPLE, JSON_STRICT, &error);
	if (f->report == NULL) {
		fprintf(stderr, "%s:%d: %s\n", SAMPLE, error.line, error.text);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* Frees the report and what was rendered. */
static int
teardown(void **state)
{
	struct fixture *f = *state;

	json_decref(f->report);
	free(f->out);
	free(f);
	return 0;
}

/* Renders report with fn into f->out; returns what fn returned. */
static int
render(struct fixture *f, renderer fn, const json_t *report)
{
	size_t len = 0;
	FILE *mem;
	int rc;

	free(f->out);
	f->out = NULL;
	mem = open_memstream(&f->out, &len);
	assert_non_null(mem);
	rc = fn(report, mem);
	assert_int_equal(fclose(mem), 0);
	return rc;
}

/* Renders report with fn, which must succeed; returns the output. */
static const char *
render_ok(struct fixture *f, renderer fn, const json_t *report)
{
	assert_int_equal(render(f, fn, report), 0);
	assert_non_null(f->out);
	return f->out;
}

/* Fails unless hay holds needle. */
static void
has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("output lacks '%s'", needle);
}

/* Fails if hay holds needle. */
static void
lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle) != NULL)
		fail_msg("output has '%s'", needle);
}

/* Times needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The whole line of s holding needle, copied into buf. */
static char *
line_with(const char *s, const char *needle, char *buf, size_t len)
{
	const char *at = strstr(s, needle), *start, *end;

	if (at == NULL)
		fail_msg("no line holds '%s'", needle);
	for (start = at; start > s && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	end = end != NULL ? end : at + strlen(at);
	snprintf(buf, len, "%.*s", (int)(end - start), start);
	return buf;
}

/* The report's member at handle. */
static json_t *
member(json_t *report, const char *handle)
{
	json_t *members = json_object_get(report, "members"), *m;
	size_t i;

	json_array_foreach(members, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "member")),
		        handle) == 0)
			return m;
	}
	fail_msg("no member %s", handle);
	return NULL;
}

/* Sets a grams figure of the report. */
static void
set_figure(json_t *report, const char *key, json_int_t grams)
{
	json_object_set_new(json_object_get(report, "figures"), key,
	    json_integer(grams));
}

/* Writes grams as the renderers must: kg, one decimal, with commas. */
static char *
kg_expected(json_int_t grams, char *buf, size_t len)
{
	json_int_t tenths = (grams + 50) / 100, whole = tenths / 10;

	if (whole >= 1000)
		snprintf(buf, len, "%lld,%03lld.%lld kg", whole / 1000,
		    whole % 1000, tenths % 10);
	else
		snprintf(buf, len, "%lld.%lld kg", whole, tenths % 10);
	return buf;
}

static void
test_render_text_title(void **state)
{
	struct fixture *f = *state;
	const char *text = render_ok(f, render_text, f->report);

	has(text, "Eastfield Food Share: report for 2026-11\n");
	has(text, "1 Nov 2026 to 30 Nov 2026, whole network\n");
	json_object_set_new(f->report, "hub", json_string("northside"));
	text = render_ok(f, render_text, f->report);
	has(text, "1 Nov 2026 to 30 Nov 2026, hub northside\n");
}

static void
test_render_text_redistributed_kg(void **state)
{
	struct fixture *f = *state;
	json_t *figures = json_object_get(f->report, "figures");
	json_int_t g =
	    json_integer_value(json_object_get(figures, "redistributed_g"));
	char want[64], line[256];
	const char *text = render_ok(f, render_text, f->report);

	kg_expected(g, want, sizeof want);
	assert_string_equal(want, "457.6 kg");
	line_with(text, "Food redistributed", line, sizeof line);
	has(line, want);
	/* 457,550 g against 384,750 g is 18.9% more. */
	has(line, "(+19% on previous period)");
	line_with(text, "Waste rate", line, sizeof line);
	has(line, "11.4%");
	has(line, "(-3.2 points on previous period)");
}

static void
test_render_text_kg_thousands(void **state)
{
	struct fixture *f = *state;
	char line[256];
	const char *text;

	set_figure(f->report, "redistributed_g", 1234549);
	set_figure(f->report, "wasted_g", -2050);
	text = render_ok(f, render_text, f->report);
	line_with(text, "Food redistributed", line, sizeof line);
	has(line, " 1,234.5 kg ");
	line_with(text, "Food wasted", line, sizeof line);
	has(line, " -2.1 kg ");
}

static void
test_render_text_factors(void **state)
{
	struct fixture *f = *state;
	const char *text = render_ok(f, render_text, f->report);

	has(text, "1,068.8");
	has(text, "at 420 g a meal\n");
	has(text, "718.2 kg");
	has(text, "at 1.6 kg CO2e per kg\n");
	has(text, "154.8 a week");
}

static void
test_render_text_positive_sum(void **state)
{
	struct fixture *f = *state;
	json_t *ps = json_object_get(f->report, "positive_sum");
	const char *text = render_ok(f, render_text, f->report);
	char line[256];

	line_with(text, "Net rescue above zero", line, sizeof line);
	assert_string_equal(line,
	    "  yes  Net rescue above zero        "
	    "388.6 kg more used than wasted");
	has(text,
	    "  yes  Half are net recipients      4 of 6 active "
	    "members (66.7%)\n");
	has(text,
	    "  yes  Nobody stuck at the floor    no member at the "
	    "ledger floor\n");
	has(text,
	    "Verdict: positive-sum: working together beat working "
	    "alone\n");

	json_object_set_new(ps, "at_floor", json_pack("[s]", "sam-w"));
	json_object_set_new(ps, "floor_ok", json_false());
	json_object_set_new(ps, "positive", json_false());
	text = render_ok(f, render_text, f->report);
	has(text,
	    "  no   Nobody stuck at the floor    1 at the floor: "
	    "sam-w\n");
	has(text, "Verdict: not positive-sum");
	lacks(text, "Verdict: positive-sum");
}

static void
test_render_text_members(void **state)
{
	struct fixture *f = *state;
	const char *text = render_ok(f, render_text, f->report);
	const char *table = strstr(text, "\nMembers\n");
	json_t *m;
	size_t i;
	char line[256];

	assert_non_null(table);
	json_array_foreach(json_object_get(f->report, "members"), i, m)
	    has(table, json_string_value(json_object_get(m, "member")));
	line_with(table, "green-grocer", line, sizeof line);
	has(line, "riverside");
	has(line, "241.7");
	has(line, "-239.6");
	has(text, "\nHubs\n");
	line_with(strstr(text, "\nHubs\n"), "northside", line, sizeof line);
	has(line, "221.7");
	has(line, "87.2%");
}

static void
test_render_text_waste_nonzero_only(void **state)
{
	struct fixture *f = *state;
	const char *text = render_ok(f, render_text, f->report);
	char line[256];

	line_with(text, "  compost", line, sizeof line);
	has(line, "24.9 kg");
	has(line, "41.3%");
	has(text, "  past date ");
	lacks(text, "incineration");
	lacks(text, "anaerobic");
	lacks(text, "sewer");
}

static void
test_render_text_health(void **state)
{
	struct fixture *f = *state;
	const char *text = render_ok(f, render_text, f->report);
	char line[256];

	line_with(text, "Gini of giving", line, sizeof line);
	has(line, "0.64");
	has(line, "one member gives all");
	line_with(text, "Top giver  ", line, sizeof line);
	has(line, "green-grocer");
	line_with(text, "Previous top giver", line, sizeof line);
	has(line, "baker-jo");
	line_with(text, "On time", line, sizeof line);
	has(line, "95.4%");
}

/* Fails if a line of text is over 80 columns. */
static void
fits_80_columns(const char *text)
{
	size_t width = 0, line = 1;
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\n') {
			width = 0;
			line++;
		} else if (((unsigned char)*p & 0xC0) != 0x80 && ++width > 80) {
			fail_msg("line %zu is over 80 columns:\n%s", line,
			    text);
		}
	}
}

static void
test_render_text_fits_80_columns(void **state)
{
	struct fixture *f = *state;
	const char *const long32 = "a-member-with-a-32-letter-handle";
	const char *const hub32 = "the-hub-behind-the-old-bus-depot";
	json_t *r = f->report, *m, *floor = json_array();
	size_t i;

	fits_80_columns(render_ok(f, render_text, r));
	json_object_set_new(r, "network",
	    json_string("Eastfield, Westfield and Northfield "
	                "Community Food Sharing Network"));
	json_object_set_new(r, "hub", json_string(hub32));
	json_array_foreach(json_object_get(r, "members"), i, m)
	{
		json_object_set_new(m, "member", json_string(long32));
		json_object_set_new(m, "hub", json_string(hub32));
		json_array_append_new(floor, json_string(long32));
	}
	json_object_set_new(json_object_get(r, "positive_sum"), "at_floor",
	    floor);
	json_object_set_new(json_object_get(r, "health"), "top_contributor",
	    json_string(long32));
	json_object_set_new(json_array_get(json_object_get(r, "hubs"), 0),
	    "hub", json_string(hub32));
	set_figure(r, "redistributed_g", INT64_C(123456789012345));
	fits_80_columns(render_ok(f, render_text, r));
	has(f->out,
	    "Northfield Community Food Sharing Network\n"
	    "Report for 2026-11\n");
	has(f->out, "  Top giver          a-member-with-a-32-letter-handle\n");
}

static void
test_render_text_control_characters(void **state)
{
	struct fixture *f = *state;
	const char *text;

	json_object_set_new(member(f->report, "sam-w"), "member",
	    json_string("sam\x1b[2Jw\xc2\x9b"
	                "31m"));
	text = render_ok(f, render_text, f->report);
	lacks(text, "\x1b");
	lacks(text, "\xc2\x9b");
	has(text, "sam?[2Jw?31m");
}

static void
test_render_csv_rows(void **state)
{
	struct fixture *f = *state;
	const char *csv = render_ok(f, render_csv, f->report);
	size_t members = json_array_size(json_object_get(f->report, "members"));

	assert_int_equal(count(csv, "\r\n"), (int)members + 2);
	assert_int_equal(count(csv, "\n"), (int)members + 2);
	assert_int_equal(csv[strlen(csv) - 1], '\n');
}

static void
test_render_csv_header(void **state)
{
	struct fixture *f = *state;
	const char *csv = render_ok(f, render_csv, f->report);
	const char *want = "period,member,hub,people_supported,given_g,"
	                   "received_g,sourced_g,wasted_g,matches,collections,"
	                   "no_shows,net_g\r\n";

	assert_memory_equal(csv, want, strlen(want));
}

static void
test_render_csv_member_row(void **state)
{
	struct fixture *f = *state;
	const char *csv = render_ok(f, render_csv, f->report);

	has(csv,
	    "\r\n2026-11,hope-kitchen,northside,85.5,12300,221450,14500,"
	    "6850,45,43,1,209150\r\n");
	has(csv,
	    "\r\n2026-11,baker-jo,northside,0,182400,0,204000,15600,0,"
	    "0,0,-182400\r\n");
}

static void
test_render_csv_network_row(void **state)
{
	struct fixture *f = *state;
	const char *csv = render_ok(f, render_csv, f->report);
	size_t n = strlen(csv);
	const char *want = "\r\n2026-11,(network),,154.75,457550,457550,"
	                   "529500,60350,112,104,5,\r\n";

	assert_true(n > strlen(want));
	assert_string_equal(csv + n - strlen(want), want);
	json_object_set_new(f->report, "hub", json_string("northside"));
	csv = render_ok(f, render_csv, f->report);
	has(csv, "\r\n2026-11,(network),northside,154.75,");
}

static void
test_render_csv_quotes(void **state)
{
	struct fixture *f = *state;
	json_t *m = member(f->report, "sam-w");
	const char *csv;

	json_object_set_new(m, "hub", json_string("north, east"));
	json_object_set_new(m, "member", json_string("sam \"the van\""));
	json_object_set_new(member(f->report, "amina"), "member",
	    json_string("two\nlines"));
	csv = render_ok(f, render_csv, f->report);
	has(csv,
	    "\r\n2026-11,\"sam \"\"the van\"\"\",\"north, east\",3,3200,"
	    "31700,3200,0,11,9,2,28500\r\n");
	has(csv, "\r\n2026-11,\"two\nlines\",riverside,4,");
}

static void
test_render_csv_defuses_formulas(void **state)
{
	struct fixture *f = *state;
	const char *csv;

	json_object_set_new(member(f->report, "sam-w"), "member",
	    json_string("=HYPERLINK(\"x\")"));
	csv = render_ok(f, render_csv, f->report);
	has(csv, "\r\n2026-11,\"'=HYPERLINK(\"\"x\"\")\",northside,");
	lacks(csv, ",=HYPERLINK");
}

static void
test_render_html_doctype(void **state)
{
	struct fixture *f = *state;
	const char *html = render_ok(f, render_html, f->report);

	assert_memory_equal(html, "<!DOCTYPE html>", 15);
	has(html, "<meta charset=\"utf-8\">");
	has(html, "</html>\n");
}

static void
test_render_html_three_charts(void **state)
{
	struct fixture *f = *state;
	const char *html = render_ok(f, render_html, f->report), *p;

	assert_int_equal(count(html, "<svg"), 3);
	assert_int_equal(count(html, "</svg>"), 3);
	for (p = strstr(html, "<svg"); p != NULL; p = strstr(p + 1, "<svg")) {
		char tag[512];

		snprintf(tag, sizeof tag, "%.*s", (int)strcspn(p, ">"), p);
		has(tag, "role=\"img\"");
		has(tag, "aria-label=\"");
		assert_memory_equal(p + strlen(tag), "><title>", 8);
	}
	/* Weekly: a bar per figure per week; members: two bars each. */
	assert_int_equal(count(html, ": Sourced "), 5);
	assert_int_equal(count(html, ": Redistributed "), 5);
	assert_int_equal(count(html, ": Wasted "), 5);
	assert_int_equal(count(html, ": Given "), 5);
	assert_int_equal(count(html, ": Received "), 5);
	has(html, ">w/c 2 Nov</text>");
	has(html, ">Nov</text>");
	has(html, ">100%</text>");
	has(html, ">kg</text>");
}

static void
test_render_html_trend_skips_null(void **state)
{
	struct fixture *f = *state;
	json_t *trend = json_object_get(f->report, "trend");
	json_t *june = json_array_get(trend, 6);
	const char *html = render_ok(f, render_html, f->report);

	/* December 2025 has no rates: one line each, 11 points each. */
	assert_int_equal(count(html, "<polyline"), 2);
	assert_int_equal(count(html, ": Rescue rate "), 11);
	assert_int_equal(count(html, ": Waste rate "), 11);
	has(html, "2026-11: Rescue rate 84.8%");
	json_object_set_new(june, "rescue_rate", json_null());
	json_object_set_new(june, "waste_rate", json_null());
	html = render_ok(f, render_html, f->report);
	assert_int_equal(count(html, "<polyline"), 4);
	assert_int_equal(count(html, ": Rescue rate "), 10);
	lacks(html, "2026-06: Rescue rate");
}

static void
test_render_html_self_contained(void **state)
{
	struct fixture *f = *state;
	const char *html = render_ok(f, render_html, f->report);

	lacks(html, "<script");
	lacks(html, "<SCRIPT");
	lacks(html, "http://");
	lacks(html, "https://");
	lacks(html, "@import");
	lacks(html, " src=");
	lacks(html, "<link");
	assert_int_equal(count(html, "url("), count(html, "url(#"));
	has(html, "@media print");
	has(html, "size:A4");
}

static void
test_render_html_content(void **state)
{
	struct fixture *f = *state;
	const char *html = render_ok(f, render_html, f->report);
	json_t *m;
	size_t i;

	has(html, "<h1>Eastfield Food Share</h1>");
	has(html, "<strong>2026-11</strong>");
	has(html, "<div class=\"v\">457.6 kg</div>");
	has(html, "+19% on previous period");
	has(html, "at 420 g a meal");
	has(html,
	    "Verdict: positive-sum: working together beat working "
	    "alone");
	has(html, "Half are net recipients</strong>: 4 of 6 active members");
	has(html, "<td>Tie persistence</td><td class=\"n\">80.0%</td>");
	json_array_foreach(json_object_get(f->report, "members"), i, m)
	{
		char cell[64];

		snprintf(cell, sizeof cell, "<tr><td class=\"name\">%s</td>",
		    json_string_value(json_object_get(m, "member")));
		has(html, cell);
	}
}

static void
test_render_html_escapes_names(void **state)
{
	struct fixture *f = *state;
	const char *html;

	json_object_set_new(member(f->report, "sam-w"), "member",
	    json_string("<script>alert(1)</script>"));
	json_object_set_new(member(f->report, "amina"), "hub",
	    json_string("\"><img src=x onerror=alert(2)>"));
	json_object_set_new(f->report, "network", json_string("Tom & Jo's"));
	html = render_ok(f, render_html, f->report);
	lacks(html, "<script");
	lacks(html, "<img");
	has(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
	has(html, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
	has(html, "<h1>Tom &amp; Jo&#39;s</h1>");
}

static const renderer renderers[] = {render_text, render_csv, render_html};

/* Fails unless every renderer refuses report with -1. */
static void
all_refuse(struct fixture *f, const json_t *report)
{
	size_t i;

	for (i = 0; i < 3; i++)
		assert_int_equal(render(f, renderers[i], report), -1);
}

static void
test_render_malformed_refused(void **state)
{
	struct fixture *f = *state;
	json_t *empty = json_object(), *copy;

	all_refuse(f, empty);
	all_refuse(f, NULL);
	json_decref(empty);
	copy = json_deep_copy(f->report);
	json_object_del(copy, "figures");
	all_refuse(f, copy);
	json_object_set_new(copy, "figures", json_array());
	all_refuse(f, copy);
	json_decref(copy);
	json_object_set_new(f->report, "members", json_string("amina"));
	all_refuse(f, f->report);
	json_object_set_new(f->report, "members", json_pack("[i]", 7));
	all_refuse(f, f->report);
	json_object_set_new(f->report, "members", json_array());
	json_object_set_new(f->report, "period", json_object());
	all_refuse(f, f->report);
}

/* Sets every rate of obj to null. */
static void
null_rates(json_t *obj)
{
	const char *const keys[] = {"rescue_rate", "waste_rate",
	    "net_recipients_share", "participation_rate", "top_share",
	    "reciprocity", "density", "tie_persistence", "on_time_rate",
	    "effective_contributors", "rank_stability", "redistributed_cv"};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (json_object_get(obj, keys[i]) != NULL)
			json_object_set_new(obj, keys[i], json_null());
	}
}

static void
test_render_null_rates(void **state)
{
	struct fixture *f = *state;
	const char *const parts[] = {"figures", "previous", "positive_sum",
	    "health"};
	json_t *entry;
	char line[256];
	const char *out;
	size_t i;

	for (i = 0; i < 4; i++)
		null_rates(json_object_get(f->report, parts[i]));
	json_array_foreach(json_object_get(f->report, "trend"), i, entry)
	    null_rates(entry);
	json_array_foreach(json_object_get(f->report, "hubs"), i, entry)
	    null_rates(entry);
	out = render_ok(f, render_text, f->report);
	line_with(out, "Rescue rate", line, sizeof line);
	has(line, "n/a");
	line_with(out, "Half are net recipients", line, sizeof line);
	has(line, "(n/a)");
	line_with(out, "On time", line, sizeof line);
	has(line, "n/a");
	line_with(strstr(out, "\nHubs\n"), "northside", line, sizeof line);
	has(line, "n/a");
	out = render_ok(f, render_html, f->report);
	assert_int_equal(count(out, "<polyline"), 0);
	assert_int_equal(count(out, "<svg"), 3);
	has(out, "<div class=\"v\">n/a</div><div class=\"l\">Rescue rate");
	render_ok(f, render_csv, f->report);
}

static void
test_render_missing_parts(void **state)
{
	struct fixture *f = *state;
	const char *const keys[] = {"report", "hub", "factors", "previous",
	    "positive_sum", "health", "weekly", "trend", "hubs"};
	json_t *figures = json_object_get(f->report, "figures");
	char line[256];
	const char *out;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		json_object_del(f->report, keys[i]);
	json_object_clear(figures);
	json_object_set_new(member(f->report, "amina"), "given_g",
	    json_string("lots"));
	json_object_del(member(f->report, "sam-w"), "member");
	out = render_ok(f, render_text, f->report);
	has(out, "Eastfield Food Share");
	has(out, "Verdict: n/a");
	has(out, "at n/a g a meal");
	line_with(out, "Food redistributed", line, sizeof line);
	has(line, "n/a");
	out = render_ok(f, render_html, f->report);
	assert_int_equal(count(out, "<svg"), 3);
	has(out, "No weeks in this report");
	has(out, "No months in this report");
	out = render_ok(f, render_csv, f->report);
	has(out, "\r\n2026-11,amina,riverside,4,,48300,");
	has(out, "\r\n2026-11,(network),,,,,,,,,,\r\n");
}

/* Renders report with every renderer: none may crash; all or none fail. */
static void
survives(struct fixture *f, const json_t *report, const char *where)
{
	int rc[3];
	size_t i;

	for (i = 0; i < 3; i++)
		rc[i] = render(f, renderers[i], report);
	if (rc[0] != rc[1] || rc[1] != rc[2])
		fail_msg("%s: renderers disagree: %d %d %d", where, rc[0],
		    rc[1], rc[2]);
}

/* Replaces member key of obj by each wrong value, then drops it. */
static void
key_broken(struct fixture *f, json_t *report, json_t *obj, const char *key,
    const char *where)
{
	json_t *wrong[] = {json_null(), json_string("x\"<&"), json_integer(-1),
	    json_integer(INT64_MAX), json_integer(INT64_MIN), json_real(1e300),
	    json_real(-1e300), json_array(), json_object()};
	json_t *keep = json_incref(json_object_get(obj, key));
	char what[128];
	size_t i;

	for (i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		snprintf(what, sizeof what, "%s.%s = wrong %zu", where, key, i);
		json_object_set_new(obj, key, wrong[i]);
		survives(f, report, what);
	}
	json_object_del(obj, key);
	snprintf(what, sizeof what, "%s.%s missing", where, key);
	survives(f, report, what);
	json_object_set_new(obj, key, keep);
}

/* Breaks each member of obj in turn, and renders. */
static void
each_key_broken(struct fixture *f, json_t *report, json_t *obj,
    const char *where)
{
	json_t *keys = json_array(), *v;
	const char *key;
	size_t i;

	json_object_foreach(obj, key, v)
	    json_array_append_new(keys, json_string(key));
	assert_true(json_array_size(keys) > 0);
	json_array_foreach(keys, i, v)
	    key_broken(f, report, obj, json_string_value(v), where);
	json_decref(keys);
}

static void
test_render_malformed_every_key(void **state)
{
	struct fixture *f = *state;
	json_t *r = f->report;
	const char *const parts[] = {"period", "factors", "figures", "previous",
	    "positive_sum", "health"};
	const char *const arrays[] = {"members", "weekly", "trend", "hubs"};
	size_t i;

	each_key_broken(f, r, r, "report");
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
		each_key_broken(f, r, json_object_get(r, parts[i]), parts[i]);
	for (i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		each_key_broken(f, r,
		    json_array_get(json_object_get(r, arrays[i]), 0),
		    arrays[i]);
	each_key_broken(f, r,
	    json_object_get(json_object_get(r, "figures"), "wasted_by_cause"),
	    "wasted_by_cause");
}

static void
test_render_write_failure(void **state)
{
	struct fixture *f = *state;
	FILE *full = fopen("/dev/full", "w");
	size_t i;

	if (full == NULL)
		skip();
	for (i = 0; i < 3; i++) {
		assert_int_equal(renderers[i](f->report, full), -1);
		clearerr(full);
	}
	fclose(full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_render_text_title),
	    T(test_render_text_redistributed_kg),
	    T(test_render_text_kg_thousands),
	    T(test_render_text_factors),
	    T(test_render_text_positive_sum),
	    T(test_render_text_members),
	    T(test_render_text_waste_nonzero_only),
	    T(test_render_text_health),
	    T(test_render_text_fits_80_columns),
	    T(test_render_text_control_characters),
	    T(test_render_csv_rows),
	    T(test_render_csv_header),
	    T(test_render_csv_member_row),
	    T(test_render_csv_network_row),
	    T(test_render_csv_quotes),
	    T(test_render_csv_defuses_formulas),
	    T(test_render_html_doctype),
	    T(test_render_html_three_charts),
	    T(test_render_html_trend_skips_null),
	    T(test_render_html_self_contained),
	    T(test_render_html_content),
	    T(test_render_html_escapes_names),
	    T(test_render_malformed_refused),
	    T(test_render_null_rates),
	    T(test_render_missing_parts),
	    T(test_render_malformed_every_key),
	    T(test_render_write_failure),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
