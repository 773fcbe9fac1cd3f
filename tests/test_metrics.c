/*
 * test_metrics.c: the metrics core against a small hand-made log
 * (tests/data/month-2026-11.jsonl, described in tests/data/README.md),
 * each figure checked against its value worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "metrics.h"

#define LOG LARDER_SOURCE_DIR "/tests/data/month-2026-11.jsonl"

/* cmocka compares floats only; the figures are doubles. */
#define assert_near(a, b, eps)                                                 \
	do {                                                                   \
		double a_ = (a), b_ = (b);                                     \
		if (fabs(a_ - b_) > (eps))                                     \
			fail_msg("%.12g is not %.12g", a_, b_);                \
	} while (0)

static struct metrics *
load_log(const char *path)
{
	struct metrics_factors f = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	struct metrics *m = metrics_new(&f, "Test network");
	char line[4096], *cause = NULL;
	FILE *fp = fopen(path, "r");

	assert_non_null(m);
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		if (metrics_add_line(m, line, strlen(line), &cause) != 0)
			fail_msg("%s: %s", path, cause);
	}
	fclose(fp);
	return m;
}

static json_t *
november(struct metrics *m, const char *hub)
{
	time_t from, to;
	json_t *r;

	assert_int_equal(metrics_month("2026-11", &from, &to), 0);
	r = metrics_report(m, from, to, hub);
	assert_non_null(r);
	return r;
}

static json_int_t
num(json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(obj, a), b);

	if (!json_is_integer(v))
		fail_msg("%s.%s is not an integer", a, b);
	return json_integer_value(v);
}

static double
real(json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(obj, a), b);

	if (!json_is_number(v))
		fail_msg("%s.%s is not a number", a, b);
	return json_number_value(v);
}

/* The member object of a handle in the report's members array. */
static json_t *
member(json_t *r, const char *handle)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(r, "members"), i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "member")),
		        handle) == 0)
			return m;
	}
	fail_msg("no member %s", handle);
	return NULL;
}

static void
test_metrics_food_figures(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(r, "period"), "label")),
	    "2026-11");
	/* 10 kg + 5 kg + 3 kg offered. */
	assert_int_equal(num(r, "figures", "sourced_g"), 18000);
	/* 9 kg corrected to 8.5 kg in December, plus 4 kg. */
	assert_int_equal(num(r, "figures", "redistributed_g"), 12500);
	assert_int_equal(num(r, "figures", "discarded_g"), 500);
	assert_int_equal(num(r, "figures", "used_g"), 12000);
	assert_int_equal(num(r, "figures", "wasted_g"), 1500);
	assert_near(real(r, "figures", "rescue_rate"), 12000.0 / 18000, 1e-9);
	assert_near(real(r, "figures", "waste_rate"), 1500.0 / 18000, 1e-9);
	/* 12000 / 420 = 28.57; 12 kg x 1.6 = 19.2 kg. */
	assert_near(real(r, "figures", "meals"), 28.6, 1e-9);
	assert_near(real(r, "figures", "co2e_avoided_kg"), 19.2, 1e-9);
	assert_int_equal(num(r, "figures", "offers"), 3);
	assert_int_equal(num(r, "figures", "matches"), 3);
	assert_int_equal(num(r, "figures", "collections"), 2);
	assert_int_equal(num(r, "figures", "no_shows"), 1);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_waste_by_destination_and_cause(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL), *f = json_object_get(r, "figures");

	(void)state;
	assert_int_equal(num(f, "wasted_by_destination", "compost"), 1000);
	assert_int_equal(num(f, "wasted_by_destination", "animal_feed"), 500);
	assert_int_equal(num(f, "wasted_by_destination", "landfill"), 0);
	assert_int_equal(num(f, "wasted_by_cause", "unclaimed"), 1000);
	assert_int_equal(num(f, "wasted_by_cause", "spoiled"), 500);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_people_supported_latest_report_wins(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL);

	(void)state;
	/* b: 100, then 110 replacing 120: a mean of 105 a week. */
	assert_int_equal(num(r, "figures", "people_supported"), 105);
	assert_int_equal(json_integer_value(json_object_get(member(r, "b"),
	                     "people_supported")),
	    105);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_per_member(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL), *a;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(r, "members")), 3);
	a = member(r, "a");
	assert_int_equal(json_integer_value(json_object_get(a, "given_g")),
	    8500);
	assert_int_equal(json_integer_value(json_object_get(a, "received_g")),
	    4000);
	assert_int_equal(json_integer_value(json_object_get(a, "net_g")),
	    -4500);
	assert_int_equal(json_integer_value(json_object_get(a, "sourced_g")),
	    13000);
	assert_int_equal(
	    json_integer_value(json_object_get(member(r, "c"), "no_shows")), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(member(r, "b"), "wasted_g")),
	    500);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_positive_sum(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL), *p = json_object_get(r, "positive_sum");

	(void)state;
	/* Used 12 kg less 1.5 kg wasted. */
	assert_int_equal(json_integer_value(json_object_get(p, "net_rescue_g")),
	    10500);
	assert_true(json_is_true(json_object_get(p, "net_rescue_ok")));
	/* Quarter: only b received more than it gave (8.5 kg, 2 kg). */
	assert_int_equal(
	    json_integer_value(json_object_get(p, "net_recipients")), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(p, "active_quarter")), 3);
	assert_true(json_is_false(json_object_get(p, "net_recipients_ok")));
	assert_true(json_is_true(json_object_get(p, "floor_ok")));
	assert_true(json_is_false(json_object_get(p, "positive")));
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_health(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL), *h = json_object_get(r, "health");

	(void)state;
	assert_int_equal(num(r, "health", "members"), 3);
	assert_int_equal(num(r, "health", "active_members"), 3);
	/* Given 0, 4000, 8500: 2 * 33500 / (3 * 12500) - 4 / 3. */
	assert_near(real(r, "health", "gini_contributions"),
	    67000.0 / 37500 - 4.0 / 3, 1e-9);
	/* Parts 0.68 and 0.32: 1 / (0.4624 + 0.1024). */
	assert_near(real(r, "health", "effective_contributors"), 1 / 0.5648,
	    1e-9);
	assert_near(real(r, "health", "top_share"), 0.68, 1e-9);
	/* a and b both gave and received in the quarter; c did not. */
	assert_near(real(r, "health", "reciprocity"), 2.0 / 3, 1e-9);
	assert_int_equal(num(r, "health", "partner_pairs"), 2);
	assert_near(real(r, "health", "density"), 2.0 / 3, 1e-9);
	/* a-b met in October; a-c is new. */
	assert_int_equal(num(r, "health", "new_ties"), 1);
	assert_near(real(r, "health", "tie_persistence"), 1.0, 1e-9);
	assert_near(real(r, "health", "on_time_rate"), 2.0 / 3, 1e-9);
	assert_string_equal(
	    json_string_value(json_object_get(h, "top_contributor")), "a");
	assert_string_equal(
	    json_string_value(json_object_get(h, "previous_top_contributor")),
	    "b");
	assert_true(json_is_true(json_object_get(h, "leadership_changed")));
	/* Ranks (a 3, b 1, c 2) against (1.5, 3, 1.5): -1.5 / sqrt(3). */
	assert_near(real(r, "health", "rank_stability"),
	    -1.5 / 1.7320508075688772, 1e-9);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_weekly_and_trend(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *r = november(m, NULL), *weeks, *trend, *w;

	(void)state;
	weeks = json_object_get(r, "weekly");
	/* 1 November 2026 is a Sunday: weeks from 26 October to 30 Nov. */
	assert_int_equal(json_array_size(weeks), 6);
	w = json_array_get(weeks, 1);
	assert_string_equal(json_string_value(json_object_get(w, "week")),
	    "2026-11-02T00:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(w, "sourced_g")),
	    10000);
	assert_int_equal(
	    json_integer_value(json_object_get(w, "redistributed_g")), 8500);
	w = json_array_get(weeks, 2);
	assert_int_equal(json_integer_value(json_object_get(w, "wasted_g")),
	    1500);
	trend = json_object_get(r, "trend");
	assert_int_equal(json_array_size(trend), 12);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(trend, 0), "month")),
	    "2025-12");
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(trend, 10), "redistributed_g")),
	    2000);
	assert_true(json_is_null(
	    json_object_get(json_array_get(trend, 0), "rescue_rate")));
	/* Monthly 0 x 10, 2000, 12500: sd / mean. */
	assert_near(real(r, "health", "redistributed_cv"), 3448.78 / 1208.33,
	    1e-3);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_hub_rollup(void **state)
{
	struct metrics *m = load_log(LOG);
	json_t *north = november(m, "north"), *all = november(m, NULL), *h;
	size_t i;
	json_int_t sum = 0;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(north, "hub")),
	    "north");
	assert_int_equal(num(north, "figures", "sourced_g"), 13000);
	assert_int_equal(num(north, "figures", "redistributed_g"), 8500);
	assert_int_equal(num(north, "figures", "wasted_g"), 500);
	assert_int_equal(json_array_size(json_object_get(north, "members")), 2);
	/* The hubs' figures add up to the network's. */
	json_array_foreach(json_object_get(all, "hubs"), i, h) sum +=
	    json_integer_value(json_object_get(h, "sourced_g"));
	assert_int_equal(sum, num(all, "figures", "sourced_g"));
	json_decref(north);
	json_decref(all);
	metrics_free(m);
}

static void
test_metrics_empty_month(void **state)
{
	struct metrics *m = load_log(LOG);
	time_t from, to;
	json_t *r;

	(void)state;
	assert_int_equal(metrics_month("2026-06", &from, &to), 0);
	r = metrics_report(m, from, to, NULL);
	assert_int_equal(num(r, "figures", "sourced_g"), 0);
	assert_true(json_is_null(
	    json_object_get(json_object_get(r, "figures"), "rescue_rate")));
	assert_true(json_is_null(json_object_get(json_object_get(r, "health"),
	    "gini_contributions")));
	assert_int_equal(num(r, "health", "members"), 0);
	assert_true(json_is_false(
	    json_object_get(json_object_get(r, "positive_sum"), "positive")));
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_member_without_activity(void **state)
{
	struct metrics *m = load_log(LOG);
	time_t from, to;
	json_t *r, *b;

	(void)state;
	assert_int_equal(metrics_month("2026-10", &from, &to), 0);
	r = metrics_report(m, from, to, NULL);
	/* c joined in October and did nothing. */
	b = member(r, "c");
	assert_int_equal(json_integer_value(json_object_get(b, "given_g")), 0);
	assert_int_equal(json_integer_value(json_object_get(b, "received_g")),
	    0);
	assert_int_equal(num(r, "health", "active_members"), 2);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_offer_across_month_boundary(void **state)
{
	struct metrics_factors f = {420, 1.6};
	struct metrics *m = metrics_new(&f, "x");
	char *cause = NULL;
	time_t from, to;
	json_t *oct, *nov;
	const char *const lines[] = {
	    "{\"seq\":1,\"at\":\"2026-10-31T22:00:00Z\",\"kind\":\"offer."
	    "posted\","
	    "\"member\":\"a\",\"hub\":\"h\",\"offer\":1,\"grams\":4000}",
	    "{\"seq\":2,\"at\":\"2026-11-01T09:00:00Z\",\"kind\":"
	    "\"allocation.collected\",\"member\":\"b\",\"donor\":\"a\","
	    "\"hub\":\"h\",\"allocation\":1,\"offer\":1,\"grams\":4000}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(
		    metrics_add_line(m, lines[i], strlen(lines[i]), &cause), 0);
	/* Offered in October, collected in November: each month its own. */
	metrics_month("2026-10", &from, &to);
	oct = metrics_report(m, from, to, NULL);
	metrics_month("2026-11", &from, &to);
	nov = metrics_report(m, from, to, NULL);
	assert_int_equal(num(oct, "figures", "sourced_g"), 4000);
	assert_int_equal(num(oct, "figures", "redistributed_g"), 0);
	assert_int_equal(num(nov, "figures", "sourced_g"), 0);
	assert_int_equal(num(nov, "figures", "redistributed_g"), 4000);
	json_decref(oct);
	json_decref(nov);
	metrics_free(m);
}

static void
test_metrics_ledger_floor(void **state)
{
	struct metrics_factors f = {420, 1.6};
	struct metrics *m = metrics_new(&f, "x");
	char *cause = NULL, line[256];
	time_t from, to;
	json_t *r, *floor;
	int day;

	(void)state;
	/* Weekly snapshots through October and November: z at -cap. */
	for (day = 1; day <= 58; day += 7) {
		snprintf(line, sizeof line,
		    "{\"seq\":%d,\"at\":\"2026-%s-%02dT00:"
		    "00:00Z\",\"kind\":\"ledger.balances\",\"cap\":1000,"
		    "\"balances\":{\"y\":10,\"z\":-1000}}",
		    day, day <= 31 ? "10" : "11", day <= 31 ? day : day - 31);
		assert_int_equal(
		    metrics_add_line(m, line, strlen(line), &cause), 0);
	}
	metrics_month("2026-11", &from, &to);
	r = metrics_report(m, from, to, NULL);
	floor = json_object_get(json_object_get(r, "positive_sum"), "at_floor");
	assert_int_equal(json_array_size(floor), 1);
	assert_string_equal(json_string_value(json_array_get(floor, 0)), "z");
	assert_true(json_is_false(
	    json_object_get(json_object_get(r, "positive_sum"), "floor_ok")));
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_disputes_referrals_challenges(void **state)
{
	struct metrics_factors f = {420, 1.6};
	struct metrics *m = metrics_new(&f, "x");
	char *cause = NULL;
	time_t from, to;
	json_t *r;
	size_t i;
	const char *const lines[] = {
	    "{\"at\":\"2026-10-01T00:00:00Z\",\"kind\":\"member.joined\","
	    "\"member\":\"x\",\"hub\":\"h\"}",
	    "{\"at\":\"2026-10-01T00:00:00Z\",\"kind\":\"member.joined\","
	    "\"member\":\"y\",\"hub\":\"h\"}",
	    "{\"at\":\"2026-10-01T00:00:00Z\",\"kind\":\"member.joined\","
	    "\"member\":\"z\",\"hub\":\"h\"}",
	    "{\"at\":\"2026-11-02T00:00:00Z\",\"kind\":"
	    "\"allocation.accepted\",\"member\":\"y\",\"donor\":\"x\","
	    "\"allocation\":1,\"grams\":1000}",
	    "{\"at\":\"2026-11-03T00:00:00Z\",\"kind\":"
	    "\"allocation.no_show\",\"member\":\"y\",\"donor\":\"x\","
	    "\"allocation\":1,\"grams\":1000}",
	    "{\"at\":\"2026-11-04T00:00:00Z\",\"kind\":\"dispute.raised\","
	    "\"member\":\"y\",\"dispute\":1,\"allocation\":1}",
	    "{\"at\":\"2026-11-06T00:00:00Z\",\"kind\":\"dispute.settled\","
	    "\"dispute\":1,\"allocation\":1,\"how\":\"accepted\","
	    "\"raised\":\"2026-11-04T00:00:00Z\"}",
	    "{\"at\":\"2026-11-06T00:00:00Z\",\"kind\":"
	    "\"allocation.collected\",\"member\":\"y\",\"donor\":\"x\","
	    "\"hub\":\"h\",\"allocation\":1,\"grams\":1000,"
	    "\"reverses_no_show\":true}",
	    "{\"at\":\"2026-11-07T00:00:00Z\",\"kind\":\"referral.made\","
	    "\"member\":\"x\",\"district\":\"RM9\",\"referred\":"
	    "[\"z\",\"nobody\"]}",
	    "{\"at\":\"2026-11-08T00:00:00Z\",\"kind\":\"offer.posted\","
	    "\"member\":\"x\",\"hub\":\"h\",\"offer\":9,\"grams\":1,"
	    "\"challenge\":1}",
	    "{\"at\":\"2026-11-09T00:00:00Z\",\"kind\":\"challenge.closed\","
	    "\"challenge\":1,\"resolved\":true}",
	    "{\"at\":\"2026-11-09T00:00:00Z\",\"kind\":\"challenge.closed\","
	    "\"challenge\":2,\"resolved\":true}",
	};

	(void)state;
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (metrics_add_line(m, lines[i], strlen(lines[i]), &cause) !=
		    0)
			fail_msg("%s", cause);
	metrics_month("2026-11", &from, &to);
	r = metrics_report(m, from, to, NULL);
	/* The no-show was reversed: one collection, no no-show. */
	assert_int_equal(num(r, "figures", "no_shows"), 0);
	assert_int_equal(num(r, "figures", "collections"), 1);
	assert_near(real(r, "health", "on_time_rate"), 1.0, 1e-9);
	/* One dispute on one match, settled in two days. */
	assert_near(real(r, "health", "dispute_rate"), 1.0, 1e-9);
	assert_near(real(r, "health", "dispute_hours"), 48.0, 1e-9);
	/* x-y shared food; x referred a resident to z: two connections. */
	assert_int_equal(num(r, "health", "partner_pairs"), 2);
	/* Two challenges resolved; only x (1 of 2 active: 50%) took part
	 * in the first, nobody in the second. */
	assert_int_equal(num(r, "health", "challenges_resolved"), 2);
	assert_int_equal(num(r, "health", "challenges_resolved_together"), 1);
	json_decref(r);
	metrics_free(m);
}

static void
test_metrics_refuses_non_events(void **state)
{
	struct metrics_factors f = {420, 1.6};
	struct metrics *m = metrics_new(&f, "x");
	char *cause = NULL;

	(void)state;
	assert_int_equal(metrics_add_line(m, "[1,2]", 5, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(metrics_add_line(m, "{\"kind\":\"x\"}", 12, &cause),
	    -1);
	free(cause);
	cause = NULL;
	assert_int_equal(metrics_add_line(m, "{not json", 9, &cause), -1);
	assert_non_null(strstr(cause, "not JSON"));
	free(cause);
	assert_int_equal(metrics_count(m), 0);
	metrics_free(m);
}

static void
test_metrics_month_bounds(void **state)
{
	time_t from, to;

	(void)state;
	assert_int_equal(metrics_month("2026-12", &from, &to), 0);
	assert_int_equal(from, 1796083200);
	assert_int_equal(to, 1798761600);
	assert_int_equal(metrics_month("2026-13", &from, &to), -1);
	assert_int_equal(metrics_month("2026-1", &from, &to), -1);
	assert_int_equal(metrics_month("november", &from, &to), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics_food_figures),
	    cmocka_unit_test(test_metrics_waste_by_destination_and_cause),
	    cmocka_unit_test(test_metrics_people_supported_latest_report_wins),
	    cmocka_unit_test(test_metrics_per_member),
	    cmocka_unit_test(test_metrics_positive_sum),
	    cmocka_unit_test(test_metrics_health),
	    cmocka_unit_test(test_metrics_weekly_and_trend),
	    cmocka_unit_test(test_metrics_hub_rollup),
	    cmocka_unit_test(test_metrics_empty_month),
	    cmocka_unit_test(test_metrics_member_without_activity),
	    cmocka_unit_test(test_metrics_offer_across_month_boundary),
	    cmocka_unit_test(test_metrics_ledger_floor),
	    cmocka_unit_test(test_metrics_disputes_referrals_challenges),
	    cmocka_unit_test(test_metrics_refuses_non_events),
	    cmocka_unit_test(test_metrics_month_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
