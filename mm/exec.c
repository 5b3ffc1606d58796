// SPDX-License-Identifier: MIT
/*
 * mm/exec.c - the address space a new program image starts with.
 *
 * execve() builds the new mm from several places in the kernel: the
 * stack VMA of bprm_mm_init()/setup_arg_pages() (fs/exec.c, linked with
 * insert_vm_struct()), the ELF segments and the bss (fs/binfmt_elf.c,
 * through vm_mmap() and vm_brk_flags()), and the vdso and vvar special
 * mappings (_install_special_mapping()).  The model does not load
 * programs; a caller that knows the resulting layout (a recorded
 * /proc/PID/smaps at the exec event) installs it VMA by VMA here, with
 * the exact vm_flags the kernel gave each one, so that everything the
 * program does afterwards meets the same neighbours, flags and files
 * as on the kernel.
 */
#include "internal.h"
#include "vma.h"

/**
 * insert_vm_struct() - link [@start, @end) into @mm as the kernel's exec
 * left it, without trying to merge.
 * @mm: the new image's mm.
 * @start, @end: page-aligned bounds.
 * @vm_flags: the VMA's flags, as /proc/PID/smaps's VmFlags show them.
 * @file: the mapped file (a reference is taken), or NULL.
 * @pgoff: the file offset in pages; for a VMA without a file, its
 *         virtual pgoff (the kernel uses vm_start >> PAGE_SHIFT, also
 *         for the stack, which exec moves together with its pgoff).
 *
 * No merging is attempted: the recorded layout is already the result
 * of the merges exec's own mappings went through, and special mappings
 * (vdso, vvar) must never merge anyway.  The VMA starts without an
 * anon_vma, like every new VMA; pages exec wrote (the argument strings
 * on the stack, the zeroed tail of the data segment) are the caller's
 * to replay as writes, which prepares the anon_vma as exec's own
 * faults did.
 *
 * Return: 0; -EINVAL for a bad range or flags no VMA can have (a right
 * without its VM_MAY* right); -ENOMEM for a range past TASK_SIZE;
 * -EEXIST when it overlaps a VMA
 * already there; -ENOMEM when the VMA or its index slot cannot be had.
 * Nothing is changed on failure.
 */
int insert_vm_struct(struct mm_struct *mm, unsigned long start,
		     unsigned long end, vm_flags_t vm_flags, struct file *file,
		     unsigned long pgoff)
{
	struct vm_area_struct *next;
	int err;

	if (start >= end || (start | end) & ~PAGE_MASK)
		return -EINVAL;
	/* No VMA reaches past the user address space (47 bits here). */
	if (end > TASK_SIZE)
		return -ENOMEM;
	/*
	 * Every access right needs its VM_MAY* right, and VM_SHARED needs
	 * VM_MAYSHARE: the kernel never makes such a VMA, and copy-on-write
	 * depends on it (is_cow_mapping() asks for VM_MAYWRITE, so a
	 * writable VMA without it would share its pages writable at fork).
	 */
	if ((vm_flags & VM_READ && !(vm_flags & VM_MAYREAD)) ||
	    (vm_flags & VM_WRITE && !(vm_flags & VM_MAYWRITE)) ||
	    (vm_flags & VM_EXEC && !(vm_flags & VM_MAYEXEC)) ||
	    (vm_flags & VM_SHARED && !(vm_flags & VM_MAYSHARE)))
		return -EINVAL;
	mmap_write_lock(mm);
	next = find_vma(mm, start);
	if (next && next->vm_start < end) {
		mmap_write_unlock(mm);
		return -EEXIST;
	}
	err = mmap_new_vma(mm, file, start, end - start, vm_flags, pgoff);
	if (!err)
		mm->total_vm += (end - start) >> PAGE_SHIFT;
	mmap_write_unlock(mm);
	return err;
}
