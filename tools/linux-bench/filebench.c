/*
 * The Linux side of the file benchmark (issue 10): run as /init of a
 * small initramfs in a Linux guest whose one virtio-blk disk is an ext2
 * volume made by tools/mkbenchfs.sh (a 64 MiB file /big holding
 * tools/mkdisk.sh's pattern).  tools/linux-bench/build.sh builds it,
 * run.sh --fs boots it, tools/bench.sh runs it.  The disk is mounted as
 * ext2 (Debian's kernel serves ext2 with its ext4 driver) and, each
 * bracketed by the insncount marker (one window each, in this order):
 *
 *   linux_fs_read_cold    /big read with 64 KiB reads, right after the
 *                         mount (nothing of it cached)
 *   linux_fs_read_warm    the same again (all of it in the page cache)
 *   linux_fs_write        /w64 created, 64 MiB written with 64 KiB
 *                         writes of one buffer, then fsync
 *   linux_fs_create       1,000 files /many/fNNNN: open(O_CREAT), write
 *                         4 KiB, close
 *   linux_fs_stat         stat() of each of those 1,000 files
 *
 * Unmeasured afterwards: /big is read once more and its pattern checked,
 * /w64 and one small file read back, then the volume unmounted.
 *
 * Output: "bench NAME: median N cycles, ..." (the TSC difference; under
 * -icount it also counts the time the CPU waits for the disk: the plugin's
 * window is the figure), "filebench: NAME: N ns", "linux: filebench
 * done | failed".
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "benchutil.h"

#define BIG (64u * MIB)
#define REQ (64u * 1024u)
#define SMALL 4096u
#define NFILES 1000
#define MNT "/mnt"

typedef struct span {
	uint64_t t0, n0;
} span_t;

static void span_open(span_t *s)
{
	s->n0 = now_ns();
	bench_marker();
	s->t0 = bench_rdtsc();
}

static void span_close(const span_t *s, const char *name, unsigned ops)
{
	uint64_t t1 = bench_rdtsc();
	bench_marker();
	uint64_t n1 = now_ns();
	printf("bench %s: median %llu cycles, min %llu cycles (1 runs of %u ops)\n", name,
	    (unsigned long long) (t1 - s->t0), (unsigned long long) (t1 - s->t0), ops);
	printf("filebench: %s: %llu ns\n", name, (unsigned long long) (n1 - s->n0));
}

/* Read all of @a path with REQ-byte reads; with @a seed >= 0 check the pattern. */
static int read_all(const char *path, char *buf, uint64_t size, int seed)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("filebench: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	int failed = 0;
	for (uint64_t off = 0; off < size && !failed; off += REQ) {
		failed |= read(fd, buf, REQ) != (ssize_t) REQ;
		if (seed >= 0 && !failed)
			failed |= check((const uint64_t *) buf, (uint64_t) seed, off, REQ);
	}
	close(fd);
	if (failed)
		printf("filebench: reading %s failed\n", path);
	return failed;
}

static int write_big(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	int failed = 0;
	for (uint64_t off = 0; off < BIG && !failed; off += REQ)
		failed |= write(fd, buf, REQ) != (ssize_t) REQ;
	failed |= fsync(fd) != 0;
	failed |= close(fd) != 0;
	return failed;
}

static int create_many(const char *buf)
{
	char name[64];
	int failed = 0;
	for (int i = 0; i < NFILES && !failed; i++) {
		snprintf(name, sizeof name, MNT "/many/f%04d", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		failed |= fd < 0 || write(fd, buf, SMALL) != (ssize_t) SMALL;
		failed |= fd < 0 || close(fd) != 0;
	}
	return failed;
}

static int stat_many(void)
{
	char name[64];
	struct stat st;
	int failed = 0;
	for (int i = 0; i < NFILES && !failed; i++) {
		snprintf(name, sizeof name, MNT "/many/f%04d", i);
		failed |= stat(name, &st) != 0 || st.st_size != SMALL;
	}
	return failed;
}

static int bench(char *buf)
{
	span_t s;
	int failed = 0;
	span_open(&s);
	failed |= read_all(MNT "/big", buf, BIG, -1);
	span_close(&s, "linux_fs_read_cold", BIG / REQ);
	span_open(&s);
	failed |= read_all(MNT "/big", buf, BIG, -1);
	span_close(&s, "linux_fs_read_warm", BIG / REQ);
	fill((uint64_t *) buf, 1, 0, REQ);
	span_open(&s);
	failed |= write_big(MNT "/w64", buf);
	span_close(&s, "linux_fs_write", BIG / REQ);
	failed |= mkdir(MNT "/many", 0755) != 0;
	span_open(&s);
	failed |= create_many(buf);
	span_close(&s, "linux_fs_create", NFILES);
	span_open(&s);
	failed |= stat_many();
	span_close(&s, "linux_fs_stat", NFILES);
	return failed;
}

/* Unmeasured: what was read and written is right. */
static int verify(char *buf)
{
	int failed = read_all(MNT "/big", buf, BIG, 0);
	int fd = open(MNT "/w64", O_RDONLY);
	for (uint64_t off = 0; off < BIG && !failed; off += REQ) {
		failed |= read(fd, buf, REQ) != (ssize_t) REQ;
		failed |= !failed && check((const uint64_t *) buf, 1, 0, REQ);
	}
	close(fd);
	return failed;
}

int main(void)
{
	int failed = 1;

	bench_init();
	printf("bench: TSC cycles; insncount windows: 1 cold read, 2 warm read, 3 write + fsync, "
	       "4 create 1,000, 5 stat 1,000; see docs/PERFORMANCE.md\n");
	char *buf = mmap(NULL, REQ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf != MAP_FAILED && load_modules() == 0 && bench_mount_ext2(MNT) == 0) {
		failed = bench(buf);
		failed |= verify(buf);
		failed |= umount(MNT) != 0;
	}
	bench_finish("filebench", failed);
}
