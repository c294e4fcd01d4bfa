/*
 * Program entry.  The kernel starts the first thread of a task here with
 * rdi pointing to its task_startup_t (abi/task.h) and a 16-byte aligned
 * stack.  The stack is realigned anyway, the frame-pointer chain ends here,
 * and __libc_main() never returns (it ends the task).
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call __libc_main
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
