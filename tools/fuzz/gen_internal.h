/* SPDX-License-Identifier: MIT */
/*
 * Private to the generator (gen.c, gen_layout.c): the layout the
 * generator expects each process to have after the lines it wrote.
 *
 * Per process and window page: whether it is mapped, how (private or
 * shared, anonymous or the file), its protection, its madvise flags, and
 * an id.  Two pages with the same id are SURELY in one VMA: every
 * operation that may split a VMA gives the pieces new ids, and nothing
 * ever joins two ids, even where the kernel would merge the VMAs (which
 * depends on anon_vma details the generator does not try to predict).
 * mremap needs its source inside one VMA, so it picks sources by id.
 */
#ifndef FUZZ_GEN_INTERNAL_H
#define FUZZ_GEN_INTERNAL_H

#include "fuzz.h"

#define GEN_MAX_PROCS	12	/* processes per scenario */
#define GEN_MAX_LIVE	6	/* alive at the same time */
#define GEN_MIN_PAGES	16	/* window size range: small, so regions touch */
#define GEN_MAX_PAGES	40
#define GEN_FILE_PAGES	16	/* the simulated file F */
#define GEN_MAX_LEN	6	/* longest range an operation takes */

enum gen_kind {
	GK_NONE,	/* not mapped */
	GK_ANON,	/* private anonymous */
	GK_SHANON,	/* MAP_SHARED|MAP_ANONYMOUS */
	GK_FILE,	/* private mapping of F */
	GK_SHFILE,	/* shared mapping of F */
};

#define GF_DONTFORK	1	/* VM_DONTCOPY */
#define GF_WIPEONFORK	2	/* VM_WIPEONFORK */

/* PROT_* bits, as the language writes them. */
#define GP_R 1
#define GP_W 2
#define GP_X 4

/*
 * @val, @known: what a load from the page must return, when the
 * generator can be sure: private memory, whose contents only this
 * process changes (0 when fresh, the value of the last `write = V`,
 * copied at fork, moved by mremap).  Shared and file pages are never
 * known: another process or the file may change them.
 */
struct gen_page {
	unsigned int id;
	unsigned char kind;
	unsigned char prot;
	unsigned char flags;
	unsigned char foff;	/* page of F mapped here (file kinds) */
	unsigned char known;
	unsigned int val;
};

struct gen_proc {
	char name[16];
	bool live;
	int depth;		/* fork generations below its `proc` */
	struct gen_page pg[GEN_MAX_PAGES];
	/* The last move, so that a later one can move it back. */
	bool moved;
	unsigned long from, to, len;
	int back_in;		/* operations until it moves back (0: no plan) */
	/* The heap (model only): `brk base` given, its first page, the break. */
	bool brk_set;
	unsigned long brk_base, brk;
};

struct gen {
	const struct fuzz_gen_opts *o;
	struct fuzz_rng rng;
	unsigned long pages;	/* window size */
	struct gen_proc procs[GEN_MAX_PROCS];
	int nprocs, nlive;
	int recent;		/* process most recently forked or created */
	unsigned int next_id;
	FILE *out;
	char *buf;
	size_t len;
	int ops;		/* operation lines written */
};

/** A page property an operation needs on every page of its range. */
typedef bool (*gen_pred)(const struct gen_page *pg);

bool gen_mapped(const struct gen_page *pg);
bool gen_free(const struct gen_page *pg);
bool gen_readable(const struct gen_page *pg);
bool gen_writable(const struct gen_page *pg);
bool gen_private_anon(const struct gen_page *pg);

/** gen_rand() - a number in [0, n). */
static inline unsigned long gen_rand(struct gen *g, unsigned long n)
{
	return fuzz_rng_below(&g->rng, n);
}

static inline bool gen_chance(struct gen *g, unsigned int percent)
{
	return fuzz_rng_chance(&g->rng, percent);
}

/** gen_len() - a random range length, mostly 1-3 pages. */
unsigned long gen_len(struct gen *g);

/** gen_split_at() - page @x of @p starts a VMA from now on (new ids right of it). */
void gen_split_at(struct gen *g, struct gen_proc *p, unsigned long x);
/** gen_split() - split at both ends of [first, end), and give the VMAs inside new ids. */
void gen_split(struct gen *g, struct gen_proc *p, unsigned long first,
	       unsigned long end);
/** gen_unmap() - [first, end) of @p is unmapped (VMAs around it split). */
void gen_unmap(struct gen *g, struct gen_proc *p, unsigned long first,
	       unsigned long end);
/**
 * gen_map() - [first, end) becomes one new VMA like @like (foff counts
 * up); fresh private anonymous memory reads zeros.
 */
void gen_map(struct gen *g, struct gen_proc *p, unsigned long first,
	     unsigned long end, const struct gen_page *like);
/**
 * gen_move() - mremap of [@first, @end) of @p to @dst, @new_len pages
 * long: the pages move with what they hold (a longer destination ends
 * in fresh zeros); with @dontunmap the source stays mapped, split off,
 * and reads zeros on its next touch, as MREMAP_DONTUNMAP leaves it.
 */
void gen_move(struct gen *g, struct gen_proc *p, unsigned long first,
	      unsigned long end, unsigned long dst, unsigned long new_len,
	      bool dontunmap);
/**
 * gen_multi_ok() - may [@first, @end) of @p move with MREMAP_FIXED and
 * its own length, over several VMAs (6.17+)?  It must start in a VMA,
 * and every mapped page in it must be private anonymous; gaps may lie
 * anywhere after its first page.
 */
bool gen_multi_ok(const struct gen *g, const struct gen_proc *p,
		  unsigned long first, unsigned long end);
/**
 * gen_move_pieces() - mremap of [@first, @end) of @p to @dst without a
 * change of size, as 6.17's remap_move() does it: each VMA's part (each
 * run of one id, at least) moves as a piece of its own to the same
 * offset from @dst, the gaps are kept, and what lies opposite a gap
 * stays mapped; with @dontunmap the source pieces stay mapped, split
 * off, and read zeros on their next touch.
 */
void gen_move_pieces(struct gen *g, struct gen_proc *p, unsigned long first,
		     unsigned long end, unsigned long dst, bool dontunmap);
/**
 * gen_fork() - @child gets @parent's layout, minus VM_DONTCOPY pages;
 * VM_WIPEONFORK pages read zeros in the child.
 */
void gen_fork(struct gen_proc *child, const struct gen_proc *parent,
	      unsigned long pages);

/** gen_all() - every page of [first, end) of @p satisfies @pred. */
bool gen_all(const struct gen *g, const struct gen_proc *p,
	     unsigned long first, unsigned long end, gen_pred pred);
/** gen_any() - some page of [first, end) of @p satisfies @pred. */
bool gen_any(const struct gen *g, const struct gen_proc *p,
	     unsigned long first, unsigned long end, gen_pred pred);
/**
 * gen_pick_range() - a random range of @len pages of @p on which @pred
 * holds everywhere; with @touch, ranges that touch a mapping at either
 * end are preferred (so that new VMAs meet old ones and may merge).
 * Return: false when there is none.
 */
bool gen_pick_range(struct gen *g, const struct gen_proc *p,
		    unsigned long len, gen_pred pred, bool touch,
		    unsigned long *first);
/**
 * gen_pick_vma_range() - a random range inside one id (surely one VMA)
 * whose pages satisfy @pred: the whole run of the id or a part of it.
 */
bool gen_pick_vma_range(struct gen *g, const struct gen_proc *p,
			gen_pred pred, unsigned long *first,
			unsigned long *end);
/** gen_id_run() - the pages [*first, *end) that share the id of page @x. */
void gen_id_run(const struct gen *g, const struct gen_proc *p,
		unsigned long x, unsigned long *first, unsigned long *end);

/** gen_emit() - append one line (printf format, newline added). */
void gen_emit(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** gen_range() - "@3" or "@3:5" into @buf (at least 24 bytes). */
const char *gen_range(char *buf, unsigned long first, unsigned long end);
/** gen_prot() - "none", "r", "rw"... for GP_* bits. */
const char *gen_prot(unsigned int prot);

/*
 * The generator's rule for each operation, and its shadow's update
 * (shadow.c): the @shadow hooks of scn_ops[] (tools/scenario/ops.h).
 * Each returns false, with the reason in @why, for a step @st of @s,
 * acting process @p, that the generator would not have written.
 * gen_shadow_unwritten() refuses the operations the generator never
 * writes (the mlock family); gen_shadow_folio() is swapout and migrate.
 */
struct scn_step;
#define GEN_SHADOW(name) bool gen_shadow_##name(struct gen *g,		\
					const struct scenario *s,	\
					const struct scn_step *st,	\
					struct gen_proc *p,		\
					char *why, size_t n)
GEN_SHADOW(proc);
GEN_SHADOW(fork);
GEN_SHADOW(exit);
GEN_SHADOW(mmap);
GEN_SHADOW(munmap);
GEN_SHADOW(mprotect);
GEN_SHADOW(madvise);
GEN_SHADOW(mremap);
GEN_SHADOW(brk_base);
GEN_SHADOW(brk);
GEN_SHADOW(read);
GEN_SHADOW(write);
GEN_SHADOW(unwritten);
GEN_SHADOW(folio);
#undef GEN_SHADOW

#endif
