/*
 * virtio-blk: the driver's state (docs/drivers.md, "virtio-blk").
 *
 * One task per device.  Locking: vblk_t.lock protects the queue (vq,
 * slots, the pending list) and the connection table; the device
 * registers are written under it too, except during vblk_dev_init (one
 * thread, before serving starts).  Nothing waits while holding it.
 */
#ifndef VBLK_H_
#define VBLK_H_

#include <abi/block.h>
#include <abi/cap.h>
#include <abi/ipc.h>
#include <block/block.h>
#include <lock.h>
#include <stdbool.h>
#include <stdint.h>
#include <virtio/virtio.h>
#include <virtio/virtq.h>

/* virtio-blk feature bits. */
#define VBLK_F_SIZE_MAX 1
#define VBLK_F_SEG_MAX 2
#define VBLK_F_RO 5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH 9

/* Device configuration (the device region), byte offsets. */
#define VBLK_CFG_CAPACITY 0 /* u64: 512-byte sectors */
#define VBLK_CFG_SEG_MAX 12 /* u32 */
#define VBLK_CFG_BLK_SIZE 20 /* u32 */

/* Request types and status. */
#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2
#define VBLK_S_NONE 0xff /* preset: the device has not answered */

#define VBLK_SECTOR 512
#define VBLK_PAGE 4096u
#define VBLK_QUEUE_MAX 128 /* we use at most this many entries of queue 0 */
#define VBLK_CONN_MAX 16
#define VBLK_PENDING_MAX 64 /* requests waiting for descriptors */
#define VBLK_XFER_MAX (256u * 1024u) /* bytes per request (one descriptor) */
#define VBLK_DMA_LIMIT (1ull << 52) /* the device takes 64-bit addresses */
#define VBLK_IRQ_METHOD (IPC_M_FIRST_USER + 0x100)

/* The request header the device reads (16 bytes) */
typedef struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
} vblk_hdr_t;

/* One page holds every slot's header, then every slot's status byte. */
_Static_assert(VBLK_QUEUE_MAX *(sizeof(vblk_hdr_t) + 1) <= VBLK_PAGE, "headers fit a page");

/* DMA memory the driver owns: mapped at vaddr, the device sees paddr. */
typedef struct vblk_dma {
	cap_handle_t handle;
	uint8_t *vaddr;
	uint64_t paddr;
	size_t size;
} vblk_dma_t;

/* A client connection (badge = index + 1). */
typedef struct vblk_conn {
	bool used;
	bool hung_up; /* free it when the last request is answered */
	vblk_dma_t buf; /* size 0: no buffer yet */
	unsigned inflight; /* requests queued or on the ring, and calls being handled */
} vblk_conn_t;

/* What the request whose chain starts at descriptor i is (slots[i]). */
typedef struct vblk_slot {
	cap_handle_t call;
	vblk_conn_t *conn; /* NULL for FLUSH */
} vblk_slot_t;

/* A request that waits for free descriptors. */
typedef struct vblk_pending {
	cap_handle_t call;
	vblk_conn_t *conn;
	ipc_msg_t msg;
} vblk_pending_t;

typedef struct vblk {
	/* Set up once by vblk_dev_init, then read-only. */
	const char *name;
	virtio_pci_layout_t layout;
	volatile uint8_t *common, *isr, *device, *notify;
	uint64_t features;
	block_geom_t geom;
	cap_handle_t irq_sub;
	cap_handle_t dma_auth; /* the BAR capability that authorizes DMA buffers */
	unsigned irq_line;
	vblk_dma_t ring; /* the virtqueue */
	vblk_dma_t hdrs; /* VBLK_QUEUE_MAX headers, then the status bytes */

	lock_t lock;
	virtq_t vq;
	vblk_slot_t slots[VBLK_QUEUE_MAX];
	vblk_conn_t conns[VBLK_CONN_MAX];
	vblk_pending_t pending[VBLK_PENDING_MAX];
	unsigned pending_head, pending_count;
	uint64_t completed, errors;
} vblk_t;

/* hw.c: the system services a driver needs (docs/drivers.md). */
errno_t vblk_hw_map(
    cap_handle_t range, volatile uint8_t **base, uint64_t *range_base, uint64_t *size);
errno_t vblk_hw_dma(vblk_t *vb, size_t size, vblk_dma_t *dma);
void vblk_hw_dma_free(vblk_dma_t *dma);
errno_t vblk_hw_irq(vblk_t *vb, cap_handle_t range, unsigned line);
void vblk_hw_irq_ack(vblk_t *vb);

/* devman.c: what devman tells and does for us (abi/devman.h). */
errno_t vblk_devman_cfg(cap_handle_t devman, uint8_t cfg[PCI_CFG_SIZE]);
errno_t vblk_devman_enable(cap_handle_t devman, uint8_t cfg[PCI_CFG_SIZE]);
errno_t vblk_devman_find(
    cap_handle_t devman, unsigned bdf, pci_bar_t bars[PCI_BARS], unsigned *disk_index);

/* dev.c */
errno_t vblk_dev_init(vblk_t *vb, const uint8_t *cfg, const pci_bar_t bars[PCI_BARS],
    const cap_handle_t bar_caps[PCI_BARS]);
void vblk_dev_fail(vblk_t *vb);

/* io.c */
errno_t vblk_submit(vblk_t *vb, vblk_conn_t *conn, cap_handle_t call, const ipc_msg_t *msg);
void vblk_interrupt(vblk_t *vb);
void vblk_conn_put(vblk_t *vb, vblk_conn_t *conn);

#endif
