/*
 * Kernel context switch.  A switched-out thread's callee-saved registers
 * are on its own kernel stack; its thread_t keeps only the stack pointer.
 *
 * void context_switch(uint64_t *save_sp, uint64_t new_sp)
 */
	.section .text
	.globl context_switch
context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* First "return" of a new thread lands here (see thread_stack_prepare). */
	.globl thread_entry_stub
thread_entry_stub:
	xorq %rbp, %rbp
	call thread_first_run
	ud2

/*
 * noreturn void arch_user_enter(uintptr_t entry, uintptr_t stack, uintptr_t arg)
 * Leave the kernel for user mode for the first time: an iretq frame with
 * interrupts enabled, every general register cleared except rdi = arg.
 */
	.globl arch_user_enter
arch_user_enter:
	cli
	pushq $0x23		/* ss: user data | RPL 3 */
	pushq %rsi		/* rsp */
	pushq $0x202		/* rflags: IF */
	pushq $0x2b		/* cs: user code | RPL 3 */
	pushq %rdi		/* rip */
	movq %rdx, %rdi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq
