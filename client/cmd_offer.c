/* cmd_offer.c: larder offer post, list, show and withdraw. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "when.h"

/* Prints one offer as a line of the offers table. */
static void
offer_row(json_t *o)
{
	char kg[32], left[32], date[32], until[32];
	json_t *use_by = json_object_get(o, "use_by");

	printf("%5lld  %-10s %-12s %-9s %9s %9s  %-3s %-16s %-16s %s\n",
	    (long long)json_integer_value(json_object_get(o, "id")),
	    json_string_value(json_object_get(o, "category")),
	    json_string_value(json_object_get(o, "donor")),
	    json_string_value(json_object_get(o, "storage")),
	    out_kg(json_integer_value(json_object_get(o, "grams")), kg,
	        sizeof kg),
	    out_kg(json_integer_value(json_object_get(o, "remaining")), left,
	        sizeof left),
	    use_by != NULL ? "UB" : "BB",
	    out_when(use_by != NULL ? use_by
	                            : json_object_get(o, "best_before"),
	        date, sizeof date),
	    out_when(json_object_get(o, "window_end"), until, sizeof until),
	    json_string_value(json_object_get(o, "state")));
}

static void
offer_header(void)
{
	printf("%5s  %-10s %-12s %-9s %9s %9s  %-20s %-16s %s\n", "ID",
	    "CATEGORY", "DONOR", "STORAGE", "QUANTITY", "LEFT", "DATE",
	    "COLLECT BY", "STATE");
}

/* Prints one offer in full. */
static void
offer_print(json_t *o)
{
	char a[32], b[32];
	json_t *use_by = json_object_get(o, "use_by");

	printf("offer %lld: %s of %s from %s (%s hub), %s\n",
	    (long long)json_integer_value(json_object_get(o, "id")),
	    out_kg(json_integer_value(json_object_get(o, "grams")), a,
	        sizeof a),
	    json_string_value(json_object_get(o, "category")),
	    json_string_value(json_object_get(o, "donor")),
	    json_string_value(json_object_get(o, "hub")),
	    json_string_value(json_object_get(o, "state")));
	printf("  storage      %s\n",
	    json_string_value(json_object_get(o, "storage")));
	printf("  %-12s %s\n", use_by != NULL ? "use by" : "best before",
	    out_when(use_by != NULL ? use_by
	                            : json_object_get(o, "best_before"),
	        a, sizeof a));
	printf("  collect      %s to %s\n",
	    out_when(json_object_get(o, "window_start"), a, sizeof a),
	    out_when(json_object_get(o, "window_end"), b, sizeof b));
	printf("  portions     %s\n",
	    json_is_true(json_object_get(o, "divisible"))
	        ? out_kg(json_integer_value(json_object_get(o, "min_portion")),
	              a, sizeof a)
	        : "whole lot only");
	printf("  left         %s\n",
	    out_kg(json_integer_value(json_object_get(o, "remaining")), a,
	        sizeof a));
	if (json_string_length(json_object_get(o, "fallback")) > 0)
		printf("  fallback     %s\n",
		    json_string_value(json_object_get(o, "fallback")));
	if (json_string_length(json_object_get(o, "note")) > 0)
		printf("  note         %s\n",
		    json_string_value(json_object_get(o, "note")));
}

/* Reads a collection window option into window_start and window_end. */
static int
offer_window(struct client *c, const char *s, json_t *args)
{
	char *cause = NULL;
	time_t start, end;

	if (when_parse_window(s, c->now, &start, &end, &cause) != 0) {
		out_usage(command_current(), "%s",
		    cause != NULL ? cause : "bad window");
		free(cause);
		return -1;
	}
	json_object_set_new(args, "window_start", proto_time_json(start));
	json_object_set_new(args, "window_end", proto_time_json(end));
	return 0;
}

/* Times typed for an offer, read once the server's clock is known. */
struct offer_times {
	const char *use_by;
	const char *best_before;
	const char *collect;
};

/* Applies one offer post option to args or, for times, to t. */
static int
offer_post_opt(int ch, json_t *args, struct offer_times *t)
{
	const struct command *cmd = command_current();
	int64_t grams;

	switch (ch) {
	case 'c':
		return json_object_set_new(args, "category",
		    json_string(optarg));
	case 'k':
	case 'm':
		if (parse_grams_opt(cmd, optarg, &grams) != 0)
			return -1;
		return json_object_set_new(args,
		    ch == 'k' ? "grams" : "min_portion", json_integer(grams));
	case 'u':
		t->use_by = optarg;
		return 0;
	case 'b':
		t->best_before = optarg;
		return 0;
	case 'w':
		t->collect = optarg;
		return 0;
	case 's':
		return json_object_set_new(args, "storage",
		    json_string(optarg));
	case 'i':
		return json_object_set_new(args, "divisible", json_false());
	case 'n':
		return json_object_set_new(args, "note", json_string(optarg));
	case 'g':
		return parse_challenge_opt(cmd, optarg, args);
	case 'f':
		if (parse_word(cmd, "waste destination", waste_destinations,
		        optarg) != 0)
			return -1;
		return json_object_set_new(args, "fallback",
		    json_string(optarg));
	}
	out_usage(cmd, "unknown option");
	return -1;
}

/* Connects, then reads the typed times against the server's clock. */
static int
offer_post_times(struct client *c, const struct offer_times *t, json_t *args)
{
	const struct command *cmd = command_current();

	if (client_connect(c) != 0)
		return EXIT_FAIL;
	if ((t->use_by != NULL &&
	        parse_time_opt(c, cmd, t->use_by, 1, args, "use_by") != 0) ||
	    (t->best_before != NULL &&
	        parse_time_opt(c, cmd, t->best_before, 1, args,
	            "best_before") != 0) ||
	    (t->collect != NULL && offer_window(c, t->collect, args) != 0))
		return EXIT_USAGE;
	return 0;
}

int
cmd_offer_post(struct client *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"category", required_argument, NULL, 'c'},
	    {"kg", required_argument, NULL, 'k'},
	    {"use-by", required_argument, NULL, 'u'},
	    {"best-before", required_argument, NULL, 'b'},
	    {"collect", required_argument, NULL, 'w'},
	    {"storage", required_argument, NULL, 's'},
	    {"min-portion", required_argument, NULL, 'm'},
	    {"indivisible", no_argument, NULL, 'i'},
	    {"note", required_argument, NULL, 'n'},
	    {"challenge", required_argument, NULL, 'g'},
	    {"fallback", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct offer_times t = {NULL, NULL, NULL};
	json_t *args = json_object(), *res;
	int ch, rc = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (offer_post_opt(ch, args, &t) != 0)
			goto out;
	}
	if (optind != argc) {
		out_usage(command_current(), "unexpected \"%s\"", argv[optind]);
		goto out;
	}
	if ((rc = offer_post_times(c, &t, args)) != 0)
		goto out;
	res = client_call(c, "offer.post", args);
	args = NULL;
	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		offer_print(json_object_get(res, "offer"));
	return 0;
out:
	json_decref(args);
	return rc;
}

int
cmd_offer_list(struct client *c, int argc, char **argv)
{
	static const struct listing l = {"offer.list", "offers",
	    {"mine", "open", NULL}, offer_header, offer_row};

	return listing_run(c, &l, argc, argv);
}

int
cmd_offer_show(struct client *c, int argc, char **argv)
{
	static const struct single one = {"offer.show", "offer", "offer",
	    offer_print};

	return single_run(c, argc, argv, &one);
}

int
cmd_offer_withdraw(struct client *c, int argc, char **argv)
{
	static const struct single one = {"offer.withdraw", "offer", "offer",
	    offer_print};

	return single_run(c, argc, argv, &one);
}
