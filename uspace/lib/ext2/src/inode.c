/*
 * lib/ext2: inodes (load, store, initialise, destroy) and the block tree of
 * a file: mapping a file block to a device block through the direct and
 * the single, double and triple indirect blocks, filling holes, and freeing
 * everything from a file block on.
 */
#include "internal.h"

/* Where inode @a ino's record lives. */
static errno_t inode_where(ext2_fs_t *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	uint32_t g, idx;
	uint64_t byte;

	if (ino == 0 || ino > fs->sb.s_inodes_count)
		return ENOENT;
	g = (ino - 1) / fs->ipg;
	idx = (ino - 1) % fs->ipg;
	byte = (uint64_t) idx * fs->inode_size;
	*blk = fs->gd[g].bg_inode_table + (uint32_t) (byte / fs->bs);
	*off = (uint32_t) (byte % fs->bs);
	return EOK;
}

errno_t ext2_inode_load(ext2_fs_t *fs, uint32_t ino, ext2_inode_t *in)
{
	uint32_t blk, off;
	ext2_buf_t *b;
	errno_t rc;

	rc = inode_where(fs, ino, &blk, &off);
	if (rc != EOK)
		return rc;
	rc = ext2_cache_get(&fs->cache, blk, false, &b);
	if (rc != EOK)
		return rc;
	in->ino = ino;
	memcpy(&in->d, b->data + off, sizeof(in->d));
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

errno_t ext2_inode_generation(ext2_fs_t *fs, uint32_t ino, uint32_t *gen)
{
	ext2_inode_t in;
	errno_t rc = ext2_inode_load(fs, ino, &in);

	if (rc == EOK)
		*gen = in.d.i_generation;
	return rc;
}

errno_t ext2_inode_store(ext2_fs_t *fs, const ext2_inode_t *in)
{
	uint32_t blk, off;
	ext2_buf_t *b;
	errno_t rc;

	rc = inode_where(fs, in->ino, &blk, &off);
	if (rc != EOK)
		return rc;
	rc = ext2_cache_get(&fs->cache, blk, false, &b);
	if (rc != EOK)
		return rc;
	memcpy(b->data + off, &in->d, sizeof(in->d));
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

errno_t ext2_inode_init(
    ext2_fs_t *fs, uint32_t ino, uint16_t mode, uint32_t uid, uint32_t gid, ext2_inode_t *in)
{
	uint32_t blk, off, now = ext2_now(fs);
	ext2_buf_t *b;
	errno_t rc;

	rc = inode_where(fs, ino, &blk, &off);
	if (rc != EOK)
		return rc;
	rc = ext2_cache_get(&fs->cache, blk, false, &b);
	if (rc != EOK)
		return rc;
	/* the number's next generation: what the freed inode had, plus one */
	uint32_t gen;
	memcpy(&gen, b->data + off + offsetof(ext2_dinode_t, i_generation), sizeof(gen));
	gen = ext2_generation_next(gen);
	memset(b->data + off, 0, fs->inode_size);
	if (fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE) {
		uint16_t extra = EXT2_EXTRA_ISIZE;
		memcpy(b->data + off + EXT2_GOOD_OLD_INODE_SIZE, &extra, sizeof(extra));
	}
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	memset(in, 0, sizeof(*in));
	in->ino = ino;
	in->d.i_mode = mode;
	in->d.i_uid = (uint16_t) uid;
	in->d.i_uid_high = (uint16_t) (uid >> 16);
	in->d.i_gid = (uint16_t) gid;
	in->d.i_gid_high = (uint16_t) (gid >> 16);
	in->d.i_atime = in->d.i_ctime = in->d.i_mtime = now;
	in->d.i_generation = gen;
	return EOK;
}

void ext2_inode_set_size(ext2_fs_t *fs, ext2_inode_t *in, uint64_t size)
{
	in->d.i_size = (uint32_t) size;
	if ((in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		in->d.i_size_high = (uint32_t) (size >> 32);
	if (size > 0x7fffffffu && !(fs->sb.s_feature_ro_compat & EXT2_RO_COMPAT_LARGE_FILE)) {
		fs->sb.s_feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
		fs->sb_dirty = true;
	}
}

/* Entry @a i of indirect block @a blk. */
static errno_t ind_entry(ext2_fs_t *fs, uint32_t blk, uint32_t i, uint32_t *val)
{
	ext2_buf_t *b;
	errno_t rc;

	if (blk >= fs->sb.s_blocks_count)
		return EIO;
	rc = ext2_cache_get(&fs->cache, blk, false, &b);
	if (rc != EOK)
		return rc;
	memcpy(val, b->data + (size_t) i * 4, 4);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

/* A new block near @a goal, counted in @a in; zeroed in the cache if @a zero. */
static errno_t bmap_new_block(
    ext2_fs_t *fs, ext2_inode_t *in, uint32_t goal, bool zero, uint32_t *blk)
{
	ext2_buf_t *b;
	errno_t rc;

	rc = ext2_block_alloc(fs, goal, blk);
	if (rc != EOK)
		return rc;
	in->d.i_blocks += fs->sectors_per_block;
	if (!zero)
		return EOK;
	rc = ext2_cache_get(&fs->cache, *blk, true, &b);
	if (rc != EOK)
		return rc;
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

/* Fill the path to a hole: @a needed blocks are missing on it. */
static errno_t bmap_fill(ext2_fs_t *fs, ext2_inode_t *in, unsigned depth, const uint32_t idx[3],
    uint32_t needed, uint32_t *out)
{
	uint32_t group_start = fs->sb.s_first_data_block + (in->ino - 1) / fs->ipg * fs->bpg;
	uint32_t *slot, ptr, goal;
	ext2_buf_t *b;
	errno_t rc;

	if (fs->sb.s_free_blocks_count < needed)
		return ENOSPC;
	if ((uint64_t) in->d.i_blocks + (uint64_t) needed * fs->sectors_per_block > UINT32_MAX)
		return EFBIG;
	slot = depth == 0 ? &in->d.i_block[idx[0]] : &in->d.i_block[EXT2_IND_BLOCK + depth - 1];
	if (*slot == 0) {
		goal = depth == 0 && idx[0] > 0 && in->d.i_block[idx[0] - 1] != 0
		    ? in->d.i_block[idx[0] - 1] + 1
		    : group_start;
		rc = bmap_new_block(fs, in, goal, depth > 0, slot);
		if (rc != EOK)
			return rc;
	}
	ptr = *slot;
	for (unsigned level = 0; level < depth; level++) {
		uint32_t entry, prev = 0;
		rc = ext2_cache_get(&fs->cache, ptr, false, &b);
		if (rc != EOK)
			return rc;
		memcpy(&entry, b->data + (size_t) idx[level] * 4, 4);
		if (entry == 0) {
			if (idx[level] > 0)
				memcpy(&prev, b->data + (size_t) (idx[level] - 1) * 4, 4);
			goal = prev != 0 ? prev + 1 : ptr + 1;
			rc = bmap_new_block(fs, in, goal, level + 1 < depth, &entry);
			if (rc != EOK) {
				ext2_cache_put(&fs->cache, b);
				return rc;
			}
			memcpy(b->data + (size_t) idx[level] * 4, &entry, 4);
			ext2_cache_dirty(&fs->cache, b);
		}
		ext2_cache_put(&fs->cache, b);
		ptr = entry;
	}
	*out = ptr;
	return EOK;
}

errno_t ext2_bmap(
    ext2_fs_t *fs, ext2_inode_t *in, uint64_t lblk, bool alloc, uint32_t *blk, bool *fresh)
{
	unsigned depth, level = 0;
	uint32_t idx[3], ptr;
	errno_t rc;

	*blk = 0;
	*fresh = false;
	if (!ext2_bmap_path(fs->ptrs, lblk, &depth, idx))
		return alloc ? EFBIG : EOK;
	ptr = depth == 0 ? in->d.i_block[idx[0]] : in->d.i_block[EXT2_IND_BLOCK + depth - 1];
	while (ptr != 0 && level < depth) {
		rc = ind_entry(fs, ptr, idx[level], &ptr);
		if (rc != EOK)
			return rc;
		level++;
	}
	if (ptr >= fs->sb.s_blocks_count)
		return EIO;
	if (ptr != 0 || !alloc) {
		*blk = ptr;
		return EOK;
	}
	rc = bmap_fill(fs, in, depth, idx, depth - level + 1, blk);
	if (rc == EOK)
		*fresh = true;
	return rc;
}

static errno_t trim_free(ext2_fs_t *fs, ext2_inode_t *in, uint32_t *ptr)
{
	errno_t rc = ext2_block_free(fs, *ptr);

	if (rc != EOK)
		return rc;
	*ptr = 0;
	in->d.i_blocks -= fs->sectors_per_block;
	return EOK;
}

/*
 * Free every data block at or after file block @a keep in the subtree at
 * @a *ptr, which is @a level indirections above its data blocks and
 * starts at file block @a base; its own block goes when all of it does.
 */
static errno_t trim_tree(
    ext2_fs_t *fs, ext2_inode_t *in, uint32_t *ptr, unsigned level, uint64_t base, uint64_t keep)
{
	uint64_t span = 1;
	ext2_buf_t *b;
	errno_t rc;

	if (*ptr == 0)
		return EOK;
	if (*ptr >= fs->sb.s_blocks_count)
		return EIO;
	if (level == 0)
		return base >= keep ? trim_free(fs, in, ptr) : EOK;
	for (unsigned l = 1; l < level; l++)
		span *= fs->ptrs;
	if (base + span * fs->ptrs <= keep)
		return EOK;
	rc = ext2_cache_get(&fs->cache, *ptr, false, &b);
	if (rc != EOK)
		return rc;
	for (uint32_t i = 0; i < fs->ptrs && rc == EOK; i++) {
		uint32_t entry, old;
		if (base + (i + 1) * span <= keep)
			continue;
		memcpy(&entry, b->data + (size_t) i * 4, 4);
		old = entry;
		rc = trim_tree(fs, in, &entry, level - 1, base + i * span, keep);
		if (entry != old) {
			memcpy(b->data + (size_t) i * 4, &entry, 4);
			ext2_cache_dirty(&fs->cache, b);
		}
	}
	ext2_cache_put(&fs->cache, b);
	if (rc != EOK)
		return rc;
	return base >= keep ? trim_free(fs, in, ptr) : EOK;
}

errno_t ext2_blocks_trim(ext2_fs_t *fs, ext2_inode_t *in, uint64_t keep)
{
	uint64_t p = fs->ptrs;
	uint64_t base[3] = { EXT2_NDIR_BLOCKS, EXT2_NDIR_BLOCKS + p, EXT2_NDIR_BLOCKS + p + p * p };
	errno_t rc;

	for (uint32_t i = 0; i < EXT2_NDIR_BLOCKS; i++) {
		rc = trim_tree(fs, in, &in->d.i_block[i], 0, i, keep);
		if (rc != EOK)
			return rc;
	}
	for (unsigned l = 0; l < 3; l++) {
		rc = trim_tree(fs, in, &in->d.i_block[EXT2_IND_BLOCK + l], l + 1, base[l], keep);
		if (rc != EOK)
			return rc;
	}
	return EOK;
}

/* Drop @a in's reference to its extended attribute block. */
static errno_t inode_xattr_drop(ext2_fs_t *fs, ext2_inode_t *in)
{
	uint32_t blk = in->d.i_file_acl, magic, refs;
	ext2_buf_t *b;
	errno_t rc;

	if (blk == 0)
		return EOK;
	if (blk >= fs->sb.s_blocks_count)
		return EIO;
	rc = ext2_cache_get(&fs->cache, blk, false, &b);
	if (rc != EOK)
		return rc;
	memcpy(&magic, b->data, 4);
	memcpy(&refs, b->data + 4, 4);
	if (magic != EXT2_XATTR_MAGIC || refs == 0) {
		ext2_cache_put(&fs->cache, b);
		return EIO;
	}
	refs--;
	memcpy(b->data + 4, &refs, 4);
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	if (refs == 0) {
		rc = ext2_block_free(fs, blk);
		if (rc != EOK)
			return rc;
	}
	in->d.i_file_acl = 0;
	in->d.i_blocks -= fs->sectors_per_block;
	return EOK;
}

/* Whether @a in is a symlink whose target lives in i_block. */
bool ext2_inode_fast_symlink(const ext2_fs_t *fs, const ext2_inode_t *in)
{
	uint32_t acl = in->d.i_file_acl != 0 ? fs->sectors_per_block : 0;

	return (in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK && in->d.i_blocks == acl;
}

errno_t ext2_inode_destroy(ext2_fs_t *fs, ext2_inode_t *in)
{
	bool dir = ext2_inode_is_dir(in);
	uint32_t now = ext2_now(fs);
	errno_t rc;

	uint16_t type = in->d.i_mode & EXT2_S_IFMT;

	/* Device nodes keep their numbers in i_block; fast symlinks their target. */
	if ((type != EXT2_S_IFREG && type != EXT2_S_IFDIR && type != EXT2_S_IFLNK) ||
	    ext2_inode_fast_symlink(fs, in)) {
		memset(in->d.i_block, 0, sizeof(in->d.i_block));
	} else {
		rc = ext2_blocks_trim(fs, in, 0);
		if (rc != EOK)
			return rc;
	}
	rc = inode_xattr_drop(fs, in);
	if (rc != EOK)
		return rc;
	in->d.i_links_count = 0;
	in->d.i_size = 0;
	in->d.i_size_high = 0;
	in->d.i_dtime = now != 0 ? now : 1;
	rc = ext2_inode_store(fs, in);
	if (rc != EOK)
		return rc;
	return ext2_ifree(fs, in->ino, dir);
}
