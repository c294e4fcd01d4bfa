/*
 * Tasks (see proc/task.h for states, lifetime and locks).
 *
 * Ending a task: whoever ends it (task_exit, an unresolved fault, the last
 * thread leaving) records the exit information once, marks the task
 * EXITING and interrupts every other thread: a thread in user mode leaves
 * at its next return from an interrupt, a thread asleep in a system call
 * wakes with EINTR and leaves on its way out of the call.  The last thread
 * to leave switches to the kernel's page table, releases the address space
 * (every frame returns) and turns the task into a zombie, which its parent
 * reaps with task_wait().  Zombies whose parent is gone are reaped at once.
 *
 * Bounds: a task holds at most TASK_THREADS_MAX threads (abi/task.h),
 * counting those that ended but were not joined, since each keeps its
 * kernel stack until then.  A place is reserved before the thread is
 * made, so a refused SYS_THREAD_CREATE (ELIMIT) allocates nothing.
 */
#include <console/console.h>
#include <ddi/dma.h>
#include <ddi/ioport.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <lib/printf_core.h>
#include <mem.h>
#include <mm/as.h>
#include <mm/malloc.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <proc/thread.h>

#define TASK_ORPHAN TASK_PARENT_GONE

static mutex_t tasks_lock;
static list_t tasks GUARDED_BY(tasks_lock) = { .head = { &tasks.head, &tasks.head } };
static task_id_t next_task_id GUARDED_BY(tasks_lock) = 1;
static size_t tasks_live GUARDED_BY(tasks_lock); /* read without it by task_count */

/* The right to kill a task (CAP_TASK, abi/task.h "Task control"): which
 * task, for good (ids are never reused).  Immutable, so every holder
 * shares one object; refs is atomic. */
typedef struct task_right {
	size_t refs;
	task_id_t task;
} task_right_t;

static void task_right_hold(void *object)
{
	task_right_t *r = object;
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
}

static void task_right_close(void *object)
{
	task_right_t *r = object;
	if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(r);
}

static void task_right_info(const void *object, cap_info_t *out)
{
	out->kind = CAP_KIND_TASK;
	out->base = ((const task_right_t *) object)->task;
}

static const cap_type_ops_t task_right_cap_ops = {
	.name = "task",
	.hold = task_right_hold,
	.close = task_right_close,
	.info = task_right_info,
	.shareable = true,
};

void task_init(void)
{
	mutex_initialize(&tasks_lock, "tasks");
	cap_type_register(CAP_TASK, &task_right_cap_ops);
}

as_t *as_current(void)
{
	task_t *t = TASK;
	return t ? t->as : NULL;
}

errno_t task_create(const char *name, task_id_t parent, task_t **out)
{
	task_t *t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	errno_t rc = as_create(&t->as);
	if (rc != EOK) {
		free(t);
		return rc;
	}
	ksnprintf(t->name, sizeof(t->name), "%s", name);
	cap_table_init(&t->caps);
	mutex_initialize(&t->lock, "task");
	condvar_initialize(&t->state_cv);
	list_initialize(&t->threads);
	t->state = TASK_RUNNING;
	t->parent = parent;
	t->refcount = 1; /* the task list's */
	mutex_lock(&tasks_lock);
	t->id = next_task_id++;
	mutex_unlock(&tasks_lock);
	t->box = answerbox_create(t->id);
	if (!t->box) {
		as_release(t->as);
		free(t);
		return ENOMEM;
	}
	t->box->task = t;
	mutex_lock(&tasks_lock);
	list_append(&t->tasks_link, &tasks);
	tasks_live++;
	mutex_unlock(&tasks_lock);
	*out = t;
	return EOK;
}

void task_hold(task_t *task)
{
	__atomic_add_fetch(&task->refcount, 1, __ATOMIC_ACQ_REL);
}

void task_release(task_t *task)
{
	if (__atomic_sub_fetch(&task->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		assert(task->state == TASK_ZOMBIE && task->as == NULL);
		answerbox_release(task->box);
		ddi_ioport_task_free(task);
		free(task);
	}
}

void task_destroy_unstarted(task_t *task)
{
	assert(task->thread_count == 0 && list_empty(&task->threads));
	ipc_task_cleanup(task);
	mutex_lock(&task->lock);
	as_t *as = task->as;
	task->as = NULL;
	task->state = TASK_ZOMBIE;
	mutex_unlock(&task->lock);
	as_release(as);
	mutex_lock(&tasks_lock);
	/* A sibling may already wait for this (guessable) id: it holds its
	 * own reference and finds the zombie reaped. */
	list_remove(&task->tasks_link);
	tasks_live--;
	mutex_unlock(&tasks_lock);
	condvar_broadcast(&task->state_cv);
	task_release(task);
}

/* Reserve a place for one more thread of @a task: ELIMIT, EINTR. */
static errno_t task_thread_reserve(task_t *task)
{
	errno_t rc = EOK;
	mutex_lock(&task->lock);
	if (task->state != TASK_RUNNING)
		rc = EINTR;
	else if (task->threads_held >= TASK_THREADS_MAX)
		rc = ELIMIT;
	else
		task->threads_held++;
	mutex_unlock(&task->lock);
	return rc;
}

static void task_thread_unreserve_locked(task_t *task)
{
	assert(mutex_locked_by_me(&task->lock) && task->threads_held > 0);
	task->threads_held--;
}

errno_t task_thread_start(
    task_t *task, uintptr_t entry, uintptr_t stack, uintptr_t arg, tid_t *tid_out)
{
	thread_t *t;
	errno_t rc = task_thread_reserve(task);
	if (rc != EOK)
		return rc;
	rc = thread_create_user(task, entry, stack, arg, task->name, &t);
	mutex_lock(&task->lock);
	bool ending = rc == EOK && task->state != TASK_RUNNING;
	if (rc != EOK || ending) {
		task_thread_unreserve_locked(task);
		mutex_unlock(&task->lock);
		if (!ending)
			return rc;
		t->task = NULL; /* it took no task reference */
		t->state = THREAD_EXITED; /* never ran: just drop both references */
		thread_release(t);
		thread_release(t);
		return EINTR;
	}
	list_append(&t->task_link, &task->threads);
	task->thread_count++;
	task_hold(task); /* dropped when the thread is freed */
	if (tid_out)
		*tid_out = t->id;
	mutex_unlock(&task->lock);
	thread_ready(t);
	return EOK;
}

/* Record why the task ends (first reason wins) and stop its threads. */
static void task_begin_exit(task_t *task, const task_exit_info_t *info) REQUIRES(task->lock)
{
	assert(mutex_locked_by_me(&task->lock));
	if (!task->exit_set) {
		task->exit = *info;
		task->exit_set = true;
	}
	task->state = TASK_EXITING;
	list_foreach(task->threads, l)
	{
		thread_t *t = list_get_instance(l, thread_t, task_link);
		if (t != THREAD && t->state != THREAD_EXITED)
			thread_interrupt(t);
	}
}

/* Free a zombie: its thread handles, then itself.  tasks_lock held. */
static void task_reap_locked(task_t *task) REQUIRES(tasks_lock)
{
	assert(mutex_locked_by_me(&tasks_lock) && task->state == TASK_ZOMBIE);
	list_remove(&task->tasks_link);
	link_initialize(&task->tasks_link);
	tasks_live--;
	while (!list_empty(&task->threads)) {
		thread_t *t = list_get_instance(list_first(&task->threads), thread_t, task_link);
		list_remove(&t->task_link);
		task->threads_held--;
		thread_release(t);
	}
	task_release(task); /* the task list's reference */
}

static task_t *task_find_locked(task_id_t id) REQUIRES(tasks_lock)
{
	assert(mutex_locked_by_me(&tasks_lock));
	list_foreach(tasks, l)
	{
		task_t *t = list_get_instance(l, task_t, tasks_link);
		if (t->id == id)
			return t;
	}
	return NULL;
}

/* End task @a id for @a killer, its parent or (@a by_right) a holder of
 * the right to it: ENOENT, EPERM (not the parent, without the right),
 * EINVAL (the killer itself); EOK also when it is ending already. */
static errno_t task_kill_as(task_t *killer, task_id_t id, bool by_right)
{
	if (id == killer->id)
		return EINVAL;
	task_exit_info_t info = {
		.reason = TASK_EXIT_KILLED, .status = -1, .killed_by = killer->id
	};
	ksnprintf(info.message, sizeof(info.message),
	    by_right ? "killed by task %llu, holding the right to it"
	             : "killed by its parent, task %llu",
	    (unsigned long long) killer->id);
	errno_t rc = EOK;
	mutex_lock(&tasks_lock);
	task_t *t = task_find_locked(id);
	if (!t)
		rc = ENOENT;
	else if (!by_right && t->parent != killer->id)
		rc = EPERM;
	if (rc == EOK) {
		mutex_lock(&t->lock);
		if (t->state == TASK_RUNNING) {
			printf("task %llu (%s) %s\n", (unsigned long long) t->id, t->name,
			    info.message);
			task_begin_exit(t, &info);
		}
		mutex_unlock(&t->lock);
	}
	mutex_unlock(&tasks_lock);
	return rc;
}

errno_t task_kill(task_t *parent, task_id_t id)
{
	return task_kill_as(parent, id, false);
}

errno_t task_kill_right(task_t *caller, cap_handle_t h)
{
	void *object;
	errno_t rc = cap_get(&caller->caps, h, CAP_TASK, &object);
	if (rc != EOK)
		return rc;
	task_id_t id = ((task_right_t *) object)->task;
	task_right_close(object); /* cap_get's reference */
	return task_kill_as(caller, id, true);
}

errno_t task_right_make(task_t *parent, task_id_t id, cap_handle_t *out)
{
	mutex_lock(&tasks_lock);
	task_t *t = task_find_locked(id);
	errno_t rc = !t ? ENOENT : t->parent != parent->id ? EPERM : EOK;
	mutex_unlock(&tasks_lock);
	if (rc != EOK)
		return rc;
	/* The child may end meanwhile: the right then names a task that
	 * is gone, which using it reports (ENOENT). */
	task_right_t *r = malloc(sizeof(*r));
	if (!r)
		return ENOMEM;
	*r = (task_right_t){ .refs = 1, .task = id };
	rc = cap_alloc(&parent->caps, CAP_TASK, r, CAP_NIL, out);
	if (rc != EOK)
		free(r);
	return rc;
}

/* The task @a task became a zombie: settle who reaps what (it may be
 * reaped itself).  tasks_lock held. */
static void task_settle_family_locked(task_t *task) REQUIRES(tasks_lock)
{
	assert(mutex_locked_by_me(&tasks_lock));
	link_t *l = list_first(&tasks);
	while (l) {
		link_t *next = list_next(l, &tasks);
		task_t *c = list_get_instance(l, task_t, tasks_link);
		if (c->parent == task->id) {
			c->parent = TASK_ORPHAN;
			if (c->state == TASK_ZOMBIE)
				task_reap_locked(c);
		}
		l = next;
	}
	bool orphan = task->parent == TASK_ORPHAN ||
	    (task->parent != 0 && !task_find_locked(task->parent));
	if (orphan)
		task_reap_locked(task);
}

void task_thread_exiting(thread_t *t, int status)
{
	task_t *task = t->task;
	mutex_lock(&task->lock);
	if (!task->exit_set) {
		task_exit_info_t info = { .reason = TASK_EXIT_NORMAL, .status = status };
		if (task->thread_count == 1)
			task_begin_exit(task, &info);
	}
	bool last = --task->thread_count == 0;
	mutex_unlock(&task->lock);
	if (!last)
		return;

	/* Its DMA buffers become orphans before its handles and areas let go
	 * of them: their devices may still be writing (ddi/dma.h). */
	dma_task_ended(task->id);
	/* Its phones hang up and everything waiting in its answerbox is
	 * answered EHANGUP (a dead pager fails the faults waiting on it). */
	ipc_task_cleanup(task);
	/* A registered pager's role is freed, or orphaned: its records then
	 * wait for a successor and their mapped pages are revoked now. */
	pager_role_task_ended(task);
	/* Detach the address space first: from here on a switch back to this
	 * thread loads the kernel's table, never the dying one. */
	mutex_lock(&task->lock);
	as_t *as = task->as;
	task->as = NULL;
	mutex_unlock(&task->lock);
	as_activate(NULL);
	as_release(as);
	mutex_lock(&tasks_lock);
	mutex_lock(&task->lock);
	task->state = TASK_ZOMBIE;
	condvar_broadcast(&task->state_cv);
	mutex_unlock(&task->lock);
	task_settle_family_locked(task);
	mutex_unlock(&tasks_lock);
}

noreturn void task_exit_current(const task_exit_info_t *info)
{
	task_t *task = TASK;
	assert(task);
	mutex_lock(&task->lock);
	task_begin_exit(task, info);
	mutex_unlock(&task->lock);
	thread_exit(info->status);
}

noreturn void task_thread_terminate(void)
{
	thread_exit(0);
}

static const char *const access_names[] = { "?", "read", "write", "execute" };

/* End the current task for an unresolved fault of the current thread:
 * @a info has the fault's fields and message; this adds who and why. */
static noreturn void task_kill_current(task_exit_info_t *info)
{
	task_t *task = TASK;
	thread_t *t = THREAD;
	info->reason = TASK_EXIT_FAULT;
	info->status = -1;
	info->fault_thread = t->id;
	printf("task %llu (%s) thread %llu killed: %s\n", (unsigned long long) task->id, task->name,
	    (unsigned long long) t->id, info->message);
	task_exit_current(info);
}

noreturn void task_kill_fault(
    uintptr_t addr, unsigned access, bool in_area, uintptr_t ip, const char *what)
{
	task_exit_info_t info = {
		.fault_addr = addr, .fault_access = access, .fault_in_area = in_area, .fault_ip = ip
	};
	ksnprintf(info.message, sizeof(info.message), "%s at %#lx (%s, %s) ip %#lx", what,
	    (unsigned long) addr, access < 4 ? access_names[access] : "?",
	    in_area ? "in an area" : "no area", (unsigned long) ip);
	task_kill_current(&info);
}

noreturn void task_kill_report(uintptr_t addr, unsigned access, uintptr_t ip, const char *message)
{
	task_exit_info_t info = { .fault_addr = addr, .fault_access = access, .fault_ip = ip };
	ksnprintf(info.message, sizeof(info.message), "%s", message);
	task_kill_current(&info);
}

thread_t *task_thread_find(task_t *task, tid_t tid)
{
	thread_t *found = NULL;
	mutex_lock(&task->lock);
	list_foreach(task->threads, l)
	{
		thread_t *t = list_get_instance(l, thread_t, task_link);
		if (t->id == tid && !t->join_claimed) {
			t->join_claimed = true;
			thread_hold(t);
			found = t;
			break;
		}
	}
	mutex_unlock(&task->lock);
	return found;
}

void task_thread_unclaim(task_t *task, thread_t *t)
{
	mutex_lock(&task->lock);
	t->join_claimed = false;
	mutex_unlock(&task->lock);
	thread_release(t);
}

void task_thread_forget(task_t *task, thread_t *t)
{
	mutex_lock(&task->lock);
	list_remove(&t->task_link);
	task_thread_unreserve_locked(task);
	mutex_unlock(&task->lock);
	thread_release(t);
}

/* Claim child @a id of the caller (the kernel's children when TASK is
 * NULL) for waiting, with a reference: ENOENT, or EBUSY if another thread
 * already waits for it. */
static errno_t task_claim_child(task_id_t id, task_t **out)
{
	task_t *self = TASK;
	task_id_t me = self ? self->id : 0;
	errno_t rc = ENOENT;
	mutex_lock(&tasks_lock);
	task_t *t = task_find_locked(id);
	if (t && t->parent == me) {
		rc = t->waited ? EBUSY : EOK;
		if (rc == EOK) {
			t->waited = true;
			task_hold(t);
			*out = t;
		}
	}
	mutex_unlock(&tasks_lock);
	return rc;
}

/* task_wait, or (@a until_exec) until the child has become its program
 * (SYS_TASK_EXEC) if that comes first: then *ended is false, the child
 * runs on and can be waited for again. */
static errno_t task_wait_common(task_id_t id, bool until_exec, task_exit_info_t *info, bool *ended)
{
	task_t *t;
	errno_t rc = task_claim_child(id, &t);
	if (rc != EOK)
		return rc;
	mutex_lock(&t->lock);
	while (t->state != TASK_ZOMBIE && !(until_exec && t->execed) && rc == EOK)
		rc = condvar_wait_flags(&t->state_cv, &t->lock, 0, WAITQ_INTERRUPTIBLE);
	/* A child that became its program did so, even if it has ended by
	 * now: that end is for a later wait. */
	*ended = t->state == TASK_ZOMBIE && !(until_exec && t->execed);
	if (rc == EOK && *ended)
		*info = t->exit;
	mutex_unlock(&t->lock);
	mutex_lock(&tasks_lock);
	if (rc == EOK && *ended && link_in_use(&t->tasks_link))
		task_reap_locked(t);
	else if (rc == EOK && *ended)
		rc = ENOENT; /* it never started (failed spawn) */
	else
		t->waited = false; /* interrupted, or it runs on: wait again */
	mutex_unlock(&tasks_lock);
	task_release(t);
	return rc;
}

errno_t task_wait(task_id_t id, task_exit_info_t *info)
{
	bool ended;
	return task_wait_common(id, false, info, &ended);
}

errno_t task_wait_exec(task_id_t id, task_exit_info_t *info)
{
	bool ended;
	errno_t rc = task_wait_common(id, true, info, &ended);
	if (rc == EOK && !ended)
		*info = (task_exit_info_t){ 0 };
	return rc;
}

void task_mark_execed(task_t *task)
{
	mutex_lock(&task->lock);
	task->execed = true;
	condvar_broadcast(&task->state_cv);
	mutex_unlock(&task->lock);
}

task_id_t task_parent_id(task_t *task)
{
	mutex_lock(&tasks_lock);
	task_id_t p = task->parent;
	mutex_unlock(&tasks_lock);
	return p;
}

errno_t task_parent_lookup(task_id_t id, task_id_t *parent)
{
	mutex_lock(&tasks_lock);
	task_t *t = task_find_locked(id);
	if (t)
		*parent = t->parent;
	mutex_unlock(&tasks_lock);
	return t ? EOK : ENOENT;
}

size_t task_handles_used(void)
{
	size_t n = 0;
	mutex_lock(&tasks_lock);
	list_foreach(tasks, l)
	{
		task_t *t = list_get_instance(l, task_t, tasks_link);
		n += cap_used(&t->caps);
	}
	mutex_unlock(&tasks_lock);
	return n;
}

size_t task_count(void)
{
	return __atomic_load_n(&tasks_live, __ATOMIC_RELAXED);
}

/* The task not yet reaped with the smallest id >= @a from, or NULL (the
 * list is in creation order, which is not quite id order). */
static task_t *task_find_next_locked(task_id_t from) REQUIRES(tasks_lock)
{
	task_t *best = NULL;
	assert(mutex_locked_by_me(&tasks_lock));
	list_foreach(tasks, l)
	{
		task_t *t = list_get_instance(l, task_t, tasks_link);
		if (t->id >= from && (!best || t->id < best->id))
			best = t;
	}
	return best;
}

static const uint32_t task_state_abi[] = {
	[TASK_RUNNING] = TASK_STATE_RUNNING,
	[TASK_EXITING] = TASK_STATE_EXITING,
	[TASK_ZOMBIE] = TASK_STATE_ZOMBIE,
};

/* The memory fields of *out from @a as (NULL: a zombie's, all 0). */
static void task_info_memory(as_t *as, task_info_t *out)
{
	as_usage_t u;
	if (!as)
		return;
	as_usage_get(as, &u);
	out->areas = u.areas;
	out->vsize = u.vsize;
	out->resident_wired = u.resident[AS_BACKEND_WIRED];
	out->resident_phys = u.resident[AS_BACKEND_PHYS];
	out->resident_pager = u.resident[AS_BACKEND_PAGER];
	out->resident_dma = u.resident[AS_BACKEND_DMA];
	out->page_tables = u.page_tables;
}

void task_rename(task_t *task, const char *name)
{
	mutex_lock(&tasks_lock); /* task_info_next reads the name under it */
	ksnprintf(task->name, sizeof(task->name), "%s", name);
	mutex_unlock(&tasks_lock);
}

errno_t task_info_next(task_id_t from, task_info_t *out)
{
	as_t *as = NULL;
	*out = (task_info_t){ 0 };
	mutex_lock(&tasks_lock);
	task_t *t = task_find_next_locked(from);
	if (t) {
		task_hold(t);
		out->id = t->id;
		out->parent = t->parent;
		memcpy(out->name, t->name, sizeof(out->name));
		mutex_lock(&t->lock);
		out->state = task_state_abi[t->state];
		out->threads = (uint32_t) t->thread_count;
		if ((as = t->as) != NULL)
			as_hold(as);
		mutex_unlock(&t->lock);
	}
	mutex_unlock(&tasks_lock);
	if (!t)
		return ENOENT;
	/* No lock of ours is held: the walk of the areas takes only the
	 * address space's, and the last reference may destroy it. */
	out->handles = cap_used(&t->caps);
	task_info_memory(as, out);
	if (as)
		as_release(as);
	task_release(t);
	return EOK;
}

static bool task_right_names(const void *object, uint64_t id)
{
	return ((const task_right_t *) object)->task == id;
}

errno_t task_as_inspect(task_t *reader, task_id_t id, as_t **out)
{
	/* Looked up first, holding nothing: a right the reader drops
	 * meanwhile is one it held when it asked. */
	bool holder = cap_holds(&reader->caps, CAP_TASK, task_right_names, id);
	errno_t rc = EOK;
	*out = NULL;
	mutex_lock(&tasks_lock);
	task_t *t = task_find_locked(id);
	if (!t)
		rc = ENOENT;
	else if (t != reader && t->parent != reader->id && !holder)
		rc = EPERM;
	if (rc == EOK) {
		mutex_lock(&t->lock);
		if ((*out = t->as) != NULL)
			as_hold(*out);
		mutex_unlock(&t->lock);
	}
	mutex_unlock(&tasks_lock);
	return rc;
}
