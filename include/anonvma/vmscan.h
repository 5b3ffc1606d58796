/* SPDX-License-Identifier: MIT */
/*
 * The users of the reverse map: reclaim to swap, swap-in, the
 * "referenced" check and migration.  Each walks every VMA that may map
 * a folio through rmap_walk(), exactly the path where a broken anon_vma
 * hierarchy turns into a use-after-free.
 */
#ifndef ANONVMA_VMSCAN_H
#define ANONVMA_VMSCAN_H

#include "mm_types.h"

/** struct walk_stats - what the last walk saw, for output and benchmarks. */
struct walk_stats {
	unsigned long visited;	/* VMAs the walk looked at */
	unsigned long mapped;	/* of which really mapped the folio */
};

/**
 * folio_at() - the folio mapped at @addr of @mm, with a reference, or
 * NULL (nothing present, zero page, swap entry).
 */
struct folio *folio_at(struct mm_struct *mm, unsigned long addr);

/**
 * folio_referenced() - count the mappings of @folio whose accessed bit
 * is set, clearing it (mm/rmap.c folio_referenced()).  Locks the folio.
 */
int folio_referenced(struct folio *folio, struct walk_stats *st);

/**
 * reclaim_folio() - swap @folio out: allocate a swap slot, replace every
 * mapping with a swap entry that carries the exclusive bit
 * (try_to_unmap), then, unless @keep_swapcache, drop it from the swap
 * cache and free it.  Returns 0, -EAGAIN if some mapping could not be
 * unmapped, -EINVAL for a folio that is not anonymous.
 */
int reclaim_folio(struct folio *folio, bool keep_swapcache,
		  struct walk_stats *st);

/**
 * migrate_folio_to_new() - move @folio's contents and mappings to a new
 * folio (try_to_migrate, copy, remove_migration_ptes).  The anon_vma is
 * pinned with folio_get_anon_vma() across the move.
 */
int migrate_folio_to_new(struct folio *folio, struct folio **newp,
			 struct walk_stats *st);

/** swap_slots_in_use() - swap slots still referenced (leak checks). */
unsigned long swap_slots_in_use(void);

#endif
