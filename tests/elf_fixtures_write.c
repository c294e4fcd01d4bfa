/*
 * Write the malformed ELF files of elf_fixtures.c into a directory, for
 * the root image (tools/mkrootfs.sh puts them under /test/elf/): one file
 * per fixture, the valid file they start from as valid-ud2.elf (its
 * entry point executes ud2: a loader that accepts it starts a task that
 * dies of an invalid opcode at 0x401015), and index.txt, one line per
 * file: its name, the errno name the loader must return (EOK for the
 * valid one) and the rule it breaks (elf_error_name).
 *
 *   elf_fixtures_write DIR FILE...
 *
 * FILE... are the paths the build expects (meson's outputs): the run
 * fails unless it writes exactly those, so a fixture added to
 * elf_fixtures.c must be named in elf-fixtures/meson.build too.
 */
#include "elf_fixtures.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int expected_count;
static char **expected;
static int written;

/* Whether @a name is one of the expected outputs (by its last component). */
static bool file_expected(const char *name)
{
	for (int i = 0; i < expected_count; i++) {
		const char *base = strrchr(expected[i], '/');
		if (strcmp(base ? base + 1 : expected[i], name) == 0)
			return true;
	}
	return false;
}

static int file_write(const char *dir, const char *name, const elf_file_t *f)
{
	char path[4096];
	if (!file_expected(name)) {
		fprintf(stderr, "elf_fixtures_write: %s is not named in elf-fixtures/meson.build\n",
		    name);
		return -1;
	}
	written++;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *out = fopen(path, "wb");
	if (!out || fwrite(f->bytes, 1, f->len, out) != f->len || fclose(out) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static elf_file_t f;
	char path[4096];
	if (argc < 3) {
		fprintf(stderr, "usage: elf_fixtures_write DIR FILE...\n");
		return 2;
	}
	expected = argv + 2;
	expected_count = argc - 2;
	snprintf(path, sizeof(path), "%s/index.txt", argv[1]);
	FILE *index = fopen(path, "w");
	if (!index) {
		perror(path);
		return 1;
	}
	elf_file_good(&f);
	if (file_write(argv[1], "valid-ud2.elf", &f) != 0)
		return 1;
	fprintf(index, "valid-ud2.elf EOK %s\n", elf_error_name(ELF_OK));
	for (size_t i = 0; i < elf_fixture_count; i++) {
		elf_fixture_build(i, &f);
		if (file_write(argv[1], elf_fixtures[i].name, &f) != 0)
			return 1;
		fprintf(index, "%s %s %s\n", elf_fixtures[i].name,
		    errno_name(elf_error_errno(elf_fixtures[i].want)),
		    elf_error_name(elf_fixtures[i].want));
	}
	if (fclose(index) != 0)
		return 1;
	if (written + 1 != expected_count) { /* index.txt besides the files */
		fprintf(stderr, "elf_fixtures_write: %d files written, %d expected\n", written,
		    expected_count - 1);
		return 1;
	}
	return 0;
}
