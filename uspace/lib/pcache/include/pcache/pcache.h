/*
 * lib/pcache: the bookkeeping of a page cache with write-back, for the
 * file pager (issue 11): which (object, page) each slot of a pool holds,
 * the three states of a cached page, the order pages are evicted and
 * written back in.  Pure: no memory of its own (the caller gives the slot
 * and bucket arrays), no locks (the caller serializes), no I/O (the caller
 * reads, writes and revokes; this says what and when).  Host-tested against
 * a model (tests/test_pcache.c).
 *
 * A slot is FREE, FILLING (its page is being read), CLEAN (memory equals
 * the disk), DIRTY (memory is newer), or WB (AwaitingClean: a write of it
 * was started from a write-protected page).  The rules that keep a store
 * from being lost:
 *
 *  - CLEAN -> DIRTY on the first store (a write fault or write()).
 *  - pcache_wb_take moves DIRTY pages to WB; the caller write-protects
 *    them in every mapping first, then copies or writes them.  Only a
 *    page with no write in flight is taken, so one page never has two
 *    writes racing at the device (the older could land last).
 *  - A store while WB makes the page DIRTY again (the write in flight
 *    carries the older data).
 *  - pcache_wb_end: a page still WB becomes CLEAN; a DIRTY one stays
 *    DIRTY (it is written again later); a failed write makes a WB page
 *    DIRTY again (retried later; the caller reports the error to
 *    msync/fsync).
 *  - Eviction takes only CLEAN pages that nobody pins.
 *
 * Dirty pages are kept in the order they became dirty, for write-back of
 * the oldest first (the age bound) and for throttling (pcache_mark_dirty
 * says when more than dirty_max pages are dirty).
 */
#ifndef PCACHE_PCACHE_H_
#define PCACHE_PCACHE_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum pcache_state {
	PCACHE_FREE = 0,
	PCACHE_FILLING,
	PCACHE_CLEAN,
	PCACHE_DIRTY,
	PCACHE_WB,
	PCACHE_STATES
} pcache_state_t;

typedef struct pcache_slot {
	uint64_t obj;
	uint64_t idx; /* page index in the object */
	uint64_t dirtied; /* when it last became DIRTY (the caller's clock) */
	int32_t hnext; /* hash chain, -1: end */
	int32_t prev, next; /* the list of its state (free, clean LRU, dirty) */
	uint32_t pins;
	uint8_t state; /* pcache_state_t */
	uint8_t writing; /* a write of it is in flight */
} pcache_slot_t;

typedef struct pcache_list {
	int32_t head, tail;
	uint32_t count;
} pcache_list_t;

typedef struct pcache {
	pcache_slot_t *slot;
	uint32_t nslots;
	int32_t *bucket;
	uint32_t nbuckets; /* a power of two */
	uint32_t dirty_max;
	pcache_list_t free, clean, dirty; /* clean: least recently used first */
	uint32_t count[PCACHE_STATES];
	uint64_t evictions;
} pcache_t;

/* A page pcache_insert took from the cache to make room: the caller must
 * revoke it from every mapping before the slot's memory is reused. */
typedef struct pcache_victim {
	bool valid;
	uint64_t obj;
	uint64_t idx;
} pcache_victim_t;

/* @a nbuckets must be a power of two; every slot starts FREE. */
void pcache_init(pcache_t *c, pcache_slot_t *slots, uint32_t nslots, int32_t *buckets,
    uint32_t nbuckets, uint32_t dirty_max);
/* The slot holding (obj, idx), or -1; a CLEAN hit becomes most recently used. */
int32_t pcache_lookup(pcache_t *c, uint64_t obj, uint64_t idx);
/*
 * A slot for (obj, idx), FILLING: a free one, else the least recently used
 * CLEAN page nobody pins (returned in *victim).  EEXIST if the page is
 * there; ENOMEM if every slot is busy, dirty or pinned (write back first).
 */
errno_t pcache_insert(
    pcache_t *c, uint64_t obj, uint64_t idx, int32_t *slot, pcache_victim_t *victim);
/* Free the least recently used CLEAN page nobody pins (memory is low):
 * its slot, FREE now, and *victim (to revoke from every mapping); -1 if
 * there is none. */
int32_t pcache_evict(pcache_t *c, pcache_victim_t *victim);
/* Free slot @a s if it is CLEAN and nobody pins it (*victim says what it
 * held); false otherwise, nothing changed. */
bool pcache_evict_slot(pcache_t *c, int32_t s, pcache_victim_t *victim);
/* A CLEAN page goes to the head of the eviction order (MADV_DONTNEED). */
void pcache_age(pcache_t *c, int32_t s);
/* The read of a FILLING slot ended: CLEAN, or (failed) FREE again. */
void pcache_fill_end(pcache_t *c, int32_t s, bool ok);
/* The run a page-in can answer with: how many slots from @a s on (at most
 * @a max, at least 1) hold the consecutive pages of s's object from s's
 * page, all in s's state (which is not FREE).  The CLEAN ones after s
 * become most recently used, as by pcache_lookup; nothing is pinned (the
 * caller uses the run before it lets go of its lock). */
uint32_t pcache_run(pcache_t *c, int32_t s, uint32_t max);
void pcache_pin(pcache_t *c, int32_t s);
void pcache_unpin(pcache_t *c, int32_t s);
/* A store into a CLEAN, DIRTY or WB page: DIRTY.  True when more than
 * dirty_max pages are dirty now (the writer should write back first). */
bool pcache_mark_dirty(pcache_t *c, int32_t s, uint64_t now);
/*
 * Start write-back: up to @a max DIRTY pages without a write in flight,
 * oldest first, become WB (writing); their slots go to @a out.  Only pages
 * of @a obj in [first, end) (pcache_wb_range), or every page that became
 * dirty before @a before (pcache_wb_older; UINT64_MAX: all).
 */
uint32_t pcache_wb_range(
    pcache_t *c, uint64_t obj, uint64_t first, uint64_t end, int32_t *out, uint32_t max);
uint32_t pcache_wb_older(pcache_t *c, uint64_t before, int32_t *out, uint32_t max);
/* A write started by pcache_wb_* ended (@a err EOK: it is on the disk). */
void pcache_wb_end(pcache_t *c, int32_t s, errno_t err);
/*
 * Drop the pages of @a obj at or after page @a first (truncation, or the
 * object going: first 0): CLEAN and DIRTY pages nobody pins or writes go
 * FREE (dirty data beyond the end is discarded).  Returns how many pages
 * it had to leave (busy: retry after their reads, writes and pins end);
 * *dropped (if not NULL) gets how many went.  The caller revokes the range
 * from every mapping first.
 */
uint32_t pcache_drop(pcache_t *c, uint64_t obj, uint64_t first, uint32_t *dropped);
/* How many pages of @a obj are DIRTY or WB (for an object's last unmap). */
uint32_t pcache_obj_dirty(const pcache_t *c, uint64_t obj);

#endif
