/*
 * assert() and panic() for the kernel.
 *
 * assert() checks kernel invariants only; it must never be used to check a
 * value a caller (user space, a pager, a device) can get wrong.
 */
#ifndef KERN_DEBUG_H_
#define KERN_DEBUG_H_

#include <stdnoreturn.h>

noreturn void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#ifdef NDEBUG
#define assert(expr) ((void) 0)
#else
#define assert(expr) \
	((expr) ? (void) 0 : panic_at(__FILE__, __LINE__, "assertion failed: %s", #expr))
#endif

#endif
