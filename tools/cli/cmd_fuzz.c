/* SPDX-License-Identifier: MIT */
/*
 * anonvma fuzz [--kernel] [--seed N] [--count N] [--steps N] [--out DIR]
 *              [--design NAME] [--bug NAME] [--timeout S]
 *              [--shrink-runs N] [--max-failures N] [--probe] [--print]
 *
 * Random scenarios on the model with the invariant checker (and with
 * --kernel, compared with the host kernel step by step); every failure
 * is shrunk to a small scenario file (docs/fuzzing.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <anonvma/system.h>

#include "../fuzz/fuzz.h"
#include "cmd.h"

#define usage_error cli_usage_error

static const char fuzz_usage[] =
"usage: anonvma fuzz [--kernel] [--seed N] [--count N] [--steps N] [--out DIR]\n"
"                    [--design NAME] [--bug NAME] [--timeout S] [--shrink-runs N]\n"
"                    [--max-failures N]\n"
"       anonvma fuzz --kernel --probe\n"
"       anonvma fuzz [--kernel] --print --seed N [--count N] [--steps N] ...\n"
"\n"
"Generate random scenarios, run each on the model with the invariant\n"
"checker after every step (and with --kernel on the host kernel too,\n"
"compared step by step), and shrink every failure to a minimal scenario\n"
"file in DIR (default tests/fuzz-found).  Scenario i uses seed N + i.\n"
"  --kernel         compare with the host kernel (root, tracefs, PFNs)\n"
"  --probe          only say whether the kernel oracle can run here\n"
"  --print          print the scenarios of the seeds instead of running them\n"
"  --seed N         first seed (default: from the clock; printed)\n"
"  --count N        scenarios (default 1000)\n"
"  --steps N        operations per scenario (default 40)\n"
"  --design NAME    the model's design (default mainline; with --kernel the\n"
"                   host kernel's, v6.18 on a 6.18 host)\n"
"  --bug NAME       switch a historical bug on in every scenario (repeatable)\n"
"  --timeout S      seconds per run before it counts as a hang (default 30)\n"
"  --shrink-runs N  stop shrinking one finding after N runs (default 2000)\n"
"  --max-failures N stop after N failing scenarios (default: never)\n"
"Exit status: 0 all passed, 1 some failed, 2 usage error or oracle missing.\n";

static int parse_ulong(const char *opt, const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		return usage_error("bad number for %s", opt);
	return 0;
}

/* --print: the scenarios the seeds give, without running them. */
static int print_scenarios(const struct fuzz_opts *o)
{
	struct fuzz_gen_opts go;
	unsigned long i;

	for (i = 0; i < o->count; i++) {
		char *text;

		fuzz_opts_gen(o, o->seed + i, &go);
		text = fuzz_generate(&go);
		fputs(text, stdout);
		free(text);
	}
	return 0;
}

/** cmd_fuzz() - the fuzz command. */
int cmd_fuzz(int argc, char **argv)
{
	struct fuzz_opts o = {
		.count = 1000, .steps = 40, .out = "tests/fuzz-found",
		.shrink_runs = 2000, .timeout = 30, .progress = stdout,
		.progress_every = 5.0,
	};
	bool kernel = false, probe = false, seeded = false, print = false;
	const struct fuzz_oracle *oracle = NULL;
	struct fuzz_stats st;
	unsigned long v;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(fuzz_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--kernel")) {
			kernel = true;
			continue;
		} else if (!strcmp(a, "--probe")) {
			probe = true;
			continue;
		} else if (!strcmp(a, "--print")) {
			print = true;
			continue;
		}
		if (!val)
			return usage_error("%s needs a value (or is unknown)", a);
		i++;
		if (!strcmp(a, "--seed")) {
			if (parse_ulong(a, val, &v))
				return 2;
			o.seed = v;
			seeded = true;
		} else if (!strcmp(a, "--count")) {
			if (parse_ulong(a, val, &v))
				return 2;
			o.count = v;
		} else if (!strcmp(a, "--steps")) {
			if (parse_ulong(a, val, &v) || !v || v > 10000)
				return usage_error("%s wants 1..10000", a);
			o.steps = (int)v;
		} else if (!strcmp(a, "--out")) {
			o.out = val;
		} else if (!strcmp(a, "--design")) {
			if (design_parse(val) < 0)
				return usage_error("unknown design '%s'", val);
			o.design = val;
		} else if (!strcmp(a, "--bug")) {
			int b = bug_parse(val);

			if (b < 0)
				return usage_error("unknown bug '%s'", val);
			o.bugs |= 1UL << b;
		} else if (!strcmp(a, "--timeout")) {
			if (parse_ulong(a, val, &v) || !v || v > 3600)
				return usage_error("%s wants 1..3600 seconds", a);
			o.timeout = (unsigned int)v;
		} else if (!strcmp(a, "--max-failures")) {
			if (parse_ulong(a, val, &v))
				return 2;
			o.max_failures = v;
		} else if (!strcmp(a, "--shrink-runs")) {
			if (parse_ulong(a, val, &v))
				return 2;
			o.shrink_runs = v;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}

	if (probe && !kernel)
		return usage_error("%s", "--probe goes with --kernel");
	if (kernel) {
		char why[256] = "";

		oracle = fuzz_kernel_oracle();
		if (!oracle->available(oracle->arg, why, sizeof(why))) {
			printf("kernel oracle: unavailable: %s\n", why);
			return 2;
		}
		if (probe) {
			printf("kernel oracle: available (design %s)\n",
			       design_name((enum anonvma_design)oracle->design(oracle->arg)));
			return 0;
		}
		if (!o.design) {
			o.design = design_name((enum anonvma_design)oracle->design(oracle->arg));
		} else if (design_parse(o.design) != oracle->design(oracle->arg)) {
			fprintf(stderr, "anonvma fuzz: warning: the host kernel follows design %s, not %s\n",
				design_name((enum anonvma_design)oracle->design(oracle->arg)),
				o.design);
		}
		o.oracle = oracle;
	}
	if (!o.design)
		o.design = "mainline";
	if (!seeded)
		o.seed = ((uint64_t)time(NULL) << 16 ^ (uint64_t)getpid()) & 0xffffffffffULL;

	if (print)
		return print_scenarios(&o);
	printf("fuzz: seed %llu, %lu scenarios of %d operations, %s, design %s%s\n",
	       (unsigned long long)o.seed, o.count, o.steps,
	       kernel ? "model and host kernel" : "model with the invariant checker",
	       o.design, o.bugs ? ", bugs switched on" : "");
	fflush(stdout);
	ret = fuzz_run(&o, &st);
	printf("fuzz: %lu scenarios in %.1f s (%.1f scenarios/s; %.1f s of it shrinking), %lu findings written%s%s\n",
	       st.run, st.seconds,
	       st.seconds > 0 ? (double)st.run / st.seconds : 0.0,
	       st.shrink_seconds, st.findings,
	       st.findings ? ", first " : "", st.first_file);
	for (i = 0; i < NR_FUZZ_KINDS; i++)
		if (st.by_kind[i])
			printf("fuzz:   %lu %s\n", st.by_kind[i],
			       fuzz_kind_name((enum fuzz_kind)i));
	printf("%lu passed, %lu failed\n", st.passed, st.failed);
	return ret;
}
