/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the simulated files' numbering (mm/filemap.c): a file's
 * serial decides the initial contents of its pages, so two lives of the
 * model in one process must number their files alike, or a scenario's
 * output would depend on what ran before it (the CLI and the fuzzer run
 * many in one process; the kernel executor assumes a fresh numbering).
 * The page-cache behaviour itself is tested in test_memory.c.
 */
#include "testlib.h"

/* What one life of the model sees of two new files. */
struct file_view {
	unsigned long serial[2];
	uint64_t page0;		/* page 0 of the second file, as read */
};

/* Bring up a model, create two files, read one, tear it all down. */
static void one_life(struct file_view *fv)
{
	struct file *a, *b;
	struct mm_struct *mm;

	tl_setup(DESIGN_MAINLINE);
	a = file_create("a", 4);
	b = file_create("b", 4);
	assert_non_null(a);
	assert_non_null(b);
	fv->serial[0] = a->serial;
	fv->serial[1] = b->serial;

	mm = tl_mm();
	assert_int_equal(sys_mmap(mm, PG(0), PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_FIXED_NOREPLACE, b, 0),
			 (long)PG(0));
	assert_int_equal(access_page(mm, PG(0), false, &fv->page0), 0);
	fput(a);
	fput(b);
	tl_teardown();
}

/* anonvma_init() numbers the files from 1 again: same serials, same pages. */
static void test_file_serials_restart(void **state)
{
	struct file_view first, second;

	one_life(&first);
	one_life(&second);
	assert_int_equal(first.serial[0], 1);
	assert_int_equal(first.serial[1], 2);
	assert_int_equal(second.serial[0], first.serial[0]);
	assert_int_equal(second.serial[1], first.serial[1]);
	assert_int_equal(second.page0, first.page0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_serials_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
