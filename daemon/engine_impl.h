/* engine_impl.h: the engine's insides, shared by engine.c and policy.c. */
#ifndef LARDER_ENGINE_IMPL_H
#define LARDER_ENGINE_IMPL_H

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

/* A proposal waiting for its member's answer. */
struct pending {
	int64_t offer;
	int64_t request;
	int64_t member;
	int64_t grams;
	int64_t charge;
	time_t respond_by;
};

/* A member that declined, or let lapse, a proposal of an offer. */
struct tried {
	int64_t offer;
	int64_t member;
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
	struct tried *tried;
	size_t ntried;
	size_t triedcap;
	time_t last_decay;
	uint64_t changes; /* counts what may give an offer new candidates */
	int recount;      /* members' request counts need a full count */
};

int engine_out_propose(struct engine_out *, const struct engine_proposal *);
int engine_out_flash(struct engine_out *, int64_t);
int engine_tried(const struct engine *, int64_t, int64_t);
int engine_pending_for(const struct engine *, int64_t, int64_t);
int engine_feasible(const struct engine *, const struct engine_offer *,
    const struct engine_request *, const struct engine_member *);
int engine_suits(const struct engine_offer *, const struct engine_request *,
    const struct engine_member *);
void engine_barred(const struct engine *, int64_t, char *);
void engine_shares(struct engine *, double *);
uint64_t engine_mix(uint64_t, int64_t, int64_t);
time_t engine_respond_by(const struct engine *, const struct engine_offer *,
    time_t);
int engine_hold(struct engine *, const struct engine_proposal *);
int engine_revisit(struct engine *, uint64_t, time_t, struct engine_out *);
struct engine_request *engine_vehicle(struct engine *,
    const struct engine_offer *, const struct engine_member *);

#endif
