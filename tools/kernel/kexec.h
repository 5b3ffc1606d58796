/* SPDX-License-Identifier: MIT */
/*
 * One kernel run (exec_kernel.c) and its passes (kpass.c): the observed
 * pass runs every kernel-observable step and observes after each; the
 * control pass runs only the `proc`, `fork` and `exit` steps, so that
 * its trace events are the baseline (each process's own VMAs outside the
 * window), subtracted step by step.
 */
#ifndef ANONVMA_KEXEC_H
#define ANONVMA_KEXEC_H

#include "kernel_internal.h"

/**
 * struct kx - the state of one exec_kernel() call.
 * @memfd: per scenario file, a memfd filled with the model's tokens.
 * @obs: per step, the observed pass's observations.
 * @result: per step, the observed pass's result (the control pass does
 *          the `proc`/`fork`/`exit` steps that worked there).
 * @steps_run: steps the observed pass went through (it stops after an
 *             unexpected failure, as the model does).
 * @err: why the run failed (exit status 2).
 */
struct kx {
	const struct scenario *s;
	struct kernel_info *info;
	struct kfleet fleet;
	struct kobserver obs_reader;
	int *memfd;
	struct obs_step *obs;
	int *result;
	int steps_run;
	char err[512];
};

/**
 * kpass_run() - one pass over the scenario, traced.
 * @x: the run.
 * @observe: the observed pass (else the control pass).
 * @c: out: its trace events by step.
 *
 * Return: 0, or -1 with @x->err set.
 */
int kpass_run(struct kx *x, bool observe, struct kcounts *c);

/** kpass_goes_on() - does the run go on after @st had @result (as exec_model)? */
bool kpass_goes_on(const struct scn_step *st, int result);

#endif
