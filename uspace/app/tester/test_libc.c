/* libc itself: strings, formatting, number parsing, malloc, errno, the
 * file API's console descriptors. */
#include "tester.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

UTEST(libc_string)
{
	char buf[32];
	UT_CHECK_EQ(strlen(""), 0);
	UT_CHECK_EQ(strlen("abc"), 3);
	UT_CHECK(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0);
	UT_CHECK(strncmp("abcx", "abcy", 3) == 0 && strncmp("ab", "abc", 3) < 0);
	UT_CHECK(strcmp(strcpy(buf, "hello"), "hello") == 0);
	memset(buf, 'z', sizeof(buf));
	strncpy(buf, "hi", 5);
	UT_CHECK(buf[2] == 0 && buf[4] == 0 && buf[5] == 'z');
	const char *s = "a.b.c";
	UT_CHECK_EQ(strchr(s, '.') - s, 1);
	UT_CHECK_EQ(strrchr(s, '.') - s, 3);
	UT_CHECK_EQ(strchr(s, '\0') - s, 5);
	UT_CHECK(strchr(s, 'x') == NULL);
	const char *hay = "haystack";
	UT_CHECK(strstr(hay, "st") == hay + 3);
	UT_CHECK(strstr(hay, "") == hay);
	UT_CHECK(strstr("haystack", "needle") == NULL);
	char *d = strdup("copy");
	UT_ASSERT(d != NULL);
	UT_CHECK(strcmp(d, "copy") == 0);
	free(d);
}

UTEST(libc_memory)
{
	char buf[64];
	for (int i = 0; i < 64; i++)
		buf[i] = (char) i;
	memmove(buf + 1, buf, 32); /* overlap, forward */
	UT_CHECK(buf[1] == 0 && buf[32] == 31 && buf[33] == 33);
	memmove(buf, buf + 1, 32); /* overlap, backward */
	UT_CHECK(buf[0] == 0 && buf[31] == 31);
	memset(buf, 0x7f, 10);
	UT_CHECK(buf[9] == 0x7f && buf[10] == 10);
	UT_CHECK(memcmp("abc", "abd", 3) < 0 && memcmp("abc", "abc", 3) == 0);
	UT_CHECK(memcmp("\xff", "\x01", 1) > 0);
}

UTEST(libc_snprintf)
{
	char buf[64];
	UT_CHECK_EQ(snprintf(buf, sizeof(buf), "%d|%5s|%-3x|%#llx", -42, "ab", 255, 0x10ULL), 18);
	UT_CHECK(strcmp(buf, "-42|   ab|ff |0x10") == 0);
	UT_CHECK_EQ(snprintf(buf, 4, "abcdef"), 6);
	UT_CHECK(strcmp(buf, "abc") == 0);
	UT_CHECK_EQ(snprintf(NULL, 0, "%zu", (size_t) 12345), 5);
	snprintf(buf, sizeof(buf), "%p", (void *) 0x1234);
	UT_CHECK(strstr(buf, "1234") != NULL);
}

UTEST(libc_strtol)
{
	char *end;
	UT_CHECK_EQ(strtol("  -123xyz", &end, 10), (uint64_t) -123);
	UT_CHECK(*end == 'x');
	UT_CHECK_EQ(strtoul("0x1F", NULL, 0), 31);
	UT_CHECK_EQ(strtoul("0755", NULL, 0), 493);
	UT_CHECK_EQ(strtoul("zz", NULL, 36), 35 * 36 + 35);
	UT_CHECK_EQ(strtoul("99999999999999999999999", NULL, 10), ~0UL);
	UT_CHECK_EQ(strtol("99999999999999999999999", NULL, 10), __LONG_MAX__);
	UT_CHECK_EQ(strtol("-9223372036854775808", NULL, 10), (uint64_t) (-__LONG_MAX__ - 1));
	const char *none = "abc";
	UT_CHECK_EQ(strtol(none, &end, 10), 0);
	UT_CHECK(end == none);
	UT_CHECK_EQ(atoi("42"), 42);
	UT_CHECK_EQ(atoi("-7"), (uint64_t) -7);
}

UTEST(libc_errno_names)
{
	for (errno_t e = 0; e < ERRNO_COUNT; e++) {
		UT_CHECK(str_error_name(e)[0] == 'E');
		UT_CHECK(str_error(e) != NULL);
	}
	UT_CHECK(strcmp(str_error_name(EFAULT), "EFAULT") == 0);
	UT_CHECK(strcmp(str_error_name(-1), "E?") == 0);
}

#define ERRNO_THREADS 4
#define ERRNO_ROUNDS 200

/* Each thread sets errno to its own values and yields in between: it
 * must read back its own every time.  The result: rounds that saw
 * another thread's value. */
static int libc_errno_thread(void *arg)
{
	int base = (int) (uintptr_t) arg, wrong = 0;
	for (int i = 0; i < ERRNO_ROUNDS; i++) {
		errno = base + i;
		thread_yield();
		wrong += errno != base + i;
	}
	return wrong;
}

UTEST(libc_errno_per_thread)
{
	tid_t tids[ERRNO_THREADS];
	errno = 77;
	for (int i = 0; i < ERRNO_THREADS; i++)
		UT_ASSERT_OK(thread_create(
		    libc_errno_thread, (void *) (uintptr_t) (1000 * (i + 1)), &tids[i]));
	for (int i = 0; i < ERRNO_THREADS; i++) {
		int wrong = -1;
		UT_CHECK_OK(thread_join(tids[i], &wrong));
		UT_CHECK_EQ(wrong, 0);
	}
	UT_CHECK_EQ(errno, 77);
	UT_CHECK(strcmp(strerror(ENOENT), str_error(ENOENT)) == 0);
}

/* Random sizes, every block filled with its own pattern and checked. */
UTEST(libc_malloc_stress)
{
	enum { N = 256 };
	static unsigned char *blocks[N];
	static size_t sizes[N];
	uint64_t seed = 12345;
	for (int round = 0; round < 4000; round++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		int i = (int) ((seed >> 33) % N);
		if (blocks[i]) {
			UT_CHECK(((uintptr_t) blocks[i] & 15) == 0);
			for (size_t k = 0; k < sizes[i]; k++) {
				if (blocks[i][k] != (unsigned char) (i + k)) {
					UT_CHECK(!"heap block corrupted");
					break;
				}
			}
			free(blocks[i]);
			blocks[i] = NULL;
			continue;
		}
		sizes[i] = (seed >> 20) % ((seed & 1) ? 64 : 5000);
		blocks[i] = malloc(sizes[i]);
		UT_ASSERT(blocks[i] != NULL);
		for (size_t k = 0; k < sizes[i]; k++)
			blocks[i][k] = (unsigned char) (i + k);
	}
	for (int i = 0; i < N; i++) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
}

UTEST(libc_calloc_realloc)
{
	UT_CHECK(calloc(~(size_t) 0 / 2, 4) == NULL);
	UT_CHECK(malloc(~(size_t) 0) == NULL);
	unsigned *p = calloc(100, sizeof(unsigned));
	UT_ASSERT(p != NULL);
	for (int i = 0; i < 100; i++) {
		UT_CHECK_EQ(p[i], 0);
		p[i] = (unsigned) i;
	}
	p = realloc(p, 100000 * sizeof(unsigned));
	UT_ASSERT(p != NULL);
	for (int i = 0; i < 100; i++)
		UT_CHECK_EQ(p[i], i);
	p[99999] = 1;
	free(p);
	free(NULL);
}

/* Block the heap area's growth with another area: malloc must start a new
 * heap area elsewhere (the EEXIST path). */
UTEST(libc_malloc_new_heap_area)
{
	void *probe = malloc(16);
	UT_ASSERT(probe != NULL);
	as_area_info_t heap;
	UT_ASSERT_OK(as_area_query((uintptr_t) probe, &heap));
	uintptr_t block;
	errno_t rc = as_area_create(heap.base + heap.size, PAGE_SIZE, RW | AS_AREA_FIXED, &block);
	UT_ASSERT_ERR(rc, EOK, EEXIST);
	size_t big = 4 * heap.size;
	unsigned char *p = malloc(big);
	UT_CHECK(p != NULL);
	if (p) {
		as_area_info_t other;
		UT_CHECK_OK(as_area_query((uintptr_t) p, &other));
		UT_CHECK(other.base != heap.base);
		UT_CHECK(other.size >= big);
		p[0] = 1;
		p[big - 1] = 2;
	}
	free(p);
	free(probe);
	if (rc == EOK)
		UT_CHECK_OK(as_area_destroy(block));
}

/*
 * The file API without a VFS: the console descriptors 0-2 (docs/vfs.md
 * "libc"), and the checks libc makes before any request (bad pointers,
 * empty and overlong paths, bad descriptors), which never reach the VFS
 * (none runs in this boot: a request would take 5 s and fail EIO).
 */
UTEST(libc_file_console)
{
	struct stat st;
	static char longpath[VFS_PATH_MAX + 2];
	char buf[8];
	UT_CHECK(isatty(1) == 1 && isatty(2) == 1 && isatty(0) == 1);
	UT_CHECK(fstat(1, &st) == 0 && S_ISCHR(st.st_mode));
	UT_CHECK(lseek(1, 0, SEEK_SET) == -1 && errno == ESPIPE);
	UT_CHECK(pwrite(1, "x", 1, 0) == -1 && errno == ESPIPE);
	UT_CHECK_EQ(write(1, "# console write\n", 16), 16);
	UT_CHECK(write(1, (void *) ADDR_UNMAPPED, 4) == -1 && errno == EFAULT);
	UT_CHECK(write(1, (void *) CHILD_KERNEL_ADDR, 4) == -1 && errno == EFAULT);
	UT_CHECK(read(0, (void *) 8, sizeof(buf)) == -1 && errno == EFAULT);
	UT_CHECK(read(0, (void *) child_ro_target, 4) == -1 && errno == EFAULT);
	UT_CHECK(fstat(1, (struct stat *) ADDR_UNMAPPED) == -1 && errno == EFAULT);
	UT_CHECK(isatty(9) == 0 && errno == EBADF);
	UT_CHECK(close(9) == -1 && errno == EBADF);
	UT_CHECK(write(-1, "x", 1) == -1 && errno == EBADF);
	UT_CHECK(read(1000, buf, 1) == -1 && errno == EBADF);
	UT_CHECK(dup2(1, 1000) == -1 && errno == EBADF);
	/* A console descriptor is dup'ed, dup2'ed and closed like any other. */
	int d = dup(1);
	UT_CHECK_EQ(d, 3);
	UT_CHECK(dup2(2, 7) == 7 && isatty(7) == 1);
	UT_CHECK_EQ(write(7, "# via dup2\n", 11), 11);
	UT_CHECK(close(d) == 0 && close(7) == 0 && close(7) == -1 && errno == EBADF);
	UT_CHECK(dup2(1, 1) == 1);
	/* Paths checked before any request. */
	memset(longpath, 'p', VFS_PATH_MAX + 1);
	UT_CHECK(open("", O_RDONLY) == -1 && errno == ENOENT);
	UT_CHECK(open(NULL, O_RDONLY) == -1 && errno == EFAULT);
	UT_CHECK(open((char *) ADDR_UNMAPPED, O_RDONLY) == -1 && errno == EFAULT);
	UT_CHECK(open(longpath, O_RDONLY) == -1 && errno == ENAMETOOLONG);
	UT_CHECK(stat("", &st) == -1 && errno == ENOENT);
	UT_CHECK(rename("a", longpath) == -1 && errno == ENAMETOOLONG);
	UT_CHECK(mkdir((char *) CHILD_KERNEL_ADDR, 0755) == -1 && errno == EFAULT);
	/* stdio on the console. */
	UT_CHECK(fileno(stdout) == 1 && fileno(stderr) == 2 && fileno(stdin) == 0);
	UT_CHECK(fopen("", "r") == NULL && errno == ENOENT);
	UT_CHECK(fopen("x", "q") == NULL && errno == EINVAL);
	FILE *f = fdopen(dup(2), "w");
	UT_ASSERT(f != NULL);
	UT_CHECK_EQ(fprintf(f, "# fdopen'ed console: %d\n", 42), 24);
	UT_CHECK_EQ(fclose(f), 0);
	UT_CHECK(isatty(3) == 0 && errno == EBADF);
	UT_CHECK(fdopen(9, "r") == NULL && errno == EBADF);
}

/* The environment: set, get, keep (overwrite 0), replace, unset, refusals. */
UTEST(libc_env)
{
	UT_CHECK(getenv("LIBC_T") == NULL);
	UT_CHECK_EQ(setenv("LIBC_T", "one", 0), 0);
	UT_CHECK(getenv("LIBC_T") && strcmp(getenv("LIBC_T"), "one") == 0);
	UT_CHECK_EQ(setenv("LIBC_T", "two", 0), 0);
	UT_CHECK(strcmp(getenv("LIBC_T"), "one") == 0);
	UT_CHECK_EQ(setenv("LIBC_T", "two", 1), 0);
	UT_CHECK(strcmp(getenv("LIBC_T"), "two") == 0);
	bool listed = false;
	for (char **e = environ; *e; e++)
		listed |= strcmp(*e, "LIBC_T=two") == 0;
	UT_CHECK(listed);
	UT_CHECK_EQ(unsetenv("LIBC_T"), 0);
	UT_CHECK(getenv("LIBC_T") == NULL);
	UT_CHECK_EQ(setenv("", "x", 1), -1);
	UT_CHECK_EQ(errno, EINVAL);
	UT_CHECK_EQ(setenv("A=B", "x", 1), -1);
	UT_CHECK_EQ(unsetenv(""), -1);
	UT_CHECK(getenv("A=B") == NULL && getenv(NULL) == NULL);
}
