/* SPDX-License-Identifier: MIT */
/*
 * mm/pgtable.c - the page tables of an mm: a four-level radix tree of
 * 512-entry tables (PGD, PUD, PMD, PTE; 9 bits of the address per level,
 * 48-bit addresses, as x86-64 without 5-level paging), and the freeing
 * of tables at munmap, exit and failed fork (spec §3.8).
 *
 * Life cycle and locking:
 * - mm->pgd is allocated lazily, by the first pte_offset_map() that is
 *   asked to allocate; mm_alloc() leaves it NULL and an mm that never
 *   faults owns no table at all.
 * - Tables are only added by pte_offset_map(..., alloc = true), called
 *   with mm->page_table_lock held (or with the mmap lock held for write
 *   and no other user of the tables).  A new table is zeroed before it
 *   is published with a release store, and walkers load the upper-level
 *   pointers with acquire loads, so a walker never sees a table before
 *   its contents.
 * - Tables are only freed under mm->page_table_lock, with the mmap lock
 *   held, and only when every entry below them is none.  Every reader
 *   or writer of a PTE therefore holds mm->page_table_lock while it uses
 *   the pte_t pointer, and walks again after re-taking the lock.
 */
#include <string.h>

#include "internal.h"

#define PGTABLE_LEVELS	4
#define PGTABLE_BITS	9
#define PTE_SHIFT	PAGE_SHIFT			/* 12 */
#define PMD_SHIFT	(PTE_SHIFT + PGTABLE_BITS)	/* 21: one PTE table */
#define PUD_SHIFT	(PMD_SHIFT + PGTABLE_BITS)	/* 30: one PMD table */
#define PGD_SHIFT	(PUD_SHIFT + PGTABLE_BITS)	/* 39: one PUD table */
#define ADDR_LIMIT	(1UL << (PGD_SHIFT + PGTABLE_BITS))	/* 2^48 */

/* The address bits each level decodes, top level first. */
static const unsigned int level_shift[PGTABLE_LEVELS] = {
	PGD_SHIFT, PUD_SHIFT, PMD_SHIFT, PTE_SHIFT
};

static inline unsigned int table_index(unsigned long addr, int level)
{
	return (addr >> level_shift[level]) & (PTRS_PER_TABLE - 1);
}

/* The span of addresses one table at @level covers. */
static inline unsigned long table_span(int level)
{
	return 1UL << (level_shift[level] + PGTABLE_BITS);
}

static struct pgtable_page *pgtable_alloc(void)
{
	struct pgtable_page *t = kmem_cache_alloc(pgtable_cachep, SITE_PGTABLE);

	if (t)
		memset(t, 0, sizeof(*t));
	return t;
}

static void pgtable_free(struct pgtable_page *t)
{
	kmem_cache_free(pgtable_cachep, t, SITE_PGTABLE);
}

/**
 * pte_offset_map() - the PTE slot for @addr in @mm's page tables.
 * @mm: the address space.
 * @addr: any address inside the page.
 * @alloc: allocate the missing tables on the way down.
 * @oom: if not NULL, set to true when a table allocation failed.
 *
 * Returns NULL when no PTE table covers @addr and @alloc is false, when
 * @addr is beyond the 48-bit address space, or when an allocation
 * failed (then *@oom is true; tables allocated before the failure stay,
 * empty, as in the kernel).  The caller holds mm->page_table_lock, or
 * the mmap lock for write when nobody else can walk these tables, and
 * uses the result only while it does.
 */
pte_t *pte_offset_map(struct mm_struct *mm, unsigned long addr, bool alloc,
		      bool *oom)
{
	struct pgtable_page *table;
	int level;

	if (oom)
		*oom = false;
	if (addr >= ADDR_LIMIT)
		return NULL;

	table = smp_load_acquire(&mm->pgd);
	if (!table) {
		if (!alloc)
			return NULL;
		table = pgtable_alloc();
		if (!table)
			goto out_oom;
		smp_store_release(&mm->pgd, table);
	}
	for (level = 0; level < PGTABLE_LEVELS - 1; level++) {
		void **slot = &table->next[table_index(addr, level)];
		struct pgtable_page *next = smp_load_acquire(slot);

		if (!next) {
			if (!alloc)
				return NULL;
			next = pgtable_alloc();
			if (!next)
				goto out_oom;
			smp_store_release(slot, (void *)next);
		}
		table = next;
	}
	return &table->pte[table_index(addr, PGTABLE_LEVELS - 1)];

out_oom:
	if (oom)
		*oom = true;
	return NULL;
}

/**
 * pgtable_next_mapped() - the first address in [@addr, @end) that a PTE
 * table of @mm covers, or @end when none does.
 * @mm: the address space; the caller holds mm->page_table_lock.
 * @addr: where to start.
 * @end: where to stop.
 *
 * The walkers of a range go one PTE table (2 MiB) at a time; over a
 * reservation of terabytes that is millions of steps through nothing.
 * Like the kernel's pgd/pud/pmd_none() tests, this skips at once the
 * whole span an absent upper-level entry stands for.
 */
unsigned long pgtable_next_mapped(struct mm_struct *mm, unsigned long addr,
				  unsigned long end)
{
	while (addr < end && addr < ADDR_LIMIT) {
		struct pgtable_page *table = smp_load_acquire(&mm->pgd);
		unsigned long span, next;
		int level;

		if (!table)
			return end;
		for (level = 0; level < PGTABLE_LEVELS - 1; level++) {
			struct pgtable_page *below =
				smp_load_acquire(&table->next[table_index(addr, level)]);

			if (!below)
				break;
			table = below;
		}
		if (level == PGTABLE_LEVELS - 1)
			return addr;
		/* Nothing below the entry: skip what it would have covered. */
		span = 1UL << level_shift[level];
		next = (addr & ~(span - 1)) + span;
		if (next <= addr)
			return end;
		addr = next;
	}
	return end;
}

static bool vma_in_list(const struct vm_area_struct *vma,
			struct vm_area_struct *const *vmas, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (vmas[i] == vma)
			return true;
	return false;
}

/*
 * span_in_use() - may a VMA other than the ones being torn down still
 * use the table that covers [ts, te)?  The VMAs inside [start, end) and
 * those in @vmas are going away; any other VMA of the index overlapping
 * the span keeps the table, which is what the kernel's floor/ceiling
 * arguments of free_pgd_range() achieve.  Needs the mmap lock.
 */
static bool span_in_use(struct mm_struct *mm, unsigned long ts,
			unsigned long te, unsigned long start,
			unsigned long end, struct vm_area_struct *const *vmas,
			int n)
{
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, ts); vma && vma->vm_start < te;
	     vma = find_vma(mm, vma->vm_end)) {
		if (vma->vm_start >= start && vma->vm_end <= end)
			continue;
		if (vma_in_list(vma, vmas, n))
			continue;
		return true;
	}
	return false;
}

static bool pte_table_empty(const struct pgtable_page *t)
{
	int i;

	for (i = 0; i < PTRS_PER_TABLE; i++)
		if (!pte_none((pte_t){ READ_ONCE(t->pte[i].val) }))
			return false;
	return true;
}

static bool upper_table_empty(const struct pgtable_page *t)
{
	int i;

	for (i = 0; i < PTRS_PER_TABLE; i++)
		if (READ_ONCE(t->next[i]))
			return false;
	return true;
}

/*
 * free_range_level() - free the empty tables below @table (a table of
 * @level covering addresses from @base) that intersect [start, end) and
 * that no surviving VMA shares.  Returns true when @table itself is now
 * empty.  Called with mm->page_table_lock held.
 */
static bool free_range_level(struct mm_struct *mm, struct pgtable_page *table,
			     int level, unsigned long base, unsigned long start,
			     unsigned long end, struct vm_area_struct *const *vmas,
			     int n)
{
	unsigned long child_span = 1UL << level_shift[level];
	unsigned long addr = start > base ? start : base;
	unsigned long limit = base + table_span(level);
	bool kept = false;

	if (end < limit)
		limit = end;
	for (addr &= ~(child_span - 1); addr < limit; addr += child_span) {
		void **slot = &table->next[table_index(addr, level)];
		struct pgtable_page *child = READ_ONCE(*slot);
		bool empty;

		if (!child)
			continue;
		/*
		 * A PTE table still used by a neighbour is the common case
		 * (munmap of one page beside others): ask the VMA index
		 * first, before scanning 512 entries.  Upper tables recurse
		 * first, as their lower tables may go even when they stay.
		 */
		if (level == PGTABLE_LEVELS - 2)
			empty = !span_in_use(mm, addr, addr + child_span, start,
					     end, vmas, n) &&
				pte_table_empty(child);
		else
			empty = free_range_level(mm, child, level + 1, addr,
						 start, end, vmas, n) &&
				!span_in_use(mm, addr, addr + child_span,
					     start, end, vmas, n);
		if (!empty) {
			kept = true;
			continue;
		}
		WRITE_ONCE(*slot, NULL);
		pgtable_free(child);
	}
	/* A child kept means this table stays: no need to scan it. */
	return !kept && upper_table_empty(table);
}

static void __free_pgd_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end, struct vm_area_struct *const *vmas,
			     int n)
{
	struct pgtable_page *pgd;

	if (end > ADDR_LIMIT)
		end = ADDR_LIMIT;
	if (start >= end)
		return;
	spin_lock(&mm->page_table_lock);
	pgd = READ_ONCE(mm->pgd);
	/* The PGD itself lives as long as the mm (free_all_pgtables()). */
	if (pgd)
		free_range_level(mm, pgd, 0, 0, start, end, vmas, n);
	spin_unlock(&mm->page_table_lock);
}

/**
 * free_pgd_range() - free the page tables that cover only [start, end).
 * @mm: the address space (mmap lock held, read or write).
 * @start: first address of the range.
 * @end: end of the range (exclusive).
 *
 * A table is freed when all of its entries are none and no VMA of the
 * mm index outside [start, end) overlaps the addresses it covers; upper
 * tables that became empty this way go too.  The PTEs must have been
 * zapped before (spec §3.8): a table still holding an entry is kept.
 */
void free_pgd_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	__free_pgd_range(mm, start, end, NULL, 0);
}

/**
 * free_pgtables() - cut the anon_vma links of @n VMAs, then free the
 * page tables that covered them (kernel free_pgtables(), spec §3.8).
 * @mm: the address space; the mmap lock is held (write, or read after
 *      munmap's downgrade once the VMAs are detached).
 * @vmas: the VMAs being removed, in address order; their PTEs have been
 *        zapped already, so that no PTE maps a folio of an anon_vma
 *        that unlink_anon_vmas() may free.
 * @n: how many.
 *
 * When the mmap lock is held for write each VMA is write-locked first,
 * as the kernel does before unlinking.  Tables shared with a VMA that
 * survives are kept.
 */
void free_pgtables(struct mm_struct *mm, struct vm_area_struct **vmas, int n)
{
	bool write_locked = rwsem_is_write_owner(&mm->mmap_lock);
	int i;

	for (i = 0; i < n; i++) {
		if (write_locked)
			vma_start_write(vmas[i]);
		unlink_anon_vmas(vmas[i]);
	}
	/*
	 * The VMAs are consecutive in the index (an munmap range, or the
	 * whole mm at exit): one pass over their span visits each table
	 * once instead of once per VMA.
	 */
	if (n)
		__free_pgd_range(mm, vmas[0]->vm_start, vmas[n - 1]->vm_end,
				 vmas, n);
}

/*
 * free_all_level() - free @table and everything below it; count the
 * PTEs that were not none (they should have been zapped).
 */
static unsigned long free_all_level(struct pgtable_page *table, int level)
{
	unsigned long left = 0;
	int i;

	for (i = 0; i < PTRS_PER_TABLE; i++) {
		if (level == PGTABLE_LEVELS - 1) {
			if (!pte_none(table->pte[i]))
				left++;
			continue;
		}
		if (table->next[i])
			left += free_all_level(table->next[i], level + 1);
	}
	pgtable_free(table);
	return left;
}

/**
 * free_all_pgtables() - free every page table of @mm, the PGD included
 * (exit_mmap() and the teardown of a half-built fork child).
 * @mm: the address space; nothing else may walk its tables any more.
 *
 * Warns when a PTE is still not none: every VMA must have been zapped
 * first, or its folios would keep references that nothing drops.
 */
void free_all_pgtables(struct mm_struct *mm)
{
	struct pgtable_page *pgd;
	unsigned long left = 0;

	spin_lock(&mm->page_table_lock);
	pgd = READ_ONCE(mm->pgd);
	WRITE_ONCE(mm->pgd, NULL);
	spin_unlock(&mm->page_table_lock);
	if (pgd)
		left = free_all_level(pgd, 0);
	WARN_ON(left != 0);
}
