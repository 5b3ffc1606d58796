/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the runtime under the model: mm/slab.c (counts by site,
 * failure hook, SLAB_TYPESAFE_BY_RCU reuse and constructor rules, live
 * enumeration), mm/page_alloc.c (folio references and freeing),
 * mm/system.c (init/exit, leaks, design names, mm registry) and
 * mm/debug.c (WARN counting).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tobj {
	int ctor_mark;
	int payload;
};

#define CTOR_MARK 0x5a5a

static int ctor_calls;

static void tobj_ctor(void *p)
{
	struct tobj *o = p;

	__atomic_add_fetch(&ctor_calls, 1, __ATOMIC_RELAXED);
	o->ctor_mark = CTOR_MARK;
}

static int setup(void **state)
{
	ctor_calls = 0;
	slab_set_fail_hook(NULL, NULL);
	return anonvma_init(DESIGN_MAINLINE) ? -1 : 0;
}

static int teardown(void **state)
{
	slab_set_fail_hook(NULL, NULL);
	return anonvma_exit(stderr) ? -1 : 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* ---- statistics -------------------------------------------------------- */

static void test_site_names(void **state)
{
	static const char *const want[NR_ALLOC_SITES] = {
		"prepare", "clone", "fork", "put", "unlink", "cleanup", "vma",
		"fault", "swap", "migrate", "pgtable", "mm", "other",
	};
	int i;

	for (i = 0; i < NR_ALLOC_SITES; i++)
		assert_string_equal(alloc_site_name(i), want[i]);
	assert_string_equal(alloc_site_name(NR_ALLOC_SITES), "?");
}

static void check_counts_by_site(unsigned int flags)
{
	struct kmem_cache *c = kmem_cache_create("test", sizeof(struct tobj),
						 flags, NULL);
	struct kmem_cache_stats st;
	void *o[5];
	int i;

	assert_non_null(c);
	assert_string_equal(kmem_cache_name(c), "test");
	assert_int_equal(kmem_cache_size(c), sizeof(struct tobj));
	for (i = 0; i < 3; i++)
		o[i] = kmem_cache_alloc(c, SITE_PREPARE);
	for (; i < 5; i++)
		o[i] = kmem_cache_alloc(c, SITE_FORK);
	for (i = 0; i < 5; i++)
		assert_non_null(o[i]);
	kmem_cache_free(c, o[1], SITE_PUT);
	kmem_cache_free(c, o[3], SITE_UNLINK);
	kmem_cache_free(c, o[4], SITE_UNLINK);

	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 2);
	assert_int_equal(st.peak, 5);
	assert_int_equal(st.failed, 0);
	for (i = 0; i < NR_ALLOC_SITES; i++) {
		unsigned long a = i == SITE_PREPARE ? 3 : i == SITE_FORK ? 2 : 0;
		unsigned long f = i == SITE_PUT ? 1 : i == SITE_UNLINK ? 2 : 0;

		assert_int_equal(st.allocs[i], a);
		assert_int_equal(st.frees[i], f);
	}

	/* Reset keeps the live count, restarts the peak there. */
	kmem_cache_reset_stats(c);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 2);
	assert_int_equal(st.peak, 2);
	for (i = 0; i < NR_ALLOC_SITES; i++) {
		assert_int_equal(st.allocs[i], 0);
		assert_int_equal(st.frees[i], 0);
	}
	o[1] = kmem_cache_alloc(c, SITE_CLONE);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 3);
	assert_int_equal(st.peak, 3);
	assert_int_equal(st.allocs[SITE_CLONE], 1);

	kmem_cache_free(c, o[0], SITE_OTHER);
	kmem_cache_free(c, o[1], SITE_OTHER);
	kmem_cache_free(c, o[2], SITE_OTHER);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.peak, 3);
	assert_int_equal(st.frees[SITE_OTHER], 3);
	kmem_cache_destroy(c);
}

static void test_counts_by_site(void **state)
{
	check_counts_by_site(0);
}

static void test_counts_by_site_typesafe(void **state)
{
	check_counts_by_site(SLAB_TYPESAFE_BY_RCU);
}

/* ---- failure hook -------------------------------------------------------- */

struct fail_ctl {
	int calls;
	int fail_at;
	const struct kmem_cache *seen_cache;
	enum alloc_site seen_site;
};

static bool fail_nth(const struct kmem_cache *c, enum alloc_site site,
		     void *arg)
{
	struct fail_ctl *f = arg;

	f->seen_cache = c;
	f->seen_site = site;
	return ++f->calls == f->fail_at;
}

static void check_fail_third(unsigned int flags)
{
	struct kmem_cache *c = kmem_cache_create("failing", sizeof(struct tobj),
						 flags, tobj_ctor);
	struct fail_ctl f = { .fail_at = 3 };
	struct kmem_cache_stats st;
	void *o[5];
	int i;

	slab_set_fail_hook(fail_nth, &f);
	for (i = 0; i < 5; i++) {
		o[i] = kmem_cache_alloc(c, SITE_CLONE);
		assert_ptr_equal(f.seen_cache, c);
		assert_int_equal(f.seen_site, SITE_CLONE);
	}
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(f.calls, 5);
	assert_non_null(o[0]);
	assert_non_null(o[1]);
	assert_null(o[2]);
	assert_non_null(o[3]);
	assert_non_null(o[4]);

	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.allocs[SITE_CLONE], 4);
	assert_int_equal(st.live, 4);
	assert_int_equal(st.peak, 4);

	/* With the hook gone nothing is asked and nothing fails. */
	o[2] = kmem_cache_alloc(c, SITE_CLONE);
	assert_non_null(o[2]);
	assert_int_equal(f.calls, 5);
	for (i = 0; i < 5; i++)
		kmem_cache_free(c, o[i], SITE_PUT);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.failed, 1);
	kmem_cache_destroy(c);
}

static void test_fail_hook_third_only(void **state)
{
	check_fail_third(0);
	/* A refused allocation runs no constructor: 5 allocations, 5 ctors. */
	assert_int_equal(ctor_calls, 5);
}

static void test_fail_hook_third_only_typesafe(void **state)
{
	check_fail_third(SLAB_TYPESAFE_BY_RCU);
	/* One slab of 64 objects, each constructed once. */
	assert_int_equal(ctor_calls, 64);
}

static void test_fail_hook_first_typesafe_no_slab(void **state)
{
	struct kmem_cache *c = kmem_cache_create("f", sizeof(struct tobj),
						 SLAB_TYPESAFE_BY_RCU, tobj_ctor);
	struct fail_ctl f = { .fail_at = 1 };

	slab_set_fail_hook(fail_nth, &f);
	assert_null(kmem_cache_alloc(c, SITE_PREPARE));
	slab_set_fail_hook(NULL, NULL);
	/* Refused before any slab was set up. */
	assert_int_equal(ctor_calls, 0);
	kmem_cache_destroy(c);
}

/* ---- SLAB_TYPESAFE_BY_RCU ------------------------------------------------ */

static void test_typesafe_reuse_ctor_once(void **state)
{
	struct kmem_cache *c = kmem_cache_create("ts", sizeof(struct tobj),
						 SLAB_TYPESAFE_BY_RCU, tobj_ctor);
	struct tobj *a, *b, *more[64];
	int i;

	a = kmem_cache_alloc(c, SITE_PREPARE);
	assert_non_null(a);
	assert_int_equal(ctor_calls, 64);
	assert_int_equal(a->ctor_mark, CTOR_MARK);
	a->payload = 1234;
	kmem_cache_free(c, a, SITE_PUT);
	/* Freed memory stays an object: still readable, still constructed. */
	assert_int_equal(a->ctor_mark, CTOR_MARK);
	assert_int_equal(a->payload, 1234);

	b = kmem_cache_alloc(c, SITE_PREPARE);
	assert_ptr_equal(b, a);
	/* Not reconstructed, not cleared: as its last user left it. */
	assert_int_equal(b->payload, 1234);
	assert_int_equal(ctor_calls, 64);

	/* 63 more fill the first slab; the next one needs a second slab. */
	for (i = 0; i < 63; i++) {
		more[i] = kmem_cache_alloc(c, SITE_FORK);
		assert_non_null(more[i]);
		assert_ptr_not_equal(more[i], b);
	}
	assert_int_equal(ctor_calls, 64);
	more[63] = kmem_cache_alloc(c, SITE_FORK);
	assert_non_null(more[63]);
	assert_int_equal(ctor_calls, 128);

	/* Last in, first out. */
	kmem_cache_free(c, more[10], SITE_PUT);
	kmem_cache_free(c, more[20], SITE_PUT);
	assert_ptr_equal(kmem_cache_alloc(c, SITE_FORK), more[20]);
	assert_ptr_equal(kmem_cache_alloc(c, SITE_FORK), more[10]);
	assert_int_equal(ctor_calls, 128);

	for (i = 0; i < 64; i++)
		kmem_cache_free(c, more[i], SITE_PUT);
	kmem_cache_free(c, b, SITE_PUT);
	kmem_cache_destroy(c);
}

/* Many slabs, all objects free at once, then all reused: no new slab. */
static void test_typesafe_many_slabs(void **state)
{
	struct kmem_cache *c = kmem_cache_create("many", sizeof(struct tobj),
						 SLAB_TYPESAFE_BY_RCU, tobj_ctor);
	static void *objs[1000], *again[1000];
	struct kmem_cache_stats st;
	int i;

	for (i = 0; i < 1000; i++)
		objs[i] = kmem_cache_alloc(c, SITE_FORK);
	assert_int_equal(ctor_calls, 1024);	/* 16 slabs of 64 */
	for (i = 0; i < 1000; i++)
		kmem_cache_free(c, objs[i], SITE_PUT);
	for (i = 0; i < 1000; i++)
		again[i] = kmem_cache_alloc(c, SITE_FORK);
	assert_int_equal(ctor_calls, 1024);
	qsort(objs, 1000, sizeof(void *), cmp_ptr);
	qsort(again, 1000, sizeof(void *), cmp_ptr);
	for (i = 0; i < 1000; i++)
		assert_ptr_equal(again[i], objs[i]);
	for (i = 0; i < 1000; i++)
		kmem_cache_free(c, again[i], SITE_PUT);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.peak, 1000);
	assert_int_equal(st.allocs[SITE_FORK], 2000);
	assert_int_equal(st.frees[SITE_PUT], 2000);
	kmem_cache_destroy(c);
}

static void test_typesafe_double_free_warns(void **state)
{
	struct kmem_cache *c = kmem_cache_create("ts", sizeof(struct tobj),
						 SLAB_TYPESAFE_BY_RCU, NULL);
	struct kmem_cache_stats st;
	unsigned long warns = vm_warn_count();
	void *a = kmem_cache_alloc(c, SITE_PREPARE);

	kmem_cache_free(c, a, SITE_PUT);
	kmem_cache_free(c, a, SITE_PUT);
	assert_int_equal(vm_warn_count(), warns + 1);
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.frees[SITE_PUT], 1);
	/* The free list was not corrupted: one object, handed out once. */
	assert_ptr_equal(kmem_cache_alloc(c, SITE_PREPARE), a);
	assert_ptr_not_equal(kmem_cache_alloc(c, SITE_PREPARE), a);
	kmem_cache_destroy(c);
}

static void test_plain_ctor_every_alloc(void **state)
{
	struct kmem_cache *c = kmem_cache_create("plain", sizeof(struct tobj),
						 0, tobj_ctor);
	struct tobj *a, *b;

	a = kmem_cache_alloc(c, SITE_VMA);
	assert_int_equal(ctor_calls, 1);
	assert_int_equal(a->ctor_mark, CTOR_MARK);
	assert_int_equal(a->payload, 0);	/* zeroed before the ctor */
	a->payload = 77;
	kmem_cache_free(c, a, SITE_VMA);
	b = kmem_cache_alloc(c, SITE_VMA);
	assert_int_equal(ctor_calls, 2);
	assert_int_equal(b->payload, 0);
	kmem_cache_free(c, b, SITE_VMA);
	kmem_cache_destroy(c);
}

/* ---- live enumeration ----------------------------------------------------- */

#define NR_OBJS 150

struct collect {
	void *objs[NR_OBJS];
	int n;
};

static void collect_one(void *obj, void *arg)
{
	struct collect *col = arg;

	assert_true(col->n < NR_OBJS);
	col->objs[col->n++] = obj;
}

static void check_for_each_live(unsigned int flags)
{
	struct kmem_cache *c = kmem_cache_create("live", sizeof(struct tobj),
						 flags, NULL);
	static void *objs[NR_OBJS], *want[NR_OBJS];
	static struct collect col;
	int i, n = 0;

	col.n = 0;
	kmem_cache_for_each_live(c, collect_one, &col);
	assert_int_equal(col.n, 0);

	for (i = 0; i < NR_OBJS; i++)
		objs[i] = kmem_cache_alloc(c, SITE_OTHER);
	for (i = 0; i < NR_OBJS; i++) {
		if (i % 3 == 0)
			kmem_cache_free(c, objs[i], SITE_OTHER);
		else
			want[n++] = objs[i];
	}
	col.n = 0;
	kmem_cache_for_each_live(c, collect_one, &col);
	assert_int_equal(col.n, n);
	assert_int_equal(n, NR_OBJS - (NR_OBJS + 2) / 3);
	qsort(want, n, sizeof(void *), cmp_ptr);
	qsort(col.objs, n, sizeof(void *), cmp_ptr);
	for (i = 0; i < n; i++)
		assert_ptr_equal(col.objs[i], want[i]);

	for (i = 0; i < NR_OBJS; i++)
		if (i % 3)
			kmem_cache_free(c, objs[i], SITE_OTHER);
	col.n = 0;
	kmem_cache_for_each_live(c, collect_one, &col);
	assert_int_equal(col.n, 0);
	kmem_cache_destroy(c);
}

static void test_for_each_live_typesafe(void **state)
{
	check_for_each_live(SLAB_TYPESAFE_BY_RCU);
}

static void test_for_each_live_plain(void **state)
{
	check_for_each_live(0);
}

/* ---- threads --------------------------------------------------------------- */

#define NR_THREADS 4
#define ROUNDS 5000
#define BATCH 8

struct slab_thread_arg {
	struct kmem_cache *c;
	int id;
	int bad;
};

static void *slab_thread(void *p)
{
	struct slab_thread_arg *a = p;
	struct tobj *o[BATCH];
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < BATCH; i++) {
			o[i] = kmem_cache_alloc(a->c, SITE_FORK);
			if (!o[i] || o[i]->ctor_mark != CTOR_MARK) {
				a->bad++;
				return NULL;
			}
			o[i]->payload = a->id * BATCH + i;
		}
		for (i = 0; i < BATCH; i++) {
			/* Nobody else was handed this object meanwhile. */
			if (o[i]->payload != a->id * BATCH + i)
				a->bad++;
			kmem_cache_free(a->c, o[i], SITE_PUT);
		}
	}
	if (locks_held_count())
		a->bad++;
	return NULL;
}

static void check_threads(unsigned int flags)
{
	struct kmem_cache *c = kmem_cache_create("mt", sizeof(struct tobj),
						 flags, tobj_ctor);
	struct slab_thread_arg a[NR_THREADS];
	struct kmem_cache_stats st;
	pthread_t t[NR_THREADS];
	int i;

	/*
	 * Set up the first slab before the threads start, so that two of
	 * them cannot both find the cache empty and grow it at once.
	 */
	kmem_cache_free(c, kmem_cache_alloc(c, SITE_FORK), SITE_PUT);
	kmem_cache_reset_stats(c);
	for (i = 0; i < NR_THREADS; i++) {
		a[i] = (struct slab_thread_arg){ .c = c, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, slab_thread, &a[i]), 0);
	}
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(a[i].bad, 0);
	}
	kmem_cache_get_stats(c, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.allocs[SITE_FORK], NR_THREADS * ROUNDS * BATCH);
	assert_int_equal(st.frees[SITE_PUT], NR_THREADS * ROUNDS * BATCH);
	assert_true(st.peak >= BATCH && st.peak <= NR_THREADS * BATCH);
	kmem_cache_destroy(c);
}

static void test_threads_typesafe(void **state)
{
	check_threads(SLAB_TYPESAFE_BY_RCU);
	/* At most NR_THREADS * BATCH objects were ever live: one slab. */
	assert_int_equal(ctor_calls, 64);
}

static void test_threads_plain(void **state)
{
	check_threads(0);
	assert_int_equal(ctor_calls, NR_THREADS * ROUNDS * BATCH + 1);
}

/* ---- folios ------------------------------------------------------------------ */

static void test_folio_alloc_put(void **state)
{
	struct kmem_cache_stats st;
	struct folio *a, *b;

	a = folio_alloc(SITE_FAULT);
	b = folio_alloc(SITE_FAULT);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->flags, 0);
	assert_int_equal(a->mapping, 0);
	assert_int_equal(a->index, 0);
	assert_int_equal(a->_mapcount, -1);
	assert_int_equal(folio_mapcount(a), 0);
	assert_false(folio_mapped(a));
	assert_int_equal(folio_ref_count(a), 1);
	assert_int_equal(a->private, 0);
	assert_int_equal(a->data, 0);
	assert_int_equal(b->serial, a->serial + 1);

	folio_get(a);
	assert_int_equal(folio_ref_count(a), 2);
	assert_true(folio_try_get(a));
	assert_int_equal(folio_ref_count(a), 3);
	folio_put(a);
	folio_put(a);
	assert_int_equal(folio_ref_count(a), 1);
	kmem_cache_get_stats(folio_cachep, &st);
	assert_int_equal(st.live, 2);
	assert_int_equal(st.allocs[SITE_FAULT], 2);

	folio_put(a);	/* the last reference: freed */
	kmem_cache_get_stats(folio_cachep, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.frees[SITE_OTHER], 1);
	folio_put(b);
	kmem_cache_get_stats(folio_cachep, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.frees[SITE_OTHER], 2);
	assert_int_equal(st.peak, 2);
}

static void test_folio_try_get_zero(void **state)
{
	struct folio dying;

	memset(&dying, 0, sizeof(dying));
	dying._mapcount = -1;
	dying._refcount = 0;
	assert_false(folio_try_get(&dying));
	assert_int_equal(dying._refcount, 0);
}

static void test_zero_folio(void **state)
{
	unsigned long warns = vm_warn_count();
	int i;

	assert_int_equal(folio_ref_count(&zero_folio), 1);
	assert_false(folio_mapped(&zero_folio));
	for (i = 0; i < 3; i++)
		folio_put(&zero_folio);
	folio_get(&zero_folio);
	assert_true(folio_try_get(&zero_folio));
	assert_int_equal(folio_ref_count(&zero_folio), 1);
	assert_int_equal(vm_warn_count(), warns);
}

static void test_folio_free_mapped_warns(void **state)
{
	unsigned long warns = vm_warn_count();
	struct kmem_cache_stats st;
	struct folio *f = folio_alloc(SITE_SWAP);

	f->_mapcount = 0;	/* still mapped by one PTE */
	folio_put(f);
	assert_int_equal(vm_warn_count(), warns + 1);
	kmem_cache_get_stats(folio_cachep, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.allocs[SITE_SWAP], 1);

	f = folio_alloc(SITE_SWAP);
	folio_set_flag(f, PG_swapcache);
	folio_put(f);
	assert_int_equal(vm_warn_count(), warns + 2);
}

static void test_folio_alloc_fails(void **state)
{
	struct fail_ctl f = { .fail_at = 1 };
	struct kmem_cache_stats st;

	slab_set_fail_hook(fail_nth, &f);
	assert_null(folio_alloc(SITE_FAULT));
	slab_set_fail_hook(NULL, NULL);
	assert_ptr_equal(f.seen_cache, folio_cachep);
	assert_int_equal(f.seen_site, SITE_FAULT);
	kmem_cache_get_stats(folio_cachep, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.allocs[SITE_FAULT], 0);
}

static void test_folio_lock_bits(void **state)
{
	struct folio *f = folio_alloc(SITE_FAULT);

	folio_set_flag(f, PG_dirty);
	assert_false(folio_test_locked(f));
	folio_lock(f);
	assert_true(folio_test_locked(f));
	assert_false(folio_trylock(f));
	assert_int_equal(locks_held_count(), 1);
	folio_unlock(f);
	assert_false(folio_test_locked(f));
	assert_true(folio_trylock(f));
	folio_unlock(f);
	assert_int_equal(f->flags, 1UL << PG_dirty);
	assert_int_equal(locks_held_count(), 0);
	folio_put(f);
}

/* ---- the system -------------------------------------------------------------- */

static void test_design_names(void **state)
{
	assert_string_equal(design_name(DESIGN_MAINLINE), "mainline");
	assert_string_equal(design_name(DESIGN_V6_18), "v6.18");
	assert_string_equal(design_name(NR_DESIGNS), "?");
	assert_int_equal(design_parse("mainline"), DESIGN_MAINLINE);
	assert_int_equal(design_parse("v6.18"), DESIGN_V6_18);
	assert_int_equal(design_parse("v6.19"), -1);
	assert_int_equal(design_parse(""), -1);
	assert_int_equal(design_parse(NULL), -1);
}

static void test_init_caches(void **state)
{
	struct anon_vma *av, *again;

	assert_int_equal(anonvma_design, DESIGN_MAINLINE);
	assert_int_equal(anonvma_init(DESIGN_MAINLINE), -EBUSY);
	assert_string_equal(kmem_cache_name(anon_vma_cachep), "anon_vma");
	assert_string_equal(kmem_cache_name(anon_vma_chain_cachep), "anon_vma_chain");
	assert_string_equal(kmem_cache_name(vm_area_cachep), "vm_area_struct");
	assert_string_equal(kmem_cache_name(folio_cachep), "folio");
	assert_string_equal(kmem_cache_name(pgtable_cachep), "pgtable");
	assert_string_equal(kmem_cache_name(mm_cachep), "mm_struct");
	assert_int_equal(kmem_cache_size(anon_vma_cachep), sizeof(struct anon_vma));
	assert_int_equal(kmem_cache_size(pgtable_cachep), sizeof(struct pgtable_page));
	assert_true(sizeof(struct anon_vma) <= 96);

	/* The constructor's state: unlocked rwsem, refcount 0, empty tree. */
	av = kmem_cache_alloc(anon_vma_cachep, SITE_PREPARE);
	assert_non_null(av);
	assert_int_equal(av->refcount, 0);
	assert_false(rwsem_is_locked(&av->rwsem));
	assert_int_equal(av->rwsem.lock_class, LOCK_CLASS_ANON_VMA);
	assert_true(RB_EMPTY_ROOT(&av->rb_root.rb_root));
	assert_null(av->rb_root.rb_leftmost);
	down_write(&av->rwsem);
	up_write(&av->rwsem);
	kmem_cache_free(anon_vma_cachep, av, SITE_PUT);
	/* A freed anon_vma can still be trylocked, as a lockless reader does. */
	assert_true(down_read_trylock(&av->rwsem));
	up_read(&av->rwsem);
	again = kmem_cache_alloc(anon_vma_cachep, SITE_PREPARE);
	assert_ptr_equal(again, av);
	kmem_cache_free(anon_vma_cachep, again, SITE_PUT);
}

static void test_init_v618(void **state)
{
	assert_int_equal(anonvma_exit(NULL), 0);
	assert_int_equal(anonvma_init(NR_DESIGNS), -EINVAL);
	assert_int_equal(anonvma_init(DESIGN_V6_18), 0);
	assert_int_equal(anonvma_design, DESIGN_V6_18);
	assert_int_equal(anonvma_exit(NULL), 0);
	assert_int_equal(anonvma_init(DESIGN_MAINLINE), 0);
	assert_int_equal(anonvma_design, DESIGN_MAINLINE);
}

static void test_exit_reports_leaks(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_non_null(kmem_cache_alloc(anon_vma_cachep, SITE_PREPARE));
	assert_non_null(kmem_cache_alloc(anon_vma_cachep, SITE_FORK));
	assert_non_null(kmem_cache_alloc(anon_vma_chain_cachep, SITE_CLONE));
	assert_non_null(folio_alloc(SITE_FAULT));

	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(anonvma_exit(out), 4);
	fclose(out);
	assert_string_equal(text, "leak: anon_vma 2\n"
				  "leak: anon_vma_chain 1\n"
				  "leak: folio 1\n");
	free(text);
	assert_null(anon_vma_cachep);
	assert_null(folio_cachep);

	/* A fresh system starts clean. */
	assert_int_equal(anonvma_init(DESIGN_MAINLINE), 0);
	text = NULL;
	out = open_memstream(&text, &len);
	assert_int_equal(anonvma_exit(out), 0);
	fclose(out);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(anonvma_init(DESIGN_MAINLINE), 0);
}

static void test_mm_registry(void **state)
{
	struct mm_struct m1, m2, m3, *mm;
	struct mm_struct *seen[4];
	int n = 0;

	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	memset(&m3, 0, sizeof(m3));
	assert_true(list_empty(&mm_registry));
	mm_registry_add(&m1);
	mm_registry_add(&m2);
	mm_registry_add(&m3);
	mm_registry_del(&m2);

	mm_registry_lock();
	assert_int_equal(locks_held_count(), 1);
	for_each_mm(mm) {
		assert_true(n < 4);
		seen[n++] = mm;
	}
	mm_registry_unlock();
	assert_int_equal(n, 2);
	assert_ptr_equal(seen[0], &m1);
	assert_ptr_equal(seen[1], &m3);

	mm_registry_del(&m1);
	mm_registry_del(&m3);
	assert_true(list_empty(&mm_registry));
	assert_int_equal(locks_held_count(), 0);
}

/* ---- WARN_ON ------------------------------------------------------------------- */

static void test_warn_counting(void **state)
{
	unsigned long warns = vm_warn_count();
	int x = 1;

	assert_false(WARN_ON(x == 2));
	assert_int_equal(vm_warn_count(), warns);
	assert_true(WARN_ON(x == 1));
	assert_int_equal(vm_warn_count(), warns + 1);
	assert_true(__warn_on(true, "again", __FILE__, __LINE__));
	assert_int_equal(vm_warn_count(), warns + 2);
	VM_BUG_ON(x == 2);	/* false: returns */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_site_names),
		cmocka_unit_test(test_design_names),
		cmocka_unit_test_setup_teardown(test_counts_by_site, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_by_site_typesafe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_hook_third_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_hook_third_only_typesafe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_hook_first_typesafe_no_slab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typesafe_reuse_ctor_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typesafe_many_slabs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typesafe_double_free_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_ctor_every_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_for_each_live_typesafe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_for_each_live_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_typesafe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_alloc_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_try_get_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_folio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_free_mapped_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_alloc_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folio_lock_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_caches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_v618, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_reports_leaks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_registry, setup, teardown),
		cmocka_unit_test(test_warn_counting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
