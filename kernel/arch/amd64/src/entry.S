/*
 * Interrupt and exception entry stubs.  Every vector gets a stub that pushes
 * a zero error code when the CPU does not push one, then the vector number,
 * and jumps to the common path, which saves the general registers as an
 * istate_t (arch/istate.h) and calls interrupt_dispatch(istate_t *).
 */

	.section .text
	.altmacro

.macro STUB v
	.balign 16
int_stub_\v:
	/* vectors for which the CPU pushes an error code itself */
	.if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	pushq $0
	.endif
	pushq $\v
	jmp int_common
.endm

.macro STUBS from, to
	STUB \from
	.if \to-\from
	STUBS %(\from+1), \to
	.endif
.endm

	STUBS 0, 47

int_common:
	/* From user mode (CS.RPL = 3, at 24(%rsp) here): take the kernel GS. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Make the interrupted frame visible to frame-pointer backtraces. */
	movq 17 * 8(%rsp), %rax		/* istate.rip */
	pushq %rax
	pushq 9 * 8(%rsp)		/* istate.rbp, one slot further now */
	movq %rsp, %rbp
	call interrupt_dispatch
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	testb $3, 8(%rsp)		/* back to user mode: give back its GS */
	jz 2f
	swapgs
2:	iretq

	/* Table of stub addresses, used to fill the IDT. */
	.section .rodata
	.balign 8
	.globl int_stub_table
int_stub_table:
.macro STUBADDR from, to
	.quad int_stub_\from
	.if \to-\from
	STUBADDR %(\from+1), \to
	.endif
.endm
	STUBADDR 0, 47
