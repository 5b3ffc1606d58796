/* SPDX-License-Identifier: MIT */
/*
 * Fault injection through the model's allocation failure hook: see
 * failinject.h for the three ways of choosing what fails.
 */
#include <string.h>

#include <anonvma/system.h>

#include "failinject.h"

static const char *const cache_names[NR_FI_CACHES] = {
	[FI_ANY] = "any",	[FI_ANON_VMA] = "anon_vma",
	[FI_AVC] = "avc",	[FI_VMA] = "vma",
	[FI_FOLIO] = "folio",	[FI_PGTABLE] = "pgtable",
	[FI_MM] = "mm",		[FI_MAPLE] = "maple",
	[FI_SWAP] = "swap",	[FI_FILE] = "file",
};

/**
 * fi_cache_name() - the name a `fail` line uses for @c.
 * @c: a cache.
 *
 * Return: "any", "anon_vma", "avc", ...; "?" for an invalid value.
 */
const char *fi_cache_name(enum fi_cache c)
{
	return (unsigned int)c < NR_FI_CACHES ? cache_names[c] : "?";
}

/**
 * fi_cache_parse() - the cache called @name.
 * @name: as fi_cache_name() gives it.
 *
 * Return: the enum fi_cache value, or -1.
 */
int fi_cache_parse(const char *name)
{
	int i;

	for (i = 0; i < NR_FI_CACHES; i++)
		if (!strcmp(name, cache_names[i]))
			return i;
	return -1;
}

/**
 * fi_cache_of() - classify a library cache.
 * @c: the cache an allocation is made from (a placeholder for the
 *     allocations outside the caches).
 *
 * Return: its enum fi_cache, FI_ANY for a cache the model does not know
 * (a unit test's own).
 */
enum fi_cache fi_cache_of(const struct kmem_cache *c)
{
	if (!c)
		return FI_ANY;
	if (c == anon_vma_cachep)
		return FI_ANON_VMA;
	if (c == anon_vma_chain_cachep)
		return FI_AVC;
	if (c == vm_area_cachep)
		return FI_VMA;
	if (c == folio_cachep)
		return FI_FOLIO;
	if (c == pgtable_cachep)
		return FI_PGTABLE;
	if (c == mm_cachep)
		return FI_MM;
	if (c == maple_node_cachep)
		return FI_MAPLE;
	if (c == swap_slot_cachep)
		return FI_SWAP;
	if (c == filp_cachep)
		return FI_FILE;
	return FI_ANY;
}

/**
 * fi_init() - reset @fi: nothing fails, every cache is counted.
 * @fi: the injector.
 */
void fi_init(struct failinject *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->only = FI_ANY;
	fi->only_site = -1;
}

/**
 * fi_install() - route the model's allocation failure hook to @fi.
 * @fi: the injector, or NULL to remove the hook.
 *
 * The random generator restarts from @fi->seed.
 */
void fi_install(struct failinject *fi)
{
	if (fi)
		fi->rng = fi->seed ^ 0x9e3779b97f4a7c15ULL;
	slab_set_fail_hook(fi ? fi_hook : NULL, fi);
}

/**
 * fi_arm_step() - a `fail` line: during the next operation, fail the
 * @nth allocation from cache @c.
 * @fi: the injector.
 * @c: the cache (FI_ANY: any allocation).
 * @nth: 1 for the first; 0 cancels.
 */
void fi_arm_step(struct failinject *fi, enum fi_cache c, unsigned long nth)
{
	fi->step_cache = c;
	fi->step_nth = nth;
	fi->step_seen = 0;
}

/* splitmix64: small, and the same sequence on every platform. */
static uint64_t fi_random(struct failinject *fi)
{
	uint64_t z = (fi->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool fi_inject(struct failinject *fi, enum fi_cache c,
		      enum alloc_site site)
{
	fi->injected++;
	if (slab_alloc_is_nowait())
		fi->injected_nowait++;
	fi->last_cache = c;
	fi->last_site = site;
	return true;
}

/**
 * fi_hook() - decide whether one allocation fails.
 * @c: the cache.
 * @site: the call site.
 * @arg: the struct failinject.
 *
 * A `fail` line for the current operation is served first, and the
 * allocation it fails is not counted as a point (it is the scenario's
 * own failure, not one to sweep over).
 *
 * Return: true to fail the allocation.
 */
bool fi_hook(const struct kmem_cache *c, enum alloc_site site, void *arg)
{
	struct failinject *fi = arg;
	enum fi_cache which = fi_cache_of(c);

	if (!fi->armed)
		return false;
	if (fi->step_nth &&
	    (fi->step_cache == FI_ANY || fi->step_cache == which) &&
	    ++fi->step_seen == fi->step_nth) {
		fi->step_nth = 0;
		return fi_inject(fi, which, site);
	}
	if (fi->only != FI_ANY && fi->only != which)
		return false;
	if (fi->only_site >= 0 && fi->only_site != (int)site)
		return false;
	fi->count++;
	if ((fi->fail_at && fi->count == fi->fail_at) ||
	    (fi->prob > 0 &&
	     (double)(fi_random(fi) >> 11) * 0x1p-53 < fi->prob)) {
		if (!fi->first_count)
			fi->first_count = fi->count;
		return fi_inject(fi, which, site);
	}
	return false;
}
