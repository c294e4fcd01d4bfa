/*
 * The anon pager's page store: blocks of ANON_RUN pages, each a wired
 * area of the pager's own address space (the pager is never paged).
 *
 * A block made to fill a chunk of an object gives page k to the chunk's
 * page k, so a run of an object's pages is a run of pager addresses and
 * one page-in answer can map up to ANON_RUN pages.  Pages of a block the
 * chunk did not need stay fresh and serve copy-on-write copies (a copy
 * is one page anywhere).  Pages are never recycled: after a page's last
 * reference goes it stays unused until the whole block goes.  Reusing it
 * would write a frame a client might still map (the kernel's reference
 * keeps the frame, not the pager's interest in it).
 *
 * One lock (store_lock) covers every block; callers hold an object lock
 * first.
 */
#include "anon_priv.h"
#include <as.h>
#include <stdlib.h>

#define STORE_AREA_FLAGS (AS_AREA_READ | AS_AREA_WRITE)

static lock_t store_lock = LOCK_INITIALIZER;
static anon_block_t *store_fresh; /* blocks with fresh pages */
static uint64_t store_blocks;
static uint64_t store_used;

uintptr_t store_page_addr(const anon_block_t *b, unsigned page)
{
	return b->base + (uintptr_t) page * PAGE_SIZE;
}

errno_t store_block_new(anon_block_t **out)
{
	anon_block_t *b = calloc(1, sizeof(*b));
	if (!b)
		return ENOMEM;
	errno_t rc = as_area_create(0, ANON_CHUNK_SIZE, STORE_AREA_FLAGS, &b->base);
	if (rc != EOK) {
		free(b);
		return rc;
	}
	b->fresh = (uint16_t) ((1u << ANON_RUN) - 1);
	lock_acquire(&store_lock);
	store_blocks++;
	lock_release(&store_lock);
	*out = b;
	return EOK;
}

static void store_fresh_unlink_locked(anon_block_t *b)
{
	anon_block_t **link = &store_fresh;
	while (*link != b)
		link = &(*link)->next_fresh;
	*link = b->next_fresh;
	b->on_fresh_list = false;
}

void store_block_offer(anon_block_t *b)
{
	lock_acquire(&store_lock);
	if (b->fresh && !b->on_fresh_list && b->used > 0) {
		b->next_fresh = store_fresh;
		store_fresh = b;
		b->on_fresh_list = true;
	}
	lock_release(&store_lock);
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
	}
	lock_release(&store_lock);
	if (gone) {
		as_area_destroy(b->base);
		free(b);
	}
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
	errno_t rc = store_block_new(&n);
	if (rc != EOK)
		return rc;
	store_page_take(n, 0);
	store_block_offer(n);
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

void store_stats(anon_store_stats_t *st)
{
	lock_acquire(&store_lock);
	st->blocks = store_blocks;
	st->used_pages = store_used;
	lock_release(&store_lock);
}
