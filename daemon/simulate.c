/*
 * simulate.c: replays the offers and requests of a period through a fresh
 * engine under the rules given. Members are assumed to accept every
 * proposal at once and collect it in full, and an offer open to claims
 * goes to the earliest request it fits: the simulation shows where the
 * rules send food, not how people answer. What actually happened is
 * measured the same way from the log, so the two sit side by side.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "proto.h"
#include "simulate.h"

#define SIM_MAX_MEMBERS 100000

/* A replay in progress. */
struct sim {
	struct engine *e;
	json_t *handles;    /* handle -> member id */
	json_t *categories; /* category -> index */
	int64_t *received;  /* by member id */
	int64_t *given;
	int64_t *people;
	char *active;
	int64_t nmembers;
	json_t *open; /* offer ids open in the engine */
	struct sim_outcome *out;
};

static time_t
sim_time(const json_t *ev, const char *key)
{
	const char *s = json_string_value(json_object_get(ev, key));
	time_t t;

	return s != NULL && proto_time_parse(s, &t) == 0 ? t : 0;
}

static const char *
sim_str(const json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

/* The member id of a handle, or 0. */
static int64_t
sim_member(struct sim *s, const char *handle)
{
	return handle != NULL
	    ? json_integer_value(json_object_get(s->handles, handle))
	    : 0;
}

/* The index of a category, numbered on first sight; -1 past 64. */
static int
sim_category(struct sim *s, const char *name)
{
	json_t *i;
	size_t n = json_object_size(s->categories);

	if (name == NULL)
		return -1;
	if ((i = json_object_get(s->categories, name)) != NULL)
		return (int)json_integer_value(i);
	if (n >= ENGINE_MAX_CATEGORIES)
		return -1;
	json_object_set_new(s->categories, name, json_integer((json_int_t)n));
	return (int)n;
}

/* Reads a list of storage words into STORAGE_* bits. */
static unsigned
sim_storage(const json_t *v)
{
	unsigned bits = 0, bit;
	json_t *w;
	size_t i;

	if (json_is_string(v))
		return storage_parse(json_string_value(v), &bit) == 0 ? bit : 0;
	json_array_foreach(v, i, w)
	{
		if (storage_parse(json_string_value(w), &bit) == 0)
			bits |= bit;
	}
	return bits;
}

/* Registers a member from its member.joined event. */
static int
sim_join(struct sim *s, const json_t *ev)
{
	struct engine_member m;
	const char *h = sim_str(ev, "member");

	if (h == NULL || json_object_get(s->handles, h) != NULL ||
	    s->nmembers >= SIM_MAX_MEMBERS)
		return 0;
	memset(&m, 0, sizeof m);
	m.id = ++s->nmembers;
	snprintf(m.handle, sizeof m.handle, "%s", h);
	snprintf(m.hub, sizeof m.hub, "%s",
	    sim_str(ev, "hub") != NULL ? sim_str(ev, "hub") : "");
	m.people = json_integer_value(json_object_get(ev, "people"));
	m.storage = sim_storage(json_object_get(ev, "storage"));
	json_object_set_new(s->handles, h, json_integer(m.id));
	s->people[m.id] = m.people;
	return engine_member_put(s->e, &m);
}

static int sim_claims(struct sim *, int64_t, time_t);

/* Accepts every proposal at once and grants claims to the first fit. */
static int
sim_settle(struct sim *s, struct engine_out *out, time_t now)
{
	struct engine_out more;
	struct engine_offer *o;
	size_t i;

	for (i = 0; i < out->nproposals; i++) {
		engine_out_init(&more);
		if (engine_answer(s->e, out->proposals[i].offer,
		        out->proposals[i].member, ANSWER_ACCEPTED, now,
		        &more) != 0)
			return -1;
		engine_out_clear(&more);
		o = engine_offer_get(s->e, out->proposals[i].offer);
		s->received[out->proposals[i].member] +=
		    out->proposals[i].grams;
		if (o != NULL)
			s->given[o->donor] += out->proposals[i].grams;
		s->out->shared += out->proposals[i].grams;
	}
	for (i = 0; i < out->nflashed; i++) {
		if (sim_claims(s, out->flashed[i], now) != 0)
			return -1;
	}
	return 0;
}

/* The member whose earliest fitting request is the earliest of all. */
static int64_t
sim_first_claimer(struct sim *s, const struct engine_offer *o)
{
	struct engine_request *rs = s->e->requests.rows;
	const struct engine_member *m;
	time_t best = 0;
	int64_t who = 0;
	size_t i;

	for (i = 0; i < s->e->requests.n; i++) {
		m = engine_member_find(s->e, rs[i].member);
		if (m == NULL || !engine_feasible(s->e, o, &rs[i], m))
			continue;
		if (who == 0 || rs[i].posted < best) {
			who = m->id;
			best = rs[i].posted;
		}
	}
	return who;
}

/* Grants an offer open to claims, piece by piece, to the first fits. */
static int
sim_claims(struct sim *s, int64_t offer, time_t now)
{
	struct engine_out out;
	struct engine_offer *o;
	int64_t who;
	char *cause = NULL;
	int rc = 0;

	while (rc == 0 && (o = engine_offer_get(s->e, offer)) != NULL &&
	    o->free > 0 && (who = sim_first_claimer(s, o)) != 0) {
		engine_out_init(&out);
		if (engine_claim(s->e, offer, who, 0, now, &out, &cause) != 0) {
			free(cause);
			return 0;
		}
		s->received[who] += out.proposals[0].grams;
		s->given[o->donor] += out.proposals[0].grams;
		s->out->shared += out.proposals[0].grams;
		engine_out_clear(&out);
	}
	return rc;
}

/* Lets the engine act at time t, and settles what it decided. */
static int
sim_tick(struct sim *s, time_t t)
{
	struct engine_out out;
	int rc;

	engine_out_init(&out);
	rc = engine_tick(s->e, t, &out) == 0 ? sim_settle(s, &out, t) : -1;
	engine_out_clear(&out);
	return rc;
}

/* The open offer with the earliest deadline not after t, or NULL. */
static struct engine_offer *
sim_next_deadline(struct sim *s, time_t t)
{
	struct engine_offer *os = s->e->offers.rows, *best = NULL;
	size_t i;

	for (i = 0; i < s->e->offers.n; i++) {
		if (os[i].deadline <= t &&
		    (best == NULL || os[i].deadline < best->deadline))
			best = &os[i];
	}
	return best;
}

/* Closes every offer and request whose time has come by t. */
static int
sim_deadlines(struct sim *s, time_t t)
{
	struct engine_request *rs;
	struct engine_offer *o;
	int64_t id;
	size_t i;

	while ((o = sim_next_deadline(s, t)) != NULL) {
		id = o->id;
		if (sim_tick(s, o->deadline) != 0)
			return -1;
		if ((o = engine_offer_get(s->e, id)) != NULL)
			s->out->unclaimed += o->free;
		engine_offer_drop(s->e, id);
	}
	rs = s->e->requests.rows;
	for (i = 0; i < s->e->requests.n;) {
		if (rs[i].window_end <= t)
			engine_request_drop(s->e, rs[i].id);
		else
			i++;
	}
	return 0;
}

/* Adds a request as it was posted. */
static int
sim_request(struct sim *s, const json_t *ev, time_t at)
{
	struct engine_request r;
	struct engine_out out;
	json_t *c;
	size_t i;
	int k, rc;

	memset(&r, 0, sizeof r);
	r.id = json_integer_value(json_object_get(ev, "request"));
	r.member = sim_member(s, sim_str(ev, "member"));
	json_array_foreach(json_object_get(ev, "categories"), i, c)
	{
		if ((k = sim_category(s, json_string_value(c))) >= 0)
			r.categories |= UINT64_C(1) << k;
	}
	r.storage = sim_storage(json_object_get(ev, "storage"));
	r.window_start = r.posted = at;
	r.window_end = sim_time(ev, "by");
	r.wanted = json_integer_value(json_object_get(ev, "grams"));
	if (r.id <= 0 || r.member == 0 || r.wanted <= 0)
		return 0;
	s->active[r.member] = 1;
	if (engine_request_put(s->e, &r) != 0)
		return -1;
	/* As in larderd: the request's categories are revisited. */
	engine_out_init(&out);
	rc = engine_request_posted(s->e, r.id, at, &out) == 0
	    ? sim_settle(s, &out, at)
	    : -1;
	engine_out_clear(&out);
	return rc;
}

/* When an offer must be gone, from its posted fields. */
static time_t
sim_deadline(struct sim *s, const json_t *ev)
{
	time_t t = sim_time(ev, "deadline"), use_by = sim_time(ev, "use_by");
	time_t end = sim_time(ev, "window_end");

	if (t != 0)
		return t;
	if (use_by != 0 && use_by - s->e->rules.margin < end)
		return use_by - s->e->rules.margin;
	return end;
}

/* Posts an offer as it was posted, and settles what the policy does. */
static int
sim_offer(struct sim *s, const json_t *ev, time_t at)
{
	struct engine_out out;
	struct engine_offer o;
	int rc;

	memset(&o, 0, sizeof o);
	o.id = json_integer_value(json_object_get(ev, "offer"));
	o.donor = sim_member(s, sim_str(ev, "member"));
	snprintf(o.hub, sizeof o.hub, "%s",
	    sim_str(ev, "hub") != NULL ? sim_str(ev, "hub") : "");
	o.category = sim_category(s, sim_str(ev, "category"));
	o.storage = sim_storage(json_object_get(ev, "storage"));
	o.window_start = sim_time(ev, "window_start");
	o.window_end = sim_time(ev, "window_end");
	o.deadline = sim_deadline(s, ev);
	o.posted = at;
	o.free = json_integer_value(json_object_get(ev, "grams"));
	o.min_portion = json_integer_value(json_object_get(ev, "min_portion"));
	o.divisible = json_is_true(json_object_get(ev, "divisible"));
	if (o.id <= 0 || o.donor == 0 || o.category < 0 || o.free <= 0)
		return 0;
	if (o.min_portion <= 0 || !o.divisible)
		o.min_portion = o.free;
	s->out->offered += o.free;
	s->active[o.donor] = 1;
	if (engine_offer_put(s->e, &o) != 0)
		return -1;
	engine_out_init(&out);
	rc = engine_offer_posted(s->e, o.id, at, &out) == 0
	    ? sim_settle(s, &out, at)
	    : -1;
	engine_out_clear(&out);
	return rc;
}

static int
sim_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Counts the members that took part and those that received more than
 * they gave, and the Gini coefficient of grams received per person of
 * need over the members that took part and declared a need.
 */
static void
sim_finish(struct sim_outcome *out, int64_t n, const char *active,
    const int64_t *received, const int64_t *given, const int64_t *people)
{
	double *x = calloc((size_t)n + 1, sizeof *x), sum = 0, w = 0;
	size_t k = 0, i;
	int64_t id;

	for (id = 1; id <= n; id++) {
		if (!active[id])
			continue;
		out->members++;
		out->recipients += received[id] > given[id];
		if (people[id] > 0 && x != NULL)
			x[k++] = (double)received[id] / (double)people[id];
	}
	if (x != NULL)
		qsort(x, k, sizeof *x, sim_cmp_double);
	for (i = 0; x != NULL && i < k; i++) {
		sum += x[i];
		w += (double)(i + 1) * x[i];
	}
	out->gini_need = sum > 0
	    ? 2 * w / ((double)k * sum) - ((double)k + 1) / (double)k
	    : 0;
	free(x);
}

/* Sets up an empty replay over the members the events name. */
static int
sim_init(struct sim *s, const json_t *events, const struct engine_rules *r,
    struct sim_outcome *out, char **cause)
{
	size_t n = json_array_size(events) + 2;

	memset(s, 0, sizeof *s);
	memset(out, 0, sizeof *out);
	s->out = out;
	s->handles = json_object();
	s->categories = json_object();
	s->received = calloc(n, sizeof *s->received);
	s->given = calloc(n, sizeof *s->given);
	s->people = calloc(n, sizeof *s->people);
	s->active = calloc(n, 1);
	if (s->handles == NULL || s->categories == NULL || !s->received ||
	    !s->given || !s->people || !s->active)
		return asprintf(cause, "out of memory"), -1;
	if ((s->e = engine_new(r, cause)) == NULL)
		return -1;
	/* Nobody reads why a replayed proposal went where it did. */
	engine_set_reasons(s->e, 0);
	return 0;
}

static void
sim_free(struct sim *s)
{
	engine_free(s->e);
	json_decref(s->handles);
	json_decref(s->categories);
	free(s->received);
	free(s->given);
	free(s->people);
	free(s->active);
}

/* Replays one event of the log. */
static int
sim_event(struct sim *s, const json_t *ev, time_t at, time_t from, time_t to)
{
	const char *kind = sim_str(ev, "kind");

	if (kind == NULL)
		return 0;
	if (strcmp(kind, "member.joined") == 0)
		return sim_join(s, ev);
	if (at >= from && sim_deadlines(s, at) != 0)
		return -1;
	if (strcmp(kind, "request.posted") == 0 && sim_time(ev, "by") > from)
		return sim_request(s, ev, at);
	if (strcmp(kind, "request.cancelled") == 0)
		engine_request_drop(s->e,
		    json_integer_value(json_object_get(ev, "request")));
	if (strcmp(kind, "offer.posted") == 0 && at >= from && at < to)
		return sim_offer(s, ev, at);
	return 0;
}

/*
 * Replays [from, to) of a log (an array of export records, in order)
 * under the rules r, into out.
 */
int
simulate_period(const json_t *events, time_t from, time_t to,
    const struct engine_rules *r, struct sim_outcome *out, char **cause)
{
	struct engine_member *ms;
	struct sim s;
	const json_t *ev;
	size_t i, n;
	time_t at;
	int rc = 0;

	if (sim_init(&s, events, r, out, cause) != 0) {
		sim_free(&s);
		return -1;
	}
	json_array_foreach(events, i, ev)
	{
		at = sim_time(ev, "at");
		if (at >= to || (rc = sim_event(&s, ev, at, from, to)) != 0)
			break;
	}
	if (rc == 0)
		rc = sim_deadlines(&s, to);
	n = engine_members(s.e, &ms);
	for (i = 0; i < n; i++)
		out->at_floor += ms[i].balance <= -r->ledger_cap;
	sim_finish(out, s.nmembers, s.active, s.received, s.given, s.people);
	sim_free(&s);
	if (rc != 0)
		asprintf(cause, "the engine failed during the replay");
	return rc;
}

/* Counts one event of the log towards what actually happened. */
static void
sim_actual_event(struct sim *s, const json_t *ev, const char *kind)
{
	int64_t member = sim_member(s, sim_str(ev, "member"));
	int64_t donor = sim_member(s, sim_str(ev, "donor"));
	int64_t grams = json_integer_value(json_object_get(ev, "grams"));

	if (strcmp(kind, "offer.posted") == 0) {
		s->out->offered += grams;
		s->active[member] = 1;
	} else if (strcmp(kind, "request.posted") == 0)
		s->active[member] = 1;
	else if (strcmp(kind, "allocation.collected") == 0 && member != donor) {
		s->out->shared += grams;
		s->received[member] += grams;
		s->given[donor] += grams;
	} else if (strcmp(kind, "waste.recorded") == 0 &&
	    strcmp(sim_str(ev, "cause") != NULL ? sim_str(ev, "cause") : "",
	        "unclaimed") == 0)
		s->out->unclaimed += grams;
}

/* Members at the floor in the period's last ledger.balances event. */
static int64_t
sim_actual_floor(const json_t *last)
{
	json_int_t cap = json_integer_value(json_object_get(last, "cap"));
	const char *handle;
	json_t *v;
	int64_t n = 0;

	json_object_foreach(json_object_get(last, "balances"), handle, v) n +=
	    cap > 0 && json_integer_value(v) <= -cap;
	return n;
}

/* Measures [from, to) of a log as it happened, as simulate_period does. */
int
simulate_actual(const json_t *events, time_t from, time_t to,
    struct sim_outcome *out)
{
	struct engine_rules r;
	const json_t *ev, *last = NULL;
	const char *kind;
	struct sim s;
	char *cause = NULL;
	time_t at;
	size_t i;

	engine_rules_default(&r);
	if (sim_init(&s, events, &r, out, &cause) != 0) {
		free(cause);
		sim_free(&s);
		return -1;
	}
	json_array_foreach(events, i, ev)
	{
		at = sim_time(ev, "at");
		if ((kind = sim_str(ev, "kind")) == NULL || at >= to)
			continue;
		if (strcmp(kind, "member.joined") == 0)
			sim_join(&s, ev);
		else if (at >= from && strcmp(kind, "ledger.balances") == 0)
			last = ev;
		else if (at >= from)
			sim_actual_event(&s, ev, kind);
	}
	out->at_floor = last != NULL ? sim_actual_floor(last) : 0;
	sim_finish(out, s.nmembers, s.active, s.received, s.given, s.people);
	sim_free(&s);
	return 0;
}

/* An outcome as a JSON object. */
json_t *
simulate_json(const struct sim_outcome *o)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:f}",
	    "offered_g", (json_int_t)o->offered, "shared_g",
	    (json_int_t)o->shared, "unclaimed_g", (json_int_t)o->unclaimed,
	    "share_rate",
	    o->offered > 0 ? json_real((double)o->shared / (double)o->offered)
	                   : json_null(),
	    "members", (json_int_t)o->members, "net_recipients",
	    (json_int_t)o->recipients, "at_floor", (json_int_t)o->at_floor,
	    "gini_per_person", o->gini_need);
}
