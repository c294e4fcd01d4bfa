/*
 * Kernel tests of handing capabilities around (ddi/caps.h, cap_info,
 * cap_drop): a derived range never grows, stale and wrong-kind handles
 * are refused, dropping closes through the type's hook, and copying
 * handles into a new table is all or nothing.
 */
#include <cap/cap.h>
#include <ddi/caps.h>
#include <mm/malloc.h>
#include <test/ktest.h>

static cap_table_t kt_caps_a, kt_caps_b;

KTEST(cap_derive_never_grows)
{
	cap_table_t *t = &kt_caps_a;
	cap_handle_t io, part, phys, h;
	cap_info_t info;
	size_t live = malloc_live_count();

	cap_table_init(t);
	KT_ASSERT_EQ(ddi_range_grant(t, DDI_RANGE_IO, 0x100, 0x10, &io), EOK);
	KT_ASSERT_EQ(ddi_range_derive(t, io, 0x104, 4, &part), EOK);
	KT_ASSERT_EQ(cap_info(t, part, &info), EOK);
	KT_CHECK_EQ(info.kind, CAP_KIND_IO_RANGE);
	KT_CHECK(info.base == 0x104 && info.size == 4);
	/* The whole range again is fine; anything reaching out is not. */
	KT_ASSERT_EQ(ddi_range_derive(t, io, 0x100, 0x10, &h), EOK);
	KT_CHECK_EQ(ddi_range_derive(t, io, 0xff, 2, &h), EPERM);
	KT_CHECK_EQ(ddi_range_derive(t, io, 0x100, 0x11, &h), EPERM);
	KT_CHECK_EQ(ddi_range_derive(t, io, 0x10f, 2, &h), EPERM);
	KT_CHECK_EQ(ddi_range_derive(t, part, 0x100, 4, &h), EPERM); /* the part bounds it */
	KT_CHECK_EQ(ddi_range_derive(t, io, 0x104, 0, &h), EINVAL);
	KT_CHECK_EQ(ddi_range_derive(t, io, UINT64_MAX, 2, &h), EINVAL);
	/* Physical ranges stay page-aligned. */
	KT_ASSERT_EQ(ddi_range_grant(t, DDI_RANGE_PHYS, 0xfebd0000, 0x4000, &phys), EOK);
	KT_CHECK_EQ(ddi_range_derive(t, phys, 0xfebd0010, 0x1000, &h), EINVAL);
	KT_CHECK_EQ(ddi_range_derive(t, phys, 0xfebd3000, 0x2000, &h), EPERM);
	KT_ASSERT_EQ(ddi_range_derive(t, phys, 0xfebd1000, 0x1000, &h), EOK);
	KT_ASSERT_EQ(cap_info(t, h, &info), EOK);
	KT_CHECK(
	    info.kind == CAP_KIND_PHYS_RANGE && info.base == 0xfebd1000 && info.size == 0x1000);
	KT_CHECK_EQ(cap_used(t), 5);
	cap_table_close_all(t);
	KT_CHECK_EQ(malloc_live_count(), live);
}

KTEST(cap_stale_and_wrong_kind)
{
	cap_table_t *t = &kt_caps_a;
	cap_handle_t io, irq, h;
	cap_info_t info;
	ddi_range_t *r;
	size_t live = malloc_live_count();

	cap_table_init(t);
	KT_ASSERT_EQ(ddi_range_grant(t, DDI_RANGE_IO, 0x3f8, 8, &io), EOK);
	KT_ASSERT_EQ(cap_drop(t, io), EOK);
	/* A freed slot: ENOENT; the slot reused by an IRQ range: ESTALE. */
	KT_CHECK_EQ(cap_info(t, io, &info), ENOENT);
	KT_CHECK_EQ(ddi_range_derive(t, io, 0x3f8, 1, &h), ENOENT);
	KT_ASSERT_EQ(ddi_range_grant(t, DDI_RANGE_IRQ, 4, 1, &irq), EOK);
	KT_CHECK_EQ(CAP_HANDLE_INDEX(irq), CAP_HANDLE_INDEX(io));
	KT_CHECK_EQ(cap_info(t, io, &info), ESTALE);
	KT_CHECK_EQ(ddi_range_derive(t, io, 4, 1, &h), ESTALE);
	KT_CHECK_EQ(ddi_range_get_any(t, io, &r), ESTALE);
	KT_CHECK_EQ(cap_drop(t, io), ESTALE);
	/* The IRQ handle is no I/O range, and names no slot beyond it. */
	KT_CHECK_EQ(ddi_range_get(t, irq, DDI_RANGE_IO, &r), ENOENT);
	KT_CHECK_EQ(cap_info(t, CAP_HANDLE_MAKE(CAP_HANDLE_INDEX(irq) + 1, 0), &info), ENOENT);
	KT_CHECK_EQ(cap_info(t, CAP_NIL, &info), ENOENT);
	KT_CHECK_EQ(cap_drop(t, CAP_NIL), ENOENT);
	KT_ASSERT_EQ(cap_info(t, irq, &info), EOK);
	KT_CHECK(info.kind == CAP_KIND_IRQ_RANGE && info.base == 4 && info.size == 1);
	cap_table_close_all(t);
	KT_CHECK_EQ(malloc_live_count(), live);
}

KTEST(cap_drop_closes)
{
	cap_table_t *t = &kt_caps_a;
	cap_handle_t io;
	ddi_range_t *r;
	size_t live = malloc_live_count();

	cap_table_init(t);
	KT_ASSERT_EQ(ddi_range_grant(t, DDI_RANGE_IO, 0x60, 1, &io), EOK);
	KT_ASSERT_EQ(ddi_range_get(t, io, DDI_RANGE_IO, &r), EOK);
	KT_CHECK_EQ(r->refs, 2);
	KT_CHECK_EQ(cap_used(t), 1);
	KT_ASSERT_EQ(cap_drop(t, io), EOK);
	KT_CHECK_EQ(r->refs, 1); /* the close hook put the table's reference */
	KT_CHECK_EQ(cap_used(t), 0);
	KT_CHECK_EQ(cap_drop(t, io), ENOENT);
	ddi_range_put(r);
	KT_CHECK_EQ(malloc_live_count(), live);
}

KTEST(cap_copy_all_or_nothing)
{
	cap_table_t *a = &kt_caps_a, *b = &kt_caps_b;
	cap_handle_t h[3], dead, got;
	ddi_range_t *r;
	cap_info_t info;
	size_t live = malloc_live_count();

	cap_table_init(a);
	cap_table_init(b);
	KT_ASSERT_EQ(ddi_range_grant(a, DDI_RANGE_IO, 0xcf8, 8, &h[0]), EOK);
	KT_ASSERT_EQ(ddi_range_grant(a, DDI_RANGE_IRQ, 11, 1, &h[1]), EOK);
	KT_ASSERT_EQ(ddi_range_grant(a, DDI_RANGE_PHYS, 0xfe000000, 0x1000, &h[2]), EOK);
	KT_ASSERT_EQ(ddi_range_grant(a, DDI_RANGE_IO, 0x70, 2, &dead), EOK);
	KT_ASSERT_EQ(cap_drop(a, dead), EOK);
	KT_ASSERT_EQ(ddi_range_get(a, h[0], DDI_RANGE_IO, &r), EOK);
	KT_CHECK_EQ(r->refs, 2);

	/* A handle the giver does not hold: nothing moves. */
	cap_handle_t bad[3] = { h[0], h[1], dead };
	KT_CHECK_EQ(caps_copy_to_slots(a, bad, 3, b, 1), ENOENT);
	KT_CHECK_EQ(cap_used(b), 0);
	KT_CHECK_EQ(r->refs, 2);
	/* A taken slot in the receiver (its 2): slot 1, placed first, is
	 * taken back, every reference given back. */
	ddi_range_t *other;
	KT_ASSERT_EQ(ddi_range_create(DDI_RANGE_IO, 0x80, 1, &other), EOK);
	KT_ASSERT_EQ(cap_alloc(b, CAP_IO_RANGE, other, CAP_HANDLE_MAKE(2, 0), &got), EOK);
	KT_CHECK_EQ(caps_copy_to_slots(a, h, 3, b, 1), EEXIST);
	KT_CHECK_EQ(cap_used(b), 1);
	KT_CHECK_EQ(r->refs, 2);
	KT_ASSERT_EQ(cap_drop(b, got), EOK);
	cap_table_init(b); /* (the drop moved slot 2's generation on) */
	KT_CHECK_EQ(caps_copy_to_slots(a, h, CAPS_SPAWN_MAX + 1, b, 1), EINVAL);

	/* The good case: slots 1..3, in order, the same objects. */
	KT_ASSERT_EQ(caps_copy_to_slots(a, h, 3, b, 1), EOK);
	KT_CHECK_EQ(cap_used(b), 3);
	KT_CHECK_EQ(r->refs, 3);
	KT_ASSERT_EQ(cap_info(b, CAP_HANDLE_MAKE(1, 0), &info), EOK);
	KT_CHECK(info.kind == CAP_KIND_IO_RANGE && info.base == 0xcf8 && info.size == 8);
	KT_ASSERT_EQ(cap_info(b, CAP_HANDLE_MAKE(2, 0), &info), EOK);
	KT_CHECK(info.kind == CAP_KIND_IRQ_RANGE && info.base == 11);
	KT_ASSERT_EQ(cap_info(b, CAP_HANDLE_MAKE(3, 0), &info), EOK);
	KT_CHECK(info.kind == CAP_KIND_PHYS_RANGE && info.base == 0xfe000000);
	cap_table_close_all(b);
	KT_CHECK_EQ(r->refs, 2);
	cap_table_close_all(a);
	ddi_range_put(r);
	KT_CHECK_EQ(malloc_live_count(), live);
}
