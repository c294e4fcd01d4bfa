/*
 * The mapped-file benchmark, our side (docs/PERFORMANCE.md, "Mapped
 * files"): the same measurements as tools/linux-bench/mapbench.c, with
 * the same loops, each between two insncount markers, on the image
 * tools/mkbenchfs.sh makes (a 64 MiB file /big holding tools/mkdisk.sh's
 * pattern) mounted as "/" (tools/bench-map.sh boots it with
 * `fs utest=hw_map_bench`).  Windows, in this order:
 *
 *   1      map_read_cold  /big mapped (MAP_SHARED, PROT_READ), nothing of
 *                         it cached, read sequentially: one 8-byte load
 *                         per 64 bytes, summed
 *   2      map_read_warm  unmapped, mapped again, read again
 *   3-23   map_fault_1    a fresh mapping of /big: one load of one page
 *                         per window (21 windows, each a new page)
 *   24-44  map_fault_16   one load in each of 16 consecutive pages of a
 *                         fresh mapping (21 windows)
 *   45     map_msync      16 MiB of /m16 mapped MAP_SHARED read-write, one
 *                         store per page (not measured), then msync(MS_SYNC)
 *                         (/m16 is written with write() and read once
 *                         before: cached and clean, as Linux's write()
 *                         leaves it)
 *
 * The cache must hold the file for "warm" to be warm, and 16 MiB must fit
 * under its dirty bound for the msync to write 16 MiB: both are a quarter
 * of the memory (at most 64 MiB and 16 MiB), so that takes 512 MiB
 * (tools/bench-map.sh --memory 512; docs/PERFORMANCE.md has both).
 *
 * The benchmark checks what it measured, so that a broken mapping shows
 * as a failed test and not as a fast figure: both sums equal the
 * pattern's, every page a fault window loaded holds the pattern, and
 * /m16 read back with read() after the msync holds the stores (the host
 * then checks the disk: tools/bench-map.sh).
 */
#include <bench/mapbench.h>
#include <bench/window.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <utest.h>

#define MB_BIG MAPBENCH_BIG
#define MB_M16 MAPBENCH_M16
#define MB_PAGE MAPBENCH_PAGE
#define MB_RUNS MAPBENCH_RUNS
#define MB_REQ (64u * 1024u)
#define MB_STORE_KEY MAPBENCH_STORE_KEY

static uint8_t mb_buf[MB_REQ] __attribute__((aligned(4096)));

/* tools/mkdisk.sh's pattern (seed 0): the 8 bytes at @a off of /big. */
static uint64_t mb_pattern(uint64_t off)
{
	return 0x5a17000000000000ULL ^ off;
}

/* One window: the whole of /big read through a fresh mapping. */
static bool mb_read_pass(const char *name, uint64_t *sum)
{
	const uint64_t *p = mapbench_map("/big", MB_BIG, PROT_READ);
	if (!UT_CHECK(p != MAP_FAILED))
		return false;
	uint64_t n0 = uptime_ns_now();
	bench_marker();
	*sum = mapbench_sum(p, MB_BIG);
	bench_marker();
	printf("bench %s: %llu ns guest clock (%u ops)\n", name,
	    (unsigned long long) (uptime_ns_now() - n0), MB_BIG / MB_PAGE);
	return UT_CHECK_EQ(munmap((void *) p, MB_BIG), 0);
}

/* MB_RUNS windows, each loading one word of @a pages consecutive pages of
 * a fresh mapping of the cached /big; then the loaded words checked. */
static bool mb_fault_pass(const char *name, unsigned pages)
{
	static uint64_t seen[MB_RUNS][16];
	uint64_t c[MB_RUNS];
	const volatile uint64_t *p = mapbench_map("/big", MB_BIG, PROT_READ);
	if (!UT_CHECK(p != MAP_FAILED))
		return false;
	for (int r = 0; r < MB_RUNS; r++) {
		size_t first = mapbench_fault_first(r);
		bench_marker();
		uint64_t t0 = bench_rdtsc();
		for (unsigned i = 0; i < pages; i++)
			seen[r][i] = p[(first + i * MB_PAGE) / 8];
		uint64_t t1 = bench_rdtsc();
		bench_marker();
		c[r] = t1 - t0;
	}
	bool ok = UT_CHECK_EQ(munmap((void *) p, MB_BIG), 0);
	for (int r = 0; r < MB_RUNS && ok; r++)
		for (unsigned i = 0; i < pages && ok; i++)
			ok = UT_CHECK_EQ(
			    seen[r][i], mb_pattern(mapbench_fault_first(r) + i * MB_PAGE));
	bench_sort_u64(c, MB_RUNS);
	printf("bench %s: median %llu cycles, min %llu cycles (%d runs of %u ops)\n", name,
	    (unsigned long long) c[MB_RUNS / 2], (unsigned long long) c[0], MB_RUNS, pages);
	return ok;
}

/* /m16 read with read(): each page's first word is the store (if
 * @a stored), the rest zeros. */
static bool mb_check_m16(bool stored)
{
	int fd = open("/m16", O_RDONLY);
	if (!UT_CHECK(fd >= 0))
		return false;
	bool ok = true;
	for (uint64_t off = 0; off < MB_M16 && ok; off += MB_REQ) {
		ok = UT_CHECK_EQ(read(fd, mb_buf, MB_REQ), (ssize_t) MB_REQ);
		const uint64_t *w = (const uint64_t *) mb_buf;
		for (size_t i = 0; i < MB_REQ / 8 && ok; i++) {
			uint64_t at = off + i * 8;
			ok = UT_CHECK_EQ(w[i], stored && at % MB_PAGE == 0 ? at ^ MB_STORE_KEY : 0);
		}
	}
	close(fd);
	return ok;
}

/* /m16: 16 MiB of zeros written with write(), then fsync (not measured). */
static bool mb_make_m16(void)
{
	memset(mb_buf, 0, sizeof(mb_buf));
	int fd = open("/m16", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!UT_CHECK(fd >= 0))
		return false;
	bool ok = true;
	for (uint64_t off = 0; off < MB_M16 && ok; off += MB_REQ)
		ok = UT_CHECK_EQ(write(fd, mb_buf, MB_REQ), (ssize_t) MB_REQ);
	ok &= UT_CHECK_EQ(fsync(fd), 0);
	ok &= UT_CHECK_EQ(close(fd), 0);
	/* Our write() is written through and leaves uncached pages out of the
	 * cache; Linux's leaves them in its page cache.  Read it once so that
	 * both sides start the store pass with the file cached and clean. */
	return ok && mb_check_m16(false);
}

static bool mb_msync_pass(void)
{
	volatile uint64_t *p = mapbench_map("/m16", MB_M16, PROT_READ | PROT_WRITE);
	if (!UT_CHECK(p != MAP_FAILED))
		return false;
	for (size_t off = 0; off < MB_M16; off += MB_PAGE)
		p[off / 8] = off ^ MB_STORE_KEY;
	uint64_t n0 = uptime_ns_now();
	bench_marker();
	int rc = msync((void *) p, MB_M16, MS_SYNC);
	bench_marker();
	printf("bench map_msync: %llu ns guest clock (%u ops)\n",
	    (unsigned long long) (uptime_ns_now() - n0), MB_M16 / MB_PAGE);
	bool ok = UT_CHECK_EQ(rc, 0);
	return UT_CHECK_EQ(munmap((void *) p, MB_M16), 0) && ok;
}

UTEST(hw_map_bench)
{
	uint64_t cold = 0, warm = 0, want = 0;
	printf("# mapped-file benchmark: insncount windows 1 mapped read cold, 2 warm, "
	       "3-23 one-page faults, 24-44 16-page faults, 45 msync 16 MiB\n");
	bool ok = mb_read_pass("map_read_cold", &cold);
	ok &= mb_read_pass("map_read_warm", &warm);
	ok &= mb_fault_pass("map_fault_1", 1);
	ok &= mb_fault_pass("map_fault_16", 16);
	ok &= mb_make_m16();
	ok &= mb_msync_pass();
	for (uint64_t off = 0; off < MB_BIG; off += 64)
		want += mb_pattern(off);
	UT_CHECK_EQ(cold, want);
	UT_CHECK_EQ(warm, want);
	if (ok)
		UT_CHECK(mb_check_m16(true));
	/* The power-off path: the volume clean for the host's checks. */
	UT_CHECK_EQ(umount_all(), 0);
}
