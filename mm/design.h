/* SPDX-License-Identifier: MIT */
/*
 * mm/design.h - what each design of enum anonvma_design (system.h)
 * changes, as a few feature bits that the shared code tests at its
 * decision points.  Mainline sets none of them, so every test below is
 * false there and mainline's code reads as the kernel's.
 *
 * Where each bit is tested:
 *   DF_PRESERIES   rmap.c: anon_vma_clone(), anon_vma_fork(),
 *                  unlink_anon_vmas() take the 6.18 code paths;
 *   DF_REUSE_*     rmap.c: anon_vma_reusable(), the fork reuse rule;
 *   DF_AVC_LIST    rmap.c: where a chain is linked in its anon_vma;
 *                  rmap_folio.c: the walk; system.c: the constructor;
 *                  check_chains.c: the walk of the checker;
 *   DF_SINGLE      rmap.c: anon_vma_fork() joins the parent's anon_vma;
 *   DF_EAGER*      rmap.c: anon_vma_prepare_linked() and the fault-time
 *                  __anon_vma_prepare(); check_chains.c: I13.
 * docs/designs.md describes each design and its history.
 */
#ifndef MM_DESIGN_H
#define MM_DESIGN_H

#include "internal.h"

enum design_feature {
	DF_PRESERIES	= 1U << 0,	/* the 6.18 anon_vma_clone/fork code */
	DF_REUSE_DEGREE	= 1U << 1,	/* reuse if degree < 2, not src's own */
	DF_REUSE_NONE	= 1U << 2,	/* fork never adopts an anon_vma */
	DF_AVC_LIST	= 1U << 3,	/* an anon_vma's chains on a list */
	DF_SINGLE	= 1U << 4,	/* one anon_vma per fork family */
	DF_EAGER	= 1U << 5,	/* anon_vma at link time, not fault */
	DF_EAGER_RW	= 1U << 6,	/* ... only for private writable VMAs */
};

/* The feature bits of the design anonvma_init() selected. */
extern unsigned int anonvma_design_features;

/** design_has() - does the running design have any of the features @f? */
static inline bool design_has(unsigned int f)
{
	return anonvma_design_features & f;
}

/**
 * design_eager_for() - must a VMA with @flags have its anon_vma from the
 * moment it is linked?  Design eager: every VMA (seed 001 prepares in
 * vma_link() whatever the mapping).  Design eager-rw: private writable
 * ones only, the saving the same message suggests (shared and
 * read-only mappings rarely need one).
 */
static inline bool design_eager_for(vm_flags_t flags)
{
	if (!design_has(DF_EAGER))
		return false;
	if (!design_has(DF_EAGER_RW))
		return true;
	return (flags & (VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/**
 * anon_vma_prepare_linked() - the eager designs' hook: give @vma its
 * anon_vma now, when it is linked (mmap, brk, a fork's wiped copy), made
 * writable (eager-rw) or emptied while staying mapped (MREMAP_DONTUNMAP),
 * if design_eager_for(@flags).  A no-op returning 0 in every other
 * design and for a VMA that has one.
 * @vma:   the VMA; its mm is locked for write.
 * @flags: the flags @vma has, or is about to get (mprotect).
 *
 * Return: 0 or -ENOMEM (@vma unchanged).
 */
int anon_vma_prepare_linked(struct vm_area_struct *vma, vm_flags_t flags);

#endif
