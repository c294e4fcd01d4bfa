/*
 * Address spaces (see mm/as.h): life cycle, activation and PCIDs, lookups,
 * queries and the page-fault entry.  The area operations that change the
 * layout (create, destroy, resize, unmap, protect, share) are in
 * mm/as_area.c; the pure placement and split arithmetic in mm/as_layout.c.
 *
 * The cases.  An address space is a page table plus a B+tree of areas
 * keyed by base.  Every layout change is one of: add an area (create), cut
 * an area's tail (shrink, and the inner step of unmap), drop a whole area
 * (destroy), or carve the part of an area above some address off into a
 * new area (the split of unmap and protect).  Unmap and protect of a range
 * [b, e) reduce to these: the area holding e - 1 has its part above e
 * carved off, the area holding b has its part from b carved off (protect)
 * or cut (unmap), and every area now inside [b, e) is dropped (unmap) or
 * re-protected (protect).  Only the two end areas can need memory, so at
 * most two new areas are ever prepared.
 *
 * Failing without a trace.  Each operation first validates, then prepares
 * everything that can fail (new area structures, their copies of the used
 * space, their keys in the area tree, wired frames and page-table pages),
 * undoing precisely what it prepared if any step fails, and only then
 * commits with steps that cannot fail: B+tree removes and updates,
 * used-space clears that end at an area's end (they never split an
 * interval, so they never allocate), page removals and protection changes
 * of mapped pages, frame reference drops.  While a prepared piece sits in
 * the area tree it overlaps its parent; nothing looks the tree up by
 * address until the commit has cut the parent.
 *
 * Walking only what is mapped.  Destroy, shrink and unmap visit the used
 * space of the cut part (merged intervals), never the page range, so a
 * huge sparse area costs what is resident.  The same path serves every
 * backend: each unmapped page goes to its backend's page_release hook
 * once no TLB holds it (a wired frame's only reference, or the one the
 * fault path took on a pager's frame, is dropped there).
 *
 * Backends.  Everything that depends on what backs an area is a hook of
 * its backend's table (mm/as_backend.h: create, piece, resize, share,
 * destroy, fault, page_get, page_release); this file and mm/as_area.c
 * never ask which backend an area has.
 *
 * Pager areas.  A pager area is created with nothing mapped and bound to
 * its object (pager_area_bind); growing it maps nothing either.  Pages come
 * only from the fault path.  Its binding follows every layout change: a
 * prepared piece carved out at base B of an area with base A and object
 * offset O is bound to the same object at O + (B - A) in the prepare phase
 * (it can fail: ENOMEM, and then the piece is unbound again); an area that
 * goes away is unbound in the commit phase, after its pages are unmapped
 * (unbinding never fails).  So a front trim leaves an area whose offset
 * grew by the trimmed bytes, and the pager hears OBJECT_REF/UNREF only
 * when an object's first area appears or its last one goes -- never for a
 * split.  Protect changes the rights of resident pages of a pager area
 * like wired ones but never makes a page writable: the pager decides that
 * (copy-on-write pages are read-only), so a write faults to the pager
 * again.  Sharing reads the source area under its lock (taking a
 * reference on the binding's phone), drops that lock and creates the copy
 * in the other address space: two as->locks are never held together.
 *
 * TLB.  Removing or downgrading a mapping invalidates it on this CPU (the
 * page-table layer does that for the current PCID), then as_tlb_sync()
 * marks the address space's PCID stale, so its next activation flushes it,
 * and invalidates the range again if the address space is active here (a
 * preemption between the change and the mark cannot leave a translation
 * behind).  Frames are dropped only after that.  With PCIDs on, each
 * address space gets its own tag from a pool (0 means none: always
 * flushed); a fresh tag starts stale.  Other CPUs need a shootdown here
 * once the kernel runs on more than one.
 *
 * Placement.  Besides the B+tree (lookups by address), every area is a
 * node of the gap index (as->gaps, mm/as_layout.h), an AVL tree that knows
 * the free gap below each area and the largest gap in each subtree, so a
 * non-fixed area is placed first fit in O(log n).  The node is embedded in
 * the area: as_area.c inserts it with the area's B+tree key, removes it
 * with the key and moves its end whenever the area's size changes, all in
 * commit steps (none can fail).
 *
 * Bounds.  An address space holds at most areas_max areas (AS_AREAS_MAX,
 * abi/as.h): every area costs kernel memory that no frame of the task pays
 * for, so a task making areas in a loop must meet ELIMIT long before the
 * machine runs out.  Every change that ends with one area more checks it
 * in its prepare phase: a create, the carving of a piece that stays next
 * to its parent (protect always, unmap when the range lies inside one
 * area).  The virtual size is bounded too (vsize_limit).
 *
 * Locking.  as_t.lock (a mutex: operations allocate and may sleep) protects
 * the area tree, the gap index, every field of every area and its used
 * space, the RSS and virtual-size counters and the limits.  Lock order:
 *     as->lock -> page-table lock (inside page_mapping_*) -> frame_lock
 *     as->lock -> pager_lock (binding, inside area operations)
 * A fault in a pager area hands as->lock to pager_page_fault, which drops
 * it while the pager answers (other threads keep faulting and changing
 * the layout meanwhile) and returns with it released.
 * The PCID pool has its own leaf spinlock.  as_activate() takes no lock
 * (the scheduler calls it); the stale flag and the reference count are
 * atomics.  Never copy to or from user space with as->lock held: the copy
 * may fault, and the fault handler takes the lock.
 *
 * Rejected.  A per-page loop over the whole area range for destroy/shrink
 * (cost of the range, not of what is mapped).  Re-keying the area tree in
 * place on a front trim (a different path for one case; carving a piece
 * handles front trims, middle splits and protect the same way).  A
 * reservation API in the B+tree (the insert-then-undo discipline is enough
 * since B+tree removes cannot fail).  A TLB flush of everything after each
 * change (the PCID stale mark makes the cost fall on the next switch
 * only).  Holding page-table pages per area (the page-table layer frees
 * empty tables itself).
 */
#include <abi/task.h>
#include <debug.h>
#include <mm/as.h>
#include <mm/as_backend.h>
#include <mm/as_layout.h>
#include <mm/malloc.h>
#include <synch/spinlock.h>

/* PCIDs 1 .. AS_PCID_COUNT - 1 are handed out; 0 is the kernel's. */
#define AS_PCID_COUNT 4096

static spinlock_t as_pcid_lock = SPINLOCK_INITIALIZER("as-pcid");
static uint64_t as_pcid_used[AS_PCID_COUNT / 64] GUARDED_BY(as_pcid_lock);
/* The address space loaded on this CPU (per CPU once there are several). */
static as_t *as_active_here;

static unsigned as_pcid_alloc(void)
{
	unsigned pcid = 0;

	if (!page_table_pcid_enabled())
		return 0;
	spinlock_lock(&as_pcid_lock);
	for (unsigned i = 1; i < AS_PCID_COUNT; i++) {
		if (!(as_pcid_used[i / 64] & (1ULL << (i % 64)))) {
			as_pcid_used[i / 64] |= 1ULL << (i % 64);
			pcid = i;
			break;
		}
	}
	spinlock_unlock(&as_pcid_lock);
	return pcid;
}

static void as_pcid_free(unsigned pcid)
{
	if (pcid == 0)
		return;
	spinlock_lock(&as_pcid_lock);
	assert(as_pcid_used[pcid / 64] & (1ULL << (pcid % 64)));
	as_pcid_used[pcid / 64] &= ~(1ULL << (pcid % 64));
	spinlock_unlock(&as_pcid_lock);
}

errno_t as_create(as_t **out)
{
	as_t *as = calloc(1, sizeof(*as));

	if (as == NULL)
		return ENOMEM;
	errno_t rc = page_table_create(&as->pt);
	if (rc != EOK) {
		free(as);
		return rc;
	}
	mutex_initialize(&as->lock, "as");
	btree_create(&as->areas);
	as_gap_tree_init(&as->gaps);
	as->pcid = as_pcid_alloc();
	as->tlb_stale = true;
	as->refcount = 1;
	as->vsize_limit = AS_VSIZE_LIMIT_DEFAULT;
	as->areas_max = AS_AREAS_MAX;
	*out = as;
	return EOK;
}

void as_hold(as_t *as)
{
	uint32_t old = __atomic_fetch_add(&as->refcount, 1, __ATOMIC_RELAXED);

	assert(old > 0);
}

bool as_try_hold(as_t *as)
{
	uint32_t old = __atomic_load_n(&as->refcount, __ATOMIC_RELAXED);

	do {
		if (old == 0)
			return false;
	} while (!__atomic_compare_exchange_n(
	    &as->refcount, &old, old + 1, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

static void as_destroy(as_t *as)
{
	if (__atomic_load_n(&as_active_here, __ATOMIC_RELAXED) == as)
		as_activate(NULL);
	mutex_lock(&as->lock);
	as_areas_destroy_all(as);
	assert(as->rss == 0 && as->vsize == 0 && btree_count(&as->areas) == 0);
	assert(as->gaps.count == 0);
	mutex_unlock(&as->lock);
	btree_destroy(&as->areas);
	page_table_destroy(&as->pt);
	as_pcid_free(as->pcid);
	free(as);
}

void as_release(as_t *as)
{
	uint32_t left = __atomic_sub_fetch(&as->refcount, 1, __ATOMIC_ACQ_REL);

	assert(left + 1 > 0);
	if (left == 0)
		as_destroy(as);
}

void as_activate(as_t *as)
{
	if (as == NULL) {
		__atomic_store_n(&as_active_here, NULL, __ATOMIC_RELAXED);
		page_table_activate(&page_table_kernel, 0, false);
		return;
	}
	__atomic_store_n(&as_active_here, as, __ATOMIC_RELAXED);
	bool stale = __atomic_exchange_n(&as->tlb_stale, false, __ATOMIC_ACQ_REL);
	page_table_activate(&as->pt, as->pcid, as->pcid != 0 && !stale);
}

void as_tlb_sync(as_t *as, uintptr_t base, size_t pages)
{
	__atomic_store_n(&as->tlb_stale, true, __ATOMIC_RELEASE);
	if (__atomic_load_n(&as_active_here, __ATOMIC_RELAXED) == as)
		tlb_invalidate_range(base, pages);
	/* SMP: shoot down the other CPUs that have this AS loaded. */
}

void as_vsize_limit_set(as_t *as, size_t bytes)
{
	mutex_lock(&as->lock);
	as->vsize_limit = bytes;
	mutex_unlock(&as->lock);
}

void as_areas_max_set(as_t *as, size_t max)
{
	mutex_lock(&as->lock);
	as->areas_max = max;
	mutex_unlock(&as->lock);
}

static uintptr_t as_area_end(const as_area_t *a)
{
	return a->base + a->pages * PAGE_SIZE;
}

static void as_range_of(as_area_t *a, as_layout_range_t *out)
{
	out->base = a->base;
	out->end = as_area_end(a);
	out->data = a;
}

bool as_layout_next_area(void *arg, uintptr_t addr, as_layout_range_t *out)
{
	as_t *as = arg;
	void *v;

	assert(mutex_locked_by_me(&as->lock));
	if (btree_find_le(&as->areas, addr, NULL, &v) == EOK && as_area_end(v) > addr) {
		as_range_of(v, out);
		return true;
	}
	if (btree_find_gt(&as->areas, addr, NULL, &v) == EOK) {
		as_range_of(v, out);
		return true;
	}
	return false;
}

as_area_t *as_area_find(as_t *as, uintptr_t addr)
{
	void *v;

	assert(mutex_locked_by_me(&as->lock));
	if (btree_find_le(&as->areas, addr, NULL, &v) != EOK || as_area_end(v) <= addr)
		return NULL;
	return v;
}

static void as_area_info_fill(as_area_t *a, as_area_info_t *out)
{
	out->base = a->base;
	out->size = a->pages * PAGE_SIZE;
	out->flags = a->flags;
	out->backend = a->backend;
	out->resident = used_space_pages(&a->used);
}

errno_t as_area_query(as_t *as, uintptr_t addr, as_area_info_t *out)
{
	errno_t rc = ENOENT;

	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, addr);
	if (a != NULL) {
		as_area_info_fill(a, out);
		rc = EOK;
	}
	mutex_unlock(&as->lock);
	return rc;
}

static size_t as_area_list_locked(as_t *as, uintptr_t *from, as_area_info_t *buf, size_t max)
    REQUIRES(as->lock)
{
	btree_iter_t it;
	size_t n = 0;

	assert(mutex_locked_by_me(&as->lock));
	if (max == 0 || !btree_iter_ge(&as->areas, *from, &it))
		return 0;
	do {
		as_area_info_fill(btree_iter_value(&it), &buf[n++]);
	} while (n < max && btree_iter_next(&it));
	*from = buf[n - 1].base + buf[n - 1].size;
	return n;
}

size_t as_area_list_from(as_t *as, uintptr_t *from, as_area_info_t *buf, size_t max)
{
	mutex_lock(&as->lock);
	size_t n = as_area_list_locked(as, from, buf, max);
	mutex_unlock(&as->lock);
	return n;
}

errno_t as_area_list(as_t *as, as_area_info_t *buf, size_t max, size_t *count)
{
	uintptr_t from = 0;
	mutex_lock(&as->lock);
	as_area_list_locked(as, &from, buf, max);
	*count = btree_count(&as->areas);
	mutex_unlock(&as->lock);
	return EOK;
}

void as_usage_get(as_t *as, as_usage_t *out)
{
	btree_iter_t it;

	*out = (as_usage_t){ 0 };
	mutex_lock(&as->lock);
	out->areas = btree_count(&as->areas);
	out->vsize = as->vsize;
	out->page_tables = page_table_frames(&as->pt);
	if (btree_iter_ge(&as->areas, 0, &it)) {
		do {
			as_area_t *a = btree_iter_value(&it);
			assert(a->backend < AS_BACKEND_IDS);
			out->resident[a->backend] += used_space_pages(&a->used);
		} while (btree_iter_next(&it));
	}
	mutex_unlock(&as->lock);
}

/* as->lock held. */
static void as_area_detail_fill(as_area_t *a, task_area_info_t *out)
{
	*out = (task_area_info_t){ .base = a->base,
		.size = a->pages * PAGE_SIZE,
		.flags = a->flags,
		.backend = a->backend,
		.resident = used_space_pages(&a->used) };
	if (a->ops->describe)
		a->ops->describe(a, out);
}

size_t as_area_detail_from(as_t *as, uintptr_t *from, task_area_info_t *buf, size_t max)
{
	btree_iter_t it;
	size_t n = 0;

	mutex_lock(&as->lock);
	if (max > 0 && btree_iter_ge(&as->areas, *from, &it)) {
		do {
			as_area_detail_fill(btree_iter_value(&it), &buf[n++]);
		} while (n < max && btree_iter_next(&it));
		*from = buf[n - 1].base + buf[n - 1].size;
	}
	mutex_unlock(&as->lock);
	return n;
}

size_t as_resident_pages(as_t *as)
{
	mutex_lock(&as->lock);
	size_t n = as->rss;
	mutex_unlock(&as->lock);
	return n;
}

size_t as_area_count(as_t *as)
{
	mutex_lock(&as->lock);
	size_t n = btree_count(&as->areas);
	mutex_unlock(&as->lock);
	return n;
}

size_t as_vsize(as_t *as)
{
	mutex_lock(&as->lock);
	size_t n = as->vsize;
	mutex_unlock(&as->lock);
	return n;
}

/* The area right an access needs; 0 for an unknown access. */
static unsigned as_fault_right(unsigned access)
{
	switch (access) {
	case FAULT_ACCESS_READ:
		return AS_AREA_READ;
	case FAULT_ACCESS_WRITE:
		return AS_AREA_WRITE;
	case FAULT_ACCESS_EXEC:
		return AS_AREA_EXEC;
	default:
		return 0;
	}
}

/* The page is mapped for user space with the rights @a right needs. */
static bool as_fault_page_ok(as_t *as, uintptr_t addr, unsigned right) REQUIRES(as->lock)
{
	uintptr_t pa;
	unsigned pf;

	if (page_mapping_find(&as->pt, PAGE_ALIGN_DOWN(addr), &pa, &pf) != EOK)
		return false;
	if (!(pf & PAGE_USER))
		return false;
	if (right == AS_AREA_WRITE)
		return (pf & PAGE_WRITE) != 0;
	if (right == AS_AREA_EXEC)
		return (pf & PAGE_EXEC) != 0;
	return true;
}

/* What the fault at @a addr in area @a a (or none) means, under as->lock:
 * EAGAIN when the backend must supply the page (a pager area's). */
static errno_t as_fault_classify(as_t *as, as_area_t *a, uintptr_t addr, unsigned right)
    REQUIRES(as->lock)
{
	if (a == NULL)
		return ENOENT;
	if (!(a->flags & right))
		return EPERM;
	if (as_fault_page_ok(as, addr, right))
		return EOK;
	return a->ops->fault != NULL ? EAGAIN : EFAULT;
}

/* Not analysed: the backend's fault hook releases as->lock, which a
 * function pointer cannot declare. */
errno_t as_page_fault(
    as_t *as, uintptr_t addr, unsigned access, bool *in_area) NO_THREAD_SAFETY_ANALYSIS
{
	unsigned right = as_fault_right(access);

	*in_area = false;
	if (right == 0)
		return EINVAL;
	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, addr);
	*in_area = a != NULL;
	errno_t rc = as_fault_classify(as, a, addr, right);
	if (rc == EAGAIN)
		return a->ops->fault(as, a, addr, access); /* releases the lock */
	mutex_unlock(&as->lock);
	return rc;
}
