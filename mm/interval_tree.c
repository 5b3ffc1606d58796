/* SPDX-License-Identifier: MIT */
/*
 * The anon_vma interval tree: each anon_vma's anon_vma_chains, keyed by
 * the page-offset range of their VMA (spec §1.3).
 *
 * The key is computed from vma->vm_pgoff/vm_start/vm_end on every use,
 * never stored, exactly as the kernel does.  Whoever changes those
 * fields on a VMA with an anon_vma must take all its AVCs out of their
 * trees first and put them back afterwards (the pre/post-update pair of
 * spec §1.3), or the tree's order and subtree maxima go stale: that is
 * invariant I6, which anon_vma_interval_tree_verify() helps to check.
 *
 * All callers hold the root anon_vma's rwsem (write for insert/remove,
 * read or write for queries), so the plain field reads below are safe.
 */
#include <anonvma/interval_tree.h>
#include <anonvma/mm_types.h>

#include "interval_tree_generic.h"

static inline unsigned long __avc_start(const struct anon_vma_chain *avc)
{
	return avc->vma->vm_pgoff;
}

static inline unsigned long __avc_last(const struct anon_vma_chain *avc)
{
	const struct vm_area_struct *vma = avc->vma;

	return vma->vm_pgoff + vma_pages(vma) - 1;
}

/*
 * Instantiated "static inline" so that the exported wrappers below are
 * each a single function with the descent/iteration inlined: rmap walks
 * run these loops millions of times in the benchmarks.
 */
INTERVAL_TREE_DEFINE(struct anon_vma_chain, rb, unsigned long, rb_subtree_last,
		     __avc_start, __avc_last, static inline, __avc_itree)

/**
 * avc_start_pgoff() - first page offset covered by @avc's VMA.
 * @avc: an anon_vma_chain with ->vma set.
 *
 * Return: vma->vm_pgoff, the tree key's start (spec §1.3).
 */
unsigned long avc_start_pgoff(const struct anon_vma_chain *avc)
{
	return __avc_start(avc);
}

/**
 * avc_last_pgoff() - last page offset covered by @avc's VMA (inclusive).
 * @avc: an anon_vma_chain with ->vma set.
 *
 * Return: vm_pgoff + pages(vma) - 1, the tree key's last (spec §1.3).
 */
unsigned long avc_last_pgoff(const struct anon_vma_chain *avc)
{
	return __avc_last(avc);
}

/**
 * anon_vma_interval_tree_insert() - link @node into the tree @root.
 * @node: an AVC whose ->vma is set and not in any tree.
 * @root: the anon_vma's tree; caller holds the root rwsem for write.
 *
 * AVCs with equal start pgoff are visited in the order they were
 * inserted ("tree position", spec §1.3).
 */
void anon_vma_interval_tree_insert(struct anon_vma_chain *node,
				   struct rb_root_cached *root)
{
	__avc_itree_insert(node, root);
}

/**
 * anon_vma_interval_tree_remove() - unlink @node from the tree @root.
 * @node: an AVC currently in @root, with the key it was inserted with.
 * @root: the anon_vma's tree; caller holds the root rwsem for write.
 */
void anon_vma_interval_tree_remove(struct anon_vma_chain *node,
				   struct rb_root_cached *root)
{
	__avc_itree_remove(node, root);
}

/**
 * anon_vma_interval_tree_iter_first() - start an overlap query.
 * @root: the anon_vma's tree; caller holds the root rwsem.
 * @first: first page offset of the query range.
 * @last: last page offset of the query range (inclusive).
 *
 * Return: the AVC with the lowest start pgoff whose range overlaps
 * [@first, @last], or NULL.
 */
struct anon_vma_chain *
anon_vma_interval_tree_iter_first(struct rb_root_cached *root,
				  unsigned long first, unsigned long last)
{
	return __avc_itree_iter_first(root, first, last);
}

/**
 * anon_vma_interval_tree_iter_next() - continue an overlap query.
 * @node: the AVC the query returned last.
 * @first: the same @first as given to anon_vma_interval_tree_iter_first().
 * @last: the same @last.
 *
 * Return: the next overlapping AVC in start order, or NULL.
 */
struct anon_vma_chain *
anon_vma_interval_tree_iter_next(struct anon_vma_chain *node,
				 unsigned long first, unsigned long last)
{
	return __avc_itree_iter_next(node, first, last);
}

/**
 * anon_vma_interval_tree_verify() - check @node's cached subtree maximum.
 * @node: an AVC in some tree.
 *
 * Recomputes, from the live VMA fields, the largest last pgoff of @node
 * and its children's cached maxima.  A mismatch means the tree was
 * corrupted or a VMA's range changed while its AVC was linked (I6).
 *
 * Return: true if node->rb_subtree_last is right.
 */
bool anon_vma_interval_tree_verify(const struct anon_vma_chain *node)
{
	return node->rb_subtree_last == __avc_itree_subtree_max(node);
}
