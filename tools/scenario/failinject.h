/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: make chosen allocations of the model fail, through
 * the library's one failure hook (slab_set_fail_hook(), slab.h).
 *
 * Every allocation the model makes asks the hook first: the six object
 * caches and the placeholders for what is allocated outside them (the
 * VMA index, swap slots, files; system.h).  An injector counts the
 * allocations it is asked about while it is armed (the executor arms
 * it only while an operation runs, so setup, observation and the final
 * teardown are never failed) and refuses:
 *
 * - the k-th counted allocation (fail_at = k), optionally counting only
 *   one cache (only) or one call site (only_site): `--fail-each` runs a
 *   scenario once per k;
 * - the n-th allocation from one cache during one operation (a
 *   scenario's `fail CACHE nth N` line, fi_arm_step());
 * - each counted allocation with probability prob under a seed.
 *
 * One injector at a time: the hook is global to the model, so runs with
 * fault injection must not overlap in one process.
 */
#ifndef SCN_FAILINJECT_H
#define SCN_FAILINJECT_H

#include <stdbool.h>
#include <stdint.h>

#include <anonvma/slab.h>

/* The caches a `fail` line or --fail-cache can name. */
enum fi_cache {
	FI_ANY,		/* any */
	FI_ANON_VMA,	/* anon_vma */
	FI_AVC,		/* avc: anon_vma_chain */
	FI_VMA,		/* vma: vm_area_struct */
	FI_FOLIO,	/* folio */
	FI_PGTABLE,	/* pgtable: page-table pages */
	FI_MM,		/* mm: mm_struct */
	FI_MAPLE,	/* maple: the VMA index's preallocation */
	FI_SWAP,	/* swap: a swap slot */
	FI_FILE,	/* file: a file (shmem for shared anonymous memory) */
	NR_FI_CACHES
};

/** fi_cache_name() - the scenario-language name of @c ("avc", ...). */
const char *fi_cache_name(enum fi_cache c);
/** fi_cache_parse() - the cache named @name, or -1. */
int fi_cache_parse(const char *name);
/** fi_cache_of() - which enum fi_cache the library cache @c is. */
enum fi_cache fi_cache_of(const struct kmem_cache *c);

/**
 * struct failinject - one injector.  Set the configuration fields, then
 * fi_install(); the state fields are the injector's.
 * @fail_at: fail the fail_at-th counted allocation (1-based); 0: never.
 * @only: count only allocations from this cache (FI_ANY: all).
 * @only_site: count only this call site (enum alloc_site), or -1.
 * @prob: fail each counted allocation with this probability (0: never).
 * @seed: the seed of the random choices.
 * @armed: allocations are counted and failed only while this is set.
 * @count: allocations counted so far.
 * @injected: allocations failed so far (by any rule).
 * @injected_nowait: of those, GFP_NOWAIT ones (slab_alloc_is_nowait()),
 *            which the model's callers always fall back from: failing
 *            one is absorbed, whatever the operation returns.
 * @step_cache, @step_nth, @step_seen: the `fail` line in force for the
 *            current operation (fi_arm_step()): fail the step_nth-th
 *            allocation from step_cache; 0 when there is none.
 * @last_cache, @last_site: what the most recent injected failure hit.
 * @first_count: the point number (@count) of the first injection by
 *            fail_at or prob, 0 if none yet.
 */
struct failinject {
	unsigned long fail_at;
	enum fi_cache only;
	int only_site;
	double prob;
	uint64_t seed;

	bool armed;
	unsigned long count;
	unsigned long injected, injected_nowait;
	enum fi_cache step_cache;
	unsigned long step_nth, step_seen;
	enum fi_cache last_cache;
	enum alloc_site last_site;
	unsigned long first_count;
	uint64_t rng;
};

/** fi_init() - an injector that fails nothing and counts everything. */
void fi_init(struct failinject *fi);
/** fi_install() - make @fi the model's failure hook (NULL: remove it). */
void fi_install(struct failinject *fi);
/** fi_arm_step() - for the next operation only: fail the @nth allocation from @c (0: none). */
void fi_arm_step(struct failinject *fi, enum fi_cache c, unsigned long nth);
/**
 * fi_hard_failures() - failures injected since a snapshot of @fi's
 * counters that were not GFP_NOWAIT ones, i.e. that the operation could
 * not fall back from.
 * @fi: the injector.
 * @injected, @nowait: @fi->injected and @fi->injected_nowait before.
 */
static inline unsigned long fi_hard_failures(const struct failinject *fi,
					     unsigned long injected,
					     unsigned long nowait)
{
	return (fi->injected - injected) - (fi->injected_nowait - nowait);
}

/** fi_hook() - the alloc_fail_fn that fi_install() installs (@arg: the injector). */
bool fi_hook(const struct kmem_cache *c, enum alloc_site site, void *arg);

#endif
