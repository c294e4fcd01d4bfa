/*
 * Slab allocator: caches of equally sized objects.
 *
 * A slab is one run of frames holding a slab_t header followed by objects;
 * a slab's free objects form a singly linked list through the objects
 * themselves.  Each frame of a slab records the slab (frame_t.owner), so
 * kfree() finds the cache of any object.  A cache keeps its slabs on three
 * lists (partial, full, empty) and keeps at most one empty slab; further
 * empty slabs go back to the frame allocator at once.
 *
 * Lock: slab_cache_t.lock (IRQ spinlock) protects the cache's lists and
 * counters and the slabs on them.  Lock order: cache lock before frame_lock.
 */
#ifndef KERN_MM_SLAB_H_
#define KERN_MM_SLAB_H_

#include <abi/errno.h>
#include <adt/list.h>
#include <stddef.h>
#include <synch/spinlock.h>

typedef struct slab_cache {
	const char *name;
	size_t size; /* object size, rounded to the alignment */
	size_t slab_pages; /* frames per slab */
	size_t obj_offset; /* first object's offset from the slab start */
	size_t objs_per_slab;
	list_t partial;
	list_t full;
	list_t empty;
	size_t live; /* objects handed out and not freed */
	size_t slabs; /* slabs owned */
	size_t allocs; /* total allocations, for statistics */
	link_t caches_link; /* all caches, for slab_print_stats */
	irq_spinlock_t lock;
} slab_cache_t;

/* Set up a cache (objects of @a size bytes aligned to @a align, a power of
 * two up to a page; 0 means 8).  EINVAL for sizes it cannot serve. */
errno_t slab_cache_init(slab_cache_t *cache, const char *name, size_t size, size_t align);
/* Tear a cache down; EBUSY (and nothing changes) while objects are live. */
errno_t slab_cache_fini(slab_cache_t *cache);

/* NULL when memory is exhausted. */
void *slab_alloc(slab_cache_t *cache);
void slab_free(slab_cache_t *cache, void *obj);
size_t slab_cache_live(slab_cache_t *cache);
/* Return the cached empty slab of every cache to the frame allocator. */
void slab_reclaim(void);
void slab_print_stats(void);

/* The cache owning @a obj (any object from any cache), or NULL. */
slab_cache_t *slab_cache_of(const void *obj);

#endif
