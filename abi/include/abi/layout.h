/*
 * Layout checks for the structures of the ABI.
 *
 * Kernel and user space exchange these structures as bytes (copy_from/to_
 * uspace, the startup block on a new task's stack), each side compiling
 * its own copy of the header.  A field that moves or a size that changes
 * would silently break every program built before; so each structure is
 * followed by ABI_SIZE() and ABI_FIELD() for every field, which fail the
 * build wherever the header is compiled (kernel, libc, host tests).  Change
 * the numbers only together with a new system call or method, never to
 * make the build pass.
 */
#ifndef ABI_LAYOUT_H_
#define ABI_LAYOUT_H_

#include <stddef.h>

#define ABI_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " changed size")
#define ABI_FIELD(type, field, offset) \
	_Static_assert(offsetof(type, field) == (offset), #type "." #field " moved")

#endif
