/*
 * The amd64 system call instruction (see abi/syscall.h): number in rax,
 * arguments in rdi, rsi, rdx, r10, r8, r9, result in rax; the CPU clobbers
 * rcx and r11, the kernel preserves everything else.  "memory" because the
 * kernel reads and writes user buffers behind the compiler's back.
 */
#ifndef LIBARCH_SYSCALL_H_
#define LIBARCH_SYSCALL_H_

#include <abi/syscall.h>

static inline sysarg_t syscall6(
    sysarg_t num, sysarg_t a1, sysarg_t a2, sysarg_t a3, sysarg_t a4, sysarg_t a5, sysarg_t a6)
{
	register sysarg_t r10 __asm__("r10") = a4;
	register sysarg_t r8 __asm__("r8") = a5;
	register sysarg_t r9 __asm__("r9") = a6;
	sysarg_t ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(num), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

#define syscall0(n) syscall6((n), 0, 0, 0, 0, 0, 0)
#define syscall1(n, a) syscall6((n), (sysarg_t) (a), 0, 0, 0, 0, 0)
#define syscall2(n, a, b) syscall6((n), (sysarg_t) (a), (sysarg_t) (b), 0, 0, 0, 0)
#define syscall3(n, a, b, c) syscall6((n), (sysarg_t) (a), (sysarg_t) (b), (sysarg_t) (c), 0, 0, 0)
#define syscall4(n, a, b, c, d) \
	syscall6((n), (sysarg_t) (a), (sysarg_t) (b), (sysarg_t) (c), (sysarg_t) (d), 0, 0)
#define syscall5(n, a, b, c, d, e)                                                    \
	syscall6((n), (sysarg_t) (a), (sysarg_t) (b), (sysarg_t) (c), (sysarg_t) (d), \
	    (sysarg_t) (e), 0)

#endif
