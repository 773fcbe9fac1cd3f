/* cmd_challenge.c: larder challenge open, close and list. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static void
challenge_header(void)
{
	printf("%5s  %-10s %-12s %-16s %6s %8s  %s\n", "ID", "STATE", "BY",
	    "OPENED", "OFFERS", "REQUESTS", "TITLE");
}

/* Prints one challenge as a line of the table. */
static void
challenge_row(json_t *ch)
{
	char when[32];

	printf("%5lld  %-10s %-12s %-16s %6lld %8lld  %s\n",
	    (long long)json_integer_value(json_object_get(ch, "id")),
	    json_string_value(json_object_get(ch, "state")),
	    json_string_value(json_object_get(ch, "by")),
	    out_when(json_object_get(ch, "opened"), when, sizeof when),
	    (long long)json_integer_value(json_object_get(ch, "offers")),
	    (long long)json_integer_value(json_object_get(ch, "requests")),
	    json_string_value(json_object_get(ch, "title")));
}

/* Prints one challenge in a sentence. */
static void
challenge_print(json_t *ch)
{
	printf("challenge %lld: %s, %s\n",
	    (long long)json_integer_value(json_object_get(ch, "id")),
	    json_string_value(json_object_get(ch, "title")),
	    json_string_value(json_object_get(ch, "state")));
}

int
cmd_challenge_open(struct client *c, int argc, char **argv)
{
	json_t *res;

	if (argc != 2)
		return out_usage(command_current(), "give the TITLE in quotes");
	res = client_call(c, "challenge.open",
	    json_pack("{s:s}", "title", argv[1]));
	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		challenge_print(json_object_get(res, "challenge"));
	return 0;
}

int
cmd_challenge_close(struct client *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"resolved", no_argument, NULL, 'r'},
	    {"unresolved", no_argument, NULL, 'u'}, {NULL, 0, NULL, 0}};
	json_int_t id;
	json_t *res;
	int ch, resolved = -1;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch != 'r' && ch != 'u')
			return out_usage(command_current(), "unknown option");
		resolved = ch == 'r';
	}
	if (resolved < 0 || optind != argc - 1)
		return out_usage(command_current(),
		    "name one ID and say "
		    "--resolved or --unresolved");
	if (parse_id(command_current(), argv[optind], &id) != 0)
		return EXIT_USAGE;
	res = client_call(c, "challenge.close",
	    json_pack("{s:I, s:b}", "challenge", id, "resolved", resolved));
	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		challenge_print(json_object_get(res, "challenge"));
	return 0;
}

int
cmd_challenge_list(struct client *c, int argc, char **argv)
{
	static const struct listing l = {"challenge.list", "challenges",
	    {"open", NULL, NULL}, challenge_header, challenge_row};

	return listing_run(c, &l, argc, argv);
}
