/* idmap.h: a map from positive 64-bit ids to array slots. */
#ifndef LARDER_IDMAP_H
#define LARDER_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	int64_t *keys; /* 0: empty, -1: deleted */
	size_t *slots;
	size_t size; /* a power of two */
	size_t used; /* keys, live and deleted */
	size_t live;
};

void idmap_init(struct idmap *);
void idmap_free(struct idmap *);
int idmap_put(struct idmap *, int64_t, size_t);
int idmap_get(const struct idmap *, int64_t, size_t *);
void idmap_del(struct idmap *, int64_t);

#endif
