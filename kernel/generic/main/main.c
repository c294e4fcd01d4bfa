/*
 * kernel_main: the generic boot sequence.
 *
 *   arch_early_init   serial console, CPU features, GDT/IDT, boot info
 *   arch_mm_init      bootmem, the kernel's own page tables
 *   frame_init        the frame allocator takes over physical memory
 *   malloc_init       slab caches
 *   arch_late_init    interrupt controller; then the timer, interrupts on
 *
 * A command line with a word the kernel does not know is refused at once
 * (cmdline_refuse_bad).  Then the command line decides: run kernel tests
 * and power off with the verdict, or report "up" and idle (powering off
 * at once with "poweroff").
 */
#include <adt/btree_alloc.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/page_table.h>
#include <arch/timer.h>
#include <console/console.h>
#include <ddi/dma.h>
#include <ddi/irq.h>
#include <ddi/range.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <main/bootinfo.h>
#include <main/cmdline.h>
#include <mem.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/pager.h>
#include <mm/slab.h>
#include <proc/program.h>
#include <proc/scheduler.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <test/ktest.h>
#include <time/prof.h>
#include <time/timer.h>

boot_info_t boot_info;

void kernel_main(uint32_t mb_magic, uint32_t mb_info_pa);

static void print_memory(void)
{
	size_t total = frame_total_count(), free = frame_free_count();
	printf("mm: %zu frames managed (%zu KiB), %zu free (%zu KiB)\n", total,
	    total * (PAGE_SIZE / 1024), free, free * (PAGE_SIZE / 1024));
}

static void wait_ticks(uint64_t n)
{
	thread_sleep(n * (1000000 / TIMER_HZ));
}

/*
 * "crash=pf|ud|stack|panic": fail on purpose, without any recovery armed, so the
 * host can check the report and the verdict of the fatal paths.
 */
/* Recurse until the boot stack's guard page stops us (the limit is far
 * beyond any kernel stack; it only tells the compiler this ends). */
static unsigned crash_recurse(unsigned depth)
{
	volatile char pad[256];
	pad[0] = (char) depth;
	if (depth > (1u << 30))
		return pad[0];
	return crash_recurse(depth + 1) + pad[0];
}

static void crash_on_request(const char *how)
{
	printf("kernel: crashing on request (%s)\n", how);
	if (strcmp(how, "pf") == 0)
		(void) *(volatile uint64_t *) 0xffffc80000003000UL;
	else if (strcmp(how, "ud") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(how, "stack") == 0)
		crash_recurse(0);
	panic("crash requested on the command line");
}

/*
 * Run boot module @a name with arguments @a spec as a child of the kernel,
 * wait for it and power off with its verdict (exit status 0 = success).
 * "utest=SPEC" runs the user test suite (module "tester"), "bench=SPEC"
 * the benchmarks (module "bench").
 */
static noreturn void run_module_verdict(const char *name, const char *spec)
{
	task_id_t id;
	task_exit_info_t info = { 0 };
	errno_t rc = program_spawn_module(name, spec, 0, &id);
	if (rc != EOK) {
		printf("kernel: cannot start %s: error %d\n", name, rc);
		arch_poweroff(ARCH_EXIT_FAILURE);
	}
	rc = task_wait(id, &info);
	bool ok = rc == EOK && info.reason == TASK_EXIT_NORMAL && info.status == 0;
	printf("kernel: %s ended: %s, status %d%s%s\n", name,
	    info.reason == TASK_EXIT_NORMAL ? "exited" : "killed", info.status,
	    info.message[0] ? ": " : "", info.message);
	prof_dump();
	arch_poweroff(ok ? ARCH_EXIT_SUCCESS : ARCH_EXIT_FAILURE);
}

static void cmdline_report_bad(const char *word, size_t len, cmdline_problem_t problem, void *arg)
{
	(void) arg;
	if (problem == CMDLINE_UNKNOWN)
		printf("kernel: unknown command-line word '%.*s'\n", (int) len, word);
	else
		printf("kernel: command-line word '%.*s' %s\n", (int) len, word,
		    problem == CMDLINE_NEEDS_VALUE ? "needs a value (key=VALUE)"
		                                   : "takes no value");
}

/* Refuse a command line with a word the kernel does not know (or a key
 * without its value, a bare word with one): the run would not be the one
 * asked for, e.g. "utset=all" would boot normally and idle until the
 * host's timeout.  Name each, list the known words, power off with
 * failure (main/cmdline.h). */
static void cmdline_refuse_bad(void)
{
	if (cmdline_check(boot_info.cmdline, cmdline_report_bad, NULL) == 0)
		return;
	printf("kernel: known words:");
	bool value;
	for (size_t i = 0; cmdline_word(i, &value); i++)
		printf(" %s%s", cmdline_word(i, &value), value ? "=..." : "");
	printf("\nkernel: refusing the command line, powering off\n");
	arch_poweroff(ARCH_EXIT_FAILURE);
}

/* "pager_timeout=MS": how long a fault waits for a pager's answer. */
static void pager_timeout_from_cmdline(void)
{
	char v[24];
	if (!cmdline_get(boot_info.cmdline, "pager_timeout", v, sizeof(v)))
		return;
	uint64_t ms = 0;
	for (const char *p = v; *p >= '0' && *p <= '9' && ms < 3600000; p++)
		ms = ms * 10 + (uint64_t) (*p - '0');
	if (ms > 0) {
		pager_timeout_us = ms * 1000;
		printf("pager: timeout %llu ms\n", (unsigned long long) ms);
	}
}

/* SYS_IPC_FAIL_INJECT works only in user test runs (or when asked). */
static void ipc_fail_inject_from_cmdline(void)
{
	ipc_fail_inject_enabled = cmdline_has(boot_info.cmdline, "utest") ||
	    cmdline_has(boot_info.cmdline, "ipc_fail_inject");
}

/* Start a boot task from module @a name, if the image has it, with the
 * arguments its recipe line gives ("ext2 disk0": "disk0"). */
static void start_boot_task(const char *name)
{
	char args[BOOT_MODULE_CMDLINE_MAX];
	task_id_t id;
	program_module_args(name, args, sizeof(args));
	errno_t rc = program_spawn_module(name, args, 0, &id);
	if (rc == EOK)
		printf("kernel: started %s as task %llu\n", name, (unsigned long long) id);
	else if (rc != ENOENT)
		printf("kernel: cannot start %s (error %d)\n", name, rc);
}

/* The boot tasks, in order: the naming service first (every later task
 * gets a phone to it), then the anon pager, which registers with it, and
 * the console server (serial input, docs/drivers.md). */
static void start_servers(void)
{
	start_boot_task("ns");
	start_boot_task("anon");
	start_boot_task("console");
}

/* The storage stack: the device manager (with the recipe's device grants:
 * it starts the drivers) and the VFS ("vfs root=disk0": it mounts as "/"
 * the file system server that registers disk0); with @a ext2 also that
 * server, "ext2 disk0", which in an ordinary boot init starts (and starts
 * again when it fails) instead.  A module the image lacks is skipped. */
static void start_storage(bool ext2)
{
	start_boot_task("devman");
	if (ext2)
		start_boot_task("ext2");
	start_boot_task("vfs");
	if (ext2 && !cmdline_has(boot_info.cmdline, "nofpager"))
		start_boot_task("fpager"); /* the file pager: docs/file-pager.md */
}

/* An ordinary boot: the storage stack, then init.  Test and benchmark
 * runs start neither unless asked ("devman", "fs"): their tests run a
 * devman of their own. */
static void start_init(void)
{
	start_storage(false);
	start_boot_task("init");
}

static void run_selected(void)
{
	char spec[BOOT_CMDLINE_MAX];

	if (cmdline_get(boot_info.cmdline, "crash", spec, sizeof(spec)))
		crash_on_request(spec);

	if (cmdline_get(boot_info.cmdline, "test", spec, sizeof(spec))) {
		unsigned failed = ktest_run(spec);
		arch_poweroff(failed ? ARCH_EXIT_FAILURE : ARCH_EXIT_SUCCESS);
	}
	start_servers();
	/* "devman": a test or benchmark run with the device manager, which
	 * starts the drivers (the virtio suite of tools/test.sh); "fs": with
	 * the whole storage stack (devman, ext2 on disk0, the VFS, the file
	 * pager unless "nofpager" is there too); "vfs":
	 * devman and the VFS, the test starting (and killing) the file system
	 * server itself.  An ordinary boot starts them anyway (start_init). */
	bool verdict_run = cmdline_has(boot_info.cmdline, "utest") ||
	    cmdline_has(boot_info.cmdline, "bench");
	if (verdict_run && !cmdline_has(boot_info.cmdline, "poweroff")) {
		if (cmdline_has(boot_info.cmdline, "fs"))
			start_storage(true);
		else if (cmdline_has(boot_info.cmdline, "vfs"))
			start_storage(false);
		else if (cmdline_has(boot_info.cmdline, "devman"))
			start_boot_task("devman");
	}
	if (cmdline_get(boot_info.cmdline, "utest", spec, sizeof(spec)))
		run_module_verdict("tester", spec);
	if (cmdline_get(boot_info.cmdline, "bench", spec, sizeof(spec)))
		run_module_verdict("bench", spec);
	start_init();
	wait_ticks(TIMER_HZ / 10);
	printf("kernel: up after %llu ms, timer ticking (%llu ticks), idle\n",
	    (unsigned long long) timer_uptime_ms(), (unsigned long long) timer_ticks());
	if (cmdline_has(boot_info.cmdline, "poweroff")) {
		wait_ticks(TIMER_HZ / 2); /* let init report */
		printf(
		    "kernel: poweroff requested on the command line (%zu tasks)\n", task_count());
		arch_poweroff(ARCH_EXIT_SUCCESS);
	}
}

void kernel_main(uint32_t mb_magic, uint32_t mb_info_pa)
{
	arch_early_init(mb_magic, mb_info_pa);
	printf("\nmkernel 0.1 (amd64) - a multiserver microkernel\n");
	boot_info_print();
	cmdline_refuse_bad();
	cpu_features_print();

	arch_mm_init();
	frame_init();
	page_table_use_frames();
	malloc_init();
	btree_subsystem_init();
	scheduler_init();
	task_init();
	ipc_init();
	ddi_range_init();
	dma_init();
	irq_init();
	pager_init();
	pager_role_init();
	pager_timeout_from_cmdline();
	ipc_fail_inject_from_cmdline();
	print_memory();

	arch_late_init();
	unsigned prof_mult = prof_mult_from_cmdline(boot_info.cmdline);
	if (prof_init(prof_mult) != EOK)
		prof_mult = 1;
	timer_init(prof_mult);
	irq_enable();
	printf("timer: %u Hz periodic, TSC %llu MHz\n", TIMER_HZ,
	    (unsigned long long) (tsc_hz / 1000000));

	run_selected();
	/* The boot thread has nothing left to do; the idle thread idles. */
	for (;;)
		thread_sleep(3600ULL * 1000000);
}
