/*
 * bench_metrics.c: how fast the metrics core reads a month of one million
 * generated events and reports on it. Prints figures; asserts nothing
 * (the machine is shared and its speed is not the code's).
 *
 *	bench_metrics [EVENTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "proto.h"

#define MEMBERS 10000
#define HUBS    20

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes event i of a generated month into buf: members join, then
 * offers, collections and waste follow one another through November. */
static size_t
bench_event(char *buf, size_t len, long i, long n)
{
	time_t base = 1793491200; /* 2026-11-01 */
	char at[PROTO_TIME_LEN];
	long m = i % MEMBERS, other = (i * 7919) % MEMBERS;

	proto_time_format(base + (time_t)((double)i / (double)n * 2592000), at,
	    sizeof at);
	if (i < MEMBERS)
		return (size_t)snprintf(buf, len,
		    "{\"seq\":%ld,\"at\":\"%s\","
		    "\"kind\":\"member.joined\",\"member\":\"m%ld\",\"hub\":"
		    "\"h%ld\",\"people\":%ld}",
		    i + 1, at, m, m % HUBS, 50 + m % 200);
	switch (i % 3) {
	case 0:
		return (size_t)snprintf(buf, len,
		    "{\"seq\":%ld,\"at\":\"%s\","
		    "\"kind\":\"offer.posted\",\"member\":\"m%ld\",\"hub\":"
		    "\"h%ld\",\"offer\":%ld,\"grams\":%ld}",
		    i + 1, at, m, m % HUBS, i, 1000 + i % 9000);
	case 1:
		return (size_t)snprintf(buf, len,
		    "{\"seq\":%ld,\"at\":\"%s\","
		    "\"kind\":\"allocation.collected\",\"member\":\"m%ld\","
		    "\"donor\":\"m%ld\",\"hub\":\"h%ld\",\"allocation\":%ld,"
		    "\"offer\":%ld,\"grams\":%ld}",
		    i + 1, at, other, m, m % HUBS, i, i - 1, 800 + i % 8000);
	default:
		return (size_t)snprintf(buf, len,
		    "{\"seq\":%ld,\"at\":\"%s\","
		    "\"kind\":\"waste.recorded\",\"member\":\"m%ld\",\"hub\":"
		    "\"h%ld\",\"offer\":%ld,\"grams\":%ld,\"destination\":"
		    "\"compost\",\"cause\":\"unclaimed\"}",
		    i + 1, at, m, m % HUBS, i - 2, 100 + i % 500);
	}
}

int
main(int argc, char **argv)
{
	struct metrics_factors f = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	long n = argc > 1 ? atol(argv[1]) : 1000000, i;
	struct metrics *m = metrics_new(&f, "bench");
	double t0, t1, t2;
	char line[512], *cause = NULL;
	size_t len, bytes = 0;
	time_t from, to;
	json_t *r;

	if (m == NULL || n < MEMBERS + 3)
		return 1;
	t0 = seconds();
	for (i = 0; i < n; i++) {
		len = bench_event(line, sizeof line, i, n);
		bytes += len;
		if (metrics_add_line(m, line, len, &cause) != 0) {
			fprintf(stderr, "bench: %s\n", cause);
			return 1;
		}
	}
	t1 = seconds();
	metrics_month("2026-11", &from, &to);
	r = metrics_report(m, from, to, NULL);
	t2 = seconds();
	printf("events                %ld (%.1f MB of JSON Lines)\n", n,
	    (double)bytes / 1e6);
	printf("read and reduce       %.3f s, %.0f events/s\n", t1 - t0,
	    (double)n / (t1 - t0));
	printf("report for the month  %.3f s, %.0f events/s\n", t2 - t1,
	    (double)n / (t2 - t1));
	printf("redistributed         %lld g\n",
	    (long long)json_integer_value(json_object_get(
	        json_object_get(r, "figures"), "redistributed_g")));
	/* The lines tests/bench/run reads for its table. */
	printf("figure: metrics_events_per_s %.0f events/s\n",
	    (double)n / (t2 - t1));
	printf("figure: metrics_read_events_per_s %.0f events/s\n",
	    (double)n / (t1 - t0));
	json_decref(r);
	metrics_free(m);
	return 0;
}
