/*
 * Per-task capability tables: IPC_PHONES_MAX slots naming phones and
 * received calls.  A handle is an index; a slot holds one reference to its
 * object.  Lock: cap_table_t.lock (mutex), taken before any phone or
 * answerbox lock.
 */
#ifndef KERN_IPC_CAP_H_
#define KERN_IPC_CAP_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <synch/mutex.h>

struct phone;

typedef enum cap_type {
	CAP_FREE = 0,
	CAP_PHONE,
	CAP_CALL,
} cap_type_t;

typedef struct cap_slot {
	cap_type_t type;
	void *object;
} cap_slot_t;

typedef struct cap_table {
	mutex_t lock;
	cap_slot_t slot[IPC_PHONES_MAX];
	size_t used;
} cap_table_t;

void cap_table_init(cap_table_t *t);
/* Put @a object (its reference passes to the table): ELIMIT when full.
 * @a want: a specific handle, or CAP_NIL for the lowest free one. */
errno_t cap_alloc(
    cap_table_t *t, cap_type_t type, void *object, cap_handle_t want, cap_handle_t *out);
/* Take the object out (the reference passes to the caller): ENOENT for a
 * bad handle or one of another type. */
errno_t cap_take(cap_table_t *t, cap_handle_t h, cap_type_t type, void **object);
/* Take @a h back only if it still holds @a object (its reference passes to
 * the caller): ENOENT if a sibling thread took the handle meanwhile (and
 * maybe reused it for something else, which stays). */
errno_t cap_take_obj(cap_table_t *t, cap_handle_t h, cap_type_t type, const void *object);
/* The phone at @a h with a new reference: ENOENT. */
errno_t cap_phone_get(cap_table_t *t, cap_handle_t h, struct phone **out);
size_t cap_used(cap_table_t *t);

#endif
