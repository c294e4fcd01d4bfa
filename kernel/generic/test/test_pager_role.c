/*
 * Kernel tests of pager roles (mm/pager_role.c): the registration and
 * succession rules on tasks made for the test (never started), the
 * IPC_M_PAGER_REGISTERED notice, the forced low-memory notice (its words,
 * one at a time, gone with the holder) and the watermarks.  The restart
 * itself (orphaned records, takeover, a waiting fault) runs through real
 * tasks in the user tests (tester: pager_role_*).
 */
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/frame.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <test/ktest.h>

/* The first call queued at @a box (not received), or NULL. */
static call_t *box_call(answerbox_t *box, size_t skip)
{
	call_t *found = NULL;
	mutex_lock(&box->lock);
	list_foreach(box->calls, l)
	{
		if (!found && skip-- == 0)
			found = list_get_instance(l, call_t, box_link);
	}
	mutex_unlock(&box->lock);
	return found;
}

KTEST(pager_role_watermarks)
{
	size_t total = frame_total_count(), low = frame_low_watermark();
	KT_CHECK_EQ(low, total / 16 > FRAME_LOW_MIN ? total / 16 : FRAME_LOW_MIN);
	KT_CHECK_EQ(frame_high_watermark(), 2 * low < total ? 2 * low : total);
}

/* parent p; its children h (the holder), s (the successor), x. */
KTEST(pager_role_rules)
{
	task_t *p, *h, *s, *x;
	KT_ASSERT_EQ(task_create("p", 0, &p), EOK);
	KT_ASSERT_EQ(task_create("h", p->id, &h), EOK);
	KT_ASSERT_EQ(task_create("s", p->id, &s), EOK);
	KT_ASSERT_EQ(task_create("x", p->id, &x), EOK);
	KT_CHECK_EQ(pager_role_register(h, 0), EINVAL);
	KT_CHECK_EQ(pager_role_register(h, PAGER_ROLE_COUNT), EINVAL);
	KT_CHECK_EQ(pager_role_successor(p, PAGER_ROLE_TEST, s->id), ENOENT);
	KT_ASSERT_EQ(pager_role_register(h, PAGER_ROLE_TEST), EOK);
	/* told: REGISTERED, role, nothing adopted */
	call_t *c = box_call(h->box, 0);
	KT_ASSERT(c != NULL);
	KT_CHECK_EQ(c->msg.method, IPC_M_PAGER_REGISTERED);
	KT_CHECK_EQ(c->msg.arg[0], PAGER_ROLE_TEST);
	KT_CHECK_EQ(c->msg.arg[1], 0);
	KT_CHECK_EQ(pager_role_register(h, PAGER_ROLE_TEST2), EEXIST); /* one each */
	KT_CHECK_EQ(pager_role_register(x, PAGER_ROLE_TEST), EEXIST); /* held */
	/* only the parent names, only its own child, never the holder */
	KT_CHECK_EQ(pager_role_successor(x, PAGER_ROLE_TEST, s->id), EPERM);
	KT_CHECK_EQ(pager_role_successor(p, PAGER_ROLE_TEST, p->id), EPERM);
	KT_CHECK_EQ(pager_role_successor(p, PAGER_ROLE_TEST, h->id), EINVAL);
	KT_CHECK_EQ(pager_role_successor(p, PAGER_ROLE_TEST, s->id), EOK);
	/* the holder ends without records: the role is free for anybody */
	pager_role_task_ended(h);
	KT_CHECK_EQ(pager_role_successor(p, PAGER_ROLE_TEST, s->id), ENOENT);
	KT_CHECK_EQ(pager_role_register(x, PAGER_ROLE_TEST), EOK);
	pager_role_task_ended(x);
	task_destroy_unstarted(h);
	task_destroy_unstarted(s);
	task_destroy_unstarted(x);
	task_destroy_unstarted(p);
}

KTEST(pager_role_low_memory_notice)
{
	task_t *h;
	bool was = ipc_fail_inject_enabled;
	KT_ASSERT_EQ(task_create("h", 0, &h), EOK);
	ipc_fail_inject_enabled = false;
	KT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST), ENOTSUP);
	ipc_fail_inject_enabled = true;
	KT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST), ENOENT);
	KT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_COUNT), EINVAL);
	KT_ASSERT_EQ(pager_role_register(h, PAGER_ROLE_TEST), EOK);
	KT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST), EOK);
	KT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST), EBUSY); /* unanswered */
	KT_CHECK_EQ(pager_low_memory_test(0), EOK);
	call_t *c = box_call(h->box, 1); /* after REGISTERED */
	KT_ASSERT(c != NULL);
	KT_CHECK_EQ(c->msg.method, IPC_M_PAGER_LOW_MEMORY);
	KT_CHECK(c->msg.arg[0] <= frame_total_count());
	KT_CHECK_EQ(c->msg.arg[1], frame_total_count());
	KT_CHECK(c->msg.arg[2] >= frame_low_watermark());
	KT_CHECK_EQ(c->msg.arg[3], PAGER_LOW_MEMORY_FORCED);
	KT_CHECK(box_call(h->box, 2) == NULL); /* one notice, not two */
	pager_role_task_ended(h);
	KT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST), ENOENT);
	ipc_fail_inject_enabled = was;
	task_destroy_unstarted(h); /* answers the notices: EHANGUP */
}
