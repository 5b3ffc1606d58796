/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker: its entry point, the indexes it builds, the
 * VMA indexes of the mms ("VMA", "LOCK") and the anon_vma objects
 * themselves (spec §4.1 I1, I8-I10).  The trees and chains (I2-I6,
 * I11-I13) are checked in mm/check_chains.c, the page tables (I7, I14,
 * mapcounts, refcounts, RSS) in mm/check_pages.c.
 *
 * It runs at a quiescent point: no operation in progress, so every
 * transient state that an operation may pass through (an AVC out of its
 * tree inside a pre/post-update window, a reference held by a walker) is
 * a violation here.  The registry lock keeps mms from coming and going
 * while we look; nothing else is locked, and nothing is modified.
 *
 * Each violation is one message that starts with the invariant's name
 * ("I7:", "I10/leak:", "VMA:") and names the objects by their serial
 * numbers, so that a failing scenario step says what broke.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/* ------------------------------------------------------------------ */
/* Helpers shared with check_chains.c and check_pages.c               */

static size_t hash_key(uintptr_t k)
{
	uint64_t x = k;

	/* A 64-bit finaliser: slab objects share their low bits. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		/* The checker is a test tool: running out of memory is fatal. */
		fprintf(stderr, "check_invariants: out of memory\n");
		abort();
	}
	return p;
}

/**
 * check_map_init() - an empty table with room for @expect keys.
 * @m: the table.
 * @expect: how many keys will probably be inserted (it grows anyway).
 */
void check_map_init(struct ptrmap *m, size_t expect)
{
	size_t cap = 16;

	while (cap < expect * 2)
		cap <<= 1;
	m->keys = xcalloc(cap, sizeof(*m->keys));
	m->vals = xcalloc(cap, sizeof(*m->vals));
	m->mask = cap - 1;
	m->n = 0;
}

/**
 * check_map_destroy() - free @m's memory.
 * @m: a table set up by check_map_init(), or all zeroes.
 */
void check_map_destroy(struct ptrmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static void check_map_grow(struct ptrmap *m)
{
	struct ptrmap old = *m;
	size_t i;

	check_map_init(m, (old.mask + 1));
	for (i = 0; i <= old.mask; i++)
		if (old.keys[i])
			check_map_insert(m, old.keys[i], old.vals[i], NULL);
	check_map_destroy(&old);
}

/**
 * check_map_insert() - map @key to @val unless @key is already there.
 * @m: the table.
 * @key: non-zero key.
 * @val: the value to store.
 * @old: if not NULL and the key exists, receives its value.
 *
 * Return: true if inserted, false if @key was already present (the
 * stored value is left alone).
 */
bool check_map_insert(struct ptrmap *m, uintptr_t key, unsigned int val,
		   unsigned int *old)
{
	size_t i;

	if ((m->n + 1) * 2 > m->mask + 1)
		check_map_grow(m);
	for (i = hash_key(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask) {
		if (m->keys[i] == key) {
			if (old)
				*old = m->vals[i];
			return false;
		}
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return true;
}

/**
 * check_map_lookup() - the value stored for @key.
 * @m: the table.
 * @key: non-zero key.
 *
 * Return: the value, or CHECK_NONE when @key is absent.
 */
unsigned int check_map_lookup(const struct ptrmap *m, uintptr_t key)
{
	size_t i;

	if (!m->keys)
		return CHECK_NONE;
	for (i = hash_key(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask)
		if (m->keys[i] == key)
			return m->vals[i];
	return CHECK_NONE;
}

/**
 * check_grow() - make room for one more element in a growing array.
 * @arr: the array (may be NULL).
 * @nr: elements in use.
 * @cap: in/out: allocated elements.
 * @size: size of one element.
 *
 * Return: the (possibly moved) array, with @nr < *@cap.
 */
void *check_grow(void *arr, unsigned int nr, unsigned int *cap, size_t size)
{
	void *p;

	if (nr < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(arr, (size_t)*cap * size);
	if (!p) {
		fprintf(stderr, "check_invariants: out of memory\n");
		abort();
	}
	return p;
}

/**
 * check_fail() - record one violation.
 * @c: the run.
 * @fmt: printf format; the message starts with the invariant's name.
 *
 * Only the first CHECK_MAX_REPORTS messages are kept, but every call
 * counts.
 */
void check_fail(struct check_ctx *c, const char *fmt, ...)
{
	struct check_report *r = c->r;
	va_list ap;

	if (r->count < CHECK_MAX_REPORTS) {
		va_start(ap, fmt);
		vsnprintf(r->msg[r->count], sizeof(r->msg[0]), fmt, ap);
		va_end(ap);
	}
	r->count++;
}

/**
 * check_av_index() - the number of a live anon_vma.
 * @c: the run.
 * @av: any pointer (NULL allowed).
 *
 * Return: its index in c->avs, or CHECK_NONE if @av is not a live
 * object of anon_vma_cachep (freed: a use-after-free if anything still
 * points at it).
 */
unsigned int check_av_index(const struct check_ctx *c,
			    const struct anon_vma *av)
{
	if (!av)
		return CHECK_NONE;
	return check_map_lookup(&c->av_map, (uintptr_t)av);
}

/**
 * check_index_sorted() - whether mm->vmas is in strictly increasing,
 * non-overlapping address order.
 * @mm: a registered mm.
 *
 * Return: true if sorted.
 */
bool check_index_sorted(struct mm_struct *mm)
{
	int i;

	for (i = 0; i < mm->map_count; i++) {
		if (!mm->vmas[i])
			return false;
		if (i && mm->vmas[i - 1] &&
		    mm->vmas[i - 1]->vm_end > mm->vmas[i]->vm_start)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Collection: live anon_vmas                                          */

static void collect_av(void *obj, void *arg)
{
	struct check_ctx *c = arg;
	struct anon_vma *av = obj;
	struct av_info *ai;

	c->avs = check_grow(c->avs, c->nr_avs, &c->cap_avs, sizeof(*c->avs));
	ai = &c->avs[c->nr_avs];
	memset(ai, 0, sizeof(*ai));
	ai->av = av;
	ai->root = READ_ONCE(av->root);
	ai->parent = READ_ONCE(av->parent);
	check_map_insert(&c->av_map, (uintptr_t)av, c->nr_avs, NULL);
	c->nr_avs++;
}

static void collect_anon_vmas(struct check_ctx *c)
{
	struct kmem_cache_stats st = { 0 };
	unsigned int i;

	if (!anon_vma_cachep)
		return;
	kmem_cache_get_stats(anon_vma_cachep, &st);
	check_map_init(&c->av_map, st.live);
	kmem_cache_for_each_live(anon_vma_cachep, collect_av, c);
	for (i = 0; i < c->nr_avs; i++) {
		c->avs[i].root_idx = check_av_index(c, c->avs[i].root);
		c->avs[i].parent_idx = check_av_index(c, c->avs[i].parent);
	}
}

/* ------------------------------------------------------------------ */
/* The VMA indexes ("VMA", "LOCK")                                     */

static void check_one_mm(struct check_ctx *c, struct mm_struct *mm)
{
	unsigned long pages = 0;
	unsigned int other;
	int i;

	/* No operation in progress: nobody may hold these (spec §1.7). */
	if (rwsem_is_locked(&mm->mmap_lock))
		check_fail(c, "LOCK: mm#%lu mmap_lock is held at a quiescent point",
			   mm->serial);
	if (READ_ONCE(mm->page_table_lock.locked))
		check_fail(c, "LOCK: mm#%lu page_table_lock is held at a quiescent point",
			   mm->serial);

	if (!check_index_usable(mm)) {
		check_fail(c, "VMA: mm#%lu map_count %d does not fit its index (capacity %u)",
			   mm->serial, mm->map_count, mm->vmas_cap);
		return;
	}

	for (i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *v = mm->vmas[i];
		struct vm_area_struct *prev = i ? mm->vmas[i - 1] : NULL;

		if (!v) {
			check_fail(c, "VMA: mm#%lu index slot %d of %d is empty",
				   mm->serial, i, mm->map_count);
			continue;
		}
		if (v->vm_start >= v->vm_end)
			check_fail(c, "VMA: " VMA_FMT " is empty or inverted",
				   VMA_ARGS(mm, v));
		if (!PAGE_ALIGNED(v->vm_start) || !PAGE_ALIGNED(v->vm_end))
			check_fail(c, "VMA: " VMA_FMT " is not page aligned",
				   VMA_ARGS(mm, v));
		if (v->vm_mm != mm)
			check_fail(c, "VMA: " VMA_FMT " has vm_mm of another mm",
				   VMA_ARGS(mm, v));
		if (v->detached)
			check_fail(c, "VMA: " VMA_FMT " is in the index but marked detached",
				   VMA_ARGS(mm, v));
		if ((v->vm_flags & VM_SHARED) && !v->vm_file)
			check_fail(c, "VMA: " VMA_FMT " is VM_SHARED without a file",
				   VMA_ARGS(mm, v));
		if (prev && prev->vm_end > v->vm_start)
			check_fail(c, "VMA: " VMA_FMT " overlaps or precedes the previous VMA 0x%lx-0x%lx",
				   VMA_ARGS(mm, v), prev->vm_start, prev->vm_end);
		if (v->vm_end > v->vm_start)
			pages += vma_pages(v);

		if (!check_map_insert(&c->vma_map, (uintptr_t)v, c->nr_vmas,
				   &other)) {
			check_fail(c, "VMA: " VMA_FMT " is in the index twice (first in mm#%lu)",
				   VMA_ARGS(mm, v), c->vmas[other].mm->serial);
			continue;
		}
		c->vmas = check_grow(c->vmas, c->nr_vmas, &c->cap_vmas,
				     sizeof(*c->vmas));
		c->vmas[c->nr_vmas].vma = v;
		c->vmas[c->nr_vmas].mm = mm;
		c->nr_vmas++;
	}
	if (pages != mm->total_vm)
		check_fail(c, "VMA: mm#%lu total_vm is %lu but its VMAs span %lu pages",
			   mm->serial, mm->total_vm, pages);
}

/* ------------------------------------------------------------------ */
/* The anon_vmas themselves (I1, I8, I9, I10, LOCK)                     */

static void count_relatives(struct check_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_avs; i++) {
		struct av_info *ai = &c->avs[i];
		bool is_root = ai->root == ai->av;

		/* I8: a root counts itself; a child counts in its parent. */
		if (ai->nodes) {
			if (is_root)
				ai->children++;
			if (ai->parent != ai->av && ai->parent_idx != CHECK_NONE)
				c->avs[ai->parent_idx].children++;
		}
		/* I10: each live non-root pins its root. */
		if (!is_root && ai->root_idx != CHECK_NONE)
			c->avs[ai->root_idx].descendants++;
	}
}

static void check_one_av(struct check_ctx *c, struct av_info *ai)
{
	struct anon_vma *av = ai->av;
	bool is_root = ai->root == av;
	unsigned long nc = READ_ONCE(av->num_children);
	unsigned long na = READ_ONCE(av->num_active_vmas);
	int ref = __atomic_load_n(&av->refcount, __ATOMIC_RELAXED);
	unsigned long expect;

	if (rwsem_is_locked(&av->rwsem))
		check_fail(c, "LOCK: av#%u rwsem is held at a quiescent point",
			   av->serial);

	/* I1 */
	if (ai->root_idx == CHECK_NONE)
		check_fail(c, "I10: av#%u root is not a live anon_vma (freed before its child)",
			   av->serial);
	else if (c->avs[ai->root_idx].root != ai->root)
		check_fail(c, "I1: av#%u root av#%u is not its own root",
			   av->serial, ai->root->serial);
	if (is_root != (ai->parent == av))
		check_fail(c, "I1: av#%u is %s but its parent is %s",
			   av->serial, is_root ? "a root" : "not a root",
			   ai->parent == av ? "itself" : "another anon_vma");

	/*
	 * I9 for empty trees, I8 otherwise: with an empty tree the I8
	 * counts can only differ if I2/I4/I5 are broken too, and I9 names
	 * the actual symptom (unlink_anon_vmas warns on exactly this).
	 */
	if (!ai->nodes) {
		if (na || nc)
			check_fail(c, "I9: av#%u has an empty tree but num_active_vmas %lu num_children %lu",
				   av->serial, na, nc);
	} else {
		if (na != ai->active)
			check_fail(c, "I8: av#%u num_active_vmas is %lu but %lu VMAs use it",
				   av->serial, na, ai->active);
		if (nc != ai->children)
			check_fail(c, "I8: av#%u num_children is %lu but should be %lu",
				   av->serial, nc, ai->children);
	}

	/*
	 * I10.  At a quiescent point no transient reference exists, so the
	 * count is exact: the base reference while the tree is non-empty,
	 * plus one per live descendant for a root (spec §1.6).  An object
	 * that would need no reference at all should have been freed.
	 */
	expect = (ai->nodes ? 1 : 0) + (is_root ? ai->descendants : 0);
	if (!expect)
		check_fail(c, "I10/leak: av#%u is live with an empty tree and no children (refcount %d)",
			   av->serial, ref);
	else if (ref < 0 || (unsigned long)ref != expect)
		check_fail(c, "I10: av#%u refcount is %d but should be %lu (tree %s, %lu live descendants)",
			   av->serial, ref, expect,
			   ai->nodes ? "non-empty" : "empty", ai->descendants);
	/*
	 * I15 (an unlinked anon_vma is never linked again) is a property of
	 * operation sequences.  Its observable part at a quiescent point is
	 * that no anon_vma with an empty tree is on any chain, which the I5
	 * checks already cover: a chain entry must sit in its tree.
	 */
}

/* ------------------------------------------------------------------ */

static void ctx_destroy(struct check_ctx *c)
{
	check_pages_destroy(c);
	check_map_destroy(&c->av_map);
	check_map_destroy(&c->vma_map);
	check_map_destroy(&c->avc_map);
	free(c->avs);
	free(c->vmas);
	free(c->avcs);
}

/**
 * check_invariants() - check every invariant of spec §4.1 on the whole
 * model.
 * @r: receives the violations (may be NULL to only count them).
 *
 * Call at a quiescent point: no operation in progress in any thread.
 * Takes the mm registry lock while it looks; reads everything, changes
 * nothing.
 *
 * Return: the number of violations (r->count).
 */
int check_invariants(struct check_report *r)
{
	struct check_report local;
	struct check_ctx c;
	struct mm_struct *mm;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.r = r ? r : &local;
	c.r->count = 0;

	mm_registry_lock();
	collect_anon_vmas(&c);
	check_map_init(&c.vma_map, 64);
	for_each_mm(mm)
		check_one_mm(&c, mm);
	check_trees(&c);
	check_chains(&c);
	count_relatives(&c);
	for (i = 0; i < c.nr_avs; i++)
		check_one_av(&c, &c.avs[i]);
	check_pages(&c);
	mm_registry_unlock();

	/* Swap slot counts take the swap device's lock: not under ours. */
	check_swap_slots(&c);
	ctx_destroy(&c);
	return c.r->count;
}

/**
 * check_report_print() - print the stored violations of @r.
 * @r: a report filled by check_invariants().
 * @prefix: printed before each line (e.g. "  step 3: ").
 * @out: where to print.
 */
void check_report_print(const struct check_report *r, const char *prefix,
			FILE *out)
{
	int i, n = r->count < CHECK_MAX_REPORTS ? r->count : CHECK_MAX_REPORTS;

	if (!prefix)
		prefix = "";
	for (i = 0; i < n; i++)
		fprintf(out, "%s%s\n", prefix, r->msg[i]);
	if (r->count > n)
		fprintf(out, "%s... and %d more violations\n", prefix,
			r->count - n);
}
