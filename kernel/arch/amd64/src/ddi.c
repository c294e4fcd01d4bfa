/*
 * The TSS's I/O permission bitmap, switched with the task (arch/ddi.h),
 * and the report of a port access a task was not granted.
 *
 * What the TSS holds now (single CPU: docs/architecture.md) is kept in
 * three words, read and written with interrupts disabled.
 */
#include <abi/task.h>
#include <arch/arch.h>
#include <arch/ddi.h>
#include <arch/gdt.h>
#include <ddi/ioport.h>
#include <lib/printf_core.h>
#include <mem.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>

static task_id_t io_loaded_task; /* whose bitmap the TSS holds (0: none) */
static uint64_t io_loaded_version; /* ... and which version of it */
size_t arch_io_dirty; /* TSS bitmap bytes [0, arch_io_dirty) may hold 0 bits */
#define io_dirty arch_io_dirty

void arch_io_switch_load(task_t *task)
{
	ddi_iomap_t *m = task->iomap;
	uint8_t *io = tss_io_bitmap();
	if (!m) {
		if (io_dirty) { /* the last task's ports go */
			memset(io, 0xff, io_dirty);
			io_dirty = 0;
			io_loaded_task = 0;
		}
		return;
	}
	if (io_loaded_task == task->id && io_loaded_version == m->version)
		return;
	memcpy(io, m->bits, m->bytes);
	if (io_dirty > m->bytes)
		memset(io + m->bytes, 0xff, io_dirty - m->bytes);
	io_dirty = m->bytes;
	io_loaded_task = task->id;
	io_loaded_version = m->version;
}

/* An I/O instruction: its port, width and direction. */
typedef struct io_insn {
	uint16_t port;
	unsigned size; /* bytes */
	bool write;
	bool string; /* ins/outs */
} io_insn_t;

static bool io_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e ||
	    b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || (b >= 0x40 && b <= 0x4f);
}

/* Decode the instruction at the faulting ip: false if it is no port
 * access (or cannot be read). */
static bool io_decode(const istate_t *is, io_insn_t *out)
{
	uint8_t code[15];
	size_t n = 0;
	while (n < sizeof(code) && copy_from_uspace(&code[n], uspace_ptr(is->rip + n), 1) == EOK) {
		if (!io_prefix(code[n]))
			break;
		n++;
	}
	if (n == sizeof(code) || copy_from_uspace(&code[n], uspace_ptr(is->rip + n), 1) != EOK)
		return false;
	bool opsize16 = false;
	for (size_t i = 0; i < n; i++)
		opsize16 |= code[i] == 0x66;
	uint8_t op = code[n];
	unsigned wide = opsize16 ? 2 : 4;
	*out = (io_insn_t){ .port = (uint16_t) is->rdx };
	switch (op) {
	case 0xe4:
	case 0xe5:
	case 0xe6:
	case 0xe7: {
		uint8_t imm;
		if (copy_from_uspace(&imm, uspace_ptr(is->rip + n + 1), 1) != EOK)
			return false;
		out->port = imm;
		break;
	}
	case 0xec:
	case 0xed:
	case 0xee:
	case 0xef:
		break;
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f:
		out->string = true;
		break;
	default:
		return false;
	}
	/* Odd opcodes move a word/dword, even ones a byte; E6/E7/EE/EF and
	 * 6E/6F write. */
	out->size = (op & 1) ? wide : 1;
	out->write = op == 0xe6 || op == 0xe7 || op == 0xee || op == 0xef || op == 0x6e ||
	    op == 0x6f;
	return true;
}

bool arch_io_fault(istate_t *is)
{
	if (!(is->cs & 3) || is->error != 0 || !TASK)
		return false;
	irq_enable(); /* reading the instruction may page it in */
	io_insn_t io;
	if (!io_decode(is, &io)) {
		irq_disable();
		return false;
	}
	char what[sizeof(((task_exit_info_t *) 0)->message)];
	ksnprintf(what, sizeof(what), "I/O port %#x not granted: %s%s (%u byte%s) ip %#lx", io.port,
	    io.write ? "out" : "in", io.string ? "s" : "", io.size, io.size > 1 ? "s" : "",
	    (unsigned long) is->rip);
	task_kill_report(io.port, io.write ? FAULT_ACCESS_WRITE : FAULT_ACCESS_READ, is->rip, what);
}
