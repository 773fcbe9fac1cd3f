/*
 * cmd_report.c: larder report, from the daemon, from a log export or
 * from the database file, rendered as text, JSON, CSV or HTML. The three
 * sources go through the same metrics core, so they give the same
 * figures.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "metrics.h"
#include "render.h"
#include "report.h"
#include "when.h"

/* What the command line asked for. */
struct report_args {
	const char *month;
	const char *from;
	const char *to;
	const char *hub;
	const char *format;
	const char *out;
	const char *log;
	const char *db;
};

static int
report_parse(int argc, char **argv, struct report_args *a)
{
	static const struct option longs[] = {
	    {"month", required_argument, NULL, 'm'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"hub", required_argument, NULL, 'H'},
	    {"format", required_argument, NULL, 'F'},
	    {"output", required_argument, NULL, 'o'},
	    {"from-log", required_argument, NULL, 'l'},
	    {"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	const char **slot[] = {['m'] = &a->month,
	    ['f'] = &a->from,
	    ['t'] = &a->to,
	    ['H'] = &a->hub,
	    ['F'] = &a->format,
	    ['o'] = &a->out,
	    ['l'] = &a->log,
	    ['d'] = &a->db};
	int ch;

	memset(a, 0, sizeof *a);
	a->format = "text";
	while ((ch = getopt_long(argc, argv, "o:", longs, NULL)) != -1) {
		if (ch < 0 || ch >= (int)(sizeof slot / sizeof slot[0]) ||
		    slot[ch] == NULL)
			return out_usage(command_current(), "unknown option");
		*slot[ch] = optarg;
	}
	if (optind != argc)
		return out_usage(command_current(), "unexpected \"%s\"",
		    argv[optind]);
	if (a->log != NULL && a->db != NULL)
		return out_usage(command_current(),
		    "give --from-log or --db, not both");
	if (a->month == NULL && (a->from == NULL || a->to == NULL))
		return out_usage(command_current(),
		    "give --month YYYY-MM, or --from and --to");
	return 0;
}

/* Reads --from and --to as times (the day's start for bare dates). */
static int
report_times(const struct report_args *a, time_t now, char *from, char *to,
    size_t len)
{
	char *cause = NULL;
	time_t t;

	if (a->month != NULL)
		return 0;
	if (when_parse_time(a->from, now, 0, &t, &cause) != 0 ||
	    (proto_time_format(t, from, len), 0) ||
	    when_parse_time(a->to, now, 0, &t, &cause) != 0) {
		out_usage(command_current(), "%s",
		    cause != NULL ? cause : "bad time");
		free(cause);
		return -1;
	}
	proto_time_format(t, to, len);
	return 0;
}

/* Asks the daemon for the report. */
static json_t *
report_daemon(struct client *c, const struct report_args *a)
{
	char from[PROTO_TIME_LEN], to[PROTO_TIME_LEN];
	json_t *args, *res;
	int json = c->opts.json;

	if (client_connect(c) != 0 ||
	    report_times(a, c->now, from, to, sizeof from) != 0)
		return NULL;
	args = a->month != NULL
	    ? json_pack("{s:s}", "month", a->month)
	    : json_pack("{s:s, s:s}", "from", from, "to", to);
	if (a->hub != NULL)
		json_object_set_new(args, "hub", json_string(a->hub));
	c->opts.json = 0;
	res = client_call(c, "report", args);
	c->opts.json = json;
	return res != NULL ? json_incref(json_object_get(res, "report")) : NULL;
}

/* The period asked for, as times, for the offline sources. */
static int
report_bounds(const struct report_args *a, time_t *from, time_t *to)
{
	char f[PROTO_TIME_LEN], t[PROTO_TIME_LEN], *cause = NULL;

	if (report_times(a, time(NULL), f, t, sizeof f) != 0)
		return -1;
	if (report_period(a->month, a->month ? NULL : f, a->month ? NULL : t,
	        from, to, &cause) != 0) {
		out_usage(command_current(), "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Builds the report from an export file (JSON Lines). */
static json_t *
report_log(const struct report_args *a, time_t from, time_t to)
{
	struct metrics_factors f = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	struct metrics *m = metrics_new(&f, NULL);
	char *line = NULL, *cause = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	json_t *r = NULL;
	FILE *fp;

	if (m == NULL || (fp = fopen(a->log, "r")) == NULL) {
		fprintf(stderr, "larder: %s: %s\n", a->log, strerror(errno));
		metrics_free(m);
		return NULL;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		n++;
		if (len > 1 &&
		    metrics_add_line(m, line, (size_t)len, &cause) != 0) {
			fprintf(stderr, "larder: %s:%zu: %s\n", a->log, n,
			    cause);
			goto out;
		}
	}
	r = metrics_report(m, from, to, a->hub);
out:
	free(cause);
	free(line);
	fclose(fp);
	metrics_free(m);
	return r;
}

/* Builds the report from the database file, read-only. */
static json_t *
report_db(const struct report_args *a, time_t from, time_t to)
{
	struct metrics_factors f = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	char name[128] = "Larder network", buf[32], *cause = NULL;
	struct store *st;
	json_t *r;

	if ((st = store_open(a->db, 1, &cause)) == NULL) {
		fprintf(stderr, "larder: %s\n", cause);
		free(cause);
		return NULL;
	}
	store_meta_get(st, "network_name", name, sizeof name);
	if (store_meta_get(st, "grams_per_meal", buf, sizeof buf) == 1)
		f.grams_per_meal = strtoll(buf, NULL, 10);
	if (store_meta_get(st, "co2e_per_kg", buf, sizeof buf) == 1)
		f.co2e_per_kg = strtod(buf, NULL);
	r = report_from_store(st, &f, name, from, to, a->hub, &cause);
	if (r == NULL)
		fprintf(stderr, "larder: %s\n", cause);
	free(cause);
	store_close(st);
	return r;
}

static int
report_json_out(const json_t *r, FILE *f)
{
	return json_dumpf(r, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 &&
	        fputc('\n', f) != EOF
	    ? 0
	    : -1;
}

/* Renders the report in the format asked for, to stdout or -o FILE. */
static int
report_emit(const struct report_args *a, const json_t *r)
{
	int (*render)(const json_t *, FILE *);
	FILE *f = stdout;
	int rc;

	if (strcmp(a->format, "json") == 0)
		render = report_json_out;
	else if (strcmp(a->format, "text") == 0)
		render = render_text;
	else if (strcmp(a->format, "csv") == 0)
		render = render_csv;
	else if (strcmp(a->format, "html") == 0)
		render = render_html;
	else
		return out_usage(command_current(),
		    "--format is text, json, "
		    "csv or html");
	if (a->out != NULL && (f = fopen(a->out, "w")) == NULL) {
		fprintf(stderr, "larder: %s: %s\n", a->out, strerror(errno));
		return EXIT_FAIL;
	}
	rc = render(r, f);
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "larder: cannot write the report\n");
	return rc == 0 ? 0 : EXIT_FAIL;
}

int
cmd_report(struct client *c, int argc, char **argv)
{
	struct report_args a;
	time_t from, to;
	json_t *r;
	int rc;

	if ((rc = report_parse(argc, argv, &a)) != 0)
		return rc;
	if (a.log == NULL && a.db == NULL)
		r = report_daemon(c, &a);
	else if (report_bounds(&a, &from, &to) != 0)
		return EXIT_USAGE;
	else
		r = a.log != NULL ? report_log(&a, from, to)
		                  : report_db(&a, from, to);
	if (r == NULL)
		return EXIT_FAIL;
	rc = report_emit(&a, r);
	json_decref(r);
	return rc;
}
