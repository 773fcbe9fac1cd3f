/* cmd_dispute.c: larder dispute raise, accept, reject, resolve and list,
 * and larder refer: settling what went wrong between two members, and
 * finding the members who serve a district. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Why a match is disputed, as PROTOCOL.md lists them for dispute.raise. */
static const char *const dispute_reasons[] = {"weight", "quality", "noshow",
    "other", NULL};

/* How a coordinator settles a dispute, for dispute.resolve. */
static const char *const dispute_outcomes[] = {"reverse_noshow",
    "correct_grams", "no_change", NULL};

/* A dispute operation that takes options: its id, its one required word
 * option and the word of it that --kg goes with. */
struct dispute_op {
	const char *op;
	const char *id;   /* the id's argument: match or dispute */
	const char *word; /* the option naming one of words */
	const char *const *words;
	const char *kg_with; /* --kg is needed with this word, only with it */
	int note;            /* takes --note TEXT */
};

/* Prints the line that names a dispute: the match, why, who, its state. */
static void
dispute_summary(json_t *d)
{
	const char *state = json_string_value(json_object_get(d, "state"));
	json_t *grams = json_object_get(d, "grams");
	char kg[32], when[32];

	printf("dispute %lld on match %lld: %s",
	    (long long)json_integer_value(json_object_get(d, "id")),
	    (long long)json_integer_value(json_object_get(d, "match")),
	    json_string_value(json_object_get(d, "reason")));
	if (json_integer_value(grams) > 0)
		printf(" (%s)",
		    out_kg(json_integer_value(grams), kg, sizeof kg));
	printf(", raised by %s against %s, ",
	    json_string_value(json_object_get(d, "by")),
	    json_string_value(json_object_get(d, "against")));
	if (state != NULL && strcmp(state, "open") == 0)
		printf("open until %s\n",
		    out_when(json_object_get(d, "respond_by"), when,
		        sizeof when));
	else
		printf("%s\n", state);
}

/* Prints one dispute: its summary, then its note and how it ended. */
static void
dispute_print(json_t *d)
{
	char when[32];

	dispute_summary(d);
	if (json_string_length(json_object_get(d, "note")) > 0)
		printf("  note         %s\n",
		    json_string_value(json_object_get(d, "note")));
	if (json_string_length(json_object_get(d, "outcome")) > 0)
		printf("  outcome      %s\n",
		    json_string_value(json_object_get(d, "outcome")));
	if (json_is_string(json_object_get(d, "settled")))
		printf("  settled      %s\n",
		    out_when(json_object_get(d, "settled"), when, sizeof when));
}

static void
dispute_header(void)
{
	printf("%5s  %5s  %-7s %8s  %-10s %-10s %-8s %s\n", "ID", "MATCH",
	    "REASON", "QUANTITY", "BY", "AGAINST", "STATE", "RESPOND BY");
}

/* Prints one dispute as a line of the disputes table. */
static void
dispute_row(json_t *d)
{
	const char *state = json_string_value(json_object_get(d, "state"));
	json_t *grams = json_object_get(d, "grams");
	char kg[32], when[32];
	int open = state != NULL && strcmp(state, "open") == 0;

	printf("%5lld  %5lld  %-7s %8s  %-10s %-10s %-8s %s\n",
	    (long long)json_integer_value(json_object_get(d, "id")),
	    (long long)json_integer_value(json_object_get(d, "match")),
	    json_string_value(json_object_get(d, "reason")),
	    json_integer_value(grams) > 0
	        ? out_kg(json_integer_value(grams), kg, sizeof kg)
	        : "-",
	    json_string_value(json_object_get(d, "by")),
	    json_string_value(json_object_get(d, "against")), state,
	    out_when(open ? json_object_get(d, "respond_by") : NULL, when,
	        sizeof when));
}

/* Applies one option of a dispute operation to args. */
static int
dispute_opt(int ch, const struct dispute_op *dop, json_t *args)
{
	const struct command *cmd = command_current();
	int64_t grams;

	switch (ch) {
	case 'w':
		if (parse_word(cmd, dop->word, dop->words, optarg) != 0)
			return -1;
		return json_object_set_new(args, dop->word,
		    json_string(optarg));
	case 'k':
		if (parse_grams_opt(cmd, optarg, &grams) != 0)
			return -1;
		return json_object_set_new(args, "grams", json_integer(grams));
	case 'n':
		if (dop->note)
			return json_object_set_new(args, "note",
			    json_string(optarg));
		break;
	}
	out_usage(cmd, "unknown option");
	return -1;
}

/* Reads a dispute operation's id and options into args. */
static int
dispute_args(int argc, char **argv, const struct dispute_op *dop, json_t *args)
{
	const struct option longs[] = {
	    {dop->word, required_argument, NULL, 'w'},
	    {"kg", required_argument, NULL, 'k'},
	    {"note", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
	const struct command *cmd = command_current();
	const char *word;
	json_int_t id;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (dispute_opt(ch, dop, args) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc - 1)
		return out_usage(cmd, "name exactly one %s",
		    strcmp(dop->id, "match") == 0 ? "MATCH" : "ID");
	if (parse_id(cmd, argv[optind], &id) != 0)
		return EXIT_USAGE;
	if ((word = json_string_value(json_object_get(args, dop->word))) ==
	    NULL)
		return out_usage(cmd, "--%s is required", dop->word);
	if (strcmp(word, dop->kg_with) == 0 &&
	    json_object_get(args, "grams") == NULL)
		return out_usage(cmd, "--%s %s needs --kg", dop->word, word);
	if (strcmp(word, dop->kg_with) != 0 &&
	    json_object_get(args, "grams") != NULL)
		return out_usage(cmd, "--kg goes only with --%s %s", dop->word,
		    dop->kg_with);
	json_object_set_new(args, dop->id, json_integer(id));
	return 0;
}

/* Runs a dispute operation that takes options; prints the dispute. */
static int
dispute_run(struct client *c, int argc, char **argv,
    const struct dispute_op *dop)
{
	json_t *args = json_object(), *res;
	int rc;

	if ((rc = dispute_args(argc, argv, dop, args)) != 0) {
		json_decref(args);
		return rc;
	}
	if ((res = client_call(c, dop->op, args)) == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		dispute_print(json_object_get(res, "dispute"));
	return 0;
}

int
cmd_dispute_raise(struct client *c, int argc, char **argv)
{
	static const struct dispute_op dop = {"dispute.raise", "match",
	    "reason", dispute_reasons, "weight", 1};

	return dispute_run(c, argc, argv, &dop);
}

int
cmd_dispute_resolve(struct client *c, int argc, char **argv)
{
	static const struct dispute_op dop = {"dispute.resolve", "dispute",
	    "outcome", dispute_outcomes, "correct_grams", 0};

	return dispute_run(c, argc, argv, &dop);
}

int
cmd_dispute_accept(struct client *c, int argc, char **argv)
{
	static const struct single one = {"dispute.accept", "dispute",
	    "dispute", dispute_print};

	return single_run(c, argc, argv, &one);
}

int
cmd_dispute_reject(struct client *c, int argc, char **argv)
{
	static const struct single one = {"dispute.reject", "dispute",
	    "dispute", dispute_print};

	return single_run(c, argc, argv, &one);
}

int
cmd_dispute_list(struct client *c, int argc, char **argv)
{
	static const struct listing l = {"dispute.list", "disputes",
	    {"open", NULL, NULL}, dispute_header, dispute_row};

	return listing_run(c, &l, argc, argv);
}

/* Widens *w to hold key's string in every member. */
static void
refer_widen(json_t *members, const char *key, int *w)
{
	size_t i, n;
	json_t *m;

	json_array_foreach(members, i, m)
	{
		if ((n = json_string_length(json_object_get(m, key))) >
		    (size_t)*w)
			*w = n > 80 ? 80 : (int)n;
	}
}

/* Prints the members a referral found, one a line, in columns. */
static void
refer_print(json_t *members, const char *district)
{
	size_t i, n = json_array_size(members);
	int hw = 0, nw = 0;
	json_t *m;

	if (n == 0) {
		printf("no member serves %s\n", district);
		return;
	}
	refer_widen(members, "handle", &hw);
	refer_widen(members, "name", &nw);
	printf("%zu member%s serve%s %s:\n", n, n == 1 ? "" : "s",
	    n == 1 ? "s" : "", district);
	json_array_foreach(members, i, m)
	{
		printf("  %-*s  %-*s  (%s)\n", hw,
		    json_string_value(json_object_get(m, "handle")), nw,
		    json_string_value(json_object_get(m, "name")),
		    json_string_value(json_object_get(m, "hub")));
	}
}

/* Finds the members whose catchment covers a postcode district, as the
 * server spells it. */
int
cmd_refer(struct client *c, int argc, char **argv)
{
	const char *district;
	json_t *res;

	if (argc != 2)
		return out_usage(command_current(),
		    "name exactly one DISTRICT");
	res = client_call(c, "refer", json_pack("{s:s}", "district", argv[1]));
	if (res == NULL)
		return EXIT_FAIL;
	district = json_string_value(json_object_get(res, "district"));
	if (!c->opts.json)
		refer_print(json_object_get(res, "members"),
		    district != NULL ? district : argv[1]);
	return 0;
}
