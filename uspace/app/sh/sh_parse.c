/*
 * The shell's parser (sh_parse.h).  Two steps: the scanner cuts the line
 * into tokens (words, with their quoting resolved, and the operators
 * ; && < > >>), then the commands are built from the tokens.  All memory
 * comes from malloc; a failure anywhere frees everything and reports.
 */
#include "sh_parse.h"
#include <stdlib.h>
#include <string.h>

typedef enum tok_kind {
	TOK_WORD,
	TOK_SEQ,
	TOK_AND,
	TOK_BG,
	TOK_IN,
	TOK_OUT,
	TOK_APPEND
} tok_kind_t;

typedef struct tok {
	tok_kind_t kind;
	char *word; /* TOK_WORD */
} tok_t;

typedef struct scan {
	const char *p;
	tok_t *toks;
	size_t n, cap;
	const char *err;
} scan_t;

static const char sh_err_nomem[] = "out of memory";

static bool scan_push(scan_t *s, tok_kind_t kind, char *word)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		tok_t *t = realloc(s->toks, cap * sizeof(*t));
		if (!t) {
			s->err = sh_err_nomem;
			return false;
		}
		s->toks = t;
		s->cap = cap;
	}
	s->toks[s->n++] = (tok_t){ .kind = kind, .word = word };
	return true;
}

static void scan_free(scan_t *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->toks[i].word);
	free(s->toks);
	s->toks = NULL;
	s->n = s->cap = 0;
}

static bool sh_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A byte that ends an unquoted word. */
static bool sh_special(char c)
{
	return sh_space(c) || c == ';' || c == '&' || c == '|' || c == '<' || c == '>';
}

/* The quoted part at @a p (an opening quote) into @a dst (NULL: only
 * measure); *n grows by the bytes it holds.  The byte after the closing
 * quote, or NULL if the quote is not closed. */
static const char *scan_quoted(const char *p, char *dst, size_t *n)
{
	char q = *p++;
	for (;;) {
		char c = *p;
		if (c == '\0')
			return NULL;
		p++;
		if (c == q)
			return p;
		if (q == '"' && c == '\\' && (*p == '"' || *p == '\\'))
			c = *p++;
		if (dst)
			dst[*n] = c;
		(*n)++;
	}
}

/* The word at @a p into @a dst (NULL: only measure); *n gets its length.
 * The byte after it, or NULL (and s->err) for an unterminated quote. */
static const char *scan_word_copy(scan_t *s, const char *p, char *dst, size_t *n)
{
	*n = 0;
	while (*p && !sh_special(*p)) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			p = scan_quoted(p, dst, n);
			if (!p) {
				s->err = q == '\'' ? "unterminated ' quote"
				                   : "unterminated \" quote";
				return NULL;
			}
			continue;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (dst)
			dst[*n] = *p;
		(*n)++;
		p++;
	}
	return p;
}

/* One word at s->p (not at a space or an operator): measured, then
 * copied. */
static bool scan_word(scan_t *s)
{
	size_t n;
	if (!scan_word_copy(s, s->p, NULL, &n))
		return false;
	char *w = malloc(n + 1);
	if (!w) {
		s->err = sh_err_nomem;
		return false;
	}
	s->p = scan_word_copy(s, s->p, w, &n);
	w[n] = '\0';
	if (!scan_push(s, TOK_WORD, w)) {
		free(w);
		return false;
	}
	return true;
}

/* One operator at s->p. */
static bool scan_operator(scan_t *s)
{
	const char *p = s->p;
	tok_kind_t kind;
	size_t len = 1;
	if (p[0] == ';') {
		kind = TOK_SEQ;
	} else if (p[0] == '&' && p[1] == '&') {
		kind = TOK_AND;
		len = 2;
	} else if (p[0] == '&') {
		kind = TOK_BG;
	} else if (p[0] == '<') {
		kind = TOK_IN;
	} else if (p[0] == '>' && p[1] == '>') {
		kind = TOK_APPEND;
		len = 2;
	} else if (p[0] == '>') {
		kind = TOK_OUT;
	} else {
		s->err = "pipes (|) are not supported";
		return false;
	}
	s->p += len;
	return scan_push(s, kind, NULL);
}

static bool scan_line(scan_t *s)
{
	for (;;) {
		while (sh_space(*s->p))
			s->p++;
		if (*s->p == '\0' || *s->p == '#')
			return true;
		if (!(sh_special(*s->p) ? scan_operator(s) : scan_word(s)))
			return false;
	}
}

/* ---- commands from tokens ---- */

static void cmd_free(sh_cmd_t *c)
{
	for (size_t i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

void sh_list_free(sh_list_t *list)
{
	for (size_t i = 0; i < list->n; i++)
		cmd_free(&list->cmds[i]);
	free(list->cmds);
	list->cmds = NULL;
	list->n = 0;
}

/* A redirection toks[*i] with its file toks[*i + 1] into @a c; the word
 * is taken out of the token list. */
static const char *cmd_redirect(sh_cmd_t *c, tok_t *toks, size_t n, size_t *i)
{
	tok_kind_t k = toks[*i].kind;
	if (*i + 1 >= n || toks[*i + 1].kind != TOK_WORD) {
		return k == TOK_IN
		    ? "< needs a file name"
		    : (k == TOK_OUT ? "> needs a file name" : ">> needs a file name");
	}
	char **slot = k == TOK_IN ? &c->in : &c->out;
	if (*slot)
		return k == TOK_IN ? "more than one < in a command"
		                   : "more than one > or >> in a command";
	*slot = toks[*i + 1].word;
	toks[*i + 1].word = NULL;
	c->append = c->append || k == TOK_APPEND;
	*i += 2;
	return NULL;
}

static const char *cmd_add_word(sh_cmd_t *c, tok_t *t, size_t *cap)
{
	if (c->argc == SH_ARGS_MAX)
		return "too many words in a command";
	if (c->argc + 1 >= *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		char **a = realloc(c->argv, ncap * sizeof(*a));
		if (!a)
			return sh_err_nomem;
		c->argv = a;
		*cap = ncap;
	}
	c->argv[c->argc++] = t->word;
	c->argv[c->argc] = NULL;
	t->word = NULL;
	return NULL;
}

static bool tok_ends_command(tok_kind_t k)
{
	return k == TOK_SEQ || k == TOK_AND || k == TOK_BG;
}

static const char *const cmd_missing[] = {
	[TOK_SEQ] = "a command is missing before ;",
	[TOK_AND] = "a command is missing before &&",
	[TOK_BG] = "a command is missing before &",
};

/* One command from toks[*i], up to and with its ";", "&&" or "&". */
static const char *cmd_build(sh_cmd_t *c, tok_t *toks, size_t n, size_t *i)
{
	size_t cap = 0;
	const char *err = NULL;
	while (!err && *i < n && !tok_ends_command(toks[*i].kind)) {
		if (toks[*i].kind == TOK_WORD)
			err = cmd_add_word(c, &toks[(*i)++], &cap);
		else
			err = cmd_redirect(c, toks, n, i);
	}
	if (err)
		return err;
	if (c->argc == 0) {
		if (*i < n)
			return cmd_missing[toks[*i].kind];
		return c->in || c->out ? "a redirection without a command" : NULL;
	}
	c->link = SH_LINK_END;
	if (*i < n) {
		/* "A & B": A in the background, then B at once */
		c->background = toks[*i].kind == TOK_BG;
		c->link = toks[*i].kind == TOK_AND ? SH_LINK_AND : SH_LINK_SEQ;
		(*i)++;
	}
	return NULL;
}

static const char *list_build(sh_list_t *list, tok_t *toks, size_t n)
{
	size_t i = 0, cap = 0;
	while (i < n) {
		if (list->n == cap) {
			size_t ncap = cap ? 2 * cap : 4;
			sh_cmd_t *cmds = realloc(list->cmds, ncap * sizeof(*cmds));
			if (!cmds)
				return sh_err_nomem;
			list->cmds = cmds;
			cap = ncap;
		}
		sh_cmd_t *c = &list->cmds[list->n++];
		memset(c, 0, sizeof(*c));
		const char *err = cmd_build(c, toks, n, &i);
		if (err)
			return err;
	}
	if (list->n > 0 && list->cmds[list->n - 1].link == SH_LINK_AND)
		return "&& needs a command after it";
	if (list->n > 0)
		list->cmds[list->n - 1].link = SH_LINK_END; /* a ";" or "&" may end the line */
	return NULL;
}

int sh_parse(const char *line, sh_list_t *list, const char **err)
{
	scan_t s = { .p = line };
	list->cmds = NULL;
	list->n = 0;
	*err = NULL;
	if (scan_line(&s))
		*err = list_build(list, s.toks, s.n);
	else
		*err = s.err;
	scan_free(&s);
	if (*err) {
		sh_list_free(list);
		return -1;
	}
	return 0;
}
