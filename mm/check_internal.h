/* SPDX-License-Identifier: MIT */
/*
 * Private to mm/check*.c: the indexes one run of the
 * invariant checker builds over the whole model.
 *
 * Every check must stay linear in the number of objects, because the
 * scenario runner calls check_invariants() after every step (a 10,000
 * generation fork chain is checked at its end).  So instead of scanning
 * lists for membership, the checker first numbers every live anon_vma,
 * every attached VMA and every AVC found in a tree, keeps a pointer ->
 * number hash table for each, and answers "is X on chain(V)" by stamping
 * the anon_vmas of chain(V) with a fresh generation number.
 */
#ifndef MM_CHECK_INTERNAL_H
#define MM_CHECK_INTERNAL_H

#include <limits.h>

#include "internal.h"

/* "Not found": not a live anon_vma, not an attached VMA. */
#define CHECK_NONE UINT_MAX

/*
 * struct ptrmap - open-addressing hash table from a non-zero key (a
 * pointer value, or a swap entry plus one) to an index.
 */
struct ptrmap {
	uintptr_t *keys;	/* 0: empty slot */
	unsigned int *vals;
	size_t mask;		/* capacity - 1, capacity a power of two */
	size_t n;
};

void check_map_init(struct ptrmap *m, size_t expect);
void check_map_destroy(struct ptrmap *m);
bool check_map_insert(struct ptrmap *m, uintptr_t key, unsigned int val,
		   unsigned int *old);
unsigned int check_map_lookup(const struct ptrmap *m, uintptr_t key);

/* What the checker learned about one live anon_vma. */
struct av_info {
	struct anon_vma *av;
	struct anon_vma *root;		/* av->root, read once */
	struct anon_vma *parent;	/* av->parent, read once */
	unsigned int root_idx;		/* CHECK_NONE: root not live */
	unsigned int parent_idx;
	unsigned int mark;		/* chain stamp: "is on chain(V)" */
	unsigned int mark2;		/* second stamp, for I11 */
	unsigned long nodes;		/* AVCs found in tree(av) */
	unsigned long active;		/* VMAs with anon_vma == av */
	unsigned long children;		/* expected num_children (I8) */
	unsigned long descendants;	/* live non-roots with this root (I10) */
	struct vm_area_struct *rep;	/* first VMA with anon_vma == av (I11) */
	struct mm_struct *rep_mm;
};

/* An attached VMA: in the index of @mm. */
struct vma_info {
	struct vm_area_struct *vma;
	struct mm_struct *mm;
};

/* An AVC found in the tree of avs[owner]. */
struct avc_info {
	struct anon_vma_chain *avc;
	unsigned int owner;
	bool on_list;		/* seen on its own VMA's chain list */
};

struct folio_info;
struct swap_info;

/* The state of one check_invariants() run. */
struct check_ctx {
	struct check_report *r;

	struct av_info *avs;
	unsigned int nr_avs, cap_avs;
	struct ptrmap av_map;

	struct vma_info *vmas;
	unsigned int nr_vmas, cap_vmas;
	struct ptrmap vma_map;

	struct avc_info *avcs;
	unsigned int nr_avcs, cap_avcs;
	struct ptrmap avc_map;

	unsigned int stamp;	/* last chain stamp handed out */

	/* check_pages.c */
	struct folio_info *folios;
	unsigned int nr_folios, cap_folios;
	struct ptrmap folio_map;
	struct swap_info *swaps;
	unsigned int nr_swaps, cap_swaps;
	struct ptrmap swap_map;
};

/* Names of objects in messages: serial numbers, never raw pointers. */
#define VMA_FMT "mm#%lu vma 0x%lx-0x%lx"
#define VMA_ARGS(mm, v) (mm)->serial, (v)->vm_start, (v)->vm_end

/* mm->vmas[0..map_count) can be read at all. */
static inline bool check_index_usable(const struct mm_struct *mm)
{
	return mm->map_count >= 0 &&
	       (unsigned int)mm->map_count <= mm->vmas_cap &&
	       (!mm->map_count || mm->vmas);
}

void check_fail(struct check_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *check_grow(void *arr, unsigned int nr, unsigned int *cap, size_t size);
unsigned int check_av_index(const struct check_ctx *c,
			    const struct anon_vma *av);
unsigned int check_stamp_chain(struct check_ctx *c,
			       struct vm_area_struct *vma);
bool check_index_sorted(struct mm_struct *mm);

void check_trees(struct check_ctx *c);
void check_chains(struct check_ctx *c);
void check_pages(struct check_ctx *c);
void check_swap_slots(struct check_ctx *c);
void check_pages_destroy(struct check_ctx *c);

#endif
