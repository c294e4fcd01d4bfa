/*
 * Descriptors (unistd.h, fdio.h): read, write, pread, pwrite, lseek,
 * close, ftruncate, fsync, fstat, dup, dup2, isatty.  The table (fdtab.h)
 * says what a descriptor is: the console, or a VFS descriptor (then the
 * call is a VFS request through the shared buffer, vfsconn.c).  Reads and
 * writes move at most VFS_BUF_SIZE bytes per request and loop; the user's
 * buffer is checked against the task's areas first (uptr.c).
 */
#include "file_priv.h"
#include <abi/vfs.h>
#include <as.h>
#include <console.h>
#include <errno.h>
#include <string.h>
#include <sys.h>
#include <sys/stat.h>
#include <unistd.h>

/* One console write at most (the kernel's bound is 64 KiB). */
#define FD_CONSOLE_WRITE_MAX (64 * 1024)

fdtab_t fd_table = { .lock = LOCK_INITIALIZER, .e = { [0 ... 2] = { .kind = FD_CONSOLE } } };

int file_result(errno_t rc)
{
	if (rc == EOK)
		return 0;
	errno = rc;
	return -1;
}

errno_t fd_vfs_begin(int fd, errno_t console_rc, uint64_t *vfd, uint8_t **buf)
{
	fd_entry_t e;
	uint32_t gen;
	errno_t rc = fdtab_get(&fd_table, fd, &e);
	if (rc != EOK)
		return rc;
	if (e.kind == FD_CONSOLE)
		return console_rc;
	rc = vfsconn_begin(buf, &gen);
	if (rc != EOK)
		return rc;
	if (gen != e.gen) {
		vfsconn_end();
		return EIO;
	}
	*vfd = e.vfd;
	return EOK;
}

/* A request on @a fd with no data: *ans the answer. */
static errno_t fd_vfs_simple(
    int fd, errno_t console_rc, uint64_t method, uint64_t a1, uint64_t a2, ipc_msg_t *ans)
{
	uint64_t vfd;
	uint8_t *buf;
	errno_t rc = fd_vfs_begin(fd, console_rc, &vfd, &buf);
	if (rc != EOK)
		return rc;
	rc = vfsconn_call(method, vfd, a1, a2, ans);
	vfsconn_end();
	return rc;
}

/* Close the VFS's @a vfd if connection @a gen is still the one. */
static errno_t fd_vfs_close(uint64_t vfd, uint32_t gen)
{
	uint8_t *buf;
	uint32_t now;
	ipc_msg_t ans;
	errno_t rc = vfsconn_begin(&buf, &now);
	if (rc != EOK)
		return rc;
	rc = now == gen ? vfsconn_call(VFS_CLOSE, vfd, 0, 0, &ans) : EOK;
	vfsconn_end();
	return rc;
}

errno_t fd_vfs_install(uint64_t vfd, uint32_t gen, int *fd)
{
	fd_entry_t e = { .kind = FD_VFS, .gen = gen, .vfd = vfd };
	errno_t rc = fdtab_alloc(&fd_table, &e, fd);
	if (rc != EOK)
		fd_vfs_close(vfd, gen);
	return rc;
}

void fd_adopted(unsigned mask, uint32_t gen)
{
	fd_entry_t e = { .kind = FD_VFS, .gen = gen }, old;
	for (int fd = 0; fd < 3; fd++) {
		e.vfd = (uint64_t) fd;
		if (mask & (1u << fd))
			fdtab_replace(&fd_table, fd, &e, &old);
	}
}

/* One request of a read or write of @a n bytes (at most VFS_BUF_SIZE):
 * @a method VFS_READ/WRITE (offset ignored) or VFS_PREAD/PWRITE.  A
 * write that filled the volume part way is ENOSPC with a count. */
static errno_t fd_vfs_piece(
    int fd, uint64_t method, uint8_t *data, size_t n, uint64_t off, size_t *moved)
{
	bool wr = method == VFS_WRITE || method == VFS_PWRITE;
	uint64_t vfd;
	uint8_t *buf;
	ipc_msg_t ans;
	*moved = 0;
	errno_t rc = fd_vfs_begin(fd, EBADF, &vfd, &buf);
	if (rc != EOK)
		return rc;
	if (wr)
		memcpy(buf, data, n);
	rc = vfsconn_call(method, vfd, n, off, &ans);
	if ((rc == EOK || (wr && rc == ENOSPC)) && ans.arg[0] > n)
		rc = EIO;
	else if (rc == EOK || (wr && rc == ENOSPC))
		*moved = (size_t) ans.arg[0];
	if (rc == EOK && !wr)
		memcpy(data, buf, *moved);
	vfsconn_end();
	return rc;
}

/* A whole read or write in pieces: stops at a short piece; the bytes
 * moved before an error count as success. */
static errno_t fd_vfs_move(
    int fd, uint64_t method, uint8_t *data, size_t n, uint64_t off, size_t *done)
{
	size_t total = 0;
	errno_t rc = EOK;
	while (total < n) {
		size_t chunk = n - total < VFS_BUF_SIZE ? n - total : VFS_BUF_SIZE, k;
		rc = fd_vfs_piece(fd, method, data + total, chunk, off + total, &k);
		total += k;
		if (rc != EOK || k < chunk)
			break;
	}
	*done = total;
	return total > 0 ? EOK : rc;
}

static errno_t fd_console_write(const void *buf, size_t n)
{
	errno_t rc = EOK;
	for (size_t off = 0; rc == EOK && off < n; off += FD_CONSOLE_WRITE_MAX) {
		size_t k = n - off < FD_CONSOLE_WRITE_MAX ? n - off : FD_CONSOLE_WRITE_MAX;
		rc = kconsole_write((const char *) buf + off, k);
	}
	return rc;
}

errno_t fd_read(int fd, void *buf, size_t n, size_t *got)
{
	fd_entry_t e;
	*got = 0;
	errno_t rc = fdtab_get(&fd_table, fd, &e);
	if (rc != EOK || n == 0)
		return rc;
	if (e.kind == FD_CONSOLE)
		return console_read_mode(buf, n, CONSOLE_MODE_LINE, 0, got);
	return fd_vfs_move(fd, VFS_READ, buf, n, 0, got);
}

errno_t fd_write(int fd, const void *buf, size_t n, size_t *done)
{
	fd_entry_t e;
	*done = 0;
	errno_t rc = fdtab_get(&fd_table, fd, &e);
	if (rc != EOK || n == 0)
		return rc;
	if (e.kind == FD_CONSOLE) {
		rc = fd_console_write(buf, n);
		*done = rc == EOK ? n : 0;
		return rc;
	}
	return fd_vfs_move(fd, VFS_WRITE, (uint8_t *) buf, n, 0, done);
}

errno_t fd_seek(int fd, int64_t off, int whence, uint64_t *pos)
{
	ipc_msg_t ans;
	errno_t rc = fd_vfs_simple(fd, ESPIPE, VFS_SEEK, (uint64_t) off, (uint64_t) whence, &ans);
	if (rc == EOK)
		*pos = ans.arg[0];
	return rc;
}

errno_t fd_close(int fd)
{
	fd_entry_t old;
	errno_t rc = fdtab_take(&fd_table, fd, &old);
	if (rc == EOK && old.kind == FD_VFS)
		rc = fd_vfs_close(old.vfd, old.gen);
	return rc;
}

bool fd_is_console(int fd)
{
	fd_entry_t e;
	return fdtab_get(&fd_table, fd, &e) == EOK && e.kind == FD_CONSOLE;
}

ssize_t read(int fd, void *buf, size_t count)
{
	size_t got;
	errno_t rc = uptr_range_check(buf, count, AS_AREA_WRITE);
	if (rc == EOK)
		rc = fd_read(fd, buf, count, &got);
	return rc == EOK ? (ssize_t) got : file_result(rc);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	size_t done;
	errno_t rc = uptr_range_check(buf, count, AS_AREA_READ);
	if (rc == EOK)
		rc = fd_write(fd, buf, count, &done);
	return rc == EOK ? (ssize_t) done : file_result(rc);
}

/* pread and pwrite: the same checks, then the VFS request. */
static ssize_t fd_positioned(int fd, uint64_t method, void *buf, size_t n, off_t off)
{
	fd_entry_t e;
	size_t done = 0;
	unsigned rights = method == VFS_PREAD ? AS_AREA_WRITE : AS_AREA_READ;
	errno_t rc = off < 0 ? EINVAL : uptr_range_check(buf, n, rights);
	if (rc == EOK)
		rc = fdtab_get(&fd_table, fd, &e);
	if (rc == EOK && e.kind == FD_CONSOLE)
		rc = ESPIPE;
	if (rc == EOK)
		rc = fd_vfs_move(fd, method, buf, n, (uint64_t) off, &done);
	return rc == EOK ? (ssize_t) done : file_result(rc);
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
	return fd_positioned(fd, VFS_PREAD, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return fd_positioned(fd, VFS_PWRITE, (void *) buf, count, offset);
}

off_t lseek(int fd, off_t offset, int whence)
{
	uint64_t pos;
	errno_t rc = fd_seek(fd, offset, whence, &pos);
	if (rc == EOK && pos > (uint64_t) INT64_MAX)
		rc = EOVERFLOW;
	return rc == EOK ? (off_t) pos : file_result(rc);
}

int close(int fd)
{
	return file_result(fd_close(fd));
}

int ftruncate(int fd, off_t length)
{
	ipc_msg_t ans;
	if (length < 0)
		return file_result(EINVAL);
	return file_result(fd_vfs_simple(fd, EINVAL, VFS_TRUNCATE, (uint64_t) length, 0, &ans));
}

errno_t fd_mmap_grant(int fd, unsigned rights, bool shared, uint64_t *grant, unsigned *max)
{
	ipc_msg_t ans;
	errno_t rc = fd_vfs_simple(
	    fd, ENOTSUP, VFS_MMAP, rights, shared ? VFS_MMAP_SHARED : 0, &ans);
	if (rc == EOK) {
		*grant = ans.arg[0];
		*max = (unsigned) ans.arg[1];
	}
	return rc;
}

int fsync(int fd)
{
	ipc_msg_t ans;
	return file_result(fd_vfs_simple(fd, EINVAL, VFS_FSYNC, 0, 0, &ans));
}

void file_stat_convert(struct stat *st, const void *vfs_stat)
{
	vfs_stat_t v;
	memcpy(&v, vfs_stat, sizeof(v));
	*st = (struct stat){ .st_dev = v.dev,
		.st_ino = v.ino,
		.st_mode = v.mode,
		.st_nlink = v.nlink,
		.st_uid = v.uid,
		.st_gid = v.gid,
		.st_size = (off_t) v.size,
		.st_blksize = v.blksize,
		.st_blocks = (blkcnt_t) v.blocks,
		.st_atime = v.atime,
		.st_mtime = v.mtime,
		.st_ctime = v.ctime,
		.st_gen = v.gen };
}

int fstat(int fd, struct stat *st)
{
	fd_entry_t e;
	uint64_t vfd;
	uint8_t *buf;
	ipc_msg_t ans;
	errno_t rc = uptr_range_check(st, sizeof(*st), AS_AREA_WRITE);
	if (rc == EOK)
		rc = fdtab_get(&fd_table, fd, &e);
	if (rc == EOK && e.kind == FD_CONSOLE) {
		*st = (struct stat){ .st_mode = S_IFCHR | 0620, .st_nlink = 1 };
		return 0;
	}
	if (rc == EOK)
		rc = fd_vfs_begin(fd, EBADF, &vfd, &buf);
	if (rc != EOK)
		return file_result(rc);
	rc = vfsconn_call(VFS_FSTAT, vfd, 0, 0, &ans);
	if (rc == EOK)
		file_stat_convert(st, buf);
	vfsconn_end();
	return file_result(rc);
}

/* A second entry for what @a e is: the console again, or a VFS_DUP. */
static errno_t fd_entry_dup(int fd, const fd_entry_t *e, fd_entry_t *out)
{
	uint64_t vfd;
	uint8_t *buf;
	ipc_msg_t ans;
	*out = *e;
	if (e->kind == FD_CONSOLE)
		return EOK;
	errno_t rc = fd_vfs_begin(fd, EBADF, &vfd, &buf);
	if (rc != EOK)
		return rc;
	rc = vfsconn_call(VFS_DUP, vfd, 0, 0, &ans);
	vfsconn_end();
	out->vfd = ans.arg[0];
	return rc;
}

int dup(int fd)
{
	fd_entry_t e, copy;
	int nfd = -1;
	errno_t rc = fdtab_get(&fd_table, fd, &e);
	if (rc == EOK)
		rc = fd_entry_dup(fd, &e, &copy);
	if (rc == EOK && copy.kind == FD_VFS)
		rc = fd_vfs_install(copy.vfd, copy.gen, &nfd);
	else if (rc == EOK)
		rc = fdtab_alloc(&fd_table, &copy, &nfd);
	return rc == EOK ? nfd : file_result(rc);
}

int dup2(int fd, int newfd)
{
	fd_entry_t e, copy, old;
	errno_t rc = fdtab_get(&fd_table, fd, &e);
	if (rc == EOK && (newfd < 0 || newfd >= FDTAB_SIZE))
		rc = EBADF;
	if (rc != EOK || fd == newfd)
		return rc == EOK ? newfd : file_result(rc);
	rc = fd_entry_dup(fd, &e, &copy);
	if (rc == EOK)
		rc = fdtab_replace(&fd_table, newfd, &copy, &old);
	if (rc == EOK && old.kind == FD_VFS)
		(void) fd_vfs_close(old.vfd, old.gen);
	return rc == EOK ? newfd : file_result(rc);
}

int isatty(int fd)
{
	fd_entry_t e;
	errno_t rc = fdtab_get(&fd_table, fd, &e);
	if (rc == EOK && e.kind == FD_CONSOLE)
		return 1;
	errno = rc == EOK ? ENOTSUP : rc;
	return 0;
}
