/* SPDX-License-Identifier: MIT */
/*
 * anonvma kernel [--json] [--quiet] [--final] FILE
 * anonvma kernel --probe
 *
 * Run a scenario on the host kernel (tools/kernel/) and print its
 * observations in the canonical text or JSON form of `anonvma run`
 * (kernel-observable part only), with the kernel-observable expectations
 * checked.  Exit status: 0 pass, 1 a failed operation or expectation,
 * 2 usage, parse or run error, 77 the kernel oracle is not available
 * here ("skipped: reason").
 */
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../kernel/kernel.h"
#include "cli_opts.h"
#include "cmd.h"

struct kcmd_ctx {
	bool json, quiet, final, first;
};

static void kernel_on_step(const struct scenario *s, const struct obs_step *o,
			   void *arg)
{
	struct kcmd_ctx *c = arg;
	const struct scn_step *st = &s->steps[o->index - 1];

	if (c->quiet || (c->final && !o->last))
		return;
	if (c->json) {
		print_json_step(stdout, s, o, c->first);
		c->first = false;
		return;
	}
	if (st->model_only) {
		printf("step %d (line %d): %s\n  (model only: not run on the kernel)\n",
		       o->index, o->line, o->text);
		return;
	}
	print_text_step(stdout, s, o);
}

/* The run's JSON header, with the kernel release added to it. */
static void json_begin(const struct scenario *s, const struct kernel_info *ki)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		exit(2);
	print_json_begin(f, s, "kernel",
			 design_name((enum anonvma_design)ki->design));
	fclose(f);
	fputs("{\"release\":", stdout);
	scn_json_string(stdout, ki->release);
	printf(",%s", buf + 1);		/* print_json_begin starts with '{' */
	free(buf);
}

static int probe(void)
{
	struct kernel_info ki;

	if (!kernel_probe(&ki)) {
		printf("skipped: %s\n", ki.skipped);
		return KEXEC_SKIPPED;
	}
	printf("available: Linux %s, model rules %s%s%s\n", ki.release,
	       design_name((enum anonvma_design)ki.design),
	       ki.pages ? "" : "; ", ki.pages ? "" : ki.no_pages);
	return 0;
}

/** cmd_kernel() - run a scenario file on the host kernel. */
int cmd_kernel(int argc, char **argv)
{
	struct kcmd_ctx c = { .first = true };
	struct exec_opts eo = { .design = -1, .on_step = kernel_on_step,
				.arg = &c, .err = stderr };
	const char *file = NULL;
	struct exec_summary sum;
	struct kernel_info ki;
	struct scenario *s;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--probe")) {
			if (argc != 1)
				return cli_usage_error("%s takes no other argument", a);
			return probe();
		} else if (!strcmp(a, "--json")) {
			c.json = true;
		} else if (!strcmp(a, "--quiet")) {
			c.quiet = true;
		} else if (!strcmp(a, "--final")) {
			c.final = true;
		} else if (cli_file_arg(NULL, a, &file)) {
			return 2;
		}
	}
	if (!file)
		return cli_usage_error("%s", "kernel needs a scenario FILE (or --probe)");
	if (c.json && c.quiet)
		return cli_usage_error("%s", "--json and --quiet exclude each other");
	s = cli_load_scenario(file, cli_scenario_name(file));
	if (!s)
		return 2;
	if (!kernel_probe(&ki)) {
		printf("skipped: %s\n", ki.skipped);
		scn_free(s);
		return KEXEC_SKIPPED;
	}
	if (c.json)
		json_begin(s, &ki);
	else if (!c.quiet)
		printf("kernel: Linux %s (rules %s)\n", ki.release,
		       design_name((enum anonvma_design)ki.design));
	ret = exec_kernel_info(s, &eo, &sum, &ki);
	if (c.json) {
		print_json_end(stdout, &sum);
	} else if (ret != 2) {
		print_text_verdict(stdout, s, &sum);
		if (ki.model_only_steps || ki.skipped_expectations)
			printf("model only, not run on the kernel: %d step%s, %d expectation%s\n",
			       ki.model_only_steps,
			       ki.model_only_steps == 1 ? "" : "s",
			       ki.skipped_expectations,
			       ki.skipped_expectations == 1 ? "" : "s");
		if (!ki.pages)
			printf("pages: not observed: %s\n", ki.no_pages);
		if (ret != 77 && !c.quiet)
			printf("baseline subtracted (the processes' own VMAs outside the window): %lu anon_vma, %lu avc allocations; %d run%s, %lu us + %lu us control\n",
			       ki.baseline[SCN_OBJ_ANON_VMA], ki.baseline[SCN_OBJ_AVC],
			       ki.attempts, ki.attempts == 1 ? "" : "s",
			       ki.usec_run, ki.usec_control);
	}
	fflush(stdout);
	scn_free(s);
	return ret;
}
