/* h_log.c: reading and verifying the exchange log. */
#include <stdio.h>
#include <string.h>

#include "larderd.h"
#include "log.h"

#define EXPORT_PAGE 1000 /* events in one page of an export */

int
h_log_verify(struct call *c)
{
	struct exlog_check check;

	if (exlog_verify(c->d->store, &check) != 0)
		return call_store_error(c);
	c->result = json_pack("{s:b, s:I}", "ok", check.bad_seq == 0, "events",
	    (json_int_t)check.events);
	if (check.bad_seq != 0) {
		log_warnx("log: event %lld is broken: %s",
		    (long long)check.bad_seq, check.reason);
		json_object_set_new(c->result, "bad_seq",
		    json_integer(check.bad_seq));
		json_object_set_new(c->result, "reason",
		    json_string(check.reason));
	}
	return 0;
}

static int
h_log_export_one(void *arg, const struct store_event *ev)
{
	struct page *p = arg;
	json_t *obj;

	if ((obj = exlog_export(ev)) == NULL)
		return -1;
	p->last = ev->seq;
	return json_array_append_new(p->items, obj);
}

int
h_log_export(struct call *c)
{
	struct store_filter f;
	struct page p = {NULL, 0};
	json_int_t limit;

	memset(&f, 0, sizeof f);
	limit = proto_arg_int(c->req, "limit", EXPORT_PAGE);
	if (limit < 1 || limit > EXPORT_PAGE)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "limit must be from 1 to %d", EXPORT_PAGE);
	f.limit = (int)limit;
	if ((p.items = json_array()) == NULL)
		return call_fail(c, PROTO_INTERNAL, "out of memory");
	return call_page_end(c, "events", &f, &p,
	    store_event_scan(c->d->store, proto_arg_int(c->req, "since", 0),
	        f.limit, h_log_export_one, &p));
}
