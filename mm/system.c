/* SPDX-License-Identifier: MIT */
/*
 * mm/system.c - the model as a whole: the design switch, the object
 * caches and the registry of live address spaces.
 *
 * anonvma_init() and anonvma_exit() may run many times in one process
 * (each unit test case brings up a fresh system); nothing here survives
 * an exit except the design variable and the statistics of other files.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The kernel's limit is 96 bytes with lockdep off; keep the model as lean. */
_Static_assert(sizeof(struct anon_vma) <= 96, "struct anon_vma over 96 bytes");

enum anonvma_design anonvma_design = DESIGN_MAINLINE;

/** anonvma_bugs - the historical bugs switched back on (system.h). */
unsigned long anonvma_bugs;

static const char *const bug_names[NR_BUGS] = {
	[BUG_CLONE_NO_UNLOCK] = "clone-no-unlock",
	[BUG_DUP_STALE_ANON_VMA] = "dup-stale-anon-vma",
	[BUG_MERGE_NO_COPIED_FROM] = "merge-no-copied-from",
	[BUG_PUT_ROOT_FIRST] = "put-root-first",
	[BUG_TAG_CHILD_NONEXCL] = "tag-child-nonexcl",
};

/**
 * bug_name() - the name of bug switch @b, as bug_parse() accepts it.
 * @b: the switch.
 */
const char *bug_name(enum anonvma_bug b)
{
	return (unsigned int)b < NR_BUGS ? bug_names[b] : "?";
}

/**
 * bug_parse() - the switch called @name.
 * @name: e.g. "put-root-first".
 *
 * Return: the enum anonvma_bug value, or -1 if there is none.
 */
int bug_parse(const char *name)
{
	int i;

	for (i = 0; i < NR_BUGS; i++)
		if (!strcmp(name, bug_names[i]))
			return i;
	return -1;
}

struct kmem_cache *anon_vma_cachep;
struct kmem_cache *anon_vma_chain_cachep;
struct kmem_cache *vm_area_cachep;
struct kmem_cache *folio_cachep;
struct kmem_cache *pgtable_cachep;
struct kmem_cache *mm_cachep;

struct list_head mm_registry = LIST_HEAD_INIT(mm_registry);
static spinlock_t mm_registry_lock_ = { .lock_class = LOCK_CLASS_INTERNAL };

static const char *const design_names[NR_DESIGNS] = {
	[DESIGN_MAINLINE] = "mainline",
	[DESIGN_V6_18] = "v6.18",
};

/**
 * design_name() - the name of design @d ("mainline", "v6.18").
 * @d: a design.
 *
 * Return: the name; "?" for an invalid value.
 */
const char *design_name(enum anonvma_design d)
{
	if ((unsigned int)d >= NR_DESIGNS)
		return "?";
	return design_names[d];
}

/**
 * design_parse() - the design named @name.
 * @name: "mainline" or "v6.18".
 *
 * Return: the design, or -1 for an unknown name.
 */
int design_parse(const char *name)
{
	int d;

	if (!name)
		return -1;
	for (d = 0; d < NR_DESIGNS; d++)
		if (!strcmp(name, design_names[d]))
			return d;
	return -1;
}

/*
 * Runs once per object for the life of the cache (SLAB_TYPESAFE_BY_RCU):
 * the rwsem and the tree must be valid in a freed anon_vma, because a
 * lockless reader may still trylock it (spec §1.1).  anon_vma_alloc()
 * sets the other fields and refcount 1.
 */
static void anon_vma_ctor(void *obj)
{
	struct anon_vma *av = obj;

	init_rwsem(&av->rwsem, LOCK_CLASS_ANON_VMA);
	av->refcount = 0;
	av->rb_root = RB_ROOT_CACHED;
}

static struct kmem_cache **const all_caches[] = {
	&anon_vma_cachep,
	&anon_vma_chain_cachep,
	&vm_area_cachep,
	&folio_cachep,
	&pgtable_cachep,
	&mm_cachep,
};

#define NR_CACHES (sizeof(all_caches) / sizeof(all_caches[0]))

static void destroy_caches(void)
{
	unsigned int i;

	for (i = 0; i < NR_CACHES; i++) {
		kmem_cache_destroy(*all_caches[i]);
		*all_caches[i] = NULL;
	}
}

/**
 * anonvma_init() - set up the caches and the mm registry for @design.
 * @design: the kernel rules to follow.
 *
 * Return: 0, -EINVAL for an unknown design, -EBUSY when already set up
 * (anonvma_exit() first), -ENOMEM when a cache cannot be created.
 */
int anonvma_init(enum anonvma_design design)
{
	if ((unsigned int)design >= NR_DESIGNS)
		return -EINVAL;
	if (anon_vma_cachep)
		return -EBUSY;
	anonvma_design = design;

	anon_vma_cachep = kmem_cache_create("anon_vma", sizeof(struct anon_vma),
					    SLAB_TYPESAFE_BY_RCU, anon_vma_ctor);
	anon_vma_chain_cachep = kmem_cache_create("anon_vma_chain",
						  sizeof(struct anon_vma_chain),
						  0, NULL);
	vm_area_cachep = kmem_cache_create("vm_area_struct",
					   sizeof(struct vm_area_struct), 0,
					   NULL);
	folio_cachep = kmem_cache_create("folio", sizeof(struct folio), 0,
					 NULL);
	pgtable_cachep = kmem_cache_create("pgtable",
					   sizeof(struct pgtable_page), 0,
					   NULL);
	mm_cachep = kmem_cache_create("mm_struct", sizeof(struct mm_struct), 0,
				      NULL);
	if (!anon_vma_cachep || !anon_vma_chain_cachep || !vm_area_cachep ||
	    !folio_cachep || !pgtable_cachep || !mm_cachep) {
		destroy_caches();
		return -ENOMEM;
	}

	spin_lock_init(&mm_registry_lock_, LOCK_CLASS_INTERNAL);
	INIT_LIST_HEAD(&mm_registry);
	swap_init();
	return 0;
}

/**
 * anonvma_exit() - tear down what anonvma_init() set up.
 * @leaks_out: where to report each cache that still has live objects
 *             ("leak: NAME COUNT" lines), or NULL.
 *
 * The objects still live are freed with their caches; the mm registry
 * is emptied without touching the mms on it.
 *
 * Return: the number of objects that were still live (0 when clean).
 */
unsigned long anonvma_exit(FILE *leaks_out)
{
	struct kmem_cache_stats st;
	unsigned long leaked = 0;
	unsigned int i;

	/*
	 * Swap-cache folios no swap PTE needs any more are dropped first,
	 * as reclaim would; a slot still in use is a leak of its own.
	 */
	leaked = swap_exit();
	if (leaked && leaks_out)
		fprintf(leaks_out, "leak: swap slots %lu\n", leaked);
	for (i = 0; i < NR_CACHES; i++) {
		struct kmem_cache *c = *all_caches[i];

		if (!c)
			continue;
		kmem_cache_get_stats(c, &st);
		if (st.live && leaks_out)
			fprintf(leaks_out, "leak: %s %lu\n", kmem_cache_name(c),
				st.live);
		leaked += st.live;
	}
	destroy_caches();
	INIT_LIST_HEAD(&mm_registry);
	return leaked;
}

/**
 * mm_registry_add() - make @mm visible to the invariant checker and observers.
 * @mm: a new address space.
 */
void mm_registry_add(struct mm_struct *mm)
{
	spin_lock(&mm_registry_lock_);
	list_add_tail(&mm->mmlist, &mm_registry);
	spin_unlock(&mm_registry_lock_);
}

/**
 * mm_registry_del() - remove @mm from the registry (before freeing it).
 * @mm: a registered address space.
 */
void mm_registry_del(struct mm_struct *mm)
{
	spin_lock(&mm_registry_lock_);
	list_del(&mm->mmlist);
	spin_unlock(&mm_registry_lock_);
}

/**
 * mm_registry_lock() - hold the registry still, for for_each_mm().
 */
void mm_registry_lock(void)
{
	spin_lock(&mm_registry_lock_);
}

/**
 * mm_registry_unlock() - release mm_registry_lock().
 */
void mm_registry_unlock(void)
{
	spin_unlock(&mm_registry_lock_);
}
