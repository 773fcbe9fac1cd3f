/* cmd_clock.c: larder clock advance and set, which move a daemon's manual
 * clock for tests and demonstrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "duration.h"

/* Prints the clock's new time from a clock reply; the exit status. */
static int
clock_print(struct client *c, json_t *res)
{
	char when[32];

	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		printf("clock: now %s\n",
		    out_when(json_object_get(res, "now"), when, sizeof when));
	return 0;
}

/* Moves the manual clock forward by a typed duration. */
int
cmd_clock_advance(struct client *c, int argc, char **argv)
{
	const struct command *cmd = command_current();
	char *cause = NULL;
	int64_t seconds;

	if (argc != 2)
		return out_usage(cmd, "name exactly one DURATION");
	if (duration_parse(argv[1], &seconds, &cause) != 0) {
		out_usage(cmd, "%s", cause != NULL ? cause : "bad duration");
		free(cause);
		return EXIT_USAGE;
	}
	return clock_print(c,
	    client_call(c, "clock.advance",
	        json_pack("{s:I}", "seconds", (json_int_t)seconds)));
}

/* Joins the words of a time typed unquoted, such as tomorrow 16:00. */
static int
clock_words(int argc, char **argv, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 1; i < argc; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i > 1 ? " " : "",
		    argv[i]);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Sets the manual clock to a time read against the server's now. */
int
cmd_clock_set(struct client *c, int argc, char **argv)
{
	const struct command *cmd = command_current();
	json_t *args;
	char text[256];

	if (argc < 2)
		return out_usage(cmd, "name the TIME");
	if (clock_words(argc, argv, text, sizeof text) != 0)
		return out_usage(cmd, "the TIME is too long");
	if (client_connect(c) != 0)
		return EXIT_FAIL;
	args = json_object();
	if (parse_time_opt(c, cmd, text, 0, args, "time") != 0) {
		json_decref(args);
		return EXIT_USAGE;
	}
	return clock_print(c, client_call(c, "clock.set", args));
}
