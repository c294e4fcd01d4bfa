/* FPU/SSE state save and restore (FXSAVE format). */
#ifndef KERN_ARCH_FPU_H_
#define KERN_ARCH_FPU_H_

#define FPU_STATE_SIZE 512
#define FPU_STATE_ALIGN 16

void fpu_init(void);
void fpu_state_init(void *state);
void fpu_save(void *state);
void fpu_restore(const void *state);

#endif
