/* SPDX-License-Identifier: MIT */
/*
 * mm/lockdep.h - between the lock primitives (mm/locking.c) and the
 * model's small lockdep (mm/lockdep.c): each thread's stack of held
 * locks, the order checks made before a blocking acquisition, and the
 * bookkeeping calls the primitives make.  Internal to mm/.
 */
#ifndef MM_LOCKDEP_H
#define MM_LOCKDEP_H

#include <stdbool.h>

#include <anonvma/locking.h>

#define MAX_HELD_LOCKS	48

enum held_mode {
	HELD_READ,
	HELD_WRITE,
};

struct held_lock {
	const void *lock;
	unsigned char cls;
	unsigned char mode;
	unsigned long long t_acq;	/* lock_stats: when taken, 0 if untimed */
};

/* lockdep_find_for_release() results besides an index. */
#define RELEASE_NOT_HELD	(-1)	/* reported; leave the lock alone */
#define RELEASE_UNTRACKED	(-2)	/* an overflow entry: release it */

/*
 * rwsem_sleep_hook - a seam for tests of lost wake-ups: when set, a
 * thread in an rw_semaphore slow path calls it after it has looked at
 * the lock and decided to sleep, just before FUTEX_WAIT (@writer: the
 * thread is in down_write()).  NULL outside tests.
 */
extern void (*rwsem_sleep_hook)(struct rw_semaphore *sem, bool writer);

/** lockdep_tid() - the calling thread's id (cached). */
int lockdep_tid(void);
/**
 * lockdep_check_acquire() - the checks before a blocking acquisition of
 * @lock (class @cls, HELD_READ/HELD_WRITE @mode): not held already, and
 * after every lock held in the order of spec §1.7 (@nested: one more of
 * the same class is allowed).
 */
void lockdep_check_acquire(const void *lock, enum lock_class cls, int mode,
			   bool nested);
/** lockdep_wait() - the thread starts waiting for @lock (shown in dumps). */
void lockdep_wait(const void *lock, enum lock_class cls, int mode);
/** lockdep_push() - @lock is now held; ends the wait for it. */
void lockdep_push(const void *lock, enum lock_class cls, int mode);
/** lockdep_find() - index of the innermost entry for @lock, or -1. */
int lockdep_find(const void *lock);
/**
 * lockdep_find_for_release() - the entry of @lock about to be released,
 * RELEASE_UNTRACKED for an overflow entry, or RELEASE_NOT_HELD (reported).
 */
int lockdep_find_for_release(const void *lock);
/** lockdep_remove() - drop entry @i (released). */
void lockdep_remove(int i);
/** lockdep_entry() - entry @i of the calling thread's stack. */
struct held_lock *lockdep_entry(int i);
/** lockdep_top() - the innermost entry, or NULL. */
struct held_lock *lockdep_top(void);
/** lockdep_set_mode() - entry @i is now held in @mode (downgrade_write()). */
void lockdep_set_mode(int i, int mode);

#endif
