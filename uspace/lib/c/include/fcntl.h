/*
 * Opening files (docs/vfs.md, "libc").  Flags are the VFS protocol's
 * (abi/vfs.h).  open() returns the lowest free descriptor of the task, or
 * -1 with errno set (ENOENT, ENOTDIR, EISDIR, EEXIST, ENAMETOOLONG,
 * ELOOP, EROFS, ENOSPC, EMFILE, EFAULT for a bad path pointer, EIO when
 * no VFS answers).
 */
#ifndef LIBC_FCNTL_H_
#define LIBC_FCNTL_H_

#include <abi/vfs.h>
#include <sys/types.h>

#define O_RDONLY VFS_O_RDONLY
#define O_WRONLY VFS_O_WRONLY
#define O_RDWR VFS_O_RDWR
#define O_ACCMODE VFS_O_ACCMODE
#define O_CREAT VFS_O_CREAT
#define O_EXCL VFS_O_EXCL
#define O_TRUNC VFS_O_TRUNC
#define O_APPEND VFS_O_APPEND
#define O_DIRECTORY VFS_O_DIRECTORY
#define O_NOFOLLOW VFS_O_NOFOLLOW

/* @a mode (permission bits) is read only with O_CREAT. */
int open(const char *path, int flags, ...);
/* open(path, O_WRONLY | O_CREAT | O_TRUNC, mode) */
int creat(const char *path, mode_t mode);

#endif
