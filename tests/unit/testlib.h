/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the unit tests: a model per test case, a window of
 * real addresses, and exact-assertion shorthands.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <anonvma/anonvma.h>

#define WIN 0x200000000000UL
#define PG(n) (WIN + (unsigned long)(n) * PAGE_SIZE)
#define RW (PROT_READ | PROT_WRITE)

/** tl_setup() - start a fresh model following @design. */
void tl_setup(enum anonvma_design design);
/** tl_teardown() - exit every mm still live, assert no invariant violation, no leak, no WARN. */
void tl_teardown(void);
/** tl_check() - assert the invariant checker finds nothing now. */
void tl_check(void);

/*
 * cmocka fixtures for the common case: each test case on a fresh model
 * of one design, torn down with tl_teardown()'s checks.
 */
/** tl_case_setup() - fixture: tl_setup(DESIGN_MAINLINE). */
int tl_case_setup(void **state);
/** tl_case_setup_v6_18() - fixture: tl_setup(DESIGN_V6_18). */
int tl_case_setup_v6_18(void **state);
/** tl_case_teardown() - fixture: tl_teardown(). */
int tl_case_teardown(void **state);
/* A test case with those fixtures, for the cmocka test array. */
#define TL_CASE(f) \
	cmocka_unit_test_setup_teardown(f, tl_case_setup, tl_case_teardown)
#define TL_CASE_V6_18(f) \
	cmocka_unit_test_setup_teardown(f, tl_case_setup_v6_18, \
					tl_case_teardown)

struct mm_struct *tl_mm(void);
struct mm_struct *tl_fork(struct mm_struct *mm);
void tl_exit(struct mm_struct *mm);
/** tl_map() - private anonymous mapping of pages [first, first + n) with @prot. */
void tl_map(struct mm_struct *mm, unsigned long first, unsigned long n,
	    unsigned long prot);
void tl_mprotect(struct mm_struct *mm, unsigned long first, unsigned long n,
		 unsigned long prot);
void tl_write(struct mm_struct *mm, unsigned long page);
/** tl_faulted_mm() - a new process with pages [0, 4) mapped RW and written. */
struct mm_struct *tl_faulted_mm(void);
void tl_read(struct mm_struct *mm, unsigned long page);
struct vm_area_struct *tl_vma(struct mm_struct *mm, unsigned long page);
/** tl_pte() - a copy of the PTE of @page (none when no page table covers it). */
pte_t tl_pte(struct mm_struct *mm, unsigned long page);
struct folio *tl_folio(struct mm_struct *mm, unsigned long page);
/** tl_anon() - the anon_vma the folio at @page of @mm is tagged with. */
struct anon_vma *tl_anon(struct mm_struct *mm, unsigned long page);
int tl_chain_len(struct vm_area_struct *vma);
/**
 * tl_assert_walk() - the folio at @page of @mm has index @index, and an
 * rmap walk of it (folio_referenced()) visits @visited VMAs of which
 * @mapped map it.
 */
void tl_assert_walk(struct mm_struct *mm, unsigned long page,
		    unsigned long index, unsigned long visited,
		    unsigned long mapped);
/** tl_chain_at() - the anon_vma of the @i-th chain entry of @vma, head first. */
struct anon_vma *tl_chain_at(struct vm_area_struct *vma, int i);
int tl_vmas(struct mm_struct *mm);
unsigned long tl_allocs(struct kmem_cache *c, enum alloc_site site);
unsigned long tl_frees(struct kmem_cache *c, enum alloc_site site);
unsigned long tl_live(struct kmem_cache *c);
/** tl_fail_nth() - make the @n-th allocation from now fail (0: never). */
void tl_fail_nth(unsigned long n);
/** tl_setup_fail_hook() - put back the hook tl_fail_nth() drives, failing nothing. */
void tl_setup_fail_hook(void);

#endif
