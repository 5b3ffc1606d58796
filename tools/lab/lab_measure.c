/* SPDX-License-Identifier: MIT */
/*
 * Measuring a workload run on the model: object counts from the slab
 * statistics (the model's /proc/slabinfo), chain lengths from the VMAs,
 * root-lock timing from lock_stats, and rmap walks that count how many
 * VMAs they visit and how many of those really map the folio.
 *
 * The precision of a walk (VMAs that map the folio / VMAs visited) is
 * the figure the anon_vma designs trade against memory: one anon_vma
 * per fork family visits every VMA of the family (Rik van Riel's 2009
 * report), chains visit only the VMAs whose anon_vma could hold the
 * folio (spec §1, §2.9).  "Really maps" is decided as try_to_unmap()
 * decides it: page_vma_mapped() under the page-table lock.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <anonvma/anonvma.h>

#include "lab.h"
#include "lab_internal.h"

static const char *const op_names[NR_LAB_OPS] = {
	[LAB_OP_FORK] = "fork",
	[LAB_OP_EXIT] = "exit",
	[LAB_OP_FAULT] = "fault",
	[LAB_OP_WALK] = "walk",
	[LAB_OP_MPROTECT] = "mprotect",
	[LAB_OP_MMAP] = "mmap",
	[LAB_OP_MUNMAP] = "munmap",
	[LAB_OP_CYCLE] = "cycle",
};

/** lab_op_name() - see lab.h. */
const char *lab_op_name(enum lab_op op)
{
	return (unsigned int)op < NR_LAB_OPS ? op_names[op] : "?";
}

/** lab_now() - see lab.h. */
double lab_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	return p;
}

/** lab_model_begin() - see lab.h. */
int lab_model_begin(int design, struct lab_result *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->design = design;
	r->violations = -1;
	ret = anonvma_init((enum anonvma_design)design);
	if (ret) {
		snprintf(r->error, sizeof(r->error),
			 "cannot set up the model: %s", strerror(-ret));
		return ret;
	}
	r->av_size = kmem_cache_size(anon_vma_cachep);
	r->avc_size = kmem_cache_size(anon_vma_chain_cachep);
	lock_stats_reset();
	lock_stats_enable(true);
	r->wall_ns = lab_now();
	return 0;
}

static unsigned long sum_sites(const unsigned long *v)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < NR_ALLOC_SITES; i++)
		n += v[i];
	return n;
}

/** lab_model_end() - see lab.h. */
void lab_model_end(struct lab_result *r)
{
	struct kmem_cache_stats st;

	r->wall_ns = lab_now() - r->wall_ns;
	lock_stats_enable(false);
	lock_stats_get(LOCK_CLASS_ANON_VMA, &r->root_lock);
	kmem_cache_get_stats(anon_vma_cachep, &st);
	r->av_peak = st.peak;
	r->av_alloc = sum_sites(st.allocs);
	kmem_cache_get_stats(anon_vma_chain_cachep, &st);
	r->avc_peak = st.peak;
	r->avc_alloc = sum_sites(st.allocs);
	r->leaks = swap_slots_in_use();
	r->leaks += anonvma_exit(stderr);
}

/** lab_result_free() - see lab.h. */
void lab_result_free(struct lab_result *r)
{
	free(r->series);
	r->series = NULL;
	r->nseries = r->capseries = 0;
}

static unsigned long chain_len(const struct vm_area_struct *vma)
{
	const struct anon_vma_chain *avc;
	unsigned long n = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		n++;
	return n;
}

/*
 * Visit every VMA of every live mm.  Only while no operation runs: the
 * registry lock (a leaf lock) keeps the list still, each mm's mmap lock
 * its VMAs.
 */
static void for_each_vma_all(void (*fn)(struct vm_area_struct *vma, void *arg),
			     void *arg)
{
	struct mm_struct *mm;
	int i;

	mm_registry_lock();
	for_each_mm(mm) {
		mmap_read_lock(mm);
		for (i = 0; i < mm->map_count; i++)
			fn(mm_vma_at(mm, i), arg);
		mmap_read_unlock(mm);
	}
	mm_registry_unlock();
}

struct vma_tally {
	unsigned long vmas, with_av, chain_max;
};

static void tally_vma(struct vm_area_struct *vma, void *arg)
{
	struct vma_tally *t = arg;
	unsigned long n = chain_len(vma);

	t->vmas++;
	if (READ_ONCE(vma->anon_vma))
		t->with_av++;
	if (n > t->chain_max)
		t->chain_max = n;
}

/** lab_chain_peak() - see lab.h. */
unsigned long lab_chain_peak(void)
{
	struct vma_tally t = { 0, 0, 0 };

	for_each_vma_all(tally_vma, &t);
	return t.chain_max;
}

/** lab_note_live() - see lab.h. */
void lab_note_live(struct lab_result *r)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(anon_vma_cachep, &st);
	if (st.live > r->av_max)
		r->av_max = st.live;
	kmem_cache_get_stats(anon_vma_chain_cachep, &st);
	if (st.live > r->avc_max)
		r->avc_max = st.live;
}

/** lab_measure_point() - see lab.h. */
void lab_measure_point(struct lab_result *r, bool check)
{
	struct kmem_cache_stats st;
	struct vma_tally t = { 0, 0, 0 };

	lab_note_live(r);
	kmem_cache_get_stats(anon_vma_cachep, &st);
	r->av_live = st.live;
	kmem_cache_get_stats(anon_vma_chain_cachep, &st);
	r->avc_live = st.live;
	for_each_vma_all(tally_vma, &t);
	r->vmas = t.vmas;
	r->vmas_with_av = t.with_av;
	if (t.chain_max > r->chain_peak)
		r->chain_peak = t.chain_max;
	if (check) {
		struct check_report rep;

		r->violations = check_invariants(&rep);
		if (r->violations)
			check_report_print(&rep, "  ", stderr);
	}
}

/** lab_sample() - see lab.h. */
void lab_sample(struct lab_result *r, double x)
{
	struct kmem_cache_stats st;
	struct lab_point *pt;
	unsigned long chain = lab_chain_peak();

	if (chain > r->chain_peak)
		r->chain_peak = chain;
	lab_note_live(r);
	if (r->nseries == r->capseries) {
		r->capseries = r->capseries ? r->capseries * 2 : 256;
		r->series = xrealloc(r->series,
				     sizeof(*r->series) * (size_t)r->capseries);
	}
	pt = &r->series[r->nseries++];
	pt->x = x;
	kmem_cache_get_stats(anon_vma_cachep, &st);
	pt->anon_vma = st.live;
	kmem_cache_get_stats(anon_vma_chain_cachep, &st);
	pt->avc = st.live;
	pt->visits = -1;
	if (r->walks > r->prev_walks)
		pt->visits = (double)(r->visited - r->prev_visited) /
			     (double)(r->walks - r->prev_walks);
	r->prev_walks = r->walks;
	r->prev_visited = r->visited;
}

struct walk_count {
	unsigned long visited, mapped;
};

/* The rmap_one of the lab's walks: does a PTE here really map the folio? */
static bool walk_one(struct folio *folio, struct vm_area_struct *vma,
		     unsigned long address, void *arg)
{
	struct walk_count *wc = arg;

	wc->visited++;
	spin_lock(&vma->vm_mm->page_table_lock);
	if (page_vma_mapped(folio, vma, address))
		wc->mapped++;
	spin_unlock(&vma->vm_mm->page_table_lock);
	return true;
}

/** lab_walk_folio() - see lab.h. */
void lab_walk_folio(struct folio *folio, struct lab_result *r)
{
	struct walk_count wc = { 0, 0 };
	struct rmap_walk_control rwc = {
		.arg = &wc,
		.rmap_one = walk_one,
		.anon_lock = folio_lock_anon_vma_read,
	};
	double t0 = lab_now();

	folio_lock(folio);
	rmap_walk(folio, &rwc);
	folio_unlock(folio);
	lab_op_done(r, LAB_OP_WALK, t0);
	r->walks++;
	/*
	 * The walk's own count: every anon_vma_chain it examined, also
	 * those a list walk then finds do not cover the folio's index and
	 * never offers to rmap_one (designs list and single).
	 */
	r->visited += rwc.visited;
	r->offered += wc.visited;
	r->mapped += wc.mapped;
}

/* An open-addressing set of pointers. */
struct lab_ptrset {
	uintptr_t *keys;
	size_t cap, n;
};

/** lab_ptrset_new() - see lab.h. */
struct lab_ptrset *lab_ptrset_new(void)
{
	struct lab_ptrset *s = xrealloc(NULL, sizeof(*s));

	s->cap = 1024;
	s->n = 0;
	s->keys = calloc(s->cap, sizeof(*s->keys));
	if (!s->keys) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	return s;
}

static size_t ptrset_slot(const uintptr_t *keys, size_t cap, uintptr_t k)
{
	size_t i = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);

	while (keys[i] && keys[i] != k)
		i = (i + 1) & (cap - 1);
	return i;
}

/** lab_ptrset_add() - see lab.h. */
bool lab_ptrset_add(struct lab_ptrset *s, const void *p)
{
	uintptr_t k = (uintptr_t)p;
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap * 2, j;
		uintptr_t *keys = calloc(cap, sizeof(*keys));

		if (!keys) {
			fprintf(stderr, "anonvma: out of memory\n");
			exit(2);
		}
		for (j = 0; j < s->cap; j++)
			if (s->keys[j])
				keys[ptrset_slot(keys, cap, s->keys[j])] = s->keys[j];
		free(s->keys);
		s->keys = keys;
		s->cap = cap;
	}
	i = ptrset_slot(s->keys, s->cap, k);
	if (s->keys[i])
		return false;
	s->keys[i] = k;
	s->n++;
	return true;
}

/** lab_ptrset_free() - see lab.h. */
void lab_ptrset_free(struct lab_ptrset *s)
{
	if (!s)
		return;
	free(s->keys);
	free(s);
}

/** lab_walk_pages() - see lab.h. */
void lab_walk_pages(struct mm_struct *mm, unsigned long start,
		    unsigned long npages, unsigned long step,
		    struct lab_ptrset *seen, struct lab_result *r)
{
	unsigned long i;

	if (!step)
		step = 1;
	for (i = 0; i < npages; i += step) {
		struct folio *folio = folio_at(mm, start + i * PAGE_SIZE);

		if (!folio)
			continue;
		if (!seen || lab_ptrset_add(seen, folio))
			lab_walk_folio(folio, r);
		folio_put(folio);
	}
}
