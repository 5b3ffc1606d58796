/* SPDX-License-Identifier: MIT */
/*
 * The anonymous reverse map (mm/rmap.c in the kernel): anon_vma and
 * anon_vma_chain life cycle, attaching folios, and rmap walks.
 * The rules followed are those of shared/spec/anon_vma.md §2.
 */
#ifndef ANONVMA_RMAP_H
#define ANONVMA_RMAP_H

#include "mm_types.h"
#include "slab.h"

/* The operation kinds passed to anon_vma_clone() (spec §2.1). */
enum vma_operation {
	VMA_OP_SPLIT,
	VMA_OP_MERGE_UNFAULTED,
	VMA_OP_REMAP,
	VMA_OP_FORK,
};

#define RMAP_NONE	0x0
#define RMAP_EXCLUSIVE	0x1

/* Lock helpers: every one of them works on the root's rwsem. */
void anon_vma_lock_write(struct anon_vma *av);
bool anon_vma_trylock_write(struct anon_vma *av);
void anon_vma_unlock_write(struct anon_vma *av);
void anon_vma_lock_read(struct anon_vma *av);
bool anon_vma_trylock_read(struct anon_vma *av);
void anon_vma_unlock_read(struct anon_vma *av);

void get_anon_vma(struct anon_vma *av);
void put_anon_vma(struct anon_vma *av);
void __put_anon_vma(struct anon_vma *av);

int __anon_vma_prepare(struct vm_area_struct *vma);
/** anon_vma_prepare() - make sure @vma has an anon_vma (fast path inline). */
static inline int anon_vma_prepare(struct vm_area_struct *vma)
{
	if (__atomic_load_n(&vma->anon_vma, __ATOMIC_ACQUIRE))
		return 0;
	return __anon_vma_prepare(vma);
}
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src,
		   enum vma_operation op);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma);

/* Folio side (spec §2.8-§2.11). */
struct anon_vma *folio_anon_vma(const struct folio *folio);
struct anon_vma *folio_get_anon_vma(struct folio *folio);
struct rmap_walk_control;
struct anon_vma *folio_lock_anon_vma_read(struct folio *folio,
					  struct rmap_walk_control *rwc);
void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, bool exclusive);
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags);
void folio_add_anon_rmap_pte(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags);
void folio_remove_rmap_pte(struct folio *folio, struct vm_area_struct *vma);
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
/** folio_try_dup_anon_rmap_pte() - fork: share the page; -EBUSY if it may be pinned. */
int folio_try_dup_anon_rmap_pte(struct folio *folio,
				struct vm_area_struct *src_vma);

/**
 * struct rmap_walk_control - what an rmap walk does at each VMA.
 * @rmap_one: called for each VMA that may map the folio, with the
 *            address it would be mapped at; return false to stop.
 * @done:     optional; stop when it returns true.
 * @invalid_vma: optional; skip VMAs for which it returns true.
 * @try_lock: do not sleep on the anon_vma lock; set @contended instead.
 */
struct rmap_walk_control {
	void *arg;
	bool try_lock;
	bool contended;
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long address, void *arg);
	bool (*done)(struct folio *folio);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
	/*
	 * optional; how to find and read-lock the folio's anon_vma.  NULL
	 * means folio_anon_vma() plus the root read lock, which is right
	 * for callers that pin the anon_vma themselves (migration holds a
	 * reference); walkers of mapped folios without a pin pass
	 * folio_lock_anon_vma_read.
	 */
	struct anon_vma *(*anon_lock)(struct folio *folio,
				      struct rmap_walk_control *rwc);
	/* Statistics of the last walk, for the design lab. */
	unsigned long visited;
};

/** rmap_walk() - visit every VMA that may map @folio (caller holds the folio lock). */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
/** rmap_walk_locked() - same, the caller already holds the anon_vma lock. */
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc);
/** vma_address() - where page offset @pgoff of an @nr page folio lies in @vma, or -EFAULT. */
unsigned long vma_address(const struct vm_area_struct *vma, unsigned long pgoff,
			  unsigned long nr);

/** page_vma_mapped() - the PTE slot that maps @folio at @address in @vma, or NULL. */
pte_t *page_vma_mapped(struct folio *folio, struct vm_area_struct *vma,
		       unsigned long address);

/* Folio lock: a bit lock, as PG_locked. */
void folio_lock(struct folio *folio);
bool folio_trylock(struct folio *folio);
void folio_unlock(struct folio *folio);
bool folio_test_locked(const struct folio *folio);

static inline bool folio_test_anon(const struct folio *folio)
{
	return __atomic_load_n(&folio->mapping, __ATOMIC_RELAXED) &
	       FOLIO_MAPPING_ANON;
}

static inline bool folio_test_flag(const struct folio *folio, enum pageflags b)
{
	return __atomic_load_n(&folio->flags, __ATOMIC_RELAXED) & (1UL << b);
}

static inline void folio_set_flag(struct folio *folio, enum pageflags b)
{
	__atomic_fetch_or(&folio->flags, 1UL << b, __ATOMIC_RELAXED);
}

static inline void folio_clear_flag(struct folio *folio, enum pageflags b)
{
	__atomic_fetch_and(&folio->flags, ~(1UL << b), __ATOMIC_RELAXED);
}

static inline int folio_mapcount(const struct folio *folio)
{
	return __atomic_load_n(&folio->_mapcount, __ATOMIC_RELAXED) + 1;
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) > 0;
}

static inline int folio_ref_count(const struct folio *folio)
{
	return __atomic_load_n(&folio->_refcount, __ATOMIC_RELAXED);
}

#define PageAnonExclusive(f) folio_test_flag((f), PG_anon_exclusive)
#define SetPageAnonExclusive(f) folio_set_flag((f), PG_anon_exclusive)
#define ClearPageAnonExclusive(f) folio_clear_flag((f), PG_anon_exclusive)

#endif
