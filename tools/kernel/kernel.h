/* SPDX-License-Identifier: MIT */
/*
 * The host kernel as the referee: a scenario executor that runs every
 * step with real processes and system calls and observes the result in
 * the same schema as the model executor (tools/scenario/observe.h, the
 * kernel-observable part), the comparison of two sets of observations,
 * and the `diff` driver that runs a scenario on both.
 *
 * How it observes, and its pitfalls: docs/kernel-executor.md and
 * ../shared/spec/kernel-oracle.md.  Everything needs root, tracefs and
 * visible PFNs; without them the executor says "skipped: <reason>" and
 * never passes silently.
 */
#ifndef ANONVMA_KERNEL_H
#define ANONVMA_KERNEL_H

#include <stdbool.h>
#include <stdio.h>

#include "../scenario/exec.h"
#include "../scenario/observe.h"
#include "../scenario/scenario.h"

/* Exit status / return value when the oracle cannot run here (automake's). */
#define KEXEC_SKIPPED	77

/**
 * struct kernel_info - what a kernel run found out about the host.
 * @release: `uname -r`.
 * @design: the model design (enum anonvma_design) that follows the
 *          host's rules, from kernel_design_for_release().
 * @cpu: the CPU every process of the run was pinned to.
 * @no_zero_page: the host never maps the zero page on a read fault
 *          (booted with pvm_no_zero_page=1, see mm_set_zero_page_forbidden()).
 * @pages: the page-sharing part was observed (false when KSM runs).
 * @no_pages: why it was not.
 * @skipped: why the oracle cannot run here ("" when it can).
 * @error: the reason of a failed run (exit status 2), "" otherwise.
 * @attempts: runs needed (a run is repeated when a page migrated or
 *            trace events were lost during it).
 * @baseline: per cache, the allocations of the control pass (the
 *            processes' own VMAs outside the window), subtracted.
 * @model_only_steps, @skipped_expectations: steps not run (model only)
 *            and expectations not evaluated (model only, or about a
 *            state a model-only step changed).
 * @events: trace events counted, both passes.
 * @usec_run, @usec_control: wall time of the observed pass and of the
 *            control pass, in microseconds.
 */
struct kernel_info {
	char release[65];
	int design;
	int cpu;
	bool no_zero_page;
	bool pages;
	char no_pages[128];
	char skipped[256];
	char error[512];
	int attempts;
	unsigned long baseline[NR_SCN_OBJECTS];
	int model_only_steps, skipped_expectations;
	unsigned long events;
	unsigned long usec_run, usec_control;
};

/**
 * kernel_design_for_release() - the model design that follows the rules
 * of kernel release @release (`uname -r`).
 *
 * The one place that maps kernel versions to designs: kernels before 7.0
 * run the pre-series anon_vma_clone/anon_vma_fork (DESIGN_V6_18, spec
 * §2.4); the January 2026 series is in 7.0 and later (DESIGN_MAINLINE).
 *
 * Return: an enum anonvma_design value.
 */
int kernel_design_for_release(const char *release);

/**
 * kernel_forbids_zero_page() - does this host's kernel serve read faults
 * on private anonymous memory without the zero page?  True when the PVM
 * guest option pvm_no_zero_page is on; upstream kernels have no such
 * option and always use the zero page.
 */
bool kernel_forbids_zero_page(void);

/**
 * kernel_probe() - can the kernel oracle run here?
 * @info: out: release, design, and @info->skipped when it cannot;
 *        @info->pages false (with the reason) when KSM runs.
 *
 * Checks root, tracefs (mounted, or mountable in a private mount
 * namespace), the kmem tracepoints with their `name` field, visible PFNs
 * and /proc/kpageflags.  Has no lasting effect.
 *
 * Return: true when it can.
 */
bool kernel_probe(struct kernel_info *info);

/**
 * kernel_session_open() - set up the private tracing instance now.
 * @err: out: the reason on failure.
 * @n: its size.
 *
 * exec_kernel() does this on first use; a program that runs many
 * scenarios in forked children (the fuzzer) calls it first, in the
 * parent, so that every child reuses one instance.  The instance is
 * removed when the process that created it exits (also on SIGINT,
 * SIGTERM, SIGHUP...); instances left by runs that were killed are
 * removed by the next session.  One run at a time per session.
 *
 * Return: 0, or -1.
 */
int kernel_session_open(char *err, size_t n);

/** kernel_session_close() - remove the tracing instance (if this process made it). */
void kernel_session_close(void);

/**
 * exec_kernel() - run @s on the host kernel.
 * @s: the scenario.
 * @opts: as for exec_model(); @design, @bugs and @check do not apply.
 *        @on_step gets every step's observations, model-only steps
 *        included (not run: the state of the step before, no objects).
 * @sum: out: the totals (kernel-observable expectations only).
 *
 * Return: 0 if every operation and kernel-observable expectation
 * passed, 1 otherwise, 2 if the run could not be done (window taken,
 * lost trace events, an unknown call site...), KEXEC_SKIPPED if the
 * oracle is not available here ("skipped: reason" on @opts->err).
 */
int exec_kernel(const struct scenario *s, const struct exec_opts *opts,
		struct exec_summary *sum);

/** exec_kernel_info() - exec_kernel() that also fills @info. */
int exec_kernel_info(const struct scenario *s, const struct exec_opts *opts,
		     struct exec_summary *sum, struct kernel_info *info);

/* ---- comparing observations (obs_diff.c) ----------------------------- */

/* The parts of a step's observations that can be compared. */
enum obs_part {
	OBS_PART_RESULT = 1 << 0,	/* result and pages done */
	OBS_PART_VALUES = 1 << 1,	/* values read */
	OBS_PART_OBJECTS = 1 << 2,	/* allocs/frees by site, live */
	OBS_PART_PROCS = 1 << 3,	/* which processes are alive */
	OBS_PART_MAPS = 1 << 4,		/* VMAs in the window */
	OBS_PART_PAGES = 1 << 5,	/* pages: state, label, excl, mapcount, anon */
};
#define OBS_PARTS_ALL	0x3fU

#define OBS_DIFF_MSGS	16
#define OBS_DIFF_MSG	192

/**
 * struct obs_diff_report - the differences found in one step.
 * @parts: the enum obs_part bits that differ.
 * @msg: readable descriptions, "what: kernel X, model Y" (the first
 *       OBS_DIFF_MSGS).
 * @nmsg: how many are in @msg; @more: how many did not fit.
 */
struct obs_diff_report {
	unsigned int parts;
	char msg[OBS_DIFF_MSGS][OBS_DIFF_MSG];
	int nmsg;
	int more;
};

/**
 * obs_diff_step() - compare the kernel-observable parts @parts of two
 * observations of the same step.
 * @s: the scenario (names in messages).
 * @a: one side (the kernel's); @b: the other (the model's).
 * @parts: enum obs_part bits to compare.
 * @rep: out (may be NULL): what differs.  Messages call @a "kernel" and
 *       @b "model".
 *
 * Folio labels are compared as they are: both executors label in the
 * same canonical order, so equal labels mean an equal sharing partition.
 *
 * Return: the enum obs_part bits that differ, 0 when they agree.
 */
unsigned int obs_diff_step(const struct scenario *s, const struct obs_step *a,
			   const struct obs_step *b, unsigned int parts,
			   struct obs_diff_report *rep);

/** obs_part_name() - "result", "maps"... for one enum obs_part bit. */
const char *obs_part_name(unsigned int part);

/**
 * kernel_comparable() - which parts of the observations after step @i
 * of @s can be compared with the model's.
 * @why: out (may be NULL): for a partial or empty answer, the index of
 *       the model-only step responsible, or -1.
 *
 * A model-only step itself compares nothing.  After `swapout` or
 * `migrate` (which the kernel did not do) the pages differ, so pages are
 * no longer compared; after `brk` or an injected failure (`fail`), the
 * states differ altogether and nothing is.  `referenced`, `rmap`,
 * `check` and `brk base` change nothing the kernel shows.
 *
 * Return: enum obs_part bits.
 */
unsigned int kernel_comparable(const struct scenario *s, int i, int *why);

/* ---- keeping the observations of a run (obs_copy.c) ------------------- */

/**
 * struct obs_run - the kernel-observable observations of every step of
 * one run, indexed by step (NULL for steps the run did not reach).
 */
struct obs_run {
	struct obs_step **steps;
	int nsteps;
};

/** obs_run_init() - an empty record for the steps of @s. */
void obs_run_init(struct obs_run *r, const struct scenario *s);
/** obs_run_free() - free everything @r holds. */
void obs_run_free(struct obs_run *r);
/**
 * obs_run_on_step() - an exec_opts.on_step that copies the
 * kernel-observable part of each step into the struct obs_run @arg.
 */
void obs_run_on_step(const struct scenario *s, const struct obs_step *o,
		     void *arg);
/** obs_step_copy() - a deep copy of @o without its model-only part. */
struct obs_step *obs_step_copy(const struct obs_step *o);

/* ---- running both and comparing (kdiff.c) ------------------------------- */

/** Result of kdiff_run(): also the exit status of `anonvma diff`. */
enum kdiff_status {
	KDIFF_AGREE = 0,
	KDIFF_DIVERGE = 1,
	KDIFF_ERROR = 2,
	KDIFF_SKIPPED = KEXEC_SKIPPED,
};

/**
 * struct kdiff_opts - how to compare.
 * @design: the model's design, or -1 for the host kernel's.
 * @bugs: bug switches for the model (added to the scenario's own).
 * @check: run the model's invariant checker after every step.
 */
struct kdiff_opts {
	int design;
	unsigned long bugs;
	bool check;
};

/**
 * struct kdiff_result - the outcome of kdiff_run().
 * @status: enum kdiff_status.
 * @first: index of the first step that diverges, -1.
 * @first_parts: the enum obs_part bits that differ there.
 * @compared: steps compared (fully or partly); @partial: of those, the
 *            ones compared only in part (after swapout/migrate);
 *            @model_only: steps skipped as model-only; @not_compared:
 *            steps after a model-only step that changed the state, or
 *            that one executor did not reach.
 * @design: the model's design.
 * @violation: with @check, the index of the first step after which the
 *             model broke an invariant (the status is then KDIFF_DIVERGE
 *             even if the observations agree), -1.
 * @kernel, @model: every step's observations of each run.
 * @kernel_status, @model_status: exec_kernel()'s and exec_model()'s.
 * @kinfo: the kernel run's details.
 * @model_sum: the model run's totals.
 * @usec_model: wall time of the model run (with observing), to set
 *              against @kinfo.usec_run measured in the same process.
 */
struct kdiff_result {
	int status;
	int first;
	unsigned int first_parts;
	int compared, partial, model_only, not_compared;
	int design;
	int violation;
	struct obs_run kernel, model;
	int kernel_status, model_status;
	struct kernel_info kinfo;
	struct exec_summary model_sum;
	unsigned long usec_model;
};

/**
 * kdiff_run() - run @s on the host kernel and on the model and compare
 * their observations step by step.
 * @s: the scenario.
 * @o: options.
 * @r: out; free with kdiff_result_free().
 *
 * Return: @r->status.
 */
int kdiff_run(const struct scenario *s, const struct kdiff_opts *o,
	      struct kdiff_result *r);

/** kdiff_result_free() - free what @r holds. */
void kdiff_result_free(struct kdiff_result *r);

/**
 * kdiff_print() - the report of `anonvma diff`: header, skipped steps,
 * the first divergence with both sides next to each other, verdict.
 * @out: where to print.
 * @s: the scenario.
 * @r: the result.
 * @all: show every diverging step, not only the first.
 */
void kdiff_print(FILE *out, const struct scenario *s,
		 const struct kdiff_result *r, bool all);

/**
 * kdiff_side_by_side() - print the kernel-observable text form of two
 * observations of one step next to each other, marking lines that
 * differ ('!' changed, '<' only on the left, '>' only on the right).
 * @out: where to print.
 * @s: the scenario.
 * @a, @b: the two sides (either may be NULL: "(not run)").
 * @la, @lb: column titles.
 */
void kdiff_side_by_side(FILE *out, const struct scenario *s,
			const struct obs_step *a, const struct obs_step *b,
			const char *la, const char *lb);

#endif
