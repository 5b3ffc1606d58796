/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of splitting, merging and moving VMAs (spec §3.4-§3.7,
 * §5): exact ranges, page offsets, which VMAs merge, and what happens
 * to the anon state.
 */
#include "testlib.h"

#define RW (PROT_READ | PROT_WRITE)
#define PGOFF(n) (PG(n) >> PAGE_SHIFT)

static int setup(void **state)
{
	tl_setup(DESIGN_MAINLINE);
	return 0;
}

static int teardown(void **state)
{
	sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	tl_teardown();
	return 0;
}

static void assert_vma(struct mm_struct *mm, int i, unsigned long first,
		       unsigned long last_excl, unsigned long pgoff)
{
	struct vm_area_struct *vma = mm_vma_at(mm, i);

	assert_non_null(vma);
	assert_int_equal(vma->vm_start, PG(first));
	assert_int_equal(vma->vm_end, PG(last_excl));
	assert_int_equal(vma->vm_pgoff, pgoff);
}

/* §5.3-1: fresh adjacent mappings merge at once, faulted or not. */
static void test_adjacent_mmaps_merge(void **state)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 2, RW);
	tl_write(mm, 0);
	tl_map(mm, 2, 2, RW);
	assert_int_equal(tl_vmas(mm), 1);
	assert_vma(mm, 0, 0, 4, PGOFF(0));
	/* The unfaulted range joined a faulted VMA: nothing was cloned. */
	assert_int_equal(tl_chain_len(tl_vma(mm, 3)), 1);
	tl_check();
}

/* §3.4, §5.3-2: split pgoffs, and the restore merges back (case 3). */
static void test_split_and_remerge_faulted(void **state)
{
	struct mm_struct *mm = tl_mm();
	unsigned long clones, unlinks;

	tl_map(mm, 0, 6, RW);
	tl_write(mm, 0);
	tl_write(mm, 5);
	clones = tl_allocs(anon_vma_chain_cachep, SITE_CLONE);
	tl_mprotect(mm, 2, 2, PROT_READ);
	assert_int_equal(tl_vmas(mm), 3);
	assert_vma(mm, 0, 0, 2, PGOFF(0));
	assert_vma(mm, 1, 2, 4, PGOFF(2));
	assert_vma(mm, 2, 4, 6, PGOFF(4));
	/* Each new piece gets a clone of the one-entry chain. */
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_CLONE), clones + 2);
	assert_int_equal(tl_vma(mm, 0)->anon_vma->num_active_vmas, 3);
	unlinks = tl_frees(anon_vma_chain_cachep, SITE_UNLINK);
	tl_mprotect(mm, 2, 2, RW);
	assert_int_equal(tl_vmas(mm), 1);
	assert_vma(mm, 0, 0, 6, PGOFF(0));
	assert_int_equal(tl_frees(anon_vma_chain_cachep, SITE_UNLINK), unlinks + 2);
	assert_int_equal(tl_vma(mm, 0)->anon_vma->num_active_vmas, 1);
	/* Folios keep their index through it all. */
	assert_int_equal(tl_folio(mm, 5)->index, PGOFF(5));
	tl_check();
}

/*
 * §5.3-3: an unfaulted VMA merges with a faulted neighbour (6.16+).
 * MAP_NORESERVE, as in the kernel's selftests: otherwise mprotect to
 * read-only drops VM_ACCOUNT from the unfaulted piece only, and the
 * flag difference alone keeps the two apart.
 */
static void test_unfaulted_left_faulted_right(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct anon_vma *av;

	assert_int_equal(sys_mmap(mm, PG(0), 10 * PAGE_SIZE, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				  MAP_FIXED_NOREPLACE, NULL, 0), (long)PG(0));
	tl_mprotect(mm, 0, 5, PROT_READ);
	tl_write(mm, 5);
	av = tl_vma(mm, 5)->anon_vma;
	assert_null(tl_vma(mm, 0)->anon_vma);
	tl_mprotect(mm, 5, 5, PROT_READ);
	assert_int_equal(tl_vmas(mm), 1);
	assert_vma(mm, 0, 0, 10, PGOFF(0));
	assert_ptr_equal(tl_vma(mm, 0)->anon_vma, av);
	assert_int_equal(av->num_active_vmas, 1);
	assert_int_equal(tl_chain_len(tl_vma(mm, 0)), 1);
	tl_check();
}

/* The same shape without MAP_NORESERVE stays two VMAs (host kernel). */
static void test_unfaulted_loses_vm_account(void **state)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 10, RW);
	tl_mprotect(mm, 0, 5, PROT_READ);
	assert_false(tl_vma(mm, 0)->vm_flags & VM_ACCOUNT);
	assert_true(tl_vma(mm, 5)->vm_flags & VM_ACCOUNT);
	tl_write(mm, 5);
	tl_mprotect(mm, 5, 5, PROT_READ);
	assert_true(tl_vma(mm, 5)->vm_flags & VM_ACCOUNT);
	assert_int_equal(tl_vmas(mm), 2);
	tl_check();
}

/* §5.3-9: between two differently faulted VMAs a new range joins prev only. */
static void test_prev_next_mutually_incompatible(void **state)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 2, RW);
	tl_write(mm, 0);
	tl_map(mm, 3, 2, RW);
	tl_write(mm, 3);
	assert_ptr_not_equal(tl_vma(mm, 0)->anon_vma, tl_vma(mm, 3)->anon_vma);
	tl_map(mm, 2, 1, RW);
	assert_int_equal(tl_vmas(mm), 2);
	assert_vma(mm, 0, 0, 3, PGOFF(0));
	assert_vma(mm, 1, 3, 5, PGOFF(3));
	tl_check();
}

/* §3.7: unfaulted moves take the new address's pgoff, faulted ones keep theirs. */
static void test_mremap_pgoff_rules(void **state)
{
	struct mm_struct *mm = tl_mm();
	long r;

	tl_map(mm, 0, 2, RW);
	r = sys_mremap(mm, PG(0), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, PG(10));
	assert_int_equal(r, (long)PG(10));
	assert_vma(mm, 0, 10, 12, PGOFF(10));

	tl_map(mm, 20, 2, RW);
	tl_write(mm, 21);
	r = sys_mremap(mm, PG(20), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, PG(30));
	assert_int_equal(r, (long)PG(30));
	assert_vma(mm, 1, 30, 32, PGOFF(20));
	/* The walk still finds the moved mapping by its old pgoff. */
	tl_assert_walk(mm, 31, PGOFF(21), 1, 1);
	/* A fresh neighbour does not merge with the moved faulted VMA. */
	tl_map(mm, 32, 1, RW);
	assert_int_equal(tl_vmas(mm), 3);
	tl_check();
}

/* §6.6 / §5.3-10: MREMAP_DONTUNMAP of a faulted VMA next to an unfaulted one. */
static void test_dontunmap_merge_keeps_anon_state(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct anon_vma *av;
	long r;

	tl_map(mm, 3, 3, RW);
	tl_write(mm, 3);
	av = tl_vma(mm, 3)->anon_vma;
	r = sys_mremap(mm, PG(3), 3 * PAGE_SIZE, 3 * PAGE_SIZE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, PG(20));
	assert_int_equal(r, (long)PG(20));
	tl_map(mm, 0, 3, RW);
	r = sys_mremap(mm, PG(20), 3 * PAGE_SIZE, 3 * PAGE_SIZE,
		       MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, PG(3));
	assert_int_equal(r, (long)PG(3));
	/* Merged into the unfaulted prev, which adopted the source's state. */
	assert_int_equal(tl_vmas(mm), 2);
	assert_vma(mm, 0, 0, 6, PGOFF(0));
	assert_ptr_equal(tl_vma(mm, 0)->anon_vma, av);
	assert_ptr_equal(tl_anon(mm, 3), av);
	/* The old VMA stays, unfaulted, and keeps VM_ACCOUNT (host 6.18). */
	assert_vma(mm, 1, 20, 23, PGOFF(3));
	assert_null(tl_vma(mm, 20)->anon_vma);
	assert_true(tl_vma(mm, 20)->vm_flags & VM_ACCOUNT);
	assert_int_equal(av->num_active_vmas, 1);
	tl_check();
}

/* §3.10, §5.3-11: a forked child with a faulted heap grows it as a new VMA. */
static void test_brk_in_fork_child(void **state)
{
	struct mm_struct *p = tl_mm(), *c;

	mm_set_brk_base(p, PG(0));
	assert_int_equal(sys_brk(p, PG(2)), PG(2));
	tl_write(p, 0);
	c = tl_fork(p);
	assert_int_equal(sys_brk(c, PG(4)), PG(4));
	assert_int_equal(tl_vmas(c), 2);
	assert_vma(c, 1, 2, 4, PGOFF(2));
	assert_int_equal(sys_brk(p, PG(4)), PG(4));
	assert_int_equal(tl_vmas(p), 1);
	assert_vma(p, 0, 0, 4, PGOFF(0));
	/* Shrinking unmaps. */
	assert_int_equal(sys_brk(p, PG(1)), PG(1));
	assert_vma(p, 0, 0, 1, PGOFF(0));
	tl_check();
}

/* Refused operations return the kernel's errno and change nothing. */
static void test_errnos(void **state)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 4, RW);
	assert_int_equal(sys_munmap(mm, PG(0), 0), -EINVAL);
	assert_int_equal(sys_munmap(mm, PG(0) + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_mmap(mm, PG(2), 4 * PAGE_SIZE, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				  NULL, 0), -EEXIST);
	assert_int_equal(sys_mprotect(mm, PG(8), PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_int_equal(sys_mremap(mm, PG(0), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				    MREMAP_MAYMOVE | MREMAP_FIXED, PG(1)), -EINVAL);
	assert_int_equal(sys_mremap(mm, PG(8), PAGE_SIZE, PAGE_SIZE,
				    MREMAP_MAYMOVE | MREMAP_FIXED, PG(20)), -EFAULT);
	assert_int_equal(tl_vmas(mm), 1);
	assert_vma(mm, 0, 0, 4, PGOFF(0));

	/* vm.max_map_count: a split that would exceed it is refused. */
	sysctl_max_map_count = 1;
	assert_int_equal(sys_mprotect(mm, PG(1), PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_int_equal(tl_vmas(mm), 1);
	sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	tl_check();
}

/* MAP_FIXED replaces a faulted mapping: its anon_vma goes with it. */
static void test_map_fixed_replaces(void **state)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 4, RW);
	tl_write(mm, 1);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	assert_int_equal(sys_mmap(mm, PG(0), 4 * PAGE_SIZE, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0),
			 (long)PG(0));
	assert_int_equal(tl_vmas(mm), 1);
	assert_null(tl_vma(mm, 0)->anon_vma);
	assert_int_equal(tl_live(anon_vma_cachep), 0);
	assert_int_equal(tl_live(anon_vma_chain_cachep), 0);
	tl_check();
}

/* §5.3-6: split siblings get separate anon_vmas in a fork child. */
static void test_fork_child_split_siblings_never_merge(void **state)
{
	struct mm_struct *p = tl_mm(), *c;

	tl_map(p, 0, 2, RW);
	tl_write(p, 0);
	tl_write(p, 1);
	tl_mprotect(p, 1, 1, PROT_READ);
	c = tl_fork(p);
	assert_ptr_not_equal(tl_vma(c, 0)->anon_vma, tl_vma(c, 1)->anon_vma);
	tl_mprotect(p, 1, 1, RW);
	assert_int_equal(tl_vmas(p), 1);
	tl_mprotect(c, 1, 1, RW);
	assert_int_equal(tl_vmas(c), 2);
	tl_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_adjacent_mmaps_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_and_remerge_faulted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfaulted_left_faulted_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfaulted_loses_vm_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prev_next_mutually_incompatible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mremap_pgoff_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dontunmap_merge_keeps_anon_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_brk_in_fork_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errnos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_fixed_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_child_split_siblings_never_merge, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
