/*
 * lib/ext2: the namespace calls: create, mkdir, symlink, link, unlink,
 * rmdir, rename, and the release of an unlinked inode at its last close.
 *
 * Each checks everything first (names, kinds, existence, link limits),
 * then changes the volume.  The only steps that can fail after a change
 * are allocations and device errors; a failed allocation undoes what was
 * done before it (a new inode is freed again), so ENOSPC leaves the volume
 * as it was.
 */
#include "internal.h"

uint8_t ext2_mode_to_ft(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:
		return EXT2_FT_DIR;
	case EXT2_S_IFCHR:
		return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:
		return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:
		return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:
		return EXT2_FT_SOCK;
	case EXT2_S_IFLNK:
		return EXT2_FT_SYMLINK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

static bool name_is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* The checks of a call making a new name @a name in directory @a dirino. */
static errno_t new_name_check(
    ext2_fs_t *fs, uint32_t dirino, const char *name, size_t len, ext2_inode_t *dir)
{
	ext2_dirloc_t loc;
	errno_t rc;

	if (fs->readonly)
		return EROFS;
	rc = ext2_name_check(name, len);
	if (rc != EOK)
		return rc;
	rc = ext2_dir_get(fs, dirino, dir);
	if (rc != EOK)
		return rc;
	if (dir->d.i_links_count == 0)
		return ENOENT; /* a removed directory */
	if (name_is_dot(name, len))
		return EEXIST;
	rc = ext2_dir_find(fs, dir, name, len, &loc);
	if (rc == EOK)
		return EEXIST;
	return rc == ENOENT ? EOK : rc;
}

/* What a new inode gets besides its name. */
typedef struct new_inode {
	uint16_t mode;
	uint32_t uid;
	uint32_t gid;
	const char *target; /* symlinks */
	size_t target_len;
} new_inode_t;

/* The contents of a new inode: a directory's first block, a symlink's target. */
static errno_t new_inode_fill(
    ext2_fs_t *fs, ext2_inode_t *in, const ext2_inode_t *dir, const new_inode_t *ni)
{
	uint32_t blk;
	ext2_buf_t *b;
	bool fresh;
	errno_t rc;

	if (ext2_inode_is_dir(in)) {
		in->d.i_links_count = 2;
		return ext2_dir_init(fs, in, dir->ino);
	}
	in->d.i_links_count = 1;
	if ((ni->mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return EOK;
	ext2_inode_set_size(fs, in, ni->target_len);
	if (ni->target_len <= EXT2_FAST_SYMLINK_MAX) {
		memcpy(in->d.i_block, ni->target, ni->target_len);
		return EOK;
	}
	rc = ext2_bmap(fs, in, 0, true, &blk, &fresh);
	if (rc != EOK)
		return rc;
	rc = ext2_cache_get(&fs->cache, blk, true, &b);
	if (rc != EOK)
		return rc;
	memcpy(b->data, ni->target, ni->target_len);
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return EOK;
}

static errno_t new_inode_make(ext2_fs_t *fs, uint32_t dirino, const char *name, size_t len,
    const new_inode_t *ni, uint32_t *out)
{
	bool isdir = (ni->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	ext2_inode_t dir, in;
	uint32_t ino;
	errno_t rc;

	rc = new_name_check(fs, dirino, name, len, &dir);
	if (rc != EOK)
		return rc;
	if (isdir && dir.d.i_links_count >= EXT2_LINK_MAX)
		return EMLINK;
	rc = ext2_ialloc(fs, dir.ino, isdir, &ino);
	if (rc != EOK)
		return rc;
	rc = ext2_inode_init(fs, ino, ni->mode, ni->uid, ni->gid, &in);
	if (rc != EOK) {
		(void) ext2_ifree(fs, ino, isdir);
		return rc;
	}
	rc = new_inode_fill(fs, &in, &dir, ni);
	if (rc == EOK)
		rc = ext2_inode_store(fs, &in);
	if (rc == EOK)
		rc = ext2_dir_add(fs, &dir, name, len, ino, ext2_mode_to_ft(ni->mode));
	if (rc != EOK) {
		/* Undo: the inode and whatever it got go again. */
		(void) ext2_inode_destroy(fs, &in);
		return rc;
	}
	if (isdir) {
		dir.d.i_links_count++;
		rc = ext2_inode_store(fs, &dir);
	}
	*out = ino;
	return rc;
}

errno_t ext2_create(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, uint32_t *ino)
{
	new_inode_t ni = {
		.mode = (uint16_t) (EXT2_S_IFREG | (mode & 07777)), .uid = uid, .gid = gid
	};

	return new_inode_make(fs, dir, name, len, &ni, ino);
}

errno_t ext2_mkdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, uint32_t *ino)
{
	new_inode_t ni = {
		.mode = (uint16_t) (EXT2_S_IFDIR | (mode & 07777)), .uid = uid, .gid = gid
	};

	return new_inode_make(fs, dir, name, len, &ni, ino);
}

errno_t ext2_symlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, const char *target,
    size_t target_len, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	new_inode_t ni = { .mode = EXT2_S_IFLNK | 0777,
		.uid = uid,
		.gid = gid,
		.target = target,
		.target_len = target_len };

	if (target_len == 0)
		return ENOENT;
	/* A slow symlink's block holds the target and a NUL. */
	if (target_len >= fs->bs)
		return ENAMETOOLONG;
	for (size_t i = 0; i < target_len; i++) {
		if (target[i] == '\0')
			return EINVAL;
	}
	return new_inode_make(fs, dir, name, len, &ni, ino);
}

errno_t ext2_link(ext2_fs_t *fs, uint32_t dirino, const char *name, size_t len, uint32_t ino)
{
	ext2_inode_t dir, in;
	errno_t rc;

	rc = new_name_check(fs, dirino, name, len, &dir);
	if (rc == EOK)
		rc = ext2_inode_get(fs, ino, &in);
	if (rc != EOK)
		return rc;
	if (ext2_inode_is_dir(&in))
		return EPERM;
	if (in.d.i_links_count == 0)
		return ENOENT;
	if (in.d.i_links_count >= EXT2_LINK_MAX)
		return EMLINK;
	rc = ext2_dir_add(fs, &dir, name, len, ino, ext2_mode_to_ft(in.d.i_mode));
	if (rc != EOK)
		return rc;
	in.d.i_links_count++;
	in.d.i_ctime = ext2_now(fs);
	return ext2_inode_store(fs, &in);
}

errno_t ext2_inode_unref(ext2_fs_t *fs, ext2_inode_t *in)
{
	if (ext2_inode_is_dir(in))
		in->d.i_links_count = 0; /* its own "." goes too */
	else
		in->d.i_links_count--;
	in->d.i_ctime = ext2_now(fs);
	if (in->d.i_links_count > 0 ||
	    (fs->host.inode_busy != NULL && fs->host.inode_busy(fs->host.ctx, in->ino)))
		return ext2_inode_store(fs, in);
	return ext2_inode_destroy(fs, in);
}

errno_t ext2_inode_release(ext2_fs_t *fs, uint32_t ino)
{
	ext2_inode_t in;
	errno_t rc;

	rc = ext2_inode_get(fs, ino, &in);
	if (rc != EOK || in.d.i_links_count > 0)
		return rc;
	if (fs->readonly)
		return EROFS;
	return ext2_inode_destroy(fs, &in);
}

/* Find @a name in @a dirino for removal: the directory, the entry, the inode. */
static errno_t victim_find(ext2_fs_t *fs, uint32_t dirino, const char *name, size_t len,
    ext2_inode_t *dir, ext2_dirloc_t *loc, ext2_inode_t *in)
{
	errno_t rc;

	if (fs->readonly)
		return EROFS;
	rc = ext2_name_check(name, len);
	if (rc == EOK)
		rc = ext2_dir_get(fs, dirino, dir);
	if (rc != EOK)
		return rc;
	if (name_is_dot(name, len))
		return EINVAL;
	rc = ext2_dir_find(fs, dir, name, len, loc);
	if (rc != EOK)
		return rc;
	rc = ext2_inode_get(fs, loc->ino, in);
	return rc == ENOENT ? EIO : rc; /* a name of a free inode */
}

errno_t ext2_unlink(ext2_fs_t *fs, uint32_t dirino, const char *name, size_t len)
{
	ext2_inode_t dir, in;
	ext2_dirloc_t loc;
	errno_t rc;

	rc = victim_find(fs, dirino, name, len, &dir, &loc, &in);
	if (rc != EOK)
		return rc;
	if (ext2_inode_is_dir(&in))
		return EISDIR;
	rc = ext2_dir_remove(fs, &dir, &loc);
	if (rc != EOK)
		return rc;
	return ext2_inode_unref(fs, &in);
}

errno_t ext2_rmdir(ext2_fs_t *fs, uint32_t dirino, const char *name, size_t len)
{
	ext2_inode_t dir, in;
	ext2_dirloc_t loc;
	bool empty;
	errno_t rc;

	rc = victim_find(fs, dirino, name, len, &dir, &loc, &in);
	if (rc != EOK)
		return rc;
	if (!ext2_inode_is_dir(&in))
		return ENOTDIR;
	rc = ext2_dir_empty(fs, &in, &empty);
	if (rc != EOK)
		return rc;
	if (!empty)
		return ENOTEMPTY;
	rc = ext2_dir_remove(fs, &dir, &loc);
	if (rc != EOK)
		return rc;
	dir.d.i_links_count--; /* the victim's ".." */
	rc = ext2_inode_store(fs, &dir);
	if (rc != EOK)
		return rc;
	return ext2_inode_unref(fs, &in);
}
