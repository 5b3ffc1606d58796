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
 * enum anonvma_design - which kernel's rules the model follows.
 * @DESIGN_MAINLINE: the January 2026 clean-up series (spec §2).
 * @DESIGN_V6_18:    the host kernel 6.18: pre-series anon_vma_clone
 *                   (source walked tail to head, links made under the
 *                   lock, reuse tested inline) and anon_vma_fork that
 *                   allocates after cloning (spec §2.4 "pre-series").
 */
enum anonvma_design {
	DESIGN_MAINLINE,
	DESIGN_V6_18,
	NR_DESIGNS
};

extern enum anonvma_design anonvma_design;
const char *design_name(enum anonvma_design d);
/** design_parse() - the design named @name, or -1. */
int design_parse(const char *name);

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
