/*
 * Small assembly helpers: recovery points for expected faults (kjmp_*) and
 * fault-tolerant memory probes.  A probe's faulting instruction is listed in
 * the .extable section with the address to resume at; the exception handler
 * looks the faulting RIP up there and resumes at the fixup, which returns
 * EFAULT.  copy_from_uspace/copy_to_uspace will be built the same way.
 */
#define EOK 0
#define EFAULT 8

	.section .text

/* int kjmp_set(kjmp_buf_t *jb): save a resume point; returns 0, or 1 when
 * an armed exception resumes here. */
	.globl kjmp_set
kjmp_set:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 48(%rdi)		/* rsp after return */
	movq (%rsp), %rax
	movq %rax, 56(%rdi)		/* return address */
	xorl %eax, %eax
	ret

/* errno_t arch_probe_read_u64(const void *addr, uint64_t *out) */
	.globl arch_probe_read_u64
arch_probe_read_u64:
1:	movq (%rdi), %rax
	movq %rax, (%rsi)
	movl $EOK, %eax
	ret
2:	movl $EFAULT, %eax
	ret
	.section .extable, "a"
	.quad 1b, 2b
	.section .text

/* errno_t arch_probe_write_u64(void *addr, uint64_t value) */
	.globl arch_probe_write_u64
arch_probe_write_u64:
1:	movq %rsi, (%rdi)
	movl $EOK, %eax
	ret
2:	movl $EFAULT, %eax
	ret
	.section .extable, "a"
	.quad 1b, 2b
	.section .text
