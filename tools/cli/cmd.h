/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of `anonvma`, one file each (cmd_NAME.c), so that
 * each tool can grow without touching the others.  Each takes the
 * arguments after its name and returns the exit status: 0 pass,
 * 1 failure (of what was checked), 2 usage or input error.
 */
#ifndef ANONVMA_CLI_CMD_H
#define ANONVMA_CLI_CMD_H

/** struct cli_command - one subcommand: name, entry point, one-line help. */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/** cli_usage_error() - "anonvma: MESSAGE" plus a hint; returns 2. */
int cli_usage_error(const char *fmt, const char *arg);

int cmd_run(int argc, char **argv);
int cmd_workload(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_draw(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_record(int argc, char **argv);

#endif
