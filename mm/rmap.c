/* SPDX-License-Identifier: MIT */
/*
 * mm/rmap.c - the anon_vma hierarchy: allocation, the root lock,
 * reference counting, prepare/clone/fork/unlink (spec §1, §2.1-§2.7).
 *
 * The folio side (attaching folios, finding and locking a folio's
 * anon_vma, rmap walks) is in mm/rmap_folio.c.
 *
 * Every design of system.h runs this file.  Mainline is the January
 * 2026 clean-up series; the others differ at a few marked points, each
 * a test of a feature bit of mm/design.h:
 *  - DF_PRESERIES (v6.18, degree): the 6.18 anon_vma_clone() and
 *    anon_vma_fork(), and the unfaulted case of unlink_anon_vmas();
 *  - DF_REUSE_* (degree, noreuse, single): the fork reuse rule,
 *    anon_vma_reusable();
 *  - DF_AVC_LIST (list, single): avc_tree_insert()/avc_tree_remove()
 *    keep a plain list instead of the interval tree;
 *  - DF_SINGLE: anon_vma_fork() joins the parent's anon_vma;
 *  - DF_EAGER (eager, eager-rw): anon_vma_prepare_linked(), and the
 *    fault-time __anon_vma_prepare() that no longer allocates.
 */
#include "design.h"

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

static unsigned int anon_vma_serial;

/*
 * anon_vma_tree_empty() - no chain links @av any more: its interval
 * tree, or in designs list and single its list, is empty.
 */
static bool anon_vma_tree_empty(struct anon_vma *av)
{
	if (design_has(DF_AVC_LIST))
		return list_empty(&av->head);
	return RB_EMPTY_ROOT(&av->rb_root.rb_root);
}

/*
 * anon_vma_alloc() - a fresh anon_vma that is its own root and parent
 * with the base reference.  The rwsem and the tree are not touched: the
 * cache constructor set them up once, and a freed object must already
 * be unlocked and empty (spec §1.1), because a lockless reader may
 * still be looking at this memory.
 */
static struct anon_vma *anon_vma_alloc(enum alloc_site site)
{
	struct anon_vma *av = kmem_cache_alloc(anon_vma_cachep, site);

	if (!av)
		return NULL;
	__atomic_store_n(&av->refcount, 1, __ATOMIC_RELAXED);
	av->serial = __atomic_add_fetch(&anon_vma_serial, 1, __ATOMIC_RELAXED);
	av->num_children = 0;
	av->num_active_vmas = 0;
	av->parent = av;
	WRITE_ONCE(av->root, av);
	return av;
}

/*
 * anon_vma_free() - return @av to its cache.  A reader that won the
 * root rwsem's trylock in folio_lock_anon_vma_read() holds no reference
 * (spec §2.8): if the root lock is held by anyone, take and release it
 * to wait that reader out before the memory can be reused (spec §1.1,
 * rule L4).  The check is ordered after the refcount's decrement to
 * zero, which is a full barrier.
 */
static void anon_vma_free(struct anon_vma *av)
{
	struct anon_vma *root = READ_ONCE(av->root);

	VM_BUG_ON(__atomic_load_n(&av->refcount, __ATOMIC_RELAXED) != 0);
	WARN_ON(!anon_vma_tree_empty(av));
	/* The root's rwsem is about to be read: it must not be freed yet. */
	WARN_ON(!kmem_cache_obj_live(anon_vma_cachep, root));
	if (rwsem_is_locked(&root->rwsem)) {
		anon_vma_lock_write(av);
		anon_vma_unlock_write(av);
	}
	kmem_cache_free(anon_vma_cachep, av, SITE_PUT);
}

static struct anon_vma_chain *anon_vma_chain_alloc(enum alloc_site site)
{
	return kmem_cache_alloc(anon_vma_chain_cachep, site);
}

/* The non-sleeping first attempt of 6.18's anon_vma_clone(). */
static struct anon_vma_chain *anon_vma_chain_alloc_nowait(enum alloc_site site)
{
	return kmem_cache_alloc_nowait(anon_vma_chain_cachep, site);
}

static void anon_vma_chain_free(struct anon_vma_chain *avc,
				enum alloc_site site)
{
	kmem_cache_free(anon_vma_chain_cachep, avc, site);
}

/* ------------------------------------------------------------------ */
/* The root lock: every helper locks av->root->rwsem (spec §1.7).      */

/** anon_vma_lock_write() - write-lock the hierarchy of @av (its root's rwsem). */
void anon_vma_lock_write(struct anon_vma *av)
{
	down_write(&READ_ONCE(av->root)->rwsem);
}

/** anon_vma_trylock_write() - try to write-lock @av's root; true on success. */
bool anon_vma_trylock_write(struct anon_vma *av)
{
	return down_write_trylock(&READ_ONCE(av->root)->rwsem);
}

/** anon_vma_unlock_write() - release the root write lock of @av. */
void anon_vma_unlock_write(struct anon_vma *av)
{
	up_write(&READ_ONCE(av->root)->rwsem);
}

/** anon_vma_lock_read() - read-lock @av's root, as rmap walkers do. */
void anon_vma_lock_read(struct anon_vma *av)
{
	down_read(&READ_ONCE(av->root)->rwsem);
}

/** anon_vma_trylock_read() - try to read-lock @av's root. */
bool anon_vma_trylock_read(struct anon_vma *av)
{
	return down_read_trylock(&READ_ONCE(av->root)->rwsem);
}

/** anon_vma_unlock_read() - release the root read lock of @av. */
void anon_vma_unlock_read(struct anon_vma *av)
{
	up_read(&READ_ONCE(av->root)->rwsem);
}

static void assert_anon_vma_write_locked(struct anon_vma *av)
{
	if (!rwsem_is_write_owner(&READ_ONCE(av->root)->rwsem))
		lock_report_violation("anon_vma root not write-locked", av);
}

/*
 * Every change to a tree happens under the root write lock (rule L1);
 * these wrappers are where the model asserts it.  Designs list and
 * single keep the chains on a list instead, appended at the tail as
 * 2.6.34's anon_vma_chain_link() did (2.6.7 linked VMAs the same way).
 */
static void avc_tree_insert(struct anon_vma_chain *avc)
{
	assert_anon_vma_write_locked(avc->anon_vma);
	if (design_has(DF_AVC_LIST))
		list_add_tail(&avc->same_anon_vma, &avc->anon_vma->head);
	else
		anon_vma_interval_tree_insert(avc, &avc->anon_vma->rb_root);
}

static void avc_tree_remove(struct anon_vma_chain *avc)
{
	assert_anon_vma_write_locked(avc->anon_vma);
	if (design_has(DF_AVC_LIST))
		list_del(&avc->same_anon_vma);
	else
		anon_vma_interval_tree_remove(avc, &avc->anon_vma->rb_root);
}

/* ------------------------------------------------------------------ */
/* Reference counting (spec §1.6)                                      */

/** get_anon_vma() - take a reference on @av. */
void get_anon_vma(struct anon_vma *av)
{
	__atomic_add_fetch(&av->refcount, 1, __ATOMIC_RELAXED);
}

/**
 * __put_anon_vma() - free @av whose count reached zero, then drop the
 * reference it held on its root.  The child goes first: anon_vma_free()
 * reads av->root->rwsem, so freeing the root first is the 2014
 * use-after-free (spec §6.2).
 */
void __put_anon_vma(struct anon_vma *av)
{
	struct anon_vma *root = READ_ONCE(av->root);

	if (bug_enabled(BUG_PUT_ROOT_FIRST) && root != av) {
		/* The pre-2014 order: the root may go before its child. */
		if (__atomic_sub_fetch(&root->refcount, 1, __ATOMIC_ACQ_REL) == 0)
			anon_vma_free(root);
		anon_vma_free(av);
		return;
	}
	anon_vma_free(av);
	if (root != av &&
	    __atomic_sub_fetch(&root->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		anon_vma_free(root);
}

/** put_anon_vma() - drop a reference; the last one frees @av. */
void put_anon_vma(struct anon_vma *av)
{
	if (__atomic_sub_fetch(&av->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		__put_anon_vma(av);
}

/* ------------------------------------------------------------------ */
/* Linking                                                             */

static void anon_vma_chain_assign(struct vm_area_struct *vma,
				  struct anon_vma_chain *avc,
				  struct anon_vma *av)
{
	avc->vma = vma;
	avc->anon_vma = av;
	RB_CLEAR_NODE(&avc->rb);
	list_add(&avc->same_vma, &vma->anon_vma_chain);
}

/*
 * do_anon_vma_prepare() - give @vma an anon_vma (spec §2.2).  Reuses a
 * mergeable neighbour's anon_vma when find_mergeable_anon_vma() offers
 * one, otherwise allocates a new root.  The mmap lock may be held for
 * read only: page_table_lock serialises two threads faulting the same
 * VMA, and the loser frees what it allocated.  Returns 0 or -ENOMEM
 * (nothing changed).
 */
static int do_anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *av, *allocated = NULL;
	struct anon_vma_chain *avc;

	mmap_assert_locked(mm);

	avc = anon_vma_chain_alloc(SITE_PREPARE);
	if (!avc)
		return -ENOMEM;

	av = find_mergeable_anon_vma(vma);
	if (!av) {
		av = anon_vma_alloc(SITE_PREPARE);
		if (!av) {
			anon_vma_chain_free(avc, SITE_PREPARE);
			return -ENOMEM;
		}
		/* A root is its own parent, so it counts itself (§1.1). */
		av->num_children = 1;
		allocated = av;
	}

	/*
	 * Lock even a brand-new anon_vma: its memory may be a recycled
	 * object that a stale RCU reader is touching (Linus, 2010).
	 */
	anon_vma_lock_write(av);
	spin_lock(&mm->page_table_lock);
	if (!READ_ONCE(vma->anon_vma)) {
		anon_vma_chain_assign(vma, avc, av);
		avc_tree_insert(avc);
		av->num_active_vmas++;
		/* Publish only once the chain and tree are in place. */
		smp_store_release(&vma->anon_vma, av);
		allocated = NULL;
		avc = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(av);

	if (allocated)
		put_anon_vma(allocated);
	if (avc)
		anon_vma_chain_free(avc, SITE_PREPARE);
	return 0;
}

/**
 * __anon_vma_prepare() - give @vma an anon_vma at its first anonymous
 * fault (spec §2.2); see do_anon_vma_prepare().
 * @vma: the VMA about to receive its first anonymous folio.
 *
 * In the eager designs a VMA that should have one got it when it was
 * linked, and the fault path no longer allocates: if that allocation
 * failed, the fault fails with VM_FAULT_OOM, as seed 001 made
 * handle_mm_fault() do for a VMA without one.
 *
 * Return: 0 or -ENOMEM (nothing changed).
 */
int __anon_vma_prepare(struct vm_area_struct *vma)
{
	if (design_eager_for(vma->vm_flags))
		return -ENOMEM;
	return do_anon_vma_prepare(vma);
}

/**
 * anon_vma_prepare_linked() - see mm/design.h.
 * @vma:   a VMA being linked, made writable, or emptied in place.
 * @flags: the flags it has, or is about to get.
 *
 * Return: 0 or -ENOMEM.
 */
int anon_vma_prepare_linked(struct vm_area_struct *vma, vm_flags_t flags)
{
	if (!design_eager_for(flags) || READ_ONCE(vma->anon_vma))
		return 0;
	return do_anon_vma_prepare(vma);
}

/*
 * check_anon_vma_clone() - the nine preconditions of the series'
 * anon_vma_clone() (spec §2.4).  The first is a hard assertion.
 */
static void check_anon_vma_clone(struct vm_area_struct *dst,
				  struct vm_area_struct *src,
				  enum vma_operation op)
{
	mmap_assert_write_locked(src->vm_mm);
	VM_WARN_ON_ONCE(op != VMA_OP_FORK && dst->vm_mm != src->vm_mm);
	VM_WARN_ON_ONCE(!src->anon_vma && !list_empty(&src->anon_vma_chain));
	VM_WARN_ON_ONCE(!src->anon_vma && dst->anon_vma);
	VM_WARN_ON_ONCE(!list_empty(&dst->anon_vma_chain));
	VM_WARN_ON_ONCE(dst->anon_vma && dst->anon_vma != src->anon_vma);
	VM_WARN_ON_ONCE(op != VMA_OP_FORK && src->anon_vma && !dst->anon_vma);
	VM_WARN_ON_ONCE(op == VMA_OP_MERGE_UNFAULTED &&
			!list_is_singular(&src->anon_vma_chain));
	VM_WARN_ON_ONCE(op != VMA_OP_MERGE_UNFAULTED && vma_is_attached(dst));
}

/*
 * anon_vma_reusable() - may a fork child's VMA adopt @av, an anon_vma
 * on the chain of the parent's VMA @src, as its own?  Mainline and
 * 6.18: when no VMA uses it and at most one child lineage remains
 * (spec §2.5, the CVE-2022-42703 fix).
 *
 * Design degree, 3.19-5.19: one counter, degree = children (a root
 * counting itself) + VMAs using it.  Every change the kernel made to
 * degree is a change this model makes to exactly one of the two split
 * counters, so degree is their sum; the rule was degree < 2, and not
 * src's own anon_vma.  It cannot tell "one child, no VMA" from "no
 * child, one VMA", which lets an anon_vma in use be adopted (§6.4).
 * Designs noreuse and single never adopt.
 */
static bool anon_vma_reusable(struct anon_vma *av, struct vm_area_struct *src)
{
	if (design_has(DF_REUSE_NONE))
		return false;
	if (design_has(DF_REUSE_DEGREE))
		return av != src->anon_vma &&
		       av->num_children + av->num_active_vmas < 2;
	return av->num_active_vmas == 0 && av->num_children < 2;
}

/*
 * maybe_reuse_anon_vma() - fork only: let the child VMA adopt @av when
 * anon_vma_reusable() allows it.  The first eligible candidate wins;
 * taking it bumps num_active_vmas so it cannot be adopted twice.
 */
static void maybe_reuse_anon_vma(struct vm_area_struct *dst,
				 struct vm_area_struct *src,
				 struct anon_vma *av)
{
	if (dst->anon_vma)
		return;
	if (!anon_vma_reusable(av, src))
		return;
	dst->anon_vma = av;
	av->num_active_vmas++;
}

/* Undo phase 1 of anon_vma_clone(): nothing is in a tree or counted. */
static void cleanup_partial_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc, SITE_CLEANUP);
	}
}

/*
 * anon_vma_clone_mainline() - the series' clone (spec §2.4): allocate
 * every chain first with no lock held, then link them all under the
 * one root lock, so no failure can happen while the lock is held
 * (spec §6.8).  Phase 1 walks src head to tail inserting at dst's head,
 * which reverses the order; phase 2 walks dst tail to head, so trees
 * and reuse candidates are visited in src's order.
 */
static int anon_vma_clone_mainline(struct vm_area_struct *dst,
				   struct vm_area_struct *src,
				   enum vma_operation op)
{
	struct anon_vma_chain *avc, *pavc;
	/*
	 * The bug switch re-creates the intermediate version the seeds'
	 * review caught: allocating under the lock, and a failure path that
	 * forgets to release it.
	 */
	bool locked = bug_enabled(BUG_CLONE_NO_UNLOCK);

	if (locked)
		anon_vma_lock_write(src->anon_vma);
	list_for_each_entry(pavc, &src->anon_vma_chain, same_vma) {
		avc = anon_vma_chain_alloc(SITE_CLONE);
		if (!avc) {
			cleanup_partial_anon_vmas(dst);
			return -ENOMEM;
		}
		anon_vma_chain_assign(dst, avc, pavc->anon_vma);
	}

	if (!locked)
		anon_vma_lock_write(src->anon_vma);
	list_for_each_entry_reverse(avc, &dst->anon_vma_chain, same_vma) {
		avc_tree_insert(avc);
		if (op == VMA_OP_FORK)
			maybe_reuse_anon_vma(dst, src, avc->anon_vma);
	}
	if (op != VMA_OP_FORK)
		dst->anon_vma->num_active_vmas++;
	anon_vma_unlock_write(src->anon_vma);
	return 0;
}

/*
 * anon_vma_clone_v6_18() - the clone of kernels before the series:
 * src walked tail to head, each chain linked as soon as it is
 * allocated, under the root lock; the lock is dropped around the
 * sleeping allocation (the "root lock dance"); the reuse test is made
 * inline for the fork case, recognised as !dst->anon_vma with a
 * faulted src.  On failure the destination is reset to unfaulted
 * before unlinking, so no counter is decremented that was never
 * incremented (Leon Yu, 2015; spec §6.3).
 */
static int anon_vma_clone_v6_18(struct vm_area_struct *dst,
				struct vm_area_struct *src)
{
	struct anon_vma_chain *avc, *pavc;
	struct anon_vma *root = NULL;

	list_for_each_entry_reverse(pavc, &src->anon_vma_chain, same_vma) {
		struct anon_vma *av = pavc->anon_vma;

		/*
		 * A non-sleeping attempt under the lock first; if it fails,
		 * drop the lock for a sleeping one and retake it after.
		 */
		avc = anon_vma_chain_alloc_nowait(SITE_CLONE);
		if (!avc) {
			if (root)
				anon_vma_unlock_write(root);
			root = NULL;
			avc = anon_vma_chain_alloc(SITE_CLONE);
			if (!avc)
				goto enomem_failure;
		}
		if (!root) {
			root = READ_ONCE(av->root);
			anon_vma_lock_write(root);
		}
		anon_vma_chain_assign(dst, avc, av);
		avc_tree_insert(avc);
		if (!dst->anon_vma && src->anon_vma &&
		    anon_vma_reusable(av, src))
			dst->anon_vma = av;
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	if (root)
		anon_vma_unlock_write(root);
	return 0;

enomem_failure:
	dst->anon_vma = NULL;
	unlink_anon_vmas(dst);
	return -ENOMEM;
}

/**
 * anon_vma_clone() - link @dst into every anon_vma on @src's chain.
 * @dst: the new split half, mremap copy or fork child, or the unfaulted
 *       merge target of dup_anon_vma().
 * @src: the VMA whose anon state is copied.
 * @op:  why; only VMA_OP_FORK may adopt an existing anon_vma (§2.5).
 *
 * On success dst has the same chain set as src and, except for fork,
 * the same anon_vma.  Returns 0 or -ENOMEM, with dst's chain empty
 * again; in the mainline design dst->anon_vma is left as the caller
 * set it (spec §6.7: the caller must reset it).
 */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src,
		   enum vma_operation op)
{
	check_anon_vma_clone(dst, src, op);
	if (design_has(DF_PRESERIES)) {
		if (list_empty(&src->anon_vma_chain))
			return 0;
		return anon_vma_clone_v6_18(dst, src);
	}
	if (!src->anon_vma)
		return 0;
	return anon_vma_clone_mainline(dst, src, op);
}

/* Give the child VMA its own new anon_vma below the parent's (§2.6 step 6-7). */
static void anon_vma_fork_link_new(struct vm_area_struct *vma,
				   struct vm_area_struct *pvma,
				   struct anon_vma *av,
				   struct anon_vma_chain *avc)
{
	av->num_active_vmas = 1;
	WRITE_ONCE(av->root, READ_ONCE(pvma->anon_vma->root));
	av->parent = pvma->anon_vma;
	/* The child pins the root: the root's rwsem must outlive it. */
	get_anon_vma(av->root);
	anon_vma_chain_assign(vma, avc, av);
	anon_vma_lock_write(av);
	avc_tree_insert(avc);
	av->parent->num_children++;
	smp_store_release(&vma->anon_vma, av);
	anon_vma_unlock_write(av);
}

/*
 * anon_vma_fork_mainline() - pre-allocate the child's anon_vma and its
 * chain, clone, and give them back if the clone adopted an existing
 * anon_vma (spec §2.6).  Nothing needs tearing down on failure.
 */
static int anon_vma_fork_mainline(struct vm_area_struct *vma,
				  struct vm_area_struct *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	int rc;

	av = anon_vma_alloc(SITE_FORK);
	if (!av)
		return -ENOMEM;
	avc = anon_vma_chain_alloc(SITE_FORK);
	if (!avc) {
		put_anon_vma(av);
		return -ENOMEM;
	}

	rc = anon_vma_clone(vma, pvma, VMA_OP_FORK);
	if (rc || vma->anon_vma) {
		put_anon_vma(av);
		anon_vma_chain_free(avc, SITE_FORK);
		return rc;
	}
	anon_vma_fork_link_new(vma, pvma, av, avc);
	return 0;
}

/*
 * anon_vma_fork_v6_18() - the pre-series order: clone first, then
 * allocate only if nothing was adopted; a failure after the clone has
 * to unlink what the clone linked.
 */
static int anon_vma_fork_v6_18(struct vm_area_struct *vma,
			       struct vm_area_struct *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	if (anon_vma_clone(vma, pvma, VMA_OP_FORK))
		return -ENOMEM;
	if (vma->anon_vma)
		return 0;

	av = anon_vma_alloc(SITE_FORK);
	if (!av)
		goto out_error;
	avc = anon_vma_chain_alloc(SITE_FORK);
	if (!avc) {
		put_anon_vma(av);
		goto out_error;
	}
	anon_vma_fork_link_new(vma, pvma, av, avc);
	return 0;

out_error:
	unlink_anon_vmas(vma);
	return -ENOMEM;
}

/*
 * anon_vma_fork_single() - design single (2.6.7-2.6.33): there is one
 * anon_vma per fork family and no hierarchy, so the child's VMA simply
 * joins the parent's anon_vma as one more active VMA on its list.  The
 * one chain stands for the list node the old vm_area_struct embedded;
 * nothing else is allocated.
 */
static int anon_vma_fork_single(struct vm_area_struct *vma,
				struct vm_area_struct *pvma)
{
	struct anon_vma *av = pvma->anon_vma;
	struct anon_vma_chain *avc;

	VM_WARN_ON_ONCE(!list_is_singular(&pvma->anon_vma_chain));
	avc = anon_vma_chain_alloc(SITE_FORK);
	if (!avc)
		return -ENOMEM;
	anon_vma_lock_write(av);
	anon_vma_chain_assign(vma, avc, av);
	avc_tree_insert(avc);
	av->num_active_vmas++;
	smp_store_release(&vma->anon_vma, av);
	anon_vma_unlock_write(av);
	return 0;
}

/**
 * anon_vma_fork() - set up the anon state of a fork child's VMA.
 * @vma:  the child's copy of @pvma, not yet visible to anyone.
 * @pvma: the parent's VMA.
 *
 * The child VMA is linked into every anon_vma of the parent's chain, so
 * that rmap walks of still-shared folios find it, and gets a new
 * anon_vma of its own unless it adopted one (spec §2.6).  Returns 0 or
 * -ENOMEM, with the child VMA unfaulted and unlinked.
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	if (!pvma->anon_vma)
		return 0;
	/* Drop the pointer vm_area_dup() copied from the parent. */
	vma->anon_vma = NULL;
	if (design_has(DF_SINGLE))
		return anon_vma_fork_single(vma, pvma);
	if (design_has(DF_PRESERIES))
		return anon_vma_fork_v6_18(vma, pvma);
	return anon_vma_fork_mainline(vma, pvma);
}

/**
 * unlink_anon_vmas() - cut @vma out of every anon_vma it is linked to.
 * @vma: a VMA being unmapped, merged away, or given up by
 *       MREMAP_DONTUNMAP; its PTEs are already zapped (spec §3.8).
 *
 * Pass 1, under the root lock: remove each chain from its tree; an
 * anon_vma whose tree became empty is unlinked (its parent loses a
 * child) and keeps its chain for pass 2.  Pass 2, unlocked: drop the
 * base reference of each unlinked anon_vma; freeing may need the root
 * lock, so this cannot happen under it (rule L5).  Afterwards @vma is
 * unfaulted and may fault again into a new anon_vma.
 */
void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	struct anon_vma *active = vma->anon_vma;
	struct anon_vma *locked = NULL;

	mmap_assert_locked(vma->vm_mm);
	if (!active) {
		/*
		 * Unfaulted: nothing to do in the series.  Before it, a
		 * failed clone got here with dst->anon_vma reset and chains
		 * still to undo.
		 */
		if (!design_has(DF_PRESERIES) ||
		    list_empty(&vma->anon_vma_chain)) {
			VM_WARN_ON_ONCE(!list_empty(&vma->anon_vma_chain));
			return;
		}
		locked = list_first_entry(&vma->anon_vma_chain,
					  struct anon_vma_chain, same_vma)->anon_vma;
	} else {
		locked = active;
	}

	anon_vma_lock_write(locked);
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *av = avc->anon_vma;

		avc_tree_remove(avc);
		if (anon_vma_tree_empty(av)) {
			av->parent->num_children--;
			continue;
		}
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc, SITE_UNLINK);
	}
	if (active) {
		active->num_active_vmas--;
		WRITE_ONCE(vma->anon_vma, NULL);
	}
	anon_vma_unlock_write(locked);

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *av = avc->anon_vma;

		VM_WARN_ON_ONCE(av->num_children);
		VM_WARN_ON_ONCE(av->num_active_vmas);
		put_anon_vma(av);
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc, SITE_UNLINK);
	}
}

/*
 * Interval-tree maintenance for a VMA whose range changes (spec §1.3,
 * rule L3): all of its chains leave their trees before vm_start,
 * vm_end or vm_pgoff change and go back afterwards, under the root
 * write lock.  A list has no keys to refresh (designs list, single),
 * and leaving it alone keeps each chain's place in it, as in 2.6.34.
 */

/** anon_vma_interval_tree_pre_update_vma() - take @vma's chains out of their trees. */
void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	if (design_has(DF_AVC_LIST))
		return;
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		avc_tree_remove(avc);
}

/** anon_vma_interval_tree_post_update_vma() - put @vma's chains back with the new key. */
void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	if (design_has(DF_AVC_LIST))
		return;
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		avc_tree_insert(avc);
}
