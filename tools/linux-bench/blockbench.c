/*
 * The Linux side of the block benchmark: run as /init (PID 1) of a small
 * initramfs in a Linux guest with one virtio-blk disk of at least 64 MiB
 * holding tools/mkdisk.sh's pattern (tools/linux-bench/build.sh builds
 * it, tools/linux-bench/run.sh --block boots it, tools/bench.sh runs it).
 *
 * The initramfs holds the virtio modules of the same kernel (the Debian
 * cloud kernel builds virtio-blk as a module); /modules.order lists them
 * in load order and this program loads them (finit_module), then opens
 * /dev/vda with O_DIRECT, so every request goes to the device (no page
 * cache), from one page-aligned 64 KiB buffer.  First, unmeasured, it
 * reads the whole 64 MiB and checks the host's pattern (seed 0).
 *
 *   linux_blk_read_64k    64 MiB read sequentially, 64 KiB per request
 *   linux_blk_write_64k   64 MiB written the same way (the pattern of
 *                         seed 1), then one fsync
 *   linux_blk_read_4k     one 4 KiB read (RUNS_4K runs; a different block
 *                         each time, so nothing is cached anywhere)
 *
 * Requests are synchronous (one in flight), as pread/pwrite make them.
 * Each measurement is bracketed by the marker instruction "xchg %bx,%bx"
 * for the insncount QEMU plugin (a window per measurement, in the order
 * above: window 1 the 64 MiB read, window 2 the write, then one window
 * per 4 KiB read); the TSC difference is printed too (under -icount it
 * counts the time the CPU waits for the device as well, so the plugin's
 * count is the figure for instructions).  Also printed: MiB/s by the
 * guest's clock (TCG wall clock).  After the measured passes, unmeasured
 * passes check the data: the first read saw the pattern of seed 0 and the
 * disk now holds seed 1's.
 *
 * Output lines:
 *   bench NAME: median N cycles, min N cycles (R runs of B ops)
 *   blockbench: NAME: N MiB/s, N ns
 *   linux: blockbench done | failed
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "benchutil.h"

#define TOTAL (64u * MIB)
#define REQ (64u * 1024u)
#define SMALL 4096u
#define RUNS_4K 21
#define DISK "/dev/vda"

static int open_disk(void)
{
	for (int i = 0; i < 500; i++) { /* the disk appears once virtio-blk probes */
		int fd = open(DISK, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		usleep(10000);
	}
	perror("blockbench: " DISK);
	return -1;
}

/* Move TOTAL bytes with REQ-byte requests; 0 on success. */
static int pass(int fd, char *buf, int write, uint64_t seed)
{
	for (uint64_t off = 0; off < TOTAL; off += REQ) {
		ssize_t n;
		if (write) {
			if (seed)
				fill((uint64_t *) buf, seed, off, REQ);
			n = pwrite(fd, buf, REQ, (off_t) off);
		} else {
			n = pread(fd, buf, REQ, (off_t) off);
		}
		if (n != (ssize_t) REQ) {
			printf("blockbench: %s at %#llx: %zd (%s)\n", write ? "pwrite" : "pread",
			    (unsigned long long) off, n, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static void report_big(const char *name, uint64_t cycles, uint64_t ns)
{
	printf("bench %s: median %llu cycles, min %llu cycles (1 runs of %u ops)\n", name,
	    (unsigned long long) cycles, (unsigned long long) cycles, TOTAL / REQ);
	printf("blockbench: %s: %.1f MiB/s, %llu ns\n", name, (double) TOTAL / MIB / (ns / 1e9),
	    (unsigned long long) ns);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

static int bench(int fd, char *buf)
{
	uint64_t t0, t1, n0, n1, c4k[RUNS_4K];
	int failed = 0;

	n0 = now_ns();
	bench_marker();
	t0 = bench_rdtsc();
	failed |= pass(fd, buf, 0, 0);
	t1 = bench_rdtsc();
	bench_marker();
	n1 = now_ns();
	report_big("linux_blk_read_64k", t1 - t0, n1 - n0);

	/* The measured write writes one buffer everywhere; the pattern pass follows. */
	fill((uint64_t *) buf, 1, 0, REQ);
	n0 = now_ns();
	bench_marker();
	t0 = bench_rdtsc();
	failed |= pass(fd, buf, 1, 0);
	failed |= fsync(fd) != 0;
	t1 = bench_rdtsc();
	bench_marker();
	n1 = now_ns();
	report_big("linux_blk_write_64k", t1 - t0, n1 - n0);

	for (int r = 0; r < RUNS_4K; r++) {
		off_t off = (off_t) (r * 97 + 13) * SMALL;
		bench_marker();
		t0 = bench_rdtsc();
		ssize_t n = pread(fd, buf, SMALL, off);
		t1 = bench_rdtsc();
		bench_marker();
		failed |= n != (ssize_t) SMALL;
		c4k[r] = t1 - t0;
	}
	qsort(c4k, RUNS_4K, sizeof c4k[0], cmp_u64);
	printf("bench linux_blk_read_4k: median %llu cycles, min %llu cycles (%d runs of 1 ops)\n",
	    (unsigned long long) c4k[RUNS_4K / 2], (unsigned long long) c4k[0], RUNS_4K);
	return failed;
}

/* Unmeasured: the disk had seed 0's pattern; write seed 1's, read it back. */
static int verify(int fd, char *buf)
{
	int failed = 0;
	for (uint64_t off = 0; off < TOTAL && !failed; off += REQ) {
		fill((uint64_t *) buf, 1, off, REQ);
		failed |= pwrite(fd, buf, REQ, (off_t) off) != (ssize_t) REQ;
	}
	failed |= fsync(fd) != 0;
	for (uint64_t off = 0; off < TOTAL && !failed; off += REQ) {
		failed |= pread(fd, buf, REQ, (off_t) off) != (ssize_t) REQ;
		failed |= check((const uint64_t *) buf, 1, off, REQ);
	}
	return failed;
}

int main(void)
{
	int failed = 1;

	bench_init();
	printf("bench: TSC cycles; insncount windows: 1 read 64 MiB, 2 write 64 MiB, "
	       "3.. one 4 KiB read each; see docs/PERFORMANCE.md\n");

	char *buf = mmap(NULL, REQ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = -1;
	if (buf != MAP_FAILED && load_modules() == 0 && (fd = open_disk()) >= 0) {
		/* Unmeasured: the disk holds the host's pattern (seed 0). */
		failed = 0;
		for (uint64_t off = 0; off < TOTAL && !failed; off += REQ) {
			failed |= pread(fd, buf, REQ, (off_t) off) != (ssize_t) REQ;
			failed |= check((const uint64_t *) buf, 0, off, REQ);
		}
		if (!failed)
			failed = bench(fd, buf);
		if (!failed)
			failed = verify(fd, buf);
	}
	bench_finish("blockbench", failed);
}
