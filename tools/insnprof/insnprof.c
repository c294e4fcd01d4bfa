/*
 * insnprof: a QEMU TCG plugin that counts, for every guest instruction
 * (an address and the instruction's bytes there), how many times it was
 * executed, and writes "ADDRESS COUNT BYTES" lines (hex, decimal, hex) at
 * exit.  The bytes tell apart the programs that run at the same address
 * in different address spaces (every program is linked at 0x400000):
 * tools/insnprof.py names each instruction from the program whose file
 * holds those bytes there.  With windows=1 only what
 * runs inside windows counts: the guest opens and closes a window with the
 * marker `xchg %bx, %bx` (bytes 66 87 db, which changes nothing), as for
 * tools/insncount; otherwise the whole run counts.  first=N and last=M (with
 * windows=1) count only windows N to M (numbered from 1, as insncount
 * numbers them), e.g. only the fault windows of tester's hw_map_bench.
 * tools/insnprof.py turns them into a per-function table with the
 * kernel's and the boot modules' symbols.  The counts are exact (each step
 * of a rep string instruction counts once, as under -icount), so this is
 * the instruction-count profile that goes with the -icount benchmarks.
 *
 * Use: qemu-system-x86_64 ... -plugin build/insnprof.so,out=FILE
 * (tools/insnprof.sh does it for a benchmark run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../qemu-plugin.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

/* One counter per instruction address, in an open-addressing hash table
 * that only grows (counters are never moved: the table holds pointers). */
#define INSN_MAX 16 /* the longest x86 instruction is 15 bytes */

typedef struct slot {
	uint64_t vaddr;
	uint8_t size;
	uint8_t bytes[INSN_MAX];
	uint64_t *count; /* [0] runs on inline; [1] at the window's start; [2] in windows */
} slot_t;

static slot_t *table;
static size_t table_size = 1 << 16, table_used;
static FILE *out;
static int windows; /* count only inside marked windows */
static unsigned markers;
static unsigned long first_window = 1, last_window = ~0ul; /* the windows that count */

static const unsigned char marker[] = { 0x66, 0x87, 0xdb };

/* Opening a window remembers every counter, closing adds the differences. */
static void on_marker(unsigned int vcpu, void *udata)
{
	(void) vcpu;
	(void) udata;
	markers++;
	unsigned long w = (markers + 1) / 2;
	if (w < first_window || w > last_window)
		return;
	for (size_t i = 0; i < table_size; i++) {
		uint64_t *c = table[i].count;
		if (!c)
			continue;
		if (markers % 2 == 1)
			c[1] = c[0];
		else
			c[2] += c[0] - c[1];
	}
}

static size_t slot_index(const slot_t *s, size_t size)
{
	uint64_t h = s->vaddr;
	for (unsigned i = 0; i < s->size; i++)
		h = (h ^ s->bytes[i]) * 0x100000001b3ULL;
	return (size_t) ((h * 0x9e3779b97f4a7c15ULL) >> 20) & (size - 1);
}

static int slot_is(const slot_t *s, const slot_t *key)
{
	return s->vaddr == key->vaddr && s->size == key->size &&
	    memcmp(s->bytes, key->bytes, key->size) == 0;
}

static void table_grow(void)
{
	size_t size = table_size * 2;
	slot_t *t = calloc(size, sizeof(*t));
	for (size_t i = 0; i < table_size; i++) {
		if (!table[i].count)
			continue;
		size_t j = slot_index(&table[i], size);
		while (t[j].count)
			j = (j + 1) & (size - 1);
		t[j] = table[i];
	}
	free(table);
	table = t;
	table_size = size;
}

static uint64_t *counter_for(const struct qemu_plugin_insn *insn)
{
	slot_t key = { .vaddr = qemu_plugin_insn_vaddr(insn) };
	size_t n = qemu_plugin_insn_size(insn);
	key.size = (uint8_t) (n < INSN_MAX ? n : INSN_MAX);
	memcpy(key.bytes, qemu_plugin_insn_data(insn), key.size);
	if (table_used * 2 >= table_size)
		table_grow();
	size_t j = slot_index(&key, table_size);
	while (table[j].count && !slot_is(&table[j], &key))
		j = (j + 1) & (table_size - 1);
	if (!table[j].count) {
		table[j] = key;
		table[j].count = calloc(3, sizeof(uint64_t));
		table_used++;
	}
	return table[j].count;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void) id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t *c = counter_for(insn);
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, c, 1);
		if (windows && qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)) == 0)
			qemu_plugin_register_vcpu_insn_exec_cb(
			    insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void prof_at_exit(qemu_plugin_id_t id, void *udata)
{
	(void) id;
	(void) udata;
	for (size_t i = 0; i < table_size; i++) {
		uint64_t n = table[i].count ? table[i].count[windows ? 2 : 0] : 0;
		if (!n)
			continue;
		fprintf(
		    out, "%llx %llu ", (unsigned long long) table[i].vaddr, (unsigned long long) n);
		for (unsigned b = 0; b < table[i].size; b++)
			fprintf(out, "%02x", table[i].bytes[b]);
		fputc('\n', out);
	}
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(
    qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void) info;
	const char *path = "insnprof.out";
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "out=", 4) == 0)
			path = argv[i] + 4;
		else if (strcmp(argv[i], "windows=1") == 0)
			windows = 1;
		else if (strncmp(argv[i], "first=", 6) == 0)
			first_window = strtoul(argv[i] + 6, NULL, 10);
		else if (strncmp(argv[i], "last=", 5) == 0)
			last_window = strtoul(argv[i] + 5, NULL, 10);
	out = fopen(path, "w");
	table = calloc(table_size, sizeof(*table));
	if (!out || !table)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, prof_at_exit, NULL);
	return 0;
}
