/* SPDX-License-Identifier: MIT */
/*
 * `anonvma run`: parse the whole scenario, run it on the model, print
 * the observations in the chosen form and a verdict.
 */
#include <string.h>

#include <anonvma/system.h>

#include "exec.h"

struct run_ctx {
	const struct run_opts *opts;
	FILE *out;
	bool first;
	struct summary_notes *notes;
};

static void run_on_step(const struct scenario *s, const struct obs_step *o,
			void *arg)
{
	struct run_ctx *rc = arg;

	if (rc->notes)
		summary_on_step(s, o, rc->notes);
	if (rc->opts->final && !o->last)
		return;
	switch (rc->opts->format) {
	case RUN_TEXT:
		print_text_step(rc->out, s, o);
		break;
	case RUN_JSON:
		print_json_step(rc->out, s, o, rc->first);
		rc->first = false;
		break;
	case RUN_SUMMARY:
		/* --final with the summary: the last step, then the summary. */
		if (rc->opts->final)
			print_text_step(rc->out, s, o);
		break;
	case RUN_QUIET:
		break;
	}
}

/** scn_run() - see exec.h. */
int scn_run(const char *name, const char *buf, size_t len,
	    const struct run_opts *opts, FILE *out, FILE *err, int *executed)
{
	struct run_ctx rc = { .opts = opts, .out = out, .first = true };
	struct exec_opts eo = {
		.check = opts->check,
		.design = -1,
		.bugs = opts->bugs,
		.on_step = run_on_step,
		.arg = &rc,
		.err = err,
	};
	struct exec_summary sum;
	struct scn_error perr;
	struct scenario *s;
	int status;

	if (executed)
		*executed = 0;
	if (opts->design) {
		eo.design = design_parse(opts->design);
		if (eo.design < 0) {
			fprintf(err, "anonvma: unknown design '%s' (mainline, v6.18)\n",
				opts->design);
			return 2;
		}
	}
	s = scn_parse(name, buf, len, &perr);
	if (!s) {
		scn_error_print(name, &perr, err);
		return 2;
	}
	if (eo.design < 0)
		eo.design = s->design[0] ? design_parse(s->design) :
					   DESIGN_MAINLINE;
	if (opts->format == RUN_SUMMARY)
		rc.notes = summary_notes_new(s);
	if (opts->format == RUN_JSON)
		print_json_begin(out, s, "model",
				 design_name((enum anonvma_design)eo.design));

	status = exec_model(s, &eo, &sum);

	switch (opts->format) {
	case RUN_JSON:
		print_json_end(out, &sum);
		break;
	case RUN_SUMMARY:
		print_summary(out, s, &sum, rc.notes);
		break;
	default:
		print_text_verdict(out, s, &sum);
		break;
	}
	fflush(out);
	if (executed)
		*executed = sum.steps_run;
	summary_notes_free(rc.notes);
	scn_free(s);
	return status;
}
