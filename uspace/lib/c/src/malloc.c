/*
 * malloc: a first-fit free list in address order over heap areas.
 *
 * Memory is handed out in units of 16 bytes; every block starts with a
 * one-unit header (next free block, size in units), so user pointers are
 * 16-byte aligned.  The free list is kept sorted by address and circular
 * around a zero-sized sentinel; free() merges a block with free neighbours
 * that touch it.
 *
 * Memory comes from heap areas (as_area_create_anon: pager-backed, one
 * anon object per heap area, once the task has the anon pager; wired
 * before that or without it).  The first is made by the first malloc (a
 * program that never allocates pays nothing for a heap; a wired program
 * and a boot task make it at startup, malloc_init), at least
 * HEAP_GROW_MIN bytes near HEAP_HINT, far above where the kernel first
 * places anywhere-areas such as thread stacks, so it has room to grow.  When the
 * free list has no block big enough, the current heap area is grown with
 * SYS_AS_AREA_RESIZE; if that fails (EEXIST: another area is in the way,
 * or anything else), a new heap area is created wherever the kernel finds
 * room and becomes the current one.  The new memory is added to the free
 * list like a freed block, so a grown area merges with the free block at
 * its old end.  Heap memory is never returned to the kernel;
 * malloc_heap_bytes() says how much there is (the test harness uses it to
 * tell heap growth from leaks).
 */
#include "libc_priv.h"
#include <anon.h>
#include <as.h>
#include <lock.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEAP_HINT 0x0000200000000000UL
/* Grow by at least this much, to keep the number of resizes low. */
#define HEAP_GROW_MIN (64 * 1024UL)
#define HEAP_FLAGS (AS_AREA_READ | AS_AREA_WRITE)

typedef struct block {
	struct block *next; /* next free block (only while free) */
	size_t units; /* size including this header */
} block_t;

_Static_assert(sizeof(block_t) == 16, "a header is one 16-byte unit");

static block_t heap_sentinel = { .next = &heap_sentinel, .units = 0 };
static block_t *heap_rover = &heap_sentinel;
static lock_t heap_lock = LOCK_INITIALIZER;
static uintptr_t heap_area_base; /* the area grown now */
static size_t heap_area_size;
static size_t heap_total; /* bytes in all heap areas */
static bool heap_prefault; /* touch new heap memory at once (malloc_prefault) */

/* Put @a b on the free list, merging with the neighbours it touches. */
static void heap_free_locked(block_t *b)
{
	block_t *p = &heap_sentinel;
	while (!(p->next == &heap_sentinel || p->next > b))
		p = p->next;
	/* p < b < p->next in address order (the sentinel counts as an end). */
	if (p->next != &heap_sentinel && b + b->units == p->next) {
		b->units += p->next->units;
		b->next = p->next->next;
	} else {
		b->next = p->next;
	}
	if (p != &heap_sentinel && p + p->units == b) {
		p->units += b->units;
		p->next = b->next;
	} else {
		p->next = b;
	}
	heap_rover = p;
}

/* With malloc_prefault(), touch every page of new heap memory once.
 * Pager-backed heap pages would otherwise get their frames later, at some
 * first use, and the test harness's leak check (utest.c) counts heap
 * bytes as frames; with the pager's read-ahead this costs one fault per
 * run of pages.  Other programs get their heap frames when they use them. */
static void heap_touch(uintptr_t addr, size_t bytes)
{
	if (!heap_prefault)
		return;
	for (size_t off = 0; off < bytes; off += PAGE_SIZE)
		*(volatile char *) (addr + off) = 0;
}

static void heap_add_locked(uintptr_t addr, size_t bytes)
{
	heap_touch(addr, bytes);
	block_t *b = (block_t *) addr;
	b->units = bytes / sizeof(block_t);
	heap_total += bytes;
	heap_free_locked(b);
}

/* Get at least @a bytes more heap memory onto the free list. */
static errno_t heap_grow_locked(size_t bytes)
{
	/* Whole runs of HEAP_GROW_MIN: the pager hands out frames in runs of
	 * 16 pages, and heap areas start on a run. */
	bytes = (bytes + HEAP_GROW_MIN - 1) / HEAP_GROW_MIN * HEAP_GROW_MIN;
	if (bytes == 0 || heap_area_size + bytes < heap_area_size)
		return ENOMEM;
	if (heap_area_base != 0 && as_area_resize(heap_area_base, heap_area_size + bytes) == EOK) {
		heap_add_locked(heap_area_base + heap_area_size, bytes);
		heap_area_size += bytes;
		return EOK;
	}
	uintptr_t base;
	errno_t rc = as_area_create_anon(HEAP_HINT, bytes, HEAP_FLAGS, &base);
	if (rc != EOK)
		return rc;
	heap_area_base = base;
	heap_area_size = bytes;
	heap_add_locked(base, bytes);
	return EOK;
}

errno_t malloc_init(void)
{
	lock_acquire(&heap_lock);
	errno_t rc = heap_area_base ? EOK : heap_grow_locked(HEAP_GROW_MIN);
	lock_release(&heap_lock);
	return rc;
}

void malloc_prefault(void)
{
	lock_acquire(&heap_lock);
	heap_prefault = true;
	lock_release(&heap_lock);
}

/* First fit from the rover; carve the tail off a larger block. */
static void *heap_take_locked(size_t units)
{
	block_t *p = heap_rover;
	for (block_t *b = p->next;; p = b, b = b->next) {
		if (b->units >= units) {
			if (b->units == units) {
				p->next = b->next;
			} else {
				b->units -= units;
				b += b->units;
				b->units = units;
			}
			heap_rover = p;
			return b + 1;
		}
		if (b == heap_rover)
			return NULL;
	}
}

void *malloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2)
		return NULL;
	size_t units = (size + sizeof(block_t) - 1) / sizeof(block_t) + 1;
	lock_acquire(&heap_lock);
	void *ptr = heap_take_locked(units);
	if (!ptr && heap_grow_locked(units * sizeof(block_t)) == EOK)
		ptr = heap_take_locked(units);
	lock_release(&heap_lock);
	return ptr;
}

void free(void *ptr)
{
	if (!ptr)
		return;
	lock_acquire(&heap_lock);
	heap_free_locked((block_t *) ptr - 1);
	lock_release(&heap_lock);
}

void *calloc(size_t n, size_t size)
{
	size_t bytes;
	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	void *ptr = malloc(bytes);
	return ptr ? memset(ptr, 0, bytes) : NULL;
}

void *realloc(void *ptr, size_t size)
{
	if (!ptr)
		return malloc(size);
	size_t have = (((block_t *) ptr - 1)->units - 1) * sizeof(block_t);
	if (size <= have)
		return ptr;
	void *n = malloc(size);
	if (n) {
		memcpy(n, ptr, have);
		free(ptr);
	}
	return n;
}

size_t malloc_heap_bytes(void)
{
	lock_acquire(&heap_lock);
	size_t bytes = heap_total;
	lock_release(&heap_lock);
	return bytes;
}

/* Declared in <string.h>; here because it is the one string function that
 * allocates (the others are common/src/str.c, shared with the kernel). */
char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}
