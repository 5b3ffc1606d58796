/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness 1: the scenario parser on arbitrary bytes.
 *
 * scn_parse() promises (scenario.h, docs/scenario-language.md) to take
 * any bytes, never execute anything, and either return a scenario or
 * fail with a `line:col` error.  AddressSanitizer, UBSan and the leak
 * checker watch the memory; this harness adds the parser's own
 * postconditions, so that a parse that "succeeds" with a range outside
 * the window or a step naming a process that does not exist is a
 * finding too: the executors index arrays with those numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../scenario/ops.h"
#include "scenario.h"

static void __attribute__((noreturn)) parse_die(const char *what, int i)
{
	fprintf(stderr, "fuzz_parse: broken postcondition: %s (item %d)\n",
		what, i);
	abort();
}

/*
 * The length of line @line (1-based) of @buf as the parser cuts lines
 * (at '\n'; a last line needs none), or -1 when there is no such line.
 */
static long line_length(const char *buf, size_t len, int line)
{
	size_t off = 0;
	int n = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (++n == line)
			return (long)(end - off);
		off = end + 1;
	}
	return -1;
}

/* An error names a line of the input and a column on it (or just after). */
static void check_error(const struct scn_error *err, const char *buf,
			size_t len)
{
	long n;

	if (!memchr(err->msg, '\0', sizeof(err->msg)) || !err->msg[0])
		parse_die("error without a message", 0);
	n = err->line >= 1 ? line_length(buf, len, err->line) : -1;
	if (n < 0)
		parse_die("error line outside the input", err->line);
	if (err->col < 1 || err->col > n + 1)
		parse_die("error column outside the line", err->col);
}

/* A range used by an operation: non-empty and inside the window. */
static void check_range(const struct scenario *s, const struct scn_range *r,
			const char *what, int i)
{
	if (r->first >= r->end || r->end > s->pages)
		parse_die(what, i);
}

static void check_proc(const struct scenario *s, int p, bool may_be_none,
		       const char *what, int i)
{
	if ((p == -1 && may_be_none) || (p >= 0 && p < s->nprocs))
		return;
	parse_die(what, i);
}

static void check_expect(const struct scenario *s, const struct scn_expect *ex,
			 int i)
{
	int m;

	if ((unsigned int)ex->kind >= NR_SCN_EXPECTS || !ex->text)
		parse_die("expectation kind or text", i);
	check_proc(s, ex->proc, true, "expectation process", i);
	check_proc(s, ex->proc2, true, "expectation second process", i);
	if (ex->nmaps < 0 || (ex->nmaps && !ex->maps))
		parse_die("expectation maps list", i);
	for (m = 0; m < ex->nmaps; m++)
		check_range(s, &ex->maps[m].r, "maps range", i);
}

static void check_scenario(const struct scenario *s)
{
	int i, j;

	if (!s->name || !s->pages || s->pages > SCN_MAX_PAGES ||
	    s->base & (SCN_PAGE_SIZE - 1) ||
	    s->base + s->pages * SCN_PAGE_SIZE > SCN_USER_TOP)
		parse_die("window", 0);
	if (s->nprocs < 0 || s->nsteps < 0 || s->nregions < 0 || s->nfiles < 0)
		parse_die("negative count", 0);
	for (i = 0; i < s->nregions; i++)
		check_range(s, &s->regions[i].r, "region outside the window", i);
	for (i = 0; i < s->nprocs; i++)
		check_proc(s, s->procs[i].parent, true, "process parent", i);
	for (i = 0; i < s->nsteps; i++) {
		const struct scn_step *st = &s->steps[i];

		if ((unsigned int)st->op >= NR_SCN_OPS || !st->text)
			parse_die("step op or text", i);
		check_proc(s, st->proc, st->op == SCN_OP_CHECK,
			   "step process", i);
		if (st->op == SCN_OP_FORK)
			check_proc(s, st->proc2, false, "fork child", i);
		if (scn_op_has(st, SCN_OPF_RANGE))
			check_range(s, &st->r, "step range", i);
		if (st->op == SCN_OP_MREMAP && (st->flags & 2 /* FIXED */))
			check_range(s, &st->r2, "mremap target", i);
		else if (st->op == SCN_OP_MREMAP &&
			 (!st->npages || st->r.first + st->npages > s->pages))
			parse_die("mremap size outside the window", i);
		if (st->file < -1 || st->file >= s->nfiles)
			parse_die("step file", i);
		if (st->nex < 0 || (st->nex && !st->ex))
			parse_die("step expectations", i);
		for (j = 0; j < st->nex; j++)
			check_expect(s, &st->ex[j], i);
	}
}

/**
 * LLVMFuzzerTestOneInput() - parse @data and check what comes back.
 * @data: any bytes.
 * @size: how many.
 *
 * Return: 0 (a broken postcondition aborts).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_error err;
	struct scenario *s;

	s = scn_parse("fuzz.scn", (const char *)data, size, &err);
	if (!s) {
		check_error(&err, (const char *)data, size);
		return 0;
	}
	check_scenario(s);
	scn_free(s);
	return 0;
}
