/*
 * test_engine.c: the allocation engine and its policies, step by step
 * against figures worked out by hand, then properties over many seeded
 * random scenarios.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_impl.h"

#define T0      1796342400 /* 2026-12-04 00:00:00 UTC */
#define HOUR    3600
#define BAKERY  0
#define PRODUCE 1

static struct engine *
new_engine(const char *policy)
{
	struct engine_rules r;
	struct engine *e;
	char *cause = NULL;

	engine_rules_default(&r);
	snprintf(r.policy, sizeof r.policy, "%s", policy);
	r.ledger_cap = 1000000000;
	e = engine_new(&r, &cause);
	assert_non_null(e);
	return e;
}

static void
add_member(struct engine *e, int64_t id, const char *hub, int64_t people)
{
	struct engine_member m;

	memset(&m, 0, sizeof m);
	m.id = id;
	snprintf(m.handle, sizeof m.handle, "m%lld", (long long)id);
	snprintf(m.hub, sizeof m.hub, "%s", hub);
	m.people = people;
	m.storage = STORAGE_AMBIENT | STORAGE_CHILLED;
	assert_int_equal(engine_member_put(e, &m), 0);
}

static void
add_request(struct engine *e, int64_t id, int64_t member, int64_t grams,
    time_t posted)
{
	struct engine_request r;

	memset(&r, 0, sizeof r);
	r.id = id;
	r.member = member;
	r.categories = UINT64_C(1) << BAKERY;
	r.storage = STORAGE_AMBIENT | STORAGE_CHILLED;
	r.window_start = posted;
	r.window_end = T0 + 7 * 24 * HOUR;
	r.posted = posted;
	r.wanted = grams;
	assert_int_equal(engine_request_put(e, &r), 0);
}

static struct engine_offer
make_offer(int64_t id, int64_t donor, int64_t grams, time_t deadline)
{
	struct engine_offer o;

	memset(&o, 0, sizeof o);
	o.id = id;
	o.donor = donor;
	snprintf(o.hub, sizeof o.hub, "barking");
	o.category = BAKERY;
	o.storage = STORAGE_AMBIENT;
	o.window_start = T0;
	o.window_end = deadline;
	o.deadline = deadline;
	o.posted = T0;
	o.free = grams;
	o.min_portion = grams < 1000 ? grams : 1000;
	o.divisible = 1;
	return o;
}

/* Posts an offer and returns what the policy decided. */
static void
post(struct engine *e, struct engine_offer o, struct engine_out *out)
{
	assert_int_equal(engine_offer_put(e, &o), 0);
	engine_out_init(out);
	assert_int_equal(engine_offer_posted(e, o.id, o.posted, out), 0);
}

/* Reads a proposal's reason record, which must be one JSON object. */
static json_t *
reason_of(const struct engine_proposal *p)
{
	json_error_t err;
	json_t *r;

	assert_non_null(p->reason);
	r = json_loads(p->reason, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(r))
		fail_msg("reason is not a JSON object (%s): %s", err.text,
		    p->reason);
	return r;
}

static int64_t
balance(struct engine *e, int64_t id)
{
	return engine_member_get(e, id)->balance;
}

static void
test_engine_shares_follow_need(void **state)
{
	struct engine *e = new_engine("fairshare");
	double s[4];

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 200);
	add_member(e, 3, "barking", 100);
	add_member(e, 4, "barking", 900); /* no open request */
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	add_request(e, 13, 3, 5000, T0);
	engine_shares(e, s);
	assert_float_equal(s[0], 0.25, 1e-6);
	assert_float_equal(s[1], 0.50, 1e-6);
	assert_float_equal(s[2], 0.25, 1e-6);
	assert_float_equal(s[3], 0.0, 1e-6);
	engine_free(e);
}

/*
 * Shares follow requests as they come and go, and a request put before
 * its member (as a store may load them) still counts.
 */
static void
test_engine_shares_follow_requests(void **state)
{
	struct engine *e = new_engine("fairshare");
	double s[3];

	(void)state;
	add_request(e, 13, 3, 5000, T0); /* member 3 is not known yet */
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 3, "barking", 200);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	add_request(e, 14, 2, 5000, T0); /* a second one counts once */
	engine_shares(e, s);
	assert_float_equal(s[0], 0.25, 1e-6);
	assert_float_equal(s[1], 0.25, 1e-6);
	assert_float_equal(s[2], 0.50, 1e-6);
	engine_request_drop(e, 12);
	engine_request_drop(e, 13);
	engine_shares(e, s);
	assert_float_equal(s[0], 0.5, 1e-6);
	assert_float_equal(s[1], 0.5, 1e-6);
	assert_float_equal(s[2], 0.0, 1e-6);
	engine_request_drop(e, 14);
	/* A member put again keeps its count of requests. */
	add_member(e, 1, "dagenham", 100);
	engine_shares(e, s);
	assert_float_equal(s[0], 1.0, 1e-6);
	assert_float_equal(s[1], 0.0, 1e-6);
	engine_free(e);
}

static void
test_engine_shares_blend_contribution_and_cap(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_rules r = *engine_rules(e);
	char *cause = NULL;
	double s[3];

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 200);
	add_member(e, 3, "barking", 100);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	add_request(e, 13, 3, 5000, T0);
	engine_member_get(e, 1)->contributed = 1000;
	/* beta 0.2: 0.8 * 0.25 + 0.2 = 0.4, 0.8 * 0.5 = 0.4, 0.2. */
	engine_shares(e, s);
	assert_float_equal(s[0], 0.4, 1e-6);
	assert_float_equal(s[1], 0.4, 1e-6);
	assert_float_equal(s[2], 0.2, 1e-6);
	/* beta 0.5: 0.625 capped at 2 * 0.25; 0.25; 0.125; over 0.875. */
	r.beta = 0.5;
	assert_int_equal(engine_set_rules(e, &r, &cause), 0);
	engine_shares(e, s);
	assert_float_equal(s[0], 0.5 / 0.875, 1e-6);
	assert_float_equal(s[1], 0.25 / 0.875, 1e-6);
	assert_float_equal(s[2], 0.125 / 0.875, 1e-6);
	engine_free(e);
}

static void
test_engine_restricted_share_is_halved(void **state)
{
	struct engine *e = new_engine("fairshare");
	double s[2];

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	engine_member_get(e, 2)->standing = STANDING_RESTRICTED;
	engine_shares(e, s);
	assert_float_equal(s[0], 2.0 / 3, 1e-6);
	assert_float_equal(s[1], 1.0 / 3, 1e-6);
	engine_free(e);
}

static void
test_engine_ledger_balances_in_grams(void **state)
{
	struct engine *e = new_engine("fairshare");

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 200);
	add_member(e, 3, "barking", 100);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	add_request(e, 13, 3, 5000, T0);
	assert_int_equal(engine_charge(e, 2, 1000), 0);
	assert_int_equal(balance(e, 1), 250);
	assert_int_equal(balance(e, 2), 500 - 1000);
	assert_int_equal(balance(e, 3), 250);
	/* 1001 g: 250.25, 500.5, 250.25; the odd gram goes to the 0.5. */
	assert_int_equal(engine_charge(e, 1, 1001), 0);
	assert_int_equal(balance(e, 1), 250 + 250 - 1001);
	assert_int_equal(balance(e, 2), -500 + 501);
	assert_int_equal(balance(e, 3), 250 + 250);
	assert_int_equal(balance(e, 1) + balance(e, 2) + balance(e, 3), 0);
	engine_free(e);
}

static void
test_engine_ledger_cap_and_weekly_decay(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_rules r = *engine_rules(e);
	char *cause = NULL;

	(void)state;
	r.ledger_cap = 1500;
	r.ledger_decay = 50;
	assert_int_equal(engine_set_rules(e, &r, &cause), 0);
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	engine_charge(e, 2, 2000);
	assert_int_equal(balance(e, 1), 1000);
	engine_charge(e, 2, 2000);
	assert_int_equal(balance(e, 1), 1500);
	assert_int_equal(balance(e, 2), -1500);
	engine_decay(e, T0);
	engine_decay(e, T0 + 6 * 24 * HOUR);
	assert_int_equal(balance(e, 1), 1500);
	engine_decay(e, T0 + 14 * 24 * HOUR);
	assert_int_equal(balance(e, 1), 375);
	assert_int_equal(balance(e, 2), -375);
	engine_free(e);
}

/* What engine_ledger_changed hands over, by member id. */
static int
keep_balance(void *arg, int64_t member, int64_t balance)
{
	int64_t *kept = arg;

	kept[member] = balance;
	return 0;
}

/*
 * Charges settle lazily: what is saved between settlements (each
 * member's balance less its debits, and the grams not yet credited)
 * gives a restarted engine the very same balances.
 */
static void
test_engine_ledger_saved_between_settlements(void **state)
{
	struct engine *e = new_engine("fairshare"), *again;
	int64_t kept[4] = {0};
	int64_t m;

	(void)state;
	for (m = 1; m <= 3; m++) {
		add_member(e, m, "barking", 100 * m);
		add_request(e, 10 + m, m, 5000, T0);
	}
	assert_int_equal(engine_charge(e, 1, 1000), 0);
	assert_int_equal(engine_charge(e, 3, 777), 0);
	assert_true(engine_ledger_unsaved(e));
	assert_int_equal(engine_ledger_changed(e, keep_balance, kept), 0);
	assert_false(engine_ledger_unsaved(e));
	assert_int_equal(kept[1], -1000);
	assert_int_equal(kept[3], -777);
	assert_int_equal(engine_ledger_unsettled(e), 1777);

	again = new_engine("fairshare");
	for (m = 1; m <= 3; m++) {
		add_member(again, m, "barking", 100 * m);
		engine_member_get(again, m)->balance = kept[m];
		add_request(again, 10 + m, m, 5000, T0);
	}
	engine_ledger_restore(again, engine_ledger_unsettled(e));
	for (m = 1; m <= 3; m++)
		assert_int_equal(balance(again, m), balance(e, m));
	/* 1777 g by shares 1/6, 2/6, 3/6, less each one's debits. */
	assert_int_equal(balance(e, 1), 296 - 1000);
	assert_int_equal(balance(e, 2), 592);
	assert_int_equal(balance(e, 3), 889 - 777);
	engine_free(again);
	engine_free(e);
}

/*
 * A member whose last request goes and whose next comes before the
 * shares are used again keeps its share: nothing settles. When the
 * change is real, what was charged settles under the old shares.
 */
static void
test_engine_ledger_settles_when_shares_change(void **state)
{
	struct engine *e = new_engine("fairshare");
	int64_t m, sum = 0;

	(void)state;
	for (m = 1; m <= 3; m++) {
		add_member(e, m, "barking", 100);
		add_request(e, 10 + m, m, 5000, T0);
	}
	assert_int_equal(engine_charge(e, 1, 900), 0);
	engine_request_drop(e, 13);
	add_request(e, 23, 3, 5000, T0);
	assert_int_equal(engine_charge(e, 2, 300), 0);
	assert_int_equal(engine_ledger_unsettled(e), 1200);
	/* Member 3 leaves for good: 1200 g settle by thirds. */
	engine_request_drop(e, 23);
	assert_int_equal(engine_charge(e, 1, 100), 0);
	assert_int_equal(engine_ledger_unsettled(e), 100);
	assert_int_equal(balance(e, 3), 400);
	/* The last 100 g went to members 1 and 2 alone. */
	assert_int_equal(balance(e, 1), 400 - 900 + 50 - 100);
	assert_int_equal(balance(e, 2), 400 - 300 + 50);
	for (m = 1; m <= 3; m++)
		sum += balance(e, m);
	assert_int_equal(sum, 0);
	engine_free(e);
}

static void
test_engine_furthest_behind_wins(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 3000, T0 + 48 * HOUR);

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 3000, T0);
	add_request(e, 12, 2, 3000, T0 + 60);
	engine_member_get(e, 2)->balance = 400;
	o.divisible = 0;
	o.min_portion = 3000;
	post(e, o, &out);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].member, 2);
	assert_int_equal(out.proposals[0].request, 12);
	assert_int_equal(out.proposals[0].grams, 3000);
	assert_int_equal(engine_offer_get(e, 1)->free, 0);
	assert_int_equal(engine_request_get(e, 12)->wanted, 0);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_ties_go_to_earliest_request(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 2000, T0 + 48 * HOUR);

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 2000, T0 + 60);
	add_request(e, 12, 2, 2000, T0);
	o.divisible = 0;
	o.min_portion = 2000;
	post(e, o, &out);
	assert_int_equal(out.proposals[0].member, 2);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_water_filling_split(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	int64_t got[4] = {0};
	size_t i;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 3, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 10000, T0);
	add_request(e, 12, 2, 10000, T0 + 1);
	add_request(e, 13, 3, 10000, T0 + 2);
	/* 1 kg slices go round in request order: 4, 3 and 3 kg. */
	post(e, make_offer(1, 9, 10000, T0 + 48 * HOUR), &out);
	assert_int_equal(out.nproposals, 3);
	for (i = 0; i < out.nproposals; i++)
		got[out.proposals[i].member] = out.proposals[i].grams;
	assert_int_equal(got[1], 4000);
	assert_int_equal(got[2], 3000);
	assert_int_equal(got[3], 3000);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_split_keeps_minimum_portion(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	int64_t got[4] = {0};
	size_t i;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 3, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 10000, T0);
	add_request(e, 12, 2, 10000, T0 + 1);
	add_request(e, 13, 3, 10000, T0 + 2);
	/*
	 * 2.5 kg in 1 kg portions: 1 kg to the first; the second slice
	 * would leave 0.5 kg, less than a portion, so the second member
	 * takes 1.5 kg and the third nothing.
	 */
	post(e, make_offer(1, 9, 2500, T0 + 48 * HOUR), &out);
	for (i = 0; i < out.nproposals; i++)
		got[out.proposals[i].member] = out.proposals[i].grams;
	assert_int_equal(got[1], 1000);
	assert_int_equal(got[2], 1500);
	assert_int_equal(got[3], 0);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_split_leaves_no_request_short_of_a_portion(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	int64_t got[3] = {0};
	size_t i;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 2500, T0);
	add_request(e, 12, 2, 10000, T0 + 1);
	/*
	 * 4 kg in 1 kg slices: 1 kg each, then member 1's second slice
	 * would leave it wanting 0.5 kg, less than a portion nobody could
	 * ever fill, so it takes 1.5 kg and member 2 the last 0.5 kg.
	 */
	post(e, make_offer(1, 9, 4000, T0 + 48 * HOUR), &out);
	for (i = 0; i < out.nproposals; i++)
		got[out.proposals[i].member] = out.proposals[i].grams;
	assert_int_equal(got[1], 2500);
	assert_int_equal(got[2], 1500);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_indivisible_needs_enough_wanted(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 5000, T0 + 48 * HOUR);

	(void)state;
	add_member(e, 1, "barking", 500);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 3000, T0);
	add_request(e, 12, 2, 6000, T0);
	engine_member_get(e, 1)->balance = 100000;
	o.divisible = 0;
	o.min_portion = 5000;
	post(e, o, &out);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].member, 2);
	assert_int_equal(out.proposals[0].grams, 5000);
	engine_out_clear(&out);
	engine_free(e);
}

/* Posts an offer to a lone candidate made to fail a given filter. */
static size_t
proposals_with(void (*spoil)(struct engine *, struct engine_offer *))
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 2000, T0 + 48 * HOUR);
	size_t n;

	add_member(e, 1, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 5000, T0);
	spoil(e, &o);
	post(e, o, &out);
	n = out.nproposals;
	engine_out_clear(&out);
	engine_free(e);
	return n;
}

static void
spoil_nothing(struct engine *e, struct engine_offer *o)
{
	(void)e;
	(void)o;
}

static void
spoil_category(struct engine *e, struct engine_offer *o)
{
	(void)e;
	o->category = PRODUCE;
}

static void
spoil_member_storage(struct engine *e, struct engine_offer *o)
{
	o->storage = STORAGE_FROZEN;
	engine_request_get(e, 11)->storage |= STORAGE_FROZEN;
}

static void
spoil_request_storage(struct engine *e, struct engine_offer *o)
{
	o->storage = STORAGE_CHILLED;
	engine_request_get(e, 11)->storage = STORAGE_AMBIENT;
}

static void
spoil_window(struct engine *e, struct engine_offer *o)
{
	engine_request_get(e, 11)->window_end = o->window_start;
}

static void
spoil_donor(struct engine *e, struct engine_offer *o)
{
	(void)e;
	o->donor = 1;
}

static void
spoil_suspended(struct engine *e, struct engine_offer *o)
{
	(void)o;
	engine_member_get(e, 1)->standing = STANDING_SUSPENDED;
}

static void
spoil_restricted_chilled(struct engine *e, struct engine_offer *o)
{
	o->storage = STORAGE_CHILLED;
	engine_member_get(e, 1)->standing = STANDING_RESTRICTED;
}

static void
spoil_wanted(struct engine *e, struct engine_offer *o)
{
	o->min_portion = 1500;
	engine_request_get(e, 11)->wanted = 1000;
}

static void
test_engine_feasibility_filters(void **state)
{
	(void)state;
	assert_int_equal(proposals_with(spoil_nothing), 1);
	assert_int_equal(proposals_with(spoil_category), 0);
	assert_int_equal(proposals_with(spoil_member_storage), 0);
	assert_int_equal(proposals_with(spoil_request_storage), 0);
	assert_int_equal(proposals_with(spoil_window), 0);
	assert_int_equal(proposals_with(spoil_donor), 0);
	assert_int_equal(proposals_with(spoil_suspended), 0);
	assert_int_equal(proposals_with(spoil_restricted_chilled), 0);
	assert_int_equal(proposals_with(spoil_wanted), 0);
}

/* Sets up a donor hub (barking) and a neighbour hub (dagenham). */
static struct engine *
two_hubs(int with_local)
{
	struct engine *e = new_engine("fairshare");

	add_member(e, 1, "barking", 100);
	add_member(e, 2, "dagenham", 100);
	add_member(e, 9, "barking", 10);
	if (with_local)
		add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	engine_member_get(e, 2)->balance = 50000; /* far behind */
	return e;
}

static void
test_engine_hub_goes_first(void **state)
{
	struct engine *e = two_hubs(1);
	struct engine_out out;
	json_t *reason;
	struct engine_offer o = make_offer(1, 9, 2000, T0 + 48 * HOUR);

	(void)state;
	o.divisible = 0;
	o.min_portion = 2000;
	post(e, o, &out);
	assert_int_equal(out.proposals[0].member, 1);
	reason = reason_of(&out.proposals[0]);
	assert_true(json_is_true(json_object_get(reason, "hub_only")));
	json_decref(reason);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_hub_first_yields_when_urgent_or_empty(void **state)
{
	struct engine *e = two_hubs(1);
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 2000, T0 + 3 * HOUR + 60);

	(void)state;
	o.divisible = 0;
	o.min_portion = 2000;
	post(e, o, &out);
	assert_int_equal(out.proposals[0].member, 2);
	engine_out_clear(&out);
	engine_free(e);
	e = two_hubs(0);
	o = make_offer(1, 9, 2000, T0 + 48 * HOUR);
	post(e, o, &out);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].member, 2);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_hub_leftover_goes_wider(void **state)
{
	struct engine *e = two_hubs(1);
	struct engine_out out;
	int64_t got[3] = {0};
	size_t i;

	(void)state;
	engine_request_get(e, 11)->wanted = 5000;
	/* barking's member takes 5 kg; the other 4 kg go to dagenham. */
	post(e, make_offer(1, 9, 9000, T0 + 48 * HOUR), &out);
	assert_int_equal(out.nproposals, 2);
	for (i = 0; i < out.nproposals; i++)
		got[out.proposals[i].member] = out.proposals[i].grams;
	assert_int_equal(got[1], 5000);
	assert_int_equal(got[2], 4000);
	assert_int_equal(engine_offer_get(e, 1)->free, 0);
	engine_out_clear(&out);
	engine_free(e);
}

/*
 * A member who moves hub gives up its seat in the old one to the last
 * member there; that member's later requests must still be seen when
 * its hub has an offer to itself.
 */
static void
test_engine_hub_seats_follow_a_move(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_member m;
	struct engine_out out;
	json_t *reason;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 3, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_member(e, 4, "barking", 100);
	add_member(e, 2, "dagenham", 100);
	/* Asked first: the whole network's pick if barking had nobody. */
	add_request(e, 12, 2, 5000, T0 - HOUR);
	/* Read without engine_member_get, which would rebuild the roster. */
	m = *engine_member_find(e, 1);
	snprintf(m.hub, sizeof m.hub, "dagenham");
	assert_int_equal(engine_member_put(e, &m), 0);
	add_request(e, 14, 4, 5000, T0);
	post(e, make_offer(1, 9, 2000, T0 + 48 * HOUR), &out);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].member, 4);
	reason = reason_of(&out.proposals[0]);
	assert_true(json_is_true(json_object_get(reason, "hub_only")));
	json_decref(reason);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_edf_order_on_tick(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer late = make_offer(1, 9, 1000, T0 + 72 * HOUR);
	struct engine_offer soon = make_offer(2, 9, 1000, T0 + 24 * HOUR);

	(void)state;
	add_member(e, 9, "barking", 10);
	assert_int_equal(engine_offer_put(e, &late), 0);
	assert_int_equal(engine_offer_put(e, &soon), 0);
	add_member(e, 1, "barking", 100);
	add_request(e, 11, 1, 1500, T0);
	engine_out_init(&out);
	assert_int_equal(engine_tick(e, T0 + HOUR, &out), 0);
	/* Only 1.5 kg wanted: the sooner deadline is served first. */
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].offer, 2);
	engine_out_clear(&out);
	engine_free(e);
}

/*
 * A new request revisits only the offers of its own categories: the open
 * produce offer that member 2 could take waits for the next tick.
 */
static void
test_engine_request_posted_revisits_its_categories(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer bread = make_offer(1, 9, 1000, T0 + 72 * HOUR);
	struct engine_offer veg = make_offer(2, 9, 1000, T0 + 24 * HOUR);

	(void)state;
	veg.category = PRODUCE;
	add_member(e, 9, "barking", 10);
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	assert_int_equal(engine_offer_put(e, &bread), 0);
	assert_int_equal(engine_offer_put(e, &veg), 0);
	add_request(e, 21, 2, 1000, T0);
	engine_request_get(e, 21)->categories = UINT64_C(1) << PRODUCE;
	add_request(e, 11, 1, 1000, T0 + HOUR);
	engine_out_init(&out);
	assert_int_equal(engine_request_posted(e, 11, T0 + HOUR, &out), 0);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].offer, 1);
	assert_int_equal(out.proposals[0].member, 1);
	engine_out_clear(&out);
	/* The tick looks at everything: now the produce goes to member 2. */
	engine_out_init(&out);
	assert_int_equal(engine_tick(e, T0 + HOUR, &out), 0);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].offer, 2);
	assert_int_equal(out.proposals[0].member, 2);
	engine_out_clear(&out);
	engine_free(e);
}

/*
 * An offer nobody could take is not weighed again until something
 * changes: here a declined proposal gives the request its grams back,
 * and the waiting offer goes to it on the next tick.
 */
static void
test_engine_idle_offer_waits_for_a_change(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;

	(void)state;
	add_member(e, 9, "barking", 10);
	add_member(e, 1, "barking", 100);
	add_request(e, 11, 1, 1000, T0);
	post(e, make_offer(1, 9, 1000, T0 + 72 * HOUR), &out);
	assert_int_equal(out.nproposals, 1);
	engine_out_clear(&out);
	/* The only request is spoken for: nobody can take offer 2. */
	post(e, make_offer(2, 9, 1000, T0 + 72 * HOUR), &out);
	assert_int_equal(out.nproposals, 0);
	engine_out_clear(&out);
	engine_out_init(&out);
	assert_int_equal(engine_tick(e, T0 + 60, &out), 0);
	assert_int_equal(out.nproposals, 0);
	engine_out_clear(&out);
	/* Declining offer 1 frees the request's 1 kg for offer 2. */
	engine_out_init(&out);
	assert_int_equal(
	    engine_answer(e, 1, 1, ANSWER_DECLINED, T0 + 120, &out), 0);
	engine_out_clear(&out);
	engine_out_init(&out);
	assert_int_equal(engine_tick(e, T0 + 180, &out), 0);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].offer, 2);
	assert_int_equal(out.proposals[0].member, 1);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_decline_moves_on_and_lapse_counts(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 2000, T0 + 48 * HOUR);
	time_t by;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0 + 1);
	o.divisible = 0;
	o.min_portion = 2000;
	post(e, o, &out);
	assert_int_equal(out.proposals[0].member, 1);
	by = out.proposals[0].respond_by;
	assert_int_equal(by, T0 + 4 * HOUR);
	engine_out_clear(&out);
	engine_out_init(&out);
	assert_int_equal(engine_answer(e, 1, 1, ANSWER_DECLINED, T0 + 60, &out),
	    0);
	assert_int_equal(balance(e, 1), 0);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].member, 2);
	engine_out_clear(&out);
	engine_out_init(&out);
	assert_int_equal(engine_tick(e, T0 + 60 + 4 * HOUR, &out), 0);
	assert_int_equal(out.nlapsed, 1);
	assert_int_equal(out.lapsed[0].member, 2);
	assert_int_equal(engine_offer_get(e, 1)->failures, 2);
	assert_int_equal(engine_offer_get(e, 1)->free, 2000);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_flash_after_three_failures(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 2000, T0 + 48 * HOUR);
	char *cause = NULL;
	int64_t m;

	(void)state;
	add_member(e, 9, "barking", 10);
	for (m = 1; m <= 4; m++) {
		add_member(e, m, "barking", 100);
		add_request(e, 10 + m, m, 5000, T0 + m);
	}
	o.divisible = 0;
	o.min_portion = 2000;
	post(e, o, &out);
	for (m = 1; m <= 3; m++) {
		assert_int_equal(out.nproposals, 1);
		assert_int_equal(out.proposals[0].member, m);
		engine_out_clear(&out);
		engine_out_init(&out);
		assert_int_equal(
		    engine_answer(e, 1, m, ANSWER_DECLINED, T0, &out), 0);
	}
	assert_int_equal(out.nproposals, 0);
	assert_int_equal(out.nflashed, 1);
	assert_int_equal(out.flashed[0], 1);
	engine_out_clear(&out);
	engine_out_init(&out);
	assert_int_equal(engine_claim(e, 1, 4, 0, T0, &out, &cause), 0);
	assert_int_equal(out.proposals[0].grams, 2000);
	assert_int_equal(out.proposals[0].charge, 1000);
	assert_int_equal(balance(e, 4), -1000 + 250);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_flash_near_deadline(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 5000, T0);
	post(e, make_offer(1, 9, 2000, T0 + 2 * HOUR), &out);
	assert_int_equal(out.nproposals, 0);
	assert_int_equal(out.nflashed, 1);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_claim_errors(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_out out;
	char *cause = NULL;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 10000, T0);
	post(e, make_offer(1, 9, 4000, T0 + 48 * HOUR), &out);
	engine_out_clear(&out);
	engine_out_init(&out);
	assert_int_equal(engine_claim(e, 1, 1, 0, T0, &out, &cause), -1);
	assert_non_null(strstr(cause, "not open to claims"));
	free(cause);
	post(e, make_offer(2, 9, 4000, T0 + HOUR), &out);
	assert_int_equal(engine_claim(e, 2, 2, 0, T0, &out, &cause), -1);
	assert_non_null(strstr(cause, "none of your open requests"));
	free(cause);
	assert_int_equal(engine_claim(e, 2, 1, 500, T0, &out, &cause), -1);
	assert_non_null(strstr(cause, "smallest portion"));
	free(cause);
	assert_int_equal(engine_claim(e, 2, 1, 4500, T0, &out, &cause), -1);
	assert_non_null(strstr(cause, "only 4000 g left"));
	free(cause);
	assert_int_equal(engine_claim(e, 2, 1, 1500, T0, &out, &cause), 0);
	assert_int_equal(engine_offer_get(e, 2)->free, 2500);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_fcfs_opens_to_claims_at_full_charge(void **state)
{
	struct engine *e = new_engine("fcfs");
	struct engine_out out;
	char *cause = NULL;
	json_t *reason;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 100);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	post(e, make_offer(1, 9, 3000, T0 + 48 * HOUR), &out);
	assert_int_equal(out.nproposals, 0);
	assert_int_equal(out.nflashed, 1);
	assert_int_equal(engine_claim(e, 1, 2, 0, T0, &out, &cause), 0);
	assert_int_equal(out.proposals[0].member, 2);
	assert_int_equal(out.proposals[0].charge, 3000);
	reason = reason_of(&out.proposals[0]);
	assert_string_equal(
	    json_string_value(json_object_get(reason, "policy")), "fcfs");
	assert_string_equal(json_string_value(json_object_get(reason, "why")),
	    "first to claim an offer open to all");
	assert_int_equal(
	    json_integer_value(json_object_get(reason, "charge_pct")), 100);
	json_decref(reason);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_lottery_draws_among_least_served(void **state)
{
	struct engine *e = new_engine("lottery");
	struct engine_out out;
	struct engine_offer o = make_offer(1, 9, 1000, T0 + 48 * HOUR);
	int64_t m, winner;

	(void)state;
	add_member(e, 9, "barking", 10);
	for (m = 1; m <= 8; m++) {
		add_member(e, m, "barking", 100);
		add_request(e, 10 + m, m, 5000, T0);
		engine_member_get(e, m)->balance = m * 100;
	}
	post(e, o, &out);
	assert_int_equal(out.nproposals, 1);
	winner = out.proposals[0].member;
	assert_true(winner == 8 || winner == 7);
	engine_out_clear(&out);
	engine_free(e);
	e = new_engine("lottery");
	add_member(e, 9, "barking", 10);
	for (m = 1; m <= 8; m++) {
		add_member(e, m, "barking", 100);
		add_request(e, 10 + m, m, 5000, T0);
		engine_member_get(e, m)->balance = m * 100;
	}
	post(e, o, &out);
	assert_int_equal(out.proposals[0].member, winner);
	engine_out_clear(&out);
	engine_free(e);
}

/*
 * The reason record is JSON text that reads back as what the policy
 * weighed: each candidate in order with its request, share, balance and
 * rank, the split, and the seed.
 */
static void
test_engine_reason_names_candidates(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_offer o;
	struct engine_out out;
	json_t *reason, *cands, *split, *c;
	const char *text;
	char seed[24];
	int64_t grams = 0;
	double shares = 0;
	size_t i;

	(void)state;
	add_member(e, 1, "barking", 100);
	add_member(e, 2, "barking", 200);
	add_member(e, 9, "barking", 10);
	add_request(e, 11, 1, 5000, T0);
	add_request(e, 12, 2, 5000, T0);
	o = make_offer(1, 9, 3000, T0 + 48 * HOUR);
	o.min_portion = 100;
	post(e, o, &out);
	assert_int_equal(out.nproposals, 2);
	text = out.proposals[0].reason;
	assert_string_equal(out.proposals[1].reason, text);
	reason = reason_of(&out.proposals[0]);
	assert_string_equal(
	    json_string_value(json_object_get(reason, "policy")), "fairshare");
	assert_non_null(json_string_value(json_object_get(reason, "why")));
	assert_true(json_is_true(json_object_get(reason, "hub_only")));
	assert_int_equal(
	    json_integer_value(json_object_get(reason, "seconds_to_deadline")),
	    48 * HOUR);
	assert_int_equal(
	    json_integer_value(json_object_get(reason, "candidates_total")), 2);
	cands = json_object_get(reason, "candidates");
	assert_int_equal(json_array_size(cands), 2);
	json_array_foreach(cands, i, c)
	{
		assert_int_equal(json_integer_value(json_object_get(c, "rank")),
		    (json_int_t)i + 1);
		assert_true(json_is_integer(json_object_get(c, "balance")));
		shares += json_real_value(json_object_get(c, "share"));
	}
	/* Shares follow need, to four places: 100 people of 300, and 200. */
	assert_non_null(strstr(text,
	    "{\"member\":\"m1\",\"request\":11,\"share\":0.3333,"));
	assert_non_null(strstr(text,
	    "{\"member\":\"m2\",\"request\":12,\"share\":0.6667,"));
	assert_true(fabs(shares - 1.0) < 1e-9);
	split = json_object_get(reason, "split");
	assert_int_equal(json_array_size(split), 2);
	json_array_foreach(split, i, c) grams +=
	    json_integer_value(json_object_get(c, "grams"));
	assert_int_equal(grams, 3000);
	snprintf(seed, sizeof seed, "%016llx",
	    (unsigned long long)engine_rules(e)->seed);
	assert_string_equal(json_string_value(json_object_get(reason, "seed")),
	    seed);
	json_decref(reason);
	engine_out_clear(&out);
	engine_free(e);
}

/* A handle the record must escape still reads back as itself. */
static void
test_engine_reason_escapes(void **state)
{
	static const char odd[] = "a\"b\\c\n\x01d";
	struct engine *e = new_engine("fairshare");
	struct engine_member m;
	struct engine_out out;
	json_t *reason, *c;

	(void)state;
	add_member(e, 9, "barking", 10);
	memset(&m, 0, sizeof m);
	m.id = 1;
	snprintf(m.handle, sizeof m.handle, "%s", odd);
	snprintf(m.hub, sizeof m.hub, "barking");
	m.people = 100;
	m.storage = STORAGE_AMBIENT;
	assert_int_equal(engine_member_put(e, &m), 0);
	add_request(e, 11, 1, 5000, T0);
	post(e, make_offer(1, 9, 1000, T0 + 48 * HOUR), &out);
	assert_int_equal(out.nproposals, 1);
	reason = reason_of(&out.proposals[0]);
	c = json_array_get(json_object_get(reason, "candidates"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "member")),
	    odd);
	assert_true(json_real_value(json_object_get(c, "share")) == 1.0);
	json_decref(reason);
	engine_out_clear(&out);
	engine_free(e);
}

static void
test_engine_rules_checked(void **state)
{
	struct engine_rules r;
	char *cause = NULL;

	(void)state;
	engine_rules_default(&r);
	snprintf(r.policy, sizeof r.policy, "auction");
	assert_null(engine_new(&r, &cause));
	assert_non_null(strstr(cause, "auction"));
	free(cause);
	engine_rules_default(&r);
	r.beta = 1.5;
	assert_null(engine_new(&r, &cause));
	free(cause);
}

/* A small deterministic random source for the property tests. */
static uint64_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

struct world {
	struct engine *e;
	int64_t posted[64]; /* grams per offer id */
	int64_t taken[64];  /* grams accepted per offer id */
	int64_t got[32];    /* grams accepted per member */
	int nmembers;
};

/* Checks a proposal against the rules an allocation must keep. */
static void
check_proposal(struct world *w, const struct engine_proposal *p)
{
	struct engine_offer *o = engine_offer_get(w->e, p->offer);
	struct engine_member *m = engine_member_get(w->e, p->member);

	assert_non_null(o);
	assert_non_null(m);
	assert_true(p->grams > 0);
	assert_true(m->id != o->donor);
	assert_true(m->standing != STANDING_SUSPENDED);
	assert_true(
	    p->grams >= o->min_portion || p->grams >= w->posted[p->offer]);
	assert_true(p->grams <= w->posted[p->offer]);
}

/* Answers every proposal in out at random; accepted grams are counted. */
static void
answer_all(struct world *w, struct engine_out *out, uint64_t *s, time_t now)
{
	struct engine_out next;
	size_t i;
	int64_t sum;
	int m;

	for (i = 0; i < out->nproposals; i++) {
		check_proposal(w, &out->proposals[i]);
		engine_out_init(&next);
		if (rnd(s) % 3 != 0) {
			assert_int_equal(engine_answer(w->e,
			                     out->proposals[i].offer,
			                     out->proposals[i].member,
			                     ANSWER_ACCEPTED, now, &next),
			    0);
			w->taken[out->proposals[i].offer] +=
			    out->proposals[i].grams;
			w->got[out->proposals[i].member] +=
			    out->proposals[i].grams;
		} else
			assert_int_equal(engine_answer(w->e,
			                     out->proposals[i].offer,
			                     out->proposals[i].member,
			                     ANSWER_DECLINED, now, &next),
			    0);
		answer_all(w, &next, s, now);
		engine_out_clear(&next);
	}
	for (sum = 0, m = 1; m <= w->nmembers; m++)
		sum += engine_member_get(w->e, m)->balance;
	assert_int_equal(sum, 0);
}

static void
test_engine_property_random_scenarios(void **state)
{
	struct engine_out out;
	struct world w;
	struct engine_offer o;
	uint64_t s;
	int scenario, i, m;

	(void)state;
	for (scenario = 0; scenario < 200; scenario++) {
		memset(&w, 0, sizeof w);
		s = (uint64_t)scenario + 1;
		w.e = new_engine(scenario % 3 == 2 ? "lottery" : "fairshare");
		w.nmembers = 3 + (int)(rnd(&s) % 20);
		for (m = 1; m <= w.nmembers; m++) {
			add_member(w.e, m, rnd(&s) % 2 ? "barking" : "dagenham",
			    (int64_t)(rnd(&s) % 300));
			add_request(w.e, 100 + m, m,
			    1000 + (int64_t)(rnd(&s) % 20000), T0 + m);
		}
		for (i = 1; i < 40; i++) {
			o = make_offer(i,
			    1 + (int64_t)(rnd(&s) % (uint64_t)w.nmembers),
			    500 + (int64_t)(rnd(&s) % 8000),
			    T0 + (time_t)(rnd(&s) % 96) * HOUR + HOUR);
			o.divisible = rnd(&s) % 4 != 0;
			o.min_portion = o.divisible
			    ? 1 + (int64_t)(rnd(&s) % (uint64_t)o.free)
			    : o.free;
			w.posted[i] = o.free;
			post(w.e, o, &out);
			answer_all(&w, &out, &s, T0);
			engine_out_clear(&out);
			assert_true(engine_offer_get(w.e, i)->free >= 0);
			assert_true(
			    w.taken[i] + engine_offer_get(w.e, i)->free <=
			    w.posted[i]);
		}
		engine_free(w.e);
	}
}

static void
test_engine_property_long_run_fairness(void **state)
{
	struct engine_out out;
	struct world w;
	struct engine_offer o;
	double s[6];
	int64_t total = 0;
	int i, m;

	(void)state;
	memset(&w, 0, sizeof w);
	w.e = new_engine("fairshare");
	w.nmembers = 6;
	add_member(w.e, 6, "barking", 10);
	for (m = 1; m <= 5; m++) {
		add_member(w.e, m, "barking", 50 * m);
		add_request(w.e, 100 + m, m, 1000000000, T0);
	}
	engine_shares(w.e, s);
	for (i = 1; i < 3000; i++) {
		o = make_offer(i, 6, 1000, T0 + 48 * HOUR);
		o.divisible = 0;
		post(w.e, o, &out);
		assert_int_equal(out.nproposals, 1);
		m = (int)out.proposals[0].member;
		assert_int_equal(
		    engine_answer(w.e, i, m, ANSWER_ACCEPTED, T0, &out), 0);
		w.got[m] += 1000;
		total += 1000;
		engine_out_clear(&out);
		engine_offer_drop(w.e, i);
	}
	/* Each member's part of the food is within 1 point of its share. */
	for (m = 1; m <= 5; m++) {
		size_t slot = 0;

		assert_true(idmap_get(&w.e->members.map, m, &slot));
		assert_float_equal((double)w.got[m] / (double)total, s[slot],
		    0.01);
	}
	engine_free(w.e);
}

/* Posts offer i of a seeded series to e; every proposal is accepted. */
static void
post_accepted(struct engine *e, int i, uint64_t *s, struct engine_out *out)
{
	struct engine_offer o = make_offer(i, 1 + (int64_t)(rnd(s) % 90),
	    300 + (int64_t)(rnd(s) % (i % 2 ? 40000 : 3000)),
	    T0 + (time_t)(rnd(s) % 12) * HOUR + HOUR);
	struct engine_out next;
	size_t k;

	o.divisible = rnd(s) % 5 != 0;
	o.min_portion = o.divisible ? 1000 : o.free;
	o.storage = rnd(s) % 3 == 0 ? STORAGE_CHILLED : STORAGE_AMBIENT;
	snprintf(o.hub, sizeof o.hub, "hub%d", (int)(rnd(s) % 3));
	post(e, o, out);
	for (k = 0; k < out->nproposals; k++) {
		engine_out_init(&next);
		assert_int_equal(engine_answer(e, out->proposals[k].offer,
		                     out->proposals[k].member, ANSWER_ACCEPTED,
		                     T0, &next),
		    0);
		engine_out_clear(&next);
	}
}

/*
 * Across the network the policy weighs members best first and stops
 * once the best are certain: it must choose exactly as weighing every
 * member would, offer after offer. Requests are posted within spread
 * seconds of each other; with late set, a request posted earlier than
 * the member's others arrives every ten offers.
 */
static void
walk_matches_full_search(uint64_t seed, time_t spread, int late,
    int64_t members)
{
	struct engine *walk = new_engine("fairshare");
	struct engine *full = new_engine("fairshare");
	struct engine_rules r = *engine_rules(walk);
	struct engine_out a, b;
	char *cause = NULL;
	uint64_t s = seed, t;
	int64_t m, next = 100000;
	size_t k;
	int i, partial = 0;

	/* No turn for the donor's hub: every offer goes network-wide. */
	r.hub_first = 0;
	assert_int_equal(engine_set_rules(walk, &r, &cause), 0);
	assert_int_equal(engine_set_rules(full, &r, &cause), 0);
	full->full_search = 1;
	for (m = 1; m <= members; m++) {
		char hub[8];

		snprintf(hub, sizeof hub, "hub%d", (int)(m % 3));
		add_member(walk, m, hub, 10 + (int64_t)(rnd(&s) % 200));
		add_member(full, m, hub, engine_member_get(walk, m)->people);
		/* A quarter keep no chilled food: never fit for some offers. */
		if (m % 4 == 0) {
			engine_member_get(walk, m)->storage = STORAGE_AMBIENT;
			engine_member_get(full, m)->storage = STORAGE_AMBIENT;
		}
		for (k = 0; k < 2; k++) {
			t = rnd(&s);
			/* Some want less than a portion from the start. */
			add_request(walk, m * 10 + (int64_t)k, m,
			    500 + (int64_t)(t % (k ? 300000 : 2000)),
			    T0 + (time_t)(t % (uint64_t)spread));
			add_request(full, m * 10 + (int64_t)k, m,
			    500 + (int64_t)(t % (k ? 300000 : 2000)),
			    T0 + (time_t)(t % (uint64_t)spread));
		}
	}
	for (i = 1; i <= 300; i++) {
		if (late && i % 5 == 0) {
			t = rnd(&s);
			m = 1 + (int64_t)(t % (uint64_t)members);
			add_request(walk, next, m, 20000,
			    T0 - 1 - (time_t)(t % (uint64_t)spread));
			add_request(full, next++, m, 20000,
			    T0 - 1 - (time_t)(t % (uint64_t)spread));
		}
		t = s;
		post_accepted(walk, i, &s, &a);
		post_accepted(full, i, &t, &b);
		assert_int_equal(a.nproposals, b.nproposals);
		for (k = 0; k < a.nproposals; k++) {
			assert_int_equal(a.proposals[k].member,
			    b.proposals[k].member);
			assert_int_equal(a.proposals[k].grams,
			    b.proposals[k].grams);
			partial += strstr(a.proposals[k].reason,
			               "\"candidates_weighed\":") != NULL;
		}
		engine_out_clear(&a);
		engine_out_clear(&b);
	}
	for (m = 1; m <= members; m++)
		assert_int_equal(balance(walk, m), balance(full, m));
	/* The walk did stop early, or this test tests nothing. */
	assert_true(partial > 0);
	engine_free(walk);
	engine_free(full);
}

/* Requests posted within a few seconds: many tie on key and time. */
static void
test_engine_walk_chooses_as_full_search(void **state)
{
	(void)state;
	walk_matches_full_search(7, 7, 0, 90);
}

/*
 * Requests posted over two days, and later ones posted earlier than a
 * member's others: the walk stops among equal keys by request time.
 */
static void
test_engine_walk_by_request_time(void **state)
{
	(void)state;
	walk_matches_full_search(11, 2 * 86400, 0, 90);
	walk_matches_full_search(13, 2 * 86400, 1, 90);
	walk_matches_full_search(17, 600, 1, 200);
	/* All at once: only the draw orders members, until a late one. */
	walk_matches_full_search(19, 1, 0, 90);
	walk_matches_full_search(23, 1, 1, 200);
}

/*
 * A request changed through its pointer is searched as it now reads:
 * the roster and the heaps are rebuilt, even after a walk had used them.
 */
static void
test_engine_roster_follows_changes_by_pointer(void **state)
{
	struct engine *e = new_engine("fairshare");
	struct engine_rules r = *engine_rules(e);
	struct engine_offer veg;
	struct engine_out out;
	char *cause = NULL;
	int64_t m;

	(void)state;
	r.hub_first = 0;
	assert_int_equal(engine_set_rules(e, &r, &cause), 0);
	add_member(e, 99, "barking", 10);
	for (m = 1; m <= 40; m++) {
		add_member(e, m, "barking", 100);
		add_request(e, m, m, 50000, T0 + m);
	}
	post(e, make_offer(1, 99, 2000, T0 + 48 * HOUR), &out);
	assert_int_equal(out.nproposals, 2);
	engine_out_clear(&out);
	/* Member 40, last in line for bread, now wants only vegetables. */
	engine_request_get(e, 40)->categories = UINT64_C(1) << PRODUCE;
	add_request(e, 41, 39, 50000, T0 + 100);
	veg = make_offer(2, 99, 2000, T0 + 48 * HOUR);
	veg.category = PRODUCE;
	veg.divisible = 0;
	post(e, veg, &out);
	assert_int_equal(out.nproposals, 1);
	assert_int_equal(out.proposals[0].member, 40);
	engine_out_clear(&out);
	engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_engine_shares_follow_need),
	    cmocka_unit_test(test_engine_shares_follow_requests),
	    cmocka_unit_test(test_engine_shares_blend_contribution_and_cap),
	    cmocka_unit_test(test_engine_restricted_share_is_halved),
	    cmocka_unit_test(test_engine_ledger_balances_in_grams),
	    cmocka_unit_test(test_engine_ledger_cap_and_weekly_decay),
	    cmocka_unit_test(test_engine_ledger_saved_between_settlements),
	    cmocka_unit_test(test_engine_ledger_settles_when_shares_change),
	    cmocka_unit_test(test_engine_furthest_behind_wins),
	    cmocka_unit_test(test_engine_ties_go_to_earliest_request),
	    cmocka_unit_test(test_engine_water_filling_split),
	    cmocka_unit_test(test_engine_split_keeps_minimum_portion),
	    cmocka_unit_test(
	        test_engine_split_leaves_no_request_short_of_a_portion),
	    cmocka_unit_test(test_engine_indivisible_needs_enough_wanted),
	    cmocka_unit_test(test_engine_feasibility_filters),
	    cmocka_unit_test(test_engine_hub_goes_first),
	    cmocka_unit_test(test_engine_hub_first_yields_when_urgent_or_empty),
	    cmocka_unit_test(test_engine_hub_leftover_goes_wider),
	    cmocka_unit_test(test_engine_hub_seats_follow_a_move),
	    cmocka_unit_test(test_engine_edf_order_on_tick),
	    cmocka_unit_test(
	        test_engine_request_posted_revisits_its_categories),
	    cmocka_unit_test(test_engine_idle_offer_waits_for_a_change),
	    cmocka_unit_test(test_engine_decline_moves_on_and_lapse_counts),
	    cmocka_unit_test(test_engine_flash_after_three_failures),
	    cmocka_unit_test(test_engine_flash_near_deadline),
	    cmocka_unit_test(test_engine_claim_errors),
	    cmocka_unit_test(test_engine_fcfs_opens_to_claims_at_full_charge),
	    cmocka_unit_test(test_engine_lottery_draws_among_least_served),
	    cmocka_unit_test(test_engine_reason_names_candidates),
	    cmocka_unit_test(test_engine_reason_escapes),
	    cmocka_unit_test(test_engine_rules_checked),
	    cmocka_unit_test(test_engine_property_random_scenarios),
	    cmocka_unit_test(test_engine_property_long_run_fairness),
	    cmocka_unit_test(test_engine_walk_chooses_as_full_search),
	    cmocka_unit_test(test_engine_walk_by_request_time),
	    cmocka_unit_test(test_engine_roster_follows_changes_by_pointer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
