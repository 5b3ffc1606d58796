/* SPDX-License-Identifier: MIT */
/*
 * Pictures of the anon_vma hierarchy, as Graphviz DOT, drawn from one
 * step's observations (tools/scenario/observe.h; nothing is read from
 * the model directly, so the picture shows exactly what `anonvma run`
 * prints).
 *
 * Layout: the anon_vma forest sits above the processes, each anon_vma
 * a rounded box ranked by its depth in the hierarchy (the root, double
 * bordered, on top; spec §1.1), with its counters and the folios
 * tagged with it.  Each live process is a cluster of its VMAs.  Edges:
 *   child -> parent anon_vma   solid black arrow (anon_vma->parent)
 *   VMA -> its anon_vma        bold arrow in the process's colour
 *   anon_vma_chain             dashed grey line, VMA to each anon_vma
 *                              its chain links (spec §1.2)
 * An anon_vma that no VMA uses any more (num_active_vmas 0) is grey
 * and dashed: it lives on because a tree or a folio still needs it.
 */
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* Process colours (borders, own-anon_vma arrows) and fills. */
static const char *const proc_color[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
	"#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
};
static const char *const proc_fill[] = {
	"#e8f1fa", "#fbe9e9", "#eaf6ea", "#f1ecf7", "#fff2e6",
	"#f3ede9", "#fcf0f8", "#e7f8fa", "#f2f2f2", "#f8f8e4",
};
#define NCOLORS (int)(sizeof(proc_color) / sizeof(proc_color[0]))

/* Escape for a DOT HTML-like label. */
static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else
			fputc(*s, out);
	}
}

static int av_depth(const struct obs_step *o, const struct obs_av *a)
{
	int d = 0;

	while (a && a->parent && a->parent != a->id && d < 1000) {
		a = obs_find_av(o, a->parent);
		d++;
	}
	return d;
}

static int proc_generation(const struct scenario *s, int p)
{
	int g = 0;

	while (p >= 0 && s->procs[p].parent >= 0 && g < 1000) {
		p = s->procs[p].parent;
		g++;
	}
	return g;
}

/* The distinct folios (labels) tagged with anon_vma @id, ascending. */
static int folios_of(const struct obs_step *o, int id, int *labels, int max)
{
	int n = 0, i, j, k;

	for (i = 0; i < o->nprocs; i++)
		for (j = 0; j < o->procs[i].npages; j++) {
			const struct obs_page *pg = &o->procs[i].pages[j];
			int pos;

			if (pg->state != SCN_PAGE_PRESENT || !pg->anon ||
			    pg->model.av != id)
				continue;
			for (pos = 0; pos < n && labels[pos] < pg->label; pos++)
				;
			if (pos < n && labels[pos] == pg->label)
				continue;
			if (n == max)
				continue;
			for (k = n; k > pos; k--)
				labels[k] = labels[k - 1];
			labels[pos] = pg->label;
			n++;
		}
	return n;
}

/* "f0 f1 f2 ... (12)" */
static void print_folio_list(FILE *out, const int *labels, int n, int shown)
{
	int i;

	for (i = 0; i < n && i < shown; i++)
		fprintf(out, "%sf%d", i ? " " : "", labels[i]);
	if (n > shown)
		fprintf(out, " &#8230;");
	if (n > 1)
		fprintf(out, " (%d)", n);
}

static void dot_av(FILE *out, const struct obs_step *o, const struct obs_av *a)
{
	bool root = a->root == a->id;
	bool dead = a->active == 0;
	int labels[256], n = folios_of(o, a->id, labels, 256);

	fprintf(out, "  av%d [shape=box, style=\"rounded,filled%s\", "
		"fillcolor=\"%s\", color=\"%s\"%s, label=<<b>av%d</b>%s"
		"<br/><font point-size=\"9\">children %lu &#183; active %lu "
		"&#183; ref %d</font>",
		a->id, dead ? ",dashed" : "",
		root ? "#fff3c4" : dead ? "#eeeeee" : "#ffffff",
		dead ? "#888888" : "#333333", root ? ", peripheries=2" : "",
		a->id, root ? " (root)" : "", a->children, a->active,
		a->refcount);
	if (n) {
		fprintf(out, "<br/><font point-size=\"9\" color=\"#7a4a00\">"
			"folios ");
		print_folio_list(out, labels, n, 6);
		fprintf(out, "</font>");
	}
	fprintf(out, ">];\n");
}

/*
 * A VMA, as a table inside its process's node: its anon_vma_chain on
 * top, one cell (and port "vVcK") per chain entry in list order, so
 * that every AVC edge arrives at its own cell; the cell of the VMA's
 * own anon_vma is bold, in the process's colour.  Below: the range,
 * the protection and the folios it maps.
 */
static void dot_vma(FILE *out, const struct scenario *s, int pi,
		    const struct obs_proc *p, int vi)
{
	const struct obs_vma *v = &p->vmas[vi];
	const char *col = proc_color[pi % NCOLORS];
	int labels[64], n = 0, j, k, span;
	char prot[4];

	scn_prot_str(v->prot, prot);
	for (j = 0; j < p->npages; j++) {
		const struct obs_page *pg = &p->pages[j];

		if (pg->page < v->first || pg->page >= v->end ||
		    pg->state != SCN_PAGE_PRESENT)
			continue;
		for (k = 0; k < n && labels[k] != pg->label; k++)
			;
		if (k == n && n < 64)
			labels[n++] = pg->label;
	}
	span = v->model.chain_av && v->model.chain ? (int)v->model.chain : 1;
	fprintf(out, "<td port=\"v%d\"><table border=\"1\" cellborder=\"0\" "
		"cellspacing=\"0\" cellpadding=\"2\" color=\"%s\" "
		"bgcolor=\"white\">", vi, col);
	if (!v->model.chain_av || !v->model.chain) {
		fprintf(out, "<tr><td><font point-size=\"9\" color=\"#777777\">"
			"no anon_vma</font></td></tr>");
	} else {
		fprintf(out, "<tr>");
		for (k = 0; k < span; k++) {
			bool own = v->model.chain_av[k] == v->model.av;

			fprintf(out, "<td port=\"v%dc%d\" border=\"1\" sides=\"b%s\" "
				"color=\"#bbbbbb\"><font point-size=\"9\" "
				"color=\"%s\">%sav%d%s</font></td>", vi, k,
				k ? "l" : "", own ? col : "#555555",
				own ? "<b>" : "", v->model.chain_av[k],
				own ? "</b>" : "");
		}
		fprintf(out, "</tr>");
	}
	fprintf(out, "<tr><td colspan=\"%d\"><b>@%lu:%lu</b> %s%c", span,
		v->first, v->end, prot, v->shared ? 's' : 'p');
	if (v->file >= 0) {
		fprintf(out, " ");
		esc(out, s->files[v->file].name);
	}
	fprintf(out, "</td></tr>");
	if (n) {
		fprintf(out, "<tr><td colspan=\"%d\"><font point-size=\"9\">"
			"pages ", span);
		print_folio_list(out, labels, n, 6);
		fprintf(out, "</font></td></tr>");
	}
	fprintf(out, "</table></td>");
}

/*
 * A process: one node, its VMAs in address order over its name and
 * generation (the name at the bottom, so that the chain edges arriving
 * from above do not cross it).
 */
static void dot_proc(FILE *out, const struct scenario *s,
		     const struct obs_proc *p)
{
	int par = s->procs[p->proc].parent, j;

	fprintf(out, "  p%d [shape=plain, label=<<table border=\"2\" "
		"cellborder=\"0\" cellspacing=\"4\" style=\"rounded\" "
		"color=\"%s\" bgcolor=\"%s\"><tr>", p->proc,
		proc_color[p->proc % NCOLORS],
		proc_fill[p->proc % NCOLORS]);
	if (!p->nvmas)
		fprintf(out, "<td><font point-size=\"9\">no VMA</font></td>");
	for (j = 0; j < p->nvmas; j++)
		dot_vma(out, s, p->proc, p, j);
	fprintf(out, "</tr><tr><td colspan=\"%d\"><b>", p->nvmas ? p->nvmas : 1);
	esc(out, s->procs[p->proc].name);
	fprintf(out, "</b> <font point-size=\"9\">gen %d",
		proc_generation(s, p->proc));
	if (par >= 0) {
		fprintf(out, ", child of ");
		esc(out, s->procs[par].name);
	}
	fprintf(out, "</font></td></tr></table>>];\n");
}

static void dot_legend(FILE *out)
{
	fprintf(out,
		"  subgraph cluster_legend {\n"
		"    label=\"legend\"; fontsize=10; style=rounded; color=\"#bbbbbb\";\n"
		"    lg_root [shape=box, style=\"rounded,filled\", fillcolor=\"#fff3c4\", "
		"peripheries=2, fontsize=9, label=\"root anon_vma\"];\n"
		"    lg_av [shape=box, style=\"rounded,filled\", fillcolor=white, "
		"fontsize=9, label=\"anon_vma\"];\n"
		"    lg_dead [shape=box, style=\"rounded,filled,dashed\", fillcolor=\"#eeeeee\", "
		"color=\"#888888\", fontsize=9, label=\"no active VMA\"];\n"
		"    lg_vma [shape=plain, label=<<table border=\"1\" cellborder=\"0\" "
		"cellspacing=\"0\" cellpadding=\"2\" color=\"#1f77b4\"><tr>"
		"<td border=\"1\" sides=\"b\" color=\"#bbbbbb\"><font point-size=\"8\" "
		"color=\"#1f77b4\"><b>own</b></font></td><td border=\"1\" sides=\"bl\" "
		"color=\"#bbbbbb\"><font point-size=\"8\">chain</font></td></tr>"
		"<tr><td colspan=\"2\"><font point-size=\"9\">VMA: its anon_vma_chain "
		"in list order,<br/>its range, the folios it maps</font></td></tr>"
		"</table>>];\n"
		"    lg_root -> lg_av [dir=back, fontsize=8, label=\" parent\"];\n"
		"    lg_av -> lg_vma [dir=back, penwidth=2, color=\"#1f77b4\", "
		"fontsize=8, label=\" vma->anon_vma\"];\n"
		"    lg_dead -> lg_vma [dir=none, style=dashed, color=\"#999999\", "
		"fontsize=8, label=\" chain (AVC)\"];\n"
		"  }\n");
}

static bool chain_has(const struct obs_vma *v, int av)
{
	unsigned long k;

	for (k = 0; v->model.chain_av && k < v->model.chain; k++)
		if (v->model.chain_av[k] == av)
			return true;
	return false;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/** lab_dot_step() - see lab.h. */
void lab_dot_step(FILE *out, const struct scenario *s, const struct obs_step *o)
{
	int i, j, maxd = 0;
	unsigned long k;

	fprintf(out, "digraph anonvma {\n"
		"  graph [fontname=\"Helvetica\", fontsize=12, labelloc=t, "
		"newrank=true, nodesep=0.3, ranksep=0.45, label=<");
	esc(out, base_name(s->name));
	fprintf(out, ", step %d (line %d): <b>", o->index, o->line);
	esc(out, o->text ? o->text : "");
	fprintf(out, "</b><br/><font point-size=\"10\">live: %lu anon_vma, "
		"%lu anon_vma_chain</font>>];\n",
		o->obj[SCN_OBJ_ANON_VMA].live, o->obj[SCN_OBJ_AVC].live);
	fprintf(out, "  node [fontname=\"Helvetica\", fontsize=10, margin=\"0.08,0.04\"];\n"
		"  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");

	/* The anon_vma forest, one rank per depth. */
	for (i = 0; i < o->model.navs; i++) {
		int d = av_depth(o, &o->model.avs[i]);

		if (d > maxd)
			maxd = d;
		dot_av(out, o, &o->model.avs[i]);
	}
	for (j = 0; j <= maxd && o->model.navs; j++) {
		fprintf(out, "  { rank=same;");
		for (i = 0; i < o->model.navs; i++)
			if (av_depth(o, &o->model.avs[i]) == j)
				fprintf(out, " av%d;", o->model.avs[i].id);
		fprintf(out, " }\n");
	}
	for (i = 0; i < o->model.navs; i++) {
		const struct obs_av *a = &o->model.avs[i];

		if (a->parent && a->parent != a->id)
			fprintf(out, "  av%d -> av%d [dir=back];\n", a->parent, a->id);
	}

	/*
	 * The processes on one row below the forest, left to right in
	 * creation order (the invisible edges keep that order).
	 */
	for (i = 0; i < o->nprocs; i++)
		dot_proc(out, s, &o->procs[i]);
	if (!o->nprocs && !o->model.navs)
		fprintf(out, "  empty [shape=plaintext, label=\"no process and no "
			"anon_vma left after this step\"];\n");
	if (o->nprocs) {
		fprintf(out, "  { rank=same;");
		for (i = 0; i < o->nprocs; i++)
			fprintf(out, " p%d;", o->procs[i].proc);
		fprintf(out, " }\n");
	}
	for (i = 1; i < o->nprocs; i++)
		fprintf(out, "  p%d -> p%d [style=invis];\n", o->procs[i - 1].proc,
			o->procs[i].proc);

	/*
	 * One edge per anon_vma_chain, from its cell of the VMA to the
	 * anon_vma: bold in the process's colour for the VMA's own
	 * anon_vma (vma->anon_vma), dashed grey for the others.  Each
	 * edge ranks the VMA below its anon_vma.
	 */
	for (i = 0; i < o->nprocs; i++) {
		const struct obs_proc *p = &o->procs[i];

		for (j = 0; j < p->nvmas; j++) {
			const struct obs_vma *v = &p->vmas[j];

			for (k = 0; v->model.chain_av && k < v->model.chain; k++) {
				if (v->model.chain_av[k] == v->model.av)
					fprintf(out, "  av%d -> p%d:v%dc%lu:n [dir=back, "
						"penwidth=2, color=\"%s\"];\n",
						v->model.chain_av[k], p->proc, j, k,
						proc_color[p->proc % NCOLORS]);
				else
					fprintf(out, "  av%d -> p%d:v%dc%lu:n [dir=none, "
						"style=dashed, penwidth=0.8, "
						"color=\"#b0b0b0\", weight=0];\n", v->model.chain_av[k],
						p->proc, j, k);
			}
			/* An anon_vma the chain does not hold (a broken state). */
			if (v->model.av && !chain_has(v, v->model.av))
				fprintf(out, "  av%d -> p%d:v%d:n [dir=back, penwidth=2, "
					"color=\"%s\", style=dotted];\n", v->model.av,
					p->proc, j, proc_color[p->proc % NCOLORS]);
		}
	}
	dot_legend(out);
	fprintf(out, "}\n");
}

/* ------------------------------------------------------------------ */
/* Capturing a run                                                     */
/* ------------------------------------------------------------------ */

/* What @print writes about step @o, as a string to keep. */
static char *step_string(const struct scenario *s, const struct obs_step *o,
			 void (*print)(FILE *, const struct scenario *,
				       const struct obs_step *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	print(f, s, o);
	fclose(f);
	return buf;
}

static void add_row(struct lab_capture *c, const struct scenario *s,
		    const struct obs_step *o)
{
	struct lab_step_row *row;
	int k, i;

	if (c->nrows == c->caprows) {
		c->caprows = c->caprows ? c->caprows * 2 : 32;
		c->rows = realloc(c->rows, sizeof(*c->rows) * (size_t)c->caprows);
		if (!c->rows) {
			fprintf(stderr, "anonvma: out of memory\n");
			exit(2);
		}
	}
	row = &c->rows[c->nrows++];
	memset(row, 0, sizeof(*row));
	row->index = o->index;
	row->line = o->line;
	row->op = strdup(o->text ? o->text : "");
	row->result = strdup(o->result ? scn_result_name(o->result) : "ok");
	for (k = 0; k < NR_OBS_SITES; k++) {
		row->av_alloc += o->obj[SCN_OBJ_ANON_VMA].alloc[k];
		row->av_free += o->obj[SCN_OBJ_ANON_VMA].free[k];
		row->avc_alloc += o->obj[SCN_OBJ_AVC].alloc[k];
		row->avc_free += o->obj[SCN_OBJ_AVC].free[k];
	}
	row->av_live = o->obj[SCN_OBJ_ANON_VMA].live;
	row->avc_live = o->obj[SCN_OBJ_AVC].live;
	row->nprocs = o->nprocs;
	if (o->nfailures) {
		size_t len = 0;
		FILE *f = open_memstream(&row->failures, &len);

		for (i = 0; f && i < o->nfailures; i++)
			fprintf(f, "%s%s", i ? "\n" : "", o->failures[i]);
		if (f)
			fclose(f);
	}
	row->text = step_string(s, o, print_text_step);
}

static void capture_step(const struct scenario *s, const struct obs_step *o,
			 void *arg)
{
	struct lab_capture *c = arg;
	int i;

	c->last_step = o->index;
	if (c->keep_rows)
		add_row(c, s, o);
	for (i = 0; i < c->nwant; i++) {
		if (c->want[i] == o->index ||
		    (c->want[i] == -1 && o->last)) {
			free(c->dots[i]);
			c->dots[i] = step_string(s, o, lab_dot_step);
			c->step_of[i] = o->index;
		}
	}
}

/** lab_capture_run() - see lab.h. */
int lab_capture_run(const struct scenario *s, int design, unsigned long bugs,
		    struct lab_capture *c, struct exec_summary *sum, FILE *err)
{
	struct exec_opts eo = {
		.check = true,
		.design = design,
		.bugs = bugs,
		.on_step = capture_step,
		.arg = c,
		.err = err,
	};

	return exec_model(s, &eo, sum);
}

/** lab_capture_free() - see lab.h. */
void lab_capture_free(struct lab_capture *c)
{
	int i;

	for (i = 0; i < c->nwant; i++) {
		free(c->dots[i]);
		c->dots[i] = NULL;
	}
	for (i = 0; i < c->nrows; i++) {
		free(c->rows[i].op);
		free(c->rows[i].result);
		free(c->rows[i].failures);
		free(c->rows[i].text);
	}
	free(c->rows);
	c->rows = NULL;
	c->nrows = c->caprows = 0;
}
