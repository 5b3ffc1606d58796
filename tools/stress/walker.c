/* SPDX-License-Identifier: MIT */
/*
 * Walker threads: the reverse map's users, racing the operators.
 *
 * A walker picks a random live process, looks up the folio mapped at a
 * random page of its window (folio_at(): a reference, taken under the
 * mmap read lock and the page-table lock) and lets go of the process.
 * From then on it holds only the folio reference, as reclaim and
 * migration do in the kernel: the folio may be unmapped, its VMAs
 * split, merged, moved or freed, its anon_vma freed and its slab memory
 * reused by another anon_vma while the walker looks for it.  What it
 * does with the folio:
 *
 * - folio_referenced(): a walk under folio_lock_anon_vma_read();
 * - reclaim_folio(), dropping or keeping the swap cache: try_to_unmap;
 * - migrate_folio_to_new(): two walks around a folio_get_anon_vma() pin;
 * - a plain rmap_walk() that counts the VMAs it visits and the ones that
 *   really map the folio, and checks each visited VMA against the spec:
 *   a VMA in the tree of the folio's anon_vma belongs to the same
 *   hierarchy (I7 seen from the walk, spec §2.9).
 */
#include "stress.h"

/* Pages a walker looks at, from a random one on, to find a folio. */
#define WALK_TRIES 16

struct walk_count {
	struct thread_info *ti;
	struct anon_vma *av;	/* the folio's, stable under the folio lock */
	unsigned long visited, mapped;
};

static bool count_one(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, void *arg)
{
	struct walk_count *wc = arg;
	struct anon_vma *vav = READ_ONCE(vma->anon_vma);
	struct mm_struct *mm = vma->vm_mm;

	wc->visited++;
	/*
	 * The walk holds the root's read lock: a VMA linked into the tree
	 * has its anon_vma set (or is a fork child still being set up)
	 * and shares the root.
	 */
	if (vav && READ_ONCE(vav->root) != READ_ONCE(wc->av->root))
		stress_fail("%s: rmap walk of folio #%lu reached mm#%lu VMA [0x%lx, 0x%lx) of another anon_vma hierarchy",
			    wc->ti->name, folio->serial, mm->serial,
			    vma->vm_start, vma->vm_end);
	spin_lock(&mm->page_table_lock);
	if (page_vma_mapped(folio, vma, address))
		wc->mapped++;
	spin_unlock(&mm->page_table_lock);
	return true;
}

/* A plain walk, the shape of every rmap user (spec §2.9). */
static void plain_walk(struct thread_info *ti, struct folio *folio)
{
	struct walk_count wc = { .ti = ti };
	struct rmap_walk_control rwc = {
		.arg = &wc,
		.rmap_one = count_one,
		.anon_lock = folio_lock_anon_vma_read,
	};

	folio_lock(folio);
	wc.av = folio_anon_vma(folio);
	if (wc.av)
		rmap_walk(folio, &rwc);
	folio_unlock(folio);
	ti->walk_visited += wc.visited;
	ti->walk_mapped += wc.mapped;
}

static const struct op_weight walk_weights[] = {
	{ OP_W_REFERENCED, 25 },
	{ OP_W_RECLAIM, 20 },
	{ OP_W_RECLAIM_KEEP, 15 },
	{ OP_W_MIGRATE, 20 },
	{ OP_W_WALK, 20 },
};

#define NR_WALK_WEIGHTS (sizeof(walk_weights) / sizeof(walk_weights[0]))

static void walk_once(struct thread_info *ti)
{
	int slot = (int)rng_below(&ti->rng, (unsigned long)procs_nslots());
	unsigned long page = rng_below(&ti->rng, opts.pages);
	struct walk_stats st = { 0, 0 };
	struct mm_struct *mm;
	struct folio *folio;
	enum stress_op op;
	int ret = 0, i;

	op_begin(ti, OP_W_NOFOLIO);
	mm = proc_pin(slot);
	if (!mm) {
		op_end(ti, OP_W_NOFOLIO, false);
		return;
	}
	/* Holes, zero pages and swap entries hold no folio: look further. */
	folio = NULL;
	for (i = 0; i < WALK_TRIES && !folio; i++)
		folio = folio_at(mm, STRESS_WIN +
				 ((page + i) % opts.pages) * PAGE_SIZE);
	proc_unpin(slot);
	if (!folio) {
		op_end(ti, OP_W_NOFOLIO, false);
		return;
	}

	op = pick_weighted(&ti->rng, walk_weights, NR_WALK_WEIGHTS);
	/* Page-cache folios have no anon rmap in the model: only look. */
	if (!folio_test_anon(folio))
		op = OP_W_REFERENCED;
	op_begin(ti, op);
	switch (op) {
	case OP_W_REFERENCED:
		folio_referenced(folio, &st);
		break;
	case OP_W_RECLAIM:
		ret = reclaim_folio(folio, false, &st);
		break;
	case OP_W_RECLAIM_KEEP:
		ret = reclaim_folio(folio, true, &st);
		break;
	case OP_W_MIGRATE:
		ret = migrate_folio_to_new(folio, NULL, &st);
		break;
	default:
		plain_walk(ti, folio);
		break;
	}
	ti->walk_visited += st.visited;
	ti->walk_mapped += st.mapped;
	folio_put(folio);
	op_end(ti, op, ret != 0);
}

/**
 * walker_main() - the body of a walker thread.
 * @arg: its struct thread_info.
 *
 * Return: NULL.
 */
void *walker_main(void *arg)
{
	struct thread_info *ti = arg;

	lock_set_thread_name(ti->name);
	while (!stress_stopping()) {
		checkpoint(ti);
		if (stress_stopping())
			break;
		walk_once(ti);
	}
	thread_leaves(ti);
	return NULL;
}
