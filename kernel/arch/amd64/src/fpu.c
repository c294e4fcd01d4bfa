/*
 * FPU/SSE state of user threads.  The kernel itself is compiled without
 * SSE, so the state only changes hands at thread switches: the outgoing
 * user thread's registers are saved with FXSAVE, the incoming one's
 * restored with FXRSTOR.  New threads start from the state captured right
 * after FNINIT with the default MXCSR.
 */
#include <arch/asm.h>
#include <arch/fpu.h>
#include <mem.h>

#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)

static uint8_t fpu_initial[FPU_STATE_SIZE] __attribute__((aligned(16)));

void fpu_init(void)
{
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(fpu_initial);
}

void fpu_state_init(void *state)
{
	memcpy(state, fpu_initial, FPU_STATE_SIZE);
}

void fpu_save(void *state)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(state) : "memory");
}

void fpu_restore(const void *state)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(state) : "memory");
}
