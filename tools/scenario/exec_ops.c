/* SPDX-License-Identifier: MIT */
/*
 * The model calls of the scenario operations (the @model hooks of
 * scn_ops[], ops.c): each runs one step on the library through the entry
 * point a process would use (the sys_* calls, access_page() for loads
 * and stores, dup_mm() for fork, mmput() for exit); the model-only
 * steps call reclaim, migration and rmap walks directly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

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
static int access_range(struct exec_state *x, const struct scn_step *st,
			struct obs_step *o, bool write)
{
	struct mm_struct *mm = x->mms[st->proc];
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

/** exec_op_read() - see exec_internal.h. */
int exec_op_read(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	return access_range(x, st, o, false);
}

/** exec_op_write() - see exec_internal.h. */
int exec_op_write(struct exec_state *x, const struct scn_step *st,
		  struct obs_step *o)
{
	return access_range(x, st, o, true);
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
 * The folio operations work on the folio at each page of the range, and
 * stop at the first that fails.  @fn is called for pages without a folio
 * (none, zero page, swap) too, with @folio NULL.
 */
typedef int (*folio_fn)(struct exec_state *x, const struct scn_step *st,
			struct obs_step *o, unsigned long p, struct folio *folio);

static int each_folio(struct exec_state *x, const struct scn_step *st,
		      struct obs_step *o, folio_fn fn)
{
	struct mm_struct *mm = x->mms[st->proc];
	unsigned long p;
	int ret;

	for (p = st->r.first; p < st->r.end; p++) {
		struct folio *folio = folio_at(mm, exec_addr(x, p));

		ret = fn(x, st, o, p, folio);
		if (folio)
			folio_put(folio);
		if (ret)
			return errno_of(ret);
		o->done++;
	}
	return SCN_OK;
}

static int referenced_one(struct exec_state *x, const struct scn_step *st,
			  struct obs_step *o, unsigned long p,
			  struct folio *folio)
{
	struct obs_folio_op *fop = add_folio_op(o, p);
	struct walk_stats ws = { 0, 0 };

	if (folio)
		fop->referenced = folio_referenced(folio, &ws);
	return 0;
}

static int rmap_one(struct exec_state *x, const struct scn_step *st,
		    struct obs_step *o, unsigned long p, struct folio *folio)
{
	struct obs_folio_op *fop = add_folio_op(o, p);
	struct rmap_arg ra = { x, fop, 0 };
	struct rmap_walk_control rwc = {
		.arg = &ra,
		.rmap_one = rmap_record,
		.anon_lock = folio_lock_anon_vma_read,
	};

	if (!folio)
		return 0;
	folio_lock(folio);
	rmap_walk(folio, &rwc);
	folio_unlock(folio);
	x->sum->walks++;
	x->sum->walk_visited += (unsigned long)fop->nvisits;
	x->sum->walk_mapped += ra.mapped;
	return 0;
}

static int swapout_one(struct exec_state *x, const struct scn_step *st,
		       struct obs_step *o, unsigned long p, struct folio *folio)
{
	struct walk_stats ws = { 0, 0 };
	int ret;

	if (!folio)
		return 0;
	ret = reclaim_folio(folio, st->keepcache, &ws);
	if (!ret) {
		x->sum->swapped++;
		o->model.folios++;
	}
	return ret;
}

static int migrate_one(struct exec_state *x, const struct scn_step *st,
		       struct obs_step *o, unsigned long p, struct folio *folio)
{
	struct walk_stats ws = { 0, 0 };
	struct folio *new = NULL;
	int ret;

	if (!folio)
		return 0;
	ret = migrate_folio_to_new(folio, &new, &ws);
	if (new)
		folio_put(new);
	if (!ret) {
		x->sum->migrated++;
		o->model.folios++;
	}
	return ret;
}

/** exec_op_referenced() - see exec_internal.h. */
int exec_op_referenced(struct exec_state *x, const struct scn_step *st,
		       struct obs_step *o)
{
	return each_folio(x, st, o, referenced_one);
}

/** exec_op_rmap() - see exec_internal.h. */
int exec_op_rmap(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	return each_folio(x, st, o, rmap_one);
}

/** exec_op_swapout() - see exec_internal.h. */
int exec_op_swapout(struct exec_state *x, const struct scn_step *st,
		    struct obs_step *o)
{
	return each_folio(x, st, o, swapout_one);
}

/** exec_op_migrate() - see exec_internal.h. */
int exec_op_migrate(struct exec_state *x, const struct scn_step *st,
		    struct obs_step *o)
{
	return each_folio(x, st, o, migrate_one);
}

/** exec_op_mremap() - see exec_internal.h. */
int exec_op_mremap(struct exec_state *x, const struct scn_step *st,
		   struct obs_step *o)
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

/** exec_op_proc() - `proc P`: a new, empty mm. */
int exec_op_proc(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return ENOMEM;
	x->mms[st->proc] = mm;
	x->sum->procs_created++;
	return SCN_OK;
}

static struct mm_struct *mm_of(struct exec_state *x, const struct scn_step *st)
{
	return st->proc >= 0 ? x->mms[st->proc] : NULL;
}

static unsigned long len_of(const struct scn_step *st)
{
	return scn_range_pages(&st->r) * PAGE_SIZE;
}

/** exec_op_mmap() - see exec_internal.h. */
int exec_op_mmap(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	unsigned long addr = exec_addr(x, st->r.first);
	long ret;

	ret = sys_mmap(mm_of(x, st), addr, len_of(st), st->prot, st->flags,
		       st->file >= 0 ? x->files[st->file] : NULL, st->off);
	if (errno_of(ret))
		return errno_of(ret);
	return (unsigned long)ret == addr ? SCN_OK : SCN_BADADDR;
}

/** exec_op_munmap() - see exec_internal.h. */
int exec_op_munmap(struct exec_state *x, const struct scn_step *st,
		   struct obs_step *o)
{
	return errno_of(sys_munmap(mm_of(x, st), exec_addr(x, st->r.first),
				   len_of(st)));
}

/** exec_op_mprotect() - see exec_internal.h. */
int exec_op_mprotect(struct exec_state *x, const struct scn_step *st,
		     struct obs_step *o)
{
	return errno_of(sys_mprotect(mm_of(x, st), exec_addr(x, st->r.first),
				     len_of(st), st->prot));
}

/** exec_op_madvise() - see exec_internal.h. */
int exec_op_madvise(struct exec_state *x, const struct scn_step *st,
		    struct obs_step *o)
{
	return errno_of(sys_madvise(mm_of(x, st), exec_addr(x, st->r.first),
				    len_of(st), st->advice));
}

/** exec_op_mlock() - see exec_internal.h. */
int exec_op_mlock(struct exec_state *x, const struct scn_step *st,
		  struct obs_step *o)
{
	return errno_of(sys_mlock2(mm_of(x, st), exec_addr(x, st->r.first),
				   len_of(st), (unsigned int)st->flags));
}

/** exec_op_munlock() - see exec_internal.h. */
int exec_op_munlock(struct exec_state *x, const struct scn_step *st,
		    struct obs_step *o)
{
	return errno_of(sys_munlock(mm_of(x, st), exec_addr(x, st->r.first),
				    len_of(st)));
}

/** exec_op_mlockall() - see exec_internal.h. */
int exec_op_mlockall(struct exec_state *x, const struct scn_step *st,
		     struct obs_step *o)
{
	return errno_of(sys_mlockall(mm_of(x, st), st->flags));
}

/** exec_op_munlockall() - see exec_internal.h. */
int exec_op_munlockall(struct exec_state *x, const struct scn_step *st,
		       struct obs_step *o)
{
	return errno_of(sys_munlockall(mm_of(x, st)));
}

/** exec_op_brk_base() - see exec_internal.h. */
int exec_op_brk_base(struct exec_state *x, const struct scn_step *st,
		     struct obs_step *o)
{
	mm_set_brk_base(mm_of(x, st), exec_addr(x, st->r.first));
	return SCN_OK;
}

/** exec_op_brk() - see exec_internal.h. */
int exec_op_brk(struct exec_state *x, const struct scn_step *st,
		struct obs_step *o)
{
	struct mm_struct *mm = mm_of(x, st);
	unsigned long want = mm->brk + (unsigned long)st->delta * PAGE_SIZE;

	return sys_brk(mm, want) == want ? SCN_OK : ENOMEM;
}

/** exec_op_fork() - see exec_internal.h. */
int exec_op_fork(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	struct mm_struct *child;
	int err = 0;

	child = dup_mm(mm_of(x, st), &err);
	if (!child)
		return err ? errno_of(err) : ENOMEM;
	x->mms[st->proc2] = child;
	x->sum->procs_created++;
	return SCN_OK;
}

/** exec_op_exit() - see exec_internal.h. */
int exec_op_exit(struct exec_state *x, const struct scn_step *st,
		 struct obs_step *o)
{
	mmput(mm_of(x, st));
	x->mms[st->proc] = NULL;
	x->sum->procs_exited++;
	return SCN_OK;
}
