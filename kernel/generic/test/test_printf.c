/* Kernel test of the formatting engine (the host test is the thorough one). */
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
