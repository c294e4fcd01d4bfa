/*
 * The dma backend (mm/as_backend.h): an area over a DMA buffer (ddi/dma.h).
 * Every page is mapped when the area is made, to the buffer's frame at the
 * same offset; nothing is faulted in, and unmapping frees no frame: the
 * buffer owns its frames and frees them with its last reference.  The
 * area holds one; a split piece and a shared copy take their own (a
 * driver's buffer shared with its client stays until both let go).  It
 * cannot grow: the buffer is as big as it is.
 */
#include <ddi/dma.h>
#include <mm/as_backend.h>

static errno_t dma_be_create(as_t *as, as_area_t *a, const as_bind_t *b)
{
	a->dma.buf = b->dma.buf;
	a->dma.offset = b->dma.offset;
	errno_t rc = as_area_populate(as, a, a->base, a->pages);
	if (rc != EOK) {
		a->dma.buf = NULL;
		return rc;
	}
	dma_buf_hold(a->dma.buf);
	return EOK;
}

static errno_t dma_be_piece(as_area_t *p, const as_area_t *src)
{
	dma_buf_hold(src->dma.buf);
	p->dma.buf = src->dma.buf;
	p->dma.offset = src->dma.offset + (p->base - src->base);
	return EOK;
}

static errno_t dma_be_resize_check(const as_area_t *a, size_t new_size)
{
	(void) a;
	(void) new_size;
	return ENOTSUP;
}

static void dma_be_share(const as_area_t *a, as_bind_t *out)
{
	dma_buf_hold(a->dma.buf);
	out->dma.buf = a->dma.buf;
	out->dma.offset = a->dma.offset;
}

static void dma_be_share_put(as_bind_t *b)
{
	dma_buf_put(b->dma.buf);
	b->dma.buf = NULL;
}

static void dma_be_destroy(as_area_t *a)
{
	dma_buf_put(a->dma.buf);
	a->dma.buf = NULL;
}

static errno_t dma_be_page_get(as_area_t *a, uintptr_t va, uintptr_t *pa)
{
	*pa = a->dma.buf->paddr + a->dma.offset + (va - a->base);
	return EOK;
}

static void dma_be_describe(const as_area_t *a, task_area_info_t *out)
{
	out->offset = a->dma.offset;
}

const as_backend_t as_backend_dma = {
	.id = AS_BACKEND_DMA,
	.name = "dma",
	.create = dma_be_create,
	.piece = dma_be_piece,
	.resize_check = dma_be_resize_check,
	.share = dma_be_share,
	.share_put = dma_be_share_put,
	.destroy = dma_be_destroy,
	.page_get = dma_be_page_get,
	.describe = dma_be_describe,
};

errno_t dma_area_map(as_t *as, dma_buf_t *b, unsigned flags, uintptr_t *base_out)
{
	if (flags & ~AS_AREA_RIGHTS)
		return EINVAL;
	as_bind_t bind = { .dma = { b, 0 } };
	return as_area_create_bound(
	    as, 0, b->pages * PAGE_SIZE, flags, &as_backend_dma, &bind, base_out);
}
