/* SPDX-License-Identifier: MIT */
/*
 * anonvma-stress: the model under real threads (docs/stress.md).
 *
 * Operator threads each own a small family of processes and run
 * fork/exit/fault/mmap/munmap/mprotect/mremap/madvise on them (a forked
 * child may be handed over to another operator, so that one anon_vma
 * hierarchy is changed by several threads at once); walker
 * threads pick folios from random live processes and walk their reverse
 * map (referenced checks, reclaim to swap, migration, plain walks).
 * That is the situation the anon_vma's type-stable cache and
 * folio_lock_anon_vma_read() exist for (spec §1.1, §2.8).  Every few
 * thousand operations all threads stop at a barrier and the invariant
 * checker runs; a watchdog turns a hang into a failure that prints
 * every thread's held locks.
 */
#ifndef STRESS_H
#define STRESS_H

#include <pthread.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <anonvma/anonvma.h>

/* Every process maps its memory inside one window of the address space. */
#define STRESS_WIN		0x200000000000UL
#define STRESS_PAGES_DEFAULT	64
/* Processes one operator thread may own at a time (its "family"). */
#define FAMILY_MAX		4

/* Exit statuses of the program. */
#define EXIT_PASS	0
#define EXIT_FAILED	1	/* invariant, leak, held lock, WARN */
#define EXIT_USAGE	2
#define EXIT_HUNG	3	/* the watchdog fired */

struct stress_opts {
	int threads;		/* operator threads */
	int walkers;		/* rmap walker threads */
	double seconds;		/* how long to run */
	uint64_t seed;
	unsigned long check_every;	/* operations between invariant checks */
	int watchdog;		/* seconds without progress that count as a hang */
	int fail_permille;	/* allocation failures injected, per mille */
	int design;		/* enum anonvma_design */
	unsigned long pages;	/* window size in pages */
	bool inject_hang;	/* watchdog self-test: a thread stops holding a lock */
	bool verbose;
};

extern struct stress_opts opts;

/* A small, fast, seedable generator (splitmix64). */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static inline unsigned long rng_below(struct rng *r, unsigned long n)
{
	return (unsigned long)(rng_next(r) % n);
}

/* The operations, operators' and walkers', for the statistics. */
enum stress_op {
	OP_WRITE,
	OP_READ,
	OP_MMAP,
	OP_MMAP_FILE,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MREMAP,
	OP_DONTNEED,
	OP_MADV_FLAGS,
	OP_FORK,
	OP_EXIT,
	OP_ADOPT,
	OP_W_REFERENCED,
	OP_W_RECLAIM,
	OP_W_RECLAIM_KEEP,
	OP_W_MIGRATE,
	OP_W_WALK,
	OP_W_NOFOLIO,
	NR_STRESS_OPS
};

const char *stress_op_name(enum stress_op op);

/* An operation and its relative weight in a thread's random choice. */
struct op_weight {
	enum stress_op op;
	unsigned int weight;
};

/** pick_weighted() - one of the @n operations of @w, by weight. */
enum stress_op pick_weighted(struct rng *r, const struct op_weight *w,
			     unsigned int n);

/*
 * struct thread_info - one thread of the run.  @cur_op and @ops are
 * read by the watchdog and the final report from other threads, so
 * they are only accessed atomically.
 */
struct thread_info {
	char name[16];
	int index;		/* among operators, or among walkers */
	bool walker;
	struct rng rng;
	pthread_t thread;
	int cur_op;		/* enum stress_op in progress, -1 between ops */
	struct mm_struct *cur_mm;	/* the process and page it is at, */
	unsigned long cur_addr;		/* for the watchdog (0: none) */
	unsigned long ops;
	unsigned long count[NR_STRESS_OPS];	/* own thread only until joined */
	unsigned long errors[NR_STRESS_OPS];	/* operations that returned an error */
	unsigned long walk_visited, walk_mapped;
	/* operators */
	struct file *file;	/* for private and shared file mappings */
	uint64_t token;		/* next value a write stores */
};

/* procs.c: the table of live processes, shared by all threads. */
int procs_init(int nslots);
void procs_exit(void);
int procs_nslots(void);
struct mm_struct *proc_pin(int slot);
void proc_unpin(int slot);
void proc_publish(int slot, struct mm_struct *mm);
struct mm_struct *proc_retire(int slot);
/** proc_peek() - the slot's mm, for its owner only (no pin). */
struct mm_struct *proc_peek(int slot);

/* control.c: pauses, progress, failures, watchdog. */
void control_init(int nthreads);
bool stress_stopping(void);
void op_begin(struct thread_info *ti, enum stress_op op);
void op_end(struct thread_info *ti, enum stress_op op, bool error);
/** op_at() - @ti is now working on @addr of @mm (NULL: on nothing). */
void op_at(struct thread_info *ti, struct mm_struct *mm, unsigned long addr);
void checkpoint(struct thread_info *ti);
void thread_leaves(struct thread_info *ti);
void stress_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned long stress_checks_done(void);
/** control_run() - the controller: checks at pauses, until the deadline. */
void control_run(void);
int watchdog_start(struct thread_info *all, int nall);
void watchdog_stop(void);
/** run_invariant_check() - check_invariants() plus the WARN count. */
bool run_invariant_check(const char *when);

/* operator.c, walker.c: the thread bodies. */
void *operator_main(void *arg);
void *walker_main(void *arg);
/** operators_init() - state shared by @n operators (the hand-off boxes). */
int operators_init(int n);
/** operators_exit() - after every operator ended: processes still handed over exit. */
void operators_exit(void);
/** operator_setup() - the first process of operator @ti's family. */
int operator_setup(struct thread_info *ti);

#endif
