/*
 * Host shim of libc's as.h for tests/test_anon_store.c: the area calls the
 * anon pager's store makes, implemented by the test over a model address
 * space (no memory behind it: the store never touches its pages).
 */
#ifndef LIBC_AS_H_
#define LIBC_AS_H_

#include <abi/as.h>
#include <abi/errno.h>
#include <abi/page.h>
#include <stddef.h>
#include <stdint.h>

errno_t as_area_create(uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out);
errno_t as_area_resize(uintptr_t base, size_t new_size);
errno_t as_area_unmap(uintptr_t addr, size_t size);

#endif
