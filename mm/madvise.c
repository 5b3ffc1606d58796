/* SPDX-License-Identifier: MIT */
/*
 * mm/madvise.c - the madvise(2) behaviours that touch anon state:
 * MADV_DONTNEED zaps PTEs but keeps the anon_vma (spec §3.8, §5.3-13);
 * DONTFORK/DOFORK and WIPEONFORK/KEEPONFORK change flags that fork
 * reads (spec §3.9) and so split and merge like mprotect.
 */
#include "vma.h"

/* Flag-changing advice: split or merge, then set the flags. */
static int madvise_update_vma(struct vm_area_struct *vma,
			      struct vm_area_struct **prev,
			      unsigned long start, unsigned long end,
			      vm_flags_t new_flags)
{
	int err = 0;

	if (new_flags == vma->vm_flags) {
		*prev = vma;
		return 0;
	}
	vma = vma_modify_flags(*prev, vma, start, end, new_flags, &err);
	if (!vma)
		return err;
	*prev = vma;
	vma_start_write(vma);
	vma->vm_flags = new_flags;
	return 0;
}

/* One VMA's share of the advice, [start, end) inside @vma. */
static int madvise_vma_behavior(struct vm_area_struct *vma,
				struct vm_area_struct **prev,
				unsigned long start, unsigned long end,
				int behavior)
{
	vm_flags_t new_flags = vma->vm_flags;
	int err;

	switch (behavior) {
	case MADV_DONTNEED:
		*prev = vma;
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		zap_vma_range(vma, start, end);
		return 0;
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
	default:
		return -EINVAL;
	}
	err = madvise_update_vma(vma, prev, start, end, new_flags);
	/* madvise(2) reports a lack of kernel memory as EAGAIN. */
	return err == -ENOMEM ? -EAGAIN : err;
}

static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_DONTNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		return true;
	default:
		return false;
	}
}

/**
 * sys_madvise() - madvise(2) on @mm for the behaviours the model knows.
 * Holes in the range are skipped and reported as -ENOMEM at the end,
 * after the mapped parts were advised, as the kernel does.
 * @mm: the address space.  @start: page aligned.  @len: bytes.
 * @behavior: MADV_DONTNEED, MADV_(DONT|DO)FORK, MADV_(WIPE|KEEP)ONFORK.
 */
int sys_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
		int behavior)
{
	struct vm_area_struct *vma, *prev;
	unsigned long end, tmp;
	int unmapped_error = 0, error = 0;
	bool write = behavior != MADV_DONTNEED;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	if (write)
		mmap_write_lock(mm);
	else
		mmap_read_lock(mm);
	vma = find_vma(mm, start);
	prev = vma ? vma_prev(vma) : NULL;
	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		if (!vma) {
			error = -ENOMEM;
			break;
		}
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = madvise_vma_behavior(vma, &prev, start, tmp, behavior);
		if (error)
			break;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		if (start >= end)
			break;
		vma = prev ? vma_next(prev) : find_vma(mm, start);
	}
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return error ? error : unmapped_error;
}
