/*
 * Lock annotations for clang's -Wthread-safety analysis.
 *
 * mutex_t and spinlock_t are capabilities (locks); the functions that
 * take and release them say so, and a function or variable says which
 * lock it needs.  The `lockcheck` suite of tools/test.sh compiles every
 * kernel C file with clang -Wthread-safety -Werror (syntax and analysis
 * only; GCC builds the kernel), so a call to a REQUIRES function without
 * its lock, a GUARDED_BY variable touched without its lock, a lock taken
 * twice or one left held at the end of a function fails the run.  Under
 * GCC every macro expands to nothing.
 *
 * What fits the analysis: a lock that is an expression the caller can
 * name (a global, `as->lock`, `task->lock`), taken and released in the same
 * function, or handed in by a caller that holds it (REQUIRES).  Where the
 * caller locked the same mutex through another expression (`op->as->lock`
 * after `mutex_lock(&as->lock)`) or a callback runs under its caller's
 * lock, mutex_assert_held() both checks at run time and tells the
 * analysis.  A function that returns with its caller's lock released says
 * RELEASE on its declaration.  Not annotated yet: the declaration of
 * pager_page_fault in mm/pager.h (its definition says RELEASE; as_page_fault
 * is marked NO_THREAD_SAFETY_ANALYSIS with the reason); and the bodies of
 * the lock primitives are not analysed.
 *
 * Limits of clang 14 in C: GUARDED_BY works on global variables only (a
 * struct member cannot name its sibling lock: C has no late-parsed
 * attributes), so the fields of kernel objects keep their "protected by"
 * comments; and it checks direct reads and writes, not accesses through a
 * pointer (list functions given `&list`).  irq_spinlock_t is not a lock of
 * its own for the analysis: irq_spinlock_lock(l) acquires l->lock, so code
 * that takes l->lock directly with interrupts off names the same lock.
 * `assert(mutex_locked_by_me(...))` stays the run-time check at the entry
 * of every *_locked function.
 */
#ifndef KERN_SYNCH_LOCKCHECK_H_
#define KERN_SYNCH_LOCKCHECK_H_

#if defined(__clang__)
#define LOCKCHECK_ATTR(x) __attribute__((x))
#else
#define LOCKCHECK_ATTR(x)
#endif

/* A type whose objects are locks. */
#define CAPABILITY(name) LOCKCHECK_ATTR(capability(name))
/* The field may be read or written only with lock @a x held. */
#define GUARDED_BY(x) LOCKCHECK_ATTR(guarded_by(x))
/* The object the pointer field points at is protected by @a x. */
#define PT_GUARDED_BY(x) LOCKCHECK_ATTR(pt_guarded_by(x))
/* Lock order: this lock is taken before / after the named ones. */
#define ACQUIRED_BEFORE(...) LOCKCHECK_ATTR(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) LOCKCHECK_ATTR(acquired_after(__VA_ARGS__))
/* The caller must hold / must not hold the lock(s). */
#define REQUIRES(...) LOCKCHECK_ATTR(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) LOCKCHECK_ATTR(locks_excluded(__VA_ARGS__))
/* The function takes / releases the lock(s) (the argument when none named). */
#define ACQUIRE(...) LOCKCHECK_ATTR(acquire_capability(__VA_ARGS__))
#define RELEASE(...) LOCKCHECK_ATTR(release_capability(__VA_ARGS__))
/* The function takes the lock iff it returns @a ret. */
#define TRY_ACQUIRE(...) LOCKCHECK_ATTR(try_acquire_capability(__VA_ARGS__))
/* The function returns only if the lock is held (an assertion). */
#define ASSERT_CAPABILITY(x) LOCKCHECK_ATTR(assert_capability(x))
/* The function returns a reference to the lock (a getter). */
#define RETURN_CAPABILITY(x) LOCKCHECK_ATTR(lock_returned(x))
/* Not analysed: say why next to it. */
#define NO_THREAD_SAFETY_ANALYSIS LOCKCHECK_ATTR(no_thread_safety_analysis)

#endif
