/* SPDX-License-Identifier: MIT */
/*
 * Typed object caches, the model's kmem_cache.
 *
 * Each cache counts live objects, bytes, peak, and allocations and frees
 * by cause (the kernel function that would be the call site), so that a
 * scenario step can report "anon_vma +1 (prepare)" exactly as the kernel
 * oracle's kmem tracepoints do.  Every allocation passes through one
 * failure hook, where fault injection plugs in.
 *
 * A cache created with SLAB_TYPESAFE_BY_RCU never gives memory back to
 * the C library while the system lives: a freed object stays an object
 * of the same type (its constructor-initialised lock stays valid), which
 * is what lockless readers of folio->mapping rely on (spec §1.1, §2.8).
 * Other caches free for real, so AddressSanitizer sees use-after-free.
 */
#ifndef ANONVMA_SLAB_H
#define ANONVMA_SLAB_H

#include <stdbool.h>
#include <stddef.h>

/* Who allocates or frees: named after the kernel call site. */
enum alloc_site {
	SITE_PREPARE,	/* __anon_vma_prepare */
	SITE_CLONE,	/* anon_vma_clone */
	SITE_FORK,	/* anon_vma_fork, dup_mmap */
	SITE_PUT,	/* __put_anon_vma */
	SITE_UNLINK,	/* unlink_anon_vmas */
	SITE_CLEANUP,	/* cleanup_partial_anon_vmas */
	SITE_VMA,	/* vm_area_alloc / vm_area_dup / vm_area_free */
	SITE_FAULT,	/* folios allocated by faults, COW */
	SITE_SWAP,	/* swap-in, swap cache */
	SITE_MIGRATE,	/* migration targets */
	SITE_PGTABLE,	/* page-table pages */
	SITE_MM,	/* mm_struct, the VMA index */
	SITE_OTHER,
	NR_ALLOC_SITES
};

const char *alloc_site_name(enum alloc_site site);

#define SLAB_TYPESAFE_BY_RCU 0x1u

struct kmem_cache_stats {
	unsigned long live;
	unsigned long peak;
	unsigned long allocs[NR_ALLOC_SITES];
	unsigned long frees[NR_ALLOC_SITES];
	unsigned long failed;	/* allocations refused by the failure hook */
};

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     unsigned int flags,
				     void (*ctor)(void *obj));
void kmem_cache_destroy(struct kmem_cache *c);
/** kmem_cache_alloc() - NULL when the failure hook says so (GFP_KERNEL failing). */
void *kmem_cache_alloc(struct kmem_cache *c, enum alloc_site site);
/** kmem_cache_alloc_nowait() - as kmem_cache_alloc(), with GFP_NOWAIT's contract (the caller has a fallback). */
void *kmem_cache_alloc_nowait(struct kmem_cache *c, enum alloc_site site);
/** slab_alloc_is_nowait() - for the failure hook: is this a GFP_NOWAIT allocation? */
bool slab_alloc_is_nowait(void);
void kmem_cache_free(struct kmem_cache *c, void *obj, enum alloc_site site);

/** kmem_cache_obj_live() - is @obj allocated (typesafe caches; true for others). */
bool kmem_cache_obj_live(struct kmem_cache *c, const void *obj);
const char *kmem_cache_name(const struct kmem_cache *c);
size_t kmem_cache_size(const struct kmem_cache *c);
/** kmem_cache_get_stats() - a consistent snapshot of @c's counters. */
void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *out);
void kmem_cache_reset_stats(struct kmem_cache *c);
/**
 * kmem_cache_for_each_live() - call @fn on every allocated object of a
 * SLAB_TYPESAFE_BY_RCU cache (the invariant checker's view of anon_vmas).
 * Must be called while nothing allocates or frees from @c.
 */
void kmem_cache_for_each_live(struct kmem_cache *c,
			      void (*fn)(void *obj, void *arg), void *arg);

/*
 * The failure hook: called before every allocation of every cache; a
 * true return makes the allocation fail.  One hook for the whole
 * system; NULL means never fail.
 */
typedef bool (*alloc_fail_fn)(const struct kmem_cache *c, enum alloc_site site,
			      void *arg);
void slab_set_fail_hook(alloc_fail_fn fn, void *arg);
/**
 * should_failslab() - the hook's verdict for one allocation from @c;
 * allocations made outside the caches ask it with a placeholder cache
 * (system.h) so that they are failure points too.
 */
bool should_failslab(struct kmem_cache *c, enum alloc_site site);

#endif
