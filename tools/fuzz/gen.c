/* SPDX-License-Identifier: MIT */
/*
 * The random scenario generator.
 *
 * It writes scenario text, operation by operation, and keeps the layout
 * it expects (gen_layout.c) so that every operation it writes succeeds
 * on a correct model and a correct kernel: mmap only where nothing is
 * mapped (or with `fixed`), mprotect/madvise only over mapped pages,
 * mremap inside one VMA, or over several and their gaps where it keeps
 * its size (6.17+), reads and writes only where permitted.
 * The few operations that must fail are written on purpose, each with
 * its `expect errno`.  When the run disagrees with this picture, the
 * run has found something (or the picture is wrong, which the fuzzer
 * reports the same way: as a failing scenario to look at).
 *
 * The choices are biased toward what has broken rmap code (spec §5.3,
 * §6): a small window so that mappings touch and merge, fork trees
 * several generations deep with exits in the middle, mprotect splits
 * and restores, mremap moves away and back (with MREMAP_DONTUNMAP),
 * writes and reads before and after forks, partial munmaps, madvise,
 * and in model-only runs swap-out and migration of shared folios.
 */
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "gen_internal.h"

/** fuzz_gen_defaults() - see fuzz.h. */
void fuzz_gen_defaults(struct fuzz_gen_opts *o, uint64_t seed)
{
	memset(o, 0, sizeof(*o));
	o->seed = seed;
	o->steps = 40;
	o->model_only = true;
	o->shared = true;
	o->files = true;
	o->shared_reads = true;
	o->errors = true;
}

/* ---- choosing who acts ------------------------------------------------ */

static int pick_live(struct gen *g)
{
	int live[GEN_MAX_PROCS], n = 0, i;

	for (i = 0; i < g->nprocs; i++)
		if (g->procs[i].live)
			live[n++] = i;
	if (!n)
		return -1;
	/* Faults right after a fork, in the child or its parent, matter most. */
	if (g->recent >= 0 && g->procs[g->recent].live && gen_chance(g, 40))
		return g->recent;
	return live[gen_rand(g, (unsigned long)n)];
}

/* A parent for a fork: deeper processes are likelier (deep fork trees). */
static int pick_parent(struct gen *g)
{
	unsigned long total = 0, r;
	int i;

	for (i = 0; i < g->nprocs; i++)
		if (g->procs[i].live)
			total += (unsigned long)g->procs[i].depth * 2 + 1;
	if (!total)
		return -1;
	r = gen_rand(g, total);
	for (i = 0; i < g->nprocs; i++) {
		unsigned long w;

		if (!g->procs[i].live)
			continue;
		w = (unsigned long)g->procs[i].depth * 2 + 1;
		if (r < w)
			return i;
		r -= w;
	}
	return -1;
}

static struct gen_proc *new_proc(struct gen *g)
{
	struct gen_proc *p = &g->procs[g->nprocs];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "P%d", g->nprocs + 1);
	p->live = true;
	g->recent = g->nprocs++;
	g->nlive++;
	return p;
}

/* ---- the operations: each returns false when it found nothing to do ---- */

static bool op_proc(struct gen *g)
{
	if (g->nprocs >= GEN_MAX_PROCS || g->nlive >= GEN_MAX_LIVE)
		return false;
	gen_emit(g, "proc %s", new_proc(g)->name);
	return true;
}

static bool op_fork(struct gen *g)
{
	struct gen_proc *parent, *child;
	int pi = pick_parent(g);

	if (pi < 0 || g->nprocs >= GEN_MAX_PROCS || g->nlive >= GEN_MAX_LIVE)
		return false;
	parent = &g->procs[pi];
	/* Forking an empty address space copies nothing: mostly pointless. */
	if (!gen_any(g, parent, 0, g->pages, gen_mapped) && gen_chance(g, 90))
		return false;
	child = new_proc(g);
	child->depth = parent->depth + 1;
	gen_fork(child, parent, g->pages);
	/* The heap is inherited (dup_mm copies the break). */
	child->brk_set = parent->brk_set;
	child->brk_base = parent->brk_base;
	child->brk = parent->brk;
	gen_emit(g, "%s fork %s", parent->name, child->name);
	return true;
}

static bool op_exit(struct gen *g)
{
	int i = pick_live(g);

	/* Keep someone alive: later lines need an actor. */
	if (i < 0 || g->nlive < 2)
		return false;
	g->procs[i].live = false;
	g->nlive--;
	gen_emit(g, "%s exit", g->procs[i].name);
	return true;
}

static unsigned int pick_prot(struct gen *g)
{
	static const unsigned char prots[] = {
		GP_R | GP_W, GP_R | GP_W, GP_R | GP_W, GP_R | GP_W, GP_R | GP_W,
		GP_R | GP_W, GP_R, GP_R, 0, GP_R | GP_X, GP_R | GP_W | GP_X,
	};

	return prots[gen_rand(g, sizeof(prots))];
}

/* A free range of @len pages right before or after where @p moved from. */
static bool near_old_place(struct gen *g, const struct gen_proc *p,
			   unsigned long len, unsigned long *first)
{
	unsigned long end = p->from + p->len;
	bool before = p->from >= len &&
		      gen_all(g, p, p->from - len, p->from, gen_free);
	bool after = end + len <= g->pages &&
		     gen_all(g, p, end, end + len, gen_free);

	if (!gen_all(g, p, p->from, end, gen_free) || (!before && !after))
		return false;
	if (before && (!after || gen_chance(g, 50)))
		*first = p->from - len;
	else
		*first = end;
	return true;
}

static bool op_mmap(struct gen *g)
{
	int pi = pick_live(g);
	struct gen_proc *p;
	struct gen_page like = { 0 };
	unsigned long len = gen_len(g), first;
	bool fixed = gen_chance(g, 8), noreserve = gen_chance(g, 10);
	unsigned long r = gen_rand(g, 100);
	char rb[24], words[64] = "";

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	like.kind = GK_ANON;
	if (g->o->shared && r < 10)
		like.kind = GK_SHANON;
	else if (g->o->files && r >= 90)
		like.kind = gen_chance(g, 60) ? GK_FILE : GK_SHFILE;
	like.prot = (unsigned char)pick_prot(g);
	if (like.kind == GK_FILE || like.kind == GK_SHFILE) {
		if (len > GEN_FILE_PAGES)
			len = GEN_FILE_PAGES;
		like.foff = (unsigned char)gen_rand(g, GEN_FILE_PAGES - len + 1);
	}
	if (p->back_in && gen_chance(g, 60) &&
	    near_old_place(g, p, len, &first)) {
		/* A neighbour for a VMA that is about to come back. */
		fixed = false;
	} else if (fixed) {
		/* MAP_FIXED may land on anything: often over existing pages. */
		if (len > g->pages)
			return false;
		first = gen_rand(g, g->pages - len + 1);
	} else if (!gen_pick_range(g, p, len, gen_free, true, &first)) {
		return false;
	}
	if (like.kind == GK_SHANON || like.kind == GK_SHFILE)
		strcat(words, " shared");
	if (fixed)
		strcat(words, " fixed");
	if (noreserve)
		strcat(words, " noreserve");
	if (like.kind == GK_FILE || like.kind == GK_SHFILE)
		sprintf(words + strlen(words), " file=F off=%u", like.foff);
	gen_map(g, p, first, first + len, &like);
	gen_emit(g, "%s mmap %s %s%s", p->name, gen_range(rb, first, first + len),
		 gen_prot(like.prot), words);
	return true;
}

static bool op_munmap(struct gen *g)
{
	int pi = pick_live(g);
	struct gen_proc *p;
	unsigned long len = gen_len(g), first, x;
	char rb[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	/* A partial range: it must hit something, and may cover holes. */
	if (!gen_pick_range(g, p, 1, gen_mapped, false, &x))
		return false;
	first = x >= len / 2 ? x - len / 2 : 0;
	if (first + len > g->pages)
		first = g->pages - len;
	gen_unmap(g, p, first, first + len);
	gen_emit(g, "%s munmap %s", p->name, gen_range(rb, first, first + len));
	return true;
}

static bool op_mprotect(struct gen *g)
{
	int pi = pick_live(g);
	struct gen_proc *p;
	unsigned long first, end, x;
	unsigned int prot;
	char rb[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	if (gen_chance(g, 50)) {
		/* Split: change part of one VMA. */
		if (!gen_pick_vma_range(g, p, gen_mapped, &first, &end))
			return false;
		prot = pick_prot(g);
	} else {
		/* Restore: give a range its neighbour's protection, so it can merge back. */
		unsigned long len = gen_len(g);

		if (!gen_pick_range(g, p, len, gen_mapped, false, &first))
			return false;
		end = first + len;
		if (first > 0 && p->pg[first - 1].kind != GK_NONE)
			prot = p->pg[first - 1].prot;
		else if (end < g->pages && p->pg[end].kind != GK_NONE)
			prot = p->pg[end].prot;
		else
			prot = pick_prot(g);
	}
	gen_split(g, p, first, end);
	for (x = first; x < end; x++)
		p->pg[x].prot = (unsigned char)prot;
	gen_emit(g, "%s mprotect %s %s", p->name, gen_range(rb, first, end),
		 gen_prot(prot));
	return true;
}

static bool op_madvise(struct gen *g)
{
	static const char *const names[] = {
		"dontneed", "dontneed", "dontfork", "dofork", "wipeonfork",
		"keeponfork",
	};
	int pi = pick_live(g), a = (int)gen_rand(g, 6);
	struct gen_proc *p;
	unsigned long len = gen_len(g), first, x;
	char rb[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	/* Wipe-on-fork is for private anonymous memory only (else EINVAL). */
	if (!gen_pick_range(g, p, len, a == 4 ? gen_private_anon : gen_mapped,
			    false, &first))
		return false;
	if (a < 2) {
		/* Private anonymous pages read zeros again; file ones the file. */
		for (x = first; x < first + len; x++) {
			p->pg[x].known = p->pg[x].kind == GK_ANON;
			p->pg[x].val = 0;
		}
	} else {
		gen_split(g, p, first, first + len);
		for (x = first; x < first + len; x++) {
			unsigned char *f = &p->pg[x].flags;

			if (a == 2)
				*f |= GF_DONTFORK;
			else if (a == 3)
				*f &= (unsigned char)~GF_DONTFORK;
			else if (a == 4)
				*f |= GF_WIPEONFORK;
			else
				*f &= (unsigned char)~GF_WIPEONFORK;
		}
	}
	gen_emit(g, "%s madvise %s %s", p->name,
		 gen_range(rb, first, first + len), names[a]);
	return true;
}

/*
 * A source for a move over several VMAs (6.17+): from a private
 * anonymous page, over more than one id or a gap.
 */
static bool pick_multi_range(struct gen *g, const struct gen_proc *p,
			     unsigned long *first, unsigned long *end)
{
	int tries;

	for (tries = 0; tries < 8; tries++) {
		unsigned long a = gen_rand(g, g->pages), x;
		unsigned long b = a + 2 + gen_rand(g, GEN_MAX_LEN - 1);

		if (!gen_multi_ok(g, p, a, b))
			continue;
		for (x = a + 1; x < b; x++)
			if (p->pg[x].kind == GK_NONE || p->pg[x].id != p->pg[a].id)
				break;
		if (x == b)
			continue;	/* one id: the single-VMA move does it */
		*first = a;
		*end = b;
		return true;
	}
	return false;
}

/*
 * mremap to a fixed place: the source inside one private anonymous VMA,
 * or, keeping its size, over several of them and the gaps between
 * (6.17+); the destination anywhere in the window that does not overlap
 * it (MREMAP_FIXED unmaps what is there).  Often it moves the last move
 * back, so the VMAs meet their old neighbours again (spec §5.3-7, -8,
 * -10), and pieces moved together may merge where alone they did not.
 */
static bool op_mremap_move(struct gen *g, struct gen_proc *p, bool back_only)
{
	unsigned long first, end, old_len, new_len, dst;
	bool dontunmap, back = false;
	char rb[24], rb2[24];

	if (p->moved && (back_only || gen_chance(g, 50)) &&
	    gen_multi_ok(g, p, p->to, p->to + p->len)) {
		first = p->to;
		end = p->to + p->len;
		dst = p->from;
		new_len = p->len;
		back = true;
	} else if (back_only) {
		return false;
	} else if (gen_chance(g, 30) && pick_multi_range(g, p, &first, &end)) {
		new_len = end - first;
		dst = gen_rand(g, g->pages - new_len + 1);
		if (gen_chance(g, 70))
			gen_pick_range(g, p, new_len, gen_free, true, &dst);
	} else {
		if (!gen_pick_vma_range(g, p, gen_private_anon, &first, &end))
			return false;
		new_len = gen_chance(g, 80) ? end - first : gen_len(g);
		if (new_len > g->pages)
			return false;
		dst = gen_rand(g, g->pages - new_len + 1);
		/* Prefer a free place next to a mapping: merges. */
		if (gen_chance(g, 70))
			gen_pick_range(g, p, new_len, gen_free, true, &dst);
	}
	old_len = end - first;
	if (dst < end && dst + new_len > first)
		return false;	/* overlapping moves are EINVAL */
	dontunmap = new_len == old_len && gen_chance(g, 30);

	if (new_len == old_len)
		gen_move_pieces(g, p, first, end, dst, dontunmap);
	else
		gen_move(g, p, first, end, dst, new_len, dontunmap);
	p->moved = !back;
	/*
	 * Often plan the way back: a few operations later, which may map
	 * an unfaulted neighbour at the old place first (spec §6.6).
	 */
	p->back_in = !back && gen_chance(g, 60) ? 1 + (int)gen_rand(g, 3) : 0;
	p->from = first;
	p->to = dst;
	p->len = new_len < old_len ? new_len : old_len;
	gen_emit(g, "%s mremap %s to %s%s", p->name, gen_range(rb, first, end),
		 gen_range(rb2, dst, dst + new_len), dontunmap ? " dontunmap" : "");
	return true;
}

/* mremap in place: shrink, or grow into free pages right after the VMA. */
static bool op_mremap_resize(struct gen *g, struct gen_proc *p)
{
	unsigned long first, end, n, x;
	char rb[24];

	if (!gen_pick_vma_range(g, p, gen_private_anon, &first, &end))
		return false;
	if (gen_chance(g, 50) && end - first >= 2) {
		n = 1 + gen_rand(g, end - first - 1);
		gen_unmap(g, p, first + n, end);
	} else {
		unsigned long grow = 1 + gen_rand(g, 3);

		/*
		 * The page after the range is free, so the range ends where
		 * its VMA ends: growing in place is possible, and the only
		 * possibility without MREMAP_MAYMOVE.
		 */
		if (end + grow > g->pages ||
		    !gen_all(g, p, end, end + grow, gen_free))
			return false;
		n = end - first + grow;
		for (x = end; x < end + grow; x++) {
			p->pg[x] = p->pg[end - 1];
			p->pg[x].known = 1;
			p->pg[x].val = 0;
		}
	}
	gen_emit(g, "%s mremap %s %lu", p->name, gen_range(rb, first, end), n);
	return true;
}

static bool op_mremap(struct gen *g)
{
	int pi = pick_live(g);

	if (pi < 0)
		return false;
	if (gen_chance(g, 70))
		return op_mremap_move(g, &g->procs[pi], false);
	return op_mremap_resize(g, &g->procs[pi]);
}

/*
 * Without shared_reads, loads only from private anonymous pages: a read
 * fault on a file or shmem page maps neighbouring page-cache pages too on
 * the kernel (fault-around, kernel-oracle.md §2 pitfall e), which the
 * model does not do.  Stores fault one page on both.
 */
static bool anon_readable(const struct gen_page *pg)
{
	return gen_readable(pg) && pg->kind == GK_ANON;
}

static bool op_access(struct gen *g, bool write)
{
	int pi = pick_live(g);
	struct gen_proc *p;
	unsigned long len = gen_len(g), first, x;
	gen_pred pred = write ? gen_writable :
			g->o->shared_reads ? gen_readable : anon_readable;
	char rb[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	/* Long ranges rarely fit: fall back to one page. */
	if (!gen_pick_range(g, p, len, pred, false, &first) &&
	    !gen_pick_range(g, p, len = 1, pred, false, &first))
		return false;
	gen_range(rb, first, first + len);
	if (write) {
		/* One value per line, so that a later read can name it. */
		unsigned int v = 0x100 + (unsigned int)g->ops;

		for (x = first; x < first + len; x++) {
			p->pg[x].known = p->pg[x].kind == GK_ANON ||
					 p->pg[x].kind == GK_FILE;
			p->pg[x].val = v;
		}
		gen_emit(g, "%s write %s = 0x%x", p->name, rb, v);
		return true;
	}
	for (x = first; x < first + len; x++)
		if (!p->pg[x].known || p->pg[x].val != p->pg[first].val)
			break;
	if (x == first + len && gen_chance(g, 80))
		gen_emit(g, "%s read %s == 0x%x", p->name, rb, p->pg[first].val);
	else
		gen_emit(g, "%s read %s", p->name, rb);
	return true;
}

/*
 * The heap (model only: the kernel places it at exec).  `brk base` once
 * per process tree, then moves: growing needs the new pages free and
 * one more after them (brk(2) keeps a page of gap below the next
 * mapping), shrinking needs something mapped in the pages it gives
 * back (else the model refuses it).
 */
static bool op_brk(struct gen *g)
{
	int pi = pick_live(g);
	struct gen_proc *p;
	struct gen_page heap = { .kind = GK_ANON, .prot = GP_R | GP_W };
	unsigned long n, first;
	char rb[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	if (!p->brk_set) {
		if (!gen_pick_range(g, p, 1, gen_free, true, &first))
			return false;
		p->brk_set = true;
		p->brk_base = p->brk = first;
		gen_emit(g, "%s brk base %s", p->name, gen_range(rb, first, first + 1));
		return true;
	}
	n = 1 + gen_rand(g, 3);
	if (gen_chance(g, 60)) {
		if (p->brk + n > g->pages ||
		    !gen_all(g, p, p->brk, p->brk + n, gen_free) ||
		    (p->brk + n < g->pages && !gen_free(&p->pg[p->brk + n])))
			return false;
		gen_map(g, p, p->brk, p->brk + n, &heap);
		p->brk += n;
		gen_emit(g, "%s brk +%lu", p->name, n);
		return true;
	}
	if (p->brk < p->brk_base + n ||
	    !gen_any(g, p, p->brk - n, p->brk, gen_mapped))
		return false;
	gen_unmap(g, p, p->brk - n, p->brk);
	p->brk -= n;
	gen_emit(g, "%s brk -%lu", p->name, n);
	return true;
}

/*
 * @op on a range of one VMA of a live process, whose pages pass @ok:
 * swapout and migrate take private anonymous pages (others are EINVAL),
 * rmap and referenced any mapped pages (pages without a folio are
 * skipped).  swapout sometimes keeps the swap cache.
 */
static bool op_vma_range(struct gen *g, const char *op,
			 bool (*ok)(const struct gen_page *))
{
	int pi = pick_live(g);
	struct gen_proc *p;
	unsigned long first, end;
	char rb[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	if (!gen_pick_vma_range(g, p, ok, &first, &end))
		return false;
	gen_emit(g, "%s %s %s%s", op, p->name, gen_range(rb, first, end),
		 !strcmp(op, "swapout") && gen_chance(g, 25) ? " keepcache" : "");
	return true;
}

/*
 * An operation that certainly fails, and its `expect errno`.  Each one
 * fails before changing anything, except madvise(MADV_DONTNEED) over a
 * hole, which zaps the mapped pages and then says ENOMEM.
 */
static bool op_error(struct gen *g)
{
	int pi = pick_live(g), what = (int)gen_rand(g, 5);
	struct gen_proc *p;
	unsigned long x, len = gen_len(g), first;
	char rb[24], rb2[24];

	if (pi < 0)
		return false;
	p = &g->procs[pi];
	x = gen_rand(g, g->pages);
	switch (what) {
	case 0:		/* a load or a store without permission */
	case 1:
		if (what == 0 ? gen_readable(&p->pg[x]) : gen_writable(&p->pg[x]))
			return false;
		gen_emit(g, "%s %s @%lu", p->name, what ? "write" : "read", x);
		gen_emit(g, "expect errno SIGSEGV");
		return true;
	case 2:		/* MAP_FIXED_NOREPLACE over a mapping */
		first = x + len > g->pages ? g->pages - len : x;
		if (!gen_any(g, p, first, first + len, gen_mapped))
			return false;
		gen_emit(g, "%s mmap %s rw", p->name, gen_range(rb, first, first + len));
		gen_emit(g, "expect errno EEXIST");
		return true;
	case 3:		/* mprotect starting in a hole; mremap of nothing */
		if (p->pg[x].kind != GK_NONE)
			return false;
		if (gen_chance(g, 50) || x + len > g->pages) {
			gen_emit(g, "%s mprotect @%lu rw", p->name, x);
			gen_emit(g, "expect errno ENOMEM");
			return true;
		}
		first = x + len + gen_rand(g, 4);
		if (first + len > g->pages)
			return false;
		gen_emit(g, "%s mremap %s to %s", p->name,
			 gen_range(rb, x, x + len),
			 gen_range(rb2, first, first + len));
		gen_emit(g, "expect errno EFAULT");
		return true;
	default:	/* MADV_DONTNEED over a hole: done where mapped, ENOMEM */
		first = x + len > g->pages ? g->pages - len : x;
		if (!gen_any(g, p, first, first + len, gen_free))
			return false;
		/* The mapped pages are zapped all the same. */
		for (x = first; x < first + len; x++) {
			p->pg[x].known = p->pg[x].kind == GK_ANON;
			p->pg[x].val = 0;
		}
		gen_emit(g, "%s madvise %s dontneed", p->name,
			 gen_range(rb, first, first + len));
		gen_emit(g, "expect errno ENOMEM");
		return true;
	}
}

/* ---- the scenario ----------------------------------------------------- */

enum gen_op {
	G_MMAP, G_MUNMAP, G_MPROTECT, G_MADVISE, G_MREMAP, G_READ, G_WRITE,
	G_FORK, G_EXIT, G_PROC, G_SWAPOUT, G_MIGRATE, G_RMAP, G_REFERENCED,
	G_CHECK, G_ERROR, G_BRK, NR_G_OPS
};

static const unsigned int weights[NR_G_OPS] = {
	[G_MMAP] = 14, [G_MUNMAP] = 5, [G_MPROTECT] = 9, [G_MADVISE] = 6,
	[G_MREMAP] = 10, [G_READ] = 8, [G_WRITE] = 18, [G_FORK] = 8,
	[G_EXIT] = 4, [G_PROC] = 1, [G_SWAPOUT] = 5, [G_MIGRATE] = 3,
	[G_RMAP] = 1, [G_REFERENCED] = 1, [G_CHECK] = 1, [G_ERROR] = 2,
	[G_BRK] = 3,
};

static bool allowed(const struct gen *g, enum gen_op op)
{
	switch (op) {
	case G_SWAPOUT:
	case G_MIGRATE:
	case G_RMAP:
	case G_REFERENCED:
	case G_CHECK:
	case G_BRK:
		return g->o->model_only;
	case G_ERROR:
		return g->o->errors;
	default:
		return true;
	}
}

static bool one_op(struct gen *g, enum gen_op op)
{
	switch (op) {
	case G_MMAP:		return op_mmap(g);
	case G_MUNMAP:		return op_munmap(g);
	case G_MPROTECT:	return op_mprotect(g);
	case G_MADVISE:		return op_madvise(g);
	case G_MREMAP:		return op_mremap(g);
	case G_READ:		return op_access(g, false);
	case G_WRITE:		return op_access(g, true);
	case G_FORK:		return op_fork(g);
	case G_EXIT:		return op_exit(g);
	case G_PROC:		return op_proc(g);
	case G_SWAPOUT:		return op_vma_range(g, "swapout", gen_private_anon);
	case G_MIGRATE:		return op_vma_range(g, "migrate", gen_private_anon);
	case G_RMAP:		return op_vma_range(g, "rmap", gen_mapped);
	case G_REFERENCED:	return op_vma_range(g, "referenced", gen_mapped);
	case G_CHECK:		gen_emit(g, "check"); return true;
	case G_BRK:		return op_brk(g);
	default:		return op_error(g);
	}
}

static enum gen_op pick_op(struct gen *g)
{
	unsigned int total = 0, r;
	int i;

	for (i = 0; i < NR_G_OPS; i++)
		if (allowed(g, (enum gen_op)i))
			total += weights[i];
	r = (unsigned int)gen_rand(g, total);
	for (i = 0; i < NR_G_OPS; i++) {
		if (!allowed(g, (enum gen_op)i))
			continue;
		if (r < weights[i])
			break;
		r -= weights[i];
	}
	return (enum gen_op)i;
}

/* A move back that op_mremap_move() planned, when its time has come. */
static bool planned_move_back(struct gen *g)
{
	int i;

	for (i = 0; i < g->nprocs; i++) {
		struct gen_proc *p = &g->procs[i];

		if (!p->live || !p->back_in || --p->back_in)
			continue;
		if (op_mremap_move(g, p, true))
			return true;
	}
	return false;
}

/** fuzz_generate() - see fuzz.h. */
char *fuzz_generate(const struct fuzz_gen_opts *o)
{
	struct gen *g = calloc(1, sizeof(*g));
	char *text;
	int b, tries;

	if (!g)
		goto oom;
	g->o = o;
	g->recent = -1;
	fuzz_rng_seed(&g->rng, o->seed);
	g->out = open_memstream(&g->buf, &g->len);
	if (!g->out)
		goto oom;
	g->pages = GEN_MIN_PAGES + gen_rand(g, GEN_MAX_PAGES - GEN_MIN_PAGES + 1);

	gen_emit(g, "# anonvma fuzz: seed %llu", (unsigned long long)o->seed);
	gen_emit(g, "window 0x%lx pages %lu", 0x200000000000UL, g->pages);
	if (o->design)
		gen_emit(g, "design %s", o->design);
	for (b = 0; b < NR_BUGS; b++)
		if (o->bugs & (1UL << b))
			gen_emit(g, "bug %s", bug_name((enum anonvma_bug)b));
	if (o->files)
		gen_emit(g, "file F %d", GEN_FILE_PAGES);

	op_proc(g);
	/* Something to fork and share first: a mapping or two, written. */
	for (g->ops = 1; g->ops < o->steps && g->ops < 4; g->ops++)
		if (!(g->ops & 1) ? !op_access(g, true) : !op_mmap(g))
			op_mmap(g);
	for (; g->ops < o->steps; g->ops++) {
		if (planned_move_back(g))
			continue;
		for (tries = 0; tries < 64; tries++)
			if (one_op(g, pick_op(g)))
				break;
		if (tries == 64 && !op_proc(g))
			break;	/* nothing possible any more: a short scenario */
	}
	fclose(g->out);
	text = g->buf;
	free(g);
	return text;
oom:
	fprintf(stderr, "anonvma: out of memory\n");
	exit(2);
}
