/*
 * engine.c: the allocation engine's state (members, open offers, open
 * requests, proposals awaiting an answer), feasibility, and what members
 * answer and claim. The policies are in policy.c, the shares and the
 * credit ledger in ledger.c, the indexes a search uses in roster.c,
 * walk.c and bars.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

/* Grows an array of n items of size each to hold one more. */
void *
engine_grow(void *rows, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t want;

	if (n < *cap)
		return rows;
	want = *cap == 0 ? 16 : *cap * 2;
	if ((p = realloc(rows, want * size)) == NULL)
		return NULL;
	*cap = want;
	return p;
}

/* Finds a row by id in a table; NULL when absent. */
void *
table_get(const struct table *t, int64_t id)
{
	size_t slot;

	if (!idmap_get(&t->map, id, &slot))
		return NULL;
	return (char *)t->rows + slot * t->size;
}

/* Adds or replaces a row; every row type starts with its int64_t id. */
int
table_put(struct table *t, const void *row)
{
	int64_t id;
	void *at, *rows;

	memcpy(&id, row, sizeof id);
	if ((at = table_get(t, id)) != NULL) {
		memcpy(at, row, t->size);
		return 0;
	}
	rows = engine_grow(t->rows, &t->cap, t->n, t->size);
	if (rows == NULL)
		return -1;
	t->rows = rows;
	memcpy((char *)t->rows + t->n * t->size, row, t->size);
	if (idmap_put(&t->map, id, t->n) != 0)
		return -1;
	t->n++;
	return 0;
}

/* Removes a row, moving the last row into its slot. */
void
table_drop(struct table *t, int64_t id)
{
	size_t slot;
	int64_t moved;
	char *last;

	if (!idmap_get(&t->map, id, &slot))
		return;
	idmap_del(&t->map, id);
	t->n--;
	if (slot == t->n)
		return;
	last = (char *)t->rows + t->n * t->size;
	memcpy((char *)t->rows + slot * t->size, last, t->size);
	memcpy(&moved, last, sizeof moved);
	idmap_put(&t->map, moved, slot);
}

void
table_free(struct table *t)
{
	free(t->rows);
	idmap_free(&t->map);
}

/* The rules a network starts with, before any vote changes them. */
void
engine_rules_default(struct engine_rules *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->policy, sizeof r->policy, "fairshare");
	r->beta = 0.2;
	r->cap = 2.0;
	r->hub_first = 2 * 3600;
	r->respond_min = 30 * 60;
	r->respond_max = 4 * 3600;
	r->flash_after = 3;
	r->flash_window = 3 * 3600;
	r->flash_charge = 50;
	r->ledger_cap = 200000;
	r->ledger_decay = 50;
	r->margin = 2 * 3600;
	r->seed = 0x6c61726465720001ULL;
	r->quorum = 30;
	r->majority = 50;
	r->vote_period = 3 * 86400;
	r->sanction_window = 30;
	r->sanction_warning = 2;
	r->sanction_restricted = 3;
	r->sanction_suspended = 4;
	r->sanction_clean_days = 30;
	r->sanction_restrict_days = 14;
	r->dispute_days = 3;
}

/* Checks rules and takes them; the policy may change with them. */
int
engine_set_rules(struct engine *e, const struct engine_rules *r, char **cause)
{
	const struct engine_policy *p;

	if ((p = engine_policy_find(r->policy)) == NULL)
		return asprintf(cause, "no allocation policy \"%s\"",
		           r->policy),
		       -1;
	if (r->beta < 0 || r->beta > 1 || r->cap < 1 || r->hub_first < 0 ||
	    r->respond_min < 60 || r->respond_max < r->respond_min ||
	    r->flash_after < 1 || r->flash_window < 0 || r->flash_charge < 0 ||
	    r->flash_charge > 100 || r->ledger_cap < 1000 ||
	    r->ledger_decay < 0 || r->ledger_decay > 100 || r->margin < 0)
		return asprintf(cause, "allocation rules out of range"), -1;
	if (e->policy != NULL && e->policy != p && e->policy->fini != NULL)
		e->policy->fini(e);
	ledger_reshare(e);
	e->rules = *r;
	engine_touch(e);
	if (e->policy != p) {
		e->policy = p;
		if (p->init != NULL && p->init(e) != 0)
			return asprintf(cause, "policy %s failed to start",
			           p->name),
			       -1;
	}
	return 0;
}

/*
 * Whether proposals carry their reason record (on by default). A replay
 * that never shows them can do without.
 */
void
engine_set_reasons(struct engine *e, int on)
{
	e->reasons = on;
}

const struct engine_rules *
engine_rules(const struct engine *e)
{
	return &e->rules;
}

/* Makes an empty engine under the given rules. */
struct engine *
engine_new(const struct engine_rules *r, char **cause)
{
	struct engine *e;

	if ((e = calloc(1, sizeof *e)) == NULL)
		return asprintf(cause, "out of memory"), NULL;
	e->reasons = 1;
	e->heaps_stale = 1;
	e->members.size = sizeof(struct engine_member);
	e->offers.size = sizeof(struct engine_offer);
	e->requests.size = sizeof(struct engine_request);
	e->bars.size = sizeof(struct bar_list);
	if (engine_set_rules(e, r, cause) != 0) {
		engine_free(e);
		return NULL;
	}
	return e;
}

void
engine_free(struct engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	if (e->policy != NULL && e->policy->fini != NULL)
		e->policy->fini(e);
	table_free(&e->members);
	table_free(&e->offers);
	table_free(&e->requests);
	free(e->pending);
	bars_free(e);
	for (i = 0; i < ENGINE_MAX_CATEGORIES; i++)
		free(e->bycat[i].id);
	walk_free(e);
	roster_free(e);
	ledger_free(e);
	free(e->cands);
	free(e);
}

/*
 * Adds or changes a member. Its shares may change with it, so the ledger
 * settles first under the old ones.
 */
int
engine_member_put(struct engine *e, const struct engine_member *m)
{
	struct engine_member *old = table_get(&e->members, m->id);
	int64_t requests = old != NULL ? old->requests : 0;
	size_t slot;

	engine_touch(e);
	ledger_reshare(e);
	if (ledger_grow(e, e->members.n + 1) != 0)
		return -1;
	/* A new member may already have requests: count them when asked. */
	if (old == NULL && e->requests.n > 0)
		e->recount = 1;
	if (table_put(&e->members, m) != 0)
		return -1;
	((struct engine_member *)table_get(&e->members, m->id))->requests =
	    requests;
	if (e->recount) {
		e->roster_stale = 1; /* its requests join its list */
		return 0;
	}
	idmap_get(&e->members.map, m->id, &slot);
	return roster_member(e, slot);
}

/*
 * Adds n to the count of open requests of member id. A member with none
 * has no share: when that changes, so do everyone's shares, unless it
 * changes back before they are next used.
 */
static void
engine_count_request(struct engine *e, int64_t id, int64_t n)
{
	struct engine_member *m = table_get(&e->members, id);

	if (m == NULL) {
		ledger_reshare(e);
		e->recount = 1;
		return;
	}
	if ((m->requests > 0) != (m->requests + n > 0))
		ledger_flip(e, m->id, m->requests > 0);
	m->requests += n;
}

/*
 * A member, to read or change: the ledger settles first, so its balance
 * is whole, and the shares are computed again after, as the caller may
 * change what they depend on.
 */
struct engine_member *
engine_member_get(struct engine *e, int64_t id)
{
	ledger_reshare(e);
	e->roster_stale = 1;
	return table_get(&e->members, id);
}

/* A member, only to read: the ledger is left as it is. */
const struct engine_member *
engine_member_find(struct engine *e, int64_t id)
{
	return table_get(&e->members, id);
}

/* Whether an offer's category has a list of its own. */
static int
engine_listed(const struct engine_offer *o)
{
	return o->category >= 0 && o->category < ENGINE_MAX_CATEGORIES;
}

/* Lists an offer under its category. */
static int
engine_list_offer(struct engine *e, struct engine_offer *o)
{
	struct offer_list *l = &e->bycat[o->category];
	int64_t *rows;

	if ((rows = engine_grow(l->id, &l->cap, l->n, sizeof *rows)) == NULL)
		return -1;
	l->id = rows;
	o->catpos = l->n;
	l->id[l->n++] = o->id;
	return 0;
}

/*
 * Takes an offer off its category's list; should the offer have been
 * changed through its pointer, it is looked for in every list.
 */
static void
engine_unlist_offer(struct engine *e, const struct engine_offer *o)
{
	struct offer_list *l;
	struct engine_offer *moved;
	size_t pos = o->catpos;
	int c = o->category;

	if (!engine_listed(o) || pos >= e->bycat[c].n ||
	    e->bycat[c].id[pos] != o->id) {
		for (c = 0; c < ENGINE_MAX_CATEGORIES; c++) {
			for (pos = 0; pos < e->bycat[c].n; pos++)
				if (e->bycat[c].id[pos] == o->id)
					goto found;
		}
		return;
	}
found:
	l = &e->bycat[c];
	l->id[pos] = l->id[--l->n];
	if (pos < l->n && (moved = table_get(&e->offers, l->id[pos])) != NULL)
		moved->catpos = pos;
}

/*
 * The index of o's hub: as a rule its donor's, checked by one comparison
 * of names, else looked up by name among them all.
 */
static int
engine_offer_hub(struct engine *e, const struct engine_offer *o)
{
	size_t slot;
	int hub;

	if (idmap_get(&e->members.map, o->donor, &slot) &&
	    (hub = e->mstate[slot].hub) >= 0 && (size_t)hub < e->nhubs &&
	    strcmp(e->hubs[hub].name, o->hub) == 0)
		return hub;
	return roster_hub(e, o->hub);
}

/* Adds or replaces an open offer; what the engine keeps of it stays. */
int
engine_offer_put(struct engine *e, const struct engine_offer *o)
{
	struct engine_offer *stored = table_get(&e->offers, o->id);
	int pending = stored != NULL ? stored->pending : 0;

	if (stored != NULL)
		engine_unlist_offer(e, stored);
	if (table_put(&e->offers, o) != 0)
		return -1;
	stored = table_get(&e->offers, o->id);
	stored->idle = 0;
	stored->pending = pending;
	stored->hubno = engine_offer_hub(e, stored);
	return engine_listed(stored) ? engine_list_offer(e, stored) : 0;
}

struct engine_offer *
engine_offer_get(struct engine *e, int64_t id)
{
	return table_get(&e->offers, id);
}

/*
 * Notes a change that may give offers new candidates: a member, request
 * or rule changed, or food went back to a request. An offer nobody could
 * take is weighed again only after such a change (or at its flash time);
 * code that changes a request's wanted grams in place must call this.
 */
void
engine_touch(struct engine *e)
{
	e->changes++;
}

/* Forgets an offer, its proposals and who declined it. */
void
engine_offer_drop(struct engine *e, int64_t id)
{
	struct engine_offer *o;
	size_t i;

	for (i = 0; i < e->npending;) {
		if (e->pending[i].offer == id)
			e->pending[i] = e->pending[--e->npending];
		else
			i++;
	}
	bars_drop(e, id);
	if ((o = table_get(&e->offers, id)) != NULL)
		engine_unlist_offer(e, o);
	table_drop(&e->offers, id);
}

int
engine_request_put(struct engine *e, const struct engine_request *r)
{
	struct engine_request *old = table_get(&e->requests, r->id);

	/*
	 * A changed request may open offers nobody could take; a new one
	 * is shown the offers it suits by engine_request_posted.
	 */
	if (old != NULL) {
		engine_touch(e);
		engine_count_request(e, old->member, -1);
		roster_request_remove(e, old);
	}
	if (table_put(&e->requests, r) != 0) {
		e->recount = 1;
		e->roster_stale = 1;
		return -1;
	}
	engine_count_request(e, r->member, 1);
	if (roster_request_add(e, r) != 0)
		e->roster_stale = 1;
	return 0;
}

/*
 * A request, to read or change: what it asks for may change, so the
 * roster is rebuilt before the next search.
 */
struct engine_request *
engine_request_get(struct engine *e, int64_t id)
{
	e->roster_stale = 1;
	return table_get(&e->requests, id);
}

/*
 * Gives grams back to a request (a collection short of its match, or a
 * no-show): offers nobody could take may now go to it.
 */
void
engine_request_give_back(struct engine *e, int64_t id, int64_t grams)
{
	struct engine_request *r = table_get(&e->requests, id);

	if (r == NULL || grams == 0)
		return;
	r->wanted += grams;
	roster_sync(e, r);
	engine_touch(e);
}

/* A request, only to read. */
const struct engine_request *
engine_request_find(struct engine *e, int64_t id)
{
	return table_get(&e->requests, id);
}

void
engine_request_drop(struct engine *e, int64_t id)
{
	struct engine_request *r = table_get(&e->requests, id);

	if (r == NULL)
		return;
	engine_count_request(e, r->member, -1);
	roster_request_remove(e, r);
	table_drop(&e->requests, id);
}

void
engine_out_init(struct engine_out *out)
{
	memset(out, 0, sizeof *out);
}

void
engine_out_clear(struct engine_out *out)
{
	size_t i;

	for (i = 0; i < out->nreasons; i++)
		free(out->reasons[i]);
	free(out->reasons);
	free(out->proposals);
	free(out->flashed);
	free(out->lapsed);
	engine_out_init(out);
}

/*
 * Keeps a reason record (stolen) for out's proposals to point at; NULL
 * when text is NULL or out of memory.
 */
const char *
engine_out_reason(struct engine_out *out, char *text)
{
	char **rows;

	if (text == NULL)
		return NULL;
	rows = engine_grow(out->reasons, &out->reasoncap, out->nreasons,
	    sizeof *rows);
	if (rows == NULL) {
		free(text);
		return NULL;
	}
	out->reasons = rows;
	return out->reasons[out->nreasons++] = text;
}

/* Records a proposal in out. */
int
engine_out_propose(struct engine_out *out, const struct engine_proposal *p)
{
	struct engine_proposal *rows;

	rows = engine_grow(out->proposals, &out->cap, out->nproposals,
	    sizeof *rows);
	if (rows == NULL)
		return -1;
	out->proposals = rows;
	out->proposals[out->nproposals++] = *p;
	return 0;
}

int
engine_out_flash(struct engine_out *out, int64_t offer)
{
	int64_t *rows;

	rows = engine_grow(out->flashed, &out->flashcap, out->nflashed,
	    sizeof *rows);
	if (rows == NULL)
		return -1;
	out->flashed = rows;
	out->flashed[out->nflashed++] = offer;
	return 0;
}

static int
engine_out_lapse(struct engine_out *out, const struct engine_lapse *l)
{
	struct engine_lapse *rows;

	rows = engine_grow(out->lapsed, &out->lapsecap, out->nlapsed,
	    sizeof *rows);
	if (rows == NULL)
		return -1;
	out->lapsed = rows;
	out->lapsed[out->nlapsed++] = *l;
	return 0;
}

/*
 * Whether request r of member m may receive food from offer o: the right
 * category and storage, windows that overlap, enough still wanted, good
 * enough standing, and not the donor.
 */
int
engine_feasible(const struct engine *e, const struct engine_offer *o,
    const struct engine_request *r, const struct engine_member *m)
{
	/* Only an offer refused or awaiting answers has bars at all. */
	return engine_suits(o, r, m) &&
	    ((o->pending == 0 && o->failures == 0) ||
	        !bars_has(e, o->id, m->id));
}

/* Whether an offer should go out to claims rather than in turn. */
int
engine_should_flash(const struct engine *e, const struct engine_offer *o,
    time_t now)
{
	return o->failures >= e->rules.flash_after ||
	    o->deadline - now <= e->rules.flash_window;
}

/* The member's part of engine_suits: donor, standing and storage. */
int
engine_member_suits(const struct engine_offer *o, const struct engine_member *m)
{
	if (m->id == o->donor || m->standing == STANDING_SUSPENDED)
		return 0;
	if (m->standing == STANDING_RESTRICTED && o->storage != STORAGE_AMBIENT)
		return 0;
	return (m->storage & o->storage) != 0;
}

/* engine_feasible less the tried and pending checks. */
int
engine_suits(const struct engine_offer *o, const struct engine_request *r,
    const struct engine_member *m)
{
	if (!engine_member_suits(o, m))
		return 0;
	if ((r->categories & (UINT64_C(1) << o->category)) == 0)
		return 0;
	if ((r->storage & o->storage) == 0)
		return 0;
	if (r->window_end <= o->window_start ||
	    o->window_end <= r->window_start)
		return 0;
	if (r->wanted < o->min_portion && r->wanted < o->free)
		return 0;
	return 1;
}

/* A reproducible pseudo-random number from the seed and two ids. */
uint64_t
engine_mix(uint64_t seed, int64_t a, int64_t b)
{
	uint64_t x = seed ^ ((uint64_t)a * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)b << 32 | (uint64_t)b >> 32);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* How long a member has to answer a proposal of o, made now. */
time_t
engine_respond_by(const struct engine *e, const struct engine_offer *o,
    time_t now)
{
	int64_t t = (o->deadline - now) / 4;

	if (t < e->rules.respond_min)
		t = e->rules.respond_min;
	if (t > e->rules.respond_max)
		t = e->rules.respond_max;
	return now + t < o->deadline ? now + t : o->deadline;
}

/* Puts back a proposal read from the store: its grams are already held. */
int
engine_restore_pending(struct engine *e, const struct engine_proposal *p)
{
	struct pending *rows;
	struct engine_offer *o;

	rows = engine_grow(e->pending, &e->pendcap, e->npending, sizeof *rows);
	if (rows == NULL)
		return -1;
	e->pending = rows;
	e->pending[e->npending].offer = p->offer;
	e->pending[e->npending].request = p->request;
	e->pending[e->npending].member = p->member;
	e->pending[e->npending].grams = p->grams;
	e->pending[e->npending].charge = p->charge;
	e->pending[e->npending].respond_by = p->respond_by;
	e->npending++;
	if ((o = table_get(&e->offers, p->offer)) != NULL)
		o->pending++;
	return bars_add(e, p->offer, p->member);
}

/* Puts back a refusal read from the store, counting it as a failure. */
int
engine_restore_tried(struct engine *e, int64_t offer, int64_t member)
{
	struct engine_offer *o = engine_offer_get(e, offer);

	if (o != NULL)
		o->failures++;
	return bars_add(e, offer, member);
}

time_t
engine_last_decay(const struct engine *e)
{
	return e->last_decay;
}

void
engine_set_last_decay(struct engine *e, time_t t)
{
	e->last_decay = t;
}

/*
 * Gives the members' array, settled, to read their balances; returns its
 * length.
 */
size_t
engine_members(struct engine *e, struct engine_member **rows)
{
	ledger_settle(e);
	*rows = e->members.rows;
	return e->members.n;
}

/* Whether any proposal of an offer awaits an answer. */
int
engine_has_pending(const struct engine *e, int64_t offer)
{
	size_t i, slot;

	if (idmap_get(&e->offers.map, offer, &slot))
		return ((const struct engine_offer *)e->offers.rows)[slot]
		           .pending > 0;
	for (i = 0; i < e->npending; i++) {
		if (e->pending[i].offer == offer)
			return 1;
	}
	return 0;
}

/* Records a proposal as awaiting an answer and takes its grams. */
int
engine_hold(struct engine *e, const struct engine_proposal *p)
{
	struct pending *rows;
	struct engine_offer *o = engine_offer_get(e, p->offer);
	struct engine_request *r = table_get(&e->requests, p->request);

	rows = engine_grow(e->pending, &e->pendcap, e->npending, sizeof *rows);
	if (rows == NULL || o == NULL || r == NULL ||
	    bars_add(e, p->offer, p->member) != 0)
		return -1;
	e->pending = rows;
	e->pending[e->npending].offer = p->offer;
	e->pending[e->npending].request = p->request;
	e->pending[e->npending].member = p->member;
	e->pending[e->npending].grams = p->grams;
	e->pending[e->npending].charge = p->charge;
	e->pending[e->npending].respond_by = p->respond_by;
	e->npending++;
	o->pending++;
	o->free -= p->grams;
	r->wanted -= p->grams;
	roster_sync(e, r);
	return 0;
}

/*
 * Ends a pending proposal. Accepted, its charge goes on the ledger and
 * the member may be offered more of it; not, its grams return to the
 * offer and the request, the offer counts a failure, and the member is
 * not asked again.
 */
static int
engine_release(struct engine *e, size_t i, enum engine_answer answer)
{
	struct pending p = e->pending[i];
	struct engine_offer *o = engine_offer_get(e, p.offer);
	struct engine_request *r = table_get(&e->requests, p.request);

	e->pending[i] = e->pending[--e->npending];
	if (o != NULL)
		o->pending--;
	if (answer == ANSWER_ACCEPTED) {
		bars_remove(e, p.offer, p.member);
		return engine_charge(e, p.member, p.charge);
	}
	engine_touch(e);
	if (o != NULL) {
		o->free += p.grams;
		o->failures++;
	}
	if (r != NULL) {
		r->wanted += p.grams;
		roster_sync(e, r);
	}
	return 0; /* its bar stays: it is not asked again */
}

/* Finds the pending proposal of offer to member. */
static int
engine_pending_find(const struct engine *e, int64_t offer, int64_t member,
    size_t *at)
{
	size_t i;

	for (i = 0; i < e->npending; i++) {
		if (e->pending[i].offer == offer &&
		    e->pending[i].member == member) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

/* Runs the policy on a newly posted offer. */
int
engine_offer_posted(struct engine *e, int64_t offer, time_t now,
    struct engine_out *out)
{
	return e->policy->on_offer(e, offer, now, out);
}

/*
 * Takes a member's answer to a proposal, then lets the policy act on it
 * (a declined offer goes to the next member).
 */
int
engine_answer(struct engine *e, int64_t offer, int64_t member,
    enum engine_answer answer, time_t now, struct engine_out *out)
{
	size_t at;

	if (!engine_pending_find(e, offer, member, &at))
		return -1;
	if (engine_release(e, at, answer) != 0)
		return -1;
	return e->policy->on_response(e, offer, member, answer, now, out);
}

/* An offer's place in the earliest-deadline-first order. */
struct engine_due {
	time_t deadline;
	int64_t id;
};

static int
engine_due_order(const void *a, const void *b)
{
	const struct engine_due *x = a, *y = b;

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

/*
 * Hands the policy every offer with food left that may have somewhere to
 * go, or must go out to claims, earliest deadline first.
 */
int
engine_revisit(struct engine *e, time_t now, struct engine_out *out)
{
	struct engine_offer *os = e->offers.rows;
	struct engine_due *order;
	size_t i, n = 0;
	int rc = 0;

	if ((order = malloc((e->offers.n + 1) * sizeof *order)) == NULL)
		return -1;
	for (i = 0; i < e->offers.n; i++) {
		if (os[i].free <= 0 || os[i].flash)
			continue;
		/* Nobody could take it and nothing has changed since. */
		if (os[i].idle != 0 && os[i].idle == e->changes &&
		    !engine_should_flash(e, &os[i], now))
			continue;
		order[n].deadline = os[i].deadline;
		order[n++].id = os[i].id;
	}
	qsort(order, n, sizeof *order, engine_due_order);
	for (i = 0; i < n && rc == 0; i++)
		rc = e->policy->on_offer(e, order[i].id, now, out);
	free(order);
	return rc;
}

/* Lapses every proposal whose answer is overdue. */
static int
engine_lapse_due(struct engine *e, time_t now, struct engine_out *out)
{
	struct engine_lapse l;
	size_t i = 0;

	while (i < e->npending) {
		if (e->pending[i].respond_by > now) {
			i++;
			continue;
		}
		l.offer = e->pending[i].offer;
		l.request = e->pending[i].request;
		l.member = e->pending[i].member;
		l.grams = e->pending[i].grams;
		if (engine_out_lapse(out, &l) != 0 ||
		    engine_release(e, i, ANSWER_LAPSED) != 0)
			return -1;
	}
	return 0;
}

/*
 * Does what time demands: lapses overdue proposals, decays the ledger
 * weekly, then lets the policy revisit every offer with food left.
 */
int
engine_tick(struct engine *e, time_t now, struct engine_out *out)
{
	if (engine_lapse_due(e, now, out) != 0)
		return -1;
	if (e->contrib_stale) {
		ledger_reshare(e);
		e->contrib_stale = 0;
	}
	engine_decay(e, now);
	return e->policy->on_tick(e, now, out);
}

/*
 * A new request can only take offers it suits: lapses what is overdue,
 * then revisits those offers, earliest deadline first, while it still
 * wants food. The weekly decay and the other offers wait for the next
 * tick, as nothing about them changed.
 */
int
engine_request_posted(struct engine *e, int64_t request, time_t now,
    struct engine_out *out)
{
	const struct engine_request *r;
	const struct engine_member *m;
	const struct offer_list *l;
	struct engine_offer *o;
	struct engine_due *order;
	uint64_t bits;
	size_t i, n = 0;
	int rc = 0;

	if (engine_lapse_due(e, now, out) != 0)
		return -1;
	if ((r = engine_request_find(e, request)) == NULL ||
	    (m = engine_member_find(e, r->member)) == NULL)
		return 0;
	/*
	 * Room for the offers of its categories only: room for every offer,
	 * zeroed, was 2 MB cleared for each request of a network with
	 * 125,000 open offers, and a third of request.post's time.
	 */
	for (bits = r->categories; bits != 0; bits &= bits - 1)
		n += e->bycat[__builtin_ctzll(bits)].n;
	if ((order = malloc((n + 1) * sizeof *order)) == NULL)
		return -1;
	n = 0;
	for (bits = r->categories; bits != 0; bits &= bits - 1) {
		l = &e->bycat[__builtin_ctzll(bits)];
		for (i = 0; i < l->n; i++) {
			o = table_get(&e->offers, l->id[i]);
			if (o == NULL || o->free <= 0 || o->flash ||
			    !engine_feasible(e, o, r, m))
				continue;
			order[n].deadline = o->deadline;
			order[n++].id = o->id;
		}
	}
	qsort(order, n, sizeof *order, engine_due_order);
	for (i = 0; i < n && rc == 0; i++) {
		if ((r = engine_request_find(e, request)) == NULL ||
		    r->wanted <= 0)
			break;
		rc = e->policy->on_offer(e, order[i].id, now, out);
	}
	free(order);
	return rc;
}

/* Finds member's earliest feasible request for offer o. */
struct engine_request *
engine_vehicle(struct engine *e, const struct engine_offer *o,
    const struct engine_member *m)
{
	struct engine_request *r, *best = NULL;
	const struct member_state *st;
	size_t i, slot;

	if (roster_fresh(e) != 0 || !idmap_get(&e->members.map, m->id, &slot))
		return NULL;
	st = &e->mstate[slot];
	for (i = 0; i < st->nreqs; i++) {
		r = table_get(&e->requests, st->reqs[i].id);
		if (r == NULL || !engine_feasible(e, o, r, m))
			continue;
		if (best == NULL || r->posted < best->posted ||
		    (r->posted == best->posted && r->id < best->id))
			best = r;
	}
	return best;
}

/* Checks how much a claim takes; 0 with *grams set, or -1 and *cause. */
static int
engine_claim_grams(const struct engine_offer *o, const struct engine_request *r,
    int64_t *grams, char **cause)
{
	int64_t want =
	    *grams > 0 ? *grams : (r->wanted < o->free ? r->wanted : o->free);

	if (!o->divisible)
		want = o->free;
	if (want > o->free)
		return asprintf(cause, "offer %lld has only %lld g left",
		           (long long)o->id, (long long)o->free),
		       -1;
	if (want < o->min_portion && want != o->free)
		return asprintf(cause,
		           "the smallest portion of offer %lld is "
		           "%lld g",
		           (long long)o->id, (long long)o->min_portion),
		       -1;
	if (want > r->wanted && o->divisible)
		return asprintf(cause, "your request %lld wants only %lld g",
		           (long long)r->id, (long long)r->wanted),
		       -1;
	*grams = want;
	return 0;
}

/*
 * Grants a claim on an offer open to claims: the first member to claim
 * gets the food at once, charged at the flash rate (full under fcfs).
 */
int
engine_claim(struct engine *e, int64_t offer, int64_t member, int64_t grams,
    time_t now, struct engine_out *out, char **cause)
{
	struct engine_offer *o = engine_offer_get(e, offer);
	struct engine_member *m = table_get(&e->members, member);
	struct engine_request *r;
	struct engine_proposal p;
	int pct;

	if (o == NULL || m == NULL)
		return asprintf(cause, "offer %lld is not open",
		           (long long)offer),
		       -1;
	if (!o->flash)
		return asprintf(cause,
		           "offer %lld is not open to claims; it "
		           "is being offered in turn",
		           (long long)offer),
		       -1;
	if ((r = engine_vehicle(e, o, m)) == NULL)
		return asprintf(cause,
		           "none of your open requests fits offer "
		           "%lld (category, storage, window or quantity)",
		           (long long)offer),
		       -1;
	if (engine_claim_grams(o, r, &grams, cause) != 0)
		return -1;
	pct =
	    strcmp(e->policy->name, "fcfs") == 0 ? 100 : e->rules.flash_charge;
	memset(&p, 0, sizeof p);
	p.offer = offer;
	p.request = r->id;
	p.member = member;
	p.grams = grams;
	p.charge = grams * pct / 100;
	p.respond_by = now;
	p.reason = e->reasons
	    ? engine_out_reason(out, policy_claim_reason(e, pct))
	    : NULL;
	o->free -= grams;
	r->wanted -= grams;
	roster_sync(e, r);
	if (engine_charge(e, member, p.charge) != 0)
		return asprintf(cause, "ledger failure"), -1;
	return engine_out_propose(out, &p);
}

/*
 * Credits a donor with food a member collected from it. The shares take
 * it in at the next tick, so a busy day of collections settles the
 * ledger once, not at every one.
 */
int
engine_settle(struct engine *e, int64_t donor, int64_t member, int64_t grams)
{
	struct engine_member *d = table_get(&e->members, donor);

	(void)member;
	if (d == NULL || grams < 0)
		return -1;
	d->contributed += grams;
	e->contrib_stale = 1;
	return 0;
}

/*
 * Sets what a member gave that others collected over the trailing
 * window, as the store counts it; the shares take it in at the next
 * tick. With member 0, forgets every member's, before a recount.
 */
void
engine_set_contributed(struct engine *e, int64_t member, int64_t grams)
{
	struct engine_member *ms = e->members.rows, *m;
	size_t i;

	if (member == 0) {
		for (i = 0; i < e->members.n; i++)
			ms[i].contributed = 0;
	} else if ((m = table_get(&e->members, member)) != NULL)
		m->contributed = grams;
	e->contrib_stale = 1;
}
