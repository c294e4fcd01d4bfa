/*
 * vfs: path resolution.
 *
 * A path is walked one component at a time from the root or the task's
 * current directory, asking the file system for each name (FS_LOOKUP).
 * "." stays; ".." asks the file system for the directory's ".." entry
 * (and stays at the root).  A symbolic link met before the last component
 * (or as the last, when following) is read and spliced in front of what
 * is left of the path, restarting at the root for an absolute target; at
 * most VFS_SYMLOOP_MAX links per walk (ELOOP).  The canonical path (for
 * chdir and getcwd) is kept alongside: a component appended, popped by
 * "..", reset by an absolute link.
 *
 * Names found are remembered (vfs_ncache.c), so walking a path again asks
 * the file system server nothing until a name changes.
 */
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

#define VFS_WORK_SIZE (2u * (VFS_PATH_MAX + 1u))

/* Copy a path of @a len bytes at @a off of the caller's buffer. */
errno_t vfs_path_copy(const vfs_req_t *req, size_t off, uint64_t len, char **out)
{
	if (!req->conn->buf)
		return ENOENT;
	if (len == 0)
		return ENOENT;
	if (len > VFS_PATH_MAX)
		return ENAMETOOLONG;
	if (off > VFS_BUF_SIZE || len > VFS_BUF_SIZE - off)
		return EINVAL;
	char *p = malloc(len + 1);
	if (!p)
		return ENOMEM;
	memcpy(p, req->conn->buf + off, len);
	p[len] = '\0';
	if (strlen(p) != len) {
		free(p);
		return EINVAL;
	}
	*out = p;
	return EOK;
}

errno_t vfs_stat_node(vfs_fs_t *fs, uint64_t node, vfs_stat_t *st)
{
	uint64_t arg[5] = { node };
	errno_t rc = vfs_fs_request(fs, FS_STAT, arg, NULL, 0, st, sizeof(*st), NULL);
	if (rc == EOK)
		st->dev = fs->dev;
	return rc;
}

typedef struct walk_ctx {
	vfs_loc_t cur;
	char *work; /* what is left to walk, NUL-terminated */
	size_t pos;
	unsigned links;
	char *canon; /* NULL unless VFS_WALK_PATH */
	size_t canon_len;
} walk_ctx_t;

static bool loc_is_dir(const vfs_loc_t *l)
{
	return (l->mode & VFS_S_IFMT) == VFS_S_IFDIR;
}

static vfs_loc_t vfs_root_loc(void)
{
	vfs_loc_t l = { vfs_root, vfs_root ? vfs_root->root : 0, VFS_S_IFDIR };
	return l;
}

static errno_t walk_lookup(const vfs_loc_t *dir, const char *name, size_t len, vfs_loc_t *out)
{
	if (!loc_is_dir(dir))
		return ENOTDIR;
	out->fs = dir->fs;
	if (vfs_ncache_get(dir->fs->dev, dir->node, name, len, &out->node, &out->mode))
		return EOK;
	uint64_t gen = vfs_ncache_gen();
	uint64_t arg[5] = { dir->node, len };
	ipc_msg_t ans;
	errno_t rc = vfs_fs_request(dir->fs, FS_LOOKUP, arg, name, len, NULL, 0, &ans);
	if (rc != EOK)
		return rc;
	out->node = ans.arg[0];
	out->mode = (uint32_t) ans.arg[1];
	vfs_ncache_put(gen, dir->fs->dev, dir->node, name, len, out->node, out->mode);
	return EOK;
}

static void canon_push(walk_ctx_t *c, const char *name, size_t len, errno_t *err)
{
	if (!c->canon)
		return;
	size_t need = c->canon_len + (c->canon_len > 1 ? 1 : 0) + len;
	if (need > VFS_PATH_MAX) {
		*err = ENAMETOOLONG;
		return;
	}
	if (c->canon_len > 1)
		c->canon[c->canon_len++] = '/';
	memcpy(c->canon + c->canon_len, name, len);
	c->canon_len += len;
	c->canon[c->canon_len] = '\0';
}

static void canon_pop(walk_ctx_t *c)
{
	if (!c->canon)
		return;
	while (c->canon_len > 1 && c->canon[c->canon_len - 1] != '/')
		c->canon_len--;
	if (c->canon_len > 1)
		c->canon_len--;
	c->canon[c->canon_len] = '\0';
}

/*
 * The target of symlink @a l into @a out (FS_CTL_SIZE bytes): *len bytes,
 * less than FS_CTL_SIZE (a server answering more is EIO).
 */
errno_t vfs_readlink_node(const vfs_loc_t *l, char *out, size_t *len)
{
	uint64_t arg[5] = { l->node };
	ipc_msg_t ans;
	errno_t rc = vfs_fs_request(l->fs, FS_READLINK, arg, NULL, 0, out, FS_CTL_SIZE, &ans);
	if (rc != EOK)
		return rc;
	if (ans.arg[0] >= FS_CTL_SIZE)
		return EIO;
	*len = (size_t) ans.arg[0];
	return EOK;
}

/*
 * Put symlink @a l's target in front of what is left of the walk, with a
 * slash between them when something is left (or the link's name had a
 * trailing slash, @a slash: then the target must be a directory).
 */
static errno_t walk_splice(walk_ctx_t *c, const vfs_loc_t *l, bool slash)
{
	if (++c->links > VFS_SYMLOOP_MAX)
		return ELOOP;
	char *target = malloc(FS_CTL_SIZE);
	if (!target)
		return ENOMEM;
	size_t tlen = 0;
	errno_t rc = vfs_readlink_node(l, target, &tlen);
	if (rc == EOK && tlen == 0)
		rc = EIO;
	const char *rest = c->work + c->pos;
	size_t rlen = strlen(rest);
	size_t sep = rlen || slash ? 1 : 0;
	if (rc == EOK && tlen + sep + rlen + 1 > VFS_WORK_SIZE)
		rc = ENAMETOOLONG;
	if (rc == EOK) {
		memmove(c->work + tlen + sep, rest, rlen + 1);
		memcpy(c->work, target, tlen);
		if (sep)
			c->work[tlen] = '/';
		c->pos = 0;
		if (target[0] == '/') {
			c->cur = vfs_root_loc();
			if (c->canon) {
				c->canon_len = 1;
				c->canon[1] = '\0';
			}
		}
	}
	free(target);
	return rc;
}

static errno_t walk_start(const vfs_req_t *req, const char *path, walk_ctx_t *c, bool want_path)
{
	size_t len = strlen(path);
	if (len > VFS_PATH_MAX)
		return ENAMETOOLONG;
	c->work = malloc(VFS_WORK_SIZE);
	c->canon = want_path ? malloc(VFS_PATH_MAX + 1) : NULL;
	if (!c->work || (want_path && !c->canon))
		return ENOMEM;
	memcpy(c->work, path, len + 1);
	c->pos = 0;
	c->links = 0;
	const vfs_task_t *t = req->task;
	if (path[0] == '/' || !t->cwd_fs) {
		c->cur = vfs_root_loc();
		if (c->canon)
			strcpy(c->canon, "/");
	} else {
		c->cur = (vfs_loc_t){ t->cwd_fs, t->cwd_node, VFS_S_IFDIR };
		if (c->canon)
			strcpy(c->canon, t->cwd_path ? t->cwd_path : "/");
	}
	if (c->canon)
		c->canon_len = strlen(c->canon);
	return c->cur.fs ? EOK : EIO;
}

/* One component [s, s + len) of the walk; @a last: nothing follows but slashes. */
static errno_t walk_step(walk_ctx_t *c, const char *s, size_t len, bool last, bool slash,
    unsigned flags, vfs_walk_t *w, bool *done)
{
	*done = false;
	if (len > VFS_NAME_MAX)
		return ENAMETOOLONG;
	bool dot = len == 1 && s[0] == '.';
	bool dotdot = len == 2 && s[0] == '.' && s[1] == '.';
	if (dotdot && !(c->cur.fs == vfs_root && c->cur.node == vfs_root->root)) {
		vfs_loc_t up;
		errno_t rc = walk_lookup(&c->cur, "..", 2, &up);
		if (rc != EOK)
			return rc;
		c->cur = up;
		canon_pop(c);
	}
	if (dot || dotdot) {
		if (last) {
			w->dir = w->loc = c->cur;
			w->found = true;
			*done = true;
		}
		return EOK;
	}
	vfs_loc_t next;
	errno_t rc = walk_lookup(&c->cur, s, len, &next);
	if (rc == ENOENT && last && (flags & VFS_WALK_PARENT)) {
		w->dir = c->cur;
		memcpy(w->name, s, len);
		w->name[len] = '\0';
		w->name_len = len;
		w->slash = slash;
		w->found = false;
		*done = true;
		return EOK;
	}
	if (rc != EOK)
		return rc;
	bool link = (next.mode & VFS_S_IFMT) == VFS_S_IFLNK;
	if (link && (!last || slash || (flags & VFS_WALK_FOLLOW)))
		return walk_splice(c, &next, slash);
	if (!last) {
		if (!loc_is_dir(&next))
			return ENOTDIR;
		c->cur = next;
		canon_push(c, s, len, &rc);
		return rc;
	}
	if (slash && !loc_is_dir(&next))
		return ENOTDIR;
	w->dir = c->cur;
	w->loc = next;
	w->found = true;
	w->slash = slash;
	memcpy(w->name, s, len);
	w->name[len] = '\0';
	w->name_len = len;
	canon_push(c, s, len, &rc);
	*done = true;
	return rc;
}

static errno_t walk_run(walk_ctx_t *c, unsigned flags, vfs_walk_t *w)
{
	for (;;) {
		const char *p = c->work + c->pos;
		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* "/" or a path ending in "/." after a link: the directory itself */
			w->dir = w->loc = c->cur;
			w->found = true;
			return EOK;
		}
		const char *e = p;
		while (*e && *e != '/')
			e++;
		const char *q = e;
		while (*q == '/')
			q++;
		bool last = *q == '\0';
		c->pos = (size_t) (q - c->work);
		bool done;
		errno_t rc = walk_step(c, p, (size_t) (e - p), last, e != q, flags, w, &done);
		if (rc != EOK || done)
			return rc;
	}
}

/*
 * Resolve @a path for @a req's task.  Without VFS_WALK_PARENT the whole
 * path must exist (w->loc); with it, w->dir is the directory the last
 * component is (or would be) in, w->name that component (empty for "/",
 * "." and ".."), and w->found whether it exists.
 */
errno_t vfs_walk(const vfs_req_t *req, const char *path, unsigned flags, vfs_walk_t *w)
{
	memset(w, 0, sizeof(*w));
	walk_ctx_t c = { 0 };
	errno_t rc = walk_start(req, path, &c, flags & VFS_WALK_PATH);
	if (rc == EOK)
		rc = walk_run(&c, flags, w);
	if (rc == EOK && !w->found && !(flags & VFS_WALK_PARENT))
		rc = ENOENT;
	free(c.work);
	if (rc == EOK && c.canon) {
		w->path = c.canon;
		c.canon = NULL;
	}
	free(c.canon);
	return rc;
}

/*
 * Make @a w's last component (absent: VFS_WALK_PARENT) a new file or
 * directory (@a mode: type and permissions); the name cache learns it.
 */
errno_t vfs_walk_create(const vfs_walk_t *w, uint32_t mode, vfs_loc_t *out)
{
	uint64_t gen = vfs_ncache_gen();
	uint64_t arg[5] = { w->dir.node, w->name_len, mode };
	ipc_msg_t ans;
	errno_t rc = vfs_fs_request(w->dir.fs, FS_CREATE, arg, w->name, w->name_len, NULL, 0, &ans);
	if (rc != EOK)
		return rc;
	*out = (vfs_loc_t){ w->dir.fs, ans.arg[0], mode };
	vfs_ncache_put(gen, w->dir.fs->dev, w->dir.node, w->name, w->name_len, out->node, mode);
	return EOK;
}

void vfs_walk_done(vfs_walk_t *w)
{
	free(w->path);
	w->path = NULL;
}
