/*
 * Frame ledgers (tester.h): where the machine's frames are, by owner, at
 * one moment -- the kernel's counts by use (mem_stats_t.frames_*), each
 * task's wired pages, page tables and threads, what the anon pager holds
 * (its blocks, and the pages in them that hold data), and the file
 * pager's cache -- so a leak check can say which owner kept the frames it
 * misses instead of only how many.
 */
#include "tester.h"
#include <abi/fpager.h>
#include <anon.h>
#include <ipc.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define LEDGER_SETTLE_TRIES 250 /* 5 s: a loaded host slows the guest's reaping */
#define LEDGER_SETTLE_WAIT_US 20000

/* The file pager's cache pages holding data (FPAGER_STATS_CACHE arg[1]),
 * asked through a phone kept while the file pager lives: hanging one up
 * after each question would leave a notice (a kernel object) at the file
 * pager that it may not have taken yet when the kernel's counts are read
 * (it was one, now and then, before the phone was kept). */
static uint64_t ledger_fpager_cached(void)
{
	static cap_handle_t phone = CAP_NIL;
	ipc_msg_t ans;
	if (phone == CAP_NIL && ns_connect(FPAGER_NAME, &phone) != EOK)
		phone = CAP_NIL;
	if (phone == CAP_NIL)
		return 0;
	errno_t rc = ipc_request(phone, FPAGER_STATS, FPAGER_STATS_CACHE, 0, 0, 0, 0, &ans);
	if (rc == EHANGUP) { /* it ended: ask its successor next time */
		(void) ipc_hangup(phone);
		phone = CAP_NIL;
	}
	return rc == EOK ? ans.arg[1] : 0;
}

static void ledger_tasks_take(frames_ledger_t *l)
{
	task_info_t *t;
	size_t n;
	l->ntasks = 0;
	if (task_list_alloc(&t, &n) != EOK)
		return;
	for (size_t i = 0; i < n && l->ntasks < LEDGER_TASKS; i++) {
		ledger_task_t *e = &l->task[l->ntasks++];
		e->id = t[i].id;
		memcpy(e->name, t[i].name, sizeof(e->name));
		e->wired = t[i].resident_wired;
		e->paged = t[i].resident_pager;
		e->areas = t[i].areas;
		e->page_tables = t[i].page_tables;
		e->threads = t[i].threads;
		e->handles = t[i].handles;
	}
	free(t);
}

errno_t frames_ledger_take(frames_ledger_t *l)
{
	memset(l, 0, sizeof(*l));
	l->fp_cached = ledger_fpager_cached();
	cap_handle_t anon = anon_phone();
	if (anon != CAP_NIL)
		anon_stats_get(anon, &l->anon);
	ledger_tasks_take(l);
	return mem_stats(&l->mem);
}

static const ledger_task_t *ledger_task_find(const frames_ledger_t *l, task_id_t id)
{
	for (size_t i = 0; i < l->ntasks; i++)
		if (l->task[i].id == id)
			return &l->task[i];
	return NULL;
}

static int64_t ledger_delta(uint64_t a, uint64_t b)
{
	return (int64_t) (b - a);
}

/* One line per task of both ledgers whose pages, page tables, threads,
 * handles or areas changed. */
static void ledger_tasks_print(const frames_ledger_t *a, const frames_ledger_t *b)
{
	for (size_t i = 0; i < b->ntasks; i++) {
		const ledger_task_t *y = &b->task[i], *x = ledger_task_find(a, y->id);
		if (!x ||
		    (x->wired == y->wired && x->paged == y->paged &&
		        x->page_tables == y->page_tables && x->threads == y->threads &&
		        x->handles == y->handles && x->areas == y->areas))
			continue;
		printf("#   task %llu (%s): wired %+lld, paged %+lld, page tables %+lld, "
		       "threads %+lld, handles %+lld, areas %+lld\n",
		    (unsigned long long) y->id, y->name,
		    (long long) ledger_delta(x->wired, y->wired),
		    (long long) ledger_delta(x->paged, y->paged),
		    (long long) ledger_delta(x->page_tables, y->page_tables),
		    (long long) ledger_delta(x->threads, y->threads),
		    (long long) ledger_delta(x->handles, y->handles),
		    (long long) ledger_delta(x->areas, y->areas));
	}
}

void frames_ledger_print(const char *what, const frames_ledger_t *a, const frames_ledger_t *b)
{
	const mem_stats_t *x = &a->mem, *y = &b->mem;
	printf("# %s: free %+lld; wired %+lld, page tables %+lld, kernel stacks %+lld, "
	       "slab %+lld, kmalloc %+lld, dma %+lld, other %+lld\n",
	    what, (long long) ledger_delta(x->free_frames, y->free_frames),
	    (long long) ledger_delta(x->frames_wired, y->frames_wired),
	    (long long) ledger_delta(x->frames_page_tables, y->frames_page_tables),
	    (long long) ledger_delta(x->frames_kernel_stacks, y->frames_kernel_stacks),
	    (long long) ledger_delta(x->frames_slab, y->frames_slab),
	    (long long) ledger_delta(x->frames_kmalloc, y->frames_kmalloc),
	    (long long) ledger_delta(x->frames_dma, y->frames_dma),
	    (long long) ledger_delta(x->frames_other, y->frames_other));
	printf("#   kernel objects %+lld (malloc %+lld, calls %+lld, B+tree nodes %+lld), "
	       "threads %+lld, handles %+lld, tasks %+lld; "
	       "anon pager: frames %+lld, data pages %+lld, objects %+lld; "
	       "file pager cache %+lld\n",
	    (long long) ledger_delta(x->kernel_objects, y->kernel_objects),
	    (long long) ledger_delta(x->objects_malloc, y->objects_malloc),
	    (long long) ledger_delta(x->objects_calls, y->objects_calls),
	    (long long) ledger_delta(x->objects_btree, y->objects_btree),
	    (long long) ledger_delta(x->threads, y->threads),
	    (long long) ledger_delta(x->handles, y->handles),
	    (long long) ledger_delta(x->tasks, y->tasks),
	    (long long) ledger_delta(a->anon.frames, b->anon.frames),
	    (long long) ledger_delta(a->anon.resident, b->anon.resident),
	    (long long) ledger_delta(a->anon.objects, b->anon.objects),
	    (long long) ledger_delta(a->fp_cached, b->fp_cached));
	ledger_tasks_print(a, b);
}

int64_t frames_ledger_kept(const frames_ledger_t *a, const frames_ledger_t *b)
{
	int64_t used = ledger_delta(b->mem.free_frames, a->mem.free_frames);
	return used - ledger_delta(a->mem.frames_slab, b->mem.frames_slab);
}

int64_t frames_ledger_objects_kept(const frames_ledger_t *a, const frames_ledger_t *b)
{
	return ledger_delta(a->mem.objects_malloc, b->mem.objects_malloc) +
	    ledger_delta(a->mem.objects_calls, b->mem.objects_calls);
}

errno_t frames_ledger_settle(const frames_ledger_t *before, frames_ledger_t *after)
{
	errno_t rc = frames_ledger_take(after);
	for (int i = 0; i < LEDGER_SETTLE_TRIES && rc == EOK; i++) {
		const mem_stats_t *x = &before->mem, *y = &after->mem;
		if (frames_ledger_kept(before, after) <= 0 &&
		    frames_ledger_objects_kept(before, after) <= 0 && y->tasks <= x->tasks &&
		    y->threads <= x->threads && y->handles <= x->handles)
			break;
		thread_sleep_us(LEDGER_SETTLE_WAIT_US);
		rc = frames_ledger_take(after);
	}
	return rc;
}
