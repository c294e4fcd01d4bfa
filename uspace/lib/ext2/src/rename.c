/*
 * lib/ext2: rename() as POSIX has it.  An existing target of the same kind
 * is replaced (a directory only if empty); renaming a name onto another
 * name of the same inode does nothing; a directory cannot move into its
 * own subtree.  The new name is made before the old one goes, so a full
 * volume (the new directory needing a block) changes nothing.
 */
#include "internal.h"

typedef struct rename_ctx {
	ext2_inode_t odir_mem, ndir_mem;
	ext2_inode_t *odir, *ndir; /* the same when one directory */
	ext2_inode_t src, tgt;
	ext2_dirloc_t sloc, tloc;
	bool has_tgt;
	bool src_dir;
} rename_ctx_t;

static bool name_is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* EINVAL if directory @a dir is @a ino or lies below it. */
static errno_t rename_loop_check(ext2_fs_t *fs, uint32_t dir, uint32_t ino)
{
	ext2_inode_t in;
	ext2_dirloc_t loc;
	errno_t rc;

	for (uint32_t steps = 0; dir != EXT2_ROOT_INO; steps++) {
		if (dir == ino)
			return EINVAL;
		if (steps > fs->sb.s_inodes_count)
			return EIO;
		rc = ext2_dir_get(fs, dir, &in);
		if (rc == EOK)
			rc = ext2_dir_find(fs, &in, "..", 2, &loc);
		if (rc != EOK)
			return rc == ENOENT ? EIO : rc;
		dir = loc.ino;
	}
	return EOK;
}

static errno_t rename_load(ext2_fs_t *fs, rename_ctx_t *c, uint32_t odir, const char *oname,
    size_t olen, uint32_t ndir, const char *nname, size_t nlen)
{
	errno_t rc;

	if (fs->readonly)
		return EROFS;
	rc = ext2_name_check(oname, olen);
	if (rc == EOK)
		rc = ext2_name_check(nname, nlen);
	if (rc == EOK)
		rc = ext2_dir_get(fs, odir, &c->odir_mem);
	if (rc == EOK)
		rc = ext2_dir_get(fs, ndir, &c->ndir_mem);
	if (rc != EOK)
		return rc;
	c->odir = &c->odir_mem;
	c->ndir = odir == ndir ? &c->odir_mem : &c->ndir_mem;
	if (name_is_dot(oname, olen) || name_is_dot(nname, nlen))
		return EINVAL;
	if (c->ndir->d.i_links_count == 0)
		return ENOENT;
	rc = ext2_dir_find(fs, c->odir, oname, olen, &c->sloc);
	if (rc != EOK)
		return rc;
	rc = ext2_inode_get(fs, c->sloc.ino, &c->src);
	if (rc != EOK)
		return rc == ENOENT ? EIO : rc;
	c->src_dir = ext2_inode_is_dir(&c->src);
	rc = ext2_dir_find(fs, c->ndir, nname, nlen, &c->tloc);
	c->has_tgt = rc == EOK;
	if (rc != EOK && rc != ENOENT)
		return rc;
	if (c->has_tgt) {
		rc = ext2_inode_get(fs, c->tloc.ino, &c->tgt);
		if (rc != EOK)
			return rc == ENOENT ? EIO : rc;
	}
	return EOK;
}

/* The POSIX rules on kinds, emptiness, links and subtrees. */
static errno_t rename_check(ext2_fs_t *fs, rename_ctx_t *c)
{
	errno_t rc;

	if (c->has_tgt) {
		bool tgt_dir = ext2_inode_is_dir(&c->tgt);
		if (c->src_dir && !tgt_dir)
			return ENOTDIR;
		if (!c->src_dir && tgt_dir)
			return EISDIR;
		if (tgt_dir) {
			bool empty;
			rc = ext2_dir_empty(fs, &c->tgt, &empty);
			if (rc != EOK)
				return rc;
			if (!empty)
				return ENOTEMPTY;
		}
	}
	if (c->src_dir && c->odir != c->ndir) {
		if (!c->has_tgt && c->ndir->d.i_links_count >= EXT2_LINK_MAX)
			return EMLINK;
		return rename_loop_check(fs, c->ndir->ino, c->src.ino);
	}
	return EOK;
}

/* The moved directory's ".." now names its new parent. */
static errno_t rename_reparent(ext2_fs_t *fs, rename_ctx_t *c)
{
	ext2_dirloc_t loc;
	errno_t rc;

	rc = ext2_dir_find(fs, &c->src, "..", 2, &loc);
	if (rc != EOK)
		return rc == ENOENT ? EIO : rc;
	rc = ext2_dir_retarget(fs, &c->src, &loc, c->ndir->ino, EXT2_FT_DIR);
	if (rc != EOK)
		return rc;
	c->odir->d.i_links_count--;
	c->ndir->d.i_links_count++;
	return EOK;
}

static errno_t rename_do(
    ext2_fs_t *fs, rename_ctx_t *c, const char *oname, size_t olen, const char *nname, size_t nlen)
{
	uint8_t ft = ext2_mode_to_ft(c->src.d.i_mode);
	errno_t rc;

	if (c->has_tgt)
		rc = ext2_dir_retarget(fs, c->ndir, &c->tloc, c->src.ino, ft);
	else
		rc = ext2_dir_add(fs, c->ndir, nname, nlen, c->src.ino, ft);
	if (rc != EOK)
		return rc;
	/* Adding may have split the entry before the old one: find it again. */
	rc = ext2_dir_find(fs, c->odir, oname, olen, &c->sloc);
	if (rc == EOK)
		rc = ext2_dir_remove(fs, c->odir, &c->sloc);
	if (rc == EOK && c->src_dir && c->odir != c->ndir)
		rc = rename_reparent(fs, c);
	if (rc != EOK)
		return rc;
	if (c->has_tgt && ext2_inode_is_dir(&c->tgt))
		c->ndir->d.i_links_count--; /* the target's ".." */
	c->src.d.i_ctime = ext2_now(fs);
	rc = ext2_inode_store(fs, &c->src);
	if (rc == EOK)
		rc = ext2_inode_store(fs, c->odir);
	if (rc == EOK && c->ndir != c->odir)
		rc = ext2_inode_store(fs, c->ndir);
	return rc;
}

errno_t ext2_rename(ext2_fs_t *fs, uint32_t odir, const char *oname, size_t olen, uint32_t ndir,
    const char *nname, size_t nlen)
{
	rename_ctx_t c;
	errno_t rc;

	memset(&c, 0, sizeof(c));
	rc = rename_load(fs, &c, odir, oname, olen, ndir, nname, nlen);
	if (rc != EOK)
		return rc;
	if (c.has_tgt && c.tgt.ino == c.src.ino)
		return EOK;
	rc = rename_check(fs, &c);
	if (rc == EOK)
		rc = rename_do(fs, &c, oname, olen, nname, nlen);
	if (rc == EOK && c.has_tgt)
		rc = ext2_inode_unref(fs, &c.tgt);
	return rc;
}
