/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker, page-table half: every entry of every page
 * table of every registered mm, against the VMAs, the anon_vma chains
 * and the folios they map.
 *
 * Checks made here (spec §4.1, plus the model's own bookkeeping):
 *   I7   a present PTE of a (non-KSM) anon folio lies in a VMA whose
 *        chain holds the folio's anon_vma, that anon_vma is live, its
 *        root is the VMA's root, and folio->index is the page's
 *        linear_page_index();
 *   I14  the checkable part of "tagging": an exclusive page has exactly
 *        one mapping in all mms, a writable PTE only maps an exclusive
 *        anon page, an exclusive swap entry is the slot's only user;
 *   MAP  PTEs counted per folio equal folio_mapcount(); page-cache
 *        folios sit in the page cache of the VMA's file at the VMA's
 *        offset; anon folios are not mapped by shared VMAs;
 *   REF  folio refcount covers its mappings, the swap cache, the page
 *        cache;
 *   RSS  mm->rss_anon/rss_file/rss_swap equal the entries counted;
 *   PT   no entry outside every VMA, no migration entry at a quiescent
 *        point, no write permission the VMA does not grant, no swap
 *        entry where no anon_vma exists, no malformed entry;
 *   SWAP each swap slot's count equals the swap PTEs that refer to it;
 *   LOCK no folio is locked at a quiescent point.
 *
 * The page tables are walked directly (the radix layout of
 * mm/pgtable.c: 9 bits per level above the 12-bit page offset), so an
 * entry outside every VMA is seen too.  Each PTE table found is
 * cross-checked against pte_offset_map() for its first address.
 */
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

#define LEVEL_BITS 9
#define PMD_SPAN_SHIFT (PAGE_SHIFT + LEVEL_BITS)	/* one PTE table: 2 MiB */
#define NR_UPPER_LEVELS 3				/* PGD, PUD, PMD */

/* One folio reached from a present PTE. */
struct folio_info {
	struct folio *folio;
	unsigned int ptes;		/* present PTEs mapping it, all mms */
	struct mm_struct *mm;		/* the first mm seen mapping it */
	unsigned long addr;		/* and the address there */
	bool multi_mm;			/* mapped in more than one mm */
};

/* One swap slot reached from a swap PTE. */
struct swap_info {
	unsigned long val;
	unsigned int ptes;		/* swap PTEs referring to it */
	unsigned int exclusive;		/* of which carry the exclusive bit */
	struct mm_struct *mm;
	unsigned long addr;
};

/* The walk of one mm. */
struct page_walk {
	struct check_ctx *c;
	struct mm_struct *mm;
	struct vm_area_struct **vmas;	/* sorted by vm_start */
	int nr_vmas;
	int cur;			/* first VMA that may cover what follows */
	struct vm_area_struct *stamped;	/* VMA whose chain is stamped */
	unsigned int stamp;
	unsigned long anon, file, swap;	/* RSS as counted */
	bool migration;			/* a migration entry was met */
	bool layout_reported;
};

/* The VMA of @w's mm that covers @addr; addresses come in increasing order. */
static struct vm_area_struct *covering_vma(struct page_walk *w,
					   unsigned long addr)
{
	while (w->cur < w->nr_vmas && w->vmas[w->cur]->vm_end <= addr)
		w->cur++;
	if (w->cur < w->nr_vmas && w->vmas[w->cur]->vm_start <= addr)
		return w->vmas[w->cur];
	return NULL;
}

static struct folio_info *note_folio(struct page_walk *w, struct folio *folio,
				     unsigned long addr)
{
	struct check_ctx *c = w->c;
	unsigned int idx;
	struct folio_info *fi;

	if (!check_map_insert(&c->folio_map, (uintptr_t)folio, c->nr_folios,
			   &idx)) {
		fi = &c->folios[idx];
		fi->ptes++;
		if (fi->mm != w->mm)
			fi->multi_mm = true;
		return fi;
	}
	c->folios = check_grow(c->folios, c->nr_folios, &c->cap_folios,
			       sizeof(*c->folios));
	fi = &c->folios[c->nr_folios++];
	fi->folio = folio;
	fi->ptes = 1;
	fi->mm = w->mm;
	fi->addr = addr;
	fi->multi_mm = false;
	return fi;
}

static void note_swap(struct page_walk *w, pte_t pte, unsigned long addr)
{
	struct check_ctx *c = w->c;
	swp_entry_t entry = pte_to_swp_entry(pte);
	struct swap_info *si;
	unsigned int idx;

	/* Key plus one: slot numbers may be 0, keys may not. */
	if (!check_map_insert(&c->swap_map, entry.val + 1, c->nr_swaps, &idx)) {
		si = &c->swaps[idx];
	} else {
		c->swaps = check_grow(c->swaps, c->nr_swaps, &c->cap_swaps,
				      sizeof(*c->swaps));
		si = &c->swaps[c->nr_swaps++];
		memset(si, 0, sizeof(*si));
		si->val = entry.val;
		si->mm = w->mm;
		si->addr = addr;
	}
	si->ptes++;
	if (pte_swp_exclusive(pte))
		si->exclusive++;
}

/* I7 for one present PTE of a plain anon folio at @addr in @vma. */
static void check_anon_pte(struct page_walk *w, struct vm_area_struct *vma,
			   struct folio *folio, uintptr_t mapping,
			   unsigned long addr)
{
	struct check_ctx *c = w->c;
	struct anon_vma *av = (struct anon_vma *)(mapping & ~FOLIO_MAPPING_FLAGS);
	struct anon_vma *vav = READ_ONCE(vma->anon_vma);
	unsigned int idx = check_av_index(c, av);
	unsigned int vidx;

	if (idx == CHECK_NONE) {
		/* Freed memory is not read: the use-after-free of spec §6. */
		check_fail(c, "I7: " VMA_FMT " maps folio#%lu at 0x%lx whose anon_vma is not live (freed)",
			   VMA_ARGS(w->mm, vma), folio->serial, addr);
		return;
	}
	if (w->stamped != vma) {
		w->stamp = check_stamp_chain(c, vma);
		w->stamped = vma;
	}
	if (c->avs[idx].mark != w->stamp)
		check_fail(c, "I7: " VMA_FMT " maps folio#%lu at 0x%lx whose anon_vma av#%u is not on the VMA's chain",
			   VMA_ARGS(w->mm, vma), folio->serial, addr, av->serial);
	if (folio->index != linear_page_index(vma, addr))
		check_fail(c, "I7: " VMA_FMT " maps folio#%lu at 0x%lx (pgoff %lu) but folio index is %lu",
			   VMA_ARGS(w->mm, vma), folio->serial, addr,
			   linear_page_index(vma, addr), folio->index);
	vidx = check_av_index(c, vav);
	if (vidx != CHECK_NONE && c->avs[vidx].root != c->avs[idx].root)
		check_fail(c, "I7: " VMA_FMT " maps folio#%lu at 0x%lx whose anon_vma av#%u has another root than the VMA's anon_vma av#%u",
			   VMA_ARGS(w->mm, vma), folio->serial, addr, av->serial,
			   vav->serial);
}

/* MAP for one present PTE of a page-cache folio at @addr in @vma. */
static void check_file_pte(struct page_walk *w, struct vm_area_struct *vma,
			   struct folio *folio, uintptr_t mapping,
			   unsigned long addr)
{
	struct check_ctx *c = w->c;
	struct address_space *as;
	unsigned long index;

	if (!mapping) {
		check_fail(c, "MAP: " VMA_FMT " maps folio#%lu at 0x%lx, which is neither anon nor in a page cache",
			   VMA_ARGS(w->mm, vma), folio->serial, addr);
		return;
	}
	if (!vma->vm_file) {
		check_fail(c, "MAP: anonymous " VMA_FMT " maps page-cache folio#%lu at 0x%lx",
			   VMA_ARGS(w->mm, vma), folio->serial, addr);
		return;
	}
	as = &vma->vm_file->f_mapping;
	if ((uintptr_t)as != mapping) {
		check_fail(c, "MAP: " VMA_FMT " maps folio#%lu at 0x%lx from another file's page cache",
			   VMA_ARGS(w->mm, vma), folio->serial, addr);
		return;
	}
	index = linear_page_index(vma, addr);
	if (folio->index != index)
		check_fail(c, "MAP: " VMA_FMT " maps folio#%lu at 0x%lx (pgoff %lu) but its index is %lu",
			   VMA_ARGS(w->mm, vma), folio->serial, addr, index,
			   folio->index);
	else if (index >= as->nr_pages || as->pages[index] != folio)
		check_fail(c, "MAP: " VMA_FMT " maps folio#%lu at 0x%lx that is not in the page cache of %s",
			   VMA_ARGS(w->mm, vma), folio->serial, addr,
			   vma->vm_file->name);
}

static void check_present(struct page_walk *w, struct vm_area_struct *vma,
			  pte_t pte, unsigned long addr)
{
	struct check_ctx *c = w->c;
	struct folio *folio = pte_folio(pte);
	uintptr_t mapping;
	bool anon;

	if (vma && pte_write(pte) && !(vma->vm_flags & VM_WRITE))
		check_fail(c, "PT: " VMA_FMT " has a writable PTE at 0x%lx without VM_WRITE",
			   VMA_ARGS(w->mm, vma), addr);
	if (!folio) {
		/* The zero page: never writable, not counted in RSS. */
		if (pte_write(pte))
			check_fail(c, "PT: mm#%lu maps the zero page writable at 0x%lx",
				   w->mm->serial, addr);
		return;
	}
	note_folio(w, folio, addr);
	mapping = READ_ONCE(folio->mapping);
	anon = mapping & FOLIO_MAPPING_ANON;
	if (anon)
		w->anon++;
	else
		w->file++;
	if (!vma)
		return;

	if (anon) {
		if (vma->vm_flags & VM_SHARED)
			check_fail(c, "MAP: shared " VMA_FMT " maps anon folio#%lu at 0x%lx",
				   VMA_ARGS(w->mm, vma), folio->serial, addr);
		/* COW: a writable PTE implies nobody else can see the page. */
		if (pte_write(pte) && !PageAnonExclusive(folio))
			check_fail(c, "I14: " VMA_FMT " maps folio#%lu writable at 0x%lx but the page is not PageAnonExclusive",
				   VMA_ARGS(w->mm, vma), folio->serial, addr);
		/* KSM folios are walked by KSM, not through anon_vmas. */
		if ((mapping & FOLIO_MAPPING_FLAGS) == FOLIO_MAPPING_ANON)
			check_anon_pte(w, vma, folio, mapping, addr);
		return;
	}
	check_file_pte(w, vma, folio, mapping, addr);
	/* A private mapping writes to its own copy, never the file (COW). */
	if (pte_write(pte) && !(vma->vm_flags & VM_SHARED))
		check_fail(c, "PT: private " VMA_FMT " maps page-cache folio#%lu writable at 0x%lx",
			   VMA_ARGS(w->mm, vma), folio->serial, addr);
}

static void check_entry(struct page_walk *w, pte_t pte, unsigned long addr)
{
	struct check_ctx *c = w->c;
	struct vm_area_struct *vma = covering_vma(w, addr);

	if (!vma)
		check_fail(c, "PT: mm#%lu has a PTE at 0x%lx outside every VMA",
			   w->mm->serial, addr);
	if (pte_present(pte)) {
		check_present(w, vma, pte, addr);
	} else if (is_swap_entry_pte(pte)) {
		w->swap++;
		note_swap(w, pte, addr);
		/*
		 * Only anon pages are swapped out through PTEs, and swap-in
		 * tags the new folio with vma->anon_vma.
		 */
		if (vma && !READ_ONCE(vma->anon_vma))
			check_fail(c, "PT: " VMA_FMT " has a swap entry at 0x%lx but no anon_vma",
				   VMA_ARGS(w->mm, vma), addr);
	} else if (is_migration_pte(pte)) {
		/* The folio behind it may be gone: it is not read. */
		w->migration = true;
		check_fail(c, "PT: mm#%lu has a migration entry at 0x%lx at a quiescent point",
			   w->mm->serial, addr);
	} else {
		check_fail(c, "PT: mm#%lu has a malformed entry %#lx at 0x%lx",
			   w->mm->serial, (unsigned long)pte.val, addr);
	}
}

static void walk_pte_table(struct page_walk *w, struct pgtable_page *t,
			   unsigned long base)
{
	unsigned int i;

	if (pte_offset_map(w->mm, base, false, NULL) != &t->pte[0]) {
		if (!w->layout_reported)
			check_fail(w->c, "PT: mm#%lu page table at 0x%lx is not where pte_offset_map() finds it",
				   w->mm->serial, base);
		w->layout_reported = true;
		return;
	}
	for (i = 0; i < PTRS_PER_TABLE; i++) {
		pte_t pte = { READ_ONCE(t->pte[i].val) };

		if (!pte_none(pte))
			check_entry(w, pte, base + ((unsigned long)i << PAGE_SHIFT));
	}
}

/* Tables of @level (0: PGD) covering addresses from @base. */
static void walk_table(struct page_walk *w, struct pgtable_page *t, int level,
		       unsigned long base)
{
	unsigned int shift = PMD_SPAN_SHIFT +
			     LEVEL_BITS * (NR_UPPER_LEVELS - 1 - level);
	unsigned int i;

	for (i = 0; i < PTRS_PER_TABLE; i++) {
		struct pgtable_page *next = smp_load_acquire(&t->next[i]);
		unsigned long addr = base + ((unsigned long)i << shift);

		if (!next)
			continue;
		if (level == NR_UPPER_LEVELS - 1)
			walk_pte_table(w, next, addr);
		else
			walk_table(w, next, level + 1, addr);
	}
}

static int cmp_vma_start(const void *a, const void *b)
{
	const struct vm_area_struct *va = *(struct vm_area_struct *const *)a;
	const struct vm_area_struct *vb = *(struct vm_area_struct *const *)b;

	return va->vm_start < vb->vm_start ? -1 : va->vm_start > vb->vm_start;
}

static void walk_mm(struct check_ctx *c, struct mm_struct *mm)
{
	struct page_walk w = { .c = c, .mm = mm };
	struct vm_area_struct **copy = NULL;
	struct pgtable_page *pgd = smp_load_acquire(&mm->pgd);
	int i;

	if (!check_index_usable(mm))
		return;		/* reported as "VMA" */
	if (check_index_sorted(mm)) {
		w.vmas = mm->vmas;
		w.nr_vmas = mm->map_count;
	} else {
		/* Reported as "VMA"; attribute PTEs as well as we can. */
		copy = calloc(mm->map_count + 1, sizeof(*copy));
		if (!copy)
			return;
		for (i = 0; i < mm->map_count; i++)
			if (mm->vmas[i])
				copy[w.nr_vmas++] = mm->vmas[i];
		qsort(copy, w.nr_vmas, sizeof(*copy), cmp_vma_start);
		w.vmas = copy;
	}

	if (pgd)
		walk_table(&w, pgd, 0, 0);

	/* Migration entries count as the page's type: not checkable here. */
	if (!w.migration &&
	    (w.anon != READ_ONCE(mm->rss_anon) ||
	     w.file != READ_ONCE(mm->rss_file) ||
	     w.swap != READ_ONCE(mm->rss_swap)))
		check_fail(c, "RSS: mm#%lu counts anon %lu file %lu swap %lu but maps anon %lu file %lu swap %lu",
			   mm->serial, READ_ONCE(mm->rss_anon),
			   READ_ONCE(mm->rss_file), READ_ONCE(mm->rss_swap),
			   w.anon, w.file, w.swap);
	free(copy);
}

static void check_folio(struct check_ctx *c, const struct folio_info *fi)
{
	struct folio *folio = fi->folio;
	uintptr_t mapping = READ_ONCE(folio->mapping);
	bool anon = mapping & FOLIO_MAPPING_ANON;
	int mapcount = folio_mapcount(folio);
	int need = mapcount;

	if (mapcount < 0 || fi->ptes != (unsigned int)mapcount)
		check_fail(c, "MAP: folio#%lu has mapcount %d but %u PTEs map it (first mm#%lu 0x%lx)",
			   folio->serial, mapcount, fi->ptes, fi->mm->serial,
			   fi->addr);
	if (folio_test_flag(folio, PG_swapcache))
		need++;
	if (!anon && mapping)
		need++;		/* the page cache's own reference */
	if (folio_ref_count(folio) < need)
		check_fail(c, "REF: folio#%lu has refcount %d, below %d (mapcount %d%s%s)",
			   folio->serial, folio_ref_count(folio), need, mapcount,
			   folio_test_flag(folio, PG_swapcache) ? " + swap cache" : "",
			   !anon && mapping ? " + page cache" : "");
	if (anon && PageAnonExclusive(folio) && (fi->ptes != 1 || fi->multi_mm))
		check_fail(c, "I14: folio#%lu is PageAnonExclusive but %u PTEs map it%s",
			   folio->serial, fi->ptes,
			   fi->multi_mm ? ", in more than one mm" : "");
	if (folio_test_flag(folio, PG_locked))
		check_fail(c, "LOCK: folio#%lu is locked at a quiescent point",
			   folio->serial);
}

/**
 * check_pages() - walk every page table of every registered mm and
 * check the PTEs, the folios they map and each mm's RSS counters.
 * @c: the run; the structural checks have filled c->avs and c->vmas.
 *
 * Called with the mm registry locked.
 */
void check_pages(struct check_ctx *c)
{
	struct mm_struct *mm;
	unsigned int i;

	check_map_init(&c->folio_map, 256);
	check_map_init(&c->swap_map, 16);
	for_each_mm(mm)
		walk_mm(c, mm);
	for (i = 0; i < c->nr_folios; i++)
		check_folio(c, &c->folios[i]);
}

/**
 * check_swap_slots() - compare each swap slot's count with the swap
 * PTEs found by check_pages(), and check exclusive swap entries (I14).
 * @c: the run.
 *
 * Called after the mm registry is unlocked: swap_count() takes the
 * swap device's lock.
 */
void check_swap_slots(struct check_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_swaps; i++) {
		const struct swap_info *si = &c->swaps[i];
		int count = swap_count((swp_entry_t){ si->val });

		if (count < 0 || (unsigned int)count != si->ptes)
			check_fail(c, "SWAP: slot %lu has count %d but %u swap PTEs refer to it (first mm#%lu 0x%lx)",
				   si->val, count, si->ptes, si->mm->serial,
				   si->addr);
		/* Fork clears the bit, so an exclusive entry is the only one. */
		if (si->exclusive && si->ptes > 1)
			check_fail(c, "I14: slot %lu has an exclusive swap PTE but %u swap PTEs refer to it",
				   si->val, si->ptes);
	}
}

/**
 * check_pages_destroy() - free what check_pages() allocated.
 * @c: the run.
 */
void check_pages_destroy(struct check_ctx *c)
{
	check_map_destroy(&c->folio_map);
	check_map_destroy(&c->swap_map);
	free(c->folios);
	free(c->swaps);
}
