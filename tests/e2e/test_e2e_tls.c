/*
 * test_e2e_tls.c: TLS on larderd's TCP listener with a certificate the
 * test makes (openssl req), and larder --tls verifying it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define V1 "{\"v\":1,"

struct tls {
	struct daemon_ctx *d;
	char cert[HARNESS_PATH + 32], key[HARNESS_PATH + 32];
	char other[HARNESS_PATH + 32]; /* a CA that did not sign it */
	char *token;
};

/* Makes a self-signed certificate for subject alt names san. */
static void
make_cert(const char *dir, const char *name, const char *san)
{
	char cmd[4 * HARNESS_PATH];

	snprintf(cmd, sizeof cmd,
	    "cd '%s' && openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=larder-test "
	    "-addext subjectAltName=%s -keyout %s.key -out %s.pem "
	    ">/dev/null 2>&1",
	    dir, san, name, name);
	assert_int_equal(system(cmd), 0);
}

static int
tls_setup(void **state)
{
	struct tls *t = calloc(1, sizeof *t);
	struct wire *admin;
	char conf[HARNESS_PATH + 32];
	json_t *r;
	FILE *f;

	if (t == NULL)
		return -1;
	t->d = daemon_new();
	make_cert(t->d->dir, "server", "IP:127.0.0.1");
	make_cert(t->d->dir, "other", "DNS:elsewhere.invalid");
	snprintf(t->cert, sizeof t->cert, "%s/server.pem", t->d->dir);
	snprintf(t->key, sizeof t->key, "%s/server.key", t->d->dir);
	snprintf(t->other, sizeof t->other, "%s/other.pem", t->d->dir);
	snprintf(conf, sizeof conf, "%s/larderd.conf", t->d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[daemon]\ntls_cert = %s\ntls_key = %s\n", t->cert, t->key);
	fclose(f);
	daemon_run(t->d, "--config", conf, NULL);
	admin = wire_unix(t->d);
	r = wire_call(admin,
	    V1 "\"id\":1,\"op\":\"member.add\",\"handle\":\"alpha\","
	       "\"name\":\"Alpha\",\"hub\":\"barking\",\"people\":10,"
	       "\"storage\":[\"ambient\"]}");
	assert_reply_ok(r);
	t->token = strdup(
	    json_string_value(json_object_get(reply_result(r), "token")));
	wire_close(admin);
	*state = t;
	return 0;
}

static int
tls_teardown(void **state)
{
	struct tls *t = *state;

	assert_int_equal(daemon_stop(t->d), 0);
	daemon_free(t->d);
	free(t->token);
	free(t);
	return 0;
}

/* Runs larder as alpha over TCP with extra arguments before COMMAND. */
static struct run *
as_alpha(struct tls *t, const char *const *args)
{
	char tok[256], addr[64];
	const char *env[] = {tok, addr, NULL};

	snprintf(tok, sizeof tok, "LARDER_TOKEN=%s", t->token);
	snprintf(addr, sizeof addr, "LARDER_ADDR=%s", t->d->addr);
	return run_larder(t->d, env, args);
}

/* With the right CA, everything works over TLS. */
static void
test_tls_verified_session(void **state)
{
	struct tls *t = *state;
	const char *status[] = {"--tls", "--ca", t->cert, "status", NULL};
	const char *post[] = {"--tls", "--ca", t->cert, "offer", "post",
	    "--category", "bakery", "--kg", "3", "--use-by", "tomorrow", NULL};
	struct run *r;

	r = as_alpha(t, status);
	assert_exit(r, 0);
	assert_has(r->out, "members");
	run_free(r);
	r = as_alpha(t, post);
	assert_exit(r, 0);
	assert_has(r->out, "3 kg of bakery from alpha");
	run_free(r);
}

/* A server the CA did not sign, or for another name, is refused. */
static void
test_tls_refuses_unverified_server(void **state)
{
	struct tls *t = *state;
	const char *wrong_ca[] = {"--tls", "--ca", t->other, "status", NULL};
	const char *no_ca[] = {"--tls", "status", NULL};
	char host[64];
	const char *by_name[] = {"--tls", "--ca", t->cert, "--addr", host,
	    "status", NULL};
	struct run *r;

	r = as_alpha(t, wrong_ca);
	assert_exit(r, 1);
	assert_has(r->err, "is not who it should be");
	run_free(r);
	r = as_alpha(t, no_ca); /* the system's CAs do not know it */
	assert_exit(r, 1);
	assert_has(r->err, "is not who it should be");
	run_free(r);
	/* Dialled by a name the certificate does not hold. */
	snprintf(host, sizeof host, "localhost:%d", t->d->port);
	r = as_alpha(t, by_name);
	assert_exit(r, 1);
	assert_has(r->err, "is not who it should be");
	assert_has(r->err, "hostname mismatch");
	run_free(r);
}

/* Plain text to the TLS listener gets nowhere; the socket is unchanged. */
static void
test_tls_plain_client_refused(void **state)
{
	struct tls *t = *state;
	const char *plain[] = {"status", NULL};
	struct wire *w;
	struct run *r;

	r = as_alpha(t, plain);
	assert_int_not_equal(r->status, 0);
	run_free(r);
	w = wire_unix(t->d);
	assert_reply_ok(wire_call(w, V1 "\"id\":1,\"op\":\"status\"}"));
	wire_close(w);
	r = run_admin(t->d, "--tls", "status", NULL);
	assert_exit(r, 1);
	assert_has(r->err, "--tls is for TCP");
	run_free(r);
}

/* A key that does not match the certificate stops larderd at start. */
static void
test_tls_bad_key_refused_at_start(void **state)
{
	struct tls *t = *state;
	struct daemon_ctx *d = daemon_new(); /* its own directory and port */
	char conf[HARNESS_PATH + 32], key[HARNESS_PATH + 32];
	struct run *r;
	FILE *f;

	snprintf(conf, sizeof conf, "%s/mismatch.conf", d->dir);
	snprintf(key, sizeof key, "%s/other.key", t->d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[daemon]\ntls_cert = %s\ntls_key = %s\n", t->cert, key);
	fclose(f);
	r = run_larderd(d, "--config", conf, NULL);
	assert_int_not_equal(r->status, 0);
	assert_has(r->err, "tls_key");
	run_free(r);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[daemon]\ntls_cert = %s\n", t->cert);
	fclose(f);
	r = run_larderd(d, "--check", "--config", conf, NULL);
	assert_int_not_equal(r->status, 0);
	assert_has(r->err, "tls_cert and tls_key go together");
	run_free(r);
	daemon_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_verified_session),
	    cmocka_unit_test(test_tls_refuses_unverified_server),
	    cmocka_unit_test(test_tls_plain_client_refused),
	    cmocka_unit_test(test_tls_bad_key_refused_at_start),
	};

	harness_init();
	return cmocka_run_group_tests(tests, tls_setup, tls_teardown);
}
