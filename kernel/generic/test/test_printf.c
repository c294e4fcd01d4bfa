/* Kernel tests of the formatting engine (the host test is the thorough one)
 * and of the memory primitives it and everything else use. */
#include <lib/printf_core.h>
#include <mem.h>
#include <test/ktest.h>

KTEST(printf_format)
{
	char buf[64];

	KT_CHECK_EQ(
	    ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%#llx|%s", -12, 34u, 0xabu, 0x1234ULL, "ok"),
	    24);
	KT_CHECK(strcmp(buf, "-12|   34|ab  |0x1234|ok") == 0);
	KT_CHECK_EQ(ksnprintf(buf, 4, "%s", "truncated"), 9);
	KT_CHECK(strcmp(buf, "tru") == 0);
	KT_CHECK_EQ(ksnprintf(buf, sizeof(buf), "%zu %p", (size_t) 7, (void *) 0x10), 6);
	KT_CHECK(strcmp(buf, "7 0x10") == 0);
}

/* memcpy/memset/memmove move words and then a byte tail: every length
 * 0..80 at every alignment of source and destination, with guard bytes
 * around the destination that must stay untouched. */
#define MEM_T_MAX 80
#define MEM_T_GUARD 0x5a

static bool mem_t_guards_ok(const unsigned char *buf, size_t off, size_t n, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if ((i < off || i >= off + n) && buf[i] != MEM_T_GUARD)
			return false;
	}
	return true;
}

KTEST(mem_copy_fill_every_size)
{
	static unsigned char src[MEM_T_MAX + 16], dst[MEM_T_MAX + 32];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char) (i * 7 + 1);
	for (size_t n = 0; n <= MEM_T_MAX; n++) {
		for (size_t so = 0; so < 8; so++) {
			for (size_t d = 0; d < 8; d++) {
				memset(dst, MEM_T_GUARD, sizeof(dst));
				KT_ASSERT(memcpy(dst + 8 + d, src + so, n) == dst + 8 + d);
				KT_ASSERT(memcmp(dst + 8 + d, src + so, n) == 0);
				KT_ASSERT(mem_t_guards_ok(dst, 8 + d, n, sizeof(dst)));
			}
		}
		memset(dst, MEM_T_GUARD, sizeof(dst));
		KT_ASSERT(memset(dst + 3, -1, n) == dst + 3);
		for (size_t i = 0; i < n; i++)
			KT_ASSERT_EQ(dst[3 + i], 0xff);
		KT_ASSERT(mem_t_guards_ok(dst, 3, n, sizeof(dst)));
	}
	/* overlapping moves both ways */
	for (size_t i = 0; i < sizeof(dst); i++)
		dst[i] = (unsigned char) i;
	memmove(dst + 5, dst, 40);
	for (size_t i = 0; i < 40; i++)
		KT_CHECK_EQ(dst[5 + i], i);
	for (size_t i = 0; i < sizeof(dst); i++)
		dst[i] = (unsigned char) i;
	memmove(dst, dst + 5, 40);
	for (size_t i = 0; i < 40; i++)
		KT_CHECK_EQ(dst[i], i + 5);
}
