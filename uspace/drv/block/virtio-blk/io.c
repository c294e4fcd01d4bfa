/*
 * Requests: a READ, WRITE or FLUSH becomes one descriptor chain (header,
 * the data straight in the connection's DMA buffer, status byte), several
 * in flight; the interrupt consumes the used ring and answers the calls.
 * A request that finds no free descriptors waits in a bounded list and
 * goes when a completion frees some.
 */
#include <ipc.h>

#include "vblk.h"

static vblk_hdr_t *vblk_hdr(vblk_t *vb, uint16_t head)
{
	return (vblk_hdr_t *) vb->hdrs.vaddr + head;
}

static uint64_t vblk_hdr_paddr(vblk_t *vb, uint16_t head)
{
	return vb->hdrs.paddr + head * sizeof(vblk_hdr_t);
}

static volatile uint8_t *vblk_status(vblk_t *vb, uint16_t head)
{
	return vb->hdrs.vaddr + VBLK_QUEUE_MAX * sizeof(vblk_hdr_t) + head;
}

/* Put one checked request on the ring; ELIMIT: not enough descriptors. */
static errno_t vblk_ring_put_locked(
    vblk_t *vb, vblk_conn_t *conn, cap_handle_t call, const ipc_msg_t *msg)
{
	bool flush = msg->method == BLOCK_FLUSH;
	unsigned n = flush ? 2 : 3;
	uint16_t head;

	if (virtq_chain_alloc(&vb->vq, n, &head) != EOK)
		return ELIMIT;
	vblk_hdr_t *h = vblk_hdr(vb, head);
	h->type = flush ? VBLK_T_FLUSH : msg->method == BLOCK_READ ? VBLK_T_IN : VBLK_T_OUT;
	h->reserved = 0;
	h->sector = flush ? 0 : msg->arg[0] * (vb->geom.block_size / VBLK_SECTOR);
	*vblk_status(vb, head) = VBLK_S_NONE;
	volatile virtq_desc_t *d = &vb->vq.desc[head];
	d->addr = vblk_hdr_paddr(vb, head);
	d->len = sizeof(vblk_hdr_t);
	if (!flush) {
		d = &vb->vq.desc[d->next];
		d->addr = conn->buf.paddr + msg->arg[2];
		d->len = (uint32_t) (msg->arg[1] * vb->geom.block_size);
		if (msg->method == BLOCK_READ)
			d->flags |= VIRTQ_DESC_F_WRITE;
	}
	d = &vb->vq.desc[d->next];
	d->addr = vb->hdrs.paddr + VBLK_QUEUE_MAX * sizeof(vblk_hdr_t) + head;
	d->len = 1;
	d->flags |= VIRTQ_DESC_F_WRITE;
	vb->slots[head] = (vblk_slot_t){ .call = call, .conn = conn };
	if (conn != NULL)
		conn->inflight++;
	virtq_avail_publish(&vb->vq, head);
	return EOK;
}

/* Ring the doorbell of queue 0 (after the index is visible). */
static void vblk_notify(vblk_t *vb)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint16_t *) vb->notify = 0;
}

/*
 * A READ/WRITE/FLUSH from `conn`, checked (block_req_check) but not yet
 * answered: on the ring now, or in the pending list.  Any error is the
 * caller's to answer (ELIMIT: too many waiting).
 */
errno_t vblk_submit(vblk_t *vb, vblk_conn_t *conn, cap_handle_t call, const ipc_msg_t *msg)
{
	errno_t rc;

	if (msg->method == BLOCK_FLUSH) {
		if (!(vb->geom.flags & BLOCK_F_FLUSH))
			return EOK; /* no volatile cache: nothing to do; answered by the caller */
		conn = NULL; /* a flush uses no buffer: it holds no connection */
	}
	lock_acquire(&vb->lock);
	if (vb->pending_count == 0 && vblk_ring_put_locked(vb, conn, call, msg) == EOK) {
		lock_release(&vb->lock);
		vblk_notify(vb);
		return IPC_NO_REPLY;
	}
	if (vb->pending_count == VBLK_PENDING_MAX) {
		rc = ELIMIT;
	} else {
		unsigned i = (vb->pending_head + vb->pending_count) % VBLK_PENDING_MAX;
		vb->pending[i] = (vblk_pending_t){ .call = call, .conn = conn, .msg = *msg };
		vb->pending_count++;
		if (conn != NULL)
			conn->inflight++;
		rc = IPC_NO_REPLY;
	}
	lock_release(&vb->lock);
	return rc;
}

/* Move waiting requests to the ring while descriptors last. */
static bool vblk_pending_run_locked(vblk_t *vb)
{
	bool put = false;

	while (vb->pending_count > 0) {
		vblk_pending_t *p = &vb->pending[vb->pending_head];
		if (p->conn != NULL)
			p->conn->inflight--; /* vblk_ring_put counts it again */
		if (vblk_ring_put_locked(vb, p->conn, p->call, &p->msg) != EOK) {
			if (p->conn != NULL)
				p->conn->inflight++;
			break;
		}
		vb->pending_head = (vb->pending_head + 1) % VBLK_PENDING_MAX;
		vb->pending_count--;
		put = true;
	}
	return put;
}

static errno_t vblk_status_errno(uint8_t status)
{
	switch (status) {
	case VBLK_S_OK:
		return EOK;
	case VBLK_S_UNSUPP:
		return ENOTSUP;
	default:
		return EIO; /* IOERR, or no status written */
	}
}

/* A connection whose client hung up goes with its last request. */
static void vblk_conn_put_locked(vblk_conn_t *conn, vblk_dma_t *to_free)
{
	if (--conn->inflight == 0 && conn->hung_up) {
		*to_free = conn->buf;
		*conn = (vblk_conn_t){ .used = false };
	}
}

/* Drop a reference the caller took on `conn` (vblk_conn_get). */
void vblk_conn_put(vblk_t *vb, vblk_conn_t *conn)
{
	vblk_dma_t to_free = { .size = 0 };

	lock_acquire(&vb->lock);
	vblk_conn_put_locked(conn, &to_free);
	lock_release(&vb->lock);
	vblk_hw_dma_free(&to_free);
}

/* Answers gathered under the lock, sent after it. */
typedef struct vblk_done {
	cap_handle_t call;
	errno_t rc;
} vblk_done_t;

/*
 * The device interrupted: read the ISR (which lowers the line), answer
 * every finished request, start waiting ones, unmask the line.
 */
void vblk_interrupt(vblk_t *vb)
{
	vblk_done_t done[VBLK_QUEUE_MAX];
	vblk_dma_t to_free[VBLK_QUEUE_MAX];
	unsigned ndone = 0, nfree = 0;
	uint32_t id, len;

	(void) *vb->isr;
	lock_acquire(&vb->lock);
	while (ndone < VBLK_QUEUE_MAX && virtq_used_pop(&vb->vq, &id, &len) == EOK) {
		vblk_slot_t *s = &vb->slots[id];
		unsigned n;
		done[ndone++] = (vblk_done_t){ s->call, vblk_status_errno(*vblk_status(vb, id)) };
		if (s->conn != NULL) {
			to_free[nfree] = (vblk_dma_t){ .size = 0 };
			vblk_conn_put_locked(s->conn, &to_free[nfree]);
			nfree += to_free[nfree].size != 0;
		}
		virtq_chain_free(&vb->vq, (uint16_t) id, &n);
		*s = (vblk_slot_t){ .call = CAP_NIL };
	}
	bool put = vblk_pending_run_locked(vb);
	vb->completed += ndone;
	lock_release(&vb->lock);
	if (put)
		vblk_notify(vb);
	for (unsigned i = 0; i < ndone; i++) {
		if (done[i].rc != EOK)
			__atomic_fetch_add(&vb->errors, 1, __ATOMIC_RELAXED);
		ipc_answer(done[i].call, done[i].rc, NULL);
	}
	for (unsigned i = 0; i < nfree; i++)
		vblk_hw_dma_free(&to_free[i]);
	vblk_hw_irq_ack(vb);
}
