/* SPDX-License-Identifier: MIT */
/*
 * Fault injection (tools/scenario/failinject.c, failcheck.c, failrun.c):
 *
 * - the injector: which allocation is counted, which one fails (k-th,
 *   per cache, per operation, with a probability under a seed), and the
 *   failure points outside the caches (VMA index, swap slot, file);
 * - the scenario language's `fail` line and OOM as a fault's result;
 * - the state rules of failcheck.c, on hand-made observations, so that
 *   each rule is seen to fail;
 * - `--fail-each` on small scenarios: exact point counts, absorbed
 *   failures, "after injection" mode, and a planted bug caught;
 * - the two bug switches that need a failed allocation
 *   (tests/bugs/clone-no-unlock.scn, dup-stale-anon-vma.scn): each file
 *   passes with the switch off and is caught with it on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "exec.h"
#include "failcheck.h"
#include "failinject.h"

#define RW (PROT_READ | PROT_WRITE)

/* ---- helpers ---------------------------------------------------------- */

static struct scenario *parse(const char *text)
{
	struct scn_error err;
	struct scenario *s = scn_parse("t.scn", text, strlen(text), &err);

	if (!s)
		fail_msg("%d:%d: %s", err.line, err.col, err.msg);
	return s;
}

/* Run @text on the model; failure messages end up in @msgs (caller frees). */
static int run_text(const char *text, struct failinject *fi,
		    unsigned long bugs, struct exec_summary *sum, char **msgs)
{
	struct scenario *s = parse(text);
	size_t len = 0;
	FILE *err = open_memstream(msgs, &len);
	struct exec_opts eo = {
		.check = true,
		.design = -1,
		.fi = fi,
		.bugs = bugs,
		.err = err,
	};
	int ret;

	assert_non_null(err);
	ret = exec_model(s, &eo, sum);
	fclose(err);
	scn_free(s);
	return ret;
}

/* The whole of a file of the repository (tests run from its root). */
static char *read_repo_file(const char *path, size_t *len)
{
	struct scn_error err;
	char *buf = scn_read_file(path, len, &err);

	if (!buf)
		fail_msg("%s: %s (run from the repository's root)", path,
			 err.msg);
	return buf;
}

/* ---- the injector ----------------------------------------------------- */

static void test_cache_names(void **state)
{
	int c;

	for (c = 0; c < NR_FI_CACHES; c++)
		assert_int_equal(fi_cache_parse(fi_cache_name((enum fi_cache)c)), c);
	assert_int_equal(fi_cache_parse("anon_vma_chain"), -1);
	assert_int_equal(fi_cache_parse(""), -1);
	assert_string_equal(fi_cache_name(NR_FI_CACHES), "?");
}

static void test_cache_of(void **state)
{
	tl_setup(DESIGN_MAINLINE);
	assert_int_equal(fi_cache_of(anon_vma_cachep), FI_ANON_VMA);
	assert_int_equal(fi_cache_of(anon_vma_chain_cachep), FI_AVC);
	assert_int_equal(fi_cache_of(vm_area_cachep), FI_VMA);
	assert_int_equal(fi_cache_of(folio_cachep), FI_FOLIO);
	assert_int_equal(fi_cache_of(pgtable_cachep), FI_PGTABLE);
	assert_int_equal(fi_cache_of(mm_cachep), FI_MM);
	assert_int_equal(fi_cache_of(maple_node_cachep), FI_MAPLE);
	assert_int_equal(fi_cache_of(swap_slot_cachep), FI_SWAP);
	assert_int_equal(fi_cache_of(filp_cachep), FI_FILE);
	assert_int_equal(fi_cache_of(NULL), FI_ANY);
	tl_teardown();
}

/* An unarmed injector neither counts nor fails. */
static void test_unarmed(void **state)
{
	struct failinject fi;
	struct mm_struct *mm;

	tl_setup(DESIGN_MAINLINE);
	fi_init(&fi);
	fi.fail_at = 1;
	fi_install(&fi);
	mm = tl_mm();
	tl_map(mm, 0, 2, RW);
	tl_write(mm, 0);
	assert_int_equal(fi.count, 0);
	assert_int_equal(fi.injected, 0);
	fi_install(NULL);
	tl_teardown();
}

/*
 * The first write to a new mapping allocates, in order: four page-table
 * levels, the chain and the anon_vma (__anon_vma_prepare), the folio.
 * Failing each in turn gives OOM and leaves the page unmapped.
 */
static void test_kth_of_a_fault(void **state)
{
	static const enum fi_cache order[] = {
		FI_PGTABLE, FI_PGTABLE, FI_PGTABLE, FI_PGTABLE, FI_AVC,
		FI_ANON_VMA, FI_FOLIO,
	};
	unsigned long k;

	for (k = 1; k <= 8; k++) {
		struct failinject fi;
		struct mm_struct *mm;
		uint64_t v = 7;
		vm_fault_t f;

		tl_setup(DESIGN_MAINLINE);
		mm = tl_mm();
		tl_map(mm, 0, 2, RW);
		fi_init(&fi);
		fi.fail_at = k;
		fi_install(&fi);
		fi.armed = true;
		f = access_page(mm, PG(0), true, &v);
		fi.armed = false;
		fi_install(NULL);
		assert_int_equal(fi.count, k <= 7 ? k : 7);
		if (k <= 7) {
			assert_int_equal(f, VM_FAULT_OOM);
			assert_int_equal(fi.injected, 1);
			assert_int_equal(fi.first_count, k);
			assert_int_equal(fi.last_cache, order[k - 1]);
			assert_null(folio_at(mm, PG(0)));
			/* The one fault that gave up after the prepare keeps it. */
			if (k == 7)
				assert_non_null(tl_vma(mm, 0)->anon_vma);
			else
				assert_null(tl_vma(mm, 0)->anon_vma);
		} else {
			assert_int_equal(f, 0);
			assert_int_equal(fi.injected, 0);
		}
		tl_teardown();
	}
}

/* Counting one cache only: the 2nd page-table allocation. */
static void test_only_one_cache(void **state)
{
	struct failinject fi;
	struct mm_struct *mm;
	uint64_t v = 1;

	tl_setup(DESIGN_MAINLINE);
	mm = tl_mm();
	tl_map(mm, 0, 2, RW);
	fi_init(&fi);
	fi.only = FI_PGTABLE;
	fi.fail_at = 2;
	fi_install(&fi);
	fi.armed = true;
	assert_int_equal(access_page(mm, PG(0), true, &v), VM_FAULT_OOM);
	fi.armed = false;
	fi_install(NULL);
	assert_int_equal(fi.count, 2);
	assert_int_equal(fi.last_cache, FI_PGTABLE);
	assert_int_equal(fi.last_site, SITE_PGTABLE);
	tl_teardown();
}

/* A `fail` line's rule: the n-th from one cache, not counted as a point. */
static void test_step_rule(void **state)
{
	struct failinject fi;
	struct mm_struct *mm, *child;
	int err;

	tl_setup(DESIGN_MAINLINE);
	mm = tl_mm();
	tl_map(mm, 0, 2, RW);
	tl_map(mm, 4, 2, RW);
	tl_write(mm, 0);
	tl_write(mm, 4);
	fi_init(&fi);
	fi_install(&fi);
	fi_arm_step(&fi, FI_AVC, 3);
	fi.armed = true;
	child = dup_mm(mm, &err);
	fi.armed = false;
	fi_install(NULL);
	assert_null(child);
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(fi.injected, 1);
	assert_int_equal(fi.step_nth, 0);	/* served */
	assert_int_equal(fi.step_seen, 3);
	assert_int_equal(fi.first_count, 0);	/* not a sweep point */
	assert_int_equal(fi.last_cache, FI_AVC);
	tl_teardown();
}

/* Probability: deterministic per seed, about the asked share. */
static unsigned long random_failures(uint64_t seed, double prob,
				     unsigned long n)
{
	struct failinject fi;
	unsigned long i, failed = 0;

	fi_init(&fi);
	fi.prob = prob;
	fi.seed = seed;
	fi_install(&fi);
	fi.armed = true;
	for (i = 0; i < n; i++)
		failed += fi_hook(folio_cachep, SITE_FAULT, &fi);
	fi_install(NULL);
	assert_int_equal(fi.injected, failed);
	assert_int_equal(fi.count, n);
	return failed;
}

static void test_probability(void **state)
{
	unsigned long a, b, c;

	tl_setup(DESIGN_MAINLINE);
	a = random_failures(42, 0.25, 4000);
	b = random_failures(42, 0.25, 4000);
	c = random_failures(43, 0.25, 4000);
	assert_int_equal(a, b);
	assert_true(a > 850 && a < 1150);
	assert_true(c > 850 && c < 1150);
	assert_int_equal(random_failures(1, 1.0, 100), 100);
	tl_teardown();
}

/* ---- failure points outside the caches -------------------------------- */

static bool fail_cache(const struct kmem_cache *c, enum alloc_site site,
		       void *arg)
{
	return c == arg;
}

/* The VMA index's preallocation: a split fails and changes nothing. */
static void test_maple_point(void **state)
{
	struct mm_struct *mm;

	tl_setup(DESIGN_MAINLINE);
	mm = tl_mm();
	tl_map(mm, 0, 4, RW);
	tl_write(mm, 0);
	slab_set_fail_hook(fail_cache, maple_node_cachep);
	assert_int_equal(sys_mprotect(mm, PG(2), 2 * PAGE_SIZE, PROT_READ),
			 -ENOMEM);
	assert_int_equal(sys_munmap(mm, PG(1), PAGE_SIZE), -ENOMEM);
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(tl_vmas(mm), 1);
	assert_int_equal(tl_chain_len(tl_vma(mm, 0)), 1);
	tl_check();
	tl_teardown();
}

/* A swap slot: reclaim gives up, the folio stays mapped. */
static void test_swap_point(void **state)
{
	struct mm_struct *mm;
	struct folio *f;

	tl_setup(DESIGN_MAINLINE);
	mm = tl_mm();
	tl_map(mm, 0, 1, RW);
	tl_write(mm, 0);
	f = folio_at(mm, PG(0));
	slab_set_fail_hook(fail_cache, swap_slot_cachep);
	assert_int_equal(reclaim_folio(f, false, NULL), -ENOMEM);
	slab_set_fail_hook(NULL, NULL);
	folio_put(f);
	assert_ptr_equal(folio_at(mm, PG(0)), f);
	folio_put(f);
	assert_int_equal(swap_slots_in_use(), 0);
	tl_teardown();
}

/* A shared anonymous mapping's file: mmap fails with ENOMEM. */
static void test_file_point(void **state)
{
	struct mm_struct *mm;

	tl_setup(DESIGN_MAINLINE);
	mm = tl_mm();
	slab_set_fail_hook(fail_cache, filp_cachep);
	assert_int_equal(sys_mmap(mm, PG(0), PAGE_SIZE, RW,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				  NULL, 0), -ENOMEM);
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(tl_vmas(mm), 0);
	tl_teardown();
}

/* ---- the `fail` line ---------------------------------------------------- */

#define HDR "region A 0 4\nproc P\nP mmap A rw\n"

static void test_fail_line_oom(void **state)
{
	struct exec_summary sum;
	char *msgs = NULL;

	assert_int_equal(run_text(HDR "P write A[0]\n"
				  "fail folio\n"
				  "P write A[1:3]\n"
				  "expect errno OOM\n"
				  "expect P page A[1] none\n"
				  "expect P page A[0] present excl\n"
				  "expect live anon_vma 1\n"
				  "P write A[1:3]\n"
				  "expect P page A[1:3] present\n",
				  NULL, 0, &sum, &msgs), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(sum.fault_violations, 0);
	free(msgs);
}

/* The `fail` line's allocation never came: the scenario is wrong. */
static void test_fail_line_unused(void **state)
{
	struct exec_summary sum;
	char *msgs = NULL;

	assert_int_equal(run_text(HDR "P write A[0]\n"
				  "fail anon_vma\n"
				  "P write A[1]\n",
				  NULL, 0, &sum, &msgs), 1);
	assert_int_equal(sum.expect_failures, 1);
	assert_non_null(strstr(msgs,
		"t.scn:5: expectation failed: fail anon_vma nth 1, found 0 such allocations in the operation"));
	free(msgs);
}

/* A failed fork: ENOMEM, the parent as it was, the child never exists. */
static void test_fail_line_fork(void **state)
{
	struct exec_summary sum;
	char *msgs = NULL;

	assert_int_equal(run_text(HDR "P write A\n"
				  "fail avc nth 2\n"
				  "P fork Q\n"
				  "expect errno ENOMEM\n"
				  "expect live anon_vma 1\n"
				  "expect live avc 1\n"
				  "expect step avc +1 -1\n"
				  "expect P page A present excl mc=1\n"
				  "expect P A av children 1 active 1\n"
				  "P fork R\n"
				  "expect live anon_vma 2\n",
				  NULL, 0, &sum, &msgs), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(sum.procs_created, 2);
	free(msgs);
}

/* ---- failcheck.c's rules, on hand-made observations ----------------- */

static struct obs_vma vma(unsigned long first, unsigned long end,
			  unsigned long prot, int av)
{
	struct obs_vma v;

	memset(&v, 0, sizeof(v));
	v.first = first;
	v.end = end;
	v.prot = prot;
	v.file = -1;
	v.model.av = av;
	v.model.chain = av ? 1 : 0;
	v.model.pgoff = 0x1000 + first;
	return v;
}

struct fc_case {
	struct obs_vma bv[3], av[3];
	int nb, na;
	int expect;		/* violations */
	const char *msg;	/* a substring of the first, or NULL */
};

static int fc_n;
static char fc_first[512];

static void fc_rec(void *arg, const char *msg)
{
	if (!fc_n++)
		snprintf(fc_first, sizeof(fc_first), "%s", msg);
}

static void run_fc(const char *text, const struct fc_case *c, int idx)
{
	struct scenario *s = parse(text);
	const struct scn_step *st = &s->steps[s->nsteps - 1];
	struct obs_proc bp = { 0 }, ap = { 0 };
	struct obs_step b, a;

	memset(&b, 0, sizeof(b));
	memset(&a, 0, sizeof(a));
	bp.vmas = (struct obs_vma *)c->bv;
	bp.nvmas = c->nb;
	ap.vmas = (struct obs_vma *)c->av;
	ap.nvmas = c->na;
	b.procs = &bp;
	b.nprocs = 1;
	a.procs = &ap;
	a.nprocs = 1;
	fc_n = 0;
	fc_first[0] = '\0';
	if (fail_contract_check(s, st, &b, &a, fc_rec, NULL) != c->expect ||
	    (c->msg && !strstr(fc_first, c->msg)))
		fail_msg("case %d: %d violations (want %d), first: %s", idx,
			 fc_n, c->expect, fc_first);
	scn_free(s);
}

#define R PROT_READ

static void test_contract_mprotect(void **state)
{
	static const char text[] = "region A 0 8\nproc P\nP mprotect A[2:6] r\n";
	const struct fc_case cases[] = {
		/* Nothing changed. */
		{ { vma(0, 8, RW, 1) }, { vma(0, 8, RW, 1) }, 1, 1, 0, NULL },
		/* The first split stayed (the kernel keeps it). */
		{ { vma(0, 8, RW, 1) },
		  { vma(0, 2, RW, 1), vma(2, 8, RW, 1) }, 1, 2, 0, NULL },
		/* Partly applied: a VMA before the failure has the new prot. */
		{ { vma(0, 4, RW, 1), vma(4, 8, RW, 2) },
		  { vma(0, 2, RW, 1), vma(2, 4, R, 1), vma(4, 8, RW, 2) },
		  2, 3, 0, NULL },
		/* A boundary moved outside the range. */
		{ { vma(0, 8, RW, 1) },
		  { vma(0, 1, RW, 1), vma(1, 8, RW, 1) }, 1, 2, 1,
		  "boundary at @1 appeared" },
		/* A protection outside the range changed. */
		{ { vma(0, 8, RW, 1) },
		  { vma(0, 2, R, 1), vma(2, 8, RW, 1) }, 1, 2, 1,
		  "page @0: its mapping changed" },
		/* An unfaulted neighbour gained an anon_vma: spec §6.7. */
		{ { vma(0, 2, RW, 0), vma(2, 8, R, 1) },
		  { vma(0, 2, RW, 1), vma(2, 8, R, 1) }, 2, 2, 1,
		  "anon_vma changed from 0 to 1" },
		/* A page of the range was unmapped. */
		{ { vma(0, 8, RW, 1) },
		  { vma(0, 3, RW, 1), vma(4, 8, RW, 1) }, 1, 2, 1,
		  "page @3 was mapped, is not mapped" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_fc(text, &cases[i], (int)i);
}

static void test_contract_atomic(void **state)
{
	static const char text[] = "region A 0 8\nproc P\nP mmap A[4:8] rw\n";
	const struct fc_case ok = { { vma(0, 4, RW, 0) }, { vma(0, 4, RW, 0) },
				    1, 1, 0, NULL };
	const struct fc_case left = { { vma(0, 4, RW, 0) },
				      { vma(0, 8, RW, 0) }, 1, 1, 1,
				      "VMA @0:4 changed (now @0:8)" };

	run_fc(text, &ok, 0);
	run_fc(text, &left, 1);
}

static void test_expected_results(void **state)
{
	struct scenario *s = parse(HDR "P write A\nP madvise A dontfork\n"
				   "P munmap A\n");

	assert_int_equal(fail_result_expected(&s->steps[2]), SCN_OOM);
	assert_int_equal(fail_result_expected(&s->steps[3]), EAGAIN);
	assert_int_equal(fail_result_expected(&s->steps[4]), ENOMEM);
	scn_free(s);
}

/* ---- --fail-each ------------------------------------------------------ */

static int sweep(const char *text, const struct fail_each_opts *fo,
		 struct fail_each_result *res, char **out, char **err)
{
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(out, &ol), *e = open_memstream(err, &el);
	int ret;

	ret = scn_fail_each("t.scn", text, strlen(text), fo, o, e, res);
	fclose(o);
	fclose(e);
	return ret;
}

/*
 * proc (mm), mmap (VMA, its index), first write (chain, anon_vma, four
 * page tables, folio): 10 points, each failing its operation.
 */
static void test_sweep_counts(void **state)
{
	struct fail_each_opts fo = { .design = -1 };
	struct fail_each_result res;
	char *out = NULL, *err = NULL;

	assert_int_equal(sweep("region A 0 2\nproc P\nP mmap A rw\nP write A[0]\n",
			       &fo, &res, &out, &err), 0);
	assert_string_equal(err, "");
	assert_int_equal(res.points, 10);
	assert_int_equal(res.injected, 10);
	assert_int_equal(res.failed, 10);
	assert_int_equal(res.absorbed, 0);
	assert_int_equal(res.violations, 0);
	assert_int_equal(res.per_cache[FI_MM], 1);
	assert_int_equal(res.per_cache[FI_VMA], 1);
	assert_int_equal(res.per_cache[FI_MAPLE], 1);
	assert_int_equal(res.per_cache[FI_AVC], 1);
	assert_int_equal(res.per_cache[FI_ANON_VMA], 1);
	assert_int_equal(res.per_cache[FI_PGTABLE], 4);
	assert_int_equal(res.per_cache[FI_FOLIO], 1);
	assert_non_null(strstr(out,
		"fail-each t.scn: 10 allocation points, 10 failures injected (10 failed the operation, 0 absorbed), 0 violations"));
	free(out);
	free(err);
}

/* Only one cache's points. */
static void test_sweep_one_cache(void **state)
{
	struct fail_each_opts fo = { .design = -1, .only = FI_PGTABLE };
	struct fail_each_result res;
	char *out = NULL, *err = NULL;

	assert_int_equal(sweep("region A 0 2\nproc P\nP mmap A rw\nP write A[0]\n",
			       &fo, &res, &out, &err), 0);
	assert_int_equal(res.points, 4);
	assert_int_equal(res.per_cache[FI_PGTABLE], 4);
	free(out);
	free(err);
}

/* Only one call site's points (the cause): the page-table allocations. */
static void test_sweep_one_site(void **state)
{
	struct fail_each_opts fo = { .design = -1, .by_site = true,
				     .only_site = SITE_PGTABLE };
	struct fail_each_result res;
	char *out = NULL, *err = NULL;

	assert_int_equal(sweep("region A 0 2\nproc P\nP mmap A rw\nP write A[0]\n",
			       &fo, &res, &out, &err), 0);
	assert_int_equal(res.points, 4);
	assert_int_equal(res.per_cache[FI_PGTABLE], 4);
	free(out);
	free(err);
}

/* Random failures under 30 seeds: each run is checked, none violates. */
static void test_fail_random(void **state)
{
	struct fail_each_opts fo = { .design = -1, .prob = 0.2, .seed = 7,
				     .runs = 30 };
	struct fail_each_result res;
	char *out = NULL, *err = NULL;

	assert_int_equal(sweep(HDR "P write A\nP fork Q\nQ write A[1]\n"
			       "P mprotect A[1:3] r\nQ munmap A[2]\nP exit\n",
			       &fo, &res, &out, &err), 0);
	assert_string_equal(err, "");
	assert_int_equal(res.violations, 0);
	assert_true(res.injected > 10);
	assert_true(res.points > res.injected);
	assert_non_null(strstr(out, "fail-random t.scn: 30 runs, "));
	free(out);
	free(err);
}

/*
 * 6.18's clone retries a chain allocation that failed without sleeping:
 * failing the first attempt is absorbed, and leaves the very state of
 * the run without it.
 */
static void test_sweep_absorbed(void **state)
{
	struct fail_each_opts fo = { .design = DESIGN_V6_18, .only = FI_AVC };
	struct fail_each_result res;
	char *out = NULL, *err = NULL;

	assert_int_equal(sweep("region A 0 4\nproc P\nP mmap A rw\nP write A[0]\n"
			       "P mprotect A[2:4] r\n",
			       &fo, &res, &out, &err), 0);
	/* prepare's chain; the split's first try and its retry. */
	assert_int_equal(res.points, 2);
	assert_int_equal(res.absorbed, 1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.violations, 0);
	free(out);
	free(err);
}

/*
 * After a failed fork the child's steps are skipped, the rest runs
 * without its expectations, and everything is still checked.
 */
static void test_after_injection(void **state)
{
	static const char text[] = HDR "P write A\nP fork Q\nQ write A[1]\n"
				   "expect live anon_vma 2\nQ exit\nP write A[2]\n";
	struct exec_summary sum;
	struct failinject fi;
	char *msgs = NULL;

	fi_init(&fi);
	fi.only = FI_MM;
	fi.fail_at = 2;		/* the child's mm_struct */
	assert_int_equal(run_text(text, &fi, 0, &sum, &msgs), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(sum.injected_step, 4);
	assert_int_equal(sum.injected_result, ENOMEM);
	assert_int_equal(sum.injected_cache, FI_MM);
	assert_int_equal(sum.skipped_after, 2);
	assert_int_equal(sum.steps_run, 5);
	assert_int_equal(sum.leaks, 0);
	free(msgs);
}

/* The sweep finds the planted bug of spec §6.7 without being told where. */
static void test_sweep_finds_dup_stale(void **state)
{
	static const char text[] =
		"region A 0 2\nregion B 2 2\nproc P\nP mmap B rw\nP write B\n"
		"P mprotect B r\nP mmap A rw\nP mprotect B rw\n";
	struct fail_each_opts fo = { .design = DESIGN_MAINLINE };
	struct fail_each_result res;
	char *out = NULL, *err = NULL;

	assert_int_equal(sweep(text, &fo, &res, &out, &err), 0);
	assert_int_equal(res.violations, 0);
	free(out);
	free(err);

	fo.bugs = 1UL << BUG_DUP_STALE_ANON_VMA;
	assert_int_equal(sweep(text, &fo, &res, &out, &err), 1);
	assert_int_equal(res.violations, 1);
	assert_non_null(strstr(err, "avc (clone) in step 6 (line 8: P mprotect B rw): ENOMEM: VIOLATION"));
	assert_non_null(strstr(err, "the VMA's anon_vma changed from 0 to 1"));
	assert_non_null(strstr(err, "I3: "));
	free(out);
	free(err);
}

/* ---- the bug scenarios, both directions -------------------------------- */

static void test_bug_dup_stale_anon_vma(void **state)
{
	struct scn_error perr;
	struct exec_summary sum;
	struct scenario *s;
	size_t len, ml = 0;
	char *buf = read_repo_file("tests/bugs/dup-stale-anon-vma.scn", &len);
	char *msgs = NULL;
	struct exec_opts eo = { .check = true, .design = -1 };
	FILE *err;

	s = scn_parse("dup.scn", buf, len, &perr);
	assert_non_null(s);
	assert_int_equal(exec_model(s, &eo, &sum), 0);

	err = open_memstream(&msgs, &ml);
	eo.err = err;
	eo.bugs = 1UL << BUG_DUP_STALE_ANON_VMA;
	assert_int_equal(exec_model(s, &eo, &sum), 1);
	fclose(err);
	assert_true(sum.check_failures > 0);
	assert_non_null(strstr(msgs, "(P mprotect B rw): I3: "));
	assert_non_null(strstr(msgs, "(P mprotect B rw): I8: "));
	free(msgs);
	scn_free(s);
	free(buf);
}

/*
 * With the switch on, the root lock stays held: the next lock taken
 * breaks the lock order, which aborts by default.  Run it in a child
 * that records lock rules instead, and read what it reported.
 */
static void record_rule(const char *rule, const void *lock)
{
	fprintf(stderr, "rule: %s\n", rule);
}

static void test_bug_clone_no_unlock(void **state)
{
	struct scn_error perr;
	struct exec_summary sum;
	struct scenario *s;
	size_t len;
	char *buf = read_repo_file("tests/bugs/clone-no-unlock.scn", &len);
	struct exec_opts eo = { .check = true, .design = -1 };
	char out[8192];
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	s = scn_parse("clone.scn", buf, len, &perr);
	assert_non_null(s);
	assert_int_equal(exec_model(s, &eo, &sum), 0);

	assert_int_equal(pipe(pfd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 2);
		lock_set_violation_hook(record_rule);
		eo.err = stderr;
		eo.bugs = 1UL << BUG_CLONE_NO_UNLOCK;
		/* The step is reported before anything else can hang. */
		alarm(10);
		exec_model(s, &eo, &sum);
		_exit(0);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_non_null(strstr(out,
		"clone.scn:30: invariant violation after step 4 (P mprotect A[2:4] r): 1 locks still held\n"));
	scn_free(s);
	free(buf);
}

/* After a failed test: leave no model set up for the next one. */
static int reset(void **state)
{
	slab_set_fail_hook(NULL, NULL);
	if (anon_vma_cachep)
		anonvma_exit(NULL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cache_names, reset),
		cmocka_unit_test_teardown(test_cache_of, reset),
		cmocka_unit_test_teardown(test_unarmed, reset),
		cmocka_unit_test_teardown(test_kth_of_a_fault, reset),
		cmocka_unit_test_teardown(test_only_one_cache, reset),
		cmocka_unit_test_teardown(test_step_rule, reset),
		cmocka_unit_test_teardown(test_probability, reset),
		cmocka_unit_test_teardown(test_maple_point, reset),
		cmocka_unit_test_teardown(test_swap_point, reset),
		cmocka_unit_test_teardown(test_file_point, reset),
		cmocka_unit_test_teardown(test_fail_line_oom, reset),
		cmocka_unit_test_teardown(test_fail_line_unused, reset),
		cmocka_unit_test_teardown(test_fail_line_fork, reset),
		cmocka_unit_test_teardown(test_contract_mprotect, reset),
		cmocka_unit_test_teardown(test_contract_atomic, reset),
		cmocka_unit_test_teardown(test_expected_results, reset),
		cmocka_unit_test_teardown(test_sweep_counts, reset),
		cmocka_unit_test_teardown(test_sweep_one_cache, reset),
		cmocka_unit_test_teardown(test_sweep_one_site, reset),
		cmocka_unit_test_teardown(test_fail_random, reset),
		cmocka_unit_test_teardown(test_sweep_absorbed, reset),
		cmocka_unit_test_teardown(test_after_injection, reset),
		cmocka_unit_test_teardown(test_sweep_finds_dup_stale, reset),
		cmocka_unit_test_teardown(test_bug_dup_stale_anon_vma, reset),
		cmocka_unit_test_teardown(test_bug_clone_no_unlock, reset),
	};

	return cmocka_run_group_tests(tests, NULL, reset);
}
