/*
 * bars.c: the members barred from each open offer: those who declined it
 * or let a proposal of it lapse, who are not asked again, and those with
 * a proposal of it awaiting their answer. Kept by offer, so that asking
 * whether one member is barred looks at that offer's few, not at every
 * proposal in the network.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

/* An offer's list, or NULL. */
static struct bar_list *
bars_get(const struct engine *e, int64_t offer)
{
	return table_get(&e->bars, offer);
}

/* An offer's list, made empty if it has none. */
static struct bar_list *
bars_find(struct engine *e, int64_t offer)
{
	struct bar_list *b, fresh;

	if ((b = bars_get(e, offer)) != NULL)
		return b;
	memset(&fresh, 0, sizeof fresh);
	fresh.offer = offer;
	if (table_put(&e->bars, &fresh) != 0)
		return NULL;
	return bars_get(e, offer);
}

/* Bars a member from an offer. */
int
bars_add(struct engine *e, int64_t offer, int64_t member)
{
	struct bar_list *b = bars_find(e, offer);
	int64_t *rows;

	if (b == NULL ||
	    (rows = engine_grow(b->member, &b->cap, b->n, sizeof *rows)) ==
	        NULL)
		return -1;
	b->member = rows;
	b->member[b->n++] = member;
	return 0;
}

/* Lifts a bar: the member accepted, and may be offered more of it. */
void
bars_remove(struct engine *e, int64_t offer, int64_t member)
{
	struct bar_list *b = bars_get(e, offer);
	size_t i;

	for (i = 0; b != NULL && i < b->n; i++) {
		if (b->member[i] == member) {
			b->member[i] = b->member[--b->n];
			return;
		}
	}
}

/* The members barred from an offer; *n of them. */
const int64_t *
bars_of(const struct engine *e, int64_t offer, size_t *n)
{
	const struct bar_list *b = bars_get(e, offer);

	*n = b != NULL ? b->n : 0;
	return b != NULL ? b->member : NULL;
}

/* Whether a member is barred from an offer. */
int
bars_has(const struct engine *e, int64_t offer, int64_t member)
{
	const int64_t *m;
	size_t i, n;

	m = bars_of(e, offer, &n);
	for (i = 0; i < n; i++) {
		if (m[i] == member)
			return 1;
	}
	return 0;
}

/* Forgets an offer's bars, when the offer leaves the engine. */
void
bars_drop(struct engine *e, int64_t offer)
{
	struct bar_list *b = bars_get(e, offer);

	if (b == NULL)
		return;
	free(b->member);
	table_drop(&e->bars, offer);
}

void
bars_free(struct engine *e)
{
	struct bar_list *rows = e->bars.rows;
	size_t i;

	for (i = 0; i < e->bars.n; i++)
		free(rows[i].member);
	table_free(&e->bars);
}
