/*
 * The anon pager (uspace/srv/pager/anon), client side, and libc's own
 * memory on it.
 *
 * The anon pager registers as "anon" with ns.  Its objects are anonymous
 * memory: zero-filled on first touch, shared by every area bound to the
 * same object, cloned copy-on-write.  An area is bound to an object with
 * as_area_create_pager() (abi/pager.h); the object lives while it has
 * areas, and an object that never got one goes with ANON_DESTROY or when
 * its creator's connection closes.
 *
 * The protocol (user methods on a phone to "anon"; docs/pager-abi.md):
 *  ANON_CREATE arg[0] offset, arg[1] length
 *                         -> arg[0] new object id.  The pages of
 *      [offset, offset + length) get memory now (length 0: none; at most
 *      ANON_READY_MAX bytes; page aligned, else EINVAL), so ENOMEM or
 *      ELIMIT comes back here rather than failing the first touch (a new
 *      thread's stack: thread_create() reports it, no thread dies)
 *  ANON_CLONE  arg[0] id  -> arg[0] new object, a copy-on-write clone;
 *      ELIMIT if a page of it is shared by too many objects already
 *      (ANON_PAGE_REFS_MAX in the pager: counts never wrap)
 *  ANON_DESTROY arg[0] id -> drop an object that has no area yet
 *  ANON_DISCARD arg[0] id, arg[1] offset, arg[2] length -> the object's
 *      pages in [offset, offset + length) are dropped (revoked from every
 *      area bound to the object, then freed): they read as zeros again.
 *      EINVAL (alignment, overflow), ENOENT (not this connection's
 *      object), ENOMEM (the kernel could not revoke them all: nothing was
 *      dropped, the data is still there)
 *  ANON_STATS             -> arg[0] objects, arg[1] resident pages,
 *      arg[2] faults served, arg[3] frames held, arg[4] copy-on-write
 *      copies made
 *  ANON_STORE_STATS       -> arg[0] areas in the pager's own address
 *      space, arg[1] blocks of its page store, arg[2] pages in them
 */
#ifndef LIBC_ANON_H_
#define LIBC_ANON_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANON_NAME "anon"

#define ANON_CREATE (IPC_M_FIRST_USER + 0)
#define ANON_CLONE (IPC_M_FIRST_USER + 1)
#define ANON_DESTROY (IPC_M_FIRST_USER + 2)
#define ANON_STATS (IPC_M_FIRST_USER + 3)
#define ANON_STORE_STATS (IPC_M_FIRST_USER + 4)
#define ANON_DISCARD (IPC_M_FIRST_USER + 5)

/* Most bytes ANON_CREATE gives memory at once. */
#define ANON_READY_MAX (16 * 4096)

typedef struct anon_stats {
	uint64_t objects; /* objects alive */
	uint64_t resident; /* distinct pages holding data */
	uint64_t faults; /* page-ins answered with pages */
	uint64_t frames; /* frames the pager holds (whole blocks) */
	uint64_t cow_copies; /* pages copied on a write to a shared page */
} anon_stats_t;

typedef struct anon_store_stats {
	uint64_t areas; /* areas in the pager's address space */
	uint64_t blocks; /* blocks of its page store */
	uint64_t pages; /* pages in those blocks */
} anon_store_stats_t;

errno_t anon_object_create(cap_handle_t phone, uint64_t *id);
/* A new object whose pages [off, off + len) have memory already. */
errno_t anon_object_create_ready(cap_handle_t phone, uint64_t off, uint64_t len, uint64_t *id);
errno_t anon_object_clone(cap_handle_t phone, uint64_t id, uint64_t *clone);
errno_t anon_object_destroy(cap_handle_t phone, uint64_t id);
/* Its pages [off, off + len) read as zeros again (ANON_DISCARD). */
errno_t anon_object_discard(cap_handle_t phone, uint64_t id, uint64_t off, uint64_t len);
errno_t anon_stats_get(cap_handle_t phone, anon_stats_t *st);
errno_t anon_store_stats_get(cap_handle_t phone, anon_store_stats_t *st);

/*
 * libc's memory.  At startup a task connects to "anon" (unless it
 * defines libc_memory_wired, see as.h); then anon_phone() is that phone
 * and the heap, thread stacks and as_area_create_anon() areas are
 * pager-backed.  CAP_NIL: no pager, everything is wired.
 */
cap_handle_t anon_phone(void);
/* True if libc's memory is pager-backed now (false also when the kernel
 * refused pager areas: then libc went back to wired). */
bool anon_paging(void);

/* An area of its own new anon object at @a base (as as_area_create):
 * pager-backed when the task has the pager, else wired.  Destroy it with
 * as_area_destroy() (the object goes with its last area). */
errno_t as_area_create_anon(uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out);

/*
 * A stack of @a size bytes (read/write) at *stack_base: its top at exactly
 * @a top, or (@a top 0) where the kernel chooses; its own anon object when
 * the task has the pager, else wired.  Below it a guard page
 * (THREAD_GUARD_SIZE, thread.h) with no rights at all, so an overflow
 * faults there and nothing else can be placed there.  The top @a ready
 * bytes (at most ANON_READY_MAX) have memory when it returns: the pager's
 * ENOMEM or ELIMIT is returned here, not at the first touch.  EEXIST when
 * @a top is given and the place is taken.  Free it with
 * as_area_destroy_stack().
 */
errno_t as_area_create_stack(uintptr_t top, size_t size, size_t ready, uintptr_t *stack_base);
errno_t as_area_destroy_stack(uintptr_t stack_base, size_t size);

#endif
