/*
 * Host unit test of the virtio-blk driver's request path
 * (uspace/drv/block/virtio-blk/io.c) against a model device: the test
 * plays the device on a queue in host memory (a "physical address" is the
 * host address), reading the chains the driver offers, moving the data
 * to and from a RAM disk and writing status and used entries; then it
 * raises the "interrupt" (vblk_interrupt) and checks the answers.
 *
 * Covered: the chain of a READ, a WRITE (header type and sector for 512-
 * and 4096-byte blocks, the data descriptor straight in the connection's
 * buffer with the right direction, the status byte) and a FLUSH; FLUSH
 * answered at once without the feature; several requests in flight,
 * finished by the device in any order and answered exactly once; the
 * wait list when the ring is full, and ELIMIT when that is full too;
 * IOERR, UNSUPP and a missing status as EIO/ENOTSUP/EIO; a connection
 * whose client hung up freed with its last request or the last call
 * being handled, not before.
 */
#include <stdlib.h>
#include <string.h>

#include <ipc.h>

#include "../uspace/drv/block/virtio-blk/vblk.h"
#include "tap.h"

#define QNUM 16
#define DISK_BLOCKS 2048
#define BUF_SIZE (64 * 1024)
#define ANSWERS_MAX 256

static vblk_t vb;
static uint8_t disk[DISK_BLOCKS * 512];
static uint8_t *buf;
static uint8_t isr_byte;
static uint16_t doorbell;
static void *ring_mem;

/* What the driver did through the shims. */
static struct {
	cap_handle_t call;
	errno_t rc;
} answers[ANSWERS_MAX];
static unsigned nanswers, irq_acks, dma_frees;
static vblk_dma_t freed;

errno_t ipc_answer(cap_handle_t call, errno_t retval, ipc_msg_t *args)
{
	(void) args;
	if (nanswers < ANSWERS_MAX)
		answers[nanswers] = (typeof(answers[0])){ call, retval };
	nanswers++;
	return EOK;
}

void vblk_hw_irq_ack(vblk_t *v)
{
	(void) v;
	irq_acks++;
}

void vblk_hw_dma_free(vblk_dma_t *dma)
{
	if (dma->size == 0)
		return;
	freed = *dma;
	dma_frees++;
}

/* The model device's state: the next avail entry it has not taken. */
static uint16_t dev_avail;

static void setup(uint32_t block_size, unsigned flags)
{
	virtq_layout_t l;

	free(ring_mem);
	free(vb.hdrs.vaddr);
	free(buf);
	memset(&vb, 0, sizeof(vb));
	virtq_layout_compute(QNUM, VIRTQ_USED_ALIGN, &l);
	ring_mem = aligned_alloc(4096, 4096 * 2);
	memset(ring_mem, 0, 4096 * 2);
	virtq_init(&vb.vq, QNUM, ring_mem, &l);
	vb.hdrs.vaddr = aligned_alloc(4096, 4096);
	memset(vb.hdrs.vaddr, 0, 4096);
	vb.hdrs.paddr = (uintptr_t) vb.hdrs.vaddr;
	vb.hdrs.size = 4096;
	vb.isr = &isr_byte;
	vb.notify = (volatile uint8_t *) &doorbell;
	vb.geom = (block_geom_t){ .block_size = block_size,
		.blocks = sizeof(disk) / block_size,
		.flags = flags,
		.xfer_max = VBLK_XFER_MAX };
	buf = aligned_alloc(4096, BUF_SIZE);
	memset(buf, 0, BUF_SIZE);
	vb.conns[0] = (vblk_conn_t){ .used = true,
		.buf = { .vaddr = buf, .paddr = (uintptr_t) buf, .size = BUF_SIZE } };
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t) (i * 7 + i / 4096);
	dev_avail = 0;
	nanswers = irq_acks = dma_frees = 0;
	freed = (vblk_dma_t){ 0 };
}

/* The device takes the next chain, checks its shape and does it; it
 * answers with `status` (VBLK_S_NONE: it writes no status).  False if
 * the chain is malformed. */
static bool dev_take(uint8_t status, uint16_t *head_out)
{
	volatile virtq_desc_t *d = vb.vq.desc;
	if (dev_avail == vb.vq.avail->idx)
		return false;
	uint16_t head = vb.vq.avail->ring[dev_avail % QNUM];
	dev_avail++;
	const vblk_hdr_t *h = (const vblk_hdr_t *) (uintptr_t) d[head].addr;
	if (d[head].len != sizeof(vblk_hdr_t) || (d[head].flags & VIRTQ_DESC_F_WRITE) ||
	    !(d[head].flags & VIRTQ_DESC_F_NEXT))
		return false;
	uint16_t s = d[head].next;
	if (h->type == VBLK_T_IN || h->type == VBLK_T_OUT) {
		uint16_t dd = s;
		bool in = h->type == VBLK_T_IN;
		if (!(d[dd].flags & VIRTQ_DESC_F_NEXT) ||
		    !!(d[dd].flags & VIRTQ_DESC_F_WRITE) != in)
			return false;
		uint8_t *data = (uint8_t *) (uintptr_t) d[dd].addr;
		uint64_t off = h->sector * 512;
		if (off + d[dd].len > sizeof(disk))
			return false;
		if (status == VBLK_S_OK) {
			if (in)
				memcpy(data, disk + off, d[dd].len);
			else
				memcpy(disk + off, data, d[dd].len);
		}
		s = d[dd].next;
	} else if (h->type != VBLK_T_FLUSH) {
		return false;
	}
	if (d[s].len != 1 || !(d[s].flags & VIRTQ_DESC_F_WRITE) || (d[s].flags & VIRTQ_DESC_F_NEXT))
		return false;
	if (status != VBLK_S_NONE)
		*(uint8_t *) (uintptr_t) d[s].addr = status;
	uint16_t u = vb.vq.used->idx;
	vb.vq.used->ring[u % QNUM].id = head;
	vb.vq.used->ring[u % QNUM].len = 1;
	vb.vq.used->idx = (uint16_t) (u + 1);
	if (head_out)
		*head_out = head;
	return true;
}

static errno_t submit(
    uint64_t method, uint64_t first, uint64_t count, uint64_t off, cap_handle_t call)
{
	ipc_msg_t m = { .method = method, .arg = { first, count, off } };
	return vblk_submit(&vb, &vb.conns[0], call, &m);
}

static bool test_write_read(void)
{
	setup(512, BLOCK_F_FLUSH);
	for (int i = 0; i < 8192; i++)
		buf[4096 + i] = (uint8_t) (0xa0 ^ i);
	TAP_CHECK_EQ(submit(BLOCK_WRITE, 10, 16, 4096, 100), IPC_NO_REPLY);
	TAP_CHECK_EQ(vb.conns[0].inflight, 1);
	const vblk_hdr_t *h = (const vblk_hdr_t *) vb.hdrs.vaddr + vb.vq.avail->ring[0];
	TAP_CHECK_EQ(h->type, VBLK_T_OUT);
	TAP_CHECK_EQ(h->sector, 10);
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	TAP_CHECK_EQ(nanswers, 0); /* answered only on the interrupt */
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(nanswers, 1);
	TAP_CHECK_EQ(answers[0].call, 100);
	TAP_CHECK_EQ(answers[0].rc, EOK);
	TAP_CHECK_EQ(irq_acks, 1);
	TAP_CHECK_EQ(vb.conns[0].inflight, 0);
	TAP_CHECK_EQ(vb.vq.num_free, QNUM);
	TAP_CHECK(memcmp(disk + 10 * 512, buf + 4096, 8192) == 0);
	TAP_CHECK_EQ(disk[10 * 512 - 1], (uint8_t) ((10 * 512 - 1) * 7 + 1));
	TAP_CHECK_EQ(disk[26 * 512], (uint8_t) (26 * 512 * 7 + 3));
	/* Read it back to the start of the buffer. */
	TAP_CHECK_EQ(submit(BLOCK_READ, 10, 16, 0, 101), IPC_NO_REPLY);
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(nanswers, 2);
	TAP_CHECK_EQ(answers[1].rc, EOK);
	TAP_CHECK(memcmp(buf, buf + 4096, 8192) == 0);
	/* 4096-byte blocks: sectors are still 512 bytes. */
	setup(4096, 0);
	TAP_CHECK_EQ(submit(BLOCK_READ, 3, 2, 8192, 7), IPC_NO_REPLY);
	h = (const vblk_hdr_t *) vb.hdrs.vaddr + vb.vq.avail->ring[0];
	TAP_CHECK_EQ(h->type, VBLK_T_IN);
	TAP_CHECK_EQ(h->sector, 24);
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK(memcmp(buf + 8192, disk + 3 * 4096, 8192) == 0);
	return true;
}

static bool test_flush(void)
{
	setup(512, BLOCK_F_FLUSH);
	TAP_CHECK_EQ(submit(BLOCK_FLUSH, 0, 0, 0, 5), IPC_NO_REPLY);
	TAP_CHECK_EQ(vb.vq.num_free, QNUM - 2);
	TAP_CHECK_EQ(vb.conns[0].inflight, 0); /* a flush holds no buffer */
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(nanswers, 1);
	TAP_CHECK_EQ(answers[0].rc, EOK);
	/* Without the feature: nothing to do, answered by the caller. */
	setup(512, 0);
	TAP_CHECK_EQ(submit(BLOCK_FLUSH, 0, 0, 0, 5), EOK);
	TAP_CHECK_EQ(vb.vq.avail->idx, 0);
	return true;
}

/* 40 requests through a 16-entry ring (5 chains at a time): the rest wait
 * and go as completions free descriptors; the device finishes each batch
 * in reverse order; every call is answered once, with its data. */
static bool test_in_flight(void)
{
	bool seen[40] = { false };

	setup(512, 0);
	for (unsigned i = 0; i < 40; i++)
		TAP_CHECK_EQ(submit(BLOCK_READ, i * 2, 2, (i % 64) * 1024, 1000 + i), IPC_NO_REPLY);
	TAP_CHECK_EQ(vb.pending_count, 35);
	TAP_CHECK_EQ(vb.conns[0].inflight, 40);
	unsigned rounds = 0;
	while (nanswers < 40 && rounds++ < 20) {
		uint16_t heads[QNUM];
		unsigned n = 0;
		/* Take everything offered, then complete in reverse order. */
		uint16_t start = vb.vq.used->idx;
		while (dev_take(VBLK_S_OK, &heads[n]))
			n++;
		for (unsigned i = 0; i < n / 2; i++) {
			virtq_used_elem_t a = vb.vq.used->ring[(uint16_t) (start + i) % QNUM];
			vb.vq.used->ring[(uint16_t) (start + i) % QNUM] =
			    vb.vq.used->ring[(uint16_t) (start + n - 1 - i) % QNUM];
			vb.vq.used->ring[(uint16_t) (start + n - 1 - i) % QNUM] = a;
		}
		vblk_interrupt(&vb);
	}
	TAP_CHECK_EQ(nanswers, 40);
	for (unsigned i = 0; i < 40; i++) {
		TAP_CHECK_EQ(answers[i].rc, EOK);
		unsigned k = (unsigned) answers[i].call - 1000;
		TAP_CHECK(k < 40 && !seen[k]);
		seen[k] = true;
	}
	TAP_CHECK_EQ(vb.pending_count, 0);
	TAP_CHECK_EQ(vb.conns[0].inflight, 0);
	TAP_CHECK_EQ(vb.vq.num_free, QNUM);
	/* The last request (k = 39) read blocks 78..79 into offset 39 KiB. */
	TAP_CHECK(memcmp(buf + 39 * 1024, disk + 78 * 512, 1024) == 0);
	return true;
}

static bool test_wait_list_full(void)
{
	setup(512, 0);
	for (unsigned i = 0; i < 5 + VBLK_PENDING_MAX; i++)
		TAP_CHECK_EQ(submit(BLOCK_READ, 0, 1, 0, 10 + i), IPC_NO_REPLY);
	TAP_CHECK_EQ(vb.pending_count, VBLK_PENDING_MAX);
	TAP_CHECK_EQ(submit(BLOCK_READ, 0, 1, 0, 99), ELIMIT);
	TAP_CHECK_EQ(vb.conns[0].inflight, 5 + VBLK_PENDING_MAX);
	return true;
}

static bool test_device_errors(void)
{
	setup(512, 0);
	memset(buf, 0x55, 512);
	TAP_CHECK_EQ(submit(BLOCK_WRITE, 1, 1, 0, 1), IPC_NO_REPLY);
	TAP_CHECK_EQ(submit(BLOCK_WRITE, 2, 1, 0, 2), IPC_NO_REPLY);
	TAP_CHECK_EQ(submit(BLOCK_READ, 3, 1, 0, 3), IPC_NO_REPLY);
	TAP_CHECK(dev_take(VBLK_S_IOERR, NULL));
	TAP_CHECK(dev_take(VBLK_S_UNSUPP, NULL));
	TAP_CHECK(dev_take(VBLK_S_NONE, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(nanswers, 3);
	TAP_CHECK_EQ(answers[0].rc, EIO);
	TAP_CHECK_EQ(answers[1].rc, ENOTSUP);
	TAP_CHECK_EQ(answers[2].rc, EIO);
	TAP_CHECK_EQ(vb.errors, 3);
	TAP_CHECK(disk[512] != 0x55 && disk[1024] != 0x55);
	return true;
}

static bool test_hangup_waits(void)
{
	setup(512, 0);
	TAP_CHECK_EQ(submit(BLOCK_READ, 0, 1, 0, 1), IPC_NO_REPLY);
	TAP_CHECK_EQ(submit(BLOCK_READ, 1, 1, 512, 2), IPC_NO_REPLY);
	vb.conns[0].hung_up = true; /* what vblk_hangup does with requests out */
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(dma_frees, 0);
	TAP_CHECK(vb.conns[0].used);
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(dma_frees, 1);
	TAP_CHECK_EQ((uintptr_t) freed.vaddr, (uintptr_t) buf);
	TAP_CHECK(!vb.conns[0].used);
	TAP_CHECK_EQ(nanswers, 2);
	/* An interrupt with nothing used answers nothing and still acknowledges. */
	unsigned acks = irq_acks;
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(nanswers, 2);
	TAP_CHECK_EQ(irq_acks, acks + 1);
	return true;
}

/* A call being handled holds its connection: a hangup taken meanwhile by
 * another worker frees it only when that call is done (vblk_conn_put). */
static bool test_held_connection(void)
{
	setup(512, 0);
	vb.conns[0].inflight = 1; /* vblk_conn_get */
	TAP_CHECK_EQ(submit(BLOCK_READ, 0, 1, 0, 1), IPC_NO_REPLY);
	vb.conns[0].hung_up = true;
	vblk_conn_put(&vb, &vb.conns[0]);
	TAP_CHECK_EQ(dma_frees, 0); /* the request still holds it */
	TAP_CHECK(dev_take(VBLK_S_OK, NULL));
	vblk_interrupt(&vb);
	TAP_CHECK_EQ(dma_frees, 1);
	TAP_CHECK(!vb.conns[0].used);
	/* Without a hangup, the last put frees nothing. */
	setup(512, 0);
	vb.conns[0].inflight = 1;
	vblk_conn_put(&vb, &vb.conns[0]);
	TAP_CHECK_EQ(dma_frees, 0);
	TAP_CHECK(vb.conns[0].used);
	TAP_CHECK_EQ(vb.conns[0].inflight, 0);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "write_read", test_write_read },
		{ "flush", test_flush },
		{ "in_flight", test_in_flight },
		{ "wait_list_full", test_wait_list_full },
		{ "device_errors", test_device_errors },
		{ "hangup_waits", test_hangup_waits },
		{ "held_connection", test_held_connection },
	};
	int rc = tap_run(cases, sizeof(cases) / sizeof(cases[0]));
	free(ring_mem);
	free(vb.hdrs.vaddr);
	free(buf);
	return rc;
}
