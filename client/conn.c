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

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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
	else if (strcmp(key, "ca") == 0)
		slot = &o->ca;
	else if (strcmp(key, "tls") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return 0;
		if (!st->endpoint_known)
			o->tls = o->tls || strcmp(value, "yes") == 0;
		return 1;
	} else
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
		if ((env = getenv("LARDER_TLS")) != NULL &&
		    strcmp(env, "1") == 0)
			o->tls = 1;
	}
	if (o->ca == NULL && (env = getenv("LARDER_CA")) != NULL &&
	    *env != '\0')
		o->ca = strdup(env);
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
		           "(addr, socket, token, tls = yes|no, ca) or not "
		           "key = value",
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

/*
 * Splits HOST:PORT (an IPv6 address in brackets) into host and port;
 * -1 when there is no port.
 */
static int
client_split_addr(const char *addr, char *host, size_t hostlen,
    const char **port)
{
	const char *colon = strrchr(addr, ':'), *start = addr, *end;

	if (colon == NULL || colon[1] == '\0')
		return -1;
	end = colon;
	if (*addr == '[') {
		if (colon == addr || colon[-1] != ']')
			return -1;
		start = addr + 1;
		end = colon - 1;
	}
	if ((size_t)(end - start) >= hostlen || end == start)
		return -1;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	*port = colon + 1;
	return 0;
}

/* Connects to HOST:PORT over TCP, HOST a name or an address. */
static int
client_dial_tcp(const char *addr)
{
	struct addrinfo hints, *res, *ai;
	const char *port;
	char host[256];
	int fd = -1, one = 1, rc, saved = 0;

	if (client_split_addr(addr, host, sizeof host, &port) != 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		errno = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
			break;
		}
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1 && saved != 0)
		errno = saved;
	return fd;
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

/* Reads what the server sent into c->in; the bytes read, or 0 or -1. */
static int
client_recv(struct client *c)
{
	char buf[16384];
	int n;

	if (c->ssl == NULL)
		return evbuffer_read(c->in, c->fd, 65536);
	if ((n = SSL_read(c->ssl, buf, sizeof buf)) <= 0)
		return SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN ? 0
		                                                         : -1;
	return evbuffer_add(c->in, buf, (size_t)n) == 0 ? n : -1;
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
		rc = client_recv(c);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			return -1;
	}
}

/* Writes all of a request line. */
static int
client_write_all(struct client *c, const char *buf, size_t len)
{
	ssize_t n;

	if (c->ssl != NULL)
		return SSL_write(c->ssl, buf, (int)len) == (int)len ? 0 : -1;
	while (len > 0) {
		n = write(c->fd, buf, len);
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
	rc = client_write_all(c, line, len + 1);
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

/* The first error OpenSSL queued, as text. */
static const char *
client_tls_error(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "the connection was closed";
	ERR_error_string_n(e, buf, sizeof buf);
	return buf;
}

/*
 * Starts TLS on the connected socket and checks the server's certificate:
 * signed by the CAs of --ca (or the system's), and naming the host of
 * HOST:PORT, by DNS name or IP address.
 */
static int
client_tls(struct client *c, const char *where)
{
	char host[256];
	const char *port;
	unsigned char ip[16];
	long verify;

	if (client_split_addr(where, host, sizeof host, &port) != 0)
		return -1; /* it was dialled, so it splits */
	c->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (c->ssl_ctx == NULL ||
	    SSL_CTX_set_min_proto_version(c->ssl_ctx, TLS1_2_VERSION) != 1)
		goto fail;
	SSL_CTX_set_verify(c->ssl_ctx, SSL_VERIFY_PEER, NULL);
	if (c->opts.ca != NULL
	        ? SSL_CTX_load_verify_locations(c->ssl_ctx, c->opts.ca, NULL) !=
	            1
	        : SSL_CTX_set_default_verify_paths(c->ssl_ctx) != 1) {
		fprintf(stderr, "larder: --ca %s: %s\n",
		    c->opts.ca != NULL ? c->opts.ca : "(system)",
		    client_tls_error());
		return -1;
	}
	if ((c->ssl = SSL_new(c->ssl_ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		goto fail;
	if (inet_pton(AF_INET, host, ip) == 1 ||
	    inet_pton(AF_INET6, host, ip) == 1) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		        host) != 1)
			goto fail;
	} else if (SSL_set1_host(c->ssl, host) != 1 ||
	    SSL_set_tlsext_host_name(c->ssl, host) != 1)
		goto fail;
	if (SSL_connect(c->ssl) == 1)
		return 0;
	verify = SSL_get_verify_result(c->ssl);
	if (verify != X509_V_OK) {
		fprintf(stderr,
		    "larder: the server at %s is not who it should be: %s\n",
		    where, X509_verify_cert_error_string(verify));
		return -1;
	}
fail:
	fprintf(stderr, "larder: TLS with %s failed: %s\n", where,
	    client_tls_error());
	return -1;
}

/* Connects and says hello, with the token or as the named member. */
int
client_connect(struct client *c)
{
	const struct client_opts *o = &c->opts;
	int tcp = o->addr != NULL || (o->socket == NULL && o->token != NULL);
	const char *where;
	json_t *args, *hello;

	if ((c->fd = client_dial(c, &where)) == -1) {
		fprintf(stderr, "larder: cannot reach larderd at %s: %s\n",
		    where, strerror(errno));
		return -1;
	}
	if (c->opts.tls &&
	    (tcp ? client_tls(c, where)
	         : (fprintf(stderr,
	                "larder: --tls is for TCP (--addr); "
	                "%s is a Unix socket\n",
	                where),
	               -1)) != 0)
		return -1;
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
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ssl_ctx);
	if (c->fd != -1)
		close(c->fd);
	if (c->in != NULL)
		evbuffer_free(c->in);
	json_decref(c->reply);
	free(c->opts.addr);
	free(c->opts.socket);
	free(c->opts.token);
	free(c->opts.as);
	free(c->opts.ca);
}
