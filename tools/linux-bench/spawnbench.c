/*
 * The Linux side of the spawn benchmark (issue 12): run as /init of a
 * small initramfs in a Linux guest whose disk is a copy of our root image
 * with /bin/true replaced by Linux's (true.c, static), mounted as ext2.
 * build.sh builds both, tools/bench-spawn.sh makes the disk, run.sh
 * --spawn boots it.  Each window is fork + execve("/mnt/bin/true") +
 * waitpid between two insncount markers:
 *
 *   1      linux_spawn_cold  the first run after the mount: nothing of
 *                            /bin has been read (only a page of /etc/motd,
 *                            mapped before as our side does), so the lookup
 *                            and the text come from the disk
 *   2-22   linux_spawn_warm  the same again (21 windows): names, inode and
 *                            text in the caches
 *
 * The same program shape runs on our side (the tester's hw_spawn_bench,
 * task_spawn_path + task_wait).  Every run must exit 0.  Output: "bench
 * NAME: median C cycles ..." lines, "spawnbench: NAME: N ns" (the guest
 * clock), "linux: spawnbench done | failed".
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "benchutil.h"

#define RUNS 21
#define MNT "/mnt"
#define TRUE_PATH MNT "/bin/true"
#define WARMUP MNT "/etc/motd"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

/* One window: fork, the child execs TRUE_PATH, wait for it; its cycles in
 * *cycles and guest-clock time in *ns.  0 if it exited 0. */
static int spawn_once(uint64_t *cycles, uint64_t *ns)
{
	static char *const argv[] = { "true", NULL };
	static char *const envp[] = { NULL };
	int status = -1;
	uint64_t n0 = now_ns();
	bench_marker();
	uint64_t t0 = bench_rdtsc();
	pid_t pid = fork();
	if (pid == 0) {
		execve(TRUE_PATH, argv, envp);
		_exit(127);
	}
	pid_t got = pid > 0 ? waitpid(pid, &status, 0) : -1;
	uint64_t t1 = bench_rdtsc();
	bench_marker();
	*cycles = t1 - t0;
	*ns = now_ns() - n0;
	if (got != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf(
		    "spawnbench: fork %d, waitpid %d, status %#x\n", (int) pid, (int) got, status);
		return 1;
	}
	return 0;
}

/* A page of /etc/motd mapped and read, as our side does (there, the file
 * pager's first use of the volume), outside the windows. */
static int warm_up(void)
{
	int fd = open(WARMUP, O_RDONLY);
	const volatile char *p = fd < 0 ? MAP_FAILED
	                                : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	int failed = p == MAP_FAILED || p[0] == 0;
	if (p != MAP_FAILED)
		munmap((void *) p, 4096);
	if (fd >= 0)
		close(fd);
	if (failed)
		printf("spawnbench: cannot map " WARMUP "\n");
	return failed;
}

static int bench(void)
{
	uint64_t cold, cold_ns, c[RUNS], ns[RUNS];
	int failed = warm_up() || spawn_once(&cold, &cold_ns);
	for (int r = 0; r < RUNS && !failed; r++)
		failed = spawn_once(&c[r], &ns[r]);
	if (failed)
		return 1;
	qsort(c, RUNS, sizeof(c[0]), cmp_u64);
	qsort(ns, RUNS, sizeof(ns[0]), cmp_u64);
	printf("bench linux_spawn_cold: median %llu cycles, min %llu cycles (1 runs of 1 ops)\n",
	    (unsigned long long) cold, (unsigned long long) cold);
	printf("bench linux_spawn_warm: median %llu cycles, min %llu cycles (%d runs of 1 ops)\n",
	    (unsigned long long) c[RUNS / 2], (unsigned long long) c[0], RUNS);
	printf("spawnbench: linux_spawn_cold: %llu ns\n", (unsigned long long) cold_ns);
	printf("spawnbench: linux_spawn_warm: %llu ns\n", (unsigned long long) ns[RUNS / 2]);
	return 0;
}

int main(void)
{
	int failed = 1;
	bench_init();
	printf("bench: insncount windows: 1 spawn of " TRUE_PATH " cold, 2-%d warm; "
	       "see docs/PERFORMANCE.md\n",
	    RUNS + 1);
	if (load_modules() == 0 && bench_mount_ext2(MNT) == 0) {
		failed = bench();
		failed |= umount(MNT) != 0;
	}
	bench_finish("spawnbench", failed);
}
