/*
 * Host tests of the shell's pure parts (uspace/app/sh): the line editor's
 * state machine (sh_edit.c) and the parser (sh_parse.c).  Directed cases
 * for every key and every rule of the grammar, hostile input (unterminated
 * quotes, redirections without a file, operators alone, lines far longer
 * than any buffer, every byte value), and two randomized runs: random
 * bytes into the editor (its line always matches a model of what was
 * typed), and random words quoted in random ways, joined into a line and
 * parsed back to the same words.
 */
#include "sh_edit.h"
#include "sh_parse.h"
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define CHECK(c) ((c) ? true : (tap_diag("%s:%d: check failed: %s", __FILE__, __LINE__, #c), false))

static sh_edit_t ed;

/* Feed @a s to the editor; the result of the last byte. */
static sh_edit_result_t type(const char *s)
{
	sh_edit_result_t r = SH_EDIT_MORE;
	for (; *s; s++)
		r = sh_edit_byte(&ed, (uint8_t) *s);
	return r;
}

static void fresh_editor(void)
{
	sh_edit_init(&ed);
	sh_edit_start(&ed);
}

static bool out_is(const char *want)
{
	bool ok = ed.out_len == strlen(want) && memcmp(ed.out, want, ed.out_len) == 0;
	if (!ok)
		tap_diag("echo was \"%.*s\", want \"%s\"", (int) ed.out_len, ed.out, want);
	ed.out_len = 0;
	return ok;
}

static bool edit_typing(void)
{
	fresh_editor();
	TAP_CHECK(type("ls -l") == SH_EDIT_MORE);
	TAP_CHECK(out_is("ls -l"));
	TAP_CHECK(type("\r") == SH_EDIT_LINE);
	TAP_CHECK(strcmp(sh_edit_line(&ed), "ls -l") == 0);
	TAP_CHECK(out_is("\n"));
	/* CR LF is one end of line; LF alone is one too. */
	sh_edit_start(&ed);
	TAP_CHECK(type("\n") == SH_EDIT_MORE);
	TAP_CHECK(type("x\n") == SH_EDIT_LINE);
	TAP_CHECK(strcmp(sh_edit_line(&ed), "x") == 0);
	sh_edit_start(&ed);
	TAP_CHECK(type("\n") == SH_EDIT_LINE); /* an empty line */
	TAP_CHECK(sh_edit_line(&ed)[0] == '\0');
	/* A tab is a space; other control bytes are ignored. */
	sh_edit_start(&ed);
	ed.out_len = 0;
	TAP_CHECK(type("a\tb\x01\x02\x07\x0e\x1f") == SH_EDIT_MORE);
	TAP_CHECK(strcmp(sh_edit_line(&ed), "a b") == 0);
	TAP_CHECK(out_is("a b"));
	return true;
}

static bool edit_erasing(void)
{
	fresh_editor();
	type("abc\b");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "ab") == 0);
	TAP_CHECK(out_is("abc\b \b"));
	type("\x7f\x7f\x7f\x7f"); /* DEL, and more than there is */
	TAP_CHECK(ed.len == 0);
	TAP_CHECK(out_is("\b \b\b \b"));
	type("hello\x15");
	TAP_CHECK(ed.len == 0);
	TAP_CHECK(out_is("hello\b \b\b \b\b \b\b \b\b \b"));
	type("\x15"); /* Ctrl-U on nothing */
	TAP_CHECK(out_is(""));
	TAP_CHECK(type("ok\r") == SH_EDIT_LINE && strcmp(sh_edit_line(&ed), "ok") == 0);
	return true;
}

static bool edit_ctrl_c_d(void)
{
	fresh_editor();
	TAP_CHECK(type("rm -r /\x03") == SH_EDIT_CANCEL);
	TAP_CHECK(ed.len == 0 && sh_edit_history_get(&ed, 0) == NULL);
	TAP_CHECK(out_is("rm -r /^C\n"));
	sh_edit_start(&ed);
	TAP_CHECK(type("a\x04") == SH_EDIT_MORE); /* not at an empty line */
	TAP_CHECK(strcmp(sh_edit_line(&ed), "a") == 0);
	type("\b");
	TAP_CHECK(type("\x04") == SH_EDIT_EOF);
	/* Ctrl-C in the middle of an escape sequence still abandons. */
	sh_edit_start(&ed);
	TAP_CHECK(type("x\x1b[\x03") == SH_EDIT_CANCEL);
	return true;
}

static bool edit_history(void)
{
	fresh_editor();
	const char *lines[] = { "one", "two", "two", "   ", "three" };
	for (size_t i = 0; i < 5; i++) {
		sh_edit_start(&ed);
		type(lines[i]);
		TAP_CHECK(type("\r") == SH_EDIT_LINE);
	}
	/* Repeats and blank lines are left out. */
	TAP_CHECK(strcmp(sh_edit_history_get(&ed, 0), "one") == 0);
	TAP_CHECK(strcmp(sh_edit_history_get(&ed, 1), "two") == 0);
	TAP_CHECK(strcmp(sh_edit_history_get(&ed, 2), "three") == 0);
	TAP_CHECK(sh_edit_history_get(&ed, 3) == NULL);
	sh_edit_start(&ed);
	type("new");
	ed.out_len = 0;
	type("\x1b[A");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "three") == 0);
	TAP_CHECK(out_is("\b \b\b \b\b \bthree"));
	type("\x1bOA\x1b[A\x1b[A\x1b[A"); /* SS3 form; stops at the oldest */
	TAP_CHECK(strcmp(sh_edit_line(&ed), "one") == 0);
	type("\x1b[B");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "two") == 0);
	type("\x1b[B\x1b[B\x1b[B");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "new") == 0); /* the line being typed is back */
	/* A recalled line can be edited and run. */
	type("\x1b[A\b\b\b");
	TAP_CHECK(type("ee\r") == SH_EDIT_LINE);
	TAP_CHECK(strcmp(sh_edit_line(&ed), "thee") == 0);
	TAP_CHECK(strcmp(sh_edit_history_get(&ed, 3), "thee") == 0);
	return true;
}

static bool edit_history_ring(void)
{
	fresh_editor();
	char buf[32];
	for (int i = 0; i < SH_EDIT_HISTORY + 10; i++) {
		snprintf(buf, sizeof(buf), "line %d\r", i);
		sh_edit_start(&ed);
		TAP_CHECK(type(buf) == SH_EDIT_LINE);
	}
	TAP_CHECK(ed.hist_count == SH_EDIT_HISTORY);
	TAP_CHECK(strcmp(sh_edit_history_get(&ed, 0), "line 10") == 0);
	snprintf(buf, sizeof(buf), "line %d", SH_EDIT_HISTORY + 9);
	TAP_CHECK(strcmp(sh_edit_history_get(&ed, SH_EDIT_HISTORY - 1), buf) == 0);
	/* Up past the oldest stays there. */
	sh_edit_start(&ed);
	for (int i = 0; i < SH_EDIT_HISTORY + 5; i++)
		type("\x1b[A");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "line 10") == 0);
	/* A line longer than the editor's is cut when added by hand. */
	char *long_line = malloc(3 * SH_EDIT_LINE_MAX);
	TAP_CHECK(long_line);
	memset(long_line, 'q', 3 * SH_EDIT_LINE_MAX - 1);
	long_line[3 * SH_EDIT_LINE_MAX - 1] = '\0';
	sh_edit_history_add(&ed, long_line);
	free(long_line);
	TAP_CHECK(strlen(sh_edit_history_get(&ed, SH_EDIT_HISTORY - 1)) == SH_EDIT_LINE_MAX);
	return true;
}

static bool edit_escapes(void)
{
	fresh_editor();
	/* Sequences the editor does not know are swallowed whole. */
	type("a\x1b[3~b\x1b[1;5Cc\x1b[Dd\x1bxe\x1bOPf");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "abcdef") == 0);
	/* A broken sequence ends at the first byte that cannot be in it. */
	type("\x1b[\x80g");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "abcdefg") == 0);
	/* ESC ESC [ A: the second ESC starts over. */
	type("\x1b\x1b[A");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "abcdefg") == 0); /* no history */
	/* UTF-8 bytes are kept as typed. */
	type("\xc3\xa9");
	TAP_CHECK(strcmp(sh_edit_line(&ed), "abcdefg\xc3\xa9") == 0);
	return true;
}

static bool edit_long_line(void)
{
	fresh_editor();
	for (int i = 0; i < 3 * SH_EDIT_LINE_MAX; i++)
		TAP_CHECK(sh_edit_byte(&ed, 'x') == SH_EDIT_MORE);
	TAP_CHECK(ed.len == SH_EDIT_LINE_MAX);
	TAP_CHECK(ed.line[SH_EDIT_LINE_MAX] == '\0');
	/* What did not fit rang the bell. */
	TAP_CHECK(ed.out_len <= sizeof(ed.out));
	TAP_CHECK(ed.out[ed.out_len - 1] == '\a');
	ed.out_len = 0;
	TAP_CHECK(sh_edit_byte(&ed, '\r') == SH_EDIT_LINE);
	TAP_CHECK(strlen(sh_edit_line(&ed)) == SH_EDIT_LINE_MAX);
	/* Recalling it over another full line: the whole echo fits. */
	sh_edit_start(&ed);
	for (int i = 0; i < SH_EDIT_LINE_MAX; i++)
		sh_edit_byte(&ed, 'y');
	ed.out_len = 0;
	type("\x1b[A");
	TAP_CHECK(ed.out_len == 4 * SH_EDIT_LINE_MAX);
	TAP_CHECK(ed.line[0] == 'x' && ed.len == SH_EDIT_LINE_MAX);
	type("\x1b[B");
	TAP_CHECK(ed.line[0] == 'y' && ed.len == SH_EDIT_LINE_MAX);
	return true;
}

/* Random bytes (weighted to the keys that matter) against a model. */
static bool edit_random(void)
{
	static const uint8_t keys[] = { 'a', 'b', ' ', '\t', '\b', 0x7f, 0x15, 0x03, 0x04, '\r',
		'\n', 0x1b, '[', 'A', 'B', 'O', '1', ';', '~', 0x80, 0xff, 0x00, 0x07 };
	srand(12345);
	fresh_editor();
	for (int round = 0; round < 200000; round++) {
		uint8_t c = rand() % 4 == 0 ? (uint8_t) rand() : keys[rand() % sizeof(keys)];
		size_t before = ed.len;
		unsigned esc = ed.esc;
		sh_edit_result_t r = sh_edit_byte(&ed, c);
		if (!CHECK(ed.len <= SH_EDIT_LINE_MAX && ed.line[ed.len] == '\0') ||
		    !CHECK(strlen(ed.line) == ed.len) || !CHECK(ed.out_len <= sizeof(ed.out)))
			return false;
		if (esc == 0 && c >= 0x20 && c < 0x7f && before < SH_EDIT_LINE_MAX &&
		    !CHECK(ed.len == before + 1 && ed.line[before] == (char) c))
			return false;
		if (r == SH_EDIT_EOF && !CHECK(ed.len == 0))
			return false;
		if (r != SH_EDIT_MORE)
			sh_edit_start(&ed);
		ed.out_len = 0;
	}
	return true;
}

/* ---- the parser ---- */

static sh_list_t list;
static const char *perr;

static bool parses(const char *line)
{
	if (sh_parse(line, &list, &perr) != 0) {
		tap_diag("\"%s\": %s", line, perr);
		return false;
	}
	return true;
}

/* Command @a i has exactly the words of the NULL-terminated @a want. */
static bool words_are(size_t i, const char *const *want)
{
	if (!CHECK(i < list.n))
		return false;
	const sh_cmd_t *c = &list.cmds[i];
	size_t n = 0;
	for (; want[n]; n++) {
		if (n >= c->argc || strcmp(c->argv[n], want[n]) != 0) {
			tap_diag("word %zu is \"%s\", want \"%s\"", n,
			    n < c->argc ? c->argv[n] : "(none)", want[n]);
			return false;
		}
	}
	return CHECK(c->argc == n && c->argv[n] == NULL);
}

#define WORDS(i, ...) words_are((i), (const char *const[]){ __VA_ARGS__, NULL })

static bool refused(const char *line, const char *want)
{
	list.n = 99;
	if (sh_parse(line, &list, &perr) == 0) {
		tap_diag("\"%s\" was accepted", line);
		sh_list_free(&list);
		return false;
	}
	if (strstr(perr, want) == NULL) {
		tap_diag("\"%s\": \"%s\", want \"%s\"", line, perr, want);
		return false;
	}
	return CHECK(list.n == 0 && list.cmds == NULL);
}

static bool parse_words(void)
{
	TAP_CHECK(parses("  echo   hello\tworld  "));
	TAP_CHECK(list.n == 1 && WORDS(0, "echo", "hello", "world"));
	TAP_CHECK(list.cmds[0].link == SH_LINK_END && !list.cmds[0].in && !list.cmds[0].out);
	sh_list_free(&list);
	TAP_CHECK(parses("echo 'a  b' \"c ; d\" e'f g'h '' \"\" x"));
	TAP_CHECK(WORDS(0, "echo", "a  b", "c ; d", "ef gh", "", "", "x"));
	sh_list_free(&list);
	TAP_CHECK(parses("echo \"a\\\"b\\\\c\\n\" 'it''s' \\; a\\ b \\' \\"));
	TAP_CHECK(WORDS(0, "echo", "a\"b\\c\\n", "its", ";", "a b", "'", "\\"));
	sh_list_free(&list);
	TAP_CHECK(parses("echo 'a\"b' \"a'b\" '>' \"&&\""));
	TAP_CHECK(WORDS(0, "echo", "a\"b", "a'b", ">", "&&"));
	sh_list_free(&list);
	TAP_CHECK(parses(""));
	TAP_CHECK(list.n == 0);
	TAP_CHECK(parses("   \t "));
	TAP_CHECK(list.n == 0);
	TAP_CHECK(parses("# only a comment; rm -r /"));
	TAP_CHECK(list.n == 0);
	TAP_CHECK(parses("ls # list ; rm x"));
	TAP_CHECK(list.n == 1 && WORDS(0, "ls"));
	sh_list_free(&list);
	TAP_CHECK(parses("echo a#b"));
	TAP_CHECK(WORDS(0, "echo", "a#b"));
	sh_list_free(&list);
	return true;
}

static bool parse_lists(void)
{
	TAP_CHECK(parses("a;b && c ; d;"));
	TAP_CHECK(list.n == 4);
	TAP_CHECK(WORDS(0, "a") && WORDS(1, "b") && WORDS(2, "c") && WORDS(3, "d"));
	TAP_CHECK(list.cmds[0].link == SH_LINK_SEQ && list.cmds[1].link == SH_LINK_AND);
	TAP_CHECK(list.cmds[2].link == SH_LINK_SEQ && list.cmds[3].link == SH_LINK_END);
	sh_list_free(&list);
	TAP_CHECK(parses("mkdir d&&cd d"));
	TAP_CHECK(list.n == 2 && WORDS(0, "mkdir", "d") && WORDS(1, "cd", "d"));
	TAP_CHECK(!list.cmds[0].background && !list.cmds[1].background);
	sh_list_free(&list);
	/* "&": a background job; the next command runs at once */
	TAP_CHECK(parses("fault loop &"));
	TAP_CHECK(list.n == 1 && WORDS(0, "fault", "loop"));
	TAP_CHECK(list.cmds[0].background && list.cmds[0].link == SH_LINK_END);
	sh_list_free(&list);
	TAP_CHECK(parses("a > f & b&c && d &"));
	TAP_CHECK(list.n == 4 && WORDS(0, "a") && WORDS(1, "b") && WORDS(2, "c") && WORDS(3, "d"));
	TAP_CHECK(strcmp(list.cmds[0].out, "f") == 0);
	TAP_CHECK(list.cmds[0].background && list.cmds[0].link == SH_LINK_SEQ);
	TAP_CHECK(list.cmds[1].background && list.cmds[1].link == SH_LINK_SEQ);
	TAP_CHECK(!list.cmds[2].background && list.cmds[2].link == SH_LINK_AND);
	TAP_CHECK(list.cmds[3].background && list.cmds[3].link == SH_LINK_END);
	sh_list_free(&list);
	TAP_CHECK(parses("echo '&' \\& \"a&b\""));
	TAP_CHECK(list.n == 1 && WORDS(0, "echo", "&", "&", "a&b") && !list.cmds[0].background);
	sh_list_free(&list);
	return true;
}

static bool parse_redirections(void)
{
	TAP_CHECK(parses("cat <in >out arg"));
	TAP_CHECK(WORDS(0, "cat", "arg"));
	TAP_CHECK(strcmp(list.cmds[0].in, "in") == 0 && strcmp(list.cmds[0].out, "out") == 0);
	TAP_CHECK(!list.cmds[0].append);
	sh_list_free(&list);
	TAP_CHECK(parses("echo hi >> 'my log' ; echo x>y"));
	TAP_CHECK(list.n == 2 && WORDS(0, "echo", "hi") && WORDS(1, "echo", "x"));
	TAP_CHECK(strcmp(list.cmds[0].out, "my log") == 0 && list.cmds[0].append);
	TAP_CHECK(strcmp(list.cmds[1].out, "y") == 0 && !list.cmds[1].append);
	sh_list_free(&list);
	TAP_CHECK(parses("> f echo first"));
	TAP_CHECK(WORDS(0, "echo", "first") && strcmp(list.cmds[0].out, "f") == 0);
	sh_list_free(&list);
	return true;
}

static bool parse_hostile(void)
{
	TAP_CHECK(refused("echo 'abc", "unterminated ' quote"));
	TAP_CHECK(refused("echo \"abc", "unterminated \" quote"));
	TAP_CHECK(refused("echo \"a\\\"", "unterminated \" quote"));
	TAP_CHECK(refused("echo ok ; echo 'x", "unterminated"));
	TAP_CHECK(refused("cat >", "> needs a file name"));
	TAP_CHECK(refused("cat >>", ">> needs a file name"));
	TAP_CHECK(refused("cat <", "< needs a file name"));
	TAP_CHECK(refused("cat > ; ls", "> needs a file name"));
	TAP_CHECK(refused("cat > > f", "> needs a file name"));
	TAP_CHECK(refused("cat < a < b", "more than one <"));
	TAP_CHECK(refused("cat > a >> b", "more than one >"));
	TAP_CHECK(refused("> f", "a redirection without a command"));
	TAP_CHECK(refused(";", "a command is missing before ;"));
	TAP_CHECK(refused("a ; ; b", "a command is missing before ;"));
	TAP_CHECK(refused("&& b", "a command is missing before &&"));
	TAP_CHECK(refused("a &&", "&& needs a command after it"));
	TAP_CHECK(refused("a && ;", "a command is missing before ;"));
	TAP_CHECK(refused("a | b", "pipes"));
	TAP_CHECK(refused("a &&& b", "a command is missing before &"));
	TAP_CHECK(refused("& b", "a command is missing before &"));
	TAP_CHECK(refused("a & ; b", "a command is missing before ;"));
	TAP_CHECK(refused("a & && b", "a command is missing before &&"));
	return true;
}

static bool parse_too_many(void)
{
	/* SH_ARGS_MAX words fit, one more is refused. */
	size_t n = SH_ARGS_MAX + 1;
	char *line = malloc(2 * n + 1);
	TAP_CHECK(line);
	for (size_t i = 0; i < n; i++) {
		line[2 * i] = 'w';
		line[2 * i + 1] = ' ';
	}
	line[2 * (n - 1)] = '\0';
	bool ok = parses(line) && CHECK(list.cmds[0].argc == SH_ARGS_MAX);
	sh_list_free(&list);
	line[2 * (n - 1)] = 'w';
	line[2 * n - 1] = '\0';
	ok = ok && refused(line, "too many words");
	free(line);
	return ok;
}

static bool parse_long_line(void)
{
	/* One word of a megabyte, then many short commands. */
	size_t big = 1 << 20;
	char *line = malloc(big + 16);
	TAP_CHECK(line);
	memcpy(line, "echo ", 5);
	memset(line + 5, 'z', big);
	line[5 + big] = '\0';
	bool ok = parses(line) && CHECK(strlen(list.cmds[0].argv[1]) == big);
	sh_list_free(&list);
	for (size_t i = 0; i + 2 < big; i += 2) {
		line[i] = 'a';
		line[i + 1] = ';';
	}
	line[big] = '\0';
	ok = ok && parses(line) && CHECK(list.n == big / 2) /* the last is "zz" */;
	sh_list_free(&list);
	/* An unterminated quote at the end of a megabyte. */
	memset(line, 'q', big);
	line[big - 1] = '"';
	ok = ok && refused(line, "unterminated");
	free(line);
	return ok;
}

/* Every byte value in every position of a short line: no crash, and the
 * list is empty whenever it is refused. */
static bool parse_all_bytes(void)
{
	char line[4];
	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			line[0] = (char) a;
			line[1] = (char) b;
			line[2] = b ? '>' : '\0';
			line[3] = '\0';
			int rc = sh_parse(line, &list, &perr);
			if (rc != 0 && !CHECK(list.n == 0 && perr != NULL))
				return false;
			sh_list_free(&list);
		}
	}
	return true;
}

/* A random word as the parser must read it back. */
static void random_word(char *w, size_t max)
{
	static const char alphabet[] = "ab;&|<>'\" \t\\#x";
	size_t n = (size_t) rand() % max;
	for (size_t i = 0; i < n; i++)
		w[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
	w[n] = '\0';
}

/* Quote @a w onto the end of @a line in one of three ways. */
static size_t quote_word(char *line, const char *w)
{
	size_t n = 0;
	int how = rand() % 3;
	if (how == 0 || w[0] == '\0') { /* double quotes */
		line[n++] = '"';
		for (; *w; w++) {
			if (*w == '"' || *w == '\\')
				line[n++] = '\\';
			line[n++] = *w;
		}
		line[n++] = '"';
	} else if (how == 1) { /* single quotes; ' itself as \' */
		for (; *w; w++) {
			if (*w == '\'') {
				memcpy(line + n, "\\'", 2);
				n += 2;
			} else {
				line[n++] = '\'';
				line[n++] = *w;
				line[n++] = '\'';
			}
		}
	} else { /* a backslash before every byte */
		for (; *w; w++) {
			line[n++] = '\\';
			line[n++] = *w;
		}
	}
	return n;
}

static bool parse_random_roundtrip(void)
{
	enum { WORDS_MAX = 8, WORD_MAX = 12 };
	char words[WORDS_MAX][WORD_MAX + 1];
	char line[WORDS_MAX * (3 * WORD_MAX + 4) + 1];
	srand(777);
	for (int round = 0; round < 20000; round++) {
		size_t nw = 1 + (size_t) rand() % WORDS_MAX, n = 0;
		for (size_t i = 0; i < nw; i++) {
			random_word(words[i], WORD_MAX);
			n += quote_word(line + n, words[i]);
			line[n++] = rand() % 2 ? ' ' : '\t';
		}
		line[n] = '\0';
		if (!parses(line) || !CHECK(list.n == 1 && list.cmds[0].argc == nw))
			return false;
		for (size_t i = 0; i < nw; i++) {
			if (!CHECK(strcmp(list.cmds[0].argv[i], words[i]) == 0))
				return false;
		}
		sh_list_free(&list);
	}
	return true;
}

/* Random junk lines: accepted or refused, never a crash or a leak. */
static bool parse_random_junk(void)
{
	static const char alphabet[] = "ab;&|<>'\" \t\\#\n";
	char line[64];
	srand(4242);
	for (int round = 0; round < 100000; round++) {
		size_t n = (size_t) rand() % (sizeof(line) - 1);
		for (size_t i = 0; i < n; i++)
			line[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		line[n] = '\0';
		if (sh_parse(line, &list, &perr) == 0) {
			for (size_t i = 0; i < list.n; i++) {
				const sh_cmd_t *c = &list.cmds[i];
				if (!CHECK(c->argc > 0 && c->argv[c->argc] == NULL))
					return false;
				if (!CHECK((c->link == SH_LINK_END) == (i + 1 == list.n)))
					return false;
			}
			sh_list_free(&list);
		} else if (!CHECK(list.n == 0 && perr)) {
			return false;
		}
	}
	return true;
}

static const tap_case_t cases[] = {
	{ "edit_typing", edit_typing },
	{ "edit_erasing", edit_erasing },
	{ "edit_ctrl_c_d", edit_ctrl_c_d },
	{ "edit_history", edit_history },
	{ "edit_history_ring", edit_history_ring },
	{ "edit_escapes", edit_escapes },
	{ "edit_long_line", edit_long_line },
	{ "edit_random", edit_random },
	{ "parse_words", parse_words },
	{ "parse_lists", parse_lists },
	{ "parse_redirections", parse_redirections },
	{ "parse_hostile", parse_hostile },
	{ "parse_too_many", parse_too_many },
	{ "parse_long_line", parse_long_line },
	{ "parse_all_bytes", parse_all_bytes },
	{ "parse_random_roundtrip", parse_random_roundtrip },
	{ "parse_random_junk", parse_random_junk },
};

int main(void)
{
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
