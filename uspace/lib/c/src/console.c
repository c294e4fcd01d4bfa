/* Console input through the console server (console.h). */
#include <console.h>
#include <ipc.h>
#include <ns.h>
#include <stdbool.h>

static cap_handle_t console_phone = CAP_NIL; /* atomic */

/* The phone to the console server, connected at the first use (two
 * threads racing there may both connect; one phone is kept). */
static errno_t console_phone_get(cap_handle_t *out)
{
	cap_handle_t p = __atomic_load_n(&console_phone, __ATOMIC_ACQUIRE);
	if (p == CAP_NIL) {
		errno_t rc = ns_connect(CONSOLE_NAME, &p);
		if (rc != EOK)
			return rc;
		cap_handle_t expected = CAP_NIL;
		if (!__atomic_compare_exchange_n(
		        &console_phone, &expected, p, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			ipc_hangup(p);
			p = expected;
		}
	}
	*out = p;
	return EOK;
}

errno_t console_read_mode(void *buf, size_t size, unsigned mode, uint64_t timeout_ms, size_t *len)
{
	cap_handle_t phone;
	ipc_msg_t answer;
	errno_t rc = console_phone_get(&phone);
	if (rc != EOK)
		return rc;
	if (size > IPC_DATA_MAX)
		size = IPC_DATA_MAX;
	rc = ipc_request(
	    phone, IPC_M_DATA_READ, (uintptr_t) buf, size, mode, timeout_ms, 0, &answer);
	if (len)
		*len = rc == EOK ? answer.arg[1] : 0;
	return rc;
}

errno_t console_read_line(char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	if (size == 0)
		return EINVAL;
	errno_t rc = size > 1 ? console_read_mode(buf, size - 1, CONSOLE_MODE_LINE, 0, &n) : EOK;
	buf[n] = '\0';
	if (len)
		*len = n;
	return rc;
}

errno_t console_read(void *buf, size_t size, size_t *len)
{
	return console_read_mode(buf, size, CONSOLE_MODE_RAW, 0, len);
}

errno_t console_intr_wait(uint64_t timeout_ms)
{
	cap_handle_t phone;
	ipc_msg_t answer;
	errno_t rc = console_phone_get(&phone);
	if (rc == EOK)
		rc = ipc_request(phone, CONSOLE_INTR_WAIT, timeout_ms, 0, 0, 0, 0, &answer);
	return rc;
}

errno_t console_stats(uint64_t *received, uint64_t *waiting)
{
	cap_handle_t phone;
	ipc_msg_t answer;
	errno_t rc = console_phone_get(&phone);
	if (rc == EOK)
		rc = ipc_request(phone, CONSOLE_STATS, 0, 0, 0, 0, 0, &answer);
	if (rc == EOK) {
		*received = answer.arg[0];
		*waiting = answer.arg[1];
	}
	return rc;
}
