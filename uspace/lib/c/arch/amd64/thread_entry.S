/*
 * First instruction of every thread made by thread_create(): the kernel
 * starts it with rsp = the stack top libc chose and rdi = the thread's
 * record.  Realign (the ABI wants rsp + 8 aligned at a call target), end
 * the frame-pointer chain, and run __thread_main(), which never returns.
 */
	.text
	.globl __thread_entry
	.type __thread_entry, @function
__thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call __thread_main
	ud2
	.size __thread_entry, . - __thread_entry

	.section .note.GNU-stack, "", @progbits
