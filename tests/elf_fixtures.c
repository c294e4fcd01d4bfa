/* Malformed ELF64 files, one rule broken each (see elf_fixtures.h). */
#include "elf_fixtures.h"
#include <string.h>

#define TEXT_VA 0x401000UL
#define DATA_VA 0x402000UL

elf64_ehdr_t *elf_file_ehdr(elf_file_t *f)
{
	return (elf64_ehdr_t *) f->bytes;
}

elf64_phdr_t *elf_file_phdr(elf_file_t *f, size_t i)
{
	return (elf64_phdr_t *) (f->bytes + sizeof(elf64_ehdr_t)) + i;
}

void elf_file_good(elf_file_t *f)
{
	memset(f, 0, sizeof(*f));
	elf64_ehdr_t *eh = elf_file_ehdr(f);
	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh->e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh->e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh->e_type = ELF_ET_EXEC;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = ELF_EV_CURRENT;
	eh->e_entry = TEXT_VA + 0x10;
	eh->e_phoff = sizeof(elf64_ehdr_t);
	eh->e_ehsize = sizeof(elf64_ehdr_t);
	eh->e_phentsize = sizeof(elf64_phdr_t);
	eh->e_phnum = 3;
	*elf_file_phdr(f, 0) = (elf64_phdr_t){ .p_type = ELF_PT_LOAD,
		.p_flags = ELF_PF_R | ELF_PF_X,
		.p_offset = 0x1000,
		.p_vaddr = TEXT_VA,
		.p_paddr = TEXT_VA,
		.p_filesz = 0x100,
		.p_memsz = 0x100,
		.p_align = 0x1000 };
	*elf_file_phdr(
	    f, 1) = (elf64_phdr_t){ .p_type = 0x6474e551, .p_flags = ELF_PF_R | ELF_PF_W };
	*elf_file_phdr(f, 2) = (elf64_phdr_t){ .p_type = ELF_PT_LOAD,
		.p_flags = ELF_PF_R | ELF_PF_W,
		.p_offset = 0x2000,
		.p_vaddr = DATA_VA,
		.p_paddr = DATA_VA,
		.p_filesz = 0x80,
		.p_memsz = 0x1800,
		.p_align = 0x1000 };
	/* The text: "mov $-1, %eax; ud2" at the entry, int3 elsewhere. */
	memset(f->bytes + 0x1000, 0xcc, 0x100);
	memcpy(f->bytes + 0x1010, "\xb8\xff\xff\xff\xff\x0f\x0b", 7);
	memset(f->bytes + 0x2000, 0x5a, 0x80);
	f->len = 0x2080;
}

#define EH (elf_file_ehdr(f))
#define PH(i) (elf_file_phdr(f, (i)))

static void f_empty(elf_file_t *f)
{
	f->len = 0;
}
static void f_truncated_header(elf_file_t *f)
{
	f->len = 40;
}
static void f_magic(elf_file_t *f)
{
	EH->e_ident[1] = 'e';
}
static void f_elf32(elf_file_t *f)
{
	EH->e_ident[ELF_EI_CLASS] = 1;
}
static void f_big_endian(elf_file_t *f)
{
	EH->e_ident[ELF_EI_DATA] = 2;
}
static void f_version(elf_file_t *f)
{
	EH->e_version = 2;
}
static void f_pie(elf_file_t *f)
{
	EH->e_type = ELF_ET_DYN;
}
static void f_relocatable(elf_file_t *f)
{
	EH->e_type = 1; /* ET_REL */
}
static void f_machine(elf_file_t *f)
{
	EH->e_machine = 183; /* EM_AARCH64 */
}
static void f_ehsize(elf_file_t *f)
{
	EH->e_ehsize = 52;
}
static void f_phentsize(elf_file_t *f)
{
	EH->e_phentsize = 32;
}
static void f_phnum_zero(elf_file_t *f)
{
	EH->e_phnum = 0;
}
static void f_phnum_huge(elf_file_t *f)
{
	EH->e_phnum = 0xffff;
}
static void f_phdrs_beyond_file(elf_file_t *f)
{
	EH->e_phoff = f->len - 100;
}
static void f_phdrs_truncated(elf_file_t *f)
{
	f->len = sizeof(elf64_ehdr_t) + sizeof(elf64_phdr_t) + 20;
}
static void f_phdrs_misaligned(elf_file_t *f)
{
	memmove(f->bytes + 0x41, f->bytes + 0x40, 3 * sizeof(elf64_phdr_t));
	EH->e_phoff = 0x41;
}
static void f_interp(elf_file_t *f)
{
	PH(1)->p_type = ELF_PT_INTERP;
}
static void f_beyond_file(elf_file_t *f)
{
	PH(2)->p_filesz = 0x1000; /* the file ends 0x80 bytes in */
}
static void f_offset_huge(elf_file_t *f)
{
	PH(2)->p_offset = UINT64_MAX - 0xfff; /* offset + filesz wraps */
}
static void f_filesz_over_memsz(elf_file_t *f)
{
	PH(2)->p_memsz = 0x40;
}
static void f_misaligned_offset(elf_file_t *f)
{
	PH(2)->p_offset = 0x1f80; /* not congruent with 0x402000 */
}
static void f_bad_align(elf_file_t *f)
{
	PH(0)->p_align = 0x3000;
}
static void f_align_incongruent(elf_file_t *f)
{
	PH(0)->p_align = 0x200000; /* 0x401000 - 0x1000 is no multiple */
	PH(0)->p_vaddr = TEXT_VA + 0x1000;
	EH->e_entry += 0x1000;
}
static void f_huge_memsz(elf_file_t *f)
{
	PH(2)->p_memsz = 0xffffffffffff0000ULL;
}
static void f_just_too_big(elf_file_t *f)
{
	PH(2)->p_memsz = ELF_SEGMENT_SIZE_MAX + 1;
}
static void f_null_page(elf_file_t *f)
{
	PH(0)->p_vaddr = 0x1000;
	EH->e_entry = 0x1010;
}
static void f_kernel_half(elf_file_t *f)
{
	PH(2)->p_vaddr = 0xffff800000002000ULL;
}
static void f_past_user_top(elf_file_t *f)
{
	PH(2)->p_vaddr = 0x00007fffffffe000ULL; /* ends past AS_USER_TOP */
	PH(2)->p_memsz = 0x2000;
}
static void f_wx(elf_file_t *f)
{
	PH(0)->p_flags |= ELF_PF_W;
}
static void f_overlap(elf_file_t *f)
{
	PH(2)->p_vaddr = TEXT_VA; /* same page as the text */
}
static void f_overlap_page(elf_file_t *f)
{
	PH(0)->p_memsz = 0x1001; /* the text's last page is the data's first */
}
static void f_unsorted(elf_file_t *f)
{
	elf64_phdr_t t = *PH(0);
	*PH(0) = *PH(2);
	*PH(2) = t;
}
static void f_entry_outside(elf_file_t *f)
{
	EH->e_entry = 0x500000;
}
static void f_entry_in_data(elf_file_t *f)
{
	EH->e_entry = DATA_VA + 0x10;
}
static void f_entry_past_text(elf_file_t *f)
{
	EH->e_entry = TEXT_VA + 0x100; /* one past the text's last byte */
}
static void f_no_load(elf_file_t *f)
{
	PH(0)->p_type = PH(2)->p_type = 4; /* PT_NOTE */
}
static void f_empty_segment(elf_file_t *f)
{
	PH(2)->p_memsz = PH(2)->p_filesz = 0;
}
static void f_too_many_segments(elf_file_t *f)
{
	EH->e_phnum = ELF_SEGMENTS_MAX + 1;
	for (size_t i = 1; i < ELF_SEGMENTS_MAX + 1; i++)
		*PH(i) = (elf64_phdr_t){ .p_type = ELF_PT_LOAD,
			.p_flags = ELF_PF_R,
			.p_offset = 0x2000,
			.p_vaddr = DATA_VA + i * 0x1000,
			.p_filesz = 0x80,
			.p_memsz = 0x80 };
}

const elf_fixture_t elf_fixtures[] = {
	{ "empty.elf", ELF_E_TRUNCATED, f_empty },
	{ "truncated-header.elf", ELF_E_TRUNCATED, f_truncated_header },
	{ "bad-magic.elf", ELF_E_MAGIC, f_magic },
	{ "elf32.elf", ELF_E_CLASS, f_elf32 },
	{ "big-endian.elf", ELF_E_DATA, f_big_endian },
	{ "bad-version.elf", ELF_E_VERSION, f_version },
	{ "pie.elf", ELF_E_DYN, f_pie },
	{ "relocatable.elf", ELF_E_TYPE, f_relocatable },
	{ "aarch64.elf", ELF_E_MACHINE, f_machine },
	{ "bad-ehsize.elf", ELF_E_EHSIZE, f_ehsize },
	{ "bad-phentsize.elf", ELF_E_PHENTSIZE, f_phentsize },
	{ "no-phdrs.elf", ELF_E_PHNUM, f_phnum_zero },
	{ "too-many-phdrs.elf", ELF_E_PHNUM, f_phnum_huge },
	{ "phdrs-beyond-file.elf", ELF_E_PHDRS, f_phdrs_beyond_file },
	{ "phdrs-truncated.elf", ELF_E_PHDRS, f_phdrs_truncated },
	{ "phdrs-misaligned.elf", ELF_E_PHDRS, f_phdrs_misaligned },
	{ "interp.elf", ELF_E_INTERP, f_interp },
	{ "segment-beyond-file.elf", ELF_E_SEG_FILE, f_beyond_file },
	{ "segment-offset-wraps.elf", ELF_E_SEG_FILE, f_offset_huge },
	{ "filesz-over-memsz.elf", ELF_E_SEG_FILESZ, f_filesz_over_memsz },
	{ "misaligned-offset.elf", ELF_E_SEG_CONGRUENT, f_misaligned_offset },
	{ "bad-align.elf", ELF_E_SEG_ALIGN, f_bad_align },
	{ "align-incongruent.elf", ELF_E_SEG_ALIGN, f_align_incongruent },
	{ "huge-memsz.elf", ELF_E_SEG_HUGE, f_huge_memsz },
	{ "memsz-over-limit.elf", ELF_E_SEG_HUGE, f_just_too_big },
	{ "null-page.elf", ELF_E_SEG_RANGE, f_null_page },
	{ "kernel-half.elf", ELF_E_SEG_RANGE, f_kernel_half },
	{ "past-user-top.elf", ELF_E_SEG_RANGE, f_past_user_top },
	{ "wx-segment.elf", ELF_E_SEG_WX, f_wx },
	{ "overlapping-segments.elf", ELF_E_SEG_OVERLAP, f_overlap },
	{ "shared-page.elf", ELF_E_SEG_OVERLAP, f_overlap_page },
	{ "unsorted-segments.elf", ELF_E_SEG_OVERLAP, f_unsorted },
	{ "entry-outside.elf", ELF_E_ENTRY, f_entry_outside },
	{ "entry-in-data.elf", ELF_E_ENTRY, f_entry_in_data },
	{ "entry-past-text.elf", ELF_E_ENTRY, f_entry_past_text },
	{ "no-load.elf", ELF_E_NO_LOAD, f_no_load },
	{ "empty-segment.elf", ELF_E_SEG_EMPTY, f_empty_segment },
	{ "too-many-segments.elf", ELF_E_SEG_COUNT, f_too_many_segments },
};

const size_t elf_fixture_count = sizeof(elf_fixtures) / sizeof(elf_fixtures[0]);

void elf_fixture_build(size_t i, elf_file_t *f)
{
	elf_file_good(f);
	elf_fixtures[i].make(f);
}
