/* SPDX-License-Identifier: MIT */
/*
 * `anonvma bench --plot DIR`: gnuplot charts of a bench run.
 *
 *   WORKLOAD-growth.{dat,gp,svg,png}  live anon_vmas (solid) and
 *       anon_vma_chains (dashed) over the run, one colour per design
 *   WORKLOAD-visits.{dat,gp,svg,png}  VMAs an rmap walk visits, mean
 *       per design, with the walks' precision on each bar
 *
 * The .dat and .gp files are always written (cd DIR; gnuplot X.gp
 * redraws a chart); the pictures only when gnuplot is installed.  Every
 * script sets `termoption noenhanced`, so that the underscore of
 * anon_vma is not read as a subscript.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"

static const char *const colors[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
	"#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
};
#define NCOLORS (int)(sizeof(colors) / sizeof(colors[0]))

static FILE *open_in(const char *dir, const char *name, const char *ext)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	return fopen(path, "w");
}

static const char *dname(const struct lab_result *r)
{
	return design_name((enum anonvma_design)r->design);
}

/* The terminals: SVG (for the report) then PNG (for the README). */
static void script_head(FILE *gp, const char *base, const char *title,
			const char *ext, bool png_cairo)
{
	if (!strcmp(ext, "svg"))
		fprintf(gp, "set terminal svg size 900,440 fixed font 'Helvetica,12' "
			"background rgb 'white'\n");
	else
		fprintf(gp, "set terminal %s size 900,440 font 'Helvetica,10'%s\n",
			png_cairo ? "pngcairo" : "png",
			png_cairo ? " background rgb 'white'" : "");
	fprintf(gp, "set output '%s.%s'\nset termoption noenhanced\n"
		"set title \"%s\"\n", base, ext, title);
}

/*
 * A log scale when the designs end orders of magnitude apart (the serial
 * forker: 3 against 10001), so that the bounded ones do not vanish into
 * the x axis.
 */
static bool growth_log(const struct lab_bench *b)
{
	unsigned long lo = ~0UL, hi = 0;
	int i, j;

	for (i = 0; i < b->nres; i++)
		for (j = 0; j < b->res[i].nseries; j++) {
			const struct lab_point *p = &b->res[i].series[j];

			if (p->avc > hi)
				hi = p->avc;
			if (j == b->res[i].nseries - 1 && p->anon_vma &&
			    p->anon_vma < lo)
				lo = p->anon_vma;
		}
	return lo != ~0UL && hi / lo >= 100;
}

static void growth_plot_cmds(FILE *gp, const struct lab_bench *b,
			     const char *base)
{
	int i;

	fprintf(gp, "set xlabel \"%s\"\nset key outside right top box\nset grid\n",
		b->w->xlabel);
	if (growth_log(b))
		fprintf(gp, "set ylabel \"live objects (log scale)\"\n"
			"set logscale y\nset yrange [0.8:*]\n");
	else
		fprintf(gp, "set ylabel \"live objects\"\nunset logscale y\n"
			"set yrange [0:*]\n");
	fprintf(gp, "plot ");
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];
		const struct lab_point *last = r->nseries ?
			&r->series[r->nseries - 1] : NULL;

		fprintf(gp, "%s'%s.dat' index %d using 1:2 with linespoints "
			"pt 7 ps 0.4 lw 2 lc rgb '%s' title '%s anon_vma (end: %lu)', "
			"'%s.dat' index %d using 1:3 with lines dt 2 lw 1 lc rgb '%s' "
			"title '%s anon_vma_chain (end: %lu)'",
			i ? ", \\\n     " : "", base, i, colors[i % NCOLORS], dname(r),
			last ? last->anon_vma : 0, base, i, colors[i % NCOLORS],
			dname(r), last ? last->avc : 0);
	}
	fprintf(gp, "\n");
}

static void visits_plot_cmds(FILE *gp, const struct lab_bench *b,
			     const char *base)
{
	fprintf(gp, "set ylabel \"VMAs visited per rmap walk\"\nset xlabel \"design\"\n"
		"set style fill solid 0.8 border -1\nset boxwidth 0.6\n"
		"set grid ytics\nunset key\nset yrange [0:*]\nset offsets 0.4, 0.4, 0, 0\n"
		"plot '%s.dat' using 0:2:3:xtic(1) with boxes lc rgb variable, "
		"'' using 0:2:(sprintf(\"%%.2f\\np %%.3f\", $2, $4)) "
		"with labels offset 0,1.4 font ',9'\n", base);
}

/* BASE.dat and BASE.gp in DIR: 0 with both open, -1 with neither. */
static int open_chart(const char *dir, const char *base, FILE **dat,
		      FILE **gp)
{
	*dat = open_in(dir, base, ".dat");
	*gp = open_in(dir, base, ".gp");
	if (*dat && *gp)
		return 0;
	if (*dat)
		fclose(*dat);
	if (*gp)
		fclose(*gp);
	return -1;
}

/*
 * End a chart: its script draws @cmds once as SVG and once as PNG, so
 * that one gnuplot run gives both; closes both files.
 */
static int finish_chart(FILE *dat, FILE *gp, const struct lab_bench *b,
			const char *base, const char *title, bool png_cairo,
			void (*cmds)(FILE *, const struct lab_bench *,
				     const char *))
{
	fprintf(gp, "# gnuplot %s.gp (from this directory) redraws the chart\n",
		base);
	script_head(gp, base, title, "svg", png_cairo);
	cmds(gp, b, base);
	script_head(gp, base, title, "png", png_cairo);
	cmds(gp, b, base);
	fclose(dat);
	return fclose(gp) ? -1 : 0;
}

static int write_growth(const struct lab_bench *b, const char *dir,
			const char *name, bool png_cairo)
{
	char base[256], title[512], params[400];
	FILE *dat, *gp;
	int i, j;

	snprintf(base, sizeof(base), "%s-growth", name);
	if (open_chart(dir, base, &dat, &gp))
		return -1;
	fprintf(dat, "# %s: live objects over the run; one block per design\n"
		"# columns: %s, anon_vma, anon_vma_chain, VMAs per walk since the previous sample (-1: none)\n",
		b->w->name, b->w->xlabel);
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];

		fprintf(dat, "%s# design %s\n", i ? "\n\n" : "", dname(r));
		for (j = 0; j < r->nseries; j++)
			fprintf(dat, "%.0f %lu %lu %.4f\n", r->series[j].x,
				r->series[j].anon_vma, r->series[j].avc,
				r->series[j].visits);
	}
	snprintf(title, sizeof(title), "%s: live anon_vma and anon_vma_chain (%s)",
		 b->w->name, lab_bench_params_str(b, params, sizeof(params)));
	return finish_chart(dat, gp, b, base, title, png_cairo,
			    growth_plot_cmds);
}

static int write_visits(const struct lab_bench *b, const char *dir,
			const char *name, bool png_cairo)
{
	char base[256], title[512], params[400];
	FILE *dat, *gp;
	int i;

	snprintf(base, sizeof(base), "%s-visits", name);
	if (open_chart(dir, base, &dat, &gp))
		return -1;
	fprintf(dat, "# %s: rmap walks per design\n"
		"# columns: design, VMAs visited per walk, colour, precision "
		"(VMAs mapping the folio / VMAs visited), walks\n", b->w->name);
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];

		fprintf(dat, "%s %.4f 0x%s %.4f %lu\n", dname(r),
			r->walks ? (double)r->visited / (double)r->walks : 0,
			colors[i % NCOLORS] + 1,
			r->visited ? (double)r->mapped / (double)r->visited : 0,
			r->walks);
	}
	snprintf(title, sizeof(title), "%s: VMAs visited per rmap walk, p = precision (%s)",
		 b->w->name, lab_bench_params_str(b, params, sizeof(params)));
	return finish_chart(dat, gp, b, base, title, png_cairo,
			    visits_plot_cmds);
}

static bool any_walks(const struct lab_bench *b)
{
	int i;

	for (i = 0; i < b->nres; i++)
		if (b->res[i].walks)
			return true;
	return false;
}

static void add_file(char ***files, int *n, const char *dir, const char *base)
{
	char **v = realloc(*files, sizeof(**files) * (size_t)(*n + 2));

	if (!v)
		return;
	*files = v;
	if (asprintf(&v[*n], "%s/%s.svg", dir, base) < 0)
		return;
	v[++*n] = NULL;
}

/** lab_plot() - see lab.h. */
int lab_plot(const struct lab_bench *b, const char *dir, FILE *msg,
	     char ***files)
{
	bool have = lab_have_program("gnuplot"), cairo = false;
	const char *name = b->w->name;
	char *bases[2], gb[256], vb[256];
	int nb = 0, i, nfiles = 0;

	if (files)
		*files = NULL;
	if (mkdir(dir, 0755) && access(dir, W_OK)) {
		if (msg)
			fprintf(msg, "anonvma bench: cannot create %s\n", dir);
		return -1;
	}
	if (have) {
		char *probe[] = { "gnuplot", "-e", "set terminal pngcairo", NULL };

		cairo = lab_run_program(probe, NULL) == 0;
	}
	snprintf(gb, sizeof(gb), "%s-growth", name);
	snprintf(vb, sizeof(vb), "%s-visits", name);
	if (write_growth(b, dir, name, cairo))
		return -1;
	bases[nb++] = gb;
	if (any_walks(b)) {
		if (write_visits(b, dir, name, cairo))
			return -1;
		bases[nb++] = vb;
	}
	if (!have) {
		if (msg)
			fprintf(msg, "anonvma bench: gnuplot is not installed: wrote "
				"the data and scripts to %s only (scripts/install-lab-deps.sh "
				"installs it; then cd %s && gnuplot %s.gp)\n",
				dir, dir, gb);
		return 0;
	}
	for (i = 0; i < nb; i++) {
		char script[300];
		char *argv[] = { "gnuplot", script, NULL };

		snprintf(script, sizeof(script), "%s.gp", bases[i]);
		if (lab_run_program(argv, dir) != 0) {
			if (msg)
				fprintf(msg, "anonvma bench: gnuplot failed on %s/%s\n",
					dir, script);
			continue;
		}
		if (files)
			add_file(files, &nfiles, dir, bases[i]);
		if (msg)
			fprintf(msg, "anonvma bench: wrote %s/%s.svg and .png\n",
				dir, bases[i]);
	}
	return 0;
}
