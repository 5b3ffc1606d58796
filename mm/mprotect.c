/* SPDX-License-Identifier: MIT */
/*
 * mm/mprotect.c - change the protection of a range (spec §3.6, §5.2).
 */
#include "vma.h"

static vm_flags_t prot_to_vm_flags(unsigned long prot)
{
	return ((prot & PROT_READ) ? VM_READ : 0) |
	       ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

/*
 * mprotect_fixup() - give [start, end) of @vma the flags @newflags.
 * Making a private mapping writable charges it and adds VM_ACCOUNT;
 * making it read-only again removes the flag only from an anonymous
 * VMA that has no anon_vma yet.  A faulted one keeps it, which is why
 * an mprotect round trip can leave two VMAs that no longer merge
 * (spec §3.6, corrected to the host kernel's behaviour).
 */
static int mprotect_fixup(struct vm_area_struct *vma,
			  struct vm_area_struct **pprev, unsigned long start,
			  unsigned long end, vm_flags_t newflags)
{
	vm_flags_t oldflags = vma->vm_flags;
	int err = 0;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	if (newflags & VM_WRITE) {
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED |
				  VM_NORESERVE)))
			newflags |= VM_ACCOUNT;
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(vma) &&
		   !vma->anon_vma) {
		/*
		 * An anonymous VMA that never faulted gives its charge
		 * back when it stops being writable (the host kernel does
		 * this; the spec's §3.6 predates it).
		 */
		newflags &= ~VM_ACCOUNT;
	}

	vma = vma_modify_flags(*pprev, vma, start, end, newflags, &err);
	if (!vma)
		return err;
	*pprev = vma;
	vma_start_write(vma);
	vma->vm_flags = newflags;
	change_protection(vma, start, end, newflags);
	/*
	 * A locked private mapping that becomes writable is faulted for
	 * write at once, so that its pages stay locked through the
	 * copy-on-write that would otherwise come later.
	 */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED &&
	    (newflags & VM_WRITE))
		populate_vma_page_range(vma, start, end);
	return 0;
}

/**
 * sys_mprotect() - mprotect(2) on @mm.  As in the kernel, a hole inside
 * the range is found while walking it: the VMAs before the hole have
 * already changed when -ENOMEM is returned.
 * @mm: the address space.  @start: page aligned.  @len: bytes.
 * @prot: PROT_* bits.
 */
int sys_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		 unsigned long prot)
{
	struct vm_area_struct *vma, *prev;
	unsigned long end, nstart, tmp;
	int error;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;

	mmap_write_lock(mm);
	error = -ENOMEM;
	vma = find_vma_intersection(mm, start, end);
	if (!vma || vma->vm_start > start)
		goto out;
	prev = vma_prev(vma);
	if (start > vma->vm_start)
		prev = vma;
	nstart = start;
	tmp = vma->vm_start;
	while (vma && vma->vm_start < end) {
		vm_flags_t newflags;

		if (vma->vm_start != tmp) {
			error = -ENOMEM;
			break;
		}
		newflags = prot_to_vm_flags(prot) |
			   (vma->vm_flags & ~VM_ACCESS_FLAGS);
		/* Asking for a right the mapping may never have. */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			error = -EACCES;
			break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mprotect_fixup(vma, &prev, nstart, tmp, newflags);
		if (error)
			break;
		tmp = prev->vm_end;
		nstart = tmp;
		vma = vma_next(prev);
	}
	if (!error && tmp < end)
		error = -ENOMEM;
out:
	mmap_write_unlock(mm);
	return error;
}
