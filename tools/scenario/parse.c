/* SPDX-License-Identifier: MIT */
/*
 * The scenario parser: declarations and operation lines (expect lines
 * are in parse_expect.c).  The whole text is parsed before anything runs,
 * and the parser follows which processes exist line by line, so that a
 * scenario that would use a process before its fork or after its exit
 * is refused with the line and column of the name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/mm.h>
#include <anonvma/system.h>

#include "ops.h"
#include "parse_internal.h"

#define SCN_MAX_INPUT (64UL << 20)	/* refuse files over 64 MiB */

static const struct {
	const char *name;
	int code;
} results[] = {
	{ "EPERM", EPERM },	{ "ENOENT", ENOENT },	{ "EINTR", EINTR },
	{ "EBADF", EBADF },	{ "EAGAIN", EAGAIN },	{ "ENOMEM", ENOMEM },
	{ "EACCES", EACCES },	{ "EFAULT", EFAULT },	{ "EBUSY", EBUSY },
	{ "EEXIST", EEXIST },	{ "ENODEV", ENODEV },	{ "EINVAL", EINVAL },
	{ "ENFILE", ENFILE },	{ "EMFILE", EMFILE },	{ "EFBIG", EFBIG },
	{ "ENOSPC", ENOSPC },	{ "ENXIO", ENXIO },	{ "ERANGE", ERANGE },
	{ "EOVERFLOW", EOVERFLOW }, { "ENOSYS", ENOSYS },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ETXTBSY", ETXTBSY },
	{ "SIGSEGV", SCN_SIGSEGV }, { "SIGBUS", SCN_SIGBUS },
	{ "OOM", SCN_OOM },	{ "BADADDR", SCN_BADADDR },
};

/** scn_result_name() - the name of result code @res. */
const char *scn_result_name(int res)
{
	static __thread char buf[24];
	size_t i;

	if (res == SCN_OK)
		return "ok";
	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (results[i].code == res)
			return results[i].name;
	snprintf(buf, sizeof(buf), "error %d", res);
	return buf;
}

/** scn_result_parse() - the code of the result named @name, or -1. */
int scn_result_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (!strcmp(results[i].name, name))
			return results[i].code;
	return -1;
}

/** scn_prot_str() - "rwx" letters of @prot, '-' for each missing one. */
void scn_prot_str(unsigned long prot, char buf[4])
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	return p;
}

/**
 * scn_grow() - make room for element @n of a growing array.
 * @arr: the array; @n: the index about to be used; @cap: its capacity.
 * @elem: the element size.  New elements are zeroed.
 */
void *scn_grow(void *arr, int n, int *cap, size_t elem)
{
	int old = *cap;

	if (n < old)
		return arr;
	*cap = old ? old * 2 : 8;
	arr = xrealloc(arr, (size_t)*cap * elem);
	memset((char *)arr + (size_t)old * elem, 0,
	       (size_t)(*cap - old) * elem);
	return arr;
}

static char *xstrndup(const char *s, int n)
{
	char *p = xrealloc(NULL, (size_t)n + 1);

	memcpy(p, s, (size_t)n);
	p[n] = '\0';
	return p;
}

static struct scn_step *new_step(struct pstate *ps, enum scn_op op, int proc)
{
	struct scenario *s = ps->s;
	struct scn_step *st;

	s->steps = scn_grow(s->steps, s->nsteps, &ps->cap_steps, sizeof(*st));
	st = &s->steps[s->nsteps++];
	st->line = ps->line;
	st->text = xstrndup(ps->text, ps->textlen);
	st->op = op;
	st->model_only = scn_ops[op].flags & SCN_OPF_MODEL_ONLY;
	st->proc = proc;
	st->proc2 = -1;
	st->file = -1;
	ps->last_was_op = true;
	return st;
}

static int new_proc(struct pstate *ps, int i, int parent)
{
	struct scenario *s = ps->s;
	char name[SCN_NAME_MAX];

	if (scn_new_name(ps, i, name))
		return -1;
	s->procs = scn_grow(s->procs, s->nprocs, &ps->cap_procs, sizeof(*s->procs));
	ps->life = scn_grow(ps->life, s->nprocs, &ps->cap_life,
			    sizeof(*ps->life));
	memcpy(s->procs[s->nprocs].name, name, sizeof(name));
	s->procs[s->nprocs].line = ps->line;
	s->procs[s->nprocs].parent = parent;
	ps->life[s->nprocs].life = LIFE_ALIVE;
	return s->nprocs++;
}

static int decl_window(struct pstate *ps)
{
	uint64_t base, pages = SCN_DEFAULT_PAGES;
	int i = 2;

	if (ps->window_line)
		return scn_perr(ps, ps->tok[0].col,
				"window declared twice (first at line %d)",
				ps->window_line);
	if (ps->s->nregions || ps->s->nsteps)
		return scn_perr(ps, ps->tok[0].col,
				"window must come before regions and operations");
	if (scn_tok_u64(ps, 1, &base))
		return -1;
	if (base & (SCN_PAGE_SIZE - 1))
		return scn_perr(ps, ps->tok[1].col,
				"window base 0x%llx is not page-aligned",
				(unsigned long long)base);
	if (base == 0 || base >= SCN_USER_TOP)
		return scn_perr(ps, ps->tok[1].col,
				"window base must lie in 0x1000-0x%lx",
				SCN_USER_TOP - 1);
	if (i < ps->ntok && scn_tok_is(&ps->tok[i], "pages")) {
		if (scn_tok_u64(ps, i + 1, &pages))
			return -1;
		if (pages == 0 || pages > SCN_MAX_PAGES)
			return scn_perr(ps, ps->tok[i + 1].col,
					"window size must be 1 to %lu pages",
					SCN_MAX_PAGES);
		if (pages > (SCN_USER_TOP - base) / SCN_PAGE_SIZE)
			return scn_perr(ps, ps->tok[i + 1].col,
					"window ends above the user address space (0x%lx)",
					SCN_USER_TOP);
		i += 2;
	}
	if (scn_no_more(ps, i))
		return -1;
	ps->s->base = (unsigned long)base;
	ps->s->pages = (unsigned long)pages;
	ps->window_line = ps->line;
	return 0;
}

/*
 * `WHAT NAME`, the rest of the line: NAME is one that @parse knows
 * (design_parse(), bug_parse()); it goes to @name and its number to *@v.
 */
static int decl_name(struct pstate *ps, const char *what,
		     int (*parse)(const char *), char name[SCN_NAME_MAX],
		     int *v)
{
	const struct tok *t;
	char need[32];

	snprintf(need, sizeof(need), "%s name", what);
	if (scn_need(ps, 1, need))
		return -1;
	t = &ps->tok[1];
	if (t->len >= SCN_NAME_MAX)
		return scn_perr(ps, t->col, "unknown %s '%.*s'", what, t->len,
				t->s);
	memcpy(name, t->s, (size_t)t->len);
	name[t->len] = '\0';
	*v = parse(name);
	if (*v < 0)
		return scn_perr(ps, t->col, "unknown %s '%s'", what, name);
	return scn_no_more(ps, 2);
}

static int decl_design(struct pstate *ps)
{
	char name[SCN_NAME_MAX];
	int d;

	if (scn_decl_early(ps, "design", ps->design_line) ||
	    decl_name(ps, "design", design_parse, name, &d))
		return -1;
	memcpy(ps->s->design, name, sizeof(name));
	ps->design_line = ps->line;
	return 0;
}

/*
 * `bug NAME`: switch a historical bug back on (system.h), so that a
 * scenario can show what the checkers say about it.
 */
static int decl_bug(struct pstate *ps)
{
	char name[SCN_NAME_MAX];
	int b;

	if (scn_decl_early(ps, "bug", 0) ||
	    decl_name(ps, "bug", bug_parse, name, &b))
		return -1;
	ps->s->bugs |= 1UL << b;
	return 0;
}

static int decl_region(struct pstate *ps)
{
	struct scenario *s = ps->s;
	struct scn_region *rg;
	char name[SCN_NAME_MAX];
	uint64_t first, count;

	if (scn_new_name(ps, 1, name) || scn_tok_u64(ps, 2, &first) ||
	    scn_tok_u64(ps, 3, &count) || scn_no_more(ps, 4))
		return -1;
	if (first >= s->pages)
		return scn_perr(ps, ps->tok[2].col,
				"page %llu is outside the window (%lu pages)",
				(unsigned long long)first, s->pages);
	if (count == 0)
		return scn_perr(ps, ps->tok[3].col,
				"a region needs at least one page");
	if (count > s->pages - first)
		return scn_perr(ps, ps->tok[3].col,
				"region ends outside the window (%lu pages)",
				s->pages);
	s->regions = scn_grow(s->regions, s->nregions, &ps->cap_regions, sizeof(*rg));
	rg = &s->regions[s->nregions++];
	memcpy(rg->name, name, sizeof(name));
	rg->r.first = (unsigned long)first;
	rg->r.end = (unsigned long)(first + count);
	rg->line = ps->line;
	return 0;
}

static int decl_file(struct pstate *ps)
{
	struct scenario *s = ps->s;
	struct scn_file *f;
	char name[SCN_NAME_MAX];
	uint64_t pages;

	if (scn_new_name(ps, 1, name) || scn_tok_u64(ps, 2, &pages) || scn_no_more(ps, 3))
		return -1;
	if (pages == 0 || pages > SCN_MAX_PAGES)
		return scn_perr(ps, ps->tok[2].col,
				"file size must be 1 to %lu pages", SCN_MAX_PAGES);
	s->files = scn_grow(s->files, s->nfiles, &ps->cap_files, sizeof(*f));
	f = &s->files[s->nfiles++];
	memcpy(f->name, name, sizeof(name));
	f->pages = (unsigned long)pages;
	f->line = ps->line;
	return 0;
}

/** scn_parse_mremap() - see parse_internal.h. */
int scn_parse_mremap(struct pstate *ps, struct scn_step *st)
{
	uint64_t n;

	if (scn_tok_range(ps, 2, &st->r) || scn_need(ps, 3, "new size or 'to'"))
		return -1;
	if (scn_tok_is(&ps->tok[3], "to")) {
		if (scn_tok_range(ps, 4, &st->r2))
			return -1;
		st->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		if (ps->ntok > 5 && scn_tok_is(&ps->tok[5], "dontunmap")) {
			st->flags |= MREMAP_DONTUNMAP;
			return scn_no_more(ps, 6);
		}
		return scn_no_more(ps, 5);
	}
	if (scn_tok_u64(ps, 3, &n))
		return -1;
	if (n == 0)
		return scn_perr(ps, ps->tok[3].col, "new size must be at least 1 page");
	if (n > ps->s->pages - st->r.first)
		return scn_perr(ps, ps->tok[3].col,
				"new size ends outside the window (%lu pages)",
				ps->s->pages);
	st->npages = (unsigned long)n;
	/* Growing a locked mapping populates the new part. */
	st->populates = st->npages > scn_range_pages(&st->r);
	return scn_no_more(ps, 4);
}

/** scn_parse_brk() - see parse_internal.h. */
int scn_parse_brk(struct pstate *ps, struct scn_step *st)
{
	struct proc_state *life = &ps->life[st->proc];
	const struct tok *t;
	uint64_t n;

	if (scn_need(ps, 2, "'base', +N or -N"))
		return -1;
	t = &ps->tok[2];
	if (scn_tok_is(t, "base")) {
		st->op = SCN_OP_BRK_BASE;
		if (scn_tok_range(ps, 3, &st->r) || scn_no_more(ps, 4))
			return -1;
		life->brk_set = true;
		life->brk = st->r.first;
		return 0;
	}
	if (t->s[0] != '+' && t->s[0] != '-')
		return scn_perr(ps, t->col, "expected 'base', +N or -N, found '%.*s'",
				t->len, t->s);
	if (scn_parse_u64(ps, t->s + 1, t->len - 1, t->col + 1, &n))
		return -1;
	if (!life->brk_set)
		return scn_perr(ps, t->col, "brk moves need a 'brk base' first");
	if (t->s[0] == '+' && n > ps->s->pages - life->brk)
		return scn_perr(ps, t->col,
				"the break would end outside the window (%lu pages)",
				ps->s->pages);
	if (t->s[0] == '-' && n > life->brk)
		return scn_perr(ps, t->col,
				"the break would go below the window");
	st->delta = t->s[0] == '+' ? (long)n : -(long)n;
	st->populates = st->delta > 0 && life->lock_future;
	life->brk += (unsigned long)st->delta;
	return scn_no_more(ps, 3);
}

/* `P read R [== V]` and `P write R [= V]`. */
static int op_access(struct pstate *ps, struct scn_step *st, const char *eq)
{
	if (scn_tok_range(ps, 2, &st->r))
		return -1;
	if (ps->ntok == 3)
		return 0;
	if (!scn_tok_is(&ps->tok[3], eq))
		return scn_perr(ps, ps->tok[3].col, "expected '%s', found '%.*s'",
				eq, ps->tok[3].len, ps->tok[3].s);
	if (scn_tok_u64(ps, 4, &st->value))
		return -1;
	st->has_value = true;
	return scn_no_more(ps, 5);
}

/** scn_parse_read() - see parse_internal.h. */
int scn_parse_read(struct pstate *ps, struct scn_step *st)
{
	return op_access(ps, st, "==");
}

/** scn_parse_write() - see parse_internal.h. */
int scn_parse_write(struct pstate *ps, struct scn_step *st)
{
	return op_access(ps, st, "=");
}

/** scn_parse_mmap() - see parse_internal.h. */
int scn_parse_mmap(struct pstate *ps, struct scn_step *st)
{
	if (scn_tok_range(ps, 2, &st->r) || scn_tok_prot(ps, 3, &st->prot))
		return -1;
	return scn_mmap_words(ps, st, 4);
}

/** scn_parse_munmap() - see parse_internal.h. */
int scn_parse_munmap(struct pstate *ps, struct scn_step *st)
{
	return scn_tok_range(ps, 2, &st->r) || scn_no_more(ps, 3) ? -1 : 0;
}

/** scn_parse_mprotect() - see parse_internal.h. */
int scn_parse_mprotect(struct pstate *ps, struct scn_step *st)
{
	if (scn_tok_range(ps, 2, &st->r) || scn_tok_prot(ps, 3, &st->prot) ||
	    scn_no_more(ps, 4))
		return -1;
	/* Making a locked private mapping writable faults it in. */
	st->populates = st->prot & PROT_WRITE;
	return 0;
}

/** scn_parse_fork() - see parse_internal.h. */
int scn_parse_fork(struct pstate *ps, struct scn_step *st)
{
	int proc = st->proc, child = new_proc(ps, 2, proc);

	if (child < 0)
		return -1;
	/* The child inherits the heap: its break is the parent's. */
	ps->life[child].brk_set = ps->life[proc].brk_set;
	ps->life[child].brk = ps->life[proc].brk;
	st->proc2 = child;
	return scn_no_more(ps, 3);
}

/** scn_parse_exit() - see parse_internal.h. */
int scn_parse_exit(struct pstate *ps, struct scn_step *st)
{
	if (scn_no_more(ps, 2))
		return -1;
	ps->life[st->proc].life = LIFE_EXITED;
	ps->life[st->proc].end_line = ps->line;
	return 0;
}

/** scn_parse_proc() - see parse_internal.h. */
int scn_parse_proc(struct pstate *ps, struct scn_step *st)
{
	st->proc = new_proc(ps, 1, -1);
	return st->proc < 0 || scn_no_more(ps, 2) ? -1 : 0;
}

/** scn_parse_check() - see parse_internal.h. */
int scn_parse_check(struct pstate *ps, struct scn_step *st)
{
	return scn_no_more(ps, 1);
}

/** scn_parse_folio() - see parse_internal.h. */
int scn_parse_folio(struct pstate *ps, struct scn_step *st)
{
	if (scn_tok_proc(ps, 1, &st->proc) || scn_tok_range(ps, 2, &st->r))
		return -1;
	return scn_no_more(ps, 3);
}

/** scn_parse_swapout() - see parse_internal.h. */
int scn_parse_swapout(struct pstate *ps, struct scn_step *st)
{
	if (scn_tok_proc(ps, 1, &st->proc) || scn_tok_range(ps, 2, &st->r))
		return -1;
	if (ps->ntok > 3 && scn_tok_is(&ps->tok[3], "keepcache")) {
		st->keepcache = true;
		return scn_no_more(ps, 4);
	}
	return scn_no_more(ps, 3);
}

/*
 * The operation whose keyword is token @i (written first, @lead, or
 * after the acting process @proc): its step, parsed by its entry's hook.
 * Return: 0, -1 on error, 1 when no operation has that keyword.
 */
static int op_line(struct pstate *ps, int i, bool lead, int proc)
{
	int op;

	for (op = 0; op < NR_SCN_OPS; op++) {
		const struct scn_op_desc *d = &scn_ops[op];

		if (d->parse && d->lead == lead && scn_tok_is(&ps->tok[i], d->name))
			return d->parse(ps, new_step(ps, (enum scn_op)op, proc));
	}
	return 1;
}

/* A line that starts with a process name. */
static int process_op(struct pstate *ps)
{
	const struct tok *t;
	int proc, ret;

	if (scn_tok_proc(ps, 0, &proc) || scn_need(ps, 1, "operation"))
		return -1;
	t = &ps->tok[1];
	ret = op_line(ps, 1, false, proc);
	if (ret <= 0)
		return ret;
	return scn_perr(ps, t->col, "unknown operation '%.*s'", t->len, t->s);
}

static int statement_one(struct pstate *ps);

/* One non-empty line; a pending `fail` line goes to its operation. */
static int statement(struct pstate *ps)
{
	int nsteps = ps->s->nsteps, fail_line = ps->fail_line;

	if (fail_line && scn_tok_is(&ps->tok[0], "fail"))
		return scn_perr(ps, ps->tok[0].col,
				"two fail lines for one operation (the first at line %d)",
				fail_line);
	if (statement_one(ps))
		return -1;
	return fail_line ? scn_attach_fail(ps, nsteps) : 0;
}

static int statement_one(struct pstate *ps)
{
	const struct tok *t = &ps->tok[0];
	int ret;

	if (scn_tok_is(t, "expect"))
		return scn_parse_expect(ps);
	ps->last_was_op = false;
	if (scn_tok_is(t, "fail"))
		return scn_parse_fail(ps);
	if (scn_tok_is(t, "sysctl"))
		return scn_parse_sysctl(ps);
	if (scn_tok_is(t, "window"))
		return decl_window(ps);
	if (scn_tok_is(t, "design"))
		return decl_design(ps);
	if (scn_tok_is(t, "bug"))
		return decl_bug(ps);
	if (scn_tok_is(t, "region"))
		return decl_region(ps);
	if (scn_tok_is(t, "file"))
		return decl_file(ps);
	ret = op_line(ps, 0, true, -1);
	if (ret <= 0)
		return ret;
	return process_op(ps);
}

/** scn_free() - free @s and everything it owns. */
void scn_free(struct scenario *s)
{
	int i, j;

	if (!s)
		return;
	for (i = 0; i < s->nsteps; i++) {
		for (j = 0; j < s->steps[i].nex; j++) {
			free(s->steps[i].ex[j].text);
			free(s->steps[i].ex[j].maps);
		}
		free(s->steps[i].ex);
		free(s->steps[i].text);
	}
	free(s->steps);
	free(s->regions);
	free(s->files);
	free(s->procs);
	free(s->name);
	free(s);
}

/** scn_parse() - parse a whole scenario; see scenario.h. */
struct scenario *scn_parse(const char *name, const char *buf, size_t len,
			   struct scn_error *err)
{
	struct pstate ps;
	size_t off = 0;

	memset(&ps, 0, sizeof(ps));
	memset(err, 0, sizeof(*err));
	ps.s = xrealloc(NULL, sizeof(*ps.s));
	memset(ps.s, 0, sizeof(*ps.s));
	ps.s->name = xstrndup(name, (int)strlen(name));
	ps.s->base = SCN_DEFAULT_BASE;
	ps.s->pages = SCN_DEFAULT_PAGES;
	ps.err = err;
	ps.buf = buf;
	ps.len = len;

	while (off < len) {
		const char *l = buf + off, *nl;
		size_t n;

		nl = memchr(l, '\n', len - off);
		n = nl ? (size_t)(nl - l) : len - off;
		ps.next = off + n + 1;
		off = ps.next;
		if (ps.line == 0x7fffffff) {
			scn_perr(&ps, 1, "too many lines");
			goto fail;
		}
		ps.line++;
		if (n && l[n - 1] == '\r')
			n--;
		if (scn_lex_line(&ps, l, n))
			goto fail;
		if (ps.ntok && statement(&ps))
			goto fail;
	}
	if (ps.fail_line) {
		err->line = ps.fail_line;
		err->col = ps.fail_col;
		snprintf(err->msg, sizeof(err->msg),
			 "fail is not followed by an operation");
		goto fail;
	}
	free(ps.life);
	return ps.s;
fail:
	free(ps.life);
	scn_free(ps.s);
	return NULL;
}

/** scn_read_file() - the contents of @path ("-": standard input). */
char *scn_read_file(const char *path, size_t *len, struct scn_error *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	memset(err, 0, sizeof(*err));
	if (!f) {
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s",
			 strerror(errno));
		return NULL;
	}
	do {
		if (n == cap) {
			if (cap >= SCN_MAX_INPUT) {
				snprintf(err->msg, sizeof(err->msg),
					 "file too large (over %lu MiB)",
					 SCN_MAX_INPUT >> 20);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s",
			 strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

/** scn_error_print() - "file:line:col: message" (or "file: message"). */
void scn_error_print(const char *name, const struct scn_error *err, FILE *out)
{
	if (err->line)
		fprintf(out, "%s:%d:%d: %s\n", name, err->line, err->col,
			err->msg);
	else
		fprintf(out, "%s: %s\n", name, err->msg);
}
