/*
 * Console input: reading what is typed on the serial line, through the
 * console server (uspace/srv/console, registered with ns as "console";
 * docs/drivers.md "Console input").
 *
 * The protocol: IPC_M_DATA_READ with arg[0] the destination, arg[1] its
 * size, arg[2] the mode (CONSOLE_MODE_LINE: the next line, edited and
 * echoed, or the next piece of a line longer than the buffer; the piece
 * that ends a line ends with '\n'; CONSOLE_MODE_RAW: the bytes waiting,
 * at least one, as typed, no echo), arg[3] a timeout in milliseconds (0:
 * wait as long as it takes; ETIMEOUT).  The answer's arg[1] is the byte
 * count.  CONSOLE_INTR_WAIT with arg[0] a timeout in milliseconds (0:
 * none) is answered EOK when Ctrl-C (0x03) is typed, the byte taken out
 * of the input (one typed before the wait and not yet read counts too),
 * or ETIMEOUT; without such a waiter Ctrl-C is input like any other byte
 * (a shell waits so while a program runs).  CONSOLE_STATS answers
 * arg[0] = bytes the server has taken from
 * the kernel so far, arg[1] = readers waiting.
 */
#ifndef LIBC_CONSOLE_H_
#define LIBC_CONSOLE_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_NAME "console"
#define CONSOLE_MODE_LINE 0
#define CONSOLE_MODE_RAW 1
#define CONSOLE_STATS (IPC_M_FIRST_USER + 1)
#define CONSOLE_INTR_WAIT (IPC_M_FIRST_USER + 2)

/* Read one line (or the next piece of a longer one) into @a buf of
 * @a size bytes: at most size - 1 bytes and a NUL; *len (may be NULL)
 * gets the bytes read.  The piece that ends a line ends with '\n'. */
errno_t console_read_line(char *buf, size_t size, size_t *len);
/* Read the bytes waiting (at least one), as typed: *len gets how many. */
errno_t console_read(void *buf, size_t size, size_t *len);
/* Either, with a timeout in milliseconds (0: none; ETIMEOUT). */
errno_t console_read_mode(void *buf, size_t size, unsigned mode, uint64_t timeout_ms, size_t *len);
/* Wait for a Ctrl-C (CONSOLE_INTR_WAIT): EOK, or ETIMEOUT after
 * @a timeout_ms milliseconds (0: wait as long as it takes). */
errno_t console_intr_wait(uint64_t timeout_ms);
/* The server's counts (CONSOLE_STATS). */
errno_t console_stats(uint64_t *received, uint64_t *waiting);

#endif
