/* SPDX-License-Identifier: MIT */
/*
 * mm/gup.c - faulting a range in on the process's behalf, as the
 * kernel's get_user_pages() does for MAP_POPULATE, MAP_LOCKED, mlock
 * and MADV_POPULATE_(READ|WRITE).  Pages are faulted one at a time
 * through fault_in_page() (mm/memory.c), exactly as a user access
 * would fault them, so the anon_vma work is the same as the process
 * touching each page itself.
 */
#include "vma.h"

/*
 * gup_fault_range() - fault [start, end) of @vma in, a read or a write
 * fault per page.  Returns the number of pages done, or a negative
 * errno for the first page that failed: -EFAULT for a SIGSEGV or SIGBUS,
 * -ENOMEM when memory ran out (faultin_page()'s translation).
 */
static long gup_fault_range(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, bool write)
{
	unsigned long addr;
	vm_fault_t ret;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		ret = fault_in_page(vma, addr, write, NULL);
		if (ret & VM_FAULT_OOM)
			return addr > start ? (long)((addr - start) >> PAGE_SHIFT)
					    : -ENOMEM;
		if (ret & VM_FAULT_ERROR)
			return addr > start ? (long)((addr - start) >> PAGE_SHIFT)
					    : -EFAULT;
	}
	return (long)((end - start) >> PAGE_SHIFT);
}

/**
 * populate_vma_page_range() - fault [start, end) of @vma in for
 * mm_populate() (mmap lock held for read).
 *
 * A private writable mapping gets write faults, so that copy-on-write
 * is broken now rather than at the first store (and an anonymous VMA
 * gets its anon_vma); any other mapping gets read faults, allowed even
 * without VM_READ (FOLL_FORCE) as long as the VMA is accessible at all.
 * A PROT_NONE VMA is refused with -EFAULT.  VM_LOCKONFAULT VMAs are
 * left alone: their pages are locked when they are faulted later.
 * Returns the number of pages done or a negative errno.
 */
long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end)
{
	bool write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;

	mmap_assert_locked(vma->vm_mm);
	if (vma->vm_flags & VM_LOCKONFAULT)
		return (long)((end - start) >> PAGE_SHIFT);
	if (!(vma->vm_flags & VM_ACCESS_FLAGS))
		return -EFAULT;
	return gup_fault_range(vma, start, end, write);
}

/**
 * __mm_populate() - populate every VMA of [start, start + len) of @mm,
 * taking the mmap lock for read.  VM_IO and VM_PFNMAP VMAs and holes
 * are skipped.  With @ignore_errors (mmap, mlockall) a VMA that fails
 * is skipped too; otherwise (mlock) the first error is returned, the
 * pages faulted before it stay.
 */
int __mm_populate(struct mm_struct *mm, unsigned long start,
		  unsigned long len, bool ignore_errors)
{
	unsigned long end = start + len, nstart, nend;
	struct vm_area_struct *vma;
	long ret = 0;

	mmap_read_lock(mm);
	for (nstart = start; nstart < end; nstart = nend) {
		vma = find_vma_intersection(mm, nstart, end);
		if (!vma)
			break;
		nend = vma->vm_end < end ? vma->vm_end : end;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (nstart < vma->vm_start)
			nstart = vma->vm_start;
		ret = populate_vma_page_range(vma, nstart, nend);
		if (ret < 0) {
			if (ignore_errors) {
				ret = 0;
				continue;
			}
			break;
		}
		/* Stopped early: the next round faults the failing page again. */
		nend = nstart + ((unsigned long)ret << PAGE_SHIFT);
		ret = 0;
	}
	mmap_read_unlock(mm);
	return (int)ret;
}

/*
 * check_populate_vma() - may MADV_POPULATE_(READ|WRITE) fault @vma in?
 * Unlike mm_populate() it uses no FOLL_FORCE: the VMA must allow the
 * access itself (check_vma_flags() in the kernel).
 */
static bool check_populate_vma(const struct vm_area_struct *vma, bool write)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return false;
	return vma->vm_flags & (write ? VM_WRITE : VM_READ);
}

/**
 * faultin_page_range() - MADV_POPULATE_(READ|WRITE) of [start, end) of
 * @mm, mmap lock held for read.  Stops at the first problem, keeping
 * what was faulted before it: a hole is -ENOMEM, a VMA that does not
 * allow the access -EINVAL, a fault that fails -EFAULT (SIGSEGV or
 * SIGBUS) or -ENOMEM (madvise_populate()'s translation).
 */
int faultin_page_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end, bool write)
{
	struct vm_area_struct *vma;
	unsigned long nend;
	long done;

	mmap_assert_locked(mm);
	while (start < end) {
		vma = vma_lookup(mm, start);
		if (!vma)
			return -ENOMEM;
		if (!check_populate_vma(vma, write))
			return -EINVAL;
		nend = vma->vm_end < end ? vma->vm_end : end;
		done = gup_fault_range(vma, start, nend, write);
		if (done < 0)
			return (int)done;
		/* Stopped early: the next round meets the failing page first. */
		start += (unsigned long)done << PAGE_SHIFT;
	}
	return 0;
}
