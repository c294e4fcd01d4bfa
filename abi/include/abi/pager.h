/*
 * The pager protocol: what a user-space pager receives and must answer.
 * docs/pager-abi.md is the guide; this header is the contract.
 *
 * Binding.  A client creates an area bound to a pager object with
 *     SYS_AS_AREA_CREATE_PAGER(base, size, flags, const as_pager_spec_t *,
 *                              uintptr_t *base_out)
 * naming one of its phones to the pager, an object id (the pager's
 * namespace; clients get ids from the pager by its own protocol) and the
 * byte offset of the area's first page in the object.  Nothing is mapped:
 * every first touch of a page faults, and the kernel asks the pager.
 *
 * Kernel to pager (calls arriving with ev.sender == 0; ev.conn is the badge
 * of the connection the area was bound through):
 *
 *  IPC_M_PAGE_IN  arg[0] object, arg[1] offset of the faulting page in the
 *      object (bytes, page-aligned), arg[2] pages wanted (>= 1: the
 *      faulting page, then as many following pages of the same area as the
 *      kernel would map at once), arg[3] access (FAULT_ACCESS_READ, _WRITE
 *      or _EXEC), arg[4] PAGE_IN_* hints, the area's flags
 *      (PAGE_IN_RIGHTS(arg[4])) and, for an upgrade (PAGE_IN_UPGRADE: the
 *      page is mapped there already, without the right the access needs),
 *      the rights it is mapped with (PAGE_IN_MAPPED(arg[4])).
 *      One page-in per object page at a time: a fault on a page that a
 *      page-in in flight covers (from any area bound to the object, in any
 *      task) waits for it and maps its answer, with the granted rights cut
 *      to its own area's (asking itself if they do not cover its access).
 *      An answer is thus the object's page, never one area's.
 *      Answer EOK with
 *          arg[0] address, in the PAGER's own address space, of a run of
 *                 pages whose first page is the faulting page,
 *          arg[1] number of pages in the run (1 .. pages wanted),
 *          arg[2] rights to grant (AS_AREA_READ/WRITE/EXEC; at most the
 *                 area's rights; the access must be among them),
 *      or any error to fail the fault (the faulting task is then killed
 *      with "pager error NAME", e.g. "pager error EIO").  The kernel checks that every page of the run
 *      is mapped (user-readable) in the pager, and writable there if write
 *      is granted (a pager cannot hand out write access to a frame it may
 *      only read; execute needs no right of the pager's), takes a
 *      frame reference on each and maps them into the faulting area; the
 *      pager may unmap its own copy afterwards (the frame lives on).
 *      A write to a page mapped read-only faults again with access WRITE:
 *      that is how a pager implements copy-on-write or dirty tracking.
 *      The page is mapped with the granted rights cut to the area's and
 *      with the area's caching (AS_AREA_UNCACHED is the area's alone).
 *      An answer that breaks any rule is refused: the fault fails with
 *      EINVAL, nothing is mapped, SYS_IPC_ANSWER returns EINVAL to the
 *      pager, and the kernel logs the pager task, the object and the rule.
 *      No answer within the kernel's pager timeout fails the fault with
 *      ETIMEOUT.
 *
 *  IPC_M_PAGER_OBJECT_REF    arg[0] object: its first area appeared.
 *  IPC_M_PAGER_OBJECT_UNREF  arg[0] object: its last area went away; the
 *      pager may free it.  Answer both (the retval is ignored).  While
 *      PAGER_NOTICES_MAX notices to a pager are unanswered, binding an area
 *      to one of its objects without areas is refused with ELIMIT; UNREFs
 *      are never refused, and no notice is dropped.
 *
 * Pager to kernel (system calls; they act on objects named through phones
 * connected to the calling task's answerbox):
 *  SYS_PAGER_REVOKE(object, offset, size): unmap those pages of the object
 *      from every area bound to it (eviction, truncation); the next touch
 *      faults again.  A page-in answered before the revoke and not mapped
 *      yet loses the revoked pages and those after them (the fault is
 *      retried); one answered after the revoke stands.  EOK, EINVAL
 *      (alignment), ENOENT (no such object), ENOMEM (some pages stay
 *      mapped: retry).
 *  SYS_PAGER_SET_SIZE(object, size): faults at or beyond size fail at once
 *      with ERANGE, without a page-in, and pages beyond it are revoked
 *      (also from page-ins in flight, answered or not); pages below it
 *      are not touched, so a set-size inside a page-in keeps its answer.
 *  SYS_PAGER_WRITE_PROTECT(object, offset, size): those pages of the
 *      object lose the write right in every area bound to it (the start of
 *      a write-back): a mapped page keeps its frame and its other rights,
 *      loads go on without a fault, and the next store faults again and
 *      reaches the pager as a write with PAGE_IN_UPGRADE.  "Every area
 *      bound to it": the areas bound to the id through any phone to the
 *      caller's box, their pieces (split by unmap or protect) and their
 *      shared copies (IPC_M_SHARE_OUT/IN), in every task; the kernel has
 *      no private copies of its own (a private mapping is another object,
 *      a clone, which this does not touch), and areas without the write
 *      right have nothing to lose.  A page-in answered before the protect
 *      and not mapped yet maps the protected pages, and those after them
 *      in its run, without the write right (a write whose own page lost it
 *      maps nothing and faults again); one answered after the protect
 *      stands.  So once the call returns, no store to those pages goes by
 *      the pager.  It never fails half way: EOK (all done), EINVAL
 *      (offset or size not page aligned, or offset + size beyond 2^64),
 *      ENOENT (no area is bound to the id: nothing is mapped), ENOMEM
 *      (only for an object with more than 8 areas, and then nothing
 *      changed: retry).  Size 0 changes nothing.
 *  SYS_PAGER_BOUND(object, conn): EOK if an area is bound to the object
 *      through the caller's client connection with badge @a conn (the
 *      kernel holds a record of it: its OBJECT_REF was sent and its
 *      OBJECT_UNREF not yet), ENOENT if not; any words are taken (an
 *      unknown id or badge is ENOENT).  For a closed connection the
 *      answer is final: once its hangup (IPC_EV_HANGUP) can have reached
 *      the pager, no area is bound through it any more (a bind racing the
 *      hangup either is done before it or fails with EHANGUP).  So a pager
 *      that drops the objects of a closed connection which "never got an
 *      area" asks this about each it has not yet heard an OBJECT_REF for,
 *      and keeps those with EOK: their REF is coming (it may be served
 *      after the hangup, or on another thread at once: the kernel hands a
 *      box's hangups out before its queued calls), and so is their UNREF.
 *
 * Registration, restart and low memory.  A pager task may hold one role
 * (PAGER_ROLE_*, 1 .. PAGER_ROLE_COUNT - 1; a task holds at most one):
 *  SYS_PAGER_REGISTER(role): a free role becomes the caller's.  EOK,
 *      EINVAL (no such role), EEXIST (the caller holds a role already, or
 *      the role's holder lives), EPERM (the role is orphaned and the caller
 *      is not its designated successor), EBUSY (a takeover whose objects'
 *      ids the caller uses already: nothing changed), ENOMEM (nothing
 *      changed), EINTR.  The caller then gets, before anything else from
 *      the kernel, one IPC_M_PAGER_OBJECT_REF per adopted record (below)
 *      and then IPC_M_PAGER_REGISTERED: arg[0] role, arg[1] records
 *      adopted, arg[2] the largest badge and arg[3] the largest object id
 *      among them (0 if none).  Register before serving anybody: a pager
 *      must never give a new connection an adopted badge, nor a new object
 *      an adopted id.  A task's role ends with the task.
 *  SYS_PAGER_SUCCESSOR(role, child): the parent of the role's holder (the
 *      task that spawned it, as recorded when it registered) names its
 *      own child @a child as the only task that may take the role over
 *      once the holder is dead (0 clears).  Before or after the death;
 *      the last word counts.  EOK, EINVAL (no such role, or @a child is
 *      the holder), ENOENT (nobody holds or held the role), EPERM (the
 *      caller is not that parent, or @a child is not the caller's child).
 *  Accepted records.  Only records the dead holder ACCEPTED are kept for
 *      a successor: a record (an object id bound through one connection,
 *      ev.conn) is accepted once the pager answered a page-in of it with
 *      a supply the kernel took (EOK).  Nothing else accepts (revoke,
 *      set-size and write-protect name an id, not a connection); a
 *      takeover clears the mark (the successor accepts by answering).  A
 *      record never accepted -- an id a client chose that the pager never
 *      supplied, or a mapping never touched -- is not handed over: at the
 *      death its faults fail at once with EHANGUP (the kernel logs "never
 *      accepted" while the role waits for a successor), as a dead
 *      unregistered pager's do.
 *  When a holder dies with accepted objects that still have areas, the
 *      role is ORPHANED: its records stay, with their areas; every page
 *      they have mapped anywhere is revoked at once (the successor cannot
 *      know which were dirty: stores not yet written back by the dead
 *      pager are lost), and a fault on them waits for a successor, at most
 *      the pager timeout (then it fails with EHANGUP and the kernel logs
 *      "no successor").  When the designated successor registers, every
 *      accepted record of the dead pager is rebound to it (a new phone of
 *      its own to the successor, the same badge and object id), the
 *      successor gets for each IPC_M_PAGER_OBJECT_REF with arg[0] the
 *      object id, arg[1] PAGER_REF_ADOPTED, arg[2] the pages of the record
 *      that were mapped WITH THE WRITE RIGHT when the holder died (each
 *      object page once, however many areas mapped it; a write-back pager
 *      maps a page writable only while it is dirty, so this is a lower
 *      bound of the stores lost with it) and ev.conn the record's badge,
 *      and the waiting faults ask it.  From then on its REVOKE, SET_SIZE and WRITE_PROTECT
 *      act on adopted objects as on its own, and their UNREFs come to it.
 *      A holder that dies without such objects frees the role.
 *  IPC_M_PAGER_LOW_MEMORY (to registered pagers only; a notice: answer
 *      it, the retval is ignored): arg[0] free frames, arg[1] total frames,
 *      arg[2] frames the kernel would like freed (up to the high
 *      watermark), arg[3] PAGER_LOW_MEMORY_* flags.  Sent when free frames
 *      fall below the low watermark, max(total / 16, 256) frames (high:
 *      twice that), by a kernel thread, never from an allocation.  At most
 *      one per pager is unanswered, and the next comes at least
 *      PAGER_LOW_MEMORY_INTERVAL_MS after the previous one and only if
 *      memory is still low.
 *  SYS_PAGER_LOW_MEMORY_TEST(role): tests only (ENOTSUP unless the kernel
 *      was booted with utest= or ipc_fail_inject): sends the holder of
 *      @a role a notice now, with PAGER_LOW_MEMORY_FORCED, as if memory
 *      were low (arg[2] is then at least the low watermark).  EOK (sent),
 *      EBUSY (its previous notice is unanswered: none sent), ENOENT (no
 *      live holder), EINVAL; role 0 sends one to every registered pager
 *      without one outstanding (EOK).
 */
#ifndef ABI_PAGER_H_
#define ABI_PAGER_H_

#include <abi/ipc.h>
#include <abi/layout.h>
#include <stdint.h>

typedef struct as_pager_spec {
	cap_handle_t phone; /* the client's phone to the pager */
	uint32_t reserved;
	uint64_t object; /* object id at the pager */
	uint64_t offset; /* byte offset of the area's base in the object */
} as_pager_spec_t;

ABI_SIZE(as_pager_spec_t, 24);
ABI_FIELD(as_pager_spec_t, phone, 0);
ABI_FIELD(as_pager_spec_t, reserved, 4);
ABI_FIELD(as_pager_spec_t, object, 8);
ABI_FIELD(as_pager_spec_t, offset, 16);

/* IPC_M_PAGE_IN arg[4]: bits 0-7 hints (PAGE_IN_SEQUENTIAL,
 * PAGE_IN_UPGRADE), bits 8-15 the faulting area's AS_AREA_* flags
 * (AS_AREA_RIGHTS: a pager may grant up to these at once, e.g. write on a
 * read fault of a private page, and save the later write fault), bits
 * 16-23 for an upgrade the AS_AREA_* rights the page is mapped with now
 * (0 otherwise). */
/* The faulting page is the one right after the last run a page-in mapped
 * in the same area: the client is likely reading forwards, so a pager that
 * prepares pages (reads a file, decompresses) may start on the next ones.
 * Never set together with PAGE_IN_UPGRADE. */
#define PAGE_IN_SEQUENTIAL (1u << 0)
/* The faulting page is mapped in that area already, but without the right
 * the access needs (a write to a page mapped read-only): an upgrade, not a
 * first touch.  PAGE_IN_MAPPED() says what the page has; arg[2] is 1; the
 * page the pager answers with replaces the one mapped. */
#define PAGE_IN_UPGRADE (1u << 1)
#define PAGE_IN_RIGHTS_SHIFT 8
#define PAGE_IN_RIGHTS(arg4) ((unsigned) ((arg4) >> PAGE_IN_RIGHTS_SHIFT) & 0xff)
#define PAGE_IN_MAPPED_SHIFT 16
#define PAGE_IN_MAPPED(arg4) ((unsigned) ((arg4) >> PAGE_IN_MAPPED_SHIFT) & 0xff)

/* The kernel's default pager timeout (the command line may change it). */
#define PAGER_TIMEOUT_DEFAULT_MS 5000

/* Most pages a page-in asks for (arg[2]): PAGER_RUN_MAX, or, when it is
 * marked PAGE_IN_SEQUENTIAL (a reader going forwards), PAGER_RUN_SEQ_MAX.
 * So no answer maps more than PAGER_RUN_SEQ_MAX pages. */
#define PAGER_RUN_MAX 16
#define PAGER_RUN_SEQ_MAX 64

/* OBJECT_REF/UNREF notices a pager may leave unanswered: while it has this
 * many, binding an area to one of its objects that has no area yet is
 * refused with ELIMIT (the binder pays; no notice is ever dropped). */
#define PAGER_NOTICES_MAX 1024

/* Pager roles (SYS_PAGER_REGISTER). */
#define PAGER_ROLE_ANON 1 /* the anonymous-memory pager */
#define PAGER_ROLE_FILE 2 /* the file pager */
#define PAGER_ROLE_TEST 3 /* the tests' */
#define PAGER_ROLE_TEST2 4
#define PAGER_ROLE_COUNT 16 /* roles are 1 .. PAGER_ROLE_COUNT - 1 */

/* IPC_M_PAGER_OBJECT_REF arg[1]: a record of a dead pager taken over
 * (arg[2]: its pages that were mapped writable at the death). */
#define PAGER_REF_ADOPTED 1

/* IPC_M_PAGER_LOW_MEMORY arg[3]: sent by SYS_PAGER_LOW_MEMORY_TEST. */
#define PAGER_LOW_MEMORY_FORCED 1
/* The least time between two low-memory notices to one pager. */
#define PAGER_LOW_MEMORY_INTERVAL_MS 1000

#endif
