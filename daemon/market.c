/*
 * market.c: between the allocation engine and the store. It builds the
 * engine from the database at start, feeds it what members post, and
 * writes each of its decisions (proposals, lapses, offers opened to
 * claims, ledger balances) to the store and the exchange log, inside the
 * same transaction as the change that caused it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "larderd.h"
#include "log.h"
#include "rules.h"

#define CONTRIBUTION_DAYS 90
#define LOAD_PAGE         100

/* The position of a category in the network's list, or -1. */
static int
market_category(const struct larderd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->conf->ncategories; i++) {
		if (strcmp(d->conf->categories[i], name) == 0)
			return (int)i;
	}
	return -1;
}

/* The categories of a comma list, as the engine's bit set. */
static uint64_t
market_categories(const struct larderd *d, const char *list)
{
	char buf[STORE_LIST_MAX + 1], *word, *save = NULL;
	uint64_t bits = 0;
	int i;

	proto_copy(buf, sizeof buf, list);
	for (word = strtok_r(buf, ",", &save); word != NULL;
	     word = strtok_r(NULL, ",", &save)) {
		if ((i = market_category(d, word)) >= 0)
			bits |= UINT64_C(1) << i;
	}
	return bits;
}

/*
 * When an offer must be gone: its collection window's end, or its use-by
 * date less the handling margin, whichever is sooner.
 */
time_t
market_deadline(const struct larderd *d, const struct offer *o)
{
	time_t t = o->window_end;

	if (o->date_type == DATE_USE_BY &&
	    o->date - engine_rules(d->engine)->margin < t)
		t = o->date - engine_rules(d->engine)->margin;
	return t;
}

static enum engine_standing
market_standing(const char *word)
{
	if (strcmp(word, "warning") == 0)
		return STANDING_WARNING;
	if (strcmp(word, "restricted") == 0)
		return STANDING_RESTRICTED;
	if (strcmp(word, "suspended") == 0)
		return STANDING_SUSPENDED;
	return STANDING_GOOD;
}

/* Tells the engine about a member, new or changed. */
int
market_member(struct larderd *d, const struct member *m)
{
	struct engine_member em, *old;

	memset(&em, 0, sizeof em);
	em.id = m->id;
	proto_copy(em.handle, sizeof em.handle, m->handle);
	proto_copy(em.hub, sizeof em.hub, m->hub);
	em.people = m->people;
	em.storage = m->storage;
	em.standing = market_standing(m->standing);
	em.balance = m->balance;
	/* The engine's ledger and contributions run ahead of the store's. */
	if ((old = engine_member_get(d->engine, m->id)) != NULL) {
		em.contributed = old->contributed;
		em.balance = old->balance;
	}
	return engine_member_put(d->engine, &em);
}

/* Builds the engine's view of an open offer. */
static int
market_offer(struct larderd *d, const struct offer *o)
{
	struct engine_offer eo;

	memset(&eo, 0, sizeof eo);
	eo.id = o->id;
	eo.donor = o->donor;
	proto_copy(eo.hub, sizeof eo.hub, o->hub);
	if ((eo.category = market_category(d, o->category)) < 0) {
		log_warnx("offer %lld: category %s is no longer configured; "
		          "not allocating it",
		    (long long)o->id, o->category);
		return 0;
	}
	eo.storage = o->storage;
	eo.window_start = o->window_start;
	eo.window_end = o->window_end;
	eo.deadline = o->deadline;
	eo.posted = o->posted;
	eo.free = o->remaining;
	eo.min_portion = o->min_portion;
	eo.divisible = o->divisible;
	eo.flash = o->flash;
	return engine_offer_put(d->engine, &eo);
}

/* Builds the engine's view of an open request. */
static int
market_request(struct larderd *d, const struct request *r)
{
	struct engine_request er;
	int64_t held;

	if ((held = store_request_held(d->store, r->id)) < 0)
		return -1;
	memset(&er, 0, sizeof er);
	er.id = r->id;
	er.member = r->member;
	er.categories = market_categories(d, r->categories);
	er.storage = r->storage;
	er.window_start = r->window_start;
	er.window_end = r->window_end;
	er.posted = r->posted;
	er.wanted = r->grams - r->received - held;
	if (er.wanted < 0)
		er.wanted = 0;
	return engine_request_put(d->engine, &er);
}

/* A loader's place while it pages through a table at start-up. */
struct market_load {
	struct larderd *d;
	int64_t last;
	int rows;
	int failed;
};

static int
market_load_member(void *arg, const struct member *m)
{
	struct market_load *l = arg;

	l->last = m->id;
	l->rows++;
	l->failed |= market_member(l->d, m) != 0;
	return 0;
}

static int
market_load_offer(void *arg, const struct offer *o)
{
	struct market_load *l = arg;

	l->last = o->id;
	l->rows++;
	l->failed |= market_offer(l->d, o) != 0;
	return 0;
}

static int
market_load_request(void *arg, const struct request *r)
{
	struct market_load *l = arg;

	l->last = r->id;
	l->rows++;
	l->failed |= market_request(l->d, r) != 0;
	return 0;
}

/* Puts back proposals awaiting answers and refusals of open offers. */
static int
market_load_alloc(void *arg, const struct allocation *a)
{
	struct market_load *l = arg;
	struct engine_proposal p;

	if (a->state == ALLOC_PROPOSED) {
		memset(&p, 0, sizeof p);
		p.offer = a->offer;
		p.request = a->request;
		p.member = a->member;
		p.grams = a->grams;
		p.charge = a->charge;
		p.respond_by = a->respond_by;
		l->failed |= engine_restore_pending(l->d->engine, &p) != 0;
	} else if (a->state == ALLOC_DECLINED || a->state == ALLOC_LAPSED)
		l->failed |= engine_restore_tried(l->d->engine, a->offer,
		                 a->member) != 0;
	return 0;
}

static int
market_load_contribution(void *arg, int64_t donor, int64_t grams)
{
	struct market_load *l = arg;

	engine_set_contributed(l->d->engine, donor, grams);
	return 0;
}

/*
 * Counts again, once a day, what each member gave that others collected
 * in the trailing CONTRIBUTION_DAYS: the engine adds collections as they
 * happen, but only the store knows what has dropped out of the window.
 */
static int
market_recount_contributions(struct larderd *d, time_t now)
{
	struct market_load l = {d, 0, 0, 0};

	if (now / 86400 == d->contributions_day)
		return 0;
	engine_set_contributed(d->engine, 0, 0);
	if (store_contributions(d->store, now - CONTRIBUTION_DAYS * 86400,
	        market_load_contribution, &l) != 0)
		return -1;
	d->contributions_day = now / 86400;
	return 0;
}

/* Pages through members, open offers or open requests into the engine. */
static int
market_load_table(struct larderd *d, int which)
{
	struct market_load l = {d, 0, 0, 0};
	struct store_filter f;
	int rc;

	do {
		memset(&f, 0, sizeof f);
		f.after = l.last;
		f.limit = LOAD_PAGE;
		f.open_only = 1;
		l.rows = 0;
		if (which == 0)
			rc = store_member_list(d->store, &f, market_load_member,
			    &l);
		else if (which == 1)
			rc = store_offer_list(d->store, &f, market_load_offer,
			    &l);
		else
			rc = store_request_list(d->store, &f,
			    market_load_request, &l);
		if (rc != 0 || l.failed)
			return -1;
	} while (l.rows == LOAD_PAGE);
	return 0;
}

/* Fills the engine from the store: the state it had when last saved. */
static int
market_load(struct larderd *d, time_t now)
{
	struct market_load l = {d, 0, 0, 0};
	char buf[32];

	if (market_load_table(d, 0) != 0 || market_load_table(d, 1) != 0 ||
	    market_load_table(d, 2) != 0)
		return -1;
	d->contributions_day = 0;
	if (market_recount_contributions(d, now) != 0 ||
	    store_alloc_open_offers(d->store, market_load_alloc, &l) != 0 ||
	    l.failed)
		return -1;
	if (store_meta_get(d->store, "last_decay", buf, sizeof buf) == 1)
		engine_set_last_decay(d->engine,
		    (time_t)strtoll(buf, NULL, 10));
	if (store_meta_get(d->store, "ledger_unsettled", buf, sizeof buf) == 1)
		engine_ledger_restore(d->engine, strtoll(buf, NULL, 10));
	return 0;
}

static int
market_rule_row(void *arg, const char *key, const char *value)
{
	struct engine_rules *r = arg;
	char *cause = NULL;

	if (rules_parse(key, value, r, &cause) != 0) {
		log_warnx("rules: %s; keeping the default", cause);
		free(cause);
	}
	return 0;
}

/*
 * Reads the network's rules. At the very first start the database has
 * none: the configuration's values (and a fresh random seed) become the
 * rules, recorded as such; after that only the database counts.
 */
static int
market_rules(struct larderd *d, struct engine_rules *r, time_t now)
{
	const struct rule *rule;
	unsigned char seed[8];
	char value[64];
	size_t i;

	engine_rules_default(r);
	if (store_meta_get(d->store, "rules_seeded", value, sizeof value) ==
	    1) {
		if (d->conf->rules_given)
			log_warnx("rules: the network already has its rules; "
			          "--rules is not used");
		return store_rules(d->store, market_rule_row, r);
	}
	*r = d->conf->rules;
	if (!d->conf->seed_given) {
		if (digest_random(seed, sizeof seed) != 0)
			return -1;
		memcpy(&r->seed, seed, sizeof seed);
	}
	for (i = 0; (rule = rules_at(i)) != NULL; i++) {
		rules_format(rule, r, value, sizeof value);
		if (store_rule_set(d->store, rule->key, value, now,
		        "configuration at first start") != 0)
			return -1;
	}
	return store_meta_set(d->store, "rules_seeded", "1");
}

/*
 * Makes the engine under the network's rules and fills it, inside the
 * transaction already open if there is one (a rebuild mid-turn must see
 * that turn's changes), else in one of its own.
 */
int
market_open(struct larderd *d, char **cause)
{
	struct engine_rules r;
	time_t now = server_now(d);
	int own = !store_in_transaction(d->store);

	if (own && store_begin(d->store) != 0)
		return asprintf(cause, "store: %s", store_errmsg(d->store)), -1;
	if (market_rules(d, &r, now) != 0) {
		asprintf(cause, "cannot read the rules: %s",
		    store_errmsg(d->store));
		goto fail;
	}
	if ((d->engine = engine_new(&r, cause)) == NULL)
		goto fail;
	if (market_load(d, now) != 0) {
		asprintf(cause, "cannot load open offers and requests: %s",
		    store_errmsg(d->store));
		goto fail;
	}
	if (own && store_commit(d->store) != 0) {
		asprintf(cause, "store: %s", store_errmsg(d->store));
		goto fail;
	}
	log_info("engine: policy %s; open offers and requests loaded",
	    r.policy);
	return 0;
fail:
	if (own)
		store_rollback(d->store);
	engine_free(d->engine);
	d->engine = NULL;
	return -1;
}

void
market_close(struct larderd *d)
{
	engine_free(d->engine);
	d->engine = NULL;
}

/*
 * Rebuilds the engine from the store, after a transaction that changed
 * it was rolled back.
 */
int
market_reload(struct larderd *d)
{
	struct engine *old = d->engine;
	char *cause = NULL;

	d->engine = NULL;
	if (market_open(d, &cause) != 0) {
		log_error("engine: cannot rebuild: %s", cause);
		free(cause);
		d->engine = old;
		return -1;
	}
	engine_free(old);
	d->engine_stale = 0;
	log_info("engine: rebuilt from the store");
	return 0;
}

static int
market_save_balance(void *arg, int64_t member, int64_t balance)
{
	struct larderd *d = arg;

	return store_member_set_balance(d->store, member, balance);
}

/*
 * Writes the ledger to the store: the balances that changed since last
 * written, and the grams charged since the ledger last settled.
 */
int
market_save_balances(struct larderd *d)
{
	char buf[32];

	if (d->engine == NULL || !engine_ledger_unsaved(d->engine))
		return 0;
	if (engine_ledger_changed(d->engine, market_save_balance, d) != 0)
		return -1;
	snprintf(buf, sizeof buf, "%lld",
	    (long long)engine_ledger_unsettled(d->engine));
	if (store_meta_set(d->store, "ledger_unsettled", buf) != 0)
		return -1;
	snprintf(buf, sizeof buf, "%lld",
	    (long long)engine_last_decay(d->engine));
	return store_meta_set(d->store, "last_decay", buf);
}

/*
 * Logs every member's ledger balance once a week (when the balances
 * decay), so the log alone can tell who has been stuck at the floor.
 */
static int
market_log_balances(struct larderd *d, time_t now)
{
	struct engine_member *ms;
	json_t *balances = json_object();
	size_t i, n;

	n = engine_members(d->engine, &ms);
	for (i = 0; i < n && balances != NULL; i++)
		json_object_set_new(balances, ms[i].handle,
		    json_integer(ms[i].balance));
	return exlog_append(d->log, now, "ledger.balances", "larderd",
	    json_pack("{s:I, s:o}", "cap",
	        (json_int_t)engine_rules(d->engine)->ledger_cap, "balances",
	        balances));
}

/* Logs an allocation event with the fields every kind carries. */
int
market_log_alloc(struct larderd *d, time_t now, const char *kind,
    const char *actor, const struct allocation *a, json_t *extra)
{
	json_t *ev;

	ev = json_pack("{s:I, s:I, s:s, s:s, s:I}", "allocation",
	    (json_int_t)a->id, "offer", (json_int_t)a->offer, "member",
	    a->member_handle, "donor", a->donor_handle, "grams",
	    (json_int_t)a->grams);
	if (ev != NULL && extra != NULL)
		json_object_update(ev, extra);
	json_decref(extra);
	return exlog_append(d->log, now, kind, actor, ev);
}

/*
 * Records an allocation the engine decided: a proposal awaiting an
 * answer, or (state accepted) a claim granted at once.
 */
int
market_record(struct larderd *d, const struct engine_proposal *p,
    enum alloc_state state, time_t now, int64_t challenge, struct allocation *a)
{
	memset(a, 0, sizeof *a);
	a->offer = p->offer;
	a->request = p->request;
	a->member = p->member;
	a->grams = p->grams;
	a->charge = p->charge;
	a->state = state;
	a->flash = state == ALLOC_ACCEPTED;
	a->respond_by = p->respond_by;
	a->created = now;
	a->decided = state == ALLOC_ACCEPTED ? now : 0;
	if (p->reason == NULL)
		return -1;
	if (store_alloc_insert(d->store, a, p->reason) != 0 ||
	    (challenge > 0 &&
	        store_set_challenge(d->store, "allocation", a->id, challenge) !=
	            0) ||
	    store_alloc_get(d->store, a->id, a) != 1)
		return -1;
	log_info("allocation %lld: offer %lld, %lld g %s %s", (long long)a->id,
	    (long long)a->offer, (long long)a->grams,
	    state == ALLOC_ACCEPTED ? "claimed by" : "proposed to",
	    a->member_handle);
	return market_log_alloc(d, now,
	    state == ALLOC_ACCEPTED ? "allocation.claimed"
	                            : "allocation.proposed",
	    state == ALLOC_ACCEPTED ? a->member_handle : "larderd", a,
	    json_pack("{s:I, s:s, s:s, s:o, s:I, s:o}", "request",
	        (json_int_t)a->request, "hub", a->hub, "category", a->category,
	        "respond_by", proto_time_json(a->respond_by), "charge",
	        (json_int_t)a->charge, "challenge",
	        challenge > 0 ? json_integer(challenge) : json_null()));
}

/* Records a proposal that was not answered in time. */
static int
market_lapse(struct larderd *d, const struct engine_lapse *l, time_t now)
{
	struct allocation a;

	if (store_alloc_find(d->store, l->offer, l->member, ALLOC_PROPOSED,
	        &a) != 1)
		return -1;
	a.state = ALLOC_LAPSED;
	a.decided = now;
	if (store_alloc_update(d->store, &a) != 0)
		return -1;
	log_info("allocation %lld: lapsed unanswered by %s", (long long)a.id,
	    a.member_handle);
	return market_log_alloc(d, now, "allocation.lapsed", "larderd", &a,
	    NULL);
}

/* Records that an offer is now open to the first claim. */
static int
market_flash(struct larderd *d, int64_t offer, time_t now)
{
	struct engine_offer *eo = engine_offer_get(d->engine, offer);
	struct offer o;

	if (eo == NULL || store_offer_get(d->store, offer, &o) != 1 ||
	    store_offer_set_flash(d->store, offer) != 0)
		return -1;
	log_info("offer %lld: open to claims", (long long)offer);
	return exlog_append(d->log, now, "offer.flash", "larderd",
	    json_pack("{s:I, s:s, s:s, s:s, s:I}", "offer", (json_int_t)offer,
	        "member", o.donor_handle, "hub", o.hub, "category", o.category,
	        "grams", (json_int_t)eo->free));
}

/*
 * Brings an offer's row in line with the engine: the grams still free,
 * and once nothing is free or awaiting an answer, the offer is allocated
 * and leaves the engine.
 */
int
market_sync_offer(struct larderd *d, int64_t id, time_t now)
{
	struct engine_offer *eo = engine_offer_get(d->engine, id);
	struct offer o;

	if (eo == NULL)
		return 0;
	if (store_offer_set_remaining(d->store, id, eo->free) != 0)
		return -1;
	if (eo->free > 0 || engine_has_pending(d->engine, id))
		return 0;
	if (store_offer_get(d->store, id, &o) != 1 ||
	    store_offer_set_state(d->store, id, OFFER_ALLOCATED) != 0 ||
	    exlog_append(d->log, now, "offer.allocated", "larderd",
	        json_pack("{s:I, s:s}", "offer", (json_int_t)id, "member",
	            o.donor_handle)) != 0)
		return -1;
	engine_offer_drop(d->engine, id);
	return 0;
}

/* Writes everything the engine decided in one call. */
int
market_apply(struct larderd *d, struct engine_out *out, time_t now)
{
	struct allocation a;
	size_t i;

	for (i = 0; i < out->nlapsed; i++) {
		if (market_lapse(d, &out->lapsed[i], now) != 0)
			return -1;
	}
	for (i = 0; i < out->nproposals; i++) {
		if (market_record(d, &out->proposals[i], ALLOC_PROPOSED, now, 0,
		        &a) != 0)
			return -1;
	}
	for (i = 0; i < out->nflashed; i++) {
		if (market_flash(d, out->flashed[i], now) != 0)
			return -1;
	}
	for (i = 0; i < out->nlapsed; i++) {
		if (market_sync_offer(d, out->lapsed[i].offer, now) != 0)
			return -1;
	}
	for (i = 0; i < out->nproposals; i++) {
		if (market_sync_offer(d, out->proposals[i].offer, now) != 0)
			return -1;
	}
	return 0;
}

/*
 * Writes what the engine decided after a call that returned rc. On any
 * failure the engine no longer matches the store: it is marked to be
 * rebuilt once the step has been rolled back.
 */
int
market_finish(struct larderd *d, time_t now, int rc, struct engine_out *out)
{
	if (rc == 0)
		rc = market_apply(d, out, now);
	engine_out_clear(out);
	if (rc != 0)
		d->engine_stale = 1;
	return rc;
}

/* Hands a newly posted offer to the policy. */
int
market_offer_posted(struct larderd *d, const struct offer *o, time_t now)
{
	struct engine_out out;

	engine_out_init(&out);
	if (market_offer(d, o) != 0) {
		d->engine_stale = 1;
		return -1;
	}
	return market_finish(d, now,
	    engine_offer_posted(d->engine, o->id, now, &out), &out);
}

/* Adds a new request; open offers may now have somewhere to go. */
int
market_request_posted(struct larderd *d, const struct request *r, time_t now)
{
	struct engine_out out;

	if (market_request(d, r) != 0) {
		d->engine_stale = 1;
		return -1;
	}
	engine_out_init(&out);
	return market_finish(d, now,
	    engine_request_posted(d->engine, r->id, now, &out), &out);
}

/* Lets time act: lapses, offers opened to claims, the weekly decay. */
int
market_tick(struct larderd *d, time_t now)
{
	struct engine_out out;
	time_t before = engine_last_decay(d->engine);
	int rc;

	if (market_recount_contributions(d, now) != 0) {
		d->engine_stale = 1;
		return -1;
	}
	engine_out_init(&out);
	rc = market_finish(d, now, engine_tick(d->engine, now, &out), &out);
	/* The first tick only starts the weekly clock; later ones decay. */
	if (rc == 0 && before != 0 && engine_last_decay(d->engine) != before)
		rc = market_log_balances(d, now);
	if (rc != 0)
		d->engine_stale = 1;
	return rc;
}

/* Collects the ids of an offer's or request's unanswered proposals. */
static int
market_take_pending(void *arg, const struct allocation *a)
{
	json_t *ids = arg;

	if (a->state == ALLOC_PROPOSED)
		json_array_append_new(ids, json_integer(a->id));
	return 0;
}

/* Ends the unanswered proposals listed in ids: they lapse. */
static int
market_lapse_ids(struct larderd *d, json_t *ids, time_t now)
{
	struct allocation a;
	json_t *id;
	size_t i;

	json_array_foreach(ids, i, id)
	{
		if (store_alloc_get(d->store, json_integer_value(id), &a) != 1)
			return -1;
		a.state = ALLOC_LAPSED;
		a.decided = now;
		if (store_alloc_update(d->store, &a) != 0 ||
		    market_log_alloc(d, now, "allocation.lapsed", "larderd", &a,
		        NULL) != 0)
			return -1;
	}
	return 0;
}

/*
 * Takes an offer out of allocation (withdrawn, or at its deadline): its
 * unanswered proposals lapse and the engine forgets it. Accepted matches
 * stand.
 */
int
market_end_offer(struct larderd *d, int64_t offer, time_t now)
{
	json_t *ids = json_array();
	int rc;

	rc = ids == NULL ||
	        store_alloc_by_offer(d->store, offer, market_take_pending,
	            ids) != 0 ||
	        market_lapse_ids(d, ids, now) != 0
	    ? -1
	    : 0;
	json_decref(ids);
	engine_offer_drop(d->engine, offer);
	if (rc != 0)
		d->engine_stale = 1;
	return rc;
}

/* Takes a request out of allocation: its unanswered proposals lapse. */
int
market_end_request(struct larderd *d, int64_t request, time_t now)
{
	struct engine_out out;
	json_t *ids = json_array(), *id;
	struct allocation a;
	size_t i;
	int rc;

	rc = ids == NULL ||
	        store_alloc_by_request(d->store, request, market_take_pending,
	            ids) != 0
	    ? -1
	    : 0;
	engine_out_init(&out);
	json_array_foreach(ids, i, id)
	{
		if (rc == 0 &&
		    store_alloc_get(d->store, json_integer_value(id), &a) == 1)
			rc = engine_answer(d->engine, a.offer, a.member,
			    ANSWER_LAPSED, now, &out);
	}
	if (rc == 0)
		rc = market_lapse_ids(d, ids, now);
	json_decref(ids);
	engine_request_drop(d->engine, request);
	return market_finish(d, now, rc, &out);
}

static int
market_count_unsettled(void *arg, const struct allocation *a)
{
	if (a->state == ALLOC_PROPOSED || a->state == ALLOC_ACCEPTED)
		(*(int *)arg)++;
	return 0;
}

/*
 * Closes an allocated offer once every match of it is settled (collected
 * or a no-show): nothing more can happen to it.
 */
int
market_settle_offer(struct larderd *d, int64_t id, time_t now)
{
	struct offer o;
	int unsettled = 0;

	if (store_offer_get(d->store, id, &o) != 1)
		return -1;
	if (o.state != OFFER_ALLOCATED)
		return 0;
	if (store_alloc_by_offer(d->store, id, market_count_unsettled,
	        &unsettled) != 0)
		return -1;
	if (unsettled > 0)
		return 0;
	if (store_offer_set_state(d->store, id, OFFER_CLOSED) != 0)
		return -1;
	return exlog_append(d->log, now, "offer.closed", "larderd",
	    json_pack("{s:I, s:s}", "offer", (json_int_t)id, "member",
	        o.donor_handle));
}
