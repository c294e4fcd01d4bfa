/*
 * ELF64 executables for amd64: the checks both loaders make (the kernel's,
 * for boot modules in memory, and the user-space loader's, for files).
 *
 * elf_parse reads the file header and the program headers from the first
 * @a hdr_len bytes of the file (all of it, for an image in memory; the
 * first page or so, for a file) and checks every loadable segment against
 * the whole file's @a file_size and the address range a task may use.  It
 * reads nothing outside those bytes, whatever they hold: a malformed file
 * gets EINVAL (EPERM for a segment both writable and executable) and
 * nothing else happens.  What it accepts:
 *
 *  - ELF64, little-endian, x86-64, ET_EXEC, program headers of the ELF64
 *    size lying inside the bytes given;
 *  - 1 to ELF_SEGMENTS_MAX PT_LOAD segments (other types are ignored), each
 *    with filesz <= memsz, memsz > 0, its file bytes inside the file, its
 *    vaddr congruent to its offset modulo the page size (so its pages can
 *    be mapped straight from the file's pages), its pages inside
 *    [floor, top), and in ascending order with no page shared by two
 *    segments;
 *  - an entry point inside an executable segment.
 */
#ifndef COMMON_ELF_ELF_H_
#define COMMON_ELF_ELF_H_

#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_EI_NIDENT 16
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_ET_EXEC 2
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

typedef struct elf64_ehdr {
	unsigned char e_ident[ELF_EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} elf64_ehdr_t;

typedef struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} elf64_phdr_t;

_Static_assert(sizeof(elf64_ehdr_t) == 64, "the ELF64 file header");
_Static_assert(sizeof(elf64_phdr_t) == 56, "the ELF64 program header");

/* Most loadable segments a program may have (text, rodata, data, ...). */
#define ELF_SEGMENTS_MAX 8
/* Most program headers of any type. */
#define ELF_PHNUM_MAX 64

typedef struct elf_segment {
	uint64_t vaddr; /* where the segment's first byte goes */
	uint64_t memsz; /* its size in memory (the bss beyond filesz is zero) */
	uint64_t offset; /* where its bytes are in the file */
	uint64_t filesz; /* how many bytes the file has (<= memsz) */
	unsigned flags; /* ELF_PF_R | ELF_PF_W | ELF_PF_X */
} elf_segment_t;

typedef struct elf_image {
	uint64_t entry;
	size_t count; /* segments, in ascending address order */
	elf_segment_t seg[ELF_SEGMENTS_MAX];
} elf_image_t;

/* Check an executable (see above): EOK and *out, EINVAL, EPERM. */
errno_t elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size, uint64_t floor, uint64_t top,
    elf_image_t *out);

#endif
