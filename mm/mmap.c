/* SPDX-License-Identifier: MIT */
/*
 * mm/mmap.c - creating and destroying mappings: mmap, munmap, brk and
 * the teardown at exit (spec §3.1, §3.8, §3.10).
 */
#include <stdlib.h>

#include "vma.h"

/** sysctl_max_map_count - vm.max_map_count: most VMAs an mm may have. */
int sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;


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

/* The host's vm.mmap_min_addr: no mapping, nor stack, below it. */
#define MMAP_MIN_ADDR 0x10000UL

/*
 * vm_start_gap() - where @vma starts when looking for room: a stack
 * keeps the guard gap below it free (so that it can grow into it).
 */
static unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;

	if (vma->vm_flags & VM_GROWSDOWN)
		start = start > STACK_GUARD_GAP ? start - STACK_GUARD_GAP : 0;
	return start;
}

/*
 * get_unmapped_area() - a free gap of @len bytes at or above @hint (no
 * MAP_FIXED given), first fit.  MAP_32BIT keeps it within [1 GiB,
 * 2 GiB), as x86-64 does for a 64-bit process; a hint that does not fit
 * there is ignored.
 */
static unsigned long get_unmapped_area(struct mm_struct *mm,
				       unsigned long hint, unsigned long len,
				       unsigned long flags)
{
	unsigned long low = 0x100000000UL, high = TASK_SIZE, addr;
	int i;

	if (flags & MAP_32BIT) {
		low = 0x40000000UL;
		high = 0x80000000UL;
	}
	addr = hint ? PAGE_ALIGN(hint) : low;
	if (addr + len > high || addr + len < addr)
		addr = low;
	for (i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (vma->vm_end <= addr)
			continue;
		if (vm_start_gap(vma) >= addr + len)
			break;
		addr = vma->vm_end;
	}
	return addr + len <= high ? addr : (unsigned long)-ENOMEM;
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

/*
 * The flags mmap(2) knows on x86-64 (the kernel's LEGACY_MAP_MASK):
 * MAP_SHARED ignores any other bit, MAP_SHARED_VALIDATE refuses it with
 * EOPNOTSUPP.  MAP_FIXED_NOREPLACE and MAP_SYNC are not among them: a
 * MAP_SHARED_VALIDATE mapping refuses them too (the model's files
 * support no MAP_SYNC), which the host kernel confirms.
 */
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED |		\
			 MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |	\
			 MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |	\
			 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |		\
			 MAP_STACK | MAP_HUGETLB | MAP_32BIT |			\
			 ((unsigned long)MAP_HUGE_MASK << MAP_HUGE_SHIFT))

/*
 * calc_vm_flag_bits() - the vm_flags that mmap flags ask for.  MAP_STACK
 * has meant "no transparent huge pages" since 6.7 (a thread stack
 * rarely uses a whole huge page); MAP_DENYWRITE, MAP_EXECUTABLE and
 * MAP_UNINITIALIZED mean nothing any more and are ignored.
 */
static vm_flags_t calc_vm_flag_bits(unsigned long flags)
{
	return ((flags & MAP_GROWSDOWN) ? VM_GROWSDOWN : 0) |
	       ((flags & MAP_LOCKED) ? VM_LOCKED : 0) |
	       ((flags & MAP_STACK) ? VM_NOHUGEPAGE : 0);
}

/*
 * mmap_type_flags() - the checks and flags that depend on the mapping
 * type, in do_mmap()'s order.  A file's MAP_SHARED drops unknown bits
 * (and write rights, when the file was opened read-only),
 * MAP_SHARED_VALIDATE refuses them; a file or a shared anonymous
 * mapping cannot grow down; anonymous memory knows no
 * MAP_SHARED_VALIDATE.  Returns 0 or a negative errno.
 */
static int mmap_type_flags(struct file *file, unsigned long flags,
			   unsigned long prot, vm_flags_t *vm_flags)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED_VALIDATE:
		if (!file)
			return -EINVAL;
		if (flags & ~LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		/* fall through */
	case MAP_SHARED:
		/* Writing through it needs a file opened for writing. */
		if (file && (prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		/*
		 * A read-only file's shared mapping can never become
		 * writable (no VM_MAYWRITE, so mprotect refuses), and
		 * without VM_SHARED it is not counted as a writable shared
		 * mapping.
		 */
		if (file && !(file->f_mode & FMODE_WRITE))
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		/* fall through */
	case MAP_PRIVATE:
		if ((file || (flags & MAP_TYPE) != MAP_PRIVATE) &&
		    (*vm_flags & VM_GROWSDOWN))
			return -EINVAL;
		return 0;
	case MAP_DROPPABLE:
		/* Reclaim may drop its pages at any time: not modelled. */
		return file ? -EINVAL : -ENOTMODELLED;
	default:
		return -EINVAL;
	}
}

/*
 * do_mmap() with the mmap lock held for write.  *@populate is set to
 * the length to fault in once the lock is dropped (MAP_POPULATE without
 * MAP_NONBLOCK, or a VM_LOCKED mapping), else 0.
 */
static long do_mmap(struct mm_struct *mm, unsigned long addr,
		    unsigned long len, unsigned long prot, unsigned long flags,
		    struct file *file, unsigned long pgoff,
		    unsigned long *populate)
{
	vm_flags_t vm_flags;
	struct file *shmem = NULL;
	struct vma_munmap_struct vms = { NULL, 0 };
	long ret;

	*populate = 0;
	if ((flags & MAP_ANONYMOUS) && file)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !file)
		return -EBADF;
	if (flags & MAP_HUGETLB) {
		/*
		 * Only a hugetlbfs file takes MAP_HUGETLB.  Anonymous huge
		 * pages are not modelled (nor is hugetlbfs): -ENOTMODELLED,
		 * which the host kernel never returns (it says ENOMEM when
		 * no huge page is reserved, as on this machine).
		 */
		return file ? -EINVAL : -ENOTMODELLED;
	}
	if (!len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;

	if (flags & MAP_FIXED) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) &&
		    find_vma_intersection(mm, addr, addr + len))
			return -EEXIST;
	} else {
		addr = get_unmapped_area(mm, addr, len, flags);
		if (addr == (unsigned long)-ENOMEM)
			return -ENOMEM;
	}

	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) |
		   mm->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	ret = mmap_type_flags(file, flags, prot, &vm_flags);
	if (ret)
		return ret;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	if (!file) {
		if (vm_flags & VM_SHARED) {
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
	if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE)) {
		ret = vms_gather_munmap_vmas(mm, addr, addr + len, &vms);
		if (ret)
			goto out;
		vms_complete_munmap_vmas(mm, &vms);
	}
	ret = mmap_region(mm, file, addr, len, vm_flags, pgoff);
	if (ret >= 0 && ((vm_flags & VM_LOCKED) ||
			 (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		*populate = len;
out:
	if (shmem)
		fput(shmem);	/* the VMA holds its own reference */
	return ret;
}

/**
 * sys_mmap() - mmap(2) on @mm.  Returns the address or a negative errno
 * (-ENOTMODELLED for what the kernel accepts but the model lacks:
 * anonymous MAP_HUGETLB, MAP_DROPPABLE).  Flags the kernel ignores are
 * ignored; MAP_POPULATE and MAP_LOCKED fault the range in afterwards.
 * @mm: the address space.  @addr, @len, @prot, @flags: as mmap(2).
 * @file: the simulated file for a file mapping, NULL with MAP_ANONYMOUS.
 * @pgoff: file offset in pages.
 */
long sys_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, struct file *file,
	      unsigned long pgoff)
{
	unsigned long populate;
	long ret;

	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, prot, flags, file, pgoff, &populate);
	mmap_write_unlock(mm);
	/* As vm_mmap_pgoff(): after the lock is dropped, errors ignored. */
	if (populate)
		mm_populate(mm, (unsigned long)ret, populate);
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
			   VM_MAYEXEC | VM_ACCOUNT | mm->def_flags;

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
 * After mlockall(MCL_FUTURE) the new part of the heap is populated.
 */
unsigned long sys_brk(struct mm_struct *mm, unsigned long brk)
{
	unsigned long newbrk, oldbrk, ret, populate = 0;

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
			 newbrk - oldbrk) == 0) {
		mm->brk = brk;
		if (mm->def_flags & VM_LOCKED)
			populate = newbrk - oldbrk;
	}
out:
	ret = mm->brk;
	mmap_write_unlock(mm);
	if (populate)
		mm_populate(mm, oldbrk, populate);
	return ret;
}

/**
 * expand_downwards() - grow the stack @vma down to the page of @address
 * (the kernel's expand_downwards(), mm/mmap.c).  The mmap lock is held
 * for write.
 *
 * Refused below vm.mmap_min_addr (-EPERM), within the guard gap above
 * an accessible VMA that is not itself a stack (-ENOMEM), and beyond
 * the stack limit (-ENOMEM).  The anon_vma is prepared before the size
 * is checked, as in the kernel, so even a refused growth leaves the VMA
 * faulted; the grown range is covered by the same
 * anon_vma, and the VMA's place in the interval trees moves with its
 * new start and pgoff.  The VMA never merges with its neighbour.
 */
int expand_downwards(struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev;
	unsigned long grow;
	struct anon_vma *av;

	mmap_assert_write_locked(mm);
	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	address &= PAGE_MASK;
	if (address < MMAP_MIN_ADDR)
		return -EPERM;
	prev = vma_prev(vma);
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    address - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (address >= vma->vm_start)
		return 0;	/* grown already */
	/* Before the size checks: a growth refused by them keeps it. */
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	grow = (vma->vm_start - address) >> PAGE_SHIFT;
	if (grow > vma->vm_pgoff || vma->vm_end - address > STACK_RLIMIT)
		return -ENOMEM;

	vma_start_write(vma);
	av = vma->anon_vma;
	anon_vma_lock_write(av);
	anon_vma_interval_tree_pre_update_vma(vma);
	vma->vm_start = address;
	vma->vm_pgoff -= grow;
	anon_vma_interval_tree_post_update_vma(vma);
	anon_vma_unlock_write(av);
	mm->total_vm += grow;
	return 0;
}

/**
 * expand_stack() - see include/anonvma/mm.h.  What x86's
 * lock_mm_and_find_vma() does for a user fault outside every VMA: only
 * when the next VMA up is a stack, upgrade the mmap lock (drop it and
 * take it for write), look again (the address may be mapped by now),
 * grow, and downgrade.
 */
struct vm_area_struct *expand_stack(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	vma = find_vma(mm, addr);
	if (!vma || !(vma->vm_flags & VM_GROWSDOWN)) {
		mmap_read_unlock(mm);
		return NULL;
	}
	mmap_read_unlock(mm);
	mmap_write_lock(mm);
	vma = find_vma(mm, addr);
	if (!vma || (vma->vm_start > addr && expand_downwards(vma, addr))) {
		mmap_write_unlock(mm);
		return NULL;
	}
	mmap_write_downgrade(mm);
	return vma;
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
