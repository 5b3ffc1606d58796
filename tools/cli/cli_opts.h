/* SPDX-License-Identifier: MIT */
/*
 * What several subcommands parse alike: the scenario FILE argument,
 * --design and --bug values, and reading and parsing the scenario.
 * Kept in one place so that the commands word their usage errors the
 * same way.  Each helper that can fail prints the error itself and
 * returns 2, the usage exit status of cmd.h, so a command returns it.
 */
#ifndef ANONVMA_CLI_OPTS_H
#define ANONVMA_CLI_OPTS_H

struct scenario;

/**
 * cli_file_arg() - an argument that is no option the command knows: an
 * unknown option is a usage error, anything else is the scenario FILE,
 * which may be given once.
 * @cmd: the command's name, which prefixes the messages ("draw: ..."),
 *       or NULL for the unprefixed wording of run, kernel and diff.
 * @a: the argument.
 * @file: the FILE so far (NULL before it); set to @a.
 * Return: 0 when @a was taken as FILE, 2 after a usage error.
 */
int cli_file_arg(const char *cmd, const char *a, const char **file);

/**
 * cli_design_arg() - the design a --design value names.
 * @cmd: as for cli_file_arg().
 * @name: the value.
 * @design: set to the design (enum anonvma_design), or to -1.
 * Return: 0, or 2 after a usage error for an unknown design.
 */
int cli_design_arg(const char *cmd, const char *name, int *design);

/**
 * cli_bug_arg() - the option --bug NAME at argv[*@i]: adds the switch
 * to @bugs and steps *@i over NAME.
 * @argc: the number of arguments.
 * @argv: the arguments.
 * @i: the index of "--bug".
 * @bugs: the bug switches so far, one bit each.
 * Return: 0, or 2 after a usage error (no NAME, or an unknown one).
 */
int cli_bug_arg(int argc, char **argv, int *i, unsigned long *bugs);

/**
 * cli_scenario_name() - the name a scenario read from @file goes by in
 * messages and output: the path, or "<stdin>" for "-".
 * @file: the FILE argument.
 */
const char *cli_scenario_name(const char *file);

/**
 * cli_load_scenario() - read and parse scenario @file; a read or syntax
 * error is printed on stderr as "file:line:col: message".
 * @file: the FILE argument ("-" for standard input).
 * @name: the name the parsed scenario goes by.
 * Return: the scenario (scn_free() it), or NULL after an error, for
 * which the command exits with 2.
 */
struct scenario *cli_load_scenario(const char *file, const char *name);

#endif
