/*
 * stdio: FILE streams (stream.c has the buffering) over descriptors, the
 * three standard streams, and the printf family.  The formatting is
 * common/'s printf_core(), the same source the kernel compiles, so kernel
 * and user output behave alike.
 *
 * The standard streams have static buffers (a task on wired memory, a
 * pager, prints without a heap).  stdio_lock protects the list of open
 * streams (stdio_streams); it is taken before a stream's lock, never
 * after one.
 */
#include "file_priv.h"
#include "libc_priv.h"
#include "stream.h"
#include <errno.h>
#include <fcntl.h>
#include <lib/printf_core.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STDIO_FILE_MODE 0666

static unsigned char stdin_buf[BUFSIZ], stdout_buf[BUFSIZ], stderr_buf[STREAM_CONSOLE_BUF];

static FILE stdio_std[3] = {
	STREAM_INITIALIZER(0, STREAM_READ | STREAM_AUTO | STREAM_STATIC, stdin_buf, BUFSIZ),
	STREAM_INITIALIZER(1, STREAM_WRITE | STREAM_AUTO | STREAM_STATIC, stdout_buf, BUFSIZ),
	STREAM_INITIALIZER(
	    2, STREAM_WRITE | STREAM_LINE | STREAM_STATIC, stderr_buf, STREAM_CONSOLE_BUF),
};

FILE *stdin = &stdio_std[0];
FILE *stdout = &stdio_std[1];
FILE *stderr = &stdio_std[2];

static lock_t stdio_lock = LOCK_INITIALIZER;
static FILE *stdio_streams; /* fopen()'s streams (the standard ones are always there) */

/* errno from the stream's error, and EOF. */
static int stdio_fail(FILE *f)
{
	errno = f->err ? f->err : EIO;
	return EOF;
}

/* Reading from the console shows what stdout has waiting first (a
 * prompt). */
static void stdio_read_prepare(FILE *f)
{
	if (f != stdout && fd_is_console(f->fd))
		fflush(stdout);
}

static void stdio_list_add(FILE *f)
{
	lock_acquire(&stdio_lock);
	f->next = stdio_streams;
	stdio_streams = f;
	lock_release(&stdio_lock);
}

static void stdio_list_remove(FILE *f)
{
	lock_acquire(&stdio_lock);
	FILE **link = &stdio_streams;
	while (*link && *link != f)
		link = &(*link)->next;
	if (*link)
		*link = f->next;
	lock_release(&stdio_lock);
}

/* A stream over @a fd with a BUFSIZ buffer of its own. */
static FILE *stdio_stream_new(int fd, unsigned sflags)
{
	FILE *f = malloc(sizeof(*f));
	unsigned char *buf = malloc(BUFSIZ);
	if (!f || !buf) {
		free(f);
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	stream_init(f, fd, sflags | STREAM_OWNBUF, buf, BUFSIZ);
	stdio_list_add(f);
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	unsigned oflags, sflags;
	errno_t rc = stream_mode_parse(mode, &oflags, &sflags);
	if (rc != EOK) {
		errno = rc;
		return NULL;
	}
	int fd = open(path, (int) oflags, STDIO_FILE_MODE);
	if (fd < 0)
		return NULL;
	FILE *f = stdio_stream_new(fd, sflags);
	if (!f)
		close(fd);
	return f;
}

FILE *fdopen(int fd, const char *mode)
{
	unsigned oflags, sflags;
	struct stat st;
	errno_t rc = stream_mode_parse(mode, &oflags, &sflags);
	if (rc != EOK) {
		errno = rc;
		return NULL;
	}
	if (fstat(fd, &st) != 0)
		return NULL;
	return stdio_stream_new(fd, sflags);
}

int fclose(FILE *f)
{
	lock_acquire(&f->lock);
	errno_t rc = stream_flush(f);
	errno_t crc = fd_close(f->fd);
	f->flags &= ~(STREAM_READ | STREAM_WRITE);
	lock_release(&f->lock);
	if (!(f->flags & STREAM_STATIC)) {
		stdio_list_remove(f);
		if (f->flags & STREAM_OWNBUF)
			free(f->buf);
		free(f);
	}
	if (rc == EOK)
		rc = crc;
	return rc == EOK ? 0 : (errno = rc, EOF);
}

/* Flush @a f; with @a output_only only if it is writing (fflush(NULL)
 * leaves what input streams have read ahead alone). */
static int stdio_flush_one(FILE *f, bool output_only)
{
	errno_t rc = EOK;
	lock_acquire(&f->lock);
	if (!output_only || (f->flags & STREAM_WRITING))
		rc = stream_flush(f);
	lock_release(&f->lock);
	return rc == EOK ? 0 : (errno = rc, EOF);
}

int fflush(FILE *f)
{
	int result = 0;
	if (f)
		return stdio_flush_one(f, false);
	for (int i = 0; i < 3; i++)
		result |= stdio_flush_one(&stdio_std[i], true);
	lock_acquire(&stdio_lock);
	for (FILE *s = stdio_streams; s; s = s->next)
		result |= stdio_flush_one(s, true);
	lock_release(&stdio_lock);
	return result ? EOF : 0;
}

void stdout_flush(void)
{
	fflush(stdout);
}

/* At exit: flush what can be flushed without waiting for another
 * thread (one may hold a stream mid-line; then its rest is dropped). */
static void stdio_flush_try(FILE *f)
{
	if (!lock_try_acquire(&f->lock))
		return;
	if (f->flags & STREAM_WRITING)
		stream_flush(f);
	lock_release(&f->lock);
}

void stdout_flush_exit(void)
{
	for (int i = 1; i < 3; i++)
		stdio_flush_try(&stdio_std[i]);
	if (!lock_try_acquire(&stdio_lock))
		return;
	for (FILE *s = stdio_streams; s; s = s->next)
		stdio_flush_try(s);
	lock_release(&stdio_lock);
}

size_t fread(void *ptr, size_t size, size_t n, FILE *f)
{
	size_t bytes;
	if (size == 0 || n == 0)
		return 0;
	if (__builtin_mul_overflow(size, n, &bytes)) {
		errno = EOVERFLOW;
		return 0;
	}
	stdio_read_prepare(f);
	lock_acquire(&f->lock);
	size_t got = stream_read(f, ptr, bytes);
	if (got < bytes && (f->flags & STREAM_ERR))
		stdio_fail(f);
	lock_release(&f->lock);
	return got / size;
}

size_t fwrite(const void *ptr, size_t size, size_t n, FILE *f)
{
	size_t bytes;
	if (size == 0 || n == 0)
		return 0;
	if (__builtin_mul_overflow(size, n, &bytes)) {
		errno = EOVERFLOW;
		return 0;
	}
	lock_acquire(&f->lock);
	size_t put = stream_write(f, ptr, bytes);
	if (put < bytes)
		stdio_fail(f);
	lock_release(&f->lock);
	return put / size;
}

int fgetc(FILE *f)
{
	stdio_read_prepare(f);
	lock_acquire(&f->lock);
	int c = stream_getc(f);
	if (c < 0 && (f->flags & STREAM_ERR))
		stdio_fail(f);
	lock_release(&f->lock);
	return c < 0 ? EOF : c;
}

int getc(FILE *f)
{
	return fgetc(f);
}

int getchar(void)
{
	return fgetc(stdin);
}

int ungetc(int c, FILE *f)
{
	lock_acquire(&f->lock);
	bool ok = c != EOF && stream_ungetc(f, c);
	lock_release(&f->lock);
	return ok ? (unsigned char) c : EOF;
}

char *fgets(char *s, int size, FILE *f)
{
	stdio_read_prepare(f);
	lock_acquire(&f->lock);
	bool ok = stream_gets(f, s, size);
	if (!ok && (f->flags & STREAM_ERR))
		stdio_fail(f);
	lock_release(&f->lock);
	return ok ? s : NULL;
}

int fputc(int c, FILE *f)
{
	lock_acquire(&f->lock);
	int r = stream_putc(f, c);
	if (r < 0)
		stdio_fail(f);
	lock_release(&f->lock);
	return r < 0 ? EOF : r;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);
	lock_acquire(&f->lock);
	bool ok = stream_write(f, s, n) == n;
	if (!ok)
		stdio_fail(f);
	lock_release(&f->lock);
	return ok ? 0 : EOF;
}

int puts(const char *s)
{
	size_t n = strlen(s);
	lock_acquire(&stdout->lock);
	bool ok = stream_write(stdout, s, n) == n && stream_putc(stdout, '\n') == '\n';
	if (!ok)
		stdio_fail(stdout);
	lock_release(&stdout->lock);
	return ok ? 0 : EOF;
}

int fseek(FILE *f, long off, int whence)
{
	lock_acquire(&f->lock);
	errno_t rc = stream_seek(f, off, whence);
	lock_release(&f->lock);
	return rc == EOK ? 0 : (errno = rc, -1);
}

long ftell(FILE *f)
{
	int64_t pos = -1;
	lock_acquire(&f->lock);
	errno_t rc = stream_tell(f, &pos);
	lock_release(&f->lock);
	return rc == EOK ? (long) pos : (errno = rc, -1L);
}

void rewind(FILE *f)
{
	lock_acquire(&f->lock);
	(void) stream_seek(f, 0, SEEK_SET);
	f->flags &= ~STREAM_ERR;
	lock_release(&f->lock);
}

int feof(FILE *f)
{
	return (f->flags & STREAM_EOF) != 0;
}

int ferror(FILE *f)
{
	return (f->flags & STREAM_ERR) != 0;
}

void clearerr(FILE *f)
{
	lock_acquire(&f->lock);
	f->flags &= ~(STREAM_ERR | STREAM_EOF);
	f->err = EOK;
	lock_release(&f->lock);
}

int fileno(FILE *f)
{
	return f->fd;
}

int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	unsigned char *own = NULL;
	if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF)
		return (errno = EINVAL, -1);
	if (mode == _IONBF)
		size = 0;
	else if (!buf && size > 0 && !(own = malloc(size)))
		return (errno = ENOMEM, -1);
	lock_acquire(&f->lock);
	unsigned char *old = (f->flags & STREAM_OWNBUF) ? f->buf : NULL;
	stream_buffer_set(f, own ? own : (unsigned char *) buf, size, mode == _IOLBF);
	if (own)
		f->flags |= STREAM_OWNBUF;
	lock_release(&f->lock);
	free(old);
	return 0;
}

int remove(const char *path)
{
	if (unlink(path) == 0)
		return 0;
	return errno == EISDIR ? rmdir(path) : -1;
}

void perror(const char *s)
{
	int err = errno;
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, str_error(err));
	else
		fprintf(stderr, "%s\n", str_error(err));
}

static void stdio_putc_cb(char c, void *arg)
{
	stream_putc(arg, (unsigned char) c);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	lock_acquire(&f->lock);
	bool had_err = f->flags & STREAM_ERR;
	size_t n = printf_core(stdio_putc_cb, f, fmt, ap);
	bool failed = !had_err && (f->flags & STREAM_ERR);
	if (failed)
		stdio_fail(f);
	lock_release(&f->lock);
	return failed ? EOF : (int) n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return kvsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
