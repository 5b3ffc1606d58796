/* SPDX-License-Identifier: MIT */
/*
 * Inside failcheck: the comparisons of two observations, piece by
 * piece (failcheck_cmp.c), that the per-operation contracts of
 * failcheck.c are made of.  Kept apart so that a contract reads as
 * its rule, not as the walk over pages and VMAs it needs.
 */
#ifndef SCN_FAILCHECK_INTERNAL_H
#define SCN_FAILCHECK_INTERNAL_H

#include <stdbool.h>

#include "failcheck.h"

/*
 * struct fc - one check: the step and its two observations (@b before
 * or without the failure, @a after it), where violations go, how many
 * there were; @gap selects the MAP_FIXED variant of the range contract.
 */
struct fc {
	const struct scenario *s;
	const struct scn_step *st;
	const struct obs_step *b, *a;
	fc_report_fn report;
	void *arg;
	int n;
	bool gap;
	unsigned long moved;	/* mremap: source pages before it moved */
};

/* Which differences a page comparison tolerates. */
#define PG_IGN_LABEL	0x1	/* folio labels may shift */
#define PG_IGN_MAPCOUNT	0x2
#define PG_IGN_WRITE	0x4	/* the PTE write bit may change */
#define PG_ALLOW_WP	0x8	/* excl and write bit may be cleared, not set */
#define PG_MAY_VANISH	0x10	/* the page may have been unmapped */

/* Rules for the anon_vma list. */
enum av_rule {
	AV_EXACT,	/* nothing changes */
	AV_ACTIVE,	/* only num_active_vmas may change (splits, merges) */
	AV_NEW,		/* and new roots may appear (anon_vma_prepare) */
	AV_UNMAP,	/* anon_vmas may go or change counts, none appears */
};

/**
 * fc_fail() - report one violation, unless too many were reported.
 * @c: the check.
 * @fmt: printf format of the message (no newline).
 */
void fc_fail(struct fc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * fc_pname() - the scenario's name of process @proc, for messages.
 * @c: the check.
 * @proc: the process index.
 * Return: the name, "?" for an index out of range.
 */
const char *fc_pname(const struct fc *c, int proc);

/**
 * fc_vma_at() - the VMA of @p that covers @page.
 * @p: one process's observation (may be NULL).
 * @page: a page number.
 * Return: the VMA, or NULL where nothing is mapped.
 */
const struct obs_vma *fc_vma_at(const struct obs_proc *p, unsigned long page);

/**
 * fc_same_mapping_at() - do @bv and @av map @page alike, as the kernel
 * would see it (shared, file, offset, pgoff and, with @prot_too, prot)?
 * @bv: the VMA before.
 * @av: the VMA after.
 * @page: a page both cover.
 * @prot_too: compare the protection as well.
 */
bool fc_same_mapping_at(const struct obs_vma *bv, const struct obs_vma *av,
			unsigned long page, bool prot_too);

/**
 * fc_cmp_pages() - compare the pages of [@first, @end) of one process.
 * @c: the check.
 * @proc: the process, for messages.
 * @bpr: its observation before (may be NULL).
 * @apr: after (may be NULL).
 * @first: the first page compared.
 * @end: the page after the last one.
 * @flags: the PG_* differences tolerated.
 */
void fc_cmp_pages(struct fc *c, int proc, const struct obs_proc *bpr,
		  const struct obs_proc *apr, unsigned long first,
		  unsigned long end, unsigned int flags);

/**
 * fc_moved_mapping_at() - does @av at @y map what @bv mapped at @x, as
 * a move keeps it (shared, file, file offset, prot; not the pgoff,
 * which an unfaulted anonymous VMA takes from its new address)?
 * @bv: the VMA before.
 * @x: a page it covers.
 * @av: the VMA after.
 * @y: a page it covers.
 */
bool fc_moved_mapping_at(const struct obs_vma *bv, unsigned long x,
			 const struct obs_vma *av, unsigned long y);

/**
 * fc_page_at() - the observed page @page of @p.
 * @p: one process's observation (may be NULL).
 * @page: a page number.
 * Return: the page, or NULL where its PTE is none.
 */
const struct obs_page *fc_page_at(const struct obs_proc *p, unsigned long page);

/**
 * fc_page_same() - do two pages (either may be NULL) hold the same state
 * but for the folio label, which moves with the page's address?
 * @bp: the page before.
 * @ap: the page after.
 */
bool fc_page_same(const struct obs_page *bp, const struct obs_page *ap);

/**
 * fc_check_mremap() - the contract of a failed mremap (failcheck_mremap.c).
 * @c: the check.
 */
void fc_check_mremap(struct fc *c);

/**
 * fc_absorbed_mremap() - an mremap move that absorbed its failure,
 * against the run without it (failcheck_mremap.c).
 * @c: the check, @c->b being the clean run's observation.
 */
void fc_absorbed_mremap(struct fc *c);

/*
 * The contracts of scn_ops[] (ops.h): what a step whose allocation
 * failed may leave, against the state before it (failcheck.c).
 * fc_contract_atomic() - nothing changes (mmap, brk, fork, `proc`).
 * fc_contract_mmap() - atomic, or a range operation with MAP_FIXED.
 * fc_contract_range() - only splits at the range's ends, merges.
 * fc_contract_madvise(), fc_contract_mlock() - a range operation, or
 *         a populate when the failure was in the populate.
 * fc_contract_fault() - an access stops at the page that failed.
 * fc_contract_folio() - swapout, migrate stop at the folio that failed.
 */
void fc_contract_atomic(struct fc *c);
void fc_contract_mmap(struct fc *c);
void fc_contract_range(struct fc *c);
void fc_contract_madvise(struct fc *c);
void fc_contract_mlock(struct fc *c);
void fc_contract_fault(struct fc *c);
void fc_contract_folio(struct fc *c);

/*
 * What a failure the step absorbed may leave, against the run without it
 * (@c->b), for scn_ops[]'s @absorbed hooks (failcheck.c).
 * fc_absorbed_exact() - nothing differs.
 * fc_absorbed_populate() - a populate that ignores its errors.
 * fc_absorbed_common() - populate or exact, by st->populates: the rule
 *         for an entry without a hook.
 * fc_absorbed_mmap() - a populate, or a merge that became a new VMA.
 * fc_absorbed_remap() - fc_absorbed_mremap() for a move, else common.
 */
void fc_absorbed_exact(struct fc *c);
void fc_absorbed_populate(struct fc *c);
void fc_absorbed_common(struct fc *c);
void fc_absorbed_mmap(struct fc *c);
void fc_absorbed_remap(struct fc *c);

/**
 * fc_cmp_vmas_exact() - the VMA lists of one process, field by field.
 * @c: the check.
 * @proc: the process, for messages.
 * @bpr: its observation before.
 * @apr: after.
 * @model_too: compare each VMA's anon_vma and chain as well.
 */
void fc_cmp_vmas_exact(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr, bool model_too);

/**
 * fc_cmp_proc_exact() - one process unchanged: its VMAs with their
 * anon state, and all its pages but for the differences in @flags.
 * @c, @proc, @bpr, @apr: as for fc_cmp_vmas_exact().
 * @flags: as for fc_cmp_pages().
 */
void fc_cmp_proc_exact(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr, unsigned int flags);

/**
 * fc_cmp_boundaries() - VMA boundaries outside [r->first, r->end] and
 * @r2 stay where they were.
 * @c, @proc, @bpr, @apr: as for fc_cmp_vmas_exact().
 * @r: the operation's range.
 * @r2: a second range that may change, or NULL.
 */
void fc_cmp_boundaries(struct fc *c, int proc, const struct obs_proc *bpr,
		       const struct obs_proc *apr, const struct scn_range *r,
		       const struct scn_range *r2);

/**
 * fc_next_edge() - the first VMA edge of either list, or edge of @r,
 * after page @x and before @y.
 * @bpr: one process before.
 * @apr: after.
 * @r: a range whose edges count too, or NULL.
 * @x: the page after which to look.
 * @y: the limit.
 * Return: that edge, or @y.
 */
unsigned long fc_next_edge(const struct obs_proc *bpr,
			   const struct obs_proc *apr,
			   const struct scn_range *r, unsigned long x,
			   unsigned long y);

/**
 * fc_cmp_avs() - the anon_vma lists of the two observations.
 * @c: the check.
 * @rule: which changes are allowed.
 */
void fc_cmp_avs(struct fc *c, enum av_rule rule);

/**
 * fc_cmp_objects() - a refused operation frees as many objects as it
 * allocates and leaves as many live.
 * @c: the check.
 * @avc_too: count anon_vma_chains as well.
 */
void fc_cmp_objects(struct fc *c, bool avc_too);

/** fc_proc_fn - compares one process present in both observations. */
typedef void (*fc_proc_fn)(struct fc *c, int proc, const struct obs_proc *bpr,
			   const struct obs_proc *apr);

/**
 * fc_each_proc() - check that both observations have the same
 * processes, then call @fn on each process with its two observations.
 * @c: the check.
 * @fn: the comparison of one process.
 */
void fc_each_proc(struct fc *c, fc_proc_fn fn);

/**
 * fc_seg_fn - compares one process at page @x: @bv and @av are the VMAs
 * covering it before and after (NULL where nothing is mapped), and
 * they stay the same up to the next edge; @bpr is the process before.
 */
typedef void (*fc_seg_fn)(struct fc *c, int proc, const struct obs_proc *bpr,
			  unsigned long x, const struct obs_vma *bv,
			  const struct obs_vma *av);

/**
 * fc_each_segment() - call @fn once for each run of pages of one
 * process over which neither VMA list nor the step's range (nor @r2)
 * has an edge: the VMAs' attributes are linear over such a run, so its
 * first page stands for all of it.
 * @c: the check.
 * @proc: the process, for messages.
 * @bpr: its observation before.
 * @apr: after.
 * @r2: a second range whose edges cut runs too, or NULL.
 * @fn: the comparison of one run.
 */
void fc_each_segment(struct fc *c, int proc, const struct obs_proc *bpr,
		     const struct obs_proc *apr, const struct scn_range *r2,
		     fc_seg_fn fn);

#endif
