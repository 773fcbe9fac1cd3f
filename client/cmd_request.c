/* cmd_request.c: larder request post, list, show and cancel. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static void
request_header(void)
{
	printf("%5s  %-12s %-24s %9s %9s  %-16s %-8s %s\n", "ID", "MEMBER",
	    "CATEGORIES", "WANTED", "RECEIVED", "BY", "KIND", "STATE");
}

/* Prints one request as a line of the requests table. */
static void
request_row(json_t *r)
{
	char cats[128], want[32], got[32], by[32];

	printf("%5lld  %-12s %-24s %9s %9s  %-16s %-8s %s\n",
	    (long long)json_integer_value(json_object_get(r, "id")),
	    json_string_value(json_object_get(r, "member")),
	    out_list(json_object_get(r, "categories"), cats, sizeof cats),
	    out_kg(json_integer_value(json_object_get(r, "grams")), want,
	        sizeof want),
	    out_kg(json_integer_value(json_object_get(r, "received")), got,
	        sizeof got),
	    out_when(json_object_get(r, "by"), by, sizeof by),
	    json_is_true(json_object_get(r, "standing")) ? "standing"
	                                                 : "one-off",
	    json_string_value(json_object_get(r, "state")));
}

/* Prints one request in full. */
static void
request_print(json_t *r)
{
	char a[128], b[32];

	printf("request %lld: %s wants %s of %s, %s\n",
	    (long long)json_integer_value(json_object_get(r, "id")),
	    json_string_value(json_object_get(r, "member")),
	    out_kg(json_integer_value(json_object_get(r, "grams")), b,
	        sizeof b),
	    out_list(json_object_get(r, "categories"), a, sizeof a),
	    json_string_value(json_object_get(r, "state")));
	printf("  storage      %s\n",
	    out_list(json_object_get(r, "storage"), a, sizeof a));
	printf("  by           %s%s\n",
	    out_when(json_object_get(r, "by"), a, sizeof a),
	    json_is_true(json_object_get(r, "standing"))
	        ? " (standing: renews weekly)"
	        : "");
	printf("  received     %s\n",
	    out_kg(json_integer_value(json_object_get(r, "received")), a,
	        sizeof a));
	if (json_string_length(json_object_get(r, "note")) > 0)
		printf("  note         %s\n",
		    json_string_value(json_object_get(r, "note")));
}

/* Applies one request post option to args; --by waits in *by. */
static int
request_post_opt(int ch, json_t *args, const char **by)
{
	const struct command *cmd = command_current();
	int64_t grams;

	switch (ch) {
	case 'c':
		return json_object_set_new(args, "categories",
		    parse_list(optarg));
	case 'k':
		if (parse_grams_opt(cmd, optarg, &grams) != 0)
			return -1;
		return json_object_set_new(args, "grams", json_integer(grams));
	case 'b':
		*by = optarg;
		return 0;
	case 's':
		return json_object_set_new(args, "storage", parse_list(optarg));
	case 'S':
		return json_object_set_new(args, "standing", json_true());
	case 'g':
		return parse_challenge_opt(cmd, optarg, args);
	case 'n':
		return json_object_set_new(args, "note", json_string(optarg));
	}
	out_usage(cmd, "unknown option");
	return -1;
}

int
cmd_request_post(struct client *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"categories", required_argument, NULL, 'c'},
	    {"category", required_argument, NULL, 'c'},
	    {"kg", required_argument, NULL, 'k'},
	    {"by", required_argument, NULL, 'b'},
	    {"storage", required_argument, NULL, 's'},
	    {"standing", no_argument, NULL, 'S'},
	    {"note", required_argument, NULL, 'n'},
	    {"challenge", required_argument, NULL, 'g'}, {NULL, 0, NULL, 0}};
	const char *by = NULL;
	json_t *args = json_object(), *res;
	int ch, rc = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (request_post_opt(ch, args, &by) != 0)
			goto out;
	}
	if (optind != argc) {
		out_usage(command_current(), "unexpected \"%s\"", argv[optind]);
		goto out;
	}
	if (client_connect(c) != 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (by != NULL &&
	    parse_time_opt(c, command_current(), by, 1, args, "by") != 0)
		goto out;
	res = client_call(c, "request.post", args);
	args = NULL;
	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		request_print(json_object_get(res, "request"));
	return 0;
out:
	json_decref(args);
	return rc;
}

int
cmd_request_list(struct client *c, int argc, char **argv)
{
	static const struct listing l = {"request.list", "requests",
	    {"mine", "open", NULL}, request_header, request_row};

	return listing_run(c, &l, argc, argv);
}

int
cmd_request_show(struct client *c, int argc, char **argv)
{
	static const struct single one = {"request.show", "request", "request",
	    request_print};

	return single_run(c, argc, argv, &one);
}

int
cmd_request_cancel(struct client *c, int argc, char **argv)
{
	static const struct single one = {"request.cancel", "request",
	    "request", request_print};

	return single_run(c, argc, argv, &one);
}
