/* SPDX-License-Identifier: MIT */
/*
 * anonvma run [--check] [--json] [--quiet] [--final] [--design NAME]
 *             [--bug NAME] [FILE]
 * and anonvma workload: scenarios on the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../scenario/exec.h"
#include "cmd.h"

#define usage_error cli_usage_error

/** cmd_run() - run a scenario file (or the built-in workload) on the model. */
int cmd_run(int argc, char **argv)
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

/** cmd_workload() - print the built-in scenario. */
int cmd_workload(int argc, char **argv)
{
	if (argc > 0)
		return usage_error("workload takes no argument ('%s')", argv[0]);
	fputs(workload_text(), stdout);
	return 0;
}
