/*
 * Capability handles as user space sees them.
 *
 * Everything a task can name in the kernel (a phone, a received call, and
 * the driver objects: IRQ, I/O-port range, physical range, DMA buffer,
 * notification) is behind a handle in the task's capability table.  A
 * handle is a non-negative 31-bit number: the slot index in its low
 * CAP_INDEX_BITS bits and the slot's generation above them.  Every time a
 * slot is freed its generation changes, so a handle kept after its object
 * went away never reaches the next object put in that slot:
 *
 *   ENOENT  the handle names no slot, a free slot, or an object of
 *           another kind than the call wants;
 *   ESTALE  the slot now holds another object (the handle's object was
 *           closed and the slot reused).
 *
 * A task has at most CAP_MAX handles at once (ELIMIT beyond).  The first
 * handle of each slot equals its index, so a new task's phone to the
 * naming service is handle 0 (IPC_PHONE_NS).
 */
#ifndef ABI_CAP_H_
#define ABI_CAP_H_

#include <stdint.h>

typedef int32_t cap_handle_t;

#define CAP_NIL ((cap_handle_t) -1)

#define CAP_INDEX_BITS 8
#define CAP_MAX (1 << CAP_INDEX_BITS) /* handles per task */
#define CAP_GEN_BITS (31 - CAP_INDEX_BITS) /* generations wrap after 2^23 reuses of a slot */

#define CAP_HANDLE_INDEX(h) ((uint32_t) (h) & (CAP_MAX - 1))
#define CAP_HANDLE_GEN(h) ((uint32_t) (h) >> CAP_INDEX_BITS)
#define CAP_HANDLE_MAKE(index, gen) \
	((cap_handle_t) (((uint32_t) (gen) << CAP_INDEX_BITS) | (index)))

#endif
