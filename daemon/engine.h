/*
 * engine.h: the allocation engine. It holds open offers, open requests and
 * the members' credit ledger in memory and decides who is offered what.
 * It does no I/O and reads no clock: the time is passed in, so the same
 * inputs always give the same allocations.
 */
#ifndef LARDER_ENGINE_H
#define LARDER_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define ENGINE_HANDLE_MAX     32
#define ENGINE_MAX_CATEGORIES 64

/* A member's standing on the sanctions ladder. */
enum engine_standing {
	STANDING_GOOD,
	STANDING_WARNING,
	STANDING_RESTRICTED, /* half share; no chilled or frozen food */
	STANDING_SUSPENDED,  /* offered nothing */
};

/* The rules the members govern that the engine reads. */
struct engine_rules {
	char policy[16];     /* fairshare, fcfs or lottery */
	double beta;         /* weight of contribution, 0..1 */
	double cap;          /* share at most cap x need share */
	int64_t hub_first;   /* seconds an offer stays in its hub */
	int64_t respond_min; /* seconds a member has to answer */
	int64_t respond_max;
	int flash_after;      /* failed proposals before flash */
	int64_t flash_window; /* seconds before deadline: flash */
	int flash_charge;     /* per cent of grams a flash claim costs */
	int64_t ledger_cap;   /* grams either side of zero */
	int ledger_decay;     /* per cent of balance kept each week */
	int64_t margin;       /* seconds before use-by to hand over */
	uint64_t seed;        /* the network's seed for tie-breaks */
	/* The rules of governance, kept with the others; not the engine's. */
	int quorum;                 /* per cent of members who must vote */
	int majority;               /* per cent of yes and no votes to beat */
	int64_t vote_period;        /* seconds a proposal stays open */
	int sanction_window;        /* days a no-show counts */
	int sanction_warning;       /* no-shows in the window for a warning */
	int sanction_restricted;    /* ... to be restricted */
	int sanction_suspended;     /* ... to be suspended */
	int sanction_clean_days;    /* clean days from warning to good */
	int sanction_restrict_days; /* clean days from restricted to warning */
	int dispute_days;           /* days the other side has to answer */
};

struct engine_member {
	int64_t id;
	char handle[ENGINE_HANDLE_MAX + 1];
	char hub[ENGINE_HANDLE_MAX + 1];
	int64_t people;   /* need: people a week */
	unsigned storage; /* STORAGE_* bits it can hold */
	enum engine_standing standing;
	int64_t contributed; /* grams given, collected by
	                        others, trailing 90 days */
	int64_t balance;     /* the credit ledger, grams */
	int64_t requests;    /* its open requests the engine holds; the
	                        engine keeps this, whatever put says */
};

struct engine_offer {
	int64_t id;
	int64_t donor;
	char hub[ENGINE_HANDLE_MAX + 1];
	int category;     /* index into the network's list */
	unsigned storage; /* one STORAGE_* bit */
	time_t window_start;
	time_t window_end;
	time_t deadline; /* window end or use-by less margin */
	time_t posted;
	int64_t free; /* grams not yet proposed or taken */
	int64_t min_portion;
	int divisible;
	int failures; /* declined or lapsed proposals */
	int flash;    /* open to the first claim */
	/* The engine's own, whatever put says: */
	uint64_t idle; /* the change count when nobody could take it */
	int pending;   /* proposals of it awaiting an answer */
	size_t catpos; /* its place in its category's list */
	int hubno;     /* its hub among the engine's, or -1 */
};

struct engine_request {
	int64_t id;
	int64_t member;
	uint64_t categories; /* bit i: category index i */
	unsigned storage;
	time_t window_start;
	time_t window_end;
	time_t posted;
	int64_t wanted; /* grams not yet proposed or taken */
};

/* One candidate the policy weighed, for the reason record. */
struct engine_candidate {
	int64_t member;
	int64_t request;
	double share;
	int64_t balance;
	double priority;
};

/* A proposal the daemon must record, or a flash claim it granted. */
struct engine_proposal {
	int64_t offer;
	int64_t request;
	int64_t member;
	int64_t grams;
	int64_t charge; /* ledger grams on acceptance */
	time_t respond_by;
	const char *reason; /* JSON text: candidates, shares, seed; or NULL
	                       when the engine keeps no reasons. Held by the
	                       engine_out, and shared by the proposals of one
	                       decision. */
};

/* A proposal that was not answered in time. */
struct engine_lapse {
	int64_t offer;
	int64_t request;
	int64_t member;
	int64_t grams;
};

/* What a policy call decided, for the daemon to apply and log. */
struct engine_out {
	struct engine_proposal *proposals;
	size_t nproposals;
	size_t cap;
	int64_t *flashed; /* offers now open to claims */
	size_t nflashed;
	size_t flashcap;
	struct engine_lapse *lapsed;
	size_t nlapsed;
	size_t lapsecap;
	char **reasons; /* the proposals' reason records */
	size_t nreasons;
	size_t reasoncap;
};

/* How a member answered a proposal. */
enum engine_answer {
	ANSWER_ACCEPTED,
	ANSWER_DECLINED,
	ANSWER_LAPSED,
};

struct engine;

/* A policy: the interface every allocation policy implements. */
struct engine_policy {
	const char *name;
	int (*init)(struct engine *);
	int (*on_offer)(struct engine *, int64_t, time_t, struct engine_out *);
	int (*on_response)(struct engine *, int64_t, int64_t,
	    enum engine_answer, time_t, struct engine_out *);
	int (*on_tick)(struct engine *, time_t, struct engine_out *);
	void (*fini)(struct engine *);
};

struct engine *engine_new(const struct engine_rules *, char **);
void engine_free(struct engine *);
int engine_set_rules(struct engine *, const struct engine_rules *, char **);
const struct engine_rules *engine_rules(const struct engine *);
void engine_set_reasons(struct engine *, int);
void engine_rules_default(struct engine_rules *);
const struct engine_policy *engine_policy_find(const char *);

/*
 * A member or request got with _get may be changed through the pointer:
 * the engine settles its ledger and rebuilds its indexes before it next
 * needs them. _find only reads, and costs nothing; use it in loops.
 */
int engine_member_put(struct engine *, const struct engine_member *);
struct engine_member *engine_member_get(struct engine *, int64_t);
const struct engine_member *engine_member_find(struct engine *, int64_t);
int engine_offer_put(struct engine *, const struct engine_offer *);
struct engine_offer *engine_offer_get(struct engine *, int64_t);
void engine_offer_drop(struct engine *, int64_t);
int engine_request_put(struct engine *, const struct engine_request *);
struct engine_request *engine_request_get(struct engine *, int64_t);
void engine_request_drop(struct engine *, int64_t);
void engine_request_give_back(struct engine *, int64_t, int64_t);

int engine_offer_posted(struct engine *, int64_t, time_t, struct engine_out *);
int engine_answer(struct engine *, int64_t, int64_t, enum engine_answer, time_t,
    struct engine_out *);
int engine_tick(struct engine *, time_t, struct engine_out *);
int engine_request_posted(struct engine *, int64_t, time_t,
    struct engine_out *);
void engine_touch(struct engine *);
int engine_claim(struct engine *, int64_t, int64_t, int64_t, time_t,
    struct engine_out *, char **);
int engine_settle(struct engine *, int64_t, int64_t, int64_t);
void engine_set_contributed(struct engine *, int64_t, int64_t);
void engine_decay(struct engine *, time_t);
int engine_charge(struct engine *, int64_t, int64_t);

int engine_restore_pending(struct engine *, const struct engine_proposal *);
int engine_restore_tried(struct engine *, int64_t, int64_t);
time_t engine_last_decay(const struct engine *);
void engine_set_last_decay(struct engine *, time_t);
size_t engine_members(struct engine *, struct engine_member **);
int engine_ledger_unsaved(const struct engine *);
int engine_ledger_changed(struct engine *, int (*)(void *, int64_t, int64_t),
    void *);
int64_t engine_ledger_unsettled(const struct engine *);
void engine_ledger_restore(struct engine *, int64_t);
int engine_has_pending(const struct engine *, int64_t);

void engine_out_init(struct engine_out *);
void engine_out_clear(struct engine_out *);

#endif
