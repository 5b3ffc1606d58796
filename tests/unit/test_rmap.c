/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the anon_vma life cycle (spec §2.2-§2.7, §2.10):
 * exact counters, chains, which anon_vma a folio points to, and the
 * allocation counts by call site.
 */
#include <string.h>

#include "testlib.h"

/* §2.2: a read fault maps the zero page and creates nothing; a write
 * fault creates a root anon_vma that counts itself as a child. */
static void test_prepare_on_write_fault(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct vm_area_struct *vma;
	struct anon_vma *av;

	tl_map(mm, 0, 4, RW);
	tl_read(mm, 0);
	vma = tl_vma(mm, 0);
	assert_null(vma->anon_vma);
	assert_int_equal(tl_live(anon_vma_cachep), 0);

	tl_write(mm, 1);
	av = vma->anon_vma;
	assert_non_null(av);
	assert_ptr_equal(av->root, av);
	assert_ptr_equal(av->parent, av);
	assert_int_equal(av->refcount, 1);
	assert_int_equal(av->num_children, 1);
	assert_int_equal(av->num_active_vmas, 1);
	assert_int_equal(tl_chain_len(vma), 1);
	assert_int_equal(tl_allocs(anon_vma_cachep, SITE_PREPARE), 1);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_PREPARE), 1);
	/* The new folio is exclusive and tagged with the VMA's anon_vma. */
	assert_ptr_equal(tl_anon(mm, 1), av);
	assert_true(PageAnonExclusive(tl_folio(mm, 1)));
	assert_int_equal(tl_folio(mm, 1)->index, PG(1) >> PAGE_SHIFT);
	/* A second write fault in the same VMA allocates nothing more. */
	tl_write(mm, 2);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	assert_int_equal(tl_live(anon_vma_chain_cachep), 1);
	tl_check();
}

/* §2.3: a neighbour's anon_vma is shared when its chain is singular and
 * flags differ only in R/W/X; the next VMA is asked before the prev. */
static void test_find_mergeable_next_before_prev(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct anon_vma *av0, *av2;

	tl_map(mm, 0, 3, RW);
	tl_mprotect(mm, 1, 1, RW | PROT_EXEC);	/* three VMAs */
	assert_int_equal(tl_vmas(mm), 3);
	tl_write(mm, 0);
	av0 = tl_vma(mm, 0)->anon_vma;
	tl_write(mm, 2);	/* its prev (page 1) is unfaulted */
	av2 = tl_vma(mm, 2)->anon_vma;
	assert_ptr_not_equal(av0, av2);
	tl_write(mm, 1);	/* both neighbours qualify: next wins */
	assert_ptr_equal(tl_vma(mm, 1)->anon_vma, av2);
	assert_int_equal(av2->num_active_vmas, 2);
	assert_int_equal(av2->num_children, 1);
	assert_int_equal(tl_allocs(anon_vma_cachep, SITE_PREPARE), 2);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_PREPARE), 3);
	tl_check();
}

/* §2.3: a fork child's neighbour (non-singular chain) is not reused. */
static void test_find_mergeable_refuses_fork_child(void **state)
{
	struct mm_struct *p = tl_mm(), *c;

	tl_map(p, 0, 1, RW);
	tl_map(p, 1, 1, RW | PROT_EXEC);
	tl_write(p, 0);
	c = tl_fork(p);
	assert_int_equal(tl_chain_len(tl_vma(c, 0)), 2);
	tl_write(c, 1);
	assert_ptr_not_equal(tl_vma(c, 1)->anon_vma, tl_vma(c, 0)->anon_vma);
	assert_ptr_equal(tl_vma(c, 1)->anon_vma->root, tl_vma(c, 1)->anon_vma);
	tl_check();
}

/* §2.6: fork of a faulted VMA without reuse. */
static void test_fork_links_child(void **state)
{
	struct mm_struct *p = tl_mm(), *c;
	struct anon_vma *root, *cav;
	struct vm_area_struct *cv;

	tl_map(p, 0, 2, RW);
	tl_write(p, 0);
	root = tl_vma(p, 0)->anon_vma;
	c = tl_fork(p);
	cv = tl_vma(c, 0);
	cav = cv->anon_vma;
	assert_ptr_not_equal(cav, root);
	assert_ptr_equal(cav->root, root);
	assert_ptr_equal(cav->parent, root);
	assert_int_equal(cav->refcount, 1);
	assert_int_equal(cav->num_active_vmas, 1);
	assert_int_equal(cav->num_children, 0);
	assert_int_equal(root->refcount, 2);	/* base + the child's pin */
	assert_int_equal(root->num_children, 2);	/* itself + the child */
	assert_int_equal(root->num_active_vmas, 1);
	/* Child chain: its own anon_vma at the head, then the parent's. */
	assert_int_equal(tl_chain_len(cv), 2);
	assert_ptr_equal(tl_chain_at(cv, 0), cav);
	assert_ptr_equal(tl_chain_at(cv, 1), root);
	assert_int_equal(tl_allocs(anon_vma_cachep, SITE_FORK), 1);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_CLONE), 1);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_FORK), 1);
	/* The shared page still points at the parent's anon_vma. */
	assert_ptr_equal(tl_anon(c, 0), root);
	assert_ptr_equal(tl_folio(c, 0), tl_folio(p, 0));
	assert_false(PageAnonExclusive(tl_folio(p, 0)));
	assert_int_equal(folio_mapcount(tl_folio(p, 0)), 2);
	tl_check();

	/* Child exit: its anon_vma is freed, the root loses child and pin. */
	tl_exit(c);
	assert_int_equal(root->refcount, 1);
	assert_int_equal(root->num_children, 1);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	assert_int_equal(tl_frees(anon_vma_cachep, SITE_PUT), 1);
	tl_check();
}

/* §3.3: COW in the child copies into the child's anon_vma; the parent
 * then owns the only mapping and reuses it, re-tagged to its own. */
static void test_cow_copy_and_reuse(void **state)
{
	struct mm_struct *p = tl_mm(), *c;
	struct folio *orig;

	tl_map(p, 0, 1, RW);
	tl_write(p, 0);
	c = tl_fork(p);
	orig = tl_folio(p, 0);
	tl_write(c, 0);
	assert_ptr_not_equal(tl_folio(c, 0), orig);
	assert_ptr_equal(tl_anon(c, 0), tl_vma(c, 0)->anon_vma);
	assert_true(PageAnonExclusive(tl_folio(c, 0)));
	assert_int_equal(folio_mapcount(orig), 1);
	tl_write(p, 0);
	assert_ptr_equal(tl_folio(p, 0), orig);	/* reused, not copied */
	assert_ptr_equal(tl_anon(p, 0), tl_vma(p, 0)->anon_vma);
	assert_true(PageAnonExclusive(orig));
	tl_check();
}

/*
 * §2.5 / [KHL-2015]: fork, parent exits, repeat, 10,000 times.  The
 * reuse rule keeps the hierarchy of one VMA at exactly three anon_vmas
 * from the second generation on: the root (never reusable: it counts
 * itself and its one child lineage), its child, and one more that the
 * generations take turns reusing.  Without the rule it would grow by
 * one per generation.  (The "twice the number of VMAs" is one
 * short of the real bound for a single VMA; the README says why.)
 */
static void test_serial_forker_bounded(void **state)
{
	struct mm_struct *mm = tl_mm();
	int gen;

	tl_map(mm, 0, 4, RW);
	tl_write(mm, 0);
	for (gen = 1; gen <= 10000; gen++) {
		struct mm_struct *child = tl_fork(mm);

		tl_exit(mm);
		mm = child;
		tl_write(mm, gen % 4);
		assert_int_equal(tl_live(anon_vma_cachep), gen < 2 ? gen + 1 : 3);
		assert_int_equal(tl_chain_len(tl_vma(mm, 0)), gen < 2 ? gen + 1 : 3);
	}
	tl_check();
}

/* CVE-2022-42703 minimal ambiguity sequence (spec §6.4): E must get a
 * fresh anon_vma, not reuse C's, which C still uses. */
static void test_reuse_needs_no_active_vma(void **state)
{
	struct mm_struct *a = tl_mm(), *b, *c, *d, *e;
	struct anon_vma *av_b, *av_c;

	tl_map(a, 0, 1, RW);
	tl_write(a, 0);
	b = tl_fork(a);
	av_b = tl_vma(b, 0)->anon_vma;
	c = tl_fork(b);
	av_c = tl_vma(c, 0)->anon_vma;
	tl_exit(b);
	d = tl_fork(c);
	assert_ptr_equal(tl_vma(d, 0)->anon_vma, av_b);	/* reused */
	assert_int_equal(av_b->num_active_vmas, 1);
	e = tl_fork(d);
	assert_ptr_not_equal(tl_vma(e, 0)->anon_vma, av_c);
	assert_ptr_not_equal(tl_vma(e, 0)->anon_vma, av_b);
	assert_ptr_equal(tl_vma(e, 0)->anon_vma->parent, av_b);
	tl_check();
}

/*
 * §2.4: the series' clone reverses the chain order; 6.18's keeps it.
 * mprotect of the upper page splits with new_below: the new VMA is the
 * lower piece and gets the cloned chain, the original keeps its own.
 */
static void check_split_chain_order(bool reversed)
{
	struct mm_struct *p = tl_mm(), *c;
	struct vm_area_struct *orig, *new;

	tl_map(p, 0, 2, RW);
	tl_write(p, 0);
	c = tl_fork(p);
	orig = tl_vma(c, 0);
	tl_mprotect(c, 1, 1, PROT_READ);
	new = tl_vma(c, 0);
	assert_ptr_not_equal(new, orig);
	assert_ptr_equal(tl_vma(c, 1), orig);
	assert_ptr_equal(new->anon_vma, orig->anon_vma);
	assert_int_equal(tl_chain_len(new), 2);
	if (reversed) {
		assert_ptr_equal(tl_chain_at(new, 0), tl_chain_at(orig, 1));
		assert_ptr_equal(tl_chain_at(new, 1), tl_chain_at(orig, 0));
	} else {
		assert_ptr_equal(tl_chain_at(new, 0), tl_chain_at(orig, 0));
		assert_ptr_equal(tl_chain_at(new, 1), tl_chain_at(orig, 1));
	}
	assert_int_equal(orig->anon_vma->num_active_vmas, 2);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_CLONE), 1 + 2);
	tl_check();
}

static void test_split_chain_order_mainline(void **state)
{
	check_split_chain_order(true);
}

static void test_split_chain_order_v6_18(void **state)
{
	check_split_chain_order(false);
}

/*
 * §2.6: on fork reuse the series pre-allocates and then frees the
 * unused anon_vma and chain; 6.18 allocates nothing.
 */
static void check_fork_reuse_allocs(bool mainline)
{
	struct mm_struct *a = tl_mm(), *b, *c;

	tl_map(a, 0, 1, RW);
	tl_write(a, 0);
	b = tl_fork(a);
	tl_exit(a);
	c = tl_fork(b);	/* b's anon_vma: active 1 -> no reuse */
	tl_exit(b);	/* b's anon_vma: active 0, one child */
	tl_fork(c);	/* reuses b's */
	assert_int_equal(tl_allocs(anon_vma_cachep, SITE_FORK), mainline ? 3 : 2);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_FORK),
			 mainline ? 3 : 2);
	assert_int_equal(tl_frees(anon_vma_chain_cachep, SITE_FORK),
			 mainline ? 1 : 0);
	tl_check();
}

static void test_fork_reuse_allocs_mainline(void **state)
{
	check_fork_reuse_allocs(true);
}

static void test_fork_reuse_allocs_v6_18(void **state)
{
	check_fork_reuse_allocs(false);
}

/*
 * §6.7/§6.8: fail each allocation of an mprotect split in turn.  A
 * failure leaves everything as it was; 6.18's clone retries a failed
 * non-sleeping allocation, so there a single failure may be absorbed.
 */
static void test_split_enomem_every_point(void **state)
{
	unsigned long k, failures = 0;

	for (k = 1; k <= 8; k++) {
		struct mm_struct *p = tl_mm(), *c;
		unsigned long avc_live;
		int ret;

		tl_map(p, 0, 2, RW);
		tl_write(p, 0);
		c = tl_fork(p);
		avc_live = tl_live(anon_vma_chain_cachep);
		tl_fail_nth(k);
		ret = sys_mprotect(c, PG(1), PAGE_SIZE, PROT_READ);
		tl_fail_nth(0);
		assert_int_equal(locks_held_count(), 0);
		if (ret == 0) {
			assert_int_equal(tl_vmas(c), 2);
			assert_int_equal(tl_live(anon_vma_chain_cachep), avc_live + 2);
		} else {
			failures++;
			assert_int_equal(ret, -ENOMEM);
			assert_int_equal(tl_vmas(c), 1);
			assert_int_equal(tl_live(anon_vma_chain_cachep), avc_live);
		}
		tl_check();
		tl_exit(c);
		tl_exit(p);
	}
	/*
	 * Mainline: vm_area_dup, the VMA index's preallocation and the two
	 * chains.  6.18 retries each chain allocation that fails once, so
	 * only vm_area_dup and the preallocation fail.
	 */
	assert_int_equal(failures, anonvma_design == DESIGN_MAINLINE ? 4 : 2);
}

/* The chain allocations of one operation, in order: 'n' GFP_NOWAIT, 's' sleeping. */
struct avc_seq {
	char kind[16];
	int n, fail_at;		/* fail the fail_at-th chain allocation */
};

static bool record_avc(const struct kmem_cache *c, enum alloc_site site,
		       void *arg)
{
	struct avc_seq *q = arg;

	if (c != anon_vma_chain_cachep || q->n >= 15)
		return false;
	q->kind[q->n++] = slab_alloc_is_nowait() ? 'n' : 's';
	return q->n == q->fail_at;
}

/* Split the two-chain VMA of a fork child with @q as the failure hook. */
static int split_child_recording(struct avc_seq *q)
{
	struct mm_struct *p = tl_mm(), *c;
	int ret;

	tl_map(p, 0, 2, RW);
	tl_write(p, 0);
	c = tl_fork(p);
	slab_set_fail_hook(record_avc, q);
	ret = sys_mprotect(c, PG(1), PAGE_SIZE, PROT_READ);
	tl_setup_fail_hook();
	tl_check();
	tl_exit(c);
	tl_exit(p);
	return ret;
}

/*
 * 6.18's anon_vma_clone() asks for each chain without sleeping first and
 * sleeps only after that failed; mainline allocates all chains, sleeping,
 * before it locks.  Fault injection relies on this to tell an absorbed
 * failure from one that fails the operation.
 */
static void test_clone_nowait_then_sleeping(void **state)
{
	bool v6_18 = anonvma_design == DESIGN_V6_18;
	struct avc_seq q = { .fail_at = 0 };

	assert_int_equal(split_child_recording(&q), 0);
	assert_string_equal(q.kind, v6_18 ? "nn" : "ss");

	memset(&q, 0, sizeof(q));
	q.fail_at = 1;
	if (v6_18) {
		/* The first attempt fails, its sleeping retry succeeds. */
		assert_int_equal(split_child_recording(&q), 0);
		assert_string_equal(q.kind, "nsn");
	} else {
		assert_int_equal(split_child_recording(&q), -ENOMEM);
		assert_string_equal(q.kind, "s");
	}
}

/* A failed fork leaves the parent as it was and leaks nothing. */
static void test_fork_enomem_every_point(void **state)
{
	unsigned long k, failures = 0;

	for (k = 1; k <= 40; k++) {
		struct mm_struct *p = tl_mm(), *c;
		unsigned long av_live, avc_live;
		int err;

		tl_map(p, 0, 2, RW);
		tl_map(p, 4, 2, RW);
		tl_write(p, 0);
		tl_write(p, 4);
		av_live = tl_live(anon_vma_cachep);
		avc_live = tl_live(anon_vma_chain_cachep);
		tl_fail_nth(k);
		c = dup_mm(p, &err);
		tl_fail_nth(0);
		assert_int_equal(locks_held_count(), 0);
		if (c) {
			assert_int_equal(err, 0);
			mmput(c);
		} else {
			failures++;
			assert_int_equal(err, -ENOMEM);
		}
		/* Either way the parent is back where it started. */
		assert_int_equal(tl_live(anon_vma_cachep), av_live);
		assert_int_equal(tl_live(anon_vma_chain_cachep), avc_live);
		assert_int_equal(tl_vma(p, 0)->anon_vma->num_children, 1);
		assert_int_equal(tl_vma(p, 0)->anon_vma->refcount, 1);
		assert_int_equal(folio_mapcount(tl_folio(p, 0)), 1);
		tl_check();
		tl_exit(p);
	}
	assert_true(failures >= 6);
}

/* §2.9: a walk of a folio shared by parent and child visits both. */
static void test_rmap_walk_visits(void **state)
{
	struct mm_struct *p = tl_mm(), *c1, *c2;
	struct walk_stats st;
	struct folio *f;

	tl_map(p, 0, 1, RW);
	tl_write(p, 0);
	c1 = tl_fork(p);
	c2 = tl_fork(p);
	f = folio_at(p, PG(0));
	assert_int_equal(folio_referenced(f, &st), 3);
	assert_int_equal(st.visited, 3);
	assert_int_equal(st.mapped, 3);
	folio_put(f);
	/* After a COW in c1 its copy is reached through c1's tree only. */
	tl_write(c1, 0);
	f = folio_at(c1, PG(0));
	folio_referenced(f, &st);
	assert_int_equal(st.visited, 1);
	assert_int_equal(st.mapped, 1);
	folio_put(f);
	(void)c2;
	tl_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_CASE(test_prepare_on_write_fault),
		TL_CASE(test_find_mergeable_next_before_prev),
		TL_CASE(test_find_mergeable_refuses_fork_child),
		TL_CASE(test_fork_links_child),
		TL_CASE(test_cow_copy_and_reuse),
		TL_CASE(test_serial_forker_bounded),
		TL_CASE(test_reuse_needs_no_active_vma),
		TL_CASE_V6_18(test_reuse_needs_no_active_vma),
		TL_CASE(test_split_chain_order_mainline),
		TL_CASE_V6_18(test_split_chain_order_v6_18),
		TL_CASE(test_fork_reuse_allocs_mainline),
		TL_CASE_V6_18(test_fork_reuse_allocs_v6_18),
		TL_CASE(test_split_enomem_every_point),
		TL_CASE_V6_18(test_split_enomem_every_point),
		TL_CASE(test_fork_enomem_every_point),
		TL_CASE_V6_18(test_fork_enomem_every_point),
		TL_CASE(test_rmap_walk_visits),
		TL_CASE(test_clone_nowait_then_sleeping),
		TL_CASE_V6_18(test_clone_nowait_then_sleeping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
