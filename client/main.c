/* main.c: larder, the command-line client of the Larder exchange. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* The usage of --closes, which proposals share. */
#define CLOSES_USAGE                                                           \
	"[--closes TIME]\n  (TIME: when voting ends, such as +72h, friday "    \
	"or friday 18:00;\n  by default now plus the vote_period rule)"

static const struct command commands[] = {
    {"status", "the daemon's version, uptime and counts", "", cmd_status},
    {"member add", "register a member organisation (coordinators)",
        "HANDLE --name NAME --hub HUB --people N --storage LIST "
        "[--catchment LIST] [--coordinator]",
        cmd_member_add},
    {"member list", "list the member organisations", "", cmd_member_list},
    {"member show", "show one member", "HANDLE", cmd_member_show},
    {"member token", "give a member a new token, or revoke its token",
        "rotate|revoke HANDLE", cmd_member_token},
    {"member suspend", "propose suspending a member, for members to vote on",
        "HANDLE --why TEXT " CLOSES_USAGE, cmd_member_suspend},
    {"member reinstate", "propose reinstating a suspended member",
        "HANDLE --why TEXT " CLOSES_USAGE, cmd_member_reinstate},
    {"member propose", "propose admitting a member, for members to vote on",
        "HANDLE --name NAME --hub HUB --people N --storage LIST "
        "[--catchment LIST] --why TEXT " CLOSES_USAGE,
        cmd_member_propose},
    {"offer post", "offer surplus food",
        "--category C --kg N (--use-by DATE | --best-before DATE) "
        "[--collect WINDOW] [--storage S] [--min-portion N] "
        "[--indivisible] [--note TEXT] [--fallback DEST] "
        "[--challenge ID]",
        cmd_offer_post},
    {"offer list", "list offers", "[--mine] [--open]", cmd_offer_list},
    {"offer show", "show one offer", "ID", cmd_offer_show},
    {"offer withdraw", "withdraw your open offer", "ID", cmd_offer_withdraw},
    {"request post", "ask for food",
        "--categories LIST --kg N --by DATE [--storage LIST] "
        "[--standing] [--note TEXT] [--challenge ID]",
        cmd_request_post},
    {"request list", "list requests", "[--mine] [--open]", cmd_request_list},
    {"request show", "show one request", "ID", cmd_request_show},
    {"request cancel", "cancel your open request", "ID", cmd_request_cancel},
    {"match list", "list the matches of offers to members", "[--all] [--open]",
        cmd_match_list},
    {"match show", "show one match", "ID", cmd_match_show},
    {"match accept", "accept food proposed to you", "ID", cmd_match_accept},
    {"match decline", "decline food proposed to you", "ID [--reason TEXT]",
        cmd_match_decline},
    {"match collected", "confirm a match was collected, with its weight",
        "ID --kg N", cmd_match_collected},
    {"match noshow", "mark that nobody came for your food", "ID",
        cmd_match_noshow},
    {"claim", "claim an offer open to all", "OFFER [--kg N] [--challenge ID]",
        cmd_claim},
    {"explain", "say why a match went to its member", "ID", cmd_explain},
    {"waste record", "record food lost rather than eaten",
        "(--offer ID | --kg N) --destination D --cause C [--note TEXT]",
        cmd_waste_record},
    {"fed report", "report the people you supported in a week",
        "--people N [--week DATE]", cmd_fed_report},
    {"rules show", "the network's rules, with the decision behind each", "",
        cmd_rules_show},
    {"challenge open", "open a shared challenge (coordinators)", "TITLE",
        cmd_challenge_open},
    {"challenge close", "close a challenge (coordinators)",
        "ID (--resolved | --unresolved)", cmd_challenge_close},
    {"challenge list", "list shared challenges", "[--open]",
        cmd_challenge_list},
    {"rules export", "write the rules as one file, the network's constitution",
        "FILE", cmd_rules_export},
    {"rules propose", "propose a new value for a rule, for members to vote on",
        "KEY VALUE --why TEXT " CLOSES_USAGE, cmd_rules_propose},
    {"proposal list", "list proposals and how their votes stand", "[--open]",
        cmd_proposal_list},
    {"proposal show", "show one proposal", "ID", cmd_proposal_show},
    {"vote", "vote on an open proposal", "PROPOSAL yes|no|abstain", cmd_vote},
    {"dispute raise", "dispute a match: its weight, quality or a no-show",
        "MATCH --reason weight|quality|noshow|other [--kg N] [--note TEXT]\n"
        "  (--kg, the right weight, goes with --reason weight)",
        cmd_dispute_raise},
    {"dispute accept", "accept a dispute raised against you", "ID",
        cmd_dispute_accept},
    {"dispute reject", "reject a dispute raised against you", "ID",
        cmd_dispute_reject},
    {"dispute resolve",
        "settle a rejected or unanswered dispute (coordinators)",
        "ID --outcome reverse_noshow|correct_grams|no_change [--kg N]\n"
        "  (--kg, the right weight, goes with --outcome correct_grams)",
        cmd_dispute_resolve},
    {"dispute list", "list disputes: your own, or all for coordinators",
        "[--open]", cmd_dispute_list},
    {"refer", "find the members who serve a postcode district", "DISTRICT",
        cmd_refer},
    {"watch", "follow the exchange's events as they happen", "[--hub H]",
        cmd_watch},
    {"clock advance", "move a manual clock forward (administrator)", "DURATION",
        cmd_clock_advance},
    {"clock set", "set a manual clock to a later time (administrator)", "TIME",
        cmd_clock_set},
    {"report", "figures for a period: food sourced, shared, wasted; health",
        "(--month YYYY-MM | --from DATE --to DATE) [--hub H] "
        "[--format text|json|csv|html] [-o FILE] "
        "[--from-log FILE | --db PATH]",
        cmd_report},
    {"simulate", "replay a month under other rules, beside what happened",
        "--month YYYY-MM [--policy P] [--set KEY=VALUE ...] "
        "[--from-log FILE | --db PATH]",
        cmd_simulate},
    {"backup", "copy the live database to FILE (on the daemon's machine)",
        "FILE [--db PATH]", cmd_backup},
    {"log verify", "recompute the exchange log's hash chain", "",
        cmd_log_verify},
    {"log export", "write the exchange log as JSON Lines",
        "[--since SEQ] [-o FILE]", cmd_log_export},
};

static const struct command *current;

/* The command being run, for usage messages. */
const struct command *
command_current(void)
{
	return current;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: larder [--addr HOST:PORT | --socket PATH] "
	    "[--token TOKEN] [--as HANDLE]\n"
	    "              [--tls [--ca FILE]] [--config FILE] [--json] "
	    "COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-16s %s\n", commands[i].words,
		    commands[i].summary);
	fprintf(f,
	    "\nThe token, address and socket may also come from "
	    "LARDER_TOKEN, LARDER_ADDR,\nLARDER_SOCKET or the settings file "
	    "(LARDER_CONFIG, ~/.config/larder/larder.conf);\n"
	    "--tls and --ca from LARDER_TLS=1 and LARDER_CA, or tls = yes "
	    "and ca = FILE there.\n"
	    "Run larder COMMAND --help for a command's options.\n");
}

/* Finds the command named by the first one or two words. */
static const struct command *
find_command(int argc, char **argv, int *used)
{
	char words[64];
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (argc >= 2) {
			snprintf(words, sizeof words, "%s %s", argv[0],
			    argv[1]);
			if (strcmp(commands[i].words, words) == 0) {
				*used = 2;
				return &commands[i];
			}
		}
		if (strcmp(commands[i].words, argv[0]) == 0) {
			*used = 1;
			return &commands[i];
		}
	}
	return NULL;
}

/* Reads the global options, before the command; returns its index. */
static int
parse_globals(int argc, char **argv, struct client_opts *o, const char **config)
{
	static const struct option longs[] = {
	    {"addr", required_argument, NULL, 'a'},
	    {"socket", required_argument, NULL, 'S'},
	    {"token", required_argument, NULL, 't'},
	    {"as", required_argument, NULL, 'A'},
	    {"config", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'}, {"tls", no_argument, NULL, 'T'},
	    {"ca", required_argument, NULL, 'C'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int ch;

	while ((ch = getopt_long(argc, argv, "+a:S:t:A:c:jTC:Vh", longs,
	            NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->addr = strdup(optarg);
			break;
		case 'S':
			o->socket = strdup(optarg);
			break;
		case 't':
			o->token = strdup(optarg);
			break;
		case 'A':
			o->as = strdup(optarg);
			break;
		case 'c':
			*config = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'T':
			o->tls = 1;
			break;
		case 'C':
			o->ca = strdup(optarg);
			break;
		case 'V':
			printf("larder %s (protocol %d)\n", LARDER_VERSION,
			    PROTO_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	return optind;
}

/* Finds the command, reads the settings and runs it; the exit status. */
static int
run(struct client *c, int argc, char **argv)
{
	const char *config = NULL;
	char *cause = NULL;
	int first, used, i;

	first = parse_globals(argc, argv, &c->opts, &config);
	if (first >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	current = find_command(argc - first, argv + first, &used);
	if (current == NULL) {
		fprintf(stderr,
		    "larder: unknown command \"%s\"; run larder "
		    "--help for the list\n",
		    argv[first]);
		return EXIT_USAGE;
	}
	if (client_settings(&c->opts, config, &cause) != 0) {
		fprintf(stderr, "larder: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	for (i = first + used; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			printf("usage: larder %s %s\n%s\n", current->words,
			    current->usage, current->summary);
			return 0;
		}
	}
	/* The command's own arguments start after its words. */
	optind = 0;
	return current->fn(c, argc - first - used + 1, argv + first + used - 1);
}

int
main(int argc, char **argv)
{
	struct client c;
	int rc;

	/* A daemon that hangs up shows as a write error, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	memset(&c, 0, sizeof c);
	c.fd = -1;
	rc = run(&c, argc, argv);
	client_close(&c);
	return rc;
}
