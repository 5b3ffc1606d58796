/* SPDX-License-Identifier: MIT */
/*
 * The state an operation leaves when one of its allocations fails,
 * against the state before it (failcheck.h).  The rules are the
 * kernel's, operation by operation:
 *
 * - mmap, brk, mremap, fork and exec (`proc`) change nothing that can
 *   be observed: the kernel backs out (__mmap_region() re-attaches the
 *   VMAs a MAP_FIXED mapping was replacing, a failed fork tears the
 *   child down); the one trace a failed fork may leave is in the
 *   parent's PTEs: pages it had already shared with the child stay
 *   write-protected and lose PageAnonExclusive (copy_present_pte()).
 *   No anon_vma or anon_vma_chain is left allocated or freed.
 * - munmap, mprotect and madvise work VMA by VMA: a failure may leave
 *   a split at either end of the range (the kernel keeps it), and
 *   mprotect/madvise may have changed the VMAs before the one that
 *   failed.  Nothing outside the range changes, except a neighbour
 *   that merged with a changed part of the range; no page-table entry
 *   is zapped; a VMA never gains an anon_vma unless it merged (an
 *   unfaulted merge target stays unfaulted, spec §6.7), never loses or
 *   swaps one; no anon_vma is created or freed.
 * - A read or write fault stops at the page whose fault failed: that
 *   page is as it was (VM_FAULT_OOM installs nothing), pages after it
 *   are untouched; the VMA being faulted may keep the anon_vma that
 *   anon_vma_prepare() gave it before the folio allocation failed, as
 *   do_anonymous_page() leaves it.
 * - swapout and migrate stop at the folio that failed, which stays
 *   mapped as it was; VMAs and anon_vmas are untouched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>

#include "failcheck.h"

#define FC_MAX_REPORTS 12

struct fc {
	const struct scenario *s;
	const struct scn_step *st;
	const struct obs_step *b, *a;
	fc_report_fn report;
	void *arg;
	int n;
};

/* Which differences a page comparison tolerates. */
#define PG_IGN_LABEL	0x1	/* folio labels may shift */
#define PG_IGN_MAPCOUNT	0x2
#define PG_IGN_WRITE	0x4	/* the PTE write bit may change */
#define PG_ALLOW_WP	0x8	/* excl and write bit may be cleared, not set */
#define PG_MAY_VANISH	0x10	/* the page may have been unmapped */

/** fail_result_expected() - see failcheck.h. */
int fail_result_expected(const struct scn_step *st)
{
	switch (st->op) {
	case SCN_OP_READ:
	case SCN_OP_WRITE:
		return SCN_OOM;		/* VM_FAULT_OOM */
	case SCN_OP_MADVISE:
		/* madvise_vma_behavior() turns -ENOMEM into -EAGAIN. */
		return EAGAIN;
	default:
		return ENOMEM;
	}
}

static void fc_fail(struct fc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fc_fail(struct fc *c, const char *fmt, ...)
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

static const char *pname(const struct fc *c, int proc)
{
	return proc >= 0 && proc < c->s->nprocs ? c->s->procs[proc].name : "?";
}

static const struct obs_vma *vma_at(const struct obs_proc *p,
				    unsigned long page)
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
	const char *who = pname(c, proc);
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

/* Compare the pages of [first, end) of one process. */
static void cmp_pages(struct fc *c, int proc, const struct obs_proc *bpr,
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

/* Kernel-visible attributes of the VMAs covering @page before and after. */
static bool same_mapping_at(const struct obs_vma *bv, const struct obs_vma *av,
			    unsigned long page, bool prot_too)
{
	return bv->shared == av->shared && bv->file == av->file &&
	       offset_at(bv, page) == offset_at(av, page) &&
	       pgoff_at(bv, page) == pgoff_at(av, page) &&
	       (!prot_too || bv->prot == av->prot);
}

/* The VMA lists of one process, field by field. */
static void cmp_vmas_exact(struct fc *c, int proc, const struct obs_proc *bpr,
			   const struct obs_proc *apr, bool model_too)
{
	int i;

	if (bpr->nvmas != apr->nvmas) {
		fc_fail(c, "%s has %d VMAs, had %d", pname(c, proc),
			apr->nvmas, bpr->nvmas);
		return;
	}
	for (i = 0; i < bpr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i], *av = &apr->vmas[i];

		if (bv->first != av->first || bv->end != av->end ||
		    !same_mapping_at(bv, av, bv->first, true))
			fc_fail(c, "%s VMA @%lu:%lu changed (now @%lu:%lu)",
				pname(c, proc), bv->first, bv->end, av->first,
				av->end);
		else if (model_too && (bv->model.av != av->model.av ||
				       bv->model.chain != av->model.chain))
			fc_fail(c, "%s VMA @%lu:%lu: anon_vma %d chain %lu became anon_vma %d chain %lu",
				pname(c, proc), bv->first, bv->end,
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

/*
 * May the after-VMA @av have gained an anon_vma?  Only by merging with
 * a part of the range the operation did change: for mprotect, a part
 * that now has the new protection and had another before.
 */
static bool may_gain_av(struct fc *c, const struct obs_proc *bpr,
			const struct obs_vma *av)
{
	const struct scn_step *st = c->st;
	unsigned long lo = av->first > st->r.first ? av->first : st->r.first;
	unsigned long hi = av->end < st->r.end ? av->end : st->r.end;
	int i;

	if (lo >= hi || (st->op != SCN_OP_MPROTECT && st->op != SCN_OP_MADVISE))
		return false;
	if (st->op != SCN_OP_MPROTECT)
		return true;
	if (av->prot != st->prot)
		return false;
	for (i = 0; i < bpr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i];

		if (bv->first < hi && bv->end > lo && bv->prot != st->prot)
			return true;
	}
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

/* VMA boundaries outside [r.first, r.end] and @r2 stay where they were. */
static void cmp_boundaries(struct fc *c, int proc, const struct obs_proc *bpr,
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
					pname(c, proc), edge[k],
					is_boundary(apr, edge[k]) ? "appeared" :
								    "disappeared");
		}
	}
}

/* The first edge of either VMA list (or of @r) after page @x. */
static unsigned long next_edge(const struct obs_proc *bpr,
			       const struct obs_proc *apr,
			       const struct scn_range *r, unsigned long x,
			       unsigned long y)
{
	int i;

	for (i = 0; i < bpr->nvmas + apr->nvmas; i++) {
		const struct obs_vma *v = i < bpr->nvmas ? &bpr->vmas[i] :
				&apr->vmas[i - bpr->nvmas];

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

/* munmap, mprotect, madvise, mmap: the acting process's VMAs (file comment). */
static void cmp_vmas_range(struct fc *c, int proc, const struct obs_proc *bpr,
			   const struct obs_proc *apr)
{
	const struct scn_step *st = c->st;
	unsigned long a = st->r.first, b = st->r.end, x;
	unsigned long npages = c->s->pages;

	cmp_boundaries(c, proc, bpr, apr, &st->r, NULL);

	/* Page by page, one segment at a time (attributes are linear). */
	for (x = 0; x < npages;) {
		const struct obs_vma *bv = vma_at(bpr, x), *av = vma_at(apr, x);
		unsigned long y = next_edge(bpr, apr, &st->r, x, npages);
		bool inside = x >= a && x < b;

		if (!bv != !av) {
			fc_fail(c, "%s page @%lu was %smapped, is %smapped",
				pname(c, proc), x, bv ? "" : "not ",
				av ? "" : "not ");
		} else if (bv) {
			bool prot_ok = bv->prot == av->prot ||
				       (inside && st->op == SCN_OP_MPROTECT &&
					av->prot == st->prot);

			if (!same_mapping_at(bv, av, x, false) || !prot_ok)
				fc_fail(c, "%s page @%lu: its mapping changed",
					pname(c, proc), x);
			else if (bv->model.av != av->model.av &&
				 (bv->model.av || !may_gain_av(c, bpr, av)))
				fc_fail(c, "%s page @%lu: the VMA's anon_vma changed from %d to %d",
					pname(c, proc), x, bv->model.av,
					av->model.av);
			else if (bv->model.av && bv->model.av == av->model.av &&
				 bv->model.chain != av->model.chain)
				fc_fail(c, "%s page @%lu: the VMA's chain changed from %lu to %lu",
					pname(c, proc), x, bv->model.chain,
					av->model.chain);
		}
		x = y;
	}
}

/* Rules for the anon_vma list. */
enum av_rule {
	AV_EXACT,	/* nothing changes */
	AV_ACTIVE,	/* only num_active_vmas may change (splits, merges) */
	AV_NEW,		/* and new roots may appear (anon_vma_prepare) */
	AV_UNMAP,	/* anon_vmas may go or change counts, none appears */
};

static const struct obs_av *find_av(const struct obs_step *o, int id)
{
	int i;

	for (i = 0; i < o->model.navs; i++)
		if (o->model.avs[i].id == id)
			return &o->model.avs[i];
	return NULL;
}

static void cmp_avs(struct fc *c, enum av_rule rule)
{
	const struct obs_step *b = c->b, *a = c->a;
	int i;

	for (i = 0; i < b->model.navs; i++) {
		const struct obs_av *x = &b->model.avs[i], *y = find_av(a, x->id);

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

		if (find_av(b, y->id))
			continue;
		if (rule != AV_NEW || y->root != y->id || y->parent != y->id)
			fc_fail(c, "anon_vma av%d appeared", y->id);
	}
}

static unsigned long sum_sites(const unsigned long *v)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < NR_OBS_SITES; i++)
		n += v[i];
	return n;
}

/* A refused operation allocates and frees as many objects as it frees. */
static void cmp_objects(struct fc *c, bool avc_too)
{
	int obj;

	for (obj = 0; obj < NR_SCN_OBJECTS; obj++) {
		const struct obs_objects *bo = &c->b->obj[obj], *ao = &c->a->obj[obj];

		if (obj == SCN_OBJ_AVC && !avc_too)
			continue;
		if (bo->live != ao->live ||
		    sum_sites(ao->alloc) != sum_sites(ao->free))
			fc_fail(c, "%s: live %lu, now %lu (+%lu -%lu in the step)",
				obs_object_name((enum scn_object)obj), bo->live,
				ao->live, sum_sites(ao->alloc),
				sum_sites(ao->free));
	}
}

/* Every process of one observation exists in the other. */
static void cmp_proc_sets(struct fc *c)
{
	int i;

	for (i = 0; i < c->b->nprocs; i++)
		if (!obs_find_proc(c->a, c->b->procs[i].proc))
			fc_fail(c, "process %s is gone",
				pname(c, c->b->procs[i].proc));
	for (i = 0; i < c->a->nprocs; i++)
		if (!obs_find_proc(c->b, c->a->procs[i].proc))
			fc_fail(c, "process %s exists after its creation failed",
				pname(c, c->a->procs[i].proc));
}

static void check_atomic(struct fc *c)
{
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);
		unsigned int flags = 0;

		if (!apr)
			continue;
		if (c->st->op == SCN_OP_FORK && bpr->proc == c->st->proc)
			flags = PG_ALLOW_WP;
		cmp_vmas_exact(c, bpr->proc, bpr, apr, true);
		cmp_pages(c, bpr->proc, bpr, apr, 0, c->s->pages, flags);
	}
	cmp_avs(c, AV_EXACT);
	cmp_objects(c, true);
}

/*
 * mremap: the destination D may have been unmapped (MREMAP_FIXED
 * unmaps it first, and the kernel does not bring it back); a VMA next
 * to D may keep an anon_vma it adopted from the source before the move
 * was undone; the source keeps its pages, maybe split at its ends.
 */
static void mremap_dest(const struct scn_step *st, struct scn_range *d)
{
	if (st->flags & MREMAP_FIXED) {
		*d = st->r2;
	} else {
		d->first = st->r.end;
		d->end = st->r.first + st->npages > st->r.end ?
			 st->r.first + st->npages : st->r.end;
	}
}

static void check_mremap(struct fc *c)
{
	const struct scn_step *st = c->st;
	unsigned long npages = c->s->pages, x;
	struct scn_range d;
	int i;

	mremap_dest(st, &d);
	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);
		int proc = bpr->proc;

		if (!apr)
			continue;
		if (proc != st->proc) {
			cmp_vmas_exact(c, proc, bpr, apr, true);
			cmp_pages(c, proc, bpr, apr, 0, npages, 0);
			continue;
		}
		cmp_boundaries(c, proc, bpr, apr, &st->r, &d);
		for (x = 0; x < npages;) {
			const struct obs_vma *bv = vma_at(bpr, x), *av = vma_at(apr, x);
			unsigned long y = next_edge(bpr, apr, &d, x,
					next_edge(bpr, apr, &st->r, x, npages));
			bool in_d = x >= d.first && x < d.end;

			if (!bv != !av) {
				if (!(in_d && bv))
					fc_fail(c, "%s page @%lu was %smapped, is %smapped",
						pname(c, proc), x, bv ? "" : "not ",
						av ? "" : "not ");
			} else if (bv) {
				bool near_d = av->end >= d.first &&
					      av->first <= d.end;

				if (!same_mapping_at(bv, av, x, true))
					fc_fail(c, "%s page @%lu: its mapping changed",
						pname(c, proc), x);
				else if (bv->model.av != av->model.av &&
					 (bv->model.av || !near_d))
					fc_fail(c, "%s page @%lu: the VMA's anon_vma changed from %d to %d",
						pname(c, proc), x, bv->model.av,
						av->model.av);
			}
			x = y;
		}
		cmp_pages(c, proc, bpr, apr, 0, d.first, 0);
		cmp_pages(c, proc, bpr, apr, d.first, d.end, PG_MAY_VANISH);
		cmp_pages(c, proc, bpr, apr, d.end, npages, 0);
	}
	cmp_avs(c, AV_UNMAP);
}

/*
 * check_range() - a failed operation on the range st->r: outside it
 * nothing changed.  Inside it nothing changed either, except splits at
 * its ends; or, with @gap (a MAP_FIXED whose old VMAs were torn down
 * before the failure), nothing is mapped there any more.  Folio labels
 * are given afresh at each step and mapcounts of pages shared with an
 * unmapped range drop, so a gap compares the rest of each page's state.
 */
static void check_range(struct fc *c, bool gap)
{
	const struct scn_step *st = c->st;
	unsigned int pf = gap ? PG_IGN_LABEL | PG_IGN_MAPCOUNT : 0;
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);

		if (!apr)
			continue;
		if (bpr->proc != st->proc) {
			cmp_vmas_exact(c, bpr->proc, bpr, apr, true);
			cmp_pages(c, bpr->proc, bpr, apr, 0, c->s->pages, pf);
			continue;
		}
		if (gap)
			cmp_boundaries(c, bpr->proc, bpr, apr, &st->r, NULL);
		else
			cmp_vmas_range(c, bpr->proc, bpr, apr);
		cmp_pages(c, bpr->proc, bpr, apr, 0, st->r.first, pf);
		if (!gap)
			cmp_pages(c, bpr->proc, bpr, apr, st->r.first, st->r.end,
				  st->op == SCN_OP_MPROTECT ? PG_IGN_WRITE : 0);
		cmp_pages(c, bpr->proc, bpr, apr, st->r.end, c->s->pages, pf);
	}
	if (gap)
		return;
	cmp_avs(c, AV_ACTIVE);
	cmp_objects(c, false);
}

/* read/write: the VMAs; the faulted VMA may have kept a new anon_vma. */
static void check_fault_vmas(struct fc *c, int proc, const struct obs_proc *bpr,
			     const struct obs_proc *apr, unsigned long fpage)
{
	int i;

	if (proc != c->st->proc) {
		cmp_vmas_exact(c, proc, bpr, apr, true);
		return;
	}
	cmp_vmas_exact(c, proc, bpr, apr, false);
	for (i = 0; i < bpr->nvmas && i < apr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i], *av = &apr->vmas[i];
		bool touched = bv->first <= fpage && bv->end > c->st->r.first;

		if (bv->model.av == av->model.av &&
		    (!bv->model.av || bv->model.chain == av->model.chain))
			continue;
		if (!bv->model.av && touched)
			continue;
		fc_fail(c, "%s VMA @%lu:%lu: anon_vma %d chain %lu became anon_vma %d chain %lu",
			pname(c, proc), bv->first, bv->end, bv->model.av,
			bv->model.chain, av->model.av, av->model.chain);
	}
}

static void check_fault(struct fc *c)
{
	const struct scn_step *st = c->st;
	unsigned long f = st->r.first + c->a->done;
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);
		unsigned int loose = PG_IGN_LABEL | PG_IGN_MAPCOUNT;

		if (!apr)
			continue;
		check_fault_vmas(c, bpr->proc, bpr, apr, f);
		if (bpr->proc != st->proc) {
			cmp_pages(c, bpr->proc, bpr, apr, 0, c->s->pages, loose);
			continue;
		}
		/* Pages [r.first, f) were faulted by this operation. */
		cmp_pages(c, bpr->proc, bpr, apr, 0, st->r.first, loose);
		cmp_pages(c, bpr->proc, bpr, apr, f, f + 1, PG_IGN_LABEL);
		cmp_pages(c, bpr->proc, bpr, apr, f + 1, c->s->pages, loose);
	}
	cmp_avs(c, AV_NEW);
}

static void check_folio_op(struct fc *c)
{
	const struct scn_step *st = c->st;
	unsigned long f = st->r.first + c->a->done;
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);

		if (!apr)
			continue;
		cmp_vmas_exact(c, bpr->proc, bpr, apr, true);
		if (bpr->proc == st->proc)
			cmp_pages(c, bpr->proc, bpr, apr, f, f + 1,
				  PG_IGN_LABEL);
	}
	cmp_avs(c, AV_EXACT);
}

/* Does nothing map the step's range in the operating process now? */
static bool range_is_gap(struct fc *c)
{
	const struct obs_proc *apr = obs_find_proc(c->a, c->st->proc);
	unsigned long x;

	for (x = c->st->r.first; x < c->st->r.end; x++)
		if (vma_at(apr, x))
			return false;
	return true;
}

/** fail_contract_check() - see failcheck.h. */
int fail_contract_check(const struct scenario *s, const struct scn_step *st,
			const struct obs_step *before,
			const struct obs_step *after,
			fc_report_fn report, void *arg)
{
	struct fc c = { s, st, before, after, report, arg, 0 };

	switch (st->op) {
	case SCN_OP_MMAP:
		/*
		 * MAP_FIXED over mappings: a failure while gathering them
		 * (the splits at the ends) leaves them mapped, the splits
		 * staying; a failure after __mmap_prepare() cleared their
		 * PTEs leaves a gap (6.18's vms_abort_munmap_vmas()).
		 */
		if (!(st->flags & MAP_FIXED))
			check_atomic(&c);
		else
			check_range(&c, range_is_gap(&c));
		break;
	case SCN_OP_PROC:
	case SCN_OP_BRK:
	case SCN_OP_FORK:
		check_atomic(&c);
		break;
	case SCN_OP_MREMAP:
		check_mremap(&c);
		break;
	case SCN_OP_MUNMAP:
	case SCN_OP_MPROTECT:
	case SCN_OP_MADVISE:
		check_range(&c, false);
		break;
	case SCN_OP_READ:
	case SCN_OP_WRITE:
		check_fault(&c);
		break;
	case SCN_OP_SWAPOUT:
	case SCN_OP_MIGRATE:
		check_folio_op(&c);
		break;
	default:
		/* The others cannot fail: the executor reports that. */
		break;
	}
	return c.n;
}

/*
 * An mremap move whose source could not be unmapped afterwards: the
 * kernel's move_vma() returns success and leaves the source VMA in
 * place, without page tables ("OOM: unable to split vma").
 */
static void absorbed_mremap(struct fc *c)
{
	const struct scn_step *st = c->st;
	unsigned long npages = c->s->pages, x;
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);
		int proc = bpr->proc;

		if (!apr)
			continue;
		cmp_pages(c, proc, bpr, apr, 0, npages, 0);
		if (proc != st->proc) {
			cmp_vmas_exact(c, proc, bpr, apr, true);
			continue;
		}
		/*
		 * The destination may also be left unmerged: a copy_vma()
		 * whose merge ran out of memory makes a VMA of its own, as
		 * the kernel's does, and that VMA keeps its own anon state.
		 */
		cmp_boundaries(c, proc, bpr, apr, &st->r, &st->r2);
		for (x = 0; x < npages;) {
			const struct obs_vma *bv = vma_at(bpr, x), *av = vma_at(apr, x);
			unsigned long y = next_edge(bpr, apr, &st->r, x, npages);
			bool in_src = x >= st->r.first && x < st->r.end;
			/* The clean run's VMA here took part in the merge. */
			bool in_dst = bv && bv->first < st->r2.end &&
				      bv->end > st->r2.first;

			if (!bv != !av) {
				if (!(in_src && av))
					fc_fail(c, "%s page @%lu is %smapped, %smapped without the failure",
						pname(c, proc), x, av ? "" : "not ",
						bv ? "" : "not ");
			} else if (bv && (!same_mapping_at(bv, av, x, true) ||
					  (!in_dst && bv->model.av != av->model.av))) {
				fc_fail(c, "%s page @%lu: another mapping than without the failure",
					pname(c, proc), x);
			}
			x = y;
		}
	}
	cmp_avs(c, AV_ACTIVE);
}

/*
 * An mmap whose merge with a neighbour ran out of memory: like the
 * kernel's __mmap_region(), the model then maps a VMA of its own, so
 * the range is mapped exactly as without the failure, only not merged.
 * Pages must be identical; only the boundaries at the range's edges
 * (and so the anon state that a merge would have shared) may differ.
 */
static void absorbed_merge(struct fc *c)
{
	int i;

	cmp_proc_sets(c);
	for (i = 0; i < c->b->nprocs; i++) {
		const struct obs_proc *bpr = &c->b->procs[i];
		const struct obs_proc *apr = obs_find_proc(c->a, bpr->proc);

		if (!apr)
			continue;
		cmp_pages(c, bpr->proc, bpr, apr, 0, c->s->pages, 0);
		if (bpr->proc != c->st->proc)
			cmp_vmas_exact(c, bpr->proc, bpr, apr, true);
		else
			cmp_boundaries(c, bpr->proc, bpr, apr, &c->st->r, NULL);
	}
}

/** fail_absorbed_check() - see failcheck.h. */
int fail_absorbed_check(const struct scenario *s, const struct scn_step *st,
			const struct obs_step *clean,
			const struct obs_step *after,
			fc_report_fn report, void *arg)
{
	struct fc c = { s, st, clean, after, report, arg, 0 };
	int i, obj, k;

	if (st->op == SCN_OP_MREMAP && (st->flags & MREMAP_FIXED)) {
		absorbed_mremap(&c);
		return c.n;
	}
	if (st->op == SCN_OP_MMAP) {
		absorbed_merge(&c);
		return c.n;
	}
	cmp_proc_sets(&c);
	for (i = 0; i < clean->nprocs; i++) {
		const struct obs_proc *bpr = &clean->procs[i];
		const struct obs_proc *apr = obs_find_proc(after, bpr->proc);

		if (!apr)
			continue;
		cmp_vmas_exact(&c, bpr->proc, bpr, apr, true);
		cmp_pages(&c, bpr->proc, bpr, apr, 0, s->pages, 0);
	}
	cmp_avs(&c, AV_EXACT);
	for (obj = 0; obj < NR_SCN_OBJECTS; obj++)
		for (k = 0; k < NR_OBS_SITES; k++)
			if (clean->obj[obj].alloc[k] != after->obj[obj].alloc[k] ||
			    clean->obj[obj].free[k] != after->obj[obj].free[k]) {
				fc_fail(&c, "%s allocations or frees differ from the run without the failure",
					obs_object_name((enum scn_object)obj));
				k = NR_OBS_SITES;
			}
	return c.n;
}
