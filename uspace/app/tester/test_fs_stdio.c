/*
 * stdio on files: fopen's modes, fprintf and fgets round trips across
 * many buffers, fseek/ftell/rewind between reads and writes, fread and
 * fwrite larger than the buffer, ungetc, the end and error indicators,
 * setvbuf, and stdout redirected to a file with dup2.
 */
#include "fs.h"
#include "tester.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utest.h>

#define STDIO_LINES 2000
#define STDIO_BIG (300 * 1024)

/* STDIO_LINES lines by fprintf, read back by fgets. */
static void fs_stdio_lines(const char *path)
{
	char line[128], want[128];
	FILE *f = fopen(path, "w");
	UT_ASSERT(f != NULL);
	for (int i = 0; i < STDIO_LINES; i++)
		UT_ASSERT(fprintf(f, "line %d of the stdio test: %x\n", i, i * 7919) > 0);
	UT_CHECK_EQ(fclose(f), 0);
	f = fopen(path, "r");
	UT_ASSERT(f != NULL);
	for (int i = 0; i < STDIO_LINES; i++) {
		snprintf(want, sizeof(want), "line %d of the stdio test: %x\n", i, i * 7919);
		if (!UT_CHECK(fgets(line, sizeof(line), f) != NULL) ||
		    !UT_CHECK(strcmp(line, want) == 0))
			break;
	}
	UT_CHECK(fgets(line, sizeof(line), f) == NULL && feof(f) && !ferror(f));
	UT_CHECK_EQ(fgetc(f), EOF);
	UT_CHECK_EQ(fclose(f), 0);
	/* "a" appends; "r" sees the old lines, then the new one. */
	struct stat st;
	UT_ASSERT_EQ(stat(path, &st), 0);
	off_t old_size = st.st_size;
	f = fopen(path, "a");
	UT_ASSERT(f != NULL);
	UT_CHECK_EQ(fputs("appended\n", f), 0);
	UT_CHECK_EQ(ftell(f), old_size + 9);
	UT_CHECK_EQ(fclose(f), 0);
	UT_ASSERT_EQ(stat(path, &st), 0);
	UT_CHECK_EQ(st.st_size, old_size + 9);
	f = fopen(path, "r");
	UT_ASSERT(f != NULL);
	UT_CHECK_EQ(fseek(f, -9, SEEK_END), 0);
	UT_CHECK(fgets(line, sizeof(line), f) && strcmp(line, "appended\n") == 0);
	UT_CHECK_EQ(ftell(f), st.st_size);
	UT_CHECK_EQ(fclose(f), 0);
}

/* "w+" and "r+": reads and writes mixed, with and without seeks. */
static void fs_stdio_update(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "w+");
	UT_ASSERT(f != NULL);
	UT_CHECK_EQ(fwrite("0123456789", 1, 10, f), 10);
	UT_CHECK_EQ(ftell(f), 10);
	rewind(f);
	UT_CHECK(fread(buf, 1, 4, f) == 4 && memcmp(buf, "0123", 4) == 0);
	UT_CHECK_EQ(ftell(f), 4);
	UT_CHECK_EQ(fputc('X', f), 'X'); /* after a read: lands at 4 */
	UT_CHECK_EQ(ftell(f), 5);
	UT_CHECK_EQ(fgetc(f), '5');
	UT_CHECK_EQ(ungetc('u', f), 'u');
	UT_CHECK_EQ(ftell(f), 5);
	UT_CHECK_EQ(fgetc(f), 'u');
	UT_CHECK_EQ(fseek(f, 2, SEEK_CUR), 0);
	UT_CHECK_EQ(fgetc(f), '8');
	UT_CHECK_EQ(fclose(f), 0);
	UT_CHECK(fs_file_is(path, "0123X56789", 10));
	f = fopen(path, "r+");
	UT_ASSERT(f != NULL);
	UT_CHECK_EQ(fseek(f, 8, SEEK_SET), 0);
	UT_CHECK_EQ(fputs("ABCD", f), 0);
	UT_CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
	UT_CHECK(fread(buf, 1, sizeof(buf), f) == 12 && feof(f));
	UT_CHECK(memcmp(buf, "0123X567ABCD", 12) == 0);
	clearerr(f);
	UT_CHECK(!feof(f));
	UT_CHECK_EQ(fclose(f), 0);
	/* A read-only stream does not write. */
	f = fopen(path, "r");
	UT_ASSERT(f != NULL);
	UT_CHECK(fputc('x', f) == EOF && ferror(f) && errno == EBADF);
	UT_CHECK_EQ(fclose(f), 0);
}

/* fread and fwrite of more than a buffer; setvbuf unbuffered. */
static void fs_stdio_big(const char *path)
{
	uint8_t *buf = malloc(STDIO_BIG);
	struct stat st;
	UT_ASSERT(buf != NULL);
	fs_pattern_fill(buf, STDIO_BIG, 21, 0);
	FILE *f = fopen(path, "wb");
	if (UT_CHECK(f != NULL)) {
		UT_CHECK_EQ(fwrite(buf, 1, 100, f), 100);
		UT_CHECK_EQ(fwrite(buf + 100, 4, (STDIO_BIG - 100) / 4, f), (STDIO_BIG - 100) / 4);
		UT_CHECK_EQ(fclose(f), 0);
	}
	memset(buf, 0, STDIO_BIG);
	f = fopen(path, "rb");
	if (UT_CHECK(f != NULL)) {
		UT_CHECK_EQ(fread(buf, 1, 3, f), 3);
		UT_CHECK_EQ(fread(buf + 3, 1, STDIO_BIG, f), STDIO_BIG - 3);
		UT_CHECK(fs_pattern_check(buf, STDIO_BIG, 21, 0));
		UT_CHECK(feof(f));
		UT_CHECK_EQ(fclose(f), 0);
	}
	free(buf);
	f = fopen(path, "w");
	UT_ASSERT(f != NULL);
	UT_CHECK_EQ(setvbuf(f, NULL, _IONBF, 0), 0);
	UT_CHECK_EQ(fputs("now", f), 0);
	UT_CHECK(stat(path, &st) == 0 && st.st_size == 3);
	UT_CHECK_EQ(setvbuf(f, NULL, _IOFBF, 64), 0);
	UT_CHECK_EQ(fputs("later", f), 0);
	UT_CHECK(stat(path, &st) == 0 && st.st_size == 3);
	UT_CHECK(fflush(f) == 0 && stat(path, &st) == 0 && st.st_size == 8);
	UT_CHECK_EQ(fclose(f), 0);
}

/* stdout onto a file and back (our own TAP output goes to stdout: the
 * checks come after it is back). */
static void fs_stdio_redirect(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	fflush(stdout);
	int saved = dup(1);
	int r1 = dup2(fd, 1);
	int p1 = printf("to the file: %d\n", 42);
	int f1 = fflush(stdout);
	int r2 = dup2(saved, 1);
	UT_CHECK(saved >= 0 && r1 == 1 && p1 == 16 && f1 == 0 && r2 == 1);
	UT_CHECK(isatty(1) == 1);
	UT_CHECK(close(saved) == 0 && close(fd) == 0);
	UT_CHECK(fs_file_is(path, "to the file: 42\n", 16));
}

UTEST(hw_fs_stdio)
{
	char dir[64], path[96];
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "stdio");
	UT_ASSERT(fs_dir_fresh(dir));
	snprintf(path, sizeof(path), "%s/lines", dir);
	fs_stdio_lines(path);
	snprintf(path, sizeof(path), "%s/update", dir);
	fs_stdio_update(path);
	snprintf(path, sizeof(path), "%s/big", dir);
	fs_stdio_big(path);
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fs_stdio_redirect(path);
	UT_CHECK(fopen(dir, "w") == NULL && errno == EISDIR);
	snprintf(path, sizeof(path), "%s/missing", dir);
	UT_CHECK(fopen(path, "r") == NULL && errno == ENOENT);
	FILE *f = fopen(path, "wx");
	UT_CHECK(f != NULL && fclose(f) == 0);
	UT_CHECK(fopen(path, "wx") == NULL && errno == EEXIST);
	UT_CHECK_EQ(remove(path), 0);
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}
