/*
 * h_report.c: the network's figures on request, and the report files
 * the daemon writes on its own once a month is over.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "larderd.h"
#include "log.h"
#include "render.h"
#include "report.h"

int
h_report(struct call *c)
{
	const char *hub = proto_arg_str(c->req, "hub");
	time_t from, to;
	char *cause = NULL;
	json_t *r;

	if (report_period(proto_arg_str(c->req, "month"),
	        proto_arg_str(c->req, "from"), proto_arg_str(c->req, "to"),
	        &from, &to, &cause) != 0) {
		call_fail(c, PROTO_INVALID_ARGUMENT, "%s", cause);
		free(cause);
		return -1;
	}
	r = report_from_store(c->d->store, &c->d->conf->factors,
	    c->d->conf->network_name, from, to, hub, &cause);
	if (r == NULL) {
		call_fail(c, PROTO_UNAVAILABLE, "%s", cause);
		free(cause);
		return -1;
	}
	c->result = json_pack("{s:o}", "report", r);
	return 0;
}

/* Writes one rendering of a report to DIR/LABEL.EXT, atomically. */
static int
report_write(const char *dir, const char *label, const char *ext,
    const json_t *r, int (*render)(const json_t *, FILE *))
{
	char path[1024], tmp[1040];
	FILE *f;
	int rc;

	rc = snprintf(path, sizeof path, "%s/%s.%s", dir, label, ext);
	if (rc < 0 || (size_t)rc >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	rc = render(r, f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -1;
	if (fclose(f) != 0 || rc != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
report_json(const json_t *r, FILE *f)
{
	return json_dumpf(r, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 &&
	        fputc('\n', f) != EOF
	    ? 0
	    : -1;
}

/* The calendar month k months after the one holding t, as [from, to). */
static void
report_month_of(time_t t, int k, char *label, size_t len, time_t *from,
    time_t *to)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mon += k;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	*from = timegm(&tm);
	gmtime_r(from, &tm);
	strftime(label, len, "%Y-%m", &tm);
	metrics_month(label, from, to);
}

/* Writes one month's report files into dir. */
static void
report_write_month(struct larderd *d, const char *dir, const char *label,
    time_t from, time_t to)
{
	char *cause = NULL;
	json_t *r;

	r = report_from_store(d->store, &d->conf->factors,
	    d->conf->network_name, from, to, NULL, &cause);
	if (r == NULL ||
	    report_write(dir, label, "json", r, report_json) != 0 ||
	    report_write(dir, label, "html", r, render_html) != 0)
		log_warnx("reports: cannot write %s/%s: %s", dir, label,
		    cause != NULL ? cause : strerror(errno));
	else
		log_info("reports: wrote %s/%s.json and .html", dir, label);
	json_decref(r);
	free(cause);
}

/*
 * Once a month is over by the daemon's clock, writes its report as JSON
 * and HTML into STATE_DIR/reports, once; months missed while the daemon
 * was down are written too. Months before the first event get none.
 */
int
report_monthly(struct larderd *d, time_t now)
{
	char label[16], done[16] = "", last[16], dir[1024];
	time_t first = store_event_first_at(d->store), from, to, end;
	int k;

	if (first == INT64_MAX)
		return 0;
	report_month_of(now, -1, last, sizeof last, &from, &end);
	if (store_meta_get(d->store, "reported_month", done, sizeof done) < 0 ||
	    strcmp(done, last) >= 0 || first >= end)
		return 0;
	snprintf(dir, sizeof dir, "%s/reports", d->conf->state_dir);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return log_warnx("reports: %s: %s", dir, strerror(errno)), 0;
	for (k = 0;; k++) {
		report_month_of(first, k, label, sizeof label, &from, &to);
		if (to > end)
			break;
		if (strcmp(label, done) > 0)
			report_write_month(d, dir, label, from, to);
	}
	return store_meta_set(d->store, "reported_month", last);
}
