/*
 * The user test suite.  Shared between the test files: the addresses the
 * misbehaving children touch (the child is this same program, linked at
 * the same address, so parent and child agree on them) and helpers.
 */
#ifndef TESTER_H_
#define TESTER_H_

#include <abi/task.h>
#include <as.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define TESTER_MODULE "tester"

/* A user address no area covers (tests never create areas there). */
#define ADDR_UNMAPPED 0x0000500000000000UL
/* What the "unmapped" child reads (not page aligned on purpose). */
#define CHILD_UNMAPPED_ADDR (ADDR_UNMAPPED + 0x123)
/* Where children and tests create fixed areas. */
#define CHILD_FIXED_ADDR 0x0000600000000000UL
#define TEST_FIXED_ADDR 0x0000610000000000UL
/* The start of the kernel half, and the first non-canonical address. */
#define ADDR_KERNEL 0xffff800000000000UL
#define ADDR_NONCANONICAL AS_USER_TOP
/* What the "kernel" child reads. */
#define CHILD_KERNEL_ADDR (ADDR_KERNEL + 0x40)

#define RW (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_CACHEABLE)

/* In .rodata: the "write-ro" child writes child_ro_target[1]. */
extern const int child_ro_target[4];
/* In .data (never executable): the "exec-nx" child calls it. */
extern unsigned char child_nx_code[16];

/* Run "tester ARGS" as a child (args start with "child:"). */
int child_main(int argc, char **argv);
/* Spawn this program with @a args and wait for it. */
errno_t child_run(const char *args, task_exit_info_t *info);
/* Free frames now (0 if the kernel refused). */
uint64_t frames_free(void);
/* Free frames once they are back to @a want (waiting for the kernel to
 * finish freeing, up to about a second); the last count read. */
uint64_t frames_settle(uint64_t want);

#endif
