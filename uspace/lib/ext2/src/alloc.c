/*
 * lib/ext2: block and inode allocation over the bitmaps, keeping the
 * group descriptors' and the superblock's counts exact.  The group
 * descriptors live in fs->gd and are written through into their GDT block
 * in the cache at every change; the superblock's counts are in fs->sb,
 * written into the cache by ext2_super_store() (at sync and unmount).
 */
#include "internal.h"

errno_t ext2_gd_store(ext2_fs_t *fs, uint32_t group)
{
	uint64_t byte = (uint64_t) group * sizeof(ext2_group_desc_t);
	ext2_buf_t *b;
	errno_t rc;

	rc = ext2_cache_get(
	    &fs->cache, fs->sb.s_first_data_block + 1 + (uint32_t) (byte / fs->bs), false, &b);
	if (rc != EOK)
		return rc;
	memcpy(b->data + byte % fs->bs, &fs->gd[group], sizeof(ext2_group_desc_t));
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

errno_t ext2_super_store(ext2_fs_t *fs)
{
	ext2_buf_t *b;
	errno_t rc;

	rc = ext2_cache_get(&fs->cache, EXT2_SUPER_OFFSET / fs->bs, false, &b);
	if (rc != EOK)
		return rc;
	memcpy(b->data + EXT2_SUPER_OFFSET % fs->bs, &fs->sb, sizeof(fs->sb));
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	fs->sb_dirty = false;
	return EOK;
}

/* The number of blocks in group @a g (the last one may be short). */
static uint32_t group_blocks(const ext2_fs_t *fs, uint32_t g)
{
	uint32_t first = fs->sb.s_first_data_block + g * fs->bpg;
	uint32_t left = fs->sb.s_blocks_count - first;
	return left < fs->bpg ? left : fs->bpg;
}

/* Take a clear bit of group @a g's bitmap @a bmblk, at or after @a start. */
static errno_t bitmap_take(
    ext2_fs_t *fs, uint32_t bmblk, uint32_t nbits, uint32_t start, uint32_t *bit)
{
	ext2_buf_t *b;
	errno_t rc;

	rc = ext2_cache_get(&fs->cache, bmblk, false, &b);
	if (rc != EOK)
		return rc;
	*bit = ext2_bitmap_find_zero(b->data, nbits, start);
	if (*bit == nbits) {
		/* The group's count said there was a free one. */
		ext2_cache_put(&fs->cache, b);
		return EIO;
	}
	ext2_bitmap_set(b->data, *bit);
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

/* Clear bit @a bit of bitmap block @a bmblk; EIO if it was clear already. */
static errno_t bitmap_release(ext2_fs_t *fs, uint32_t bmblk, uint32_t bit)
{
	ext2_buf_t *b;
	errno_t rc;

	rc = ext2_cache_get(&fs->cache, bmblk, false, &b);
	if (rc != EOK)
		return rc;
	if (!ext2_bitmap_test(b->data, bit)) {
		ext2_cache_put(&fs->cache, b);
		return EIO;
	}
	ext2_bitmap_clear(b->data, bit);
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

errno_t ext2_block_alloc(ext2_fs_t *fs, uint32_t goal, uint32_t *blk)
{
	uint32_t fdb = fs->sb.s_first_data_block;
	uint32_t g0 = 0, start = 0, bit;
	errno_t rc;

	if (fs->sb.s_free_blocks_count == 0)
		return ENOSPC;
	if (goal >= fdb && goal < fs->sb.s_blocks_count) {
		g0 = (goal - fdb) / fs->bpg;
		start = (goal - fdb) % fs->bpg;
	}
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (g0 + k) % fs->groups;
		if (fs->gd[g].bg_free_blocks_count == 0)
			continue;
		rc = bitmap_take(
		    fs, fs->gd[g].bg_block_bitmap, group_blocks(fs, g), g == g0 ? start : 0, &bit);
		if (rc != EOK)
			return rc;
		fs->gd[g].bg_free_blocks_count--;
		fs->sb.s_free_blocks_count--;
		fs->sb_dirty = true;
		*blk = fdb + g * fs->bpg + bit;
		return ext2_gd_store(fs, g);
	}
	/* The superblock's count said there was a free one. */
	return EIO;
}

errno_t ext2_block_free(ext2_fs_t *fs, uint32_t blk)
{
	uint32_t fdb = fs->sb.s_first_data_block;
	uint32_t g;
	errno_t rc;

	if (blk < fdb || blk >= fs->sb.s_blocks_count)
		return EIO;
	g = (blk - fdb) / fs->bpg;
	rc = bitmap_release(fs, fs->gd[g].bg_block_bitmap, (blk - fdb) % fs->bpg);
	if (rc != EOK)
		return rc;
	/* Its old contents must not be written over a later owner's. */
	ext2_cache_forget(&fs->cache, blk);
	fs->gd[g].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	fs->sb_dirty = true;
	return ext2_gd_store(fs, g);
}

errno_t ext2_ialloc(ext2_fs_t *fs, uint32_t near_ino, bool dir, uint32_t *ino)
{
	uint32_t g0 = near_ino > 0 ? (near_ino - 1) / fs->ipg : 0;
	uint32_t bit;
	errno_t rc;

	if (fs->sb.s_free_inodes_count == 0)
		return ENOSPC;
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (g0 + k) % fs->groups;
		if (fs->gd[g].bg_free_inodes_count == 0)
			continue;
		rc = bitmap_take(fs, fs->gd[g].bg_inode_bitmap, fs->ipg, 0, &bit);
		if (rc != EOK)
			return rc;
		fs->gd[g].bg_free_inodes_count--;
		if (dir)
			fs->gd[g].bg_used_dirs_count++;
		fs->sb.s_free_inodes_count--;
		fs->sb_dirty = true;
		*ino = g * fs->ipg + bit + 1;
		return ext2_gd_store(fs, g);
	}
	return EIO;
}

errno_t ext2_ifree(ext2_fs_t *fs, uint32_t ino, bool dir)
{
	uint32_t g = (ino - 1) / fs->ipg;
	errno_t rc;

	rc = bitmap_release(fs, fs->gd[g].bg_inode_bitmap, (ino - 1) % fs->ipg);
	if (rc != EOK)
		return rc;
	fs->gd[g].bg_free_inodes_count++;
	if (dir && fs->gd[g].bg_used_dirs_count > 0)
		fs->gd[g].bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	fs->sb_dirty = true;
	return ext2_gd_store(fs, g);
}
