/*
 * Futexes: a user-space lock's waiters sleep in the kernel instead of
 * spinning (SYS_FUTEX_WAIT, SYS_FUTEX_WAKE; abi/syscall.h).  A futex is a
 * 32-bit word of a task's memory, named by (address space, address); the
 * kernel keeps nothing for it but the threads sleeping on it.
 */
#ifndef KERN_SYNCH_FUTEX_H_
#define KERN_SYNCH_FUTEX_H_

#include <abi/errno.h>
#include <mm/uaccess.h>
#include <stdint.h>

/* Sleep while the word at @a addr holds @a expected, until a wake on it,
 * @a usec microseconds (0: no limit: ETIMEOUT) or an interrupt (EINTR).
 * EAGAIN at once if the word holds another value (or a wake on a word of
 * the same hash bucket came while it was read: the caller looks again);
 * EINVAL unaligned; EFAULT not readable. */
errno_t futex_wait(uspace_ptr_t addr, uint32_t expected, uint64_t usec);
/* Wake up to @a count threads sleeping on the word at @a addr; *woken
 * gets how many. */
errno_t futex_wake(uspace_ptr_t addr, uint32_t count, uint32_t *woken);

#endif
