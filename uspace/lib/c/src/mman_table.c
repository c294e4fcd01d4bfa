/*
 * The pure part of libc's memory mappings (mman_priv.h): the argument
 * checks of mmap, munmap, mprotect, msync and madvise, and the table of
 * the task's mappings (a sorted array of records, found by binary
 * search).  No system call here: tests/test_mman.c runs it on the host.
 */
#include "mman_priv.h"
#include <abi/as.h>
#include <abi/page.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MMAN_PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MMAN_FLAGS_ALL (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE)
#define MMAN_SYNC_ALL (MS_ASYNC | MS_INVALIDATE | MS_SYNC)
/* Records the table starts with. */
#define MMAN_TABLE_MIN 16

/* @a len rounded up to whole pages: false if that passes 2^64. */
static bool mman_len_round(size_t len, size_t *out)
{
	if (len > SIZE_MAX - (PAGE_SIZE - 1))
		return false;
	*out = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	return true;
}

/* [addr, addr + len) lies in the part of the user half areas may cover. */
static bool mman_in_user(uintptr_t addr, size_t len)
{
	return addr >= AS_USER_FLOOR && addr <= AS_USER_TOP && len <= AS_USER_TOP - addr;
}

errno_t mman_prot_rights(int prot, unsigned *rights)
{
	if (prot & ~MMAN_PROT_ALL)
		return EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return ENOTSUP;
	unsigned r = prot == PROT_NONE ? 0 : AS_AREA_READ;
	if (prot & PROT_WRITE)
		r |= AS_AREA_WRITE;
	if (prot & PROT_EXEC)
		r |= AS_AREA_EXEC;
	*rights = r;
	return EOK;
}

/* The flags, the descriptor and the offset (no address or length). */
static errno_t mman_flags_check(int flags, int fd, int64_t off)
{
	int type = flags & (MAP_SHARED | MAP_PRIVATE);
	if ((flags & ~MMAN_FLAGS_ALL) || (type != MAP_SHARED && type != MAP_PRIVATE))
		return EINVAL;
	if (off < 0 || (uint64_t) off % PAGE_SIZE != 0)
		return EINVAL;
	if ((flags & MAP_ANONYMOUS) && fd != -1)
		return EINVAL;
	if (!(flags & MAP_ANONYMOUS) && fd < 0)
		return EBADF;
	return EOK;
}

/* Where the mapping goes: the fixed range (ENOMEM outside the user half),
 * or the hint rounded up to a page (none if the mapping would not fit
 * there). */
static errno_t mman_place_check(uintptr_t addr, bool fixed, mman_req_t *req)
{
	if (fixed) {
		if (!mman_in_user(addr, req->len))
			return ENOMEM;
		req->addr = addr;
		return EOK;
	}
	uintptr_t hint = 0;
	if (addr <= UINTPTR_MAX - (PAGE_SIZE - 1))
		hint = (addr + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	req->addr = mman_in_user(hint, req->len) ? hint : 0;
	return EOK;
}

errno_t mman_map_check(
    uintptr_t addr, size_t len, int prot, int flags, int fd, int64_t off, mman_req_t *req)
{
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	unsigned rights = 0;
	errno_t rc = mman_flags_check(flags, fd, off);
	if (rc == EOK && (len == 0 || (fixed && addr % PAGE_SIZE != 0)))
		rc = EINVAL;
	if (rc == EOK)
		rc = mman_prot_rights(prot, &rights);
	if (rc != EOK)
		return rc;
	*req = (mman_req_t){ .rights = rights,
		.fixed = fixed,
		.replace = fixed && !(flags & MAP_FIXED_NOREPLACE),
		.shared = (flags & MAP_SHARED) != 0,
		.anon = (flags & MAP_ANONYMOUS) != 0,
		.fd = fd,
		.offset = (uint64_t) off };
	/* (offset + length cannot pass 2^64: off_t is signed, the length
	 * below 2^47) */
	if (!mman_len_round(len, &req->len) || req->len > AS_USER_TOP - AS_USER_FLOOR)
		return ENOMEM;
	if (req->anon) {
		req->fd = -1;
		req->offset = 0;
	}
	return mman_place_check(addr, fixed, req);
}

errno_t mman_unmap_check(uintptr_t addr, size_t len, uintptr_t *end)
{
	size_t n;
	if (addr % PAGE_SIZE != 0 || len == 0 || !mman_len_round(len, &n) || !mman_in_user(addr, n))
		return EINVAL;
	*end = addr + n;
	return EOK;
}

errno_t mman_range_check(uintptr_t addr, size_t len, uintptr_t *end)
{
	size_t n;
	if (addr % PAGE_SIZE != 0)
		return EINVAL;
	if (len == 0) {
		*end = addr;
		return EOK;
	}
	if (!mman_len_round(len, &n) || !mman_in_user(addr, n))
		return ENOMEM;
	*end = addr + n;
	return EOK;
}

errno_t mman_sync_check(int flags)
{
	if ((flags & ~MMAN_SYNC_ALL) || ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return EINVAL;
	return EOK;
}

errno_t mman_advice_check(int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
		return EOK;
	default:
		return EINVAL;
	}
}

/* ---- the table ---- */

/* The index of the first record that ends after @a addr (n if none). */
static size_t mman_table_first(const mman_table_t *t, uintptr_t addr)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The part of @a m inside [from, to) (they overlap). */
static mman_map_t mman_map_piece(const mman_map_t *m, uintptr_t from, uintptr_t to)
{
	mman_map_t p = *m;
	if (from > p.base) {
		p.offset += from - p.base;
		p.base = from;
	}
	if (to < p.end)
		p.end = to;
	return p;
}

errno_t mman_table_reserve(mman_table_t *t, size_t more)
{
	size_t cap = t->cap ? t->cap : MMAN_TABLE_MIN;
	if (t->cap - t->n >= more)
		return EOK;
	while (cap - t->n < more) {
		if (cap > SIZE_MAX / 2 / sizeof(mman_map_t))
			return ENOMEM;
		cap *= 2;
	}
	mman_map_t *v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return ENOMEM;
	t->v = v;
	t->cap = cap;
	return EOK;
}

void mman_table_cut(mman_table_t *t, uintptr_t from, uintptr_t to)
{
	size_t i = mman_table_first(t, from);
	if (i == t->n || t->v[i].base >= to)
		return;
	mman_map_t *m = &t->v[i];
	if (m->base < from && m->end > to) { /* the middle: two pieces stay */
		assert(t->n < t->cap);
		memmove(&t->v[i + 2], &t->v[i + 1], (t->n - i - 1) * sizeof(*m));
		t->v[i + 1] = mman_map_piece(m, to, m->end);
		m->end = from;
		t->n++;
		return;
	}
	if (m->base < from) { /* its head stays */
		m->end = from;
		m++;
	}
	size_t lo = (size_t) (m - t->v), hi = lo;
	while (hi < t->n && t->v[hi].end <= to)
		hi++;
	if (hi < t->n && t->v[hi].base < to)
		t->v[hi] = mman_map_piece(&t->v[hi], to, t->v[hi].end);
	memmove(&t->v[lo], &t->v[hi], (t->n - hi) * sizeof(*m));
	t->n -= hi - lo;
}

void mman_table_insert(mman_table_t *t, const mman_map_t *m)
{
	size_t i = mman_table_first(t, m->base);
	assert(t->n < t->cap && m->base < m->end);
	assert(i == t->n || t->v[i].base >= m->end);
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*m));
	t->v[i] = *m;
	t->n++;
}

void mman_table_visit(const mman_table_t *t, uintptr_t from, uintptr_t to,
    void (*fn)(void *arg, const mman_map_t *piece), void *arg)
{
	for (size_t i = mman_table_first(t, from); from < to && i < t->n && t->v[i].base < to;
	     i++) {
		mman_map_t p = mman_map_piece(&t->v[i], from, to);
		fn(arg, &p);
	}
}

bool mman_table_covers(const mman_table_t *t, uintptr_t from, uintptr_t to)
{
	uintptr_t a = from;
	for (size_t i = mman_table_first(t, from); i < t->n && a < to && t->v[i].base <= a; i++)
		a = t->v[i].end;
	return a >= to;
}

bool mman_table_object_kept(
    const mman_table_t *t, uint8_t kind, uint64_t object, uintptr_t from, uintptr_t to)
{
	for (size_t i = 0; i < t->n; i++) {
		const mman_map_t *m = &t->v[i];
		if (m->kind == kind && m->object == object && (m->base < from || m->end > to))
			return true;
	}
	return false;
}

void mman_table_fini(mman_table_t *t)
{
	free(t->v);
	*t = (mman_table_t){ NULL, 0, 0 };
}
