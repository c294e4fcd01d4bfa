/*
 * amd64 4-level page tables (PML4 -> PDPT -> PD -> PT), behind the generic
 * interface of mm/page.h.
 *
 * Table pages are reached through the direct map.  During boot they come
 * from bootmem (the frame allocator does not exist yet); afterwards from
 * the frame allocator, so running out gives ENOMEM.  The direct map uses
 * 1 GiB pages where the CPU has them, 2 MiB pages otherwise; the generic
 * operations work on 4 KiB pages and refuse to split a large mapping.
 *
 * Lock: page_table_t.lock serializes every change and walk of one table
 * tree (a plain spinlock: page tables are never touched from interrupt
 * handlers).  Lock order: page-table lock -> frame_lock.
 *
 * Intermediate entries are made present, writable and (below the kernel
 * half) user-accessible; the leaf entry carries the real rights, since the
 * effective rights are the intersection over all levels.
 */
#include <arch/asm.h>
#include <arch/cpu.h>
#include <arch/layout.h>
#include <arch/page_table.h>
#include <debug.h>
#include <mem.h>
#include <mm/bootmem.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <stdbool.h>
#include <synch/spinlock.h>

typedef uint64_t pte_t;

#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL
/* the bits flags_from_pte reads (not accessed, dirty, ...) */
#define PTE_RIGHTS (PTE_RW | PTE_US | PTE_PCD | PTE_G | PTE_NX)

#define PT_ENTRIES 512
#define TLB_FLUSH_ALL_THRESHOLD 64

page_table_t page_table_kernel;
static bool pt_frames_ready;

static unsigned pt_index(uintptr_t va, unsigned level)
{
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

static bool va_canonical(uintptr_t va)
{
	return va < USER_SPACE_END || va >= KERNEL_SPACE_START;
}

static pte_t *pt_table(uint64_t pa)
{
	return (pte_t *) PA2KA(pa);
}

static errno_t pt_table_alloc(uint64_t *pa)
{
	if (!pt_frames_ready) {
		*pa = bootmem_alloc(PAGE_SIZE);
		return EOK;
	}
	return frame_alloc(1, FRAME_ZERO | FRAME_USE_FLAGS(FRAME_USE_PTABLE), pa);
}

void page_table_use_frames(void)
{
	pt_frames_ready = true;
}

static pte_t pte_from_flags(unsigned flags)
{
	pte_t e = PTE_P;
	if (flags & PAGE_WRITE)
		e |= PTE_RW;
	if (flags & PAGE_USER)
		e |= PTE_US;
	if (flags & PAGE_NOCACHE)
		e |= PTE_PCD | PTE_PWT;
	if ((flags & PAGE_GLOBAL) && cpu_features.pge)
		e |= PTE_G;
	if (!(flags & PAGE_EXEC) && cpu_features.nx)
		e |= PTE_NX;
	return e;
}

static unsigned flags_from_pte(pte_t e)
{
	unsigned f = PAGE_READ;
	if (e & PTE_RW)
		f |= PAGE_WRITE;
	if (e & PTE_US)
		f |= PAGE_USER;
	if (e & PTE_PCD)
		f |= PAGE_NOCACHE;
	if (e & PTE_G)
		f |= PAGE_GLOBAL;
	if (!(e & PTE_NX))
		f |= PAGE_EXEC;
	return f;
}

/* Tables allocated from frames count their present entries, so an empty
 * one can be freed; boot tables (bootmem) are not counted and stay. */
static frame_t *pt_counted(pte_t *table)
{
	frame_t *f = frame_get(KA2PA(table));
	return (f && f->use == FRAME_USE_PTABLE) ? f : NULL;
}

static void pt_count_add(pte_t *table, long delta)
{
	frame_t *f = pt_counted(table);
	if (f)
		f->owner = (void *) ((uintptr_t) f->owner + (uintptr_t) delta);
}

static errno_t pt_table_create(pte_t *e, uintptr_t va, pte_t *parent)
{
	uint64_t pa;
	errno_t rc = pt_table_alloc(&pa);
	if (rc != EOK)
		return rc;
	*e = pa | PTE_P | PTE_RW | (va < USER_SPACE_END ? PTE_US : 0);
	pt_count_add(parent, 1);
	return EOK;
}

/*
 * Walk from the root down to the table of @a level that maps @a va,
 * recording the table of every level in path[level] (path[4] is the root).
 * Missing tables are created when @a create.  Returns ENOENT (missing,
 * !create), EEXIST (a large page covers va), or ENOMEM.
 */
static errno_t pt_walk(page_table_t *pt, uintptr_t va, unsigned level, bool create, pte_t *path[5])
{
	pte_t *t = pt_table(pt->root_pa);
	path[4] = t;
	for (unsigned l = 4; l > level; l--) {
		pte_t *e = &t[pt_index(va, l)];
		if (!(*e & PTE_P)) {
			if (!create)
				return ENOENT;
			errno_t rc = pt_table_create(e, va, t);
			if (rc != EOK)
				return rc;
			if (pt_frames_ready) /* boot tables (bootmem) are no frames */
				__atomic_add_fetch(&pt->tables, 1, __ATOMIC_RELAXED);
		} else if (*e & PTE_PS) {
			return EEXIST;
		}
		t = pt_table(*e & PTE_ADDR);
		path[l - 1] = t;
	}
	return EOK;
}

/*
 * Unlink counted tables left empty on the walk to va, bottom-up (never the
 * root); levels the walk did not reach are NULL.  The tables are only
 * collected in @a freed: the caller must invalidate va (which also drops
 * the paging-structure caches for it) before giving them back, or a
 * speculative walk could still use a freed and reused table.
 */
static size_t pt_prune(page_table_t *pt, uintptr_t va, pte_t *path[5], uintptr_t freed[3])
{
	size_t n = 0;
	for (unsigned l = 1; l < 4; l++) {
		if (!path[l])
			continue;
		frame_t *f = pt_counted(path[l]);
		if (!f || f->owner != NULL)
			break;
		path[l + 1][pt_index(va, l + 1)] = 0;
		pt_count_add(path[l + 1], -1);
		freed[n++] = frame_pa(f);
	}
	__atomic_sub_fetch(&pt->tables, n, __ATOMIC_RELAXED);
	return n;
}

static void pt_free_tables(const uintptr_t *freed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		frame_free(freed[i], 1);
}

errno_t page_mapping_insert(page_table_t *pt, uintptr_t va, uintptr_t pa, unsigned flags)
{
	if (!PAGE_ALIGNED(va) || !PAGE_ALIGNED(pa) || !va_canonical(va) || (pa & ~PTE_ADDR))
		return EINVAL;
	pte_t *path[5] = { NULL };
	uintptr_t freed[3];
	spinlock_lock(&pt->lock);
	errno_t rc = pt_walk(pt, va, 1, true, path);
	if (rc != EOK) {
		/* undo the tables made before running out */
		size_t n = pt_prune(pt, va, path, freed);
		tlb_invalidate_page(va);
		spinlock_unlock(&pt->lock);
		pt_free_tables(freed, n);
		return rc;
	}
	pte_t *e = &path[1][pt_index(va, 1)];
	if (*e & PTE_P) {
		spinlock_unlock(&pt->lock);
		return EEXIST;
	}
	*e = pa | pte_from_flags(flags);
	pt_count_add(path[1], 1);
	spinlock_unlock(&pt->lock);
	return EOK;
}

/* The leaf table that maps @a va, made if missing, in @a path (reset
 * first, so a failed walk prunes only its own levels): EOK, EEXIST (a
 * large page), ENOMEM with the tables made on the way given back. */
static errno_t pt_leaf_make_locked(page_table_t *pt, uintptr_t va, pte_t *path[5])
{
	uintptr_t freed[3];
	for (unsigned l = 0; l < 5; l++)
		path[l] = NULL;
	errno_t rc = pt_walk(pt, va, 1, true, path);
	if (rc == EOK)
		return EOK;
	size_t n = pt_prune(pt, va, path, freed);
	tlb_invalidate_page(va);
	pt_free_tables(freed, n); /* (page-table lock -> frame_lock) */
	return rc;
}

/* Do the @a n pages from @a va lie in one canonical half? */
static bool va_run_canonical(uintptr_t va, size_t n)
{
	if (n == 0)
		return true;
	if (n - 1 > (UINTPTR_MAX - va) / PAGE_SIZE)
		return false;
	uintptr_t last = va + (n - 1) * PAGE_SIZE;
	return va_canonical(va) && va_canonical(last) &&
	    (va < USER_SPACE_END) == (last < USER_SPACE_END);
}

errno_t page_mapping_insert_run(
    page_table_t *pt, uintptr_t va, const uintptr_t *pa, size_t n, unsigned flags, size_t *done)
{
	pte_t *path[5]; /* (pt_leaf_make_locked resets it) */
	pte_t *leaf = NULL;
	size_t in_leaf = 0; /* entries made in leaf, not yet counted */
	errno_t rc = EOK;
	size_t i = 0;
	*done = 0;
	if (!PAGE_ALIGNED(va) || !va_run_canonical(va, n))
		return EINVAL;
	if (n == 0)
		return EOK;
	pte_t bits = pte_from_flags(flags);
	spinlock_lock(&pt->lock);
	for (; i < n; i++, va += PAGE_SIZE) {
		if (pa[i] & ~PTE_ADDR) { /* not page aligned, or beyond the physical range */
			rc = EINVAL;
			break;
		}
		if (!leaf || pt_index(va, 1) == 0) { /* the run enters another leaf table */
			if (leaf)
				pt_count_add(leaf, (long) in_leaf);
			in_leaf = 0;
			leaf = NULL;
			rc = pt_leaf_make_locked(pt, va, path);
			if (rc != EOK)
				break;
			leaf = path[1];
		}
		pte_t *e = &leaf[pt_index(va, 1)];
		if (*e & PTE_P) {
			rc = EEXIST;
			break;
		}
		*e = pa[i] | bits;
		in_leaf++;
	}
	if (leaf)
		pt_count_add(leaf, (long) in_leaf);
	spinlock_unlock(&pt->lock);
	*done = i;
	return rc;
}

errno_t page_mapping_remove(page_table_t *pt, uintptr_t va)
{
	if (!PAGE_ALIGNED(va) || !va_canonical(va))
		return EINVAL;
	pte_t *path[5] = { NULL };
	uintptr_t freed[3];
	spinlock_lock(&pt->lock);
	errno_t rc = pt_walk(pt, va, 1, false, path);
	if (rc != EOK) {
		spinlock_unlock(&pt->lock);
		return rc == EEXIST ? EINVAL : rc;
	}
	pte_t *e = &path[1][pt_index(va, 1)];
	if (!(*e & PTE_P)) {
		spinlock_unlock(&pt->lock);
		return ENOENT;
	}
	*e = 0;
	pt_count_add(path[1], -1);
	size_t n = pt_prune(pt, va, path, freed);
	tlb_invalidate_page(va); /* the leaf and any unlinked table */
	spinlock_unlock(&pt->lock);
	pt_free_tables(freed, n);
	return EOK;
}

/* page_mapping_find under the table's lock; *leaf: the leaf table that
 * maps va (NULL when there is none: a large page or a missing table). */
static errno_t pt_find_locked(
    page_table_t *pt, uintptr_t va, uintptr_t *pa, unsigned *flags, pte_t **leaf)
{
	*leaf = NULL;
	if (!va_canonical(va))
		return ENOENT;
	pte_t *t = pt_table(pt->root_pa);
	for (unsigned l = 4; l >= 1; l--) {
		pte_t e = t[pt_index(va, l)];
		if (l == 1)
			*leaf = t;
		if (!(e & PTE_P))
			break;
		if (l == 1 || (e & PTE_PS)) {
			uint64_t span = 1ULL << (12 + 9 * (l - 1));
			*pa = (e & PTE_ADDR & ~(span - 1)) | (va & (span - 1));
			*flags = flags_from_pte(e);
			return EOK;
		}
		t = pt_table(e & PTE_ADDR);
	}
	return ENOENT;
}

errno_t page_mapping_find(page_table_t *pt, uintptr_t va, uintptr_t *pa, unsigned *flags)
{
	pte_t *leaf;
	spinlock_lock(&pt->lock);
	errno_t rc = pt_find_locked(pt, va, pa, flags, &leaf);
	spinlock_unlock(&pt->lock);
	return rc;
}

size_t page_mapping_find_run(
    page_table_t *pt, uintptr_t va, size_t n, uintptr_t *pa, unsigned *flags)
{
	pte_t *leaf = NULL;
	pte_t bits = ~(pte_t) 0; /* the rights last converted (none yet), and to what */
	unsigned bits_flags = 0;
	size_t i = 0;
	spinlock_lock(&pt->lock);
	for (; i < n; i++, va += PAGE_SIZE) {
		if (!PAGE_ALIGNED(va))
			break;
		if (leaf && pt_index(va, 1) != 0) { /* same leaf table as the page before */
			pte_t e = leaf[pt_index(va, 1)];
			if (!(e & PTE_P))
				break;
			pa[i] = e & PTE_ADDR;
			if ((e & PTE_RIGHTS) != bits) {
				bits = e & PTE_RIGHTS;
				bits_flags = flags_from_pte(e);
			}
			flags[i] = bits_flags;
		} else if (pt_find_locked(pt, va, &pa[i], &flags[i], &leaf) == EOK) {
			pa[i] = PAGE_ALIGN_DOWN(pa[i]);
		} else {
			break;
		}
	}
	spinlock_unlock(&pt->lock);
	return i;
}

void tlb_invalidate_page(uintptr_t va)
{
	invlpg(va);
}

void tlb_invalidate_all(void)
{
	uint64_t cr4 = read_cr4();
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE); /* drops global entries too */
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

void tlb_invalidate_range(uintptr_t va, size_t pages)
{
	if (pages > TLB_FLUSH_ALL_THRESHOLD) {
		tlb_invalidate_all();
		return;
	}
	for (size_t i = 0; i < pages; i++)
		invlpg(va + i * PAGE_SIZE);
}

/* Map [0, ram_end) at DIRECT_MAP_BASE with the largest pages the CPU has. */
static void pt_map_direct(uint64_t ram_end)
{
	bool huge = cpu_features.page1g;
	uint64_t step = huge ? (1ULL << 30) : (2ULL << 20);
	pte_t flags = PTE_P | PTE_RW | PTE_PS | (cpu_features.nx ? PTE_NX : 0) |
	    (cpu_features.pge ? PTE_G : 0);

	if (ram_end > DIRECT_MAP_MAX)
		ram_end = DIRECT_MAP_MAX;
	for (uint64_t pa = 0; pa < ram_end; pa += step) {
		uintptr_t va = DIRECT_MAP_BASE + pa;
		unsigned level = huge ? 3 : 2;
		pte_t *path[5];
		errno_t rc = pt_walk(&page_table_kernel, va, level, true, path);
		assert(rc == EOK);
		path[level][pt_index(va, level)] = pa | flags;
	}
}

extern char boot_stack_guard[];

static void pt_map_image_range(char *start, char *end, unsigned flags)
{
	for (uintptr_t va = (uintptr_t) start; va < (uintptr_t) end; va += PAGE_SIZE) {
		if (va == (uintptr_t) boot_stack_guard)
			continue; /* the boot stack's guard page stays unmapped */
		errno_t rc = page_mapping_insert(
		    &page_table_kernel, va, KIMG2PA(va), flags | PAGE_GLOBAL);
		assert(rc == EOK);
	}
}

void page_table_kernel_init(uint64_t ram_end)
{
	spinlock_initialize(&page_table_kernel.lock, "page-table-kernel");
	page_table_kernel.root_pa = bootmem_alloc(PAGE_SIZE);
	/* Pre-create every kernel-half PML4 slot, so address spaces made later
	 * can share the kernel half by copying slots 256..511. */
	pte_t *pml4 = pt_table(page_table_kernel.root_pa);
	for (unsigned i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		pml4[i] = bootmem_alloc(PAGE_SIZE) | PTE_P | PTE_RW;

	pt_map_direct(ram_end);
	pt_map_image_range(kernel_text_start, kernel_text_end, PAGE_READ | PAGE_EXEC);
	pt_map_image_range(kernel_rodata_start, kernel_rodata_end, PAGE_READ);
	pt_map_image_range(kernel_data_start, kernel_data_end, PAGE_READ | PAGE_WRITE);

	if (cpu_features.nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	if (cpu_features.pge)
		write_cr4(read_cr4() | CR4_PGE);
	write_cr3(page_table_kernel.root_pa);
}

errno_t page_table_create(page_table_t *pt)
{
	uintptr_t root;
	errno_t rc = frame_alloc(1, FRAME_ZERO | FRAME_USE_FLAGS(FRAME_USE_PTABLE), &root);
	if (rc != EOK)
		return rc;
	const pte_t *kernel = pt_table(page_table_kernel.root_pa);
	pte_t *t = pt_table(root);
	for (unsigned i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		t[i] = kernel[i];
	pt->root_pa = root;
	pt->tables = 1;
	spinlock_initialize(&pt->lock, "page-table");
	return EOK;
}

/* Free the table at @a pa of @a level and everything below it. */
static void pt_free_tree(uintptr_t pa, unsigned level)
{
	if (level > 1) {
		pte_t *t = pt_table(pa);
		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				pt_free_tree(t[i] & PTE_ADDR, level - 1);
		}
	}
	frame_free(pa, 1);
}

size_t page_table_frames(page_table_t *pt)
{
	return __atomic_load_n(&pt->tables, __ATOMIC_RELAXED);
}

void page_table_destroy(page_table_t *pt)
{
	pte_t *t = pt_table(pt->root_pa);
	assert(pt->root_pa != (read_cr3() & PTE_ADDR) && pt->root_pa != page_table_kernel.root_pa);
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++) {
		if (t[i] & PTE_P)
			pt_free_tree(t[i] & PTE_ADDR, 3);
	}
	frame_free(pt->root_pa, 1);
	pt->root_pa = 0;
	pt->tables = 0;
}

bool page_table_pcid_enabled(void)
{
	return (read_cr4() & CR4_PCIDE) != 0;
}

void page_table_activate(page_table_t *pt, unsigned pcid, bool keep)
{
	uint64_t cr3 = pt->root_pa;
	if (page_table_pcid_enabled()) {
		cr3 |= pcid & 0xfff;
		if (keep)
			cr3 |= 1ULL << 63; /* the PCID's cached entries are still ours */
	}
	write_cr3(cr3);
}

/* Rewrite the leaf entry of a mapped page in place (frame @a pa, or the
 * current one when @a keep_pa) and invalidate it: ENOENT, EINVAL. */
static errno_t pt_leaf_rewrite(
    page_table_t *pt, uintptr_t va, uintptr_t pa, bool keep_pa, unsigned flags)
{
	if (!PAGE_ALIGNED(va) || !va_canonical(va))
		return EINVAL;
	pte_t *path[5] = { NULL };
	spinlock_lock(&pt->lock);
	errno_t rc = pt_walk(pt, va, 1, false, path);
	if (rc == EOK) {
		pte_t *e = &path[1][pt_index(va, 1)];
		if (*e & PTE_P) {
			*e = (keep_pa ? (*e & PTE_ADDR) : pa) | pte_from_flags(flags);
			tlb_invalidate_page(va);
		} else {
			rc = ENOENT;
		}
	} else if (rc == EEXIST) {
		rc = EINVAL;
	}
	spinlock_unlock(&pt->lock);
	return rc;
}

errno_t page_mapping_protect(page_table_t *pt, uintptr_t va, unsigned flags)
{
	return pt_leaf_rewrite(pt, va, 0, true, flags);
}

errno_t page_mapping_update(page_table_t *pt, uintptr_t va, uintptr_t pa, unsigned flags)
{
	if (!PAGE_ALIGNED(pa) || (pa & ~PTE_ADDR))
		return EINVAL;
	return pt_leaf_rewrite(pt, va, pa, false, flags);
}
