/*
 * The environment (stdlib.h): NAME=VALUE strings in `environ`, handed to
 * every task this one spawns (task_spawn_attr_t.envp, NULL: these) as
 * words "\x01env:NAME=VALUE" after the other libc words, which the
 * child's libc takes out of argv into its own environ before main()
 * (env_startup, from spawn.c's fd_startup).
 *
 * environ and every string in it are this file's (malloc'ed copies);
 * env_lock protects them.  getenv returns a pointer into them, valid
 * until that name is set or unset again (as POSIX has it).
 */
#include "libc_priv.h"
#include <errno.h>
#include <lock.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *env_empty[1];
char **environ = env_empty;
static size_t env_count;
static lock_t env_lock = LOCK_INITIALIZER;

/* The index of @a name (@a len bytes) in environ, or env_count. */
static size_t env_find(const char *name, size_t len)
{
	size_t i = 0;
	while (i < env_count && !(strncmp(environ[i], name, len) == 0 && environ[i][len] == '='))
		i++;
	return i;
}

static bool env_name_ok(const char *name)
{
	return name && name[0] && !strchr(name, '=');
}

char *getenv(const char *name)
{
	if (!env_name_ok(name))
		return NULL;
	size_t len = strlen(name);
	lock_acquire(&env_lock);
	size_t i = env_find(name, len);
	char *v = i < env_count ? environ[i] + len + 1 : NULL;
	lock_release(&env_lock);
	return v;
}

/* Put "NAME=VALUE" (@a entry, malloc'ed, ours now) in place of the
 * entry of its name or at the end. */
static int env_put(char *entry, size_t len)
{
	size_t i = env_find(entry, len);
	if (i == env_count) {
		char **grown = malloc((env_count + 2) * sizeof(char *));
		if (!grown) {
			free(entry);
			errno = ENOMEM;
			return -1;
		}
		memcpy(grown, environ, env_count * sizeof(char *));
		if (environ != env_empty)
			free(environ);
		environ = grown;
		env_count++;
		environ[env_count] = NULL;
	} else {
		free(environ[i]);
	}
	environ[i] = entry;
	return 0;
}

int setenv(const char *name, const char *value, int overwrite)
{
	if (!env_name_ok(name) || !value) {
		errno = EINVAL;
		return -1;
	}
	size_t len = strlen(name), vlen = strlen(value);
	char *entry = malloc(len + vlen + 2);
	if (!entry) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(entry, name, len);
	entry[len] = '=';
	memcpy(entry + len + 1, value, vlen + 1);
	lock_acquire(&env_lock);
	int rc = 0;
	if (overwrite || env_find(name, len) == env_count)
		rc = env_put(entry, len);
	else
		free(entry);
	lock_release(&env_lock);
	return rc;
}

int unsetenv(const char *name)
{
	if (!env_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	size_t len = strlen(name);
	lock_acquire(&env_lock);
	size_t i = env_find(name, len);
	if (i < env_count) {
		free(environ[i]);
		memmove(&environ[i], &environ[i + 1], (env_count - i) * sizeof(char *));
		env_count--;
	}
	lock_release(&env_lock);
	return 0;
}

/* "NAME=VALUE" into the environment (a word a parent passed). */
void env_take(const char *entry)
{
	const char *eq = strchr(entry, '=');
	if (!eq || eq == entry)
		return; /* no NAME=: not an environment word */
	size_t len = (size_t) (eq - entry);
	char *copy = strdup(entry);
	if (!copy)
		return;
	lock_acquire(&env_lock);
	(void) env_put(copy, len);
	lock_release(&env_lock);
}

size_t env_words(const char *const *envp, char *buf, size_t size)
{
	size_t n = 0;
	bool fits = true;
	lock_acquire(&env_lock);
	const char *const *e = envp ? envp : (const char *const *) environ;
	for (; fits && *e; e++) {
		size_t l = strlen(*e) + 1;
		fits = ENV_WORD_LEN + l <= size - n;
		if (fits) {
			memcpy(buf + n, ENV_WORD, ENV_WORD_LEN);
			memcpy(buf + n + ENV_WORD_LEN, *e, l);
			n += ENV_WORD_LEN + l;
		}
	}
	lock_release(&env_lock);
	return fits ? n : SIZE_MAX;
}

int env_startup(int argc, char **argv)
{
	while (argc > 1 && strncmp(argv[1], ENV_WORD, ENV_WORD_LEN) == 0) {
		env_take(argv[1] + ENV_WORD_LEN);
		for (int i = 1; i < argc; i++)
			argv[i] = argv[i + 1];
		argc--;
	}
	return argc;
}
