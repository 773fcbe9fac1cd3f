/* store.h: everything larderd keeps on disk, behind one interface. */
#ifndef LARDER_STORE_H
#define LARDER_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "metrics.h"

#define STORE_HANDLE_MAX     32
#define STORE_NAME_MAX       100
#define STORE_NOTE_MAX       280
#define STORE_LIST_MAX       512 /* a comma-joined list of words */
#define STORE_HASH_LEN       32  /* SHA-256 */
#define STORE_SCHEMA_VERSION 13

/* Checkpoint once the write-ahead log holds this many pages. */
#define STORE_CHECKPOINT_PAGES 1000

/* Kinds of storage a member can hold and food can need, as bits. */
enum storage_kind {
	STORAGE_AMBIENT = 1 << 0,
	STORAGE_CHILLED = 1 << 1,
	STORAGE_FROZEN = 1 << 2,
};

enum offer_state {
	OFFER_OPEN,
	OFFER_ALLOCATED,
	OFFER_CLOSED,
	OFFER_EXPIRED,
	OFFER_WITHDRAWN,
};

enum request_state {
	REQUEST_OPEN,
	REQUEST_FULFILLED,
	REQUEST_CANCELLED,
	REQUEST_EXPIRED,
};

enum alloc_state {
	ALLOC_PROPOSED,
	ALLOC_ACCEPTED,
	ALLOC_DECLINED,
	ALLOC_LAPSED,
	ALLOC_COLLECTED,
	ALLOC_NO_SHOW,
};

enum date_type {
	DATE_USE_BY,
	DATE_BEST_BEFORE,
};

struct member {
	int64_t id;
	char handle[STORE_HANDLE_MAX + 1];
	char name[STORE_NAME_MAX + 1];
	char hub[STORE_HANDLE_MAX + 1];
	int coordinator;
	unsigned storage;
	int64_t people;
	char catchment[STORE_LIST_MAX + 1];
	char standing[16];
	time_t joined;
	int64_t balance; /* the credit ledger, grams */
};

struct offer {
	int64_t id;
	int64_t donor;
	char donor_handle[STORE_HANDLE_MAX + 1];
	char category[STORE_HANDLE_MAX + 1];
	unsigned storage;
	enum date_type date_type;
	time_t date;
	int64_t grams;
	int64_t remaining;
	int64_t min_portion;
	int divisible;
	time_t window_start;
	time_t window_end;
	char hub[STORE_HANDLE_MAX + 1];
	char note[STORE_NOTE_MAX + 1];
	enum offer_state state;
	time_t posted;
	time_t deadline;
	char fallback[STORE_HANDLE_MAX + 1];
	int flash;
};

struct request {
	int64_t id;
	int64_t member;
	char member_handle[STORE_HANDLE_MAX + 1];
	char categories[STORE_LIST_MAX + 1];
	unsigned storage;
	int64_t grams;
	int64_t received;
	time_t window_start;
	time_t window_end;
	int standing;
	char note[STORE_NOTE_MAX + 1];
	enum request_state state;
	time_t posted;
};

/* An allocation of (part of) an offer to a member's request. */
struct allocation {
	int64_t id;
	int64_t offer;
	int64_t request;
	int64_t member;
	int64_t donor;
	char member_handle[STORE_HANDLE_MAX + 1];
	char donor_handle[STORE_HANDLE_MAX + 1];
	char category[STORE_HANDLE_MAX + 1];
	char hub[STORE_HANDLE_MAX + 1];
	unsigned storage;
	int64_t grams;
	int64_t charge;
	enum alloc_state state;
	int flash;
	time_t respond_by;
	time_t created;
	time_t decided;
	int64_t collected_grams;
	int donor_confirmed;
	int member_confirmed;
	time_t window_start;
	time_t window_end;
};

/* A quantity of food lost rather than eaten. */
struct waste {
	int64_t id;
	int64_t member;
	int64_t offer;
	int64_t grams;
	char destination[STORE_HANDLE_MAX + 1];
	char cause[STORE_HANDLE_MAX + 1];
	char note[STORE_NOTE_MAX + 1];
	time_t at;
};

/* Which rows a listing wants; member 0 means every member's. */
struct store_filter {
	int64_t member;
	int open_only;
	int64_t after;
	int limit;
};

/*
 * One row of the exchange log as stored. facts are the event's facts kept
 * beside it for reports: given on insert (NULL: none kept), and filled by
 * a facts scan, whose body is NULL unless the kind's facts are nested.
 */
struct store_event {
	int64_t seq;
	time_t at;
	const char *body;
	const unsigned char *prev;
	const unsigned char *hash;
	const struct metrics_facts *facts;
};

struct store;

typedef int (*store_member_cb)(void *, const struct member *);
typedef int (*store_offer_cb)(void *, const struct offer *);
typedef int (*store_request_cb)(void *, const struct request *);
typedef int (*store_event_cb)(void *, const struct store_event *);
typedef int (*store_alloc_cb)(void *, const struct allocation *);
typedef int (*store_pair_cb)(void *, int64_t, int64_t);
typedef int (*store_alloc_cb)(void *, const struct allocation *);
typedef int (*store_pair_cb)(void *, int64_t, int64_t);

struct store *store_open(const char *, int, char **);
void store_close(struct store *);
int store_cache(struct store *, int);
int store_open_counts_load(struct store *);
uint64_t store_open_passes(struct store *);
int store_checkpoint_start(struct store *, int, char **);
uint64_t store_checkpoint_wait(struct store *);
int store_checkpoint_failed(struct store *, char *, size_t);
const char *store_errmsg(struct store *);

int store_begin(struct store *);
int store_step_begin(struct store *);
int store_step_end(struct store *, int);
int store_writing(struct store *);
int store_in_transaction(struct store *);
int store_commit(struct store *);
int store_rollback(struct store *);
uint64_t store_version(struct store *);

int store_member_insert(struct store *, struct member *, const unsigned char *);
int store_member_by_handle(struct store *, const char *, struct member *);
int store_member_by_token(struct store *, const unsigned char *,
    struct member *);
int store_member_list(struct store *, const struct store_filter *,
    store_member_cb, void *);
int64_t store_member_count(struct store *);

int store_offer_insert(struct store *, struct offer *);
int store_offer_get(struct store *, int64_t, struct offer *);
int store_offer_set_state(struct store *, int64_t, enum offer_state);
int store_offer_list(struct store *, const struct store_filter *,
    store_offer_cb, void *);
int store_offer_due(struct store *, time_t, int, store_offer_cb, void *);
int64_t store_offer_count_open(struct store *);

int store_request_insert(struct store *, struct request *);
int store_request_get(struct store *, int64_t, struct request *);
int store_request_set_state(struct store *, int64_t, enum request_state);
int store_request_list(struct store *, const struct store_filter *,
    store_request_cb, void *);
int store_request_due(struct store *, time_t, int, store_request_cb, void *);
int64_t store_request_count_open(struct store *);

int store_member_set_balance(struct store *, int64_t, int64_t);
int store_offer_set_remaining(struct store *, int64_t, int64_t);
int store_offer_set_flash(struct store *, int64_t);
int store_request_add_received(struct store *, int64_t, int64_t);
int64_t store_request_held(struct store *, int64_t);
int store_contributions(struct store *, time_t, store_pair_cb, void *);

int store_alloc_insert(struct store *, struct allocation *, const char *);
int store_alloc_get(struct store *, int64_t, struct allocation *);
int store_alloc_update(struct store *, const struct allocation *);
int store_alloc_find(struct store *, int64_t, int64_t, enum alloc_state,
    struct allocation *);
int store_alloc_list(struct store *, const struct store_filter *,
    store_alloc_cb, void *);
int store_alloc_open_offers(struct store *, store_alloc_cb, void *);
int store_alloc_by_offer(struct store *, int64_t, store_alloc_cb, void *);
int store_alloc_by_request(struct store *, int64_t, store_alloc_cb, void *);
char *store_alloc_reason(struct store *, int64_t);

int store_waste_insert(struct store *, struct waste *);
int store_people_report(struct store *, int64_t, time_t, int64_t, time_t);

int store_rule_set(struct store *, const char *, const char *, time_t,
    const char *);
int store_rules(struct store *, int (*)(void *, const char *, const char *),
    void *);
int store_meta_get(struct store *, const char *, char *, size_t);
int store_meta_set(struct store *, const char *, const char *);

/* Governance: proposals, votes, disputes, standings. Records come back
 * as JSON objects built by SQLite (new references). */
typedef int (*store_json_cb)(void *, json_t *);

/* A new proposal: what it changes, why, who asked, when voting ends. */
struct store_proposal {
	const char *kind;   /* rule, suspend, reinstate or admit */
	const char *key;    /* a rule's key, or "" */
	const char *value;  /* a rule's value, or "" */
	const char *member; /* the handle it concerns, or "" */
	const char *admit;  /* a new member's details as JSON text, or "" */
	const char *why;
	const char *by;
	time_t opened;
	time_t closes;
	int64_t members; /* who may vote */
};

int64_t store_proposal_insert(struct store *, const struct store_proposal *);
json_t *store_proposal_json(struct store *, int64_t);
int store_proposal_list(struct store *, const struct store_filter *,
    store_json_cb, void *);
int store_proposal_due(struct store *, time_t, store_json_cb, void *);
int store_proposal_close(struct store *, int64_t, int, time_t, const char *);
int store_proposal_admitting(struct store *, const char *, int64_t *);
int store_vote(struct store *, int64_t, int64_t, int, time_t);
int store_voted(struct store *, int64_t, int64_t);
int64_t store_dispute_insert(struct store *, int64_t, int64_t, int64_t,
    const char *, int64_t, const char *, time_t, time_t);
json_t *store_dispute_json(struct store *, int64_t);
int store_dispute_list(struct store *, const struct store_filter *,
    store_json_cb, void *);
int store_dispute_settle(struct store *, int64_t, int, const char *, time_t);
int store_member_set_standing(struct store *, int64_t, const char *, time_t);
int64_t store_noshows_since(struct store *, int64_t, time_t);
int store_standings_due(struct store *, store_json_cb, void *);
int store_members_covering(struct store *, const char *, store_json_cb, void *);
json_t *store_rules_json(struct store *);
int64_t store_voter_count(struct store *);
int64_t store_challenge_insert(struct store *, const char *, const char *,
    time_t);
json_t *store_challenge_json(struct store *, int64_t);
int store_challenge_list(struct store *, const struct store_filter *,
    store_json_cb, void *);
int store_challenge_close(struct store *, int64_t, int, time_t);
int store_set_challenge(struct store *, const char *, int64_t, int64_t);
int store_member_by_id(struct store *, int64_t, struct member *);

int store_backup(const char *, const char *, char **);
char *store_key_get(struct store *, int64_t, const char *, char **);
int store_key_put(struct store *, int64_t, const char *, const char *,
    const char *, time_t);
int store_member_set_token(struct store *, int64_t, const unsigned char *);
int64_t store_open_count(struct store *, const char *, int64_t);
int store_check(const char *, int64_t *, int64_t *, char **);

int store_event_insert(struct store *, const struct store_event *);
int store_event_last(struct store *, int64_t *, unsigned char *);
int store_event_scan(struct store *, int64_t, int, store_event_cb, void *);
int store_event_has_facts(struct store *);
int store_event_facts_scan(struct store *, int64_t, int, store_event_cb,
    void *);
int64_t store_event_count(struct store *);
int64_t store_event_first_at(struct store *);

const char *storage_name(unsigned);
int storage_parse(const char *, unsigned *);
char *storage_format(unsigned, char *, size_t);
unsigned storage_mask(const json_t *);
json_t *storage_json(unsigned);
const char *offer_state_name(enum offer_state);
const char *request_state_name(enum request_state);
const char *alloc_state_name(enum alloc_state);

#endif
