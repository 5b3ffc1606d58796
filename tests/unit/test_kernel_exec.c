/* SPDX-License-Identifier: MIT */
/*
 * The kernel executor on the host kernel, end to end: exact per-step
 * objects by call site, folio labels, exclusive bits and mapcounts of a
 * small fork scenario; a fault reported as SIGSEGV with the pages done;
 * failed kernel-observable expectations reported as the model reports
 * them; a taken window refused; no process and no tracing instance left
 * behind; and the diff agreeing under the host's rules and diverging
 * under the other design.  Every test is skipped (and says why) where
 * the kernel oracle is unavailable: not root, no tracefs, hidden PFNs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <anonvma/system.h>

#include "kernel/kernel.h"

static struct kernel_info host;
static bool available;

static struct scenario *parse(const char *text)
{
	struct scn_error err;
	struct scenario *s = scn_parse("k.scn", text, strlen(text), &err);

	if (!s)
		fail_msg("parse: %d:%d: %s", err.line, err.col, err.msg);
	return s;
}

#define NEED_KERNEL()							\
	do {								\
		if (!available) {					\
			print_message("skipped: %s\n", host.skipped);	\
			skip();						\
		}							\
	} while (0)

static const char fork_scn[] =
	"region A 0 4\n"
	"proc P\n"
	"P mmap A rw\n"
	"P write A[0:2]\n"
	"P fork Q\n"
	"Q write A[1]\n"
	"Q read A[0:2]\n"
	"P exit\n";

static void test_fork_observations(void **state)
{
	struct exec_opts eo = { .design = -1, .on_step = obs_run_on_step };
	struct scenario *s;
	struct exec_summary sum;
	struct kernel_info ki;
	struct obs_run run;
	const struct obs_step *o;
	const struct obs_proc *p, *q;

	NEED_KERNEL();
	s = parse(fork_scn);
	obs_run_init(&run, s);
	eo.arg = &run;
	assert_int_equal(exec_kernel_info(s, &eo, &sum, &ki), 0);
	assert_int_equal(sum.steps_run, 7);
	assert_string_equal(ki.release, host.release);
	assert_true(ki.attempts >= 1);
	/* The baseline (own VMAs outside the window) was there, and removed. */
	assert_true(ki.baseline[SCN_OBJ_ANON_VMA] > 0);

	/* write: the first write fault prepares one anon_vma and one AVC. */
	o = run.steps[2];
	assert_int_equal(o->obj[SCN_OBJ_ANON_VMA].alloc[OBS_SITE_PREPARE], 1);
	assert_int_equal(o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_PREPARE], 1);
	assert_int_equal(o->obj[SCN_OBJ_AVC].live, 1);
	p = obs_find_proc(o, 0);
	assert_int_equal(p->nvmas, 1);
	assert_int_equal(p->vmas[0].first, 0);
	assert_int_equal(p->vmas[0].end, 4);
	assert_int_equal(p->vmas[0].prot, PROT_READ | PROT_WRITE);
	assert_int_equal(p->npages, 2);
	assert_true(p->pages[0].excl);
	assert_int_equal(p->pages[0].mapcount, 1);
	assert_int_equal(p->pages[1].label, 1);

	/* fork: anon_vma_fork's anon_vma, one clone AVC and the own AVC. */
	o = run.steps[3];
	assert_int_equal(o->obj[SCN_OBJ_ANON_VMA].alloc[OBS_SITE_FORK], 1);
	assert_int_equal(o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_CLONE], 1);
	assert_int_equal(o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_FORK], 1);
	assert_int_equal(o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_PREPARE], 0);
	assert_int_equal(o->obj[SCN_OBJ_ANON_VMA].live, 2);
	assert_int_equal(o->obj[SCN_OBJ_AVC].live, 3);
	q = obs_find_proc(o, 1);
	assert_non_null(q);
	assert_int_equal(q->npages, 2);
	assert_int_equal(q->pages[0].label, 0);
	assert_false(q->pages[0].excl);
	assert_int_equal(q->pages[0].mapcount, 2);

	/* Q's write copies page 1: a new exclusive folio, P's stays. */
	o = run.steps[4];
	q = obs_find_proc(o, 1);
	p = obs_find_proc(o, 0);
	assert_int_equal(q->pages[1].label, 2);
	assert_true(q->pages[1].excl);
	assert_int_equal(p->pages[1].mapcount, 1);
	assert_int_equal(q->pages[0].label, p->pages[0].label);

	/* read: the values are the tokens `write` stored. */
	o = run.steps[5];
	assert_int_equal(o->nvalues, 2);
	assert_int_equal(o->values[0], 4 * 0x10000 + 0);
	assert_int_equal(o->values[1], 6 * 0x10000 + 1);

	/* P exits: its AVC goes, its anon_vma stays (Q's chain holds it). */
	o = run.steps[6];
	assert_int_equal(o->obj[SCN_OBJ_AVC].free[OBS_SITE_UNLINK], 1);
	assert_int_equal(o->obj[SCN_OBJ_ANON_VMA].free[OBS_SITE_PUT], 0);
	assert_int_equal(o->obj[SCN_OBJ_ANON_VMA].live, 2);
	assert_null(obs_find_proc(o, 0));
	/* Everything was freed by the end (the executor checks it). */
	assert_int_equal(sum.alloc[SCN_OBJ_ANON_VMA][OBS_SITE_PREPARE] +
			 sum.alloc[SCN_OBJ_ANON_VMA][OBS_SITE_FORK],
			 sum.free[SCN_OBJ_ANON_VMA][OBS_SITE_PUT]);
	obs_run_free(&run);
	scn_free(s);
}

/*
 * Two wrong expectations among five, found by the kernel run.  Which two
 * depends on the host: a kernel that forbids the zero page
 * (pvm_no_zero_page=1) serves the read of A with real pages and one
 * anon_vma (kernel_forbids_zero_page()).
 */
static void test_fault_and_expectations(void **state)
{
	struct exec_opts eo = { .design = -1, .on_step = obs_run_on_step };
	bool no_zero = kernel_forbids_zero_page();
	struct scenario *s;
	struct exec_summary sum;
	struct obs_run run;
	char *buf = NULL;
	size_t len = 0;

	NEED_KERNEL();
	s = parse(no_zero ?
		  "region A 0 4\n"
		  "proc P\n"
		  "P mmap A[0:2] r\n"
		  "P write A[0:2]\n"
		  "expect errno SIGSEGV\n"
		  "P read A\n"
		  "expect errno SIGSEGV\n"
		  "expect P page A[0] present\n"
		  "expect P page A[1] zero\n"		/* wrong: a real page */
		  "expect step avc +0\n"		/* wrong: one prepare */
		  "expect P A unfaulted\n" :		/* model only */
		  "region A 0 4\n"
		  "proc P\n"
		  "P mmap A[0:2] r\n"
		  "P write A[0:2]\n"
		  "expect errno SIGSEGV\n"
		  "P read A\n"
		  "expect errno SIGSEGV\n"
		  "expect P page A[0] zero\n"
		  "expect P page A[1] present\n"	/* wrong: zero page */
		  "expect step avc +1\n"		/* wrong: nothing */
		  "expect P A unfaulted\n");		/* model only */
	obs_run_init(&run, s);
	eo.arg = &run;
	eo.err = open_memstream(&buf, &len);
	assert_int_equal(exec_kernel(s, &eo, &sum), 1);
	fclose(eo.err);
	assert_int_equal(run.steps[2]->result, SCN_SIGSEGV);
	assert_int_equal(run.steps[2]->done, 0);
	assert_int_equal(run.steps[3]->result, SCN_SIGSEGV);
	assert_int_equal(run.steps[3]->done, 2);
	assert_int_equal(run.steps[3]->nvalues, 2);
	assert_int_equal(sum.expectations, 5);
	assert_int_equal(sum.expect_failures, 2);
	if (no_zero) {
		assert_non_null(strstr(buf, "k.scn:9: expectation failed: P page A[1] zero, found @1 present"));
		assert_non_null(strstr(buf, "k.scn:10: expectation failed: step avc +0, found +1 -0\n"));
	} else {
		assert_non_null(strstr(buf, "k.scn:9: expectation failed: P page A[1] present, found @1 zero\n"));
		assert_non_null(strstr(buf, "k.scn:10: expectation failed: step avc +1, found +0 -0\n"));
	}
	free(buf);
	obs_run_free(&run);
	scn_free(s);
}

static void test_window_taken(void **state)
{
	struct exec_opts eo = { .design = -1 };
	struct exec_summary sum;
	struct kernel_info ki;
	struct scenario *s;
	void *p;

	NEED_KERNEL();
	s = parse("window 0x300000000000 pages 16\nregion A 0 1\nproc P\nP mmap A rw\n");
	p = mmap((void *)0x300000004000UL, 4096, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_ptr_equal(p, (void *)0x300000004000UL);
	assert_int_equal(exec_kernel_info(s, &eo, &sum, &ki), 2);
	assert_non_null(strstr(ki.error, "is not free"));
	munmap(p, 4096);
	/* Free again: the same scenario runs. */
	assert_int_equal(exec_kernel_info(s, &eo, &sum, &ki), 0);
	scn_free(s);
}

/* Where tracefs is mounted in this process (the session mounted it). */
static void tracefs_root(char *root, size_t n)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[256], dir[256], type[64];

	root[0] = '\0';
	while (f && fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "tracefs")) {
			snprintf(root, n, "%s", dir);
			break;
		}
	if (f)
		fclose(f);
}

/* No driven process and, after the session, no tracing instance remain. */
static void test_nothing_left(void **state)
{
	struct exec_opts eo = { .design = -1 };
	struct exec_summary sum;
	struct scenario *s;
	char name[64], root[256], path[300];
	struct dirent *d;
	DIR *dir;
	int left = 0;

	NEED_KERNEL();
	s = parse("region A 0 2\nproc P\nP mmap A rw\nP write A\nP fork Q\nQ fork R\n");
	assert_int_equal(exec_kernel(s, &eo, &sum), 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	kernel_session_close();
	snprintf(name, sizeof(name), "anonvma-%d-", (int)getpid());
	tracefs_root(root, sizeof(root));
	assert_true(root[0]);
	snprintf(path, sizeof(path), "%s/instances", root);
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir)))
		left += !strncmp(d->d_name, name, strlen(name));
	closedir(dir);
	assert_int_equal(left, 0);
	scn_free(s);
}

static const char reuse_scn[] =
	"region A 0 1\n"
	"proc P\n"
	"P mmap A rw\n"
	"P write A\n"
	"P fork C1\n"
	"C1 fork G1\n"
	"C1 exit\n"
	"G1 fork G2\n";		/* reuses C1's anon_vma */

static void test_diff_designs(void **state)
{
	struct kdiff_opts o = { .design = -1 };
	struct kdiff_result r;
	struct scenario *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	NEED_KERNEL();
	s = parse(reuse_scn);
	assert_int_equal(kdiff_run(s, &o, &r), KDIFF_AGREE);
	assert_int_equal(r.design, host.design);
	assert_int_equal(r.compared, 7);
	assert_int_equal(r.first, -1);
	kdiff_result_free(&r);

	/* The other design allocates and frees at the reusing fork. */
	o.design = host.design == DESIGN_V6_18 ? DESIGN_MAINLINE : DESIGN_V6_18;
	assert_int_equal(kdiff_run(s, &o, &r), KDIFF_DIVERGE);
	assert_int_equal(r.first, 6);
	assert_int_equal(r.first_parts, OBS_PART_OBJECTS);
	f = open_memstream(&buf, &len);
	kdiff_print(f, s, &r, false);
	fclose(f);
	assert_non_null(strstr(buf, "DIVERGE at step 7 (line 8): G1 fork G2\n"));
	assert_non_null(strstr(buf, "anon_vma allocated at anon_vma_fork: kernel 0, model 1"));
	assert_non_null(strstr(buf, "DIVERGE k.scn: first at step 7 (line 8) in objects"));
	free(buf);
	kdiff_result_free(&r);
	scn_free(s);
}

/* A historical bug: the observations diverge and the checker objects. */
static void test_diff_bug(void **state)
{
	struct kdiff_opts o = { .design = -1, .check = true };
	struct kdiff_result r;
	struct scenario *s;

	NEED_KERNEL();
	/* spec §6.6, first shape: a faulted VMA moved back next to X. */
	s = parse("proc U\n"
		  "U mmap @4:7 rw\n"
		  "U write @4:7\n"
		  "U mremap @4:7 to @20:23\n"
		  "U mmap @1:4 rw\n"
		  "U mremap @20:23 to @4:7 dontunmap\n");
	assert_int_equal(kdiff_run(s, &o, &r), KDIFF_AGREE);
	assert_int_equal(r.violation, -1);
	kdiff_result_free(&r);
	o.bugs = 1UL << bug_parse("merge-no-copied-from");
	assert_int_equal(kdiff_run(s, &o, &r), KDIFF_DIVERGE);
	assert_int_equal(r.first, 5);
	assert_true(r.first_parts & OBS_PART_OBJECTS);
	assert_int_equal(r.violation, 5);
	kdiff_result_free(&r);
	scn_free(s);
}

static int setup(void **state)
{
	available = kernel_probe(&host);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_observations),
		cmocka_unit_test(test_fault_and_expectations),
		cmocka_unit_test(test_window_taken),
		cmocka_unit_test(test_diff_designs),
		cmocka_unit_test(test_diff_bug),
		cmocka_unit_test(test_nothing_left),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
