/*
 * Kernel tests of the device-resource ranges (ddi/range.h): which ranges
 * are valid, coverage, and that a range handle is typed (a handle of one
 * kind is refused where another is wanted) and reference counted; the
 * boot grants' parser (ddi/grant.h).
 */
#include <ddi/grant.h>
#include <ddi/range.h>
#include <mm/malloc.h>
#include <str.h>
#include <test/ktest.h>

KTEST(ddi_range_valid)
{
	KT_CHECK(ddi_range_valid(DDI_RANGE_IO, 0xcf8, 8));
	KT_CHECK(ddi_range_valid(DDI_RANGE_IO, 0, DDI_IO_PORTS));
	KT_CHECK(!ddi_range_valid(DDI_RANGE_IO, 0xfff0, 0x11)); /* past the last port */
	KT_CHECK(!ddi_range_valid(DDI_RANGE_IO, 0x10, 0));
	KT_CHECK(!ddi_range_valid(DDI_RANGE_IO, UINT64_MAX, 2)); /* wraps */
	KT_CHECK(ddi_range_valid(DDI_RANGE_IRQ, 0, DDI_IRQ_LINES));
	KT_CHECK(!ddi_range_valid(DDI_RANGE_IRQ, 15, 2));
	KT_CHECK(ddi_range_valid(DDI_RANGE_PHYS, 0xfebd0000, 0x4000));
	KT_CHECK(!ddi_range_valid(DDI_RANGE_PHYS, 0xfebd0010, 0x4000)); /* unaligned */
	KT_CHECK(!ddi_range_valid(DDI_RANGE_PHYS, 0xfebd0000, 0x10));
	KT_CHECK(!ddi_range_valid(DDI_RANGE_PHYS, DDI_PHYS_LIMIT - 0x1000, 0x2000));
	KT_CHECK(!ddi_range_valid(DDI_RANGE_KIND_COUNT, 0, 1));
}

KTEST(ddi_range_covers)
{
	ddi_range_t *r;
	KT_ASSERT_EQ(ddi_range_create(DDI_RANGE_IO, 0x100, 0x10, &r), EOK);
	KT_CHECK(ddi_range_covers(r, 0x100, 0x10));
	KT_CHECK(ddi_range_covers(r, 0x10f, 1));
	KT_CHECK(!ddi_range_covers(r, 0xff, 2));
	KT_CHECK(!ddi_range_covers(r, 0x10f, 2));
	KT_CHECK(!ddi_range_covers(r, 0x100, 0x11));
	KT_CHECK(!ddi_range_covers(r, UINT64_MAX, 2));
	ddi_range_put(r);
	KT_CHECK_EQ(ddi_range_create(DDI_RANGE_IO, 0x100, 0, &r), EINVAL);
}

KTEST(ddi_range_caps_typed)
{
	static cap_table_t t;
	cap_handle_t io, irq;
	ddi_range_t *r;
	size_t live = malloc_live_count();

	cap_table_init(&t);
	KT_ASSERT_EQ(ddi_range_grant(&t, DDI_RANGE_IO, 0x3f8, 8, &io), EOK);
	KT_ASSERT_EQ(ddi_range_grant(&t, DDI_RANGE_IRQ, 4, 1, &irq), EOK);
	KT_CHECK_EQ(ddi_range_grant(&t, DDI_RANGE_IRQ, 4, 100, &irq), EINVAL);
	KT_CHECK_EQ(ddi_range_get(&t, io, DDI_RANGE_PHYS, &r), ENOENT);
	KT_CHECK_EQ(ddi_range_get(&t, irq, DDI_RANGE_IO, &r), ENOENT);
	KT_ASSERT_EQ(ddi_range_get(&t, io, DDI_RANGE_IO, &r), EOK);
	KT_CHECK(r->base == 0x3f8 && r->size == 8 && r->refs == 2);
	cap_table_close_all(&t); /* the table's reference goes; ours stays */
	KT_CHECK_EQ(r->refs, 1);
	KT_CHECK_EQ(ddi_range_get(&t, io, DDI_RANGE_IO, &r), ENOENT);
	ddi_range_put(r);
	KT_CHECK_EQ(malloc_live_count(), live);
}

static bool grant_is(const char *tok, ddi_range_kind_t kind, uint64_t base, uint64_t size)
{
	ddi_range_kind_t k;
	uint64_t b, s;
	return ddi_grant_parse(tok, strlen(tok), &k, &b, &s) == EOK && k == kind && b == base &&
	    s == size;
}

static bool grant_bad(const char *tok)
{
	ddi_range_kind_t k;
	uint64_t b, s;
	return ddi_grant_parse(tok, strlen(tok), &k, &b, &s) == EINVAL;
}

KTEST(ddi_grant_parse)
{
	KT_CHECK(grant_is("io:0xcf8+8", DDI_RANGE_IO, 0xcf8, 8));
	KT_CHECK(grant_is("irq:4+1", DDI_RANGE_IRQ, 4, 1));
	KT_CHECK(grant_is("phys:0xB8000+0X1000", DDI_RANGE_PHYS, 0xb8000, 0x1000));
	KT_CHECK(grant_bad("io:0xcf8"));
	KT_CHECK(grant_bad("io:0xcf8+"));
	KT_CHECK(grant_bad("io:+8"));
	KT_CHECK(grant_bad("io:0x+8"));
	KT_CHECK(grant_bad("io:0xcf8+8x"));
	KT_CHECK(grant_bad("i:0xcf8+8"));
	KT_CHECK(grant_bad("iox:0xcf8+8"));
	KT_CHECK(grant_bad("0xcf8+8"));
	KT_CHECK(grant_bad("io:0xffff+2")); /* beyond the last port */
	KT_CHECK(grant_bad("irq:0+17"));
	KT_CHECK(grant_bad("phys:0xb8001+0x1000")); /* unaligned */
	KT_CHECK(grant_bad("io:18446744073709551616+1")); /* 2^64 */
	KT_CHECK(grant_bad("io:0x10000000000000000+1"));
}

KTEST(ddi_grants_apply)
{
	static cap_table_t t;
	size_t n;
	ddi_range_t *r;
	size_t live = malloc_live_count();

	cap_table_init(&t);
	KT_ASSERT_EQ(ddi_grants_apply(&t, "devman grant=io:0xcf8+8 x=1 grant=irq:0+16", &n), EOK);
	KT_CHECK_EQ(n, 2);
	/* In token order at the lowest free handles. */
	KT_ASSERT_EQ(ddi_range_get(&t, CAP_HANDLE_MAKE(0, 0), DDI_RANGE_IO, &r), EOK);
	KT_CHECK(r->base == 0xcf8 && r->size == 8);
	ddi_range_put(r);
	KT_ASSERT_EQ(ddi_range_get(&t, CAP_HANDLE_MAKE(1, 0), DDI_RANGE_IRQ, &r), EOK);
	KT_CHECK(r->base == 0 && r->size == 16);
	ddi_range_put(r);
	KT_CHECK_EQ(ddi_grants_apply(&t, "m grant=io:0x10+1 grant=bad", &n), EINVAL);
	KT_CHECK_EQ(n, 1);
	KT_CHECK_EQ(cap_used(&t), 3);
	cap_table_close_all(&t);
	KT_CHECK_EQ(malloc_live_count(), live);
}
