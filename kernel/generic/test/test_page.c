/* Kernel tests of the page-table interface (kernel page table). */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <test/ktest.h>

/* A kernel-half range nothing else uses. */
#define TEST_VA 0xffffc90000000000UL

KTEST(page_insert_find_remove)
{
	uintptr_t pa, fpa;
	unsigned flags;
	uint64_t v;

	KT_ASSERT_EQ(frame_alloc(1, FRAME_ZERO, &pa), EOK);
	KT_CHECK_EQ(page_mapping_find(&page_table_kernel, TEST_VA, &fpa, &flags), ENOENT);
	KT_ASSERT_EQ(
	    page_mapping_insert(&page_table_kernel, TEST_VA, pa, PAGE_READ | PAGE_WRITE), EOK);
	KT_CHECK_EQ(page_mapping_find(&page_table_kernel, TEST_VA + 0x123, &fpa, &flags), EOK);
	KT_CHECK_EQ(fpa, pa + 0x123);
	KT_CHECK(flags & PAGE_WRITE);
	KT_CHECK(!(flags & PAGE_USER));
	KT_CHECK_EQ(!!(flags & PAGE_EXEC), !cpu_features.nx);

	/* The mapping reaches the frame: write through it, read via the direct map. */
	*(volatile uint64_t *) (TEST_VA + 8) = 0x1122334455667788ULL;
	KT_CHECK_EQ(((uint64_t *) PA2KA(pa))[1], 0x1122334455667788ULL);

	KT_CHECK_EQ(page_mapping_insert(&page_table_kernel, TEST_VA, pa, PAGE_READ), EEXIST);
	KT_CHECK_EQ(page_mapping_remove(&page_table_kernel, TEST_VA), EOK);
	KT_CHECK_EQ(page_mapping_find(&page_table_kernel, TEST_VA, &fpa, &flags), ENOENT);
	KT_CHECK_EQ(page_mapping_remove(&page_table_kernel, TEST_VA), ENOENT);
	/* The TLB was invalidated: the old translation is gone. */
	KT_CHECK_EQ(arch_probe_read_u64((void *) TEST_VA, &v), EFAULT);
	frame_free(pa, 1);
}

KTEST(page_bad_arguments)
{
	uintptr_t fpa;
	unsigned flags;

	KT_CHECK_EQ(
	    page_mapping_insert(&page_table_kernel, TEST_VA + 1, 0x200000, PAGE_READ), EINVAL);
	KT_CHECK_EQ(page_mapping_insert(&page_table_kernel, TEST_VA, 0x200001, PAGE_READ), EINVAL);
	KT_CHECK_EQ(
	    page_mapping_insert(&page_table_kernel, 0x0000900000000000UL, 0x200000, PAGE_READ),
	    EINVAL);
	KT_CHECK_EQ(
	    page_mapping_insert(&page_table_kernel, TEST_VA, 1ULL << 60, PAGE_READ), EINVAL);
	KT_CHECK_EQ(page_mapping_remove(&page_table_kernel, TEST_VA + 8), EINVAL);
	KT_CHECK_EQ(
	    page_mapping_find(&page_table_kernel, 0x0000900000000000UL, &fpa, &flags), ENOENT);
	/* the direct map is made of large pages, which the 4 KiB interface
	 * finds but refuses to change */
	KT_CHECK_EQ(
	    page_mapping_find(&page_table_kernel, (uintptr_t) PA2KA(0x200000), &fpa, &flags), EOK);
	KT_CHECK_EQ(fpa, 0x200000);
	KT_CHECK_EQ(page_mapping_remove(&page_table_kernel, (uintptr_t) PA2KA(0x200000)), EINVAL);
	KT_CHECK_EQ(page_mapping_insert(
	                &page_table_kernel, (uintptr_t) PA2KA(0x200000), 0x200000, PAGE_READ),
	    EEXIST);
}

KTEST(page_read_only)
{
	uintptr_t pa;
	uint64_t v;

	KT_ASSERT_EQ(frame_alloc(1, FRAME_ZERO, &pa), EOK);
	KT_ASSERT_EQ(page_mapping_insert(&page_table_kernel, TEST_VA, pa, PAGE_READ), EOK);
	KT_CHECK_EQ(arch_probe_read_u64((void *) TEST_VA, &v), EOK);
	KT_CHECK_EQ(arch_probe_write_u64((void *) TEST_VA, 1), EFAULT);
	KT_CHECK_EQ(page_mapping_remove(&page_table_kernel, TEST_VA), EOK);
	frame_free(pa, 1);
}

/*
 * Map a range spanning several page tables, then unmap it: every table the
 * mappings needed is freed again (the runner's leak check sees the frames),
 * and tlb_invalidate_range leaves no stale translation.
 */
KTEST(page_range_and_table_reclaim)
{
	enum { PAGES = 1100 };
	size_t free0 = frame_free_count();
	uintptr_t pa, base = TEST_VA + (1UL << 30) - 8 * PAGE_SIZE;
	uint64_t v;

	KT_ASSERT_EQ(frame_alloc(1, FRAME_ZERO, &pa), EOK);
	for (size_t i = 0; i < PAGES; i++)
		KT_ASSERT_EQ(
		    page_mapping_insert(&page_table_kernel, base + i * PAGE_SIZE, pa, PAGE_READ),
		    EOK);
	/* 1100 pages across a 1 GiB boundary: two PDs and four PTs */
	KT_CHECK_EQ(free0 - frame_free_count(), 1 + 2 + 4);
	for (size_t i = 0; i < PAGES; i++)
		KT_CHECK_EQ(arch_probe_read_u64((void *) (base + i * PAGE_SIZE), &v), EOK);
	for (size_t i = 0; i < PAGES; i++)
		KT_ASSERT_EQ(page_mapping_remove(&page_table_kernel, base + i * PAGE_SIZE), EOK);
	tlb_invalidate_range(base, PAGES);
	KT_CHECK_EQ(arch_probe_read_u64((void *) base, &v), EFAULT);
	KT_CHECK_EQ(arch_probe_read_u64((void *) (base + (PAGES - 1) * PAGE_SIZE), &v), EFAULT);
	KT_CHECK_EQ(free0 - frame_free_count(), 1);
	frame_free(pa, 1);
}

/*
 * page_mapping_insert_run across a leaf-table boundary: every page mapped
 * to its own frame with the run's flags, one walk a leaf table; it stops
 * at a page mapped already (EEXIST) with those before it mapped, refuses a
 * range outside one canonical half before mapping anything, and
 * page_mapping_find_run finds the pages mapped in a row.
 */
KTEST(page_insert_run)
{
	enum { PAGES = 8 };
	uintptr_t pa[PAGES], fpa[PAGES + 1];
	unsigned fl[PAGES + 1];
	size_t done = 99;
	/* four pages before a 2 MiB boundary, four after */
	uintptr_t base = TEST_VA + (2UL << 20) - 4 * PAGE_SIZE;

	for (size_t i = 0; i < PAGES; i++)
		KT_ASSERT_EQ(frame_alloc(1, FRAME_ZERO, &pa[i]), EOK);
	KT_CHECK_EQ(
	    page_mapping_insert_run(&page_table_kernel, base + 1, pa, PAGES, PAGE_READ, &done),
	    EINVAL);
	KT_CHECK_EQ(done, 0);
	KT_CHECK_EQ(page_mapping_insert_run(
	                &page_table_kernel, USER_SPACE_END - PAGE_SIZE, pa, 2, PAGE_READ, &done),
	    EINVAL);
	KT_CHECK_EQ(
	    page_mapping_find(&page_table_kernel, USER_SPACE_END - PAGE_SIZE, fpa, fl), ENOENT);
	/* page 6 is mapped already: the run stops there */
	KT_ASSERT_EQ(
	    page_mapping_insert(&page_table_kernel, base + 6 * PAGE_SIZE, pa[6], PAGE_READ), EOK);
	KT_CHECK_EQ(page_mapping_insert_run(
	                &page_table_kernel, base, pa, PAGES, PAGE_READ | PAGE_WRITE, &done),
	    EEXIST);
	KT_CHECK_EQ(done, 6);
	KT_CHECK_EQ(page_mapping_find_run(&page_table_kernel, base, PAGES + 1, fpa, fl), 7);
	for (size_t i = 0; i < 7; i++) {
		KT_CHECK_EQ(fpa[i], pa[i]);
		KT_CHECK_EQ(!!(fl[i] & PAGE_WRITE), i < 6);
	}
	*(volatile uint64_t *) (base + 5 * PAGE_SIZE + 8) = 0x5a5a;
	KT_CHECK_EQ(((uint64_t *) PA2KA(pa[5]))[1], 0x5a5a);
	KT_CHECK_EQ(page_mapping_insert_run(
	                &page_table_kernel, base + 7 * PAGE_SIZE, &pa[7], 1, PAGE_READ, &done),
	    EOK);
	KT_CHECK_EQ(done, 1);
	KT_CHECK_EQ(page_mapping_find_run(&page_table_kernel, base, PAGES + 1, fpa, fl), PAGES);
	for (size_t i = 0; i < PAGES; i++)
		KT_CHECK_EQ(page_mapping_remove(&page_table_kernel, base + i * PAGE_SIZE), EOK);
	KT_CHECK_EQ(page_mapping_find_run(&page_table_kernel, base, PAGES, fpa, fl), 0);
	for (size_t i = 0; i < PAGES; i++)
		frame_free(pa[i], 1);
}
