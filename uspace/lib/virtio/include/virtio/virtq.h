/*
 * The split virtqueue (virtio 1.0 section 2.4): ring layout and the
 * driver's side of the index arithmetic.  Pure code over memory the
 * caller provides (DMA memory in the driver, plain memory in the host
 * tests, where the test plays the device).
 *
 * Indices: avail.idx and used.idx are free-running 16-bit counters; the
 * ring slot of index i is i & (num - 1) (num is a power of two), and
 * "how many" is always the 16-bit difference, so both wrap at 65536
 * without a special case.
 *
 * Not thread-safe: the caller serialises every call on one queue.
 */
#ifndef VIRTIO_VIRTQ_H_
#define VIRTIO_VIRTQ_H_

#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT 1 /* the chain goes on at .next */
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer */
#define VIRTQ_DESC_F_INDIRECT 4

#define VIRTQ_NUM_MAX 32768 /* the largest split queue */
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4

typedef struct virtq_desc {
	uint64_t addr; /* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
} virtq_desc_t;

typedef struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* num entries, then used_event if EVENT_IDX */
} virtq_avail_t;

typedef struct virtq_used_elem {
	uint32_t id; /* the head of the chain the device finished */
	uint32_t len; /* bytes it wrote into the chain */
} virtq_used_elem_t;

typedef struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	virtq_used_elem_t ring[]; /* num entries, then avail_event if EVENT_IDX */
} virtq_used_t;

_Static_assert(sizeof(virtq_desc_t) == 16, "virtq_desc_t is 16 bytes");
_Static_assert(sizeof(virtq_used_elem_t) == 8, "virtq_used_elem_t is 8 bytes");

/* Where the three parts go in one allocation of `size` bytes. */
typedef struct virtq_layout {
	size_t desc_off, desc_size;
	size_t avail_off, avail_size;
	size_t used_off, used_size;
	size_t size;
} virtq_layout_t;

errno_t virtq_layout_compute(unsigned num, size_t used_align, virtq_layout_t *layout);

/* The driver's view of one queue. */
typedef struct virtq {
	unsigned num; /* entries: a power of two */
	volatile virtq_desc_t *desc;
	volatile virtq_avail_t *avail;
	volatile virtq_used_t *used;
	uint16_t free_head; /* first free descriptor (valid if num_free > 0) */
	unsigned num_free;
	uint16_t avail_idx; /* our copy of avail.idx (we are its only writer) */
	uint16_t last_used; /* the next used.idx we have not consumed */
} virtq_t;

errno_t virtq_init(virtq_t *vq, unsigned num, void *mem, const virtq_layout_t *layout);
errno_t virtq_chain_alloc(virtq_t *vq, unsigned n, uint16_t *head);
errno_t virtq_chain_free(virtq_t *vq, uint16_t head, unsigned *n);
void virtq_avail_publish(virtq_t *vq, uint16_t head);
unsigned virtq_used_pending(const virtq_t *vq);
errno_t virtq_used_pop(virtq_t *vq, uint32_t *id, uint32_t *len);

static inline uint16_t virtq_idx_diff(uint16_t newer, uint16_t older)
{
	return (uint16_t) (newer - older);
}

static inline unsigned virtq_slot(const virtq_t *vq, uint16_t idx)
{
	return idx & (vq->num - 1);
}

#endif
