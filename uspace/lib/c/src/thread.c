/*
 * Threads.  thread_create() makes a stack (as_area_create_stack: a lazily
 * paged anon area when the task has the pager, its top page given memory
 * at once so the pager's ENOMEM comes back here; a guard page without
 * rights below it) and records the thread (function, argument, stack) in
 * a list.  The kernel starts the thread at __thread_entry with the record
 * as its argument; __thread_main() calls the function and passes its
 * result to thread_exit().  thread_join() waits in the kernel, then frees
 * the stack and the record.
 *
 * errno (errno.h) is per thread: each record holds its thread's value and
 * __errno_location() finds the record whose stack holds the caller's
 * frame (no thread-local storage: the kernel keeps no per-thread base
 * register).  The main thread, whose stack no record covers, uses
 * thread_errno_main.  A record is in the list before its thread starts,
 * so a new thread never writes another's errno.
 */
#include "libc_priv.h"
#include <anon.h>
#include <as.h>
#include <errno.h>
#include <lock.h>
#include <stdlib.h>
#include <sys.h>
#include <thread.h>

typedef struct thread_rec {
	struct thread_rec *next;
	thread_fn_t fn;
	void *arg;
	uintptr_t stack_base; /* the stack area (above the guard gap) */
	tid_t tid; /* 0 until SYS_THREAD_CREATE returned it */
	int err; /* the thread's errno */
} thread_rec_t;

/* thread_list_lock protects the list and every record's tid. */
static thread_rec_t *thread_list;
static lock_t thread_list_lock = LOCK_INITIALIZER;
static int thread_errno_main;

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

/* Unlink and return the record @a rec or (rec NULL) the record of @a tid
 * (NULL: not made by libc). */
static thread_rec_t *thread_list_remove(thread_rec_t *rec, tid_t tid)
{
	lock_acquire(&thread_list_lock);
	thread_rec_t **link = &thread_list;
	while (*link && (rec ? *link != rec : (*link)->tid != tid))
		link = &(*link)->next;
	thread_rec_t *found = *link;
	if (found)
		*link = found->next;
	lock_release(&thread_list_lock);
	return found;
}

int *__errno_location(void)
{
	uintptr_t sp = (uintptr_t) __builtin_frame_address(0);
	int *slot = &thread_errno_main;
	lock_acquire(&thread_list_lock);
	for (thread_rec_t *r = thread_list; r; r = r->next) {
		if (sp - r->stack_base < THREAD_STACK_SIZE) {
			slot = &r->err;
			break;
		}
	}
	lock_release(&thread_list_lock);
	return slot;
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
	thread_list_insert(rec);
	rc = (errno_t) syscall4(
	    SYS_THREAD_CREATE, __thread_entry, rec->stack_base + THREAD_STACK_SIZE, rec, &tid);
	if (rc != EOK) {
		thread_list_remove(rec, 0);
		as_area_destroy_stack(rec->stack_base, THREAD_STACK_SIZE);
		free(rec);
		return rc;
	}
	/* Nobody can join the thread before its id is returned below. */
	lock_acquire(&thread_list_lock);
	rec->tid = tid;
	lock_release(&thread_list_lock);
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
	thread_rec_t *rec = thread_list_remove(NULL, tid);
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
