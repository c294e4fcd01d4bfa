/*
 * Host test of common/'s printf engine: every format is compared with
 * the C library's snprintf, for fixed cases and for randomized combinations
 * of flags, width, precision, length and conversion (fixed seeds).
 */
#include <inttypes.h>
#include <lib/printf_core.h>
#include <lib/prng.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static int test_num;
static int failures;

static void tap_result(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_num, what);
	if (!ok)
		failures++;
}

/* Format with both engines; true when they agree. */
static int same(const char *fmt, ...)
{
	char ours[256], theirs[256];
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n1 = kvsnprintf(ours, sizeof(ours), fmt, ap);
	int n2 = vsnprintf(theirs, sizeof(theirs), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	if (n1 != n2 || strcmp(ours, theirs) != 0) {
		printf("# format \"%s\": ours \"%s\" (%d), libc \"%s\" (%d)\n", fmt, ours, n1,
		    theirs, n2);
		return 0;
	}
	return 1;
}

static void test_fixed(void)
{
	int ok = 1;
	ok &= same("plain text");
	ok &= same("%d %i %u %x %X %o %c %s %%", -5, 7, 8u, 0xbeefu, 0xbeefu, 8u, 'q', "str");
	ok &= same(
	    "[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%8.3d] [%-8.3d]", 42, 42, 42, 42, 42, 7, 7, 7);
	ok &= same("[%#x] [%#o] [%#X] [%#x] [%#o]", 255u, 8u, 255u, 0u, 0u);
	ok &= same("[%.0d] [%.0x] [%5.0d] [%#.0o]", 0, 0u, 0, 0u);
	ok &= same("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	ok &= same("%ld %lu %zu %zd %td %jd", LONG_MIN, ULONG_MAX, (size_t) 123, (ssize_t) -4,
	    (ptrdiff_t) -9, (intmax_t) INT64_MIN);
	ok &= same("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	ok &= same("[%10s] [%-10s] [%.2s] [%*s] [%-*s] [%.*s]", "abc", "abc", "abc", 6, "x", 6, "x",
	    1, "xyz");
	ok &= same("[%*d] [%-*d] [%.*d]", -6, 5, 4, 5, -1, 5);
	ok &= same("[%5c] [%-5c]", 'a', 'b');
	ok &= same("%p %p", (void *) 0x1234, (void *) UINTPTR_MAX);
	tap_result(ok, "fixed formats match libc");
}

static void test_truncation(void)
{
	char buf[8];
	int ok = ksnprintf(buf, sizeof(buf), "%s", "0123456789") == 10 &&
	    strcmp(buf, "0123456") == 0;
	ok &= ksnprintf(buf, 1, "%d", 12345) == 5 && buf[0] == '\0';
	ok &= ksnprintf(NULL, 0, "%d", 12345) == 5;
	/* %.Ns must not read past N bytes: the source is not terminated */
	char unterminated[3] = { 'a', 'b', 'c' };
	char *heap = malloc(3);
	memcpy(heap, unterminated, 3);
	ok &= ksnprintf(buf, sizeof(buf), "%.3s|%.*s", heap, 2, heap) == 6 &&
	    strcmp(buf, "abc|ab") == 0;
	free(heap);
	tap_result(ok, "truncation and size-0 buffers");
}

static void random_format(prng_t *p, char *fmt, size_t size)
{
	static const char *const flags[] = { "", "-", "+", " ", "#", "0", "-+", "0#", "+ ", "-#0" };
	static const char *const lens[] = { "", "l", "ll", "h", "hh", "z", "j" };
	static const char convs[] = "diuxXo";
	char width[8] = "", prec[8] = "";

	if (prng_below(p, 2))
		snprintf(width, sizeof(width), "%d", (int) prng_below(p, 25));
	if (prng_below(p, 2))
		snprintf(prec, sizeof(prec), ".%d", (int) prng_below(p, 25));
	snprintf(fmt, size, "[%%%s%s%s%s%c]", flags[prng_below(p, 10)], width, prec,
	    lens[prng_below(p, 7)], convs[prng_below(p, 6)]);
}

static void test_random(uint64_t seed)
{
	prng_t p;
	char fmt[64], what[80];
	int ok = 1;

	prng_seed(&p, seed);
	printf("# seed %#" PRIx64 "\n", seed);
	for (int i = 0; i < 20000 && ok; i++) {
		random_format(&p, fmt, sizeof(fmt));
		uint64_t v = prng_next(&p) >> prng_below(&p, 64);
		if (strchr(fmt, 'j') || strstr(fmt, "ll") || strchr(fmt, 'z') || strchr(fmt, 'l'))
			ok &= same(fmt, (long long) v);
		else
			ok &= same(fmt, (int) v);
	}
	snprintf(what, sizeof(what), "20000 random formats match libc (seed %#" PRIx64 ")", seed);
	tap_result(ok, what);
}

int main(void)
{
	printf("1..5\n");
	test_fixed();
	test_truncation();
	test_random(1);
	test_random(0x5eed);
	test_random(0xdeadbeef);
	return failures ? 1 : 0;
}
