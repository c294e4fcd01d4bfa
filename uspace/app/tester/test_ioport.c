/*
 * I/O ports (ddi_io.h): a task that enabled a granted range uses its
 * ports; a port outside its ranges kills it with a report naming the
 * port; a task cannot enable a range it does not hold.  The children get
 * the tester's granted ranges (TESTER_CAP_*) at spawn, at handles 1.. .
 */
#include "tester.h"
#include <cap.h>
#include <ddi_io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define SCRATCH_PORT 0x3ff
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

/* "child:io-use": handle 1 the scratch register's range, 2 the CMOS
 * ports.  The scratch register keeps what is written; the CMOS seconds
 * register reads as a valid time.  Exit 0, or which check failed. */
static int child_io_use(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	if (ioport_enable(1) != EOK || ioport_enable(2) != EOK)
		return 2;
	static const uint8_t patterns[] = { 0x5a, 0xa5, 0x00, 0xff };
	for (size_t i = 0; i < sizeof(patterns); i++) {
		pio_write_8(SCRATCH_PORT, patterns[i]);
		if (pio_read_8(SCRATCH_PORT) != patterns[i])
			return 10 + (int) i;
	}
	pio_write_8(CMOS_INDEX, 0x0b); /* status register B: the format */
	uint8_t b = pio_read_8(CMOS_DATA);
	pio_write_8(CMOS_INDEX, 0x00); /* seconds */
	uint8_t sec = pio_read_8(CMOS_DATA);
	if (!(b & 0x04)) /* BCD */
		sec = (uint8_t) ((sec >> 4) * 10 + (sec & 15));
	return sec < 60 ? 0 : 3;
}

/* "child:io-deny HOW": uses a port it was not granted; must not return.
 * HOW: "none" reads the scratch register without enabling anything;
 * "try" first tries to enable each of its handles 0..7 (it was given no
 * range: each must be refused), then reads the scratch register;
 * "next" enables handle 1 (the scratch register) and reads 0x3fe;
 * "out" enables handle 1 and writes port 0x80; "wide" enables handle 1
 * and reads a word at 0x3ff (its second byte is 0x400). */
static int child_io_deny(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "try") == 0) {
		/* given nothing: no handle of ours is an I/O range */
		for (cap_handle_t h = 0; h < 8; h++) {
			if (ioport_enable(h) == EOK)
				return 7;
		}
	}
	if (strcmp(argv[1], "none") == 0 || strcmp(argv[1], "try") == 0)
		return pio_read_8(SCRATCH_PORT) == 0x77 ? 3 : 4;
	if (ioport_enable(1) != EOK)
		return 5;
	(void) pio_read_8(SCRATCH_PORT); /* granted: fine */
	if (strcmp(argv[1], "next") == 0)
		return pio_read_8(SCRATCH_PORT - 1) == 0x77 ? 3 : 4;
	if (strcmp(argv[1], "out") == 0)
		pio_write_8(0x80, 0x42);
	else if (strcmp(argv[1], "wide") == 0)
		(void) pio_read_16(SCRATCH_PORT);
	return 6;
}

/* "child:io-loop N": enables handle 1, then N times reads and writes the
 * scratch register and yields (other tasks run in between). */
static int child_io_loop(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 0) : 100;
	if (ioport_enable(1) != EOK)
		return 2;
	for (unsigned i = 0; i < n; i++) {
		pio_write_8(SCRATCH_PORT, (uint8_t) i);
		if (pio_read_8(SCRATCH_PORT) != (uint8_t) i)
			return 3;
		thread_yield();
	}
	return 0;
}

int child_ioport_main(int argc, char **argv, bool *found)
{
	*found = true;
	if (strcmp(argv[0], "child:io-use") == 0)
		return child_io_use(argc, argv);
	if (strcmp(argv[0], "child:io-deny") == 0)
		return child_io_deny(argc, argv);
	if (strcmp(argv[0], "child:io-loop") == 0)
		return child_io_loop(argc, argv);
	*found = false;
	return 0;
}

static errno_t io_child(
    const char *args, const cap_handle_t *caps, size_t n, task_exit_info_t *info)
{
	task_id_t id;
	errno_t rc = task_spawn_caps(TESTER_MODULE, args, caps, n, &id);
	return rc != EOK ? rc : task_wait(id, info);
}

UTEST(ioport_granted_use)
{
	const cap_handle_t caps[] = { TESTER_CAP_IO_SCRATCH, TESTER_CAP_IO_CMOS };
	task_exit_info_t info;
	UT_ASSERT_OK(io_child("child:io-use", caps, 2, &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("%s", info.message);
	UT_CHECK_EQ(info.status, 0);
}

/* The child must die on port @a port with the report naming it. */
static void io_expect_killed(
    const char *how, const cap_handle_t *caps, size_t n, unsigned port, const char *dir)
{
	char args[48], want[32];
	task_exit_info_t info;
	snprintf(args, sizeof(args), "child:io-deny %s", how);
	UT_ASSERT_OK(io_child(args, caps, n, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK_EQ(info.fault_addr, port);
	snprintf(want, sizeof(want), "I/O port %#x not granted: %s", port, dir);
	if (!UT_CHECK(strncmp(info.message, want, strlen(want)) == 0))
		utest_note("%s: \"%s\"", how, info.message);
}

UTEST(ioport_denied_killed)
{
	const cap_handle_t scratch[] = { TESTER_CAP_IO_SCRATCH };
	io_expect_killed("none", NULL, 0, SCRATCH_PORT, "in (1 byte)");
	/* (a range held but not enabled gives no port either) */
	io_expect_killed("none", scratch, 1, SCRATCH_PORT, "in (1 byte)");
	io_expect_killed("next", scratch, 1, SCRATCH_PORT - 1, "in (1 byte)");
	io_expect_killed("out", scratch, 1, 0x80, "out (1 byte)");
	io_expect_killed("wide", scratch, 1, SCRATCH_PORT, "in (2 bytes)");
}

UTEST(ioport_enable_not_held)
{
	cap_handle_t part;
	UT_CHECK_ERR(ioport_enable(TESTER_CAP_IRQ), ENOENT); /* not an I/O range */
	UT_CHECK_ERR(ioport_enable(TESTER_CAP_PHYS), ENOENT);
	UT_CHECK_ERR(ioport_enable(IPC_PHONE_NS), ENOENT);
	UT_CHECK_ERR(ioport_enable(CAP_NIL), ENOENT);
	UT_CHECK_ERR(ioport_enable(200), ENOENT);
	UT_CHECK_ERR(
	    (errno_t) syscall1(SYS_IOPORT_ENABLE, 1ULL << 32 | TESTER_CAP_IO_CMOS), ENOENT);
	UT_ASSERT_OK(cap_derive(TESTER_CAP_IO_CMOS, 0x70, 1, &part));
	UT_ASSERT_OK(cap_drop(part));
	UT_CHECK_ERR(ioport_enable(part), ENOENT, ESTALE);
	/* A child given no range cannot enable one of ours by number: every
	 * enable is refused, and it dies on the port. */
	io_expect_killed("try", NULL, 0, SCRATCH_PORT, "in (1 byte)");
}

UTEST(ioport_switch_with_task)
{
	/* A task with the port keeps it across many switches while a task
	 * without it, running in between, is refused the same port. */
	const cap_handle_t scratch[] = { TESTER_CAP_IO_SCRATCH };
	task_id_t user;
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn_caps(TESTER_MODULE, "child:io-loop 2000", scratch, 1, &user));
	for (int i = 0; i < 3; i++) {
		io_expect_killed("none", NULL, 0, SCRATCH_PORT, "in (1 byte)");
		thread_yield();
	}
	UT_ASSERT_OK(task_wait(user, &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("%s", info.message);
	UT_CHECK_EQ(info.status, 0);
}
