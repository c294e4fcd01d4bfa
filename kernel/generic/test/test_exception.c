/*
 * Kernel tests of the exception path: faults the kernel causes on purpose
 * are recovered (through the exception table or an armed recovery point),
 * reported with the right vector, error code and address, and the kernel
 * goes on.  They also prove the protections of the kernel's own mappings:
 * text is read-only, rodata read-only, the direct map not executable.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/interrupt.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <test/ktest.h>

static const uint64_t test_rodata_word = 42;

KTEST(exception_unmapped_read)
{
	uint64_t v = 7;
	unsigned long n0 = exc_recovered_count();
	void *bad = (void *) 0xffffc80000001000UL;

	KT_CHECK_EQ(arch_probe_read_u64(bad, &v), EFAULT);
	KT_CHECK_EQ(v, 7);
	KT_CHECK_EQ(exc_recovered_count(), n0 + 1);
	const exc_info_t *e = exc_last_recovered();
	KT_CHECK_EQ(e->vector, EXC_PF);
	KT_CHECK_EQ(e->cr2, (uintptr_t) bad);
	KT_CHECK_EQ(e->error & (PF_PRESENT | PF_WRITE | PF_USER), 0);
	/* the NULL page is not mapped in the kernel either */
	KT_CHECK_EQ(arch_probe_read_u64((void *) 0, &v), EFAULT);
}

KTEST(exception_text_readonly)
{
	uint64_t v;
	void *text = (void *) (uintptr_t) &ktest_note;

	KT_CHECK_EQ(arch_probe_read_u64(text, &v), EOK);
	KT_CHECK_EQ(arch_probe_write_u64(text, v), EFAULT);
	const exc_info_t *e = exc_last_recovered();
	KT_CHECK_EQ(e->vector, EXC_PF);
	KT_CHECK_EQ(e->error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
	KT_CHECK_EQ(e->cr2, (uintptr_t) text);
	KT_CHECK_EQ(arch_probe_write_u64((void *) &test_rodata_word, 1), EFAULT);
	KT_CHECK_EQ(test_rodata_word, 42);
}

KTEST(exception_nx_direct_map)
{
	kjmp_buf_t jb;
	uintptr_t pa;

	if (!cpu_features.nx) {
		ktest_note("skipped: CPU has no NX");
		return;
	}
	KT_ASSERT_EQ(frame_alloc(1, FRAME_ZERO, &pa), EOK);
	unsigned char *code = PA2KA(pa);
	code[0] = 0xc3; /* ret */
	exc_recovery_arm(&jb, EXC_PF);
	if (kjmp_set(&jb) == 0) {
		((void (*)(void)) code)();
		exc_recovery_disarm();
		ktest_fail(__FILE__, __LINE__, "executed code in the direct map");
	} else {
		const exc_info_t *e = exc_last_recovered();
		KT_CHECK_EQ(e->vector, EXC_PF);
		KT_CHECK(e->error & PF_FETCH);
		KT_CHECK_EQ(e->cr2, (uintptr_t) code);
	}
	frame_free(pa, 1);
}

KTEST(exception_invalid_opcode)
{
	kjmp_buf_t jb;
	volatile int resumed = 0;

	exc_recovery_arm(&jb, EXC_UD);
	if (kjmp_set(&jb) == 0) {
		__asm__ volatile("ud2");
		exc_recovery_disarm();
	} else {
		resumed = 1;
	}
	KT_ASSERT(resumed);
	KT_CHECK_EQ(exc_last_recovered()->vector, EXC_UD);
}

KTEST(exception_divide_error)
{
	kjmp_buf_t jb;
	volatile unsigned zero = 0;
	volatile unsigned q = 0;

	exc_recovery_arm(&jb, EXC_DE);
	if (kjmp_set(&jb) == 0) {
		q = 10 / zero;
		exc_recovery_disarm();
		ktest_fail(__FILE__, __LINE__, "divided by zero: %u", q);
	} else {
		KT_CHECK_EQ(exc_last_recovered()->vector, EXC_DE);
	}
	/* a recovery armed for another vector does not catch this one */
	exc_recovery_arm(&jb, EXC_UD);
	uint64_t v;
	KT_CHECK_EQ(arch_probe_read_u64((void *) 0xffffc80000002000UL, &v), EFAULT);
	exc_recovery_disarm();
}
