/* Kernel command-line parsing and the table of known words (main/cmdline.h). */
#include <main/cmdline.h>
#include <mem.h>

typedef struct cmdline_word {
	const char *key;
	bool value; /* "key=VALUE" (else the bare "key") */
} cmdline_word_t;

/* Every word any part of the kernel reads (main/cmdline.h says what each
 * does). */
static const cmdline_word_t cmdline_words[] = {
	{ "test", true },
	{ "utest", true },
	{ "bench", true },
	{ "crash", true },
	{ "poweroff", false },
	{ "devman", false },
	{ "vfs", false },
	{ "fs", false },
	{ "nofpager", false },
	{ "pager_timeout", true },
	{ "prof", true },
	{ "ipc_fail_inject", false },
	{ "nopcid", false },
};

#define CMDLINE_WORDS (sizeof(cmdline_words) / sizeof(cmdline_words[0]))

const char *cmdline_word(size_t i, bool *value)
{
	if (i >= CMDLINE_WORDS)
		return NULL;
	*value = cmdline_words[i].value;
	return cmdline_words[i].key;
}

/* Find word @a key; returns a pointer just past the key, or NULL. */
static const char *cmdline_find(const char *s, const char *key)
{
	size_t klen = strlen(key);
	while (*s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if ((size_t) (s - w) >= klen && strncmp(w, key, klen) == 0 &&
		    (w[klen] == '=' || w + klen == s))
			return w + klen;
	}
	return NULL;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	const char *p = cmdline_find(cmdline, key);
	if (!p || *p != '=' || size == 0)
		return false;
	p++;
	size_t i = 0;
	while (p[i] && p[i] != ' ' && i + 1 < size) {
		val[i] = p[i];
		i++;
	}
	val[i] = '\0';
	return true;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_find(cmdline, key) != NULL;
}

/* What is wrong with word @a w of @a len bytes. */
static cmdline_problem_t cmdline_word_problem(const char *w, size_t len)
{
	size_t klen = 0;
	while (klen < len && w[klen] != '=')
		klen++;
	bool has_value = klen < len;
	for (size_t i = 0; i < CMDLINE_WORDS; i++) {
		const cmdline_word_t *k = &cmdline_words[i];
		if (strlen(k->key) != klen || strncmp(k->key, w, klen) != 0)
			continue;
		if (k->value && (!has_value || klen + 1 == len))
			return CMDLINE_NEEDS_VALUE;
		if (!k->value && has_value)
			return CMDLINE_NO_VALUE;
		return CMDLINE_OK;
	}
	return CMDLINE_UNKNOWN;
}

size_t cmdline_check(const char *cmdline, cmdline_report_t report, void *arg)
{
	size_t bad = 0;
	const char *s = cmdline;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		size_t len = (size_t) (s - w);
		cmdline_problem_t problem = len ? cmdline_word_problem(w, len) : CMDLINE_OK;
		if (problem != CMDLINE_OK) {
			bad++;
			if (report)
				report(w, len, problem, arg);
		}
	}
	return bad;
}
