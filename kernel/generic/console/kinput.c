/*
 * Console input (console/kinput.h).
 *
 * Lock: kinput_lock (an IRQ spinlock: the interrupt handler pushes)
 * protects the ring, its indices and the counts.  The ring has one
 * consumer at a time: SYS_KCONSOLE_READ peeks, copies out and consumes
 * under kinput_read_lock (a mutex), so bytes a failed copy could not
 * deliver stay for the next read.
 */
#include <cap/cap.h>
#include <console/kinput.h>
#include <ddi/irq.h>
#include <mm/uaccess.h>
#include <synch/mutex.h>
#include <synch/spinlock.h>

static irq_spinlock_t kinput_lock = IRQ_SPINLOCK_INITIALIZER("kinput");
static uint8_t kinput_ring[KINPUT_RING];
static size_t kinput_head, kinput_len; /* oldest byte; bytes queued */
static uint64_t kinput_received, kinput_dropped;
static unsigned kinput_line = ~0u; /* none yet */
static mutex_t kinput_read_lock;

void kinput_set_line(unsigned line)
{
	mutex_initialize(&kinput_read_lock, "kinput-read");
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

size_t kinput_peek(uint8_t *buf, size_t size)
{
	irq_spinlock_lock(&kinput_lock);
	size_t n = size < kinput_len ? size : kinput_len;
	for (size_t i = 0; i < n; i++)
		buf[i] = kinput_ring[(kinput_head + i) % KINPUT_RING];
	irq_spinlock_unlock(&kinput_lock);
	return n;
}

void kinput_consume(size_t n)
{
	irq_spinlock_lock(&kinput_lock);
	if (n > kinput_len)
		n = kinput_len;
	kinput_head = (kinput_head + n) % KINPUT_RING;
	kinput_len -= n;
	irq_spinlock_unlock(&kinput_lock);
}

errno_t kinput_read_user(uintptr_t buf, size_t size, size_t *count)
{
	uint8_t chunk[256];
	size_t done = 0;
	errno_t rc = EOK;
	mutex_lock(&kinput_read_lock);
	while (done < size) {
		size_t want = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
		size_t n = kinput_peek(chunk, want);
		if (n == 0)
			break;
		rc = copy_to_uspace(uspace_ptr(buf + done), chunk, n);
		if (rc != EOK)
			break; /* the bytes stay */
		kinput_consume(n);
		done += n;
	}
	mutex_unlock(&kinput_read_lock);
	*count = done;
	return done > 0 ? EOK : rc;
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
