/* SPDX-License-Identifier: MIT */
/*
 * mm/pgtable_ops.c - operations on ranges of PTEs that the VMA code
 * calls: zap (munmap, exit, MADV_DONTNEED), fork's copy, mremap's move
 * and mprotect's write-protection (the kernel's mm/memory.c zap and copy
 * paths, mm/mremap.c move_ptes() and mm/mprotect.c).
 *
 * The conventions are those of mm/memory.c: each PTE mapping a folio
 * holds a reference; anon folios are counted through the rmap calls,
 * page-cache folios by a plain atomic on _mapcount; PTEs and the rss
 * counters change under mm->page_table_lock.  Work is done one PTE table
 * (2 MiB) at a time.  Folio references and swap-slot counts that a zap
 * releases are dropped after the PTE lock is released, as the kernel's
 * mmu_gather batches them, so that nothing below the PTE lock takes a
 * folio lock.
 */
#include "internal.h"

/* The address range one PTE table covers. */
#define PTE_TABLE_SPAN	(PTRS_PER_TABLE * PAGE_SIZE)

static inline pte_t ptep_get(const pte_t *ptep)
{
	return (pte_t){ READ_ONCE(ptep->val) };
}

static inline void set_pte(pte_t *ptep, pte_t pte)
{
	WRITE_ONCE(ptep->val, pte.val);
}

static inline void pte_clear(pte_t *ptep)
{
	WRITE_ONCE(ptep->val, (uintptr_t)0);
}

static inline void mm_counter_add(unsigned long *counter, long delta)
{
	__atomic_fetch_add(counter, (unsigned long)delta, __ATOMIC_RELAXED);
}

/* The first address from @addr on that a PTE table covers (or @end). */
static unsigned long next_mapped(struct mm_struct *mm, unsigned long addr,
				 unsigned long end)
{
	spin_lock(&mm->page_table_lock);
	addr = pgtable_next_mapped(mm, addr, end);
	spin_unlock(&mm->page_table_lock);
	return addr;
}

/* The end of the PTE table that holds @addr, or @end if it comes first. */
static inline unsigned long pte_table_end(unsigned long addr,
					  unsigned long end)
{
	unsigned long boundary = (addr + PTE_TABLE_SPAN) & ~(PTE_TABLE_SPAN - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

/* A private mapping that may become writable: its pages are COW-shared. */
static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* ------------------------------------------------------------------ */
/* zap                                                                 */

/* What one PTE table's zap releases once the PTE lock is dropped. */
struct zap_batch {
	int nr_folios, nr_swaps;
	struct folio *folios[PTRS_PER_TABLE];
	swp_entry_t swaps[PTRS_PER_TABLE];
};

/*
 * free_swap_cache() - an anon folio that is no longer mapped by anyone
 * need not stay in the swap cache if no swap PTE refers to its slot
 * either (the kernel's free_swap_cache() on the zap path).  Without it
 * a swap-cache folio whose last mapping is zapped would be kept, with
 * its slot, by the cache's reference forever.
 */
static void free_swap_cache(struct folio *folio)
{
	if (!folio_test_flag(folio, PG_swapcache) || folio_mapped(folio))
		return;
	if (!folio_trylock(folio))
		return;
	if (folio_test_flag(folio, PG_swapcache))
		folio_free_swap(folio);
	folio_unlock(folio);
}

static void zap_batch_flush(struct zap_batch *b)
{
	int i;

	for (i = 0; i < b->nr_swaps; i++)
		swap_free(b->swaps[i]);
	for (i = 0; i < b->nr_folios; i++) {
		if (folio_test_anon(b->folios[i]))
			free_swap_cache(b->folios[i]);
		folio_put(b->folios[i]);
	}
	b->nr_swaps = 0;
	b->nr_folios = 0;
}

/*
 * zap_pte_range() - clear the PTEs of [addr, end), within one PTE table,
 * under the PTE lock, those for which @zap_this says so when it is
 * given; the references go into @b.
 */
static void zap_pte_range(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long end, struct zap_batch *b,
			  zap_filter_fn zap_this)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *ptep;

	spin_lock(&mm->page_table_lock);
	ptep = pte_offset_map(mm, addr, false, NULL);
	for (; ptep && addr < end; addr += PAGE_SIZE, ptep++) {
		pte_t pte = ptep_get(ptep);
		struct folio *folio;

		if (pte_none(pte) || (zap_this && !zap_this(pte)))
			continue;
		pte_clear(ptep);
		if (pte_present(pte)) {
			folio = pte_folio(pte);
			if (!folio)
				continue;	/* the zero page */
			if (folio_test_anon(folio)) {
				/* folio->mapping is left stale (spec §1.5). */
				folio_remove_rmap_pte(folio, vma);
				mm_counter_add(&mm->rss_anon, -1);
			} else {
				__atomic_fetch_sub(&folio->_mapcount, 1,
						   __ATOMIC_RELAXED);
				mm_counter_add(&mm->rss_file, -1);
			}
			b->folios[b->nr_folios++] = folio;
		} else if (is_swap_entry_pte(pte)) {
			b->swaps[b->nr_swaps++] = pte_to_swp_entry(pte);
			mm_counter_add(&mm->rss_swap, -1);
		} else if (is_migration_pte(pte)) {
			/*
			 * No reference or mapcount behind it (try_to_migrate
			 * dropped them), but it still counts in rss_anon as
			 * in the kernel (mm/migrate.c); the migration finds
			 * the PTE gone when it restores mappings.
			 */
			mm_counter_add(&mm->rss_anon, -1);
		}
	}
	spin_unlock(&mm->page_table_lock);
}

/**
 * zap_vma_range() - unmap the PTEs of [start, end) of @vma (munmap,
 * exit, MADV_DONTNEED; the kernel's unmap_page_range()).
 * @vma: the VMA; the mmap lock is held.
 * @start: first address (clamped to the VMA).
 * @end: end address, exclusive (clamped to the VMA).
 *
 * Each anon folio loses its rmap through folio_remove_rmap_pte() and its
 * folio->mapping stays stale (spec §1.5); a page-cache folio loses one
 * mapcount; zero-page PTEs just go; each swap entry's slot is released
 * with swap_free(); then every dropped PTE's folio reference is put.
 * rss counters follow.  Page tables are kept (free_pgtables() frees
 * them); the VMA's anon_vma and chain are untouched (spec §3.8).
 */
void zap_vma_range(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end)
{
	zap_vma_range_if(vma, start, end, NULL);
}

/**
 * zap_vma_range_if() - zap_vma_range() of only the PTEs for which
 * @zap_this (called under the PTE lock) returns true: the entries that
 * MADV_FREE drops and the folios that MADV_PAGEOUT reclaims, whose
 * choice depends on the PTE and its folio at the time of the zap.
 */
void zap_vma_range_if(struct vm_area_struct *vma, unsigned long start,
		      unsigned long end, zap_filter_fn zap_this)
{
	/*
	 * Only the counts need zeroing: the arrays are 8 KiB and are
	 * written before they are read.
	 */
	struct zap_batch batch;
	unsigned long next;

	batch.nr_folios = batch.nr_swaps = 0;

	if (start < vma->vm_start)
		start = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;
	for (; start < end; start = next) {
		start = next_mapped(vma->vm_mm, start, end);
		if (start >= end)
			break;
		next = pte_table_end(start, end);
		zap_pte_range(vma, start, next, &batch, zap_this);
		zap_batch_flush(&batch);
	}
}

/* ------------------------------------------------------------------ */
/* fork                                                                */

/*
 * vma_needs_copy() - must fork copy the PTEs of @src, or may the child
 * fault them in again?  Only when they hold something a fault cannot
 * recreate: PFN maps, or anon folios (src->anon_vma set).  An
 * unfaulted anon VMA has at most zero-page PTEs and a shared VMA maps
 * only the page cache, so neither is copied (spec §3.9 step 7).
 */
static bool vma_needs_copy(const struct vm_area_struct *src)
{
	if (src->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	return READ_ONCE(src->anon_vma) != NULL;
}

/*
 * copy_present_page() - @folio is exclusive in the parent and may be
 * pinned, so it cannot be shared: the child gets its own copy at once,
 * a new exclusive folio tagged with the child's anon_vma, and the
 * parent's PTE stays as it was (spec §2.11 "fork special case").
 * Consumes the caller's reference on @folio.
 */
static int copy_present_page(struct vm_area_struct *dst, unsigned long addr,
			     pte_t src_pte, struct folio *folio)
{
	struct mm_struct *dst_mm = dst->vm_mm;
	struct folio *new = folio_alloc(SITE_FORK);
	pte_t *ptep;

	if (!new) {
		folio_put(folio);
		return -ENOMEM;
	}
	new->data = READ_ONCE(folio->data);
	folio_put(folio);

	spin_lock(&dst_mm->page_table_lock);
	ptep = pte_offset_map(dst_mm, addr, false, NULL);
	if (WARN_ON(!ptep || !pte_none(ptep_get(ptep)))) {
		spin_unlock(&dst_mm->page_table_lock);
		folio_put(new);
		return -ENOMEM;
	}
	folio_add_new_anon_rmap(new, dst, addr, RMAP_EXCLUSIVE);
	set_pte(ptep, mk_pte(new, pte_write(src_pte)));
	mm_counter_add(&dst_mm->rss_anon, 1);
	spin_unlock(&dst_mm->page_table_lock);
	return 0;
}

/*
 * copy_one_pte() - share the parent's entry @pte (at @ptep, parent's
 * PTE lock held) with the child: returns the child's entry, or none
 * when the child gets a private copy later (*@copy_now set, with a
 * reference on the folio).  @rss collects the child's counters.
 */
static pte_t copy_one_pte(struct vm_area_struct *src, pte_t *ptep, pte_t pte,
			  bool cow, bool *copy_now, long rss[3])
{
	struct folio *folio;

	*copy_now = false;
	if (is_swap_entry_pte(pte)) {
		/* Neither side may count on exclusivity any more (§2.11). */
		swap_duplicate(pte_to_swp_entry(pte));
		if (pte_swp_exclusive(pte)) {
			pte = pte_swp_clear_exclusive(pte);
			set_pte(ptep, pte);
		}
		rss[2]++;
		return pte;
	}
	if (is_migration_pte(pte)) {
		/*
		 * The page is being migrated: the child gets the entry too
		 * (counted in rss_anon, as migration entries are) and the
		 * migration's second rmap walk, which reaches the child's
		 * VMA through the tree anon_vma_fork() linked it into,
		 * maps the new folio there.  Shared from now on: readable
		 * and not exclusive in both processes.
		 */
		if (cow && (migration_pte_write(pte) || pte_swp_exclusive(pte))) {
			pte = make_migration_pte(migration_pte_folio(pte),
						 false, false);
			set_pte(ptep, pte);
		}
		rss[0]++;
		return pte;
	}
	folio = pte_folio(pte);
	if (!folio)
		return pte;		/* the zero page, read-only already */
	if (folio_test_anon(folio)) {
		folio_get(folio);
		if (folio_try_dup_anon_rmap_pte(folio, src)) {
			*copy_now = true;
			return (pte_t){ 0 };
		}
		rss[0]++;
	} else {
		__atomic_fetch_add(&folio->_mapcount, 1, __ATOMIC_RELAXED);
		folio_get(folio);
		rss[1]++;
	}
	/* COW: write-protect in both parent and child (spec §3.9 step 8). */
	if (cow && pte_write(pte)) {
		pte = pte_wrprotect(pte);
		set_pte(ptep, pte);
	}
	return pte;
}

/*
 * copy_pte_range() - copy the entries of [addr, end), within one PTE
 * table, from @src to @dst.  As in the kernel, the child's PTE lock is
 * taken and then the parent's, nested, so that each entry is read from
 * the parent and written to the child in one step.  That matters for an
 * entry a concurrent rmap walk is about to change: a migration entry
 * copied after the migration's second walk has restored the parent's
 * PTE and looked at the child would stay in the child for ever (the
 * walk visits the parent first: the child's chains were inserted after
 * the parent's, spec §3.9); two separate lock sections, one to read
 * the parent and one to write the child, would leave that window.
 *
 * The child's table is allocated first, so that -ENOMEM is returned
 * before any reference was taken.  Pages that must be copied at once
 * (copy_present_page()) are copied after both locks are dropped: that
 * needs an allocation.
 */
static int copy_pte_range(struct vm_area_struct *dst,
			  struct vm_area_struct *src, unsigned long addr,
			  unsigned long end)
{
	struct mm_struct *dst_mm = dst->vm_mm, *src_mm = src->vm_mm;
	bool cow = is_cow_mapping(src->vm_flags);
	int n = (end - addr) >> PAGE_SHIFT, i, ret = 0;
	pte_t now[PTRS_PER_TABLE];
	bool copy_now[PTRS_PER_TABLE];
	long rss[3] = { 0, 0, 0 };
	pte_t *sptep, *dptep;
	bool oom, any = false;

	spin_lock(&src_mm->page_table_lock);
	sptep = pte_offset_map(src_mm, addr, false, NULL);
	for (i = 0; sptep && i < n; i++)
		if (!pte_none(ptep_get(&sptep[i])))
			any = true;
	spin_unlock(&src_mm->page_table_lock);
	if (!any)
		return 0;

	spin_lock(&dst_mm->page_table_lock);
	dptep = pte_offset_map(dst_mm, addr, true, &oom);
	if (!dptep) {
		spin_unlock(&dst_mm->page_table_lock);
		return -ENOMEM;
	}
	spin_lock_nested(&src_mm->page_table_lock);
	sptep = pte_offset_map(src_mm, addr, false, NULL);
	for (i = 0; i < n; i++) {
		pte_t orig = sptep ? ptep_get(&sptep[i]) : (pte_t){ 0 }, pte;

		copy_now[i] = false;
		if (pte_none(orig))
			continue;
		pte = copy_one_pte(src, &sptep[i], orig, cow, &copy_now[i], rss);
		if (copy_now[i]) {
			now[i] = orig;	/* the parent's entry, unchanged */
			continue;
		}
		WARN_ON(!pte_none(ptep_get(&dptep[i])));
		set_pte(&dptep[i], pte);
	}
	mm_counter_add(&dst_mm->rss_anon, rss[0]);
	mm_counter_add(&dst_mm->rss_file, rss[1]);
	mm_counter_add(&dst_mm->rss_swap, rss[2]);
	spin_unlock(&src_mm->page_table_lock);
	spin_unlock(&dst_mm->page_table_lock);

	for (i = 0; i < n; i++) {
		if (!copy_now[i])
			continue;
		if (ret) {
			/* An earlier copy failed: just drop the reference. */
			folio_put(pte_folio(now[i]));
			continue;
		}
		ret = copy_present_page(dst, addr + ((unsigned long)i << PAGE_SHIFT),
					now[i], pte_folio(now[i]));
	}
	return ret;
}

/**
 * copy_page_range() - fork: copy the PTEs of @src into @dst.
 * @dst: the child's VMA: same range, anon_vma_fork() already done.
 * @src: the parent's VMA.
 *
 * Does nothing unless vma_needs_copy().  Anon folios are shared with
 * folio_try_dup_anon_rmap_pte() (mapcount + 1, PageAnonExclusive
 * cleared) plus a reference; page-cache folios with a mapcount and a
 * reference; zero-page PTEs are copied; in a COW mapping writable PTEs
 * are write-protected in both processes.  Swap entries get a slot count
 * (swap_duplicate()) and lose their exclusive bit in the parent, the
 * child copying the cleared entry.  Both mms' mmap locks are held for
 * write.  Returns 0 or -ENOMEM (a page table or a private copy could
 * not be allocated); what was copied stays and the caller tears the
 * child down.
 */
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	unsigned long addr, next;
	int ret;

	if (!vma_needs_copy(src))
		return 0;
	for (addr = src->vm_start; addr < src->vm_end; addr = next) {
		addr = next_mapped(src->vm_mm, addr, src->vm_end);
		if (addr >= src->vm_end)
			break;
		next = pte_table_end(addr, src->vm_end);
		ret = copy_pte_range(dst, src, addr, next);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* mremap, mprotect                                                    */

/**
 * move_page_tables() - mremap: move the PTEs of @len bytes at @old_addr
 * in @vma to @new_addr in @new_vma (same mm).
 * @vma: the source VMA.
 * @old_addr: start of the source range.
 * @new_vma: the destination VMA.
 * @new_addr: start of the destination range, whose PTEs are none.
 * @len: bytes to move.
 * @need_rmap_locks: the destination sorts before the source in rmap
 *                   walk order (spec §3.7 step 3): hold the anon_vma
 *                   write lock around each move so that a walk cannot
 *                   miss a PTE that is in flight.
 *
 * Entries are moved, not copied: folios keep their mapping, index,
 * mapcount and references, and rss does not change.  Returns the
 * number of bytes moved: @len, or less when a destination page table
 * could not be allocated (everything before that point has moved, the
 * rest has not).
 */
unsigned long move_page_tables(struct vm_area_struct *vma,
			       unsigned long old_addr,
			       struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len,
			       bool need_rmap_locks)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *av = need_rmap_locks ? READ_ONCE(vma->anon_vma) : NULL;
	unsigned long off, next;

	WARN_ON(new_vma->vm_mm != mm);
	for (off = 0; off < len; off = next) {
		unsigned long done = 0;
		bool failed = false, oom;
		pte_t *optep;

		next = pte_table_end(old_addr + off, old_addr + len) - old_addr;
		if (av)
			anon_vma_lock_write(av);
		spin_lock(&mm->page_table_lock);
		optep = pte_offset_map(mm, old_addr + off, false, NULL);
		for (done = off; optep && done < next;
		     done += PAGE_SIZE, optep++) {
			pte_t pte = ptep_get(optep);
			pte_t *nptep;

			if (pte_none(pte))
				continue;
			/* Allocating tables does not free any: optep stays valid. */
			nptep = pte_offset_map(mm, new_addr + done, true, &oom);
			if (!nptep) {
				failed = true;
				break;
			}
			WARN_ON(!pte_none(ptep_get(nptep)));
			set_pte(nptep, pte);
			pte_clear(optep);
		}
		spin_unlock(&mm->page_table_lock);
		if (av)
			anon_vma_unlock_write(av);
		if (failed)
			return done;
	}
	return len;
}

/**
 * walk_pte_range() - call @fn on every PTE of [start, end) of @vma that
 * is not none, under the PTE lock, where it may change the entry in
 * place (but not free what it maps).  Page tables are not allocated.
 */
void walk_pte_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end, pte_walk_fn fn, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long next;

	for (; start < end; start = next) {
		pte_t *ptep;

		spin_lock(&mm->page_table_lock);
		start = pgtable_next_mapped(mm, start, end);
		next = pte_table_end(start, end);
		ptep = start < end ? pte_offset_map(mm, start, false, NULL) : NULL;
		for (; ptep && start < next; start += PAGE_SIZE, ptep++)
			if (!pte_none(ptep_get(ptep)))
				fn(vma, start, ptep, arg);
		spin_unlock(&mm->page_table_lock);
	}
}

/* One PTE of change_protection() when VM_WRITE is dropped. */
static void wrprotect_one(struct vm_area_struct *vma, unsigned long addr,
			  pte_t *ptep, void *arg)
{
	pte_t pte = ptep_get(ptep);

	(void)vma;
	(void)addr;
	(void)arg;
	if (pte_present(pte) && pte_write(pte))
		set_pte(ptep, pte_wrprotect(pte));
	else if (is_migration_pte(pte) && migration_pte_write(pte))
		set_pte(ptep, make_migration_pte(migration_pte_folio(pte), false,
						 pte_swp_exclusive(pte)));
}

/**
 * change_protection() - mprotect: apply @newflags to the PTEs of
 * [start, end) in @vma.
 * @vma: the VMA (mmap lock held for write).
 * @start: first address.
 * @end: end address, exclusive.
 * @newflags: the VMA's new vm_flags.
 *
 * When VM_WRITE is dropped every present PTE (and migration entry) in
 * the range is write-protected.  When it is added nothing changes: the
 * kernel may make PTEs of exclusive anon pages writable at once, the
 * model leaves them read-only and the next write fault reuses them
 * (do_wp_page()), with the same observable result.
 */
void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, vm_flags_t newflags)
{
	if (newflags & VM_WRITE)
		return;
	walk_pte_range(vma, start, end, wrprotect_one, NULL);
}
