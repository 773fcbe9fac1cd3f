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
#include "proto.h"

/* Copies a member's categories to its seat, after they changed. */
static void
roster_seat_cats(struct engine *e, size_t slot)
{
	const struct member_state *st = &e->mstate[slot];

	if (st->hub >= 0)
		e->hubs[st->hub].seats[st->seat].cats = st->cats;
}

/* The index of a hub by name, added when new; -1 if out of memory. */
int
roster_hub(struct engine *e, const char *name)
{
	struct hub *h;
	size_t i;

	for (i = 0; i < e->nhubs; i++) {
		if (strcmp(e->hubs[i].name, name) == 0)
			return (int)i;
	}
	if ((h = engine_grow(e->hubs, &e->hubcap, e->nhubs, sizeof *h)) == NULL)
		return -1;
	e->hubs = h;
	h = &e->hubs[e->nhubs];
	memset(h, 0, sizeof *h);
	proto_copy(h->name, sizeof h->name, name);
	return (int)e->nhubs++;
}

/* Takes a member slot out of its hub's seats; the last takes its seat. */
static void
roster_leave_hub(struct engine *e, size_t slot)
{
	struct member_state *st = &e->mstate[slot];
	struct hub *h;

	if (st->hub < 0)
		return;
	h = &e->hubs[st->hub];
	h->seats[st->seat] = h->seats[--h->n];
	if (st->seat < h->n)
		e->mstate[h->seats[st->seat].slot].seat = st->seat;
	st->hub = -1;
}

/* Puts a member slot in the list of the hub its row names. */
int
roster_member(struct engine *e, size_t slot)
{
	const struct engine_member *m =
	    (const struct engine_member *)e->members.rows + slot;
	struct member_state *st = &e->mstate[slot];
	struct hub_seat *seat;
	struct hub *h;
	int hub = roster_hub(e, m->hub);

	if (hub < 0)
		return -1;
	if (st->hub == hub)
		return 0;
	roster_leave_hub(e, slot);
	h = &e->hubs[hub];
	if ((seat = engine_grow(h->seats, &h->cap, h->n, sizeof *seat)) == NULL)
		return -1;
	h->seats = seat;
	h->seats[h->n].slot = slot;
	h->seats[h->n].cats = st->cats;
	st->seat = h->n++;
	st->hub = hub;
	return 0;
}

/* Adds a request to its member's list, if the member is known. */
int
roster_request_add(struct engine *e, const struct engine_request *r)
{
	struct member_state *st;
	struct roster_req *p, *q;
	size_t slot;

	if (!idmap_get(&e->members.map, r->member, &slot))
		return 0;
	st = &e->mstate[slot];
	if ((p = engine_grow(st->reqs, &st->reqcap, st->nreqs, sizeof *p)) ==
	    NULL)
		return -1;
	st->reqs = p;
	q = &st->reqs[st->nreqs++];
	q->id = r->id;
	q->categories = r->categories;
	q->storage = r->storage;
	q->window_start = r->window_start;
	q->window_end = r->window_end;
	q->posted = r->posted;
	q->wanted = r->wanted;
	st->cats |= r->categories;
	roster_seat_cats(e, slot);
	walk_member(e, slot, q);
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
	size_t slot, i;

	if ((q = roster_entry(e, r, &slot)) == NULL)
		return;
	st = &e->mstate[slot];
	*q = st->reqs[--st->nreqs];
	st->cats = 0;
	for (i = 0; i < st->nreqs; i++)
		st->cats |= st->reqs[i].categories;
	roster_seat_cats(e, slot);
	walk_member(e, slot, NULL);
}

/* Copies a request's wanted grams, changed by the engine, to its entry. */
void
roster_sync(struct engine *e, const struct engine_request *r)
{
	size_t slot;
	struct roster_req *q = roster_entry(e, r, &slot);
	int64_t before;

	if (q == NULL)
		return;
	before = q->wanted;
	q->wanted = r->wanted;
	walk_wanted(e, slot, q, before);
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

	e->heaps_stale = 1; /* walk.c rebuilds them from the lists */
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
		free(e->hubs[i].seats);
	free(e->hubs);
	for (i = 0; i < e->ledgercap; i++)
		free(e->mstate[i].reqs);
}
