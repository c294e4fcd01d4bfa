/* Access to user memory (see mm/uaccess.h). */
#include <abi/as.h>
#include <mm/uaccess.h>

errno_t arch_copy_user(void *dst, const void *src, size_t n);

errno_t uspace_range_check(uspace_ptr_t p, size_t n)
{
	if (n == 0)
		return EOK;
	/* the ABI's user range: the last page of the lower half is never user */
	if (p.addr + n < p.addr || p.addr + n > AS_USER_TOP)
		return EINVAL;
	return EOK;
}

errno_t copy_from_uspace(void *dst, uspace_ptr_t src, size_t n)
{
	errno_t rc = uspace_range_check(src, n);
	if (rc != EOK || n == 0)
		return rc;
	return arch_copy_user(dst, (const void *) src.addr, n);
}

errno_t copy_to_uspace(uspace_ptr_t dst, const void *src, size_t n)
{
	errno_t rc = uspace_range_check(dst, n);
	if (rc != EOK || n == 0)
		return rc;
	return arch_copy_user((void *) dst.addr, src, n);
}
