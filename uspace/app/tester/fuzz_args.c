/*
 * The fuzzer's arguments: random values biased to the edges a kernel gets
 * wrong (0, -1, small numbers, page boundaries, kernel and non-canonical
 * addresses, unmapped and read-only memory, huge sizes, stale and random
 * handles), and typed values that pass the first checks so that the
 * deeper paths run too.
 *
 * What the random calls must never do is decided here too (the "safe"
 * functions): hand a phone to ns or to the anon pager to a call (a junk
 * connect without a timeout would sit in ns for good), sleep for long,
 * make a wired area large enough to take the machine's free memory for a
 * moment (the rest of the system would see ENOMEM), or unmap and protect
 * the worker's own memory below the fuzz window (it would only kill
 * itself, over and over).
 */
#include "fuzz_priv.h"
#include "tester.h"
#include <string.h>

#define FZ_WIRED_MAX (16 * PAGE_SIZE) /* larger wired areas only if refused */
#define FZ_VSIZE_LIMIT (16ULL << 30) /* the kernel's default: beyond is ELIMIT */
#define FZ_SLEEP_MAX_US 2000
#define FZ_TIMEOUT_MAX_US 2000

static const uint64_t fz_edges[] = {
	0,
	1,
	2,
	3,
	7,
	8,
	15,
	16,
	63,
	64,
	255,
	256,
	1023,
	1024,
	PAGE_SIZE - 1,
	PAGE_SIZE,
	PAGE_SIZE + 1,
	2 * PAGE_SIZE,
	0x10000,
	0x7fffffffULL,
	0x80000000ULL,
	0xffffffffULL,
	0x100000000ULL,
	0x7fffffffffffffffULL,
	0x8000000000000000ULL,
	~0ULL,
	~0ULL - 1,
	~0ULL - PAGE_SIZE + 1,
	ADDR_KERNEL,
	ADDR_KERNEL + 0x40,
	0xffffffff80000000ULL,
	0xffffffff80100000ULL,
	AS_USER_TOP,
	AS_USER_TOP - 8,
	AS_USER_TOP - PAGE_SIZE,
	0x0000800000000000ULL,
	AS_USER_FLOOR,
	AS_USER_FLOOR - 1,
	AS_USER_FLOOR - PAGE_SIZE,
	ADDR_UNMAPPED,
	ADDR_UNMAPPED + 0x123,
	FUZZ_WINDOW,
	FUZZ_WINDOW + FUZZ_WINDOW_SIZE - PAGE_SIZE,
	1ULL << 40,
	1ULL << 47,
};
#define FZ_EDGES (sizeof(fz_edges) / sizeof(fz_edges[0]))

uint64_t fz_rand(fz_thread_t *t)
{
	return prng_next(&t->rng);
}

uint64_t fz_below(fz_thread_t *t, uint64_t n)
{
	return n ? prng_below(&t->rng, n) : prng_next(&t->rng);
}

bool fz_pct(fz_thread_t *t, unsigned percent)
{
	return fz_below(t, 100) < percent;
}

void fz_pool_put(fz_thread_t *t, fz_pool_t *p, uint64_t v)
{
	/* Areas only from the window: an unmap from an area below it could
	 * reach the worker's own memory above. */
	if (p == &t->w->areas && (v < FUZZ_WINDOW || v >= FUZZ_WINDOW + FUZZ_WINDOW_SIZE))
		return;
	unsigned n = __atomic_load_n(&p->n, __ATOMIC_RELAXED);
	unsigned i = n < FZ_POOL_SIZE ? n : (unsigned) fz_below(t, FZ_POOL_SIZE);
	__atomic_store_n(&p->v[i], v, __ATOMIC_RELAXED);
	if (n < FZ_POOL_SIZE)
		__atomic_store_n(&p->n, n + 1, __ATOMIC_RELEASE);
}

uint64_t fz_pool_get(fz_thread_t *t, const fz_pool_t *p, uint64_t none)
{
	unsigned n = __atomic_load_n(&p->n, __ATOMIC_ACQUIRE);
	if (n == 0)
		return none;
	return __atomic_load_n(&p->v[fz_below(t, n)], __ATOMIC_RELAXED);
}

bool fz_pool_put_free(fz_pool_t *p, uint64_t v, uint64_t none)
{
	for (unsigned i = 0; i < FZ_POOL_SIZE; i++) {
		uint64_t old = none;
		if (__atomic_compare_exchange_n(
		        &p->v[i], &old, v, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			unsigned n = __atomic_load_n(&p->n, __ATOMIC_RELAXED);
			while (n <= i &&
			    !__atomic_compare_exchange_n(
			        &p->n, &n, i + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
				;
			return true;
		}
	}
	return false;
}

uint64_t fz_pool_take(fz_thread_t *t, fz_pool_t *p, uint64_t none)
{
	unsigned n = __atomic_load_n(&p->n, __ATOMIC_ACQUIRE);
	if (n == 0)
		return none;
	return __atomic_exchange_n(&p->v[fz_below(t, n)], none, __ATOMIC_ACQ_REL);
}

static bool fz_pool_has(const fz_pool_t *p, uint64_t v)
{
	unsigned n = __atomic_load_n(&p->n, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++) {
		if (__atomic_load_n(&p->v[i], __ATOMIC_RELAXED) == v)
			return true;
	}
	return false;
}

/* Somewhere in the thread's scratch memory, @a align aligned, with room
 * for @a size bytes (at the very end if @a size is larger). */
static uintptr_t fz_scratch(fz_thread_t *t, size_t size, size_t align)
{
	size_t room = size < FZ_SCRATCH_SIZE ? FZ_SCRATCH_SIZE - size : 0;
	size_t off = (size_t) fz_below(t, room + 1) & ~(align - 1);
	return (uintptr_t) t->scratch + off;
}

/* An address of an area the worker made, a page of the fuzz window, or
 * (rarely) anything. */
static uint64_t fz_area_addr(fz_thread_t *t)
{
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < 60)
		return fz_pool_get(t, &t->w->areas, FUZZ_WINDOW) +
		    (fz_pct(t, 20) ? fz_below(t, 4) * PAGE_SIZE : 0);
	if (r < 90)
		return FUZZ_WINDOW + fz_below(t, 4096) * PAGE_SIZE;
	return fz_edges[fz_below(t, FZ_EDGES)];
}

uint64_t fz_word(fz_thread_t *t)
{
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < 40)
		return fz_edges[fz_below(t, FZ_EDGES)];
	if (r < 55)
		return fz_below(t, 65);
	if (r < 70)
		return fz_rand(t);
	if (r < 80)
		return fz_scratch(t, 8, 1);
	if (r < 90)
		return fz_area_addr(t);
	if (r < 95)
		return (uintptr_t) child_ro_target + fz_below(t, 64);
	return (uint64_t) - (int64_t) fz_below(t, 17);
}

uintptr_t fz_out(fz_thread_t *t, size_t size)
{
	if (fz_pct(t, 80))
		return fz_scratch(t, size, 8);
	return fz_word(t);
}

size_t fz_size(fz_thread_t *t)
{
	if (fz_pct(t, 70))
		return (1 + fz_below(t, 16)) * PAGE_SIZE;
	return fz_word(t);
}

/* A size for a wired area: small, or refused before any frame is taken. */
size_t fz_wsize_safe(size_t s)
{
	if (s > FZ_WIRED_MAX && s <= FZ_VSIZE_LIMIT + FZ_WIRED_MAX)
		return s % FZ_WIRED_MAX;
	return s;
}

size_t fz_wsize(fz_thread_t *t)
{
	return fz_wsize_safe(fz_size(t));
}

/* Whether [a, a + size) may be unmapped, protected or destroyed: an area
 * the worker made, anything at or above the fuzz window, or a range the
 * kernel refuses anyway; otherwise the address is moved into the window. */
uint64_t fz_addr_safe(fz_thread_t *t, uint64_t a)
{
	if (a >= FUZZ_WINDOW || a < AS_USER_FLOOR || fz_pool_has(&t->w->areas, a))
		return a;
	return FUZZ_WINDOW + (a % FUZZ_WINDOW_SIZE);
}

uint64_t fz_addr(fz_thread_t *t)
{
	return fz_addr_safe(t, fz_area_addr(t));
}

unsigned fz_aflags(fz_thread_t *t)
{
	unsigned f = (unsigned) fz_below(t, 16) & AS_AREA_RIGHTS;
	if (fz_pct(t, 70))
		f = (f & ~(AS_AREA_EXEC | AS_AREA_UNCACHED)) | AS_AREA_READ;
	if (fz_pct(t, 50))
		f |= AS_AREA_FIXED;
	if (fz_pct(t, 5))
		f |= 1u << fz_below(t, 32);
	return f;
}

/* Never a phone to ns or to the anon pager. */
cap_handle_t fz_phone_safe(fz_thread_t *t, uint64_t h)
{
	for (unsigned i = 0; i < t->w->nprotect; i++) {
		if ((cap_handle_t) h == t->w->protect[i])
			return CAP_NIL;
	}
	return (cap_handle_t) h;
}

/* A handle: one of the pool @a p, a stale one, or any number. */
static uint64_t fz_handle(fz_thread_t *t, const fz_pool_t *p)
{
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < 60)
		return fz_pool_get(t, p, CAP_NIL);
	if (r < 75)
		return fz_pool_get(t, &t->w->stale, 0);
	if (r < 90)
		return fz_below(t, CAP_MAX + 2);
	return fz_word(t);
}

cap_handle_t fz_phone(fz_thread_t *t)
{
	return fz_phone_safe(t, fz_handle(t, &t->w->phones));
}

cap_handle_t fz_call_handle(fz_thread_t *t)
{
	return (cap_handle_t) fz_handle(t, &t->w->calls);
}

uint64_t fz_usec_safe(uint64_t us)
{
	return us > FZ_SLEEP_MAX_US && us <= 3600ULL * 1000000 ? us % FZ_SLEEP_MAX_US : us;
}

/* A timeout a random word gave: long ones (for ever, to a wait) only
 * rarely, or the thread sits there until the worker ends. */
uint64_t fz_timeout_safe(fz_thread_t *t, uint64_t us)
{
	return us > FZ_TIMEOUT_MAX_US && fz_pct(t, 95) ? us % FZ_TIMEOUT_MAX_US : us;
}

/* A wait's timeout: short (any timeout sleeps until the next tick, so
 * most waits do not block at all: fz_wait_flags); rarely 0 (for ever: an
 * event or the worker's end comes) or huge. */
uint64_t fz_timeout(fz_thread_t *t)
{
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < 98)
		return 1 + fz_below(t, FZ_TIMEOUT_MAX_US);
	if (r < 99)
		return 0;
	return fz_word(t);
}

/* Wait flags: mostly IPC_WAIT_NONBLOCK (a wait that blocks costs a timer
 * tick), sometimes a cookie wait, rarely junk. */
uint64_t fz_wait_flags(fz_thread_t *t)
{
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < 75)
		return IPC_WAIT_NONBLOCK | (fz_pct(t, 10) ? IPC_WAIT_FOR_COOKIE : 0);
	if (r < 90)
		return 0;
	if (r < 97)
		return IPC_WAIT_FOR_COOKIE;
	return fz_word(t);
}

uint64_t fz_cookie(fz_thread_t *t)
{
	if (fz_pct(t, 30))
		return fz_pool_get(t, &t->w->cookies, 0);
	uint64_t c = fz_pct(t, 90) ? fz_below(t, 1u << 20) : fz_word(t);
	fz_pool_put(t, &t->w->cookies, c);
	return c;
}

errno_t fz_errno(fz_thread_t *t)
{
	if (fz_pct(t, 50))
		return EOK;
	if (fz_pct(t, 90))
		return (errno_t) fz_below(t, ERRNO_COUNT);
	return (errno_t) fz_word(t);
}

/* An area to share: one of our anon areas (a pager area, which can be
 * shared) half the time. */
uint64_t fz_share_base(fz_thread_t *t)
{
	fz_worker_t *w = t->w;
	if (w->nanon > 0 && fz_pct(t, 50))
		return w->anon_areas[fz_below(t, w->nanon)];
	return fz_area_addr(t);
}

/* Rights to offer or want for a share: mostly ones an RW area has. */
static uint64_t fz_share_rights(fz_thread_t *t)
{
	static const uint64_t r[] = { AS_AREA_READ, AS_AREA_READ | AS_AREA_WRITE };
	return fz_pct(t, 80) ? r[fz_below(t, 2)] : fz_aflags(t) & AS_AREA_RIGHTS;
}

/* System methods with arguments that get past the send-time checks. */
static void fz_msg_system(fz_thread_t *t, ipc_msg_t *m)
{
	static const uint64_t methods[] = { IPC_M_CONNECT_ME_TO, IPC_M_CONNECT_TO_ME,
		IPC_M_DATA_WRITE, IPC_M_DATA_READ, IPC_M_SHARE_OUT, IPC_M_SHARE_IN,
		IPC_M_CAP_GIVE };
	m->method = methods[fz_below(t, sizeof(methods) / sizeof(methods[0]))];
	size_t n = fz_pct(t, 80) ? fz_below(t, 2 * PAGE_SIZE) : fz_word(t);
	switch (m->method) {
	case IPC_M_DATA_WRITE:
	case IPC_M_DATA_READ:
		m->arg[0] = fz_pct(t, 85) ? fz_scratch(t, n, 1) : fz_word(t);
		m->arg[1] = n;
		break;
	case IPC_M_SHARE_OUT:
		m->arg[0] = fz_share_base(t);
		m->arg[1] = fz_share_rights(t);
		break;
	case IPC_M_SHARE_IN:
		m->arg[0] = fz_size(t);
		m->arg[1] = fz_share_rights(t);
		m->arg[2] = fz_pct(t, 10) ? 0 : FUZZ_WINDOW + fz_below(t, 4096) * PAGE_SIZE;
		break;
	case IPC_M_CAP_GIVE:
		/* the range the worker was given (handle 1), or any handle */
		m->arg[0] = fz_pct(t, 70) ? 1 : (uint64_t) (int64_t) fz_phone(t);
		break;
	default:
		break;
	}
}

void fz_msg(fz_thread_t *t, ipc_msg_t *m)
{
	for (int i = 0; i < IPC_ARG_COUNT; i++)
		m->arg[i] = fz_pct(t, 50) ? fz_below(t, 256) : fz_word(t);
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < 45)
		m->method = IPC_M_FIRST_USER + fz_below(t, 64);
	else if (r < 90)
		fz_msg_system(t, m);
	else
		m->method = fz_word(t);
}

uintptr_t fz_msg_ptr(fz_thread_t *t)
{
	if (fz_pct(t, 8))
		return fz_word(t);
	ipc_msg_t *m = (ipc_msg_t *) fz_scratch(t, sizeof(ipc_msg_t), 8);
	fz_msg(t, m);
	return (uintptr_t) m;
}
