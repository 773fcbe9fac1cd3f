/*
 * simindex.c: the replay's indexes, so that nothing in it is found by a
 * scan: deadlines and ends in min-heaps by time, the open offers on a
 * shelf kept in the order the engine's table once kept them, and each
 * category's open requests in lanes by posting time, over a tree of the
 * most any span of them wants.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "simindex.h"

static int
sim_due_before(const struct sim_due *a, const struct sim_due *b)
{
	return a->at < b->at || (a->at == b->at && a->id < b->id);
}

/* Adds a time and an id to a min-heap. */
int
sim_heap_push(struct sim_heap *h, time_t at, int64_t id)
{
	struct sim_due d = {at, id}, *p;
	size_t i;

	if ((p = engine_grow(h->rows, &h->cap, h->n, sizeof *p)) == NULL)
		return -1;
	h->rows = p;
	for (i = h->n++; i > 0 && sim_due_before(&d, &p[(i - 1) / 2]);
	     i = (i - 1) / 2)
		p[i] = p[(i - 1) / 2];
	p[i] = d;
	return 0;
}

/* Takes the earliest time and id off a min-heap that has one. */
struct sim_due
sim_heap_pop(struct sim_heap *h)
{
	struct sim_due top = h->rows[0], last = h->rows[--h->n];
	size_t i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n &&
		    sim_due_before(&h->rows[c + 1], &h->rows[c]))
			c++;
		if (!sim_due_before(&h->rows[c], &last))
			break;
		h->rows[i] = h->rows[c];
		i = c;
	}
	if (h->n > 0)
		h->rows[i] = last;
	return top;
}

/* Puts an offer on the shelf, or moves its deadline where it stands. */
int
sim_shelf_put(struct sim_shelf *sh, int64_t id, time_t deadline)
{
	struct sim_due *p;
	size_t slot;

	if (idmap_get(&sh->map, id, &slot)) {
		sh->rows[slot].at = deadline;
		return 0;
	}
	if ((p = engine_grow(sh->rows, &sh->cap, sh->n, sizeof *p)) == NULL)
		return -1;
	sh->rows = p;
	p[sh->n].at = deadline;
	p[sh->n].id = id;
	if (idmap_put(&sh->map, id, sh->n) != 0)
		return -1;
	sh->n++;
	return 0;
}

/* Takes an offer off the shelf: the last takes its place, as in a table. */
void
sim_shelf_drop(struct sim_shelf *sh, int64_t id)
{
	size_t slot;

	if (!idmap_get(&sh->map, id, &slot))
		return;
	idmap_del(&sh->map, id);
	if (slot == --sh->n)
		return;
	sh->rows[slot] = sh->rows[sh->n];
	idmap_put(&sh->map, sh->rows[slot].id, slot);
}

static int
sim_entry_before(const struct sim_entry *a, const struct sim_entry *b)
{
	return a->posted < b->posted ||
	    (a->posted == b->posted && a->id < b->id);
}

/* Recomputes a lane's tree above its leaves. */
static void
sim_lane_rebuild(struct sim_lane *l)
{
	size_t i;

	for (i = l->size; i-- > 1;)
		l->most[i] = l->most[2 * i] > l->most[2 * i + 1]
		    ? l->most[2 * i]
		    : l->most[2 * i + 1];
}

/* Sets what the request at pos wants, and the tree above it. */
void
sim_lane_set(struct sim_lane *l, size_t pos, int64_t wanted)
{
	size_t i = l->size + pos;

	l->most[i] = wanted;
	for (i /= 2; i > 0; i /= 2)
		l->most[i] = l->most[2 * i] > l->most[2 * i + 1]
		    ? l->most[2 * i]
		    : l->most[2 * i + 1];
}

/* Closes up the requests gone from a lane, the rest kept in order. */
static void
sim_lane_compact(struct sim_lane *l)
{
	int64_t *leaf = l->most + l->size;
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		if (leaf[i] < 0)
			continue;
		l->at[k] = l->at[i];
		leaf[k++] = leaf[i];
	}
	for (i = k; i < l->n; i++)
		leaf[i] = -1;
	l->n = k;
	l->gone = 0;
	sim_lane_rebuild(l);
}

/* Makes room for one more request in a full lane. */
static int
sim_lane_grow(struct sim_lane *l)
{
	struct sim_entry *at;
	int64_t *most;
	size_t size = l->size == 0 ? 64 : l->size * 2, i;

	if (l->gone * 4 >= l->n && l->gone > 0) {
		sim_lane_compact(l);
		return 0;
	}
	if ((at = realloc(l->at, size * sizeof *at)) == NULL)
		return -1;
	l->at = at;
	if ((most = malloc(2 * size * sizeof *most)) == NULL)
		return -1;
	for (i = 0; i < size; i++)
		most[size + i] = i < l->n ? l->most[l->size + i] : -1;
	free(l->most);
	l->most = most;
	l->size = size;
	sim_lane_rebuild(l);
	return 0;
}

/* The first place in a lane not before e. */
static size_t
sim_lane_lower(const struct sim_lane *l, const struct sim_entry *e)
{
	size_t lo = 0, hi = l->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sim_entry_before(&l->at[mid], e))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds a request to a lane, in its place by posted time. */
int
sim_lane_add(struct sim_lane *l, time_t posted, int64_t id, int64_t wanted)
{
	struct sim_entry e = {posted, id};
	size_t pos;

	if (l->n == l->size && sim_lane_grow(l) != 0)
		return -1;
	pos = l->n;
	if (pos == 0 || !sim_entry_before(&e, &l->at[pos - 1])) {
		l->at[l->n++] = e;
		sim_lane_set(l, pos, wanted);
		return 0;
	}
	/* Posted before the last (a clock set back): make room for it. */
	pos = sim_lane_lower(l, &e);
	memmove(&l->at[pos + 1], &l->at[pos], (l->n - pos) * sizeof *l->at);
	memmove(&l->most[l->size + pos + 1], &l->most[l->size + pos],
	    (l->n - pos) * sizeof *l->most);
	l->at[pos] = e;
	l->most[l->size + pos] = wanted;
	l->n++;
	sim_lane_rebuild(l);
	return 0;
}

/* Where a request is in a lane, or SIM_NOWHERE. */
size_t
sim_lane_find(const struct sim_lane *l, time_t posted, int64_t id)
{
	struct sim_entry e = {posted, id};
	size_t pos;

	for (pos = sim_lane_lower(l, &e);
	     pos < l->n && l->at[pos].id == id && l->at[pos].posted == posted;
	     pos++) {
		if (l->most[l->size + pos] >= 0)
			return pos;
	}
	return SIM_NOWHERE;
}

/* Takes the request at pos out of a lane. */
void
sim_lane_remove(struct sim_lane *l, size_t pos)
{
	sim_lane_set(l, pos, -1);
	if (++l->gone > 64 && l->gone * 2 > l->n)
		sim_lane_compact(l);
}

/* The first place from pos on whose request wants at least need (>= 0). */
size_t
sim_lane_next(const struct sim_lane *l, size_t pos, int64_t need)
{
	size_t i;

	if (pos >= l->n)
		return l->n;
	/* Up and right until a span holds one, then down to the first. */
	for (i = l->size + pos; l->most[i] < need; i++) {
		while (i & 1)
			i >>= 1;
		if (i == 0)
			return l->n;
	}
	while (i < l->size) {
		i *= 2;
		if (l->most[i] < need)
			i++;
	}
	return i - l->size < l->n ? i - l->size : l->n;
}

void
sim_lane_free(struct sim_lane *l)
{
	if (l == NULL)
		return;
	free(l->at);
	free(l->most);
	free(l);
}
