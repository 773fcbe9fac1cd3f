/*
 * walk.c: the members who could take each kind of food, best first. A
 * search of the whole network walks them in the order of their ledger
 * keys and stops once the best are certain. They are kept in max-heaps
 * by key, one for each category, storage and size of want: a member sits
 * in the heap of a category and storage it asks for and can keep, and of
 * the class of the most any of those requests wants. An offer's walk
 * takes only the heaps whose members could take it, so the members
 * furthest behind because nothing fits them are not looked at again and
 * again. Equal keys go by the member's earliest open request, the
 * policy's next tie-break, so that a walk can stop among members whose
 * keys are equal, as most are in a young network.
 *
 * Keys change when a member is charged and when the ledger settles or
 * the shares change (all of them: the heaps are rebuilt before the next
 * walk). A charge only lowers a key, and most members charged are never
 * walked past before the next rebuild, so a charge does not move the
 * member: each heap entry keeps the key it was placed by, which may stand
 * above the member's own. A walk goes by the entries' keys, which bound
 * every member below them, and hands on both; entries it finds too high
 * are moved down after it. Likewise an entry's request time may be
 * earlier than the member's (its earliest request was taken away), never
 * later: a request posted earlier than the entry's time moves it up.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

/*
 * The classes of want, by the least a member's best request wants: a
 * whole usual portion (1 kg), or half, a quarter, an eighth of one, or
 * less. An offer's walk takes the classes that could take its portion.
 */
static const int64_t walk_floor[WALK_CLASSES] = {1000, 500, 250, 125, 1};

/* The class of a want; -1 for one that wants nothing. */
static int
walk_class(int64_t wanted)
{
	int k;

	for (k = 0; k < WALK_CLASSES; k++) {
		if (wanted >= walk_floor[k])
			return k;
	}
	return -1;
}

/* A heap's place among the engine's heaps: bit is class * 3 + storage. */
static size_t
walk_heap_id(int category, int bit)
{
	return (size_t)category * WALK_BITS + (size_t)bit;
}

/*
 * Whether entry a goes before entry b: by key, highest first; equal keys
 * by the earliest posted request, as the policy breaks ties between
 * candidates; then by slot.
 */
static int
entry_before(const struct heap_entry *a, const struct heap_entry *b)
{
	if (a->key != b->key)
		return a->key > b->key;
	if (a->posted != b->posted)
		return a->posted < b->posted;
	return a->slot < b->slot;
}

/* Whether heap place i should sit above heap place j. */
static int
heap_above(const struct cat_heap *h, size_t i, size_t j)
{
	return entry_before(&h->at[i], &h->at[j]);
}

/* When a member's earliest open request was posted; the most, if none. */
static time_t
walk_posted(const struct engine *e, size_t slot)
{
	const struct member_state *st = &e->mstate[slot];
	time_t t = (time_t)INT64_MAX;
	size_t i;

	for (i = 0; i < st->nreqs; i++) {
		if (st->reqs[i].posted < t)
			t = st->reqs[i].posted;
	}
	return t;
}

static void
heap_swap(struct cat_heap *h, size_t i, size_t j)
{
	struct heap_entry t = h->at[i];

	h->at[i] = h->at[j];
	h->at[j] = t;
	h->pos[h->at[i].slot] = (int32_t)i;
	h->pos[h->at[j].slot] = (int32_t)j;
}

static void
heap_up(struct cat_heap *h, size_t i)
{
	while (i > 0 && heap_above(h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct cat_heap *h, size_t i)
{
	size_t best, l;

	for (;;) {
		best = i;
		l = 2 * i + 1;
		if (l < h->n && heap_above(h, l, best))
			best = l;
		if (l + 1 < h->n && heap_above(h, l + 1, best))
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
	struct heap_entry *at;
	int32_t *pos;
	size_t i;

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

static int
heap_insert(struct engine *e, struct cat_heap *h, size_t slot)
{
	if (heap_room(e, h) != 0)
		return -1;
	h->pos[slot] = (int32_t)h->n;
	h->at[h->n].slot = slot;
	h->at[h->n].key = e->mstate[slot].key;
	h->at[h->n].posted = walk_posted(e, slot);
	heap_up(h, h->n++);
	return 0;
}

static void
heap_remove(struct cat_heap *h, size_t slot)
{
	size_t i = (size_t)h->pos[slot];

	heap_swap(h, i, --h->n);
	h->pos[slot] = -1;
	if (i < h->n) {
		heap_up(h, i);
		heap_down(h, i);
	}
}

/*
 * Places a member's entry in a heap by the member's key now. Its request
 * time stays: still no later than the member's requests'.
 */
static void
heap_rekey(const struct engine *e, struct cat_heap *h, size_t slot)
{
	size_t i = (size_t)h->pos[slot];
	double key = e->mstate[slot].key, was = h->at[i].key;

	h->at[i].key = key;
	if (key > was)
		heap_up(h, i);
	else if (key < was)
		heap_down(h, i);
}

/*
 * Works out which heaps a member belongs in: for each category, a bit
 * per storage it asks for and can keep, in the low three bits when some
 * such request wants a whole portion, else in the next three.
 */
static void
walk_membership(const struct engine *e, size_t slot,
    uint16_t in[ENGINE_MAX_CATEGORIES])
{
	const struct engine_member *m =
	    (const struct engine_member *)e->members.rows + slot;
	const struct member_state *st = &e->mstate[slot];
	const struct roster_req *q;
	uint64_t bits;
	unsigned keep, seen;
	size_t i;
	int c, k;

	for (bits = st->cats | st->inmask; bits != 0; bits &= bits - 1)
		in[__builtin_ctzll(bits)] = 0;
	for (i = 0; i < st->nreqs; i++) {
		q = &st->reqs[i];
		if ((k = walk_class(q->wanted)) < 0)
			continue; /* met, though still open: it takes nothing */
		keep = q->storage & m->storage & 7;
		for (bits = q->categories; bits != 0; bits &= bits - 1)
			in[__builtin_ctzll(bits)] |=
			    (uint16_t)(keep << (3 * k));
	}
	/* Each storage in the best class it reaches, and only there. */
	for (bits = st->cats; bits != 0; bits &= bits - 1) {
		c = __builtin_ctzll(bits);
		for (k = 0, seen = 0; k < WALK_CLASSES; k++) {
			in[c] &= (uint16_t) ~(seen << (3 * k));
			seen |= (in[c] >> (3 * k)) & 7;
		}
	}
}

/* Raises the bound on what requests of these categories want. */
static void
walk_wants(struct engine *e, uint64_t categories, int64_t wanted)
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
 * A member has a request posted at posted: where that is before the time
 * an entry of the member holds, the entry moves up with it.
 */
static void
walk_earlier(struct engine *e, size_t slot, time_t posted)
{
	const struct member_state *st = &e->mstate[slot];
	struct cat_heap *h;
	uint64_t bits;
	size_t i;
	int c, b;

	for (bits = st->inmask; bits != 0; bits &= bits - 1) {
		c = __builtin_ctzll(bits);
		for (b = 0; b < WALK_BITS; b++) {
			if ((st->in[c] & (1 << b)) == 0)
				continue;
			h = &e->heaps[walk_heap_id(c, b)];
			i = (size_t)h->pos[slot];
			if (h->at[i].posted > posted) {
				h->at[i].posted = posted;
				heap_up(h, i);
			}
		}
	}
}

/*
 * Puts a member in the heaps its open requests call for now and takes it
 * out of the others; with a request's want, it raises the bound on what
 * requests of its categories want.
 */
void
walk_member(struct engine *e, size_t slot, const struct roster_req *q)
{
	struct member_state *st = &e->mstate[slot];
	uint16_t in[ENGINE_MAX_CATEGORIES], diff;
	uint64_t bits;
	int c, b;

	if (q != NULL)
		walk_wants(e, q->categories, q->wanted);
	if (e->heaps_stale)
		return;
	if (q != NULL)
		walk_earlier(e, slot, q->posted);
	walk_membership(e, slot, in);
	for (bits = st->cats | st->inmask; bits != 0; bits &= bits - 1) {
		c = __builtin_ctzll(bits);
		if ((diff = in[c] ^ st->in[c]) == 0)
			continue;
		for (b = 0; b < WALK_BITS; b++) {
			if ((diff & (1 << b)) == 0)
				continue;
			if (in[c] & (1 << b)) {
				if (heap_insert(e,
				        &e->heaps[walk_heap_id(c, b)],
				        slot) != 0) {
					e->heaps_stale = 1;
					return;
				}
			} else
				heap_remove(&e->heaps[walk_heap_id(c, b)],
				    slot);
		}
		st->in[c] = in[c];
		if (in[c] != 0)
			st->inmask |= UINT64_C(1) << c;
		else
			st->inmask &= ~(UINT64_C(1) << c);
	}
}

/*
 * A request's want changed: the bound on wants follows, and its member's
 * heaps too if the want changed class.
 */
void
walk_wanted(struct engine *e, size_t slot, const struct roster_req *q,
    int64_t before)
{
	walk_wants(e, q->categories, q->wanted);
	if (walk_class(before) != walk_class(q->wanted))
		walk_member(e, slot, NULL);
}

/* Rebuilds every heap from the members' requests and fresh keys. */
static int
walk_rebuild(struct engine *e)
{
	struct member_state *st;
	struct cat_heap *h;
	uint64_t bits;
	time_t posted;
	size_t i, k;
	int c, b;

	for (k = 0; k < WALK_HEAPS; k++) {
		h = &e->heaps[k];
		for (i = 0; i < h->n; i++)
			h->pos[h->at[i].slot] = -1;
		h->n = 0;
	}
	memset(e->most_wanted, 0, sizeof e->most_wanted);
	for (i = 0; i < e->members.n; i++) {
		st = &e->mstate[i];
		st->key = ledger_key(e, i);
		posted = walk_posted(e, i);
		for (k = 0; k < st->nreqs; k++)
			walk_wants(e, st->reqs[k].categories,
			    st->reqs[k].wanted);
		walk_membership(e, i, st->in);
		st->inmask = 0;
		for (bits = st->cats; bits != 0; bits &= bits - 1) {
			c = __builtin_ctzll(bits);
			if (st->in[c] != 0)
				st->inmask |= UINT64_C(1) << c;
			for (b = 0; b < WALK_BITS; b++) {
				if ((st->in[c] & (1 << b)) == 0)
					continue;
				h = &e->heaps[walk_heap_id(c, b)];
				if (heap_room(e, h) != 0)
					return -1;
				h->pos[i] = (int32_t)h->n;
				h->at[h->n].slot = i;
				h->at[h->n].posted = posted;
				h->at[h->n++].key = st->key;
			}
		}
	}
	for (k = 0; k < WALK_HEAPS; k++) {
		h = &e->heaps[k];
		for (i = h->n / 2; i-- > 0;)
			heap_down(h, i);
	}
	e->heaps_stale = 0;
	return 0;
}

/*
 * A member was charged: its key fell. Its heap entries stay where they
 * are, above it, until a walk finds them there (see the top).
 */
void
walk_charged(struct engine *e, size_t slot)
{
	struct member_state *st = &e->mstate[slot];
	double was = st->key;
	uint64_t bits;
	int c, b;

	if (e->heaps_stale)
		return;
	st->key = ledger_key(e, slot);
	if (st->key <= was)
		return;
	/* Were a key ever to rise, its entries must rise with it. */
	for (bits = st->inmask; bits != 0; bits &= bits - 1) {
		c = __builtin_ctzll(bits);
		for (b = 0; b < WALK_BITS; b++) {
			if (st->in[c] & (1 << b))
				heap_rekey(e, &e->heaps[walk_heap_id(c, b)],
				    slot);
		}
	}
}

/*
 * Whether any open request could take food from o: one must want at
 * least its minimum portion, or all that is left. The bound only rises
 * between rebuilds of the heaps, so it errs on the side of looking.
 */
int
walk_may_take(struct engine *e, const struct engine_offer *o)
{
	int64_t need = o->min_portion < o->free ? o->min_portion : o->free;

	if (e->heaps_stale && walk_rebuild(e) != 0)
		return 1;
	return e->most_wanted[o->category] >= need;
}

/* One place in a walk: a heap and a slot in it. */
struct walk_at {
	struct cat_heap *h;
	size_t i;
};

/* Whether walk place a should be taken before b. */
static int
walk_before(const struct walk_at *a, const struct walk_at *b)
{
	return entry_before(&a->h->at[a->i], &b->h->at[b->i]);
}

/* Adds a place to the walk's frontier, itself a max-heap. */
static int
walk_push(struct engine *e, size_t *n, struct cat_heap *h, size_t i)
{
	struct walk_at *f, at = {h, i};
	size_t k;

	if (i >= h->n)
		return 0;
	if ((f = engine_grow(e->frontier, &e->frontcap, *n, sizeof *f)) == NULL)
		return -1;
	e->frontier = f;
	for (k = (*n)++; k > 0 && walk_before(&at, &f[(k - 1) / 2]);
	     k = (k - 1) / 2)
		f[k] = f[(k - 1) / 2];
	f[k] = at;
	return 0;
}

/* Takes the best place off the walk's frontier. */
static struct walk_at
walk_pop(struct engine *e, size_t *n)
{
	struct walk_at *f = e->frontier, top = f[0], last = f[--*n];
	size_t k = 0, c;

	for (;;) {
		c = 2 * k + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && walk_before(&f[c + 1], &f[c]))
			c++;
		if (!walk_before(&f[c], &last))
			break;
		f[k] = f[c];
		k = c;
	}
	if (*n > 0)
		f[k] = last;
	return top;
}

/* An entry a walk found above its member's key, to move down after. */
struct walk_stale {
	struct cat_heap *h;
	size_t slot;
};

/* Moves the entries a walk found too high to their members' keys. */
static void
walk_repair(struct engine *e, size_t n)
{
	const struct walk_stale *st = e->stale;
	size_t i;

	for (i = 0; i < n; i++)
		heap_rekey(e, st[i].h, st[i].slot);
}

/*
 * Hands visit() the members who could take o, best first by their heap
 * entries (by key, equal keys by the earliest request posted, then by
 * slot), with the entry's key and time: the key bounds the member's own
 * and every member's not yet handed on; the time is no later than any of
 * the member's requests', and no later than those of any member not yet
 * handed on whose key equals it. Stops when
 * visit returns non-zero: 1 to stop, -1 for an error. Returns
 * 1 if stopped, 0 when every member was seen, and -2 when o cannot be
 * walked (it names more than one storage) and the caller must look at
 * every member.
 */
int
walk_best(struct engine *e, const struct engine_offer *o,
    int (*visit)(void *, size_t, double, time_t), void *arg)
{
	int64_t need = o->min_portion < o->free ? o->min_portion : o->free;
	const struct heap_entry *at;
	struct walk_stale *st;
	struct walk_at place;
	size_t n = 0, nstale = 0;
	int s, k, rc;

	if (o->storage == 0 || (o->storage & (o->storage - 1)) != 0)
		return -2;
	s = __builtin_ctz(o->storage);
	if (e->heaps_stale && walk_rebuild(e) != 0)
		return -1;
	/* A class whose wants all fall short of the need is left out. */
	for (k = 0; k < WALK_CLASSES && (k == 0 || need < walk_floor[k - 1]);
	     k++) {
		if (walk_push(e, &n,
		        &e->heaps[walk_heap_id(o->category, 3 * k + s)],
		        0) != 0)
			return -1;
	}
	rc = 0;
	while (n > 0) {
		place = walk_pop(e, &n);
		at = &place.h->at[place.i];
		if (e->mstate[at->slot].key < at->key) {
			if ((st = engine_grow(e->stale, &e->stalecap, nstale,
			         sizeof *st)) == NULL) {
				rc = -1;
				break;
			}
			e->stale = st;
			st[nstale].h = place.h;
			st[nstale++].slot = at->slot;
		}
		if ((rc = visit(arg, at->slot, at->key, at->posted)) != 0)
			break;
		if (walk_push(e, &n, place.h, 2 * place.i + 1) != 0 ||
		    walk_push(e, &n, place.h, 2 * place.i + 2) != 0) {
			rc = -1;
			break;
		}
	}
	walk_repair(e, nstale);
	return rc;
}

void
walk_free(struct engine *e)
{
	size_t k;

	for (k = 0; k < WALK_HEAPS; k++) {
		free(e->heaps[k].at);
		free(e->heaps[k].pos);
	}
	free(e->frontier);
	free(e->stale);
}
