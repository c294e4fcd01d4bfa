/*
 * Kernel tests of what the boot loader handed over and of which physical
 * memory the frame allocator may hand out.  tools/test.sh boots the kernel
 * tests with the fixture module tests/fixtures/bootmod.txt.
 */
#include <arch/layout.h>
#include <main/bootinfo.h>
#include <mem.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <proc/program.h>
#include <test/ktest.h>

#define FIXTURE_TEXT "mkernel boot module fixture: "

static const boot_module_t *fixture_module(void)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const boot_module_t *m = &boot_info.modules[i];
		if (strncmp(m->cmdline, "bootmod.txt", 11) == 0)
			return m;
	}
	return NULL;
}

KTEST(bootinfo_memory_map)
{
	uint64_t avail = 0;
	KT_ASSERT(boot_info.memmap_count > 0);
	for (size_t i = 0; i < boot_info.memmap_count; i++) {
		if (boot_info.memmap[i].type == BOOT_MEM_AVAILABLE)
			avail += boot_info.memmap[i].size;
	}
	/* every managed frame is available RAM, and most RAM is managed */
	KT_CHECK(frame_total_count() * PAGE_SIZE <= avail);
	KT_CHECK(frame_total_count() * PAGE_SIZE > avail / 2);
	KT_CHECK(boot_info.loader[0] != '\0');
}

KTEST(bootinfo_module_fixture)
{
	const boot_module_t *m = fixture_module();
	if (!m) {
		ktest_note("skipped: booted without tests/fixtures/bootmod.txt");
		return;
	}
	KT_CHECK(strcmp(m->cmdline, "bootmod.txt fixture-arg") == 0);
	KT_ASSERT(m->end > m->start);
	KT_ASSERT(m->end - m->start >= sizeof(FIXTURE_TEXT) - 1);
	KT_CHECK(memcmp(PA2KA(m->start), FIXTURE_TEXT, sizeof(FIXTURE_TEXT) - 1) == 0);
}

/* The arguments the kernel gives a boot task: its recipe line after the
 * name, without the grant= tokens, whole words only. */
KTEST(bootinfo_module_args)
{
	char out[16];
	program_args_from_cmdline("ext2 disk0", out, sizeof(out));
	KT_CHECK(strcmp(out, "disk0") == 0);
	program_args_from_cmdline("devman grant=io:0xcf8+8  grant=irq:3+1", out, sizeof(out));
	KT_CHECK(strcmp(out, "") == 0);
	program_args_from_cmdline("x  grant=io:1+1 a  bb grant=irq:5+1 c", out, sizeof(out));
	KT_CHECK(strcmp(out, "a bb c") == 0);
	program_args_from_cmdline("x aaaaaaa bbbbbbb ccc", out, sizeof(out));
	KT_CHECK(strcmp(out, "aaaaaaa bbbbbbb") == 0); /* "ccc" does not fit */
	program_args_from_cmdline("alone", out, sizeof(out));
	KT_CHECK(strcmp(out, "") == 0);
	program_module_args("no-such-module", out, sizeof(out));
	KT_CHECK(strcmp(out, "") == 0);
	if (fixture_module()) {
		program_module_args("bootmod.txt", out, sizeof(out));
		KT_CHECK(strcmp(out, "fixture-arg") == 0);
	}
}

static bool pa_overlaps(uintptr_t pa, uint64_t start, uint64_t end)
{
	return pa + PAGE_SIZE > start && pa < end;
}

/* A frame the allocator gave out must not be boot memory of any kind. */
static bool frame_is_forbidden(uintptr_t pa)
{
	if (pa < 0x100000 || pa_overlaps(pa, KERNEL_PBASE, KIMG2PA(kernel_image_end)) ||
	    pa_overlaps(pa, boot_info.info_start, boot_info.info_end))
		return true;
	for (size_t i = 0; i < boot_info.module_count; i++) {
		if (pa_overlaps(pa, boot_info.modules[i].start, boot_info.modules[i].end))
			return true;
	}
	return false;
}

KTEST(bootinfo_reserved_never_allocated)
{
	uintptr_t head = 0, pa;
	size_t bad = 0, got = 0;

	while (frame_alloc(1, 0, &pa) == EOK) {
		bad += frame_is_forbidden(pa);
		*(uintptr_t *) PA2KA(pa) = head;
		head = pa;
		got++;
	}
	while (head) {
		uintptr_t next = *(uintptr_t *) PA2KA(head);
		frame_free(head, 1);
		head = next;
	}
	KT_CHECK(got > 0);
	KT_CHECK_EQ(bad, 0);
	/* and the module is still intact after every free frame was written */
	const boot_module_t *m = fixture_module();
	if (m)
		KT_CHECK(memcmp(PA2KA(m->start), FIXTURE_TEXT, sizeof(FIXTURE_TEXT) - 1) == 0);
}
