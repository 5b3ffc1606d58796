/* SPDX-License-Identifier: MIT */
/*
 * The scenario language's memory operations with many words: the mmap
 * flags, the madvise advice and the mlock family (see
 * docs/scenario-language.md), each word mapped to the value a real
 * program passes to the kernel.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/mm.h>

#include "parse_internal.h"

/*
 * The words after `P mmap R PROT`: each sets some MAP_* bits and clears
 * others (the mapping type, FIXED_NOREPLACE for `fixed`).
 */
static const struct {
	const char *word;
	unsigned long set, clear;
} mmap_flag_words[] = {
	{ "shared", MAP_SHARED, MAP_PRIVATE },
	{ "validate", MAP_SHARED_VALIDATE, MAP_PRIVATE },
	{ "fixed", MAP_FIXED, MAP_FIXED_NOREPLACE },
	{ "noreserve", MAP_NORESERVE, 0 },
	{ "stack", MAP_STACK, 0 },
	{ "growsdown", MAP_GROWSDOWN, 0 },
	{ "populate", MAP_POPULATE, 0 },
	{ "nonblock", MAP_NONBLOCK, 0 },
	{ "locked", MAP_LOCKED, 0 },
	{ "denywrite", MAP_DENYWRITE, 0 },
	{ "executable", MAP_EXECUTABLE, 0 },
	{ "32bit", MAP_32BIT, 0 },
	{ "uninitialized", MAP_UNINITIALIZED, 0 },
	{ "hugetlb", MAP_HUGETLB, 0 },
};
#define NR_MMAP_FLAG_WORDS (sizeof(mmap_flag_words) / sizeof(mmap_flag_words[0]))

/* `flags=N`: raw bits added to the others (what a recorded call passed). */
static int mmap_raw_flags(struct pstate *ps, const struct tok *t,
			  struct scn_step *st)
{
	uint64_t v;

	if (scn_parse_u64(ps, t->s + 6, t->len - 6, t->col + 6, &v))
		return -1;
	if (v >> 32)
		return scn_perr(ps, t->col + 6, "mmap flags are 32 bits");
	st->flags |= (unsigned long)v;
	return 0;
}

/* `file=F` and `off=N`. */
static int mmap_file_word(struct pstate *ps, const struct tok *t,
			  struct scn_step *st, int *off_col)
{
	uint64_t off;

	if (t->s[0] == 'f') {
		if (scn_tok_file(ps, t->s + 5, t->len - 5, t->col + 5, &st->file))
			return -1;
		st->flags &= ~(unsigned long)MAP_ANONYMOUS;
		return 0;
	}
	if (scn_parse_u64(ps, t->s + 4, t->len - 4, t->col + 4, &off))
		return -1;
	if (off > SCN_MAX_PAGES * 1024)
		return scn_perr(ps, t->col + 4, "file offset too large '%.*s'",
				t->len - 4, t->s + 4);
	st->off = (unsigned long)off;
	*off_col = t->col;
	return 0;
}

/** scn_mmap_words() - see parse_internal.h. */
int scn_mmap_words(struct pstate *ps, struct scn_step *st, int i)
{
	bool seen[NR_MMAP_FLAG_WORDS + 3] = { false };
	int off_col = 0, err;

	st->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	for (; i < ps->ntok; i++) {
		const struct tok *t = &ps->tok[i];
		size_t w;

		for (w = 0; w < NR_MMAP_FLAG_WORDS; w++)
			if (scn_tok_is(t, mmap_flag_words[w].word))
				break;
		if (w == NR_MMAP_FLAG_WORDS) {
			if (t->len > 5 && !memcmp(t->s, "file=", 5))
				w = NR_MMAP_FLAG_WORDS;
			else if (t->len > 4 && !memcmp(t->s, "off=", 4))
				w = NR_MMAP_FLAG_WORDS + 1;
			else if (t->len > 6 && !memcmp(t->s, "flags=", 6))
				w = NR_MMAP_FLAG_WORDS + 2;
			else
				return scn_perr(ps, t->col, "unknown mmap option '%.*s'",
						t->len, t->s);
		}
		if (seen[w])
			return scn_perr(ps, t->col, "duplicate mmap option '%.*s'",
					t->len, t->s);
		seen[w] = true;
		if (w < NR_MMAP_FLAG_WORDS) {
			st->flags = (st->flags & ~mmap_flag_words[w].clear) |
				    mmap_flag_words[w].set;
			continue;
		}
		err = w == NR_MMAP_FLAG_WORDS + 2 ? mmap_raw_flags(ps, t, st) :
		      mmap_file_word(ps, t, st, &off_col);
		if (err)
			return -1;
	}
	if (off_col && st->file < 0)
		return scn_perr(ps, off_col, "off= needs file=");
	/*
	 * The model has no hugetlb: it refuses what the kernel would map
	 * (or refuse for lack of huge pages) with an errno of its own.
	 */
	if ((st->flags & MAP_HUGETLB) && st->file < 0)
		st->model_only = true;
	st->populates = (st->flags & MAP_LOCKED) ||
			(st->flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE ||
			ps->life[st->proc].lock_future;
	return 0;
}

/* The advice words of `P madvise R ADVICE`; a number is taken as is. */
static const struct {
	const char *word;
	int advice;
} madvise_words[] = {
	{ "normal", MADV_NORMAL },		{ "random", MADV_RANDOM },
	{ "sequential", MADV_SEQUENTIAL },	{ "willneed", MADV_WILLNEED },
	{ "dontneed", MADV_DONTNEED },		{ "free", MADV_FREE },
	{ "dontfork", MADV_DONTFORK },		{ "dofork", MADV_DOFORK },
	{ "hugepage", MADV_HUGEPAGE },		{ "nohugepage", MADV_NOHUGEPAGE },
	{ "dontdump", MADV_DONTDUMP },		{ "dodump", MADV_DODUMP },
	{ "wipeonfork", MADV_WIPEONFORK },	{ "keeponfork", MADV_KEEPONFORK },
	{ "cold", MADV_COLD },			{ "pageout", MADV_PAGEOUT },
	{ "populate_read", MADV_POPULATE_READ },
	{ "populate_write", MADV_POPULATE_WRITE },
	{ "dontneed_locked", MADV_DONTNEED_LOCKED },
};

/** scn_op_madvise() - see parse_internal.h. */
int scn_op_madvise(struct pstate *ps, struct scn_step *st)
{
	const struct tok *t;
	size_t k;
	uint64_t v;

	if (scn_tok_range(ps, 2, &st->r) || scn_need(ps, 3, "advice"))
		return -1;
	t = &ps->tok[3];
	for (k = 0; k < sizeof(madvise_words) / sizeof(madvise_words[0]); k++)
		if (scn_tok_is(t, madvise_words[k].word))
			break;
	if (k < sizeof(madvise_words) / sizeof(madvise_words[0])) {
		st->advice = madvise_words[k].advice;
	} else if (t->s[0] >= '0' && t->s[0] <= '9') {
		if (scn_tok_u64(ps, 3, &v))
			return -1;
		if (v > 0x7fffffff)
			return scn_perr(ps, t->col, "advice out of range");
		st->advice = (int)v;
	} else {
		return scn_perr(ps, t->col, "unknown advice '%.*s'", t->len, t->s);
	}
	st->populates = st->advice == MADV_POPULATE_READ ||
			st->advice == MADV_POPULATE_WRITE;
	return scn_no_more(ps, 4);
}

/** scn_op_mlock() - see parse_internal.h. */
int scn_op_mlock(struct pstate *ps, struct scn_step *st)
{
	if (scn_tok_range(ps, 2, &st->r))
		return -1;
	if (st->op == SCN_OP_MLOCK && ps->ntok > 3 &&
	    scn_tok_is(&ps->tok[3], "onfault")) {
		st->flags = MLOCK_ONFAULT;
		return scn_no_more(ps, 4);
	}
	st->populates = st->op == SCN_OP_MLOCK;
	return scn_no_more(ps, 3);
}

/** scn_op_mlockall() - see parse_internal.h. */
int scn_op_mlockall(struct pstate *ps, struct scn_step *st)
{
	static const struct {
		const char *word;
		unsigned long flag;
	} words[] = {
		{ "current", MCL_CURRENT }, { "future", MCL_FUTURE },
		{ "onfault", MCL_ONFAULT },
	};
	struct proc_state *life = &ps->life[st->proc];
	int i;
	size_t k;

	for (i = 2; st->op == SCN_OP_MLOCKALL && i < ps->ntok; i++) {
		for (k = 0; k < 3; k++)
			if (scn_tok_is(&ps->tok[i], words[k].word))
				break;
		if (k == 3 || (st->flags & words[k].flag))
			return scn_perr(ps, ps->tok[i].col,
					"expected current, future or onfault once each, found '%.*s'",
					ps->tok[i].len, ps->tok[i].s);
		st->flags |= words[k].flag;
	}
	if (st->op == SCN_OP_MUNLOCKALL && scn_no_more(ps, 2))
		return -1;
	/* Only a valid mlockall changes the future (a refused one is EINVAL). */
	if (st->op == SCN_OP_MUNLOCKALL || (st->flags & ~(unsigned long)MCL_ONFAULT))
		life->lock_future = (st->flags & (MCL_FUTURE | MCL_ONFAULT)) ==
				    MCL_FUTURE;
	st->populates = (st->flags & (MCL_CURRENT | MCL_ONFAULT)) == MCL_CURRENT;
	return 0;
}
