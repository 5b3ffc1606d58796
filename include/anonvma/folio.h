/* SPDX-License-Identifier: MIT */
/*
 * Folio allocation and references (the page allocator's part).
 * Only order-0 folios exist in the model.
 */
#ifndef ANONVMA_FOLIO_H
#define ANONVMA_FOLIO_H

#include "mm_types.h"
#include "slab.h"

/** folio_alloc() - a new folio, refcount 1, unmapped; NULL on (injected) failure. */
struct folio *folio_alloc(enum alloc_site site);
void folio_get(struct folio *folio);
/** folio_put() - drop a reference; the last one frees the folio. */
void folio_put(struct folio *folio);
/** folio_try_get() - take a reference unless the count already hit zero. */
bool folio_try_get(struct folio *folio);

/** zero_folio - the shared zero page; never mapped through a folio PTE. */
extern struct folio zero_folio;

#endif
