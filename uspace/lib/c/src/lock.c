/*
 * Yielding lock: an atomic exchange takes it; a thread that finds it held
 * spins a little (another CPU may release it soon) and then yields the CPU
 * (on one CPU the holder can only run if we give way).
 */
#include <lock.h>
#include <thread.h>

#define LOCK_SPINS 64

bool lock_try_acquire(lock_t *lock)
{
	return __atomic_exchange_n(&lock->held, 1, __ATOMIC_ACQUIRE) == 0;
}

void lock_acquire(lock_t *lock)
{
	for (unsigned n = 0; !lock_try_acquire(lock); n++) {
		if (n < LOCK_SPINS)
			__builtin_ia32_pause();
		else
			thread_yield();
	}
}

void lock_release(lock_t *lock)
{
	__atomic_store_n(&lock->held, 0, __ATOMIC_RELEASE);
}
