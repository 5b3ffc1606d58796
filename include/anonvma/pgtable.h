/* SPDX-License-Identifier: MIT */
/*
 * Page-table entries and walking.  The four-level table lives in
 * mm/pgtable.c; these helpers encode and decode one entry.
 */
#ifndef ANONVMA_PGTABLE_H
#define ANONVMA_PGTABLE_H

#include "mm_types.h"

#define _PAGE_PRESENT	0x1UL
#define _PAGE_RW	0x2UL
#define _PAGE_DIRTY	0x4UL
#define _PAGE_SPECIAL	0x8UL	/* the zero page: no struct folio behind it */
#define _PAGE_FLAGS	0xfUL

/* Non-present entries: bit 0 clear, type in bits 1-3, exclusive in bit 4. */
#define SWP_TYPE_SWAP		1UL
#define SWP_TYPE_MIGRATION	2UL
#define _PAGE_SWP_EXCLUSIVE	0x10UL
#define SWP_OFFSET_SHIFT	8

static inline bool pte_none(pte_t pte) { return pte.val == 0; }
static inline bool pte_present(pte_t pte) { return pte.val & _PAGE_PRESENT; }
static inline bool pte_write(pte_t pte) { return pte.val & _PAGE_RW; }
static inline bool pte_dirty(pte_t pte) { return pte.val & _PAGE_DIRTY; }
static inline bool pte_special(pte_t pte)
{
	return pte_present(pte) && (pte.val & _PAGE_SPECIAL);
}
static inline bool is_zero_pte(pte_t pte) { return pte_special(pte); }

/** pte_folio() - the folio a present, non-special PTE maps. */
static inline struct folio *pte_folio(pte_t pte)
{
	if (!pte_present(pte) || pte_special(pte))
		return NULL;
	return (struct folio *)(pte.val & ~_PAGE_FLAGS);
}

static inline pte_t mk_pte(struct folio *folio, bool write)
{
	pte_t p = { (uintptr_t)folio | _PAGE_PRESENT };

	if (write)
		p.val |= _PAGE_RW | _PAGE_DIRTY;
	return p;
}

static inline pte_t pte_mkdirty(pte_t pte)
{
	pte.val |= _PAGE_DIRTY;
	return pte;
}

static inline pte_t pte_mkclean(pte_t pte)
{
	pte.val &= ~_PAGE_DIRTY;
	return pte;
}

static inline pte_t mk_zero_pte(void)
{
	return (pte_t){ _PAGE_PRESENT | _PAGE_SPECIAL };
}

static inline pte_t pte_wrprotect(pte_t pte)
{
	pte.val &= ~_PAGE_RW;
	return pte;
}

static inline pte_t pte_mkwrite(pte_t pte)
{
	pte.val |= _PAGE_RW | _PAGE_DIRTY;
	return pte;
}

static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}

static inline unsigned long swp_pte_type(pte_t pte)
{
	return (pte.val >> 1) & 0x7;
}

static inline bool is_swap_entry_pte(pte_t pte)
{
	return is_swap_pte(pte) && swp_pte_type(pte) == SWP_TYPE_SWAP;
}

static inline bool is_migration_pte(pte_t pte)
{
	return is_swap_pte(pte) && swp_pte_type(pte) == SWP_TYPE_MIGRATION;
}

/** pte_swp_exclusive() - the page was PageAnonExclusive when unmapped. */
static inline bool pte_swp_exclusive(pte_t pte)
{
	return is_swap_pte(pte) && (pte.val & _PAGE_SWP_EXCLUSIVE);
}

static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	pte.val &= ~_PAGE_SWP_EXCLUSIVE;
	return pte;
}

static inline pte_t swp_entry_to_pte(swp_entry_t e, bool exclusive)
{
	pte_t p = { (e.val << SWP_OFFSET_SHIFT) | (SWP_TYPE_SWAP << 1) };

	if (exclusive)
		p.val |= _PAGE_SWP_EXCLUSIVE;
	return p;
}

static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	return (swp_entry_t){ pte.val >> SWP_OFFSET_SHIFT };
}

/* A migration entry remembers the folio being migrated (its "PFN"). */
static inline pte_t make_migration_pte(struct folio *folio, bool write,
				       bool exclusive)
{
	pte_t p = { ((uintptr_t)folio << SWP_OFFSET_SHIFT) |
		    (SWP_TYPE_MIGRATION << 1) };

	if (exclusive)
		p.val |= _PAGE_SWP_EXCLUSIVE;
	if (write)
		p.val |= 0x20UL;
	return p;
}

static inline bool migration_pte_write(pte_t pte) { return pte.val & 0x20UL; }

static inline struct folio *migration_pte_folio(pte_t pte)
{
	return (struct folio *)(pte.val >> SWP_OFFSET_SHIFT);
}

/**
 * pgtable_next_mapped() - the first address in [@addr, @end) covered by a
 * PTE table of @mm, or @end (mm->page_table_lock held): range walkers skip
 * empty terabytes at once.
 */
unsigned long pgtable_next_mapped(struct mm_struct *mm, unsigned long addr,
				  unsigned long end);

/**
 * pte_offset_map() - the PTE slot for @addr, or NULL if no PTE table
 * covers it.  @alloc: allocate missing tables (may fail: returns NULL
 * and sets *@oom).  Caller holds mm->page_table_lock or the mmap lock
 * for write.
 */
pte_t *pte_offset_map(struct mm_struct *mm, unsigned long addr, bool alloc,
		      bool *oom);
/** free_pgd_range() - free the PTE tables that cover only [start, end). */
void free_pgd_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end);
/** free_all_pgtables() - free every table of @mm (exit, failed fork). */
void free_all_pgtables(struct mm_struct *mm);

#endif
