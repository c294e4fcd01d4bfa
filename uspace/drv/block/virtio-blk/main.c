/*
 * virtio-blk: a driver for virtio block devices (1af4:1001 transitional,
 * 1af4:1042 modern) through the modern PCI interface, serving the block
 * protocol (abi/block.h) as disk0, disk1, ...  docs/drivers.md,
 * "virtio-blk".  devman starts it (abi/devman.h) as
 *
 *   virtio-blk pci=BB:DD.F id=VVVV:DDDD devman=NAME barN=H ... irq=LINE:H
 *
 * barN: the handle of the physical-range capability of BAR N's pages;
 * irq: the device's line and the handle of its IRQ range capability;
 * devman: the name to reach devman by, which gives the configuration space
 * and turns on bus mastering.  The driver names itself diskN, N the
 * number of virtio-blk devices before it in PCI order.
 */
#include <abi/as.h>
#include <errno.h>
#include <ipc.h>
#include <irq.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>

#include "vblk.h"

#define VBLK_THREADS 4

static vblk_t vblk;

typedef struct vblk_args {
	const char *pci;
	unsigned bdf; /* bus << 8 | device << 3 | function */
	const char *devman;
	cap_handle_t bars[PCI_BARS];
	cap_handle_t irq;
	unsigned irq_line;
} vblk_args_t;

static bool vblk_parse_num(
    const char *s, unsigned base, unsigned long max, const char **end, unsigned long *v)
{
	char *e;
	*v = strtoul(s, &e, (int) base);
	*end = e;
	return e != s && *v <= max;
}

static bool vblk_parse_handle(const char *s, cap_handle_t *h)
{
	const char *end;
	unsigned long v;
	if (!vblk_parse_num(s, 10, 0x7fffffffUL, &end, &v) || *end != '\0')
		return false;
	*h = (cap_handle_t) v;
	return true;
}

/* "BB:DD.F" (hex) into bus << 8 | device << 3 | function. */
static bool vblk_parse_pci(const char *s, unsigned *bdf)
{
	unsigned long bus, dev, fn;
	const char *e;
	if (!vblk_parse_num(s, 16, 255, &e, &bus) || *e != ':' ||
	    !vblk_parse_num(e + 1, 16, 31, &e, &dev) || *e != '.' ||
	    !vblk_parse_num(e + 1, 16, 7, &e, &fn) || *e != '\0')
		return false;
	*bdf = (unsigned) (bus << 8 | dev << 3 | fn);
	return true;
}

/* "LINE:H" */
static bool vblk_parse_irq(const char *s, vblk_args_t *a)
{
	unsigned long line;
	const char *e;
	if (!vblk_parse_num(s, 10, 255, &e, &line) || *e != ':')
		return false;
	a->irq_line = (unsigned) line;
	return vblk_parse_handle(e + 1, &a->irq);
}

static bool vblk_parse_word(const char *w, vblk_args_t *a)
{
	if (strncmp(w, "pci=", 4) == 0) {
		a->pci = w + 4;
		return vblk_parse_pci(w + 4, &a->bdf);
	}
	if (strncmp(w, "id=", 3) == 0)
		return true; /* for the log; the device tells us what it is */
	if (strncmp(w, "devman=", 7) == 0) {
		a->devman = w + 7;
		return true;
	}
	if (strncmp(w, "irq=", 4) == 0)
		return vblk_parse_irq(w + 4, a);
	if (strncmp(w, "bar", 3) == 0 && w[3] >= '0' && w[3] < '0' + PCI_BARS && w[4] == '=')
		return vblk_parse_handle(w + 5, &a->bars[w[3] - '0']);
	return false;
}

static bool vblk_parse_args(int argc, char **argv, vblk_args_t *a)
{
	*a = (vblk_args_t){ .pci = NULL, .irq = CAP_NIL };
	for (unsigned i = 0; i < PCI_BARS; i++)
		a->bars[i] = CAP_NIL;
	for (int i = 1; i < argc; i++) {
		if (!vblk_parse_word(argv[i], a)) {
			printf("virtio-blk: bad argument \"%s\"\n", argv[i]);
			return false;
		}
	}
	return a->pci != NULL && a->devman != NULL && a->irq != CAP_NIL;
}

/*
 * Through devman: the configuration space, bus mastering on, the BARs and
 * our disk number; then the device itself.
 */
static errno_t vblk_start(vblk_t *vb, const vblk_args_t *a, unsigned *disk_index)
{
	static uint8_t cfg[PCI_CFG_SIZE];
	pci_bar_t bars[PCI_BARS];
	cap_handle_t devman;

	errno_t rc = ns_connect(a->devman, &devman);
	if (rc != EOK)
		return rc;
	rc = vblk_devman_cfg(devman, cfg);
	if (rc == EOK)
		rc = vblk_devman_enable(devman, cfg);
	if (rc == EOK)
		rc = vblk_devman_find(devman, a->bdf, bars, disk_index);
	ipc_hangup(devman);
	if (rc == EOK)
		rc = vblk_dev_init(vb, cfg, bars, a->bars);
	if (rc == EOK)
		rc = vblk_hw_irq(vb, a->irq, a->irq_line);
	return rc;
}

static vblk_conn_t *vblk_conn_of_locked(vblk_t *vb, uint64_t badge)
{
	if (badge == 0 || badge > VBLK_CONN_MAX || !vb->conns[badge - 1].used)
		return NULL;
	return &vb->conns[badge - 1];
}

/*
 * The connection of a call, held while the call is handled (another
 * worker may take the client's hangup meanwhile: the connection then goes
 * with vblk_conn_put).
 */
static vblk_conn_t *vblk_conn_get(vblk_t *vb, uint64_t badge)
{
	lock_acquire(&vb->lock);
	vblk_conn_t *conn = vblk_conn_of_locked(vb, badge);
	if (conn != NULL)
		conn->inflight++;
	lock_release(&vb->lock);
	return conn;
}

static void vblk_connect(vblk_t *vb, ipc_event_t *ev)
{
	lock_acquire(&vb->lock);
	for (unsigned i = 0; i < VBLK_CONN_MAX; i++) {
		if (!vb->conns[i].used) {
			vb->conns[i] = (vblk_conn_t){ .used = true, .buf.handle = CAP_NIL };
			lock_release(&vb->lock);
			if (ipc_connect_accept(ev, i + 1) != EOK) {
				lock_acquire(&vb->lock);
				vb->conns[i].used = false;
				lock_release(&vb->lock);
			}
			return;
		}
	}
	lock_release(&vb->lock);
	ipc_answer(ev->call, ELIMIT, NULL);
}

/* SHARE_IN: the connection's buffer, DMA memory of ours. */
static errno_t vblk_share_in(vblk_t *vb, vblk_conn_t *conn, ipc_event_t *ev)
{
	uint64_t size = ev->msg.arg[0];
	vblk_dma_t dma;

	if (size == 0 || size > BLOCK_BUFFER_MAX)
		return EINVAL;
	if ((ev->msg.arg[1] & ~(uint64_t) (AS_AREA_READ | AS_AREA_WRITE)) != 0)
		return EPERM;
	if (conn->buf.size != 0)
		return EEXIST;
	errno_t rc = vblk_hw_dma(vb, (size + VBLK_PAGE - 1) & ~(uint64_t) (VBLK_PAGE - 1), &dma);
	if (rc != EOK)
		return rc;
	lock_acquire(&vb->lock);
	bool raced = conn->buf.size != 0;
	if (!raced)
		conn->buf = dma;
	lock_release(&vb->lock);
	if (raced) {
		vblk_hw_dma_free(&dma);
		return EEXIST;
	}
	ipc_share_in_accept(ev, (uintptr_t) dma.vaddr);
	return IPC_NO_REPLY;
}

/* The client hung up: free the connection now or with its last request. */
static void vblk_hangup(vblk_t *vb, uint64_t badge)
{
	vblk_dma_t buf = { .size = 0 };

	lock_acquire(&vb->lock);
	vblk_conn_t *conn = vblk_conn_of_locked(vb, badge);
	if (conn != NULL) {
		conn->hung_up = true;
		if (conn->inflight == 0) {
			buf = conn->buf;
			*conn = (vblk_conn_t){ .used = false };
		}
	}
	lock_release(&vb->lock);
	vblk_hw_dma_free(&buf);
}

/* BLOCK_TEST_FAULT in a test boot: die as a driver bug would (a write
 * through a null pointer the compiler cannot see). */
static errno_t vblk_test_fault(void)
{
	if (!(task_startup()->flags & TASK_STARTUP_TESTING))
		return ENOTSUP;
	printf("virtio-blk %s: BLOCK_TEST_FAULT: faulting now\n", vblk.name);
	volatile uintptr_t nowhere = 0;
	*(volatile uint32_t *) nowhere = 0;
	return EIO; /* not reached */
}

static errno_t vblk_request(vblk_t *vb, vblk_conn_t *conn, ipc_event_t *ev, ipc_msg_t *answer)
{
	const ipc_msg_t *m = &ev->msg;
	errno_t rc = block_req_check(
	    &vb->geom, m->method, m->arg[0], m->arg[1], m->arg[2], conn->buf.size);

	if (m->method == BLOCK_TEST_FAULT)
		return vblk_test_fault();
	if (rc != EOK)
		return rc;
	if (m->method == BLOCK_INFO) {
		*answer = IPC_MSG(0, vb->geom.block_size, vb->geom.blocks, vb->geom.flags,
		    vb->geom.xfer_max, conn->buf.size);
		return EOK;
	}
	return vblk_submit(vb, conn, ev->call, m);
}

static errno_t vblk_handle(ipc_event_t *ev, ipc_msg_t *answer)
{
	vblk_t *vb = &vblk;

	if (irq_event_is(ev, VBLK_IRQ_METHOD)) {
		vblk_interrupt(vb);
		return IPC_NO_REPLY;
	}
	if (ev->kind == IPC_EV_HANGUP) {
		vblk_hangup(vb, ev->conn);
		return IPC_NO_REPLY;
	}
	if (ev->kind != IPC_EV_CALL)
		return IPC_NO_REPLY;
	if (ev->msg.method == IPC_M_CONNECT_ME_TO) {
		vblk_connect(vb, ev);
		return IPC_NO_REPLY;
	}
	vblk_conn_t *conn = vblk_conn_get(vb, ev->conn);
	if (conn == NULL)
		return EINVAL;
	errno_t rc = ev->msg.method == IPC_M_SHARE_IN ? vblk_share_in(vb, conn, ev)
	                                              : vblk_request(vb, conn, ev, answer);
	vblk_conn_put(vb, conn);
	return rc;
}

int main(int argc, char **argv)
{
	vblk_args_t a;
	static char name[NS_NAME_MAX + 1];
	unsigned index = 0;

	if (!vblk_parse_args(argc, argv, &a)) {
		printf("virtio-blk: usage: virtio-blk pci=BB:DD.F devman=NAME barN=H... "
		       "irq=LINE:H\n");
		return 1;
	}
	vblk.name = "virtio-blk";
	vblk.irq_sub = CAP_NIL;
	errno_t rc = vblk_start(&vblk, &a, &index);
	if (rc == EOK) {
		snprintf(name, sizeof(name), "%s%u", BLOCK_NAME_PREFIX, index);
		vblk.name = name;
		rc = ns_register(name);
	}
	if (rc != EOK) {
		printf("virtio-blk %s: cannot start: %s\n", a.pci, str_error_name(rc));
		vblk_dev_fail(&vblk);
		return 1;
	}
	printf("virtio-blk %s: %s: %llu blocks of %u bytes (%llu MiB)%s, irq %u, queue %u\n", a.pci,
	    name, (unsigned long long) vblk.geom.blocks, vblk.geom.block_size,
	    (unsigned long long) (vblk.geom.blocks * vblk.geom.block_size >> 20),
	    (vblk.geom.flags & BLOCK_F_READONLY) ? ", read-only" : "", vblk.irq_line, vblk.vq.num);
	rc = ipc_serve_reply(vblk_handle, VBLK_THREADS);
	printf("virtio-blk %s: serving ended: %s\n", a.pci, str_error_name(rc));
	return 1;
}
