/*
 * Host tests of lib/pcache (uspace/lib/pcache): the page-cache bookkeeping
 * of the file pager.  Directed cases for each rule of the three states,
 * then a randomized run against a model of memory and disk: stores, loads,
 * write-backs started by range and by age, writes completing out of order
 * and sometimes failing, eviction under a small pool, pins, truncation.
 * The model checks that a CLEAN page always equals the disk, that only
 * clean unpinned pages are evicted, that one page never has two writes in
 * flight, and at the end that every store ever made reached the disk.
 */
#include <pcache/pcache.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* TAP_CHECK as an expression: false (and a diagnostic) when @a c fails. */
#define CHECK(c) ((c) ? true : (tap_diag("%s:%d: check failed: %s", __FILE__, __LINE__, #c), false))

#define NSLOTS 24u
#define NBUCKETS 16u
#define DIRTY_MAX 12u

static pcache_slot_t slots[NSLOTS];
static int32_t buckets[NBUCKETS];
static pcache_t cache;

static void fresh(void)
{
	pcache_init(&cache, slots, NSLOTS, buckets, NBUCKETS, DIRTY_MAX);
}

/* Every slot counted once, every list as long as its count says. */
static bool lists_consistent(void)
{
	uint32_t total = 0, states[PCACHE_STATES] = { 0 };
	for (unsigned i = 0; i < PCACHE_STATES; i++)
		total += cache.count[i];
	for (uint32_t s = 0; s < NSLOTS; s++)
		states[slots[s].state]++;
	const pcache_list_t *lists[] = { &cache.free, &cache.clean, &cache.dirty };
	const uint8_t kinds[] = { PCACHE_FREE, PCACHE_CLEAN, PCACHE_DIRTY };
	for (unsigned l = 0; l < 3; l++) {
		uint32_t n = 0;
		for (int32_t s = lists[l]->head; s != -1; s = slots[s].next, n++)
			if (slots[s].state != kinds[l] || n > NSLOTS)
				return false;
		if (n != lists[l]->count || n != cache.count[kinds[l]])
			return false;
	}
	for (unsigned i = 0; i < PCACHE_STATES; i++)
		if (states[i] != cache.count[i])
			return false;
	return total == NSLOTS;
}

static int32_t fill(uint64_t obj, uint64_t idx)
{
	int32_t s;
	pcache_victim_t v;
	if (pcache_insert(&cache, obj, idx, &s, &v) != EOK)
		return -1;
	pcache_fill_end(&cache, s, true);
	return s;
}

static bool case_states(void)
{
	fresh();
	int32_t s = fill(1, 7);
	TAP_CHECK(s >= 0 && slots[s].state == PCACHE_CLEAN);
	TAP_CHECK(pcache_lookup(&cache, 1, 7) == s);
	TAP_CHECK(pcache_lookup(&cache, 1, 8) == -1);
	int32_t t;
	pcache_victim_t v;
	TAP_CHECK(pcache_insert(&cache, 1, 7, &t, &v) == EEXIST);
	TAP_CHECK(!pcache_mark_dirty(&cache, s, 10) && slots[s].state == PCACHE_DIRTY);
	int32_t out[4];
	TAP_CHECK(pcache_wb_range(&cache, 1, 0, 100, out, 4) == 1 && out[0] == s);
	TAP_CHECK(slots[s].state == PCACHE_WB && slots[s].writing);
	/* A store during the write: DIRTY again; the write's end leaves it dirty. */
	pcache_mark_dirty(&cache, s, 11);
	CHECK(pcache_wb_range(&cache, 1, 0, 100, out, 4) == 0); /* one write at a time */
	pcache_wb_end(&cache, s, EOK);
	TAP_CHECK(slots[s].state == PCACHE_DIRTY && !slots[s].writing);
	TAP_CHECK(pcache_wb_older(&cache, 12, out, 4) == 1);
	pcache_wb_end(&cache, s, EIO);
	TAP_CHECK(slots[s].state == PCACHE_DIRTY && cache.dirty.head == s);
	TAP_CHECK(pcache_wb_older(&cache, 12, out, 4) == 1);
	pcache_wb_end(&cache, s, EOK);
	TAP_CHECK(slots[s].state == PCACHE_CLEAN);
	return CHECK(lists_consistent());
}

static bool case_eviction(void)
{
	fresh();
	for (uint64_t i = 0; i < NSLOTS; i++)
		TAP_CHECK(fill(2, i) >= 0);
	int32_t d = pcache_lookup(&cache, 2, 0);
	pcache_mark_dirty(&cache, d, 1);
	pcache_pin(&cache, pcache_lookup(&cache, 2, 1));
	pcache_lookup(&cache, 2, 2); /* most recently used now */
	int32_t s;
	pcache_victim_t v;
	TAP_CHECK(pcache_insert(&cache, 3, 0, &s, &v) == EOK);
	CHECK(v.valid && v.obj == 2 && v.idx == 3); /* not dirty 0, pinned 1, or touched 2 */
	pcache_fill_end(&cache, s, false);
	TAP_CHECK(pcache_lookup(&cache, 3, 0) == -1 && slots[s].state == PCACHE_FREE);
	/* Everything dirty or pinned: ENOMEM. */
	for (uint64_t i = 0; i < NSLOTS; i++) {
		int32_t x = pcache_lookup(&cache, 2, i);
		if (x >= 0)
			pcache_mark_dirty(&cache, x, 2);
	}
	CHECK(fill(4, 0) >= 0); /* the free slot */
	pcache_mark_dirty(&cache, pcache_lookup(&cache, 4, 0), 3);
	TAP_CHECK(pcache_insert(&cache, 4, 1, &s, &v) == ENOMEM);
	return CHECK(lists_consistent());
}

static bool case_drop(void)
{
	fresh();
	for (uint64_t i = 0; i < 8; i++)
		fill(5, i);
	pcache_mark_dirty(&cache, pcache_lookup(&cache, 5, 6), 1);
	int32_t out[8];
	pcache_mark_dirty(&cache, pcache_lookup(&cache, 5, 7), 1);
	TAP_CHECK(pcache_wb_range(&cache, 5, 7, 8, out, 8) == 1);
	TAP_CHECK(pcache_obj_dirty(&cache, 5) == 2);
	CHECK(pcache_drop(&cache, 5, 4, NULL) == 1); /* page 7 is being written */
	TAP_CHECK(pcache_lookup(&cache, 5, 5) == -1 && pcache_lookup(&cache, 5, 6) == -1);
	TAP_CHECK(pcache_lookup(&cache, 5, 3) >= 0);
	pcache_wb_end(&cache, out[0], EOK);
	TAP_CHECK(pcache_drop(&cache, 5, 4, NULL) == 0 && pcache_lookup(&cache, 5, 7) == -1);
	return CHECK(lists_consistent());
}

/* Low memory: pcache_evict frees the least recently used clean page
 * nobody pins (pcache_age puts one first), never a dirty or pinned one. */
static bool case_evict(void)
{
	fresh();
	for (uint64_t i = 0; i < 4; i++)
		fill(6, i);
	pcache_mark_dirty(&cache, pcache_lookup(&cache, 6, 0), 1);
	pcache_pin(&cache, pcache_lookup(&cache, 6, 1));
	pcache_age(&cache, pcache_lookup(&cache, 6, 3)); /* MADV_DONTNEED: first to go */
	pcache_victim_t v;
	int32_t s = pcache_evict(&cache, &v);
	TAP_CHECK(s >= 0 && v.valid && v.obj == 6 && v.idx == 3 && slots[s].state == PCACHE_FREE);
	s = pcache_evict(&cache, &v);
	TAP_CHECK(s >= 0 && v.idx == 2 && pcache_lookup(&cache, 6, 2) == -1);
	TAP_CHECK(pcache_evict(&cache, &v) == -1 && !v.valid); /* dirty 0, pinned 1 stay */
	TAP_CHECK(!pcache_evict_slot(&cache, pcache_lookup(&cache, 6, 0), &v) && !v.valid);
	TAP_CHECK(!pcache_evict_slot(&cache, pcache_lookup(&cache, 6, 1), &v));
	fill(6, 9);
	TAP_CHECK(pcache_evict_slot(&cache, pcache_lookup(&cache, 6, 9), &v) && v.idx == 9);
	TAP_CHECK(pcache_lookup(&cache, 6, 0) >= 0 && pcache_lookup(&cache, 6, 1) >= 0);
	return CHECK(lists_consistent() && cache.evictions == 3);
}

/* pcache_run: the slots after one that hold the next pages of its object
 * in its state, made most recently used; it stops at another
 * object, a gap, another state, the pool's end and at max. */
static bool case_run(void)
{
	fresh();
	int32_t s[6];
	for (uint64_t i = 0; i < 6; i++)
		s[i] = fill(7, i); /* slots 0..5 in order: the free list's */
	TAP_CHECK(s[0] == 0 && s[5] == 5);
	TAP_CHECK(pcache_run(&cache, s[0], 4) == 4); /* max */
	TAP_CHECK(slots[0].pins == 0 && slots[1].pins == 0); /* nothing pinned */
	TAP_CHECK(cache.clean.tail == s[3] && cache.clean.head == s[0]); /* 1..3 touched */
	pcache_mark_dirty(&cache, s[4], 1);
	TAP_CHECK(pcache_run(&cache, s[1], 16) == 3); /* 1, 2, 3: 4 is DIRTY */
	TAP_CHECK(pcache_run(&cache, s[4], 16) == 1);
	int32_t t = fill(8, 6); /* slot 6: another object */
	TAP_CHECK(t == 6 && pcache_run(&cache, s[5], 16) == 1);
	TAP_CHECK(pcache_run(&cache, t, 16) == 1); /* slot 7 is FREE */
	CHECK(fill(9, 0) == 7 && fill(9, 2) == 8); /* a gap in the pages */
	TAP_CHECK(pcache_run(&cache, 7, 16) == 1);
	fresh();
	for (uint64_t i = 0; i < NSLOTS; i++)
		fill(10, i);
	TAP_CHECK(pcache_run(&cache, NSLOTS - 3, 16) == 3); /* the pool's end */
	/* the run's slots after the first end the LRU order in the run's
	 * order, whatever order they had (3, 6 and 8 were used last) */
	pcache_lookup(&cache, 10, 3);
	pcache_lookup(&cache, 10, 6);
	pcache_lookup(&cache, 10, 8);
	TAP_CHECK(pcache_run(&cache, 1, 9) == 9);
	int32_t at = cache.clean.tail;
	for (int32_t want = 9; want >= 2; want--, at = slots[at].prev)
		TAP_CHECK(at == want);
	TAP_CHECK(at == NSLOTS - 1); /* then the rest as they were: ..., 22, 23 */
	return CHECK(lists_consistent());
}

/* ---- the randomized model ---- */
#define NOBJ 3u
#define NPAGE 40u
#define INFLIGHT_MAX 64u

typedef struct flight {
	int32_t slot;
	uint64_t ver; /* what the write carries */
} flight_t;

static uint64_t stored[NOBJ][NPAGE]; /* the newest version ever stored */
static uint64_t disk[NOBJ][NPAGE];
static uint64_t mem[NSLOTS]; /* the version in each slot's memory */
static unsigned pins[NSLOTS];
static flight_t flights[INFLIGHT_MAX];
static unsigned nflight;
static uint64_t rng, now;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static bool complete(unsigned i, bool fail)
{
	flight_t f = flights[i];
	flights[i] = flights[--nflight];
	const pcache_slot_t *e = &slots[f.slot];
	if (!CHECK(e->writing && (e->state == PCACHE_WB || e->state == PCACHE_DIRTY)))
		return false;
	if (!fail)
		disk[e->obj][e->idx] = f.ver;
	pcache_wb_end(&cache, f.slot, fail ? EIO : EOK);
	if (e->state == PCACHE_CLEAN)
		return CHECK(mem[f.slot] == disk[e->obj][e->idx]);
	return true;
}

static bool start(const int32_t *out, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		for (unsigned j = 0; j < nflight; j++)
			if (!CHECK(flights[j].slot != out[i])) /* two writes of one page */
				return false;
		flights[nflight++] = (flight_t){ out[i], mem[out[i]] };
	}
	return true;
}

static bool drain(void)
{
	int32_t out[NSLOTS];
	for (unsigned round = 0; round < 4 * NSLOTS; round++) {
		while (nflight)
			if (!complete(0, false))
				return false;
		uint32_t n = pcache_wb_older(&cache, UINT64_MAX, out, NSLOTS);
		if (!n)
			return true;
		if (!start(out, n))
			return false;
	}
	return CHECK(!"write-back ends");
}

static int32_t resident(uint64_t obj, uint64_t idx)
{
	int32_t s = pcache_lookup(&cache, obj, idx);
	for (unsigned tries = 0; s < 0 && tries < 100; tries++) {
		pcache_victim_t v;
		errno_t rc = pcache_insert(&cache, obj, idx, &s, &v);
		if (rc == ENOMEM) {
			memset(pins, 0, sizeof(pins));
			for (uint32_t i = 0; i < NSLOTS; i++)
				slots[i].pins = 0;
			if (!drain())
				return -1;
			s = -1;
			continue;
		}
		if (v.valid && !CHECK(mem[s] == disk[v.obj][v.idx] && pins[s] == 0))
			return -1; /* evicted something not clean, or pinned */
		mem[s] = disk[obj][idx];
		pins[s] = 0;
		bool ok = rnd(10) != 0;
		pcache_fill_end(&cache, s, ok);
		if (!ok)
			s = -1;
	}
	return s;
}

/* pcache_run from @a s against the slots' keys, and its slots after s at
 * the end of the LRU order in their order when CLEAN. */
static bool run_check(int32_t s, uint32_t max)
{
	const pcache_slot_t *e = &slots[s];
	uint32_t n = 1;
	while (n < max && (uint32_t) s + n < NSLOTS && slots[s + n].state == e->state &&
	    slots[s + n].obj == e->obj && slots[s + n].idx == e->idx + n)
		n++;
	if (!CHECK(pcache_run(&cache, s, max) == n))
		return false;
	int32_t at = cache.clean.tail;
	for (uint32_t i = n - 1; i > 0 && e->state == PCACHE_CLEAN; i--, at = slots[at].prev)
		if (!CHECK(at == s + (int32_t) i))
			return false;
	return true;
}

static bool step(void)
{
	uint64_t obj = rnd(NOBJ), idx = rnd(NPAGE);
	int32_t s, out[NSLOTS];
	now++;
	switch (rnd(9)) {
	case 0:
	case 1: /* a store */
		if ((s = resident(obj, idx)) < 0)
			return CHECK(!"resident");
		stored[obj][idx] = mem[s] = stored[obj][idx] + 1;
		if (pcache_mark_dirty(&cache, s, now))
			return start(out, pcache_wb_older(&cache, UINT64_MAX, out, 4));
		return true;
	case 2: /* loads of a few pages in a row, and the run a page-in of
	         * the first would answer with */
		for (uint64_t j = 0, k = rnd(8); j <= k && idx + j < NPAGE; j++)
			if (!CHECK(resident(obj, idx + j) >= 0))
				return false;
		return (s = resident(obj, idx)) >= 0 && run_check(s, 1 + (uint32_t) rnd(12));
	case 3:
		return start(out, pcache_wb_range(&cache, obj, idx, idx + rnd(8), out, NSLOTS));
	case 4:
		return start(out, pcache_wb_older(&cache, now - rnd(30), out, 1 + rnd(6)));
	case 5:
	case 6:
		return nflight ? complete((unsigned) rnd(nflight), rnd(8) == 0) : true;
	case 7:
		if ((s = pcache_lookup(&cache, obj, idx)) >= 0 &&
		    slots[s].state != PCACHE_FILLING) {
			bool pin = rnd(2) || !pins[s];
			pin ? pcache_pin(&cache, s) : pcache_unpin(&cache, s);
			pins[s] += pin ? 1 : -1;
		}
		return true;
	default: /* truncate an object with nothing in flight or pinned */
		for (unsigned i = 0; i < nflight; i++)
			if (slots[flights[i].slot].obj == obj)
				return true;
		for (uint32_t i = 0; i < NSLOTS; i++)
			if (slots[i].state != PCACHE_FREE && slots[i].obj == obj && pins[i])
				return true;
		if (!CHECK(pcache_drop(&cache, obj, idx, NULL) == 0))
			return false;
		for (uint64_t i = idx; i < NPAGE; i++)
			stored[obj][i] = disk[obj][i] = 0;
		return true;
	}
}

static bool case_model(void)
{
	for (uint64_t seed = 1; seed <= 40; seed++) {
		fresh();
		memset(stored, 0, sizeof(stored));
		memset(disk, 0, sizeof(disk));
		memset(mem, 0, sizeof(mem));
		memset(pins, 0, sizeof(pins));
		nflight = 0;
		rng = seed * 0x9e3779b97f4a7c15ull;
		for (unsigned i = 0; i < 5000; i++)
			if (!step() || !CHECK(lists_consistent()) ||
			    nflight > INFLIGHT_MAX - NSLOTS) {
				tap_diag("seed %llu step %u", (unsigned long long) seed, i);
				return false;
			}
		for (uint32_t i = 0; i < NSLOTS; i++)
			slots[i].pins = 0;
		if (!drain())
			return false;
		for (uint64_t o = 0; o < NOBJ; o++)
			for (uint64_t p = 0; p < NPAGE; p++)
				if (!CHECK(disk[o][p] == stored[o][p])) { /* a store was lost */
					tap_diag("seed %llu page %llu:%llu",
					    (unsigned long long) seed, (unsigned long long) o,
					    (unsigned long long) p);
					return false;
				}
	}
	return CHECK(cache.evictions > 0);
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "states", case_states },
		{ "eviction", case_eviction },
		{ "drop", case_drop },
		{ "evict", case_evict },
		{ "run", case_run },
		{ "model", case_model },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
