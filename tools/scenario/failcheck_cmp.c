/* SPDX-License-Identifier: MIT */
/*
 * The pieces the failcheck contracts are made of (failcheck_internal.h):
 * one observation against another, page by page, VMA by VMA, anon_vma
 * by anon_vma, each difference reported in terms of the scenario.
 */
#include <stdarg.h>
#include <stdio.h>

#include "failcheck_internal.h"

#define FC_MAX_REPORTS 12

/** fc_fail() - see failcheck_internal.h. */
void fc_fail(struct fc *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (++c->n > FC_MAX_REPORTS) {
		if (c->n == FC_MAX_REPORTS + 1)
			c->report(c->arg, "failed operation: ... (more differences)");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->report(c->arg, msg);
}

/** fc_pname() - see failcheck_internal.h. */
const char *fc_pname(const struct fc *c, int proc)
{
	return proc >= 0 && proc < c->s->nprocs ? c->s->procs[proc].name : "?";
}

/** fc_vma_at() - see failcheck_internal.h. */
const struct obs_vma *fc_vma_at(const struct obs_proc *p, unsigned long page)
{
	int i;

	for (i = 0; p && i < p->nvmas; i++)
		if (p->vmas[i].first <= page && page < p->vmas[i].end)
			return &p->vmas[i];
	return NULL;
}

static unsigned long offset_at(const struct obs_vma *v, unsigned long page)
{
	if (v->file < 0 && !v->shared)
		return 0;
	return v->offset + (page - v->first) * SCN_PAGE_SIZE;
}

static unsigned long pgoff_at(const struct obs_vma *v, unsigned long page)
{
	return v->model.pgoff + (page - v->first);
}

static const char *state_name(const struct obs_page *pg)
{
	static const char *const names[] = { "none", "zero", "present",
					     "swap", "migration" };

	if (!pg)
		return "none";
	return (unsigned int)pg->state < 5 ? names[pg->state] : "?";
}

/* Compare one page (either may be NULL: pte_none). */
static void cmp_page(struct fc *c, int proc, unsigned long page,
		     const struct obs_page *bp, const struct obs_page *ap,
		     unsigned int flags)
{
	const char *who = fc_pname(c, proc);
	const char *what = NULL;

	if (bp && !ap && (flags & PG_MAY_VANISH))
		return;
	if (!bp || !ap) {
		if (bp || ap)
			fc_fail(c, "%s page @%lu was %s, is %s", who, page,
				state_name(bp), state_name(ap));
		return;
	}
	if (bp->state != ap->state) {
		fc_fail(c, "%s page @%lu was %s, is %s", who, page,
			state_name(bp), state_name(ap));
		return;
	}
	if (!(flags & PG_IGN_LABEL) && bp->label != ap->label)
		what = "a different folio or slot";
	else if (bp->anon != ap->anon)
		what = "anon/file";
	else if (bp->excl != ap->excl &&
		 !((flags & PG_ALLOW_WP) && bp->excl && !ap->excl))
		what = ap->excl ? "PageAnonExclusive set" : "PageAnonExclusive cleared";
	else if (!(flags & PG_IGN_MAPCOUNT) && bp->mapcount != ap->mapcount)
		what = "the mapcount";
	else if (bp->model.writable != ap->model.writable &&
		 !(flags & PG_IGN_WRITE) &&
		 !((flags & PG_ALLOW_WP) && bp->model.writable))
		what = "the PTE write bit";
	else if (bp->model.av != ap->model.av)
		what = "the folio's anon_vma";
	else if (bp->model.index != ap->model.index)
		what = "folio->index";
	if (what)
		fc_fail(c, "%s page @%lu: %s changed", who, page, what);
}

/** fc_cmp_pages() - see failcheck_internal.h. */
void fc_cmp_pages(struct fc *c, int proc, const struct obs_proc *bpr,
		  const struct obs_proc *apr, unsigned long first,
		  unsigned long end, unsigned int flags)
{
	int i = 0, j = 0, bn = bpr ? bpr->npages : 0, an = apr ? apr->npages : 0;

	while (i < bn || j < an) {
		const struct obs_page *bp = i < bn ? &bpr->pages[i] : NULL;
		const struct obs_page *ap = j < an ? &apr->pages[j] : NULL;
		unsigned long page;

		if (bp && (!ap || bp->page < ap->page)) {
			page = bp->page;
			ap = NULL;
			i++;
		} else if (ap && (!bp || ap->page < bp->page)) {
			page = ap->page;
			bp = NULL;
			j++;
		} else {
			page = bp->page;
			i++;
			j++;
		}
		if (page >= first && page < end)
			cmp_page(c, proc, page, bp, ap, flags);
	}
}

/** fc_same_mapping_at() - see failcheck_internal.h. */
bool fc_same_mapping_at(const struct obs_vma *bv, const struct obs_vma *av,
			unsigned long page, bool prot_too)
{
	return bv->shared == av->shared && bv->file == av->file &&
	       offset_at(bv, page) == offset_at(av, page) &&
	       pgoff_at(bv, page) == pgoff_at(av, page) &&
	       (!prot_too || bv->prot == av->prot);
}

/** fc_moved_mapping_at() - see failcheck_internal.h. */
bool fc_moved_mapping_at(const struct obs_vma *bv, unsigned long x,
			 const struct obs_vma *av, unsigned long y)
{
	return bv->shared == av->shared && bv->file == av->file &&
	       offset_at(bv, x) == offset_at(av, y) && bv->prot == av->prot;
}

/** fc_page_at() - see failcheck_internal.h. */
const struct obs_page *fc_page_at(const struct obs_proc *p, unsigned long page)
{
	int i;

	for (i = 0; p && i < p->npages; i++)
		if (p->pages[i].page == page)
			return &p->pages[i];
	return NULL;
}

/** fc_page_same() - see failcheck_internal.h. */
bool fc_page_same(const struct obs_page *bp, const struct obs_page *ap)
{
	if (!bp || !ap)
		return !bp && !ap;
	return bp->state == ap->state && bp->anon == ap->anon &&
	       bp->excl == ap->excl && bp->mapcount == ap->mapcount &&
	       bp->model.writable == ap->model.writable &&
	       bp->model.av == ap->model.av &&
	       bp->model.index == ap->model.index;
}

/** fc_cmp_vmas_exact() - see failcheck_internal.h. */
void fc_cmp_vmas_exact(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr, bool model_too)
{
	int i;

	if (bpr->nvmas != apr->nvmas) {
		fc_fail(c, "%s has %d VMAs, had %d", fc_pname(c, proc),
			apr->nvmas, bpr->nvmas);
		return;
	}
	for (i = 0; i < bpr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i], *av = &apr->vmas[i];

		if (bv->first != av->first || bv->end != av->end ||
		    !fc_same_mapping_at(bv, av, bv->first, true))
			fc_fail(c, "%s VMA @%lu:%lu changed (now @%lu:%lu)",
				fc_pname(c, proc), bv->first, bv->end,
				av->first, av->end);
		else if (model_too && (bv->model.av != av->model.av ||
				       bv->model.chain != av->model.chain))
			fc_fail(c, "%s VMA @%lu:%lu: anon_vma %d chain %lu became anon_vma %d chain %lu",
				fc_pname(c, proc), bv->first, bv->end,
				bv->model.av, bv->model.chain, av->model.av,
				av->model.chain);
	}
}

static bool is_boundary(const struct obs_proc *p, unsigned long page)
{
	int i;

	for (i = 0; i < p->nvmas; i++)
		if (p->vmas[i].first == page || p->vmas[i].end == page)
			return true;
	return false;
}

/* The @i-th VMA of @bpr's list followed by @apr's. */
static const struct obs_vma *vma_nth(const struct obs_proc *bpr,
				     const struct obs_proc *apr, int i)
{
	return i < bpr->nvmas ? &bpr->vmas[i] : &apr->vmas[i - bpr->nvmas];
}

/* Is @edge an edge of one of the first @n VMAs of both lists? */
static bool seen_edge(const struct obs_proc *bpr, const struct obs_proc *apr,
		      int n, unsigned long edge)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct obs_vma *v = vma_nth(bpr, apr, i);

		if (v->first == edge || v->end == edge)
			return true;
	}
	return false;
}

/** fc_cmp_boundaries() - see failcheck_internal.h. */
void fc_cmp_boundaries(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr, const struct scn_range *r,
		       const struct scn_range *r2)
{
	int i, k;

	for (i = 0; i < bpr->nvmas + apr->nvmas; i++) {
		const struct obs_vma *v = vma_nth(bpr, apr, i);
		unsigned long edge[2] = { v->first, v->end };

		for (k = 0; k < 2; k++) {
			if ((edge[k] >= r->first && edge[k] <= r->end) ||
			    (r2 && edge[k] >= r2->first && edge[k] <= r2->end) ||
			    seen_edge(bpr, apr, i, edge[k]) ||
			    (k == 1 && edge[1] == edge[0]))
				continue;
			if (is_boundary(bpr, edge[k]) != is_boundary(apr, edge[k]))
				fc_fail(c, "%s: a VMA boundary at @%lu %s outside the range",
					fc_pname(c, proc), edge[k],
					is_boundary(apr, edge[k]) ? "appeared" :
								    "disappeared");
		}
	}
}

/** fc_next_edge() - see failcheck_internal.h. */
unsigned long fc_next_edge(const struct obs_proc *bpr,
			   const struct obs_proc *apr,
			   const struct scn_range *r, unsigned long x,
			   unsigned long y)
{
	int i;

	for (i = 0; i < bpr->nvmas + apr->nvmas; i++) {
		const struct obs_vma *v = vma_nth(bpr, apr, i);

		if (v->first > x && v->first < y)
			y = v->first;
		if (v->end > x && v->end < y)
			y = v->end;
	}
	if (r && r->first > x && r->first < y)
		y = r->first;
	if (r && r->end > x && r->end < y)
		y = r->end;
	return y;
}

/** fc_cmp_avs() - see failcheck_internal.h. */
void fc_cmp_avs(struct fc *c, enum av_rule rule)
{
	const struct obs_step *b = c->b, *a = c->a;
	int i;

	for (i = 0; i < b->model.navs; i++) {
		const struct obs_av *x = &b->model.avs[i];
		const struct obs_av *y = obs_find_av(a, x->id);

		if (!y) {
			if (rule != AV_UNMAP)
				fc_fail(c, "anon_vma av%d was freed", x->id);
			continue;
		}
		if (x->root != y->root || x->parent != y->parent ||
		    (rule != AV_UNMAP && (x->children != y->children ||
					  x->refcount != y->refcount)) ||
		    (rule == AV_EXACT && x->active != y->active))
			fc_fail(c, "anon_vma av%d changed: children %lu active %lu refcount %d, now %lu %lu %d",
				x->id, x->children, x->active, x->refcount,
				y->children, y->active, y->refcount);
	}
	for (i = 0; i < a->model.navs; i++) {
		const struct obs_av *y = &a->model.avs[i];

		if (obs_find_av(b, y->id))
			continue;
		if (rule != AV_NEW || y->root != y->id || y->parent != y->id)
			fc_fail(c, "anon_vma av%d appeared", y->id);
	}
}

/** fc_cmp_objects() - see failcheck_internal.h. */
void fc_cmp_objects(struct fc *c, bool avc_too)
{
	int obj;

	for (obj = 0; obj < NR_SCN_OBJECTS; obj++) {
		const struct obs_objects *bo = &c->b->obj[obj], *ao = &c->a->obj[obj];

		if (obj == SCN_OBJ_AVC && !avc_too)
			continue;
		if (bo->live != ao->live ||
		    obs_sites_sum(ao->alloc) != obs_sites_sum(ao->free))
			fc_fail(c, "%s: live %lu, now %lu (+%lu -%lu in the step)",
				obs_object_name((enum scn_object)obj), bo->live,
				ao->live, obs_sites_sum(ao->alloc),
				obs_sites_sum(ao->free));
	}
}

/* Every process of one observation exists in the other. */
static void cmp_proc_sets(struct fc *c)
{
	int i;

	for (i = 0; i < c->b->nprocs; i++)
		if (!obs_find_proc(c->a, c->b->procs[i].proc))
			fc_fail(c, "process %s is gone",
				fc_pname(c, c->b->procs[i].proc));
	for (i = 0; i < c->a->nprocs; i++)
		if (!obs_find_proc(c->b, c->a->procs[i].proc))
			fc_fail(c, "process %s exists after its creation failed",
				fc_pname(c, c->a->procs[i].proc));
}

/** fc_each_proc() - see failcheck_internal.h. */
void fc_each_proc(struct fc *c, fc_proc_fn fn)
{
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);

		if (apr)
			fn(c, bpr->proc, bpr, apr);
	}
}

/** fc_cmp_proc_exact() - see failcheck_internal.h. */
void fc_cmp_proc_exact(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr, unsigned int flags)
{
	fc_cmp_vmas_exact(c, proc, bpr, apr, true);
	fc_cmp_pages(c, proc, bpr, apr, 0, c->s->pages, flags);
}

/** fc_each_segment() - see failcheck_internal.h. */
void fc_each_segment(struct fc *c, int proc, const struct obs_proc *bpr,
		     const struct obs_proc *apr, const struct scn_range *r2,
		     fc_seg_fn fn)
{
	unsigned long npages = c->s->pages, x, y;

	for (x = 0; x < npages; x = y) {
		y = fc_next_edge(bpr, apr, r2, x,
				 fc_next_edge(bpr, apr, &c->st->r, x, npages));
		fn(c, proc, bpr, x, fc_vma_at(bpr, x), fc_vma_at(apr, x));
	}
}
