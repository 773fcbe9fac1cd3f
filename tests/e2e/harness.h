/* harness.h: a real larderd in a temporary directory, for end-to-end tests. */
#ifndef LARDER_E2E_HARNESS_H
#define LARDER_E2E_HARNESS_H

#include <sys/types.h>

#include <time.h>

#include <jansson.h>

#define HARNESS_WAIT_MS  10000 /* start, a client run, a reply */
#define HARNESS_STOP_MS  5000  /* SIGTERM to exit */
#define HARNESS_LIMIT_S  100   /* a whole test executable */
#define HARNESS_MAX_ARGS 8     /* extra arguments to larderd */
#define HARNESS_PATH     256   /* bytes of a path in the test directory */

/* One larderd under test and the directory it lives in. */
struct daemon_ctx {
	char dir[HARNESS_PATH];      /* fresh, from mkdtemp */
	char state[HARNESS_PATH];    /* DIR/state */
	char sock[HARNESS_PATH];     /* DIR/state/larderd.sock */
	char db[HARNESS_PATH];       /* DIR/state/larder.db */
	char out_path[HARNESS_PATH]; /* larderd's stdout, appended */
	char err_path[HARNESS_PATH]; /* larderd's stderr, appended */
	char addr[32];               /* 127.0.0.1:PORT */
	int port;
	pid_t pid; /* -1 when not running */
	char *extra[HARNESS_MAX_ARGS + 1];
	const char *const *env; /* more environment, NULL-ended */
};

/* What one run of the larder client did. */
struct run {
	int status; /* exit status, or 128 + signal */
	char *out;
	char *err;
};

/* A raw protocol connection and the last reply read from it. */
struct wire {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	json_t *last;
};

void harness_init(void);
char *harness_slurp(const char *);
char *harness_time(char *, size_t, long);
int harness_contains(const char *, const char *);

struct daemon_ctx *daemon_new(void);
void daemon_run(struct daemon_ctx *, const char *, ...);
struct daemon_ctx *daemon_start(const char *, ...);
void daemon_restart(struct daemon_ctx *);
int daemon_stop(struct daemon_ctx *);
void daemon_kill(struct daemon_ctx *);
int daemon_alive(struct daemon_ctx *);
void daemon_free(struct daemon_ctx *);
char *daemon_token(struct daemon_ctx *, const char *);

struct run *run_larder(struct daemon_ctx *, const char *const *,
    const char *const *);
struct run *run_admin(struct daemon_ctx *, ...);
struct run *run_member(struct daemon_ctx *, const char *, ...);
struct run *run_larderd(struct daemon_ctx *, ...);
void run_free(struct run *);

struct wire *wire_unix(struct daemon_ctx *);
struct wire *wire_tcp(struct daemon_ctx *);
struct wire *wire_member(struct daemon_ctx *, const char *);
void wire_close(struct wire *);
void wire_send(struct wire *, const void *, size_t);
json_t *wire_next(struct wire *);
json_t *wire_recv(struct wire *);
json_t *wire_call(struct wire *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int wire_closed(struct wire *);

json_t *reply_result(json_t *);
const char *reply_message(json_t *);

void harness_assert_ok(json_t *, const char *, int);
void harness_assert_error(json_t *, const char *, const char *, int);
void harness_assert_id(json_t *, json_int_t, const char *, int);
void harness_assert_has(const char *, const char *, const char *, int);
void harness_assert_exit(const struct run *, int, const char *, int);

/* A reply that says ok; its error is printed when it does not. */
#define assert_reply_ok(r) harness_assert_ok((r), __FILE__, __LINE__)
/* A reply that is an error with this code. */
#define assert_reply_error(r, code)                                            \
	harness_assert_error((r), (code), __FILE__, __LINE__)
/* A reply whose id is this integer, or null when id is -1. */
#define assert_reply_id(r, id) harness_assert_id((r), (id), __FILE__, __LINE__)
/* Text that contains a fragment; both are printed when it does not. */
#define assert_has(text, part)                                                 \
	harness_assert_has((text), (part), __FILE__, __LINE__)
/* A client run that exited with this status; its output when not. */
#define assert_exit(run, status)                                               \
	harness_assert_exit((run), (status), __FILE__, __LINE__)

#endif
