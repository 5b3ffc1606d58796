/* SPDX-License-Identifier: MIT */
/*
 * The model executor: runs the steps of a parsed scenario on the
 * library, one process per struct mm_struct, and observes the model
 * after each step.
 *
 * Operations go through the same entry points a process would use (the
 * sys_* calls, access_page() for loads and stores, dup_mm() for fork,
 * mmput() for exit), so each takes its locks as the kernel does.  The
 * model-only steps call reclaim, migration and rmap walks directly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"
#include "failcheck.h"

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

static int errno_of(long ret)
{
	return ret < 0 && ret >= -4095 ? (int)-ret : SCN_OK;
}

static int fault_result(vm_fault_t f)
{
	if (f & VM_FAULT_OOM)
		return SCN_OOM;
	if (f & VM_FAULT_SIGBUS)
		return SCN_SIGBUS;
	return SCN_SIGSEGV;
}

/* `P read R` / `P write R`: one access per page, stopping at a fault. */
static int op_access(struct exec_state *x, const struct scn_step *st,
		     struct obs_step *o)
{
	struct mm_struct *mm = x->mms[st->proc];
	bool write = st->op == SCN_OP_WRITE;
	unsigned long p;

	if (!write)
		o->values = calloc(scn_range_pages(&st->r), sizeof(*o->values));
	for (p = st->r.first; p < st->r.end; p++) {
		uint64_t v = 0;
		vm_fault_t f;

		if (write)
			v = st->has_value ? st->value : scn_write_value(st, p);
		f = access_page(mm, exec_addr(x, p), write, &v);
		if (f & VM_FAULT_ERROR)
			return fault_result(f);
		if (!write && o->values)
			o->values[o->nvalues++] = v;
		o->done++;
	}
	return SCN_OK;
}

struct rmap_arg {
	struct exec_state *x;
	struct obs_folio_op *fop;
	unsigned long mapped;
};

static bool rmap_record(struct folio *folio, struct vm_area_struct *vma,
			unsigned long address, void *arg)
{
	struct rmap_arg *ra = arg;
	struct obs_folio_op *fop = ra->fop;
	struct obs_visit *v;

	fop->visits = realloc(fop->visits,
			      sizeof(*v) * (size_t)(fop->nvisits + 1));
	if (!fop->visits) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	v = &fop->visits[fop->nvisits++];
	v->proc = obs_model_proc_of(&ra->x->obs, vma->vm_mm);
	v->page = (address - ra->x->s->base) >> PAGE_SHIFT;
	spin_lock(&vma->vm_mm->page_table_lock);
	v->mapped = page_vma_mapped(folio, vma, address) != NULL;
	spin_unlock(&vma->vm_mm->page_table_lock);
	ra->mapped += v->mapped;
	return true;
}

static bool count_one(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, void *arg)
{
	return true;
}

/** exec_walk_count() - see exec_internal.h. */
unsigned long exec_walk_count(struct folio *folio)
{
	struct rmap_walk_control rwc = {
		.rmap_one = count_one,
		.anon_lock = folio_lock_anon_vma_read,
	};

	folio_lock(folio);
	rmap_walk(folio, &rwc);
	folio_unlock(folio);
	return rwc.visited;
}

static struct obs_folio_op *add_folio_op(struct obs_step *o, unsigned long page)
{
	struct obs_folio_op *fop;

	o->model.folio_ops = realloc(o->model.folio_ops,
				     sizeof(*fop) * (size_t)(o->model.nfolio_ops + 1));
	if (!o->model.folio_ops) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	fop = &o->model.folio_ops[o->model.nfolio_ops++];
	memset(fop, 0, sizeof(*fop));
	fop->page = page;
	fop->label = -1;
	return fop;
}

/*
 * swapout, migrate, referenced, rmap: on the folio at each page of the
 * range.  Pages without a folio (none, zero page, swap) are skipped.
 */
static int op_folio(struct exec_state *x, const struct scn_step *st,
		    struct obs_step *o)
{
	struct mm_struct *mm = x->mms[st->proc];
	unsigned long p;
	int ret = 0;

	for (p = st->r.first; p < st->r.end; p++) {
		struct folio *folio = folio_at(mm, exec_addr(x, p));
		struct folio *new = NULL;
		struct walk_stats ws = { 0, 0 };

		if (st->op == SCN_OP_REFERENCED || st->op == SCN_OP_RMAP) {
			struct obs_folio_op *fop = add_folio_op(o, p);

			if (folio && st->op == SCN_OP_REFERENCED) {
				fop->referenced = folio_referenced(folio, &ws);
			} else if (folio) {
				struct rmap_arg ra = { x, fop, 0 };
				struct rmap_walk_control rwc = {
					.arg = &ra,
					.rmap_one = rmap_record,
					.anon_lock = folio_lock_anon_vma_read,
				};

				folio_lock(folio);
				rmap_walk(folio, &rwc);
				folio_unlock(folio);
				x->sum->walks++;
				x->sum->walk_visited += (unsigned long)fop->nvisits;
				x->sum->walk_mapped += ra.mapped;
			}
		} else if (folio && st->op == SCN_OP_SWAPOUT) {
			ret = reclaim_folio(folio, st->keepcache, &ws);
			if (!ret) {
				x->sum->swapped++;
				o->model.folios++;
			}
		} else if (folio) {
			ret = migrate_folio_to_new(folio, &new, &ws);
			if (new)
				folio_put(new);
			if (!ret) {
				x->sum->migrated++;
				o->model.folios++;
			}
		}
		if (folio)
			folio_put(folio);
		if (ret)
			return errno_of(ret);
		o->done++;
	}
	return SCN_OK;
}

static int op_mremap(struct exec_state *x, const struct scn_step *st)
{
	struct mm_struct *mm = x->mms[st->proc];
	unsigned long addr = exec_addr(x, st->r.first), want = addr;
	unsigned long old_len = scn_range_pages(&st->r) * PAGE_SIZE;
	unsigned long new_len = st->npages * PAGE_SIZE, new_addr = 0;
	long ret;

	if (st->flags & MREMAP_FIXED) {
		new_addr = want = exec_addr(x, st->r2.first);
		new_len = scn_range_pages(&st->r2) * PAGE_SIZE;
	}
	ret = sys_mremap(mm, addr, old_len, new_len, st->flags, new_addr);
	if (errno_of(ret))
		return errno_of(ret);
	return (unsigned long)ret == want ? SCN_OK : SCN_BADADDR;
}

static int do_op(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	struct mm_struct *mm = st->proc >= 0 ? x->mms[st->proc] : NULL;
	unsigned long addr = exec_addr(x, st->r.first);
	unsigned long len = scn_range_pages(&st->r) * PAGE_SIZE;
	struct mm_struct *child;
	long ret;
	int err = 0;

	switch (st->op) {
	case SCN_OP_PROC:
		mm = mm_alloc();
		if (!mm)
			return ENOMEM;
		x->mms[st->proc] = mm;
		x->sum->procs_created++;
		return SCN_OK;
	case SCN_OP_MMAP:
		ret = sys_mmap(mm, addr, len, st->prot, st->flags,
			       st->file >= 0 ? x->files[st->file] : NULL,
			       st->off);
		if (errno_of(ret))
			return errno_of(ret);
		return (unsigned long)ret == addr ? SCN_OK : SCN_BADADDR;
	case SCN_OP_MUNMAP:
		return errno_of(sys_munmap(mm, addr, len));
	case SCN_OP_MPROTECT:
		return errno_of(sys_mprotect(mm, addr, len, st->prot));
	case SCN_OP_MADVISE:
		return errno_of(sys_madvise(mm, addr, len, st->advice));
	case SCN_OP_MREMAP:
		return op_mremap(x, st);
	case SCN_OP_MLOCK:
		return errno_of(sys_mlock2(mm, addr, len, (unsigned int)st->flags));
	case SCN_OP_MUNLOCK:
		return errno_of(sys_munlock(mm, addr, len));
	case SCN_OP_MLOCKALL:
		return errno_of(sys_mlockall(mm, st->flags));
	case SCN_OP_MUNLOCKALL:
		return errno_of(sys_munlockall(mm));
	case SCN_OP_BRK_BASE:
		mm_set_brk_base(mm, addr);
		return SCN_OK;
	case SCN_OP_BRK: {
		unsigned long want = mm->brk + (unsigned long)st->delta * PAGE_SIZE;

		return sys_brk(mm, want) == want ? SCN_OK : ENOMEM;
	}
	case SCN_OP_READ:
	case SCN_OP_WRITE:
		return op_access(x, st, o);
	case SCN_OP_FORK:
		child = dup_mm(mm, &err);
		if (!child)
			return err ? errno_of(err) : ENOMEM;
		x->mms[st->proc2] = child;
		x->sum->procs_created++;
		return SCN_OK;
	case SCN_OP_EXIT:
		mmput(mm);
		x->mms[st->proc] = NULL;
		x->sum->procs_exited++;
		return SCN_OK;
	case SCN_OP_SWAPOUT:
	case SCN_OP_MIGRATE:
	case SCN_OP_REFERENCED:
	case SCN_OP_RMAP:
		return op_folio(x, st, o);
	case SCN_OP_CHECK:
	default:
		return SCN_OK;
	}
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

	if (st->op != SCN_OP_READ || !st->has_value)
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
	if (st->op == SCN_OP_EXIT || st->op == SCN_OP_CHECK ||
	    st->op == SCN_OP_BRK_BASE || st->op == SCN_OP_RMAP ||
	    st->op == SCN_OP_REFERENCED) {
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
	return st->op != SCN_OP_PROC && st->proc >= 0 && !x->mms[st->proc];
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
	if (held && (x->opts->check || st->op == SCN_OP_CHECK))
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
	if (x->opts->check || st->op == SCN_OP_CHECK)
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
