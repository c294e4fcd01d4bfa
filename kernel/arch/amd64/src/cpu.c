/* CPUID feature detection. */
#include <arch/cpu.h>
#include <console/console.h>
#include <mem.h>

cpu_features_t cpu_features;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

static void cpu_identify_brand(uint32_t max_ext)
{
	uint32_t r[4];

	if (max_ext < 0x80000004) {
		memcpy(cpu_features.brand, "unknown", 8);
		return;
	}
	for (uint32_t i = 0; i < 3; i++) {
		cpuid(0x80000002 + i, 0, r);
		memcpy(cpu_features.brand + 16 * i, r, 16);
	}
	cpu_features.brand[48] = '\0';
}

void cpu_identify(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	memcpy(cpu_features.vendor, &r[1], 4);
	memcpy(cpu_features.vendor + 4, &r[3], 4);
	memcpy(cpu_features.vendor + 8, &r[2], 4);
	cpu_features.vendor[12] = '\0';

	cpuid(1, 0, r);
	cpu_features.stepping = r[0] & 0xf;
	cpu_features.model = ((r[0] >> 4) & 0xf) | (((r[0] >> 16) & 0xf) << 4);
	cpu_features.family = ((r[0] >> 8) & 0xf) + ((r[0] >> 20) & 0xff);
	cpu_features.pcid = r[2] & (1u << 17);
	cpu_features.hypervisor = r[2] & (1u << 31);
	cpu_features.tsc = r[3] & (1u << 4);
	cpu_features.apic = r[3] & (1u << 9);
	cpu_features.pge = r[3] & (1u << 13);

	if (max_leaf >= 7) {
		cpuid(7, 0, r);
		cpu_features.invpcid = r[1] & (1u << 10);
	}

	cpuid(0x80000000, 0, r);
	uint32_t max_ext = r[0];
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		cpu_features.nx = r[3] & (1u << 20);
		cpu_features.page1g = r[3] & (1u << 26);
	}
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		cpu_features.tsc_invariant = r[3] & (1u << 8);
	}
	cpu_identify_brand(max_ext);
}

void cpu_features_print(void)
{
	const char *b = cpu_features.brand;
	while (*b == ' ')
		b++;
	printf("cpu: %s \"%s\" family %u model %u stepping %u\n", cpu_features.vendor, b,
	    cpu_features.family, cpu_features.model, cpu_features.stepping);
	printf("cpu: nx=%d pcid=%d invpcid=%d 1g-pages=%d pge=%d apic=%d "
	       "tsc=%d invariant-tsc=%d hypervisor=%d\n",
	    cpu_features.nx, cpu_features.pcid, cpu_features.invpcid, cpu_features.page1g,
	    cpu_features.pge, cpu_features.apic, cpu_features.tsc, cpu_features.tsc_invariant,
	    cpu_features.hypervisor);
}
