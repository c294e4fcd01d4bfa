/*
 * The shell's parser: a line into a list of commands, pure (the same
 * source builds for the host test tests/test_sh.c).
 *
 * Grammar: a line is commands separated by ";" (run the next whatever
 * happened), "&&" (run the next only if this one succeeded) or "&" (run
 * this one in the background and the next at once); a ";" or "&" may
 * end the line.  A command is words and redirections: "< FILE" (standard
 * input from FILE), "> FILE" (standard output to FILE, emptied first),
 * ">> FILE" (appended); at most one of "<" and one of ">"/">>".  Words are
 * separated by spaces and tabs; inside '...' every byte is itself;
 * inside "..." a backslash keeps the meaning of a following " or \ away
 * (before any other byte it is itself); outside quotes a backslash makes
 * the next byte an ordinary one; a word may join quoted and unquoted
 * parts (a'b c'd is one word), and '' is an empty word.  "#" at the start
 * of a word begins a comment to the end of the line.  "|" is refused (no
 * pipes yet).
 *
 * Every error is a message in *err (a static string) and nothing is kept.
 */
#ifndef SH_PARSE_H_
#define SH_PARSE_H_

#include <stdbool.h>
#include <stddef.h>

/* Words in one command at most (a bound on what one line can allocate). */
#define SH_ARGS_MAX 256

typedef enum sh_link {
	SH_LINK_END, /* the last command */
	SH_LINK_SEQ, /* ";" or "&": the next runs anyway */
	SH_LINK_AND, /* "&&": the next runs if this one succeeded */
} sh_link_t;

typedef struct sh_cmd {
	char **argv; /* argc words and a NULL */
	size_t argc;
	char *in; /* "<" FILE, or NULL */
	char *out; /* ">" or ">>" FILE, or NULL */
	bool append; /* out was ">>" */
	bool background; /* ended by "&": runs as a job, the shell goes on */
	sh_link_t link; /* how the next command follows */
} sh_cmd_t;

typedef struct sh_list {
	sh_cmd_t *cmds;
	size_t n;
} sh_list_t;

/* Parse @a line into *list (empty for a blank line or a comment): 0, or
 * -1 with *err set and *list empty.  Free with sh_list_free(). */
int sh_parse(const char *line, sh_list_t *list, const char **err);
void sh_list_free(sh_list_t *list);

#endif
