/* SPDX-License-Identifier: MIT */
/*
 * mm/memory.c - page faults: what a load or store does to the page
 * tables and to the anon rmap (spec §3.2, §3.3).
 *
 * - anonymous read of a none PTE: the shared zero page, no anon_vma;
 * - anonymous write: anon_vma_prepare(), a new exclusive folio;
 * - file read: the page-cache folio, read-only; shared write: the same
 *   folio, writable; private write: do_cow_fault(), a new anon folio
 *   whose index is the file offset;
 * - write to a present read-only PTE: do_wp_page(), reuse or copy;
 * - swap entry: do_swap_page();
 * - migration entry: the model migrates synchronously under locks, so
 *   a fault that meets one simply waits for the migration to finish.
 *
 * Conventions of the model (shared with mm/pgtable_ops.c):
 * - every PTE that maps a folio holds one reference on it; anon folios
 *   get their mapcount through the rmap calls, page-cache folios through
 *   a plain atomic increment of _mapcount (they have no anon rmap);
 * - mm->page_table_lock is the PTE lock.  A PTE is read, and changed,
 *   only under it; a pte_t pointer is never kept across an unlock, the
 *   fault walks again and checks that the entry did not change;
 * - nothing is allocated and anon_vma_prepare() is never called with the
 *   PTE lock held; only page tables are (pte_offset_map()).  Lock order:
 *   mmap_lock -> folio lock -> anon_vma root -> page_table_lock;
 * - rss_anon / rss_file / rss_swap count present anon PTEs, present
 *   page-cache PTEs (the zero page counts nowhere) and swap PTEs, and
 *   are changed under the PTE lock with the PTE;
 * - the accessed bit is folded into the folio: each access sets PG_young.
 */
#include <sched.h>

#include "internal.h"

static inline pte_t ptep_get(const pte_t *ptep)
{
	return (pte_t){ READ_ONCE(ptep->val) };
}

static inline void set_pte(pte_t *ptep, pte_t pte)
{
	WRITE_ONCE(ptep->val, pte.val);
}

static inline bool pte_same(pte_t a, pte_t b)
{
	return a.val == b.val;
}

static inline void mm_counter_add(unsigned long *counter, long delta)
{
	__atomic_fetch_add(counter, (unsigned long)delta, __ATOMIC_RELAXED);
}

static inline void folio_mark_young(struct folio *folio)
{
	folio_set_flag(folio, PG_young);
}

/* A page-cache folio gains or loses a PTE: no anon rmap, just the count. */
static inline void file_folio_add_pte(struct folio *folio)
{
	__atomic_fetch_add(&folio->_mapcount, 1, __ATOMIC_RELAXED);
}

static inline void file_folio_remove_pte(struct folio *folio)
{
	__atomic_fetch_sub(&folio->_mapcount, 1, __ATOMIC_RELAXED);
}

/*
 * lock_pte() - take the PTE lock and walk to @addr's slot, allocating
 * the tables when @alloc.  Returns NULL (lock still held) when there is
 * no slot; *@ret then says why: VM_FAULT_OOM when a table could not be
 * allocated, 0 when the table has gone (the caller backs out and the
 * fault is retried).
 */
static pte_t *lock_pte(struct mm_struct *mm, unsigned long addr, bool alloc,
		       vm_fault_t *ret)
{
	bool oom = false;
	pte_t *ptep;

	spin_lock(&mm->page_table_lock);
	ptep = pte_offset_map(mm, addr, alloc, &oom);
	if (!ptep)
		*ret = oom ? VM_FAULT_OOM : (alloc ? VM_FAULT_SIGSEGV : 0);
	return ptep;
}

/*
 * finish_new_anon_fault() - map @folio, a new anon folio with the
 * allocation's reference, at the none PTE of @addr (do_anonymous_page()
 * and do_cow_fault()).  folio_add_new_anon_rmap(RMAP_EXCLUSIVE) tags it
 * with vma->anon_vma and index linear_page_index(); the allocation's
 * reference becomes the PTE's.  If the PTE is no longer none another
 * thread won the race: back out, freeing the folio (spec §3.2).
 */
static vm_fault_t finish_new_anon_fault(struct vm_area_struct *vma,
					unsigned long addr, struct folio *folio)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_fault_t ret = 0;
	pte_t *ptep;

	ptep = lock_pte(mm, addr, true, &ret);
	if (!ptep || !pte_none(ptep_get(ptep))) {
		spin_unlock(&mm->page_table_lock);
		folio_put(folio);
		return ret;
	}
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_mark_young(folio);
	set_pte(ptep, mk_pte(folio, vma->vm_flags & VM_WRITE));
	mm_counter_add(&mm->rss_anon, 1);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/*
 * Whether read faults may map the shared zero page.  Upstream x86 always
 * may (mm_forbids_zeropage() is 0 there).  Some virtualised hosts' kernels
 * never do: the PVM guest patches add a boot option, pvm_no_zero_page=1
 * (visible as /sys/module/kernel/parameters/pvm_no_zero_page), under which
 * a read fault on private anonymous memory takes the write path: it
 * prepares the anon_vma and maps a new private page, writable when the
 * VMA is.  Scenarios run with the upstream rule; the kernel executor and
 * replay follow the host or the recording.
 */
static bool zero_page_forbidden;

/** mm_set_zero_page_forbidden() - see mm.h. */
void mm_set_zero_page_forbidden(bool forbid)
{
	__atomic_store_n(&zero_page_forbidden, forbid, __ATOMIC_RELAXED);
}

/** mm_forbids_zeropage() - see mm.h. */
bool mm_forbids_zeropage(const struct mm_struct *mm)
{
	(void)mm;
	return __atomic_load_n(&zero_page_forbidden, __ATOMIC_RELAXED);
}

/*
 * do_anonymous_page() - a fault on a none PTE of a private anonymous
 * VMA (spec §3.2).  A read maps the shared zero page and leaves the VMA
 * unfaulted: no anon_vma, no rmap (unless the host forbids the zero
 * page, above: then a read is served as a write).  A write prepares the anon_vma
 * (failure: VM_FAULT_OOM), allocates a zeroed folio (failure:
 * VM_FAULT_OOM with the PTE untouched) and maps it exclusively.
 */
static vm_fault_t do_anonymous_page(struct vm_area_struct *vma,
				    unsigned long addr, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio;
	vm_fault_t ret = 0;
	pte_t *ptep;

	/* Shared anonymous memory is shmem and has a vm_file. */
	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;

	if (!write && !mm_forbids_zeropage(mm)) {
		ptep = lock_pte(mm, addr, true, &ret);
		if (ptep && pte_none(ptep_get(ptep)))
			set_pte(ptep, mk_zero_pte());
		spin_unlock(&mm->page_table_lock);
		return ret;
	}

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	folio = folio_alloc(SITE_FAULT);
	if (!folio)
		return VM_FAULT_OOM;
	folio->data = 0;
	return finish_new_anon_fault(vma, addr, folio);
}

/*
 * do_read_fault() - map the page-cache folio of a file VMA at a none
 * PTE: read-only for a read fault (do_read_fault()), writable for a
 * write fault in a VM_SHARED VMA (do_shared_fault(): the store goes to
 * the page cache).  No anon_vma in either case (spec §3.2, I13).
 * Beyond the end of the file: VM_FAULT_SIGBUS.
 */
static vm_fault_t do_read_fault(struct vm_area_struct *vma, unsigned long addr,
				bool writable)
{
	struct mm_struct *mm = vma->vm_mm;
	struct file *file = vma->vm_file;
	unsigned long index = linear_page_index(vma, addr);
	struct folio *folio;
	vm_fault_t ret = 0;
	pte_t *ptep;

	if (index >= file->f_mapping.nr_pages)
		return VM_FAULT_SIGBUS;
	folio = filemap_get_folio(file, index);
	if (!folio)
		return VM_FAULT_OOM;

	ptep = lock_pte(mm, addr, true, &ret);
	if (!ptep || !pte_none(ptep_get(ptep))) {
		spin_unlock(&mm->page_table_lock);
		folio_put(folio);
		return ret;
	}
	/* The lookup's reference becomes the PTE's. */
	file_folio_add_pte(folio);
	folio_mark_young(folio);
	set_pte(ptep, mk_pte(folio, writable));
	mm_counter_add(&mm->rss_file, 1);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/*
 * do_cow_fault() - a write fault on a none PTE of a private file VMA
 * (spec §3.2): prepare the anon_vma, allocate a new folio, fill it from
 * the page cache and map it as a new exclusive anon folio.  Its index is
 * linear_page_index(), i.e. the file offset: anon folios of a private
 * file mapping live in the file's offset space.  The order is the
 * kernel's: anon_vma, then the new folio, then the file page (so a fault
 * beyond the end of the file still leaves the anon_vma behind).
 */
static vm_fault_t do_cow_fault(struct vm_area_struct *vma, unsigned long addr)
{
	struct file *file = vma->vm_file;
	unsigned long index = linear_page_index(vma, addr);
	struct folio *folio, *page;

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	folio = folio_alloc(SITE_FAULT);
	if (!folio)
		return VM_FAULT_OOM;
	if (index >= file->f_mapping.nr_pages) {
		folio_put(folio);
		return VM_FAULT_SIGBUS;
	}
	page = filemap_get_folio(file, index);
	if (!page) {
		folio_put(folio);
		return VM_FAULT_OOM;
	}
	folio->data = READ_ONCE(page->data);
	folio_put(page);
	return finish_new_anon_fault(vma, addr, folio);
}

/* do_fault() - a none PTE in a file-backed VMA (shmem included). */
static vm_fault_t do_fault(struct vm_area_struct *vma, unsigned long addr,
			   bool write)
{
	if (!write)
		return do_read_fault(vma, addr, false);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vma, addr);
	return do_read_fault(vma, addr, true);
}

/*
 * wp_page_reuse() - make the present PTE at @ptep writable and dirty in
 * place: no copy, no rmap change (spec §3.3 "reuse").  PTE lock held.
 */
static void wp_page_reuse(pte_t *ptep, pte_t orig, struct folio *folio)
{
	set_pte(ptep, pte_mkwrite(orig));
	if (folio)
		folio_mark_young(folio);
}

/*
 * wp_can_reuse_anon_folio() - may a write fault reuse @folio, an anon
 * folio that is not PageAnonExclusive (spec §3.3)?  Called, as in the
 * kernel, with the PTE lock held (the folio lock is only trylocked,
 * which the lock order allows).  Reuse is allowed exactly when the
 * faulting PTE holds the only reference: then @folio is re-tagged to
 * the faulting VMA's own anon_vma with folio_move_anon_rmap(), its
 * index kept, so later rmap walks search this VMA's smaller tree.
 */
static bool wp_can_reuse_anon_folio(struct folio *folio,
				    struct vm_area_struct *vma)
{
	/*
	 * A cheap check before locking: any user besides this PTE and the
	 * swap cache (another mapping, a transient reference) forces a
	 * copy.
	 */
	if (folio_ref_count(folio) >
	    1 + (folio_test_flag(folio, PG_swapcache) ? 1 : 0))
		return false;
	/* Contended: whoever holds it (reclaim, migration) is busy with it. */
	if (!folio_trylock(folio))
		return false;
	if (folio_test_flag(folio, PG_swapcache))
		folio_free_swap(folio);
	if (folio_ref_count(folio) != 1 || WARN_ON(!READ_ONCE(vma->anon_vma))) {
		folio_unlock(folio);
		return false;
	}
	folio_move_anon_rmap(folio, vma);
	folio_unlock(folio);
	return true;
}

/*
 * wp_page_copy() - COW: give the faulting VMA its own copy of the page
 * mapped read-only by @orig (spec §3.3).  @old is the folio it maps,
 * with a transient reference of the caller's, or NULL for the zero page.
 * The new folio is zeroed for the zero page, else a copy; it is mapped
 * with folio_add_new_anon_rmap(RMAP_EXCLUSIVE) and only after the new
 * PTE is in place is the old folio's rmap removed, so that a concurrent
 * reuse check elsewhere never sees the mapcount drop while this PTE
 * still maps the old page.  A page-cache folio moves one page from
 * rss_file to rss_anon.  OOM leaves everything as it was.
 */
static vm_fault_t wp_page_copy(struct vm_area_struct *vma, unsigned long addr,
			       pte_t orig, struct folio *old)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *new;
	bool unmapped_old = false;
	vm_fault_t ret = 0;
	pte_t *ptep;

	if (anon_vma_prepare(vma)) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	new = folio_alloc(SITE_FAULT);
	if (!new) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	new->data = old ? READ_ONCE(old->data) : 0;

	ptep = lock_pte(mm, addr, false, &ret);
	if (!ptep || !pte_same(ptep_get(ptep), orig)) {
		spin_unlock(&mm->page_table_lock);
		folio_put(new);
		goto out;
	}
	if (!old) {
		mm_counter_add(&mm->rss_anon, 1);
	} else if (!folio_test_anon(old)) {
		mm_counter_add(&mm->rss_file, -1);
		mm_counter_add(&mm->rss_anon, 1);
	}
	folio_add_new_anon_rmap(new, vma, addr, RMAP_EXCLUSIVE);
	folio_mark_young(new);
	set_pte(ptep, mk_pte(new, vma->vm_flags & VM_WRITE));
	if (old) {
		if (folio_test_anon(old))
			folio_remove_rmap_pte(old, vma);
		else
			file_folio_remove_pte(old);
		unmapped_old = true;
	}
	spin_unlock(&mm->page_table_lock);
	/* The old PTE's reference. */
	if (unmapped_old)
		folio_put(old);
out:
	if (old)
		folio_put(old);
	return ret;
}

/*
 * do_wp_page() - a write fault on the present, read-only PTE @orig at
 * @ptep; called with the PTE lock held, which it drops (spec §3.3).
 * - VM_SHARED: wp_page_shared(), the page-cache folio becomes writable;
 * - anon folio that is PageAnonExclusive, or that only this PTE
 *   references (wp_can_reuse_anon_folio()): mark it exclusive and reuse;
 * - anything else (zero page, page-cache folio of a private mapping,
 *   shared anon folio): copy.
 */
static vm_fault_t do_wp_page(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, pte_t orig)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = pte_folio(orig);

	if (vma->vm_flags & VM_SHARED) {
		wp_page_reuse(ptep, orig, folio);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	if (folio && folio_test_anon(folio) &&
	    (PageAnonExclusive(folio) || wp_can_reuse_anon_folio(folio, vma))) {
		if (!PageAnonExclusive(folio))
			SetPageAnonExclusive(folio);
		wp_page_reuse(ptep, orig, folio);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	/* Copy: keep the old folio alive while the PTE lock is dropped. */
	if (folio)
		folio_get(folio);
	spin_unlock(&mm->page_table_lock);
	return wp_page_copy(vma, addr, orig, folio);
}

/*
 * do_swap_page() - a fault on a swap PTE (spec §3.2, §2.10, §2.11).
 *
 * The VMA has an anon_vma: a swap PTE only exists where an anon folio
 * was mapped.  The folio comes from the swap cache, or is read into a
 * new one; a new one joins the swap cache only if other swap PTEs still
 * refer to the slot (otherwise it stays out of it, the kernel's
 * synchronous-IO path).  It is exclusive if the swap PTE carried the
 * exclusive bit, if it is a new folio that never was in the swap cache
 * (only this PTE referred to the slot), or if after freeing the swap
 * this PTE's reference is the only one; the kernel proves exclusivity
 * in the same three ways.  A folio that is not anon yet is added with
 * folio_add_new_anon_rmap(), which tags a non-exclusive one with the
 * root anon_vma (the 2010 lesson); a cached anon folio keeps its
 * anon_vma and is added with folio_add_anon_rmap_pte().  The PTE is
 * writable only for a write fault on an exclusive page; otherwise a
 * later write goes through do_wp_page().
 */
static vm_fault_t do_swap_page(struct vm_area_struct *vma, unsigned long addr,
			       pte_t orig, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	swp_entry_t entry = pte_to_swp_entry(orig);
	struct folio *folio;
	bool fresh = false, exclusive, in_cache;
	vm_fault_t ret = 0;
	pte_t *ptep;

	if (WARN_ON(!READ_ONCE(vma->anon_vma)))
		return VM_FAULT_SIGBUS;

again:
	folio = swap_cache_get_folio(entry);
	if (!folio) {
		folio = folio_alloc(SITE_SWAP);
		if (!folio)
			return VM_FAULT_OOM;
		folio_lock(folio);
		/*
		 * Read the slot and decide about the swap cache with the
		 * PTE verified under its lock: our swap PTE then still
		 * holds its count on the slot.
		 */
		ptep = lock_pte(mm, addr, false, &ret);
		if (!ptep || !pte_same(ptep_get(ptep), orig))
			goto out_unlock_pte;
		folio->data = swap_read_data(entry);
		fresh = true;
		if (swap_count(entry) > 1 &&
		    try_add_to_swap_cache(folio, entry)) {
			/* Another mm's swap-in cached the slot first. */
			spin_unlock(&mm->page_table_lock);
			folio_unlock(folio);
			folio_put(folio);
			fresh = false;
			goto again;
		}
	}
	if (!fresh) {
		folio_lock(folio);
		/* It may have left the swap cache while we waited. */
		if (!folio_test_flag(folio, PG_swapcache) ||
		    READ_ONCE(folio->private) != entry.val) {
			folio_unlock(folio);
			folio_put(folio);
			return 0;
		}
		ptep = lock_pte(mm, addr, false, &ret);
		if (!ptep || !pte_same(ptep_get(ptep), orig))
			goto out_unlock_pte;
	}

	/* PTE lock and folio lock held; our reference becomes the PTE's. */
	in_cache = folio_test_flag(folio, PG_swapcache);
	exclusive = pte_swp_exclusive(orig) || (fresh && !in_cache);
	swap_free(entry);
	if (in_cache)
		folio_free_swap(folio);
	if (!exclusive && folio_ref_count(folio) == 1)
		exclusive = true;
	if (!folio_test_anon(folio))
		folio_add_new_anon_rmap(folio, vma, addr,
					exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
	else
		folio_add_anon_rmap_pte(folio, vma, addr,
					exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
	folio_mark_young(folio);
	set_pte(ptep, mk_pte(folio, write && exclusive &&
				    (vma->vm_flags & VM_WRITE)));
	mm_counter_add(&mm->rss_swap, -1);
	mm_counter_add(&mm->rss_anon, 1);
	/*
	 * Unlock the folio before the PTE: once the PTE lock is dropped a
	 * zap may put the PTE's reference, which is now our only one.
	 */
	folio_unlock(folio);
	spin_unlock(&mm->page_table_lock);
	return 0;

out_unlock_pte:
	/*
	 * The PTE changed under us: back out, the fault is retried.  If
	 * it was zapped, its swap_free() may have dropped the slot's last
	 * count while we held the folio lock, and so could not free the
	 * swap cache: do it here, or nothing ever would (the model has no
	 * LRU scan to find the folio later).
	 */
	spin_unlock(&mm->page_table_lock);
	if (folio_test_flag(folio, PG_swapcache))
		folio_free_swap(folio);
	folio_unlock(folio);
	folio_put(folio);
	return ret;
}

/**
 * handle_mm_fault() - resolve a fault at @addr in @vma.
 * @vma: the VMA containing @addr; the mmap lock is held for read.
 * @addr: the faulting address (any byte of the page).
 * @flags: FAULT_FLAG_WRITE for a store.
 *
 * Dispatches on the PTE as the kernel's handle_pte_fault() does (see
 * the top of this file).  Returns 0 when the fault was handled or found
 * already handled by another thread (the caller re-checks the PTE and
 * may fault again), or VM_FAULT_OOM / VM_FAULT_SIGBUS / VM_FAULT_SIGSEGV.
 * A write fault in a VMA without VM_WRITE is VM_FAULT_SIGSEGV: the
 * kernel's architecture fault handler refuses it before this point.
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			   unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	bool write = flags & FAULT_FLAG_WRITE;
	vm_fault_t ret = 0;
	pte_t *ptep, orig;

	mmap_assert_locked(mm);
	addr &= PAGE_MASK;
	if (WARN_ON(addr < vma->vm_start || addr >= vma->vm_end))
		return VM_FAULT_SIGSEGV;
	if (write && !(vma->vm_flags & VM_WRITE))
		return VM_FAULT_SIGSEGV;

	for (;;) {
		ptep = lock_pte(mm, addr, true, &ret);
		if (!ptep) {
			spin_unlock(&mm->page_table_lock);
			return ret;
		}
		orig = ptep_get(ptep);
		if (pte_present(orig)) {
			if (write && !pte_write(orig))
				return do_wp_page(vma, addr, ptep, orig);
			/* Already resolved, by another thread. */
			if (pte_folio(orig))
				folio_mark_young(pte_folio(orig));
			spin_unlock(&mm->page_table_lock);
			return 0;
		}
		spin_unlock(&mm->page_table_lock);
		if (!is_migration_pte(orig))
			break;
		/* The migration holds its locks until it is done: wait. */
		sched_yield();
	}

	if (pte_none(orig)) {
		if (vma_is_anonymous(vma))
			return do_anonymous_page(vma, addr, write);
		return do_fault(vma, addr, write);
	}
	if (is_swap_entry_pte(orig))
		return do_swap_page(vma, addr, orig, write);
	WARN_ON(1);
	return VM_FAULT_SIGBUS;
}

/*
 * access_permitted() - the architecture's check before any fault.  A
 * store needs VM_WRITE.  A load needs any of VM_READ, VM_WRITE,
 * VM_EXEC: as on x86 (without protection keys) a writable or executable
 * page is also readable, e.g. mmap(PROT_WRITE) gives only VM_WRITE but
 * can be read.
 */
static bool access_permitted(const struct vm_area_struct *vma, bool write)
{
	if (write)
		return vma->vm_flags & VM_WRITE;
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

/**
 * fault_in_page() - make the PTE of @addr in @vma allow a load (or a
 * store, @write), faulting as often as needed, then do the access.
 * @vma: the VMA containing @addr, its permissions already checked; the
 *       mmap lock is held for read.
 * @value: NULL for get_user_pages() (mm/gup.c), which only faults the
 *         page in; otherwise in: the token to store, out: the token
 *         loaded (the zero page and new anonymous folios read 0).
 *
 * A store sets the PTE's dirty bit as the CPU does (and GUP's FOLL_TOUCH
 * for a write), which MADV_FREE cleared to find out whether the page was
 * written since.  Returns 0 or the VM_FAULT_* error of the fault that
 * failed (nothing was accessed).
 */
vm_fault_t fault_in_page(struct vm_area_struct *vma, unsigned long addr,
			 bool write, uint64_t *value)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_fault_t ret;

	mmap_assert_locked(mm);
	for (;;) {
		pte_t *ptep, pte;

		spin_lock(&mm->page_table_lock);
		ptep = pte_offset_map(mm, addr, false, NULL);
		pte = ptep ? ptep_get(ptep) : (pte_t){ 0 };
		if (pte_present(pte) && (!write || pte_write(pte))) {
			struct folio *folio = pte_folio(pte);

			if (write && !pte_dirty(pte))
				set_pte(ptep, pte_mkdirty(pte));
			if (folio)
				folio_mark_young(folio);
			if (value && !folio)
				*value = 0;	/* the zero page: never writable */
			else if (value && write)
				WRITE_ONCE(folio->data, *value);
			else if (value)
				*value = READ_ONCE(folio->data);
			spin_unlock(&mm->page_table_lock);
			return 0;
		}
		spin_unlock(&mm->page_table_lock);

		ret = handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0);
		if (ret & VM_FAULT_ERROR)
			return ret;
	}
}

/**
 * access_page() - a user load or store of one page.
 * @mm: the address space.
 * @addr: the address (any byte of the page).
 * @write: a store of *@value rather than a load.
 * @value: in: the token to store; out: the token loaded.
 *
 * Takes the mmap lock for read and finds the VMA as the architecture's
 * fault handler does: an address below a VM_GROWSDOWN VMA grows the
 * stack first (expand_stack()).  VM_FAULT_SIGSEGV outside any VMA or
 * without permission (see access_permitted()).  Then, like the CPU and
 * the kernel together, fault_in_page().  Returns 0 or the VM_FAULT_*
 * error of the fault that failed (nothing was accessed).
 */
vm_fault_t access_page(struct mm_struct *mm, unsigned long addr, bool write,
		       uint64_t *value)
{
	struct vm_area_struct *vma;
	vm_fault_t ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma) {
		/* A stack that may grow down to @addr: drops the lock if not. */
		vma = expand_stack(mm, addr);
		if (!vma)
			return VM_FAULT_SIGSEGV;
	}
	if (!access_permitted(vma, write))
		ret = VM_FAULT_SIGSEGV;
	else
		ret = fault_in_page(vma, addr, write, value);
	mmap_read_unlock(mm);
	return ret;
}
