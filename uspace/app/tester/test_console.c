/*
 * Console input (console.h, uspace/srv/console).  tools/test.sh feeds
 * tests/fixtures/console-input.txt into the serial line (tools/qemu.sh
 * --serial-in); this test reads it back through the console server: lines
 * edited (backspace and DEL), "\r\n" as one end of line, a line longer
 * than the buffer in pieces, then raw bytes as they were typed.  Without
 * that input (a run by hand) it says so in a note and checks nothing;
 * tools/test.sh fails the run if the note appears.
 */
#include "tester.h"
#include <cap.h>
#include <console.h>
#include <irq.h>
#include <string.h>
#include <thread.h>
#include <utest.h>

#define FIXTURE_BYTES 340 /* tests/fixtures/console-input.txt */
#define LONG_LINE 300

static bool console_line_is(const char *want)
{
	char buf[128];
	size_t n;
	if (!UT_CHECK_OK(console_read_line(buf, sizeof(buf), &n)))
		return false;
	if (!UT_CHECK_EQ(n, strlen(want)) || !UT_CHECK(strcmp(buf, want) == 0)) {
		utest_note("read '%s'", buf);
		return false;
	}
	return true;
}

/* The long line through a buffer of 64 bytes (65 with the NUL). */
static void console_long_line(void)
{
	char want[LONG_LINE + 2], got[LONG_LINE + 2], piece[65];
	size_t len = 0, n, pieces = 0;
	for (size_t i = 0; i < LONG_LINE; i++)
		want[i] = (char) ('0' + i % 10);
	want[LONG_LINE] = '\n';
	want[LONG_LINE + 1] = '\0';
	do {
		if (!UT_CHECK_OK(console_read_line(piece, sizeof(piece), &n)) ||
		    !UT_CHECK(n > 0 && len + n <= LONG_LINE + 1))
			return;
		memcpy(got + len, piece, n);
		len += n;
		pieces++;
	} while (got[len - 1] != '\n');
	got[len] = '\0';
	UT_CHECK_EQ(len, LONG_LINE + 1);
	UT_CHECK(strcmp(got, want) == 0);
	UT_CHECK_EQ(pieces, 5); /* 64 + 64 + 64 + 64 + 45 */
}

static void console_raw(void)
{
	static const char want[] = "RAW\x7f\x01!";
	char got[16];
	size_t len = 0, n;
	while (len < sizeof(want) - 1) {
		if (!UT_CHECK_OK(console_read_mode(
		        got + len, sizeof(got) - len, CONSOLE_MODE_RAW, 2000, &n)))
			return;
		len += n;
	}
	UT_CHECK_EQ(len, sizeof(want) - 1);
	UT_CHECK(memcmp(got, want, len) == 0);
	UT_CHECK_EQ(console_read_mode(got, sizeof(got), CONSOLE_MODE_RAW, 100, &n), ETIMEOUT);
}

UTEST(console_serial)
{
	uint64_t received = 0, waiting = 0;
	char buf[8];
	size_t n;
	for (unsigned i = 0; i < 300 && received < FIXTURE_BYTES; i++) {
		UT_ASSERT_OK(console_stats(&received, &waiting));
		if (received < FIXTURE_BYTES)
			thread_sleep_us(10000);
	}
	if (received == 0) {
		utest_note("console_serial: no serial input (tools/qemu.sh --serial-in "
		           "tests/fixtures/console-input.txt)");
		return;
	}
	UT_CHECK_EQ(received, FIXTURE_BYTES); /* all of it, nothing more */
	UT_CHECK_EQ(console_read_mode(buf, sizeof(buf), 7, 0, &n), EINVAL);
	console_line_is("hello console\n");
	console_line_is("abe\n"); /* "abc" BS "d" DEL "e" */
	console_line_is("crlf line\n");
	console_long_line();
	console_raw();
	UT_ASSERT_OK(console_stats(&received, &waiting));
	UT_CHECK_EQ(waiting, 0);
}

/* Only a subscriber of the console's line reads the kernel's input: a
 * phone, a stale handle or a subscription to another line is refused,
 * and nothing is taken. */
UTEST(console_kread_needs_subscription)
{
	cap_info_t ci;
	cap_handle_t range = CAP_NIL, sub;
	uint8_t buf[8];
	size_t n = 99;
	UT_CHECK_EQ(kconsole_read(IPC_PHONE_NS, buf, sizeof(buf), &n), ENOENT);
	UT_CHECK_EQ(kconsole_read(CAP_NIL, buf, sizeof(buf), &n), ENOENT);
	UT_CHECK_EQ(n, 99);
	for (cap_handle_t h = 0; h < 16 && range == CAP_NIL; h++) {
		if (cap_info(h, &ci) == EOK && ci.kind == CAP_KIND_IRQ_RANGE)
			range = h;
	}
	UT_ASSERT(range != CAP_NIL);
	UT_ASSERT_OK(cap_info(range, &ci));
	UT_ASSERT(ci.base != DDI_CONSOLE_IRQ);
	UT_ASSERT_OK(irq_subscribe(range, (unsigned) ci.base, IPC_M_FIRST_USER, 0, &sub));
	UT_CHECK_EQ(kconsole_read(sub, buf, sizeof(buf), &n), EPERM);
	UT_CHECK_EQ(n, 99);
	UT_CHECK_OK(cap_drop(sub));
	UT_CHECK_ERR(kconsole_read(sub, buf, sizeof(buf), &n), ENOENT, ESTALE);
}
