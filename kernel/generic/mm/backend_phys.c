/*
 * The phys backend (mm/as_backend.h): an area over a part of a physical
 * range (device memory; ddi/dma.h).  Every page is mapped when the area is
 * made, to the page of the range at the same offset, with the area's
 * caching (AS_AREA_UNCACHED gives PCD|PWT); nothing is ever faulted in,
 * and unmapping never frees a frame (the frames are not RAM the kernel
 * hands out: ddi_phys_map checks).  The area holds a reference to the
 * range; a split piece and a shared copy take their own, so the range
 * lives as long as any mapping of it, whatever happens to the capability.
 * It cannot grow: a range is fixed and the area was cut to what was asked.
 */
#include <ddi/dma.h>
#include <ddi/range.h>
#include <mm/as_backend.h>
#include <mm/frame.h>

static errno_t phys_create(as_t *as, as_area_t *a, const as_bind_t *b)
{
	a->phys.range = b->phys.range;
	a->phys.pbase = b->phys.pbase;
	errno_t rc = as_area_populate(as, a, a->base, a->pages);
	if (rc != EOK) {
		a->phys.range = NULL;
		return rc;
	}
	ddi_range_hold(a->phys.range);
	return EOK;
}

static errno_t phys_piece(as_area_t *p, const as_area_t *src)
{
	ddi_range_hold(src->phys.range);
	p->phys.range = src->phys.range;
	p->phys.pbase = src->phys.pbase + (p->base - src->base);
	return EOK;
}

static errno_t phys_resize_check(const as_area_t *a, size_t new_size)
{
	(void) a;
	(void) new_size;
	return ENOTSUP;
}

static void phys_share(const as_area_t *a, as_bind_t *out)
{
	ddi_range_hold(a->phys.range);
	out->phys.range = a->phys.range;
	out->phys.pbase = a->phys.pbase;
}

static void phys_share_put(as_bind_t *b)
{
	ddi_range_put(b->phys.range);
	b->phys.range = NULL;
}

static void phys_destroy(as_area_t *a)
{
	ddi_range_put(a->phys.range);
	a->phys.range = NULL;
}

static errno_t phys_page_get(as_area_t *a, uintptr_t va, uintptr_t *pa)
{
	*pa = a->phys.pbase + (va - a->base);
	return EOK;
}

static void phys_describe(const as_area_t *a, task_area_info_t *out)
{
	out->offset = a->phys.pbase;
}

const as_backend_t as_backend_phys = {
	.id = AS_BACKEND_PHYS,
	.name = "phys",
	.create = phys_create,
	.piece = phys_piece,
	.resize_check = phys_resize_check,
	.share = phys_share,
	.share_put = phys_share_put,
	.destroy = phys_destroy,
	.page_get = phys_page_get,
	.describe = phys_describe,
};

errno_t ddi_phys_map(
    as_t *as, ddi_range_t *r, uint64_t offset, size_t size, unsigned flags, uintptr_t *base_out)
{
	if (r->kind != DDI_RANGE_PHYS || (flags & ~AS_AREA_RIGHTS))
		return EINVAL;
	if (size == 0 || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(size))
		return EINVAL;
	if (offset > r->size || size > r->size - offset)
		return EPERM;
	uint64_t pbase = r->base + offset;
	if (frame_range_managed(pbase, size / PAGE_SIZE))
		return EBUSY;
	as_bind_t bind = { .phys = { r, pbase } };
	return as_area_create_bound(as, 0, size, flags, &as_backend_phys, &bind, base_out);
}
