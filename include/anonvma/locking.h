/* SPDX-License-Identifier: MIT */
/*
 * Sleeping locks of the model: a reader/writer semaphore (the mmap lock,
 * the anon_vma root lock) and a spinlock-like mutex (page_table_lock).
 *
 * Both are one 32-bit futex word plus a writer-owner field, small enough
 * that struct anon_vma stays within the kernel's 96 bytes.  Every lock
 * belongs to a class; each thread keeps a short stack of what it holds,
 * which gives the lockdep-style checks the spec's lock rules need:
 * "held for write by me" assertions, the kernel's lock order
 * (mmap_lock -> folio lock -> VMA lock -> anon_vma root -> page table),
 * and "nothing held when an operation returns".
 */
#ifndef ANONVMA_LOCKING_H
#define ANONVMA_LOCKING_H

#include <stdbool.h>
#include <stdio.h>

/* Lock classes, in the kernel's acquisition order (spec §1.7). */
enum lock_class {
	LOCK_CLASS_MMAP = 1,	/* mm->mmap_lock */
	LOCK_CLASS_FOLIO,	/* folio lock (a bit, not a struct lock) */
	LOCK_CLASS_VMA,		/* per-VMA write lock (vma_start_write) */
	LOCK_CLASS_ANON_VMA,	/* anon_vma->root->rwsem */
	LOCK_CLASS_PTL,		/* mm->page_table_lock */
	LOCK_CLASS_INTERNAL,	/* leaf locks of the model (caches, registry) */
};

struct rw_semaphore {
	unsigned int count;	/* bit 31: writer; low bits: readers */
	unsigned int waiters;	/* futex waiters present */
	unsigned int wake_seq;	/* bumped by every wake; sleepers wait on it */
	int owner;		/* tid of the writer, 0 if none */
	unsigned char lock_class;
	unsigned char pad[3];
};

struct spinlock {
	unsigned int locked;
	int owner;
	unsigned char lock_class;
};
typedef struct spinlock spinlock_t;

void init_rwsem(struct rw_semaphore *sem, enum lock_class cls);
void down_read(struct rw_semaphore *sem);
bool down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
/** down_write_nested() - a second lock of the same class (fork's child mm). */
void down_write_nested(struct rw_semaphore *sem);
bool down_write_trylock(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
/** downgrade_write() - turn a held write lock into a read lock. */
void downgrade_write(struct rw_semaphore *sem);
bool rwsem_is_locked(const struct rw_semaphore *sem);
/** rwsem_is_write_owner() - true when the calling thread holds @sem for write. */
bool rwsem_is_write_owner(const struct rw_semaphore *sem);
/** rwsem_is_held() - true when the calling thread holds @sem in either mode. */
bool rwsem_is_held(const struct rw_semaphore *sem);

void spin_lock_init(spinlock_t *l, enum lock_class cls);
void spin_lock(spinlock_t *l);
/** spin_lock_nested() - a second lock of the same class (fork's two PTE locks). */
void spin_lock_nested(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_is_held(const spinlock_t *l);

/**
 * struct lock_stats - timing of the rwsems of one lock class, gathered
 * while lock_stats_enable(true) (the design lab's root-lock figures).
 * @acquired:  acquisitions, read and write, trylocks included.
 * @contended: blocking acquisitions that did not get the lock at once.
 * @wait_ns, @wait_max_ns: time spent in blocking acquisitions.
 * @hold_ns, @hold_max_ns: time between acquisition and release.
 */
struct lock_stats {
	unsigned long acquired;
	unsigned long contended;
	unsigned long long wait_ns, wait_max_ns;
	unsigned long long hold_ns, hold_max_ns;
};

/**
 * lock_stats_enable() - start (true) or stop timing rwsem acquisitions.
 * Off by default; when off the cost is one relaxed load per operation.
 */
void lock_stats_enable(bool on);
/** lock_stats_get() - the figures of class @cls since the last reset. */
void lock_stats_get(enum lock_class cls, struct lock_stats *out);
/** lock_stats_reset() - zero the figures of every class. */
void lock_stats_reset(void);

/** lock_note_acquire()/lock_note_release() - bookkeeping for bit locks. */
void lock_note_acquire(const void *lock, enum lock_class cls, bool write);
/**
 * lock_note_acquire_try() - bookkeeping for a successful trylock of a bit
 * lock: recorded as held, but not order-checked (a trylock cannot
 * deadlock; do_wp_page() trylocks the folio under the PTE lock).  Also
 * records the end of a wait begun with lock_note_wait().
 */
void lock_note_acquire_try(const void *lock, enum lock_class cls, bool write);
void lock_note_release(const void *lock);
/**
 * lock_note_wait() - the order checks of a blocking acquisition of a bit
 * lock, made before waiting for it; the thread shows as waiting for
 * @lock in lock_dump_all_threads() until lock_note_acquire_try() records
 * it as held.
 */
void lock_note_wait(const void *lock, enum lock_class cls, bool write);
/**
 * lock_note_acquire_release() - a lock taken and released at once as far
 * as the order is concerned: the per-VMA write lock, which the kernel's
 * lockdep acquires and releases inside vma_start_write() because it is
 * only dropped, all together, at mmap_write_unlock().
 */
void lock_note_acquire_release(const void *lock, enum lock_class cls);

/** locks_held_count() - how many locks the calling thread holds now. */
int locks_held_count(void);

/**
 * lock_set_thread_name() - a name for the calling thread in lock dumps.
 * @name: must stay valid as long as the thread lives (NULL: none).
 */
void lock_set_thread_name(const char *name);
/**
 * lock_dump_all_threads() - print every thread's held locks, and the
 * lock it is waiting for, to @out (a watchdog's report of a hang).
 */
void lock_dump_all_threads(FILE *out);

/**
 * lock_report_violation() - a lock rule was broken.
 * The default action prints the rule, the lock and the held-lock stack
 * and aborts; tests install a recorder instead (see lock_set_violation_hook()).
 */
void lock_report_violation(const char *rule, const void *lock);
typedef void (*lock_violation_fn)(const char *rule, const void *lock);
lock_violation_fn lock_set_violation_hook(lock_violation_fn fn);

#endif
