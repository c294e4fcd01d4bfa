/*
 * Looking at tasks (abi/task.h, "Looking at tasks"): SYS_TASK_LIST shows
 * every task not yet reaped to anyone, SYS_TASK_AREA_LIST the areas of a
 * task only to itself, its parent or a holder of the right to it.  Both
 * refuse hostile pointers and counts with an error and change nothing.
 *
 * The child "child:peek ID|self [right]" (registered in child.c) lists
 * the areas of task ID (or its own) and exits with what it got: 0 EOK,
 * 1 EPERM, 2 ENOENT, 3 another error, 4 if it could not list the tasks,
 * 5 if "right" was given and task_right_find found no right to ID.
 */
#include "tester.h"
#include <abi/ddi.h>
#include <cap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define PEEK_EOK 0
#define PEEK_EPERM 1
#define PEEK_ENOENT 2

int child_peek(int argc, char **argv); /* child.c's table */
int child_peek(int argc, char **argv)
{
	if (argc < 2)
		return 99;
	task_id_t id = strcmp(argv[1], "self") == 0 ? task_id() : strtoul(argv[1], NULL, 10);
	cap_handle_t h;
	if (argc > 2 && strcmp(argv[2], "right") == 0 && task_right_find(id, &h) != EOK)
		return 5;
	size_t n;
	if (task_list(NULL, 0, &n) != EOK || n == 0)
		return 4;
	task_area_info_t buf[4];
	errno_t rc = task_area_list(id, buf, 4, &n);
	return rc == EOK ? PEEK_EOK : rc == EPERM ? PEEK_EPERM : rc == ENOENT ? PEEK_ENOENT : 3;
}

/* The record of task @a id in @a list, or NULL. */
static const task_info_t *info_find(const task_info_t *list, size_t n, task_id_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i].id == id)
			return &list[i];
	}
	return NULL;
}

/* The state of task @a id now (0: not listed). */
static uint32_t task_state_now(task_id_t id, task_info_t *out)
{
	task_info_t *list;
	size_t n;
	uint32_t state = 0;
	if (task_list_alloc(&list, &n) != EOK)
		return 0;
	const task_info_t *t = info_find(list, n, id);
	if (t) {
		*out = *t;
		state = t->state;
	}
	free(list);
	return state;
}

/* Wait (at most 2 s) until task @a id is listed as a zombie: *out its record. */
static bool zombie_wait(task_id_t id, task_info_t *out)
{
	for (int i = 0; i < 200; i++) {
		if (task_state_now(id, out) == TASK_STATE_ZOMBIE)
			return true;
		thread_sleep_us(10000);
	}
	return false;
}

/* The exit status of "tester ARGS", or -1. */
static int peek_run(const char *args, const cap_handle_t *caps, size_t ncaps)
{
	task_id_t id;
	task_exit_info_t info;
	if (task_spawn_caps(TESTER_MODULE, args, caps, ncaps, &id) != EOK ||
	    task_wait(id, &info) != EOK || info.reason != TASK_EXIT_NORMAL)
		return -1;
	return info.status;
}

/* Ourselves and a child are listed with the right names, parents,
 * states and figures; the ids ascend; a killed child is a zombie with
 * no memory until it is waited for, then gone. */
UTEST(task_list_self_and_child)
{
	task_id_t a;
	task_info_t *list, z;
	task_stats_t st;
	size_t n;
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep-long", &a));
	UT_ASSERT_OK(task_stats(&st));
	UT_ASSERT_OK(task_list_alloc(&list, &n));
	for (size_t i = 1; i < n; i++)
		UT_CHECK(list[i - 1].id < list[i].id);
	const task_info_t *me = info_find(list, n, task_id());
	const task_info_t *ch = info_find(list, n, a);
	UT_CHECK(n >= 4 && me && ch);
	if (me) {
		UT_CHECK(strcmp(me->name, TESTER_MODULE) == 0);
		UT_CHECK_EQ(me->state, TASK_STATE_RUNNING);
		UT_CHECK(me->threads >= 1 && me->handles >= 1);
		UT_CHECK_EQ(me->areas, st.areas);
		UT_CHECK(me->resident_pager > 0 && me->vsize > 0);
		UT_CHECK(me->resident_wired + me->resident_phys + me->resident_pager +
		        me->resident_dma >=
		    st.resident);
		/* a root, and a table of each level below it for a page */
		UT_CHECK(me->page_tables >= 4);
	}
	if (ch) {
		UT_CHECK_EQ(ch->parent, task_id());
		UT_CHECK(strcmp(ch->name, TESTER_MODULE) == 0);
		UT_CHECK_EQ(ch->state, TASK_STATE_RUNNING);
		UT_CHECK(ch->threads >= 1 && ch->areas > 0);
		UT_CHECK(ch->page_tables >= 4);
	}
	free(list);
	UT_CHECK_OK(task_kill(a));
	if (UT_CHECK(zombie_wait(a, &z))) {
		UT_CHECK_EQ(z.threads, 0);
		UT_CHECK_EQ(z.areas + z.vsize + z.resident_pager + z.resident_wired, 0);
		UT_CHECK_EQ(z.page_tables, 0);
		task_area_info_t one;
		UT_CHECK_OK(task_area_list(a, &one, 1, &n)); /* its parent may: nothing left */
		UT_CHECK_EQ(n, 0);
	}
	UT_ASSERT_OK(task_wait(a, &info));
	UT_CHECK_EQ(task_state_now(a, &z), 0);
	UT_CHECK_ERR(task_area_list(a, NULL, 0, &n), ENOENT);
}

/* Hostile buffers and counts: an error, nothing written but the count,
 * no handle or frame taken. */
UTEST(task_list_hostile)
{
	task_info_t two[2];
	size_t n = 0;
	task_stats_t before, after;
	UT_ASSERT_OK(task_stats(&before));
	UT_CHECK_OK(task_list(NULL, 0, &n));
	UT_CHECK(n >= 4);
	memset(two, 0xa5, sizeof(two));
	UT_CHECK_OK(task_list(two, 1, &n));
	UT_CHECK(n >= 4 && two[0].id > 0 && two[0].name[0] != '\0');
	UT_CHECK_EQ(two[1].id, 0xa5a5a5a5a5a5a5a5ULL); /* max 1: one written */
	UT_CHECK_ERR(task_list((task_info_t *) 16, 1, &n), EFAULT);
	UT_CHECK_ERR(task_list((task_info_t *) ADDR_KERNEL, 1, &n), EINVAL);
	UT_CHECK_ERR(task_list((task_info_t *) (AS_USER_TOP - 64), 1, &n), EINVAL);
	UT_CHECK_ERR(task_list(two, SIZE_MAX, &n), EOVERFLOW);
	UT_CHECK_ERR(task_list(two, SIZE_MAX / sizeof(task_info_t), &n), EINVAL);
	UT_CHECK_ERR(task_list(two, 2, NULL), EFAULT);
	UT_CHECK_ERR(task_list(two, 2, (size_t *) 16), EFAULT);
	UT_CHECK_ERR(task_list(two, 2, (size_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(task_area_list(task_id(), (task_area_info_t *) 16, 1, &n), EFAULT);
	UT_CHECK_ERR(task_area_list(task_id(), (task_area_info_t *) ADDR_KERNEL, 1, &n), EINVAL);
	UT_CHECK_ERR(task_area_list(task_id(), NULL, SIZE_MAX, &n), EOVERFLOW);
	UT_CHECK_ERR(task_area_list(task_id(), NULL, 0, NULL), EFAULT);
	UT_CHECK_ERR(task_area_list(task_id(), NULL, 0, (size_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(task_area_list(UINT64_MAX, NULL, 0, &n), ENOENT);
	UT_CHECK_ERR(task_area_list(0, NULL, 0, &n), ENOENT);
	UT_ASSERT_OK(task_stats(&after));
	UT_CHECK_EQ(after.handles, before.handles);
	UT_CHECK_EQ(after.areas, before.areas);
}

/* Our own areas through SYS_TASK_AREA_LIST are those SYS_AS_AREA_LIST
 * gives, with their pager: the heap's is the anon pager, a task. */
UTEST(task_area_list_self)
{
	task_area_info_t *det;
	as_area_info_t *own;
	task_info_t *list;
	size_t n, m, nt;
	UT_ASSERT_OK(task_area_list_alloc(task_id(), &det, &n));
	own = calloc(n + 8, sizeof(*own));
	UT_ASSERT(own != NULL);
	UT_CHECK_OK(as_area_list(own, n + 8, &m));
	UT_CHECK_EQ(m, n);
	UT_CHECK_OK(task_list_alloc(&list, &nt));
	bool anon = false;
	for (size_t i = 0; i < n && i < m; i++) {
		UT_CHECK_EQ(det[i].base, own[i].base);
		UT_CHECK_EQ(det[i].size, own[i].size);
		UT_CHECK_EQ(det[i].flags, own[i].flags);
		UT_CHECK_EQ(det[i].backend, own[i].backend);
		UT_CHECK(det[i].resident <= det[i].size / 4096);
		if (det[i].backend != AS_BACKEND_PAGER) {
			UT_CHECK_EQ(det[i].pager, 0);
			continue;
		}
		const task_info_t *p = info_find(list, nt, det[i].pager);
		if (UT_CHECK(p != NULL) && strcmp(p->name, "anon") == 0)
			anon = true;
	}
	UT_CHECK(anon);
	free(list);
	free(own);
	free(det);
}

/* Who may read a task's areas: itself, its parent, a holder of the right
 * to it; not a sibling, not a child about its parent, not anyone about a
 * server.  An id that names no task is ENOENT. */
UTEST(task_area_list_permission)
{
	task_id_t a;
	cap_handle_t r;
	task_info_t *list;
	size_t n;
	char args[64];
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep-long", &a));
	snprintf(args, sizeof(args), "child:peek %llu", (unsigned long long) a);
	UT_CHECK_EQ(peek_run(args, NULL, 0), PEEK_EPERM); /* a sibling */
	snprintf(args, sizeof(args), "child:peek %llu", (unsigned long long) task_id());
	UT_CHECK_EQ(peek_run(args, NULL, 0), PEEK_EPERM); /* its parent */
	UT_CHECK_EQ(peek_run("child:peek self", NULL, 0), PEEK_EOK);
	UT_CHECK_EQ(peek_run("child:peek 18446744073709551615", NULL, 0), PEEK_ENOENT);
	UT_ASSERT_OK(task_list_alloc(&list, &n));
	const task_info_t *server = NULL;
	for (size_t i = 0; i < n && !server; i++) {
		if (list[i].parent == 0 && list[i].id != task_id())
			server = &list[i]; /* a boot task: ns, the pager, ... */
	}
	if (UT_CHECK(server != NULL)) {
		UT_CHECK_ERR(task_area_list(server->id, NULL, 0, &n), EPERM);
		snprintf(args, sizeof(args), "child:peek %llu", (unsigned long long) server->id);
		UT_CHECK_EQ(peek_run(args, NULL, 0), PEEK_EPERM);
	}
	free(list);
	/* With the right, given at spawn: allowed. */
	UT_ASSERT_OK(task_right(a, &r));
	snprintf(args, sizeof(args), "child:peek %llu right", (unsigned long long) a);
	UT_CHECK_EQ(peek_run(args, &r, 1), PEEK_EOK);
	UT_CHECK_OK(cap_drop(r));
	/* The parent itself: the child's areas, one of them paged. */
	task_area_info_t *det;
	UT_ASSERT_OK(task_area_list_alloc(a, &det, &n));
	bool paged = false;
	for (size_t i = 0; i < n; i++)
		paged |= det[i].backend == AS_BACKEND_PAGER && det[i].pager != 0;
	UT_CHECK(n > 0 && paged);
	free(det);
	UT_CHECK_OK(task_kill(a));
	UT_ASSERT_OK(task_wait(a, &info));
}
