/*
 * The block protocol's client library.  See include/block/block.h.
 */
#include <abi/as.h>
#include <as.h>
#include <block/block.h>
#include <ipc.h>
#include <ns.h>

/* BLOCK_INFO into geom; *buf_size (may be NULL) gets the buffer's size. */
static errno_t block_info_ask(cap_handle_t phone, block_geom_t *geom, size_t *buf_size)
{
	ipc_msg_t a;
	errno_t rc = ipc_request(phone, BLOCK_INFO, 0, 0, 0, 0, 0, &a);

	if (rc != EOK)
		return rc;
	uint64_t bs = a.arg[0];
	if (bs < 512 || (bs & (bs - 1)) != 0 || a.arg[3] < bs)
		return EIO; /* a driver that breaks the protocol */
	geom->block_size = (uint32_t) bs;
	geom->blocks = a.arg[1];
	geom->flags = (unsigned) a.arg[2];
	geom->xfer_max = a.arg[3];
	if (buf_size != NULL)
		*buf_size = a.arg[4];
	return EOK;
}

/*
 * Connect to the disk `name` (ns), ask for a shared buffer of buf_size
 * bytes (at most BLOCK_BUFFER_MAX) and read its geometry.  On failure
 * nothing is left behind.
 */
errno_t block_open(const char *name, size_t buf_size, block_t *b)
{
	uintptr_t base = 0;
	size_t got = 0;
	errno_t rc;

	*b = (block_t){ .phone = CAP_NIL };
	if (buf_size == 0 || buf_size > BLOCK_BUFFER_MAX)
		return EINVAL;
	rc = ns_connect(name, &b->phone);
	if (rc != EOK)
		return rc;
	rc = ipc_share_in(b->phone, buf_size, AS_AREA_READ | AS_AREA_WRITE, 0, &base);
	if (rc != EOK)
		goto fail;
	rc = block_info_ask(b->phone, &b->geom, &got);
	if (rc != EOK)
		goto fail;
	if (got < buf_size) {
		rc = EIO;
		goto fail;
	}
	b->buf = (uint8_t *) base;
	b->buf_size = buf_size;
	return EOK;
fail:
	if (base != 0)
		as_area_destroy(base);
	ipc_hangup(b->phone);
	b->phone = CAP_NIL;
	return rc;
}

errno_t block_info(block_t *b, block_geom_t *geom)
{
	return block_info_ask(b->phone, geom, NULL);
}

static errno_t block_rw(block_t *b, uint64_t method, uint64_t first, uint64_t count, size_t offset)
{
	errno_t rc = block_req_check(&b->geom, method, first, count, offset, b->buf_size);

	if (rc != EOK)
		return rc;
	return ipc_request(b->phone, method, first, count, offset, 0, 0, NULL);
}

/* Read `count` blocks from block `first` into b->buf + offset. */
errno_t block_read(block_t *b, uint64_t first, uint64_t count, size_t offset)
{
	return block_rw(b, BLOCK_READ, first, count, offset);
}

/* Write `count` blocks from b->buf + offset to block `first` on. */
errno_t block_write(block_t *b, uint64_t first, uint64_t count, size_t offset)
{
	return block_rw(b, BLOCK_WRITE, first, count, offset);
}

errno_t block_flush(block_t *b)
{
	return ipc_request(b->phone, BLOCK_FLUSH, 0, 0, 0, 0, 0, NULL);
}

/* Hang up and unmap the buffer. */
void block_close(block_t *b)
{
	if (b->buf != NULL)
		as_area_destroy((uintptr_t) b->buf);
	if (b->phone != CAP_NIL)
		ipc_hangup(b->phone);
	*b = (block_t){ .phone = CAP_NIL };
}
