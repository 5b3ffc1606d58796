/* SPDX-License-Identifier: MIT */
/*
 * mm/fork.c - address spaces are born, copied and destroyed
 * (kernel/fork.c's mm_alloc/mmput and dup_mmap, spec §3.9).
 */
#include <stdlib.h>
#include <string.h>

#include "vma.h"
#include "design.h"

static unsigned long mm_serial;

/** mm_alloc() - a new, empty address space, registered for the checker. */
struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kmem_cache_alloc(mm_cachep, SITE_MM);

	if (!mm)
		return NULL;
	memset(mm, 0, sizeof(*mm));
	init_rwsem(&mm->mmap_lock, LOCK_CLASS_MMAP);
	spin_lock_init(&mm->page_table_lock, LOCK_CLASS_PTL);
	mm->serial = __atomic_add_fetch(&mm_serial, 1, __ATOMIC_RELAXED);
	mm_registry_add(mm);
	return mm;
}

/** mmput() - the last user of @mm is gone: tear it down and free it. */
void mmput(struct mm_struct *mm)
{
	exit_mmap(mm);
	free_all_pgtables(mm);
	mm_registry_del(mm);
	free(mm->vmas);
	kmem_cache_free(mm_cachep, mm, SITE_MM);
}

/*
 * dup_mmap() - copy every VMA of @oldmm into @mm, in address order
 * (spec §3.9): VM_DONTCOPY leaves a hole; VM_WIPEONFORK gives an
 * unfaulted copy with no page tables; otherwise anon_vma_fork() links
 * the copy into the parent's anon_vmas *before* copy_page_range()
 * shares the pages, so the child's anon_vma exists when a page must be
 * copied at once.  On failure the VMAs copied so far stay in @mm for
 * the caller to tear down.
 */
static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	int i, err;

	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->total_vm = oldmm->total_vm;
	mm->flags = oldmm->flags;
	/* mm_init(): mlockall(MCL_FUTURE) is not inherited, VM_NOHUGEPAGE is. */
	mm->def_flags = oldmm->def_flags & VM_INIT_DEF_MASK;
	/* The maple tree is duplicated in one go (__mt_dup). */
	if (vma_index_prealloc(mm, oldmm->map_count))
		return -ENOMEM;

	for (i = 0; i < oldmm->map_count; i++) {
		struct vm_area_struct *mpnt = oldmm->vmas[i], *tmp;

		if (mpnt->vm_flags & VM_DONTCOPY) {
			mm->total_vm -= vma_pages(mpnt);
			continue;
		}
		tmp = vm_area_dup(mpnt);
		if (!tmp)
			return -ENOMEM;
		tmp->vm_mm = mm;
		if (tmp->vm_flags & VM_WIPEONFORK) {
			tmp->anon_vma = NULL;
			/* Design eager: the wiped copy is a new, linked VMA. */
			if (anon_vma_prepare_linked(tmp, tmp->vm_flags)) {
				vm_area_free(tmp);
				return -ENOMEM;
			}
		} else if (anon_vma_fork(tmp, mpnt)) {
			tmp->anon_vma = NULL;
			vm_area_free(tmp);
			return -ENOMEM;
		}
		/* mlock is not inherited. */
		tmp->vm_flags &= ~VM_LOCKED_MASK;
		if (tmp->vm_file)
			get_file(tmp->vm_file);
		vma_index_insert(mm, tmp);
		if (!(tmp->vm_flags & VM_WIPEONFORK)) {
			err = copy_page_range(tmp, mpnt);
			if (err)
				return err;
		}
	}
	return 0;
}

/**
 * dup_mm() - fork(): a copy of @oldmm for the child.
 * @oldmm: the parent's address space.
 * @err:   set to -ENOMEM on failure.
 *
 * Both mmap locks are held for write, the child's nested inside the
 * parent's.  A failed fork tears the partial child down completely;
 * the parent keeps its mappings (its pages copied so far stay
 * write-protected and non-exclusive, as in the kernel).
 * Returns the child's mm or NULL.
 */
struct mm_struct *dup_mm(struct mm_struct *oldmm, int *err)
{
	struct mm_struct *mm = mm_alloc();
	int ret;

	if (!mm) {
		*err = -ENOMEM;
		return NULL;
	}
	mmap_write_lock(oldmm);
	mmap_write_lock_nested(mm);
	ret = dup_mmap(mm, oldmm);
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	if (ret) {
		mmput(mm);
		*err = ret;
		return NULL;
	}
	*err = 0;
	return mm;
}
