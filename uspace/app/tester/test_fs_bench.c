/*
 * The file benchmark, our side (docs/PERFORMANCE.md, "Files"): the same
 * five measurements as tools/linux-bench/filebench.c, each between two
 * insncount markers, on the image tools/mkbenchfs.sh makes (a 64 MiB file
 * /big with tools/mkdisk.sh's pattern), mounted as "/" (tools/bench.sh
 * boots it with `fs utest=hw_fs_bench`):
 *
 *   fs_read_cold   /big read with 64 KiB reads, the first read after boot
 *   fs_read_warm   the same again
 *   fs_write       /w64 created, 64 MiB written with 64 KiB writes of one
 *                  buffer, then fsync
 *   fs_create      1,000 files /many/fNNNN: open(O_CREAT), write 4 KiB, close
 *   fs_stat        stat() of each of them
 *
 * Unmeasured before: /bind written and a page of it mapped, so that the
 * file pager serves the volume before the first window (fs_volume_bind: in
 * a boot's first moments the VFS serves reads itself, as no ordinary
 * program ever sees).  Unmeasured afterwards: /big read again and its pattern checked, /w64 read
 * back, and every volume unmounted (tools/bench-fs.sh runs e2fsck -fn on
 * the image after each run).  A check, too: each measurement must succeed, so a broken file
 * system shows here as a failed test, not as a fast number.
 */
#include "fs.h"
#include <bench/window.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utest.h>

#define FSB_MIB (1024u * 1024u)
#define FSB_BIG (64u * FSB_MIB)
#define FSB_REQ (64u * 1024u)
#define FSB_SMALL 4096u
#define FSB_FILES 1000

static uint8_t fsb_buf[FSB_REQ] __attribute__((aligned(4096)));

static uint64_t fsb_pattern(uint64_t seed, uint64_t off)
{
	return 0x5a17000000000000ULL ^ (seed << 40) ^ off;
}

static bool fsb_check(uint64_t seed, uint64_t off)
{
	const uint64_t *w = (const uint64_t *) fsb_buf;
	for (size_t i = 0; i < FSB_REQ / 8; i++)
		if (w[i] != fsb_pattern(seed, off + i * 8))
			return UT_CHECK_EQ(w[i], fsb_pattern(seed, off + i * 8));
	return true;
}

static bool fsb_read_all(const char *path, int seed)
{
	int fd = open(path, O_RDONLY);
	if (!UT_CHECK(fd >= 0))
		return false;
	bool ok = true;
	for (uint64_t off = 0; off < FSB_BIG && ok; off += FSB_REQ) {
		ok = UT_CHECK_EQ(read(fd, fsb_buf, FSB_REQ), (ssize_t) FSB_REQ);
		if (ok && seed >= 0)
			ok = fsb_check((uint64_t) seed, seed == 1 ? 0 : off);
	}
	close(fd);
	return ok;
}

static bool fsb_write_big(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!UT_CHECK(fd >= 0))
		return false;
	bool ok = true;
	for (uint64_t off = 0; off < FSB_BIG && ok; off += FSB_REQ)
		ok = UT_CHECK_EQ(write(fd, fsb_buf, FSB_REQ), (ssize_t) FSB_REQ);
	ok &= UT_CHECK_EQ(fsync(fd), 0);
	ok &= UT_CHECK_EQ(close(fd), 0);
	return ok;
}

static bool fsb_create_many(void)
{
	char name[32];
	for (int i = 0; i < FSB_FILES; i++) {
		snprintf(name, sizeof(name), "/many/f%04d", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (!UT_CHECK(fd >= 0) ||
		    !UT_CHECK_EQ(write(fd, fsb_buf, FSB_SMALL), (ssize_t) FSB_SMALL))
			return false;
		if (!UT_CHECK_EQ(close(fd), 0))
			return false;
	}
	return true;
}

static bool fsb_stat_many(void)
{
	char name[32];
	struct stat st;
	for (int i = 0; i < FSB_FILES; i++) {
		snprintf(name, sizeof(name), "/many/f%04d", i);
		if (!UT_CHECK_EQ(stat(name, &st), 0) || !UT_CHECK_EQ(st.st_size, (off_t) FSB_SMALL))
			return false;
	}
	return true;
}

typedef struct fsb_span {
	uint64_t t0;
} fsb_span_t;

static void fsb_open(fsb_span_t *s)
{
	s->t0 = uptime_ns_now();
	bench_marker();
}

static void fsb_close(const fsb_span_t *s, const char *name, unsigned ops)
{
	bench_marker();
	uint64_t ns = uptime_ns_now() - s->t0;
	printf("bench %s: %llu ns guest clock (%u ops)\n", name, (unsigned long long) ns, ops);
}

UTEST(hw_fs_bench)
{
	fsb_span_t s;
	printf("# file benchmark: insncount windows 1 cold read, 2 warm read, 3 write + fsync, "
	       "4 create 1,000, 5 stat 1,000\n");
	UT_ASSERT(fs_file_put("/bind", fsb_buf, 4096) == 0 && fs_volume_bind("/bind"));
	fsb_open(&s);
	bool ok = fsb_read_all("/big", -1);
	fsb_close(&s, "fs_read_cold", FSB_BIG / FSB_REQ);
	fsb_open(&s);
	ok &= fsb_read_all("/big", -1);
	fsb_close(&s, "fs_read_warm", FSB_BIG / FSB_REQ);
	uint64_t *w = (uint64_t *) fsb_buf;
	for (size_t i = 0; i < FSB_REQ / 8; i++)
		w[i] = fsb_pattern(1, i * 8);
	fsb_open(&s);
	ok &= fsb_write_big("/w64");
	fsb_close(&s, "fs_write", FSB_BIG / FSB_REQ);
	ok &= UT_CHECK_EQ(mkdir("/many", 0755), 0);
	fsb_open(&s);
	ok &= fsb_create_many();
	fsb_close(&s, "fs_create", FSB_FILES);
	fsb_open(&s);
	ok &= fsb_stat_many();
	fsb_close(&s, "fs_stat", FSB_FILES);
	if (ok) {
		UT_CHECK(fsb_read_all("/big", 0));
		UT_CHECK(fsb_read_all("/w64", 1));
	}
	/* The power-off path: the volume clean for the host's e2fsck. */
	UT_CHECK_EQ(umount_all(), 0);
}
