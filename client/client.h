/* client.h: the larder command-line client's shared pieces. */
#ifndef LARDER_CLIENT_H
#define LARDER_CLIENT_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "proto.h"

#define CLIENT_TCP_DEFAULT   "127.0.0.1:7411"
#define CLIENT_SOCKET_LOCAL  "larder-state/larderd.sock"
#define CLIENT_SOCKET_SYSTEM "/run/larder/larderd.sock"

/* Exit statuses. */
#define EXIT_FAIL  1 /* the server said no, or could not be reached */
#define EXIT_USAGE 2 /* the command line was wrong */

/* Where to reach the daemon and as whom; from options, env, file. */
struct client_opts {
	char *addr;
	char *socket;
	char *token;
	char *as;
	char *ca; /* CA certificates to verify the server by, PEM */
	int tls;  /* TLS over TCP */
	int json;
};

struct client {
	struct client_opts opts;
	int fd;
	struct ssl_st *ssl; /* when the session runs over TLS */
	struct ssl_ctx_st *ssl_ctx;
	struct evbuffer *in;
	json_int_t next_id;
	json_t *reply; /* the last reply */
	time_t now;    /* the server's, at hello */
	char role[16];
	char network[128]; /* its name, at hello */
};

/* One command: its words, what it does, its usage and its function. */
struct command {
	const char *words;
	const char *summary;
	const char *usage;
	int (*fn)(struct client *, int, char **);
};

/* conn.c */
int client_settings(struct client_opts *, const char *, char **);
int client_connect(struct client *);
json_t *client_call(struct client *, const char *, json_t *);
json_t *client_next_event(struct client *);
void client_close(struct client *);

/* output.c */
char *out_kg(int64_t, char *, size_t);
char *out_when(json_t *, char *, size_t);
char *out_day(json_t *, char *, size_t);
char *out_list(json_t *, char *, size_t);
void out_json(json_t *);
int out_usage(const struct command *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int parse_grams_opt(const struct command *, const char *, int64_t *);
int parse_time_opt(struct client *, const struct command *, const char *, int,
    json_t *, const char *);
json_t *parse_list(const char *);
int parse_id(const struct command *, const char *, json_int_t *);
int parse_challenge_opt(const struct command *, const char *, json_t *);
int parse_word(const struct command *, const char *, const char *const *,
    const char *);

/* A listing command: the operation, its items' key, filters, printing. */
struct listing {
	const char *op;
	const char *key;
	const char *filters[3]; /* boolean options, NULL-terminated */
	void (*header)(void);
	void (*row)(json_t *);
};

/* An operation on one thing by id: argument name, reply key, printing. */
struct single {
	const char *op;
	const char *arg;
	const char *key;
	void (*print)(json_t *);
};

/* listing.c */
int listing_run(struct client *, const struct listing *, int, char **);
int single_run(struct client *, int, char **, const struct single *);

/* An operation on one match (or, for a claim, one offer) named by id. */
struct match_op {
	const char *op;
	const char *key; /* the id's argument: match or offer */
	unsigned opts;   /* MATCH_OPT_* */
};
#define MATCH_OPT_REASON    0x1 /* takes --reason TEXT */
#define MATCH_OPT_KG        0x2 /* takes --kg N, sent as grams */
#define MATCH_OPT_NEED_KG   0x4 /* and requires it */
#define MATCH_OPT_CHALLENGE 0x8 /* takes --challenge ID */

/* cmd_match.c, shared with match explain */
json_t *match_call(struct client *, int, char **, const struct match_op *,
    int *);
void match_summary(json_t *);

/* cmd_member.c: the options that describe a member, for member add and
 * member propose; member_detail_opt reads them */
/* clang-format off */
#define MEMBER_DETAIL_OPTIONS                                                  \
	{"name", required_argument, NULL, 'n'},                                \
	{"hub", required_argument, NULL, 'H'},                                 \
	{"people", required_argument, NULL, 'p'},                              \
	{"storage", required_argument, NULL, 's'},                             \
	{"catchment", required_argument, NULL, 'c'}
/* clang-format on */
int member_detail_opt(int, const char *, json_t *);

/* cmd_waste.c: the waste destinations, shared with offer post --fallback */
extern const char *const waste_destinations[];

/* one file of commands per noun */
int cmd_member_add(struct client *, int, char **);
int cmd_member_list(struct client *, int, char **);
int cmd_member_show(struct client *, int, char **);
int cmd_offer_post(struct client *, int, char **);
int cmd_offer_list(struct client *, int, char **);
int cmd_offer_show(struct client *, int, char **);
int cmd_offer_withdraw(struct client *, int, char **);
int cmd_request_post(struct client *, int, char **);
int cmd_request_list(struct client *, int, char **);
int cmd_request_show(struct client *, int, char **);
int cmd_request_cancel(struct client *, int, char **);
int cmd_match_list(struct client *, int, char **);
int cmd_match_show(struct client *, int, char **);
int cmd_match_accept(struct client *, int, char **);
int cmd_match_decline(struct client *, int, char **);
int cmd_match_collected(struct client *, int, char **);
int cmd_match_noshow(struct client *, int, char **);
int cmd_claim(struct client *, int, char **);
int cmd_explain(struct client *, int, char **);
int cmd_waste_record(struct client *, int, char **);
int cmd_fed_report(struct client *, int, char **);
int cmd_watch(struct client *, int, char **);
int cmd_clock_advance(struct client *, int, char **);
int cmd_clock_set(struct client *, int, char **);
int cmd_status(struct client *, int, char **);
int cmd_report(struct client *, int, char **);
int cmd_backup(struct client *, int, char **);
int cmd_member_token(struct client *, int, char **);
int cmd_simulate(struct client *, int, char **);
int cmd_log_verify(struct client *, int, char **);
int cmd_log_export(struct client *, int, char **);
int cmd_rules_show(struct client *, int, char **);
int cmd_rules_export(struct client *, int, char **);
int cmd_challenge_open(struct client *, int, char **);
int cmd_challenge_close(struct client *, int, char **);
int cmd_challenge_list(struct client *, int, char **);
int cmd_rules_propose(struct client *, int, char **);
int cmd_member_suspend(struct client *, int, char **);
int cmd_member_reinstate(struct client *, int, char **);
int cmd_member_propose(struct client *, int, char **);
int cmd_vote(struct client *, int, char **);
int cmd_proposal_list(struct client *, int, char **);
int cmd_proposal_show(struct client *, int, char **);
int cmd_dispute_raise(struct client *, int, char **);
int cmd_dispute_accept(struct client *, int, char **);
int cmd_dispute_reject(struct client *, int, char **);
int cmd_dispute_resolve(struct client *, int, char **);
int cmd_dispute_list(struct client *, int, char **);
int cmd_refer(struct client *, int, char **);

const struct command *command_current(void);

#endif
