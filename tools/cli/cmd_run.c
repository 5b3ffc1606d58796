/* SPDX-License-Identifier: MIT */
/*
 * anonvma run [--check] [--json] [--quiet] [--final] [--design NAME]
 *             [--bug NAME] [FILE]
 * anonvma run --fail-each [--fail-cache CACHE] [--fail-site SITE] [--verbose]
 *             [--design NAME] [--bug NAME] FILE
 * anonvma run --fail-random P [--seed N] [--runs N] [--fail-cache CACHE]
 *             [--fail-site SITE] [--verbose] [--design NAME] [--bug NAME] FILE
 * and anonvma workload: scenarios on the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "../scenario/exec.h"
#include "../scenario/failinject.h"
#include "cli_opts.h"
#include "cmd.h"

#define usage_error cli_usage_error

/* A number option's value: @what in [lo, hi]; false after a usage error. */
static bool num_arg(const char *opt, const char *val, double lo, double hi,
		    double *out)
{
	char *end;
	double v;

	if (!val) {
		cli_usage_error("%s needs a value", opt);
		return false;
	}
	v = strtod(val, &end);
	if (end == val || *end || !(v >= lo && v <= hi)) {
		cli_usage_error("bad value '%s'", val);
		return false;
	}
	*out = v;
	return true;
}

/*
 * The fault-injection options; returns 1 when argv[*i] was one of
 * them, 0 when not, 2 after a usage error.
 */
static int fail_option(int argc, char **argv, int *i,
		       struct fail_each_opts *fo, bool *each, bool *random)
{
	const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	double v;

	if (!strcmp(a, "--fail-each")) {
		*each = true;
		return 1;
	}
	if (!strcmp(a, "--verbose")) {
		fo->verbose = true;
		return 1;
	}
	if (!strcmp(a, "--fail-cache")) {
		if (!val)
			return cli_usage_error("%s needs a cache name", a);
		fo->only = fi_cache_parse(val);
		if (fo->only < 0)
			return cli_usage_error("unknown cache '%s' (any, anon_vma, avc, vma, folio, pgtable, mm, maple, swap, file)",
					       val);
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--fail-site")) {
		int k;

		if (!val)
			return cli_usage_error("%s needs a call site name", a);
		for (k = 0; k < NR_ALLOC_SITES; k++)
			if (!strcmp(val, alloc_site_name((enum alloc_site)k)))
				break;
		if (k == NR_ALLOC_SITES)
			return cli_usage_error("unknown call site '%s' (prepare, clone, fork, put, unlink, cleanup, vma, fault, swap, migrate, pgtable, mm, other)",
					       val);
		fo->by_site = true;
		fo->only_site = k;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--fail-random")) {
		if (!num_arg(a, val, 1e-9, 1.0, &v))
			return 2;
		fo->prob = v;
		*random = true;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--seed")) {
		if (!num_arg(a, val, 0, 1e18, &v))
			return 2;
		fo->seed = (unsigned long long)v;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--runs")) {
		if (!num_arg(a, val, 1, 1e9, &v))
			return 2;
		fo->runs = (unsigned long)v;
		(*i)++;
		return 1;
	}
	return 0;
}

/* --fail-each / --fail-random FILE. */
static int run_fail(const char *file, struct fail_each_opts *fo,
		    const struct run_opts *opts)
{
	struct scn_error err;
	size_t len;
	char *buf;
	int ret;

	fo->design = -1;
	if (opts->design)
		fo->design = design_parse(opts->design);
	fo->bugs = opts->bugs;
	buf = scn_read_file(file, &len, &err);
	if (!buf) {
		scn_error_print(file, &err, stderr);
		return 2;
	}
	ret = scn_fail_each(cli_scenario_name(file), buf, len, fo, stdout,
			    stderr, NULL);
	free(buf);
	return ret;
}

/** cmd_run() - run a scenario file (or the built-in workload) on the model. */
int cmd_run(int argc, char **argv)
{
	struct run_opts opts = { .format = RUN_TEXT };
	struct fail_each_opts fo = { .seed = 1, .runs = 1 };
	bool json = false, quiet = false, each = false, random = false;
	const char *file = NULL;
	struct scn_error err;
	size_t len;
	char *buf;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		ret = fail_option(argc, argv, &i, &fo, &each, &random);
		if (ret == 2)
			return 2;
		if (ret)
			continue;
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
			if (cli_bug_arg(argc, argv, &i, &opts.bugs))
				return 2;
		} else if (cli_file_arg(NULL, a, &file)) {
			return 2;
		}
	}
	if (json && quiet)
		return usage_error("%s", "--json and --quiet exclude each other");
	if (quiet && opts.final)
		return usage_error("%s", "--quiet and --final exclude each other");
	if (opts.design && design_parse(opts.design) < 0)
		return usage_error("unknown design '%s' (mainline, v6.18)",
				   opts.design);

	if (each || random || fo.only || fo.by_site || fo.verbose ||
	    fo.seed != 1 || fo.runs != 1) {
		if (each == random)
			return usage_error("%s", each ?
				"--fail-each and --fail-random exclude each other" :
				"--fail-cache, --fail-site, --verbose, --seed and --runs need --fail-each or --fail-random");
		if (each && (fo.seed != 1 || fo.runs != 1))
			return usage_error("%s", "--seed and --runs need --fail-random");
		if (json || opts.final)
			return usage_error("%s", "--json and --final do not apply to fault injection runs");
		if (!file)
			return usage_error("%s", "fault injection needs a scenario FILE");
		return run_fail(file, &fo, &opts);
	}
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
	ret = scn_run(cli_scenario_name(file), buf, len, &opts, stdout, stderr,
		      NULL);
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
