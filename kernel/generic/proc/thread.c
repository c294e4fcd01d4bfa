/*
 * Threads (see proc/thread.h for the lifetime and the lock).
 *
 * A new thread's kernel stack is prepared so that the first context
 * switch to it "returns" into thread_entry_stub, which calls
 * thread_first_run(): finish the switch, enable interrupts, then run the
 * kernel function or enter user mode.
 *
 * Exit: the thread marks itself EXITED under its join queue's lock, wakes
 * the joiners and switches away for good; the CPU that switches away from
 * it drops the thread's own reference (scheduler_finish_switch), so the
 * stack is freed only when nobody runs on it.
 */
#include <arch/arch.h>
#include <arch/fpu.h>
#include <console/console.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <lib/printf_core.h>
#include <mem.h>
#include <mm/kstack.h>
#include <mm/malloc.h>
#include <mm/slab.h>
#include <proc/scheduler.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <time/timer.h>

extern char boot_stack_bottom[];
void thread_entry_stub(void);
noreturn void arch_user_enter(uintptr_t entry, uintptr_t stack, uintptr_t arg);

static slab_cache_t thread_cache;
static slab_cache_t fpu_cache;
static tid_t next_tid = 1;
static size_t threads_live;
static thread_t thread0;

static void thread_fields_init(thread_t *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->id = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	ksnprintf(t->name, sizeof(t->name), "%s", name);
	t->state = THREAD_NEW;
	t->priority = t->base_priority = 0;
	waitq_initialize(&t->join_wq);
	link_initialize(&t->rq_link);
	link_initialize(&t->wq_link);
	link_initialize(&t->task_link);
	link_initialize(&t->timeout_link);
	link_initialize(&t->ipc_wait.link);
	waitq_initialize(&t->ipc_wait.wq);
	t->refcount = 1;
}

void thread_init(void)
{
	errno_t rc = slab_cache_init(&thread_cache, "thread", sizeof(thread_t), 16);
	assert(rc == EOK);
	rc = slab_cache_init(&fpu_cache, "fpu-state", FPU_STATE_SIZE, FPU_STATE_ALIGN);
	assert(rc == EOK);
	/* The boot context becomes thread 0, running on the boot stack. */
	thread_fields_init(&thread0, "kmain");
	thread0.state = THREAD_RUNNING;
	thread0.quantum = SCHED_QUANTUM_TICKS;
	thread0.on_cpu = true;
	thread0.kstack = (uintptr_t) boot_stack_bottom;
	thread0.refcount = 2; /* never freed */
	CPU->current = &thread0;
	CPU->kernel_rsp = thread0.kstack + KSTACK_SIZE;
}

/* Lay out the stack so the first switch lands in thread_entry_stub. */
static void thread_stack_prepare(thread_t *t)
{
	uint64_t *sp = (uint64_t *) (t->kstack + KSTACK_SIZE);
	/* After the "ret" rsp is the stack top (16n); the stub's call then
	 * enters thread_first_run with rsp = 16n - 8, as the ABI wants. */
	*--sp = (uint64_t) thread_entry_stub; /* "return" address */
	for (int i = 0; i < 6; i++)
		*--sp = 0; /* rbp rbx r12 r13 r14 r15 */
	t->kernel_sp = (uint64_t) sp;
}

static errno_t thread_alloc(const char *name, bool user, thread_t **out)
{
	thread_t *t = slab_alloc(&thread_cache);
	if (!t)
		return ENOMEM;
	thread_fields_init(t, name);
	t->refcount = 2; /* the thread itself + the creator's handle */
	errno_t rc = kstack_alloc(&t->kstack);
	if (rc != EOK)
		goto fail;
	if (user) {
		t->fpu = slab_alloc(&fpu_cache);
		if (!t->fpu) {
			kstack_free(t->kstack);
			rc = ENOMEM;
			goto fail;
		}
		fpu_state_init(t->fpu);
	}
	thread_stack_prepare(t);
	__atomic_add_fetch(&threads_live, 1, __ATOMIC_RELAXED);
	*out = t;
	return EOK;
fail:
	slab_free(&thread_cache, t);
	return rc;
}

errno_t thread_create_kernel(void (*fn)(void *), void *arg, const char *name, thread_t **out)
{
	if (!fn)
		return EINVAL;
	thread_t *t;
	errno_t rc = thread_alloc(name, false, &t);
	if (rc != EOK)
		return rc;
	t->kentry = fn;
	t->karg = arg;
	*out = t;
	return EOK;
}

errno_t thread_create_user(struct task *task, uintptr_t entry, uintptr_t stack, uintptr_t arg,
    const char *name, thread_t **out)
{
	thread_t *t;
	errno_t rc = thread_alloc(name, true, &t);
	if (rc != EOK)
		return rc;
	t->task = task;
	t->uentry = entry;
	t->ustack = stack;
	t->uarg = arg;
	*out = t;
	return EOK;
}

void thread_ready(thread_t *t)
{
	scheduler_make_ready(t);
}

void thread_first_run(void)
{
	scheduler_finish_switch();
	thread_t *t = THREAD;
	irq_enable();
	if (t->task && __atomic_load_n(&t->interrupted, __ATOMIC_ACQUIRE))
		task_thread_terminate(); /* its task ended before it ever ran */
	if (t->task)
		arch_user_enter(t->uentry, t->ustack, t->uarg);
	t->kentry(t->karg);
	thread_exit(0);
}

void thread_hold(thread_t *t)
{
	__atomic_add_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL);
}

void thread_release(thread_t *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	assert(t->state == THREAD_EXITED && !t->on_cpu && t != &thread0);
	scheduler_thread_gone(t);
	kstack_free(t->kstack);
	if (t->fpu)
		slab_free(&fpu_cache, t->fpu);
	if (t->task)
		task_release(t->task);
	slab_free(&thread_cache, t);
	__atomic_sub_fetch(&threads_live, 1, __ATOMIC_RELAXED);
}

noreturn void thread_exit(int status)
{
	thread_t *t = THREAD;
	assert(t != &thread0 && t != CPU->idle);
	ipc_thread_exiting(t);
	if (t->task)
		task_thread_exiting(t, status);
	ipl_t ipl = arch_interrupts_disable();
	(void) ipl;
	spinlock_lock(&t->join_wq.lock.lock);
	t->exit_status = status;
	spinlock_lock(&sched_lock);
	t->state = THREAD_EXITED;
	spinlock_unlock(&sched_lock);
	while (!list_empty(&t->join_wq.sleepers)) {
		thread_t *j = list_get_instance(
		    list_first(&t->join_wq.sleepers), thread_t, wq_link);
		waitq_wake_thread_locked(&t->join_wq, j, EOK);
	}
	spinlock_unlock(&t->join_wq.lock.lock);
	scheduler_switch();
	panic("an exited thread was scheduled again");
}

errno_t thread_join_flags(thread_t *t, int *status, unsigned flags)
{
	assert(t != THREAD);
	errno_t rc = EOK;
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&t->join_wq.lock.lock);
	while (t->state != THREAD_EXITED && rc == EOK) {
		rc = waitq_sleep_locked(&t->join_wq, 0, flags, ipl);
		ipl = arch_interrupts_disable();
		spinlock_lock(&t->join_wq.lock.lock);
	}
	spinlock_unlock(&t->join_wq.lock.lock);
	arch_interrupts_restore(ipl);
	if (rc != EOK)
		return rc; /* interrupted: the reference stays the caller's */
	if (status)
		*status = t->exit_status;
	thread_release(t);
	return EOK;
}

errno_t thread_join(thread_t *t, int *status)
{
	return thread_join_flags(t, status, 0);
}

void thread_detach(thread_t *t)
{
	thread_release(t);
}

errno_t thread_sleep(uint64_t usec)
{
	waitq_t wq;
	waitq_initialize(&wq);
	errno_t rc = waitq_sleep(&wq, usec ? usec : 1, WAITQ_INTERRUPTIBLE);
	return rc == ETIMEOUT ? EOK : rc;
}

void thread_yield(void)
{
	ipl_t ipl = arch_interrupts_disable();
	scheduler_switch();
	arch_interrupts_restore(ipl);
}

void thread_interrupt(thread_t *t)
{
	__atomic_store_n(&t->interrupted, true, __ATOMIC_SEQ_CST);
	ipl_t ipl = arch_interrupts_disable();
	for (;;) {
		waitq_t *wq = __atomic_load_n(&t->sleep_wq, __ATOMIC_SEQ_CST);
		if (!wq)
			break;
		spinlock_lock(&wq->lock.lock);
		bool same = t->sleep_wq == wq;
		if (same && t->sleep_interruptible)
			waitq_wake_thread_locked(wq, t, EINTR);
		spinlock_unlock(&wq->lock.lock);
		if (same)
			break;
	}
	arch_interrupts_restore(ipl);
}

size_t thread_count(void)
{
	return __atomic_load_n(&threads_live, __ATOMIC_RELAXED);
}
