/*
 * Host unit test of common/'s ELF64 executable checks (common/src/elf.c),
 * which the kernel's boot-module loader uses and the user-space loader
 * will: a well-formed image is accepted with the right segments; each rule
 * of elf/elf.h, broken alone, is refused; and a seeded run of random
 * corruptions of the headers (under ASan/UBSan: nothing is read outside
 * the bytes given) either is refused or yields an image for which every
 * rule holds, checked here independently.
 */
#include "tap.h"
#include <abi/page.h>
#include <elf/elf.h>
#include <lib/prng.h>
#include <stdlib.h>
#include <string.h>

#define FLOOR 0x10000UL
#define TOP 0x00007ffffffff000UL
#define FILE_SIZE 0x3000UL

/* A two-segment executable: text (R+X) at 0x400000 from offset 0, data
 * (R+W) at 0x401100 from offset 0x1100 with 0x800 bytes of bss. */
typedef struct image {
	elf64_ehdr_t eh;
	elf64_phdr_t ph[3];
	unsigned char rest[FILE_SIZE - sizeof(elf64_ehdr_t) - 3 * sizeof(elf64_phdr_t)];
} image_t;

static void image_make(image_t *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, "\177ELF", 4);
	im->eh.e_ident[4] = ELF_CLASS64;
	im->eh.e_ident[5] = ELF_DATA2LSB;
	im->eh.e_type = ELF_ET_EXEC;
	im->eh.e_machine = ELF_EM_X86_64;
	im->eh.e_entry = 0x400080;
	im->eh.e_phoff = sizeof(elf64_ehdr_t);
	im->eh.e_phentsize = sizeof(elf64_phdr_t);
	im->eh.e_phnum = 3;
	im->ph[0] = (elf64_phdr_t){ .p_type = ELF_PT_LOAD,
		.p_flags = ELF_PF_R | ELF_PF_X,
		.p_offset = 0,
		.p_vaddr = 0x400000,
		.p_filesz = 0x1000,
		.p_memsz = 0x1000 };
	im->ph[1] = (elf64_phdr_t){ .p_type = 0x6474e551 }; /* PT_GNU_STACK: ignored */
	im->ph[2] = (elf64_phdr_t){ .p_type = ELF_PT_LOAD,
		.p_flags = ELF_PF_R | ELF_PF_W,
		.p_offset = 0x1100,
		.p_vaddr = 0x401100,
		.p_filesz = 0x1000,
		.p_memsz = 0x1800 };
}

static errno_t parse(const image_t *im, elf_image_t *out)
{
	return elf_parse(im, sizeof(*im), sizeof(*im), FLOOR, TOP, out);
}

static bool elf_accepts_good(void)
{
	image_t im;
	elf_image_t out;
	image_make(&im);
	TAP_CHECK_EQ(parse(&im, &out), EOK);
	TAP_CHECK_EQ(out.entry, 0x400080);
	TAP_CHECK_EQ(out.count, 2);
	TAP_CHECK_EQ(out.seg[0].vaddr, 0x400000);
	TAP_CHECK_EQ(out.seg[0].flags, ELF_PF_R | ELF_PF_X);
	TAP_CHECK_EQ(out.seg[1].offset, 0x1100);
	TAP_CHECK_EQ(out.seg[1].filesz, 0x1000);
	TAP_CHECK_EQ(out.seg[1].memsz, 0x1800);
	/* Only the headers in memory, the rest of the file elsewhere. */
	TAP_CHECK_EQ(elf_parse(&im, 0x100, FILE_SIZE, FLOOR, TOP, &out), EOK);
	return true;
}

/* One broken rule: @a mutate changes a good image; the parse must fail
 * with @a want and leave *out untouched. */
static bool refused(void (*mutate)(image_t *), errno_t want)
{
	image_t im;
	elf_image_t out, before;
	image_make(&im);
	mutate(&im);
	memset(&out, 0xa5, sizeof(out));
	before = out;
	TAP_CHECK_EQ(parse(&im, &out), want);
	TAP_CHECK(memcmp(&out, &before, sizeof(out)) == 0);
	return true;
}

static void m_magic(image_t *im)
{
	im->eh.e_ident[1] = 'e';
}
static void m_class(image_t *im)
{
	im->eh.e_ident[4] = 1;
}
static void m_endian(image_t *im)
{
	im->eh.e_ident[5] = 2;
}
static void m_type(image_t *im)
{
	im->eh.e_type = 3; /* ET_DYN */
}
static void m_machine(image_t *im)
{
	im->eh.e_machine = 3;
}
static void m_phentsize(image_t *im)
{
	im->eh.e_phentsize = 32;
}
static void m_phnum0(image_t *im)
{
	im->eh.e_phnum = 0;
}
static void m_phnum_big(image_t *im)
{
	im->eh.e_phnum = ELF_PHNUM_MAX + 1;
}
static void m_phoff_out(image_t *im)
{
	im->eh.e_phoff = FILE_SIZE - 100;
}
static void m_phoff_wrap(image_t *im)
{
	im->eh.e_phoff = UINT64_MAX - 8;
}
static void m_phoff_odd(image_t *im)
{
	im->eh.e_phoff = 65;
}
static void m_filesz(image_t *im)
{
	im->ph[2].p_filesz = im->ph[2].p_memsz + 1;
}
static void m_memsz0(image_t *im)
{
	im->ph[2].p_memsz = im->ph[2].p_filesz = 0;
}
static void m_beyond_file(image_t *im)
{
	im->ph[2].p_filesz = FILE_SIZE - 0x1100 + 1;
}
static void m_offset_wrap(image_t *im)
{
	im->ph[2].p_offset = UINT64_MAX - 0xeff;
}
static void m_congruent(image_t *im)
{
	im->ph[2].p_vaddr = 0x401200;
}
static void m_below_floor(image_t *im)
{
	im->ph[0].p_vaddr = 0;
	im->eh.e_entry = 0x80;
}
static void m_above_top(image_t *im)
{
	im->ph[2].p_vaddr = TOP + 0x100;
}
static void m_end_past_top(image_t *im)
{
	im->ph[2].p_vaddr = TOP - 0x1000 + 0x100;
	im->ph[2].p_memsz = 0x1000;
}
static void m_vaddr_wrap(image_t *im)
{
	im->ph[2].p_memsz = UINT64_MAX - 0x401100 + 2;
}
static void m_wx(image_t *im)
{
	im->ph[0].p_flags |= ELF_PF_W;
}
static void m_overlap(image_t *im)
{
	im->ph[2].p_vaddr = 0x400100;
}
static void m_unsorted(image_t *im)
{
	elf64_phdr_t t = im->ph[0];
	im->ph[0] = im->ph[2];
	im->ph[2] = t;
}
static void m_entry_data(image_t *im)
{
	im->eh.e_entry = 0x401100;
}
static void m_entry_out(image_t *im)
{
	im->eh.e_entry = 0x400000 + 0x1000;
}
static void m_no_load(image_t *im)
{
	im->ph[0].p_type = im->ph[2].p_type = 4;
}

static bool elf_refuses_each_rule(void)
{
	static const struct {
		void (*m)(image_t *);
		errno_t want;
	} cases[] = { { m_magic, EINVAL }, { m_class, EINVAL }, { m_endian, EINVAL },
		{ m_type, EINVAL }, { m_machine, EINVAL }, { m_phentsize, EINVAL },
		{ m_phnum0, EINVAL }, { m_phnum_big, EINVAL }, { m_phoff_out, EINVAL },
		{ m_phoff_wrap, EINVAL }, { m_phoff_odd, EINVAL }, { m_filesz, EINVAL },
		{ m_memsz0, EINVAL }, { m_beyond_file, EINVAL }, { m_offset_wrap, EINVAL },
		{ m_congruent, EINVAL }, { m_below_floor, EINVAL }, { m_above_top, EINVAL },
		{ m_end_past_top, EINVAL }, { m_vaddr_wrap, EINVAL }, { m_wx, EPERM },
		{ m_overlap, EINVAL }, { m_unsorted, EINVAL }, { m_entry_data, EINVAL },
		{ m_entry_out, EINVAL }, { m_no_load, EINVAL } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!refused(cases[i].m, cases[i].want)) {
			tap_diag("case %zu", i);
			return false;
		}
	}
	return true;
}

/* The program headers must be inside the bytes given, even when the file
 * is longer; the header bytes may not claim more than the file. */
static bool elf_header_bytes_bound(void)
{
	image_t im;
	elf_image_t out;
	image_make(&im);
	size_t need = sizeof(elf64_ehdr_t) + 3 * sizeof(elf64_phdr_t);
	TAP_CHECK_EQ(elf_parse(&im, need, FILE_SIZE, FLOOR, TOP, &out), EOK);
	TAP_CHECK_EQ(elf_parse(&im, need - 1, FILE_SIZE, FLOOR, TOP, &out), EINVAL);
	TAP_CHECK_EQ(elf_parse(&im, sizeof(elf64_ehdr_t) - 1, FILE_SIZE, FLOOR, TOP, &out), EINVAL);
	TAP_CHECK_EQ(elf_parse(&im, FILE_SIZE, FILE_SIZE - 1, FLOOR, TOP, &out), EINVAL);
	/* The data segment's bytes end at 0x2100: a shorter file refuses it. */
	TAP_CHECK_EQ(elf_parse(&im, need, 0x2100, FLOOR, TOP, &out), EOK);
	TAP_CHECK_EQ(elf_parse(&im, need, 0x20ff, FLOOR, TOP, &out), EINVAL);
	TAP_CHECK_EQ(elf_parse(&im, need, FILE_SIZE, FLOOR + 1, TOP, &out), EINVAL);
	TAP_CHECK_EQ(elf_parse(&im, need, FILE_SIZE, TOP, FLOOR, &out), EINVAL);
	return true;
}

/* Every rule, checked independently of elf.c, on an accepted image. */
static bool image_sane(const elf_image_t *img, uint64_t file_size)
{
	bool entry = false;
	if (img->count == 0 || img->count > ELF_SEGMENTS_MAX)
		return false;
	for (size_t i = 0; i < img->count; i++) {
		const elf_segment_t *s = &img->seg[i];
		unsigned __int128 end = (unsigned __int128) s->vaddr + s->memsz;
		unsigned __int128 fend = (unsigned __int128) s->offset + s->filesz;
		if (s->memsz == 0 || s->filesz > s->memsz || fend > file_size || s->vaddr < FLOOR ||
		    end > TOP || (s->vaddr ^ s->offset) % PAGE_SIZE != 0)
			return false;
		if ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X))
			return false;
		if (i > 0) {
			const elf_segment_t *p = &img->seg[i - 1];
			if (s->vaddr / PAGE_SIZE <= (p->vaddr + p->memsz - 1) / PAGE_SIZE)
				return false;
		}
		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr && img->entry < end)
			entry = true;
	}
	return entry;
}

/* Random corruption of the headers: flipped bits, and fields set to edge
 * values (0, 1, all ones, page-ish numbers). */
static void corrupt(image_t *im, prng_t *r)
{
	static const uint64_t edges[] = { 0, 1, 0xfff, 0x1000, 0x1001, FLOOR, TOP, TOP - 1,
		UINT64_MAX, UINT64_MAX - 0xfff, 0x7fffffffffffffffULL, FILE_SIZE };
	unsigned char *b = (unsigned char *) im;
	size_t hdr = sizeof(elf64_ehdr_t) + 3 * sizeof(elf64_phdr_t);
	int n = 1 + (int) prng_below(r, 4);
	for (int i = 0; i < n; i++) {
		if (prng_below(r, 2)) {
			b[prng_below(r, hdr)] ^= (unsigned char) (1u << prng_below(r, 8));
		} else {
			size_t at = prng_below(r, hdr / 8) * 8;
			uint64_t v = edges[prng_below(r, sizeof(edges) / sizeof(edges[0]))];
			memcpy(b + at, &v, sizeof(v));
		}
	}
}

static bool elf_random_corruption(void)
{
	prng_t r;
	prng_seed(&r, 0xe1f);
	image_t *im = malloc(sizeof(*im));
	TAP_CHECK(im != NULL);
	unsigned accepted = 0, refused_n = 0;
	for (int i = 0; i < 200000; i++) {
		image_make(im);
		corrupt(im, &r);
		elf_image_t out;
		/* Sometimes only the headers are "read", into a buffer just
		 * that long (ASan catches a read past it). */
		size_t hlen = prng_below(&r, 2) ? sizeof(*im) : 64 + prng_below(&r, 3 * 56 + 1);
		unsigned char *copy = malloc(hlen);
		TAP_CHECK(copy != NULL);
		memcpy(copy, im, hlen);
		errno_t rc = elf_parse(copy, hlen, sizeof(*im), FLOOR, TOP, &out);
		free(copy);
		if (rc == EOK) {
			accepted++;
			if (!image_sane(&out, sizeof(*im))) {
				tap_diag("iteration %d: accepted an image that breaks a rule", i);
				free(im);
				return false;
			}
		} else {
			refused_n++;
			TAP_CHECK(rc == EINVAL || rc == EPERM);
		}
	}
	free(im);
	tap_diag("%u accepted, %u refused", accepted, refused_n);
	TAP_CHECK(accepted > 1000 && refused_n > 1000); /* both sides were reached */
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "elf_accepts_good", elf_accepts_good },
		{ "elf_refuses_each_rule", elf_refuses_each_rule },
		{ "elf_header_bytes_bound", elf_header_bytes_bound },
		{ "elf_random_corruption", elf_random_corruption },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
