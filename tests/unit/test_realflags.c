/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for what real programs pass to mmap, madvise and the mlock
 * family, where the host kernel cannot show the result (the scenario
 * corpus's real-*.scn files check the rest against it): the errno of
 * what the model does not implement, where MAP_32BIT and the stack
 * guard gap put a mapping, the folio state MADV_FREE and MADV_COLD
 * leave, MADV_FREE of swap entries, def_flags across fork, populate's
 * zero pages, and a stack growth whose anon_vma cannot be prepared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>

#include "testlib.h"
#include "internal.h"

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* Not modelled: ENOSYS, nothing mapped; unknown advice stays EINVAL. */
static void test_not_modelled(void **state)
{
	struct mm_struct *mm = tl_mm();

	assert_int_equal(sys_mmap(mm, PG(0), PAGE_SIZE, RW,
				  ANON | MAP_FIXED | MAP_HUGETLB, NULL, 0),
			 -ENOSYS);
	assert_int_equal(sys_mmap(mm, PG(0), PAGE_SIZE, RW,
				  MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED,
				  NULL, 0), -ENOSYS);
	assert_int_equal(tl_vmas(mm), 0);
	tl_map(mm, 0, 2, RW);
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_MERGEABLE), -ENOSYS);
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_REMOVE), -ENOSYS);
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, 99), -EINVAL);
	/* A zero length is success before anything else is looked at. */
	assert_int_equal(sys_madvise(mm, PG(0), 0, MADV_COLLAPSE), 0);
	assert_int_equal(sys_mlock2(mm, PG(0), PAGE_SIZE, 2), -EINVAL);
	assert_int_equal(sys_mlockall(mm, 0), -EINVAL);
	assert_int_equal(sys_mlockall(mm, MCL_ONFAULT), -EINVAL);
	assert_int_equal(sys_mlockall(mm, 8), -EINVAL);
}

/* MAP_32BIT puts a non-fixed mapping in [1 GiB, 2 GiB), hint or not. */
static void test_map_32bit(void **state)
{
	struct mm_struct *mm = tl_mm();
	long a, b;

	a = sys_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON | MAP_32BIT, NULL, 0);
	assert_int_equal(a, 0x40000000L);
	b = sys_mmap(mm, PG(0), PAGE_SIZE, RW, ANON | MAP_32BIT, NULL, 0);
	assert_int_equal(b, 0x40000000L + 4 * (long)PAGE_SIZE);
	/* Without it, the hint is taken. */
	assert_int_equal(sys_mmap(mm, PG(0), PAGE_SIZE, RW, ANON, NULL, 0),
			 (long)PG(0));
}

/* A free-area search leaves the 256-page guard gap below a stack free. */
static void test_stack_guard_gap_placement(void **state)
{
	struct mm_struct *mm = tl_mm();
	long a;

	assert_int_equal(sys_mmap(mm, PG(300), PAGE_SIZE, RW,
				  ANON | MAP_FIXED | MAP_GROWSDOWN, NULL, 0),
			 (long)PG(300));
	/* Page 100 would end 199 pages below the stack: skipped. */
	a = sys_mmap(mm, PG(100), PAGE_SIZE, RW, ANON, NULL, 0);
	assert_int_equal(a, (long)PG(301));
	/* Page 43 ends 256 pages below it: allowed. */
	a = sys_mmap(mm, PG(43), PAGE_SIZE, RW, ANON, NULL, 0);
	assert_int_equal(a, (long)PG(43));
	assert_true(tl_vma(mm, 300)->vm_flags & VM_GROWSDOWN);
}

/* MADV_FREE: lazily free, clean; a store dirties it again. */
static void test_madv_free_state(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct folio *f0 = tl_folio(mm, 0), *f1 = tl_folio(mm, 1);
	uint64_t v = 7;

	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_FREE), 0);
	assert_false(folio_test_flag(f0, PG_swapbacked));
	assert_false(pte_dirty(tl_pte(mm, 0)));
	assert_false(folio_test_flag(f0, PG_young));
	assert_true(folio_test_flag(f1, PG_swapbacked));
	assert_true(pte_dirty(tl_pte(mm, 1)));
	assert_int_equal(access_page(mm, PG(0), true, &v), 0);
	assert_true(pte_dirty(tl_pte(mm, 0)));
	/* Written again: reclaim keeps it. */
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_ptr_equal(tl_folio(mm, 0), f0);
	/* Not written again: reclaim discards it, a read finds zero. */
	assert_int_equal(sys_madvise(mm, PG(1), PAGE_SIZE, MADV_FREE), 0);
	assert_int_equal(sys_madvise(mm, PG(1), PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_true(pte_none(tl_pte(mm, 1)));
	assert_int_equal(access_page(mm, PG(1), false, &v), 0);
	assert_int_equal(v, 0);
	assert_true(tl_vma(mm, 1)->anon_vma != NULL);	/* kept, as DONTNEED */
	tl_check();
}

/* MADV_FREE drops swap entries at once, freeing their slots. */
static void test_madv_free_swap(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct folio *folio = folio_at(mm, PG(2));
	unsigned long slots = swap_slots_in_use();

	assert_int_equal(reclaim_folio(folio, false, NULL), 0);
	folio_put(folio);
	assert_int_equal(swap_slots_in_use(), slots + 1);
	assert_true(is_swap_entry_pte(tl_pte(mm, 2)));
	assert_int_equal(sys_madvise(mm, PG(0), 4 * PAGE_SIZE, MADV_FREE), 0);
	assert_true(pte_none(tl_pte(mm, 2)));
	assert_int_equal(swap_slots_in_use(), slots);
	assert_int_equal(mm->rss_swap, 0);
	tl_check();
}

/* COLD ages a page only this process maps; a shared one is left alone. */
static void test_madv_cold(void **state)
{
	struct mm_struct *mm = tl_faulted_mm(), *child;
	struct folio *f0 = tl_folio(mm, 0), *f1;
	uint64_t v;

	folio_set_flag(f0, PG_referenced);
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_COLD), 0);
	assert_false(folio_test_flag(f0, PG_young));
	assert_false(folio_test_flag(f0, PG_referenced));
	child = tl_fork(mm);
	f1 = tl_folio(mm, 1);
	assert_int_equal(access_page(mm, PG(1), false, &v), 0);
	assert_int_equal(sys_madvise(mm, PG(1), PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_true(folio_test_flag(f1, PG_young));
	assert_ptr_equal(tl_folio(mm, 1), f1);
	tl_exit(child);
}

/* MCL_FUTURE is the mm's, not inherited; fork unlocks the child's VMAs. */
static void test_mlockall_fork(void **state)
{
	struct mm_struct *mm = tl_mm(), *child;

	assert_int_equal(sys_mlockall(mm, MCL_FUTURE | MCL_ONFAULT), 0);
	assert_int_equal(mm->def_flags, VM_LOCKED | VM_LOCKONFAULT);
	tl_map(mm, 0, 2, RW);
	assert_int_equal(tl_vma(mm, 0)->vm_flags & VM_LOCKED_MASK,
			 VM_LOCKED | VM_LOCKONFAULT);
	assert_true(pte_none(tl_pte(mm, 0)));	/* on fault: not populated */
	child = tl_fork(mm);
	assert_int_equal(child->def_flags, 0);
	assert_int_equal(tl_vma(child, 0)->vm_flags & VM_LOCKED_MASK, 0);
	assert_int_equal(sys_munlockall(mm), 0);
	assert_int_equal(mm->def_flags, 0);
	assert_int_equal(tl_vma(mm, 0)->vm_flags & VM_LOCKED_MASK, 0);
	tl_exit(child);
}

/* mlock read-faults a read-only private mapping: zero pages, no anon_vma. */
static void test_mlock_populates_zero_pages(void **state)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 2, PROT_READ);
	assert_int_equal(sys_mlock(mm, PG(0), 2 * PAGE_SIZE), 0);
	assert_true(is_zero_pte(tl_pte(mm, 0)));
	assert_true(is_zero_pte(tl_pte(mm, 1)));
	assert_null(tl_vma(mm, 0)->anon_vma);
	/* PROT_NONE: locked, not faulted, ENOMEM (POSIX's name for EFAULT). */
	tl_map(mm, 4, 1, PROT_NONE);
	assert_int_equal(sys_mlock(mm, PG(4), PAGE_SIZE), -ENOMEM);
	assert_true(tl_vma(mm, 4)->vm_flags & VM_LOCKED);
	/*
	 * A start inside a page is rounded down and the length grown to
	 * match: [1, 3) meets the hole at page 2 after unlocking page 1.
	 */
	assert_int_equal(sys_munlock(mm, PG(1) + 5, PAGE_SIZE), -ENOMEM);
	assert_int_equal(tl_vmas(mm), 3);
	assert_int_equal(tl_vma(mm, 1)->vm_flags & VM_LOCKED, 0);
	assert_int_equal(sys_munlock(mm, PG(0) + 5, 10), 0);
	assert_int_equal(tl_vmas(mm), 2);
}

/* A growth that cannot prepare the anon_vma is SIGSEGV and changes nothing. */
static void test_stack_growth_no_memory(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct vm_area_struct *vma;
	uint64_t v = 1;

	assert_int_equal(sys_mmap(mm, PG(100), PAGE_SIZE, RW,
				  ANON | MAP_FIXED | MAP_GROWSDOWN, NULL, 0),
			 (long)PG(100));
	tl_fail_nth(1);		/* the anon_vma */
	assert_int_equal(access_page(mm, PG(98), true, &v), VM_FAULT_SIGSEGV);
	tl_fail_nth(0);
	vma = tl_vma(mm, 100);
	assert_int_equal(vma->vm_start, PG(100));
	assert_null(vma->anon_vma);
	assert_int_equal(access_page(mm, PG(98), true, &v), 0);
	assert_int_equal(vma->vm_start, PG(98));
	assert_int_equal(vma->vm_pgoff, PG(98) >> PAGE_SHIFT);
	assert_ptr_equal(tl_anon(mm, 98), vma->anon_vma);
	/* A read below the stack grows it too (a zero page). */
	assert_int_equal(access_page(mm, PG(97), false, &v), 0);
	assert_int_equal(vma->vm_start, PG(97));
	assert_int_equal(mm->total_vm, 4);
	tl_check();
}

/*
 * VM_SPECIAL mappings (only drivers make them; the model's come from a
 * test setting the flag): DODUMP and DONTFORK refuse VM_IO, mlock
 * leaves them unlocked, and populate skips VM_IO.
 */
static void test_special_vmas(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct vm_area_struct *vma;

	tl_map(mm, 0, 2, RW);
	vma = tl_vma(mm, 0);
	mmap_write_lock(mm);
	vma->vm_flags |= VM_IO | VM_DONTDUMP;
	mmap_write_unlock(mm);
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_DODUMP), -EINVAL);
	assert_int_equal(sys_madvise(mm, PG(0), PAGE_SIZE, MADV_DONTFORK), -EINVAL);
	assert_int_equal(sys_mlock(mm, PG(0), 2 * PAGE_SIZE), 0);
	assert_int_equal(vma->vm_flags & VM_LOCKED, 0);
	assert_true(pte_none(tl_pte(mm, 0)));
	assert_int_equal(tl_vmas(mm), 1);
	mmap_write_lock(mm);
	vma->vm_flags &= ~(VM_IO | VM_DONTDUMP);
	mmap_write_unlock(mm);
}

/*
 * Threads growing one stack at once, while another walks the rmap of
 * its pages: expand_stack() takes the mmap lock for write and moves the
 * VMA in its anon_vma's interval tree under the anon_vma lock, so every
 * walk finds each folio's VMA and each write lands (ThreadSanitizer
 * checks the locking in `make check SANITIZE=thread`).
 */
#define GROW_THREADS 2
#define GROW_PAGES 64

struct grow {
	struct mm_struct *mm;
	int id;
	bool stop;
};

static void *grow_writer(void *arg)
{
	struct grow *g = arg;
	unsigned long p;

	for (p = 200 - 1 - g->id; p >= 200 - GROW_PAGES; p -= GROW_THREADS) {
		uint64_t v = p;

		if (access_page(g->mm, PG(p), true, &v))
			return (void *)1;
	}
	return NULL;
}

static void *grow_walker(void *arg)
{
	struct grow *g = arg;

	while (!__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE)) {
		struct folio *f = folio_at(g->mm, PG(199));

		if (f) {
			if (folio_referenced(f, NULL) < 0)
				return (void *)1;
			folio_put(f);
		}
	}
	return NULL;
}

static void test_stack_growth_threads(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct grow g[GROW_THREADS + 1];
	pthread_t t[GROW_THREADS + 1];
	unsigned long p;
	void *ret;
	int i;

	assert_int_equal(sys_mmap(mm, PG(200), PAGE_SIZE, RW,
				  ANON | MAP_FIXED | MAP_GROWSDOWN, NULL, 0),
			 (long)PG(200));
	for (i = 0; i <= GROW_THREADS; i++) {
		g[i] = (struct grow){ mm, i, false };
		assert_int_equal(pthread_create(&t[i], NULL, i < GROW_THREADS ?
						grow_writer : grow_walker, &g[i]), 0);
	}
	for (i = 0; i < GROW_THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	__atomic_store_n(&g[GROW_THREADS].stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t[GROW_THREADS], &ret), 0);
	assert_null(ret);
	assert_int_equal(tl_vmas(mm), 1);
	assert_int_equal(tl_vma(mm, 200)->vm_start, PG(200 - GROW_PAGES));
	for (p = 200 - GROW_PAGES; p < 200; p++) {
		uint64_t v = 0;

		assert_int_equal(access_page(mm, PG(p), false, &v), 0);
		assert_int_equal(v, p);
	}
	tl_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_CASE(test_not_modelled),
		TL_CASE(test_map_32bit),
		TL_CASE(test_stack_guard_gap_placement),
		TL_CASE(test_madv_free_state),
		TL_CASE(test_madv_free_swap),
		TL_CASE(test_madv_cold),
		TL_CASE(test_mlockall_fork),
		TL_CASE(test_mlock_populates_zero_pages),
		TL_CASE(test_stack_growth_no_memory),
		TL_CASE(test_stack_growth_threads),
		TL_CASE(test_special_vmas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
