/* cmd_match.c: larder match list, show, accept, decline, collected and
 * noshow, and larder claim: the allocations that carry offers to members. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static void
match_header(void)
{
	printf("%5s  %5s  %-12s %-12s %-10s %9s  %-9s %s\n", "ID", "OFFER",
	    "DONOR", "MEMBER", "CATEGORY", "QUANTITY", "STATE", "DEADLINE");
}

/* Returns the time that matters next for a match: the answer it awaits,
 * then the end of its collection window; NULL when neither does. */
static json_t *
match_deadline(json_t *m)
{
	const char *state = json_string_value(json_object_get(m, "state"));

	if (state != NULL && strcmp(state, "proposed") == 0)
		return json_object_get(m, "respond_by");
	if (state != NULL && strcmp(state, "accepted") == 0)
		return json_object_get(m, "window_end");
	return NULL;
}

/* Prints one match as a line of the matches table. */
static void
match_row(json_t *m)
{
	char kg[32], when[32];

	printf("%5lld  %5lld  %-12s %-12s %-10s %9s  %-9s %s\n",
	    (long long)json_integer_value(json_object_get(m, "id")),
	    (long long)json_integer_value(json_object_get(m, "offer")),
	    json_string_value(json_object_get(m, "donor")),
	    json_string_value(json_object_get(m, "member")),
	    json_string_value(json_object_get(m, "category")),
	    out_kg(json_integer_value(json_object_get(m, "grams")), kg,
	        sizeof kg),
	    json_string_value(json_object_get(m, "state")),
	    out_when(match_deadline(m), when, sizeof when));
}

/* Prints the line that names a match: what, from whom to whom, state. */
void
match_summary(json_t *m)
{
	char kg[32];

	printf("match %lld: %s of %s, offer %lld, %s -> %s, %s\n",
	    (long long)json_integer_value(json_object_get(m, "id")),
	    out_kg(json_integer_value(json_object_get(m, "grams")), kg,
	        sizeof kg),
	    json_string_value(json_object_get(m, "category")),
	    (long long)json_integer_value(json_object_get(m, "offer")),
	    json_string_value(json_object_get(m, "donor")),
	    json_string_value(json_object_get(m, "member")),
	    json_string_value(json_object_get(m, "state")));
}

/* Prints that one side confirmed a collection, if it has; the protocol
 * gives a confirmation as true or as the time it was made. */
static void
match_confirmation(json_t *m, const char *key, const char *who,
    const char *side)
{
	json_t *v = json_object_get(m, key);
	char when[32];

	if (!json_is_true(v) && !json_is_string(v))
		return;
	printf("  confirmed    by %s (%s)%s%s\n",
	    json_string_value(json_object_get(m, who)), side,
	    json_is_string(v) ? " " : "",
	    json_is_string(v) ? out_when(v, when, sizeof when) : "");
}

/* Prints one match in full. */
static void
match_print(json_t *m)
{
	char a[32], b[32];

	match_summary(m);
	printf("  request      %lld\n",
	    (long long)json_integer_value(json_object_get(m, "request")));
	printf("  charge       %s\n",
	    out_kg(json_integer_value(json_object_get(m, "charge")), a,
	        sizeof a));
	if (json_is_true(json_object_get(m, "flash")))
		printf("  flash        claimed while open to all\n");
	if (json_is_string(json_object_get(m, "respond_by")))
		printf("  respond by   %s\n",
		    out_when(json_object_get(m, "respond_by"), a, sizeof a));
	printf("  collect      %s to %s\n",
	    out_when(json_object_get(m, "window_start"), a, sizeof a),
	    out_when(json_object_get(m, "window_end"), b, sizeof b));
	if (json_is_string(json_object_get(m, "decided")))
		printf("  decided      %s\n",
		    out_when(json_object_get(m, "decided"), a, sizeof a));
	if (!json_is_integer(json_object_get(m, "collected_grams")))
		return;
	printf("  collected    %s\n",
	    out_kg(json_integer_value(json_object_get(m, "collected_grams")), a,
	        sizeof a));
	match_confirmation(m, "donor_confirmed", "donor", "donor");
	match_confirmation(m, "member_confirmed", "member", "member");
}

/* Lists the matches the session may see, every page. */
int
cmd_match_list(struct client *c, int argc, char **argv)
{
	static const struct listing l = {"match.list", "matches",
	    {"all", "open", NULL}, match_header, match_row};

	return listing_run(c, &l, argc, argv);
}

/* Reads the id and the options that mo accepts into args. */
static int
match_args(int argc, char **argv, const struct match_op *mo, json_t *args)
{
	static const struct option longs[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {"kg", required_argument, NULL, 'k'},
	    {"challenge", required_argument, NULL, 'g'}, {NULL, 0, NULL, 0}};
	const struct command *cmd = command_current();
	json_int_t id;
	int64_t grams;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == 'r' && (mo->opts & MATCH_OPT_REASON))
			json_object_set_new(args, "reason",
			    json_string(optarg));
		else if (ch == 'k' && (mo->opts & MATCH_OPT_KG)) {
			if (parse_grams_opt(cmd, optarg, &grams) != 0)
				return EXIT_USAGE;
			json_object_set_new(args, "grams", json_integer(grams));
		} else if (ch == 'g' && (mo->opts & MATCH_OPT_CHALLENGE)) {
			if (parse_challenge_opt(cmd, optarg, args) != 0)
				return EXIT_USAGE;
		} else
			return out_usage(cmd, "unknown option");
	}
	if (optind != argc - 1)
		return out_usage(cmd, "name exactly one %s",
		    strcmp(mo->key, "offer") == 0 ? "OFFER" : "ID");
	if (parse_id(cmd, argv[optind], &id) != 0)
		return EXIT_USAGE;
	if ((mo->opts & MATCH_OPT_NEED_KG) &&
	    json_object_get(args, "grams") == NULL)
		return out_usage(cmd, "--kg is required");
	json_object_set_new(args, mo->key, json_integer(id));
	return 0;
}

/*
 * Reads a command's id and options, then runs mo's operation. Returns its
 * result (borrowed, as client_call's), or NULL with the exit status in
 * *rc.
 */
json_t *
match_call(struct client *c, int argc, char **argv, const struct match_op *mo,
    int *rc)
{
	json_t *args = json_object(), *res;

	if ((*rc = match_args(argc, argv, mo, args)) != 0) {
		json_decref(args);
		return NULL;
	}
	if ((res = client_call(c, mo->op, args)) == NULL)
		*rc = EXIT_FAIL;
	return res;
}

/* Runs an operation on one match and prints the match it returns. */
static int
match_run(struct client *c, int argc, char **argv, const char *op,
    const char *key, unsigned opts)
{
	const struct match_op mo = {op, key, opts};
	json_t *res;
	int rc;

	if ((res = match_call(c, argc, argv, &mo, &rc)) == NULL)
		return rc;
	if (!c->opts.json)
		match_print(json_object_get(res, "match"));
	return 0;
}

int
cmd_match_show(struct client *c, int argc, char **argv)
{
	return match_run(c, argc, argv, "match.show", "match", 0);
}

int
cmd_match_accept(struct client *c, int argc, char **argv)
{
	return match_run(c, argc, argv, "match.accept", "match", 0);
}

int
cmd_match_decline(struct client *c, int argc, char **argv)
{
	return match_run(c, argc, argv, "match.decline", "match",
	    MATCH_OPT_REASON);
}

int
cmd_match_collected(struct client *c, int argc, char **argv)
{
	return match_run(c, argc, argv, "match.collected", "match",
	    MATCH_OPT_KG | MATCH_OPT_NEED_KG);
}

int
cmd_match_noshow(struct client *c, int argc, char **argv)
{
	return match_run(c, argc, argv, "match.noshow", "match", 0);
}

int
cmd_claim(struct client *c, int argc, char **argv)
{
	return match_run(c, argc, argv, "offer.claim", "offer",
	    MATCH_OPT_KG | MATCH_OPT_CHALLENGE);
}
