/*
 * Threads.
 *
 * Every thread has a kernel stack of KSTACK_SIZE bytes in the kernel-stack
 * region, with an unmapped guard below it, and a saved kernel context (its
 * stack pointer; callee-saved registers live on the stack).  A user thread
 * also has a task, FPU/SSE state and a user entry.  Kernel threads have no
 * task and never touch the FPU (the kernel is built without SSE).
 *
 * Lifetime: a reference count.  The thread itself holds one until it has
 * switched away for the last time; its creator holds one (the handle) until
 * it joins or detaches.  The last reference frees stack and structure.
 *
 * Locks (a thread has none of its own): sched_lock protects state,
 * rq_link, rq_since, priority and quantum (the timer tick updates them
 * under it, for the running thread and for aging); the lock of the
 * wait queue it sleeps on protects wq_link, sleep_result and
 * sleep_interruptible (sleep_wq is set under it and read atomically);
 * timeout_lock protects timeout_link and sleep_deadline; join_wq's lock
 * protects exit_status and the change to EXITED; the task's lock protects
 * task_link and join_claimed; interrupted and refcount are atomics.
 */
#ifndef KERN_PROC_THREAD_H_
#define KERN_PROC_THREAD_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <adt/list.h>
#include <ipc/ipc_wait.h>
#include <proc/cpu.h>
#include <stdbool.h>
#include <stdint.h>
#include <synch/spinlock.h>
#include <synch/waitq.h>

#define KSTACK_PAGES 4
#define KSTACK_SIZE (KSTACK_PAGES * 4096)
#define THREAD_NAME_MAX 32

typedef enum thread_state {
	THREAD_NEW,
	THREAD_READY,
	THREAD_RUNNING,
	THREAD_SLEEPING,
	THREAD_EXITED,
} thread_state_t;

struct task;

typedef struct thread {
	tid_t id;
	char name[THREAD_NAME_MAX];
	struct task *task; /* NULL for kernel threads */
	thread_state_t state;
	unsigned priority; /* current run-queue level */
	unsigned base_priority; /* level it returns to after sleeping */
	unsigned quantum; /* ticks left in this time slice */
	uint64_t rq_since; /* tick it joined its run queue (aging) */
	bool on_cpu; /* its context is in use by a CPU */
	uint64_t kernel_sp; /* saved stack pointer while switched out */
	uintptr_t kstack; /* lowest address of the kernel stack */
	void *fpu; /* FXSAVE area (user threads), 16-aligned */
	link_t rq_link; /* run queue */
	link_t wq_link; /* wait queue it sleeps on */
	link_t task_link; /* task's thread list */
	link_t all_link; /* global thread list */
	/* sleeping */
	waitq_t *sleep_wq;
	errno_t sleep_result;
	bool sleep_interruptible;
	uint64_t sleep_deadline; /* timer ticks; 0 = none */
	link_t timeout_link;
	/* interruption (task kill) */
	bool interrupted;
	/* IPC: waiting for events on the task's box (box lock, ipc/ipc_wait.h);
	 * the call object reused by this thread's synchronous calls (owned) */
	ipc_waiter_t ipc_wait;
	struct call *ipc_call;
	/* exit and join */
	int exit_status;
	waitq_t join_wq;
	bool join_claimed; /* a joiner has it (task lock, user threads) */
	unsigned refcount;
	/* entry */
	void (*kentry)(void *arg);
	void *karg;
	uintptr_t uentry, ustack, uarg; /* user threads */
	uint64_t cycles_run;
} thread_t;

#define THREAD (cpu_current()->current)

void thread_init(void);
/* A kernel thread running fn(arg); EINVAL, ENOMEM.  Not yet runnable. */
errno_t thread_create_kernel(void (*fn)(void *), void *arg, const char *name, thread_t **out);
/* A user thread of @a task starting at entry with rsp = stack, rdi = arg. */
errno_t thread_create_user(struct task *task, uintptr_t entry, uintptr_t stack, uintptr_t arg,
    const char *name, thread_t **out);
void thread_ready(thread_t *t);
_Noreturn void thread_exit(int status);
/* Wait for @a t to exit; drops the creator's reference.  EOK. */
errno_t thread_join(thread_t *t, int *status);
/* The same with waitq flags: WAITQ_INTERRUPTIBLE gives EINTR (and the
 * caller keeps its reference) when the joiner is interrupted. */
errno_t thread_join_flags(thread_t *t, int *status, unsigned flags);
void thread_detach(thread_t *t);
void thread_hold(thread_t *t);
void thread_release(thread_t *t);
/* Sleep for at least @a usec microseconds.  EOK, or EINTR if interrupted. */
errno_t thread_sleep(uint64_t usec);
void thread_yield(void);
/* Ask a thread to stop: its interruptible sleeps end with EINTR. */
void thread_interrupt(thread_t *t);
size_t thread_count(void);
/* Called with a new thread's first run, on its own stack. */
void thread_first_run(void);

#endif
