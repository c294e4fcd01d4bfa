/*
 * Futexes (SYS_FUTEX_WAIT/WAKE, sys.h) and the lock built on them
 * (lock.h): the errors, a sleeper woken, a timeout, and a lock shared by
 * threads that sleep while another holds it for a long time.
 */
#include "tester.h"
#include <lock.h>
#include <sys.h>
#include <thread.h>
#include <utest.h>

static volatile uint32_t fx_word;

UTEST(futex_errors)
{
	UT_CHECK_ERR(futex_wait(&fx_word, fx_word + 1, 0), EAGAIN); /* another value */
	UT_CHECK_ERR(
	    futex_wait((const volatile uint32_t *) ((uintptr_t) &fx_word + 1), 0, 0), EINVAL);
	UT_CHECK_ERR(futex_wait((const volatile uint32_t *) ADDR_UNMAPPED, 0, 0), EFAULT);
	UT_CHECK_ERR(futex_wait((const volatile uint32_t *) ADDR_KERNEL, 0, 0), EFAULT, EINVAL);
	UT_CHECK_ERR(futex_wake((const volatile uint32_t *) ((uintptr_t) &fx_word + 2), 1), EINVAL);
	UT_CHECK_OK(futex_wake(&fx_word, 5)); /* nobody sleeps: nothing */
	uint64_t t0 = uptime_ns_now();
	UT_CHECK_ERR(futex_wait(&fx_word, fx_word, 20000), ETIMEOUT);
	UT_CHECK(uptime_ns_now() - t0 >= 15000000ull);
}

typedef struct fx_sleeper {
	volatile uint32_t word;
	volatile int state; /* 1 about to sleep, 2 woken */
	errno_t rc;
} fx_sleeper_t;

static int fx_sleep(void *arg)
{
	fx_sleeper_t *s = arg;
	s->state = 1;
	do
		s->rc = futex_wait(&s->word, 0, 5000000);
	while (s->rc == EAGAIN && s->word == 0);
	s->state = 2;
	return 0;
}

/* A thread sleeps on a word; a store and a wake end its sleep. */
UTEST(futex_wake_sleeper)
{
	fx_sleeper_t s = { 0 };
	tid_t tid;
	UT_ASSERT_OK(thread_create(fx_sleep, &s, &tid));
	while (s.state == 0)
		thread_yield();
	thread_sleep_us(20000); /* asleep in the kernel by now */
	UT_CHECK_EQ(s.state, 1);
	s.word = 1;
	UT_CHECK_OK(futex_wake(&s.word, 1));
	UT_CHECK_OK(thread_join(tid, NULL));
	UT_CHECK_EQ(s.state, 2);
	UT_CHECK(s.rc == EOK || s.rc == EAGAIN);
}

#define FX_THREADS 4
#define FX_ROUNDS 2000

/* One lock of either kind, and the count the threads increment under it
 * (lock_threads and ticket_lock_threads run the same workers on each). */
typedef struct fx_shared {
	bool ticket;
	lock_t plain;
	ticket_lock_t fair;
	volatile uint64_t count;
} fx_shared_t;

static void fx_acquire(fx_shared_t *s)
{
	if (s->ticket)
		ticket_lock_acquire(&s->fair);
	else
		lock_acquire(&s->plain);
}

static void fx_release(fx_shared_t *s)
{
	if (s->ticket)
		ticket_lock_release(&s->fair);
	else
		lock_release(&s->plain);
}

static bool fx_try_acquire(fx_shared_t *s)
{
	return s->ticket ? ticket_lock_try_acquire(&s->fair) : lock_try_acquire(&s->plain);
}

static int fx_worker(void *arg)
{
	fx_shared_t *s = arg;
	for (unsigned i = 0; i < FX_ROUNDS; i++) {
		fx_acquire(s);
		uint64_t v = s->count;
		if (i % 500 == 0)
			thread_sleep_us(2000); /* hold it a while: the others sleep */
		s->count = v + 1;
		fx_release(s);
	}
	return 0;
}

/* FX_THREADS threads share @a s's lock, one holding it across sleeps now
 * and then: no increment is lost, every thread ends, and try-acquire
 * succeeds only when the lock is free. */
static void fx_threads_run(fx_shared_t *s)
{
	tid_t tid[FX_THREADS];
	for (unsigned i = 0; i < FX_THREADS; i++)
		UT_ASSERT_OK(thread_create(fx_worker, s, &tid[i]));
	for (unsigned i = 0; i < FX_THREADS; i++)
		UT_CHECK_OK(thread_join(tid[i], NULL));
	UT_CHECK_EQ(s->count, (uint64_t) FX_THREADS * FX_ROUNDS);
	UT_CHECK(fx_try_acquire(s));
	UT_CHECK(!fx_try_acquire(s));
	fx_release(s);
}

UTEST(lock_threads)
{
	static fx_shared_t s = { .ticket = false, .plain = LOCK_INITIALIZER };
	s.count = 0;
	fx_threads_run(&s);
}

UTEST(ticket_lock_threads)
{
	static fx_shared_t s = { .ticket = true, .fair = TICKET_LOCK_INITIALIZER };
	s.count = 0;
	fx_threads_run(&s);
}

#define FX_FIFO_THREADS 3

static ticket_lock_t fx_fifo = TICKET_LOCK_INITIALIZER;
static unsigned fx_fifo_order[FX_FIFO_THREADS], fx_fifo_n;

static int fx_fifo_worker(void *arg)
{
	ticket_lock_acquire(&fx_fifo);
	fx_fifo_order[fx_fifo_n++] = (unsigned) (uintptr_t) arg;
	ticket_lock_release(&fx_fifo);
	return 0;
}

/* First come, first served: threads that ask for the held lock one after
 * the other (each started once the one before has its ticket) get it in
 * that order when it is released, whichever the scheduler runs first. */
UTEST(ticket_lock_fifo)
{
	tid_t tid[FX_FIFO_THREADS];
	fx_fifo_n = 0;
	ticket_lock_acquire(&fx_fifo);
	for (unsigned i = 0; i < FX_FIFO_THREADS; i++) {
		UT_ASSERT_OK(thread_create(fx_fifo_worker, (void *) (uintptr_t) i, &tid[i]));
		for (int w = 0;
		     w < 1000 && __atomic_load_n(&fx_fifo.next, __ATOMIC_ACQUIRE) != i + 2; w++)
			thread_sleep_us(1000); /* until it has taken its ticket */
		UT_ASSERT_EQ(__atomic_load_n(&fx_fifo.next, __ATOMIC_ACQUIRE), i + 2);
	}
	ticket_lock_release(&fx_fifo);
	for (unsigned i = 0; i < FX_FIFO_THREADS; i++)
		UT_CHECK_OK(thread_join(tid[i], NULL));
	UT_ASSERT_EQ(fx_fifo_n, FX_FIFO_THREADS);
	for (unsigned i = 0; i < FX_FIFO_THREADS; i++)
		UT_CHECK_EQ(fx_fifo_order[i], i);
}
