/*
 * test_e2e_ops.c: running larderd as an administrator does: a backup of
 * the live database while it serves, a restore from it, signals that
 * toggle debug logging and reload the configuration, and a configuration
 * check.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "harness.h"

#define V1 "{\"v\":1,"

static struct run *
admin(struct daemon_ctx *d, ...)
{
	const char *argv[16];
	size_t n = 0;
	va_list ap;

	argv[n++] = "--socket";
	argv[n++] = d->sock;
	va_start(ap, d);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_larder(d, NULL, argv);
}

static void
post_offer(struct daemon_ctx *d, const char *kg)
{
	struct run *r = admin(d, "--as", "humdum", "offer", "post",
	    "--category", "dry", "--kg", kg, "--best-before", "+30d", NULL);

	assert_exit(r, 0);
	run_free(r);
}

static int
count_offers(struct daemon_ctx *d)
{
	struct run *r = admin(d, "--json", "offer", "list", NULL);
	json_t *reply;
	int n;

	assert_exit(r, 0);
	reply = json_loads(r->out, 0, NULL);
	assert_non_null(reply);
	n = (int)json_array_size(
	    json_object_get(json_object_get(reply, "result"), "offers"));
	json_decref(reply);
	run_free(r);
	return n;
}

/* Waits (polling, up to 5 s) for a line in larderd's stderr. */
static void
wait_for_log(struct daemon_ctx *d, const char *text)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	char *log;
	int i;

	for (i = 0; i < 250; i++) {
		log = harness_slurp(d->err_path);
		if (log != NULL && strstr(log, text) != NULL) {
			free(log);
			return;
		}
		free(log);
		nanosleep(&pause, NULL);
	}
	fail_msg("larderd never logged \"%s\"", text);
}

static void
test_e2e_ops_backup_and_restore(void **state)
{
	struct daemon_ctx *d = daemon_start("--demo", NULL);
	char file[HARNESS_PATH + 32];
	struct run *r;

	(void)state;
	snprintf(file, sizeof file, "%s/backup.db", d->dir);
	post_offer(d, "4");
	r = admin(d, "backup", file, "--db", d->db, NULL);
	assert_exit(r, 0);
	assert_has(r->out, "integrity ok");
	run_free(r);
	/* The daemon kept serving; a change after the backup... */
	post_offer(d, "6");
	assert_int_equal(count_offers(d), 2);
	/* ...cannot be restored over while it runs... */
	r = run_larderd(d, "--restore", file, NULL);
	assert_exit(r, 1);
	assert_has(r->err, "another larderd");
	run_free(r);
	/* ...and is gone once the backup is restored. */
	assert_int_equal(daemon_stop(d), 0);
	r = run_larderd(d, "--restore", file, NULL);
	assert_exit(r, 0);
	assert_has(r->out, "restored");
	run_free(r);
	daemon_restart(d);
	assert_int_equal(count_offers(d), 1);
	r = admin(d, "log", "verify", NULL);
	assert_exit(r, 0);
	run_free(r);
	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
}

static void
test_e2e_ops_restore_refuses_a_bad_file(void **state)
{
	struct daemon_ctx *d = daemon_start(NULL);
	char file[HARNESS_PATH + 32];
	struct run *r;
	FILE *f;

	(void)state;
	assert_int_equal(daemon_stop(d), 0);
	snprintf(file, sizeof file, "%s/not-a-db", d->dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("this is not a database\n", f);
	fclose(f);
	r = run_larderd(d, "--restore", file, NULL);
	assert_exit(r, 1);
	assert_has(r->err, "restore");
	run_free(r);
	daemon_free(d);
}

static void
test_e2e_ops_sigusr1_toggles_debug(void **state)
{
	struct daemon_ctx *d = daemon_start(NULL);
	struct run *r;

	(void)state;
	kill(d->pid, SIGUSR1);
	wait_for_log(d, "debug logging on");
	r = admin(d, "status", NULL);
	assert_exit(r, 0);
	run_free(r);
	wait_for_log(d, "status: ok");
	kill(d->pid, SIGUSR1);
	wait_for_log(d, "debug logging off");
	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
}

static void
test_e2e_ops_sighup_rereads_config(void **state)
{
	struct daemon_ctx *d = daemon_new();
	char conf[HARNESS_PATH + 32];
	FILE *f;

	(void)state;
	snprintf(conf, sizeof conf, "%s/larderd.conf", d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("[daemon]\nlog_level = info\n", f);
	fclose(f);
	daemon_run(d, "--config", conf, NULL);
	f = fopen(conf, "w");
	fputs("[daemon]\nlog_level = debug\n", f);
	fclose(f);
	kill(d->pid, SIGHUP);
	wait_for_log(d, "log level is debug");
	f = fopen(conf, "w");
	fputs("[daemon]\nlog_level = loud\n", f);
	fclose(f);
	kill(d->pid, SIGHUP);
	wait_for_log(d, "keeping the running configuration");
	assert_int_equal(daemon_stop(d), 0);
	daemon_free(d);
}

static void
test_e2e_ops_check_reports_file_and_line(void **state)
{
	struct daemon_ctx *d = daemon_new();
	char conf[HARNESS_PATH + 32];
	struct run *r;
	FILE *f;

	(void)state;
	snprintf(conf, sizeof conf, "%s/bad.conf", d->dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("[limits]\nmax_sessions = lots\n[rules]\nbeta = 2\n", f);
	fclose(f);
	r = run_larderd(d, "--check", "--config", conf, NULL);
	assert_exit(r, 1);
	assert_has(r->err, "bad.conf:2: [limits] max_sessions");
	assert_has(r->err, "bad.conf:4: [rules] beta");
	run_free(r);
	daemon_free(d);
}

/* Reads one datagram from fd within 10 s into buf; 0 when none came. */
static size_t
notify_read(int fd, char *buf, size_t len)
{
	struct pollfd p = {fd, POLLIN, 0};
	ssize_t n;

	if (poll(&p, 1, 10000) != 1 || (n = recv(fd, buf, len - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	return (size_t)n;
}

/* Waits for a notification holding text, skipping others. */
static void
notify_expect(int fd, const char *text)
{
	char buf[512];
	int i;

	for (i = 0; i < 50; i++) {
		if (notify_read(fd, buf, sizeof buf) == 0)
			break;
		if (strstr(buf, text) != NULL)
			return;
	}
	fail_msg("no notification with \"%s\"", text);
}

/* Under systemd: READY with a status line, watchdog pings, STOPPING. */
static void
test_e2e_ops_systemd_notify(void **state)
{
	struct daemon_ctx *d = daemon_new();
	struct sockaddr_un sun;
	char env_sock[HARNESS_PATH + 32];
	const char *env[] = {env_sock, "WATCHDOG_USEC=400000", NULL};
	int fd;

	(void)state;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(d->dir) + sizeof "/notify" > sizeof sun.sun_path)
		skip();
	memcpy(sun.sun_path, d->dir, strlen(d->dir));
	memcpy(sun.sun_path + strlen(d->dir), "/notify", sizeof "/notify");
	snprintf(env_sock, sizeof env_sock, "NOTIFY_SOCKET=%s", sun.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	d->env = env;
	daemon_run(d, NULL);
	notify_expect(fd, "READY=1");
	notify_expect(fd, "WATCHDOG=1");
	notify_expect(fd, "WATCHDOG=1");
	assert_int_equal(daemon_stop(d), 0);
	notify_expect(fd, "STOPPING=1");
	close(fd);
	d->env = NULL;
	daemon_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e2e_ops_backup_and_restore),
	    cmocka_unit_test(test_e2e_ops_restore_refuses_a_bad_file),
	    cmocka_unit_test(test_e2e_ops_sigusr1_toggles_debug),
	    cmocka_unit_test(test_e2e_ops_sighup_rereads_config),
	    cmocka_unit_test(test_e2e_ops_check_reports_file_and_line),
	    cmocka_unit_test(test_e2e_ops_systemd_notify),
	};

	harness_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
