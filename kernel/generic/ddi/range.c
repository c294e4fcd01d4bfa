/*
 * Device-resource ranges (ddi/range.h).  The three kinds share one object
 * and one set of capability hooks; each kind is its own capability type,
 * so a handle of one kind is never accepted where another is wanted.
 */
#include <cap/cap.h>
#include <ddi/range.h>
#include <debug.h>
#include <mm/malloc.h>
#include <mm/page.h>

static const cap_type_t ddi_range_cap_type[DDI_RANGE_KIND_COUNT] = {
	[DDI_RANGE_IO] = CAP_IO_RANGE,
	[DDI_RANGE_PHYS] = CAP_PHYS_RANGE,
	[DDI_RANGE_IRQ] = CAP_IRQ_RANGE,
};

static const uint64_t ddi_range_limit[DDI_RANGE_KIND_COUNT] = {
	[DDI_RANGE_IO] = DDI_IO_PORTS,
	[DDI_RANGE_PHYS] = DDI_PHYS_LIMIT,
	[DDI_RANGE_IRQ] = DDI_IRQ_LINES,
};

bool ddi_range_valid(ddi_range_kind_t kind, uint64_t base, uint64_t size)
{
	if ((unsigned) kind >= DDI_RANGE_KIND_COUNT || size == 0)
		return false;
	uint64_t limit = ddi_range_limit[kind];
	if (base >= limit || size > limit - base)
		return false;
	if (kind == DDI_RANGE_PHYS && (!PAGE_ALIGNED(base) || !PAGE_ALIGNED(size)))
		return false;
	return true;
}

errno_t ddi_range_create(ddi_range_kind_t kind, uint64_t base, uint64_t size, ddi_range_t **out)
{
	if (!ddi_range_valid(kind, base, size))
		return EINVAL;
	ddi_range_t *r = malloc(sizeof(*r));
	if (!r)
		return ENOMEM;
	*r = (ddi_range_t){ .kind = kind, .base = base, .size = size, .refs = 1 };
	*out = r;
	return EOK;
}

void ddi_range_hold(ddi_range_t *r)
{
	uint32_t old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);
	assert(old > 0 && old < UINT32_MAX);
}

void ddi_range_put(ddi_range_t *r)
{
	uint32_t old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_ACQ_REL);
	assert(old > 0);
	if (old == 1)
		free(r);
}

bool ddi_range_covers(const ddi_range_t *r, uint64_t base, uint64_t size)
{
	return base >= r->base && size <= r->size && base - r->base <= r->size - size;
}

errno_t ddi_range_grant(
    cap_table_t *caps, ddi_range_kind_t kind, uint64_t base, uint64_t size, cap_handle_t *out)
{
	ddi_range_t *r;
	errno_t rc = ddi_range_create(kind, base, size, &r);
	if (rc != EOK)
		return rc;
	rc = cap_alloc(caps, ddi_range_cap_type[kind], r, CAP_NIL, out);
	if (rc != EOK)
		ddi_range_put(r);
	return rc;
}

errno_t ddi_range_get(cap_table_t *caps, cap_handle_t h, ddi_range_kind_t kind, ddi_range_t **out)
{
	if ((unsigned) kind >= DDI_RANGE_KIND_COUNT)
		return EINVAL;
	void *obj;
	errno_t rc = cap_get(caps, h, ddi_range_cap_type[kind], &obj);
	if (rc == EOK)
		*out = obj;
	return rc;
}

static void ddi_range_cap_hold(void *obj)
{
	ddi_range_hold(obj);
}

static void ddi_range_cap_close(void *obj)
{
	ddi_range_put(obj);
}

static const uint32_t ddi_range_cap_kind[DDI_RANGE_KIND_COUNT] = {
	[DDI_RANGE_IO] = CAP_KIND_IO_RANGE,
	[DDI_RANGE_PHYS] = CAP_KIND_PHYS_RANGE,
	[DDI_RANGE_IRQ] = CAP_KIND_IRQ_RANGE,
};

/* SYS_CAP_INFO (ranges are immutable: no lock needed). */
static void ddi_range_cap_info(const void *obj, cap_info_t *out)
{
	const ddi_range_t *r = obj;
	*out = (cap_info_t){
		.kind = ddi_range_cap_kind[r->kind], .base = r->base, .size = r->size
	};
}

/* Ranges are immutable and closing one only drops a reference: a handle
 * may be copied to another task (spawn, IPC_M_CAP_GIVE). */
static const cap_type_ops_t ddi_range_cap_ops[DDI_RANGE_KIND_COUNT] = {
	[DDI_RANGE_IO] = { .name = "io-range",
	    .hold = ddi_range_cap_hold,
	    .close = ddi_range_cap_close,
	    .info = ddi_range_cap_info,
	    .shareable = true },
	[DDI_RANGE_PHYS] = { .name = "phys-range",
	    .hold = ddi_range_cap_hold,
	    .close = ddi_range_cap_close,
	    .info = ddi_range_cap_info,
	    .shareable = true },
	[DDI_RANGE_IRQ] = { .name = "irq-range",
	    .hold = ddi_range_cap_hold,
	    .close = ddi_range_cap_close,
	    .info = ddi_range_cap_info,
	    .shareable = true },
};

void ddi_range_init(void)
{
	for (unsigned k = 0; k < DDI_RANGE_KIND_COUNT; k++)
		cap_type_register(ddi_range_cap_type[k], &ddi_range_cap_ops[k]);
}
