/*
 * The descriptor calls libc's streams are built on (fd.c; the host test
 * of the streams, tests/test_libc_files.c, has a model of its own).  They
 * take libc's own buffers, whose pointers are not checked again; each
 * returns an errno_t and moves as much as it can: a read or write that
 * moved some bytes before an error returns EOK with the short count.
 */
#ifndef LIBC_FDIO_H_
#define LIBC_FDIO_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

errno_t fd_read(int fd, void *buf, size_t n, size_t *got);
errno_t fd_write(int fd, const void *buf, size_t n, size_t *done);
/* whence: SEEK_SET, SEEK_CUR, SEEK_END; *pos the new offset. */
errno_t fd_seek(int fd, int64_t off, int whence, uint64_t *pos);
errno_t fd_close(int fd);
/* Is @a fd a console descriptor (line-buffered streams)? */
bool fd_is_console(int fd);

#endif
