/*
 * test_simulate.c: replaying a month of the log under other rules, on a
 * hand-made month (tests/data/simulate-2026-11.jsonl, described in
 * tests/data/README.md) whose outcomes are worked out by hand, then on
 * generated months against a naive replay kept here, which finds every
 * deadline, every request's end and every claim by a look at every row,
 * as simulate.c once did.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "engine_impl.h"
#include "metrics.h"
#include "proto.h"
#include "rules.h"
#include "simread.h"
#include "simulate.h"

#define LOG LARDER_SOURCE_DIR "/tests/data/simulate-2026-11.jsonl"

#define HOUR        3600
#define DAY         (24 * HOUR)
#define REF_MEMBERS 64 /* members a generated month has, at most */

#define assert_near(a, b)                                                      \
	do {                                                                   \
		double a_ = (a), b_ = (b);                                     \
		if (fabs(a_ - b_) > 1e-9)                                      \
			fail_msg("%.12g is not %.12g", a_, b_);                \
	} while (0)

static json_t *
load(void)
{
	json_t *events = json_array(), *ev;
	char line[4096];
	FILE *f = fopen(LOG, "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		ev = json_loads(line, 0, NULL);
		assert_non_null(ev);
		json_array_append_new(events, ev);
	}
	fclose(f);
	return events;
}

static void
run(const char *policy, struct sim_outcome *out)
{
	struct engine_rules r;
	json_t *events = load();
	char *cause = NULL;
	time_t from, to;

	engine_rules_default(&r);
	assert_int_equal(rules_parse("policy", policy, &r, &cause), 0);
	assert_int_equal(metrics_month("2026-11", &from, &to), 0);
	if (simulate_period(events, from, to, &r, out, &cause) != 0)
		fail_msg("simulate: %s", cause);
	json_decref(events);
}

static void
test_simulate_as_it_happened(void **state)
{
	struct sim_outcome was;
	json_t *events = load();
	time_t from, to;

	(void)state;
	metrics_month("2026-11", &from, &to);
	assert_int_equal(simulate_actual(events, from, to, &was), 0);
	/* Four 2 kg loaves and 3 kg of vegetables. */
	assert_int_equal(was.offered, 11000);
	assert_int_equal(was.shared, 8000);
	assert_int_equal(was.unclaimed, 3000);
	assert_int_equal(was.members, 3);
	assert_int_equal(was.recipients, 1);
	/* Per person: d 0, b 0, a 80: 2 * 240 / (3 * 80) - 4 / 3. */
	assert_near(was.gini_need, 2.0 - 4.0 / 3);
	json_decref(events);
}

static void
test_simulate_fairshare_takes_turns(void **state)
{
	struct sim_outcome sim;

	(void)state;
	run("fairshare", &sim);
	assert_int_equal(sim.offered, 11000);
	assert_int_equal(sim.shared, 8000);
	assert_int_equal(sim.unclaimed, 3000);
	/* a, b, a, b: both end ahead of what they gave. */
	assert_int_equal(sim.recipients, 2);
	/* Per person: 0, 40, 40: 2 * 200 / (3 * 80) - 4 / 3. */
	assert_near(sim.gini_need, 400.0 / 240 - 4.0 / 3);
}

static void
test_simulate_fcfs_is_the_chat_group(void **state)
{
	struct sim_outcome sim;

	(void)state;
	run("fcfs", &sim);
	/* Everything open to claims; a's request is earliest every time. */
	assert_int_equal(sim.shared, 8000);
	assert_int_equal(sim.recipients, 1);
	assert_near(sim.gini_need, 2.0 - 4.0 / 3);
}

static void
test_simulate_rules_change_the_outcome(void **state)
{
	struct engine_rules r;
	struct sim_outcome sim;
	json_t *events = load();
	char *cause = NULL;
	time_t from, to;

	(void)state;
	engine_rules_default(&r);
	/* Everything within three days of its deadline is open to claims. */
	assert_int_equal(rules_parse("flash_window", "259200", &r, &cause), 0);
	metrics_month("2026-11", &from, &to);
	assert_int_equal(simulate_period(events, from, to, &r, &sim, &cause),
	    0);
	assert_int_equal(sim.recipients, 1);
	json_decref(events);
}

static void
test_simulate_rules_parse_errors(void **state)
{
	struct engine_rules r;
	char *cause = NULL;

	(void)state;
	engine_rules_default(&r);
	assert_int_equal(rules_parse("policy", "auction", &r, &cause), -1);
	assert_non_null(strstr(cause, "auction"));
	free(cause);
	assert_int_equal(rules_parse("beta", "2", &r, &cause), -1);
	assert_non_null(strstr(cause, "from 0 to 1"));
	free(cause);
	assert_int_equal(rules_parse("colour", "red", &r, &cause), -1);
	assert_non_null(strstr(cause, "no rule"));
	free(cause);
	assert_int_equal(rules_parse("beta", "0.4", &r, &cause), 0);
	assert_near(r.beta, 0.4);
}

/*
 * The naive replay: simulate.c's rules, each found by a look at every
 * row, on events read as simulate.c reads them (simread.c). Its outcome
 * is what the replay's indexes must reproduce.
 */
struct ref {
	struct engine *e;
	struct sim_names names;
	int64_t received[REF_MEMBERS + 1];
	int64_t given[REF_MEMBERS + 1];
	int64_t people[REF_MEMBERS + 1];
	char active[REF_MEMBERS + 1];
	int64_t n;
	struct sim_outcome out;
};

static void
ref_join(struct ref *f, const json_t *ev)
{
	struct engine_member m;

	if (!sim_read_member(&f->names, ev, f->n + 1, &m))
		return;
	assert_true(m.id <= REF_MEMBERS);
	f->n = m.id;
	f->people[m.id] = m.people;
	assert_int_equal(engine_member_put(f->e, &m), 0);
}

/* Of the earliest requests that fit, the first in the engine's table. */
static int64_t
ref_first_claimer(struct ref *f, const struct engine_offer *o)
{
	struct engine_request *rs = f->e->requests.rows;
	const struct engine_member *m;
	time_t best = 0;
	int64_t who = 0;
	size_t i;

	for (i = 0; i < f->e->requests.n; i++) {
		m = engine_member_find(f->e, rs[i].member);
		if (m == NULL || !engine_feasible(f->e, o, &rs[i], m))
			continue;
		if (who == 0 || rs[i].posted < best) {
			who = m->id;
			best = rs[i].posted;
		}
	}
	return who;
}

static void
ref_claims(struct ref *f, int64_t offer, time_t now)
{
	struct engine_out out;
	struct engine_offer *o;
	int64_t who;
	char *cause = NULL;

	while ((o = engine_offer_get(f->e, offer)) != NULL && o->free > 0 &&
	    (who = ref_first_claimer(f, o)) != 0) {
		engine_out_init(&out);
		if (engine_claim(f->e, offer, who, 0, now, &out, &cause) != 0) {
			free(cause);
			return;
		}
		f->received[who] += out.proposals[0].grams;
		f->given[o->donor] += out.proposals[0].grams;
		f->out.shared += out.proposals[0].grams;
		engine_out_clear(&out);
	}
}

static void
ref_settle(struct ref *f, struct engine_out *out, time_t now)
{
	struct engine_out more;
	struct engine_offer *o;
	size_t i;

	for (i = 0; i < out->nproposals; i++) {
		engine_out_init(&more);
		assert_int_equal(engine_answer(f->e, out->proposals[i].offer,
		                     out->proposals[i].member, ANSWER_ACCEPTED,
		                     now, &more),
		    0);
		engine_out_clear(&more);
		o = engine_offer_get(f->e, out->proposals[i].offer);
		f->received[out->proposals[i].member] +=
		    out->proposals[i].grams;
		if (o != NULL)
			f->given[o->donor] += out->proposals[i].grams;
		f->out.shared += out->proposals[i].grams;
	}
	for (i = 0; i < out->nflashed; i++)
		ref_claims(f, out->flashed[i], now);
	engine_out_clear(out);
}

/* Closes the earliest offer due by t, then the next; then the requests. */
static void
ref_deadlines(struct ref *f, time_t t)
{
	struct engine_offer *os, *best;
	struct engine_request *rs;
	struct engine_out out;
	int64_t id;
	size_t i;

	for (;;) {
		os = f->e->offers.rows;
		for (best = NULL, i = 0; i < f->e->offers.n; i++) {
			if (os[i].deadline <= t &&
			    (best == NULL || os[i].deadline < best->deadline))
				best = &os[i];
		}
		if (best == NULL)
			break;
		id = best->id;
		engine_out_init(&out);
		assert_int_equal(engine_tick(f->e, best->deadline, &out), 0);
		ref_settle(f, &out, best->deadline);
		if ((best = engine_offer_get(f->e, id)) != NULL)
			f->out.unclaimed += best->free;
		engine_offer_drop(f->e, id);
	}
	rs = f->e->requests.rows;
	for (i = 0; i < f->e->requests.n;) {
		if (rs[i].window_end <= t)
			engine_request_drop(f->e, rs[i].id);
		else
			i++;
	}
}

static void
ref_request(struct ref *f, const json_t *ev, time_t at)
{
	struct engine_request r;
	struct engine_out out;

	if (!sim_read_request(&f->names, ev, at, &r))
		return;
	f->active[r.member] = 1;
	assert_int_equal(engine_request_put(f->e, &r), 0);
	engine_out_init(&out);
	assert_int_equal(engine_request_posted(f->e, r.id, at, &out), 0);
	ref_settle(f, &out, at);
}

static void
ref_offer(struct ref *f, const json_t *ev, time_t at)
{
	struct engine_out out;
	struct engine_offer o;

	if (!sim_read_offer(&f->names, ev, at, f->e->rules.margin, &o))
		return;
	f->out.offered += o.free;
	f->active[o.donor] = 1;
	assert_int_equal(engine_offer_put(f->e, &o), 0);
	engine_out_init(&out);
	assert_int_equal(engine_offer_posted(f->e, o.id, at, &out), 0);
	ref_settle(f, &out, at);
}

static void
ref_event(struct ref *f, const json_t *ev, time_t at, time_t from, time_t to)
{
	const char *kind = sim_str(ev, "kind");

	if (kind == NULL)
		return;
	if (strcmp(kind, "member.joined") == 0) {
		ref_join(f, ev);
		return;
	}
	if (at >= from)
		ref_deadlines(f, at);
	if (strcmp(kind, "request.posted") == 0 && sim_time(ev, "by") > from)
		ref_request(f, ev, at);
	if (strcmp(kind, "request.cancelled") == 0)
		engine_request_drop(f->e,
		    json_integer_value(json_object_get(ev, "request")));
	if (strcmp(kind, "offer.posted") == 0 && at >= from && at < to)
		ref_offer(f, ev, at);
}

static int
ref_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The members, the net recipients and the Gini, as simulate.c counts. */
static void
ref_finish(struct ref *f)
{
	double x[REF_MEMBERS], sum = 0, w = 0;
	size_t k = 0, i;
	int64_t id;

	for (id = 1; id <= f->n; id++) {
		if (!f->active[id])
			continue;
		f->out.members++;
		f->out.recipients += f->received[id] > f->given[id];
		if (f->people[id] > 0)
			x[k++] =
			    (double)f->received[id] / (double)f->people[id];
	}
	qsort(x, k, sizeof *x, ref_cmp_double);
	for (i = 0; i < k; i++) {
		sum += x[i];
		w += (double)(i + 1) * x[i];
	}
	f->out.gini_need = sum > 0
	    ? 2 * w / ((double)k * sum) - ((double)k + 1) / (double)k
	    : 0;
}

/* Replays [from, to) of events under r the naive way, into out. */
static void
ref_period(const json_t *events, time_t from, time_t to,
    const struct engine_rules *r, struct sim_outcome *out)
{
	struct engine_member *ms;
	struct ref *f = calloc(1, sizeof *f);
	const json_t *ev;
	char *cause = NULL;
	size_t i, n;
	time_t at;

	assert_non_null(f);
	f->e = engine_new(r, &cause);
	assert_non_null(f->e);
	engine_set_reasons(f->e, 0);
	assert_int_equal(sim_names_init(&f->names), 0);
	json_array_foreach(events, i, ev)
	{
		if ((at = sim_time(ev, "at")) >= to)
			break;
		ref_event(f, ev, at, from, to);
	}
	ref_deadlines(f, to);
	n = engine_members(f->e, &ms);
	for (i = 0; i < n; i++)
		f->out.at_floor += ms[i].balance <= -r->ledger_cap;
	ref_finish(f);
	*out = f->out;
	engine_free(f->e);
	sim_names_free(&f->names);
	free(f);
}

/* A generated month: a seeded sequence and the events so far. */
struct gen {
	uint64_t x;
	json_t *events;
	time_t from;
	time_t to;
	int members;
	int64_t requests;
	int64_t offers;
};

static const char *const gen_cats[] = {"bakery", "produce", "dairy", "dry",
    "frozen"};
static const char *const gen_hubs[] = {"north", "south", "east"};
static const char *const gen_stores[] = {"ambient", "chilled", "chilled",
    "ambient", "frozen"};

static int64_t
gen_below(struct gen *g, int64_t n)
{
	g->x ^= g->x << 13;
	g->x ^= g->x >> 7;
	g->x ^= g->x << 17;
	return (int64_t)(g->x % (uint64_t)n);
}

/* Appends an event of a kind at a time. */
static void
gen_event(struct gen *g, const char *kind, time_t at, json_t *ev)
{
	json_object_set_new(ev, "kind", json_string(kind));
	json_object_set_new(ev, "at", proto_time_json(at));
	json_array_append_new(g->events, ev);
}

/* A member's handle; now and then one nobody registered. */
static json_t *
gen_handle(struct gen *g)
{
	char h[16];

	if (gen_below(g, 50) == 0)
		return json_string("stranger");
	snprintf(h, sizeof h, "m%02d", (int)gen_below(g, g->members));
	return json_string(h);
}

static void
gen_members(struct gen *g)
{
	unsigned bits;
	char h[16];
	int i;

	for (i = 0; i <= g->members; i++) {
		/* The last joins twice: the second is ignored. */
		snprintf(h, sizeof h, "m%02d", i < g->members ? i : 0);
		bits = gen_below(g, 5) != 0 ? STORAGE_AMBIENT : 0;
		if (gen_below(g, 10) < 6)
			bits |= STORAGE_CHILLED;
		if (gen_below(g, 10) < 3 || bits == 0)
			bits |= STORAGE_FROZEN;
		gen_event(g, "member.joined", g->from - 20 * DAY + i * 60,
		    json_pack("{s:s, s:s, s:I, s:o}", "member", h, "hub",
		        gen_hubs[i % 3], "people",
		        (json_int_t)(i % 7 == 0 ? 0 : 5 + gen_below(g, 95)),
		        "storage", storage_json(bits)));
	}
}

/*
 * A request at time at, under a new id or the one given, for one to
 * three categories. Requests end on the hour, so many end together.
 */
static void
gen_request(struct gen *g, time_t at, int64_t id)
{
	json_t *cats = json_array();
	int n = 1 + (int)gen_below(g, 3);

	while (n-- > 0)
		json_array_append_new(cats,
		    json_string(gen_cats[gen_below(g, 5)]));
	gen_event(g, "request.posted", at,
	    json_pack("{s:I, s:o, s:o, s:o, s:I, s:o}", "request",
	        (json_int_t)(id > 0 ? id : ++g->requests), "member",
	        gen_handle(g), "categories", cats, "storage",
	        storage_json(1 + (unsigned)gen_below(g, 7)), "grams",
	        (json_int_t)(1000 + gen_below(g, 30000)), "by",
	        proto_time_json(at - at % DAY + (1 + gen_below(g, 12)) * DAY +
	            gen_below(g, 3) * HOUR)));
}

/*
 * An offer at time at, under a new id or the one given. Windows end on
 * the hour, so many offers share a deadline; some give a deadline, some
 * a use-by date, some neither.
 */
static void
gen_offer(struct gen *g, time_t at, int64_t id)
{
	int c = (int)gen_below(g, 5), divisible = gen_below(g, 5) != 0;
	time_t start = at + gen_below(g, 3) * HOUR, end;
	json_t *ev;

	end = start + (1 + gen_below(g, 8)) * HOUR;
	end -= end % HOUR;
	if (end <= start)
		end += HOUR;
	ev = json_pack("{s:I, s:o, s:s, s:s, s:I, s:b, s:I, s:o, s:o}", "offer",
	    (json_int_t)(id > 0 ? id : ++g->offers), "member", gen_handle(g),
	    "hub", gen_below(g, 2) == 0 ? "north" : "south", "category",
	    gen_cats[c], "grams", (json_int_t)(300 + gen_below(g, 12000)),
	    "divisible", divisible, "min_portion",
	    (json_int_t)(gen_below(g, 4) * 500), "window_start",
	    proto_time_json(start), "window_end", proto_time_json(end));
	/* Mostly one storage word; now and then two, or none. */
	if (gen_below(g, 30) == 0)
		json_object_set_new(ev, "storage",
		    storage_json(STORAGE_AMBIENT | STORAGE_CHILLED));
	else if (gen_below(g, 100) != 0)
		json_object_set_new(ev, "storage", json_string(gen_stores[c]));
	if (gen_below(g, 2) == 0)
		json_object_set_new(ev, "deadline", proto_time_json(end));
	else if (gen_below(g, 2) == 0)
		json_object_set_new(ev, "use_by",
		    proto_time_json(end - gen_below(g, 4) * HOUR));
	gen_event(g, "offer.posted", at, ev);
}

/* What happened beside the offers, for the tally. */
static void
gen_noise(struct gen *g, time_t at)
{
	int64_t n = gen_below(g, 20);

	if (n == 0 && g->requests > 0)
		gen_event(g, "request.cancelled", at,
		    json_pack("{s:I}", "request",
		        (json_int_t)(1 + gen_below(g, g->requests))));
	else if (n == 1)
		gen_event(g, "allocation.collected", at,
		    json_pack("{s:o, s:o, s:I}", "member", gen_handle(g),
		        "donor", gen_handle(g), "grams",
		        (json_int_t)(100 + gen_below(g, 5000))));
	else if (n == 2)
		gen_event(g, "waste.recorded", at,
		    json_pack("{s:o, s:s, s:I}", "member", gen_handle(g),
		        "cause", "unclaimed", "grams",
		        (json_int_t)gen_below(g, 3000)));
	else if (n == 3)
		gen_event(g, "ledger.balances", at,
		    json_pack("{s:I, s:{s:I, s:I}}", "cap", (json_int_t)20000,
		        "balances", "m01",
		        (json_int_t)(-20000 - gen_below(g, 9000)), "m02",
		        (json_int_t)gen_below(g, 30000)));
}

/*
 * A month of November 2026 from a seed: members, requests before and
 * during it (six at a time in the same second before it, a few during
 * it), offers every few minutes, a request posted with the clock set
 * back, and events past the end.
 */
static json_t *
gen_month(uint64_t seed, time_t *from, time_t *to)
{
	struct gen g;
	time_t t;
	int i;

	memset(&g, 0, sizeof g);
	g.x = seed * 0x9e3779b97f4a7c15ULL + 1;
	g.events = json_array();
	g.members = 12 + (int)gen_below(&g, REF_MEMBERS - 14);
	assert_int_equal(metrics_month("2026-11", &g.from, &g.to), 0);
	gen_members(&g);
	for (i = 0; i < 3 * g.members; i++)
		gen_request(&g, g.from - 3 * DAY + (i / 6) * 60, 0);
	for (t = g.from; t < g.to - 6 * HOUR; t += 300 + gen_below(&g, 900)) {
		if (gen_below(&g, 8) == 0)
			for (i = (int)gen_below(&g, 3); i >= 0; i--)
				gen_request(&g, t, 0);
		if (gen_below(&g, 400) == 0)
			gen_request(&g, t - HOUR, 0);
		gen_offer(&g, t, 0);
		gen_noise(&g, t);
	}
	gen_offer(&g, g.to + HOUR, 0);
	gen_request(&g, g.to + HOUR, 0);
	*from = g.from;
	*to = g.to;
	return g.events;
}

static void
assert_same_outcome(const struct sim_outcome *a, const struct sim_outcome *b)
{
	assert_int_equal(a->offered, b->offered);
	assert_int_equal(a->shared, b->shared);
	assert_int_equal(a->unclaimed, b->unclaimed);
	assert_int_equal(a->members, b->members);
	assert_int_equal(a->recipients, b->recipients);
	assert_int_equal(a->at_floor, b->at_floor);
	assert_near(a->gini_need, b->gini_need);
}

/*
 * The replay, through its heaps and lanes, gives what the naive replay
 * gives, on generated months under each policy and other rules.
 */
static void
test_simulate_matches_naive_replay(void **state)
{
	static const char *const rules[][4] = {
	    {"policy", "fcfs", NULL, NULL},
	    {"policy", "fairshare", NULL, NULL},
	    {"policy", "lottery", NULL, NULL},
	    {"policy", "fairshare", "flash_window", "0"},
	    {"policy", "fairshare", "flash_window", "43200"},
	    {"policy", "fairshare", "hub_first", "0"},
	    {"policy", "fcfs", "ledger_cap", "5000"},
	    {"policy", "fairshare", "margin", "0"},
	};
	struct sim_outcome fast, slow;
	struct engine_rules r;
	char *cause = NULL;
	json_t *events;
	time_t from, to;
	uint64_t seed;
	size_t i;

	(void)state;
	for (seed = 1; seed <= 4; seed++) {
		events = gen_month(seed, &from, &to);
		for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
			engine_rules_default(&r);
			assert_int_equal(
			    rules_parse(rules[i][0], rules[i][1], &r, &cause),
			    0);
			if (rules[i][2] != NULL)
				assert_int_equal(rules_parse(rules[i][2],
				                     rules[i][3], &r, &cause),
				    0);
			if (simulate_period(events, from, to, &r, &fast,
			        &cause) != 0)
				fail_msg("simulate: %s", cause);
			ref_period(events, from, to, &r, &slow);
			assert_same_outcome(&fast, &slow);
			/* The month has claims, waste and takers. */
			assert_true(slow.shared > 0 && slow.unclaimed > 0);
		}
		json_decref(events);
	}
}

/* Adds a member, an offer or a request to a hand-made month. */
static void
hand_event(json_t *events, const char *kind, time_t at, json_t *ev)
{
	json_object_set_new(ev, "kind", json_string(kind));
	json_object_set_new(ev, "at", proto_time_json(at));
	json_array_append_new(events, ev);
}

static void
hand_request(json_t *events, time_t at, int64_t id, const char *member,
    const char *category, time_t by)
{
	hand_event(events, "request.posted", at,
	    json_pack("{s:I, s:s, s:[s], s:[s], s:I, s:o}", "request",
	        (json_int_t)id, "member", member, "categories", category,
	        "storage", "ambient", "grams", (json_int_t)5000, "by",
	        proto_time_json(by)));
}

static void
hand_offer(json_t *events, time_t at, int64_t id, const char *member,
    const char *category, int64_t grams)
{
	hand_event(events, "offer.posted", at,
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:o, s:o, "
	              "s:o}",
	        "offer", (json_int_t)id, "member", member, "hub", "north",
	        "category", category, "storage", "ambient", "grams",
	        (json_int_t)grams, "divisible", 0, "min_portion",
	        (json_int_t)grams, "window_start", proto_time_json(at),
	        "window_end", proto_time_json(at + 6 * HOUR), "deadline",
	        proto_time_json(at + 6 * HOUR)));
}

/*
 * Requests that end together leave the engine's table as a scan from its
 * first row leaves it, and of requests posted in the same second the one
 * first in the table is first to claim. g asks first; then a to e ask in
 * one second, and a, b and e end on the 2nd: a goes, e takes its place
 * and goes, d takes that place, b goes and c takes its place: d is now
 * before c. c gave 3 kg to g; f's 2 kg on the 2nd goes to d, so d and g
 * end ahead. Had c taken it, only g would.
 */
static void
test_simulate_ends_follow_the_table(void **state)
{
	static const char *const who[] = {"a", "b", "c", "d", "e", "f", "g"};
	struct sim_outcome fast, slow;
	struct engine_rules r;
	json_t *events = json_array();
	char *cause = NULL;
	time_t from, to, ask;
	size_t i;

	(void)state;
	metrics_month("2026-11", &from, &to);
	for (i = 0; i < sizeof who / sizeof who[0]; i++)
		hand_event(events, "member.joined",
		    from - 10 * DAY + (time_t)i * 60,
		    json_pack("{s:s, s:s, s:I, s:[s]}", "member", who[i], "hub",
		        "north", "people", (json_int_t)10, "storage",
		        "ambient"));
	hand_request(events, from - DAY + 9 * HOUR, 1, "g", "produce",
	    from + 19 * DAY);
	ask = from - DAY + 10 * HOUR;
	for (i = 0; i < 5; i++)
		hand_request(events, ask, 2 + (int64_t)i, who[i], "bakery",
		    i == 2 || i == 3 ? from + 19 * DAY : from + DAY);
	hand_offer(events, from + 9 * HOUR, 1, "c", "produce", 3000);
	hand_offer(events, from + DAY + 12 * HOUR, 2, "f", "bakery", 2000);
	engine_rules_default(&r);
	assert_int_equal(rules_parse("policy", "fcfs", &r, &cause), 0);
	assert_int_equal(simulate_period(events, from, to, &r, &fast, &cause),
	    0);
	ref_period(events, from, to, &r, &slow);
	assert_same_outcome(&fast, &slow);
	assert_int_equal(fast.shared, 5000);
	assert_int_equal(fast.members, 7);
	assert_int_equal(fast.recipients, 2);
	json_decref(events);
}

/* Fed one event at a time, a run gives what the two calls give. */
static void
test_simulate_streams_the_log(void **state)
{
	struct sim_outcome was, sim, was2, sim2;
	struct engine_rules r;
	struct sim_run *run;
	char *cause = NULL;
	json_t *events, *ev;
	time_t from, to;
	size_t i;

	(void)state;
	events = gen_month(7, &from, &to);
	engine_rules_default(&r);
	run = simulate_start(from, to, &r, &cause);
	assert_non_null(run);
	json_array_foreach(events, i, ev)
	{
		assert_int_equal(simulate_event(run, ev), 0);
	}
	assert_int_equal(simulate_finish(run, &was, &sim, &cause), 0);
	assert_int_equal(simulate_actual(events, from, to, &was2), 0);
	assert_int_equal(simulate_period(events, from, to, &r, &sim2, &cause),
	    0);
	assert_same_outcome(&was, &was2);
	assert_same_outcome(&sim, &sim2);
	assert_true(was.offered > 0 && was.shared > 0 && was.at_floor > 0);
	json_decref(events);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simulate_as_it_happened),
	    cmocka_unit_test(test_simulate_fairshare_takes_turns),
	    cmocka_unit_test(test_simulate_fcfs_is_the_chat_group),
	    cmocka_unit_test(test_simulate_rules_change_the_outcome),
	    cmocka_unit_test(test_simulate_rules_parse_errors),
	    cmocka_unit_test(test_simulate_matches_naive_replay),
	    cmocka_unit_test(test_simulate_ends_follow_the_table),
	    cmocka_unit_test(test_simulate_streams_the_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
