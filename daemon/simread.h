/*
 * simread.h: reading the exchange log's events into the engine's rows,
 * for a replay: simulate.c, and the naive replay its tests compare it
 * with. Members and categories are numbered as the log first names them.
 */
#ifndef LARDER_SIMREAD_H
#define LARDER_SIMREAD_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "engine.h"

/* The names a replay numbers as it meets them. */
struct sim_names {
	json_t *handles;    /* member handle -> member id */
	json_t *categories; /* category -> index */
};

int sim_names_init(struct sim_names *);
void sim_names_free(struct sim_names *);
int64_t sim_member(const struct sim_names *, const char *);

const char *sim_str(const json_t *, const char *);
time_t sim_time(const json_t *, const char *);

int sim_read_member(struct sim_names *, const json_t *, int64_t,
    struct engine_member *);
int sim_read_request(struct sim_names *, const json_t *, time_t,
    struct engine_request *);
int sim_read_offer(struct sim_names *, const json_t *, time_t, time_t,
    struct engine_offer *);

#endif
