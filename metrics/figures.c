/*
 * figures.c: the report object of metrics/REPORT.md, computed from the
 * events the core holds: sums over a period, per member and per hub, the
 * positive-sum test and the network's health, weekly and monthly series.
 * Grams stay integers; only rates and shares are floating point.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_impl.h"
#include "proto.h"

#define DAY     86400
#define WEEK    (7 * DAY)
#define QUARTER (91 * DAY)
#define FLOOR   (61 * DAY)
#define MONTHS  12

/* One member's sums over a period. */
struct msum {
	int64_t given;
	int64_t received;
	int64_t sourced;
	int64_t wasted;
	int64_t matches;
	int64_t collections;
	int64_t no_shows;
	int64_t people_sum;
	int64_t people_weeks;
	int active;
};

/* Everything summed over one period, for one hub or all. */
struct period {
	time_t from;
	time_t to;
	int64_t sourced;
	int64_t redistributed;
	int64_t discarded;
	int64_t wasted;
	int64_t dest[NDEST];
	int64_t cause[NCAUSE];
	int64_t offers;
	int64_t matches;
	int64_t collections;
	int64_t no_shows;
	int64_t disputes;
	int64_t settled;
	int64_t settle_seconds;
	struct msum *mem; /* by member index */
	int64_t *hub_src; /* by hub index: sourced, redistributed, wasted */
	int64_t *hub_red;
	int64_t *hub_waste;
	struct idmap pairs;  /* donor and receiver pairs with a collection */
	struct idmap people; /* member and week -> slot in weekly people */
	int64_t *people_v;
	size_t npeople;
	size_t peoplecap;
};

/* Finds the first event at or after t (events are in time order). */
static size_t
figures_first(const struct metrics *m, time_t t)
{
	size_t lo = 0, hi = m->nev, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->ev[mid].at < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t
figures_pair_key(int32_t a, int32_t b)
{
	int64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return (lo + 1) * ((int64_t)1 << 31) + hi + 1;
}

static int
period_init(struct metrics *m, struct period *p, time_t from, time_t to)
{
	memset(p, 0, sizeof *p);
	p->from = from;
	p->to = to;
	p->mem = calloc(m->nmembers + 1, sizeof *p->mem);
	p->hub_src = calloc(m->nhubs + 1, sizeof *p->hub_src);
	p->hub_red = calloc(m->nhubs + 1, sizeof *p->hub_red);
	p->hub_waste = calloc(m->nhubs + 1, sizeof *p->hub_waste);
	idmap_init(&p->pairs);
	idmap_init(&p->people);
	return p->mem == NULL || p->hub_src == NULL || p->hub_red == NULL ||
	        p->hub_waste == NULL
	    ? -1
	    : 0;
}

static void
period_free(struct period *p)
{
	free(p->mem);
	free(p->hub_src);
	free(p->hub_red);
	free(p->hub_waste);
	free(p->people_v);
	idmap_free(&p->pairs);
	idmap_free(&p->people);
}

/* Keeps a member's latest report of people supported for a week. */
static void
period_people(struct period *p, const struct mev *e)
{
	int64_t key = ((int64_t)e->member + 1) * 1000000 + e->week / DAY;
	size_t slot;
	int64_t *rows;

	if (e->member < 0 || e->week < p->from || e->week >= p->to)
		return;
	if (idmap_get(&p->people, key, &slot)) {
		p->people_v[slot] = e->people;
		return;
	}
	if (p->npeople == p->peoplecap) {
		p->peoplecap = p->peoplecap ? p->peoplecap * 2 : 64;
		rows = realloc(p->people_v, p->peoplecap * sizeof *rows);
		if (rows == NULL)
			return;
		p->people_v = rows;
	}
	if (idmap_put(&p->people, key, p->npeople) == 0)
		p->people_v[p->npeople++] = e->people;
}

/* Adds one collection: food moved from a donor to another member. */
static void
period_collected(struct metrics *m, struct period *p, const struct mev *e)
{
	int64_t g = metrics_collected_grams(m, e);

	if (e->member < 0 || e->member == e->donor)
		return;
	p->redistributed += g;
	p->collections++;
	p->mem[e->member].received += g;
	p->mem[e->member].collections++;
	p->mem[e->member].active = 1;
	if (e->donor >= 0) {
		p->mem[e->donor].given += g;
		idmap_put(&p->pairs, figures_pair_key(e->donor, e->member), 0);
	}
	if (e->hub >= 0)
		p->hub_red[e->hub] += g;
}

/* Adds one waste record. */
static void
period_waste(struct period *p, const struct mev *e)
{
	p->wasted += e->grams;
	p->dest[e->dest] += e->grams;
	p->cause[e->cause] += e->grams;
	if (!e->has_offer || e->offer == 0)
		p->discarded += e->grams;
	if (e->member >= 0)
		p->mem[e->member].wasted += e->grams;
	if (e->hub >= 0)
		p->hub_waste[e->hub] += e->grams;
}

/* Adds one event of the period to its sums. */
static void
period_add(struct metrics *m, struct period *p, const struct mev *e)
{
	struct msum *ms = e->member >= 0 ? &p->mem[e->member] : NULL;

	switch (e->kind) {
	case MK_OFFER_POSTED:
		p->sourced += e->grams;
		p->offers++;
		if (e->hub >= 0)
			p->hub_src[e->hub] += e->grams;
		if (ms != NULL) {
			ms->sourced += e->grams;
			ms->active = 1;
		}
		break;
	case MK_REQUEST_POSTED:
		if (ms != NULL)
			ms->active = 1;
		break;
	case MK_ACCEPTED:
	case MK_CLAIMED:
		p->matches++;
		if (ms != NULL) {
			ms->matches++;
			ms->active = 1;
		}
		break;
	case MK_COLLECTED:
		period_collected(m, p, e);
		if (e->reverses) {
			p->no_shows--;
			if (ms != NULL)
				ms->no_shows--;
		}
		break;
	case MK_DISPUTE_RAISED:
		p->disputes++;
		break;
	case MK_DISPUTE_SETTLED:
		p->settled++;
		p->settle_seconds += e->at - e->raised;
		break;
	case MK_REFERRAL:
		if (e->member >= 0 && e->donor >= 0)
			idmap_put(&p->pairs,
			    figures_pair_key(e->donor, e->member), 0);
		break;
	case MK_NO_SHOW:
		p->no_shows++;
		if (ms != NULL)
			ms->no_shows++;
		break;
	case MK_WASTE:
		period_waste(p, e);
		break;
	case MK_PEOPLE:
		period_people(p, e);
		break;
	default:
		break;
	}
}

/* Sums every event of [from, to) that belongs to hub (-1: all). */
static int
period_scan(struct metrics *m, struct period *p, time_t from, time_t to,
    int32_t hub)
{
	size_t i;
	int64_t key;

	if (period_init(m, p, from, to) != 0)
		return -1;
	for (i = figures_first(m, from); i < m->nev && m->ev[i].at < to; i++) {
		if (hub >= 0 && m->ev[i].hub != hub)
			continue;
		period_add(m, p, &m->ev[i]);
	}
	for (i = 0; i < p->people.size; i++) {
		key = p->people.keys[i];
		if (key <= 0)
			continue;
		p->mem[key / 1000000 - 1].people_sum +=
		    p->people_v[p->people.slots[i]];
		p->mem[key / 1000000 - 1].people_weeks++;
	}
	return 0;
}

/* A ratio, or JSON null when the denominator is zero. */
static json_t *
figures_rate(double num, double den)
{
	return den > 0 ? json_real(num / den) : json_null();
}

static json_t *
figures_one_decimal(double v)
{
	return json_real(round(v * 10) / 10);
}

/* A member's people supported a week: the mean of its weekly reports. */
static int64_t
figures_member_people(const struct msum *s)
{
	return s->people_weeks > 0
	    ? (s->people_sum + s->people_weeks / 2) / s->people_weeks
	    : 0;
}

/* Builds the "figures" object of one period. */
static json_t *
figures_object(struct metrics *m, const struct period *p)
{
	json_t *dest = json_object(), *cause = json_object(), *f;
	int64_t used = p->redistributed - p->discarded, people = 0;
	size_t i;

	if (used < 0)
		used = 0;
	for (i = 0; i < NDEST; i++)
		json_object_set_new(dest, metrics_destinations[i],
		    json_integer(p->dest[i]));
	for (i = 0; i < NCAUSE; i++)
		json_object_set_new(cause, metrics_causes[i],
		    json_integer(p->cause[i]));
	for (i = 0; i < m->nmembers; i++)
		people += figures_member_people(&p->mem[i]);
	f = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o,"
	              " s:I, s:I, s:I, s:I, s:I}",
	    "sourced_g", p->sourced, "redistributed_g", p->redistributed,
	    "discarded_g", p->discarded, "used_g", used, "wasted_g", p->wasted,
	    "wasted_by_destination", dest, "wasted_by_cause", cause,
	    "rescue_rate", figures_rate((double)used, (double)p->sourced),
	    "waste_rate", figures_rate((double)p->wasted, (double)p->sourced),
	    "meals",
	    figures_one_decimal(
	        (double)used / (double)m->factors.grams_per_meal),
	    "co2e_avoided_kg",
	    figures_one_decimal((double)used / 1000 * m->factors.co2e_per_kg),
	    "people_supported", people, "offers", p->offers, "matches",
	    p->matches, "collections", p->collections, "no_shows", p->no_shows);
	return f;
}

/* Whether member i counts in a report limited to hub (-1: all). */
static int
figures_in_hub(const struct metrics *m, size_t i, int32_t hub)
{
	return hub < 0 || m->member_hub[i] == hub;
}

/* Members joined before t (in the hub). */
static int64_t
figures_members(const struct metrics *m, time_t t, int32_t hub)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < m->nmembers; i++) {
		if (figures_in_hub(m, i, hub) && m->member_joined[i] != 0 &&
		    m->member_joined[i] < t)
			n++;
	}
	return n;
}

/* The "members" array: every member's sums in the period. */
static json_t *
figures_members_array(struct metrics *m, const struct period *p, int32_t hub)
{
	json_t *arr = json_array(), *byname = json_object();
	const struct msum *s;
	const char *handle;
	json_t *id;
	size_t i;

	for (i = 0; i < m->nmembers; i++) {
		if (figures_in_hub(m, i, hub))
			json_object_set_new(byname, m->members[i],
			    json_integer((json_int_t)i));
	}
	json_object_foreach(byname, handle, id)
	{
		i = (size_t)json_integer_value(id);
		s = &p->mem[i];
		json_array_append_new(arr,
		    json_pack("{s:s, s:s?, s:I, s:I, "
		              "s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		        "member", handle, "hub",
		        m->member_hub[i] >= 0 ? m->hubs[m->member_hub[i]]
		                              : NULL,
		        "people_supported", figures_member_people(s), "given_g",
		        s->given, "received_g", s->received, "sourced_g",
		        s->sourced, "wasted_g", s->wasted, "matches",
		        s->matches, "collections", s->collections, "no_shows",
		        s->no_shows, "net_g", s->received - s->given));
	}
	json_decref(byname);
	return arr;
}

/* The "hubs" array. */
static json_t *
figures_hubs_array(struct metrics *m, const struct period *p, int32_t hub)
{
	json_t *arr = json_array(), *byname = json_object(), *id;
	const char *name;
	size_t i;

	for (i = 0; i < m->nhubs; i++) {
		if (hub < 0 || (int32_t)i == hub)
			json_object_set_new(byname, m->hubs[i],
			    json_integer((json_int_t)i));
	}
	json_object_foreach(byname, name, id)
	{
		i = (size_t)json_integer_value(id);
		json_array_append_new(arr,
		    json_pack("{s:s, s:I, s:I, s:I, "
		              "s:I, s:o}",
		        "hub", name, "members",
		        figures_members(m, p->to, (int32_t)i), "sourced_g",
		        p->hub_src[i], "redistributed_g", p->hub_red[i],
		        "wasted_g", p->hub_waste[i], "rescue_rate",
		        figures_rate((double)p->hub_red[i],
		            (double)p->hub_src[i])));
	}
	json_decref(byname);
	return arr;
}

/* The Monday 00:00 UTC on or before t. */
static time_t
figures_monday(time_t t)
{
	/* 1970-01-01 was a Thursday: Mondays are 4 days past a multiple. */
	return t - (((t / DAY) + 3) % 7) * DAY - t % DAY;
}

/* The weekly series over the period. */
static json_t *
figures_weekly(struct metrics *m, time_t from, time_t to, int32_t hub)
{
	json_t *arr = json_array();
	struct period p;
	time_t w;

	for (w = figures_monday(from); w < to; w += WEEK) {
		if (period_scan(m, &p, w < from ? from : w,
		        w + WEEK > to ? to : w + WEEK, hub) != 0)
			break;
		json_array_append_new(arr,
		    json_pack("{s:o, s:I, s:I, s:I}", "week",
		        proto_time_json(w), "sourced_g", p.sourced,
		        "redistributed_g", p.redistributed, "wasted_g",
		        p.wasted));
		period_free(&p);
	}
	return arr;
}

/* The start of the calendar month k months before t's (UTC). */
static time_t
figures_month_start(time_t t, int back, char *label, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon -= back;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(label, len, "%Y-%m", &tm);
	return t;
}

/* The 12-month trend ending with the period's last month. */
static json_t *
figures_trend(struct metrics *m, time_t to, int32_t hub, double *cv)
{
	json_t *arr = json_array();
	struct period p;
	double red[MONTHS], mean = 0, var = 0;
	char label[16], next[16];
	time_t start, end;
	int k;

	for (k = MONTHS - 1; k >= 0; k--) {
		start = figures_month_start(to - 1, k, label, sizeof label);
		end = figures_month_start(to - 1, k - 1, next, sizeof next);
		if (period_scan(m, &p, start, end, hub) != 0)
			break;
		red[MONTHS - 1 - k] = (double)p.redistributed;
		mean += (double)p.redistributed / MONTHS;
		json_array_append_new(arr,
		    json_pack("{s:s, s:I, s:I, s:I, s:o,"
		              " s:o}",
		        "month", label, "sourced_g", p.sourced,
		        "redistributed_g", p.redistributed, "wasted_g",
		        p.wasted, "rescue_rate",
		        figures_rate((double)(p.redistributed - p.discarded),
		            (double)p.sourced),
		        "waste_rate",
		        figures_rate((double)p.wasted, (double)p.sourced)));
		period_free(&p);
	}
	for (k = 0; k < MONTHS; k++)
		var += (red[k] - mean) * (red[k] - mean) / MONTHS;
	*cv = mean > 0 ? sqrt(var) / mean : -1;
	return arr;
}

static int
figures_cmp_given(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Gini coefficient, effective number and top share of grams given. */
static void
figures_inequality(struct metrics *m, const struct period *p, int32_t hub,
    json_t *health)
{
	int64_t *x = calloc(m->nmembers + 1, sizeof *x), sum = 0;
	double weighted = 0, sq = 0, top = 0, share;
	size_t i, n = 0;

	for (i = 0; x != NULL && i < m->nmembers; i++) {
		if (!figures_in_hub(m, i, hub) || m->member_joined[i] == 0 ||
		    m->member_joined[i] >= p->to)
			continue;
		x[n++] = p->mem[i].given;
		sum += p->mem[i].given;
	}
	qsort(x, n, sizeof *x, figures_cmp_given);
	for (i = 0; i < n && sum > 0; i++) {
		weighted += (double)(i + 1) * (double)x[i];
		share = (double)x[i] / (double)sum;
		sq += share * share;
		top = share > top ? share : top;
	}
	json_object_set_new(health, "gini_contributions",
	    sum > 0 ? json_real(2 * weighted / ((double)n * (double)sum) -
	                  ((double)n + 1) / (double)n)
	            : json_null());
	json_object_set_new(health, "effective_contributors",
	    sum > 0 ? json_real(1 / sq) : json_null());
	json_object_set_new(health, "top_share",
	    sum > 0 ? json_real(top) : json_null());
	free(x);
}

/* A value with its place, for ranking. */
struct figures_ranked {
	double v;
	size_t i;
};

static int
figures_cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct figures_ranked *)a)->v;
	double y = ((const struct figures_ranked *)b)->v;

	return x < y ? -1 : x > y;
}

/*
 * Ranks values (average ranks for ties) into rank[], by sorting: a value
 * ranks after the values below it, in the middle of those equal to it.
 */
static int
figures_ranks(const double *v, size_t n, double *rank)
{
	struct figures_ranked *r = calloc(n + 1, sizeof *r);
	size_t i, start, end;

	if (r == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		r[i].v = v[i];
		r[i].i = i;
	}
	qsort(r, n, sizeof *r, figures_cmp_ranked);
	for (start = 0; start < n; start = end) {
		for (end = start; end < n && r[end].v == r[start].v; end++)
			;
		for (i = start; i < end; i++)
			rank[r[i].i] =
			    (double)start + ((double)(end - start) + 1) / 2;
	}
	free(r);
	return 0;
}

/* Spearman's correlation of grams given now against before. */
static json_t *
figures_rank_stability(struct metrics *m, const struct period *now,
    const struct period *before, int32_t hub)
{
	double *a = calloc(m->nmembers + 1, sizeof *a);
	double *b = calloc(m->nmembers + 1, sizeof *b);
	double *ra = calloc(m->nmembers + 1, sizeof *ra);
	double *rb = calloc(m->nmembers + 1, sizeof *rb);
	double ma = 0, mb = 0, cov = 0, va = 0, vb = 0;
	json_t *out = json_null();
	size_t i, n = 0;

	for (i = 0; a && b && ra && rb && i < m->nmembers; i++) {
		if (!figures_in_hub(m, i, hub) ||
		    (now->mem[i].given == 0 && before->mem[i].given == 0))
			continue;
		a[n] = (double)now->mem[i].given;
		b[n++] = (double)before->mem[i].given;
	}
	if (n >= 2 && figures_ranks(a, n, ra) == 0 &&
	    figures_ranks(b, n, rb) == 0) {
		for (i = 0; i < n; i++) {
			ma += ra[i] / (double)n;
			mb += rb[i] / (double)n;
		}
		for (i = 0; i < n; i++) {
			cov += (ra[i] - ma) * (rb[i] - mb);
			va += (ra[i] - ma) * (ra[i] - ma);
			vb += (rb[i] - mb) * (rb[i] - mb);
		}
		out = va > 0 && vb > 0 ? json_real(cov / sqrt(va * vb))
		                       : json_null();
	}
	free(a);
	free(b);
	free(ra);
	free(rb);
	return out;
}

/* The member that gave most in a period, or NULL. */
static const char *
figures_top(const struct metrics *m, const struct period *p, int32_t hub)
{
	int64_t best = 0;
	const char *who = NULL;
	size_t i;

	for (i = 0; i < m->nmembers; i++) {
		if (figures_in_hub(m, i, hub) && p->mem[i].given > best) {
			best = p->mem[i].given;
			who = m->members[i];
		}
	}
	return who;
}

/* Counts the pairs of now seen in before (or, with before NULL, new). */
static int64_t
figures_pairs_in(const struct period *now, const struct idmap *before)
{
	int64_t n = 0;
	size_t i, slot;

	for (i = 0; i < now->pairs.size; i++) {
		if (now->pairs.keys[i] > 0 &&
		    idmap_get(before, now->pairs.keys[i], &slot))
			n++;
	}
	return n;
}

/* Every donor-receiver pair seen before t. */
static void
figures_pairs_before(struct metrics *m, time_t t, int32_t hub,
    struct idmap *seen)
{
	size_t i, end = figures_first(m, t);
	const struct mev *e;

	idmap_init(seen);
	for (i = 0; i < end; i++) {
		e = &m->ev[i];
		if ((e->kind == MK_COLLECTED || e->kind == MK_REFERRAL) &&
		    e->donor >= 0 && e->member >= 0 && e->member != e->donor &&
		    (hub < 0 || e->hub == hub))
			idmap_put(seen, figures_pair_key(e->donor, e->member),
			    0);
	}
}

/* Partner pairs, density, new ties and tie persistence. */
static void
figures_ties(struct metrics *m, const struct period *now,
    const struct period *before, int32_t hub, json_t *health)
{
	int64_t members = figures_members(m, now->to, hub);
	int64_t pairs = (int64_t)now->pairs.live, kept;
	struct idmap seen;

	figures_pairs_before(m, now->from, hub, &seen);
	kept = figures_pairs_in(before, &now->pairs);
	json_object_set_new(health, "partner_pairs", json_integer(pairs));
	json_object_set_new(health, "density",
	    figures_rate((double)pairs, (double)(members * (members - 1) / 2)));
	json_object_set_new(health, "new_ties",
	    json_integer(pairs - figures_pairs_in(now, &seen)));
	json_object_set_new(health, "tie_persistence",
	    figures_rate((double)kept, (double)before->pairs.live));
	idmap_free(&seen);
}

/* How many members took part in a challenge, up to time t. */
static int64_t
figures_participants(struct metrics *m, int64_t challenge, time_t t)
{
	char *seen = calloc(m->nmembers + 1, 1);
	int64_t n = 0;
	size_t i;

	for (i = 0; seen != NULL && i < m->nev && m->ev[i].at < t; i++) {
		if (m->ev[i].challenge != challenge || m->ev[i].member < 0 ||
		    m->ev[i].kind == MK_CHALLENGE_CLOSED ||
		    seen[m->ev[i].member])
			continue;
		seen[m->ev[i].member] = 1;
		n++;
	}
	free(seen);
	return n;
}

/*
 * Shared challenges resolved in the period, and of those, how many had at
 * least 40% of the period's active members taking part.
 */
static void
figures_challenges(struct metrics *m, const struct period *p, int32_t hub,
    int64_t active, json_t *health)
{
	int64_t resolved = 0, together = 0;
	size_t i;

	for (i = figures_first(m, p->from); i < m->nev && m->ev[i].at < p->to;
	     i++) {
		if (m->ev[i].kind != MK_CHALLENGE_CLOSED ||
		    !m->ev[i].resolved ||
		    (hub >= 0 && m->ev[i].hub >= 0 && m->ev[i].hub != hub))
			continue;
		resolved++;
		together += active > 0 &&
		    figures_participants(m, m->ev[i].challenge, m->ev[i].at) *
		            10 >=
		        active * 4;
	}
	json_object_set_new(health, "challenges_resolved",
	    json_integer(resolved));
	json_object_set_new(health, "challenges_resolved_together",
	    json_integer(together));
}

/* The "health" object. */
static json_t *
figures_health(struct metrics *m, const struct period *now,
    const struct period *before, const struct period *quarter, int32_t hub)
{
	int64_t members = figures_members(m, now->to, hub), active = 0;
	int64_t both = 0, active_q = 0;
	const char *top = figures_top(m, now, hub);
	const char *prev = figures_top(m, before, hub);
	json_t *h = json_object();
	size_t i;

	for (i = 0; i < m->nmembers; i++) {
		if (!figures_in_hub(m, i, hub))
			continue;
		active += now->mem[i].active;
		active_q += quarter->mem[i].active;
		both +=
		    quarter->mem[i].given > 0 && quarter->mem[i].received > 0;
	}
	json_object_set_new(h, "members", json_integer(members));
	json_object_set_new(h, "active_members", json_integer(active));
	json_object_set_new(h, "participation_rate",
	    figures_rate((double)active, (double)members));
	figures_inequality(m, now, hub, h);
	json_object_set_new(h, "reciprocity",
	    figures_rate((double)both, (double)active_q));
	figures_ties(m, now, before, hub, h);
	json_object_set_new(h, "on_time_rate",
	    figures_rate((double)now->collections,
	        (double)(now->collections + now->no_shows)));
	figures_challenges(m, now, hub, active, h);
	json_object_set_new(h, "dispute_rate",
	    figures_rate((double)now->disputes, (double)now->matches));
	json_object_set_new(h, "dispute_hours",
	    now->settled > 0 ? figures_one_decimal((double)now->settle_seconds /
	                           (double)now->settled / 3600)
	                     : json_null());
	json_object_set_new(h, "top_contributor",
	    top != NULL ? json_string(top) : json_null());
	json_object_set_new(h, "previous_top_contributor",
	    prev != NULL ? json_string(prev) : json_null());
	json_object_set_new(h, "leadership_changed",
	    json_boolean(
	        top != NULL && prev != NULL && strcmp(top, prev) != 0));
	json_object_set_new(h, "rank_stability",
	    figures_rank_stability(m, now, before, hub));
	return h;
}

/* Members at the ledger floor in every snapshot of the last 61 days. */
static json_t *
figures_at_floor(struct metrics *m, time_t to, int32_t hub)
{
	int *count = calloc(m->nmembers + 1, sizeof *count);
	json_t *out = json_array();
	int snapshots = 0;
	size_t i, j;
	const struct mfloor *f;

	for (i = figures_first(m, to - FLOOR);
	     count != NULL && i < m->nev && m->ev[i].at < to; i++) {
		if (m->ev[i].kind != MK_BALANCES || m->ev[i].floor < 0)
			continue;
		snapshots++;
		f = &m->floors[m->ev[i].floor];
		for (j = 0; j < f->n; j++)
			count[f->members[j]]++;
	}
	for (i = 0; count != NULL && snapshots >= 2 && i < m->nmembers; i++) {
		if (count[i] == snapshots && figures_in_hub(m, i, hub))
			json_array_append_new(out, json_string(m->members[i]));
	}
	free(count);
	return out;
}

/* The positive-sum test and its three conditions. */
static json_t *
figures_positive_sum(struct metrics *m, const struct period *now,
    const struct period *quarter, int32_t hub)
{
	int64_t used = now->redistributed - now->discarded;
	int64_t net = (used < 0 ? 0 : used) - now->wasted, recv = 0, act = 0;
	json_t *floor = figures_at_floor(m, now->to, hub);
	int net_ok = net > 0, recv_ok, floor_ok;
	size_t i;

	for (i = 0; i < m->nmembers; i++) {
		if (!figures_in_hub(m, i, hub) || !quarter->mem[i].active)
			continue;
		act++;
		recv += quarter->mem[i].received > quarter->mem[i].given;
	}
	recv_ok = act > 0 && recv * 2 >= act;
	floor_ok = json_array_size(floor) == 0;
	return json_pack("{s:I, s:b, s:I, s:I, s:o, s:b, s:o, s:b, s:b}",
	    "net_rescue_g", net, "net_rescue_ok", net_ok, "net_recipients",
	    recv, "active_quarter", act, "net_recipients_share",
	    figures_rate((double)recv, (double)act), "net_recipients_ok",
	    recv_ok, "at_floor", floor, "floor_ok", floor_ok, "positive",
	    net_ok && recv_ok && floor_ok);
}

/* The label of a period: YYYY-MM for a calendar month, else FROM..TO. */
static void
figures_label(time_t from, time_t to, char *buf, size_t len)
{
	char month[16], a[16], b[16];
	time_t f, t;
	struct tm tm;

	gmtime_r(&from, &tm);
	strftime(month, sizeof month, "%Y-%m", &tm);
	if (metrics_month(month, &f, &t) == 0 && f == from && t == to) {
		snprintf(buf, len, "%s", month);
		return;
	}
	strftime(a, sizeof a, "%Y-%m-%d", &tm);
	t = to - 1;
	gmtime_r(&t, &tm);
	strftime(b, sizeof b, "%Y-%m-%d", &tm);
	snprintf(buf, len, "%s..%s", a, b);
}

/* The period just before [from, to): the previous month, or as long. */
static time_t
figures_previous(time_t from, time_t to)
{
	char label[16], tmp[16];
	struct tm tm;
	time_t f, t;

	gmtime_r(&from, &tm);
	strftime(label, sizeof label, "%Y-%m", &tm);
	if (metrics_month(label, &f, &t) == 0 && f == from && t == to)
		return figures_month_start(from, 1, tmp, sizeof tmp);
	return from - (to - from);
}

/* Builds the whole report object for [from, to) and one hub (-1: all). */
json_t *
figures_report(struct metrics *m, time_t from, time_t to, int32_t hub,
    const char *hubname)
{
	struct period now, before, quarter;
	json_t *r = NULL;
	double cv;
	char label[48];

	if (period_scan(m, &now, from, to, hub) != 0 ||
	    period_scan(m, &before, figures_previous(from, to), from, hub) !=
	        0 ||
	    period_scan(m, &quarter, to - QUARTER, to, hub) != 0)
		return NULL;
	figures_label(from, to, label, sizeof label);
	r = json_pack("{s:i, s:s, s:{s:o, s:o, s:s}, s:s?, s:{s:I, s:f},"
	              " s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "report", 1, "network", m->network, "period", "from",
	    proto_time_json(from), "to", proto_time_json(to), "label", label,
	    "hub", hubname, "factors", "grams_per_meal",
	    m->factors.grams_per_meal, "co2e_per_kg", m->factors.co2e_per_kg,
	    "figures", figures_object(m, &now), "previous",
	    figures_object(m, &before), "positive_sum",
	    figures_positive_sum(m, &now, &quarter, hub), "health",
	    figures_health(m, &now, &before, &quarter, hub), "weekly",
	    figures_weekly(m, from, to, hub), "trend",
	    figures_trend(m, to, hub, &cv), "members",
	    figures_members_array(m, &now, hub), "hubs",
	    figures_hubs_array(m, &now, hub));
	if (r != NULL)
		json_object_set_new(json_object_get(r, "health"),
		    "redistributed_cv", cv >= 0 ? json_real(cv) : json_null());
	period_free(&now);
	period_free(&before);
	period_free(&quarter);
	return r;
}
