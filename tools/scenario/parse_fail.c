/* SPDX-License-Identifier: MIT */
/*
 * The scenario parser's fault-injection lines: `fail CACHE [nth N]`,
 * which waits for the operation it applies to, and `sysctl
 * max_map_count N` (docs/scenario-language.md, "Fault injection").
 */
#include <string.h>

#include "failinject.h"
#include "ops.h"
#include "parse_internal.h"

/**
 * scn_parse_sysctl() - `sysctl max_map_count N`: the model's
 * vm.max_map_count for this run (mmap, split and mremap refuse with
 * ENOMEM beyond it), so that a scenario can reach the limit in a few
 * steps.
 * @ps: parser state.
 *
 * Return: 0, or -1 with the error set.
 */
int scn_parse_sysctl(struct pstate *ps)
{
	uint64_t n;

	if (scn_decl_early(ps, "sysctl", ps->sysctl_line) ||
	    scn_need(ps, 1, "max_map_count"))
		return -1;
	if (!scn_tok_is(&ps->tok[1], "max_map_count"))
		return scn_perr(ps, ps->tok[1].col,
				"unknown sysctl '%.*s' (max_map_count)",
				ps->tok[1].len, ps->tok[1].s);
	if (scn_tok_u64(ps, 2, &n))
		return -1;
	if (n == 0 || n > 0x7fffffff)
		return scn_perr(ps, ps->tok[2].col,
				"max_map_count must be 1 to 2147483647");
	if (scn_no_more(ps, 3))
		return -1;
	ps->s->max_map_count = (long)n;
	ps->sysctl_line = ps->line;
	return 0;
}

/**
 * scn_parse_fail() - `fail CACHE [nth N]`: the N-th allocation (default
 * the first) from CACHE during the next operation fails.  The line
 * waits in @ps for the operation (scn_attach_fail()).
 * @ps: parser state.
 *
 * Return: 0, or -1 with the error set.
 */
int scn_parse_fail(struct pstate *ps)
{
	const struct tok *t;
	char name[SCN_NAME_MAX];
	uint64_t n = 1;
	int c = -1, i = 2;

	if (scn_need(ps, 1, "cache name"))
		return -1;
	t = &ps->tok[1];
	if (t->len < SCN_NAME_MAX) {
		memcpy(name, t->s, (size_t)t->len);
		name[t->len] = '\0';
		c = fi_cache_parse(name);
	}
	if (c < 0)
		return scn_perr(ps, t->col,
				"unknown cache '%.*s' (any, anon_vma, avc, vma, folio, pgtable, mm, maple, swap, file)",
				t->len, t->s);
	if (ps->ntok > 2) {
		if (!scn_tok_is(&ps->tok[2], "nth"))
			return scn_perr(ps, ps->tok[2].col,
					"expected 'nth', found '%.*s'",
					ps->tok[2].len, ps->tok[2].s);
		if (scn_tok_u64(ps, 3, &n))
			return -1;
		if (n == 0 || n > SCN_MAX_NTH)
			return scn_perr(ps, ps->tok[3].col,
					"nth must be 1 to %lu", SCN_MAX_NTH);
		i = 4;
	}
	if (scn_no_more(ps, i))
		return -1;
	ps->fail_line = ps->line;
	ps->fail_col = ps->tok[0].col;
	ps->fail_cache = c;
	ps->fail_nth = (unsigned long)n;
	return 0;
}

/**
 * scn_attach_fail() - give the pending `fail` line to the operation the
 * current line created.
 * @ps: parser state, with a pending `fail` line.
 * @nsteps: the number of steps before the current line.
 *
 * Return: 0, or -1 (error set) when the line created no operation or
 * one that cannot fail.
 */
int scn_attach_fail(struct pstate *ps, int nsteps)
{
	int fail_line = ps->fail_line;
	struct scn_step *st;

	if (ps->s->nsteps == nsteps)
		return scn_perr(ps, ps->tok[0].col,
				"the fail line %d must be followed by an operation",
				fail_line);
	st = &ps->s->steps[nsteps];
	if (scn_op_has(st, SCN_OPF_NO_ERRNO))
		return scn_perr(ps, ps->tok[0].col,
				"'%s' cannot fail (fail at line %d)",
				scn_op_name(st->op), fail_line);
	st->fail_cache = ps->fail_cache;
	st->fail_nth = ps->fail_nth;
	st->fail_line = fail_line;
	/* The kernel run cannot make that allocation fail. */
	st->model_only = true;
	ps->fail_line = 0;
	return 0;
}
