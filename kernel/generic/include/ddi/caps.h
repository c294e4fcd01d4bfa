/*
 * Handing device capabilities around (docs/drivers.md, "Capabilities"):
 * deriving a part of a range, and copying shareable handles into another
 * task's table (spawn with capabilities, IPC_M_CAP_GIVE).
 *
 * A range is never made bigger: a derived range lies inside the range it
 * came from, so what a task can pass on is bounded by what it holds.
 */
#ifndef KERN_DDI_CAPS_H_
#define KERN_DDI_CAPS_H_

#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/task.h>
#include <cap/cap.h>
#include <ddi/range.h>
#include <stddef.h>

/* The range behind @a h, of any of the three kinds, with a reference for
 * the caller: ENOENT (no handle, or not a range), ESTALE. */
errno_t ddi_range_get_any(cap_table_t *caps, cap_handle_t h, ddi_range_t **out);

/* A new handle in @a caps for [base, base + size) of the range at @a h:
 * ENOENT/ESTALE (no such range), EINVAL (not a valid range of its kind:
 * empty, wraps, phys not page-aligned), EPERM (not inside the range held),
 * ENOMEM, ELIMIT.  Nothing changes on error. */
errno_t ddi_range_derive(
    cap_table_t *caps, cap_handle_t h, uint64_t base, uint64_t size, cap_handle_t *out);

/* The most handles a spawn may pass (task_spawn_t.ncaps). */
#define CAPS_SPAWN_MAX TASK_SPAWN_CAPS_MAX

/* References to the objects of handles taken from one table, to be put
 * into another. */
typedef struct caps_held {
	size_t n;
	cap_type_t type[CAPS_SPAWN_MAX];
	void *object[CAPS_SPAWN_MAX];
} caps_held_t;

/* A reference to the object of each of @a handles[0..n) of @a from:
 * ENOENT/ESTALE (a handle @a from does not hold), EINVAL (a handle that
 * cannot be passed on: a phone or a call; more than CAPS_SPAWN_MAX).  All
 * or nothing: on error *held is empty. */
errno_t caps_hold(cap_table_t *from, const cap_handle_t *handles, size_t n, caps_held_t *held);
/* Put the held objects into the free slots first..first+n-1 of @a to (a
 * new task's table: generation 0), in order; their references pass to the
 * table and *held is emptied.  EEXIST/EINVAL: nothing placed, *held kept. */
errno_t caps_place(caps_held_t *held, cap_table_t *to, unsigned first);
/* Give back the references still held. */
void caps_release(caps_held_t *held);

/* caps_hold, caps_place and caps_release on failure, in one. */
errno_t caps_copy_to_slots(
    cap_table_t *from, const cap_handle_t *handles, size_t n, cap_table_t *to, unsigned first);

#endif
