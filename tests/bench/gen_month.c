/*
 * gen_month.c: writes a national-size month as a real larderd database:
 * members, requests, offers, allocations, collections and waste, each row
 * through the daemon's store and each event through its exchange log, so
 * the hash chain is real and `larder log verify` holds. Offers follow one
 * another through the month; every allocation is accepted half an hour
 * after it is proposed and collected five hours after the offer was
 * posted, and what nobody took expires as waste. Prints how long it took
 * and how many events it wrote.
 *
 *	gen_month [--offers N] [--members N] [--month YYYY-MM]
 *	    [--jsonl FILE] [--verify] DBPATH
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "digest.h"
#include "exlog.h"
#include "metrics.h"
#include "proto.h"
#include "store.h"

#define GEN_HOUR       3600
#define GEN_DAY        (24 * GEN_HOUR)
#define GEN_HUBS       100
#define GEN_CATEGORIES 10
#define GEN_ACCEPT     (30 * 60)       /* proposal to acceptance */
#define GEN_COLLECT    (5 * GEN_HOUR)  /* posting to collection */
#define GEN_EXPIRE     (10 * GEN_HOUR) /* posting to expiry, if food is left */
#define GEN_BATCH      50000           /* events in one transaction */
#define GEN_SPLIT      3               /* requests one offer is split across */
#define GEN_REQUESTS   4               /* open requests a member starts with */

/* The network's categories, how often each is offered (per mille). */
static const struct {
	const char *name;
	int weight;
	unsigned storage;
	int perishable;
} gen_cats[GEN_CATEGORIES] = {
    {"bakery", 250, STORAGE_AMBIENT, 1},
    {"produce", 300, STORAGE_AMBIENT, 1},
    {"dairy", 100, STORAGE_CHILLED, 1},
    {"meat", 40, STORAGE_CHILLED, 1},
    {"fish", 20, STORAGE_CHILLED, 1},
    {"prepared", 80, STORAGE_CHILLED, 1},
    {"dry", 100, STORAGE_AMBIENT, 0},
    {"frozen", 40, STORAGE_FROZEN, 0},
    {"drinks", 40, STORAGE_AMBIENT, 0},
    {"other", 30, STORAGE_AMBIENT, 0},
};

static const char *const gen_fallbacks[] = {"compost", "anaerobic_digestion",
    "animal_feed", "landfill"};

/* A member as the generator remembers it. */
struct gmember {
	int64_t id;
	char handle[STORE_HANDLE_MAX + 1];
	char hub[STORE_HANDLE_MAX + 1];
	unsigned storage;
	int64_t people;
};

/* A request: who, for what, and how much is still wanted. */
struct greq {
	int64_t id;
	size_t member;
	int64_t grams;
	int64_t wanted;
	int64_t received;
};

/* A list of request slots, one per category: who still wants food. */
struct gpool {
	size_t *slot;
	size_t n;
	size_t cap;
};

/* Something that happens to an allocation or an offer later on. */
struct gact {
	time_t at;
	struct allocation a;
	size_t req;
	int first;    /* the offer's first allocation */
	int last;     /* the offer's last allocation */
	int64_t left; /* grams of the offer nobody took */
	struct offer o;
};

/* A first-in, first-out queue: every act of a kind has the same delay. */
struct gqueue {
	struct gact *acts;
	size_t head;
	size_t n;
	size_t cap;
};

/* The generator's settings and state. */
struct gen {
	struct store *st;
	struct exlog *log;
	uint64_t rng;
	long offers;
	long nmembers;
	const char *month;
	const char *jsonl;
	const char *path;
	int verify;
	time_t from;
	time_t to;
	struct gmember *members;
	struct greq *reqs;
	size_t nreqs;
	size_t reqcap;
	struct gpool pools[GEN_CATEGORIES];
	struct gqueue accepts;
	struct gqueue collects;
	struct gqueue expiries;
	long events;
	long unclaimed;
	long allocations;
};

/* The wall clock, in seconds, for timing only. */
static double
gen_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A number from 0 to n - 1, from the generator's seeded sequence. */
static int64_t
gen_below(struct gen *g, int64_t n)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (int64_t)((g->rng * 0x2545f4914f6cdd1dULL >> 11) % (uint64_t)n);
}

/* A category drawn by how often it is offered. */
static int
gen_category(struct gen *g)
{
	int64_t x = gen_below(g, 1000);
	int i;

	for (i = 0; i < GEN_CATEGORIES - 1; i++) {
		if ((x -= gen_cats[i].weight) < 0)
			return i;
	}
	return GEN_CATEGORIES - 1;
}

/* Appends an event, committing and starting anew every batch. */
static int
gen_log(struct gen *g, time_t at, const char *kind, const char *actor,
    json_t *fields)
{
	if (exlog_append(g->log, at, kind, actor, fields) != 0) {
		fprintf(stderr, "gen_month: %s: %s\n", kind,
		    store_errmsg(g->st));
		return -1;
	}
	if (++g->events % GEN_BATCH == 0 &&
	    (store_commit(g->st) != 0 || store_begin(g->st) != 0)) {
		fprintf(stderr, "gen_month: commit: %s\n", store_errmsg(g->st));
		return -1;
	}
	return 0;
}

/* Adds one to a growing array; NULL when memory runs out. */
static void *
gen_grow(void *rows, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t want;

	if (n < *cap)
		return rows;
	want = *cap == 0 ? 1024 : *cap * 2;
	if ((p = realloc(rows, want * size)) == NULL)
		return NULL;
	*cap = want;
	return p;
}

/* Puts an act at the back of its queue. */
static int
gen_push(struct gqueue *q, const struct gact *act)
{
	struct gact *acts;

	if (q->head > 0 && q->n == q->cap) {
		memmove(q->acts, q->acts + q->head,
		    (q->n - q->head) * sizeof *q->acts);
		q->n -= q->head;
		q->head = 0;
	}
	if ((acts = gen_grow(q->acts, &q->cap, q->n, sizeof *acts)) == NULL)
		return -1;
	q->acts = acts;
	q->acts[q->n++] = *act;
	return 0;
}

/* The act at the front of a queue if it is due by t, or NULL. */
static struct gact *
gen_due(struct gqueue *q, time_t t)
{
	return q->head < q->n && q->acts[q->head].at <= t ? &q->acts[q->head]
	                                                  : NULL;
}

/* Registers member i, with its event. */
static int
gen_member(struct gen *g, long i, time_t at)
{
	struct gmember *gm = &g->members[i];
	unsigned char hash[DIGEST_LEN];
	struct member m;
	json_t *ev;

	memset(&m, 0, sizeof m);
	snprintf(gm->handle, sizeof gm->handle, "org%05ld", i + 1);
	snprintf(gm->hub, sizeof gm->hub, "hub%03d",
	    (int)gen_below(g, GEN_HUBS));
	gm->storage = STORAGE_AMBIENT;
	if (gen_below(g, 10) < 7)
		gm->storage |= STORAGE_CHILLED;
	if (gen_below(g, 10) < 3)
		gm->storage |= STORAGE_FROZEN;
	snprintf(m.handle, sizeof m.handle, "%s", gm->handle);
	snprintf(m.name, sizeof m.name, "Organisation %ld", i + 1);
	snprintf(m.hub, sizeof m.hub, "%s", gm->hub);
	snprintf(m.standing, sizeof m.standing, "good");
	m.storage = gm->storage;
	m.people = 10 + gen_below(g, 40) +
	    (gen_below(g, 10) == 0 ? gen_below(g, 900) : 0);
	m.joined = at;
	gm->people = m.people;
	if (digest_sha256(NULL, 0, m.handle, strlen(m.handle), hash) != 0 ||
	    store_member_insert(g->st, &m, hash) != 0)
		return -1;
	gm->id = m.id;
	ev = json_pack("{s:s, s:s, s:s, s:I, s:o, s:[], s:b}", "member",
	    m.handle, "name", m.name, "hub", m.hub, "people",
	    (json_int_t)m.people, "storage", storage_json(m.storage),
	    "catchment", "coordinator", 0);
	return gen_log(g, at, "member.joined", "admin", ev);
}

/* Adds request slot r to the pools of its categories. */
static int
gen_pool_add(struct gen *g, uint64_t cats, size_t r)
{
	struct gpool *p;
	size_t *slot;
	int c;

	for (c = 0; c < GEN_CATEGORIES; c++) {
		if (!(cats & (UINT64_C(1) << c)))
			continue;
		p = &g->pools[c];
		if ((slot = gen_grow(p->slot, &p->cap, p->n, sizeof *slot)) ==
		    NULL)
			return -1;
		p->slot = slot;
		p->slot[p->n++] = r;
	}
	return 0;
}

/* Posts a request of member i at time at: one to three categories. */
static int
gen_request(struct gen *g, size_t i, time_t at)
{
	struct gmember *gm = &g->members[i];
	struct greq *reqs;
	struct request r;
	json_t *cats, *ev;
	uint64_t bits = 0;
	char list[STORE_LIST_MAX + 1] = "";
	int c, n;

	n = 1 + (int)gen_below(g, 3);
	while (n-- > 0)
		bits |= UINT64_C(1) << gen_category(g);
	cats = json_array();
	for (c = 0; c < GEN_CATEGORIES; c++) {
		if (!(bits & (UINT64_C(1) << c)))
			continue;
		json_array_append_new(cats, json_string(gen_cats[c].name));
		snprintf(list + strlen(list), sizeof list - strlen(list),
		    "%s%s", list[0] != '\0' ? "," : "", gen_cats[c].name);
	}
	memset(&r, 0, sizeof r);
	r.member = gm->id;
	snprintf(r.member_handle, sizeof r.member_handle, "%s", gm->handle);
	snprintf(r.categories, sizeof r.categories, "%s", list);
	r.storage = gm->storage;
	r.grams = 20000 + gen_below(g, 180000);
	r.window_start = r.posted = at;
	r.window_end = at + 35 * GEN_DAY;
	r.state = REQUEST_OPEN;
	if (store_request_insert(g->st, &r) != 0) {
		json_decref(cats);
		return -1;
	}
	reqs = gen_grow(g->reqs, &g->reqcap, g->nreqs, sizeof *reqs);
	if (reqs == NULL) {
		json_decref(cats);
		return -1;
	}
	g->reqs = reqs;
	g->reqs[g->nreqs].id = r.id;
	g->reqs[g->nreqs].member = i;
	g->reqs[g->nreqs].grams = r.grams;
	g->reqs[g->nreqs].wanted = r.grams;
	g->reqs[g->nreqs].received = 0;
	if (gen_pool_add(g, bits, g->nreqs++) != 0) {
		json_decref(cats);
		return -1;
	}
	ev = json_pack("{s:I, s:s, s:o, s:o, s:I, s:o, s:b, s:s}", "request",
	    (json_int_t)r.id, "member", gm->handle, "categories", cats,
	    "storage", storage_json(r.storage), "grams", (json_int_t)r.grams,
	    "by", proto_time_json(r.window_end), "standing", 0, "hub", gm->hub);
	return gen_log(g, at, "request.posted", gm->handle, ev);
}

/*
 * Finds an open request of category c that another member than donor
 * can store food for; a few tries, dropping what wants nothing more.
 */
static struct greq *
gen_pick(struct gen *g, int c, size_t donor, unsigned storage)
{
	struct gpool *p = &g->pools[c];
	struct greq *r;
	size_t at;
	int tries;

	for (tries = 0; tries < 8 && p->n > 0; tries++) {
		at = (size_t)gen_below(g, (int64_t)p->n);
		r = &g->reqs[p->slot[at]];
		if (r->wanted <= 0) {
			p->slot[at] = p->slot[--p->n];
			continue;
		}
		if (r->member != donor &&
		    (g->members[r->member].storage & storage) != 0)
			return r;
	}
	return NULL;
}

/* Makes offer fields from a random donor: category, size, dates. */
static void
gen_offer_make(struct gen *g, time_t at, size_t donor, int nobody,
    struct offer *o)
{
	struct gmember *gm = &g->members[donor];
	int c = gen_category(g);
	time_t day = at - at % GEN_DAY;

	memset(o, 0, sizeof *o);
	o->donor = gm->id;
	snprintf(o->donor_handle, sizeof o->donor_handle, "%s", gm->handle);
	snprintf(o->category, sizeof o->category, "%s", gen_cats[c].name);
	snprintf(o->hub, sizeof o->hub, "%s", gm->hub);
	snprintf(o->fallback, sizeof o->fallback, "%s",
	    gen_fallbacks[gen_below(g, 4)]);
	o->storage = gen_cats[c].storage;
	if (gen_cats[c].perishable) {
		o->date_type = DATE_USE_BY;
		o->date = day + (1 + gen_below(g, 4)) * GEN_DAY + GEN_DAY - 60;
	} else {
		o->date_type = DATE_BEST_BEFORE;
		o->date = day + (30 + gen_below(g, 330)) * GEN_DAY;
	}
	o->grams = 500 + gen_below(g, 15000) +
	    (gen_below(g, 5) == 0 ? gen_below(g, 60000) : 0);
	o->remaining = o->grams;
	o->divisible = gen_below(g, 100) < 85;
	o->min_portion = o->divisible && o->grams > 1000 ? 1000 : o->grams;
	/* The collection window holds the collection, or ends at expiry. */
	o->window_start = at + (1 + gen_below(g, 4)) * GEN_HOUR;
	o->window_end = nobody
	    ? at + GEN_EXPIRE
	    : o->window_start + 4 * GEN_HOUR + gen_below(g, 4 * GEN_HOUR);
	if (o->window_end > at + GEN_EXPIRE)
		o->window_end = at + GEN_EXPIRE;
	o->deadline = o->window_end;
	o->state = OFFER_OPEN;
	o->posted = at;
}

/* Inserts an offer and logs it as h_offer.c does. */
static int
gen_offer_post(struct gen *g, struct offer *o)
{
	json_t *ev;

	if (store_offer_insert(g->st, o) != 0)
		return -1;
	ev = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:I, "
	               "s:b, s:o, s:s}",
	    "offer", (json_int_t)o->id, "member", o->donor_handle, "hub",
	    o->hub, "category", o->category, "storage",
	    storage_name(o->storage), "grams", (json_int_t)o->grams,
	    o->date_type == DATE_USE_BY ? "use_by" : "best_before",
	    proto_time_json(o->date), "window_start",
	    proto_time_json(o->window_start), "window_end",
	    proto_time_json(o->window_end), "min_portion",
	    (json_int_t)o->min_portion, "divisible", o->divisible, "deadline",
	    proto_time_json(o->deadline), "fallback", o->fallback);
	return gen_log(g, o->posted, "offer.posted", o->donor_handle, ev);
}

/* The fields every allocation event carries, as market.c writes them. */
static json_t *
gen_alloc_fields(const struct allocation *a)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I}", "allocation",
	    (json_int_t)a->id, "offer", (json_int_t)a->offer, "member",
	    a->member_handle, "donor", a->donor_handle, "grams",
	    (json_int_t)a->grams);
}

/* Proposes grams of offer o to request r, and queues its answer. */
static int
gen_propose(struct gen *g, const struct offer *o, struct greq *r, int64_t grams,
    int first, int last, int64_t left)
{
	struct gact act;
	struct allocation *a = &act.a;
	json_t *ev;

	memset(&act, 0, sizeof act);
	a->offer = o->id;
	a->request = r->id;
	a->member = g->members[r->member].id;
	a->grams = grams;
	a->charge = grams;
	a->state = ALLOC_PROPOSED;
	a->respond_by = o->posted + GEN_ACCEPT * 2;
	a->created = o->posted;
	if (store_alloc_insert(g->st, a,
	        "{\"policy\":\"fairshare\",\"why\":\"gen_month\"}") != 0)
		return -1;
	snprintf(a->member_handle, sizeof a->member_handle, "%s",
	    g->members[r->member].handle);
	snprintf(a->donor_handle, sizeof a->donor_handle, "%s",
	    o->donor_handle);
	snprintf(a->hub, sizeof a->hub, "%s", o->hub);
	snprintf(a->category, sizeof a->category, "%s", o->category);
	a->donor = o->donor;
	ev = gen_alloc_fields(a);
	json_object_update_new(ev,
	    json_pack("{s:I, s:s, s:s, s:o, s:I, s:n}", "request",
	        (json_int_t)r->id, "hub", a->hub, "category", a->category,
	        "respond_by", proto_time_json(a->respond_by), "charge",
	        (json_int_t)a->charge, "challenge"));
	if (gen_log(g, o->posted, "allocation.proposed", "larderd", ev) != 0)
		return -1;
	r->wanted -= grams;
	g->allocations++;
	act.at = o->posted + GEN_ACCEPT;
	act.req = (size_t)(r - g->reqs);
	act.first = first;
	act.last = last;
	act.left = left;
	act.o = *o;
	return gen_push(&g->accepts, &act);
}

/* Splits offer o across the requests that want its category. */
static int
gen_allocate(struct gen *g, struct offer *o, size_t donor, int nobody)
{
	struct greq *picked[GEN_SPLIT];
	int64_t grams[GEN_SPLIT], left = o->grams;
	struct gact act;
	int c, i, n = 0;

	for (c = 0; c < GEN_CATEGORIES; c++) {
		if (strcmp(gen_cats[c].name, o->category) == 0)
			break;
	}
	while (!nobody && left > 0 && n < GEN_SPLIT) {
		if ((picked[n] = gen_pick(g, c, donor, o->storage)) == NULL)
			break;
		grams[n] = o->divisible && picked[n]->wanted < left
		    ? picked[n]->wanted
		    : left;
		/* Never a slice below the smallest portion. */
		if (grams[n] < o->min_portion)
			grams[n] = left;
		left -= grams[n];
		picked[n]->wanted -= grams[n];
		n++;
	}
	for (i = 0; i < n; i++) {
		picked[i]->wanted += grams[i];
		if (gen_propose(g, o, picked[i], grams[i], i == 0, i == n - 1,
		        left) != 0)
			return -1;
	}
	if (left != o->grams &&
	    store_offer_set_remaining(g->st, o->id, left) != 0)
		return -1;
	if (left == 0)
		return 0;
	memset(&act, 0, sizeof act);
	act.at = o->posted + GEN_EXPIRE;
	act.left = left;
	act.o = *o;
	return gen_push(&g->expiries, &act);
}

/* A proposal is accepted; the offer is allocated once all of it is. */
static int
gen_accept(struct gen *g, struct gact *act)
{
	struct allocation *a = &act->a;
	struct greq *r = &g->reqs[act->req];
	json_t *ev;

	a->state = ALLOC_ACCEPTED;
	a->decided = act->at;
	if (store_alloc_update(g->st, a) != 0)
		return -1;
	ev = gen_alloc_fields(a);
	json_object_set_new(ev, "charge", json_integer(a->charge));
	if (gen_log(g, act->at, "allocation.accepted", a->member_handle, ev) !=
	    0)
		return -1;
	if (act->last && act->left == 0 &&
	    (store_offer_set_state(g->st, a->offer, OFFER_ALLOCATED) != 0 ||
	        gen_log(g, act->at, "offer.allocated", "larderd",
	            json_pack("{s:I, s:s}", "offer", (json_int_t)a->offer,
	                "member", a->donor_handle)) != 0))
		return -1;
	/* A request that will be met makes room for the member's next. */
	if (r->wanted <= 0 && r->wanted + a->grams > 0 &&
	    gen_request(g, r->member, act->at) != 0)
		return -1;
	act->at = act->o.posted + GEN_COLLECT;
	return gen_push(&g->collects, act);
}

/* Records waste of grams, by member m or the daemon for an offer. */
static int
gen_waste(struct gen *g, time_t at, const struct gmember *m, int64_t offer,
    int64_t grams, const char *destination, const char *cause)
{
	struct waste w;

	memset(&w, 0, sizeof w);
	w.member = m->id;
	w.offer = offer;
	w.grams = grams;
	snprintf(w.destination, sizeof w.destination, "%s", destination);
	snprintf(w.cause, sizeof w.cause, "%s", cause);
	w.at = at;
	if (store_waste_insert(g->st, &w) != 0)
		return -1;
	return gen_log(g, at, "waste.recorded",
	    offer > 0 ? "larderd" : m->handle,
	    json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:o}", "waste",
	        (json_int_t)w.id, "member", m->handle, "hub", m->hub, "grams",
	        (json_int_t)grams, "destination", destination, "cause", cause,
	        "offer", offer > 0 ? json_integer(offer) : json_null()));
}

/* The member collects, nearly always what was matched; rows follow. */
static int
gen_collect(struct gen *g, struct gact *act)
{
	struct allocation *a = &act->a;
	struct greq *r = &g->reqs[act->req];
	struct gmember *m = &g->members[r->member];
	int64_t grams = a->grams;
	json_t *ev;

	if (gen_below(g, 10) == 0)
		grams -= grams * gen_below(g, 5) / 100;
	a->state = ALLOC_COLLECTED;
	a->collected_grams = grams;
	a->member_confirmed = 1;
	if (store_alloc_update(g->st, a) != 0 ||
	    store_request_add_received(g->st, r->id, grams) != 0)
		return -1;
	r->received += grams;
	ev = gen_alloc_fields(a);
	json_object_update_new(ev,
	    json_pack("{s:I, s:s, s:s, s:I, s:s}", "request", (json_int_t)r->id,
	        "hub", a->hub, "category", a->category, "grams",
	        (json_int_t)grams, "confirmed_by", "member"));
	if (gen_log(g, act->at, "allocation.collected", m->handle, ev) != 0)
		return -1;
	if (r->received >= r->grams && r->received - grams < r->grams &&
	    (store_request_set_state(g->st, r->id, REQUEST_FULFILLED) != 0 ||
	        gen_log(g, act->at, "request.fulfilled", m->handle,
	            json_pack("{s:I, s:s}", "request", (json_int_t)r->id,
	                "member", m->handle)) != 0))
		return -1;
	if (act->last && act->left == 0 &&
	    (store_offer_set_state(g->st, a->offer, OFFER_CLOSED) != 0 ||
	        gen_log(g, act->at, "offer.closed", "larderd",
	            json_pack("{s:I, s:s}", "offer", (json_int_t)a->offer,
	                "member", a->donor_handle)) != 0))
		return -1;
	/* Some of what is collected spoils before it is eaten. */
	if (gen_below(g, 40) == 0)
		return gen_waste(g, act->at, m, 0, 1 + grams / 10, "compost",
		    "spoiled");
	return 0;
}

/* An offer reaches its deadline with food left: it expires, as waste. */
static int
gen_expire(struct gen *g, struct gact *act)
{
	struct offer *o = &act->o;
	size_t i = (size_t)(o->donor - g->members[0].id);

	g->unclaimed++;
	if (store_offer_set_state(g->st, o->id, OFFER_EXPIRED) != 0 ||
	    store_offer_set_remaining(g->st, o->id, 0) != 0 ||
	    gen_log(g, act->at, "offer.expired", "larderd",
	        json_pack("{s:I, s:s, s:s, s:s, s:I}", "offer",
	            (json_int_t)o->id, "member", o->donor_handle, "hub", o->hub,
	            "category", o->category, "grams", (json_int_t)act->left)) !=
	        0)
		return -1;
	return gen_waste(g, act->at, &g->members[i], o->id, act->left,
	    o->fallback, "unclaimed");
}

/* Does, in time order, everything due by t. */
static int
gen_until(struct gen *g, time_t t)
{
	struct gact *a, *c, *x, act;
	int rc = 0;

	for (;;) {
		a = gen_due(&g->accepts, t);
		c = gen_due(&g->collects, t);
		x = gen_due(&g->expiries, t);
		if (a != NULL && (c == NULL || a->at <= c->at) &&
		    (x == NULL || a->at <= x->at)) {
			act = *a;
			g->accepts.head++;
			rc = gen_accept(g, &act);
		} else if (c != NULL && (x == NULL || c->at <= x->at)) {
			act = *c;
			g->collects.head++;
			rc = gen_collect(g, &act);
		} else if (x != NULL) {
			act = *x;
			g->expiries.head++;
			rc = gen_expire(g, &act);
		} else
			return 0;
		if (rc != 0)
			return -1;
	}
}

/* Every member reports the people it fed, each Monday morning. */
static int
gen_people(struct gen *g, time_t at)
{
	time_t week = at - at % GEN_DAY;
	long i;
	int64_t people;

	for (i = 0; i < g->nmembers; i++) {
		people = g->members[i].people + gen_below(g, 11) - 5;
		if (people < 0)
			people = 0;
		if (store_people_report(g->st, g->members[i].id, week, people,
		        at) != 0 ||
		    gen_log(g, at, "people.reported", g->members[i].handle,
		        json_pack("{s:s, s:s, s:o, s:I}", "member",
		            g->members[i].handle, "hub", g->members[i].hub,
		            "week", proto_time_json(week), "people",
		            (json_int_t)people)) != 0)
			return -1;
	}
	return 0;
}

/* The members join before the month and ask for food the day before. */
static int
gen_network(struct gen *g)
{
	time_t at = g->from - 40 * GEN_DAY;
	long i, k;

	for (i = 0; i < g->nmembers; i++) {
		if (gen_member(g, i, at + i * 30) != 0)
			return -1;
	}
	at = g->from - GEN_DAY;
	for (k = 0; k < GEN_REQUESTS; k++) {
		for (i = 0; i < g->nmembers; i++) {
			if (gen_request(g, (size_t)i,
			        at + (k * g->nmembers + i) * 2) != 0)
				return -1;
		}
	}
	return 0;
}

/* Posts the month's offers, one after another, and all that follows. */
static int
gen_offers(struct gen *g)
{
	double step =
	    (double)(g->to - g->from - GEN_EXPIRE) / (double)g->offers;
	struct offer o;
	size_t donor;
	time_t at, report;
	long i;
	int nobody;

	/* The first Monday of the month at nine; 1 Jan 1970 was a Thursday. */
	report = g->from - g->from % GEN_DAY;
	report += ((7 - (report / GEN_DAY + 3) % 7) % 7) * GEN_DAY;
	report += 9 * GEN_HOUR;
	for (i = 0; i < g->offers; i++) {
		at = g->from + (time_t)((double)i * step);
		for (; report <= at; report += 7 * GEN_DAY) {
			if (gen_until(g, report) != 0 ||
			    gen_people(g, report) != 0)
				return -1;
		}
		if (gen_until(g, at) != 0)
			return -1;
		donor = (size_t)gen_below(g, g->nmembers);
		nobody = gen_below(g, 100) < 8;
		gen_offer_make(g, at, donor, nobody, &o);
		if (gen_offer_post(g, &o) != 0 ||
		    gen_allocate(g, &o, donor, nobody) != 0)
			return -1;
	}
	return gen_until(g, g->to);
}

/* Where an export is going, and how far it has come. */
struct gexport {
	FILE *f;
	int64_t last;
	int rows;
};

/* Writes one event as `larder log export` does, one JSON a line. */
static int
gen_export_one(void *arg, const struct store_event *ev)
{
	struct gexport *x = arg;
	json_t *obj = exlog_export(ev);
	int rc;

	if (obj == NULL)
		return -1;
	rc = json_dumpf(obj, x->f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	x->last = ev->seq;
	x->rows++;
	return rc == 0 && fputc('\n', x->f) != EOF ? 0 : -1;
}

/* Exports the log to path, page by page. */
static int
gen_export(struct gen *g, const char *path)
{
	struct gexport x = {NULL, 0, 0};
	int rc = 0;

	if ((x.f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "gen_month: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		x.rows = 0;
		if (store_event_scan(g->st, x.last, 4096, gen_export_one, &x) !=
		    0)
			rc = -1;
	} while (rc == 0 && x.rows == 4096);
	if (fclose(x.f) != 0)
		rc = -1;
	return rc;
}

/* Recomputes the hash chain as `larder log verify` has the daemon do. */
static int
gen_verify(struct gen *g)
{
	struct exlog_check check;
	double t0 = gen_seconds();

	if (exlog_verify(g->st, &check) != 0 || check.bad_seq != 0) {
		fprintf(stderr,
		    "gen_month: the chain breaks at event %lld: %s\n",
		    (long long)check.bad_seq, check.reason);
		return -1;
	}
	printf("verify    OK: %lld events, the chain holds (%.1f s)\n",
	    (long long)check.events, gen_seconds() - t0);
	return 0;
}

/* Reads the command line; 0, or -1 after printing the usage. */
static int
gen_args(int argc, char **argv, struct gen *g)
{
	int i;

	g->offers = 1000000;
	g->nmembers = 10000;
	g->month = "2026-11";
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--offers") == 0)
			g->offers = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--members") == 0)
			g->nmembers = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--month") == 0)
			g->month = argv[i + 1];
		else if (strcmp(argv[i], "--jsonl") == 0)
			g->jsonl = argv[i + 1];
		else if (strcmp(argv[i], "--verify") == 0) {
			g->verify = 1;
			i--;
		} else
			break;
	}
	g->path = i == argc - 1 ? argv[i] : NULL;
	if (g->path == NULL || g->offers < 1 || g->nmembers < 2 ||
	    metrics_month(g->month, &g->from, &g->to) != 0) {
		fprintf(stderr,
		    "usage: gen_month [--offers N] [--members N] "
		    "[--month YYYY-MM] [--jsonl FILE] [--verify] DBPATH\n");
		return -1;
	}
	return 0;
}

/* Opens a new database at the path; one that exists is left alone. */
static int
gen_open(struct gen *g)
{
	struct stat sb;
	char *cause = NULL;

	if (stat(g->path, &sb) == 0) {
		fprintf(stderr, "gen_month: %s exists; give a new path\n",
		    g->path);
		return -1;
	}
	if ((g->st = store_open(g->path, 0, &cause)) == NULL ||
	    (g->log = exlog_open(g->st, &cause)) == NULL) {
		fprintf(stderr, "gen_month: %s\n", cause);
		free(cause);
		return -1;
	}
	g->members = calloc((size_t)g->nmembers, sizeof *g->members);
	if (g->members == NULL)
		return -1;
	store_meta_set(g->st, "network_name", "gen_month national network");
	return store_begin(g->st);
}

static void
gen_free(struct gen *g)
{
	int c;

	exlog_free(g->log);
	store_close(g->st);
	for (c = 0; c < GEN_CATEGORIES; c++)
		free(g->pools[c].slot);
	free(g->accepts.acts);
	free(g->collects.acts);
	free(g->expiries.acts);
	free(g->reqs);
	free(g->members);
}

int
main(int argc, char **argv)
{
	struct gen g;
	double t0, t1, t2;
	int rc = 1;

	memset(&g, 0, sizeof g);
	g.rng = 0x67656e5f6d6f6e74ULL;
	if (gen_args(argc, argv, &g) != 0)
		return 2;
	t0 = gen_seconds();
	if (gen_open(&g) != 0 || gen_network(&g) != 0 || gen_offers(&g) != 0 ||
	    store_commit(g.st) != 0) {
		fprintf(stderr, "gen_month: failed: %s\n",
		    g.st != NULL ? store_errmsg(g.st) : "no database");
		goto out;
	}
	t1 = gen_seconds();
	if (g.jsonl != NULL && gen_export(&g, g.jsonl) != 0)
		goto out;
	t2 = gen_seconds();
	if (g.verify && gen_verify(&g) != 0)
		goto out;
	printf("month     %s: %ld members, %ld offers, %zu requests, "
	       "%ld allocations, %ld offers expired with food left\n",
	    g.month, g.nmembers, g.offers, g.nreqs, g.allocations, g.unclaimed);
	printf("database  %s: %ld events in %.1f s, %.0f events/s\n", g.path,
	    g.events, t1 - t0, (double)g.events / (t1 - t0));
	if (g.jsonl != NULL)
		printf("export    %s in %.1f s\n", g.jsonl, t2 - t1);
	printf("figure: gen_events %ld events\n", g.events);
	printf("figure: gen_offers %ld offers\n", g.offers);
	printf("figure: gen_seconds %.1f s\n", t1 - t0);
	printf("figure: gen_events_per_s %.0f events/s\n",
	    (double)g.events / (t1 - t0));
	if (g.jsonl != NULL)
		printf("figure: gen_export_seconds %.1f s\n", t2 - t1);
	rc = 0;
out:
	gen_free(&g);
	return rc;
}
