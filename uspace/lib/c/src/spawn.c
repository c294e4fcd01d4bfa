/*
 * Handing descriptors to a child (task_spawn_fds, task.h) and taking them
 * at startup (docs/vfs.md "libc").
 *
 * The parent asks the VFS for a VFS_HANDOFF token naming its VFS
 * descriptors for the child's 0, 1 and 2 (-1 for one the child does not
 * get: a console descriptor, or none), and starts the child with the
 * handoff word (fdtab.h: "\x01fd:MASK:TOKEN", MASK the descriptors given)
 * in front of its arguments.  The child's libc takes the word out of argv
 * before main() (argv[1] onwards move down by one), calls VFS_ADOPT with
 * the token, and marks the descriptors of MASK as the VFS's 0, 1, 2; the
 * others stay the console.  A word that cannot be adopted (the token is
 * gone: the VFS keeps at most VFS_HANDOFF_MAX waiting) leaves all three
 * on the console and says so on the console.  A token whose spawn fails
 * waits in the VFS until newer ones push it out.
 *
 * task_spawn_in() also says the child's current directory: a word
 * "\x01cwd:PATH" in front of the arguments (after the handoff word),
 * which the child's libc takes out and chdir()s to before main() (the
 * VFS gives every new task "/").
 */
#include "file_priv.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <unistd.h>

#define SPAWN_CWD_WORD \
	"\x01"         \
	"cwd:"
#define SPAWN_CWD_WORD_LEN 5

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

/* task_spawn_fds, passing @a caps too. */
static errno_t spawn_fds_caps(const char *module, const char *args, const int fds[3],
    const cap_handle_t *caps, size_t ncaps, task_id_t *id_out)
{
	int64_t vfds[3];
	unsigned mask;
	uint32_t gen = 0;
	uint64_t token;
	errno_t rc = spawn_fds_resolve(fds, vfds, &mask, &gen);
	if (rc != EOK || mask == 0)
		return rc == EOK ? task_spawn_caps(module, args, caps, ncaps, id_out) : rc;
	rc = spawn_handoff(vfds, gen, &token);
	if (rc != EOK)
		return rc;
	size_t alen = args ? strlen(args) : 0;
	char *line = malloc(FD_HANDOFF_WORD_MAX + 1 + alen + 1);
	if (!line)
		return ENOMEM;
	size_t n = fd_handoff_word(line, mask, token);
	if (alen) {
		line[n++] = ' ';
		memcpy(line + n, args, alen + 1);
	}
	rc = task_spawn_caps(module, line, caps, ncaps, id_out);
	free(line);
	return rc;
}

errno_t task_spawn_fds(const char *module, const char *args, const int fds[3], task_id_t *id_out)
{
	return spawn_fds_caps(module, args, fds, NULL, 0, id_out);
}

errno_t task_spawn_in(
    const char *module, const char *args, const int fds[3], const char *cwd, task_id_t *id_out)
{
	return task_spawn_in_caps(module, args, fds, cwd, NULL, 0, id_out);
}

errno_t task_spawn_in_caps(const char *module, const char *args, const int fds[3], const char *cwd,
    const cap_handle_t *caps, size_t ncaps, task_id_t *id_out)
{
	if (!cwd || strcmp(cwd, "/") == 0)
		return spawn_fds_caps(module, args, fds, caps, ncaps, id_out);
	if (cwd[0] != '/' || strchr(cwd, ' '))
		return EINVAL; /* the kernel splits the command line at spaces */
	size_t clen = strlen(cwd), alen = args ? strlen(args) : 0;
	char *line = malloc(SPAWN_CWD_WORD_LEN + clen + 1 + alen + 1);
	if (!line)
		return ENOMEM;
	memcpy(line, SPAWN_CWD_WORD, SPAWN_CWD_WORD_LEN);
	memcpy(line + SPAWN_CWD_WORD_LEN, cwd, clen);
	line[SPAWN_CWD_WORD_LEN + clen] = ' ';
	memcpy(line + SPAWN_CWD_WORD_LEN + clen + 1, args ? args : "", alen + 1);
	errno_t rc = spawn_fds_caps(module, line, fds, caps, ncaps, id_out);
	free(line);
	return rc;
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
		return spawn_cwd_startup(argc, argv);
	for (int i = 1; i < argc; i++)
		argv[i] = argv[i + 1];
	errno_t rc = vfsconn_adopt(token, &gen);
	if (rc == EOK)
		fd_adopted(mask, gen);
	else
		spawn_say("libc: the descriptors handed to this task cannot be adopted: ", rc);
	return spawn_cwd_startup(argc - 1, argv);
}
