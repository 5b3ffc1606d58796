/* SPDX-License-Identifier: MIT */
/*
 * mm/mremap.c - resize and move mappings (spec §3.7).
 *
 * A moved faulted VMA keeps its vm_pgoff, so that every folio->index in
 * it stays valid; an unfaulted anonymous one takes the page offset of
 * its new address, like a fresh mapping.  That asymmetry decides which
 * moved VMAs merge (spec §5.3-7, -8, -10).
 *
 * Since 6.17 a move that names its destination and keeps the size may
 * span several VMAs and the gaps between them (remap_move()); every
 * other mremap still works on the one VMA its range lies in.
 */
#include "vma.h"
#include "design.h"


/*
 * vma_to_resize() - the VMA that [addr, addr + old_len) lies in, if the
 * range does not cross its end and it may grow to @new_len.
 */
static struct vm_area_struct *vma_to_resize(struct mm_struct *mm,
					    unsigned long addr,
					    unsigned long old_len,
					    unsigned long new_len, int *err)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	unsigned long pgoff;

	*err = -EFAULT;
	if (!vma)
		return NULL;
	if (old_len > vma->vm_end - addr)
		return NULL;
	if (new_len == old_len)
		return vma;
	pgoff = linear_page_index(vma, addr);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff) {
		*err = -EINVAL;
		return NULL;
	}
	if (new_len > old_len && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return NULL;
	return vma;
}

/*
 * dontunmap_complete() - MREMAP_DONTUNMAP leaves the old VMA in place
 * without page tables.  It loses VM_LOCKED; if it moved whole to another
 * VMA, its anon_vma links go too, so it is unfaulted again (its vm_pgoff
 * stays as it was).  It keeps VM_ACCOUNT: the spec (§3.7) says the flag
 * is cleared, but 6.18.44 carries the stable fix "correctly account old
 * mapping after MREMAP_DONTUNMAP remap", and the host kernel is the
 * referee (the fuzzer found the difference through merges).
 */
static void dontunmap_complete(struct vm_area_struct *vma,
			       struct vm_area_struct *new_vma,
			       unsigned long old_addr, unsigned long old_len)
{
	vma_start_write(vma);
	vma->vm_flags &= ~VM_LOCKED_MASK;
	if (new_vma != vma && vma->vm_start == old_addr &&
	    vma->vm_end == old_addr + old_len) {
		unlink_anon_vmas(vma);
		/* Design eager: a failure here makes its first write OOM. */
		anon_vma_prepare_linked(vma, vma->vm_flags);
	}
}

/*
 * move_vma() - move [old_addr, old_addr + old_len) of @vma to @new_addr:
 * copy_vma() makes (or merges into) the destination, the PTEs move,
 * and the old range is unmapped unless MREMAP_DONTUNMAP.
 */
static long move_vma(struct vm_area_struct *vma, unsigned long old_addr,
		     unsigned long old_len, unsigned long new_len,
		     unsigned long new_addr, unsigned long flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new_vma;
	unsigned long new_pgoff, moved;
	bool need_rmap_locks = false;

	if (mm->map_count >= sysctl_max_map_count - 3)
		return -ENOMEM;
	vma_start_write(vma);
	new_pgoff = linear_page_index(vma, old_addr);
	new_vma = copy_vma(&vma, new_addr, new_len, new_pgoff,
			   &need_rmap_locks);
	if (!new_vma)
		return -ENOMEM;
	mm->total_vm += new_len >> PAGE_SHIFT;

	moved = move_page_tables(vma, old_addr, new_vma, new_addr, old_len,
				 need_rmap_locks);
	if (moved < old_len) {
		/* Put back what moved, then drop the destination. */
		move_page_tables(new_vma, new_addr, vma, old_addr, moved, true);
		do_vmi_munmap(mm, new_addr, new_len);
		return -ENOMEM;
	}
	if (flags & MREMAP_DONTUNMAP) {
		dontunmap_complete(vma, new_vma, old_addr, old_len);
		return (long)new_addr;
	}
	do_vmi_munmap(mm, old_addr, old_len);
	return (long)new_addr;
}

/* A free gap for a move without MREMAP_FIXED: the first above the old range. */
static unsigned long mremap_pick_address(struct mm_struct *mm,
					 unsigned long from, unsigned long len)
{
	unsigned long addr = from;
	struct vm_area_struct *vma;

	while ((vma = find_vma_intersection(mm, addr, addr + len)))
		addr = vma->vm_end;
	return addr + len <= TASK_SIZE ? addr : 0;
}

/*
 * check_new_addr() - the checks 6.18's check_mremap_params() makes on a
 * call that names its destination (MREMAP_FIXED or MREMAP_DONTUNMAP),
 * before any VMA is looked at.  They concern the whole range, so a
 * move over several VMAs is refused as a whole: a destination that
 * overlaps the source range is EINVAL even where it would only meet
 * a gap of it.  The last one refuses a call that could run out of
 * VMAs half-way (two more splits than move_vma() itself allows for).
 */
static int check_new_addr(struct mm_struct *mm, unsigned long addr,
			  unsigned long old_len, unsigned long new_addr,
			  unsigned long new_len, unsigned long flags)
{
	if (new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len)
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && addr + old_len > new_addr &&
	    new_addr + new_len > addr)
		return -EINVAL;
	if (mm->map_count + 2 >= sysctl_max_map_count - 3)
		return -ENOMEM;
	return 0;
}

/*
 * mremap_to() - a move with MREMAP_FIXED and/or MREMAP_DONTUNMAP of a
 * range inside one VMA; check_new_addr() has passed.
 */
static long mremap_to(struct mm_struct *mm, unsigned long addr,
		      unsigned long old_len, unsigned long new_addr,
		      unsigned long new_len, unsigned long flags)
{
	struct vm_area_struct *vma;
	int err;

	/*
	 * Validate the source before unmapping anything at the
	 * destination, so that a refused call changes nothing.
	 */
	vma = vma_to_resize(mm, addr, old_len < new_len ? old_len : new_len,
			    new_len, &err);
	if (!vma)
		return err;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		err = do_vmi_munmap(mm, new_addr, new_len);
		if (err)
			return err;
	}
	if (old_len > new_len) {
		err = do_vmi_munmap(mm, addr + new_len, old_len - new_len);
		if (err)
			return err;
		old_len = new_len;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, &err);
	if (!vma)
		return err;
	if (!(flags & MREMAP_FIXED)) {
		new_addr = mremap_pick_address(mm, vma->vm_end, new_len);
		if (!new_addr)
			return -ENOMEM;
	}
	return move_vma(vma, addr, old_len, new_len, new_addr, flags);
}

/**
 * remap_move() - MREMAP_FIXED without a change of size: move every VMA
 * in [@addr, @addr + @len) to @new_addr, each piece with mremap_to(),
 * keeping the gaps between them (6.17, commit d23cb648e365 "mm/mremap:
 * permit mremap() move of multiple VMAs").
 * @mm:       the address space, write-locked; check_new_addr() passed.
 * @addr:     the start of the source range; it must be mapped (EFAULT).
 * @len:      its length; the range may end in a gap.
 * @new_addr: where @addr goes.
 * @flags:    MREMAP_MAYMOVE | MREMAP_FIXED, maybe MREMAP_DONTUNMAP.
 *
 * A piece is the part of one VMA inside the range, so the VMAs at the
 * ends are split.  Each piece is a move of its own: its destination
 * alone is unmapped first (so what lies opposite a gap of the source
 * stays mapped), copy_vma() gives it its own anon state and merges it
 * with whatever it lands next to (an earlier piece, a neighbour of the
 * destination, even an unmoved VMA of the source range), and the
 * source piece is unmapped, or with MREMAP_DONTUNMAP keeps its VMA and
 * loses its anon_vma when it was the whole VMA (dontunmap_complete()).
 *
 * The next VMA is looked for from where the last one ended before it
 * moved, as the kernel's VMA iterator resumes after being invalidated,
 * and never past the range's end.  A VMA of the range that absorbed a
 * moved piece (so that it now reaches out of the range) is found there
 * all the same, and only its part inside the range moves, faulted now
 * (tests/scenarios/mremap-multi-merge-source.scn).
 *
 * A failure stops the walk and is returned: the pieces already moved
 * stay moved, the failing piece is undone as a single move would be
 * (its destination stays unmapped), and the rest is untouched.  The
 * kernel does the same (the commit accepts a partial move on an error
 * that is rare and usually fatal).  The kernel also refuses with
 * EFAULT, before anything moves, a range that runs past the end of its
 * first VMA when that VMA is registered with userfaultfd or maps a file
 * whose get_unmapped_area() may not honour MREMAP_FIXED
 * (vma_multi_allowed()), and stops with EFAULT at such a VMA later in
 * the range; the model has neither kind of VMA (its files are the
 * host's memfds, shmem, which may take part).
 *
 * Return: @new_addr, or a negative errno.
 */
static long remap_move(struct mm_struct *mm, unsigned long addr,
		       unsigned long len, unsigned long new_addr,
		       unsigned long flags)
{
	unsigned long end = addr + len, pos = addr, target = new_addr;
	unsigned long last_end = addr;
	struct vm_area_struct *vma;
	long ret = -EFAULT;
	bool seen = false;

	/*
	 * A piece may merge with its own VMA (unfaulted, moved inside it)
	 * and so stretch it past the range: the walk stops at the end.
	 */
	while (pos < end && (vma = find_vma_intersection(mm, pos, end))) {
		unsigned long from = vma->vm_start > addr ? vma->vm_start : addr;
		unsigned long n = (vma->vm_end < end ? vma->vm_end : end) - from;
		long moved;

		/* No gap at the start: the first piece gives the result. */
		if (!seen && addr < vma->vm_start)
			return -EFAULT;
		/* The gap before this VMA reappears before its copy. */
		if (seen)
			target += vma->vm_start - last_end;
		last_end = vma->vm_end;
		moved = mremap_to(mm, from, n, target, n, flags);
		if (moved < 0)
			return moved;
		if (!seen)
			ret = moved;
		seen = true;
		target = (unsigned long)moved + n;
		pos = last_end;
	}
	return ret;
}

/**
 * sys_mremap() - mremap(2) on @mm.  Returns the (new) address or a
 * negative errno.
 * @mm: the address space.  @addr: page aligned start.
 * @old_len, @new_len: bytes.  @flags: MREMAP_MAYMOVE, MREMAP_FIXED,
 * MREMAP_DONTUNMAP.  @new_addr: the destination with MREMAP_FIXED.
 */
long sys_mremap(struct mm_struct *mm, unsigned long addr,
		unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	unsigned long delta;
	bool locked;
	long ret;
	int err;

	if (flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE |
				     MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len || !old_len)
		return -EINVAL;

	mmap_write_lock(mm);
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		ret = check_new_addr(mm, addr, old_len, new_addr, new_len,
				     flags);
		if (ret)
			goto out;
		/* vrm_move_only(): only a pure move may span VMAs. */
		if ((flags & MREMAP_FIXED) && old_len == new_len)
			ret = remap_move(mm, addr, old_len, new_addr, flags);
		else
			ret = mremap_to(mm, addr, old_len, new_addr, new_len,
					flags);
		goto out;
	}
	if (!vma_lookup(mm, addr)) {
		ret = -EFAULT;
		goto out;
	}
	if (old_len >= new_len) {
		ret = old_len == new_len ? 0 :
		      do_vmi_munmap(mm, addr + new_len, old_len - new_len);
		if (!ret)
			ret = (long)addr;
		goto out;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, &err);
	if (!vma) {
		ret = err;
		goto out;
	}
	delta = new_len - old_len;
	if (old_len == vma->vm_end - addr && vma->vm_end + delta <= TASK_SIZE &&
	    !find_vma_intersection(mm, vma->vm_end, vma->vm_end + delta)) {
		/* Grow in place; the new part continues the pgoff (spec §3.7). */
		if (!vma_merge_extend(vma, delta)) {
			ret = -ENOMEM;
			goto out;
		}
		mm->total_vm += delta >> PAGE_SHIFT;
		ret = (long)addr;
		goto out;
	}
	ret = -ENOMEM;
	if (flags & MREMAP_MAYMOVE) {
		new_addr = mremap_pick_address(mm, vma->vm_end, new_len);
		if (new_addr)
			ret = move_vma(vma, addr, old_len, new_len, new_addr,
				       flags);
	}
out:
	/* A locked mapping that grew is populated, as after mmap. */
	vma = ret >= 0 && new_len > old_len ? vma_lookup(mm, (unsigned long)ret) : NULL;
	locked = vma && (vma->vm_flags & VM_LOCKED);
	mmap_write_unlock(mm);
	if (locked)
		mm_populate(mm, (unsigned long)ret + old_len, new_len - old_len);
	return ret;
}
