/*
 * server.c: larderd's event loop: listeners, signals, the periodic sweep
 * and the group commit that makes every acknowledged change durable.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "larderd.h"
#include "log.h"
#include "notify.h"

#define SWEEP_INTERVAL 10 /* seconds between looks at deadlines */
#define PRIO_IO        0
#define PRIO_COMMIT    1 /* after every session of the turn */

/* Returns the daemon's idea of the current time. */
time_t
server_now(struct larderd *d)
{
	return d->manual_clock ? d->clock : time(NULL);
}

/* Keeps each event the log takes, to tell watchers once it commits. */
static void
server_heard(void *arg, json_t *event, const char *text, size_t len)
{
	struct larderd *d = arg;

	/* An event written without its object is kept as its text. */
	if (event != NULL)
		json_array_append(d->outbox, event);
	else
		json_array_append_new(d->outbox,
		    json_stringn_nocheck(text, len));
}

/*
 * Tells watchers of the events this turn committed. Most turns have no
 * watcher, and an event kept as its text is read back only for one.
 */
static void
server_tell(struct larderd *d)
{
	json_t *v, *event;
	size_t i;

	if (!session_any_watching(d))
		return;
	for (i = 0; i < json_array_size(d->outbox); i++) {
		v = json_array_get(d->outbox, i);
		if (!json_is_string(v)) {
			session_broadcast(d, v);
			continue;
		}
		event = json_loadb(json_string_value(v), json_string_length(v),
		    0, NULL);
		if (event != NULL)
			session_broadcast(d, event);
		json_decref(event);
	}
	json_array_clear(d->outbox);
}

/*
 * Commits everything this turn of the loop changed in one transaction,
 * then releases the replies that waited for it and tells watchers what
 * happened. If the commit fails, none of those changes happened: each
 * waiting request is answered unavailable, and the exchange log's head
 * and the engine are rebuilt from the store.
 */
int
server_commit(struct larderd *d)
{
	struct session *s;
	char why[200];
	int ok;

	ok = store_commit(d->store) == 0;
	if (store_checkpoint_failed(d->store, why, sizeof why))
		log_warnx("store: checkpoint failed: %s; the write-ahead log "
		          "grows until one succeeds",
		    why);
	if (!ok) {
		log_error("store: commit failed: %s", store_errmsg(d->store));
		store_rollback(d->store);
		exlog_reload(d->log);
		market_reload(d);
	}
	while ((s = TAILQ_FIRST(&d->waiting)) != NULL)
		session_flush_held(s, ok);
	if (ok)
		server_tell(d);
	json_array_clear(d->outbox);
	return ok ? 0 : -1;
}

static void
server_commit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	server_commit(arg);
}

/* Writes the log lines this turn held. */
static void
server_log_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	log_flush();
}

/* Has the held log lines written once this turn's requests are done. */
static void
server_log_wake(void *arg)
{
	struct larderd *d = arg;

	event_active(d->log_ev, EV_TIMEOUT, 0);
}

/* Makes sure the group commit runs once this turn's requests are done. */
void
server_schedule_commit(struct larderd *d)
{
	if (!event_pending(d->commit_ev, EV_TIMEOUT, NULL))
		event_active(d->commit_ev, EV_TIMEOUT, 0);
}

/* Opens one step (a request, a sweep) of the group transaction. */
int
server_begin(struct larderd *d, size_t *mark)
{
	*mark = json_array_size(d->outbox);
	if (store_step_begin(d->store) != 0) {
		log_error("store: cannot begin: %s", store_errmsg(d->store));
		return -1;
	}
	return 0;
}

/*
 * Ends a step, keeping its changes when ok. A step that failed leaves no
 * change, no event for watchers, and an engine rebuilt from the store if
 * it had touched it. The reply waits for the commit when anything was
 * written; a read-only step ends its transaction at once.
 */
int
server_end(struct larderd *d, size_t mark, int ok)
{
	int rc, lost = 0;

	/* The ledger's changes go with the step that made them. */
	if (ok && !d->engine_stale && market_save_balances(d) != 0) {
		log_error("store: cannot save the ledger: %s",
		    store_errmsg(d->store));
		d->engine_stale = 1;
		ok = 0;
		lost = 1;
	}
	rc = store_step_end(d->store, ok);
	if (lost)
		rc = -1;

	if (!ok || rc != 0) {
		while (json_array_size(d->outbox) > mark)
			json_array_remove(d->outbox,
			    json_array_size(d->outbox) - 1);
		if (d->engine_stale)
			market_reload(d);
	}
	if (store_writing(d->store))
		server_schedule_commit(d);
	else
		store_commit(d->store);
	return rc;
}

/*
 * Runs fn as one step of the group transaction, like a request: its
 * changes are kept only when it returns 0.
 */
int
server_step(struct larderd *d, int (*fn)(struct larderd *, void *), void *arg)
{
	size_t mark;
	int rc;

	if (server_begin(d, &mark) != 0)
		return -1;
	rc = fn(d, arg);
	if (server_end(d, mark, rc == 0) != 0)
		rc = -1;
	return rc;
}

/* A line for systemd's status: what the daemon holds now. */
static void
server_status(struct larderd *d, char *buf, size_t len)
{
	snprintf(buf, len,
	    "%u sessions, %lld members, %lld open offers, "
	    "%lld open requests",
	    d->nsessions, (long long)store_member_count(d->store),
	    (long long)store_offer_count_open(d->store),
	    (long long)store_request_count_open(d->store));
}

static void
server_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct larderd *d = arg;
	char status[160];

	(void)fd;
	(void)what;
	server_step(d, sweep_due, NULL);
	server_status(d, status, sizeof status);
	notify_status(status);
}

static void
server_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	(void)l;
	(void)len;
	session_accept(arg, fd, sa->sa_family == AF_UNIX);
}

static void
server_accept_error_cb(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	log_warnx("listener: accept failed: %s",
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* Listens on TCP at the configured HOST:PORT. */
static int
server_listen_tcp(struct larderd *d, char **cause)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;

	if (d->conf->listen == NULL)
		return 0;
	if (tls_init(d, cause) != 0)
		return -1;
	if (evutil_parse_sockaddr_port(d->conf->listen, (struct sockaddr *)&ss,
	        &len) != 0)
		return asprintf(cause, "listen: cannot parse %s",
		           d->conf->listen),
		       -1;
	d->tcp = evconnlistener_new_bind(d->base, server_accept_cb, d,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&ss, len);
	if (d->tcp == NULL)
		return asprintf(cause, "listen %s: %s", d->conf->listen,
		           strerror(errno)),
		       -1;
	evconnlistener_set_error_cb(d->tcp, server_accept_error_cb);
	log_info("listening on %s%s", d->conf->listen,
	    d->tls != NULL ? " (TLS)" : "");
	return 0;
}

/*
 * Listens on the Unix socket, mode 0660. The lock taken earlier means no
 * other larderd uses this state directory, so a leftover socket file is
 * stale; a live daemon on the same socket path is still refused.
 */
static int
server_listen_unix(struct larderd *d, char **cause)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	proto_copy(sun.sun_path, sizeof sun.sun_path, d->conf->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd != -1 && connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		close(fd);
		return asprintf(cause, "%s: another larderd is listening there",
		           sun.sun_path),
		       -1;
	}
	if (fd != -1)
		close(fd);
	unlink(sun.sun_path);
	old = umask(0117);
	d->local = evconnlistener_new_bind(d->base, server_accept_cb, d,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128,
	    (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (d->local == NULL)
		return asprintf(cause, "%s: %s", sun.sun_path, strerror(errno)),
		       -1;
	evconnlistener_set_error_cb(d->local, server_accept_error_cb);
	log_info("listening on %s", sun.sun_path);
	return 0;
}

/* Creates the state directory and locks it against a second daemon. */
int
server_lock_state(struct larderd *d, char **cause)
{
	char *path;

	if (mkdir(d->conf->state_dir, 0750) != 0 && errno != EEXIST)
		return asprintf(cause, "%s: %s", d->conf->state_dir,
		           strerror(errno)),
		       -1;
	if (asprintf(&path, "%s/larderd.lock", d->conf->state_dir) == -1)
		return asprintf(cause, "out of memory"), -1;
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	free(path);
	if (d->lock_fd == -1)
		return asprintf(cause, "%s/larderd.lock: %s",
		           d->conf->state_dir, strerror(errno)),
		       -1;
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0)
		return asprintf(cause,
		           "%s: another larderd is using this state directory",
		           d->conf->state_dir),
		       -1;
	return 0;
}

/*
 * Rereads the configuration file. Only the log level changes at run time;
 * the rest (paths, listeners, limits) applies at the next start.
 */
static void
server_reload(struct larderd *d)
{
	struct config *c;
	char *cause = NULL;

	if (d->config_path == NULL) {
		log_info("sighup: no configuration file to reload");
		return;
	}
	c = config_new();
	if (c == NULL || config_load(c, d->config_path, &cause) != 0) {
		log_warnx("sighup: keeping the running configuration: %s",
		    cause != NULL ? cause : "out of memory");
		free(cause);
		config_free(c);
		return;
	}
	log_set_level(c->log_level);
	d->conf->log_level = c->log_level;
	log_info("sighup: log level is %s; other settings apply at the "
	         "next start",
	    config_log_level_name(c->log_level));
	config_free(c);
}

/* SIGUSR1: debug logging on, or back to the configured level. */
static void
server_toggle_debug(struct larderd *d)
{
	if (log_get_level() == LOG_LEVEL_DEBUG &&
	    d->conf->log_level != LOG_LEVEL_DEBUG) {
		log_info("sigusr1: debug logging off");
		log_set_level(d->conf->log_level);
		return;
	}
	log_set_level(LOG_LEVEL_DEBUG);
	log_info("sigusr1: debug logging on; send SIGUSR1 again to stop");
}

static void
server_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_watchdog();
}

/* Stops on SIGTERM or SIGINT: answers what is done, then drains. */
static void
server_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct larderd *d = arg;
	struct timeval drain = {2, 0};

	(void)what;
	if (sig == SIGHUP) {
		server_reload(d);
		return;
	}
	if (sig == SIGUSR1) {
		server_toggle_debug(d);
		return;
	}
	if (d->stopping)
		return;
	d->stopping = 1;
	log_info("%s: stopping", sig == SIGTERM ? "sigterm" : "sigint");
	notify_stopping();
	if (d->tcp != NULL)
		evconnlistener_disable(d->tcp);
	if (d->local != NULL)
		evconnlistener_disable(d->local);
	server_commit(d);
	session_close_all(d, "larderd is stopping");
	if (d->nsessions == 0)
		event_base_loopbreak(d->base);
	else
		event_base_loopexit(d->base, &drain);
}

/* Pings systemd's watchdog from the loop at half the interval it asks. */
static int
server_watchdog(struct larderd *d, char **cause)
{
	uint64_t usec = notify_watchdog_usec();
	struct timeval tv;

	if (usec == 0)
		return 0;
	tv.tv_sec = (time_t)(usec / 2 / 1000000);
	tv.tv_usec = (suseconds_t)(usec / 2 % 1000000);
	d->watchdog_ev =
	    event_new(d->base, -1, EV_PERSIST, server_watchdog_cb, d);
	if (d->watchdog_ev == NULL || event_add(d->watchdog_ev, &tv) != 0)
		return asprintf(cause, "cannot start the watchdog timer"), -1;
	log_info("watchdog: pinging systemd every %lld ms",
	    (long long)(usec / 2000));
	return 0;
}

static int
server_events(struct larderd *d, char **cause)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
	struct timeval tv = {SWEEP_INTERVAL, 0};
	size_t i;

	if (event_base_priority_init(d->base, 2) != 0)
		return asprintf(cause, "cannot set event priorities"), -1;
	d->commit_ev = event_new(d->base, -1, 0, server_commit_cb, d);
	d->log_ev = event_new(d->base, -1, 0, server_log_cb, d);
	d->tick_ev = event_new(d->base, -1, EV_PERSIST, server_tick_cb, d);
	if (d->commit_ev == NULL || d->log_ev == NULL || d->tick_ev == NULL)
		return asprintf(cause, "out of memory"), -1;
	event_priority_set(d->commit_ev, PRIO_COMMIT);
	event_priority_set(d->log_ev, PRIO_COMMIT);
	event_add(d->tick_ev, &tv);
	if (server_watchdog(d, cause) != 0)
		return -1;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		d->signals[i] =
		    evsignal_new(d->base, sigs[i], server_signal_cb, d);
		if (d->signals[i] == NULL ||
		    event_add(d->signals[i], NULL) != 0)
			return asprintf(cause, "cannot catch signals"), -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * Sets the clock. A manual clock starts where it stood when the daemon
 * last stopped, or at the real time the first time.
 */
static int
server_clock(struct larderd *d, char **cause)
{
	char buf[32];
	int rc;

	d->manual_clock = d->conf->manual_clock;
	if (!d->manual_clock)
		return 0;
	d->clock = time(NULL);
	rc = store_meta_get(d->store, "clock", buf, sizeof buf);
	if (rc < 0)
		return asprintf(cause, "store: %s", store_errmsg(d->store)), -1;
	if (rc == 1)
		d->clock = (time_t)strtoll(buf, NULL, 10);
	log_info("clock: manual, at %lld", (long long)d->clock);
	return 0;
}

/*
 * Notes in the database what offline reports (larder report --db) need
 * to give the daemon's figures: the network's name and the factors.
 */
static int
server_remember(struct larderd *d, char **cause)
{
	char meal[32], co2e[32];

	snprintf(meal, sizeof meal, "%lld",
	    (long long)d->conf->factors.grams_per_meal);
	snprintf(co2e, sizeof co2e, "%.17g", d->conf->factors.co2e_per_kg);
	if (store_meta_set(d->store, "network_name", d->conf->network_name) !=
	        0 ||
	    store_meta_set(d->store, "grams_per_meal", meal) != 0 ||
	    store_meta_set(d->store, "co2e_per_kg", co2e) != 0)
		return asprintf(cause, "store: %s", store_errmsg(d->store)), -1;
	return 0;
}

/* Sets up everything the loop needs; on error *cause says what failed. */
int
server_setup(struct larderd *d, char **cause)
{
	TAILQ_INIT(&d->sessions);
	TAILQ_INIT(&d->waiting);
	d->lock_fd = -1;
	d->started = time(NULL);
	if (server_lock_state(d, cause) != 0)
		return -1;
	if ((d->store = store_open(d->conf->database, 0, cause)) == NULL ||
	    store_checkpoint_start(d->store, STORE_CHECKPOINT_PAGES, cause) !=
	        0)
		return -1;
	if (store_cache(d->store, d->conf->cache_mb) != 0)
		log_warnx("store: cannot keep %d MB of the database in memory",
		    d->conf->cache_mb);
	if (store_open_counts_load(d->store) != 0)
		return asprintf(cause, "store: cannot count open offers: %s",
		           store_errmsg(d->store)),
		       -1;
	if ((d->log = exlog_open(d->store, cause)) == NULL)
		return -1;
	log_info("store: %s, %lld members, %lld events", d->conf->database,
	    (long long)store_member_count(d->store),
	    (long long)exlog_last_seq(d->log));
	if ((d->outbox = json_array()) == NULL)
		return asprintf(cause, "out of memory"), -1;
	exlog_set_listener(d->log, server_heard, d);
	if (server_clock(d, cause) != 0 || market_open(d, cause) != 0 ||
	    server_remember(d, cause) != 0)
		return -1;
	if ((d->base = event_base_new()) == NULL)
		return asprintf(cause, "cannot create the event loop"), -1;
	if (server_events(d, cause) != 0)
		return -1;
	proto_set_max_depth(d->conf->json_depth);
	if (server_listen_unix(d, cause) != 0)
		return -1;
	return server_listen_tcp(d, cause);
}

/* Runs the loop until a signal stops it. */
int
server_run(struct larderd *d)
{
	char status[160];
	int rc;

	server_step(d, sweep_due, NULL);
	server_status(d, status, sizeof status);
	notify_ready(status);
	log_hold(server_log_wake, d);
	rc = event_base_dispatch(d->base);
	log_hold(NULL, NULL);
	return rc == -1 ? -1 : 0;
}

void
server_teardown(struct larderd *d)
{
	struct session *s;
	size_t i;

	while ((s = TAILQ_FIRST(&d->sessions)) != NULL)
		session_free(s);
	if (d->local != NULL) {
		evconnlistener_free(d->local);
		unlink(d->conf->socket_path);
	}
	if (d->tcp != NULL)
		evconnlistener_free(d->tcp);
	for (i = 0; i < sizeof d->signals / sizeof d->signals[0]; i++) {
		if (d->signals[i] != NULL)
			event_free(d->signals[i]);
	}
	if (d->tick_ev != NULL)
		event_free(d->tick_ev);
	if (d->watchdog_ev != NULL)
		event_free(d->watchdog_ev);
	if (d->commit_ev != NULL)
		event_free(d->commit_ev);
	if (d->log_ev != NULL)
		event_free(d->log_ev);
	if (d->base != NULL)
		event_base_free(d->base);
	h_offer_texts_free(d);
	h_status_free(d);
	market_close(d);
	idmap_free(&d->buckets);
	tls_free(d);
	free(d->rate);
	json_decref(d->outbox);
	exlog_free(d->log);
	store_close(d->store);
	if (d->lock_fd != -1)
		close(d->lock_fd);
}
