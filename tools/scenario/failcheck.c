/* SPDX-License-Identifier: MIT */
/*
 * The state an operation leaves when one of its allocations fails,
 * against the state before it (failcheck.h).  The rules are the
 * kernel's, operation by operation:
 *
 * - mmap, brk, fork and exec (`proc`) change nothing that can
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
 * - mremap: failcheck_mremap.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/mm_types.h>

#include "failcheck_internal.h"
#include "ops.h"

/** fail_result_expected() - see failcheck.h. */
int fail_result_expected(const struct scn_step *st)
{
	int res = scn_op(st->op)->fail_res[st->populates ? 1 : 0];

	return res ? res : ENOMEM;
}

/** fail_result_allowed() - see failcheck.h. */
bool fail_result_allowed(const struct scn_step *st, int result)
{
	int also = scn_op(st->op)->fail_also;

	if (also && result == also)
		return true;
	return result == fail_result_expected(st);
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

	if (lo >= hi || !scn_op_has(st, SCN_OPF_FC_MERGES))
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

/* munmap, mprotect, madvise, mmap: the acting process's VMAs (file comment). */
static void range_segment(struct fc *c, int proc, const struct obs_proc *bpr,
			  unsigned long x, const struct obs_vma *bv,
			  const struct obs_vma *av)
{
	const struct scn_step *st = c->st;
	bool inside = x >= st->r.first && x < st->r.end;

	if (!bv != !av) {
		fc_fail(c, "%s page @%lu was %smapped, is %smapped",
			fc_pname(c, proc), x, bv ? "" : "not ",
			av ? "" : "not ");
	} else if (bv) {
		bool prot_ok = bv->prot == av->prot ||
			       (inside && st->op == SCN_OP_MPROTECT &&
				av->prot == st->prot);

		if (!fc_same_mapping_at(bv, av, x, false) || !prot_ok)
			fc_fail(c, "%s page @%lu: its mapping changed",
				fc_pname(c, proc), x);
		else if (bv->model.av != av->model.av &&
			 (bv->model.av || !may_gain_av(c, bpr, av)))
			fc_fail(c, "%s page @%lu: the VMA's anon_vma changed from %d to %d",
				fc_pname(c, proc), x, bv->model.av,
				av->model.av);
		else if (bv->model.av && bv->model.av == av->model.av &&
			 bv->model.chain != av->model.chain)
			fc_fail(c, "%s page @%lu: the VMA's chain changed from %lu to %lu",
				fc_pname(c, proc), x, bv->model.chain,
				av->model.chain);
	}
}

/* mmap, brk, fork, exec: nothing changed but what a failed fork leaves. */
static void atomic_proc(struct fc *c, int proc, const struct obs_proc *bpr,
			const struct obs_proc *apr)
{
	unsigned int flags = 0;

	if (c->st->op == SCN_OP_FORK && proc == c->st->proc)
		flags = PG_ALLOW_WP;
	fc_cmp_proc_exact(c, proc, bpr, apr, flags);
}

/** fc_contract_atomic() - see failcheck_internal.h. */
void fc_contract_atomic(struct fc *c)
{
	fc_each_proc(c, atomic_proc);
	fc_cmp_avs(c, AV_EXACT);
	fc_cmp_objects(c, true);
}

/*
 * A failed operation on the range st->r: outside it nothing changed.
 * Inside it nothing changed either, except splits at its ends; or,
 * with c->gap (a MAP_FIXED whose old VMAs were torn down before the
 * failure), nothing is mapped there any more.  Folio labels are given
 * afresh at each step and mapcounts of pages shared with an unmapped
 * range drop, so a gap compares the rest of each page's state.
 */
static void range_proc(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr)
{
	const struct scn_step *st = c->st;
	unsigned int pf = c->gap ? PG_IGN_LABEL | PG_IGN_MAPCOUNT : 0;

	if (proc != st->proc) {
		fc_cmp_proc_exact(c, proc, bpr, apr, pf);
		return;
	}
	fc_cmp_boundaries(c, proc, bpr, apr, &st->r, NULL);
	if (!c->gap)
		fc_each_segment(c, proc, bpr, apr, NULL, range_segment);
	fc_cmp_pages(c, proc, bpr, apr, 0, st->r.first, pf);
	if (!c->gap)
		fc_cmp_pages(c, proc, bpr, apr, st->r.first, st->r.end,
			     st->op == SCN_OP_MPROTECT ? PG_IGN_WRITE : 0);
	fc_cmp_pages(c, proc, bpr, apr, st->r.end, c->s->pages, pf);
}

/* check_range() - range_proc() for each process, with @gap. */
static void check_range(struct fc *c, bool gap)
{
	c->gap = gap;
	fc_each_proc(c, range_proc);
	if (gap)
		return;
	fc_cmp_avs(c, AV_ACTIVE);
	fc_cmp_objects(c, false);
}

/* read/write: the VMAs; the faulted VMA may have kept a new anon_vma. */
static void check_fault_vmas(struct fc *c, int proc, const struct obs_proc *bpr,
			     const struct obs_proc *apr, unsigned long fpage)
{
	int i;

	fc_cmp_vmas_exact(c, proc, bpr, apr, false);
	for (i = 0; i < bpr->nvmas && i < apr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i], *av = &apr->vmas[i];
		bool touched = bv->first <= fpage && bv->end > c->st->r.first;

		if (bv->model.av == av->model.av &&
		    (!bv->model.av || bv->model.chain == av->model.chain))
			continue;
		if (!bv->model.av && touched)
			continue;
		fc_fail(c, "%s VMA @%lu:%lu: anon_vma %d chain %lu became anon_vma %d chain %lu",
			fc_pname(c, proc), bv->first, bv->end, bv->model.av,
			bv->model.chain, av->model.av, av->model.chain);
	}
}

/*
 * grown_stacks() - @bpr's VMAs, but with each stack (VM_GROWSDOWN) that
 * @apr shows grown down to at most page @f starting where it starts in
 * @apr: a fault below a stack grows it before it faults, and the growth
 * stays when the fault then fails, as in the kernel (expand_stack()).
 * Returns a malloc'ed copy, or NULL when nothing grew (or no memory).
 */
static struct obs_vma *grown_stacks(const struct obs_proc *bpr,
				    const struct obs_proc *apr, unsigned long f)
{
	struct obs_vma *v = NULL;
	int i;

	for (i = 0; bpr && apr && i < bpr->nvmas && i < apr->nvmas; i++) {
		const struct obs_vma *bv = &bpr->vmas[i], *av = &apr->vmas[i];

		if (!(bv->flags & VM_GROWSDOWN) || av->end != bv->end ||
		    av->first >= bv->first || av->first < f)
			continue;
		if (!v) {
			v = malloc((size_t)bpr->nvmas * sizeof(*v));
			if (!v)
				return NULL;
			memcpy(v, bpr->vmas, (size_t)bpr->nvmas * sizeof(*v));
		}
		v[i].first = av->first;
		v[i].model.pgoff = av->model.pgoff;	/* moves with the start */
	}
	return v;
}

static void fault_proc(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr)
{
	const struct scn_step *st = c->st;
	unsigned long f = st->r.first + c->a->done;
	unsigned int loose = PG_IGN_LABEL | PG_IGN_MAPCOUNT;
	struct obs_proc grown;
	struct obs_vma *v;

	if (proc != st->proc) {
		fc_cmp_proc_exact(c, proc, bpr, apr, loose);
		return;
	}
	v = grown_stacks(bpr, apr, f);
	if (v) {
		grown = *bpr;
		grown.vmas = v;
		check_fault_vmas(c, proc, &grown, apr, f);
		free(v);
	} else {
		check_fault_vmas(c, proc, bpr, apr, f);
	}
	/* Pages [r.first, f) were faulted by this operation. */
	fc_cmp_pages(c, proc, bpr, apr, 0, st->r.first, loose);
	fc_cmp_pages(c, proc, bpr, apr, f, f + 1, PG_IGN_LABEL);
	fc_cmp_pages(c, proc, bpr, apr, f + 1, c->s->pages, loose);
}

/** fc_contract_fault() - see failcheck_internal.h. */
void fc_contract_fault(struct fc *c)
{
	fc_each_proc(c, fault_proc);
	fc_cmp_avs(c, AV_NEW);
}

static void folio_op_proc(struct fc *c, int proc, const struct obs_proc *bpr,
			  const struct obs_proc *apr)
{
	unsigned long f = c->st->r.first + c->a->done;

	fc_cmp_vmas_exact(c, proc, bpr, apr, true);
	if (proc == c->st->proc)
		fc_cmp_pages(c, proc, bpr, apr, f, f + 1, PG_IGN_LABEL);
}

/** fc_contract_folio() - see failcheck_internal.h. */
void fc_contract_folio(struct fc *c)
{
	fc_each_proc(c, folio_op_proc);
	fc_cmp_avs(c, AV_EXACT);
}

/*
 * The pages an operation faults in on the process's behalf (populate):
 * when an allocation fails, some part of the range was faulted and the
 * rest not, each page either as before or as after its fault, which
 * the invariant checker vouches for.  Everything else is unchanged:
 * the acting process's VMAs outside the range and its pages outside
 * it, and the other processes entirely (but for the mapcounts and
 * folio labels a copy-on-write break in the acting process changes).
 */
static void populate_proc(struct fc *c, int proc, const struct obs_proc *bpr,
			  const struct obs_proc *apr)
{
	unsigned int loose = PG_IGN_LABEL | PG_IGN_MAPCOUNT;
	struct scn_range r = c->st->r;

	if (c->st->op == SCN_OP_MLOCKALL || c->st->op == SCN_OP_MUNLOCKALL) {
		r.first = 0;
		r.end = c->s->pages;
	} else if (c->st->op == SCN_OP_MREMAP && !(c->st->flags & MREMAP_FIXED)) {
		r.end = r.first + c->st->npages;	/* the grown part */
	}
	if (proc != c->st->proc) {
		fc_cmp_proc_exact(c, proc, bpr, apr, loose);
		return;
	}
	fc_cmp_boundaries(c, proc, bpr, apr, &r, NULL);
	fc_cmp_pages(c, proc, bpr, apr, 0, r.first, loose);
	fc_cmp_pages(c, proc, bpr, apr, r.end, c->s->pages, loose);
}

static void check_populate(struct fc *c)
{
	fc_each_proc(c, populate_proc);
	fc_cmp_avs(c, AV_NEW);
}

/* Does nothing map the step's range in the operating process now? */
static bool range_is_gap(struct fc *c)
{
	const struct obs_proc *apr = obs_find_proc(c->a, c->st->proc);
	unsigned long x;

	for (x = c->st->r.first; x < c->st->r.end; x++)
		if (fc_vma_at(apr, x))
			return false;
	return true;
}

/** fc_contract_mmap() - see failcheck_internal.h. */
void fc_contract_mmap(struct fc *c)
{
	/*
	 * MAP_FIXED over mappings: a failure while gathering them (the
	 * splits at the ends) leaves them mapped, the splits staying; a
	 * failure after __mmap_prepare() cleared their PTEs leaves a gap
	 * (6.18's vms_abort_munmap_vmas()).
	 */
	if (!(c->st->flags & MAP_FIXED))
		fc_contract_atomic(c);
	else
		check_range(c, range_is_gap(c));
}

/** fc_contract_range() - see failcheck_internal.h. */
void fc_contract_range(struct fc *c)
{
	check_range(c, false);
}

/** fc_contract_madvise() - see failcheck_internal.h. */
void fc_contract_madvise(struct fc *c)
{
	/* MADV_POPULATE_*: the populate fails, not the flags' change. */
	if (c->st->populates)
		check_populate(c);
	else
		check_range(c, false);
}

/** fc_contract_mlock() - see failcheck_internal.h. */
void fc_contract_mlock(struct fc *c)
{
	/* EAGAIN: the populate after the flags' change ran out of memory. */
	if (c->st->populates && c->a->result == EAGAIN)
		check_populate(c);
	else
		check_range(c, false);
}

/** fail_contract_check() - see failcheck.h. */
int fail_contract_check(const struct scenario *s, const struct scn_step *st,
			const struct obs_step *before,
			const struct obs_step *after,
			fc_report_fn report, void *arg)
{
	struct fc c = { s, st, before, after, report, arg, 0, false, 0 };
	const struct scn_op_desc *d = scn_op(st->op);

	/* Those without a contract cannot fail: the executor reports that. */
	if (d->contract)
		d->contract(&c);
	return c.n;
}

/*
 * An mmap whose merge with a neighbour ran out of memory: like the
 * kernel's __mmap_region(), the model then maps a VMA of its own, so
 * the range is mapped exactly as without the failure, only not merged.
 * Pages must be identical; only the boundaries at the range's edges
 * (and so the anon state that a merge would have shared) may differ.
 */
static void absorbed_merge_proc(struct fc *c, int proc,
				const struct obs_proc *bpr,
				const struct obs_proc *apr)
{
	fc_cmp_pages(c, proc, bpr, apr, 0, c->s->pages, 0);
	if (proc != c->st->proc)
		fc_cmp_vmas_exact(c, proc, bpr, apr, true);
	else
		fc_cmp_boundaries(c, proc, bpr, apr, &c->st->r, NULL);
}

static void absorbed_exact_proc(struct fc *c, int proc,
				const struct obs_proc *bpr,
				const struct obs_proc *apr)
{
	fc_cmp_proc_exact(c, proc, bpr, apr, 0);
}

/** fc_absorbed_exact() - see failcheck_internal.h. */
void fc_absorbed_exact(struct fc *c)
{
	const struct obs_step *clean = c->b, *after = c->a;
	int obj, k;

	fc_each_proc(c, absorbed_exact_proc);
	fc_cmp_avs(c, AV_EXACT);
	for (obj = 0; obj < NR_SCN_OBJECTS; obj++)
		for (k = 0; k < NR_OBS_SITES; k++)
			if (clean->obj[obj].alloc[k] != after->obj[obj].alloc[k] ||
			    clean->obj[obj].free[k] != after->obj[obj].free[k]) {
				fc_fail(c, "%s allocations or frees differ from the run without the failure",
					obs_object_name((enum scn_object)obj));
				k = NR_OBS_SITES;
			}
}

/*
 * fc_absorbed_populate() - see failcheck_internal.h.  A populate ignores
 * its errors (mmap, mlockall): fewer pages may be faulted than without
 * the failure, and so fewer anon_vmas prepared; mlockall also skips a
 * VMA it could not split or merge.
 */
void fc_absorbed_populate(struct fc *c)
{
	fc_each_proc(c, populate_proc);
}

/** fc_absorbed_common() - see failcheck_internal.h. */
void fc_absorbed_common(struct fc *c)
{
	if (c->st->populates)
		fc_absorbed_populate(c);
	else
		fc_absorbed_exact(c);
}

/** fc_absorbed_mmap() - see failcheck_internal.h. */
void fc_absorbed_mmap(struct fc *c)
{
	if (c->st->populates)
		fc_absorbed_populate(c);
	else
		fc_each_proc(c, absorbed_merge_proc);
}

/** fc_absorbed_remap() - see failcheck_internal.h. */
void fc_absorbed_remap(struct fc *c)
{
	if (c->st->flags & MREMAP_FIXED)
		fc_absorbed_mremap(c);
	else
		fc_absorbed_common(c);
}

/** fail_absorbed_check() - see failcheck.h. */
int fail_absorbed_check(const struct scenario *s, const struct scn_step *st,
			const struct obs_step *clean,
			const struct obs_step *after,
			fc_report_fn report, void *arg)
{
	struct fc c = { s, st, clean, after, report, arg, 0, false, 0 };
	const struct scn_op_desc *d = scn_op(st->op);

	/* A result of the operation's own, such as a hole's ENOMEM. */
	if (clean->result != after->result)
		fc_fail(&c, "returned %s, without the failure %s",
			scn_result_name(after->result),
			scn_result_name(clean->result));
	if (d->absorbed)
		d->absorbed(&c);
	else
		fc_absorbed_common(&c);
	return c.n;
}
