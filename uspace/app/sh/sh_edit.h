/*
 * The shell's line editor: a state machine fed one typed byte at a time
 * (raw console input), pure (no I/O: what should be echoed collects in
 * the editor's output buffer, which the caller writes out and empties).
 * The same source builds for the host test tests/test_sh.c.
 *
 * Keys: printable bytes (and UTF-8 bytes) are appended; a tab is a space;
 * Return (CR, LF, or CR LF as one) ends the line; Backspace (BS or DEL)
 * erases the last byte; Ctrl-U erases the line; Ctrl-C abandons it;
 * Ctrl-D at an empty line is the end of input (ignored otherwise); the
 * arrows Up and Down (ESC [ A / ESC [ B, or ESC O A / ESC O B) walk the
 * history of earlier lines, Down past the newest bringing back the line
 * being typed; every other escape sequence and control byte is ignored.
 * A byte that does not fit (the line holds SH_EDIT_LINE_MAX bytes) rings
 * the bell and is dropped.
 */
#ifndef SH_EDIT_H_
#define SH_EDIT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SH_EDIT_LINE_MAX 1024
#define SH_EDIT_HISTORY 32
/* Enough for the longest echo one byte can cause: a full line erased and
 * another full line typed in its place. */
#define SH_EDIT_OUT_MAX (4 * SH_EDIT_LINE_MAX + 16)

typedef enum sh_edit_result {
	SH_EDIT_MORE, /* the line goes on */
	SH_EDIT_LINE, /* the line is finished: sh_edit_line() */
	SH_EDIT_CANCEL, /* Ctrl-C: the line was abandoned */
	SH_EDIT_EOF, /* Ctrl-D at an empty line */
} sh_edit_result_t;

typedef struct sh_edit {
	char line[SH_EDIT_LINE_MAX + 1]; /* NUL-terminated */
	size_t len;
	char saved[SH_EDIT_LINE_MAX + 1]; /* the new line while browsing */
	/* history: a ring of hist_count lines, the oldest at hist_first */
	char hist[SH_EDIT_HISTORY][SH_EDIT_LINE_MAX + 1];
	size_t hist_first, hist_count;
	size_t hist_pos; /* the line shown: hist_count = the new line */
	unsigned esc; /* 0, 1 after ESC, 2 inside ESC [ or ESC O */
	bool after_cr; /* a LF right after CR is the same end of line */
	char out[SH_EDIT_OUT_MAX]; /* echo waiting to be written */
	size_t out_len;
} sh_edit_t;

/* An empty editor with no history. */
void sh_edit_init(sh_edit_t *e);
/* Begin a new line (history kept; pending output kept). */
void sh_edit_start(sh_edit_t *e);
/* One typed byte. */
sh_edit_result_t sh_edit_byte(sh_edit_t *e, uint8_t c);
/* The finished line (no end-of-line byte), valid until the next byte. */
const char *sh_edit_line(const sh_edit_t *e);
/* Put @a line at the end of the history (blank lines and a repeat of the
 * newest are left out; a line longer than SH_EDIT_LINE_MAX is cut). */
void sh_edit_history_add(sh_edit_t *e, const char *line);
/* The @a i-th line of the history, 0 the oldest; NULL past the end. */
const char *sh_edit_history_get(const sh_edit_t *e, size_t i);

#endif
