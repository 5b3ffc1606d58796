// SPDX-License-Identifier: MIT
/*
 * `anonvma replay --extract`, second half: the steps extract.c made, in
 * recorded addresses, placed in a window and written as a scenario
 * (docs/scenario-language.md).
 */
#include <stdlib.h>
#include <string.h>

#include "extract.h"

static int xrange_cmp(const void *a, const void *b)
{
	const struct xrange *l = a, *r = b;

	return l->start < r->start ? -1 : l->start > r->start;
}

/*
 * Merge the touched ranges into clusters and give each its place in the
 * window.  Return: the window's size in pages.
 */
/** relocate() - see extract.h. */
unsigned long relocate(struct xstate *x)
{
	unsigned long pos = 0, gap;
	size_t i, n = 0;

	qsort(x->rg, x->nrg, sizeof(*x->rg), xrange_cmp);
	for (i = 0; i < x->nrg; i++) {
		struct xrange *c = n ? &x->rg[n - 1] : NULL;

		if (c && x->rg[i].start <= c->end + XGAP_PAGES * PAGE_SIZE) {
			if (x->rg[i].end > c->end)
				c->end = x->rg[i].end;
			c->gd |= x->rg[i].gd;
		} else {
			x->rg[n++] = x->rg[i];
		}
	}
	x->nrg = n;
	for (i = 0; i < n; i++) {
		struct xrange *c = &x->rg[i];

		gap = i ? XGAP_PAGES : 0;
		if (c->gd) {
			gap = XGUARD_PAGES;
			if (i && (c->start - x->rg[i - 1].end) >> PAGE_SHIFT < gap)
				gap = (c->start - x->rg[i - 1].end) >> PAGE_SHIFT;
		}
		pos += gap;
		c->to = SCN_DEFAULT_BASE + pos * PAGE_SIZE;
		pos += (c->end - c->start) >> PAGE_SHIFT;
	}
	return pos;
}

/* The window page of recorded address @a: in the last cluster starting at or below it. */
static unsigned long xpage(const struct xstate *x, uint64_t a)
{
	size_t lo = 0, hi = x->nrg;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (x->rg[mid].start <= a)
			lo = mid;
		else
			hi = mid;
	}
	return (unsigned long)((x->rg[lo].to + (a - x->rg[lo].start) - SCN_DEFAULT_BASE) >> PAGE_SHIFT);
}

static void put_range(FILE *o, const struct xstate *x, uint64_t a, uint64_t len)
{
	unsigned long p = xpage(x, a), n = (unsigned long)(len >> PAGE_SHIFT);

	if (n == 1)
		fprintf(o, " @%lu", p);
	else
		fprintf(o, " @%lu:%lu", p, p + n);
}

static void put_prot(FILE *o, unsigned long prot)
{
	fputc(' ', o);
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		fputs("none", o);
	if (prot & PROT_READ)
		fputc('r', o);
	if (prot & PROT_WRITE)
		fputc('w', o);
	if (prot & PROT_EXEC)
		fputc('x', o);
}

/* mmap flags said as words; what has no word goes as flags=. */
static const struct { unsigned long flag; const char *word; } xmap_words[] = {
	{ MAP_FIXED, "fixed" }, { MAP_NORESERVE, "noreserve" },
	{ MAP_STACK, "stack" }, { MAP_GROWSDOWN, "growsdown" },
	{ MAP_POPULATE, "populate" }, { MAP_NONBLOCK, "nonblock" },
	{ MAP_LOCKED, "locked" }, { MAP_DENYWRITE, "denywrite" },
	{ MAP_EXECUTABLE, "executable" }, { MAP_32BIT, "32bit" },
	{ MAP_UNINITIALIZED, "uninitialized" }, { MAP_HUGETLB, "hugetlb" },
};

static void put_mmap(FILE *o, const struct xstep *s)
{
	unsigned long rest = s->flags & ~(MAP_TYPE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
	size_t k;

	put_prot(o, s->prot);
	if ((s->flags & MAP_TYPE) == MAP_SHARED)
		fputs(" shared", o);
	else if ((s->flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		fputs(" validate", o);
	else if ((s->flags & MAP_TYPE) != MAP_PRIVATE)
		rest |= s->flags & MAP_TYPE;
	for (k = 0; k < sizeof(xmap_words) / sizeof(xmap_words[0]); k++)
		if (rest & xmap_words[k].flag) {
			fprintf(o, " %s", xmap_words[k].word);
			rest &= ~xmap_words[k].flag;
		}
	if (s->file >= 0)
		fprintf(o, " file=F%d off=%lu", s->file + 1, s->off);
	if (rest)
		fprintf(o, " flags=%#lx", rest);
}

static void put_step(FILE *o, const struct xstate *x, const struct xstep *s)
{
	static const char *const ops[] = {
		[X_MMAP] = "mmap", [X_MUNMAP] = "munmap", [X_MPROTECT] = "mprotect",
		[X_MADVISE] = "madvise", [X_MREMAP] = "mremap", [X_MLOCK] = "mlock",
		[X_MUNLOCK] = "munlock", [X_MLOCKALL] = "mlockall",
		[X_MUNLOCKALL] = "munlockall", [X_READ] = "read", [X_WRITE] = "write",
		[X_FORK] = "fork", [X_EXIT] = "exit",
	};

	if (s->kind == X_PROC) {
		fprintf(o, "proc P%d\n", s->img);
		return;
	}
	fprintf(o, "P%d %s", s->img, ops[s->kind]);
	switch (s->kind) {
	case X_MMAP:
		put_range(o, x, s->a, s->len);
		put_mmap(o, s);
		break;
	case X_MPROTECT:
		put_range(o, x, s->a, s->len);
		put_prot(o, s->prot);
		break;
	case X_MADVISE:
		put_range(o, x, s->a, s->len);
		fprintf(o, " %lu", s->arg);
		break;
	case X_MREMAP:
		put_range(o, x, s->a, s->len);
		if (s->len2) {
			fputs(" to", o);
			put_range(o, x, s->a2, s->len2);
			if (s->flags & MREMAP_DONTUNMAP)
				fputs(" dontunmap", o);
		} else {
			fprintf(o, " %lu", s->arg);
		}
		break;
	case X_MLOCK:
		put_range(o, x, s->a, s->len);
		if (s->arg & MLOCK_ONFAULT)
			fputs(" onfault", o);
		break;
	case X_MLOCKALL:
		fprintf(o, "%s%s%s", s->arg & MCL_CURRENT ? " current" : "",
			s->arg & MCL_FUTURE ? " future" : "",
			s->arg & MCL_ONFAULT ? " onfault" : "");
		break;
	case X_FORK:
		fprintf(o, " P%d", s->child);
		break;
	case X_MUNMAP: case X_MUNLOCK: case X_READ: case X_WRITE:
		put_range(o, x, s->a, s->len);
		break;
	default:
		break;
	}
	if (s->line)
		fprintf(o, "\t# trace:%lu", s->line);
	if (s->read_as_write)
		fputs(", a read: no zero page", o);
	if (s->delta)
		fprintf(o, ", brk %+ld", s->delta);
	fputc('\n', o);
}

static void put_expects(FILE *o, struct xstate *x, const struct xstep *s)
{
	static const char *const obj[NR_SCN_OBJECTS] = { "anon_vma", "avc" };
	int i;

	if (s->err)
		fprintf(o, "expect errno %s\n", scn_result_name(s->err));
	if (!s->counts)
		return;
	for (i = 0; i < NR_SCN_OBJECTS; i++) {
		if (s->frees_only)
			fprintf(o, "expect step %s -%lu\n", obj[i], s->kc[i][1]);
		else
			fprintf(o, "expect step %s +%lu -%lu\n", obj[i],
				s->kc[i][0], s->kc[i][1]);
		x->stats->expects++;
	}
}

/* A comment holds printable ASCII only: the rest becomes '?'. */
static void put_comment(FILE *o, const char *text)
{
	fputs("# ", o);
	for (; *text; text++)
		fputc(*text >= ' ' && *text <= '~' ? *text : '?', o);
	fputc('\n', o);
}

/** write_scenario() - see extract.h. */
void write_scenario(FILE *o, struct xstate *x, const char *trace_name,
			   const int *ids, size_t nids)
{
	char buf[600];
	size_t i;
	int n;

	n = snprintf(buf, sizeof(buf), "extracted by `anonvma replay --extract");
	for (i = 0; i < nids && n < (int)sizeof(buf) - 16; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%d", i ? "," : " ", ids[i]);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "`");
	put_comment(o, buf);
	snprintf(buf, sizeof(buf), "from %s, a recording of: %s", trace_name, x->t->command);
	put_comment(o, buf);
	put_comment(o, "each `expect step` holds the kernel's counts for that operation;");
	put_comment(o, "addresses relocated: sizes and adjacency kept, gaps shrunk (docs/record-replay.md)");
	fputs("design v6.18\n", o);
	fprintf(o, "window %#lx pages %lu\n", SCN_DEFAULT_BASE, x->stats->pages);
	for (i = 0; i < x->nfiles; i++)
		fprintf(o, "file F%zu %lu\n", i + 1, x->files[i].pages ? x->files[i].pages : 1);
	for (i = 0; i < x->nsteps; i++) {
		const struct xstep *s = &x->steps[i];

		if (s->kind == X_COMMENT) {
			put_comment(o, s->text ? s->text : "");
			continue;
		}
		put_step(o, x, s);
		x->stats->steps++;
		put_expects(o, x, s);
	}
}

