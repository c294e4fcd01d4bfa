/*
 * The Linux side of the mapped-file benchmark (issue 11): run as /init of
 * a small initramfs in a Linux guest whose disk is tools/mkbenchfs.sh's
 * ext2 image (a 64 MiB file /big), mounted as ext2.  build.sh builds it,
 * run.sh --map boots it.  Each measurement is one insncount window, in
 * this order:
 *
 *   linux_map_read_cold   /big mapped (MAP_SHARED, PROT_READ) right after
 *                         the mount and read sequentially: one 8-byte load
 *                         per 64 bytes, summed
 *   linux_map_read_warm   unmapped, mapped again, read again (all cached)
 *   linux_map_fault_1     a fresh mapping of the cached file: one load of
 *                         one page (median of 21 windows, each a new page)
 *   linux_map_fault_16    one load in each of 16 consecutive pages of a
 *                         fresh mapping (21 windows; per page: / 16)
 *   linux_map_msync       16 MiB of /m16 mapped MAP_SHARED read-write, one
 *                         store per page (unmeasured), then msync(MS_SYNC)
 *
 * The same loops compiled the same way run on our side (the tester's
 * hw_map_bench), so the user-level work is the same instructions on both.
 * Output: "bench NAME: ..." lines, "mapbench: NAME: N ns", "linux:
 * mapbench done | failed".
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "../../common/include/bench/mapbench.h" /* the loops our side runs */
#include "benchutil.h"

#define BIG MAPBENCH_BIG
#define M16 MAPBENCH_M16
#define PAGE MAPBENCH_PAGE
#define RUNS MAPBENCH_RUNS
#define MNT "/mnt"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

/* One measured sequential read of the whole mapping; 0 on success. */
static int read_pass(const char *name, uint64_t *sum)
{
	uint64_t *p = mapbench_map(MNT "/big", BIG, PROT_READ);
	if (p == MAP_FAILED)
		return 1;
	uint64_t n0 = now_ns();
	bench_marker();
	uint64_t t0 = bench_rdtsc();
	*sum = mapbench_sum(p, BIG);
	uint64_t t1 = bench_rdtsc();
	bench_marker();
	printf("bench %s: median %llu cycles, min %llu cycles (1 runs of %u ops)\n", name,
	    (unsigned long long) (t1 - t0), (unsigned long long) (t1 - t0), BIG / PAGE);
	printf("mapbench: %s: %llu ns\n", name, (unsigned long long) (now_ns() - n0));
	return munmap(p, BIG);
}

/* Faults on a cached file: @a pages consecutive pages per window. */
static int fault_pass(const char *name, unsigned pages)
{
	uint64_t c[RUNS];
	volatile uint64_t *p = mapbench_map(MNT "/big", BIG, PROT_READ);
	if (p == MAP_FAILED)
		return 1;
	for (int r = 0; r < RUNS; r++) {
		size_t first = mapbench_fault_first(r);
		bench_marker();
		uint64_t t0 = bench_rdtsc();
		for (unsigned i = 0; i < pages; i++)
			(void) p[(first + i * PAGE) / 8];
		uint64_t t1 = bench_rdtsc();
		bench_marker();
		c[r] = t1 - t0;
	}
	qsort(c, RUNS, sizeof(c[0]), cmp_u64);
	printf("bench %s: median %llu cycles, min %llu cycles (%d runs of %u ops)\n", name,
	    (unsigned long long) c[RUNS / 2], (unsigned long long) c[0], RUNS, pages);
	return munmap((void *) p, BIG);
}

static int make_m16(void)
{
	static char buf[64 * 1024];
	int fd = open(MNT "/m16", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int failed = fd < 0;
	for (unsigned off = 0; off < M16 && !failed; off += sizeof(buf))
		failed |= write(fd, buf, sizeof(buf)) != (ssize_t) sizeof(buf);
	failed |= fd < 0 || fsync(fd) != 0 || close(fd) != 0;
	return failed;
}

static int msync_pass(void)
{
	volatile uint64_t *p = mapbench_map(MNT "/m16", M16, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED)
		return 1;
	for (size_t off = 0; off < M16; off += PAGE)
		p[off / 8] = off ^ MAPBENCH_STORE_KEY;
	uint64_t n0 = now_ns();
	bench_marker();
	uint64_t t0 = bench_rdtsc();
	int failed = msync((void *) p, M16, MS_SYNC) != 0;
	uint64_t t1 = bench_rdtsc();
	bench_marker();
	printf("bench linux_map_msync: median %llu cycles, min %llu cycles (1 runs of %u ops)\n",
	    (unsigned long long) (t1 - t0), (unsigned long long) (t1 - t0), M16 / PAGE);
	printf("mapbench: linux_map_msync: %llu ns\n", (unsigned long long) (now_ns() - n0));
	return failed | munmap((void *) p, M16);
}

static int bench(void)
{
	uint64_t cold, warm;
	int failed = read_pass("linux_map_read_cold", &cold);
	failed |= read_pass("linux_map_read_warm", &warm);
	failed |= cold != warm;
	failed |= fault_pass("linux_map_fault_1", 1);
	failed |= fault_pass("linux_map_fault_16", 16);
	failed |= make_m16();
	failed |= msync_pass();
	/* Unmeasured: the mapping read what the pattern says. */
	uint64_t want = 0;
	for (uint64_t off = 0; off < BIG; off += 64)
		want += pattern(0, off);
	if (cold != want) {
		printf("mapbench: sum %#llx, expected %#llx\n", (unsigned long long) cold,
		    (unsigned long long) want);
		failed = 1;
	}
	return failed;
}

int main(void)
{
	int failed = 1;
	bench_init();
	printf("bench: insncount windows: 1 mapped read cold, 2 warm, 3-23 one-page faults, "
	       "24-44 16-page faults, 45 msync 16 MiB; see docs/PERFORMANCE.md\n");
	if (load_modules() == 0 && bench_mount_ext2(MNT) == 0) {
		failed = bench();
		failed |= umount(MNT) != 0;
	}
	bench_finish("mapbench", failed);
}
