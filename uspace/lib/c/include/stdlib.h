/*
 * Memory allocation, process exit and number parsing.
 *
 * malloc() takes memory from heap areas: the first is made at startup,
 * grown with SYS_AS_AREA_RESIZE, and when growing fails (another area is
 * in the way: EEXIST) a new heap area is started elsewhere.  Freed memory
 * is reused but never given back to the kernel.  All of it is thread-safe.
 */
#ifndef LIBC_STDLIB_H_
#define LIBC_STDLIB_H_

#include <stddef.h>
#include <stdnoreturn.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
/* The exit status of a task that called abort(). */
#define EXIT_ABORT 134

void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);

/* Bytes of memory held by all heap areas (they never shrink). */
size_t malloc_heap_bytes(void);

noreturn void exit(int status);
noreturn void abort(void);

/* C semantics, except that there is no errno: out-of-range values
 * saturate (to LONG_MAX/LONG_MIN/ULONG_MAX). */
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
int atoi(const char *s);

/* The environment: "NAME=VALUE" strings, NULL-terminated; a task starts
 * with what its spawner passed (task_spawn_attr_t.envp: by default the
 * spawner's own).  getenv: the value of NAME or NULL; setenv (overwrite 0:
 * only if unset), unsetenv: 0, or -1 and errno (EINVAL: an empty name or
 * one with '='; ENOMEM). */
extern char **environ;
char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);

#endif
