/* SPDX-License-Identifier: MIT */
/*
 * The run's control: counting operations, stopping every thread at a
 * barrier for the invariant checker, failing, and the watchdog.
 *
 * Pauses.  The thread whose operation makes the total a multiple of
 * --check-every raises pause_req; every thread looks at it between two
 * operations (checkpoint()), where it holds no lock, no pin and no
 * folio reference, and parks.  When all running threads are parked the
 * controller (the main thread) runs check_invariants(): the model is
 * quiescent, exactly what the checker requires (spec §4.1).  Then it
 * bumps the generation and wakes everyone.
 *
 * Failures are fatal: once an invariant is broken or a lock is left
 * held, the state is not worth tearing down, so the message (with the
 * seed, to replay the operation sequences) is printed and the process
 * exits with EXIT_FAILED.
 *
 * The watchdog is a thread that watches the operation count.  If it
 * does not move for --watchdog seconds (time spent in the checker does
 * not count), the run is hung: it prints what each thread was doing and
 * every thread's held locks and the lock it waits for
 * (lock_dump_all_threads()), and exits with EXIT_HUNG.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

static pthread_mutex_t ctl_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ctl_cond = PTHREAD_COND_INITIALIZER;	/* controller */
static pthread_cond_t resume_cond = PTHREAD_COND_INITIALIZER;	/* parked */
static int running;		/* threads in their loop; ctl_mutex */
static int parked;		/* ctl_mutex */
static unsigned long generation;	/* ctl_mutex */

/* Read without ctl_mutex by every thread: atomics. */
static int pause_req;
static int stopping;
static int in_check;
static unsigned long total_ops;
static unsigned long checks_done;

static unsigned long warns_at_start;

static const char *const op_names[NR_STRESS_OPS] = {
	[OP_WRITE] = "write",
	[OP_READ] = "read",
	[OP_MMAP] = "mmap",
	[OP_MMAP_FILE] = "mmap-file",
	[OP_MUNMAP] = "munmap",
	[OP_MPROTECT] = "mprotect",
	[OP_MREMAP] = "mremap",
	[OP_DONTNEED] = "madvise-dontneed",
	[OP_MADV_FLAGS] = "madvise-flags",
	[OP_FORK] = "fork",
	[OP_EXIT] = "exit",
	[OP_ADOPT] = "adopt",
	[OP_W_REFERENCED] = "folio_referenced",
	[OP_W_RECLAIM] = "reclaim",
	[OP_W_RECLAIM_KEEP] = "reclaim-keep-cache",
	[OP_W_MIGRATE] = "migrate",
	[OP_W_WALK] = "rmap_walk",
	[OP_W_NOFOLIO] = "no-folio",
};

/** stress_op_name() - the name of @op in reports. */
const char *stress_op_name(enum stress_op op)
{
	if ((unsigned int)op >= NR_STRESS_OPS)
		return "-";
	return op_names[op];
}

/** pick_weighted() - see stress.h. */
enum stress_op pick_weighted(struct rng *r, const struct op_weight *w,
			     unsigned int n)
{
	unsigned int total = 0, x, i;

	for (i = 0; i < n; i++)
		total += w[i].weight;
	x = (unsigned int)rng_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < w[i].weight)
			return w[i].op;
		x -= w[i].weight;
	}
	return w[n - 1].op;
}

/** control_init() - @nthreads threads will take part in the pauses. */
void control_init(int nthreads)
{
	running = nthreads;
	warns_at_start = vm_warn_count();
}

/** stress_stopping() - the deadline has passed: threads wind down. */
bool stress_stopping(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);
}

/* Tell every thread to finish (and wake parked ones). */
static void stress_stop(void)
{
	pthread_mutex_lock(&ctl_mutex);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	generation++;
	pthread_cond_broadcast(&resume_cond);
	pthread_mutex_unlock(&ctl_mutex);
}

/* Operations completed by all threads so far. */
static unsigned long stress_total_ops(void)
{
	return __atomic_load_n(&total_ops, __ATOMIC_RELAXED);
}

/** stress_checks_done() - invariant checks run at pauses so far. */
unsigned long stress_checks_done(void)
{
	return __atomic_load_n(&checks_done, __ATOMIC_RELAXED);
}

/**
 * stress_fail() - report a failure and end the run with EXIT_FAILED.
 * @fmt: printf format of the message.
 */
void stress_fail(const char *fmt, ...)
{
	static pthread_mutex_t fail_mutex = PTHREAD_MUTEX_INITIALIZER;
	va_list ap;

	pthread_mutex_lock(&fail_mutex);	/* one report, never unlocked */
	fprintf(stderr, "anonvma-stress: FAILED (seed %llu): ",
		(unsigned long long)opts.seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	fflush(stdout);
	_exit(EXIT_FAILED);
}

/** op_begin() - @ti starts @op (for the watchdog's report). */
void op_begin(struct thread_info *ti, enum stress_op op)
{
	__atomic_store_n(&ti->cur_op, (int)op, __ATOMIC_RELAXED);
}

/** op_at() - @ti now works on page @addr of @mm (watchdog reports). */
void op_at(struct thread_info *ti, struct mm_struct *mm, unsigned long addr)
{
	__atomic_store_n(&ti->cur_addr, addr, __ATOMIC_RELAXED);
	__atomic_store_n(&ti->cur_mm, mm, __ATOMIC_RELAXED);
}

/**
 * op_end() - @ti finished @op: count it, check that it left no lock
 * held (the executor's check after each scenario step, spec §4.2), and
 * raise a pause every --check-every operations.
 * @ti: the calling thread.
 * @op: the operation.
 * @error: it returned an error (counted, not a failure: the model may
 *         refuse an operation, e.g. an injected allocation failure).
 */
void op_end(struct thread_info *ti, enum stress_op op, bool error)
{
	int held = locks_held_count();
	unsigned long n;

	if (held) {
		lock_dump_all_threads(stderr);
		stress_fail("%s: %d locks still held after %s", ti->name, held,
			    stress_op_name(op));
	}
	ti->count[op]++;
	if (error)
		ti->errors[op]++;
	__atomic_store_n(&ti->ops, ti->ops + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&ti->cur_op, -1, __ATOMIC_RELAXED);
	op_at(ti, NULL, 0);
	n = __atomic_add_fetch(&total_ops, 1, __ATOMIC_RELAXED);
	if (opts.check_every && n % opts.check_every == 0) {
		pthread_mutex_lock(&ctl_mutex);
		__atomic_store_n(&pause_req, 1, __ATOMIC_RELEASE);
		pthread_cond_signal(&ctl_cond);
		pthread_mutex_unlock(&ctl_mutex);
	}
}

/**
 * checkpoint() - between two operations: park while a pause is requested.
 * @ti: the calling thread, which holds no lock, pin or folio reference.
 */
void checkpoint(struct thread_info *ti)
{
	unsigned long gen;

	if (!__atomic_load_n(&pause_req, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&ctl_mutex);
	if (!__atomic_load_n(&pause_req, __ATOMIC_RELAXED) ||
	    stress_stopping()) {
		pthread_mutex_unlock(&ctl_mutex);
		return;
	}
	gen = generation;
	parked++;
	pthread_cond_signal(&ctl_cond);
	while (gen == generation)
		pthread_cond_wait(&resume_cond, &ctl_mutex);
	pthread_mutex_unlock(&ctl_mutex);
}

/** thread_leaves() - @ti stops taking part in pauses (it is finishing). */
void thread_leaves(struct thread_info *ti)
{
	pthread_mutex_lock(&ctl_mutex);
	running--;
	pthread_cond_signal(&ctl_cond);
	pthread_mutex_unlock(&ctl_mutex);
}

/**
 * run_invariant_check() - the checker at a quiescent point.
 * @when: for the failure message.
 *
 * check_invariants() over every live mm and anon_vma, no lock held by
 * the caller, and no kernel-style assertion (WARN_ON) fired since the
 * run began.  Fails the run otherwise.
 *
 * Return: true (a failure does not return).
 */
bool run_invariant_check(const char *when)
{
	static struct check_report rep;
	unsigned long warns;
	int n;

	__atomic_store_n(&in_check, 1, __ATOMIC_RELAXED);
	n = check_invariants(&rep);
	__atomic_store_n(&in_check, 0, __ATOMIC_RELAXED);
	if (n) {
		check_report_print(&rep, "  ", stderr);
		stress_fail("%d invariant violations %s (after %lu operations)",
			    n, when, stress_total_ops());
	}
	warns = vm_warn_count() - warns_at_start;
	if (warns)
		stress_fail("%lu kernel assertions (WARN_ON) fired %s", warns,
			    when);
	if (locks_held_count())
		stress_fail("the controller holds %d locks %s",
			    locks_held_count(), when);
	return true;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void abs_time_in(struct timespec *ts, double seconds)
{
	double t;

	clock_gettime(CLOCK_REALTIME, ts);
	t = (double)ts->tv_nsec / 1e9 + seconds;
	ts->tv_sec += (time_t)t;
	ts->tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
}

/**
 * control_run() - the controller, until the deadline: serve pauses with
 * an invariant check, then tell everyone to stop.
 */
void control_run(void)
{
	double deadline = now_seconds() + opts.seconds;
	struct timespec ts;

	pthread_mutex_lock(&ctl_mutex);
	for (;;) {
		double left = deadline - now_seconds();

		if (left <= 0)
			break;
		if (!__atomic_load_n(&pause_req, __ATOMIC_RELAXED)) {
			abs_time_in(&ts, left < 0.1 ? left : 0.1);
			pthread_cond_timedwait(&ctl_cond, &ctl_mutex, &ts);
			continue;
		}
		/* Every thread parks at its next checkpoint, or leaves. */
		while (parked < running)
			pthread_cond_wait(&ctl_cond, &ctl_mutex);
		pthread_mutex_unlock(&ctl_mutex);

		run_invariant_check("at a pause");
		__atomic_add_fetch(&checks_done, 1, __ATOMIC_RELAXED);

		pthread_mutex_lock(&ctl_mutex);
		__atomic_store_n(&pause_req, 0, __ATOMIC_RELEASE);
		parked = 0;
		generation++;
		pthread_cond_broadcast(&resume_cond);
	}
	pthread_mutex_unlock(&ctl_mutex);
	stress_stop();
}

/* ------------------------------------------------------------------ */
/* Watchdog                                                            */

static pthread_t watchdog_thread;
static int watchdog_quit;
static struct thread_info *wd_all;
static int wd_nall;

/*
 * What the page-table entry a stuck thread works on holds: a thread
 * that loops in a fault (a migration entry that is never restored, a
 * swap entry whose cache is inconsistent) shows here.  Only for a
 * thread that is stuck inside an operation on its own process: that
 * keeps the mm alive (a thread still making progress may free it at
 * any time).  The page-table lock is only tried, the thread may hold it.
 */
static void report_pte(struct thread_info *ti)
{
	struct mm_struct *mm = __atomic_load_n(&ti->cur_mm, __ATOMIC_RELAXED);
	unsigned long addr = __atomic_load_n(&ti->cur_addr, __ATOMIC_RELAXED);
	pte_t *ptep, pte;

	if (!mm)
		return;
	if (!spin_trylock(&mm->page_table_lock)) {
		fprintf(stderr, "    at mm#%lu 0x%lx (page-table lock busy)\n",
			mm->serial, addr);
		return;
	}
	ptep = pte_offset_map(mm, addr & PAGE_MASK, false, NULL);
	pte.val = ptep ? READ_ONCE(ptep->val) : 0;
	fprintf(stderr, "    at mm#%lu 0x%lx: pte 0x%lx%s%s%s\n", mm->serial,
		addr, (unsigned long)pte.val,
		pte_present(pte) ? " present" : "",
		is_swap_entry_pte(pte) ? " swap" : "",
		is_migration_pte(pte) ? " migration" : "");
	if (pte_present(pte) && pte_folio(pte)) {
		struct folio *f = pte_folio(pte);

		fprintf(stderr, "    folio #%lu flags 0x%lx mapcount %d refcount %d\n",
			f->serial, READ_ONCE(f->flags), folio_mapcount(f),
			folio_ref_count(f));
	}
	spin_unlock(&mm->page_table_lock);
}

/* @stuck: the thread that made no progress, or NULL: none did. */
static void watchdog_report(struct thread_info *stuck, double stalled)
{
	const char *who = stuck ? stuck->name : "the run";
	int i;

	fprintf(stderr,
		"anonvma-stress: HUNG (seed %llu): %s made no progress for %.1f s, after %lu operations in all\n",
		(unsigned long long)opts.seed, who, stalled,
		stress_total_ops());
	for (i = 0; i < wd_nall; i++) {
		struct thread_info *ti = &wd_all[i];

		fprintf(stderr, "  thread %s: %lu operations, now: %s\n",
			ti->name, __atomic_load_n(&ti->ops, __ATOMIC_RELAXED),
			stress_op_name((enum stress_op)__atomic_load_n(
				&ti->cur_op, __ATOMIC_RELAXED)));
		if (!stuck || ti == stuck)
			report_pte(ti);
	}
	lock_dump_all_threads(stderr);
	fflush(stderr);
	_exit(EXIT_HUNG);
}

/*
 * Two ways to hang: one thread stuck inside an operation while the
 * others go on (a lock that is never released blocks only its
 * waiters, until the next pause), and the run as a whole standing
 * still (everyone parked behind a thread that never parks).
 */
static void *watchdog_main(void *arg)
{
	unsigned long last = stress_total_ops() + 1;
	unsigned long *t_ops = calloc((size_t)wd_nall, sizeof(*t_ops));
	double *t_since = calloc((size_t)wd_nall, sizeof(*t_since));
	double since = now_seconds();
	int i;

	(void)arg;
	if (!t_ops || !t_since)
		stress_fail("watchdog: out of memory");
	lock_set_thread_name("watchdog");
	for (i = 0; i < wd_nall; i++)
		t_since[i] = since;
	while (!__atomic_load_n(&watchdog_quit, __ATOMIC_ACQUIRE)) {
		unsigned long progress = stress_total_ops() +
					 stress_checks_done();
		double t = now_seconds();

		for (i = 0; i < wd_nall; i++) {
			struct thread_info *ti = &wd_all[i];
			unsigned long ops = __atomic_load_n(&ti->ops,
							    __ATOMIC_RELAXED);

			/* Between operations (parked, or done) is not stuck. */
			if (ops != t_ops[i] ||
			    __atomic_load_n(&ti->cur_op, __ATOMIC_RELAXED) < 0) {
				t_ops[i] = ops;
				t_since[i] = t;
			} else if (t - t_since[i] >= opts.watchdog) {
				watchdog_report(ti, t - t_since[i]);
			}
		}
		if (progress != last ||
		    __atomic_load_n(&in_check, __ATOMIC_RELAXED)) {
			last = progress;
			since = t;
		} else if (t - since >= opts.watchdog) {
			watchdog_report(NULL, t - since);
		}
		usleep(100 * 1000);
	}
	free(t_ops);
	free(t_since);
	return NULL;
}

/**
 * watchdog_start() - start watching the progress of @all.
 * @all:  the threads, for the report.
 * @nall: how many.
 *
 * Return: 0 or an errno of pthread_create().
 */
int watchdog_start(struct thread_info *all, int nall)
{
	wd_all = all;
	wd_nall = nall;
	if (opts.watchdog <= 0)
		return 0;
	return pthread_create(&watchdog_thread, NULL, watchdog_main, NULL);
}

/** watchdog_stop() - the run is over: stop watching. */
void watchdog_stop(void)
{
	if (opts.watchdog <= 0)
		return;
	__atomic_store_n(&watchdog_quit, 1, __ATOMIC_RELEASE);
	pthread_join(watchdog_thread, NULL);
}
