/* metrics_impl.h: the metrics core's insides, for metrics.c and figures.c. */
#ifndef LARDER_METRICS_IMPL_H
#define LARDER_METRICS_IMPL_H

#include "idmap.h"
#include "metrics.h"

#define NDEST  7
#define NCAUSE 5

/* The kinds of event the figures read; others are kept as OTHER. */
enum mkind {
	MK_OTHER,
	MK_MEMBER_JOINED,
	MK_OFFER_POSTED,
	MK_REQUEST_POSTED,
	MK_ACCEPTED,
	MK_CLAIMED,
	MK_COLLECTED,
	MK_CORRECTED,
	MK_NO_SHOW,
	MK_WASTE,
	MK_PEOPLE,
	MK_BALANCES,
	MK_DISPUTE_RAISED,
	MK_DISPUTE_SETTLED,
	MK_REFERRAL, /* one per member referred: member refers to donor */
	MK_CHALLENGE_CLOSED,
};

/* One event, reduced to what the figures need. */
struct mev {
	time_t at;
	time_t week; /* people.reported: the week's Monday */
	int64_t grams;
	int64_t offer;
	int64_t alloc;
	int64_t people;
	int32_t member; /* -1: none */
	int32_t donor;  /* -1: none */
	int32_t hub;    /* -1: none */
	int32_t floor;  /* ledger.balances: index into floors, else -1 */
	int8_t kind;
	int8_t dest;
	int8_t cause;
	int8_t has_offer;
	int8_t reverses;   /* a collection that reverses a no-show */
	int8_t resolved;   /* challenge.closed: resolved */
	int64_t challenge; /* the shared challenge it serves, or 0 */
	time_t raised;     /* dispute.settled: when the dispute was raised */
};

/* The members at the ledger's floor in one ledger.balances event. */
struct mfloor {
	int32_t *members;
	size_t n;
};

struct metrics {
	struct metrics_factors factors;
	char *network;
	struct mev *ev;
	size_t nev;
	size_t cap;
	json_t *member_ids; /* handle -> index */
	json_t *hub_ids;    /* hub -> index */
	char **members;     /* index -> handle */
	int32_t *member_hub;
	time_t *member_joined;
	size_t nmembers;
	size_t memcap;
	char **hubs;
	size_t nhubs;
	size_t hubcap;
	struct mfloor *floors;
	size_t nfloors;
	size_t floorcap;
	struct idmap corrected; /* allocation -> slot in fixes */
	int64_t *fixes;
	size_t nfixes;
	size_t fixcap;
};

extern const char *const metrics_destinations[NDEST];
extern const char *const metrics_causes[NCAUSE];

json_t *figures_report(struct metrics *, time_t, time_t, int32_t, const char *);
int64_t metrics_collected_grams(const struct metrics *, const struct mev *);

#endif
