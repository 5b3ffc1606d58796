// SPDX-License-Identifier: MIT
/*
 * anonvma replay [--design NAME|all] [--json] [--images] [--check[=N]]
 *                [--any-kernel] [--progress] FILE
 * anonvma replay --extract IMAGE[,IMAGE...] -o FILE.scn [--any-kernel] FILE
 *
 * Replay a recording made by `anonvma record` through the model and
 * compare every operation with the kernel's (tools/replay/).  Exit
 * status: 0 everything compared agrees (or, under another design than
 * the host's, the replay ran), 1 a disagreement or an invariant
 * violation, 2 a usage error or a malformed, truncated or incomplete
 * trace (reported as FILE:LINE: message before anything runs).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../replay/replay.h"
#include "cli_opts.h"
#include "cmd.h"

static const char replay_usage[] =
"usage: anonvma replay [--design NAME|all] [--json] [--images] [--check[=N]]\n"
"                      [--any-kernel] [--progress] FILE\n"
"       anonvma replay --extract IMAGE[,IMAGE...] -o OUT.scn [--any-kernel] FILE\n"
"\n"
"  --design NAME  replay under NAME's rules (default v6.18, the host's: compared\n"
"                 with the kernel); all: every design, one table\n"
"  --json         one JSON object (schema anonvma-replay-1), one per line\n"
"                 with --design all\n"
"  --images       one line per process image\n"
"  --check[=N]    run the invariant checker every N operations (default 1000)\n"
"                 and at the end\n"
"  --any-kernel   replay a recording of a kernel other than 6.18\n"
"  --progress     progress on stderr (default: when stderr is a terminal)\n"
"  --extract LIST write the images LIST (ids as --images prints them) as a\n"
"                 scenario whose expectations are the kernel's counts\n"
"  -o, --output F where --extract writes the scenario\n";

/* --extract: the ids of @list ("2,5") into @ids; -1 when it is not such a list. */
static int parse_ids(const char *list, int *ids, size_t max, size_t *n)
{
	const char *p = list;
	char *end;
	long v;

	*n = 0;
	do {
		v = strtol(p, &end, 10);
		if (end == p || v <= 0 || v > 1000000000 || *n == max ||
		    (*end && *end != ','))
			return -1;
		ids[(*n)++] = (int)v;
		p = end + 1;
	} while (*end);
	return 0;
}

static int extract(const struct trace *t, const char *trace_name,
		   const char *list, const char *out)
{
	struct replay_extract_stats st;
	int ids[64];
	size_t n;
	char err[512];
	FILE *f;
	int ret;

	if (parse_ids(list, ids, sizeof(ids) / sizeof(ids[0]), &n))
		return cli_usage_error("--extract %s: a list of image ids, e.g. 2,5", list);
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "anonvma replay: %s: %s\n", out, strerror(errno));
		return 2;
	}
	ret = replay_extract(t, trace_name, ids, n, f, &st, err, sizeof(err));
	if (fclose(f) && !ret) {
		snprintf(err, sizeof(err), "%s: %s", out, strerror(errno));
		ret = -1;
	}
	if (ret) {
		fprintf(stderr, "anonvma replay: --extract: %s\n", err);
		unlink(out);
		return 2;
	}
	printf("%s: %lu steps, %lu expectations, window of %lu pages; %lu operations written as comments only, %lu approximately, %lu of unlisted children left out\n",
	       out, st.steps, st.expects, st.pages, st.unsaid, st.approx, st.dropped);
	return 0;
}

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
		{ "extract", required_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_opts o = { .design = DESIGN_V6_18 };
	bool json = false, images = false, all = false, any_kernel = false;
	bool progress = isatty(STDERR_FILENO);
	const char *xlist = NULL, *xout = NULL;
	struct trace t;
	char err[1024];
	int c, design, ret;

	/* argv[0] is the first argument after "replay". */
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "+o:", longopts, NULL)) != -1) {
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
		case 'x':
			xlist = optarg;
			break;
		case 'o':
			xout = optarg;
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
	if (!xlist != !xout)
		return cli_usage_error("%s", "--extract and -o go together");
	if (progress && !xlist)
		o.progress = stderr;
	if (trace_load(argv[optind - 1], &t, err, sizeof(err), any_kernel)) {
		fprintf(stderr, "%s\n", err);
		trace_free(&t);
		return 2;
	}
	if (xlist)
		ret = extract(&t, argv[optind - 1], xlist, xout);
	else
		ret = all ? replay_all(&t, &o, json) : replay_one(&t, &o, json, images);
	trace_free(&t);
	return ret;
}
