/* SPDX-License-Identifier: MIT */
/*
 * One pass of a kernel run: every step with real system calls in the
 * driven processes (kworker.c), a trace marker before each step so that
 * each trace event lands in its step, the observations after each step
 * (observed pass only), then the teardown: the processes still alive
 * exit in creation order, as the model executor tears them down.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../scenario/ops.h"
#include "kexec.h"

/** kpass_goes_on() - see kexec.h. */
bool kpass_goes_on(const struct scn_step *st, int result)
{
	/*
	 * exec_model's rule: an unexpected failure stops the run, and so
	 * does a success where `expect errno` said the operation fails.
	 */
	if (st->expect_errno)
		return result != SCN_OK;
	return result == SCN_OK;
}

static unsigned long addr_of(const struct kx *x, unsigned long page)
{
	return x->s->base + page * KPAGE_SIZE;
}

/* Fill the mailbox for the system call of @st. */
static void fill_mbox(struct kx *x, const struct scn_step *st)
{
	struct kmbox *m = x->fleet.mbox;

	m->op = KOP_CALL;
	m->call = st->op;
	m->addr = addr_of(x, st->r.first);
	m->len = scn_range_pages(&st->r) * KPAGE_SIZE;
	m->addr2 = addr_of(x, st->r2.first);
	m->len2 = scn_range_pages(&st->r2) * KPAGE_SIZE;
	m->new_len = st->npages * KPAGE_SIZE;
	m->prot = st->prot;
	m->flags = st->flags;
	m->fd = st->file >= 0 ? x->memfd[st->file] : -1;
	m->off = st->off * KPAGE_SIZE;
	m->advice = st->advice;
	m->has_value = st->has_value;
	m->value = st->value;
	m->token = scn_write_value(st, st->r.first);
	m->result = SCN_OK;
	m->done = 0;
	m->nvalues = 0;
}

/* The system call of @st in its process, and what it reports. */
static int call_step(struct kx *x, const struct scn_step *st,
		     struct obs_step *o, int *result)
{
	struct kfleet *f = &x->fleet;
	char *err = x->err;
	size_t n = sizeof(x->err);
	struct kmbox *m = f->mbox;

	fill_mbox(x, st);
	if (kfleet_call(f, st->proc, err, n))
		return -1;
	*result = m->result;
	if (!o)
		return 0;
	o->done = m->done;
	if (scn_op_has(st, SCN_OPF_VALUES)) {
		o->values = calloc(scn_range_pages(&st->r) + 1,
				   sizeof(*o->values));
		if (!o->values) {
			snprintf(err, n, "out of memory");
			return -1;
		}
		memcpy(o->values, m->values, m->nvalues * sizeof(*o->values));
		o->nvalues = (int)m->nvalues;
	}
	return 0;
}

/* Run step @st; its result goes to *@result (and @o, when observing). */
static int do_step(struct kx *x, const struct scn_step *st, struct obs_step *o,
		   int *result)
{
	struct kfleet *f = &x->fleet;
	char *err = x->err;
	size_t n = sizeof(x->err);

	*result = SCN_OK;
	switch (scn_op(st->op)->kdrive) {
	case SCN_K_SPAWN:
		return kfleet_spawn(f, st->proc, err, n);
	case SCN_K_FORK:
		if (kfleet_fork(f, st->proc, st->proc2, err, n))
			return -1;
		*result = f->mbox->result;
		return 0;
	case SCN_K_EXIT:
		return kfleet_exit(f, st->proc, err, n);
	case SCN_K_CALL:
		return call_step(x, st, o, result);
	default:
		snprintf(err, n, "line %d: '%s' has no kernel equivalent", st->line,
			 scn_op_name(st->op));
		return -1;
	}
}

static int mark(struct kx *x, const char *text)
{
	if (!ktrace_mark(text))
		return 0;
	snprintf(x->err, sizeof(x->err), "cannot write the trace marker");
	return -1;
}

/* The control pass does only what shapes the baseline. */
static bool control_runs(const struct kx *x, int i)
{
	const struct scn_step *st = &x->s->steps[i];

	enum scn_kdrive kd = scn_op(st->op)->kdrive;

	return (kd == SCN_K_SPAWN || kd == SCN_K_FORK || kd == SCN_K_EXIT) &&
	       x->result[i] == SCN_OK;
}

/** kpass_run() - see kexec.h. */
int kpass_run(struct kx *x, bool observe, struct kcounts *c)
{
	const struct scenario *s = x->s;
	int i, last = observe ? s->nsteps : x->steps_run, ret = -1;
	unsigned long lost = 0;
	char text[64], *trace;

	if (kfleet_pass_reset(&x->fleet, x->err, sizeof(x->err)) ||
	    ktrace_begin(x->err, sizeof(x->err)))
		return -1;
	for (i = 0; i < last; i++) {
		const struct scn_step *st = &s->steps[i];
		struct obs_step *o = observe ? &x->obs[i] : NULL;
		int result = SCN_OK;

		snprintf(text, sizeof(text), KMARK_STEP "%d", i);
		if (mark(x, text))
			goto out;
		if (o) {
			memset(o, 0, sizeof(*o));
			o->index = i + 1;
			o->line = st->line;
			o->text = st->text;
			o->model.violations = -1;
		}
		if (!st->model_only && (observe || control_runs(x, i)) &&
		    do_step(x, st, o, &result))
			goto out;
		if (!o)
			continue;
		o->result = result;
		x->result[i] = result;
		if (kobs_snapshot(&x->obs_reader, x->fleet.pid, o, x->err,
				  sizeof(x->err)))
			goto out;
		x->steps_run = i + 1;
		if (!st->model_only && !kpass_goes_on(st, result))
			break;
	}
	if (mark(x, KMARK_TEARDOWN))
		goto out;
	for (i = 0; i < s->nprocs; i++)
		if (x->fleet.pid[i] &&
		    kfleet_exit(&x->fleet, i, x->err, sizeof(x->err)))
			goto out;
	if (mark(x, KMARK_END))
		goto out;
	ret = 0;
out:
	trace = ktrace_end(&lost, ret ? text : x->err,
			   ret ? sizeof(text) : sizeof(x->err));
	if (!trace)
		return -1;
	if (!ret && kcount_parse(trace, s->nsteps, x->fleet.pass_pids,
				 x->fleet.npass_pids, c, x->err, sizeof(x->err)))
		ret = -1;
	if (!ret)
		c->lost += lost;
	free(trace);
	if (ret) {
		/* Leave no process behind for the next attempt. */
		for (i = 0; i < s->nprocs; i++)
			if (x->fleet.pid[i]) {
				char e[64];

				if (kfleet_exit(&x->fleet, i, e, sizeof(e)))
					break;
			}
	}
	return ret;
}
