/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the files of mm/ only (the kernel's
 * mm/internal.h): VMA allocation and locking, the VMA index, and the
 * page-table operations that vma.c, mmap.c, mremap.c and fork.c call.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <errno.h>

#include <anonvma/anonvma.h>

/* The model's user address space ends where x86-64's four levels do. */
#define TASK_SIZE (1UL << 47)

#define WARN_ON(cond) __warn_on(!!(cond), #cond, __FILE__, __LINE__)
#define VM_WARN_ON_ONCE(cond) WARN_ON(cond)
#define VM_BUG_ON(cond) __bug_on(!!(cond), #cond, __FILE__, __LINE__)
/** __warn_on() - report a broken kernel assertion; returns @cond. */
bool __warn_on(bool cond, const char *what, const char *file, int line);
void __bug_on(bool cond, const char *what, const char *file, int line);
/** vm_warn_count() - how many WARN_ONs fired since start (tests assert 0). */
unsigned long vm_warn_count(void);

/* VMA objects (kernel/fork.c vm_area_alloc, vm_area_dup, vm_area_free). */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);

/*
 * Per-VMA write lock: a sequence number, released by mmap_write_unlock.
 * vma_start_write() (mm/mmap_lock.c) asserts the mmap write lock and
 * checks the lock order, as the kernel's does.
 */
void vma_start_write(struct vm_area_struct *vma);
static inline bool vma_is_write_locked(const struct vm_area_struct *vma)
{
	return vma->vm_lock_seq == vma->vm_mm->mm_lock_seq &&
	       rwsem_is_write_owner(&vma->vm_mm->mmap_lock);
}
void vma_assert_write_locked(struct vm_area_struct *vma);
static inline bool vma_is_attached(const struct vm_area_struct *vma)
{
	return !vma->detached;
}

/*
 * The VMA index (mm/vma.c's use of the maple tree).  Insertions can
 * fail for lack of memory, so callers reserve room first with
 * vma_index_prealloc() and then cannot fail.
 */
int vma_index_prealloc(struct mm_struct *mm, int extra);
void vma_index_insert(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_index_remove(struct mm_struct *mm, struct vm_area_struct *vma);
/** vma_index_pos() - slot of @vma in mm->vmas, or -1 if not there. */
int vma_index_pos(struct mm_struct *mm, const struct vm_area_struct *vma);
struct vm_area_struct *vma_prev(struct vm_area_struct *vma);
struct vm_area_struct *vma_next(struct vm_area_struct *vma);
/** vma_prev_of_addr() - the last VMA that ends at or below @addr. */
struct vm_area_struct *vma_prev_of_addr(struct mm_struct *mm,
					unsigned long addr);

/** mmap_new_vma() - link a new VMA without merging (mm/mmap.c). */
int mmap_new_vma(struct mm_struct *mm, struct file *file, unsigned long addr,
		 unsigned long len, vm_flags_t vm_flags, unsigned long pgoff);
/* mm/memory.c */
/**
 * fault_in_page() - fault @addr of @vma until the access (a store if
 * @write) is allowed, then do it if @value is not NULL (mmap lock held).
 */
vm_fault_t fault_in_page(struct vm_area_struct *vma, unsigned long addr,
			 bool write, uint64_t *value);

/* mm/gup.c: populating ranges (MAP_POPULATE, mlock, MADV_POPULATE_*) */
long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end);
int __mm_populate(struct mm_struct *mm, unsigned long start,
		  unsigned long len, bool ignore_errors);
/** mm_populate() - __mm_populate() ignoring errors (mmap, mlockall). */
static inline void mm_populate(struct mm_struct *mm, unsigned long start,
			       unsigned long len)
{
	(void)__mm_populate(mm, start, len, true);
}
int faultin_page_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end, bool write);

/* mm/mmap.c */
/** expand_downwards() - grow the stack @vma down to @address (mmap lock held for write). */
int expand_downwards(struct vm_area_struct *vma, unsigned long address);
/** exit_mmap() - unmap and free every VMA of an exiting (or failed-fork) mm. */
void exit_mmap(struct mm_struct *mm);

/* mm/memory.c */
/** zap_vma_range() - unmap the PTEs of [start, end) of @vma (MADV_DONTNEED, munmap). */
void zap_vma_range(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end);
/** zap_filter_fn - which PTEs zap_vma_range_if() clears (PTE lock held). */
typedef bool (*zap_filter_fn)(pte_t pte);
void zap_vma_range_if(struct vm_area_struct *vma, unsigned long start,
		      unsigned long end, zap_filter_fn zap_this);
/** pte_walk_fn - one PTE of walk_pte_range(), changed in place (PTE lock held). */
typedef void (*pte_walk_fn)(struct vm_area_struct *vma, unsigned long addr,
			    pte_t *ptep, void *arg);
void walk_pte_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end, pte_walk_fn fn, void *arg);
/** copy_page_range() - fork: copy the PTEs of @src into @dst (if vma_needs_copy). */
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src);
/**
 * move_page_tables() - mremap: move @len bytes of PTEs from @old_addr in
 * @vma to @new_addr in @new_vma; returns the number of bytes moved
 * (less than @len when a page table could not be allocated).
 */
unsigned long move_page_tables(struct vm_area_struct *vma,
			       unsigned long old_addr,
			       struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len,
			       bool need_rmap_locks);
/** change_protection() - mprotect: write-protect PTEs when VM_WRITE is dropped. */
void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, vm_flags_t newflags);
/**
 * free_pgtables() - unlink_anon_vmas() for each of the @n VMAs, then free
 * the page tables covering them (only after their PTEs were zapped).
 */
void free_pgtables(struct mm_struct *mm, struct vm_area_struct **vmas, int n);

/*
 * mm/swapfile.c and mm/swap_state.c: one simulated swap device.  Each
 * slot counts the swap PTEs that refer to it and remembers the page's
 * contents; the swap cache maps a slot to the folio that holds it (the
 * cache holds one folio reference).
 */
/** get_swap_slot() - a free slot for @folio, count 0; 0 on success, -ENOMEM. */
int get_swap_slot(struct folio *folio, swp_entry_t *entry);
/** swap_duplicate() - one more swap PTE refers to @entry (fork, unmap). */
void swap_duplicate(swp_entry_t entry);
/** swap_free() - a swap PTE referring to @entry went away (zap, swap-in). */
void swap_free(swp_entry_t entry);
/** swap_count() - swap PTEs referring to @entry. */
int swap_count(swp_entry_t entry);
/** swap_read_data() - the contents saved in the slot. */
uint64_t swap_read_data(swp_entry_t entry);
/** swap_cache_get_folio() - the swap-cache folio of @entry with a reference, or NULL. */
struct folio *swap_cache_get_folio(swp_entry_t entry);
/** add_to_swap_cache() - @folio (locked) caches @entry: PG_swapcache, +1 ref. */
void add_to_swap_cache(struct folio *folio, swp_entry_t entry);
/**
 * folio_free_swap() - if no swap PTE refers to @folio's slot any more,
 * drop it from the swap cache and free the slot.  Returns true if it did.
 */
bool folio_free_swap(struct folio *folio);
/** delete_from_swap_cache() - reclaim: drop @folio from the swap cache (slot stays). */
void delete_from_swap_cache(struct folio *folio);
/**
 * try_add_to_swap_cache() - like add_to_swap_cache(), but returns -EEXIST
 * when another folio already caches @entry (two swap-ins racing: the
 * loser drops its folio and looks the cache up again), -ENOENT for a
 * free slot, 0 on success.
 */
int try_add_to_swap_cache(struct folio *folio, swp_entry_t entry);
/** swap_cache_replace_folio() - migration: @new (locked) replaces @old (locked) in the swap cache. */
void swap_cache_replace_folio(struct folio *old, struct folio *new);
/** swap_init() - empty the swap device; anonvma_init() calls it. */
void swap_init(void);
/**
 * swap_exit() - anonvma_exit(), before folio leaks are counted: drop
 * unmapped swap-cache folios no swap PTE needs; returns the slots still
 * in use (leaks).
 */
unsigned long swap_exit(void);

/* mm/vmscan.c */
/*
 * What an unmapping rmap walk leaves in place of a present PTE of
 * @folio in @mm: see folio_unmap_pte().
 */
typedef pte_t (*folio_entry_fn)(struct folio *folio, struct mm_struct *mm,
				pte_t pte, bool exclusive, void *arg);
void folio_unmap_pte(struct folio *folio, struct vm_area_struct *vma,
		     unsigned long address, struct walk_stats *st,
		     folio_entry_fn make_entry, void *arg);

/* mm/page_vma_mapped.c */
/**
 * page_vma_mapped_migration() - like page_vma_mapped(), but finds the
 * migration entry for @folio at @address instead of a present PTE.
 * Caller holds vma->vm_mm->page_table_lock.
 */
pte_t *page_vma_mapped_migration(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address);

/* mm/filemap.c */
/** filemap_get_folio() - the page-cache folio of @f at @index, with a reference. */
struct folio *filemap_get_folio(struct file *f, unsigned long index);
/** shmem_file_setup() - the anonymous shmem object behind MAP_SHARED|MAP_ANONYMOUS. */
struct file *shmem_file_setup(unsigned long pages);
/** filemap_init() - file serials start again from 1; anonvma_init() calls it. */
void filemap_init(void);

/* mm/vma.c */
/** vma_is_fork_child() - faulted with a non-singular chain (spec §3.5). */
static inline bool vma_is_fork_child(const struct vm_area_struct *vma)
{
	return vma && vma->anon_vma && !list_is_singular(&vma->anon_vma_chain);
}

/* mm/rmap.c: chains leave and re-enter their trees around a range change. */
void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma);
void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma);

/* The rmap walk over anon_vma trees (mm/rmap.c) used by rmap_walk(). */
void rmap_walk_anon(struct folio *folio, struct rmap_walk_control *rwc,
		    bool locked);

#endif
