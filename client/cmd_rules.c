/* cmd_rules.c: larder rules, member suspend, reinstate and propose,
 * proposal and vote: the network's rules and membership, and the
 * proposals members vote on to change them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "when.h"

#define RULES_WIDTH  80 /* the columns the rules table keeps within */
#define RULES_INDENT 4  /* where an about text below its rule starts */
#define RULES_WHEN   16 /* "Sun 06 Dec 19:00", as out_when writes it */

/* The widths of the rules table's columns that vary with the rules. */
struct rules_widths {
	int key;
	int value;
	int decision;
	int about;
};

/* The choices proposal.vote takes. */
static const char *const vote_choices[] = {"yes", "no", "abstain", NULL};

/* Widens *w to hold key's string in every rule. */
static void
rules_widen(json_t *rules, const char *key, int *w)
{
	json_t *r;
	size_t i, n;

	json_array_foreach(rules, i, r)
	{
		n = json_string_length(json_object_get(r, key));
		if (n > (size_t)*w)
			*w = n > RULES_WIDTH ? RULES_WIDTH : (int)n;
	}
}

/* Measures the columns; returns whether the about texts fit as the last
 * column within RULES_WIDTH. */
static int
rules_measure(json_t *rules, struct rules_widths *w)
{
	int width;

	w->key = (int)strlen("KEY");
	w->value = (int)strlen("VALUE");
	w->decision = (int)strlen("DECISION");
	w->about = (int)strlen("ABOUT");
	rules_widen(rules, "key", &w->key);
	rules_widen(rules, "value", &w->value);
	rules_widen(rules, "decision", &w->decision);
	rules_widen(rules, "about", &w->about);
	/* Five columns, two spaces between each. */
	width = w->key + w->value + RULES_WHEN + w->decision + w->about + 8;
	return width <= RULES_WIDTH;
}

/* Prints text on lines of its own below a rule, indented, broken between
 * words to stay within RULES_WIDTH. */
static void
rules_about_below(const char *s)
{
	size_t n, col = 0;

	for (;;) {
		s += strspn(s, " ");
		if ((n = strcspn(s, " ")) == 0)
			break;
		if (col == 0)
			col = (size_t)printf("%*s", RULES_INDENT, "");
		else if (col + 1 + n > RULES_WIDTH)
			col = (size_t)printf("\n%*s", RULES_INDENT, "") - 1;
		else
			col += (size_t)printf(" ");
		col += (size_t)printf("%.*s", (int)n, s);
		s += n;
	}
	if (col > 0)
		printf("\n");
}

/* Prints one rule as a row, its about text beside it or below it. */
static void
rules_row(json_t *r, const struct rules_widths *w, int beside)
{
	const char *about = json_string_value(json_object_get(r, "about"));
	char when[32];

	printf("%-*s  %-*s  %-*s  %-*s", w->key,
	    json_string_value(json_object_get(r, "key")), w->value,
	    json_string_value(json_object_get(r, "value")), RULES_WHEN,
	    out_when(json_object_get(r, "changed"), when, sizeof when),
	    beside ? w->decision : 0,
	    json_string_value(json_object_get(r, "decision")));
	if (beside && about != NULL)
		printf("  %s", about);
	printf("\n");
	if (!beside && about != NULL)
		rules_about_below(about);
}

/* Prints the rules as a table, about texts as a column when they fit. */
static void
rules_print(json_t *rules)
{
	struct rules_widths w;
	json_t *r;
	size_t i;
	int beside;

	beside = rules_measure(rules, &w);
	printf("%-*s  %-*s  %-*s  %-*s%s\n", w.key, "KEY", w.value, "VALUE",
	    RULES_WHEN, "CHANGED", beside ? w.decision : 0, "DECISION",
	    beside ? "  ABOUT" : "");
	json_array_foreach(rules, i, r)
	{
		rules_row(r, &w, beside);
	}
}

/* Shows the network's rules, the value of each and what decided it. */
int
cmd_rules_show(struct client *c, int argc, char **argv)
{
	json_t *res;

	(void)argv;
	if (argc != 1)
		return out_usage(command_current(), "takes no arguments");
	if ((res = client_call(c, "rules.show", NULL)) == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		rules_print(json_object_get(res, "rules"));
	return 0;
}

/* Writes what a proposal would change: "key = value" for a rule, else the
 * member it names. */
static char *
proposal_subject(json_t *p, char *buf, size_t len)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *member = json_string_value(json_object_get(p, "member"));
	const char *key = json_string_value(json_object_get(p, "key"));
	const char *value = json_string_value(json_object_get(p, "value"));

	if (kind != NULL && strcmp(kind, "rule") == 0)
		snprintf(buf, len, "%s = %s", key != NULL ? key : "-",
		    value != NULL ? value : "-");
	else
		snprintf(buf, len, "%s", member != NULL ? member : "-");
	return buf;
}

/* Prints the line that names a proposal: what it changes, its state. */
static void
proposal_summary(json_t *p)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *state = json_string_value(json_object_get(p, "state"));
	char what[160], when[32];
	int rule = kind != NULL && strcmp(kind, "rule") == 0;

	printf("proposal %lld: %s%s%s%s, ",
	    (long long)json_integer_value(json_object_get(p, "id")),
	    rule ? "" : (kind != NULL ? kind : "-"), rule ? "" : " ",
	    proposal_subject(p, what, sizeof what), rule ? " (rule)" : "");
	if (state != NULL && strcmp(state, "open") == 0)
		printf("open until %s\n",
		    out_when(json_object_get(p, "closes"), when, sizeof when));
	else
		printf("%s\n", state);
}

/* Prints the member an admit proposal would create. */
static void
proposal_admit_print(json_t *a)
{
	char buf[512];

	printf("  name         %s\n",
	    json_string_value(json_object_get(a, "name")));
	printf("  hub          %s\n",
	    json_string_value(json_object_get(a, "hub")));
	printf("  people       %lld a week\n",
	    (long long)json_integer_value(json_object_get(a, "people")));
	printf("  storage      %s\n",
	    out_list(json_object_get(a, "storage"), buf, sizeof buf));
	printf("  catchment    %s\n",
	    json_array_size(json_object_get(a, "catchment")) > 0
	        ? out_list(json_object_get(a, "catchment"), buf, sizeof buf)
	        : "none");
}

/* Prints what came of a passed proposal when there is more to say than
 * that it passed: why it was not applied, or how an admitted member
 * gets its token. */
static void
proposal_result_print(json_t *p)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *state = json_string_value(json_object_get(p, "state"));
	const char *member = json_string_value(json_object_get(p, "member"));
	const char *why_not =
	    json_string_value(json_object_get(p, "not_applied"));

	if (state == NULL || strcmp(state, "passed") != 0)
		return;
	if (why_not != NULL)
		printf("  not applied  %s\n", why_not);
	else if (kind != NULL && strcmp(kind, "admit") == 0)
		printf("  admitted     %s joined with no token; a coordinator "
		       "gives it one with\n"
		       "               larder member token rotate %s\n",
		    member, member);
}

/* Prints one proposal in full: why, by whom, how the votes stand. */
static void
proposal_print(json_t *p)
{
	json_t *admit = json_object_get(p, "admit");
	char when[32];

	proposal_summary(p);
	printf("  why          %s\n",
	    json_string_value(json_object_get(p, "why")));
	printf("  by           %s, %s\n",
	    json_string_value(json_object_get(p, "by")),
	    out_when(json_object_get(p, "opened"), when, sizeof when));
	if (json_is_object(admit))
		proposal_admit_print(admit);
	printf("  votes        yes %lld, no %lld, abstain %lld of %lld "
	       "members\n",
	    (long long)json_integer_value(json_object_get(p, "yes")),
	    (long long)json_integer_value(json_object_get(p, "no")),
	    (long long)json_integer_value(json_object_get(p, "abstain")),
	    (long long)json_integer_value(json_object_get(p, "members")));
	if (json_is_string(json_object_get(p, "closed")))
		printf("  closed       %s\n",
		    out_when(json_object_get(p, "closed"), when, sizeof when));
	proposal_result_print(p);
}

static void
proposal_header(void)
{
	printf("%5s  %-9s %-22s %-9s %-16s %s\n", "ID", "KIND", "WHAT", "STATE",
	    "CLOSES", "VOTES Y/N/A");
}

/* Prints one proposal as a line of the proposals table. */
static void
proposal_row(json_t *p)
{
	char what[160], when[32];

	printf("%5lld  %-9s %-22s %-9s %-16s %lld/%lld/%lld of %lld\n",
	    (long long)json_integer_value(json_object_get(p, "id")),
	    json_string_value(json_object_get(p, "kind")),
	    proposal_subject(p, what, sizeof what),
	    json_string_value(json_object_get(p, "state")),
	    out_when(json_object_get(p, "closes"), when, sizeof when),
	    (long long)json_integer_value(json_object_get(p, "yes")),
	    (long long)json_integer_value(json_object_get(p, "no")),
	    (long long)json_integer_value(json_object_get(p, "abstain")),
	    (long long)json_integer_value(json_object_get(p, "members")));
}

/* Checks that an admit proposal names its new member's details. */
static int
proposal_admit_args(json_t *args)
{
	static const char *const needed[] = {"name", "hub", "people", "storage",
	    NULL};
	size_t i;

	for (i = 0; needed[i] != NULL; i++) {
		if (json_object_get(args, needed[i]) == NULL)
			return out_usage(command_current(), "--%s is required",
			    needed[i]);
	}
	return 0;
}

/*
 * Reads a proposal's words (KEY VALUE for a rule, else HANDLE), --why,
 * --closes and, to admit a member, its details into args; the closing
 * time is kept in *closes to be read against the server's clock.
 */
static int
proposal_open_args(int argc, char **argv, const char *kind, json_t *args,
    const char **closes)
{
	static const struct option longs[] = {
	    {"why", required_argument, NULL, 'w'},
	    {"closes", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0}};
	static const struct option admit_longs[] = {
	    {"why", required_argument, NULL, 'w'},
	    {"closes", required_argument, NULL, 'T'}, MEMBER_DETAIL_OPTIONS,
	    {NULL, 0, NULL, 0}};
	const struct command *cmd = command_current();
	int ch, rc, rule = strcmp(kind, "rule") == 0;
	int admit = strcmp(kind, "admit") == 0;

	while ((ch = getopt_long(argc, argv, "", admit ? admit_longs : longs,
	            NULL)) != -1) {
		if (ch == 'w')
			json_object_set_new(args, "why", json_string(optarg));
		else if (ch == 'T')
			*closes = optarg;
		else if ((rc = member_detail_opt(ch, optarg, args)) != 0)
			return rc < 0 ? EXIT_USAGE
			              : out_usage(cmd, "unknown option");
	}
	if (argc - optind != (rule ? 2 : 1))
		return out_usage(cmd,
		    rule ? "name a KEY and a VALUE"
		         : "name exactly one HANDLE");
	if (json_object_get(args, "why") == NULL)
		return out_usage(cmd, "--why is required");
	if (admit && proposal_admit_args(args) != 0)
		return EXIT_USAGE;
	json_object_set_new(args, "kind", json_string(kind));
	if (rule) {
		json_object_set_new(args, "key", json_string(argv[optind]));
		json_object_set_new(args, "value",
		    json_string(argv[optind + 1]));
	} else
		json_object_set_new(args, "member", json_string(argv[optind]));
	return 0;
}

/* Reads --closes against the server's clock into args; a duration typed
 * without its '+', such as 72h, is refused with a hint to write +72h. */
static int
proposal_closes(struct client *c, const char *s, json_t *args)
{
	const struct command *cmd = command_current();
	char plus[64], *cause = NULL;
	time_t t;

	if (*s != '+' && when_parse_time(s, c->now, 0, &t, &cause) != 0) {
		free(cause);
		cause = NULL;
		snprintf(plus, sizeof plus, "+%s", s);
		if (when_parse_time(plus, c->now, 0, &t, &cause) == 0) {
			out_usage(cmd,
			    "\"%s\" is not a time; for %s from now, write %s",
			    s, s, plus);
			return -1;
		}
		free(cause);
	}
	return parse_time_opt(c, cmd, s, 0, args, "closes");
}

/* Opens a proposal of a kind and prints it. */
static int
proposal_open(struct client *c, int argc, char **argv, const char *kind)
{
	json_t *args = json_object(), *res;
	const char *closes = NULL;
	int rc;

	if ((rc = proposal_open_args(argc, argv, kind, args, &closes)) != 0)
		goto fail;
	rc = EXIT_FAIL;
	if (client_connect(c) != 0)
		goto fail;
	rc = EXIT_USAGE;
	if (closes != NULL && proposal_closes(c, closes, args) != 0)
		goto fail;
	if ((res = client_call(c, "proposal.open", args)) == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		proposal_print(json_object_get(res, "proposal"));
	return 0;
fail:
	json_decref(args);
	return rc;
}

int
cmd_rules_propose(struct client *c, int argc, char **argv)
{
	return proposal_open(c, argc, argv, "rule");
}

int
cmd_member_suspend(struct client *c, int argc, char **argv)
{
	return proposal_open(c, argc, argv, "suspend");
}

int
cmd_member_reinstate(struct client *c, int argc, char **argv)
{
	return proposal_open(c, argc, argv, "reinstate");
}

int
cmd_member_propose(struct client *c, int argc, char **argv)
{
	return proposal_open(c, argc, argv, "admit");
}

/* Votes on a proposal and prints how it stands after the vote. */
int
cmd_vote(struct client *c, int argc, char **argv)
{
	const struct command *cmd = command_current();
	json_int_t id;
	json_t *res;

	if (argc != 3)
		return out_usage(cmd, "name a PROPOSAL and a choice");
	if (parse_id(cmd, argv[1], &id) != 0 ||
	    parse_word(cmd, "choice", vote_choices, argv[2]) != 0)
		return EXIT_USAGE;
	res = client_call(c, "proposal.vote",
	    json_pack("{s:I, s:s}", "proposal", id, "choice", argv[2]));
	if (res == NULL)
		return EXIT_FAIL;
	if (!c->opts.json)
		proposal_print(json_object_get(res, "proposal"));
	return 0;
}

int
cmd_proposal_list(struct client *c, int argc, char **argv)
{
	static const struct listing l = {"proposal.list", "proposals",
	    {"open", NULL, NULL}, proposal_header, proposal_row};

	return listing_run(c, &l, argc, argv);
}

int
cmd_proposal_show(struct client *c, int argc, char **argv)
{
	static const struct single one = {"proposal.show", "proposal",
	    "proposal", proposal_print};

	return single_run(c, argc, argv, &one);
}

/*
 * Writes the network's rules as one readable file: an INI [rules] section
 * with each rule's meaning above it, which larderd --rules FILE reads to
 * start a new network under the same rules.
 */
static int
rules_write(struct client *c, json_t *rules, FILE *f)
{
	char when[PROTO_TIME_LEN];
	json_t *r;
	size_t i;

	fprintf(f,
	    "# The rules of %s, as they stood at %s.\n"
	    "# Written by larder rules export. To start a new network under "
	    "them:\n#\tlarderd --rules THIS_FILE\n# (read at its very first "
	    "start only).\n\n[rules]\n",
	    c->network, proto_time_format(c->now, when, sizeof when));
	json_array_foreach(rules, i, r)
	{
		fprintf(f, "\n# %s (%s)\n%s = %s\n",
		    json_string_value(json_object_get(r, "about")),
		    json_string_value(json_object_get(r, "decision")),
		    json_string_value(json_object_get(r, "key")),
		    json_string_value(json_object_get(r, "value")));
	}
	return ferror(f) ? -1 : 0;
}

int
cmd_rules_export(struct client *c, int argc, char **argv)
{
	json_t *res;
	FILE *f;
	int rc;

	if (argc != 2)
		return out_usage(command_current(), "name the FILE to write");
	if ((res = client_call(c, "rules.show", NULL)) == NULL)
		return EXIT_FAIL;
	if ((f = fopen(argv[1], "w")) == NULL) {
		fprintf(stderr, "larder: %s: %s\n", argv[1], strerror(errno));
		return EXIT_FAIL;
	}
	rc = rules_write(c, json_object_get(res, "rules"), f);
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "larder: %s: cannot write\n", argv[1]);
		return EXIT_FAIL;
	}
	if (!c->opts.json)
		printf("wrote %zu rules to %s\n",
		    json_array_size(json_object_get(res, "rules")), argv[1]);
	return 0;
}
