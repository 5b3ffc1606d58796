/* SPDX-License-Identifier: MIT */
/*
 * Red-black trees with optional augmentation, written for this project
 * (no maintained C library here propagates augmented values correctly).
 *
 * The caller does the descent and links the new node (rb_link_node()),
 * then asks for the rebalance, exactly as with the kernel's rbtree: this
 * keeps the comparison inline in the user's code.  An augmented tree
 * passes a struct rb_augment_callbacks so that rotations and erasure keep
 * every node's summary value (e.g. the interval tree's subtree maximum)
 * correct.
 */
#ifndef ANONVMA_RBTREE_H
#define ANONVMA_RBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rb_node {
	uintptr_t __rb_parent_color;	/* parent pointer | colour bit */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

/* A root that also caches its leftmost node, for O(1) first(). */
struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

#define RB_ROOT ((struct rb_root){ NULL })
#define RB_ROOT_CACHED ((struct rb_root_cached){ { NULL }, NULL })
#define RB_EMPTY_ROOT(root) ((root)->rb_node == NULL)

#define rb_parent(r) ((struct rb_node *)((r)->__rb_parent_color & ~(uintptr_t)3))
#define rb_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* A node that is not in any tree points to itself as parent. */
#define RB_CLEAR_NODE(node) ((node)->__rb_parent_color = (uintptr_t)(node))
#define RB_EMPTY_NODE(node) ((node)->__rb_parent_color == (uintptr_t)(node))

/**
 * struct rb_augment_callbacks - keep an augmented value right.
 * @propagate: recompute the value from @node up to (not including) @stop.
 * @copy:      @new takes @old's place: copy the augmented value.
 * @rotate:    @new became @old's parent: @new gets @old's value and @old
 *             is recomputed from its children.
 */
struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

/** rb_link_node() - hang @node below @parent at *@link, before rebalancing. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->__rb_parent_color = (uintptr_t)parent; /* red */
	node->rb_left = node->rb_right = NULL;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);
void rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root,
			    bool leftmost);
void rb_erase_cached(struct rb_node *node, struct rb_root_cached *root);

void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *aug);
void rb_insert_augmented_cached(struct rb_node *node,
				struct rb_root_cached *root, bool leftmost,
				const struct rb_augment_callbacks *aug);
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *aug);
void rb_erase_augmented_cached(struct rb_node *node,
			       struct rb_root_cached *root,
			       const struct rb_augment_callbacks *aug);

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);
#define rb_first_cached(root) ((root)->rb_leftmost)

/** rb_is_red() - colour query, for the tree verifier in the tests. */
bool rb_is_red(const struct rb_node *node);

#endif
