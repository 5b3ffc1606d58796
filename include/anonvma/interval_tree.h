/* SPDX-License-Identifier: MIT */
/*
 * The per-anon_vma interval tree of anon_vma_chains (spec §1.3).
 *
 * The key of an AVC is the page-offset range of its VMA,
 * [vm_pgoff, vm_pgoff + pages - 1], computed from the VMA's live fields
 * and never stored: that is why a faulted VMA's range may only change
 * while all its AVCs are out of their trees.  Each node carries
 * rb_subtree_last, the largest "last" in its subtree, so that an overlap
 * query can skip whole subtrees.
 */
#ifndef ANONVMA_INTERVAL_TREE_H
#define ANONVMA_INTERVAL_TREE_H

#include "rbtree.h"

struct anon_vma_chain;

unsigned long avc_start_pgoff(const struct anon_vma_chain *avc);
unsigned long avc_last_pgoff(const struct anon_vma_chain *avc);

void anon_vma_interval_tree_insert(struct anon_vma_chain *node,
				   struct rb_root_cached *root);
void anon_vma_interval_tree_remove(struct anon_vma_chain *node,
				   struct rb_root_cached *root);
struct anon_vma_chain *
anon_vma_interval_tree_iter_first(struct rb_root_cached *root,
				  unsigned long first, unsigned long last);
struct anon_vma_chain *
anon_vma_interval_tree_iter_next(struct anon_vma_chain *node,
				 unsigned long first, unsigned long last);
/** anon_vma_interval_tree_verify() - false if @node's cached subtree max is wrong. */
bool anon_vma_interval_tree_verify(const struct anon_vma_chain *node);

/* Every AVC whose [start, last] overlaps [first, last], in start order. */
#define anon_vma_interval_tree_foreach(avc, root, first, last)               \
	for (avc = anon_vma_interval_tree_iter_first(root, first, last);     \
	     avc; avc = anon_vma_interval_tree_iter_next(avc, first, last))

#endif
