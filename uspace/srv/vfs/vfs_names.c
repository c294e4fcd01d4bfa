/*
 * vfs: requests on names (stat, mkdir, rmdir, unlink, rename, link,
 * symlink, readlink, chdir, getcwd, statfs).  Each copies its path(s) out
 * of the caller's buffer, resolves them (vfs_path.c) and makes one request
 * to the file system, which checks what only it can (an empty directory,
 * a name already there, the volume read-only or full).
 */
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

/* Copy path(s) and resolve one: the caller frees *path and ends w. */
static errno_t names_walk(
    vfs_req_t *req, size_t off, uint64_t len, unsigned flags, char **path, vfs_walk_t *w)
{
	errno_t rc = vfs_path_copy(req, off, len, path);
	if (rc != EOK)
		return rc;
	rc = vfs_walk(req, *path, flags, w);
	if (rc != EOK) {
		free(*path);
		*path = NULL;
	}
	return rc;
}

errno_t vfs_name_stat(vfs_req_t *req, const ipc_msg_t *m)
{
	char *path;
	vfs_walk_t w;
	errno_t rc = names_walk(req, 0, m->arg[0], m->arg[1] ? VFS_WALK_FOLLOW : 0, &path, &w);
	if (rc != EOK)
		return rc;
	vfs_stat_t st;
	rc = vfs_stat_node(w.loc.fs, w.loc.node, &st);
	if (rc == EOK)
		memcpy(req->conn->buf, &st, sizeof(st));
	vfs_walk_done(&w);
	free(path);
	return rc;
}

errno_t vfs_name_mkdir(vfs_req_t *req, const ipc_msg_t *m)
{
	char *path;
	vfs_walk_t w;
	errno_t rc = names_walk(req, 0, m->arg[0], VFS_WALK_PARENT, &path, &w);
	if (rc != EOK)
		return rc;
	if (w.found)
		rc = EEXIST;
	if (rc == EOK) {
		vfs_loc_t made;
		rc = vfs_walk_create(&w, VFS_S_IFDIR | (uint32_t) (m->arg[1] & VFS_S_PERM), &made);
	}
	vfs_walk_done(&w);
	free(path);
	return rc;
}

/* VFS_RMDIR (@a dir) and VFS_UNLINK */
errno_t vfs_name_remove(vfs_req_t *req, const ipc_msg_t *m, bool dir)
{
	char *path;
	vfs_walk_t w;
	errno_t rc = names_walk(req, 0, m->arg[0], VFS_WALK_PARENT, &path, &w);
	if (rc != EOK)
		return rc;
	if (!w.found)
		rc = ENOENT;
	else if (w.name_len == 0)
		rc = dir ? EINVAL : EISDIR; /* ".", ".." or "/" */
	if (rc == EOK) {
		uint64_t arg[5] = { w.dir.node, w.name_len, dir ? 1 : 0 };
		rc = vfs_fs_request(w.dir.fs, FS_UNLINK, arg, w.name, w.name_len, NULL, 0, NULL);
		vfs_ncache_forget(w.dir.fs->dev, w.dir.node, w.name, w.name_len);
		if (rc == EOK &&
		    (w.loc.mode & VFS_S_IFMT) == VFS_S_IFREG) /* its pages, if the last name */
			(void) vfs_fpager_node(FPAGER_FORGET, w.loc.fs, w.loc.node, 0);
	}
	vfs_walk_done(&w);
	free(path);
	return rc;
}

/* Two names in the control buffer, one after the other. */
static void names_pair(const vfs_walk_t *a, const vfs_walk_t *b, char *out)
{
	memcpy(out, a->name, a->name_len);
	memcpy(out + a->name_len, b->name, b->name_len);
}

/* VFS_RENAME and VFS_LINK (@a link): old path then new path in the buffer. */
errno_t vfs_name_rename(vfs_req_t *req, const ipc_msg_t *m, bool link)
{
	if (m->arg[0] > VFS_BUF_SIZE)
		return EINVAL;
	char *opath, *npath = NULL;
	vfs_walk_t ow, nw;
	errno_t rc = names_walk(req, 0, m->arg[0], VFS_WALK_PARENT, &opath, &ow);
	if (rc != EOK)
		return rc;
	rc = names_walk(req, (size_t) m->arg[0], m->arg[1], VFS_WALK_PARENT, &npath, &nw);
	if (rc != EOK) {
		vfs_walk_done(&ow);
		free(opath);
		return rc;
	}
	char names[2 * VFS_NAME_MAX];
	if (!ow.found)
		rc = ENOENT;
	else if (ow.name_len == 0 || nw.name_len == 0)
		rc = link ? EEXIST : EINVAL;
	else if (ow.dir.fs != nw.dir.fs)
		rc = EXDEV;
	else if (link && nw.found)
		rc = EEXIST;
	else if (!link && nw.slash && (ow.loc.mode & VFS_S_IFMT) != VFS_S_IFDIR)
		rc = ENOTDIR; /* "new/" names a directory */
	if (rc == EOK) {
		names_pair(&ow, &nw, names);
		uint64_t rarg[5] = { ow.dir.node, ow.name_len, nw.dir.node, nw.name_len };
		uint64_t larg[5] = { nw.dir.node, nw.name_len, ow.loc.node };
		rc = link
		    ? vfs_fs_request(nw.dir.fs, FS_LINK, larg, nw.name, nw.name_len, NULL, 0, NULL)
		    : vfs_fs_request(ow.dir.fs, FS_RENAME, rarg, names, ow.name_len + nw.name_len,
		          NULL, 0, NULL);
		if (!link) { /* both names change, whatever the answer (a server may fail part way) */
			vfs_ncache_forget(ow.dir.fs->dev, ow.dir.node, ow.name, ow.name_len);
			vfs_ncache_forget(nw.dir.fs->dev, nw.dir.node, nw.name, nw.name_len);
		}
		if (!link && rc == EOK && nw.found && (nw.loc.mode & VFS_S_IFMT) == VFS_S_IFREG &&
		    nw.loc.node != ow.loc.node) /* the replaced file's pages, if its last name */
			(void) vfs_fpager_node(FPAGER_FORGET, nw.loc.fs, nw.loc.node, 0);
	}
	vfs_walk_done(&ow);
	vfs_walk_done(&nw);
	free(opath);
	free(npath);
	return rc;
}

/* VFS_SYMLINK: the target (arg[0] bytes), then the path (arg[1] bytes). */
errno_t vfs_name_symlink(vfs_req_t *req, const ipc_msg_t *m)
{
	if (m->arg[0] >= FS_CTL_SIZE - VFS_NAME_MAX)
		return ENAMETOOLONG;
	char *target;
	errno_t rc = vfs_path_copy(req, 0, m->arg[0], &target);
	if (rc != EOK)
		return rc;
	char *path;
	vfs_walk_t w;
	rc = names_walk(req, (size_t) m->arg[0], m->arg[1], VFS_WALK_PARENT, &path, &w);
	if (rc != EOK) {
		free(target);
		return rc;
	}
	if (w.found || w.name_len == 0)
		rc = EEXIST;
	char *ctl = rc == EOK ? malloc(w.name_len + m->arg[0]) : NULL;
	if (rc == EOK && !ctl)
		rc = ENOMEM;
	if (rc == EOK) {
		memcpy(ctl, w.name, w.name_len);
		memcpy(ctl + w.name_len, target, m->arg[0]);
		uint64_t arg[5] = { w.dir.node, w.name_len, m->arg[0] };
		rc = vfs_fs_request(
		    w.dir.fs, FS_SYMLINK, arg, ctl, w.name_len + m->arg[0], NULL, 0, NULL);
	}
	free(ctl);
	vfs_walk_done(&w);
	free(path);
	free(target);
	return rc;
}

errno_t vfs_name_readlink(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	char *path;
	vfs_walk_t w;
	errno_t rc = names_walk(req, 0, m->arg[0], 0, &path, &w);
	if (rc != EOK)
		return rc;
	char *target = NULL;
	if ((w.loc.mode & VFS_S_IFMT) != VFS_S_IFLNK)
		rc = EINVAL;
	else if (!(target = malloc(FS_CTL_SIZE)))
		rc = ENOMEM;
	size_t len = 0;
	if (rc == EOK)
		rc = vfs_readlink_node(&w.loc, target, &len);
	if (rc == EOK) {
		memcpy(req->conn->buf, target, len);
		ans->arg[0] = len;
	}
	free(target);
	vfs_walk_done(&w);
	free(path);
	return rc;
}

errno_t vfs_name_chdir(vfs_req_t *req, const ipc_msg_t *m)
{
	char *path;
	vfs_walk_t w;
	errno_t rc = names_walk(req, 0, m->arg[0], VFS_WALK_FOLLOW | VFS_WALK_PATH, &path, &w);
	if (rc != EOK)
		return rc;
	if ((w.loc.mode & VFS_S_IFMT) != VFS_S_IFDIR)
		rc = ENOTDIR;
	if (rc == EOK)
		rc = vfs_fs_node_open(w.loc.fs, w.loc.node);
	if (rc == EOK) {
		vfs_task_t *t = req->task;
		lock_acquire(&vfs_table_lock);
		vfs_fs_t *ofs = t->cwd_fs;
		uint64_t onode = t->cwd_node;
		char *opath = t->cwd_path;
		t->cwd_fs = w.loc.fs;
		t->cwd_node = w.loc.node;
		t->cwd_path = w.path;
		w.path = NULL;
		lock_release(&vfs_table_lock);
		if (ofs)
			vfs_fs_node_close(ofs, onode);
		free(opath);
	}
	vfs_walk_done(&w);
	free(path);
	return rc;
}

errno_t vfs_name_getcwd(vfs_req_t *req, ipc_msg_t *ans)
{
	if (!req->conn->buf)
		return ENOENT;
	lock_acquire(&vfs_table_lock);
	const char *p = req->task->cwd_path ? req->task->cwd_path : "/";
	size_t len = strlen(p);
	memcpy(req->conn->buf, p, len);
	lock_release(&vfs_table_lock);
	ans->arg[0] = len;
	return EOK;
}

errno_t vfs_name_statfs(vfs_req_t *req, const ipc_msg_t *m)
{
	char *path;
	vfs_walk_t w;
	errno_t rc = names_walk(req, 0, m->arg[0], VFS_WALK_FOLLOW, &path, &w);
	if (rc != EOK)
		return rc;
	vfs_statfs_t sf;
	rc = vfs_fs_request(w.loc.fs, FS_STATFS, NULL, NULL, 0, &sf, sizeof(sf), NULL);
	if (rc == EOK) {
		sf.dev = w.loc.fs->dev;
		memcpy(req->conn->buf, &sf, sizeof(sf));
	}
	vfs_walk_done(&w);
	free(path);
	return rc;
}
