/* SPDX-License-Identifier: MIT */
/*
 * anonvma diff [--design NAME] [--bug NAME]... [--check] [--all] [--quiet] FILE
 *
 * Run a scenario on the host kernel and on the model (following the
 * host's rules unless --design is given) and compare the
 * kernel-observable observations step by step (tools/kernel/kdiff.c).
 * Prints the first step where they diverge with both sides next to each
 * other.  Exit status: 0 every compared step agrees, 1 they diverge,
 * 2 usage, parse or run error, 77 the kernel oracle is not available
 * here ("skipped: reason").
 */
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../kernel/kernel.h"
#include "cli_opts.h"
#include "cmd.h"

/** cmd_diff() - compare a scenario's run on the host kernel and on the model. */
int cmd_diff(int argc, char **argv)
{
	struct kdiff_opts o = { .design = -1 };
	bool all = false, quiet = false;
	const char *file = NULL;
	struct kdiff_result r;
	struct scenario *s;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--design") || !strncmp(a, "--design=", 9)) {
			const char *name = a[8] == '=' ? a + 9 : NULL;

			if (!name && i + 1 >= argc)
				return cli_usage_error("%s needs a design name", a);
			if (!name)
				name = argv[++i];
			if (cli_design_arg(NULL, name, &o.design))
				return 2;
		} else if (!strcmp(a, "--bug")) {
			if (cli_bug_arg(argc, argv, &i, &o.bugs))
				return 2;
		} else if (!strcmp(a, "--check")) {
			o.check = true;
		} else if (!strcmp(a, "--all")) {
			all = true;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (cli_file_arg(NULL, a, &file)) {
			return 2;
		}
	}
	if (!file)
		return cli_usage_error("%s", "diff needs a scenario FILE");
	s = cli_load_scenario(file, cli_scenario_name(file));
	if (!s)
		return 2;
	ret = kdiff_run(s, &o, &r);
	if (quiet && ret == KDIFF_AGREE)
		printf("AGREE %s: %d steps compared\n", s->name, r.compared);
	else if (quiet && ret == KDIFF_DIVERGE && r.first >= 0)
		printf("DIVERGE %s: first at step %d (line %d)\n", s->name,
		       r.first + 1, s->steps[r.first].line);
	else if (quiet && ret == KDIFF_DIVERGE)
		printf("DIVERGE %s: the model broke an invariant after step %d (line %d)\n",
		       s->name, r.violation + 1, s->steps[r.violation].line);
	else
		kdiff_print(stdout, s, &r, all);
	fflush(stdout);
	kdiff_result_free(&r);
	scn_free(s);
	return ret;
}
