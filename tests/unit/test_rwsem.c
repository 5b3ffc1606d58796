/* SPDX-License-Identifier: MIT */
/*
 * Lost wake-ups in the rw_semaphore of mm/locking.c, replayed exactly.
 *
 * A sleeper samples the lock, decides to wait, and only then reaches
 * FUTEX_WAIT.  If the lock word it would wait on goes from the sampled
 * value through other values and back again in that gap, and the one
 * wake meant for it is sent before it sleeps, it sleeps for good.  The
 * stress driver hit exactly this on CI: a reader saw the lock free but
 * a writer queued, the writer took and released it, and the reader
 * slept on "free" with nobody left to wake it.
 *
 * rwsem_sleep_hook (mm/lockdep.h) stops a thread in that gap, so the
 * interleaving is forced rather than hoped for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "internal.h"
#include "lockdep.h"

static struct rw_semaphore sem;

/* A tiny gate: a thread parks in the hook until the test opens it. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool arrived;		/* the thread is parked */
	bool open;		/* the test let it go */
	int uses;		/* the hook parks each thread once */
};

static struct gate writer_gate = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, 0
};
static struct gate reader_gate = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, 0
};

static void gate_park(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	if (g->uses++ == 0) {
		g->arrived = true;
		pthread_cond_broadcast(&g->cv);
		while (!g->open)
			pthread_cond_wait(&g->cv, &g->mu);
	}
	pthread_mutex_unlock(&g->mu);
}

static void gate_wait_arrival(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	while (!g->arrived)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void park_before_sleep(struct rw_semaphore *s, bool writer)
{
	if (s == &sem)
		gate_park(writer ? &writer_gate : &reader_gate);
}

static int writer_done, reader_done;

static void *writer(void *p)
{
	down_write(&sem);
	up_write(&sem);
	__atomic_store_n(&writer_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *reader(void *p)
{
	down_read(&sem);
	up_read(&sem);
	__atomic_store_n(&reader_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static bool wait_flag(int *flag, int seconds)
{
	struct timespec ts = { 0, 1000000L };
	int i;

	for (i = 0; i < seconds * 1000; i++) {
		if (__atomic_load_n(flag, __ATOMIC_SEQ_CST))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/*
 * The hang from CI, step by step:
 *  1. the test holds the lock for read;
 *  2. a writer queues (writer preference is now on) and is parked just
 *     before its sleep;
 *  3. the test lets go: the lock is free, the writer still queued;
 *  4. a reader arrives, sees "free but a writer waits", decides to
 *     sleep and is parked just before its sleep;
 *  5. the writer goes on, takes the lock and releases it: the lock is
 *     free again and the wake is sent while the reader is not asleep;
 *  6. the reader goes to sleep.  It must still get the lock.
 */
static void test_reader_not_lost_after_writer_cycle(void **state)
{
	pthread_t w, r;
	bool got;

	init_rwsem(&sem, LOCK_CLASS_ANON_VMA);
	rwsem_sleep_hook = park_before_sleep;

	down_read(&sem);					/* 1 */
	assert_int_equal(pthread_create(&w, NULL, writer, NULL), 0);
	gate_wait_arrival(&writer_gate);			/* 2 */
	up_read(&sem);						/* 3 */
	assert_false(rwsem_is_locked(&sem));
	assert_int_equal(pthread_create(&r, NULL, reader, NULL), 0);
	gate_wait_arrival(&reader_gate);			/* 4 */
	gate_open(&writer_gate);				/* 5 */
	assert_true(wait_flag(&writer_done, 10));
	assert_false(rwsem_is_locked(&sem));
	gate_open(&reader_gate);				/* 6 */

	got = wait_flag(&reader_done, 5);
	assert_int_equal(pthread_join(w, NULL), 0);
	rwsem_sleep_hook = NULL;
	/* A lost reader is left asleep; the process ends after the report. */
	if (!got)
		fail_msg("the reader slept through the writer's wake-up");
	assert_int_equal(pthread_join(r, NULL), 0);
	assert_false(rwsem_is_locked(&sem));
	assert_int_equal(sem.waiters, 0);
	assert_int_equal(locks_held_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_not_lost_after_writer_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
