/*
 * The ELF64 executable checks (elf/elf.h).  Every read of the header bytes
 * is bounded by hdr_len before it is made, and every sum of two file
 * values is checked for overflow before it is compared.  Checking a
 * segment (elf_check_load) is separate from describing it for the loader
 * (elf_describe), which runs only on a segment that passed.
 */
#include <abi/as.h>
#include <abi/page.h>
#include <elf/elf.h>
#include <mem.h>
#include <stdbool.h>

#define ELF_PAGE_MASK ((uint64_t) PAGE_SIZE - 1)

static const struct {
	errno_t rc;
	const char *name;
} elf_errors[ELF_E_COUNT] = {
	[ELF_OK] = { EOK, "a valid executable" },
	[ELF_E_ARGS] = { EINVAL, "inconsistent bounds given to the parser" },
	[ELF_E_TRUNCATED] = { EINVAL, "shorter than the ELF header" },
	[ELF_E_MAGIC] = { EINVAL, "not an ELF file (bad magic)" },
	[ELF_E_CLASS] = { EINVAL, "not ELF64" },
	[ELF_E_DATA] = { EINVAL, "not little-endian" },
	[ELF_E_VERSION] = { EINVAL, "unknown ELF version" },
	[ELF_E_DYN] = { ENOTSUP, "position-independent (ET_DYN), only ET_EXEC runs" },
	[ELF_E_TYPE] = { EINVAL, "not an executable (e_type)" },
	[ELF_E_MACHINE] = { EINVAL, "not for x86-64" },
	[ELF_E_EHSIZE] = { EINVAL, "bad ELF header size" },
	[ELF_E_PHENTSIZE] = { EINVAL, "bad program header size" },
	[ELF_E_PHNUM] = { EINVAL, "no program headers, or too many" },
	[ELF_E_PHDRS] = { EINVAL, "program headers outside the file or misaligned" },
	[ELF_E_PHDRS_UNREAD] = { EINVAL, "program headers past the bytes read" },
	[ELF_E_INTERP] = { ENOTSUP, "needs a dynamic linker (PT_INTERP)" },
	[ELF_E_SEG_COUNT] = { EINVAL, "too many loadable segments" },
	[ELF_E_SEG_EMPTY] = { EINVAL, "a loadable segment of size 0" },
	[ELF_E_SEG_HUGE] = { EINVAL, "a segment larger than 1 GiB" },
	[ELF_E_SEG_FILESZ] = { EINVAL, "a segment's file size exceeds its memory size" },
	[ELF_E_SEG_FILE] = { EINVAL, "a segment beyond the end of the file" },
	[ELF_E_SEG_ALIGN] = { EINVAL, "a segment's p_align is broken" },
	[ELF_E_SEG_CONGRUENT] = { EINVAL, "a segment's address and offset differ within a page" },
	[ELF_E_SEG_RANGE] = { EINVAL, "a segment outside the user address range" },
	[ELF_E_SEG_WX] = { EPERM, "a segment both writable and executable" },
	[ELF_E_SEG_OVERLAP] = { EINVAL, "segments overlap or are out of order" },
	[ELF_E_NO_LOAD] = { EINVAL, "no loadable segment" },
	[ELF_E_ENTRY] = { EINVAL, "the entry point is in no executable segment" },
};

errno_t elf_error_errno(elf_error_t e)
{
	return (unsigned) e < ELF_E_COUNT ? elf_errors[e].rc : EINVAL;
}

const char *elf_error_name(elf_error_t e)
{
	return (unsigned) e < ELF_E_COUNT ? elf_errors[e].name : "unknown ELF error";
}

static elf_error_t elf_check_ident(const elf64_ehdr_t *eh)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
		return ELF_E_MAGIC;
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
		return ELF_E_CLASS;
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
		return ELF_E_DATA;
	if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
		return ELF_E_VERSION;
	return ELF_OK;
}

static elf_error_t elf_check_ehdr(const elf64_ehdr_t *eh, size_t hdr_len, uint64_t file_size)
{
	if (hdr_len < sizeof(*eh))
		return ELF_E_TRUNCATED;
	elf_error_t e = elf_check_ident(eh);
	if (e != ELF_OK)
		return e;
	if (eh->e_type == ELF_ET_DYN)
		return ELF_E_DYN;
	if (eh->e_type != ELF_ET_EXEC)
		return ELF_E_TYPE;
	if (eh->e_machine != ELF_EM_X86_64)
		return ELF_E_MACHINE;
	if (eh->e_ehsize != sizeof(*eh))
		return ELF_E_EHSIZE;
	if (eh->e_phentsize != sizeof(elf64_phdr_t))
		return ELF_E_PHENTSIZE;
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_PHNUM_MAX)
		return ELF_E_PHNUM;
	/* At most 64 * 56 bytes: no overflow. */
	uint64_t table = (uint64_t) eh->e_phnum * sizeof(elf64_phdr_t);
	if (eh->e_phoff > file_size || file_size - eh->e_phoff < table ||
	    eh->e_phoff % _Alignof(elf64_phdr_t) != 0)
		return ELF_E_PHDRS;
	if (eh->e_phoff > hdr_len || hdr_len - eh->e_phoff < table)
		return ELF_E_PHDRS_UNREAD;
	return ELF_OK;
}

static elf_error_t elf_check_load(
    const elf64_phdr_t *ph, uint64_t file_size, uint64_t floor, uint64_t top)
{
	if (ph->p_memsz == 0)
		return ELF_E_SEG_EMPTY;
	if (ph->p_memsz > ELF_SEGMENT_SIZE_MAX)
		return ELF_E_SEG_HUGE;
	if (ph->p_filesz > ph->p_memsz)
		return ELF_E_SEG_FILESZ;
	if (ph->p_offset > file_size || file_size - ph->p_offset < ph->p_filesz)
		return ELF_E_SEG_FILE;
	if ((ph->p_vaddr & ELF_PAGE_MASK) != (ph->p_offset & ELF_PAGE_MASK))
		return ELF_E_SEG_CONGRUENT;
	/* A power of two divides 2^64, so the difference modulo 2^64 keeps
	 * the residue. */
	if (ph->p_align > 1 &&
	    ((ph->p_align & (ph->p_align - 1)) != 0 ||
	        (ph->p_vaddr - ph->p_offset) % ph->p_align != 0))
		return ELF_E_SEG_ALIGN;
	/* Its bytes inside [floor, top); as both are page-aligned, so are
	 * its pages (vaddr rounded down, vaddr + memsz rounded up). */
	if (ph->p_vaddr < floor || ph->p_vaddr >= top || top - ph->p_vaddr < ph->p_memsz)
		return ELF_E_SEG_RANGE;
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return ELF_E_SEG_WX;
	return ELF_OK;
}

/* What the loader does with a checked segment (elf_segment_t). */
static elf_segment_t elf_describe(const elf64_phdr_t *ph)
{
	unsigned pf = ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
	elf_segment_t s = { .vaddr = ph->p_vaddr,
		.memsz = ph->p_memsz,
		.offset = ph->p_offset,
		.filesz = ph->p_filesz,
		.flags = pf,
		.rights = ((pf & ELF_PF_R) ? AS_AREA_READ : 0) |
		    ((pf & ELF_PF_W) ? AS_AREA_WRITE : 0) | ((pf & ELF_PF_X) ? AS_AREA_EXEC : 0) };
	s.base = s.vaddr & ~ELF_PAGE_MASK;
	s.size = ((s.vaddr + s.memsz + ELF_PAGE_MASK) & ~ELF_PAGE_MASK) - s.base;
	s.file_base = s.offset & ~ELF_PAGE_MASK;
	uint64_t file_end = s.vaddr + s.filesz;
	s.file_pages = s.filesz ? ((file_end + ELF_PAGE_MASK) & ~ELF_PAGE_MASK) - s.base : 0;
	/* Only a segment with bss after its file bytes clears the rest of
	 * their last page; a segment that ends with its file bytes shows
	 * whatever the file holds there, as the file's page does. */
	s.zero_from = s.filesz < s.memsz && s.filesz ? file_end : s.base + s.file_pages;
	s.bss_pages = s.size - s.file_pages;
	return s;
}

/* Segment @a s, the next after @a prev (NULL: the first), starts on a page
 * after the last page of @a prev. */
static bool elf_after(const elf_segment_t *prev, const elf_segment_t *s)
{
	return !prev || s->base >= prev->base + prev->size;
}

static bool elf_entry_ok(const elf_image_t *img)
{
	for (size_t i = 0; i < img->count; i++) {
		const elf_segment_t *s = &img->seg[i];
		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* Check and describe every program header into @a img. */
static elf_error_t elf_parse_phdrs(const elf64_phdr_t *ph, size_t phnum, uint64_t file_size,
    uint64_t floor, uint64_t top, elf_image_t *img)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == ELF_PT_INTERP)
			return ELF_E_INTERP;
		if (ph[i].p_type != ELF_PT_LOAD)
			continue;
		elf_error_t e = elf_check_load(&ph[i], file_size, floor, top);
		if (e != ELF_OK)
			return e;
		if (img->count == ELF_SEGMENTS_MAX)
			return ELF_E_SEG_COUNT;
		elf_segment_t s = elf_describe(&ph[i]);
		if (!elf_after(img->count ? &img->seg[img->count - 1] : NULL, &s))
			return ELF_E_SEG_OVERLAP;
		img->seg[img->count++] = s;
	}
	if (img->count == 0)
		return ELF_E_NO_LOAD;
	return elf_entry_ok(img) ? ELF_OK : ELF_E_ENTRY;
}

errno_t elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size, uint64_t floor, uint64_t top,
    elf_image_t *out, elf_error_t *why)
{
	const elf64_ehdr_t *eh = hdr;
	elf_image_t img;
	elf_error_t e = ELF_OK;

	if (hdr_len > file_size || floor >= top || (floor & ELF_PAGE_MASK) || (top & ELF_PAGE_MASK))
		e = ELF_E_ARGS;
	if (e == ELF_OK)
		e = elf_check_ehdr(eh, hdr_len, file_size);
	if (e == ELF_OK) {
		memset(&img, 0, sizeof(img));
		img.entry = eh->e_entry;
		const elf64_phdr_t *ph = (const elf64_phdr_t *) ((const char *) hdr + eh->e_phoff);
		e = elf_parse_phdrs(ph, eh->e_phnum, file_size, floor, top, &img);
	}
	if (why)
		*why = e;
	if (e == ELF_OK)
		*out = img;
	return elf_errors[e].rc;
}
