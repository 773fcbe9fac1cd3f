/*
 * idmap.c: an open-addressing hash map from positive ids to the slots of
 * the arrays that hold the engine's members, offers and requests.
 */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

#define IDMAP_EMPTY   0
#define IDMAP_DELETED (-1)

void
idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof *m);
}

void
idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

/* Spreads ids over the table (a 64-bit mix). */
static size_t
idmap_hash(int64_t id, size_t size)
{
	uint64_t x = (uint64_t)id;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (size - 1);
}

/* Finds the position of id, or where it would go. */
static size_t
idmap_find(const struct idmap *m, int64_t id, int *found)
{
	size_t i = idmap_hash(id, m->size), tomb = (size_t)-1;

	for (;;) {
		if (m->keys[i] == id) {
			*found = 1;
			return i;
		}
		if (m->keys[i] == IDMAP_EMPTY) {
			*found = 0;
			return tomb != (size_t)-1 ? tomb : i;
		}
		if (m->keys[i] == IDMAP_DELETED && tomb == (size_t)-1)
			tomb = i;
		i = (i + 1) & (m->size - 1);
	}
}

/* Rebuilds the table at a new size, dropping deleted keys. */
static int
idmap_grow(struct idmap *m, size_t size)
{
	struct idmap n;
	size_t i, at;
	int found;

	n.keys = calloc(size, sizeof *n.keys);
	n.slots = calloc(size, sizeof *n.slots);
	if (n.keys == NULL || n.slots == NULL) {
		free(n.keys);
		free(n.slots);
		return -1;
	}
	n.size = size;
	n.used = n.live = 0;
	for (i = 0; i < m->size; i++) {
		if (m->keys[i] <= 0)
			continue;
		at = idmap_find(&n, m->keys[i], &found);
		n.keys[at] = m->keys[i];
		n.slots[at] = m->slots[i];
		n.used++;
		n.live++;
	}
	idmap_free(m);
	*m = n;
	return 0;
}

/* Maps id (> 0) to slot, replacing any earlier slot. */
int
idmap_put(struct idmap *m, int64_t id, size_t slot)
{
	size_t at, size = 64;
	int found;

	if (id <= 0)
		return -1;
	if ((m->used + 1) * 2 > m->size) {
		while (size < (m->live + 1) * 4)
			size *= 2;
		if (idmap_grow(m, size) != 0)
			return -1;
	}
	at = idmap_find(m, id, &found);
	if (!found && m->keys[at] == IDMAP_EMPTY)
		m->used++;
	if (!found)
		m->live++;
	m->keys[at] = id;
	m->slots[at] = slot;
	return 0;
}

/* Looks id up; 1 with *slot set when present, else 0. */
int
idmap_get(const struct idmap *m, int64_t id, size_t *slot)
{
	size_t at;
	int found;

	if (m->size == 0 || id <= 0)
		return 0;
	at = idmap_find(m, id, &found);
	if (found)
		*slot = m->slots[at];
	return found;
}

void
idmap_del(struct idmap *m, int64_t id)
{
	size_t at;
	int found;

	if (m->size == 0 || id <= 0)
		return;
	at = idmap_find(m, id, &found);
	if (found) {
		m->keys[at] = IDMAP_DELETED;
		m->live--;
	}
}
