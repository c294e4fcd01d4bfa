/*
 * Per-task capability tables of typed handles (abi/cap.h has what user
 * space sees).
 *
 * A table has CAP_MAX slots.  A used slot holds one reference to a typed
 * object (a phone, a received call, and later the driver objects); a slot
 * has a generation that changes every time the slot is freed, and a handle
 * names (index, generation), so a stale handle is refused (ESTALE) instead
 * of reaching the slot's next object.  Free slots and used slots are on two
 * doubly linked lists threaded through the slots: allocating, freeing and
 * looking up a handle are O(1), and closing a table visits only the used
 * slots.
 *
 * Every type registers its operations (cap_type_register): how to take a
 * reference for a lookup, and how to close the table's reference when the
 * task ends.  The table knows nothing else about its objects.
 *
 * Lock: cap_table_t.lock (a mutex) protects every slot, both lists and the
 * count.  It is taken before any lock of the objects (the type hooks run
 * under it: phone_t.lock -> answerbox_t.lock follow).
 */
#ifndef KERN_CAP_CAP_H_
#define KERN_CAP_CAP_H_

#include <abi/cap.h>
#include <abi/ddi.h>
#include <abi/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <synch/mutex.h>

typedef enum cap_type {
	CAP_FREE = 0,
	CAP_PHONE, /* phone_t (ipc/ipc.h) */
	CAP_CALL, /* call_t received, not yet answered or forwarded */
	CAP_IO_RANGE, /* ddi_range_t of I/O ports (ddi/range.h) */
	CAP_PHYS_RANGE, /* ddi_range_t of physical addresses */
	CAP_IRQ_RANGE, /* ddi_range_t of IRQ lines */
	CAP_DMA, /* dma_buf_t (ddi/dma.h) */
	/* Part C (ddi-irq): */
	CAP_IRQ_SUB, /* irq_sub_t: an IRQ subscription (ddi/irq.h) */
	CAP_TASK, /* task_right_t: the right to kill a task (proc/task.h) */
	CAP_TYPE_COUNT
} cap_type_t;

/* What the table needs to know about a type of object. */
typedef struct cap_type_ops {
	const char *name;
	/* A new reference for cap_get (under the table lock: must not sleep
	 * or take locks that come before it). */
	void (*hold)(void *object);
	/* The task is ending, or it dropped the handle (SYS_CAP_DROP):
	 * dispose of the table's reference. */
	void (*close)(void *object);
	/* What SYS_CAP_INFO reports (kind, range): under the table lock, must
	 * not sleep.  NULL: the kind is reported as 0 (unknown). */
	void (*info)(const void *object, cap_info_t *out);
	/* SYS_CAP_DROP refuses such handles (EINVAL): a received call must be
	 * answered or forwarded, not dropped. */
	bool no_drop;
	/* A handle of it may be copied into another table (spawn with caps,
	 * IPC_M_CAP_GIVE): the object is immutable or shared alike by every
	 * holder, and close only drops one reference.  Phones and calls are
	 * not (a phone's close hangs up the connection for every holder). */
	bool shareable;
} cap_type_ops_t;

typedef struct cap_slot {
	void *object; /* NULL when free */
	uint32_t gen; /* the generation of the slot's current (or next) handle */
	uint16_t type; /* cap_type_t */
	uint16_t prev, next; /* on the free or the used list (CAP_SLOT_NONE ends) */
} cap_slot_t;

#define CAP_SLOT_NONE 0xffff

typedef struct cap_table {
	mutex_t lock;
	cap_slot_t slot[CAP_MAX];
	uint16_t free_head; /* lock */
	uint16_t used_head; /* lock */
	size_t used; /* lock: slots on the used list */
} cap_table_t;

/* Register the operations of @a type (at boot, before tables are used). */
void cap_type_register(cap_type_t type, const cap_type_ops_t *ops);

void cap_table_init(cap_table_t *t);
/* Close every used slot with its type's close hook (the task is ending;
 * no thread of it runs any more).  The table is empty afterwards. */
void cap_table_close_all(cap_table_t *t);
/* Close every handle of @a t but keep[0..n) (SYS_TASK_EXEC); a dropped
 * phone hangs up as when the task ends. */
void cap_table_close_except(cap_table_t *t, const cap_handle_t *keep, size_t n);

/* Put @a object (its reference passes to the table): ELIMIT when full.
 * @a want: a specific handle (EEXIST if its slot is taken or its
 * generation is not the slot's next), or CAP_NIL for any free slot. */
errno_t cap_alloc(
    cap_table_t *t, cap_type_t type, void *object, cap_handle_t want, cap_handle_t *out);
/* Take the object out (the reference passes to the caller): ENOENT for a
 * handle of no slot, a free slot or one of another type, ESTALE for a
 * handle whose slot holds a later object. */
errno_t cap_take(cap_table_t *t, cap_handle_t h, cap_type_t type, void **object);
/* Take @a h back only if it still holds @a object (its reference passes to
 * the caller): ENOENT/ESTALE if a sibling thread took the handle meanwhile
 * (and maybe reused the slot for something else, which stays). */
errno_t cap_take_obj(cap_table_t *t, cap_handle_t h, cap_type_t type, const void *object);
/* The object at @a h with a new reference (the type's hold hook):
 * ENOENT, ESTALE. */
errno_t cap_get(cap_table_t *t, cap_handle_t h, cap_type_t type, void **object);
size_t cap_used(cap_table_t *t);
/* Whether a handle of @a type names an object @a match accepts (called
 * under the table lock for each such object: must not sleep or lock). */
bool cap_holds(
    cap_table_t *t, cap_type_t type, bool (*match)(const void *object, uint64_t arg), uint64_t arg);
/* What @a h names, of any type (SYS_CAP_INFO): ENOENT, ESTALE. */
errno_t cap_info(cap_table_t *t, cap_handle_t h, cap_info_t *out);
/* Take @a h out, of any type, and close the table's reference with the
 * type's close hook (SYS_CAP_DROP): ENOENT, ESTALE, EINVAL (a type that
 * cannot be dropped: nothing done). */
errno_t cap_drop(cap_table_t *t, cap_handle_t h);
/* The object at @a h of a shareable type, with a new reference for the
 * caller (to be put into another table with cap_alloc, or given back with
 * cap_object_close): ENOENT, ESTALE, EINVAL (not shareable). */
errno_t cap_get_shareable(cap_table_t *t, cap_handle_t h, cap_type_t *type, void **object);
/* Drop a reference to an object of a shareable type (its close hook). */
void cap_object_close(cap_type_t type, void *object);
/* Take one more reference to an object of a shareable type (its hold hook). */
void cap_object_hold(cap_type_t type, void *object);

#endif
