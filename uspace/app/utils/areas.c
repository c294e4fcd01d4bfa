/*
 * areas [PID]: every area of a task (of areas itself without PID), one
 * line each: its range, rights, backend, the pages mapped in it now, and
 * what backs it: for a pager area the pager serving it (its name and
 * task), the object's id at that pager and the area's offset in it; for
 * a phys area the physical address; for a DMA area the offset in the
 * buffer (SYS_TASK_AREA_LIST, abi/as.h).
 *
 * Only a task itself, its parent, or a holder of the right to it may read
 * its areas (abi/task.h, "Looking at tasks"): run from the shell, areas
 * is the shell's child, and the shell hands it the right to each of its
 * background jobs named on the command line ("fault loop &" then "areas
 * 14"); the areas of any other task are refused with a message saying so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>

static const char *const areas_backends[] = { "?", "wired", "phys", "pager", "dma" };

/* The name of task @a id in @a t[0..n) ("gone" if not listed). */
static const char *areas_task_name(const task_info_t *t, size_t n, task_id_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].id == id)
			return t[i].name;
	}
	return "gone";
}

static void areas_rights(unsigned f, char out[5])
{
	out[0] = f & AS_AREA_READ ? 'r' : '-';
	out[1] = f & AS_AREA_WRITE ? 'w' : '-';
	out[2] = f & AS_AREA_EXEC ? 'x' : '-';
	out[3] = f & AS_AREA_UNCACHED ? 'u' : '\0';
	out[4] = '\0';
}

/* What backs area @a a, into @a buf. */
static void areas_source(
    const task_area_info_t *a, const task_info_t *t, size_t n, char *buf, size_t size)
{
	if (a->backend == AS_BACKEND_PAGER && a->pager == 0)
		snprintf(buf, size, "(no pager) object %llu at %#llx",
		    (unsigned long long) a->object, (unsigned long long) a->offset);
	else if (a->backend == AS_BACKEND_PAGER)
		snprintf(buf, size, "%s (task %llu) object %llu at %#llx",
		    areas_task_name(t, n, a->pager), (unsigned long long) a->pager,
		    (unsigned long long) a->object, (unsigned long long) a->offset);
	else if (a->backend == AS_BACKEND_PHYS)
		snprintf(buf, size, "physical %#llx", (unsigned long long) a->offset);
	else if (a->backend == AS_BACKEND_DMA)
		snprintf(buf, size, "buffer offset %#llx", (unsigned long long) a->offset);
	else
		snprintf(buf, size, "-");
}

static void areas_print(const task_area_info_t *a, size_t na, const task_info_t *t, size_t nt)
{
	uint64_t bytes = 0, pages = 0;
	printf("%-16s %-16s %-4s %-6s %8s  %s\n", "START", "END", "RWX", "KIND", "RESIDENT",
	    "BACKED BY");
	for (size_t i = 0; i < na; i++) {
		char rights[5], src[96];
		areas_rights(a[i].flags, rights);
		areas_source(&a[i], t, nt, src, sizeof(src));
		printf("%016llx %016llx %-4s %-6s %8llu  %s\n", (unsigned long long) a[i].base,
		    (unsigned long long) (a[i].base + a[i].size), rights,
		    areas_backends[a[i].backend < 5 ? a[i].backend : 0],
		    (unsigned long long) a[i].resident, src);
		bytes += a[i].size;
		pages += a[i].resident;
	}
	printf("%zu areas, %llu KiB, %llu pages resident\n", na,
	    (unsigned long long) (bytes / 1024), (unsigned long long) pages);
}

static int areas_refused(const char *arg, task_id_t id, const task_info_t *t, size_t n, errno_t rc)
{
	if (rc == ENOENT)
		fprintf(stderr, "areas: %s: no such task\n", arg);
	else if (rc == EPERM)
		fprintf(stderr,
		    "areas: %s (%s): not permitted: only the task, its parent or a holder of the "
		    "right to it may read its areas (the shell gives areas the right to its "
		    "background jobs)\n",
		    arg, areas_task_name(t, n, id));
	else
		fprintf(stderr, "areas: %s: %s\n", arg, str_error(rc));
	return 1;
}

int main(int argc, char **argv)
{
	task_id_t id = task_id();
	task_info_t *t;
	task_area_info_t *a;
	size_t nt, na;
	if (argc > 2) {
		fprintf(stderr, "usage: areas [PID]\n");
		return 2;
	}
	if (argc == 2) {
		char *end;
		id = strtoul(argv[1], &end, 10);
		if (*end != '\0' || end == argv[1]) {
			fprintf(stderr, "areas: %s: not a task id\n", argv[1]);
			return 2;
		}
	}
	errno_t rc = task_list_alloc(&t, &nt);
	if (rc != EOK) {
		fprintf(stderr, "areas: %s\n", str_error(rc));
		return 1;
	}
	int status = 0;
	rc = task_area_list_alloc(id, &a, &na);
	if (rc != EOK) {
		status = areas_refused(argc == 2 ? argv[1] : "self", id, t, nt, rc);
	} else {
		printf("task %llu (%s):\n", (unsigned long long) id, areas_task_name(t, nt, id));
		areas_print(a, na, t, nt);
		free(a);
	}
	free(t);
	return status;
}
