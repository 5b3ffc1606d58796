/* SPDX-License-Identifier: MIT */
/*
 * mm/vma.c - splitting and merging VMAs, and where that meets the
 * anon_vma (spec §2.3, §3.4, §3.5, §3.7, §5).
 *
 * The merge rules are those of 6.16 and later (the three cases of
 * is_mergeable_anon_vma()) with the January 2026 mremap fix
 * (vmg->copied_from).
 */
#include "vma.h"
#include "design.h"

/* ------------------------------------------------------------------ */
/* Reusing a neighbour's anon_vma at first fault (spec §2.3)           */

/*
 * anon_vma_compatible() - could @a (below) and @b (above) merge once
 * their protections agree?  R/W/X may differ, nothing else may.
 */
static bool anon_vma_compatible(struct vm_area_struct *a,
				struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start &&
	       a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) &
		 ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE)) &&
	       b->vm_pgoff == a->vm_pgoff +
				((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

/*
 * reusable_anon_vma() - @old's anon_vma, if @a and @b are compatible and
 * @old's chain is singular: only a root used without hierarchy may be
 * shared, or the new VMA would get a one-entry chain for a non-root
 * (Linus, 2010).  The pointer is read once: a racing fault may be
 * setting it up right now, singular by construction.
 */
static struct anon_vma *reusable_anon_vma(struct vm_area_struct *old,
					  struct vm_area_struct *a,
					  struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b)) {
		struct anon_vma *av = READ_ONCE(old->anon_vma);

		if (av && list_is_singular(&old->anon_vma_chain))
			return av;
	}
	return NULL;
}

/**
 * find_mergeable_anon_vma() - an anon_vma a neighbour of @vma can share.
 * @vma: a VMA about to fault for the first time.
 *
 * Looks at the next VMA first, then the previous one, never further
 * (spec §2.3).  Returns NULL when a new anon_vma is needed.
 */
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *prev, *next;
	struct anon_vma *av = NULL;

	next = find_vma(vma->vm_mm, vma->vm_end);
	if (next && next->vm_start == vma->vm_end)
		av = reusable_anon_vma(next, vma, next);
	if (av)
		return av;
	prev = vma_prev_of_addr(vma->vm_mm, vma->vm_start);
	if (prev)
		av = reusable_anon_vma(prev, prev, vma);
	return av;
}

/* ------------------------------------------------------------------ */
/* Removing and linking                                                */

/** remove_vma() - drop the file reference and free a detached VMA. */
void remove_vma(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
}

/**
 * vma_link() - insert a brand-new VMA into @mm's index; 0 or -ENOMEM.
 * @mm:  its address space, locked for write.
 * @vma: the new VMA.
 *
 * The eager designs give it its anon_vma here (seed 001 called
 * anon_vma_prepare() from vma_link()); the index is reserved first so
 * that nothing can fail after that.
 */
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma_index_prealloc(mm, 1))
		return -ENOMEM;
	if (anon_vma_prepare_linked(vma, vma->vm_flags))
		return -ENOMEM;
	vma_index_insert(mm, vma);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Split (spec §3.4)                                                   */

/**
 * __split_vma() - split @vma at @addr; the new VMA takes the part below
 * (@new_below) or above @addr.  The new half is linked into every
 * anon_vma of @vma's chain before the two ranges change, under the
 * root lock.  Returns 0 or -ENOMEM with nothing changed.
 */
int __split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new;
	struct anon_vma *av;

	WARN_ON(vma->vm_start >= addr);
	WARN_ON(vma->vm_end <= addr);

	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	if (vma_index_prealloc(mm, 1))
		goto out_free;
	if (anon_vma_clone(new, vma, VMA_OP_SPLIT))
		goto out_free;
	if (new->vm_file)
		get_file(new->vm_file);

	vma_start_write(vma);
	vma_start_write(new);
	av = vma->anon_vma;
	if (av) {
		anon_vma_lock_write(av);
		anon_vma_interval_tree_pre_update_vma(vma);
	}
	if (new_below) {
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		vma->vm_end = addr;
	}
	vma_index_insert(mm, new);
	if (av) {
		anon_vma_interval_tree_post_update_vma(vma);
		anon_vma_unlock_write(av);
	}
	return 0;

out_free:
	/* The copied anon_vma pointer goes with it; the chain is empty. */
	new->anon_vma = NULL;
	vm_area_free(new);
	return -ENOMEM;
}

/** split_vma() - __split_vma() that refuses beyond vm.max_map_count. */
int split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	if (vma->vm_mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	return __split_vma(vma, addr, new_below);
}

/* ------------------------------------------------------------------ */
/* Merge rules (spec §3.5)                                             */

static bool is_mergeable_vma(struct vma_merge_struct *vmg, bool merge_next)
{
	struct vm_area_struct *other = merge_next ? vmg->next : vmg->prev;

	return !((other->vm_flags ^ vmg->vm_flags) & ~VM_IGNORE_MERGE) &&
	       other->vm_file == vmg->file;
}

/*
 * is_mergeable_anon_vma() - the three cases of 6.16+ (spec §3.5).
 * Case 1: the target is unfaulted, the source faulted: the source's
 * state will be duplicated into the target, refused if the source (or
 * the mremap source) is a fork child.  Case 2: the target is faulted,
 * the source not: refused if the target is a fork child.  Case 3: both
 * unfaulted or both faulted: only the same anon_vma merges, fork child
 * or not.
 */
static bool is_mergeable_anon_vma(struct vma_merge_struct *vmg, bool merge_next)
{
	struct vm_area_struct *tgt = merge_next ? vmg->next : vmg->prev;
	struct vm_area_struct *src = vmg->middle;
	struct anon_vma *tgt_anon = tgt->anon_vma;
	struct anon_vma *src_anon = vmg->anon_vma;

	VM_WARN_ON_ONCE(src && src_anon != src->anon_vma);
	if (!tgt_anon && src_anon)
		return !vma_is_fork_child(src) &&
		       !vma_is_fork_child(vmg->copied_from);
	if (tgt_anon && !src_anon)
		return !vma_is_fork_child(tgt);
	return src_anon == tgt_anon;
}

/* Can the range join @vmg->next from below? */
static bool can_vma_merge_before(struct vma_merge_struct *vmg)
{
	unsigned long pglen = (vmg->end - vmg->start) >> PAGE_SHIFT;

	return is_mergeable_vma(vmg, true) && is_mergeable_anon_vma(vmg, true) &&
	       vmg->next->vm_pgoff == vmg->pgoff + pglen;
}

/* Can the range join @vmg->prev from above? */
static bool can_vma_merge_after(struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, false) &&
	       is_mergeable_anon_vma(vmg, false) &&
	       vmg->prev->vm_pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

static bool can_vma_merge_left(struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(vmg);
}

/*
 * can_vma_merge_right() - and, when also merging left, prev and next
 * must be compatible with each other: each being compatible with the
 * range does not make them compatible (spec §5.3-9).
 */
static bool can_vma_merge_right(struct vma_merge_struct *vmg,
				bool can_merge_left)
{
	struct vm_area_struct *prev = vmg->prev, *next = vmg->next;

	if (!next || vmg->end != next->vm_start || !can_vma_merge_before(vmg))
		return false;
	if (!can_merge_left)
		return true;
	return !prev->anon_vma || !next->anon_vma ||
	       prev->anon_vma == next->anon_vma;
}

/**
 * dup_anon_vma() - an unfaulted merge target adopts @src's anon state.
 * @dst: the target, write-locked (Jann Horn 2023, spec §6.5).
 * @src: a faulted VMA whose range @dst absorbs.
 * @dup: set to @dst when something was duplicated, for the abort path.
 *
 * On failure @dst is left unfaulted: the series' code leaves the copied
 * anon_vma pointer behind with an empty chain (spec §6.7), which breaks
 * I3 and I8; this model resets it as the pre-series code did.
 */
static int dup_anon_vma(struct vm_area_struct *dst, struct vm_area_struct *src,
			struct vm_area_struct **dup)
{
	int ret;

	if (!src->anon_vma || dst->anon_vma)
		return 0;
	vma_assert_write_locked(dst);
	dst->anon_vma = src->anon_vma;
	ret = anon_vma_clone(dst, src, VMA_OP_MERGE_UNFAULTED);
	if (ret) {
		if (!bug_enabled(BUG_DUP_STALE_ANON_VMA))
			dst->anon_vma = NULL;
		return ret;
	}
	*dup = dst;
	return 0;
}

/**
 * vmg_init_vma_state() - describe [@start, @end) of @vma for a merge
 * (the kernel's VMG_VMA_STATE()).
 */
void vmg_init_vma_state(struct vma_merge_struct *vmg,
			struct vm_area_struct *prev,
			struct vm_area_struct *vma, unsigned long start,
			unsigned long end)
{
	*vmg = (struct vma_merge_struct){
		.mm = vma->vm_mm,
		.prev = prev,
		.middle = vma,
		.start = start,
		.end = end,
		.pgoff = linear_page_index(vma, start),
		.vm_flags = vma->vm_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
	};
}

/*
 * commit_merge() - apply a merge decided by the callers: set the
 * target's range (or, when next grows down, middle's), adjust the one
 * VMA that only moves its boundary, remove the absorbed VMAs.  Every
 * VMA whose range changes has its chains out of the trees meanwhile,
 * under the root lock (rule L3).  Removed VMAs are unlinked from their
 * anon_vmas afterwards: by the merge rules they had either no anon_vma
 * or the target's (the series removed anon_vma_merge()).
 */
static int commit_merge(struct vma_merge_struct *vmg)
{
	struct mm_struct *mm = vmg->mm;
	struct vm_area_struct *vma, *adjust = NULL;
	struct vm_area_struct *remove[2] = { NULL, NULL };
	struct anon_vma *av;
	unsigned long adj_pgoff = 0;
	int nr_remove = 0, i;

	if (vmg->__adjust_next_start)
		vma = vmg->middle;
	else
		vma = vmg->target;
	if (vmg->__remove_middle)
		remove[nr_remove++] = vmg->middle;
	if (vmg->__remove_next)
		remove[nr_remove++] = vmg->next;
	if (vmg->__adjust_middle_start)
		adjust = vmg->middle;
	else if (vmg->__adjust_next_start)
		adjust = vmg->next;

	/* The maple tree's preallocation: the only failure point. */
	if (vma_index_prealloc(mm, 1))
		return -ENOMEM;

	av = vma->anon_vma;
	if (!av && adjust)
		av = adjust->anon_vma;
	VM_WARN_ON_ONCE(av && adjust && adjust->anon_vma &&
			av != adjust->anon_vma);

	for (i = 0; i < nr_remove; i++) {
		vma_start_write(remove[i]);
		vma_index_remove(mm, remove[i]);
	}
	if (av) {
		anon_vma_lock_write(av);
		anon_vma_interval_tree_pre_update_vma(vma);
		if (adjust)
			anon_vma_interval_tree_pre_update_vma(adjust);
	}

	/* Range changes need the VMA write lock as well (rule L3). */
	vma_assert_write_locked(vma);
	if (adjust)
		vma_assert_write_locked(adjust);
	if (adjust == vmg->middle && adjust)
		adj_pgoff = adjust->vm_pgoff +
			    ((vmg->end - adjust->vm_start) >> PAGE_SHIFT);
	else if (adjust)
		adj_pgoff = adjust->vm_pgoff -
			    ((adjust->vm_start - vmg->end) >> PAGE_SHIFT);
	vma->vm_start = vmg->start;
	vma->vm_end = vmg->end;
	vma->vm_pgoff = vmg->pgoff;
	if (adjust) {
		adjust->vm_start = vmg->end;
		adjust->vm_pgoff = adj_pgoff;
	}

	if (av) {
		anon_vma_interval_tree_post_update_vma(vma);
		if (adjust)
			anon_vma_interval_tree_post_update_vma(adjust);
		anon_vma_unlock_write(av);
	}

	for (i = 0; i < nr_remove; i++) {
		if (remove[i]->anon_vma)
			unlink_anon_vmas(remove[i]);
		remove_vma(remove[i]);
	}
	return 0;
}

/**
 * vma_merge_existing_range() - merge [start, end) of vmg->middle, whose
 * attributes change, into prev and/or next (mprotect, madvise, ...).
 * Returns the VMA that now holds the range, or NULL (vmg->state says
 * whether it was refused or ran out of memory; nothing changed then).
 */
struct vm_area_struct *vma_merge_existing_range(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *middle = vmg->middle, *prev = vmg->prev;
	struct vm_area_struct *next = NULL, *anon_dup = NULL;
	unsigned long start = vmg->start, end = vmg->end;
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	bool merge_left = false, merge_right = false, merge_both;
	int err;

	mmap_assert_write_locked(vmg->mm);
	VM_WARN_ON_ONCE(vmg->next);
	VM_WARN_ON_ONCE(vmg->copied_from);
	VM_WARN_ON_ONCE(start < middle->vm_start || end > middle->vm_end);
	vmg->state = VMA_MERGE_NOMERGE;

	if ((vmg->vm_flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;
	if (left_side)
		merge_left = can_vma_merge_left(vmg);
	if (right_side) {
		next = vmg->next = vma_next(middle);
		merge_right = can_vma_merge_right(vmg, merge_left);
	}
	if (!merge_left && !merge_right)
		return NULL;

	merge_both = merge_left && merge_right;
	vmg->__remove_middle = left_side && right_side;
	vmg->__remove_next = merge_both;

	vma_start_write(middle);
	if (merge_right) {
		vma_start_write(next);
		vmg->target = next;
	}
	if (merge_left) {
		vma_start_write(prev);
		vmg->target = prev;
	}

	if (merge_both) {
		vmg->start = prev->vm_start;
		vmg->end = next->vm_end;
		vmg->pgoff = prev->vm_pgoff;
		/* prev, middle and next are compatible: copy whichever is faulted. */
		err = dup_anon_vma(prev, next->anon_vma ? next : middle,
				   &anon_dup);
	} else if (merge_left) {
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		if (!vmg->__remove_middle)
			vmg->__adjust_middle_start = true;
		err = dup_anon_vma(prev, middle, &anon_dup);
	} else {
		unsigned long pglen = (end - start) >> PAGE_SHIFT;

		if (vmg->__remove_middle) {
			vmg->end = next->vm_end;
			vmg->pgoff = next->vm_pgoff - pglen;
		} else {
			/* middle shrinks to [middle.start, start), next grows down. */
			vmg->__adjust_next_start = true;
			vmg->start = middle->vm_start;
			vmg->end = start;
			vmg->pgoff = middle->vm_pgoff;
		}
		err = dup_anon_vma(next, middle, &anon_dup);
	}
	if (!err)
		err = commit_merge(vmg);
	if (err) {
		if (anon_dup)
			unlink_anon_vmas(anon_dup);
		vmg->start = start;
		vmg->end = end;
		if (!vmg->give_up_on_oom)
			vmg->state = VMA_MERGE_ERROR_NOMEM;
		return NULL;
	}
	vmg->state = VMA_MERGE_SUCCESS;
	return vmg->target;
}

/**
 * vma_expand() - grow vmg->target over [start, end), absorbing next when
 * the range reaches its end, and adopting the anon state of next or of
 * the mremap source (vmg->copied_from, the January 2026 fix for the
 * use-after-free of spec §6.6).  Returns 0 or -ENOMEM with nothing
 * changed.
 */
int vma_expand(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *anon_dup = NULL;
	struct vm_area_struct *target = vmg->target, *next = vmg->next;
	bool remove_next = false;
	int ret = 0;

	mmap_assert_write_locked(vmg->mm);
	vma_start_write(target);
	if (next && target != next && vmg->end == next->vm_end) {
		remove_next = true;
		vma_start_write(next);
		ret = dup_anon_vma(target, next, &anon_dup);
		if (ret)
			goto nomem;
	}
	if (vmg->copied_from) {
		ret = dup_anon_vma(target, vmg->copied_from, &anon_dup);
		if (ret)
			goto nomem;
	}
	VM_WARN_ON_ONCE(next && !remove_next && next != target &&
			vmg->end > next->vm_start);
	VM_WARN_ON_ONCE(target->vm_start < vmg->start ||
			target->vm_end > vmg->end);
	vmg->__remove_next = remove_next;
	if (commit_merge(vmg))
		goto nomem;
	return 0;

nomem:
	if (anon_dup)
		unlink_anon_vmas(anon_dup);
	if (!vmg->give_up_on_oom)
		vmg->state = VMA_MERGE_ERROR_NOMEM;
	return -ENOMEM;
}

/**
 * vma_merge_new_range() - merge a range that no VMA covers yet (mmap,
 * brk, mremap) into prev and/or next.  Returns the VMA that now covers
 * it, or NULL.
 */
struct vm_area_struct *vma_merge_new_range(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *prev = vmg->prev, *next = vmg->next;
	bool can_merge_left, can_merge_right;

	mmap_assert_write_locked(vmg->mm);
	VM_WARN_ON_ONCE(vmg->middle);
	VM_WARN_ON_ONCE(vmg->target);
	vmg->state = VMA_MERGE_NOMERGE;

	if ((vmg->vm_flags & VM_SPECIAL) || (!prev && !next))
		return NULL;
	can_merge_left = can_vma_merge_left(vmg);
	can_merge_right = !vmg->just_expand &&
			  can_vma_merge_right(vmg, can_merge_left);
	if (can_merge_right) {
		vmg->end = next->vm_end;
		vmg->target = next;
	}
	if (can_merge_left) {
		vmg->start = prev->vm_start;
		vmg->target = prev;
		vmg->pgoff = prev->vm_pgoff;
	}
	if (vmg->target && !vma_expand(vmg)) {
		vmg->state = VMA_MERGE_SUCCESS;
		return vmg->target;
	}
	return NULL;
}

/**
 * vma_modify_flags() - see mm/vma.h.  First try to merge; otherwise
 * split off the parts of @vma outside [start, end).  As in the kernel a
 * failure of the second split leaves the first in place.
 */
struct vm_area_struct *vma_modify_flags(struct vm_area_struct *prev,
					struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					vm_flags_t vm_flags, int *err)
{
	struct vma_merge_struct vmg;
	struct vm_area_struct *merged;

	vmg_init_vma_state(&vmg, prev, vma, start, end);
	vmg.vm_flags = vm_flags;
	merged = vma_merge_existing_range(&vmg);
	if (merged) {
		vma = merged;
		goto out;
	}
	if (vmg_nomem(&vmg)) {
		*err = -ENOMEM;
		return NULL;
	}
	if (vma->vm_start < start) {
		*err = split_vma(vma, start, 1);
		if (*err)
			return NULL;
	}
	if (vma->vm_end > end) {
		*err = split_vma(vma, end, 0);
		if (*err)
			return NULL;
	}
out:
	/*
	 * Design eager-rw: a mapping that becomes writable gets the anon_vma
	 * it was spared while read-only; seed 001 expected this cost at
	 * mprotect time.  A no-op in other designs.
	 */
	*err = anon_vma_prepare_linked(vma, vm_flags);
	if (*err)
		return NULL;
	return vma;
}

/**
 * vma_set_flags_range() - see mm/vma.h.
 */
int vma_set_flags_range(struct vm_area_struct **prev,
			struct vm_area_struct *vma, unsigned long start,
			unsigned long end, vm_flags_t vm_flags)
{
	int err = 0;

	if (vm_flags == vma->vm_flags) {
		*prev = vma;
		return 0;
	}
	vma = vma_modify_flags(*prev, vma, start, end, vm_flags, &err);
	if (!vma)
		return err;
	*prev = vma;
	vma_start_write(vma);
	vma->vm_flags = vm_flags;
	return 0;
}

/**
 * vma_merge_extend() - mremap growth in place: extend @vma by @delta
 * bytes, merging with the next VMA if the growth reaches a compatible
 * one.  Returns @vma (grown) or NULL on failure.
 */
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *vma,
					unsigned long delta)
{
	struct vma_merge_struct vmg;

	vmg_init_vma_state(&vmg, vma, vma, vma->vm_end, vma->vm_end + delta);
	vmg.next = find_vma(vma->vm_mm, vma->vm_end);
	vmg.middle = NULL;	/* vma only described the range */
	return vma_merge_new_range(&vmg);
}

/**
 * copy_vma() - mremap: a VMA at [@addr, @addr + @len) with the anon state
 * of *@vmap, merged into a neighbour when possible (spec §3.7).
 * @vmap:    the source; updated if the source itself was merged into the
 *           result (possible only while unfaulted).
 * @pgoff:   the page offset the moved range keeps; an unfaulted anonymous
 *           source instead takes @addr's, like a fresh mapping.
 * @need_rmap_locks: set when the result sorts at or before the source in
 *           the rmap trees, so that page-table moves must hold the lock.
 * Returns the destination VMA, or NULL for lack of memory.
 */
struct vm_area_struct *copy_vma(struct vm_area_struct **vmap,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, bool *need_rmap_locks)
{
	struct vm_area_struct *vma = *vmap, *new_vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long vma_start = vma->vm_start;
	bool faulted = true;
	struct vma_merge_struct vmg;

	if (vma_is_anonymous(vma) && !vma->anon_vma) {
		pgoff = addr >> PAGE_SHIFT;
		faulted = false;
	}
	if (find_vma_intersection(mm, addr, addr + len))
		return NULL;

	vmg_init_vma_state(&vmg, vma_prev_of_addr(mm, addr), vma, addr,
			   addr + len);
	vmg.pgoff = pgoff;
	vmg.next = find_vma(mm, addr + len);
	/*
	 * vma_merge_copied_range(): the source is neither prev nor next.
	 * Before January 2026 the merge did not know it at all.
	 */
	if (!bug_enabled(BUG_MERGE_NO_COPIED_FROM))
		vmg.copied_from = vmg.middle;
	vmg.middle = NULL;
	new_vma = vma_merge_new_range(&vmg);
	if (new_vma) {
		if (vma_start >= new_vma->vm_start && vma_start < new_vma->vm_end) {
			/* Merged with itself: only legal while unfaulted. */
			VM_BUG_ON(faulted);
			*vmap = vma = new_vma;
		}
		/*
		 * A walk meets the destination before the source if it sorts
		 * first: by pgoff in a tree, anywhere on a list (designs list
		 * and single; the list era had anon_vma_moveto_tail() for it).
		 */
		*need_rmap_locks = design_has(DF_AVC_LIST) ||
				   new_vma->vm_pgoff <= vma->vm_pgoff;
		return new_vma;
	}
	/* Out of memory in the merge: a new VMA may still do (kernel). */

	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	if (anon_vma_clone(new_vma, vma, VMA_OP_REMAP))
		goto out_free;
	if (new_vma->vm_file)
		get_file(new_vma->vm_file);
	if (vma_link(mm, new_vma)) {
		unlink_anon_vmas(new_vma);
		remove_vma(new_vma);
		return NULL;
	}
	*need_rmap_locks = false;
	return new_vma;

out_free:
	new_vma->anon_vma = NULL;
	vm_area_free(new_vma);
	return NULL;
}
