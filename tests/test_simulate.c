/*
 * test_simulate.c: replaying a month of the log under other rules, on a
 * hand-made month (tests/data/simulate-2026-11.jsonl, described in
 * tests/data/README.md) whose outcomes are worked out by hand.
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
#include "rules.h"
#include "simulate.h"

#define LOG LARDER_SOURCE_DIR "/tests/data/simulate-2026-11.jsonl"

#define assert_near(a, b)                                                      \
	do {                                                                   \
		double a_ = (a), b_ = (b);                                     \
		if (fabs(a_ - b_) > 1e-9)                                      \
			fail_msg("%.12g is not %.12g", a_, b_);                \
	} while (0)

static json_t *
load(void)
{
	json_t *events = json_array(), *ev;
	char line[4096];
	FILE *f = fopen(LOG, "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		ev = json_loads(line, 0, NULL);
		assert_non_null(ev);
		json_array_append_new(events, ev);
	}
	fclose(f);
	return events;
}

static void
run(const char *policy, struct sim_outcome *out)
{
	struct engine_rules r;
	json_t *events = load();
	char *cause = NULL;
	time_t from, to;

	engine_rules_default(&r);
	assert_int_equal(rules_parse("policy", policy, &r, &cause), 0);
	assert_int_equal(metrics_month("2026-11", &from, &to), 0);
	if (simulate_period(events, from, to, &r, out, &cause) != 0)
		fail_msg("simulate: %s", cause);
	json_decref(events);
}

static void
test_simulate_as_it_happened(void **state)
{
	struct sim_outcome was;
	json_t *events = load();
	time_t from, to;

	(void)state;
	metrics_month("2026-11", &from, &to);
	assert_int_equal(simulate_actual(events, from, to, &was), 0);
	/* Four 2 kg loaves and 3 kg of vegetables. */
	assert_int_equal(was.offered, 11000);
	assert_int_equal(was.shared, 8000);
	assert_int_equal(was.unclaimed, 3000);
	assert_int_equal(was.members, 3);
	assert_int_equal(was.recipients, 1);
	/* Per person: d 0, b 0, a 80: 2 * 240 / (3 * 80) - 4 / 3. */
	assert_near(was.gini_need, 2.0 - 4.0 / 3);
	json_decref(events);
}

static void
test_simulate_fairshare_takes_turns(void **state)
{
	struct sim_outcome sim;

	(void)state;
	run("fairshare", &sim);
	assert_int_equal(sim.offered, 11000);
	assert_int_equal(sim.shared, 8000);
	assert_int_equal(sim.unclaimed, 3000);
	/* a, b, a, b: both end ahead of what they gave. */
	assert_int_equal(sim.recipients, 2);
	/* Per person: 0, 40, 40: 2 * 200 / (3 * 80) - 4 / 3. */
	assert_near(sim.gini_need, 400.0 / 240 - 4.0 / 3);
}

static void
test_simulate_fcfs_is_the_chat_group(void **state)
{
	struct sim_outcome sim;

	(void)state;
	run("fcfs", &sim);
	/* Everything open to claims; a's request is earliest every time. */
	assert_int_equal(sim.shared, 8000);
	assert_int_equal(sim.recipients, 1);
	assert_near(sim.gini_need, 2.0 - 4.0 / 3);
}

static void
test_simulate_rules_change_the_outcome(void **state)
{
	struct engine_rules r;
	struct sim_outcome sim;
	json_t *events = load();
	char *cause = NULL;
	time_t from, to;

	(void)state;
	engine_rules_default(&r);
	/* Everything within three days of its deadline is open to claims. */
	assert_int_equal(rules_parse("flash_window", "259200", &r, &cause), 0);
	metrics_month("2026-11", &from, &to);
	assert_int_equal(simulate_period(events, from, to, &r, &sim, &cause),
	    0);
	assert_int_equal(sim.recipients, 1);
	json_decref(events);
}

static void
test_simulate_rules_parse_errors(void **state)
{
	struct engine_rules r;
	char *cause = NULL;

	(void)state;
	engine_rules_default(&r);
	assert_int_equal(rules_parse("policy", "auction", &r, &cause), -1);
	assert_non_null(strstr(cause, "auction"));
	free(cause);
	assert_int_equal(rules_parse("beta", "2", &r, &cause), -1);
	assert_non_null(strstr(cause, "from 0 to 1"));
	free(cause);
	assert_int_equal(rules_parse("colour", "red", &r, &cause), -1);
	assert_non_null(strstr(cause, "no rule"));
	free(cause);
	assert_int_equal(rules_parse("beta", "0.4", &r, &cause), 0);
	assert_near(r.beta, 0.4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simulate_as_it_happened),
	    cmocka_unit_test(test_simulate_fairshare_takes_turns),
	    cmocka_unit_test(test_simulate_fcfs_is_the_chat_group),
	    cmocka_unit_test(test_simulate_rules_change_the_outcome),
	    cmocka_unit_test(test_simulate_rules_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
