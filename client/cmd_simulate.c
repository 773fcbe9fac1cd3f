/*
 * cmd_simulate.c: larder simulate: replays a month of the network's own
 * offers and requests under another policy or other rule values, and
 * prints the outcome beside what happened.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "metrics.h"
#include "rules.h"
#include "simulate.h"
#include "store.h"

#define SIM_MAX_SETS 16

struct sim_args {
	const char *month;
	const char *log;
	const char *db;
	const char *sets[SIM_MAX_SETS];
	size_t nsets;
	struct engine_rules rules;
};

/* Applies --policy or --set KEY=VALUE to the rules. */
static int
sim_set(struct sim_args *a, const char *key, const char *value)
{
	char *cause = NULL;

	if (rules_parse(key, value, &a->rules, &cause) == 0)
		return 0;
	out_usage(command_current(), "%s", cause);
	free(cause);
	return -1;
}

static int
sim_parse(int argc, char **argv, struct sim_args *a)
{
	static const struct option longs[] = {
	    {"month", required_argument, NULL, 'm'},
	    {"policy", required_argument, NULL, 'p'},
	    {"set", required_argument, NULL, 's'},
	    {"from-log", required_argument, NULL, 'l'},
	    {"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	char key[64], *eq;
	int ch;

	engine_rules_default(&a->rules);
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == 'm' || ch == 'l' || ch == 'd')
			*(ch == 'm'         ? &a->month
			        : ch == 'l' ? &a->log
			                    : &a->db) = optarg;
		else if (ch == 'p' && sim_set(a, "policy", optarg) != 0)
			return EXIT_USAGE;
		else if (ch == 's') {
			if ((eq = strchr(optarg, '=')) == NULL ||
			    a->nsets == SIM_MAX_SETS)
				return out_usage(command_current(),
				    "--set takes KEY=VALUE");
			snprintf(key, sizeof key, "%.*s", (int)(eq - optarg),
			    optarg);
			if (sim_set(a, key, eq + 1) != 0)
				return EXIT_USAGE;
			a->sets[a->nsets++] = optarg;
		} else if (ch == '?')
			return out_usage(command_current(), "unknown option");
	}
	if (optind != argc || a->month == NULL)
		return out_usage(command_current(), "give --month YYYY-MM");
	return 0;
}

/* Feeds each event of an export file (JSON Lines) to the run. */
static int
sim_from_file(struct sim_run *run, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	json_t *ev;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "larder: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		if ((ev = json_loadb(line, (size_t)len, 0, NULL)) == NULL)
			continue;
		rc = simulate_event(run, ev);
		json_decref(ev);
	}
	free(line);
	fclose(f);
	return 0;
}

/* Where a scan of the database has come to. */
struct sim_scan {
	struct sim_run *run;
	int64_t after; /* the last event read */
	int rows;      /* events read in this page */
	int failed;    /* the replay failed: read no more */
};

static int
sim_take_event(void *arg, const struct store_event *ev)
{
	struct sim_scan *scan = arg;
	json_t *e = json_loads(ev->body, 0, NULL);

	scan->after = ev->seq;
	scan->rows++;
	if (e != NULL && simulate_event(scan->run, e) != 0)
		scan->failed = 1;
	json_decref(e);
	return scan->failed;
}

/* Feeds every event of a database file, read-only, to the run. */
static int
sim_from_db(struct sim_run *run, const char *path)
{
	struct sim_scan scan = {run, 0, 0, 0};
	struct store *st;
	char *cause = NULL;

	if ((st = store_open(path, 1, &cause)) == NULL) {
		fprintf(stderr, "larder: %s\n", cause);
		free(cause);
		return -1;
	}
	do {
		scan.rows = 0;
		store_event_scan(st, scan.after, 4096, sim_take_event, &scan);
	} while (scan.rows == 4096 && !scan.failed);
	store_close(st);
	return 0;
}

/* Feeds every event from the daemon to the run, page by page. */
static int
sim_from_daemon(struct sim_run *run, struct client *c)
{
	json_t *res, *ev;
	json_int_t since = 0;
	size_t i;

	do {
		res = client_call(c, "log.export",
		    json_pack("{s:I}", "since", since));
		if (res == NULL)
			return -1;
		json_array_foreach(json_object_get(res, "events"), i, ev)
		{
			if (simulate_event(run, ev) != 0)
				return 0;
		}
		since = json_integer_value(json_object_get(res, "next"));
	} while (since > 0);
	return 0;
}

static void
sim_row(const char *what, const char *a, const char *b)
{
	printf("  %-34s %14s %14s\n", what, a, b);
}

/* Prints the two outcomes side by side. */
static void
sim_print(const struct sim_args *a, const struct sim_outcome *was,
    const struct sim_outcome *sim)
{
	char x[32], y[32];
	size_t i;

	printf("%s under policy %s", a->month, a->rules.policy);
	for (i = 0; i < a->nsets; i++)
		printf(", %s", a->sets[i]);
	printf("\n\n");
	sim_row("", "as it happened", "simulated");
	sim_row("food offered", out_kg(was->offered, x, sizeof x),
	    out_kg(sim->offered, y, sizeof y));
	sim_row("food that reached a member", out_kg(was->shared, x, sizeof x),
	    out_kg(sim->shared, y, sizeof y));
	sim_row("food nobody took (waste)", out_kg(was->unclaimed, x, sizeof x),
	    out_kg(sim->unclaimed, y, sizeof y));
	snprintf(x, sizeof x, "%.0f%%",
	    was->offered > 0
	        ? 100.0 * (double)was->shared / (double)was->offered
	        : 0);
	snprintf(y, sizeof y, "%.0f%%",
	    sim->offered > 0
	        ? 100.0 * (double)sim->shared / (double)sim->offered
	        : 0);
	sim_row("share of the food offered", x, y);
	snprintf(x, sizeof x, "%.2f", was->gini_need);
	snprintf(y, sizeof y, "%.2f", sim->gini_need);
	sim_row("inequality of food a person (Gini)", x, y);
	snprintf(x, sizeof x, "%lld of %lld", (long long)was->recipients,
	    (long long)was->members);
	snprintf(y, sizeof y, "%lld of %lld", (long long)sim->recipients,
	    (long long)sim->members);
	sim_row("members who received more than gave", x, y);
	snprintf(x, sizeof x, "%lld", (long long)was->at_floor);
	snprintf(y, sizeof y, "%lld", (long long)sim->at_floor);
	sim_row("members at the ledger's floor", x, y);
	printf("\nThe simulation assumes every proposal is accepted at once "
	       "and collected in\nfull, and food open to claims goes to the "
	       "earliest request it fits.\n");
}

int
cmd_simulate(struct client *c, int argc, char **argv)
{
	struct sim_outcome was, sim;
	struct sim_args a;
	struct sim_run *run;
	json_t *out;
	time_t from, to;
	char *cause = NULL;
	int rc;

	memset(&a, 0, sizeof a);
	if ((rc = sim_parse(argc, argv, &a)) != 0)
		return rc;
	if (metrics_month(a.month, &from, &to) != 0)
		return out_usage(command_current(),
		    "\"%s\" is not a month "
		    "(YYYY-MM)",
		    a.month);
	/* The events stream through the run: the log is never held whole. */
	if ((run = simulate_start(from, to, &a.rules, &cause)) == NULL) {
		fprintf(stderr, "larder: %s\n",
		    cause != NULL ? cause : "out of memory");
		free(cause);
		return EXIT_FAIL;
	}
	rc = a.log != NULL ? sim_from_file(run, a.log)
	    : a.db != NULL ? sim_from_db(run, a.db)
	                   : sim_from_daemon(run, c);
	if (simulate_finish(run, &was, &sim, &cause) != 0 && rc == 0) {
		fprintf(stderr, "larder: %s\n",
		    cause != NULL ? cause : "out of memory");
		rc = -1;
	}
	free(cause);
	if (rc != 0)
		return EXIT_FAIL;
	if (c->opts.json) {
		out = json_pack("{s:s, s:s, s:o, s:o}", "month", a.month,
		    "policy", a.rules.policy, "actual", simulate_json(&was),
		    "simulated", simulate_json(&sim));
		out_json(out);
		json_decref(out);
	} else
		sim_print(&a, &was, &sim);
	return 0;
}
