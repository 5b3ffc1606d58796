/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer: the generator is deterministic per seed and always writes
 * text that parses (and, against the kernel, nothing model-only); its
 * scenarios pass on the model; the shrinker reduces synthetic failures
 * to exactly the lines that matter; the sandbox turns crashes and hangs
 * into verdicts; and with a historical bug switched on the whole loop
 * finds it and writes a small scenario that still shows it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <anonvma/system.h>

#include "exec.h"
#include "fuzz/fuzz.h"
#include "scenario.h"

static char *slurp(const char *path)
{
	struct scn_error err;
	size_t len;
	char *buf = scn_read_file(path, &len, &err), *text;

	if (!buf)
		return NULL;
	text = strndup(buf, len);
	free(buf);
	return text;
}

/* Operation lines of a scenario: what scn_parse() counts as steps. */
static int count_steps(const char *text)
{
	struct scn_error err;
	struct scenario *s = scn_parse("t.scn", text, strlen(text), &err);
	int n;

	assert_non_null(s);
	n = s->nsteps;
	scn_free(s);
	return n;
}

static void test_rng(void **state)
{
	struct fuzz_rng a, b;
	int i, hits = 0;

	fuzz_rng_seed(&a, 42);
	fuzz_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		assert_int_equal(fuzz_rng_next(&a), fuzz_rng_next(&b));
	fuzz_rng_seed(&b, 43);
	for (i = 0; i < 1000; i++)
		hits += fuzz_rng_next(&a) == fuzz_rng_next(&b);
	assert_int_equal(hits, 0);
	for (i = 0; i < 10000; i++)
		assert_true(fuzz_rng_below(&a, 7) < 7);
	assert_int_equal(fuzz_rng_below(&a, 0), 0);
	assert_false(fuzz_rng_chance(&a, 0));
	assert_true(fuzz_rng_chance(&a, 100));
}

static void test_generator_deterministic(void **state)
{
	struct fuzz_gen_opts o;
	uint64_t seed;

	for (seed = 0; seed < 50; seed++) {
		char *t1, *t2;

		fuzz_gen_defaults(&o, seed);
		t1 = fuzz_generate(&o);
		t2 = fuzz_generate(&o);
		assert_string_equal(t1, t2);
		o.seed = seed + 1000;
		free(t2);
		t2 = fuzz_generate(&o);
		assert_string_not_equal(t1, t2);
		free(t1);
		free(t2);
	}
	/* The seed is written into the text: the first line says it. */
	fuzz_gen_defaults(&o, 12345);
	{
		char *t = fuzz_generate(&o);

		assert_memory_equal(t, "# anonvma fuzz: seed 12345\n", 27);
		free(t);
	}
}

/* Every generated text parses; the kernel form has nothing model-only. */
static void test_generator_parses(void **state)
{
	struct fuzz_gen_opts o;
	uint64_t seed;
	int mode, i;

	for (mode = 0; mode < 2; mode++) {
		for (seed = 0; seed < 400; seed++) {
			struct scn_error err;
			struct scenario *s;
			char *t;

			fuzz_gen_defaults(&o, seed);
			o.steps = 10 + (int)(seed % 60);
			if (mode) {
				o.model_only = false;
				o.files = false;
				o.shared_reads = false;
				o.design = "v6.18";
			}
			t = fuzz_generate(&o);
			s = scn_parse("gen.scn", t, strlen(t), &err);
			if (!s)
				fail_msg("seed %llu: %d:%d: %s\n%s",
					 (unsigned long long)seed, err.line,
					 err.col, err.msg, t);
			assert_int_equal(s->nsteps, o.steps);
			/* The generator follows its own rules (shadow.c). */
			{
				char why[256];

				if (!fuzz_shadow_check(s, why, sizeof(why)))
					fail_msg("seed %llu: %s\n%s",
						 (unsigned long long)seed, why, t);
			}
			if (mode) {
				assert_string_equal(s->design, "v6.18");
				assert_int_equal(s->nfiles, 0);
				for (i = 0; i < s->nsteps; i++) {
					assert_false(s->steps[i].model_only);
					/* No loads from shared memory (fault-around). */
					assert_int_equal(s->steps[i].file, -1);
				}
			}
			scn_free(s);
			free(t);
		}
	}
}

/*
 * The generator's picture of the layout is right: its scenarios pass on
 * the model (every operation works, every `expect errno` holds, no
 * invariant breaks), under both designs.
 */
static void test_generated_pass(void **state)
{
	struct fuzz_gen_opts o;
	uint64_t seed;

	for (seed = 0; seed < 300; seed++) {
		struct fuzz_result r;
		char *t;

		fuzz_gen_defaults(&o, 777000 + seed);
		o.design = seed & 1 ? "v6.18" : "mainline";
		t = fuzz_generate(&o);
		fuzz_run_model(t, strlen(t), &r);
		if (r.kind != FUZZ_PASS)
			fail_msg("seed %llu: %s (%s): %s\n%s",
				 (unsigned long long)o.seed, fuzz_kind_name(r.kind),
				 r.sig, r.msg, t);
		assert_int_equal(r.steps_run, o.steps);
		free(t);
	}
}

static bool shadow_ok(const char *body, char *why)
{
	char text[1024];
	struct scn_error err;
	struct scenario *s;
	bool ok;

	snprintf(text, sizeof(text), "window 0x200000000000 pages 16\nfile F 4\nproc P1\n%s", body);
	s = scn_parse("t.scn", text, strlen(text), &err);
	assert_non_null(s);
	why[0] = '\0';
	ok = fuzz_shadow_check(s, why, 256);
	scn_free(s);
	return ok;
}

/* The rules: what the generator may write, and what it knows of memory. */
static void test_shadow_rules(void **state)
{
	char why[256];

	assert_true(shadow_ok("P1 mmap @0:2 rw\nP1 write @0:2 = 0x5\n"
			      "P1 fork P2\nP2 read @0:2 == 0x5\n"
			      "P1 write @1 = 0x6\nP2 read @1 == 0x5\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw\nP1 read @0 == 0x5\n", why));
	assert_string_equal(why, "line 5 (P1 read @0 == 0x5): read @0 == 0x5 but the page holds another value");
	assert_true(shadow_ok("P1 mmap @0 rw\nP1 read @0 == 0x0\n", why));
	/* Moved pages keep their values; DONTUNMAP leaves zeros behind. */
	assert_true(shadow_ok("P1 mmap @0:2 rw\nP1 write @0:2 = 0x7\n"
			      "P1 mremap @0:2 to @4:6 dontunmap\n"
			      "P1 read @4:6 == 0x7\nP1 read @0:2 == 0x0\n", why));
	/* mremap needs its source in one private anonymous VMA... */
	assert_false(shadow_ok("P1 mremap @0 to @4\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw\nP1 mmap @1 r\nP1 mremap @0:2 to @4:7\n", why));
	/*
	 * ... unless it keeps its size (6.17+): then it may span private
	 * anonymous VMAs and gaps after its first page, each piece keeps
	 * its values, and what lies opposite a gap stays.
	 */
	assert_true(shadow_ok("P1 mmap @0 rw\nP1 mmap @1 rw\nP1 mremap @0:2 to @4:6\n", why));
	assert_true(shadow_ok("P1 mmap @0 rw\nP1 mmap @2 r\nP1 mmap @5 rw\n"
			      "P1 write @0 = 0x7\nP1 write @5 = 0x9\n"
			      "P1 mremap @0:4 to @4:8\nP1 read @4 == 0x7\n"
			      "P1 read @5 == 0x9\nP1 read @6 == 0x0\n", why));
	assert_false(shadow_ok("P1 mmap @1 rw\nP1 mremap @0:2 to @4:6\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw\nP1 mmap @1 rw shared\nP1 mremap @0:2 to @4:6\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw shared\nP1 mremap @0 to @4\n", why));
	assert_true(shadow_ok("P1 mmap @0:2 rw\nP1 mremap @0:2 to @4:6\n", why));
	assert_true(shadow_ok("P1 mremap @0 to @4\nexpect errno EFAULT\n", why));
	/* Certain failures only. */
	assert_true(shadow_ok("P1 read @3\nexpect errno SIGSEGV\n", why));
	assert_false(shadow_ok("P1 mmap @3 r\nP1 read @3\nexpect errno SIGSEGV\n", why));
	assert_true(shadow_ok("P1 mmap @3 r\nP1 write @3\nexpect errno SIGSEGV\n", why));
	assert_false(shadow_ok("P1 mmap @3 r\nP1 mmap @3 rw\n", why));
	assert_true(shadow_ok("P1 mmap @3 r\nP1 mmap @3 rw\nexpect errno EEXIST\n", why));
	assert_false(shadow_ok("P1 mprotect @3 rw\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw file=F off=4\n", why));
	/* DONTFORK pages are not in the child; wipe-on-fork ones read zeros. */
	assert_false(shadow_ok("P1 mmap @0 rw\nP1 madvise @0 dontfork\n"
			       "P1 fork P2\nP2 write @0\n", why));
	assert_true(shadow_ok("P1 mmap @0 rw\nP1 write @0 = 0x9\n"
			      "P1 madvise @0 wipeonfork\nP1 fork P2\n"
			      "P2 read @0 == 0x0\nP1 read @0 == 0x9\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw shared\nP1 madvise @0 wipeonfork\n", why));
	assert_false(shadow_ok("P1 mmap @0 rw file=F\nP1 write @0 = 0x3\n"
			       "P1 madvise @0 dontneed\nP1 read @0 == 0x3\n", why));
	/* swapout and migrate of file pages are EINVAL. */
	assert_false(shadow_ok("P1 mmap @0 r file=F\nswapout P1 @0\n", why));
}

/* ---- the shrinker on synthetic failures ---------------------------- */

struct needles {
	const char *a, *b;
	int calls;
};

/* "Fails" iff every needle occurs as a whole line. */
static bool has_lines(const char *text, size_t len, void *arg)
{
	struct needles *n = arg;
	char buf[128];

	n->calls++;
	snprintf(buf, sizeof(buf), "\n%s\n", n->a);
	if (!strstr(text, buf))
		return false;
	if (!n->b)
		return true;
	snprintf(buf, sizeof(buf), "\n%s\n", n->b);
	return strstr(text, buf) != NULL;
}

static const char synthetic[] =
	"# a comment that stays\n"
	"window 0x200000000000 pages 32\n"
	"file F 4\n"
	"proc P1\n"
	"P1 mmap @0:8 rw\n"
	"P1 write @0:8\n"
	"P1 fork P2\n"
	"P2 write @3\n"
	"P1 mprotect @9 rw\n"
	"expect errno ENOMEM\n"
	"P2 fork P3\n"
	"P3 write @3\n"
	"P3 fork P4\n"
	"P4 read @5\n"
	"P1 read @5\n"
	"P2 munmap @0:2\n"
	"P1 exit\n"
	"P4 exit\n";

static void test_shrink_two_lines(void **state)
{
	struct needles n = { "P1 write @0:8", "P1 read @5", 0 };
	struct fuzz_shrink_stats st;
	char *out = fuzz_shrink(synthetic, has_lines, &n, 0, &st);

	/* Only `proc P1` is needed besides them: without it nothing parses. */
	assert_string_equal(out,
			    "# a comment that stays\n"
			    "window 0x200000000000 pages 32\n"
			    "proc P1\n"
			    "P1 write @0:8\n"
			    "P1 read @5\n");
	assert_int_equal(st.units_before, 15);
	assert_int_equal(st.units_after, 3);
	assert_true(st.runs > 0 && st.runs <= st.tests);
	assert_int_equal((int)st.runs, n.calls);
	free(out);
}

static void test_shrink_keeps_fork_chain(void **state)
{
	struct needles n = { "P4 read @5", NULL, 0 };
	char *out = fuzz_shrink(synthetic, has_lines, &n, 0, NULL);

	/* The fork chain folds into one fork: P4's parent does not matter. */
	assert_string_equal(out,
			    "# a comment that stays\n"
			    "window 0x200000000000 pages 32\n"
			    "proc P1\n"
			    "P1 fork P4\n"
			    "P4 read @5\n");
	free(out);
}

static void test_shrink_keeps_errno_with_its_operation(void **state)
{
	struct needles n = { "P1 mprotect @9 rw", NULL, 0 };
	char *out = fuzz_shrink(synthetic, has_lines, &n, 0, NULL);

	assert_string_equal(out,
			    "# a comment that stays\n"
			    "window 0x200000000000 pages 32\n"
			    "proc P1\n"
			    "P1 mprotect @9 rw\n"
			    "expect errno ENOMEM\n");
	free(out);
}

static bool has_prefix_line(const char *text, size_t len, void *arg)
{
	return strstr(text, (const char *)arg) != NULL;
}

/* Optional words go; ranges narrow as long as the failure stays. */
static void test_shrink_words(void **state)
{
	static const char text[] =
		"window 0x200000000000 pages 32\n"
		"proc P1\n"
		"P1 mmap @0:4 rw noreserve\n"
		"P1 write @0:4\n"
		"P1 mremap @0:4 to @8:12 dontunmap\n";
	char *out;

	out = fuzz_shrink(text, has_prefix_line,
			  (void *)"\nP1 mremap @0:4 to @8:12", 0, NULL);
	assert_string_equal(out,
			    "window 0x200000000000 pages 32\n"
			    "proc P1\n"
			    "P1 mremap @0:4 to @8:12\n");
	free(out);
	out = fuzz_shrink(text, has_prefix_line, (void *)"P1 mmap @0", 0, NULL);
	assert_string_equal(out,
			    "window 0x200000000000 pages 32\n"
			    "proc P1\n"
			    "P1 mmap @0 rw\n");
	free(out);
}

static void test_shrink_budget(void **state)
{
	struct needles n = { "P1 write @0:8", "P1 read @5", 0 };
	struct fuzz_shrink_stats st;
	char *out = fuzz_shrink(synthetic, has_lines, &n, 5, &st);

	assert_int_equal(st.runs, 5);
	assert_int_equal(n.calls, 5);
	/* Whatever it reached still fails. */
	assert_true(has_lines(out, strlen(out), &n));
	free(out);
}

/* ---- verdicts ---------------------------------------------------------- */

static void test_classify(void **state)
{
	struct fuzz_result r;

	fuzz_classify_model(&r, "", NULL);
	assert_int_equal(r.kind, FUZZ_PASS);

	fuzz_classify_model(&r,
		"f.scn:9: operation failed: P1 mremap @3 to @5 dontunmap: EFAULT\n",
		NULL);
	assert_int_equal(r.kind, FUZZ_OPFAIL);
	assert_string_equal(r.sig, "opfail mremap EFAULT");

	fuzz_classify_model(&r,
		"f.scn:4: operation failed: swapout P1 @3: EAGAIN\n", NULL);
	assert_string_equal(r.sig, "opfail swapout EAGAIN");

	fuzz_classify_model(&r,
		"f.scn:9: invariant violation after step 7 (P1 read @0:2): I7: mm#1 vma 0x1-0x2 maps folio#3\n"
		"f.scn:9: invariant violation after step 7 (P1 read @0:2): I2: x\n",
		NULL);
	assert_int_equal(r.kind, FUZZ_VIOLATION);
	assert_string_equal(r.sig, "violation I7");
	assert_string_equal(r.msg, "f.scn:9: invariant violation after step 7 (P1 read @0:2): I7: mm#1 vma 0x1-0x2 maps folio#3");

	fuzz_classify_model(&r,
		"f.scn:3: invariant violation after step 2 (P1 exit): I10/leak: av#1 is live\n",
		NULL);
	assert_string_equal(r.sig, "violation I10/leak");

	fuzz_classify_model(&r,
		"f.scn:5: invariant violation after step 5 (P2 write @1): 1 kernel assertions (WARN_ON) fired\n",
		"noise\nWARNING: mm/rmap.c:322: !list_empty(x)\n");
	assert_int_equal(r.kind, FUZZ_WARN);
	assert_string_equal(r.sig, "warn mm/rmap.c:322");

	fuzz_classify_model(&r,
		"f.scn:5: expectation failed: errno SIGSEGV, found success\n", NULL);
	assert_int_equal(r.kind, FUZZ_EXPECT);
	assert_string_equal(r.sig, "expect errno");

	fuzz_classify_model(&r, "f.scn: leak: 2 objects still live at exit\n", NULL);
	assert_int_equal(r.kind, FUZZ_LEAK);
	assert_string_equal(r.sig, "leak");

	/* The same kind with another signature is another failure. */
	{
		struct fuzz_result a = { .kind = FUZZ_VIOLATION, .sig = "violation I7" };
		struct fuzz_result b = a;

		assert_true(fuzz_same_failure(&a, &b));
		snprintf(b.sig, sizeof(b.sig), "violation I2");
		assert_false(fuzz_same_failure(&a, &b));
		b = a;
		b.kind = FUZZ_PASS;
		a.kind = FUZZ_PASS;
		assert_false(fuzz_same_failure(&a, &b));
	}
}

static void child_bug(void *arg, struct fuzz_result *r)
{
	fprintf(stderr, "BUG: mm/example.c:12: av != NULL\n");
	abort();
}

static void child_hang(void *arg, struct fuzz_result *r)
{
	for (;;)
		pause();
}

static void child_verdict(void *arg, struct fuzz_result *r)
{
	r->kind = FUZZ_VIOLATION;
	snprintf(r->sig, sizeof(r->sig), "violation I5");
	r->steps_run = 3;
}

static void child_exit(void *arg, struct fuzz_result *r)
{
	fprintf(stderr, "anonvma: out of memory\n");
	exit(2);
}

static void test_sandbox(void **state)
{
	struct fuzz_result r;

	assert_int_equal(fuzz_sandbox(child_bug, NULL, 5, &r), 0);
	assert_int_equal(r.kind, FUZZ_CRASH);
	assert_string_equal(r.sig, "crash ABRT mm/example.c:12");
	assert_string_equal(r.msg, "BUG: mm/example.c:12: av != NULL");

	assert_int_equal(fuzz_sandbox(child_hang, NULL, 1, &r), 0);
	assert_int_equal(r.kind, FUZZ_HANG);
	assert_string_equal(r.sig, "hang");

	assert_int_equal(fuzz_sandbox(child_verdict, NULL, 5, &r), 0);
	assert_int_equal(r.kind, FUZZ_VIOLATION);
	assert_string_equal(r.sig, "violation I5");
	assert_int_equal(r.steps_run, 3);

	assert_int_equal(fuzz_sandbox(child_exit, NULL, 5, &r), 0);
	assert_int_equal(r.kind, FUZZ_CRASH);
	assert_string_equal(r.sig, "crash exit 2");
}

/* ---- the whole loop ---------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/anonvma-test-fuzz-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) ? -1 : 0;
}

/*
 * A historical bug switched on: the fuzzer finds it within a few hundred
 * scenarios and shrinks it to a handful of lines that still show it.
 */
static void check_bug_found(const char *bug, int max_ops)
{
	struct fuzz_opts o = {
		.seed = 1, .count = 400, .steps = 40, .out = tmpdir,
		.timeout = 30, .shrink_runs = 2000, .max_failures = 1,
	};
	struct fuzz_stats st;
	struct fuzz_result r;
	char *text;

	o.bugs = 1UL << bug_parse(bug);
	assert_int_equal(fuzz_run(&o, &st), 1);
	/* It stops at the first failure, well before the 400th scenario. */
	assert_int_equal(st.failed, 1);
	assert_true(st.run < 400);
	assert_int_equal(st.passed + st.failed, st.run);
	assert_int_equal(st.findings, 1);
	assert_int_equal(st.by_kind[FUZZ_OPFAIL] + st.by_kind[FUZZ_PARSE] +
			 st.by_kind[FUZZ_CRASH] + st.by_kind[FUZZ_HANG], 0);

	text = slurp(st.first_file);
	assert_non_null(text);
	assert_non_null(strstr(text, "# Found by anonvma fuzz, seed "));
	assert_non_null(strstr(text, "# Reproduce: anonvma run --check "));
	assert_non_null(strstr(text, "\nbug "));
	assert_true(count_steps(text) <= max_ops);
	/* The file alone shows the failure: bug line included. */
	fuzz_run_model(text, strlen(text), &r);
	assert_true(r.kind == FUZZ_VIOLATION || r.kind == FUZZ_WARN);
	free(text);
	remove_tmpdir(NULL);
	make_tmpdir(NULL);
}

static void test_finds_tag_child_nonexcl(void **state)
{
	check_bug_found("tag-child-nonexcl", 12);
}

static void test_finds_merge_no_copied_from(void **state)
{
	check_bug_found("merge-no-copied-from", 12);
}

/* Without a bug, the same seeds pass. */
static void test_clean_run(void **state)
{
	struct fuzz_opts o = {
		.seed = 1, .count = 100, .steps = 40, .out = tmpdir,
		.timeout = 30,
	};
	struct fuzz_stats st;

	assert_int_equal(fuzz_run(&o, &st), 0);
	assert_int_equal(st.passed, 100);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.findings, 0);
}

/* ---- a test double for the kernel oracle ------------------------------ */

static bool fake_available(void *arg, char *why, size_t n)
{
	return true;
}

static int fake_design(void *arg)
{
	return DESIGN_V6_18;
}

/* "Disagrees" after any fork that follows an mprotect. */
static void fake_compare(void *arg, const char *text, size_t len,
			 struct fuzz_result *r)
{
	const char *m = strstr(text, " mprotect ");

	memset(r, 0, sizeof(*r));
	if (m && strstr(m, " fork ")) {
		r->kind = FUZZ_DIFF;
		snprintf(r->sig, sizeof(r->sig), "diff maps (fork)");
		snprintf(r->msg, sizeof(r->msg), "step 3: maps differ");
	}
}

static void test_oracle_diff_shrunk(void **state)
{
	static const struct fuzz_oracle fake = {
		.name = "fake", .available = fake_available,
		.design = fake_design, .compare = fake_compare,
	};
	struct fuzz_opts o = {
		.seed = 5, .count = 20, .steps = 30, .out = tmpdir,
		.timeout = 30, .oracle = &fake, .design = "v6.18",
	};
	struct fuzz_stats st;
	struct scn_error err;
	struct scenario *s;
	char *text;
	int i;

	assert_int_equal(fuzz_run(&o, &st), 1);
	assert_true(st.by_kind[FUZZ_DIFF] > 0);
	assert_int_equal(st.findings, 1);
	text = slurp(st.first_file);
	assert_non_null(strstr(text, "# Reproduce: anonvma diff "));
	assert_non_null(strstr(text, "--kernel --seed "));
	s = scn_parse("f.scn", text, strlen(text), &err);
	assert_non_null(s);
	/* proc, mprotect, fork (the model refuses the mprotect, the fake does not care). */
	assert_int_equal(s->nsteps, 3);
	assert_int_equal(s->steps[1].op, SCN_OP_MPROTECT);
	assert_int_equal(s->steps[s->nsteps - 1].op, SCN_OP_FORK);
	for (i = 0; i < s->nsteps; i++)
		assert_false(s->steps[i].model_only);
	scn_free(s);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_generator_deterministic),
		cmocka_unit_test(test_generator_parses),
		cmocka_unit_test(test_generated_pass),
		cmocka_unit_test(test_shadow_rules),
		cmocka_unit_test(test_shrink_two_lines),
		cmocka_unit_test(test_shrink_keeps_fork_chain),
		cmocka_unit_test(test_shrink_keeps_errno_with_its_operation),
		cmocka_unit_test(test_shrink_words),
		cmocka_unit_test(test_shrink_budget),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_sandbox),
		cmocka_unit_test_setup_teardown(test_finds_tag_child_nonexcl,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_finds_merge_no_copied_from,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_clean_run, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_oracle_diff_shrunk,
						make_tmpdir, remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
