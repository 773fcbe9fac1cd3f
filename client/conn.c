/*
 * conn.c: reaching larderd: choosing the address, saying hello,
 * sending one request at a time and reading its reply, and reading the
 * events a watching session receives.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/util.h>
#include <ini.h>

#include "client.h"

/* What a settings file may fill in, and whether it may name the endpoint. */
struct settings {
	struct client_opts *opts;
	int endpoint_known; /* an address or socket came from nearer */
};

/* Takes addr, socket and token from a client settings file. */
static int
client_settings_key(void *arg, const char *section, const char *key,
    const char *value)
{
	struct settings *st = arg;
	struct client_opts *o = st->opts;
	char **slot;

	(void)section;
	if (strcmp(key, "addr") == 0)
		slot = &o->addr;
	else if (strcmp(key, "socket") == 0)
		slot = &o->socket;
	else if (strcmp(key, "token") == 0)
		slot = &o->token;
	else
		return 0;
	if (slot != &o->token && st->endpoint_known)
		return 1;
	if (*slot == NULL)
		*slot = strdup(value);
	return 1;
}

/*
 * Fills what the command line left unset from the environment, then from
 * the settings file (LARDER_CONFIG, or ~/.config/larder/larder.conf).
 * Where to connect comes whole from the nearest source that names it: an
 * address or socket on the command line hides both in the environment
 * and the file. A missing default file is fine; a broken one is an error.
 */
int
client_settings(struct client_opts *o, const char *path, char **cause)
{
	const char *home, *env;
	struct settings st;
	char buf[4096];
	int rc;

	if (o->addr == NULL && o->socket == NULL) {
		if ((env = getenv("LARDER_ADDR")) != NULL && *env != '\0')
			o->addr = strdup(env);
		if ((env = getenv("LARDER_SOCKET")) != NULL && *env != '\0')
			o->socket = strdup(env);
	}
	if (o->token == NULL && (env = getenv("LARDER_TOKEN")) != NULL &&
	    *env != '\0')
		o->token = strdup(env);
	if (path == NULL)
		path = getenv("LARDER_CONFIG");
	if (path == NULL && (home = getenv("HOME")) != NULL) {
		snprintf(buf, sizeof buf, "%s/.config/larder/larder.conf",
		    home);
		if (access(buf, F_OK) != 0)
			return 0;
		path = buf;
	}
	if (path == NULL)
		return 0;
	st.opts = o;
	st.endpoint_known = o->addr != NULL || o->socket != NULL;
	rc = ini_parse(path, client_settings_key, &st);
	if (rc == -1)
		return asprintf(cause, "%s: %s", path, strerror(errno)), -1;
	if (rc != 0)
		return asprintf(cause,
		           "%s:%d: not a key this client knows "
		           "(addr, socket, token) or not key = value",
		           path, rc),
		       -1;
	return 0;
}

/* Connects to a Unix socket path; -1 with errno set on failure. */
static int
client_dial_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Connects to HOST:PORT over TCP. */
static int
client_dial_tcp(const char *addr)
{
	struct sockaddr_storage ss;
	int len = sizeof ss, fd, one = 1;

	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &len) !=
	    0) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)len) == 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		return fd;
	}
	close(fd);
	return -1;
}

/*
 * Chooses where to connect: an explicit address or socket; with a token,
 * TCP on the default port; otherwise the administrator's local socket,
 * first in ./larder-state, then the system's.
 */
static int
client_dial(struct client *c, const char **where)
{
	const struct client_opts *o = &c->opts;

	if (o->addr != NULL)
		return client_dial_tcp(*where = o->addr);
	if (o->socket != NULL)
		return client_dial_unix(*where = o->socket);
	if (o->token != NULL)
		return client_dial_tcp(*where = CLIENT_TCP_DEFAULT);
	*where = CLIENT_SOCKET_LOCAL;
	if (access(CLIENT_SOCKET_LOCAL, F_OK) != 0)
		*where = CLIENT_SOCKET_SYSTEM;
	return client_dial_unix(*where);
}

/* Reads one reply line; -1 when the connection ends first. */
static int
client_read_line(struct client *c, char **line, size_t *len)
{
	int rc;

	for (;;) {
		rc = proto_frame_next(c->in, PROTO_MAX_REPLY, line, len);
		if (rc != 0)
			return rc == 1 ? 0 : -1;
		rc = evbuffer_read(c->in, c->fd, 65536);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			return -1;
	}
}

/* Writes all of a request line. */
static int
client_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends a request and waits for its reply, skipping event lines. */
static int
client_exchange(struct client *c, json_t *req)
{
	char *text, *line;
	size_t len;
	int rc;

	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (text == NULL)
		return -1;
	/* One write with its newline: two would wait on delayed ACKs. */
	len = strlen(text);
	line = malloc(len + 1);
	if (line != NULL) {
		memcpy(line, text, len);
		line[len] = '\n';
	}
	free(text);
	if (line == NULL)
		return -1;
	rc = client_write_all(c->fd, line, len + 1);
	free(line);
	if (rc != 0)
		return -1;
	for (;;) {
		if (client_read_line(c, &line, &len) != 0)
			return -1;
		json_decref(c->reply);
		c->reply = json_loadb(line, len, 0, NULL);
		free(line);
		if (c->reply != NULL &&
		    json_object_get(c->reply, "event") == NULL)
			return 0;
	}
}

/*
 * Sends a request and returns its result (borrowed, valid until the next
 * call), or prints the server's error and returns NULL. With --json the
 * whole reply object is printed as it came.
 */
json_t *
client_call(struct client *c, const char *op, json_t *args)
{
	json_t *req, *err;
	const char *msg;

	if (c->fd == -1 && client_connect(c) != 0) {
		json_decref(args);
		return NULL;
	}
	req = args != NULL ? args : json_object();
	json_object_set_new(req, "v", json_integer(PROTO_VERSION));
	json_object_set_new(req, "id", json_integer(++c->next_id));
	json_object_set_new(req, "op", json_string(op));
	if (client_exchange(c, req) != 0) {
		fprintf(stderr, "larder: the connection to larderd was lost\n");
		return NULL;
	}
	if (c->opts.json && strcmp(op, "hello") != 0)
		out_json(c->reply);
	if (json_is_true(json_object_get(c->reply, "ok")))
		return json_object_get(c->reply, "result");
	err = json_object_get(c->reply, "error");
	msg = json_string_value(json_object_get(err, "message"));
	if (!c->opts.json)
		fprintf(stderr, "larder: %s (%s)\n",
		    msg != NULL ? msg : "the server refused",
		    json_string_value(json_object_get(err, "code")));
	return NULL;
}

/*
 * Reads the next line the server sends, an event or a reply, without
 * sending anything. Returns it (the caller's reference), or NULL when the
 * connection has ended. Lines that are not JSON are skipped, as
 * client_exchange skips them.
 */
json_t *
client_next_event(struct client *c)
{
	json_t *obj;
	char *line;
	size_t len;

	if (c->fd == -1)
		return NULL;
	for (;;) {
		if (client_read_line(c, &line, &len) != 0)
			return NULL;
		obj = json_loadb(line, len, 0, NULL);
		free(line);
		if (json_is_object(obj))
			return obj;
		json_decref(obj);
	}
}

/* Adopts the server's time zone and clock from its hello reply. */
static void
client_adopt(struct client *c, json_t *hello)
{
	const char *tz, *role, *now, *network;

	tz = json_string_value(json_object_get(hello, "timezone"));
	if (tz != NULL) {
		setenv("TZ", tz, 1);
		tzset();
	}
	now = json_string_value(json_object_get(hello, "now"));
	if (now == NULL || proto_time_parse(now, &c->now) != 0)
		c->now = time(NULL);
	role = json_string_value(json_object_get(hello, "role"));
	snprintf(c->role, sizeof c->role, "%s", role != NULL ? role : "");
	network = json_string_value(json_object_get(hello, "network"));
	snprintf(c->network, sizeof c->network, "%s",
	    network != NULL ? network : "");
}

/* Connects and says hello, with the token or as the named member. */
int
client_connect(struct client *c)
{
	const char *where;
	json_t *args, *hello;

	if ((c->fd = client_dial(c, &where)) == -1) {
		fprintf(stderr, "larder: cannot reach larderd at %s: %s\n",
		    where, strerror(errno));
		return -1;
	}
	if ((c->in = evbuffer_new()) == NULL)
		return -1;
	args = json_object();
	if (c->opts.token != NULL)
		json_object_set_new(args, "token", json_string(c->opts.token));
	if (c->opts.as != NULL)
		json_object_set_new(args, "as", json_string(c->opts.as));
	json_object_set_new(args, "client",
	    json_string("larder " LARDER_VERSION));
	if ((hello = client_call(c, "hello", args)) == NULL) {
		if (c->opts.json)
			out_json(c->reply);
		return -1;
	}
	client_adopt(c, hello);
	return 0;
}

void
client_close(struct client *c)
{
	if (c->fd != -1)
		close(c->fd);
	if (c->in != NULL)
		evbuffer_free(c->in);
	json_decref(c->reply);
	free(c->opts.addr);
	free(c->opts.socket);
	free(c->opts.token);
	free(c->opts.as);
}
