/*
 * The ext2 server's namespace requests (abi/fs.h): lookup, create (files
 * and directories), symlink, readlink, link, unlink and rmdir, rename, and
 * readdir in batches of vfs_dirent_t records.  Names and targets are
 * copied out of the control buffer before lib/ext2 sees them.  As in
 * ops.c: words checked first, then lib/ext2, with ext2srv.lock held.
 */
#include "ext2srv.h"
#include <abi/vfs.h>
#include <string.h>

errno_t ext2srv_op_lookup(ext2srv_t *s, ext2srv_req_t *r)
{
	char name[EXT2_NAME_MAX + 1];
	ext2_stat_t es;
	uint32_t dir, ino;

	if (ext2srv_req_node(s, r->arg[0], &dir) != EOK ||
	    ext2srv_req_name(r, 0, r->arg[1], name) != EOK)
		return EINVAL;
	errno_t rc = ext2_lookup(s->fs, dir, name, r->arg[1], &ino);
	if (rc == EOK)
		rc = ext2_stat(s->fs, ino, &es);
	if (rc != EOK)
		return rc;
	r->ans->arg[0] = FS_NODE_WORD(ino, es.generation);
	r->ans->arg[1] = es.mode;
	r->ans->arg[2] = es.generation;
	return EOK;
}

/* arg[2]: VFS_S_IFREG or VFS_S_IFDIR and permission bits, nothing else. */
errno_t ext2srv_op_create(ext2srv_t *s, ext2srv_req_t *r)
{
	char name[EXT2_NAME_MAX + 1];
	uint64_t mode = r->arg[2], type = mode & VFS_S_IFMT;
	uint32_t dir, ino;
	errno_t rc;

	if (ext2srv_req_node(s, r->arg[0], &dir) != EOK ||
	    ext2srv_req_name(r, 0, r->arg[1], name) != EOK ||
	    (mode & ~(uint64_t) (VFS_S_IFMT | VFS_S_PERM)) != 0 ||
	    (type != VFS_S_IFREG && type != VFS_S_IFDIR))
		return EINVAL;
	uint16_t perm = (uint16_t) (mode & VFS_S_PERM);
	if (type == VFS_S_IFDIR)
		rc = ext2_mkdir(s->fs, dir, name, r->arg[1], perm, 0, 0, &ino);
	else
		rc = ext2_create(s->fs, dir, name, r->arg[1], perm, 0, 0, &ino);
	if (rc == EOK)
		rc = ext2srv_node_word(s, ino, &r->ans->arg[0]);
	return rc;
}

/* The name at 0, the target right after it; a target of a block or more
 * is ENAMETOOLONG (lib/ext2 keeps it in one block), an empty one ENOENT
 * (as POSIX systems answer symlink("", ...)). */
errno_t ext2srv_op_symlink(ext2srv_t *s, ext2srv_req_t *r)
{
	char name[EXT2_NAME_MAX + 1], target[4096];
	uint64_t nlen = r->arg[1], tlen = r->arg[2];
	uint32_t dir, ino;
	uint8_t *p;

	if (ext2srv_req_node(s, r->arg[0], &dir) != EOK ||
	    ext2srv_req_name(r, 0, nlen, name) != EOK ||
	    ext2srv_ctl_range(r, nlen, tlen, &p) != EOK)
		return EINVAL;
	if (tlen == 0)
		return ENOENT;
	if (tlen >= s->info.block_size || tlen >= sizeof(target))
		return ENAMETOOLONG;
	memcpy(target, p, tlen);
	errno_t rc = ext2_symlink(s->fs, dir, name, nlen, target, tlen, 0, 0, &ino);
	if (rc == EOK)
		rc = ext2srv_node_word(s, ino, &r->ans->arg[0]);
	return rc;
}

errno_t ext2srv_op_readlink(ext2srv_t *s, ext2srv_req_t *r)
{
	uint32_t ino;
	size_t len;
	uint8_t *p;

	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK ||
	    ext2srv_ctl_range(r, 0, r->ctl_size, &p) != EOK)
		return EINVAL;
	errno_t rc = ext2_readlink(s->fs, ino, (char *) p, r->ctl_size, &len);
	if (rc == EOK)
		r->ans->arg[0] = len;
	return rc;
}

errno_t ext2srv_op_link(ext2srv_t *s, ext2srv_req_t *r)
{
	char name[EXT2_NAME_MAX + 1];
	uint32_t dir, ino;

	if (ext2srv_req_node(s, r->arg[0], &dir) != EOK ||
	    ext2srv_req_name(r, 0, r->arg[1], name) != EOK ||
	    ext2srv_req_node(s, r->arg[2], &ino) != EOK)
		return EINVAL;
	return ext2_link(s->fs, dir, name, r->arg[1], ino);
}

/* arg[2] 1: rmdir (an empty directory), 0: unlink (not a directory). */
errno_t ext2srv_op_unlink(ext2srv_t *s, ext2srv_req_t *r)
{
	char name[EXT2_NAME_MAX + 1];
	uint32_t dir;

	if (ext2srv_req_node(s, r->arg[0], &dir) != EOK ||
	    ext2srv_req_name(r, 0, r->arg[1], name) != EOK || r->arg[2] > 1)
		return EINVAL;
	if (r->arg[2] == 1)
		return ext2_rmdir(s->fs, dir, name, r->arg[1]);
	return ext2_unlink(s->fs, dir, name, r->arg[1]);
}

/* The old name at 0, the new one right after it. */
errno_t ext2srv_op_rename(ext2srv_t *s, ext2srv_req_t *r)
{
	char oname[EXT2_NAME_MAX + 1], nname[EXT2_NAME_MAX + 1];
	uint64_t olen = r->arg[1], nlen = r->arg[3];
	uint32_t odir, ndir;

	if (ext2srv_req_node(s, r->arg[0], &odir) != EOK ||
	    ext2srv_req_node(s, r->arg[2], &ndir) != EOK ||
	    ext2srv_req_name(r, 0, olen, oname) != EOK ||
	    ext2srv_req_name(r, olen, nlen, nname) != EOK)
		return EINVAL;
	return ext2_rename(s->fs, odir, oname, olen, ndir, nname, nlen);
}

/* vfs_dirent_t.type of an ext2 directory entry's file type. */
static uint8_t dirent_type(uint8_t ft)
{
	static const uint8_t types[] = {
		[EXT2_FT_UNKNOWN] = VFS_DT_UNKNOWN,
		[EXT2_FT_REG_FILE] = VFS_DT_REG,
		[EXT2_FT_DIR] = VFS_DT_DIR,
		[EXT2_FT_CHRDEV] = VFS_DT_CHR,
		[EXT2_FT_BLKDEV] = VFS_DT_BLK,
		[EXT2_FT_FIFO] = VFS_DT_FIFO,
		[EXT2_FT_SOCK] = VFS_DT_SOCK,
		[EXT2_FT_SYMLINK] = VFS_DT_LNK,
	};
	return ft < sizeof(types) ? types[ft] : VFS_DT_UNKNOWN;
}

/* Append @a ent at @a p (room for it checked by the caller). */
static size_t dirent_put(uint8_t *p, const ext2_dirent_t *ent)
{
	size_t size = VFS_DIRENT_SIZE(ent->name_len);
	_Alignas(8) uint8_t rec[VFS_DIRENT_SIZE(EXT2_NAME_MAX)];
	vfs_dirent_t *d = (vfs_dirent_t *) rec;

	memset(rec, 0, size);
	d->ino = ent->ino;
	d->reclen = (uint16_t) size;
	d->type = dirent_type(ent->type);
	d->name_len = ent->name_len;
	memcpy(d->name, ent->name, ent->name_len);
	memcpy(p, rec, size);
	return size;
}

/*
 * Entries from byte position arg[1] (lib/ext2's: 0 is the start; any
 * value is safe, it walks from the start of that block) until the control
 * buffer is full or the directory ends.
 */
errno_t ext2srv_op_readdir(ext2srv_t *s, ext2srv_req_t *r)
{
	uint64_t pos = r->arg[1], n = 0, used = 0;
	ext2_dirent_t ent;
	ext2_stat_t es;
	uint32_t dir;

	if (ext2srv_req_node(s, r->arg[0], &dir) != EOK || r->ctl == NULL)
		return EINVAL;
	errno_t rc = ext2_stat(s->fs, dir, &es);
	if (rc != EOK)
		return rc;
	if ((es.mode & VFS_S_IFMT) != VFS_S_IFDIR)
		return ENOTDIR;
	for (;;) {
		uint64_t at = pos;
		rc = ext2_readdir(s->fs, dir, &pos, &ent);
		if (rc == ENOENT)
			break; /* the end */
		if (rc != EOK)
			return rc;
		if (used + VFS_DIRENT_SIZE(ent.name_len) > r->ctl_size) {
			pos = at; /* the next request starts with it */
			break;
		}
		used += dirent_put(r->ctl + used, &ent);
		n++;
	}
	r->ans->arg[0] = n;
	r->ans->arg[1] = used;
	r->ans->arg[2] = pos;
	return EOK;
}
