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

/** tl_setup() - start a fresh model following @design. */
void tl_setup(enum anonvma_design design);
/** tl_teardown() - exit every mm still live, assert no invariant violation, no leak, no WARN. */
void tl_teardown(void);
/** tl_check() - assert the invariant checker finds nothing now. */
void tl_check(void);

struct mm_struct *tl_mm(void);
struct mm_struct *tl_fork(struct mm_struct *mm);
void tl_exit(struct mm_struct *mm);
/** tl_map() - private anonymous mapping of pages [first, first + n) with @prot. */
void tl_map(struct mm_struct *mm, unsigned long first, unsigned long n,
	    unsigned long prot);
void tl_mprotect(struct mm_struct *mm, unsigned long first, unsigned long n,
		 unsigned long prot);
void tl_write(struct mm_struct *mm, unsigned long page);
void tl_read(struct mm_struct *mm, unsigned long page);
struct vm_area_struct *tl_vma(struct mm_struct *mm, unsigned long page);
struct folio *tl_folio(struct mm_struct *mm, unsigned long page);
/** tl_anon() - the anon_vma the folio at @page of @mm is tagged with. */
struct anon_vma *tl_anon(struct mm_struct *mm, unsigned long page);
int tl_chain_len(struct vm_area_struct *vma);
/** tl_chain_at() - the anon_vma of the @i-th chain entry of @vma, head first. */
struct anon_vma *tl_chain_at(struct vm_area_struct *vma, int i);
int tl_vmas(struct mm_struct *mm);
unsigned long tl_allocs(struct kmem_cache *c, enum alloc_site site);
unsigned long tl_frees(struct kmem_cache *c, enum alloc_site site);
unsigned long tl_live(struct kmem_cache *c);
/** tl_fail_nth() - make the @n-th allocation from now fail (0: never). */
void tl_fail_nth(unsigned long n);

#endif
