/*
 * The kernel command line: space-separated words, each "key" or
 * "key=value".  Recognised keys: test=all|NAME[,NAME...] (run kernel tests
 * and power off with the verdict), poweroff (boot, report up, power off:
 * for scripts), crash=pf|ud|stack|panic (die on purpose: a test of the fatal
 * report paths), utest=all|NAME[,NAME] (run the user test suite, module
 * "tester", and power off with its verdict), bench=all|NAME (run the
 * benchmarks, module "bench"), nopcid (do not use PCIDs), pager_timeout=MS (how long a
 * page fault waits for its pager; default PAGER_TIMEOUT_DEFAULT_MS).
 */
#ifndef KERN_MAIN_CMDLINE_H_
#define KERN_MAIN_CMDLINE_H_

#include <stdbool.h>
#include <stddef.h>

/* Copy the value of "key=value" into @a val; false if key is absent. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size);
/* True if the word "key" or "key=..." is present. */
bool cmdline_has(const char *cmdline, const char *key);

#endif
