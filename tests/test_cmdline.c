/*
 * Host unit test of the kernel's command-line words
 * (kernel/generic/main/cmdline.c): the table accepts every known word in
 * its form and reports each bad word (unknown, a key without its value, a
 * bare word with one) with what is wrong; cmdline_get and cmdline_has find
 * whole words only; and every key the kernel's sources read (a
 * cmdline_get or cmdline_has of a string literal anywhere under the
 * directory given as the argument) is in the table, so a word cannot be
 * read without being known.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "tap.h"
#include <ftw.h>
#include <main/cmdline.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
	char words[8][64];
	cmdline_problem_t problems[8];
	size_t n;
} seen_t;

static void collect(const char *word, size_t len, cmdline_problem_t problem, void *arg)
{
	seen_t *s = arg;
	if (s->n < 8 && len < 64) {
		memcpy(s->words[s->n], word, len);
		s->words[s->n][len] = '\0';
		s->problems[s->n] = problem;
	}
	s->n++;
}

static bool known(const char *key, bool *value)
{
	bool v;
	for (size_t i = 0; cmdline_word(i, &v); i++) {
		if (strcmp(cmdline_word(i, &v), key) == 0) {
			*value = v;
			return true;
		}
	}
	return false;
}

static bool cmdline_accepts_known(void)
{
	TAP_CHECK_EQ(cmdline_check("", NULL, NULL), 0);
	TAP_CHECK_EQ(cmdline_check("   ", NULL, NULL), 0);
	TAP_CHECK_EQ(cmdline_check("poweroff", NULL, NULL), 0);
	TAP_CHECK_EQ(
	    cmdline_check(" fs  utest=hw_fs_basic,hw_fs_deep pager_timeout=500 ", NULL, NULL), 0);
	TAP_CHECK_EQ(
	    cmdline_check("bench=null_syscall prof=20 nopcid ipc_fail_inject", NULL, NULL), 0);
	TAP_CHECK_EQ(
	    cmdline_check("utest=fuzz:calls=10,seed=0x1 devman vfs test=all crash=pf", NULL, NULL),
	    0);
	return true;
}

static bool cmdline_reports_bad(void)
{
	seen_t s = { .n = 0 };
	TAP_CHECK_EQ(cmdline_check("utset=all poweroff utest nopcid=1 bench= x", collect, &s), 5);
	TAP_CHECK_EQ(s.n, 5);
	TAP_CHECK(strcmp(s.words[0], "utset=all") == 0);
	TAP_CHECK_EQ(s.problems[0], CMDLINE_UNKNOWN);
	TAP_CHECK(strcmp(s.words[1], "utest") == 0);
	TAP_CHECK_EQ(s.problems[1], CMDLINE_NEEDS_VALUE);
	TAP_CHECK(strcmp(s.words[2], "nopcid=1") == 0);
	TAP_CHECK_EQ(s.problems[2], CMDLINE_NO_VALUE);
	TAP_CHECK(strcmp(s.words[3], "bench=") == 0);
	TAP_CHECK_EQ(s.problems[3], CMDLINE_NEEDS_VALUE);
	TAP_CHECK(strcmp(s.words[4], "x") == 0);
	TAP_CHECK_EQ(s.problems[4], CMDLINE_UNKNOWN);
	/* Prefixes and extensions of known words are not those words. */
	TAP_CHECK_EQ(cmdline_check("power poweroffx tests=all f", NULL, NULL), 4);
	return true;
}

static bool cmdline_finds_whole_words(void)
{
	char v[16];
	TAP_CHECK(cmdline_get("prof=20 utest=a,b", "utest", v, sizeof(v)));
	TAP_CHECK(strcmp(v, "a,b") == 0);
	TAP_CHECK(!cmdline_get("utests=a", "utest", v, sizeof(v)));
	TAP_CHECK(cmdline_has("fs utest=x", "fs"));
	TAP_CHECK(!cmdline_has("fsck utest=x", "fs"));
	TAP_CHECK(cmdline_get("bench=0123456789abcdefXYZ", "bench", v, sizeof(v)));
	TAP_CHECK_EQ(strlen(v), sizeof(v) - 1);
	return true;
}

/* Every cmdline_get(..., "KEY" and cmdline_has(..., "KEY" in the kernel's
 * sources: KEY must be in the table (as key=VALUE for cmdline_get). */
static size_t keys_read, keys_missing;

static void keys_scan(const char *path, const char *text)
{
	static const char *const calls[] = { "cmdline_get(", "cmdline_has(" };
	for (size_t c = 0; c < 2; c++) {
		for (const char *p = strstr(text, calls[c]); p; p = strstr(p + 1, calls[c])) {
			const char *q = strchr(p, '"'), *end = strchr(p, ')');
			if (!q || (end && q > end))
				continue; /* not a literal key (the definition itself) */
			const char *e = strchr(q + 1, '"');
			if (!e || e - q > 40)
				continue;
			char key[48];
			memcpy(key, q + 1, (size_t) (e - q - 1));
			key[e - q - 1] = '\0';
			bool value = false;
			keys_read++;
			if (!known(key, &value) || (c == 0 && !value)) {
				tap_diag(
				    "%s reads \"%s\", not in the table (or bare there)", path, key);
				keys_missing++;
			}
		}
	}
}

static int keys_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void) ftw;
	size_t n = strlen(path);
	if (type != FTW_F || n < 2 || strcmp(path + n - 2, ".c") != 0 ||
	    strstr(path, "main/cmdline.c"))
		return 0;
	FILE *in = fopen(path, "r");
	if (!in)
		return 1;
	char *text = calloc(1, (size_t) st->st_size + 1);
	if (!text || fread(text, 1, (size_t) st->st_size, in) != (size_t) st->st_size) {
		free(text);
		fclose(in);
		return 1;
	}
	fclose(in);
	keys_scan(path, text);
	free(text);
	return 0;
}

static const char *kernel_dir;

static bool cmdline_table_has_every_key_read(void)
{
	TAP_CHECK(kernel_dir != NULL);
	TAP_CHECK_EQ(nftw(kernel_dir, keys_visit, 16, FTW_PHYS), 0);
	tap_diag("%zu reads of a key under %s", keys_read, kernel_dir);
	TAP_CHECK(keys_read >= 10); /* the scan found the readers */
	TAP_CHECK_EQ(keys_missing, 0);
	return true;
}

int main(int argc, char **argv)
{
	static const tap_case_t cases[] = {
		{ "cmdline_accepts_known", cmdline_accepts_known },
		{ "cmdline_reports_bad", cmdline_reports_bad },
		{ "cmdline_finds_whole_words", cmdline_finds_whole_words },
		{ "cmdline_table_has_every_key_read", cmdline_table_has_every_key_read },
	};
	kernel_dir = argc > 1 ? argv[1] : NULL;
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
