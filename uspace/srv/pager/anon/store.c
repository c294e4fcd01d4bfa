/*
 * The anon pager's page store: blocks of 1 .. ANON_RUN pages of the
 * pager's own wired memory (the pager is never paged), with a reference
 * count per page.
 *
 * A block is made to fill a run of an object's pages (anon.c decides
 * which), page i of the block for the i-th page of the run, so a run of an
 * object's pages is a run of pager addresses and one page-in answer can
 * map it whole.  Copy-on-write copies take single pages: from a block of
 * ANON_RUN pages made for copies, whose fresh pages wait on the fresh
 * list.  Pages are never recycled: after a page's last reference goes it
 * stays unused until the whole block goes.  Reusing it would write a
 * frame a client might still map (the kernel's reference keeps the frame,
 * not the pager's interest in it).
 *
 * Memory.  Blocks are cut from one growing wired area, the tail: a new
 * block is the next pages past its end (as_area_resize grows it, and the
 * kernel zeroes the new frames), so filling a large object costs one
 * small system call per block and the pager keeps a handful of areas, not
 * one per block.  A block that goes is unmapped (as_area_unmap: the
 * kernel trims or splits the area holding it, and the frames go back to
 * the system once no client maps them).  When the tail cannot grow
 * (another area follows it) a new tail is placed first fit from
 * STORE_HINT, far above where the kernel puts anything else of ours, so
 * holes left by blocks that went are filled again before the store
 * reaches higher.  A block whose unmap fails (the kernel had no memory
 * for a split) waits on store_stuck and is retried when the dead blocks
 * are next drained.  A block made in an area of its own (the tail was
 * busy) touches no tail bookkeeping: it is unmapped by the thread that
 * frees it, at once, so a store_mem_lock holder that the scheduler put
 * aside never keeps such blocks' memory from the system (under a storm of
 * short-lived tasks every block can be one, and thousands piled up).
 * Why a holder was put aside for up to a second: the scheduler demoted it
 * (the tick that ended a slice came while it ran) and the storm's threads,
 * each back at the top level at every wakeup, kept the top level full
 * until the next boost; the kernel now ages waiting threads up a level
 * every few ticks (kernel/generic/include/proc/scheduler.h), so a holder
 * put aside waits tens of milliseconds, not a second.
 *
 * Locks: store_lock covers the counts, fresh bits and the fresh and dead
 * lists (callers hold an object lock first; no system call under it);
 * store_mem_lock covers the tail, the stuck list and the system calls
 * that change the pager's areas, and nobody ever waits for it (see
 * store_mem_alloc).  store_lock may be taken under store_mem_lock, never
 * the reverse.
 */
#include "anon_priv.h"
#include <as.h>
#include <stdlib.h>

#define STORE_AREA_FLAGS (AS_AREA_READ | AS_AREA_WRITE)
/* Where the store's areas go: far above where the kernel places the rest
 * of the pager's areas (heap, stacks), so the tail has room to grow. */
#define STORE_HINT 0x0000400000000000UL

static lock_t store_lock = LOCK_INITIALIZER;
static anon_block_t *store_fresh; /* blocks with fresh pages (copy blocks) */
static anon_block_t *store_dead; /* blocks whose memory is to go back */
static uint64_t store_blocks;
static uint64_t store_pages;
static uint64_t store_used;

/* Never waited for: see store_mem_alloc and store_block_release. */
static lock_t store_mem_lock = LOCK_INITIALIZER;
static uintptr_t store_tail_base, store_tail_end; /* 0: no tail */
static anon_block_t *store_stuck; /* blocks the kernel could not unmap yet */

uintptr_t store_page_addr(const anon_block_t *b, unsigned page)
{
	return b->base + (uintptr_t) page * PAGE_SIZE;
}

/* @a bytes more at the end of the tail, or a new tail (store_mem_lock). */
static errno_t store_tail_grow_locked(size_t bytes, uintptr_t *out)
{
	errno_t rc = ENOENT;
	uintptr_t base;

	if (store_tail_base != 0)
		rc = as_area_resize(store_tail_base, store_tail_end - store_tail_base + bytes);
	if (rc == EOK) {
		*out = store_tail_end;
		store_tail_end += bytes;
		return EOK;
	}
	if (rc == ENOMEM || rc == ELIMIT)
		return rc;
	/* no tail, or something follows it: start a new one */
	rc = as_area_create(STORE_HINT, bytes, STORE_AREA_FLAGS, &base);
	if (rc == EOK) {
		store_tail_base = base;
		store_tail_end = base + bytes;
		*out = base;
	}
	return rc;
}

/* Give [base, base + bytes) back (store_mem_lock held). */
static errno_t store_mem_unmap_locked(uintptr_t base, size_t bytes)
{
	uintptr_t end = base + bytes;
	errno_t rc = as_area_unmap(base, bytes);

	if (rc != EOK || base < store_tail_base || end > store_tail_end)
		return rc;
	/* it was part of the tail: what is left of the tail area is the
	 * part below the block if the block was at its end, else the part
	 * above (the kernel made that a new area) */
	if (end == store_tail_end)
		store_tail_end = base;
	else
		store_tail_base = end;
	if (store_tail_base == store_tail_end)
		store_tail_base = store_tail_end = 0;
	return EOK;
}

static anon_block_t *store_dead_pop(void)
{
	lock_acquire(&store_lock);
	anon_block_t *b = store_dead;
	if (b)
		store_dead = b->next;
	lock_release(&store_lock);
	return b;
}

/* Unmap every dead block, and try the stuck ones once more (store_mem_lock
 * held); the blocks go. */
static void store_dead_drain_locked(void)
{
	anon_block_t *retry = store_stuck, *b;
	store_stuck = NULL;
	for (;;) {
		if (retry) {
			b = retry;
			retry = b->next;
		} else if (!(b = store_dead_pop())) {
			return;
		}
		if (store_mem_unmap_locked(b->base, (size_t) b->pages * PAGE_SIZE) == EOK) {
			free(b);
		} else {
			b->next = store_stuck;
			store_stuck = b;
		}
	}
}

/* Release store_mem_lock, first draining the dead blocks, including any
 * that die while we drain. */
static void store_mem_unlock(void)
{
	for (;;) {
		store_dead_drain_locked();
		lock_release(&store_mem_lock);
		lock_acquire(&store_lock);
		bool more = store_dead != NULL;
		lock_release(&store_lock);
		if (!more || !lock_try_acquire(&store_mem_lock))
			return;
	}
}

/*
 * @a bytes of fresh zeroed memory.  The pager's threads never wait for
 * store_mem_lock: its holder makes a system call per dead block it
 * drains, and a page-in would wait for all of them (and for the holder's
 * turn on the CPU).  So when the tail is busy, the block gets an area of
 * its own (the next growth of the tail then finds it in the way and
 * starts a new tail).
 */
static errno_t store_mem_alloc(size_t bytes, uintptr_t *out, bool *own_area)
{
	*own_area = !lock_try_acquire(&store_mem_lock);
	if (*own_area)
		return as_area_create(STORE_HINT, bytes, STORE_AREA_FLAGS, out);
	errno_t rc = store_tail_grow_locked(bytes, out);
	store_mem_unlock();
	return rc;
}

/* The memory of dead block @a b goes back to the system, and the block
 * with it: now, or by whoever holds store_mem_lock (it drains the dead
 * blocks before letting go). */
static void store_block_release(anon_block_t *b)
{
	if (b->own_area && as_area_unmap(b->base, (size_t) b->pages * PAGE_SIZE) == EOK) {
		free(b);
		return;
	}
	lock_acquire(&store_lock);
	b->next = store_dead;
	store_dead = b;
	lock_release(&store_lock);
	if (lock_try_acquire(&store_mem_lock))
		store_mem_unlock();
}

errno_t store_block_new(unsigned pages, anon_block_t **out)
{
	if (pages == 0 || pages > ANON_RUN)
		return EINVAL;
	anon_block_t *b = calloc(1, sizeof(*b));
	if (!b)
		return ENOMEM;
	errno_t rc = store_mem_alloc((size_t) pages * PAGE_SIZE, &b->base, &b->own_area);
	if (rc != EOK) {
		free(b);
		return rc;
	}
	b->pages = (uint8_t) pages;
	b->fresh = (uint16_t) ((1u << pages) - 1);
	lock_acquire(&store_lock);
	store_blocks++;
	store_pages += pages;
	lock_release(&store_lock);
	*out = b;
	return EOK;
}

static void store_fresh_unlink_locked(anon_block_t *b)
{
	anon_block_t **link = &store_fresh;
	while (*link != b)
		link = &(*link)->next;
	*link = b->next;
	b->on_fresh_list = false;
}

/* A block with fresh pages and a used one joins the fresh list. */
static void store_fresh_offer_locked(anon_block_t *b)
{
	if (b->fresh && !b->on_fresh_list && b->used > 0) {
		b->next = store_fresh;
		store_fresh = b;
		b->on_fresh_list = true;
	}
}

void store_page_take(anon_block_t *b, unsigned page)
{
	lock_acquire(&store_lock);
	if (b->refs[page]++ == 0) {
		b->used++;
		store_used++;
	}
	b->fresh &= (uint16_t) ~(1u << page);
	if (b->on_fresh_list && !b->fresh)
		store_fresh_unlink_locked(b);
	lock_release(&store_lock);
}

errno_t store_page_share(anon_block_t *b, unsigned page)
{
	errno_t rc = EOK;

	lock_acquire(&store_lock);
	if (b->refs[page] >= ANON_PAGE_REFS_MAX)
		rc = ELIMIT;
	else
		b->refs[page]++;
	lock_release(&store_lock);
	return rc;
}

void store_page_put(anon_block_t *b, unsigned page)
{
	lock_acquire(&store_lock);
	bool gone = false;
	if (--b->refs[page] == 0) {
		store_used--;
		gone = --b->used == 0;
	}
	if (gone) {
		if (b->on_fresh_list)
			store_fresh_unlink_locked(b);
		store_blocks--;
		store_pages -= b->pages;
	}
	lock_release(&store_lock);
	if (gone)
		store_block_release(b);
}

/* A fresh page of a listed block (lock held), taken; false if none. */
static bool store_fresh_take_locked(anon_block_t **b, unsigned *page)
{
	anon_block_t *f = store_fresh;
	if (!f)
		return false;
	unsigned p = (unsigned) __builtin_ctz(f->fresh);
	f->fresh &= (uint16_t) ~(1u << p);
	f->refs[p] = 1;
	f->used++;
	store_used++;
	if (!f->fresh)
		store_fresh_unlink_locked(f);
	*b = f;
	*page = p;
	return true;
}

errno_t store_page_alloc(anon_block_t **b, unsigned *page)
{
	lock_acquire(&store_lock);
	bool got = store_fresh_take_locked(b, page);
	lock_release(&store_lock);
	if (got)
		return EOK;
	anon_block_t *n;
	errno_t rc = store_block_new(ANON_RUN, &n);
	if (rc != EOK)
		return rc;
	store_page_take(n, 0);
	lock_acquire(&store_lock);
	store_fresh_offer_locked(n);
	lock_release(&store_lock);
	*b = n;
	*page = 0;
	return EOK;
}

unsigned store_page_refs(anon_block_t *b, unsigned page)
{
	lock_acquire(&store_lock);
	unsigned n = b->refs[page];
	lock_release(&store_lock);
	return n;
}

void store_stats(store_stats_t *st)
{
	lock_acquire(&store_lock);
	st->blocks = store_blocks;
	st->pages = store_pages;
	st->used_pages = store_used;
	lock_release(&store_lock);
}
