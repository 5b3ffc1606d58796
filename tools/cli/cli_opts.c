/* SPDX-License-Identifier: MIT */
/*
 * Option handling shared by the subcommands (cli_opts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../scenario/scenario.h"
#include "cli_opts.h"
#include "cmd.h"

/* cli_usage_error(), with "CMD: " before the message when @cmd is set. */
static int cmd_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	char prefixed[256];

	if (!cmd)
		return cli_usage_error(fmt, arg);
	snprintf(prefixed, sizeof(prefixed), "%s: %s", cmd, fmt);
	return cli_usage_error(prefixed, arg);
}

/** cli_file_arg() - see cli_opts.h. */
int cli_file_arg(const char *cmd, const char *a, const char **file)
{
	if (a[0] == '-' && a[1])
		return cmd_usage_error(cmd, "unknown option '%s'", a);
	if (*file)
		return cmd_usage_error(cmd, cmd ?
				       "one scenario at a time ('%s')" :
				       "more than one scenario file ('%s')", a);
	*file = a;
	return 0;
}

/** cli_design_arg() - see cli_opts.h. */
int cli_design_arg(const char *cmd, const char *name, int *design)
{
	*design = design_parse(name);
	if (*design < 0)
		return cmd_usage_error(cmd, "unknown design '%s'", name);
	return 0;
}

/** cli_bug_arg() - see cli_opts.h. */
int cli_bug_arg(int argc, char **argv, int *i, unsigned long *bugs)
{
	int b;

	if (*i + 1 >= argc)
		return cli_usage_error("%s needs a bug name", argv[*i]);
	b = bug_parse(argv[++*i]);
	if (b < 0)
		return cli_usage_error("unknown bug '%s'", argv[*i]);
	*bugs |= 1UL << b;
	return 0;
}

/** cli_scenario_name() - see cli_opts.h. */
const char *cli_scenario_name(const char *file)
{
	return strcmp(file, "-") ? file : "<stdin>";
}

/** cli_load_scenario() - see cli_opts.h. */
struct scenario *cli_load_scenario(const char *file, const char *name)
{
	struct scn_error err;
	struct scenario *s;
	size_t len;
	char *buf;

	buf = scn_read_file(file, &len, &err);
	if (!buf) {
		scn_error_print(file, &err, stderr);
		return NULL;
	}
	s = scn_parse(name, buf, len, &err);
	free(buf);
	if (!s)
		scn_error_print(file, &err, stderr);
	return s;
}
