/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the selectable designs (include/anonvma/system.h,
 * docs/designs.md): exact object counts, chains and rmap-walk visits of
 * small workloads under each design, and CVE-2022-42703 under degree.
 */
#include <string.h>

#include "testlib.h"

#define RW (PROT_READ | PROT_WRITE)
#define RO PROT_READ

static int teardown(void **state)
{
	tl_teardown();
	return 0;
}

#define SETUP(name, design)				\
	static int setup_##name(void **state)		\
	{						\
		tl_setup(design);			\
		return 0;				\
	}
SETUP(mainline, DESIGN_MAINLINE)
SETUP(v6_18, DESIGN_V6_18)
SETUP(degree, DESIGN_DEGREE)
SETUP(noreuse, DESIGN_NOREUSE)
SETUP(list, DESIGN_LIST)
SETUP(single, DESIGN_SINGLE)
SETUP(eager, DESIGN_EAGER)
SETUP(eager_rw, DESIGN_EAGER_RW)

/* ------------------------------------------------------------------ */
/* Names                                                               */

static void test_names_round_trip(void **state)
{
	static const char *const names[NR_DESIGNS] = {
		"mainline", "v6.18", "degree", "noreuse", "list", "single",
		"eager", "eager-rw",
	};
	int d;

	for (d = 0; d < NR_DESIGNS; d++) {
		assert_string_equal(design_name(d), names[d]);
		assert_int_equal(design_parse(names[d]), d);
		assert_true(strlen(design_summary(d)) > 10);
		assert_true(design_anon_vma_bytes(d) > 0);
		assert_true(design_link_bytes(d) > 0);
	}
	assert_int_equal(design_parse("eager_rw"), -1);
	assert_int_equal(design_parse(NULL), -1);
	assert_string_equal(design_name(NR_DESIGNS), "?");
	assert_int_equal(anonvma_init(NR_DESIGNS), -EINVAL);
	/* The historical layouts are smaller, never larger. */
	assert_true(design_link_bytes(DESIGN_LIST) <
		    design_link_bytes(DESIGN_MAINLINE));
	assert_true(design_link_bytes(DESIGN_SINGLE) <
		    design_link_bytes(DESIGN_LIST));
	assert_true(design_anon_vma_bytes(DESIGN_DEGREE) <
		    design_anon_vma_bytes(DESIGN_MAINLINE));
}

/* ------------------------------------------------------------------ */
/* The serial forker: fork, the parent exits, for many generations     */

#define GENERATIONS 40

/*
 * One VMA of one page, written; then GENERATIONS times: fork, and the
 * parent exits.  Returns the last child; *chain is its VMA's chain
 * length.
 */
static struct mm_struct *serial_forker(int *chain)
{
	struct mm_struct *mm = tl_mm(), *child;
	int g;

	tl_map(mm, 0, 1, RW);
	tl_write(mm, 0);
	for (g = 0; g < GENERATIONS; g++) {
		child = tl_fork(mm);
		tl_exit(mm);
		mm = child;
	}
	*chain = tl_chain_len(tl_vma(mm, 0));
	tl_check();
	return mm;
}

/* Mainline and 6.18: reuse keeps three anon_vmas (spec §6.10). */
static void test_serial_forker_bounded(void **state)
{
	int chain;

	serial_forker(&chain);
	assert_int_equal(tl_live(anon_vma_cachep), 3);
	assert_int_equal(chain, 3);
	assert_int_equal(tl_live(anon_vma_chain_cachep), 3);
}

/* noreuse: one anon_vma per generation, nothing ever freed (§6.10). */
static void test_serial_forker_noreuse_grows(void **state)
{
	int chain;

	serial_forker(&chain);
	assert_int_equal(tl_live(anon_vma_cachep), GENERATIONS + 1);
	assert_int_equal(chain, GENERATIONS + 1);
	assert_int_equal(tl_live(anon_vma_chain_cachep), GENERATIONS + 1);
	/* Every fork allocated, no exit freed an anon_vma. */
	assert_int_equal(tl_allocs(anon_vma_cachep, SITE_FORK), GENERATIONS);
	assert_int_equal(tl_frees(anon_vma_cachep, SITE_PUT), 0);
}

/* single: the family's one anon_vma, one link, forever. */
static void test_serial_forker_single(void **state)
{
	int chain;

	serial_forker(&chain);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	assert_int_equal(chain, 1);
	assert_int_equal(tl_live(anon_vma_chain_cachep), 1);
	assert_int_equal(tl_allocs(anon_vma_cachep, SITE_FORK), 0);
}

/* ------------------------------------------------------------------ */
/* Rik van Riel's shape: one parent, many children, each COWs it all   */

#define CHILDREN 12
#define PAGES 6

static bool count_visit(struct folio *folio, struct vm_area_struct *vma,
			unsigned long address, void *arg)
{
	(*(unsigned long *)arg)++;
	return true;
}

/* Walk the folio at @page of @mm; *mapped counts the rmap_one calls. */
static unsigned long walk(struct mm_struct *mm, unsigned long page,
			  unsigned long *mapped)
{
	struct folio *f = tl_folio(mm, page);
	struct rmap_walk_control rwc = {
		.arg = mapped,
		.rmap_one = count_visit,
	};

	folio_lock(f);
	rmap_walk(f, &rwc);
	folio_unlock(f);
	return rwc.visited;
}

/*
 * The parent maps and writes PAGES pages and forks CHILDREN children;
 * each child writes every page (a COW copy each).  Then every page of
 * every process is walked.  Returns the total visits; *walks the
 * number of walks, *calls the rmap_one calls.
 */
static unsigned long rik_workload(unsigned long *walks, unsigned long *calls,
				  unsigned long *parent_visits)
{
	struct mm_struct *parent = tl_mm(), *kids[CHILDREN];
	unsigned long total = 0, p;
	int i;

	tl_map(parent, 0, PAGES, RW);
	for (p = 0; p < PAGES; p++)
		tl_write(parent, p);
	for (i = 0; i < CHILDREN; i++) {
		kids[i] = tl_fork(parent);
		for (p = 0; p < PAGES; p++)
			tl_write(kids[i], p);
	}
	*walks = *calls = *parent_visits = 0;
	for (p = 0; p < PAGES; p++) {
		*parent_visits += walk(parent, p, calls);
		(*walks)++;
	}
	total = *parent_visits;
	for (i = 0; i < CHILDREN; i++)
		for (p = 0; p < PAGES; p++) {
			total += walk(kids[i], p, calls);
			(*walks)++;
		}
	tl_check();
	return total;
}

/*
 * Chains: a child's copy is tagged with the child's own anon_vma, whose
 * tree holds only the child's VMA (1 visit); the parent's page is
 * tagged with the root, whose tree holds all CHILDREN + 1 VMAs.  About
 * two visits per walk on average.
 */
static void test_rik_chains_visit_two(void **state)
{
	unsigned long walks, calls, parent_visits;
	unsigned long total = rik_workload(&walks, &calls, &parent_visits);

	assert_int_equal(walks, (CHILDREN + 1) * PAGES);
	assert_int_equal(parent_visits, PAGES * (CHILDREN + 1));
	assert_int_equal(total, PAGES * (CHILDREN + 1) + CHILDREN * PAGES);
	assert_int_equal(calls, total);
}

/* single: every walk visits every VMA of the family. */
static void test_rik_single_visits_family(void **state)
{
	unsigned long walks, calls, parent_visits;
	unsigned long total = rik_workload(&walks, &calls, &parent_visits);

	assert_int_equal(walks, (CHILDREN + 1) * PAGES);
	assert_int_equal(total, walks * (CHILDREN + 1));
	assert_int_equal(calls, total);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
}

/* ------------------------------------------------------------------ */
/* list: no pruning by page offset                                     */

/*
 * One VMA of 8 pages, written, then every other page made read-only:
 * 8 VMAs sharing one anon_vma.  A walk of page 0's folio finds the one
 * VMA that holds it in the interval tree; the list visits all 8 and
 * calls rmap_one only for the one that can hold it.
 */
static unsigned long split_then_walk(unsigned long *calls)
{
	struct mm_struct *mm = tl_mm();
	unsigned long p;

	tl_map(mm, 0, 8, RW);
	for (p = 0; p < 8; p++)
		tl_write(mm, p);
	for (p = 1; p < 8; p += 2)
		tl_mprotect(mm, p, 1, RO);
	assert_int_equal(tl_vmas(mm), 8);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	*calls = 0;
	return walk(mm, 0, calls);
}

static void test_split_walk_tree_prunes(void **state)
{
	unsigned long calls;

	assert_int_equal(split_then_walk(&calls), 1);
	assert_int_equal(calls, 1);
}

static void test_split_walk_list_visits_all(void **state)
{
	unsigned long calls;

	assert_int_equal(split_then_walk(&calls), 8);
	assert_int_equal(calls, 1);
	tl_check();
}

/* The checker walks the lists too: a chain missing from one is caught. */
static void test_list_checker_catches_unlisted_chain(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	struct check_report r;

	tl_map(mm, 0, 2, RW);
	tl_write(mm, 0);
	av = tl_vma(mm, 0)->anon_vma;
	avc = list_first_entry(&tl_vma(mm, 0)->anon_vma_chain,
			       struct anon_vma_chain, same_vma);
	list_del(&avc->same_anon_vma);
	assert_true(list_empty(&av->head));
	/* The lost link, and the now "empty" anon_vma's counters. */
	assert_int_equal(check_invariants(&r), 3);
	assert_memory_equal(r.msg[0], "I5:", 3);
	assert_memory_equal(r.msg[1], "I9:", 3);
	assert_memory_equal(r.msg[2], "I10/leak:", 9);
	list_add_tail(&avc->same_anon_vma, &av->head);
	tl_check();
}

/* ------------------------------------------------------------------ */
/* single: fork joins the parent's anon_vma                            */

static void test_single_fork_joins_family(void **state)
{
	struct mm_struct *p = tl_mm(), *c;
	struct anon_vma *av;

	tl_map(p, 0, 2, RW);
	tl_write(p, 0);
	av = tl_vma(p, 0)->anon_vma;
	c = tl_fork(p);
	assert_ptr_equal(tl_vma(c, 0)->anon_vma, av);
	assert_int_equal(tl_chain_len(tl_vma(c, 0)), 1);
	assert_int_equal(av->num_active_vmas, 2);
	assert_int_equal(av->num_children, 1);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	assert_int_equal(tl_allocs(anon_vma_chain_cachep, SITE_FORK), 1);
	/* The child's COW copy is tagged with the family's anon_vma. */
	tl_write(c, 0);
	assert_ptr_equal(tl_anon(c, 0), av);
	assert_ptr_not_equal(tl_folio(c, 0), tl_folio(p, 0));
	/* The parent's exit frees nothing: the child still uses it. */
	tl_exit(p);
	assert_int_equal(tl_live(anon_vma_cachep), 1);
	assert_int_equal(av->num_active_vmas, 1);
	tl_check();
}

/* ------------------------------------------------------------------ */
/* eager: anon_vmas at mmap time                                       */

/*
 * Three mappings that never touch: private RW, private read-only,
 * shared RW; then a write to the first, then mprotect of the second to
 * RW.  Returns nothing; the caller asserts the counts after each step
 * through @after_mmap, @after_write, @after_mprotect, and the allocations
 * made at fault time through @at_fault.
 */
struct eager_counts {
	unsigned long after_mmap, after_write, after_mprotect, at_fault;
};

static void eager_workload(struct eager_counts *n)
{
	struct mm_struct *mm = tl_mm();
	unsigned long before;

	tl_map(mm, 0, 2, RW);
	tl_map(mm, 10, 2, RO);
	assert_int_equal(sys_mmap(mm, PG(20), 2 * PAGE_SIZE, RW,
				  MAP_SHARED | MAP_ANONYMOUS |
				  MAP_FIXED_NOREPLACE, NULL, 0), (long)PG(20));
	n->after_mmap = tl_live(anon_vma_cachep);
	before = tl_allocs(anon_vma_cachep, SITE_PREPARE);
	tl_write(mm, 0);
	tl_write(mm, 20);
	n->at_fault = tl_allocs(anon_vma_cachep, SITE_PREPARE) - before;
	n->after_write = tl_live(anon_vma_cachep);
	tl_mprotect(mm, 10, 2, RW);
	n->after_mprotect = tl_live(anon_vma_cachep);
	tl_check();
}

static void test_eager_counts_lazy(void **state)
{
	struct eager_counts n;

	eager_workload(&n);
	assert_int_equal(n.after_mmap, 0);
	assert_int_equal(n.at_fault, 1);
	assert_int_equal(n.after_write, 1);
	assert_int_equal(n.after_mprotect, 1);
}

static void test_eager_counts_eager(void **state)
{
	struct eager_counts n;

	eager_workload(&n);
	assert_int_equal(n.after_mmap, 3);	/* shared one included */
	assert_int_equal(n.at_fault, 0);
	assert_int_equal(n.after_write, 3);
	assert_int_equal(n.after_mprotect, 3);
}

static void test_eager_counts_eager_rw(void **state)
{
	struct eager_counts n;

	eager_workload(&n);
	assert_int_equal(n.after_mmap, 1);	/* the private RW one */
	assert_int_equal(n.at_fault, 0);
	assert_int_equal(n.after_write, 1);
	assert_int_equal(n.after_mprotect, 2);	/* made writable */
}

static bool fail_prepare(const struct kmem_cache *c, enum alloc_site site,
			 void *arg)
{
	return site == SITE_PREPARE;
}

/* eager: a failed link-time allocation fails the mmap, leaving nothing. */
static void test_eager_mmap_enomem(void **state)
{
	struct mm_struct *mm = tl_mm();

	slab_set_fail_hook(fail_prepare, NULL);
	assert_int_equal(sys_mmap(mm, PG(0), PAGE_SIZE, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS |
				  MAP_FIXED_NOREPLACE, NULL, 0), -ENOMEM);
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(tl_vmas(mm), 0);
	assert_int_equal(tl_live(anon_vma_cachep), 0);
	assert_int_equal(tl_live(anon_vma_chain_cachep), 0);
	assert_int_equal(tl_live(vm_area_cachep), 0);
	tl_check();
}

/* ------------------------------------------------------------------ */
/* degree: CVE-2022-42703                                              */

static int violations(const char *prefix)
{
	struct check_report r;
	int n = check_invariants(&r), i, hits = 0;

	for (i = 0; i < n && i < CHECK_MAX_REPORTS; i++)
		if (!strncmp(r.msg[i], prefix, strlen(prefix)))
			hits++;
	return n == hits ? n : -1;
}

/*
 * The minimal ambiguity (spec §6.4): A forks B, B forks C, B exits, C
 * forks D (D adopts AV_B), D forks E.  AV_C has one VMA and no child.
 */
static void ambiguity(struct mm_struct **c, struct mm_struct **e)
{
	struct mm_struct *a = tl_mm(), *b, *d;

	tl_map(a, 0, 1, RW);
	tl_write(a, 0);
	b = tl_fork(a);
	*c = tl_fork(b);
	tl_exit(b);
	d = tl_fork(*c);
	*e = tl_fork(d);
}

static void test_ambiguity_degree_adopts_in_use(void **state)
{
	struct mm_struct *c, *e;
	struct anon_vma *av_c;

	ambiguity(&c, &e);
	av_c = tl_vma(c, 0)->anon_vma;
	assert_ptr_equal(tl_vma(e, 0)->anon_vma, av_c);
	assert_int_equal(av_c->num_active_vmas, 2);
	assert_int_equal(av_c->num_children, 0);
	/* Same chains as C's, so nothing is broken yet. */
	tl_check();
}

static void test_ambiguity_mainline_new(void **state)
{
	struct mm_struct *c, *e;

	ambiguity(&c, &e);
	assert_ptr_not_equal(tl_vma(e, 0)->anon_vma, tl_vma(c, 0)->anon_vma);
	assert_int_equal(tl_vma(c, 0)->anon_vma->num_active_vmas, 1);
	tl_check();
}

/*
 * tests/designs/degree-cve-2022-42703.scn with library calls: the 13
 * steps of spec §6.4 plus one mprotect split in C.  @degree: whether
 * the degree rule runs (the violations happen) or mainline's.
 */
static void cve_2022_42703(bool degree)
{
	struct mm_struct *a = tl_mm(), *b, *c, *d, *e, *f;
	struct anon_vma *av_e2;
	unsigned long calls = 0;

	tl_map(a, 0, 2, RW);
	tl_write(a, 0);
	tl_write(a, 1);
	b = tl_fork(a);
	c = tl_fork(b);
	tl_exit(b);
	d = tl_fork(c);
	tl_mprotect(c, 1, 1, RW | PROT_EXEC);
	tl_mprotect(d, 1, 1, RW | PROT_EXEC);
	e = tl_fork(d);
	assert_ptr_not_equal(tl_vma(e, 0)->anon_vma, tl_vma(e, 1)->anon_vma);
	tl_write(e, 1);
	av_e2 = tl_anon(e, 1);
	assert_ptr_equal(av_e2, tl_vma(e, 1)->anon_vma);
	tl_exit(c);
	tl_check();

	f = tl_fork(e);
	if (!degree) {
		assert_ptr_not_equal(tl_vma(f, 0)->anon_vma,
				     tl_vma(f, 1)->anon_vma);
		tl_mprotect(f, 1, 1, RW);
		assert_int_equal(tl_vmas(f), 2);	/* case 3 refuses */
		tl_exit(e);
		assert_true(kmem_cache_obj_live(anon_vma_cachep, av_e2));
		assert_int_equal(walk(f, 1, &calls), 1);
		tl_check();
		return;
	}

	/* Both of F's VMAs adopted AV_C: one anon_vma, two chains. */
	assert_ptr_equal(tl_vma(f, 0)->anon_vma, tl_vma(f, 1)->anon_vma);
	assert_int_equal(violations("I11:"), 1);
	/* Case 3 merges them and throws f2's chain (with AV_E2) away. */
	tl_mprotect(f, 1, 1, RW);
	assert_int_equal(tl_vmas(f), 1);
	assert_int_equal(violations("I7:"), 1);
	/* E's exit frees AV_E2 under F's mapping: the use-after-free. */
	tl_exit(e);
	assert_false(kmem_cache_obj_live(anon_vma_cachep, av_e2));
	assert_ptr_equal(tl_anon(f, 1), av_e2);
	assert_int_equal(violations("I7:"), 1);
	assert_int_equal(walk(f, 1, &calls), 0);	/* the rmap miss */
	assert_int_equal(calls, 0);
	/* F's exit clears the state; teardown checks nothing leaked. */
	tl_exit(f);
	tl_exit(d);
	tl_exit(a);
}

static void test_cve_2022_42703_degree(void **state)
{
	cve_2022_42703(true);
}

static void test_cve_2022_42703_mainline(void **state)
{
	cve_2022_42703(false);
}

#define T(fn, design) \
	cmocka_unit_test_setup_teardown(fn, setup_##design, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		T(test_serial_forker_bounded, mainline),
		T(test_serial_forker_bounded, v6_18),
		T(test_serial_forker_bounded, degree),
		T(test_serial_forker_bounded, list),
		T(test_serial_forker_bounded, eager),
		T(test_serial_forker_bounded, eager_rw),
		T(test_serial_forker_noreuse_grows, noreuse),
		T(test_serial_forker_single, single),
		T(test_rik_chains_visit_two, mainline),
		T(test_rik_chains_visit_two, v6_18),
		T(test_rik_chains_visit_two, degree),
		T(test_rik_chains_visit_two, noreuse),
		T(test_rik_chains_visit_two, list),
		T(test_rik_chains_visit_two, eager),
		T(test_rik_single_visits_family, single),
		T(test_split_walk_tree_prunes, mainline),
		T(test_split_walk_list_visits_all, list),
		T(test_split_walk_list_visits_all, single),
		T(test_list_checker_catches_unlisted_chain, list),
		T(test_single_fork_joins_family, single),
		T(test_eager_counts_lazy, mainline),
		T(test_eager_counts_eager, eager),
		T(test_eager_counts_eager_rw, eager_rw),
		T(test_eager_mmap_enomem, eager),
		T(test_eager_mmap_enomem, eager_rw),
		T(test_ambiguity_degree_adopts_in_use, degree),
		T(test_ambiguity_mainline_new, mainline),
		T(test_ambiguity_mainline_new, v6_18),
		T(test_cve_2022_42703_degree, degree),
		T(test_cve_2022_42703_mainline, mainline),
		T(test_cve_2022_42703_mainline, v6_18),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
