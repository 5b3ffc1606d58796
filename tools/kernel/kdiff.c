/* SPDX-License-Identifier: MIT */
/*
 * Running a scenario on the host kernel and on the model and comparing
 * their observations step by step (what `anonvma diff` does, and what
 * the fuzzer calls for each scenario with --kernel).
 *
 * The model follows the host kernel's rules (kernel_design_for_release())
 * unless a design is given: the scenario's own `design` line is not
 * used, since the question is whether the model matches this kernel.
 * Model-only steps are skipped; after one that changes what the kernel
 * would show (swapout, migrate, brk, an injected failure) only what is
 * still comparable is compared (kernel_comparable()).
 */
#include <string.h>
#include <time.h>

#include "kernel.h"

static unsigned long usec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000000UL +
	       (unsigned long)ts.tv_nsec / 1000UL;
}

/** kdiff_run() - see kernel.h. */
int kdiff_run(const struct scenario *s, const struct kdiff_opts *o,
	      struct kdiff_result *r)
{
	struct exec_opts ko = { .design = -1, .on_step = obs_run_on_step };
	struct exec_opts mo = { .on_step = obs_run_on_step };
	struct exec_summary ksum;
	unsigned long t0;
	int i;

	memset(r, 0, sizeof(*r));
	r->first = -1;
	r->violation = -1;
	obs_run_init(&r->kernel, s);
	obs_run_init(&r->model, s);
	ko.arg = &r->kernel;
	r->kernel_status = exec_kernel_info(s, &ko, &ksum, &r->kinfo);
	if (r->kernel_status == KEXEC_SKIPPED)
		return r->status = KDIFF_SKIPPED;
	if (r->kernel_status == 2)
		return r->status = KDIFF_ERROR;

	r->design = o->design >= 0 ? o->design : r->kinfo.design;
	mo.design = r->design;
	mo.no_zero_page = r->kinfo.no_zero_page;
	mo.bugs = o->bugs;
	mo.check = o->check;
	mo.arg = &r->model;
	t0 = usec_now();
	r->model_status = exec_model(s, &mo, &r->model_sum);
	r->usec_model = usec_now() - t0;
	if (r->model_status == 2)
		return r->status = KDIFF_ERROR;

	for (i = 0; i < s->nsteps; i++) {
		const struct obs_step *k = r->kernel.steps[i];
		const struct obs_step *m = r->model.steps[i];
		unsigned int parts, d;

		if (!k && !m)
			continue;	/* both runs stopped before */
		if (s->steps[i].model_only) {
			r->model_only++;
			continue;
		}
		parts = kernel_comparable(s, i, NULL);
		if (!r->kinfo.pages)
			parts &= ~(unsigned int)OBS_PART_PAGES;
		if (!parts) {
			r->not_compared++;
			continue;
		}
		r->compared++;
		if (parts != OBS_PARTS_ALL)
			r->partial++;
		if (!k || !m)
			d = OBS_PART_RESULT;	/* one run stopped earlier */
		else
			d = obs_diff_step(s, k, m, parts, NULL);
		if (d && r->first < 0) {
			r->first = i;
			r->first_parts = d;
		}
	}
	for (i = 0; o->check && i < s->nsteps && r->violation < 0; i++)
		if (r->model.steps[i] && r->model.steps[i]->model.violations > 0)
			r->violation = i;
	r->status = r->first >= 0 || r->violation >= 0 ? KDIFF_DIVERGE :
							 KDIFF_AGREE;
	return r->status;
}

/** kdiff_result_free() - see kernel.h. */
void kdiff_result_free(struct kdiff_result *r)
{
	obs_run_free(&r->kernel);
	obs_run_free(&r->model);
}
