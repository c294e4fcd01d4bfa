/* Kernel tests of the frame allocator. */
#include <arch/layout.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <test/ktest.h>

KTEST(frame_alloc_free)
{
	size_t free0 = frame_free_count();
	uintptr_t pa;

	KT_ASSERT_EQ(frame_alloc(1, FRAME_ZERO, &pa), EOK);
	KT_CHECK(PAGE_ALIGNED(pa));
	KT_CHECK_EQ(frame_refcount(pa), 1);
	KT_CHECK_EQ(frame_free_count(), free0 - 1);
	const uint64_t *words = PA2KA(pa);
	bool zero = true;
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		zero = zero && words[i] == 0;
	KT_CHECK(zero);
	frame_free(pa, 1);
	KT_CHECK_EQ(frame_free_count(), free0);
	KT_CHECK_EQ(frame_refcount(pa), 0);
	KT_CHECK_EQ(frame_check(), EOK);
}

/* The frames in use by use (frame_use_counts): an allocation counts as
 * unmarked unless its flags give the use, frame_use_mark moves frames to
 * their use, a frame leaves the
 * count with its last reference; with the free frames the counts add up
 * to the total. */
KTEST(frame_use_counts)
{
	size_t u0[FRAME_USE_COUNT], u1[FRAME_USE_COUNT];
	uintptr_t pa;

	frame_use_counts(u0);
	KT_ASSERT_EQ(frame_alloc(3, 0, &pa), EOK);
	size_t free1 = frame_use_counts(u1), sum = free1;
	KT_CHECK_EQ(u1[FRAME_USE_NONE], u0[FRAME_USE_NONE] + 3);
	for (unsigned u = 0; u < FRAME_USE_COUNT; u++)
		sum += u1[u];
	KT_CHECK_EQ(sum, frame_total_count());
	frame_use_mark(pa, 2, FRAME_USE_KSTACK, NULL);
	frame_use_counts(u1);
	KT_CHECK_EQ(u1[FRAME_USE_NONE], u0[FRAME_USE_NONE] + 1);
	KT_CHECK_EQ(u1[FRAME_USE_KSTACK], u0[FRAME_USE_KSTACK] + 2);
	frame_ref_add(pa); /* a second reference: counted until the last goes */
	frame_free(pa, 3);
	frame_use_counts(u1);
	KT_CHECK_EQ(u1[FRAME_USE_KSTACK], u0[FRAME_USE_KSTACK] + 1);
	KT_CHECK_EQ(u1[FRAME_USE_NONE], u0[FRAME_USE_NONE]);
	KT_CHECK(frame_ref_drop(pa));
	frame_use_counts(u1);
	for (unsigned u = 0; u < FRAME_USE_COUNT; u++)
		KT_CHECK_EQ(u1[u], u0[u]);
	/* the use given to the allocation (FRAME_USE_FLAGS): counted at once */
	KT_ASSERT_EQ(frame_alloc(2, FRAME_USE_FLAGS(FRAME_USE_DMA), &pa), EOK);
	frame_use_counts(u1);
	KT_CHECK_EQ(u1[FRAME_USE_DMA], u0[FRAME_USE_DMA] + 2);
	KT_CHECK_EQ(u1[FRAME_USE_NONE], u0[FRAME_USE_NONE]);
	KT_CHECK_EQ(frame_get(pa)->use, FRAME_USE_DMA);
	frame_free(pa, 2);
	frame_use_counts(u1);
	KT_CHECK_EQ(u1[FRAME_USE_DMA], u0[FRAME_USE_DMA]);
	KT_CHECK_EQ(frame_check(), EOK);
}

KTEST(frame_refcount)
{
	size_t free0 = frame_free_count();
	uintptr_t pa;

	KT_ASSERT_EQ(frame_alloc(1, 0, &pa), EOK);
	frame_ref_add(pa);
	frame_ref_add(pa);
	KT_CHECK_EQ(frame_refcount(pa), 3);
	KT_CHECK(!frame_ref_drop(pa));
	KT_CHECK(!frame_ref_drop(pa));
	KT_CHECK_EQ(frame_free_count(), free0 - 1);
	KT_CHECK(frame_ref_drop(pa));
	KT_CHECK_EQ(frame_free_count(), free0);
}

KTEST(frame_runs)
{
	size_t free0 = frame_free_count();
	static const size_t sizes[] = { 1, 2, 3, 5, 7, 8, 13, 64, 100, 1024 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uintptr_t pa;
		KT_ASSERT_EQ(frame_alloc(sizes[i], 0, &pa), EOK);
		KT_CHECK_EQ(frame_free_count(), free0 - sizes[i]);
		/* every frame of the run is ours and contiguous */
		for (size_t j = 0; j < sizes[i]; j++)
			KT_CHECK_EQ(frame_refcount(pa + j * PAGE_SIZE), 1);
		if (sizes[i] > 1)
			KT_CHECK_EQ((pa >> PAGE_WIDTH) % 2, 0);
		frame_free(pa, sizes[i]);
		KT_CHECK_EQ(frame_free_count(), free0);
		KT_CHECK_EQ(frame_check(), EOK);
	}
}

KTEST(frame_bad_requests)
{
	uintptr_t pa = 0x1234;
	size_t free0 = frame_free_count();
	KT_CHECK_EQ(frame_alloc(0, 0, &pa), EINVAL);
	KT_CHECK_EQ(frame_alloc((1ul << FRAME_MAX_ORDER) + 1, 0, &pa), ENOMEM);
	KT_CHECK_EQ(frame_alloc(SIZE_MAX, 0, &pa), ENOMEM);
	KT_CHECK_EQ(pa, 0x1234);
	KT_CHECK_EQ(frame_free_count(), free0);
}

/*
 * Allocate every free frame, one at a time, chaining them through their
 * own first word; the allocator must then say ENOMEM (not panic), and
 * giving everything back must restore the count exactly.
 */
KTEST(frame_exhaustion)
{
	size_t free0 = frame_free_count();
	uintptr_t head = 0, pa;
	size_t got = 0;

	while (frame_alloc(1, 0, &pa) == EOK) {
		*(uintptr_t *) PA2KA(pa) = head;
		head = pa;
		got++;
	}
	KT_CHECK_EQ(got, free0);
	KT_CHECK_EQ(frame_free_count(), 0);
	KT_CHECK_EQ(frame_alloc(1, 0, &pa), ENOMEM);
	KT_CHECK_EQ(frame_alloc(4, 0, &pa), ENOMEM);
	while (head) {
		uintptr_t next = *(uintptr_t *) PA2KA(head);
		frame_free(head, 1);
		head = next;
	}
	KT_CHECK_EQ(frame_free_count(), free0);
	KT_CHECK_EQ(frame_check(), EOK);
	/* Coalescing worked: a large run is available again. */
	KT_ASSERT_EQ(frame_alloc(1ul << FRAME_MAX_ORDER, 0, &pa), EOK);
	frame_free(pa, 1ul << FRAME_MAX_ORDER);
}
