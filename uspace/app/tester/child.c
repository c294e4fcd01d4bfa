/*
 * The children: "tester child:WHAT [ARGS]" does exactly one bad (or good)
 * thing, chosen by the parent's test, and the parent checks how it ended.
 */
#include "fs.h"
#include "fuzz.h"
#include "tester.h"
#include <assert.h>
#include <libarch/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

const int child_ro_target[4] = { 1, 2, 3, 4 };
unsigned char child_nx_code[16] = { 0xc3 }; /* ret */

typedef struct child_mode {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the mode word */
} child_mode_t;

static int child_exit(int argc, char **argv)
{
	exit(argc > 1 ? atoi(argv[1]) : 0);
}

static int child_return(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}

/* Exits 0 iff the arguments arrived as "alpha beta" and argv ends in NULL. */
static int child_args(int argc, char **argv)
{
	if (argc != 3 || argv[3] != NULL)
		return 1;
	return strcmp(argv[1], "alpha") == 0 && strcmp(argv[2], "beta") == 0 ? 0 : 2;
}

/* Read an int at @a addr; the compiler may not know the address. */
static int child_read(uintptr_t addr)
{
	volatile uintptr_t a = addr;
	return *(volatile int *) a;
}

static int child_unmapped(int argc, char **argv)
{
	(void) argc, (void) argv;
	return child_read(CHILD_UNMAPPED_ADDR);
}

static int child_null(int argc, char **argv)
{
	(void) argc, (void) argv;
	return child_read(8);
}

static int child_kernel(int argc, char **argv)
{
	(void) argc, (void) argv;
	return child_read(CHILD_KERNEL_ADDR);
}

static int child_write_ro(int argc, char **argv)
{
	(void) argc, (void) argv;
	*(volatile int *) &child_ro_target[1] = 5;
	return 0;
}

static int child_write_protected(int argc, char **argv)
{
	(void) argc, (void) argv;
	uintptr_t base;
	if (as_area_create(CHILD_FIXED_ADDR, 2 * PAGE_SIZE, RW | AS_AREA_FIXED, &base) != EOK)
		return 1;
	*(volatile int *) base = 1;
	if (as_area_protect(base, 2 * PAGE_SIZE, AS_AREA_READ) != EOK)
		return 2;
	if (*(volatile int *) base != 1)
		return 3;
	*(volatile int *) (base + PAGE_SIZE + 16) = 2;
	return 0;
}

static int child_exec_nx(int argc, char **argv)
{
	(void) argc, (void) argv;
	void (*fn)(void) = (void (*)(void))(uintptr_t) child_nx_code;
	fn();
	return 0;
}

/* Grow-then-shrink an area and write into the part that was cut off. */
static int child_shrink_touch(int argc, char **argv)
{
	(void) argc, (void) argv;
	uintptr_t base;
	if (as_area_create(CHILD_FIXED_ADDR, 4 * PAGE_SIZE, RW | AS_AREA_FIXED, &base) != EOK)
		return 1;
	for (int i = 0; i < 4; i++)
		*(volatile int *) (base + i * PAGE_SIZE) = i;
	if (as_area_resize(base, PAGE_SIZE) != EOK)
		return 2;
	*(volatile int *) (base + 2 * PAGE_SIZE + 8) = 7;
	return 0;
}

static int child_unmap_touch(int argc, char **argv)
{
	(void) argc, (void) argv;
	uintptr_t base;
	if (as_area_create(CHILD_FIXED_ADDR, 3 * PAGE_SIZE, RW | AS_AREA_FIXED, &base) != EOK)
		return 1;
	*(volatile int *) (base + PAGE_SIZE) = 1;
	if (as_area_unmap(base + PAGE_SIZE, PAGE_SIZE) != EOK)
		return 2;
	return *(volatile int *) (base + PAGE_SIZE + 4);
}

/* Never reached; volatile so the compiler cannot see the recursion is endless. */
static volatile unsigned long child_recurse_limit = ~0UL;

static int child_recurse(unsigned long depth)
{
	volatile char buf[256];
	if (depth == child_recurse_limit)
		return 0;
	buf[0] = (char) depth;
	return child_recurse(depth + 1) + buf[0];
}

static int child_stack_overflow(int argc, char **argv)
{
	(void) argc, (void) argv;
	return child_recurse(0);
}

static int child_recurse_thread(void *arg)
{
	(void) arg;
	return child_recurse(0);
}

/* A second thread overflows its stack into the guard gap. */
static int child_thread_overflow(int argc, char **argv)
{
	(void) argc, (void) argv;
	tid_t tid;
	if (thread_create(child_recurse_thread, NULL, &tid) != EOK)
		return 1;
	thread_join(tid, NULL);
	return 2;
}

static int child_fault_thread(void *arg)
{
	(void) arg;
	return child_read(CHILD_UNMAPPED_ADDR);
}

/* A second thread faults while the main thread sleeps: the task ends. */
static int child_thread_fault(int argc, char **argv)
{
	(void) argc, (void) argv;
	tid_t tid;
	if (thread_create(child_fault_thread, NULL, &tid) != EOK)
		return 1;
	for (;;)
		thread_sleep_us(1000);
}

static int child_ud2(int argc, char **argv)
{
	(void) argc, (void) argv;
	__asm__ volatile("ud2");
	return 0;
}

static int child_privileged(int argc, char **argv)
{
	(void) argc, (void) argv;
	__asm__ volatile("cli; hlt");
	return 0;
}

static int child_div0(int argc, char **argv)
{
	(void) argv;
	volatile int zero = argc - argc;
	return 100 / zero;
}

static int child_assert(int argc, char **argv)
{
	(void) argv;
	assert(argc < 0);
	return 0;
}

static int child_abort(int argc, char **argv)
{
	(void) argc, (void) argv;
	abort();
}

static noreturn int child_spin_thread(void *arg)
{
	(void) arg;
	for (;;)
		__asm__ volatile("pause");
}

/* Exit while other threads still run (and spin): all of them must end. */
static int child_exit_threads(int argc, char **argv)
{
	(void) argc, (void) argv;
	for (int i = 0; i < 3; i++) {
		if (thread_create(child_spin_thread, NULL, NULL) != EOK)
			return 1;
	}
	thread_yield();
	exit(9);
}

static int child_exit_thread_body(void *arg)
{
	(void) arg;
	thread_sleep_us(10000);
	exit(11);
}

/* The main thread ends first; the other thread ends the task. */
static int child_main_thread_exit(int argc, char **argv)
{
	(void) argc, (void) argv;
	if (thread_create(child_exit_thread_body, NULL, NULL) != EOK)
		return 1;
	thread_exit(0);
}

/* Hold areas, threads and heap at exit: the kernel must reclaim it all. */
static int child_hoard(int argc, char **argv)
{
	(void) argc, (void) argv;
	uintptr_t base;
	for (int i = 0; i < 32; i++)
		as_area_create(0, (size_t) (i % 4 + 1) * PAGE_SIZE, RW, &base);
	for (int i = 0; i < 4; i++)
		thread_create(child_spin_thread, NULL, NULL);
	for (int i = 0; i < 64; i++)
		memset(malloc(4096), 0xab, 4096);
	exit(0);
}

/* Thread entry 0: must be refused; exits with the error code. */
static int child_thread_null_entry(int argc, char **argv)
{
	(void) argc, (void) argv;
	static char stack[4096] __attribute__((aligned(16)));
	tid_t tid;
	return (int) syscall4(SYS_THREAD_CREATE, 0, (uintptr_t) stack + sizeof(stack), 0, &tid);
}

static int child_print(int argc, char **argv)
{
	printf("child: %d argument(s), first \"%s\"\n", argc, argv[0]);
	return 0;
}

static int review_join_target(void *arg)
{
	int st;
	return (int) thread_join((tid_t) (uintptr_t) arg, &st);
}

static int review_exiter(void *arg)
{
	(void) arg;
	thread_sleep_us(100000);
	exit(7);
}

/* Main joins B, B joins main; a third thread ends the task. */
static int child_join_cycle(int argc, char **argv)
{
	(void) argc, (void) argv;
	tid_t me = thread_id(), b, c;
	thread_create(review_join_target, (void *) (uintptr_t) me, &b);
	thread_sleep_us(20000);
	thread_create(review_exiter, NULL, &c);
	int st;
	thread_join(b, &st);
	return 0;
}

/* A big wired area makes address-space teardown long. */
static int child_big_exit(int argc, char **argv)
{
	(void) argc, (void) argv;
	uintptr_t base;
	if (as_area_create(0, 64UL << 20, RW, &base) != EOK)
		return 99;
	return 0;
}

static int child_sleep(int argc, char **argv)
{
	(void) argc, (void) argv;
	thread_sleep_us(200000);
	return 5;
}

/* Sleep far longer than any test waits (task_kill_children ends it). */
static int child_sleep_long(int argc, char **argv)
{
	(void) argc, (void) argv;
	thread_sleep_us(600ULL * 1000 * 1000);
	return 6;
}

/* Run in user space without ever entering the kernel. */
static int child_spin(int argc, char **argv)
{
	(void) argc, (void) argv;
	for (volatile uint64_t i = 0;; i++)
		;
	return 7;
}

int child_snoop(int argc, char **argv);
int child_ddi_nocap(int argc, char **argv); /* test_ddi_mem.c */
int child_ddi_dma_map(int argc, char **argv); /* test_ddi_mem.c */
int child_ddi_dma_orphan(int argc, char **argv); /* test_ddi_mem.c */
int child_ddi_dma_quiesce(int argc, char **argv); /* test_ddi_mem.c */
int child_kill_right(int argc, char **argv); /* test_task_right.c */
int child_peek(int argc, char **argv); /* test_task_info.c */

static const child_mode_t child_modes[] = {
	{ "child:snoop", child_snoop },
	{ "child:ddi-nocap", child_ddi_nocap },
	{ "child:ddi-dma-map", child_ddi_dma_map },
	{ "child:ddi-dma-orphan", child_ddi_dma_orphan },
	{ "child:ddi-dma-quiesce", child_ddi_dma_quiesce },
	{ "child:fuzz", child_fuzz },
	{ "child:join-cycle", child_join_cycle },
	{ "child:big-exit", child_big_exit },
	{ "child:sleep", child_sleep },
	{ "child:sleep-long", child_sleep_long },
	{ "child:spin", child_spin },
	{ "child:exit", child_exit },
	{ "child:return", child_return },
	{ "child:args", child_args },
	{ "child:unmapped", child_unmapped },
	{ "child:null", child_null },
	{ "child:kernel", child_kernel },
	{ "child:write-ro", child_write_ro },
	{ "child:write-protected", child_write_protected },
	{ "child:exec-nx", child_exec_nx },
	{ "child:shrink-touch", child_shrink_touch },
	{ "child:unmap-touch", child_unmap_touch },
	{ "child:stack-overflow", child_stack_overflow },
	{ "child:thread-overflow", child_thread_overflow },
	{ "child:thread-fault", child_thread_fault },
	{ "child:ud2", child_ud2 },
	{ "child:privileged", child_privileged },
	{ "child:div0", child_div0 },
	{ "child:assert", child_assert },
	{ "child:abort", child_abort },
	{ "child:exit-threads", child_exit_threads },
	{ "child:main-thread-exit", child_main_thread_exit },
	{ "child:hoard", child_hoard },
	{ "child:thread-null-entry", child_thread_null_entry },
	{ "child:print", child_print },
	{ "child:threads-low-memory", child_threads_low_memory },
	{ "child:anon-narrow-rights", child_anon_narrow_rights },
	{ "child:anon-hangup-race", child_anon_hangup_race },
	{ "child:handles", child_handles },
	{ "child:ns-abandon", child_ns_abandon },
	{ "child:mman-protect", child_mman_protect },
	{ "child:irq-nocap", child_irq_nocap },
	{ "child:irq-hold", child_irq_hold },
	{ "child:irq-rtc", child_irq_rtc },
	{ "child:kill-right", child_kill_right },
	{ "child:peek", child_peek },
};

int child_main(int argc, char **argv)
{
	bool found;
	int rc = child_ipc_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_limits_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_block_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_cap_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_ioport_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_devman_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_fs_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_fmap_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_fpager_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_reuse_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_loader_main(argc, argv, &found);
	if (found)
		return rc;
	rc = child_exec_main(argc, argv, &found);
	if (found)
		return rc;
	for (size_t i = 0; i < sizeof(child_modes) / sizeof(child_modes[0]); i++) {
		if (strcmp(argv[0], child_modes[i].name) == 0)
			return child_modes[i].fn(argc, argv);
	}
	printf("tester: unknown child mode \"%s\"\n", argv[0]);
	return 255;
}
