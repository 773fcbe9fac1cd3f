/*
 * demo.c: a small example network for newcomers (larderd --demo): five
 * member organisations in two hubs, and two of them already asking for
 * food, so an offer posted at once has somewhere to go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "larderd.h"
#include "log.h"
#include "token.h"

struct demo_member {
	const char *handle;
	const char *name;
	const char *hub;
	int people;
	unsigned storage;
	const char *catchment;
	int coordinator;
};

static const struct demo_member demo_members[] = {
    {"humdum", "HumDum Community Pantry", "barking", 120,
        STORAGE_AMBIENT | STORAGE_CHILLED, "IG11,RM9", 1},
    {"stmarys", "St Mary's Food Bank", "barking", 300,
        STORAGE_AMBIENT | STORAGE_CHILLED | STORAGE_FROZEN, "IG11,IG3", 0},
    {"gascoigne", "Gascoigne Youth Club", "barking", 40, STORAGE_AMBIENT,
        "IG11", 0},
    {"heathway", "Heathway Community Cafe", "dagenham", 80,
        STORAGE_AMBIENT | STORAGE_CHILLED, "RM8,RM9,RM10", 0},
    {"becontree", "Becontree Faith Kitchen", "dagenham", 150,
        STORAGE_AMBIENT | STORAGE_CHILLED | STORAGE_FROZEN, "RM8,RM10", 0},
};

/* Adds one demo member and prints its token. */
static int
demo_member(struct larderd *d, const struct demo_member *dm)
{
	struct member m;
	char token[TOKEN_LEN + 1];
	char *cause = NULL;

	memset(&m, 0, sizeof m);
	proto_copy(m.handle, sizeof m.handle, dm->handle);
	proto_copy(m.name, sizeof m.name, dm->name);
	proto_copy(m.hub, sizeof m.hub, dm->hub);
	proto_copy(m.catchment, sizeof m.catchment, dm->catchment);
	m.people = dm->people;
	m.storage = dm->storage;
	m.coordinator = dm->coordinator;
	if (member_create(d, &m, "admin", token, &cause) != 0) {
		log_error("demo: %s", cause);
		free(cause);
		return -1;
	}
	printf("  %-10s %-26s %s\n", m.handle, m.name, token);
	return 0;
}

/* Posts an open request for a demo member. */
static int
demo_request(struct larderd *d, const char *handle, const char *categories,
    int64_t grams, time_t by)
{
	struct request r;
	struct member m;

	if (store_member_by_handle(d->store, handle, &m) != 1)
		return -1;
	memset(&r, 0, sizeof r);
	r.member = m.id;
	proto_copy(r.member_handle, sizeof r.member_handle, handle);
	proto_copy(r.categories, sizeof r.categories, categories);
	r.storage = m.storage;
	r.grams = grams;
	r.window_start = r.posted = server_now(d);
	r.window_end = by;
	r.state = REQUEST_OPEN;
	if (store_request_insert(d->store, &r) != 0 ||
	    market_request_posted(d, &r, r.posted) != 0)
		return -1;
	return exlog_append(d->log, r.posted, "request.posted", "admin",
	    json_pack("{s:I, s:s, s:s, s:o, s:I, s:o, s:b}", "request",
	        (json_int_t)r.id, "member", handle, "hub", m.hub, "categories",
	        json_pack("[s]", categories), "grams", (json_int_t)grams, "by",
	        proto_time_json(by), "standing", 0));
}

/* Seeds the demo network once; on later starts says it is there. */
int
demo_seed(struct larderd *d, void *arg)
{
	time_t now = server_now(d);
	size_t i;

	(void)arg;
	if (store_member_count(d->store) > 0) {
		printf("demo: the network already has members; their tokens "
		       "were printed when it was seeded\n");
		return 0;
	}
	printf("demo: seeded an example network. Member tokens (shown only "
	       "now):\n");
	for (i = 0; i < sizeof demo_members / sizeof demo_members[0]; i++) {
		if (demo_member(d, &demo_members[i]) != 0)
			return -1;
	}
	if (demo_request(d, "stmarys", "bakery", 15000, now + 2 * 86400) != 0 ||
	    demo_request(d, "heathway", "produce", 8000, now + 86400) != 0)
		return -1;
	printf("demo: stmarys asks for 15 kg of bakery, heathway for 8 kg of "
	       "produce\n");
	fflush(stdout);
	return 0;
}
