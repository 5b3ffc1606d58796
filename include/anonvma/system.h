/* SPDX-License-Identifier: MIT */
/*
 * The model as a whole: its caches, its registry of address spaces and
 * the one switch that selects a design variant.
 */
#ifndef ANONVMA_SYSTEM_H
#define ANONVMA_SYSTEM_H

#include <stdio.h>

#include "mm_types.h"
#include "slab.h"

/**
 * enum anonvma_design - which kernel's (or proposal's) rules the model
 * follows; one switch, chosen at anonvma_init().  docs/designs.md tells
 * the history of each and what it changes.
 * @DESIGN_MAINLINE: the January 2026 clean-up series (spec §2).
 * @DESIGN_V6_18:    the host kernel 6.18: pre-series anon_vma_clone
 *                   (source walked tail to head, links made under the
 *                   lock, reuse tested inline) and anon_vma_fork that
 *                   allocates after cloning (spec §2.4 "pre-series").
 * @DESIGN_DEGREE:   3.19-5.19: the v6.18 code with the single `degree`
 *                   counter's reuse rule, `degree < 2` and not the
 *                   source's own anon_vma (spec §2.5; CVE-2022-42703,
 *                   §6.4, is reachable).
 * @DESIGN_NOREUSE:  2.6.34-3.18: anon_vma chains without fork-time
 *                   reuse; a fork+exit loop grows one anon_vma per
 *                   generation (spec §6.10).
 * @DESIGN_LIST:     2.6.34-3.6 storage: each anon_vma keeps its chains
 *                   on a plain list, not an interval tree, so an rmap
 *                   walk visits every chain of the folio's anon_vma.
 *                   Everything else is mainline.
 * @DESIGN_SINGLE:   2.6.7-2.6.33: one anon_vma per fork family, no
 *                   hierarchy; fork links the child's VMA into the
 *                   parent's anon_vma and a walk visits every VMA of
 *                   the family (spec §6.1 "Background").
 * @DESIGN_EAGER:    Linus's April 2010 proposal (seed 001): a VMA gets
 *                   its anon_vma when it is linked (mmap, brk, a fresh
 *                   copy), never at fault time.
 * @DESIGN_EAGER_RW: the variant the same message suggests: shared and
 *                   read-only mappings are skipped, and get their
 *                   anon_vma when mprotect makes them writable.
 */
enum anonvma_design {
	DESIGN_MAINLINE,
	DESIGN_V6_18,
	DESIGN_DEGREE,
	DESIGN_NOREUSE,
	DESIGN_LIST,
	DESIGN_SINGLE,
	DESIGN_EAGER,
	DESIGN_EAGER_RW,
	NR_DESIGNS
};

extern enum anonvma_design anonvma_design;
/** design_name() - the name of @d as design_parse() accepts it ("v6.18"). */
const char *design_name(enum anonvma_design d);
/** design_parse() - the design named @name, or -1. */
int design_parse(const char *name);
/** design_summary() - one line saying what design @d is (for help texts). */
const char *design_summary(enum anonvma_design d);
/**
 * design_anon_vma_bytes() - bytes one anon_vma costs in design @d's
 * kernel layout (the model's struct, less what that design did without:
 * degree had one counter, not two; single's 2.6.7 anon_vma was a lock
 * and a list head).  For memory tables; 0 for an invalid @d.
 */
size_t design_anon_vma_bytes(enum anonvma_design d);
/**
 * design_link_bytes() - bytes one VMA-to-anon_vma link costs in design
 * @d: an anon_vma_chain with its interval-tree node; design list's chain
 * had a list node instead; design single had no chain object, only a
 * list node inside the vm_area_struct (the model allocates an
 * anon_vma_chain to stand for it).  0 for an invalid @d.
 */
size_t design_link_bytes(enum anonvma_design d);

/**
 * enum anonvma_bug - historical bugs the model can re-introduce, one
 * switch each, so that a test can prove the checkers catch them.
 * @BUG_CLONE_NO_UNLOCK:  anon_vma_clone() allocates under the root lock
 *                        and its failure path returns with the lock
 *                        still held (the seeds' review, spec §6.8).
 * @BUG_DUP_STALE_ANON_VMA: dup_anon_vma() leaves the copied anon_vma
 *                        pointer on the target when the clone fails
 *                        (spec §6.7).
 * @BUG_MERGE_NO_COPIED_FROM: a merge of an mremap-copied range ignores
 *                        the source's anon state (the 6.16-6.18 bug
 *                        fixed in January 2026, spec §6.6).
 * @BUG_PUT_ROOT_FIRST:   __put_anon_vma() drops the root's reference
 *                        before freeing the child (pre-2014, spec §6.2).
 * @BUG_TAG_CHILD_NONEXCL: a new non-exclusive folio is tagged with the
 *                        VMA's own anon_vma, not the root (pre-2010,
 *                        spec §6.1).
 */
enum anonvma_bug {
	BUG_CLONE_NO_UNLOCK,
	BUG_DUP_STALE_ANON_VMA,
	BUG_MERGE_NO_COPIED_FROM,
	BUG_PUT_ROOT_FIRST,
	BUG_TAG_CHILD_NONEXCL,
	NR_BUGS
};

/* The switched-on bugs, a bit per enum anonvma_bug; 0 normally. */
extern unsigned long anonvma_bugs;
const char *bug_name(enum anonvma_bug b);
/** bug_parse() - the bug switch named @name (e.g. "clone-no-unlock"), or -1. */
int bug_parse(const char *name);

static inline bool bug_enabled(enum anonvma_bug b)
{
	return anonvma_bugs & (1UL << b);
}

/* The caches (the kernel's *_cachep globals). */
extern struct kmem_cache *anon_vma_cachep;
extern struct kmem_cache *anon_vma_chain_cachep;
extern struct kmem_cache *vm_area_cachep;
extern struct kmem_cache *folio_cachep;
extern struct kmem_cache *pgtable_cachep;
extern struct kmem_cache *mm_cachep;
/*
 * Placeholders for the allocations the model makes outside the caches
 * (nothing is ever allocated from them): each is passed to
 * should_failslab() so that fault injection sees, counts and can fail
 * those allocations too.  maple_node_cachep: the VMA index's room for
 * new entries (the kernel's maple-tree preallocation); swap_slot_cachep:
 * a swap slot and its swap-cache entry; filp_cachep: a file (shared
 * anonymous memory's shmem file).
 */
extern struct kmem_cache *maple_node_cachep;
extern struct kmem_cache *swap_slot_cachep;
extern struct kmem_cache *filp_cachep;

/**
 * anonvma_init() - set up the caches and registries for @design.
 * Must be called once before anything else; anonvma_exit() undoes it.
 */
int anonvma_init(enum anonvma_design design);
/**
 * anonvma_exit() - tear everything down.  Returns the number of objects
 * still live in any cache (leaks), after reporting them to @leaks_out
 * when not NULL.
 */
unsigned long anonvma_exit(FILE *leaks_out);

/* Registry of live mms, for the invariant checker and observers. */
void mm_registry_add(struct mm_struct *mm);
void mm_registry_del(struct mm_struct *mm);
void mm_registry_lock(void);
void mm_registry_unlock(void);
/** for_each_mm() - iterate the registry (hold mm_registry_lock()). */
extern struct list_head mm_registry;
#define for_each_mm(mm) list_for_each_entry(mm, &mm_registry, mmlist)

#endif
