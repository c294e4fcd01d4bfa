/*
 * A sampling profiler: with "prof=N" on the kernel command line the timer
 * interrupts N times per scheduler tick and each interrupt records the
 * interrupted program counter, whether it was user or kernel code, and the
 * current task's name.  prof_dump() prints the samples for tools/prof.py,
 * which turns them into a symbol histogram.  Off (no memory, no cost
 * beyond one branch per interrupt) without "prof".
 */
#ifndef KERN_TIME_PROF_H_
#define KERN_TIME_PROF_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stdint.h>

#define PROF_MULT_MAX 100

/* Interrupts per scheduler tick asked for on the command line (1 = off). */
unsigned prof_mult_from_cmdline(const char *cmdline);
errno_t prof_init(unsigned mult);
bool prof_enabled(void);
void prof_sample(uintptr_t pc, bool user);
void prof_dump(void);
uint64_t prof_count(void);

#endif
