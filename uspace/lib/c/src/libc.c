/*
 * Task startup: crt0 hands over the kernel's startup block; choose the
 * memory (the anon pager or wired), set up the heap, run main() and end
 * the task with its result.
 */
#include "libc_priv.h"
#include <stdlib.h>
#include <sys.h>
#include <task.h>

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
	libc_startup = startup;
	mem_init();
	if (malloc_init() != EOK)
		libc_die("libc: cannot create the heap area\n");
	exit(main((int) startup->argc, startup->argv));
}
