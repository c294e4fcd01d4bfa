/*
 * Malformed ELF64 files, made in memory: each breaks one rule of
 * common/'s elf_parse (elf/elf.h) and names the refusal it must get.  The
 * host test (test_elf.c) parses each; the writer (elf_fixtures_write.c)
 * writes them as files for the root image's /test/elf/, where an in-guest
 * test can hand them to the user-space loader.
 *
 * Every fixture starts from the same valid file (elf_file_good): the
 * header and three program headers at 0, a text segment (R+X) at
 * 0x401000 from offset 0x1000, a PT_GNU_STACK header (ignored) and a data
 * segment (R+W) at 0x402000 from offset 0x2000 with bss after its 0x80
 * file bytes; the entry point is in the text.
 */
#ifndef TESTS_ELF_FIXTURES_H_
#define TESTS_ELF_FIXTURES_H_

#include <elf/elf.h>
#include <stddef.h>

#define ELF_FILE_MAX 0x3000

typedef struct elf_file {
	unsigned char bytes[ELF_FILE_MAX];
	size_t len; /* the file's size */
} elf_file_t;

typedef struct elf_fixture {
	const char *name; /* file name, e.g. "segment-beyond-file.elf" */
	elf_error_t want; /* what elf_parse must say */
	void (*make)(elf_file_t *f); /* change the good file */
} elf_fixture_t;

/* The valid file every fixture starts from. */
void elf_file_good(elf_file_t *f);
/* Its file header and program headers (inside f->bytes). */
elf64_ehdr_t *elf_file_ehdr(elf_file_t *f);
elf64_phdr_t *elf_file_phdr(elf_file_t *f, size_t i);

extern const elf_fixture_t elf_fixtures[];
extern const size_t elf_fixture_count;

/* Build fixture @a i into @a f. */
void elf_fixture_build(size_t i, elf_file_t *f);

#endif
