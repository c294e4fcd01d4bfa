/*
 * Address-space areas of the calling task (abi/as.h has the rules and the
 * error each broken rule gives).  Addresses and sizes are byte values;
 * everything must be page aligned.
 */
#ifndef LIBC_AS_H_
#define LIBC_AS_H_

#include <abi/as.h>
#include <abi/errno.h>
#include <abi/page.h>
#include <abi/pager.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A wired area: with AS_AREA_FIXED exactly at @a base; otherwise @a base
 * is a hint (0 for none).  *base_out gets the base the kernel used.
 * (Pager-backed memory of the task's own: as_area_create_anon, anon.h.) */
errno_t as_area_create(uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out);
/* An area bound to object spec->object of the pager at spec->phone
 * (abi/pager.h): nothing is mapped; every first touch asks the pager. */
errno_t as_area_create_pager(
    uintptr_t base, size_t size, unsigned flags, const as_pager_spec_t *spec, uintptr_t *base_out);
errno_t as_area_destroy(uintptr_t base);
errno_t as_area_resize(uintptr_t base, size_t new_size);
/* Remove [addr, addr + size) from the areas it covers (may split one). */
errno_t as_area_unmap(uintptr_t addr, size_t size);
/* Give [addr, addr + size) the rights @a flags (may split an area). */
errno_t as_area_protect(uintptr_t addr, size_t size, unsigned flags);
/* The area containing @a addr. */
errno_t as_area_query(uintptr_t addr, as_area_info_t *out);
/* Up to @a max areas in address order; *count_out gets how many exist. */
errno_t as_area_list(as_area_info_t *out, size_t max, size_t *count_out);

/*
 * libc's own memory (heap, thread stacks, as_area_create_anon) is paged by
 * the anon pager when the task can reach it, else wired.  A program that
 * must stay wired (ns, a pager: nothing may page the pager) defines
 *     bool libc_memory_wired = true;
 */
extern bool libc_memory_wired;

#endif
