/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files of the scenario parser only: the per-line token
 * list, the static state that tracks processes while parsing, and the
 * helpers that read one kind of token and report errors at its column.
 */
#ifndef SCN_PARSE_INTERNAL_H
#define SCN_PARSE_INTERNAL_H

#include <stdarg.h>

#include "scenario.h"

/* A line of at most SCN_LINE_MAX bytes has at most this many tokens. */
#define SCN_MAX_TOKENS (SCN_LINE_MAX / 2 + 2)

struct tok {
	const char *s;
	int len;
	int col;	/* 1-based byte column */
};

/* What the parser knows statically about a process, line by line. */
enum pstate_life {
	LIFE_ALIVE,
	LIFE_EXITED,
	LIFE_FAILED,	/* created by a fork that is expected to fail */
};

struct proc_state {
	enum pstate_life life;
	int end_line;		/* line of the exit or of the failing fork */
	bool brk_set;		/* `brk base` seen */
	unsigned long brk;	/* the break, in window pages, if no brk failed */
	bool lock_future;	/* `mlockall future` (without onfault) in force */
};

struct pstate {
	struct scenario *s;
	struct scn_error *err;
	const char *buf;	/* the whole text, for look-ahead */
	size_t len;
	size_t next;		/* offset of the line after the current one */
	int line;
	const char *text;	/* the current line, comment and blanks cut */
	int textlen;
	struct tok tok[SCN_MAX_TOKENS];
	int ntok;
	int eol_col;		/* column just after the last token */
	struct proc_state *life;	/* parallel to s->procs */
	int window_line;
	int design_line;
	int sysctl_line;
	/* A `fail` line waiting for its operation (fail_line 0: none). */
	int fail_line, fail_col, fail_cache;
	unsigned long fail_nth;
	bool last_was_op;	/* the previous statement was an operation */
	/* Allocated sizes of the growing arrays. */
	int cap_steps, cap_procs, cap_life, cap_regions, cap_files;
};

/* Which table a name belongs to. */
enum name_kind {
	NAME_NONE,
	NAME_REGION,
	NAME_FILE,
	NAME_PROC,
};

/* parse_lex.c */
int scn_perr(struct pstate *ps, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int scn_lex_line(struct pstate *ps, const char *line, size_t n);
bool scn_tok_is(const struct tok *t, const char *word);
int scn_need(struct pstate *ps, int i, const char *what);
int scn_no_more(struct pstate *ps, int i);
int scn_decl_early(struct pstate *ps, const char *what, int first_line);
int scn_parse_u64(struct pstate *ps, const char *s, int len, int col,
		  uint64_t *v);
int scn_tok_u64(struct pstate *ps, int i, uint64_t *v);
int scn_tok_count(struct pstate *ps, int i, long *v);
int scn_new_name(struct pstate *ps, int i, char out[SCN_NAME_MAX]);
enum name_kind scn_lookup_name(struct pstate *ps, const char *s, int len,
			       int *idx);
int scn_tok_range(struct pstate *ps, int i, struct scn_range *r);
int scn_tok_prot(struct pstate *ps, int i, unsigned long *prot);
int scn_tok_proc(struct pstate *ps, int i, int *proc);
int scn_tok_file(struct pstate *ps, const char *s, int len, int col, int *file);

/* parse_expect.c */
int scn_parse_expect(struct pstate *ps);

/* parse_fail.c */
/** scn_parse_fail() - `fail CACHE [nth N]`: kept in @ps for the next operation. */
int scn_parse_fail(struct pstate *ps);
/** scn_parse_sysctl() - `sysctl max_map_count N`. */
int scn_parse_sysctl(struct pstate *ps);
/** scn_attach_fail() - the pending `fail` line goes to the step just created. */
int scn_attach_fail(struct pstate *ps, int nsteps);

/* parse.c */
void *scn_grow(void *arr, int n, int *cap, size_t elem);

/*
 * The @parse hooks of scn_ops[] (ops.h): each parses the words of an
 * operation line into @st, the step just appended (st->proc is the
 * acting process, -1 for a line that starts with the keyword), and
 * returns 0 or -1 with the error set.  parse.c, but for the words of
 * mmap, madvise and the mlock family (parse_mem.c).
 */
int scn_parse_proc(struct pstate *ps, struct scn_step *st);
int scn_parse_check(struct pstate *ps, struct scn_step *st);
int scn_parse_mmap(struct pstate *ps, struct scn_step *st);
int scn_parse_munmap(struct pstate *ps, struct scn_step *st);
int scn_parse_mprotect(struct pstate *ps, struct scn_step *st);
int scn_parse_mremap(struct pstate *ps, struct scn_step *st);
/** scn_parse_brk() - `P brk base R` (it becomes SCN_OP_BRK_BASE), `P brk +N|-N`. */
int scn_parse_brk(struct pstate *ps, struct scn_step *st);
int scn_parse_read(struct pstate *ps, struct scn_step *st);
int scn_parse_write(struct pstate *ps, struct scn_step *st);
int scn_parse_fork(struct pstate *ps, struct scn_step *st);
int scn_parse_exit(struct pstate *ps, struct scn_step *st);
/** scn_parse_folio() - `migrate P R`, `referenced P R`, `rmap P R`. */
int scn_parse_folio(struct pstate *ps, struct scn_step *st);
/** scn_parse_swapout() - `swapout P R [keepcache]`. */
int scn_parse_swapout(struct pstate *ps, struct scn_step *st);

/* parse_mem.c: operations with many words (see docs/scenario-language.md) */
/** scn_mmap_words() - the words after `P mmap R PROT`, from token @i. */
int scn_mmap_words(struct pstate *ps, struct scn_step *st, int i);
/** scn_op_madvise() - `P madvise R ADVICE` (a word or a number). */
int scn_op_madvise(struct pstate *ps, struct scn_step *st);
/** scn_op_mlock() - `P mlock R [onfault]`, `P munlock R`. */
int scn_op_mlock(struct pstate *ps, struct scn_step *st);
/** scn_op_mlockall() - `P mlockall WORDS`, `P munlockall`. */
int scn_op_mlockall(struct pstate *ps, struct scn_step *st);

#endif
