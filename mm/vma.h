/* SPDX-License-Identifier: MIT */
/*
 * mm/vma.h - VMA split, merge, expand and copy (the kernel's mm/vma.h),
 * shared by mmap.c, mprotect.c, madvise.c, mremap.c and fork.c.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include "internal.h"

enum vma_merge_state {
	VMA_MERGE_START,
	VMA_MERGE_ERROR_NOMEM,
	VMA_MERGE_NOMERGE,
	VMA_MERGE_SUCCESS,
};

/**
 * struct vma_merge_struct - a proposed range and its attributes, with
 * the neighbours it may merge into (spec §3.5).
 * @middle:      the existing VMA the range lies in (NULL for a new range).
 * @anon_vma:    the anon_vma of the range's anon state (middle's, or the
 *               mremap source's).
 * @copied_from: the mremap source of a copied range (Jan 2026 fix).
 * @just_expand: brk: only try to extend prev, never merge with next.
 */
struct vma_merge_struct {
	struct mm_struct *mm;
	struct vm_area_struct *prev;
	struct vm_area_struct *middle;
	struct vm_area_struct *next;
	struct vm_area_struct *target;
	unsigned long start;
	unsigned long end;
	unsigned long pgoff;
	vm_flags_t vm_flags;
	struct file *file;
	struct anon_vma *anon_vma;
	struct vm_area_struct *copied_from;
	bool just_expand;
	bool give_up_on_oom;
	enum vma_merge_state state;
	bool __remove_middle;
	bool __remove_next;
	bool __adjust_middle_start;
	bool __adjust_next_start;
};

static inline bool vmg_nomem(const struct vma_merge_struct *vmg)
{
	return vmg->state == VMA_MERGE_ERROR_NOMEM;
}

/**
 * vmg_init_vma_state() - describe [start, end) of an existing @vma
 * (VMG_VMA_STATE): its flags, file and anon_vma, pgoff of @start.
 */
void vmg_init_vma_state(struct vma_merge_struct *vmg,
			struct vm_area_struct *prev,
			struct vm_area_struct *vma, unsigned long start,
			unsigned long end);

int __split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below);
int split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below);
struct vm_area_struct *vma_merge_new_range(struct vma_merge_struct *vmg);
struct vm_area_struct *vma_merge_existing_range(struct vma_merge_struct *vmg);
int vma_expand(struct vma_merge_struct *vmg);
/**
 * vma_modify_flags() - give [start, end) of @vma the flags @vm_flags,
 * merging with a neighbour or splitting as needed (spec §3.6).
 * Returns the VMA that now covers exactly [start, end) (its flags are
 * the caller's to set), or NULL with *@err set.
 */
struct vm_area_struct *vma_modify_flags(struct vm_area_struct *prev,
					struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					vm_flags_t vm_flags, int *err);
/**
 * vma_set_flags_range() - vma_modify_flags() and then set the flags:
 * what madvise and mlock do to each VMA of their range.  *@prev becomes
 * the VMA now covering [start, end) (@vma itself when nothing changes).
 * Returns 0 or -ENOMEM (nothing changed but splits already made).
 */
int vma_set_flags_range(struct vm_area_struct **prev,
			struct vm_area_struct *vma, unsigned long start,
			unsigned long end, vm_flags_t vm_flags);
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *vma,
					unsigned long delta);
struct vm_area_struct *copy_vma(struct vm_area_struct **vmap,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, bool *need_rmap_locks);
/** vma_link() - insert a new @vma into @mm's index (may fail: -ENOMEM). */
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
/** remove_vma() - drop the file reference and free a detached VMA. */
void remove_vma(struct vm_area_struct *vma);
/**
 * do_vmi_munmap() - unmap [start, start + len) of @mm: split the edge
 * VMAs, detach, zap, unlink the anon_vmas, free (spec §3.8).
 */
int do_vmi_munmap(struct mm_struct *mm, unsigned long start, size_t len);
/** find_vma_intersection() - first VMA overlapping [start, end). */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end);

#endif
