/* SPDX-License-Identifier: MIT */
/*
 * What replay needs of the model beyond the scenario language:
 * insert_vm_struct() installs an exec layout exactly (no merge, exact
 * flags, refusals change nothing), files grow, and a file opened
 * read-only maps shared without VM_MAYWRITE or VM_SHARED and refuses
 * PROT_WRITE, as 6.18's do_mmap() does.
 */
#include "testlib.h"

#define EXEC_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | \
		    VM_MAYEXEC | VM_ACCOUNT)

static void test_install_no_merge(void **state)
{
	struct mm_struct *mm = tl_mm();

	/* Two compatible neighbours stay two VMAs, as exec left them. */
	assert_int_equal(insert_vm_struct(mm, PG(0), PG(2), EXEC_FLAGS, NULL, PG(0) >> PAGE_SHIFT), 0);
	assert_int_equal(insert_vm_struct(mm, PG(2), PG(3), EXEC_FLAGS, NULL, PG(2) >> PAGE_SHIFT), 0);
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(mm->total_vm, 3);
	assert_int_equal(tl_vma(mm, 2)->vm_flags, EXEC_FLAGS);
	assert_null(tl_vma(mm, 0)->anon_vma);
	/* Overlaps and bad ranges are refused with nothing changed. */
	assert_int_equal(insert_vm_struct(mm, PG(1), PG(4), EXEC_FLAGS, NULL, 0), -EEXIST);
	assert_int_equal(insert_vm_struct(mm, PG(4), PG(4), EXEC_FLAGS, NULL, 0), -EINVAL);
	assert_int_equal(insert_vm_struct(mm, PG(4) + 1, PG(5), EXEC_FLAGS, NULL, 0), -EINVAL);
	assert_int_equal(insert_vm_struct(mm, PG(4), 1UL << 48, EXEC_FLAGS, NULL, 0), -ENOMEM);
	/* A right without its VM_MAY* right: copy-on-write would break. */
	assert_int_equal(insert_vm_struct(mm, PG(4), PG(5), EXEC_FLAGS & ~VM_MAYWRITE, NULL, 0), -EINVAL);
	assert_int_equal(insert_vm_struct(mm, PG(4), PG(5), VM_READ | VM_MAYWRITE, NULL, 0), -EINVAL);
	assert_int_equal(insert_vm_struct(mm, PG(4), PG(5), EXEC_FLAGS | VM_SHARED, NULL, 0), -EINVAL);
	assert_int_equal(mm->map_count, 2);
	assert_int_equal(mm->total_vm, 3);
	/* A later write prepares the anon_vma as a fault would. */
	tl_write(mm, 2);
	assert_non_null(tl_vma(mm, 2)->anon_vma);
	tl_check();
	tl_exit(mm);
}

static void test_special_never_merges(void **state)
{
	struct mm_struct *mm = tl_mm();

	/* A vdso-like VMA (VM_DONTEXPAND): a new neighbour does not merge. */
	assert_int_equal(insert_vm_struct(mm, PG(0), PG(2),
					  VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE |
					  VM_MAYEXEC | VM_DONTEXPAND, NULL,
					  PG(0) >> PAGE_SHIFT), 0);
	tl_map(mm, 2, 1, PROT_READ | PROT_EXEC);
	assert_int_equal(mm->map_count, 2);
	tl_exit(mm);
}

static void test_file_grow(void **state)
{
	struct file *f = file_create("grow", 2);

	assert_non_null(f);
	assert_int_equal(f->f_mapping.nr_pages, 2);
	assert_int_equal(file_grow(f, 1), 0);		/* never shrinks */
	assert_int_equal(f->f_mapping.nr_pages, 2);
	assert_int_equal(file_grow(f, 9), 0);
	assert_int_equal(f->f_mapping.nr_pages, 9);
	assert_null(f->f_mapping.pages[8]);
	fput(f);
}

static void test_readonly_file_shared(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct file *f = file_create("ro", 4);
	struct vm_area_struct *vma;

	assert_non_null(f);
	f->f_mode = FMODE_READ;
	assert_int_equal(sys_mmap(mm, PG(0), 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, f, 0), -EACCES);
	assert_int_equal(mm->map_count, 0);
	assert_int_equal(sys_mmap(mm, PG(0), 2 * PAGE_SIZE, PROT_READ,
				  MAP_SHARED | MAP_FIXED, f, 0), (long)PG(0));
	vma = tl_vma(mm, 0);
	assert_int_equal(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_MAYWRITE),
			 VM_MAYSHARE);
	/* Never writable later either. */
	assert_int_equal(sys_mprotect(mm, PG(0), PAGE_SIZE, PROT_READ | PROT_WRITE), -EACCES);
	/* A private mapping of the same file may still be written (COW). */
	assert_int_equal(sys_mmap(mm, PG(2), PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_FIXED, f, 0), (long)PG(2));
	assert_true(tl_vma(mm, 2)->vm_flags & VM_MAYWRITE);
	fput(f);
	tl_exit(mm);
}

/*
 * A host booted with pvm_no_zero_page=1 serves a read fault on private
 * anonymous memory as a write: the anon_vma is prepared and the page is
 * a new exclusive folio, writable, so the first write does not fault.
 */
static void test_no_zero_page(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct kmem_cache_stats before, after;
	struct vm_area_struct *vma;

	tl_map(mm, 0, 2, RW);
	tl_read(mm, 0);
	assert_null(tl_vma(mm, 0)->anon_vma);
	mm_set_zero_page_forbidden(true);
	assert_true(mm_forbids_zeropage(mm));
	kmem_cache_get_stats(anon_vma_cachep, &before);
	tl_read(mm, 1);
	kmem_cache_get_stats(anon_vma_cachep, &after);
	mm_set_zero_page_forbidden(false);
	vma = tl_vma(mm, 1);
	assert_non_null(vma->anon_vma);
	assert_int_equal(after.allocs[SITE_PREPARE] - before.allocs[SITE_PREPARE], 1);
	assert_int_equal(tl_anon(mm, 1), vma->anon_vma);
	assert_true(PageAnonExclusive(tl_folio(mm, 1)));
	assert_true(pte_write(tl_pte(mm, 1)));
	/* The page read before stays the zero page: no anon page for it. */
	assert_true(is_zero_pte(tl_pte(mm, 0)));
	assert_int_equal(mm->rss_anon, 1);
	tl_check();
	tl_exit(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TL_CASE(test_install_no_merge),
		TL_CASE(test_special_never_merges),
		TL_CASE(test_file_grow),
		TL_CASE(test_readonly_file_shared),
		TL_CASE(test_no_zero_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
