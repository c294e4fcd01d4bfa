/*
 * The shell's line editor (sh_edit.h): one byte at a time, the echo
 * collected in e->out.  Erasing is "\b \b" per byte, so the editor needs
 * to know nothing of the prompt or the terminal beyond a backspace that
 * moves left.
 */
#include "sh_edit.h"
#include <string.h>

#define SH_KEY_CTRL_C 0x03
#define SH_KEY_CTRL_D 0x04
#define SH_KEY_BS 0x08
#define SH_KEY_CTRL_U 0x15
#define SH_KEY_ESC 0x1b
#define SH_KEY_DEL 0x7f

static void edit_out(sh_edit_t *e, const char *s, size_t n)
{
	for (size_t i = 0; i < n && e->out_len < sizeof(e->out); i++)
		e->out[e->out_len++] = s[i];
}

void sh_edit_init(sh_edit_t *e)
{
	memset(e, 0, sizeof(*e));
}

void sh_edit_start(sh_edit_t *e)
{
	e->len = 0;
	e->line[0] = '\0';
	e->hist_pos = e->hist_count;
	e->esc = 0;
}

const char *sh_edit_line(const sh_edit_t *e)
{
	return e->line;
}

const char *sh_edit_history_get(const sh_edit_t *e, size_t i)
{
	if (i >= e->hist_count)
		return NULL;
	return e->hist[(e->hist_first + i) % SH_EDIT_HISTORY];
}

static bool edit_blank(const char *s)
{
	for (; *s; s++) {
		if (*s != ' ' && *s != '\t')
			return false;
	}
	return true;
}

void sh_edit_history_add(sh_edit_t *e, const char *line)
{
	if (edit_blank(line))
		return;
	if (e->hist_count > 0 && strcmp(sh_edit_history_get(e, e->hist_count - 1), line) == 0)
		return;
	size_t slot;
	if (e->hist_count < SH_EDIT_HISTORY) {
		slot = (e->hist_first + e->hist_count++) % SH_EDIT_HISTORY;
	} else {
		slot = e->hist_first; /* the oldest goes */
		e->hist_first = (e->hist_first + 1) % SH_EDIT_HISTORY;
	}
	size_t n = strlen(line);
	if (n > SH_EDIT_LINE_MAX)
		n = SH_EDIT_LINE_MAX;
	memcpy(e->hist[slot], line, n);
	e->hist[slot][n] = '\0';
}

/* Erase the whole line from the screen and the buffer. */
static void edit_erase(sh_edit_t *e)
{
	for (size_t i = 0; i < e->len; i++)
		edit_out(e, "\b \b", 3);
	e->len = 0;
	e->line[0] = '\0';
}

/* Show @a text as the line instead of what is there. */
static void edit_replace(sh_edit_t *e, const char *text)
{
	edit_erase(e);
	size_t n = strlen(text);
	if (n > SH_EDIT_LINE_MAX)
		n = SH_EDIT_LINE_MAX;
	memcpy(e->line, text, n);
	e->line[n] = '\0';
	e->len = n;
	edit_out(e, text, n);
}

static void edit_history_up(sh_edit_t *e)
{
	if (e->hist_pos == 0)
		return;
	if (e->hist_pos == e->hist_count)
		memcpy(e->saved, e->line, e->len + 1);
	e->hist_pos--;
	edit_replace(e, sh_edit_history_get(e, e->hist_pos));
}

static void edit_history_down(sh_edit_t *e)
{
	if (e->hist_pos >= e->hist_count)
		return;
	e->hist_pos++;
	edit_replace(
	    e, e->hist_pos == e->hist_count ? e->saved : sh_edit_history_get(e, e->hist_pos));
}

/* A byte inside an escape sequence (e->esc != 0). */
static void edit_escape(sh_edit_t *e, uint8_t c)
{
	if (e->esc == 1) {
		e->esc = (c == '[' || c == 'O') ? 2 : 0; /* ESC x: dropped */
		return;
	}
	if (c >= 0x40 && c <= 0x7e) { /* the final byte */
		e->esc = 0;
		if (c == 'A')
			edit_history_up(e);
		else if (c == 'B')
			edit_history_down(e);
		return;
	}
	if (c < 0x20 || c > 0x3f)
		e->esc = 0; /* not a parameter byte: the sequence is broken */
}

static void edit_insert(sh_edit_t *e, uint8_t c)
{
	if (c == '\t')
		c = ' ';
	if (e->len >= SH_EDIT_LINE_MAX) {
		edit_out(e, "\a", 1);
		return;
	}
	e->line[e->len++] = (char) c;
	e->line[e->len] = '\0';
	edit_out(e, (const char *) &c, 1);
}

static sh_edit_result_t edit_control(sh_edit_t *e, uint8_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		edit_out(e, "\n", 1);
		sh_edit_history_add(e, e->line);
		e->hist_pos = e->hist_count;
		return SH_EDIT_LINE;
	case SH_KEY_BS:
	case SH_KEY_DEL:
		if (e->len > 0) {
			e->line[--e->len] = '\0';
			edit_out(e, "\b \b", 3);
		}
		return SH_EDIT_MORE;
	case SH_KEY_CTRL_U:
		edit_erase(e);
		return SH_EDIT_MORE;
	case SH_KEY_CTRL_C:
		edit_out(e, "^C\n", 3);
		e->len = 0;
		e->line[0] = '\0';
		return SH_EDIT_CANCEL;
	case SH_KEY_CTRL_D:
		return e->len == 0 ? SH_EDIT_EOF : SH_EDIT_MORE;
	case SH_KEY_ESC:
		e->esc = 1;
		return SH_EDIT_MORE;
	case '\t':
		edit_insert(e, c);
		return SH_EDIT_MORE;
	default:
		return SH_EDIT_MORE; /* other control bytes: ignored */
	}
}

sh_edit_result_t sh_edit_byte(sh_edit_t *e, uint8_t c)
{
	bool after_cr = e->after_cr;
	e->after_cr = c == '\r';
	if (c == '\n' && after_cr)
		return SH_EDIT_MORE; /* the LF of CR LF */
	if (e->esc != 0 && c != SH_KEY_ESC && c != SH_KEY_CTRL_C) {
		edit_escape(e, c);
		return SH_EDIT_MORE;
	}
	e->esc = 0;
	if (c < 0x20 || c == SH_KEY_DEL)
		return edit_control(e, c);
	edit_insert(e, c);
	return SH_EDIT_MORE;
}
