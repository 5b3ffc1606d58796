/* SPDX-License-Identifier: MIT */
/*
 * Does this VMA really map this folio here?  (The kernel's
 * mm/page_vma_mapped.c, for order-0 folios mapped by PTEs only.)
 *
 * An rmap walk only knows that a VMA *may* map a folio: the VMA is
 * linked into the tree of the folio's anon_vma and the folio's index
 * falls inside it (spec §2.9).  The page may have been COW-copied,
 * zapped, swapped or never faulted there at all, so every rmap_one
 * callback confirms the mapping by looking at the PTE itself, under the
 * page-table lock.
 */
#include "internal.h"

/*
 * The PTE slot for @address in @vma, with its value in *@pte, or NULL if
 * the address lies outside the VMA or no page table covers it.  Caller
 * holds the PTL.
 */
static pte_t *vma_pte_slot(struct vm_area_struct *vma, unsigned long address,
			   pte_t *pte)
{
	struct mm_struct *mm = vma->vm_mm;
	bool oom = false;
	pte_t *ptep;

	WARN_ON(!spin_is_held(&mm->page_table_lock));
	if (address < vma->vm_start || address >= vma->vm_end)
		return NULL;
	ptep = pte_offset_map(mm, address & PAGE_MASK, false, &oom);
	if (ptep)
		pte->val = READ_ONCE(ptep->val);
	return ptep;
}

/**
 * page_vma_mapped() - the PTE that maps @folio at @address in @vma.
 * @folio:   the folio an rmap walk is looking for.
 * @vma:     a VMA the walk visits.
 * @address: where @folio would be mapped in @vma (vma_address()).
 *
 * The caller holds vma->vm_mm->page_table_lock, and keeps holding it
 * while it uses the returned slot.
 *
 * Return: the PTE slot if it is present and maps @folio, else NULL
 * (none, zero page, swap or migration entry, or another folio: e.g. the
 * VMA got its own COW copy).
 */
pte_t *page_vma_mapped(struct folio *folio, struct vm_area_struct *vma,
		       unsigned long address)
{
	pte_t pte;
	pte_t *ptep = vma_pte_slot(vma, address, &pte);

	if (!ptep || pte_folio(pte) != folio)
		return NULL;
	return ptep;
}

/**
 * page_vma_mapped_migration() - the migration entry for @folio at
 * @address in @vma (the kernel's PVMW_MIGRATION walk).
 * @folio:   the folio being migrated (the one the entry records).
 * @vma:     a VMA the walk visits.
 * @address: where @folio was mapped in @vma.
 *
 * The caller holds vma->vm_mm->page_table_lock.
 *
 * Return: the PTE slot if it holds a migration entry for @folio, else
 * NULL.
 */
pte_t *page_vma_mapped_migration(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address)
{
	pte_t pte;
	pte_t *ptep = vma_pte_slot(vma, address, &pte);

	if (!ptep || !is_migration_pte(pte) ||
	    migration_pte_folio(pte) != folio)
		return NULL;
	return ptep;
}
