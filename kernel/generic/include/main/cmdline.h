/*
 * The kernel command line: space-separated words, each "key" or
 * "key=value".  The words the kernel knows are the table in cmdline.c, the
 * one place that lists them (a word read anywhere must be added there):
 *
 *   test=all|NAME[,NAME...]  run kernel tests, power off with the verdict
 *   utest=all|NAME[,NAME]    run the user test suite (module "tester"),
 *                            power off with its verdict
 *   bench=all|NAME[,NAME]    run the benchmarks (module "bench")
 *   crash=pf|ud|stack|panic  die on purpose (a test of the fatal reports)
 *   poweroff                 boot, report up, power off (for scripts)
 *   devman, vfs, fs          a utest=/bench= run with the device manager,
 *                            also the VFS, also the ext2 server of disk0
 *                            and the file pager
 *   nofpager                 with fs: without the file pager
 *   pager_timeout=MS         how long a page fault waits for its pager
 *                            (default PAGER_TIMEOUT_DEFAULT_MS)
 *   prof=N                   the sampling profiler, N samples per tick
 *   ipc_fail_inject          SYS_IPC_FAIL_INJECT outside utest= runs
 *   nopcid                   do not use PCIDs
 *
 * User space does not read the kernel command line (boot modules get the
 * words of their own recipe line).  cmdline_check reports every word that
 * is not in the table, or that lacks the value its key needs, or has one
 * its key takes none of; the kernel refuses such a command line at boot
 * (main.c): it names each word and powers off with failure, since the run
 * would not be the one asked for (a typo such as "utset=all" used to boot
 * normally and idle until the host's timeout).
 */
#ifndef KERN_MAIN_CMDLINE_H_
#define KERN_MAIN_CMDLINE_H_

#include <stdbool.h>
#include <stddef.h>

/* Copy the value of "key=value" into @a val; false if key is absent. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size);
/* True if the word "key" or "key=..." is present. */
bool cmdline_has(const char *cmdline, const char *key);

/* What is wrong with a word (cmdline_check). */
typedef enum cmdline_problem {
	CMDLINE_OK,
	CMDLINE_UNKNOWN, /* no such key */
	CMDLINE_NEEDS_VALUE, /* "key" or "key=" of a key=VALUE word */
	CMDLINE_NO_VALUE, /* "key=..." of a bare word */
} cmdline_problem_t;

/* Called by cmdline_check for each bad word: the word (@a len bytes, not
 * NUL-terminated) and what is wrong with it. */
typedef void (*cmdline_report_t)(
    const char *word, size_t len, cmdline_problem_t problem, void *arg);

/* Check every word of @a cmdline against the table of known words;
 * @a report (may be NULL) hears of each bad one.  Returns how many. */
size_t cmdline_check(const char *cmdline, cmdline_report_t report, void *arg);
/* Known word @a i (NULL past the last one); *value: it is "key=VALUE". */
const char *cmdline_word(size_t i, bool *value);

#endif
