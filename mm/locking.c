/* SPDX-License-Identifier: MIT */
/*
 * mm/locking.c - the model's sleeping locks and its small lockdep.
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
 * Each thread keeps a small stack of the locks it holds.  That stack
 * answers "do I hold this lock, and how" for the assertions of spec
 * §4.2/§4.3 and checks the lock order of spec §1.7 at every blocking
 * acquisition.  Trylocks are recorded but not order-checked: they cannot
 * deadlock, and the kernel relies on that (do_wp_page() trylocks the
 * folio while holding the PTE lock, spec §3.3), exactly as lockdep does.
 */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <anonvma/locking.h>

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

#define MAX_HELD_LOCKS	48

enum held_mode {
	HELD_READ,
	HELD_WRITE,
};

struct held_lock {
	const void *lock;
	unsigned char cls;
	unsigned char mode;
};

/*
 * The calling thread's held locks, innermost last.  @untracked counts
 * acquisitions that did not fit (reported once), so that their releases
 * are not reported again as "not held".
 */
struct held_stack {
	int depth;
	int untracked;
	int tid;
	struct held_lock e[MAX_HELD_LOCKS];
};

/*
 * initial-exec: the library is built position-independent, and the
 * default TLS model would call __tls_get_addr on every lock operation.
 */
static __thread struct held_stack held __attribute__((tls_model("initial-exec")));

static lock_violation_fn violation_hook;

static const char *const class_names[] = {
	[0] = "?",
	[LOCK_CLASS_MMAP] = "MMAP",
	[LOCK_CLASS_FOLIO] = "FOLIO",
	[LOCK_CLASS_ANON_VMA] = "ANON_VMA",
	[LOCK_CLASS_PTL] = "PTL",
	[LOCK_CLASS_INTERNAL] = "INTERNAL",
};

/*
 * Rule texts for "took class NEW while holding class HELD", indexed
 * [NEW][HELD].  They are string literals so that a violation hook may
 * keep the pointer it is given.
 */
#define ORDER_ROW(n)							\
	{								\
		[LOCK_CLASS_MMAP] = "lock order: " n " after MMAP",	\
		[LOCK_CLASS_FOLIO] = "lock order: " n " after FOLIO",	\
		[LOCK_CLASS_ANON_VMA] = "lock order: " n " after ANON_VMA", \
		[LOCK_CLASS_PTL] = "lock order: " n " after PTL",	\
	}
static const char *const order_rules[LOCK_CLASS_INTERNAL][LOCK_CLASS_INTERNAL] = {
	[LOCK_CLASS_MMAP] = ORDER_ROW("MMAP"),
	[LOCK_CLASS_FOLIO] = ORDER_ROW("FOLIO"),
	[LOCK_CLASS_ANON_VMA] = ORDER_ROW("ANON_VMA"),
	[LOCK_CLASS_PTL] = ORDER_ROW("PTL"),
};

static const char RULE_SELF_DEADLOCK[] =
	"self-deadlock: lock already held by this thread";
static const char RULE_NOT_HELD[] = "unlock of a lock not held by this thread";
static const char RULE_UP_READ_WRITER[] = "up_read of a lock held for write";
static const char RULE_UP_WRITE_READER[] = "up_write of a lock held for read";
static const char RULE_DOWNGRADE[] =
	"downgrade_write of a lock not held for write";
static const char RULE_OVERFLOW[] = "held-lock stack overflow";

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

/*
 * The child of fork() inherits the parent thread's held-lock stack, as a
 * forked process inherits memory, but it is a new thread: forget the
 * cached thread id.
 */
static void forget_tid_after_fork(void)
{
	held.tid = 0;
}

__attribute__((constructor)) static void locking_setup(void)
{
	pthread_atfork(NULL, NULL, forget_tid_after_fork);
}

static int current_tid(void)
{
	if (!held.tid)
		held.tid = (int)syscall(SYS_gettid);
	return held.tid;
}

static const char *class_name(unsigned int cls)
{
	if (cls > LOCK_CLASS_INTERNAL)
		return "?";
	return class_names[cls];
}

/* ---------------------------------------------------------------- */
/* Violations                                                         */
/* ---------------------------------------------------------------- */

static void print_held_locks(FILE *out)
{
	int i;

	fprintf(out, "  locks held by thread %d (innermost last):\n",
		current_tid());
	if (!held.depth)
		fprintf(out, "    (none)\n");
	for (i = 0; i < held.depth; i++)
		fprintf(out, "    #%d %p %s %s\n", i, held.e[i].lock,
			class_name(held.e[i].cls),
			held.e[i].mode == HELD_WRITE ? "write" : "read");
	if (held.untracked)
		fprintf(out, "    ... and %d not tracked\n", held.untracked);
}

/**
 * lock_report_violation() - a lock rule was broken.
 * @rule: what was broken, a string that stays valid (the hook may keep it).
 * @lock: the lock (or object) concerned.
 *
 * With no hook installed, print the rule, the lock and the calling
 * thread's held locks to stderr and abort: a broken lock rule in the
 * model is a bug that must stop the run where it happened.  With a hook
 * (lock_set_violation_hook()), only call the hook.
 */
void lock_report_violation(const char *rule, const void *lock)
{
	lock_violation_fn fn = __atomic_load_n(&violation_hook, __ATOMIC_ACQUIRE);

	if (fn) {
		fn(rule, lock);
		return;
	}
	fprintf(stderr, "anonvma: lock rule broken: %s\n  lock %p\n", rule, lock);
	print_held_locks(stderr);
	fflush(stderr);
	abort();
}

/**
 * lock_set_violation_hook() - replace the action taken on a violation.
 * @fn: called with the rule and the lock instead of aborting; NULL
 *      restores the default (print and abort).
 *
 * Return: the hook that was installed before.
 */
lock_violation_fn lock_set_violation_hook(lock_violation_fn fn)
{
	return __atomic_exchange_n(&violation_hook, fn, __ATOMIC_ACQ_REL);
}

/*
 * A blocking acquisition of a lock this thread already holds for write
 * (or a write acquisition of one it holds for read) can never succeed.
 * A hook that returns cannot make it succeed either, so stop here
 * rather than hang the test run.
 */
static void die_self_deadlock(const void *lock)
{
	fprintf(stderr, "anonvma: %s (lock %p); cannot continue\n",
		RULE_SELF_DEADLOCK, lock);
	print_held_locks(stderr);
	fflush(stderr);
	abort();
}

/* ---------------------------------------------------------------- */
/* The held-lock stack                                                */
/* ---------------------------------------------------------------- */

/* Index of the innermost entry for @lock, or -1. */
static int held_find(const void *lock)
{
	int i;

	for (i = held.depth - 1; i >= 0; i--)
		if (held.e[i].lock == lock)
			return i;
	return -1;
}

static void held_push(const void *lock, enum lock_class cls, int mode)
{
	if (held.depth == MAX_HELD_LOCKS) {
		held.untracked++;
		lock_report_violation(RULE_OVERFLOW, lock);
		return;
	}
	held.e[held.depth].lock = lock;
	held.e[held.depth].cls = (unsigned char)cls;
	held.e[held.depth].mode = (unsigned char)mode;
	held.depth++;
}

static void held_remove(int i)
{
	for (; i + 1 < held.depth; i++)
		held.e[i] = held.e[i + 1];
	held.depth--;
}

/* held_find_for_release() results besides an index. */
#define RELEASE_NOT_HELD	(-1)	/* reported; leave the lock alone */
#define RELEASE_UNTRACKED	(-2)	/* an overflow entry: release it */

/*
 * Look up @lock for a release.  A lock this thread does not hold is
 * reported and then left untouched: releasing it would corrupt the
 * state of whoever does hold it.
 */
static int held_find_for_release(const void *lock)
{
	int i = held_find(lock);

	if (i >= 0)
		return i;
	if (held.untracked) {
		held.untracked--;
		return RELEASE_UNTRACKED;
	}
	lock_report_violation(RULE_NOT_HELD, lock);
	return RELEASE_NOT_HELD;
}

/*
 * The checks made before a blocking acquisition (spec §1.7 order):
 * the lock must not be held by this thread already, and its class must
 * come strictly after the class of every lock held, except that
 * @nested allows one more lock of the same class (fork's child mm) and
 * that LOCK_CLASS_INTERNAL leaf locks are outside the order altogether.
 * Only one violation is reported per acquisition: the one against the
 * highest class held, which names the innermost conflicting lock.
 */
static void check_acquire(const void *lock, enum lock_class cls, int mode,
			  bool nested)
{
	int i = held_find(lock);
	int worst = -1;

	if (i >= 0) {
		lock_report_violation(RULE_SELF_DEADLOCK, lock);
		if (mode == HELD_WRITE || held.e[i].mode == HELD_WRITE)
			die_self_deadlock(lock);
		return;
	}
	if (cls < LOCK_CLASS_MMAP || cls >= LOCK_CLASS_INTERNAL)
		return;
	for (i = 0; i < held.depth; i++) {
		unsigned int hc = held.e[i].cls;

		if (hc < LOCK_CLASS_MMAP || hc >= LOCK_CLASS_INTERNAL)
			continue;
		if (hc < (unsigned int)cls || (hc == (unsigned int)cls && nested))
			continue;
		if (worst < 0 || hc >= held.e[worst].cls)
			worst = i;
	}
	if (worst >= 0)
		lock_report_violation(order_rules[cls][held.e[worst].cls], lock);
}

/**
 * lock_note_acquire() - bookkeeping for a blocking acquisition of a bit lock.
 * @lock:  the lock's address (the folio for the folio lock).
 * @cls:   its class.
 * @write: exclusive acquisition.
 *
 * Call before waiting for the lock, so that an order violation is
 * reported instead of a hang.
 */
void lock_note_acquire(const void *lock, enum lock_class cls, bool write)
{
	int mode = write ? HELD_WRITE : HELD_READ;

	check_acquire(lock, cls, mode, false);
	held_push(lock, cls, mode);
}

/**
 * lock_note_acquire_try() - bookkeeping for a successful trylock of a bit lock.
 * @lock:  the lock's address.
 * @cls:   its class.
 * @write: exclusive acquisition.
 *
 * Recorded as held but not order-checked: a trylock cannot deadlock.
 */
void lock_note_acquire_try(const void *lock, enum lock_class cls, bool write)
{
	held_push(lock, cls, write ? HELD_WRITE : HELD_READ);
}

/**
 * lock_note_release() - bookkeeping for the release of a bit lock.
 * @lock: the lock's address.
 *
 * Reports a violation when the calling thread does not hold @lock.
 */
void lock_note_release(const void *lock)
{
	int i = held_find_for_release(lock);

	if (i >= 0)
		held_remove(i);
}

/**
 * locks_held_count() - how many locks the calling thread holds now.
 *
 * Every class counts, LOCK_CLASS_INTERNAL included: an operation of the
 * model must return with nothing held (spec §4.2).
 */
int locks_held_count(void)
{
	return held.depth + held.untracked;
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
 * them in.  The sequentially consistent accesses on both sides (here:
 * count change, then waiters load; in the sleeper: waiters increment,
 * then count load inside FUTEX_WAIT) make sure that either the waker
 * sees the sleeper or the sleeper sees the new count.
 */
static void rwsem_wake(struct rw_semaphore *sem)
{
	if (__atomic_load_n(&sem->waiters, __ATOMIC_SEQ_CST))
		futex_wake(&sem->count, INT_MAX);
}

static void rwsem_down_read_slow(struct rw_semaphore *sem)
{
	unsigned int c;
	int i;

	for (i = 0; i < SPIN_TRIES; i++) {
		cpu_relax();
		if (rwsem_read_try(sem))
			return;
	}
	__atomic_fetch_add(&sem->waiters, RWSEM_SLEEPER, __ATOMIC_SEQ_CST);
	for (;;) {
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
		futex_wait(&sem->count, c);
	}
	__atomic_fetch_sub(&sem->waiters, RWSEM_SLEEPER, __ATOMIC_SEQ_CST);
}

static void rwsem_down_write_slow(struct rw_semaphore *sem)
{
	const unsigned int me = RWSEM_SLEEPER + RWSEM_WRITER_WAITING;
	unsigned int c;
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
		c = __atomic_load_n(&sem->count, __ATOMIC_SEQ_CST);
		if (!c) {
			if (__atomic_compare_exchange_n(&sem->count, &c,
							RWSEM_WRITER, false,
							__ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED))
				break;
			continue;
		}
		futex_wait(&sem->count, c);
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
	check_acquire(sem, sem->lock_class, HELD_READ, false);
	if (!rwsem_read_try(sem))
		rwsem_down_read_slow(sem);
	held_push(sem, sem->lock_class, HELD_READ);
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
	if (!rwsem_read_try(sem))
		return false;
	held_push(sem, sem->lock_class, HELD_READ);
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
	int i = held_find_for_release(sem);

	if (i == RELEASE_NOT_HELD)
		return;
	if (i == RELEASE_UNTRACKED) {
		rwsem_release_read(sem);
		return;
	}
	if (held.e[i].mode == HELD_WRITE) {
		lock_report_violation(RULE_UP_READ_WRITER, sem);
		held_remove(i);
		rwsem_release_write(sem);
		return;
	}
	held_remove(i);
	rwsem_release_read(sem);
}

static void down_write_common(struct rw_semaphore *sem, bool nested)
{
	check_acquire(sem, sem->lock_class, HELD_WRITE, nested);
	if (!rwsem_write_try(sem))
		rwsem_down_write_slow(sem);
	rwsem_set_owner(sem, current_tid());
	held_push(sem, sem->lock_class, HELD_WRITE);
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
	if (!rwsem_write_try(sem))
		return false;
	rwsem_set_owner(sem, current_tid());
	held_push(sem, sem->lock_class, HELD_WRITE);
	return true;
}

/**
 * up_write() - release @sem held for write by the calling thread.
 * @sem: the semaphore.
 */
void up_write(struct rw_semaphore *sem)
{
	int i = held_find_for_release(sem);

	if (i == RELEASE_NOT_HELD)
		return;
	if (i == RELEASE_UNTRACKED) {
		rwsem_release_write(sem);
		return;
	}
	if (held.e[i].mode == HELD_READ) {
		lock_report_violation(RULE_UP_WRITE_READER, sem);
		held_remove(i);
		rwsem_release_read(sem);
		return;
	}
	held_remove(i);
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
	int i = held_find(sem);

	if (i < 0 || held.e[i].mode != HELD_WRITE) {
		lock_report_violation(RULE_DOWNGRADE, sem);
		return;
	}
	rwsem_set_owner(sem, 0);
	__atomic_store_n(&sem->count, 1, __ATOMIC_SEQ_CST);
	held.e[i].mode = HELD_READ;
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
	int i = held_find(sem);

	return i >= 0 && held.e[i].mode == HELD_WRITE;
}

/**
 * rwsem_is_held() - true when the calling thread holds @sem in either mode.
 * @sem: the semaphore.
 */
bool rwsem_is_held(const struct rw_semaphore *sem)
{
	return held_find(sem) >= 0;
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

/**
 * spin_lock() - take @l, sleeping after a short spin if it is busy.
 * @l: the lock.
 */
void spin_lock(spinlock_t *l)
{
	check_acquire(l, l->lock_class, HELD_WRITE, false);
	if (!spin_try(l))
		spin_lock_slow(l);
	__atomic_store_n(&l->owner, current_tid(), __ATOMIC_RELAXED);
	held_push(l, l->lock_class, HELD_WRITE);
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
	__atomic_store_n(&l->owner, current_tid(), __ATOMIC_RELAXED);
	held_push(l, l->lock_class, HELD_WRITE);
	return true;
}

/**
 * spin_unlock() - release @l, held by the calling thread.
 * @l: the lock.
 */
void spin_unlock(spinlock_t *l)
{
	int i = held_find_for_release(l);

	if (i == RELEASE_NOT_HELD)
		return;
	if (i >= 0)
		held_remove(i);
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
	return held_find(l) >= 0;
}
