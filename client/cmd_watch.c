/* cmd_watch.c: larder watch: follows the exchange's events as they are
 * committed, one line each. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/*
 * How each kind of event reads. {key} is a field of the event, {key:kg}
 * grams as kilograms, {key:at} a time (just the clock when on the event's
 * own day), {key:day} a day, {key:list} a list; text in [brackets] is left
 * out when a field in it is missing or empty.
 */
static const struct watch_kind {
	const char *kind;
	const char *text;
} watch_kinds[] = {
    {"member.joined", "{member} ({name}), hub {hub}, {people} people"},
    {"offer.posted",
        "offer {offer} {category} {grams:kg} from {member} "
        "({hub}), deadline {deadline:at}"},
    {"offer.withdrawn", "offer {offer} by {member}, {grams:kg} left"},
    {"offer.expired",
        "offer {offer} {category} {grams:kg} unclaimed ({member})"},
    {"offer.flash", "offer {offer}: {grams:kg} open to claims"},
    {"offer.allocated", "offer {offer} ({member}): all allocated"},
    {"request.posted",
        "request {request} {member} wants {grams:kg} of "
        "{categories:list} by {by:at}"},
    {"request.cancelled", "request {request} ({member})"},
    {"request.expired",
        "request {request} ({member}), {grams:kg} still wanted"},
    {"request.renewed",
        "request {request} renews {renews} ({member}), "
        "{grams:kg} by {by:at}"},
    {"request.fulfilled", "request {request} ({member})"},
    {"allocation.proposed",
        "#{allocation} offer {offer} {category} "
        "{grams:kg} {donor} -> {member}, respond by "
        "{respond_by:at}"},
    {"allocation.claimed",
        "#{allocation} offer {offer} {category} "
        "{grams:kg} {donor} -> {member}, charge "
        "{charge:kg}"},
    {"allocation.accepted",
        "#{allocation} offer {offer} {grams:kg} {donor} -> {member}"},
    {"allocation.declined",
        "#{allocation} offer {offer} {grams:kg} "
        "{donor} -> {member}[: {reason}]"},
    {"allocation.lapsed",
        "#{allocation} offer {offer} {grams:kg} {donor} -> {member}"},
    {"allocation.collected",
        "#{allocation} {grams:kg}, {donor} -> "
        "{member}, confirmed by {confirmed_by}"},
    {"allocation.confirmed",
        "#{allocation} {grams:kg}, confirmed by {confirmed_by}"},
    {"allocation.no_show",
        "#{allocation} offer {offer} {grams:kg} {donor} -> {member}"},
    {"waste.recorded",
        "waste {waste} {member}: {grams:kg}[ of offer "
        "{offer}] to {destination} (cause {cause})"},
    {"people.reported",
        "{member} supported {people} people in the week "
        "of {week:day}"},
    {"proposal.opened",
        "proposal {proposal}:[ {key} = {value}][ standing of {member}] by "
        "{actor}, closes {closes:at}[: {why}]"},
    {"proposal.voted", "proposal {proposal}: {member} votes {choice}"},
    {"proposal.closed",
        "proposal {proposal} {outcome}: yes {yes}, no {no}, abstain "
        "{abstain} of {members} members"},
    {"rule.changed", "{key} = {value} by proposal {proposal}"},
    {"sanction.changed", "{member}: {from} -> {to} ({no_shows} no-shows)"},
    {"dispute.raised",
        "dispute {dispute} on #{allocation}: {reason}[ ({grams:kg})] by "
        "{member}[ against {against}][ against {donor}]"},
    {"dispute.settled",
        "dispute {dispute} on #{allocation} {how}[: {outcome}], raised "
        "{raised:at}"},
    {"referral.made", "{member} referred {district} to {referred:list}"},
    {"closing", "{reason}"},
};

/* Fields every event has, left out of the key=value form. */
static const char *const watch_common[] = {"v", "event", "kind", "at", "prev",
    "hash", NULL};

/* One output line, built up before it is printed. */
struct watch_line {
	char buf[4096];
	size_t off;
};

/* Appends text to the line, cutting it short when the line is full. */
static void __attribute__((format(printf, 2, 3)))
watch_add(struct watch_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->off >= sizeof l->buf - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->off, sizeof l->buf - l->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->off += (size_t)n;
	if (l->off > sizeof l->buf - 1)
		l->off = sizeof l->buf - 1;
}

/* Appends text from a member, control characters made '?', so that one
 * event stays one line. */
static void
watch_text(struct watch_line *l, const char *s)
{
	size_t from = l->off;

	watch_add(l, "%s", s);
	for (; from < l->off; from++) {
		if ((unsigned char)l->buf[from] < 0x20 || l->buf[from] == 0x7f)
			l->buf[from] = '?';
	}
}

/* Appends any JSON value: a string as text, anything else as JSON. */
static void
watch_value(struct watch_line *l, json_t *v)
{
	char *text;

	if (json_is_string(v)) {
		watch_text(l, json_string_value(v));
		return;
	}
	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return;
	watch_text(l, text);
	free(text);
}

/* Appends a time: the clock alone on the local day of ref, else the day
 * too. */
static void
watch_time(struct watch_line *l, json_t *v, time_t ref)
{
	struct tm tm, ref_tm;
	char buf[32];
	time_t t;

	if (!json_is_string(v) ||
	    proto_time_parse(json_string_value(v), &t) != 0) {
		watch_value(l, v);
		return;
	}
	localtime_r(&t, &tm);
	localtime_r(&ref, &ref_tm);
	strftime(buf, sizeof buf,
	    tm.tm_year == ref_tm.tm_year && tm.tm_yday == ref_tm.tm_yday
	        ? "%H:%M"
	        : "%a %d %b %H:%M",
	    &tm);
	watch_add(l, "%s", buf);
}

/* Appends field "key" or "key:format" of ev; -1, after a "-", when ev
 * lacks it or it is empty. */
static int
watch_field(struct watch_line *l, json_t *ev, time_t at, const char *spec,
    size_t n)
{
	char key[64], buf[512], *fmt;
	json_t *v;

	snprintf(key, sizeof key, "%.*s", (int)n, spec);
	if ((fmt = strchr(key, ':')) != NULL)
		*fmt++ = '\0';
	v = json_object_get(ev, key);
	if (v == NULL || json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0)) {
		watch_add(l, "-");
		return -1;
	}
	if (fmt == NULL)
		watch_value(l, v);
	else if (strcmp(fmt, "kg") == 0)
		watch_add(l, "%s",
		    out_kg(json_integer_value(v), buf, sizeof buf));
	else if (strcmp(fmt, "at") == 0)
		watch_time(l, v, at);
	else if (strcmp(fmt, "day") == 0)
		watch_add(l, "%s", out_day(v, buf, sizeof buf));
	else
		watch_text(l, out_list(v, buf, sizeof buf));
	return 0;
}

/* Appends an event written by a template of watch_kinds. */
static void
watch_render(struct watch_line *l, const char *t, json_t *ev, time_t at)
{
	const char *end;
	size_t mark = l->off;
	int missing = 0;

	for (; *t != '\0'; t++) {
		if (*t == '[') {
			mark = l->off;
			missing = 0;
		} else if (*t == ']') {
			if (missing)
				l->off = mark;
			l->buf[l->off] = '\0';
		} else if (*t == '{' && (end = strchr(t, '}')) != NULL) {
			if (watch_field(l, ev, at, t + 1,
			        (size_t)(end - t - 1)) != 0)
				missing = 1;
			t = end;
		} else
			watch_add(l, "%c", *t);
	}
}

/* Appends an event of a kind this client does not know: key=value. */
static void
watch_generic(struct watch_line *l, json_t *ev)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(ev, key, v)
	{
		for (i = 0; watch_common[i] != NULL; i++) {
			if (strcmp(watch_common[i], key) == 0)
				break;
		}
		if (watch_common[i] != NULL)
			continue;
		watch_add(l, " %s=", key);
		watch_value(l, v);
	}
}

/* Prints one event as a line: its local time, its kind, what matters. */
static void
watch_print(json_t *ev, const char *kind)
{
	struct watch_line l;
	const char *when;
	struct tm tm;
	time_t at;
	size_t i, n = sizeof watch_kinds / sizeof watch_kinds[0];

	l.off = 0;
	l.buf[0] = '\0';
	when = json_string_value(json_object_get(ev, "at"));
	if (when != NULL && proto_time_parse(when, &at) == 0) {
		localtime_r(&at, &tm);
		watch_add(&l, "%02d:%02d ", tm.tm_hour, tm.tm_min);
	} else {
		at = time(NULL);
		watch_add(&l, "--:-- "); /* closing carries no time */
	}
	watch_text(&l, kind);
	for (i = 0; i < n && strcmp(watch_kinds[i].kind, kind) != 0; i++)
		continue;
	if (i < n) {
		watch_add(&l, " ");
		watch_render(&l, watch_kinds[i].text, ev, at);
	} else
		watch_generic(&l, ev);
	printf("%s\n", l.buf);
}

/* Reads watch's options into args. */
static int
watch_args(int argc, char **argv, json_t *args)
{
	static const struct option longs[] = {
	    {"hub", required_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch != 'H')
			return out_usage(command_current(), "unknown option");
		json_object_set_new(args, "hub", json_string(optarg));
	}
	if (optind != argc)
		return out_usage(command_current(), "unexpected \"%s\"",
		    argv[optind]);
	return 0;
}

/* Prints events until the server says it is closing or goes away. */
static int
watch_loop(struct client *c)
{
	const char *kind;
	json_t *ev;
	int closing;

	for (;;) {
		if ((ev = client_next_event(c)) == NULL) {
			fprintf(stderr,
			    "larder: larderd closed the "
			    "connection\n");
			return EXIT_FAIL;
		}
		kind = json_string_value(json_object_get(ev, "event"));
		if (kind != NULL && c->opts.json)
			out_json(ev);
		else if (kind != NULL)
			watch_print(ev, kind);
		fflush(stdout);
		closing = kind != NULL && strcmp(kind, "closing") == 0;
		json_decref(ev);
		if (closing)
			return 0;
	}
}

/* Starts watching, then prints each event until the server closes. */
int
cmd_watch(struct client *c, int argc, char **argv)
{
	json_t *args = json_object(), *hub;
	int rc;

	if ((rc = watch_args(argc, argv, args)) != 0) {
		json_decref(args);
		return rc;
	}
	hub = json_incref(json_object_get(args, "hub"));
	if (client_call(c, "watch", args) == NULL) {
		json_decref(hub);
		return EXIT_FAIL;
	}
	if (!c->opts.json && hub != NULL)
		printf("watching hub %s\n", json_string_value(hub));
	else if (!c->opts.json)
		printf("watching\n");
	json_decref(hub);
	fflush(stdout);
	return watch_loop(c);
}
