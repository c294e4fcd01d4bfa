/* Address-space area system calls. */
#include <as.h>
#include <sys.h>

errno_t as_area_create(uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out)
{
	return (errno_t) syscall4(SYS_AS_AREA_CREATE, base, size, flags, base_out);
}

errno_t as_area_create_pager(
    uintptr_t base, size_t size, unsigned flags, const as_pager_spec_t *spec, uintptr_t *base_out)
{
	return (errno_t) syscall5(SYS_AS_AREA_CREATE_PAGER, base, size, flags, spec, base_out);
}

errno_t as_area_destroy(uintptr_t base)
{
	return (errno_t) syscall1(SYS_AS_AREA_DESTROY, base);
}

errno_t as_area_resize(uintptr_t base, size_t new_size)
{
	return (errno_t) syscall2(SYS_AS_AREA_RESIZE, base, new_size);
}

errno_t as_area_unmap(uintptr_t addr, size_t size)
{
	return (errno_t) syscall2(SYS_AS_AREA_UNMAP, addr, size);
}

errno_t as_area_protect(uintptr_t addr, size_t size, unsigned flags)
{
	return (errno_t) syscall3(SYS_AS_AREA_PROTECT, addr, size, flags);
}

errno_t as_area_query(uintptr_t addr, as_area_info_t *out)
{
	return (errno_t) syscall2(SYS_AS_AREA_QUERY, addr, out);
}

errno_t as_area_list(as_area_info_t *out, size_t max, size_t *count_out)
{
	return (errno_t) syscall3(SYS_AS_AREA_LIST, out, max, count_out);
}
