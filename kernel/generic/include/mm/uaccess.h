/*
 * Access to user memory.
 *
 * A user address is never a plain pointer in the kernel: it is a
 * uspace_ptr_t, which cannot be dereferenced, only passed to the copy
 * functions.  They check that the whole range lies in the user half and
 * copy with fault recovery (the exception table), so a bad, unmapped or
 * protected address gives EFAULT and the kernel survives.  (A fault in a
 * pager area is first offered to the page-fault handler, which may page
 * the memory in.)
 */
#ifndef KERN_MM_UACCESS_H_
#define KERN_MM_UACCESS_H_

#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

typedef struct uspace_ptr {
	uintptr_t addr;
} uspace_ptr_t;

static inline uspace_ptr_t uspace_ptr(uintptr_t addr)
{
	return (uspace_ptr_t){ .addr = addr };
}

static inline uspace_ptr_t uspace_ptr_add(uspace_ptr_t p, size_t off)
{
	return (uspace_ptr_t){ .addr = p.addr + off };
}

static inline int uspace_ptr_is_null(uspace_ptr_t p)
{
	return p.addr == 0;
}

/* EINVAL if [addr, addr + n) is not entirely in the user half (or wraps). */
errno_t uspace_range_check(uspace_ptr_t p, size_t n);
/* EOK, EINVAL (range), or EFAULT (not mapped / not readable). */
errno_t copy_from_uspace(void *dst, uspace_ptr_t src, size_t n);
/* EOK, EINVAL (range), or EFAULT (not mapped / not writable). */
errno_t copy_to_uspace(uspace_ptr_t dst, const void *src, size_t n);

#endif
