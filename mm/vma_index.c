/* SPDX-License-Identifier: MIT */
/*
 * mm/vma_index.c - an mm's VMAs in address order, and VMA objects.
 *
 * The kernel keeps VMAs in a maple tree.  The model keeps a sorted
 * array of VMA pointers: lookups are binary searches, neighbours are
 * the adjacent slots, fork copies it in one go (like __mt_dup).  As with
 * the maple tree, room must be reserved before an operation starts
 * changing VMAs (vma_index_prealloc()), after which inserting cannot
 * fail.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static unsigned long vma_serial;

/** vm_area_alloc() - a zeroed, detached VMA of @mm with an empty chain. */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kmem_cache_alloc(vm_area_cachep, SITE_VMA);

	if (!vma)
		return NULL;
	memset(vma, 0, sizeof(*vma));
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	vma->vm_lock_seq = ~0u;
	vma->detached = true;
	vma->serial = __atomic_add_fetch(&vma_serial, 1, __ATOMIC_RELAXED);
	return vma;
}

/**
 * vm_area_dup() - a copy of @orig: every field, including the anon_vma
 * pointer, but an empty chain and detached (spec §3.4 step 2).  The
 * file reference is the caller's to take.
 */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = kmem_cache_alloc(vm_area_cachep, SITE_VMA);

	if (!vma)
		return NULL;
	*vma = *orig;
	vma->anon_vma = READ_ONCE(orig->anon_vma);
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	vma->vm_lock_seq = ~0u;
	vma->detached = true;
	vma->serial = __atomic_add_fetch(&vma_serial, 1, __ATOMIC_RELAXED);
	return vma;
}

/** vm_area_free() - free a detached VMA whose chain is empty. */
void vm_area_free(struct vm_area_struct *vma)
{
	WARN_ON(!list_empty(&vma->anon_vma_chain));
	WARN_ON(!vma->detached);
	kmem_cache_free(vm_area_cachep, vma, SITE_VMA);
}

/* Slot of the first VMA with vm_end > addr (== map_count if none). */
static int vma_index_search(struct mm_struct *mm, unsigned long addr)
{
	int lo = 0, hi = mm->map_count;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (mm->vmas[mid]->vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/**
 * vma_index_prealloc() - make room for @extra more VMAs in @mm's index.
 * Returns 0 or -ENOMEM (the caller then changes nothing).
 *
 * Every call is a failure point, whether or not the array must grow:
 * the kernel's maple tree preallocates nodes for every store
 * (mas_preallocate() in vma_link, __split_vma, commit_merge, dup_mmap's
 * __mt_dup), and each of those GFP_KERNEL allocations can fail.
 */
int vma_index_prealloc(struct mm_struct *mm, int extra)
{
	unsigned int need = mm->map_count + extra;
	struct vm_area_struct **n;
	unsigned int cap;

	if (should_failslab(maple_node_cachep, SITE_MM))
		return -ENOMEM;
	if (need <= mm->vmas_cap)
		return 0;
	cap = mm->vmas_cap ? mm->vmas_cap : 16;
	while (cap < need)
		cap *= 2;
	n = realloc(mm->vmas, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	mm->vmas = n;
	mm->vmas_cap = cap;
	return 0;
}

/**
 * vma_index_insert() - add @vma at its place in @mm's index and mark it
 * attached.  Room must have been reserved; overlapping is a bug.
 */
void vma_index_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int pos = vma_index_search(mm, vma->vm_start);

	VM_BUG_ON((unsigned int)mm->map_count >= mm->vmas_cap);
	VM_BUG_ON(pos < mm->map_count && mm->vmas[pos]->vm_start < vma->vm_end);
	memmove(&mm->vmas[pos + 1], &mm->vmas[pos],
		(mm->map_count - pos) * sizeof(mm->vmas[0]));
	mm->vmas[pos] = vma;
	mm->map_count++;
	vma->detached = false;
}

/** vma_index_pos() - slot of @vma in @mm's index, or -1. */
int vma_index_pos(struct mm_struct *mm, const struct vm_area_struct *vma)
{
	int pos = vma_index_search(mm, vma->vm_start);

	if (pos < mm->map_count && mm->vmas[pos] == vma)
		return pos;
	return -1;
}

/** vma_index_remove() - take @vma out of @mm's index and mark it detached. */
void vma_index_remove(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int pos = vma_index_pos(mm, vma);

	VM_BUG_ON(pos < 0);
	memmove(&mm->vmas[pos], &mm->vmas[pos + 1],
		(mm->map_count - pos - 1) * sizeof(mm->vmas[0]));
	mm->map_count--;
	vma->detached = true;
}

/** vma_prev() - the VMA before @vma in its mm, or NULL. */
struct vm_area_struct *vma_prev(struct vm_area_struct *vma)
{
	int pos = vma_index_pos(vma->vm_mm, vma);

	return pos > 0 ? vma->vm_mm->vmas[pos - 1] : NULL;
}

/** vma_next() - the VMA after @vma in its mm, or NULL. */
struct vm_area_struct *vma_next(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	int pos = vma_index_pos(mm, vma);

	return pos >= 0 && pos + 1 < mm->map_count ? mm->vmas[pos + 1] : NULL;
}

/** vma_prev_of_addr() - the last VMA with vm_end <= @addr, or NULL. */
struct vm_area_struct *vma_prev_of_addr(struct mm_struct *mm,
					unsigned long addr)
{
	int pos = vma_index_search(mm, addr);

	/* vmas[pos] is the first with vm_end > addr; the one before ends <= addr. */
	return pos > 0 ? mm->vmas[pos - 1] : NULL;
}

/** find_vma() - the first VMA with vm_end > @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	int pos = vma_index_search(mm, addr);

	return pos < mm->map_count ? mm->vmas[pos] : NULL;
}

/** vma_lookup() - the VMA that contains @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

/** mm_vma_at() - the @i-th VMA of @mm in address order, or NULL. */
struct vm_area_struct *mm_vma_at(struct mm_struct *mm, int i)
{
	return i >= 0 && i < mm->map_count ? mm->vmas[i] : NULL;
}

/** find_vma_intersection() - the first VMA overlapping [@start, @end), or NULL. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}
