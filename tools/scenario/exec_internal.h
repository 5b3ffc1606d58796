/* SPDX-License-Identifier: MIT */
/*
 * Shared by the model executor (exec_model.c) and the evaluation of
 * expectations (expect.c): the state of one run.
 */
#ifndef SCN_EXEC_INTERNAL_H
#define SCN_EXEC_INTERNAL_H

#include <anonvma/anonvma.h>

#include "exec.h"
#include "failinject.h"

struct exec_state {
	const struct scenario *s;
	const struct exec_opts *opts;
	struct exec_summary *sum;
	struct mm_struct **mms;		/* per process; NULL when not alive */
	struct file **files;		/* per declared file */
	struct obs_model obs;
	unsigned long warns;		/* vm_warn_count() at the last check */
	struct failinject *fi;		/* installed injector, or NULL */
	struct failinject own_fi;	/* for `fail` lines without opts->fi */
	struct obs_step prev;		/* the previous step's observations */
	bool after;			/* after opts->fi's first injection */
	long saved_max_map_count;
};

/** exec_addr() - the address of window page @page. */
static inline unsigned long exec_addr(const struct exec_state *x,
				      unsigned long page)
{
	return x->s->base + page * PAGE_SIZE;
}

/**
 * exec_fail() - report a failure of the line @line: "file:line: message",
 * on opts->err and in @o's failures.
 */
void exec_fail(struct exec_state *x, struct obs_step *o, int line,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** exec_walk_count() - VMAs an rmap walk of @folio visits (locks it). */
unsigned long exec_walk_count(struct folio *folio);

/** exec_expect_step() - evaluate the expectations of @st against @o and the model. */
void exec_expect_step(struct exec_state *x, const struct scn_step *st,
		      struct obs_step *o);

/** exec_fmt_range() - "@3" or "@3:5" for window pages @r, into @buf. */
const char *exec_fmt_range(const struct scn_range *r, char *buf, size_t n);

/*
 * The model calls of the operations (exec_ops.c), the @model hooks of
 * scn_ops[] (ops.h): each runs step @st on the model and returns SCN_OK
 * or the step's result code; @o receives what the step itself reports
 * (pages done, values read, folio walks).
 */
#define EXEC_OP(name) int exec_op_##name(struct exec_state *x,		\
					 const struct scn_step *st,	\
					 struct obs_step *o)
EXEC_OP(proc);
EXEC_OP(mmap);
EXEC_OP(munmap);
EXEC_OP(mprotect);
EXEC_OP(madvise);
EXEC_OP(mremap);
EXEC_OP(mlock);
EXEC_OP(munlock);
EXEC_OP(mlockall);
EXEC_OP(munlockall);
EXEC_OP(brk_base);
EXEC_OP(brk);
EXEC_OP(read);
EXEC_OP(write);
EXEC_OP(fork);
EXEC_OP(exit);
EXEC_OP(swapout);
EXEC_OP(migrate);
EXEC_OP(referenced);
EXEC_OP(rmap);
#undef EXEC_OP

#endif
