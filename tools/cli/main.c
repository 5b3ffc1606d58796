/* SPDX-License-Identifier: MIT */
/*
 * The `anonvma` command: runs scenarios on the model.
 *
 *   anonvma run [--check] [--json] [--quiet] [--final] [--design NAME] [--bug NAME] [FILE]
 *   anonvma workload        print the built-in scenario
 *   anonvma --help | --version
 *
 * Exit status: 0 pass, 1 a failed operation, expectation, invariant
 * or leak, 2 a usage or parse error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../scenario/exec.h"

#define ANONVMA_VERSION "0.1.0"

static const char usage[] =
"usage: anonvma run [--check] [--json] [--quiet] [--final] [--design NAME] [--bug NAME] [FILE]\n"
"       anonvma workload\n"
"       anonvma --help | --version\n"
"\n"
"run        run the scenario FILE ('-' for standard input) on the model and\n"
"           print what each step leaves behind: the VMAs and pages of every\n"
"           process in the window, and the anon_vma / anon_vma_chain objects\n"
"           allocated and freed.  Without FILE, run the built-in forking-server\n"
"           workload (invariants checked) and print a summary.\n"
"  --check    run the invariant checker after every step\n"
"  --json     print the observations as one JSON document\n"
"  --quiet    print only failures and a one-line verdict\n"
"  --final    print only the last step's observations\n"
"  --design NAME  follow the rules of NAME: mainline or v6.18\n"
"               (overrides the scenario's own `design` line)\n"
"  --bug NAME   switch a historical bug back on (repeatable): clone-no-unlock,\n"
"               dup-stale-anon-vma, merge-no-copied-from, put-root-first,\n"
"               tag-child-nonexcl (see docs/scenario-language.md)\n"
"workload   print the built-in scenario (an example of the language)\n"
"\n"
"Exit status: 0 all passed; 1 an operation, expectation, invariant check\n"
"or leak check failed; 2 usage or scenario syntax error.\n"
"The language: docs/scenario-language.md.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "anonvma: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'anonvma --help'.\n");
	return 2;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts opts = { .format = RUN_TEXT };
	bool json = false, quiet = false;
	const char *file = NULL;
	struct scn_error err;
	size_t len;
	char *buf;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--check")) {
			opts.check = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--final")) {
			opts.final = true;
		} else if (!strcmp(a, "--design")) {
			if (i + 1 >= argc)
				return usage_error("%s needs a design name", a);
			opts.design = argv[++i];
		} else if (!strncmp(a, "--design=", 9)) {
			opts.design = a + 9;
		} else if (!strcmp(a, "--bug")) {
			int b;

			if (i + 1 >= argc)
				return usage_error("%s needs a bug name", a);
			b = bug_parse(argv[++i]);
			if (b < 0)
				return usage_error("unknown bug '%s'", argv[i]);
			opts.bugs |= 1UL << b;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (file) {
			return usage_error("more than one scenario file ('%s')", a);
		} else {
			file = a;
		}
	}
	if (json && quiet)
		return usage_error("%s", "--json and --quiet exclude each other");
	if (quiet && opts.final)
		return usage_error("%s", "--quiet and --final exclude each other");
	if (opts.design && design_parse(opts.design) < 0)
		return usage_error("unknown design '%s' (mainline, v6.18)",
				   opts.design);

	if (json)
		opts.format = RUN_JSON;
	else if (quiet)
		opts.format = RUN_QUIET;
	if (!file) {
		/* The README's first command: checked, summarised. */
		const char *text = workload_text();

		opts.check = true;
		if (opts.format == RUN_TEXT)
			opts.format = RUN_SUMMARY;
		return scn_run(workload_name(), text, strlen(text), &opts,
			       stdout, stderr, NULL);
	}
	buf = scn_read_file(file, &len, &err);
	if (!buf) {
		scn_error_print(file, &err, stderr);
		return 2;
	}
	ret = scn_run(strcmp(file, "-") ? file : "<stdin>", buf, len, &opts,
		      stdout, stderr, NULL);
	free(buf);
	return ret;
}

/** main() - dispatch the subcommands. */
int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing command (run, workload)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("anonvma %s\n", ANONVMA_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "workload")) {
		if (argc > 2)
			return usage_error("workload takes no argument ('%s')",
					   argv[2]);
		fputs(workload_text(), stdout);
		return 0;
	}
	return usage_error("unknown command '%s'", argv[1]);
}
