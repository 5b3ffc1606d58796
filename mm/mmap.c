/* SPDX-License-Identifier: MIT */
/*
 * mm/mmap.c - creating and destroying mappings: mmap, munmap, brk and
 * the teardown at exit (spec §3.1, §3.8, §3.10).
 */
#include <stdlib.h>

#include "vma.h"

/** sysctl_max_map_count - vm.max_map_count: most VMAs an mm may have. */
int sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;

/* The model's user address space ends where x86-64's four levels do. */
#define TASK_SIZE (1UL << 47)

static vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	return ((prot & PROT_READ) ? VM_READ : 0) |
	       ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

/*
 * accountable_mapping() - private writable mappings are charged against
 * overcommit and carry VM_ACCOUNT, unless MAP_NORESERVE (spec §5.2).
 */
static bool accountable_mapping(vm_flags_t vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/* A free gap of @len bytes at or above @hint (no MAP_FIXED given). */
static unsigned long get_unmapped_area(struct mm_struct *mm,
				       unsigned long hint, unsigned long len)
{
	unsigned long addr = hint ? PAGE_ALIGN(hint) : 0x100000000UL;
	int i;

	for (i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (vma->vm_end <= addr)
			continue;
		if (vma->vm_start >= addr + len)
			break;
		addr = vma->vm_end;
	}
	return addr + len <= TASK_SIZE ? addr : (unsigned long)-ENOMEM;
}

/*
 * mmap_new_vma() - the VMA that mmap, brk and exec make when no neighbour
 * could be merged with or expanded: [addr, addr + len) with the given
 * attributes, linked into @mm, holding its own reference on @file (may
 * be NULL).  Returns 0, or -ENOMEM with nothing changed.
 */
int mmap_new_vma(struct mm_struct *mm, struct file *file,
			unsigned long addr, unsigned long len,
			vm_flags_t vm_flags, unsigned long pgoff)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);

	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_pgoff = pgoff;
	vma->vm_flags = vm_flags;
	vma->vm_file = file;
	if (vma_link(mm, vma)) {
		vma->vm_file = NULL;
		vm_area_free(vma);
		return -ENOMEM;
	}
	if (file)
		get_file(file);
	return 0;
}

/*
 * mmap_region() - map [addr, addr + len) with the given attributes,
 * merging with a neighbour when possible.  A new anonymous private VMA
 * is unfaulted: no anon_vma, no chain (spec §3.1).
 */
static long mmap_region(struct mm_struct *mm, struct file *file,
			unsigned long addr, unsigned long len,
			vm_flags_t vm_flags, unsigned long pgoff)
{
	struct vma_merge_struct vmg = {
		.mm = mm,
		.start = addr,
		.end = addr + len,
		.pgoff = pgoff,
		.vm_flags = vm_flags,
		.file = file,
	};

	if (accountable_mapping(vm_flags))
		vmg.vm_flags = vm_flags |= VM_ACCOUNT;
	/* Neighbours whether adjacent or not; the merge checks adjacency. */
	vmg.prev = vma_prev_of_addr(mm, addr);
	vmg.next = find_vma(mm, addr);
	if (vmg.prev || vmg.next) {
		/*
		 * A merge that runs out of memory is not an error: like the
		 * kernel's __mmap_region(), fall back to a new VMA.
		 */
		if (vma_merge_new_range(&vmg))
			goto out;
	}

	if (mmap_new_vma(mm, file, addr, len, vm_flags, pgoff))
		return -ENOMEM;
out:
	mm->total_vm += len >> PAGE_SHIFT;
	return (long)addr;
}

/*
 * unmap_detached() - the second half of munmap: zap the PTEs of the
 * detached VMAs, then unlink their anon_vmas and free page tables, then
 * free them.  PTEs go first, so an anon_vma freed by the unlink no
 * longer has any PTE mapping its folios (spec §3.8).
 */
static void unmap_detached(struct mm_struct *mm, struct vm_area_struct **vmas,
			   int n)
{
	int i;

	for (i = 0; i < n; i++)
		zap_vma_range(vmas[i], vmas[i]->vm_start, vmas[i]->vm_end);
	free_pgtables(mm, vmas, n);
	for (i = 0; i < n; i++) {
		mm->total_vm -= vma_pages(vmas[i]);
		remove_vma(vmas[i]);
	}
}

/*
 * struct vma_munmap_struct - the VMAs of [start, end), split at the
 * edges and detached from the index but not yet torn down (the
 * kernel's vms_gather_munmap_vmas() state).  Gathering detaches only
 * once every split has succeeded, so a failure leaves them attached.
 */
struct vma_munmap_struct {
	struct vm_area_struct **vmas;
	int n;
};

/*
 * vms_gather_munmap_vmas() - split the first and last VMA of [start,
 * end) at the edges and detach every VMA inside.  As in the kernel, a
 * split made before a later failure stays.
 */
static int vms_gather_munmap_vmas(struct mm_struct *mm, unsigned long start,
				  unsigned long end,
				  struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma = find_vma_intersection(mm, start, end);
	int n = 0, err, i, first;

	vms->vmas = NULL;
	vms->n = 0;
	if (!vma)
		return 0;
	if (start > vma->vm_start) {
		/* Splitting the middle of a VMA adds one: respect the limit. */
		if (end < vma->vm_end && mm->map_count >= sysctl_max_map_count)
			return -ENOMEM;
		err = __split_vma(vma, start, 1);
		if (err)
			return err;
	}
	first = vma_index_pos(mm, vma);
	for (i = first; i < mm->map_count && mm->vmas[i]->vm_start < end; i++) {
		if (mm->vmas[i]->vm_end > end) {
			err = __split_vma(mm->vmas[i], end, 0);
			if (err)
				return err;
		}
		n++;
	}
	vms->vmas = malloc(n * sizeof(*vms->vmas));
	if (!vms->vmas)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		vms->vmas[i] = mm->vmas[first];
		vma_start_write(vms->vmas[i]);
		vma_index_remove(mm, vms->vmas[i]);
	}
	vms->n = n;
	return 0;
}

/* vms_complete_munmap_vmas() - tear the gathered VMAs down for good. */
static void vms_complete_munmap_vmas(struct mm_struct *mm,
				     struct vma_munmap_struct *vms)
{
	if (vms->n)
		unmap_detached(mm, vms->vmas, vms->n);
	free(vms->vmas);
	vms->vmas = NULL;
	vms->n = 0;
}

/* do_mmap() with the mmap lock held for write. */
static long do_mmap(struct mm_struct *mm, unsigned long addr,
		    unsigned long len, unsigned long prot, unsigned long flags,
		    struct file *file, unsigned long pgoff)
{
	unsigned long type = flags & MAP_TYPE;
	vm_flags_t vm_flags;
	struct file *shmem = NULL;
	struct vma_munmap_struct vms = { NULL, 0 };
	long ret;

	if (!len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (type != MAP_PRIVATE && type != MAP_SHARED)
		return -EINVAL;
	if ((flags & MAP_ANONYMOUS) && file)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !file)
		return -EBADF;
	/* Writing through a shared mapping needs a file opened for writing. */
	if (file && type == MAP_SHARED && (prot & PROT_WRITE) &&
	    !(file->f_mode & FMODE_WRITE))
		return -EACCES;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if (!(flags & MAP_FIXED) &&
		    find_vma_intersection(mm, addr, addr + len))
			return -EEXIST;
	} else {
		addr = get_unmapped_area(mm, addr, len);
		if (addr == (unsigned long)-ENOMEM)
			return -ENOMEM;
	}
	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;

	vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE |
		   VM_MAYEXEC;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	if (type == MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	/*
	 * A read-only file's shared mapping can never become writable (no
	 * VM_MAYWRITE, so mprotect refuses), and without VM_SHARED it is
	 * not counted as a writable shared mapping: 6.18's do_mmap().
	 */
	if (type == MAP_SHARED && file && !(file->f_mode & FMODE_WRITE))
		vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
	if (!file) {
		if (type == MAP_SHARED) {
			/* Shared anonymous memory is a shmem file (spec §3.1). */
			pgoff = 0;
			shmem = shmem_file_setup(len >> PAGE_SHIFT);
			if (!shmem)
				return -ENOMEM;
			file = shmem;
		} else {
			/* So that anon_vma works: virtual page offsets. */
			pgoff = addr >> PAGE_SHIFT;
		}
	}

	/*
	 * MAP_FIXED replaces what is there.  As in 6.18's __mmap_prepare(),
	 * the old VMAs are gathered (split at the edges, then detached; a
	 * failed split leaves them attached) and their PTEs are cleared
	 * before the new VMA is made.  From then on they cannot be
	 * re-attached, so a later failure leaves a gap: "the old failure
	 * method of leaving a gap where the MAP_FIXED mapping failed".
	 */
	if (flags & MAP_FIXED) {
		ret = vms_gather_munmap_vmas(mm, addr, addr + len, &vms);
		if (ret)
			goto out;
		vms_complete_munmap_vmas(mm, &vms);
	}
	ret = mmap_region(mm, file, addr, len, vm_flags, pgoff);
out:
	if (shmem)
		fput(shmem);	/* the VMA holds its own reference */
	return ret;
}

/**
 * sys_mmap() - mmap(2) on @mm.  Returns the address or a negative errno.
 * @mm: the address space.  @addr, @len, @prot, @flags: as mmap(2).
 * @file: the simulated file for a file mapping, NULL with MAP_ANONYMOUS.
 * @pgoff: file offset in pages.
 */
long sys_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, struct file *file,
	      unsigned long pgoff)
{
	long ret;

	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, prot, flags, file, pgoff);
	mmap_write_unlock(mm);
	return ret;
}

/**
 * do_vmi_munmap() - see mm/vma.h.  A range with no mapping is not an
 * error.  As in the kernel, a split done before a later failure stays.
 */
int do_vmi_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	struct vma_munmap_struct vms;
	unsigned long end;
	int err;

	mmap_assert_write_locked(mm);
	if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	err = vms_gather_munmap_vmas(mm, start, end, &vms);
	if (!err)
		vms_complete_munmap_vmas(mm, &vms);
	return err;
}

/** sys_munmap() - munmap(2) on @mm; 0 or a negative errno. */
int sys_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	int ret;

	mmap_write_lock(mm);
	ret = do_vmi_munmap(mm, start, len);
	mmap_write_unlock(mm);
	return ret;
}

/** mm_set_brk_base() - put the start of @mm's heap at @base (page aligned). */
void mm_set_brk_base(struct mm_struct *mm, unsigned long base)
{
	mmap_write_lock(mm);
	mm->start_brk = mm->brk = PAGE_ALIGN(base);
	mmap_write_unlock(mm);
}

/*
 * do_brk_flags() - grow the heap by [addr, addr + len).  Extending the
 * heap VMA in place is tried first ("just expand"), which the merge
 * rules refuse when the heap VMA is a faulted fork child: a forked
 * child's heap grows as a second VMA (spec §3.10, §5.3-11).
 */
static int do_brk_flags(struct mm_struct *mm, struct vm_area_struct *brkvma,
			unsigned long addr, unsigned long len)
{
	vm_flags_t flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE |
			   VM_MAYEXEC | VM_ACCOUNT;

	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	if (brkvma && brkvma->vm_end == addr) {
		struct vma_merge_struct vmg = {
			.mm = mm,
			.prev = brkvma,
			.start = addr,
			.end = addr + len,
			.pgoff = addr >> PAGE_SHIFT,
			.vm_flags = flags,
			.just_expand = true,
		};

		if (vma_merge_new_range(&vmg))
			goto out;
		if (vmg_nomem(&vmg))
			return -ENOMEM;
	}
	if (mmap_new_vma(mm, NULL, addr, len, flags, addr >> PAGE_SHIFT))
		return -ENOMEM;
out:
	mm->total_vm += len >> PAGE_SHIFT;
	return 0;
}

/**
 * sys_brk() - brk(2): move @mm's break to @brk.  Shrinking always
 * works; growing fails if it would run into another mapping.  Returns
 * the new break, or the unchanged one on failure, as the kernel does.
 */
unsigned long sys_brk(struct mm_struct *mm, unsigned long brk)
{
	unsigned long newbrk, oldbrk, ret;

	mmap_write_lock(mm);
	if (brk < mm->start_brk)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		goto out;
	}
	if (brk <= mm->brk) {
		struct vm_area_struct *vma = find_vma_intersection(mm, newbrk, oldbrk);

		if (!vma)
			goto out;
		if (do_vmi_munmap(mm, newbrk, oldbrk - newbrk) == 0)
			mm->brk = brk;
		goto out;
	}
	if (find_vma_intersection(mm, oldbrk, newbrk + PAGE_SIZE))
		goto out;
	if (do_brk_flags(mm, vma_prev_of_addr(mm, oldbrk), oldbrk,
			 newbrk - oldbrk) == 0)
		mm->brk = brk;
out:
	ret = mm->brk;
	mmap_write_unlock(mm);
	return ret;
}

/**
 * exit_mmap() - tear down every mapping of an exiting @mm: zap all PTEs,
 * then unlink the anon_vmas and free page tables, then free the VMAs.
 */
void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct **vmas;
	int n, i;

	mmap_write_lock(mm);
	n = mm->map_count;
	vmas = malloc((n ? n : 1) * sizeof(*vmas));
	VM_BUG_ON(!vmas);
	for (i = 0; i < n; i++)
		vmas[i] = mm->vmas[i];
	for (i = 0; i < n; i++)
		zap_vma_range(vmas[i], vmas[i]->vm_start, vmas[i]->vm_end);
	free_pgtables(mm, vmas, n);
	for (i = n - 1; i >= 0; i--) {
		vma_index_remove(mm, vmas[i]);
		remove_vma(vmas[i]);
	}
	mm->total_vm = 0;
	free(vmas);
	mmap_write_unlock(mm);
}
