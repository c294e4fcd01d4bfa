/*
 * Kernel tests of the area backend table (mm/as_backend.h), contiguous
 * frames below a limit (frame_alloc_below), phys mappings of device
 * ranges and DMA buffers (ddi/dma.h).
 *
 * The backend test runs the layout operations over a backend made here
 * whose hooks count their calls, so a layout path that stopped going
 * through the table (or called the wrong hook) fails it.  The runner
 * checks every test for leaked frames and allocations; the tests also
 * compare the free frames and the reference counts they expect on the
 * way.
 */
#include <abi/task.h>
#include <arch/layout.h>
#include <cap/cap.h>
#include <ddi/dma.h>
#include <ddi/range.h>
#include <mm/as.h>
#include <mm/as_backend.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/slab.h>
#include <test/ktest.h>

#define PS PAGE_SIZE
#define X 0x400000UL
#define RW (AS_AREA_READ | AS_AREA_WRITE)
#define RO (AS_AREA_READ)
#define FIX AS_AREA_FIXED
#define MIB (1ULL << 20)

/* ---- the backend table ---- */

#define TB_ID 0x7e
#define TB_TAG 0x10000

static struct {
	unsigned create, piece, resize_check, share, share_put, destroy, fault, get, release;
} tb;

static errno_t tb_create(as_t *as, as_area_t *a, const as_bind_t *b)
{
	(void) as;
	tb.create++;
	a->dma.buf = NULL;
	a->dma.offset = b->dma.offset; /* a tag that follows the pages */
	return EOK;
}

static errno_t tb_piece(as_area_t *p, const as_area_t *src)
{
	tb.piece++;
	p->dma.buf = NULL;
	p->dma.offset = src->dma.offset + (p->base - src->base);
	return EOK;
}

static errno_t tb_resize_check(const as_area_t *a, size_t new_size)
{
	(void) a;
	tb.resize_check++;
	return new_size > 8 * PS ? ERANGE : EOK;
}

static void tb_share(const as_area_t *a, as_bind_t *out)
{
	tb.share++;
	out->dma.buf = NULL;
	out->dma.offset = a->dma.offset;
}

static void tb_share_put(as_bind_t *b)
{
	(void) b;
	tb.share_put++;
}

static void tb_destroy(as_area_t *a)
{
	(void) a;
	tb.destroy++;
}

/* Lazy: map the faulting page from page_get, like a pager would. */
static errno_t tb_fault(
    as_t *as, as_area_t *a, uintptr_t addr, unsigned access) NO_THREAD_SAFETY_ANALYSIS
{
	(void) access;
	tb.fault++;
	errno_t rc = as_area_populate(as, a, PAGE_ALIGN_DOWN(addr), 1);
	mutex_unlock(&as->lock);
	return rc;
}

static errno_t tb_page_get(as_area_t *a, uintptr_t va, uintptr_t *pa)
{
	(void) a;
	(void) va;
	tb.get++;
	return frame_alloc(1, FRAME_ZERO, pa);
}

static void tb_page_release(as_area_t *a, uintptr_t pa)
{
	(void) a;
	tb.release++;
	frame_free(pa, 1);
}

static const as_backend_t tb_backend = {
	.id = TB_ID,
	.name = "test",
	.create = tb_create,
	.piece = tb_piece,
	.resize_check = tb_resize_check,
	.share = tb_share,
	.share_put = tb_share_put,
	.destroy = tb_destroy,
	.fault = tb_fault,
	.page_get = tb_page_get,
	.page_release = tb_page_release,
};

/* The tag of the area holding @a va (~0 if none). */
static uint64_t tb_tag(as_t *as, uintptr_t va)
{
	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, va);
	uint64_t tag = a != NULL ? a->dma.offset : ~0ULL;
	mutex_unlock(&as->lock);
	return tag;
}

KTEST(as_backend_table)
{
	KT_CHECK(as_backend_get(AS_BACKEND_WIRED) == &as_backend_wired);
	KT_CHECK(as_backend_get(AS_BACKEND_PAGER) == &as_backend_pager);
	KT_CHECK(as_backend_get(AS_BACKEND_PHYS) == &as_backend_phys);
	KT_CHECK(as_backend_get(AS_BACKEND_DMA) == &as_backend_dma);
	KT_CHECK(as_backend_get(0) == NULL && as_backend_get(99) == NULL);
	const as_backend_t *all[] = { &as_backend_wired, &as_backend_pager, &as_backend_phys,
		&as_backend_dma };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const as_backend_t *b = all[i];
		KT_CHECK(as_backend_get(b->id) == b);
		KT_CHECK(b->create != NULL);
		/* a backend that shares can drop a share's references */
		KT_CHECK((b->share == NULL) == (b->share_put == NULL));
		/* without a fault hook every page is mapped up front */
		KT_CHECK(b->fault != NULL || b->page_get != NULL);
	}
	KT_CHECK(as_backend_wired.plain && !as_backend_pager.plain && !as_backend_phys.plain &&
	    !as_backend_dma.plain);
	/* no device memory or DMA page is ever freed by an unmapping */
	KT_CHECK(as_backend_phys.page_release == NULL && as_backend_dma.page_release == NULL);
}

KTEST(as_backend_hooks)
{
	as_t *as, *as2;
	as_area_info_t info;
	bool in = false;
	as_bind_t bind = { .dma = { NULL, TB_TAG } };
	size_t free0 = frame_free_count();

	tb = (typeof(tb)){ 0 };
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_create(&as2), EOK);
	KT_ASSERT_EQ(as_area_create_bound(as, X, 4 * PS, RW | FIX, &tb_backend, &bind, NULL), EOK);
	KT_CHECK_EQ(tb.create, 1);
	KT_CHECK_EQ(as_area_query(as, X, &info), EOK);
	KT_CHECK(info.backend == TB_ID && info.resident == 0);
	/* a fault goes to the hook, once: the second access finds the page */
	KT_CHECK_EQ(as_page_fault(as, X + PS + 8, FAULT_ACCESS_WRITE, &in), EOK);
	KT_CHECK_EQ(as_page_fault(as, X + PS + 16, FAULT_ACCESS_WRITE, &in), EOK);
	KT_CHECK(in && tb.fault == 1 && tb.get == 1);
	KT_CHECK_EQ(as_resident_pages(as), 1);
	/* protect of the third page: two pieces, tags at their offsets */
	KT_CHECK_EQ(as_area_protect(as, X + 2 * PS, PS, RO), EOK);
	KT_CHECK_EQ(tb.piece, 2);
	KT_CHECK_EQ(tb_tag(as, X + 2 * PS), TB_TAG + 2 * PS);
	KT_CHECK_EQ(tb_tag(as, X + 3 * PS), TB_TAG + 3 * PS);
	/* the rights refuse before the backend is asked */
	KT_CHECK_EQ(as_page_fault(as, X + 2 * PS, FAULT_ACCESS_WRITE, &in), EPERM);
	KT_CHECK_EQ(tb.fault, 1);
	/* growth asks resize_check; its refusal changes nothing */
	KT_CHECK_EQ(as_area_resize(as, X + 3 * PS, 2 * PS), EOK);
	KT_CHECK_EQ(as_area_resize(as, X + 3 * PS, 9 * PS), ERANGE);
	KT_CHECK_EQ(tb.resize_check, 2);
	KT_CHECK_EQ(as_vsize(as), 5 * PS);
	/* a share: snapshot, create from it in the other AS, drop */
	KT_CHECK_EQ(as_area_share(as, X, as2, X, RW | FIX, NULL), EOK);
	KT_CHECK(tb.share == 1 && tb.create == 2 && tb.share_put == 1);
	KT_CHECK_EQ(tb_tag(as2, X), TB_TAG);
	/* unmapping releases the one mapped page and destroys 3 areas */
	KT_CHECK_EQ(as_area_unmap(as, X, 16 * PS), EOK);
	KT_CHECK(tb.release == 1 && tb.destroy == 3);
	as_release(as2);
	KT_CHECK_EQ(tb.destroy, 4);
	as_release(as);
	KT_CHECK_EQ(tb.get, tb.release);
	slab_reclaim();
	KT_CHECK_EQ(frame_free_count(), free0);
}

/* ---- contiguous frames below a limit ---- */

KTEST(frame_alloc_below_limit)
{
	uintptr_t pa;

	/* a run of 5 (not a power of two) below 16 MiB: contiguous, its own */
	KT_ASSERT_EQ(frame_alloc_below(5, FRAME_ZERO, 16 * MIB, &pa), EOK);
	KT_CHECK(pa + 5 * PS <= 16 * MIB);
	for (size_t i = 0; i < 5; i++) {
		KT_CHECK_EQ(frame_refcount(pa + i * PS), 1);
		KT_CHECK_EQ(((uint64_t *) PA2KA(pa + i * PS))[7], 0);
	}
	frame_free(pa, 5);
	KT_CHECK_EQ(frame_refcount(pa), 0);
	/* the first MiB is never handed out: nothing fits below it */
	KT_CHECK_EQ(frame_alloc_below(1, 0, MIB, &pa), ENOMEM);
	KT_CHECK_EQ(frame_alloc_below(0, 0, 16 * MIB, &pa), EINVAL);
	KT_CHECK_EQ(frame_alloc_below(2048, 0, UINT64_MAX, &pa), ENOMEM);
	KT_CHECK_EQ(frame_check(), EOK);
}

/* Take every frame below 16 MiB: each is below it, then there is none
 * left there while memory above is still free; all come back. */
KTEST(frame_alloc_below_exhaust)
{
	const uint64_t limit = 16 * MIB;
	size_t max = limit / PS, n = 0;
	uintptr_t *got = malloc(max * sizeof(*got));
	size_t free0 = frame_free_count();
	uintptr_t pa;
	bool below = true;

	KT_ASSERT(got != NULL);
	while (n < max && frame_alloc_below(1, 0, limit, &got[n]) == EOK)
		below &= got[n++] + PS <= limit;
	KT_CHECK(below);
	KT_CHECK(n > 0 && n < max);
	KT_CHECK_EQ(frame_alloc_below(1, 0, limit, &pa), ENOMEM);
	KT_CHECK_EQ(frame_free_count(), free0 - n);
	if (KT_CHECK_EQ(frame_alloc(1, 0, &pa), EOK)) { /* above the limit */
		KT_CHECK(pa >= limit);
		frame_free(pa, 1);
	}
	for (size_t i = 0; i < n; i++)
		frame_free(got[i], 1);
	KT_CHECK_EQ(frame_free_count(), free0);
	KT_CHECK_EQ(frame_check(), EOK);
	free(got);
}

KTEST(frame_range_managed)
{
	uintptr_t pa;

	KT_CHECK(!frame_range_managed(0xb8000, 8)); /* VGA text memory */
	KT_CHECK(!frame_range_managed(0xf0000, 16)); /* BIOS */
	KT_CHECK(!frame_range_managed(0xfe000000, 16)); /* above RAM: PCI */
	KT_ASSERT_EQ(frame_alloc(1, 0, &pa), EOK);
	KT_CHECK(frame_range_managed(pa, 1));
	KT_CHECK(frame_range_managed(pa - 4 * PS, 5));
	frame_free(pa, 1);
	KT_CHECK(frame_range_managed(pa, 1)); /* free RAM is still the allocator's */
}

/* ---- phys mappings ---- */

typedef struct mem_fix {
	cap_table_t *caps;
	as_t *as, *as2;
	size_t free0, live0;
} mem_fix_t;

static bool mem_fix_init(mem_fix_t *f)
{
	*f = (mem_fix_t){ .caps = malloc(sizeof(cap_table_t)) };
	if (f->caps == NULL)
		return false;
	cap_table_init(f->caps);
	if (as_create(&f->as) != EOK || as_create(&f->as2) != EOK)
		return false;
	slab_reclaim();
	f->free0 = frame_free_count();
	f->live0 = dma_buf_live();
	return true;
}

static void mem_fix_fini(mem_fix_t *f)
{
	if (f->caps) {
		cap_table_close_all(f->caps);
		free(f->caps);
	}
	if (f->as2)
		as_release(f->as2);
	if (f->as)
		as_release(f->as);
}

/* The mapping of @a va: its frame and flags (false if none). */
static bool pte_of(as_t *as, uintptr_t va, uintptr_t *pa, unsigned *pf)
{
	return page_mapping_find(&as->pt, va, pa, pf) == EOK;
}

KTEST(ddi_phys_map_rights)
{
	mem_fix_t f;
	cap_handle_t h, io;
	ddi_range_t *r, *rio;
	uintptr_t b = 0, b2 = 0, pa;
	unsigned pf;
	as_area_info_t info;

	KT_ASSERT(mem_fix_init(&f));
	KT_ASSERT_EQ(ddi_range_grant(f.caps, DDI_RANGE_PHYS, 0xb8000, 0x8000, &h), EOK);
	KT_ASSERT_EQ(ddi_range_grant(f.caps, DDI_RANGE_IO, 0x3f8, 8, &io), EOK);
	KT_ASSERT_EQ(ddi_range_get(f.caps, h, DDI_RANGE_PHYS, &r), EOK);
	KT_CHECK_EQ(ddi_range_get(f.caps, io, DDI_RANGE_PHYS, &rio), ENOENT);
	KT_ASSERT_EQ(ddi_range_get(f.caps, io, DDI_RANGE_IO, &rio), EOK);
	slab_reclaim();
	size_t free1 = frame_free_count(); /* the range objects are made */
	/* uncached, read/write: PCD|PWT, user, writable, at range + offset */
	KT_ASSERT_EQ(ddi_phys_map(f.as, r, 0x1000, 0x2000, RW | AS_AREA_UNCACHED, &b), EOK);
	KT_CHECK_EQ(r->refs, 3); /* the table's, ours, the area's */
	for (size_t i = 0; i < 2; i++) {
		KT_ASSERT(pte_of(f.as, b + i * PS, &pa, &pf));
		KT_CHECK_EQ(pa, 0xb9000 + i * PS);
		KT_CHECK_EQ(pf & (PAGE_USER | PAGE_WRITE | PAGE_NOCACHE | PAGE_EXEC),
		    PAGE_USER | PAGE_WRITE | PAGE_NOCACHE);
	}
	KT_CHECK(!pte_of(f.as, b + 2 * PS, &pa, &pf));
	KT_CHECK_EQ(as_area_query(f.as, b, &info), EOK);
	KT_CHECK(info.backend == AS_BACKEND_PHYS && info.resident == 2 && info.size == 2 * PS);
	/* read-only, cached: neither bit */
	KT_ASSERT_EQ(ddi_phys_map(f.as, r, 0, PS, RO, &b2), EOK);
	KT_ASSERT(pte_of(f.as, b2, &pa, &pf));
	KT_CHECK(pa == 0xb8000 && (pf & PAGE_USER) && !(pf & (PAGE_WRITE | PAGE_NOCACHE)));
	/* refusals, each changing nothing */
	size_t areas = as_area_count(f.as);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, 0x8000, PS, RW, &b2), EPERM);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, 0x7000, 2 * PS, RW, &b2), EPERM);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, ~0ULL & ~(PS - 1), 2 * PS, RW, &b2), EPERM);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, 0x800, PS, RW, &b2), EINVAL);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, 0, 0, RW, &b2), EINVAL);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, 0, PS, RW | FIX, &b2), EINVAL);
	KT_CHECK_EQ(ddi_phys_map(f.as, r, 0, PS, RW | AS_AREA_EXEC, &b2), EPERM);
	KT_CHECK_EQ(ddi_phys_map(f.as, rio, 0, PS, RW, &b2), EINVAL);
	KT_CHECK_EQ(as_area_count(f.as), areas);
	KT_CHECK_EQ(r->refs, 4);
	/* a phys area cannot grow; it can be split, each piece a reference */
	KT_CHECK_EQ(as_area_resize(f.as, b, 3 * PS), ENOTSUP);
	KT_CHECK_EQ(as_area_protect(f.as, b + PS, PS, RO | AS_AREA_UNCACHED), EOK);
	KT_CHECK_EQ(r->refs, 5);
	KT_ASSERT(pte_of(f.as, b + PS, &pa, &pf));
	KT_CHECK(pa == 0xba000 && !(pf & PAGE_WRITE) && (pf & PAGE_NOCACHE));
	/* unmapping frees nothing: the frames are not RAM */
	KT_CHECK_EQ(as_area_unmap(f.as, b, 2 * PS), EOK);
	KT_CHECK_EQ(as_area_destroy(f.as, b2), EOK);
	KT_CHECK_EQ(r->refs, 2);
	slab_reclaim();
	KT_CHECK_EQ(frame_free_count(), free1);
	ddi_range_put(r);
	ddi_range_put(rio);
	mem_fix_fini(&f);
}

/* A range over RAM the allocator manages is refused (EBUSY); a phys area
 * shared into another address space maps the same frames and keeps the
 * range alive after the capability and the source are gone. */
KTEST(ddi_phys_map_share)
{
	mem_fix_t f;
	ddi_range_t *r, *ram;
	uintptr_t b = 0, c = 0, pa, pa2, fr;
	unsigned pf;

	KT_ASSERT(mem_fix_init(&f));
	KT_ASSERT_EQ(frame_alloc(1, 0, &fr), EOK);
	KT_ASSERT_EQ(ddi_range_create(DDI_RANGE_PHYS, fr, PS, &ram), EOK);
	KT_CHECK_EQ(ddi_phys_map(f.as, ram, 0, PS, RW, &b), EBUSY);
	ddi_range_put(ram);
	frame_free(fr, 1);
	KT_ASSERT_EQ(ddi_range_create(DDI_RANGE_PHYS, 0xf0000, 0x10000, &r), EOK);
	KT_ASSERT_EQ(ddi_phys_map(f.as, r, 0xf000, PS, RO, &b), EOK);
	KT_CHECK_EQ(as_area_share(f.as, b, f.as2, 0, RW, &c), EPERM);
	KT_ASSERT_EQ(as_area_share(f.as, b, f.as2, 0, RO, &c), EOK);
	KT_CHECK_EQ(r->refs, 3);
	ddi_range_put(r); /* the creator's (a capability's) reference goes */
	KT_CHECK_EQ(as_area_destroy(f.as, b), EOK);
	KT_CHECK_EQ(r->refs, 1); /* the copy keeps the range */
	KT_ASSERT(pte_of(f.as2, c, &pa, &pf));
	KT_CHECK_EQ(pa, 0xff000);
	/* the kernel's own view of the reset vector's page is the same */
	pa2 = 0xffff0;
	KT_CHECK_EQ(*(volatile uint8_t *) PA2KA(pa2), *(volatile uint8_t *) PA2KA(pa + 0xff0));
	mem_fix_fini(&f); /* as2 goes: the last reference to the range */
}

/* ---- DMA buffers ---- */

KTEST(dma_buf_limit)
{
	dma_buf_t *b;
	size_t live = dma_buf_live();

	KT_ASSERT_EQ(dma_buf_create(3 * PS, 16 * MIB, NULL, 0, &b), EOK);
	KT_CHECK(b->paddr + 3 * PS <= 16 * MIB && b->pages == 3 && b->refs == 1);
	for (size_t i = 0; i < 3; i++) {
		KT_CHECK_EQ(frame_refcount(b->paddr + i * PS), 1);
		KT_CHECK_EQ(((uint64_t *) PA2KA(b->paddr + i * PS))[11], 0);
	}
	KT_CHECK_EQ(dma_buf_live(), live + 1);
	uintptr_t pa = b->paddr;
	dma_buf_put(b);
	KT_CHECK_EQ(frame_refcount(pa), 0);
	KT_CHECK_EQ(dma_buf_live(), live);
	KT_CHECK_EQ(dma_buf_create(0, 16 * MIB, NULL, 0, &b), EINVAL);
	KT_CHECK_EQ(dma_buf_create(PS + 1, 16 * MIB, NULL, 0, &b), EINVAL);
	KT_CHECK_EQ(dma_buf_create(DMA_SIZE_MAX + PS, UINT64_MAX, NULL, 0, &b), EINVAL);
	KT_CHECK_EQ(dma_buf_create(PS, MIB, NULL, 0, &b), ENOMEM); /* nothing below 1 MiB */
	KT_ASSERT_EQ(dma_buf_create(DMA_SIZE_MAX, UINT64_MAX, NULL, 0, &b), EOK);
	dma_buf_put(b);
	KT_CHECK_EQ(dma_buf_live(), live);
}

/* A buffer's frames stay while any handle, mapping, piece or share holds
 * it, and go with the last. */
KTEST(dma_buf_refcount)
{
	mem_fix_t f;
	dma_buf_t *b, *got;
	cap_handle_t h, rh;
	uintptr_t v = 0, w = 0, u = 0, pa;
	unsigned pf;

	KT_ASSERT(mem_fix_init(&f));
	KT_ASSERT_EQ(dma_buf_create(4 * PS, 1ULL << 32, NULL, 0, &b), EOK);
	uintptr_t paddr = b->paddr;
	KT_ASSERT_EQ(dma_buf_grant(f.caps, b, &h), EOK);
	KT_ASSERT_EQ(dma_area_map(f.as, b, RW, &v), EOK);
	KT_CHECK_EQ(b->refs, 3);
	/* typed: a range handle is no DMA handle and the other way round */
	KT_ASSERT_EQ(ddi_range_grant(f.caps, DDI_RANGE_PHYS, 0xb8000, PS, &rh), EOK);
	KT_CHECK_EQ(dma_buf_get(f.caps, rh, &got), ENOENT);
	KT_ASSERT_EQ(dma_buf_get(f.caps, h, &got), EOK);
	KT_CHECK(got == b && b->refs == 4);
	dma_buf_put(got);
	for (size_t i = 0; i < 4; i++) {
		KT_ASSERT(pte_of(f.as, v + i * PS, &pa, &pf));
		KT_CHECK(pa == paddr + i * PS && (pf & PAGE_WRITE) && !(pf & PAGE_NOCACHE));
	}
	/* split: the pieces map the right frames, each holds the buffer */
	KT_CHECK_EQ(as_area_unmap(f.as, v + PS, PS), EOK);
	KT_CHECK_EQ(b->refs, 4);
	KT_ASSERT(pte_of(f.as, v + 2 * PS, &pa, &pf));
	KT_CHECK_EQ(pa, paddr + 2 * PS);
	KT_CHECK_EQ(as_area_resize(f.as, v + 2 * PS, 3 * PS), ENOTSUP);
	/* share the tail piece into the other address space; map the whole
	 * buffer there too, uncached */
	KT_CHECK_EQ(as_area_share(f.as, v + 2 * PS, f.as2, 0, RW | AS_AREA_UNCACHED, &w), EPERM);
	KT_ASSERT_EQ(as_area_share(f.as, v + 2 * PS, f.as2, 0, RW, &w), EOK);
	KT_CHECK_EQ(b->refs, 5);
	KT_ASSERT(pte_of(f.as2, w + PS, &pa, &pf));
	KT_CHECK(pa == paddr + 3 * PS && !(pf & PAGE_NOCACHE));
	KT_ASSERT_EQ(dma_area_map(f.as2, b, RW | AS_AREA_UNCACHED, &u), EOK);
	KT_CHECK_EQ(b->refs, 6);
	KT_ASSERT(pte_of(f.as2, u + 3 * PS, &pa, &pf));
	KT_CHECK(pa == paddr + 3 * PS && (pf & PAGE_NOCACHE));
	KT_CHECK_EQ(as_area_destroy(f.as2, u), EOK);
	KT_CHECK_EQ(b->refs, 5);
	*(volatile uint64_t *) PA2KA(paddr + 3 * PS) = 0x1234;
	/* the creator, the capability and the first AS let go: still there */
	dma_buf_put(b);
	cap_table_close_all(f.caps);
	as_release(f.as);
	f.as = NULL;
	KT_CHECK_EQ(frame_refcount(paddr), 1);
	KT_CHECK_EQ(dma_buf_live(), f.live0 + 1);
	KT_CHECK_EQ(*(volatile uint64_t *) PA2KA(pa), 0x1234);
	/* the last mapping goes: every frame is free */
	KT_CHECK_EQ(as_area_destroy(f.as2, w), EOK);
	for (size_t i = 0; i < 4; i++)
		KT_CHECK_EQ(frame_refcount(paddr + i * PS), 0);
	KT_CHECK_EQ(dma_buf_live(), f.live0);
	mem_fix_fini(&f);
}

/* ---- DMA quarantine ---- */

#define DMA_OWNER ((task_id_t) 1 << 60) /* no task has it */
#define DEV_BASE 0xfe000000ULL

typedef struct quar_fix {
	mem_fix_t m;
	ddi_range_t *dev, *part, *other, *io, *win;
	size_t q0;
} quar_fix_t;

/* A device (4 pages of phys at DEV_BASE), a part of it, another device,
 * an I/O range and a window covering the device (devman's). */
static bool quar_fix_init(quar_fix_t *f)
{
	*f = (quar_fix_t){ 0 };
	if (!mem_fix_init(&f->m))
		return false;
	f->q0 = dma_quarantined_pages();
	return ddi_range_create(DDI_RANGE_PHYS, DEV_BASE, 4 * PS, &f->dev) == EOK &&
	    ddi_range_create(DDI_RANGE_PHYS, DEV_BASE + PS, PS, &f->part) == EOK &&
	    ddi_range_create(DDI_RANGE_PHYS, DEV_BASE + MIB, 4 * PS, &f->other) == EOK &&
	    ddi_range_create(DDI_RANGE_IO, 0x1000, 0x100, &f->io) == EOK &&
	    ddi_range_create(DDI_RANGE_PHYS, DEV_BASE - 16 * MIB, 32 * MIB, &f->win) == EOK;
}

static void quar_fix_fini(quar_fix_t *f)
{
	ddi_range_t *r[] = { f->dev, f->part, f->other, f->io, f->win };
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if (r[i])
			ddi_range_put(r[i]);
	}
	mem_fix_fini(&f->m);
}

/* A buffer of @a pages for f->dev owned by DMA_OWNER, mapped in f->m.as
 * (the mapping holds the only reference): its first frame. */
static bool quar_buf(quar_fix_t *f, size_t pages, uintptr_t *va, uintptr_t *pa)
{
	dma_buf_t *b;
	if (dma_buf_create(pages * PS, 1ULL << 32, f->dev, DMA_OWNER, &b) != EOK)
		return false;
	*pa = b->paddr;
	errno_t rc = dma_area_map(f->m.as, b, RW, va);
	dma_buf_put(b);
	return rc == EOK;
}

static bool frames_held(uintptr_t pa, size_t pages, unsigned refs)
{
	bool ok = true;
	for (size_t i = 0; i < pages; i++)
		ok = ok && frame_refcount(pa + i * PS) == refs;
	return ok;
}

/* An orphan (its owner ended) whose last reference goes is quarantined:
 * its frames stay taken, counted, until a range of the same kind covering
 * its device declares the device quiet -- not another device's, not a
 * part of it, not an I/O range; and only once. */
KTEST(dma_orphan_quarantined)
{
	quar_fix_t f;
	uintptr_t v, pa;
	KT_ASSERT(quar_fix_init(&f));
	KT_ASSERT(quar_buf(&f, 3, &v, &pa));
	dma_task_ended(DMA_OWNER);
	KT_CHECK_EQ(as_area_destroy(f.m.as, v), EOK); /* the last reference */
	KT_CHECK(frames_held(pa, 3, 1));
	KT_CHECK_EQ(dma_quarantined_pages(), f.q0 + 3);
	KT_CHECK_EQ(dma_buf_live(), f.m.live0 + 1);
	KT_CHECK_EQ(dma_quiesce(f.other), 0);
	KT_CHECK_EQ(dma_quiesce(f.part), 0);
	KT_CHECK_EQ(dma_quiesce(f.io), 0);
	KT_CHECK(frames_held(pa, 3, 1));
	KT_CHECK_EQ(dma_quarantined_pages(), f.q0 + 3);
	KT_CHECK_EQ(dma_quiesce(f.win), 3);
	KT_CHECK(frames_held(pa, 3, 0));
	KT_CHECK_EQ(dma_quarantined_pages(), f.q0);
	KT_CHECK_EQ(dma_buf_live(), f.m.live0);
	KT_CHECK_EQ(dma_quiesce(f.win), 0);
	quar_fix_fini(&f);
}

/* A buffer whose owner lives (it let go: it answers for its device) and
 * a kernel buffer go back at once; ending another task orphans neither. */
KTEST(dma_owner_alive_frees)
{
	quar_fix_t f;
	uintptr_t v, pa, kpa;
	dma_buf_t *k;
	KT_ASSERT(quar_fix_init(&f));
	KT_ASSERT(quar_buf(&f, 2, &v, &pa));
	KT_ASSERT_EQ(dma_buf_create(PS, 1ULL << 32, NULL, 0, &k), EOK);
	kpa = k->paddr;
	dma_task_ended(DMA_OWNER + 1);
	dma_task_ended(0);
	KT_CHECK_EQ(as_area_destroy(f.m.as, v), EOK);
	KT_CHECK(frames_held(pa, 2, 0));
	dma_buf_put(k);
	KT_CHECK(frames_held(kpa, 1, 0));
	KT_CHECK_EQ(dma_quarantined_pages(), f.q0);
	KT_CHECK_EQ(dma_buf_live(), f.m.live0);
	quar_fix_fini(&f);
}

/* An orphan still mapped when its device is quiesced goes back at once
 * with its last mapping; a buffer orphaned after that quiesce is held
 * back again (quiet is not a lasting state of the device: its next
 * driver turns bus mastering on again). */
KTEST(dma_orphan_after_quiesce)
{
	quar_fix_t f;
	uintptr_t v, pa, w, pb;
	KT_ASSERT(quar_fix_init(&f));
	KT_ASSERT(quar_buf(&f, 2, &v, &pa));
	dma_task_ended(DMA_OWNER);
	KT_CHECK_EQ(dma_quiesce(f.dev), 0); /* nothing quarantined yet */
	KT_CHECK(frames_held(pa, 2, 1));
	KT_CHECK_EQ(as_area_destroy(f.m.as, v), EOK);
	KT_CHECK(frames_held(pa, 2, 0));
	KT_CHECK_EQ(dma_quarantined_pages(), f.q0);
	KT_ASSERT(quar_buf(&f, 1, &w, &pb)); /* the same owner id, made later */
	dma_task_ended(DMA_OWNER);
	KT_CHECK_EQ(as_area_destroy(f.m.as, w), EOK);
	KT_CHECK(frames_held(pb, 1, 1));
	KT_CHECK_EQ(dma_quarantined_pages(), f.q0 + 1);
	KT_CHECK_EQ(dma_quiesce(f.dev), 1);
	KT_CHECK(frames_held(pb, 1, 0));
	KT_CHECK_EQ(dma_buf_live(), f.m.live0);
	quar_fix_fini(&f);
}
