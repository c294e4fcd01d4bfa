/*
 * The program loader: starts a program from a file (docs/loader.md).
 *
 * libc's task_spawn_path() spawns this boot module with the arguments
 *     NCAPS PATH ARGV0 [ARGV1 ...]
 * (NCAPS: how many capabilities the parent passed, at handles 1..NCAPS).
 * The loader runs inside the new task, linked high (LOADER_BASE in
 * meson.build) so that it is out of the way of the program's segments,
 * and lays the program out around itself with the calls any task uses:
 *  1. open PATH, check it is a regular file with an execute bit, read its
 *     headers and check them with common/'s elf_parse (the kernel's boot
 *     loader makes the same checks);
 *  2. map each segment: a read-only one with nothing to clear is a shared
 *     mapping of the file (its pages are the file pager's cache pages,
 *     one copy for every task running the file); a writable one, or one
 *     whose last file page has bss to clear, is a private copy-on-write
 *     mapping of the file; the bss pages past the file's are anonymous;
 *  3. make the program's main stack (anonymous, THREAD_MAIN_STACK_SIZE
 *     with its guard page) and put the startup block (abi/task.h:
 *     task_startup_t, argv) at its top;
 *  4. SYS_TASK_EXEC: the kernel drops every other area (the loader's
 *     code, data, heap, stack) and every handle but the ns phone and the
 *     passed ones, renames the task after the program and continues at
 *     its entry point.  The loader's phones to the pagers go too: the
 *     areas keep their objects (a pager keeps an object that has an area
 *     when its creator's connection closes, even one whose OBJECT_REF it
 *     has not served yet: docs/pager-abi.md), and the program's own libc
 *     makes its own phones.
 * If a step fails, the loader ends with the errno_t as its status (and
 * names the broken ELF rule on the console, which the errno cannot); the
 * task ends, and its memory with it, and the parent's task_spawn_path()
 * returns that error (SYS_TASK_WAIT_EXEC).
 *
 * The program's arguments pass through as they are: libc's words (the
 * descriptor handoff, the current directory) are among them for the
 * program's libc to take.
 */
#include <abi/as.h>
#include <anon.h>
#include <as.h>
#include <elf/elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>

/* The most header bytes read: the program headers must lie in them. */
#define LOADER_HDR_MAX (64 * 1024)
/* Most areas the loader's task holds before SYS_TASK_EXEC (its own few
 * and the program's: each segment's file part and bss, the stack). */
#define LOADER_LIST_MAX 64

typedef struct loader {
	const char *path;
	size_t ncaps;
	int argc; /* the program's */
	char **argv;
	int fd;
	uint64_t size; /* the file's */
	elf_image_t img;
	elf_error_t why; /* the ELF rule a refused file broke */
	uintptr_t stack_base; /* the stack above its guard */
	uintptr_t startup; /* the startup block */
	uintptr_t sp;
} loader_t;

static errno_t loader_args(loader_t *ld, int argc, char **argv)
{
	if (argc < 4)
		return EINVAL;
	char *end;
	unsigned long n = strtoul(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || n > TASK_SPAWN_CAPS_MAX)
		return EINVAL;
	ld->ncaps = n;
	ld->path = argv[2];
	ld->argc = argc - 3;
	ld->argv = argv + 3;
	return EOK;
}

/* Read the headers and check them: *buf (malloc'ed) holds *len bytes. */
static errno_t loader_read_headers(loader_t *ld, uint8_t **buf, size_t *len)
{
	size_t want = ld->size < 4096 ? (size_t) ld->size : 4096;
	for (;;) {
		uint8_t *b = realloc(*buf, want ? want : 1);
		if (!b)
			return ENOMEM;
		*buf = b;
		ssize_t got = pread(ld->fd, b, want, 0);
		if (got < 0)
			return errno;
		*len = (size_t) got;
		errno_t rc = elf_parse(
		    b, *len, ld->size, AS_USER_FLOOR, AS_USER_TOP, &ld->img, &ld->why);
		if (ld->why != ELF_E_PHDRS_UNREAD || (size_t) got < want || want == LOADER_HDR_MAX)
			return rc;
		/* The table lies further in: read up to its end (bounded). */
		const elf64_ehdr_t *eh = (const elf64_ehdr_t *) b;
		uint64_t end = eh->e_phoff + (uint64_t) eh->e_phnum * sizeof(elf64_phdr_t);
		want = end < LOADER_HDR_MAX ? (size_t) end : LOADER_HDR_MAX;
	}
}

static errno_t loader_open(loader_t *ld)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len;
	ld->fd = open(ld->path, O_RDONLY);
	if (ld->fd < 0)
		return errno;
	if (fstat(ld->fd, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return EACCES;
	ld->size = (uint64_t) st.st_size;
	errno_t rc = loader_read_headers(ld, &buf, &len);
	free(buf);
	return rc;
}

static int loader_prot(unsigned rights)
{
	return ((rights & AS_AREA_READ) ? PROT_READ : 0) |
	    ((rights & AS_AREA_WRITE) ? PROT_WRITE : 0) | ((rights & AS_AREA_EXEC) ? PROT_EXEC : 0);
}

static errno_t loader_mmap(uintptr_t at, size_t len, int prot, int flags, int fd, uint64_t off)
{
	void *p = mmap((void *) at, len, prot, flags | MAP_FIXED_NOREPLACE, fd, (off_t) off);
	if (p == MAP_FAILED)
		return errno == EEXIST ? EINVAL : errno; /* over the loader itself */
	return EOK;
}

/* The file pages of @a s: shared when the program cannot change them and
 * nothing is to be cleared, else a private copy with the tail cleared. */
static errno_t loader_map_file(loader_t *ld, const elf_segment_t *s)
{
	int prot = loader_prot(s->rights);
	bool clear = s->zero_from != s->base + s->file_pages;
	if (!(s->rights & AS_AREA_WRITE) && !clear)
		return loader_mmap(s->base, s->file_pages, prot, MAP_SHARED, ld->fd, s->file_base);
	errno_t rc = loader_mmap(
	    s->base, s->file_pages, PROT_READ | PROT_WRITE, MAP_PRIVATE, ld->fd, s->file_base);
	if (rc != EOK)
		return rc;
	if (clear)
		memset((void *) s->zero_from, 0, s->base + s->file_pages - s->zero_from);
	if (prot != (PROT_READ | PROT_WRITE) &&
	    mprotect((void *) s->base, s->file_pages, prot) != 0)
		return errno;
	return EOK;
}

static errno_t loader_map(loader_t *ld)
{
	for (size_t i = 0; i < ld->img.count; i++) {
		const elf_segment_t *s = &ld->img.seg[i];
		errno_t rc = s->file_pages ? loader_map_file(ld, s) : EOK;
		if (rc == EOK && s->bss_pages)
			rc = loader_mmap(s->base + s->file_pages, s->bss_pages,
			    loader_prot(s->rights), MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (rc != EOK)
			return rc;
	}
	return EOK;
}

/* Copy @a len bytes of @a src below *p; the copy's address. */
static uintptr_t loader_push(uintptr_t *p, const void *src, size_t len)
{
	*p -= len;
	memcpy((void *) *p, src, len);
	return *p;
}

/* The stack, and on its top the strings, argv[] and the startup block. */
static errno_t loader_stack(loader_t *ld)
{
	errno_t rc = as_area_create_stack(0, THREAD_MAIN_STACK_SIZE, 4096, &ld->stack_base);
	if (rc != EOK)
		return rc;
	uintptr_t p = ld->stack_base + THREAD_MAIN_STACK_SIZE;
	uintptr_t uargv[TASK_SPAWN_ARGV_MAX + 1];
	for (int i = ld->argc; i-- > 0;)
		uargv[i] = loader_push(&p, ld->argv[i], strlen(ld->argv[i]) + 1);
	uargv[ld->argc] = 0;
	p &= ~(uintptr_t) 15;
	uintptr_t argv_va = loader_push(&p, uargv, (size_t) (ld->argc + 1) * sizeof(uintptr_t));
	task_startup_t st = { .argc = (uint64_t) ld->argc,
		.argv = (char **) argv_va,
		.task_id = task_id(),
		.stack_base = ld->stack_base,
		.stack_size = THREAD_MAIN_STACK_SIZE,
		.flags = task_startup()->flags & ~(uint64_t) TASK_STARTUP_BOOT };
	p = (p - sizeof(st)) & ~(uintptr_t) 15;
	memcpy((void *) p, &st, sizeof(st));
	ld->startup = p;
	ld->sp = p - 16; /* 16-byte aligned, some room below */
	return EOK;
}

/* Whether the area at @a base is the program's (a segment's or the
 * stack's), not the loader's. */
static bool loader_area_kept(const loader_t *ld, uintptr_t base)
{
	for (size_t i = 0; i < ld->img.count; i++) {
		const elf_segment_t *s = &ld->img.seg[i];
		if (base >= s->base && base < s->base + s->size)
			return true;
	}
	return base >= ld->stack_base - THREAD_GUARD_SIZE &&
	    base < ld->stack_base + THREAD_MAIN_STACK_SIZE;
}

/* The program's name: the last part of its path. */
static const char *loader_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

static errno_t loader_exec(loader_t *ld)
{
	static as_area_info_t areas[LOADER_LIST_MAX];
	size_t n;
	uint64_t keep[TASK_EXEC_KEEP_MAX];
	int32_t caps[TASK_SPAWN_CAPS_MAX];
	size_t nkeep = 0;
	close(ld->fd); /* the mappings hold the file */
	ld->fd = -1;
	errno_t rc = as_area_list(areas, LOADER_LIST_MAX, &n);
	if (rc == EOK && n > LOADER_LIST_MAX)
		rc = ELIMIT;
	if (rc != EOK)
		return rc;
	for (size_t i = 0; i < n && nkeep < TASK_EXEC_KEEP_MAX; i++)
		if (loader_area_kept(ld, areas[i].base))
			keep[nkeep++] = areas[i].base;
	for (size_t i = 0; i < ld->ncaps; i++)
		caps[i] = (int32_t) (i + 1);
	const char *name = loader_name(ld->path);
	size_t nlen = strlen(name) < TASK_NAME_MAX - 1 ? strlen(name) : TASK_NAME_MAX - 1;
	task_exec_t spec = { .entry = ld->img.entry,
		.stack_top = ld->sp,
		.arg = ld->startup,
		.keep = keep,
		.nkeep = nkeep,
		.keep_caps = caps,
		.nkeep_caps = ld->ncaps,
		.name = name,
		.name_len = nlen };
	stdout_flush();
	return (errno_t) syscall1(SYS_TASK_EXEC, &spec); /* returns only if refused */
}

int main(int argc, char **argv)
{
	loader_t ld = { .fd = -1, .why = ELF_OK };
	errno_t rc = loader_args(&ld, argc, argv);
	if (rc == EOK)
		rc = loader_open(&ld);
	if (rc == EOK)
		rc = loader_map(&ld);
	if (rc == EOK)
		rc = loader_stack(&ld);
	if (rc == EOK)
		rc = loader_exec(&ld);
	/* The spawner gets rc; the console gets what rc cannot say: the ELF
	 * rule a file broke, or a loader started by hand. */
	if (ld.why != ELF_OK)
		printf("loader: %s: %s\n", ld.path, elf_error_name(ld.why));
	else if (!ld.path)
		printf("loader: started without a program (see docs/loader.md)\n");
	return (int) rc;
}
