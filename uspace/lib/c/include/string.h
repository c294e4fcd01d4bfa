/*
 * String and memory functions: the ones the kernel has too are common/'s
 * (common/include/mem.h, common/src/); strdup is libc's own.
 */
#ifndef LIBC_STRING_H_
#define LIBC_STRING_H_

#include <mem.h>

/* A malloc'd copy of @a s, or NULL. */
char *strdup(const char *s);
/* The description of the error @a err (an errno value; errno.h). */
char *strerror(int err);

#endif
