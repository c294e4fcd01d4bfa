/*
 * The spawn benchmark, our side (docs/PERFORMANCE.md, "Spawn from
 * files"): a program started from a file, run to its end and waited for,
 * the same as tools/linux-bench/spawnbench.c does with fork + execve +
 * waitpid.  tools/bench-spawn.sh boots it with `fs utest=hw_spawn_bench`
 * on a fresh copy of the root image (tools/mkrootfs.sh, which holds
 * /bin/true).  Each run is task_spawn_path("/bin/true") + task_wait
 * between two insncount markers:
 *
 *   1      spawn_cold  the first run after boot: nothing of /bin has been
 *                      read (the test is the first thing to open a file in
 *                      an `fs` boot, and it maps only /etc/motd before,
 *                      for the file pager to take the volume over), so
 *                      the lookup of /bin/true and its text come from the
 *                      disk
 *   2-22   spawn_warm  the same again (21 windows): the names are in the
 *                      VFS's cache, the text in the file pager's, shared
 *
 * It checks what it measured: every run ends normally with status 0, the
 * file pager's cache grows in the cold run (the text was read) and not in
 * the warm ones (they ran from the cached pages).
 */
#include "fs.h"
#include "tester.h"
#include <abi/fpager.h>
#include <bench/window.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <task.h>
#include <unistd.h>
#include <utest.h>

#define SB_RUNS 21
#define SB_PATH "/bin/true"
#define SB_WARMUP "/etc/motd"

/* The file pager's cache pages that hold data (FPAGER_STATS_CACHE), or
 * UINT64_MAX when it does not answer. */
static uint64_t sb_cached_pages(void)
{
	uint64_t v[5];
	return fpager_stats(FPAGER_STATS_CACHE, v) ? v[1] : UINT64_MAX;
}

/* One window: spawn SB_PATH, wait for its end; its TSC cycles in
 * *cycles (the guest clock: tools/bench-spawn.sh divides by the rate the
 * kernel printed at boot).  False (and a message) if it did not start or
 * did not exit 0. */
static bool sb_run(uint64_t *cycles)
{
	static const char *const argv[] = { "true", NULL };
	task_id_t id;
	task_exit_info_t info;
	bench_marker();
	uint64_t t0 = bench_rdtsc();
	errno_t rc = task_spawn_path(SB_PATH, argv, NULL, &id);
	if (rc == EOK)
		rc = task_wait(id, &info);
	uint64_t t1 = bench_rdtsc();
	bench_marker();
	*cycles = t1 - t0;
	if (!UT_CHECK_EQ(rc, EOK))
		return false;
	return UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL) && UT_CHECK_EQ(info.status, 0);
}

UTEST(hw_spawn_bench)
{
	uint64_t cold, warm[SB_RUNS];
	printf("# spawn benchmark: insncount window 1 spawn of " SB_PATH " + wait cold, "
	       "2-%d warm\n",
	    SB_RUNS + 1);
	UT_ASSERT(fs_volume_bind(SB_WARMUP));
	uint64_t c0 = sb_cached_pages();
	UT_ASSERT(sb_run(&cold));
	uint64_t c1 = sb_cached_pages();
	for (int i = 0; i < SB_RUNS; i++)
		UT_ASSERT(sb_run(&warm[i]));
	uint64_t c2 = sb_cached_pages();
	printf("bench spawn_cold: median %llu cycles, min %llu cycles (1 runs of 1 ops)\n",
	    (unsigned long long) cold, (unsigned long long) cold);
	bench_sort_u64(warm, SB_RUNS);
	printf("bench spawn_warm: median %llu cycles, min %llu cycles (%d runs of 1 ops)\n",
	    (unsigned long long) warm[SB_RUNS / 2], (unsigned long long) warm[0], SB_RUNS);
	printf("# file pager cache: %llu pages before, %llu after the cold run, %llu after the "
	       "warm ones\n",
	    (unsigned long long) c0, (unsigned long long) c1, (unsigned long long) c2);
	UT_ASSERT(c0 != UINT64_MAX && c1 != UINT64_MAX && c2 != UINT64_MAX);
	UT_CHECK(c1 > c0);
	UT_CHECK_EQ(c2, c1);
}
