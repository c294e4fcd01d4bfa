/*
 * The block protocol's request checks (abi/block.h), shared by the driver
 * and the client library.  Pure code: tests/test_block.c runs it on the
 * host.
 */
#include <block/block.h>

/*
 * Check a READ or WRITE of `count` blocks from block `first` at `offset`
 * in a buffer of `buf_size` bytes (0: no buffer) against the disk's
 * geometry; FLUSH and INFO always pass.  The order of the checks is the
 * protocol's: EPERM, ENOENT, EINVAL, ERANGE.
 */
errno_t block_req_check(const block_geom_t *geom, uint64_t method, uint64_t first, uint64_t count,
    uint64_t offset, size_t buf_size)
{
	if (method == BLOCK_INFO || method == BLOCK_FLUSH)
		return EOK;
	if (method != BLOCK_READ && method != BLOCK_WRITE)
		return ENOTSUP;
	if (method == BLOCK_WRITE && (geom->flags & BLOCK_F_READONLY))
		return EPERM;
	if (buf_size == 0)
		return ENOENT;
	uint64_t bs = geom->block_size;
	if (count == 0 || count > geom->xfer_max / bs)
		return EINVAL;
	uint64_t bytes = count * bs; /* no overflow: count <= xfer_max / bs */
	if (offset % bs != 0 || offset > buf_size || bytes > buf_size - offset)
		return EINVAL;
	if (first >= geom->blocks || count > geom->blocks - first)
		return ERANGE;
	return EOK;
}
