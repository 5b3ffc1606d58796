/* SPDX-License-Identifier: MIT */
/*
 * Observations as one JSON document (`anonvma run --json`), written by
 * hand.  Each step has the kernel-observable part (result, objects,
 * procs) and, apart from it, a "model" object with what only the model
 * can show.  Addresses and page offsets are hex strings; counts are
 * numbers.  The layout is documented in docs/scenario-language.md.
 */
#include <string.h>

#include "exec.h"
#include "ops.h"

/** scn_json_string() - see exec.h; invalid UTF-8 becomes U+FFFD. */
void scn_json_string(FILE *out, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t n = strlen(str), i;

	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		int l;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			continue;
		case '\\':
			fputs("\\\\", out);
			continue;
		case '\n':
			fputs("\\n", out);
			continue;
		case '\t':
			fputs("\\t", out);
			continue;
		case '\r':
			fputs("\\r", out);
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, out);
		} else if ((l = scn_utf8_len(p + i, n - i)) > 0) {
			fwrite(p + i, 1, (size_t)l, out);
			i += (size_t)l - 1;
		} else {
			fputs("\\ufffd", out);
		}
	}
	fputc('"', out);
}

static void json_av(FILE *out, int av)
{
	if (av)
		fprintf(out, "\"av%d\"", av);
	else
		fputs("null", out);
}

static void json_objects(FILE *out, const char *name,
			 const struct obs_objects *ob)
{
	const char *sep = "";
	int k;

	fprintf(out, "\"%s\":{\"alloc\":{", name);
	for (k = 0; k < NR_OBS_SITES; k++)
		if (ob->alloc[k]) {
			fprintf(out, "%s\"%s\":%lu", sep,
				obs_site_name((enum obs_site)k), ob->alloc[k]);
			sep = ",";
		}
	fputs("},\"free\":{", out);
	sep = "";
	for (k = 0; k < NR_OBS_SITES; k++)
		if (ob->free[k]) {
			fprintf(out, "%s\"%s\":%lu", sep,
				obs_site_name((enum obs_site)k), ob->free[k]);
			sep = ",";
		}
	fprintf(out, "},\"live\":%lu}", ob->live);
}

static void json_proc(FILE *out, const struct scenario *s,
		      const struct obs_proc *p)
{
	int j;

	fputs("{\"maps\":[", out);
	for (j = 0; j < p->nvmas; j++) {
		const struct obs_vma *v = &p->vmas[j];
		char prot[4];

		scn_prot_str(v->prot, prot);
		fprintf(out, "%s{\"start\":\"0x%lx\",\"end\":\"0x%lx\",\"pages\":[%lu,%lu],\"perms\":\"%s%c\",\"offset\":\"0x%lx\",\"file\":",
			j ? "," : "", s->base + v->first * SCN_PAGE_SIZE,
			s->base + v->end * SCN_PAGE_SIZE, v->first, v->end,
			prot, v->shared ? 's' : 'p', v->offset);
		if (v->file >= 0)
			scn_json_string(out, s->files[v->file].name);
		else
			fputs("null", out);
		if (v->flags) {
			char fl[48];

			obs_vm_flags_str(v->flags, fl, sizeof(fl));
			fprintf(out, ",\"vmflags\":\"%s\"", fl);
		}
		fputc('}', out);
	}
	fputs("],\"pages\":[", out);
	for (j = 0; j < p->npages; j++) {
		const struct obs_page *pg = &p->pages[j];

		fprintf(out, "%s{\"page\":%lu,", j ? "," : "", pg->page);
		switch (pg->state) {
		case SCN_PAGE_ZERO:
			fputs("\"state\":\"zero\"}", out);
			break;
		case SCN_PAGE_PRESENT:
			fprintf(out, "\"state\":\"present\",\"folio\":\"f%d\",\"excl\":%s,\"mapcount\":%d,\"anon\":%s}",
				pg->label, pg->excl ? "true" : "false",
				pg->mapcount, pg->anon ? "true" : "false");
			break;
		case SCN_PAGE_SWAP:
			fprintf(out, "\"state\":\"swap\",\"slot\":\"s%d\"}",
				pg->label);
			break;
		default:
			fputs("\"state\":\"migration\"}", out);
			break;
		}
	}
	fputs("]}", out);
}

static void json_model_proc(FILE *out, const struct obs_proc *p)
{
	int j;

	fputs("{\"vmas\":[", out);
	for (j = 0; j < p->nvmas; j++) {
		const struct obs_vma *v = &p->vmas[j];

		fprintf(out, "%s{\"pages\":[%lu,%lu],\"anon_vma\":", j ? "," : "",
			v->first, v->end);
		json_av(out, v->model.av);
		fprintf(out, ",\"chain\":%lu,\"pgoff\":\"0x%lx\"}", v->model.chain,
			v->model.pgoff);
	}
	fputs("],\"pages\":[", out);
	for (j = 0; j < p->npages; j++) {
		const struct obs_page *pg = &p->pages[j];

		fprintf(out, "%s{\"page\":%lu", j ? "," : "", pg->page);
		if (pg->state == SCN_PAGE_PRESENT) {
			fprintf(out, ",\"writable\":%s,\"anon_vma\":",
				pg->model.writable ? "true" : "false");
			json_av(out, pg->model.av);
			fprintf(out, ",\"index\":\"0x%lx\"", pg->model.index);
		} else if (pg->state != SCN_PAGE_ZERO) {
			/* The exclusive marker of a swap entry. */
			fprintf(out, ",\"excl\":%s", pg->excl ? "true" : "false");
		}
		fputc('}', out);
	}
	fputs("]}", out);
}

static void json_folio_ops(FILE *out, const struct scenario *s,
			   const struct obs_step *o, bool rmap)
{
	int i, j;

	fprintf(out, ",\"%s\":[", rmap ? "rmap" : "referenced");
	for (i = 0; i < o->model.nfolio_ops; i++) {
		const struct obs_folio_op *f = &o->model.folio_ops[i];

		fprintf(out, "%s{\"page\":%lu,\"folio\":", i ? "," : "", f->page);
		if (f->label >= 0)
			fprintf(out, "\"f%d\"", f->label);
		else
			fputs("null", out);
		if (!rmap) {
			fprintf(out, ",\"referenced\":%d}", f->referenced);
			continue;
		}
		fputs(",\"visits\":[", out);
		for (j = 0; j < f->nvisits; j++) {
			const struct obs_visit *v = &f->visits[j];

			fprintf(out, "%s{\"proc\":", j ? "," : "");
			if (v->proc >= 0)
				scn_json_string(out, s->procs[v->proc].name);
			else
				fputs("null", out);
			fprintf(out, ",\"page\":%lu,\"mapped\":%s}", v->page,
				v->mapped ? "true" : "false");
		}
		fputs("]}", out);
	}
	fputc(']', out);
}

static void json_model(FILE *out, const struct scenario *s,
		       const struct obs_step *o)
{
	const struct scn_step *st = &s->steps[o->index - 1];
	int i;

	fputs(",\"model\":{\"violations\":", out);
	if (o->model.violations >= 0)
		fprintf(out, "%d", o->model.violations);
	else
		fputs("null", out);
	fputs(",\"procs\":{", out);
	for (i = 0; i < o->nprocs; i++) {
		fprintf(out, "%s", i ? "," : "");
		scn_json_string(out, s->procs[o->procs[i].proc].name);
		fputc(':', out);
		json_model_proc(out, &o->procs[i]);
	}
	fputs("},\"anon_vmas\":[", out);
	for (i = 0; i < o->model.navs; i++) {
		const struct obs_av *a = &o->model.avs[i];

		fprintf(out, "%s{\"id\":\"av%d\",\"root\":", i ? "," : "", a->id);
		json_av(out, a->root);
		fputs(",\"parent\":", out);
		json_av(out, a->parent);
		fprintf(out, ",\"children\":%lu,\"active\":%lu,\"refcount\":%d}",
			a->children, a->active, a->refcount);
	}
	fputc(']', out);
	if (scn_op_has(st, SCN_OPF_WALK))
		json_folio_ops(out, s, o, scn_op_has(st, SCN_OPF_VISITS));
	if (scn_op_has(st, SCN_OPF_FOLIOS))
		fprintf(out, ",\"folios\":%lu", o->model.folios);
	fputc('}', out);
}

/** print_json_begin() - see exec.h. */
void print_json_begin(FILE *out, const struct scenario *s,
		      const char *executor, const char *design)
{
	int i;

	fputs("{\"scenario\":", out);
	scn_json_string(out, s->name);
	fputs(",\"executor\":", out);
	scn_json_string(out, executor);
	fputs(",\"design\":", out);
	scn_json_string(out, design);
	fprintf(out, ",\"window\":{\"base\":\"0x%lx\",\"pages\":%lu},\"processes\":[",
		s->base, s->pages);
	for (i = 0; i < s->nprocs; i++) {
		fputs(i ? "," : "", out);
		scn_json_string(out, s->procs[i].name);
	}
	fputs("],\"steps\":[", out);
}

/** print_json_step() - see exec.h. */
void print_json_step(FILE *out, const struct scenario *s,
		     const struct obs_step *o, bool first)
{
	const struct scn_step *st = &s->steps[o->index - 1];
	int i;

	fprintf(out, "%s\n{\"step\":%d,\"line\":%d,\"op\":", first ? "" : ",",
		o->index, o->line);
	scn_json_string(out, o->text);
	fprintf(out, ",\"model_only\":%s,\"result\":\"%s\",\"done\":%lu",
		st->model_only ? "true" : "false", scn_result_name(o->result),
		o->done);
	if (scn_op_has(st, SCN_OPF_VALUES)) {
		fputs(",\"values\":[", out);
		for (i = 0; i < o->nvalues; i++)
			fprintf(out, "%s\"0x%llx\"", i ? "," : "",
				(unsigned long long)o->values[i]);
		fputc(']', out);
	}
	fputs(",\"objects\":{", out);
	json_objects(out, "anon_vma", &o->obj[SCN_OBJ_ANON_VMA]);
	fputc(',', out);
	json_objects(out, "avc", &o->obj[SCN_OBJ_AVC]);
	fputs("},\"procs\":{", out);
	for (i = 0; i < o->nprocs; i++) {
		fputs(i ? "," : "", out);
		scn_json_string(out, s->procs[o->procs[i].proc].name);
		fputc(':', out);
		json_proc(out, s, &o->procs[i]);
	}
	fputc('}', out);
	if (o->has_model)
		json_model(out, s, o);
	fputs(",\"failures\":[", out);
	for (i = 0; i < o->nfailures; i++) {
		fputs(i ? "," : "", out);
		scn_json_string(out, o->failures[i]);
	}
	fputs("]}", out);
}

/** print_json_end() - see exec.h. */
void print_json_end(FILE *out, const struct exec_summary *sum)
{
	fprintf(out, "\n],\"verdict\":{\"pass\":%s,\"steps_run\":%d,\"operations_failed\":%d,\"expectations\":%d,\"expectations_failed\":%d,\"checks\":%d,\"checks_failed\":%d,\"leaks\":%lu}}\n",
		exec_summary_failed(sum) ? "false" : "true", sum->steps_run,
		sum->op_failures, sum->expectations, sum->expect_failures,
		sum->checks, sum->check_failures, sum->leaks);
}
