/*
 * Physical frame allocator.
 *
 * One frame_t per physical page frame, in an array indexed by frame number.
 * Free memory is kept as a binary buddy system (blocks of 2^order frames,
 * order 0..FRAME_MAX_ORDER).  A run of any length is carved from the
 * smallest block that holds it and the tail is given back at once.  Every
 * allocated frame has its own reference count: a frame a pager supplies may
 * be mapped in the pager and in several clients at once, and it returns to
 * the free pool when its last reference is dropped.
 *
 * Lock: frame_lock (IRQ spinlock, file-local) protects the free lists, the
 * counters and every frame_t field; it is a leaf lock.
 */
#ifndef KERN_MM_FRAME_H_
#define KERN_MM_FRAME_H_

#include <abi/errno.h>
#include <adt/list.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX_ORDER 10 /* 4 MiB runs at most */

/* Allocation flags. */
#define FRAME_ZERO (1u << 0) /* fill the frames with zeros */
/* The frames' use (frame_use_t) in bits 8-15: set and counted under the
 * allocation's own lock hold, where a frame_use_mark after it would take
 * the lock again (a page table made on the fault path, a wired page). */
#define FRAME_USE_FLAGS(use) ((unsigned) (use) << 8)
#define FRAME_USE_OF_FLAGS(flags) ((frame_use_t) (((flags) >> 8) & 0xffu))

/* What an allocated frame is used for (frame_t.use): given to the
 * allocation (FRAME_USE_FLAGS), or set later with frame_use_mark (which
 * also sets the owner); counted per use (frame_use_counts). */
typedef enum frame_use {
	FRAME_USE_NONE = 0, /* not marked (the profiler's buffer, tests) */
	FRAME_USE_SLAB, /* owner: the slab_t the page belongs to */
	FRAME_USE_LARGE, /* owner: run length (a large kmalloc) */
	FRAME_USE_PTABLE, /* owner: number of present entries in the table */
	FRAME_USE_KSTACK, /* a kernel stack page */
	FRAME_USE_WIRED, /* a page of a wired area (it may be shared on) */
	FRAME_USE_DMA, /* a page of a DMA buffer */
	FRAME_USE_COUNT
} frame_use_t;

typedef struct frame {
	uint32_t refcount;
	uint8_t order; /* order of the free block this frame heads */
	uint8_t state; /* FRAME_STATE_* (file-local meaning) */
	uint8_t use; /* frame_use_t, set by the frame's user */
	link_t link; /* free list of its order */
	void *owner; /* meaning depends on use */
} frame_t;

void frame_init(void);

/* Allocate @a count contiguous frames with a reference count of one each:
 * EINVAL (count 0), ENOMEM. */
errno_t frame_alloc(size_t count, unsigned flags, uintptr_t *pa);
/* The same with all of [*pa, *pa + count pages) at or below the physical
 * address @a limit (DMA buffers a device can reach): ENOMEM also when
 * only memory above it is free.  The search walks the free lists of the
 * orders that fit (the common allocation takes the first block). */
errno_t frame_alloc_below(size_t count, unsigned flags, uint64_t limit, uintptr_t *pa);
/* Whether any frame of [pa, pa + count pages) is RAM the allocator hands
 * out (free or allocated), as opposed to holes, firmware and boot data:
 * a physical mapping of device memory must not reach it. */
bool frame_range_managed(uint64_t pa, size_t count);
/* Drop one reference on each of @a count frames starting at @a pa. */
void frame_free(uintptr_t pa, size_t count);
void frame_ref_add(uintptr_t pa);
/* One more reference on each frame of @a pa[0..n), under one lock, if
 * every one is a managed frame in use: else false, and nothing taken. */
bool frame_ref_add_many(const uintptr_t *pa, size_t n);
/* Drop one reference; true if that freed the frame. */
bool frame_ref_drop(uintptr_t pa);
uint32_t frame_refcount(uintptr_t pa);
/* Mark the @a count allocated frames from @a pa as used for @a use, with
 * @a owner (its meaning: frame_use_t), moving them between the counts. */
void frame_use_mark(uintptr_t pa, size_t count, frame_use_t use, void *owner);
/* The frames allocated now by use, into @a out (indexed by frame_use_t;
 * FRAME_USE_NONE: not marked), and the free frames, all at one instant:
 * they add up to frame_total_count(). */
size_t frame_use_counts(size_t out[FRAME_USE_COUNT]);

/* frame_t of an allocated frame (NULL if pa is not RAM we manage). */
frame_t *frame_get(uintptr_t pa);
uintptr_t frame_pa(const frame_t *f);

size_t frame_free_count(void);
size_t frame_total_count(void);

/* Low memory (see mm/frame.c): the watermarks, in frames (low:
 * max(total / 16, FRAME_LOW_MIN); high: twice that, at most the total). */
#define FRAME_LOW_MIN 256
size_t frame_low_watermark(void);
size_t frame_high_watermark(void);
/* From now on an allocation below the low watermark wakes frame_low_wait. */
void frame_low_watch(void);
/* Sleep until an allocation went below the low watermark (the flag is
 * raised; it stays raised until frame_low_rearm). */
void frame_low_wait(void);
/* Lower the flag; if memory is still low the next allocation raises it. */
void frame_low_rearm(void);

/* Check the allocator's invariants (free lists vs. counters, the use
 * counts adding up to the frames allocated); for tests. */
errno_t frame_check(void);

#endif
