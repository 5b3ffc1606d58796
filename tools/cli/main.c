/* SPDX-License-Identifier: MIT */
/*
 * The `anonvma` command: a dispatcher over the subcommands of cmd.h.
 *
 * Exit status: 0 pass, 1 a failed operation, expectation, invariant
 * or leak, 2 a usage or parse error.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define ANONVMA_VERSION "0.1.0"

static const struct cli_command commands[] = {
	{ "run", cmd_run, "run a scenario on the model (no FILE: the built-in workload)" },
	{ "workload", cmd_workload, "print the built-in scenario" },
	{ "kernel", cmd_kernel, "run a scenario on the host kernel" },
	{ "diff", cmd_diff, "run a scenario on both and show where they disagree" },
	{ "replay", cmd_replay, "replay a recorded program through the model, compared with the kernel" },
	{ "fuzz", cmd_fuzz, "random scenarios on the model (and the kernel)" },
	{ "bench", cmd_bench, "benchmark workloads, designs side by side" },
	{ "draw", cmd_draw, "the anon_vma hierarchy of a scenario as Graphviz" },
	{ "report", cmd_report, "a self-contained HTML report" },
	{ "record", cmd_record, "record a real program for replay (root, tracefs)" },
};

static const char usage[] =
"usage: anonvma COMMAND [OPTIONS] [FILE]\n"
"\n"
"  anonvma run [--check] [--json|--quiet|--final] [--design NAME] [--bug NAME]\n"
"              [--fail-each|--fail-random P --seed S --runs R] [FILE]\n"
"  anonvma workload\n"
"  anonvma kernel [--json|--quiet|--final] FILE\n"
"  anonvma diff [--design NAME] [--bug NAME] [--check] [--all] [--quiet] FILE\n"
"  anonvma replay [--design NAME|all] [--json] [--images] [--check[=N]] FILE\n"
"  anonvma replay --extract IMAGE[,IMAGE...] -o OUT.scn FILE\n"
"  anonvma fuzz [--kernel] [--seed N] [--count N] [--steps N] [--out DIR]\n"
"               [--design NAME] [--bug NAME]\n"
"  anonvma bench [WORKLOAD] [--design NAME|all] [--param K=V] [--kernel] [--plot DIR]\n"
"  anonvma draw FILE [--step N] [--out PATH] [--format dot|svg|png]\n"
"  anonvma report FILE|--bench WORKLOAD --out PATH\n"
"  anonvma record [-o FILE] [--buffer MB] [--quiet] -- CMD [ARGS...]\n"
"  anonvma --help | --version\n"
"\n"
"run without FILE runs the built-in forking-server workload with the\n"
"invariant checker and prints a summary.  Designs: mainline (default),\n"
"v6.18 (the host kernel), degree, noreuse, list, single, eager, eager-rw\n"
"(docs/designs.md).  Bug switches: clone-no-unlock, dup-stale-anon-vma,\n"
"merge-no-copied-from, put-root-first, tag-child-nonexcl.\n"
"\n"
"Exit status: 0 all passed; 1 an operation, expectation, invariant check\n"
"or leak check failed, or the model and the kernel disagree; 2 usage or\n"
"scenario syntax error; 77 the kernel oracle is not available here.\n"
"The language: docs/scenario-language.md.\n";

/** cli_usage_error() - see cmd.h. */
int cli_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "anonvma: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'anonvma --help'.\n");
	return 2;
}

/** main() - dispatch the subcommands. */
int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_usage_error("%s", "missing command (try --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		fputs("\ncommands:\n", stdout);
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			printf("  %-10s %s\n", commands[i].name, commands[i].help);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("anonvma %s\n", ANONVMA_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 2, argv + 2);
	return cli_usage_error("unknown command '%s'", argv[1]);
}
