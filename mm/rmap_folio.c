/* SPDX-License-Identifier: MIT */
/*
 * mm/rmap_folio.c - the folio side of the anonymous reverse map:
 * tagging folios with an anon_vma, mapcounts and PageAnonExclusive,
 * finding and locking a folio's anon_vma without VMA locks, and the rmap
 * walk (spec §2.8-§2.11).  In the kernel this is the second half of
 * mm/rmap.c.
 */
#include "design.h"

/**
 * folio_anon_vma() - the anon_vma @folio is tagged with, or NULL for
 * page-cache and KSM folios.  No reference, no check: the result is
 * only meaningful while the folio is mapped (spec §1.5).
 */
struct anon_vma *folio_anon_vma(const struct folio *folio)
{
	uintptr_t mapping = READ_ONCE(folio->mapping);

	if ((mapping & FOLIO_MAPPING_FLAGS) != FOLIO_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(mapping - FOLIO_MAPPING_ANON);
}

/* atomic_inc_not_zero(): a reference unless the count already hit 0. */
static bool anon_vma_get_not_zero(struct anon_vma *av)
{
	int old = __atomic_load_n(&av->refcount, __ATOMIC_RELAXED);

	do {
		if (old == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&av->refcount, &old, old + 1,
					      false, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

/* The folio's anon_vma if it is anonymous and still mapped. */
static struct anon_vma *folio_mapped_anon_vma(const struct folio *folio)
{
	uintptr_t mapping = smp_load_acquire(&folio->mapping);

	if ((mapping & FOLIO_MAPPING_FLAGS) != FOLIO_MAPPING_ANON)
		return NULL;
	if (!folio_mapped(folio))
		return NULL;
	return (struct anon_vma *)(mapping - FOLIO_MAPPING_ANON);
}

/**
 * folio_get_anon_vma() - pin the anon_vma of a mapped anon folio.
 * @folio: a locked folio.
 *
 * While the folio is mapped its anon_vma is linked and alive.  The
 * anon_vma cache is type-stable (never returns memory while the model
 * lives), which stands in for SLAB_TYPESAFE_BY_RCU: the increment can
 * only hit an anon_vma, and the second folio_mapped() check catches one
 * that was freed and reused meanwhile (spec §2.8).
 * Returns the anon_vma with a reference held, or NULL.
 */
struct anon_vma *folio_get_anon_vma(struct folio *folio)
{
	struct anon_vma *av;

	VM_WARN_ON_ONCE(!folio_test_locked(folio));
	av = folio_mapped_anon_vma(folio);
	if (!av || !anon_vma_get_not_zero(av))
		return NULL;
	if (!folio_mapped(folio)) {
		put_anon_vma(av);
		return NULL;
	}
	return av;
}

/**
 * folio_lock_anon_vma_read() - find and read-lock a mapped folio's anon_vma.
 * @folio: a locked folio.
 * @rwc:   its try_lock asks not to sleep; contended is set if it would.
 *
 * Fast path: a trylock of the root rwsem, after which the lock itself
 * keeps the anon_vma alive (anon_vma_free() waits for lock holders).
 * Slow path: pin, sleep on the lock, unpin; if that unpin was the last
 * reference the anon_vma is gone and NULL is returned (spec §2.8).
 * Returns the anon_vma read-locked and without a reference, or NULL.
 */
struct anon_vma *folio_lock_anon_vma_read(struct folio *folio,
					  struct rmap_walk_control *rwc)
{
	struct anon_vma *av, *root;

	VM_WARN_ON_ONCE(!folio_test_locked(folio));
	av = folio_mapped_anon_vma(folio);
	if (!av)
		return NULL;
	root = READ_ONCE(av->root);
	if (down_read_trylock(&root->rwsem)) {
		/* Hugh Dickins 2010: re-check once locked. */
		if (!folio_mapped(folio)) {
			up_read(&root->rwsem);
			return NULL;
		}
		return av;
	}
	if (rwc && rwc->try_lock) {
		rwc->contended = true;
		return NULL;
	}
	if (!anon_vma_get_not_zero(av))
		return NULL;
	if (!folio_mapped(folio)) {
		put_anon_vma(av);
		return NULL;
	}
	anon_vma_lock_read(av);
	if (__atomic_sub_fetch(&av->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		/*
		 * We held the last reference: put_anon_vma() would take the
		 * write lock we hold for read, so free by hand.
		 */
		anon_vma_unlock_read(av);
		__put_anon_vma(av);
		return NULL;
	}
	return av;
}

/**
 * __folio_set_anon() - tag a new folio with @vma's anon_vma.
 * @folio:     the new folio.
 * @vma:       the VMA it is about to be mapped into (must be faulted).
 * @address:   where.
 * @exclusive: mapped by this VMA only.
 *
 * A folio that may be shared (swap-in of a page other processes may map)
 * is tagged with the ROOT anon_vma: only the root's tree is sure to
 * reach every VMA in sibling subtrees (the 2010 lesson, spec §6.1).  The
 * mapping is published with one release store so lockless readers never
 * see half of it.
 */
void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, bool exclusive)
{
	struct anon_vma *av = READ_ONCE(vma->anon_vma);

	VM_BUG_ON(!av);
	if (!exclusive && !bug_enabled(BUG_TAG_CHILD_NONEXCL))
		av = READ_ONCE(av->root);
	folio->index = linear_page_index(vma, address);
	smp_store_release(&folio->mapping, (uintptr_t)av | FOLIO_MAPPING_ANON);
}

/**
 * folio_add_new_anon_rmap() - map a brand-new folio once into @vma.
 * @folio:   not yet mapped; the caller's reference becomes the mapping's.
 * @vma:     the faulted VMA.
 * @address: the page's address in @vma.
 * @flags:   RMAP_EXCLUSIVE (fault, COW copy) or RMAP_NONE (shared swap-in).
 */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags)
{
	bool exclusive = flags & RMAP_EXCLUSIVE;

	WARN_ON(address < vma->vm_start || address >= vma->vm_end);
	/* A non-exclusive folio may be found by others: it must be locked. */
	VM_WARN_ON_ONCE(!exclusive && !folio_test_locked(folio));
	WARN_ON(folio_mapped(folio));
	folio_set_flag(folio, PG_swapbacked);
	__folio_set_anon(folio, vma, address, exclusive);
	__atomic_store_n(&folio->_mapcount, 0, __ATOMIC_RELAXED);
	if (exclusive)
		SetPageAnonExclusive(folio);
	else
		ClearPageAnonExclusive(folio);
}

/*
 * __page_check_anon_rmap() - a folio mapped again must belong to @vma's
 * hierarchy at the same page offset: the rule that makes mremap keep
 * vm_pgoff of faulted VMAs (spec §2.10).
 */
static void __page_check_anon_rmap(struct folio *folio,
				   struct vm_area_struct *vma,
				   unsigned long address)
{
	struct anon_vma *av = folio_anon_vma(folio);

	VM_WARN_ON_ONCE(!av || !vma->anon_vma ||
			READ_ONCE(av->root) != READ_ONCE(vma->anon_vma->root));
	VM_WARN_ON_ONCE(folio->index != linear_page_index(vma, address));
}

/**
 * folio_add_anon_rmap_pte() - map an existing anon folio once more.
 * @folio:   already anonymous (swap cache, migration target).
 * @vma:     the VMA.
 * @address: the page's address; must match folio->index.
 * @flags:   RMAP_EXCLUSIVE to mark the page exclusive.
 *
 * The folio keeps its mapping and index.  The caller takes the folio
 * reference that goes with the new PTE.
 */
void folio_add_anon_rmap_pte(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags)
{
	int mapcount;

	__page_check_anon_rmap(folio, vma, address);
	mapcount = __atomic_add_fetch(&folio->_mapcount, 1, __ATOMIC_RELAXED) + 1;
	if (flags & RMAP_EXCLUSIVE) {
		/* Exclusive while someone else maps it would be a lie. */
		VM_WARN_ON_ONCE(mapcount > 1);
		SetPageAnonExclusive(folio);
	}
}

/**
 * folio_remove_rmap_pte() - one PTE no longer maps @folio.
 * @folio: anonymous or page-cache folio.
 * @vma:   the VMA the PTE was in.
 *
 * folio->mapping is deliberately left as it is: it goes stale and may
 * only be trusted again under folio_mapped() checks (spec §1.5).
 */
void folio_remove_rmap_pte(struct folio *folio, struct vm_area_struct *vma)
{
	int mc = __atomic_sub_fetch(&folio->_mapcount, 1, __ATOMIC_RELEASE);

	VM_WARN_ON_ONCE(mc < -1);
	if (mc < 0 && folio_test_anon(folio))
		ClearPageAnonExclusive(folio);
}

/**
 * folio_move_anon_rmap() - re-tag a folio that only @vma maps.
 * @folio: locked, mapped exclusively by @vma.
 * @vma:   its faulted VMA.
 *
 * Used when a COW fault reuses the page: later walks search @vma's own,
 * usually smaller, anon_vma tree.  folio->index does not change.
 */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	struct anon_vma *av = READ_ONCE(vma->anon_vma);

	VM_BUG_ON(!folio_test_locked(folio));
	VM_BUG_ON(!av);
	smp_store_release(&folio->mapping, (uintptr_t)av | FOLIO_MAPPING_ANON);
}

/**
 * folio_try_dup_anon_rmap_pte() - fork shares an anon page with the child.
 * @folio:   the parent's folio.
 * @src_vma: the parent's VMA.
 *
 * Sharing ends exclusivity, so PageAnonExclusive is cleared (spec
 * §2.11).  An exclusive page that may be pinned by DMA cannot be
 * shared: -EBUSY, and the caller copies it for the child instead.  The
 * model has no pins, so that happens only when the mm is marked
 * MMF_HAS_PINNED.  The caller takes the folio reference.
 */
int folio_try_dup_anon_rmap_pte(struct folio *folio,
				struct vm_area_struct *src_vma)
{
	if (PageAnonExclusive(folio) &&
	    (READ_ONCE(src_vma->vm_mm->flags) & MMF_HAS_PINNED))
		return -EBUSY;
	__atomic_add_fetch(&folio->_mapcount, 1, __ATOMIC_RELAXED);
	ClearPageAnonExclusive(folio);
	return 0;
}

/**
 * vma_address() - the address of page offset @pgoff in @vma, for a
 * folio of @nr pages, or -EFAULT when it does not fall inside.
 * A large folio starting before the VMA but overlapping it maps at
 * vm_start (spec §2.9).
 */
unsigned long vma_address(const struct vm_area_struct *vma, unsigned long pgoff,
			  unsigned long nr)
{
	unsigned long address;

	if (pgoff >= vma->vm_pgoff) {
		address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		if (address < vma->vm_start || address >= vma->vm_end)
			return (unsigned long)-EFAULT;
		return address;
	}
	if (pgoff + nr - 1 >= vma->vm_pgoff)
		return vma->vm_start;
	return (unsigned long)-EFAULT;
}

/* The default lock of a walk: the folio's anon_vma, root read lock. */
static struct anon_vma *rmap_walk_anon_lock(struct folio *folio,
					    struct rmap_walk_control *rwc)
{
	struct anon_vma *av;

	if (rwc->anon_lock)
		return rwc->anon_lock(folio, rwc);
	av = folio_anon_vma(folio);
	if (!av)
		return NULL;
	if (anon_vma_trylock_read(av))
		return av;
	if (rwc->try_lock) {
		rwc->contended = true;
		return NULL;
	}
	anon_vma_lock_read(av);
	return av;
}

/*
 * rmap_walk_list() - designs list and single: the anon_vma's chains are
 * on a plain list, so the walk visits every one of them and only then
 * learns, from vma_address(), whether the folio can lie in that VMA
 * (2.6.7-3.6 walked this way).  Every chain met counts as a visit.
 * Returns false when @rwc asked to stop.
 */
static bool rmap_walk_list(struct folio *folio, struct rmap_walk_control *rwc,
			   struct anon_vma *av)
{
	struct anon_vma_chain *avc;

	list_for_each_entry(avc, &av->head, same_anon_vma) {
		struct vm_area_struct *vma = avc->vma;
		unsigned long address = vma_address(vma, folio->index, 1);

		rwc->visited++;
		if (address == (unsigned long)-EFAULT)
			continue;
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			return false;
		if (rwc->done && rwc->done(folio))
			return false;
	}
	return true;
}

/**
 * rmap_walk_anon() - visit each VMA that may map @folio.
 * @folio:  a locked anon folio.
 * @rwc:    what to do at each VMA.
 * @locked: the caller already holds the anon_vma read lock.
 *
 * Only the tree of the folio's own anon_vma is searched, by the
 * folio's page-offset range: every VMA that can map the folio is linked
 * into that tree (the anon_vma_chain design, spec §2.9).  Designs list
 * and single search the whole list instead (rmap_walk_list()).
 */
void rmap_walk_anon(struct folio *folio, struct rmap_walk_control *rwc,
		    bool locked)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	unsigned long pgoff_start, pgoff_end;

	rwc->visited = 0;
	if (locked) {
		av = folio_anon_vma(folio);
		VM_BUG_ON(!av);
	} else {
		av = rmap_walk_anon_lock(folio, rwc);
		if (!av)
			return;
	}

	if (design_has(DF_AVC_LIST)) {
		rmap_walk_list(folio, rwc, av);
		goto out;
	}
	pgoff_start = folio->index;
	pgoff_end = pgoff_start;	/* order-0 folios only */
	anon_vma_interval_tree_foreach(avc, &av->rb_root, pgoff_start,
				       pgoff_end) {
		struct vm_area_struct *vma = avc->vma;
		unsigned long address = vma_address(vma, pgoff_start, 1);

		VM_WARN_ON_ONCE(address == (unsigned long)-EFAULT);
		rwc->visited++;
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
out:
	if (!locked)
		anon_vma_unlock_read(av);
}

/**
 * rmap_walk() - walk the reverse map of a locked folio.
 * @folio: locked.
 * @rwc:   the walk.
 *
 * Only anonymous folios have a reverse map in the model; the file
 * (i_mmap) side is not modelled, so a page-cache folio visits nothing.
 */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	VM_WARN_ON_ONCE(!folio_test_locked(folio));
	rwc->visited = 0;
	if (folio_test_anon(folio))
		rmap_walk_anon(folio, rwc, false);
}

/** rmap_walk_locked() - rmap_walk() with the anon_vma lock already held. */
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc)
{
	rwc->visited = 0;
	if (folio_test_anon(folio))
		rmap_walk_anon(folio, rwc, true);
}
