/*
 * Threads.  thread_create() makes a stack (as_area_create_stack: a lazily
 * paged anon area when the task has the pager, its top page given memory
 * at once so the pager's ENOMEM comes back here; a guard page without
 * rights below it) and records the thread (function, argument, stack) in
 * a list.  The kernel starts the thread at __thread_entry with the record
 * as its argument; __thread_main() calls the function and passes its
 * result to thread_exit().  thread_join() waits in the kernel, then frees
 * the stack and the record.
 */
#include "libc_priv.h"
#include <anon.h>
#include <as.h>
#include <lock.h>
#include <stdlib.h>
#include <sys.h>
#include <thread.h>

typedef struct thread_rec {
	struct thread_rec *next;
	thread_fn_t fn;
	void *arg;
	uintptr_t stack_base; /* the stack area (above the guard gap) */
	tid_t tid;
} thread_rec_t;

static thread_rec_t *thread_list;
static lock_t thread_list_lock = LOCK_INITIALIZER;

noreturn void __thread_main(thread_rec_t *rec)
{
	thread_exit(rec->fn(rec->arg));
}

static void thread_list_insert(thread_rec_t *rec)
{
	lock_acquire(&thread_list_lock);
	rec->next = thread_list;
	thread_list = rec;
	lock_release(&thread_list_lock);
}

/* Unlink and return the record of @a tid (NULL: not made by libc). */
static thread_rec_t *thread_list_remove(tid_t tid)
{
	lock_acquire(&thread_list_lock);
	thread_rec_t **link = &thread_list;
	while (*link && (*link)->tid != tid)
		link = &(*link)->next;
	thread_rec_t *rec = *link;
	if (rec)
		*link = rec->next;
	lock_release(&thread_list_lock);
	return rec;
}

errno_t thread_create(thread_fn_t fn, void *arg, tid_t *tid_out)
{
	thread_rec_t *rec = malloc(sizeof(*rec));
	if (!rec)
		return ENOMEM;
	*rec = (thread_rec_t){ .fn = fn, .arg = arg };
	errno_t rc = as_area_create_stack(
	    0, THREAD_STACK_SIZE, THREAD_STACK_READY, &rec->stack_base);
	if (rc != EOK) {
		free(rec);
		return rc;
	}
	tid_t tid;
	rc = (errno_t) syscall4(
	    SYS_THREAD_CREATE, __thread_entry, rec->stack_base + THREAD_STACK_SIZE, rec, &tid);
	if (rc != EOK) {
		as_area_destroy_stack(rec->stack_base, THREAD_STACK_SIZE);
		free(rec);
		return rc;
	}
	/* Nobody can join the thread before its id is returned below. */
	rec->tid = tid;
	thread_list_insert(rec);
	if (tid_out)
		*tid_out = tid;
	return EOK;
}

errno_t thread_join(tid_t tid, int *status_out)
{
	int status;
	errno_t rc = (errno_t) syscall2(SYS_THREAD_JOIN, tid, &status);
	if (rc != EOK)
		return rc;
	thread_rec_t *rec = thread_list_remove(tid);
	if (rec) {
		as_area_destroy_stack(rec->stack_base, THREAD_STACK_SIZE);
		free(rec);
	}
	if (status_out)
		*status_out = status;
	return EOK;
}

noreturn void thread_exit(int status)
{
	syscall1(SYS_THREAD_EXIT, status);
	__builtin_unreachable();
}

errno_t thread_yield(void)
{
	return (errno_t) syscall0(SYS_THREAD_YIELD);
}

errno_t thread_sleep_us(uint64_t usec)
{
	return (errno_t) syscall1(SYS_THREAD_SLEEP, usec);
}

tid_t thread_id(void)
{
	return (tid_t) syscall0(SYS_THREAD_ID);
}
