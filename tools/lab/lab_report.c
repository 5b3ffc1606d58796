/* SPDX-License-Identifier: MIT */
/*
 * `anonvma report`: self-contained HTML reports.
 *
 * A scenario report runs the scenario on the model (invariants checked
 * after every step) and shows the verdict, a table of every step with
 * its object counts, the anon_vma hierarchy at chosen steps (Graphviz,
 * inlined as SVG when `dot` is installed, the DOT text otherwise) and
 * the canonical text observations of every step.
 *
 * A bench report shows the tables of a bench run, the host kernel's
 * times next to the model's, and the gnuplot charts inlined as SVG
 * (their data when gnuplot is missing).
 */
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define MAX_AUTO_PICS 6

/*
 * Pick the steps to draw: the ones that changed the objects most (an
 * anon_vma allocated or freed weighs as much as four chains), in step
 * order, and always the last step.
 */
static int auto_steps(const struct lab_capture *c, int *steps, int max)
{
	int i, j, k = 0, n;

	if (!c->nrows)
		return 0;
	n = c->nrows - 1;	/* the last step is added at the end */
	for (i = 0; i < max - 1; i++) {
		long best = 0;
		int pick = -1;

		for (j = 0; j < n; j++) {
			const struct lab_step_row *r = &c->rows[j];
			long score = 4 * (long)(r->av_alloc + r->av_free) +
				     (long)(r->avc_alloc + r->avc_free);
			int m;

			for (m = 0; m < k && steps[m] != r->index; m++)
				;
			if (m < k || score <= best)
				continue;
			best = score;
			pick = r->index;
		}
		if (pick < 0)
			break;
		steps[k++] = pick;
	}
	/* In step order. */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && steps[j - 1] > steps[j]; j--) {
			int t = steps[j];

			steps[j] = steps[j - 1];
			steps[j - 1] = t;
		}
	steps[k++] = c->rows[c->nrows - 1].index;
	return k;
}

static void picture(FILE *out, const char *dot, const char *tmp, int idx,
		    FILE *err, bool *warned)
{
	char dpath[4096], spath[4096];
	int ret;

	snprintf(dpath, sizeof(dpath), "%s/step%d.dot", tmp, idx);
	snprintf(spath, sizeof(spath), "%s/step%d.svg", tmp, idx);
	if (lab_write_whole(dpath, dot, strlen(dot)) == 0) {
		ret = lab_render_dot(dpath, "svg", spath);
		if (ret == 0 && lab_html_svg_file(out, spath) == 0)
			return;
		if (ret == 1 && !*warned) {
			if (err)
				fprintf(err, "anonvma report: dot (graphviz) is not "
					"installed: the report shows the DOT text "
					"(scripts/install-lab-deps.sh installs it)\n");
			*warned = true;
		}
	}
	fprintf(out, "<p class=\"note\">Graphviz <code>dot</code> was not "
		"available: the picture's DOT source follows.</p>\n<pre>");
	lab_html_escape(out, dot);
	fprintf(out, "</pre>\n");
}

static void steps_table(FILE *out, const struct lab_capture *c)
{
	int i;

	fprintf(out, "<table>\n<tr><th>step</th><th>line</th><th class=\"l\">"
		"operation</th><th>result</th><th>processes</th>"
		"<th>anon_vma +/&minus;</th><th>live</th><th>avc +/&minus;</th>"
		"<th>live</th><th class=\"l\">failures</th></tr>\n");
	for (i = 0; i < c->nrows; i++) {
		const struct lab_step_row *r = &c->rows[i];

		fprintf(out, "<tr%s><td><a href=\"#step%d\">%d</a></td><td>%d</td>"
			"<td class=\"l\"><code>", r->failures ? " class=\"fail\"" : "",
			r->index, r->index, r->line);
		lab_html_escape(out, r->op);
		fprintf(out, "</code></td><td>");
		lab_html_escape(out, r->result);
		fprintf(out, "</td><td>%d</td><td>+%lu &minus;%lu</td><td>%lu</td>"
			"<td>+%lu &minus;%lu</td><td>%lu</td><td class=\"l\">",
			r->nprocs, r->av_alloc, r->av_free, r->av_live,
			r->avc_alloc, r->avc_free, r->avc_live);
		lab_html_escape(out, r->failures ? r->failures : "");
		fprintf(out, "</td></tr>\n");
	}
	fprintf(out, "</table>\n");
}

/** lab_report_scenario() - see lab.h. */
int lab_report_scenario(FILE *out, const struct scenario *s, int design,
			const int *steps, int nsteps, FILE *err)
{
	struct lab_capture c;
	struct exec_summary sum;
	char title[512], *tmp;
	int pics[LAB_MAX_WANT], npics, i, status;
	bool warned = false;

	/* First run: every step's observations; then the pictures. */
	memset(&c, 0, sizeof(c));
	c.keep_rows = true;
	status = lab_capture_run(s, design, 0, &c, &sum, err);
	if (status == 2) {
		lab_capture_free(&c);
		return 2;
	}
	if (nsteps > 0) {
		for (npics = 0; npics < nsteps && npics < LAB_MAX_WANT; npics++)
			pics[npics] = steps[npics];
	} else {
		npics = auto_steps(&c, pics, MAX_AUTO_PICS + 1);
	}
	{
		struct lab_capture d;
		struct exec_summary sum2;

		memset(&d, 0, sizeof(d));
		for (i = 0; i < npics; i++)
			d.want[d.nwant++] = pics[i];
		lab_capture_run(s, design, 0, &d, &sum2, NULL);
		memcpy(c.want, d.want, sizeof(c.want));
		memcpy(c.dots, d.dots, sizeof(c.dots));
		memcpy(c.step_of, d.step_of, sizeof(c.step_of));
		c.nwant = d.nwant;
	}

	snprintf(title, sizeof(title), "anonvma report: %s", s->name);
	lab_html_begin(out, title);
	fprintf(out, "<p>Scenario <code>");
	lab_html_escape(out, s->name);
	fprintf(out, "</code> run on the model, design <b>%s</b>, the invariant "
		"checker after every step.</p>\n<p>Verdict: ",
		design_name((enum anonvma_design)sum.design));
	if (!exec_summary_failed(&sum))
		fprintf(out, "<span class=\"pass\">PASS</span>");
	else
		fprintf(out, "<span class=\"fail\">FAIL</span>");
	fprintf(out, " &mdash; %d of %d steps run, %d expectations (%d failed), "
		"%d operations failed, %d invariant checks (%d failed), %lu "
		"objects leaked; peak %lu anon_vma, %lu anon_vma_chain.</p>\n",
		sum.steps_run, s->nsteps, sum.expectations, sum.expect_failures,
		sum.op_failures, sum.checks, sum.check_failures, sum.leaks,
		sum.peak[SCN_OBJ_ANON_VMA], sum.peak[SCN_OBJ_AVC]);

	fprintf(out, "<h2>The anon_vma hierarchy</h2>\n<p class=\"note\">Rounded "
		"boxes are anon_vmas (the root double-bordered; grey and dashed: "
		"no VMA uses it any more), with num_children, num_active_vmas, "
		"the reference count and the folios tagged with it.  Each process "
		"is a cluster of its VMAs; a bold arrow points from a VMA to its "
		"anon_vma, dashed grey lines are its other anon_vma_chain links, "
		"black arrows point from an anon_vma to its parent.</p>\n");
	tmp = lab_tmpdir();
	for (i = 0; i < c.nwant; i++) {
		if (!c.dots[i]) {
			fprintf(out, "<p class=\"note\">Step %d was not reached.</p>\n",
				c.want[i]);
			continue;
		}
		fprintf(out, "<h3>After step %d</h3>\n", c.step_of[i]);
		picture(out, c.dots[i], tmp ? tmp : "/tmp", i, err, &warned);
	}
	if (tmp) {
		lab_rmtree(tmp);
		free(tmp);
	}

	fprintf(out, "<h2>Steps</h2>\n");
	steps_table(out, &c);
	fprintf(out, "<h2>Observations</h2>\n<p class=\"note\">The canonical "
		"text form of <code>anonvma run</code>; square brackets hold what "
		"only the model can show.</p>\n");
	for (i = 0; i < c.nrows; i++) {
		fprintf(out, "<details id=\"step%d\"><summary>step %d: <code>",
			c.rows[i].index, c.rows[i].index);
		lab_html_escape(out, c.rows[i].op);
		fprintf(out, "</code></summary>\n<pre>");
		lab_html_escape(out, c.rows[i].text);
		fprintf(out, "</pre></details>\n");
	}
	lab_html_end(out);
	lab_capture_free(&c);
	return status;
}

static const char *dname(const struct lab_result *r)
{
	return design_name((enum anonvma_design)r->design);
}

static double ratio(double a, double b)
{
	return b ? a / b : 0;
}

static void bench_tables(FILE *out, const struct lab_bench *b)
{
	char b1[32];
	int i, op;

	fprintf(out, "<h2>rmap walks and memory</h2>\n<table>\n<tr><th class=\"l\">"
		"design</th><th>walks</th><th>VMAs per walk</th><th>precision</th>"
		"<th>anon_vma</th><th>anon_vma_chain</th><th>bytes</th>"
		"<th>slab peak</th><th>longest chain</th><th>VMAs</th>"
		"<th>with an anon_vma</th><th>anon_vma per VMA</th></tr>\n");
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];

		fprintf(out, "<tr%s><td class=\"l\">%s</td><td>%lu</td><td>%.2f</td>"
			"<td>%.3f</td><td>%lu</td><td>%lu</td><td>%s</td>"
			"<td>%lu / %lu</td><td>%lu</td><td>%lu</td><td>%lu</td>"
			"<td>%.2f</td></tr>\n",
			r->error[0] || r->leaks ? " class=\"fail\"" : "", dname(r),
			r->walks, ratio((double)r->visited, (double)r->walks),
			ratio((double)r->mapped, (double)r->visited), r->av_max,
			r->avc_max,
			lab_fmt_bytes((double)(r->av_max * r->av_size +
					       r->avc_max * r->avc_size), b1, sizeof(b1)),
			r->av_peak, r->avc_peak, r->chain_peak, r->vmas,
			r->vmas_with_av, ratio((double)r->av_max, (double)r->vmas));
	}
	fprintf(out, "</table>\n<p class=\"note\">Precision: VMAs that really map "
		"the folio (page_vma_mapped under the page-table lock) / VMAs the "
		"walk visited.  anon_vma and anon_vma_chain: the most live between two "
		"operations; slab peak: at any moment, objects allocated and freed "
		"inside one operation included.</p>\n");

	fprintf(out, "<h2>Time per operation on the model (ns)</h2>\n<table>\n"
		"<tr><th class=\"l\">design</th>");
	for (op = 0; op < NR_LAB_OPS; op++)
		fprintf(out, "<th>%s</th>", lab_op_name((enum lab_op)op));
	fprintf(out, "<th>root lock hold (avg / max)</th><th>root lock wait "
		"(avg / max)</th><th>contended</th></tr>\n");
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];
		const struct lock_stats *l = &r->root_lock;

		fprintf(out, "<tr><td class=\"l\">%s</td>", dname(r));
		for (op = 0; op < NR_LAB_OPS; op++) {
			if (r->op[op].n)
				fprintf(out, "<td>%.0f</td>", lab_timer_avg(&r->op[op]));
			else
				fprintf(out, "<td>&ndash;</td>");
		}
		fprintf(out, "<td>%.0f / %llu</td><td>%.0f / %llu</td><td>%lu of "
			"%lu</td></tr>\n",
			ratio((double)l->hold_ns, (double)l->acquired), l->hold_max_ns,
			ratio((double)l->wait_ns, (double)l->acquired), l->wait_max_ns,
			l->contended, l->acquired);
	}
	fprintf(out, "</table>\n");

	if (!b->kernel)
		return;
	fprintf(out, "<h2>The host kernel, same run</h2>\n");
	if (!b->kres.ran) {
		fprintf(out, "<p>Not measured: ");
		lab_html_escape(out, b->kres.why);
		fprintf(out, "</p>\n");
		return;
	}
	fprintf(out, "<table>\n<tr><th class=\"l\">operation</th><th>kernel ns</th>");
	for (i = 0; i < b->nres; i++)
		fprintf(out, "<th>%s ns</th><th>kernel/model</th>", dname(&b->res[i]));
	fprintf(out, "</tr>\n");
	for (op = 0; op < NR_LAB_OPS; op++) {
		double kn = lab_timer_avg(&b->kres.op[op]);

		if (!b->kres.op[op].n)
			continue;
		fprintf(out, "<tr><td class=\"l\">%s</td><td>%.0f</td>",
			lab_op_name((enum lab_op)op), kn);
		for (i = 0; i < b->nres; i++) {
			double mn = lab_timer_avg(&b->res[i].op[op]);

			if (mn > 0)
				fprintf(out, "<td>%.0f</td><td>%.2f</td>", mn, kn / mn);
			else
				fprintf(out, "<td>&ndash;</td><td>&ndash;</td>");
		}
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</table>\n");
}

/** lab_report_bench() - see lab.h. */
void lab_report_bench(FILE *out, const struct lab_bench *b, FILE *err)
{
	char title[256], params[512], *tmp, **files = NULL, *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	snprintf(title, sizeof(title), "anonvma bench %s", b->w->name);
	lab_html_begin(out, title);
	fprintf(out, "<p>");
	lab_html_escape(out, b->w->title);
	fprintf(out, ".</p>\n<p>Parameters: <code>");
	lab_html_escape(out, lab_bench_params_str(b, params, sizeof(params)));
	fprintf(out, "</code><br>Host: ");
	lab_html_escape(out, b->host);
	fprintf(out, "<br>Date: %s</p>\n", b->date);
	bench_tables(out, b);

	fprintf(out, "<h2>Charts</h2>\n");
	tmp = lab_tmpdir();
	if (tmp && lab_have_program("gnuplot")) {
		lab_plot(b, tmp, NULL, &files);
		for (i = 0; files && files[i]; i++)
			if (lab_html_svg_file(out, files[i]))
				fprintf(out, "<p class=\"note\">(a chart could not be read)</p>\n");
	} else {
		fprintf(out, "<p class=\"note\">gnuplot is not installed, so the "
			"charts are missing (scripts/install-lab-deps.sh installs it); "
			"the growth data is in the text form below.</p>\n");
		if (err)
			fprintf(err, "anonvma report: gnuplot is not installed: no charts\n");
	}
	lab_free_strv(files);
	if (tmp) {
		lab_rmtree(tmp);
		free(tmp);
	}

	f = open_memstream(&text, &len);
	if (f) {
		lab_bench_print_text(f, b);
		fclose(f);
		fprintf(out, "<h2>Text form</h2>\n<pre>");
		lab_html_escape(out, text);
		fprintf(out, "</pre>\n");
		free(text);
	}
	lab_html_end(out);
}
