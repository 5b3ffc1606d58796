/* SPDX-License-Identifier: MIT */
/*
 * Page reclaim as far as the reverse map is concerned: finding a folio,
 * checking whether it was referenced (the kernel's folio_referenced()
 * in mm/rmap.c) and swapping it out (shrink_folio_list() ->
 * add_to_swap() -> try_to_unmap() -> pageout/__remove_mapping()).
 *
 * Every function here reaches the PTEs of other processes only through
 * rmap_walk(): one walk of the tree of the folio's anon_vma (spec §2.9).
 * If a VMA that maps the folio is missing from that tree (I7 broken),
 * the walk cannot unmap it and reclaim fails with -EAGAIN; if the
 * anon_vma has been freed under the folio, the walk is the
 * use-after-free of spec §6.
 *
 * Lock order on these paths (spec §1.7): folio lock -> anon_vma root
 * (taken by rmap_walk) -> page_table_lock of each mm visited -> the swap
 * device's internal lock.
 */
#include "internal.h"

/* The walk's early stop: nothing left to unmap (kernel folio_not_mapped). */
static bool folio_not_mapped(struct folio *folio)
{
	return !folio_mapped(folio);
}

static void walk_stats_set(struct walk_stats *st, unsigned long visited,
			   unsigned long mapped)
{
	if (st) {
		st->visited = visited;
		st->mapped = mapped;
	}
}

/**
 * folio_at() - the folio mapped at @addr of @mm, with a reference.
 * @mm:   an address space.
 * @addr: any address inside the page.
 *
 * Takes the mmap lock for read (so that no page table is freed under the
 * walk) and the page-table lock (so that the PTE cannot change while the
 * reference is taken: the PTE's own reference keeps the folio alive).
 *
 * Return: the folio of a present PTE that maps one, with a reference the
 * caller drops with folio_put(); NULL for no PTE, the zero page, a swap
 * or a migration entry.
 */
struct folio *folio_at(struct mm_struct *mm, unsigned long addr)
{
	struct folio *folio = NULL;
	bool oom = false;
	pte_t *ptep;

	mmap_read_lock(mm);
	spin_lock(&mm->page_table_lock);
	ptep = pte_offset_map(mm, addr & PAGE_MASK, false, &oom);
	if (ptep) {
		pte_t pte = { READ_ONCE(ptep->val) };

		folio = pte_folio(pte);
		if (folio)
			folio_get(folio);
	}
	spin_unlock(&mm->page_table_lock);
	mmap_read_unlock(mm);
	return folio;
}

struct referenced_arg {
	unsigned long visited;	/* VMAs the walk offered */
	unsigned long mapped;	/* of which a PTE really maps the folio */
};

static bool folio_referenced_one(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct referenced_arg *ra = arg;
	struct mm_struct *mm = vma->vm_mm;

	ra->visited++;
	spin_lock(&mm->page_table_lock);
	if (page_vma_mapped(folio, vma, address))
		ra->mapped++;
	spin_unlock(&mm->page_table_lock);
	return true;
}

/**
 * folio_referenced() - how many mappings of @folio were accessed since
 * the last check; clears the accessed state.
 * @folio: a folio the caller holds a reference on (folio_at()).
 * @st:    out (may be NULL): VMAs visited, VMAs that really map @folio.
 *
 * Model simplification: PTEs have no accessed bit; access_page() sets
 * PG_young on the folio instead, so "accessed" is one bit for all the
 * folio's mappings.  The walk counts the PTEs that map @folio (every
 * mapping is confirmed with page_vma_mapped() under the page-table
 * lock); the result is that count if PG_young was set, 0 otherwise, and
 * PG_young is cleared, as the kernel's walk clears each PTE's young bit.
 *
 * Only anonymous folios are reverse-mapped in the model; a file folio,
 * or a folio no PTE maps, gives 0 without a walk.  Locks the folio.
 *
 * Return: the number of referencing mappings.
 */
int folio_referenced(struct folio *folio, struct walk_stats *st)
{
	struct referenced_arg ra = { 0, 0 };
	struct rmap_walk_control rwc = {
		.arg = &ra,
		.rmap_one = folio_referenced_one,
		.anon_lock = folio_lock_anon_vma_read,
	};
	unsigned long old;

	walk_stats_set(st, 0, 0);
	folio_lock(folio);
	if (!folio_test_anon(folio) || !folio_mapped(folio)) {
		folio_unlock(folio);
		return 0;
	}
	rmap_walk(folio, &rwc);
	old = __atomic_fetch_and(&folio->flags, ~(1UL << PG_young),
				 __ATOMIC_RELAXED);
	folio_unlock(folio);
	walk_stats_set(st, ra.visited, ra.mapped);
	return (old & (1UL << PG_young)) ? (int)ra.mapped : 0;
}

/**
 * folio_unmap_pte() - replace the present PTE that maps @folio at
 * @address in @vma by a non-present entry (one step of an unmapping
 * rmap walk).
 * @folio:      the folio the walk unmaps.
 * @vma:        a VMA the walk visits.
 * @address:    where @folio would be mapped in @vma.
 * @st:         counts @vma as visited, and as mapped if a PTE there
 *              really maps @folio.
 * @make_entry: builds the entry that takes the PTE's place, from the
 *              old PTE and the page's exclusive bit; called under the
 *              page-table lock, it also does whatever accounting its
 *              kind of entry needs.
 * @arg:        passed to @make_entry.
 *
 * Reclaim (swap entries) and migration (migration entries) unmap a
 * folio the same way and differ only in the entry they leave behind,
 * so both try_to_unmap_one() and try_to_migrate_one() come here.  The
 * PTE's dirty bit moves to the folio, the exclusive bit moves from the
 * page into the entry (spec §2.11: the page has no mapping left that
 * could be exclusive), and the PTE's rmap count and folio reference go.
 * Takes and drops vma->vm_mm->page_table_lock.
 */
void folio_unmap_pte(struct folio *folio, struct vm_area_struct *vma,
		     unsigned long address, struct walk_stats *st,
		     folio_entry_fn make_entry, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *ptep;

	st->visited++;
	spin_lock(&mm->page_table_lock);
	ptep = page_vma_mapped(folio, vma, address);
	if (ptep) {
		pte_t pte = { READ_ONCE(ptep->val) };
		bool exclusive = PageAnonExclusive(folio);

		if (pte_dirty(pte))
			folio_set_flag(folio, PG_dirty);
		WRITE_ONCE(ptep->val,
			   make_entry(folio, mm, pte, exclusive, arg).val);
		if (exclusive)
			ClearPageAnonExclusive(folio);
		folio_remove_rmap_pte(folio, vma);
		/* The PTE's reference; the caller's (and the cache's) remain. */
		folio_put(folio);
		st->mapped++;
	}
	spin_unlock(&mm->page_table_lock);
}

struct unmap_arg {
	swp_entry_t entry;
	struct walk_stats st;
};

/*
 * The swap PTE for the folio's slot: one more PTE refers to the slot,
 * and the page moves from rss_anon to rss_swap.
 */
static pte_t make_swap_pte(struct folio *folio, struct mm_struct *mm,
			   pte_t pte, bool exclusive, void *arg)
{
	struct unmap_arg *ua = arg;

	swap_duplicate(ua->entry);
	__atomic_fetch_sub(&mm->rss_anon, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&mm->rss_swap, 1, __ATOMIC_RELAXED);
	return swp_entry_to_pte(ua->entry, exclusive);
}

/* try_to_unmap_one() for swap-out: each PTE becomes a swap PTE. */
static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct unmap_arg *ua = arg;

	folio_unmap_pte(folio, vma, address, &ua->st, make_swap_pte, ua);
	return true;
}

/**
 * reclaim_folio() - swap @folio out.
 * @folio:          an anonymous folio the caller holds a reference on
 *                  (folio_at()); the caller drops it afterwards, which
 *                  frees the folio once it is unmapped and uncached.
 * @keep_swapcache: leave @folio in the swap cache after unmapping it, so
 *                  that swap-in finds it there (and keeps its anon_vma)
 *                  instead of allocating a new folio.
 * @st:             out (may be NULL): VMAs visited, PTEs unmapped.
 *
 * Locks the folio, gives it a swap slot (its contents are written there)
 * and puts it in the swap cache unless it is there already, then
 * unmaps it with one rmap walk: each PTE becomes a swap PTE carrying
 * the page's exclusive bit, rss_anon -> rss_swap.  When nothing maps it
 * any more it leaves the swap cache (written back first) unless
 * @keep_swapcache; the slot lives on while swap PTEs refer to it.
 *
 * Return: 0; -EAGAIN if some mapping was not found by the walk (the
 * folio stays in the swap cache); -ENOMEM if the swap device is full;
 * -EINVAL for a folio that is not anonymous.
 */
int reclaim_folio(struct folio *folio, bool keep_swapcache,
		  struct walk_stats *st)
{
	struct unmap_arg ua = { { 0 }, { 0, 0 } };
	struct rmap_walk_control rwc = {
		.arg = &ua,
		.rmap_one = try_to_unmap_one,
		.anon_lock = folio_lock_anon_vma_read,
		.done = folio_not_mapped,
	};
	int ret = 0;

	walk_stats_set(st, 0, 0);
	if (!folio_test_anon(folio))
		return -EINVAL;
	folio_lock(folio);
	if (!folio_test_flag(folio, PG_swapcache)) {
		swp_entry_t entry;

		if (!folio_mapped(folio))
			goto unlock;	/* being freed: nothing to reclaim */
		ret = get_swap_slot(folio, &entry);
		if (ret)
			goto unlock;
		add_to_swap_cache(folio, entry);
	}
	ua.entry.val = folio->private;

	if (folio_mapped(folio))
		rmap_walk(folio, &rwc);

	if (folio_mapped(folio)) {
		/* A mapping the walk cannot reach: keep the cache. */
		ret = -EAGAIN;
		folio_free_swap(folio);
	} else if (!keep_swapcache) {
		delete_from_swap_cache(folio);
	} else {
		/* Kept only if some swap PTE still needs the slot. */
		folio_free_swap(folio);
	}
unlock:
	folio_unlock(folio);
	walk_stats_set(st, ua.st.visited, ua.st.mapped);
	return ret;
}
