/* SPDX-License-Identifier: MIT */
/*
 * The contents oracle of fuzz_ops.c: what each process must read back.
 *
 * The invariant checker looks at the structures; this looks at what a
 * process sees, which is what a broken reverse map costs a real system:
 * a write by one process showing up in another after COW, a page that
 * swap, migration or mremap brought back with the wrong contents, a
 * DONTNEED that left data behind.  Every store writes a token unique to
 * (operation, page), and the shadow remembers per process and page the
 * token a load must return, only where that is certain:
 *
 *   - a private anonymous page reads 0 when new (mmap, DONTNEED, a
 *     WIPEONFORK child, the source of an mremap DONTUNMAP), and
 *     whatever this process stored last;
 *   - a private file page is known only after this process stored to it
 *     (the store made a private anonymous copy);
 *   - a shared page is never known (another process may store to it);
 *   - fork copies the parent's knowledge to the child, mremap moves it
 *     with the pages, swap, migration and mprotect keep it;
 *   - anything an operation may have changed without saying exactly how
 *     (a failure part-way, munmap, brk) becomes unknown, and a load of
 *     an unknown private anonymous page teaches the shadow its token.
 *
 * A load that returns another token than the known one is a finding.
 */
#include <string.h>

#include "ops.h"

enum page_kind {
	KIND_NONE,		/* no VMA */
	KIND_ANON,		/* private anonymous */
	KIND_FILE_PRIVATE,	/* private file mapping */
	KIND_SHARED,		/* MAP_SHARED, file or anonymous */
};

/* The shadow index of @addr, or -1 when it is not tracked. */
static int page_index(unsigned long addr)
{
	unsigned long pg;

	if (addr < OPS_WIN_BASE)
		return -1;
	pg = (addr - OPS_WIN_BASE) >> PAGE_SHIFT;
	return pg < OPS_SHADOW_PAGES ? (int)pg : -1;
}

static unsigned long index_addr(int i)
{
	return OPS_WIN_BASE + (unsigned long)i * PAGE_SIZE;
}

/* What kind of page @addr is in @mm, and the VMA's flags. */
static enum page_kind page_kind(struct mm_struct *mm, unsigned long addr,
				vm_flags_t *flags)
{
	struct vm_area_struct *vma;
	enum page_kind kind = KIND_NONE;

	*flags = 0;
	if (!mm)
		return KIND_NONE;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		*flags = vma->vm_flags;
		if (vma->vm_flags & VM_SHARED)
			kind = KIND_SHARED;
		else
			kind = vma->vm_file ? KIND_FILE_PRIVATE : KIND_ANON;
	}
	mmap_read_unlock(mm);
	return kind;
}

static void forget(struct ops_state *st, int p, unsigned long addr,
		   unsigned long len)
{
	unsigned long a;

	for (a = addr & PAGE_MASK; a < addr + len; a += PAGE_SIZE) {
		int i = page_index(a);

		if (i >= 0)
			st->known[p][i] = false;
	}
}

/* Pages the operation made new: 0 if private anonymous, else unknown. */
static void fresh(struct ops_state *st, int p, unsigned long addr,
		  unsigned long len)
{
	unsigned long a;

	for (a = addr & PAGE_MASK; a < addr + len; a += PAGE_SIZE) {
		int i = page_index(a);
		vm_flags_t fl;

		if (i < 0)
			continue;
		st->known[p][i] = page_kind(st->mm[p], a, &fl) == KIND_ANON;
		st->val[p][i] = 0;
	}
}

/**
 * ops_shadow_clear() - slot @p has no process, or a new empty one.
 * @st: the run's state.
 * @p: the process slot.
 */
void ops_shadow_clear(struct ops_state *st, int p)
{
	memset(st->known[p], 0, sizeof(st->known[p]));
}

/**
 * ops_shadow_store() - @p stored @v at @addr (the store succeeded).
 * @st: the run's state.
 * @p: the process slot.
 * @addr: the page's address.
 * @v: the token stored.
 */
void ops_shadow_store(struct ops_state *st, int p, unsigned long addr,
		      uint64_t v)
{
	int i = page_index(addr);
	vm_flags_t fl;

	if (i < 0)
		return;
	st->known[p][i] = page_kind(st->mm[p], addr, &fl) != KIND_SHARED;
	st->val[p][i] = v;
}

/**
 * ops_shadow_load() - @p loaded @v from @addr: check it.
 * @st: the run's state.
 * @p: the process slot.
 * @addr: the page's address.
 * @v: the token loaded.
 * @want: out: the token the page must hold, when known.
 * @checked: out: whether it was known (and so compared).
 *
 * Return: false if the load must have returned *@want.
 */
bool ops_shadow_load(struct ops_state *st, int p, unsigned long addr,
		     uint64_t v, uint64_t *want, bool *checked)
{
	int i = page_index(addr);
	vm_flags_t fl;

	*checked = false;
	if (i < 0)
		return true;
	if (st->known[p][i]) {
		*want = st->val[p][i];
		*checked = true;
		return v == *want;
	}
	if (page_kind(st->mm[p], addr, &fl) == KIND_ANON) {
		st->known[p][i] = true;
		st->val[p][i] = v;
	}
	return true;
}

/* fork: the child knows what the parent knows, page by page. */
static void shadow_fork(struct ops_state *st, int p, int q)
{
	int i;

	for (i = 0; i < OPS_SHADOW_PAGES; i++) {
		enum page_kind kind;
		vm_flags_t fl;

		kind = page_kind(st->mm[q], index_addr(i), &fl);
		st->val[q][i] = st->val[p][i];
		st->known[q][i] = st->known[p][i] && kind != KIND_NONE;
		if (kind == KIND_ANON && (fl & VM_WIPEONFORK)) {
			st->known[q][i] = true;
			st->val[q][i] = 0;
		}
	}
}

/* A successful mremap of [addr, +old_len) to [to, +new_len). */
static void shadow_mremap(struct ops_state *st, int p,
			  const struct ops_call *c)
{
	uint64_t val[OPS_SHADOW_PAGES];
	bool known[OPS_SHADOW_PAGES];
	unsigned long to = c->ret_addr, i;
	unsigned long keep = (c->len < c->new_len ? c->len : c->new_len) >>
			     PAGE_SHIFT;

	memcpy(val, st->val[p], sizeof(val));
	memcpy(known, st->known[p], sizeof(known));
	if (to != c->addr) {
		if (c->flags & MREMAP_DONTUNMAP)
			fresh(st, p, c->addr, c->len);
		else
			forget(st, p, c->addr, c->len);
	} else {
		forget(st, p, c->addr + c->new_len,
		       c->len > c->new_len ? c->len - c->new_len : 0);
	}
	for (i = 0; i < keep; i++) {
		int from = page_index(c->addr + i * PAGE_SIZE);
		int dst = page_index(to + i * PAGE_SIZE);

		if (dst < 0)
			continue;
		st->known[p][dst] = from >= 0 && known[from];
		st->val[p][dst] = from >= 0 ? val[from] : 0;
	}
	if (c->new_len > c->len)
		fresh(st, p, to + c->len, c->new_len - c->len);
}

/**
 * ops_shadow_after() - what an operation did to the contents; loads and
 * stores are recorded as they happen (ops_shadow_load/store()).
 * @st: the run's state, after the operation.
 * @r: the operation.
 * @c: the arguments it ran with.
 * @ret: its result.
 */
void ops_shadow_after(struct ops_state *st, const struct ops_rec *r,
		      const struct ops_call *c, long ret)
{
	int p = (int)r->p;

	if (ret == OPS_SKIPPED)
		return;
	if (c->created)
		ops_shadow_clear(st, p);
	switch (r->op) {
	case OP_MMAP:
		if (!ret)
			fresh(st, p, c->ret_addr, PAGE_ALIGN(c->len));
		else if (c->flags & MAP_FIXED)
			forget(st, p, c->addr, c->len);
		break;
	case OP_MUNMAP:
		forget(st, p, c->addr, c->len);
		break;
	case OP_MADVISE:
		if (c->advice != MADV_DONTNEED)
			break;
		if (ret)
			forget(st, p, c->addr, c->len);
		else
			fresh(st, p, c->addr, c->len);
		break;
	case OP_MREMAP:
		if (ret || !c->len || (c->addr & ~PAGE_MASK)) {
			forget(st, p, c->addr, c->len);
			forget(st, p, c->new_addr, c->new_len);
			if (!ret)
				forget(st, p, c->ret_addr, c->new_len);
		} else {
			shadow_mremap(st, p, c);
		}
		break;
	case OP_BRK:
		if (c->addr < c->old_brk)
			forget(st, p, c->addr, c->old_brk - c->addr);
		else
			forget(st, p, c->old_brk, PAGE_ALIGN(c->addr) - c->old_brk);
		break;
	case OP_FORK:
		if (!ret)
			shadow_fork(st, p, c->child);
		break;
	case OP_EXIT:
		ops_shadow_clear(st, p);
		break;
	default:
		/* mprotect, loads, stores, swap, migration, walks: nothing. */
		break;
	}
}
