/* SPDX-License-Identifier: MIT */
/*
 * The random-scenario fuzzer: a generator that writes scenario text
 * (docs/scenario-language.md), a sandbox that runs one scenario in a
 * forked child and says how it failed, an oracle interface (the host
 * kernel, or a test double), a delta-debugging shrinker, and the loop
 * that ties them together (`anonvma fuzz`, docs/fuzzing.md).
 *
 * Everything exchanged between the parts is scenario TEXT, so every
 * finding is an ordinary corpus file that `anonvma run` (or `anonvma
 * diff`) replays without the fuzzer.
 */
#ifndef ANONVMA_FUZZ_H
#define ANONVMA_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- random numbers (rng.c) ---------------------------------------- */

/** struct fuzz_rng - a splitmix64 stream: small, fast, reproducible. */
struct fuzz_rng {
	uint64_t state;
};

/** fuzz_rng_seed() - start @r from @seed (any value, 0 included). */
void fuzz_rng_seed(struct fuzz_rng *r, uint64_t seed);
/** fuzz_rng_next() - the next 64 random bits. */
uint64_t fuzz_rng_next(struct fuzz_rng *r);
/** fuzz_rng_below() - a uniform number in [0, @n); 0 when @n is 0. */
unsigned long fuzz_rng_below(struct fuzz_rng *r, unsigned long n);
/** fuzz_rng_chance() - true with probability @percent / 100. */
bool fuzz_rng_chance(struct fuzz_rng *r, unsigned int percent);

/* ---- the generator (gen*.c) ---------------------------------------- */

/**
 * struct fuzz_gen_opts - what the generator may emit.
 * @seed: the scenario's seed; the same options give the same text.
 * @steps: number of operation lines (the `proc` line included).
 * @model_only: may emit model-only steps (swapout, migrate, rmap,
 *              referenced, check); false for runs against the kernel.
 * @shared: may map MAP_SHARED anonymous memory.
 * @files: may map a simulated file (private and shared).
 * @shared_reads: may read shared (file or shmem) pages.  The kernel maps
 *              neighbouring page-cache pages on such a read (fault-around,
 *              kernel-oracle.md §2 pitfall e), which the model does not.
 * @errors: may emit operations that certainly fail, each followed by the
 *              matching `expect errno`.
 * @design: the `design` line to write (NULL: none).
 * @bugs: `bug` lines to write (enum anonvma_bug bits).
 */
struct fuzz_gen_opts {
	uint64_t seed;
	int steps;
	bool model_only;
	bool shared;
	bool files;
	bool shared_reads;
	bool errors;
	const char *design;
	unsigned long bugs;
};

/** fuzz_gen_defaults() - the default options (model-only run) for @seed. */
void fuzz_gen_defaults(struct fuzz_gen_opts *o, uint64_t seed);

/**
 * fuzz_generate() - write one random scenario.
 * @o: the options.
 *
 * The generator tracks the layout it expects every process to have (which
 * pages are mapped, how, and which surely lie in one VMA), so every
 * operation it emits should succeed on a correct model and kernel, except
 * the deliberate failures it marks with `expect errno`.
 *
 * Return: a malloc'ed NUL-terminated text (never NULL; exits on OOM).
 */
char *fuzz_generate(const struct fuzz_gen_opts *o);

/**
 * fuzz_shadow_check() - does @s follow the generator's rules?  Every
 * operation is one the generator could have written (sure to succeed on
 * a correct system, or sure to fail with its `expect errno`), and every
 * `read R == V` names the value the generator knows the pages hold.
 * @s: a parsed scenario.
 * @why: out: the first line that breaks a rule, and how.
 * @n: size of @why.
 *
 * The shrinker uses it to keep findings that are disagreements with the
 * generator (FUZZ_OPFAIL, FUZZ_EXPECT) honest: a candidate that breaks
 * the rules is not a smaller version of the finding.
 */
struct scenario;
bool fuzz_shadow_check(const struct scenario *s, char *why, size_t n);

/* ---- one run in a sandbox (sandbox.c, run_model.c) ------------------ */

/**
 * enum fuzz_kind - how a scenario failed.  The shrinker keeps a smaller
 * candidate only if it fails with the same kind AND signature.
 */
enum fuzz_kind {
	FUZZ_PASS,
	FUZZ_PARSE,	/* the text does not parse (a generator bug) */
	FUZZ_OPFAIL,	/* an operation failed that the generator expected to work */
	FUZZ_EXPECT,	/* an `expect` line (expect errno) did not hold */
	FUZZ_VIOLATION,	/* the invariant checker found a broken invariant */
	FUZZ_WARN,	/* a WARN_ON of the model fired */
	FUZZ_LEAK,	/* objects or swap slots live after the run */
	FUZZ_CRASH,	/* the run died of a signal (BUG_ON, SIGSEGV...) */
	FUZZ_HANG,	/* the run did not finish in time */
	FUZZ_DIFF,	/* the model and the oracle disagree */
	FUZZ_ORACLE,	/* the oracle could not run the scenario */
	NR_FUZZ_KINDS
};

/** fuzz_kind_name() - "violation", "diff", ... for @k. */
const char *fuzz_kind_name(enum fuzz_kind k);

/**
 * struct fuzz_result - the verdict of one run.
 * @kind: how it failed (FUZZ_PASS if it did not).
 * @sig: a stable summary that identifies the failure while shrinking
 *       ("violation I7", "opfail mremap EFAULT", "diff step layout").
 * @msg: the first failure message, as printed by the run.
 * @steps_run: steps executed.
 */
struct fuzz_result {
	enum fuzz_kind kind;
	char sig[128];
	char msg[768];
	int steps_run;
};

/** fuzz_same_failure() - @a and @b fail, and in the same way. */
bool fuzz_same_failure(const struct fuzz_result *a, const struct fuzz_result *b);

/**
 * fuzz_sandbox() - call @fn in a forked child and collect its verdict.
 * @fn: fills in the result (it is shared memory); runs with its stderr
 *      captured so that WARN and BUG lines end up in the verdict.
 * @arg: passed to @fn.
 * @timeout: seconds before the child is killed (FUZZ_HANG).
 * @r: out: the verdict; FUZZ_CRASH with the signal and the BUG line when
 *     the child died.
 *
 * Return: 0, or -1 if no child could be started (@r says why).
 */
int fuzz_sandbox(void (*fn)(void *arg, struct fuzz_result *r), void *arg,
		 unsigned int timeout, struct fuzz_result *r);

/** fuzz_sandbox_stderr() - in the child: the captured stderr so far (NUL-terminated, static). */
const char *fuzz_sandbox_stderr(void);

/**
 * fuzz_classify_model() - set @r from the failure lines of a model run.
 * @r: out.
 * @failures: everything the run printed to its error stream (the
 *            executor's "file:line: message" lines), NUL-terminated.
 * @warnings: the captured stderr (WARNING/BUG lines), or NULL.
 */
void fuzz_classify_model(struct fuzz_result *r, const char *failures,
			 const char *warnings);

/**
 * fuzz_parse() - parse a generated scenario as "fuzz.scn", with @r
 * cleared; a syntax error becomes the verdict FUZZ_PARSE in @r.
 * @text, @len: the scenario.
 * @r: out: cleared, or the parse verdict.
 * Return: the scenario (scn_free() it), or NULL after a syntax error.
 */
struct scenario *fuzz_parse(const char *text, size_t len,
			    struct fuzz_result *r);

/**
 * fuzz_run_model() - parse @text and run it on the model with the
 * invariant checker after every step, in the calling process.
 * @text, @len: the scenario.
 * @r: out: the verdict.
 */
void fuzz_run_model(const char *text, size_t len, struct fuzz_result *r);

/**
 * fuzz_check_model() - fuzz_run_model() in a sandbox (a crash or a hang
 * of the model becomes a verdict, not the fuzzer's death).
 * @timeout: seconds.
 */
void fuzz_check_model(const char *text, size_t len, unsigned int timeout,
		      struct fuzz_result *r);

/* ---- oracles (oracle.c) --------------------------------------------- */

/**
 * struct fuzz_oracle - something the model is compared with, step by step.
 * @name: for messages ("kernel").
 * @available: whether it can run here; if not, why in @why.
 * @design: the design (enum anonvma_design) the model must follow to be
 *          compared with it, or -1 for any.
 * @compare: run the scenario on the oracle and on the model and compare
 *          their observations; set @r to FUZZ_PASS, FUZZ_DIFF (with the
 *          first disagreement) or FUZZ_ORACLE.  Called in a sandbox.
 * @arg: the oracle's own data.
 */
struct fuzz_oracle {
	const char *name;
	bool (*available)(void *arg, char *why, size_t n);
	int (*design)(void *arg);
	void (*compare)(void *arg, const char *text, size_t len,
			struct fuzz_result *r);
	void *arg;
};

/**
 * fuzz_kernel_oracle() - the host kernel as an oracle (the kernel
 * executor's diff, tools/kernel/kernel.h).  Its available() also sets up
 * the tracing session that the sandboxed comparisons share, so call it
 * in the parent before the first comparison.
 */
const struct fuzz_oracle *fuzz_kernel_oracle(void);

/**
 * fuzz_check() - the full verdict on one scenario: the model with the
 * checker, then (if @oracle and the model run passed or failed an
 * operation) the comparison with @oracle.  Each in its own sandbox.
 * @text, @len: the scenario.
 * @oracle: NULL for a model-only run.
 * @timeout: seconds per sandbox.
 * @r: out.
 */
void fuzz_check(const char *text, size_t len, const struct fuzz_oracle *oracle,
		unsigned int timeout, struct fuzz_result *r);

/* ---- the shrinker (shrink.c) ------------------------------------------ */

/**
 * fuzz_fails_fn - the shrinker's test: does @text still fail as wanted?
 * Called only with text that parses.
 */
typedef bool (*fuzz_fails_fn)(const char *text, size_t len, void *arg);

/**
 * struct fuzz_shrink_stats - what shrinking did.
 * @tests: candidates tried (including ones that did not parse).
 * @runs: candidates that parsed and were run.
 * @units_before, @units_after: removable units (an operation and its
 *          `expect errno` count as one; so do an `expect` line and a
 *          `file` or `region` declaration).
 * @ops_before, @ops_after: operations (steps) of the scenario.
 */
struct fuzz_shrink_stats {
	unsigned long tests, runs;
	int units_before, units_after;
	int ops_before, ops_after;
};

/**
 * fuzz_shrink() - delta debugging over the operation lines of @text.
 * @text: a scenario that fails (@fails returns true for it).
 * @fails: the test.
 * @arg: its argument.
 * @max_runs: give up shrinking further after this many runs (0: no limit).
 * @st: out (may be NULL).
 *
 * Removes chunks of lines (halves, quarters, ... ddmin), then whole
 * processes (every line of a process and of the processes it forked),
 * then single lines, then folds forked processes into their parents,
 * then optional words (`dontunmap`, `keepcache`,
 * `noreserve`...) and narrower ranges, repeating until nothing more
 * can go.  A candidate is kept only if it parses and @fails says yes.
 * The window, design and bug lines and comments stay.
 *
 * Return: the smallest failing text found (malloc'ed).
 */
char *fuzz_shrink(const char *text, fuzz_fails_fn fails, void *arg,
		  unsigned long max_runs, struct fuzz_shrink_stats *st);

/* ---- the loop (fuzz.c) -------------------------------------------------- */

/**
 * struct fuzz_opts - options of `anonvma fuzz`.
 * @seed: the first scenario's seed; scenario i uses @seed + i.
 * @count: number of scenarios.
 * @steps: operations per scenario.
 * @out: folder for the shrunk findings (created if missing).
 * @design: design name for the scenarios (NULL: mainline, or the
 *          oracle's design with an oracle).
 * @bugs: bug switches written into every scenario.
 * @oracle: NULL for model-only runs.
 * @shrink_runs: limit of runs per shrink (0: no limit).
 * @timeout: seconds per sandboxed run.
 * @max_failures: stop after this many failing scenarios (0: never).
 * @progress: where progress and findings are printed (NULL: nowhere).
 * @progress_every: print a progress line every this many seconds.
 */
struct fuzz_opts {
	uint64_t seed;
	unsigned long count;
	int steps;
	const char *out;
	const char *design;
	unsigned long bugs;
	const struct fuzz_oracle *oracle;
	unsigned long shrink_runs;
	unsigned long max_failures;
	unsigned int timeout;
	FILE *progress;
	double progress_every;
};

/**
 * struct fuzz_stats - what a fuzz run did.
 * @run, @passed, @failed: scenarios.
 * @by_kind: failures per kind.
 * @findings: distinct failures shrunk and written.
 * @seconds: wall time; @shrink_seconds of it spent shrinking.
 * @first_file: path of the first finding written ("" if none).
 */
struct fuzz_stats {
	unsigned long run, passed, failed;
	unsigned long by_kind[NR_FUZZ_KINDS];
	unsigned long findings;
	double seconds, shrink_seconds;
	char first_file[512];
};

/**
 * fuzz_opts_gen() - the generator options for scenario @seed of a run
 * with @o (what an oracle cannot replay is left out).
 */
void fuzz_opts_gen(const struct fuzz_opts *o, uint64_t seed,
		   struct fuzz_gen_opts *go);

/**
 * fuzz_run() - generate, check and shrink @o->count scenarios.
 * @o: options.
 * @st: out: totals.
 *
 * Return: 0 when every scenario passed, 1 when some failed, 2 on a
 * setup error (the output folder cannot be written).
 */
int fuzz_run(const struct fuzz_opts *o, struct fuzz_stats *st);

/**
 * fuzz_write_finding() - write a shrunk scenario with its header.
 * @dir: the folder.
 * @seed: the seed of the scenario it came from.
 * @text: the shrunk scenario.
 * @r: how it fails.
 * @repro: the command that regenerates the original ("anonvma fuzz ...").
 * @sst: the shrinker's statistics.
 * @path: out: the file written (at least 512 bytes).
 *
 * Return: 0, or -1 with errno set.
 */
int fuzz_write_finding(const char *dir, uint64_t seed, const char *text,
		       const struct fuzz_result *r, const char *repro,
		       const struct fuzz_shrink_stats *sst, char *path);

#endif
