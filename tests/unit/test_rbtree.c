/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for mm/rbtree.c: seeded random insert/erase sequences,
 * each step checked against a sorted reference array, for all four
 * flavours (plain, cached, augmented, augmented + cached).  The
 * augmented flavour keeps a subtree node count, which any missed or
 * misordered rotate/copy/propagate call would break.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <anonvma/rbtree.h>

#define POOL 640

struct knode {
	unsigned long key;
	struct rb_node rb;
	unsigned long size;	/* augmented: nodes in this subtree */
	bool in_tree;
};

enum flavour { PLAIN, CACHED, AUG, AUG_CACHED, NR_FLAVOURS };

static const char *const flavour_name[] = {
	"plain", "cached", "augmented", "augmented+cached"
};

/* --- the augmented subtree-size callbacks ---------------------------- */

static unsigned long rb_size(const struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct knode, rb)->size : 0;
}

static unsigned long size_compute(const struct knode *n)
{
	return 1 + rb_size(n->rb.rb_left) + rb_size(n->rb.rb_right);
}

/* No early stop: a size always changes along a path that lost a node. */
static void size_propagate(struct rb_node *rb, struct rb_node *stop)
{
	while (rb != stop) {
		struct knode *n = rb_entry(rb, struct knode, rb);

		n->size = size_compute(n);
		rb = rb_parent(rb);
	}
}

static void size_copy(struct rb_node *old, struct rb_node *new)
{
	rb_entry(new, struct knode, rb)->size =
		rb_entry(old, struct knode, rb)->size;
}

static void size_rotate(struct rb_node *old, struct rb_node *new)
{
	struct knode *o = rb_entry(old, struct knode, rb);

	rb_entry(new, struct knode, rb)->size = o->size;
	o->size = size_compute(o);
}

static const struct rb_augment_callbacks size_cb = {
	.propagate = size_propagate,
	.copy = size_copy,
	.rotate = size_rotate,
};

/* --- the tree under test plus its reference -------------------------- */

struct harness {
	enum flavour fl;
	struct rb_root root;		/* PLAIN, AUG */
	struct rb_root_cached croot;	/* CACHED, AUG_CACHED */
	struct knode pool[POOL];
	struct knode *ref[POOL];	/* in-order: by key, equal keys by insertion */
	unsigned int n;
	char err[160];
};

static struct rb_root *tree_root(struct harness *h)
{
	return (h->fl == CACHED || h->fl == AUG_CACHED) ? &h->croot.rb_root
							: &h->root;
}

static bool augmented(const struct harness *h)
{
	return h->fl == AUG || h->fl == AUG_CACHED;
}

static void harness_init(struct harness *h, enum flavour fl)
{
	memset(h, 0, sizeof(*h));
	h->fl = fl;
	h->root = RB_ROOT;
	h->croot = RB_ROOT_CACHED;
	for (unsigned int i = 0; i < POOL; i++)
		RB_CLEAR_NODE(&h->pool[i].rb);
}

static void tree_insert(struct harness *h, struct knode *kn)
{
	struct rb_node **link = &tree_root(h)->rb_node, *parent = NULL;
	bool leftmost = true;
	unsigned int pos;

	while (*link) {
		struct knode *p = rb_entry(*link, struct knode, rb);

		parent = *link;
		if (augmented(h))
			p->size++;
		if (kn->key < p->key) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	kn->size = 1;
	rb_link_node(&kn->rb, parent, link);
	switch (h->fl) {
	case PLAIN:
		rb_insert_color(&kn->rb, &h->root);
		break;
	case CACHED:
		rb_insert_color_cached(&kn->rb, &h->croot, leftmost);
		break;
	case AUG:
		rb_insert_augmented(&kn->rb, &h->root, &size_cb);
		break;
	default:
		rb_insert_augmented_cached(&kn->rb, &h->croot, leftmost,
					   &size_cb);
		break;
	}
	kn->in_tree = true;

	/* Reference: after every equal key (ties go right). */
	for (pos = h->n; pos > 0 && h->ref[pos - 1]->key > kn->key; pos--)
		;
	memmove(&h->ref[pos + 1], &h->ref[pos],
		(h->n - pos) * sizeof(h->ref[0]));
	h->ref[pos] = kn;
	h->n++;
}

static void tree_erase(struct harness *h, unsigned int pos)
{
	struct knode *kn = h->ref[pos];

	switch (h->fl) {
	case PLAIN:
		rb_erase(&kn->rb, &h->root);
		break;
	case CACHED:
		rb_erase_cached(&kn->rb, &h->croot);
		break;
	case AUG:
		rb_erase_augmented(&kn->rb, &h->root, &size_cb);
		break;
	default:
		rb_erase_augmented_cached(&kn->rb, &h->croot, &size_cb);
		break;
	}
	RB_CLEAR_NODE(&kn->rb);
	kn->in_tree = false;
	memmove(&h->ref[pos], &h->ref[pos + 1],
		(h->n - pos - 1) * sizeof(h->ref[0]));
	h->n--;
}

/* --- the checker ------------------------------------------------------ */

struct walk {
	struct harness *h;
	unsigned int idx;	/* in-order position reached */
};

/* Returns the black height of @rb's subtree, or -1 with h->err set. */
static int check_subtree(struct walk *w, const struct rb_node *rb,
			 const struct rb_node *parent)
{
	struct harness *h = w->h;
	const struct knode *kn;
	int lh, rh;

	if (!rb)
		return 1;
	kn = rb_entry(rb, struct knode, rb);
	if (rb_parent(rb) != parent) {
		snprintf(h->err, sizeof(h->err), "key %lu: parent pointer wrong",
			 kn->key);
		return -1;
	}
	if (rb_is_red(rb) && (rb_is_red(rb->rb_left) || rb_is_red(rb->rb_right))) {
		snprintf(h->err, sizeof(h->err), "key %lu: red node with red child",
			 kn->key);
		return -1;
	}
	lh = check_subtree(w, rb->rb_left, rb);
	if (lh < 0)
		return -1;
	if (w->idx >= h->n || h->ref[w->idx] != kn) {
		snprintf(h->err, sizeof(h->err),
			 "in-order position %u: key %lu, reference differs",
			 w->idx, kn->key);
		return -1;
	}
	w->idx++;
	rh = check_subtree(w, rb->rb_right, rb);
	if (rh < 0)
		return -1;
	if (lh != rh) {
		snprintf(h->err, sizeof(h->err),
			 "key %lu: black heights %d/%d differ", kn->key, lh, rh);
		return -1;
	}
	if (augmented(h) && kn->size != size_compute(kn)) {
		snprintf(h->err, sizeof(h->err),
			 "key %lu: augmented size %lu, should be %lu", kn->key,
			 kn->size, size_compute(kn));
		return -1;
	}
	return lh + !rb_is_red(rb);
}

/* Full check of the tree against the reference; false with h->err set. */
static bool check_tree(struct harness *h)
{
	struct rb_root *root = tree_root(h);
	struct walk w = { .h = h, .idx = 0 };
	struct rb_node *want_first = h->n ? &h->ref[0]->rb : NULL;
	struct rb_node *want_last = h->n ? &h->ref[h->n - 1]->rb : NULL;

	h->err[0] = '\0';
	if (RB_EMPTY_ROOT(root) != (h->n == 0)) {
		snprintf(h->err, sizeof(h->err), "emptiness wrong");
		return false;
	}
	if (root->rb_node && rb_is_red(root->rb_node)) {
		snprintf(h->err, sizeof(h->err), "root is red");
		return false;
	}
	if (check_subtree(&w, root->rb_node, NULL) < 0)
		return false;
	if (w.idx != h->n) {
		snprintf(h->err, sizeof(h->err), "tree has %u nodes, reference %u",
			 w.idx, h->n);
		return false;
	}
	if (rb_first(root) != want_first || rb_last(root) != want_last) {
		snprintf(h->err, sizeof(h->err), "rb_first/rb_last wrong");
		return false;
	}
	if ((h->fl == CACHED || h->fl == AUG_CACHED) &&
	    rb_first_cached(&h->croot) != want_first) {
		snprintf(h->err, sizeof(h->err), "cached leftmost wrong");
		return false;
	}
	for (unsigned int i = 0; i < h->n; i++) {
		struct rb_node *next = i + 1 < h->n ? &h->ref[i + 1]->rb : NULL;
		struct rb_node *prev = i ? &h->ref[i - 1]->rb : NULL;

		if (rb_next(&h->ref[i]->rb) != next ||
		    rb_prev(&h->ref[i]->rb) != prev) {
			snprintf(h->err, sizeof(h->err),
				 "rb_next/rb_prev wrong at position %u", i);
			return false;
		}
	}
	return true;
}

static void assert_tree_ok(struct harness *h, const char *ctx)
{
	if (!check_tree(h)) {
		print_error("%s: %s\n", ctx, h->err);
		fail();
	}
}

/* --- helpers ---------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic across platforms. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static struct knode *free_node(struct harness *h)
{
	for (unsigned int i = 0; i < POOL; i++)
		if (!h->pool[i].in_tree)
			return &h->pool[i];
	return NULL;
}

static struct harness *new_harness(enum flavour fl)
{
	struct harness *h = test_malloc(sizeof(*h));

	harness_init(h, fl);
	return h;
}

/* --- tests ------------------------------------------------------------ */

#define RANDOM_OPS 4000
static const uint64_t seeds[] = { 1, 2, 0x5eed, 0xdeadbeef, 20260101 };

static unsigned long total_ops;

/*
 * Grow the tree to a few hundred nodes and drain it again, twice, so
 * that both the insert and the erase fix-ups see every case, including
 * erasing down to an empty tree.  Small key ranges give many duplicates.
 */
static void random_run(enum flavour fl)
{
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct harness *h = new_harness(fl);
		uint64_t rs = seeds[s] * 0x9E3779B97F4A7C15ULL + 1;
		unsigned long keyspace = (s & 1) ? 50 : 1000000;
		char ctx[96];

		for (unsigned int op = 0; op < RANDOM_OPS; op++) {
			/* Insert-heavy for 1000 ops, then erase-heavy. */
			bool growing = (op / 1000) % 2 == 0;
			unsigned int pct = growing ? 70 : 30;
			bool ins = h->n == 0 ||
				   (h->n < POOL && rng_next(&rs) % 100 < pct);

			if (ins) {
				struct knode *kn = free_node(h);

				kn->key = rng_next(&rs) % keyspace;
				tree_insert(h, kn);
			} else {
				tree_erase(h, rng_next(&rs) % h->n);
			}
			snprintf(ctx, sizeof(ctx), "%s seed %zu op %u (%s)",
				 flavour_name[fl], s, op, ins ? "insert" : "erase");
			assert_tree_ok(h, ctx);
			total_ops++;
		}
		/* Drain completely. */
		while (h->n) {
			tree_erase(h, rng_next(&rs) % h->n);
			assert_tree_ok(h, "drain");
			total_ops++;
		}
		assert_true(RB_EMPTY_ROOT(tree_root(h)));
		test_free(h);
	}
}

static void test_random_plain(void **state)
{
	random_run(PLAIN);
}

static void test_random_cached(void **state)
{
	random_run(CACHED);
}

static void test_random_augmented(void **state)
{
	random_run(AUG);
}

static void test_random_augmented_cached(void **state)
{
	random_run(AUG_CACHED);
}

/*
 * Sorted input is the worst case for an unbalanced tree; erasing the
 * root over and over exercises the two-children (successor) erase path
 * with the successor both directly right of the node and deeper down.
 */
static void test_sequential(void **state)
{
	for (int fl = 0; fl < NR_FLAVOURS; fl++) {
		struct harness *h = new_harness(fl);
		unsigned int i;

		for (i = 0; i < 511; i++) {
			h->pool[i].key = i;
			tree_insert(h, &h->pool[i]);
			assert_tree_ok(h, "ascending insert");
		}
		/* 511 ascending keys must give a tree of height <= 2*log2(512). */
		{
			unsigned int depth = 0;
			const struct rb_node *rb = rb_first(tree_root(h));

			while (rb) {
				depth++;
				rb = rb_parent(rb);
			}
			assert_in_range(depth, 1, 18);
		}
		while (h->n) {
			struct knode *top = rb_entry(tree_root(h)->rb_node,
						     struct knode, rb);
			unsigned int pos = 0;

			while (h->ref[pos] != top)
				pos++;
			tree_erase(h, pos);
			assert_tree_ok(h, "erase root");
		}
		for (i = 0; i < 300; i++) {
			h->pool[i].key = 1000 - i;
			tree_insert(h, &h->pool[i]);
			assert_tree_ok(h, "descending insert");
		}
		/* Erase from the left end: keeps the cached leftmost moving. */
		while (h->n) {
			tree_erase(h, 0);
			assert_tree_ok(h, "erase first");
		}
		test_free(h);
	}
}

static void test_empty_and_single(void **state)
{
	struct harness *h = new_harness(CACHED);
	struct rb_root empty = RB_ROOT;

	assert_null(rb_first(&empty));
	assert_null(rb_last(&empty));
	assert_true(RB_EMPTY_ROOT(&empty));
	assert_null(rb_first_cached(&h->croot));
	assert_false(rb_is_red(NULL));

	/* An unlinked node has no neighbours. */
	assert_true(RB_EMPTY_NODE(&h->pool[0].rb));
	assert_null(rb_next(&h->pool[0].rb));
	assert_null(rb_prev(&h->pool[0].rb));

	h->pool[0].key = 7;
	tree_insert(h, &h->pool[0]);
	assert_tree_ok(h, "single");
	assert_false(rb_is_red(h->croot.rb_root.rb_node));
	assert_ptr_equal(rb_first_cached(&h->croot), &h->pool[0].rb);
	assert_null(rb_next(&h->pool[0].rb));
	assert_null(rb_prev(&h->pool[0].rb));
	tree_erase(h, 0);
	assert_tree_ok(h, "emptied");
	assert_null(rb_first_cached(&h->croot));
	assert_null(h->croot.rb_root.rb_node);
	test_free(h);
}

/* The checker itself must catch broken trees, or the tests above prove nothing. */
static void test_checker_catches_corruption(void **state)
{
	struct harness *h = new_harness(AUG);
	struct rb_node *root, *leaf;
	uintptr_t saved;
	unsigned long saved_size;

	for (unsigned int i = 0; i < 20; i++) {
		h->pool[i].key = i * 3;
		tree_insert(h, &h->pool[i]);
	}
	assert_true(check_tree(h));
	root = h->root.rb_node;

	/* Root painted red (colour bit 0 = red). */
	saved = root->__rb_parent_color;
	root->__rb_parent_color &= ~(uintptr_t)1;
	assert_true(rb_is_red(root));
	assert_false(check_tree(h));
	root->__rb_parent_color = saved;
	assert_true(check_tree(h));

	/* A black node turned red changes a black height or makes red-red. */
	leaf = rb_first(&h->root);
	while (rb_is_red(leaf))
		leaf = rb_next(leaf);
	assert_non_null(leaf);
	saved = leaf->__rb_parent_color;
	leaf->__rb_parent_color &= ~(uintptr_t)1;
	assert_false(check_tree(h));
	leaf->__rb_parent_color = saved;

	/* Wrong parent pointer. */
	leaf = rb_last(&h->root);
	saved = leaf->__rb_parent_color;
	leaf->__rb_parent_color = (uintptr_t)root | (saved & 1);
	if (rb_parent(leaf) == (struct rb_node *)(saved & ~(uintptr_t)3))
		leaf->__rb_parent_color = (uintptr_t)rb_first(&h->root) | (saved & 1);
	assert_false(check_tree(h));
	leaf->__rb_parent_color = saved;

	/* Stale augmented value. */
	saved_size = rb_entry(root, struct knode, rb)->size;
	rb_entry(root, struct knode, rb)->size++;
	assert_false(check_tree(h));
	rb_entry(root, struct knode, rb)->size = saved_size;

	/* Reference disagreeing with the tree order. */
	{
		struct knode *t = h->ref[3];

		h->ref[3] = h->ref[4];
		h->ref[4] = t;
		assert_false(check_tree(h));
		h->ref[4] = h->ref[3];
		h->ref[3] = t;
	}
	assert_true(check_tree(h));
	test_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_single),
		cmocka_unit_test(test_checker_catches_corruption),
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_random_plain),
		cmocka_unit_test(test_random_cached),
		cmocka_unit_test(test_random_augmented),
		cmocka_unit_test(test_random_augmented_cached),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	printf("random insert/erase ops checked: %lu\n", total_ops);
	return rc;
}
