/* SPDX-License-Identifier: MIT */
/*
 * mm/page_alloc.c - folios: allocation, references and the folio lock.
 *
 * Only order-0 folios exist.  A folio lives in folio_cachep, an ordinary
 * cache, so a folio used after its last reference went away is caught
 * by AddressSanitizer.  The zero page is a static folio outside the
 * cache that is never freed.
 */
#include <sched.h>

#include "internal.h"

/**
 * zero_folio - the shared zero page.
 *
 * Read faults on unfaulted private anonymous memory map it through a
 * special PTE (spec §1.4).  Its reference count stays at one: gets and
 * puts on it are ignored, so it can never be freed.
 */
struct folio zero_folio = {
	._mapcount = -1,
	._refcount = 1,
};

/* Allocation number of the last folio, for stable output labels. */
static unsigned long folio_serial;

/**
 * folio_alloc() - a new folio: refcount 1, unmapped, no mapping, data 0.
 * @site: who allocates (SITE_FAULT, SITE_SWAP, SITE_MIGRATE...).
 *
 * Return: the folio, or NULL when the allocation fails (fault injection).
 */
struct folio *folio_alloc(enum alloc_site site)
{
	struct folio *folio = kmem_cache_alloc(folio_cachep, site);

	if (!folio)
		return NULL;
	/* Not yet visible to anyone: plain stores are enough. */
	folio->flags = 0;
	folio->mapping = 0;
	folio->index = 0;
	folio->_mapcount = -1;
	folio->_refcount = 1;
	folio->private = 0;
	folio->data = 0;
	folio->serial = __atomic_add_fetch(&folio_serial, 1, __ATOMIC_RELAXED);
	return folio;
}

/**
 * folio_get() - take one more reference on @folio.
 * @folio: a folio the caller already holds a reference on (or maps).
 */
void folio_get(struct folio *folio)
{
	int old;

	if (folio == &zero_folio)
		return;
	old = __atomic_fetch_add(&folio->_refcount, 1, __ATOMIC_RELAXED);
	WARN_ON(old <= 0);
}

/**
 * folio_try_get() - take a reference unless the count already hit zero.
 * @folio: a folio that may be on its way to being freed.
 *
 * Return: true with a reference taken.
 */
bool folio_try_get(struct folio *folio)
{
	int c = __atomic_load_n(&folio->_refcount, __ATOMIC_RELAXED);

	if (folio == &zero_folio)
		return true;
	do {
		if (c <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&folio->_refcount, &c, c + 1,
					      true, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

/*
 * The last reference is gone.  A folio still mapped by a PTE, still in
 * the swap cache or still locked here is a refcount bug of the caller:
 * warn, so the tests see it, and free it anyway.
 */
static void folio_free(struct folio *folio)
{
	WARN_ON(folio_mapped(folio));
	WARN_ON(folio_test_flag(folio, PG_swapcache));
	WARN_ON(folio_test_flag(folio, PG_locked));
	kmem_cache_free(folio_cachep, folio, SITE_OTHER);
}

/**
 * folio_put() - drop a reference; the last one frees the folio.
 * @folio: the folio.
 *
 * The decrement is acquire-release so that everything done to the folio
 * by any holder happens before the free.
 */
void folio_put(struct folio *folio)
{
	int c;

	if (folio == &zero_folio)
		return;
	c = __atomic_sub_fetch(&folio->_refcount, 1, __ATOMIC_ACQ_REL);
	if (WARN_ON(c < 0))
		return;
	if (c == 0)
		folio_free(folio);
}

/**
 * folio_lock() - take the folio lock (PG_locked), waiting for it.
 * @folio: the folio.
 *
 * Spins with sched_yield(): a folio lock is held only across short
 * operations of the model.  The lock order is checked before waiting:
 * the folio lock comes after mmap_lock and before the anon_vma lock
 * (spec §1.7).  While it waits, lock dumps show the thread as waiting
 * for the folio, not holding it.
 */
void folio_lock(struct folio *folio)
{
	lock_note_wait(folio, LOCK_CLASS_FOLIO, true);
	while (__atomic_fetch_or(&folio->flags, 1UL << PG_locked,
				 __ATOMIC_ACQUIRE) & (1UL << PG_locked))
		sched_yield();
	lock_note_acquire_try(folio, LOCK_CLASS_FOLIO, true);
}

/**
 * folio_trylock() - take the folio lock if it is free.
 * @folio: the folio.
 *
 * Return: true when taken.
 */
bool folio_trylock(struct folio *folio)
{
	if (__atomic_fetch_or(&folio->flags, 1UL << PG_locked,
			      __ATOMIC_ACQUIRE) & (1UL << PG_locked))
		return false;
	lock_note_acquire_try(folio, LOCK_CLASS_FOLIO, true);
	return true;
}

/**
 * folio_unlock() - release the folio lock held by the calling thread.
 * @folio: the folio.
 *
 * Unlocking a folio this thread did not lock is reported as a lock
 * violation; the bit is cleared all the same (the kernel lets another
 * context, such as I/O completion, unlock a folio).
 */
void folio_unlock(struct folio *folio)
{
	lock_note_release(folio);
	WARN_ON(!folio_test_locked(folio));
	__atomic_fetch_and(&folio->flags, ~(1UL << PG_locked),
			   __ATOMIC_RELEASE);
}

/**
 * folio_test_locked() - true when anyone holds the folio lock.
 * @folio: the folio.
 */
bool folio_test_locked(const struct folio *folio)
{
	return folio_test_flag(folio, PG_locked);
}
