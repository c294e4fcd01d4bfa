/*
 * Task startup: crt0 hands over the kernel's startup block on the small
 * wired stack the kernel made (PROGRAM_STACK_SIZE in the kernel: the
 * block and room to get here); choose the memory (the anon pager or
 * wired), make the main thread's stack (THREAD_MAIN_STACK_SIZE, paged
 * lazily when the task has the pager, with a guard page) and move onto
 * it, set up the heap, run main() and end the task with its result.
 *
 * Why libc and not the kernel makes the main stack: the kernel knows no
 * pager objects for a new task, and zeroing a wired 256 KiB stack cost
 * every spawn 64 pages (81,664 instructions); a task that must stay wired
 * (a pager, ns) gets a wired main stack from the same code.  The startup
 * block stays where the kernel put it (argv points into it).
 */
#include "libc_priv.h"
#include <anon.h>
#include <stdlib.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

/* crt0.S: run @a fn(@a arg) on the stack whose top is @a sp; never returns. */
noreturn void __libc_stack_switch(uintptr_t sp, void (*fn)(void *), void *arg);

int main(int argc, char **argv);

static const task_startup_t *libc_startup;

const task_startup_t *task_startup(void)
{
	return libc_startup;
}

static void libc_die(const char *msg)
{
	size_t n = 0;
	while (msg[n])
		n++;
	kconsole_write(msg, n);
	task_exit(EXIT_FAILURE);
}

static void libc_main_stacked(void *arg)
{
	task_startup_t *startup = arg;
	if (malloc_init() != EOK)
		libc_die("libc: cannot create the heap area\n");
	exit(main((int) startup->argc, startup->argv));
}

noreturn void __libc_main(task_startup_t *startup)
{
	uintptr_t stack;
	libc_startup = startup;
	mem_init();
	if (as_area_create_stack(THREAD_MAIN_STACK_SIZE, THREAD_STACK_READY, &stack) != EOK)
		libc_die("libc: cannot create the main thread's stack\n");
	__libc_stack_switch(stack + THREAD_MAIN_STACK_SIZE, libc_main_stacked, startup);
}
