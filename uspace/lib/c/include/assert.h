/*
 * assert(): on failure prints "assertion failed: EXPR (FILE:LINE, FUNC)"
 * and ends the task with status EXIT_ASSERT.  NDEBUG removes the checks.
 */
#ifndef LIBC_ASSERT_H_
#define LIBC_ASSERT_H_

#include <stdnoreturn.h>

/* The exit status of a task whose assertion failed. */
#define EXIT_ASSERT 133

noreturn void assert_fail(const char *expr, const char *file, int line, const char *func);

#ifdef NDEBUG
#define assert(expr) ((void) 0)
#else
#define assert(expr) ((expr) ? (void) 0 : assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#endif
