/*
 * Kernel tests of the I/O permission bitmaps (ddi/ioport.h, arch/ddi.h):
 * enabling a range allows exactly its ports, only an I/O range can be
 * enabled, and the TSS holds a task's bitmap only while it is switched
 * to, every byte back to 1s after a task without ports.
 */
#include <arch/arch.h>
#include <arch/ddi.h>
#include <arch/gdt.h>
#include <ddi/ioport.h>
#include <ddi/range.h>
#include <mm/malloc.h>
#include <proc/task.h>
#include <test/ktest.h>

KTEST(ioport_enable_exact)
{
	task_t *t;
	cap_handle_t io, pci, irq;
	KT_ASSERT_EQ(task_create("kt-io", 0, &t), EOK);
	KT_ASSERT_EQ(ddi_range_grant(&t->caps, DDI_RANGE_IO, 0x3f8, 8, &io), EOK);
	KT_ASSERT_EQ(ddi_range_grant(&t->caps, DDI_RANGE_IO, 0xcf8, 8, &pci), EOK);
	KT_ASSERT_EQ(ddi_range_grant(&t->caps, DDI_RANGE_IRQ, 4, 1, &irq), EOK);
	KT_CHECK(!ddi_ioport_allowed(t, 0x3f8, 1));
	KT_CHECK_EQ(ddi_ioport_enable(t, irq), ENOENT); /* not an I/O range */
	KT_CHECK_EQ(ddi_ioport_enable(t, CAP_NIL), ENOENT);
	KT_CHECK(t->iomap == NULL);
	KT_ASSERT_EQ(ddi_ioport_enable(t, io), EOK);
	KT_CHECK(ddi_ioport_allowed(t, 0x3f8, 1) && ddi_ioport_allowed(t, 0x3ff, 1));
	KT_CHECK(ddi_ioport_allowed(t, 0x3fc, 4));
	KT_CHECK(!ddi_ioport_allowed(t, 0x3f7, 1));
	KT_CHECK(!ddi_ioport_allowed(t, 0x3ff, 2));
	KT_CHECK(!ddi_ioport_allowed(t, 0xcf8, 1));
	KT_CHECK_EQ(t->iomap->bytes, 0x400 / 8);
	uint64_t v = t->iomap->version;
	KT_ASSERT_EQ(ddi_ioport_enable(t, pci), EOK);
	KT_CHECK(ddi_ioport_allowed(t, 0xcf8, 4) && ddi_ioport_allowed(t, 0xcfc, 4));
	KT_CHECK(!ddi_ioport_allowed(t, 0xd00, 1));
	KT_CHECK_EQ(t->iomap->bytes, 0xd00 / 8);
	KT_CHECK(t->iomap->version != v);
	/* Dropping the capability does not revoke (documented). */
	KT_ASSERT_EQ(cap_drop(&t->caps, io), EOK);
	KT_CHECK(ddi_ioport_allowed(t, 0x3f8, 1));
	task_destroy_unstarted(t); /* frees the bitmap: the leak check sees it */
}

/* Whether the TSS bitmap allows exactly the ports of @a t (NULL: none). */
static bool tss_matches(task_t *t)
{
	const uint8_t *io = tss_io_bitmap();
	for (uint32_t p = 0; p < DDI_IO_PORTS; p++) {
		bool allowed = !(io[p / 8] & (1u << (p % 8)));
		if (allowed != (t && ddi_ioport_allowed(t, (uint16_t) p, 1)))
			return false;
	}
	return true;
}

KTEST(ioport_tss_switch)
{
	task_t *a, *b;
	cap_handle_t io;
	KT_ASSERT_EQ(task_create("kt-io-a", 0, &a), EOK);
	KT_ASSERT_EQ(task_create("kt-io-b", 0, &b), EOK);
	KT_ASSERT_EQ(ddi_range_grant(&a->caps, DDI_RANGE_IO, 0x60, 5, &io), EOK);
	KT_ASSERT_EQ(ddi_ioport_enable(a, io), EOK);
	ipl_t ipl = arch_interrupts_disable();
	arch_io_switch(a);
	bool with_a = tss_matches(a);
	arch_io_switch(NULL); /* a kernel thread: left as it is */
	bool kernel_kept = tss_matches(a);
	arch_io_switch(b);
	bool without = tss_matches(NULL);
	arch_io_switch(a);
	bool again = tss_matches(a);
	/* A new version of a's bitmap is loaded on the next switch. */
	arch_interrupts_restore(ipl);
	cap_handle_t more;
	KT_ASSERT_EQ(ddi_range_grant(&a->caps, DDI_RANGE_IO, 0x70, 2, &more), EOK);
	KT_ASSERT_EQ(ddi_ioport_enable(a, more), EOK);
	ipl = arch_interrupts_disable();
	arch_io_switch(a);
	bool grown = tss_matches(a) && ddi_ioport_allowed(a, 0x71, 1);
	arch_io_switch(b);
	bool cleared = tss_matches(NULL);
	arch_interrupts_restore(ipl);
	KT_CHECK(with_a);
	KT_CHECK(kernel_kept);
	KT_CHECK(without);
	KT_CHECK(again);
	KT_CHECK(grown);
	KT_CHECK(cleared);
	task_destroy_unstarted(a);
	task_destroy_unstarted(b);
}
