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

/* Lock classes, in the kernel's acquisition order (spec §1.7). */
enum lock_class {
	LOCK_CLASS_MMAP = 1,	/* mm->mmap_lock */
	LOCK_CLASS_FOLIO,	/* folio lock (a bit, not a struct lock) */
	LOCK_CLASS_ANON_VMA,	/* anon_vma->root->rwsem */
	LOCK_CLASS_PTL,		/* mm->page_table_lock */
	LOCK_CLASS_INTERNAL,	/* leaf locks of the model (caches, registry) */
};

struct rw_semaphore {
	unsigned int count;	/* bit 31: writer; low bits: readers */
	unsigned int waiters;	/* futex waiters present */
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
bool spin_trylock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_is_held(const spinlock_t *l);

/** lock_note_acquire()/lock_note_release() - bookkeeping for bit locks. */
void lock_note_acquire(const void *lock, enum lock_class cls, bool write);
/**
 * lock_note_acquire_try() - bookkeeping for a successful trylock of a bit
 * lock: recorded as held, but not order-checked (a trylock cannot
 * deadlock; do_wp_page() trylocks the folio under the PTE lock).
 */
void lock_note_acquire_try(const void *lock, enum lock_class cls, bool write);
void lock_note_release(const void *lock);

/** locks_held_count() - how many locks the calling thread holds now. */
int locks_held_count(void);

/**
 * lock_report_violation() - a lock rule was broken.
 * The default action prints the rule, the lock and the held-lock stack
 * and aborts; tests install a recorder instead (see lock_set_violation_hook()).
 */
void lock_report_violation(const char *rule, const void *lock);
typedef void (*lock_violation_fn)(const char *rule, const void *lock);
lock_violation_fn lock_set_violation_hook(lock_violation_fn fn);

#endif
