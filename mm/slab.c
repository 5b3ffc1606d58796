/* SPDX-License-Identifier: MIT */
/*
 * mm/slab.c - typed object caches (the model's kmem_cache).
 *
 * Two kinds of cache:
 *
 * - Ordinary caches hand out one calloc() block per object, preceded by
 *   a small header that links the object on the cache's list of live
 *   objects.  Freeing calls free(), so AddressSanitizer reports any use
 *   after free of a VMA, an anon_vma_chain or a folio.  The constructor
 *   runs on every allocation.
 *
 * - SLAB_TYPESAFE_BY_RCU caches carve objects out of slabs of up to 64
 *   objects that go back to the C library only when the cache is
 *   destroyed.  The constructor runs once per object, when its slab is
 *   set up, never again: a freed anon_vma keeps a valid, unlocked rwsem
 *   and an empty tree for lockless readers that still look at it
 *   (spec §1.1, §2.8).  All bookkeeping (which objects are in use, the
 *   free list) lives outside the objects, since an object's memory must
 *   keep looking like an object of its type after it is freed.  Freed
 *   objects are reused last-in first-out, like SLUB's per-CPU freelist,
 *   so a stale pointer meets a recycled object as soon as possible.
 *
 * Every allocation first asks the system-wide failure hook, where fault
 * injection plugs in (an allocation it refuses is counted in ->failed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SLAB_OBJS_MAX	64	/* one uint64_t in-use bitmap per slab */
#define OBJ_ALIGN	16	/* malloc's alignment, enough for any field */
#define SLAB_HDR_SIZE	64	/* struct slab, rounded to a cache line */

/* In front of every object of an ordinary cache. */
struct obj_hdr {
	struct list_head node;	/* on kmem_cache::live_objs */
};

/*
 * The head of one slab of a SLAB_TYPESAFE_BY_RCU cache.  A slab is one
 * block of slab_bytes bytes aligned to slab_bytes, so the slab of an
 * object is found by masking its address.  The objects follow the head.
 */
struct slab {
	struct list_head list;		/* on kmem_cache::slabs, oldest first */
	struct kmem_cache *cache;
	uint64_t inuse;			/* bit i: object i is allocated */
	unsigned int nr_objs;
};

struct kmem_cache {
	char name[32];
	size_t size;
	unsigned int flags;
	void (*ctor)(void *obj);
	spinlock_t lock;		/* everything below */
	struct kmem_cache_stats stats;
	/* ordinary caches */
	struct list_head live_objs;
	/* SLAB_TYPESAFE_BY_RCU caches */
	struct list_head slabs;
	size_t stride;			/* object size rounded to OBJ_ALIGN */
	size_t slab_bytes;		/* power of two */
	unsigned int objs_per_slab;
	unsigned long nr_slab_objs;	/* objects in all slabs */
	void **freestack;		/* free objects, top = next to hand out */
	unsigned long nr_free;
	unsigned long freestack_cap;
};

_Static_assert(sizeof(struct slab) <= SLAB_HDR_SIZE, "slab head too big");

static alloc_fail_fn fail_fn;
static void *fail_arg;

static const char *const site_names[NR_ALLOC_SITES] = {
	[SITE_PREPARE] = "prepare",
	[SITE_CLONE] = "clone",
	[SITE_FORK] = "fork",
	[SITE_PUT] = "put",
	[SITE_UNLINK] = "unlink",
	[SITE_CLEANUP] = "cleanup",
	[SITE_VMA] = "vma",
	[SITE_FAULT] = "fault",
	[SITE_SWAP] = "swap",
	[SITE_MIGRATE] = "migrate",
	[SITE_PGTABLE] = "pgtable",
	[SITE_MM] = "mm",
	[SITE_OTHER] = "other",
};

/**
 * alloc_site_name() - the short name of @site, as scenario output prints it.
 * @site: an allocation site.
 *
 * Return: "prepare", "clone", ..., "other"; "?" for an invalid value.
 */
const char *alloc_site_name(enum alloc_site site)
{
	if ((unsigned int)site >= NR_ALLOC_SITES)
		return "?";
	return site_names[site];
}

static bool cache_is_typesafe(const struct kmem_cache *c)
{
	return c->flags & SLAB_TYPESAFE_BY_RCU;
}

static enum alloc_site site_index(enum alloc_site site)
{
	return (unsigned int)site < NR_ALLOC_SITES ? site : SITE_OTHER;
}

/**
 * kmem_cache_create() - a new cache of objects of @size bytes.
 * @name:  for statistics and leak reports (copied, truncated to 31 chars).
 * @size:  object size in bytes.
 * @flags: 0 or SLAB_TYPESAFE_BY_RCU.
 * @ctor:  constructor or NULL; see the file comment for when it runs.
 *
 * Return: the cache, or NULL when the C library is out of memory.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     unsigned int flags,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *c = calloc(1, sizeof(*c));
	size_t need;

	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "?");
	c->size = size ? size : 1;
	c->flags = flags;
	c->ctor = ctor;
	spin_lock_init(&c->lock, LOCK_CLASS_INTERNAL);
	INIT_LIST_HEAD(&c->live_objs);
	INIT_LIST_HEAD(&c->slabs);

	c->stride = (c->size + OBJ_ALIGN - 1) & ~(size_t)(OBJ_ALIGN - 1);
	need = SLAB_HDR_SIZE + c->stride * SLAB_OBJS_MAX;
	c->slab_bytes = 4096;
	while (c->slab_bytes < need)
		c->slab_bytes <<= 1;
	c->objs_per_slab = (unsigned int)((c->slab_bytes - SLAB_HDR_SIZE) /
					  c->stride);
	if (c->objs_per_slab > SLAB_OBJS_MAX)
		c->objs_per_slab = SLAB_OBJS_MAX;
	return c;
}

/**
 * kmem_cache_destroy() - free @c and all its memory.
 * @c: the cache, or NULL.
 *
 * Objects still allocated are freed with it: the caller (anonvma_exit())
 * has reported them as leaks first.
 */
void kmem_cache_destroy(struct kmem_cache *c)
{
	struct obj_hdr *h, *hn;
	struct slab *s, *sn;

	if (!c)
		return;
	list_for_each_entry_safe(h, hn, &c->live_objs, node)
		free(h);
	list_for_each_entry_safe(s, sn, &c->slabs, list)
		free(s);
	free(c->freestack);
	free(c);
}

/*
 * Set up a new slab outside the cache lock (the constructors may take
 * time, and must not run under an internal lock anyway), then add it
 * and its objects to the cache.  Objects are pushed so that the lowest
 * address is handed out first.
 */
static bool cache_grow(struct kmem_cache *c)
{
	struct slab *s = aligned_alloc(c->slab_bytes, c->slab_bytes);
	unsigned long need;
	unsigned int i;
	char *base;

	if (!s)
		return false;
	memset(s, 0, c->slab_bytes);
	s->cache = c;
	s->nr_objs = c->objs_per_slab;
	base = (char *)s + SLAB_HDR_SIZE;
	if (c->ctor)
		for (i = 0; i < s->nr_objs; i++)
			c->ctor(base + i * c->stride);

	spin_lock(&c->lock);
	/* Every object of every slab may be free at once. */
	need = c->nr_slab_objs + s->nr_objs;
	if (need > c->freestack_cap) {
		unsigned long cap = c->freestack_cap ? c->freestack_cap * 2 : 256;
		void **fs;

		while (cap < need)
			cap *= 2;
		fs = realloc(c->freestack, cap * sizeof(*fs));
		if (!fs) {
			spin_unlock(&c->lock);
			free(s);
			return false;
		}
		c->freestack = fs;
		c->freestack_cap = cap;
	}
	list_add_tail(&s->list, &c->slabs);
	c->nr_slab_objs += s->nr_objs;
	for (i = s->nr_objs; i-- > 0;)
		c->freestack[c->nr_free++] = base + i * c->stride;
	spin_unlock(&c->lock);
	return true;
}

static void count_alloc(struct kmem_cache *c, enum alloc_site site)
{
	c->stats.live++;
	if (c->stats.live > c->stats.peak)
		c->stats.peak = c->stats.live;
	c->stats.allocs[site]++;
}

static void count_failed(struct kmem_cache *c)
{
	spin_lock(&c->lock);
	c->stats.failed++;
	spin_unlock(&c->lock);
}

/* Index of @obj in its slab, or -1 when @obj is not an object of @c. */
static long slab_obj_index(struct kmem_cache *c, void *obj, struct slab **sp)
{
	struct slab *s = (struct slab *)((uintptr_t)obj &
					 ~(uintptr_t)(c->slab_bytes - 1));
	uintptr_t off = (uintptr_t)obj - (uintptr_t)s;

	if (off < SLAB_HDR_SIZE || s->cache != c)
		return -1;
	off -= SLAB_HDR_SIZE;
	if (off % c->stride || off / c->stride >= s->nr_objs)
		return -1;
	*sp = s;
	return (long)(off / c->stride);
}

/**
 * kmem_cache_obj_live() - whether @obj is an allocated object of @c.
 * @c:   a SLAB_TYPESAFE_BY_RCU cache (for others the answer is true).
 * @obj: memory that is, or once was, an object of @c.
 *
 * Type-stable memory stays readable after a free, so a use-after-free
 * does not crash; this is how the model notices one instead.
 * Return: true while @obj is allocated.
 */
bool kmem_cache_obj_live(struct kmem_cache *c, const void *obj)
{
	struct slab *s;
	bool live;
	long i;

	if (!cache_is_typesafe(c))
		return true;
	spin_lock(&c->lock);
	i = slab_obj_index(c, (void *)obj, &s);
	live = i >= 0 && (s->inuse & (1ULL << i));
	spin_unlock(&c->lock);
	return live;
}

static void *typesafe_alloc(struct kmem_cache *c, enum alloc_site site)
{
	struct slab *s = NULL;
	void *obj;
	long i;

	spin_lock(&c->lock);
	while (!c->nr_free) {
		spin_unlock(&c->lock);
		if (!cache_grow(c)) {
			count_failed(c);
			return NULL;
		}
		spin_lock(&c->lock);
	}
	obj = c->freestack[--c->nr_free];
	i = slab_obj_index(c, obj, &s);
	s->inuse |= 1ULL << i;
	count_alloc(c, site);
	spin_unlock(&c->lock);
	return obj;
}

static void *plain_alloc(struct kmem_cache *c, enum alloc_site site)
{
	struct obj_hdr *h = calloc(1, sizeof(*h) + c->size);
	void *obj;

	if (!h) {
		count_failed(c);
		return NULL;
	}
	obj = h + 1;
	if (c->ctor)
		c->ctor(obj);
	spin_lock(&c->lock);
	list_add_tail(&h->node, &c->live_objs);
	count_alloc(c, site);
	spin_unlock(&c->lock);
	return obj;
}

/**
 * should_failslab() - ask the failure hook whether an allocation fails.
 * @c:    the cache allocated from, or the placeholder cache of an
 *        allocation made outside the caches (system.h: the VMA index,
 *        the swap device, files), so that every allocation of the model
 *        is one failure point that fault injection can name.
 * @site: who allocates.
 *
 * The kernel's should_failslab() plays the same part for failslab.  A
 * refused allocation is counted in @c's ->failed.
 *
 * Return: true when the allocation must fail.
 */
bool should_failslab(struct kmem_cache *c, enum alloc_site site)
{
	alloc_fail_fn fn = __atomic_load_n(&fail_fn, __ATOMIC_ACQUIRE);

	if (!fn || !fn(c, site_index(site),
		       __atomic_load_n(&fail_arg, __ATOMIC_ACQUIRE)))
		return false;
	count_failed(c);
	return true;
}

/**
 * kmem_cache_alloc() - allocate one object of @c.
 * @c:    the cache.
 * @site: who allocates, for the statistics.
 *
 * Ordinary caches return zeroed memory with the constructor applied;
 * SLAB_TYPESAFE_BY_RCU caches return the object as its last user left
 * it (the caller initialises what the constructor does not).
 *
 * Return: the object, or NULL when the failure hook refuses the
 * allocation (a GFP_KERNEL allocation failing) or memory runs out.
 */
void *kmem_cache_alloc(struct kmem_cache *c, enum alloc_site site)
{
	site = site_index(site);
	if (should_failslab(c, site))
		return NULL;
	if (cache_is_typesafe(c))
		return typesafe_alloc(c, site);
	return plain_alloc(c, site);
}

/* Set while the failure hook judges a GFP_NOWAIT allocation. */
static __thread bool alloc_nowait;

/**
 * kmem_cache_alloc_nowait() - allocate one object of @c without sleeping.
 * @c:    the cache.
 * @site: who allocates.
 *
 * The model never sleeps in an allocation; this is kmem_cache_alloc()
 * with GFP_NOWAIT's contract: it may fail where a sleeping one would
 * succeed, so every caller has a fallback (6.18's anon_vma_clone()
 * retries with GFP_KERNEL).  The failure hook can tell such an
 * allocation apart (slab_alloc_is_nowait()), so fault injection knows
 * that failing it is absorbed, not reported.
 *
 * Return: the object, or NULL when the failure hook refuses it.
 */
void *kmem_cache_alloc_nowait(struct kmem_cache *c, enum alloc_site site)
{
	void *obj;

	alloc_nowait = true;
	obj = kmem_cache_alloc(c, site);
	alloc_nowait = false;
	return obj;
}

/**
 * slab_alloc_is_nowait() - is the allocation the failure hook is judging
 * a GFP_NOWAIT one (kmem_cache_alloc_nowait())?
 *
 * Return: true inside kmem_cache_alloc_nowait() on this thread.
 */
bool slab_alloc_is_nowait(void)
{
	return alloc_nowait;
}

/**
 * kmem_cache_free() - give @obj back to @c.
 * @c:    the cache @obj came from.
 * @obj:  the object, or NULL (ignored).
 * @site: who frees, for the statistics.
 *
 * A double free or a foreign object in a SLAB_TYPESAFE_BY_RCU cache is
 * reported with WARN and otherwise ignored; in an ordinary cache it is
 * AddressSanitizer's to catch.
 */
void kmem_cache_free(struct kmem_cache *c, void *obj, enum alloc_site site)
{
	struct slab *s = NULL;
	long i;

	if (!obj)
		return;
	site = site_index(site);
	if (!cache_is_typesafe(c)) {
		struct obj_hdr *h = (struct obj_hdr *)obj - 1;

		spin_lock(&c->lock);
		list_del(&h->node);
		c->stats.live--;
		c->stats.frees[site]++;
		spin_unlock(&c->lock);
		free(h);
		return;
	}

	spin_lock(&c->lock);
	i = slab_obj_index(c, obj, &s);
	if (i < 0 || !(s->inuse & (1ULL << i))) {
		spin_unlock(&c->lock);
		__warn_on(true, i < 0 ? "kmem_cache_free: not an object of this cache"
				      : "kmem_cache_free: double free",
			  __FILE__, __LINE__);
		return;
	}
	s->inuse &= ~(1ULL << i);
	c->freestack[c->nr_free++] = obj;
	c->stats.live--;
	c->stats.frees[site]++;
	spin_unlock(&c->lock);
}

/**
 * kmem_cache_name() - the name @c was created with.
 * @c: the cache.
 */
const char *kmem_cache_name(const struct kmem_cache *c)
{
	return c->name;
}

/**
 * kmem_cache_size() - the object size of @c.
 * @c: the cache.
 */
size_t kmem_cache_size(const struct kmem_cache *c)
{
	return c->size;
}

/**
 * kmem_cache_get_stats() - a consistent snapshot of @c's counters.
 * @c:   the cache.
 * @out: filled in.
 */
void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *out)
{
	spin_lock(&c->lock);
	*out = c->stats;
	spin_unlock(&c->lock);
}

/**
 * kmem_cache_reset_stats() - zero the counters of @c, except the live count.
 * @c: the cache.
 *
 * The peak restarts at the current live count.
 */
void kmem_cache_reset_stats(struct kmem_cache *c)
{
	spin_lock(&c->lock);
	memset(c->stats.allocs, 0, sizeof(c->stats.allocs));
	memset(c->stats.frees, 0, sizeof(c->stats.frees));
	c->stats.failed = 0;
	c->stats.peak = c->stats.live;
	spin_unlock(&c->lock);
}

/**
 * kmem_cache_for_each_live() - call @fn on every allocated object of @c.
 * @c:   the cache (either kind).
 * @fn:  called with each object and @arg.
 * @arg: passed through.
 *
 * The set is taken under the cache lock and @fn runs without it, so @fn
 * may use the cache's other functions.  Objects come in slab order
 * (typesafe caches) or allocation order (ordinary ones).  Nothing may
 * allocate from or free to @c meanwhile.
 */
void kmem_cache_for_each_live(struct kmem_cache *c,
			      void (*fn)(void *obj, void *arg), void *arg)
{
	unsigned long n = 0, i;
	void **objs;

	spin_lock(&c->lock);
	objs = malloc((c->stats.live ? c->stats.live : 1) * sizeof(*objs));
	if (!objs) {
		spin_unlock(&c->lock);
		__bug_on(true, "out of memory", __FILE__, __LINE__);
		return;
	}
	if (cache_is_typesafe(c)) {
		struct slab *s;

		list_for_each_entry(s, &c->slabs, list) {
			char *base = (char *)s + SLAB_HDR_SIZE;
			unsigned int k;

			for (k = 0; k < s->nr_objs; k++)
				if (s->inuse & (1ULL << k))
					objs[n++] = base + k * c->stride;
		}
	} else {
		struct obj_hdr *h;

		list_for_each_entry(h, &c->live_objs, node)
			objs[n++] = h + 1;
	}
	spin_unlock(&c->lock);

	for (i = 0; i < n; i++)
		fn(objs[i], arg);
	free(objs);
}

/**
 * slab_set_fail_hook() - install the allocation failure hook.
 * @fn:  asked before every allocation of every cache; true makes it
 *       fail.  NULL: allocations never fail on purpose.
 * @arg: passed to @fn.
 *
 * Set it while no other thread allocates: @fn and @arg are two words.
 */
void slab_set_fail_hook(alloc_fail_fn fn, void *arg)
{
	__atomic_store_n(&fail_arg, arg, __ATOMIC_RELEASE);
	__atomic_store_n(&fail_fn, fn, __ATOMIC_RELEASE);
}
