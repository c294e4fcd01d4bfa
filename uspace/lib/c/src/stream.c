/*
 * Stream buffering (stream.h): reading ahead, writing behind, and the
 * switch between the two, over the descriptor calls of fdio.h.  The
 * caller holds s->lock throughout.
 */
#include "stream.h"
#include "fdio.h"
#include <abi/vfs.h>
#include <mem.h>

void stream_init(stream_t *s, int fd, unsigned flags, unsigned char *buf, size_t cap)
{
	lock_t lock = LOCK_INITIALIZER;
	memset(s, 0, sizeof(*s));
	s->lock = lock;
	s->fd = fd;
	s->flags = flags;
	s->buf = cap ? buf : NULL;
	s->cap = s->buf ? cap : 0;
	s->size = s->cap;
}

static void stream_fail(stream_t *s, errno_t rc)
{
	s->flags |= STREAM_ERR;
	s->err = rc;
}

/* STREAM_AUTO: line buffering on the console, full buffering else. */
static void stream_setup(stream_t *s)
{
	if (!(s->flags & STREAM_AUTO))
		return;
	s->flags &= ~STREAM_AUTO;
	s->size = s->cap;
	if (fd_is_console(s->fd)) {
		s->flags |= STREAM_LINE;
		if (s->size > STREAM_CONSOLE_BUF)
			s->size = STREAM_CONSOLE_BUF;
	}
}

/* Write all of [p, p + n) to the descriptor. */
static errno_t stream_put_all(stream_t *s, const unsigned char *p, size_t n, size_t *done)
{
	errno_t rc = EOK;
	size_t off = 0;
	while (off < n) {
		size_t k = 0;
		rc = fd_write(s->fd, p + off, n - off, &k);
		if (rc == EOK && k == 0)
			rc = EIO;
		if (rc != EOK)
			break;
		off += k;
	}
	if (done)
		*done = off;
	return rc;
}

/* Write out buf[0, wlen); on an error what is left is dropped. */
static errno_t stream_drain(stream_t *s)
{
	errno_t rc = stream_put_all(s, s->buf, s->wlen, NULL);
	s->wlen = 0;
	if (rc != EOK)
		stream_fail(s, rc);
	return rc;
}

/* Drop the bytes read ahead, giving them back to the descriptor. */
static void stream_unread(stream_t *s)
{
	size_t ahead = s->rend - s->rpos;
	uint64_t pos;
	if (ahead > 0)
		(void) fd_seek(s->fd, -(int64_t) ahead, VFS_SEEK_CUR, &pos);
	s->rpos = s->rend = 0;
}

errno_t stream_flush(stream_t *s)
{
	errno_t rc = EOK;
	if (s->flags & STREAM_WRITING)
		rc = stream_drain(s);
	if (s->flags & STREAM_READING)
		stream_unread(s);
	s->flags &= ~(STREAM_READING | STREAM_WRITING);
	return rc;
}

static bool stream_to_writing(stream_t *s)
{
	stream_setup(s);
	if (!(s->flags & STREAM_WRITE)) {
		stream_fail(s, EBADF);
		return false;
	}
	if (s->flags & STREAM_READING)
		stream_flush(s);
	s->flags |= STREAM_WRITING;
	return true;
}

static bool stream_to_reading(stream_t *s)
{
	stream_setup(s);
	if (!(s->flags & STREAM_READ)) {
		stream_fail(s, EBADF);
		return false;
	}
	if ((s->flags & STREAM_WRITING) && stream_flush(s) != EOK)
		return false;
	s->flags |= STREAM_READING;
	return true;
}

static bool stream_has_newline(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			return true;
	}
	return false;
}

size_t stream_write(stream_t *s, const void *p, size_t n)
{
	const unsigned char *src = p;
	size_t done = 0;
	if (n == 0 || !stream_to_writing(s))
		return 0;
	while (done < n) {
		if (s->wlen == 0 && n - done >= s->size) {
			size_t k;
			errno_t rc = stream_put_all(s, src + done, n - done, &k);
			done += k;
			if (rc != EOK)
				stream_fail(s, rc);
			return done;
		}
		size_t k = s->size - s->wlen < n - done ? s->size - s->wlen : n - done;
		memcpy(s->buf + s->wlen, src + done, k);
		s->wlen += k;
		done += k;
		if (s->wlen == s->size && stream_drain(s) != EOK)
			return done - k;
	}
	if ((s->flags & STREAM_LINE) && stream_has_newline(src, n) && stream_drain(s) != EOK)
		return 0;
	return done;
}

int stream_putc(stream_t *s, int c)
{
	unsigned char b = (unsigned char) c;
	if (!(s->flags & STREAM_WRITING) || s->size == 0)
		return stream_write(s, &b, 1) == 1 ? b : -1;
	s->buf[s->wlen++] = b;
	if ((s->wlen == s->size || ((s->flags & STREAM_LINE) && b == '\n')) &&
	    stream_drain(s) != EOK)
		return -1;
	return b;
}

/* Read into [p, p + n) from the descriptor once: false at the end of the
 * file or on an error (the indicator set). */
static bool stream_get_some(stream_t *s, unsigned char *p, size_t n, size_t *got)
{
	errno_t rc = fd_read(s->fd, p, n, got);
	if (rc != EOK) {
		stream_fail(s, rc);
		return false;
	}
	if (*got == 0) {
		s->flags |= STREAM_EOF;
		return false;
	}
	return true;
}

size_t stream_read(stream_t *s, void *p, size_t n)
{
	unsigned char *dst = p;
	size_t done = 0, got;
	if (n == 0 || !stream_to_reading(s))
		return 0;
	while (done < n) {
		if (s->rpos < s->rend) {
			size_t k = s->rend - s->rpos < n - done ? s->rend - s->rpos : n - done;
			memcpy(dst + done, s->buf + s->rpos, k);
			s->rpos += k;
			done += k;
		} else if (s->flags & STREAM_EOF) {
			break;
		} else if (n - done >= s->size) {
			if (!stream_get_some(s, dst + done, n - done, &got))
				break;
			done += got;
		} else {
			if (!stream_get_some(s, s->buf, s->size, &got))
				break;
			s->rpos = 0;
			s->rend = got;
		}
	}
	return done;
}

int stream_getc(stream_t *s)
{
	unsigned char b;
	if ((s->flags & STREAM_READING) && s->rpos < s->rend)
		return s->buf[s->rpos++];
	return stream_read(s, &b, 1) == 1 ? b : -1;
}

bool stream_gets(stream_t *s, char *out, int size)
{
	int n = 0;
	if (size <= 0)
		return false;
	while (n < size - 1) {
		int c = stream_getc(s);
		if (c < 0)
			break;
		out[n++] = (char) c;
		if (c == '\n')
			break;
	}
	out[n] = '\0';
	return n > 0;
}

bool stream_ungetc(stream_t *s, int c)
{
	if (c < 0 || !stream_to_reading(s) || s->size == 0)
		return false;
	if (s->rpos == s->rend)
		s->rpos = s->rend = s->size;
	if (s->rpos == 0)
		return false;
	s->buf[--s->rpos] = (unsigned char) c;
	s->flags &= ~STREAM_EOF;
	return true;
}

errno_t stream_seek(stream_t *s, int64_t off, int whence)
{
	uint64_t pos;
	stream_setup(s);
	if (whence == VFS_SEEK_CUR && (s->flags & STREAM_READING))
		off -= (int64_t) (s->rend - s->rpos);
	s->rpos = s->rend = 0;
	s->flags &= ~STREAM_READING;
	errno_t rc = stream_flush(s);
	if (rc == EOK)
		rc = fd_seek(s->fd, off, whence, &pos);
	if (rc == EOK)
		s->flags &= ~STREAM_EOF;
	return rc;
}

errno_t stream_tell(stream_t *s, int64_t *pos)
{
	uint64_t at;
	stream_setup(s);
	if ((s->flags & STREAM_WRITING) && stream_drain(s) != EOK)
		return s->err;
	errno_t rc = fd_seek(s->fd, 0, VFS_SEEK_CUR, &at);
	if (rc != EOK)
		return rc;
	if (s->flags & STREAM_READING)
		at -= s->rend - s->rpos;
	*pos = (int64_t) at;
	return EOK;
}

errno_t stream_buffer_set(stream_t *s, unsigned char *buf, size_t cap, bool line)
{
	errno_t rc = stream_flush(s);
	s->flags &= ~(STREAM_AUTO | STREAM_LINE | STREAM_OWNBUF);
	if (line)
		s->flags |= STREAM_LINE;
	s->buf = cap ? buf : NULL;
	s->cap = s->size = s->buf ? cap : 0;
	return rc;
}

errno_t stream_mode_parse(const char *mode, unsigned *oflags, unsigned *sflags)
{
	static const struct {
		char c;
		unsigned oflags, sflags;
	} kinds[] = {
		{ 'r', VFS_O_RDONLY, STREAM_READ },
		{ 'w', VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, STREAM_WRITE },
		{ 'a', VFS_O_WRONLY | VFS_O_CREAT | VFS_O_APPEND, STREAM_WRITE },
	};
	size_t k = 0;
	while (k < sizeof(kinds) / sizeof(kinds[0]) && kinds[k].c != mode[0])
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return EINVAL;
	*oflags = kinds[k].oflags;
	*sflags = kinds[k].sflags;
	for (const char *m = mode + 1; *m; m++) {
		if (*m == '+') {
			*oflags = (*oflags & ~VFS_O_ACCMODE) | VFS_O_RDWR;
			*sflags = STREAM_READ | STREAM_WRITE;
		} else if (*m == 'x' && mode[0] == 'w') {
			*oflags |= VFS_O_EXCL;
		} else if (*m != 'b') {
			return EINVAL;
		}
	}
	return EOK;
}
