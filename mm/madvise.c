/* SPDX-License-Identifier: MIT */
/*
 * mm/madvise.c - madvise(2).
 *
 * Three kinds of advice:
 * - advice that sets or clears vm_flags (NORMAL/RANDOM/SEQUENTIAL,
 *   DONTFORK/DOFORK, WIPEONFORK/KEEPONFORK, DONTDUMP/DODUMP,
 *   HUGEPAGE/NOHUGEPAGE) splits and merges VMAs through
 *   vma_modify_flags(), like mprotect; fork reads some of these flags
 *   (dup_mmap()), the others only stop merges (the model has no
 *   readahead, core dumps or huge pages);
 * - advice about the pages (DONTNEED, FREE, COLD, PAGEOUT, WILLNEED)
 *   walks the page tables under the mmap lock held for read and never
 *   changes a VMA: DONTNEED zaps but keeps the anon_vma (zap_page_range
 *   leaves vma->anon_vma alone);
 * - POPULATE_(READ|WRITE) faults the range in (mm/gup.c).
 *
 * Reclaim follows this host, which has no swap: MADV_PAGEOUT never
 * swaps anonymous memory out (only the model's explicit `swapout`
 * does), it only drops pages that need no swap: clean lazily-freed
 * anonymous pages (MADV_FREE) and page-cache pages, which are unmapped
 * (and stay in the model's page cache, which holds their contents).
 */
#include "vma.h"

/*
 * madvise_free_one() - MADV_FREE of one present PTE: an anonymous page
 * becomes lazily freed (its folio loses PG_swapbacked, the PTE its
 * dirty bit) so that reclaim may drop it unless it is written again.
 * A folio that is dirty, or in the swap cache, is left alone unless
 * only this PTE maps it; the model then also leaves a swap-cache folio
 * alone (the kernel would try to drop it from the swap cache first:
 * this host has no swap, so the case does not arise there).
 */
static void madvise_free_one(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, void *arg)
{
	pte_t pte = { READ_ONCE(ptep->val) };
	struct folio *folio = pte_present(pte) ? pte_folio(pte) : NULL;

	if (!folio || !folio_test_anon(folio) ||
	    folio_test_flag(folio, PG_swapcache))
		return;
	if (folio_test_flag(folio, PG_dirty)) {
		if (folio_mapcount(folio) != 1)
			return;
		folio_clear_flag(folio, PG_dirty);
	}
	WRITE_ONCE(ptep->val, pte_mkclean(pte).val);
	/* The accessed bit lives in the folio: only ours to clear if alone. */
	if (folio_mapcount(folio) == 1)
		folio_clear_flag(folio, PG_young);
	folio_clear_flag(folio, PG_swapbacked);
}

/*
 * madvise_free() - MADV_FREE of [start, end): swap entries are dropped
 * at once (their contents are not wanted any more), present pages
 * become lazily freed.  Nothing is unmapped: on a machine without
 * memory pressure the pages stay, and a read returns their old data.
 */
static void madvise_free(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end)
{
	zap_vma_range_if(vma, start, end, is_swap_entry_pte);
	walk_pte_range(vma, start, end, madvise_free_one, NULL);
}

/*
 * madvise_cold_one() - MADV_COLD and MADV_PAGEOUT age a page that only
 * this PTE maps: referenced and accessed bits are cleared (the kernel
 * also moves it to the inactive list, which the model does not have).
 */
static void madvise_cold_one(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, void *arg)
{
	pte_t pte = { READ_ONCE(ptep->val) };
	struct folio *folio = pte_present(pte) ? pte_folio(pte) : NULL;

	if (!folio || folio_mapcount(folio) != 1)
		return;
	folio_clear_flag(folio, PG_referenced);
	folio_clear_flag(folio, PG_young);
}

/*
 * pageout_drops() - would reclaim without swap unmap this PTE?  Only a
 * folio no one else maps: a page-cache folio (clean or dirty: it stays
 * cached), or a lazily-freed anonymous folio nobody wrote since
 * MADV_FREE, which is discarded.  Other anonymous folios stay mapped.
 */
static bool pageout_drops(pte_t pte)
{
	struct folio *folio = pte_present(pte) ? pte_folio(pte) : NULL;

	if (!folio || folio_mapcount(folio) != 1)
		return false;
	if (!folio_test_anon(folio))
		return true;
	return !folio_test_flag(folio, PG_swapbacked) && !pte_dirty(pte) &&
	       !folio_test_flag(folio, PG_dirty) &&
	       !folio_test_flag(folio, PG_swapcache);
}

/* The advice about pages, which changes no VMA (mmap lock for read). */
static bool madvise_page_advice(int behavior)
{
	switch (behavior) {
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_COLD:
	case MADV_PAGEOUT:
		return true;
	default:
		return false;
	}
}

static bool madvise_populate_advice(int behavior)
{
	return behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE;
}

/* The page advice: each works inside one VMA without changing it. */
static int madvise_pages(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end, int behavior)
{
	vm_flags_t forbidden = VM_LOCKED | VM_PFNMAP;

	if (behavior == MADV_WILLNEED)
		return 0;	/* readahead: nothing the model shows */
	if (behavior == MADV_DONTNEED_LOCKED)
		forbidden = VM_PFNMAP;
	if (vma->vm_flags & forbidden)
		return -EINVAL;
	switch (behavior) {
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		zap_vma_range(vma, start, end);
		return 0;
	case MADV_FREE:
		/* Only anonymous memory (shmem is not). */
		if (!vma_is_anonymous(vma))
			return -EINVAL;
		madvise_free(vma, start, end);
		return 0;
	default:	/* MADV_COLD, MADV_PAGEOUT */
		walk_pte_range(vma, start, end, madvise_cold_one, NULL);
		if (behavior == MADV_PAGEOUT)
			zap_vma_range_if(vma, start, end, pageout_drops);
		return 0;
	}
}

/* One VMA's share of the advice, [start, end) inside @vma. */
static int madvise_vma_behavior(struct vm_area_struct *vma,
				struct vm_area_struct **prev,
				unsigned long start, unsigned long end,
				int behavior)
{
	vm_flags_t new_flags = vma->vm_flags;
	int err;

	if (madvise_page_advice(behavior)) {
		*prev = vma;
		return madvise_pages(vma, start, end, behavior);
	}
	switch (behavior) {
	case MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		if (vma->vm_flags & VM_IO)
			return -EINVAL;
		new_flags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (vma->vm_flags & VM_IO)
			return -EINVAL;
		new_flags &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		/* Only private anonymous memory can be wiped. */
		if (vma->vm_file || (vma->vm_flags & VM_SHARED))
			return -EINVAL;
		new_flags |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		new_flags &= ~VM_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		new_flags |= VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		/* A special mapping is never dumped, whatever it asks. */
		if (new_flags & VM_SPECIAL)
			return -EINVAL;
		new_flags &= ~VM_DONTDUMP;
		break;
	case MADV_HUGEPAGE:
		/* Only the flags: the model has no huge pages (THP). */
		new_flags = (new_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		new_flags = (new_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	default:
		return -EINVAL;
	}
	err = vma_set_flags_range(prev, vma, start, end, new_flags);
	/* madvise(2) reports a lack of kernel memory as EAGAIN. */
	return err == -ENOMEM ? -EAGAIN : err;
}

/* Advice 6.18 knows on x86-64 and the model implements. */
static bool madvise_behavior_valid(int behavior)
{
	if (madvise_page_advice(behavior) || madvise_populate_advice(behavior))
		return true;
	switch (behavior) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		return true;
	default:
		return false;
	}
}

/*
 * Advice 6.18 accepts that the model does not implement: page removal,
 * KSM, khugepaged collapse, guard regions, memory failure injection.
 */
static bool madvise_not_modelled(int behavior)
{
	switch (behavior) {
	case MADV_REMOVE:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_COLLAPSE:
	case MADV_GUARD_INSTALL:
	case MADV_GUARD_REMOVE:
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
		return true;
	default:
		return false;
	}
}

/* madvise_walk_vmas(): the advice for each VMA of [start, end). */
static int madvise_walk_vmas(struct mm_struct *mm, unsigned long start,
			     unsigned long end, int behavior)
{
	struct vm_area_struct *vma, *prev;
	int unmapped_error = 0, error;
	unsigned long tmp;

	vma = find_vma(mm, start);
	prev = vma ? vma_prev(vma) : NULL;
	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = madvise_vma_behavior(vma, &prev, start, tmp, behavior);
		if (error)
			return error;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		if (start >= end)
			break;
		vma = prev ? vma_next(prev) : find_vma(mm, start);
	}
	return unmapped_error;
}

/**
 * sys_madvise() - madvise(2) on @mm.
 * @mm: the address space.  @start: page aligned.  @len: bytes.
 * @behavior: a MADV_* value.
 *
 * Unknown advice is -EINVAL; advice the kernel knows but the model does
 * not implement is -ENOTMODELLED.  Holes in the range are skipped and
 * reported as -ENOMEM at the end, after the mapped parts were advised,
 * as the kernel does; MADV_POPULATE_* stops at a hole instead.
 */
int sys_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
		int behavior)
{
	/* Only advice that changes VMAs needs the mmap lock for write. */
	bool write = !madvise_page_advice(behavior) &&
		     !madvise_populate_advice(behavior);
	unsigned long end;
	int error;

	if (!madvise_behavior_valid(behavior) && !madvise_not_modelled(behavior))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if ((len && end == start) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (madvise_not_modelled(behavior))
		return -ENOTMODELLED;

	if (write)
		mmap_write_lock(mm);
	else
		mmap_read_lock(mm);
	if (madvise_populate_advice(behavior))
		error = faultin_page_range(mm, start, end,
					   behavior == MADV_POPULATE_WRITE);
	else
		error = madvise_walk_vmas(mm, start, end, behavior);
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return error;
}
