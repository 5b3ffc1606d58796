/* SPDX-License-Identifier: MIT */
/*
 * mm/filemap.c - simulated files and their page caches, and the shmem
 * object behind MAP_SHARED|MAP_ANONYMOUS.
 *
 * A file is a name, a size in pages and an array of page-cache folios
 * created on first use.  The page cache holds one reference on each of
 * its folios; every PTE that maps one holds another, and its mapcount
 * is kept with plain atomic operations on _mapcount because file folios
 * have no anon rmap (their mapping is the address_space, with no
 * FOLIO_MAPPING_ANON bit, spec §1.5).
 *
 * Contents: a page of a regular file starts with a token derived from
 * (file serial, page index), so that a test can tell whose page it
 * reads; a shmem page starts as zeros, like the anonymous memory it
 * stands for.  MAP_SHARED stores change the page-cache folio itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static unsigned long file_serial;

/**
 * filemap_init() - number the files of a new life of the system from 1
 * again (anonvma_init()).
 *
 * A page's initial contents derive from its file's serial, so without
 * the reset a scenario's file pages would read differently depending on
 * what ran before it in the same process; the kernel executor also
 * expects the numbering of a fresh model (1, 2... in declaration order).
 * Files left from an earlier life keep their serials: anonvma_exit()
 * does not own them, and a caller that keeps one across lives must
 * expect its numbers to repeat.
 */
void filemap_init(void)
{
	__atomic_store_n(&file_serial, 0, __ATOMIC_RELAXED);
}

/* The initial contents token of page @index of @f. */
static uint64_t file_page_token(const struct file *f, unsigned long index)
{
	if (f->shmem)
		return 0;
	return ((uint64_t)f->serial << 32) | (uint64_t)index | (1ULL << 63);
}

static struct file *__file_create(const char *name, unsigned long pages,
				  bool shmem)
{
	struct file *f;

	/* The kernel allocates a struct file and an inode here. */
	if (should_failslab(filp_cachep, SITE_OTHER))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	if (pages) {
		f->f_mapping.pages = calloc(pages, sizeof(struct folio *));
		if (!f->f_mapping.pages) {
			free(f);
			return NULL;
		}
	}
	f->f_mapping.host = f;
	f->f_mapping.nr_pages = pages;
	spin_lock_init(&f->f_mapping.lock, LOCK_CLASS_INTERNAL);
	f->f_count = 1;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->shmem = shmem;
	f->serial = __atomic_add_fetch(&file_serial, 1, __ATOMIC_RELAXED);
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	return f;
}

/**
 * file_create() - a simulated file of @pages pages, with one reference.
 * @name: a name for output (truncated to 31 characters).
 * @pages: the size; pages at or beyond it cannot be faulted (SIGBUS).
 *
 * Returns NULL when memory is short.  The file is not a cache object of
 * the model (like an inode, it is outside the mm accounting); its
 * page-cache folios are.
 */
struct file *file_create(const char *name, unsigned long pages)
{
	return __file_create(name, pages, false);
}

/**
 * shmem_file_setup() - the object behind a MAP_SHARED|MAP_ANONYMOUS
 * mapping of @pages pages (the kernel's shmem_zero_setup()).
 * @pages: size of the mapping.
 *
 * Returns a file with one reference (the mapping's) and shmem set, or
 * NULL.  Its pages read as zeros until written.
 */
struct file *shmem_file_setup(unsigned long pages)
{
	return __file_create("dev/zero", pages, true);
}

/**
 * get_file() - take one more reference on @f (a VMA that maps it).
 * @f: the file.
 */
void get_file(struct file *f)
{
	__atomic_fetch_add(&f->f_count, 1, __ATOMIC_RELAXED);
}

/**
 * fput() - drop a reference on @f; the last one empties its page cache
 * and frees it.
 * @f: the file.
 *
 * The last reference goes when no VMA maps the file any more, so no
 * page-cache folio can still be mapped; the cache's reference on each
 * is dropped, and the mapping pointer cleared first as the kernel's
 * page-cache removal does, since a transient reference may keep the
 * folio alive a little longer.
 */
void fput(struct file *f)
{
	unsigned long i;

	if (__atomic_sub_fetch(&f->f_count, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (i = 0; i < f->f_mapping.nr_pages; i++) {
		struct folio *folio = f->f_mapping.pages[i];

		if (!folio)
			continue;
		WARN_ON(folio_mapped(folio));
		WRITE_ONCE(folio->mapping, (uintptr_t)0);
		f->f_mapping.pages[i] = NULL;
		folio_put(folio);
	}
	free(f->f_mapping.pages);
	free(f);
}

#define FILE_MAX_PAGES (1UL << 24)

/**
 * file_grow() - see mm.h.
 * @f: the file.
 * @pages: its new size in pages; a smaller one changes nothing.
 *
 * A recorded program maps files whose size the recording does not show;
 * the replay grows each file to cover what is mapped, so that a fault
 * the kernel served is not turned into SIGBUS for want of a size.  The
 * fault path reads the size without the lock, so call this only while
 * nothing faults on @f (as i_size changes under the inode lock).
 */
int file_grow(struct file *f, unsigned long pages)
{
	struct address_space *as = &f->f_mapping;
	struct folio **new, **old;
	unsigned long n;

	if (pages <= as->nr_pages)
		return 0;
	/*
	 * The page cache is a flat array here: a mapping 64 GiB into a file
	 * would cost an array of half a gigabyte.  Refused as -EFBIG.
	 */
	if (pages > FILE_MAX_PAGES)
		return -EFBIG;
	new = calloc(pages, sizeof(*new));
	if (!new)
		return -ENOMEM;
	spin_lock(&as->lock);
	old = as->pages;
	n = as->nr_pages;
	if (pages > n) {
		if (n)
			memcpy(new, old, n * sizeof(*new));
		as->pages = new;
		as->nr_pages = pages;
		new = old;
	}
	spin_unlock(&as->lock);
	free(new);
	return 0;
}

/**
 * filemap_get_folio() - the page-cache folio of @f at @index, with a
 * reference for the caller.
 * @f: the file.
 * @index: page offset in the file.
 *
 * The folio is created on first use (SITE_OTHER): mapping is the
 * file's address_space, index is @index, contents the file's token.
 * The cache keeps the allocation's reference.  Returns NULL if @index
 * is at or beyond the end of the file (the fault turns that into
 * SIGBUS; the caller checks the size first to tell it from an
 * allocation failure, which also returns NULL).
 */
struct folio *filemap_get_folio(struct file *f, unsigned long index)
{
	struct address_space *as = &f->f_mapping;
	struct folio *folio, *new;

	if (index >= as->nr_pages)
		return NULL;

	spin_lock(&as->lock);
	folio = as->pages[index];
	if (folio)
		folio_get(folio);
	spin_unlock(&as->lock);
	if (folio)
		return folio;

	/* Allocate outside the lock; a racing creator may win. */
	new = folio_alloc(SITE_OTHER);
	if (!new)
		return NULL;
	new->index = index;
	new->data = file_page_token(f, index);
	WRITE_ONCE(new->mapping, (uintptr_t)as);

	spin_lock(&as->lock);
	folio = as->pages[index];
	if (!folio) {
		as->pages[index] = new;
		folio = new;
		new = NULL;
	}
	folio_get(folio);
	spin_unlock(&as->lock);
	if (new)
		folio_put(new);
	return folio;
}
