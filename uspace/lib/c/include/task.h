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
/* Start boot module @a module with the command line @a args (may be NULL). */
errno_t task_spawn(const char *module, const char *args, task_id_t *id_out);
/* The same, passing capabilities: the child finds new handles to the
 * objects of @a caps[0..ncaps) at its handles 1..ncaps (only ranges can be
 * passed on; docs/drivers.md).  ENOENT/ESTALE for a handle we do not hold,
 * EINVAL for one that cannot be passed on or too many: nothing started. */
errno_t task_spawn_caps(const char *module, const char *args, const cap_handle_t *caps,
    size_t ncaps, task_id_t *id_out);
/* The same, the child's descriptors 0, 1 and 2 being the files of ours
 * in @a fds (-1, or a console descriptor: the child's is the console).
 * The handoff takes a few bytes of the command line (docs/vfs.md "libc").
 * EBADF for a descriptor we do not have. */
errno_t task_spawn_fds(const char *module, const char *args, const int fds[3], task_id_t *id_out);
/* The same, the child starting in the directory @a cwd (an absolute
 * path; NULL or "/": the root, where every task starts otherwise).  The
 * path takes a few bytes of the command line; EINVAL for a relative one
 * or one holding a space (the command line is split at spaces). */
errno_t task_spawn_in(
    const char *module, const char *args, const int fds[3], const char *cwd, task_id_t *id_out);
/* task_spawn_in, also passing capabilities as task_spawn_caps does. */
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
