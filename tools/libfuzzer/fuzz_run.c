/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness 3: parse the bytes as a scenario and, when they
 * parse, run it on the model with the invariant checker after every
 * step, as `anonvma run --check` does.
 *
 * Operations may fail and expectations may be wrong (the fuzzer writes
 * nonsense); what must never happen is a crash, a sanitizer report, an
 * invariant violation, a lock left held, a WARN_ON, a leak, or an
 * operation failed by a `fail` line that does not fail as the kernel's
 * would (the executor's failure contract, failcheck.c).  This
 * covers the executor, the observers and the expectation code that
 * fuzz_parse (the parser alone) and fuzz_ops (the C API) do not reach.
 *
 * Scenarios that switch on a historical bug (`bug` lines) or choose a
 * design that is not fuzzed (FUZZ_DESIGNS, common.h) break the model on
 * purpose and are not run, and neither are big ones (a window
 * of more than RUN_MAX_PAGES pages, or more than RUN_MAX_WORK pages
 * touched by all steps together): they would only be slow, and
 * libFuzzer would report the slowness as a hang.
 */
#include <stdio.h>
#include <stdlib.h>

#include <anonvma/system.h>

#include "common.h"
#include "exec.h"

#define RUN_MAX_PAGES	1024
#define RUN_MAX_WORK	4096

/* Pages the steps of @s act on, summed: a bound on the run's cost. */
static unsigned long scenario_work(const struct scenario *s)
{
	unsigned long work = 0;
	int i;

	for (i = 0; i < s->nsteps; i++) {
		const struct scn_step *st = &s->steps[i];

		work += 1 + scn_range_pages(&st->r) + scn_range_pages(&st->r2) +
			st->npages;
		work += (unsigned long)(st->delta < 0 ? -st->delta : st->delta);
	}
	return work;
}

/** LLVMFuzzerInitialize() - read FUZZ_DESIGNS once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_config_init("fuzz_run");
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - parse @data, run it if it parses.
 * @data: any bytes.
 * @size: how many.
 *
 * Return: 0 when the input was run or skipped, -1 (do not add it to the
 * corpus) when it did not parse: fuzz_parse covers those.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exec_opts opts = { .check = true, .design = -1 };
	struct exec_summary sum;
	struct scn_error err;
	struct scenario *s;

	s = scn_parse("fuzz.scn", (const char *)data, size, &err);
	if (!s)
		return -1;
	if (s->bugs || s->pages > RUN_MAX_PAGES ||
	    !fuzz_design_allowed(s->design[0] ? design_parse(s->design) :
						DESIGN_MAINLINE) ||
	    scenario_work(s) > RUN_MAX_WORK) {
		scn_free(s);
		return 0;
	}
	if (exec_model(s, &opts, &sum) == 2) {
		fprintf(stderr, "fuzz_run: the model could not be set up\n");
		abort();
	}
	if (sum.check_failures || sum.leaks || sum.fault_violations) {
		/* Run again with the messages on, then stop. */
		opts.err = stderr;
		exec_model(s, &opts, &sum);
		fprintf(stderr, "fuzz_run: %d steps with invariant violations, %lu leaks, %d broken failure contracts\n",
			sum.check_failures, sum.leaks, sum.fault_violations);
		abort();
	}
	scn_free(s);
	return 0;
}
