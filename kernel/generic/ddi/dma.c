/*
 * DMA buffers (ddi/dma.h): the object behind a CAP_DMA handle.  Made once
 * (contiguous frames below a limit, zeroed), never changed, freed with its
 * last reference: every handle, mapping and share snapshot holds one.
 */
#include <cap/cap.h>
#include <ddi/dma.h>
#include <debug.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>

static size_t dma_live; /* atomic: buffers alive */

errno_t dma_buf_create(size_t size, uint64_t phys_limit, dma_buf_t **out)
{
	if (size == 0 || size > DMA_SIZE_MAX || !PAGE_ALIGNED(size))
		return EINVAL;
	dma_buf_t *b = malloc(sizeof(*b));
	if (b == NULL)
		return ENOMEM;
	size_t pages = size / PAGE_SIZE;
	uintptr_t pa;
	errno_t rc = frame_alloc_below(pages, FRAME_ZERO, phys_limit, &pa);
	if (rc != EOK) {
		free(b);
		return rc;
	}
	*b = (dma_buf_t){ .refs = 1, .paddr = pa, .pages = pages };
	__atomic_add_fetch(&dma_live, 1, __ATOMIC_RELAXED);
	*out = b;
	return EOK;
}

void dma_buf_hold(dma_buf_t *b)
{
	uint32_t old = __atomic_fetch_add(&b->refs, 1, __ATOMIC_RELAXED);
	assert(old > 0 && old < UINT32_MAX);
}

void dma_buf_put(dma_buf_t *b)
{
	uint32_t old = __atomic_fetch_sub(&b->refs, 1, __ATOMIC_ACQ_REL);
	assert(old > 0);
	if (old != 1)
		return;
	frame_free(b->paddr, b->pages);
	free(b);
	__atomic_sub_fetch(&dma_live, 1, __ATOMIC_RELAXED);
}

size_t dma_buf_live(void)
{
	return __atomic_load_n(&dma_live, __ATOMIC_RELAXED);
}

errno_t dma_buf_grant(cap_table_t *caps, dma_buf_t *b, cap_handle_t *out)
{
	dma_buf_hold(b);
	errno_t rc = cap_alloc(caps, CAP_DMA, b, CAP_NIL, out);
	if (rc != EOK)
		dma_buf_put(b);
	return rc;
}

errno_t dma_buf_get(cap_table_t *caps, cap_handle_t h, dma_buf_t **out)
{
	void *obj;
	errno_t rc = cap_get(caps, h, CAP_DMA, &obj);
	if (rc == EOK)
		*out = obj;
	return rc;
}

static void dma_cap_hold(void *obj)
{
	dma_buf_hold(obj);
}

static void dma_cap_close(void *obj)
{
	dma_buf_put(obj);
}

static void dma_cap_info(const void *obj, cap_info_t *out)
{
	const dma_buf_t *b = obj;
	*out = (cap_info_t){ .kind = CAP_KIND_DMA, .base = b->paddr, .size = b->pages * PAGE_SIZE };
}

/* A buffer never changes and a handle's close drops one reference: a
 * handle may be copied to another task (spawn, IPC_M_CAP_GIVE). */
static const cap_type_ops_t dma_cap_ops = {
	.name = "dma",
	.hold = dma_cap_hold,
	.close = dma_cap_close,
	.info = dma_cap_info,
	.shareable = true,
};

void dma_init(void)
{
	cap_type_register(CAP_DMA, &dma_cap_ops);
}
