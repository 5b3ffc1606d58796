/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of mremap moves over several VMAs (6.17+, remap_move() in
 * mm/mremap.c): what the kernel cannot show, the chains, the counts of
 * active VMAs, the interval trees and the rmap walks after the move,
 * and the exact state a failure half-way leaves.  The layouts and
 * object counts are also checked against the host kernel by the
 * tests/scenarios/mremap-multi-*.scn scenarios.
 */
#include <limits.h>

#include <anonvma/interval_tree.h>

#include "testlib.h"

#define PGOFF(n) (PG(n) >> PAGE_SHIFT)
#define MOVE (MREMAP_MAYMOVE | MREMAP_FIXED)

static int teardown(void **state)
{
	sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	return tl_case_teardown(state);
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, tl_case_setup, teardown)

static void assert_vma(struct mm_struct *mm, unsigned long page,
		       unsigned long first, unsigned long end,
		       unsigned long pgoff)
{
	struct vm_area_struct *vma = tl_vma(mm, page);

	assert_non_null(vma);
	assert_int_equal(vma->vm_start, PG(first));
	assert_int_equal(vma->vm_end, PG(end));
	assert_int_equal(vma->vm_pgoff, pgoff);
}

/* The chains in @av's interval tree, and the pgoff range of the only one of @vma. */
static int tree_count(struct anon_vma *av, struct vm_area_struct *vma,
		      unsigned long *first, unsigned long *last)
{
	struct anon_vma_chain *avc;
	int n = 0;

	anon_vma_interval_tree_foreach(avc, &av->rb_root, 0, ULONG_MAX) {
		assert_true(anon_vma_interval_tree_verify(avc));
		if (avc->vma == vma) {
			*first = avc_start_pgoff(avc);
			*last = avc_last_pgoff(avc);
		}
		n++;
	}
	return n;
}

/* Three written VMAs with gaps, at pages 0, 3 and 6, two pages each. */
static void map_three(struct mm_struct *mm)
{
	unsigned long first;

	for (first = 0; first < 9; first += 3) {
		tl_map(mm, first, 2, RW);
		tl_write(mm, first);
		tl_write(mm, first + 1);
	}
	assert_int_equal(tl_vmas(mm), 3);
}

/*
 * A fork child moves its three VMAs at once: each copy clones a chain of
 * two, each source unlinks one; the parent's anon_vmas then hold the
 * parent's VMA and the child's copy, the copy's pgoff range unchanged,
 * and a walk of a parent's folio finds both mappings.
 */
static void test_forked_pieces(void **state)
{
	struct mm_struct *mm = tl_mm(), *child;
	unsigned long clone, unlink, first = 0, last = 0;
	int i;

	map_three(mm);
	child = tl_fork(mm);
	clone = tl_allocs(anon_vma_chain_cachep, SITE_CLONE);
	unlink = tl_frees(anon_vma_chain_cachep, SITE_UNLINK);
	assert_int_equal(sys_mremap(child, PG(0), 9 * PAGE_SIZE, 9 * PAGE_SIZE,
				    MOVE, PG(20)), (long)PG(20));
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_CLONE) - clone, 6);
	assert_int_equal(tl_frees(anon_vma_chain_cachep, SITE_UNLINK) - unlink, 6);
	assert_int_equal(tl_vmas(child), 3);
	for (i = 0; i < 3; i++) {
		struct vm_area_struct *src = tl_vma(mm, 3 * i);
		struct vm_area_struct *dst = tl_vma(child, 20 + 3 * i);

		/* A faulted piece keeps its pgoff, wherever it lands. */
		assert_vma(child, 20 + 3 * i, 20 + 3 * i, 22 + 3 * i,
			   PGOFF(3 * i));
		assert_int_equal(tl_chain_len(dst), 2);
		assert_ptr_not_equal(dst->anon_vma, src->anon_vma);
		assert_ptr_equal(dst->anon_vma->parent, src->anon_vma);
		assert_int_equal(dst->anon_vma->num_active_vmas, 1);
		assert_int_equal(src->anon_vma->num_active_vmas, 1);
		assert_int_equal(tree_count(src->anon_vma, dst, &first, &last), 2);
		assert_int_equal(first, PGOFF(3 * i));
		assert_int_equal(last, PGOFF(3 * i + 1));
		assert_int_equal(tree_count(dst->anon_vma, dst, &first, &last), 1);
	}
	tl_assert_walk(mm, 4, PGOFF(4), 2, 2);
	assert_ptr_equal(tl_anon(child, 24), tl_vma(mm, 3)->anon_vma);
	tl_check();
}

/*
 * A piece that lands next to a VMA of the source range not yet moved
 * merges into it (mremap-multi-merge-source.scn): that VMA adopts the
 * moved piece's anon_vma and its own part then moves faulted.  After
 * the move the anon_vma has two active VMAs whose chains cover disjoint
 * pgoff ranges, and a walk of A's folio meets only the VMA mapping it.
 */
static void test_merge_into_unmoved_source(void **state)
{
	struct mm_struct *mm = tl_mm();
	unsigned long first = 0, last = 0;
	struct vm_area_struct *a, *b;
	struct anon_vma *av;

	tl_map(mm, 4, 2, RW);
	tl_write(mm, 4);
	av = tl_vma(mm, 4)->anon_vma;
	assert_int_equal(sys_mremap(mm, PG(4), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				    MOVE, PG(0)), (long)PG(0));
	tl_map(mm, 2, 2, RW);
	assert_null(tl_vma(mm, 2)->anon_vma);
	assert_int_equal(sys_mremap(mm, PG(0), 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				    MOVE, PG(4)), (long)PG(4));
	a = tl_vma(mm, 4);
	b = tl_vma(mm, 6);
	assert_vma(mm, 4, 4, 6, PGOFF(4));
	assert_vma(mm, 6, 6, 8, PGOFF(2));
	assert_ptr_equal(a->anon_vma, av);
	assert_ptr_equal(b->anon_vma, av);
	assert_int_equal(tl_chain_len(b), 1);
	assert_int_equal(av->num_active_vmas, 2);
	assert_int_equal(tree_count(av, b, &first, &last), 2);
	assert_int_equal(first, PGOFF(2));
	assert_int_equal(last, PGOFF(3));
	tl_assert_walk(mm, 4, PGOFF(4), 1, 1);
	tl_check();
}

/*
 * MREMAP_DONTUNMAP over four VMAs under vm.max_map_count 12: the whole
 * call passes check_mremap_params()'s margin (6 + 2 < 9), each piece
 * adds a VMA, and the fourth finds 9 >= 12 - 3: ENOMEM with three
 * pieces moved.  The moved sources are emptied and unfaulted, their
 * anon_vmas now active only in the copies; the fourth is untouched.
 */
static void test_partial_dontunmap(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct anon_vma *av[4];
	int i;

	for (i = 0; i < 4; i++) {
		tl_map(mm, 3 * i, 2, RW);
		tl_write(mm, 3 * i);
		av[i] = tl_vma(mm, 3 * i)->anon_vma;
	}
	tl_map(mm, 13, 1, RW);
	tl_map(mm, 15, 1, RW);
	sysctl_max_map_count = 12;
	assert_int_equal(sys_mremap(mm, PG(0), 11 * PAGE_SIZE, 11 * PAGE_SIZE,
				    MOVE | MREMAP_DONTUNMAP, PG(20)), -ENOMEM);
	assert_int_equal(tl_vmas(mm), 9);
	for (i = 0; i < 3; i++) {
		struct vm_area_struct *src = tl_vma(mm, 3 * i);
		struct vm_area_struct *dst = tl_vma(mm, 20 + 3 * i);

		assert_vma(mm, 3 * i, 3 * i, 3 * i + 2, PGOFF(3 * i));
		assert_null(src->anon_vma);
		assert_int_equal(tl_chain_len(src), 0);
		assert_null(folio_at(mm, PG(3 * i)));
		assert_vma(mm, 20 + 3 * i, 20 + 3 * i, 22 + 3 * i, PGOFF(3 * i));
		assert_ptr_equal(dst->anon_vma, av[i]);
		assert_int_equal(av[i]->num_active_vmas, 1);
		assert_ptr_equal(tl_anon(mm, 20 + 3 * i), av[i]);
	}
	assert_ptr_equal(tl_vma(mm, 9)->anon_vma, av[3]);
	assert_ptr_equal(tl_anon(mm, 9), av[3]);
	assert_null(vma_lookup(mm, PG(29)));
	tl_check();
}

/* One VMA fewer of margin and the call is refused before anything moves. */
static void test_map_count_refused(void **state)
{
	struct mm_struct *mm = tl_mm();
	unsigned long live;
	int i;

	for (i = 0; i < 4; i++) {
		tl_map(mm, 3 * i, 2, RW);
		tl_write(mm, 3 * i);
	}
	tl_map(mm, 13, 1, RW);
	tl_map(mm, 15, 1, RW);
	live = tl_live(anon_vma_chain_cachep);
	sysctl_max_map_count = 11;
	assert_int_equal(sys_mremap(mm, PG(0), 11 * PAGE_SIZE, 11 * PAGE_SIZE,
				    MOVE | MREMAP_DONTUNMAP, PG(20)), -ENOMEM);
	assert_int_equal(tl_vmas(mm), 6);
	assert_int_equal(tl_live(anon_vma_chain_cachep), live);
	for (i = 0; i < 4; i++)
		assert_non_null(tl_vma(mm, 3 * i)->anon_vma);
	assert_null(vma_lookup(mm, PG(20)));
	tl_check();
}

/*
 * The refusals that concern the whole range change nothing: a start in
 * a gap (EFAULT), a destination overlapping only a trailing gap of the
 * source (EINVAL), a size change across VMAs (EFAULT).
 */
static void test_whole_range_refusals(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct anon_vma *av;

	tl_map(mm, 1, 2, RW);
	tl_write(mm, 1);
	tl_map(mm, 3, 2, PROT_READ);
	tl_map(mm, 20, 4, PROT_READ);
	av = tl_vma(mm, 1)->anon_vma;
	assert_int_equal(sys_mremap(mm, PG(0), 5 * PAGE_SIZE, 5 * PAGE_SIZE,
				    MOVE, PG(20)), -EFAULT);
	assert_int_equal(sys_mremap(mm, PG(1), 7 * PAGE_SIZE, 7 * PAGE_SIZE,
				    MOVE, PG(5)), -EINVAL);
	assert_int_equal(sys_mremap(mm, PG(1), 4 * PAGE_SIZE, 6 * PAGE_SIZE,
				    MOVE, PG(20)), -EFAULT);
	assert_int_equal(tl_vmas(mm), 3);
	assert_vma(mm, 1, 1, 3, PGOFF(1));
	assert_vma(mm, 3, 3, 5, PGOFF(3));
	assert_vma(mm, 20, 20, 24, PGOFF(20));
	assert_ptr_equal(tl_vma(mm, 1)->anon_vma, av);
	assert_ptr_equal(tl_anon(mm, 1), av);
	tl_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(test_forked_pieces),
		CASE(test_merge_into_unmoved_source),
		CASE(test_partial_dontunmap),
		CASE(test_map_count_refused),
		CASE(test_whole_range_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
