/* Task system calls. */
#include "libc_priv.h"
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

errno_t task_spawn_caps(
    const char *module, const char *args, const cap_handle_t *caps, size_t ncaps, task_id_t *id_out)
{
	task_spawn_t spec = { .module = module,
		.module_len = strlen(module),
		.args = args,
		.args_len = args ? strlen(args) : 0,
		.caps = caps,
		.ncaps = ncaps };
	return (errno_t) syscall2(SYS_TASK_SPAWN, &spec, id_out);
}

errno_t task_spawn(const char *module, const char *args, task_id_t *id_out)
{
	return task_spawn_caps(module, args, NULL, 0, id_out);
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
