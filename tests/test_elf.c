/*
 * Host unit test of common/'s ELF64 executable parser (common/src/elf.c),
 * which the kernel's boot-module loader uses and the user-space loader
 * will: a valid file is accepted with the description a loader acts on
 * (areas, rights, file pages, zero tail, bss); each malformed file of
 * elf_fixtures.c (truncated headers, segments beyond the file,
 * overlapping segments, W+X, misaligned offsets, huge sizes, an entry
 * point outside every segment, ...) is refused with its own rule and
 * errno, changing nothing; the real programs of the build (passed as
 * arguments by tests/meson.build) are accepted; and a seeded run of random
 * corruptions of the headers (under ASan/UBSan: nothing is read outside
 * the bytes given) either is refused or yields a description for which
 * every rule holds, checked here independently.
 */
#include "elf_fixtures.h"
#include "tap.h"
#include <abi/as.h>
#include <abi/page.h>
#include <lib/prng.h>
#include <stdlib.h>
#include <string.h>

#define FLOOR AS_USER_FLOOR
#define TOP AS_USER_TOP

static char **real_programs;
static int real_program_count;

static errno_t parse(const elf_file_t *f, size_t hdr_len, elf_image_t *out, elf_error_t *why)
{
	return elf_parse(f->bytes, hdr_len, f->len, FLOOR, TOP, out, why);
}

static bool elf_accepts_good(void)
{
	static elf_file_t f;
	elf_image_t out;
	elf_error_t why = ELF_E_COUNT;
	elf_file_good(&f);
	TAP_CHECK_EQ(parse(&f, f.len, &out, &why), EOK);
	TAP_CHECK_EQ(why, ELF_OK);
	TAP_CHECK_EQ(out.entry, 0x401010);
	TAP_CHECK_EQ(out.count, 2);
	const elf_segment_t *t = &out.seg[0], *d = &out.seg[1];
	TAP_CHECK_EQ(t->rights, AS_AREA_READ | AS_AREA_EXEC);
	TAP_CHECK_EQ(t->base, 0x401000);
	TAP_CHECK_EQ(t->size, 0x1000);
	TAP_CHECK_EQ(t->file_base, 0x1000);
	TAP_CHECK_EQ(t->file_pages, 0x1000);
	TAP_CHECK_EQ(t->zero_from, t->base + t->file_pages); /* no bss: nothing cleared */
	TAP_CHECK_EQ(t->bss_pages, 0);
	TAP_CHECK_EQ(d->rights, AS_AREA_READ | AS_AREA_WRITE);
	TAP_CHECK_EQ(d->vaddr, 0x402000);
	TAP_CHECK_EQ(d->offset, 0x2000);
	TAP_CHECK_EQ(d->filesz, 0x80);
	TAP_CHECK_EQ(d->memsz, 0x1800);
	TAP_CHECK_EQ(d->base, 0x402000);
	TAP_CHECK_EQ(d->size, 0x2000);
	TAP_CHECK_EQ(d->file_base, 0x2000);
	TAP_CHECK_EQ(d->file_pages, 0x1000);
	TAP_CHECK_EQ(d->zero_from, 0x402080);
	TAP_CHECK_EQ(d->bss_pages, 0x1000);
	/* Only the headers in memory, the rest of the file elsewhere; why
	 * may be NULL. */
	TAP_CHECK_EQ(elf_parse(f.bytes, 0x100, f.len, FLOOR, TOP, &out, NULL), EOK);
	return true;
}

/* The description of segments that do not start on a page, that have no
 * file bytes, or whose file bytes end on a page. */
static bool elf_describes_edges(void)
{
	static elf_file_t f;
	elf_image_t out;
	elf_file_good(&f);
	elf_file_phdr(&f, 2)->p_offset = 0x2010; /* data at 0x402010 */
	elf_file_phdr(&f, 2)->p_vaddr = 0x402010;
	elf_file_phdr(&f, 2)->p_filesz = 0x70;
	elf_file_phdr(&f, 2)->p_align = 0x10;
	TAP_CHECK_EQ(parse(&f, f.len, &out, NULL), EOK);
	TAP_CHECK_EQ(out.seg[1].base, 0x402000);
	TAP_CHECK_EQ(out.seg[1].size, 0x2000);
	TAP_CHECK_EQ(out.seg[1].file_base, 0x2000);
	TAP_CHECK_EQ(out.seg[1].zero_from, 0x402080);
	/* Pure bss: no file page, nothing to clear, all anonymous. */
	elf_file_phdr(&f, 2)->p_filesz = 0;
	TAP_CHECK_EQ(parse(&f, f.len, &out, NULL), EOK);
	TAP_CHECK_EQ(out.seg[1].file_pages, 0);
	TAP_CHECK_EQ(out.seg[1].zero_from, out.seg[1].base);
	TAP_CHECK_EQ(out.seg[1].bss_pages, 0x2000);
	/* File bytes ending on a page, then bss: no tail to clear. */
	elf_file_good(&f);
	elf_file_phdr(&f, 2)->p_memsz = 0x2000;
	elf_file_phdr(&f, 2)->p_filesz = 0x1000;
	f.len = 0x3000;
	TAP_CHECK_EQ(parse(&f, f.len, &out, NULL), EOK);
	TAP_CHECK_EQ(out.seg[1].file_pages, 0x1000);
	TAP_CHECK_EQ(out.seg[1].zero_from, 0x403000);
	TAP_CHECK_EQ(out.seg[1].bss_pages, 0x1000);
	return true;
}

/* One fixture: refused with its rule and errno, *out untouched, whether
 * the whole file or only its first page was given. */
static bool fixture_refused(size_t i)
{
	static elf_file_t f;
	elf_image_t out, before;
	elf_error_t want = elf_fixtures[i].want;
	elf_fixture_build(i, &f);
	size_t lens[2] = { f.len, f.len < PAGE_SIZE ? f.len : PAGE_SIZE };
	for (size_t k = 0; k < 2; k++) {
		/* The bytes given in a buffer of just that size (ASan). */
		unsigned char *copy = malloc(lens[k] ? lens[k] : 1);
		TAP_CHECK(copy != NULL);
		memcpy(copy, f.bytes, lens[k]);
		elf_error_t why = ELF_OK;
		memset(&out, 0xa5, sizeof(out));
		before = out;
		errno_t rc = elf_parse(copy, lens[k], f.len, FLOOR, TOP, &out, &why);
		free(copy);
		if (why != want)
			tap_diag("%s: got \"%s\", want \"%s\"", elf_fixtures[i].name,
			    elf_error_name(why), elf_error_name(want));
		TAP_CHECK_EQ(why, want);
		TAP_CHECK_EQ(rc, elf_error_errno(want));
		TAP_CHECK(rc != EOK);
		TAP_CHECK(memcmp(&out, &before, sizeof(out)) == 0);
	}
	return true;
}

static bool elf_refuses_fixtures(void)
{
	for (size_t i = 0; i < elf_fixture_count; i++)
		if (!fixture_refused(i))
			return false;
	/* Every rule but the caller's own (ELF_E_ARGS) and the unread table
	 * (elf_header_bytes_bound) has a fixture. */
	for (elf_error_t e = ELF_E_TRUNCATED; e < ELF_E_COUNT; e++) {
		bool found = e == ELF_E_PHDRS_UNREAD;
		for (size_t i = 0; i < elf_fixture_count && !found; i++)
			found = elf_fixtures[i].want == e;
		if (!found)
			tap_diag("no fixture for \"%s\"", elf_error_name(e));
		TAP_CHECK(found);
	}
	/* The errnos: W+X is EPERM, ET_DYN and PT_INTERP ENOTSUP. */
	TAP_CHECK_EQ(elf_error_errno(ELF_E_SEG_WX), EPERM);
	TAP_CHECK_EQ(elf_error_errno(ELF_E_DYN), ENOTSUP);
	TAP_CHECK_EQ(elf_error_errno(ELF_E_INTERP), ENOTSUP);
	TAP_CHECK_EQ(elf_error_errno(ELF_E_SEG_FILE), EINVAL);
	return true;
}

/* The program headers must be inside the bytes given, even when the file
 * is longer; the header bytes may not claim more than the file; the
 * bounds must be page-aligned and ordered. */
static bool elf_header_bytes_bound(void)
{
	static elf_file_t f;
	elf_image_t out;
	elf_error_t why;
	elf_file_good(&f);
	size_t need = sizeof(elf64_ehdr_t) + 3 * sizeof(elf64_phdr_t);
	TAP_CHECK_EQ(elf_parse(f.bytes, need, f.len, FLOOR, TOP, &out, &why), EOK);
	TAP_CHECK_EQ(elf_parse(f.bytes, need - 1, f.len, FLOOR, TOP, &out, &why), EINVAL);
	TAP_CHECK_EQ(why, ELF_E_PHDRS_UNREAD);
	TAP_CHECK_EQ(elf_parse(f.bytes, 63, f.len, FLOOR, TOP, &out, &why), EINVAL);
	TAP_CHECK_EQ(why, ELF_E_TRUNCATED);
	TAP_CHECK_EQ(elf_parse(f.bytes, f.len, f.len - 1, FLOOR, TOP, &out, &why), EINVAL);
	TAP_CHECK_EQ(why, ELF_E_ARGS);
	/* The data segment's bytes end at 0x2080: a shorter file refuses it. */
	TAP_CHECK_EQ(elf_parse(f.bytes, need, 0x2080, FLOOR, TOP, &out, &why), EOK);
	TAP_CHECK_EQ(elf_parse(f.bytes, need, 0x207f, FLOOR, TOP, &out, &why), EINVAL);
	TAP_CHECK_EQ(why, ELF_E_SEG_FILE);
	TAP_CHECK_EQ(elf_parse(f.bytes, need, f.len, FLOOR + 1, TOP, &out, &why), EINVAL);
	TAP_CHECK_EQ(why, ELF_E_ARGS);
	TAP_CHECK_EQ(elf_parse(f.bytes, need, f.len, TOP, FLOOR, &out, &why), EINVAL);
	TAP_CHECK_EQ(why, ELF_E_ARGS);
	/* A segment ending exactly at top is inside. */
	elf_file_phdr(&f, 2)->p_vaddr = TOP - 0x2000;
	TAP_CHECK_EQ(elf_parse(f.bytes, f.len, f.len, FLOOR, TOP, &out, &why), EOK);
	TAP_CHECK_EQ(out.seg[1].base + out.seg[1].size, TOP);
	return true;
}

/* Every rule, checked independently of elf.c, on an accepted image of a
 * file of @a file_size bytes. */
static bool image_sane(const elf_image_t *img, uint64_t file_size)
{
	bool entry = false;
	if (img->count == 0 || img->count > ELF_SEGMENTS_MAX)
		return false;
	for (size_t i = 0; i < img->count; i++) {
		const elf_segment_t *s = &img->seg[i];
		unsigned __int128 end = (unsigned __int128) s->vaddr + s->memsz;
		unsigned __int128 fend = (unsigned __int128) s->offset + s->filesz;
		if (s->memsz == 0 || s->memsz > ELF_SEGMENT_SIZE_MAX || s->filesz > s->memsz ||
		    fend > file_size || s->vaddr < FLOOR || end > TOP ||
		    (s->vaddr ^ s->offset) % PAGE_SIZE != 0)
			return false;
		if ((s->rights & AS_AREA_WRITE) && (s->rights & AS_AREA_EXEC))
			return false;
		/* The description: the area covers the segment's pages, the
		 * file pages hold its file bytes, the rest is bss. */
		if (s->base % PAGE_SIZE || s->size % PAGE_SIZE || s->base > s->vaddr ||
		    s->base + s->size < end || s->base + s->size - end >= PAGE_SIZE ||
		    s->file_base != s->offset - (s->vaddr - s->base) ||
		    s->file_pages + s->bss_pages != s->size ||
		    s->base + s->file_pages < s->vaddr + s->filesz ||
		    s->zero_from > s->base + s->file_pages)
			return false;
		if (i > 0 && s->base < img->seg[i - 1].base + img->seg[i - 1].size)
			return false;
		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr && img->entry < end)
			entry = true;
	}
	return entry;
}

/* The programs of this build (tester, init, bench: meson passes their
 * paths): accepted whole and from their first page, with a sane
 * description, one segment executable and one writable. */
static bool elf_accepts_real_programs(void)
{
	TAP_CHECK(real_program_count > 0);
	for (int i = 0; i < real_program_count; i++) {
		FILE *in = fopen(real_programs[i], "rb");
		TAP_CHECK(in != NULL);
		TAP_CHECK(fseek(in, 0, SEEK_END) == 0);
		long size = ftell(in);
		TAP_CHECK(size > 0 && fseek(in, 0, SEEK_SET) == 0);
		unsigned char *b = malloc((size_t) size);
		TAP_CHECK(b != NULL);
		TAP_CHECK(fread(b, 1, (size_t) size, in) == (size_t) size);
		fclose(in);
		elf_image_t img;
		elf_error_t why;
		errno_t rc = elf_parse(b, (size_t) size, (uint64_t) size, FLOOR, TOP, &img, &why);
		if (rc != EOK)
			tap_diag("%s: %s", real_programs[i], elf_error_name(why));
		TAP_CHECK_EQ(rc, EOK);
		TAP_CHECK(image_sane(&img, (uint64_t) size));
		unsigned all = 0;
		for (size_t s = 0; s < img.count; s++)
			all |= img.seg[s].rights;
		TAP_CHECK_EQ(all, AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC);
		size_t first = (size_t) size < PAGE_SIZE ? (size_t) size : PAGE_SIZE;
		TAP_CHECK_EQ(elf_parse(b, first, (uint64_t) size, FLOOR, TOP, &img, &why), EOK);
		tap_diag("%s: %zu segments, entry %#llx", real_programs[i], img.count,
		    (unsigned long long) img.entry);
		free(b);
	}
	return true;
}

/* Random corruption of the headers: flipped bits, and fields set to edge
 * values (0, 1, all ones, page-ish numbers). */
static void corrupt(elf_file_t *f, prng_t *r)
{
	static const uint64_t edges[] = { 0, 1, 0xfff, 0x1000, 0x1001, FLOOR, TOP, TOP - 1,
		UINT64_MAX, UINT64_MAX - 0xfff, 0x7fffffffffffffffULL, 0x2080,
		ELF_SEGMENT_SIZE_MAX };
	size_t hdr = sizeof(elf64_ehdr_t) + 3 * sizeof(elf64_phdr_t);
	int n = 1 + (int) prng_below(r, 4);
	for (int i = 0; i < n; i++) {
		if (prng_below(r, 2)) {
			f->bytes[prng_below(r, hdr)] ^= (unsigned char) (1u << prng_below(r, 8));
		} else {
			size_t at = prng_below(r, hdr / 8) * 8;
			uint64_t v = edges[prng_below(r, sizeof(edges) / sizeof(edges[0]))];
			memcpy(f->bytes + at, &v, sizeof(v));
		}
	}
}

static bool elf_random_corruption(void)
{
	static elf_file_t f;
	prng_t r;
	prng_seed(&r, 0xe1f);
	unsigned accepted = 0, refused_n = 0;
	for (int i = 0; i < 200000; i++) {
		elf_file_good(&f);
		corrupt(&f, &r);
		elf_image_t out;
		elf_error_t why;
		/* Sometimes only the headers are "read", into a buffer just
		 * that long (ASan catches a read past it). */
		size_t hlen = prng_below(&r, 2) ? f.len : 64 + prng_below(&r, 3 * 56 + 1);
		unsigned char *copy = malloc(hlen);
		TAP_CHECK(copy != NULL);
		memcpy(copy, f.bytes, hlen);
		errno_t rc = elf_parse(copy, hlen, f.len, FLOOR, TOP, &out, &why);
		free(copy);
		if (rc == EOK) {
			accepted++;
			if (why != ELF_OK || !image_sane(&out, f.len)) {
				tap_diag("iteration %d: accepted an image that breaks a rule", i);
				return false;
			}
		} else {
			refused_n++;
			TAP_CHECK(why > ELF_OK && why < ELF_E_COUNT);
			TAP_CHECK_EQ(rc, elf_error_errno(why));
		}
	}
	tap_diag("%u accepted, %u refused", accepted, refused_n);
	TAP_CHECK(accepted > 1000 && refused_n > 1000); /* both sides were reached */
	return true;
}

int main(int argc, char **argv)
{
	static const tap_case_t cases[] = {
		{ "elf_accepts_good", elf_accepts_good },
		{ "elf_describes_edges", elf_describes_edges },
		{ "elf_refuses_fixtures", elf_refuses_fixtures },
		{ "elf_header_bytes_bound", elf_header_bytes_bound },
		{ "elf_accepts_real_programs", elf_accepts_real_programs },
		{ "elf_random_corruption", elf_random_corruption },
	};
	real_programs = argv + 1;
	real_program_count = argc - 1;
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
