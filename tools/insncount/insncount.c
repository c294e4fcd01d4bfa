/*
 * insncount: a QEMU TCG plugin (QEMU 7.2) that counts the instructions the
 * whole guest executes (kernel, servers, programs, interrupt handlers, the
 * idle loop) inside windows that the guest opens and closes itself with a
 * marker instruction, `xchg %bx, %bx` (bytes 66 87 db, which changes
 * nothing).  Markers alternate: the 1st opens window 1, the 2nd closes it,
 * the 3rd opens window 2, and so on.  Each closed window writes one line
 * to the file given as out=FILE (default insncount.txt):
 *
 *     window N: M instructions
 *
 * A window holds the marker that opens it and everything up to, not
 * including, the marker that closes it, so back-to-back windows tile the
 * run.  A window still open at exit writes nothing.
 *
 * What counts: an instruction counts each time it starts, the way QEMU's
 * plugin interface sees instructions (an exec hook runs just before the
 * instruction).  Each step of a rep string instruction is a separate
 * execution of it (QEMU's x86 translator loops back to the instruction),
 * so it counts once per step, as under -icount.  An instruction that QEMU
 * redoes for a memory-mapped I/O access under -icount counts once (QEMU
 * does not instrument the redo).  One that raises an exception (a page
 * fault, say) and is restarted by the guest counts once per attempt,
 * where -icount counts only the attempt that completes.
 *
 * How: each instruction of a translation block gets an inline add of 1
 * to the counter, so the count is exact wherever the block is left (an
 * exception or an I/O redo in its middle) and wherever a marker falls in
 * it.  A marker instruction gets no add but a callback, which reads the
 * counter, opens or closes the window, then counts the marker itself.
 * With one vCPU all of this runs on the one vCPU thread.  With several
 * (max_vcpus > 1, multi-threaded TCG) an inline add to one counter would
 * lose counts, so each instruction instead calls a function that adds to
 * its own vCPU's counter; a window then counts every vCPU's instructions
 * between the marker events (slower, and only as sharp as the vCPUs'
 * interleaving).
 *
 * Build: tools/insncount/build.sh OUT.so.  Use:
 *     qemu-system-x86_64 ... -plugin OUT.so,out=FILE
 * (tools/qemu.sh --plugin "OUT.so,out=FILE"; tools/bench-lib.sh builds
 * and loads it for the benchmarks).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../qemu-plugin.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static const unsigned char insncount_marker[] = { 0x66, 0x87, 0xdb };

/* One vCPU: the count, added to by inline code on the vCPU thread only. */
static uint64_t insncount_total;

/* Several vCPUs: a counter per vCPU (on its own cache line), added to by
 * that vCPU's thread, read by any; NULL with one vCPU. */
typedef struct insncount_vcpu {
	uint64_t count;
} __attribute__((aligned(64))) insncount_vcpu_t;
static insncount_vcpu_t *insncount_vcpus;
static unsigned insncount_nvcpus;

/* insncount_lock protects the window state and the output file. */
static pthread_mutex_t insncount_lock = PTHREAD_MUTEX_INITIALIZER;
static bool insncount_open;
static unsigned long insncount_window;
static uint64_t insncount_start;
static FILE *insncount_out;

/* The instructions counted so far, all vCPUs together. */
static uint64_t insncount_now(void)
{
	if (!insncount_vcpus)
		return insncount_total;
	uint64_t sum = 0;
	for (unsigned i = 0; i < insncount_nvcpus; i++)
		sum += __atomic_load_n(&insncount_vcpus[i].count, __ATOMIC_RELAXED);
	return sum;
}

static void insncount_add(unsigned int vcpu, uint64_t n)
{
	if (insncount_vcpus)
		__atomic_fetch_add(
		    &insncount_vcpus[vcpu % insncount_nvcpus].count, n, __ATOMIC_RELAXED);
	else
		insncount_total += n;
}

/* Several vCPUs: one instruction starts on @a vcpu. */
static void insncount_on_insn(unsigned int vcpu, void *udata)
{
	(void) udata;
	insncount_add(vcpu, 1);
}

/* A marker starts on @a vcpu: open or close the window at the count so
 * far, then count the marker (in the window it opens). */
static void insncount_on_marker(unsigned int vcpu, void *udata)
{
	(void) udata;
	pthread_mutex_lock(&insncount_lock);
	uint64_t now = insncount_now();
	if (!insncount_open) {
		insncount_window++;
		insncount_start = now;
	} else if (insncount_out) {
		fprintf(insncount_out, "window %lu: %llu instructions\n", insncount_window,
		    (unsigned long long) (now - insncount_start));
		fflush(insncount_out);
	}
	insncount_open = !insncount_open;
	insncount_add(vcpu, 1);
	pthread_mutex_unlock(&insncount_lock);
}

static bool insncount_is_marker(const struct qemu_plugin_insn *insn)
{
	return qemu_plugin_insn_size(insn) == sizeof(insncount_marker) &&
	    memcmp(qemu_plugin_insn_data(insn), insncount_marker, sizeof(insncount_marker)) == 0;
}

static void insncount_on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void) id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		if (insncount_is_marker(insn))
			qemu_plugin_register_vcpu_insn_exec_cb(
			    insn, insncount_on_marker, QEMU_PLUGIN_CB_NO_REGS, NULL);
		else if (insncount_vcpus)
			qemu_plugin_register_vcpu_insn_exec_cb(
			    insn, insncount_on_insn, QEMU_PLUGIN_CB_NO_REGS, NULL);
		else
			qemu_plugin_register_vcpu_insn_exec_inline(
			    insn, QEMU_PLUGIN_INLINE_ADD_U64, &insncount_total, 1);
	}
}

static void insncount_at_exit(qemu_plugin_id_t id, void *udata)
{
	(void) id;
	(void) udata;
	pthread_mutex_lock(&insncount_lock);
	fclose(insncount_out);
	insncount_out = NULL;
	pthread_mutex_unlock(&insncount_lock);
}

/* The file named by out=FILE; NULL (after a message) for any other
 * argument. */
static const char *insncount_parse(int argc, char **argv)
{
	const char *path = "insncount.txt";
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4) != 0 || argv[i][4] == '\0') {
			fprintf(stderr, "insncount: unknown argument \"%s\" (only out=FILE)\n",
			    argv[i]);
			return NULL;
		}
		path = argv[i] + 4;
	}
	return path;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(
    qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	const char *path = insncount_parse(argc, argv);
	if (!path)
		return -1;
	/* User-mode emulation runs a vCPU per guest thread: shared slots. */
	int vcpus = info->system_emulation ? info->system.max_vcpus : 64;
	if (vcpus > 1) {
		insncount_nvcpus = (unsigned) vcpus;
		insncount_vcpus = calloc(insncount_nvcpus, sizeof(*insncount_vcpus));
		if (!insncount_vcpus)
			return -1;
	}
	insncount_out = fopen(path, "w");
	if (!insncount_out) {
		fprintf(stderr, "insncount: cannot write %s\n", path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, insncount_on_translate);
	qemu_plugin_register_atexit_cb(id, insncount_at_exit, NULL);
	return 0;
}
