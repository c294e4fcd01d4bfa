/*
 * lib/ext2: the calls on one inode: stat, setattr, truncate, lookup,
 * readdir, readlink (file data: data.c).
 */
#include "internal.h"

/* Load @a ino if it is a live inode the caller may name (not a reserved one). */
errno_t ext2_inode_get(ext2_fs_t *fs, uint32_t ino, ext2_inode_t *in)
{
	errno_t rc;

	if (ino != EXT2_ROOT_INO && ino < fs->sb.s_first_ino)
		return ENOENT;
	rc = ext2_inode_load(fs, ino, in);
	if (rc != EOK)
		return rc;
	if (in->d.i_mode == 0 || in->d.i_dtime != 0)
		return ENOENT;
	return EOK;
}

errno_t ext2_stat(ext2_fs_t *fs, uint32_t ino, ext2_stat_t *st)
{
	ext2_inode_t in;
	errno_t rc;

	rc = ext2_inode_get(fs, ino, &in);
	if (rc != EOK)
		return rc;
	st->ino = ino;
	st->mode = in.d.i_mode;
	st->links = in.d.i_links_count;
	st->uid = in.d.i_uid | (uint32_t) in.d.i_uid_high << 16;
	st->gid = in.d.i_gid | (uint32_t) in.d.i_gid_high << 16;
	st->size = ext2_inode_size(&in);
	st->blocks = in.d.i_blocks;
	st->atime = in.d.i_atime;
	st->mtime = in.d.i_mtime;
	st->ctime = in.d.i_ctime;
	st->blksize = fs->bs;
	st->generation = in.d.i_generation;
	return EOK;
}

errno_t ext2_setattr(ext2_fs_t *fs, uint32_t ino, const ext2_attr_t *attr, unsigned mask)
{
	ext2_inode_t in;
	errno_t rc;

	if (fs->readonly)
		return EROFS;
	rc = ext2_inode_get(fs, ino, &in);
	if (rc != EOK)
		return rc;
	if (mask & EXT2_ATTR_MODE)
		in.d.i_mode = (uint16_t) ((in.d.i_mode & EXT2_S_IFMT) | (attr->mode & 07777));
	if (mask & EXT2_ATTR_UID) {
		in.d.i_uid = (uint16_t) attr->uid;
		in.d.i_uid_high = (uint16_t) (attr->uid >> 16);
	}
	if (mask & EXT2_ATTR_GID) {
		in.d.i_gid = (uint16_t) attr->gid;
		in.d.i_gid_high = (uint16_t) (attr->gid >> 16);
	}
	if (mask & EXT2_ATTR_ATIME)
		in.d.i_atime = attr->atime;
	if (mask & EXT2_ATTR_MTIME)
		in.d.i_mtime = attr->mtime;
	in.d.i_ctime = ext2_now(fs);
	return ext2_inode_store(fs, &in);
}

errno_t ext2_inode_check_reg(const ext2_inode_t *in)
{
	if (ext2_inode_is_dir(in))
		return EISDIR;
	if ((in->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFREG)
		return EINVAL;
	return EOK;
}

/* Zero the bytes of the last block past a new, shorter @a size. */
static errno_t truncate_zero_tail(ext2_fs_t *fs, ext2_inode_t *in, uint64_t size)
{
	uint32_t in_blk = (uint32_t) (size % fs->bs), blk;
	bool fresh;
	errno_t rc;

	if (in_blk == 0)
		return EOK;
	rc = ext2_bmap(fs, in, size / fs->bs, false, &blk, &fresh);
	if (rc != EOK || blk == 0)
		return rc;
	return ext2_data_put(fs, blk, false, in_blk, NULL, fs->bs - in_blk);
}

errno_t ext2_truncate(ext2_fs_t *fs, uint32_t ino, uint64_t size)
{
	ext2_inode_t in;
	errno_t rc;

	if (fs->readonly)
		return EROFS;
	rc = ext2_inode_get(fs, ino, &in);
	if (rc == EOK)
		rc = ext2_inode_check_reg(&in);
	if (rc != EOK)
		return rc;
	if (size > fs->max_size)
		return EFBIG;
	if (size < ext2_inode_size(&in)) {
		rc = truncate_zero_tail(fs, &in, size);
		if (rc == EOK)
			rc = ext2_blocks_trim(fs, &in, (size + fs->bs - 1) / fs->bs);
		if (rc != EOK) {
			(void) ext2_inode_store(fs, &in);
			return rc;
		}
	}
	ext2_inode_set_size(fs, &in, size);
	in.d.i_mtime = in.d.i_ctime = ext2_now(fs);
	return ext2_inode_store(fs, &in);
}

/* A name a directory may hold: 1..255 bytes, no '/' and no NUL. */
errno_t ext2_name_check(const char *name, size_t len)
{
	if (len == 0)
		return ENOENT;
	if (len > EXT2_NAME_MAX)
		return ENAMETOOLONG;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '/' || name[i] == '\0')
			return EINVAL;
	}
	return EOK;
}

/* Load directory @a ino (ENOTDIR if it is something else). */
errno_t ext2_dir_get(ext2_fs_t *fs, uint32_t ino, ext2_inode_t *dir)
{
	errno_t rc = ext2_inode_get(fs, ino, dir);

	if (rc == EOK && !ext2_inode_is_dir(dir))
		rc = ENOTDIR;
	return rc;
}

errno_t ext2_lookup(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	ext2_inode_t d;
	ext2_dirloc_t loc;
	errno_t rc;

	rc = ext2_name_check(name, len);
	if (rc == EOK)
		rc = ext2_dir_get(fs, dir, &d);
	if (rc == EOK)
		rc = ext2_dir_find(fs, &d, name, len, &loc);
	if (rc == EOK)
		*ino = loc.ino;
	return rc;
}

errno_t ext2_readdir(ext2_fs_t *fs, uint32_t dir, uint64_t *pos, ext2_dirent_t *ent)
{
	ext2_inode_t d;
	errno_t rc;

	rc = ext2_dir_get(fs, dir, &d);
	if (rc != EOK)
		return rc;
	return ext2_dir_read(fs, &d, pos, ent);
}

errno_t ext2_readlink(ext2_fs_t *fs, uint32_t ino, char *buf, size_t size, size_t *len)
{
	ext2_inode_t in;
	uint32_t blk;
	ext2_buf_t *b;
	bool fresh;
	errno_t rc;

	rc = ext2_inode_get(fs, ino, &in);
	if (rc != EOK)
		return rc;
	if ((in.d.i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return EINVAL;
	*len = in.d.i_size;
	size_t n = *len < size ? *len : size;
	if (ext2_inode_fast_symlink(fs, &in)) {
		if (*len > EXT2_FAST_SYMLINK_MAX)
			return EIO;
		memcpy(buf, in.d.i_block, n);
	} else {
		if (*len >= fs->bs)
			return EIO;
		rc = ext2_bmap(fs, &in, 0, false, &blk, &fresh);
		if (rc != EOK)
			return rc;
		if (blk == 0)
			return EIO;
		rc = ext2_cache_get(&fs->cache, blk, false, &b);
		if (rc != EOK)
			return rc;
		memcpy(buf, b->data, n);
		ext2_cache_put(&fs->cache, b);
	}
	if (n < size)
		buf[n] = '\0';
	return EOK;
}
