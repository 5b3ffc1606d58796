/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the interval-tree template (mm/interval_tree_generic.h)
 * and its anon_vma_chain instance (mm/interval_tree.c, spec §1.3).
 *
 * Both trees are driven by the same seeded random insert/remove
 * sequences and compared after every step with a brute-force list kept
 * in the documented order (start, then insertion order for equal
 * starts): every query must return exactly the brute-force overlap set
 * in that order, and every node's cached subtree maximum must equal the
 * maximum recomputed from scratch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <anonvma/interval_tree.h>
#include <anonvma/mm_types.h>

#include "interval_tree_generic.h"

/* --- a plain instance of the template --------------------------------- */

struct tnode {
	unsigned long start, last;
	struct rb_node rb;
	unsigned long subtree_last;
};

#define TNODE_START(n) ((n)->start)
#define TNODE_LAST(n) ((n)->last)

INTERVAL_TREE_DEFINE(struct tnode, rb, unsigned long, subtree_last,
		     TNODE_START, TNODE_LAST, static, tit)

/* --- one harness for both instances ----------------------------------- */

#define POOL 400

enum kind { K_TNODE, K_AVC };

struct item {
	struct tnode tn;
	struct anon_vma_chain avc;
	struct vm_area_struct vma;
	unsigned long start, last;	/* the brute-force copy of the key */
	bool in_tree;
};

struct harness {
	enum kind kind;
	struct rb_root_cached root;
	struct item pool[POOL];
	unsigned int ref[POOL];	/* pool indices by start, ties by insertion */
	unsigned int n;
	char err[200];
};

static struct harness *new_harness(enum kind kind)
{
	struct harness *h = test_calloc(1, sizeof(*h));

	h->kind = kind;
	h->root = RB_ROOT_CACHED;
	for (unsigned int i = 0; i < POOL; i++) {
		h->pool[i].avc.vma = &h->pool[i].vma;
		RB_CLEAR_NODE(&h->pool[i].tn.rb);
		RB_CLEAR_NODE(&h->pool[i].avc.rb);
	}
	return h;
}

/* Give pool item @i the key [start, last], in the form its instance reads. */
static void set_key(struct harness *h, unsigned int i, unsigned long start,
		    unsigned long last)
{
	struct item *it = &h->pool[i];

	it->start = start;
	it->last = last;
	it->tn.start = start;
	it->tn.last = last;
	/*
	 * The AVC key is the VMA's page-offset range; the virtual address
	 * is deliberately unrelated to it (spec §1.4: anon pgoff is virtual
	 * and survives mremap).
	 */
	it->vma.vm_start = 0x100000000000UL + ((unsigned long)i << 32);
	it->vma.vm_end = it->vma.vm_start + ((last - start + 1) << PAGE_SHIFT);
	it->vma.vm_pgoff = start;
}

static void insert(struct harness *h, unsigned int i)
{
	unsigned int pos;

	if (h->kind == K_TNODE)
		tit_insert(&h->pool[i].tn, &h->root);
	else
		anon_vma_interval_tree_insert(&h->pool[i].avc, &h->root);
	h->pool[i].in_tree = true;

	for (pos = h->n; pos > 0 && h->pool[h->ref[pos - 1]].start >
					    h->pool[i].start; pos--)
		;
	memmove(&h->ref[pos + 1], &h->ref[pos], (h->n - pos) * sizeof(h->ref[0]));
	h->ref[pos] = i;
	h->n++;
}

static void remove_at(struct harness *h, unsigned int pos)
{
	unsigned int i = h->ref[pos];

	if (h->kind == K_TNODE)
		tit_remove(&h->pool[i].tn, &h->root);
	else
		anon_vma_interval_tree_remove(&h->pool[i].avc, &h->root);
	h->pool[i].in_tree = false;
	memmove(&h->ref[pos], &h->ref[pos + 1],
		(h->n - pos - 1) * sizeof(h->ref[0]));
	h->n--;
}

static unsigned int index_of_rb(struct harness *h, const struct rb_node *rb)
{
	const struct item *it;

	if (h->kind == K_TNODE)
		it = (const struct item *)((const char *)rb_entry(rb, struct tnode, rb) -
					   offsetof(struct item, tn));
	else
		it = (const struct item *)((const char *)rb_entry(rb, struct anon_vma_chain, rb) -
					   offsetof(struct item, avc));
	return (unsigned int)(it - h->pool);
}

static unsigned long stored_subtree_last(struct harness *h, const struct rb_node *rb)
{
	unsigned int i = index_of_rb(h, rb);

	return h->kind == K_TNODE ? h->pool[i].tn.subtree_last
				  : h->pool[i].avc.rb_subtree_last;
}

/* --- structural check -------------------------------------------------- */

struct walk {
	struct harness *h;
	unsigned int idx;
};

/*
 * Returns the true maximum "last" of @rb's subtree (computed from the
 * brute-force keys, not from the cached values) or sets h->err.
 */
static bool check_subtree(struct walk *w, const struct rb_node *rb,
			  const struct rb_node *parent, unsigned long *max)
{
	struct harness *h = w->h;
	unsigned long lmax = 0, rmax = 0, m;
	unsigned int i;

	*max = 0;
	if (!rb)
		return true;
	i = index_of_rb(h, rb);
	if (rb_parent(rb) != parent) {
		snprintf(h->err, sizeof(h->err), "item %u: bad parent pointer", i);
		return false;
	}
	if (rb_is_red(rb) && (rb_is_red(rb->rb_left) || rb_is_red(rb->rb_right))) {
		snprintf(h->err, sizeof(h->err), "item %u: red-red", i);
		return false;
	}
	if (!check_subtree(w, rb->rb_left, rb, &lmax))
		return false;
	if (w->idx >= h->n || h->ref[w->idx] != i) {
		snprintf(h->err, sizeof(h->err),
			 "in-order position %u is item %u, expected another", w->idx, i);
		return false;
	}
	w->idx++;
	if (!check_subtree(w, rb->rb_right, rb, &rmax))
		return false;
	m = h->pool[i].last;
	if (rb->rb_left && lmax > m)
		m = lmax;
	if (rb->rb_right && rmax > m)
		m = rmax;
	if (stored_subtree_last(h, rb) != m) {
		snprintf(h->err, sizeof(h->err),
			 "item %u [%lu,%lu]: subtree_last %lu, true max %lu", i,
			 h->pool[i].start, h->pool[i].last,
			 stored_subtree_last(h, rb), m);
		return false;
	}
	if (h->kind == K_AVC && !anon_vma_interval_tree_verify(&h->pool[i].avc)) {
		snprintf(h->err, sizeof(h->err),
			 "item %u: anon_vma_interval_tree_verify() false", i);
		return false;
	}
	*max = m;
	return true;
}

static bool check_tree(struct harness *h)
{
	struct walk w = { .h = h };
	unsigned long max;
	const struct rb_node *lm = rb_first_cached(&h->root);

	if (RB_EMPTY_ROOT(&h->root.rb_root) != (h->n == 0)) {
		snprintf(h->err, sizeof(h->err), "emptiness wrong");
		return false;
	}
	if (h->n ? (!lm || index_of_rb(h, lm) != h->ref[0]) : lm != NULL) {
		snprintf(h->err, sizeof(h->err), "cached leftmost wrong");
		return false;
	}
	if (!check_subtree(&w, h->root.rb_root.rb_node, NULL, &max))
		return false;
	if (w.idx != h->n) {
		snprintf(h->err, sizeof(h->err), "tree has %u nodes, list %u", w.idx, h->n);
		return false;
	}
	return true;
}

/* --- queries ----------------------------------------------------------- */

static const struct rb_node *query_first(struct harness *h, unsigned long first,
					 unsigned long last)
{
	if (h->kind == K_TNODE) {
		struct tnode *t = tit_iter_first(&h->root, first, last);

		return t ? &t->rb : NULL;
	} else {
		struct anon_vma_chain *a =
			anon_vma_interval_tree_iter_first(&h->root, first, last);

		return a ? &a->rb : NULL;
	}
}

static const struct rb_node *query_next(struct harness *h, const struct rb_node *rb,
					unsigned long first, unsigned long last)
{
	unsigned int i = index_of_rb(h, rb);

	if (h->kind == K_TNODE) {
		struct tnode *t = tit_iter_next(&h->pool[i].tn, first, last);

		return t ? &t->rb : NULL;
	} else {
		struct anon_vma_chain *a =
			anon_vma_interval_tree_iter_next(&h->pool[i].avc, first, last);

		return a ? &a->rb : NULL;
	}
}

static unsigned long queries_run, results_seen;

/* Run the query and compare it item by item with the brute-force list. */
static bool check_query(struct harness *h, unsigned long first, unsigned long last)
{
	const struct rb_node *rb = query_first(h, first, last);
	unsigned int k = 0;

	queries_run++;
	for (unsigned int pos = 0; pos < h->n; pos++) {
		const struct item *it = &h->pool[h->ref[pos]];

		if (it->start > last || it->last < first)
			continue;
		if (!rb || index_of_rb(h, rb) != h->ref[pos]) {
			snprintf(h->err, sizeof(h->err),
				 "query [%lu,%lu] result %u: expected item %u [%lu,%lu], got %s",
				 first, last, k, h->ref[pos], it->start, it->last,
				 rb ? "another" : "end");
			return false;
		}
		k++;
		results_seen++;
		rb = query_next(h, rb, first, last);
	}
	if (rb) {
		snprintf(h->err, sizeof(h->err),
			 "query [%lu,%lu]: extra result item %u after %u", first, last,
			 index_of_rb(h, rb), k);
		return false;
	}
	return true;
}

/* Same comparison through the header's foreach macro (AVC instance only). */
static bool check_foreach(struct harness *h, unsigned long first, unsigned long last)
{
	struct anon_vma_chain *avc;
	unsigned int pos = 0;

	anon_vma_interval_tree_foreach(avc, &h->root, first, last) {
		while (pos < h->n && (h->pool[h->ref[pos]].start > last ||
				      h->pool[h->ref[pos]].last < first))
			pos++;
		if (pos == h->n || &h->pool[h->ref[pos]].avc != avc) {
			snprintf(h->err, sizeof(h->err), "foreach [%lu,%lu] diverged",
				 first, last);
			return false;
		}
		pos++;
	}
	while (pos < h->n && (h->pool[h->ref[pos]].start > last ||
			      h->pool[h->ref[pos]].last < first))
		pos++;
	if (pos != h->n) {
		snprintf(h->err, sizeof(h->err), "foreach [%lu,%lu] ended early",
			 first, last);
		return false;
	}
	return true;
}

#define CHECK(h, expr, ...)                                  \
	do {                                                 \
		if (!(expr)) {                               \
			print_error(__VA_ARGS__);            \
			print_error(": %s\n", (h)->err);     \
			fail();                              \
		}                                            \
	} while (0)

/* --- random runs ------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static unsigned int free_item(struct harness *h)
{
	unsigned int i;

	for (i = 0; i < POOL; i++)
		if (!h->pool[i].in_tree)
			break;
	return i;
}

#define RANDOM_OPS 3000
static const uint64_t seeds[] = { 1, 42, 0xabcdef, 777777 };
static unsigned long total_ops;

static void random_query(struct harness *h, uint64_t *rs, unsigned long space,
			 unsigned long *first, unsigned long *last)
{
	unsigned long a = rng_next(rs) % (space + 20), b;

	switch (rng_next(rs) % 4) {
	case 0:		/* point query */
		b = a;
		break;
	case 1:		/* short range */
		b = a + rng_next(rs) % 8;
		break;
	case 2:		/* anywhere */
		b = a + rng_next(rs) % space;
		break;
	default:	/* exactly an existing key, if any */
		if (h->n) {
			const struct item *it = &h->pool[h->ref[rng_next(rs) % h->n]];

			a = it->start;
			b = it->last;
		} else {
			b = a;
		}
		break;
	}
	*first = a;
	*last = b;
}

static void random_run(enum kind kind)
{
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct harness *h = new_harness(kind);
		uint64_t rs = seeds[s] * 0x9E3779B97F4A7C15ULL + 3;
		/* Alternate a crowded key space (many duplicates) and a sparse one. */
		unsigned long space = (s & 1) ? 40 : 100000;

		for (unsigned int op = 0; op < RANDOM_OPS; op++) {
			bool growing = (op / 750) % 2 == 0;
			unsigned int pct = growing ? 70 : 30;
			bool ins = h->n == 0 ||
				   (h->n < POOL && rng_next(&rs) % 100 < pct);
			unsigned long first, last;

			if (ins) {
				unsigned int i = free_item(h);
				unsigned long start, len;

				if (h->n && rng_next(&rs) % 8 == 0) {
					/* An exact duplicate of a present key. */
					const struct item *d =
						&h->pool[h->ref[rng_next(&rs) % h->n]];

					start = d->start;
					len = d->last - d->start + 1;
				} else {
					start = rng_next(&rs) % space;
					switch (rng_next(&rs) % 4) {
					case 0:
						len = 1;
						break;
					case 1:
						len = 1 + rng_next(&rs) % (space / 2);
						break;
					default:
						len = 1 + rng_next(&rs) % 16;
						break;
					}
				}
				set_key(h, i, start, start + len - 1);
				insert(h, i);
			} else {
				remove_at(h, rng_next(&rs) % h->n);
			}
			total_ops++;
			CHECK(h, check_tree(h), "kind %d seed %zu op %u", kind, s, op);
			for (int q = 0; q < 4; q++) {
				random_query(h, &rs, space, &first, &last);
				CHECK(h, check_query(h, first, last),
				      "kind %d seed %zu op %u", kind, s, op);
			}
			CHECK(h, check_query(h, 0, ULONG_MAX), "full range, op %u", op);
			if (kind == K_AVC) {
				random_query(h, &rs, space, &first, &last);
				CHECK(h, check_foreach(h, first, last), "op %u", op);
			}
		}
		while (h->n) {
			remove_at(h, rng_next(&rs) % h->n);
			total_ops++;
			CHECK(h, check_tree(h), "drain");
			CHECK(h, check_query(h, 0, ULONG_MAX), "drain");
		}
		assert_true(RB_EMPTY_ROOT(&h->root.rb_root));
		assert_null(rb_first_cached(&h->root));
		test_free(h);
	}
}

static void test_random_template(void **state)
{
	random_run(K_TNODE);
}

static void test_random_avc(void **state)
{
	random_run(K_AVC);
}

/* --- fixed cases -------------------------------------------------------- */

static void test_empty_tree(void **state)
{
	for (int kind = K_TNODE; kind <= K_AVC; kind++) {
		struct harness *h = new_harness(kind);

		assert_null(query_first(h, 0, ULONG_MAX));
		assert_null(query_first(h, 5, 5));
		set_key(h, 0, 10, 19);
		insert(h, 0);
		assert_null(query_first(h, 0, 9));
		assert_null(query_first(h, 20, 30));
		assert_int_equal(index_of_rb(h, query_first(h, 19, 19)), 0);
		assert_int_equal(index_of_rb(h, query_first(h, 0, 10)), 0);
		remove_at(h, 0);
		assert_true(RB_EMPTY_ROOT(&h->root.rb_root));
		assert_null(rb_first_cached(&h->root));
		assert_null(query_first(h, 0, ULONG_MAX));
		test_free(h);
	}
}

/* A hand-worked example: exact result order, including equal starts. */
static void test_fixed_order(void **state)
{
	static const unsigned long keys[][2] = {
		{ 5, 20 }, { 0, 9 }, { 5, 5 }, { 3, 4 }, { 10, 10 },
		{ 5, 20 }, { 30, 40 }, { 21, 29 }, { 5, 6 },
	};
	/* Query [5, 10]: by start, equal starts in insertion order. */
	static const unsigned int want[] = { 1, 0, 2, 5, 8, 4 };

	for (int kind = K_TNODE; kind <= K_AVC; kind++) {
		struct harness *h = new_harness(kind);
		const struct rb_node *rb;
		unsigned int k = 0;

		for (unsigned int i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			set_key(h, i, keys[i][0], keys[i][1]);
			insert(h, i);
		}
		assert_true(check_tree(h));
		for (rb = query_first(h, 5, 10); rb; rb = query_next(h, rb, 5, 10)) {
			assert_true(k < sizeof(want) / sizeof(want[0]));
			assert_int_equal(index_of_rb(h, rb), want[k]);
			k++;
		}
		assert_int_equal(k, sizeof(want) / sizeof(want[0]));
		/* Gaps and boundaries. */
		assert_null(query_first(h, 41, 100));
		assert_int_equal(index_of_rb(h, query_first(h, 29, 29)), 7);
		assert_null(query_next(h, query_first(h, 29, 29), 29, 29));
		assert_int_equal(index_of_rb(h, query_first(h, 40, 40)), 6);
		test_free(h);
	}
}

static void test_avc_key(void **state)
{
	struct vm_area_struct vma = {
		.vm_start = 0x7f0000000000UL,
		.vm_end = 0x7f0000000000UL + 3 * PAGE_SIZE,
		.vm_pgoff = 100,
	};
	struct anon_vma_chain avc = { .vma = &vma };

	assert_int_equal(avc_start_pgoff(&avc), 100);
	assert_int_equal(avc_last_pgoff(&avc), 102);
	/* Live fields, not a snapshot (spec §1.3). */
	vma.vm_pgoff = 7;
	vma.vm_end = vma.vm_start + PAGE_SIZE;
	assert_int_equal(avc_start_pgoff(&avc), 7);
	assert_int_equal(avc_last_pgoff(&avc), 7);
}

/*
 * The pre/post-update protocol of spec §1.3: take an AVC out, change
 * its VMA's range, put it back; queries follow the new range.
 */
static void test_avc_update_vma(void **state)
{
	struct harness *h = new_harness(K_AVC);
	unsigned int pos;

	for (unsigned int i = 0; i < 50; i++) {
		set_key(h, i, i * 10, i * 10 + 9);
		insert(h, i);
	}
	assert_true(check_tree(h));
	for (pos = 0; h->ref[pos] != 25; pos++)
		;
	remove_at(h, pos);
	/* Grow item 25 to cover pgoff 250..1000 (like an expand). */
	set_key(h, 25, 250, 1000);
	insert(h, 25);
	assert_true(check_tree(h));
	assert_true(check_query(h, 600, 600));
	assert_int_equal(index_of_rb(h, query_first(h, 600, 600)), 25);
	assert_true(check_query(h, 490, 495));
	test_free(h);
}

/* verify() must notice a wrong subtree_last and a VMA changed in place (I6). */
static void test_verify_catches_corruption(void **state)
{
	struct harness *h = new_harness(K_AVC);
	struct anon_vma_chain *top, *leaf;
	struct rb_node *rb;
	unsigned long saved;

	for (unsigned int i = 0; i < 31; i++) {
		set_key(h, i, i * 4, i * 4 + (i % 5));
		insert(h, i);
	}
	assert_true(check_tree(h));

	top = rb_entry(h->root.rb_root.rb_node, struct anon_vma_chain, rb);
	assert_true(anon_vma_interval_tree_verify(top));
	saved = top->rb_subtree_last;
	top->rb_subtree_last = saved + 1;
	assert_false(anon_vma_interval_tree_verify(top));
	assert_false(check_tree(h));
	top->rb_subtree_last = saved - 1;
	assert_false(anon_vma_interval_tree_verify(top));
	top->rb_subtree_last = saved;
	assert_true(anon_vma_interval_tree_verify(top));

	/* A child's cached value above its parent's breaks the parent. */
	rb = top->rb.rb_left;
	leaf = rb_entry(rb, struct anon_vma_chain, rb);
	saved = leaf->rb_subtree_last;
	leaf->rb_subtree_last = top->rb_subtree_last + 100;
	assert_false(anon_vma_interval_tree_verify(top));
	leaf->rb_subtree_last = saved;
	assert_true(anon_vma_interval_tree_verify(top));

	/* A leaf whose VMA grew while linked: the live key outgrew the cache. */
	rb = h->root.rb_root.rb_node;
	while (rb->rb_left || rb->rb_right)
		rb = rb->rb_left ? rb->rb_left : rb->rb_right;
	leaf = rb_entry(rb, struct anon_vma_chain, rb);
	assert_true(anon_vma_interval_tree_verify(leaf));
	leaf->vma->vm_end += 10 * PAGE_SIZE;
	assert_false(anon_vma_interval_tree_verify(leaf));
	leaf->vma->vm_end -= 10 * PAGE_SIZE;
	assert_true(anon_vma_interval_tree_verify(leaf));
	assert_true(check_tree(h));
	test_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_tree),
		cmocka_unit_test(test_fixed_order),
		cmocka_unit_test(test_avc_key),
		cmocka_unit_test(test_avc_update_vma),
		cmocka_unit_test(test_verify_catches_corruption),
		cmocka_unit_test(test_random_template),
		cmocka_unit_test(test_random_avc),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	fprintf(stderr, "interval tree: %lu insert/remove ops, %lu queries, %lu results checked\n",
		total_ops, queries_run, results_seen);
	return rc;
}
