/*
 * The buffering of stdio's streams (stream.c), pure code over the
 * descriptor calls of fdio.h: tests/test_libc_files.c runs it on the
 * host over a model of those calls.  stdio.c makes FILEs of it.
 *
 * A stream is reading (its buffer holds bytes read ahead: buf[rpos,
 * rend)), writing (buf[0, wlen) not written yet) or neither; it switches
 * by itself (a write after reads first gives the unread bytes back with a
 * seek, a read after writes first writes them), so the C rule of an
 * fflush or fseek in between is not needed.  Fully buffered streams write
 * when the buffer is full (a write at least a buffer long goes straight
 * to the descriptor); line-buffered ones also at each '\n'; unbuffered
 * ones (size 0) at once.  STREAM_AUTO decides at the first use: line
 * buffering with at most STREAM_CONSOLE_BUF bytes on a console descriptor,
 * full buffering otherwise.
 *
 * Every stream_* function but stream_init expects the caller to hold
 * s->lock (stdio.c takes it: each stdio call is atomic with respect to
 * the task's other threads).
 */
#ifndef LIBC_STREAM_H_
#define LIBC_STREAM_H_

#include <abi/errno.h>
#include <lock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_READ 0x001u /* opened for reading */
#define STREAM_WRITE 0x002u /* opened for writing */
#define STREAM_EOF 0x004u /* the end-of-file indicator */
#define STREAM_ERR 0x008u /* the error indicator */
#define STREAM_LINE 0x010u /* line buffered */
#define STREAM_AUTO 0x020u /* buffering decided at the first use */
#define STREAM_OWNBUF 0x040u /* buf was malloc'd by stdio */
#define STREAM_READING 0x080u
#define STREAM_WRITING 0x100u
#define STREAM_STATIC 0x200u /* stdin, stdout, stderr: never freed */

/* The buffer of a line-buffered console stream: the kernel console gets
 * a line (or 256 bytes of a longer one) per write, as it always has. */
#define STREAM_CONSOLE_BUF 256

typedef struct stream {
	lock_t lock;
	int fd;
	unsigned flags; /* STREAM_* */
	unsigned char *buf;
	size_t cap; /* bytes at buf */
	size_t size; /* bytes of buf used as the buffer (0: unbuffered) */
	size_t rpos, rend; /* reading: unread bytes buf[rpos, rend) */
	size_t wlen; /* writing: buf[0, wlen) not written yet */
	errno_t err; /* the error that set STREAM_ERR */
	struct stream *next; /* stdio's list of open streams */
} stream_t;

#define STREAM_INITIALIZER(fd_, flags_, buf_, cap_)                                      \
	{                                                                                \
		.lock = LOCK_INITIALIZER, .fd = (fd_), .flags = (flags_), .buf = (buf_), \
		.cap = (cap_), .size = (cap_)                                            \
	}

/* A stream over @a fd with @a cap bytes of buffer at @a buf (0: none). */
void stream_init(stream_t *s, int fd, unsigned flags, unsigned char *buf, size_t cap);
/* Write out what is buffered; a reading stream gives its unread bytes
 * back (a seek back by that much, when the descriptor can seek). */
errno_t stream_flush(stream_t *s);
/* The bytes of @a p taken (n unless an error: then STREAM_ERR is set). */
size_t stream_write(stream_t *s, const void *p, size_t n);
int stream_putc(stream_t *s, int c);
/* Bytes read (fewer than n at the end of the file: STREAM_EOF, or on an
 * error: STREAM_ERR). */
size_t stream_read(stream_t *s, void *p, size_t n);
/* The next byte, or -1 (EOF). */
int stream_getc(stream_t *s);
/* Up to size - 1 bytes, through the first '\n', and a NUL: false if
 * nothing was read (the end, or an error). */
bool stream_gets(stream_t *s, char *out, int size);
/* Push @a c back (one byte at least): false if there is no room. */
bool stream_ungetc(stream_t *s, int c);
/* Flush, then move the descriptor's offset (whence as lseek); clears
 * STREAM_EOF. */
errno_t stream_seek(stream_t *s, int64_t off, int whence);
/* The position of the next byte read or written. */
errno_t stream_tell(stream_t *s, int64_t *pos);
/* Use @a buf (@a cap bytes; NULL or 0: unbuffered) from now on, line
 * buffered if @a line; flushes first.  The old buffer is the caller's. */
errno_t stream_buffer_set(stream_t *s, unsigned char *buf, size_t cap, bool line);
/* fopen()'s @a mode: r, w, a, each with + (and b, ignored; wx: O_EXCL):
 * the VFS_O_* flags to open with and the STREAM_* flags.  EINVAL. */
errno_t stream_mode_parse(const char *mode, unsigned *oflags, unsigned *sflags);

#endif
