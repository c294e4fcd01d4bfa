/*
 * init: the first ordinary task.  The kernel starts the boot tasks ns
 * (naming) and anon (the anon pager) before it; by the time main() runs,
 * libc has connected to the pager through ns (anon.h), so init and what
 * it starts run on pager-backed memory.  init says what runs, checks the
 * servers answer, and at the end of the boot reports how many faults the
 * anon pager has served.  Then it stays alive.
 */
#include <anon.h>
#include <errno.h>
#include <ipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define INIT_SLEEP_US (60ULL * 1000 * 1000)
/* Touched at startup so the pager has served init's own faults. */
#define INIT_TOUCH_BYTES (256 * 1024)

static void init_banner(int argc, char **argv)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	printf("init: mkernel user space, task %llu, %llu of %llu frames free\n",
	    (unsigned long long) task_id(), (unsigned long long) st.free_frames,
	    (unsigned long long) st.total_frames);
	for (int i = 1; i < argc; i++)
		printf("init: argument %d: %s\n", i, argv[i]);
}

static void init_memory_report(void)
{
	cap_handle_t anon = anon_phone();
	if (anon == CAP_NIL) {
		printf("init: memory: wired (no anon pager reachable)\n");
		return;
	}
	printf(
	    "init: memory: paged by \"%s\" (phone %d): heap, stacks, new areas\n", ANON_NAME, anon);
	/* Some work on paged memory: a heap block and a thread. */
	unsigned char *p = malloc(INIT_TOUCH_BYTES);
	if (p) {
		memset(p, 0x5a, INIT_TOUCH_BYTES);
		free(p);
	}
}

static void init_pager_stats(void)
{
	anon_stats_t st;
	cap_handle_t anon = anon_phone();
	if (anon == CAP_NIL)
		return;
	errno_t rc = anon_stats_get(anon, &st);
	if (rc != EOK) {
		printf("init: anon pager statistics: %s\n", str_error_name(rc));
		return;
	}
	printf("init: anon pager: %llu faults served; %llu object(s), %llu resident pages, "
	       "%llu frames held, %llu copy-on-write copies\n",
	    (unsigned long long) st.faults, (unsigned long long) st.objects,
	    (unsigned long long) st.resident, (unsigned long long) st.frames,
	    (unsigned long long) st.cow_copies);
}

int main(int argc, char **argv)
{
	init_banner(argc, argv);
	printf("init: started: ns, anon and console (boot tasks, before init), init (task %llu); "
	       "tester and bench run on request (utest=, bench=)\n",
	    (unsigned long long) task_id());
	init_memory_report();
	init_pager_stats();
	for (;;)
		thread_sleep_us(INIT_SLEEP_US);
}
