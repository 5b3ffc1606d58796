/* SPDX-License-Identifier: MIT */
/*
 * anonvma report FILE [--steps N,N,...] [--design NAME] --out report.html
 * anonvma report --bench WORKLOAD [--design NAME|all] [--param N=V ...]
 *                [--kernel] --out report.html
 *
 * A self-contained HTML report (inline SVG, no external resources) of a
 * scenario run or of a bench run; tools/lab/lab_report.c writes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lab/lab.h"
#include "cli_opts.h"
#include "cmd.h"

static const char report_usage[] =
"usage: anonvma report FILE [--steps N,N,...|last] [--design NAME] --out PATH\n"
"       anonvma report --bench WORKLOAD [--design NAME|all] [--param N=V ...]\n"
"                      [--kernel] --out PATH\n"
"\n"
"Writes one self-contained HTML file (inline style and SVG pictures, nothing\n"
"fetched from elsewhere).  For a scenario: the verdict, a table of every\n"
"step, the anon_vma hierarchy after the chosen steps (default: the six\n"
"steps that changed the objects most, and the last) and every step's text\n"
"observations.  For a bench run: the tables of `anonvma bench`, the host\n"
"kernel comparison with --kernel, and the charts.  Pictures need Graphviz\n"
"and gnuplot (scripts/install-lab-deps.sh); without them the report holds\n"
"their sources and says so.\n"
"Exit status: 0 written and the run passed, 1 written but the run failed,\n"
"2 usage or input error.\n";

static int parse_steps(const char *arg, int *steps, int max)
{
	char buf[256], *tok, *save = NULL, *end;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save)) {
		long v;

		if (!strcmp(tok, "last")) {
			steps[n++] = -1;
			continue;
		}
		v = strtol(tok, &end, 10);
		if (*end || v < 1)
			return -1;
		steps[n++] = (int)v;
	}
	return n;
}

static int report_bench(const char *name, const char *out, int argc, char **argv)
{
	const struct lab_workload *w = lab_workload_find(name);
	struct lab_bench b;
	char msg[256];
	FILE *f;
	int i, status;

	if (!w)
		return cli_usage_error("report: unknown workload '%s' (try anonvma bench --list)",
				       name);
	lab_bench_init(&b, w);
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel")) {
			b.kernel = true;
		} else if (!strcmp(argv[i], "--param") && i + 1 < argc) {
			if (lab_bench_set_param(&b, argv[++i], msg, sizeof(msg)))
				return cli_usage_error("report: %s", msg);
		} else if (!strcmp(argv[i], "--design") && i + 1 < argc) {
			char list[256], *tok, *save = NULL;

			snprintf(list, sizeof(list), "%s", argv[++i]);
			if (!strcmp(list, "all"))
				continue;
			if (b.designs == (1UL << NR_DESIGNS) - 1)
				b.designs = 0;
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int d = design_parse(tok);

				if (d < 0)
					return cli_usage_error("report: unknown design '%s'",
							       tok);
				b.designs |= 1UL << d;
			}
		}
	}
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "anonvma report: cannot write %s\n", out);
		return 2;
	}
	status = lab_bench_run(&b, stderr);
	lab_report_bench(f, &b, stderr);
	lab_bench_free(&b);
	if (fclose(f)) {
		fprintf(stderr, "anonvma report: cannot write %s\n", out);
		return 2;
	}
	fprintf(stderr, "anonvma report: wrote %s\n", out);
	return status;
}

/** cmd_report() - the `anonvma report` command. */
int cmd_report(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *bench = NULL, *design = NULL;
	struct scenario *s;
	int steps[LAB_MAX_WANT], nsteps = 0, i, d = -1, status;
	FILE *f;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(report_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--kernel")) {
			continue;
		} else if (!strcmp(a, "--out") || !strcmp(a, "--bench") ||
			   !strcmp(a, "--steps") || !strcmp(a, "--design") ||
			   !strcmp(a, "--param")) {
			if (i + 1 == argc)
				return cli_usage_error("%s needs a value", a);
			i++;
			if (!strcmp(a, "--out"))
				out = argv[i];
			else if (!strcmp(a, "--bench"))
				bench = argv[i];
			else if (!strcmp(a, "--design"))
				design = argv[i];
			else if (!strcmp(a, "--steps")) {
				nsteps = parse_steps(argv[i], steps, LAB_MAX_WANT);
				if (nsteps <= 0)
					return cli_usage_error("report: --steps wants numbers or 'last', not '%s'",
							       argv[i]);
			}
		} else if (cli_file_arg("report", a, &file)) {
			return 2;
		}
	}
	if (!out)
		return cli_usage_error("%s", "report: --out PATH is required");
	if (bench && file)
		return cli_usage_error("report: either FILE or --bench, not both (%s)",
				       file);
	if (bench)
		return report_bench(bench, out, argc, argv);
	if (!file)
		return cli_usage_error("%s", "report: missing scenario FILE (or --bench WORKLOAD)");
	if (design && cli_design_arg("report", design, &d))
		return 2;
	s = cli_load_scenario(file, file);
	if (!s)
		return 2;
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "anonvma report: cannot write %s\n", out);
		scn_free(s);
		return 2;
	}
	status = lab_report_scenario(f, s, d, steps, nsteps, stderr);
	scn_free(s);
	if (fclose(f)) {
		fprintf(stderr, "anonvma report: cannot write %s\n", out);
		return 2;
	}
	fprintf(stderr, "anonvma report: wrote %s\n", out);
	return status;
}
