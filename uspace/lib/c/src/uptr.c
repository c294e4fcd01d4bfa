/*
 * User pointers handed to the file calls: checked against the task's own
 * areas (SYS_AS_AREA_QUERY) before libc copies to or from them, so a bad
 * pointer is EFAULT instead of a fault that ends the task.  A range may
 * span several areas as long as they touch and each grants the rights.
 * The check costs one system call per area the range touches.
 */
#include "file_priv.h"
#include <as.h>

errno_t uptr_range_check(const void *p, size_t n, unsigned rights)
{
	uintptr_t addr = (uintptr_t) p, end;
	if (n == 0)
		return EOK;
	if (__builtin_add_overflow(addr, n, &end))
		return EFAULT;
	while (addr < end) {
		as_area_info_t info;
		if (as_area_query(addr, &info) != EOK || (info.flags & rights) != rights)
			return EFAULT;
		addr = info.base + info.size;
	}
	return EOK;
}

/* The length of the string at @a s within the area that holds @a s and
 * the areas right after it: ENAMETOOLONG past @a max bytes. */
errno_t uptr_str_measure(const char *s, size_t max, size_t *len)
{
	uintptr_t addr = (uintptr_t) s;
	size_t n = 0;
	for (;;) {
		as_area_info_t info;
		if (as_area_query(addr, &info) != EOK || !(info.flags & AS_AREA_READ))
			return EFAULT;
		uintptr_t end = info.base + info.size;
		for (; addr < end; addr++, n++) {
			if (*(const char *) addr == '\0') {
				*len = n;
				return EOK;
			}
			if (n == max)
				return ENAMETOOLONG;
		}
	}
}
