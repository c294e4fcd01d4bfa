/*
 * Memory block functions, compiled into the kernel and into libc (and, under
 * other names, into the host test tests/test_mem.c).  GCC may emit calls to
 * memcpy, memmove, memset and memcmp even in freestanding code, so they must
 * exist with exactly these names.
 *
 * memcpy and memset move eight bytes per string-instruction step (rep
 * movsq/stosq) and only the tail byte by byte: QEMU's TCG runs every step
 * of a rep string instruction as one trip round its own loop, so the byte
 * forms cost about 5 TSC cycles a byte there (docs/PERFORMANCE.md); on
 * hardware the two forms are equally fast for the sizes used here.
 */
#include <mem.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *ret = dst;
	size_t words = n / 8, tail = n % 8;
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(tail) : : "memory");
	return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;
	uint64_t v = (uint64_t) (unsigned char) c * 0x0101010101010101ULL;
	size_t words = n / 8, tail = n % 8;
	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(tail) : "a"(v) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}
