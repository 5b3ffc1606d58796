/* SPDX-License-Identifier: MIT */
/*
 * The trace of fuzz_ops.c (FUZZ_OPS_TRACE=1): an operation program
 * printed as a scenario (docs/scenario-language.md), so that a finding
 * can be read, cut down and replayed with `anonvma run --check`.
 *
 * Every operation becomes the scenario line that makes the same model
 * call, followed by `expect errno` when it failed, so the replay takes
 * the same path.  What the language cannot say (an unfixed mmap, odd
 * lengths, mremap flag mixes other than a plain resize or a fixed move,
 * fault injection, vm.max_map_count) is printed as a comment starting
 * "#!": a program with such lines may replay differently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static const char *const op_names[NR_OPS_OPS] = {
	[OP_MMAP] = "mmap", [OP_MUNMAP] = "munmap",
	[OP_MPROTECT] = "mprotect", [OP_MREMAP] = "mremap",
	[OP_MADVISE] = "madvise", [OP_READ] = "read", [OP_WRITE] = "write",
	[OP_FORK] = "fork", [OP_EXIT] = "exit", [OP_SWAPOUT] = "swapout",
	[OP_MIGRATE] = "migrate", [OP_RMAP] = "rmap", [OP_BRK] = "brk",
	[OP_FAIL] = "fail", [OP_MAPCOUNT] = "mapcount", [OP_EXEC] = "exec",
};

/* What has been printed of the current program. */
static struct {
	bool ops;	/* an operation line: declarations must come before */
	bool sysctl;	/* the sysctl line */
} trace;

/* A process's scenario name: slot and generation, never reused. */
static const char *pname(int slot, int gen, char buf[16])
{
	snprintf(buf, 16, "p%d_%d", slot, gen);
	return buf;
}

static const char *prot_str(unsigned long prot, char buf[4])
{
	int n = 0;

	if (!(prot & 7))
		return "none";
	if (prot & PROT_READ)
		buf[n++] = 'r';
	if (prot & PROT_WRITE)
		buf[n++] = 'w';
	if (prot & PROT_EXEC)
		buf[n++] = 'x';
	buf[n] = '\0';
	return buf;
}

static const char *advice_str(int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		return "dontneed";
	case MADV_DONTFORK:
		return "dontfork";
	case MADV_DOFORK:
		return "dofork";
	case MADV_WIPEONFORK:
		return "wipeonfork";
	case MADV_KEEPONFORK:
		return "keeponfork";
	default:
		return NULL;
	}
}

/* A result as `expect errno` names it; NULL for success and skips. */
static const char *result_str(long ret)
{
	const char *name;

	switch (ret) {
	case 0:
	case OPS_SKIPPED:
		return NULL;
	case OPS_SIGSEGV:
		return "SIGSEGV";
	case OPS_SIGBUS:
		return "SIGBUS";
	case OPS_OOM:
		return "OOM";
	}
	name = strerrorname_np((int)-ret);
	return name ? name : "E?";
}

/* The page range [first, first + n) of the window, as "@a:b" or "@a". */
static const char *range_str(unsigned long first, unsigned long n,
			     char buf[32])
{
	if (n == 1)
		snprintf(buf, 32, "@%lu", first);
	else
		snprintf(buf, 32, "@%lu:%lu", first, first + n);
	return buf;
}

/**
 * ops_trace_begin() - the scenario's declarations.
 * @out: where to print.
 * @design: the design of the run.
 */
void ops_trace_begin(FILE *out, enum anonvma_design design)
{
	fprintf(out, "# A fuzz_ops program as a scenario.  Lines starting \"#!\" are\n"
		     "# model calls the scenario language cannot express; where there\n"
		     "# are any, a replay may take another path.\n");
	fprintf(out, "window 0x%lx pages %d\n", OPS_WIN_BASE, OPS_WIN_PAGES);
	if (design != DESIGN_MAINLINE)
		fprintf(out, "design %s\n", design_name(design));
	fprintf(out, "file F0 %d\n", OPS_FILE_PAGES);
	trace.ops = false;
	trace.sysctl = false;
}

/* `proc P` and its heap, for a process the operation created. */
static void trace_new_proc(FILE *out, const struct ops_state *st, int p)
{
	char nb[16];

	pname(p, st->gen[p], nb);
	if (!st->mm[p]) {
		fprintf(out, "#! proc %s: failed, ENOMEM\n", nb);
		return;
	}
	fprintf(out, "proc %s\n%s brk base @%d\n", nb, nb, OPS_BRK_PAGE);
}

static void trace_mmap(FILE *out, const char *P, const struct ops_rec *r,
		       const struct ops_call *c)
{
	char pb[4], rb[32];
	unsigned long fixed = c->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);

	if (!fixed || (r->g & 48)) {
		fprintf(out, "#! %s mmap addr 0x%lx len 0x%lx prot %lu flags 0x%lx%s off %lu -> 0x%lx\n",
			P, c->addr, c->len, c->prot, c->flags,
			c->file ? " file F0" : "", c->pgoff, c->ret_addr);
		return;
	}
	fprintf(out, "%s mmap %s %s", P, range_str(r->a, r->n, rb),
		prot_str(c->prot, pb));
	if (c->flags & MAP_SHARED)
		fprintf(out, " shared");
	if (c->flags & MAP_FIXED)
		fprintf(out, " fixed");
	if (c->flags & MAP_NORESERVE)
		fprintf(out, " noreserve");
	if (c->file)
		fprintf(out, " file=F0 off=%lu", c->pgoff);
	fputc('\n', out);
}

static void trace_range_op(FILE *out, const char *P, const struct ops_rec *r,
			   const struct ops_call *c)
{
	const char *adv = advice_str(c->advice);
	char pb[4], rb[32];

	if ((r->g & 7) || (r->op == OP_MADVISE && !adv)) {
		fprintf(out, "#! %s %s addr 0x%lx len 0x%lx prot %lu advice %d\n",
			P, op_names[r->op], c->addr, c->len, c->prot,
			c->advice);
		return;
	}
	fprintf(out, "%s %s %s", P, op_names[r->op], range_str(r->a, r->n, rb));
	if (r->op == OP_MPROTECT)
		fprintf(out, " %s", prot_str(c->prot, pb));
	if (r->op == OP_MADVISE)
		fprintf(out, " %s", adv);
	fputc('\n', out);
}

static void trace_mremap(FILE *out, const char *P, const struct ops_rec *r,
			 const struct ops_call *c)
{
	char rb[32], rb2[32];

	if (!(r->g & 3) && c->flags == 0) {
		fprintf(out, "%s mremap %s %u\n", P, range_str(r->a, r->n, rb),
			r->h + 1);
		return;
	}
	if (!(r->g & 3) && (c->flags == (MREMAP_MAYMOVE | MREMAP_FIXED) ||
			    c->flags == (MREMAP_MAYMOVE | MREMAP_FIXED |
					 MREMAP_DONTUNMAP))) {
		fprintf(out, "%s mremap %s to %s%s\n", P,
			range_str(r->a, r->n, rb), range_str(r->k, r->h + 1, rb2),
			(c->flags & MREMAP_DONTUNMAP) ? " dontunmap" : "");
		return;
	}
	fprintf(out, "#! %s mremap addr 0x%lx old_len 0x%lx new_len 0x%lx flags %lu new_addr 0x%lx -> 0x%lx\n",
		P, c->addr, c->len, c->new_len, c->flags, c->new_addr,
		c->ret_addr);
}

static void trace_brk(FILE *out, const char *P, const struct ops_rec *r,
		      const struct ops_call *c)
{
	long delta = ((long)c->addr - (long)c->old_brk) / (long)PAGE_SIZE;

	if ((r->g & 1) || !delta) {
		fprintf(out, "#! %s brk 0x%lx (break was 0x%lx)\n", P, c->addr,
			c->old_brk);
		return;
	}
	fprintf(out, "%s brk %+ld\n", P, delta);
}

/*
 * One line per page, with the token the contents oracle expected where
 * it knew one, so that a replay checks the contents too.
 */
static void trace_read(FILE *out, const char *P, const struct ops_rec *r,
		       const struct ops_call *c, long ret)
{
	unsigned long i, n = c->done + (ret != 0);

	for (i = 0; i < n; i++) {
		fprintf(out, "%s read @%lu", P, r->a + i);
		if (i < c->done && c->want_known[i])
			fprintf(out, " == %llu", (unsigned long long)c->want[i]);
		fputc('\n', out);
	}
}

/* One line per page: each page gets its own token. */
static void trace_write(FILE *out, const struct ops_state *st, const char *P,
			const struct ops_rec *r, const struct ops_call *c,
			long ret)
{
	unsigned long i, n = c->done + (ret != 0);

	for (i = 0; i < n; i++)
		fprintf(out, "%s write @%lu = %llu\n", P, r->a + i,
			(unsigned long long)ops_token(st->opno, r->a + i));
}

/* The operation's own lines, without the `fail` line and the result. */
static void trace_op(FILE *out, const struct ops_state *st,
		     const struct ops_rec *r, const struct ops_call *c,
		     long ret)
{
	char nb[16], cb[16], rb[32];
	const char *P = pname((int)r->p, c->old_gen, nb);

	switch (r->op) {
	case OP_MMAP:
		if (c->created) {
			trace_new_proc(out, st, (int)r->p);
			if (!st->mm[r->p])
				return;
			P = pname((int)r->p, st->gen[r->p], nb);
		}
		trace_mmap(out, P, r, c);
		break;
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MADVISE:
		trace_range_op(out, P, r, c);
		break;
	case OP_MREMAP:
		trace_mremap(out, P, r, c);
		break;
	case OP_READ:
		trace_read(out, P, r, c, ret);
		break;
	case OP_WRITE:
		trace_write(out, st, P, r, c, ret);
		break;
	case OP_FORK:
		if (r->f & 1)
			fprintf(out, "#! %s: mm->flags |= MMF_HAS_PINNED\n", P);
		fprintf(out, "%s fork %s\n", P,
			pname(c->child, st->gen[c->child], cb));
		break;
	case OP_EXIT:
		fprintf(out, "%s exit\n", P);
		break;
	case OP_SWAPOUT:
		fprintf(out, "swapout %s %s%s\n", P, range_str(r->a, r->n, rb),
			(r->f & 1) ? " keepcache" : "");
		break;
	case OP_MIGRATE:
		fprintf(out, "migrate %s %s\n", P, range_str(r->a, r->n, rb));
		break;
	case OP_RMAP:
		fprintf(out, "%s %s %s\n", (r->f & 1) ? "referenced" : "rmap", P,
			range_str(r->a, r->n, rb));
		break;
	case OP_BRK:
		trace_brk(out, P, r, c);
		break;
	case OP_EXEC:
		if (c->had_mm)
			fprintf(out, "%s exit\n", P);
		trace_new_proc(out, st, (int)r->p);
		break;
	}
}

/*
 * A `fail` line can stand in front of the operation only if the
 * operation is one scenario line that can fail; otherwise (a process
 * made on the way, an exit, a line the language cannot say) it is a
 * comment.
 */
static bool fail_expressible(const struct ops_rec *r, const struct ops_call *c,
			     const char *lines)
{
	const char *nl = strchr(lines, '\n');

	/*
	 * Loads and stores are one line per page, and a `fail` line
	 * counts the allocations of its one line only.
	 */
	if (nl && nl[1] && (r->op == OP_READ || r->op == OP_WRITE))
		return false;
	return !c->created && r->op != OP_EXIT && r->op != OP_EXEC &&
	       strncmp(lines, "#!", 2) != 0;
}

/* Does the last line of @text (each ends with a newline) start with '#'? */
static bool last_line_is_comment(const char *text)
{
	size_t len = strlen(text);

	while (len && text[len - 1] == '\n')
		len--;
	while (len && text[len - 1] != '\n')
		len--;
	return text[len] == '#';
}

/**
 * ops_trace() - one operation as scenario lines, with its result.
 * @out: where to print.
 * @st: the state after the operation.
 * @r: the operation.
 * @c: the arguments it ran with.
 * @ret: its result (0, a negative errno, OPS_*).
 */
void ops_trace(FILE *out, const struct ops_state *st, const struct ops_rec *r,
	       const struct ops_call *c, long ret)
{
	char *lines = NULL;
	size_t len = 0;
	FILE *mem;
	const char *res;

	if (r->op == OP_MAPCOUNT) {
		/* A declaration, so only before the first operation. */
		fprintf(out, "%ssysctl max_map_count %d\n",
			trace.ops || trace.sysctl ? "#! " : "",
			sysctl_max_map_count);
		trace.sysctl = true;
		return;
	}
	if (ret == OPS_SKIPPED) {
		fprintf(out, "# %s: skipped (%s)%s\n", op_names[r->op],
			c->had_mm ? "no free slot" : "no process",
			st->fail_used ? ", with the fail line meant for it" : "");
		return;
	}
	mem = open_memstream(&lines, &len);
	if (!mem)
		return;
	trace_op(mem, st, r, c, ret);
	fclose(mem);
	/*
	 * A `fail` line whose allocation never comes is a wrong scenario,
	 * so one that did not fire here is only mentioned.
	 */
	if (st->fail_used)
		fprintf(out, "%sfail %s nth %u%s\n",
			!st->fail_fired ? "# " :
			fail_expressible(r, c, lines) ? "" : "#! ",
			fi_cache_name((enum fi_cache)st->fail_cache),
			st->fail_nth,
			st->fail_fired ? "" : " (not reached by the operation)");
	fputs(lines, out);
	trace.ops = true;
	if (r->op == OP_EXEC || (r->op == OP_MMAP && c->created &&
				 !st->mm[r->p])) {
		free(lines);
		return;
	}
	res = result_str(ret);
	/* An operation the language cannot say has its result said in a comment too. */
	if (res)
		fprintf(out, "%sexpect errno %s\n",
			last_line_is_comment(lines) ? "#! " : "", res);
	free(lines);
}

/**
 * ops_trace_end() - the closing comment; flushes @out.
 * @out: where to print.
 */
void ops_trace_end(FILE *out)
{
	fprintf(out, "# end of the program: every process exits\n");
	fflush(out);
}
