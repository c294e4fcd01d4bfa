/*
 * Programs: starting a task from an ELF64 boot module.
 *
 * The loader checks the image completely before it maps anything: ELF64,
 * little-endian, x86-64, ET_EXEC; program headers inside the file; every
 * PT_LOAD inside the file and inside user space, page-aligned relative to
 * its file offset, not writable and executable at once, not overlapping
 * another.  Then each PT_LOAD becomes a wired area with the segment's
 * rights, the file bytes are copied in (the rest is zero), a stack area is
 * made with the startup block (abi/task.h: task_startup_t, argv) on top,
 * and the first thread starts at the entry point.
 */
#ifndef KERN_PROC_PROGRAM_H_
#define KERN_PROC_PROGRAM_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <stddef.h>

#define PROGRAM_STACK_SIZE (256 * 1024)
#define PROGRAM_ARGS_MAX 256
#define PROGRAM_ARGV_MAX 16

struct task;

/* Start module @a name (the first word of its module command line) with
 * the words of @a args after argv[0]: ENOENT (no such module), EINVAL
 * (not a valid program), ENOMEM, ELIMIT (too many arguments). */
errno_t program_spawn_module(
    const char *name, const char *args, task_id_t parent, task_id_t *id_out);

/* Validate an ELF image in kernel memory (used by the loader and tests). */
errno_t program_elf_check(const void *image, size_t size);

#endif
