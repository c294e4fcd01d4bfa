/*
 * Directory streams (dirent.h).  A DIR has the directory's descriptor
 * and a copy of the last VFS_READDIR batch (its buffer grows to the
 * largest batch: the protocol lets the VFS fill up to VFS_BUF_SIZE), from
 * which readdir() hands out one checked record at a time (dirbuf.c).  The
 * directory's position is its descriptor's offset in the VFS, so
 * rewinddir() is a seek to 0.  A DIR is not locked: one thread uses it at
 * a time, as POSIX says.
 */
#include "dirbuf.h"
#include "file_priv.h"
#include <abi/vfs.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dir_stream {
	int fd;
	uint8_t *batch;
	size_t cap; /* bytes at batch */
	size_t len; /* bytes of the batch */
	size_t pos; /* the next record */
	bool end; /* the VFS said there is no more */
	struct dirent ent;
};

DIR *fdopendir(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	DIR *d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* Room for @a n bytes of batch. */
static errno_t dir_batch_room(DIR *d, size_t n)
{
	if (n <= d->cap)
		return EOK;
	uint8_t *b = malloc(n);
	if (!b)
		return ENOMEM;
	free(d->batch);
	d->batch = b;
	d->cap = n;
	return EOK;
}

/* The next batch from the VFS: d->len 0 at the end. */
static errno_t dir_batch_fetch(DIR *d)
{
	uint64_t vfd;
	uint8_t *buf;
	ipc_msg_t ans;
	errno_t rc = fd_vfs_begin(d->fd, ENOTDIR, &vfd, &buf);
	if (rc != EOK)
		return rc;
	rc = vfsconn_call(VFS_READDIR, vfd, 0, 0, &ans);
	if (rc == EOK && (ans.arg[1] > VFS_BUF_SIZE || (ans.arg[0] == 0) != (ans.arg[1] == 0)))
		rc = EIO;
	if (rc == EOK)
		rc = dir_batch_room(d, (size_t) ans.arg[1]);
	if (rc == EOK) {
		memcpy(d->batch, buf, (size_t) ans.arg[1]);
		d->len = (size_t) ans.arg[1];
		d->pos = 0;
		d->end = d->len == 0;
	}
	vfsconn_end();
	return rc;
}

struct dirent *readdir(DIR *d)
{
	dirbuf_entry_t e;
	errno_t rc = EOK;
	if (d->pos >= d->len && !d->end)
		rc = dir_batch_fetch(d);
	if (rc == EOK && d->pos >= d->len)
		return NULL;
	if (rc == EOK)
		rc = dirbuf_next(d->batch, d->len, &d->pos, &e);
	if (rc != EOK) {
		errno = rc;
		return NULL;
	}
	d->ent.d_ino = e.ino;
	d->ent.d_type = e.type;
	memcpy(d->ent.d_name, e.name, (size_t) e.name_len + 1);
	return &d->ent;
}

void rewinddir(DIR *d)
{
	(void) lseek(d->fd, 0, SEEK_SET);
	d->len = d->pos = 0;
	d->end = false;
}

int closedir(DIR *d)
{
	int r = close(d->fd);
	free(d->batch);
	free(d);
	return r;
}

int dirfd(DIR *d)
{
	return d->fd;
}
