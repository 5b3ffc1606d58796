/* SPDX-License-Identifier: MIT */
/*
 * mm/lockdep.c - the model's small lockdep.
 *
 * Each thread keeps a small stack of the locks it holds.  That stack
 * answers "do I hold this lock, and how" for the assertions of spec
 * §4.2/§4.3 and checks the lock order of spec §1.7 at every blocking
 * acquisition.  Trylocks are recorded but not order-checked: they cannot
 * deadlock, and the kernel relies on that (do_wp_page() trylocks the
 * folio while holding the PTE lock, spec §3.3), exactly as lockdep does.
 * A broken rule goes to lock_report_violation().
 *
 * Every thread's stack is also on a registry, so that a watchdog can
 * print what each thread holds and waits for when a run hangs
 * (lock_dump_all_threads()).  The lock primitives themselves are in
 * mm/locking.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lockdep.h"

/*
 * The calling thread's held locks, innermost last.  @untracked counts
 * acquisitions that did not fit (reported once), so that their releases
 * are not reported again as "not held".  @waiting is the lock a
 * blocking acquisition is waiting for (lock NULL: none).
 *
 * Only the owning thread writes its stack, but lock_dump_all_threads()
 * reads every thread's from a watchdog: the fields it reads are stored
 * with relaxed atomics (plain moves on x86), so that the dump of a hung
 * run is not itself a data race for ThreadSanitizer.
 */
struct held_stack {
	int depth;
	int untracked;
	int tid;
	bool registered;	/* on the thread registry */
	const char *name;	/* lock_set_thread_name() */
	struct held_lock waiting;
	struct held_lock e[MAX_HELD_LOCKS];
};

#define HS_STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define HS_LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/*
 * initial-exec: the library is built position-independent, and the
 * default TLS model would call __tls_get_addr on every lock operation.
 */
static __thread struct held_stack held __attribute__((tls_model("initial-exec")));

/*
 * The registry of every thread's held-lock stack, for
 * lock_dump_all_threads().  A thread joins at its first lock operation
 * and leaves when it exits (the key's destructor runs while its TLS is
 * still valid).  The registry's own lock is a plain pthread mutex,
 * outside the model's lock classes.
 */
#define MAX_THREADS 256
static struct held_stack *thread_registry[MAX_THREADS];
static int threads_unregistered;	/* did not fit in the registry */
static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t registry_key;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static lock_violation_fn violation_hook;

static const char *const class_names[] = {
	[0] = "?",
	[LOCK_CLASS_MMAP] = "MMAP",
	[LOCK_CLASS_FOLIO] = "FOLIO",
	[LOCK_CLASS_VMA] = "VMA",
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
		[LOCK_CLASS_VMA] = "lock order: " n " after VMA",	\
		[LOCK_CLASS_ANON_VMA] = "lock order: " n " after ANON_VMA", \
		[LOCK_CLASS_PTL] = "lock order: " n " after PTL",	\
	}
static const char *const order_rules[LOCK_CLASS_INTERNAL][LOCK_CLASS_INTERNAL] = {
	[LOCK_CLASS_MMAP] = ORDER_ROW("MMAP"),
	[LOCK_CLASS_FOLIO] = ORDER_ROW("FOLIO"),
	[LOCK_CLASS_VMA] = ORDER_ROW("VMA"),
	[LOCK_CLASS_ANON_VMA] = ORDER_ROW("ANON_VMA"),
	[LOCK_CLASS_PTL] = ORDER_ROW("PTL"),
};

static const char RULE_SELF_DEADLOCK[] =
	"self-deadlock: lock already held by this thread";
static const char RULE_NOT_HELD[] = "unlock of a lock not held by this thread";
static const char RULE_OVERFLOW[] = "held-lock stack overflow";

/*
 * The child of fork() inherits the parent thread's held-lock stack, as a
 * forked process inherits memory, but it is a new thread: forget the
 * cached thread id.  The other threads of the parent do not exist in the
 * child: empty the registry (its mutex may have been held by one of
 * them) and let this thread join again at its next lock operation.
 */
static void forget_tid_after_fork(void)
{
	int i;

	held.tid = 0;
	held.registered = false;
	pthread_mutex_init(&registry_mutex, NULL);
	for (i = 0; i < MAX_THREADS; i++)
		thread_registry[i] = NULL;
}

__attribute__((constructor)) static void locking_setup(void)
{
	pthread_atfork(NULL, NULL, forget_tid_after_fork);
}

int lockdep_tid(void)
{
	if (!held.tid)
		HS_STORE(held.tid, (int)syscall(SYS_gettid));
	return held.tid;
}

static const char *class_name(unsigned int cls)
{
	if (cls > LOCK_CLASS_INTERNAL)
		return "?";
	return class_names[cls];
}

/* ---------------------------------------------------------------- */
/* The thread registry                                                */
/* ---------------------------------------------------------------- */

static void registry_leave(void *p)
{
	struct held_stack *hs = p;
	int i;

	pthread_mutex_lock(&registry_mutex);
	for (i = 0; i < MAX_THREADS; i++)
		if (thread_registry[i] == hs)
			thread_registry[i] = NULL;
	pthread_mutex_unlock(&registry_mutex);
	hs->registered = false;
}

static void registry_init(void)
{
	pthread_key_create(&registry_key, registry_leave);
}

/* Put the calling thread on the registry (once). */
static void registry_join_slow(void)
{
	int i;

	pthread_once(&registry_once, registry_init);
	held.registered = true;
	pthread_mutex_lock(&registry_mutex);
	for (i = 0; i < MAX_THREADS; i++) {
		if (!thread_registry[i]) {
			thread_registry[i] = &held;
			break;
		}
	}
	if (i == MAX_THREADS)
		threads_unregistered++;
	pthread_mutex_unlock(&registry_mutex);
	if (i < MAX_THREADS)
		pthread_setspecific(registry_key, &held);
}

static inline void registry_join(void)
{
	if (__builtin_expect(!held.registered, 0))
		registry_join_slow();
}

/* ---------------------------------------------------------------- */
/* Violations                                                         */
/* ---------------------------------------------------------------- */

static const char *mode_name(unsigned int mode)
{
	return mode == HELD_WRITE ? "write" : "read";
}

/*
 * Print the stack @hs (the calling thread's, or another thread's for a
 * dump: every field is loaded once, and the entries of a thread that is
 * still running may be a moment apart).
 */
static void print_stack(FILE *out, struct held_stack *hs)
{
	const char *name = HS_LOAD(hs->name);
	const void *waiting = HS_LOAD(hs->waiting.lock);
	int depth = HS_LOAD(hs->depth);
	int untracked = HS_LOAD(hs->untracked);
	int i;

	if (depth < 0 || depth > MAX_HELD_LOCKS)
		depth = MAX_HELD_LOCKS;
	fprintf(out, "  locks held by thread %d%s%s%s (innermost last):\n",
		HS_LOAD(hs->tid), name ? " \"" : "", name ? name : "",
		name ? "\"" : "");
	if (!depth)
		fprintf(out, "    (none)\n");
	for (i = 0; i < depth; i++)
		fprintf(out, "    #%d %p %s %s\n", i, HS_LOAD(hs->e[i].lock),
			class_name(HS_LOAD(hs->e[i].cls)),
			mode_name(HS_LOAD(hs->e[i].mode)));
	if (untracked)
		fprintf(out, "    ... and %d not tracked\n", untracked);
	if (waiting)
		fprintf(out, "    waiting for %p %s %s\n", waiting,
			class_name(HS_LOAD(hs->waiting.cls)),
			mode_name(HS_LOAD(hs->waiting.mode)));
}

static void print_held_locks(FILE *out)
{
	lockdep_tid();
	print_stack(out, &held);
}

/**
 * lock_set_thread_name() - a name for the calling thread in lock dumps.
 * @name: a string that stays valid while the thread lives, or NULL.
 */
void lock_set_thread_name(const char *name)
{
	registry_join();
	lockdep_tid();
	HS_STORE(held.name, name);
}

/**
 * lock_dump_all_threads() - print the held locks of every thread.
 * @out: where to print.
 *
 * For each thread that ever took a model lock and is still alive: its
 * id and name, the locks it holds (innermost last) and the lock a
 * blocking acquisition of it is waiting for.  Meant for a watchdog that
 * found a run hung: the other threads are not stopped, so a thread that
 * is still making progress may be printed mid-change.
 */
void lock_dump_all_threads(FILE *out)
{
	int i, n = 0;

	pthread_mutex_lock(&registry_mutex);
	for (i = 0; i < MAX_THREADS; i++) {
		if (!thread_registry[i])
			continue;
		print_stack(out, thread_registry[i]);
		n++;
	}
	fprintf(out, "  (%d threads", n);
	if (threads_unregistered)
		fprintf(out, ", %d more not registered", threads_unregistered);
	fprintf(out, ")\n");
	pthread_mutex_unlock(&registry_mutex);
	fflush(out);
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
int lockdep_find(const void *lock)
{
	int i;

	for (i = held.depth - 1; i >= 0; i--)
		if (held.e[i].lock == lock)
			return i;
	return -1;
}

static void held_set(struct held_lock *h, const void *lock, unsigned int cls,
		     unsigned int mode)
{
	HS_STORE(h->lock, lock);
	HS_STORE(h->cls, (unsigned char)cls);
	HS_STORE(h->mode, (unsigned char)mode);
}

/* A blocking acquisition of @lock is about to wait for it. */
void lockdep_wait(const void *lock, enum lock_class cls, int mode)
{
	registry_join();
	held_set(&held.waiting, lock, cls, mode);
}

/* Record @lock as held; this also ends the wait for it. */
void lockdep_push(const void *lock, enum lock_class cls, int mode)
{
	registry_join();
	if (held.waiting.lock)
		HS_STORE(held.waiting.lock, NULL);
	if (held.depth == MAX_HELD_LOCKS) {
		HS_STORE(held.untracked, held.untracked + 1);
		lock_report_violation(RULE_OVERFLOW, lock);
		return;
	}
	held_set(&held.e[held.depth], lock, cls, mode);
	held.e[held.depth].t_acq = 0;
	HS_STORE(held.depth, held.depth + 1);
}

void lockdep_remove(int i)
{
	for (; i + 1 < held.depth; i++) {
		held_set(&held.e[i], held.e[i + 1].lock, held.e[i + 1].cls,
			 held.e[i + 1].mode);
		held.e[i].t_acq = held.e[i + 1].t_acq;
	}
	HS_STORE(held.depth, held.depth - 1);
}

/*
 * Look up @lock for a release.  A lock this thread does not hold is
 * reported and then left untouched: releasing it would corrupt the
 * state of whoever does hold it.
 */
int lockdep_find_for_release(const void *lock)
{
	int i = lockdep_find(lock);

	if (i >= 0)
		return i;
	if (held.untracked) {
		HS_STORE(held.untracked, held.untracked - 1);
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
void lockdep_check_acquire(const void *lock, enum lock_class cls, int mode,
			  bool nested)
{
	int i = lockdep_find(lock);
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

	lockdep_check_acquire(lock, cls, mode, false);
	lockdep_push(lock, cls, mode);
}

/**
 * lock_note_wait() - the checks of a blocking acquisition of a bit lock.
 * @lock:  the lock's address (the folio for the folio lock).
 * @cls:   its class.
 * @write: exclusive acquisition.
 *
 * Call before waiting for the lock, so that an order violation is
 * reported instead of a hang, and follow with lock_note_acquire_try()
 * once the lock is taken.  Until then lock_dump_all_threads() shows the
 * thread as waiting for @lock, not as holding it.
 */
void lock_note_wait(const void *lock, enum lock_class cls, bool write)
{
	int mode = write ? HELD_WRITE : HELD_READ;

	lockdep_check_acquire(lock, cls, mode, false);
	lockdep_wait(lock, cls, mode);
}

/**
 * lock_note_acquire_release() - order checks of a lock that is not held.
 * @lock: the lock's address (the VMA for the per-VMA write lock).
 * @cls:  its class.
 *
 * The kernel's vma_start_write() tells lockdep that it acquired and
 * released the VMA lock at once: the lock stays taken until
 * mmap_write_unlock(), but only the order against the locks held at
 * that moment is checked.  Same here: a violation is reported if a lock
 * of a later class (anon_vma root, page-table lock) is held; nothing is
 * recorded as held.
 */
void lock_note_acquire_release(const void *lock, enum lock_class cls)
{
	lockdep_check_acquire(lock, cls, HELD_WRITE, false);
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
	lockdep_push(lock, cls, write ? HELD_WRITE : HELD_READ);
}

/**
 * lock_note_release() - bookkeeping for the release of a bit lock.
 * @lock: the lock's address.
 *
 * Reports a violation when the calling thread does not hold @lock.
 */
void lock_note_release(const void *lock)
{
	int i = lockdep_find_for_release(lock);

	if (i >= 0)
		lockdep_remove(i);
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

/** lockdep_entry() - see mm/lockdep.h. */
struct held_lock *lockdep_entry(int i)
{
	return &held.e[i];
}

/** lockdep_top() - see mm/lockdep.h. */
struct held_lock *lockdep_top(void)
{
	return held.depth ? &held.e[held.depth - 1] : NULL;
}

/** lockdep_set_mode() - see mm/lockdep.h. */
void lockdep_set_mode(int i, int mode)
{
	HS_STORE(held.e[i].mode, (unsigned char)mode);
}
