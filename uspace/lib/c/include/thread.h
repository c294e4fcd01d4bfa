/*
 * Threads of the calling task.  thread_create() gives every thread its own
 * stack area (THREAD_STACK_SIZE, as_area_create_stack in anon.h) with a
 * guard page below it that nobody may touch, so an overflow faults instead
 * of corrupting memory; thread_join() frees the stack.  The stack of a
 * thread that is never joined stays until the task ends.
 *
 * Stacks are paged lazily by the anon pager when the task has it: a stack
 * costs the pages it touches.  Its top THREAD_STACK_READY bytes get memory
 * while thread_create() runs, so a pager out of memory makes
 * thread_create() return ENOMEM (or ELIMIT) instead of killing the task
 * at the new thread's first instruction.  The main thread runs on a stack
 * of THREAD_MAIN_STACK_SIZE made the same way by libc's startup (the
 * kernel's startup stack is only big enough to get there).
 */
#ifndef LIBC_THREAD_H_
#define LIBC_THREAD_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define THREAD_STACK_SIZE (64 * 1024)
#define THREAD_MAIN_STACK_SIZE (256 * 1024)
#define THREAD_GUARD_SIZE 4096
#define THREAD_STACK_READY 4096

/* A thread body; its return value is the status thread_join() reports. */
typedef int (*thread_fn_t)(void *arg);

errno_t thread_create(thread_fn_t fn, void *arg, tid_t *tid_out);
/* Wait for thread @a tid to end; *status_out (may be NULL) gets its status. */
errno_t thread_join(tid_t tid, int *status_out);
noreturn void thread_exit(int status);
errno_t thread_yield(void);
errno_t thread_sleep_us(uint64_t usec);
tid_t thread_id(void);

#endif
