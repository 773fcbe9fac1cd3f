/* render.c: reading the report object and formatting its figures, for
 * every renderer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "render_impl.h"

const struct render_row render_headline[] = {
    {"redistributed_g", "Food redistributed", RENDER_KG, " kg",
        "collected by a member other than the donor"},
    {"sourced_g", "Food sourced", RENDER_KG, " kg", "offered into the network"},
    {"used_g", "Food used", RENDER_KG, " kg",
        "redistributed less what was thrown away"},
    {"wasted_g", "Food wasted", RENDER_KG, " kg",
        "unclaimed, rejected or thrown away"},
    {"rescue_rate", "Rescue rate", RENDER_RATE, "",
        "food used out of food sourced"},
    {"waste_rate", "Waste rate", RENDER_RATE, "",
        "food wasted out of food sourced"},
    {"meals", "Meals", RENDER_TENTHS, "", "from food used"},
    {"co2e_avoided_kg", "CO2e avoided", RENDER_TENTHS, " kg", "from food used"},
    {"people_supported", "People supported", RENDER_TENTHS, " a week",
        "as members reported them"},
    {NULL, NULL, RENDER_COUNT, NULL, NULL},
};

const struct render_row render_health[] = {
    {"members", "Members", RENDER_COUNT, "", "joined by the end of the period"},
    {"active_members", "Active members", RENDER_COUNT, "",
        "offered, asked, matched or collected"},
    {"participation_rate", "Participation", RENDER_RATE, "",
        "active members out of all members"},
    {"gini_contributions", "Gini of giving", RENDER_RATIO, "",
        "0 all give alike, 1 one member gives all"},
    {"effective_contributors", "Effective givers", RENDER_RATIO, "",
        "how many equal givers the giving amounts to"},
    {"top_share", "Top giver's share", RENDER_RATE, "",
        "of all food given, by the largest giver"},
    {"reciprocity", "Reciprocity", RENDER_RATE, "",
        "both gave and received, last 3 months"},
    {"partner_pairs", "Partner pairs", RENDER_COUNT, "",
        "pairs of members food passed between"},
    {"density", "Density", RENDER_RATE, "",
        "those pairs out of all possible pairs"},
    {"new_ties", "New ties", RENDER_COUNT, "",
        "pairs that never shared food before"},
    {"tie_persistence", "Tie persistence", RENDER_RATE, "",
        "last period's pairs that shared again"},
    {"on_time_rate", "On time", RENDER_RATE, "",
        "collections made rather than missed"},
    {"top_contributor", "Top giver", RENDER_HANDLE, "",
        "the member that gave most"},
    {"previous_top_contributor", "Previous top giver", RENDER_HANDLE, "",
        "the same, in the previous period"},
    {"leadership_changed", "Top giver changed", RENDER_BOOL, "",
        "whether another member now gives most"},
    {"rank_stability", "Rank stability", RENDER_RATIO, "",
        "-1 to 1: givers keep their order"},
    {"redistributed_cv", "Monthly variation", RENDER_RATIO, "",
        "spread of food redistributed, 12 months"},
    {NULL, NULL, RENDER_COUNT, NULL, NULL},
};

const struct render_condition render_conditions[RENDER_CONDITIONS] = {
    {"net_rescue_ok", "Net rescue above zero",
        "More food was used than wasted."},
    {"net_recipients_ok", "Half are net recipients",
        "At least half of the members active in the last 3 months "
        "received more than they gave."},
    {"floor_ok", "Nobody stuck at the floor",
        "No member sat at the ledger floor for the last two months."},
};

static const char *const render_months[] = {"Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Checks the object holds what every renderer needs; its members. */
const json_t *
render_check(const json_t *report)
{
	const json_t *members = render_get(report, "members");
	size_t i;

	if (render_str(report, "network") == NULL ||
	    render_str(render_get(report, "period"), "label") == NULL ||
	    !json_is_object(render_get(report, "figures")) ||
	    !json_is_array(members))
		return NULL;
	for (i = 0; i < json_array_size(members); i++) {
		if (!json_is_object(json_array_get(members, i)))
			return NULL;
	}
	return members;
}

/* A member of an object, or NULL. */
json_t *
render_get(const json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	return json_object_get(obj, key);
}

/* A string member, or NULL. */
const char *
render_str(const json_t *obj, const char *key)
{
	return json_string_value(render_get(obj, key));
}

/* Reads an integer member; a real is rounded. */
int
render_int(const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = render_get(obj, key);
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	if (d < -9e18 || d > 9e18)
		return -1;
	*out = render_round(d);
	return 0;
}

/* Reads a number member. */
int
render_real(const json_t *obj, const char *key, double *out)
{
	const json_t *v = render_get(obj, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

/* Rounds half away from zero, within int64_t. */
int64_t
render_round(double x)
{
	if (x != x)
		return 0;
	if (x >= 9e18)
		return INT64_C(9000000000000000000);
	if (x <= -9e18)
		return -INT64_C(9000000000000000000);
	return (int64_t)(x < 0 ? x - 0.5 : x + 0.5);
}

/* Writes a whole number with commas between thousands. */
char *
render_group(int64_t v, char *buf, size_t len)
{
	char digits[32], out[48];
	size_t n, i, o = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	snprintf(digits, sizeof digits, "%" PRIu64, u);
	n = strlen(digits);
	if (v < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
	return buf;
}

/* Writes tenths as a number with one decimal and thousands separators. */
static char *
render_tenths(int64_t tenths, const char *sign, char *buf, size_t len)
{
	char whole[48];
	int64_t abs = tenths < 0 ? -tenths : tenths;

	render_group(abs / 10, whole, sizeof whole);
	snprintf(buf, len, "%s%s.%d", tenths < 0 ? "-" : sign, whole,
	    (int)(abs % 10));
	return buf;
}

/* Writes grams as kg: one decimal, rounded half away from zero. */
char *
render_kg(int64_t grams, char *buf, size_t len)
{
	int64_t tenths;

	/* Far beyond any real quantity, but kept clear of overflow. */
	if (grams < -INT64_C(9000000000000000000))
		grams = -INT64_C(9000000000000000000);
	if (grams > INT64_C(9000000000000000000))
		grams = INT64_C(9000000000000000000);
	tenths = grams < 0 ? -((-grams + 50) / 100) : (grams + 50) / 100;
	return render_tenths(tenths, "", buf, len);
}

/* Writes a 0-1 rate as a percentage with one decimal. */
char *
render_pct(double rate, char *buf, size_t len)
{
	size_t n;

	render_tenths(render_round(rate * 1000), "", buf, len);
	n = strlen(buf);
	if (n + 1 < len) {
		buf[n] = '%';
		buf[n + 1] = '\0';
	}
	return buf;
}

/* Writes a figure as its row says, or "n/a". */
const char *
render_value(const json_t *obj, const struct render_row *row, char *buf,
    size_t len)
{
	const json_t *v = render_get(obj, row->key);
	int64_t i;
	double d;

	snprintf(buf, len, "n/a");
	if (row->kind == RENDER_HANDLE) {
		if (json_is_null(v))
			return "nobody";
		return json_is_string(v) ? json_string_value(v) : buf;
	}
	if (row->kind == RENDER_BOOL)
		return json_is_boolean(v) ? (json_is_true(v) ? "yes" : "no")
		                          : buf;
	if (row->kind == RENDER_KG || row->kind == RENDER_COUNT) {
		if (render_int(obj, row->key, &i) != 0)
			return buf;
		return row->kind == RENDER_KG ? render_kg(i, buf, len)
		                              : render_group(i, buf, len);
	}
	if (render_real(obj, row->key, &d) != 0)
		return buf;
	if (row->kind == RENDER_RATE)
		return render_pct(d, buf, len);
	if (row->kind == RENDER_TENTHS)
		return render_tenths(render_round(d * 10), "", buf, len);
	snprintf(buf, len, "%.2f", d);
	return buf;
}

/* Writes a figure as its row says with its unit, or "n/a". */
char *
render_with_unit(const json_t *obj, const struct render_row *row, char *buf,
    size_t len)
{
	char v[RENDER_BUF];
	const char *shown = render_value(obj, row, v, sizeof v);

	snprintf(buf, len, "%s%s", shown,
	    strcmp(shown, "n/a") == 0 ? "" : row->unit);
	return buf;
}

/* Writes how a figure moved against the previous period. */
char *
render_change(const json_t *now, const json_t *prev,
    const struct render_row *row, char *buf, size_t len)
{
	char n[RENDER_BUF];
	int64_t step;
	double a, b;

	if (render_real(now, row->key, &a) != 0) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	if (render_real(prev, row->key, &b) != 0) {
		snprintf(buf, len, "no previous figure");
		return buf;
	}
	if (row->kind == RENDER_RATE) {
		/* Rates change by points: 80% to 88% is 8 points, not 10%. */
		step = render_round((a - b) * 1000);
		render_tenths(step, "+", n, sizeof n);
		snprintf(buf, len, "%s points on previous period", n);
	} else if (b == 0) {
		snprintf(buf, len, "%s",
		    a == 0 ? "same as previous period"
		           : "none in previous period");
		return buf;
	} else {
		step = render_round((a - b) / (b < 0 ? -b : b) * 100);
		render_group(step, n, sizeof n);
		snprintf(buf, len, "%s%s%% on previous period",
		    step > 0 ? "+" : "", n);
	}
	if (step == 0)
		snprintf(buf, len, "same as previous period");
	return buf;
}

/* The factor a headline figure is computed with, or NULL. */
const char *
render_factor(const json_t *report, const struct render_row *row, char *buf,
    size_t len)
{
	const json_t *factors = render_get(report, "factors");
	double f;

	if (strcmp(row->key, "meals") == 0) {
		if (render_real(factors, "grams_per_meal", &f) != 0)
			return "at n/a g a meal";
		snprintf(buf, len, "at %g g a meal", f);
		return buf;
	}
	if (strcmp(row->key, "co2e_avoided_kg") == 0) {
		if (render_real(factors, "co2e_per_kg", &f) != 0)
			return "at n/a kg CO2e per kg";
		snprintf(buf, len, "at %g kg CO2e per kg", f);
		return buf;
	}
	return NULL;
}

/* Reads the date of an RFC 3339 UTC time, less a second when before. */
static int
render_date(const char *s, int before, struct tm *tm)
{
	time_t t;
	int n = 0;

	memset(tm, 0, sizeof *tm);
	if (s == NULL ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm->tm_year, &tm->tm_mon,
	        &tm->tm_mday, &tm->tm_hour, &tm->tm_min, &tm->tm_sec,
	        &n) != 6 ||
	    tm->tm_mon < 1 || tm->tm_mon > 12)
		return -1;
	tm->tm_year -= 1900;
	tm->tm_mon--;
	t = timegm(tm) - (before ? 1 : 0);
	if (gmtime_r(&t, tm) == NULL)
		return -1;
	return 0;
}

/* Writes the first and last days of the period. */
char *
render_period_days(const json_t *report, char *buf, size_t len)
{
	const json_t *period = render_get(report, "period");
	struct tm from, to;

	if (render_date(render_str(period, "from"), 0, &from) != 0 ||
	    render_date(render_str(period, "to"), 1, &to) != 0) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	snprintf(buf, len, "%d %s %d to %d %s %d", from.tm_mday,
	    render_months[from.tm_mon], from.tm_year + 1900, to.tm_mday,
	    render_months[to.tm_mon], to.tm_year + 1900);
	return buf;
}

/* Writes the day of an RFC 3339 time: "2 Nov". */
char *
render_day(const char *rfc3339, char *buf, size_t len)
{
	struct tm tm;

	if (render_date(rfc3339, 0, &tm) != 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%d %s", tm.tm_mday,
		    render_months[tm.tm_mon]);
	return buf;
}

/* The short name of a "YYYY-MM" month. */
const char *
render_month(const char *ym, int *year, int *mon)
{
	int n = 0;

	*year = 0;
	*mon = 0;
	if (ym == NULL || sscanf(ym, "%4d-%2d%n", year, mon, &n) != 2 ||
	    ym[n] != '\0' || *mon < 1 || *mon > 12) {
		*mon = 0;
		return "?";
	}
	return render_months[*mon - 1];
}

/* Writes a key with spaces for underscores. */
char *
render_words(const char *key, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%s", key);
	for (p = buf; *p != '\0'; p++) {
		if (*p == '_')
			*p = ' ';
	}
	return buf;
}

/* Bytes of the first max UTF-8 characters of s. */
size_t
render_prefix(const char *s, size_t max)
{
	size_t i, chars = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max)
			break;
	}
	return i;
}

/* UTF-8 characters in s. */
size_t
render_width(const char *s)
{
	size_t chars = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80)
			chars++;
	}
	return chars;
}

/* Writes s escaped for HTML text and attributes. */
void
render_html_escape(FILE *out, const char *s)
{
	size_t run;

	while (*s != '\0') {
		run = strcspn(s, "&<>\"'");
		fwrite(s, 1, run, out);
		s += run;
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			return;
		}
		s++;
	}
}

/* Flushes out and says whether any write failed. */
int
render_finish(FILE *out)
{
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}

/* The yes or no of a positive-sum condition. */
const char *
render_ok(const json_t *ps, const char *key)
{
	const json_t *v = render_get(ps, key);

	if (!json_is_boolean(v))
		return "n/a";
	return json_is_true(v) ? "yes" : "no";
}

/* Writes how many members received more than they gave, of how many. */
static char *
render_recipients(const json_t *ps, char *buf, size_t len)
{
	char pct[RENDER_BUF];
	int64_t n, of;
	double share;

	snprintf(pct, sizeof pct, "n/a");
	if (render_real(ps, "net_recipients_share", &share) == 0)
		render_pct(share, pct, sizeof pct);
	if (render_int(ps, "net_recipients", &n) != 0 ||
	    render_int(ps, "active_quarter", &of) != 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%lld of %lld active members (%s)",
		    (long long)n, (long long)of, pct);
	return buf;
}

/* The size of v, clear of overflow. */
static int64_t
render_abs(int64_t v)
{
	if (v < -INT64_MAX)
		return INT64_MAX;
	return v < 0 ? -v : v;
}

/* Writes the figure behind a positive-sum condition. */
char *
render_condition_figure(const json_t *ps, int i, char *buf, size_t len)
{
	const json_t *floor = render_get(ps, "at_floor");
	char kg[RENDER_BUF];
	int64_t g;

	snprintf(buf, len, "n/a");
	if (i == 0 && render_int(ps, "net_rescue_g", &g) == 0)
		snprintf(buf, len, "%s kg more %s",
		    render_kg(render_abs(g), kg, sizeof kg),
		    g < 0 ? "wasted than used" : "used than wasted");
	else if (i == 1)
		render_recipients(ps, buf, len);
	else if (i == 2 && json_is_array(floor) && json_array_size(floor) == 0)
		snprintf(buf, len, "no member at the ledger floor");
	else if (i == 2 && json_is_array(floor))
		snprintf(buf, len, "%zu at the floor:", json_array_size(floor));
	return buf;
}

/* The positive-sum verdict, as a sentence. */
const char *
render_verdict(const json_t *ps)
{
	const json_t *positive = render_get(ps, "positive");

	if (!json_is_boolean(positive))
		return "Verdict: n/a";
	if (json_is_true(positive))
		return "Verdict: positive-sum: working together beat working "
		       "alone";
	return "Verdict: not positive-sum: working together did not beat "
	       "working alone";
}
