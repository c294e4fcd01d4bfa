/*
 * Tasks: the unit of protection.  A task owns an address space, a
 * capability table (empty until IPC exists), its threads, a name, and,
 * once it has ended, the reason it ended, which its parent reads with
 * task_wait().
 *
 * Lifetime: a task is RUNNING until its last thread exits; then its address
 * space is released and it becomes a ZOMBIE that keeps only the exit
 * information until its parent waits for it (or the parent itself ends).
 * Reaping takes the task off the task list; the structure itself is freed
 * when the last reference goes (the list's, one per thread, one per waiter),
 * so a thread that still runs or a second waiter never sees freed memory.
 *
 * Lock: task_t.lock (mutex) protects the thread list, the state and the
 * exit information; tasks_lock (mutex) protects the global task list and
 * the parent links.  Order: tasks_lock -> task_t.lock -> as lock.
 */
#ifndef KERN_PROC_TASK_H_
#define KERN_PROC_TASK_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <adt/list.h>
#include <cap/cap.h>
#include <stdbool.h>
#include <synch/condvar.h>
#include <synch/mutex.h>

struct as;
struct ddi_iomap;
struct thread;

typedef enum task_state {
	TASK_RUNNING,
	TASK_EXITING, /* killed or exited: threads are being stopped */
	TASK_ZOMBIE, /* every thread is gone; exit info waits for the parent */
} task_state_t;

typedef struct task {
	task_id_t id;
	char name[TASK_NAME_MAX];
	struct as *as;
	struct answerbox *box; /* its answerbox (ipc/ipc.h) */
	cap_table_t caps; /* phones, received calls, device ranges */
	/* I/O ports it enabled (ddi/ioport.h; NULL: none): iomap_lock */
	struct ddi_iomap *iomap;
	mutex_t lock;
	task_state_t state;
	list_t threads; /* thread_t.task_link */
	size_t thread_count; /* threads not yet exited */
	/* threads on the list and those being created: at most
	 * TASK_THREADS_MAX (an exited thread stays until it is joined) */
	size_t threads_held;
	task_exit_info_t exit; /* valid once exiting */
	bool exit_set;
	bool execed; /* it called SYS_TASK_EXEC (lock) */
	task_id_t parent; /* 0: the kernel */
	condvar_t state_cv; /* signalled when the task becomes a zombie */
	link_t tasks_link;
	bool waited; /* a waiter has claimed the reaping (tasks_lock) */
	size_t refcount; /* atomic: the task list, each thread, each waiter */
} task_t;

#define TASK (cpu_current()->current ? cpu_current()->current->task : NULL)

void task_init(void);
/* Give @a task a new name (SYS_TASK_EXEC: the program it became). */
void task_rename(task_t *task, const char *name);
/* Make an empty task with a new address space: ENOMEM. */
errno_t task_create(const char *name, task_id_t parent, task_t **out);
/* Undo task_create() for a task none of whose threads ever started. */
void task_destroy_unstarted(task_t *task);
/* Add a user thread starting at entry and make it runnable: ELIMIT (the
 * task holds TASK_THREADS_MAX threads), ENOMEM, EINTR (the task ends). */
errno_t task_thread_start(
    task_t *task, uintptr_t entry, uintptr_t stack, uintptr_t arg, tid_t *tid_out);
/* Called by a user thread on its way out (from thread_exit). */
void task_thread_exiting(struct thread *t, int status);
/* End the current task: record why (first reason wins), stop all threads. */
_Noreturn void task_exit_current(const task_exit_info_t *info);
/* Wait until child @a id ends; fills *info and reaps it.  ENOENT, EINTR. */
errno_t task_wait(task_id_t id, task_exit_info_t *info);
/* Wait until child @a id has become its program (SYS_TASK_EXEC: *info
 * all zero, the child runs on) or has ended (as task_wait). */
errno_t task_wait_exec(task_id_t id, task_exit_info_t *info);
/* @a task became its program: wake task_wait_exec. */
void task_mark_execed(task_t *task);
/* End child @a id of @a parent (SYS_TASK_KILL's rules: ENOENT, EPERM,
 * EINVAL); its threads are interrupted and it ends as if one of them had
 * exited the task, with reason TASK_EXIT_KILLED. */
errno_t task_kill(task_t *parent, task_id_t id);
/* Put a new right to kill child @a id of @a parent into the parent's
 * table (SYS_TASK_RIGHT: ENOENT, EPERM, ENOMEM, ELIMIT). */
errno_t task_right_make(task_t *parent, task_id_t id, cap_handle_t *out);
/* End the task that right @a h of @a caller names (SYS_TASK_KILL_RIGHT:
 * ENOENT, ESTALE, EINVAL), as task_kill ends a child. */
errno_t task_kill_right(task_t *caller, cap_handle_t h);
size_t task_count(void);
/* What SYS_TASK_LIST tells of the task not yet reaped with the smallest
 * id >= @a from: EOK and *out, or ENOENT when there is none. */
errno_t task_info_next(task_id_t from, task_info_t *out);
/* The address space of task @a id with a reference (as_release it), for
 * @a reader to look at (SYS_TASK_AREA_LIST, abi/task.h "Looking at
 * tasks": the task itself, its parent, a holder of the right to it):
 * EOK and *out (NULL once the task has ended: it holds none), ENOENT no
 * such task, EPERM @a reader may not. */
errno_t task_as_inspect(task_t *reader, task_id_t id, struct as **out);
/* The parent of @a task now (0: the kernel; -1 once the parent ended). */
task_id_t task_parent_id(task_t *task);
/* The parent of the live (or zombie, not reaped) task @a id: ENOENT. */
errno_t task_parent_lookup(task_id_t id, task_id_t *parent);
/* Capability slots in use in every task's table (statistics). */
size_t task_handles_used(void);
void task_hold(task_t *task);
/* Drop a reference; the last one frees the (reaped) task.  Never sleeps. */
void task_release(task_t *task);
/* The current thread leaves because its task is ending (never returns). */
_Noreturn void task_thread_terminate(void);
/* Kill the current task for an unresolved fault and leave (never returns). */
_Noreturn void task_kill_fault(
    uintptr_t addr, unsigned access, bool in_area, uintptr_t ip, const char *what);
/* Kill the current task for a fault described by @a message (the whole
 * report line) and leave (never returns). */
_Noreturn void task_kill_report(uintptr_t addr, unsigned access, uintptr_t ip, const char *message);
/* Find a thread of @a task by id (with a reference), or NULL. */
struct thread *task_thread_find(task_t *task, tid_t tid);
/* Give up a claim from task_thread_find without joining. */
void task_thread_unclaim(task_t *task, struct thread *t);
/* Remove a joined thread from its task and drop the task's reference. */
void task_thread_forget(task_t *task, struct thread *t);

#endif
