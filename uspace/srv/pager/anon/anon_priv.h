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

/* Pages per chunk of an object and at most per block of the store: the
 * longest run one page-in can answer. */
#define ANON_RUN 16
#define ANON_CHUNK_SIZE (ANON_RUN * PAGE_SIZE)

/* Most objects that may use one page: a clone that would make a page's
 * count pass it is refused with ELIMIT.  (A test build may lower it.) */
#ifndef ANON_PAGE_REFS_MAX
#define ANON_PAGE_REFS_MAX UINT32_MAX
#endif

/* A run of 1 .. ANON_RUN pages of the pager's own wired memory, handed out
 * together and given back together. */
typedef struct anon_block {
	struct anon_block *next; /* on the fresh list, or the list of blocks
	                          * whose memory could not be given back yet */
	uintptr_t base;
	uint32_t refs[ANON_RUN]; /* object pages that use each page */
	uint16_t fresh; /* bit per page: never handed out (still zero) */
	uint8_t pages; /* pages in the block */
	uint8_t used; /* pages with refs > 0 */
	bool on_fresh_list;
	bool own_area; /* made outside the tail, in an area of its own */
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
	uint8_t fills; /* blocks made for the chunk's pages so far */
	anon_slot_t slot[ANON_RUN];
} anon_chunk_t;

typedef struct anon_obj {
	lock_t lock;
	anon_chunk_t **buckets;
	size_t nbuckets;
	size_t nchunks;
	uint64_t extent; /* bytes: past the highest chunk */
} anon_obj_t;

typedef struct store_stats {
	uint64_t blocks;
	uint64_t pages; /* pages of the pager's memory in blocks */
	uint64_t used_pages;
} store_stats_t;

/*
 * store.c: blocks of wired memory with per-page reference counts.  A page
 * is handed out once (fresh) and is never reused for other data after
 * its last reference goes, so no client can still map a frame the pager
 * writes again; a block goes when none of its pages is used.
 */
/* A block of @a pages fresh pages (1 .. ANON_RUN): ENOMEM, ELIMIT. */
errno_t store_block_new(unsigned pages, anon_block_t **out);
/* Take the first reference to fresh page @a page of @a b. */
void store_page_take(anon_block_t *b, unsigned page);
/* One more reference to a page in use: ELIMIT at ANON_PAGE_REFS_MAX. */
errno_t store_page_share(anon_block_t *b, unsigned page);
/* Drop a reference; the block goes when no page is used. */
void store_page_put(anon_block_t *b, unsigned page);
/* A fresh page for a copy: from a block with fresh pages or a new one. */
errno_t store_page_alloc(anon_block_t **b, unsigned *page);
/* How many object pages use it (another object may change it any time). */
unsigned store_page_refs(anon_block_t *b, unsigned page);
uintptr_t store_page_addr(const anon_block_t *b, unsigned page);
void store_stats(store_stats_t *st);

/* object.c: an object's page table (a hash of chunks). */
anon_obj_t *anon_obj_new(void);
void anon_obj_free(anon_obj_t *o);
/* The chunk with @a index; made (empty) if @a create. */
anon_chunk_t *anon_chunk_get(anon_obj_t *o, uint64_t index, bool create);
/* Drop the object's pages in [off, off + len) (no overflow; page
 * aligned): they read as zeros again.  Chunks left empty go.  The caller
 * revoked the range first, so no area maps what goes. */
void anon_obj_discard(anon_obj_t *o, uint64_t off, uint64_t len);
/* Make @a dst (new, empty) share every page of @a src: ENOMEM, or ELIMIT
 * when a page is used by ANON_PAGE_REFS_MAX objects already. */
errno_t anon_obj_clone(anon_obj_t *src, anon_obj_t *dst);
unsigned anon_slot_refs(const anon_slot_t *s);

#endif
