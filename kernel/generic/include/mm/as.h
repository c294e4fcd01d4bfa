/*
 * Address spaces and their areas.
 *
 * An address space (as_t) is a page table plus a B+tree of areas keyed by
 * base address.  An area (as_area_t) is a page-aligned range of the user
 * half with one set of rights (AS_AREA_*), one backend and the used space
 * of its mapped pages.  The rules every operation enforces are those of
 * abi/as.h; see mm/as.c for the design, the locking and the lock order.
 *
 * Every operation validates its arguments first and then either succeeds
 * or fails changing nothing (no area, page, frame or counter differs).
 */
#ifndef KERN_MM_AS_H_
#define KERN_MM_AS_H_

#include <abi/as.h>
#include <abi/errno.h>
#include <adt/btree.h>
#include <mm/as_layout.h>
#include <mm/page.h>
#include <mm/used_space.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <synch/mutex.h>

/* Default limit of an address space's virtual size (sum of area sizes). */
#define AS_VSIZE_LIMIT_DEFAULT (16ULL << 30)

/*
 * Where a pager-backed area gets its pages (AS_BACKEND_PAGER).  The binding
 * is made and dropped only through mm/pager.h (pager_area_bind, _bind_like,
 * _unbind), which keeps the object records and tells the pager when an
 * object gains its first or loses its last area.  A piece carved out of an
 * area at base B (split, front trim) is bound to the same object at offset
 * offset + (B - base); a shared copy in another address space is bound to
 * the same object at the same offset.
 */
struct phone;
struct pager_obj;
struct ddi_range;
struct dma_buf;
struct as_backend;

/* An area's binding to a pager object (AS_BACKEND_PAGER; mm/pager.h). */
typedef struct as_pager_binding {
	struct phone *phone; /* kernel reference to the client's phone */
	uint64_t object; /* object id at the pager */
	uint64_t offset; /* byte offset of the area's base within the object */
	struct pager_obj *obj; /* the kernel's record of the object (pager_lock) */
	link_t obj_link; /* in the record's area list (pager_lock) */
	/* the page after the last run a page-in mapped here (as->lock): a
	 * fault there is sequential (PAGE_IN_SEQUENTIAL); 0 for none yet */
	uintptr_t seq_next;
} as_pager_binding_t;

/*
 * What a new area is backed by, as its backend's create hook gets it and
 * as a share describes its source (mm/as_backend.h).  The creator keeps
 * its references; the area takes its own.
 */
typedef union as_bind {
	struct {
		struct phone *phone;
		uint64_t object; /* object id at the pager */
		uint64_t offset; /* of the area's base in the object */
	} pager; /* AS_BACKEND_PAGER */
	struct {
		struct ddi_range *range; /* a physical range the area lies in */
		uint64_t pbase; /* the physical address of the area's base */
	} phys; /* AS_BACKEND_PHYS */
	struct {
		struct dma_buf *buf;
		uint64_t offset; /* of the area's base in the buffer */
	} dma; /* AS_BACKEND_DMA */
} as_bind_t;

struct as;

typedef struct as_area {
	struct as *as; /* the address space holding the area */
	uintptr_t base;
	size_t pages; /* size in pages (> 0) */
	unsigned flags; /* AS_AREA_* rights */
	unsigned backend; /* AS_BACKEND_*: ops->id (constant) */
	const struct as_backend *ops; /* the backend's hooks (constant) */
	union { /* the backend's state; which one: @a backend */
		as_pager_binding_t pager; /* AS_BACKEND_PAGER */
		struct {
			struct ddi_range *range; /* held */
			uint64_t pbase; /* physical address of base */
		} phys; /* AS_BACKEND_PHYS */
		struct {
			struct dma_buf *buf; /* held */
			uint64_t offset; /* of base in the buffer */
		} dma; /* AS_BACKEND_DMA */
	};
	used_space_t used; /* pages mapped now */
	as_gap_node_t gap_node; /* in as->gaps: [base, base + pages) */
} as_area_t;

typedef struct as {
	mutex_t lock; /* the area tree, every area's fields and used space */
	btree_t areas; /* base -> as_area_t * */
	as_gap_tree_t gaps; /* the same areas, for placement (mm/as_layout.h) */
	page_table_t pt;
	unsigned pcid; /* 0: none of its own (kernel's tag, always flushed) */
	bool tlb_stale; /* atomic: flush our PCID at the next activation */
	uint32_t refcount; /* atomic */
	size_t rss; /* resident pages, all areas (lock) */
	size_t vsize; /* bytes in areas (lock) */
	size_t vsize_limit; /* bytes (lock) */
	size_t areas_max; /* areas it may hold, AS_AREAS_MAX (lock) */
} as_t;

/* An empty address space with one reference: ENOMEM. */
errno_t as_create(as_t **out);
void as_hold(as_t *as);
/* A reference unless the last one is already gone (the address space is
 * being destroyed): for holders of a pointer that does not own a
 * reference, e.g. a pager object's area list under pager_lock. */
bool as_try_hold(as_t *as);
/* Drop a reference; the last one destroys every area and the AS. */
void as_release(as_t *as);

/* Load @a as on this CPU (NULL: the kernel-only page table). */
void as_activate(as_t *as);

/* The current task's address space (implemented by the task code). */
as_t *as_current(void);

/* Virtual-size limit in bytes (areas already there are kept). */
void as_vsize_limit_set(as_t *as, size_t bytes);
/* Most areas @a as may hold (AS_AREAS_MAX unless set; those already
 * there are kept): for tests. */
void as_areas_max_set(as_t *as, size_t max);

/*
 * Create an area of @a size bytes with @a flags (rights, plus AS_AREA_FIXED)
 * and @a backend.  With AS_AREA_FIXED exactly at @a base; otherwise @a base
 * is a hint: the first fit at or above max(base, AS_ANYWHERE_FLOOR), else
 * the first fit above AS_USER_FLOOR.  *base_out (may be NULL) gets the base.
 *   EINVAL  unknown flag bits or backend, size 0 or unaligned, (fixed) base
 *           unaligned or any byte outside [AS_USER_FLOOR, AS_USER_TOP);
 *   EOVERFLOW  base (or the hint) + size wraps;
 *   EPERM   write and exec together;       ENOTSUP  a backend that needs a
 *                                          binding (as_area_create_bound);
 *   EEXIST  (fixed) overlap;               ELIMIT   virtual-size limit, or
 *                                          AS_AREAS_MAX areas already;
 *   ENOMEM  no hole (not fixed), or frames/memory for a wired area.
 */
errno_t as_area_create(
    as_t *as, uintptr_t base, size_t size, unsigned flags, unsigned backend, uintptr_t *base_out);
/* The same with an alignment (a power of two >= PAGE_SIZE) for placement. */
errno_t as_area_create_aligned(as_t *as, uintptr_t base, size_t size, size_t align, unsigned flags,
    unsigned backend, uintptr_t *base_out);

/*
 * Create an area bound to a pager object: @a object at the pager @a phone
 * leads to (the caller keeps its reference; the binding takes its own),
 * @a offset the byte offset of the area's base in the object.  Placement,
 * flags and refusals as for as_area_create, and also
 *   EINVAL  @a offset not page aligned;   EOVERFLOW  offset + size wraps;
 *   ENOMEM, EHANGUP  the binding failed (pager_area_bind).
 * Nothing is mapped: every first touch faults and goes to the pager.
 */
errno_t as_area_create_pager(as_t *as, uintptr_t base, size_t size, unsigned flags,
    struct phone *phone, uint64_t object, uint64_t offset, uintptr_t *base_out);

/*
 * Create an area of @a size bytes backed by @a backend from @a bind (the
 * caller keeps its references; the area takes its own): a phys or DMA
 * area (mm/as_backend.h), a shared copy.  Placement, flags and refusals
 * as for as_area_create, plus the backend's own (a pager binding's,
 * ENOMEM for the pages of a mapped backend).
 */
errno_t as_area_create_bound(as_t *as, uintptr_t base, size_t size, unsigned flags,
    const struct as_backend *backend, const as_bind_t *bind, uintptr_t *base_out);

/*
 * Sharing (IPC share-out / share-in): make in another address space an
 * area of the size of the area starting exactly at a base, backed by the
 * same thing (a pager area: the same object at the same offset; a phys
 * area: the same physical pages; a DMA area: the same buffer).  In two
 * steps, so that the two address spaces are never locked together (they
 * may be the same): a snapshot of the source with references of its own
 * (as_share_snapshot), then the copy (as_share_create), then
 * as_share_src_fini.
 *   ENOENT  no area starts at the base;   ENOTSUP  the backend cannot be
 *           shared (wired);                EPERM   rights the source lacks;
 *   EINVAL  unknown bits;
 * and the refusals of as_area_create_bound in the destination.
 */
typedef struct as_share_src {
	const struct as_backend *backend; /* NULL: empty (holds nothing) */
	size_t size;
	as_bind_t bind; /* with the snapshot's references */
} as_share_src_t;

/* Snapshot the area at @a src_base of @a src for sharing with at most
 * @a rights (AS_AREA_RIGHTS bits): ENOENT, ENOTSUP, EPERM, EINVAL.  The
 * caller owns the references (as_share_src_fini). */
errno_t as_share_snapshot(as_t *src, uintptr_t src_base, unsigned rights, as_share_src_t *out);
/* Make the shared copy in @a dst (rights may include AS_AREA_FIXED: then
 * exactly at @a dst_base, else it is a hint). */
errno_t as_share_create(
    as_t *dst, uintptr_t dst_base, unsigned rights, const as_share_src_t *s, uintptr_t *dst_out);
/* Drop a snapshot's references (an empty one: nothing). */
void as_share_src_fini(as_share_src_t *s);
/* Snapshot, create, fini in one (kernel tests). */
errno_t as_area_share(as_t *src, uintptr_t src_base, as_t *dst, uintptr_t dst_base, unsigned rights,
    uintptr_t *dst_out);

/* Destroy the area starting exactly at @a base: ENOENT otherwise. */
errno_t as_area_destroy(as_t *as, uintptr_t base);

/*
 * Resize the area starting at @a base to @a new_size bytes: ENOENT (no such
 * area), EINVAL (0, unaligned, past AS_USER_TOP), EOVERFLOW (also: a pager
 * area's offset + new size wraps), EEXIST (grows into the next area),
 * ELIMIT, ENOMEM.  Growing a pager area maps nothing.
 */
errno_t as_area_resize(as_t *as, uintptr_t base, size_t new_size);

/*
 * Unmap [addr, addr + size) (munmap semantics): areas inside are destroyed,
 * areas overlapping an end are trimmed, an area holding the range inside is
 * split in two; gaps are fine (EOK also if nothing was there).  EINVAL,
 * EOVERFLOW (range as for create), ENOMEM (the split could not allocate),
 * ELIMIT (the split would exceed the area limit).
 */
errno_t as_area_unmap(as_t *as, uintptr_t addr, size_t size);

/*
 * Give [addr, addr + size) the rights @a flags (AS_AREA_RIGHTS bits only),
 * splitting areas at the ends of the range.  Every page must be in an area
 * (ENOENT).  EINVAL, EOVERFLOW, EPERM (W+X), ENOMEM, ELIMIT (the splits
 * would exceed the area limit).  Resident pages of a
 * pager area never gain write access the pager did not grant them (a
 * read-only copy-on-write page stays read-only; the next write faults).
 */
errno_t as_area_protect(as_t *as, uintptr_t addr, size_t size, unsigned flags);

/* The area holding @a addr: EOK and *out, or ENOENT. */
errno_t as_area_query(as_t *as, uintptr_t addr, as_area_info_t *out);

/*
 * Describe the areas in address order: min(max, total) of them into @a buf;
 * *count gets the total number of areas (also when it exceeds @a max).
 * Always EOK.
 */
errno_t as_area_list(as_t *as, as_area_info_t *buf, size_t max, size_t *count);
/* Up to @a max areas whose base is >= *from into @a buf, *from moved to
 * the end of the last of them: how many. */
size_t as_area_list_from(as_t *as, uintptr_t *from, as_area_info_t *buf, size_t max);

/*
 * Resolve a user page fault at @a addr with @a access (FAULT_ACCESS_*):
 *   EOK     the page is there with the rights (a stale translation, or
 *           another thread paged it in first; retry), or the pager
 *           supplied it;
 *   ENOENT  no area holds @a addr (*in_area false);
 *   EPERM   the area's rights forbid the access (*in_area true);
 *   EFAULT  a wired page is not mapped (a kernel bug; *in_area true);
 *   EINVAL  unknown access;
 *   other   a pager area's page-in failed (pager_page_fault: the pager's
 *           error, EINVAL for a bad answer, ETIMEOUT, EHANGUP, ERANGE).
 * Takes as->lock and may sleep without it (pager areas): never call it
 * with the lock held.
 */
errno_t as_page_fault(as_t *as, uintptr_t addr, unsigned access, bool *in_area);

/* The area holding @a addr or NULL (as->lock held). */
as_area_t *as_area_find(as_t *as, uintptr_t addr);
/* Page-table flags for AS_AREA_* rights and caching @a flags. */
unsigned as_area_page_flags(unsigned flags);
size_t as_resident_pages(as_t *as);
size_t as_area_count(as_t *as);

/* What an address space holds (SYS_TASK_LIST): its areas, their bytes
 * and their resident pages by backend (indexed by AS_BACKEND_*). */
#define AS_BACKEND_IDS (AS_BACKEND_DMA + 1)
typedef struct as_usage {
	size_t areas;
	size_t vsize;
	size_t resident[AS_BACKEND_IDS];
	size_t page_tables; /* frames of its page tables */
} as_usage_t;

/* Count @a as's areas and pages into *out (a walk of its areas). */
void as_usage_get(as_t *as, as_usage_t *out);
/* Up to @a max areas whose base is >= *from, described with what backs
 * them (SYS_TASK_AREA_LIST), into @a buf, *from moved to the end of the
 * last of them: how many. */
size_t as_area_detail_from(as_t *as, uintptr_t *from, task_area_info_t *buf, size_t max);
/* Sum of the area sizes in bytes. */
size_t as_vsize(as_t *as);

/*
 * Internal to mm/as.c and mm/as_area.c.
 */
/* The address space's next-area callback for mm/as_layout.h (lock held). */
struct as_layout_range;
bool as_layout_next_area(void *as, uintptr_t addr, struct as_layout_range *out);
/* Page-table changes of [base, base + pages) of @a as are done: make sure
 * no CPU keeps a translation from before them. */
void as_tlb_sync(as_t *as, uintptr_t base, size_t pages);
/* Unmap and free every area (as_release). */
void as_areas_destroy_all(as_t *as);
/* Destroy every area of @a as but those based at keep[0..n) (a task
 * becoming the program its loader laid out: SYS_TASK_EXEC). */
void as_areas_destroy_except(as_t *as, const uintptr_t *keep, size_t n);
/* For the backends (mm/as_backend.h), as->lock held: map @a count pages
 * from @a base in @a a (none mapped yet) with the pages its page_get hook
 * gives and record them; ENOMEM (or page_get's error) leaves nothing
 * mapped. */
errno_t as_area_populate(as_t *as, as_area_t *a, uintptr_t base, size_t count);

#endif
