/* Programs: ELF64 boot modules become tasks (see proc/program.h). */
#include <abi/as.h>
#include <arch/layout.h>
#include <console/console.h>
#include <ddi/caps.h>
#include <ddi/grant.h>
#include <ddi/range.h>
#include <debug.h>
#include <elf/elf.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <lib/printf_core.h>
#include <main/bootinfo.h>
#include <mem.h>
#include <mm/as.h>
#include <mm/as_backend.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <proc/program.h>
#include <proc/task.h>

errno_t program_elf_check(const void *image, size_t size, elf_image_t *out, elf_error_t *why)
{
	return elf_parse(image, size, size, AS_USER_FLOOR, AS_USER_TOP, out, why);
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

/* Whether @a seg can be mapped straight from the module's own pages: it
 * is read-only (every task sees the same bytes), all of its pages come
 * from the file with nothing to clear (elf_parse's description), and the
 * module starts on a page (the segment's pages are then pages of the
 * module; the last one's tail, past the module's end, is reserved with it
 * and never handed out). */
static bool program_seg_direct(const boot_module_t *m, const elf_segment_t *seg)
{
	return !(seg->rights & AS_AREA_WRITE) && seg->bss_pages == 0 &&
	    seg->zero_from == seg->base + seg->file_pages && PAGE_ALIGNED(m->start);
}

/* Map @a seg's pages of module @a m (read-only, shared by every task of
 * the module: no frame, no zeroing, no copy) as its area. */
static errno_t program_map_direct(as_t *as, const boot_module_t *m, const elf_segment_t *seg)
{
	ddi_range_t *r;
	errno_t rc = ddi_range_create(DDI_RANGE_PHYS, m->start + seg->file_base, seg->size, &r);
	if (rc != EOK)
		return rc;
	as_bind_t bind = { .phys = { r, r->base } };
	uintptr_t got;
	rc = as_area_create_bound(
	    as, seg->base, seg->size, seg->rights | AS_AREA_FIXED, &as_backend_phys, &bind, &got);
	ddi_range_put(r); /* the area holds its own */
	return rc;
}

/* Read-only segments map the module's pages; the others get wired frames
 * with the file's bytes copied in (and the bss zero). */
static errno_t program_map_segments(as_t *as, const boot_module_t *m, const elf_image_t *img)
{
	const void *image = PA2KA(m->start);
	for (size_t i = 0; i < img->count; i++) {
		const elf_segment_t *seg = &img->seg[i];
		uintptr_t got;
		errno_t rc;
		if (program_seg_direct(m, seg)) {
			rc = program_map_direct(as, m, seg);
		} else {
			/* Wired frames are zeroed: the bss and the zero tail. */
			rc = as_area_create(as, seg->base, seg->size, seg->rights | AS_AREA_FIXED,
			    AS_BACKEND_WIRED, &got);
			if (rc == EOK)
				program_copy_in(as, seg->vaddr, (const char *) image + seg->offset,
				    seg->filesz);
		}
		if (rc != EOK)
			return rc == EEXIST ? EINVAL : rc;
	}
	return EOK;
}

typedef struct program_startup {
	/* the strings (the arguments and argv[0]), argv[] and the block */
	char block[TASK_SPAWN_ARGS_MAX + TASK_NAME_MAX + 8 * (TASK_SPAWN_ARGV_MAX + 1) + 128];
	size_t len; /* bytes used at the end of block[] */
	uintptr_t va; /* user address of block[sizeof(block) - len] */
	uintptr_t entry_sp;
	uintptr_t startup_va;
} program_startup_t;

/* argv[0] = @a name, then the NUL-ended arguments of the block @a args
 * (@a len bytes, abi/task.h: task_spawn_t.args): EINVAL, ELIMIT. */
static errno_t program_argv_from_block(
    char *name, char *args, size_t len, char **argv, size_t *argc)
{
	size_t n = 0;
	if (len > TASK_SPAWN_ARGS_MAX)
		return ELIMIT;
	if (len > 0 && args[len - 1] != '\0')
		return EINVAL;
	argv[n++] = name;
	for (size_t i = 0; i < len; i += strlen(args + i) + 1) {
		if (n == TASK_SPAWN_ARGV_MAX)
			return ELIMIT;
		argv[n++] = args + i;
	}
	*argc = n;
	return EOK;
}

/* The words of @a line (split at spaces) as an argument block in @a out
 * (@a size bytes): its length, or ELIMIT. */
static errno_t program_block_from_words(const char *line, char *out, size_t size, size_t *len)
{
	size_t n = 0;
	for (const char *p = line; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		while (*p && *p != ' ') {
			if (n + 2 > size)
				return ELIMIT;
			out[n++] = *p++;
		}
		out[n++] = '\0';
	}
	*len = n;
	return EOK;
}

/* Lay out strings, argv[] and task_startup_t for a stack whose top is @a top. */
static void program_build_startup(program_startup_t *s, char **argv, size_t argc, uintptr_t top,
    const task_t *task, uintptr_t stack_base)
{
	char *end = s->block + sizeof(s->block);
	char *p = end;
	uintptr_t uargv[TASK_SPAWN_ARGV_MAX + 1];
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
		.task_id = task->id,
		.stack_base = stack_base,
		.stack_size = PROGRAM_STACK_SIZE,
		.flags = (task->parent == 0 ? TASK_STARTUP_BOOT : 0) |
		    (ipc_fail_inject_enabled ? TASK_STARTUP_TESTING : 0) };
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

static errno_t program_setup(
    task_t *task, const boot_module_t *m, const elf_image_t *img, char **argv, size_t argc)
{
	errno_t rc = program_map_segments(task->as, m, img);
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
	program_build_startup(st, argv, argc, stack + PROGRAM_STACK_SIZE, task, stack);
	program_copy_in(task->as, st->va, st->block + sizeof(st->block) - st->len, st->len);
	uintptr_t sp = st->entry_sp, startup = st->startup_va;
	free(st);
	return task_thread_start(task, img->entry, sp, startup, NULL);
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

void program_args_from_cmdline(const char *cmdline, char *out, size_t size)
{
	static const char grant[] = "grant=";
	size_t len = 0;
	const char *p = cmdline;

	if (size == 0)
		return;
	while (*p && *p != ' ') /* the module's name */
		p++;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t) (p - w);
		if (n == 0 || strncmp(w, grant, sizeof(grant) - 1) == 0)
			continue;
		if (len + (len > 0) + n >= size)
			break; /* what fits, whole words only */
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, w, n);
		len += n;
	}
	out[len] = '\0';
}

void program_module_args(const char *name, char *out, size_t size)
{
	const boot_module_t *m = program_find_module(name);

	if (size > 0)
		out[0] = '\0';
	if (m)
		program_args_from_cmdline(m->cmdline, out, size);
}

/* Make task @a name of module @a m and start it with @a argv. */
static errno_t program_start(const char *name, const boot_module_t *m, const elf_image_t *img,
    char **argv, size_t argc, task_id_t parent, caps_held_t *held, task_id_t *id_out)
{
	task_t *task;
	errno_t rc = task_create(name, parent, &task);
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
		rc = program_setup(task, m, img, argv, argc);
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

errno_t program_spawn_module(
    const char *name, const char *args, task_id_t parent, task_id_t *id_out)
{
	size_t len;
	char *block = malloc(TASK_SPAWN_ARGS_MAX);
	if (!block)
		return ENOMEM;
	errno_t rc = program_block_from_words(args, block, TASK_SPAWN_ARGS_MAX, &len);
	if (rc == EOK)
		rc = program_spawn_module_caps(name, block, len, parent, NULL, id_out);
	free(block);
	return rc;
}

/* The checked image of module @a m, named @a name: EINVAL if it is none. */
static errno_t program_module_image(const char *name, const boot_module_t *m, elf_image_t *img)
{
	elf_error_t why;
	errno_t rc = program_elf_check(PA2KA(m->start), m->end - m->start, img, &why);
	if (rc != EOK)
		printf("kernel: module %s is not a valid program: %s\n", name, elf_error_name(why));
	return rc;
}

errno_t program_spawn_module_caps(const char *name, const char *args, size_t args_len,
    task_id_t parent, caps_held_t *held, task_id_t *id_out)
{
	char nbuf[TASK_NAME_MAX];
	char *argv[TASK_SPAWN_ARGV_MAX];
	size_t argc;
	elf_image_t img;

	const boot_module_t *m = program_find_module(name);
	if (!m || strlen(name) >= TASK_NAME_MAX)
		return m ? EINVAL : ENOENT;
	if (args_len > TASK_SPAWN_ARGS_MAX)
		return ELIMIT;
	errno_t rc = program_module_image(name, m, &img);
	if (rc != EOK)
		return rc;
	char *abuf = malloc(args_len + 1); /* argv[] points into it until set up */
	if (!abuf)
		return ENOMEM;
	memcpy(abuf, args, args_len);
	ksnprintf(nbuf, sizeof(nbuf), "%s", name);
	rc = program_argv_from_block(nbuf, abuf, args_len, argv, &argc);
	if (rc == EOK)
		rc = program_start(name, m, &img, argv, argc, parent, held, id_out);
	free(abuf);
	return rc;
}
