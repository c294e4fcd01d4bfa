/*
 * The ext2 server's requests (abi/fs.h) on nodes and data: statfs, stat,
 * read, write, truncate, open and close of nodes, sync and buffer drop;
 * the checks every request's words go through; and the table that sends
 * each method to its handler (the namespace requests are in ops_dir.c).
 *
 * The node words of every request are checked first (numbers within the
 * volume, generations those of the records now: req_nodes_check); each
 * handler then checks its other words (ranges within the buffers, name
 * lengths) and only then calls lib/ext2, so a request that fails a check
 * changes nothing.  All run with ext2srv.lock held.
 */
#include "ext2srv.h"
#include <abi/vfs.h>
#include <string.h>

errno_t ext2srv_req_node(const ext2srv_t *s, uint64_t word, uint32_t *ino)
{
	uint32_t n = FS_NODE_INO(word);

	if (n == 0 || n > s->info.inodes_count)
		return EINVAL;
	*ino = n;
	return EOK;
}

errno_t ext2srv_node_word(ext2srv_t *s, uint32_t ino, uint64_t *word)
{
	uint32_t gen;
	errno_t rc = ext2_inode_generation(s->fs, ino, &gen);

	if (rc == EOK)
		*word = FS_NODE_WORD(ino, gen);
	return rc;
}

/* Which words of each request are node words (bit i: arg[i]). */
static unsigned req_node_args(uint64_t method)
{
	switch (method) {
	case FS_LINK:
	case FS_RENAME:
		return 0x5u;
	case FS_STATFS:
	case FS_SYNC:
	case FS_BUF_DROP:
		return 0;
	default:
		return 0x1u;
	}
}

/*
 * The node words of a request, before its handler runs: a number the
 * volume has (EINVAL), of the generation its record has now (ESTALE: the
 * number was given to another node since; FS_STAT may ask FS_GEN_ANY).
 */
static errno_t req_nodes_check(ext2srv_t *s, uint64_t method, const uint64_t *arg)
{
	unsigned mask = req_node_args(method);

	for (unsigned i = 0; i < 5; i++) {
		uint32_t ino, gen;
		if (!(mask & (1u << i)))
			continue;
		if (ext2srv_req_node(s, arg[i], &ino) != EOK)
			return EINVAL;
		if (method == FS_STAT && FS_NODE_GEN(arg[i]) == FS_GEN_ANY)
			continue;
		errno_t rc = ext2_inode_generation(s->fs, ino, &gen);
		if (rc != EOK)
			return rc;
		if (gen != FS_NODE_GEN(arg[i]))
			return ESTALE;
	}
	return EOK;
}

errno_t ext2srv_req_name(const ext2srv_req_t *r, uint64_t off, uint64_t len, char *name)
{
	uint8_t *p;

	if (len == 0 || len > EXT2_NAME_MAX || ext2srv_ctl_range(r, off, len, &p) != EOK)
		return EINVAL;
	memcpy(name, p, len); /* the VFS may change its buffer meanwhile */
	name[len] = '\0';
	return EOK;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src) < size - 1 ? strlen(src) : size - 1;
	memcpy(dst, src, n);
	memset(dst + n, 0, size - n);
}

static errno_t op_statfs(ext2srv_t *s, ext2srv_req_t *r)
{
	vfs_statfs_t st;
	uint8_t *p;

	if (ext2srv_ctl_range(r, 0, sizeof(st), &p) != EOK)
		return EINVAL;
	ext2_info(s->fs, &s->info);
	st = (vfs_statfs_t){ .block_size = s->info.block_size,
		.flags = s->info.readonly ? VFS_STATFS_RDONLY : 0,
		.blocks = s->info.blocks_count,
		.free_blocks = s->info.free_blocks,
		.files = s->info.inodes_count,
		.free_files = s->info.free_inodes };
	copy_str(st.fs_type, sizeof(st.fs_type), "ext2");
	copy_str(st.source, sizeof(st.source), s->source);
	memcpy(p, &st, sizeof(st));
	return ext2srv_node_word(s, EXT2_ROOT_INO, &r->ans->arg[0]);
}

static errno_t op_stat(ext2srv_t *s, ext2srv_req_t *r)
{
	ext2_stat_t es;
	vfs_stat_t st;
	uint32_t ino;
	uint8_t *p;

	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK ||
	    ext2srv_ctl_range(r, 0, sizeof(st), &p) != EOK)
		return EINVAL;
	errno_t rc = ext2_stat(s->fs, ino, &es);
	if (rc != EOK)
		return rc;
	st = (vfs_stat_t){ .ino = es.ino,
		.mode = es.mode,
		.nlink = es.links,
		.uid = es.uid,
		.gid = es.gid,
		.size = es.size,
		.blocks = es.blocks,
		.blksize = es.blksize,
		.gen = es.generation,
		.atime = es.atime,
		.mtime = es.mtime,
		.ctime = es.ctime };
	memcpy(p, &st, sizeof(st));
	return EOK;
}

/* FS_READ and FS_WRITE: straight between lib/ext2 and the lent buffer. */
static errno_t op_rw(ext2srv_t *s, ext2srv_req_t *r, bool write)
{
	uint64_t off = r->arg[1], len = r->arg[2];
	size_t done = 0;
	uint32_t ino;
	uint8_t *p;
	errno_t rc;

	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK || off > UINT64_MAX - len ||
	    ext2srv_buf_range(s, r->table, r->arg[3], r->arg[4], len, &p) != EOK)
		return EINVAL;
	if (write)
		rc = ext2_write(s->fs, ino, off, p, (size_t) len, &done);
	else
		rc = ext2_read(s->fs, ino, off, p, (size_t) len, &done);
	r->ans->arg[0] = done;
	return rc;
}

static errno_t op_read(ext2srv_t *s, ext2srv_req_t *r)
{
	return op_rw(s, r, false);
}

static errno_t op_write(ext2srv_t *s, ext2srv_req_t *r)
{
	return op_rw(s, r, true);
}

static errno_t op_truncate(ext2srv_t *s, ext2srv_req_t *r)
{
	uint32_t ino;

	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK)
		return EINVAL;
	return ext2_truncate(s->fs, ino, r->arg[1]);
}

/* A node the VFS opens must exist (a free inode is ENOENT). */
static errno_t op_node_open(ext2srv_t *s, ext2srv_req_t *r)
{
	ext2_stat_t es;
	uint32_t ino;

	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK)
		return EINVAL;
	errno_t rc = ext2_stat(s->fs, ino, &es);
	return rc != EOK ? rc : ext2srv_node_open(s, r->peer, ino);
}

/* The last close frees an inode whose last name went while it was open. */
static errno_t op_node_close(ext2srv_t *s, ext2srv_req_t *r)
{
	uint32_t ino;
	bool last;

	if (ext2srv_req_node(s, r->arg[0], &ino) != EOK ||
	    ext2srv_node_close(s, r->peer, ino, &last) != EOK)
		return EINVAL;
	return last ? ext2_inode_release(s->fs, ino) : EOK;
}

static errno_t op_sync(ext2srv_t *s, ext2srv_req_t *r)
{
	(void) r;
	return ext2_sync(s->fs);
}

static errno_t op_buf_drop(ext2srv_t *s, ext2srv_req_t *r)
{
	return ext2srv_buf_drop(s, r->table, r->arg[0]);
}

typedef errno_t (*op_fn_t)(ext2srv_t *s, ext2srv_req_t *r);

/* By method - FS_STATFS; FS_UNMOUNT is main.c's. */
static const op_fn_t ops[] = {
	[FS_STATFS - FS_STATFS] = op_statfs,
	[FS_LOOKUP - FS_STATFS] = ext2srv_op_lookup,
	[FS_STAT - FS_STATFS] = op_stat,
	[FS_READ - FS_STATFS] = op_read,
	[FS_WRITE - FS_STATFS] = op_write,
	[FS_TRUNCATE - FS_STATFS] = op_truncate,
	[FS_CREATE - FS_STATFS] = ext2srv_op_create,
	[FS_SYMLINK - FS_STATFS] = ext2srv_op_symlink,
	[FS_READLINK - FS_STATFS] = ext2srv_op_readlink,
	[FS_LINK - FS_STATFS] = ext2srv_op_link,
	[FS_UNLINK - FS_STATFS] = ext2srv_op_unlink,
	[FS_RENAME - FS_STATFS] = ext2srv_op_rename,
	[FS_READDIR - FS_STATFS] = ext2srv_op_readdir,
	[FS_NODE_OPEN - FS_STATFS] = op_node_open,
	[FS_NODE_CLOSE - FS_STATFS] = op_node_close,
	[FS_SYNC - FS_STATFS] = op_sync,
	[FS_BUF_DROP - FS_STATFS] = op_buf_drop,
	[FS_ALLOCATE - FS_STATFS] = ext2srv_op_allocate,
};

errno_t ext2srv_request(ext2srv_t *s, uint64_t method, ext2srv_req_t *r)
{
	uint64_t i = method - FS_STATFS; /* wraps for methods below: unknown */

	if (method < FS_STATFS || i >= sizeof(ops) / sizeof(ops[0]) || ops[i] == NULL)
		return ENOTSUP;
	if (s->fs == NULL)
		return EIO; /* unmounted: the server is ending */
	errno_t rc = req_nodes_check(s, method, r->arg);
	return rc != EOK ? rc : ops[i](s, r);
}
