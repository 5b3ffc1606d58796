/* SPDX-License-Identifier: MIT */
/*
 * The generator's rules, applied to a parsed scenario: is every
 * operation one the generator would have written (sure to succeed, or
 * sure to fail with its `expect errno`), and does every `read R == V`
 * name the value the generator's shadow of memory holds?
 *
 * The shrinker needs this for failures that are disagreements with the
 * generator (an operation that failed, a read that returned another
 * value): deleting lines could otherwise "keep" such a failure by
 * breaking the scenario, e.g. by dropping the mmap an mremap needs or
 * the write a read checks.  A candidate that breaks the rules is not a
 * smaller version of the finding, so it is refused.
 *
 * The layout and the shadow values are the generator's own
 * (gen_layout.c), so generator and validator cannot drift apart; the
 * unit tests check that every generated scenario passes here.  Each
 * operation's rule is the @shadow hook of its entry in scn_ops[]
 * (tools/scenario/ops.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/mm.h>

#include "../scenario/ops.h"
#include "../scenario/scenario.h"
#include "gen_internal.h"

#define fail(...) do { snprintf(why, n, __VA_ARGS__); return false; } while (0)

static bool pages_in(const struct gen *g, const struct scn_range *r)
{
	return r->first < r->end && r->end <= g->pages;
}

/* [first, end) lies in one id (one VMA for sure) of private anon memory. */
static bool one_anon_vma(const struct gen *g, const struct gen_proc *p,
			 const struct scn_range *r)
{
	unsigned long a, b;

	if (!gen_all(g, p, r->first, r->end, gen_private_anon))
		return false;
	gen_id_run(g, p, r->first, &a, &b);
	return r->end <= b;
}

/** gen_shadow_mmap() - see gen_internal.h. */
bool gen_shadow_mmap(struct gen *g, const struct scenario *s,
		     const struct scn_step *st, struct gen_proc *p,
		     char *why, size_t n)
{
	struct gen_page like = { 0 };
	bool shared = st->flags & MAP_SHARED;
	unsigned long gen_flags = MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS |
				  MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_NORESERVE;

	/* The generator writes none of the other mmap words. */
	if ((st->flags & ~gen_flags) || (st->flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		fail("mmap with flags the generator does not write");
	if (st->expect_errno) {
		if (st->expect_errno != EEXIST || (st->flags & MAP_FIXED) ||
		    !gen_any(g, p, st->r.first, st->r.end, gen_mapped))
			fail("mmap may not fail with %s", scn_result_name(st->expect_errno));
		return true;
	}
	if (!(st->flags & MAP_FIXED) &&
	    !gen_all(g, p, st->r.first, st->r.end, gen_free))
		fail("mmap over a mapping without 'fixed'");
	like.prot = (unsigned char)(st->prot & 7);
	if (st->file >= 0) {
		if (st->off + scn_range_pages(&st->r) > s->files[st->file].pages ||
		    st->off > 255)
			fail("mmap beyond the end of the file");
		like.kind = shared ? GK_SHFILE : GK_FILE;
		like.foff = (unsigned char)st->off;
	} else {
		like.kind = shared ? GK_SHANON : GK_ANON;
	}
	gen_map(g, p, st->r.first, st->r.end, &like);
	return true;
}

/** gen_shadow_madvise() - see gen_internal.h. */
bool gen_shadow_madvise(struct gen *g, const struct scenario *s,
			const struct scn_step *st, struct gen_proc *p,
			char *why, size_t n)
{
	unsigned long x;

	switch (st->advice) {
	case MADV_DONTNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		break;
	default:
		fail("madvise with advice the generator does not write");
	}
	if (st->expect_errno) {
		if (st->expect_errno != ENOMEM || st->advice != MADV_DONTNEED ||
		    !gen_any(g, p, st->r.first, st->r.end, gen_free))
			fail("madvise may not fail with %s", scn_result_name(st->expect_errno));
	} else if (!gen_all(g, p, st->r.first, st->r.end,
			    st->advice == MADV_WIPEONFORK ? gen_private_anon :
							    gen_mapped)) {
		fail("madvise over a hole or the wrong memory");
	}
	if (st->advice != MADV_DONTNEED)
		gen_split(g, p, st->r.first, st->r.end);
	for (x = st->r.first; x < st->r.end; x++) {
		unsigned char *f = &p->pg[x].flags;

		switch (st->advice) {
		case MADV_DONTNEED:
			p->pg[x].known = p->pg[x].kind == GK_ANON;
			p->pg[x].val = 0;
			break;
		case MADV_DONTFORK:	*f |= GF_DONTFORK; break;
		case MADV_DOFORK:	*f &= (unsigned char)~GF_DONTFORK; break;
		case MADV_WIPEONFORK:	*f |= GF_WIPEONFORK; break;
		default:		*f &= (unsigned char)~GF_WIPEONFORK; break;
		}
	}
	return true;
}

/** gen_shadow_mremap() - see gen_internal.h. */
bool gen_shadow_mremap(struct gen *g, const struct scenario *s,
		       const struct scn_step *st, struct gen_proc *p,
		       char *why, size_t n)
{
	unsigned long old_len = scn_range_pages(&st->r), x, new_len, dst;
	bool dontunmap = st->flags & MREMAP_DONTUNMAP;

	if (st->expect_errno) {
		if (st->expect_errno != EFAULT || p->pg[st->r.first].kind != GK_NONE ||
		    ((st->flags & MREMAP_FIXED) && st->r2.first < st->r.end &&
		     st->r2.end > st->r.first))
			fail("mremap may not fail with %s", scn_result_name(st->expect_errno));
		return true;
	}
	/* A pure move may span VMAs and gaps (6.17+, remap_move()). */
	if ((st->flags & MREMAP_FIXED) && scn_range_pages(&st->r2) == old_len) {
		if (!gen_multi_ok(g, p, st->r.first, st->r.end))
			fail("mremap of a range that is not private anonymous memory from a VMA on");
		if (st->r2.first < st->r.end && st->r2.end > st->r.first)
			fail("mremap onto its own source");
		gen_move_pieces(g, p, st->r.first, st->r.end, st->r2.first,
				dontunmap);
		return true;
	}
	if (!one_anon_vma(g, p, &st->r))
		fail("mremap of a range that is not surely one private anonymous VMA");
	if (!(st->flags & MREMAP_FIXED)) {
		unsigned long end = st->r.end;

		if (st->npages < old_len) {
			gen_unmap(g, p, st->r.first + st->npages, end);
			return true;
		}
		if (st->r.first + st->npages > g->pages ||
		    !gen_all(g, p, end, st->r.first + st->npages, gen_free))
			fail("mremap cannot grow in place");
		for (x = end; x < st->r.first + st->npages; x++) {
			p->pg[x] = p->pg[end - 1];
			p->pg[x].known = 1;
			p->pg[x].val = 0;
		}
		return true;
	}
	dst = st->r2.first;
	new_len = scn_range_pages(&st->r2);
	if (dst < st->r.end && st->r2.end > st->r.first)
		fail("mremap onto its own source");
	if (dontunmap && new_len != old_len)
		fail("mremap dontunmap with another length");
	gen_move(g, p, st->r.first, st->r.end, dst, new_len, dontunmap);
	return true;
}

/** gen_shadow_brk_base() - see gen_internal.h. */
bool gen_shadow_brk_base(struct gen *g, const struct scenario *s,
			 const struct scn_step *st, struct gen_proc *p,
			 char *why, size_t n)
{
	if (p->brk_set)
		fail("brk base twice");
	p->brk_set = true;
	p->brk_base = p->brk = st->r.first;
	return true;
}

/** gen_shadow_brk() - see gen_internal.h. */
bool gen_shadow_brk(struct gen *g, const struct scenario *s,
		    const struct scn_step *st, struct gen_proc *p,
		    char *why, size_t n)
{
	struct gen_page heap = { .kind = GK_ANON, .prot = GP_R | GP_W };
	unsigned long k;

	if (st->expect_errno)
		fail("brk may not fail");
	if (st->delta > 0) {
		k = (unsigned long)st->delta;
		if (p->brk + k > g->pages ||
		    !gen_all(g, p, p->brk, p->brk + k, gen_free) ||
		    (p->brk + k < g->pages && !gen_free(&p->pg[p->brk + k])))
			fail("brk cannot grow");
		gen_map(g, p, p->brk, p->brk + k, &heap);
		p->brk += k;
		return true;
	}
	k = (unsigned long)-st->delta;
	if (p->brk < p->brk_base + k || !gen_any(g, p, p->brk - k, p->brk, gen_mapped))
		fail("brk cannot shrink");
	gen_unmap(g, p, p->brk - k, p->brk);
	p->brk -= k;
	return true;
}

static bool do_access(struct gen *g, const struct scn_step *st,
		      struct gen_proc *p, bool write, char *why, size_t n)
{
	gen_pred ok = write ? gen_writable : gen_readable;
	unsigned long x;

	if (st->expect_errno) {
		if (st->expect_errno != SCN_SIGSEGV ||
		    gen_all(g, p, st->r.first, st->r.end, ok))
			fail("%s may not fail with %s", write ? "write" : "read",
			     scn_result_name(st->expect_errno));
		/* The pages before the faulting one are accessed. */
		for (x = st->r.first; ok(&p->pg[x]); x++) {
			if (write) {
				p->pg[x].known = p->pg[x].kind == GK_ANON ||
						 p->pg[x].kind == GK_FILE;
				p->pg[x].val = st->has_value ? (unsigned int)st->value :
					       (unsigned int)scn_write_value(st, x);
			}
		}
		return true;
	}
	if (!gen_all(g, p, st->r.first, st->r.end, ok))
		fail("%s without permission", write ? "write" : "read");
	for (x = st->r.first; x < st->r.end; x++) {
		uint64_t v = st->has_value ? st->value : scn_write_value(st, x);

		if (write) {
			p->pg[x].known = p->pg[x].kind == GK_ANON ||
					 p->pg[x].kind == GK_FILE;
			p->pg[x].val = (unsigned int)v;
			if (v != p->pg[x].val)
				p->pg[x].known = 0;
		} else if (st->has_value &&
			   (!p->pg[x].known || p->pg[x].val != st->value)) {
			fail("read @%lu == 0x%llx but the page holds %s", x,
			     (unsigned long long)st->value,
			     p->pg[x].known ? "another value" : "an unknown value");
		}
	}
	return true;
}

/** gen_shadow_read() - see gen_internal.h. */
bool gen_shadow_read(struct gen *g, const struct scenario *s,
		     const struct scn_step *st, struct gen_proc *p,
		     char *why, size_t n)
{
	return do_access(g, st, p, false, why, n);
}

/** gen_shadow_write() - see gen_internal.h. */
bool gen_shadow_write(struct gen *g, const struct scenario *s,
		      const struct scn_step *st, struct gen_proc *p,
		      char *why, size_t n)
{
	return do_access(g, st, p, true, why, n);
}

/** gen_shadow_proc() - see gen_internal.h. */
bool gen_shadow_proc(struct gen *g, const struct scenario *s,
		     const struct scn_step *st, struct gen_proc *p,
		     char *why, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->live = true;
	return true;
}

/** gen_shadow_fork() - see gen_internal.h. */
bool gen_shadow_fork(struct gen *g, const struct scenario *s,
		     const struct scn_step *st, struct gen_proc *p,
		     char *why, size_t n)
{
	struct gen_proc *c = &g->procs[st->proc2];

	memset(c, 0, sizeof(*c));
	gen_fork(c, p, g->pages);
	c->live = true;
	c->brk_set = p->brk_set;
	c->brk_base = p->brk_base;
	c->brk = p->brk;
	return !st->expect_errno;
}

/** gen_shadow_exit() - see gen_internal.h. */
bool gen_shadow_exit(struct gen *g, const struct scenario *s,
		     const struct scn_step *st, struct gen_proc *p,
		     char *why, size_t n)
{
	p->live = false;
	return true;
}

/** gen_shadow_munmap() - see gen_internal.h. */
bool gen_shadow_munmap(struct gen *g, const struct scenario *s,
		       const struct scn_step *st, struct gen_proc *p,
		       char *why, size_t n)
{
	if (st->expect_errno)
		fail("munmap may not fail");
	gen_unmap(g, p, st->r.first, st->r.end);
	return true;
}

/** gen_shadow_mprotect() - see gen_internal.h. */
bool gen_shadow_mprotect(struct gen *g, const struct scenario *s,
			 const struct scn_step *st, struct gen_proc *p,
			 char *why, size_t n)
{
	if (st->expect_errno) {
		if (st->expect_errno != ENOMEM ||
		    p->pg[st->r.first].kind != GK_NONE)
			fail("mprotect may not fail with %s",
			     scn_result_name(st->expect_errno));
		return true;
	}
	if (!gen_all(g, p, st->r.first, st->r.end, gen_mapped))
		fail("mprotect over a hole");
	gen_split(g, p, st->r.first, st->r.end);
	for (unsigned long x = st->r.first; x < st->r.end; x++)
		p->pg[x].prot = (unsigned char)(st->prot & 7);
	return true;
}

/** gen_shadow_unwritten() - see gen_internal.h. */
bool gen_shadow_unwritten(struct gen *g, const struct scenario *s,
			  const struct scn_step *st, struct gen_proc *p,
			  char *why, size_t n)
{
	fail("%s: the generator does not write the mlock family",
	     scn_op_name(st->op));
}

/** gen_shadow_folio() - see gen_internal.h. */
bool gen_shadow_folio(struct gen *g, const struct scenario *s,
		      const struct scn_step *st, struct gen_proc *p,
		      char *why, size_t n)
{
	/* Anything mapped there but private anonymous memory is EINVAL. */
	for (unsigned long x = st->r.first; x < st->r.end; x++)
		if (p->pg[x].kind != GK_NONE && p->pg[x].kind != GK_ANON)
			fail("%s of memory that is not private anonymous",
			     scn_op_name(st->op));
	return !st->expect_errno;
}

static bool one_step(struct gen *g, const struct scenario *s,
		     const struct scn_step *st, char *why, size_t n)
{
	struct gen_proc *p = st->proc >= 0 ? &g->procs[st->proc] : NULL;
	const struct scn_op_desc *d = scn_op(st->op);

	if ((d->flags & SCN_OPF_RANGE) && !pages_in(g, &st->r))
		fail("range outside the window");
	/* Without a rule: any step the generator writes succeeds. */
	if (!d->shadow)
		return !st->expect_errno;
	return d->shadow(g, s, st, p, why, n);
}

/** fuzz_shadow_check() - see fuzz.h. */
bool fuzz_shadow_check(const struct scenario *s, char *why, size_t n)
{
	struct gen g;
	int i;

	memset(&g, 0, sizeof(g));
	if (s->pages > GEN_MAX_PAGES || s->nprocs > GEN_MAX_PROCS)
		fail("larger than the generator's scenarios");
	g.pages = s->pages;
	for (i = 0; i < s->nsteps; i++) {
		why[0] = '\0';
		if (!one_step(&g, s, &s->steps[i], why, n)) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", why[0] ? why : "unexpected errno");
			snprintf(why, n, "line %d (%s): %s", s->steps[i].line,
				 s->steps[i].text, msg);
			return false;
		}
	}
	return true;
}
