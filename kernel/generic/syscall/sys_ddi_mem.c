/*
 * System calls for device memory and DMA buffers (abi/ddi.h, ddi/dma.h,
 * docs/drivers.md "Device memory and DMA").
 *
 * Each handler decodes its arguments, proves its out pointer writable,
 * looks its capability up (ENOENT/ESTALE: nothing happens), then acts; a
 * result that cannot be copied out after all (another thread unmapped the
 * page meanwhile) undoes the mapping and the handle it made, so a failed
 * call leaves nothing behind.  Only the holder of a capability can use
 * what it names: a phys range to map it, a DMA handle to map the buffer,
 * a device range (phys or I/O ports) to allocate DMA memory at all, and
 * to declare the devices inside it quiet (SYS_DMA_QUIESCE).
 */
#include <abi/ddi.h>
#include <cap/cap.h>
#include <ddi/dma.h>
#include <ddi/range.h>
#include <mm/as.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

static errno_t ddi_mem_flags(sysarg_t raw, unsigned *out)
{
	if (raw & ~(sysarg_t) AS_AREA_RIGHTS)
		return EINVAL;
	*out = (unsigned) raw;
	return EOK;
}

/* Copy a new area's base out, or destroy the area. */
static errno_t ddi_mem_base_out(uspace_ptr_t out, uintptr_t base)
{
	if (uspace_ptr_is_null(out) || copy_to_uspace(out, &base, sizeof(base)) == EOK)
		return EOK;
	as_area_destroy(as_current(), base);
	return EFAULT;
}

/* (cap_handle_t phys_range, uint64_t offset, size_t size, unsigned flags,
 *  uintptr_t *base_out) */
sysarg_t sys_phys_map(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[4]);
	uintptr_t base = 0;
	unsigned flags;
	ddi_range_t *r;
	errno_t rc = ddi_mem_flags(args->a[3], &flags);

	if (rc == EOK && !uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &base, sizeof(base));
	if (rc == EOK)
		rc = ddi_range_get(&TASK->caps, (cap_handle_t) args->a[0], DDI_RANGE_PHYS, &r);
	if (rc != EOK)
		return rc;
	rc = ddi_phys_map(as_current(), r, args->a[1], args->a[2], flags, &base);
	ddi_range_put(r);
	if (rc != EOK)
		return rc;
	return ddi_mem_base_out(out, base);
}

/* The device capability (a phys or I/O-port range) at @a h, with a
 * reference: it authorizes DMA for its device. */
static errno_t ddi_dma_device_get(cap_handle_t h, ddi_range_t **out)
{
	errno_t rc = ddi_range_get(&TASK->caps, h, DDI_RANGE_PHYS, out);

	if (rc == ENOENT)
		rc = ddi_range_get(&TASK->caps, h, DDI_RANGE_IO, out);
	return rc;
}

/* Map @a b and name it by a new handle: info->vaddr, info->handle. */
static errno_t ddi_dma_install(dma_buf_t *b, unsigned flags, dma_info_t *info)
{
	uintptr_t base;
	errno_t rc = dma_area_map(as_current(), b, flags, &base);

	if (rc != EOK)
		return rc;
	rc = dma_buf_grant(&TASK->caps, b, &info->handle);
	if (rc != EOK) {
		as_area_destroy(as_current(), base);
		return rc;
	}
	info->vaddr = base;
	info->paddr = b->paddr;
	info->size = b->pages * PAGE_SIZE;
	return EOK;
}

/* (cap_handle_t device, size_t size, uint64_t phys_limit, unsigned flags,
 *  dma_info_t *out) */
sysarg_t sys_dma_alloc(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[4]);
	dma_info_t info = { 0 };
	unsigned flags;
	ddi_range_t *dev;
	dma_buf_t *b;
	errno_t rc = ddi_mem_flags(args->a[3], &flags);

	if (rc == EOK)
		rc = copy_to_uspace(out, &info, sizeof(info));
	if (rc == EOK)
		rc = ddi_dma_device_get((cap_handle_t) args->a[0], &dev);
	if (rc != EOK)
		return rc;
	rc = dma_buf_create(args->a[1], args->a[2], dev, TASK->id, &b);
	ddi_range_put(dev);
	if (rc != EOK)
		return rc;
	rc = ddi_dma_install(b, flags, &info);
	if (rc == EOK && copy_to_uspace(out, &info, sizeof(info)) != EOK) {
		as_area_destroy(as_current(), info.vaddr);
		if (cap_take_obj(&TASK->caps, info.handle, CAP_DMA, b) == EOK)
			dma_buf_put(b);
		rc = EFAULT;
	}
	dma_buf_put(b);
	return rc;
}

/* (cap_handle_t dma, unsigned flags, uintptr_t *base_out) */
sysarg_t sys_dma_map(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[2]);
	uintptr_t base = 0;
	unsigned flags;
	dma_buf_t *b;
	errno_t rc = ddi_mem_flags(args->a[1], &flags);

	if (rc == EOK && !uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &base, sizeof(base));
	if (rc == EOK)
		rc = dma_buf_get(&TASK->caps, (cap_handle_t) args->a[0], &b);
	if (rc != EOK)
		return rc;
	rc = dma_area_map(as_current(), b, flags, &base);
	dma_buf_put(b);
	if (rc != EOK)
		return rc;
	return ddi_mem_base_out(out, base);
}

/* (cap_handle_t device, uint64_t *pages_out) */
sysarg_t sys_dma_quiesce(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[1]);
	uint64_t pages = 0;
	ddi_range_t *dev;
	errno_t rc = EOK;

	if (!uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &pages, sizeof(pages));
	if (rc == EOK)
		rc = ddi_dma_device_get((cap_handle_t) args->a[0], &dev);
	if (rc != EOK)
		return rc;
	pages = dma_quiesce(dev);
	ddi_range_put(dev);
	/* (quiesced all the same: only the count is lost) */
	if (!uspace_ptr_is_null(out) && copy_to_uspace(out, &pages, sizeof(pages)) != EOK)
		return EFAULT;
	return EOK;
}
