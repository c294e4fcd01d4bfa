/*
 * The anon pager's pieces: the page store (store.c) and the objects'
 * page tables (object.c); the protocol and the fault policy are in
 * anon.c.
 */
#ifndef ANON_PRIV_H_
#define ANON_PRIV_H_

#include <abi/errno.h>
#include <abi/page.h>
#include <lock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pages per block of the store and per chunk of an object: the longest
 * run one page-in can answer. */
#define ANON_RUN 16
#define ANON_CHUNK_SIZE (ANON_RUN * PAGE_SIZE)

/* A run of ANON_RUN pages of the pager's own wired memory. */
typedef struct anon_block {
	struct anon_block *next_fresh; /* on the list of blocks with fresh pages */
	uintptr_t base;
	uint16_t refs[ANON_RUN]; /* object pages that use each page */
	uint16_t fresh; /* bit per page: never handed out (still zero) */
	unsigned used; /* pages with refs > 0 */
	bool on_fresh_list;
} anon_block_t;

/* One page of an object: a page of a block, or none (all zero). */
typedef struct anon_slot {
	anon_block_t *block;
	unsigned page;
} anon_slot_t;

/* ANON_RUN consecutive pages of an object. */
typedef struct anon_chunk {
	struct anon_chunk *next; /* hash chain */
	uint64_t index; /* object offset / ANON_CHUNK_SIZE */
	uint16_t zero_out; /* bit per page: the zero page was handed out */
	anon_slot_t slot[ANON_RUN];
} anon_chunk_t;

typedef struct anon_obj {
	lock_t lock;
	anon_chunk_t **buckets;
	size_t nbuckets;
	size_t nchunks;
	uint64_t extent; /* bytes: past the highest chunk */
} anon_obj_t;

typedef struct anon_store_stats {
	uint64_t blocks;
	uint64_t used_pages;
} anon_store_stats_t;

/* store.c: blocks of wired memory with per-page reference counts.  A page
 * is handed out once (fresh) and is never reused for other data after
 * its last reference goes, so no client can still map a frame the pager
 * writes again; a block goes when none of its pages is used. */
errno_t store_block_new(anon_block_t **out);
/* Take one more reference to page @a page of @a b (fresh or in use). */
void store_page_take(anon_block_t *b, unsigned page);
/* Drop a reference; the block goes when no page is used. */
void store_page_put(anon_block_t *b, unsigned page);
/* A fresh page for a copy: from a block with fresh pages or a new one. */
errno_t store_page_alloc(anon_block_t **b, unsigned *page);
/* After filling part of a new block: offer its other fresh pages. */
void store_block_offer(anon_block_t *b);
/* How many object pages use it (another object may change it any time). */
unsigned store_page_refs(anon_block_t *b, unsigned page);
uintptr_t store_page_addr(const anon_block_t *b, unsigned page);
void store_stats(anon_store_stats_t *st);

/* object.c: an object's page table (a hash of chunks). */
anon_obj_t *anon_obj_new(void);
void anon_obj_free(anon_obj_t *o);
/* The chunk with @a index; made (empty) if @a create. */
anon_chunk_t *anon_chunk_get(anon_obj_t *o, uint64_t index, bool create);
/* Make @a dst (new, empty) share every page of @a src. */
errno_t anon_obj_clone(anon_obj_t *src, anon_obj_t *dst);
unsigned anon_slot_refs(const anon_slot_t *s);

#endif
