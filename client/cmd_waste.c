/* cmd_waste.c: larder waste record and fed report: the food members lost
 * and the people they fed, the two sides of the network's outcomes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define FED_MAX_PEOPLE 1000000LL

/* Where lost food went, as PROTOCOL.md lists them for waste.record. */
const char *const waste_destinations[] = {"compost", "anaerobic_digestion",
    "animal_feed", "landfill", "incineration", "sewer", "other", NULL};

/* Why food was lost, as PROTOCOL.md lists them for waste.record. */
static const char *const waste_causes[] = {"unclaimed", "rejected", "spoiled",
    "past_date", "other", NULL};

/* Applies one waste record option to args. */
static int
waste_opt(int ch, json_t *args)
{
	const struct command *cmd = command_current();
	json_int_t id;
	int64_t grams;

	switch (ch) {
	case 'o':
		if (parse_id(cmd, optarg, &id) != 0)
			return -1;
		return json_object_set_new(args, "offer", json_integer(id));
	case 'k':
		if (parse_grams_opt(cmd, optarg, &grams) != 0)
			return -1;
		return json_object_set_new(args, "grams", json_integer(grams));
	case 'd':
		if (parse_word(cmd, "destination", waste_destinations,
		        optarg) != 0)
			return -1;
		return json_object_set_new(args, "destination",
		    json_string(optarg));
	case 'c':
		if (parse_word(cmd, "cause", waste_causes, optarg) != 0)
			return -1;
		return json_object_set_new(args, "cause", json_string(optarg));
	case 'n':
		return json_object_set_new(args, "note", json_string(optarg));
	}
	out_usage(cmd, "unknown option");
	return -1;
}

/* Reads waste record's options into args; EXIT_USAGE after a message. */
static int
waste_args(int argc, char **argv, json_t *args)
{
	static const struct option longs[] = {
	    {"offer", required_argument, NULL, 'o'},
	    {"kg", required_argument, NULL, 'k'},
	    {"destination", required_argument, NULL, 'd'},
	    {"cause", required_argument, NULL, 'c'},
	    {"note", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
	const struct command *cmd = command_current();
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (waste_opt(ch, args) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc)
		return out_usage(cmd, "unexpected \"%s\"", argv[optind]);
	if (json_object_get(args, "offer") == NULL &&
	    json_object_get(args, "grams") == NULL)
		return out_usage(cmd, "give --offer ID or --kg N");
	if (json_object_get(args, "destination") == NULL)
		return out_usage(cmd, "--destination is required");
	if (json_object_get(args, "cause") == NULL)
		return out_usage(cmd, "--cause is required");
	return 0;
}

/* Records lost food and prints the waste record in one line. */
int
cmd_waste_record(struct client *c, int argc, char **argv)
{
	json_t *args = json_object(), *res, *w, *offer;
	char kg[32];
	int rc;

	if ((rc = waste_args(argc, argv, args)) != 0) {
		json_decref(args);
		return rc;
	}
	if ((res = client_call(c, "waste.record", args)) == NULL)
		return EXIT_FAIL;
	if (c->opts.json)
		return 0;
	w = json_object_get(res, "waste");
	offer = json_object_get(w, "offer");
	printf("waste %lld: %s",
	    (long long)json_integer_value(json_object_get(w, "id")),
	    out_kg(json_integer_value(json_object_get(w, "grams")), kg,
	        sizeof kg));
	if (json_is_integer(offer))
		printf(" of offer %lld", (long long)json_integer_value(offer));
	printf(" to %s (cause %s)\n",
	    json_string_value(json_object_get(w, "destination")),
	    json_string_value(json_object_get(w, "cause")));
	return 0;
}

/* Reads fed report's options: the people into args, the week's text. */
static int
fed_args(int argc, char **argv, json_t *args, const char **week)
{
	static const struct option longs[] = {
	    {"people", required_argument, NULL, 'p'},
	    {"week", required_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
	const struct command *cmd = command_current();
	long long people;
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == 'w') {
			*week = optarg;
			continue;
		}
		if (ch != 'p')
			return out_usage(cmd, "unknown option");
		people = strtoll(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || people < 0 ||
		    people > FED_MAX_PEOPLE)
			return out_usage(cmd,
			    "--people takes a whole number from 0 to %lld",
			    FED_MAX_PEOPLE);
		json_object_set_new(args, "people", json_integer(people));
	}
	if (optind != argc)
		return out_usage(cmd, "unexpected \"%s\"", argv[optind]);
	if (json_object_get(args, "people") == NULL)
		return out_usage(cmd, "--people is required");
	return 0;
}

/* Reports the people fed in a week, read against the server's clock. */
int
cmd_fed_report(struct client *c, int argc, char **argv)
{
	json_t *args = json_object(), *res, *r;
	const char *week = NULL;
	char day[32];
	int rc;

	if ((rc = fed_args(argc, argv, args, &week)) != 0)
		goto out;
	rc = EXIT_FAIL;
	if (client_connect(c) != 0)
		goto out;
	rc = EXIT_USAGE;
	if (week != NULL &&
	    parse_time_opt(c, command_current(), week, 0, args, "week") != 0)
		goto out;
	res = client_call(c, "fed.report", args);
	if (res == NULL)
		return EXIT_FAIL;
	if (c->opts.json)
		return 0;
	r = json_object_get(res, "report");
	printf("%s supported %lld people in the week of %s\n",
	    json_string_value(json_object_get(r, "member")),
	    (long long)json_integer_value(json_object_get(r, "people")),
	    out_day(json_object_get(r, "week"), day, sizeof day));
	return 0;
out:
	json_decref(args);
	return rc;
}
