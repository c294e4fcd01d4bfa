/*
 * Raw system calls and the small system services: console output, uptime,
 * memory statistics, power-off.  syscall6() (and syscall0..5) reach any
 * syscall number, including invalid ones, for tests.
 */
#ifndef LIBC_SYS_H_
#define LIBC_SYS_H_

#include <abi/errno.h>
#include <abi/syscall.h>
#include <abi/task.h>
#include <libarch/syscall.h>
#include <stddef.h>
#include <stdint.h>

/* Write @a len bytes to the kernel console (unbuffered). */
errno_t kconsole_write(const char *buf, size_t len);
/* Nanoseconds since boot. */
errno_t uptime_ns(uint64_t *ns_out);
/* Nanoseconds since boot, or 0 if the kernel refused (convenience). */
uint64_t uptime_ns_now(void);
/* Frame counts of the whole machine. */
errno_t mem_stats(mem_stats_t *out);
/* Turn the machine off (SYS_SYSTEM_POWEROFF): returns only on failure.
 * Unmount the file systems first (umount_all, <sys/mount.h>). */
errno_t system_poweroff(void);
/* Sleep while *addr == expected, until futex_wake on it or @a usec (0:
 * no limit): EOK woken, EAGAIN *addr differs (look again), ETIMEOUT,
 * EINTR (abi/syscall.h SYS_FUTEX_WAIT).  Private to the task. */
errno_t futex_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t usec);
/* Wake up to @a count threads sleeping on @a addr. */
errno_t futex_wake(const volatile uint32_t *addr, uint32_t count);

#endif
