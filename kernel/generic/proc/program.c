/* Programs: ELF64 boot modules become tasks (see proc/program.h). */
#include <abi/as.h>
#include <arch/layout.h>
#include <console/console.h>
#include <ddi/caps.h>
#include <ddi/grant.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <lib/printf_core.h>
#include <main/bootinfo.h>
#include <mem.h>
#include <mm/as.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <proc/program.h>
#include <proc/task.h>

#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

typedef struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} elf64_ehdr_t;

typedef struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} elf64_phdr_t;

static const elf64_phdr_t *elf_phdr(const void *image, size_t i)
{
	const elf64_ehdr_t *eh = image;
	return (const elf64_phdr_t *) ((const char *) image + eh->e_phoff) + i;
}

static errno_t elf_check_header(const elf64_ehdr_t *eh, size_t size)
{
	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
	    eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(elf64_phdr_t) || eh->e_phnum == 0 || eh->e_phnum > 64)
		return EINVAL;
	if (eh->e_phoff > size || (size - eh->e_phoff) / sizeof(elf64_phdr_t) < eh->e_phnum)
		return EINVAL;
	return EOK;
}

static errno_t elf_check_segment(const elf64_phdr_t *ph, size_t size)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > size || size - ph->p_offset < ph->p_filesz)
		return EINVAL;
	if ((ph->p_vaddr & (PAGE_SIZE - 1)) != (ph->p_offset & (PAGE_SIZE - 1)))
		return EINVAL;
	uint64_t end = ph->p_vaddr + ph->p_memsz;
	if (ph->p_memsz == 0 || end < ph->p_vaddr || ph->p_vaddr < AS_USER_FLOOR ||
	    end > AS_USER_TOP)
		return EINVAL;
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return EPERM;
	return EOK;
}

errno_t program_elf_check(const void *image, size_t size)
{
	const elf64_ehdr_t *eh = image;
	errno_t rc = elf_check_header(eh, size);
	if (rc != EOK)
		return rc;
	bool entry_ok = false;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		const elf64_phdr_t *ph = elf_phdr(image, i);
		if (ph->p_type != PT_LOAD)
			continue;
		rc = elf_check_segment(ph, size);
		if (rc != EOK)
			return rc;
		if ((ph->p_flags & PF_X) && eh->e_entry >= ph->p_vaddr &&
		    eh->e_entry < ph->p_vaddr + ph->p_memsz)
			entry_ok = true;
	}
	return entry_ok ? EOK : EINVAL;
}

/* Copy @a n bytes to user address @a va of @a as (mapped, wired) via the
 * direct map, page by page. */
static void program_copy_in(as_t *as, uintptr_t va, const void *src, size_t n)
{
	const char *s = src;
	while (n > 0) {
		uintptr_t pa;
		unsigned flags;
		errno_t rc = page_mapping_find(&as->pt, PAGE_ALIGN_DOWN(va), &pa, &flags);
		assert(rc == EOK);
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		chunk = chunk < n ? chunk : n;
		memcpy((char *) PA2KA(pa) + (va & (PAGE_SIZE - 1)), s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
}

static unsigned elf_rights(uint32_t pf)
{
	return ((pf & PF_R) ? AS_AREA_READ : 0) | ((pf & PF_W) ? AS_AREA_WRITE : 0) |
	    ((pf & PF_X) ? AS_AREA_EXEC : 0);
}

static errno_t program_map_segments(as_t *as, const void *image, size_t size)
{
	const elf64_ehdr_t *eh = image;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		const elf64_phdr_t *ph = elf_phdr(image, i);
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t base = PAGE_ALIGN_DOWN(ph->p_vaddr);
		size_t len = PAGE_ALIGN_UP(ph->p_vaddr + ph->p_memsz) - base;
		uintptr_t got;
		errno_t rc = as_area_create(
		    as, base, len, elf_rights(ph->p_flags) | AS_AREA_FIXED, AS_BACKEND_WIRED, &got);
		if (rc != EOK)
			return rc == EEXIST ? EINVAL : rc;
		program_copy_in(as, ph->p_vaddr, (const char *) image + ph->p_offset, ph->p_filesz);
	}
	(void) size;
	return EOK;
}

/* The startup block as it will sit on top of the new task's stack. */
typedef struct program_startup {
	char block[1024 + PROGRAM_ARGS_MAX];
	size_t len; /* bytes used at the end of block[] */
	uintptr_t va; /* user address of block[sizeof(block) - len] */
	uintptr_t entry_sp;
	uintptr_t startup_va;
} program_startup_t;

/* Split "name args..." into argv[] (pointers into @a buf): ELIMIT. */
static errno_t program_split_args(char *buf, char **argv, size_t *argc)
{
	size_t n = 0;
	for (char *p = buf; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == PROGRAM_ARGV_MAX)
			return ELIMIT;
		argv[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	*argc = n;
	return EOK;
}

/* Lay out strings, argv[] and task_startup_t for a stack whose top is @a top. */
static void program_build_startup(program_startup_t *s, char **argv, size_t argc, uintptr_t top,
    task_id_t id, uintptr_t stack_base)
{
	char *end = s->block + sizeof(s->block);
	char *p = end;
	uintptr_t uargv[PROGRAM_ARGV_MAX + 1];
	for (size_t i = argc; i-- > 0;) {
		size_t l = strlen(argv[i]) + 1;
		p -= l;
		memcpy(p, argv[i], l);
		uargv[i] = top - (uintptr_t) (end - p);
	}
	uargv[argc] = 0;
	p = (char *) ((uintptr_t) p & ~(uintptr_t) 15);
	p -= (argc + 1) * sizeof(uintptr_t);
	memcpy(p, uargv, (argc + 1) * sizeof(uintptr_t));
	uintptr_t argv_va = top - (uintptr_t) (end - p);
	task_startup_t st = { .argc = argc,
		.argv = (char **) argv_va,
		.task_id = id,
		.stack_base = stack_base,
		.stack_size = PROGRAM_STACK_SIZE };
	p -= sizeof(st);
	p = (char *) ((uintptr_t) p & ~(uintptr_t) 15);
	memcpy(p, &st, sizeof(st));
	s->len = (size_t) (end - p);
	s->va = top - s->len;
	s->startup_va = s->va;
	s->entry_sp = s->va - 16; /* 16-byte aligned, some room below */
}

static const boot_module_t *program_find_module(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const char *c = boot_info.modules[i].cmdline;
		if (strncmp(c, name, n) == 0 && (c[n] == '\0' || c[n] == ' '))
			return &boot_info.modules[i];
	}
	return NULL;
}

static errno_t program_setup(task_t *task, const void *image, size_t size, char **argv, size_t argc)
{
	errno_t rc = program_map_segments(task->as, image, size);
	if (rc != EOK)
		return rc;
	uintptr_t stack;
	rc = as_area_create(task->as, AS_ANYWHERE_FLOOR + PROGRAM_STACK_ROOM, PROGRAM_STACK_SIZE,
	    AS_AREA_READ | AS_AREA_WRITE, AS_BACKEND_WIRED, &stack);
	if (rc != EOK)
		return rc;
	program_startup_t *st = malloc(sizeof(*st)); /* too big for the kernel stack */
	if (!st)
		return ENOMEM;
	program_build_startup(st, argv, argc, stack + PROGRAM_STACK_SIZE, task->id, stack);
	program_copy_in(task->as, st->va, st->block + sizeof(st->block) - st->len, st->len);
	uintptr_t sp = st->entry_sp, startup = st->startup_va;
	free(st);
	const elf64_ehdr_t *eh = image;
	return task_thread_start(task, eh->e_entry, sp, startup, NULL);
}

/* The recipe's "grant=" tokens of module @a m (ddi/grant.h). */
static errno_t program_apply_grants(task_t *task, const boot_module_t *m)
{
	size_t n;
	errno_t rc = ddi_grants_apply(&task->caps, m->cmdline, &n);
	if (rc != EOK)
		printf("kernel: module %s: bad device grant (%s)\n", task->name, errno_name(rc));
	else if (n > 0)
		printf("kernel: %s granted %zu device ranges\n", task->name, n);
	return rc;
}

/* What the new task holds besides its phone to ns: the recipe's grants
 * if the kernel starts it, or the capabilities its parent passes (at
 * handles 1..n; on success they are the task's and *held is empty). */
static errno_t program_give_caps(
    task_t *task, const boot_module_t *m, task_id_t parent, caps_held_t *held)
{
	if (parent == 0) {
		assert(!held || held->n == 0);
		return program_apply_grants(task, m);
	}
	return held && held->n > 0 ? caps_place(held, &task->caps, 1) : EOK;
}

errno_t program_spawn_module(
    const char *name, const char *args, task_id_t parent, task_id_t *id_out)
{
	return program_spawn_module_caps(name, args, parent, NULL, id_out);
}

errno_t program_spawn_module_caps(
    const char *name, const char *args, task_id_t parent, caps_held_t *held, task_id_t *id_out)
{
	char buf[TASK_NAME_MAX + PROGRAM_ARGS_MAX + 2];
	char *argv[PROGRAM_ARGV_MAX];
	size_t argc;

	const boot_module_t *m = program_find_module(name);
	if (!m || strlen(name) >= TASK_NAME_MAX || strlen(args) > PROGRAM_ARGS_MAX)
		return m ? EINVAL : ENOENT;
	const void *image = PA2KA(m->start);
	size_t size = m->end - m->start;
	errno_t rc = program_elf_check(image, size);
	if (rc != EOK)
		return rc;
	ksnprintf(buf, sizeof(buf), "%s %s", name, args);
	rc = program_split_args(buf, argv, &argc);
	if (rc != EOK)
		return rc;
	task_t *task;
	rc = task_create(name, parent, &task);
	if (rc != EOK)
		return rc;
	task_id_t id = task->id;
	/* The naming service is the task started from module "ns"; every
	 * other task starts with phone IPC_PHONE_NS to it (if it exists).
	 * Only the kernel's own "ns" (parent 0), once, becomes the naming
	 * service; a task spawning the module again gets an ordinary task. */
	bool is_ns = strcmp(name, "ns") == 0 && parent == 0 && ipc_ns_claim(task->box);
	if (!is_ns)
		(void) ipc_task_connect_ns(task);
	rc = program_give_caps(task, m, parent, held);
	if (rc == EOK)
		rc = program_setup(task, image, size, argv, argc);
	if (rc != EOK) {
		/* Capabilities placed close with the table; if placing failed
		 * they are still in *held, for the caller to release. */
		task_destroy_unstarted(task);
		return rc;
	}
	if (id_out)
		*id_out = id;
	return EOK;
}
