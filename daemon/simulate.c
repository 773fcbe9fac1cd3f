/*
 * simulate.c: replays the offers and requests of a period through a fresh
 * engine under the rules given. Members are assumed to accept every
 * proposal at once and collect it in full, and an offer open to claims
 * goes to the earliest request it fits: the simulation shows where the
 * rules send food, not how people answer. What actually happened is
 * measured the same way from the log, so the two sit side by side. Events
 * are taken one at a time, so a month is never held whole, and what falls
 * due or fits an offer is found through indexes, never by a scan.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "simindex.h"
#include "simread.h"
#include "simulate.h"

#define SIM_MAX_MEMBERS 100000
#define SIM_STORAGES    3 /* STORAGE_* bits, one lane each */

/* A row of a table by its place in it, to close rows in table order. */
struct sim_place {
	size_t slot;
	int64_t id;
};

/* A replay in progress, or (without an engine) a tally of the log. */
struct sim {
	struct engine *e;
	time_t from;
	time_t to;
	struct sim_names names;
	int64_t *received; /* by member id */
	int64_t *given;
	int64_t *people;
	char *active;
	size_t cap; /* the length of the arrays by member id */
	int64_t nmembers;
	int stopped; /* the period is over, or the engine failed */
	int failed;
	int64_t at_floor;      /* at the floor in the last ledger.balances */
	struct sim_heap ends;  /* requests by the end of their window */
	struct sim_heap dues;  /* offers by deadline */
	struct sim_place *due; /* what closes now */
	size_t ndue;
	size_t duecap;
	struct sim_shelf shelf;
	struct sim_lane *lanes[ENGINE_MAX_CATEGORIES][SIM_STORAGES];
	struct sim_outcome out;
};

/* A replay and a tally of what happened, fed the same events. */
struct sim_run {
	struct sim actual;
	struct sim replay;
};

/* The index of a single storage bit, or -1 for none or several. */
static int
sim_storage_index(unsigned bits)
{
	if (bits == 0 || (bits & (bits - 1)) != 0 || bits >= 1u << SIM_STORAGES)
		return -1;
	return __builtin_ctz(bits);
}

/* The storage bits of a request's lanes: those its member shares. */
static unsigned
sim_lane_bits(struct sim *s, const struct engine_request *r)
{
	const struct engine_member *m = engine_member_find(s->e, r->member);

	if (m == NULL)
		return 0;
	return r->storage & m->storage & ((1u << SIM_STORAGES) - 1);
}

/* Puts a request in the lane of each category and storage it fits. */
static int
sim_lanes_add(struct sim *s, const struct engine_request *r)
{
	struct sim_lane **l;
	unsigned bits = sim_lane_bits(s, r);
	uint64_t cats;
	int b;

	for (cats = r->categories; cats != 0; cats &= cats - 1) {
		for (b = 0; b < SIM_STORAGES; b++) {
			if ((bits & 1u << b) == 0)
				continue;
			l = &s->lanes[__builtin_ctzll(cats)][b];
			if (*l == NULL && (*l = calloc(1, sizeof **l)) == NULL)
				return -1;
			if (sim_lane_add(*l, r->posted, r->id,
			        r->wanted > 0 ? r->wanted : 0) != 0)
				return -1;
		}
	}
	return 0;
}

/* Sets what a request wants in each of its lanes; -1 takes it out. */
static void
sim_lanes_set(struct sim *s, int64_t id, int remove)
{
	const struct engine_request *r = engine_request_find(s->e, id);
	struct sim_lane *l;
	unsigned bits;
	uint64_t cats;
	size_t pos;
	int b;

	if (r == NULL)
		return;
	bits = sim_lane_bits(s, r);
	for (cats = r->categories; cats != 0; cats &= cats - 1) {
		for (b = 0; b < SIM_STORAGES; b++) {
			l = s->lanes[__builtin_ctzll(cats)][b];
			if ((bits & 1u << b) == 0 || l == NULL ||
			    (pos = sim_lane_find(l, r->posted, id)) ==
			        SIM_NOWHERE)
				continue;
			if (remove)
				sim_lane_remove(l, pos);
			else
				sim_lane_set(l, pos,
				    r->wanted > 0 ? r->wanted : 0);
		}
	}
}

/*
 * Brings the lanes up to date with what a policy call gave back. What a
 * request wants only falls as food goes to it, and a leaf that says more
 * is put right when a search meets it: only lapses need the lanes now.
 */
static void
sim_lanes_sync(struct sim *s, const struct engine_out *out)
{
	size_t i;

	for (i = 0; i < out->nlapsed; i++)
		sim_lanes_set(s, out->lapsed[i].request, 0);
}

/* Makes the arrays by member id hold ids up to n - 1. */
static int
sim_members_room(struct sim *s, size_t n)
{
	size_t cap = s->cap == 0 ? 64 : s->cap, was = s->cap;
	void *p;

	if (n <= s->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((p = realloc(s->received, cap * sizeof *s->received)) == NULL)
		return -1;
	s->received = p;
	if ((p = realloc(s->given, cap * sizeof *s->given)) == NULL)
		return -1;
	s->given = p;
	if ((p = realloc(s->people, cap * sizeof *s->people)) == NULL)
		return -1;
	s->people = p;
	if ((p = realloc(s->active, cap)) == NULL)
		return -1;
	s->active = p;
	memset(s->received + was, 0, (cap - was) * sizeof *s->received);
	memset(s->given + was, 0, (cap - was) * sizeof *s->given);
	memset(s->people + was, 0, (cap - was) * sizeof *s->people);
	memset(s->active + was, 0, cap - was);
	s->cap = cap;
	return 0;
}

/* Registers a member from its member.joined event. */
static int
sim_join(struct sim *s, const json_t *ev)
{
	struct engine_member m;

	if (s->nmembers >= SIM_MAX_MEMBERS)
		return 0;
	if (sim_members_room(s, (size_t)s->nmembers + 2) != 0)
		return -1;
	if (!sim_read_member(&s->names, ev, s->nmembers + 1, &m))
		return 0;
	s->nmembers = m.id;
	s->people[m.id] = m.people;
	return s->e != NULL ? engine_member_put(s->e, &m) : 0;
}

/*
 * The member whose earliest fitting request is the earliest of all, and
 * of requests posted in the same second, the first in the engine's
 * table: the rule, by a look at every request.
 */
static int64_t
sim_first_claimer_scan(struct sim *s, const struct engine_offer *o)
{
	struct engine_request *rs = s->e->requests.rows;
	const struct engine_member *m;
	time_t best = 0;
	int64_t who = 0;
	size_t i;

	for (i = 0; i < s->e->requests.n; i++) {
		m = engine_member_find(s->e, rs[i].member);
		if (m == NULL || !engine_feasible(s->e, o, &rs[i], m))
			continue;
		if (who == 0 || rs[i].posted < best) {
			who = m->id;
			best = rs[i].posted;
		}
	}
	return who;
}

/*
 * The same, through the lane of the offer's category and storage: every
 * request that fits it is there, in posted order, and a request's window
 * opens when it is posted. A leaf that says a request wants more than it
 * does is put right on the way.
 */
static int64_t
sim_first_claimer(struct sim *s, const struct engine_offer *o)
{
	const struct engine_request *rs = s->e->requests.rows, *r;
	const struct engine_member *m;
	int64_t need = o->min_portion < o->free ? o->min_portion : o->free;
	int64_t who = 0;
	int b = sim_storage_index(o->storage);
	struct sim_lane *l;
	size_t pos, best = 0;

	if (b < 0)
		return sim_first_claimer_scan(s, o);
	if ((l = s->lanes[o->category][b]) == NULL)
		return 0;
	if (need < 0)
		need = 0;
	for (pos = sim_lane_next(l, 0, need); pos < l->n;
	     pos = sim_lane_next(l, pos + 1, need)) {
		if (l->at[pos].posted >= o->window_end ||
		    (who != 0 && l->at[pos].posted != rs[best].posted))
			break;
		if ((r = engine_request_find(s->e, l->at[pos].id)) == NULL)
			continue;
		if (l->most[l->size + pos] != (r->wanted > 0 ? r->wanted : 0))
			sim_lane_set(l, pos, r->wanted > 0 ? r->wanted : 0);
		m = engine_member_find(s->e, r->member);
		if (m == NULL || !engine_feasible(s->e, o, r, m))
			continue;
		if (who == 0 || (size_t)(r - rs) < best) {
			who = m->id;
			best = (size_t)(r - rs);
		}
	}
	return who;
}

/*
 * The engine forgets an offer with nothing left and nothing awaiting an
 * answer: nothing can bring its food back, and the engine's revisits
 * pass over it anyway. The replay still closes it at its deadline.
 */
static void
sim_shed(struct sim *s, int64_t offer)
{
	const struct engine_offer *o = engine_offer_get(s->e, offer);

	if (o != NULL && o->free == 0 && o->pending == 0)
		engine_offer_drop(s->e, offer);
}

/* Grants an offer open to claims, piece by piece, to the first fits. */
static void
sim_claims(struct sim *s, int64_t offer, time_t now)
{
	struct engine_out out;
	struct engine_offer *o;
	int64_t who;
	char *cause = NULL;

	while ((o = engine_offer_get(s->e, offer)) != NULL && o->free > 0 &&
	    (who = sim_first_claimer(s, o)) != 0) {
		engine_out_init(&out);
		if (engine_claim(s->e, offer, who, 0, now, &out, &cause) != 0) {
			free(cause);
			engine_out_clear(&out);
			return;
		}
		s->received[who] += out.proposals[0].grams;
		s->given[o->donor] += out.proposals[0].grams;
		s->out.shared += out.proposals[0].grams;
		engine_out_clear(&out);
	}
}

/* Accepts every proposal at once and grants claims to the first fit. */
static int
sim_settle(struct sim *s, struct engine_out *out, time_t now)
{
	struct engine_out more;
	struct engine_offer *o;
	size_t i;

	sim_lanes_sync(s, out);
	for (i = 0; i < out->nproposals; i++) {
		engine_out_init(&more);
		if (engine_answer(s->e, out->proposals[i].offer,
		        out->proposals[i].member, ANSWER_ACCEPTED, now,
		        &more) != 0) {
			engine_out_clear(&more);
			return -1;
		}
		sim_lanes_sync(s, &more);
		engine_out_clear(&more);
		o = engine_offer_get(s->e, out->proposals[i].offer);
		s->received[out->proposals[i].member] +=
		    out->proposals[i].grams;
		if (o != NULL)
			s->given[o->donor] += out->proposals[i].grams;
		s->out.shared += out->proposals[i].grams;
	}
	for (i = 0; i < out->nflashed; i++)
		sim_claims(s, out->flashed[i], now);
	for (i = 0; i < out->nproposals; i++)
		sim_shed(s, out->proposals[i].offer);
	for (i = 0; i < out->nflashed; i++)
		sim_shed(s, out->flashed[i]);
	return 0;
}

/* Lets the engine act at time t, and settles what it decided. */
static int
sim_tick(struct sim *s, time_t t)
{
	struct engine_out out;
	int rc;

	engine_out_init(&out);
	rc = engine_tick(s->e, t, &out) == 0 ? sim_settle(s, &out, t) : -1;
	engine_out_clear(&out);
	return rc;
}

static int
sim_place_order(const void *a, const void *b)
{
	const struct sim_place *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Lists a row that falls due now, by its place in its table. */
static int
sim_due_add(struct sim *s, size_t slot, int64_t id)
{
	struct sim_place *p;

	p = engine_grow(s->due, &s->duecap, s->ndue, sizeof *p);
	if (p == NULL)
		return -1;
	s->due = p;
	p[s->ndue].slot = slot;
	p[s->ndue++].id = id;
	return 0;
}

/* Puts what falls due in table order, each row once. */
static void
sim_due_sort(struct sim *s)
{
	size_t i, k = 0;

	if (s->ndue > 1)
		qsort(s->due, s->ndue, sizeof *s->due, sim_place_order);
	for (i = 0; i < s->ndue; i++) {
		if (k == 0 || s->due[k - 1].id != s->due[i].id)
			s->due[k++] = s->due[i];
	}
	s->ndue = k;
}

/*
 * Closes what falls due as a scan of the table from its first row would,
 * closing each due row it meets: a closed row's place goes to the last
 * row, so when that row is due too, it closes next. last() names the
 * table's last row; drop() closes one.
 */
static int
sim_due_close(struct sim *s, time_t t, int64_t (*last)(struct sim *),
    int (*drop)(struct sim *, int64_t, time_t))
{
	size_t lo = 0, hi = s->ndue;
	int64_t moved;

	while (lo < hi) {
		moved = last(s);
		if (drop(s, s->due[lo++].id, t) != 0)
			return -1;
		if (lo < hi && s->due[hi - 1].id == moved) {
			s->due[--lo] = s->due[hi - 1];
			hi--;
		}
	}
	return 0;
}

static int64_t
sim_shelf_last(struct sim *s)
{
	return s->shelf.rows[s->shelf.n - 1].id;
}

/* Closes an offer at its deadline: what is left of it is waste. */
static int
sim_offer_close(struct sim *s, int64_t id, time_t deadline)
{
	struct engine_offer *o;

	if (sim_tick(s, deadline) != 0)
		return -1;
	if ((o = engine_offer_get(s->e, id)) != NULL)
		s->out.unclaimed += o->free;
	engine_offer_drop(s->e, id);
	sim_shelf_drop(&s->shelf, id);
	return 0;
}

static int64_t
sim_request_last(struct sim *s)
{
	const struct engine_request *rs = s->e->requests.rows;

	return rs[s->e->requests.n - 1].id;
}

/* Takes a request out of the replay: ended or cancelled. */
static int
sim_request_close(struct sim *s, int64_t id, time_t t)
{
	(void)t;
	sim_lanes_set(s, id, 1);
	engine_request_drop(s->e, id);
	return 0;
}

/* Closes the offers whose deadline has come by t, earliest first. */
static int
sim_offers_due(struct sim *s, time_t t)
{
	struct sim_due d;
	time_t when;
	size_t slot;

	while (s->dues.n > 0 && s->dues.rows[0].at <= t) {
		when = s->dues.rows[0].at;
		s->ndue = 0;
		while (s->dues.n > 0 && s->dues.rows[0].at == when) {
			d = sim_heap_pop(&s->dues);
			if (idmap_get(&s->shelf.map, d.id, &slot) &&
			    s->shelf.rows[slot].at == when &&
			    sim_due_add(s, slot, d.id) != 0)
				return -1;
		}
		sim_due_sort(s);
		if (sim_due_close(s, when, sim_shelf_last, sim_offer_close) !=
		    0)
			return -1;
	}
	return 0;
}

/* Drops the requests whose window has ended by t. */
static int
sim_requests_due(struct sim *s, time_t t)
{
	const struct engine_request *rs = s->e->requests.rows, *r;
	struct sim_due d;

	s->ndue = 0;
	while (s->ends.n > 0 && s->ends.rows[0].at <= t) {
		d = sim_heap_pop(&s->ends);
		if ((r = engine_request_find(s->e, d.id)) != NULL &&
		    r->window_end == d.at &&
		    sim_due_add(s, (size_t)(r - rs), d.id) != 0)
			return -1;
	}
	sim_due_sort(s);
	return sim_due_close(s, t, sim_request_last, sim_request_close);
}

/* Closes every offer and request whose time has come by t. */
static int
sim_deadlines(struct sim *s, time_t t)
{
	if (sim_offers_due(s, t) != 0)
		return -1;
	return sim_requests_due(s, t);
}

/* Adds a request as it was posted. */
static int
sim_request(struct sim *s, const json_t *ev, time_t at)
{
	struct engine_request r;
	struct engine_out out;
	int rc;

	if (!sim_read_request(&s->names, ev, at, &r))
		return 0;
	s->active[r.member] = 1;
	sim_lanes_set(s, r.id, 1);
	if (engine_request_put(s->e, &r) != 0 || sim_lanes_add(s, &r) != 0 ||
	    sim_heap_push(&s->ends, r.window_end, r.id) != 0)
		return -1;
	/* As in larderd: the request's categories are revisited. */
	engine_out_init(&out);
	rc = engine_request_posted(s->e, r.id, at, &out) == 0
	    ? sim_settle(s, &out, at)
	    : -1;
	engine_out_clear(&out);
	return rc;
}

/* Posts an offer as it was posted, and settles what the policy does. */
static int
sim_offer(struct sim *s, const json_t *ev, time_t at)
{
	struct engine_out out;
	struct engine_offer o;
	int rc;

	if (!sim_read_offer(&s->names, ev, at, s->e->rules.margin, &o))
		return 0;
	s->out.offered += o.free;
	s->active[o.donor] = 1;
	if (engine_offer_put(s->e, &o) != 0 ||
	    sim_shelf_put(&s->shelf, o.id, o.deadline) != 0 ||
	    sim_heap_push(&s->dues, o.deadline, o.id) != 0)
		return -1;
	engine_out_init(&out);
	rc = engine_offer_posted(s->e, o.id, at, &out) == 0
	    ? sim_settle(s, &out, at)
	    : -1;
	engine_out_clear(&out);
	return rc;
}

static int
sim_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Counts the members that took part and those that received more than
 * they gave, and the Gini coefficient of grams received per person of
 * need over the members that took part and declared a need.
 */
static void
sim_finish(struct sim *s)
{
	struct sim_outcome *out = &s->out;
	double *x = calloc((size_t)s->nmembers + 1, sizeof *x), sum = 0, w = 0;
	size_t k = 0, i;
	int64_t id;

	for (id = 1; id <= s->nmembers; id++) {
		if (!s->active[id])
			continue;
		out->members++;
		out->recipients += s->received[id] > s->given[id];
		if (s->people[id] > 0 && x != NULL)
			x[k++] =
			    (double)s->received[id] / (double)s->people[id];
	}
	if (x != NULL)
		qsort(x, k, sizeof *x, sim_cmp_double);
	for (i = 0; x != NULL && i < k; i++) {
		sum += x[i];
		w += (double)(i + 1) * x[i];
	}
	out->gini_need = sum > 0
	    ? 2 * w / ((double)k * sum) - ((double)k + 1) / (double)k
	    : 0;
	free(x);
}

static void
sim_close(struct sim *s)
{
	size_t c, b;

	engine_free(s->e);
	sim_names_free(&s->names);
	free(s->received);
	free(s->given);
	free(s->people);
	free(s->active);
	free(s->ends.rows);
	free(s->dues.rows);
	free(s->due);
	free(s->shelf.rows);
	idmap_free(&s->shelf.map);
	for (c = 0; c < ENGINE_MAX_CATEGORIES; c++) {
		for (b = 0; b < SIM_STORAGES; b++)
			sim_lane_free(s->lanes[c][b]);
	}
	memset(s, 0, sizeof *s);
}

/*
 * Sets up an empty replay of [from, to) under rules r, or with r NULL a
 * tally of what happened.
 */
static int
sim_open(struct sim *s, time_t from, time_t to, const struct engine_rules *r,
    char **cause)
{
	memset(s, 0, sizeof *s);
	s->from = from;
	s->to = to;
	if (sim_names_init(&s->names) != 0 || sim_members_room(s, 2) != 0)
		return asprintf(cause, "out of memory"), -1;
	if (r == NULL)
		return 0;
	if ((s->e = engine_new(r, cause)) == NULL)
		return -1;
	/* Nobody reads why a replayed proposal went where it did. */
	engine_set_reasons(s->e, 0);
	return 0;
}

/* Replays one event of the log, in order; -1 once the engine failed. */
static int
sim_replay(struct sim *s, const json_t *ev, time_t at)
{
	const char *kind = sim_str(ev, "kind");
	int rc = 0;

	if (at >= s->to)
		s->stopped = 1;
	if (s->stopped)
		return s->failed ? -1 : 0;
	if (kind == NULL)
		return 0;
	if (strcmp(kind, "member.joined") == 0)
		rc = sim_join(s, ev);
	else if (at >= s->from && sim_deadlines(s, at) != 0)
		rc = -1;
	else if (strcmp(kind, "request.posted") == 0 &&
	    sim_time(ev, "by") > s->from)
		rc = sim_request(s, ev, at);
	else if (strcmp(kind, "request.cancelled") == 0)
		sim_request_close(s,
		    json_integer_value(json_object_get(ev, "request")), at);
	else if (strcmp(kind, "offer.posted") == 0 && at >= s->from)
		rc = sim_offer(s, ev, at);
	if (rc != 0)
		s->stopped = s->failed = 1;
	return rc;
}

/* Ends a replay: what is still open closes at the end of the period. */
static int
sim_replay_end(struct sim *s, struct sim_outcome *out, char **cause)
{
	const struct engine_rules *r = engine_rules(s->e);
	struct engine_member *ms;
	size_t i, n;

	if (!s->failed && sim_deadlines(s, s->to) != 0)
		s->failed = 1;
	n = engine_members(s->e, &ms);
	for (i = 0; i < n; i++)
		s->out.at_floor += ms[i].balance <= -r->ledger_cap;
	sim_finish(s);
	*out = s->out;
	if (s->failed && cause != NULL)
		asprintf(cause, "the engine failed during the replay");
	return s->failed ? -1 : 0;
}

/* Counts one event of the log towards what actually happened. */
static void
sim_actual_event(struct sim *s, const json_t *ev, const char *kind)
{
	int64_t member = sim_member(&s->names, sim_str(ev, "member"));
	int64_t donor = sim_member(&s->names, sim_str(ev, "donor"));
	int64_t grams = json_integer_value(json_object_get(ev, "grams"));

	if (strcmp(kind, "offer.posted") == 0) {
		s->out.offered += grams;
		s->active[member] = 1;
	} else if (strcmp(kind, "request.posted") == 0)
		s->active[member] = 1;
	else if (strcmp(kind, "allocation.collected") == 0 && member != donor) {
		s->out.shared += grams;
		s->received[member] += grams;
		s->given[donor] += grams;
	} else if (strcmp(kind, "waste.recorded") == 0 &&
	    strcmp(sim_str(ev, "cause") != NULL ? sim_str(ev, "cause") : "",
	        "unclaimed") == 0)
		s->out.unclaimed += grams;
}

/* Members at the floor in a ledger.balances event. */
static int64_t
sim_actual_floor(const json_t *ev)
{
	json_int_t cap = json_integer_value(json_object_get(ev, "cap"));
	const char *handle;
	json_t *v;
	int64_t n = 0;

	json_object_foreach(json_object_get(ev, "balances"), handle, v)
	{
		n += cap > 0 && json_integer_value(v) <= -cap;
	}
	return n;
}

/* Counts one event of the log, in order, towards what happened. */
static void
sim_tally(struct sim *s, const json_t *ev, time_t at)
{
	const char *kind = sim_str(ev, "kind");

	if (kind == NULL || at >= s->to)
		return;
	if (strcmp(kind, "member.joined") == 0)
		sim_join(s, ev);
	else if (at >= s->from && strcmp(kind, "ledger.balances") == 0)
		s->at_floor = sim_actual_floor(ev);
	else if (at >= s->from)
		sim_actual_event(s, ev, kind);
}

/* Ends a tally, at the floor as the period's last balances had it. */
static void
sim_tally_end(struct sim *s, struct sim_outcome *out)
{
	s->out.at_floor = s->at_floor;
	sim_finish(s);
	*out = s->out;
}

/*
 * Replays [from, to) of a log (an array of export records, in order)
 * under the rules r, into out.
 */
int
simulate_period(const json_t *events, time_t from, time_t to,
    const struct engine_rules *r, struct sim_outcome *out, char **cause)
{
	struct sim s;
	const json_t *ev;
	size_t i;
	int rc;

	if (sim_open(&s, from, to, r, cause) != 0) {
		sim_close(&s);
		return -1;
	}
	json_array_foreach(events, i, ev)
	{
		if (sim_replay(&s, ev, sim_time(ev, "at")) != 0)
			break;
	}
	rc = sim_replay_end(&s, out, cause);
	sim_close(&s);
	return rc;
}

/* Measures [from, to) of a log as it happened, as simulate_period does. */
int
simulate_actual(const json_t *events, time_t from, time_t to,
    struct sim_outcome *out)
{
	struct sim s;
	const json_t *ev;
	char *cause = NULL;
	size_t i;

	if (sim_open(&s, from, to, NULL, &cause) != 0) {
		free(cause);
		sim_close(&s);
		return -1;
	}
	json_array_foreach(events, i, ev)
	{
		sim_tally(&s, ev, sim_time(ev, "at"));
	}
	sim_tally_end(&s, out);
	sim_close(&s);
	return 0;
}

/*
 * Starts a replay of [from, to) under the rules r beside a tally of what
 * happened, to be fed the log's events in order.
 */
struct sim_run *
simulate_start(time_t from, time_t to, const struct engine_rules *r,
    char **cause)
{
	struct sim_run *run;

	if ((run = calloc(1, sizeof *run)) == NULL)
		return asprintf(cause, "out of memory"), NULL;
	if (sim_open(&run->actual, from, to, NULL, cause) != 0 ||
	    sim_open(&run->replay, from, to, r, cause) != 0) {
		sim_close(&run->actual);
		sim_close(&run->replay);
		free(run);
		return NULL;
	}
	return run;
}

/* Feeds the next event of the log; -1 once the replay has failed. */
int
simulate_event(struct sim_run *run, const json_t *ev)
{
	time_t at = sim_time(ev, "at");

	sim_tally(&run->actual, ev, at);
	return sim_replay(&run->replay, ev, at);
}

/* Ends a run with both outcomes, and frees it. */
int
simulate_finish(struct sim_run *run, struct sim_outcome *was,
    struct sim_outcome *sim, char **cause)
{
	int rc;

	sim_tally_end(&run->actual, was);
	rc = sim_replay_end(&run->replay, sim, cause);
	sim_close(&run->actual);
	sim_close(&run->replay);
	free(run);
	return rc;
}

/* An outcome as a JSON object. */
json_t *
simulate_json(const struct sim_outcome *o)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:f}",
	    "offered_g", (json_int_t)o->offered, "shared_g",
	    (json_int_t)o->shared, "unclaimed_g", (json_int_t)o->unclaimed,
	    "share_rate",
	    o->offered > 0 ? json_real((double)o->shared / (double)o->offered)
	                   : json_null(),
	    "members", (json_int_t)o->members, "net_recipients",
	    (json_int_t)o->recipients, "at_floor", (json_int_t)o->at_floor,
	    "gini_per_person", o->gini_need);
}
