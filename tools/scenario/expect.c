/* SPDX-License-Identifier: MIT */
/*
 * Evaluating `expect` lines.  The kernel-observable ones are decided on
 * the step's observations alone, exactly as a kernel run would decide
 * them; the model-only ones look into the model's VMAs, anon_vmas and
 * folios.  A failure reads "expectation failed: <the line>, found <what
 * is there>".
 */
#include <string.h>

#include "exec_internal.h"

#define FOUND_MAX 512

/* "none", "zero", "f2 excl mc=1 anon", "swap s0 excl" for one page. */
static void fmt_page(const struct obs_page *pg, char *buf, size_t n)
{
	if (!pg) {
		snprintf(buf, n, "none");
	} else if (pg->state == SCN_PAGE_ZERO) {
		snprintf(buf, n, "zero");
	} else if (pg->state == SCN_PAGE_PRESENT) {
		snprintf(buf, n, "present f%d %s mc=%d %s", pg->label,
			 pg->excl ? "excl" : "noexcl", pg->mapcount,
			 pg->anon ? "anon" : "file");
	} else if (pg->state == SCN_PAGE_SWAP) {
		snprintf(buf, n, "swap s%d%s", pg->label,
			 pg->excl ? " excl" : "");
	} else {
		snprintf(buf, n, "migration entry");
	}
}

static const struct obs_page *page_of(const struct obs_step *o, int proc,
				      unsigned long page)
{
	return obs_find_page(obs_find_proc(o, proc), page);
}

static bool ex_maps(const struct scn_expect *ex, const struct obs_step *o,
		    char *found)
{
	const struct obs_proc *op = obs_find_proc(o, ex->proc);
	int nvmas = op ? op->nvmas : 0, i;
	bool ok = nvmas == ex->nmaps;
	size_t len = 0;

	for (i = 0; ok && i < nvmas; i++) {
		const struct obs_vma *v = &op->vmas[i];
		const struct scn_map_spec *m = &ex->maps[i];

		ok = v->first == m->r.first && v->end == m->r.end &&
		     v->prot == m->prot && v->shared == m->shared;
	}
	if (ok)
		return true;
	if (!nvmas)
		snprintf(found, FOUND_MAX, "none");
	for (i = 0; i < nvmas && len < FOUND_MAX; i++) {
		const struct obs_vma *v = &op->vmas[i];
		struct scn_range r = { v->first, v->end };
		char rb[48], prot[4];

		scn_prot_str(v->prot, prot);
		len += (size_t)snprintf(found + len, FOUND_MAX - len, "%s%s %s%c",
					i ? ", " : "", exec_fmt_range(&r, rb, sizeof(rb)),
					prot, v->shared ? 's' : 'p');
	}
	return false;
}

static bool ex_page(const struct scn_expect *ex, const struct obs_step *o,
		    char *found)
{
	const struct obs_proc *op = obs_find_proc(o, ex->proc);
	unsigned long p;

	for (p = ex->r.first; p < ex->r.end; p++) {
		const struct obs_page *pg = obs_find_page(op, p);
		enum scn_pstate state = pg ? pg->state : SCN_PAGE_NONE;
		bool ok = state == ex->state;

		if (ok && ex->tri_excl >= 0)
			ok = pg->excl == (bool)ex->tri_excl;
		if (ok && ex->tri_anon >= 0)
			ok = pg->anon == (bool)ex->tri_anon;
		if (ok && ex->mapcount >= 0)
			ok = pg->mapcount == ex->mapcount;
		if (!ok) {
			char pb[96];

			fmt_page(pg, pb, sizeof(pb));
			snprintf(found, FOUND_MAX, "@%lu %s", p, pb);
			return false;
		}
	}
	return true;
}

static bool ex_pair(const struct scn_expect *ex, const struct obs_step *o,
		    char *found)
{
	unsigned long i, n = scn_range_pages(&ex->r);

	for (i = 0; i < n; i++) {
		const struct obs_page *a = page_of(o, ex->proc, ex->r.first + i);
		const struct obs_page *b = page_of(o, ex->proc2, ex->r2.first + i);
		bool same = a && b && a->state == SCN_PAGE_PRESENT &&
			    b->state == SCN_PAGE_PRESENT && a->label == b->label;
		char ab[96], bb[96];

		if (same == (ex->kind == SCN_EX_SAME))
			continue;
		fmt_page(a, ab, sizeof(ab));
		fmt_page(b, bb, sizeof(bb));
		snprintf(found, FOUND_MAX, "@%lu %s and @%lu %s",
			 ex->r.first + i, ab, ex->r2.first + i, bb);
		return false;
	}
	return true;
}

static bool ex_step(const struct scn_expect *ex, const struct obs_step *o,
		    char *found)
{
	const struct obs_objects *ob = &o->obj[ex->obj];
	unsigned long a = 0, f = 0;
	int k;

	for (k = 0; k < NR_OBS_SITES; k++) {
		a += ob->alloc[k];
		f += ob->free[k];
	}
	snprintf(found, FOUND_MAX, "+%lu -%lu", a, f);
	return (ex->n < 0 || a == (unsigned long)ex->n) &&
	       (ex->n2 < 0 || f == (unsigned long)ex->n2);
}

/* The VMA of @proc at window page @page, for model-only expectations. */
static struct vm_area_struct *vma_of(struct exec_state *x, int proc,
				     unsigned long page, char *found)
{
	struct mm_struct *mm = x->mms[proc];
	struct vm_area_struct *vma;

	if (!mm) {
		snprintf(found, FOUND_MAX, "no process %s", x->s->procs[proc].name);
		return NULL;
	}
	mmap_read_lock(mm);
	vma = vma_lookup(mm, exec_addr(x, page));
	mmap_read_unlock(mm);
	if (!vma)
		snprintf(found, FOUND_MAX, "no VMA of %s at @%lu",
			 x->s->procs[proc].name, page);
	return vma;
}

static unsigned long chain_len(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	unsigned long n = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		n++;
	return n;
}

static void fmt_av(struct exec_state *x, const struct anon_vma *av, char *buf,
		   size_t n)
{
	if (av)
		snprintf(buf, n, "av%d", obs_model_av_label(&x->obs, av));
	else
		snprintf(buf, n, "no anon_vma");
}

/* `P R av ...`, `P R unfaulted`, `P R chain N`. */
static bool ex_vma(struct exec_state *x, const struct scn_expect *ex,
		   char *found)
{
	struct vm_area_struct *vma = vma_of(x, ex->proc, ex->r.first, found);
	struct vm_area_struct *vma2 = NULL;
	struct anon_vma *av, *av2;
	char b1[32], b2[32];

	if (!vma)
		return false;
	av = READ_ONCE(vma->anon_vma);
	fmt_av(x, av, b1, sizeof(b1));
	switch (ex->kind) {
	case SCN_EX_UNFAULTED:
		snprintf(found, FOUND_MAX, "%s", b1);
		return !av;
	case SCN_EX_CHAIN:
		snprintf(found, FOUND_MAX, "chain %lu", chain_len(vma));
		return chain_len(vma) == (unsigned long)ex->n;
	case SCN_EX_AV_EQ:
	case SCN_EX_AV_NE:
		vma2 = vma_of(x, ex->proc2, ex->r2.first, found);
		if (!vma2)
			return false;
		av2 = READ_ONCE(vma2->anon_vma);
		fmt_av(x, av2, b2, sizeof(b2));
		snprintf(found, FOUND_MAX, "%s and %s", b1, b2);
		return (av == av2) == (ex->kind == SCN_EX_AV_EQ);
	default:
		break;
	}
	if (!av) {
		snprintf(found, FOUND_MAX, "no anon_vma");
		return false;
	}
	fmt_av(x, READ_ONCE(av->root), b2, sizeof(b2));
	if (ex->kind == SCN_EX_AV_ROOT || ex->kind == SCN_EX_AV_NOTROOT) {
		snprintf(found, FOUND_MAX, "%s with root %s", b1, b2);
		return (READ_ONCE(av->root) == av) == (ex->kind == SCN_EX_AV_ROOT);
	}
	snprintf(found, FOUND_MAX, "%s children %lu active %lu", b1,
		 av->num_children, av->num_active_vmas);
	return (ex->n < 0 || av->num_children == (unsigned long)ex->n) &&
	       (ex->n2 < 0 || av->num_active_vmas == (unsigned long)ex->n2);
}

/* `P R folio ...` */
static bool ex_folio(struct exec_state *x, const struct scn_expect *ex,
		     char *found)
{
	struct mm_struct *mm = x->mms[ex->proc];
	struct folio *folio = mm ? folio_at(mm, exec_addr(x, ex->r.first)) : NULL;
	struct vm_area_struct *vma2;
	struct anon_vma *fav, *want;
	char b1[32], b2[32];
	unsigned long n;
	bool ok = false;

	if (!folio) {
		snprintf(found, FOUND_MAX, "no folio at @%lu", ex->r.first);
		return false;
	}
	switch (ex->kind) {
	case SCN_EX_FOLIO_INDEX:
		snprintf(found, FOUND_MAX, "index 0x%lx", folio->index);
		ok = folio->index == (unsigned long)ex->n;
		break;
	case SCN_EX_FOLIO_WALK:
		n = exec_walk_count(folio);
		snprintf(found, FOUND_MAX, "walk %lu", n);
		ok = n == (unsigned long)ex->n;
		break;
	default:
		if (!folio_test_anon(folio)) {
			snprintf(found, FOUND_MAX, "a file folio");
			break;
		}
		vma2 = vma_of(x, ex->proc2, ex->r2.first, found);
		if (!vma2)
			break;
		fav = folio_anon_vma(folio);
		want = READ_ONCE(vma2->anon_vma);
		if (want && ex->kind == SCN_EX_FOLIO_AV_ROOT)
			want = READ_ONCE(want->root);
		fmt_av(x, fav, b1, sizeof(b1));
		fmt_av(x, want, b2, sizeof(b2));
		snprintf(found, FOUND_MAX, "folio %s, VMA %s", b1, b2);
		ok = want && fav == want;
		break;
	}
	folio_put(folio);
	return ok;
}

static bool eval(struct exec_state *x, const struct scn_expect *ex,
		 const struct obs_step *o, char *found)
{
	struct check_report rep;
	int n;

	switch (ex->kind) {
	case SCN_EX_MAPS:
		return ex_maps(ex, o, found);
	case SCN_EX_VMAS: {
		const struct obs_proc *op = obs_find_proc(o, ex->proc);

		n = op ? op->nvmas : 0;
		snprintf(found, FOUND_MAX, "%d", n);
		return n == ex->n;
	}
	case SCN_EX_PAGE:
		return ex_page(ex, o, found);
	case SCN_EX_SAME:
	case SCN_EX_DIFFER:
		return ex_pair(ex, o, found);
	case SCN_EX_LIVE:
		snprintf(found, FOUND_MAX, "%lu", o->obj[ex->obj].live);
		return o->obj[ex->obj].live == (unsigned long)ex->n;
	case SCN_EX_STEP:
		return ex_step(ex, o, found);
	case SCN_EX_FOLIO_AV:
	case SCN_EX_FOLIO_AV_ROOT:
	case SCN_EX_FOLIO_INDEX:
	case SCN_EX_FOLIO_WALK:
		return ex_folio(x, ex, found);
	case SCN_EX_VIOLATIONS:
		n = check_invariants(&rep);
		if (n)
			snprintf(found, FOUND_MAX, "%d (%s)", n, rep.msg[0]);
		else
			snprintf(found, FOUND_MAX, "0");
		return n == ex->n;
	default:
		return ex_vma(x, ex, found);
	}
}

/** exec_expect_step() - see exec_internal.h. */
void exec_expect_step(struct exec_state *x, const struct scn_step *st,
		      struct obs_step *o)
{
	char found[FOUND_MAX];
	int i;

	for (i = 0; i < st->nex; i++) {
		const struct scn_expect *ex = &st->ex[i];

		x->sum->expectations++;
		found[0] = '\0';
		if (eval(x, ex, o, found))
			continue;
		x->sum->expect_failures++;
		exec_fail(x, o, ex->line, "expectation failed: %s, found %s",
			  ex->text, found);
	}
}
