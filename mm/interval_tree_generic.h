/* SPDX-License-Identifier: MIT */
/*
 * A template for augmented interval trees over mm/rbtree.c.
 *
 * INTERVAL_TREE_DEFINE(IT_STRUCT, IT_RB, IT_TYPE, IT_SUBTREE_LAST,
 *                      IT_START, IT_LAST, IT_STATIC, IT_PREFIX)
 *
 *   IT_STRUCT        the node type (e.g. struct anon_vma_chain)
 *   IT_RB            name of its struct rb_node member
 *   IT_TYPE          the endpoint type (an unsigned integer type)
 *   IT_SUBTREE_LAST  name of its IT_TYPE member caching the largest
 *                    "last" found in the node's subtree
 *   IT_START(n)      expression/macro: first point of node n (const IT_STRUCT *)
 *   IT_LAST(n)       expression/macro: last point of node n, inclusive
 *   IT_STATIC        storage class of the four entry points: "static",
 *                    "static inline", or empty for extern functions
 *   IT_PREFIX        prefix of every generated name
 *
 * Generated entry points (IT_STATIC):
 *
 *   void IT_PREFIX_insert(IT_STRUCT *node, struct rb_root_cached *root)
 *	Add @node.  Nodes are ordered by start; a node whose start equals
 *	existing ones goes after them, so equal starts keep insertion
 *	order ("tree order").
 *   void IT_PREFIX_remove(IT_STRUCT *node, struct rb_root_cached *root)
 *	Remove @node, keeping every cached subtree maximum right.
 *   IT_STRUCT *IT_PREFIX_iter_first(struct rb_root_cached *root,
 *				      IT_TYPE first, IT_TYPE last)
 *	The first node (in start order) whose closed interval overlaps
 *	the closed interval [first, last], or NULL.
 *   IT_STRUCT *IT_PREFIX_iter_next(IT_STRUCT *node, IT_TYPE first,
 *				     IT_TYPE last)
 *	The next overlapping node after @node in start order, or NULL.
 *
 * Generated static helpers: IT_PREFIX_subtree_max() (what
 * IT_SUBTREE_LAST of a node ought to be, given its children's cached
 * values; the verifier compares the two) and the rb_augment_callbacks
 * table IT_PREFIX_augment.
 *
 * Endpoints are read through IT_START/IT_LAST every time, never cached
 * in the node: for the anon_vma tree the key is the VMA's live range
 * (spec §1.3), and it must not change while the node is in a tree.
 *
 * Queries descend only into subtrees whose cached maximum reaches
 * @first, and stop as soon as a start lies beyond @last, so a query
 * costs O(log n + number of results).
 */
#ifndef ANONVMA_INTERVAL_TREE_GENERIC_H
#define ANONVMA_INTERVAL_TREE_GENERIC_H

#include <anonvma/rbtree.h>

#define INTERVAL_TREE_DEFINE(IT_STRUCT, IT_RB, IT_TYPE, IT_SUBTREE_LAST,      \
			     IT_START, IT_LAST, IT_STATIC, IT_PREFIX)          \
									      \
/* Largest last of @node and of its children's subtrees. */                  \
static inline __attribute__((__unused__)) IT_TYPE                            \
IT_PREFIX ## _subtree_max(const IT_STRUCT *node)                             \
{                                                                             \
	IT_TYPE max = IT_LAST(node);                                         \
	const IT_STRUCT *child;                                              \
									      \
	if (node->IT_RB.rb_left) {                                           \
		child = rb_entry(node->IT_RB.rb_left, IT_STRUCT, IT_RB);     \
		if (child->IT_SUBTREE_LAST > max)                            \
			max = child->IT_SUBTREE_LAST;                        \
	}                                                                     \
	if (node->IT_RB.rb_right) {                                          \
		child = rb_entry(node->IT_RB.rb_right, IT_STRUCT, IT_RB);    \
		if (child->IT_SUBTREE_LAST > max)                            \
			max = child->IT_SUBTREE_LAST;                        \
	}                                                                     \
	return max;                                                           \
}                                                                             \
									      \
/*                                                                            \
 * Recompute upwards from @rb, stopping below @stop or where a value         \
 * does not change: every ancestor depends on the path only through that     \
 * value, so nothing above can change either.                                 \
 */                                                                           \
static void IT_PREFIX ## _augment_propagate(struct rb_node *rb,              \
					    struct rb_node *stop)             \
{                                                                             \
	while (rb != stop) {                                                  \
		IT_STRUCT *node = rb_entry(rb, IT_STRUCT, IT_RB);            \
		IT_TYPE max = IT_PREFIX ## _subtree_max(node);               \
									      \
		if (node->IT_SUBTREE_LAST == max)                            \
			break;                                                \
		node->IT_SUBTREE_LAST = max;                                 \
		rb = rb_parent(rb);                                          \
	}                                                                     \
}                                                                             \
									      \
/* @new replaced @old in the tree, over the same nodes. */                   \
static void IT_PREFIX ## _augment_copy(struct rb_node *rb_old,               \
				       struct rb_node *rb_new)                \
{                                                                             \
	rb_entry(rb_new, IT_STRUCT, IT_RB)->IT_SUBTREE_LAST =                \
		rb_entry(rb_old, IT_STRUCT, IT_RB)->IT_SUBTREE_LAST;         \
}                                                                             \
									      \
/* @new rotated above @old: it now covers what @old covered. */              \
static void IT_PREFIX ## _augment_rotate(struct rb_node *rb_old,             \
					 struct rb_node *rb_new)              \
{                                                                             \
	IT_STRUCT *old = rb_entry(rb_old, IT_STRUCT, IT_RB);                 \
	IT_STRUCT *new = rb_entry(rb_new, IT_STRUCT, IT_RB);                 \
									      \
	new->IT_SUBTREE_LAST = old->IT_SUBTREE_LAST;                         \
	old->IT_SUBTREE_LAST = IT_PREFIX ## _subtree_max(old);               \
}                                                                             \
									      \
static const struct rb_augment_callbacks IT_PREFIX ## _augment                \
	__attribute__((__unused__)) = {                                       \
	.propagate = IT_PREFIX ## _augment_propagate,                         \
	.copy = IT_PREFIX ## _augment_copy,                                   \
	.rotate = IT_PREFIX ## _augment_rotate,                               \
};                                                                            \
									      \
/*                                                                            \
 * Every node on the descent path gains @node in its subtree, so its         \
 * maximum is raised on the way down; rotations during the rebalance are     \
 * then handled by the callbacks.                                             \
 */                                                                           \
IT_STATIC __attribute__((__unused__)) void                                   \
IT_PREFIX ## _insert(IT_STRUCT *node, struct rb_root_cached *root)          \
{                                                                             \
	struct rb_node **link = &root->rb_root.rb_node, *parent_rb = NULL;   \
	IT_TYPE start = IT_START(node), last = IT_LAST(node);               \
	bool leftmost = true;                                                 \
									      \
	while (*link) {                                                       \
		IT_STRUCT *parent;                                            \
									      \
		parent_rb = *link;                                            \
		parent = rb_entry(parent_rb, IT_STRUCT, IT_RB);               \
		if (parent->IT_SUBTREE_LAST < last)                           \
			parent->IT_SUBTREE_LAST = last;                       \
		if (start < IT_START(parent)) {                               \
			link = &parent_rb->rb_left;                           \
		} else {                                                      \
			link = &parent_rb->rb_right;                          \
			leftmost = false;                                     \
		}                                                             \
	}                                                                     \
	node->IT_SUBTREE_LAST = last;                                         \
	rb_link_node(&node->IT_RB, parent_rb, link);                         \
	rb_insert_augmented_cached(&node->IT_RB, root, leftmost,             \
				   &IT_PREFIX ## _augment);                   \
}                                                                             \
									      \
IT_STATIC __attribute__((__unused__)) void                                   \
IT_PREFIX ## _remove(IT_STRUCT *node, struct rb_root_cached *root)          \
{                                                                             \
	rb_erase_augmented_cached(&node->IT_RB, root,                        \
				  &IT_PREFIX ## _augment);                    \
}                                                                             \
									      \
/*                                                                            \
 * Leftmost node under @node overlapping [first, last], given that           \
 * @node's subtree maximum reaches @first.  No backtracking is needed:       \
 * when the left subtree's maximum reaches @first, some node there ends at   \
 * or after @first; either it (or an earlier node) overlaps, or it starts    \
 * after @last and so does everything to its right.                          \
 */                                                                           \
static inline __attribute__((__unused__)) IT_STRUCT *                        \
IT_PREFIX ## _subtree_search(IT_STRUCT *node, IT_TYPE first, IT_TYPE last)   \
{                                                                             \
	for (;;) {                                                            \
		struct rb_node *rb = node->IT_RB.rb_left;                     \
									      \
		if (rb) {                                                     \
			IT_STRUCT *left = rb_entry(rb, IT_STRUCT, IT_RB);     \
									      \
			if (left->IT_SUBTREE_LAST >= first) {                 \
				node = left;                                  \
				continue;                                     \
			}                                                     \
		}                                                             \
		if (IT_START(node) > last)                                    \
			return NULL;                                          \
		if (IT_LAST(node) >= first)                                   \
			return node;                                          \
		rb = node->IT_RB.rb_right;                                    \
		if (!rb)                                                      \
			return NULL;                                          \
		node = rb_entry(rb, IT_STRUCT, IT_RB);                        \
		if (node->IT_SUBTREE_LAST < first)                            \
			return NULL;                                          \
	}                                                                     \
}                                                                             \
									      \
IT_STATIC __attribute__((__unused__)) IT_STRUCT *                            \
IT_PREFIX ## _iter_first(struct rb_root_cached *root,                        \
			 IT_TYPE first, IT_TYPE last)                         \
{                                                                             \
	struct rb_node *rb = root->rb_root.rb_node;                           \
	IT_STRUCT *node;                                                      \
									      \
	if (!rb)                                                              \
		return NULL;                                                  \
	/* Nothing ends late enough. */                                      \
	node = rb_entry(rb, IT_STRUCT, IT_RB);                                \
	if (node->IT_SUBTREE_LAST < first)                                    \
		return NULL;                                                  \
	/* Nothing starts early enough: the minimum start is cached. */      \
	if (IT_START(rb_entry(root->rb_leftmost, IT_STRUCT, IT_RB)) > last)  \
		return NULL;                                                  \
	return IT_PREFIX ## _subtree_search(node, first, last);              \
}                                                                             \
									      \
IT_STATIC __attribute__((__unused__)) IT_STRUCT *                            \
IT_PREFIX ## _iter_next(IT_STRUCT *node, IT_TYPE first, IT_TYPE last)        \
{                                                                             \
	struct rb_node *rb = node->IT_RB.rb_right, *prev;                     \
									      \
	for (;;) {                                                            \
		/* Nodes after @node: first its right subtree... */          \
		if (rb) {                                                     \
			IT_STRUCT *right = rb_entry(rb, IT_STRUCT, IT_RB);    \
									      \
			if (right->IT_SUBTREE_LAST >= first)                  \
				return IT_PREFIX ## _subtree_search(right,    \
								first, last); \
		}                                                             \
		/* ...then the first ancestor reached from its left. */      \
		do {                                                          \
			rb = rb_parent(&node->IT_RB);                         \
			if (!rb)                                              \
				return NULL;                                  \
			prev = &node->IT_RB;                                  \
			node = rb_entry(rb, IT_STRUCT, IT_RB);                \
			rb = node->IT_RB.rb_right;                            \
		} while (prev == rb);                                         \
		if (IT_START(node) > last)                                    \
			return NULL;                                          \
		if (IT_LAST(node) >= first)                                   \
			return node;                                          \
	}                                                                     \
}

#endif
