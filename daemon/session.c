/*
 * session.c: one client connection: framing its lines, knowing who it is,
 * and writing its replies in order, holding those that wait for a commit.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "larderd.h"
#include "log.h"

#define SESSION_READ 16384 /* bytes read from a socket at most at once */

/* A reply that may go out only once the group transaction commits. */
struct held {
	TAILQ_ENTRY(held) entry;
	json_t *id;
	char *line;
};

struct session {
	TAILQ_ENTRY(session) entry;
	TAILQ_ENTRY(session) wentry;
	TAILQ_HEAD(, held) held;
	struct larderd *d;
	struct bufferevent *bev;
	struct event *reap;
	uint64_t id;
	int local;
	int admin;
	int authed;
	int has_member;
	int waiting;
	int closing;
	int watching;
	int direct;       /* replies may go straight to the socket (not TLS) */
	struct event *rd; /* reads a direct session's socket itself */
	unsigned limits_logged; /* each limit is logged once a session */
	size_t unauth_bytes;    /* read before hello, on TCP */
	struct event *hello_ev; /* closes a TCP session silent too long */
	char watch_hub[STORE_HANDLE_MAX + 1];
	struct member member;
};

static void session_read_cb(struct bufferevent *, void *);
static void session_recv_cb(evutil_socket_t, short, void *);
static void session_reap_cb(evutil_socket_t, short, void *);
static int session_hello_timer(struct session *);
static void session_write_cb(struct bufferevent *, void *);
static void session_event_cb(struct bufferevent *, short, void *);

int
session_is_admin(const struct session *s)
{
	return s->admin;
}

int
session_authenticated(const struct session *s)
{
	return s->authed;
}

/* Returns the member this session acts as, or NULL. */
const struct member *
session_member(const struct session *s)
{
	return s->has_member ? &s->member : NULL;
}

uint64_t
session_id(const struct session *s)
{
	return s->id;
}

/* Forgets who the session acted for: back to its state at connection. */
void
session_logout(struct session *s)
{
	s->authed = s->admin;
	s->has_member = 0;
}

/* Marks the session as acting for a member (or, with NULL, for none). */
void
session_login(struct session *s, const struct member *m)
{
	s->authed = 1;
	s->has_member = m != NULL;
	if (m != NULL)
		s->member = *m;
}

/*
 * Decides whether a peer on the Unix socket is the administrator: the
 * daemon's own user or root, by the kernel's word.
 */
static int
session_peer_is_admin(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	return cred.uid == 0 || cred.uid == geteuid();
}

/* Whether a new connection on fd is a TLS one (TCP, TLS configured). */
static int
session_is_tls(struct larderd *d, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	return d->tls != NULL &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family != AF_UNIX;
}

/* Turns a connection away when the daemon already has all it may. */
static void
session_refuse(struct larderd *d, int fd)
{
	char *line;

	if (!d->full_logged)
		log_warnx("limit: %u sessions reached; refusing new ones",
		    d->nsessions);
	d->full_logged = 1;
	line = proto_reply_error(NULL, PROTO_UNAVAILABLE,
	    "the server has too many sessions; try again later");
	/* Over TLS a plain line would be noise: the close says enough. */
	if (line != NULL && !session_is_tls(d, fd) &&
	    write(fd, line, strlen(line)) == -1)
		log_debug("listener: refusal not delivered");
	free(line);
	close(fd);
}

/* Takes a new connection from a listener. */
void
session_accept(struct larderd *d, int fd, int local)
{
	struct session *s;
	struct timeval idle = {d->conf->idle_timeout, 0};

	if (d->nsessions >= (unsigned)d->conf->max_sessions) {
		session_refuse(d, fd);
		return;
	}
	d->full_logged = 0;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		close(fd);
		return;
	}
	TAILQ_INIT(&s->held);
	s->d = d;
	s->id = ++d->next_session;
	s->local = local;
	s->admin = local && session_peer_is_admin(fd);
	s->authed = s->admin;
	s->direct = local || d->tls == NULL;
	s->bev = !s->direct
	    ? tls_bufferevent(d, fd)
	    : bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL) {
		close(fd);
		free(s);
		return;
	}
	s->reap = evtimer_new(d->base, session_reap_cb, s);
	if (s->reap == NULL) {
		bufferevent_free(s->bev);
		free(s);
		return;
	}
	if (!local && session_hello_timer(s) != 0) {
		bufferevent_free(s->bev);
		event_free(s->reap);
		free(s);
		return;
	}
	bufferevent_setcb(s->bev, session_read_cb, NULL, session_event_cb, s);
	if (s->direct) {
		/* See session_recv_cb: the bufferevent only writes. */
		s->rd = event_new(d->base, fd, EV_READ | EV_PERSIST,
		    session_recv_cb, s);
		if (s->rd == NULL ||
		    event_add(s->rd,
		        d->conf->idle_timeout > 0 ? &idle : NULL) != 0) {
			if (s->rd != NULL)
				event_free(s->rd);
			if (s->hello_ev != NULL)
				event_free(s->hello_ev);
			bufferevent_free(s->bev);
			event_free(s->reap);
			free(s);
			return;
		}
		bufferevent_enable(s->bev, EV_WRITE);
	} else {
		bufferevent_set_timeouts(s->bev,
		    d->conf->idle_timeout > 0 ? &idle : NULL, NULL);
		bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	}
	TAILQ_INSERT_TAIL(&d->sessions, s, entry);
	d->nsessions++;
	log_info("session %llu: opened on %s%s", (unsigned long long)s->id,
	    local ? "the local socket" : "tcp",
	    s->admin ? " by the administrator" : "");
}

static void
session_free_held(struct session *s)
{
	struct held *h;

	while ((h = TAILQ_FIRST(&s->held)) != NULL) {
		TAILQ_REMOVE(&s->held, h, entry);
		json_decref(h->id);
		free(h->line);
		free(h);
	}
}

/* Ends a session at once, dropping anything still unsent. */
void
session_free(struct session *s)
{
	struct larderd *d = s->d;

	if (s->waiting)
		TAILQ_REMOVE(&d->waiting, s, wentry);
	session_free_held(s);
	TAILQ_REMOVE(&d->sessions, s, entry);
	d->nsessions--;
	if (s->rd != NULL)
		event_free(s->rd);
	bufferevent_free(s->bev);
	event_free(s->reap);
	if (s->hello_ev != NULL)
		event_free(s->hello_ev);
	log_info("session %llu: closed", (unsigned long long)s->id);
	free(s);
	if (d->stopping && d->nsessions == 0)
		event_base_loopbreak(d->base);
}

static void session_closing(struct session *, const char *);

/* Closes a TCP session that has not said hello in time. */
static void
session_hello_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;

	(void)fd;
	(void)what;
	if (s->authed || s->closing)
		return;
	session_limit_hit(s, LIMIT_HELLO_TIME);
	session_closing(s, "no hello in time");
}

/* Arms the timer within which a TCP session must say hello. */
static int
session_hello_timer(struct session *s)
{
	struct timeval tv = {s->d->conf->hello_timeout, 0};

	s->hello_ev = evtimer_new(s->d->base, session_hello_cb, s);
	return s->hello_ev == NULL || evtimer_add(s->hello_ev, &tv) != 0 ? -1
	                                                                 : 0;
}

static void
session_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	session_free(arg);
}

/*
 * Ends a session once what it has been sent has gone out. It is never
 * freed here, since callers may still be looking at it: with nothing left
 * to send, a zero timer frees it from the loop.
 */
static void
session_close_after_write(struct session *s)
{
	static const struct timeval now = {0, 0};

	s->closing = 1;
	if (s->rd != NULL)
		event_del(s->rd);
	bufferevent_disable(s->bev, EV_READ);
	bufferevent_setcb(s->bev, NULL, session_write_cb, session_event_cb, s);
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0 &&
	    TAILQ_EMPTY(&s->held))
		evtimer_add(s->reap, &now);
}

static void
session_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	session_free(arg);
}

/*
 * Writes bytes to the client. When nothing is queued before them they go
 * straight to the socket, which saves the bufferevent turning write
 * interest on and off for every reply; whatever the socket does not take
 * now, or an error, is left to the bufferevent to finish or report.
 */
static void
session_write(struct session *s, const char *buf, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	ssize_t n = 0;

	if (s->direct && evbuffer_get_length(out) == 0) {
		n = send(bufferevent_getfd(s->bev), buf, len,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			n = 0;
	}
	if ((size_t)n < len)
		bufferevent_write(s->bev, buf + n, len - (size_t)n);
}

/* Queues a reply line; a NULL line (out of memory) ends the session. */
static void
session_send(struct session *s, char *line)
{
	if (line == NULL) {
		log_error("session %llu: cannot build a reply",
		    (unsigned long long)s->id);
		session_close_after_write(s);
		return;
	}
	session_write(s, line, strlen(line));
	free(line);
}

/*
 * Sends a reply now, or holds it when the group transaction has changes
 * that are not yet on disk: the reply may depend on them, and replies on
 * one session leave in the order their requests came.
 */
static void
session_reply(struct session *s, json_t *id, char *line)
{
	struct larderd *d = s->d;
	struct held *h;

	if (!s->waiting && !store_writing(d->store)) {
		store_commit(d->store);
		session_send(s, line);
		return;
	}
	if (line == NULL || (h = calloc(1, sizeof *h)) == NULL) {
		free(line);
		session_send(s, NULL);
		return;
	}
	h->id = json_incref(id);
	h->line = line;
	TAILQ_INSERT_TAIL(&s->held, h, entry);
	if (!s->waiting) {
		s->waiting = 1;
		TAILQ_INSERT_TAIL(&d->waiting, s, wentry);
	}
	server_schedule_commit(d);
}

/*
 * Releases held replies after the commit. When the commit failed, none of
 * their changes were kept, so each is answered unavailable instead.
 */
void
session_flush_held(struct session *s, int committed)
{
	struct held *h;

	TAILQ_REMOVE(&s->d->waiting, s, wentry);
	s->waiting = 0;
	while ((h = TAILQ_FIRST(&s->held)) != NULL) {
		TAILQ_REMOVE(&s->held, h, entry);
		if (committed)
			session_send(s, h->line);
		else {
			free(h->line);
			session_send(s,
			    proto_reply_error(h->id, PROTO_UNAVAILABLE,
			        "the change could not be saved; "
			        "nothing was changed"));
		}
		json_decref(h->id);
		free(h);
	}
}

/* Handles one complete line from the client. */
static void
session_line(struct session *s, const char *line, size_t len)
{
	struct proto_request req;
	struct proto_fault fault = {0};

	if (proto_decode(line, len, &req, &fault) != 0) {
		log_debug("session %llu: %s: %s", (unsigned long long)s->id,
		    proto_error_name(fault.code), fault.message);
		session_reply(s, req.id,
		    proto_reply_error(req.id, fault.code, fault.message));
		if (fault.close)
			session_close_after_write(s);
		proto_request_clear(&req);
		proto_fault_clear(&fault);
		return;
	}
	session_reply(s, req.id, dispatch(s->d, s, &req));
	proto_request_clear(&req);
}

/* Reads every complete line that has arrived. */
static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;
	char *line;
	size_t len;
	int rc;

	while (!s->closing) {
		rc = proto_frame_next(bufferevent_get_input(bev),
		    PROTO_MAX_LINE, &line, &len);
		if (rc == 0)
			break;
		if (rc == -1) {
			log_info("session %llu: line over " PROTO_MAX_LINE_TEXT
			         " bytes; closing",
			    (unsigned long long)s->id);
			session_reply(s, NULL,
			    proto_reply_error(NULL, PROTO_TOO_LARGE,
			        "a line may hold at most " PROTO_MAX_LINE_TEXT
			        " bytes; closing the session"));
			session_close_after_write(s);
			break;
		}
		s->unauth_bytes += s->authed ? 0 : len + 1;
		session_line(s, line, len);
		free(line);
	}
	if (!s->closing && !s->authed && !s->local &&
	    s->unauth_bytes + evbuffer_get_length(bufferevent_get_input(bev)) >
	        (size_t)s->d->conf->hello_bytes) {
		session_limit_hit(s, LIMIT_HELLO_BYTES);
		session_send(s,
		    proto_reply_error(NULL, PROTO_UNAUTHENTICATED,
		        "too much sent before hello; closing the session"));
		session_close_after_write(s);
	}
}

/* Tells a session why it is about to be closed, then closes it. */
static void
session_closing(struct session *s, const char *reason)
{
	json_t *body = json_pack("{s:s}", "reason", reason);

	session_send(s, proto_event_line("closing", 0, body));
	json_decref(body);
	session_close_after_write(s);
}

/* Closes a session that sent nothing for the idle timeout. */
static void
session_idle(struct session *s)
{
	log_info("session %llu: idle for %d seconds; closing",
	    (unsigned long long)s->id, s->d->conf->idle_timeout);
	session_closing(s, "idle timeout");
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;

	(void)bev;
	/* A TLS session reports its finished handshake; nothing to do. */
	if (what == BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_TIMEOUT) {
		session_idle(s);
		return;
	}
	session_free(s);
}

/*
 * Reads a direct session's socket: one recv into the bufferevent's input
 * a wakeup, then the lines as session_read_cb reads them. A bufferevent
 * asks the socket how much is waiting before each read, a third system
 * call for every request of a client that waits for each reply; this
 * reads up to SESSION_READ bytes without asking, into one buffer shared
 * by every session (the loop has one thread), and copies what came into
 * the input: a request is a few hundred bytes, and space reserved in the
 * input for a whole read was a 16 kB allocation, made and freed again
 * for every request (about 1% of offer.post's instructions). The end of
 * the stream, or an error, ends the session as the bufferevent's would;
 * the event's timeout, renewed by every read, is the idle timeout.
 */
static void
session_recv_cb(evutil_socket_t fd, short what, void *arg)
{
	static char buf[SESSION_READ];
	struct session *s = arg;
	struct evbuffer *in = bufferevent_get_input(s->bev);
	ssize_t n;
	int rc;

	if (what & EV_TIMEOUT) {
		session_idle(s);
		return;
	}
	n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		session_free(s);
		return;
	}
	/* The bufferevent keeps its input's end frozen between its reads. */
	evbuffer_unfreeze(in, 0);
	rc = evbuffer_add(in, buf, (size_t)n);
	evbuffer_freeze(in, 0);
	if (rc != 0) {
		session_free(s);
		return;
	}
	session_read_cb(s->bev, s);
}

/* Logs that a session hit a limit, once per session and limit. */
void
session_limit_hit(struct session *s, enum limit which)
{
	static const char *const names[] = {
	    [LIMIT_HELLO_BYTES] = "hello_bytes",
	    [LIMIT_HELLO_TIME] = "hello_timeout",
	    [LIMIT_RATE] = "rate",
	    [LIMIT_WATCH_BUFFER] = "watch_buffer",
	    [LIMIT_OPEN_OFFERS] = "open_offers",
	    [LIMIT_OPEN_REQUESTS] = "open_requests",
	};
	unsigned bit = 1U << which;

	if (s->limits_logged & bit)
		return;
	s->limits_logged |= bit;
	log_info("session %llu: limit hit: %s", (unsigned long long)s->id,
	    names[which]);
}

/*
 * Reads a direct session's socket with no idle timeout from now on. An
 * event keeps the timeout it was first added with even when added again
 * without one, so the read event is replaced; freeing the old one from
 * within its own callback, as here, is safe.
 */
static void
session_untimed(struct session *s)
{
	struct event *rd;

	rd = event_new(s->d->base, event_get_fd(s->rd), EV_READ | EV_PERSIST,
	    session_recv_cb, s);
	if (rd == NULL || event_add(rd, NULL) != 0) {
		log_warnx("session %llu: out of memory; the idle timeout "
		          "still applies",
		    (unsigned long long)s->id);
		if (rd != NULL)
			event_free(rd);
		return;
	}
	event_free(s->rd);
	s->rd = rd;
}

/* Starts sending this session the events that concern it. */
void
session_watch(struct session *s, const char *hub)
{
	/*
	 * A watcher only listens, so the idle timeout no longer applies; one
	 * that stops reading is caught by [limits] watch_buffer instead.
	 */
	if (s->rd != NULL)
		session_untimed(s);
	else
		bufferevent_set_timeouts(s->bev, NULL, NULL);
	s->watching = 1;
	proto_copy(s->watch_hub, sizeof s->watch_hub, hub != NULL ? hub : "");
}

/* Whether a watching session should be told of an event. */
static int
session_concerned(const struct session *s, json_t *event)
{
	const char *hub = json_string_value(json_object_get(event, "hub"));
	const char *member, *donor;

	if (s->watch_hub[0] != '\0' &&
	    (hub == NULL || strcmp(hub, s->watch_hub) != 0))
		return 0;
	if (s->admin || (s->has_member && s->member.coordinator))
		return 1;
	if (!s->has_member)
		return 0;
	member = json_string_value(json_object_get(event, "member"));
	donor = json_string_value(json_object_get(event, "donor"));
	return (member != NULL && strcmp(member, s->member.handle) == 0) ||
	    (donor != NULL && strcmp(donor, s->member.handle) == 0);
}

/* Whether any session is watching events. */
int
session_any_watching(struct larderd *d)
{
	struct session *s;

	TAILQ_FOREACH(s, &d->sessions, entry)
	{
		if (s->watching && !s->closing)
			return 1;
	}
	return 0;
}

/* Sends a committed event to every watching session it concerns. */
void
session_broadcast(struct larderd *d, json_t *event)
{
	struct session *s;
	const char *kind = json_string_value(json_object_get(event, "kind"));
	json_int_t seq = json_integer_value(json_object_get(event, "seq"));

	TAILQ_FOREACH(s, &d->sessions, entry)
	{
		if (!s->watching || s->closing || !session_concerned(s, event))
			continue;
		if (evbuffer_get_length(bufferevent_get_output(s->bev)) >
		    (size_t)d->conf->watch_buffer) {
			session_limit_hit(s, LIMIT_WATCH_BUFFER);
			session_closing(s,
			    "too slow: events are piling up "
			    "unread");
			continue;
		}
		session_send(s, proto_event_line(kind, seq, event));
	}
}

/*
 * Ends every session but keep that signed in with a member's token, now
 * rotated or revoked.
 */
void
session_drop_member(struct larderd *d, int64_t member, struct session *keep,
    const char *reason)
{
	struct session *s;

	TAILQ_FOREACH(s, &d->sessions, entry)
	{
		if (s != keep && s->has_member && !s->admin &&
		    s->member.id == member && !s->closing) {
			session_logout(s);
			session_closing(s, reason);
		}
	}
}

/* Tells every session why it is being closed, then closes it. */
void
session_close_all(struct larderd *d, const char *reason)
{
	struct session *s, *next;

	for (s = TAILQ_FIRST(&d->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->closing)
			continue;
		session_closing(s, reason);
	}
}
