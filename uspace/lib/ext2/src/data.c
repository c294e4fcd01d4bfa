/*
 * lib/ext2: file data.  ext2_read and ext2_write move whole blocks that
 * are not in the block cache straight between the caller's buffer and the
 * device, in runs of blocks that are contiguous on the device (up to
 * EXT2_RUN_MAX blocks per request); parts of blocks, and blocks the cache
 * has, go through the cache.  Either way a write of file data reaches the
 * device before the call returns: a block of file data is never left dirty
 * in the cache (ext2_data_put), so a device error is the error of the
 * write that wrote the block, not of whichever later call recycles the
 * buffer or syncs, and nothing but a write of the file writes its blocks.
 * ext2_file_map serves a host that does its own I/O.
 */
#include "internal.h"

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * How many blocks from file block @a lblk (at device block @a blk, not
 * cached) continue contiguously on the device, uncached, up to @a max;
 * with @a alloc, holes among them are filled.  An error past the first
 * block only ends the run (the next step meets it again).
 */
static uint32_t data_run(
    ext2_fs_t *fs, ext2_inode_t *in, uint64_t lblk, uint32_t blk, uint32_t max, bool alloc)
{
	uint32_t count = 1, next;
	bool fresh;

	while (count < max) {
		if (ext2_bmap(fs, in, lblk + count, alloc, &next, &fresh) != EOK ||
		    next != blk + count || ext2_cache_has(&fs->cache, next))
			break;
		count++;
	}
	return count;
}

/* Read from @a pos: a hole, a run from the device, or a block through the cache. */
static errno_t read_step(
    ext2_fs_t *fs, ext2_inode_t *in, uint64_t pos, uint8_t *dst, size_t left, size_t *n)
{
	uint32_t in_blk = (uint32_t) (pos % fs->bs), blk;
	ext2_buf_t *b;
	bool fresh;
	errno_t rc;

	*n = min_size(fs->bs - in_blk, left);
	rc = ext2_bmap(fs, in, pos / fs->bs, false, &blk, &fresh);
	if (rc != EOK)
		return rc;
	if (blk == 0) {
		memset(dst, 0, *n);
		return EOK;
	}
	if (in_blk == 0 && left >= fs->bs && !ext2_cache_has(&fs->cache, blk)) {
		uint32_t max = (uint32_t) min_size(left / fs->bs, EXT2_RUN_MAX);
		uint32_t count = data_run(fs, in, pos / fs->bs, blk, max, false);
		*n = (size_t) count * fs->bs;
		fs->cache.direct_reads++;
		return fs->host.read(fs->host.ctx, (uint64_t) blk * fs->bs, dst, *n);
	}
	rc = ext2_cache_get(&fs->cache, blk, false, &b);
	if (rc != EOK)
		return rc;
	memcpy(dst, b->data + in_blk, *n);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

errno_t ext2_read(ext2_fs_t *fs, uint32_t ino, uint64_t off, void *buf, size_t len, size_t *done)
{
	uint8_t *dst = buf;
	ext2_inode_t in;
	uint64_t size;
	errno_t rc;

	*done = 0;
	rc = ext2_inode_get(fs, ino, &in);
	if (rc == EOK)
		rc = ext2_inode_check_reg(&in);
	if (rc != EOK)
		return rc;
	size = ext2_inode_size(&in);
	if (off >= size)
		return EOK;
	if (len > size - off)
		len = (size_t) (size - off);
	while (*done < len) {
		size_t n;
		rc = read_step(fs, &in, off + *done, dst + *done, len - *done, &n);
		if (rc != EOK)
			return rc;
		*done += n;
	}
	return EOK;
}

errno_t ext2_data_put(
    ext2_fs_t *fs, uint32_t blk, bool fresh, uint32_t off, const void *src, size_t n)
{
	ext2_buf_t *b;
	/* A new block or one overwritten whole need not be read. */
	errno_t rc = ext2_cache_get(&fs->cache, blk, fresh || n == fs->bs, &b);
	if (rc != EOK)
		return rc;
	if (src)
		memcpy(b->data + off, src, n);
	else
		memset(b->data + off, 0, n);
	rc = ext2_cache_write(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	if (rc != EOK) /* the device has what it had; the cache must too */
		ext2_cache_forget(&fs->cache, blk);
	return rc;
}

/* Write from @a pos: a run to the device, or a block through the cache. */
static errno_t write_step(
    ext2_fs_t *fs, ext2_inode_t *in, uint64_t pos, const uint8_t *src, size_t left, size_t *n)
{
	uint32_t in_blk = (uint32_t) (pos % fs->bs), blk;
	bool fresh;
	errno_t rc;

	*n = min_size(fs->bs - in_blk, left);
	rc = ext2_bmap(fs, in, pos / fs->bs, true, &blk, &fresh);
	if (rc != EOK)
		return rc;
	if (in_blk == 0 && left >= fs->bs && !ext2_cache_has(&fs->cache, blk)) {
		uint32_t max = (uint32_t) min_size(left / fs->bs, EXT2_RUN_MAX);
		uint32_t count = data_run(fs, in, pos / fs->bs, blk, max, true);
		*n = (size_t) count * fs->bs;
		fs->cache.direct_writes++;
		return fs->host.write(fs->host.ctx, (uint64_t) blk * fs->bs, src, *n);
	}
	return ext2_data_put(fs, blk, fresh, in_blk, src, *n);
}

errno_t ext2_write(
    ext2_fs_t *fs, uint32_t ino, uint64_t off, const void *buf, size_t len, size_t *done)
{
	const uint8_t *src = buf;
	ext2_inode_t in;
	errno_t rc, wrc = EOK;

	*done = 0;
	if (fs->readonly)
		return EROFS;
	rc = ext2_inode_get(fs, ino, &in);
	if (rc == EOK)
		rc = ext2_inode_check_reg(&in);
	if (rc != EOK)
		return rc;
	if (off > fs->max_size || len > fs->max_size - off)
		return EFBIG;
	while (*done < len) {
		size_t n;
		wrc = write_step(fs, &in, off + *done, src + *done, len - *done, &n);
		if (wrc != EOK)
			break;
		*done += n;
	}
	if (*done > 0) {
		if (off + *done > ext2_inode_size(&in))
			ext2_inode_set_size(fs, &in, off + *done);
		in.d.i_mtime = in.d.i_ctime = ext2_now(fs);
	}
	/* Store even after a failure: blocks may have been added. */
	rc = ext2_inode_store(fs, &in);
	return wrc != EOK ? wrc : rc;
}

errno_t ext2_file_map(ext2_fs_t *fs, uint32_t ino, uint64_t first, uint32_t count, bool alloc,
    uint32_t *blks, uint32_t *mapped)
{
	ext2_inode_t in;
	bool fresh, grew = false;
	errno_t rc;

	*mapped = 0;
	if (alloc && fs->readonly)
		return EROFS;
	rc = ext2_inode_get(fs, ino, &in);
	if (rc == EOK)
		rc = ext2_inode_check_reg(&in);
	if (rc != EOK)
		return rc;
	if (first > fs->max_size / fs->bs || count > fs->max_size / fs->bs - first)
		return EFBIG;
	for (; *mapped < count; (*mapped)++) {
		uint32_t *blk = &blks[*mapped];
		rc = ext2_bmap(fs, &in, first + *mapped, alloc, blk, &fresh);
		if (rc == EOK && *blk != 0)
			rc = ext2_cache_evict(&fs->cache, *blk);
		if (rc != EOK)
			break;
		grew |= fresh;
	}
	if (grew) {
		in.d.i_mtime = in.d.i_ctime = ext2_now(fs);
		errno_t src = ext2_inode_store(fs, &in);
		rc = rc != EOK ? rc : src;
	}
	return rc;
}
