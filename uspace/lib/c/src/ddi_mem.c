/* Device memory and DMA system calls (ddi_mem.h). */
#include <ddi_mem.h>
#include <sys.h>

errno_t phys_map(cap_handle_t range, uint64_t offset, size_t size, unsigned flags, uintptr_t *base)
{
	return (errno_t) syscall5(
	    SYS_PHYS_MAP, (sysarg_t) (int64_t) range, offset, size, flags, base);
}

errno_t dma_alloc(
    cap_handle_t device, size_t size, uint64_t phys_limit, unsigned flags, dma_info_t *out)
{
	return (errno_t) syscall5(
	    SYS_DMA_ALLOC, (sysarg_t) (int64_t) device, size, phys_limit, flags, out);
}

errno_t dma_map(cap_handle_t dma, unsigned flags, uintptr_t *base)
{
	return (errno_t) syscall3(SYS_DMA_MAP, (sysarg_t) (int64_t) dma, flags, base);
}

errno_t dma_quiesce(cap_handle_t device, uint64_t *pages)
{
	return (errno_t) syscall2(SYS_DMA_QUIESCE, (sysarg_t) (int64_t) device, pages);
}
