/* simindex.h: the replay's indexes (simindex.c). */
#ifndef LARDER_SIMINDEX_H
#define LARDER_SIMINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "idmap.h"

#define SIM_NOWHERE ((size_t)-1)

/* A time and an id: an offer's deadline or a request's end. */
struct sim_due {
	time_t at;
	int64_t id;
};

/* Times and ids in a min-heap. */
struct sim_heap {
	struct sim_due *rows;
	size_t n;
	size_t cap;
};

/* A request in a lane. Lanes are in posted order, then by id. */
struct sim_entry {
	time_t posted;
	int64_t id;
};

/*
 * The open requests of one category from members who can keep one kind
 * of storage, in posted order, over a tree of the most any span of them
 * wants: the earliest request that wants enough is found without a scan.
 */
struct sim_lane {
	struct sim_entry *at;
	int64_t *most; /* the tree, leaves from size on; -1: gone */
	size_t n;
	size_t size; /* a power of two, at least n */
	size_t gone;
};

/*
 * The offers open in the replay, in the order the engine's table keeps
 * them when spent offers stay in it until their deadline, as they once did:
 * offers due at the same second close in that order. The engine itself
 * forgets spent offers at once, so its revisits stay short.
 */
struct sim_shelf {
	struct sim_due *rows; /* deadline and offer */
	size_t n;
	size_t cap;
	struct idmap map;
};

int sim_heap_push(struct sim_heap *, time_t, int64_t);
struct sim_due sim_heap_pop(struct sim_heap *);
int sim_shelf_put(struct sim_shelf *, int64_t, time_t);
void sim_shelf_drop(struct sim_shelf *, int64_t);
void sim_lane_set(struct sim_lane *, size_t, int64_t);
int sim_lane_add(struct sim_lane *, time_t, int64_t, int64_t);
size_t sim_lane_find(const struct sim_lane *, time_t, int64_t);
void sim_lane_remove(struct sim_lane *, size_t);
size_t sim_lane_next(const struct sim_lane *, size_t, int64_t);
void sim_lane_free(struct sim_lane *);

#endif
