/*
 * Error codes: the ABI's errno_t values (abi/errno.h).  Every libc wrapper
 * of a system call returns one; there is no global errno.
 */
#ifndef LIBC_ERRNO_H_
#define LIBC_ERRNO_H_

#include <abi/errno.h>

/* The name of @a err ("EFAULT"), or "E?" for a value outside the ABI. */
const char *str_error_name(errno_t err);
/* A short description of @a err ("bad user address"). */
const char *str_error(errno_t err);

#endif
