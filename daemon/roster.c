/*
 * roster.c: the engine's indexes for finding who could take an offer
 * without looking at every request: the members of each hub, and each
 * member's open requests with the categories they ask for. Puts and
 * drops keep them up to date; after a caller changed a member or a
 * request through a pointer, they are rebuilt before the next search.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

/* Appends v to a growing array of size_t. */
static int
roster_push(size_t **rows, size_t *n, size_t *cap, size_t v)
{
	size_t *p, want;

	if (*n == *cap) {
		want = *cap == 0 ? 8 : *cap * 2;
		if ((p = realloc(*rows, want * sizeof *p)) == NULL)
			return -1;
		*rows = p;
		*cap = want;
	}
	(*rows)[(*n)++] = v;
	return 0;
}

/* The index of a hub by name, added when new; -1 if out of memory. */
int
roster_hub(struct engine *e, const char *name, int add)
{
	struct hub *h;
	size_t i, want;

	for (i = 0; i < e->nhubs; i++) {
		if (strcmp(e->hubs[i].name, name) == 0)
			return (int)i;
	}
	if (!add)
		return -1;
	if (e->nhubs == e->hubcap) {
		want = e->hubcap == 0 ? 8 : e->hubcap * 2;
		if ((h = realloc(e->hubs, want * sizeof *h)) == NULL)
			return -1;
		e->hubs = h;
		e->hubcap = want;
	}
	h = &e->hubs[e->nhubs];
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "%s", name);
	return (int)e->nhubs++;
}

/* Takes a member slot out of its hub's list. */
static void
roster_leave_hub(struct engine *e, size_t slot)
{
	struct hub *h;
	size_t i;

	if (e->mstate[slot].hub < 0)
		return;
	h = &e->hubs[e->mstate[slot].hub];
	for (i = 0; i < h->n; i++) {
		if (h->slots[i] == slot) {
			h->slots[i] = h->slots[--h->n];
			break;
		}
	}
	e->mstate[slot].hub = -1;
}

/* Puts a member slot in the list of the hub its row names. */
int
roster_member(struct engine *e, size_t slot)
{
	const struct engine_member *m =
	    (const struct engine_member *)e->members.rows + slot;
	struct member_state *st = &e->mstate[slot];
	int hub = roster_hub(e, m->hub, 1);

	if (hub < 0)
		return -1;
	if (st->hub == hub)
		return 0;
	roster_leave_hub(e, slot);
	if (roster_push(&e->hubs[hub].slots, &e->hubs[hub].n, &e->hubs[hub].cap,
	        slot) != 0)
		return -1;
	st->hub = hub;
	return 0;
}

static int roster_heaps_rebuild(struct engine *);

/* Raises the bound on what requests of these categories want. */
static void
roster_wants(struct engine *e, uint64_t categories, int64_t wanted)
{
	uint64_t bits;
	int c;

	for (bits = categories; bits != 0; bits &= bits - 1) {
		c = __builtin_ctzll(bits);
		if (e->most_wanted[c] < wanted)
			e->most_wanted[c] = wanted;
	}
}

/*
 * Whether any open request could take food from o: one must want at
 * least its minimum portion, or all that is left. The bound only rises
 * between rebuilds of the heaps, so it errs on the side of looking.
 */
int
roster_may_take(struct engine *e, const struct engine_offer *o)
{
	int64_t need = o->min_portion < o->free ? o->min_portion : o->free;

	if (e->heaps_stale && roster_heaps_rebuild(e) != 0)
		return 1;
	return e->most_wanted[o->category] >= need;
}

/* Adds a request to its member's list, if the member is known. */
int
roster_request_add(struct engine *e, const struct engine_request *r)
{
	struct member_state *st;
	struct roster_req *p, *q;
	size_t slot, want;
	uint64_t before;

	if (!idmap_get(&e->members.map, r->member, &slot))
		return 0;
	st = &e->mstate[slot];
	if (st->nreqs == st->reqcap) {
		want = st->reqcap == 0 ? 4 : st->reqcap * 2;
		if ((p = realloc(st->reqs, want * sizeof *p)) == NULL)
			return -1;
		st->reqs = p;
		st->reqcap = want;
	}
	before = st->cats;
	q = &st->reqs[st->nreqs++];
	q->id = r->id;
	q->categories = r->categories;
	q->storage = r->storage;
	q->window_start = r->window_start;
	q->window_end = r->window_end;
	q->posted = r->posted;
	q->wanted = r->wanted;
	st->cats |= r->categories;
	roster_wants(e, r->categories, r->wanted);
	roster_heaps_member(e, slot, before);
	return 0;
}

/* Finds a request's entry in its member's list; NULL when absent. */
static struct roster_req *
roster_entry(struct engine *e, const struct engine_request *r, size_t *slotp)
{
	struct member_state *st;
	size_t slot, i;

	if (!idmap_get(&e->members.map, r->member, &slot))
		return NULL;
	st = &e->mstate[slot];
	*slotp = slot;
	for (i = 0; i < st->nreqs; i++) {
		if (st->reqs[i].id == r->id)
			return &st->reqs[i];
	}
	return NULL;
}

/* Takes a request out of its member's list. */
void
roster_request_remove(struct engine *e, const struct engine_request *r)
{
	struct member_state *st;
	struct roster_req *q;
	uint64_t before;
	size_t slot, i;

	if ((q = roster_entry(e, r, &slot)) == NULL)
		return;
	st = &e->mstate[slot];
	before = st->cats;
	*q = st->reqs[--st->nreqs];
	st->cats = 0;
	for (i = 0; i < st->nreqs; i++)
		st->cats |= st->reqs[i].categories;
	roster_heaps_member(e, slot, before);
}

/* Copies a request's wanted grams, changed by the engine, to its entry. */
void
roster_sync(struct engine *e, const struct engine_request *r)
{
	size_t slot;
	struct roster_req *q = roster_entry(e, r, &slot);

	if (q != NULL)
		q->wanted = r->wanted;
	roster_wants(e, r->categories, r->wanted);
}

/* engine_suits, on a roster entry: whether q may take food from o. */
int
roster_suits(const struct engine_offer *o, const struct roster_req *q,
    const struct engine_member *m)
{
	if (!engine_member_suits(o, m))
		return 0;
	if ((q->categories & (UINT64_C(1) << o->category)) == 0)
		return 0;
	if ((q->storage & o->storage) == 0)
		return 0;
	if (q->window_end <= o->window_start ||
	    o->window_end <= q->window_start)
		return 0;
	return q->wanted >= o->min_portion || q->wanted >= o->free;
}

/* Rebuilds every list from the rows, after changes made by pointer. */
static int
roster_rebuild(struct engine *e)
{
	const struct engine_request *rs = e->requests.rows;
	size_t i;

	e->heaps_stale = 1; /* rebuilt, from the lists, before a walk */
	for (i = 0; i < e->nhubs; i++)
		e->hubs[i].n = 0;
	for (i = 0; i < e->members.n; i++) {
		e->mstate[i].hub = -1;
		e->mstate[i].nreqs = 0;
		e->mstate[i].cats = 0;
		if (roster_member(e, i) != 0)
			return -1;
	}
	for (i = 0; i < e->requests.n; i++) {
		if (roster_request_add(e, &rs[i]) != 0)
			return -1;
	}
	e->roster_stale = 0;
	return 0;
}

/* Makes the indexes match the rows before a search. */
int
roster_fresh(struct engine *e)
{
	return e->roster_stale ? roster_rebuild(e) : 0;
}

void
roster_free(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->nhubs; i++)
		free(e->hubs[i].slots);
	free(e->hubs);
	for (i = 0; i < e->ledgercap; i++)
		free(e->mstate[i].reqs);
	for (i = 0; i < ENGINE_MAX_CATEGORIES; i++) {
		free(e->heaps[i].at);
		free(e->heaps[i].pos);
	}
	free(e->frontier);
}

/*
 * The members asking for each category, as max-heaps by ledger key, let
 * a search of the whole network weigh members best first and stop once
 * the best are certain. Keys change when a member is charged (its entry
 * moves down) and when the ledger settles or the shares change (all of
 * them: the heaps are rebuilt before the next walk).
 */

/* Whether heap slot i should sit above heap slot j. */
static int
heap_above(const struct engine *e, const struct cat_heap *h, size_t i, size_t j)
{
	double a = e->mstate[h->at[i]].key, b = e->mstate[h->at[j]].key;

	return a > b || (a == b && h->at[i] < h->at[j]);
}

static void
heap_swap(struct cat_heap *h, size_t i, size_t j)
{
	size_t t = h->at[i];

	h->at[i] = h->at[j];
	h->at[j] = t;
	h->pos[h->at[i]] = (int32_t)i;
	h->pos[h->at[j]] = (int32_t)j;
}

static void
heap_up(const struct engine *e, struct cat_heap *h, size_t i)
{
	while (i > 0 && heap_above(e, h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(const struct engine *e, struct cat_heap *h, size_t i)
{
	size_t best, l;

	for (;;) {
		best = i;
		l = 2 * i + 1;
		if (l < h->n && heap_above(e, h, l, best))
			best = l;
		if (l + 1 < h->n && heap_above(e, h, l + 1, best))
			best = l + 1;
		if (best == i)
			return;
		heap_swap(h, i, best);
		i = best;
	}
}

/* Makes a heap's arrays hold every member slot there may be. */
static int
heap_room(struct engine *e, struct cat_heap *h)
{
	int32_t *pos;
	size_t *at, i;

	if (h->poscap >= e->ledgercap)
		return 0;
	if ((pos = realloc(h->pos, e->ledgercap * sizeof *pos)) == NULL)
		return -1;
	for (i = h->poscap; i < e->ledgercap; i++)
		pos[i] = -1;
	h->pos = pos;
	if ((at = realloc(h->at, e->ledgercap * sizeof *at)) == NULL)
		return -1;
	h->at = at;
	h->poscap = e->ledgercap;
	return 0;
}

/* Rebuilds every heap from the members' categories and fresh keys. */
static int
roster_heaps_rebuild(struct engine *e)
{
	struct cat_heap *h;
	uint64_t bits;
	size_t i, k;
	int c;

	for (c = 0; c < ENGINE_MAX_CATEGORIES; c++) {
		h = &e->heaps[c];
		for (k = 0; k < h->n; k++)
			h->pos[h->at[k]] = -1;
		h->n = 0;
	}
	memset(e->most_wanted, 0, sizeof e->most_wanted);
	for (i = 0; i < e->members.n; i++) {
		e->mstate[i].key = ledger_key(e, i);
		for (k = 0; k < e->mstate[i].nreqs; k++)
			roster_wants(e, e->mstate[i].reqs[k].categories,
			    e->mstate[i].reqs[k].wanted);
		for (bits = e->mstate[i].cats; bits != 0; bits &= bits - 1) {
			h = &e->heaps[__builtin_ctzll(bits)];
			if (heap_room(e, h) != 0)
				return -1;
			h->pos[i] = (int32_t)h->n;
			h->at[h->n++] = i;
		}
	}
	for (c = 0; c < ENGINE_MAX_CATEGORIES; c++) {
		h = &e->heaps[c];
		for (k = h->n / 2; k-- > 0;)
			heap_down(e, h, k);
	}
	e->heaps_stale = 0;
	return 0;
}

/* Brings a member's heaps in line with its categories now. */
void
roster_heaps_member(struct engine *e, size_t slot, uint64_t before)
{
	struct member_state *st = &e->mstate[slot];
	struct cat_heap *h;
	size_t i;
	int c;

	if (e->heaps_stale)
		return;
	for (c = 0; c < ENGINE_MAX_CATEGORIES; c++) {
		h = &e->heaps[c];
		if (((before ^ st->cats) & (UINT64_C(1) << c)) == 0)
			continue;
		if (heap_room(e, h) != 0) {
			e->heaps_stale = 1;
			return;
		}
		if (st->cats & (UINT64_C(1) << c)) {
			h->pos[slot] = (int32_t)h->n;
			h->at[h->n++] = slot;
			heap_up(e, h, h->n - 1);
			continue;
		}
		i = (size_t)h->pos[slot];
		heap_swap(h, i, --h->n);
		h->pos[slot] = -1;
		if (i < h->n) {
			heap_up(e, h, i);
			heap_down(e, h, i);
		}
	}
}

/* A member was charged: its key fell, so it moves down its heaps. */
void
roster_charged(struct engine *e, size_t slot)
{
	struct member_state *st = &e->mstate[slot];
	int c;

	if (e->heaps_stale)
		return;
	st->key = ledger_key(e, slot);
	for (c = 0; c < ENGINE_MAX_CATEGORIES; c++) {
		if (st->cats & (UINT64_C(1) << c))
			heap_down(e, &e->heaps[c],
			    (size_t)e->heaps[c].pos[slot]);
	}
}

/* Adds heap slot i to the walk's frontier, a max-heap of heap slots. */
static int
walk_push(struct engine *e, const struct cat_heap *h, size_t *n, size_t i)
{
	size_t *f, want, k;

	if (*n == e->frontcap) {
		want = e->frontcap == 0 ? 64 : e->frontcap * 2;
		if ((f = realloc(e->frontier, want * sizeof *f)) == NULL)
			return -1;
		e->frontier = f;
		e->frontcap = want;
	}
	f = e->frontier;
	for (k = (*n)++; k > 0 && heap_above(e, h, i, f[(k - 1) / 2]);
	     k = (k - 1) / 2)
		f[k] = f[(k - 1) / 2];
	f[k] = i;
	return 0;
}

/* Takes the best heap slot off the walk's frontier. */
static size_t
walk_pop(struct engine *e, const struct cat_heap *h, size_t *n)
{
	size_t *f = e->frontier, top = f[0], last = f[--*n], k = 0, c;

	for (;;) {
		c = 2 * k + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && heap_above(e, h, f[c + 1], f[c]))
			c++;
		if (!heap_above(e, h, f[c], last))
			break;
		f[k] = f[c];
		k = c;
	}
	if (*n > 0)
		f[k] = last;
	return top;
}

/*
 * Hands visit() the members asking for a category, highest ledger key
 * first (equal keys by slot), until visit returns non-zero: 1 to stop,
 * -1 for an error. Returns 1 if stopped, 0 when every member was seen.
 */
int
roster_walk(struct engine *e, int cat, int (*visit)(void *, size_t, double),
    void *arg)
{
	const struct cat_heap *h = &e->heaps[cat];
	size_t n = 0, i;
	int rc;

	if (e->heaps_stale && roster_heaps_rebuild(e) != 0)
		return -1;

	if (h->n > 0 && walk_push(e, h, &n, 0) != 0)
		return -1;
	while (n > 0) {
		i = walk_pop(e, h, &n);
		rc = visit(arg, h->at[i], e->mstate[h->at[i]].key);
		if (rc != 0)
			return rc;
		if (2 * i + 1 < h->n && walk_push(e, h, &n, 2 * i + 1) != 0)
			return -1;
		if (2 * i + 2 < h->n && walk_push(e, h, &n, 2 * i + 2) != 0)
			return -1;
	}
	return 0;
}
