/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of mm/locking.c, mm/mmap_lock.c and the folio lock: mutual
 * exclusion under real threads, trylock and ownership semantics, and the
 * lock-rule checks (order of spec §1.7, unlock of a lock not held,
 * recursion) seen through the violation hook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* ---- violation recorder ---------------------------------------------- */

static int nviol;
static const char *last_rule;
static const void *last_lock;

static void record_violation(const char *rule, const void *lock)
{
	nviol++;
	last_rule = rule;
	last_lock = lock;
}

/* Fresh locks of every class for each test. */
static struct rw_semaphore mmap_sem, mmap_sem2, av;
static spinlock_t ptl, leaf1, leaf2;
static struct folio f1, f2;

static int setup(void **state)
{
	init_rwsem(&mmap_sem, LOCK_CLASS_MMAP);
	init_rwsem(&mmap_sem2, LOCK_CLASS_MMAP);
	init_rwsem(&av, LOCK_CLASS_ANON_VMA);
	spin_lock_init(&ptl, LOCK_CLASS_PTL);
	spin_lock_init(&leaf1, LOCK_CLASS_INTERNAL);
	spin_lock_init(&leaf2, LOCK_CLASS_INTERNAL);
	memset(&f1, 0, sizeof(f1));
	memset(&f2, 0, sizeof(f2));
	nviol = 0;
	last_rule = NULL;
	last_lock = NULL;
	lock_set_violation_hook(record_violation);
	return 0;
}

static int teardown(void **state)
{
	int held = locks_held_count();

	lock_set_violation_hook(NULL);
	return held ? -1 : 0;
}

/* ---- thread helpers --------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Join @t, failing the test instead of hanging when it does not end. */
static void join_within(pthread_t t, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	assert_int_equal(pthread_timedjoin_np(t, NULL, &ts), 0);
}

enum op {
	OP_READ_TRY,
	OP_WRITE_TRY,
	OP_SPIN_TRY,
	OP_DOWN_READ,
	OP_IS_WRITE_OWNER,
	OP_IS_HELD,
};

struct op_arg {
	enum op op;
	void *lock;
	int result;
	int held_after;		/* locks_held_count() when the thread ends */
};

static void *op_thread(void *p)
{
	struct op_arg *a = p;

	switch (a->op) {
	case OP_READ_TRY:
		a->result = down_read_trylock(a->lock);
		if (a->result)
			up_read(a->lock);
		break;
	case OP_WRITE_TRY:
		a->result = down_write_trylock(a->lock);
		if (a->result)
			up_write(a->lock);
		break;
	case OP_SPIN_TRY:
		a->result = spin_trylock(a->lock);
		if (a->result)
			spin_unlock(a->lock);
		break;
	case OP_DOWN_READ:
		down_read(a->lock);
		a->result = 1;
		up_read(a->lock);
		break;
	case OP_IS_WRITE_OWNER:
		a->result = rwsem_is_write_owner(a->lock);
		break;
	case OP_IS_HELD:
		a->result = rwsem_is_held(a->lock) || spin_is_held(a->lock);
		break;
	}
	a->held_after = locks_held_count();
	return NULL;
}

/* Run one operation on another thread and return its result. */
static int in_other_thread(enum op op, void *lock)
{
	struct op_arg a = { .op = op, .lock = lock, .result = -1 };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, op_thread, &a), 0);
	join_within(t, 10);
	assert_int_equal(a.held_after, 0);
	return a.result;
}

/* ---- mutual exclusion -------------------------------------------------- */

static void test_readers_share(void **state)
{
	down_read(&av);
	/* A second reader gets in, both by trylock and by sleeping lock. */
	assert_int_equal(in_other_thread(OP_READ_TRY, &av), 1);
	assert_int_equal(in_other_thread(OP_DOWN_READ, &av), 1);
	/* A writer does not. */
	assert_int_equal(in_other_thread(OP_WRITE_TRY, &av), 0);
	up_read(&av);
	assert_false(rwsem_is_locked(&av));
	assert_int_equal(in_other_thread(OP_WRITE_TRY, &av), 1);
	assert_int_equal(nviol, 0);
}

#define NR_WRITERS 4
#define NR_READERS 2
#define ITERS 20000

enum excl_kind { EX_WRITE, EX_READ, EX_SPIN, EX_FOLIO };

struct excl_state {
	struct rw_semaphore sem;
	spinlock_t spin;
	struct folio folio;
	int inside;		/* plain: only touched under the lock */
	long counter;		/* plain: only touched under the lock */
	int bad;		/* atomic: someone saw another thread inside */
	int held_after;		/* atomic: threads that ended holding locks */
};

struct excl_arg {
	struct excl_state *s;
	enum excl_kind kind;
};

static void excl_lock(struct excl_state *s, enum excl_kind kind)
{
	switch (kind) {
	case EX_WRITE: down_write(&s->sem); break;
	case EX_READ: down_read(&s->sem); break;
	case EX_SPIN: spin_lock(&s->spin); break;
	case EX_FOLIO: folio_lock(&s->folio); break;
	}
}

static void excl_unlock(struct excl_state *s, enum excl_kind kind)
{
	switch (kind) {
	case EX_WRITE: up_write(&s->sem); break;
	case EX_READ: up_read(&s->sem); break;
	case EX_SPIN: spin_unlock(&s->spin); break;
	case EX_FOLIO: folio_unlock(&s->folio); break;
	}
}

/*
 * Exclusive holders mark themselves inside and count; readers only look.
 * Now and then the holder yields with the lock held, so that the others
 * exhaust their spinning and sleep on the futex.
 */
static void *excl_thread(void *p)
{
	struct excl_arg *a = p;
	struct excl_state *s = a->s;
	int i;

	for (i = 0; i < ITERS; i++) {
		excl_lock(s, a->kind);
		if (s->inside)
			__atomic_add_fetch(&s->bad, 1, __ATOMIC_RELAXED);
		if (a->kind != EX_READ) {
			s->inside = 1;
			s->counter++;
		}
		if (!(i % 16))
			sched_yield();
		if (a->kind != EX_READ)
			s->inside = 0;
		excl_unlock(s, a->kind);
	}
	if (locks_held_count())
		__atomic_add_fetch(&s->held_after, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* @nw exclusive threads of @kind plus @nr readers; check the count. */
static void run_excl(struct excl_state *s, enum excl_kind kind, int nw, int nr)
{
	struct excl_arg a[NR_WRITERS + NR_READERS];
	pthread_t t[NR_WRITERS + NR_READERS];
	int i;

	for (i = 0; i < nw + nr; i++) {
		a[i].s = s;
		a[i].kind = i < nw ? kind : EX_READ;
		assert_int_equal(pthread_create(&t[i], NULL, excl_thread, &a[i]), 0);
	}
	for (i = 0; i < nw + nr; i++)
		join_within(t[i], 120);
	assert_int_equal(s->counter, (long)nw * ITERS);
	assert_int_equal(s->bad, 0);
	assert_int_equal(s->held_after, 0);
}

static void test_writer_excludes(void **state)
{
	static struct excl_state s;

	memset(&s, 0, sizeof(s));
	init_rwsem(&s.sem, LOCK_CLASS_MMAP);
	run_excl(&s, EX_WRITE, NR_WRITERS, NR_READERS);
	assert_false(rwsem_is_locked(&s.sem));
	assert_int_equal(s.sem.waiters, 0);
	assert_int_equal(s.sem.owner, 0);
}

static void test_spinlock_excludes(void **state)
{
	static struct excl_state s;

	memset(&s, 0, sizeof(s));
	spin_lock_init(&s.spin, LOCK_CLASS_PTL);
	run_excl(&s, EX_SPIN, NR_WRITERS, 0);
	assert_int_equal(s.spin.locked, 0);
	assert_int_equal(s.spin.owner, 0);
}

static void test_folio_lock_excludes(void **state)
{
	static struct excl_state s;

	memset(&s, 0, sizeof(s));
	folio_set_flag(&s.folio, PG_dirty);
	run_excl(&s, EX_FOLIO, NR_WRITERS, 0);
	assert_false(folio_test_locked(&s.folio));
	/* The lock bit shares the word with other flags and leaves them be. */
	assert_int_equal(s.folio.flags, 1UL << PG_dirty);
	assert_int_equal(nviol, 0);
}

struct wait_arg {
	struct rw_semaphore *sem;
	int got;		/* atomic */
};

static void *down_write_thread(void *p)
{
	struct wait_arg *a = p;

	down_write(a->sem);
	__atomic_store_n(&a->got, 1, __ATOMIC_RELAXED);
	up_write(a->sem);
	return NULL;
}

/*
 * A writer waits for the reader, and once it has queued (the high half
 * of ->waiters) new readers yield to it, so rmap walkers cannot starve
 * fork or munmap.
 */
static void test_writer_waits_and_is_preferred(void **state)
{
	struct wait_arg a = { &av, 0 };
	pthread_t t;
	int i;

	down_read(&av);
	assert_int_equal(pthread_create(&t, NULL, down_write_thread, &a), 0);
	for (i = 0; i < 5000 && !(__atomic_load_n(&av.waiters,
						  __ATOMIC_RELAXED) >> 16); i++)
		sleep_ms(1);
	sleep_ms(50);
	assert_int_equal(__atomic_load_n(&av.waiters, __ATOMIC_RELAXED) >> 16, 1);
	assert_int_equal(in_other_thread(OP_READ_TRY, &av), 0);
	assert_int_equal(__atomic_load_n(&a.got, __ATOMIC_RELAXED), 0);
	up_read(&av);
	join_within(t, 10);
	assert_int_equal(a.got, 1);
	assert_false(rwsem_is_locked(&av));
	assert_int_equal(av.waiters, 0);
	assert_int_equal(in_other_thread(OP_READ_TRY, &av), 1);
}

/* ---- trylock and ownership ---------------------------------------------- */

static void test_trylock_semantics(void **state)
{
	assert_true(down_write_trylock(&av));
	assert_int_equal(locks_held_count(), 1);
	assert_int_equal(in_other_thread(OP_READ_TRY, &av), 0);
	assert_int_equal(in_other_thread(OP_WRITE_TRY, &av), 0);
	/* Our own trylock fails too, and a trylock never reports. */
	assert_false(down_write_trylock(&av));
	assert_false(down_read_trylock(&av));
	assert_int_equal(nviol, 0);
	up_write(&av);
	assert_int_equal(locks_held_count(), 0);

	/* Read trylocks share, even on one thread (a trylock cannot deadlock). */
	assert_true(down_read_trylock(&av));
	assert_true(down_read_trylock(&av));
	assert_int_equal(av.count, 2);
	assert_int_equal(locks_held_count(), 2);
	assert_false(down_write_trylock(&av));
	up_read(&av);
	up_read(&av);
	assert_int_equal(av.count, 0);

	assert_true(spin_trylock(&ptl));
	assert_false(spin_trylock(&ptl));
	assert_int_equal(in_other_thread(OP_SPIN_TRY, &ptl), 0);
	spin_unlock(&ptl);
	assert_int_equal(in_other_thread(OP_SPIN_TRY, &ptl), 1);
	assert_int_equal(nviol, 0);
}

static void test_owner_queries(void **state)
{
	assert_false(rwsem_is_locked(&mmap_sem));
	assert_false(rwsem_is_held(&mmap_sem));

	down_write(&mmap_sem);
	assert_true(rwsem_is_locked(&mmap_sem));
	assert_true(rwsem_is_write_owner(&mmap_sem));
	assert_true(rwsem_is_held(&mmap_sem));
	assert_int_equal(mmap_sem.owner, (int)syscall(SYS_gettid));
	assert_int_equal(in_other_thread(OP_IS_WRITE_OWNER, &mmap_sem), 0);
	assert_int_equal(in_other_thread(OP_IS_HELD, &mmap_sem), 0);

	downgrade_write(&mmap_sem);
	assert_true(rwsem_is_locked(&mmap_sem));
	assert_false(rwsem_is_write_owner(&mmap_sem));
	assert_true(rwsem_is_held(&mmap_sem));
	assert_int_equal(mmap_sem.owner, 0);
	assert_int_equal(mmap_sem.count, 1);
	assert_int_equal(locks_held_count(), 1);
	assert_int_equal(in_other_thread(OP_READ_TRY, &mmap_sem), 1);
	up_read(&mmap_sem);
	assert_false(rwsem_is_locked(&mmap_sem));
	assert_false(rwsem_is_held(&mmap_sem));

	down_read(&mmap_sem);
	assert_false(rwsem_is_write_owner(&mmap_sem));
	assert_true(rwsem_is_held(&mmap_sem));
	up_read(&mmap_sem);

	spin_lock(&ptl);
	assert_true(spin_is_held(&ptl));
	assert_int_equal(ptl.owner, (int)syscall(SYS_gettid));
	assert_int_equal(in_other_thread(OP_IS_HELD, &ptl), 0);
	spin_unlock(&ptl);
	assert_false(spin_is_held(&ptl));
	assert_int_equal(ptl.owner, 0);
	assert_int_equal(nviol, 0);
}

static void test_locks_held_count(void **state)
{
	assert_int_equal(locks_held_count(), 0);
	down_read(&mmap_sem);
	assert_int_equal(locks_held_count(), 1);
	folio_lock(&f1);
	assert_int_equal(locks_held_count(), 2);
	assert_true(folio_trylock(&f2));
	assert_int_equal(locks_held_count(), 3);
	assert_false(folio_trylock(&f1));
	assert_int_equal(locks_held_count(), 3);
	spin_lock(&ptl);
	assert_int_equal(locks_held_count(), 4);
	/* Out-of-order releases are fine. */
	folio_unlock(&f1);
	assert_int_equal(locks_held_count(), 3);
	up_read(&mmap_sem);
	assert_int_equal(locks_held_count(), 2);
	spin_unlock(&ptl);
	folio_unlock(&f2);
	assert_int_equal(locks_held_count(), 0);
	assert_false(folio_test_locked(&f1));
	assert_false(folio_test_locked(&f2));
	assert_int_equal(nviol, 0);
}

/* ---- lock-rule checks ---------------------------------------------------- */

static void test_order_violation(void **state)
{
	/* The right order: anon_vma root, then the page table lock. */
	down_write(&av);
	spin_lock(&ptl);
	spin_unlock(&ptl);
	up_write(&av);
	assert_int_equal(nviol, 0);

	spin_lock(&ptl);
	down_write(&av);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "lock order: ANON_VMA after PTL");
	assert_ptr_equal(last_lock, &av);
	/* The lock was still taken and is released normally. */
	assert_true(rwsem_is_write_owner(&av));
	up_write(&av);
	spin_unlock(&ptl);
	assert_int_equal(nviol, 1);

	/* Read side too. */
	spin_lock(&ptl);
	down_read(&av);
	assert_int_equal(nviol, 2);
	assert_string_equal(last_rule, "lock order: ANON_VMA after PTL");
	up_read(&av);
	spin_unlock(&ptl);
	assert_int_equal(nviol, 2);
}

static void test_full_order_chain(void **state)
{
	/* mmap_lock -> folio lock -> anon_vma -> PTL (spec §1.7): clean. */
	down_read(&mmap_sem);
	folio_lock(&f1);
	down_read(&av);
	spin_lock(&ptl);
	assert_int_equal(locks_held_count(), 4);
	spin_unlock(&ptl);
	up_read(&av);
	folio_unlock(&f1);
	up_read(&mmap_sem);
	assert_int_equal(nviol, 0);

	/* The folio lock after the PTL: one report, against the PTL. */
	down_read(&mmap_sem);
	spin_lock(&ptl);
	folio_lock(&f1);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "lock order: FOLIO after PTL");
	assert_ptr_equal(last_lock, &f1);
	folio_unlock(&f1);
	spin_unlock(&ptl);

	/* mmap_lock under the anon_vma lock. */
	up_read(&mmap_sem);
	down_write(&av);
	down_read(&mmap_sem);
	assert_int_equal(nviol, 2);
	assert_string_equal(last_rule, "lock order: MMAP after ANON_VMA");
	up_read(&mmap_sem);
	up_write(&av);
	assert_int_equal(nviol, 2);
}

static void test_trylock_not_order_checked(void **state)
{
	/* do_wp_page trylocks the folio under the PTE lock (spec §3.3). */
	spin_lock(&ptl);
	assert_true(folio_trylock(&f1));
	assert_true(down_read_trylock(&av));
	assert_int_equal(locks_held_count(), 3);
	up_read(&av);
	folio_unlock(&f1);
	spin_unlock(&ptl);
	assert_int_equal(nviol, 0);
}

static void test_nested_mmap(void **state)
{
	struct mm_struct mm1, mm2;

	down_write(&mmap_sem);
	down_write_nested(&mmap_sem2);
	assert_int_equal(nviol, 0);
	up_write(&mmap_sem2);
	up_write(&mmap_sem);

	down_write(&mmap_sem);
	down_write(&mmap_sem2);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "lock order: MMAP after MMAP");
	assert_ptr_equal(last_lock, &mmap_sem2);
	up_write(&mmap_sem2);
	up_write(&mmap_sem);

	/* The same through the mmap_lock helpers, as dup_mmap() does. */
	memset(&mm1, 0, sizeof(mm1));
	memset(&mm2, 0, sizeof(mm2));
	init_rwsem(&mm1.mmap_lock, LOCK_CLASS_MMAP);
	init_rwsem(&mm2.mmap_lock, LOCK_CLASS_MMAP);
	mmap_write_lock(&mm1);
	mmap_write_lock_nested(&mm2);
	mmap_assert_write_locked(&mm1);
	mmap_assert_write_locked(&mm2);
	mmap_write_unlock(&mm2);
	mmap_write_unlock(&mm1);
	assert_int_equal(nviol, 1);
}

static void test_internal_anywhere(void **state)
{
	spin_lock(&ptl);
	spin_lock(&leaf1);
	spin_lock(&leaf2);
	assert_int_equal(locks_held_count(), 3);
	spin_unlock(&leaf2);
	spin_unlock(&leaf1);
	spin_unlock(&ptl);

	/* Internal locks are outside the order in both directions. */
	spin_lock(&leaf1);
	down_write(&av);
	up_write(&av);
	spin_unlock(&leaf1);
	assert_int_equal(nviol, 0);
}

struct holder_arg {
	spinlock_t *lock;
	int holding;		/* atomic */
	int release;		/* atomic */
	int held_after;
};

/* Take the lock, say so, hold it until told to let go. */
static void *holder_thread(void *p)
{
	struct holder_arg *h = p;

	spin_lock(h->lock);
	__atomic_store_n(&h->holding, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	spin_unlock(h->lock);
	h->held_after = locks_held_count();
	return NULL;
}

static void test_unlock_not_held(void **state)
{
	struct holder_arg h = { .lock = &ptl };
	pthread_t t;
	int i;

	spin_unlock(&ptl);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "unlock of a lock not held by this thread");
	assert_ptr_equal(last_lock, &ptl);
	assert_int_equal(ptl.locked, 0);

	up_read(&av);
	assert_int_equal(nviol, 2);
	assert_ptr_equal(last_lock, &av);
	assert_int_equal(av.count, 0);

	up_write(&av);
	assert_int_equal(nviol, 3);
	assert_int_equal(av.count, 0);

	folio_unlock(&f1);
	assert_int_equal(nviol, 4);
	assert_ptr_equal(last_lock, &f1);

	/* Held by another thread: reported, and the lock is left alone. */
	assert_int_equal(pthread_create(&t, NULL, holder_thread, &h), 0);
	for (i = 0; i < 5000 && !__atomic_load_n(&h.holding, __ATOMIC_ACQUIRE); i++)
		sleep_ms(1);
	assert_int_equal(h.holding, 1);
	spin_unlock(&ptl);
	assert_int_equal(nviol, 5);
	assert_ptr_equal(last_lock, &ptl);
	assert_int_not_equal(__atomic_load_n(&ptl.locked, __ATOMIC_RELAXED), 0);
	__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
	join_within(t, 10);
	assert_int_equal(h.held_after, 0);
	assert_int_equal(ptl.locked, 0);
	assert_int_equal(nviol, 5);
	assert_int_equal(locks_held_count(), 0);
}

static void test_unlock_wrong_mode(void **state)
{
	down_write(&av);
	up_read(&av);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "up_read of a lock held for write");
	/* Released anyway, in the mode it was held. */
	assert_int_equal(av.count, 0);
	assert_int_equal(locks_held_count(), 0);

	down_read(&av);
	up_write(&av);
	assert_int_equal(nviol, 2);
	assert_string_equal(last_rule, "up_write of a lock held for read");
	assert_int_equal(av.count, 0);

	down_read(&av);
	downgrade_write(&av);
	assert_int_equal(nviol, 3);
	assert_string_equal(last_rule,
			    "downgrade_write of a lock not held for write");
	assert_int_equal(av.count, 1);
	up_read(&av);
	assert_int_equal(nviol, 3);
}

static void test_read_recursion(void **state)
{
	down_read(&av);
	down_read(&av);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule,
			    "self-deadlock: lock already held by this thread");
	assert_ptr_equal(last_lock, &av);
	assert_int_equal(av.count, 2);
	assert_int_equal(locks_held_count(), 2);
	up_read(&av);
	up_read(&av);
	assert_int_equal(av.count, 0);
	assert_int_equal(nviol, 1);
}

static void dummy_hook(const char *rule, const void *lock)
{
}

static void test_hook_swap(void **state)
{
	assert_ptr_equal(lock_set_violation_hook(dummy_hook), record_violation);
	assert_ptr_equal(lock_set_violation_hook(NULL), dummy_hook);
	assert_ptr_equal(lock_set_violation_hook(record_violation), NULL);
	lock_report_violation("test rule", &nviol);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "test rule");
	assert_ptr_equal(last_lock, &nviol);
}

/*
 * Without a hook a violation prints the rule and the held locks and
 * aborts.  Checked in a child process.
 */
static void test_default_handler_aborts(void **state)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		dup2(fds[1], 2);
		close(fds[0]);
		lock_set_violation_hook(NULL);
		spin_lock(&ptl);
		down_write(&av);
		_exit(0);	/* not reached */
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	       (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "lock rule broken: lock order: ANON_VMA after PTL"));
	assert_non_null(strstr(buf, "PTL write"));
}

/* ---- mmap_lock helpers and the per-VMA write lock ------------------------ */

struct vma_arg {
	struct vm_area_struct *vma;
	int result;
};

static void *vma_locked_thread(void *p)
{
	struct vma_arg *a = p;

	a->result = vma_is_write_locked(a->vma);
	return NULL;
}

static void test_mmap_lock_seq(void **state)
{
	struct mm_struct mm;
	struct vm_area_struct vma;
	struct vma_arg a = { &vma, -1 };
	unsigned int seq;
	pthread_t t;

	memset(&mm, 0, sizeof(mm));
	memset(&vma, 0, sizeof(vma));
	init_rwsem(&mm.mmap_lock, LOCK_CLASS_MMAP);
	vma.vm_mm = &mm;
	vma.vm_lock_seq = (unsigned int)-1;

	mmap_write_lock(&mm);
	seq = mm.mm_lock_seq;
	assert_false(vma_is_write_locked(&vma));
	vma_start_write(&vma);
	assert_true(vma_is_write_locked(&vma));
	vma_assert_write_locked(&vma);
	mmap_assert_write_locked(&mm);
	mmap_assert_locked(&mm);
	assert_int_equal(nviol, 0);
	/* Another thread does not hold the mmap lock: not locked for it. */
	assert_int_equal(pthread_create(&t, NULL, vma_locked_thread, &a), 0);
	join_within(t, 10);
	assert_int_equal(a.result, 0);

	mmap_write_unlock(&mm);
	assert_int_equal(mm.mm_lock_seq, seq + 1);
	assert_false(vma_is_write_locked(&vma));
	vma_assert_write_locked(&vma);
	assert_int_equal(nviol, 1);
	assert_string_equal(last_rule, "vma_assert_write_locked");
	assert_ptr_equal(last_lock, &vma);

	/* A new write lock does not bring the old VMA lock back. */
	mmap_write_lock(&mm);
	assert_false(vma_is_write_locked(&vma));
	vma_start_write(&vma);
	/* Downgrading ends the VMA write locks too. */
	mmap_write_downgrade(&mm);
	assert_int_equal(mm.mm_lock_seq, seq + 2);
	assert_false(vma_is_write_locked(&vma));
	mmap_assert_locked(&mm);
	assert_int_equal(nviol, 1);
	mmap_assert_write_locked(&mm);
	assert_int_equal(nviol, 2);
	assert_string_equal(last_rule, "mmap_assert_write_locked");
	assert_ptr_equal(last_lock, &mm);
	mmap_read_unlock(&mm);

	mmap_read_lock(&mm);
	mmap_assert_locked(&mm);
	assert_int_equal(nviol, 2);
	mmap_read_unlock(&mm);
	/* The read side never moves the sequence. */
	assert_int_equal(mm.mm_lock_seq, seq + 2);

	mmap_assert_locked(&mm);
	assert_int_equal(nviol, 3);
	assert_string_equal(last_rule, "mmap_assert_locked");

	/* Unlocking a write lock not held: one report, sequence unchanged. */
	mmap_write_unlock(&mm);
	assert_int_equal(nviol, 4);
	assert_string_equal(last_rule, "unlock of a lock not held by this thread");
	assert_int_equal(mm.mm_lock_seq, seq + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_readers_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_excludes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spinlock_excludes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_lock_excludes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_waits_and_is_preferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trylock_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locks_held_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_order_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trylock_not_order_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_mmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_internal_anywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlock_not_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlock_wrong_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_recursion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_handler_aborts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmap_lock_seq, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
