/* SPDX-License-Identifier: MIT */
/*
 * The table of scenario operations (ops.c): one entry per enum scn_op,
 * holding everything each driver needs to know about the operation, so
 * that no driver switches on it.  The model executor, the failure
 * contracts, the kernel pass and its worker, the fuzz generator's shadow,
 * the parser and the printers all look the operation up here.
 *
 * Adding an operation is adding its enum value (scenario.h), one entry
 * in scn_ops[] and the hook functions that entry names.
 */
#ifndef SCN_OPS_H
#define SCN_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

struct exec_state;
struct obs_step;
struct fc;
struct gen;
struct gen_proc;
struct kmbox;
struct pstate;

/* How the kernel pass carries an operation out (tools/kernel/kpass.c). */
enum scn_kdrive {
	SCN_K_NONE,	/* no kernel equivalent: model only */
	SCN_K_SPAWN,	/* a new root process */
	SCN_K_FORK,	/* the acting process forks the step's child */
	SCN_K_EXIT,	/* the acting process exits */
	SCN_K_CALL,	/* the acting process runs desc->kcall */
};

/* desc->flags */
#define SCN_OPF_MODEL_ONLY	0x001	/* no kernel equivalent */
#define SCN_OPF_RANGE		0x002	/* acts on the window pages st->r */
#define SCN_OPF_NOFAIL		0x004	/* never fails, even on injection */
#define SCN_OPF_NO_ERRNO	0x008	/* takes no `expect errno` or `fail` line */
#define SCN_OPF_FAULTS		0x010	/* an access: fails with a signal */
#define SCN_OPF_VALUES		0x020	/* returns the values it read */
#define SCN_OPF_WALK		0x040	/* records an rmap walk per folio */
#define SCN_OPF_VISITS		0x080	/* ... with the VMAs each walk visits */
#define SCN_OPF_FOLIOS		0x100	/* counts the folios it moved */
#define SCN_OPF_FC_MERGES	0x200	/* a failure may merge changed VMAs */
#define SCN_OPF_NEW_PROC	0x400	/* creates its acting process */
#define SCN_OPF_CHECKER		0x800	/* the invariant checker runs after it */

/**
 * struct scn_op_desc - one operation.
 * @name: its keyword, as the language spells it.
 * @lead: the keyword comes first (`swapout P R`); otherwise the line
 *        starts with the acting process (`P mmap R PROT`).
 * @parse: parses the line's words into @st, the step the parser just
 *        appended for it (st->proc: the acting process, -1 when @lead);
 *        0, or -1 with the error set.  NULL: the operation is written
 *        with another one's keyword (`brk base`).
 * @flags: SCN_OPF_*.
 * @obs_hides: for a model-only step, the observation parts
 *        (OBS_PART_*, tools/kernel/kernel.h) the kernel run can no longer compare
 *        after it (its effect the kernel did not make).
 * @model: runs the step on the model; returns SCN_OK or a result code.
 * @fail_res: what it returns when an allocation fails (0: ENOMEM);
 *        [1] when the step populates.
 * @fail_also: a second result allowed then (0: none).
 * @contract: the state a failed allocation leaves (failcheck.c); NULL:
 *        nothing to check (the operation cannot fail that way).
 * @absorbed: the state a failure it absorbed leaves, against the run
 *        without it; NULL: the common rule (fail_absorbed_check()).
 * @kdrive: how the kernel pass carries it out.
 * @kcall: for SCN_K_CALL, the system call in the driven process, on the
 *        mailbox the kernel pass filled (tools/kernel/ksyscall.c).
 * @shadow: the fuzz generator's rule and shadow update
 *        (tools/fuzz/shadow.c): false, with a reason in @why, for a step
 *        the generator would not have written; NULL: it must not fail.
 */
struct scn_op_desc {
	const char *name;
	bool lead;
	int (*parse)(struct pstate *ps, struct scn_step *st);
	unsigned int flags;
	unsigned int obs_hides;
	int (*model)(struct exec_state *x, const struct scn_step *st,
		     struct obs_step *o);
	int fail_res[2];
	int fail_also;
	void (*contract)(struct fc *c);
	void (*absorbed)(struct fc *c);
	enum scn_kdrive kdrive;
	void (*kcall)(struct kmbox *m);
	bool (*shadow)(struct gen *g, const struct scenario *s,
		       const struct scn_step *st, struct gen_proc *p,
		       char *why, size_t n);
};

extern const struct scn_op_desc scn_ops[NR_SCN_OPS];

/** scn_op() - the entry of @op. */
static inline const struct scn_op_desc *scn_op(enum scn_op op)
{
	return &scn_ops[op];
}

/** scn_op_has() - does @st's operation have all of SCN_OPF_* @flags? */
static inline bool scn_op_has(const struct scn_step *st, unsigned int flags)
{
	return (scn_ops[st->op].flags & flags) == flags;
}

#endif
