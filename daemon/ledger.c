/*
 * ledger.c: the members' entitlement shares and the credit ledger. Every
 * gram charged to a member credits every member with an open request by
 * its share; rather than touch every member at each charge, the ledger
 * keeps the grams charged since it last settled and each member's own
 * debits, and settles (credits everyone, in whole grams) only when the
 * shares are about to change or the balances are read.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

#define WEEK (7 * 24 * 3600)

/* A member's slot and the part of a gram its floored credit lost. */
struct remainder {
	double left;
	int64_t credit;
	size_t slot;
};

/*
 * Makes room in the per-member arrays for the members table's capacity,
 * so that settling, which must not fail, never allocates.
 */
int
ledger_grow(struct engine *e, size_t want)
{
	struct member_state *ms;
	struct remainder *r;
	double *share;
	size_t i;

	if (want <= e->ledgercap)
		return 0;
	want = want < 2 * e->ledgercap ? 2 * e->ledgercap : want;
	ms = realloc(e->mstate, want * sizeof *ms);
	if (ms == NULL)
		return -1;
	memset(ms + e->ledgercap, 0, (want - e->ledgercap) * sizeof *ms);
	for (i = e->ledgercap; i < want; i++)
		ms[i].hub = -1;
	e->mstate = ms;
	if ((share = realloc(e->share, want * sizeof *share)) == NULL)
		return -1;
	e->share = share;
	if ((r = realloc(e->scratch, want * sizeof *r)) == NULL)
		return -1;
	e->scratch = r;
	e->ledgercap = want;
	return 0;
}

void
ledger_free(struct engine *e)
{
	free(e->mstate);
	free(e->share);
	free(e->scratch);
	free(e->dirty);
	free(e->flips);
}

/*
 * Computes every member's entitlement share into share[] (indexed by
 * member slot): need blended with contribution, capped at cap times the
 * need share, halved for restricted members, renormalised to sum to 1
 * over the members with an open request. Others get 0.
 */
void
engine_shares(struct engine *e, double *share)
{
	struct engine_member *ms = e->members.rows;
	struct engine_request *rs = e->requests.rows;
	double people = 0, given = 0, sum = 0, need, gave;
	size_t i, slot;

	if (e->recount) {
		for (i = 0; i < e->members.n; i++)
			ms[i].requests = 0;
		for (i = 0; i < e->requests.n; i++) {
			if (idmap_get(&e->members.map, rs[i].member, &slot))
				ms[slot].requests++;
		}
		e->recount = 0;
	}
	for (i = 0; i < e->members.n; i++) {
		share[i] = 0;
		if (ms[i].requests <= 0)
			continue;
		people += (double)ms[i].people;
		given += (double)ms[i].contributed;
	}
	for (i = 0; i < e->members.n && people > 0; i++) {
		if (ms[i].requests <= 0)
			continue;
		need = (double)ms[i].people / people;
		gave = given > 0 ? (double)ms[i].contributed / given : 0;
		share[i] =
		    fmin((1 - e->rules.beta) * need + e->rules.beta * gave,
		        e->rules.cap * need);
		if (ms[i].standing == STANDING_RESTRICTED)
			share[i] /= 2;
		sum += share[i];
	}
	for (i = 0; i < e->members.n && sum > 0; i++)
		share[i] /= sum;
}

/*
 * Notes that a member gained its first open request or lost its last,
 * which changes every share. Requests often come and go in pairs (one
 * fulfilled, the next posted), so the shares are made again only if,
 * when next used, some member's state really differs.
 */
void
ledger_flip(struct engine *e, int64_t member, int was_active)
{
	struct flip *f;
	size_t slot;

	if (!e->shares_ok || !idmap_get(&e->members.map, member, &slot))
		return;
	if (e->mstate[slot].flipped)
		return; /* its state when the shares were made is noted */
	if ((f = engine_grow(e->flips, &e->flipcap, e->nflips, sizeof *f)) ==
	    NULL) {
		ledger_reshare(e);
		return;
	}
	e->flips = f;
	e->mstate[slot].flipped = 1;
	e->flips[e->nflips].member = member;
	e->flips[e->nflips++].was_active = was_active;
}

/* Whether any member noted by ledger_flip now differs from its share. */
static int
ledger_flipped(struct engine *e)
{
	const struct engine_member *m;
	size_t i, slot;
	int changed = 0;

	for (i = 0; i < e->nflips; i++) {
		if (!idmap_get(&e->members.map, e->flips[i].member, &slot))
			continue;
		e->mstate[slot].flipped = 0;
		m = (const struct engine_member *)e->members.rows + slot;
		changed |= (m->requests > 0) != e->flips[i].was_active;
	}
	e->nflips = 0;
	return changed;
}

/*
 * The shares as they stand, computed again only after a change (the
 * inline ledger_shares comes here only when they may have changed).
 */
const double *
ledger_shares_slow(struct engine *e)
{
	size_t i;

	if (e->shares_ok && e->nflips > 0 && ledger_flipped(e))
		ledger_reshare(e);
	if (e->shares_ok)
		return e->share;
	engine_shares(e, e->share);
	e->share_sum = 0;
	for (i = 0; i < e->members.n; i++)
		e->share_sum += e->share[i];
	e->shares_ok = 1;
	return e->share;
}

/* Notes that a member's saved balance is out of date. */
static void
ledger_dirty(struct engine *e, size_t slot)
{
	size_t *rows;

	if (e->mstate[slot].dirty)
		return;
	rows = engine_grow(e->dirty, &e->dirtycap, e->ndirty, sizeof *rows);
	if (rows == NULL) {
		e->dirty_all = 1; /* save everyone next time */
		return;
	}
	e->dirty = rows;
	e->mstate[slot].dirty = 1;
	e->dirty[e->ndirty++] = slot;
}

/* Keeps a balance within the ledger's cap. */
static int64_t
ledger_capped(const struct engine *e, int64_t balance)
{
	if (balance > e->rules.ledger_cap)
		return e->rules.ledger_cap;
	if (balance < -e->rules.ledger_cap)
		return -e->rules.ledger_cap;
	return balance;
}

/* Orders remainders largest first, then by slot. */
static int
ledger_remainder_order(const void *a, const void *b)
{
	const struct remainder *x = a, *y = b;

	if (x->left != y->left)
		return x->left > y->left ? -1 : 1;
	return x->slot < y->slot ? -1 : (x->slot > y->slot);
}

/*
 * Credits the grams charged since the last settlement to every member by
 * its share, in whole grams: each gets the floor of its part, and the
 * grams that flooring lost go one each to the largest remainders (ties
 * to the lowest slot), so the credits sum exactly to the charges. Then
 * each member's debits come off and every balance is capped.
 */
void
ledger_settle(struct engine *e)
{
	struct remainder *r = e->scratch;
	struct member_state *st = e->mstate;
	struct engine_member *ms = e->members.rows;
	const double *share;
	int64_t total, given = 0, nb;
	size_t i, n = e->members.n, missing;

	if (e->unsettled == 0)
		return;
	/* Which may itself settle, if a member's flip turned out real. */
	share = ledger_shares(e);
	if ((total = e->unsettled) == 0)
		return;
	/* Charges restored after a restart, with nobody left to credit. */
	if (e->share_sum <= 0) {
		e->unsettled = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		r[i].credit = (int64_t)floor(share[i] * (double)total);
		r[i].left = share[i] * (double)total - (double)r[i].credit;
		r[i].slot = i;
		given += r[i].credit;
	}
	missing = given < total ? (size_t)(total - given) : 0;
	/* Usually fewer grams are missing than there are members. */
	if (missing > 0 && missing < n)
		engine_select(r, n, sizeof *r, missing, ledger_remainder_order);
	else if (missing > 0)
		qsort(r, n, sizeof *r, ledger_remainder_order);
	for (i = 0; i < missing; i++)
		r[i % n].credit++;
	for (i = 0; i < n; i++) {
		nb = ledger_capped(e,
		    ms[r[i].slot].balance + r[i].credit - st[r[i].slot].debit);
		if (nb != ms[r[i].slot].balance || st[r[i].slot].debit != 0)
			ledger_dirty(e, r[i].slot);
		ms[r[i].slot].balance = nb;
		st[r[i].slot].debit = 0;
	}
	e->unsettled = 0;
	e->heaps_stale = 1;
}

/*
 * Something the shares depend on is about to change: settles what was
 * charged under the old shares, then lets them be computed again.
 */
void
ledger_reshare(struct engine *e)
{
	ledger_flipped(e); /* moot: the shares are made again anyway */
	ledger_settle(e);
	e->shares_ok = 0;
	e->heaps_stale = 1;
}

/*
 * Charges grams to a member: it is debited at once, and every member
 * with an open request is credited by share when the ledger settles.
 * With no shares at all (no need declared), nothing is booked.
 */
int
engine_charge(struct engine *e, int64_t member, int64_t charge)
{
	size_t slot;

	if (!idmap_get(&e->members.map, member, &slot) || charge < 0)
		return -1;
	if (charge == 0)
		return 0;
	ledger_shares(e);
	if (e->share_sum <= 0)
		return 0;
	e->mstate[slot].debit += charge;
	e->unsettled += charge;
	ledger_dirty(e, slot);
	walk_charged(e, slot);
	return 0;
}

/*
 * A member's place on the ledger: what it is owed, over its share, so
 * that the member furthest behind its share has the highest key. The
 * grams charged since the last settlement would credit every member by
 * share, which adds the same to every key: they are left out, and keys
 * change only when a member is charged or the ledger settles.
 */
double
ledger_key(struct engine *e, size_t slot)
{
	const struct engine_member *m =
	    (const struct engine_member *)e->members.rows + slot;
	double share = ledger_shares(e)[slot];

	if (share <= 0)
		return -HUGE_VAL;
	return (double)(m->balance - e->mstate[slot].debit) / share;
}

/* A member's balance as it would settle now, capped, in grams. */
int64_t
ledger_balance(struct engine *e, size_t slot)
{
	const struct engine_member *m =
	    (const struct engine_member *)e->members.rows + slot;
	double owed = (double)(m->balance - e->mstate[slot].debit) +
	    ledger_shares(e)[slot] * (double)e->unsettled;

	if (owed > (double)e->rules.ledger_cap)
		owed = (double)e->rules.ledger_cap;
	else if (owed < (double)-e->rules.ledger_cap)
		owed = (double)-e->rules.ledger_cap;
	return (int64_t)llround(owed);
}

/* Shrinks every balance by the weekly decay, once per week passed. */
void
engine_decay(struct engine *e, time_t now)
{
	struct engine_member *ms = e->members.rows;
	size_t i;
	int64_t nb;
	int weeks = 0;

	if (e->last_decay == 0) {
		e->last_decay = now;
		return;
	}
	if (now - e->last_decay >= WEEK)
		ledger_settle(e);
	while (now - e->last_decay >= WEEK && weeks < 52) {
		e->last_decay += WEEK;
		weeks++;
		e->heaps_stale = 1;
		for (i = 0; i < e->members.n; i++) {
			nb = ms[i].balance * e->rules.ledger_decay / 100;
			if (nb != ms[i].balance)
				ledger_dirty(e, i);
			ms[i].balance = nb;
		}
	}
}

/* Whether the ledger changed since engine_ledger_changed last ran. */
int
engine_ledger_unsaved(const struct engine *e)
{
	return e->ndirty > 0 || e->dirty_all ||
	    e->unsettled != e->saved_unsettled ||
	    e->last_decay != e->saved_decay;
}

/*
 * Hands save() each member whose saved balance is out of date, with the
 * balance to keep: its settled balance less its debits since. With the
 * grams charged since the last settlement (engine_ledger_unsettled),
 * that is all a restart needs to carry on exactly.
 */
int
engine_ledger_changed(struct engine *e, int (*save)(void *, int64_t, int64_t),
    void *arg)
{
	struct engine_member *ms = e->members.rows;
	size_t i, slot;

	if (e->dirty_all) {
		for (i = 0; i < e->members.n; i++)
			if (save(arg, ms[i].id,
			        ms[i].balance - e->mstate[i].debit) != 0)
				return -1;
		e->dirty_all = 0;
	}
	for (i = 0; i < e->ndirty; i++) {
		slot = e->dirty[i];
		if (save(arg, ms[slot].id,
		        ms[slot].balance - e->mstate[slot].debit) != 0)
			return -1;
	}
	for (i = 0; i < e->ndirty; i++)
		e->mstate[e->dirty[i]].dirty = 0;
	e->ndirty = 0;
	e->saved_unsettled = e->unsettled;
	e->saved_decay = e->last_decay;
	return 0;
}

int64_t
engine_ledger_unsettled(const struct engine *e)
{
	return e->unsettled;
}

/*
 * Restores, after the members were loaded with their saved balances,
 * the grams charged since the ledger last settled.
 */
void
engine_ledger_restore(struct engine *e, int64_t unsettled)
{
	e->unsettled = unsettled > 0 ? unsettled : 0;
	e->saved_unsettled = e->unsettled;
	e->saved_decay = e->last_decay;
}
