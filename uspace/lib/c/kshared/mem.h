/*
 * libc compiles the kernel's pure memory and string primitives
 * (kernel/generic/lib/mem.c: one source of truth for both layers); that
 * file includes <mem.h>, which in user space is <string.h>.
 */
#ifndef LIBC_KSHARED_MEM_H_
#define LIBC_KSHARED_MEM_H_

#include <string.h>

#endif
