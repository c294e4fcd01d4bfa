/*
 * In-kernel test registry.
 *
 * A test is declared with KTEST(name) { ... } anywhere in the kernel; the
 * linker collects the descriptors in the .ktests section, which is the
 * table ktest_run() walks.  The kernel command line selects what runs:
 * "test=all" runs every test, "test=NAME" one test (several may be given
 * separated by commas).  Results are printed as TAP on the console and the
 * machine powers off with the verdict.
 *
 * Inside a test, KT_ASSERT*() record a failure (file, line, expression and
 * the values) and return from the test function; KT_CHECK*() record and go
 * on.  A test passes when it returns without a recorded failure.
 */
#ifndef KERN_TEST_KTEST_H_
#define KERN_TEST_KTEST_H_

#include <stdbool.h>
#include <stdint.h>

typedef struct ktest {
	const char *name;
	void (*fn)(void);
} ktest_t;

#define KTEST(tname)                                                                              \
	static void ktest_fn_##tname(void);                                                       \
	static const ktest_t ktest_desc_##tname __attribute__((                                   \
	    used, section(".ktests"), aligned(16))) = { .name = #tname, .fn = ktest_fn_##tname }; \
	static void ktest_fn_##tname(void)

/* Record a failure of the running test; returns false for convenience. */
bool ktest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True once the running test recorded a failure. */
bool ktest_failed(void);

#define KT_CHECK(cond) ((cond) ? true : ktest_fail(__FILE__, __LINE__, "%s", #cond))

#define KT_CHECK_EQ(a, b)                                                                 \
	({                                                                                \
		uint64_t ktest_a_ = (uint64_t) (a);                                       \
		uint64_t ktest_b_ = (uint64_t) (b);                                       \
		ktest_a_ == ktest_b_                                                      \
		    ? true                                                                \
		    : ktest_fail(__FILE__, __LINE__, "%s == %s (%#llx != %#llx)", #a, #b, \
		          (unsigned long long) ktest_a_, (unsigned long long) ktest_b_);  \
	})

#define KT_ASSERT(cond)              \
	do {                         \
		if (!KT_CHECK(cond)) \
			return;      \
	} while (0)

#define KT_ASSERT_EQ(a, b)              \
	do {                            \
		if (!KT_CHECK_EQ(a, b)) \
			return;         \
	} while (0)

/* Print a TAP diagnostic line ("# ...") from a test. */
void ktest_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run the tests selected by @a spec; returns the number that failed. */
unsigned ktest_run(const char *spec);

#endif
