/*
 * Host unit test of libc's pure mapping code (uspace/lib/c/src/
 * mman_table.c): the argument checks of mmap, munmap, mprotect, msync and
 * madvise, each rule and the values a good request comes out with; and
 * the table of mappings, driven at random (maps into free space, cuts of
 * any range) against a model that records, page by page, which mapping
 * holds the page and at which object offset.  After every step the
 * table must be sorted and disjoint, say for every page what the model
 * says, and its visits, coverage and "object kept" answers must match
 * the model's.
 */
#include "mman_priv.h"
#include <abi/as.h>
#include <abi/page.h>
#include <lib/prng.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tap.h"

#define PS ((uintptr_t) PAGE_SIZE)
#define RW (AS_AREA_READ | AS_AREA_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

/* ---- the checks ---- */

typedef struct map_case {
	uintptr_t addr;
	size_t len;
	int prot, flags, fd;
	int64_t off;
	errno_t err;
} map_case_t;

static const map_case_t map_errors[] = {
	{ 0, 0, PROT_READ, PA, -1, 0, EINVAL },
	{ 0, PS, PROT_READ, MAP_ANONYMOUS, -1, 0, EINVAL },
	{ 0, PS, PROT_READ, PA | MAP_SHARED, -1, 0, EINVAL },
	{ 0, PS, PROT_READ, PA | 0x4000, -1, 0, EINVAL },
	{ 0, PS, 0x10, PA, -1, 0, EINVAL },
	{ 0, PS, PROT_WRITE | PROT_EXEC, PA, -1, 0, ENOTSUP },
	{ 0, PS, PROT_READ | PROT_WRITE | PROT_EXEC, PA, -1, 0, ENOTSUP },
	{ 0x100001, PS, PROT_READ, PA | MAP_FIXED, -1, 0, EINVAL },
	{ 0x100001, PS, PROT_READ, PA | MAP_FIXED_NOREPLACE, -1, 0, EINVAL },
	{ 0, PS, PROT_READ, PA, -1, 1, EINVAL },
	{ 0, PS, PROT_READ, PA, -1, -4096, EINVAL },
	{ 0, PS, PROT_READ, PA, 3, 0, EINVAL },
	{ 0, PS, PROT_READ, MAP_SHARED, -1, 0, EBADF },
	{ 0, PS, PROT_READ, MAP_SHARED, -7, 0, EBADF },
	{ 0, SIZE_MAX, PROT_READ, PA, -1, 0, ENOMEM },
	{ 0, SIZE_MAX - PS + 2, PROT_READ, PA, -1, 0, ENOMEM },
	{ 0, AS_USER_TOP - AS_USER_FLOOR + 1, PROT_READ, PA, -1, 0, ENOMEM },
	{ 0, PS, PROT_READ, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ AS_USER_FLOOR - PS, 2 * PS, PROT_READ, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ AS_USER_TOP - PS, 2 * PS, PROT_READ, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ AS_USER_TOP, PS, PROT_READ, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ UINTPTR_MAX - PS + 1, PS, PROT_READ, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ 0, 2 * PS, PROT_READ, MAP_SHARED, 3, (int64_t) (UINT64_MAX / 2 - PS + 1), EOK },
	{ 0, PS, PROT_READ, MAP_SHARED, 3, INT64_MAX, EINVAL },
};

static bool test_map_errors(void)
{
	mman_req_t r;
	for (size_t i = 0; i < sizeof(map_errors) / sizeof(map_errors[0]); i++) {
		const map_case_t *c = &map_errors[i];
		errno_t rc = mman_map_check(c->addr, c->len, c->prot, c->flags, c->fd, c->off, &r);
		if (rc != c->err)
			tap_diag("case %zu: %d, expected %d", i, rc, c->err);
		TAP_CHECK_EQ(rc, c->err);
	}
	return true;
}

static bool test_map_good(void)
{
	mman_req_t r;
	/* anywhere; the length rounded up; anonymous: no fd, offset 0 */
	TAP_CHECK_EQ(mman_map_check(0, 5000, PROT_READ | PROT_WRITE, PA, -1, 8192, &r), EOK);
	TAP_CHECK(r.addr == 0 && r.len == 2 * PS && r.rights == RW && r.anon && !r.shared);
	TAP_CHECK(!r.fixed && !r.replace && r.fd == -1 && r.offset == 0);
	/* a hint rounded up to a page; one that cannot hold the mapping is none */
	TAP_CHECK_EQ(
	    mman_map_check(0x200001, PS, PROT_NONE, MAP_SHARED | MAP_ANON, -1, 0, &r), EOK);
	TAP_CHECK(r.addr == 0x201000 && r.rights == 0 && r.shared && !r.fixed);
	TAP_CHECK_EQ(mman_map_check(8, PS, PROT_READ, PA, -1, 0, &r), EOK);
	TAP_CHECK_EQ(r.addr, 0);
	TAP_CHECK_EQ(mman_map_check(AS_USER_TOP - PS, 2 * PS, PROT_READ, PA, -1, 0, &r), EOK);
	TAP_CHECK_EQ(r.addr, 0);
	TAP_CHECK_EQ(mman_map_check(UINTPTR_MAX, PS, PROT_READ, PA, -1, 0, &r), EOK);
	TAP_CHECK_EQ(r.addr, 0);
	/* fixed replaces; noreplace does not (also with MAP_FIXED) */
	TAP_CHECK_EQ(mman_map_check(0x300000, PS, PROT_EXEC, PA | MAP_FIXED, -1, 0, &r), EOK);
	TAP_CHECK(r.addr == 0x300000 && r.fixed && r.replace);
	TAP_CHECK_EQ(r.rights, AS_AREA_READ | AS_AREA_EXEC);
	TAP_CHECK_EQ(
	    mman_map_check(0x300000, PS, PROT_WRITE, PA | MAP_FIXED_NOREPLACE, -1, 0, &r), EOK);
	TAP_CHECK(r.fixed && !r.replace && r.rights == RW);
	TAP_CHECK_EQ(mman_map_check(
	                 0x300000, PS, PROT_READ, PA | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0, &r),
	    EOK);
	TAP_CHECK(r.fixed && !r.replace);
	/* the highest and lowest fixed ranges there are */
	TAP_CHECK_EQ(
	    mman_map_check(AS_USER_TOP - PS, PS, PROT_READ, PA | MAP_FIXED, -1, 0, &r), EOK);
	TAP_CHECK_EQ(mman_map_check(AS_USER_FLOOR, AS_USER_TOP - AS_USER_FLOOR, PROT_NONE,
	                 PA | MAP_FIXED, -1, 0, &r),
	    EOK);
	/* a file: descriptor and offset kept */
	TAP_CHECK_EQ(mman_map_check(0, PS, PROT_READ, MAP_SHARED, 4, 3 * (int64_t) PS, &r), EOK);
	TAP_CHECK(!r.anon && r.fd == 4 && r.offset == 3 * PS);
	return true;
}

static bool test_other_checks(void)
{
	uintptr_t end;
	unsigned rights;
	TAP_CHECK_EQ(mman_unmap_check(0x100000, 1, &end), EOK);
	TAP_CHECK_EQ(end, 0x101000);
	TAP_CHECK_EQ(mman_unmap_check(0x100000, 0, &end), EINVAL);
	TAP_CHECK_EQ(mman_unmap_check(0x100008, PS, &end), EINVAL);
	TAP_CHECK_EQ(mman_unmap_check(0, PS, &end), EINVAL);
	TAP_CHECK_EQ(mman_unmap_check(0x100000, SIZE_MAX, &end), EINVAL);
	TAP_CHECK_EQ(mman_unmap_check(AS_USER_TOP - PS, 2 * PS, &end), EINVAL);
	TAP_CHECK_EQ(mman_unmap_check(AS_USER_TOP - PS, PS, &end), EOK);
	TAP_CHECK_EQ(mman_range_check(0x100000, 0, &end), EOK);
	TAP_CHECK_EQ(end, 0x100000);
	TAP_CHECK_EQ(mman_range_check(0x100000, PS + 1, &end), EOK);
	TAP_CHECK_EQ(end, 0x102000);
	TAP_CHECK_EQ(mman_range_check(0x100001, PS, &end), EINVAL);
	TAP_CHECK_EQ(mman_range_check(0x100000, SIZE_MAX, &end), ENOMEM);
	TAP_CHECK_EQ(mman_range_check(0, PS, &end), ENOMEM);
	TAP_CHECK_EQ(mman_range_check(AS_USER_TOP, PS, &end), ENOMEM);
	TAP_CHECK_EQ(mman_sync_check(0), EOK);
	TAP_CHECK_EQ(mman_sync_check(MS_SYNC | MS_INVALIDATE), EOK);
	TAP_CHECK_EQ(mman_sync_check(MS_ASYNC | MS_INVALIDATE), EOK);
	TAP_CHECK_EQ(mman_sync_check(MS_ASYNC | MS_SYNC), EINVAL);
	TAP_CHECK_EQ(mman_sync_check(0x8), EINVAL);
	TAP_CHECK_EQ(mman_sync_check(-1), EINVAL);
	for (int a = -2; a < 10; a++)
		TAP_CHECK_EQ(mman_advice_check(a), a >= 0 && a <= MADV_DONTNEED ? EOK : EINVAL);
	TAP_CHECK_EQ(mman_prot_rights(PROT_NONE, &rights), EOK);
	TAP_CHECK_EQ(rights, 0);
	TAP_CHECK_EQ(mman_prot_rights(PROT_READ, &rights), EOK);
	TAP_CHECK_EQ(rights, AS_AREA_READ);
	TAP_CHECK_EQ(mman_prot_rights(PROT_WRITE, &rights), EOK);
	TAP_CHECK_EQ(rights, RW);
	TAP_CHECK_EQ(mman_prot_rights(PROT_EXEC, &rights), EOK);
	TAP_CHECK_EQ(rights, AS_AREA_READ | AS_AREA_EXEC);
	TAP_CHECK_EQ(mman_prot_rights(PROT_WRITE | PROT_EXEC, &rights), ENOTSUP);
	TAP_CHECK_EQ(mman_prot_rights(-1, &rights), EINVAL);
	return true;
}

/* ---- the table against a page model ---- */

#define MODEL_PAGES 96
#define MODEL_BASE ((uintptr_t) 0x400000)
#define MODEL_END (MODEL_BASE + MODEL_PAGES * PS)

typedef struct model_page {
	uint64_t object; /* 0: not mapped */
	uint64_t offset;
	uint8_t kind;
	bool shared;
} model_page_t;

static model_page_t model[MODEL_PAGES];
static mman_table_t table;

static uintptr_t page_addr(size_t i)
{
	return MODEL_BASE + i * PS;
}

/* Every page: the record holding it says what the model says. */
static bool table_matches(void)
{
	for (size_t i = 0; i + 1 < table.n; i++) {
		TAP_CHECK(table.v[i].base < table.v[i].end);
		TAP_CHECK(table.v[i].end <= table.v[i + 1].base);
	}
	size_t r = 0;
	for (size_t i = 0; i < MODEL_PAGES; i++) {
		uintptr_t a = page_addr(i);
		while (r < table.n && table.v[r].end <= a)
			r++;
		bool in = r < table.n && table.v[r].base <= a;
		TAP_CHECK_EQ(in, model[i].object != 0);
		if (!in)
			continue;
		const mman_map_t *m = &table.v[r];
		TAP_CHECK_EQ(m->object, model[i].object);
		TAP_CHECK_EQ(m->offset + (a - m->base), model[i].offset);
		TAP_CHECK(m->kind == model[i].kind && m->shared == model[i].shared);
	}
	return true;
}

typedef struct visit_state {
	uintptr_t from, to, next;
	bool ok;
} visit_state_t;

/* The pieces come in order, inside the range, each what the model says. */
static void visit_check(void *arg, const mman_map_t *p)
{
	visit_state_t *v = arg;
	if (p->base < v->next || p->base < v->from || p->end > v->to || p->base >= p->end)
		v->ok = false;
	for (uintptr_t a = p->base; v->ok && a < p->end; a += PS) {
		const model_page_t *m = &model[(a - MODEL_BASE) / PS];
		if (m->object != p->object || m->offset != p->offset + (a - p->base))
			v->ok = false;
	}
	v->next = p->end;
}

static bool range_check(size_t lo, size_t hi)
{
	uintptr_t from = page_addr(lo), to = page_addr(hi);
	bool covered = true;
	for (size_t i = lo; i < hi; i++)
		covered = covered && model[i].object != 0;
	TAP_CHECK_EQ(mman_table_covers(&table, from, to), covered);
	visit_state_t v = { from, to, from, true };
	mman_table_visit(&table, from, to, visit_check, &v);
	TAP_CHECK(v.ok);
	/* kept: some page outside the range has the object of a page in it */
	for (size_t i = lo; i < hi; i++) {
		if (!model[i].object)
			continue;
		bool kept = false;
		for (size_t j = 0; j < MODEL_PAGES && !kept; j++)
			kept = (j < lo || j >= hi) && model[j].object == model[i].object;
		TAP_CHECK_EQ(
		    mman_table_object_kept(&table, model[i].kind, model[i].object, from, to), kept);
	}
	return true;
}

/* Map [lo, hi) (free in the model) as a new object at @a offset. */
static bool model_map(size_t lo, size_t hi, uint64_t object, uint64_t offset, prng_t *p)
{
	mman_map_t m = { .base = page_addr(lo),
		.end = page_addr(hi),
		.object = object,
		.offset = offset,
		.kind = (uint8_t) (1 + prng_below(p, 2)),
		.shared = prng_below(p, 2) != 0 };
	TAP_CHECK_EQ(mman_table_reserve(&table, 1), EOK);
	mman_table_insert(&table, &m);
	for (size_t i = lo; i < hi; i++)
		model[i] = (model_page_t){ object, offset + (i - lo) * PS, m.kind, m.shared };
	return true;
}

static bool model_cut(size_t lo, size_t hi)
{
	TAP_CHECK_EQ(mman_table_reserve(&table, 1), EOK);
	mman_table_cut(&table, page_addr(lo), page_addr(hi));
	for (size_t i = lo; i < hi; i++)
		model[i] = (model_page_t){ 0 };
	return true;
}

static bool test_table_random(void)
{
	prng_t p;
	uint64_t next_object = 1;
	size_t maps = 0, cuts = 0, most = 0;
	prng_seed(&p, 0x6d6d6170);
	for (int op = 0; op < 30000; op++) {
		size_t lo = prng_below(&p, MODEL_PAGES);
		size_t hi = lo + 1 + prng_below(&p, prng_below(&p, 4) == 0 ? MODEL_PAGES - lo : 6);
		if (hi > MODEL_PAGES)
			hi = MODEL_PAGES;
		bool free = true;
		for (size_t i = lo; i < hi; i++)
			free = free && model[i].object == 0;
		if (free && prng_below(&p, 3) != 0) {
			TAP_CHECK(model_map(lo, hi, next_object++, prng_below(&p, 1000) * PS, &p));
			maps++;
		} else {
			TAP_CHECK(model_cut(lo, hi));
			cuts++;
		}
		TAP_CHECK(table_matches());
		most = table.n > most ? table.n : most;
		size_t a = prng_below(&p, MODEL_PAGES), b = a + prng_below(&p, MODEL_PAGES - a + 1);
		TAP_CHECK(range_check(a, b));
	}
	tap_diag("%zu maps, %zu cuts, at most %zu records", maps, cuts, most);
	/* a cut outside every record, and one over everything */
	TAP_CHECK(model_cut(0, MODEL_PAGES));
	mman_table_cut(&table, 0x1000, MODEL_BASE);
	mman_table_cut(&table, MODEL_END, MODEL_END + PS);
	TAP_CHECK_EQ(table.n, 0);
	TAP_CHECK(table_matches());
	mman_table_fini(&table);
	return true;
}

/* Many records: the table grows; cutting every other page splits them
 * all; a cut over all removes them. */
static bool test_table_many(void)
{
	mman_table_t t = { 0 };
	const size_t n = 5000;
	for (size_t i = 0; i < n; i++) {
		mman_map_t m = { .base = MODEL_BASE + 4 * i * PS,
			.end = MODEL_BASE + (4 * i + 3) * PS,
			.object = i + 1,
			.kind = MMAN_ANON };
		TAP_CHECK_EQ(mman_table_reserve(&t, 1), EOK);
		mman_table_insert(&t, &m);
	}
	TAP_CHECK_EQ(t.n, n);
	for (size_t i = 0; i < n; i++) {
		TAP_CHECK_EQ(mman_table_reserve(&t, 1), EOK);
		uintptr_t mid = MODEL_BASE + (4 * i + 1) * PS;
		mman_table_cut(&t, mid, mid + PS);
	}
	TAP_CHECK_EQ(t.n, 2 * n);
	for (size_t i = 0; i < 2 * n; i++) {
		TAP_CHECK_EQ(t.v[i].end - t.v[i].base, PS);
		TAP_CHECK_EQ(t.v[i].offset, i % 2 ? 2 * PS : 0);
	}
	TAP_CHECK(mman_table_object_kept(&t, MMAN_ANON, 7, MODEL_BASE, MODEL_BASE + 4 * 6 * PS));
	TAP_CHECK(!mman_table_object_kept(&t, MMAN_ANON, 7, MODEL_BASE, MODEL_BASE + 4 * 7 * PS));
	TAP_CHECK(!mman_table_object_kept(&t, MMAN_WIRED, 7, MODEL_BASE, MODEL_BASE + 4 * 6 * PS));
	mman_table_cut(&t, MODEL_BASE + PS, MODEL_BASE + 4 * n * PS);
	TAP_CHECK_EQ(t.n, 1);
	TAP_CHECK(mman_table_covers(&t, MODEL_BASE, MODEL_BASE + PS));
	TAP_CHECK(!mman_table_covers(&t, MODEL_BASE, MODEL_BASE + 2 * PS));
	TAP_CHECK(mman_table_covers(&t, MODEL_BASE + 5 * PS, MODEL_BASE + 5 * PS));
	mman_table_fini(&t);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "mmap's argument errors", test_map_errors },
		{ "mmap's requests that pass", test_map_good },
		{ "munmap, mprotect, msync, madvise checks", test_other_checks },
		{ "the table against a page model", test_table_random },
		{ "a table of 10,000 records", test_table_many },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
