/* SPDX-License-Identifier: MIT */
/*
 * The model's core objects: mm_struct, vm_area_struct, anon_vma,
 * anon_vma_chain, folio, and the simulated file/page cache.
 *
 * Field names follow the kernel's so that a reader can hold the spec
 * (shared/spec/anon_vma.md §1) next to this file.  Fields that lockless
 * readers load (anon_vma->root, vma->anon_vma, folio->mapping) are only
 * accessed through READ_ONCE()/WRITE_ONCE() or the acquire/release forms
 * below, never directly, so ThreadSanitizer sees every publication.
 */
#ifndef ANONVMA_MM_TYPES_H
#define ANONVMA_MM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"
#include "locking.h"
#include "rbtree.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(x) (((x) & (PAGE_SIZE - 1)) == 0)

/* One-shot, tear-free accesses (kernel READ_ONCE/WRITE_ONCE). */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

typedef unsigned long vm_flags_t;

/* vm_flags, same bit values as the kernel's include/linux/mm.h. */
#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_PFNMAP	0x00000400UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL	/* MADV_SEQUENTIAL */
#define VM_RAND_READ	0x00010000UL	/* MADV_RANDOM */
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_SOFTDIRTY	0x08000000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_MERGEABLE	0x80000000UL

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
/* What a new mm may inherit from its parent's def_flags (kernel/fork.c). */
#define VM_INIT_DEF_MASK VM_NOHUGEPAGE
/* Flags that do not stop two VMAs from merging (soft-dirty, spec §5.2). */
#define VM_IGNORE_MERGE VM_SOFTDIRTY

/* MMF_* bits of mm->flags. */
#define MMF_HAS_PINNED	0x1UL

struct mm_struct;
struct anon_vma;
struct file;

/*
 * One page-table entry.  Encodings (see pgtable.h for the helpers):
 *   0                         none
 *   folio | P | [W] | [D]     present, mapping a folio
 *   P | SPECIAL               present, the shared zero page
 *   (slot << 8) | type << 1 | [X]   swap or migration entry (bit 0 clear)
 */
typedef struct {
	uintptr_t val;
} pte_t;

typedef struct {
	unsigned long val;
} swp_entry_t;

/**
 * struct anon_vma - the set of VMAs that may map a group of anon folios.
 * See spec §1.1.  Only the root's rwsem is ever locked.
 */
struct anon_vma {
	struct anon_vma *root;		/* oldest of the hierarchy; self for a root */
	struct rw_semaphore rwsem;	/* used on the root only */
	int refcount;			/* atomic; spec §1.6 */
	unsigned int serial;		/* allocation number, for output */
	unsigned long num_children;	/* children with non-empty trees; a root counts itself */
	unsigned long num_active_vmas;	/* VMAs with vma->anon_vma == this */
	struct anon_vma *parent;	/* for num_children accounting; self for a root */
	union {
		struct rb_root_cached rb_root;	/* interval tree of anon_vma_chains */
		struct list_head head;	/* designs list, single: a plain list */
	};
};

/**
 * struct anon_vma_chain - one link between a VMA and an anon_vma.
 * On vma->anon_vma_chain (same_vma) and in anon_vma->rb_root (rb).
 */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;
	union {
		struct {
			struct rb_node rb;
			unsigned long rb_subtree_last;
		};
		struct list_head same_anon_vma;	/* designs list, single */
	};
};

/**
 * struct vm_area_struct - one mapping of an mm.
 * Write-locking (vma_start_write()) records mm_lock_seq in vm_lock_seq;
 * the lock is released for all VMAs of the mm at mmap_write_unlock().
 */
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	vm_flags_t vm_flags;
	unsigned long vm_pgoff;		/* in pages; virtual for anon VMAs */
	struct file *vm_file;
	struct anon_vma *anon_vma;	/* READ_ONCE / smp_store_release */
	struct list_head anon_vma_chain;
	unsigned int vm_lock_seq;
	bool detached;			/* not (or no longer) in mm's VMA index */
	unsigned long serial;
};

/*
 * Page-table pages: a four-level radix tree of 512-entry, 4 KiB tables,
 * so that pgtable memory is counted like the kernel's.
 */
#define PTRS_PER_TABLE 512
struct pgtable_page {
	union {
		void *next[PTRS_PER_TABLE];	/* PGD, PUD, PMD levels */
		pte_t pte[PTRS_PER_TABLE];	/* PTE level */
	};
};

struct mm_struct {
	struct rw_semaphore mmap_lock;
	unsigned int mm_lock_seq;	/* bumped at mmap_write_unlock */
	int map_count;			/* number of VMAs */
	spinlock_t page_table_lock;
	/* The VMA index: VMAs sorted by vm_start (the maple tree's role). */
	struct vm_area_struct **vmas;
	unsigned int vmas_cap;
	struct pgtable_page *pgd;
	unsigned long start_brk, brk;
	unsigned long flags;		/* MMF_* */
	vm_flags_t def_flags;		/* added to every new VMA: mlockall(MCL_FUTURE) */
	unsigned long total_vm;		/* pages mapped */
	unsigned long rss_anon, rss_file, rss_swap;
	unsigned long serial;
	struct list_head mmlist;	/* on the system's registry of mms */
};

/* folio->flags bits. */
enum pageflags {
	PG_locked,
	PG_anon_exclusive,	/* PageAnonExclusive, spec §2.11 */
	PG_swapcache,
	PG_swapbacked,
	PG_dirty,
	PG_referenced,
	PG_young,		/* the PTE accessed bit, folded into the folio */
};

/* Low bits of folio->mapping (6.17+ names, spec §1.5). */
#define FOLIO_MAPPING_ANON	0x1UL
#define FOLIO_MAPPING_ANON_KSM	0x2UL
#define FOLIO_MAPPING_KSM	(FOLIO_MAPPING_ANON | FOLIO_MAPPING_ANON_KSM)
#define FOLIO_MAPPING_FLAGS	(FOLIO_MAPPING_ANON | FOLIO_MAPPING_ANON_KSM)

/**
 * struct folio - one order-0 page of memory (large folios are not modelled).
 * @mapping: anon_vma | FOLIO_MAPPING_ANON, or the address_space of a
 *           page-cache folio; left stale after unmap, as in the kernel.
 * @_mapcount: number of PTEs mapping it, minus one (-1: unmapped).
 * @data: the page's contents, a token that reads return.
 */
struct folio {
	unsigned long flags;
	uintptr_t mapping;
	unsigned long index;
	int _mapcount;
	int _refcount;
	unsigned long private;		/* swap entry while PG_swapcache */
	unsigned long serial;
	uint64_t data;
};

/* The simulated page cache of one file (or shmem object). */
struct address_space {
	struct file *host;
	struct folio **pages;		/* indexed by page offset */
	unsigned long nr_pages;
	spinlock_t lock;
};

/**
 * struct file - a simulated file: a name, a size and a page cache.
 * Page contents are a token derived from (file serial, index) until a
 * shared mapping writes them.
 */
/* struct file's f_mode bits: how the file was opened. */
#define FMODE_READ	0x1u
#define FMODE_WRITE	0x2u

struct file {
	struct address_space f_mapping;
	int f_count;			/* atomic */
	unsigned int f_mode;		/* FMODE_*; file_create(): both */
	bool shmem;			/* MAP_SHARED|MAP_ANONYMOUS backing */
	unsigned long serial;
	char name[32];
};

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/** linear_page_index() - the pgoff at which @addr lies in @vma. */
static inline unsigned long linear_page_index(const struct vm_area_struct *vma,
					      unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return vma->vm_file == NULL;
}

#endif
