/*
 * Host unit test of common/'s memory and string functions (common/src/mem.c
 * and str.c), the code both the kernel and libc run.
 *
 * tests/meson.build compiles those two files for the build machine with
 * every function renamed (memcpy becomes cm_memcpy, and so on), so the
 * test can call ours and the C library's side by side.  Every function is
 * compared with the C library's: the memory functions for every length up
 * to a few hundred bytes (the rep movsq/stosq bodies and their byte tails)
 * at every source and destination alignment within 16 bytes, inside
 * buffers whose bytes around the target must stay untouched (ASan does not
 * see the inline assembly); the string functions on fixed cases and on
 * random strings over a small alphabet (so prefixes, repeats and high
 * bytes come up often).  Comparisons check only the sign, as C promises.
 */
#define memcpy cm_memcpy
#define memmove cm_memmove
#define memset cm_memset
#define memcmp cm_memcmp
#define strlen cm_strlen
#define strcmp cm_strcmp
#define strncmp cm_strncmp
#define strcpy cm_strcpy
#define strncpy cm_strncpy
#define strchr cm_strchr
#define strrchr cm_strrchr
#define strstr cm_strstr
#include <mem.h>
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp
#undef strcpy
#undef strncpy
#undef strchr
#undef strrchr
#undef strstr

#include <lib/prng.h>
#include <string.h>

#include "tap.h"

#define MAX_LEN 300
#define MAX_ALIGN 16
#define BUF_SIZE (MAX_LEN + 3 * MAX_ALIGN)
#define CANARY 0xa5
#define SEED 0x6d656d5f74657374ULL

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill_random(prng_t *p, unsigned char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char) prng_next(p);
}

/* Index of the first byte where the buffers differ, or SIZE_MAX. */
static size_t first_difference(const void *ours, const void *ref, size_t n)
{
	const unsigned char *a = ours, *b = ref;
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return i;
	}
	return SIZE_MAX;
}

/* Fails the case with a diagnostic (the call's parameters, then the first
 * wrong byte) when the buffers differ. */
#define CHECK_SAME(ours, ref, n, ...)                              \
	do {                                                       \
		size_t at_ = first_difference((ours), (ref), (n)); \
		if (at_ != SIZE_MAX) {                             \
			tap_diag(__VA_ARGS__);                     \
			tap_diag("byte %zu is %#x, want %#x", at_, \
			    ((const unsigned char *) (ours))[at_], \
			    ((const unsigned char *) (ref))[at_]); \
			return false;                              \
		}                                                  \
	} while (0)

static bool test_memcpy(void)
{
	static unsigned char src[BUF_SIZE], dst[BUF_SIZE], ref[BUF_SIZE];
	prng_t p;
	prng_seed(&p, SEED);
	fill_random(&p, src, sizeof(src));
	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t s = 0; s < MAX_ALIGN; s++) {
			for (size_t d = 0; d < MAX_ALIGN; d++) {
				memset(dst, CANARY, sizeof(dst));
				memset(ref, CANARY, sizeof(ref));
				memcpy(ref + MAX_ALIGN + d, src + s, len);
				void *r = cm_memcpy(dst + MAX_ALIGN + d, src + s, len);
				TAP_CHECK(r == dst + MAX_ALIGN + d);
				CHECK_SAME(dst, ref, sizeof(dst),
				    "memcpy len %zu, src +%zu, dst +%zu", len, s, d);
			}
		}
	}
	return true;
}

static bool test_memset(void)
{
	static const int values[] = { 0, 1, 0x7f, 0x80, 0xff, 0x1ab, -1, -200 };
	static unsigned char dst[BUF_SIZE], ref[BUF_SIZE];
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t len = 0; len <= MAX_LEN; len++) {
			for (size_t d = 0; d < MAX_ALIGN; d++) {
				memset(dst, CANARY, sizeof(dst));
				memset(ref, CANARY, sizeof(ref));
				memset(ref + MAX_ALIGN + d, values[v], len);
				void *r = cm_memset(dst + MAX_ALIGN + d, values[v], len);
				TAP_CHECK(r == dst + MAX_ALIGN + d);
				CHECK_SAME(dst, ref, sizeof(dst),
				    "memset len %zu, dst +%zu, value %d", len, d, values[v]);
			}
		}
	}
	return true;
}

/* Source and destination in one buffer, overlapping either way or not at all. */
static bool test_memmove(void)
{
	enum { MOVE_MAX = 96, SPAN = 2 * MOVE_MAX + MAX_ALIGN };
	static unsigned char orig[SPAN], buf[SPAN], ref[SPAN];
	prng_t p;
	prng_seed(&p, SEED + 1);
	fill_random(&p, orig, sizeof(orig));
	for (size_t len = 0; len <= MOVE_MAX; len++) {
		for (size_t s = 0; s + len <= SPAN; s += (s < 2 * MAX_ALIGN ? 1 : 7)) {
			for (size_t d = 0; d + len <= SPAN; d += (d < 2 * MAX_ALIGN ? 1 : 5)) {
				memcpy(buf, orig, sizeof(buf));
				memcpy(ref, orig, sizeof(ref));
				memmove(ref + d, ref + s, len);
				void *r = cm_memmove(buf + d, buf + s, len);
				TAP_CHECK(r == buf + d);
				CHECK_SAME(buf, ref, sizeof(buf),
				    "memmove len %zu, src %zu, dst %zu", len, s, d);
			}
		}
	}
	return true;
}

/* Equal runs, then one difference at every position, both ways round,
 * with bytes on both sides of 0x80 (the comparison is unsigned). */
static bool test_memcmp(void)
{
	static unsigned char a[MAX_LEN + MAX_ALIGN], b[MAX_LEN + MAX_ALIGN];
	prng_t p;
	prng_seed(&p, SEED + 2);
	for (size_t len = 0; len <= 64; len++) {
		for (size_t al = 0; al < MAX_ALIGN; al++) {
			fill_random(&p, a, sizeof(a));
			memcpy(b, a, sizeof(b));
			TAP_CHECK_EQ(cm_memcmp(a + al, b + al, len), 0);
			for (size_t at = 0; at < len; at++) {
				unsigned char keep = b[al + at];
				b[al + at] = (unsigned char) (a[al + at] ^ (1u << (at % 8)));
				int want = sign(memcmp(a + al, b + al, len));
				TAP_CHECK(want != 0);
				TAP_CHECK_EQ(sign(cm_memcmp(a + al, b + al, len)), want);
				TAP_CHECK_EQ(sign(cm_memcmp(b + al, a + al, len)), -want);
				TAP_CHECK_EQ(cm_memcmp(a + al, b + al, at), 0);
				b[al + at] = keep;
			}
		}
	}
	return true;
}

static bool test_strlen(void)
{
	static char buf[MAX_LEN + MAX_ALIGN + 1];
	for (size_t al = 0; al < MAX_ALIGN; al++) {
		for (size_t len = 0; len <= MAX_LEN; len++) {
			memset(buf, 'x', sizeof(buf));
			buf[al + len] = '\0';
			TAP_CHECK_EQ(cm_strlen(buf + al), len);
		}
	}
	TAP_CHECK_EQ(cm_strlen("\x80\xff"), 2);
	return true;
}

/* A random NUL-terminated string of length < max over "ab\x80\xff". */
static size_t random_string(prng_t *p, char *s, size_t max)
{
	static const char alphabet[] = "ab\x80\xff";
	size_t len = (size_t) prng_below(p, max);
	for (size_t i = 0; i < len; i++)
		s[i] = alphabet[prng_below(p, 4)];
	s[len] = '\0';
	return len;
}

static bool test_strcmp_strncmp(void)
{
	char a[16], b[16];
	prng_t p;
	prng_seed(&p, SEED + 3);
	TAP_CHECK_EQ(cm_strcmp("", ""), 0);
	TAP_CHECK(cm_strcmp("a", "") > 0 && cm_strcmp("", "a") < 0);
	TAP_CHECK(cm_strcmp("\x80", "\x7f") > 0);
	TAP_CHECK_EQ(cm_strncmp("abc", "abd", 2), 0);
	TAP_CHECK_EQ(cm_strncmp("abc", "xyz", 0), 0);
	for (int i = 0; i < 200000; i++) {
		random_string(&p, a, 6);
		random_string(&p, b, 6);
		TAP_CHECK_EQ(sign(cm_strcmp(a, b)), sign(strcmp(a, b)));
		for (size_t n = 0; n < 8; n++)
			TAP_CHECK_EQ(sign(cm_strncmp(a, b, n)), sign(strncmp(a, b, n)));
	}
	return true;
}

static bool test_strcpy_strncpy(void)
{
	char src[MAX_LEN + 1], dst[MAX_LEN + 2 * MAX_ALIGN], ref[MAX_LEN + 2 * MAX_ALIGN];
	prng_t p;
	prng_seed(&p, SEED + 4);
	for (int i = 0; i < 20000; i++) {
		size_t len = random_string(&p, src, 40);
		size_t n = (size_t) prng_below(&p, 48);
		memset(dst, CANARY, sizeof(dst));
		memset(ref, CANARY, sizeof(ref));
		strcpy(ref + MAX_ALIGN, src);
		TAP_CHECK(cm_strcpy(dst + MAX_ALIGN, src) == dst + MAX_ALIGN);
		CHECK_SAME(dst, ref, sizeof(dst), "strcpy of a %zu-byte string", len);
		memset(dst, CANARY, sizeof(dst));
		memset(ref, CANARY, sizeof(ref));
		memcpy(ref + MAX_ALIGN, src, len < n ? len : n);
		if (len < n)
			memset(ref + MAX_ALIGN + len, 0, n - len);
		TAP_CHECK(cm_strncpy(dst + MAX_ALIGN, src, n) == dst + MAX_ALIGN);
		CHECK_SAME(dst, ref, sizeof(dst), "strncpy of a %zu-byte string, n %zu", len, n);
	}
	return true;
}

static bool test_strchr_strrchr(void)
{
	static const int chars[] = { 'a', 'b', 0x80, 0xff, -1, '\0', 'z', 0x161 };
	char s[16];
	prng_t p;
	prng_seed(&p, SEED + 5);
	for (int i = 0; i < 50000; i++) {
		random_string(&p, s, 12);
		for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
			TAP_CHECK(cm_strchr(s, chars[c]) == strchr(s, chars[c]));
			TAP_CHECK(cm_strrchr(s, chars[c]) == strrchr(s, chars[c]));
		}
	}
	return true;
}

static bool test_strstr(void)
{
	char hay[24], needle[8];
	prng_t p;
	prng_seed(&p, SEED + 6);
	TAP_CHECK(cm_strstr("", "") != NULL && *cm_strstr("", "") == '\0');
	TAP_CHECK(cm_strstr("", "a") == NULL);
	for (int i = 0; i < 100000; i++) {
		random_string(&p, hay, 20);
		random_string(&p, needle, 4);
		TAP_CHECK(cm_strstr(hay, needle) == strstr(hay, needle));
	}
	return true;
}

static const tap_case_t cases[] = {
	{ "memcpy: every length to 300 at every alignment pair", test_memcpy },
	{ "memset: every length, alignment and byte value", test_memset },
	{ "memmove: overlapping either way and disjoint", test_memmove },
	{ "memcmp: sign of every single difference, unsigned bytes", test_memcmp },
	{ "strlen: every length at every alignment", test_strlen },
	{ "strcmp and strncmp against the C library", test_strcmp_strncmp },
	{ "strcpy and strncpy (padding, no byte beyond)", test_strcpy_strncpy },
	{ "strchr and strrchr (NUL and high bytes)", test_strchr_strrchr },
	{ "strstr against the C library", test_strstr },
};

int main(void)
{
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
