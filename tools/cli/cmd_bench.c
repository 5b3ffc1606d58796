/* SPDX-License-Identifier: MIT */
/*
 * anonvma bench [WORKLOAD] [--design NAME|all] [--param NAME=VALUE ...]
 *               [--kernel] [--plot DIR] [--json] [--check] [--list]
 *
 * Runs one workload of the design lab (tools/lab) under each design and
 * prints the tables; see docs/lab.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lab/lab.h"
#include "cmd.h"

static const char bench_usage[] =
"usage: anonvma bench [WORKLOAD] [--design NAME|all] [--param NAME=VALUE ...]\n"
"                     [--kernel] [--plot DIR] [--json] [--check] [--list]\n"
"\n"
"Runs WORKLOAD on the model once per design and prints, per design: rmap\n"
"walk cost (VMAs visited per walk, precision), ns per fork, exit, fault and\n"
"walk, anon_vma and anon_vma_chain counts and bytes, the longest chain and\n"
"the anon_vma root lock's hold and wait times.\n"
"  --design NAME  only this design (repeatable, or a comma list); 'all' (the\n"
"                 default) runs every design\n"
"  --param N=V    set a workload parameter (repeatable; --list shows them)\n"
"  --kernel       also run the same shape with real processes on the host\n"
"                 kernel (rik, serial, split, server, churn) and print its\n"
"                 times next to the model's, as kernel/model ratios\n"
"  --plot DIR     write gnuplot charts (growth, visits per walk) into DIR\n"
"  --json         print one JSON document instead of the tables\n"
"  --check        run the invariant checker at the workload's steady state\n"
"  --list         list the workloads and their parameters\n"
"Exit status: 0 every design ran cleanly, 1 a design failed, leaked or\n"
"broke an invariant, 2 usage error.  docs/lab.md has the details.\n";

static void list_workloads(FILE *out)
{
	int i, j;

	fputs("workloads (parameters with their defaults):\n", out);
	for (i = 0; lab_workloads[i]; i++) {
		const struct lab_workload *w = lab_workloads[i];

		fprintf(out, "\n  %-11s %s%s\n", w->name, w->title,
			w->kernel ? "" : " [model only]");
		for (j = 0; j < w->nparams; j++)
			fprintf(out, "    %-12s %-8ld %s\n", w->params[j].name,
				w->params[j].def, w->params[j].help);
	}
	fputs("\ndesigns:", out);
	for (i = 0; i < NR_DESIGNS; i++)
		fprintf(out, " %s", design_name((enum anonvma_design)i));
	fputc('\n', out);
}

/* "--design a,b" into the bit mask; 0 on error (message printed). */
static int add_designs(unsigned long *mask, const char *arg)
{
	char buf[256], *tok, *save = NULL;

	if (!strcmp(arg, "all")) {
		*mask = (1UL << NR_DESIGNS) - 1;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int d = design_parse(tok);

		if (d < 0)
			return cli_usage_error("unknown design '%s' (see anonvma bench --list)",
					       tok);
		*mask |= 1UL << d;
	}
	return 0;
}

/** cmd_bench() - the `anonvma bench` command. */
int cmd_bench(int argc, char **argv)
{
	const struct lab_workload *w = NULL;
	const char *plot = NULL;
	struct lab_bench b;
	unsigned long designs = 0;
	bool json = false, kernel = false, check = false;
	char msg[256];
	int i, status;
	const char *params[64];
	int nparams = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(bench_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--list")) {
			list_workloads(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--kernel")) {
			kernel = true;
		} else if (!strcmp(a, "--check")) {
			check = true;
		} else if (!strcmp(a, "--design") || !strcmp(a, "--param") ||
			   !strcmp(a, "--plot")) {
			if (i + 1 == argc)
				return cli_usage_error("%s needs a value", a);
			if (!strcmp(a, "--design")) {
				if (add_designs(&designs, argv[++i]))
					return 2;
			} else if (!strcmp(a, "--plot")) {
				plot = argv[++i];
			} else if (nparams < 64) {
				params[nparams++] = argv[++i];
			}
		} else if (a[0] == '-') {
			return cli_usage_error("bench: unknown option '%s'", a);
		} else if (w) {
			return cli_usage_error("bench: one workload at a time ('%s')", a);
		} else {
			w = lab_workload_find(a);
			if (!w)
				return cli_usage_error("bench: unknown workload '%s' (try anonvma bench --list)",
						       a);
		}
	}
	if (!w) {
		fputs(bench_usage, stdout);
		fputc('\n', stdout);
		list_workloads(stdout);
		return 0;
	}
	lab_bench_init(&b, w);
	if (designs)
		b.designs = designs;
	b.kernel = kernel;
	b.check = check;
	for (i = 0; i < nparams; i++)
		if (lab_bench_set_param(&b, params[i], msg, sizeof(msg)))
			return cli_usage_error("bench: %s", msg);

	status = lab_bench_run(&b, stderr);
	if (json)
		lab_bench_print_json(stdout, &b);
	else
		lab_bench_print_text(stdout, &b);
	fflush(stdout);
	if (plot && lab_plot(&b, plot, stderr, NULL))
		status = 1;
	lab_bench_free(&b);
	return status;
}
