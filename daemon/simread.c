/*
 * simread.c: the exchange log's member.joined, request.posted and
 * offer.posted events as the engine's rows (see simread.h). What an
 * event lacks reads as zero or empty; the readers say whether what is
 * left can be replayed at all.
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "simread.h"
#include "store.h"

int
sim_names_init(struct sim_names *n)
{
	n->handles = json_object();
	n->categories = json_object();
	return n->handles != NULL && n->categories != NULL ? 0 : -1;
}

void
sim_names_free(struct sim_names *n)
{
	json_decref(n->handles);
	json_decref(n->categories);
	n->handles = n->categories = NULL;
}

/* The member id of a handle, or 0 for none or one never joined. */
int64_t
sim_member(const struct sim_names *n, const char *handle)
{
	return handle != NULL
	    ? json_integer_value(json_object_get(n->handles, handle))
	    : 0;
}

/* An event's string field, or NULL. */
const char *
sim_str(const json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

/* An event's time field, or 0 when absent or not a time. */
time_t
sim_time(const json_t *ev, const char *key)
{
	const char *s = sim_str(ev, key);
	time_t t;

	return s != NULL && proto_time_parse(s, &t) == 0 ? t : 0;
}

/* The index of a category, numbered on first sight; -1 past 64. */
static int
sim_category(struct sim_names *n, const char *name)
{
	size_t count = json_object_size(n->categories);
	json_t *i;

	if (name == NULL)
		return -1;
	if ((i = json_object_get(n->categories, name)) != NULL)
		return (int)json_integer_value(i);
	if (count >= ENGINE_MAX_CATEGORIES)
		return -1;
	json_object_set_new(n->categories, name,
	    json_integer((json_int_t)count));
	return (int)count;
}

/*
 * Reads a member.joined event into m under id, and names its handle.
 * Returns 0 for an event without a handle, or with one already joined.
 */
int
sim_read_member(struct sim_names *n, const json_t *ev, int64_t id,
    struct engine_member *m)
{
	const char *h = sim_str(ev, "member");

	if (h == NULL || json_object_get(n->handles, h) != NULL)
		return 0;
	memset(m, 0, sizeof *m);
	m->id = id;
	proto_copy(m->handle, sizeof m->handle, h);
	proto_copy(m->hub, sizeof m->hub,
	    sim_str(ev, "hub") != NULL ? sim_str(ev, "hub") : "");
	m->people = json_integer_value(json_object_get(ev, "people"));
	m->storage = storage_mask(json_object_get(ev, "storage"));
	json_object_set_new(n->handles, h, json_integer(m->id));
	return 1;
}

/*
 * Reads a request.posted event at time at into r. Returns 0 for one
 * that cannot be replayed: no id, no known member, or nothing wanted.
 */
int
sim_read_request(struct sim_names *n, const json_t *ev, time_t at,
    struct engine_request *r)
{
	json_t *c;
	size_t i;
	int k;

	memset(r, 0, sizeof *r);
	r->id = json_integer_value(json_object_get(ev, "request"));
	r->member = sim_member(n, sim_str(ev, "member"));
	json_array_foreach(json_object_get(ev, "categories"), i, c)
	{
		if ((k = sim_category(n, json_string_value(c))) >= 0)
			r->categories |= UINT64_C(1) << k;
	}
	r->storage = storage_mask(json_object_get(ev, "storage"));
	r->window_start = r->posted = at;
	r->window_end = sim_time(ev, "by");
	r->wanted = json_integer_value(json_object_get(ev, "grams"));
	return r->id > 0 && r->member != 0 && r->wanted > 0;
}

/*
 * Reads an offer.posted event at time at into o. Without a deadline of
 * its own, an offer must be gone by its window's end, or margin seconds
 * before its use-by date if that comes first. Returns 0 for one that
 * cannot be replayed: no id, no known donor, no category, or no food.
 */
int
sim_read_offer(struct sim_names *n, const json_t *ev, time_t at, time_t margin,
    struct engine_offer *o)
{
	time_t use_by = sim_time(ev, "use_by");

	memset(o, 0, sizeof *o);
	o->id = json_integer_value(json_object_get(ev, "offer"));
	o->donor = sim_member(n, sim_str(ev, "member"));
	proto_copy(o->hub, sizeof o->hub,
	    sim_str(ev, "hub") != NULL ? sim_str(ev, "hub") : "");
	o->category = sim_category(n, sim_str(ev, "category"));
	o->storage = storage_mask(json_object_get(ev, "storage"));
	o->window_start = sim_time(ev, "window_start");
	o->window_end = sim_time(ev, "window_end");
	o->deadline = sim_time(ev, "deadline");
	if (o->deadline == 0)
		o->deadline = use_by != 0 && use_by - margin < o->window_end
		    ? use_by - margin
		    : o->window_end;
	o->posted = at;
	o->free = json_integer_value(json_object_get(ev, "grams"));
	o->min_portion = json_integer_value(json_object_get(ev, "min_portion"));
	o->divisible = json_is_true(json_object_get(ev, "divisible"));
	if (o->id <= 0 || o->donor == 0 || o->category < 0 || o->free <= 0)
		return 0;
	if (o->min_portion <= 0 || !o->divisible)
		o->min_portion = o->free;
	return 1;
}
