/* SPDX-License-Identifier: MIT */
/*
 * The kernel executor's parsers and its comparison of observations, on
 * the kernel's own formats (no root needed): /proc/PID/maps lines,
 * pagemap / kpageflags / kpagecount entries, trace lines and the trace
 * header, the classification of call sites (an unknown one is an
 * error), the accounting of a whole trace by step (lost events, foreign
 * processes, unfreed objects), the release -> design mapping, what is
 * comparable after model-only steps, and obs_diff_step() for equal
 * observations and for each kind of difference.
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

#include <anonvma/system.h>

#include "kernel/kernel_internal.h"

/* ---- /proc/PID/maps ------------------------------------------------------ */

static void test_maps_anon(void **state)
{
	struct kmaps_line m;

	assert_int_equal(kparse_maps_line("200000000000-200000004000 rw-p 00000000 00:00 0 \n",
					  &m), 0);
	assert_int_equal(m.start, 0x200000000000UL);
	assert_int_equal(m.end, 0x200000004000UL);
	assert_string_equal(m.perms, "rw-p");
	assert_int_equal(m.offset, 0);
	assert_int_equal(m.inode, 0);
	assert_int_equal(m.path, -1);
	assert_int_equal(kmaps_prot(&m), PROT_READ | PROT_WRITE);
}

static void test_maps_file(void **state)
{
	static const char line[] =
		"200000008000-20000000c000 r-xs 00003000 00:01 4242                       /memfd:anonvma-F (deleted)";
	struct kmaps_line m;

	assert_int_equal(kparse_maps_line(line, &m), 0);
	assert_string_equal(m.perms, "r-xs");
	assert_int_equal(m.offset, 0x3000);
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 1);
	assert_int_equal(m.inode, 4242);
	assert_true(m.path > 0);
	assert_string_equal(line + m.path, "/memfd:anonvma-F (deleted)");
	assert_int_equal(kmaps_prot(&m), PROT_READ | PROT_EXEC);

	assert_int_equal(kparse_maps_line("7ffd1000-7ffd2000 ---p 00000000 00:00 0   [stack]",
					  &m), 0);
	assert_int_equal(kmaps_prot(&m), PROT_NONE);
	assert_string_equal(m.perms, "---p");
}

static void test_maps_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"200000000000-200000004000",
		"200000000000-200000004000 rw-p",
		"200000000000-200000004000 rw-p 00000000 00:00",
		"200000000000 rw-p 00000000 00:00 0",
		"200000000000-200000004000 rwxq 00000000 00:00 0",
		"200000000000-200000004000 rw-pp 00000000 00:00 0",
		"200000000000-200000004000 wr-p 00000000 00:00 0",
		"200000004000-200000000000 rw-p 00000000 00:00 0",
		"zzzz-200000004000 rw-p 00000000 00:00 0",
	};
	struct kmaps_line m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (kparse_maps_line(bad[i], &m) != -1)
			fail_msg("accepted bad maps line '%s'", bad[i]);
	}
}

/* ---- pagemap, kpageflags, kpagecount --------------------------------------- */

#define BIT(n) (1ULL << (n))

static void test_page_bits(void **state)
{
	struct kpage k;

	/* Nothing mapped: neither present nor swapped. */
	kparse_page(0, BIT(KPF_ANON), 5, &k);
	assert_int_equal(k.state, SCN_PAGE_NONE);
	/* A soft-dirty or exclusive bit alone is no mapping either. */
	kparse_page(BIT(55) | PM_MMAP_EXCLUSIVE, 0, 0, &k);
	assert_int_equal(k.state, SCN_PAGE_NONE);

	kparse_page(PM_SWAP | 0x1234, 0, 0, &k);
	assert_int_equal(k.state, SCN_PAGE_SWAP);

	/* The zero page: present, KPF_ZERO_PAGE. */
	kparse_page(PM_PRESENT | 0x777, BIT(KPF_ZERO_PAGE), 0, &k);
	assert_int_equal(k.state, SCN_PAGE_ZERO);
	assert_int_equal(k.pfn, 0x777);

	/* A fresh anonymous page: anon, PG_anon_exclusive, mapcount 1. */
	kparse_page(PM_PRESENT | PM_MMAP_EXCLUSIVE | 0x123456,
		    BIT(KPF_ANON) | BIT(KPF_ANON_EXCLUSIVE) | BIT(5), 1, &k);
	assert_int_equal(k.state, SCN_PAGE_PRESENT);
	assert_int_equal(k.pfn, 0x123456);
	assert_true(k.anon);
	assert_true(k.excl);
	assert_false(k.large);
	assert_int_equal(k.mapcount, 1);

	/* Shared after fork: exclusive cleared, mapcount 2. */
	kparse_page(PM_PRESENT | 0x123456, BIT(KPF_ANON), 2, &k);
	assert_true(k.anon);
	assert_false(k.excl);
	assert_int_equal(k.mapcount, 2);

	/* A page-cache page: bit 34 is PG_mappedtodisk there, not exclusivity. */
	kparse_page(PM_PRESENT | PM_FILE | 0x42, BIT(KPF_ANON_EXCLUSIVE), 3, &k);
	assert_int_equal(k.state, SCN_PAGE_PRESENT);
	assert_false(k.anon);
	assert_false(k.excl);
	assert_int_equal(k.mapcount, 3);

	/* PFN bits stop at bit 54. */
	kparse_page(PM_PRESENT | BIT(55) | BIT(54) | 1, 0, 1, &k);
	assert_int_equal(k.pfn, BIT(54) | 1);

	/* Large and KSM pages are recognised (the executor refuses them). */
	kparse_page(PM_PRESENT | 9, BIT(KPF_ANON) | BIT(KPF_COMPOUND_TAIL), 1, &k);
	assert_true(k.large);
	kparse_page(PM_PRESENT | 9, BIT(KPF_ANON) | BIT(KPF_KSM), 1, &k);
	assert_true(k.ksm);
}

/* ---- trace lines ------------------------------------------------------------- */

static const char alloc_line[] =
	"            bash-18808   [000] .....  1441.231941: kmem_cache_alloc: call_site=anon_vma_fork+0x6d/0x180 ptr=ffff88810e59da28 name=anon_vma bytes_req=96 bytes_alloc=104 gfp_flags=GFP_KERNEL node=-1 accounted=true";
static const char free_line[] =
	" anonvma worker-3-2001    [001] d..1.  17.5: kmem_cache_free: call_site=unlink_anon_vmas+0x1a2/0x2a0 ptr=ffff888108549040 name=anon_vma_chain";
static const char marker_line[] =
	"         anonvma-11302   [000] ...1.  1441.231905: tracing_mark_write: anonvma-step 12  ";

static void test_trace_lines(void **state)
{
	struct ktrace_event ev;
	char err[256];

	assert_int_equal(kparse_trace_line(alloc_line, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_ALLOC);
	assert_int_equal(ev.pid, 18808);
	assert_string_equal(ev.func, "anon_vma_fork");
	assert_int_equal(ev.ptr, 0xffff88810e59da28ULL);
	assert_string_equal(ev.cache, "anon_vma");

	/* A task name with spaces and dashes. */
	assert_int_equal(kparse_trace_line(free_line, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_FREE);
	assert_int_equal(ev.pid, 2001);
	assert_string_equal(ev.func, "unlink_anon_vmas");
	assert_string_equal(ev.cache, "anon_vma_chain");

	assert_int_equal(kparse_trace_line(marker_line, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_MARKER);
	assert_int_equal(ev.pid, 11302);
	assert_string_equal(ev.marker, "anonvma-step 12");

	assert_int_equal(kparse_trace_line("CPU:1 [LOST 37 EVENTS]", &ev, err,
					   sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_LOST);
	assert_int_equal(ev.lost, 37);

	assert_int_equal(kparse_trace_line("# tracer: nop", &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_OTHER);
	assert_int_equal(kparse_trace_line("", &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_OTHER);
	assert_int_equal(kparse_trace_line(
		"  x-5 [000] ..... 1.0: sched_switch: prev_comm=x", &ev, err,
		sizeof(err)), 0);
	assert_int_equal(ev.kind, KTRACE_OTHER);
}

static void test_trace_malformed(void **state)
{
	struct ktrace_event ev;
	char err[256];

	/* A kmem event whose format changed is an error, not a skip. */
	assert_int_equal(kparse_trace_line(
		"  x-5 [000] ..... 1.0: kmem_cache_alloc: ptr=ffff1 name=anon_vma",
		&ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "without call_site"));
	assert_int_equal(kparse_trace_line(
		"  x-5 [000] ..... 1.0: kmem_cache_free: call_site=unlink_anon_vmas+0x1/0x2 ptr=ffff1",
		&ev, err, sizeof(err)), -1);
	assert_int_equal(kparse_trace_line(
		"  x-5 [000] ..... 1.0: kmem_cache_free: call_site=unlink_anon_vmas+0x1/0x2 ptr=zz name=anon_vma",
		&ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad ptr"));
}

static void test_trace_header(void **state)
{
	unsigned long in, wr;

	assert_int_equal(kparse_trace_header(
		"# entries-in-buffer/entries-written: 121/121   #P:2", &in, &wr), 1);
	assert_int_equal(in, 121);
	assert_int_equal(wr, 121);
	assert_int_equal(kparse_trace_header(
		"# entries-in-buffer/entries-written: 90/130   #P:2", &in, &wr), 1);
	assert_int_equal(in, 90);
	assert_int_equal(wr, 130);
	assert_int_equal(kparse_trace_header("# tracer: nop", &in, &wr), 0);
	assert_int_equal(kparse_trace_header(alloc_line, &in, &wr), 0);
}

static void test_call_sites(void **state)
{
	static const struct {
		const char *cache, *func;
		enum scn_object obj;
		enum obs_site site;
	} good[] = {
		{ "anon_vma", "__anon_vma_prepare", SCN_OBJ_ANON_VMA, OBS_SITE_PREPARE },
		{ "anon_vma", "anon_vma_fork", SCN_OBJ_ANON_VMA, OBS_SITE_FORK },
		{ "anon_vma", "__put_anon_vma", SCN_OBJ_ANON_VMA, OBS_SITE_PUT },
		{ "anon_vma_chain", "__anon_vma_prepare", SCN_OBJ_AVC, OBS_SITE_PREPARE },
		{ "anon_vma_chain", "anon_vma_clone", SCN_OBJ_AVC, OBS_SITE_CLONE },
		{ "anon_vma_chain", "anon_vma_fork", SCN_OBJ_AVC, OBS_SITE_FORK },
		{ "anon_vma_chain", "unlink_anon_vmas", SCN_OBJ_AVC, OBS_SITE_UNLINK },
		{ "anon_vma_chain", "cleanup_partial_anon_vmas", SCN_OBJ_AVC, OBS_SITE_CLEANUP },
	};
	enum scn_object obj;
	enum obs_site site;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		obj = NR_SCN_OBJECTS;
		site = NR_OBS_SITES;
		assert_int_equal(ksite_classify(good[i].cache, good[i].func, true,
						&obj, &site), KSITE_COUNTED);
		assert_int_equal(obj, good[i].obj);
		assert_int_equal(site, good[i].site);
	}
	/* Other members of the merged 64-byte cache. */
	assert_int_equal(ksite_classify("anon_vma_chain", "copy_fs_struct", true,
					&obj, &site), KSITE_OTHER);
	assert_int_equal(ksite_classify("anon_vma_chain", "do_exit", false,
					&obj, &site), KSITE_OTHER);
	assert_int_equal(ksite_classify("anon_vma_chain", "ep_ptable_queue_proc",
					true, &obj, &site), KSITE_OTHER);
	/* Unknown call sites and caches must be errors. */
	assert_int_equal(ksite_classify("anon_vma_chain", "anon_vma_clone_inlined",
					true, &obj, &site), KSITE_UNKNOWN);
	assert_int_equal(ksite_classify("anon_vma", "copy_fs_struct", true,
					&obj, &site), KSITE_UNKNOWN);
	assert_int_equal(ksite_classify("anon_vma", "0xffffffff81234567", true,
					&obj, &site), KSITE_UNKNOWN);
	assert_int_equal(ksite_classify("kmalloc-64", "anon_vma_clone", true,
					&obj, &site), KSITE_UNKNOWN);
	assert_int_equal(ksite_classify("anon_vma", "other", true, &obj, &site),
			 KSITE_UNKNOWN);
}

/* ---- a whole trace, by step -------------------------------------------------- */

#define EV(pid, ev, site, ptr, cache) \
	"  w-" #pid " [000] ..... 1.0: " ev ": call_site=" site "+0x1/0x2 ptr=" ptr " name=" cache "\n"
#define MARK(text) "  anonvma-1 [000] ..... 1.0: tracing_mark_write: " text "\n"

static const char trace_ok[] =
	"# tracer: nop\n"
	"# entries-in-buffer/entries-written: 20/20   #P:2\n"
	EV(7, "kmem_cache_alloc", "__anon_vma_prepare", "a0", "anon_vma")	/* before begin */
	MARK(KMARK_BEGIN)
	MARK(KMARK_STEP "0")
	EV(10, "kmem_cache_alloc", "__anon_vma_prepare", "a1", "anon_vma")
	EV(10, "kmem_cache_alloc", "__anon_vma_prepare", "c1", "anon_vma_chain")
	EV(99, "kmem_cache_alloc", "__anon_vma_prepare", "c9", "anon_vma_chain")
	MARK(KMARK_STEP "1")
	EV(10, "kmem_cache_alloc", "copy_fs_struct", "f1", "anon_vma_chain")
	EV(10, "kmem_cache_alloc", "anon_vma_fork", "a2", "anon_vma")
	EV(10, "kmem_cache_alloc", "anon_vma_clone", "c2", "anon_vma_chain")
	EV(10, "kmem_cache_alloc", "anon_vma_fork", "c3", "anon_vma_chain")
	MARK(KMARK_STEP "2")
	EV(11, "kmem_cache_free", "unlink_anon_vmas", "c2", "anon_vma_chain")
	EV(11, "kmem_cache_free", "unlink_anon_vmas", "c3", "anon_vma_chain")
	EV(11, "kmem_cache_free", "__put_anon_vma", "a2", "anon_vma")
	EV(11, "kmem_cache_free", "do_exit", "f1", "anon_vma_chain")
	MARK(KMARK_TEARDOWN)
	EV(10, "kmem_cache_free", "unlink_anon_vmas", "c1", "anon_vma_chain")
	EV(10, "kmem_cache_free", "__put_anon_vma", "a1", "anon_vma")
	MARK(KMARK_END);

static void test_count_trace(void **state)
{
	pid_t pids[] = { 10, 11 };
	struct kcounts c;
	char err[256] = "";

	assert_int_equal(kcount_parse(trace_ok, 3, pids, 2, &c, err, sizeof(err)), 0);
	assert_true(c.end_seen);
	assert_int_equal(c.lost, 0);
	assert_int_equal(c.unfreed, 0);
	assert_int_equal(c.foreign, 1);		/* pid 99 */
	assert_int_equal(c.ignored, 2);		/* the fs_struct */
	assert_int_equal(c.events, 10);
	assert_int_equal(c.step[0].alloc[SCN_OBJ_ANON_VMA][OBS_SITE_PREPARE], 1);
	assert_int_equal(c.step[0].alloc[SCN_OBJ_AVC][OBS_SITE_PREPARE], 1);
	assert_int_equal(c.step[1].alloc[SCN_OBJ_ANON_VMA][OBS_SITE_FORK], 1);
	assert_int_equal(c.step[1].alloc[SCN_OBJ_AVC][OBS_SITE_CLONE], 1);
	assert_int_equal(c.step[1].alloc[SCN_OBJ_AVC][OBS_SITE_FORK], 1);
	assert_int_equal(c.step[1].alloc[SCN_OBJ_AVC][OBS_SITE_PREPARE], 0);
	assert_int_equal(c.step[2].free[SCN_OBJ_AVC][OBS_SITE_UNLINK], 2);
	assert_int_equal(c.step[2].free[SCN_OBJ_ANON_VMA][OBS_SITE_PUT], 1);
	/* The teardown bucket, and nothing before the first step. */
	assert_int_equal(c.step[3].free[SCN_OBJ_AVC][OBS_SITE_UNLINK], 1);
	assert_int_equal(c.step[3].free[SCN_OBJ_ANON_VMA][OBS_SITE_PUT], 1);
	assert_int_equal(c.step[4].alloc[SCN_OBJ_ANON_VMA][OBS_SITE_PREPARE], 0);
	kcount_free(&c);

	/* Without a pid filter, pid 99's allocation counts (and stays unfreed). */
	assert_int_equal(kcount_parse(trace_ok, 3, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c.step[0].alloc[SCN_OBJ_AVC][OBS_SITE_PREPARE], 2);
	assert_int_equal(c.unfreed, 1);
	assert_int_equal(c.foreign, 0);
	kcount_free(&c);
}

static void test_count_lost(void **state)
{
	static const char lost_header[] =
		"# entries-in-buffer/entries-written: 90/130   #P:2\n"
		MARK(KMARK_BEGIN) MARK(KMARK_STEP "0") MARK(KMARK_END);
	static const char lost_line[] =
		MARK(KMARK_BEGIN) MARK(KMARK_STEP "0")
		"CPU:0 [LOST 12 EVENTS]\n"
		EV(10, "kmem_cache_alloc", "__anon_vma_prepare", "a1", "anon_vma")
		MARK(KMARK_END);
	static const char no_end[] =
		MARK(KMARK_BEGIN) MARK(KMARK_STEP "0");
	struct kcounts c;
	char err[256];

	assert_int_equal(kcount_parse(lost_header, 1, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c.lost, 40);
	kcount_free(&c);
	assert_int_equal(kcount_parse(lost_line, 1, NULL, 0, &c, err, sizeof(err)), 0);
	assert_int_equal(c.lost, 12);
	assert_int_equal(c.unfreed, 1);
	kcount_free(&c);
	assert_int_equal(kcount_parse(no_end, 1, NULL, 0, &c, err, sizeof(err)), 0);
	assert_false(c.end_seen);
	kcount_free(&c);
}

static void test_count_errors(void **state)
{
	static const char unknown[] =
		MARK(KMARK_BEGIN) MARK(KMARK_STEP "0")
		EV(10, "kmem_cache_alloc", "vma_dup_anon", "c1", "anon_vma_chain")
		MARK(KMARK_END);
	static const char twice[] =
		MARK(KMARK_BEGIN) MARK(KMARK_STEP "0")
		EV(10, "kmem_cache_alloc", "anon_vma_clone", "c1", "anon_vma_chain")
		EV(10, "kmem_cache_alloc", "anon_vma_clone", "c1", "anon_vma_chain")
		MARK(KMARK_END);
	static const char bad_marker[] =
		MARK(KMARK_BEGIN) MARK(KMARK_STEP "7") MARK(KMARK_END);
	struct kcounts c;
	char err[256];

	assert_int_equal(kcount_parse(unknown, 1, NULL, 0, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown call site vma_dup_anon"));
	assert_null(c.step);
	assert_int_equal(kcount_parse(twice, 1, NULL, 0, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "allocated twice"));
	assert_int_equal(kcount_parse(bad_marker, 2, NULL, 0, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad step marker"));
}

/* ---- versions and comparability ------------------------------------------------ */

static void test_release_design(void **state)
{
	assert_int_equal(kernel_design_for_release("6.18.44-fc-v657"), DESIGN_V6_18);
	assert_int_equal(kernel_design_for_release("6.18.0"), DESIGN_V6_18);
	assert_int_equal(kernel_design_for_release("6.19-rc3"), DESIGN_V6_18);
	assert_int_equal(kernel_design_for_release("5.15.0-91-generic"), DESIGN_V6_18);
	assert_int_equal(kernel_design_for_release("7.0.0"), DESIGN_MAINLINE);
	assert_int_equal(kernel_design_for_release("7.2.1-arch1"), DESIGN_MAINLINE);
	assert_int_equal(kernel_design_for_release("garbage"), DESIGN_MAINLINE);
}

static struct scenario *parse(const char *text)
{
	struct scn_error err;
	struct scenario *s = scn_parse("t.scn", text, strlen(text), &err);

	if (!s)
		fail_msg("parse: %d:%d: %s", err.line, err.col, err.msg);
	return s;
}

static void test_comparable(void **state)
{
	struct scenario *s = parse(
		"region A 0 4\n"
		"proc P\n"			/* 0 */
		"P mmap A rw\n"			/* 1 */
		"P write A\n"			/* 2 */
		"rmap P A[0]\n"			/* 3: model only, no change */
		"P read A[1]\n"			/* 4 */
		"swapout P A[0]\n"		/* 5: pages differ from here */
		"P read A[0]\n"			/* 6 */
		"P brk base A[3]\n"		/* 7: nothing changes */
		"P read A[2]\n"			/* 8 */
		"P brk +1\n"			/* 9: everything differs */
		"P read A[2]\n");		/* 10 */
	int why;

	assert_int_equal(kernel_comparable(s, 2, &why), OBS_PARTS_ALL);
	assert_int_equal(why, -1);
	assert_int_equal(kernel_comparable(s, 3, &why), 0);
	assert_int_equal(why, 3);
	assert_int_equal(kernel_comparable(s, 4, &why), OBS_PARTS_ALL);
	assert_int_equal(kernel_comparable(s, 5, &why), 0);
	assert_int_equal(kernel_comparable(s, 6, &why),
			 OBS_PARTS_ALL & ~(unsigned int)OBS_PART_PAGES);
	assert_int_equal(why, 5);
	assert_int_equal(kernel_comparable(s, 8, &why),
			 OBS_PARTS_ALL & ~(unsigned int)OBS_PART_PAGES);
	assert_int_equal(kernel_comparable(s, 10, &why), 0);
	assert_int_equal(why, 9);
	scn_free(s);
}

/* ---- obs_diff_step ------------------------------------------------------------- */

static const char diff_scn[] =
	"file F 4\n"
	"region A 0 4\n"
	"proc P\n"
	"P fork Q\n"
	"P read A\n";

/* A filled-in observation: P and Q, two VMAs, three pages, objects. */
static struct obs_step *sample(void)
{
	struct obs_step *o = calloc(1, sizeof(*o));
	struct obs_proc *p;

	o->index = 3;
	o->line = 5;
	o->text = "P read A";
	o->result = SCN_OK;
	o->done = 2;
	o->nvalues = 2;
	o->values = calloc(2, sizeof(*o->values));
	o->values[0] = 0x50000;
	o->values[1] = 0x50001;
	o->obj[SCN_OBJ_ANON_VMA].alloc[OBS_SITE_FORK] = 1;
	o->obj[SCN_OBJ_ANON_VMA].live = 2;
	o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_CLONE] = 1;
	o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_FORK] = 1;
	o->obj[SCN_OBJ_AVC].live = 3;
	o->nprocs = 2;
	o->procs = calloc(2, sizeof(*o->procs));
	p = &o->procs[0];
	p->proc = 0;
	p->nvmas = 2;
	p->vmas = calloc(2, sizeof(*p->vmas));
	p->vmas[0] = (struct obs_vma){ .first = 0, .end = 2,
				       .prot = PROT_READ | PROT_WRITE, .file = -1 };
	p->vmas[1] = (struct obs_vma){ .first = 2, .end = 4, .prot = PROT_READ,
				       .offset = 0x2000, .file = 0 };
	p->npages = 3;
	p->pages = calloc(3, sizeof(*p->pages));
	p->pages[0] = (struct obs_page){ .page = 0, .state = SCN_PAGE_PRESENT,
					 .label = 0, .mapcount = 2, .anon = true };
	p->pages[1] = (struct obs_page){ .page = 1, .state = SCN_PAGE_ZERO,
					 .label = -1 };
	p->pages[2] = (struct obs_page){ .page = 2, .state = SCN_PAGE_PRESENT,
					 .label = 1, .mapcount = 1 };
	p = &o->procs[1];
	p->proc = 1;
	p->nvmas = 1;
	p->vmas = calloc(1, sizeof(*p->vmas));
	p->vmas[0] = (struct obs_vma){ .first = 0, .end = 2,
				       .prot = PROT_READ | PROT_WRITE, .file = -1 };
	p->npages = 1;
	p->pages = calloc(1, sizeof(*p->pages));
	p->pages[0] = (struct obs_page){ .page = 0, .state = SCN_PAGE_PRESENT,
					 .label = 0, .mapcount = 2, .anon = true };
	return o;
}

static void drop(struct obs_step *o)
{
	o->nprocs = 2;		/* undo m_proc: free both */
	obs_step_free(o);
	free(o);
}

/* One difference made by @mutate must be found as exactly @part. */
static void expect_diff(const struct scenario *s, void (*mutate)(struct obs_step *),
			unsigned int part, const char *msg)
{
	struct obs_step *a = sample(), *b = sample();
	struct obs_diff_report rep;
	unsigned int d;

	mutate(b);
	d = obs_diff_step(s, a, b, OBS_PARTS_ALL, &rep);
	assert_int_equal(d, part);
	assert_int_equal(rep.parts, part);
	assert_true(rep.nmsg >= 1);
	if (!strstr(rep.msg[0], msg))
		fail_msg("message '%s' lacks '%s'", rep.msg[0], msg);
	/* Not compared when the part is masked out. */
	assert_int_equal(obs_diff_step(s, a, b, OBS_PARTS_ALL & ~part, NULL), 0);
	drop(a);
	drop(b);
}

static void m_result(struct obs_step *o) { o->result = SCN_SIGSEGV; }
static void m_done(struct obs_step *o) { o->done = 1; }
static void m_value(struct obs_step *o) { o->values[1] = 7; }
static void m_alloc(struct obs_step *o) { o->obj[SCN_OBJ_AVC].alloc[OBS_SITE_PREPARE] = 1; }
static void m_free(struct obs_step *o) { o->obj[SCN_OBJ_ANON_VMA].free[OBS_SITE_PUT] = 1; }
static void m_live(struct obs_step *o) { o->obj[SCN_OBJ_AVC].live = 4; }
static void m_proc(struct obs_step *o) { o->nprocs = 1; }
static void m_vma_end(struct obs_step *o) { o->procs[0].vmas[0].end = 3; }
static void m_vma_prot(struct obs_step *o) { o->procs[0].vmas[1].prot = PROT_NONE; }
static void m_vma_off(struct obs_step *o) { o->procs[0].vmas[1].offset = 0; }
static void m_vma_count(struct obs_step *o) { o->procs[0].nvmas = 1; }
static void m_shared(struct obs_step *o) { o->procs[1].vmas[0].shared = true; }
static void m_label(struct obs_step *o) { o->procs[1].pages[0].label = 2; }
static void m_excl(struct obs_step *o) { o->procs[0].pages[2].excl = true; }
static void m_mapcount(struct obs_step *o) { o->procs[0].pages[0].mapcount = 1; }
static void m_anon(struct obs_step *o) { o->procs[0].pages[2].anon = true; }
static void m_state(struct obs_step *o) { o->procs[0].pages[1].state = SCN_PAGE_NONE; }
static void m_missing(struct obs_step *o) { o->procs[0].npages = 2; }

static void test_diff(void **state)
{
	struct scenario *s = parse(diff_scn);
	struct obs_step *a = sample(), *b = sample();
	struct obs_diff_report rep;

	/* Equal observations, and a copy of one, agree on every part. */
	assert_int_equal(obs_diff_step(s, a, b, OBS_PARTS_ALL, &rep), 0);
	assert_int_equal(rep.nmsg, 0);
	drop(b);
	b = obs_step_copy(a);
	assert_int_equal(obs_diff_step(s, a, b, OBS_PARTS_ALL, NULL), 0);
	drop(a);
	drop(b);

	expect_diff(s, m_result, OBS_PART_RESULT, "result: kernel ok after 2 pages, model SIGSEGV");
	expect_diff(s, m_done, OBS_PART_RESULT, "model ok after 1 pages");
	expect_diff(s, m_value, OBS_PART_VALUES, "kernel 0x50001, model 0x7");
	expect_diff(s, m_alloc, OBS_PART_OBJECTS,
		    "anon_vma_chain allocated at __anon_vma_prepare: kernel 0, model 1");
	expect_diff(s, m_free, OBS_PART_OBJECTS,
		    "anon_vma freed at __put_anon_vma: kernel 0, model 1");
	expect_diff(s, m_live, OBS_PART_OBJECTS, "live anon_vma_chain: kernel 3, model 4");
	expect_diff(s, m_proc, OBS_PART_PROCS, "Q: alive in the kernel, gone in the model");
	expect_diff(s, m_vma_end, OBS_PART_MAPS, "P: vma 1: kernel @0:2 rw-p, model @0:3 rw-p");
	expect_diff(s, m_vma_prot, OBS_PART_MAPS, "model @2:4 ---p file=F off=0x2000");
	expect_diff(s, m_vma_off, OBS_PART_MAPS, "kernel @2:4 r--p file=F off=0x2000, model @2:4 r--p file=F off=0x0");
	expect_diff(s, m_vma_count, OBS_PART_MAPS, "P: vma 2: kernel @2:4 r--p file=F off=0x2000, model none");
	expect_diff(s, m_shared, OBS_PART_MAPS, "model @0:2 rw-s");
	expect_diff(s, m_label, OBS_PART_PAGES,
		    "Q: page @0: kernel present f0 noexcl mc=2 anon, model present f2 noexcl mc=2 anon");
	expect_diff(s, m_excl, OBS_PART_PAGES, "model present f1 excl mc=1 file");
	expect_diff(s, m_mapcount, OBS_PART_PAGES, "model present f0 noexcl mc=1 anon");
	expect_diff(s, m_anon, OBS_PART_PAGES, "model present f1 noexcl mc=1 anon");
	expect_diff(s, m_state, OBS_PART_PAGES, "P: page @1: kernel zero, model none");
	expect_diff(s, m_missing, OBS_PART_PAGES, "P: page @2: kernel present f1 noexcl mc=1 file, model none");
	scn_free(s);
}

/* The side-by-side view marks changed and one-sided lines. */
static void test_side_by_side(void **state)
{
	struct scenario *s = parse(diff_scn);
	struct obs_step *a = sample(), *b = sample();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	m_live(b);
	m_missing(b);
	kdiff_side_by_side(f, s, a, b, "kernel", "model");
	fclose(f);
	assert_non_null(strstr(buf, "  kernel "));
	assert_non_null(strstr(buf, "\n!   avc: +1 anon_vma_clone +1 anon_vma_fork, live 3 |   avc: +1 anon_vma_clone +1 anon_vma_fork, live 4\n"));
	assert_non_null(strstr(buf, "\n<   P: page @2 present f1 noexcl mc=1 file"));
	assert_non_null(strstr(buf, "\n    P: page @0 present f0 noexcl mc=2 anon"));
	free(buf);
	drop(a);
	drop(b);
	scn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_anon),
		cmocka_unit_test(test_maps_file),
		cmocka_unit_test(test_maps_malformed),
		cmocka_unit_test(test_page_bits),
		cmocka_unit_test(test_trace_lines),
		cmocka_unit_test(test_trace_malformed),
		cmocka_unit_test(test_trace_header),
		cmocka_unit_test(test_call_sites),
		cmocka_unit_test(test_count_trace),
		cmocka_unit_test(test_count_lost),
		cmocka_unit_test(test_count_errors),
		cmocka_unit_test(test_release_design),
		cmocka_unit_test(test_comparable),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_side_by_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
