/*
 * What the Linux-side benchmarks share (blockbench.c, filebench.c,
 * mapbench.c): the insncount marker, the TSC and the monotonic clock,
 * tools/mkdisk.sh's pattern, loading the modules /modules.order lists,
 * the start of /init (devtmpfs, proc, sys), mounting the disk as ext2, and
 * the end (the verdict line, then power-off).  Static
 * functions in a header: each benchmark is one static program.
 */
#ifndef LINUX_BENCH_BENCHUTIL_H
#define LINUX_BENCH_BENCHUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../common/include/bench/window.h" /* marker, fenced TSC */

#define MIB (1024u * 1024u)

static inline uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t) t.tv_sec * 1000000000u + (uint64_t) t.tv_nsec;
}

/* tools/mkdisk.sh's pattern. */
static inline uint64_t pattern(uint64_t seed, uint64_t off)
{
	return 0x5a17000000000000ULL ^ (seed << 40) ^ off;
}

static inline void fill(uint64_t *buf, uint64_t seed, uint64_t off, size_t size)
{
	for (size_t i = 0; i < size / 8; i++)
		buf[i] = pattern(seed, off + i * 8);
}

static inline int check(const uint64_t *buf, uint64_t seed, uint64_t off, size_t size)
{
	for (size_t i = 0; i < size / 8; i++) {
		if (buf[i] != pattern(seed, off + i * 8)) {
			printf("bench: byte %#llx is %#llx, expected %#llx\n",
			    (unsigned long long) (off + i * 8), (unsigned long long) buf[i],
			    (unsigned long long) pattern(seed, off + i * 8));
			return 1;
		}
	}
	return 0;
}

/* Load the modules /modules.order names (paths in the initramfs). */
static inline int load_modules(void)
{
	char path[256];
	FILE *f = fopen("/modules.order", "r");
	if (!f) {
		perror("bench: /modules.order");
		return 1;
	}
	while (fgets(path, sizeof path, f)) {
		path[strcspn(path, "\n")] = 0;
		if (!path[0])
			continue;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
			printf("bench: cannot load %s: %s\n", path, strerror(errno));
			fclose(f);
			return 1;
		}
		close(fd);
	}
	fclose(f);
	return 0;
}

/* /init's start: /dev, /proc and /sys mounted, stdout line-buffered. */
static inline void bench_init(void)
{
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* /dev/vda mounted as ext2 at @a dir, once virtio-blk has probed it. */
static inline int bench_mount_ext2(const char *dir)
{
	mkdir(dir, 0755);
	for (int i = 0; i < 500; i++) {
		if (mount("/dev/vda", dir, "ext2", 0, NULL) == 0)
			return 0;
		usleep(10000);
	}
	printf("bench: mount /dev/vda: %s\n", strerror(errno));
	return 1;
}

/* "linux: NAME done | failed" (what run.sh waits for), then power off. */
static inline void bench_finish(const char *name, int failed)
{
	printf("linux: %s %s\n", name, failed ? "failed" : "done");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	perror("bench: reboot(RB_POWER_OFF)");
	for (;;)
		pause();
}

#endif
