/* SPDX-License-Identifier: MIT */
/*
 * The host kernel as the fuzzer's oracle: a thin adapter from struct
 * fuzz_oracle to the kernel executor's diff (tools/kernel/kernel.h:
 * kernel_probe(), kernel_session_open(), kdiff_run(), obs_diff_step()).
 * Tests plug in their own struct fuzz_oracle instead.
 *
 * The design the model follows is the host's, from the kernel
 * executor's release -> design mapping (kernel_design_for_release()),
 * and the fuzzer writes it into every scenario as a `design` line, so a
 * finding replays with `anonvma diff FILE` alone.
 */
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../kernel/kernel.h"
#include "fuzz.h"

static struct kernel_info host;

static bool kernel_available(void *arg, char *why, size_t n)
{
	char err[256] = "";

	memset(&host, 0, sizeof(host));
	if (!kernel_probe(&host)) {
		snprintf(why, n, "%s", host.skipped[0] ? host.skipped : "unknown reason");
		return false;
	}
	/*
	 * One tracing instance for the whole run, made here in the parent:
	 * every sandboxed comparison (a forked child) reuses it, and it
	 * goes when this process exits.
	 */
	if (kernel_session_open(err, sizeof(err))) {
		snprintf(why, n, "cannot set up tracing: %s", err);
		return false;
	}
	return true;
}

static int kernel_design(void *arg)
{
	return host.design;
}

/* "maps,pages" for enum obs_part bits. */
static void part_names(unsigned int parts, char *buf, size_t n)
{
	unsigned int bit;
	size_t k = 0;

	buf[0] = '\0';
	for (bit = 1; bit <= OBS_PARTS_ALL && k < n; bit <<= 1)
		if (parts & bit)
			k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? "," : "",
					      obs_part_name(bit));
}

static void kernel_compare(void *arg, const char *text, size_t len,
			   struct fuzz_result *r)
{
	struct kdiff_opts ko = { .design = -1 };
	struct obs_diff_report rep;
	struct kdiff_result kr;
	struct scenario *s;
	const struct scn_step *st;
	char parts[64];
	int i;

	s = fuzz_parse(text, len, r);
	if (!s)
		return;
	if (s->design[0])
		ko.design = design_parse(s->design);
	ko.bugs = 0;	/* the scenario's own `bug` lines apply */
	memset(&kr, 0, sizeof(kr));
	switch (kdiff_run(s, &ko, &kr)) {
	case KDIFF_AGREE:
		r->kind = FUZZ_PASS;
		break;
	case KDIFF_DIVERGE:
		i = kr.first;
		st = i >= 0 && i < s->nsteps ? &s->steps[i] : NULL;
		part_names(kr.first_parts, parts, sizeof(parts));
		r->kind = FUZZ_DIFF;
		/* What differs, and after which kind of operation. */
		snprintf(r->sig, sizeof(r->sig), "diff %s (%s)", parts,
			 st ? scn_op_name(st->op) : "?");
		memset(&rep, 0, sizeof(rep));
		if (st && i < kr.kernel.nsteps && i < kr.model.nsteps &&
		    kr.kernel.steps[i] && kr.model.steps[i])
			obs_diff_step(s, kr.kernel.steps[i], kr.model.steps[i],
				      kr.first_parts, &rep);
		snprintf(r->msg, sizeof(r->msg), "step %d (%s): %s", i + 1,
			 st ? st->text : "?", rep.nmsg ? rep.msg[0] : parts);
		break;
	case KDIFF_SKIPPED:
		r->kind = FUZZ_ORACLE;
		snprintf(r->sig, sizeof(r->sig), "oracle skipped");
		snprintf(r->msg, sizeof(r->msg), "skipped: %s", kr.kinfo.skipped);
		break;
	default:
		r->kind = FUZZ_ORACLE;
		snprintf(r->sig, sizeof(r->sig), "oracle error");
		snprintf(r->msg, sizeof(r->msg), "the kernel run failed: %s",
			 kr.kinfo.error[0] ? kr.kinfo.error : "no reason given");
		break;
	}
	r->steps_run = kr.compared;
	kdiff_result_free(&kr);
	scn_free(s);
}

static const struct fuzz_oracle kernel_oracle = {
	.name = "kernel",
	.available = kernel_available,
	.design = kernel_design,
	.compare = kernel_compare,
};

/** fuzz_kernel_oracle() - see fuzz.h. */
const struct fuzz_oracle *fuzz_kernel_oracle(void)
{
	return &kernel_oracle;
}
