/*
 * Address-space areas as user space sees them.
 *
 * An area is a page-aligned range [base, base + size) of the user half of
 * an address space with one set of rights and one backend.  Rules the
 * kernel enforces on every call (refused with the errno_t given, nothing
 * changed):
 *  - size 0, or base + size overflowing: EINVAL / EOVERFLOW;
 *  - base or size not page aligned: EINVAL;
 *  - any byte below AS_USER_FLOOR (the NULL pages) or at/above
 *    AS_USER_TOP (the kernel half): EINVAL;
 *  - overlap with an existing area: EEXIST;
 *  - AS_AREA_WRITE together with AS_AREA_EXEC: EPERM (W^X);
 *  - flags outside the defined bits: EINVAL;
 *  - an area more than AS_AREAS_MAX: ELIMIT (also for the unmap or
 *    protect of a range inside an area, which splits it).
 */
#ifndef ABI_AS_H_
#define ABI_AS_H_

#include <abi/layout.h>
#include <stddef.h>
#include <stdint.h>

#define AS_AREA_READ (1u << 0)
#define AS_AREA_WRITE (1u << 1)
#define AS_AREA_EXEC (1u << 2)
/* Map the area's pages uncached (device memory).  Memory is cached unless
 * an area asks for this; it is the area's attribute: pages a pager
 * supplies for it are mapped uncached whatever the answer says. */
#define AS_AREA_UNCACHED (1u << 3)
/* Creation only: place at exactly the base given (else base is a hint). */
#define AS_AREA_FIXED (1u << 8)

/* Everything an area's flags hold (as_area_info_t.flags, protect, share). */
#define AS_AREA_RIGHTS (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC | AS_AREA_UNCACHED)

/* The lowest user address an area may cover: the first 64 KiB stay empty so
 * NULL-pointer dereferences (also with an offset) always fault. */
#define AS_USER_FLOOR 0x10000UL
/* One past the highest address an area may cover: the canonical lower
 * half minus its last page.  A `syscall` in that page would return to the
 * non-canonical 0x800000000000, which makes SYSRET fault in ring 0 on
 * Intel CPUs; so nothing can ever be mapped there. */
#define AS_USER_TOP 0x00007ffffffff000UL
/* Where the kernel starts looking when it chooses an address. */
#define AS_ANYWHERE_FLOOR 0x0000100000000000UL

/* Areas one address space may hold; one more (a create, or the split an
 * unmap or protect needs) is ELIMIT.  Each area costs kernel memory no
 * frame of the task pays for (its record, its key in the area tree, a
 * pager binding): this bound keeps that below about 31 MiB per task (see
 * "Per-task limits" in docs/architecture.md), far above what a program
 * needs (Linux's default map count is 65530 for much larger machines). */
#define AS_AREAS_MAX 16384

/* Backends (as_area_info_t.backend). */
#define AS_BACKEND_WIRED 1 /* frames allocated and mapped at creation/growth */
#define AS_BACKEND_PHYS 2 /* a physical range (devices) */
#define AS_BACKEND_PAGER 3 /* faults go to a user-space pager */
#define AS_BACKEND_DMA 4 /* a DMA buffer (abi/ddi.h) */

typedef struct as_area_info {
	uintptr_t base;
	size_t size; /* bytes */
	unsigned flags; /* AS_AREA_* rights */
	unsigned backend; /* AS_BACKEND_* */
	size_t resident; /* pages mapped now */
} as_area_info_t;

ABI_SIZE(as_area_info_t, 32);
ABI_FIELD(as_area_info_t, base, 0);
ABI_FIELD(as_area_info_t, size, 8);
ABI_FIELD(as_area_info_t, flags, 16);
ABI_FIELD(as_area_info_t, backend, 20);
ABI_FIELD(as_area_info_t, resident, 24);

/* SYS_TASK_AREA_LIST (abi/syscall.h; who may: abi/task.h, "Looking at
 * tasks"): an area of any task, with what backs it. */
typedef struct task_area_info {
	uintptr_t base;
	size_t size; /* bytes */
	unsigned flags; /* AS_AREA_* rights */
	unsigned backend; /* AS_BACKEND_* */
	size_t resident; /* pages mapped now */
	/* AS_BACKEND_PAGER: the task of the pager that serves the object now
	 * (0: none, the pager ended), the object's id at that pager, and the
	 * byte offset of base in the object.  AS_BACKEND_PHYS: offset is the
	 * physical address of base.  AS_BACKEND_DMA: offset is that of base
	 * in the buffer.  Otherwise 0. */
	uint64_t pager;
	uint64_t object;
	uint64_t offset;
} task_area_info_t;

ABI_SIZE(task_area_info_t, 56);
ABI_FIELD(task_area_info_t, base, 0);
ABI_FIELD(task_area_info_t, size, 8);
ABI_FIELD(task_area_info_t, flags, 16);
ABI_FIELD(task_area_info_t, backend, 20);
ABI_FIELD(task_area_info_t, resident, 24);
ABI_FIELD(task_area_info_t, pager, 32);
ABI_FIELD(task_area_info_t, object, 40);
ABI_FIELD(task_area_info_t, offset, 48);

#endif
