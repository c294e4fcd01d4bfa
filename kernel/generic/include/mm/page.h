/*
 * Generic page-table interface.  An address space's hardware translation
 * is a page_table_t; the architecture implements these operations (4-level
 * tables on amd64).  Flags are architecture-neutral.
 *
 * Locking: each operation takes the table's own lock, so concurrent changes
 * of neighbouring pages (which share table pages) are safe.  Which pages a
 * caller may change is the owner's business (the address space's lock for
 * user tables).
 */
#ifndef KERN_MM_PAGE_H_
#define KERN_MM_PAGE_H_

#include <abi/errno.h>
#include <abi/page.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <synch/spinlock.h>

#define PAGE_READ (1u << 0)
#define PAGE_WRITE (1u << 1)
#define PAGE_EXEC (1u << 2)
#define PAGE_USER (1u << 3)
#define PAGE_NOCACHE (1u << 4)
#define PAGE_GLOBAL (1u << 5)

#define PAGE_ALIGNED(x) ((((uintptr_t) (x)) & (PAGE_SIZE - 1)) == 0)
#define PAGE_ALIGN_DOWN(x) (((uintptr_t) (x)) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) ((((uintptr_t) (x)) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

typedef struct page_table {
	uintptr_t root_pa; /* physical address of the top-level table */
	spinlock_t lock; /* serializes changes and walks (page_table.c) */
	/* table pages from frames, the root's among them (under lock; read
	 * without it by page_table_frames) */
	size_t tables;
} page_table_t;

extern page_table_t page_table_kernel;

/* Map one page; EINVAL (alignment, non-canonical), EEXIST, ENOMEM. */
errno_t page_mapping_insert(page_table_t *pt, uintptr_t va, uintptr_t pa, unsigned flags);
/* Map @a n pages from @a va, page i to the frame @a pa[i], all with
 * @a flags, walking the tables once per leaf table: EOK with every page
 * mapped; EINVAL with none when the range is not aligned or not in one
 * canonical half; else it stops at the first page it cannot map, with
 * those before it mapped: EINVAL (a frame not aligned), EEXIST, ENOMEM.
 * *done: the pages mapped. */
errno_t page_mapping_insert_run(
    page_table_t *pt, uintptr_t va, const uintptr_t *pa, size_t n, unsigned flags, size_t *done);
/* Unmap one page and invalidate it in this CPU's TLB; ENOENT if unmapped. */
errno_t page_mapping_remove(page_table_t *pt, uintptr_t va);
/* Replace the frame and rights of a mapped page in place (no table page is
 * freed or needed) and invalidate it; ENOENT, EINVAL. */
errno_t page_mapping_update(page_table_t *pt, uintptr_t va, uintptr_t pa, unsigned flags);
/* Change the rights of a mapped page and invalidate it; ENOENT, EINVAL. */
errno_t page_mapping_protect(page_table_t *pt, uintptr_t va, unsigned flags);
/* Look a page up: EOK with *pa (of the byte va) and *flags, or ENOENT. */
errno_t page_mapping_find(page_table_t *pt, uintptr_t va, uintptr_t *pa, unsigned *flags);
/* Look up @a n pages from the page-aligned @a va in one pass: the pages
 * mapped in a row from the first, each page's frame (page aligned) in
 * @a pa[i] and its flags in @a flags[i]; stops at the first not mapped. */
size_t page_mapping_find_run(
    page_table_t *pt, uintptr_t va, size_t n, uintptr_t *pa, unsigned *flags);

/* A new page table whose kernel half is the kernel's (shared PML4 slots):
 * ENOMEM.  The user half is empty. */
errno_t page_table_create(page_table_t *pt);
/* Free every user-half table page (the caller has removed, and dropped
 * the frames of, all its user mappings first). */
void page_table_destroy(page_table_t *pt);
/* The frames @a pt's tables take now, its root's included (0 after
 * page_table_destroy; the kernel's counts only those made after boot). */
size_t page_table_frames(page_table_t *pt);
/* Load @a pt on this CPU, tagged with @a pcid (ignored when PCIDs are
 * off).  @a keep: the TLB entries tagged with pcid belong to this page
 * table (false the first time a PCID is used for it: they are flushed). */
void page_table_activate(page_table_t *pt, unsigned pcid, bool keep);
/* True if the CPU can tag TLB entries with PCIDs and they are enabled. */
bool page_table_pcid_enabled(void);

void tlb_invalidate_page(uintptr_t va);
void tlb_invalidate_range(uintptr_t va, size_t pages);
void tlb_invalidate_all(void);

#endif
