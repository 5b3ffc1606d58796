/* SPDX-License-Identifier: MIT */
/*
 * What a failed mremap leaves (failcheck.h), after the kernel's
 * mm/mremap.c:
 *
 * - One VMA's move backs out: the source keeps its pages (maybe split
 *   at its ends), the destination D may have been unmapped (MREMAP_FIXED
 *   unmaps it first and nothing brings it back), and a VMA next to D may
 *   keep an anon_vma it adopted from the source before the move was
 *   undone.  A move that also shrinks unmaps the source's tail first
 *   (shrink_vma() in mremap_to()), which the failure does not undo
 *   either; that tail may span several VMAs.
 * - A move over several VMAs (6.17+, MREMAP_FIXED without a change of
 *   size) goes piece by piece, one piece per VMA of the range, and stops
 *   at the piece that failed: the pieces before it have moved (their
 *   pages are at the destination, their source is unmapped, or with
 *   MREMAP_DONTUNMAP left without pages), that piece backs out as one
 *   VMA's move does, and the pieces after it are untouched.  Moving
 *   pages renumbers the folio labels, so once anything moved, pages are
 *   compared without them.
 */
#include <sys/mman.h>

#include "failcheck_internal.h"

/* The destination that may have been unmapped: all of it, for now. */
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

/* The source's tail that a shrinking move unmaps before it moves. */
static void mremap_tail(const struct scn_step *st, struct scn_range *t)
{
	unsigned long new_len = st->flags & MREMAP_FIXED ?
				scn_range_pages(&st->r2) : st->npages;

	t->first = st->r.first + new_len < st->r.end ?
		   st->r.first + new_len : st->r.end;
	t->end = st->r.end;
}

/* May page @x have been unmapped by the failed call? */
static bool may_vanish(const struct scn_step *st, unsigned long x)
{
	struct scn_range d, t;

	mremap_dest(st, &d);
	mremap_tail(st, &t);
	return (x >= d.first && x < d.end) || (x >= t.first && x < t.end);
}

/* How far, in pages, a pure move carries each page of its source. */
static long move_shift(const struct scn_step *st)
{
	return (long)st->r2.first - (long)st->r.first;
}

/*
 * Did the piece [@first, @end) of the before-VMA @bv move whole?  Every
 * page is at its destination as it was, mapped alike; the source is
 * unmapped, or with MREMAP_DONTUNMAP still mapped without pages.
 */
static bool piece_moved(struct fc *c, const struct obs_proc *bpr,
			const struct obs_proc *apr, const struct obs_vma *bv,
			unsigned long first, unsigned long end)
{
	bool keep = c->st->flags & MREMAP_DONTUNMAP;
	long shift = move_shift(c->st);
	unsigned long x;

	for (x = first; x < end; x++) {
		unsigned long y = (unsigned long)((long)x + shift);
		const struct obs_vma *dv = fc_vma_at(apr, y);
		const struct obs_vma *sv = fc_vma_at(apr, x);

		if (!dv || !fc_moved_mapping_at(bv, x, dv, y) ||
		    !fc_page_same(fc_page_at(bpr, x), fc_page_at(apr, y)))
			return false;
		if (keep ? !sv || fc_page_at(apr, x) : sv != NULL)
			return false;
	}
	return true;
}

/*
 * The source page up to which a failed multi-VMA move went: the first
 * piece, in address order, that did not move whole starts there (the
 * range's start when nothing moved).
 */
static unsigned long moved_until(struct fc *c, const struct obs_proc *bpr,
				 const struct obs_proc *apr)
{
	const struct scn_step *st = c->st;
	int i;

	if (!bpr || !apr || !(st->flags & MREMAP_FIXED) ||
	    scn_range_pages(&st->r) != scn_range_pages(&st->r2))
		return st->r.first;
	for (i = 0; i < bpr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i];
		unsigned long first = bv->first > st->r.first ? bv->first : st->r.first;
		unsigned long end = bv->end < st->r.end ? bv->end : st->r.end;

		if (first >= end)
			continue;
		if (!piece_moved(c, bpr, apr, bv, first, end))
			return first;
	}
	return st->r.end;
}

/* Is page @x in the moved part of the source or of the destination? */
static bool in_moved(const struct fc *c, unsigned long x)
{
	const struct scn_step *st = c->st;
	long shift = move_shift(st);

	if (c->moved == st->r.first)
		return false;
	return (x >= st->r.first && x < c->moved) ||
	       (x >= st->r2.first &&
		x < (unsigned long)((long)c->moved + shift));
}

static void mremap_segment(struct fc *c, int proc, const struct obs_proc *bpr,
			   unsigned long x, const struct obs_vma *bv,
			   const struct obs_vma *av)
{
	struct scn_range d;

	if (in_moved(c, x))
		return;		/* piece_moved() has seen it */
	mremap_dest(c->st, &d);
	if (!bv != !av) {
		if (!(may_vanish(c->st, x) && bv))
			fc_fail(c, "%s page @%lu was %smapped, is %smapped",
				fc_pname(c, proc), x, bv ? "" : "not ",
				av ? "" : "not ");
	} else if (bv) {
		bool near_d = av->end >= d.first && av->first <= d.end;

		if (!fc_same_mapping_at(bv, av, x, true))
			fc_fail(c, "%s page @%lu: its mapping changed",
				fc_pname(c, proc), x);
		else if (bv->model.av != av->model.av &&
			 (bv->model.av || !near_d))
			fc_fail(c, "%s page @%lu: the VMA's anon_vma changed from %d to %d",
				fc_pname(c, proc), x, bv->model.av,
				av->model.av);
	}
}

/*
 * The pages of the acting process outside what moved: as before, but
 * that the rest of the destination and a shrunk tail may have lost
 * their pages, and the folio labels once anything moved.
 */
static void mremap_pages(struct fc *c, int proc, const struct obs_proc *bpr,
			 const struct obs_proc *apr)
{
	unsigned int pf = c->moved != c->st->r.first ? PG_IGN_LABEL : 0;
	unsigned long x, npages = c->s->pages;

	for (x = 0; x < npages; x++) {
		if (in_moved(c, x))
			continue;
		fc_cmp_pages(c, proc, bpr, apr, x, x + 1,
			     may_vanish(c->st, x) ? pf | PG_MAY_VANISH : pf);
	}
}

static void mremap_proc(struct fc *c, int proc, const struct obs_proc *bpr,
			const struct obs_proc *apr)
{
	struct scn_range d;

	if (proc != c->st->proc) {
		fc_cmp_proc_exact(c, proc, bpr, apr,
				  c->moved != c->st->r.first ? PG_IGN_LABEL : 0);
		return;
	}
	mremap_dest(c->st, &d);
	fc_cmp_boundaries(c, proc, bpr, apr, &c->st->r, &d);
	fc_each_segment(c, proc, bpr, apr, &d, mremap_segment);
	mremap_pages(c, proc, bpr, apr);
}

/** fc_check_mremap() - see failcheck_internal.h. */
void fc_check_mremap(struct fc *c)
{
	c->moved = moved_until(c, obs_find_proc(c->b, c->st->proc),
			       obs_find_proc(c->a, c->st->proc));
	fc_each_proc(c, mremap_proc);
	fc_cmp_avs(c, AV_UNMAP);
}

/*
 * An mremap move whose source could not be unmapped afterwards: the
 * kernel's move_vma() returns success and leaves the source VMA in
 * place, without page tables ("OOM: unable to split vma").  Or one
 * whose merge at the destination ran out of memory and made a VMA of
 * its own: that VMA keeps its own anon state, and in a move over
 * several VMAs a later piece that would have adopted it through the
 * merge stays unfaulted, so it takes the pgoff of its new address
 * (mremap-multi-merge-source.scn): at the destination only the pgoff
 * and the anon state may differ.
 */
static void absorbed_mremap_segment(struct fc *c, int proc,
				    const struct obs_proc *bpr, unsigned long x,
				    const struct obs_vma *bv,
				    const struct obs_vma *av)
{
	const struct scn_step *st = c->st;
	bool in_src = x >= st->r.first && x < st->r.end;
	/* The clean run's VMA here took part in the merge. */
	bool in_dst = bv && bv->first < st->r2.end && bv->end > st->r2.first;

	if (!bv != !av) {
		if (!(in_src && av))
			fc_fail(c, "%s page @%lu is %smapped, %smapped without the failure",
				fc_pname(c, proc), x, av ? "" : "not ",
				bv ? "" : "not ");
	} else if (bv && (in_dst ? !fc_moved_mapping_at(bv, x, av, x) :
			  !fc_same_mapping_at(bv, av, x, true) ||
			  bv->model.av != av->model.av)) {
		fc_fail(c, "%s page @%lu: another mapping than without the failure",
			fc_pname(c, proc), x);
	}
}

static void absorbed_mremap_proc(struct fc *c, int proc,
				 const struct obs_proc *bpr,
				 const struct obs_proc *apr)
{
	fc_cmp_pages(c, proc, bpr, apr, 0, c->s->pages, 0);
	if (proc != c->st->proc) {
		fc_cmp_vmas_exact(c, proc, bpr, apr, true);
		return;
	}
	/*
	 * The destination may also be left unmerged: a copy_vma()
	 * whose merge ran out of memory makes a VMA of its own, as
	 * the kernel's does, and that VMA keeps its own anon state.
	 */
	fc_cmp_boundaries(c, proc, bpr, apr, &c->st->r, &c->st->r2);
	fc_each_segment(c, proc, bpr, apr, NULL, absorbed_mremap_segment);
}

/** fc_absorbed_mremap() - see failcheck_internal.h. */
void fc_absorbed_mremap(struct fc *c)
{
	fc_each_proc(c, absorbed_mremap_proc);
	fc_cmp_avs(c, AV_ACTIVE);
}
