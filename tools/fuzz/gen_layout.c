/* SPDX-License-Identifier: MIT */
/*
 * The generator's picture of each process's layout (gen_internal.h):
 * updating it as operations are written, and picking ranges on which an
 * operation is sure to succeed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"

/** gen_mapped() - the page is mapped. */
bool gen_mapped(const struct gen_page *pg)
{
	return pg->kind != GK_NONE;
}

/** gen_free() - nothing is mapped at the page. */
bool gen_free(const struct gen_page *pg)
{
	return pg->kind == GK_NONE;
}

/** gen_readable() - a load from the page succeeds. */
bool gen_readable(const struct gen_page *pg)
{
	return pg->kind != GK_NONE && (pg->prot & GP_R);
}

/** gen_writable() - a store to the page succeeds. */
bool gen_writable(const struct gen_page *pg)
{
	return pg->kind != GK_NONE && (pg->prot & GP_W);
}

/** gen_private_anon() - private anonymous memory (mremap, swap, wipeonfork). */
bool gen_private_anon(const struct gen_page *pg)
{
	return pg->kind == GK_ANON;
}

/** gen_len() - see gen_internal.h. */
unsigned long gen_len(struct gen *g)
{
	unsigned long r = gen_rand(g, 100);

	if (r < 40)
		return 1;
	if (r < 70)
		return 2;
	if (r < 85)
		return 3;
	return 4 + gen_rand(g, GEN_MAX_LEN - 3);
}

/** gen_split_at() - see gen_internal.h. */
void gen_split_at(struct gen *g, struct gen_proc *p, unsigned long x)
{
	unsigned int old, id;

	if (x == 0 || x >= g->pages)
		return;
	if (p->pg[x - 1].kind == GK_NONE || p->pg[x].kind == GK_NONE ||
	    p->pg[x - 1].id != p->pg[x].id)
		return;
	old = p->pg[x].id;
	id = ++g->next_id;
	for (; x < g->pages && p->pg[x].kind != GK_NONE && p->pg[x].id == old; x++)
		p->pg[x].id = id;
}

/** gen_split() - see gen_internal.h. */
void gen_split(struct gen *g, struct gen_proc *p, unsigned long first,
	       unsigned long end)
{
	unsigned long x;

	gen_split_at(g, p, first);
	gen_split_at(g, p, end);
	/*
	 * Inside, each VMA keeps being one VMA but gets a new id: an
	 * operation on it may have changed how it relates to its
	 * neighbours, and ids are never reused, so nothing stale survives.
	 */
	for (x = first; x < end; x++) {
		unsigned int old = p->pg[x].id, id;

		if (p->pg[x].kind == GK_NONE)
			continue;
		id = ++g->next_id;
		for (; x < end && p->pg[x].kind != GK_NONE && p->pg[x].id == old; x++)
			p->pg[x].id = id;
		x--;
	}
}

/** gen_unmap() - see gen_internal.h. */
void gen_unmap(struct gen *g, struct gen_proc *p, unsigned long first,
	       unsigned long end)
{
	unsigned long x;

	gen_split(g, p, first, end);
	for (x = first; x < end && x < g->pages; x++)
		memset(&p->pg[x], 0, sizeof(p->pg[x]));
}

/** gen_map() - see gen_internal.h. */
void gen_map(struct gen *g, struct gen_proc *p, unsigned long first,
	     unsigned long end, const struct gen_page *like)
{
	unsigned int id = ++g->next_id;
	unsigned long x;

	gen_unmap(g, p, first, end);
	for (x = first; x < end; x++) {
		p->pg[x] = *like;
		p->pg[x].id = id;
		p->pg[x].foff = (unsigned char)(like->foff + (x - first));
		p->pg[x].known = like->kind == GK_ANON;
		p->pg[x].val = 0;
	}
}

/** gen_move() - see gen_internal.h. */
void gen_move(struct gen *g, struct gen_proc *p, unsigned long first,
	      unsigned long end, unsigned long dst, unsigned long new_len,
	      bool dontunmap)
{
	unsigned long old_len = end - first, x;
	struct gen_page src[GEN_MAX_PAGES];

	for (x = 0; x < new_len; x++)
		src[x] = p->pg[first + (x < old_len ? x : old_len - 1)];
	if (dontunmap)
		gen_split(g, p, first, end);
	else
		gen_unmap(g, p, first, end);
	gen_map(g, p, dst, dst + new_len, &src[0]);
	for (x = 0; x < new_len; x++) {
		p->pg[dst + x].prot = src[x].prot;
		p->pg[dst + x].flags = src[x].flags;
		p->pg[dst + x].val = x < old_len ? src[x].val : 0;
		p->pg[dst + x].known = x < old_len ? src[x].known : 1;
	}
	for (x = first; dontunmap && x < end; x++) {
		p->pg[x].val = 0;
		p->pg[x].known = 1;
	}
}

/** gen_multi_ok() - see gen_internal.h. */
bool gen_multi_ok(const struct gen *g, const struct gen_proc *p,
		  unsigned long first, unsigned long end)
{
	unsigned long x;

	if (end > g->pages || first >= end || !gen_private_anon(&p->pg[first]))
		return false;
	for (x = first; x < end; x++)
		if (p->pg[x].kind != GK_NONE && !gen_private_anon(&p->pg[x]))
			return false;
	return true;
}

/** gen_move_pieces() - see gen_internal.h. */
void gen_move_pieces(struct gen *g, struct gen_proc *p, unsigned long first,
		     unsigned long end, unsigned long dst, bool dontunmap)
{
	unsigned long len = end - first, x, b, k;
	struct gen_page src[GEN_MAX_PAGES];

	memcpy(src, &p->pg[first], len * sizeof(src[0]));
	if (dontunmap)
		gen_split(g, p, first, end);
	else
		gen_unmap(g, p, first, end);
	for (x = 0; x < len; x = b) {
		b = x + 1;
		if (src[x].kind == GK_NONE)
			continue;	/* what lies opposite a gap stays */
		/* One id is surely one VMA, so one piece of its own. */
		while (b < len && src[b].kind != GK_NONE && src[b].id == src[x].id)
			b++;
		gen_map(g, p, dst + x, dst + b, &src[x]);
		for (k = x; k < b; k++) {
			p->pg[dst + k].prot = src[k].prot;
			p->pg[dst + k].flags = src[k].flags;
			p->pg[dst + k].val = src[k].val;
			p->pg[dst + k].known = src[k].known;
		}
	}
	for (x = first; dontunmap && x < end; x++) {
		p->pg[x].val = 0;
		p->pg[x].known = 1;
	}
}

/** gen_fork() - see gen_internal.h. */
void gen_fork(struct gen_proc *child, const struct gen_proc *parent,
	      unsigned long pages)
{
	unsigned long x;

	for (x = 0; x < pages; x++) {
		child->pg[x] = parent->pg[x];
		/* dup_mmap() skips VM_DONTCOPY VMAs; wipe-on-fork ones stay. */
		if (parent->pg[x].flags & GF_DONTFORK) {
			memset(&child->pg[x], 0, sizeof(child->pg[x]));
		} else if (parent->pg[x].flags & GF_WIPEONFORK) {
			child->pg[x].known = 1;
			child->pg[x].val = 0;
		}
	}
}

/** gen_all() - see gen_internal.h. */
bool gen_all(const struct gen *g, const struct gen_proc *p,
	     unsigned long first, unsigned long end, gen_pred pred)
{
	unsigned long x;

	if (end > g->pages || first >= end)
		return false;
	for (x = first; x < end; x++)
		if (!pred(&p->pg[x]))
			return false;
	return true;
}

/** gen_any() - see gen_internal.h. */
bool gen_any(const struct gen *g, const struct gen_proc *p,
	     unsigned long first, unsigned long end, gen_pred pred)
{
	unsigned long x;

	for (x = first; x < end && x < g->pages; x++)
		if (pred(&p->pg[x]))
			return true;
	return false;
}

static bool touches(const struct gen *g, const struct gen_proc *p,
		    unsigned long first, unsigned long end)
{
	return (first > 0 && p->pg[first - 1].kind != GK_NONE) ||
	       (end < g->pages && p->pg[end].kind != GK_NONE);
}

/** gen_pick_range() - see gen_internal.h. */
bool gen_pick_range(struct gen *g, const struct gen_proc *p,
		    unsigned long len, gen_pred pred, bool touch,
		    unsigned long *first)
{
	unsigned long cand[GEN_MAX_PAGES], near[GEN_MAX_PAGES];
	unsigned long n = 0, nn = 0, x;

	if (!len || len > g->pages)
		return false;
	for (x = 0; x + len <= g->pages; x++) {
		if (!gen_all(g, p, x, x + len, pred))
			continue;
		cand[n++] = x;
		if (touch && touches(g, p, x, x + len))
			near[nn++] = x;
	}
	if (!n)
		return false;
	if (nn && gen_chance(g, 75))
		*first = near[gen_rand(g, nn)];
	else
		*first = cand[gen_rand(g, n)];
	return true;
}

/** gen_id_run() - see gen_internal.h. */
void gen_id_run(const struct gen *g, const struct gen_proc *p,
		unsigned long x, unsigned long *first, unsigned long *end)
{
	unsigned int id = p->pg[x].id;
	unsigned long a = x, b = x + 1;

	while (a > 0 && p->pg[a - 1].kind != GK_NONE && p->pg[a - 1].id == id)
		a--;
	while (b < g->pages && p->pg[b].kind != GK_NONE && p->pg[b].id == id)
		b++;
	*first = a;
	*end = b;
}

/** gen_pick_vma_range() - see gen_internal.h. */
bool gen_pick_vma_range(struct gen *g, const struct gen_proc *p,
			gen_pred pred, unsigned long *first,
			unsigned long *end)
{
	unsigned long cand[GEN_MAX_PAGES], n = 0, x, a, b, len;

	for (x = 0; x < g->pages; x++)
		if (p->pg[x].kind != GK_NONE && pred(&p->pg[x]))
			cand[n++] = x;
	if (!n)
		return false;
	/* Pages of one id share their VMA's attributes: @pred holds on all. */
	gen_id_run(g, p, cand[gen_rand(g, n)], &a, &b);
	if (gen_chance(g, 40) || b - a == 1) {
		*first = a;
		*end = b;
		return true;
	}
	len = 1 + gen_rand(g, b - a);
	*first = a + gen_rand(g, b - a - len + 1);
	*end = *first + len;
	return true;
}

/** gen_emit() - see gen_internal.h. */
void gen_emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(g->out, fmt, ap);
	va_end(ap);
	fputc('\n', g->out);
}

/** gen_range() - see gen_internal.h. */
const char *gen_range(char *buf, unsigned long first, unsigned long end)
{
	if (end == first + 1)
		sprintf(buf, "@%lu", first);
	else
		sprintf(buf, "@%lu:%lu", first, end);
	return buf;
}

/** gen_prot() - see gen_internal.h. */
const char *gen_prot(unsigned int prot)
{
	static const char *const names[8] = {
		"none", "r", "w", "rw", "x", "rx", "wx", "rwx",
	};

	return names[prot & 7];
}
