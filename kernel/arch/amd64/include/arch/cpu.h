/* CPU identification and feature flags (filled once at boot by cpu_identify). */
#ifndef KERN_ARCH_CPU_H_
#define KERN_ARCH_CPU_H_

#include <stdbool.h>
#include <stdint.h>

typedef struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool nx; /* no-execute pages (EFER.NXE) */
	bool pcid; /* process-context identifiers */
	bool invpcid;
	bool page1g; /* 1 GiB pages */
	bool pge; /* global pages */
	bool apic;
	bool tsc;
	bool tsc_invariant;
	bool hypervisor;
} cpu_features_t;

extern cpu_features_t cpu_features;

void cpu_identify(void);
void cpu_features_print(void);

#endif
