/*
 * ELF64 executables for amd64: the one checked parser of both loaders (the
 * kernel's, for boot modules in memory, and the user-space loader's, for
 * files).
 *
 * elf_parse reads the file header and the program headers from the first
 * @a hdr_len bytes of the file (all of it, for an image in memory; the
 * first page or so, for a file) and checks every field a loader relies on
 * against the whole file's @a file_size and the address range a task may
 * use, [floor, top) (the user half: AS_USER_FLOOR, AS_USER_TOP of
 * abi/as.h).  It reads nothing outside those bytes, whatever they hold.
 * A file it refuses gets an errno_t (EINVAL malformed, EPERM a segment
 * both writable and executable, ENOTSUP well-formed but of a kind no
 * loader here runs) and, in *why, the one rule it broke (elf_error_t,
 * named by elf_error_name); *out is untouched.  What it accepts:
 *
 *  - ident: the magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT; e_version
 *    EV_CURRENT; e_type ET_EXEC (ET_DYN, a position-independent
 *    executable or a shared object, is refused: ENOTSUP); e_machine
 *    x86-64; e_ehsize 64;
 *  - program headers of the ELF64 size, 1 to ELF_PHNUM_MAX of them, the
 *    table 8-byte aligned, inside the file and inside the bytes given
 *    (ELF_E_PHDRS_UNREAD: inside the file but not given: read more);
 *  - no PT_INTERP (a dynamic linker is needed: ENOTSUP); other types than
 *    PT_LOAD are ignored;
 *  - 1 to ELF_SEGMENTS_MAX PT_LOAD segments, each with 0 < memsz <=
 *    ELF_SEGMENT_SIZE_MAX, filesz <= memsz, its file bytes [offset,
 *    offset + filesz) inside the file, p_align 0, 1 or a power of two
 *    with vaddr congruent to offset modulo it, vaddr congruent to offset
 *    modulo the page size (its pages are then the file's pages, so they
 *    can be mapped straight from the file), its pages inside [floor,
 *    top) (vaddr + memsz computed without overflow), not both writable
 *    and executable; in ascending address order, no page shared by two;
 *  - an entry point inside an executable segment.
 *
 * What it gives back (elf_image_t) is what a loader acts on without
 * checking again: for each segment the area (page-aligned), its rights,
 * which of its pages come from which page of the file, the tail of the
 * last file page that must read as zeros, and the anonymous (bss) pages
 * after the file's.
 */
#ifndef COMMON_ELF_ELF_H_
#define COMMON_ELF_ELF_H_

#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_EI_NIDENT 16
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_EV_CURRENT 1
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PT_INTERP 3
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
/* The largest segment in memory (1 GiB): a bigger one is a corrupt or
 * hostile file, not a program. */
#define ELF_SEGMENT_SIZE_MAX (1ULL << 30)

/* The rule a refused file broke (elf_parse's *why). */
typedef enum elf_error {
	ELF_OK = 0,
	ELF_E_ARGS, /* the caller's own bounds are inconsistent */
	ELF_E_TRUNCATED, /* shorter than the file header */
	ELF_E_MAGIC, /* not an ELF file */
	ELF_E_CLASS, /* not ELF64 */
	ELF_E_DATA, /* not little-endian */
	ELF_E_VERSION, /* EI_VERSION or e_version is not EV_CURRENT */
	ELF_E_DYN, /* ET_DYN: position-independent or shared (ENOTSUP) */
	ELF_E_TYPE, /* not an executable (ET_EXEC) */
	ELF_E_MACHINE, /* not x86-64 */
	ELF_E_EHSIZE, /* e_ehsize is not 64 */
	ELF_E_PHENTSIZE, /* program headers of another size */
	ELF_E_PHNUM, /* no program header, or more than ELF_PHNUM_MAX */
	ELF_E_PHDRS, /* the table is not inside the file (or not aligned) */
	ELF_E_PHDRS_UNREAD, /* the table is past the bytes given */
	ELF_E_INTERP, /* PT_INTERP: needs a dynamic linker (ENOTSUP) */
	ELF_E_SEG_COUNT, /* more than ELF_SEGMENTS_MAX PT_LOAD */
	ELF_E_SEG_EMPTY, /* a PT_LOAD of memsz 0 */
	ELF_E_SEG_HUGE, /* memsz above ELF_SEGMENT_SIZE_MAX */
	ELF_E_SEG_FILESZ, /* filesz > memsz */
	ELF_E_SEG_FILE, /* its file bytes are not inside the file */
	ELF_E_SEG_ALIGN, /* p_align not a power of two, or vaddr and offset
			  * not congruent modulo it */
	ELF_E_SEG_CONGRUENT, /* vaddr and offset differ modulo the page size */
	ELF_E_SEG_RANGE, /* not inside [floor, top) */
	ELF_E_SEG_WX, /* writable and executable (EPERM) */
	ELF_E_SEG_OVERLAP, /* shares a page with, or lies below, the one before */
	ELF_E_NO_LOAD, /* no PT_LOAD at all */
	ELF_E_ENTRY, /* the entry point is in no executable segment */
	ELF_E_COUNT
} elf_error_t;

/* One loadable segment, as the loader maps it.  All addresses and sizes
 * below "what the file says" are page-aligned. */
typedef struct elf_segment {
	/* What the file says. */
	uint64_t vaddr; /* where the segment's first byte goes */
	uint64_t memsz; /* its size in memory (the bss beyond filesz is zero) */
	uint64_t offset; /* where its bytes are in the file */
	uint64_t filesz; /* how many bytes the file has (<= memsz) */
	unsigned flags; /* ELF_PF_R | ELF_PF_W | ELF_PF_X */
	/* The area: [base, base + size), with rights AS_AREA_* (abi/as.h). */
	unsigned rights;
	uint64_t base, size;
	/* Its first file_pages bytes, [base, base + file_pages), are the
	 * file's bytes [file_base, file_base + file_pages): the pages that
	 * hold [offset, offset + filesz).  The last of them may reach past
	 * the file's end (those bytes read as zeros).  0 when filesz is 0. */
	uint64_t file_base, file_pages;
	/* Bytes [zero_from, base + file_pages) of the last file page are past
	 * the segment's file bytes and must read as zeros (a private copy of
	 * that page); zero_from == base + file_pages: nothing to clear. */
	uint64_t zero_from;
	/* [base + file_pages, base + size): anonymous zero pages (bss). */
	uint64_t bss_pages;
} elf_segment_t;

typedef struct elf_image {
	uint64_t entry;
	size_t count; /* segments, in ascending address order */
	elf_segment_t seg[ELF_SEGMENTS_MAX];
} elf_image_t;

/* Check an executable (see above): EOK and *out; EINVAL, EPERM, ENOTSUP
 * and the broken rule in *why (if @a why is not NULL; ELF_OK on EOK). */
errno_t elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size, uint64_t floor, uint64_t top,
    elf_image_t *out, elf_error_t *why);
/* The errno_t elf_parse returns for @a e (EOK for ELF_OK). */
errno_t elf_error_errno(elf_error_t e);
/* A short description of @a e ("segment beyond the end of the file"). */
const char *elf_error_name(elf_error_t e);

#endif
