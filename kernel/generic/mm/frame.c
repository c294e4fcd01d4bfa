/*
 * Physical frame allocator (see mm/frame.h).
 *
 * Frame states: RESERVED (never ours: holes, firmware, kernel image,
 * modules, boot data), FREE_HEAD (heads a free buddy block of 2^order
 * frames, on free_list[order]), FREE_TAIL (inside a free block), USED
 * (allocated, refcount >= 1).
 *
 * A block of order k at frame number n (n aligned to 2^k) has its buddy at
 * n ^ 2^k.  Freeing merges with the buddy while the buddy heads a free block
 * of the same order.  Allocation splits the smallest sufficient block.
 *
 * Low memory: an allocation that leaves fewer free frames than the low
 * watermark (max(total / 16, FRAME_LOW_MIN)) raises a flag and, the first
 * time since the flag was last cleared, wakes whoever waits in
 * frame_low_wait() (the pager's low-memory thread, mm/pager_role.c); it
 * does nothing else, and wakes nobody before frame_low_watch() was called.
 * The wakeup comes after frame_lock is dropped.
 *
 * Lock: frame_lock protects everything in this file but the low-memory
 * flag (atomic) and wait queue; nothing here sleeps or calls out while
 * holding it (zeroing happens after the lock is dropped).
 */
#include <arch/asm.h>
#include <arch/layout.h>
#include <debug.h>
#include <main/bootinfo.h>
#include <mem.h>
#include <mm/bootmem.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <synch/spinlock.h>
#include <synch/waitq.h>

enum {
	FRAME_STATE_RESERVED = 0,
	FRAME_STATE_FREE_HEAD,
	FRAME_STATE_FREE_TAIL,
	FRAME_STATE_USED,
};

static frame_t *frames;
static size_t frame_count; /* entries in frames[], i.e. highest pfn + 1 */
static irq_spinlock_t frame_lock = IRQ_SPINLOCK_INITIALIZER("frame");
static list_t free_list[FRAME_MAX_ORDER + 1] GUARDED_BY(frame_lock.lock);
static size_t free_frames GUARDED_BY(frame_lock.lock); /* read without it by frame_free_count */
/* allocated frames by frame_t.use */
static size_t use_frames[FRAME_USE_COUNT] GUARDED_BY(frame_lock.lock);
static size_t total_frames; /* set by frame_init, then constant */
static size_t low_frames, high_frames; /* the watermarks: set by frame_init */
static bool low_flag; /* atomic: an allocation went below low_frames */
static bool low_watched; /* atomic: frame_low_watch() was called */
static waitq_t low_wq;

static void block_mark_free(size_t pfn, unsigned order) REQUIRES(frame_lock.lock)
{
	frames[pfn].state = FRAME_STATE_FREE_HEAD;
	frames[pfn].order = (uint8_t) order;
	for (size_t i = 1; i < (1ul << order); i++)
		frames[pfn + i].state = FRAME_STATE_FREE_TAIL;
	list_prepend(&frames[pfn].link, &free_list[order]);
}

/* Give frame pfn back, merging with free buddies.  frame_lock held. */
static void frame_release(size_t pfn) REQUIRES(frame_lock.lock)
{
	unsigned order = 0;
	while (order < FRAME_MAX_ORDER) {
		size_t buddy = pfn ^ (1ul << order);
		if (buddy >= frame_count || frames[buddy].state != FRAME_STATE_FREE_HEAD ||
		    frames[buddy].order != order)
			break;
		list_remove(&frames[buddy].link);
		frames[buddy].state = FRAME_STATE_FREE_TAIL;
		pfn &= ~(1ul << order);
		order++;
	}
	block_mark_free(pfn, order);
	free_frames++;
}

static bool pfn_reserved(size_t pfn, const phys_range_t *r, size_t nr)
{
	uint64_t pa = (uint64_t) pfn << PAGE_WIDTH;
	for (size_t i = 0; i < nr; i++) {
		if (pa >= r[i].start && pa < r[i].end)
			return true;
	}
	return false;
}

/* Hand every usable frame of one memory-map entry to the buddy lists. */
static void frame_add_region(const boot_memmap_entry_t *e, const phys_range_t *r, size_t nr)
    REQUIRES(frame_lock.lock)
{
	size_t first = PAGE_ALIGN_UP(e->base) >> PAGE_WIDTH;
	size_t last = PAGE_ALIGN_DOWN(e->base + e->size) >> PAGE_WIDTH;
	if (last > frame_count)
		last = frame_count;
	for (size_t pfn = first; pfn < last; pfn++) {
		if (pfn_reserved(pfn, r, nr) || frames[pfn].state != FRAME_STATE_RESERVED)
			continue;
		total_frames++;
		frame_release(pfn);
	}
}

void frame_init(void)
{
	uint64_t ram_end = bootmem_ram_end();
	if (ram_end > DIRECT_MAP_MAX)
		ram_end = DIRECT_MAP_MAX;
	frame_count = ram_end >> PAGE_WIDTH;
	frames = PA2KA(bootmem_alloc(frame_count * sizeof(frame_t)));
	bootmem_close();

	/* Nobody else runs yet; the lock is taken so that every access to
	 * the free lists is under it, which the lock analysis checks. */
	irq_spinlock_lock(&frame_lock);
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		list_initialize(&free_list[o]);
	const phys_range_t *r;
	size_t nr = bootmem_reserved(&r);
	for (size_t i = 0; i < boot_info.memmap_count; i++) {
		if (boot_info.memmap[i].type == BOOT_MEM_AVAILABLE)
			frame_add_region(&boot_info.memmap[i], r, nr);
	}
	irq_spinlock_unlock(&frame_lock);
	waitq_initialize(&low_wq);
	low_frames = total_frames / 16 > FRAME_LOW_MIN ? total_frames / 16 : FRAME_LOW_MIN;
	high_frames = 2 * low_frames < total_frames ? 2 * low_frames : total_frames;
}

/* An allocation left @a left frames free: below the low watermark, raise
 * the flag and wake the watcher once.  No lock held. */
static void frame_low_note(size_t left)
{
	if (left >= low_frames || !__atomic_load_n(&low_watched, __ATOMIC_ACQUIRE))
		return;
	if (!__atomic_exchange_n(&low_flag, true, __ATOMIC_ACQ_REL))
		waitq_wakeup_one(&low_wq);
}

void frame_low_watch(void)
{
	__atomic_store_n(&low_watched, true, __ATOMIC_RELEASE);
}

void frame_low_wait(void)
{
	while (!__atomic_load_n(&low_flag, __ATOMIC_ACQUIRE))
		(void) waitq_sleep(&low_wq, 0, 0);
}

void frame_low_rearm(void)
{
	__atomic_store_n(&low_flag, false, __ATOMIC_RELEASE);
	if (frame_free_count() < low_frames)
		frame_low_note(frame_free_count()); /* still low: the next round */
}

size_t frame_low_watermark(void)
{
	return low_frames;
}

size_t frame_high_watermark(void)
{
	return high_frames;
}

/* The first free block on the list of order @a o whose first @a count
 * frames end at or below frame @a limit (NULL if none).  Locked. */
static frame_t *frame_block_below(unsigned o, size_t count, size_t limit) REQUIRES(frame_lock.lock)
{
	if (limit >= frame_count)
		return list_empty(&free_list[o])
		    ? NULL
		    : list_get_instance(list_first(&free_list[o]), frame_t, link);
	list_foreach(free_list[o], l)
	{
		frame_t *f = list_get_instance(l, frame_t, link);
		if ((size_t) (f - frames) + count <= limit)
			return f;
	}
	return NULL;
}

/* Take a block of exactly @a order whose first @a count frames end at or
 * below frame @a limit off the lists (splitting: the lowest part of a
 * larger block is kept, so it is below the limit too).  Locked. */
static bool frame_take_block(unsigned order, size_t count, size_t limit, size_t *pfn)
    REQUIRES(frame_lock.lock)
{
	unsigned o = order;
	frame_t *f = NULL;
	while (o <= FRAME_MAX_ORDER && (f = frame_block_below(o, count, limit)) == NULL)
		o++;
	if (f == NULL)
		return false;
	list_remove(&f->link);
	size_t n = (size_t) (f - frames);
	while (o > order) {
		o--;
		block_mark_free(n + (1ul << o), o);
	}
	*pfn = n;
	return true;
}

static unsigned order_for(size_t count)
{
	unsigned o = 0;
	while ((1ul << o) < count)
		o++;
	return o;
}

errno_t frame_alloc(size_t count, unsigned flags, uintptr_t *pa)
{
	return frame_alloc_below(count, flags, UINT64_MAX, pa);
}

errno_t frame_alloc_below(size_t count, unsigned flags, uint64_t limit, uintptr_t *pa)
{
	if (count == 0)
		return EINVAL;
	if (count > (1ul << FRAME_MAX_ORDER))
		return ENOMEM;
	unsigned order = order_for(count);
	frame_use_t use = FRAME_USE_OF_FLAGS(flags);
	assert(use < FRAME_USE_COUNT);
	size_t pfn;

	irq_spinlock_lock(&frame_lock);
	if (!frame_take_block(order, count, (size_t) (limit >> PAGE_WIDTH), &pfn)) {
		irq_spinlock_unlock(&frame_lock);
		return ENOMEM;
	}
	for (size_t i = 0; i < (1ul << order); i++) {
		frame_t *f = &frames[pfn + i];
		f->state = FRAME_STATE_USED;
		f->refcount = 1;
		f->use = (uint8_t) use;
		f->owner = NULL;
	}
	free_frames -= 1ul << order;
	use_frames[use] += count;
	for (size_t i = count; i < (1ul << order); i++) {
		frames[pfn + i].refcount = 0;
		frame_release(pfn + i);
	}
	size_t left = free_frames;
	irq_spinlock_unlock(&frame_lock);
	frame_low_note(left);

	*pa = (uintptr_t) pfn << PAGE_WIDTH;
	if (flags & FRAME_ZERO)
		arch_page_zero(PA2KA(*pa), count);
	return EOK;
}

static frame_t *frame_used(uintptr_t pa) REQUIRES(frame_lock.lock)
{
	size_t pfn = pa >> PAGE_WIDTH;
	assert(pfn < frame_count);
	frame_t *f = &frames[pfn];
	assert(f->state == FRAME_STATE_USED && f->refcount > 0);
	return f;
}

bool frame_ref_add_many(const uintptr_t *pa, size_t n)
{
	size_t i = 0;
	irq_spinlock_lock(&frame_lock);
	for (; i < n; i++) {
		size_t pfn = pa[i] >> PAGE_WIDTH;
		if (pfn >= frame_count || frames[pfn].state != FRAME_STATE_USED)
			break;
		assert(frames[pfn].refcount > 0 && frames[pfn].refcount < UINT32_MAX);
		frames[pfn].refcount++;
	}
	bool ok = i == n;
	while (i > 0 && !ok) /* one was not: give back those taken */
		frames[pa[--i] >> PAGE_WIDTH].refcount--;
	irq_spinlock_unlock(&frame_lock);
	return ok;
}

void frame_ref_add(uintptr_t pa)
{
	bool ok = frame_ref_add_many(&pa, 1);
	assert(ok);
	(void) ok;
}

bool frame_ref_drop(uintptr_t pa)
{
	irq_spinlock_lock(&frame_lock);
	frame_t *f = frame_used(pa);
	bool freed = --f->refcount == 0;
	if (freed) {
		use_frames[f->use]--;
		f->use = FRAME_USE_NONE;
		f->owner = NULL;
		frame_release(pa >> PAGE_WIDTH);
	}
	irq_spinlock_unlock(&frame_lock);
	return freed;
}

void frame_free(uintptr_t pa, size_t count)
{
	for (size_t i = 0; i < count; i++)
		frame_ref_drop(pa + i * PAGE_SIZE);
}

bool frame_range_managed(uint64_t pa, size_t count)
{
	size_t first = (size_t) (pa >> PAGE_WIDTH);

	if (first >= frame_count)
		return false;
	size_t end = count > frame_count - first ? frame_count : first + count;
	/* No lock: a frame is RESERVED from frame_init on or never. */
	for (size_t pfn = first; pfn < end; pfn++) {
		if (__atomic_load_n(&frames[pfn].state, __ATOMIC_RELAXED) != FRAME_STATE_RESERVED)
			return true;
	}
	return false;
}

uint32_t frame_refcount(uintptr_t pa)
{
	size_t pfn = pa >> PAGE_WIDTH;
	if (pfn >= frame_count)
		return 0;
	irq_spinlock_lock(&frame_lock);
	uint32_t rc = frames[pfn].state == FRAME_STATE_USED ? frames[pfn].refcount : 0;
	irq_spinlock_unlock(&frame_lock);
	return rc;
}

void frame_use_mark(uintptr_t pa, size_t count, frame_use_t use, void *owner)
{
	assert(use < FRAME_USE_COUNT);
	irq_spinlock_lock(&frame_lock);
	for (size_t i = 0; i < count; i++) {
		frame_t *f = frame_used(pa + i * PAGE_SIZE);
		use_frames[f->use]--;
		use_frames[use]++;
		f->use = (uint8_t) use;
		f->owner = owner;
	}
	irq_spinlock_unlock(&frame_lock);
}

size_t frame_use_counts(size_t out[FRAME_USE_COUNT])
{
	irq_spinlock_lock(&frame_lock);
	for (unsigned u = 0; u < FRAME_USE_COUNT; u++)
		out[u] = use_frames[u];
	size_t nfree = free_frames;
	irq_spinlock_unlock(&frame_lock);
	return nfree;
}

frame_t *frame_get(uintptr_t pa)
{
	size_t pfn = pa >> PAGE_WIDTH;
	if (pfn >= frame_count || frames[pfn].state != FRAME_STATE_USED)
		return NULL;
	return &frames[pfn];
}

uintptr_t frame_pa(const frame_t *f)
{
	return (uintptr_t) (f - frames) << PAGE_WIDTH;
}

size_t frame_free_count(void)
{
	return __atomic_load_n(&free_frames, __ATOMIC_RELAXED);
}

size_t frame_total_count(void)
{
	return total_frames;
}

errno_t frame_check(void)
{
	size_t counted = 0;
	errno_t rc = EOK;

	irq_spinlock_lock(&frame_lock);
	for (unsigned o = 0; o <= FRAME_MAX_ORDER && rc == EOK; o++) {
		list_foreach(free_list[o], l)
		{
			frame_t *f = list_get_instance(l, frame_t, link);
			size_t pfn = (size_t) (f - frames);
			if (f->state != FRAME_STATE_FREE_HEAD || f->order != o ||
			    (pfn & ((1ul << o) - 1))) {
				rc = EINVAL;
				break;
			}
			counted += 1ul << o;
		}
	}
	if (rc == EOK && counted != free_frames)
		rc = EINVAL;
	size_t used = 0;
	for (unsigned u = 0; u < FRAME_USE_COUNT; u++)
		used += use_frames[u];
	if (rc == EOK && used + free_frames != total_frames)
		rc = EINVAL;
	irq_spinlock_unlock(&frame_lock);
	return rc;
}
