/* SPDX-License-Identifier: MIT */
/*
 * anonvma record [-o FILE] [--buffer MB] [--quiet] [--progress] -- CMD [ARGS...]
 *
 * Runs CMD under a private ftrace instance and a ptrace supervisor and
 * writes one trace file for `anonvma replay` (tools/record,
 * docs/record-replay.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../record/record.h"
#include "cmd.h"

static const char record_usage[] =
"usage: anonvma record [-o FILE] [--buffer MB] [--quiet] [--progress] -- CMD [ARGS...]\n"
"\n"
"Runs CMD and records what the anon_vma model needs to replay it: its\n"
"memory syscalls, page faults, forks, execs and exits, the kernel's own\n"
"anon_vma and anon_vma_chain allocations and frees, and a snapshot of\n"
"each process image's memory at exec and at exit.  Needs root and tracefs.\n"
"  -o, --output FILE  the trace file (default anonvma.trace)\n"
"  -b, --buffer MB    ftrace ring buffer per CPU (default 16); raise it when\n"
"                     events are lost\n"
"  -q, --quiet        no progress line and no summary\n"
"      --progress     the progress line even when stderr is not a terminal\n"
"Exit status: CMD's (128 + signal when it was killed); 1 events were lost\n"
"(the file is written but replay refuses it) or recording failed; 2 usage\n"
"error; 77 recording is not possible here (\"skipped: reason\").\n"
"The file format and what is recorded: docs/record-replay.md.\n";

/** cmd_record() - the `anonvma record` command. */
int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rec_opts o = { .out = "anonvma.trace", .buffer_mb = 16 };
	char **args;
	char *end;
	long mb;
	int c;

	/* getopt_long wants argv[0]: ours starts at the first option. */
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args)
		return 1;
	args[0] = "anonvma record";
	memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
	optind = 1;
	opterr = 0;
	/* "+": stop at the command's name, whose options are its own. */
	while ((c = getopt_long(argc + 1, args, "+o:b:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out = optarg;
			break;
		case 'b':
			mb = strtol(optarg, &end, 10);
			if (*end || mb < 1 || mb > 4096) {
				free(args);
				return cli_usage_error("record: --buffer needs a size in MB (1 to 4096), not '%s'",
						       optarg);
			}
			o.buffer_mb = (unsigned int)mb;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'p':
			o.progress = true;
			break;
		case 'h':
			fputs(record_usage, stdout);
			free(args);
			return 0;
		default:
			c = optopt;
			free(args);
			if (c)
				fprintf(stderr, "anonvma: record: unknown option or missing value '-%c'\n", c);
			else
				fprintf(stderr, "anonvma: record: unknown option '%s'\n",
					argv[optind - 2]);
			fprintf(stderr, "Try 'anonvma record --help'.\n");
			return 2;
		}
	}
	if (optind > argc) {
		free(args);
		return cli_usage_error("%s", "record needs a command: anonvma record [OPTIONS] -- CMD [ARGS...]");
	}
	o.argv = args + optind;
	o.argc = argc + 1 - optind;
	c = rec_run(&o);
	free(args);
	return c;
}
