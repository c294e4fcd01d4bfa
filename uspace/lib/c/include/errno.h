/*
 * Error codes: the ABI's errno_t values (abi/errno.h).  Every libc wrapper
 * of a system call returns one.  The POSIX-shaped file calls (fcntl.h,
 * unistd.h, sys/stat.h, dirent.h, stdio.h's streams) return -1 (or NULL)
 * and set errno to one of the same values instead.  errno is per thread
 * (thread.c): one thread's failure never changes another's errno.
 */
#ifndef LIBC_ERRNO_H_
#define LIBC_ERRNO_H_

#include <abi/errno.h>

/* The calling thread's errno. */
int *__errno_location(void);
#define errno (*__errno_location())

/* The name of @a err ("EFAULT"), or "E?" for a value outside the ABI. */
const char *str_error_name(errno_t err);
/* A short description of @a err ("bad user address"). */
const char *str_error(errno_t err);

#endif
