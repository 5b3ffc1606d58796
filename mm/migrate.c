/* SPDX-License-Identifier: MIT */
/*
 * Page migration of one anonymous folio (the kernel's mm/migrate.c:
 * migrate_folio_unmap() -> try_to_migrate() -> move_to_new_folio() ->
 * remove_migration_ptes()).
 *
 * Every PTE that maps the old folio is replaced by a migration entry
 * that remembers the folio, its write permission and the page's
 * exclusive bit.  The contents and the anon identity (mapping, index)
 * are copied to the new folio; then a second rmap walk, over the same
 * anon_vma, turns each migration entry into a present PTE of the new
 * folio.  Between the two walks the old folio is mapped nowhere, so
 * nothing keeps its anon_vma alive except the reference taken with
 * folio_get_anon_vma() (spec §2.12): without it, every VMA could be
 * unmapped meanwhile and the second walk would lock freed memory.
 *
 * Model notes: migration entries keep counting in rss_anon, as in the
 * kernel (zap of a migration PTE decrements rss_anon); a fault that
 * meets a migration entry waits on the old folio's lock.  No reference
 * check is made on the old folio (the model has no GUP pins).
 */
#include "internal.h"

static bool folio_not_mapped(struct folio *folio)
{
	return !folio_mapped(folio);
}

struct migrate_arg {
	struct folio *src;	/* the folio migration entries refer to */
	struct walk_stats st;
};

/* The migration entry keeps the PTE's write permission. */
static pte_t make_migration_entry(struct folio *folio, struct mm_struct *mm,
				  pte_t pte, bool exclusive, void *arg)
{
	return make_migration_pte(folio, pte_write(pte), exclusive);
}

/* try_to_migrate_one(): swap one present PTE of @folio for a migration entry. */
static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	struct migrate_arg *ma = arg;

	folio_unmap_pte(folio, vma, address, &ma->st, make_migration_entry,
			NULL);
	return true;
}

/*
 * remove_migration_pte(): map @folio (the destination, or the source
 * again when migration is abandoned) where a migration entry for
 * ma->src stands.  The entry's exclusive bit becomes RMAP_EXCLUSIVE.
 */
static bool remove_migration_pte(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct migrate_arg *ma = arg;
	struct mm_struct *mm = vma->vm_mm;
	pte_t *ptep;

	spin_lock(&mm->page_table_lock);
	ptep = page_vma_mapped_migration(ma->src, vma, address);
	if (ptep) {
		pte_t pte = { READ_ONCE(ptep->val) };
		/*
		 * The entry alone says whether the PTE may be writable, as in
		 * the kernel: an mprotect that drops VM_WRITE makes writable
		 * migration entries read-only under this same PTE lock
		 * (change_protection()).  vma->vm_flags is not read: mprotect
		 * changes it under the mmap lock only, which a walker of
		 * another process does not hold (a data race).
		 */
		bool write = migration_pte_write(pte);

		folio_get(folio);
		folio_add_anon_rmap_pte(folio, vma, address,
					pte_swp_exclusive(pte) ?
					RMAP_EXCLUSIVE : RMAP_NONE);
		WRITE_ONCE(ptep->val, mk_pte(folio, write).val);
	}
	spin_unlock(&mm->page_table_lock);
	return true;
}

/*
 * Replace every migration entry for @src with a PTE of @dst.  @dst is
 * not mapped yet, so its anon_vma is not found through
 * folio_lock_anon_vma_read() (which gives up on unmapped folios) but
 * taken straight from ->mapping, which equals @src's: the walk visits
 * the same tree, kept alive by the reference in @av (spec §2.12).
 */
static void remove_migration_ptes(struct folio *src, struct folio *dst,
				  struct anon_vma *av)
{
	struct migrate_arg ma = { .src = src };
	struct rmap_walk_control rwc = {
		.arg = &ma,
		.rmap_one = remove_migration_pte,
	};

	if (!av)
		return;
	rmap_walk(dst, &rwc);
}

/* What the new folio inherits besides contents, mapping and index. */
static const enum pageflags migrate_flags[] = {
	PG_swapbacked, PG_dirty, PG_referenced, PG_young,
};

static void folio_migrate_copy(struct folio *dst, struct folio *src)
{
	size_t i;

	dst->data = READ_ONCE(src->data);
	dst->index = src->index;
	for (i = 0; i < sizeof(migrate_flags) / sizeof(migrate_flags[0]); i++)
		if (folio_test_flag(src, migrate_flags[i]))
			folio_set_flag(dst, migrate_flags[i]);
	/*
	 * PageAnonExclusive is not copied: it travels in the migration
	 * entries and is set again by remove_migration_pte().
	 */
	WRITE_ONCE(dst->mapping, READ_ONCE(src->mapping));
	if (folio_test_flag(src, PG_swapcache))
		swap_cache_replace_folio(src, dst);
}

/**
 * migrate_folio_to_new() - move @folio's contents and mappings to a new
 * folio.
 * @folio: an anonymous folio the caller holds a reference on
 *         (folio_at()); once migrated it is mapped nowhere and is freed
 *         when the caller drops that reference.
 * @newp:  out (may be NULL): the new folio, with a reference the caller
 *         drops with folio_put(); NULL on failure.
 * @st:    out (may be NULL): VMAs the unmap walk visited, PTEs it
 *         replaced.
 *
 * Locks @folio, pins its anon_vma with folio_get_anon_vma() for the
 * whole move (spec §2.12), allocates the new folio (SITE_MIGRATE),
 * replaces each mapping by a migration entry (try_to_migrate), copies
 * the contents, mapping, index, flags and swap-cache slot, and maps
 * the new folio wherever an entry stands (remove_migration_ptes), with
 * the same write permission and exclusive bit.  Sharing is preserved:
 * every process that mapped the old folio maps the new one.
 *
 * Return: 0; -ENOMEM if no folio could be allocated (nothing changed);
 * -EAGAIN if the folio is being freed or some mapping was not reached
 * (the old folio is mapped again everywhere); -EINVAL for a folio that
 * is not anonymous.
 */
int migrate_folio_to_new(struct folio *folio, struct folio **newp,
			 struct walk_stats *st)
{
	struct migrate_arg ma = { .src = folio };
	struct rmap_walk_control rwc = {
		.arg = &ma,
		.rmap_one = try_to_migrate_one,
		.anon_lock = folio_lock_anon_vma_read,
		.done = folio_not_mapped,
	};
	struct folio *new = NULL;
	struct anon_vma *av;
	int ret = 0;

	if (newp)
		*newp = NULL;
	if (st)
		st->visited = st->mapped = 0;
	if (!folio_test_anon(folio))
		return -EINVAL;

	folio_lock(folio);
	av = folio_get_anon_vma(folio);
	if (!av && !folio_test_flag(folio, PG_swapcache)) {
		/* Unmapped and uncached: the folio is on its way out. */
		ret = -EAGAIN;
		goto unlock;
	}
	new = folio_alloc(SITE_MIGRATE);
	if (!new) {
		ret = -ENOMEM;
		goto put;
	}
	/* Nobody else knows the new folio: the lock cannot be contended. */
	if (WARN_ON(!folio_trylock(new))) {
		folio_put(new);
		new = NULL;
		ret = -EAGAIN;
		goto put;
	}

	if (av && folio_mapped(folio))
		rmap_walk(folio, &rwc);

	if (folio_mapped(folio)) {
		/* Some PTE was not reached: put the old folio back. */
		remove_migration_ptes(folio, folio, av);
		folio_unlock(new);
		folio_put(new);
		new = NULL;
		ret = -EAGAIN;
		goto put;
	}

	folio_migrate_copy(new, folio);
	remove_migration_ptes(folio, new, av);
	folio_unlock(new);
put:
	if (av)
		put_anon_vma(av);
unlock:
	folio_unlock(folio);
	if (st)
		*st = ma.st;
	if (new) {
		if (newp)
			*newp = new;
		else
			folio_put(new);
	}
	return ret;
}
