/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker, chain half: the anon_vmas' interval trees and
 * the VMAs' anon_vma_chain lists, each checked against the other
 * (spec §4.1 I2-I6 and I11-I13).
 *
 * The trees are walked first: every AVC found in a tree is numbered and
 * remembered with the anon_vma that owns the tree (I5, I6).  Then each
 * attached VMA's list is walked: the anon_vmas on it are stamped with a
 * fresh number, so that "is X on chain(V)" (I2, I4) costs one compare,
 * and each AVC met is looked up among the tree nodes (I5).  Whatever
 * tree node no list claimed is reported last.
 */
#include "check_internal.h"
#include "design.h"

/* Deeper than any red-black tree of 2^63 nodes: deeper means a cycle. */
#define CHECK_MAX_DEPTH 128

/*
 * Walk the same_vma list of @vma, calling @fn for each AVC.  The list is
 * checked as it goes (prev links, no NULL): a node reached a second time
 * is always reached from another predecessor than the first time, so the
 * prev check also stops any cycle that does not return to the head.
 */
typedef void (*chain_fn)(struct check_ctx *c, struct mm_struct *mm,
			 struct vm_area_struct *vma,
			 struct anon_vma_chain *avc, void *arg);

static bool walk_chain(struct check_ctx *c, struct mm_struct *mm,
		       struct vm_area_struct *vma, chain_fn fn, void *arg)
{
	struct list_head *head = &vma->anon_vma_chain;
	struct list_head *prev = head, *p;

	for (p = head->next; p != head; prev = p, p = p->next) {
		if (!p || p->prev != prev) {
			if (mm)
				check_fail(c, "I5: " VMA_FMT " has a corrupt anon_vma_chain list",
					   VMA_ARGS(mm, vma));
			return false;
		}
		fn(c, mm, vma, list_entry(p, struct anon_vma_chain, same_vma),
		   arg);
	}
	return true;
}

static void stamp_one(struct check_ctx *c, struct mm_struct *mm,
		      struct vm_area_struct *vma, struct anon_vma_chain *avc,
		      void *arg)
{
	unsigned int idx = check_av_index(c, READ_ONCE(avc->anon_vma));

	if (idx != CHECK_NONE)
		c->avs[idx].mark = *(unsigned int *)arg;
}

/**
 * check_stamp_chain() - mark every live anon_vma of chain(@vma).
 * @c: the run.
 * @vma: an attached VMA.
 *
 * Return: the stamp: afterwards avs[i].mark == stamp exactly when
 * avs[i] is on chain(@vma).  Corrupt lists were reported already by
 * the chain checks, so this walk stays silent.
 */
unsigned int check_stamp_chain(struct check_ctx *c, struct vm_area_struct *vma)
{
	unsigned int stamp = ++c->stamp;

	walk_chain(c, NULL, vma, stamp_one, &stamp);
	return stamp;
}

/* ------------------------------------------------------------------ */
/* The interval trees (I5 tree side, I6)                               */

struct tree_walk {
	unsigned int owner;		/* index of the anon_vma */
	struct rb_node *first;		/* leftmost node met */
	bool have_prev;
	unsigned long prev_start;
	bool broken;			/* structure error already reported */
};

static void tree_broken(struct check_ctx *c, struct tree_walk *w,
			const char *what)
{
	if (!w->broken)
		check_fail(c, "I6: av#%u interval tree is corrupt: %s",
			   c->avs[w->owner].av->serial, what);
	w->broken = true;
}

/* I5: an AVC found in avs[owner]'s tree (or list) must point back at it. */
static void check_avc_owner(struct check_ctx *c, unsigned int owner,
			    struct anon_vma_chain *avc)
{
	struct av_info *ai = &c->avs[owner];
	struct anon_vma *av = READ_ONCE(avc->anon_vma);

	if (av != ai->av) {
		unsigned int other = check_av_index(c, av);

		if (other != CHECK_NONE)
			check_fail(c, "I5: tree(av#%u) holds an AVC whose anon_vma is av#%u",
				   ai->av->serial, c->avs[other].av->serial);
		else
			check_fail(c, "I5: tree(av#%u) holds an AVC whose anon_vma is not a live anon_vma",
				   ai->av->serial);
	}
}

static void visit_avc(struct check_ctx *c, struct tree_walk *w,
		      struct anon_vma_chain *avc)
{
	struct av_info *ai = &c->avs[w->owner];
	unsigned int vi = check_map_lookup(&c->vma_map, (uintptr_t)avc->vma);
	struct vm_area_struct *v;
	unsigned long start;

	check_avc_owner(c, w->owner, avc);
	/*
	 * A VMA that is in no mm's index may already be freed: its fields
	 * are not read.  The "not attached" report comes with the other
	 * I5 list checks, once every chain has been walked.
	 */
	if (vi == CHECK_NONE)
		return;
	v = c->vmas[vi].vma;
	start = avc_start_pgoff(avc);
	if (w->have_prev && start < w->prev_start)
		check_fail(c, "I6: tree(av#%u) out of order at " VMA_FMT " (pgoff %lu after %lu)",
			   ai->av->serial, VMA_ARGS(c->vmas[vi].mm, v), start,
			   w->prev_start);
	w->have_prev = true;
	w->prev_start = start;
	if (!anon_vma_interval_tree_verify(avc))
		check_fail(c, "I6: tree(av#%u) node of " VMA_FMT " has a stale subtree last %lu (key %lu-%lu)",
			   ai->av->serial, VMA_ARGS(c->vmas[vi].mm, v),
			   avc->rb_subtree_last, start, avc_last_pgoff(avc));
}

/*
 * In-order walk of one subtree, checking the shape as it goes.  Returns
 * the black height, or -1 after a structural error.
 */
static int walk_subtree(struct check_ctx *c, struct tree_walk *w,
			struct rb_node *n, struct rb_node *parent, int depth)
{
	struct anon_vma_chain *avc;
	unsigned int other;
	int lh, rh;

	if (!n)
		return 0;
	if (depth > CHECK_MAX_DEPTH) {
		tree_broken(c, w, "too deep (a cycle?)");
		return -1;
	}
	if (rb_parent(n) != parent) {
		tree_broken(c, w, "a parent link is wrong");
		return -1;
	}
	avc = rb_entry(n, struct anon_vma_chain, rb);
	if (!check_map_insert(&c->avc_map, (uintptr_t)avc, c->nr_avcs, &other)) {
		if (c->avcs[other].owner == w->owner)
			tree_broken(c, w, "a node is reached twice");
		else
			check_fail(c, "I5: an AVC is in tree(av#%u) and in tree(av#%u)",
				   c->avs[c->avcs[other].owner].av->serial,
				   c->avs[w->owner].av->serial);
		return -1;
	}
	c->avcs = check_grow(c->avcs, c->nr_avcs, &c->cap_avcs,
			     sizeof(*c->avcs));
	c->avcs[c->nr_avcs].avc = avc;
	c->avcs[c->nr_avcs].owner = w->owner;
	c->avcs[c->nr_avcs].on_list = false;
	c->nr_avcs++;
	c->avs[w->owner].nodes++;

	lh = walk_subtree(c, w, n->rb_left, n, depth + 1);
	if (!w->first)
		w->first = n;
	visit_avc(c, w, avc);
	rh = walk_subtree(c, w, n->rb_right, n, depth + 1);
	if (lh < 0 || rh < 0)
		return -1;
	if (rb_is_red(n) && (rb_is_red(n->rb_left) || rb_is_red(n->rb_right))) {
		tree_broken(c, w, "a red node has a red child");
		return -1;
	}
	if (lh != rh) {
		tree_broken(c, w, "black heights differ");
		return -1;
	}
	return lh + !rb_is_red(n);
}

/*
 * Designs list and single keep an anon_vma's chains on a plain list
 * (mm/design.h): walk it as walk_chain() walks a VMA's list, number
 * each AVC and check its owner (I5).  There are no keys, so no I6.
 */
static void walk_avc_list(struct check_ctx *c, unsigned int owner)
{
	struct anon_vma *av = c->avs[owner].av;
	struct list_head *head = &av->head, *prev = head, *p;
	unsigned int other;

	for (p = head->next; p != head; prev = p, p = p->next) {
		struct anon_vma_chain *avc;

		if (!p || p->prev != prev) {
			check_fail(c, "I5: av#%u chain list is corrupt",
				   av->serial);
			return;
		}
		avc = list_entry(p, struct anon_vma_chain, same_anon_vma);
		if (!check_map_insert(&c->avc_map, (uintptr_t)avc, c->nr_avcs,
				      &other)) {
			check_fail(c, "I5: an AVC is on the lists of av#%u and av#%u",
				   c->avs[c->avcs[other].owner].av->serial,
				   av->serial);
			return;
		}
		c->avcs = check_grow(c->avcs, c->nr_avcs, &c->cap_avcs,
				     sizeof(*c->avcs));
		c->avcs[c->nr_avcs].avc = avc;
		c->avcs[c->nr_avcs].owner = owner;
		c->avcs[c->nr_avcs].on_list = false;
		c->nr_avcs++;
		c->avs[owner].nodes++;
		check_avc_owner(c, owner, avc);
	}
}

/**
 * check_trees() - walk every live anon_vma's interval tree: shape,
 * order, subtree maxima and cached leftmost (I6), owner of each node
 * (I5); numbers every node for check_chains().
 * @c: the run; c->avs and c->vmas are filled.
 */
void check_trees(struct check_ctx *c)
{
	unsigned int i;

	check_map_init(&c->avc_map, c->nr_vmas * 2 + 16);
	if (design_has(DF_AVC_LIST)) {
		for (i = 0; i < c->nr_avs; i++)
			walk_avc_list(c, i);
		return;
	}
	for (i = 0; i < c->nr_avs; i++) {
		struct anon_vma *av = c->avs[i].av;
		struct tree_walk w = { .owner = i };
		struct rb_node *top = av->rb_root.rb_root.rb_node;

		if (top && rb_is_red(top))
			tree_broken(c, &w, "the root node is red");
		walk_subtree(c, &w, top, NULL, 0);
		if (av->rb_root.rb_leftmost != w.first && !w.broken)
			check_fail(c, "I6: av#%u cached leftmost is not the first node",
				   av->serial);
	}
}

/* ------------------------------------------------------------------ */
/* The chains (I2-I5, I11-I13)                                         */

struct chain_walk {
	unsigned int stamp;
	unsigned long distinct;
	struct anon_vma *root;		/* root of the first live element */
	bool mixed;			/* I2 reported for this VMA */
};

static void chain_avc(struct check_ctx *c, struct mm_struct *mm,
		      struct vm_area_struct *vma, struct anon_vma_chain *avc,
		      void *arg)
{
	struct chain_walk *cw = arg;
	struct anon_vma *av = READ_ONCE(avc->anon_vma);
	unsigned int idx = check_av_index(c, av);
	unsigned int ci = check_map_lookup(&c->avc_map, (uintptr_t)avc);
	struct av_info *ai;

	if (avc->vma != vma)
		check_fail(c, "I5: " VMA_FMT " chain holds an AVC of another VMA",
			   VMA_ARGS(mm, vma));
	if (idx == CHECK_NONE) {
		/* The memory of a freed anon_vma is not read. */
		check_fail(c, "I5: " VMA_FMT " chain links an anon_vma that is not live (freed)",
			   VMA_ARGS(mm, vma));
		return;
	}
	ai = &c->avs[idx];
	if (ci == CHECK_NONE) {
		check_fail(c, "I5: " VMA_FMT " AVC for av#%u is not in tree(av#%u)",
			   VMA_ARGS(mm, vma), av->serial, av->serial);
	} else {
		if (c->avcs[ci].owner != idx)
			check_fail(c, "I5: " VMA_FMT " AVC for av#%u sits in tree(av#%u)",
				   VMA_ARGS(mm, vma), av->serial,
				   c->avs[c->avcs[ci].owner].av->serial);
		if (avc->vma == vma)
			c->avcs[ci].on_list = true;
	}

	if (ai->mark == cw->stamp) {
		check_fail(c, "I2: " VMA_FMT " chain holds av#%u twice",
			   VMA_ARGS(mm, vma), av->serial);
	} else {
		ai->mark = cw->stamp;
		cw->distinct++;
	}
	if (!cw->root) {
		cw->root = ai->root;
	} else if (ai->root != cw->root && !cw->mixed) {
		check_fail(c, "I2: " VMA_FMT " chain mixes hierarchies (av#%u has another root than the first)",
			   VMA_ARGS(mm, vma), av->serial);
		cw->mixed = true;
	}
}

/* I4: the parent of every non-root on the chain is on the chain too. */
static void chain_parent(struct check_ctx *c, struct mm_struct *mm,
			 struct vm_area_struct *vma, struct anon_vma_chain *avc,
			 void *arg)
{
	const struct chain_walk *cw = arg;
	unsigned int idx = check_av_index(c, READ_ONCE(avc->anon_vma));
	struct av_info *ai;

	if (idx == CHECK_NONE)
		return;
	ai = &c->avs[idx];
	if (ai->root == ai->av)
		return;
	if (ai->parent_idx == CHECK_NONE ||
	    c->avs[ai->parent_idx].mark != cw->stamp)
		check_fail(c, "I4: " VMA_FMT " chain holds av#%u but not its parent",
			   VMA_ARGS(mm, vma), ai->av->serial);
}

struct same_walk {
	unsigned int stamp;
	unsigned long distinct;
	bool differ;
};

static void mark_rep(struct check_ctx *c, struct mm_struct *mm,
		     struct vm_area_struct *vma, struct anon_vma_chain *avc,
		     void *arg)
{
	struct same_walk *sw = arg;
	unsigned int idx = check_av_index(c, READ_ONCE(avc->anon_vma));

	if (idx != CHECK_NONE && c->avs[idx].mark2 != sw->stamp) {
		c->avs[idx].mark2 = sw->stamp;
		sw->distinct++;
	}
}

static void match_rep(struct check_ctx *c, struct mm_struct *mm,
		      struct vm_area_struct *vma, struct anon_vma_chain *avc,
		      void *arg)
{
	struct same_walk *sw = arg;
	unsigned int idx = check_av_index(c, READ_ONCE(avc->anon_vma));

	if (idx == CHECK_NONE)
		return;
	if (c->avs[idx].mark2 == sw->stamp) {
		c->avs[idx].mark2 = sw->stamp + 1;	/* matched once */
		sw->distinct--;
	} else if (c->avs[idx].mark2 != sw->stamp + 1) {
		sw->differ = true;
	}
}

/*
 * I11: every VMA whose active anon_vma is X has the chain of the first
 * such VMA, compared as sets.  Each comparison walks both chains once.
 */
static void check_same_chain(struct check_ctx *c, struct mm_struct *mm,
			     struct vm_area_struct *vma, struct av_info *ai)
{
	struct same_walk sw = { 0 };

	if (!ai->rep) {
		ai->rep = vma;
		ai->rep_mm = mm;
		return;
	}
	c->stamp += 2;
	sw.stamp = c->stamp - 1;
	walk_chain(c, NULL, ai->rep, mark_rep, &sw);
	walk_chain(c, NULL, vma, match_rep, &sw);
	if (sw.differ || sw.distinct)
		check_fail(c, "I11: " VMA_FMT " and " VMA_FMT " share av#%u but their chains differ",
			   VMA_ARGS(ai->rep_mm, ai->rep), VMA_ARGS(mm, vma),
			   ai->av->serial);
}

static void check_chain(struct check_ctx *c, struct mm_struct *mm,
			struct vm_area_struct *vma)
{
	struct anon_vma *anon = READ_ONCE(vma->anon_vma);
	struct chain_walk cw = { .stamp = ++c->stamp };
	bool empty = list_empty(&vma->anon_vma_chain);
	unsigned int idx;

	if (!walk_chain(c, mm, vma, chain_avc, &cw))
		return;

	/* Design eager gives every VMA an anon_vma, shared ones too. */
	if (vma->vm_flags & VM_SHARED && anon &&
	    !(design_has(DF_EAGER) && !design_has(DF_EAGER_RW)))
		check_fail(c, "I13: " VMA_FMT " is VM_SHARED but has anon_vma",
			   VMA_ARGS(mm, vma));

	/* Count the user for I8 whatever else is wrong with this VMA. */
	idx = check_av_index(c, anon);
	if (idx != CHECK_NONE)
		c->avs[idx].active++;

	if (!anon) {
		if (!empty)
			check_fail(c, "I3: " VMA_FMT " has no anon_vma but a non-empty chain",
				   VMA_ARGS(mm, vma));
		return;
	}
	if (empty) {
		check_fail(c, "I3: " VMA_FMT " has an anon_vma but an empty chain",
			   VMA_ARGS(mm, vma));
		return;
	}
	if (idx == CHECK_NONE) {
		check_fail(c, "I2: " VMA_FMT " anon_vma is not live (freed)",
			   VMA_ARGS(mm, vma));
		return;
	}
	if (c->avs[idx].mark != cw.stamp)
		check_fail(c, "I2: " VMA_FMT " anon_vma av#%u is not on its chain",
			   VMA_ARGS(mm, vma), anon->serial);
	if (!cw.mixed && cw.root) {
		unsigned int ri = check_av_index(c, cw.root);

		if (ri == CHECK_NONE || c->avs[ri].mark != cw.stamp)
			check_fail(c, "I2: " VMA_FMT " chain lacks its root",
				   VMA_ARGS(mm, vma));
	}
	walk_chain(c, mm, vma, chain_parent, &cw);

	if (list_is_singular(&vma->anon_vma_chain) &&
	    c->avs[idx].root != anon)
		check_fail(c, "I12: " VMA_FMT " has a singular chain but anon_vma av#%u is not a root",
			   VMA_ARGS(mm, vma), anon->serial);

	check_same_chain(c, mm, vma, &c->avs[idx]);
}

/* I5 the other way round: every tree node is on its own VMA's list. */
static void check_tree_nodes_listed(struct check_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_avcs; i++) {
		struct avc_info *ci = &c->avcs[i];
		unsigned int vi;

		if (ci->on_list)
			continue;
		vi = check_map_lookup(&c->vma_map, (uintptr_t)ci->avc->vma);
		if (vi == CHECK_NONE)
			check_fail(c, "I5: tree(av#%u) holds an AVC whose VMA is not attached to any mm",
				   c->avs[ci->owner].av->serial);
		else
			check_fail(c, "I5: tree(av#%u) holds an AVC of " VMA_FMT " that is not on the VMA's chain",
				   c->avs[ci->owner].av->serial,
				   VMA_ARGS(c->vmas[vi].mm, c->vmas[vi].vma));
	}
}

/**
 * check_chains() - check every attached VMA's chain (I2-I5, I11-I13),
 * count the VMAs that use each anon_vma (for I8), then report the tree
 * nodes that no chain claimed (I5).
 * @c: the run, after check_trees().
 */
void check_chains(struct check_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_vmas; i++)
		check_chain(c, c->vmas[i].mm, c->vmas[i].vma);
	check_tree_nodes_listed(c);
}
