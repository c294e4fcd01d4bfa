/* Functions libc's own modules call on each other at startup and exit. */
#ifndef LIBC_PRIV_H_
#define LIBC_PRIV_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <stdnoreturn.h>

/* Connect to the anon pager unless the program stays wired (anon.c). */
void mem_init(void);
/* Make the first heap area now (wired programs, at startup). */
errno_t malloc_init(void);
/* From now on, new heap memory gets its frames at once (the test
 * harness's leak check counts heap bytes as frames). */
void malloc_prefault(void);
/* Flush stdout at task exit: never blocks on another thread's lock. */
void stdout_flush_exit(void);
/* Entered from crt0 (arch/amd64/crt0.S). */
noreturn void __libc_main(task_startup_t *startup);
/* Entered from __thread_entry (arch/amd64/thread_entry.S). */
struct thread_rec;
noreturn void __thread_main(struct thread_rec *rec);
/* The first instruction of a libc thread. */
void __thread_entry(void);

/* env.c: the environment words of a spawn ("\x01env:NAME=VALUE", each
 * NUL-ended) of @a envp (NULL: environ), packed into @a buf: the bytes
 * used, SIZE_MAX if they do not fit in @a size.  env_startup takes such
 * words from argv[1] on into environ (argc, argv as after it). */
#define ENV_WORD \
	"\x01"   \
	"env:"
#define ENV_WORD_LEN 5
size_t env_words(const char *const *envp, char *buf, size_t size);
int env_startup(int argc, char **argv);
void env_take(const char *entry);

#endif
