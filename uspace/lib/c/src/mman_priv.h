/*
 * libc's memory mappings inside libc (pure code: tests/test_mman.c runs it
 * on the host).  mman_table.c has the argument checks of the
 * <sys/mman.h> calls and the table of the task's mappings; mman.c makes
 * the calls with them.
 *
 * The table.  The kernel knows areas, not what made them, so libc keeps
 * a record per mapping mmap made: its range, what backs it (kind), the
 * pager object and the object offset of its first page, and whether it
 * is shared.  munmap and a MAP_FIXED replacement cut records (a cut in the
 * middle of one leaves two, each with its own offset, as the kernel
 * splits the area); msync and madvise look up what backs each part of
 * their range (a file mapping's write-back will be found there).
 * Records are sorted by base and never overlap.  The caller serializes
 * (mman.c holds its lock); the functions that add records need room
 * reserved first (mman_table_reserve), so that once the kernel changed
 * the address space, the table follows without a failure.
 */
#ifndef LIBC_MMAN_PRIV_H_
#define LIBC_MMAN_PRIV_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What backs a mapping (mman_map_t.kind). */
enum {
	MMAN_ANON = 1, /* an anon pager object of its own */
	MMAN_WIRED, /* wired memory (the task has no pager: libc_memory_wired) */
	MMAN_FILE, /* a file: a view object at the file pager */
	MMAN_KINDS,
};

typedef struct mman_map {
	uintptr_t base, end;
	uint64_t object; /* the object at the anon pager or the file pager */
	uint64_t offset; /* the object offset of base */
	uint8_t kind; /* MMAN_* */
	bool shared; /* MAP_SHARED (else MAP_PRIVATE) */
	uint8_t max_rights; /* MMAN_FILE: what mprotect may give (AS_AREA_*) */
} mman_map_t;

typedef struct mman_table {
	mman_map_t *v; /* sorted by base, not overlapping */
	size_t n, cap;
} mman_table_t;

/* An mmap request, checked: every field is valid. */
typedef struct mman_req {
	uintptr_t addr; /* fixed: the base; else a hint (0: none) */
	size_t len; /* bytes, whole pages */
	unsigned rights; /* AS_AREA_* */
	bool fixed; /* MAP_FIXED or MAP_FIXED_NOREPLACE */
	bool replace; /* MAP_FIXED without _NOREPLACE: unmap the range first */
	bool shared;
	bool anon;
	int fd; /* !anon: the descriptor */
	uint64_t offset; /* !anon: the file offset (page aligned) */
} mman_req_t;

/* PROT_* as AS_AREA_* rights: EINVAL (unknown bits), ENOTSUP (write with
 * exec).  PROT_WRITE and PROT_EXEC include AS_AREA_READ. */
errno_t mman_prot_rights(int prot, unsigned *rights);
/* mmap's arguments: EINVAL, EBADF (not anonymous and fd < 0), ENOTSUP,
 * ENOMEM (the length or fixed range cannot lie in the task's half). */
errno_t mman_map_check(
    uintptr_t addr, size_t len, int prot, int flags, int fd, int64_t off, mman_req_t *req);
/* munmap's range: *end the end of the pages.  EINVAL (alignment, len 0,
 * outside the task's half). */
errno_t mman_unmap_check(uintptr_t addr, size_t len, uintptr_t *end);
/* mprotect's, msync's and madvise's range: *end the end of the pages
 * (len 0: addr).  EINVAL (alignment), ENOMEM (outside the task's half). */
errno_t mman_range_check(uintptr_t addr, size_t len, uintptr_t *end);
/* msync's flags: EINVAL. */
errno_t mman_sync_check(int flags);
/* madvise's advice: EINVAL. */
errno_t mman_advice_check(int advice);

/* Room for @a more records (ENOMEM: nothing changed). */
errno_t mman_table_reserve(mman_table_t *t, size_t more);
/* Remove [from, to) from the records (pieces keep their offsets).  Needs
 * room for one record (reserved). */
void mman_table_cut(mman_table_t *t, uintptr_t from, uintptr_t to);
/* Add @a m, which overlaps no record.  Needs room for one (reserved). */
void mman_table_insert(mman_table_t *t, const mman_map_t *m);
/* Call @a fn with each record's part inside [from, to), in address order
 * (its offset that of its own first page).  @a fn must not change @a t. */
void mman_table_visit(const mman_table_t *t, uintptr_t from, uintptr_t to,
    void (*fn)(void *arg, const mman_map_t *piece), void *arg);
/* Whether records cover every page of [from, to). */
bool mman_table_covers(const mman_table_t *t, uintptr_t from, uintptr_t to);
/* Whether a record of @a kind and @a object has pages outside [from, to)
 * (the object stays mapped after that range goes). */
bool mman_table_object_kept(
    const mman_table_t *t, uint8_t kind, uint64_t object, uintptr_t from, uintptr_t to);
void mman_table_fini(mman_table_t *t);

#endif
