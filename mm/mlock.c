/* SPDX-License-Identifier: MIT */
/*
 * mm/mlock.c - mlock, mlock2, munlock, mlockall, munlockall.
 *
 * Locking is a vm_flags change (VM_LOCKED, with VM_LOCKONFAULT for the
 * on-fault variants), so it splits and merges VMAs through
 * vma_modify_flags() exactly as mprotect does, and then populates the
 * range (mm/gup.c) unless the lock is on fault.  The model keeps no
 * unevictable LRU and no locked_vm count: the process runs as root
 * here, where neither RLIMIT_MEMLOCK nor those counts change what a
 * call does.
 */
#include "vma.h"

/*
 * mlock_fixup() - give [start, end) of @vma the lock bits of @newflags.
 * The lock bits never stick to VM_SPECIAL mappings (6.18 also names
 * hugetlb, DAX, secretmem, the gate VMA and MAP_DROPPABLE, none of
 * which the model has).  *@prev becomes the VMA now covering the range.
 */
static int mlock_fixup(struct vm_area_struct *vma, struct vm_area_struct **prev,
		       unsigned long start, unsigned long end,
		       vm_flags_t newflags)
{
	if (vma->vm_flags & VM_SPECIAL) {
		*prev = vma;
		return 0;
	}
	return vma_set_flags_range(prev, vma, start, end, newflags);
}

/*
 * apply_vma_lock_flags() - set the lock bits @flags (or none) on every
 * VMA of [start, start + len).  The range must begin inside a VMA and
 * have no hole, else -ENOMEM; as with mprotect, the VMAs before a hole
 * keep their new flags.
 */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start,
				unsigned long len, vm_flags_t flags)
{
	unsigned long end = start + len, nstart, tmp;
	struct vm_area_struct *vma, *prev;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = vma_lookup(mm, start);
	if (!vma)
		return -ENOMEM;
	prev = start > vma->vm_start ? vma : vma_prev(vma);
	nstart = start;
	tmp = vma->vm_start;
	while (vma && vma->vm_start < end) {
		vm_flags_t newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | flags;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mlock_fixup(vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		tmp = prev->vm_end;
		nstart = tmp;
		vma = vma_next(prev);
	}
	return tmp < end ? -ENOMEM : 0;
}

/*
 * mlock_posix_error() - the errnos POSIX wants from mlock when faulting
 * the range in fails: a range that cannot be faulted (PROT_NONE, or
 * SIGSEGV/SIGBUS) is ENOMEM, a lack of memory EAGAIN.
 */
static int mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/*
 * do_mlock() - lock or unlock (@flags 0) the pages of [start, start +
 * len), @start rounded down to a page and @len grown to match.  Locking
 * then populates the range, reporting its first error: the lock bits
 * stay set even so (mlock of a PROT_NONE VMA sets VM_LOCKED and fails
 * with ENOMEM on the host kernel too).
 */
static int do_mlock(struct mm_struct *mm, unsigned long start,
		    unsigned long len, vm_flags_t flags)
{
	int error;

	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	mmap_write_lock(mm);
	error = apply_vma_lock_flags(mm, start, len, flags);
	mmap_write_unlock(mm);
	if (error || !flags)
		return error;
	return mlock_posix_error(__mm_populate(mm, start, len, false));
}

/** sys_mlock() - mlock(2): see include/anonvma/mm.h. */
int sys_mlock(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return do_mlock(mm, start, len, VM_LOCKED);
}

/** sys_mlock2() - mlock2(2): MLOCK_ONFAULT is the only flag. */
int sys_mlock2(struct mm_struct *mm, unsigned long start, unsigned long len,
	       unsigned int flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(mm, start, len, VM_LOCKED |
			((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0));
}

/** sys_munlock() - munlock(2). */
int sys_munlock(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return do_mlock(mm, start, len, 0);
}

/*
 * apply_mlockall_flags() - MCL_FUTURE (with MCL_ONFAULT) sets the
 * flags every later mapping gets (mm->def_flags); MCL_CURRENT sets the
 * lock bits on every VMA now.  A VMA that cannot be changed (no memory
 * for a split) is skipped, as the kernel ignores such errors.  With
 * @flags 0 (munlockall) everything is unlocked.
 */
static void apply_mlockall_flags(struct mm_struct *mm, unsigned long flags)
{
	struct vm_area_struct *vma, *prev = NULL;
	vm_flags_t to_add = 0;
	int i;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT)
		to_add = VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
	for (i = 0; i < mm->map_count; i++) {
		vma = mm->vmas[i];
		if (mlock_fixup(vma, &prev, vma->vm_start, vma->vm_end,
				(vma->vm_flags & ~VM_LOCKED_MASK) | to_add))
			prev = vma;
		/* A merge with prev removed VMAs before position i. */
		i = vma_index_pos(mm, prev);
	}
}

/**
 * sys_mlockall() - mlockall(2): @flags is a non-empty combination of
 * MCL_CURRENT, MCL_FUTURE and MCL_ONFAULT, not MCL_ONFAULT alone.
 * MCL_CURRENT then populates the whole address space, ignoring errors.
 */
int sys_mlockall(struct mm_struct *mm, unsigned long flags)
{
	if (!flags || (flags & ~(unsigned long)(MCL_CURRENT | MCL_FUTURE |
						MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	mmap_write_lock(mm);
	apply_mlockall_flags(mm, flags);
	mmap_write_unlock(mm);
	if (flags & MCL_CURRENT)
		mm_populate(mm, 0, TASK_SIZE);
	return 0;
}

/** sys_munlockall() - munlockall(2): no VMA locked, none to be. */
int sys_munlockall(struct mm_struct *mm)
{
	mmap_write_lock(mm);
	apply_mlockall_flags(mm, 0);
	mmap_write_unlock(mm);
	return 0;
}
