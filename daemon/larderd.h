/* larderd.h: the daemon's shared state and the pieces that use it. */
#ifndef LARDER_LARDERD_H
#define LARDER_LARDERD_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "engine.h"
#include "idmap.h"
#include "exlog.h"
#include "proto.h"
#include "store.h"

struct event_base;
struct event;
struct evconnlistener;
struct session;

TAILQ_HEAD(session_list, session);

/* The whole daemon: one of these lives for the life of the process. */
struct larderd {
	struct config *conf;
	const char *config_path;
	char timezone[128];
	struct event_base *base;
	struct store *store;
	struct exlog *log;
	struct evconnlistener *tcp;
	struct evconnlistener *local;
	struct event *commit_ev;
	struct event *log_ev; /* writes held log lines at a turn's end */
	struct event *tick_ev;
	struct event *watchdog_ev;
	struct event *signals[5];
	struct session_list sessions;
	struct session_list waiting; /* replies held for commit */
	unsigned nsessions;
	uint64_t next_session;
	time_t started;
	int lock_fd;
	int full_logged;
	int stopping;
	struct engine *engine;    /* open offers and requests, the ledger */
	time_t contributions_day; /* the day contributions were counted */
	int engine_stale;         /* rebuild the engine from the store */
	int manual_clock;
	time_t clock;           /* the time, when the clock is manual */
	json_t *outbox;         /* events to tell watchers after commit */
	struct ssl_ctx_st *tls; /* TLS on TCP, when configured */
	struct idmap buckets;   /* member -> slot in rate, for rate limits */
	struct bucket *rate;
	size_t nrate;
	size_t ratecap;
	struct offer_text *offer_texts;      /* listed offers as JSON text */
	struct offer_page_text *offer_pages; /* listed pages as JSON text */
	struct status_text *status;          /* the last status result */
};

/* A member's token bucket: requests it may still make at once. */
struct bucket {
	double tokens;
	int64_t last_ms;
};

/* What a caller must be to use an operation. */
enum need {
	NEED_NONE,        /* anyone, before hello */
	NEED_SESSION,     /* any authenticated session */
	NEED_MEMBER,      /* a session acting as a member */
	NEED_COORDINATOR, /* a coordinator, or the administrator */
	NEED_ADMIN,       /* the administrator alone */
};

/* One request being handled: what came in and what goes back. */
struct call {
	struct larderd *d;
	struct session *s;
	const struct proto_request *req;
	time_t now;
	json_t *result;
	char *raw; /* or the result as JSON text, for long listings */
	enum proto_error code;
	char *message;
};

typedef int (*handler_fn)(struct call *);

/* A page of a listing being built, and the id of its last row. */
struct page {
	json_t *items;
	int64_t last;
};

#define PAGE_MAX 100 /* rows in one page of a listing */

/* server.c */
int server_setup(struct larderd *, char **);
int server_run(struct larderd *);
void server_teardown(struct larderd *);
void server_schedule_commit(struct larderd *);
time_t server_now(struct larderd *);
int server_step(struct larderd *, int (*)(struct larderd *, void *), void *);
int server_begin(struct larderd *, size_t *);
int server_end(struct larderd *, size_t, int);
int server_commit(struct larderd *);
int server_lock_state(struct larderd *, char **);

/* session.c */
void session_accept(struct larderd *, int, int);
void session_free(struct session *);
void session_flush_held(struct session *, int);
void session_close_all(struct larderd *, const char *);
int session_is_admin(const struct session *);
int session_authenticated(const struct session *);
const struct member *session_member(const struct session *);
void session_login(struct session *, const struct member *);
void session_logout(struct session *);
uint64_t session_id(const struct session *);
void session_watch(struct session *, const char *);
int session_any_watching(struct larderd *);
void session_broadcast(struct larderd *, json_t *);
/* The limits a session can hit; each is logged once per session. */
enum limit {
	LIMIT_HELLO_BYTES,
	LIMIT_HELLO_TIME,
	LIMIT_RATE,
	LIMIT_WATCH_BUFFER,
	LIMIT_OPEN_OFFERS,
	LIMIT_OPEN_REQUESTS,
};
void session_limit_hit(struct session *, enum limit);
void session_drop_member(struct larderd *, int64_t, struct session *,
    const char *);

/* tls.c */
int tls_init(struct larderd *, char **);
void tls_free(struct larderd *);
struct bufferevent *tls_bufferevent(struct larderd *, int);

/* dispatch.c */
char *dispatch(struct larderd *, struct session *,
    const struct proto_request *);
int dispatch_check_table(char **);
int call_open_cap(struct call *, const char *, int);
int call_fail(struct call *, enum proto_error, const char *, ...)
    __attribute__((format(printf, 3, 4)));
const char *call_actor(const struct call *);
int call_page_begin(struct call *, struct store_filter *, struct page *);
int call_page_end(struct call *, const char *, const struct store_filter *,
    struct page *, int);
int call_store_error(struct call *);
int call_record(struct call *, const char *, const char *);

/* handlers, one file each */
int h_hello(struct call *);
int h_status(struct call *);
int h_member_add(struct call *);
int h_member_list(struct call *);
int h_member_show(struct call *);
int h_member_token(struct call *);
int h_offer_post(struct call *);
int h_offer_list(struct call *);
int h_offer_show(struct call *);
int h_offer_withdraw(struct call *);
void h_offer_texts_free(struct larderd *);
json_t *offer_record_json(const struct offer *);
char *offer_record_text(const struct offer *);
json_t *request_record_json(const struct request *);
char *request_record_text(const struct request *);
void h_status_free(struct larderd *);
int h_request_post(struct call *);
int h_request_list(struct call *);
int h_request_show(struct call *);
int h_request_cancel(struct call *);
int h_log_verify(struct call *);
int h_log_export(struct call *);
int h_offer_claim(struct call *);
int h_match_list(struct call *);
int h_match_show(struct call *);
int h_match_accept(struct call *);
int h_match_decline(struct call *);
int h_match_collected(struct call *);
int h_match_noshow(struct call *);
int h_match_explain(struct call *);
int h_waste_record(struct call *);
int h_fed_report(struct call *);
int h_watch(struct call *);
int h_clock_advance(struct call *);
int h_clock_set(struct call *);
int h_report(struct call *);
int h_rules_show(struct call *);
int h_proposal_open(struct call *);
int h_proposal_vote(struct call *);
int h_proposal_list(struct call *);
int h_proposal_show(struct call *);
int h_dispute_raise(struct call *);
int h_dispute_accept(struct call *);
int h_dispute_reject(struct call *);
int h_dispute_resolve(struct call *);
int h_dispute_list(struct call *);
int h_refer(struct call *);

/* h_gov.c: sanctions and time, for matches, disputes and the sweep */
int gov_recount(struct larderd *, int64_t, time_t, int);
int gov_set_standing(struct larderd *, const struct member *, int, int64_t,
    time_t);
int gov_due(struct larderd *, time_t);
int gov_challenge_check(struct call *, json_int_t);
int h_challenge_open(struct call *);
int h_challenge_close(struct call *);
int h_challenge_list(struct call *);

/* h_report.c, for the sweep */
int report_monthly(struct larderd *, time_t);

/* h_waste.c, shared with the sweep */
int waste_destination_ok(const char *);
int waste_record(struct larderd *, struct waste *, const struct member *,
    const char *);

/* h_member.c, shared with the demo network and admission by vote */
int member_create(struct larderd *, struct member *, const char *, char *,
    char **);
int member_create_by_vote(struct larderd *, struct member *, int64_t, char **);
int member_parse(struct larderd *, json_t *, const char *, struct member *,
    char **);
json_t *member_json(const struct member *);

/* admit.c: admitting a member by proposal and vote */
int admit_check(struct call *, json_t **);
int admit_ready(struct larderd *, json_t *, char **);
int admit_apply(struct larderd *, json_t *, char **);

/* market.c: the engine's decisions, kept in the store and the log */
int market_open(struct larderd *, char **);
void market_close(struct larderd *);
int market_reload(struct larderd *);
int market_apply(struct larderd *, struct engine_out *, time_t);
int market_finish(struct larderd *, time_t, int, struct engine_out *);
int market_record(struct larderd *, const struct engine_proposal *,
    enum alloc_state, time_t, int64_t, struct allocation *);
int market_log_alloc(struct larderd *, time_t, const char *, const char *,
    const struct allocation *, json_t *);
int market_member(struct larderd *, const struct member *);
int market_offer_posted(struct larderd *, const struct offer *, time_t);
int market_request_posted(struct larderd *, const struct request *, time_t);
int market_tick(struct larderd *, time_t);
int market_sync_offer(struct larderd *, int64_t, time_t);
int market_save_balances(struct larderd *);
int market_end_offer(struct larderd *, int64_t, time_t);
int market_end_request(struct larderd *, int64_t, time_t);
int market_settle_offer(struct larderd *, int64_t, time_t);
time_t market_deadline(const struct larderd *, const struct offer *);

/* sweep.c */
int sweep_due(struct larderd *, void *);

/* demo.c */
int demo_seed(struct larderd *, void *);

#endif
