/*
 * ps: every task not yet reaped (SYS_TASK_LIST: any task may list them),
 * one line each: its id, its parent ("-" the kernel started it, "gone"
 * its parent ended), its name (the module it runs), its state, its
 * threads, its areas, and the pages mapped in them now by the backend of
 * their area: wired (boot tasks and pagers), phys (device memory, boot
 * modules' code), pager (paged by the anon or the file pager), dma.
 * The last line sums them up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <task.h>

static const char *ps_state(uint32_t s)
{
	switch (s) {
	case TASK_STATE_RUNNING:
		return "running";
	case TASK_STATE_EXITING:
		return "exiting";
	case TASK_STATE_ZOMBIE:
		return "zombie";
	default:
		return "?";
	}
}

static void ps_parent(task_id_t p, char *buf, size_t size)
{
	if (p == 0)
		snprintf(buf, size, "-");
	else if (p == TASK_PARENT_GONE)
		snprintf(buf, size, "gone");
	else
		snprintf(buf, size, "%llu", (unsigned long long) p);
}

int main(int argc, char **argv)
{
	(void) argv;
	task_info_t *t;
	size_t n;
	if (argc > 1) {
		fprintf(stderr, "usage: ps\n");
		return 2;
	}
	errno_t rc = task_list_alloc(&t, &n);
	if (rc != EOK) {
		fprintf(stderr, "ps: %s\n", str_error(rc));
		return 1;
	}
	uint64_t threads = 0, pages = 0;
	printf("%5s %6s %-12s %-8s %4s %5s %8s %6s %8s %5s\n", "ID", "PARENT", "NAME", "STATE",
	    "THR", "AREAS", "WIRED", "PHYS", "PAGER", "DMA");
	for (size_t i = 0; i < n; i++) {
		char parent[24];
		ps_parent(t[i].parent, parent, sizeof(parent));
		printf("%5llu %6s %-12s %-8s %4u %5llu %8llu %6llu %8llu %5llu\n",
		    (unsigned long long) t[i].id, parent, t[i].name, ps_state(t[i].state),
		    (unsigned) t[i].threads, (unsigned long long) t[i].areas,
		    (unsigned long long) t[i].resident_wired,
		    (unsigned long long) t[i].resident_phys,
		    (unsigned long long) t[i].resident_pager,
		    (unsigned long long) t[i].resident_dma);
		threads += t[i].threads;
		pages += t[i].resident_wired + t[i].resident_phys + t[i].resident_pager +
		    t[i].resident_dma;
	}
	printf("%zu tasks, %llu threads, %llu pages resident (a page shared by tasks counts "
	       "in each)\n",
	    n, (unsigned long long) threads, (unsigned long long) pages);
	free(t);
	return 0;
}
