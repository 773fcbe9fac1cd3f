/* test_config.c: unit tests for larderd's defaults and INI file loading. */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"

#ifndef LARDER_SOURCE_DIR
#error "LARDER_SOURCE_DIR must name the source tree"
#endif
#define SHIPPED_CONF LARDER_SOURCE_DIR "/config/larderd.conf"

/* A temporary directory, a config file path in it and a config to load. */
struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX + 32];
	struct config *cfg;
	char *cause;
};

/* Makes a fresh temporary directory and default config. */
static int
setup(void **state)
{
	struct fixture *fx;
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((fx = calloc(1, sizeof *fx)) == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "%s/larder-config-XXXXXX", tmp);
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof fx->path, "%s/larderd.conf", fx->dir);
	fx->cfg = config_new();
	*state = fx;
	return fx->cfg == NULL ? -1 : 0;
}

/* Removes one file or directory for nftw(). */
static int
remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Removes the temporary directory and frees the fixture. */
static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int rc;

	rc = nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	config_free(fx->cfg);
	free(fx->cause);
	free(fx);
	return rc;
}

/* Writes text to path. */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Writes text as the fixture's file and loads it; returns config_load's. */
static int
load(struct fixture *fx, const char *text)
{
	write_file(fx->path, text);
	free(fx->cause);
	fx->cause = NULL;
	return config_load(fx->cfg, fx->path, &fx->cause);
}

/* Like load(), from a printf format. */
static int __attribute__((format(printf, 2, 3)))
loadf(struct fixture *fx, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return load(fx, text);
}

/* Loads text and fails the test if that fails. */
static void
assert_loads(struct fixture *fx, const char *text)
{
	if (load(fx, text) != 0)
		fail_msg("load failed: %s", fx->cause);
	assert_null(fx->cause);
}

/* Finishes the fixture's config and fails the test if that fails. */
static void
assert_finishes(struct fixture *fx)
{
	if (config_finish(fx->cfg, &fx->cause) != 0)
		fail_msg("finish failed: %s", fx->cause);
}

/* Returns the number of lines in an error message. */
static int
count_lines(const char *text)
{
	int n = 1;

	for (; *text != '\0'; text++)
		n += (*text == '\n');
	return n;
}

/* Copies line i (from 0) of text into buf, failing if there is none. */
static void
nth_line(const char *text, int i, char *buf, size_t size)
{
	const char *end;

	for (; i > 0; i--) {
		if ((text = strchr(text, '\n')) == NULL)
			fail_msg("no error line %d", i);
		text++;
	}
	end = strchrnul(text, '\n');
	snprintf(buf, size, "%.*s", (int)(end - text), text);
}

/* Checks error i says "PATH:LINE: HEAD" and then somewhere NEEDLE. */
static void
assert_error(const struct fixture *fx, int i, int line, const char *head,
    const char *needle)
{
	char want[PATH_MAX + 512], got[1024];
	size_t len;

	assert_non_null(fx->cause);
	nth_line(fx->cause, i, got, sizeof got);
	snprintf(want, sizeof want, "%s:%d: %s", fx->path, line, head);
	len = strlen(want);
	if (strncmp(got, want, len) != 0 || strstr(got + len, needle) == NULL)
		fail_msg("error %d is \"%s\"; wanted \"%s...%s...\"", i, got,
		    want, needle);
}

/* Checks the last load failed with exactly one error, as assert_error. */
static void
assert_only_error(const struct fixture *fx, int line, const char *head,
    const char *needle)
{
	assert_non_null(fx->cause);
	if (count_lines(fx->cause) != 1)
		fail_msg("wanted one error, got: %s", fx->cause);
	assert_error(fx, 0, line, head, needle);
}

/* Compares two strings either of which may be NULL. */
static void
assert_same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Compares two lists of names. */
static void
assert_same_list(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

/* Compares every setting of two configs. */
static void
assert_same_config(const struct config *a, const struct config *b)
{
	assert_same_string(a->state_dir, b->state_dir);
	assert_same_string(a->database, b->database);
	assert_same_string(a->socket_path, b->socket_path);
	assert_same_string(a->listen, b->listen);
	assert_same_string(a->timezone, b->timezone);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->cache_mb, b->cache_mb);
	assert_int_equal(a->max_sessions, b->max_sessions);
	assert_int_equal(a->idle_timeout, b->idle_timeout);
	assert_int_equal(a->hello_bytes, b->hello_bytes);
	assert_int_equal(a->hello_timeout, b->hello_timeout);
	assert_int_equal(a->rate, b->rate);
	assert_int_equal(a->burst, b->burst);
	assert_int_equal(a->watch_buffer, b->watch_buffer);
	assert_int_equal(a->open_offers, b->open_offers);
	assert_int_equal(a->open_requests, b->open_requests);
	assert_same_string(a->network_name, b->network_name);
	assert_same_list(a->categories, a->ncategories, b->categories,
	    b->ncategories);
	assert_same_list(a->hubs, a->nhubs, b->hubs, b->nhubs);
	assert_int_equal(a->manual_clock, b->manual_clock);
	assert_int_equal(a->seed_given, b->seed_given);
	assert_memory_equal(&a->rules, &b->rules, sizeof a->rules);
	assert_int_equal(a->factors.grams_per_meal, b->factors.grams_per_meal);
	assert_true(a->factors.co2e_per_kg == b->factors.co2e_per_kg);
}

/* Replaces the state directory, as the --state-dir option does. */
static void
set_state_dir(struct config *cfg, const char *dir)
{
	free(cfg->state_dir);
	cfg->state_dir = strdup(dir);
	assert_non_null(cfg->state_dir);
}

/* Fills buf with n copies of c and a terminating NUL. */
static char *
repeat(char *buf, int c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* config_new() holds every documented default. */
static void
test_config_defaults(void **state)
{
	struct fixture *fx = *state;
	struct config *cfg = fx->cfg;
	const char *cats[] = {"bakery", "produce", "dairy", "meat", "fish",
	    "prepared", "dry", "frozen", "drinks", "other"};
	size_t i;

	assert_string_equal(cfg->state_dir, "larder-state");
	assert_null(cfg->database);
	assert_null(cfg->socket_path);
	assert_string_equal(cfg->listen, "127.0.0.1:7411");
	assert_null(cfg->timezone);
	assert_int_equal(cfg->log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg->cache_mb, 32);
	assert_int_equal(cfg->max_sessions, 256);
	assert_int_equal(cfg->idle_timeout, 300);
	assert_string_equal(cfg->network_name, "Larder network");
	assert_int_equal(cfg->ncategories, 10);
	for (i = 0; i < 10; i++)
		assert_string_equal(cfg->categories[i], cats[i]);
	assert_int_equal(cfg->nhubs, 0);
	assert_finishes(fx);
	assert_string_equal(cfg->database, "larder-state/larder.db");
	assert_string_equal(cfg->socket_path, "larder-state/larderd.sock");
}

/* A file of comments and empty sections changes nothing. */
static void
test_config_empty_file_keeps_defaults(void **state)
{
	struct fixture *fx = *state;
	struct config *defaults = config_new();

	assert_non_null(defaults);
	assert_loads(fx, "; nothing here\n\n[daemon]\n[limits]\n[network]\n");
	assert_same_config(fx->cfg, defaults);
	config_free(defaults);
}

/* Every [daemon] key is read into its field. */
static void
test_config_daemon_keys_parsed(void **state)
{
	struct fixture *fx = *state;
	struct config *cfg = fx->cfg;

	assert_loads(fx,
	    "[daemon]\nstate_dir = /var/lib/larder\n"
	    "database = /srv/larder/main.db\n"
	    "socket = /run/larder/larderd.sock\nlisten = 0.0.0.0:8080\n"
	    "timezone = Europe/London\nlog_level = debug\n");
	assert_string_equal(cfg->state_dir, "/var/lib/larder");
	assert_string_equal(cfg->database, "/srv/larder/main.db");
	assert_string_equal(cfg->socket_path, "/run/larder/larderd.sock");
	assert_string_equal(cfg->listen, "0.0.0.0:8080");
	assert_string_equal(cfg->timezone, "Europe/London");
	assert_int_equal(cfg->log_level, LOG_LEVEL_DEBUG);
}

/* Both [limits] keys are read, including their bounds. */
static void
test_config_limits_keys_parsed(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx, "[limits]\nmax_sessions = 12\nidle_timeout = 0\n");
	assert_int_equal(fx->cfg->max_sessions, 12);
	assert_int_equal(fx->cfg->idle_timeout, 0);
	assert_loads(fx, "[limits]\nmax_sessions=100000\nidle_timeout=86400\n");
	assert_int_equal(fx->cfg->max_sessions, 100000);
	assert_int_equal(fx->cfg->idle_timeout, 86400);
	assert_loads(fx, "[limits]\nmax_sessions = 1\n");
	assert_int_equal(fx->cfg->max_sessions, 1);
}

/* Every [network] key is read; list items are trimmed. */
static void
test_config_network_keys_parsed(void **state)
{
	struct fixture *fx = *state;
	struct config *cfg = fx->cfg;

	assert_loads(fx,
	    "[network]\nname = Riverside Food Share\n"
	    "categories = bread ,veg,  fruit_2 , 9-lives\n"
	    "hubs = north-hall, south\n");
	assert_string_equal(cfg->network_name, "Riverside Food Share");
	assert_int_equal(cfg->ncategories, 4);
	assert_string_equal(cfg->categories[0], "bread");
	assert_string_equal(cfg->categories[1], "veg");
	assert_string_equal(cfg->categories[2], "fruit_2");
	assert_string_equal(cfg->categories[3], "9-lives");
	assert_int_equal(cfg->nhubs, 2);
	assert_string_equal(cfg->hubs[0], "north-hall");
	assert_string_equal(cfg->hubs[1], "south");
}

/* Each log level word parses and names itself. */
static void
test_config_log_levels_all_words(void **state)
{
	struct fixture *fx = *state;
	const char *words[] = {"debug", "info", "warning", "error"};
	enum log_level levels[] = {LOG_LEVEL_DEBUG, LOG_LEVEL_INFO,
	    LOG_LEVEL_WARNING, LOG_LEVEL_ERROR};
	int i;

	for (i = 0; i < 4; i++) {
		if (loadf(fx, "[daemon]\nlog_level = %s\n", words[i]) != 0)
			fail_msg("%s", fx->cause);
		assert_int_equal(fx->cfg->log_level, levels[i]);
		assert_string_equal(config_log_level_name(levels[i]), words[i]);
	}
	assert_string_equal(config_log_level_name((enum log_level)99),
	    "unknown");
}

/* timezone takes a zone name, or empty for the system's. */
static void
test_config_timezone_values(void **state)
{
	struct fixture *fx = *state;
	char tz[80];

	assert_loads(fx,
	    "[daemon]\ntimezone = America/Argentina/Buenos_Aires\n");
	assert_string_equal(fx->cfg->timezone,
	    "America/Argentina/Buenos_Aires");
	assert_loads(fx, "[daemon]\ntimezone =\n");
	assert_null(fx->cfg->timezone);
	assert_int_equal(
	    load(fx, "[daemon]\ntimezone = Europe/../etc/passwd\n"), -1);
	assert_only_error(fx, 2, "[daemon] timezone: ", "Europe/London");
	assert_int_equal(load(fx, "[daemon]\ntimezone = Europe London\n"), -1);
	assert_only_error(fx, 2, "[daemon] timezone: ", "not a time zone");
	assert_int_equal(
	    loadf(fx, "[daemon]\ntimezone = %s\n", repeat(tz, 'A', 65)), -1);
	assert_only_error(fx, 2, "[daemon] timezone: ", "at most 64");
	assert_null(fx->cfg->timezone);
}

/* The network name must be 1 to 100 bytes. */
static void
test_config_network_name_length(void **state)
{
	struct fixture *fx = *state;
	char name[128];

	assert_int_equal(
	    loadf(fx, "[network]\nname = %s\n", repeat(name, 'n', 100)), 0);
	assert_int_equal(strlen(fx->cfg->network_name), 100);
	assert_int_equal(
	    loadf(fx, "[network]\nname = %s\n", repeat(name, 'n', 101)), -1);
	assert_only_error(fx, 2, "[network] name: ", "1 to 100 bytes");
	assert_int_equal(load(fx, "[network]\nname =\n"), -1);
	assert_only_error(fx, 2, "[network] name: ", "not 0");
}

/* Path keys may not be empty. */
static void
test_config_empty_paths_rejected(void **state)
{
	struct fixture *fx = *state;
	const char *keys[] = {"state_dir", "database", "socket"};
	char head[64];
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(loadf(fx, "\n[daemon]\n%s =\n", keys[i]), -1);
		snprintf(head, sizeof head, "[daemon] %s: ", keys[i]);
		assert_only_error(fx, 3, head, "must not be empty");
	}
	assert_string_equal(fx->cfg->state_dir, "larder-state");
}

/* Unset paths are derived from the file's state_dir. */
static void
test_config_derived_paths_follow_state_dir(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx, "[daemon]\nstate_dir = /var/lib/larder\n");
	assert_null(fx->cfg->database);
	assert_finishes(fx);
	assert_string_equal(fx->cfg->database, "/var/lib/larder/larder.db");
	assert_string_equal(fx->cfg->socket_path,
	    "/var/lib/larder/larderd.sock");
}

/* A trailing slash on state_dir is not doubled. */
static void
test_config_derived_paths_trailing_slash(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx, "[daemon]\nstate_dir = /var/lib/larder/\n");
	assert_finishes(fx);
	assert_string_equal(fx->cfg->database, "/var/lib/larder/larder.db");
	assert_string_equal(fx->cfg->socket_path,
	    "/var/lib/larder/larderd.sock");
}

/* Paths set in the file ignore state_dir. */
static void
test_config_explicit_paths_kept(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx,
	    "[daemon]\nstate_dir = /var/lib/larder\n"
	    "database = /srv/db/larder.sqlite\nsocket = /run/larder.sock\n");
	set_state_dir(fx->cfg, "/elsewhere");
	assert_finishes(fx);
	assert_string_equal(fx->cfg->database, "/srv/db/larder.sqlite");
	assert_string_equal(fx->cfg->socket_path, "/run/larder.sock");
}

/* Derived paths follow a state_dir changed after loading. */
static void
test_config_state_dir_change_before_finish(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx,
	    "[daemon]\nstate_dir = /var/lib/larder\n"
	    "database = /srv/larder.db\n");
	set_state_dir(fx->cfg, "/tmp/other-state");
	assert_finishes(fx);
	assert_string_equal(fx->cfg->state_dir, "/tmp/other-state");
	assert_string_equal(fx->cfg->database, "/srv/larder.db");
	assert_string_equal(fx->cfg->socket_path,
	    "/tmp/other-state/larderd.sock");
}

/* A derived socket path must fit in sun_path. */
static void
test_config_finish_socket_too_long(void **state)
{
	struct fixture *fx = *state;
	char dir[128];

	/* 94 + strlen("/larderd.sock") = 107, the most sun_path holds. */
	set_state_dir(fx->cfg, repeat(dir, 'd', 94));
	assert_finishes(fx);
	assert_int_equal(strlen(fx->cfg->socket_path), 107);

	config_free(fx->cfg);
	assert_non_null(fx->cfg = config_new());
	set_state_dir(fx->cfg, repeat(dir, 'd', 95));
	assert_int_equal(config_finish(fx->cfg, &fx->cause), -1);
	assert_non_null(strstr(fx->cause, "is 108 bytes"));
	assert_non_null(strstr(fx->cause, "at most 107"));
}

/* config_finish() refuses an empty state_dir. */
static void
test_config_finish_empty_state_dir(void **state)
{
	struct fixture *fx = *state;

	set_state_dir(fx->cfg, "");
	assert_int_equal(config_finish(fx->cfg, &fx->cause), -1);
	assert_string_equal(fx->cause, "state_dir is empty");
}

/* An explicit socket path must fit in sun_path. */
static void
test_config_socket_key_length(void **state)
{
	struct fixture *fx = *state;
	char path[128];

	path[0] = '/';
	repeat(path + 1, 's', 106);
	assert_int_equal(loadf(fx, "[daemon]\nsocket = %s\n", path), 0);
	assert_int_equal(strlen(fx->cfg->socket_path), 107);
	repeat(path + 1, 's', 107);
	assert_int_equal(loadf(fx, "[daemon]\nsocket = %s\n", path), -1);
	assert_only_error(fx, 2, "[daemon] socket: ", "at most 107");
}

/* An unknown section is reported once, at its first key. */
static void
test_config_unknown_section(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx,
	                     "[deamon]\nstate_dir = /x\nlog_level = debug\n"
	                     "[limits]\nmax_sessions = 9\n[Network]\n"
	                     "name = x\n"),
	    -1);
	assert_int_equal(count_lines(fx->cause), 2);
	assert_error(fx, 0, 2, "[deamon] state_dir: ", "unknown section");
	assert_error(fx, 1, 7, "[Network] name: ", "[daemon], [limits]");
}

/* An unknown or wrongly cased key is reported with the valid keys. */
static void
test_config_unknown_key(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "[limits]\nmax_session = 5\n"), -1);
	assert_only_error(fx, 2, "[limits] max_session: ",
	    "unknown key; the keys of [limits] are max_sessions, idle_timeout");
	assert_int_equal(load(fx, "[daemon]\nState_Dir = /x\n"), -1);
	assert_only_error(fx, 2, "[daemon] State_Dir: ", "unknown key");
}

/* A key before any section header is an error. */
static void
test_config_key_outside_section(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "log_level = debug\n[daemon]\n"), -1);
	assert_only_error(fx, 1, "log_level: ", "outside any section");
}

/* Integers must be whole numbers with nothing after them. */
static void
test_config_bad_integers(void **state)
{
	struct fixture *fx = *state;
	const char *bad[] = {"abc", "12x", "1.5", "0x10", "", "5 sessions"};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		    loadf(fx, "[limits]\nmax_sessions = %s\n", bad[i]), -1);
		assert_only_error(fx, 2, "[limits] max_sessions: ",
		    "is not a whole number; expected 1 to 100000");
	}
	assert_int_equal(fx->cfg->max_sessions, 256);
}

/* Integers outside their range are refused, naming it. */
static void
test_config_integers_out_of_range(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "[limits]\nmax_sessions = 0\n"), -1);
	assert_only_error(fx, 2, "[limits] max_sessions: ",
	    "0 is out of range; expected 1 to 100000");
	assert_int_equal(load(fx, "[limits]\nmax_sessions = 100001\n"), -1);
	assert_only_error(fx, 2, "[limits] max_sessions: ", "1 to 100000");
	assert_int_equal(load(fx,
	                     "[limits]\nmax_sessions = "
	                     "99999999999999999999999\n"),
	    -1);
	assert_only_error(fx, 2, "[limits] max_sessions: ", "out of range");
	assert_int_equal(load(fx, "[limits]\nidle_timeout = -1\n"), -1);
	assert_only_error(fx, 2, "[limits] idle_timeout: ", "0 to 86400");
	assert_int_equal(load(fx, "[limits]\nidle_timeout = 86401\n"), -1);
	assert_only_error(fx, 2, "[limits] idle_timeout: ", "0 to 86400");
	assert_int_equal(fx->cfg->idle_timeout, 300);
	assert_int_equal(load(fx, "[daemon]\ncache_mb = 0\n"), -1);
	assert_only_error(fx, 2, "[daemon] cache_mb: ", "1 to 65536");
	assert_int_equal(load(fx, "[daemon]\ncache_mb = 256\n"), 0);
	assert_int_equal(fx->cfg->cache_mb, 256);
}

/* A bad log level lists the accepted words. */
static void
test_config_bad_log_level(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "[daemon]\nlog_level = verbose\n"), -1);
	assert_only_error(fx, 2, "[daemon] log_level: ",
	    "\"verbose\" is not a log level; expected debug, info, warning "
	    "or error");
	assert_int_equal(load(fx, "[daemon]\nlog_level = INFO\n"), -1);
	assert_only_error(fx, 2, "[daemon] log_level: ", "not a log level");
}

/* A key set twice is reported with the first line. */
static void
test_config_duplicate_key(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx,
	                     "[daemon]\nlog_level = debug\n\n"
	                     "log_level = error\n"),
	    -1);
	assert_only_error(fx, 4, "[daemon] log_level: ",
	    "duplicate key; it was already set on line 2");
	assert_int_equal(load(fx,
	                     "[limits]\nmax_sessions = 5\n[daemon]\n[limits]\n"
	                     "max_sessions = 6\n"),
	    -1);
	assert_only_error(fx, 5, "[limits] max_sessions: ", "line 2");
	assert_int_equal(fx->cfg->log_level, LOG_LEVEL_INFO);
}

/* inih's indented continuation lines are refused. */
static void
test_config_continuation_line_rejected(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "[network]\nname = Food\n  Share\n"), -1);
	assert_only_error(fx, 3, "[network] name: ", "indented line");
	assert_int_equal(load(fx,
	                     "[limits]\nmax_sessions = 5\n"
	                     "  idle_timeout = 10\n"),
	    -1);
	assert_only_error(fx, 3, "[limits] max_sessions: ", "indented line");
	assert_loads(fx, "[limits]\n  max_sessions = 7\n");
	assert_int_equal(fx->cfg->max_sessions, 7);
}

/* All errors come back together, one per line, in order. */
static void
test_config_several_errors_reported_together(void **state)
{
	struct fixture *fx = *state;
	size_t len;

	assert_int_equal(load(fx,
	                     "[daemon]\nlog_level = loud\n"
	                     "listen = 127.0.0.1:0\n[limits]\n"
	                     "max_sessions = many\nnot a setting\n"
	                     "idle_timeout = 5\nidle_timeout = 6\n[stock]\n"
	                     "tins = 4\n"),
	    -1);
	assert_int_equal(count_lines(fx->cause), 6);
	len = strlen(fx->cause);
	assert_true(len > 0 && fx->cause[len - 1] != '\n');
	assert_error(fx, 0, 2, "[daemon] log_level: ", "loud");
	assert_error(fx, 1, 3, "[daemon] listen: ", "1 to 65535");
	assert_error(fx, 2, 5, "[limits] max_sessions: ", "many");
	assert_error(fx, 3, 6, "syntax error", "");
	assert_error(fx, 4, 8, "[limits] idle_timeout: ", "duplicate");
	assert_error(fx, 5, 10, "[stock] tins: ", "unknown section");
}

/* A failed load leaves the config as it was. */
static void
test_config_error_leaves_config_unchanged(void **state)
{
	struct fixture *fx = *state;
	struct config *defaults = config_new();

	assert_non_null(defaults);
	assert_int_equal(load(fx,
	                     "[daemon]\nstate_dir = /changed\n"
	                     "log_level = debug\n[network]\ncategories = a, b\n"
	                     "hubs = x\n[limits]\nmax_sessions = 0\n"),
	    -1);
	assert_same_config(fx->cfg, defaults);
	config_free(defaults);
}

/* A load only changes the keys its file sets. */
static void
test_config_load_applies_over_existing(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx,
	    "[daemon]\nlog_level = warning\n[network]\nhubs = east\n");
	assert_loads(fx, "[limits]\nmax_sessions = 42\n");
	assert_int_equal(fx->cfg->log_level, LOG_LEVEL_WARNING);
	assert_int_equal(fx->cfg->max_sessions, 42);
	assert_int_equal(fx->cfg->nhubs, 1);
	assert_loads(fx, "[network]\nhubs =\n");
	assert_int_equal(fx->cfg->nhubs, 0);
	assert_null(fx->cfg->hubs);
}

/* Lines inih cannot parse are syntax errors at their line. */
static void
test_config_syntax_error_line(void **state)
{
	struct fixture *fx = *state;
	char want[PATH_MAX + 192];

	assert_int_equal(load(fx,
	                     "[daemon]\nlog_level = debug\n\n"
	                     "this line has no equals sign\n"),
	    -1);
	snprintf(want, sizeof want,
	    "%s:4: syntax error; expected [section], key = value or a comment",
	    fx->path);
	assert_string_equal(fx->cause, want);
	assert_int_equal(load(fx, "[daemon\nlog_level = debug\n"), -1);
	assert_int_equal(count_lines(fx->cause), 2);
	assert_error(fx, 0, 1, "syntax error", "");
	assert_error(fx, 1, 2, "log_level: ", "outside any section");
}

/* Every syntax error is found, not just the first. */
static void
test_config_several_syntax_errors(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx,
	                     "[daemon]\noops\n[limits\nmax_sessions = -4\n"
	                     "again\nidle_timeout = 9\n"),
	    -1);
	assert_int_equal(count_lines(fx->cause), 5);
	assert_error(fx, 0, 2, "syntax error", "");
	assert_error(fx, 1, 3, "syntax error", "");
	/* The broken header leaves the [limits] keys in [daemon]. */
	assert_error(fx, 2, 4, "[daemon] max_sessions: ", "unknown key");
	assert_error(fx, 3, 5, "syntax error", "");
	assert_error(fx, 4, 6, "[daemon] idle_timeout: ", "unknown key");
}

/* An overlong line is an error and its tail is not parsed. */
static void
test_config_line_too_long(void **state)
{
	struct fixture *fx = *state;
	char dir[256], want[PATH_MAX + 128];

	assert_int_equal(loadf(fx,
	                     "[daemon]\nstate_dir = /%s = x\n[limits]\n"
	                     "max_sessions = 0\n",
	                     repeat(dir, 'a', 240)),
	    -1);
	assert_int_equal(count_lines(fx->cause), 2);
	nth_line(fx->cause, 0, dir, sizeof dir);
	snprintf(want, sizeof want,
	    "%s:2: line too long; the limit is 199 bytes", fx->path);
	assert_string_equal(dir, want);
	assert_error(fx, 1, 4, "[limits] max_sessions: ", "out of range");
}

/* A line of exactly the limit is accepted. */
static void
test_config_line_at_limit_accepted(void **state)
{
	struct fixture *fx = *state;
	char dir[256];

	/* "state_dir = " is 12 bytes, so 187 more make 199. */
	assert_int_equal(loadf(fx,
	                     "[daemon]\nstate_dir = %s\nlog_level = error\n",
	                     repeat(dir, 'a', 187)),
	    0);
	assert_int_equal(strlen(fx->cfg->state_dir), 187);
	assert_int_equal(fx->cfg->log_level, LOG_LEVEL_ERROR);
	assert_int_equal(
	    loadf(fx, "[daemon]\nstate_dir = %s", repeat(dir, 'b', 187)), 0);
	assert_int_equal(fx->cfg->state_dir[0], 'b');
	assert_int_equal(
	    loadf(fx, "[daemon]\nstate_dir = %s\n", repeat(dir, 'a', 188)), -1);
	assert_only_error(fx, 2, "line too long", "199");
}

/* Overlong comment lines are skipped without error. */
static void
test_config_long_comment_accepted(void **state)
{
	struct fixture *fx = *state;
	char text[512];

	assert_int_equal(loadf(fx,
	                     "# %s\n[daemon]\n  ; %s\nlog_level = error\n",
	                     repeat(text, 'c', 300), text),
	    0);
	assert_int_equal(fx->cfg->log_level, LOG_LEVEL_ERROR);
}

/* Files with CRLF line endings load. */
static void
test_config_crlf_line_endings(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx, "[daemon]\r\nlog_level = warning\r\n");
	assert_int_equal(fx->cfg->log_level, LOG_LEVEL_WARNING);
}

/* A missing file says it cannot be opened, and why. */
static void
test_config_missing_file(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX + 32], want[PATH_MAX + 128];

	snprintf(path, sizeof path, "%s/absent.conf", fx->dir);
	assert_int_equal(config_load(fx->cfg, path, &fx->cause), -1);
	snprintf(want, sizeof want,
	    "%s: cannot open: No such file or directory", path);
	assert_string_equal(fx->cause, want);
	assert_string_equal(fx->cfg->state_dir, "larder-state");
}

/* A directory given as the file says it cannot be read. */
static void
test_config_directory_unreadable(void **state)
{
	struct fixture *fx = *state;
	char want[PATH_MAX + 64];

	assert_int_equal(config_load(fx->cfg, fx->dir, &fx->cause), -1);
	snprintf(want, sizeof want, "%s: cannot read: Is a directory", fx->dir);
	assert_string_equal(fx->cause, want);
}

/* Sets listen to value and checks it is accepted and stored as given. */
static void
listen_ok(struct fixture *fx, const char *value)
{
	if (config_set_listen(fx->cfg, value, &fx->cause) != 0)
		fail_msg("%s: %s", value, fx->cause);
	assert_string_equal(fx->cfg->listen, value);
}

/* Checks listen rejects value with a message containing needle. */
static void
listen_bad(struct fixture *fx, const char *value, const char *needle)
{
	char *cause = NULL;

	assert_int_equal(config_set_listen(fx->cfg, value, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, needle) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", value, cause, needle);
	free(cause);
	assert_string_equal(fx->cfg->listen, "127.0.0.1:7411");
}

/* listen takes none, host:port and [IPv6]:port. */
static void
test_config_listen_accepted_forms(void **state)
{
	struct fixture *fx = *state;

	listen_ok(fx, "192.168.1.20:80");
	listen_ok(fx, "larder.example.org:65535");
	listen_ok(fx, "[::1]:7411");
	listen_ok(fx, "[fe80::1:2]:1");
	assert_int_equal(config_set_listen(fx->cfg, "none", &fx->cause), 0);
	assert_null(fx->cfg->listen);
	assert_loads(fx, "[daemon]\nlisten = [::]:7411\n");
	assert_string_equal(fx->cfg->listen, "[::]:7411");
	assert_loads(fx, "[daemon]\nlisten = none\n");
	assert_null(fx->cfg->listen);
}

/* Bad listen values are refused saying what is accepted. */
static void
test_config_listen_rejected_forms(void **state)
{
	struct fixture *fx = *state;

	listen_bad(fx, "127.0.0.1:0",
	    "port 0 is out of range; the port must be 1 to 65535");
	listen_bad(fx, "127.0.0.1:65536", "1 to 65535");
	listen_bad(fx, "127.0.0.1:99999999999999999999", "1 to 65535");
	listen_bad(fx, "127.0.0.1", "has no port; expected none or HOST:PORT");
	listen_bad(fx, "[::1]", "has no port");
	listen_bad(fx, "127.0.0.1:", "port is missing; expected none");
	listen_bad(fx, ":7411", "host is empty; expected none or HOST:PORT");
	listen_bad(fx, "::1:7411", "must be in brackets; expected none");
	listen_bad(fx, "127.0.0.1:http", "bad port");
	listen_bad(fx, "127.0.0.1:+80", "bad port");
	listen_bad(fx, "[]:7411", "bad IPv6 address");
	listen_bad(fx, "[::1:7411", "bad IPv6 address");
	listen_bad(fx, "local host:7411", "bad host");
	listen_bad(fx, "None", "has no port");
	listen_bad(fx, "", "has no port");
}

/* A bad listen in the file carries its file and line. */
static void
test_config_listen_error_in_file(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "[daemon]\nlisten = 127.0.0.1:65536\n"), -1);
	assert_only_error(fx, 2, "[daemon] listen: port 65536 is out of range",
	    "1 to 65535");
	assert_int_equal(load(fx, "[daemon]\nlisten = 7411\n"), -1);
	assert_only_error(fx, 2, "[daemon] listen: ", "[::1]:7411");
	assert_string_equal(fx->cfg->listen, "127.0.0.1:7411");
}

/* Category names and lists are checked. */
static void
test_config_categories_validation(void **state)
{
	struct fixture *fx = *state;
	const char *bad[][2] = {
	    {"Bakery", "bad name \"Bakery\""},
	    {"-dry", "starting with a letter or digit"},
	    {"_dry", "bad name"},
	    {"fresh veg", "bad name"},
	    {"veg!", "bad name"},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1 to 32 characters"},
	    {"a,,b", "empty item"},
	    {"a, b,", "empty item"},
	    {", a", "empty item"},
	    {"tins, jars, tins", "\"tins\" is listed twice"},
	    {"", "must list at least 1 name"},
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		    loadf(fx, "[network]\ncategories = %s\n", bad[i][0]), -1);
		assert_only_error(fx, 2, "[network] categories: ", bad[i][1]);
	}
	assert_int_equal(fx->cfg->ncategories, 10);
	assert_loads(fx,
	    "[network]\ncategories = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,0\n");
	assert_int_equal(fx->cfg->ncategories, 2);
}

/* Hub names are checked like categories; empty is allowed. */
static void
test_config_hubs_validation(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx, "[network]\nhubs = North\n"), -1);
	assert_only_error(fx, 2, "[network] hubs: ", "bad name \"North\"");
	assert_int_equal(load(fx, "[network]\nhubs = a,,b\n"), -1);
	assert_only_error(fx, 2, "[network] hubs: ", "empty item");
	assert_int_equal(load(fx, "[network]\nhubs = a, b, a\n"), -1);
	assert_only_error(fx, 2, "[network] hubs: ", "listed twice");
	assert_loads(fx, "[network]\nhubs =\n");
	assert_int_equal(fx->cfg->nhubs, 0);
}

/* config_has_category() matches whole names exactly. */
static void
test_config_has_category(void **state)
{
	struct fixture *fx = *state;

	assert_true(config_has_category(fx->cfg, "dairy"));
	assert_true(config_has_category(fx->cfg, "other"));
	assert_false(config_has_category(fx->cfg, "Dairy"));
	assert_false(config_has_category(fx->cfg, "dair"));
	assert_false(config_has_category(fx->cfg, ""));
	assert_false(config_has_category(fx->cfg, NULL));
	assert_loads(fx, "[network]\ncategories = tins\n");
	assert_true(config_has_category(fx->cfg, "tins"));
	assert_false(config_has_category(fx->cfg, "dairy"));
}

/* config_has_hub() matches listed hubs, or any when none are. */
static void
test_config_has_hub(void **state)
{
	struct fixture *fx = *state;

	assert_true(config_has_hub(fx->cfg, "anywhere"));
	assert_false(config_has_hub(fx->cfg, NULL));
	assert_loads(fx, "[network]\nhubs = north, south-2\n");
	assert_true(config_has_hub(fx->cfg, "north"));
	assert_true(config_has_hub(fx->cfg, "south-2"));
	assert_false(config_has_hub(fx->cfg, "east"));
	assert_false(config_has_hub(fx->cfg, "nort"));
}

/* The [rules] section sets the first values of the network's rules. */
static void
test_config_rules_parsed(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx,
	    "[rules]\npolicy = lottery\nbeta = 0.35\ncap = 3\n"
	    "hub_first = 600\nrespond_min = 120\nrespond_max = 900\n"
	    "flash_after = 2\nflash_window = 0\nflash_charge = 100\n"
	    "ledger_cap = 5000\nledger_decay = 90\nmargin = 0\n"
	    "[daemon]\nclock = manual\n");
	assert_string_equal(fx->cfg->rules.policy, "lottery");
	assert_float_equal(fx->cfg->rules.beta, 0.35, 1e-12);
	assert_float_equal(fx->cfg->rules.cap, 3, 1e-12);
	assert_int_equal(fx->cfg->rules.hub_first, 600);
	assert_int_equal(fx->cfg->rules.respond_min, 120);
	assert_int_equal(fx->cfg->rules.respond_max, 900);
	assert_int_equal(fx->cfg->rules.flash_after, 2);
	assert_int_equal(fx->cfg->rules.flash_window, 0);
	assert_int_equal(fx->cfg->rules.flash_charge, 100);
	assert_int_equal(fx->cfg->rules.ledger_cap, 5000);
	assert_int_equal(fx->cfg->rules.ledger_decay, 90);
	assert_int_equal(fx->cfg->rules.margin, 0);
	assert_int_equal(fx->cfg->manual_clock, 1);
	assert_loads(fx, "[rules]\nseed = 00ff00ff00ff00ff\n");
	assert_true(fx->cfg->rules.seed == 0x00ff00ff00ff00ffULL);
	assert_int_equal(fx->cfg->seed_given, 1);
	assert_int_equal(load(fx, "[rules]\nseed = xyz\n"), -1);
	assert_loads(fx,
	    "[metrics]\ngrams_per_meal = 500\n"
	    "co2e_per_kg = 2.5\n");
	assert_int_equal(fx->cfg->factors.grams_per_meal, 500);
	assert_true(fx->cfg->factors.co2e_per_kg == 2.5);
}

/* Each bad [rules] value is reported with its line. */
static void
test_config_rules_errors(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(load(fx,
	                     "[rules]\npolicy = auction\nbeta = 1.5\n"
	                     "cap = 0.5\nflash_charge = 101\nhub_first = soon\n"
	                     "[daemon]\nclock = slow\n"),
	    -1);
	assert_int_equal(count_lines(fx->cause), 6);
	assert_error(fx, 0, 2, "[rules] policy: ", "is not a policy");
	assert_error(fx, 1, 3, "[rules] beta: ", "not a number from 0 to 1");
	assert_error(fx, 2, 4, "[rules] cap: ", "not a number from 1 to 10");
	assert_error(fx, 3, 5, "[rules] flash_charge: ", "0 to 100");
	assert_error(fx, 4, 6, "[rules] hub_first: ", "\"soon\"");
	assert_error(fx, 5, 8, "[daemon] clock: ", "is not a clock");
}

/* respond_max below respond_min is caught when the settings are final. */
static void
test_config_rules_respond_order(void **state)
{
	struct fixture *fx = *state;

	assert_loads(fx, "[rules]\nrespond_min = 900\nrespond_max = 600\n");
	assert_int_equal(config_finish(fx->cfg, &fx->cause), -1);
	assert_non_null(strstr(fx->cause,
	    "respond_max (600) is less than respond_min (900)"));
}

/* The shipped larderd.conf loads to the defaults. */
static void
test_config_shipped_file_loads_to_defaults(void **state)
{
	struct fixture *fx = *state;
	struct config *defaults = config_new();
	char *cause = NULL;

	assert_non_null(defaults);
	if (config_load(fx->cfg, SHIPPED_CONF, &fx->cause) != 0)
		fail_msg("%s", fx->cause);
	assert_same_config(fx->cfg, defaults);
	assert_finishes(fx);
	assert_int_equal(config_finish(defaults, &cause), 0);
	assert_same_config(fx->cfg, defaults);
	config_free(defaults);
}

/* Reads the whole of path into buf. */
static void
read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	assert_true(n < size - 1);
	buf[n] = '\0';
	fclose(f);
}

/* Removes the ';' starting a line from every line; returns how many. */
static int
uncomment(char *text)
{
	char *r, *w;
	int n = 0, start = 1;

	for (r = w = text; *r != '\0'; r++) {
		if (start && *r == ';') {
			n++;
			start = 0;
			continue;
		}
		start = (*r == '\n');
		*w++ = *r;
	}
	*w = '\0';
	return n;
}

/* The shipped larderd.conf shows every section and key. */
static void
test_config_shipped_file_documents_every_key(void **state)
{
	struct fixture *fx = *state;
	const char *keys[] = {"[daemon]\n",
	    "\n;state_dir = ", "\n;database = ", "\n;socket = ", "\n;listen = ",
	    "\n;timezone =", "\n;log_level = ", "\n;cache_mb = ", "[limits]\n",
	    "\n;max_sessions = ", "\n;idle_timeout = ", "[network]\n",
	    "\n;name = ", "\n;categories = ", "\n;hubs =", "\n;clock = ",
	    "[rules]\n",
	    "\n;policy = ", "\n;beta = ", "\n;cap = ", "\n;hub_first = ",
	    "\n;respond_min = ", "\n;respond_max = ", "\n;flash_after = ",
	    "\n;flash_window = ", "\n;flash_charge = ", "\n;ledger_cap = ",
	    "\n;ledger_decay = ", "\n;margin = ", "[metrics]\n",
	    "\n;grams_per_meal = ", "\n;co2e_per_kg = ", "\n;quorum = ",
	    "\n;majority = ", "\n;vote_period = ", "\n;sanction_window = ",
	    "\n;sanction_warning = ", "\n;sanction_restricted = ",
	    "\n;sanction_suspended = ", "\n;sanction_restrict_days = ",
	    "\n;sanction_clean_days = ", "\n;dispute_days = ", "\n;seed =",
	    "\n;hello_bytes = ", "\n;hello_timeout = ", "\n;rate = ",
	    "\n;burst = ", "\n;watch_buffer = ", "\n;open_offers = ",
	    "\n;open_requests = ", "\n;tls_cert =", "\n;tls_key =",
	    "\n;json_depth = "};
	static char text[65536];
	size_t i;

	(void)fx;
	read_file(SHIPPED_CONF, text, sizeof text);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strstr(text, keys[i]) == NULL)
			fail_msg("larderd.conf lacks \"%s\"", keys[i]);
	}
}

/* Uncommenting every shipped setting still gives the defaults. */
static void
test_config_shipped_settings_are_defaults(void **state)
{
	struct fixture *fx = *state;
	struct config *defaults = config_new();
	static char text[65536];
	char *cause = NULL;

	assert_non_null(defaults);
	read_file(SHIPPED_CONF, text, sizeof text);
	assert_int_equal(uncomment(text), 48);
	assert_loads(fx, text);
	assert_non_null(fx->cfg->database);
	assert_finishes(fx);
	assert_int_equal(config_finish(defaults, &cause), 0);
	assert_same_config(fx->cfg, defaults);
	config_free(defaults);
}

/* Runs every test, each with a fresh directory and config. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_config_defaults),
	    T(test_config_empty_file_keeps_defaults),
	    T(test_config_daemon_keys_parsed),
	    T(test_config_limits_keys_parsed),
	    T(test_config_network_keys_parsed),
	    T(test_config_log_levels_all_words),
	    T(test_config_timezone_values),
	    T(test_config_network_name_length),
	    T(test_config_empty_paths_rejected),
	    T(test_config_derived_paths_follow_state_dir),
	    T(test_config_derived_paths_trailing_slash),
	    T(test_config_explicit_paths_kept),
	    T(test_config_state_dir_change_before_finish),
	    T(test_config_finish_socket_too_long),
	    T(test_config_finish_empty_state_dir),
	    T(test_config_socket_key_length),
	    T(test_config_unknown_section),
	    T(test_config_unknown_key),
	    T(test_config_key_outside_section),
	    T(test_config_bad_integers),
	    T(test_config_integers_out_of_range),
	    T(test_config_bad_log_level),
	    T(test_config_duplicate_key),
	    T(test_config_continuation_line_rejected),
	    T(test_config_several_errors_reported_together),
	    T(test_config_error_leaves_config_unchanged),
	    T(test_config_load_applies_over_existing),
	    T(test_config_syntax_error_line),
	    T(test_config_several_syntax_errors),
	    T(test_config_line_too_long),
	    T(test_config_line_at_limit_accepted),
	    T(test_config_long_comment_accepted),
	    T(test_config_crlf_line_endings),
	    T(test_config_missing_file),
	    T(test_config_directory_unreadable),
	    T(test_config_listen_accepted_forms),
	    T(test_config_listen_rejected_forms),
	    T(test_config_listen_error_in_file),
	    T(test_config_categories_validation),
	    T(test_config_hubs_validation),
	    T(test_config_has_category),
	    T(test_config_has_hub),
	    T(test_config_rules_parsed),
	    T(test_config_rules_errors),
	    T(test_config_rules_respond_order),
	    T(test_config_shipped_file_loads_to_defaults),
	    T(test_config_shipped_file_documents_every_key),
	    T(test_config_shipped_settings_are_defaults),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
