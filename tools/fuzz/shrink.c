/* SPDX-License-Identifier: MIT */
/*
 * The shrinker: delta debugging (Zeller's ddmin, complements only) over
 * the lines of a failing scenario, so that a finding is a handful of
 * lines a person can read and the corpus can keep.
 *
 * The text is cut into units: one operation line with its `expect
 * errno` (the two are meaningless apart), one other `expect` line, or
 * one `file` or `region` declaration.  The window, design and bug lines
 * and comments are kept as they are.  Passes, repeated until none removes anything:
 *
 *   1. whole processes: every unit that names a process or one of the
 *      processes it forked (its `proc`/`fork` line included);
 *   2. ddmin: remove halves, then quarters, ... down to single units;
 *   3. fold a forked process into its parent (`X fork Y` goes, Y's
 *      lines are X's), which shortens fork chains deletion cannot;
 *   4. words: drop optional words (dontunmap, keepcache, noreserve,
 *      fixed, shared) and narrow ranges by a page at either end.
 *
 * A candidate is run only if it parses; it is kept only if the test
 * says it still fails the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "../scenario/scenario.h"
#include "fuzz.h"

#define MAX_NAMES 64

struct sline {
	char *text;		/* the line, without its newline */
	int unit;		/* -1: a declaration, always kept */
};

struct shrinker {
	struct sline *lines;
	int nlines;
	int nunits;
	bool *keep;		/* per unit */
	/* Processes: names, parents, and which units name each. */
	char names[MAX_NAMES][SCN_NAME_MAX];
	int parent[MAX_NAMES];
	int nnames;
	unsigned long long *mentions;	/* per unit: bit per process */
	fuzz_fails_fn fails;
	void *arg;
	unsigned long max_runs;
	struct fuzz_shrink_stats *st;
};

static void __attribute__((noreturn)) oom(void)
{
	fprintf(stderr, "anonvma: out of memory\n");
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

/* The first @max words of @line (split at blanks), as pointers into @buf. */
static int words(const char *line, char *buf, size_t n, char **w, int max)
{
	int k = 0;
	char *p, *save = NULL;

	snprintf(buf, n, "%s", line);
	buf[strcspn(buf, "#")] = '\0';
	for (p = strtok_r(buf, " \t\r", &save); p && k < max;
	     p = strtok_r(NULL, " \t\r", &save))
		w[k++] = p;
	return k;
}

/*
 * Declarations that stay.  `file` and `region` lines are units: one that
 * nothing names any more can go (one still named fails to parse).
 */
static bool is_decl(const char *w0)
{
	static const char *const decls[] = {
		"window", "design", "bug",
	};
	size_t i;

	for (i = 0; i < sizeof(decls) / sizeof(decls[0]); i++)
		if (!strcmp(w0, decls[i]))
			return true;
	return false;
}

static int name_index(const struct shrinker *sh, const char *name)
{
	int i;

	for (i = 0; i < sh->nnames; i++)
		if (!strcmp(sh->names[i], name))
			return i;
	return -1;
}

static void add_name(struct shrinker *sh, const char *name, int parent)
{
	if (sh->nnames >= MAX_NAMES || name_index(sh, name) >= 0)
		return;
	snprintf(sh->names[sh->nnames], SCN_NAME_MAX, "%s", name);
	sh->parent[sh->nnames++] = parent;
}

/* Split @text into lines and units; find the processes. */
static void split(struct shrinker *sh, const char *text)
{
	const char *p = text;
	int last_op = -1, i, k;

	while (*p) {
		size_t n = strcspn(p, "\n");
		struct sline *l;
		char buf[SCN_LINE_MAX + 1], *w[4];

		sh->lines = xrealloc(sh->lines, sizeof(*l) * (size_t)(sh->nlines + 1));
		l = &sh->lines[sh->nlines++];
		l->text = strndup(p, n);
		if (!l->text)
			oom();
		p += n + (p[n] == '\n');

		k = words(l->text, buf, sizeof(buf), w, 4);
		if (!k || is_decl(w[0])) {
			/* Declarations and comments stay where they are. */
			l->unit = -1;
		} else if (!strcmp(w[0], "expect") && k > 1 &&
			   !strcmp(w[1], "errno") && last_op >= 0) {
			l->unit = last_op;	/* belongs to its operation */
		} else {
			l->unit = sh->nunits++;
			last_op = strcmp(w[0], "expect") ? l->unit : -1;
			if (!strcmp(w[0], "proc") && k > 1)
				add_name(sh, w[1], -1);
			else if (k > 2 && !strcmp(w[1], "fork"))
				add_name(sh, w[2], name_index(sh, w[0]));
		}
	}
	sh->keep = xrealloc(NULL, sizeof(bool) * (size_t)sh->nunits);
	sh->mentions = xrealloc(NULL, sizeof(*sh->mentions) * (size_t)sh->nunits);
	memset(sh->mentions, 0, sizeof(*sh->mentions) * (size_t)sh->nunits);
	for (i = 0; i < sh->nunits; i++)
		sh->keep[i] = true;
	for (i = 0; i < sh->nlines; i++) {
		char buf[SCN_LINE_MAX + 1], *w[16];
		int j, idx;

		if (sh->lines[i].unit < 0)
			continue;
		k = words(sh->lines[i].text, buf, sizeof(buf), w, 16);
		for (j = 0; j < k; j++) {
			idx = name_index(sh, w[j]);
			if (idx >= 0)
				sh->mentions[sh->lines[i].unit] |= 1ULL << idx;
		}
	}
}

static char *build(const struct shrinker *sh, const bool *keep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	if (!f)
		oom();
	for (i = 0; i < sh->nlines; i++)
		if (sh->lines[i].unit < 0 || keep[sh->lines[i].unit])
			fprintf(f, "%s\n", sh->lines[i].text);
	fclose(f);
	return buf;
}

static bool out_of_runs(const struct shrinker *sh)
{
	return sh->max_runs && sh->st->runs >= sh->max_runs;
}

/* Does the scenario with units @keep still fail?  Parse first. */
static bool test(struct shrinker *sh, const bool *keep)
{
	char *text = build(sh, keep);
	size_t len = strlen(text);
	struct scn_error err;
	struct scenario *s;
	bool fails = false;

	sh->st->tests++;
	s = scn_parse("shrink.scn", text, len, &err);
	if (s && !out_of_runs(sh)) {
		scn_free(s);
		sh->st->runs++;
		fails = sh->fails(text, len, sh->arg);
	} else if (s) {
		scn_free(s);
	}
	free(text);
	return fails;
}

/* Try removing the units set in @drop; keep the change if it still fails. */
static bool try_drop(struct shrinker *sh, const bool *drop)
{
	bool *cand = xrealloc(NULL, sizeof(bool) * (size_t)sh->nunits);
	bool any = false, ok = false;
	int i;

	for (i = 0; i < sh->nunits; i++) {
		cand[i] = sh->keep[i] && !drop[i];
		any |= sh->keep[i] && drop[i];
	}
	if (any && test(sh, cand)) {
		memcpy(sh->keep, cand, sizeof(bool) * (size_t)sh->nunits);
		ok = true;
	}
	free(cand);
	return ok;
}

/* Pass 1: a process and everything it forked. */
static bool pass_processes(struct shrinker *sh)
{
	bool *drop = xrealloc(NULL, sizeof(bool) * (size_t)sh->nunits);
	bool changed = false;
	int p, q, i;

	/* Youngest first: their lines are the easiest to do without. */
	for (p = sh->nnames - 1; p >= 0 && !out_of_runs(sh); p--) {
		unsigned long long set = 1ULL << p;

		for (q = p + 1; q < sh->nnames; q++)
			if (sh->parent[q] >= 0 && (set & (1ULL << sh->parent[q])))
				set |= 1ULL << q;
		for (i = 0; i < sh->nunits; i++)
			drop[i] = sh->mentions[i] & set;
		changed |= try_drop(sh, drop);
	}
	free(drop);
	return changed;
}

/* Pass 2: ddmin over the units still kept. */
static bool pass_ddmin(struct shrinker *sh)
{
	int *cur = xrealloc(NULL, sizeof(int) * (size_t)sh->nunits);
	bool *drop = xrealloc(NULL, sizeof(bool) * (size_t)sh->nunits);
	bool changed = false;
	int m = 0, n = 2, i;

	for (i = 0; i < sh->nunits; i++)
		if (sh->keep[i])
			cur[m++] = i;
	while (m >= 1 && !out_of_runs(sh)) {
		int chunk = (m + n - 1) / n, start;
		bool reduced = false;

		if (n > m)
			n = m;
		chunk = (m + n - 1) / n;
		for (start = 0; start < m && !out_of_runs(sh); start += chunk) {
			int end = start + chunk < m ? start + chunk : m;

			memset(drop, 0, sizeof(bool) * (size_t)sh->nunits);
			for (i = start; i < end; i++)
				drop[cur[i]] = true;
			if (!try_drop(sh, drop))
				continue;
			memmove(cur + start, cur + end, sizeof(int) * (size_t)(m - end));
			m -= end - start;
			n = n > 2 ? n - 1 : 2;
			reduced = changed = true;
			break;
		}
		if (!reduced) {
			if (n >= m)
				break;
			n = n * 2 < m ? n * 2 : m;
		}
	}
	free(cur);
	free(drop);
	return changed;
}

/* Replace line @i by @text if the scenario still fails with it. */
static bool try_line(struct shrinker *sh, int i, char *text)
{
	char *old = sh->lines[i].text;

	if (!strcmp(old, text)) {
		free(text);
		return false;
	}
	sh->lines[i].text = text;
	if (test(sh, sh->keep)) {
		free(old);
		return true;
	}
	sh->lines[i].text = old;
	free(text);
	return false;
}

/* @line with word @k (of @w, @nw words) replaced by @rep (NULL: removed). */
static char *rewrite(char **w, int nw, int k, const char *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;
	int j;

	if (!f)
		oom();
	for (j = 0; j < nw; j++) {
		const char *s = j == k ? rep : w[j];

		if (!s)
			continue;
		fprintf(f, "%s%s", first ? "" : " ", s);
		first = false;
	}
	fclose(f);
	return buf;
}

static bool optional_word(const char *w)
{
	static const char *const opt[] = {
		"dontunmap", "keepcache", "noreserve", "fixed", "shared",
	};
	size_t i;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (!strcmp(w, opt[i]))
			return true;
	return false;
}

/* Pass 3: optional words, and ranges one page narrower. */
static bool pass_words(struct shrinker *sh)
{
	bool changed = false;
	int i, k;

	for (i = 0; i < sh->nlines && !out_of_runs(sh); i++) {
		char buf[SCN_LINE_MAX + 1], *w[32];
		int nw;

		if (sh->lines[i].unit < 0 || !sh->keep[sh->lines[i].unit])
			continue;
		if (strchr(sh->lines[i].text, '#'))
			continue;	/* a comment would be lost */
again:
		nw = words(sh->lines[i].text, buf, sizeof(buf), w, 32);
		for (k = 1; k < nw && !out_of_runs(sh); k++) {
			unsigned long a, b;
			char r1[48], r2[48];

			if (optional_word(w[k]) &&
			    try_line(sh, i, rewrite(w, nw, k, NULL))) {
				changed = true;
				goto again;
			}
			if (sscanf(w[k], "@%lu:%lu", &a, &b) != 2 || b <= a + 1)
				continue;
			/* @a:b -> @a:b-1, then @a+1:b. */
			if (b == a + 2) {
				snprintf(r1, sizeof(r1), "@%lu", a);
				snprintf(r2, sizeof(r2), "@%lu", a + 1);
			} else {
				snprintf(r1, sizeof(r1), "@%lu:%lu", a, b - 1);
				snprintf(r2, sizeof(r2), "@%lu:%lu", a + 1, b);
			}
			if (try_line(sh, i, rewrite(w, nw, k, r1)) ||
			    try_line(sh, i, rewrite(w, nw, k, r2))) {
				changed = true;
				goto again;
			}
		}
	}
	return changed;
}

/* @line with every word equal to @from replaced by @to (NULL: unchanged). */
static char *rename_words(const char *line, const char *from, const char *to)
{
	char buf[SCN_LINE_MAX + 1], *w[64];
	int nw, k;
	bool hit = false;

	if (strchr(line, '#'))
		return NULL;	/* a comment would be lost */
	nw = words(line, buf, sizeof(buf), w, 64);
	for (k = 0; k < nw; k++) {
		if (!strcmp(w[k], from)) {
			w[k] = (char *)to;
			hit = true;
		}
	}
	return hit ? rewrite(w, nw, -1, NULL) : NULL;
}

/*
 * Pass 4: fold a forked process into its parent.  For `X fork Y`, drop
 * that line and let X do everything Y did.  Deleting lines alone cannot
 * shorten a fork chain whose last member matters; this can, and the
 * parser refuses the candidate when X is gone by the time Y acted.
 */
static bool pass_merge(struct shrinker *sh)
{
	char **saved = xrealloc(NULL, sizeof(char *) * (size_t)sh->nlines);
	bool changed = false;
	int i, j;

	for (i = sh->nlines - 1; i >= 0 && !out_of_runs(sh); i--) {
		char buf[SCN_LINE_MAX + 1], *w[4], x[SCN_NAME_MAX], y[SCN_NAME_MAX];
		int u = sh->lines[i].unit, yi;

		if (u < 0 || !sh->keep[u] ||
		    words(sh->lines[i].text, buf, sizeof(buf), w, 4) != 3 ||
		    strcmp(w[1], "fork"))
			continue;
		snprintf(x, sizeof(x), "%s", w[0]);
		snprintf(y, sizeof(y), "%s", w[2]);
		yi = name_index(sh, y);
		for (j = 0; j < sh->nlines; j++) {
			char *n = NULL;

			saved[j] = sh->lines[j].text;
			if (j != i && sh->lines[j].unit >= 0)
				n = rename_words(saved[j], y, x);
			if (n)
				sh->lines[j].text = n;
		}
		sh->keep[u] = false;
		if (test(sh, sh->keep)) {
			for (j = 0; j < sh->nlines; j++)
				if (sh->lines[j].text != saved[j])
					free(saved[j]);
			/* Y's lines now name X, and Y's children are X's. */
			if (yi >= 0) {
				int xi = name_index(sh, x);

				for (j = 0; j < sh->nunits && xi >= 0; j++)
					if (sh->mentions[j] & (1ULL << yi))
						sh->mentions[j] = (sh->mentions[j] &
								   ~(1ULL << yi)) | (1ULL << xi);
				for (j = 0; j < sh->nnames && xi >= 0; j++)
					if (sh->parent[j] == yi)
						sh->parent[j] = xi;
			}
			changed = true;
			continue;
		}
		sh->keep[u] = true;
		for (j = 0; j < sh->nlines; j++) {
			if (sh->lines[j].text != saved[j])
				free(sh->lines[j].text);
			sh->lines[j].text = saved[j];
		}
	}
	free(saved);
	return changed;
}

/* The steps of @text, or -1 if it does not parse. */
static int count_ops(const char *text)
{
	struct scn_error err;
	struct scenario *s = scn_parse("shrink.scn", text, strlen(text), &err);
	int n;

	if (!s)
		return -1;
	n = s->nsteps;
	scn_free(s);
	return n;
}

/** fuzz_shrink() - see fuzz.h. */
char *fuzz_shrink(const char *text, fuzz_fails_fn fails, void *arg,
		  unsigned long max_runs, struct fuzz_shrink_stats *st)
{
	struct fuzz_shrink_stats local;
	struct shrinker sh = {
		.fails = fails, .arg = arg, .max_runs = max_runs,
		.st = st ? st : &local,
	};
	bool changed = true;
	char *out;
	int i;

	memset(sh.st, 0, sizeof(*sh.st));
	split(&sh, text);
	sh.st->units_before = sh.nunits;
	while (changed && !out_of_runs(&sh)) {
		changed = pass_processes(&sh);
		changed |= pass_ddmin(&sh);
		changed |= pass_merge(&sh);
		changed |= pass_words(&sh);
	}
	out = build(&sh, sh.keep);
	sh.st->ops_before = count_ops(text);
	sh.st->ops_after = count_ops(out);
	sh.st->units_after = 0;
	for (i = 0; i < sh.nunits; i++)
		sh.st->units_after += sh.keep[i];
	for (i = 0; i < sh.nlines; i++)
		free(sh.lines[i].text);
	free(sh.lines);
	free(sh.keep);
	free(sh.mentions);
	return out;
}
