/* SPDX-License-Identifier: MIT */
/*
 * Red-black trees, optionally augmented (include/anonvma/rbtree.h).
 *
 * Written from the textbook algorithm (CLRS chapter 13, parent-pointer
 * form, NULL standing for the black sentinel leaves).  The interface is
 * the kernel's: the caller descends and links the node, then asks for
 * the rebalance, so the key comparison stays inline in the caller.
 *
 * Colour lives in bit 0 of __rb_parent_color: 0 means red, 1 black.
 * That choice lets rb_link_node() store the bare parent pointer and get
 * a red node for free.
 *
 * Augmentation (the interval tree's rb_subtree_last, spec §1.3) is kept
 * right with three callbacks: @rotate after every rotation, @copy when
 * erase moves the in-order successor into the erased node's place, and
 * @propagate to recompute the values along the path whose subtree lost
 * a node.  The non-augmented entry points pass a NULL callback table;
 * every helper below is always-inline so the compiler drops those tests
 * from the plain variants.
 */
#include <anonvma/rbtree.h>

#define RB_RED		0UL
#define RB_BLACK	1UL
#define RB_COLOR_MASK	1UL

#define __rb_inline inline __attribute__((__always_inline__))

static __rb_inline uintptr_t rb_color(const struct rb_node *n)
{
	return n->__rb_parent_color & RB_COLOR_MASK;
}

/* A NULL child is a black leaf. */
static __rb_inline bool node_is_red(const struct rb_node *n)
{
	return n && rb_color(n) == RB_RED;
}

static __rb_inline bool node_is_black(const struct rb_node *n)
{
	return !node_is_red(n);
}

static __rb_inline void rb_set_black(struct rb_node *n)
{
	n->__rb_parent_color |= RB_BLACK;
}

static __rb_inline void rb_set_red(struct rb_node *n)
{
	n->__rb_parent_color &= ~RB_COLOR_MASK;
}

static __rb_inline void rb_set_color(struct rb_node *n, uintptr_t color)
{
	n->__rb_parent_color = (n->__rb_parent_color & ~RB_COLOR_MASK) | color;
}

/* Re-parent @n, keeping its colour. */
static __rb_inline void rb_set_parent(struct rb_node *n, struct rb_node *p)
{
	n->__rb_parent_color = (uintptr_t)p | rb_color(n);
}

/* Make whatever pointed at @old (its parent's child slot or the root) point at @new. */
static __rb_inline void rb_replace_child(struct rb_node *old,
					 struct rb_node *new,
					 struct rb_node *parent,
					 struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/*
 * Rotate left around @x: its right child @y takes its place and @x
 * becomes @y's left child.  Colours are left to the caller.  The set of
 * nodes under @y afterwards is the set that was under @x, so @rotate
 * hands @x's summary to @y and recomputes @x from its new children.
 */
static __rb_inline void rb_rotate_left(struct rb_node *x, struct rb_root *root,
				       const struct rb_augment_callbacks *aug)
{
	struct rb_node *y = x->rb_right;
	struct rb_node *p = rb_parent(x);

	x->rb_right = y->rb_left;
	if (y->rb_left)
		rb_set_parent(y->rb_left, x);
	rb_set_parent(y, p);
	rb_replace_child(x, y, p, root);
	y->rb_left = x;
	rb_set_parent(x, y);
	if (aug)
		aug->rotate(x, y);
}

/* Mirror image of rb_rotate_left(). */
static __rb_inline void rb_rotate_right(struct rb_node *x, struct rb_root *root,
					const struct rb_augment_callbacks *aug)
{
	struct rb_node *y = x->rb_left;
	struct rb_node *p = rb_parent(x);

	x->rb_left = y->rb_right;
	if (y->rb_right)
		rb_set_parent(y->rb_right, x);
	rb_set_parent(y, p);
	rb_replace_child(x, y, p, root);
	y->rb_right = x;
	rb_set_parent(x, y);
	if (aug)
		aug->rotate(x, y);
}

/*
 * Restore the red-black properties after @node was linked red.  The
 * only possible violation is a red @node under a red parent; each pass
 * either fixes it with at most two rotations or recolours and moves the
 * problem two levels up.
 */
static __rb_inline void rb_insert_fixup(struct rb_node *node,
					struct rb_root *root,
					const struct rb_augment_callbacks *aug)
{
	for (;;) {
		struct rb_node *parent = rb_parent(node);
		struct rb_node *gparent, *uncle;

		if (!parent) {
			/* @node is the root: the root is always black. */
			rb_set_black(node);
			return;
		}
		if (rb_color(parent) == RB_BLACK)
			return;

		/* A red parent is never the root, so the grandparent exists. */
		gparent = rb_parent(parent);
		if (parent == gparent->rb_left) {
			uncle = gparent->rb_right;
			if (node_is_red(uncle)) {
				/* Push the grandparent's blackness down a level. */
				rb_set_black(parent);
				rb_set_black(uncle);
				rb_set_red(gparent);
				node = gparent;
				continue;
			}
			if (node == parent->rb_right) {
				/* Turn the inner grandchild into an outer one. */
				rb_rotate_left(parent, root, aug);
				parent = node;
			}
			rb_set_black(parent);
			rb_set_red(gparent);
			rb_rotate_right(gparent, root, aug);
		} else {
			uncle = gparent->rb_left;
			if (node_is_red(uncle)) {
				rb_set_black(parent);
				rb_set_black(uncle);
				rb_set_red(gparent);
				node = gparent;
				continue;
			}
			if (node == parent->rb_left) {
				rb_rotate_right(parent, root, aug);
				parent = node;
			}
			rb_set_black(parent);
			rb_set_red(gparent);
			rb_rotate_left(gparent, root, aug);
		}
		return;
	}
}

/*
 * The subtree at @parent's child slot that held @node (NULL or a black
 * node) is one black node short.  Borrow from the sibling side or move
 * the shortage up until it can be absorbed.  The sibling is never NULL:
 * before the removal it had the same, non-zero, black height.
 */
static __rb_inline void rb_erase_fixup(struct rb_node *node,
				       struct rb_node *parent,
				       struct rb_root *root,
				       const struct rb_augment_callbacks *aug)
{
	struct rb_node *sib;

	for (;;) {
		if (node == parent->rb_left) {
			sib = parent->rb_right;
			if (node_is_red(sib)) {
				/* Make the sibling black, keeping heights. */
				rb_set_black(sib);
				rb_set_red(parent);
				rb_rotate_left(parent, root, aug);
				sib = parent->rb_right;
			}
			if (node_is_black(sib->rb_left) &&
			    node_is_black(sib->rb_right)) {
				/* Shorten the sibling side too, then go up. */
				rb_set_red(sib);
				if (rb_color(parent) == RB_RED) {
					rb_set_black(parent);
					return;
				}
				node = parent;
				parent = rb_parent(node);
				if (!parent)
					return;
				continue;
			}
			if (node_is_black(sib->rb_right)) {
				/* Only the inner nephew is red: make it outer. */
				rb_set_black(sib->rb_left);
				rb_set_red(sib);
				rb_rotate_right(sib, root, aug);
				sib = parent->rb_right;
			}
			/* The outer nephew is red: one rotation settles it. */
			rb_set_color(sib, rb_color(parent));
			rb_set_black(parent);
			rb_set_black(sib->rb_right);
			rb_rotate_left(parent, root, aug);
			return;
		} else {
			sib = parent->rb_left;
			if (node_is_red(sib)) {
				rb_set_black(sib);
				rb_set_red(parent);
				rb_rotate_right(parent, root, aug);
				sib = parent->rb_left;
			}
			if (node_is_black(sib->rb_left) &&
			    node_is_black(sib->rb_right)) {
				rb_set_red(sib);
				if (rb_color(parent) == RB_RED) {
					rb_set_black(parent);
					return;
				}
				node = parent;
				parent = rb_parent(node);
				if (!parent)
					return;
				continue;
			}
			if (node_is_black(sib->rb_left)) {
				rb_set_black(sib->rb_right);
				rb_set_red(sib);
				rb_rotate_left(sib, root, aug);
				sib = parent->rb_left;
			}
			rb_set_color(sib, rb_color(parent));
			rb_set_black(parent);
			rb_set_black(sib->rb_left);
			rb_rotate_right(parent, root, aug);
			return;
		}
	}
}

/*
 * Unlink @node, fix the augmented values of the nodes whose subtree
 * shrank, then rebalance.  Values are made right before any rotation so
 * that @rotate always starts from correct children.
 */
static __rb_inline void rb_erase_common(struct rb_node *node,
					struct rb_root *root,
					const struct rb_augment_callbacks *aug)
{
	struct rb_node *parent = rb_parent(node);
	struct rb_node *child, *fix_parent;
	uintptr_t removed_color;

	if (!node->rb_left || !node->rb_right) {
		/* At most one child: splice it into @node's place. */
		child = node->rb_left ? node->rb_left : node->rb_right;
		removed_color = rb_color(node);
		rb_replace_child(node, child, parent, root);
		if (child)
			rb_set_parent(child, parent);
		fix_parent = parent;
		if (aug && parent)
			aug->propagate(parent, NULL);
	} else {
		/*
		 * Two children: the in-order successor (leftmost of the
		 * right subtree, so it has no left child) takes @node's
		 * place and colour; structurally a node disappears from the
		 * successor's old position instead.
		 */
		struct rb_node *succ = node->rb_right;

		while (succ->rb_left)
			succ = succ->rb_left;
		child = succ->rb_right;
		removed_color = rb_color(succ);

		if (succ == node->rb_right) {
			/* The successor keeps its right subtree. */
			fix_parent = succ;
		} else {
			fix_parent = rb_parent(succ);
			fix_parent->rb_left = child;
			if (child)
				rb_set_parent(child, fix_parent);
			succ->rb_right = node->rb_right;
			rb_set_parent(node->rb_right, succ);
		}
		succ->rb_left = node->rb_left;
		rb_set_parent(node->rb_left, succ);
		succ->__rb_parent_color = node->__rb_parent_color;
		rb_replace_child(node, succ, parent, root);

		if (aug) {
			/*
			 * @succ now stands where @node stood; start from
			 * @node's value, fix the path that lost @succ up to
			 * it, then recompute @succ itself (it no longer
			 * covers @node) and whatever that changes above.
			 */
			aug->copy(node, succ);
			if (fix_parent != succ)
				aug->propagate(fix_parent, succ);
			aug->propagate(succ, NULL);
		}
	}

	if (removed_color == RB_RED)
		return;		/* black heights unchanged */
	if (node_is_red(child)) {
		/* A lone red child below a removed black node. */
		rb_set_black(child);
		return;
	}
	if (fix_parent)
		rb_erase_fixup(child, fix_parent, root, aug);
}

/**
 * rb_insert_color() - rebalance after rb_link_node() added @node.
 * @node: the node just linked (red).
 * @root: the tree.
 */
void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	rb_insert_fixup(node, root, NULL);
}

/**
 * rb_erase() - remove @node from @root and rebalance.
 * @node: a node of @root.
 * @root: the tree.
 *
 * @node's own fields are left stale; RB_CLEAR_NODE() it if the caller
 * wants RB_EMPTY_NODE() to report it unlinked.
 */
void rb_erase(struct rb_node *node, struct rb_root *root)
{
	rb_erase_common(node, root, NULL);
}

/**
 * rb_insert_color_cached() - rb_insert_color() that keeps the leftmost cache.
 * @node: the node just linked (red).
 * @root: the cached tree.
 * @leftmost: true if the descent only went left, i.e. @node is the new minimum.
 */
void rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root,
			    bool leftmost)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_fixup(node, &root->rb_root, NULL);
}

/**
 * rb_erase_cached() - rb_erase() that keeps the leftmost cache.
 * @node: a node of @root.
 * @root: the cached tree.
 */
void rb_erase_cached(struct rb_node *node, struct rb_root_cached *root)
{
	if (root->rb_leftmost == node)
		root->rb_leftmost = rb_next(node);
	rb_erase_common(node, &root->rb_root, NULL);
}

/**
 * rb_insert_augmented() - rebalance an augmented tree after an insertion.
 * @node: the node just linked (red).
 * @root: the tree.
 * @aug: the tree's callbacks.
 *
 * As with the kernel's, the caller must already have made every
 * augmented value right for the tree with @node linked (the descent
 * usually does it on the way down, and sets @node's own value); only
 * the rotations are accounted for here.
 */
void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *aug)
{
	rb_insert_fixup(node, root, aug);
}

/**
 * rb_insert_augmented_cached() - rb_insert_augmented() keeping the leftmost cache.
 * @node: the node just linked (red).
 * @root: the cached tree.
 * @leftmost: true if @node is the new minimum.
 * @aug: the tree's callbacks.
 */
void rb_insert_augmented_cached(struct rb_node *node,
				struct rb_root_cached *root, bool leftmost,
				const struct rb_augment_callbacks *aug)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_fixup(node, &root->rb_root, aug);
}

/**
 * rb_erase_augmented() - remove @node from an augmented tree.
 * @node: a node of @root.
 * @root: the tree.
 * @aug: the tree's callbacks; every value is right again on return.
 */
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *aug)
{
	rb_erase_common(node, root, aug);
}

/**
 * rb_erase_augmented_cached() - rb_erase_augmented() keeping the leftmost cache.
 * @node: a node of @root.
 * @root: the cached tree.
 * @aug: the tree's callbacks.
 */
void rb_erase_augmented_cached(struct rb_node *node,
			       struct rb_root_cached *root,
			       const struct rb_augment_callbacks *aug)
{
	if (root->rb_leftmost == node)
		root->rb_leftmost = rb_next(node);
	rb_erase_common(node, &root->rb_root, aug);
}

/**
 * rb_first() - the smallest node of @root.
 * @root: the tree.
 *
 * Return: the leftmost node, or NULL for an empty tree.
 */
struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

/**
 * rb_last() - the largest node of @root.
 * @root: the tree.
 *
 * Return: the rightmost node, or NULL for an empty tree.
 */
struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_right)
		n = n->rb_right;
	return n;
}

/**
 * rb_next() - the in-order successor of @node.
 * @node: a node in a tree.
 *
 * Return: the next node, or NULL if @node is the last one or is not in
 * a tree (RB_EMPTY_NODE()).
 */
struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right) {
		/* Leftmost node of the right subtree. */
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	/* Climb until we leave a left subtree. */
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return parent;
}

/**
 * rb_prev() - the in-order predecessor of @node.
 * @node: a node in a tree.
 *
 * Return: the previous node, or NULL if @node is the first one or is not
 * in a tree.
 */
struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return parent;
}

/**
 * rb_is_red() - whether @node is red.
 * @node: a node, or NULL (a leaf, which counts as black).
 *
 * Return: true for a red node.
 */
bool rb_is_red(const struct rb_node *node)
{
	return node_is_red(node);
}
