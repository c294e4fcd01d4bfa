/*
 * The path calls (fcntl.h, unistd.h, sys/stat.h, sys/statvfs.h,
 * sys/mount.h): open, stat, lstat, mkdir, rmdir, unlink, rename, link,
 * symlink, readlink, chdir, getcwd, statvfs, sync, umount_all.  Each is
 * one VFS request: the paths go into the shared buffer one after the
 * other (no NUL), their lengths are the first words, what the VFS answers
 * in the buffer is copied out before the buffer is let go (vfsconn.c).
 * A path pointer is checked against the task's areas first (EFAULT); an
 * empty path is ENOENT and one longer than VFS_PATH_MAX ENAMETOOLONG
 * without a request.
 */
#include "file_priv.h"
#include <abi/vfs.h>
#include <as.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

typedef struct path_req {
	uint64_t method;
	unsigned npaths; /* 0, 1 or 2 */
	const char *path[2];
	uint64_t x[2]; /* the words after the paths' lengths */
	void *out; /* the answer's bytes from the buffer (NULL: none; checked
	            * by the caller if it is the user's) */
	size_t out_size;
	bool out_sized; /* their length is the answer's arg[0] (cut to out_size) */
	size_t out_len; /* (out) that length */
	uint32_t gen; /* (out) the connection's generation */
	ipc_msg_t ans; /* (out) */
} path_req_t;

static errno_t path_measure(const char *path, size_t *len)
{
	errno_t rc = uptr_str_measure(path, VFS_PATH_MAX, len);
	return rc == EOK && *len == 0 ? ENOENT : rc;
}

/* Copy the answer's bytes out of @a buf (the lock held). */
static errno_t path_answer_take(path_req_t *r, const uint8_t *buf)
{
	size_t n = r->out_size;
	if (r->out_sized) {
		if (r->ans.arg[0] > VFS_BUF_SIZE)
			return EIO;
		r->out_len = (size_t) r->ans.arg[0];
		n = r->out_len < n ? r->out_len : n;
	}
	memcpy(r->out, buf, n);
	return EOK;
}

static errno_t path_request(path_req_t *r)
{
	size_t len[2] = { 0, 0 }, npaths = r->npaths;
	uint64_t w[4] = { 0, 0, 0, 0 };
	uint8_t *buf;
	errno_t rc = EOK;
	for (size_t i = 0; i < npaths && rc == EOK; i++)
		rc = path_measure(r->path[i], &len[i]);
	if (rc != EOK)
		return rc;
	for (size_t i = 0; i < npaths; i++)
		w[i] = len[i];
	w[npaths] = r->x[0];
	w[npaths + 1] = r->x[1];
	rc = vfsconn_begin(&buf, &r->gen);
	if (rc != EOK)
		return rc;
	if (npaths > 0)
		memcpy(buf, r->path[0], len[0]);
	if (npaths > 1)
		memcpy(buf + len[0], r->path[1], len[1]);
	rc = vfsconn_call(r->method, w[0], w[1], w[2], &r->ans);
	if (rc == EOK && r->out)
		rc = path_answer_take(r, buf);
	vfsconn_end();
	return rc;
}

/* A request of @a method on @a npaths paths with no answer bytes. */
static int path_simple(
    uint64_t method, unsigned npaths, const char *p1, const char *p2, uint64_t x0)
{
	path_req_t r = { .method = method, .npaths = npaths, .path = { p1, p2 }, .x = { x0, 0 } };
	return file_result(path_request(&r));
}

static errno_t path_open(const char *path, int flags, mode_t mode, int *fd)
{
	path_req_t r = { .method = VFS_OPEN,
		.npaths = 1,
		.path = { path, NULL },
		.x = { (uint64_t) (unsigned) flags, mode & VFS_S_PERM } };
	errno_t rc = path_request(&r);
	if (rc == EOK)
		rc = fd_vfs_install(r.ans.arg[0], r.gen, fd);
	return rc;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	errno_t rc = path_open(path, flags, mode, &fd);
	return rc == EOK ? fd : file_result(rc);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

static int path_stat(const char *path, struct stat *st, uint64_t follow)
{
	vfs_stat_t v;
	path_req_t r = { .method = VFS_STAT,
		.npaths = 1,
		.path = { path, NULL },
		.x = { follow, 0 },
		.out = &v,
		.out_size = sizeof(v) };
	errno_t rc = uptr_range_check(st, sizeof(*st), AS_AREA_WRITE);
	if (rc == EOK)
		rc = path_request(&r);
	if (rc == EOK)
		file_stat_convert(st, &v);
	return file_result(rc);
}

int stat(const char *path, struct stat *st)
{
	return path_stat(path, st, 1);
}

int lstat(const char *path, struct stat *st)
{
	return path_stat(path, st, 0);
}

int mkdir(const char *path, mode_t mode)
{
	return path_simple(VFS_MKDIR, 1, path, NULL, mode & VFS_S_PERM);
}

int rmdir(const char *path)
{
	return path_simple(VFS_RMDIR, 1, path, NULL, 0);
}

int unlink(const char *path)
{
	return path_simple(VFS_UNLINK, 1, path, NULL, 0);
}

int rename(const char *oldpath, const char *newpath)
{
	return path_simple(VFS_RENAME, 2, oldpath, newpath, 0);
}

int link(const char *oldpath, const char *newpath)
{
	return path_simple(VFS_LINK, 2, oldpath, newpath, 0);
}

int symlink(const char *target, const char *linkpath)
{
	return path_simple(VFS_SYMLINK, 2, target, linkpath, 0);
}

int chdir(const char *path)
{
	return path_simple(VFS_CHDIR, 1, path, NULL, 0);
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
	path_req_t r = { .method = VFS_READLINK,
		.npaths = 1,
		.path = { path, NULL },
		.out = buf,
		.out_size = size,
		.out_sized = true };
	errno_t rc = uptr_range_check(buf, size, AS_AREA_WRITE);
	if (rc == EOK)
		rc = path_request(&r);
	if (rc != EOK)
		return file_result(rc);
	return (ssize_t) (r.out_len < size ? r.out_len : size);
}

char *getcwd(char *buf, size_t size)
{
	char tmp[VFS_PATH_MAX + 1];
	path_req_t r = {
		.method = VFS_GETCWD, .out = tmp, .out_size = VFS_PATH_MAX, .out_sized = true
	};
	errno_t rc = path_request(&r);
	if (rc == EOK && r.out_len > VFS_PATH_MAX)
		rc = EIO;
	if (rc == EOK && buf && r.out_len + 1 > size)
		rc = ERANGE;
	if (rc == EOK && buf)
		rc = uptr_range_check(buf, r.out_len + 1, AS_AREA_WRITE);
	if (rc == EOK && !buf && !(buf = malloc(r.out_len + 1)))
		rc = ENOMEM;
	if (rc != EOK) {
		errno = rc;
		return NULL;
	}
	memcpy(buf, tmp, r.out_len);
	buf[r.out_len] = '\0';
	return buf;
}

int statvfs(const char *path, struct statvfs *st)
{
	vfs_statfs_t v;
	path_req_t r = { .method = VFS_STATFS,
		.npaths = 1,
		.path = { path, NULL },
		.out = &v,
		.out_size = sizeof(v) };
	errno_t rc = uptr_range_check(st, sizeof(*st), AS_AREA_WRITE);
	if (rc == EOK)
		rc = path_request(&r);
	if (rc != EOK)
		return file_result(rc);
	*st = (struct statvfs){ .f_bsize = v.block_size,
		.f_frsize = v.block_size,
		.f_blocks = v.blocks,
		.f_bfree = v.free_blocks,
		.f_bavail = v.free_blocks,
		.f_files = v.files,
		.f_ffree = v.free_files,
		.f_favail = v.free_files,
		.f_fsid = v.dev,
		.f_flag = (v.flags & VFS_STATFS_RDONLY) ? ST_RDONLY : 0,
		.f_namemax = VFS_NAME_MAX };
	memcpy(st->f_basetype, v.fs_type, sizeof(st->f_basetype));
	st->f_basetype[sizeof(st->f_basetype) - 1] = '\0';
	return 0;
}

void sync(void)
{
	path_req_t r = { .method = VFS_SYNC };
	(void) path_request(&r);
}

int umount_all(void)
{
	path_req_t r = { .method = VFS_SHUTDOWN };
	return file_result(path_request(&r));
}
