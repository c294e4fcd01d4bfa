/*
 * The console server: what is typed on the serial line, for programs to
 * read a line at a time (edited and echoed) or raw (docs/drivers.md
 * "Console input"; the protocol is in libc's console.h).
 *
 * Input: the kernel's serial driver keeps the received bytes and tells
 * the subscribers of IRQ line 4 that some are waiting (an IPC_EV_IRQ
 * event); the server, a boot task granted that line (boot/meson.build),
 * subscribes and takes them with SYS_KCONSOLE_READ into its type-ahead
 * buffer.  Nothing is edited or echoed until a program reads: a line
 * reader's request runs the line editor over the type-ahead until a line
 * is complete (so the echo comes when a program asks for the line, never
 * in the middle of another program's output), then gets the line, or
 * the next piece of it when its buffer is smaller; the rest stays for the
 * next read.  A raw reader gets the bytes as they came.
 *
 * Interrupts: a task waiting with CONSOLE_INTR_WAIT (a shell while a
 * program runs in the foreground) gets each Ctrl-C typed: the byte is
 * taken out of the input when it arrives, or when the wait begins if it
 * is still in the type-ahead; without such a waiter Ctrl-C is input like
 * any other byte.
 *
 * One thread; every bound is fixed: the type-ahead (when it is full the
 * kernel keeps the rest, up to its own ring, and counts what it drops),
 * the line (a line longer than CON_LINE_MAX goes out in pieces as it is
 * typed: nothing is lost), the waiting readers (ELIMIT beyond).
 */
#include <console.h>
#include <errno.h>
#include <ipc.h>
#include <irq.h>
#include <ns.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>

#define CON_IRQ_LINE 4
#define CON_IRQ_METHOD (IPC_M_FIRST_USER + 0x400)
#define CON_TYPEAHEAD 16384
#define CON_LINE_MAX 1024
#define CON_READERS_MAX 64
#define CON_INTR_MAX 8
#define CON_CTRL_C 0x03
#define CON_HANDLES_TRIED 16
#define CON_BADGE 0xc0

typedef struct con_reader {
	ipc_event_t ev; /* the DATA_READ call */
	uint64_t deadline_ns; /* 0: none */
} con_reader_t;

static cap_handle_t con_sub;
static uint8_t con_ahead[CON_TYPEAHEAD]; /* ring: bytes not yet edited or read */
static size_t con_ahead_head, con_ahead_len;
static char con_edit[CON_LINE_MAX]; /* the line being typed */
static size_t con_edit_len;
static char con_done[CON_LINE_MAX]; /* a finished line (or piece) not yet read */
static size_t con_done_off, con_done_len;
static bool con_last_cr; /* "\r\n" is one end of line */
static char con_echo[2 * CON_LINE_MAX]; /* echo of this editing run */
static size_t con_echo_len;
static con_reader_t con_readers[CON_READERS_MAX]; /* in arrival order */
static size_t con_nreaders;
static con_reader_t con_intr[CON_INTR_MAX]; /* CONSOLE_INTR_WAIT calls */
static size_t con_nintr;
static uint64_t con_received;

/* ---- input ---- */

/* Answer interrupt waiter @a i with @a rc and forget it. */
static void con_intr_take(size_t i, errno_t rc)
{
	ipc_answer(con_intr[i].ev.call, rc, NULL);
	con_nintr--;
	memmove(&con_intr[i], &con_intr[i + 1], (con_nintr - i) * sizeof(con_intr[0]));
}

/* Take the first Ctrl-C out of the type-ahead: whether there was one. */
static bool con_ahead_take_intr(void)
{
	size_t i = 0;
	while (i < con_ahead_len && con_ahead[(con_ahead_head + i) % CON_TYPEAHEAD] != CON_CTRL_C)
		i++;
	if (i == con_ahead_len)
		return false;
	for (; i + 1 < con_ahead_len; i++) {
		con_ahead[(con_ahead_head + i) % CON_TYPEAHEAD] =
		    con_ahead[(con_ahead_head + i + 1) % CON_TYPEAHEAD];
	}
	con_ahead_len--;
	return true;
}

/* Take what the kernel holds into the type-ahead, while there is room. */
static void con_input_drain(void)
{
	uint8_t buf[512];
	while (con_ahead_len < CON_TYPEAHEAD) {
		size_t room = CON_TYPEAHEAD - con_ahead_len, n = 0;
		if (room > sizeof(buf))
			room = sizeof(buf);
		if (kconsole_read(con_sub, buf, room, &n) != EOK || n == 0)
			return;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] == CON_CTRL_C && con_nintr > 0)
				con_intr_take(0, EOK); /* an interrupt, not input */
			else
				con_ahead[(con_ahead_head + con_ahead_len++) % CON_TYPEAHEAD] =
				    buf[i];
		}
		con_received += n;
	}
}

static uint8_t con_ahead_pop(void)
{
	uint8_t c = con_ahead[con_ahead_head];
	con_ahead_head = (con_ahead_head + 1) % CON_TYPEAHEAD;
	con_ahead_len--;
	return c;
}

static void con_echo_add(const char *s, size_t n)
{
	for (size_t i = 0; i < n && con_echo_len < sizeof(con_echo); i++)
		con_echo[con_echo_len++] = s[i];
}

static void con_echo_flush(void)
{
	if (con_echo_len > 0)
		kconsole_write(con_echo, con_echo_len);
	con_echo_len = 0;
}

/* The line being typed is finished (or full): it is what readers get next. */
static void con_edit_finish(void)
{
	memcpy(con_done, con_edit, con_edit_len);
	con_done_off = 0;
	con_done_len = con_edit_len;
	con_edit_len = 0;
}

/* One typed byte through the line editor: true when a line is finished. */
static bool con_edit_byte(uint8_t c)
{
	bool after_cr = con_last_cr;
	con_last_cr = c == '\r';
	if (c == '\n' && after_cr)
		return false; /* the second half of "\r\n" */
	if (c == '\r' || c == '\n') {
		con_edit[con_edit_len++] = '\n';
		con_echo_add("\n", 1);
		con_edit_finish();
		return true;
	}
	if (c == '\b' || c == 0x7f) {
		if (con_edit_len > 0) {
			con_edit_len--;
			con_echo_add("\b \b", 3);
		}
		return false;
	}
	con_edit[con_edit_len++] = (char) c;
	con_echo_add((const char *) &c, 1);
	if (con_edit_len < CON_LINE_MAX - 1)
		return false;
	con_edit_finish(); /* room is kept for a '\n'; a longer line goes in pieces */
	return true;
}

/* ---- readers ---- */

static void con_reader_pop(void)
{
	con_nreaders--;
	memmove(&con_readers[0], &con_readers[1], con_nreaders * sizeof(con_readers[0]));
}

/* Answer the first reader with @a n bytes from @a src. */
static void con_give(const void *src, size_t n)
{
	ipc_data_read_accept(&con_readers[0].ev, src, n);
	con_reader_pop();
}

/* Serve the first reader if its input is there: false if it must wait. */
static bool con_serve_one(void)
{
	const ipc_event_t *ev = &con_readers[0].ev;
	size_t size = ev->msg.arg[1];
	if (con_done_len > 0 || size == 0) {
		size_t n = con_done_len < size ? con_done_len : size;
		con_give(con_done + con_done_off, n);
		con_done_off += n;
		con_done_len -= n;
		return true;
	}
	if (ev->msg.arg[2] == CONSOLE_MODE_RAW) {
		uint8_t buf[512];
		size_t n = 0;
		while (n < size && n < sizeof(buf) && con_edit_len > 0) {
			buf[n++] = (uint8_t) con_edit[0]; /* typed before: it comes first */
			memmove(con_edit, con_edit + 1, --con_edit_len);
		}
		while (n < size && n < sizeof(buf) && con_ahead_len > 0)
			buf[n++] = con_ahead_pop();
		if (n == 0)
			return false;
		con_give(buf, n);
		return true;
	}
	bool line = false;
	while (!line && con_ahead_len > 0)
		line = con_edit_byte(con_ahead_pop());
	con_echo_flush();
	return line; /* served at the next turn */
}

/* Serve the readers, taking more from the kernel as the type-ahead
 * empties (it may have been full: no new interrupt says there is more). */
static void con_pump(void)
{
	for (;;) {
		con_input_drain();
		size_t before = con_ahead_len;
		while (con_nreaders > 0 && con_serve_one())
			;
		if (con_ahead_len == before)
			return;
	}
}

/* The waiters of @a w[0..*n) whose time is up get ETIMEOUT; *next is
 * lowered to the time to the next deadline in nanoseconds (0: none). */
static void con_expire_in(con_reader_t *w, size_t *n, uint64_t now, uint64_t *next)
{
	for (size_t i = 0; i < *n;) {
		uint64_t d = w[i].deadline_ns;
		if (d != 0 && d <= now) {
			ipc_answer(w[i].ev.call, ETIMEOUT, NULL);
			(*n)--;
			memmove(&w[i], &w[i + 1], (*n - i) * sizeof(w[0]));
			continue;
		}
		if (d != 0 && (*next == 0 || d - now < *next))
			*next = d - now;
		i++;
	}
}

/* Readers and interrupt waiters whose time is up get ETIMEOUT; the time
 * to the next deadline in microseconds (0: none). */
static uint64_t con_expire(void)
{
	uint64_t now = uptime_ns_now(), next = 0;
	con_expire_in(con_readers, &con_nreaders, now, &next);
	con_expire_in(con_intr, &con_nintr, now, &next);
	return next == 0 ? 0 : next / 1000 + 1;
}

/* CONSOLE_INTR_WAIT: answered at once if a Ctrl-C is in the type-ahead. */
static void con_intr_request(const ipc_event_t *ev)
{
	if (con_nintr == CON_INTR_MAX) {
		ipc_answer(ev->call, ELIMIT, NULL);
		return;
	}
	uint64_t ms = ev->msg.arg[0];
	con_intr[con_nintr++] = (con_reader_t){ .ev = *ev,
		.deadline_ns = ms ? uptime_ns_now() + ms * 1000000 : 0 };
	con_pump();
	if (con_nintr > 0 && con_ahead_take_intr())
		con_intr_take(0, EOK);
}

static void con_read_request(const ipc_event_t *ev)
{
	if (ev->msg.arg[2] > CONSOLE_MODE_RAW) {
		ipc_answer(ev->call, EINVAL, NULL);
		return;
	}
	if (con_nreaders == CON_READERS_MAX) {
		ipc_answer(ev->call, ELIMIT, NULL);
		return;
	}
	uint64_t ms = ev->msg.arg[3];
	con_readers[con_nreaders++] = (con_reader_t){ .ev = *ev,
		.deadline_ns = ms ? uptime_ns_now() + ms * 1000000 : 0 };
	con_pump();
}

/* A client went away: its waiting readers and interrupt waiters go too. */
static void con_hangup_in(con_reader_t *w, size_t *n, uint64_t conn)
{
	for (size_t i = 0; i < *n;) {
		if (w[i].ev.conn != conn) {
			i++;
			continue;
		}
		ipc_answer(w[i].ev.call, EHANGUP, NULL);
		(*n)--;
		memmove(&w[i], &w[i + 1], (*n - i) * sizeof(w[0]));
	}
}

static void con_hangup(uint64_t conn)
{
	con_hangup_in(con_readers, &con_nreaders, conn);
	con_hangup_in(con_intr, &con_nintr, conn);
}

static void con_call(const ipc_event_t *ev)
{
	ipc_msg_t a = { 0 };
	switch (ev->msg.method) {
	case IPC_M_CONNECT_ME_TO:
		ipc_connect_accept(ev, CON_BADGE + ev->sender);
		break;
	case IPC_M_DATA_READ:
		con_read_request(ev);
		break;
	case CONSOLE_INTR_WAIT:
		con_intr_request(ev);
		break;
	case CONSOLE_STATS:
		a.arg[0] = con_received;
		a.arg[1] = con_nreaders;
		ipc_answer(ev->call, EOK, &a);
		break;
	default:
		ipc_answer(ev->call, ENOTSUP, NULL);
	}
}

/* The IRQ range granted for the serial line: the first handle through
 * which the subscription works. */
static errno_t con_subscribe(void)
{
	errno_t rc = ENOENT;
	for (cap_handle_t h = 0; h < CON_HANDLES_TRIED; h++) {
		rc = irq_subscribe(h, CON_IRQ_LINE, CON_IRQ_METHOD, 0, &con_sub);
		if (rc != ENOENT && rc != ESTALE)
			break;
	}
	return rc;
}

int main(void)
{
	errno_t rc = con_subscribe();
	if (rc == EOK)
		rc = ns_register(CONSOLE_NAME);
	if (rc != EOK) {
		printf("console: cannot start: %s\n", str_error(rc));
		return 1;
	}
	con_input_drain(); /* what came before we subscribed */
	for (;;) {
		ipc_event_t ev;
		rc = ipc_wait(&ev, con_expire(), 0, 0);
		if (rc == ETIMEOUT)
			continue;
		if (rc != EOK)
			return 0;
		if (irq_event_is(&ev, CON_IRQ_METHOD)) {
			irq_ack(con_sub);
			con_pump();
		} else if (ev.kind == IPC_EV_CALL) {
			con_call(&ev);
		} else if (ev.kind == IPC_EV_HANGUP) {
			con_hangup(ev.conn);
		}
	}
}
