/*
 * Programs: starting a task from an ELF64 boot module.
 *
 * The loader checks the image completely before it maps anything, with
 * common/'s elf_parse (elf/elf.h: every field, each refusal named on the
 * console), and maps what that describes: each PT_LOAD becomes an area
 * with the segment's rights, a read-only one without bss mapped straight
 * from the module's pages, the others wired with the file bytes copied
 * in (the rest is zero); then a small wired
 * startup stack (PROGRAM_STACK_SIZE) is made with the startup block
 * (abi/task.h: task_startup_t, argv) on top, and the first thread starts
 * at the entry point.
 *
 * The startup stack is only the block plus room for libc's startup (about
 * 600 bytes are used), which completes the main thread's stack itself,
 * right below it (PROGRAM_STACK_ROOM): lazily paged by the anon pager
 * when the task has it, wired for the tasks that must be
 * (uspace/lib/c/src/libc.c).  The kernel knows no pager object for a new
 * task, and zeroing a wired 256 KiB stack for every spawn cost 64 pages
 * (81,664 instructions).
 */
#ifndef KERN_PROC_PROGRAM_H_
#define KERN_PROC_PROGRAM_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <elf/elf.h>
#include <stddef.h>

#define PROGRAM_STACK_SIZE (8 * 1024) /* the startup stack */
/* The startup stack is placed first fit from this far above
 * AS_ANYWHERE_FLOOR, so that libc finds the room to put the rest of the
 * main thread's stack (and its guard page) right below it. */
#define PROGRAM_STACK_ROOM (1024 * 1024)

struct task;
struct caps_held;

/* Start module @a name (the first word of its module command line) with
 * the words of @a args (split at spaces) after argv[0]: ENOENT (no such
 * module), EINVAL (not a valid program), ENOMEM, ELIMIT (too many
 * arguments, abi/task.h: TASK_SPAWN_ARGS_MAX, TASK_SPAWN_ARGV_MAX). */
errno_t program_spawn_module(
    const char *name, const char *args, task_id_t parent, task_id_t *id_out);

/* The same, from a task (@a parent != 0) passing capabilities, with the
 * arguments as SYS_TASK_SPAWN takes them (@a args_len bytes, each
 * argument ending in a NUL; EINVAL if the last byte is not one): the new
 * task gets @a held's objects at handles 1..n (on success they are its
 * and *held is empty; on failure the caller still holds what *held
 * holds). */
errno_t program_spawn_module_caps(const char *name, const char *args, size_t args_len,
    task_id_t parent, struct caps_held *held, task_id_t *id_out);

/* The arguments the kernel starts boot module @a name with: the words of
 * its recipe command line after the name, less the "grant=" tokens (the
 * kernel's own, ddi/grant.h), e.g. "disk0" for "ext2 disk0".  "" if the
 * image has no such module.  program_args_from_cmdline() is the pure
 * part, on one command line. */
void program_module_args(const char *name, char *out, size_t size);
void program_args_from_cmdline(const char *cmdline, char *out, size_t size);

/* Check an ELF image in kernel memory for a user task (common/'s
 * elf_parse within the user half): EOK and *out; EINVAL, EPERM, ENOTSUP
 * and the broken rule in *why. */
errno_t program_elf_check(const void *image, size_t size, elf_image_t *out, elf_error_t *why);

#endif
