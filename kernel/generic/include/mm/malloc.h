/*
 * General-purpose kernel allocation on top of the slab allocator: sizes up
 * to KMALLOC_MAX_SLAB come from power-of-two caches, larger ones take a run
 * of frames directly (the first frame records the run length).
 */
#ifndef KERN_MM_MALLOC_H_
#define KERN_MM_MALLOC_H_

#include <stddef.h>

#define KMALLOC_MAX_SLAB 2048

void malloc_init(void);
/* NULL when memory is exhausted (or size is 0). */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void free(void *ptr);
/* Allocations live now (slab and large), for leak checks. */
size_t malloc_live_count(void);

#endif
