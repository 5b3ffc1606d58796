/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the swap device, reclaim, folio_referenced and
 * migration (mm/swapfile.c, mm/vmscan.c, mm/migrate.c,
 * mm/page_vma_mapped.c), driven through the public API the way a
 * process and a reclaimer would drive them.
 *
 * The centre piece is the 2010 sequence of spec §6.1: a page shared by
 * parent and child is swapped out by both, the child faults it back
 * first, and the child exits.  The new folio must be tagged with the
 * ROOT anon_vma (spec §2.10), so that the parent's mapping still points
 * to a live anon_vma; with the swap cache kept, swap-in reuses the old
 * folio and its old anon_vma.  Every test ends with the invariant
 * checker, exact rss counts and no swap slot or object left behind; the
 * last one races reclaim and migration against fork, COW, swap-in and
 * exit (run it under SANITIZE=thread too).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include <anonvma/anonvma.h>

#include "internal.h"

#define A0 0x40000000UL		/* where the tests map their memory */

static unsigned long warns_at_start;

static int setup(void **state)
{
	if (anonvma_init(DESIGN_MAINLINE))
		return -1;
	warns_at_start = vm_warn_count();
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(swap_slots_in_use(), 0);
	assert_int_equal(vm_warn_count() - warns_at_start, 0);
	assert_int_equal(locks_held_count(), 0);
	assert_int_equal(anonvma_exit(stderr), 0);
	return 0;
}

/* --- helpers ------------------------------------------------------------ */

static void assert_invariants(void)
{
	struct check_report r;
	int n = check_invariants(&r);

	if (n)
		check_report_print(&r, "invariant: ", stderr);
	assert_int_equal(n, 0);
}

static struct mm_struct *new_mm_with_anon(unsigned long pages)
{
	struct mm_struct *mm = mm_alloc();
	long addr;

	assert_non_null(mm);
	addr = sys_mmap(mm, A0, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	assert_int_equal(addr, A0);
	return mm;
}

static struct mm_struct *fork_mm(struct mm_struct *parent)
{
	int err = 0;
	struct mm_struct *child = dup_mm(parent, &err);

	assert_non_null(child);
	assert_int_equal(err, 0);
	return child;
}

static void write_page(struct mm_struct *mm, unsigned long addr, uint64_t v)
{
	assert_int_equal(access_page(mm, addr, true, &v), 0);
}

static uint64_t read_page(struct mm_struct *mm, unsigned long addr)
{
	uint64_t v = 0;

	assert_int_equal(access_page(mm, addr, false, &v), 0);
	return v;
}

/* A copy of the PTE at @addr (0 when no page table covers it). */
static pte_t pte_at(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = { 0 };
	bool oom = false;
	pte_t *ptep;

	spin_lock(&mm->page_table_lock);
	ptep = pte_offset_map(mm, addr, false, &oom);
	if (ptep)
		pte = *ptep;
	spin_unlock(&mm->page_table_lock);
	return pte;
}

static struct anon_vma *vma_anon_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	assert_non_null(vma);
	return vma->anon_vma;
}

static void assert_rss(struct mm_struct *mm, unsigned long anon,
		       unsigned long swap)
{
	assert_int_equal(mm->rss_anon, anon);
	assert_int_equal(mm->rss_swap, swap);
}

static void assert_swap_pte(struct mm_struct *mm, unsigned long addr,
			    bool exclusive)
{
	pte_t pte = pte_at(mm, addr);

	assert_true(is_swap_entry_pte(pte));
	assert_int_equal(pte_swp_exclusive(pte), exclusive);
}

/*
 * The parent writes one page and forks: both map the same folio,
 * non-exclusive, tagged with the parent's (root) anon_vma.
 */
static struct folio *shared_page(struct mm_struct *parent,
				 struct mm_struct **childp)
{
	struct folio *f;

	write_page(parent, A0, 0xaa);
	*childp = fork_mm(parent);
	f = folio_at(parent, A0);
	assert_non_null(f);
	assert_ptr_equal(folio_at(*childp, A0), f);
	folio_put(f);
	folio_put(f);	/* the two PTEs keep it */
	assert_int_equal(folio_mapcount(f), 2);
	assert_false(PageAnonExclusive(f));
	assert_ptr_equal(folio_anon_vma(f), vma_anon_vma(parent, A0));
	return f;
}

/* --- the swap device on its own ----------------------------------------- */

/* Slot counting: freed exactly when no swap PTE and no folio need it. */
static void test_swap_slots(void **state)
{
	struct mm_struct *mm = new_mm_with_anon(1);
	struct folio *f, *other;
	swp_entry_t e;

	write_page(mm, A0, 7);
	f = folio_at(mm, A0);
	folio_lock(f);
	assert_int_equal(get_swap_slot(f, &e), 0);
	assert_int_equal(swap_slots_in_use(), 1);
	add_to_swap_cache(f, e);
	assert_true(folio_test_flag(f, PG_swapcache));
	assert_int_equal(f->private, e.val);
	assert_int_equal(folio_ref_count(f), 3);	/* PTE, cache, ours */
	other = folio_alloc(SITE_OTHER);
	assert_non_null(other);
	assert_true(folio_trylock(other));	/* a second folio lock */
	assert_int_equal(try_add_to_swap_cache(other, e), -EEXIST);
	folio_unlock(other);
	folio_put(other);
	assert_ptr_equal(swap_cache_get_folio(e), f);
	folio_put(f);

	swap_duplicate(e);
	swap_duplicate(e);
	assert_int_equal(swap_count(e), 2);
	assert_false(folio_free_swap(f));	/* swap PTEs still need it */
	WRITE_ONCE(f->data, 8);
	delete_from_swap_cache(f);		/* writes the contents back */
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_int_equal(folio_ref_count(f), 2);
	assert_int_equal(swap_read_data(e), 8);
	assert_null(swap_cache_get_folio(e));
	swap_free(e);
	assert_int_equal(swap_slots_in_use(), 1);
	swap_free(e);
	assert_int_equal(swap_slots_in_use(), 0);

	/* A cached slot whose last swap PTE goes is reclaimed with it. */
	assert_int_equal(get_swap_slot(f, &e), 0);
	add_to_swap_cache(f, e);
	swap_duplicate(e);
	assert_int_equal(swap_slots_in_use(), 1);
	assert_true(folio_free_swap(f) == false);
	folio_unlock(f);
	swap_free(e);		/* trylock succeeds: cache dropped */
	assert_int_equal(swap_slots_in_use(), 0);
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_int_equal(folio_ref_count(f), 2);
	folio_put(f);
	mmput(mm);
}

/* --- swap-out and swap-in ----------------------------------------------- */

/*
 * An exclusive page: its exclusive bit moves into the swap PTE and back
 * into the page at swap-in, with the same anon_vma (spec §2.11).
 */
static void test_swap_exclusive_roundtrip(void **state)
{
	struct mm_struct *mm = new_mm_with_anon(2);
	struct anon_vma *av;
	struct walk_stats st;
	struct folio *f;

	write_page(mm, A0, 0x1234);
	f = folio_at(mm, A0);
	assert_non_null(f);
	av = vma_anon_vma(mm, A0);
	assert_true(PageAnonExclusive(f));
	assert_ptr_equal(folio_anon_vma(f), av);
	assert_rss(mm, 1, 0);

	assert_int_equal(reclaim_folio(f, false, &st), 0);
	assert_int_equal(st.visited, 1);
	assert_int_equal(st.mapped, 1);
	assert_false(folio_mapped(f));
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_false(PageAnonExclusive(f));
	assert_int_equal(folio_ref_count(f), 1);	/* ours only */
	folio_put(f);

	assert_swap_pte(mm, A0, true);
	assert_rss(mm, 0, 1);
	assert_int_equal(swap_slots_in_use(), 1);
	assert_null(folio_at(mm, A0));
	assert_invariants();

	assert_int_equal(read_page(mm, A0), 0x1234);
	f = folio_at(mm, A0);
	assert_non_null(f);
	assert_true(PageAnonExclusive(f));
	assert_ptr_equal(folio_anon_vma(f), av);
	assert_int_equal(folio_mapcount(f), 1);
	assert_rss(mm, 1, 0);
	assert_int_equal(swap_slots_in_use(), 0);
	assert_invariants();

	/* Exclusive again: a write reuses the page, no copy. */
	folio_put(f);
	write_page(mm, A0, 0x5678);
	assert_ptr_equal(folio_at(mm, A0), f);
	folio_put(f);
	assert_int_equal(read_page(mm, A0), 0x5678);

	mmput(mm);
}

/* Exit with pages still swapped out frees their slots (zap -> swap_free). */
static void test_swap_exit_frees_slots(void **state)
{
	struct mm_struct *mm = new_mm_with_anon(2), *child;
	struct folio *f;

	write_page(mm, A0, 1);
	write_page(mm, A0 + PAGE_SIZE, 2);
	child = fork_mm(mm);

	f = folio_at(mm, A0);
	assert_int_equal(reclaim_folio(f, false, NULL), 0);
	folio_put(f);
	f = folio_at(mm, A0 + PAGE_SIZE);
	assert_int_equal(reclaim_folio(f, true, NULL), 0);	/* stays cached */
	assert_true(folio_test_flag(f, PG_swapcache));
	folio_put(f);
	assert_int_equal(swap_slots_in_use(), 2);
	assert_rss(mm, 0, 2);
	assert_rss(child, 0, 2);
	assert_invariants();

	mmput(child);
	assert_int_equal(swap_slots_in_use(), 2);
	assert_rss(mm, 0, 2);
	assert_invariants();
	mmput(mm);
	assert_int_equal(swap_slots_in_use(), 0);
}

/*
 * Spec §6.1, the real 2010 bug: parent and child share a page, both
 * swap it out, the child faults it back first (a new folio, since the
 * cache was dropped), the parent maps the same folio, the child exits.
 * The new folio must carry the root anon_vma, or the parent is left
 * mapping a folio whose anon_vma was freed with the child (I7).
 */
static void test_swap_2010_sequence(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child;
	struct anon_vma *pav, *cav;
	struct walk_stats st;
	struct folio *old, *f;

	old = shared_page(parent, &child);
	pav = vma_anon_vma(parent, A0);
	cav = vma_anon_vma(child, A0);
	assert_ptr_not_equal(cav, pav);
	assert_ptr_equal(cav->root, pav);
	assert_rss(parent, 1, 0);
	assert_rss(child, 1, 0);

	folio_get(old);
	assert_int_equal(reclaim_folio(old, false, &st), 0);
	assert_int_equal(st.visited, 2);
	assert_int_equal(st.mapped, 2);
	assert_int_equal(folio_ref_count(old), 1);
	folio_put(old);		/* freed */
	assert_swap_pte(parent, A0, false);
	assert_swap_pte(child, A0, false);
	assert_rss(parent, 0, 1);
	assert_rss(child, 0, 1);
	assert_int_equal(swap_slots_in_use(), 1);
	assert_invariants();

	/* The child first: a new, non-exclusive folio tagged with the root. */
	assert_int_equal(read_page(child, A0), 0xaa);
	f = folio_at(child, A0);
	assert_non_null(f);
	assert_false(PageAnonExclusive(f));
	assert_ptr_equal(folio_anon_vma(f), pav);
	assert_ptr_not_equal(folio_anon_vma(f), cav);
	assert_int_equal(folio_mapcount(f), 1);
	assert_rss(child, 1, 0);
	assert_rss(parent, 0, 1);
	assert_int_equal(swap_slots_in_use(), 1);
	assert_invariants();

	/* The parent finds it in the swap cache and shares it. */
	assert_int_equal(read_page(parent, A0), 0xaa);
	assert_ptr_equal(folio_at(parent, A0), f);
	folio_put(f);
	assert_int_equal(folio_mapcount(f), 2);
	assert_false(PageAnonExclusive(f));
	assert_rss(parent, 1, 0);
	assert_int_equal(swap_slots_in_use(), 0);
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_int_equal(folio_ref_count(f), 3);	/* two PTEs, ours */
	assert_invariants();

	/* The child exits: the parent's folio still has a live anon_vma. */
	mmput(child);
	assert_int_equal(folio_mapcount(f), 1);
	assert_ptr_equal(folio_anon_vma(f), vma_anon_vma(parent, A0));
	assert_true(__atomic_load_n(&pav->refcount, __ATOMIC_RELAXED) >= 1);
	assert_invariants();
	assert_int_equal(folio_referenced(f, &st), 1);
	assert_int_equal(st.visited, 1);
	assert_int_equal(st.mapped, 1);
	folio_put(f);

	assert_int_equal(read_page(parent, A0), 0xaa);
	mmput(parent);
}

/*
 * A folio tagged with a non-root anon_vma: the parent writes and forks,
 * the child writes (its own exclusive COW copy, tagged with the child's
 * anon_vma) and forks a grandchild that shares the copy.  Returns the
 * copy; *@mid_av is the child's anon_vma, a non-root.
 */
static struct folio *nonroot_shared_page(struct mm_struct *parent,
					 struct mm_struct **childp,
					 struct mm_struct **grandp,
					 struct anon_vma **mid_av)
{
	struct folio *f;

	write_page(parent, A0, 1);
	*childp = fork_mm(parent);
	write_page(*childp, A0, 2);
	*mid_av = vma_anon_vma(*childp, A0);
	assert_ptr_not_equal((*mid_av)->root, *mid_av);
	*grandp = fork_mm(*childp);
	f = folio_at(*childp, A0);
	assert_non_null(f);
	assert_ptr_equal(folio_at(*grandp, A0), f);
	folio_put(f);
	folio_put(f);	/* the two PTEs keep it */
	assert_ptr_equal(folio_anon_vma(f), *mid_av);
	assert_int_equal(folio_mapcount(f), 2);
	return f;
}

/* Without the swap cache, the grandchild's swap-in tags with the root. */
static void test_swap_nocache_tags_root(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child, *grand;
	struct anon_vma *mid;
	struct folio *f, *n;

	f = nonroot_shared_page(parent, &child, &grand, &mid);
	folio_get(f);
	assert_int_equal(reclaim_folio(f, false, NULL), 0);
	folio_put(f);
	assert_int_equal(read_page(grand, A0), 2);
	n = folio_at(grand, A0);
	assert_ptr_equal(folio_anon_vma(n), mid->root);
	assert_ptr_equal(folio_anon_vma(n), vma_anon_vma(parent, A0));
	assert_int_equal(read_page(child, A0), 2);
	assert_ptr_equal(folio_at(child, A0), n);
	folio_put(n);
	assert_int_equal(folio_mapcount(n), 2);
	assert_int_equal(read_page(parent, A0), 1);
	assert_invariants();
	folio_put(n);

	mmput(child);
	assert_invariants();
	assert_int_equal(read_page(grand, A0), 2);
	mmput(grand);
	mmput(parent);
}

/* With the swap cache kept, swap-in maps the old folio: old anon_vma. */
static void test_swap_keepcache_keeps_anon_vma(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child, *grand;
	struct anon_vma *mid;
	struct walk_stats st;
	struct folio *f;

	f = nonroot_shared_page(parent, &child, &grand, &mid);
	folio_get(f);
	assert_int_equal(reclaim_folio(f, true, &st), 0);
	assert_int_equal(st.mapped, 2);
	assert_true(folio_test_flag(f, PG_swapcache));
	assert_false(folio_mapped(f));
	assert_int_equal(folio_ref_count(f), 2);	/* cache, ours */
	assert_swap_pte(child, A0, false);
	assert_swap_pte(grand, A0, false);
	assert_rss(child, 0, 1);
	assert_rss(grand, 0, 1);
	assert_invariants();

	assert_int_equal(read_page(grand, A0), 2);
	assert_ptr_equal(folio_at(grand, A0), f);
	folio_put(f);
	assert_ptr_equal(folio_anon_vma(f), mid);
	assert_int_equal(swap_slots_in_use(), 1);
	assert_int_equal(read_page(child, A0), 2);
	assert_ptr_equal(folio_at(child, A0), f);
	folio_put(f);
	assert_ptr_equal(folio_anon_vma(f), mid);
	assert_int_equal(folio_mapcount(f), 2);
	assert_int_equal(swap_slots_in_use(), 0);
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_rss(child, 1, 0);
	assert_rss(grand, 1, 0);
	assert_invariants();
	folio_put(f);

	mmput(grand);
	mmput(child);
	assert_invariants();
	mmput(parent);
}

/* Reclaim refuses page-cache folios. */
static void test_reclaim_file_folio(void **state)
{
	struct mm_struct *mm = mm_alloc();
	struct file *file = file_create("data", 4);
	struct walk_stats st;
	struct folio *f;
	long addr;

	addr = sys_mmap(mm, A0, 4 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, file, 0);
	assert_int_equal(addr, A0);
	read_page(mm, A0);
	f = folio_at(mm, A0);
	assert_non_null(f);
	assert_false(folio_test_anon(f));
	assert_int_equal(reclaim_folio(f, false, &st), -EINVAL);
	assert_int_equal(migrate_folio_to_new(f, NULL, &st), -EINVAL);
	assert_int_equal(folio_referenced(f, &st), 0);
	folio_put(f);
	fput(file);
	mmput(mm);
}

/* --- folio_referenced --------------------------------------------------- */

static void test_folio_referenced(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child;
	struct walk_stats st;
	struct folio *f;

	f = shared_page(parent, &child);
	folio_get(f);
	read_page(child, A0);
	assert_int_equal(folio_referenced(f, &st), 2);
	assert_int_equal(st.visited, 2);
	assert_int_equal(st.mapped, 2);
	assert_int_equal(folio_referenced(f, &st), 0);	/* young cleared */
	assert_int_equal(st.mapped, 2);

	/* The child's COW copy leaves the child's VMA visited, not mapped. */
	write_page(child, A0, 3);
	assert_int_equal(folio_mapcount(f), 1);
	read_page(parent, A0);
	assert_int_equal(folio_referenced(f, &st), 1);
	assert_int_equal(st.visited, 2);
	assert_int_equal(st.mapped, 1);
	folio_put(f);

	mmput(child);
	mmput(parent);
}

/* --- migration ---------------------------------------------------------- */

static void test_migrate_shared(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child;
	struct anon_vma *av;
	struct walk_stats st;
	struct folio *f, *n = NULL;

	f = shared_page(parent, &child);
	av = folio_anon_vma(f);
	folio_get(f);
	assert_int_equal(migrate_folio_to_new(f, &n, &st), 0);
	assert_non_null(n);
	assert_ptr_not_equal(n, f);
	assert_int_equal(st.visited, 2);
	assert_int_equal(st.mapped, 2);
	assert_false(folio_mapped(f));
	assert_int_equal(folio_ref_count(f), 1);
	folio_put(f);		/* the old folio is freed */

	assert_ptr_equal(folio_anon_vma(n), av);
	assert_int_equal(folio_mapcount(n), 2);
	assert_false(PageAnonExclusive(n));
	assert_false(folio_test_locked(n));
	assert_int_equal(folio_ref_count(n), 3);	/* two PTEs, ours */
	assert_ptr_equal(folio_at(parent, A0), n);
	folio_put(n);
	assert_ptr_equal(folio_at(child, A0), n);
	folio_put(n);
	assert_false(pte_write(pte_at(parent, A0)));
	assert_rss(parent, 1, 0);
	assert_rss(child, 1, 0);
	assert_int_equal(read_page(child, A0), 0xaa);
	assert_invariants();
	folio_put(n);

	/* Still COW-shared: the child's write copies. */
	write_page(child, A0, 0xbb);
	assert_int_equal(read_page(parent, A0), 0xaa);
	assert_int_equal(folio_mapcount(n), 1);
	mmput(child);
	mmput(parent);
}

/* An exclusive, writable page stays exclusive and writable. */
static void test_migrate_exclusive(void **state)
{
	struct mm_struct *mm = new_mm_with_anon(1);
	struct folio *f, *n = NULL;
	struct anon_vma *av;

	write_page(mm, A0, 5);
	f = folio_at(mm, A0);
	av = folio_anon_vma(f);
	assert_int_equal(migrate_folio_to_new(f, &n, NULL), 0);
	folio_put(f);
	assert_true(PageAnonExclusive(n));
	assert_ptr_equal(folio_anon_vma(n), av);
	assert_true(pte_write(pte_at(mm, A0)));
	assert_int_equal(folio_ref_count(n), 2);
	folio_put(n);
	write_page(mm, A0, 6);		/* no COW: same folio */
	assert_ptr_equal(folio_at(mm, A0), n);
	folio_put(n);
	assert_int_equal(read_page(mm, A0), 6);
	assert_rss(mm, 1, 0);
	assert_invariants();
	mmput(mm);
}

/* A swap-cache folio takes its slot along. */
static void test_migrate_swapcache(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child;
	struct folio *f, *n = NULL;
	swp_entry_t e;

	f = shared_page(parent, &child);
	folio_get(f);
	assert_int_equal(reclaim_folio(f, true, NULL), 0);
	e.val = f->private;
	assert_int_equal(read_page(child, A0), 0xaa);	/* maps f again */
	assert_ptr_equal(folio_at(child, A0), f);
	folio_put(f);
	assert_int_equal(migrate_folio_to_new(f, &n, NULL), 0);
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_true(folio_test_flag(n, PG_swapcache));
	assert_int_equal(n->private, e.val);
	assert_int_equal(folio_ref_count(f), 1);
	folio_put(f);
	assert_ptr_equal(folio_at(child, A0), n);
	folio_put(n);
	assert_int_equal(read_page(parent, A0), 0xaa);	/* from the cache */
	assert_ptr_equal(folio_at(parent, A0), n);
	folio_put(n);
	assert_int_equal(folio_mapcount(n), 2);
	assert_int_equal(swap_slots_in_use(), 0);
	assert_invariants();
	folio_put(n);
	mmput(parent);
	mmput(child);
}

static bool fail_migrate(const struct kmem_cache *c, enum alloc_site site,
			 void *arg)
{
	return site == SITE_MIGRATE;
}

/* No folio for the target: nothing changes. */
static void test_migrate_enomem(void **state)
{
	struct mm_struct *parent = new_mm_with_anon(1), *child;
	struct folio *f, *n = (struct folio *)1;

	f = shared_page(parent, &child);
	folio_get(f);
	slab_set_fail_hook(fail_migrate, NULL);
	assert_int_equal(migrate_folio_to_new(f, &n, NULL), -ENOMEM);
	slab_set_fail_hook(NULL, NULL);
	assert_null(n);
	assert_false(folio_test_locked(f));
	assert_int_equal(folio_mapcount(f), 2);
	assert_ptr_equal(folio_at(parent, A0), f);
	folio_put(f);
	assert_ptr_equal(folio_at(child, A0), f);
	folio_put(f);
	assert_int_equal(folio_ref_count(f), 3);
	folio_put(f);
	assert_invariants();
	mmput(child);
	mmput(parent);
}

/* --- concurrency -------------------------------------------------------- */

#define STRESS_PAGES 8
#define STRESS_ROUNDS 200	/* at least this many forks */
#define STRESS_OPS 400		/* and this many reclaims + migrations */
#define STRESS_MAX_ROUNDS 20000

struct stress {
	struct mm_struct *parent;
	int stop;		/* atomic */
	int started;		/* atomic: the reclaimer runs */
	int errors;		/* atomic: wrong values, unexpected errors */
	unsigned long reclaimed, migrated;	/* atomic */
};

static void stress_error(struct stress *s)
{
	__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED);
}

/* Reclaim, migrate and age the parent's pages, whatever maps them. */
static void *stress_reclaimer(void *arg)
{
	struct stress *s = arg;
	unsigned long i, found = 0;

	__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
	for (i = 0; !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		unsigned long addr = A0 + (i % STRESS_PAGES) * PAGE_SIZE;
		struct folio *f = folio_at(s->parent, addr), *n = NULL;
		int ret;

		if (!f)
			continue;
		/*
		 * The action rotates with the folios found, not with the
		 * pages looked at: when the scheduler runs this thread alone
		 * for long (valgrind does), reclaim empties the parent and a
		 * rotation by page would pass over migration without ever
		 * meeting a folio.
		 */
		switch ((found++ / STRESS_PAGES) % 4) {
		case 0:
		case 1:
			ret = reclaim_folio(f, i & 1, NULL);
			if (ret == 0)
				__atomic_fetch_add(&s->reclaimed, 1,
						   __ATOMIC_RELAXED);
			else if (ret != -EAGAIN)
				stress_error(s);
			break;
		case 2:
			ret = migrate_folio_to_new(f, &n, NULL);
			if (ret == 0) {
				__atomic_fetch_add(&s->migrated, 1,
						   __ATOMIC_RELAXED);
				folio_put(n);
			} else if (ret != -EAGAIN) {
				stress_error(s);
			}
			break;
		default:
			if (folio_referenced(f, NULL) < 0)
				stress_error(s);
			break;
		}
		folio_put(f);
	}
	return NULL;
}

static bool stress_enough(struct stress *s)
{
	unsigned long r = __atomic_load_n(&s->reclaimed, __ATOMIC_RELAXED);
	unsigned long m = __atomic_load_n(&s->migrated, __ATOMIC_RELAXED);

	return r && m && r + m >= STRESS_OPS;
}

/*
 * Fork children that read the shared pages, write some of their own,
 * and exit, while the parent reads its pages back in.
 */
static void stress_mutator(struct stress *s)
{
	int round, i;

	for (round = 0; round < STRESS_MAX_ROUNDS; round++) {
		int err = 0;
		struct mm_struct *child = dup_mm(s->parent, &err);
		uint64_t v;

		if (!child) {
			stress_error(s);
			break;
		}
		for (i = 0; i < STRESS_PAGES; i++) {
			unsigned long addr = A0 + i * PAGE_SIZE;

			v = 0;
			if (access_page(child, addr, false, &v) ||
			    v != 100 + (uint64_t)i)
				stress_error(s);
			if ((i + round) % 3 == 0) {
				v = 1000 + round;
				if (access_page(child, addr, true, &v))
					stress_error(s);
				v = 0;
				if (access_page(child, addr, false, &v) ||
				    v != 1000 + (uint64_t)round)
					stress_error(s);
			}
			v = 0;
			if (access_page(s->parent, addr, false, &v) ||
			    v != 100 + (uint64_t)i)
				stress_error(s);
		}
		mmput(child);
		if (round >= STRESS_ROUNDS && stress_enough(s))
			break;
	}
}

/*
 * Reclaim and migration race with fork, COW, swap-in and exit: every
 * value read stays right, and afterwards every invariant holds and no
 * slot or object is left.
 */
static void test_swap_concurrent(void **state)
{
	struct stress s = { .parent = new_mm_with_anon(STRESS_PAGES) };
	pthread_t t;
	int i;

	for (i = 0; i < STRESS_PAGES; i++)
		write_page(s.parent, A0 + i * PAGE_SIZE, 100 + i);
	assert_int_equal(pthread_create(&t, NULL, stress_reclaimer, &s), 0);
	while (!__atomic_load_n(&s.started, __ATOMIC_ACQUIRE))
		sched_yield();
	stress_mutator(&s);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);

	assert_int_equal(s.errors, 0);
	assert_true(s.reclaimed > 0);
	assert_true(s.migrated > 0);
	assert_invariants();
	for (i = 0; i < STRESS_PAGES; i++)
		assert_int_equal(read_page(s.parent, A0 + i * PAGE_SIZE),
				 100 + i);
	assert_int_equal(s.parent->rss_anon, STRESS_PAGES);
	assert_int_equal(s.parent->rss_swap, 0);
	assert_invariants();
	mmput(s.parent);
}

#define SWAP_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SWAP_TEST(test_swap_slots),
		SWAP_TEST(test_swap_exclusive_roundtrip),
		SWAP_TEST(test_swap_exit_frees_slots),
		SWAP_TEST(test_swap_2010_sequence),
		SWAP_TEST(test_swap_nocache_tags_root),
		SWAP_TEST(test_swap_keepcache_keeps_anon_vma),
		SWAP_TEST(test_reclaim_file_folio),
		SWAP_TEST(test_folio_referenced),
		SWAP_TEST(test_migrate_shared),
		SWAP_TEST(test_migrate_exclusive),
		SWAP_TEST(test_migrate_swapcache),
		SWAP_TEST(test_migrate_enomem),
		SWAP_TEST(test_swap_concurrent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
