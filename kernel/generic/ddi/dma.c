/*
 * DMA buffers (ddi/dma.h): the object behind a CAP_DMA handle.  Made once
 * (contiguous frames below a limit, zeroed), freed with its last
 * reference (every handle, mapping and share snapshot holds one) -- or,
 * for an orphan (its owner task ended while it lived) whose device was not
 * declared quiet, held in quarantine until dma_quiesce() says so.
 */
#include <cap/cap.h>
#include <ddi/dma.h>
#include <debug.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <synch/lockcheck.h>
#include <synch/mutex.h>

static size_t dma_live; /* atomic: buffers not freed */
static mutex_t dma_lock;
static list_t dma_bufs GUARDED_BY(dma_lock); /* dma_buf_t.link: live or quarantined */
static size_t dma_quarantine GUARDED_BY(dma_lock); /* pages held back */

errno_t dma_buf_create(
    size_t size, uint64_t phys_limit, const ddi_range_t *dev, task_id_t owner, dma_buf_t **out)
{
	if (size == 0 || size > DMA_SIZE_MAX || !PAGE_ALIGNED(size))
		return EINVAL;
	dma_buf_t *b = malloc(sizeof(*b));
	if (b == NULL)
		return ENOMEM;
	size_t pages = size / PAGE_SIZE;
	uintptr_t pa;
	errno_t rc = frame_alloc_below(
	    pages, FRAME_ZERO | FRAME_USE_FLAGS(FRAME_USE_DMA), phys_limit, &pa);
	if (rc != EOK) {
		free(b);
		return rc;
	}
	*b = (dma_buf_t){ .refs = 1,
		.paddr = pa,
		.pages = pages,
		.dev_kind = dev ? dev->kind : DDI_RANGE_KIND_COUNT,
		.dev_base = dev ? dev->base : 0,
		.dev_size = dev ? dev->size : 0,
		.owner = owner };
	mutex_lock(&dma_lock);
	list_append(&b->link, &dma_bufs);
	mutex_unlock(&dma_lock);
	__atomic_add_fetch(&dma_live, 1, __ATOMIC_RELAXED);
	*out = b;
	return EOK;
}

/* Give @a b's frames back and free it (off the list already). */
static void dma_buf_free(dma_buf_t *b)
{
	frame_free(b->paddr, b->pages);
	free(b);
	__atomic_sub_fetch(&dma_live, 1, __ATOMIC_RELAXED);
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
	mutex_lock(&dma_lock);
	bool hold = b->orphan && !b->quiet; /* the device may still write */
	if (hold) {
		b->quarantined = true;
		dma_quarantine += b->pages;
	} else {
		list_remove(&b->link);
	}
	mutex_unlock(&dma_lock);
	if (!hold)
		dma_buf_free(b);
}

size_t dma_buf_live(void)
{
	return __atomic_load_n(&dma_live, __ATOMIC_RELAXED);
}

size_t dma_quarantined_pages(void)
{
	mutex_lock(&dma_lock);
	size_t n = dma_quarantine;
	mutex_unlock(&dma_lock);
	return n;
}

void dma_task_ended(task_id_t owner)
{
	if (owner == 0)
		return;
	mutex_lock(&dma_lock);
	list_foreach(dma_bufs, l)
	{
		dma_buf_t *b = list_get_instance(l, dma_buf_t, link);
		if (b->owner == owner)
			b->orphan = true;
	}
	mutex_unlock(&dma_lock);
}

/* Whether @a b is for a device inside @a dev. */
static bool dma_buf_on_device(const dma_buf_t *b, const ddi_range_t *dev)
{
	return b->dev_kind == dev->kind && ddi_range_covers(dev, b->dev_base, b->dev_size);
}

size_t dma_quiesce(const ddi_range_t *dev)
{
	list_t done;
	size_t pages = 0;
	list_initialize(&done);
	mutex_lock(&dma_lock);
	link_t *l = list_first(&dma_bufs);
	while (l != NULL) {
		link_t *next = list_next(l, &dma_bufs);
		dma_buf_t *b = list_get_instance(l, dma_buf_t, link);
		if (b->orphan && dma_buf_on_device(b, dev)) {
			b->quiet = true;
			if (b->quarantined) {
				list_remove(&b->link);
				list_append(&b->link, &done);
				dma_quarantine -= b->pages;
				pages += b->pages;
			}
		}
		l = next;
	}
	mutex_unlock(&dma_lock);
	while (!list_empty(&done)) {
		dma_buf_t *b = list_get_instance(list_first(&done), dma_buf_t, link);
		list_remove(&b->link);
		dma_buf_free(b);
	}
	return pages;
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
	mutex_initialize(&dma_lock, "dma");
	list_initialize(&dma_bufs);
	cap_type_register(CAP_DMA, &dma_cap_ops);
}
