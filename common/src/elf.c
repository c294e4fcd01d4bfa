/*
 * The ELF64 executable checks (elf/elf.h).  Every read of the header bytes
 * is bounded by hdr_len before it is made, and every sum of two file
 * values is checked for overflow before it is compared.
 */
#include <abi/page.h>
#include <elf/elf.h>
#include <mem.h>
#include <stdbool.h>

static errno_t elf_check_ehdr(const elf64_ehdr_t *eh, size_t hdr_len)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	if (hdr_len < sizeof(*eh) || memcmp(eh->e_ident, magic, sizeof(magic)) != 0 ||
	    eh->e_ident[4] != ELF_CLASS64 || eh->e_ident[5] != ELF_DATA2LSB ||
	    eh->e_type != ELF_ET_EXEC || eh->e_machine != ELF_EM_X86_64 ||
	    eh->e_phentsize != sizeof(elf64_phdr_t) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_PHNUM_MAX)
		return EINVAL;
	/* The program headers lie inside the bytes we were given. */
	if (eh->e_phoff > hdr_len || (hdr_len - eh->e_phoff) / sizeof(elf64_phdr_t) < eh->e_phnum)
		return EINVAL;
	if (eh->e_phoff % _Alignof(elf64_phdr_t) != 0)
		return EINVAL;
	return EOK;
}

static errno_t elf_check_load(
    const elf64_phdr_t *ph, uint64_t file_size, uint64_t floor, uint64_t top)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_memsz == 0)
		return EINVAL;
	if (ph->p_offset > file_size || file_size - ph->p_offset < ph->p_filesz)
		return EINVAL;
	if ((ph->p_vaddr & (PAGE_SIZE - 1)) != (ph->p_offset & (PAGE_SIZE - 1)))
		return EINVAL;
	/* Its bytes inside [floor, top); as both are page-aligned, so are
	 * its pages (vaddr rounded down, vaddr + memsz rounded up). */
	if (ph->p_vaddr < floor || ph->p_vaddr >= top || top - ph->p_vaddr < ph->p_memsz)
		return EINVAL;
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return EPERM;
	return EOK;
}

/* Segment @a s, the next after @a prev (NULL: the first), starts on a page
 * after the last page of @a prev. */
static bool elf_after(const elf_segment_t *prev, const elf_segment_t *s)
{
	if (!prev)
		return true;
	uint64_t prev_last = (prev->vaddr + prev->memsz - 1) & ~(PAGE_SIZE - 1);
	return (s->vaddr & ~(PAGE_SIZE - 1)) > prev_last;
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

errno_t elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size, uint64_t floor, uint64_t top,
    elf_image_t *out)
{
	const elf64_ehdr_t *eh = hdr;
	if (hdr_len > file_size || floor >= top || floor % PAGE_SIZE || top % PAGE_SIZE)
		return EINVAL;
	errno_t rc = elf_check_ehdr(eh, hdr_len);
	if (rc != EOK)
		return rc;
	const elf64_phdr_t *ph = (const elf64_phdr_t *) ((const char *) hdr + eh->e_phoff);
	elf_image_t img = { .entry = eh->e_entry };
	for (size_t i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != ELF_PT_LOAD)
			continue;
		rc = elf_check_load(&ph[i], file_size, floor, top);
		if (rc != EOK)
			return rc;
		if (img.count == ELF_SEGMENTS_MAX)
			return EINVAL;
		elf_segment_t s = { .vaddr = ph[i].p_vaddr,
			.memsz = ph[i].p_memsz,
			.offset = ph[i].p_offset,
			.filesz = ph[i].p_filesz,
			.flags = ph[i].p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X) };
		if (!elf_after(img.count ? &img.seg[img.count - 1] : NULL, &s))
			return EINVAL;
		img.seg[img.count++] = s;
	}
	if (img.count == 0 || !elf_entry_ok(&img))
		return EINVAL;
	*out = img;
	return EOK;
}
