/*
 * Spawning (task.h): a boot module by name, or a program from a file
 * through the loader (docs/loader.md); handing descriptors to the child
 * and taking them at startup (docs/vfs.md "libc").
 *
 * Every spawn is one SYS_TASK_SPAWN with the arguments as a vector
 * (abi/task.h: each ends in a NUL), built here from a list of words:
 *   [loader words] argv[0]? [handoff word] [cwd word] argv[1] ...
 * The kernel makes argv[0] of a module the module's name, so a module
 * spawn sends argv[1] on; a program from a file gets its argv[0] from the
 * caller, after the loader's own two words (how many capabilities were
 * passed, the path), and the loader hands the rest to the program as it
 * is.
 *
 * Descriptors: the parent asks the VFS for a VFS_HANDOFF token naming its
 * VFS descriptors for the child's 0, 1 and 2 (-1 for one the child does
 * not get: a console descriptor, or none), and puts the handoff word
 * (fdtab.h: "\x01fd:MASK:TOKEN", MASK the descriptors given) at argv[1].
 * The child's libc takes the word out of argv before main() (argv[2]
 * onwards move down by one), calls VFS_ADOPT with the token, and marks
 * the descriptors of MASK as the VFS's 0, 1, 2; the others stay the
 * console.  A word that cannot be adopted (the token is gone: the VFS
 * keeps at most VFS_HANDOFF_MAX waiting) leaves all three on the console
 * and says so on the console.  A token whose spawn fails waits in the VFS
 * until newer ones push it out.
 *
 * The current directory: a word "\x01cwd:PATH" after the handoff word,
 * which the child's libc takes out and chdir()s to before main() (the VFS
 * gives every new task "/").  Then the environment: a word
 * "\x01env:NAME=VALUE" for each string (env.c), taken into the child's
 * environ.
 */
#include "file_priv.h"
#include "libc_priv.h"
#include <abi/vfs.h>
#include <errno.h>
#include <lock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <unistd.h>

#define SPAWN_CWD_WORD \
	"\x01"         \
	"cwd:"
#define SPAWN_CWD_WORD_LEN 5
#define SPAWN_LOADER "loader"

/* A spawn takes no heap memory (it must work at the area limit) and
 * little stack (a thread's stack is paged as it grows): its buffers are
 * these, spawn_line_lock then spawn_lock held while they are used. */
static lock_t spawn_lock = LOCK_INITIALIZER;
static lock_t spawn_line_lock = LOCK_INITIALIZER;
static char spawn_line_buf[TASK_SPAWN_ARGS_MAX + 1]; /* spawn_line_lock */

/* The words of one spawn, in order; what they point to is the caller's
 * or in the buffers here. */
typedef struct spawn_words {
	const char *w[TASK_SPAWN_ARGV_MAX + 1];
	size_t n;
	bool over; /* more than fit */
	char handoff[FD_HANDOFF_WORD_MAX];
	char ncaps[24];
	char cwd[SPAWN_CWD_WORD_LEN + VFS_PATH_MAX + 1];
	char env[TASK_SPAWN_ARGS_MAX]; /* the environment words, packed */
} spawn_words_t;

static void spawn_words_add(spawn_words_t *sw, const char *w)
{
	if (sw->n < TASK_SPAWN_ARGV_MAX)
		sw->w[sw->n++] = w;
	else
		sw->over = true;
}

/* The VFS descriptors for the child's 0, 1, 2 (-1: none) and their mask. */
static errno_t spawn_fds_resolve(const int fds[3], int64_t vfds[3], unsigned *mask, uint32_t *gen)
{
	*mask = 0;
	for (int i = 0; i < 3; i++) {
		fd_entry_t e = { .kind = FD_FREE };
		vfds[i] = -1;
		if (fds[i] >= 0 && fdtab_get(&fd_table, fds[i], &e) != EOK)
			return EBADF;
		if (e.kind != FD_VFS)
			continue;
		if (*mask && e.gen != *gen)
			return EIO;
		vfds[i] = (int64_t) e.vfd;
		*gen = e.gen;
		*mask |= 1u << i;
	}
	return EOK;
}

static errno_t spawn_handoff(const int64_t vfds[3], uint32_t gen, uint64_t *token)
{
	uint8_t *buf;
	uint32_t now;
	ipc_msg_t ans;
	errno_t rc = vfsconn_begin(&buf, &now);
	if (rc != EOK)
		return rc;
	rc = now != gen ? EIO
	                : vfsconn_call(VFS_HANDOFF, (uint64_t) vfds[0], (uint64_t) vfds[1],
	                      (uint64_t) vfds[2], &ans);
	vfsconn_end();
	*token = ans.arg[0];
	return rc;
}

/* The handoff word, the cwd word and the environment words of @a attr,
 * added to @a sw. */
static errno_t spawn_words_attr(spawn_words_t *sw, const task_spawn_attr_t *attr)
{
	int64_t vfds[3];
	unsigned mask = 0;
	uint32_t gen = 0;
	uint64_t token;
	errno_t rc = attr && attr->fds ? spawn_fds_resolve(attr->fds, vfds, &mask, &gen) : EOK;
	if (rc == EOK && mask != 0)
		rc = spawn_handoff(vfds, gen, &token);
	if (rc != EOK)
		return rc;
	if (mask != 0) {
		fd_handoff_word(sw->handoff, mask, token);
		spawn_words_add(sw, sw->handoff);
	}
	const char *cwd = attr ? attr->cwd : NULL;
	if (cwd && strcmp(cwd, "/") != 0) {
		size_t clen = strlen(cwd);
		if (cwd[0] != '/')
			return EINVAL;
		if (clen > VFS_PATH_MAX)
			return ENAMETOOLONG;
		memcpy(sw->cwd, SPAWN_CWD_WORD, SPAWN_CWD_WORD_LEN);
		memcpy(sw->cwd + SPAWN_CWD_WORD_LEN, cwd, clen + 1);
		spawn_words_add(sw, sw->cwd);
	}
	size_t elen = env_words(attr ? attr->envp : NULL, sw->env, sizeof(sw->env));
	if (elen == SIZE_MAX)
		return ELIMIT;
	for (size_t i = 0; i < elen; i += strlen(sw->env + i) + 1)
		spawn_words_add(sw, sw->env + i);
	return EOK;
}

/* SYS_TASK_SPAWN of @a module with the words of @a sw. */
static errno_t spawn_words_start(
    const char *module, const spawn_words_t *sw, const task_spawn_attr_t *attr, task_id_t *id_out)
{
	size_t len = 0;
	for (size_t i = 0; i < sw->n; i++)
		len += strlen(sw->w[i]) + 1;
	if (sw->over || len > TASK_SPAWN_ARGS_MAX)
		return ELIMIT;
	static char block[TASK_SPAWN_ARGS_MAX]; /* spawn_lock */
	char *p = block;
	for (size_t i = 0; i < sw->n; i++) {
		size_t l = strlen(sw->w[i]) + 1;
		memcpy(p, sw->w[i], l);
		p += l;
	}
	task_spawn_t spec = { .module = module,
		.module_len = strlen(module),
		.args = block,
		.args_len = len,
		.caps = attr ? attr->caps : NULL,
		.ncaps = attr ? attr->ncaps : 0 };
	return (errno_t) syscall2(SYS_TASK_SPAWN, &spec, id_out);
}

/* Module @a module, or (@a path) the loader running file @a path, with
 * argv (argv[0] only for a file) and @a attr. */
static errno_t spawn_vector(const char *module, const char *path, const char *const argv[],
    const task_spawn_attr_t *attr, task_id_t *id_out)
{
	static spawn_words_t sw; /* spawn_lock */
	size_t i = 1;
	lock_acquire(&spawn_lock);
	sw.n = 0;
	sw.over = false;
	if (path) {
		if (!argv || !argv[0]) {
			lock_release(&spawn_lock);
			return EINVAL;
		}
		snprintf(sw.ncaps, sizeof(sw.ncaps), "%zu", attr ? attr->ncaps : 0);
		spawn_words_add(&sw, sw.ncaps);
		spawn_words_add(&sw, path);
		spawn_words_add(&sw, argv[0]);
	}
	errno_t rc = spawn_words_attr(&sw, attr);
	for (; rc == EOK && argv && argv[0] && argv[i]; i++)
		spawn_words_add(&sw, argv[i]);
	if (rc == EOK)
		rc = spawn_words_start(module, &sw, attr, id_out);
	lock_release(&spawn_lock);
	return rc;
}

errno_t task_spawnv(
    const char *module, const char *const argv[], const task_spawn_attr_t *attr, task_id_t *id_out)
{
	return spawn_vector(module, NULL, argv, attr, id_out);
}

errno_t task_spawn_path(
    const char *path, const char *const argv[], const task_spawn_attr_t *attr, task_id_t *id_out)
{
	task_id_t id;
	task_exit_info_t info;
	if (!path || path[0] == '\0')
		return EINVAL;
	errno_t rc = spawn_vector(SPAWN_LOADER, path, argv, attr, &id);
	if (rc != EOK)
		return rc;
	/* The loader's verdict: it became the program, or it ended with
	 * the reason as its status. */
	rc = (errno_t) syscall2(SYS_TASK_WAIT_EXEC, id, &info);
	if (rc == EOK && info.reason == TASK_EXIT_NORMAL)
		rc = info.status > 0 ? (errno_t) info.status : EIO;
	else if (rc == EOK && info.reason != 0)
		rc = EIO; /* the loader itself broke */
	if (rc == EOK && id_out)
		*id_out = id;
	return rc;
}

/* A module spawn with the space-separated words of @a args. */
static errno_t spawn_line(
    const char *module, const char *args, const task_spawn_attr_t *attr, task_id_t *id_out)
{
	const char *argv[TASK_SPAWN_ARGV_MAX + 2] = { module };
	size_t n = 1;
	char *copy = spawn_line_buf;
	lock_acquire(&spawn_line_lock);
	if (args && strlen(args) > TASK_SPAWN_ARGS_MAX) {
		lock_release(&spawn_line_lock);
		return ELIMIT;
	}
	strcpy(copy, args ? args : "");
	for (char *p = copy; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == TASK_SPAWN_ARGV_MAX + 1) {
			lock_release(&spawn_line_lock);
			return ELIMIT;
		}
		argv[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[n] = NULL;
	errno_t rc = task_spawnv(module, argv, attr, id_out);
	lock_release(&spawn_line_lock);
	return rc;
}

errno_t task_spawn(const char *module, const char *args, task_id_t *id_out)
{
	return spawn_line(module, args, NULL, id_out);
}

errno_t task_spawn_caps(
    const char *module, const char *args, const cap_handle_t *caps, size_t ncaps, task_id_t *id_out)
{
	task_spawn_attr_t attr = { .caps = caps, .ncaps = ncaps };
	return spawn_line(module, args, &attr, id_out);
}

errno_t task_spawn_fds(const char *module, const char *args, const int fds[3], task_id_t *id_out)
{
	task_spawn_attr_t attr = { .fds = fds };
	return spawn_line(module, args, &attr, id_out);
}

errno_t task_spawn_in(
    const char *module, const char *args, const int fds[3], const char *cwd, task_id_t *id_out)
{
	task_spawn_attr_t attr = { .fds = fds, .cwd = cwd };
	return spawn_line(module, args, &attr, id_out);
}

errno_t task_spawn_in_caps(const char *module, const char *args, const int fds[3], const char *cwd,
    const cap_handle_t *caps, size_t ncaps, task_id_t *id_out)
{
	task_spawn_attr_t attr = { .fds = fds, .cwd = cwd, .caps = caps, .ncaps = ncaps };
	return spawn_line(module, args, &attr, id_out);
}

static void spawn_say(const char *msg, errno_t rc)
{
	const char *name = str_error_name(rc);
	kconsole_write(msg, strlen(msg));
	kconsole_write(name, strlen(name));
	kconsole_write("\n", 1);
}

/* The word "\x01cwd:PATH" at argv[1]: taken out, the directory entered. */
static int spawn_cwd_startup(int argc, char **argv)
{
	if (argc < 2 || strncmp(argv[1], SPAWN_CWD_WORD, SPAWN_CWD_WORD_LEN) != 0)
		return argc;
	/* A copy: the path calls take only memory of the task's own areas,
	 * and the startup block is the kernel's making. */
	char *dir = strdup(argv[1] + SPAWN_CWD_WORD_LEN);
	for (int i = 1; i < argc; i++)
		argv[i] = argv[i + 1];
	if (!dir || chdir(dir) != 0)
		spawn_say("libc: cannot enter the directory this task was started in: ",
		    dir ? errno : ENOMEM);
	free(dir);
	return argc - 1;
}

int fd_startup(int argc, char **argv)
{
	unsigned mask;
	uint64_t token;
	uint32_t gen;
	if (argc < 2 || !fd_handoff_parse(argv[1], &mask, &token))
		return env_startup(spawn_cwd_startup(argc, argv), argv);
	for (int i = 1; i < argc; i++)
		argv[i] = argv[i + 1];
	errno_t rc = vfsconn_adopt(token, &gen);
	if (rc == EOK)
		fd_adopted(mask, gen);
	else
		spawn_say("libc: the descriptors handed to this task cannot be adopted: ", rc);
	return env_startup(spawn_cwd_startup(argc - 1, argv), argv);
}
