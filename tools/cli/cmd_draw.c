/* SPDX-License-Identifier: MIT */
/*
 * anonvma draw FILE [--step N] [--out PATH] [--format dot|svg|png]
 *                   [--design NAME] [--bug NAME]
 *
 * Runs the scenario on the model and draws the anon_vma hierarchy after
 * step N (default: the last step run) as Graphviz: DOT always, SVG or
 * PNG through `dot` when it is installed.  tools/lab/lab_draw.c draws.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lab/lab.h"
#include "cli_opts.h"
#include "cmd.h"

static const char draw_usage[] =
"usage: anonvma draw FILE [--step N] [--out PATH] [--format dot|svg|png]\n"
"                    [--design NAME] [--bug NAME]\n"
"\n"
"Draws the anon_vma hierarchy after step N of scenario FILE (default: the\n"
"last step run; steps are numbered as `anonvma run` prints them): anon_vmas\n"
"with their parent links and counters, each process's VMAs, the\n"
"anon_vma_chain links, and the folios tagged with each anon_vma.\n"
"  --out PATH     where to write (default: the DOT text on standard output);\n"
"                 for svg and png the DOT is also written next to it, as\n"
"                 PATH with the extension .dot\n"
"  --format F     dot, svg or png (default: from PATH's extension, else dot);\n"
"                 svg and png need Graphviz `dot` (scripts/install-lab-deps.sh);\n"
"                 without it only the DOT file is written, and a note says so\n"
"Exit status: 0 drawn, 1 the step was not reached or dot failed, 2 usage\n"
"or scenario error.\n";

static const char *ext_of(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	return dot && (!slash || dot > slash) ? dot + 1 : "";
}

/* PATH with its extension replaced by .dot (or .dot appended). */
static char *dot_path_for(const char *path)
{
	const char *e = ext_of(path);
	size_t base = *e ? (size_t)(e - path - 1) : strlen(path);
	char *p = malloc(base + 5);

	if (!p)
		return NULL;
	memcpy(p, path, base);
	strcpy(p + base, ".dot");
	return p;
}

/** cmd_draw() - the `anonvma draw` command. */
int cmd_draw(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *format = NULL, *design = NULL;
	struct lab_capture c;
	struct exec_summary sum;
	struct scenario *s;
	unsigned long bugs = 0;
	long step = -1;
	char *end, *dpath;
	int i, d = -1, ret = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(draw_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--step") || !strcmp(a, "--out") ||
			   !strcmp(a, "--format") || !strcmp(a, "--design") ||
			   !strcmp(a, "--bug")) {
			if (i + 1 == argc)
				return cli_usage_error("%s needs a value", a);
			i++;
			if (!strcmp(a, "--step")) {
				step = strtol(argv[i], &end, 10);
				if (*end || step < 1)
					return cli_usage_error("draw: --step wants a step number >= 1, not '%s'",
							       argv[i]);
			} else if (!strcmp(a, "--out")) {
				out = argv[i];
			} else if (!strcmp(a, "--format")) {
				format = argv[i];
			} else if (!strcmp(a, "--design")) {
				design = argv[i];
			} else {
				int b = bug_parse(argv[i]);

				if (b < 0)
					return cli_usage_error("draw: unknown bug switch '%s'",
							       argv[i]);
				bugs |= 1UL << b;
			}
		} else if (cli_file_arg("draw", a, &file)) {
			return 2;
		}
	}
	if (!file)
		return cli_usage_error("%s", "draw: missing scenario FILE");
	if (!format)
		format = out && (!strcmp(ext_of(out), "svg") ||
				 !strcmp(ext_of(out), "png")) ? ext_of(out) : "dot";
	if (strcmp(format, "dot") && strcmp(format, "svg") && strcmp(format, "png"))
		return cli_usage_error("draw: --format is dot, svg or png, not '%s'",
				       format);
	if (strcmp(format, "dot") && !out)
		return cli_usage_error("draw: --format %s needs --out PATH", format);
	if (design && cli_design_arg("draw", design, &d))
		return 2;

	s = cli_load_scenario(file, file);
	if (!s)
		return 2;
	if (step > s->nsteps) {
		fprintf(stderr, "anonvma draw: %s has %d steps, not %ld\n", file,
			s->nsteps, step);
		scn_free(s);
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.want[c.nwant++] = (int)step;
	if (lab_capture_run(s, d, bugs, &c, &sum, stderr) == 2) {
		ret = 2;
		goto out;
	}
	if (!c.dots[0]) {
		fprintf(stderr, "anonvma draw: the run stopped after step %d, before step %ld\n",
			sum.steps_run, step);
		ret = 1;
		goto out;
	}
	if (exec_summary_failed(&sum))
		fprintf(stderr, "anonvma draw: note: the scenario failed (above); "
			"drawing step %d anyway\n", c.step_of[0]);
	if (!out) {
		fputs(c.dots[0], stdout);
		goto out;
	}
	dpath = !strcmp(format, "dot") ? strdup(out) : dot_path_for(out);
	if (!dpath || lab_write_whole(dpath, c.dots[0], strlen(c.dots[0]))) {
		fprintf(stderr, "anonvma draw: cannot write %s\n", dpath ? dpath : out);
		free(dpath);
		ret = 1;
		goto out;
	}
	if (strcmp(format, "dot")) {
		int r = lab_render_dot(dpath, format, out);

		if (r == 1) {
			fprintf(stderr, "anonvma draw: dot (graphviz) is not installed: "
				"wrote %s only (scripts/install-lab-deps.sh installs it)\n",
				dpath);
		} else if (r) {
			fprintf(stderr, "anonvma draw: dot failed to render %s\n", dpath);
			ret = 1;
		} else {
			fprintf(stderr, "anonvma draw: wrote %s and %s (step %d)\n",
				dpath, out, c.step_of[0]);
		}
	} else {
		fprintf(stderr, "anonvma draw: wrote %s (step %d)\n", dpath,
			c.step_of[0]);
	}
	free(dpath);
out:
	lab_capture_free(&c);
	scn_free(s);
	return ret;
}
