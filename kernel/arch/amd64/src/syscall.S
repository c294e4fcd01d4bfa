/*
 * The `syscall` entry.  The CPU arrives here in ring 0 with interrupts off
 * (SFMASK clears IF), RCX = user RIP, R11 = user RFLAGS, still on the user
 * stack and with the user GS.  We swap to the kernel GS, switch to the
 * current thread's kernel stack (cpu_t.kernel_rsp), save the user
 * registers as a sysargs_t (syscall/syscall.h) and call
 *     syscall_dispatch(number, sysargs_t *args)
 * with interrupts enabled.  In memory the frame is rdi, rsi, rdx, r10, r8,
 * r9 (the six argument registers, sysargs_t.a[]), then r12, r13, r14, r15,
 * rbx (the IPC register calls' further words), then rbp, r11, rcx and the
 * user rsp.  Everything is restored from the frame on the way out, so a
 * handler that writes a register's slot returns a value in that register
 * (the IPC register calls, abi/ipc.h); every other call leaves the frame
 * as it was.  Return: rax = result; rcx and r11 are the only other
 * registers the CPU changes.
 */
#define CPU_KERNEL_RSP 8
#define CPU_USER_RSP 16

	.section .text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KERNEL_RSP, %rsp
	pushq %gs:CPU_USER_RSP
	pushq %rcx
	pushq %r11
	pushq %rbp
	pushq %rbx
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi			/* 15 pushes ... */
	subq $8, %rsp			/* ... and one slot: the stack stays 16-aligned */
	sti
	movq %rax, %rdi
	leaq 8(%rsp), %rsi		/* the sysargs_t starts at the saved rdi */
	xorl %ebp, %ebp			/* end of the kernel's frame-pointer chain */
	call syscall_dispatch
	cli
	addq $8, %rsp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	popq %rbx
	popq %rbp
	popq %r11
	popq %rcx
	popq %rsp
	swapgs
	sysretq

/*
 * errno_t arch_copy_user(void *dst, const void *src, size_t n)
 * The two instructions that touch user memory are listed in .extable: a
 * fault there (not resolved by the page-fault handler) resumes at the
 * fixup, which returns EFAULT.
 */
#define EFAULT 8
	.globl arch_copy_user
arch_copy_user:
	movq %rdx, %rcx
	shrq $3, %rcx
1:	rep movsq		/* eight bytes a step (see lib/mem.c) */
	movq %rdx, %rcx
	andq $7, %rcx
3:	rep movsb		/* the tail */
	xorl %eax, %eax
	ret
2:	movl $EFAULT, %eax
	ret
	.section .extable, "a"
	.quad 1b, 2b
	.quad 3b, 2b
	.section .text
