/* SPDX-License-Identifier: MIT */
/*
 * What an operation that failed for lack of memory may leave behind,
 * compared with the state before it: the kernel's contract for each
 * operation, checked on two observations (observe.h).
 */
#ifndef SCN_FAILCHECK_H
#define SCN_FAILCHECK_H

#include "observe.h"
#include "scenario.h"

/** fail_result_expected() - what @st returns when an allocation in it fails. */
int fail_result_expected(const struct scn_step *st);

/**
 * fail_result_allowed() - may @st return @result when an allocation in
 * it fails?  fail_result_expected(), or for mlock also EAGAIN, when the
 * failure came while faulting the range in.
 */
bool fail_result_allowed(const struct scn_step *st, int result);

/** fc_report_fn - receives one violation message (without a newline). */
typedef void (*fc_report_fn)(void *arg, const char *msg);

/**
 * fail_contract_check() - does @after stand to @before as the kernel's
 * state would after @st failed for lack of memory?
 * @s: the scenario.
 * @st: the operation that failed.
 * @before: the observations of the step before @st (an all-zero
 *          obs_step when @st is the first step).
 * @after: the observations after @st.
 * @report: called with each violation; @arg is passed through.
 *
 * See docs/testing.md, "Fault injection", for the rules.
 * Return: the number of violations.
 */
int fail_contract_check(const struct scenario *s, const struct scn_step *st,
			const struct obs_step *before,
			const struct obs_step *after,
			fc_report_fn report, void *arg);

/**
 * fail_absorbed_check() - an operation succeeded although one of its
 * allocations failed: does @after match @clean, the same step of the
 * run without the failure?
 * @s, @st: the scenario and the operation.
 * @clean: the step's observations without the failure.
 * @after: with it.
 * @report, @arg: as for fail_contract_check().
 *
 * Exact equality, except for an mremap move whose source the kernel
 * could not unmap afterwards (it keeps that VMA and still succeeds).
 * Return: the number of differences reported.
 */
int fail_absorbed_check(const struct scenario *s, const struct scn_step *st,
			const struct obs_step *clean,
			const struct obs_step *after,
			fc_report_fn report, void *arg);

#endif
