/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

/* From mm/internal.h: the count of fired WARN_ONs. */
unsigned long vm_warn_count(void);

#define TL_MAX_MM 64
static struct mm_struct *tl_mms[TL_MAX_MM];
static unsigned long tl_warns_at_start;
static unsigned long tl_fail_at, tl_alloc_no;

static bool tl_fail_hook(const struct kmem_cache *c, enum alloc_site site,
			 void *arg)
{
	return tl_fail_at && ++tl_alloc_no == tl_fail_at;
}

void tl_fail_nth(unsigned long n)
{
	tl_alloc_no = 0;
	tl_fail_at = n;
}

void tl_setup_fail_hook(void)
{
	tl_fail_nth(0);
	slab_set_fail_hook(tl_fail_hook, NULL);
}

void tl_setup(enum anonvma_design design)
{
	assert_int_equal(anonvma_init(design), 0);
	for (int i = 0; i < TL_MAX_MM; i++)
		tl_mms[i] = NULL;
	tl_setup_fail_hook();
	tl_warns_at_start = vm_warn_count();
}

int tl_case_setup(void **state)
{
	tl_setup(DESIGN_MAINLINE);
	return 0;
}

int tl_case_setup_v6_18(void **state)
{
	tl_setup(DESIGN_V6_18);
	return 0;
}

int tl_case_teardown(void **state)
{
	tl_teardown();
	return 0;
}

void tl_check(void)
{
	struct check_report r;
	int n = check_invariants(&r);

	if (n)
		check_report_print(&r, "  ", stderr);
	assert_int_equal(n, 0);
	assert_int_equal(locks_held_count(), 0);
}

void tl_teardown(void)
{
	tl_check();
	for (int i = 0; i < TL_MAX_MM; i++)
		if (tl_mms[i])
			tl_exit(tl_mms[i]);
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(vm_warn_count(), tl_warns_at_start);
	assert_int_equal(anonvma_exit(stderr), 0);
}

static void tl_track(struct mm_struct *mm)
{
	for (int i = 0; i < TL_MAX_MM; i++)
		if (!tl_mms[i]) {
			tl_mms[i] = mm;
			return;
		}
	fail_msg("too many mms");
}

struct mm_struct *tl_mm(void)
{
	struct mm_struct *mm = mm_alloc();

	assert_non_null(mm);
	tl_track(mm);
	return mm;
}

struct mm_struct *tl_fork(struct mm_struct *mm)
{
	int err;
	struct mm_struct *child = dup_mm(mm, &err);

	assert_non_null(child);
	assert_int_equal(err, 0);
	tl_track(child);
	return child;
}

void tl_exit(struct mm_struct *mm)
{
	for (int i = 0; i < TL_MAX_MM; i++)
		if (tl_mms[i] == mm)
			tl_mms[i] = NULL;
	mmput(mm);
}

void tl_map(struct mm_struct *mm, unsigned long first, unsigned long n,
	    unsigned long prot)
{
	long r = sys_mmap(mm, PG(first), n * PAGE_SIZE, prot,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  NULL, 0);

	assert_int_equal(r, (long)PG(first));
}

void tl_mprotect(struct mm_struct *mm, unsigned long first, unsigned long n,
		 unsigned long prot)
{
	assert_int_equal(sys_mprotect(mm, PG(first), n * PAGE_SIZE, prot), 0);
}

void tl_write(struct mm_struct *mm, unsigned long page)
{
	uint64_t v = 0x1000 + page;

	assert_int_equal(access_page(mm, PG(page), true, &v), 0);
}

struct mm_struct *tl_faulted_mm(void)
{
	struct mm_struct *mm = tl_mm();
	int i;

	tl_map(mm, 0, 4, RW);
	for (i = 0; i < 4; i++)
		tl_write(mm, i);
	return mm;
}

void tl_read(struct mm_struct *mm, unsigned long page)
{
	uint64_t v;

	assert_int_equal(access_page(mm, PG(page), false, &v), 0);
}

struct vm_area_struct *tl_vma(struct mm_struct *mm, unsigned long page)
{
	struct vm_area_struct *vma = vma_lookup(mm, PG(page));

	assert_non_null(vma);
	return vma;
}

void tl_assert_walk(struct mm_struct *mm, unsigned long page,
		    unsigned long index, unsigned long visited,
		    unsigned long mapped)
{
	struct folio *f = folio_at(mm, PG(page));
	struct walk_stats st;

	assert_non_null(f);
	assert_int_equal(f->index, index);
	folio_referenced(f, &st);
	assert_int_equal(st.visited, visited);
	assert_int_equal(st.mapped, mapped);
	folio_put(f);
}

pte_t tl_pte(struct mm_struct *mm, unsigned long page)
{
	pte_t pte = { 0 };
	pte_t *ptep;

	spin_lock(&mm->page_table_lock);
	ptep = pte_offset_map(mm, PG(page), false, NULL);
	if (ptep)
		pte = (pte_t){ READ_ONCE(ptep->val) };
	spin_unlock(&mm->page_table_lock);
	return pte;
}

struct folio *tl_folio(struct mm_struct *mm, unsigned long page)
{
	struct folio *f = folio_at(mm, PG(page));

	assert_non_null(f);
	folio_put(f);	/* still mapped: the PTE holds a reference */
	return f;
}

struct anon_vma *tl_anon(struct mm_struct *mm, unsigned long page)
{
	struct anon_vma *av = folio_anon_vma(tl_folio(mm, page));

	assert_non_null(av);
	return av;
}

int tl_chain_len(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	int n = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		n++;
	return n;
}

struct anon_vma *tl_chain_at(struct vm_area_struct *vma, int i)
{
	struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (i-- == 0)
			return avc->anon_vma;
	fail_msg("chain shorter than asked");
	return NULL;
}

int tl_vmas(struct mm_struct *mm)
{
	return mm->map_count;
}

unsigned long tl_allocs(struct kmem_cache *c, enum alloc_site site)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	return st.allocs[site];
}

unsigned long tl_frees(struct kmem_cache *c, enum alloc_site site)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	return st.frees[site];
}

unsigned long tl_live(struct kmem_cache *c)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	return st.live;
}
