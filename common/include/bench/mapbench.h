/*
 * What both sides of the mapped-file benchmark share (docs/PERFORMANCE.md
 * "Mapped files"): our tester's hw_map_bench (uspace/app/tester/
 * test_map_bench.c) and the Linux guest's tools/linux-bench/mapbench.c.
 * The sizes, the fault windows' offsets, the mapping and the measured read
 * loop live here once, so that the user-level work measured is the same
 * code on both sides.  Header only (static inline): our toolchain builds
 * it into the tester, the host's gcc into the Linux program.
 */
#ifndef COMMON_BENCH_MAPBENCH_H_
#define COMMON_BENCH_MAPBENCH_H_

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAPBENCH_MIB (1024u * 1024u)
#define MAPBENCH_BIG (64u * MAPBENCH_MIB) /* /big: tools/mkbenchfs.sh's */
#define MAPBENCH_M16 (16u * MAPBENCH_MIB) /* /m16: the msync window's file */
#define MAPBENCH_PAGE 4096u
#define MAPBENCH_RUNS 21 /* fault windows of each kind */
/* The store pass writes this, xor the page's offset, into the first word
 * of each page of /m16 (tools/bench-map.sh checks it on the host). */
#define MAPBENCH_STORE_KEY 0x6d617062656e6368ull

/* The measured read: one 8-byte load per 64 bytes, summed. */
static inline uint64_t mapbench_sum(const volatile uint64_t *p, size_t bytes)
{
	uint64_t s = 0;
	for (size_t i = 0; i < bytes / 8; i += 8)
		s += p[i];
	return s;
}

/* @a path mapped MAP_SHARED with @a prot (its descriptor closed again):
 * the mapping, or MAP_FAILED. */
static inline void *mapbench_map(const char *path, size_t len, int prot)
{
	int fd = open(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return MAP_FAILED;
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

/* The byte offset in /big of the first page of fault window @a r (each
 * window in a 2 MiB range of its own, pages no earlier window touched). */
static inline size_t mapbench_fault_first(int r)
{
	return (size_t) (r * 37 + 5) * 16 * MAPBENCH_PAGE;
}

#endif
