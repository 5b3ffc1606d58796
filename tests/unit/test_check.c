/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the invariant checker (mm/check*.c).
 *
 * The states are built by hand, without the library's operations: the
 * anon_vmas come from anon_vma_cachep (so that they are "live"), AVCs
 * from anon_vma_chain_cachep, page tables from pte_offset_map(); mms,
 * VMAs, folios and the file are plain heap objects.  The base world is
 * correct and must give no violation.  Every other test breaks exactly
 * one thing and asserts which invariants fire: this proves that each
 * check can fail, and that it fails for the right reason.
 *
 * The base world (P = BASE >> PAGE_SHIFT):
 *
 *   mm#1  A   [BASE, +4)     anon R   chain {R}       F1 (excl, W) at +0,
 *                                                    F2 (shared) at +1
 *         A2  [BASE+6, +8)   anon R   chain {R}       zero page at +6
 *         Fv  [FBASE, +2)    private file, R/O       page-cache FP at +0
 *         Sv  [SBASE, +2)    shared file, R/W        nothing mapped
 *   mm#2  B   [BASE, +4)     anon C1  chain {R,C1}    F2 at +1, F3 (excl,
 *                                                    W) at +2, swap at +3
 *   mm#3  D   [BASE, +4)     anon C2  chain {R,C1,C2} F2 at +1, F4 (excl) at +3
 *
 *   R  (av#1): root, refcount 3, num_children 2, num_active_vmas 2
 *   C1 (av#2): parent R, refcount 1, num_children 1, num_active_vmas 1
 *   C2 (av#3): parent C1, refcount 1, num_children 0, num_active_vmas 1
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <anonvma/anonvma.h>
#include "internal.h"

#define BASE	0x200000000000UL
#define FBASE	0x300000000000UL
#define SBASE	0x310000000000UL
#define PG	PAGE_SIZE
#define P	(BASE >> PAGE_SHIFT)

static struct world {
	struct mm_struct *mm1, *mm2, *mm3;
	struct anon_vma *R, *C1, *C2;
	struct vm_area_struct *A, *A2, *Fv, *Sv, *B, *D;
	struct anon_vma_chain *avc_A2, *avc_D_C1;
	struct folio *F1, *F2, *F3, *F4, *FP;
	struct file *file;
	swp_entry_t slot;
	unsigned int next_av_serial;
	unsigned long next_folio_serial;
	/* Heap objects to free at teardown. */
	void **objs;
	int nr_objs, cap_objs;
} W;

static struct check_report rep;

static void *track(void *p)
{
	assert_non_null(p);
	if (W.nr_objs == W.cap_objs) {
		W.cap_objs = W.cap_objs ? 2 * W.cap_objs : 256;
		W.objs = realloc(W.objs, W.cap_objs * sizeof(*W.objs));
		assert_non_null(W.objs);
	}
	W.objs[W.nr_objs++] = p;
	return p;
}

static struct mm_struct *mk_mm(unsigned long serial)
{
	struct mm_struct *mm = track(calloc(1, sizeof(*mm)));

	init_rwsem(&mm->mmap_lock, LOCK_CLASS_MMAP);
	spin_lock_init(&mm->page_table_lock, LOCK_CLASS_PTL);
	mm->vmas_cap = 16;
	mm->vmas = track(calloc(mm->vmas_cap, sizeof(*mm->vmas)));
	mm->serial = serial;
	INIT_LIST_HEAD(&mm->mmlist);
	mm_registry_add(mm);
	return mm;
}

/* Insert @v into @mm's index in address order. */
static void index_insert(struct mm_struct *mm, struct vm_area_struct *v)
{
	int i = mm->map_count;

	while (i > 0 && mm->vmas[i - 1]->vm_start > v->vm_start) {
		mm->vmas[i] = mm->vmas[i - 1];
		i--;
	}
	mm->vmas[i] = v;
	mm->map_count++;
	mm->total_vm += vma_pages(v);
}

static void index_remove(struct mm_struct *mm, struct vm_area_struct *v)
{
	int i, j = 0;

	for (i = 0; i < mm->map_count; i++)
		if (mm->vmas[i] != v)
			mm->vmas[j++] = mm->vmas[i];
	mm->map_count = j;
	mm->total_vm -= vma_pages(v);
}

static struct vm_area_struct *mk_vma(struct mm_struct *mm, unsigned long start,
				     unsigned long pages, vm_flags_t flags,
				     struct file *file, unsigned long pgoff)
{
	struct vm_area_struct *v = track(calloc(1, sizeof(*v)));

	v->vm_start = start;
	v->vm_end = start + pages * PG;
	v->vm_mm = mm;
	v->vm_flags = flags;
	v->vm_file = file;
	v->vm_pgoff = file ? pgoff : start >> PAGE_SHIFT;
	INIT_LIST_HEAD(&v->anon_vma_chain);
	index_insert(mm, v);
	return v;
}

static struct anon_vma *mk_av(struct anon_vma *parent, int refcount,
			      unsigned long children, unsigned long active)
{
	struct anon_vma *av = kmem_cache_alloc(anon_vma_cachep, SITE_OTHER);

	assert_non_null(av);
	av->root = parent ? parent->root : av;
	av->parent = parent ? parent : av;
	av->refcount = refcount;
	av->num_children = children;
	av->num_active_vmas = active;
	av->serial = ++W.next_av_serial;
	return av;
}

static struct anon_vma_chain *link_av(struct vm_area_struct *v,
				      struct anon_vma *av)
{
	struct anon_vma_chain *avc = kmem_cache_alloc(anon_vma_chain_cachep,
						      SITE_OTHER);

	assert_non_null(avc);
	memset(avc, 0, sizeof(*avc));
	avc->vma = v;
	avc->anon_vma = av;
	list_add_tail(&avc->same_vma, &v->anon_vma_chain);
	anon_vma_interval_tree_insert(avc, &av->rb_root);
	return avc;
}

static struct folio *mk_folio(void)
{
	/* PTEs keep flags in the low 4 bits: 64-byte alignment is plenty. */
	struct folio *f = track(aligned_alloc(64, 64 * ((sizeof(*f) + 63) / 64)));

	memset(f, 0, sizeof(*f));
	f->_mapcount = -1;
	f->serial = ++W.next_folio_serial;
	return f;
}

static struct folio *mk_anon_folio(struct anon_vma *av, unsigned long index,
				   bool exclusive)
{
	struct folio *f = mk_folio();

	f->mapping = (uintptr_t)av | FOLIO_MAPPING_ANON;
	f->index = index;
	if (exclusive)
		SetPageAnonExclusive(f);
	return f;
}

static pte_t *ptep(struct mm_struct *mm, unsigned long addr)
{
	bool oom;
	pte_t *p = pte_offset_map(mm, addr, true, &oom);

	assert_non_null(p);
	return p;
}

/* Map @f at @addr: one more PTE, mapcount, reference and RSS page. */
static void map_folio(struct mm_struct *mm, unsigned long addr, struct folio *f,
		      bool write)
{
	*ptep(mm, addr) = mk_pte(f, write);
	f->_mapcount++;
	f->_refcount++;
	if (folio_test_anon(f))
		mm->rss_anon++;
	else
		mm->rss_file++;
}

static void map_swap(struct mm_struct *mm, unsigned long addr, swp_entry_t e,
		     bool exclusive)
{
	*ptep(mm, addr) = swp_entry_to_pte(e, exclusive);
	swap_duplicate(e);
	mm->rss_swap++;
}

static struct file *mk_file(unsigned long pages)
{
	struct file *f = track(calloc(1, sizeof(*f)));

	f->f_mapping.host = f;
	f->f_mapping.pages = track(calloc(pages, sizeof(struct folio *)));
	f->f_mapping.nr_pages = pages;
	spin_lock_init(&f->f_mapping.lock, LOCK_CLASS_INTERNAL);
	f->f_count = 1;
	f->serial = 1;
	strcpy(f->name, "data");
	return f;
}

#define ANON_RW (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

static int setup(void **state)
{
	memset(&W, 0, sizeof(W));
	assert_int_equal(anonvma_init(DESIGN_MAINLINE), 0);

	W.mm1 = mk_mm(1);
	W.mm2 = mk_mm(2);
	W.mm3 = mk_mm(3);
	W.file = mk_file(4);

	W.R = mk_av(NULL, 3, 2, 2);
	W.C1 = mk_av(W.R, 1, 1, 1);
	W.C2 = mk_av(W.C1, 1, 0, 1);

	W.A = mk_vma(W.mm1, BASE, 4, ANON_RW, NULL, 0);
	W.A2 = mk_vma(W.mm1, BASE + 6 * PG, 2, ANON_RW, NULL, 0);
	W.Fv = mk_vma(W.mm1, FBASE, 2, VM_READ | VM_MAYREAD | VM_MAYWRITE,
		      W.file, 0);
	W.Sv = mk_vma(W.mm1, SBASE, 2, VM_READ | VM_WRITE | VM_SHARED |
		      VM_MAYREAD | VM_MAYWRITE | VM_MAYSHARE, W.file, 0);
	W.B = mk_vma(W.mm2, BASE, 4, ANON_RW, NULL, 0);
	W.D = mk_vma(W.mm3, BASE, 4, ANON_RW, NULL, 0);

	W.A->anon_vma = W.R;
	link_av(W.A, W.R);
	W.A2->anon_vma = W.R;
	W.avc_A2 = link_av(W.A2, W.R);
	W.B->anon_vma = W.C1;
	link_av(W.B, W.R);
	link_av(W.B, W.C1);
	W.D->anon_vma = W.C2;
	link_av(W.D, W.R);
	W.avc_D_C1 = link_av(W.D, W.C1);
	link_av(W.D, W.C2);

	W.F1 = mk_anon_folio(W.R, P, true);
	W.F2 = mk_anon_folio(W.R, P + 1, false);
	W.F3 = mk_anon_folio(W.C1, P + 2, true);
	W.F4 = mk_anon_folio(W.C2, P + 3, true);
	map_folio(W.mm1, BASE, W.F1, true);
	map_folio(W.mm1, BASE + PG, W.F2, false);
	map_folio(W.mm2, BASE + PG, W.F2, false);
	map_folio(W.mm3, BASE + PG, W.F2, false);
	map_folio(W.mm2, BASE + 2 * PG, W.F3, true);
	map_folio(W.mm3, BASE + 3 * PG, W.F4, false);
	*ptep(W.mm1, BASE + 6 * PG) = mk_zero_pte();

	assert_int_equal(get_swap_slot(W.F3, &W.slot), 0);
	map_swap(W.mm2, BASE + 3 * PG, W.slot, true);

	W.FP = mk_folio();
	W.FP->mapping = (uintptr_t)&W.file->f_mapping;
	W.FP->index = 0;
	W.FP->_refcount = 1;	/* the page cache's */
	W.file->f_mapping.pages[0] = W.FP;
	map_folio(W.mm1, FBASE, W.FP, false);
	return 0;
}

static int teardown(void **state)
{
	int i;

	/* The swap PTE's count; the slot itself is swept with the system. */
	while (swap_count(W.slot) > 0)
		swap_free(W.slot);
	anonvma_exit(NULL);
	for (i = W.nr_objs - 1; i >= 0; i--)
		free(W.objs[i]);
	free(W.objs);
	return 0;
}

/* ------------------------------------------------------------------ */

static const char *tag_of(const char *msg, char *buf, size_t len)
{
	size_t n = strcspn(msg, ":");

	if (n >= len)
		n = len - 1;
	memcpy(buf, msg, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Run the checker and require that the set of invariants reported is
 * exactly the NULL-terminated list given (each at least once).
 */
static void expect_tags(const char *first, ...)
{
	const char *want[16];
	bool seen[16] = { false };
	int nwant = 0, i, j, n;
	char buf[32];
	va_list ap;
	bool ok = true;

	va_start(ap, first);
	for (const char *t = first; t; t = va_arg(ap, const char *))
		want[nwant++] = t;
	va_end(ap);

	n = check_invariants(&rep);
	for (i = 0; i < n && i < CHECK_MAX_REPORTS; i++) {
		bool known = false;

		tag_of(rep.msg[i], buf, sizeof(buf));
		for (j = 0; j < nwant; j++) {
			if (!strcmp(buf, want[j])) {
				seen[j] = true;
				known = true;
			}
		}
		ok &= known;
	}
	for (j = 0; j < nwant; j++)
		ok &= seen[j];
	if (getenv("TEST_CHECK_VERBOSE"))
		check_report_print(&rep, "    ", stderr);
	if (!ok || (nwant == 0) != (n == 0)) {
		fprintf(stderr, "unexpected report (%d):\n", n);
		check_report_print(&rep, "  ", stderr);
		fail();
	}
}

#define expect_clean() expect_tags(NULL)

/* ------------------------------------------------------------------ */

static void test_clean(void **state)
{
	expect_clean();
	assert_int_equal(check_invariants(NULL), 0);
}

static void test_i1_parent(void **state)
{
	/* A non-root whose parent is itself (and counters made to match). */
	W.C2->parent = W.C2;
	W.C1->num_children = 0;
	expect_tags("I1", NULL);
}

static void test_i2_duplicate(void **state)
{
	link_av(W.D, W.R);
	expect_tags("I2", NULL);
	assert_string_equal(rep.msg[0],
			    "I2: mm#3 vma 0x200000000000-0x200000004000 chain holds av#1 twice");
}

static void test_i2_mixed(void **state)
{
	/* A second, healthy hierarchy, then D linked to it as well. */
	struct anon_vma *r2 = mk_av(NULL, 1, 1, 1);
	struct vm_area_struct *e = mk_vma(W.mm3, BASE + 16 * PG, 1, ANON_RW,
					  NULL, 0);

	e->anon_vma = r2;
	link_av(e, r2);
	expect_clean();
	link_av(W.D, r2);
	expect_tags("I2", NULL);
}

static void test_i3_chain_without_anon(void **state)
{
	W.A2->anon_vma = NULL;
	W.R->num_active_vmas = 1;
	expect_tags("I3", NULL);
}

static void test_i3_anon_without_chain(void **state)
{
	struct vm_area_struct *g = mk_vma(W.mm1, BASE + 20 * PG, 1, ANON_RW,
					  NULL, 0);

	g->anon_vma = W.R;
	W.R->num_active_vmas = 3;
	expect_tags("I3", NULL);
}

static void test_i4(void **state)
{
	/* D keeps R and C2 but loses C1, C2's parent. */
	list_del(&W.avc_D_C1->same_vma);
	anon_vma_interval_tree_remove(W.avc_D_C1, &W.C1->rb_root);
	expect_tags("I4", NULL);
}

static void test_i5_not_in_tree(void **state)
{
	anon_vma_interval_tree_remove(W.avc_A2, &W.R->rb_root);
	expect_tags("I5", NULL);
}

static void test_i5_vma_detached(void **state)
{
	/* A2 leaves mm#1's index but its AVC stays in tree(R). */
	index_remove(W.mm1, W.A2);
	ptep(W.mm1, BASE + 6 * PG)->val = 0;
	W.R->num_active_vmas = 1;
	expect_tags("I5", NULL);
	assert_string_equal(rep.msg[0],
			    "I5: tree(av#1) holds an AVC whose VMA is not attached to any mm");
}

static void test_i5_wrong_vma(void **state)
{
	/* An AVC on A's list that claims to belong to A2. */
	struct anon_vma_chain *avc = list_first_entry(&W.A->anon_vma_chain,
						      struct anon_vma_chain,
						      same_vma);
	avc->vma = W.A2;
	/* Keep the tree keys: A and A2 differ, so re-insert under A2. */
	anon_vma_interval_tree_remove(avc, &W.R->rb_root);
	anon_vma_interval_tree_insert(avc, &W.R->rb_root);
	expect_tags("I5", NULL);
}

static void test_i6_stale_key(void **state)
{
	/* A2's range changes while its AVC stays in the tree. */
	W.A2->vm_pgoff += 100;
	expect_tags("I6", NULL);
}

static void test_i6_leftmost(void **state)
{
	W.R->rb_root.rb_leftmost = rb_last(&W.R->rb_root.rb_root);
	expect_tags("I6", NULL);
}

static void test_i7_not_on_chain(void **state)
{
	/* F3 in B re-tagged with C2, which B's chain {R, C1} lacks. */
	W.F3->mapping = (uintptr_t)W.C2 | FOLIO_MAPPING_ANON;
	expect_tags("I7", NULL);
	assert_string_equal(rep.msg[0],
			    "I7: mm#2 vma 0x200000000000-0x200000004000 maps folio#3 at 0x200000002000 whose anon_vma av#3 is not on the VMA's chain");
}

static void test_i7_index(void **state)
{
	W.F3->index++;
	expect_tags("I7", NULL);
}

static void test_i7_freed(void **state)
{
	struct anon_vma *x = mk_av(NULL, 0, 0, 0);

	kmem_cache_free(anon_vma_cachep, x, SITE_PUT);
	W.F3->mapping = (uintptr_t)x | FOLIO_MAPPING_ANON;
	expect_tags("I7", NULL);
	assert_non_null(strstr(rep.msg[0], "not live"));
}

static void test_i7_ksm_ignored(void **state)
{
	/* KSM folios are not walked through anon_vmas: no I7 for them. */
	W.F3->mapping = FOLIO_MAPPING_KSM;
	expect_clean();
}

static void test_i8(void **state)
{
	W.C1->num_children = 5;
	W.R->num_active_vmas = 1;
	expect_tags("I8", NULL);
	assert_int_equal(rep.count, 2);
}

static void test_i9(void **state)
{
	/*
	 * A live anon_vma with an empty tree is always a leak at a
	 * quiescent point, so I10/leak comes with I9.
	 */
	mk_av(NULL, 1, 0, 1);
	expect_tags("I9", "I10/leak", NULL);
	assert_int_equal(rep.count, 2);
	assert_string_equal(rep.msg[0],
			    "I9: av#4 has an empty tree but num_active_vmas 1 num_children 0");
}

static void test_i10_refcount(void **state)
{
	W.R->refcount = 2;
	expect_tags("I10", NULL);
	W.R->refcount = 4;	/* a reference left behind */
	expect_tags("I10", NULL);
	W.R->refcount = 3;
	W.C2->refcount = 0;
	expect_tags("I10", NULL);
}

static void test_i10_leak(void **state)
{
	struct anon_vma *x = mk_av(NULL, 1, 0, 0);

	expect_tags("I10/leak", NULL);
	assert_string_equal(rep.msg[0],
			    "I10/leak: av#4 is live with an empty tree and no children (refcount 1)");
	/* A child with an empty tree: now the child is the leak. */
	mk_av(x, 1, 0, 0);
	expect_tags("I10/leak", NULL);
	assert_int_equal(rep.count, 1);
	assert_non_null(strstr(rep.msg[0], "av#5"));
}

static void test_i10_root_freed(void **state)
{
	/* A child whose root was freed first: the 2014 bug (spec §6.2). */
	struct anon_vma *z = mk_av(NULL, 0, 0, 0);

	mk_av(z, 1, 0, 0);
	kmem_cache_free(anon_vma_cachep, z, SITE_PUT);
	expect_tags("I10", "I10/leak", NULL);
}

static void test_i11(void **state)
{
	/* A2 shares R with A but is also linked to C1. */
	link_av(W.A2, W.C1);
	expect_tags("I11", NULL);
}

static void test_i12(void **state)
{
	/*
	 * A singular chain holding a non-root: I12 cannot fire alone, the
	 * missing ancestors break I2 and I4 as well (spec: I12 follows
	 * from them), and E shares C2 with D (I11).
	 */
	struct vm_area_struct *e = mk_vma(W.mm3, BASE + 16 * PG, 1, ANON_RW,
					  NULL, 0);

	e->anon_vma = W.C2;
	link_av(e, W.C2);
	W.C2->num_active_vmas = 2;
	expect_tags("I2", "I4", "I11", "I12", NULL);
}

static void test_i13(void **state)
{
	W.Sv->anon_vma = W.R;
	link_av(W.Sv, W.R);
	W.R->num_active_vmas = 3;
	expect_tags("I13", NULL);
}

static void test_i14_exclusive_twice(void **state)
{
	/* F1 is exclusive to A, yet B maps it too. */
	map_folio(W.mm2, BASE, W.F1, false);
	expect_tags("I14", NULL);
	assert_string_equal(rep.msg[0],
			    "I14: folio#1 is PageAnonExclusive but 2 PTEs map it, in more than one mm");
}

static void test_i14_writable_shared(void **state)
{
	pte_t *p = ptep(W.mm1, BASE + PG);

	*p = pte_mkwrite(*p);
	expect_tags("I14", NULL);
}

static void test_i14_swap_exclusive(void **state)
{
	map_swap(W.mm3, BASE, W.slot, false);
	expect_tags("I14", NULL);
}

static void test_map_mapcount(void **state)
{
	W.F2->_mapcount = 1;	/* 2, but three PTEs */
	expect_tags("MAP", NULL);
}

static void test_map_pagecache(void **state)
{
	W.file->f_mapping.pages[0] = NULL;
	expect_tags("MAP", NULL);
}

static void test_map_pagecache_index(void **state)
{
	W.FP->index = 1;
	expect_tags("MAP", NULL);
}

static void test_ref(void **state)
{
	W.F3->_refcount = 0;
	expect_tags("REF", NULL);
	W.F3->_refcount = 1;
	W.FP->_refcount = 1;	/* the page cache's reference is missing */
	expect_tags("REF", NULL);
}

static void test_rss(void **state)
{
	W.mm2->rss_anon++;
	expect_tags("RSS", NULL);
	W.mm2->rss_anon--;
	W.mm1->rss_file = 0;
	expect_tags("RSS", NULL);
	W.mm1->rss_file = 1;
	W.mm2->rss_swap = 0;
	expect_tags("RSS", NULL);
}

static void test_pt_outside(void **state)
{
	*ptep(W.mm1, BASE + 5 * PG) = mk_zero_pte();
	expect_tags("PT", NULL);
	assert_string_equal(rep.msg[0],
			    "PT: mm#1 has a PTE at 0x200000005000 outside every VMA");
}

static void test_pt_write(void **state)
{
	pte_t *p = ptep(W.mm1, FBASE);

	/* Fv is read-only and private: two reasons to refuse. */
	*p = pte_mkwrite(*p);
	expect_tags("PT", NULL);
	assert_int_equal(rep.count, 2);
}

static void test_pt_migration(void **state)
{
	*ptep(W.mm3, BASE) = make_migration_pte(W.F4, false, false);
	expect_tags("PT", NULL);
}

static void test_swap_count(void **state)
{
	swap_duplicate(W.slot);
	expect_tags("SWAP", NULL);
}

static void test_vma_order(void **state)
{
	struct vm_area_struct *t = W.mm1->vmas[0];

	W.mm1->vmas[0] = W.mm1->vmas[1];
	W.mm1->vmas[1] = t;
	expect_tags("VMA", NULL);
}

static void test_vma_fields(void **state)
{
	W.mm1->total_vm++;
	expect_tags("VMA", NULL);
	W.mm1->total_vm--;
	W.B->vm_mm = W.mm1;
	expect_tags("VMA", NULL);
	W.B->vm_mm = W.mm2;
	W.B->detached = true;
	expect_tags("VMA", NULL);
}

static void test_lock(void **state)
{
	down_write(&W.R->rwsem);
	expect_tags("LOCK", NULL);
	up_write(&W.R->rwsem);
	down_read(&W.mm2->mmap_lock);
	expect_tags("LOCK", NULL);
	up_read(&W.mm2->mmap_lock);
	folio_set_flag(W.F4, PG_locked);
	expect_tags("LOCK", NULL);
	folio_clear_flag(W.F4, PG_locked);
	expect_clean();
}

static void test_report_overflow(void **state)
{
	char *buf = NULL;
	size_t len = 0, lines = 0, i;
	FILE *out;

	/* 40 zero-page PTEs in the hole between A2 and the next VMA. */
	for (i = 0; i < 40; i++)
		*ptep(W.mm1, BASE + (64 + i) * PG) = mk_zero_pte();
	assert_int_equal(check_invariants(&rep), 40);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	check_report_print(&rep, "> ", out);
	fclose(out);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, CHECK_MAX_REPORTS + 1);
	assert_non_null(strstr(buf, "> ... and 8 more violations\n"));
	assert_memory_equal(buf, "> PT: ", 6);
	free(buf);
}

/*
 * A big correct state: a 2,000-deep fork hierarchy where every process
 * keeps one VMA whose chain is root + its own anon_vma (what the reuse
 * heuristic keeps bounded), each with mapped pages.  Only timing is
 * loose: the checker must stay linear.
 */
static void test_scale(void **state)
{
	enum { GENS = 2000, PAGES = 8 };
	struct timespec t0, t1;
	double secs;
	int g, p;

	for (g = 0; g < GENS; g++) {
		struct mm_struct *mm = mk_mm(100 + g);
		struct vm_area_struct *v = mk_vma(mm, BASE, PAGES, ANON_RW,
						  NULL, 0);
		struct anon_vma *av = mk_av(W.R, 1, 0, 1);

		/* Every child hangs off R: chains of two. */
		W.R->num_children++;
		W.R->refcount++;
		v->anon_vma = av;
		link_av(v, W.R);
		link_av(v, av);
		for (p = 0; p < PAGES; p++)
			map_folio(mm, BASE + p * PG,
				  mk_anon_folio(av, P + p, true), true);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_clean();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "check of %d mms, %d folios: %.3f s\n", GENS,
		GENS * PAGES, secs);
	assert_true(secs < 2.0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clean),
		T(test_i1_parent),
		T(test_i2_duplicate),
		T(test_i2_mixed),
		T(test_i3_chain_without_anon),
		T(test_i3_anon_without_chain),
		T(test_i4),
		T(test_i5_not_in_tree),
		T(test_i5_vma_detached),
		T(test_i5_wrong_vma),
		T(test_i6_stale_key),
		T(test_i6_leftmost),
		T(test_i7_not_on_chain),
		T(test_i7_index),
		T(test_i7_freed),
		T(test_i7_ksm_ignored),
		T(test_i8),
		T(test_i9),
		T(test_i10_refcount),
		T(test_i10_leak),
		T(test_i10_root_freed),
		T(test_i11),
		T(test_i12),
		T(test_i13),
		T(test_i14_exclusive_twice),
		T(test_i14_writable_shared),
		T(test_i14_swap_exclusive),
		T(test_map_mapcount),
		T(test_map_pagecache),
		T(test_map_pagecache_index),
		T(test_ref),
		T(test_rss),
		T(test_pt_outside),
		T(test_pt_write),
		T(test_pt_migration),
		T(test_swap_count),
		T(test_vma_order),
		T(test_vma_fields),
		T(test_lock),
		T(test_report_overflow),
		T(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
