/*
 * test_e2e_diskfull.c: larderd on a disk that fills up and frees again,
 * by a fault injector (tests/fault/enospc.c) that makes the database's
 * writes fail with ENOSPC while a flag file exists. Writes must fail with
 * unavailable and never be acknowledged, reads must keep working, and
 * the daemon must recover by itself when space returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define V1 "{\"v\":1,"

/* Posts an offer of grams; the reply. */
static json_t *
post(struct wire *w, const char *use_by, int grams)
{
	return wire_call(w,
	    V1 "\"id\":2,\"op\":\"offer.post\",\"category\":\"bakery\","
	       "\"grams\":%d,\"use_by\":\"%s\"}",
	    grams, use_by);
}

/* The grams of each of alpha's offers, in order, as a string. */
static char *
offers(struct wire *w, char *buf, size_t len)
{
	json_t *r, *o;
	size_t i, off = 0;

	r = wire_call(w, V1 "\"id\":3,\"op\":\"offer.list\",\"mine\":true}");
	assert_reply_ok(r);
	buf[0] = '\0';
	json_array_foreach(json_object_get(reply_result(r), "offers"), i, o)
	    off += (size_t)snprintf(buf + off, len - off, "%lld ",
	        (long long)json_integer_value(json_object_get(o, "grams")));
	return buf;
}

static void
test_diskfull_fails_writes_keeps_reads_recovers(void **state)
{
	struct daemon_ctx *d = daemon_new();
	char flag[HARNESS_PATH + 16], env_flag[HARNESS_PATH + 48];
	const char *env[] = {"LD_PRELOAD=" LARDER_FAULT_LIB, env_flag,
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL};
	char use_by[40], list[256], pipelined[512];
	struct wire *admin, *w;
	struct run *run;
	json_t *r;
	char *token;
	FILE *f;
	int i;

	(void)state;
	snprintf(flag, sizeof flag, "%s/disk-full", d->dir);
	snprintf(env_flag, sizeof env_flag, "LARDER_FAULT_FLAG=%s", flag);
	d->env = env;
	daemon_run(d, NULL);
	admin = wire_unix(d);
	r = wire_call(admin,
	    V1 "\"id\":1,\"op\":\"member.add\",\"handle\":\"alpha\","
	       "\"name\":\"Alpha\",\"hub\":\"barking\",\"people\":10,"
	       "\"storage\":[\"ambient\"]}");
	assert_reply_ok(r);
	token = strdup(
	    json_string_value(json_object_get(reply_result(r), "token")));
	w = wire_member(d, token);
	harness_time(use_by, sizeof use_by, 86400);
	assert_reply_ok(post(w, use_by, 1000));

	/* The disk fills: writes fail, and say so; reads go on. */
	f = fopen(flag, "w");
	assert_non_null(f);
	fclose(f);
	for (i = 0; i < 3; i++) {
		r = post(w, use_by, 2000 + i);
		assert_reply_error(r, "unavailable");
		assert_has(reply_message(r), "could not be saved");
	}
	assert_string_equal(offers(w, list, sizeof list), "1000 ");

	/*
	 * A listing in the same turn as a post sees the post's offer; when
	 * the commit then fails, both are answered unavailable, and no later
	 * listing may show that offer (larderd keeps listed pages as text
	 * until the store changes, and a rollback is a change).
	 */
	snprintf(pipelined, sizeof pipelined,
	    V1 "\"id\":6,\"op\":\"offer.post\",\"category\":\"bakery\","
	       "\"grams\":2500,\"use_by\":\"%s\"}\n"
	    V1 "\"id\":7,\"op\":\"offer.list\",\"mine\":true}\n",
	    use_by);
	wire_send(w, pipelined, strlen(pipelined));
	r = wire_recv(w);
	assert_reply_id(r, 6);
	assert_reply_error(r, "unavailable");
	r = wire_recv(w);
	assert_reply_id(r, 7);
	assert_reply_error(r, "unavailable");
	assert_string_equal(offers(w, list, sizeof list), "1000 ");
	assert_reply_ok(wire_call(w, V1 "\"id\":4,\"op\":\"status\"}"));
	assert_reply_ok(wire_call(admin, V1 "\"id\":5,\"op\":\"log.verify\"}"));
	assert_true(daemon_alive(d));

	/* Space returns: the next write works, with nothing done twice. */
	unlink(flag);
	assert_reply_ok(post(w, use_by, 3000));
	assert_string_equal(offers(w, list, sizeof list), "1000 3000 ");
	wire_close(w);
	wire_close(admin);

	/* And all of it is on disk, the log whole. */
	assert_int_equal(daemon_stop(d), 0);
	daemon_restart(d);
	w = wire_member(d, token);
	assert_string_equal(offers(w, list, sizeof list), "1000 3000 ");
	wire_close(w);
	run = run_admin(d, "log", "verify", NULL);
	assert_exit(run, 0);
	run_free(run);
	assert_int_equal(daemon_stop(d), 0);
	d->env = NULL;
	daemon_free(d);
	free(token);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diskfull_fails_writes_keeps_reads_recovers),
	};

	harness_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
