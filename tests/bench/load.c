/*
 * load.c: a closed-loop load generator for larderd and, as the peer
 * measured in the same run, redis-server. Each of N connections sends one
 * request, waits for its reply, and sends the next, for a fixed time; the
 * run prints throughput and latency percentiles. It also prepares both
 * servers: members and their tokens for larderd, keys and a list for
 * Redis. It prints figures and judges nothing (tests/bench/run does).
 *
 *	load larder-setup SOCKET TOKENS MEMBERS [OFFERS_EACH]
 *	load redis-setup HOST:PORT
 *	load run larder|redis HOST:PORT OP [-c CONNS] [-t SECONDS]
 *	    [-w WARMUP] [-k TOKENS]
 *
 * Larder's operations: offer.post, request.post, status, offer.list, mix
 * (offers, requests, match.list, accepts and collections); Redis's: set,
 * get, lrange. The offers of offer.post are good for one to five days and
 * the requests of request.post end in two to six, an hour apart from one
 * to the next, as food comes: a benchmark whose offers all shared one
 * date would hide what storing them in date order costs.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define LOAD_MAX_CONNS  4096
#define LOAD_LINE       2048
#define LOAD_DATES      96  /* dates an hour apart, for offers and requests */
#define LOAD_VALUE_LEN  450 /* bytes of an offer as offer.show prints it */
#define LOAD_LIST_ITEMS 50
#define LOAD_PIPELINE   128 /* requests in flight while setting up */

enum load_target { LOAD_LARDER, LOAD_REDIS };

/* One pending follow-up in the mix: a match to accept or to collect. */
struct load_todo {
	long long match;
	long long grams; /* 0: accept; else collect this many */
};

struct load_conn {
	int fd;
	int ready;        /* hello answered (always for Redis) */
	int index;        /* which connection, for keys and members */
	long long nextid; /* the request id, for Larder */
	long long sent;   /* requests sent, for keys */
	int step;         /* where in the mix's cycle */
	int busy;         /* a request is waiting for its reply */
	char handle[64];
	char token[128];
	struct load_todo todo[16];
	int ntodo;
	double start; /* when the request in flight was sent */
	char *in;
	size_t inlen, insize;
};

struct load_run {
	enum load_target target;
	const char *op;
	struct load_conn *conns;
	int nconns;
	int measuring;
	uint32_t *lat; /* microseconds, one per measured reply */
	size_t nlat, lat_size;
	long long errors;
	long long kinds[6]; /* mix: offers, requests, lists, accepts, ... */
	char value[LOAD_VALUE_LEN + 1];
	char use_by[32], by[32];
	char use_bys[LOAD_DATES][32], bys[LOAD_DATES][32];
};

static void load_fatal(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Prints why the run cannot go on and exits. */
static void
load_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "load: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Returns monotonic seconds. */
static double
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the RFC 3339 time that is ahead seconds from now. */
static void
load_time_ahead(char *buf, size_t len, long ahead)
{
	time_t t = time(NULL) + ahead;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Connects to HOST:PORT over TCP with Nagle off, or exits. */
static int
load_connect_tcp(const char *addr)
{
	struct sockaddr_in sin;
	char host[64];
	const char *colon = strrchr(addr, ':');
	int fd, one = 1;

	if (colon == NULL || (size_t)(colon - addr) >= sizeof host)
		load_fatal("%s: want HOST:PORT", addr);
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		load_fatal("%s: not an IPv4 address", host);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		load_fatal("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		load_fatal("connect %s: %s", addr, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Connects to a Unix socket, or exits. */
static int
load_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		load_fatal("%s: path too long", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		load_fatal("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		load_fatal("connect %s: %s", path, strerror(errno));
	return fd;
}

/* Writes all of buf to a blocking socket, or exits. */
static void
load_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			load_fatal("write: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* Appends what the socket has to c's input buffer; 0 at end of file. */
static ssize_t
load_fill(struct load_conn *c)
{
	ssize_t n;

	if (c->insize - c->inlen < 65536) {
		c->insize = c->insize * 2 + 65536;
		if ((c->in = realloc(c->in, c->insize)) == NULL)
			load_fatal("out of memory");
	}
	do
		n = read(c->fd, c->in + c->inlen, c->insize - c->inlen);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		c->inlen += (size_t)n;
	return n;
}

/* Drops the first n bytes of c's input buffer. */
static void
load_consume(struct load_conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* Reads one reply line on a blocking socket and decodes it, or exits. */
static json_t *
load_read_reply(struct load_conn *c)
{
	json_error_t error;
	json_t *reply;
	char *nl;
	size_t len;

	while ((nl = memchr(c->in, '\n', c->inlen)) == NULL)
		if (load_fill(c) <= 0)
			load_fatal("the server closed the connection");
	len = (size_t)(nl - c->in);
	reply = json_loadb(c->in, len, 0, &error);
	if (reply == NULL)
		load_fatal("bad reply: %s", error.text);
	load_consume(c, len + 1);
	return reply;
}

/* Fails the run when a setup reply is an error. */
static json_t *
load_expect_ok(json_t *reply)
{
	if (!json_is_true(json_object_get(reply, "ok")))
		load_fatal("setup request refused: %s",
		    json_string_value(json_object_get(
		        json_object_get(reply, "error"), "message")));
	return reply;
}

/*
 * Registers members m0..mN-1 over the administrator's socket and writes
 * "handle token" lines to TOKENS; with OFFERS_EACH, also posts that many
 * open offers for each member (for offer.list and the memory figure).
 * Requests are pipelined, LOAD_PIPELINE at a time.
 */
static int
load_larder_setup(int argc, char **argv)
{
	struct load_conn c;
	char line[LOAD_LINE], use_by[32];
	FILE *out;
	json_t *reply;
	long members, each, i, j, inflight = 0;
	double t0 = load_now();

	if (argc < 3)
		load_fatal("usage: load larder-setup SOCKET TOKENS MEMBERS "
		           "[OFFERS_EACH]");
	members = atol(argv[2]);
	each = argc > 3 ? atol(argv[3]) : 0;
	memset(&c, 0, sizeof c);
	c.fd = load_connect_unix(argv[0]);
	if ((out = fopen(argv[1], "w")) == NULL)
		load_fatal("%s: %s", argv[1], strerror(errno));
	for (i = 0; i < members; i++) {
		snprintf(line, sizeof line,
		    "{\"v\":1,\"id\":%ld,\"op\":\"member.add\","
		    "\"handle\":\"m%ld\",\"name\":\"Member %ld\","
		    "\"hub\":\"h%ld\",\"people\":%ld,"
		    "\"storage\":[\"ambient\",\"chilled\"]}\n",
		    i, i, i, i % 5, 20 + (i * 37) % 300);
		load_write_all(c.fd, line, strlen(line));
		if (++inflight < LOAD_PIPELINE && i + 1 < members)
			continue;
		for (; inflight > 0; inflight--) {
			reply = load_expect_ok(load_read_reply(&c));
			fprintf(out, "%s %s\n",
			    json_string_value(json_object_get(
			        json_object_get(
			            json_object_get(reply, "result"), "member"),
			        "handle")),
			    json_string_value(json_object_get(
			        json_object_get(reply, "result"), "token")));
			json_decref(reply);
		}
	}
	if (fclose(out) != 0)
		load_fatal("%s: %s", argv[1], strerror(errno));
	load_time_ahead(use_by, sizeof use_by, 5 * 86400);
	for (i = 0; i < members && each > 0; i++) {
		/* The administrator acts as each member in turn. */
		snprintf(line, sizeof line,
		    "{\"v\":1,\"id\":1,\"op\":\"hello\",\"as\":\"m%ld\"}\n", i);
		load_write_all(c.fd, line, strlen(line));
		json_decref(load_expect_ok(load_read_reply(&c)));
		for (j = 0; j < each; j++) {
			snprintf(line, sizeof line,
			    "{\"v\":1,\"id\":%ld,\"op\":\"offer.post\","
			    "\"category\":\"bakery\",\"grams\":%ld,"
			    "\"use_by\":\"%s\",\"note\":\"setup\"}\n",
			    j, 1000 + (i * 131 + j * 17) % 20000, use_by);
			load_write_all(c.fd, line, strlen(line));
			if (++inflight < LOAD_PIPELINE && j + 1 < each)
				continue;
			for (; inflight > 0; inflight--)
				json_decref(
				    load_expect_ok(load_read_reply(&c)));
		}
	}
	close(c.fd);
	free(c.in);
	printf("setup: %ld members, %ld offers, %.1f s\n", members,
	    members * each, load_now() - t0);
	return 0;
}

/* Sends one RESP command made of n arguments on a blocking socket. */
static void
load_resp_send(int fd, int n, const char **args, const size_t *lens)
{
	char head[64];
	int i;

	snprintf(head, sizeof head, "*%d\r\n", n);
	load_write_all(fd, head, strlen(head));
	for (i = 0; i < n; i++) {
		snprintf(head, sizeof head, "$%zu\r\n", lens[i]);
		load_write_all(fd, head, strlen(head));
		load_write_all(fd, args[i], lens[i]);
		load_write_all(fd, "\r\n", 2);
	}
}

/*
 * Says how long the complete RESP reply at buf is: its length, 0 when
 * more bytes are needed, -1 when it is not RESP.
 */
static ssize_t
load_resp_reply(const char *buf, size_t len)
{
	const char *crlf;
	size_t head, off;
	ssize_t part;
	long n, i;

	if (len < 3 || (crlf = memmem(buf, len, "\r\n", 2)) == NULL)
		return 0;
	head = (size_t)(crlf - buf) + 2;
	switch (buf[0]) {
	case '+':
	case '-':
	case ':':
		return (ssize_t)head;
	case '$':
		n = atol(buf + 1);
		if (n < 0)
			return (ssize_t)head;
		return len >= head + (size_t)n + 2 ? (ssize_t)(head + n + 2)
		                                   : 0;
	case '*':
		n = atol(buf + 1);
		for (i = 0, off = head; i < n; i++, off += (size_t)part) {
			part = load_resp_reply(buf + off, len - off);
			if (part <= 0)
				return part;
		}
		return (ssize_t)off;
	default:
		return -1;
	}
}

/* Reads one RESP reply on a blocking socket and drops it, or exits. */
static void
load_resp_wait(struct load_conn *c)
{
	ssize_t n;

	while ((n = load_resp_reply(c->in, c->inlen)) == 0)
		if (load_fill(c) <= 0)
			load_fatal("redis closed the connection");
	if (n < 0 || c->in[0] == '-')
		load_fatal("redis refused a setup command");
	load_consume(c, (size_t)n);
}

/* Fills a value of an offer's size with printable bytes. */
static void
load_value(char *v)
{
	int i;

	for (i = 0; i < LOAD_VALUE_LEN; i++)
		v[i] = (char)('a' + i % 26);
	v[LOAD_VALUE_LEN] = '\0';
}

/* Gives Redis the keys GET reads and the list LRANGE reads. */
static int
load_redis_setup(int argc, char **argv)
{
	struct load_conn c;
	char value[LOAD_VALUE_LEN + 1], key[32];
	const char *args[3];
	size_t lens[3];
	int i;

	if (argc < 1)
		load_fatal("usage: load redis-setup HOST:PORT");
	memset(&c, 0, sizeof c);
	c.fd = load_connect_tcp(argv[0]);
	load_value(value);
	args[0] = "DEL";
	args[1] = "offers";
	lens[0] = 3;
	lens[1] = 6;
	load_resp_send(c.fd, 2, args, lens);
	load_resp_wait(&c);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "offer:%d", i);
		args[0] = "SET";
		args[1] = key;
		args[2] = value;
		lens[0] = 3;
		lens[1] = strlen(key);
		lens[2] = LOAD_VALUE_LEN;
		load_resp_send(c.fd, 3, args, lens);
		load_resp_wait(&c);
		if (i >= 100)
			continue;
		args[0] = "RPUSH";
		args[1] = "offers";
		lens[0] = 5;
		lens[1] = 6;
		load_resp_send(c.fd, 3, args, lens);
		load_resp_wait(&c);
	}
	close(c.fd);
	free(c.in);
	printf("setup: redis has 1000 keys and a list of 100 offers\n");
	return 0;
}

/* Writes the next mix request of c into buf: a cycle over five steps. */
static int
load_mix_line(struct load_run *r, struct load_conn *c, char *buf, size_t len)
{
	long long id = c->nextid;

	if (c->ntodo > 0) {
		struct load_todo *t = &c->todo[--c->ntodo];

		if (t->grams == 0) {
			r->kinds[3]++;
			return snprintf(buf, len,
			    "{\"v\":1,\"id\":%lld,\"op\":\"match.accept\","
			    "\"match\":%lld}\n",
			    id, t->match);
		}
		r->kinds[4]++;
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"match.collected\","
		    "\"match\":%lld,\"grams\":%lld}\n",
		    id, t->match, t->grams);
	}
	switch (c->step++ % 4) {
	case 0:
		r->kinds[0]++;
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"offer.post\","
		    "\"category\":\"produce\",\"grams\":4000,"
		    "\"divisible\":false,\"use_by\":\"%s\"}\n",
		    id, r->use_by);
	case 1:
		r->kinds[1]++;
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"request.post\","
		    "\"categories\":[\"produce\"],\"grams\":4000,"
		    "\"by\":\"%s\"}\n",
		    id, r->by);
	case 2:
		r->kinds[2]++;
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"match.list\","
		    "\"open\":true,\"limit\":16}\n",
		    id);
	default:
		r->kinds[5]++;
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"status\"}\n", id);
	}
}

/* Learns from a match.list reply what c should accept or collect. */
static void
load_mix_learn(struct load_conn *c, const char *line, size_t len)
{
	json_t *reply, *matches, *m;
	size_t i;
	const char *state, *member;

	if ((reply = json_loadb(line, len, 0, NULL)) == NULL)
		return;
	matches = json_object_get(json_object_get(reply, "result"), "matches");
	json_array_foreach(matches, i, m)
	{
		state = json_string_value(json_object_get(m, "state"));
		member = json_string_value(json_object_get(m, "member"));
		if (state == NULL || member == NULL ||
		    strcmp(member, c->handle) != 0 ||
		    c->ntodo == (int)(sizeof c->todo / sizeof c->todo[0]))
			continue;
		if (strcmp(state, "proposed") == 0)
			c->todo[c->ntodo++] = (struct load_todo){
			    json_integer_value(json_object_get(m, "id")), 0};
		else if (strcmp(state, "accepted") == 0)
			c->todo[c->ntodo++] = (struct load_todo){
			    json_integer_value(json_object_get(m, "id")),
			    json_integer_value(json_object_get(m, "grams"))};
	}
	json_decref(reply);
}

/* Writes c's next Larder request line into buf. */
static int
load_larder_line(struct load_run *r, struct load_conn *c, char *buf, size_t len)
{
	long long id = ++c->nextid;

	if (strcmp(r->op, "status") == 0)
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"status\"}\n", id);
	if (strcmp(r->op, "offer.list") == 0)
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"offer.list\","
		    "\"limit\":%d}\n",
		    id, LOAD_LIST_ITEMS);
	if (strcmp(r->op, "offer.post") == 0)
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"offer.post\","
		    "\"category\":\"bakery\",\"grams\":%lld,"
		    "\"use_by\":\"%s\",\"note\":\"loaves and rolls\"}\n",
		    id, 1000 + (c->sent * 37) % 20000,
		    r->use_bys[(c->index * 7 + c->sent * 13) % LOAD_DATES]);
	if (strcmp(r->op, "request.post") == 0)
		return snprintf(buf, len,
		    "{\"v\":1,\"id\":%lld,\"op\":\"request.post\","
		    "\"categories\":[\"dairy\"],\"grams\":%lld,"
		    "\"by\":\"%s\",\"standing\":true}\n",
		    id, 1000 + (c->sent * 37) % 20000,
		    r->bys[(c->index * 7 + c->sent * 13) % LOAD_DATES]);
	return load_mix_line(r, c, buf, len);
}

/* Sends c's next request: a Larder line or a RESP command. */
static void
load_send(struct load_run *r, struct load_conn *c)
{
	char buf[LOAD_LINE], key[32];
	size_t len;
	int n;

	if (r->target == LOAD_LARDER)
		n = load_larder_line(r, c, buf, sizeof buf);
	else {
		snprintf(key, sizeof key, "offer:%d:%lld", c->index, c->sent);
		if (strcmp(r->op, "set") == 0)
			n = snprintf(buf, sizeof buf,
			    "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%d\r\n%s\r\n",
			    strlen(key), key, LOAD_VALUE_LEN, r->value);
		else if (strcmp(r->op, "get") == 0) {
			snprintf(key, sizeof key, "offer:%lld",
			    (c->sent * 7 + c->index) % 1000);
			n = snprintf(buf, sizeof buf,
			    "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", strlen(key),
			    key);
		} else
			n = snprintf(buf, sizeof buf,
			    "*4\r\n$6\r\nLRANGE\r\n$6\r\noffers\r\n"
			    "$1\r\n0\r\n$2\r\n%d\r\n",
			    LOAD_LIST_ITEMS - 1);
	}
	len = (size_t)n;
	c->sent++;
	c->busy = 1;
	c->start = load_now();
	/* Requests are small: the socket's buffer always takes one whole. */
	load_write_all(c->fd, buf, len);
}

/* Counts one reply: its latency when measuring, and whether it failed. */
static void
load_count(struct load_run *r, struct load_conn *c, int failed)
{
	double us = (load_now() - c->start) * 1e6;

	c->busy = 0;
	if (!r->measuring)
		return;
	if (failed)
		r->errors++;
	if (r->nlat == r->lat_size) {
		r->lat_size = r->lat_size * 2 + 65536;
		r->lat = realloc(r->lat, r->lat_size * sizeof *r->lat);
		if (r->lat == NULL)
			load_fatal("out of memory");
	}
	r->lat[r->nlat++] = us > 4e9 ? UINT32_MAX : (uint32_t)us;
}

/*
 * Handles what arrived on c: for each complete reply, counts it and sends
 * the next request unless the run is over. Returns -1 when c closed.
 */
static int
load_readable(struct load_run *r, struct load_conn *c, int stopping)
{
	char *nl;
	ssize_t n;
	size_t len;
	int failed;

	if (load_fill(c) <= 0)
		return -1;
	for (;;) {
		if (r->target == LOAD_LARDER) {
			if ((nl = memchr(c->in, '\n', c->inlen)) == NULL)
				return 0;
			len = (size_t)(nl - c->in) + 1;
			failed = memmem(c->in, len, "\"ok\":true", 9) == NULL;
			if (!c->ready) {
				if (failed)
					load_fatal("hello refused: %.*s",
					    (int)len, c->in);
				c->ready = 1;
				c->busy = 0;
				load_consume(c, len);
				if (!stopping)
					load_send(r, c);
				continue;
			}
			if (!failed && strcmp(r->op, "mix") == 0 &&
			    memmem(c->in, len, "\"matches\"", 9) != NULL)
				load_mix_learn(c, c->in, len);
		} else {
			if ((n = load_resp_reply(c->in, c->inlen)) == 0)
				return 0;
			if (n < 0)
				load_fatal("redis sent something not RESP");
			len = (size_t)n;
			failed = c->in[0] == '-';
		}
		if (failed && r->errors < 3)
			fprintf(stderr, "load: error reply: %.*s\n",
			    (int)(len > 300 ? 300 : len), c->in);
		load_count(r, c, failed);
		load_consume(c, len);
		if (!stopping)
			load_send(r, c);
	}
}

/* Reads "handle token" lines for the connections to sign in with. */
static void
load_tokens(struct load_run *r, const char *path)
{
	FILE *f;
	char handle[64], token[128];
	int n = 0, i;

	if ((f = fopen(path, "r")) == NULL)
		load_fatal("%s: %s", path, strerror(errno));
	while (n < r->nconns && fscanf(f, "%63s %127s", handle, token) == 2) {
		snprintf(r->conns[n].handle, sizeof r->conns[n].handle, "%s",
		    handle);
		snprintf(r->conns[n].token, sizeof r->conns[n].token, "%s",
		    token);
		n++;
	}
	fclose(f);
	if (n == 0)
		load_fatal("%s: no tokens", path);
	/* Fewer members than connections: members share. */
	for (i = n; i < r->nconns; i++)
		r->conns[i] = r->conns[i % n];
}

static int
load_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Returns the p-th percentile (0 to 100) of the sorted latencies. */
static uint32_t
load_pct(const struct load_run *r, double p)
{
	size_t i;

	if (r->nlat == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(r->nlat - 1) + 0.5);
	return r->lat[i];
}

/* Turns the wall clock for Larder's dates into its protocol's form. */
static void
load_prepare(struct load_run *r)
{
	int i;

	load_value(r->value);
	load_time_ahead(r->use_by, sizeof r->use_by, 3 * 86400);
	load_time_ahead(r->by, sizeof r->by, 4 * 86400);
	for (i = 0; i < LOAD_DATES; i++) {
		load_time_ahead(r->use_bys[i], sizeof r->use_bys[i],
		    86400 + i * 3600L);
		load_time_ahead(r->bys[i], sizeof r->bys[i],
		    2 * 86400 + i * 3600L);
	}
}

/* Says how many connections still wait for a reply. */
static int
load_busy(const struct load_run *r)
{
	int i, n = 0;

	for (i = 0; i < r->nconns; i++)
		n += r->conns[i].busy;
	return n;
}

/*
 * Runs the event loop: warm-up, then the measured time, then until every
 * request in flight has its reply (for at most two seconds more).
 */
static void
load_loop(struct load_run *r, int ep, double warmup, double seconds,
    double *measured)
{
	struct epoll_event evs[256];
	double t0 = load_now(), mstart = 0, end, now;
	int n, i, stopping = 0;

	end = t0 + warmup + seconds;
	for (;;) {
		now = load_now();
		if (!r->measuring && !stopping && now >= t0 + warmup) {
			r->measuring = 1;
			mstart = now;
		}
		if (!stopping && now >= end) {
			stopping = 1;
			*measured = now - mstart;
			r->measuring = 0;
		}
		if (stopping && (load_busy(r) == 0 || now >= end + 2))
			break;
		n = epoll_wait(ep, evs, 256, 50);
		for (i = 0; i < n; i++) {
			struct load_conn *c = evs[i].data.ptr;

			if (load_readable(r, c, stopping) == -1)
				load_fatal("connection %d closed", c->index);
		}
	}
}

/* Opens the connections, says hello, and starts each one's first request. */
static int
load_open(struct load_run *r, const char *addr)
{
	struct epoll_event ev;
	char line[LOAD_LINE];
	int ep, i;

	if ((ep = epoll_create1(0)) == -1)
		load_fatal("epoll: %s", strerror(errno));
	for (i = 0; i < r->nconns; i++) {
		struct load_conn *c = &r->conns[i];

		c->index = i;
		c->fd = load_connect_tcp(addr);
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
			load_fatal("epoll_ctl: %s", strerror(errno));
		if (r->target == LOAD_REDIS) {
			c->ready = 1;
			load_send(r, c);
			continue;
		}
		snprintf(line, sizeof line,
		    "{\"v\":1,\"id\":0,\"op\":\"hello\",\"token\":\"%s\","
		    "\"client\":\"bench\"}\n",
		    c->token);
		load_write_all(c->fd, line, strlen(line));
		c->busy = 1;
	}
	return ep;
}

/* Checks that op is one the target speaks. */
static void
load_check_op(enum load_target t, const char *op)
{
	static const char *larder[] = {"offer.post", "request.post", "status",
	    "offer.list", "mix", NULL};
	static const char *redis[] = {"set", "get", "lrange", NULL};
	const char **ok = t == LOAD_LARDER ? larder : redis;

	for (; *ok != NULL; ok++)
		if (strcmp(*ok, op) == 0)
			return;
	load_fatal("%s: not an operation of the %s benchmark", op,
	    t == LOAD_LARDER ? "larder" : "redis");
}

/* Runs one measured load and prints its result line. */
static int
load_run(int argc, char **argv)
{
	struct load_run r;
	const char *tokens = NULL;
	double seconds = 5, warmup = 1, measured = 0;
	int opt, ep, i;

	memset(&r, 0, sizeof r);
	r.nconns = 50;
	while ((opt = getopt(argc, argv, "c:t:w:k:")) != -1) {
		switch (opt) {
		case 'c':
			r.nconns = atoi(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		case 'k':
			tokens = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 3 || r.nconns < 1 || r.nconns > LOAD_MAX_CONNS ||
	    seconds <= 0 || warmup < 0)
		load_fatal("usage: load run larder|redis HOST:PORT OP "
		           "[-c CONNS] [-t SECONDS] [-w WARMUP] [-k TOKENS]");
	r.target =
	    strcmp(argv[optind], "redis") == 0 ? LOAD_REDIS : LOAD_LARDER;
	r.op = argv[optind + 2];
	load_check_op(r.target, r.op);
	if ((r.conns = calloc((size_t)r.nconns, sizeof *r.conns)) == NULL)
		load_fatal("out of memory");
	if (r.target == LOAD_LARDER) {
		if (tokens == NULL)
			load_fatal("larder needs -k TOKENS");
		load_tokens(&r, tokens);
	}
	load_prepare(&r);
	ep = load_open(&r, argv[optind + 1]);
	load_loop(&r, ep, warmup, seconds, &measured);
	qsort(r.lat, r.nlat, sizeof *r.lat, load_cmp);
	printf("result: target=%s op=%s conns=%d seconds=%.2f requests=%zu "
	       "errors=%lld rps=%.0f p50_us=%u p99_us=%u p999_us=%u\n",
	    argv[optind], r.op, r.nconns, measured, r.nlat, r.errors,
	    measured > 0 ? (double)r.nlat / measured : 0.0, load_pct(&r, 50),
	    load_pct(&r, 99), load_pct(&r, 99.9));
	if (strcmp(r.op, "mix") == 0)
		printf("mix: offers %lld, requests %lld, lists %lld, accepts "
		       "%lld, collections %lld, status %lld (all sent)\n",
		    r.kinds[0], r.kinds[1], r.kinds[2], r.kinds[3], r.kinds[4],
		    r.kinds[5]);
	for (i = 0; i < r.nconns; i++) {
		close(r.conns[i].fd);
		free(r.conns[i].in);
	}
	close(ep);
	free(r.conns);
	free(r.lat);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "larder-setup") == 0)
		return load_larder_setup(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "redis-setup") == 0)
		return load_redis_setup(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return load_run(argc - 1, argv + 1);
	fprintf(stderr,
	    "usage: load larder-setup SOCKET TOKENS MEMBERS [OFFERS_EACH]\n"
	    "       load redis-setup HOST:PORT\n"
	    "       load run larder|redis HOST:PORT OP [-c CONNS] "
	    "[-t SECONDS] [-w WARMUP] [-k TOKENS]\n");
	return 2;
}
