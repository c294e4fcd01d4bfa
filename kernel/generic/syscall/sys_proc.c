/*
 * System calls for the console, threads, tasks and statistics.  Each
 * handler validates and unpacks its arguments first (user pointers become
 * uspace_ptr_t and are only copied), then calls the operation.
 */
#include <abi/as.h>
#include <abi/syscall.h>
#include <adt/btree_alloc.h>
#include <arch/arch.h>
#include <arch/fpu.h>
#include <console/console.h>
#include <ddi/caps.h>
#include <ddi/dma.h>
#include <ipc/ipc.h>
#include <mm/as.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <proc/exec.h>
#include <proc/program.h>
#include <proc/scheduler.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <synch/futex.h>
#include <syscall/syscall.h>
#include <time/timer.h>

#define KCONSOLE_MAX (64 * 1024)
#define KCONSOLE_CHUNK 256
#define THREAD_SLEEP_MAX_US (3600ULL * 1000000)

sysarg_t sys_kconsole_write(const sysargs_t *a)
{
	uspace_ptr_t buf = uspace_ptr(a->a[0]);
	size_t len = a->a[1];
	char chunk[KCONSOLE_CHUNK];
	if (len > KCONSOLE_MAX)
		return EINVAL;
	errno_t rc = uspace_range_check(buf, len);
	for (size_t off = 0; rc == EOK && off < len; off += KCONSOLE_CHUNK) {
		size_t n = len - off < KCONSOLE_CHUNK ? len - off : KCONSOLE_CHUNK;
		rc = copy_from_uspace(chunk, uspace_ptr_add(buf, off), n);
		if (rc == EOK)
			console_write(chunk, n);
	}
	return rc;
}

sysarg_t sys_thread_create(const sysargs_t *a)
{
	uintptr_t entry = a->a[0], stack = a->a[1], arg = a->a[2];
	uspace_ptr_t out = uspace_ptr(a->a[3]);
	if (entry < AS_USER_FLOOR || entry >= AS_USER_TOP || stack < AS_USER_FLOOR ||
	    stack > AS_USER_TOP || (stack & 15))
		return EINVAL;
	tid_t tid = 0;
	if (uspace_ptr_is_null(out))
		return EINVAL;
	/* Prove the out pointer writable first: a bad one changes nothing. */
	errno_t rc = copy_to_uspace(out, &tid, sizeof(tid));
	if (rc != EOK)
		return rc;
	/* The stack's top page gets its memory now: a thread that could not
	 * take its first step (no frame for the page or its page table) is
	 * an error of this call (ENOMEM), not a fault that kills the task. */
	bool in_area;
	rc = as_page_fault(TASK->as, stack - 1, FAULT_ACCESS_WRITE, &in_area);
	if (rc != EOK)
		return in_area ? rc : EINVAL;
	rc = task_thread_start(TASK, entry, stack, arg, &tid);
	if (rc != EOK)
		return rc;
	return copy_to_uspace(out, &tid, sizeof(tid));
}

sysarg_t sys_thread_exit(const sysargs_t *a)
{
	thread_exit((int) a->a[0]);
}

sysarg_t sys_thread_join(const sysargs_t *a)
{
	tid_t tid = a->a[0];
	uspace_ptr_t out = uspace_ptr(a->a[1]);
	int status = 0;
	errno_t rc = uspace_ptr_is_null(out) ? EOK : copy_to_uspace(out, &status, sizeof(status));
	if (rc != EOK)
		return rc; /* checked before joining: a bad pointer loses nothing */
	if (tid == THREAD->id)
		return EINVAL;
	thread_t *t = task_thread_find(TASK, tid);
	if (!t)
		return ENOENT;
	/* Interruptible: a task whose threads join each other must still die. */
	rc = thread_join_flags(t, &status, WAITQ_INTERRUPTIBLE);
	if (rc != EOK) {
		task_thread_unclaim(TASK, t); /* drops task_thread_find's reference */
		return rc;
	}
	task_thread_forget(TASK, t); /* thread_join dropped find's reference */
	return uspace_ptr_is_null(out) ? EOK : copy_to_uspace(out, &status, sizeof(status));
}

sysarg_t sys_thread_yield(const sysargs_t *a)
{
	(void) a;
	scheduler_yield_lowest(); /* a user-space lock's waiter: the holder runs first */
	return EOK;
}

/* SYS_FUTEX_WAIT(const uint32_t *addr, uint32_t expected, uint64_t usec) */
sysarg_t sys_futex_wait(const sysargs_t *a)
{
	if (a->a[1] > UINT32_MAX || a->a[2] > THREAD_SLEEP_MAX_US)
		return EINVAL;
	return futex_wait(uspace_ptr(a->a[0]), (uint32_t) a->a[1], a->a[2]);
}

/* SYS_FUTEX_WAKE(const uint32_t *addr, uint32_t count) */
sysarg_t sys_futex_wake(const sysargs_t *a)
{
	uint32_t woken;
	if (a->a[1] > UINT32_MAX)
		return EINVAL;
	return futex_wake(uspace_ptr(a->a[0]), (uint32_t) a->a[1], &woken);
}

sysarg_t sys_thread_sleep(const sysargs_t *a)
{
	uint64_t usec = a->a[0];
	if (usec > THREAD_SLEEP_MAX_US)
		return EINVAL;
	return thread_sleep(usec);
}

sysarg_t sys_thread_id(const sysargs_t *a)
{
	(void) a;
	return THREAD->id;
}

sysarg_t sys_task_exit(const sysargs_t *a)
{
	task_exit_info_t info = { .reason = TASK_EXIT_NORMAL, .status = (int) a->a[0] };
	task_exit_current(&info);
}

sysarg_t sys_task_id(const sysargs_t *a)
{
	(void) a;
	return TASK->id;
}

/* Copy a bounded string from user space; EINVAL if too long. */
static errno_t sys_copy_string(uspace_ptr_t p, size_t len, char *buf, size_t size)
{
	if (len >= size)
		return EINVAL;
	errno_t rc = copy_from_uspace(buf, p, len);
	if (rc != EOK)
		return rc;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			return EINVAL;
	}
	return EOK;
}

/* The spec of SYS_TASK_SPAWN, copied in: the module's name, the argument
 * block (malloc'ed) and the capabilities. */
typedef struct sys_spawn {
	char name[TASK_NAME_MAX];
	char *args;
	size_t args_len;
	cap_handle_t handles[TASK_SPAWN_CAPS_MAX];
	size_t ncaps;
} sys_spawn_t;

static errno_t sys_spawn_copy_in(uspace_ptr_t uspec, sys_spawn_t *sp)
{
	task_spawn_t spec;
	errno_t rc = copy_from_uspace(&spec, uspec, sizeof(spec));
	if (rc != EOK)
		return rc;
	rc = sys_copy_string(
	    uspace_ptr((uintptr_t) spec.module), spec.module_len, sp->name, sizeof(sp->name));
	if (rc == EOK && spec.args_len > TASK_SPAWN_ARGS_MAX)
		rc = ELIMIT;
	if (rc == EOK && spec.ncaps > TASK_SPAWN_CAPS_MAX)
		rc = EINVAL;
	if (rc != EOK)
		return rc;
	sp->args_len = spec.args_len;
	sp->ncaps = spec.ncaps;
	sp->args = malloc(spec.args_len + 1);
	if (!sp->args)
		return ENOMEM;
	rc = copy_from_uspace(sp->args, uspace_ptr((uintptr_t) spec.args), spec.args_len);
	if (rc == EOK && spec.ncaps > 0)
		rc = copy_from_uspace(sp->handles, uspace_ptr((uintptr_t) spec.caps),
		    spec.ncaps * sizeof(sp->handles[0]));
	if (rc == EOK && sp->name[0] == '\0')
		rc = EINVAL;
	return rc;
}

sysarg_t sys_task_spawn(const sysargs_t *a)
{
	sys_spawn_t *sp = malloc(sizeof(*sp)); /* big for the kernel stack */
	uspace_ptr_t out = uspace_ptr(a->a[1]);
	task_id_t id = 0;
	caps_held_t held;
	if (!sp)
		return ENOMEM;
	sp->args = NULL;
	errno_t rc = sys_spawn_copy_in(uspace_ptr(a->a[0]), sp);
	/* Prove the out pointer writable first: a bad one changes nothing. */
	if (rc == EOK && !uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &id, sizeof(id));
	/* Every capability is checked (and a reference taken) before the
	 * task is made: a handle the caller does not hold starts nothing. */
	if (rc == EOK)
		rc = caps_hold(&TASK->caps, sp->handles, sp->ncaps, &held);
	if (rc != EOK)
		goto out;
	rc = program_spawn_module_caps(sp->name, sp->args, sp->args_len, TASK->id, &held, &id);
	caps_release(&held); /* nothing if the child took them */
	if (rc == EOK && !uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &id, sizeof(id));
out:
	free(sp->args);
	free(sp);
	return rc;
}

/* The spec of SYS_TASK_EXEC, copied and unpacked into @a p. */
static errno_t sys_exec_copy_in(uspace_ptr_t uspec, task_exec_plan_t *p)
{
	task_exec_t spec;
	cap_info_t info;
	errno_t rc = copy_from_uspace(&spec, uspec, sizeof(spec));
	if (rc != EOK)
		return rc;
	if (spec.nkeep > TASK_EXEC_KEEP_MAX || spec.nkeep_caps > TASK_EXEC_KEEP_MAX)
		return EINVAL;
	*p = (task_exec_plan_t){ .entry = spec.entry,
		.stack_top = spec.stack_top,
		.arg = spec.arg,
		.nkeep = spec.nkeep };
	rc = sys_copy_string(
	    uspace_ptr((uintptr_t) spec.name), spec.name_len, p->name, sizeof(p->name));
	if (rc == EOK)
		rc = copy_from_uspace(
		    p->keep, uspace_ptr((uintptr_t) spec.keep), spec.nkeep * sizeof(p->keep[0]));
	/* The phone to ns stays (every task starts with it) if it is held. */
	if (cap_info(&TASK->caps, IPC_PHONE_NS, &info) == EOK)
		p->keep_caps[p->nkeep_caps++] = IPC_PHONE_NS;
	if (rc == EOK)
		rc = copy_from_uspace(p->keep_caps + p->nkeep_caps,
		    uspace_ptr((uintptr_t) spec.keep_caps), spec.nkeep_caps * sizeof(cap_handle_t));
	p->nkeep_caps += spec.nkeep_caps;
	return rc;
}

/* The thread leaves the call at the program's entry: rip (rcx for
 * sysret), rsp and rdi from the plan, every other register 0, the flags
 * and the FPU as a new thread's. */
static void sys_exec_enter(sysargs_t *r, const task_exec_plan_t *p)
{
	*r = (sysargs_t){ .rcx = p->entry, .rsp = p->stack_top, .r11 = RFLAGS_IF };
	r->a[0] = p->arg;
	ipl_t ipl = arch_interrupts_disable(); /* no switch between the two */
	fpu_state_init(THREAD->fpu);
	fpu_restore(THREAD->fpu);
	arch_interrupts_restore(ipl);
}

sysarg_t sys_task_exec(const sysargs_t *a)
{
	task_exec_plan_t *p = malloc(sizeof(*p));
	if (!p)
		return ENOMEM;
	errno_t rc = sys_exec_copy_in(uspace_ptr(a->a[0]), p);
	if (rc == EOK)
		rc = task_exec_check(TASK, p);
	if (rc == EOK) {
		task_exec_commit(TASK, p);
		sys_exec_enter((sysargs_t *) a, p); /* the saved registers: not const */
	}
	free(p);
	return rc; /* rax: EOK for the program too */
}

static sysarg_t sys_task_wait_how(const sysargs_t *a, bool until_exec)
{
	task_id_t id = a->a[0];
	uspace_ptr_t out = uspace_ptr(a->a[1]);
	task_exit_info_t info = { 0 };
	/* Checked before waiting: a bad pointer must not lose the child. */
	errno_t rc = uspace_ptr_is_null(out) ? EOK : copy_to_uspace(out, &info, sizeof(info));
	if (rc != EOK)
		return rc;
	rc = until_exec ? task_wait_exec(id, &info) : task_wait(id, &info);
	if (rc != EOK)
		return rc;
	return uspace_ptr_is_null(out) ? EOK : copy_to_uspace(out, &info, sizeof(info));
}

sysarg_t sys_task_wait(const sysargs_t *a)
{
	return sys_task_wait_how(a, false);
}

sysarg_t sys_task_wait_exec(const sysargs_t *a)
{
	return sys_task_wait_how(a, true);
}

sysarg_t sys_task_kill(const sysargs_t *a)
{
	return task_kill(TASK, (task_id_t) a->a[0]);
}

/* SYS_TASK_RIGHT(task_id_t child, cap_handle_t *out) */
sysarg_t sys_task_right(const sysargs_t *a)
{
	uspace_ptr_t out = uspace_ptr(a->a[1]);
	cap_handle_t h;
	/* Prove the out pointer writable first (writing back what is there):
	 * a bad one changes nothing. */
	errno_t rc = copy_from_uspace(&h, out, sizeof(h));
	if (rc == EOK)
		rc = copy_to_uspace(out, &h, sizeof(h));
	if (rc != EOK)
		return rc;
	rc = task_right_make(TASK, (task_id_t) a->a[0], &h);
	if (rc != EOK)
		return rc;
	rc = copy_to_uspace(out, &h, sizeof(h));
	if (rc != EOK) /* a sibling unmapped it meanwhile: take the handle back */
		(void) cap_drop(&TASK->caps, h);
	return rc;
}

/* SYS_TASK_KILL_RIGHT(cap_handle_t right) */
sysarg_t sys_task_kill_right(const sysargs_t *a)
{
	return task_kill_right(TASK, sys_handle(a->a[0]));
}

/* Check a list call's out pointers (abi/syscall.h: SYS_TASK_LIST,
 * SYS_TASK_AREA_LIST): room for @a max records of @a size bytes at @a out
 * and a writable *count_out (0 written): EINVAL, EOVERFLOW, EFAULT. */
static errno_t sys_list_check(uspace_ptr_t out, size_t max, size_t size, uspace_ptr_t count_out)
{
	size_t zero = 0;
	if (max > SIZE_MAX / size)
		return EOVERFLOW;
	errno_t rc = uspace_range_check(out, max * size);
	if (rc == EOK)
		rc = copy_to_uspace(count_out, &zero, sizeof(zero));
	return rc;
}

/* SYS_TASK_LIST(task_info_t *out, size_t max, size_t *count_out): one
 * task at a time, no lock held while copying out. */
sysarg_t sys_task_list(const sysargs_t *a)
{
	uspace_ptr_t out = uspace_ptr(a->a[0]), count_out = uspace_ptr(a->a[2]);
	size_t max = a->a[1], done = 0;
	task_id_t from = 0;
	task_info_t info;
	errno_t rc = sys_list_check(out, max, sizeof(info), count_out);
	while (rc == EOK && done < max && task_info_next(from, &info) == EOK) {
		rc = copy_to_uspace(uspace_ptr_add(out, done * sizeof(info)), &info, sizeof(info));
		from = info.id + 1;
		done++;
	}
	if (rc != EOK)
		return rc;
	size_t total = task_count();
	if (total < done) /* more were made while we listed */
		total = done;
	return copy_to_uspace(count_out, &total, sizeof(total));
}

static size_t sys_area_detail_fill(as_t *as, uintptr_t *from, void *buf, size_t max)
{
	return as_area_detail_from(as, from, buf, max);
}

/* SYS_TASK_AREA_LIST(task_id_t id, task_area_info_t *out, size_t max,
 * size_t *count_out) */
sysarg_t sys_task_area_list(const sysargs_t *a)
{
	uspace_ptr_t out = uspace_ptr(a->a[1]), count_out = uspace_ptr(a->a[3]);
	size_t max = a->a[2], total = 0;
	as_t *as;
	errno_t rc = sys_list_check(out, max, sizeof(task_area_info_t), count_out);
	if (rc == EOK)
		rc = task_as_inspect(TASK, (task_id_t) a->a[0], &as);
	if (rc != EOK)
		return rc;
	if (as) {
		total = as_area_count(as);
		rc = sys_area_records_out(
		    as, out, max, sizeof(task_area_info_t), sys_area_detail_fill);
		as_release(as);
	}
	if (rc != EOK)
		return rc;
	return copy_to_uspace(count_out, &total, sizeof(total));
}

/* The machine goes off at a task's request ("poweroff" in the shell). */
sysarg_t sys_system_poweroff(const sysargs_t *a)
{
	if (a->a[0] != SYSTEM_POWEROFF)
		return EINVAL;
	printf("kernel: power off requested by task %llu (%zu tasks)\n",
	    (unsigned long long) TASK->id, task_count());
	arch_poweroff(ARCH_EXIT_SUCCESS);
}

sysarg_t sys_uptime(const sysargs_t *a)
{
	uint64_t ns = timer_uptime_ms() * 1000000ULL;
	return copy_to_uspace(uspace_ptr(a->a[0]), &ns, sizeof(ns));
}

sysarg_t sys_mem_stats(const sysargs_t *a)
{
	slab_reclaim(); /* cached empty slabs are free memory */
	size_t use[FRAME_USE_COUNT];
	size_t nfree = frame_use_counts(use);
	size_t objs[3] = { malloc_live_count(), ipc_calls_live(), btree_nodes_live() };
	mem_stats_t st = { .total_frames = frame_total_count(),
		.free_frames = nfree,
		.page_size = PAGE_SIZE,
		.kernel_objects = objs[0] + objs[1] + objs[2],
		.tasks = task_count(),
		.threads = thread_count(),
		.handles = task_handles_used(),
		.dma_quarantined = dma_quarantined_pages(),
		.frames_wired = use[FRAME_USE_WIRED],
		.frames_page_tables = use[FRAME_USE_PTABLE],
		.frames_kernel_stacks = use[FRAME_USE_KSTACK],
		.frames_slab = use[FRAME_USE_SLAB],
		.frames_kmalloc = use[FRAME_USE_LARGE],
		.frames_dma = use[FRAME_USE_DMA],
		.frames_other = use[FRAME_USE_NONE],
		.objects_malloc = objs[0],
		.objects_calls = objs[1],
		.objects_btree = objs[2] };
	return copy_to_uspace(uspace_ptr(a->a[0]), &st, sizeof(st));
}

sysarg_t sys_task_stats(const sysargs_t *a)
{
	task_t *task = TASK;
	task_stats_t st = { .handles = cap_used(&task->caps),
		.areas = as_area_count(task->as),
		.resident = as_resident_pages(task->as) };
	mutex_lock(&task->lock);
	st.threads = task->thread_count;
	mutex_unlock(&task->lock);
	answerbox_t *box = task->box;
	mutex_lock(&box->lock);
	st.calls_waiting = box->calls_count;
	st.calls_outstanding = box->outstanding;
	mutex_unlock(&box->lock);
	return copy_to_uspace(uspace_ptr(a->a[0]), &st, sizeof(st));
}
