/*
 * The POSIX types of the file API (fcntl.h, unistd.h, sys/stat.h): sizes
 * and offsets are 64-bit, as the VFS protocol's words are (abi/vfs.h).
 */
#ifndef LIBC_SYS_TYPES_H_
#define LIBC_SYS_TYPES_H_

#include <stddef.h>
#include <stdint.h>

typedef int64_t ssize_t;
typedef int64_t off_t;
typedef uint32_t mode_t;
typedef uint64_t ino_t;
typedef uint64_t dev_t;
typedef uint32_t nlink_t;
typedef uint32_t uid_t;
typedef uint32_t gid_t;
typedef int64_t blkcnt_t;
typedef int64_t blksize_t;
typedef int64_t time_t;
typedef uint64_t fsblkcnt_t;
typedef uint64_t fsfilcnt_t;

#endif
