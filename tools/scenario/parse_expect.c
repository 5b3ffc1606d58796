/* SPDX-License-Identifier: MIT */
/*
 * Parsing of `expect` lines.  Each one is attached to the step before
 * it; `expect errno` must come first, right after its operation, and a
 * process or fork that is expected to fail does not exist afterwards
 * (the parser updates its static view of the processes accordingly).
 */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "parse_internal.h"

static int expect_errno(struct pstate *ps, struct scn_step *st, bool after_op)
{
	const struct tok *t;
	char name[SCN_NAME_MAX];
	int code;
	bool fault;

	if (!after_op)
		return scn_perr(ps, ps->tok[1].col,
				"expect errno must directly follow an operation");
	if (scn_need(ps, 2, "errno name"))
		return -1;
	t = &ps->tok[2];
	code = -1;
	if (t->len < SCN_NAME_MAX) {
		memcpy(name, t->s, (size_t)t->len);
		name[t->len] = '\0';
		code = scn_result_parse(name);
	}
	if (code <= 0 || code == SCN_BADADDR)
		return scn_perr(ps, t->col, "unknown errno '%.*s'", t->len, t->s);
	if (scn_op_has(st, SCN_OPF_NO_ERRNO))
		return scn_perr(ps, ps->tok[1].col, "'%s' cannot fail",
				scn_op_name(st->op));
	fault = code == SCN_SIGSEGV || code == SCN_SIGBUS || code == SCN_OOM;
	if (scn_op_has(st, SCN_OPF_FAULTS) && !fault)
		return scn_perr(ps, t->col,
				"read and write fail with SIGSEGV, SIGBUS or OOM");
	if (!scn_op_has(st, SCN_OPF_FAULTS) && fault)
		return scn_perr(ps, t->col,
				"%s is a fault result, only for read and write",
				name);
	if (scn_no_more(ps, 3))
		return -1;
	st->expect_errno = code;
	st->errno_line = ps->line;
	/* A failed creation leaves no process behind; a failed brk no move. */
	if (st->op == SCN_OP_FORK || st->op == SCN_OP_PROC) {
		int p = st->op == SCN_OP_FORK ? st->proc2 : st->proc;

		ps->life[p].life = LIFE_FAILED;
		ps->life[p].end_line = ps->line;
	} else if (st->op == SCN_OP_BRK) {
		ps->life[st->proc].brk -= (unsigned long)st->delta;
	}
	return 0;
}

static int tok_object(struct pstate *ps, int i, enum scn_object *obj)
{
	if (scn_need(ps, i, "anon_vma or avc"))
		return -1;
	if (scn_tok_is(&ps->tok[i], "anon_vma"))
		*obj = SCN_OBJ_ANON_VMA;
	else if (scn_tok_is(&ps->tok[i], "avc"))
		*obj = SCN_OBJ_AVC;
	else
		return scn_perr(ps, ps->tok[i].col,
				"expected anon_vma or avc, found '%.*s'",
				ps->tok[i].len, ps->tok[i].s);
	return 0;
}

/* `step anon_vma|avc [+A] [-F]` */
static int ex_step(struct pstate *ps, struct scn_expect *ex)
{
	int i;

	ex->kind = SCN_EX_STEP;
	if (tok_object(ps, 2, &ex->obj) || scn_need(ps, 3, "+N or -N"))
		return -1;
	for (i = 3; i < ps->ntok; i++) {
		const struct tok *t = &ps->tok[i];
		long *dst = t->s[0] == '+' ? &ex->n : &ex->n2;
		uint64_t v;

		if (t->s[0] != '+' && t->s[0] != '-')
			return scn_perr(ps, t->col, "expected +N or -N, found '%.*s'",
					t->len, t->s);
		if (*dst >= 0)
			return scn_perr(ps, t->col, "duplicate '%c' count", t->s[0]);
		if (scn_parse_u64(ps, t->s + 1, t->len - 1, t->col + 1, &v))
			return -1;
		if (v > SCN_MAX_COUNT)
			return scn_perr(ps, t->col + 1, "number too large '%.*s'",
					t->len - 1, t->s + 1);
		*dst = (long)v;
	}
	return 0;
}

/* `same|differ P R Q R2` */
static int ex_pair(struct pstate *ps, struct scn_expect *ex, bool same)
{
	ex->kind = same ? SCN_EX_SAME : SCN_EX_DIFFER;
	if (scn_tok_proc(ps, 2, &ex->proc) || scn_tok_range(ps, 3, &ex->r) ||
	    scn_tok_proc(ps, 4, &ex->proc2) || scn_tok_range(ps, 5, &ex->r2))
		return -1;
	if (scn_range_pages(&ex->r) != scn_range_pages(&ex->r2))
		return scn_perr(ps, ps->tok[5].col,
				"ranges have different lengths (%lu and %lu pages)",
				scn_range_pages(&ex->r), scn_range_pages(&ex->r2));
	return scn_no_more(ps, 6);
}

/* `P maps R PROT [s], R2 PROT2, ...` or `P maps none` */
static int ex_maps(struct pstate *ps, struct scn_expect *ex)
{
	int i = 3, cap = 0;
	unsigned long prev_end = 0;

	ex->kind = SCN_EX_MAPS;
	if (scn_need(ps, i, "VMA list or 'none'"))
		return -1;
	if (scn_tok_is(&ps->tok[i], "none"))
		return scn_no_more(ps, i + 1);
	for (;;) {
		struct scn_map_spec *m;

		ex->maps = scn_grow(ex->maps, ex->nmaps, &cap, sizeof(*m));
		m = &ex->maps[ex->nmaps++];
		if (scn_tok_range(ps, i, &m->r) || scn_tok_prot(ps, i + 1, &m->prot))
			return -1;
		if (m->r.first < prev_end)
			return scn_perr(ps, ps->tok[i].col,
					"VMAs must be listed in address order, without overlap");
		prev_end = m->r.end;
		i += 2;
		if (i < ps->ntok && scn_tok_is(&ps->tok[i], "s")) {
			m->shared = true;
			i++;
		}
		if (i >= ps->ntok)
			return 0;
		if (!scn_tok_is(&ps->tok[i], ","))
			return scn_perr(ps, ps->tok[i].col,
					"expected ',' or end of line, found '%.*s'",
					ps->tok[i].len, ps->tok[i].s);
		i++;
	}
}

/* `P page R STATE [ATTR...]` */
static int ex_page(struct pstate *ps, struct scn_expect *ex)
{
	static const char *const states[] = {
		[SCN_PAGE_NONE] = "none", [SCN_PAGE_ZERO] = "zero",
		[SCN_PAGE_PRESENT] = "present", [SCN_PAGE_SWAP] = "swap",
	};
	const struct tok *t;
	int i, k;

	ex->kind = SCN_EX_PAGE;
	if (scn_tok_range(ps, 3, &ex->r) || scn_need(ps, 4, "page state"))
		return -1;
	t = &ps->tok[4];
	for (k = 0; k <= SCN_PAGE_SWAP; k++)
		if (scn_tok_is(t, states[k]))
			break;
	if (k > SCN_PAGE_SWAP)
		return scn_perr(ps, t->col,
				"unknown page state '%.*s' (none, zero, present, swap)",
				t->len, t->s);
	ex->state = (enum scn_pstate)k;
	for (i = 5; i < ps->ntok; i++) {
		int *tri = NULL, val = 1;

		t = &ps->tok[i];
		if (scn_tok_is(t, "excl") || scn_tok_is(t, "noexcl")) {
			tri = &ex->tri_excl;
			val = t->s[0] == 'e';
		} else if (scn_tok_is(t, "anon") || scn_tok_is(t, "file")) {
			tri = &ex->tri_anon;
			val = t->s[0] == 'a';
		} else if (t->len > 3 && !memcmp(t->s, "mc=", 3)) {
			uint64_t v;

			if (ex->state != SCN_PAGE_PRESENT)
				return scn_perr(ps, t->col,
						"'mc=' needs state 'present'");
			if (ex->mapcount >= 0)
				return scn_perr(ps, t->col, "duplicate attribute 'mc='");
			if (scn_parse_u64(ps, t->s + 3, t->len - 3, t->col + 3, &v))
				return -1;
			if (v > SCN_MAX_COUNT)
				return scn_perr(ps, t->col + 3,
						"number too large '%.*s'",
						t->len - 3, t->s + 3);
			ex->mapcount = (long)v;
			continue;
		} else {
			return scn_perr(ps, t->col, "unknown page attribute '%.*s'",
					t->len, t->s);
		}
		if (ex->state != SCN_PAGE_PRESENT &&
		    !(ex->state == SCN_PAGE_SWAP && tri == &ex->tri_excl))
			return scn_perr(ps, t->col, "'%.*s' needs state 'present'",
					t->len, t->s);
		if (*tri >= 0)
			return scn_perr(ps, t->col, "duplicate or conflicting attribute '%.*s'",
					t->len, t->s);
		*tri = val;
	}
	return 0;
}

/* `P R av ...` (model only) */
static int ex_av(struct pstate *ps, struct scn_expect *ex)
{
	const struct tok *t;
	int i;

	if (scn_need(ps, 4, "'==', '!=', 'root', 'notroot', 'children' or 'active'"))
		return -1;
	t = &ps->tok[4];
	if (scn_tok_is(t, "==") || scn_tok_is(t, "!=")) {
		ex->kind = t->s[0] == '=' ? SCN_EX_AV_EQ : SCN_EX_AV_NE;
		return scn_tok_proc(ps, 5, &ex->proc2) ||
		       scn_tok_range(ps, 6, &ex->r2) || scn_no_more(ps, 7) ? -1 : 0;
	}
	if (scn_tok_is(t, "root") || scn_tok_is(t, "notroot")) {
		ex->kind = t->s[0] == 'r' ? SCN_EX_AV_ROOT : SCN_EX_AV_NOTROOT;
		return scn_no_more(ps, 5);
	}
	ex->kind = SCN_EX_AV_COUNTS;
	for (i = 4; i < ps->ntok; i += 2) {
		long *dst;

		t = &ps->tok[i];
		if (scn_tok_is(t, "children"))
			dst = &ex->n;
		else if (scn_tok_is(t, "active"))
			dst = &ex->n2;
		else
			return scn_perr(ps, t->col,
					"expected '==', '!=', 'root', 'notroot', 'children' or 'active', found '%.*s'",
					t->len, t->s);
		if (*dst >= 0)
			return scn_perr(ps, t->col, "duplicate '%.*s'", t->len, t->s);
		if (scn_tok_count(ps, i + 1, dst))
			return -1;
	}
	return 0;
}

/* `P R folio ...` (model only) */
static int ex_folio(struct pstate *ps, struct scn_expect *ex)
{
	const struct tok *t;
	uint64_t v;
	int i = 6;

	if (scn_need(ps, 4, "'av', 'index' or 'walk'"))
		return -1;
	t = &ps->tok[4];
	if (scn_tok_is(t, "index")) {
		ex->kind = SCN_EX_FOLIO_INDEX;
		if (scn_tok_u64(ps, 5, &v))
			return -1;
		if (v > (uint64_t)(SCN_USER_TOP / SCN_PAGE_SIZE))
			return scn_perr(ps, ps->tok[5].col, "number too large '%.*s'",
					ps->tok[5].len, ps->tok[5].s);
		ex->n = (long)v;
		return scn_no_more(ps, 6);
	}
	if (scn_tok_is(t, "walk")) {
		ex->kind = SCN_EX_FOLIO_WALK;
		return scn_tok_count(ps, 5, &ex->n) || scn_no_more(ps, 6) ? -1 : 0;
	}
	if (!scn_tok_is(t, "av"))
		return scn_perr(ps, t->col, "expected 'av', 'index' or 'walk', found '%.*s'",
				t->len, t->s);
	if (scn_need(ps, 5, "'=='"))
		return -1;
	if (!scn_tok_is(&ps->tok[5], "=="))
		return scn_perr(ps, ps->tok[5].col, "expected '==', found '%.*s'",
				ps->tok[5].len, ps->tok[5].s);
	ex->kind = SCN_EX_FOLIO_AV;
	if (i < ps->ntok && scn_tok_is(&ps->tok[i], "root")) {
		ex->kind = SCN_EX_FOLIO_AV_ROOT;
		i++;
	}
	return scn_tok_proc(ps, i, &ex->proc2) || scn_tok_range(ps, i + 1, &ex->r2) ||
	       scn_no_more(ps, i + 2) ? -1 : 0;
}

/* `expect P ...` */
static int ex_process(struct pstate *ps, struct scn_expect *ex)
{
	const struct tok *t;

	if (scn_tok_proc(ps, 1, &ex->proc) ||
	    scn_need(ps, 2, "'maps', 'vmas', 'page' or a range"))
		return -1;
	t = &ps->tok[2];
	if (scn_tok_is(t, "maps"))
		return ex_maps(ps, ex);
	if (scn_tok_is(t, "vmas")) {
		ex->kind = SCN_EX_VMAS;
		return scn_tok_count(ps, 3, &ex->n) || scn_no_more(ps, 4) ? -1 : 0;
	}
	if (scn_tok_is(t, "page"))
		return ex_page(ps, ex);
	if (scn_tok_range(ps, 2, &ex->r) ||
	    scn_need(ps, 3, "'unfaulted', 'chain', 'av' or 'folio'"))
		return -1;
	t = &ps->tok[3];
	if (scn_tok_is(t, "unfaulted")) {
		ex->kind = SCN_EX_UNFAULTED;
		return scn_no_more(ps, 4);
	}
	if (scn_tok_is(t, "chain")) {
		ex->kind = SCN_EX_CHAIN;
		return scn_tok_count(ps, 4, &ex->n) || scn_no_more(ps, 5) ? -1 : 0;
	}
	if (scn_tok_is(t, "av"))
		return ex_av(ps, ex);
	if (scn_tok_is(t, "folio"))
		return ex_folio(ps, ex);
	return scn_perr(ps, t->col,
			"expected 'unfaulted', 'chain', 'av' or 'folio', found '%.*s'",
			t->len, t->s);
}

/**
 * scn_parse_expect() - an `expect` line; attaches it to the last step.
 * @ps: parser state, with the line's tokens.
 *
 * Return: 0, or -1 with the error set.
 */
int scn_parse_expect(struct pstate *ps)
{
	struct scenario *s = ps->s;
	bool after_op = ps->last_was_op;
	struct scn_step *st;
	struct scn_expect *ex;
	const struct tok *t;
	int cap, ret;

	ps->last_was_op = false;
	if (!s->nsteps)
		return scn_perr(ps, ps->tok[0].col, "expect before any operation");
	if (scn_need(ps, 1, "expectation"))
		return -1;
	st = &s->steps[s->nsteps - 1];
	t = &ps->tok[1];
	if (scn_tok_is(t, "errno"))
		return expect_errno(ps, st, after_op);

	cap = st->nex;	/* no capacity is kept: reallocate every time */
	st->ex = scn_grow(st->ex, st->nex, &cap, sizeof(*ex));
	ex = &st->ex[st->nex++];
	ex->line = ps->line;
	ex->text = strndup(t->s, (size_t)(ps->text + ps->textlen - t->s));
	if (!ex->text) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	ex->proc = ex->proc2 = -1;
	ex->n = ex->n2 = -1;
	ex->mapcount = -1;
	ex->tri_excl = ex->tri_anon = -1;

	if (scn_tok_is(t, "live")) {
		ex->kind = SCN_EX_LIVE;
		ret = tok_object(ps, 2, &ex->obj) || scn_tok_count(ps, 3, &ex->n) ||
		      scn_no_more(ps, 4) ? -1 : 0;
	} else if (scn_tok_is(t, "step")) {
		ret = ex_step(ps, ex);
	} else if (scn_tok_is(t, "violations")) {
		ex->kind = SCN_EX_VIOLATIONS;
		ret = scn_tok_count(ps, 2, &ex->n) || scn_no_more(ps, 3) ? -1 : 0;
	} else if (scn_tok_is(t, "same") || scn_tok_is(t, "differ")) {
		ret = ex_pair(ps, ex, t->s[0] == 's');
	} else {
		ret = ex_process(ps, ex);
	}
	/* pagemap shows no exclusive marker for swap entries. */
	ex->model_only = ex->kind >= SCN_EX_UNFAULTED ||
			 (ex->kind == SCN_EX_PAGE && ex->state == SCN_PAGE_SWAP &&
			  ex->tri_excl >= 0);
	return ret;
}
