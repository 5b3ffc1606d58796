/* SPDX-License-Identifier: MIT */
/*
 * mm/locking.c - the model's sleeping locks.
 *
 * Both lock types are one 32-bit futex word.  A thread that cannot get
 * a lock spins for a short while (most critical sections of the model
 * are a few hundred instructions) and then sleeps in FUTEX_WAIT.  All
 * transitions of the lock words are __atomic operations with acquire
 * semantics on the way in and release on the way out, so that
 * ThreadSanitizer, which knows nothing about futexes, still sees the
 * happens-before edge between a critical section and the next one.
 *
 * The rw_semaphore prefers writers: once a writer has given up spinning
 * and registered as waiting, new readers queue behind it.  Without that
 * a steady stream of rmap walkers (read side of the anon_vma root lock)
 * could starve fork or munmap (write side) for ever.  The kernel's
 * rwsem behaves the same way, which is also why read-after-read
 * recursion on one thread is a deadlock there and is reported here.
 *
 * Every acquisition and release is recorded on the thread's stack of
 * held locks, and every blocking one is checked against the lock order
 * first, by the model's small lockdep (mm/lockdep.c).
 */
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lockdep.h"

/* rw_semaphore::count */
#define RWSEM_WRITER		0x80000000u
#define RWSEM_READER_MASK	0x7fffffffu
/*
 * rw_semaphore::waiters: the low half counts threads inside the sleeping
 * slow path (anyone who may need a FUTEX_WAKE), the high half counts the
 * writers among them (new readers yield to those).
 */
#define RWSEM_SLEEPER		0x00000001u
#define RWSEM_WRITER_WAITING	0x00010000u

/* spinlock::locked, the classic three-state futex mutex. */
#define SPIN_UNLOCKED	0u
#define SPIN_LOCKED	1u
#define SPIN_CONTENDED	2u

/* Polls of the lock word before going to sleep. */
#define SPIN_TRIES	128

/*
 * Optional timing of rwsem acquisitions, per lock class, for the design
 * lab (root-lock hold and wait times).  Off unless lock_stats_enable().
 */
static bool stats_on;
static struct lock_stats class_stats[LOCK_CLASS_INTERNAL + 1];

static const char RULE_UP_READ_WRITER[] = "up_read of a lock held for write";
static const char RULE_UP_WRITE_READER[] = "up_write of a lock held for read";
static const char RULE_DOWNGRADE[] =
	"downgrade_write of a lock not held for write";

void (*rwsem_sleep_hook)(struct rw_semaphore *sem, bool writer);

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void futex_wait(unsigned int *word, unsigned int val)
{
	/* EAGAIN (the word changed) and EINTR both mean "look again". */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(unsigned int *word, int nr)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, nr, NULL, NULL, 0);
}

/* ---------------------------------------------------------------- */
/* Lock timing (lock_stats)                                           */
/* ---------------------------------------------------------------- */

static unsigned long long stats_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

/* The start of a timed acquisition, or 0 when timing is off. */
static inline unsigned long long stats_begin(void)
{
	if (!__atomic_load_n(&stats_on, __ATOMIC_RELAXED))
		return 0;
	return stats_clock();
}

static void stats_max(unsigned long long *max, unsigned long long v)
{
	unsigned long long cur = __atomic_load_n(max, __ATOMIC_RELAXED);

	while (v > cur && !__atomic_compare_exchange_n(max, &cur, v, true,
						       __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

/*
 * @sem was just pushed on the held stack after an acquisition that
 * began at @t0: count the wait and stamp the entry for the hold time.
 */
static void stats_acquired(const struct rw_semaphore *sem,
			   unsigned long long t0, bool slow)
{
	struct held_lock *h;
	struct lock_stats *st;
	unsigned long long t;

	if (!t0 || sem->lock_class > LOCK_CLASS_INTERNAL)
		return;
	st = &class_stats[sem->lock_class];
	t = stats_clock();
	__atomic_fetch_add(&st->acquired, 1, __ATOMIC_RELAXED);
	if (slow)
		__atomic_fetch_add(&st->contended, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->wait_ns, t - t0, __ATOMIC_RELAXED);
	stats_max(&st->wait_max_ns, t - t0);
	h = lockdep_top();
	if (h && h->lock == sem)
		h->t_acq = t;
}

/* @h is about to be released: count how long it was held. */
static void stats_released(const struct held_lock *h)
{
	struct lock_stats *st;
	unsigned long long d;

	if (!h->t_acq || h->cls > LOCK_CLASS_INTERNAL)
		return;
	st = &class_stats[h->cls];
	d = stats_clock() - h->t_acq;
	__atomic_fetch_add(&st->hold_ns, d, __ATOMIC_RELAXED);
	stats_max(&st->hold_max_ns, d);
}

/**
 * lock_stats_enable() - start or stop timing rwsem acquisitions.
 * @on: true to time every acquisition and hold from now on.
 *
 * Locks taken while timing was off are not counted when released.
 */
void lock_stats_enable(bool on)
{
	__atomic_store_n(&stats_on, on, __ATOMIC_RELAXED);
}

/**
 * lock_stats_get() - the timing figures of one lock class.
 * @cls: the class (LOCK_CLASS_ANON_VMA for the root locks).
 * @out: filled with the figures since the last lock_stats_reset().
 */
void lock_stats_get(enum lock_class cls, struct lock_stats *out)
{
	const struct lock_stats *st;

	memset(out, 0, sizeof(*out));
	if ((unsigned int)cls > LOCK_CLASS_INTERNAL)
		return;
	st = &class_stats[cls];
	out->acquired = __atomic_load_n(&st->acquired, __ATOMIC_RELAXED);
	out->contended = __atomic_load_n(&st->contended, __ATOMIC_RELAXED);
	out->wait_ns = __atomic_load_n(&st->wait_ns, __ATOMIC_RELAXED);
	out->wait_max_ns = __atomic_load_n(&st->wait_max_ns, __ATOMIC_RELAXED);
	out->hold_ns = __atomic_load_n(&st->hold_ns, __ATOMIC_RELAXED);
	out->hold_max_ns = __atomic_load_n(&st->hold_max_ns, __ATOMIC_RELAXED);
}

/**
 * lock_stats_reset() - zero the timing figures of every class.
 */
void lock_stats_reset(void)
{
	unsigned int i;

	for (i = 0; i <= LOCK_CLASS_INTERNAL; i++) {
		struct lock_stats *st = &class_stats[i];

		__atomic_store_n(&st->acquired, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->contended, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->wait_ns, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->wait_max_ns, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->hold_ns, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->hold_max_ns, 0, __ATOMIC_RELAXED);
	}
}

/* ---------------------------------------------------------------- */
/* rw_semaphore                                                       */
/* ---------------------------------------------------------------- */

/**
 * init_rwsem() - set up @sem unlocked.
 * @sem: the semaphore.
 * @cls: its place in the lock order.
 */
void init_rwsem(struct rw_semaphore *sem, enum lock_class cls)
{
	sem->count = 0;
	sem->waiters = 0;
	sem->wake_seq = 0;
	sem->owner = 0;
	sem->lock_class = (unsigned char)cls;
	sem->pad[0] = sem->pad[1] = sem->pad[2] = 0;
}

/*
 * One attempt at taking a read share.  Fails while a writer holds the
 * lock or, as in the kernel's trylock, while a writer is waiting for it.
 */
static bool rwsem_read_try(struct rw_semaphore *sem)
{
	unsigned int c = __atomic_load_n(&sem->count, __ATOMIC_RELAXED);

	for (;;) {
		if (c & RWSEM_WRITER)
			return false;
		if (__atomic_load_n(&sem->waiters, __ATOMIC_RELAXED) >=
		    RWSEM_WRITER_WAITING)
			return false;
		if (__atomic_compare_exchange_n(&sem->count, &c, c + 1, true,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	}
}

static bool rwsem_write_try(struct rw_semaphore *sem)
{
	unsigned int c = 0;

	return __atomic_compare_exchange_n(&sem->count, &c, RWSEM_WRITER, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * Wake every sleeper after a change of the count that may let one of
 * them in.  Sleepers do not wait on the count itself: it can come back
 * to the very value a sleeper sampled (free, taken by a writer, free
 * again) before the sleeper reaches FUTEX_WAIT, and the wake would be
 * lost with nobody left to send another (a hang the stress driver hit
 * on CI).  They wait on wake_seq, which only grows.  The sequentially
 * consistent accesses on both sides (here: count change, waiters load,
 * wake_seq increment; in the sleeper: waiters increment, wake_seq load,
 * count load) make sure that either the waker sees the sleeper and
 * moves wake_seq past the value it sampled, or the sleeper sees the
 * new count.
 */
static void rwsem_wake(struct rw_semaphore *sem)
{
	if (__atomic_load_n(&sem->waiters, __ATOMIC_SEQ_CST)) {
		__atomic_fetch_add(&sem->wake_seq, 1, __ATOMIC_SEQ_CST);
		futex_wake(&sem->wake_seq, INT_MAX);
	}
}

static void rwsem_down_read_slow(struct rw_semaphore *sem)
{
	unsigned int c, seq;
	int i;

	for (i = 0; i < SPIN_TRIES; i++) {
		cpu_relax();
		if (rwsem_read_try(sem))
			return;
	}
	__atomic_fetch_add(&sem->waiters, RWSEM_SLEEPER, __ATOMIC_SEQ_CST);
	for (;;) {
		seq = __atomic_load_n(&sem->wake_seq, __ATOMIC_SEQ_CST);
		c = __atomic_load_n(&sem->count, __ATOMIC_SEQ_CST);
		if (!(c & RWSEM_WRITER) &&
		    __atomic_load_n(&sem->waiters, __ATOMIC_SEQ_CST) <
		    RWSEM_WRITER_WAITING) {
			if (__atomic_compare_exchange_n(&sem->count, &c, c + 1,
							false, __ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED))
				break;
			continue;
		}
		if (rwsem_sleep_hook)
			rwsem_sleep_hook(sem, false);
		futex_wait(&sem->wake_seq, seq);
	}
	__atomic_fetch_sub(&sem->waiters, RWSEM_SLEEPER, __ATOMIC_SEQ_CST);
}

static void rwsem_down_write_slow(struct rw_semaphore *sem)
{
	const unsigned int me = RWSEM_SLEEPER + RWSEM_WRITER_WAITING;
	unsigned int c, seq;
	int i;

	for (i = 0; i < SPIN_TRIES; i++) {
		cpu_relax();
		if (!__atomic_load_n(&sem->count, __ATOMIC_RELAXED) &&
		    rwsem_write_try(sem))
			return;
	}
	/* From here on new readers wait for us (writer preference). */
	__atomic_fetch_add(&sem->waiters, me, __ATOMIC_SEQ_CST);
	for (;;) {
		seq = __atomic_load_n(&sem->wake_seq, __ATOMIC_SEQ_CST);
		c = __atomic_load_n(&sem->count, __ATOMIC_SEQ_CST);
		if (!c) {
			if (__atomic_compare_exchange_n(&sem->count, &c,
							RWSEM_WRITER, false,
							__ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED))
				break;
			continue;
		}
		if (rwsem_sleep_hook)
			rwsem_sleep_hook(sem, true);
		futex_wait(&sem->wake_seq, seq);
	}
	__atomic_fetch_sub(&sem->waiters, me, __ATOMIC_SEQ_CST);
	/* Readers that queued behind us must look again once we leave. */
}

static void rwsem_set_owner(struct rw_semaphore *sem, int tid)
{
	__atomic_store_n(&sem->owner, tid, __ATOMIC_RELAXED);
}

/**
 * down_read() - take @sem shared, sleeping while a writer holds or waits.
 * @sem: the semaphore.
 */
void down_read(struct rw_semaphore *sem)
{
	unsigned long long t0 = stats_begin();
	bool slow = false;

	lockdep_check_acquire(sem, sem->lock_class, HELD_READ, false);
	if (!rwsem_read_try(sem)) {
		lockdep_wait(sem, sem->lock_class, HELD_READ);
		rwsem_down_read_slow(sem);
		slow = true;
	}
	lockdep_push(sem, sem->lock_class, HELD_READ);
	stats_acquired(sem, t0, slow);
}

/**
 * down_read_trylock() - take @sem shared if that needs no waiting.
 * @sem: the semaphore.
 *
 * Fails while a writer holds @sem or waits for it (as the kernel's does).
 *
 * Return: true when taken.
 */
bool down_read_trylock(struct rw_semaphore *sem)
{
	unsigned long long t0 = stats_begin();

	if (!rwsem_read_try(sem))
		return false;
	lockdep_push(sem, sem->lock_class, HELD_READ);
	stats_acquired(sem, t0, false);
	return true;
}

/* Drop a read share; the last reader out wakes the sleepers. */
static void rwsem_release_read(struct rw_semaphore *sem)
{
	unsigned int c = __atomic_sub_fetch(&sem->count, 1, __ATOMIC_SEQ_CST);

	if (!(c & RWSEM_READER_MASK))
		rwsem_wake(sem);
}

static void rwsem_release_write(struct rw_semaphore *sem)
{
	rwsem_set_owner(sem, 0);
	__atomic_store_n(&sem->count, 0, __ATOMIC_SEQ_CST);
	rwsem_wake(sem);
}

/**
 * up_read() - release a read share of @sem held by the calling thread.
 * @sem: the semaphore.
 */
void up_read(struct rw_semaphore *sem)
{
	int i = lockdep_find_for_release(sem);

	if (i == RELEASE_NOT_HELD)
		return;
	if (i == RELEASE_UNTRACKED) {
		rwsem_release_read(sem);
		return;
	}
	stats_released(lockdep_entry(i));
	if (lockdep_entry(i)->mode == HELD_WRITE) {
		lock_report_violation(RULE_UP_READ_WRITER, sem);
		lockdep_remove(i);
		rwsem_release_write(sem);
		return;
	}
	lockdep_remove(i);
	rwsem_release_read(sem);
}

static void down_write_common(struct rw_semaphore *sem, bool nested)
{
	unsigned long long t0 = stats_begin();
	bool slow = false;

	lockdep_check_acquire(sem, sem->lock_class, HELD_WRITE, nested);
	if (!rwsem_write_try(sem)) {
		lockdep_wait(sem, sem->lock_class, HELD_WRITE);
		rwsem_down_write_slow(sem);
		slow = true;
	}
	rwsem_set_owner(sem, lockdep_tid());
	lockdep_push(sem, sem->lock_class, HELD_WRITE);
	stats_acquired(sem, t0, slow);
}

/**
 * down_write() - take @sem exclusive.
 * @sem: the semaphore.
 */
void down_write(struct rw_semaphore *sem)
{
	down_write_common(sem, false);
}

/**
 * down_write_nested() - take @sem exclusive while holding another lock
 * of the same class.
 * @sem: the semaphore.
 *
 * dup_mmap() write-locks the child's mm inside the parent's; both are
 * LOCK_CLASS_MMAP.  The kernel annotates this with SINGLE_DEPTH_NESTING.
 */
void down_write_nested(struct rw_semaphore *sem)
{
	down_write_common(sem, true);
}

/**
 * down_write_trylock() - take @sem exclusive if it is free.
 * @sem: the semaphore.
 *
 * Return: true when taken.
 */
bool down_write_trylock(struct rw_semaphore *sem)
{
	unsigned long long t0 = stats_begin();

	if (!rwsem_write_try(sem))
		return false;
	rwsem_set_owner(sem, lockdep_tid());
	lockdep_push(sem, sem->lock_class, HELD_WRITE);
	stats_acquired(sem, t0, false);
	return true;
}

/**
 * up_write() - release @sem held for write by the calling thread.
 * @sem: the semaphore.
 */
void up_write(struct rw_semaphore *sem)
{
	int i = lockdep_find_for_release(sem);

	if (i == RELEASE_NOT_HELD)
		return;
	if (i == RELEASE_UNTRACKED) {
		rwsem_release_write(sem);
		return;
	}
	stats_released(lockdep_entry(i));
	if (lockdep_entry(i)->mode == HELD_READ) {
		lock_report_violation(RULE_UP_WRITE_READER, sem);
		lockdep_remove(i);
		rwsem_release_read(sem);
		return;
	}
	lockdep_remove(i);
	rwsem_release_write(sem);
}

/**
 * downgrade_write() - turn the calling thread's write lock into a read lock.
 * @sem: the semaphore.
 *
 * No other writer can get in between.  Waiting readers may join at
 * once unless a writer is queued.
 */
void downgrade_write(struct rw_semaphore *sem)
{
	int i = lockdep_find(sem);

	if (i < 0 || lockdep_entry(i)->mode != HELD_WRITE) {
		lock_report_violation(RULE_DOWNGRADE, sem);
		return;
	}
	rwsem_set_owner(sem, 0);
	__atomic_store_n(&sem->count, 1, __ATOMIC_SEQ_CST);
	lockdep_set_mode(i, HELD_READ);
	rwsem_wake(sem);
}

/**
 * rwsem_is_locked() - true when anyone holds @sem in any mode.
 * @sem: the semaphore.
 *
 * A sequentially consistent load: anon_vma_free() orders it after the
 * refcount decrement against a reader's trylock (spec §1.1, rule L4).
 */
bool rwsem_is_locked(const struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_SEQ_CST) != 0;
}

/**
 * rwsem_is_write_owner() - true when the calling thread holds @sem for write.
 * @sem: the semaphore.
 */
bool rwsem_is_write_owner(const struct rw_semaphore *sem)
{
	int i = lockdep_find(sem);

	return i >= 0 && lockdep_entry(i)->mode == HELD_WRITE;
}

/**
 * rwsem_is_held() - true when the calling thread holds @sem in either mode.
 * @sem: the semaphore.
 */
bool rwsem_is_held(const struct rw_semaphore *sem)
{
	return lockdep_find(sem) >= 0;
}

/* ---------------------------------------------------------------- */
/* spinlock                                                           */
/* ---------------------------------------------------------------- */

/**
 * spin_lock_init() - set up @l unlocked.
 * @l:   the lock.
 * @cls: its place in the lock order.
 */
void spin_lock_init(spinlock_t *l, enum lock_class cls)
{
	l->locked = SPIN_UNLOCKED;
	l->owner = 0;
	l->lock_class = (unsigned char)cls;
}

static bool spin_try(spinlock_t *l)
{
	unsigned int c = SPIN_UNLOCKED;

	return __atomic_compare_exchange_n(&l->locked, &c, SPIN_LOCKED, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void spin_lock_slow(spinlock_t *l)
{
	int i;

	for (i = 0; i < SPIN_TRIES; i++) {
		cpu_relax();
		if (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) ==
		    SPIN_UNLOCKED && spin_try(l))
			return;
	}
	/*
	 * Mark the lock contended whenever we go to sleep, so the holder's
	 * unlock knows it must wake someone; a thread that gets the lock
	 * this way leaves it marked, and wakes the next sleeper in turn.
	 */
	while (__atomic_exchange_n(&l->locked, SPIN_CONTENDED,
				   __ATOMIC_ACQUIRE) != SPIN_UNLOCKED)
		futex_wait(&l->locked, SPIN_CONTENDED);
}

static void spin_lock_common(spinlock_t *l, bool nested)
{
	lockdep_check_acquire(l, l->lock_class, HELD_WRITE, nested);
	if (!spin_try(l)) {
		lockdep_wait(l, l->lock_class, HELD_WRITE);
		spin_lock_slow(l);
	}
	__atomic_store_n(&l->owner, lockdep_tid(), __ATOMIC_RELAXED);
	lockdep_push(l, l->lock_class, HELD_WRITE);
}

/**
 * spin_lock() - take @l, sleeping after a short spin if it is busy.
 * @l: the lock.
 */
void spin_lock(spinlock_t *l)
{
	spin_lock_common(l, false);
}

/**
 * spin_lock_nested() - take @l while holding another lock of its class.
 * @l: the lock.
 *
 * fork's copy_pte_range() holds the child's page-table lock and then
 * takes the parent's, so that an entry is read from the parent and
 * written to the child in one step; the kernel annotates this with
 * SINGLE_DEPTH_NESTING.  Only that one extra level is meant.
 */
void spin_lock_nested(spinlock_t *l)
{
	spin_lock_common(l, true);
}

/**
 * spin_trylock() - take @l if it is free.
 * @l: the lock.
 *
 * Return: true when taken.
 */
bool spin_trylock(spinlock_t *l)
{
	if (!spin_try(l))
		return false;
	__atomic_store_n(&l->owner, lockdep_tid(), __ATOMIC_RELAXED);
	lockdep_push(l, l->lock_class, HELD_WRITE);
	return true;
}

/**
 * spin_unlock() - release @l, held by the calling thread.
 * @l: the lock.
 */
void spin_unlock(spinlock_t *l)
{
	int i = lockdep_find_for_release(l);

	if (i == RELEASE_NOT_HELD)
		return;
	if (i >= 0)
		lockdep_remove(i);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&l->locked, SPIN_UNLOCKED, __ATOMIC_RELEASE) ==
	    SPIN_CONTENDED)
		futex_wake(&l->locked, 1);
}

/**
 * spin_is_held() - true when the calling thread holds @l.
 * @l: the lock.
 */
bool spin_is_held(const spinlock_t *l)
{
	return lockdep_find(l) >= 0;
}
