/* h_request.c: members asking for food, and cancelling requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "larderd.h"
#include "log.h"
#include "valid.h"

/* Builds a request's record as members see it. */
json_t *
request_record_json(const struct request *r)
{
	char storage[64];

	return json_pack("{s:I, s:s, s:o, s:o, s:I, s:I, s:o, s:b, s:s, s:s,"
	                 " s:o}",
	    "id", (json_int_t)r->id, "member", r->member_handle, "categories",
	    valid_split(r->categories), "storage",
	    valid_split(storage_format(r->storage, storage, sizeof storage)),
	    "grams", (json_int_t)r->grams, "received", (json_int_t)r->received,
	    "by", proto_time_json(r->window_end), "standing", r->standing,
	    "note", r->note, "state", request_state_name(r->state), "posted",
	    proto_time_json(r->posted));
}

/*
 * Writes a request's record as JSON text: byte for byte what dumping
 * request_record_json compactly in order writes (test_store checks).
 */
char *
request_record_text(const struct request *r)
{
	struct jtext t = JTEXT_INIT;
	char storage[64];

	jtext_raw(&t, "{\"id\":");
	jtext_int(&t, r->id);
	jtext_raw(&t, ",\"member\":");
	jtext_str(&t, r->member_handle);
	jtext_raw(&t, ",\"categories\":");
	jtext_list(&t, r->categories);
	jtext_raw(&t, ",\"storage\":");
	jtext_list(&t, storage_format(r->storage, storage, sizeof storage));
	jtext_raw(&t, ",\"grams\":");
	jtext_int(&t, r->grams);
	jtext_raw(&t, ",\"received\":");
	jtext_int(&t, r->received);
	jtext_raw(&t, ",\"by\":");
	jtext_time(&t, r->window_end);
	if (r->standing)
		jtext_raw(&t, ",\"standing\":true");
	else
		jtext_raw(&t, ",\"standing\":false");
	jtext_raw(&t, ",\"note\":");
	jtext_str(&t, r->note);
	jtext_raw(&t, ",\"state\":");
	jtext_str(&t, request_state_name(r->state));
	jtext_raw(&t, ",\"posted\":");
	jtext_time(&t, r->posted);
	jtext_raw(&t, "}");
	return jtext_end(&t);
}

/* Answers {"request": record}. */
static int
request_reply(struct call *c, const struct request *r)
{
	char *text = request_record_text(r);
	int rc = call_record(c, "request", text);

	free(text);
	return rc;
}

/* Reads the categories, each one this network's, none twice. */
static int
request_categories(struct call *c, struct request *r)
{
	json_t *list = proto_arg(c->req, "categories"), *item;
	size_t i, j;
	const char *name;

	if (json_array_size(list) == 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "categories names at least one category");
	json_array_foreach(list, i, item)
	{
		name = json_string_value(item);
		if (!config_has_category(c->d->conf, name))
			return call_fail(c, PROTO_INVALID_ARGUMENT,
			    "category "
			    "\"%s\" is not one of this network's categories",
			    name);
		for (j = 0; j < i; j++) {
			if (strcmp(name,
			        json_string_value(json_array_get(list, j))) ==
			    0)
				return call_fail(c, PROTO_INVALID_ARGUMENT,
				    "category \"%s\" is named twice", name);
		}
	}
	if (valid_join(list, r->categories, sizeof r->categories) != 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "categories is too long");
	return 0;
}

/* Reads the storage the food may need: by default all the member has. */
static int
request_storage(struct call *c, const struct member *m, struct request *r)
{
	json_t *list = proto_arg(c->req, "storage"), *item;
	size_t i;
	unsigned bit;

	if (list == NULL) {
		r->storage = m->storage;
		return 0;
	}
	r->storage = 0;
	json_array_foreach(list, i, item)
	{
		if (storage_parse(json_string_value(item), &bit) != 0)
			return call_fail(c, PROTO_INVALID_ARGUMENT,
			    "storage \"%s\" is not ambient, chilled or frozen",
			    json_string_value(item));
		if ((m->storage & bit) == 0)
			return call_fail(c, PROTO_INVALID_ARGUMENT,
			    "%s has no %s storage", m->handle,
			    storage_name(bit));
		r->storage |= bit;
	}
	if (r->storage == 0)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "storage names at least one of ambient, chilled, frozen");
	return 0;
}

/* Reads and checks request.post's arguments into r. */
static int
request_args(struct call *c, const struct member *m, struct request *r)
{
	json_int_t grams = proto_arg_int(c->req, "grams", 0);
	const char *note = proto_arg_str(c->req, "note");

	if (grams < 1 || grams > VALID_MAX_GRAMS)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "grams must be from 1 to %lld", VALID_MAX_GRAMS);
	r->grams = grams;
	proto_arg_time(c->req, "by", &r->window_end);
	if (r->window_end <= c->now)
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "by is in the past");
	if (note != NULL && !valid_text(note))
		return call_fail(c, PROTO_INVALID_ARGUMENT,
		    "note has control characters");
	proto_copy(r->note, sizeof r->note, note != NULL ? note : "");
	r->standing = proto_arg_bool(c->req, "standing", 0);
	if (request_categories(c, r) != 0)
		return -1;
	return request_storage(c, m, r);
}

int
h_request_post(struct call *c)
{
	const struct member *m = session_member(c->s);
	json_int_t challenge = proto_arg_int(c->req, "challenge", 0);
	struct request r;
	json_t *ev;

	memset(&r, 0, sizeof r);
	if (request_args(c, m, &r) != 0)
		return -1;
	r.member = m->id;
	proto_copy(r.member_handle, sizeof r.member_handle, m->handle);
	r.window_start = r.posted = c->now;
	r.state = REQUEST_OPEN;
	if ((challenge != 0 && gov_challenge_check(c, challenge) != 0) ||
	    call_open_cap(c, "request", c->d->conf->open_requests) != 0)
		return -1;
	if (store_request_insert(c->d->store, &r) != 0 ||
	    (challenge != 0 &&
	        store_set_challenge(c->d->store, "request", r.id, challenge) !=
	            0))
		return call_store_error(c);
	ev = request_record_json(&r);
	if (challenge != 0)
		json_object_set_new(ev, "challenge", json_integer(challenge));
	json_object_set(ev, "request", json_object_get(ev, "id"));
	json_object_set_new(ev, "hub", json_string(m->hub));
	json_object_del(ev, "id");
	json_object_del(ev, "received");
	json_object_del(ev, "state");
	json_object_del(ev, "posted");
	json_object_del(ev, "note");
	if (exlog_append(c->d->log, c->now, "request.posted", call_actor(c),
	        ev) != 0)
		return call_store_error(c);
	log_info("request %lld: %s asked for %lld g", (long long)r.id,
	    m->handle, (long long)r.grams);
	if (market_request_posted(c->d, &r, c->now) != 0)
		return call_store_error(c);
	return request_reply(c, &r);
}

static int
request_page_add(void *arg, const struct request *r)
{
	struct page *p = arg;

	p->last = r->id;
	return json_array_append_new(p->items, request_record_json(r));
}

int
h_request_list(struct call *c)
{
	struct store_filter f;
	struct page p;

	if (call_page_begin(c, &f, &p) != 0)
		return -1;
	return call_page_end(c, "requests", &f, &p,
	    store_request_list(c->d->store, &f, request_page_add, &p));
}

/* Loads the request named by the request's id. */
static int
request_load(struct call *c, struct request *r)
{
	json_int_t id = proto_arg_int(c->req, "request", 0);
	int rc;

	rc = store_request_get(c->d->store, id, r);
	if (rc < 0)
		return call_store_error(c);
	if (rc == 0)
		return call_fail(c, PROTO_NOT_FOUND, "no request %lld",
		    (long long)id);
	return 0;
}

int
h_request_show(struct call *c)
{
	struct request r;

	if (request_load(c, &r) != 0)
		return -1;
	return request_reply(c, &r);
}

int
h_request_cancel(struct call *c)
{
	const struct member *m = session_member(c->s);
	struct request r;

	if (request_load(c, &r) != 0)
		return -1;
	if (r.member != m->id)
		return call_fail(c, PROTO_FORBIDDEN,
		    "request %lld belongs to %s", (long long)r.id,
		    r.member_handle);
	if (r.state != REQUEST_OPEN)
		return call_fail(c, PROTO_CONFLICT,
		    "request %lld is %s, not open", (long long)r.id,
		    request_state_name(r.state));
	if (market_end_request(c->d, r.id, c->now) != 0 ||
	    store_request_set_state(c->d->store, r.id, REQUEST_CANCELLED) !=
	        0 ||
	    exlog_append(c->d->log, c->now, "request.cancelled", call_actor(c),
	        json_pack("{s:I, s:s}", "request", (json_int_t)r.id, "member",
	            r.member_handle)) != 0)
		return call_store_error(c);
	log_info("request %lld: cancelled by %s", (long long)r.id, m->handle);
	r.state = REQUEST_CANCELLED;
	return request_reply(c, &r);
}
