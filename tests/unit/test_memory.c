/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for page faults, COW, zap, fork's PTE copy, mremap's PTE
 * move, mprotect and the simulated page cache (mm/memory.c,
 * mm/pgtable_ops.c, mm/pgtable.c, mm/filemap.c), through the public
 * API: a process maps memory with sys_mmap() and touches it with
 * access_page(); the tests then look at the PTEs, the folios and the
 * anon_vmas.  Each test starts a fresh model (DESIGN_MAINLINE) and
 * ends with the invariant checker, no WARN, no lock held and no leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "testlib.h"
#include "internal.h"

/* --- helpers ------------------------------------------------------------ */

static uint64_t rd(struct mm_struct *mm, unsigned long page)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(access_page(mm, PG(page), false, &v), 0);
	return v;
}

static void wr(struct mm_struct *mm, unsigned long page, uint64_t v)
{
	assert_int_equal(access_page(mm, PG(page), true, &v), 0);
}

static void assert_rss(struct mm_struct *mm, unsigned long anon,
		       unsigned long file, unsigned long swap)
{
	assert_int_equal(mm->rss_anon, anon);
	assert_int_equal(mm->rss_file, file);
	assert_int_equal(mm->rss_swap, swap);
}

static uintptr_t anon_mapping(struct anon_vma *av)
{
	return (uintptr_t)av | FOLIO_MAPPING_ANON;
}

static struct mm_struct *map_anon(unsigned long first, unsigned long n,
				  unsigned long prot)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, first, n, prot);
	return mm;
}

static void map_file(struct mm_struct *mm, unsigned long first,
		     unsigned long n, unsigned long prot, unsigned long flags,
		     struct file *f, unsigned long pgoff)
{
	long r = sys_mmap(mm, PG(first), n * PAGE_SIZE, prot,
			  flags | MAP_FIXED_NOREPLACE, f, pgoff);

	assert_int_equal(r, (long)PG(first));
}

/* Fail every allocation from one cache. */
static struct kmem_cache *fail_cache;

static bool fail_cache_hook(const struct kmem_cache *c, enum alloc_site site,
			    void *arg)
{
	return c == fail_cache;
}

static void fail_allocs_from(struct kmem_cache *c)
{
	fail_cache = c;
	slab_set_fail_hook(c ? fail_cache_hook : NULL, NULL);
}

/* --- anonymous faults ---------------------------------------------------- */

/* A read of untouched anon memory maps the zero page and nothing else. */
static void test_read_maps_zero_page(void **state)
{
	struct mm_struct *mm = map_anon(0, 4, RW);

	assert_int_equal(rd(mm, 1), 0);
	assert_true(is_zero_pte(tl_pte(mm, 1)));
	assert_false(pte_write(tl_pte(mm, 1)));
	assert_true(pte_none(tl_pte(mm, 0)));
	assert_null(tl_vma(mm, 1)->anon_vma);
	assert_int_equal(tl_live(folio_cachep), 0);
	assert_int_equal(tl_live(anon_vma_cachep), 0);
	assert_rss(mm, 0, 0, 0);
	tl_check();
}

/* A write prepares the anon_vma and maps a new exclusive folio. */
static void test_write_maps_new_folio(void **state)
{
	struct mm_struct *mm = map_anon(0, 4, RW);
	struct vm_area_struct *vma;
	struct folio *f;

	wr(mm, 2, 42);
	vma = tl_vma(mm, 2);
	assert_non_null(vma->anon_vma);
	f = tl_folio(mm, 2);
	assert_int_equal(f->mapping, anon_mapping(vma->anon_vma));
	assert_int_equal(f->index, linear_page_index(vma, PG(2)));
	assert_int_equal(f->index, PG(2) >> PAGE_SHIFT);
	assert_true(PageAnonExclusive(f));
	assert_int_equal(folio_mapcount(f), 1);
	assert_int_equal(folio_ref_count(f), 1);
	assert_true(folio_test_flag(f, PG_young));
	assert_true(pte_write(tl_pte(mm, 2)));
	assert_int_equal(rd(mm, 2), 42);
	assert_rss(mm, 1, 0, 0);
	tl_check();

	/* Zero page first, then a write: COW from the zero page. */
	assert_int_equal(rd(mm, 3), 0);
	wr(mm, 3, 7);
	f = tl_folio(mm, 3);
	assert_int_equal(f->mapping, anon_mapping(vma->anon_vma));
	assert_true(PageAnonExclusive(f));
	assert_int_equal(rd(mm, 3), 7);
	assert_int_equal(tl_live(folio_cachep), 2);
	assert_rss(mm, 2, 0, 0);
	tl_check();
}

static void test_access_permissions(void **state)
{
	struct mm_struct *mm = map_anon(0, 1, PROT_READ);
	uint64_t v = 1;

	tl_map(mm, 2, 1, PROT_NONE);
	tl_map(mm, 4, 1, PROT_WRITE);
	/* Outside every VMA. */
	assert_int_equal(access_page(mm, PG(1), false, &v), VM_FAULT_SIGSEGV);
	/* Write to read-only, read or write of PROT_NONE. */
	assert_int_equal(access_page(mm, PG(0), true, &v), VM_FAULT_SIGSEGV);
	assert_int_equal(access_page(mm, PG(2), false, &v), VM_FAULT_SIGSEGV);
	assert_int_equal(access_page(mm, PG(2), true, &v), VM_FAULT_SIGSEGV);
	assert_true(pte_none(tl_pte(mm, 0)));
	/* PROT_WRITE alone is readable, as on x86. */
	assert_int_equal(rd(mm, 4), 0);
	wr(mm, 4, 5);
	assert_int_equal(rd(mm, 4), 5);
	tl_check();
}

/* Injected folio allocation failure: VM_FAULT_OOM, nothing changed. */
static void test_oom_changes_nothing(void **state)
{
	struct mm_struct *mm = map_anon(0, 4, RW);
	struct anon_vma *av;
	struct folio *f;
	uint64_t v = 9;

	wr(mm, 0, 1);
	av = tl_vma(mm, 0)->anon_vma;
	fail_allocs_from(folio_cachep);
	assert_int_equal(access_page(mm, PG(1), true, &v), VM_FAULT_OOM);
	fail_allocs_from(NULL);
	assert_true(pte_none(tl_pte(mm, 1)));
	assert_ptr_equal(tl_vma(mm, 0)->anon_vma, av);
	assert_int_equal(tl_live(folio_cachep), 1);
	assert_rss(mm, 1, 0, 0);
	tl_check();

	/* An unfaulted VMA whose anon_vma cannot be allocated stays so. */
	tl_map(mm, 8, 1, RW);
	fail_allocs_from(anon_vma_cachep);
	assert_int_equal(access_page(mm, PG(8), true, &v), VM_FAULT_OOM);
	fail_allocs_from(NULL);
	assert_null(tl_vma(mm, 8)->anon_vma);
	assert_true(pte_none(tl_pte(mm, 8)));
	tl_check();

	/* COW copy failure: the read-only PTE still maps the shared page. */
	tl_fork(mm);
	f = tl_folio(mm, 0);
	fail_allocs_from(folio_cachep);
	assert_int_equal(access_page(mm, PG(0), true, &v), VM_FAULT_OOM);
	fail_allocs_from(NULL);
	assert_ptr_equal(tl_folio(mm, 0), f);
	assert_false(pte_write(tl_pte(mm, 0)));
	assert_int_equal(folio_mapcount(f), 2);
	assert_int_equal(folio_ref_count(f), 2);
	tl_check();
}

/* --- fork and COW -------------------------------------------------------- */

/* Fork shares pages read-only; the child's write copies. */
static void test_fork_child_write_copies(void **state)
{
	struct mm_struct *parent = map_anon(0, 2, RW), *child;
	struct folio *f, *g;

	wr(parent, 0, 11);
	f = tl_folio(parent, 0);
	child = tl_fork(parent);
	assert_ptr_equal(tl_folio(child, 0), f);
	assert_false(pte_write(tl_pte(parent, 0)));
	assert_false(pte_write(tl_pte(child, 0)));
	assert_false(PageAnonExclusive(f));
	assert_int_equal(folio_mapcount(f), 2);
	assert_int_equal(folio_ref_count(f), 2);
	assert_rss(child, 1, 0, 0);
	/* The unfaulted-by-write page 1 was never touched: nothing copied. */
	assert_true(pte_none(tl_pte(child, 1)));
	tl_check();

	assert_int_equal(rd(child, 0), 11);
	wr(child, 0, 12);
	g = tl_folio(child, 0);
	assert_ptr_not_equal(g, f);
	assert_int_equal(g->mapping, anon_mapping(tl_vma(child, 0)->anon_vma));
	assert_int_equal(g->index, f->index);
	assert_true(PageAnonExclusive(g));
	assert_int_equal(folio_mapcount(f), 1);
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(rd(parent, 0), 11);
	assert_int_equal(rd(child, 0), 12);
	tl_check();

	/* The parent is the only user left: its write reuses in place. */
	wr(parent, 0, 13);
	assert_ptr_equal(tl_folio(parent, 0), f);
	assert_true(PageAnonExclusive(f));
	assert_int_equal(f->mapping, anon_mapping(tl_vma(parent, 0)->anon_vma));
	assert_int_equal(rd(child, 0), 12);
	assert_int_equal(tl_live(folio_cachep), 2);
	tl_check();
}

/*
 * The parent copies first; the child is then the only user of the old
 * page and reuses it, which moves it from the parent's anon_vma to the
 * child's (folio_move_anon_rmap), index unchanged (spec §3.3).
 */
static void test_fork_reuse_moves_anon_rmap(void **state)
{
	struct mm_struct *parent = map_anon(0, 1, RW), *child;
	struct anon_vma *pav, *cav;
	struct folio *f;
	unsigned long index;

	wr(parent, 0, 1);
	f = tl_folio(parent, 0);
	index = f->index;
	child = tl_fork(parent);
	pav = tl_vma(parent, 0)->anon_vma;
	cav = tl_vma(child, 0)->anon_vma;
	assert_ptr_not_equal(pav, cav);
	assert_int_equal(f->mapping, anon_mapping(pav));

	wr(parent, 0, 2);
	assert_ptr_not_equal(tl_folio(parent, 0), f);
	assert_int_equal(tl_folio(parent, 0)->mapping, anon_mapping(pav));
	assert_int_equal(f->mapping, anon_mapping(pav));	/* not moved yet */

	wr(child, 0, 3);
	assert_ptr_equal(tl_folio(child, 0), f);
	assert_int_equal(f->mapping, anon_mapping(cav));
	assert_int_equal(f->index, index);
	assert_true(PageAnonExclusive(f));
	assert_true(pte_write(tl_pte(child, 0)));
	assert_int_equal(rd(parent, 0), 2);
	assert_int_equal(rd(child, 0), 3);
	tl_check();
}

/* After the child exits, the parent's write reuses without a copy. */
static void test_child_exit_parent_reuses(void **state)
{
	struct mm_struct *parent = map_anon(0, 1, RW), *child;
	unsigned long allocs;
	struct folio *f;

	wr(parent, 0, 5);
	f = tl_folio(parent, 0);
	child = tl_fork(parent);
	assert_int_equal(rd(child, 0), 5);
	tl_exit(child);
	assert_int_equal(folio_mapcount(f), 1);
	assert_false(PageAnonExclusive(f));
	assert_false(pte_write(tl_pte(parent, 0)));

	allocs = tl_allocs(folio_cachep, SITE_FAULT);
	wr(parent, 0, 6);
	assert_int_equal(tl_allocs(folio_cachep, SITE_FAULT), allocs);
	assert_ptr_equal(tl_folio(parent, 0), f);
	assert_true(PageAnonExclusive(f));
	assert_true(pte_write(tl_pte(parent, 0)));
	assert_int_equal(rd(parent, 0), 6);
	tl_check();
}

/*
 * An exclusive page of an mm that may have pinned pages cannot be
 * shared: fork gives the child its own copy at once (spec §2.11).
 */
static void test_fork_maybe_pinned_copies(void **state)
{
	struct mm_struct *parent = map_anon(0, 1, RW), *child;
	struct folio *f, *g;

	wr(parent, 0, 21);
	f = tl_folio(parent, 0);
	parent->flags |= MMF_HAS_PINNED;
	child = tl_fork(parent);
	g = tl_folio(child, 0);
	assert_ptr_not_equal(g, f);
	assert_int_equal(g->mapping, anon_mapping(tl_vma(child, 0)->anon_vma));
	assert_true(PageAnonExclusive(g));
	assert_true(PageAnonExclusive(f));
	assert_true(pte_write(tl_pte(parent, 0)));
	assert_int_equal(folio_mapcount(f), 1);
	assert_int_equal(rd(child, 0), 21);
	assert_rss(child, 1, 0, 0);
	tl_check();
}

/* A page table the child cannot get fails the fork cleanly. */
static void test_fork_pgtable_enomem(void **state)
{
	struct mm_struct *parent = map_anon(0, 1, RW), *child;
	struct folio *f;
	int err = 0;

	wr(parent, 0, 3);
	f = tl_folio(parent, 0);
	fail_allocs_from(pgtable_cachep);
	child = dup_mm(parent, &err);
	fail_allocs_from(NULL);
	assert_null(child);
	assert_int_equal(err, -ENOMEM);
	assert_ptr_equal(tl_folio(parent, 0), f);
	assert_int_equal(folio_mapcount(f), 1);
	assert_int_equal(folio_ref_count(f), 1);
	tl_check();
	wr(parent, 0, 4);
	assert_ptr_equal(tl_folio(parent, 0), f);
	tl_check();
}

/* Zero-page PTEs of an unfaulted VMA are not copied: the child refaults. */
static void test_fork_skips_unfaulted(void **state)
{
	struct mm_struct *parent = map_anon(0, 1, RW), *child;

	assert_int_equal(rd(parent, 0), 0);
	child = tl_fork(parent);
	assert_true(pte_none(tl_pte(child, 0)));
	assert_int_equal(rd(child, 0), 0);
	assert_true(is_zero_pte(tl_pte(child, 0)));
	assert_null(tl_vma(child, 0)->anon_vma);
	tl_check();
}

/* --- swap ---------------------------------------------------------------- */

/* Fork of a swap PTE clears its exclusive bit in both processes. */
static void test_fork_swap_entry(void **state)
{
	struct mm_struct *parent = map_anon(0, 1, RW), *child;
	struct folio *f;
	swp_entry_t e;

	wr(parent, 0, 31);
	f = folio_at(parent, PG(0));
	assert_int_equal(reclaim_folio(f, false, NULL), 0);
	folio_put(f);
	assert_true(is_swap_entry_pte(tl_pte(parent, 0)));
	assert_true(pte_swp_exclusive(tl_pte(parent, 0)));
	assert_rss(parent, 0, 0, 1);

	child = tl_fork(parent);
	e = pte_to_swp_entry(tl_pte(parent, 0));
	assert_false(pte_swp_exclusive(tl_pte(parent, 0)));
	assert_int_equal(tl_pte(child, 0).val, tl_pte(parent, 0).val);
	assert_int_equal(swap_count(e), 2);
	assert_rss(child, 0, 0, 1);
	tl_check();

	/* The child's read brings in a shared, root-tagged folio. */
	assert_int_equal(rd(child, 0), 31);
	f = tl_folio(child, 0);
	assert_false(PageAnonExclusive(f));
	assert_int_equal(f->mapping,
			 anon_mapping(tl_vma(child, 0)->anon_vma->root));
	assert_int_equal(swap_count(e), 1);
	assert_rss(child, 1, 0, 0);
	tl_check();

	/* The parent finds it in the swap cache and maps the same folio. */
	assert_int_equal(rd(parent, 0), 31);
	assert_ptr_equal(tl_folio(parent, 0), f);
	assert_int_equal(folio_mapcount(f), 2);
	assert_int_equal(swap_slots_in_use(), 0);
	tl_check();
}

/* Swap the anon page at @page of @mm out, dropping it from the swap cache. */
static void swap_out(struct mm_struct *mm, unsigned long page)
{
	struct folio *f = folio_at(mm, PG(page));

	assert_non_null(f);
	assert_int_equal(reclaim_folio(f, false, NULL), 0);
	folio_put(f);
	assert_true(is_swap_entry_pte(tl_pte(mm, page)));
}

/*
 * Swap-in exclusivity (spec §2.11, §3.2): the exclusive bit of the swap
 * PTE makes the page exclusive (and writable on a write fault); a new
 * folio that never entered the swap cache is exclusive too, since only
 * this PTE referred to the slot, so it is tagged with the VMA's own
 * anon_vma rather than the root.
 */
static void test_swapin_exclusive(void **state)
{
	struct mm_struct *parent = map_anon(0, 2, RW), *child;
	struct anon_vma *cav;
	unsigned long allocs;
	struct folio *f;

	wr(parent, 0, 61);
	swap_out(parent, 0);
	assert_true(pte_swp_exclusive(tl_pte(parent, 0)));
	wr(parent, 0, 62);
	f = tl_folio(parent, 0);
	assert_true(PageAnonExclusive(f));
	assert_true(pte_write(tl_pte(parent, 0)));
	assert_int_equal(f->mapping, anon_mapping(tl_vma(parent, 0)->anon_vma));
	assert_false(folio_test_flag(f, PG_swapcache));
	assert_rss(parent, 1, 0, 0);
	assert_int_equal(swap_slots_in_use(), 0);
	tl_check();

	/* Shared by fork, then the parent goes: the child's slot count is 1. */
	wr(parent, 1, 63);
	swap_out(parent, 1);
	child = tl_fork(parent);
	assert_false(pte_swp_exclusive(tl_pte(child, 1)));
	tl_exit(parent);
	cav = tl_vma(child, 1)->anon_vma;
	assert_ptr_not_equal(cav, cav->root);
	assert_int_equal(rd(child, 1), 63);
	f = tl_folio(child, 1);
	assert_true(PageAnonExclusive(f));
	assert_int_equal(f->mapping, anon_mapping(cav));
	assert_false(pte_write(tl_pte(child, 1)));	/* a read fault */
	assert_false(folio_test_flag(f, PG_swapcache));
	/* A later write reuses it. */
	allocs = tl_allocs(folio_cachep, SITE_FAULT);
	wr(child, 1, 64);
	assert_ptr_equal(tl_folio(child, 1), f);
	assert_int_equal(tl_allocs(folio_cachep, SITE_FAULT), allocs);
	assert_int_equal(swap_slots_in_use(), 0);
	tl_check();
}

/* --- shared and file mappings -------------------------------------------- */

/* MAP_SHARED|MAP_ANONYMOUS: shmem, never an anon_vma, shared with the child. */
static void test_shared_anon(void **state)
{
	struct mm_struct *parent = tl_mm(), *child;
	struct folio *f;

	map_file(parent, 0, 2, RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	assert_int_equal(rd(parent, 1), 0);
	assert_false(pte_write(tl_pte(parent, 1)));
	wr(parent, 0, 41);
	f = tl_folio(parent, 0);
	assert_false(folio_test_anon(f));
	assert_true(pte_write(tl_pte(parent, 0)));
	assert_null(tl_vma(parent, 0)->anon_vma);
	assert_rss(parent, 0, 2, 0);

	child = tl_fork(parent);
	/* Shared VMAs are not copied at fork: the child refaults. */
	assert_true(pte_none(tl_pte(child, 0)));
	assert_int_equal(rd(child, 0), 41);
	assert_ptr_equal(tl_folio(child, 0), f);
	wr(child, 0, 42);
	assert_ptr_equal(tl_folio(child, 0), f);
	assert_int_equal(rd(parent, 0), 42);
	assert_null(tl_vma(child, 0)->anon_vma);
	/* Page cache + two PTEs. */
	assert_int_equal(folio_mapcount(f), 2);
	assert_int_equal(folio_ref_count(f), 3);
	tl_check();
}

/* Private file mapping: reads share the page cache, a write COWs. */
static void test_private_file_cow(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct file *file = file_create("f", 8);
	uint64_t token = ((uint64_t)file->serial << 32) | 3 | (1ULL << 63);
	struct vm_area_struct *vma;
	struct folio *pc, *f;
	uint64_t v;

	map_file(mm, 0, 4, RW, MAP_PRIVATE, file, 2);
	map_file(mm, 8, 4, PROT_READ, MAP_SHARED, file, 2);
	fput(file);	/* the VMAs hold their own references */

	assert_int_equal(rd(mm, 1), token);
	pc = tl_folio(mm, 1);
	assert_false(folio_test_anon(pc));
	assert_int_equal(pc->index, 3);
	assert_false(pte_write(tl_pte(mm, 1)));
	assert_null(tl_vma(mm, 1)->anon_vma);
	assert_rss(mm, 0, 1, 0);

	wr(mm, 1, 51);
	vma = tl_vma(mm, 1);
	f = tl_folio(mm, 1);
	assert_ptr_not_equal(f, pc);
	assert_non_null(vma->anon_vma);
	assert_int_equal(f->mapping, anon_mapping(vma->anon_vma));
	assert_int_equal(f->index, 3);	/* the file offset */
	assert_true(PageAnonExclusive(f));
	assert_rss(mm, 1, 0, 0);
	/* The page cache is untouched: the shared view still sees it. */
	assert_int_equal(rd(mm, 9), token);
	assert_ptr_equal(tl_folio(mm, 9), pc);
	tl_check();

	/* A write fault on a none PTE copies directly (do_cow_fault). */
	wr(mm, 2, 52);
	f = tl_folio(mm, 2);
	assert_true(folio_test_anon(f));
	assert_int_equal(f->index, 4);
	assert_rss(mm, 2, 1, 0);

	/* Beyond the end of the file: SIGBUS. */
	map_file(mm, 16, 8, PROT_READ, MAP_PRIVATE, file, 4);
	assert_int_equal(access_page(mm, PG(20), false, &v), VM_FAULT_SIGBUS);
	assert_int_equal(rd(mm, 19), ((uint64_t)file->serial << 32) | 7 |
					     (1ULL << 63));
	tl_check();
}

/* --- zap, mprotect, mremap, page tables ---------------------------------- */

static void test_dontneed_keeps_anon_vma(void **state)
{
	struct mm_struct *mm = map_anon(0, 2, RW);
	struct anon_vma *av;

	wr(mm, 0, 1);
	wr(mm, 1, 2);
	av = tl_vma(mm, 0)->anon_vma;
	assert_int_equal(sys_madvise(mm, PG(0), 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_true(pte_none(tl_pte(mm, 0)));
	assert_true(pte_none(tl_pte(mm, 1)));
	assert_int_equal(tl_live(folio_cachep), 0);
	assert_ptr_equal(tl_vma(mm, 0)->anon_vma, av);
	assert_rss(mm, 0, 0, 0);
	tl_check();

	assert_int_equal(rd(mm, 0), 0);
	assert_true(is_zero_pte(tl_pte(mm, 0)));
	wr(mm, 1, 3);
	assert_int_equal(tl_folio(mm, 1)->mapping, anon_mapping(av));
	tl_check();
}

/* mprotect write-protects; write permission back: reuse, no copy. */
static void test_mprotect_wrprotect(void **state)
{
	struct mm_struct *mm = map_anon(0, 1, RW);
	struct folio *f;

	wr(mm, 0, 1);
	f = tl_folio(mm, 0);
	tl_mprotect(mm, 0, 1, PROT_READ);
	assert_false(pte_write(tl_pte(mm, 0)));
	assert_int_equal(rd(mm, 0), 1);
	tl_mprotect(mm, 0, 1, RW);
	assert_false(pte_write(tl_pte(mm, 0)));
	wr(mm, 0, 2);
	assert_ptr_equal(tl_folio(mm, 0), f);
	assert_true(pte_write(tl_pte(mm, 0)));
	tl_check();
}

/* mremap moves PTEs: same folios, same index, new addresses. */
static void test_mremap_moves_ptes(void **state)
{
	struct mm_struct *mm = map_anon(0, 2, RW);
	struct folio *f0, *f1;
	long r;

	wr(mm, 0, 1);
	wr(mm, 1, 2);
	f0 = tl_folio(mm, 0);
	f1 = tl_folio(mm, 1);
	r = sys_mremap(mm, PG(0), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, PG(600));
	assert_int_equal(r, (long)PG(600));
	assert_true(pte_none(tl_pte(mm, 0)));
	assert_ptr_equal(tl_folio(mm, 600), f0);
	assert_ptr_equal(tl_folio(mm, 601), f1);
	assert_int_equal(f0->index, PG(0) >> PAGE_SHIFT);
	assert_int_equal(folio_mapcount(f0), 1);
	assert_int_equal(rd(mm, 601), 2);
	assert_rss(mm, 2, 0, 0);
	tl_check();
}

/* munmap frees the page tables that only the unmapped VMA used. */
static void test_pgtables_freed(void **state)
{
	struct mm_struct *mm = map_anon(0, 1, RW);
	unsigned long base;

	/* The PGD alone: nothing has faulted yet. */
	assert_null(mm->pgd);
	wr(mm, 0, 1);
	base = tl_live(pgtable_cachep);
	assert_int_equal(base, 4);	/* PGD, PUD, PMD, PTE */

	/* A neighbour in the same PTE table keeps it alive... */
	tl_map(mm, 1, 1, RW);
	wr(mm, 1, 2);
	assert_int_equal(sys_munmap(mm, PG(0), PAGE_SIZE), 0);
	assert_int_equal(tl_live(pgtable_cachep), 4);
	assert_int_equal(rd(mm, 1), 2);

	/* ...a mapping 1 GiB away needs its own PMD and PTE tables... */
	tl_map(mm, 512 * 512, 1, RW);
	wr(mm, 512 * 512, 3);
	assert_int_equal(tl_live(pgtable_cachep), 6);
	assert_int_equal(sys_munmap(mm, PG(512 * 512), PAGE_SIZE), 0);
	assert_int_equal(tl_live(pgtable_cachep), 4);

	/* ...and the last unmap leaves only the PGD. */
	assert_int_equal(sys_munmap(mm, PG(1), PAGE_SIZE), 0);
	assert_int_equal(tl_live(pgtable_cachep), 1);
	assert_rss(mm, 0, 0, 0);
	tl_check();
}

/* --- concurrency ----------------------------------------------------------- */

#define STRESS_PAGES	64
#define STRESS_FAULTERS	4
#define STRESS_ITERS	3000

struct stress {
	struct mm_struct *mm;
	int stop;		/* atomic: the faulters are done */
	int id;
};

/*
 * A faulting thread: pages id, id + 4, ... belong to it; it writes them
 * and reads them back (0 is allowed: MADV_DONTNEED may have dropped the
 * page).  It also reads the other threads' pages, racing with their
 * faults on the same PTEs.
 */
static void *stress_faulter(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = st->id + 1;
	uint64_t mine[STRESS_PAGES] = { 0 };
	int i;

	for (i = 0; i < STRESS_ITERS; i++) {
		unsigned long page = rand_r(&seed) % STRESS_PAGES;
		bool owned = page % STRESS_FAULTERS == (unsigned long)st->id;
		uint64_t v = ((uint64_t)st->id << 32) | i;

		if (owned && rand_r(&seed) % 2) {
			if (access_page(st->mm, PG(page), true, &v))
				return (void *)1;
			mine[page] = v;
		} else {
			if (access_page(st->mm, PG(page), false, &v))
				return (void *)1;
			if (owned && v != mine[page] && v != 0)
				return (void *)2;
		}
	}
	return NULL;
}

/* Fork and exit, MADV_DONTNEED, reclaim and migration, until told to stop. */
static void *stress_disturber(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = 77 + st->id;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		unsigned long page = rand_r(&seed) % STRESS_PAGES;
		struct folio *f;
		int err;

		switch (st->id) {
		case 0: {
			struct mm_struct *child = dup_mm(st->mm, &err);
			uint64_t v = 1;

			if (!child)
				return (void *)1;
			if (access_page(child, PG(page), rand_r(&seed) % 2, &v))
				return (void *)1;
			mmput(child);
			break;
		}
		case 1:
			if (sys_madvise(st->mm, PG(page), PAGE_SIZE, MADV_DONTNEED))
				return (void *)1;
			break;
		default:
			f = folio_at(st->mm, PG(page));
			if (!f)
				break;
			if (folio_test_anon(f)) {
				if (st->id == 2)
					reclaim_folio(f, rand_r(&seed) % 2, NULL);
				else
					migrate_folio_to_new(f, NULL, NULL);
			}
			folio_put(f);
			break;
		}
	}
	return NULL;
}

static void test_concurrent_faults(void **state)
{
	struct mm_struct *mm = map_anon(0, STRESS_PAGES, RW);
	struct stress f[STRESS_FAULTERS], d[4];
	pthread_t ft[STRESS_FAULTERS], dt[4];
	void *ret;
	int i;

	for (i = 0; i < 4; i++) {
		d[i] = (struct stress){ .mm = mm, .id = i };
		assert_int_equal(pthread_create(&dt[i], NULL, stress_disturber,
						&d[i]), 0);
	}
	for (i = 0; i < STRESS_FAULTERS; i++) {
		f[i] = (struct stress){ .mm = mm, .id = i };
		assert_int_equal(pthread_create(&ft[i], NULL, stress_faulter,
						&f[i]), 0);
	}
	for (i = 0; i < STRESS_FAULTERS; i++) {
		assert_int_equal(pthread_join(ft[i], &ret), 0);
		assert_null(ret);
	}
	for (i = 0; i < 4; i++)
		__atomic_store_n(&d[i].stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(dt[i], &ret), 0);
		assert_null(ret);
	}
	tl_check();
	tl_exit(mm);
	/*
	 * A swap_free() or zap whose folio trylock lost a race may leave
	 * an unmapped folio in the swap cache with no swap PTE using its
	 * slot, as in the kernel, where LRU reclaim frees it later.  The
	 * model's stand-in for that reclaim is the sweep of swap_exit():
	 * after it, no slot may be left.
	 */
	assert_int_equal(swap_exit(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_CASE(test_read_maps_zero_page),
		TL_CASE(test_write_maps_new_folio),
		TL_CASE(test_access_permissions),
		TL_CASE(test_oom_changes_nothing),
		TL_CASE(test_fork_child_write_copies),
		TL_CASE(test_fork_reuse_moves_anon_rmap),
		TL_CASE(test_child_exit_parent_reuses),
		TL_CASE(test_fork_maybe_pinned_copies),
		TL_CASE(test_fork_pgtable_enomem),
		TL_CASE(test_fork_skips_unfaulted),
		TL_CASE(test_fork_swap_entry),
		TL_CASE(test_swapin_exclusive),
		TL_CASE(test_shared_anon),
		TL_CASE(test_private_file_cow),
		TL_CASE(test_dontneed_keeps_anon_vma),
		TL_CASE(test_mprotect_wrprotect),
		TL_CASE(test_mremap_moves_ptes),
		TL_CASE(test_pgtables_freed),
		TL_CASE(test_concurrent_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
