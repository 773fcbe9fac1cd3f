/*
 * Freed blocks are kept in one list per size: list k holds blocks with
 * room for at least 16k bytes and answers requests of 16(k-1)+1 to 16k
 * bytes. A block's room is what malloc_usable_size says, so no header is
 * needed and a block from any malloc can join the list its room allows.
 * A list keeps at most JALLOC_KEEP bytes; beyond that, free frees.
 *
 * Under AddressSanitizer a kept block is poisoned but for its link, so
 * using one after freeing it is still caught.
 */
#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>

#include "jalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define JALLOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JALLOC_ASAN 1
#endif
#endif
#ifdef JALLOC_ASAN
#include <sanitizer/asan_interface.h>
#define JALLOC_POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define JALLOC_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define JALLOC_POISON(p, n)   ((void)(p), (void)(n))
#define JALLOC_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define JALLOC_STEP  16
#define JALLOC_LISTS (JALLOC_MAX / JALLOC_STEP + 1)

struct jalloc_block {
	struct jalloc_block *next;
};

static __thread struct jalloc_block *jalloc_list[JALLOC_LISTS];
static __thread unsigned jalloc_count[JALLOC_LISTS];

/* Makes jansson allocate through jalloc; before any jansson value exists. */
void
jalloc_install(void)
{
	json_set_alloc_funcs(jalloc_malloc, jalloc_free);
}

void *
jalloc_malloc(size_t size)
{
	struct jalloc_block *b;
	size_t k;

	if (size == 0 || size > JALLOC_MAX)
		return malloc(size);
	k = (size + JALLOC_STEP - 1) / JALLOC_STEP;
	if ((b = jalloc_list[k]) == NULL)
		return malloc(k * JALLOC_STEP);
	JALLOC_UNPOISON(b, k * JALLOC_STEP);
	jalloc_list[k] = b->next;
	jalloc_count[k]--;
	return b;
}

void
jalloc_free(void *p)
{
	struct jalloc_block *b = p;
	size_t room, k;

	if (p == NULL)
		return;
	room = malloc_usable_size(p);
	k = room / JALLOC_STEP;
	if (k == 0 || k >= JALLOC_LISTS ||
	    jalloc_count[k] >= JALLOC_KEEP / (k * JALLOC_STEP)) {
		free(p);
		return;
	}
	b->next = jalloc_list[k];
	jalloc_list[k] = b;
	jalloc_count[k]++;
	JALLOC_POISON((char *)b + sizeof *b, room - sizeof *b);
}

/* The bytes this thread keeps in its lists, for tests and statistics. */
size_t
jalloc_kept(void)
{
	size_t k, n = 0;

	for (k = 1; k < JALLOC_LISTS; k++)
		n += jalloc_count[k] * k * JALLOC_STEP;
	return n;
}

/* Frees every block this thread keeps (at exit, so leak checkers agree). */
void
jalloc_flush(void)
{
	struct jalloc_block *b;
	size_t k;

	for (k = 1; k < JALLOC_LISTS; k++) {
		while ((b = jalloc_list[k]) != NULL) {
			JALLOC_UNPOISON(b, k * JALLOC_STEP);
			jalloc_list[k] = b->next;
			free(b);
		}
		jalloc_count[k] = 0;
	}
}
