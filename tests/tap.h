/*
 * Minimal TAP output and test support for the host unit tests.
 *
 * A test program lists its cases in a table of tap_case_t and hands it to
 * tap_run(), which prints the plan ("1..N"), runs every case and prints
 * "ok N - name" or "not ok N - name".  A case returns false on failure;
 * TAP_CHECK() prints the failed expression as a "# " diagnostic first.
 * The exit status is 0 only when every case passed.
 *
 * The host node allocator (host_alloc.c) is declared here too, with its
 * failure-injection knob.
 */
#ifndef TESTS_TAP_H_
#define TESTS_TAP_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * host_alloc.c: allocations that will still succeed before every further
 * one fails (negative: never fail), nodes currently allocated, and the
 * total number of allocation calls.
 */
extern long host_alloc_fail_after;
extern long host_alloc_live;
extern unsigned long host_alloc_calls;

typedef struct tap_case {
	const char *name;
	bool (*fn)(void);
} tap_case_t;

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

#define TAP_CHECK(cond)                                                                 \
	do {                                                                            \
		if (!(cond)) {                                                          \
			tap_diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
			return false;                                                   \
		}                                                                       \
	} while (0)

#define TAP_CHECK_EQ(a, b)                                                                   \
	do {                                                                                 \
		unsigned long long tap_a_ = (unsigned long long) (a);                        \
		unsigned long long tap_b_ = (unsigned long long) (b);                        \
		if (tap_a_ != tap_b_) {                                                      \
			tap_diag("%s:%d: check failed: %s == %s (%#llx != %#llx)", __FILE__, \
			    __LINE__, #a, #b, tap_a_, tap_b_);                               \
			return false;                                                        \
		}                                                                            \
	} while (0)

static inline int tap_run(const tap_case_t *cases, size_t n)
{
	size_t failed = 0;

	printf("1..%zu\n", n);
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		bool ok = cases[i].fn();
		if (!ok)
			failed++;
		printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, cases[i].name);
		fflush(stdout);
	}
	tap_diag("%zu of %zu passed", n - failed, n);
	return failed == 0 ? 0 : 1;
}

#endif
