/*
 * FS_ALLOCATE (abi/fs.h): blocks for the holes of a range of a regular
 * file, zeroed on the disk, so that writing the range later cannot fail for
 * space.  For the file pager: it allocates before it lets a store into a
 * hole (the "disk full" of a mapped file shows at that fault).
 *
 * lib/ext2 maps the range twice, first without allocating (which blocks
 * are holes), then allocating; each block that was a hole is written with
 * zeros through the disk (lib/ext2 leaves a new block's contents undefined
 * and drops it from its cache, so the device is the only copy).  A volume
 * that fills part way keeps the blocks it gave (zeroed): ENOSPC.
 */
#include "ext2srv.h"
#include <string.h>

#define ALLOC_RUN 64u /* blocks mapped at once */

static uint8_t alloc_zeros[4096];

/* Zero device block @a blk (of @a bs bytes, at most 4 KiB). */
static errno_t alloc_zero(ext2srv_t *s, uint32_t blk, uint32_t bs)
{
	block_t *d = &s->disk;
	uint32_t dbs = d->geom.block_size;
	if (bs > sizeof(alloc_zeros) || bs % dbs != 0 || bs > d->buf_size)
		return EIO;
	memcpy(d->buf, alloc_zeros, bs);
	return block_write(d, (uint64_t) blk * (bs / dbs), bs / dbs, 0) == EOK ? EOK : EIO;
}

/* One run of at most ALLOC_RUN blocks from file block @a first. */
static errno_t alloc_run(ext2srv_t *s, uint32_t ino, uint64_t first, uint32_t n)
{
	uint32_t before[ALLOC_RUN], after[ALLOC_RUN], m0, m1;
	errno_t rc = ext2_file_map(s->fs, ino, first, n, false, before, &m0);
	if (rc != EOK)
		return rc;
	rc = ext2_file_map(s->fs, ino, first, n, true, after, &m1);
	for (uint32_t i = 0; i < m1; i++) {
		if (before[i] == 0 && after[i] != 0) {
			errno_t zr = alloc_zero(s, after[i], s->info.block_size);
			if (zr != EOK)
				return zr;
		}
	}
	return rc;
}

errno_t ext2srv_op_allocate(ext2srv_t *s, ext2srv_req_t *r)
{
	uint64_t off = r->arg[1], len = r->arg[2];
	uint32_t ino;
	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK || len > FS_ALLOCATE_MAX)
		return EINVAL;
	if (len == 0)
		return EOK;
	if (off > UINT64_MAX - len)
		return EFBIG;
	ext2_stat_t st;
	errno_t src = ext2_stat(s->fs, ino, &st);
	if (src != EOK)
		return src;
	if (off + len > st.size)
		return ERANGE; /* beyond the end (a truncation came first): nothing allocated */
	uint64_t bs = s->info.block_size;
	uint64_t first = off / bs, end = (off + len - 1) / bs + 1;
	errno_t rc = EOK;
	for (uint64_t b = first; b < end && rc == EOK; b += ALLOC_RUN) {
		uint64_t n = end - b < ALLOC_RUN ? end - b : ALLOC_RUN;
		rc = alloc_run(s, ino, b, (uint32_t) n);
	}
	return rc;
}
