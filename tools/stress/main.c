/* SPDX-License-Identifier: MIT */
/*
 * anonvma-stress - run the model under concurrent operators and rmap
 * walkers for a bounded time (docs/stress.md).
 *
 *   anonvma-stress [--threads T] [--walkers R] [--seconds N] [--seed S]
 *                  [--check-every M] [--watchdog S] [--fail-permille P]
 *                  [--design NAME] [--pages N] [--bug NAME]...
 *                  [--inject-hang] [--verbose]
 *
 * Exit status: 0 pass, 1 failure (invariant violation, lock left held,
 * WARN_ON, lost write, leak), 2 usage, 3 hang caught by the watchdog.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

struct stress_opts opts = {
	.threads = 4,
	.walkers = 2,
	.seconds = 10,
	.seed = 1,
	.check_every = 5000,
	.watchdog = 30,
	.design = DESIGN_MAINLINE,
	.pages = STRESS_PAGES_DEFAULT,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: anonvma-stress [options]\n"
		"  --threads T        operator threads, each with its own processes (4)\n"
		"  --walkers R        rmap walker threads (2)\n"
		"  --seconds N        how long to run (10)\n"
		"  --seed S           seed of every thread's operation sequence (1)\n"
		"  --check-every M    operations between invariant checks, 0: only at the end (5000)\n"
		"  --watchdog S       seconds without progress that count as a hang, 0: off (30)\n"
		"  --fail-permille P  make P of every 1000 allocations fail (0)\n"
		"  --design NAME      mainline or v6.18 (mainline)\n"
		"  --pages N          pages in each process's window (64)\n"
		"  --bug NAME         switch a historical bug back on (e.g. put-root-first);\n"
		"                     the run is then expected to fail\n"
		"  --inject-hang      self-test: one thread stops holding a lock\n"
		"  --verbose          per-thread statistics\n");
}

static bool parse_ulong(const char *s, unsigned long long max,
			unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "walkers", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "check-every", required_argument, NULL, 'c' },
		{ "watchdog", required_argument, NULL, 'W' },
		{ "fail-permille", required_argument, NULL, 'f' },
		{ "design", required_argument, NULL, 'd' },
		{ "pages", required_argument, NULL, 'p' },
		{ "bug", required_argument, NULL, 'b' },
		{ "inject-hang", no_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!parse_ulong(optarg, 64, &v) || !v)
				goto bad;
			opts.threads = (int)v;
			break;
		case 'w':
			if (!parse_ulong(optarg, 64, &v))
				goto bad;
			opts.walkers = (int)v;
			break;
		case 's':
			opts.seconds = strtod(optarg, &end);
			if (*end || !(opts.seconds > 0) || opts.seconds > 86400)
				goto bad;
			break;
		case 'S':
			if (!parse_ulong(optarg, ~0ULL, &v))
				goto bad;
			opts.seed = v;
			break;
		case 'c':
			if (!parse_ulong(optarg, ~0UL, &v))
				goto bad;
			opts.check_every = (unsigned long)v;
			break;
		case 'W':
			if (!parse_ulong(optarg, 3600, &v))
				goto bad;
			opts.watchdog = (int)v;
			break;
		case 'f':
			if (!parse_ulong(optarg, 1000, &v))
				goto bad;
			opts.fail_permille = (int)v;
			break;
		case 'd':
			opts.design = design_parse(optarg);
			if (opts.design < 0)
				goto bad;
			break;
		case 'p':
			if (!parse_ulong(optarg, 1UL << 20, &v) || v < 8)
				goto bad;
			opts.pages = (unsigned long)v;
			break;
		case 'b':
			c = bug_parse(optarg);
			if (c < 0)
				goto bad;
			anonvma_bugs |= 1UL << c;
			break;
		case 'H':
			opts.inject_hang = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_PASS);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "anonvma-stress: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "anonvma-stress: bad value '%s'\n", optarg);
	usage(stderr);
	return -1;
}

/*
 * Fault injection under a seed: each thread draws from its own
 * generator, so the hook needs no lock (spec: the allocation-failure
 * hook of slab.h is called from every thread).
 */
static __thread struct rng fail_rng;
static __thread bool fail_rng_ready;
static unsigned int fail_rng_threads;

static bool fail_hook(const struct kmem_cache *c, enum alloc_site site,
		      void *arg)
{
	(void)c;
	(void)site;
	(void)arg;
	if (!fail_rng_ready) {
		unsigned int n = __atomic_add_fetch(&fail_rng_threads, 1,
						    __ATOMIC_RELAXED);

		fail_rng.s = opts.seed * 0x2545f4914f6cdd1dULL + n;
		fail_rng_ready = true;
	}
	return rng_below(&fail_rng, 1000) < (unsigned long)opts.fail_permille;
}

/* A lock rule broken under stress: say where every thread was, then stop. */
static void violation(const char *rule, const void *lock)
{
	fprintf(stderr, "anonvma-stress: lock rule broken: %s (lock %p)\n",
		rule, lock);
	lock_dump_all_threads(stderr);
	stress_fail("lock rule broken: %s", rule);
}

static void print_summary(struct thread_info *all, int nall, double secs,
			  unsigned long leaks)
{
	unsigned long count[NR_STRESS_OPS] = { 0 }, errors[NR_STRESS_OPS] = { 0 };
	unsigned long visited = 0, mapped = 0, total = 0;
	int i, op;

	for (i = 0; i < nall; i++) {
		for (op = 0; op < NR_STRESS_OPS; op++) {
			count[op] += all[i].count[op];
			errors[op] += all[i].errors[op];
			total += all[i].count[op];
		}
		visited += all[i].walk_visited;
		mapped += all[i].walk_mapped;
	}
	printf("anonvma-stress: %d operators, %d walkers, %.1f s, seed %llu, design %s%s%s\n",
	       opts.threads, opts.walkers, secs, (unsigned long long)opts.seed,
	       design_name((enum anonvma_design)opts.design),
	       opts.fail_permille ? ", allocation failures injected" : "",
	       anonvma_bugs ? ", bug switches on" : "");
	printf("  operations %lu (%.0f/s), invariant checks %lu, leaks %lu\n",
	       total, secs > 0 ? (double)total / secs : 0.0,
	       stress_checks_done() + 1, leaks);
	for (op = 0; op < NR_STRESS_OPS; op++)
		if (count[op])
			printf("  %-20s %10lu  (returned an error: %lu)\n",
			       stress_op_name((enum stress_op)op), count[op],
			       errors[op]);
	printf("  walks: %lu VMAs visited, %lu of them mapped the folio\n",
	       visited, mapped);
	if (!opts.verbose)
		return;
	for (i = 0; i < nall; i++)
		printf("  thread %-8s %10lu operations\n", all[i].name,
		       all[i].ops);
}

int main(int argc, char **argv)
{
	struct thread_info *all;
	int nall, i, err;
	unsigned long leaks;
	struct timespec t0, t1;
	double secs;

	if (parse_options(argc, argv))
		return EXIT_USAGE;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (anonvma_init((enum anonvma_design)opts.design)) {
		fprintf(stderr, "anonvma-stress: cannot set up the model\n");
		return EXIT_FAILED;
	}
	lock_set_violation_hook(violation);
	lock_set_thread_name("main");

	nall = opts.threads + opts.walkers;
	all = calloc((size_t)nall, sizeof(*all));
	if (!all || procs_init(opts.threads * FAMILY_MAX) ||
	    operators_init(opts.threads)) {
		fprintf(stderr, "anonvma-stress: out of memory\n");
		return EXIT_FAILED;
	}
	for (i = 0; i < nall; i++) {
		struct thread_info *ti = &all[i];

		ti->walker = i >= opts.threads;
		ti->index = ti->walker ? i - opts.threads : i;
		snprintf(ti->name, sizeof(ti->name), "%s-%d",
			 ti->walker ? "walk" : "op", ti->index);
		ti->rng.s = opts.seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
		ti->cur_op = -1;
		if (!ti->walker && operator_setup(ti)) {
			fprintf(stderr, "anonvma-stress: cannot start %s\n",
				ti->name);
			return EXIT_FAILED;
		}
	}
	if (opts.fail_permille)
		slab_set_fail_hook(fail_hook, NULL);

	control_init(nall);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (watchdog_start(all, nall)) {
		fprintf(stderr, "anonvma-stress: cannot start the watchdog\n");
		return EXIT_FAILED;
	}
	for (i = 0; i < nall; i++) {
		err = pthread_create(&all[i].thread, NULL,
				     all[i].walker ? walker_main : operator_main,
				     &all[i]);
		if (err) {
			fprintf(stderr, "anonvma-stress: cannot start %s: %s\n",
				all[i].name, strerror(err));
			_exit(EXIT_FAILED);
		}
	}
	control_run();
	for (i = 0; i < nall; i++)
		pthread_join(all[i].thread, NULL);
	watchdog_stop();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* Everything exited: no process, no anon_vma, no folio may be left. */
	slab_set_fail_hook(NULL, NULL);
	operators_exit();
	run_invariant_check("at the end");
	for (i = 0; i < opts.threads; i++)
		fput(all[i].file);
	procs_exit();
	leaks = anonvma_exit(stderr);
	print_summary(all, nall, secs, leaks);
	free(all);
	if (leaks) {
		printf("FAILED: %lu objects leaked\n", leaks);
		return EXIT_FAILED;
	}
	printf("PASS\n");
	return EXIT_PASS;
}
