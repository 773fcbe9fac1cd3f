/*
 * engine_impl.h: the engine's insides, shared by its files: engine.c
 * (tables, proposals, claims), policy.c (the policies), ledger.c (shares
 * and the credit ledger), roster.c and walk.c (who could take an offer,
 * best first), bars.c (who may not), and by the simulation and the
 * engine's tests and benchmark.
 */
#ifndef LARDER_ENGINE_IMPL_H
#define LARDER_ENGINE_IMPL_H

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "idmap.h"
#include "store.h"

/* Rows of one kind, each starting with its int64_t id, found by id. */
struct table {
	void *rows;
	size_t n;
	size_t cap;
	size_t size;
	struct idmap map;
};

/* The members barred from one offer: a row of the engine's bars. */
struct bar_list {
	int64_t offer;
	int64_t *member;
	size_t n;
	size_t cap;
};

/* A proposal waiting for its member's answer. */
struct pending {
	int64_t offer;
	int64_t request;
	int64_t member;
	int64_t grams;
	int64_t charge;
	time_t respond_by;
};

/* The ids of a category's open offers, in no order. */
struct offer_list {
	int64_t *id;
	size_t n;
	size_t cap;
};

/*
 * What the roster keeps of an open request, beside its member: all a
 * search needs, kept together so that a member's requests are read
 * without looking each one up.
 */
struct roster_req {
	int64_t id;
	uint64_t categories;
	unsigned storage;
	time_t window_start;
	time_t window_end;
	time_t posted;
	int64_t wanted;
};

/* What the engine keeps of a member beside its row, at its slot. */
struct member_state {
	int64_t debit; /* grams charged since the ledger settled */
	int dirty;     /* its saved balance is out of date */
	int flipped;   /* on the flips list */
	int hub;       /* index in the engine's hubs, or -1 */
	size_t seat;   /* its place in that hub's seats */
	uint64_t cats; /* categories its open requests ask for */
	double key;    /* its ledger key, while the heaps hold */
	uint16_t in[ENGINE_MAX_CATEGORIES]; /* the heaps it is in (walk.c) */
	uint64_t inmask;                    /* categories where in[] is set */
	struct roster_req *reqs;            /* its open requests */
	size_t nreqs;
	size_t reqcap;
};

/*
 * A member's seat in its hub: its slot, and the categories its open
 * requests ask for, kept beside it so that an offer's look round the hub
 * passes over those who want other food without touching their state.
 */
struct hub_seat {
	size_t slot;
	uint64_t cats; /* as its member_state has them */
};

/* A hub and the seats of its members. */
struct hub {
	char name[ENGINE_HANDLE_MAX + 1];
	struct hub_seat *seats;
	size_t n;
	size_t cap;
};

/* Members who could take one kind of food: a max-heap by ledger key. */
struct cat_heap {
	struct heap_entry *at; /* members in heap order */
	size_t n;
	int32_t *pos;  /* by member slot: its place in at, or -1 */
	size_t poscap; /* the length of pos and at */
};

/*
 * A member in a heap, with the key it was placed by and the earliest
 * posting time of its open requests then. A charge lowers a member's key
 * without moving it (walk.c): the key here may be above the member's
 * own, never below, and the time may be before its requests', never
 * after.
 */
struct heap_entry {
	size_t slot;
	double key;
	time_t posted;
};

struct remainder;

/* A heap for each category, storage, and class of want (walk.c). */
#define WALK_CLASSES 5
#define WALK_BITS    (WALK_CLASSES * 3)
#define WALK_HEAPS   (ENGINE_MAX_CATEGORIES * WALK_BITS)

/* A member that gained its first open request, or lost its last. */
struct flip {
	int64_t member;
	int was_active; /* had open requests when the shares were made */
};

struct engine {
	struct engine_rules rules;
	const struct engine_policy *policy;
	struct table members;
	struct table offers;
	struct table requests;
	struct pending *pending;
	size_t npending;
	size_t pendcap;
	struct offer_list bycat[ENGINE_MAX_CATEGORIES]; /* open offers */
	struct table bars; /* who is barred from each offer (bars.c) */
	time_t last_decay;
	uint64_t changes; /* counts what may give an offer new candidates */
	int recount;      /* members' request counts need a full count */
	/* The ledger (ledger.c); per-member arrays are by member slot. */
	struct member_state *mstate;
	double *share; /* the shares, while shares_ok */
	struct remainder *scratch;
	size_t ledgercap;
	int shares_ok;
	double share_sum;
	int64_t unsettled; /* grams charged since the ledger settled */
	size_t *dirty;     /* slots whose saved balance is out of date */
	size_t ndirty;
	size_t dirtycap;
	int dirty_all;
	int64_t saved_unsettled; /* as last handed to be saved */
	time_t saved_decay;
	int contrib_stale;  /* a contribution changed: reshare at the tick */
	struct flip *flips; /* members whose open requests came or went */
	size_t nflips;
	size_t flipcap;
	/* The roster (roster.c): members by hub, requests by member. */
	struct hub *hubs;
	size_t nhubs;
	size_t hubcap;
	int roster_stale; /* rows were changed by pointer: rebuild */
	struct cat_heap heaps[WALK_HEAPS];
	/* At least the most any open request of a category wants. */
	int64_t most_wanted[ENGINE_MAX_CATEGORIES];
	int heaps_stale; /* keys changed wholesale: rebuild the heaps */
	void *frontier;  /* a walk's scratch */
	size_t frontcap;
	void *stale; /* heap entries a walk found above their key */
	size_t stalecap;
	int reasons;     /* proposals carry their reason record */
	int full_search; /* weigh every member, never walk: for tests */
	void *cands;     /* the policies' scratch list of candidates */
	size_t candcap;
};

/* engine.c */
void *engine_grow(void *, size_t *, size_t, size_t);
void *table_get(const struct table *, int64_t);
int table_put(struct table *, const void *);
void table_drop(struct table *, int64_t);
void table_free(struct table *);
int engine_out_propose(struct engine_out *, const struct engine_proposal *);
const char *engine_out_reason(struct engine_out *, char *);
char *policy_claim_reason(const struct engine *, int);
int engine_out_flash(struct engine_out *, int64_t);
int engine_feasible(const struct engine *, const struct engine_offer *,
    const struct engine_request *, const struct engine_member *);
int engine_suits(const struct engine_offer *, const struct engine_request *,
    const struct engine_member *);
int engine_member_suits(const struct engine_offer *,
    const struct engine_member *);
int engine_should_flash(const struct engine *, const struct engine_offer *,
    time_t);
const struct engine_request *engine_request_find(struct engine *, int64_t);
uint64_t engine_mix(uint64_t, int64_t, int64_t);
#define ENGINE_SELECT_MAX 128 /* bytes of an element engine_select moves */
time_t engine_respond_by(const struct engine *, const struct engine_offer *,
    time_t);
int engine_hold(struct engine *, const struct engine_proposal *);
int engine_revisit(struct engine *, time_t, struct engine_out *);
struct engine_request *engine_vehicle(struct engine *,
    const struct engine_offer *, const struct engine_member *);

/* bars.c */
int bars_add(struct engine *, int64_t, int64_t);
void bars_remove(struct engine *, int64_t, int64_t);
const int64_t *bars_of(const struct engine *, int64_t, size_t *);
int bars_has(const struct engine *, int64_t, int64_t);
void bars_drop(struct engine *, int64_t);
void bars_free(struct engine *);

/* ledger.c */
void engine_shares(struct engine *, double *);
int ledger_grow(struct engine *, size_t);
void ledger_free(struct engine *);
const double *ledger_shares_slow(struct engine *);
void ledger_settle(struct engine *);
void ledger_reshare(struct engine *);
void ledger_flip(struct engine *, int64_t, int);
double ledger_key(struct engine *, size_t);
int64_t ledger_balance(struct engine *, size_t);

/* roster.c */
int roster_hub(struct engine *, const char *);
int roster_member(struct engine *, size_t);
int roster_request_add(struct engine *, const struct engine_request *);
void roster_request_remove(struct engine *, const struct engine_request *);
void roster_sync(struct engine *, const struct engine_request *);
int roster_suits(const struct engine_offer *, const struct roster_req *,
    const struct engine_member *);
int roster_fresh(struct engine *);
void roster_free(struct engine *);

/* walk.c */
void walk_member(struct engine *, size_t, const struct roster_req *);
void walk_wanted(struct engine *, size_t, const struct roster_req *, int64_t);
void walk_charged(struct engine *, size_t);
int walk_may_take(struct engine *, const struct engine_offer *);
int walk_best(struct engine *, const struct engine_offer *,
    int (*)(void *, size_t, double, time_t), void *);
void walk_free(struct engine *);

/* Swaps two elements of size bytes, through a buffer of the caller's. */
static inline void
engine_swap(char *a, char *b, char *t, size_t size)
{
	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
}

/*
 * Reorders base (n elements of size bytes) so that its first k are the
 * k that come first in cmp's order, in linear time on average
 * (quickselect); with a total order they are the k a sort would put
 * first. Elements of more than ENGINE_SELECT_MAX bytes are sorted.
 * Inline, so that each caller's element size and order are constants
 * the compiler can work with.
 */
static inline void
engine_select(void *base, size_t n, size_t size, size_t k,
    int (*cmp)(const void *, const void *))
{
	char *r = base, pivot[ENGINE_SELECT_MAX], t[ENGINE_SELECT_MAX];
	size_t lo = 0, hi = n, i, at;

	if (size > ENGINE_SELECT_MAX) {
		qsort(base, n, size, cmp);
		return;
	}
	while (hi - lo > 1) {
		engine_swap(r + (lo + (hi - lo) / 2) * size,
		    r + (hi - 1) * size, t, size);
		memcpy(pivot, r + (hi - 1) * size, size);
		for (i = at = lo; i < hi - 1; i++) {
			if (cmp(r + i * size, pivot) < 0)
				engine_swap(r + i * size, r + at++ * size, t,
				    size);
		}
		engine_swap(r + (hi - 1) * size, r + at * size, t, size);
		if (at == k)
			return;
		if (k < at)
			hi = at;
		else
			lo = at + 1;
	}
}

/* The shares as they stand: a hot path, so the usual case is inline. */
static inline const double *
ledger_shares(struct engine *e)
{
	return e->shares_ok && e->nflips == 0 ? e->share
	                                      : ledger_shares_slow(e);
}

#endif
