/*
 * jalloc.h: jansson's allocator in larderd. Parsing a request and building
 * its records makes and frees about a hundred small blocks, more of one
 * size at a time than the C library keeps ready, so most of them went the
 * slow way through malloc and free. jalloc keeps freed blocks of up to
 * JALLOC_MAX bytes by size and hands them out again. Every block is an
 * ordinary malloc block, so text jansson returns (json_dumps) may still
 * be freed with free(). Each thread keeps its own blocks.
 */
#ifndef LARDER_JALLOC_H
#define LARDER_JALLOC_H

#include <stddef.h>

#define JALLOC_MAX  512   /* larger blocks go straight to malloc and free */
#define JALLOC_KEEP 65536 /* bytes kept at most per size, per thread */

void jalloc_install(void);
void *jalloc_malloc(size_t);
void jalloc_free(void *);
size_t jalloc_kept(void);
void jalloc_flush(void);

#endif
