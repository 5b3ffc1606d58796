/* SPDX-License-Identifier: MIT */
/*
 * mm/mmap_lock.c - the mmap_lock helpers (include/linux/mmap_lock.h)
 * and the per-VMA write-lock assertion.
 *
 * The per-VMA write lock is a sequence number: vma_start_write() copies
 * mm->mm_lock_seq into the VMA, and every VMA so marked is released at
 * once when the mmap write lock is dropped or downgraded, by bumping
 * mm->mm_lock_seq (the kernel's vma_end_write_all()).
 */
#include "internal.h"

/**
 * mmap_read_lock() - take @mm's mmap_lock for read.
 * @mm: the address space.
 */
void mmap_read_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock);
}

/**
 * mmap_read_unlock() - release @mm's mmap_lock held for read.
 * @mm: the address space.
 */
void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock);
}

/**
 * mmap_write_lock() - take @mm's mmap_lock for write.
 * @mm: the address space.
 */
void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
}

/**
 * mmap_write_lock_nested() - write-lock a second mm inside a first one.
 * @mm: the address space (fork's child, while the parent is locked).
 */
void mmap_write_lock_nested(struct mm_struct *mm)
{
	down_write_nested(&mm->mmap_lock);
}

/*
 * Release every VMA write lock of @mm.  Done while the mmap lock is still
 * held for write, so no VMA can be seen write-locked by a stale sequence.
 * A caller that does not hold the lock is reported by the rwsem release
 * that follows; the sequence is left alone then.
 */
static void vma_end_write_all(struct mm_struct *mm)
{
	if (rwsem_is_write_owner(&mm->mmap_lock))
		WRITE_ONCE(mm->mm_lock_seq, mm->mm_lock_seq + 1);
}

/**
 * mmap_write_unlock() - release @mm's mmap_lock held for write.
 * @mm: the address space.
 *
 * Ends every per-VMA write lock taken under it first.
 */
void mmap_write_unlock(struct mm_struct *mm)
{
	vma_end_write_all(mm);
	up_write(&mm->mmap_lock);
}

/**
 * mmap_write_downgrade() - turn the write lock on @mm into a read lock.
 * @mm: the address space.
 *
 * munmap downgrades before freeing page tables.  The per-VMA write locks
 * end here, as in the kernel.
 */
void mmap_write_downgrade(struct mm_struct *mm)
{
	vma_end_write_all(mm);
	downgrade_write(&mm->mmap_lock);
}

/**
 * mmap_assert_locked() - violation unless this thread holds @mm's mmap_lock.
 * @mm: the address space.
 */
void mmap_assert_locked(struct mm_struct *mm)
{
	if (!rwsem_is_held(&mm->mmap_lock))
		lock_report_violation("mmap_assert_locked", mm);
}

/**
 * mmap_assert_write_locked() - violation unless this thread holds @mm's
 * mmap_lock for write.
 * @mm: the address space.
 */
void mmap_assert_write_locked(struct mm_struct *mm)
{
	if (!rwsem_is_write_owner(&mm->mmap_lock))
		lock_report_violation("mmap_assert_write_locked", mm);
}

/**
 * vma_start_write() - write-lock @vma until the mmap write lock is dropped.
 * @vma: a VMA of an mm whose mmap_lock this thread holds for write.
 *
 * As in the kernel: the mmap lock must be held for write (the lock is
 * released by mmap_write_unlock()/mmap_write_downgrade() bumping the
 * sequence), and the VMA lock is ordered after the folio lock and
 * before the anon_vma root and the page-table lock (spec §1.7), which
 * is checked here the way lockdep checks it, as an acquisition that is
 * released at once.
 */
void vma_start_write(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	mmap_assert_write_locked(mm);
	lock_note_acquire_release(vma, LOCK_CLASS_VMA);
	WRITE_ONCE(vma->vm_lock_seq, READ_ONCE(mm->mm_lock_seq));
}

/**
 * vma_assert_write_locked() - violation unless @vma is write-locked by
 * this thread (vma_start_write() under the current mmap write lock).
 * @vma: the VMA.
 */
void vma_assert_write_locked(struct vm_area_struct *vma)
{
	if (!vma_is_write_locked(vma))
		lock_report_violation("vma_assert_write_locked", vma);
}
