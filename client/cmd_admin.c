/* cmd_admin.c: larder status, log verify and log export. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "store.h"

int
cmd_status(struct client *c, int argc, char **argv)
{
	json_t *res;
	char when[32];

	(void)argv;
	if (argc != 1)
		return out_usage(command_current(), "takes no arguments");
	if ((res = client_call(c, "status", NULL)) == NULL)
		return EXIT_FAIL;
	if (c->opts.json)
		return 0;
	printf("larderd %s (protocol %lld), up %lld s since %s (%s)\n",
	    json_string_value(json_object_get(res, "version")),
	    (long long)json_integer_value(json_object_get(res, "protocol")),
	    (long long)json_integer_value(json_object_get(res, "uptime")),
	    out_when(json_object_get(res, "started"), when, sizeof when),
	    json_string_value(json_object_get(res, "timezone")));
	printf("sessions %lld, members %lld, open offers %lld, open requests "
	       "%lld, log events %lld\n",
	    (long long)json_integer_value(json_object_get(res, "sessions")),
	    (long long)json_integer_value(json_object_get(res, "members")),
	    (long long)json_integer_value(json_object_get(res, "offers_open")),
	    (long long)json_integer_value(
	        json_object_get(res, "requests_open")),
	    (long long)json_integer_value(json_object_get(res, "events")));
	return 0;
}

int
cmd_log_verify(struct client *c, int argc, char **argv)
{
	json_t *res;

	(void)argv;
	if (argc != 1)
		return out_usage(command_current(), "takes no arguments");
	if ((res = client_call(c, "log.verify", NULL)) == NULL)
		return EXIT_FAIL;
	if (json_is_true(json_object_get(res, "ok"))) {
		if (!c->opts.json)
			printf("OK: %lld events, the chain holds\n",
			    (long long)json_integer_value(
			        json_object_get(res, "events")));
		return 0;
	}
	if (!c->opts.json)
		printf("BROKEN at event %lld: %s (%lld events before it "
		       "verified)\n",
		    (long long)json_integer_value(
		        json_object_get(res, "bad_seq")),
		    json_string_value(json_object_get(res, "reason")),
		    (long long)json_integer_value(
		        json_object_get(res, "events")));
	return EXIT_FAIL;
}

/* Reads log export's options. */
static int
log_export_args(int argc, char **argv, json_int_t *since, const char **out)
{
	static const struct option longs[] = {
	    {"since", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "o:", longs, NULL)) != -1) {
		if (ch == 's') {
			*since = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || *since < 0)
				return out_usage(command_current(),
				    "--since takes an event number");
		} else if (ch == 'o')
			*out = optarg;
		else
			return out_usage(command_current(), "unknown option");
	}
	if (optind != argc)
		return out_usage(command_current(), "unexpected \"%s\"",
		    argv[optind]);
	return 0;
}

/* Writes every event after since to f, one JSON object a line. */
static int
log_export_pages(struct client *c, json_int_t since, FILE *f)
{
	json_t *res, *ev;
	size_t i;

	do {
		res = client_call(c, "log.export",
		    json_pack("{s:I}", "since", since));
		if (res == NULL)
			return EXIT_FAIL;
		json_array_foreach(json_object_get(res, "events"), i, ev)
		{
			if (json_dumpf(ev, f, JSON_COMPACT | JSON_SORT_KEYS) !=
			        0 ||
			    fputc('\n', f) == EOF)
				return EXIT_FAIL;
		}
		since = json_integer_value(json_object_get(res, "next"));
	} while (since > 0);
	return 0;
}

int
cmd_log_export(struct client *c, int argc, char **argv)
{
	json_int_t since = 0;
	const char *out = NULL;
	FILE *f = stdout;
	int rc;

	if ((rc = log_export_args(argc, argv, &since, &out)) != 0)
		return rc;
	c->opts.json = 0;
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "larder: %s: %s\n", out, strerror(errno));
		return EXIT_FAIL;
	}
	rc = log_export_pages(c, since, f);
	if (out != NULL && fclose(f) != 0 && rc == 0) {
		fprintf(stderr, "larder: %s: %s\n", out, strerror(errno));
		rc = EXIT_FAIL;
	}
	return rc;
}

/* The database file of a daemon on this machine, when none is named. */
static const char *
backup_default_db(void)
{
	static const char *const places[] = {"larder-state/larder.db",
	    "/var/lib/larder/larder.db"};
	size_t i;

	for (i = 0; i < sizeof places / sizeof places[0]; i++) {
		if (access(places[i], R_OK) == 0)
			return places[i];
	}
	return places[0];
}

/*
 * Copies the live database to FILE with SQLite's online backup, while
 * larderd keeps serving, then checks the copy.
 */
int
cmd_backup(struct client *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	const char *db = NULL;
	int64_t members, events;
	char *cause = NULL;
	int ch;

	(void)c;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch != 'd')
			return out_usage(command_current(), "unknown option");
		db = optarg;
	}
	if (optind != argc - 1)
		return out_usage(command_current(), "name the FILE to write");
	if (db == NULL)
		db = backup_default_db();
	if (store_backup(db, argv[optind], &cause) != 0 ||
	    store_check(argv[optind], &members, &events, &cause) != 0) {
		fprintf(stderr, "larder: backup of %s: %s\n", db, cause);
		free(cause);
		return EXIT_FAIL;
	}
	printf("backed up %s to %s: %lld members, %lld events, integrity "
	       "ok\n",
	    db, argv[optind], (long long)members, (long long)events);
	return 0;
}
