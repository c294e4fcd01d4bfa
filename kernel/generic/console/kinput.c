/*
 * Console input (console/kinput.h).
 *
 * Lock: kinput_lock (an IRQ spinlock: the interrupt handler pushes)
 * protects the ring, its indices and the counts.  SYS_KCONSOLE_READ takes
 * a chunk out under it and copies it to the reader with no lock held (a
 * copy may fault and wait for a pager); bytes a failed copy could not
 * deliver go back to the head of the ring, so nothing is lost to a bad
 * buffer.
 */
#include <cap/cap.h>
#include <console/kinput.h>
#include <ddi/irq.h>
#include <mm/uaccess.h>
#include <synch/spinlock.h>

static irq_spinlock_t kinput_lock = IRQ_SPINLOCK_INITIALIZER("kinput");
static uint8_t kinput_ring[KINPUT_RING];
static size_t kinput_head, kinput_len; /* oldest byte; bytes queued */
static uint64_t kinput_received, kinput_dropped;
static unsigned kinput_line = ~0u; /* none yet */

void kinput_set_line(unsigned line)
{
	kinput_line = line;
	irq_line_set_kernel_serviced(line);
}

void kinput_push(const uint8_t *bytes, size_t n)
{
	irq_spinlock_lock(&kinput_lock);
	for (size_t i = 0; i < n; i++) {
		kinput_received++;
		if (kinput_len == KINPUT_RING) {
			kinput_dropped++;
			continue;
		}
		kinput_ring[(kinput_head + kinput_len++) % KINPUT_RING] = bytes[i];
	}
	irq_spinlock_unlock(&kinput_lock);
}

size_t kinput_take(uint8_t *buf, size_t size)
{
	irq_spinlock_lock(&kinput_lock);
	size_t n = size < kinput_len ? size : kinput_len;
	for (size_t i = 0; i < n; i++)
		buf[i] = kinput_ring[(kinput_head + i) % KINPUT_RING];
	kinput_head = (kinput_head + n) % KINPUT_RING;
	kinput_len -= n;
	irq_spinlock_unlock(&kinput_lock);
	return n;
}

void kinput_unget(const uint8_t *buf, size_t n)
{
	irq_spinlock_lock(&kinput_lock);
	/* Newer bytes that arrived meanwhile may have filled the ring: the
	 * oldest are kept (they go back), the newest dropped and counted. */
	size_t room = KINPUT_RING - kinput_len, back = n < room ? n : room;
	size_t excess = back < n ? n - back : 0;
	kinput_head = (kinput_head + KINPUT_RING - back) % KINPUT_RING;
	for (size_t i = 0; i < back; i++)
		kinput_ring[(kinput_head + i) % KINPUT_RING] = buf[i];
	kinput_len += back;
	kinput_dropped += excess;
	irq_spinlock_unlock(&kinput_lock);
}

errno_t kinput_read_user(uintptr_t buf, size_t size, size_t *count)
{
	uint8_t chunk[KINPUT_READ_MAX];
	size_t n = kinput_take(chunk, size < sizeof(chunk) ? size : sizeof(chunk));
	errno_t rc = copy_to_uspace(uspace_ptr(buf), chunk, n);
	if (rc != EOK) {
		kinput_unget(chunk, n);
		n = 0;
	}
	*count = n;
	return rc;
}

void kinput_stats(uint64_t *received, uint64_t *dropped)
{
	irq_spinlock_lock(&kinput_lock);
	*received = kinput_received;
	*dropped = kinput_dropped;
	irq_spinlock_unlock(&kinput_lock);
}

errno_t kinput_check_sub(struct cap_table *caps, cap_handle_t h)
{
	unsigned line;
	errno_t rc = irq_sub_line(caps, h, &line);
	if (rc != EOK)
		return rc;
	if (kinput_line == ~0u)
		return ENOTSUP;
	return line == kinput_line ? EOK : EPERM;
}
