/*
 * sh: the shell.  On the console it shows a prompt (the current
 * directory and "$ ") and reads what is typed raw through its line editor
 * (sh_edit.h: Backspace, Ctrl-U, Ctrl-C, Ctrl-D at an empty line, the
 * history on Up/Down), echoing it itself; "sh FILE", or a standard input
 * that is a file, runs the lines of that file without prompt or echo.
 * Each line is parsed (sh_parse.h) and run (sh_run.c); before each prompt
 * (and after each line of a script) the background jobs that ended are
 * reported (sh_jobs.c).  The shell ends at "exit [STATUS]" or at the end
 * of its input, with the status of the last command, ending its jobs
 * first.
 */
#include "sh.h"
#include "sh_edit.h"
#include <console.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sh_edit_t sh_ed; /* large: kept out of the stack */

/* Parse and run one line; whether the shell should end. */
static bool sh_line(const char *line, int *status)
{
	sh_list_t list;
	const char *err;
	bool quit = false;
	if (sh_parse(line, &list, &err) != 0) {
		fprintf(stderr, "sh: %s\n", err);
		*status = 2;
		return false;
	}
	if (list.n > 0)
		*status = sh_run_list(&list, &quit);
	sh_list_free(&list);
	return quit;
}

static void sh_prompt(void)
{
	char cwd[VFS_PATH_MAX + 1];
	printf("%s $ ", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	fflush(stdout);
}

static void sh_echo_flush(void)
{
	if (sh_ed.out_len > 0) {
		fwrite(sh_ed.out, 1, sh_ed.out_len, stdout);
		fflush(stdout);
	}
	sh_ed.out_len = 0;
}

/* Bytes read from the console after the end of a line: the start of the
 * next one (typed ahead while a command ran). */
static uint8_t sh_ahead[64];
static size_t sh_ahead_off, sh_ahead_len;

/* One line from the console through the editor: SH_EDIT_LINE,
 * SH_EDIT_CANCEL or SH_EDIT_EOF (also when the console fails). */
static sh_edit_result_t sh_console_line(void)
{
	sh_edit_start(&sh_ed);
	for (;;) {
		while (sh_ahead_len > 0) {
			sh_ahead_len--;
			sh_edit_result_t r = sh_edit_byte(&sh_ed, sh_ahead[sh_ahead_off++]);
			if (r != SH_EDIT_MORE) {
				sh_echo_flush();
				return r;
			}
		}
		sh_echo_flush();
		sh_ahead_off = 0;
		if (console_read(sh_ahead, sizeof(sh_ahead), &sh_ahead_len) != EOK) {
			sh_ahead_len = 0;
			return SH_EDIT_EOF;
		}
	}
}

static int sh_interactive(void)
{
	int status = 0;
	sh_edit_init(&sh_ed);
	for (;;) {
		sh_jobs_report();
		sh_prompt();
		sh_edit_result_t r = sh_console_line();
		if (r == SH_EDIT_EOF) {
			printf("exit\n");
			return status;
		}
		if (r == SH_EDIT_LINE && sh_line(sh_edit_line(&sh_ed), &status))
			return status;
	}
}

/* The lines of @a f, without prompt or echo. */
static int sh_script(FILE *f)
{
	static char line[SH_EDIT_LINE_MAX + 2];
	int status = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			fprintf(stderr, "sh: a line longer than %d bytes\n", SH_EDIT_LINE_MAX);
			return 2;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (sh_line(line, &status))
			break;
		sh_jobs_report();
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc > 2) {
		fprintf(stderr, "usage: sh [FILE]\n");
		return 2;
	}
	if (argc == 2) {
		FILE *f = fopen(argv[1], "r");
		if (!f) {
			fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
		int status = sh_script(f);
		fclose(f);
		sh_jobs_end();
		return status;
	}
	int status;
	if (!isatty(0)) {
		status = sh_script(stdin);
	} else {
		printf("sh: the mkernel shell; type help for the commands\n");
		status = sh_interactive();
	}
	sh_jobs_end();
	return status;
}
