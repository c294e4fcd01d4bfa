/* Task system calls. */
#include "libc_priv.h"
#include <abi/ddi.h>
#include <cap.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>

task_id_t task_id(void)
{
	return (task_id_t) syscall0(SYS_TASK_ID);
}

noreturn void task_exit(int status)
{
	stdout_flush_exit();
	syscall1(SYS_TASK_EXIT, status);
	__builtin_unreachable();
}

errno_t task_wait(task_id_t id, task_exit_info_t *info)
{
	return (errno_t) syscall2(SYS_TASK_WAIT, id, info);
}

errno_t task_kill(task_id_t id)
{
	return (errno_t) syscall1(SYS_TASK_KILL, id);
}

errno_t task_right(task_id_t id, cap_handle_t *out)
{
	return (errno_t) syscall2(SYS_TASK_RIGHT, id, out);
}

errno_t task_kill_right(cap_handle_t right)
{
	return (errno_t) syscall1(SYS_TASK_KILL_RIGHT, (sysarg_t) right);
}

errno_t task_stats(task_stats_t *out)
{
	return (errno_t) syscall1(SYS_TASK_STATS, out);
}

errno_t task_list(task_info_t *out, size_t max, size_t *count)
{
	return (errno_t) syscall3(SYS_TASK_LIST, out, max, count);
}

errno_t task_area_list(task_id_t id, task_area_info_t *out, size_t max, size_t *count)
{
	return (errno_t) syscall4(SYS_TASK_AREA_LIST, id, out, max, count);
}

/* One of the list calls above, as list_alloc calls it. */
typedef errno_t (*list_call_t)(uint64_t arg, void *out, size_t max, size_t *count);

static errno_t list_call_tasks(uint64_t arg, void *out, size_t max, size_t *count)
{
	(void) arg;
	return task_list(out, max, count);
}

static errno_t list_call_areas(uint64_t arg, void *out, size_t max, size_t *count)
{
	return task_area_list((task_id_t) arg, out, max, count);
}

/* Call @a call with room for more records of @a size until all fit (a
 * few tries: the count may grow meanwhile; EAGAIN after them). */
static errno_t list_alloc(list_call_t call, uint64_t arg, size_t size, void **out, size_t *count)
{
	size_t room = 32, n = 0;
	for (int tries = 0; tries < 8; tries++) {
		void *buf = malloc(room * size);
		if (!buf)
			return ENOMEM;
		errno_t rc = call(arg, buf, room, &n);
		if (rc == EOK && n <= room) {
			*out = buf;
			*count = n;
			return EOK;
		}
		free(buf);
		if (rc != EOK)
			return rc;
		room = n + n / 4 + 8;
	}
	return EAGAIN;
}

errno_t task_list_alloc(task_info_t **out, size_t *count)
{
	return list_alloc(list_call_tasks, 0, sizeof(**out), (void **) out, count);
}

errno_t task_area_list_alloc(task_id_t id, task_area_info_t **out, size_t *count)
{
	return list_alloc(list_call_areas, id, sizeof(**out), (void **) out, count);
}

errno_t task_right_find(task_id_t id, cap_handle_t *out)
{
	cap_info_t ci;
	for (cap_handle_t h = 1; h <= TASK_SPAWN_CAPS_MAX; h++) {
		if (cap_info(h, &ci) == EOK && ci.kind == CAP_KIND_TASK && ci.base == id) {
			*out = h;
			return EOK;
		}
	}
	return ENOENT;
}
