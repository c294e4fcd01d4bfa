/*
 * pagers: what each pager serves, one line each (objects, resident pages,
 * dirty pages, faults served, evictions, write-backs; "-" where the pager
 * has no such thing), then the rest of its figures.  The anon pager
 * answers ANON_STATS (anon.h): anonymous memory has no file to be dirty
 * against, and it neither evicts nor writes back.  The file pager answers
 * FPAGER_STATS (abi/fpager.h) in four groups: CACHE, IO, WB and RA.  A
 * pager's task is the running task of its name (ps shows the same).
 */
#include <abi/fpager.h>
#include <anon.h>
#include <errno.h>
#include <ipc.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>

#define PAGERS_CONNECT_MS 1000

/* The id of the running task named @a name (the newest), or 0. */
static task_id_t pagers_task(const char *name)
{
	task_info_t *t;
	size_t n;
	task_id_t id = 0;
	if (task_list_alloc(&t, &n) != EOK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].name, name) == 0 && t[i].state == TASK_STATE_RUNNING)
			id = t[i].id;
	}
	free(t);
	return id;
}

static void pagers_head(void)
{
	printf("%-7s %5s %8s %9s %7s %8s %10s %11s\n", "PAGER", "TASK", "OBJECTS", "RESIDENT",
	    "DIRTY", "FAULTS", "EVICTIONS", "WRITE-BACKS");
}

static int pagers_anon(void)
{
	anon_stats_t a;
	cap_handle_t phone = anon_phone();
	errno_t rc = phone == CAP_NIL ? ENOENT : anon_stats_get(phone, &a);
	if (rc != EOK) {
		printf("%-7s %s\n", "anon", str_error(rc));
		return 1;
	}
	printf("%-7s %5llu %8llu %9llu %7s %8llu %10s %11s\n", "anon",
	    (unsigned long long) pagers_task(ANON_NAME), (unsigned long long) a.objects,
	    (unsigned long long) a.resident, "-", (unsigned long long) a.faults, "-", "-");
	printf("  anon: %llu frames held, %llu copy-on-write copies\n",
	    (unsigned long long) a.frames, (unsigned long long) a.cow_copies);
	return 0;
}

/* The four FPAGER_STATS groups into g[4][5]. */
static errno_t pagers_file_stats(uint64_t g[4][5])
{
	cap_handle_t phone;
	ipc_msg_t ans;
	errno_t rc = ns_connect_timeout(FPAGER_NAME, PAGERS_CONNECT_MS, &phone);
	if (rc != EOK)
		return rc;
	for (unsigned i = 0; i < 4 && rc == EOK; i++) {
		rc = ipc_request(phone, FPAGER_STATS, i, 0, 0, 0, 0, &ans);
		memcpy(g[i], ans.arg, 5 * sizeof(uint64_t));
	}
	ipc_hangup(phone);
	return rc;
}

static int pagers_file(void)
{
	uint64_t g[4][5];
	_Static_assert(FPAGER_STATS_CACHE == 0 && FPAGER_STATS_RA == 3, "the groups are 0..3");
	errno_t rc = pagers_file_stats(g);
	if (rc != EOK) {
		printf("%-7s %s\n", FPAGER_NAME, str_error(rc));
		return 1;
	}
	uint64_t *c = g[FPAGER_STATS_CACHE], *io = g[FPAGER_STATS_IO], *wb = g[FPAGER_STATS_WB];
	printf("%-7s %5llu %8llu %9llu %7llu %8llu %10llu %11llu\n", FPAGER_NAME,
	    (unsigned long long) pagers_task(FPAGER_NAME), (unsigned long long) wb[3],
	    (unsigned long long) c[1], (unsigned long long) c[2], (unsigned long long) io[2],
	    (unsigned long long) io[3], (unsigned long long) wb[0]);
	printf("  fpager: objects are files (%llu mapped views); cache %llu pages, %llu hold data; "
	       "dirty at most %llu (bound %llu)\n",
	    (unsigned long long) wb[4], (unsigned long long) c[0], (unsigned long long) c[1],
	    (unsigned long long) c[3], (unsigned long long) c[4]);
	printf("  fpager: %llu cached reads, %llu pages read, %llu read-aheads, %llu pages "
	       "written back, %llu failed writes\n",
	    (unsigned long long) io[0], (unsigned long long) io[1],
	    (unsigned long long) g[FPAGER_STATS_RA][0], (unsigned long long) io[4],
	    (unsigned long long) wb[1]);
	return 0;
}

int main(int argc, char **argv)
{
	(void) argv;
	if (argc > 1) {
		fprintf(stderr, "usage: pagers\n");
		return 2;
	}
	pagers_head();
	int status = pagers_anon();
	status |= pagers_file();
	return status;
}
