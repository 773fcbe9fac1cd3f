/* cmd_member.c: larder member add, list, show and token. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Prints one member as a few labelled lines. */
static void
member_print(json_t *m)
{
	char buf[512];

	printf("%s: %s\n", json_string_value(json_object_get(m, "handle")),
	    json_string_value(json_object_get(m, "name")));
	printf("  hub          %s\n",
	    json_string_value(json_object_get(m, "hub")));
	printf("  people       %lld a week\n",
	    (long long)json_integer_value(json_object_get(m, "people")));
	printf("  storage      %s\n",
	    out_list(json_object_get(m, "storage"), buf, sizeof buf));
	printf("  catchment    %s\n",
	    out_list(json_object_get(m, "catchment"), buf, sizeof buf));
	printf("  role         %s\n",
	    json_is_true(json_object_get(m, "coordinator")) ? "coordinator"
	                                                    : "member");
	printf("  standing     %s\n",
	    json_string_value(json_object_get(m, "standing")));
	printf("  joined       %s\n",
	    out_when(json_object_get(m, "joined"), buf, sizeof buf));
}

/*
 * Reads one of the options that describe a member (MEMBER_DETAIL_OPTIONS)
 * into args: 0 when ch was one, 1 when it was not, -1 after a usage
 * message.
 */
int
member_detail_opt(int ch, const char *arg, json_t *args)
{
	char *end;
	long long people;

	switch (ch) {
	case 'n':
		json_object_set_new(args, "name", json_string(arg));
		return 0;
	case 'H':
		json_object_set_new(args, "hub", json_string(arg));
		return 0;
	case 'p':
		people = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0')
			return out_usage(command_current(),
			           "--people takes a whole number"),
			       -1;
		json_object_set_new(args, "people", json_integer(people));
		return 0;
	case 's':
		json_object_set_new(args, "storage", parse_list(arg));
		return 0;
	case 'c':
		json_object_set_new(args, "catchment", parse_list(arg));
		return 0;
	}
	return 1;
}

/* Reads member add's options into args; -1 after a usage message. */
static int
member_add_args(int argc, char **argv, json_t *args)
{
	static const struct option longs[] = {MEMBER_DETAIL_OPTIONS,
	    {"coordinator", no_argument, NULL, 'C'}, {NULL, 0, NULL, 0}};
	const struct command *cmd = command_current();
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == 'C')
			json_object_set_new(args, "coordinator", json_true());
		else if ((rc = member_detail_opt(ch, optarg, args)) != 0)
			return rc < 0 ? -1
			              : (out_usage(cmd, "unknown option"), -1);
	}
	if (optind != argc - 1)
		return out_usage(cmd, "name exactly one HANDLE"), -1;
	json_object_set_new(args, "handle", json_string(argv[optind]));
	return 0;
}

int
cmd_member_add(struct client *c, int argc, char **argv)
{
	json_t *args = json_object(), *res;

	if (member_add_args(argc, argv, args) != 0) {
		json_decref(args);
		return EXIT_USAGE;
	}
	if ((res = client_call(c, "member.add", args)) == NULL)
		return EXIT_FAIL;
	if (c->opts.json)
		return 0;
	member_print(json_object_get(res, "member"));
	printf("\ntoken: %s\n",
	    json_string_value(json_object_get(res, "token")));
	printf("This token is shown only now. Give it to the member: it "
	       "is their password.\n");
	return 0;
}

int
cmd_member_list(struct client *c, int argc, char **argv)
{
	json_t *res, *args, *m;
	json_int_t after = 0;
	size_t i;
	char buf[256];

	(void)argv;
	if (argc != 1)
		return out_usage(command_current(), "takes no arguments");
	if (!c->opts.json)
		printf("%-16s %-12s %8s  %-24s %s\n", "HANDLE", "HUB", "PEOPLE",
		    "STORAGE", "NAME");
	do {
		args = json_pack("{s:I}", "after", after);
		if ((res = client_call(c, "member.list", args)) == NULL)
			return EXIT_FAIL;
		json_array_foreach(json_object_get(res, "members"), i, m)
		{
			if (c->opts.json)
				continue;
			printf("%-16s %-12s %8lld  %-24s %s%s\n",
			    json_string_value(json_object_get(m, "handle")),
			    json_string_value(json_object_get(m, "hub")),
			    (long long)json_integer_value(
			        json_object_get(m, "people")),
			    out_list(json_object_get(m, "storage"), buf,
			        sizeof buf),
			    json_string_value(json_object_get(m, "name")),
			    json_is_true(json_object_get(m, "coordinator"))
			        ? " (coordinator)"
			        : "");
		}
		after = json_integer_value(json_object_get(res, "next"));
	} while (after > 0);
	return 0;
}

int
cmd_member_show(struct client *c, int argc, char **argv)
{
	json_t *res;

	if (argc != 2)
		return out_usage(command_current(), "name exactly one HANDLE");
	res = client_call(c, "member.show",
	    json_pack("{s:s}", "handle", argv[1]));
	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		member_print(json_object_get(res, "member"));
	return 0;
}

/* larder member token rotate|revoke HANDLE */
int
cmd_member_token(struct client *c, int argc, char **argv)
{
	json_t *res;
	const char *token;

	if (argc != 3 ||
	    (strcmp(argv[1], "rotate") != 0 && strcmp(argv[1], "revoke") != 0))
		return out_usage(command_current(),
		    "say rotate or revoke, then one HANDLE");
	res = client_call(c, "member.token",
	    json_pack("{s:s, s:s}", "handle", argv[2], "action", argv[1]));
	if (res == NULL)
		return EXIT_FAIL;
	if (c->opts.json)
		return 0;
	token = json_string_value(json_object_get(res, "token"));
	if (token == NULL) {
		printf("%s's token is revoked: nobody can act as %s until its "
		       "token is rotated.\n",
		    argv[2], argv[2]);
		return 0;
	}
	printf("token: %s\n", token);
	printf("This token is shown only now and the old one no longer "
	       "works. Give it to the member: it is their password.\n");
	return 0;
}
