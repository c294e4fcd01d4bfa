/*
 * Every system call with hostile arguments.  What the ABI pins down
 * (abi/syscall.h, abi/as.h): a pointer that is NULL or unmapped, or whose
 * memory lacks the rights the call needs, gives EFAULT; a range that
 * reaches the kernel half, is non-canonical, or wraps gives EINVAL;
 * unknown numbers give ENOTSUP.  The task keeps running after each one.
 */
#include "tester.h"
#include <libarch/syscall.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

/* A page of text: mapped, readable, never writable. */
#define ADDR_TEXT ((uintptr_t) child_main)
/* Mapped, readable, not writable. */
#define ADDR_RODATA ((uintptr_t) child_ro_target)

UTEST(syscall_unknown_numbers)
{
	const sysarg_t nums[] = { SYSCALL_COUNT, SYSCALL_COUNT + 1, 1000, 0x7fffffff, 0x80000000,
		0xffffffff, 1ULL << 32, 1ULL << 63, ~0ULL };
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		UT_CHECK_ERR((errno_t) syscall6(nums[i], 1, 2, 3, 4, 5, 6), ENOTSUP);
	UT_CHECK_OK(thread_yield());
}

/* Registers other than rax, rcx and r11 survive a syscall. */
UTEST(syscall_preserves_registers)
{
	uint64_t out[9];
	__asm__ volatile("push %%rbx; push %%rbp; push %%r12; push %%r13; push %%r14; push %%r15\n"
	                 "movabs $0x1111111111111111, %%rbx\n"
	                 "movabs $0x2222222222222222, %%rbp\n"
	                 "movabs $0x3333333333333333, %%r12\n"
	                 "movabs $0x4444444444444444, %%r13\n"
	                 "movabs $0x5555555555555555, %%r14\n"
	                 "movabs $0x6666666666666666, %%r15\n"
	                 "movabs $0x7777777777777777, %%rdx\n"
	                 "movabs $0x8888888888888888, %%r8\n"
	                 "movabs $0x9999999999999999, %%r9\n"
	                 "mov %[num], %%eax\n"
	                 "syscall\n"
	                 "mov %%rbx, 0(%[out]); mov %%rbp, 8(%[out]); mov %%r12, 16(%[out])\n"
	                 "mov %%r13, 24(%[out]); mov %%r14, 32(%[out]); mov %%r15, 40(%[out])\n"
	                 "mov %%rdx, 48(%[out]); mov %%r8, 56(%[out]); mov %%r9, 64(%[out])\n"
	                 "pop %%r15; pop %%r14; pop %%r13; pop %%r12; pop %%rbp; pop %%rbx\n"
	                 :
	                 : [num] "i"(SYS_THREAD_YIELD), [out] "D"(out)
	                 : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory");
	for (int i = 0; i < 6; i++)
		UT_CHECK_EQ(out[i], 0x1111111111111111ULL * (uint64_t) (i + 1));
	UT_CHECK_EQ(out[6], 0x7777777777777777ULL);
	UT_CHECK_EQ(out[7], 0x8888888888888888ULL);
	UT_CHECK_EQ(out[8], 0x9999999999999999ULL);
}

UTEST(syscall_kconsole_write_hostile)
{
	static const char msg[] = "# kconsole_write: ok\n";
	UT_CHECK_OK(kconsole_write(msg, sizeof(msg) - 1));
	UT_CHECK_ERR(kconsole_write(NULL, 5), EFAULT);
	UT_CHECK_ERR(kconsole_write((const char *) ADDR_UNMAPPED, 5), EFAULT);
	UT_CHECK_ERR(kconsole_write((const char *) ADDR_KERNEL, 5), EINVAL);
	UT_CHECK_ERR(kconsole_write((const char *) ADDR_NONCANONICAL, 5), EINVAL);
	UT_CHECK_ERR(kconsole_write(msg, ~(size_t) 0), EINVAL);
	UT_CHECK_ERR(kconsole_write(msg, AS_USER_TOP), EINVAL);
	/* A range starting just below the kernel half and running into it. */
	UT_CHECK_ERR(kconsole_write((const char *) (AS_USER_TOP - 8), 16), EINVAL);
	/* Misaligned but valid. */
	UT_CHECK_OK(kconsole_write(msg + 1, 0));
}

UTEST(syscall_kconsole_write_partly_mapped)
{
	uintptr_t base;
	UT_ASSERT_OK(as_area_create(0, PAGE_SIZE, RW, &base));
	memset((void *) base, '#', PAGE_SIZE);
	/* The last 4 bytes are mapped, the next 4 are not. */
	UT_CHECK_ERR(kconsole_write((const char *) (base + PAGE_SIZE - 4), 8), EFAULT);
	UT_CHECK_OK(as_area_destroy(base));
	UT_CHECK_ERR(kconsole_write((const char *) base, 1), EFAULT);
}

UTEST(syscall_uptime_hostile)
{
	uint64_t t;
	char buf[16];
	UT_CHECK_OK(uptime_ns(&t));
	UT_CHECK_OK(uptime_ns((uint64_t *) (buf + 1))); /* misaligned is fine */
	UT_CHECK_ERR(uptime_ns(NULL), EFAULT);
	UT_CHECK_ERR(uptime_ns((uint64_t *) ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR(uptime_ns((uint64_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(uptime_ns((uint64_t *) ADDR_NONCANONICAL), EINVAL);
	UT_CHECK_ERR(uptime_ns((uint64_t *) (AS_USER_TOP - 4)), EINVAL);
	/* The kernel must not write to read-only user memory. */
	UT_CHECK_ERR(uptime_ns((uint64_t *) ADDR_TEXT), EFAULT);
	UT_CHECK_ERR(uptime_ns((uint64_t *) ADDR_RODATA), EFAULT);
	UT_CHECK_EQ(child_ro_target[0], 1);
}

UTEST(syscall_mem_stats_hostile)
{
	mem_stats_t st;
	UT_ASSERT_OK(mem_stats(&st));
	UT_CHECK_EQ(st.page_size, PAGE_SIZE);
	UT_CHECK(st.free_frames > 0 && st.free_frames <= st.total_frames);
	UT_CHECK_ERR(mem_stats(NULL), EFAULT);
	UT_CHECK_ERR(mem_stats((mem_stats_t *) ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR(mem_stats((mem_stats_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(mem_stats((mem_stats_t *) ADDR_RODATA), EFAULT);
}

/* The frames in use by what they hold, with the free ones, are all the
 * frames (the kernel reads them at one instant); wired pages, page
 * tables, kernel stacks and slabs are never none. */
static bool mem_stats_add_up(const mem_stats_t *m)
{
	uint64_t used = m->frames_wired + m->frames_page_tables + m->frames_kernel_stacks +
	    m->frames_slab + m->frames_kmalloc + m->frames_dma + m->frames_other;
	return used + m->free_frames == m->total_frames &&
	    m->objects_malloc + m->objects_calls + m->objects_btree == m->kernel_objects &&
	    m->frames_wired > 0 && m->frames_page_tables > 0 && m->frames_kernel_stacks > 0 &&
	    m->frames_slab > 0;
}

/* The kernel object counts follow a task's life: one task more while a
 * child lives, with its thread, its handles, its kernel stack and its
 * page tables; all back once it is reaped. */
UTEST(syscall_mem_stats_counts)
{
	mem_stats_t a, b, c;
	task_id_t id;
	task_exit_info_t info;
	UT_ASSERT_OK(mem_stats(&a));
	UT_CHECK(a.tasks >= 3 && a.threads >= a.tasks && a.handles >= 1 && a.kernel_objects > 0);
	UT_CHECK(mem_stats_add_up(&a));
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep", &id));
	UT_ASSERT_OK(mem_stats(&b));
	UT_CHECK_EQ(b.tasks, a.tasks + 1);
	UT_CHECK(b.threads >= a.threads + 1 && b.handles >= a.handles + 1);
	UT_CHECK(b.kernel_objects > a.kernel_objects);
	UT_CHECK(mem_stats_add_up(&b));
	/* its root table at least, and a kernel stack */
	UT_CHECK(b.frames_page_tables > a.frames_page_tables);
	UT_CHECK(b.frames_kernel_stacks > a.frames_kernel_stacks);
	UT_CHECK_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.status, 5);
	frames_settle(a.free_frames);
	UT_ASSERT_OK(mem_stats(&c));
	UT_CHECK_EQ(c.tasks, a.tasks);
	UT_CHECK_EQ(c.threads, a.threads);
	UT_CHECK_EQ(c.handles, a.handles);
	UT_CHECK_EQ(c.frames_kernel_stacks, a.frames_kernel_stacks);
	UT_CHECK(mem_stats_add_up(&c));
}

UTEST(syscall_ids)
{
	UT_CHECK(task_id() != 0);
	UT_CHECK(thread_id() != 0);
	UT_CHECK_EQ(task_id(), task_startup()->task_id);
	UT_CHECK_EQ(syscall6(SYS_TASK_ID, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL), task_id());
	UT_CHECK_EQ(syscall6(SYS_THREAD_ID, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL), thread_id());
}

static volatile int thread_hostile_ran;

__attribute__((force_align_arg_pointer)) static void thread_hostile_entry(void *arg)
{
	(void) arg;
	thread_hostile_ran = 1;
	thread_exit(0);
}

static errno_t thread_create_raw(uintptr_t entry, uintptr_t stack_top, uintptr_t tid_out)
{
	return (errno_t) syscall4(SYS_THREAD_CREATE, entry, stack_top, 0, tid_out);
}

UTEST(syscall_thread_create_hostile)
{
	uintptr_t stack;
	tid_t tid;
	UT_ASSERT_OK(as_area_create(0, 4 * PAGE_SIZE, RW, &stack));
	uintptr_t top = stack + 4 * PAGE_SIZE;
	uintptr_t entry = (uintptr_t) thread_hostile_entry;
	thread_hostile_ran = 0;
	/* sysret to a kernel or non-canonical address must never happen. */
	UT_CHECK_ERR(thread_create_raw(ADDR_KERNEL, top, (uintptr_t) &tid), EINVAL);
	UT_CHECK_ERR(thread_create_raw(ADDR_NONCANONICAL, top, (uintptr_t) &tid), EINVAL);
	UT_CHECK_ERR(thread_create_raw(~0UL, top, (uintptr_t) &tid), EINVAL);
	UT_CHECK_ERR(thread_create_raw(entry, ADDR_KERNEL, (uintptr_t) &tid), EINVAL);
	UT_CHECK_ERR(thread_create_raw(entry, ADDR_NONCANONICAL + 16, (uintptr_t) &tid), EINVAL);
	UT_CHECK_ERR(thread_create_raw(entry, top + 8, (uintptr_t) &tid), EINVAL);
	/* An out pointer that fails the range check: refused before acting. */
	UT_CHECK_ERR(thread_create_raw(entry, top, 0), EFAULT, EINVAL);
	UT_CHECK_ERR(thread_create_raw(entry, top, ADDR_KERNEL), EINVAL);
	thread_sleep_us(20000);
	UT_CHECK_EQ(thread_hostile_ran, 0);
	/* And the same call with good arguments works. */
	UT_CHECK_OK(thread_create_raw(entry, top, (uintptr_t) &tid));
	UT_CHECK_OK(thread_join(tid, NULL));
	UT_CHECK_EQ(thread_hostile_ran, 1);
	UT_CHECK_OK(as_area_destroy(stack));
}

UTEST(syscall_thread_create_null_entry)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run("child:thread-null-entry", &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("child: %s", info.message);
	UT_CHECK_EQ(info.status, EINVAL);
}

static int thread_return_status(void *arg)
{
	return (int) (uintptr_t) arg;
}

UTEST(syscall_thread_join_hostile)
{
	tid_t tid;
	int status = 0;
	UT_CHECK_ERR(thread_join(0xdeadbeef, &status), ENOENT);
	UT_CHECK_ERR(thread_join(0, &status), ENOENT, EINVAL);
	/* Joining itself must fail (not deadlock). */
	UT_CHECK_ERR(thread_join(thread_id(), &status), EINVAL, EBUSY, EPERM, ENOENT);
	UT_ASSERT_OK(thread_create(thread_return_status, (void *) 77, &tid));
	/* A kernel-half status pointer: refused, the thread still joinable. */
	UT_CHECK_ERR((errno_t) syscall2(SYS_THREAD_JOIN, tid, ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR((errno_t) syscall2(SYS_THREAD_JOIN, tid, AS_USER_TOP - 2), EINVAL);
	UT_CHECK_OK(thread_join(tid, &status));
	UT_CHECK_EQ(status, 77);
	UT_CHECK_ERR(thread_join(tid, &status), ENOENT);
}

UTEST(syscall_thread_sleep_yield)
{
	UT_CHECK_OK(thread_yield());
	UT_CHECK_OK(thread_sleep_us(0));
	UT_CHECK_OK(thread_sleep_us(1));
	/* An absurd duration is refused rather than sleeping forever. */
	UT_CHECK_ERR(thread_sleep_us(~0ULL), EINVAL, ERANGE, EOVERFLOW);
	UT_CHECK_EQ(syscall6(SYS_THREAD_YIELD, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL), EOK);
}

static task_exit_info_t task_exit_dummy;

static errno_t spawn_raw(uintptr_t mod, size_t len, uintptr_t args, size_t args_len, uintptr_t out)
{
	task_spawn_t spec = { .module = (const char *) mod,
		.module_len = len,
		.args = (const char *) args,
		.args_len = args_len };
	return (errno_t) syscall2(SYS_TASK_SPAWN, &spec, out);
}

UTEST(syscall_task_spawn_hostile)
{
	static const char mod[] = TESTER_MODULE;
	static const char args[] = "child:exit\0003"; /* two arguments, each NUL-ended */
	uintptr_t m = (uintptr_t) mod, a = (uintptr_t) args;
	size_t ml = strlen(mod), al = sizeof(args);
	task_id_t id;
	uint64_t before = frames_free();
	UT_CHECK_ERR(spawn_raw(0, ml, a, al, (uintptr_t) &id), EFAULT);
	UT_CHECK_ERR(spawn_raw(ADDR_UNMAPPED, ml, a, al, (uintptr_t) &id), EFAULT);
	UT_CHECK_ERR(spawn_raw(ADDR_KERNEL, ml, a, al, (uintptr_t) &id), EINVAL);
	UT_CHECK_ERR(spawn_raw(m, ~(size_t) 0, a, al, (uintptr_t) &id), EINVAL);
	UT_CHECK_ERR(spawn_raw(m, ml, ADDR_UNMAPPED, al, (uintptr_t) &id), EFAULT);
	UT_CHECK_ERR(spawn_raw(m, ml, ADDR_KERNEL, al, (uintptr_t) &id), EINVAL);
	UT_CHECK_ERR(spawn_raw(m, ml, a, ~(size_t) 0, (uintptr_t) &id), ELIMIT);
	/* An argument block whose last argument does not end in a NUL. */
	UT_CHECK_ERR(spawn_raw(m, ml, a, al - 1, (uintptr_t) &id), EINVAL);
	/* More than TASK_SPAWN_ARGS_MAX bytes or TASK_SPAWN_ARGV_MAX
	 * arguments: ELIMIT. */
	static char many[TASK_SPAWN_ARGS_MAX + 1];
	UT_CHECK_ERR(spawn_raw(m, ml, (uintptr_t) many, sizeof(many), (uintptr_t) &id), ELIMIT);
	UT_CHECK_ERR(
	    spawn_raw(m, ml, (uintptr_t) many, TASK_SPAWN_ARGV_MAX, (uintptr_t) &id), ELIMIT);
	UT_CHECK_ERR(spawn_raw(m, ml, a, al, ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(spawn_raw(m, ml, a, al, AS_USER_TOP - 4), EINVAL);
	/* Names that are no module. */
	UT_CHECK_ERR(spawn_raw(m, ml - 1, a, al, (uintptr_t) &id), ENOENT);
	UT_CHECK_ERR(spawn_raw((uintptr_t) "nosuchmodule", 12, a, al, (uintptr_t) &id), ENOENT);
	UT_CHECK_ERR(spawn_raw(m, 0, a, al, (uintptr_t) &id), ENOENT, EINVAL);
	/* The spec itself unreadable. */
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_SPAWN, 0, &id), EFAULT);
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_SPAWN, ADDR_UNMAPPED, &id), EFAULT);
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_SPAWN, ADDR_KERNEL, &id), EINVAL);
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_SPAWN, AS_USER_TOP - 8, &id), EINVAL, EFAULT);
	/* None of that started a task or kept memory. */
	UT_CHECK(frames_settle(before) >= before);
}

UTEST(syscall_task_wait_hostile)
{
	task_exit_info_t info;
	task_id_t id;
	UT_CHECK_ERR(task_wait(0xdeadbeef, &info), ENOENT);
	UT_CHECK_ERR(task_wait(task_id(), &info), EINVAL, ENOENT, EPERM);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:exit 7", &id));
	/* A kernel-half out pointer: refused, the child still waitable. */
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_WAIT, id, ADDR_KERNEL), EINVAL);
	UT_CHECK_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 7);
	UT_CHECK_ERR(task_wait(id, &info), ENOENT);
}

UTEST(syscall_area_create_hostile)
{
	uintptr_t b = 0;
	const uintptr_t f = TEST_FIXED_ADDR;
	const unsigned fx = RW | AS_AREA_FIXED;
	UT_CHECK_ERR(as_area_create(0, PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(AS_USER_FLOOR - PAGE_SIZE, PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(AS_USER_FLOOR - PAGE_SIZE, 2 * PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(ADDR_KERNEL, PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(AS_USER_TOP - PAGE_SIZE, 2 * PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f + 1, PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f + 2048, PAGE_SIZE, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f, 0, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f, 100, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE + 1, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f, ~(size_t) 0 & ~(PAGE_SIZE - 1), fx, &b), EOVERFLOW);
	UT_CHECK_ERR(as_area_create(f, AS_USER_TOP, fx, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(0, ~(size_t) 0 & ~(PAGE_SIZE - 1), RW, &b), EOVERFLOW, EINVAL,
	    ENOMEM, ELIMIT);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE, fx | AS_AREA_EXEC, &b), EPERM);
	UT_CHECK_ERR(as_area_create(0, PAGE_SIZE, AS_AREA_WRITE | AS_AREA_EXEC, &b), EPERM);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE, fx | (1u << 20), &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE, fx | (1u << 31), &b), EINVAL);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE, fx, (uintptr_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE, fx, (uintptr_t *) ADDR_RODATA), EFAULT);
	/* Nothing was created by any of these. */
	as_area_info_t info;
	UT_CHECK_ERR(as_area_query(f, &info), ENOENT);
	UT_CHECK_ERR(as_area_query(AS_USER_FLOOR - PAGE_SIZE, &info), ENOENT, EINVAL);
}

UTEST(syscall_area_ops_hostile)
{
	uintptr_t b;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 2 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	UT_CHECK_ERR(as_area_destroy(ADDR_UNMAPPED), ENOENT);
	UT_CHECK_ERR(as_area_destroy(ADDR_KERNEL), EINVAL, ENOENT);
	UT_CHECK_ERR(as_area_destroy(0), EINVAL, ENOENT);
	UT_CHECK_ERR(as_area_destroy(b + 1), EINVAL, ENOENT);
	UT_CHECK_ERR(as_area_destroy(b + PAGE_SIZE), EINVAL, ENOENT);
	UT_CHECK_ERR(as_area_resize(ADDR_UNMAPPED, PAGE_SIZE), ENOENT);
	UT_CHECK_ERR(as_area_resize(b, 0), EINVAL);
	UT_CHECK_ERR(as_area_resize(b, PAGE_SIZE + 1), EINVAL);
	UT_CHECK_ERR(as_area_resize(b, ~(size_t) 0 & ~(PAGE_SIZE - 1)), EOVERFLOW, EINVAL);
	UT_CHECK_ERR(as_area_resize(b, AS_USER_TOP - b + PAGE_SIZE), EINVAL);
	UT_CHECK_ERR(as_area_unmap(ADDR_UNMAPPED, PAGE_SIZE), ENOENT, EOK);
	UT_CHECK_ERR(as_area_unmap(ADDR_KERNEL, PAGE_SIZE), EINVAL);
	UT_CHECK_ERR(as_area_unmap(b + 1, PAGE_SIZE), EINVAL);
	UT_CHECK_ERR(as_area_unmap(b, 0), EINVAL);
	UT_CHECK_ERR(as_area_unmap(b, 3), EINVAL);
	UT_CHECK_ERR(as_area_unmap(b, ~(size_t) 0 & ~(PAGE_SIZE - 1)), EOVERFLOW, EINVAL);
	UT_CHECK_ERR(as_area_protect(ADDR_UNMAPPED, PAGE_SIZE, AS_AREA_READ), ENOENT);
	UT_CHECK_ERR(as_area_protect(ADDR_KERNEL, PAGE_SIZE, AS_AREA_READ), EINVAL);
	UT_CHECK_ERR(as_area_protect(b + 8, PAGE_SIZE, AS_AREA_READ), EINVAL);
	UT_CHECK_ERR(as_area_protect(b, 0, AS_AREA_READ), EINVAL);
	UT_CHECK_ERR(as_area_protect(b, PAGE_SIZE, AS_AREA_WRITE | AS_AREA_EXEC), EPERM);
	UT_CHECK_ERR(as_area_protect(b, PAGE_SIZE, AS_AREA_READ | (1u << 12)), EINVAL);
	UT_CHECK_ERR(as_area_protect(b, PAGE_SIZE, AS_AREA_READ | AS_AREA_FIXED), EINVAL);
	/* Still one intact area of two pages. */
	as_area_info_t info;
	UT_CHECK_OK(as_area_query(b + PAGE_SIZE, &info));
	UT_CHECK_EQ(info.base, b);
	UT_CHECK_EQ(info.size, 2 * PAGE_SIZE);
	UT_CHECK_EQ(info.flags, RW);
	UT_CHECK_OK(as_area_destroy(b));
}

UTEST(syscall_area_query_list_hostile)
{
	as_area_info_t info[4];
	size_t count = 0;
	uintptr_t text = ADDR_TEXT;
	UT_CHECK_ERR(as_area_query(ADDR_UNMAPPED, &info[0]), ENOENT);
	UT_CHECK_ERR(as_area_query(ADDR_KERNEL, &info[0]), EINVAL, ENOENT);
	UT_CHECK_ERR(as_area_query(text, NULL), EFAULT);
	UT_CHECK_ERR(as_area_query(text, (as_area_info_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(as_area_query(text, (as_area_info_t *) ADDR_RODATA), EFAULT);
	UT_CHECK_ERR(as_area_list(NULL, 4, &count), EFAULT);
	UT_CHECK_ERR(as_area_list((as_area_info_t *) ADDR_KERNEL, 4, &count), EINVAL);
	UT_CHECK_ERR(as_area_list((as_area_info_t *) ADDR_UNMAPPED, 4, &count), EFAULT);
	UT_CHECK_ERR(as_area_list(info, 4, NULL), EFAULT);
	UT_CHECK_ERR(as_area_list(info, 4, (size_t *) ADDR_KERNEL), EINVAL);
	/* max 0 writes nothing and still counts. */
	UT_CHECK_OK(as_area_list(info, 0, &count));
	UT_CHECK(count >= 4);
	/* Room for one entry before the end of an area, a max far larger:
	 * the kernel must stop at the unmapped page, not write past it. */
	uintptr_t b;
	UT_ASSERT_OK(as_area_create(0, PAGE_SIZE, RW, &b));
	as_area_info_t *last = (as_area_info_t *) (b + PAGE_SIZE) - 1;
	UT_CHECK_ERR(as_area_list(last, ~(size_t) 0, &count), EINVAL, EFAULT, EOVERFLOW);
	UT_CHECK_ERR(as_area_list(last, 64, &count), EFAULT);
	UT_CHECK_OK(as_area_list(last, 1, &count));
	UT_CHECK_OK(as_area_destroy(b));
}

/*
 * NULL out pointers.  The ABI does not say whether NULL means "do not
 * report" or is a bad pointer; either is accepted, but the call must then
 * behave consistently: refused (EFAULT/EINVAL) and nothing done, or done.
 */
UTEST(syscall_null_out_pointers)
{
	as_area_info_t info;
	errno_t rc = as_area_create(TEST_FIXED_ADDR, PAGE_SIZE, RW | AS_AREA_FIXED, NULL);
	UT_CHECK_ERR(rc, EOK, EFAULT);
	UT_CHECK_ERR(as_area_query(TEST_FIXED_ADDR, &info), rc == EOK ? EOK : ENOENT);
	if (rc == EOK)
		UT_CHECK_OK(as_area_destroy(TEST_FIXED_ADDR));
	/* A raw thread on a stack of our own (libc's join would free its stack). */
	uintptr_t stack;
	tid_t tid;
	UT_ASSERT_OK(as_area_create(0, 2 * PAGE_SIZE, RW, &stack));
	UT_ASSERT_OK(thread_create_raw(
	    (uintptr_t) thread_hostile_entry, stack + 2 * PAGE_SIZE, (uintptr_t) &tid));
	rc = (errno_t) syscall2(SYS_THREAD_JOIN, tid, 0);
	UT_CHECK_ERR(rc, EOK, EFAULT);
	if (rc != EOK)
		UT_CHECK_OK(thread_join(tid, NULL));
	UT_CHECK_OK(as_area_destroy(stack));
	task_id_t id;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:exit 0", &id));
	rc = (errno_t) syscall2(SYS_TASK_WAIT, id, 0);
	UT_CHECK_ERR(rc, EOK, EFAULT);
	if (rc != EOK)
		UT_CHECK_OK(task_wait(id, &task_exit_dummy));
}

/*
 * DESIGN.md 6: bad input "changes nothing".  An out pointer that is in the
 * user half but unmapped or read-only must make the call fail with EFAULT
 * before it acts: no thread started, no thread joined away, no task
 * started or reaped.  (A kernel can probe the out pointer for writing
 * before acting.)
 */
UTEST(syscall_bad_out_changes_nothing)
{
	uintptr_t stack;
	UT_ASSERT_OK(as_area_create(0, 4 * PAGE_SIZE, RW, &stack));
	uintptr_t top = stack + 4 * PAGE_SIZE, entry = (uintptr_t) thread_hostile_entry;
	thread_hostile_ran = 0;
	UT_CHECK_ERR(thread_create_raw(entry, top, ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR(thread_create_raw(entry, top - 2 * PAGE_SIZE, ADDR_RODATA), EFAULT);
	thread_sleep_us(20000);
	UT_CHECK_EQ(thread_hostile_ran, 0);
	tid_t tid;
	int status = 0;
	UT_ASSERT_OK(thread_create(thread_return_status, (void *) 5, &tid));
	UT_CHECK_ERR((errno_t) syscall2(SYS_THREAD_JOIN, tid, ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR((errno_t) syscall2(SYS_THREAD_JOIN, tid, ADDR_RODATA), EFAULT);
	UT_CHECK_OK(thread_join(tid, &status));
	UT_CHECK_EQ(status, 5);
	task_id_t id;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:exit 6", &id));
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_WAIT, id, ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR((errno_t) syscall2(SYS_TASK_WAIT, id, ADDR_RODATA), EFAULT);
	UT_CHECK_OK(task_wait(id, &task_exit_dummy));
	UT_CHECK_EQ(task_exit_dummy.status, 6);
	UT_CHECK_OK(as_area_destroy(stack));
}
