/*
 * The pager backend (see abi/pager.h for the protocol, mm/pager.c for the
 * essay, the locks and their order).
 *
 * A pager object is named by (the pager's answerbox, the connection badge
 * it was bound through, object id).  The kernel keeps a record of each
 * object that has at least one area bound to it: its areas (to revoke
 * pages from), the size the pager set, the page-ins in flight, and the
 * count of areas, whose first and last change are reported to the pager.
 * Records are found by hash; the records of one object id at one pager
 * (one per badge) are grouped, because revoke and set-size act on them
 * all.
 */
#ifndef KERN_MM_PAGER_H_
#define KERN_MM_PAGER_H_

#include <abi/errno.h>
#include <abi/pager.h>
#include <abi/task.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct as;
struct as_area;
struct phone;
struct answerbox;
struct task;
struct call;

typedef struct pager_obj pager_obj_t;

/* What a kernel call to a pager carries in call_t.run (opaque outside
 * mm/pager.c): a page-in's request and the frames its answer supplied,
 * or a REF/UNREF notice's place in its box's notice count.  Released by
 * the methods' cleanup hook, which mm/pager.c registers. */
typedef struct pager_run pager_run_t;

/* A page-in answered EOK by the pager task @a pager (the answer hook of
 * IPC_M_PAGE_IN; tests call it for a stand-in pager): check the answer and
 * take a frame reference on every page it supplies while they are known
 * to be the pager's address space's.  EOK, or EINVAL for an answer that
 * breaks a rule (logged with the pager, the object and the rule; nothing
 * is mapped). */
errno_t pager_answer_take(struct call *call, const ipc_msg_t *args, struct task *pager);

/* Register the pager's methods with ipc/ and set up. */
void pager_init(void);

/* Bind @a area (not yet bound) to (phone's answerbox, badge, object):
 * creates the record on first use (then tells the pager OBJECT_REF).
 * Takes its own reference on the phone.  ENOMEM, EHANGUP (the phone is
 * hung up), ELIMIT (the pager has PAGER_NOTICES_MAX notices it has not
 * answered: the record cannot be made, and nothing changed). */
errno_t pager_area_bind(
    struct as_area *area, struct phone *phone, uint64_t object, uint64_t offset);
/* Bind @a area to the same object as @a model (a split piece or a shared
 * copy), at object offset @a offset.  Never fails. */
errno_t pager_area_bind_like(struct as_area *area, const struct as_area *model, uint64_t offset);
/* Unbind (the area is destroyed or replaced); the last area of an object
 * tells the pager OBJECT_UNREF.  Never fails. */
void pager_area_unbind(struct as_area *area);

/* The fault path for pager areas: called by as_page_fault with as->lock
 * held on a page of @a area; returns with as->lock RELEASED. */
errno_t pager_page_fault(struct as *as, struct as_area *area, uintptr_t addr, unsigned access);

/* Pager-side requests about the objects named through @a box (the calling
 * pager's answerbox): abi/pager.h says what they do and return. */
errno_t pager_revoke(struct answerbox *box, uint64_t object, uint64_t offset, uint64_t size);
errno_t pager_set_size(struct answerbox *box, uint64_t object, uint64_t size);
/* Take the write right from the pages [offset, offset + size) of the
 * object in every area bound to it (and from answers in flight that no
 * fault mapped yet).  EOK, EINVAL (alignment, or the range passes 2^64),
 * ENOENT (no area is bound to the id), ENOMEM (nothing changed). */
errno_t pager_write_protect(struct answerbox *box, uint64_t object, uint64_t offset, uint64_t size);

/* SYS_PAGER_BOUND: EOK if an area is bound to @a object through the
 * connection with badge @a badge to @a box (a record exists), else ENOENT.
 * Final once that connection's hangup has been queued at @a box: no
 * record of it is made after (mm/pager.c, "Hangups"). */
errno_t pager_bound(struct answerbox *box, uint64_t object, uint64_t badge);

/* For tests: live records, and the longest hash chain of the record
 * table (0 when empty). */
size_t pager_record_count(void);
size_t pager_record_chain_max(void);
/* For tests: notices sent to @a box and not yet released. */
unsigned pager_notices_pending(struct answerbox *box);

/* The phone to the pager of @a area's record now, held (sharing binds
 * the copy through it). */
struct phone *pager_area_phone(const struct as_area *area);

/*
 * Registration, restart and low memory (mm/pager_role.c; abi/pager.h says
 * what user space sees).  The roles' lock comes before pager_lock.
 */
/* SYS_PAGER_REGISTER for @a task: a free role, or a takeover. */
errno_t pager_role_register(struct task *task, unsigned role);
/* SYS_PAGER_SUCCESSOR: @a caller names its child @a child. */
errno_t pager_role_successor(struct task *caller, unsigned role, task_id_t child);
/* The task ended (its box is deactivated): its role, if any, is freed or
 * orphaned (then its pages are revoked here, in the caller's context). */
void pager_role_task_ended(struct task *task);
/* A fault on object @a object of the dead pager @a box, whose record
 * was @a accepted by it: true once a successor took the records over
 * (retry), false if @a box is no registered pager's, none came within the
 * pager timeout, or the record was never accepted (then at once, logged
 * while the role waits for a successor). */
bool pager_role_orphan_wait(struct answerbox *box, uint64_t object, bool accepted);
/* SYS_PAGER_LOW_MEMORY_TEST: a forced notice (abi/pager.h). */
errno_t pager_low_memory_test(unsigned role);
/* Start the low-memory thread (after the scheduler is up). */
void pager_role_init(void);

/* What a takeover moved (IPC_M_PAGER_REGISTERED's words). */
typedef struct pager_adopt_summary {
	uint64_t records;
	uint64_t badge_max;
	uint64_t id_max;
	uint64_t lost; /* pages mapped writable at the death (the REFs' sum) */
} pager_adopt_summary_t;
/* Records of @a box that a successor would take: those its pager accepted
 * (answered a page-in of; a scan of every record: for a death, not a
 * fault). */
size_t pager_box_records(struct answerbox *box);
/* @a box is a dead registered pager's: cut every run of its records (no
 * answer given before the death is mapped after it), and accept the
 * records whose page-in it answered just before.  The accepted records;
 * *refused gets the others.  Takes pager_lock (the roles' lock may be
 * held). */
size_t pager_box_seal(struct answerbox *box, size_t *refused);
/* After pager_box_seal: unmap every page the box's records have mapped
 * anywhere (whole areas: cannot fail for want of memory), counting per
 * record the pages mapped writable (each object page once).  Their sum.
 * No lock held. */
uint64_t pager_box_orphan(struct answerbox *box);
/* Rebind every accepted record of the dead @a from to @a to (a phone of
 * its own to @a to each, the same badge and id; an OBJECT_REF with
 * PAGER_REF_ADOPTED and the pages it lost to @a to for each); the others
 * stay with @a from.  EBUSY (@a to has records of one of the ids),
 * ENOMEM: nothing changed. */
errno_t pager_box_adopt(struct answerbox *from, struct answerbox *to, pager_adopt_summary_t *sum);

/* The kernel's pager timeout, microseconds. */
extern uint64_t pager_timeout_us;

#endif
