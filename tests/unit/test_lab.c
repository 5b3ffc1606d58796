/* SPDX-License-Identifier: MIT */
/*
 * The design lab (tools/lab): exact bench metrics on small shapes whose
 * numbers can be derived by hand, the structure of the DOT pictures,
 * self-contained HTML, the plot files, parameter parsing and the
 * root-lock timing of mm/locking.c.
 *
 * Designs other than mainline and v6.18 are looked up by name, so the
 * tests of a design run once it exists (design_parse() >= 0).
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

#include <anonvma/anonvma.h>

#include "lab/lab.h"

/* Run workload @name under @design with "k=v" parameters; returns its result. */
static void run_one(const char *name, int design, const char *const *kv,
		    struct lab_bench *b)
{
	const struct lab_workload *w = lab_workload_find(name);
	char msg[256];
	int i;

	assert_non_null(w);
	lab_bench_init(b, w);
	b->designs = 1UL << design;
	b->check = true;
	for (i = 0; kv && kv[i]; i++)
		assert_int_equal(lab_bench_set_param(b, kv[i], msg, sizeof(msg)), 0);
	assert_int_equal(lab_bench_run(b, stderr), 0);
	assert_int_equal(b->nres, 1);
	assert_string_equal(b->res[0].error, "");
	assert_int_equal(b->res[0].leaks, 0);
	assert_int_equal(b->res[0].violations, 0);
}

/*
 * Rik's shape with 3 children of 4 pages under mainline: the parent's 4
 * folios are tagged with the root, whose tree holds all 4 VMAs (4
 * visits, 1 maps); each child's 12 COW copies are tagged with its own
 * anon_vma, whose tree holds its VMA only (1 visit).  16 walks, 28
 * visits, 16 mapped; 4 anon_vmas, 1 + 3 * 2 = 7 chains.
 */
static void test_rik_mainline(void **state)
{
	static const char *const kv[] = { "children=3", "pages=4", NULL };
	struct lab_bench b;
	const struct lab_result *r;

	run_one("rik", DESIGN_MAINLINE, kv, &b);
	r = &b.res[0];
	assert_int_equal(r->walks, 16);
	assert_int_equal(r->visited, 28);
	assert_int_equal(r->offered, 28);
	assert_int_equal(r->mapped, 16);
	assert_int_equal(r->av_max, 4);
	assert_int_equal(r->avc_max, 7);
	assert_int_equal(r->av_live, 4);
	assert_int_equal(r->avc_live, 7);
	assert_int_equal(r->chain_peak, 2);
	assert_int_equal(r->vmas, 4);
	assert_int_equal(r->vmas_with_av, 4);
	assert_int_equal(r->op[LAB_OP_FORK].n, 3);
	assert_int_equal(r->op[LAB_OP_EXIT].n, 4);
	assert_int_equal(r->op[LAB_OP_FAULT].n, 16);
	assert_int_equal(r->op[LAB_OP_WALK].n, 16);
	/* Samples: before the first fork, after each, after the walks. */
	assert_int_equal(r->nseries, 5);
	assert_int_equal(r->series[3].anon_vma, 4);
	assert_int_equal(r->series[3].avc, 7);
	assert_true(r->series[4].visits == 28.0 / 16.0);
	/* The root lock was taken, timed, and never contended. */
	assert_true(r->root_lock.acquired > 0);
	assert_int_equal(r->root_lock.contended, 0);
	lab_bench_free(&b);
}

/* One anon_vma per fork family: every walk visits all 4 VMAs. */
static void test_rik_single(void **state)
{
	static const char *const kv[] = { "children=3", "pages=4", NULL };
	int d = design_parse("single");
	struct lab_bench b;

	if (d < 0)
		skip();
	run_one("rik", d, kv, &b);
	assert_int_equal(b.res[0].walks, 16);
	assert_int_equal(b.res[0].visited, 64);
	assert_int_equal(b.res[0].mapped, 16);
	assert_int_equal(b.res[0].av_max, 1);
	lab_bench_free(&b);
}

/*
 * The serial forker, 5 generations of one VMA: generation 1 adds the
 * child's anon_vma, generation 2 another (the root is never reusable,
 * generation 1's is active), from generation 3 on the child reuses the
 * exited parent's: 1, 2, 3, 3, 3, 3 anon_vmas, as many chains.
 * Mainline allocates the anon_vma it then finds reusable and frees it
 * again inside the fork (spec §2.6), so its slab peak is 4; v6.18's is 3.
 */
static void test_serial_bounded(void **state)
{
	static const char *const kv[] = { "generations=5", NULL };
	static const unsigned long want[] = { 1, 2, 3, 3, 3, 3 };
	struct lab_bench b;
	int i;

	run_one("serial", DESIGN_MAINLINE, kv, &b);
	assert_int_equal(b.res[0].nseries, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(b.res[0].series[i].x, i);
		assert_int_equal(b.res[0].series[i].anon_vma, want[i]);
		assert_int_equal(b.res[0].series[i].avc, want[i]);
	}
	assert_int_equal(b.res[0].av_max, 3);
	assert_int_equal(b.res[0].av_peak, 4);
	assert_int_equal(b.res[0].chain_peak, 3);
	assert_int_equal(b.res[0].op[LAB_OP_FORK].n, 5);
	assert_int_equal(b.res[0].op[LAB_OP_EXIT].n, 6);
	lab_bench_free(&b);

	run_one("serial", DESIGN_V6_18, kv, &b);
	assert_int_equal(b.res[0].av_max, 3);
	assert_int_equal(b.res[0].av_peak, 3);
	lab_bench_free(&b);
}

/* Without fork-time reuse every generation keeps one more anon_vma. */
static void test_serial_noreuse(void **state)
{
	static const char *const kv[] = { "generations=5", NULL };
	int d = design_parse("noreuse"), i;
	struct lab_bench b;

	if (d < 0)
		skip();
	run_one("serial", d, kv, &b);
	for (i = 0; i < 6; i++)
		assert_int_equal(b.res[0].series[i].anon_vma, (unsigned long)i + 1);
	assert_int_equal(b.res[0].chain_peak, 6);
	lab_bench_free(&b);
}

/*
 * split: 8 pages, one child, every other page made read-only: 8 pieces
 * on the root.  The interval tree finds the one piece (and the child's
 * VMA) covering each folio: 2 visits per walk, all of them mapping it.
 */
static void test_split_tree(void **state)
{
	static const char *const kv[] = { "pages=8", "children=1", NULL };
	struct lab_bench b;

	run_one("split", DESIGN_MAINLINE, kv, &b);
	assert_int_equal(b.res[0].walks, 8);
	assert_int_equal(b.res[0].visited, 16);
	assert_int_equal(b.res[0].mapped, 16);
	assert_int_equal(b.res[0].vmas, 9);
	assert_int_equal(b.res[0].op[LAB_OP_MPROTECT].n, 4);
	/* The root's chains: 8 pieces + the child's; the child's own: 1. */
	assert_int_equal(b.res[0].avc_max, 10);
	lab_bench_free(&b);
}

/* A list walk examines every chain of the anon_vma: 9 per walk. */
static void test_split_list(void **state)
{
	static const char *const kv[] = { "pages=8", "children=1", NULL };
	int d = design_parse("list");
	struct lab_bench b;

	if (d < 0)
		skip();
	run_one("split", d, kv, &b);
	assert_int_equal(b.res[0].walks, 8);
	assert_int_equal(b.res[0].visited, 72);
	assert_int_equal(b.res[0].mapped, 16);
	lab_bench_free(&b);
}

/* Every design runs every workload (small) cleanly. */
static void test_all_designs_all_workloads(void **state)
{
	static const char *const small[][6] = {
		{ "rik", "children=4", "pages=3", NULL },
		{ "serial", "generations=20", NULL },
		{ "split", "pages=16", NULL },
		{ "server", "workers=30", "live=3", "heap=16", "reclaim=10" },
		{ "churn", "cycles=50", NULL },
		{ "image", "libs=2", "children=1", NULL },
		{ "concurrent", "iters=20", "pages=16", NULL },
	};
	unsigned int i;
	int d;

	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		for (d = 0; d < NR_DESIGNS; d++) {
			struct lab_bench b;

			run_one(small[i][0], d, small[i] + 1, &b);
			lab_bench_free(&b);
		}
	}
}

/*
 * The process image, lazily: a written VMA gets an anon_vma at its
 * first write fault, and a written RELRO and the data segment after it
 * share one (find_mergeable_anon_vma: same file, contiguous offsets).
 * Program + 2 libraries: 3 objects of 5 VMAs, heap, 8 anonymous
 * regions, a shared one, the stack = 26 VMAs; anon_vmas: 2 per object
 * (RELRO+data, bss) + heap + 3 written regions + stack = 11.
 */
static void test_image_lazy(void **state)
{
	static const char *const kv[] = { "libs=2", NULL };
	struct lab_bench b;

	run_one("image", DESIGN_MAINLINE, kv, &b);
	assert_int_equal(b.res[0].vmas, 26);
	assert_int_equal(b.res[0].av_live, 11);
	assert_int_equal(b.res[0].vmas_with_av, 14);
	lab_bench_free(&b);
}

static const char scn_text[] =
	"window 0x200000000000 pages 16\n"
	"region A 0 4\n"
	"proc P\n"
	"P mmap A rw\n"
	"P write A[0:2]\n"
	"P fork Q\n"
	"Q write A[1]\n";

static struct scenario *parse_scn(void)
{
	struct scn_error err;
	struct scenario *s = scn_parse("lab.scn", scn_text, strlen(scn_text),
				       &err);

	assert_non_null(s);
	return s;
}

/* The line of @dot that starts with @prefix (after blanks), or NULL. */
static const char *line_with(const char *dot, const char *prefix)
{
	const char *p = dot;

	while (p && *p) {
		const char *q = p;

		while (*q == ' ')
			q++;
		if (!strncmp(q, prefix, strlen(prefix)))
			return q;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static bool line_has(const char *line, const char *what)
{
	const char *end = strchr(line, '\n');
	const char *hit = strstr(line, what);

	return hit && (!end || hit < end);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/*
 * After `Q write A[1]`: av1 the root (P's, folios f0 and f1), av2 Q's
 * (parent av1, folio f2); P's VMA chains to av1, Q's to av2 (own) and
 * av1: three anon_vma_chain edges, each from a cell of its VMA.
 */
static void test_dot_structure(void **state)
{
	struct scenario *s = parse_scn();
	struct exec_summary sum;
	struct lab_capture c;
	const char *d, *l;

	memset(&c, 0, sizeof(c));
	c.want[c.nwant++] = -1;
	c.want[c.nwant++] = 4;
	assert_int_equal(lab_capture_run(s, -1, 0, &c, &sum, stderr), 0);
	assert_int_equal(c.step_of[0], 5);
	assert_int_equal(c.step_of[1], 4);
	d = c.dots[0];
	assert_non_null(d);
	assert_int_equal(strncmp(d, "digraph anonvma {", 17), 0);
	assert_non_null(strstr(d, "step 5 (line 7): <b>Q write A[1]</b>"));
	assert_non_null(strstr(d, "live: 2 anon_vma, 3 anon_vma_chain"));

	l = line_with(d, "av1 [");
	assert_non_null(l);
	assert_true(line_has(l, "peripheries=2"));
	assert_true(line_has(l, "<b>av1</b> (root)"));
	assert_true(line_has(l, "children 2 &#183; active 1 &#183; ref 2"));
	assert_true(line_has(l, "folios f0 f1 (2)"));
	l = line_with(d, "av2 [");
	assert_non_null(l);
	assert_false(line_has(l, "peripheries"));
	assert_true(line_has(l, "children 0 &#183; active 1 &#183; ref 1"));
	assert_true(line_has(l, "folios f2<"));
	assert_non_null(line_with(d, "av1 -> av2 [dir=back];"));
	assert_non_null(line_with(d, "{ rank=same; av2; }"));

	l = line_with(d, "p0 [shape=plain");
	assert_non_null(l);
	assert_true(line_has(l, "<b>@0:4</b> rw-p"));
	assert_true(line_has(l, "pages f0 f1 (2)"));
	assert_true(line_has(l, "<b>P</b> <font point-size=\"9\">gen 0<"));
	l = line_with(d, "p1 [shape=plain");
	assert_non_null(l);
	assert_true(line_has(l, "pages f0 f2 (2)"));
	assert_true(line_has(l, "gen 1, child of P"));
	assert_true(line_has(l, "port=\"v0c0\""));
	assert_true(line_has(l, "port=\"v0c1\""));
	assert_false(line_has(l, "port=\"v0c2\""));
	assert_non_null(line_with(d, "{ rank=same; p0; p1; }"));
	assert_non_null(line_with(d, "p0 -> p1 [style=invis];"));

	/* Exactly one edge per anon_vma_chain, into a chain cell. */
	assert_int_equal(count(d, ":n [dir="), 3);
	l = line_with(d, "av1 -> p0:v0c0:n [dir=back, penwidth=2");
	assert_non_null(l);
	l = line_with(d, "av2 -> p1:v0c");
	assert_non_null(l);
	assert_true(line_has(l, "dir=back, penwidth=2"));
	l = line_with(d, "av1 -> p1:v0c");
	assert_non_null(l);
	assert_true(line_has(l, "dir=none, style=dashed"));
	assert_non_null(strstr(d, "subgraph cluster_legend"));
	assert_string_equal(d + strlen(d) - 2, "}\n");

	/* After the fork: Q shares every folio, and P's two are on av1. */
	d = c.dots[1];
	assert_non_null(d);
	assert_non_null(strstr(d, "step 4 (line 6): <b>P fork Q</b>"));
	l = line_with(d, "av2 [");
	assert_non_null(l);
	assert_false(line_has(l, "folios"));
	lab_capture_free(&c);
	scn_free(s);
}

static void assert_self_contained(const char *html)
{
	assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "</html>\n"));
}

static void test_html_scenario(void **state)
{
	struct scenario *s = parse_scn();
	static const int steps[] = { 4, -1 };
	char *html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);

	assert_non_null(f);
	assert_int_equal(lab_report_scenario(f, s, -1, steps, 2, NULL), 0);
	fclose(f);
	assert_self_contained(html);
	assert_non_null(strstr(html, "<span class=\"pass\">PASS</span>"));
	assert_non_null(strstr(html, "<h3>After step 4</h3>"));
	assert_non_null(strstr(html, "<h3>After step 5</h3>"));
	assert_non_null(strstr(html, "<code>Q write A[1]</code>"));
	if (lab_have_program("dot"))
		assert_int_equal(count(html, "<svg"), 2);
	else
		assert_int_equal(count(html, "digraph anonvma {"), 2);
	free(html);
	scn_free(s);
}

static void test_html_bench(void **state)
{
	static const char *const kv[] = { "children=2", "pages=2", NULL };
	struct lab_bench b;
	char *html = NULL;
	size_t len = 0;
	FILE *f;

	run_one("rik", DESIGN_MAINLINE, kv, &b);
	f = open_memstream(&html, &len);
	assert_non_null(f);
	lab_report_bench(f, &b, NULL);
	fclose(f);
	assert_self_contained(html);
	assert_non_null(strstr(html, "<td class=\"l\">mainline</td><td>6</td>"));
	if (lab_have_program("gnuplot"))
		assert_int_equal(count(html, "<svg"), 2);
	free(html);
	lab_bench_free(&b);
}

static void test_svg_inline(void **state)
{
	static const char svg[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
		"\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
		"<!-- Generated by graphviz -->\n"
		"<svg width=\"10pt\" xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
		"<!-- av1 -->\n<g/></svg>\n";
	char *out = lab_svg_inline(svg);

	assert_non_null(out);
	assert_string_equal(out, "<svg width=\"10pt\">\n\n<g/></svg>\n");
	free(out);
	assert_null(lab_svg_inline("no picture"));
}

/* The .dat and .gp files are written whether gnuplot is there or not. */
static void test_plot_files(void **state)
{
	static const char *const kv[] = { "children=3", "pages=4", NULL };
	char *dir = lab_tmpdir(), path[4096], *text;
	struct lab_bench b;

	assert_non_null(dir);
	run_one("rik", DESIGN_MAINLINE, kv, &b);
	assert_int_equal(lab_plot(&b, dir, NULL, NULL), 0);
	snprintf(path, sizeof(path), "%s/rik-growth.dat", dir);
	text = lab_read_whole(path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "# design mainline\n0 1 1 -1.0000\n"
				     "1 2 3 -1.0000\n2 3 5 -1.0000\n"
				     "3 4 7 -1.0000\n3 4 7 1.7500\n"));
	free(text);
	snprintf(path, sizeof(path), "%s/rik-visits.dat", dir);
	text = lab_read_whole(path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nmainline 1.7500 0x1f77b4 0.5714 16\n"));
	free(text);
	snprintf(path, sizeof(path), "%s/rik-growth.gp", dir);
	text = lab_read_whole(path, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "set termoption noenhanced\n"));
	free(text);
	lab_bench_free(&b);
	lab_rmtree(dir);
	free(dir);
}

static void test_params(void **state)
{
	struct lab_bench b;
	char msg[256];

	lab_bench_init(&b, lab_workload_find("rik"));
	assert_int_equal(b.params[0], 100);
	assert_int_equal(b.designs, (1UL << NR_DESIGNS) - 1);
	assert_int_equal(lab_bench_set_param(&b, "children=5", msg, sizeof(msg)), 0);
	assert_int_equal(b.params[0], 5);
	assert_int_equal(lab_bench_set_param(&b, "nope=1", msg, sizeof(msg)), -1);
	assert_string_equal(msg, "workload rik has no parameter 'nope'");
	assert_int_equal(lab_bench_set_param(&b, "children=0", msg, sizeof(msg)), -1);
	assert_string_equal(msg, "parameter children must be in 1..100000");
	assert_int_equal(lab_bench_set_param(&b, "pages=x", msg, sizeof(msg)), -1);
	assert_string_equal(msg, "parameter pages: 'x' is not a number");
	assert_int_equal(lab_bench_set_param(&b, "pages", msg, sizeof(msg)), -1);
	assert_null(lab_workload_find("nope"));
}

/* mm/locking.c's optional timing: counted only while enabled. */
static void test_lock_stats(void **state)
{
	struct rw_semaphore sem;
	struct lock_stats st;

	init_rwsem(&sem, LOCK_CLASS_ANON_VMA);
	lock_stats_reset();
	down_write(&sem);
	up_write(&sem);
	lock_stats_get(LOCK_CLASS_ANON_VMA, &st);
	assert_int_equal(st.acquired, 0);

	lock_stats_enable(true);
	down_write(&sem);
	up_write(&sem);
	down_read(&sem);
	up_read(&sem);
	assert_true(down_read_trylock(&sem));
	up_read(&sem);
	lock_stats_enable(false);
	lock_stats_get(LOCK_CLASS_ANON_VMA, &st);
	assert_int_equal(st.acquired, 3);
	assert_int_equal(st.contended, 0);
	assert_true(st.hold_max_ns <= st.hold_ns);
	assert_true(st.wait_max_ns <= st.wait_ns);
	lock_stats_get(LOCK_CLASS_MMAP, &st);
	assert_int_equal(st.acquired, 0);
	lock_stats_reset();
	lock_stats_get(LOCK_CLASS_ANON_VMA, &st);
	assert_int_equal(st.acquired, 0);
	assert_int_equal(st.hold_ns, 0);
}

/* The host kernel side of churn, with real mmap/munmap. */
static void test_kernel_churn(void **state)
{
	const long p[] = { 50, 1, 1 };
	struct lab_kresult k;

	memset(&k, 0, sizeof(k));
	if (lab_churn_kernel(p, &k) && (strstr(k.why, "not free") ||
					strstr(k.why, "ThreadSanitizer")))
		skip();
	assert_true(k.ran);
	assert_int_equal(k.op[LAB_OP_MMAP].n, 50);
	assert_int_equal(k.op[LAB_OP_FAULT].n, 50);
	assert_int_equal(k.op[LAB_OP_MUNMAP].n, 50);
	assert_int_equal(k.op[LAB_OP_CYCLE].n, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rik_mainline),
		cmocka_unit_test(test_rik_single),
		cmocka_unit_test(test_serial_bounded),
		cmocka_unit_test(test_serial_noreuse),
		cmocka_unit_test(test_split_tree),
		cmocka_unit_test(test_split_list),
		cmocka_unit_test(test_all_designs_all_workloads),
		cmocka_unit_test(test_image_lazy),
		cmocka_unit_test(test_dot_structure),
		cmocka_unit_test(test_html_scenario),
		cmocka_unit_test(test_html_bench),
		cmocka_unit_test(test_svg_inline),
		cmocka_unit_test(test_plot_files),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_lock_stats),
		cmocka_unit_test(test_kernel_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
