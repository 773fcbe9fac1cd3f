/*
 * bench_engine.c: how fast the allocation engine, in-process, deals
 * 100,000 offers against 50,000 open requests from 10,000 members, under
 * fairshare and under fcfs as the baseline. Every proposal is accepted at
 * once, as the daemon would be told, and every offer open to claims is
 * claimed by the earliest fitting request of a member who asked for food.
 * Fairshare runs twice: with the reason record larderd keeps for every
 * proposal, and without, as larder simulate runs it. Prints figures;
 * asserts nothing (the machine is shared and its speed is not the
 * code's).
 *
 *	bench_engine [--offers N] [--members N] [--requests N] [--limit S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine_impl.h"

#define BENCH_T0         1793491200 /* 2026-11-01 00:00:00 UTC */
#define BENCH_HOUR       3600
#define BENCH_DAY        (24 * BENCH_HOUR)
#define BENCH_HUBS       100
#define BENCH_STEP       3    /* seconds between two offers */
#define BENCH_SWEEP      1000 /* offers between two sweeps of deadlines */
#define BENCH_CATEGORIES 10

/* What one policy's run measured, passed from the child to the parent. */
struct bench_result {
	char policy[16];
	long offers;     /* offers posted before the run ended */
	double seconds;  /* spent dealing them */
	long proposals;  /* proposals made, all accepted */
	long claims;     /* claims granted on offers open to all */
	long flashed;    /* offers opened to claims */
	long long grams; /* grams that found a member */
	long rss_kb;     /* peak resident size of the run */
	int complete;    /* 0 when the time limit stopped it */
};

/* The run's settings and state. */
struct bench {
	struct engine *e;
	uint64_t rng;
	time_t now;
	long offers, members, requests;
	double limit;
	int reasons; /* proposals carry reason records, as in larderd */
	int64_t next_request;
	struct bench_result *res;
};

/* The network's categories, with how often each is offered (per mille). */
static const struct {
	const char *name;
	int weight;
	unsigned storage;
	int perishable;
} bench_cats[BENCH_CATEGORIES] = {
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

/* The wall clock, in seconds, for timing only. */
static double
bench_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A pseudo-random number from the run's own seeded generator. */
static uint64_t
bench_rand(struct bench *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dULL;
}

/* A number from 0 to n - 1. */
static int64_t
bench_below(struct bench *b, int64_t n)
{
	return (int64_t)(bench_rand(b) % (uint64_t)n);
}

/* A category drawn by how often it is offered. */
static int
bench_category(struct bench *b)
{
	int64_t x = bench_below(b, 1000);
	int i;

	for (i = 0; i < BENCH_CATEGORIES - 1; i++) {
		if ((x -= bench_cats[i].weight) < 0)
			return i;
	}
	return BENCH_CATEGORIES - 1;
}

/* Registers the members: varied need, hubs, storage and standing. */
static int
bench_members(struct bench *b)
{
	struct engine_member m;
	long i;

	for (i = 1; i <= b->members; i++) {
		memset(&m, 0, sizeof m);
		m.id = i;
		snprintf(m.handle, sizeof m.handle, "m%ld", i);
		snprintf(m.hub, sizeof m.hub, "hub%03d",
		    (int)bench_below(b, BENCH_HUBS));
		m.people = 10 + bench_below(b, 40) +
		    (bench_below(b, 10) == 0 ? bench_below(b, 900) : 0);
		m.storage = STORAGE_AMBIENT;
		if (bench_below(b, 10) < 7)
			m.storage |= STORAGE_CHILLED;
		if (bench_below(b, 10) < 3)
			m.storage |= STORAGE_FROZEN;
		if (bench_below(b, 100) < 2)
			m.standing = STANDING_WARNING;
		else if (bench_below(b, 100) < 1)
			m.standing = STANDING_RESTRICTED;
		m.contributed = bench_below(b, 50000);
		if (engine_member_put(b->e, &m) != 0)
			return -1;
	}
	return 0;
}

/* Posts an open request of member: one to three categories, a window. */
static int
bench_request(struct bench *b, int64_t member)
{
	const struct engine_member *m = engine_member_find(b->e, member);
	struct engine_request r;
	int i, n;

	if (m == NULL)
		return -1;
	memset(&r, 0, sizeof r);
	r.id = ++b->next_request;
	r.member = member;
	n = 1 + (int)bench_below(b, 3);
	for (i = 0; i < n; i++)
		r.categories |= UINT64_C(1) << bench_category(b);
	r.storage = m->storage;
	r.window_start = b->now - bench_below(b, 2 * BENCH_DAY);
	r.window_end = b->now + 3 * BENCH_DAY + bench_below(b, 11 * BENCH_DAY);
	r.posted = r.window_start;
	r.wanted = 5000 + bench_below(b, 45000);
	return engine_request_put(b->e, &r);
}

/* Makes offer id from a random donor: category, size, dates, window. */
static void
bench_offer_make(struct bench *b, int64_t id, struct engine_offer *o)
{
	const struct engine_member *d;
	time_t use_by;
	int c = bench_category(b);

	memset(o, 0, sizeof *o);
	o->id = id;
	o->donor = 1 + bench_below(b, b->members);
	d = engine_member_find(b->e, o->donor);
	snprintf(o->hub, sizeof o->hub, "%s", d != NULL ? d->hub : "");
	o->category = c;
	o->storage = bench_cats[c].storage;
	o->posted = b->now;
	o->window_start = b->now + bench_below(b, 4) * BENCH_HOUR;
	o->window_end =
	    o->window_start + 3 * BENCH_HOUR + bench_below(b, 6 * BENCH_HOUR);
	o->deadline = o->window_end;
	if (bench_cats[c].perishable) {
		use_by = b->now + (1 + bench_below(b, 4)) * BENCH_DAY;
		if (use_by - 2 * BENCH_HOUR < o->deadline)
			o->deadline = use_by - 2 * BENCH_HOUR;
	}
	o->free = 500 + bench_below(b, 15000) +
	    (bench_below(b, 5) == 0 ? bench_below(b, 60000) : 0);
	o->divisible = bench_below(b, 100) < 85;
	o->min_portion = o->divisible && o->free > 1000 ? 1000 : o->free;
}

/* Replaces a request nothing more can be given to with a new one. */
static int
bench_refill(struct bench *b, int64_t request)
{
	const struct engine_request *r = engine_request_find(b->e, request);
	int64_t member;

	if (r == NULL || r->wanted > 0)
		return 0;
	member = r->member;
	engine_request_drop(b->e, request);
	return bench_request(b, member);
}

/* Claims an offer open to all for the member of a random open request. */
static int
bench_claim(struct bench *b, int64_t offer)
{
	struct engine_request *rs = b->e->requests.rows;
	struct engine_out out;
	char *cause = NULL;
	int64_t member, request;
	int rc = 0;

	if (b->e->requests.n == 0)
		return 0;
	member = rs[bench_below(b, (int64_t)b->e->requests.n)].member;
	engine_out_init(&out);
	if (engine_claim(b->e, offer, member, 0, b->now, &out, &cause) != 0) {
		free(cause); /* nothing of it fits that member: no claim */
		engine_out_clear(&out);
		return 0;
	}
	b->res->claims++;
	b->res->grams += out.proposals[0].grams;
	request = out.proposals[0].request;
	engine_out_clear(&out);
	rc = bench_refill(b, request);
	return rc;
}

/* Accepts every proposal in out, and claims what was opened to all. */
static int
bench_settle(struct bench *b, struct engine_out *out)
{
	struct engine_out more;
	size_t i;
	int rc = 0;

	for (i = 0; i < out->nproposals && rc == 0; i++) {
		engine_out_init(&more);
		rc = engine_answer(b->e, out->proposals[i].offer,
		    out->proposals[i].member, ANSWER_ACCEPTED, b->now, &more);
		b->res->proposals++;
		b->res->grams += out->proposals[i].grams;
		if (rc == 0)
			rc = bench_settle(b, &more);
		engine_out_clear(&more);
		if (rc == 0)
			rc = bench_refill(b, out->proposals[i].request);
	}
	for (i = 0; i < out->nflashed && rc == 0; i++) {
		b->res->flashed++;
		rc = bench_claim(b, out->flashed[i]);
	}
	return rc;
}

/* Drops every offer that is gone: all given, or past its deadline. */
static void
bench_sweep(struct bench *b)
{
	struct engine_offer *os = b->e->offers.rows;
	size_t i = 0;

	while (i < b->e->offers.n) {
		if ((os[i].free <= 0 && !engine_has_pending(b->e, os[i].id)) ||
		    os[i].deadline <= b->now)
			engine_offer_drop(b->e, os[i].id);
		else
			i++;
	}
}

/* Posts one offer through the policy and settles what it decided. */
static int
bench_post(struct bench *b, int64_t id)
{
	struct engine_offer o;
	struct engine_out out;
	int rc;

	bench_offer_make(b, id, &o);
	if (engine_offer_put(b->e, &o) != 0)
		return -1;
	engine_out_init(&out);
	rc = engine_offer_posted(b->e, id, b->now, &out);
	if (rc == 0)
		rc = bench_settle(b, &out);
	engine_out_clear(&out);
	return rc;
}

/* Sets up the network, then deals the offers, timing only the dealing. */
static int
bench_run(struct bench *b, const char *policy)
{
	struct engine_rules rules;
	struct rusage ru;
	char *cause = NULL;
	double t0;
	long i;

	engine_rules_default(&rules);
	snprintf(rules.policy, sizeof rules.policy, "%s", policy);
	snprintf(b->res->policy, sizeof b->res->policy, "%s", policy);
	if ((b->e = engine_new(&rules, &cause)) == NULL) {
		fprintf(stderr, "bench_engine: %s\n", cause);
		free(cause);
		return -1;
	}
	engine_set_reasons(b->e, b->reasons);
	b->now = BENCH_T0;
	engine_set_last_decay(b->e, b->now);
	if (bench_members(b) != 0)
		return -1;
	for (i = 0; i < b->requests; i++) {
		if (bench_request(b, 1 + bench_below(b, b->members)) != 0)
			return -1;
	}
	b->res->complete = 1;
	t0 = bench_seconds();
	for (i = 1; i <= b->offers; i++) {
		b->now += BENCH_STEP;
		if (bench_post(b, i) != 0)
			return -1;
		b->res->offers = i;
		if (i % BENCH_SWEEP == 0)
			bench_sweep(b);
		if (i % 100 == 0 && bench_seconds() - t0 > b->limit) {
			b->res->complete = 0;
			break;
		}
	}
	b->res->seconds = bench_seconds() - t0;
	getrusage(RUSAGE_SELF, &ru);
	b->res->rss_kb = ru.ru_maxrss;
	engine_free(b->e);
	return 0;
}

/* Runs one policy in a child, so each has its own peak memory. */
static int
bench_policy(struct bench *b, const char *policy, struct bench_result *res)
{
	int fd[2], status;
	pid_t pid;

	memset(res, 0, sizeof *res);
	if (pipe(fd) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		b->res = res;
		if (bench_run(b, policy) != 0)
			_exit(1);
		_exit(write(fd[1], res, sizeof *res) == sizeof *res ? 0 : 1);
	}
	close(fd[1]);
	if (read(fd[0], res, sizeof *res) != sizeof *res)
		res->offers = -1;
	close(fd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || res->offers < 0)
		return -1;
	return 0;
}

/* Prints what a run measured, for reading. */
static void
bench_print(const struct bench_result *r)
{
	double rate = r->seconds > 0 ? (double)r->offers / r->seconds : 0;

	printf("%-9s %ld offers in %.3f s (%s), %.0f offers/s\n", r->policy,
	    r->offers, r->seconds,
	    r->complete ? "complete" : "stopped at the time limit", rate);
	printf("%-9s %ld proposals accepted, %ld offers opened to claims, "
	       "%ld claims, %.1f t given\n",
	    r->policy, r->proposals, r->flashed, r->claims,
	    (double)r->grams / 1e6);
	printf("%-9s peak resident size %.1f MB\n", r->policy,
	    (double)r->rss_kb / 1024);
}

/* Reads the command line into the run's settings. */
static int
bench_args(int argc, char **argv, struct bench *b)
{
	int i;

	b->offers = 100000;
	b->members = 10000;
	b->requests = 50000;
	b->limit = 300;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--offers") == 0)
			b->offers = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--members") == 0)
			b->members = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--requests") == 0)
			b->requests = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--limit") == 0)
			b->limit = atof(argv[i + 1]);
		else
			break;
	}
	if (i != argc || b->offers < 1 || b->members < 2 || b->requests < 1 ||
	    b->limit <= 0) {
		fprintf(stderr,
		    "usage: bench_engine [--offers N] [--members N] "
		    "[--requests N] [--limit SECONDS]\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench_result fair, bare, fcfs;
	struct bench b;
	double fair_rate, bare_rate, fcfs_rate;

	memset(&b, 0, sizeof b);
	if (bench_args(argc, argv, &b) != 0)
		return 2;
	printf("network   %ld members, %ld open requests, %ld offers, "
	       "one every %d s\n",
	    b.members, b.requests, b.offers, BENCH_STEP);
	fflush(stdout);
	b.rng = 0x6c617264657231ULL;
	b.reasons = 1;
	if (bench_policy(&b, "fairshare", &fair) != 0)
		return 1;
	bench_print(&fair);
	fflush(stdout);
	/* As larder simulate runs it: the same choices, no reason records. */
	b.rng = 0x6c617264657231ULL;
	b.reasons = 0;
	if (bench_policy(&b, "fairshare", &bare) != 0)
		return 1;
	printf("without reason records (as larder simulate): %ld offers in "
	       "%.3f s\n",
	    bare.offers, bare.seconds);
	fflush(stdout);
	b.rng = 0x6c617264657231ULL;
	b.reasons = 1;
	if (bench_policy(&b, "fcfs", &fcfs) != 0)
		return 1;
	bench_print(&fcfs);
	fair_rate = fair.seconds > 0 ? (double)fair.offers / fair.seconds : 0;
	bare_rate = bare.seconds > 0 ? (double)bare.offers / bare.seconds : 0;
	fcfs_rate = fcfs.seconds > 0 ? (double)fcfs.offers / fcfs.seconds : 0;
	printf("fairshare runs at %.3f times the speed of fcfs\n",
	    fcfs_rate > 0 ? fair_rate / fcfs_rate : 0);
	printf("figure: engine_offers_per_s %.0f offers/s\n", fair_rate);
	printf("figure: engine_offers_done %ld offers\n", fair.offers);
	printf("figure: engine_seconds %.3f s\n", fair.seconds);
	printf("figure: engine_seconds_per_100k %.3f s\n",
	    fair_rate > 0 ? 100000 / fair_rate : 0);
	printf("figure: engine_proposals %ld proposals\n", fair.proposals);
	printf("figure: engine_bare_offers_per_s %.0f offers/s\n", bare_rate);
	printf("figure: engine_rss_mb %.1f MB\n", (double)fair.rss_kb / 1024);
	printf("figure: engine_fcfs_offers_per_s %.0f offers/s\n", fcfs_rate);
	printf("figure: engine_fcfs_seconds %.3f s\n", fcfs.seconds);
	printf("figure: engine_fcfs_claims %ld claims\n", fcfs.claims);
	printf("figure: engine_fcfs_rss_mb %.1f MB\n",
	    (double)fcfs.rss_kb / 1024);
	printf("figure: engine_fairshare_over_fcfs %.3f ratio\n",
	    fcfs_rate > 0 ? fair_rate / fcfs_rate : 0);
	return 0;
}
