/*
 * policy.c: the allocation policies behind the engine's one interface.
 * fairshare (the default) offers food in turn to the member furthest
 * behind its entitlement on the credit ledger; fcfs opens every offer to
 * the first claim, as a chat group does; lottery draws among the
 * least-served members. All three go to a flash claim when an offer keeps
 * failing or its deadline nears.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "jtext.h"

#define REASON_CANDIDATES 12 /* candidates named in a reason */
#define SPLIT_STEPS       16 /* a divisible offer's finest split */
#define PICK_ORDERED      32 /* candidates put in order at first */
#define HUB_AHEAD         4  /* hub members asked for ahead of use */

/* A member who could take an offer, through one of its requests. */
struct cand {
	struct engine_member *m;
	const struct roster_req *q; /* the request, as the roster has it */
	double share;
	double priority; /* its key on the ledger: owed / share */
	uint64_t tiebreak;
	int64_t grams; /* what it is given */
};

/* The candidates for one offer, in the engine's scratch array. */
struct pick {
	struct cand *c;
	size_t n;
	size_t sorted; /* the first sorted are in order, best first */
	int hub_only;
	int partial;  /* the walk stopped once the best were certain */
	int need_all; /* the split wants candidates the walk left */
};

static int
cand_order(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->q->posted != y->q->posted)
		return x->q->posted < y->q->posted ? -1 : 1;
	if (x->tiebreak != y->tiebreak)
		return x->tiebreak < y->tiebreak ? -1 : 1;
	return x->m->id < y->m->id ? -1 : 1;
}

static int
policy_flash(struct engine_offer *o, struct engine_out *out)
{
	o->flash = 1;
	return engine_out_flash(out, o->id);
}

/* Makes room for one more candidate in the engine's scratch array. */
static struct cand *
policy_cand_slot(struct engine *e, struct pick *pk)
{
	struct cand *c;

	if ((c = engine_grow(e->cands, &e->candcap, pk->n, sizeof *c)) == NULL)
		return NULL;
	e->cands = c;
	pk->c = e->cands;
	return &pk->c[pk->n];
}

/*
 * Considers the member at slot for o: its earliest feasible request, if
 * any, makes it a candidate. Returns -1 only when out of memory.
 */
static int
policy_consider(struct engine *e, const struct engine_offer *o, size_t slot,
    const int64_t *bars, size_t nbars, struct pick *pk)
{
	struct engine_member *m =
	    (struct engine_member *)e->members.rows + slot;
	const struct member_state *st = &e->mstate[slot];
	const struct roster_req *q, *best = NULL;
	uint64_t bit = UINT64_C(1) << o->category;
	struct cand *c;
	size_t i;

	/* Most members want other food, or cannot keep it: cheap tests. */
	if ((st->cats & bit) == 0 || (m->storage & o->storage) == 0 ||
	    m->id == o->donor)
		return 0;
	for (i = 0; i < nbars; i++) {
		if (bars[i] == m->id)
			return 0;
	}
	for (i = 0; i < st->nreqs; i++) {
		q = &st->reqs[i];
		if ((q->categories & bit) == 0 || !roster_suits(o, q, m))
			continue;
		if (best == NULL || q->posted < best->posted ||
		    (q->posted == best->posted && q->id < best->id))
			best = q;
	}
	if (best == NULL)
		return 0;
	if ((c = policy_cand_slot(e, pk)) == NULL)
		return -1;
	c->m = m;
	c->q = best;
	c->share = ledger_shares(e)[slot];
	c->priority = ledger_key(e, slot);
	c->tiebreak = engine_mix(e->rules.seed, o->id, m->id);
	c->grams = 0;
	pk->n++;
	return 0;
}

/*
 * Asks the processor for a member's state, row and requests before
 * policy_consider reads them. A hub's members sit far apart in memory,
 * and a look round a hub of a hundred spent most of its time waiting for
 * them one by one.
 */
static void
policy_prefetch(const struct engine *e, size_t slot)
{
	const struct member_state *st = &e->mstate[slot];

	__builtin_prefetch(st);
	__builtin_prefetch(
	    (const struct engine_member *)e->members.rows + slot);
	__builtin_prefetch(st->reqs);
}

/* Sorts candidates best first: a few by insertion, many by qsort. */
static void
policy_sort(struct cand *c, size_t n)
{
	struct cand t;
	size_t i, j;

	if (n > PICK_ORDERED) {
		qsort(c, n, sizeof *c, cand_order);
		return;
	}
	for (i = 1; i < n; i++) {
		t = c[i];
		for (j = i; j > 0 && cand_order(&c[j - 1], &t) > 0; j--)
			c[j] = c[j - 1];
		c[j] = t;
	}
}

/*
 * Puts the best k candidates first, in order: a partial selection, then
 * a sort of those k. The rest stay unordered behind them.
 */
static void
policy_order(struct pick *pk, size_t k)
{
	struct cand *c = pk->c;

	if (k >= pk->n) {
		policy_sort(c, pk->n);
		pk->sorted = pk->n;
		return;
	}
	engine_select(c, pk->n, sizeof *c, k, cand_order);
	policy_sort(c, k);
	pk->sorted = k;
}

/*
 * A candidate's place as far as a walk can bound it: its ledger key, and
 * when its request was posted, the first two things candidates are
 * ordered by (cand_order).
 */
struct rank {
	double key;
	time_t posted;
};

/* Whether rank a is behind rank b. */
static int
rank_behind(const struct rank *a, const struct rank *b)
{
	return a->key < b->key || (a->key == b->key && a->posted > b->posted);
}

/* A walk of a category's members, best first, for policy_candidates. */
struct walk {
	struct engine *e;
	const struct engine_offer *o;
	const int64_t *bars;
	size_t nbars;
	struct pick *pk;
	struct rank best[PICK_ORDERED]; /* the best ranks found: the one
	                                   furthest behind on top */
	size_t nbest;
};

/* Keeps a candidate's rank if it is among the best PICK_ORDERED found. */
static void
policy_walk_note(struct walk *w, struct rank r)
{
	struct rank *h = w->best;
	size_t i, c;

	if (w->nbest < PICK_ORDERED) {
		for (i = w->nbest++; i > 0 && rank_behind(&r, &h[(i - 1) / 2]);
		     i = (i - 1) / 2)
			h[i] = h[(i - 1) / 2];
		h[i] = r;
		return;
	}
	if (!rank_behind(&h[0], &r))
		return;
	for (i = 0;; i = c) {
		c = 2 * i + 1;
		if (c >= PICK_ORDERED)
			break;
		if (c + 1 < PICK_ORDERED && rank_behind(&h[c + 1], &h[c]))
			c++;
		if (!rank_behind(&h[c], &r))
			break;
		h[i] = h[c];
	}
	h[i] = r;
}

/*
 * Considers members as the walk hands them on until PICK_ORDERED
 * candidates are found and the bound on every member still to come is
 * behind the last of them: by key, or at an equal key by a request
 * posted later. Every member left is then behind them all. Members tied
 * on both go on being considered, as the policy's last tie-break is a
 * draw.
 */
static int
policy_walk_visit(void *arg, size_t slot, double bound, time_t posted)
{
	struct walk *w = arg;
	struct rank r = {bound, posted};
	size_t n = w->pk->n;

	if (w->nbest == PICK_ORDERED && rank_behind(&r, &w->best[0]))
		return 1;
	if (policy_consider(w->e, w->o, slot, w->bars, w->nbars, w->pk) != 0)
		return -1;
	if (w->pk->n > n) {
		r.key = w->pk->c[n].priority;
		r.posted = w->pk->c[n].q->posted;
		policy_walk_note(w, r);
	}
	return 0;
}

/*
 * After a walk that stopped, keeps only the candidates as good as the
 * best PICK_ORDERED: the walk may hand on members out of the order of
 * their own keys, and a candidate behind that line may have others, not
 * handed on, ahead of it.
 */
static void
policy_walk_cut(struct walk *w)
{
	struct pick *pk = w->pk;
	struct rank r;
	size_t i, n = 0;

	for (i = 0; i < pk->n; i++) {
		r.key = pk->c[i].priority;
		r.posted = pk->c[i].q->posted;
		if (!rank_behind(&r, &w->best[0]))
			pk->c[n++] = pk->c[i];
	}
	pk->n = n;
}

/* Gathers candidates from the whole network: all of them, or the best. */
static int
policy_network(struct engine *e, const struct engine_offer *o,
    const int64_t *bars, size_t nbars, int all, struct pick *pk)
{
	struct walk w = {e, o, bars, nbars, pk, {{0, 0}}, 0};
	size_t i;
	int rc;

	if (!all && !e->full_search) {
		rc = walk_best(e, o, policy_walk_visit, &w);
		if (rc == -1)
			return -1;
		pk->partial = rc == 1;
		if (pk->partial)
			policy_walk_cut(&w);
		if (rc != -2)
			return 0;
	}
	for (i = 0; i < e->members.n; i++) {
		if (policy_consider(e, o, i, bars, nbars, pk) != 0)
			return -1;
	}
	return 0;
}

/*
 * Gathers the feasible members for o, each through its earliest feasible
 * request, with shares and ledger keys; the best come first. The donor's
 * hub has the offer alone for a while unless it is urgent or nobody
 * there can take it. Beyond the hub, only the best are gathered unless
 * all are asked for.
 */
static int
policy_candidates(struct engine *e, struct engine_offer *o, time_t now,
    int widen, int all, struct pick *pk)
{
	const struct hub_seat *seats;
	const int64_t *bars;
	uint64_t bit = UINT64_C(1) << o->category;
	size_t nbars, i, n;
	int urgent, hub;

	urgent = o->deadline - now < 2 * e->rules.hub_first;
	pk->hub_only =
	    !widen && !urgent && now < o->posted + e->rules.hub_first;
	pk->c = e->cands;
	pk->n = pk->sorted = 0;
	pk->partial = pk->need_all = 0;
	if (roster_fresh(e) != 0)
		return -1;
	/* Often an offer is too big for every request: no need to look. */
	if (!walk_may_take(e, o)) {
		pk->hub_only = 0;
		return 0;
	}
	bars = bars_of(e, o->id, &nbars);
	hub = pk->hub_only ? o->hubno : -1;
	seats = hub >= 0 ? e->hubs[hub].seats : NULL;
	n = hub >= 0 ? e->hubs[hub].n : 0;
	for (i = 0; i < n; i++) {
		if (i + HUB_AHEAD < n)
			policy_prefetch(e, seats[i + HUB_AHEAD].slot);
		if ((seats[i].cats & bit) != 0 &&
		    policy_consider(e, o, seats[i].slot, bars, nbars, pk) != 0)
			return -1;
	}
	if (pk->n == 0)
		pk->hub_only = 0;
	if (!pk->hub_only && policy_network(e, o, bars, nbars, all, pk) != 0)
		return -1;
	policy_order(pk, PICK_ORDERED);
	return 0;
}

/* Finds the candidate that should get the next slice of food. */
static struct cand *
policy_next_slice(struct pick *pk, const struct engine_offer *o, int64_t left)
{
	struct cand *c, *best = NULL;
	double p, bp = 0;
	int64_t room, need;
	size_t i;
	int fresh = 0;

	for (i = 0; i < pk->sorted; i++) {
		c = &pk->c[i];
		room = c->q->wanted - c->grams;
		/* No one's first slice is less than a whole portion. */
		need = c->grams > 0 ? 1 : o->min_portion;
		if (room < need || left < need)
			continue;
		p = c->share > 0 ? c->priority - (double)c->grams / c->share
		                 : -HUGE_VAL;
		if (best == NULL || p > bp) {
			best = c;
			bp = p;
		}
		/*
		 * The first untouched one that can take a slice comes after
		 * every touched one, and before untouched ones no better.
		 */
		if (c->grams == 0) {
			fresh = 1;
			break;
		}
	}
	/*
	 * Untouched candidates are taken in order, so the ordered ones
	 * decide while one of them is still untouched; past that, order
	 * them all, and if the walk left some, the split must start again
	 * with every candidate.
	 */
	if (!fresh && left >= o->min_portion && pk->sorted < pk->n) {
		policy_order(pk, pk->n);
		return policy_next_slice(pk, o, left);
	}
	if (!fresh && left >= o->min_portion && pk->partial)
		pk->need_all = 1;
	return best;
}

/*
 * Splits a divisible offer by water-filling: slice by slice, each slice
 * goes to the candidate furthest behind once the slices it already has
 * are debited; no one gets less than the minimum portion, and neither
 * the offer nor a request is left with less than one where it can be
 * helped.
 */
static void
policy_split(struct pick *pk, const struct engine_offer *o)
{
	struct cand *c;
	int64_t left = o->free, step, slice, room;
	size_t i;

	for (i = 0; i < pk->n; i++)
		pk->c[i].grams = 0;
	step = (o->free + SPLIT_STEPS - 1) / SPLIT_STEPS;
	if (step < o->min_portion)
		step = o->min_portion;
	while (left > 0 && (c = policy_next_slice(pk, o, left)) != NULL) {
		room = c->q->wanted - c->grams;
		slice = step < left ? step : left;
		if (slice > room)
			slice = room;
		if (left - slice > 0 && left - slice < o->min_portion &&
		    room >= left)
			slice = left;
		/* Nor leave the request wanting less than a portion. */
		else if (room - slice > 0 && room - slice < o->min_portion &&
		    left >= room)
			slice = room;
		c->grams += slice;
		left -= slice;
	}
}

/* Writes a share to four places, as a JSON number: 0.25, 1.0. */
static void
reason_share(struct jtext *t, double share)
{
	int64_t k = (int64_t)llround(share * 1e4);
	char frac[8];
	int i, n = 4;

	if (k < 0) {
		jtext_raw(t, "-");
		k = -k;
	}
	jtext_int(t, k / 10000);
	for (i = 3; i >= 0; i--, k /= 10)
		frac[1 + i] = (char)('0' + k % 10);
	while (n > 1 && frac[n] == '0')
		n--;
	frac[0] = '.';
	jtext_put(t, frac, (size_t)n + 1);
}

/*
 * Writes why the policy chose as it did: candidates, shares, balances.
 * Returns the record's text, or NULL when the engine keeps no reasons.
 * It is written as JSON text (jtext.h), not built as a jansson tree:
 * every proposal carries one, and a tree of some ninety allocated values,
 * then dumped, was two fifths of the engine's time. test_engine checks
 * that jansson reads each back as what it describes.
 */
static char *
policy_reason(struct engine *e, const struct engine_offer *o,
    const struct pick *pk, time_t now, const char *why)
{
	struct jtext t = JTEXT_INIT;
	const struct cand *c;
	char seed[17];
	uint64_t bits;
	size_t i, row, named = 0;

	if (!e->reasons)
		return NULL;
	jtext_raw(&t, "{\"policy\":");
	jtext_str(&t, e->policy->name);
	jtext_raw(&t, ",\"why\":");
	jtext_str(&t, why);
	jtext_raw(&t, ",\"seconds_to_deadline\":");
	jtext_int(&t, (int64_t)(o->deadline - now));
	if (pk->hub_only)
		jtext_raw(&t, ",\"hub_only\":true");
	else
		jtext_raw(&t, ",\"hub_only\":false");
	/* A walk that stopped early counts only the members it weighed. */
	if (pk->partial)
		jtext_raw(&t, ",\"candidates_weighed\":");
	else
		jtext_raw(&t, ",\"candidates_total\":");
	jtext_int(&t, (int64_t)pk->n);
	/* Every candidate given food is among those put in order. */
	jtext_raw(&t, ",\"candidates\":[");
	for (i = 0; i < pk->sorted && i < REASON_CANDIDATES; i++) {
		c = &pk->c[i];
		if (i > 0)
			jtext_raw(&t, ",");
		jtext_raw(&t, "{\"member\":");
		jtext_str(&t, c->m->handle);
		jtext_raw(&t, ",\"request\":");
		jtext_int(&t, c->q->id);
		jtext_raw(&t, ",\"share\":");
		reason_share(&t, c->share);
		jtext_raw(&t, ",\"balance\":");
		row = (size_t)(c->m - (struct engine_member *)e->members.rows);
		jtext_int(&t, ledger_balance(e, row));
		jtext_raw(&t, ",\"rank\":");
		jtext_int(&t, (int64_t)i + 1);
		jtext_raw(&t, "}");
	}
	jtext_raw(&t, "],\"split\":[");
	for (i = 0; i < pk->sorted; i++) {
		c = &pk->c[i];
		if (c->grams <= 0)
			continue;
		if (named++ > 0)
			jtext_raw(&t, ",");
		jtext_raw(&t, "{\"member\":");
		jtext_str(&t, c->m->handle);
		jtext_raw(&t, ",\"grams\":");
		jtext_int(&t, c->grams);
		jtext_raw(&t, "}");
	}
	bits = e->rules.seed;
	for (i = 16; i-- > 0; bits >>= 4)
		seed[i] = "0123456789abcdef"[bits & 0xf];
	seed[16] = '\0';
	jtext_raw(&t, "],\"seed\":");
	jtext_str(&t, seed);
	jtext_raw(&t, "}");
	return jtext_end(&t);
}

/* Writes the reason record of a claim: the policy and what it costs. */
char *
policy_claim_reason(const struct engine *e, int pct)
{
	struct jtext t = JTEXT_INIT;

	jtext_raw(&t, "{\"policy\":");
	jtext_str(&t, e->policy->name);
	jtext_raw(&t,
	    ",\"why\":\"first to claim an offer open to all\","
	    "\"charge_pct\":");
	jtext_int(&t, pct);
	jtext_raw(&t, "}");
	return jtext_end(&t);
}

/* Turns the candidates given food into proposals. */
static int
policy_propose(struct engine *e, struct engine_offer *o, struct pick *pk,
    time_t now, const char *why, struct engine_out *out)
{
	struct engine_proposal p;
	const char *reason;
	size_t i;
	int rc = 0;

	/* Made at the first proposal: most offers find nobody at once. */
	reason = NULL;
	for (i = 0; i < pk->n && rc == 0; i++) {
		if (pk->c[i].grams <= 0)
			continue;
		if (reason == NULL && e->reasons)
			reason = engine_out_reason(out,
			    policy_reason(e, o, pk, now, why));
		memset(&p, 0, sizeof p);
		p.offer = o->id;
		p.request = pk->c[i].q->id;
		p.member = pk->c[i].m->id;
		p.grams = pk->c[i].grams;
		p.charge = p.grams;
		p.respond_by = engine_respond_by(e, o, now);
		p.reason = reason;
		if (engine_hold(e, &p) != 0)
			rc = -1;
		else
			rc = engine_out_propose(out, &p);
	}
	return rc;
}

/*
 * Gathers the candidates, then splits or gives the offer among them. A
 * split that wants more candidates than the walk gathered starts again
 * with all of them.
 */
static int
fairshare_deal(struct engine *e, struct engine_offer *o, time_t now, int widen,
    struct pick *pk, struct engine_out *out)
{
	if (policy_candidates(e, o, now, widen, 0, pk) != 0)
		return -1;
	if (pk->n > 0 && o->divisible) {
		policy_split(pk, o);
		if (pk->need_all) {
			if (policy_candidates(e, o, now, widen, 1, pk) != 0)
				return -1;
			policy_split(pk, o);
		}
	} else if (pk->n > 0)
		pk->c[0].grams = o->free;
	return policy_propose(e, o, pk, now,
	    o->divisible ? "water-filled by "
	                   "how far each member is behind its share"
	                 : "furthest behind "
	                   "its share on the ledger",
	    out);
}

/* fairshare: offers food in turn by the ledger, splitting if it can. */
static int
fairshare_offer(struct engine *e, int64_t id, time_t now,
    struct engine_out *out)
{
	struct engine_offer *o = engine_offer_get(e, id);
	struct pick pk;
	int rc;

	if (o == NULL || o->flash || o->free <= 0)
		return 0;
	if (engine_should_flash(e, o, now))
		return policy_flash(o, out);
	if (o->idle != 0 && o->idle == e->changes)
		return 0; /* nobody could take it, and nothing has changed */
	rc = fairshare_deal(e, o, now, 0, &pk, out);
	o->idle = rc == 0 && pk.n == 0 ? e->changes : 0;
	/* What the donor's hub cannot use goes to the whole network now. */
	if (rc == 0 && pk.hub_only && o->free > 0)
		rc = fairshare_deal(e, o, now, 1, &pk, out);
	return rc;
}

static int
fairshare_response(struct engine *e, int64_t offer, int64_t member,
    enum engine_answer answer, time_t now, struct engine_out *out)
{
	(void)member;
	if (answer == ANSWER_ACCEPTED)
		return 0;
	return e->policy->on_offer(e, offer, now, out);
}

/* Revisits every offer with food left, earliest deadline first. */
static int
policy_revisit(struct engine *e, time_t now, struct engine_out *out)
{
	return engine_revisit(e, now, out);
}

/* fcfs: every offer is open to the first claim at once. */
static int
fcfs_offer(struct engine *e, int64_t id, time_t now, struct engine_out *out)
{
	struct engine_offer *o = engine_offer_get(e, id);

	(void)now;
	if (o == NULL || o->flash || o->free <= 0)
		return 0;
	return policy_flash(o, out);
}

static int
fcfs_response(struct engine *e, int64_t offer, int64_t member,
    enum engine_answer answer, time_t now, struct engine_out *out)
{
	(void)member;
	(void)answer;
	return fcfs_offer(e, offer, now, out);
}

/* lottery: a draw among the least-served quarter of the candidates. */
static int
lottery_offer(struct engine *e, int64_t id, time_t now, struct engine_out *out)
{
	struct engine_offer *o = engine_offer_get(e, id);
	struct pick pk;
	struct cand *c;
	size_t pool;
	int rc;

	if (o == NULL || o->flash || o->free <= 0)
		return 0;
	if (engine_should_flash(e, o, now))
		return policy_flash(o, out);
	if (o->idle != 0 && o->idle == e->changes)
		return 0; /* nobody could take it, and nothing has changed */
	if (policy_candidates(e, o, now, 0, 1, &pk) != 0)
		return -1;
	o->idle = pk.n == 0 ? e->changes : 0;
	if (pk.n > 0) {
		policy_order(&pk, pk.n);
		pool = (pk.n + 3) / 4;
		c = &pk.c[engine_mix(e->rules.seed, o->id, o->failures) % pool];
		c->grams = o->divisible && c->q->wanted < o->free ? c->q->wanted
		                                                  : o->free;
	}
	rc = policy_propose(e, o, &pk, now,
	    "drawn by lot among the "
	    "least-served members",
	    out);
	return rc;
}

static const struct engine_policy policies[] = {
    {"fairshare", NULL, fairshare_offer, fairshare_response, policy_revisit,
        NULL},
    {"fcfs", NULL, fcfs_offer, fcfs_response, policy_revisit, NULL},
    {"lottery", NULL, lottery_offer, fairshare_response, policy_revisit, NULL},
};

/* Finds a policy by name; NULL when there is none. */
const struct engine_policy *
engine_policy_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof policies / sizeof policies[0]; i++) {
		if (strcmp(policies[i].name, name) == 0)
			return &policies[i];
	}
	return NULL;
}
