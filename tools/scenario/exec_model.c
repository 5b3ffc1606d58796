/* SPDX-License-Identifier: MIT */
/*
 * The model executor: runs the steps of a parsed scenario on the
 * library, one process per struct mm_struct, and observes the model
 * after each step.
 *
 * Each operation runs through its model call in scn_ops[] (ops.c,
 * exec_ops.c), which goes through the same entry points a process would
 * use, so each takes its locks as the kernel does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"
#include "failcheck.h"
#include "ops.h"

/** exec_fail() - see exec_internal.h. */
void exec_fail(struct exec_state *x, struct obs_step *o, int line,
	       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	obs_add_failure(o, "%s:%d: %s", x->s->name, line, msg);
	if (x->opts->err) {
		/* Keep the order of what went to stdout before. */
		fflush(stdout);
		fprintf(x->opts->err, "%s:%d: %s\n", x->s->name, line, msg);
	}
}

/** exec_fmt_range() - see exec_internal.h. */
const char *exec_fmt_range(const struct scn_range *r, char *buf, size_t n)
{
	if (r->end == r->first + 1)
		snprintf(buf, n, "@%lu", r->first);
	else
		snprintf(buf, n, "@%lu:%lu", r->first, r->end);
	return buf;
}

/* The operation's model call; one without (`check`) does nothing. */
static int do_op(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	const struct scn_op_desc *d = scn_op(st->op);

	return d->model ? d->model(x, st, o) : SCN_OK;
}

/* rmap/referenced results get the folio labels of the snapshot. */
static void label_folio_ops(struct obs_step *o, int proc)
{
	const struct obs_proc *op = obs_find_proc(o, proc);
	int i;

	for (i = 0; i < o->model.nfolio_ops; i++) {
		struct obs_folio_op *fop = &o->model.folio_ops[i];
		const struct obs_page *pg = obs_find_page(op, fop->page);

		if (pg && pg->state == SCN_PAGE_PRESENT)
			fop->label = pg->label;
	}
}

/*
 * The invariant checker, plus "no lock left held" (locking.h), which
 * run_step() measured as the operation returned (@held).
 */
static bool run_check(struct exec_state *x, const struct scn_step *st,
		      struct obs_step *o, int held)
{
	struct check_report rep;
	int n, i;
	unsigned long warns = vm_warn_count() - x->warns;

	x->warns += warns;
	x->sum->checks++;
	n = check_invariants(&rep);
	o->model.violations = n + (held != 0) + (warns != 0);
	if (!o->model.violations)
		return true;
	x->sum->check_failures++;
	for (i = 0; i < n && i < CHECK_MAX_REPORTS; i++)
		exec_fail(x, o, st->line,
			  "invariant violation after step %d (%s): %s",
			  o->index, st->text, rep.msg[i]);
	if (n > CHECK_MAX_REPORTS)
		exec_fail(x, o, st->line,
			  "invariant violation after step %d (%s): ... and %d more",
			  o->index, st->text, n - CHECK_MAX_REPORTS);
	if (warns)
		exec_fail(x, o, st->line,
			  "invariant violation after step %d (%s): %lu kernel assertions (WARN_ON) fired",
			  o->index, st->text, warns);
	return false;
}

/*
 * Compare the result with `expect errno`.  Returns false when the run
 * cannot go on: an unexpected failure, or a success where the parser
 * was told the operation fails (later steps assume it did).
 */
static bool check_result(struct exec_state *x, const struct scn_step *st,
			 struct obs_step *o)
{
	if (st->expect_errno) {
		x->sum->expectations++;
		if (o->result == st->expect_errno)
			return true;
		x->sum->expect_failures++;
		exec_fail(x, o, st->errno_line,
			  "expectation failed: errno %s, found %s",
			  scn_result_name(st->expect_errno),
			  o->result ? scn_result_name(o->result) : "success");
		return o->result != SCN_OK;
	}
	if (o->result == SCN_OK)
		return true;
	x->sum->op_failures++;
	exec_fail(x, o, st->line, "operation failed: %s: %s", st->text,
		  scn_result_name(o->result));
	return false;
}

/* `read R == V`: every value read must be V. */
static void check_values(struct exec_state *x, const struct scn_step *st,
			 struct obs_step *o)
{
	int i;

	if (!scn_op_has(st, SCN_OPF_VALUES) || !st->has_value)
		return;
	x->sum->expectations++;
	for (i = 0; i < o->nvalues; i++) {
		if (o->values[i] == st->value)
			continue;
		x->sum->expect_failures++;
		exec_fail(x, o, st->line,
			  "expectation failed: read @%lu == 0x%llx, found 0x%llx",
			  st->r.first + (unsigned long)i,
			  (unsigned long long)st->value,
			  (unsigned long long)o->values[i]);
		return;
	}
}

struct fault_ctx {
	struct exec_state *x;
	const struct scn_step *st;
	struct obs_step *o;
	char what[64];
};

static void fault_report(void *arg, const char *msg)
{
	struct fault_ctx *fc = arg;

	exec_fail(fc->x, fc->o, fc->st->line,
		  "after the injected failure of a %s allocation: %s",
		  fc->what, msg);
}

/*
 * An allocation of @st was failed on purpose: it must return what the
 * kernel returns, and leave what the kernel leaves (failcheck.c).  An
 * operation that succeeded anyway, or whose failures were all GFP_NOWAIT
 * ones, absorbed the failure (a retry, or an allocation it can do
 * without) and is not checked here; `--fail-each` compares that step
 * with the run without injection.
 */
static void check_injected(struct exec_state *x, const struct scn_step *st,
			   struct obs_step *o)
{
	struct fault_ctx fc = { x, st, o, "" };
	int want = fail_result_expected(st);

	snprintf(fc.what, sizeof(fc.what), "%s (%s)",
		 fi_cache_name(x->fi->last_cache),
		 alloc_site_name(x->fi->last_site));
	if (o->result == SCN_OK)
		return;
	if (scn_op_has(st, SCN_OPF_NOFAIL)) {
		x->sum->fault_violations++;
		fault_report(&fc, "an operation that cannot fail failed");
		return;
	}
	if (!fail_result_allowed(st, o->result)) {
		x->sum->fault_violations++;
		exec_fail(x, o, st->line,
			  "after the injected failure of a %s allocation: returned %s, the kernel returns %s",
			  fc.what, scn_result_name(o->result),
			  scn_result_name(want));
	}
	x->sum->fault_violations +=
		fail_contract_check(x->s, st, &x->prev, o, fault_report, &fc);
}

/* A `fail` line whose allocation never came: the scenario is wrong. */
static void check_fail_line(struct exec_state *x, const struct scn_step *st,
			    struct obs_step *o)
{
	x->sum->expectations++;
	if (!x->fi->step_nth)
		return;
	x->sum->expect_failures++;
	exec_fail(x, o, st->fail_line,
		  "expectation failed: fail %s nth %lu, found %lu such allocations in the operation",
		  fi_cache_name((enum fi_cache)st->fail_cache), st->fail_nth,
		  x->fi->step_seen);
}

/* After opts->fi's injection: a step whose process never came to be. */
static bool proc_missing(const struct exec_state *x, const struct scn_step *st)
{
	return !scn_op_has(st, SCN_OPF_NEW_PROC) && st->proc >= 0 &&
	       !x->mms[st->proc];
}

static bool run_step(struct exec_state *x, int i)
{
	const struct scn_step *st = &x->s->steps[i];
	struct failinject *fi = x->fi;
	unsigned long injected = fi ? fi->injected : 0;
	unsigned long nowait = fi ? fi->injected_nowait : 0;
	bool absorbed;
	bool after = x->after, go_on = true;
	struct obs_step o;
	int held;

	if (after && proc_missing(x, st)) {
		x->sum->skipped_after++;
		return true;
	}
	memset(&o, 0, sizeof(o));
	o.index = i + 1;
	o.line = st->line;
	o.text = st->text;
	o.model.violations = -1;
	if (fi) {
		fi_arm_step(fi, (enum fi_cache)st->fail_cache, st->fail_nth);
		fi->armed = true;
	}
	o.result = do_op(x, st, &o);
	if (fi)
		fi->armed = false;
	/*
	 * A lock the operation left held is reported now: observing the
	 * step takes locks, which the lock checker may refuse (and abort).
	 */
	held = locks_held_count();
	if (held && (x->opts->check || scn_op_has(st, SCN_OPF_CHECKER)))
		exec_fail(x, &o, st->line,
			  "invariant violation after step %d (%s): %d locks still held",
			  o.index, st->text, held);
	obs_model_snapshot(&x->obs, &o);
	if (st->proc >= 0)
		label_folio_ops(&o, st->proc);
	/*
	 * Every failure of the step was a GFP_NOWAIT one, which the model
	 * falls back from: the operation's result is its own (a hole in a
	 * madvise range, say), not the failure's.
	 */
	absorbed = o.result == SCN_OK ||
		   (fi && fi_hard_failures(fi, injected, nowait) == 0);

	if (fi && !after && fi->first_count) {
		/* opts->fi struck: from here on the scenario's script is void. */
		x->after = true;
		x->sum->injected_step = i + 1;
		x->sum->injected_result = o.result;
		x->sum->injected_absorbed = absorbed;
		x->sum->injected_cache = fi->last_cache;
		x->sum->injected_site = fi->last_site;
	}
	if (after) {
		if (o.result != SCN_OK)
			x->sum->failed_after++;
	} else if (!x->after) {
		go_on = check_result(x, st, &o);
		check_values(x, st, &o);
		if (st->fail_nth)
			check_fail_line(x, st, &o);
	}
	if (fi && fi->injected != injected && !absorbed &&
	    (x->opts->check || x->after))
		check_injected(x, st, &o);
	if (x->opts->check || scn_op_has(st, SCN_OPF_CHECKER))
		go_on = run_check(x, st, &o, held) && go_on;
	if (!x->after)
		exec_expect_step(x, st, &o);

	x->sum->steps_run++;
	o.last = !go_on || i == x->s->nsteps - 1;
	if (x->opts->on_step)
		x->opts->on_step(x->s, &o, x->opts->arg);
	obs_step_free(&x->prev);
	x->prev = o;
	return go_on;
}

static bool has_fail_lines(const struct scenario *s)
{
	int i;

	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].fail_nth)
			return true;
	return false;
}

/* Totals since anonvma_init(): the caches are new, so counters are. */
static void read_totals(struct exec_summary *sum)
{
	unsigned long live;
	int obj;

	for (obj = 0; obj < NR_SCN_OBJECTS; obj++)
		obs_model_counters((enum scn_object)obj, sum->alloc[obj],
				   sum->free[obj], &live, &sum->peak[obj]);
}

/** exec_model() - see exec.h. */
int exec_model(const struct scenario *s, const struct exec_opts *opts,
	       struct exec_summary *sum)
{
	struct exec_state x = { .s = s, .opts = opts, .sum = sum };
	FILE *err = opts->err;
	unsigned long slots;
	int design, i, ret;

	memset(sum, 0, sizeof(*sum));
	design = opts->design;
	if (design < 0)
		design = s->design[0] ? design_parse(s->design) : DESIGN_MAINLINE;
	sum->design = design;
	ret = anonvma_init((enum anonvma_design)design);
	anonvma_bugs = s->bugs | opts->bugs;
	mm_set_zero_page_forbidden(opts->no_zero_page);
	x.warns = vm_warn_count();
	if (ret) {
		if (err)
			fprintf(err, "%s: cannot set up the model: %s\n",
				s->name, strerror(-ret));
		return 2;
	}
	x.saved_max_map_count = sysctl_max_map_count;
	if (s->max_map_count)
		sysctl_max_map_count = (int)s->max_map_count;
	x.mms = calloc((size_t)s->nprocs + 1, sizeof(*x.mms));
	x.files = calloc((size_t)s->nfiles + 1, sizeof(*x.files));
	if (!x.mms || !x.files) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	for (i = 0; i < s->nfiles; i++) {
		x.files[i] = file_create(s->files[i].name, s->files[i].pages);
		if (!x.files[i]) {
			struct obs_step o = { 0 };

			exec_fail(&x, &o, s->files[i].line,
				  "cannot create file %s", s->files[i].name);
			obs_step_free(&o);
			sum->op_failures++;
			goto teardown;
		}
	}
	obs_model_init(&x.obs, s, x.mms, x.files);
	x.fi = opts->fi;
	if (!x.fi && has_fail_lines(s)) {
		fi_init(&x.own_fi);
		x.fi = &x.own_fi;
	}
	if (x.fi) {
		x.fi->armed = false;
		fi_install(x.fi);
	}
	for (i = 0; i < s->nsteps; i++)
		if (!run_step(&x, i))
			break;
	if (x.fi)
		fi_install(NULL);
	obs_step_free(&x.prev);
	obs_model_destroy(&x.obs);

teardown:
	/* Processes still alive exit at the end, as the kernel run's do. */
	for (i = 0; i < s->nprocs; i++)
		if (x.mms[i])
			mmput(x.mms[i]);
	for (i = 0; i < s->nfiles; i++)
		if (x.files[i])
			fput(x.files[i]);
	read_totals(sum);
	fflush(stdout);
	slots = swap_slots_in_use();
	if (slots && err)
		fprintf(err, "%s: leak: %lu swap slots still in use\n",
			s->name, slots);
	sum->leaks = anonvma_exit(err) + slots;
	anonvma_bugs = 0;
	mm_set_zero_page_forbidden(false);
	sysctl_max_map_count = (int)x.saved_max_map_count;
	if (sum->leaks && err)
		fprintf(err, "%s: leak: %lu objects still live at exit\n",
			s->name, sum->leaks);
	if (opts->check && vm_warn_count() != x.warns) {
		/* Assertions that fired while the processes were torn down. */
		sum->check_failures++;
		if (err)
			fprintf(err, "%s: %lu kernel assertions (WARN_ON) fired at teardown\n",
				s->name, vm_warn_count() - x.warns);
	}
	free(x.mms);
	free(x.files);
	return exec_summary_failed(sum) ? 1 : 0;
}
