/*
 * simulate.h: replaying a period's offers and requests from the exchange
 * log through the allocation engine under other rules, beside what
 * actually happened, so members can try a rule change on their own
 * history before they vote on it.
 */
#ifndef LARDER_SIMULATE_H
#define LARDER_SIMULATE_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "engine.h"

/* The outcome of a period, simulated or as it happened. */
struct sim_outcome {
	int64_t offered;    /* grams offered in the period */
	int64_t shared;     /* grams that reached another member */
	int64_t unclaimed;  /* grams nobody took by their deadline */
	int64_t members;    /* members that offered or asked */
	int64_t recipients; /* of those, received more than they gave */
	int64_t at_floor;   /* members at the ledger's floor at the end */
	double gini_need;   /* inequality of grams received per person */
};

struct sim_run;

int simulate_period(const json_t *, time_t, time_t, const struct engine_rules *,
    struct sim_outcome *, char **);
int simulate_actual(const json_t *, time_t, time_t, struct sim_outcome *);
struct sim_run *simulate_start(time_t, time_t, const struct engine_rules *,
    char **);
int simulate_event(struct sim_run *, const json_t *);
int simulate_finish(struct sim_run *, struct sim_outcome *,
    struct sim_outcome *, char **);
json_t *simulate_json(const struct sim_outcome *);

#endif
