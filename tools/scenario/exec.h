/* SPDX-License-Identifier: MIT */
/*
 * Running a parsed scenario on the model, and the driver that parses,
 * runs and prints (what `anonvma run` does).
 */
#ifndef SCN_EXEC_H
#define SCN_EXEC_H

#include "observe.h"
#include "scenario.h"

struct failinject;

/**
 * struct exec_opts - how to run a scenario on the model.
 * @check: run the invariant checker after every step.
 * @design: enum anonvma_design to use, or -1 for the scenario's own
 *          (`design` line; mainline if none).
 * @fi: a fault injector (failinject.h) whose fail_at or prob rules apply
 *      to the run; NULL: only the scenario's own `fail` lines inject.
 *      After the first failure @fi injects, the run goes on in "after
 *      injection" mode: results and expectations are no longer checked
 *      (they describe the run without it), steps of processes that do
 *      not exist are skipped, and the invariant, lock, WARN and leak
 *      checks still apply.
 * @on_step: called with each step's observations (may be NULL).
 * @err: where failures are printed as they happen (NULL: nowhere; they
 *       are also in each obs_step's failures).
 */
struct exec_opts {
	bool check;
	int design;
	struct failinject *fi;
	unsigned long bugs;	/* enum anonvma_bug bits, added to the scenario's */
	bool no_zero_page;	/* the host's rule: mm_set_zero_page_forbidden() */
	void (*on_step)(const struct scenario *s, const struct obs_step *o,
			void *arg);
	void *arg;
	FILE *err;
};

/**
 * struct exec_summary - totals of one run.
 * @steps_run: steps executed (fewer than the scenario's when it stopped).
 * @op_failures: operations that failed without `expect errno`, or failed
 *               otherwise than expected.
 * @expectations, @expect_failures: expectations evaluated, and failed
 *               (`expect errno` and `read R == V` included).
 * @checks, @check_failures: invariant checks run, and steps where one
 *               found violations.
 * @leaks: objects still live at anonvma_exit() plus swap slots in use.
 * @alloc, @free: per cache and call site, over the whole run including
 *               the final teardown; @peak: highest live count.
 * @walks, @walk_visited, @walk_mapped: `rmap` walks, VMAs visited, and
 *               of those the ones that really mapped the folio.
 * @swapped, @migrated: folios swapped out / migrated.
 * @procs_created, @procs_exited: processes started, and `exit`s run.
 * @injected_step: the step (1-based) during which opts->fi injected its
 *               first failure, 0 if it did not; @injected_result: what
 *               that operation returned; @injected_absorbed: it
 *               succeeded, or every failure in it was a GFP_NOWAIT one
 *               it fell back from; @injected_cache/@injected_site:
 *               the allocation that failed (enum fi_cache, alloc_site).
 * @fault_violations: after an injected failure (opts->fi or a `fail`
 *               line): wrong result, or a state the kernel would not
 *               leave (failcheck.c).
 * @skipped_after, @failed_after: after opts->fi's injection, steps
 *               skipped because their process does not exist, and
 *               operations that failed (neither counts as a failure).
 */
struct exec_summary {
	int design;
	int steps_run;
	int op_failures;
	int expectations, expect_failures;
	int checks, check_failures;
	unsigned long leaks;
	unsigned long alloc[NR_SCN_OBJECTS][NR_OBS_SITES];
	unsigned long free[NR_SCN_OBJECTS][NR_OBS_SITES];
	unsigned long peak[NR_SCN_OBJECTS];
	unsigned long walks, walk_visited, walk_mapped;
	unsigned long swapped, migrated;
	int procs_created, procs_exited;
	int injected_step, injected_result;
	bool injected_absorbed;
	int injected_cache, injected_site;
	int fault_violations;
	int skipped_after, failed_after;
};

/** exec_summary_failed() - whether the run counts as a failure. */
static inline bool exec_summary_failed(const struct exec_summary *sum)
{
	return sum->op_failures || sum->expect_failures ||
	       sum->check_failures || sum->leaks || sum->fault_violations;
}

/**
 * exec_model() - run @s on the library, from anonvma_init() to
 * anonvma_exit().
 * @s: the scenario.
 * @opts: options.
 * @sum: out: the totals.
 *
 * The run stops after a step whose operation failed unexpectedly or that
 * broke an invariant; the remaining processes are torn down either way.
 *
 * Return: 0 if everything passed, 1 otherwise, 2 if the library could not
 * be set up.
 */
int exec_model(const struct scenario *s, const struct exec_opts *opts,
	       struct exec_summary *sum);

/* What `anonvma run` prints. */
enum run_format {
	RUN_TEXT,	/* every step's observations */
	RUN_JSON,	/* one JSON document */
	RUN_QUIET,	/* failures and a verdict line */
	RUN_SUMMARY,	/* the built-in workload's summary */
};

/**
 * struct run_opts - options of `anonvma run`.
 * @final: print only the last step's observations.
 */
struct run_opts {
	enum run_format format;
	bool check;
	bool final;
	const char *design;	/* NULL: the scenario's own */
	unsigned long bugs;	/* --bug switches (enum anonvma_bug bits) */
};

/**
 * scn_run() - parse @buf, run it on the model and print the result.
 * @name: file name for messages.
 * @buf, @len: the scenario text.
 * @opts: options.
 * @out: observations and verdict; @err: failures and errors.
 * @executed: out (may be NULL): the number of steps executed.
 *
 * Return: the exit status: 0 pass, 1 failure, 2 parse or usage error.
 */
int scn_run(const char *name, const char *buf, size_t len,
	    const struct run_opts *opts, FILE *out, FILE *err, int *executed);

/**
 * struct fail_each_opts - options of `anonvma run --fail-each`.
 * @design: enum anonvma_design, or -1 for the scenario's own.
 * @bugs: --bug switches.
 * @only: sweep only the allocations from this cache (enum fi_cache;
 *        FI_ANY, 0, for all).
 * @by_site, @only_site: sweep only the allocations of this call site
 *        (enum alloc_site: the cause, e.g. SITE_CLONE) when @by_site.
 * @verbose: print one line per allocation point, not only violations.
 * @prob, @seed, @runs: instead of the sweep, @runs runs in which every
 *        allocation fails with probability @prob (seeds @seed,
 *        @seed + 1, ...).
 */
struct fail_each_opts {
	int design;
	unsigned long bugs;
	int only;
	bool by_site;
	int only_site;
	bool verbose;
	double prob;
	unsigned long long seed;
	unsigned long runs;
};

/**
 * struct fail_each_result - what a sweep did.
 * @points: allocation points of the run without injection (N).
 * @injected: runs in which the chosen allocation was failed.
 * @failed, @absorbed: of those, the operation failed, or succeeded
 *        anyway (a retry, or an allocation it can do without).
 * @violations: runs with at least one violation.
 * @per_cache: points by enum fi_cache.
 */
struct fail_each_result {
	unsigned long points, injected, failed, absorbed, violations;
	unsigned long per_cache[16];
};

/**
 * scn_fail_each() - `anonvma run --fail-each`: run a scenario once per
 * allocation point, failing exactly that one (failrun.c).
 * @name: file name for messages.
 * @buf, @len: the scenario text.
 * @opts: options; with @opts->prob set, random runs instead.
 * @out: the per-point lines and the summary; @err: violations.
 * @res: out: the totals (may be NULL).
 *
 * Return: 0 when every point passed, 1 on a violation (or when the
 * scenario fails without injection), 2 for a parse error.
 */
int scn_fail_each(const char *name, const char *buf, size_t len,
		  const struct fail_each_opts *opts, FILE *out, FILE *err,
		  struct fail_each_result *res);

/* print_text.c */
/** print_text_step() - one step's observations in the canonical text form. */
void print_text_step(FILE *out, const struct scenario *s,
		     const struct obs_step *o);
/** print_text_verdict() - the one-line verdict of a run. */
void print_text_verdict(FILE *out, const struct scenario *s,
			const struct exec_summary *sum);

/* print_json.c */
/**
 * print_json_begin() - open the JSON document, up to the steps array.
 * @out: where to print.
 * @s: the scenario.
 * @executor: "model" (or the kernel executor's name).
 * @design: the rules followed ("mainline", "v6.18").
 */
void print_json_begin(FILE *out, const struct scenario *s,
		      const char *executor, const char *design);
/** print_json_step() - one element of the steps array. */
void print_json_step(FILE *out, const struct scenario *s,
		     const struct obs_step *o, bool first);
/** print_json_end() - the verdict object and the end of the document. */
void print_json_end(FILE *out, const struct exec_summary *sum);
/** scn_json_string() - @str as a JSON string literal, quotes included. */
void scn_json_string(FILE *out, const char *str);

/* workload.c */
/** workload_text() - the built-in scenario, a NUL-terminated text. */
const char *workload_text(void);
/** workload_name() - the name used for it in messages. */
const char *workload_name(void);
/*
 * The summary: notes taken from the steps as they pass (final VMA counts,
 * rmap walks), then printed with the run's totals.
 */
struct summary_notes;
/** summary_notes_new() - empty notes for a run of @s. */
struct summary_notes *summary_notes_new(const struct scenario *s);
/** summary_notes_free() - free @n. */
void summary_notes_free(struct summary_notes *n);
/** summary_on_step() - an exec_opts.on_step that takes notes (@arg). */
void summary_on_step(const struct scenario *s, const struct obs_step *o,
		     void *arg);
/**
 * print_summary() - the readable summary of a run (the built-in
 * workload's output).
 * @out: where to print.
 * @s: the scenario.
 * @sum: its totals.
 * @n: the notes taken during the run.
 */
void print_summary(FILE *out, const struct scenario *s,
		   const struct exec_summary *sum,
		   const struct summary_notes *n);

#endif
