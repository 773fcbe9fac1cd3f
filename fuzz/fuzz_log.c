/*
 * fuzz_log.c: libFuzzer target for the exchange-log export reader behind
 * larder report --from-log: each line goes to the metrics core as the
 * client feeds it, then the month is reported and rendered as text, CSV
 * and HTML.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct metrics_factors f = {METRICS_GRAMS_PER_MEAL,
	    METRICS_CO2E_PER_KG};
	const char *p = (const char *)data, *end = p + size, *nl;
	struct metrics *m;
	char *cause = NULL;
	time_t from, to;
	json_t *r;

	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	if ((m = metrics_new(&f, NULL)) == NULL)
		abort();
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl - p > 1 &&
		    metrics_add_line(m, p, (size_t)(nl - p), &cause) != 0)
			break;
	}
	free(cause);
	if (metrics_month("2026-12", &from, &to) != 0)
		abort();
	if ((r = metrics_report(m, from, to, NULL)) != NULL) {
		render_text(r, null);
		render_csv(r, null);
		render_html(r, null);
		json_decref(r);
	}
	metrics_free(m);
	return 0;
}
