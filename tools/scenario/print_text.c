/* SPDX-License-Identifier: MIT */
/*
 * The canonical text form of observations: one block per step, one line
 * per object, stable from run to run so that two runs can be diffed.
 * Everything between square brackets is model-only; deleting the
 * bracketed parts (and the lines that are nothing but one) leaves what
 * a kernel run can show.  docs/scenario-language.md has an example.
 */
#include <string.h>

#include "exec.h"
#include "ops.h"

#define MODEL_COL 48	/* model-only parts start in this column */

static void print_objects(FILE *out, const char *name,
			  const struct obs_objects *ob)
{
	bool any = false;
	int k;

	fprintf(out, "  %s:", name);
	for (k = 0; k < NR_OBS_SITES; k++)
		if (ob->alloc[k]) {
			fprintf(out, " +%lu %s", ob->alloc[k],
				obs_site_name((enum obs_site)k));
			any = true;
		}
	for (k = 0; k < NR_OBS_SITES; k++)
		if (ob->free[k]) {
			fprintf(out, " -%lu %s", ob->free[k],
				obs_site_name((enum obs_site)k));
			any = true;
		}
	fprintf(out, "%s live %lu\n", any ? "," : "", ob->live);
}

/* Pad the kernel-observable part of a line before its model part. */
static void model_part(FILE *out, int used, const char *fmt_done)
{
	fprintf(out, "%*s[%s]\n", used < MODEL_COL ? MODEL_COL - used : 1, "",
		fmt_done);
}

static void av_name(int av, char *buf, size_t n)
{
	if (av)
		snprintf(buf, n, "av%d", av);
	else
		snprintf(buf, n, "none");
}

static void print_vma(FILE *out, const struct scenario *s, const char *proc,
		      const struct obs_vma *v, bool model)
{
	char prot[4], av[16], m[96], fl[48];
	int used;

	scn_prot_str(v->prot, prot);
	used = fprintf(out, "  %s: vma @%lu:%lu %s%c", proc, v->first, v->end,
		       prot, v->shared ? 's' : 'p');
	obs_vm_flags_str(v->flags, fl, sizeof(fl));
	if (fl[0])
		used += fprintf(out, " %s", fl);
	if (v->file >= 0)
		used += fprintf(out, " file=%s", s->files[v->file].name);
	if (v->file >= 0 || v->offset)
		used += fprintf(out, " off=0x%lx", v->offset);
	if (!model) {
		fputc('\n', out);
		return;
	}
	av_name(v->model.av, av, sizeof(av));
	snprintf(m, sizeof(m), "av=%s chain=%lu pgoff=0x%lx", av,
		 v->model.chain, v->model.pgoff);
	model_part(out, used, m);
}

static void print_page(FILE *out, const char *proc, const struct obs_page *pg,
		       bool model)
{
	char av[16], m[96];
	int used = fprintf(out, "  %s: page @%lu ", proc, pg->page);

	switch (pg->state) {
	case SCN_PAGE_ZERO:
		fprintf(out, "zero\n");
		return;
	case SCN_PAGE_PRESENT:
		break;
	default:
		/* pagemap shows no exclusive marker for swap entries. */
		if (pg->state == SCN_PAGE_SWAP)
			used += fprintf(out, "swap s%d", pg->label);
		else
			used += fprintf(out, "migration");
		if (!model) {
			fputc('\n', out);
			return;
		}
		snprintf(m, sizeof(m), "excl=%d", pg->excl);
		model_part(out, used, m);
		return;
	}
	used += fprintf(out, "present f%d %s mc=%d %s", pg->label,
			pg->excl ? "excl" : "noexcl", pg->mapcount,
			pg->anon ? "anon" : "file");
	if (!model) {
		fputc('\n', out);
		return;
	}
	av_name(pg->model.av, av, sizeof(av));
	snprintf(m, sizeof(m), "w=%d av=%s index=0x%lx", pg->model.writable,
		 av, pg->model.index);
	model_part(out, used, m);
}

static void print_folio_ops(FILE *out, const struct scenario *s,
			    const struct obs_step *o, bool rmap)
{
	int i, j;

	for (i = 0; i < o->model.nfolio_ops; i++) {
		const struct obs_folio_op *f = &o->model.folio_ops[i];

		if (f->label < 0) {
			fprintf(out, "  [%s @%lu: no folio]\n",
				rmap ? "rmap" : "referenced", f->page);
			continue;
		}
		if (!rmap) {
			fprintf(out, "  [referenced @%lu f%d: %d]\n", f->page,
				f->label, f->referenced);
			continue;
		}
		fprintf(out, "  [rmap @%lu f%d: %d visited", f->page, f->label,
			f->nvisits);
		for (j = 0; j < f->nvisits; j++) {
			const struct obs_visit *v = &f->visits[j];

			fprintf(out, "%s %s@%lu %s", j ? "," : ":",
				v->proc >= 0 ? s->procs[v->proc].name : "?",
				v->page, v->mapped ? "mapped" : "not mapped");
		}
		fprintf(out, "]\n");
	}
}

/** print_text_step() - see exec.h. */
void print_text_step(FILE *out, const struct scenario *s,
		     const struct obs_step *o)
{
	const struct scn_step *st = &s->steps[o->index - 1];
	int i, j;

	fprintf(out, "step %d (line %d): %s\n", o->index, o->line, o->text);
	fprintf(out, "  result: %s", scn_result_name(o->result));
	if (o->result && scn_range_pages(&st->r) > 1)
		fprintf(out, " after %lu of %lu pages", o->done,
			scn_range_pages(&st->r));
	fputc('\n', out);
	if (o->nvalues) {
		fprintf(out, "  read:");
		for (i = 0; i < o->nvalues; i++)
			fprintf(out, " @%lu=0x%llx", st->r.first + (unsigned long)i,
				(unsigned long long)o->values[i]);
		fputc('\n', out);
	}
	print_objects(out, "anon_vma", &o->obj[SCN_OBJ_ANON_VMA]);
	print_objects(out, "avc", &o->obj[SCN_OBJ_AVC]);
	for (i = 0; i < o->nprocs; i++) {
		const struct obs_proc *p = &o->procs[i];
		const char *name = s->procs[p->proc].name;

		if (!p->nvmas)
			fprintf(out, "  %s: no vma\n", name);
		for (j = 0; j < p->nvmas; j++)
			print_vma(out, s, name, &p->vmas[j], o->has_model);
		for (j = 0; j < p->npages; j++)
			print_page(out, name, &p->pages[j], o->has_model);
	}
	if (!o->has_model)
		return;
	for (i = 0; i < o->model.navs; i++) {
		const struct obs_av *a = &o->model.avs[i];

		fprintf(out, "  [av%d root=av%d parent=av%d children=%lu active=%lu refcount=%d]\n",
			a->id, a->root, a->parent, a->children, a->active,
			a->refcount);
	}
	if (scn_op_has(st, SCN_OPF_WALK))
		print_folio_ops(out, s, o, scn_op_has(st, SCN_OPF_VISITS));
	if (scn_op_has(st, SCN_OPF_FOLIOS))
		fprintf(out, "  [folios %lu]\n", o->model.folios);
	if (o->model.violations > 0)
		fprintf(out, "  [violations %d]\n", o->model.violations);
}

static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

/** print_text_verdict() - see exec.h. */
void print_text_verdict(FILE *out, const struct scenario *s,
			const struct exec_summary *sum)
{
	const char *sep = "";

	if (!exec_summary_failed(sum)) {
		fprintf(out, "PASS %s: %d step%s, %d expectation%s, %d invariant check%s\n",
			s->name, sum->steps_run, plural(sum->steps_run),
			sum->expectations, plural(sum->expectations),
			sum->checks, plural(sum->checks));
		return;
	}
	fprintf(out, "FAIL %s: ", s->name);
	if (sum->op_failures) {
		fprintf(out, "%d operation%s failed", sum->op_failures,
			plural(sum->op_failures));
		sep = ", ";
	}
	if (sum->expect_failures) {
		fprintf(out, "%s%d of %d expectation%s failed", sep,
			sum->expect_failures, sum->expectations,
			plural(sum->expectations));
		sep = ", ";
	}
	if (sum->check_failures) {
		fprintf(out, "%sinvariants broken after %d step%s", sep,
			sum->check_failures, plural(sum->check_failures));
		sep = ", ";
	}
	if (sum->fault_violations) {
		fprintf(out, "%s%d fault-injection violation%s", sep,
			sum->fault_violations, plural(sum->fault_violations));
		sep = ", ";
	}
	if (sum->leaks)
		fprintf(out, "%s%lu object%s leaked", sep, sum->leaks,
			plural((long)sum->leaks));
	fprintf(out, " (%d of %d steps run)\n", sum->steps_run, s->nsteps);
}
