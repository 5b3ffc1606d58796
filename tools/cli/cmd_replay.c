// SPDX-License-Identifier: MIT
/*
 * anonvma replay [--design NAME|all] [--json] [--images] [--check[=N]]
 *                [--any-kernel] [--progress] FILE
 *
 * Replay a recording made by `anonvma record` through the model and
 * compare every operation with the kernel's (tools/replay/).  Exit
 * status: 0 everything compared agrees (or, under another design than
 * the host's, the replay ran), 1 a disagreement or an invariant
 * violation, 2 a usage error or a malformed, truncated or incomplete
 * trace (reported as FILE:LINE: message before anything runs).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../replay/replay.h"
#include "cli_opts.h"
#include "cmd.h"

static const char replay_usage[] =
"usage: anonvma replay [--design NAME|all] [--json] [--images] [--check[=N]]\n"
"                      [--any-kernel] [--progress] FILE\n"
"\n"
"  --design NAME  replay under NAME's rules (default v6.18, the host's: compared\n"
"                 with the kernel); all: every design, one table\n"
"  --json         one JSON object (schema anonvma-replay-1), one per line\n"
"                 with --design all\n"
"  --images       one line per process image\n"
"  --check[=N]    run the invariant checker every N operations (default 1000)\n"
"                 and at the end\n"
"  --any-kernel   replay a recording of a kernel other than 6.18\n"
"  --progress     progress on stderr (default: when stderr is a terminal)\n";

static int replay_one(const struct trace *t, struct replay_opts *o,
		      bool json, bool images)
{
	struct replay_result res;
	int ret;

	ret = replay_run(t, o, &res);
	if (json)
		replay_print_json(stdout, t, &res);
	else
		replay_print(stdout, t, &res, images);
	if (ret)
		ret = 2;
	else if (res.violations || (res.compared && !replay_agrees(&res)))
		ret = 1;
	replay_result_free(&res);
	return ret;
}

static int replay_all(const struct trace *t, struct replay_opts *o, bool json)
{
	struct replay_result res[NR_DESIGNS];
	int d, ret = 0;

	for (d = 0; d < NR_DESIGNS; d++) {
		o->design = (enum anonvma_design)d;
		if (replay_run(t, o, &res[d]))
			ret = 2;
		else if (res[d].violations && !ret)
			ret = 1;
	}
	if (json)
		for (d = 0; d < NR_DESIGNS; d++)
			replay_print_json(stdout, t, &res[d]);
	else
		replay_print_designs(stdout, t, res, NR_DESIGNS);
	for (d = 0; d < NR_DESIGNS; d++) {
		if (res[d].compared && !replay_agrees(&res[d]) && !ret) {
			fprintf(stderr, "anonvma replay: the host's design (v6.18) disagrees with the kernel (%zu disagreements): anonvma replay --design v6.18 lists them\n",
				res[d].ndiffs_total);
			ret = 1;
		}
		if (res[d].violations)
			fprintf(stderr, "anonvma replay: design %s: %lu invariant violations: %s\n",
				design_name(res[d].design), res[d].violations,
				res[d].first_violation);
		replay_result_free(&res[d]);
	}
	return ret;
}

/** cmd_replay() - replay a recorded program through the model. */
int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "design", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "images", no_argument, NULL, 'i' },
		{ "check", optional_argument, NULL, 'c' },
		{ "any-kernel", no_argument, NULL, 'k' },
		{ "progress", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_opts o = { .design = DESIGN_V6_18 };
	bool json = false, images = false, all = false, any_kernel = false;
	bool progress = isatty(STDERR_FILENO);
	struct trace t;
	char err[1024];
	int c, design, ret;

	/* argv[0] is the first argument after "replay". */
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!strcmp(optarg, "all")) {
				all = true;
				break;
			}
			if (cli_design_arg("replay", optarg, &design))
				return 2;
			o.design = (enum anonvma_design)design;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			images = true;
			break;
		case 'c':
			o.check_every = 1000;
			if (optarg) {
				char *end;

				o.check_every = strtoul(optarg, &end, 10);
				if (*end || !o.check_every)
					return cli_usage_error("--check=%s: N is a positive number", optarg);
			}
			break;
		case 'k':
			any_kernel = true;
			break;
		case 'p':
			progress = true;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			return 0;
		default:
			fputs(replay_usage, stderr);
			return 2;
		}
	}
	if (optind != argc)
		return cli_usage_error("%s", "replay needs exactly one trace FILE");
	if (progress)
		o.progress = stderr;
	if (trace_load(argv[optind - 1], &t, err, sizeof(err), any_kernel)) {
		fprintf(stderr, "%s\n", err);
		trace_free(&t);
		return 2;
	}
	ret = all ? replay_all(&t, &o, json) : replay_one(&t, &o, json, images);
	trace_free(&t);
	return ret;
}
