/* Tasks: identity, exit, spawning a boot module and waiting for it. */
#ifndef LIBC_TASK_H_
#define LIBC_TASK_H_

#include <abi/as.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/task.h>
#include <stddef.h>
#include <stdnoreturn.h>

task_id_t task_id(void);
/* End the whole task (all its threads) with @a status; flushes stdout. */
noreturn void task_exit(int status);
/* What a new task gets besides its arguments; every field may be 0. */
typedef struct task_spawn_attr {
	/* The child's descriptors 0, 1 and 2 are the files of ours in
	 * fds[0..3) (-1, or a console descriptor: the child's is the
	 * console; NULL: all three the console).  EBADF for a descriptor we
	 * do not have.  The handoff takes one argument (docs/vfs.md "libc"). */
	const int *fds;
	/* The child starts in this directory (an absolute path: EINVAL
	 * otherwise; NULL or "/": the root).  It takes one argument. */
	const char *cwd;
	/* The child finds new handles to the objects of caps[0..ncaps) at
	 * its handles 1..ncaps (only ranges and task rights can be passed
	 * on; docs/drivers.md).  ENOENT/ESTALE for a handle we do not hold,
	 * EINVAL for one that cannot be passed on or too many: nothing
	 * started. */
	const cap_handle_t *caps;
	size_t ncaps;
	/* The child's environment ("NAME=VALUE" strings, NULL-terminated;
	 * NULL: ours, environ).  Each string takes one argument. */
	const char *const *envp;
} task_spawn_attr_t;

/* Start the program in file @a path (a static ELF64 executable; docs/
 * loader.md) with the arguments argv[0], argv[1], ... (NULL-terminated,
 * passed as they are; argv[0] is what the program sees as its name) and
 * @a attr (may be NULL).  Returns once the program runs (*id_out: wait
 * for it with task_wait) or with the reason it cannot: ENOENT (no such
 * file), EACCES (not executable), EINVAL/EPERM/ENOTSUP (not a program the
 * loader runs: docs/loader.md lists the checks), ENOMEM, ELIMIT
 * (TASK_SPAWN_ARGS_MAX bytes or TASK_SPAWN_ARGV_MAX arguments in all,
 * abi/task.h), and then no task, area or frame is left behind. */
errno_t task_spawn_path(
    const char *path, const char *const argv[], const task_spawn_attr_t *attr, task_id_t *id_out);
/* Start boot module @a module with the arguments argv[1], argv[2], ...
 * (argv[0] is ignored: the kernel names it after the module; argv may be
 * NULL) and @a attr (may be NULL). */
errno_t task_spawnv(
    const char *module, const char *const argv[], const task_spawn_attr_t *attr, task_id_t *id_out);
/* Start boot module @a module with the words of @a args (split at
 * spaces; may be NULL) as its arguments. */
errno_t task_spawn(const char *module, const char *args, task_id_t *id_out);
/* The same, with attr.caps (task_spawn_attr_t). */
errno_t task_spawn_caps(const char *module, const char *args, const cap_handle_t *caps,
    size_t ncaps, task_id_t *id_out);
/* The same, with attr.fds. */
errno_t task_spawn_fds(const char *module, const char *args, const int fds[3], task_id_t *id_out);
/* The same, with attr.fds and attr.cwd. */
errno_t task_spawn_in(
    const char *module, const char *args, const int fds[3], const char *cwd, task_id_t *id_out);
/* The same, with attr.fds, attr.cwd and attr.caps. */
errno_t task_spawn_in_caps(const char *module, const char *args, const int fds[3], const char *cwd,
    const cap_handle_t *caps, size_t ncaps, task_id_t *id_out);
/* Wait until task @a id (a child) has ended; *info says how. */
errno_t task_wait(task_id_t id, task_exit_info_t *info);
/* End child @a id (it ends with TASK_EXIT_KILLED; wait for it as ever):
 * ENOENT, EPERM (not our child), EINVAL (ourselves). */
errno_t task_kill(task_id_t id);
/* A new handle *out to the right to kill child @a id, to pass on (spawn
 * with capabilities, IPC_M_CAP_GIVE; drop it with cap_drop): ENOENT,
 * EPERM (not our child), ELIMIT (abi/task.h, "Task control"). */
errno_t task_right(task_id_t id, cap_handle_t *out);
/* End the task that right @a right names, as task_kill ends a child:
 * ENOENT/ESTALE (no such right; the task was reaped), EINVAL (ourselves). */
errno_t task_kill_right(cap_handle_t right);
/* What this task holds in the kernel now (handles, areas, threads, calls). */
errno_t task_stats(task_stats_t *out);

/*
 * Looking at tasks (abi/task.h, "Looking at tasks").
 */
/* The tasks not yet reaped, in id order: up to @a max into @a out; *count
 * gets how many there are (SYS_TASK_LIST). */
errno_t task_list(task_info_t *out, size_t max, size_t *count);
/* All of them in a new array *out (free() it) of *count: ENOMEM. */
errno_t task_list_alloc(task_info_t **out, size_t *count);
/* The areas of task @a id, in address order: up to @a max into @a out;
 * *count gets how many it has (SYS_TASK_AREA_LIST): ENOENT no such task,
 * EPERM not ourselves, our child or a task whose right we hold. */
errno_t task_area_list(task_id_t id, task_area_info_t *out, size_t max, size_t *count);
/* All of them in a new array *out (free() it) of *count: the same errors,
 * ENOMEM. */
errno_t task_area_list_alloc(task_id_t id, task_area_info_t **out, size_t *count);
/* A handle to the right to task @a id among ours (those a parent passed
 * at spawn are at 1 .. TASK_SPAWN_CAPS_MAX, where this looks): EOK and
 * *out, or ENOENT. */
errno_t task_right_find(task_id_t id, cap_handle_t *out);

/* The startup block the kernel gave this task (crt0). */
const task_startup_t *task_startup(void);

#endif
