/* test_e2e_client.c: the real larder client against a real larderd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "harness.h"

#define HASH_HEX 64 /* hex digits of a SHA-256 */

/* The daemon shared by a group of tests and its demo members' tokens. */
struct group {
	struct daemon_ctx *d;
	char *stmarys;
	char *gascoigne;
	char *heathway;
	char *becontree;
};

/* Starts the demo daemon the group shares and reads four tokens. */
static int
group_setup(void **state)
{
	struct group *g = calloc(1, sizeof *g);
	char conf[HARNESS_PATH + 32];
	FILE *f;

	if (g == NULL)
		return -1;
	/* Room for the thousand offers the paging tests post as one. */
	g->d = daemon_new();
	snprintf(conf, sizeof conf, "%s/larderd.conf", g->d->dir);
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fputs("[limits]\nopen_offers = 5000\n", f);
	fclose(f);
	daemon_run(g->d, "--demo", "--config", conf, NULL);
	g->stmarys = daemon_token(g->d, "stmarys");
	g->gascoigne = daemon_token(g->d, "gascoigne");
	g->heathway = daemon_token(g->d, "heathway");
	g->becontree = daemon_token(g->d, "becontree");
	*state = g;
	return 0;
}

/* Stops the group's daemon and removes its directory. */
static int
group_teardown(void **state)
{
	struct group *g = *state;

	daemon_free(g->d);
	free(g->stmarys);
	free(g->gascoigne);
	free(g->heathway);
	free(g->becontree);
	free(g);
	return 0;
}

/* A test of its own: a fresh daemon with no members. */
static int
fresh_setup(void **state)
{
	*state = daemon_start(NULL);
	return 0;
}

/* A test of its own: a fresh daemon with the demo network. */
static int
fresh_demo_setup(void **state)
{
	*state = daemon_start("--demo", NULL);
	return 0;
}

/* Stops a test's own daemon and removes its directory. */
static int
fresh_teardown(void **state)
{
	daemon_free(*state);
	return 0;
}

/* Reads the id from output that starts "NOUN ID:", as show commands do. */
static long long
leading_id(const char *out, const char *noun)
{
	size_t n = strlen(noun);
	char *end;
	long long id;

	assert_true(strncmp(out, noun, n) == 0 && out[n] == ' ');
	id = strtoll(out + n + 1, &end, 10);
	assert_true(end != out + n + 1 && *end == ':');
	return id;
}

/* Returns a copy of the table row whose first column is id, or NULL. */
static char *
table_row(const char *out, long long id)
{
	const char *p = out, *eol;
	char *end;
	size_t n;

	while (p != NULL && *p != '\0') {
		eol = strchr(p, '\n');
		n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (strtoll(p, &end, 10) == id && end != p && *end == ' ')
			return strndup(p, n);
		p = eol != NULL ? eol + 1 : NULL;
	}
	return NULL;
}

/* Posts the usual bakery offer as a member; returns its id. */
static long long
post_bakery(struct daemon_ctx *d, const char *token)
{
	struct run *r;
	long long id;

	r = run_member(d, token, "offer", "post", "--category", "bakery",
	    "--kg", "12.5", "--use-by", "tomorrow", "--collect", "16:00-19:00",
	    NULL);
	assert_exit(r, 0);
	id = leading_id(r->out, "offer");
	run_free(r);
	return id;
}

/* Posts the usual standing request as a member; returns its id. */
static long long
post_standing(struct daemon_ctx *d, const char *token)
{
	struct run *r;
	long long id;

	r = run_member(d, token, "request", "post", "--categories",
	    "bakery,produce", "--kg", "20", "--by", "friday", "--standing",
	    NULL);
	assert_exit(r, 0);
	id = leading_id(r->out, "request");
	run_free(r);
	return id;
}

/* Runs a list command and returns a copy of the row for id, or NULL. */
static char *
listed(struct daemon_ctx *d, const char *token, const char *noun, long long id)
{
	struct run *r;
	char *row;

	r = run_member(d, token, noun, "list", "--mine", NULL);
	assert_exit(r, 0);
	row = table_row(r->out, id);
	run_free(r);
	return row;
}

/* larder status shows the demo network's five members. */
static void
test_e2e_status_shows_demo_members(void **state)
{
	struct group *g = *state;
	struct run *r = run_admin(g->d, "status", NULL);

	assert_exit(r, 0);
	assert_has(r->out, "larderd ");
	assert_has(r->out, "members 5");
	assert_has(r->out, "open requests 2");
	run_free(r);
}

/* Adds a member as the administrator; returns the client's run. */
static struct run *
add_pantry(struct daemon_ctx *d)
{
	return run_admin(d, "member", "add", "pantry", "--name",
	    "Riverside Pantry", "--hub", "barking", "--people", "60",
	    "--storage", "ambient,chilled", "--catchment", "ig11,rm9", NULL);
}

/* member add prints a token, and the token works. */
static void
test_e2e_member_add_prints_token(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r = add_pantry(d), *s;
	char token[128];
	const char *p;

	assert_exit(r, 0);
	assert_has(r->out, "token: ldr_");
	p = strstr(r->out, "token: ") + strlen("token: ");
	assert_true(sscanf(p, "%127s", token) == 1);
	assert_int_equal(strlen(token), 4 + HASH_HEX);
	assert_int_equal(strspn(token + 4, "0123456789abcdef"), HASH_HEX);
	s = run_member(d, token, "offer", "list", "--mine", NULL);
	assert_exit(s, 0);
	run_free(s);
	run_free(r);
}

/* member show shows what member add registered. */
static void
test_e2e_member_show_shows_member(void **state)
{
	struct daemon_ctx *d = *state;
	struct run *r = add_pantry(d);

	assert_exit(r, 0);
	run_free(r);
	r = run_admin(d, "member", "show", "pantry", NULL);
	assert_exit(r, 0);
	assert_has(r->out, "pantry: Riverside Pantry");
	assert_has(r->out, "hub          barking");
	assert_has(r->out, "people       60 a week");
	assert_has(r->out, "storage      ambient,chilled");
	assert_has(r->out, "catchment    IG11,RM9");
	assert_has(r->out, "role         member");
	assert_has(r->out, "standing     good");
	run_free(r);
}

/* A posted offer is in its donor's list, and only there. */
static void
test_e2e_offer_post_listed_as_mine(void **state)
{
	struct group *g = *state;
	long long id = post_bakery(g->d, g->stmarys);
	char *row = listed(g->d, g->stmarys, "offer", id);

	assert_non_null(row);
	assert_has(row, "bakery");
	assert_has(row, "stmarys");
	assert_has(row, "12.5 kg");
	assert_has(row, "open");
	free(row);
	assert_null(listed(g->d, g->gascoigne, "offer", id));
}

/* offer show prints the offer in full. */
static void
test_e2e_offer_show_prints_offer(void **state)
{
	struct group *g = *state;
	long long id = post_bakery(g->d, g->stmarys);
	char id_text[32], head[96];
	struct run *r;

	snprintf(id_text, sizeof id_text, "%lld", id);
	snprintf(head, sizeof head,
	    "offer %lld: 12.5 kg of bakery from "
	    "stmarys (barking hub), open",
	    id);
	r = run_member(g->d, g->gascoigne, "offer", "show", id_text, NULL);
	assert_exit(r, 0);
	assert_has(r->out, head);
	assert_has(r->out, "use by");
	assert_has(r->out, "16:00 to ");
	assert_has(r->out, "19:00");
	assert_has(r->out, "left         12.5 kg");
	run_free(r);
}

/* offer withdraw leaves the offer withdrawn. */
static void
test_e2e_offer_withdraw_marks_withdrawn(void **state)
{
	struct group *g = *state;
	long long id = post_bakery(g->d, g->stmarys);
	char id_text[32], *row;
	struct run *r;

	snprintf(id_text, sizeof id_text, "%lld", id);
	r = run_member(g->d, g->stmarys, "offer", "withdraw", id_text, NULL);
	assert_exit(r, 0);
	assert_has(r->out, "), withdrawn");
	run_free(r);
	row = listed(g->d, g->stmarys, "offer", id);
	assert_non_null(row);
	assert_has(row, "withdrawn");
	free(row);
}

/* request post prints the new standing request. */
static void
test_e2e_request_post_standing(void **state)
{
	struct group *g = *state;
	struct run *r;

	r = run_member(g->d, g->heathway, "request", "post", "--categories",
	    "bakery,produce", "--kg", "20", "--by", "friday", "--standing",
	    NULL);
	assert_exit(r, 0);
	assert_has(r->out, "heathway wants 20 kg of bakery,produce, open");
	assert_has(r->out, "(standing: renews weekly)");
	assert_has(r->out, "23:59");
	run_free(r);
}

/* A posted request is in its member's list, and only there. */
static void
test_e2e_request_list_mine(void **state)
{
	struct group *g = *state;
	long long id = post_standing(g->d, g->heathway);
	char *row = listed(g->d, g->heathway, "request", id);

	assert_non_null(row);
	assert_has(row, "heathway");
	assert_has(row, "bakery,produce");
	assert_has(row, "20 kg");
	assert_has(row, "standing");
	assert_has(row, "open");
	free(row);
	assert_null(listed(g->d, g->stmarys, "request", id));
}

/* request cancel leaves the request cancelled. */
static void
test_e2e_request_cancel_marks_cancelled(void **state)
{
	struct group *g = *state;
	long long id = post_standing(g->d, g->heathway);
	char id_text[32], *row;
	struct run *r;

	snprintf(id_text, sizeof id_text, "%lld", id);
	r = run_member(g->d, g->heathway, "request", "cancel", id_text, NULL);
	assert_exit(r, 0);
	assert_has(r->out, ", cancelled");
	run_free(r);
	row = listed(g->d, g->heathway, "request", id);
	assert_non_null(row);
	assert_has(row, "cancelled");
	free(row);
}

/* Posts n small offers at once on a raw session, n at most 200. */
static void
post_many(struct daemon_ctx *d, const char *token, int n)
{
	struct wire *w = wire_member(d, token);
	char buf[200 * 128], use_by[32];
	size_t off = 0;
	int i;

	harness_time(use_by, sizeof use_by, 86400);
	for (i = 0; i < n && i < 200; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off,
		    "{\"v\":1,\"id\":%d,\"op\":\"offer.post\",\"category\":"
		    "\"dry\",\"grams\":%d,\"use_by\":\"%s\"}\n",
		    i, 500 + i, use_by);
	wire_send(w, buf, off);
	for (i = 0; i < n && i < 200; i++)
		assert_reply_ok(wire_recv(w));
	wire_close(w);
}

/* offer list reads every page of a long listing, each row once. */
static void
test_e2e_offer_list_reads_every_page(void **state)
{
	struct group *g = *state;
	struct run *r;
	const char *p;
	char *end;
	long long id, last = 0;
	int rows = 0;

	post_many(g->d, g->becontree, 150);
	r = run_member(g->d, g->becontree, "offer", "list", "--mine", NULL);
	assert_exit(r, 0);
	for (p = r->out; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		p += *p == '\n';
		id = strtoll(p, &end, 10);
		if (end == p)
			continue;
		assert_true(id > last);
		last = id;
		rows++;
	}
	assert_int_equal(rows, 150);
	run_free(r);
}

/* Parses a client's stdout as one JSON reply object. */
static json_t *
parse_reply(const char *out)
{
	json_error_t error;
	json_t *reply = json_loads(out, 0, &error);

	if (reply == NULL)
		fail_msg("not one JSON object (%s): %s", error.text, out);
	return reply;
}

/* --json prints the reply object as it came. */
static void
test_e2e_json_prints_reply_object(void **state)
{
	struct group *g = *state;
	struct run *r;
	json_t *reply, *offer;

	r = run_member(g->d, g->stmarys, "--json", "offer", "post",
	    "--category", "bakery", "--kg", "12.5", "--use-by", "tomorrow",
	    NULL);
	assert_exit(r, 0);
	reply = parse_reply(r->out);
	assert_true(json_is_true(json_object_get(reply, "ok")));
	assert_int_equal(json_integer_value(json_object_get(reply, "v")), 1);
	offer = json_object_get(json_object_get(reply, "result"), "offer");
	assert_int_equal(json_integer_value(json_object_get(offer, "grams")),
	    12500);
	assert_string_equal(json_string_value(json_object_get(offer, "donor")),
	    "stmarys");
	json_decref(reply);
	run_free(r);
}

/* --json prints an error reply too, and exits 1. */
static void
test_e2e_json_error_prints_reply(void **state)
{
	struct group *g = *state;
	struct run *r;
	json_t *reply;

	r = run_admin(g->d, "--json", "offer", "show", "999999", NULL);
	assert_exit(r, 1);
	reply = parse_reply(r->out);
	assert_true(json_is_false(json_object_get(reply, "ok")));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(reply, "error"), "code")),
	    "not_found");
	json_decref(reply);
	run_free(r);
}

/* The server's refusal reaches stderr, and the exit status is 1. */
static void
test_e2e_error_unknown_category(void **state)
{
	struct group *g = *state;
	struct run *r;

	r = run_member(g->d, g->stmarys, "offer", "post", "--category",
	    "caviar", "--kg", "1", "--use-by", "tomorrow", NULL);
	assert_exit(r, 1);
	assert_has(r->err,
	    "category \"caviar\" is not one of this network's "
	    "categories");
	assert_has(r->err, "(invalid_argument)");
	assert_string_equal(r->out, "");
	run_free(r);
}

/* A zero quantity is a usage error, caught before anything is sent. */
static void
test_e2e_error_zero_kg(void **state)
{
	struct group *g = *state;
	struct run *r;

	r = run_member(g->d, g->stmarys, "offer", "post", "--category",
	    "bakery", "--kg", "0", "--use-by", "tomorrow", NULL);
	assert_exit(r, 2);
	assert_has(r->err, "quantity must be more than zero");
	run_free(r);
}

/* A use-by date in the past is refused by the server. */
static void
test_e2e_error_use_by_in_past(void **state)
{
	struct group *g = *state;
	struct run *r;

	r = run_member(g->d, g->stmarys, "offer", "post", "--category",
	    "bakery", "--kg", "3", "--use-by", "2020-01-01", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "use_by is in the past");
	run_free(r);
}

/* Withdrawing another member's offer fails with the reason. */
static void
test_e2e_error_withdraw_others_offer(void **state)
{
	struct group *g = *state;
	long long id = post_bakery(g->d, g->stmarys);
	char id_text[32];
	struct run *r;

	snprintf(id_text, sizeof id_text, "%lld", id);
	r = run_member(g->d, g->gascoigne, "offer", "withdraw", id_text, NULL);
	assert_exit(r, 1);
	assert_has(r->err, "belongs to stmarys");
	assert_has(r->err, "(forbidden)");
	run_free(r);
}

/* An unknown token fails with the reason. */
static void
test_e2e_error_unknown_token(void **state)
{
	struct group *g = *state;
	struct run *r;

	r = run_member(g->d, "ldr_0000", "offer", "list", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "that token is not known here");
	run_free(r);
}

/* A daemon that is not there fails with where the client looked. */
static void
test_e2e_error_daemon_unreachable(void **state)
{
	struct group *g = *state;
	static const char *const env[] = {"LARDER_TOKEN=ldr_0",
	    "LARDER_ADDR=127.0.0.1:1", NULL};
	static const char *const argv[] = {"status", NULL};
	struct run *r = run_larder(g->d, env, argv);

	assert_exit(r, 1);
	assert_has(r->err, "cannot reach larderd at 127.0.0.1:1");
	run_free(r);
}

/* --socket on the command line beats an address from elsewhere. */
static void
test_e2e_command_line_endpoint_wins(void **state)
{
	struct group *g = *state;
	char conf[HARNESS_PATH + 32], env_conf[HARNESS_PATH + 48];
	const char *env[] = {"LARDER_ADDR=127.0.0.1:1", NULL, NULL};
	const char *argv[] = {"--socket", g->d->sock, "status", NULL};
	struct run *r;
	FILE *f;

	r = run_larder(g->d, env, argv);
	assert_exit(r, 0);
	assert_has(r->out, "members");
	run_free(r);
	snprintf(conf, sizeof conf, "%s/client.conf", g->d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("addr = 127.0.0.1:1\n", f);
	fclose(f);
	snprintf(env_conf, sizeof env_conf, "LARDER_CONFIG=%s", conf);
	env[0] = env_conf;
	r = run_larder(g->d, env, argv);
	assert_exit(r, 0);
	run_free(r);
	/* Without --socket, the file's address is the one tried. */
	r = run_larder(g->d, env, argv + 2);
	assert_exit(r, 1);
	assert_has(r->err, "127.0.0.1:1");
	run_free(r);
}

/* Command-line mistakes exit 2 with a usage message. */
static void
test_e2e_usage_errors_exit_2(void **state)
{
	static const char *const cases[][4] = {
	    {NULL},
	    {"bogus", NULL},
	    {"--bogus", "status", NULL},
	    {"status", "extra", NULL},
	    {"offer", "show", NULL},
	    {"offer", "show", "abc", NULL},
	    {"offer", "list", "--bogus", NULL},
	    {"member", "add", NULL},
	    {"log", "export", "--since", "x"},
	};
	struct group *g = *state;
	const char *argv[8];
	struct run *r;
	size_t i, n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		argv[0] = "--socket";
		argv[1] = g->d->sock;
		for (n = 0; n < 4 && cases[i][n] != NULL; n++)
			argv[n + 2] = cases[i][n];
		argv[n + 2] = NULL;
		r = run_larder(g->d, NULL, argv);
		assert_exit(r, 2);
		assert_has(r->err, "larder");
		run_free(r);
	}
}

/* log verify prints OK and exits 0. */
static void
test_e2e_log_verify_prints_ok(void **state)
{
	struct group *g = *state;
	struct run *r = run_admin(g->d, "log", "verify", NULL);

	assert_exit(r, 0);
	assert_has(r->out, "OK: ");
	assert_has(r->out, "events, the chain holds");
	run_free(r);
}

/* Exports the log to a file and returns its lines parsed, in order. */
static json_t *
export_log(struct daemon_ctx *d)
{
	char path[HARNESS_PATH + 16], *text, *line, *save = NULL;
	struct run *r;
	json_t *lines = json_array(), *obj;

	snprintf(path, sizeof path, "%s/export.jsonl", d->dir);
	r = run_admin(d, "log", "export", "-o", "export.jsonl", NULL);
	assert_exit(r, 0);
	run_free(r);
	text = harness_slurp(path);
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		obj = json_loads(line, 0, NULL);
		if (obj == NULL)
			fail_msg("not a JSON line: %s", line);
		json_array_append_new(lines, obj);
	}
	free(text);
	return lines;
}

/* Returns a string field of an exported event, or "". */
static const char *
field(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

/* log export writes seq 1..N, each prev the hash before it. */
static void
test_e2e_log_export_is_a_chain(void **state)
{
	struct group *g = *state;
	json_t *lines, *ev;
	const char *prev;
	char zeros[HASH_HEX + 1];
	size_t i;

	/* Over a thousand events, so the export takes more than one page. */
	post_bakery(g->d, g->gascoigne);
	for (i = 0; i < 6; i++)
		post_many(g->d, g->gascoigne, 200);
	lines = export_log(g->d);
	assert_true(json_array_size(lines) > 1200);
	memset(zeros, '0', HASH_HEX);
	zeros[HASH_HEX] = '\0';
	prev = zeros;
	json_array_foreach(lines, i, ev)
	{
		assert_int_equal(json_integer_value(json_object_get(ev, "seq")),
		    i + 1);
		assert_int_equal(strlen(field(ev, "hash")), HASH_HEX);
		assert_string_equal(field(ev, "prev"), prev);
		prev = field(ev, "hash");
	}
	json_decref(lines);
}

/* Reads 64 hex digits into 32 bytes. */
static void
unhex(const char *hex, unsigned char *out)
{
	size_t i;
	unsigned byte;

	assert_int_equal(strlen(hex), HASH_HEX);
	for (i = 0; i < HASH_HEX / 2; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		out[i] = (unsigned char)byte;
	}
}

/* Recomputes an exported event's hash as PROTOCOL.md describes. */
static void
check_hash(json_t *ev)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1], *text;
	json_t *canon = json_deep_copy(ev);
	size_t len;

	unhex(field(ev, "prev"), buf);
	json_object_del(canon, "prev");
	json_object_del(canon, "hash");
	text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(canon);
	assert_non_null(text);
	len = strlen(text);
	assert_true(len < sizeof buf - HASH_HEX / 2);
	memcpy(buf + HASH_HEX / 2, text, len);
	free(text);
	assert_int_equal(
	    EVP_Digest(buf, HASH_HEX / 2 + len, md, &mdlen, EVP_sha256(), NULL),
	    1);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(hex, field(ev, "hash"));
}

/* Each exported event's hash recomputes as PROTOCOL.md says. */
static void
test_e2e_log_export_hashes_recompute(void **state)
{
	struct group *g = *state;
	json_t *lines = export_log(g->d), *ev;
	size_t i;

	assert_true(json_array_size(lines) > 0);
	json_array_foreach(lines, i, ev) check_hash(ev);
	json_decref(lines);
}

/* Lists everything a user can see that must survive a restart. */
static char *
snapshot(struct daemon_ctx *d)
{
	static const char *const what[][2] = {
	    {"offer", "list"},
	    {"request", "list"},
	    {"member", "list"},
	    {"log", "verify"},
	};
	struct run *r;
	char *all = strdup(""), *next;
	size_t i;

	for (i = 0; i < sizeof what / sizeof what[0]; i++) {
		r = run_admin(d, what[i][0], what[i][1], NULL);
		assert_exit(r, 0);
		assert_true(asprintf(&next, "%s%s", all, r->out) != -1);
		free(all);
		all = next;
		run_free(r);
	}
	return all;
}

/* After SIGTERM (exit 0) and a restart, everything listed is there. */
static void
test_e2e_restart_keeps_everything(void **state)
{
	struct daemon_ctx *d = *state;
	char *token = daemon_token(d, "stmarys"), *before;
	char *after, *row;
	long long offer;
	struct run *r;

	offer = post_bakery(d, token);
	post_standing(d, token);
	r = add_pantry(d);
	assert_exit(r, 0);
	run_free(r);
	before = snapshot(d);
	assert_int_equal(daemon_stop(d), 0);
	daemon_restart(d);
	after = snapshot(d);
	assert_string_equal(after, before);
	row = listed(d, token, "offer", offer);
	assert_non_null(row);
	assert_has(row, "12.5 kg");
	free(row);
	free(before);
	free(after);
	free(token);
}

/* Runs the group: shared-daemon tests, and some with their own daemon. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_status_shows_demo_members),
	    cmocka_unit_test_setup_teardown(test_e2e_member_add_prints_token,
	        fresh_setup, fresh_teardown),
	    cmocka_unit_test_setup_teardown(test_e2e_member_show_shows_member,
	        fresh_setup, fresh_teardown),
	    cmocka_unit_test(test_e2e_offer_post_listed_as_mine),
	    cmocka_unit_test(test_e2e_offer_show_prints_offer),
	    cmocka_unit_test(test_e2e_offer_withdraw_marks_withdrawn),
	    cmocka_unit_test(test_e2e_request_post_standing),
	    cmocka_unit_test(test_e2e_request_list_mine),
	    cmocka_unit_test(test_e2e_request_cancel_marks_cancelled),
	    cmocka_unit_test(test_e2e_offer_list_reads_every_page),
	    cmocka_unit_test(test_e2e_json_prints_reply_object),
	    cmocka_unit_test(test_e2e_json_error_prints_reply),
	    cmocka_unit_test(test_e2e_error_unknown_category),
	    cmocka_unit_test(test_e2e_error_zero_kg),
	    cmocka_unit_test(test_e2e_error_use_by_in_past),
	    cmocka_unit_test(test_e2e_error_withdraw_others_offer),
	    cmocka_unit_test(test_e2e_error_unknown_token),
	    cmocka_unit_test(test_e2e_error_daemon_unreachable),
	    cmocka_unit_test(test_e2e_command_line_endpoint_wins),
	    cmocka_unit_test(test_e2e_usage_errors_exit_2),
	    cmocka_unit_test(test_e2e_log_verify_prints_ok),
	    cmocka_unit_test(test_e2e_log_export_is_a_chain),
	    cmocka_unit_test(test_e2e_log_export_hashes_recompute),
	    cmocka_unit_test_setup_teardown(test_e2e_restart_keeps_everything,
	        fresh_demo_setup, fresh_teardown),
	};

	harness_init();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
