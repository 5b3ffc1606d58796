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

#include "design.h"

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
struct kmem_cache *maple_node_cachep;
struct kmem_cache *swap_slot_cachep;
struct kmem_cache *filp_cachep;

struct list_head mm_registry = LIST_HEAD_INIT(mm_registry);
static spinlock_t mm_registry_lock_ = { .lock_class = LOCK_CLASS_INTERNAL };

/*
 * The designs: their names, a line for help texts, and the feature bits
 * (mm/design.h) the shared code tests.  Mainline has none.
 */
static const struct {
	const char *name;
	const char *summary;
	unsigned int features;
} designs[NR_DESIGNS] = {
	[DESIGN_MAINLINE] = { "mainline",
		"January 2026 series: allocate, then link under one lock", 0 },
	[DESIGN_V6_18] = { "v6.18",
		"host kernel: pre-series clone order, fork allocates after cloning",
		DF_PRESERIES },
	[DESIGN_DEGREE] = { "degree",
		"3.19-5.19: one degree counter decides fork reuse (CVE-2022-42703)",
		DF_PRESERIES | DF_REUSE_DEGREE },
	[DESIGN_NOREUSE] = { "noreuse",
		"2.6.34-3.18: chains without fork-time reuse",
		DF_REUSE_NONE },
	[DESIGN_LIST] = { "list",
		"2.6.34-3.6 storage: chains on a list per anon_vma, no interval tree",
		DF_AVC_LIST },
	[DESIGN_SINGLE] = { "single",
		"2.6.7-2.6.33: one anon_vma per fork family, walks visit the family",
		DF_SINGLE | DF_AVC_LIST | DF_REUSE_NONE },
	[DESIGN_EAGER] = { "eager",
		"2010 proposal: anon_vma when a VMA is linked, never at fault",
		DF_EAGER },
	[DESIGN_EAGER_RW] = { "eager-rw",
		"2010 proposal, skipping shared and read-only VMAs until mprotect",
		DF_EAGER | DF_EAGER_RW },
};

/** anonvma_design_features - the feature bits of the design (mm/design.h). */
unsigned int anonvma_design_features;

/**
 * design_name() - the name of design @d ("mainline", "v6.18", ...).
 * @d: a design.
 *
 * Return: the name; "?" for an invalid value.
 */
const char *design_name(enum anonvma_design d)
{
	if ((unsigned int)d >= NR_DESIGNS)
		return "?";
	return designs[d].name;
}

/**
 * design_summary() - one line on what design @d is.
 * @d: a design.
 *
 * Return: the line; "?" for an invalid value.
 */
const char *design_summary(enum anonvma_design d)
{
	if ((unsigned int)d >= NR_DESIGNS)
		return "?";
	return designs[d].summary;
}

/**
 * design_anon_vma_bytes() - see system.h.
 * @d: a design.
 *
 * Return: the size in bytes, 0 for an invalid @d.
 */
size_t design_anon_vma_bytes(enum anonvma_design d)
{
	switch (d) {
	case DESIGN_DEGREE:
		/* degree replaced num_children and num_active_vmas. */
		return sizeof(struct anon_vma) - sizeof(unsigned long);
	case DESIGN_SINGLE:
		/* 2.6.7 on x86-64: a spinlock (padded to 8) and a list head. */
		return 8 + sizeof(struct list_head);
	default:
		return (unsigned int)d < NR_DESIGNS ? sizeof(struct anon_vma) : 0;
	}
}

/**
 * design_link_bytes() - see system.h.
 * @d: a design.
 *
 * Return: the size in bytes, 0 for an invalid @d.
 */
size_t design_link_bytes(enum anonvma_design d)
{
	switch (d) {
	case DESIGN_LIST:
		/* vma, anon_vma, same_vma and same_anon_vma (2.6.34-3.6). */
		return 2 * sizeof(void *) + 2 * sizeof(struct list_head);
	case DESIGN_SINGLE:
		/* vm_area_struct's anon_vma_node, no object of its own. */
		return sizeof(struct list_head);
	default:
		return (unsigned int)d < NR_DESIGNS ?
		       sizeof(struct anon_vma_chain) : 0;
	}
}

/**
 * design_parse() - the design named @name.
 * @name: "mainline", "v6.18", "degree", "noreuse", "list", "single",
 *        "eager" or "eager-rw".
 *
 * Return: the design, or -1 for an unknown name.
 */
int design_parse(const char *name)
{
	int d;

	if (!name)
		return -1;
	for (d = 0; d < NR_DESIGNS; d++)
		if (!strcmp(name, designs[d].name))
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
	/* The design is fixed before the cache exists (anonvma_init()). */
	if (design_has(DF_AVC_LIST))
		INIT_LIST_HEAD(&av->head);
	else
		av->rb_root = RB_ROOT_CACHED;
}

static struct kmem_cache **const all_caches[] = {
	&anon_vma_cachep,
	&anon_vma_chain_cachep,
	&vm_area_cachep,
	&folio_cachep,
	&pgtable_cachep,
	&mm_cachep,
	&maple_node_cachep,
	&swap_slot_cachep,
	&filp_cachep,
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
	anonvma_design_features = designs[design].features;

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
	/* Failure points only: see system.h. */
	maple_node_cachep = kmem_cache_create("maple_node", 1, 0, NULL);
	swap_slot_cachep = kmem_cache_create("swap_slot", 1, 0, NULL);
	filp_cachep = kmem_cache_create("filp", 1, 0, NULL);
	if (!anon_vma_cachep || !anon_vma_chain_cachep || !vm_area_cachep ||
	    !folio_cachep || !pgtable_cachep || !mm_cachep ||
	    !maple_node_cachep || !swap_slot_cachep || !filp_cachep) {
		destroy_caches();
		return -ENOMEM;
	}

	spin_lock_init(&mm_registry_lock_, LOCK_CLASS_INTERNAL);
	INIT_LIST_HEAD(&mm_registry);
	swap_init();
	filemap_init();
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
