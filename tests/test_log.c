/* test_log.c: larderd's log lines, and holding them for a turn's end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* stderr, sent to a file for each test, and the file's path. */
static char log_path[] = "/tmp/larder-test-log.XXXXXX";
static int saved_stderr = -1;

static int
log_setup(void **state)
{
	int fd;

	(void)state;
	fflush(stderr);
	if ((fd = mkstemp(log_path)) == -1)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_init(LOG_LEVEL_INFO, 1);
	return 0;
}

static int
log_teardown(void **state)
{
	(void)state;
	log_hold(NULL, NULL);
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(log_path);
	strcpy(log_path + strlen(log_path) - 6, "XXXXXX");
	return 0;
}

/* Returns what has reached stderr so far. */
static char *
log_written(void)
{
	FILE *f = fopen(log_path, "r");
	char *text;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static void
log_assert_written(const char *want)
{
	char *text = log_written();

	assert_string_equal(text, want);
	free(text);
}

static void
log_woken(void *arg)
{
	(*(int *)arg)++;
}

/* Without holding, each line is written at once, with its priority. */
static void
test_log_at_once(void **state)
{
	(void)state;
	log_info("offer %d: posted", 7);
	log_debug("not at this level");
	log_assert_written("<6>offer 7: posted\n");
	log_error("disk full");
	log_assert_written("<6>offer 7: posted\n<3>disk full\n");
}

/*
 * Held info lines wait for log_flush, and wake the caller once; a
 * warning writes them first and then itself, so the order stands.
 */
static void
test_log_held_until_flush(void **state)
{
	int woken = 0;

	(void)state;
	log_hold(log_woken, &woken);
	log_info("one");
	log_info("two");
	assert_int_equal(woken, 1);
	log_assert_written("");
	log_warnx("three");
	log_assert_written("<6>one\n<6>two\n<4>three\n");
	log_info("four");
	assert_int_equal(woken, 2);
	log_flush();
	log_assert_written("<6>one\n<6>two\n<4>three\n<6>four\n");
	log_flush();
	log_info("five");
	log_hold(NULL, NULL);
	log_assert_written("<6>one\n<6>two\n<4>three\n<6>four\n<6>five\n");
	log_info("six");
	log_assert_written(
	    "<6>one\n<6>two\n<4>three\n<6>four\n<6>five\n<6>six\n");
}

/* More lines than the hold has room for are written, none lost. */
static void
test_log_held_overflow(void **state)
{
	char line[1000], *text, *p;
	int woken = 0, i, n = 0;

	(void)state;
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	log_hold(log_woken, &woken);
	for (i = 0; i < 200; i++)
		log_info("%03d %s", i, line);
	text = log_written();
	assert_true(strlen(text) > 0);
	free(text);
	log_flush();
	text = log_written();
	for (p = text; (p = strstr(p, "<6>")) != NULL; p++) {
		assert_int_equal(atoi(p + 3), n);
		n++;
	}
	assert_int_equal(n, 200);
	assert_true(woken >= 2);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_log_at_once, log_setup,
	        log_teardown),
	    cmocka_unit_test_setup_teardown(test_log_held_until_flush,
	        log_setup, log_teardown),
	    cmocka_unit_test_setup_teardown(test_log_held_overflow, log_setup,
	        log_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
