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

/*
 * __libc_stack_switch(sp, fn, arg): run fn(arg) on the stack whose top is
 * sp (libc's startup moving onto the main thread's own stack); the frame
 * chain ends here and fn never returns.
 */
	.text
	.globl __libc_stack_switch
	.type __libc_stack_switch, @function
__libc_stack_switch:
	movq %rdi, %rsp
	andq $-16, %rsp
	xorl %ebp, %ebp
	movq %rdx, %rdi
	call *%rsi
	ud2
	.size __libc_stack_switch, . - __libc_stack_switch

	.section .note.GNU-stack, "", @progbits
