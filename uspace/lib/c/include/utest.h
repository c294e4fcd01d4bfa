/*
 * The user test harness (the user-space twin of the kernel's ktest.h).
 *
 * UTEST(name) { ... } declares a test; the descriptor goes to the .utests
 * section, which the program link map collects into a table.
 * utest_main() runs all tests, or those named in argv (comma-separated
 * lists), and prints TAP:
 *
 *   TAP version 13
 *   1..N
 *   ok 1 - name # 12 ms
 *   not ok 2 - other # 3 ms      (preceded by "#   FAIL file:line: ..." lines)
 *   # user tests: N passed, N failed
 *
 * UT_ASSERT*() record a failure and return from the test; UT_CHECK*()
 * record and go on.  UT_*_ERR compare errno_t values and print their
 * names.  Around every test the harness checks that no frame leaked (see
 * utest.c for how heap growth is accounted for).
 */
#ifndef LIBC_UTEST_H_
#define LIBC_UTEST_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct utest {
	const char *name;
	void (*fn)(void);
} utest_t;

#define UTEST(tname)                                                                              \
	static void utest_fn_##tname(void);                                                       \
	static const utest_t utest_desc_##tname __attribute__((                                   \
	    used, section(".utests"), aligned(16))) = { .name = #tname, .fn = utest_fn_##tname }; \
	static void utest_fn_##tname(void)

bool utest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool utest_failed(void);
/* A TAP diagnostic line "# ..." */
void utest_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True if @a err is one of the @a n values in @a ok; else records a failure. */
bool utest_check_err(
    const char *file, int line, const char *expr, errno_t err, int n, const errno_t *ok);

#define UT_CHECK(cond) ({ (cond) ? true : utest_fail(__FILE__, __LINE__, "%s", #cond); })

#define UT_CHECK_EQ(a, b)                                                                 \
	({                                                                                \
		uint64_t utest_a_ = (uint64_t) (a);                                       \
		uint64_t utest_b_ = (uint64_t) (b);                                       \
		utest_a_ == utest_b_                                                      \
		    ? true                                                                \
		    : utest_fail(__FILE__, __LINE__, "%s == %s (%#llx != %#llx)", #a, #b, \
		          (unsigned long long) utest_a_, (unsigned long long) utest_b_);  \
	})

/* The errno_t @a expr must be one of the values listed after it. */
#define UT_CHECK_ERR(expr, ...)                                                   \
	({                                                                        \
		const errno_t utest_ok_[] = { __VA_ARGS__ };                      \
		utest_check_err(__FILE__, __LINE__, #expr, (expr),                \
		    (int) (sizeof(utest_ok_) / sizeof(utest_ok_[0])), utest_ok_); \
	})

#define UT_CHECK_OK(expr) UT_CHECK_ERR(expr, EOK)

#define UT_ASSERT(cond)              \
	do {                         \
		if (!UT_CHECK(cond)) \
			return;      \
	} while (0)

#define UT_ASSERT_EQ(a, b)              \
	do {                            \
		if (!UT_CHECK_EQ(a, b)) \
			return;         \
	} while (0)

#define UT_ASSERT_ERR(expr, ...)                      \
	do {                                          \
		if (!UT_CHECK_ERR(expr, __VA_ARGS__)) \
			return;                       \
	} while (0)

#define UT_ASSERT_OK(expr) UT_ASSERT_ERR(expr, EOK)

/* Run the tests selected by @a spec: "all" (but the hw_* ones), or
 * comma-separated names, where "prefix*" takes every test whose name
 * starts with prefix and "-pattern" leaves out what it matches
 * ("hw_fmap_*,-hw_fmap_wb_ioerr"); returns failures. */
unsigned utest_run(const char *spec);
/* Run the tests named in argv[1..] (all if none); 0 iff all passed. */
int utest_main(int argc, char **argv);

#endif
