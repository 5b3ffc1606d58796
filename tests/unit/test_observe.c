/* SPDX-License-Identifier: MIT */
/*
 * The model executor and its observations, end to end: a small fork
 * scenario gives exactly the expected VMAs, folio labels, exclusive
 * bits, mapcounts and object counts by call site, in the text form, the
 * JSON form and the structures; failed expectations, failed operations
 * and broken invariants are reported in the documented format with the
 * documented exit status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/anonvma.h>

#include "exec.h"
#include "scenario.h"

static const char fork_scn[] =
	"window 0x200000000000 pages 16\n"
	"region A 0 4\n"
	"proc P\n"
	"P mmap A rw\n"
	"P write A[0:2]\n"
	"P read A[3]\n"
	"P fork Q\n"
	"expect step anon_vma +1 -0\n"
	"Q write A[1]\n"
	"expect P page A[1] present noexcl mc=1 anon\n"
	"expect Q page A[1] present excl mc=1 anon\n"
	"expect same P A[0] Q A[0]\n"
	"expect differ P A[1] Q A[1]\n"
	"P exit\n";

/* The last three steps of fork_scn in the canonical text form. */
static const char fork_text_tail[] =
	"step 5 (line 7): P fork Q\n"
	"  result: ok\n"
	"  anon_vma: +1 anon_vma_fork, live 2\n"
	"  avc: +1 anon_vma_clone +1 anon_vma_fork, live 3\n"
	"  P: vma @0:4 rw-p                              [av=av1 chain=1 pgoff=0x200000000]\n"
	"  P: page @0 present f0 noexcl mc=2 anon        [w=0 av=av1 index=0x200000000]\n"
	"  P: page @1 present f1 noexcl mc=2 anon        [w=0 av=av1 index=0x200000001]\n"
	"  P: page @3 zero\n"
	"  Q: vma @0:4 rw-p                              [av=av2 chain=2 pgoff=0x200000000]\n"
	"  Q: page @0 present f0 noexcl mc=2 anon        [w=0 av=av1 index=0x200000000]\n"
	"  Q: page @1 present f1 noexcl mc=2 anon        [w=0 av=av1 index=0x200000001]\n"
	"  Q: page @3 zero\n"
	"  [av1 root=av1 parent=av1 children=2 active=1 refcount=2]\n"
	"  [av2 root=av1 parent=av1 children=0 active=1 refcount=1]\n"
	"step 6 (line 9): Q write A[1]\n"
	"  result: ok\n"
	"  anon_vma: live 2\n"
	"  avc: live 3\n"
	"  P: vma @0:4 rw-p                              [av=av1 chain=1 pgoff=0x200000000]\n"
	"  P: page @0 present f0 noexcl mc=2 anon        [w=0 av=av1 index=0x200000000]\n"
	"  P: page @1 present f1 noexcl mc=1 anon        [w=0 av=av1 index=0x200000001]\n"
	"  P: page @3 zero\n"
	"  Q: vma @0:4 rw-p                              [av=av2 chain=2 pgoff=0x200000000]\n"
	"  Q: page @0 present f0 noexcl mc=2 anon        [w=0 av=av1 index=0x200000000]\n"
	"  Q: page @1 present f2 excl mc=1 anon          [w=1 av=av2 index=0x200000001]\n"
	"  Q: page @3 zero\n"
	"  [av1 root=av1 parent=av1 children=2 active=1 refcount=2]\n"
	"  [av2 root=av1 parent=av1 children=0 active=1 refcount=1]\n"
	"step 7 (line 14): P exit\n"
	"  result: ok\n"
	"  anon_vma: live 2\n"
	"  avc: -1 unlink_anon_vmas, live 2\n"
	"  Q: vma @0:4 rw-p                              [av=av2 chain=2 pgoff=0x200000000]\n"
	"  Q: page @0 present f0 noexcl mc=1 anon        [w=0 av=av1 index=0x200000000]\n"
	"  Q: page @1 present f1 excl mc=1 anon          [w=1 av=av2 index=0x200000001]\n"
	"  Q: page @3 zero\n"
	"  [av1 root=av1 parent=av1 children=2 active=0 refcount=2]\n"
	"  [av2 root=av1 parent=av1 children=0 active=1 refcount=1]\n"
	"PASS t.scn: 7 steps, 5 expectations, 7 invariant checks\n";

struct captured {
	char *out, *err;
	size_t outlen, errlen;
	int status, executed;
};

static void run_capture(const char *text, const struct run_opts *opts,
			struct captured *c)
{
	FILE *fo = open_memstream(&c->out, &c->outlen);
	FILE *fe = open_memstream(&c->err, &c->errlen);

	assert_non_null(fo);
	assert_non_null(fe);
	c->status = scn_run("t.scn", text, strlen(text), opts, fo, fe,
			    &c->executed);
	fclose(fo);
	fclose(fe);
}

static void free_capture(struct captured *c)
{
	free(c->out);
	free(c->err);
}

static void test_text_form(void **state)
{
	struct run_opts opts = { .format = RUN_TEXT, .check = true };
	struct captured c;
	const char *tail;

	run_capture(fork_scn, &opts, &c);
	assert_int_equal(c.status, 0);
	assert_int_equal(c.executed, 7);
	assert_string_equal(c.err, "");
	tail = strstr(c.out, "step 5 (line 7)");
	assert_non_null(tail);
	assert_string_equal(tail, fork_text_tail);
	/* The read of an untouched page maps the zero page and reads 0. */
	assert_non_null(strstr(c.out, "step 4 (line 6): P read A[3]\n"
				      "  result: ok\n  read: @3=0x0\n"));
	free_capture(&c);
}

/* rmap, referenced, swapout and migrate: their model-only lines. */
static void test_model_only_ops(void **state)
{
	static const char text[] =
		"proc P\n"
		"P mmap @0:2 rw\n"
		"P write @0:2\n"
		"P fork Q\n"
		"rmap P @0:2\n"
		"referenced P @0\n"
		"referenced P @0\n"
		"swapout P @0\n"
		"expect P page @0 swap\n"
		"expect Q page @0 swap\n"
		"rmap P @0\n"
		"migrate Q @1\n"
		"expect same P @1 Q @1\n";
	static const char *const lines[] = {
		"  [rmap @0 f0: 2 visited: P@0 mapped, Q@0 mapped]\n"
		"  [rmap @1 f1: 2 visited: P@1 mapped, Q@1 mapped]\n"
		"step 6 (line 6)",
		/* The first check finds the accessed bit, the second not. */
		"  [referenced @0 f0: 2]\nstep 7",
		"  [referenced @0 f0: 0]\nstep 8",
		"  P: page @0 swap s0                            [excl=0]\n"
		"  P: page @1 present f0 noexcl mc=2 anon        [w=0 av=av1 index=0x200000001]\n",
		"  Q: page @0 swap s0                            [excl=0]\n",
		"  [folios 1]\nstep 9",
		"  [rmap @0: no folio]\nstep 10",
		"PASS t.scn: 10 steps, 3 expectations, 10 invariant checks\n",
	};
	struct run_opts opts = { .format = RUN_TEXT, .check = true };
	struct captured c;
	size_t i;

	run_capture(text, &opts, &c);
	assert_int_equal(c.status, 0);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(c.out, lines[i]))
			fail_msg("missing: %s", lines[i]);
	free_capture(&c);
}

static void test_final_and_quiet(void **state)
{
	struct run_opts opts = { .format = RUN_TEXT, .final = true };
	struct captured c;

	run_capture(fork_scn, &opts, &c);
	assert_int_equal(c.status, 0);
	assert_int_equal(strncmp(c.out, "step 7 (line 14): P exit\n", 25), 0);
	assert_null(strstr(c.out, "step 6"));
	free_capture(&c);

	opts.format = RUN_QUIET;
	opts.final = false;
	opts.check = true;
	run_capture(fork_scn, &opts, &c);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out,
			    "PASS t.scn: 7 steps, 5 expectations, 7 invariant checks\n");
	assert_string_equal(c.err, "");
	free_capture(&c);
}

/* What the observer recorded for the fork step and the COW step. */
struct seen {
	int steps;
	int nprocs5, nvmas5, npages5;
	unsigned long anon_fork5, avc_clone5, avc_fork5, avc_live5;
	int label_p1, label_q1, excl_q1, mc_p1, state_p3;
	bool model_av_differs;
	bool last7;
};

static void record(const struct scenario *s, const struct obs_step *o,
		   void *arg)
{
	struct seen *sn = arg;
	const struct obs_proc *p = obs_find_proc(o, 0);
	const struct obs_proc *q = obs_find_proc(o, 1);

	sn->steps++;
	if (o->index == 5) {
		sn->nprocs5 = o->nprocs;
		sn->nvmas5 = q ? q->nvmas : -1;
		sn->npages5 = q ? q->npages : -1;
		sn->anon_fork5 = o->obj[SCN_OBJ_ANON_VMA].alloc[OBS_SITE_FORK];
		sn->avc_clone5 = o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_CLONE];
		sn->avc_fork5 = o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_FORK];
		sn->avc_live5 = o->obj[SCN_OBJ_AVC].live;
		sn->model_av_differs = p && q &&
			p->vmas[0].model.av != q->vmas[0].model.av;
	}
	if (o->index == 6 && p && q) {
		sn->label_p1 = obs_find_page(p, 1)->label;
		sn->label_q1 = obs_find_page(q, 1)->label;
		sn->excl_q1 = obs_find_page(q, 1)->excl;
		sn->mc_p1 = obs_find_page(p, 1)->mapcount;
		sn->state_p3 = obs_find_page(p, 3)->state;
	}
	if (o->index == 7)
		sn->last7 = o->last;
}

static void test_structures(void **state)
{
	struct seen sn = { 0 };
	struct exec_opts eo = {
		.check = true, .design = -1, .on_step = record, .arg = &sn,
	};
	struct exec_summary sum;
	struct scn_error err;
	struct scenario *s = scn_parse("t.scn", fork_scn, strlen(fork_scn), &err);

	assert_non_null(s);
	assert_int_equal(exec_model(s, &eo, &sum), 0);
	assert_int_equal(sn.steps, 7);
	assert_int_equal(sn.nprocs5, 2);
	assert_int_equal(sn.nvmas5, 1);
	assert_int_equal(sn.npages5, 3);
	assert_int_equal(sn.anon_fork5, 1);
	assert_int_equal(sn.avc_clone5, 1);
	assert_int_equal(sn.avc_fork5, 1);
	assert_int_equal(sn.avc_live5, 3);
	assert_true(sn.model_av_differs);
	assert_int_equal(sn.label_p1, 1);
	assert_int_equal(sn.label_q1, 2);
	assert_int_equal(sn.excl_q1, 1);
	assert_int_equal(sn.mc_p1, 1);
	assert_int_equal(sn.state_p3, SCN_PAGE_ZERO);
	assert_true(sn.last7);

	/* Totals include the teardown of Q at the end. */
	assert_int_equal(sum.design, DESIGN_MAINLINE);
	assert_int_equal(sum.steps_run, 7);
	assert_int_equal(sum.expectations, 5);
	assert_int_equal(sum.expect_failures, 0);
	assert_int_equal(sum.checks, 7);
	assert_int_equal(sum.leaks, 0);
	assert_int_equal(sum.alloc[SCN_OBJ_ANON_VMA][OBS_SITE_PREPARE], 1);
	assert_int_equal(sum.alloc[SCN_OBJ_ANON_VMA][OBS_SITE_FORK], 1);
	assert_int_equal(sum.free[SCN_OBJ_ANON_VMA][OBS_SITE_PUT], 2);
	assert_int_equal(sum.free[SCN_OBJ_AVC][OBS_SITE_UNLINK], 3);
	assert_int_equal(sum.peak[SCN_OBJ_AVC], 3);
	assert_int_equal(sum.procs_created, 2);
	assert_int_equal(sum.procs_exited, 1);
	scn_free(s);
}

/* A minimal JSON syntax check, enough to catch a broken document. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\')
			p++;
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_seq(const char *p, char close, bool keys)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keys) {
			p = json_str(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '{')
		return json_seq(p, '}', true);
	if (*p == '[')
		return json_seq(p, ']', false);
	if (*p == '"')
		return json_str(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
		return p;
	}
	return NULL;
}

static const char json_head[] =
	"{\"scenario\":\"t.scn\",\"executor\":\"model\",\"design\":\"mainline\","
	"\"window\":{\"base\":\"0x200000000000\",\"pages\":16},"
	"\"processes\":[\"P\",\"Q\"],\"steps\":[\n{\"step\":1,";

static void test_json(void **state)
{
	struct run_opts opts = { .format = RUN_JSON, .check = true };
	struct captured c;
	const char *end;

	run_capture(fork_scn, &opts, &c);
	assert_int_equal(c.status, 0);
	end = json_value(c.out);
	assert_non_null(end);
	assert_string_equal(json_ws(end), "");
	assert_int_equal(strncmp(c.out, json_head, strlen(json_head)), 0);
	assert_non_null(strstr(c.out,
			       "{\"step\":5,\"line\":7,\"op\":\"P fork Q\",\"model_only\":false,\"result\":\"ok\",\"done\":0,"
			       "\"objects\":{\"anon_vma\":{\"alloc\":{\"anon_vma_fork\":1},\"free\":{},\"live\":2},"
			       "\"avc\":{\"alloc\":{\"anon_vma_clone\":1,\"anon_vma_fork\":1},\"free\":{},\"live\":3}},"
			       "\"procs\":{\"P\":{\"maps\":[{\"start\":\"0x200000000000\",\"end\":\"0x200000004000\",\"pages\":[0,4],\"perms\":\"rw-p\",\"offset\":\"0x0\",\"file\":null}],"
			       "\"pages\":[{\"page\":0,\"state\":\"present\",\"folio\":\"f0\",\"excl\":false,\"mapcount\":2,\"anon\":true},"
			       "{\"page\":1,\"state\":\"present\",\"folio\":\"f1\",\"excl\":false,\"mapcount\":2,\"anon\":true},"
			       "{\"page\":3,\"state\":\"zero\"}]},"));
	assert_non_null(strstr(c.out,
			       "\"model\":{\"violations\":0,\"procs\":{\"P\":{\"vmas\":[{\"pages\":[0,4],\"anon_vma\":\"av1\",\"chain\":1,\"pgoff\":\"0x200000000\"}],"));
	assert_non_null(strstr(c.out,
			       "\"verdict\":{\"pass\":true,\"steps_run\":7,\"operations_failed\":0,\"expectations\":5,\"expectations_failed\":0,\"checks\":7,\"checks_failed\":0,\"leaks\":0}}\n"));
	free_capture(&c);
}

static void test_expectation_failures(void **state)
{
	static const char text[] =
		"proc P\n"
		"region A 0 4\n"
		"P mmap A rw\n"
		"expect P vmas 2\n"
		"expect P maps A r\n"
		"P write A[0]\n"
		"expect P page A[0] present noexcl\n"
		"expect live anon_vma 2\n"
		"expect step avc +2\n"
		"expect P A chain 3\n"
		"expect P A unfaulted\n"
		"expect P page A[1:3] zero\n"
		"P read A[0] == 0x7\n";
	struct run_opts opts = { .format = RUN_QUIET };
	struct captured c;

	run_capture(text, &opts, &c);
	assert_int_equal(c.status, 1);
	assert_int_equal(c.executed, 4);
	assert_string_equal(c.err,
		"t.scn:4: expectation failed: P vmas 2, found 1\n"
		"t.scn:5: expectation failed: P maps A r, found @0:4 rw-p\n"
		"t.scn:7: expectation failed: P page A[0] present noexcl, found @0 present f0 excl mc=1 anon\n"
		"t.scn:8: expectation failed: live anon_vma 2, found 1\n"
		"t.scn:9: expectation failed: step avc +2, found +1 -0\n"
		"t.scn:10: expectation failed: P A chain 3, found chain 1\n"
		"t.scn:11: expectation failed: P A unfaulted, found av1\n"
		"t.scn:12: expectation failed: P page A[1:3] zero, found @1 none\n"
		"t.scn:13: expectation failed: read @0 == 0x7, found 0x60000\n");
	assert_string_equal(c.out,
		"FAIL t.scn: 9 of 9 expectations failed (4 of 4 steps run)\n");
	free_capture(&c);
}

static void test_operation_failures(void **state)
{
	static const char text[] =
		"proc P\n"
		"region A 0 4\n"
		"P mmap A rw\n"
		"P mmap A[1:2] r\n"
		"expect errno EEXIST\n"
		"P read @8\n"
		"expect errno SIGSEGV\n"
		"P mmap A r\n"
		"P write A\n";
	static const char text2[] =
		"proc P\n"
		"P mmap @0:2 rw\n"
		"P mprotect @0 r\n"
		"expect errno EINVAL\n"
		"P write @0\n";
	struct run_opts opts = { .format = RUN_QUIET };
	struct captured c;

	run_capture(text, &opts, &c);
	assert_int_equal(c.status, 1);
	assert_int_equal(c.executed, 5);	/* stops at the failure */
	assert_string_equal(c.err,
			    "t.scn:8: operation failed: P mmap A r: EEXIST\n");
	assert_string_equal(c.out,
			    "FAIL t.scn: 1 operation failed (5 of 6 steps run)\n");
	free_capture(&c);

	/* A success where failure was expected also stops the run. */
	run_capture(text2, &opts, &c);
	assert_int_equal(c.status, 1);
	assert_int_equal(c.executed, 3);
	assert_string_equal(c.err,
			    "t.scn:4: expectation failed: errno EINVAL, found success\n");
	free_capture(&c);
}

/* Break num_active_vmas behind the model's back, then mend it. */
static void corrupt(const struct scenario *s, const struct obs_step *o,
		    void *arg)
{
	struct mm_struct *mm;
	struct anon_vma *av = NULL;

	if (o->index != 3 && o->index != 4)
		return;
	mm_registry_lock();
	for_each_mm(mm)
		av = mm_vma_at(mm, 0)->anon_vma;
	mm_registry_unlock();
	if (o->index == 3)
		av->num_active_vmas++;
	if (o->index == 4)
		av->num_active_vmas--;
}

static void test_invariant_violation(void **state)
{
	static const char text[] =
		"proc P\n"
		"P mmap @0:2 rw\n"
		"P write @0\n"
		"P read @1\n"
		"P write @1\n";
	struct exec_summary sum;
	struct scn_error perr;
	struct scenario *s = scn_parse("t.scn", text, strlen(text), &perr);
	char *err;
	size_t errlen;
	FILE *fe = open_memstream(&err, &errlen);
	struct exec_opts eo = {
		.check = true, .design = -1, .on_step = corrupt, .err = fe,
	};
	static const char prefix[] =
		"t.scn:4: invariant violation after step 4 (P read @1): ";

	assert_non_null(s);
	assert_int_equal(exec_model(s, &eo, &sum), 1);
	fclose(fe);
	assert_int_equal(sum.steps_run, 4);
	assert_int_equal(sum.check_failures, 1);
	assert_int_equal(sum.checks, 4);
	assert_int_equal(sum.leaks, 0);
	assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
	free(err);
	scn_free(s);
}

static void test_builtin_workload(void **state)
{
	struct run_opts opts = { .format = RUN_SUMMARY, .check = true };
	struct captured c;
	const char *p;
	int lines = 0;

	run_capture(workload_text(), &opts, &c);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.err, "");
	for (p = c.out; *p; p++)
		lines += *p == '\n';
	assert_true(lines < 40);
	assert_non_null(strstr(c.out, "\nPASS"));
	assert_non_null(strstr(c.out, "all held"));
	assert_non_null(strstr(c.out, "leaks            none\n"));
	free_capture(&c);
}

static void test_design_override(void **state)
{
	static const char text[] = "design v6.18\nproc P\n";
	struct run_opts opts = { .format = RUN_JSON };
	struct captured c;

	run_capture(text, &opts, &c);
	assert_int_equal(c.status, 0);
	assert_non_null(strstr(c.out, "\"design\":\"v6.18\""));
	free_capture(&c);
	opts.design = "mainline";
	run_capture(text, &opts, &c);
	assert_non_null(strstr(c.out, "\"design\":\"mainline\""));
	free_capture(&c);
	opts.design = "v2.6";
	run_capture(text, &opts, &c);
	assert_int_equal(c.status, 2);
	assert_int_equal(c.executed, 0);
	free_capture(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_form),
		cmocka_unit_test(test_model_only_ops),
		cmocka_unit_test(test_final_and_quiet),
		cmocka_unit_test(test_structures),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_expectation_failures),
		cmocka_unit_test(test_operation_failures),
		cmocka_unit_test(test_invariant_violation),
		cmocka_unit_test(test_builtin_workload),
		cmocka_unit_test(test_design_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
