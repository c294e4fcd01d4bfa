/*
 * Task startup: crt0 hands over the kernel's startup block on the small
 * wired stack the kernel made (PROGRAM_STACK_SIZE in the kernel: the
 * block and room to get here); choose the memory (the anon pager or
 * wired), complete the main thread's stack (THREAD_MAIN_STACK_SIZE in
 * all, paged lazily when the task has the pager, with a guard page), run
 * main() and end the task with its result.  The heap is made by the first
 * malloc (by a wired program or a boot task, at startup).
 *
 * A program started from a file (the loader, docs/loader.md) finds its
 * whole main stack made (stack_size THREAD_MAIN_STACK_SIZE).  For a boot
 * module, the rest of the main stack goes right below the startup stack (the
 * kernel leaves room there, PROGRAM_STACK_ROOM), so the thread simply
 * grows down into it from the wired pages it is on: no switch to another
 * stack, and its first pages never fault.  If that fails (no memory, or
 * a program loaded some other way), the task ends with a message: 8 KiB
 * of stack is not enough to run a program on.
 *
 * Before main(), a task started by task_spawn_fds() takes the descriptors
 * it was handed (spawn.c): the handoff word leaves argv first.
 *
 * Why libc and not the kernel makes the main stack: the kernel knows no
 * pager objects for a new task, and zeroing a wired 256 KiB stack cost
 * every spawn 64 pages (81,664 instructions); a task that must stay wired
 * (a pager, ns) gets a wired main stack from the same code.
 */
#include "file_priv.h"
#include "libc_priv.h"
#include <anon.h>
#include <as.h>
#include <stdlib.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

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

noreturn void __libc_main(task_startup_t *startup)
{
	uintptr_t stack;
	libc_startup = startup;
	mem_init();
	/* A program the loader started has its whole stack already. */
	if (startup->stack_size < THREAD_MAIN_STACK_SIZE &&
	    as_area_create_stack(startup->stack_base, THREAD_MAIN_STACK_SIZE - startup->stack_size,
	        0, &stack) != EOK)
		libc_die("libc: cannot make the main thread's stack\n");
	/* A wired program (a pager, ns) and a boot task (a server) take their
	 * first heap memory now, before they serve anyone, not at some first
	 * malloc while serving a client. */
	if ((libc_memory_wired || (startup->flags & TASK_STARTUP_BOOT)) && malloc_init() != EOK)
		libc_die("libc: cannot create the heap area\n");
	/* A task started with files for 0, 1 and 2 takes them now. */
	int argc = fd_startup((int) startup->argc, startup->argv);
	exit(main(argc, startup->argv));
}
