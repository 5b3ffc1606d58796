/* SPDX-License-Identifier: MIT */
/*
 * The scenario parser's lexical layer: checking the bytes of a line,
 * cutting it into tokens, and reading one token as a number, a name, a
 * range, a protection or a process.  Every error names the column of
 * the token (or of the part of it) that is wrong.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "parse_internal.h"

/*
 * The words of the language.  None of them may name a region, a file or
 * a process, so a line can always tell a name from a keyword.
 */
static const char *const keywords[] = {
	"window", "pages", "design", "bug", "region", "file", "proc", "check",
	"swapout", "migrate", "referenced", "rmap", "expect", "errno",
	"maps", "vmas", "page", "same", "differ", "live", "step",
	"violations", "anon_vma", "avc", "unfaulted", "chain", "av", "folio",
	"root", "notroot", "children", "active", "index", "walk", "mmap",
	"munmap", "mprotect", "madvise", "mremap", "brk", "read", "write",
	"fork", "exit", "to", "base", "none", "zero", "present", "swap",
	"excl", "noexcl", "anon", "shared", "fixed", "noreserve", "keepcache",
	"dontunmap", "dontneed", "dontfork", "dofork", "wipeonfork",
	"keeponfork", "fail", "nth", "sysctl", "max_map_count",
	/* mmap words, madvise advice, the mlock family */
	"stack", "growsdown", "populate", "nonblock", "locked", "validate",
	"denywrite", "executable", "32bit", "uninitialized", "hugetlb",
	"normal", "random", "sequential", "willneed", "dontneed_locked",
	"free", "cold", "pageout", "populate_read", "populate_write",
	"hugepage", "nohugepage", "dontdump", "dodump", "mlock", "munlock",
	"mlockall", "munlockall", "onfault", "current", "future",
};

/**
 * scn_perr() - record a parse error at column @col of the current line.
 * @ps: parser state.
 * @col: 1-based column of the offending token.
 * @fmt: printf format of the message.
 *
 * Return: -1, so callers can `return scn_perr(...)`.
 */
int scn_perr(struct pstate *ps, int col, const char *fmt, ...)
{
	va_list ap;

	ps->err->line = ps->line;
	ps->err->col = col;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/**
 * scn_utf8_len() - length of the valid UTF-8 sequence of 2 to 4 bytes at
 * @p (at most @n bytes available), or 0 if there is none.
 */
int scn_utf8_len(const unsigned char *p, size_t n)
{
	int len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/**
 * scn_lex_line() - check one line and cut it into tokens.
 * @ps: parser state; fills ps->tok, ps->ntok, ps->text, ps->eol_col.
 * @line: the line, without its newline.
 * @n: its length.
 *
 * Only printable ASCII and tabs are allowed, except that a comment may
 * hold UTF-8 text.  A comma is a token of its own (the separator of
 * `expect P maps`).  Return: 0, or -1 with the error set.
 */
int scn_lex_line(struct pstate *ps, const char *line, size_t n)
{
	const unsigned char *u = (const unsigned char *)line;
	size_t i, end = n;
	bool comment = false;

	for (i = 0; i < n; i++) {
		if (i >= SCN_LINE_MAX)
			return scn_perr(ps, SCN_LINE_MAX + 1,
					"line too long (more than %d characters)",
					SCN_LINE_MAX);
		if (u[i] == '#' && !comment) {
			comment = true;
			end = i;
		}
		if (u[i] == '\t' || (u[i] >= 0x20 && u[i] < 0x7f))
			continue;
		if (u[i] >= 0x80 && comment) {
			int l = scn_utf8_len(u + i, n - i);

			if (l) {
				i += l - 1;
				continue;
			}
		}
		return scn_perr(ps, (int)i + 1, "non-printable byte 0x%02x", u[i]);
	}

	ps->ntok = 0;
	ps->eol_col = 1;
	for (i = 0; i < end;) {
		size_t start;

		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		start = i;
		if (line[i] == ',')
			i++;
		else
			while (i < end && line[i] != ' ' && line[i] != '\t' &&
			       line[i] != ',')
				i++;
		ps->tok[ps->ntok].s = line + start;
		ps->tok[ps->ntok].len = (int)(i - start);
		ps->tok[ps->ntok].col = (int)start + 1;
		ps->ntok++;
		ps->eol_col = (int)i + 1;
	}
	/* The text of the line as shown in output: no indentation, no comment. */
	if (ps->ntok) {
		const struct tok *l = &ps->tok[ps->ntok - 1];

		ps->text = ps->tok[0].s;
		ps->textlen = (int)(l->s + l->len - ps->tok[0].s);
	} else {
		ps->text = line;
		ps->textlen = 0;
	}
	return 0;
}

/** scn_tok_is() - token @t is exactly @word. */
bool scn_tok_is(const struct tok *t, const char *word)
{
	size_t n = strlen(word);

	return (size_t)t->len == n && memcmp(t->s, word, n) == 0;
}

/**
 * scn_need() - token @i must exist; else "missing @what" at the end of line.
 * @ps: parser state.
 * @i: token index.
 * @what: what was expected, for the message.
 */
int scn_need(struct pstate *ps, int i, const char *what)
{
	if (i < ps->ntok)
		return 0;
	return scn_perr(ps, ps->eol_col, "missing %s", what);
}

/** scn_no_more() - the line must end before token @i. */
int scn_no_more(struct pstate *ps, int i)
{
	if (i >= ps->ntok)
		return 0;
	return scn_perr(ps, ps->tok[i].col, "unexpected '%.*s'", ps->tok[i].len,
			ps->tok[i].s);
}

/**
 * scn_decl_early() - a declaration that sets up the run must come
 * before the first operation, and some may be given only once.
 * @ps: parser state, at the declaration.
 * @what: the declaration's keyword, for the messages.
 * @first_line: the line of an earlier one where only one is allowed,
 *              else 0.
 *
 * Return: 0, or -1 with the error set.
 */
int scn_decl_early(struct pstate *ps, const char *what, int first_line)
{
	if (first_line)
		return scn_perr(ps, ps->tok[0].col,
				"%s declared twice (first at line %d)", what,
				first_line);
	if (ps->s->nsteps)
		return scn_perr(ps, ps->tok[0].col,
				"%s must come before operations", what);
	return 0;
}

/**
 * scn_parse_u64() - a decimal or 0x-hexadecimal number, overflow-safe.
 * @ps: parser state (for the error).
 * @s: the text; @len: its length; @col: its column.
 * @v: out: the value.
 */
int scn_parse_u64(struct pstate *ps, const char *s, int len, int col, uint64_t *v)
{
	uint64_t x = 0;
	int i = 0, base = 10;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= len)
		goto bad;
	for (; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			goto bad;
		if (x > (UINT64_MAX - d) / (uint64_t)base)
			return scn_perr(ps, col, "number too large '%.*s'", len, s);
		x = x * (uint64_t)base + d;
	}
	*v = x;
	return 0;
bad:
	return scn_perr(ps, col, "invalid number '%.*s'", len, s);
}

/** scn_tok_u64() - token @i is a number. */
int scn_tok_u64(struct pstate *ps, int i, uint64_t *v)
{
	if (scn_need(ps, i, "number"))
		return -1;
	return scn_parse_u64(ps, ps->tok[i].s, ps->tok[i].len, ps->tok[i].col, v);
}

/** scn_tok_count() - token @i is a count of at most SCN_MAX_COUNT. */
int scn_tok_count(struct pstate *ps, int i, long *v)
{
	uint64_t x;

	if (scn_tok_u64(ps, i, &x))
		return -1;
	if (x > SCN_MAX_COUNT)
		return scn_perr(ps, ps->tok[i].col, "number too large '%.*s'",
				ps->tok[i].len, ps->tok[i].s);
	*v = (long)x;
	return 0;
}

static bool name_syntax(const char *s, int len)
{
	int i;

	if (len == 0 || !((s[0] >= 'A' && s[0] <= 'Z') ||
			  (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool is_keyword(const char *s, int len)
{
	size_t k;

	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (strlen(keywords[k]) == (size_t)len &&
		    memcmp(keywords[k], s, (size_t)len) == 0)
			return true;
	return false;
}

/**
 * scn_lookup_name() - which table @s names, and its index there.
 * Regions, files and processes share one name space.
 */
enum name_kind scn_lookup_name(struct pstate *ps, const char *s, int len, int *idx)
{
	const struct scenario *sc = ps->s;
	int i;

	if (len >= SCN_NAME_MAX)
		return NAME_NONE;
	for (i = 0; i < sc->nregions; i++)
		if ((int)strlen(sc->regions[i].name) == len &&
		    !memcmp(sc->regions[i].name, s, (size_t)len)) {
			*idx = i;
			return NAME_REGION;
		}
	for (i = 0; i < sc->nfiles; i++)
		if ((int)strlen(sc->files[i].name) == len &&
		    !memcmp(sc->files[i].name, s, (size_t)len)) {
			*idx = i;
			return NAME_FILE;
		}
	for (i = 0; i < sc->nprocs; i++)
		if ((int)strlen(sc->procs[i].name) == len &&
		    !memcmp(sc->procs[i].name, s, (size_t)len)) {
			*idx = i;
			return NAME_PROC;
		}
	return NAME_NONE;
}

static const char *kind_word(enum name_kind k)
{
	switch (k) {
	case NAME_REGION:
		return "a region";
	case NAME_FILE:
		return "a file";
	case NAME_PROC:
		return "a process";
	default:
		return "unknown";
	}
}

/**
 * scn_new_name() - token @i declares a new name: valid, not a keyword, unused.
 * @ps: parser state.
 * @i: token index.
 * @out: receives the name.
 */
int scn_new_name(struct pstate *ps, int i, char out[SCN_NAME_MAX])
{
	const struct tok *t;
	enum name_kind k;
	int idx;

	if (scn_need(ps, i, "name"))
		return -1;
	t = &ps->tok[i];
	if (!name_syntax(t->s, t->len))
		return scn_perr(ps, t->col, "invalid name '%.*s'", t->len, t->s);
	if (t->len >= SCN_NAME_MAX)
		return scn_perr(ps, t->col, "name too long (more than %d characters)",
				SCN_NAME_MAX - 1);
	if (is_keyword(t->s, t->len))
		return scn_perr(ps, t->col, "'%.*s' is a keyword, not a name",
				t->len, t->s);
	k = scn_lookup_name(ps, t->s, t->len, &idx);
	if (k == NAME_REGION)
		return scn_perr(ps, t->col, "duplicate name '%.*s' (region at line %d)",
				t->len, t->s, ps->s->regions[idx].line);
	if (k == NAME_FILE)
		return scn_perr(ps, t->col, "duplicate name '%.*s' (file at line %d)",
				t->len, t->s, ps->s->files[idx].line);
	if (k == NAME_PROC)
		return scn_perr(ps, t->col, "duplicate name '%.*s' (process at line %d)",
				t->len, t->s, ps->s->procs[idx].line);
	memcpy(out, t->s, (size_t)t->len);
	out[t->len] = '\0';
	return 0;
}

/* Range bounds, checked against a region or the window. */
static int range_bounds(struct pstate *ps, const char *what, unsigned long lim,
			uint64_t a, int acol, bool has_b, uint64_t b, int bcol,
			const struct tok *t, struct scn_range *r)
{
	if (a >= lim)
		return scn_perr(ps, acol, "page %llu is outside %s (%lu pages)",
				(unsigned long long)a, what, lim);
	if (!has_b)
		b = a + 1;
	else if (b > lim)
		return scn_perr(ps, bcol, "range end %llu is outside %s (%lu pages)",
				(unsigned long long)b, what, lim);
	else if (b <= a)
		return scn_perr(ps, t->col, "empty range '%.*s'", t->len, t->s);
	r->first = (unsigned long)a;
	r->end = (unsigned long)b;
	return 0;
}

/*
 * "N" or "N:M" of a range: the numbers, their columns, and whether the
 * second one is there.
 */
static int range_numbers(struct pstate *ps, const char *p, int len, int col,
			 uint64_t *a, bool *has_b, uint64_t *b, int *bcol)
{
	const char *colon = memchr(p, ':', (size_t)len);
	int alen = colon ? (int)(colon - p) : len;

	if (scn_parse_u64(ps, p, alen, col, a))
		return -1;
	*has_b = colon != NULL;
	*bcol = col + alen + 1;
	if (colon && scn_parse_u64(ps, colon + 1, len - alen - 1, *bcol, b))
		return -1;
	return 0;
}

/**
 * scn_tok_range() - token @i is a range: A, A[i], A[i:j], @n or @n:m.
 * @ps: parser state.
 * @i: token index.
 * @r: out: the window pages it covers.
 */
int scn_tok_range(struct pstate *ps, int i, struct scn_range *r)
{
	const struct tok *t;
	const char *br;
	uint64_t a, b = 0;
	bool has_b;
	int nlen, bcol, idx;
	enum name_kind k;
	char what[64];

	if (scn_need(ps, i, "range"))
		return -1;
	t = &ps->tok[i];
	if (t->s[0] == '@') {
		if (range_numbers(ps, t->s + 1, t->len - 1, t->col + 1, &a,
				  &has_b, &b, &bcol))
			return -1;
		return range_bounds(ps, "the window", ps->s->pages, a,
				    t->col + 1, has_b, b, bcol, t, r);
	}
	br = memchr(t->s, '[', (size_t)t->len);
	nlen = br ? (int)(br - t->s) : t->len;
	if (!name_syntax(t->s, nlen))
		return scn_perr(ps, t->col, "invalid range '%.*s'", t->len, t->s);
	k = scn_lookup_name(ps, t->s, nlen, &idx);
	if (k == NAME_NONE)
		return scn_perr(ps, t->col, "unknown region '%.*s'", nlen, t->s);
	if (k != NAME_REGION)
		return scn_perr(ps, t->col, "'%.*s' is %s, not a region", nlen,
				t->s, kind_word(k));
	if (!br) {
		*r = ps->s->regions[idx].r;
		return 0;
	}
	if (t->s[t->len - 1] != ']' || t->len - nlen < 3)
		return scn_perr(ps, t->col, "invalid range '%.*s'", t->len, t->s);
	if (range_numbers(ps, br + 1, t->len - nlen - 2, t->col + nlen + 1,
			  &a, &has_b, &b, &bcol))
		return -1;
	snprintf(what, sizeof(what), "region %s", ps->s->regions[idx].name);
	if (range_bounds(ps, what, scn_range_pages(&ps->s->regions[idx].r),
			 a, t->col + nlen + 1, has_b, b, bcol, t, r))
		return -1;
	r->first += ps->s->regions[idx].r.first;
	r->end += ps->s->regions[idx].r.first;
	return 0;
}

/** scn_tok_prot() - token @i is `none` or r, w, x in this order. */
int scn_tok_prot(struct pstate *ps, int i, unsigned long *prot)
{
	const struct tok *t;
	unsigned long p = PROT_NONE;
	int j = 0;

	if (scn_need(ps, i, "protection"))
		return -1;
	t = &ps->tok[i];
	if (scn_tok_is(t, "none")) {
		*prot = PROT_NONE;
		return 0;
	}
	if (j < t->len && t->s[j] == 'r') {
		p |= PROT_READ;
		j++;
	}
	if (j < t->len && t->s[j] == 'w') {
		p |= PROT_WRITE;
		j++;
	}
	if (j < t->len && t->s[j] == 'x') {
		p |= PROT_EXEC;
		j++;
	}
	if (j == 0 || j != t->len)
		return scn_perr(ps, t->col,
				"invalid protection '%.*s' (none, or r, w, x in this order)",
				t->len, t->s);
	*prot = p;
	return 0;
}

/* Is @name created by a later `proc NAME` or `P fork NAME` line? */
static int created_later(struct pstate *ps, const char *name, int len)
{
	size_t off = ps->next;
	int line = ps->line;

	while (off < ps->len) {
		const char *l = ps->buf + off, *nl, *w[3] = { 0 };
		size_t n, i = 0;
		int wl[3] = { 0 }, nw = 0;

		nl = memchr(l, '\n', ps->len - off);
		n = nl ? (size_t)(nl - l) : ps->len - off;
		off += n + 1;
		line++;
		while (i < n && nw < 3 && l[i] != '#') {
			if (l[i] == ' ' || l[i] == '\t' || l[i] == '\r') {
				i++;
				continue;
			}
			w[nw] = l + i;
			while (i < n && l[i] != ' ' && l[i] != '\t' &&
			       l[i] != '#' && l[i] != '\r')
				i++;
			wl[nw] = (int)(l + i - w[nw]);
			nw++;
		}
		if (nw >= 2 && wl[0] == 4 && !memcmp(w[0], "proc", 4) &&
		    wl[1] == len && !memcmp(w[1], name, (size_t)len))
			return line;
		if (nw == 3 && wl[1] == 4 && !memcmp(w[1], "fork", 4) &&
		    wl[2] == len && !memcmp(w[2], name, (size_t)len))
			return line;
	}
	return 0;
}

/**
 * scn_tok_proc() - token @i names a process that is alive at this line.
 * @ps: parser state.
 * @i: token index.
 * @proc: out: its index.
 */
int scn_tok_proc(struct pstate *ps, int i, int *proc)
{
	const struct tok *t;
	enum name_kind k;
	int idx, later;

	if (scn_need(ps, i, "process"))
		return -1;
	t = &ps->tok[i];
	k = scn_lookup_name(ps, t->s, t->len, &idx);
	if (k == NAME_NONE) {
		later = name_syntax(t->s, t->len) ?
			created_later(ps, t->s, t->len) : 0;
		if (later)
			return scn_perr(ps, t->col,
					"process '%.*s' used before it is created (line %d)",
					t->len, t->s, later);
		return scn_perr(ps, t->col, i == 0 ?
				"unknown statement or process '%.*s'" :
				"unknown process '%.*s'", t->len, t->s);
	}
	if (k != NAME_PROC)
		return scn_perr(ps, t->col, "'%.*s' is %s, not a process", t->len,
				t->s, kind_word(k));
	if (ps->life[idx].life == LIFE_EXITED)
		return scn_perr(ps, t->col, "process '%.*s' has exited (line %d)",
				t->len, t->s, ps->life[idx].end_line);
	if (ps->life[idx].life == LIFE_FAILED)
		return scn_perr(ps, t->col,
				"process '%.*s' does not exist (its fork fails at line %d)",
				t->len, t->s, ps->life[idx].end_line);
	*proc = idx;
	return 0;
}

/** scn_tok_file() - @s names a declared file. */
int scn_tok_file(struct pstate *ps, const char *s, int len, int col, int *file)
{
	enum name_kind k = scn_lookup_name(ps, s, len, file);

	if (k == NAME_NONE)
		return scn_perr(ps, col, "unknown file '%.*s'", len, s);
	if (k != NAME_FILE)
		return scn_perr(ps, col, "'%.*s' is %s, not a file", len, s,
				kind_word(k));
	return 0;
}
