/* SPDX-License-Identifier: MIT */
/*
 * The report of `anonvma diff`: which kernel and which model rules, the
 * steps skipped as model-only and what could not be compared after them,
 * the first divergence with its differences listed and both sides'
 * canonical text next to each other, and a verdict line.
 */
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "kernel.h"

#define SIDE_MIN	30
#define SIDE_MAX	64
#define LCS_MAX		2000	/* lines per side aligned by LCS */

struct lines {
	char **l;
	int n;
	char *buf;
};

/* The kernel-observable text form of @o, split into lines. */
static void render(const struct scenario *s, const struct obs_step *o,
		   struct lines *out)
{
	size_t len = 0;
	FILE *f;
	char *p;
	int cap = 16;

	memset(out, 0, sizeof(*out));
	f = open_memstream(&out->buf, &len);
	if (!f)
		return;
	if (o) {
		struct obs_step copy = *o;

		copy.has_model = false;
		print_text_step(f, s, &copy);
	} else {
		fputs("(not run)\n", f);
	}
	fclose(f);
	out->l = malloc(sizeof(*out->l) * (size_t)cap);
	for (p = out->buf; out->l && p && *p; ) {
		char *nl = strchr(p, '\n');

		if (out->n == cap) {
			char **nlines = realloc(out->l, sizeof(*out->l) * (size_t)cap * 2);

			if (!nlines)
				break;
			out->l = nlines;
			cap *= 2;
		}
		out->l[out->n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

static void free_lines(struct lines *l)
{
	free(l->l);
	free(l->buf);
}

static void row(FILE *out, char mark, const char *a, const char *b, int w)
{
	fprintf(out, "%c %-*.*s | %s\n", mark, w, w, a ? a : "", b ? b : "");
}

/* Print the unmatched lines a[i..ie) and b[j..je) as pairs. */
static void flush_changes(FILE *out, const struct lines *a, int i, int ie,
			  const struct lines *b, int j, int je, int w)
{
	while (i < ie || j < je) {
		const char *x = i < ie ? a->l[i++] : NULL;
		const char *y = j < je ? b->l[j++] : NULL;

		row(out, x && y ? '!' : x ? '<' : '>', x, y, w);
	}
}

/** kdiff_side_by_side() - see kernel.h. */
void kdiff_side_by_side(FILE *out, const struct scenario *s,
			const struct obs_step *a, const struct obs_step *b,
			const char *la, const char *lb)
{
	struct lines x, y;
	int w = SIDE_MIN, i, j, *dp = NULL;

	render(s, a, &x);
	render(s, b, &y);
	for (i = 0; i < x.n; i++)
		if ((int)strlen(x.l[i]) > w)
			w = (int)strlen(x.l[i]);
	if (w > SIDE_MAX)
		w = SIDE_MAX;
	row(out, ' ', la, lb, w);
	if (x.n <= LCS_MAX && y.n <= LCS_MAX)
		dp = calloc((size_t)(x.n + 1) * (size_t)(y.n + 1), sizeof(*dp));
	if (!dp) {
		flush_changes(out, &x, 0, x.n, &y, 0, y.n, w);
		goto out;
	}
	/* dp[i][j]: longest common subsequence of x[i..] and y[j..]. */
#define DP(i, j) dp[(size_t)(i) * (size_t)(y.n + 1) + (size_t)(j)]
	for (i = x.n - 1; i >= 0; i--)
		for (j = y.n - 1; j >= 0; j--)
			DP(i, j) = !strcmp(x.l[i], y.l[j]) ? DP(i + 1, j + 1) + 1 :
				   DP(i + 1, j) > DP(i, j + 1) ? DP(i + 1, j) :
				   DP(i, j + 1);
	i = j = 0;
	while (i < x.n || j < y.n) {
		int i0 = i, j0 = j;

		while (i < x.n && j < y.n && strcmp(x.l[i], y.l[j])) {
			if (DP(i + 1, j) >= DP(i, j + 1))
				i++;
			else
				j++;
		}
		if (i == x.n || j == y.n) {
			flush_changes(out, &x, i0, x.n, &y, j0, y.n, w);
			break;
		}
		flush_changes(out, &x, i0, i, &y, j0, j, w);
		row(out, ' ', x.l[i], y.l[j], w);
		i++;
		j++;
	}
#undef DP
	free(dp);
out:
	free_lines(&x);
	free_lines(&y);
}

/*
 * The model's failures at step @m: invariant violations and failed
 * operations in full; the scenario's own expectations only counted (they
 * are `anonvma run`'s business, and fail in bulk under a design they
 * were not written for).
 */
static void print_failures(FILE *out, const struct obs_step *m)
{
	int j, nexp = 0;

	for (j = 0; j < m->nfailures; j++) {
		if (strstr(m->failures[j], ": expectation failed: "))
			nexp++;
		else
			fprintf(out, "  model: %s\n", m->failures[j]);
	}
	if (nexp)
		fprintf(out, "  model: %d expectation%s of step %d fail%s (see anonvma run)\n",
			nexp, nexp == 1 ? "" : "s", m->index, nexp == 1 ? "s" : "");
}

static void print_divergence(FILE *out, const struct scenario *s,
			     const struct kdiff_result *r, int i,
			     unsigned int parts)
{
	const struct scn_step *st = &s->steps[i];
	const struct obs_step *k = r->kernel.steps[i], *m = r->model.steps[i];
	struct obs_diff_report rep;
	int j;

	fprintf(out, "DIVERGE at step %d (line %d): %s\n", i + 1, st->line,
		st->text);
	if (!k || !m) {
		fprintf(out, "  the %s run stopped before this step\n",
			k ? "model" : "kernel");
		/* Why the model stopped: its last step's failures. */
		for (j = i - 1; !m && j >= 0 && !r->model.steps[j]; j--)
			;
		if (!m && j >= 0)
			print_failures(out, r->model.steps[j]);
	} else {
		obs_diff_step(s, k, m, parts, &rep);
		for (j = 0; j < rep.nmsg; j++)
			fprintf(out, "  %s\n", rep.msg[j]);
		if (rep.more)
			fprintf(out, "  ... and %d more differences\n", rep.more);
	}
	if (m)
		print_failures(out, m);
	fputc('\n', out);
	kdiff_side_by_side(out, s, k, m, "kernel", "model");
	fputc('\n', out);
}

static void print_skips(FILE *out, const struct scenario *s,
			const struct kdiff_result *r)
{
	int i, cause, last_cause = -2;

	for (i = 0; i < s->nsteps; i++) {
		const struct scn_step *st = &s->steps[i];
		unsigned int parts;

		if (!r->kernel.steps[i] && !r->model.steps[i])
			break;
		if (st->model_only) {
			fprintf(out, "skipped (model only): step %d (line %d): %s\n",
				i + 1, st->line, st->text);
			continue;
		}
		parts = kernel_comparable(s, i, &cause);
		if (parts == OBS_PARTS_ALL || cause == last_cause)
			continue;
		last_cause = cause;
		if (!parts)
			fprintf(out, "not compared from step %d on: step %d (line %d) changed the model's state only\n",
				i + 1, cause + 1, s->steps[cause].line);
		else
			fprintf(out, "pages not compared from step %d on: step %d (line %d) swapped or migrated pages in the model only\n",
				i + 1, cause + 1, s->steps[cause].line);
	}
}

/** kdiff_print() - see kernel.h. */
void kdiff_print(FILE *out, const struct scenario *s,
		 const struct kdiff_result *r, bool all)
{
	int i, ndiv = 0;

	if (r->status == KDIFF_SKIPPED) {
		fprintf(out, "skipped: %s\n", r->kinfo.skipped);
		return;
	}
	if (r->status == KDIFF_ERROR) {
		fprintf(out, "ERROR %s: %s\n", s->name,
			r->kernel_status == 2 ? r->kinfo.error :
			"the model could not run the scenario");
		return;
	}
	fprintf(out, "kernel: Linux %s (rules %s%s), pinned to CPU %d, %d run%s: %lu us + %lu us control\n",
		r->kinfo.release,
		design_name((enum anonvma_design)r->kinfo.design),
		r->kinfo.no_zero_page ? "; no zero page: pvm_no_zero_page=1" : "",
		r->kinfo.cpu,
		r->kinfo.attempts, r->kinfo.attempts == 1 ? "" : "s",
		r->kinfo.usec_run, r->kinfo.usec_control);
	fprintf(out, "model: design %s%s, %lu us (kernel's observed pass / model: %.1f)\n",
		design_name((enum anonvma_design)r->design),
		r->design == r->kinfo.design ? " (the host kernel's rules)" :
		" (not the host kernel's rules)", r->usec_model,
		r->usec_model ? (double)r->kinfo.usec_run / (double)r->usec_model : 0.0);
	if (!r->kinfo.pages)
		fprintf(out, "pages: not compared: %s\n", r->kinfo.no_pages);
	print_skips(out, s, r);
	for (i = 0; i < s->nsteps && r->first >= 0; i++) {
		const struct obs_step *k = r->kernel.steps[i], *m = r->model.steps[i];
		unsigned int parts, d;

		if (i < r->first || s->steps[i].model_only || (!k && !m))
			continue;
		parts = kernel_comparable(s, i, NULL);
		if (!r->kinfo.pages)
			parts &= ~(unsigned int)OBS_PART_PAGES;
		if (!parts)
			continue;
		d = k && m ? obs_diff_step(s, k, m, parts, NULL) : OBS_PART_RESULT;
		if (!d)
			continue;
		ndiv++;
		if (i == r->first || all)
			print_divergence(out, s, r, i, parts);
	}
	if (r->violation >= 0 && r->violation != r->first) {
		const struct scn_step *st = &s->steps[r->violation];

		fprintf(out, "MODEL FAILED after step %d (line %d): %s\n",
			r->violation + 1, st->line, st->text);
		print_failures(out, r->model.steps[r->violation]);
		fputc('\n', out);
	}
	if (r->first < 0 && r->violation >= 0) {
		fprintf(out, "DIVERGE %s: the observations agree (%d steps compared), but the model broke an invariant after step %d (line %d)\n",
			s->name, r->compared, r->violation + 1,
			s->steps[r->violation].line);
		return;
	}
	if (r->first < 0) {
		fprintf(out, "AGREE %s: %d step%s compared%s, %d skipped as model-only, %d not comparable\n",
			s->name, r->compared, r->compared == 1 ? "" : "s",
			r->partial ? " (some without pages)" : "", r->model_only,
			r->not_compared);
		return;
	}
	fprintf(out, "DIVERGE %s: first at step %d (line %d) in ", s->name,
		r->first + 1, s->steps[r->first].line);
	for (i = 0; i < 6; i++)
		if (r->first_parts & (1U << i))
			fprintf(out, "%s%s", r->first_parts & ((1U << i) - 1) ? ", " : "",
				obs_part_name(1U << i));
	fprintf(out, "; %d of %d compared steps differ\n", ndiv, r->compared);
}
