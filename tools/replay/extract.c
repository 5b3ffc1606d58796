// SPDX-License-Identifier: MIT
/*
 * `anonvma replay --extract`: the process images of a recording that
 * matter to a divergence, written as a scenario (docs/record-replay.md,
 * "Extracting a scenario").
 *
 * The replay itself decides which event belongs to which image, so the
 * extractor does not second-guess it: it replays the recording once and
 * listens (struct replay_event).  Each operation of a listed image
 * becomes a step with the kernel's counts as `expect step` lines; the
 * exec layout becomes mmaps and writes; children the listed images fork
 * are kept as far as their fork and their end, since both change what
 * the parent's later operations allocate and free.
 *
 * Addresses are collected as the steps are made and relocated at the
 * end: the touched ranges keep their sizes and the distances between
 * them up to XGAP_PAGES; longer gaps shrink to that, except below a
 * stack, whose growth the kernel refuses within stack_guard_gap of the
 * VMA beneath (expand_downwards() in mm/mmap.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

static bool xgrow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *np;

	if (need <= *cap)
		return true;
	np = realloc(*p, c * size);
	if (!np)
		return false;
	*p = np;
	*cap = c;
	return true;
}

static struct ximg *ximg(struct xstate *x, int id)
{
	static struct ximg none;

	return id > 0 && (size_t)id < x->nimg ? &x->img[id] : &none;
}

static struct xstep *xstep_new(struct xstate *x, enum xkind kind, int img)
{
	struct xstep *s;

	if (!xgrow((void **)&x->steps, &x->capsteps, x->nsteps + 1, sizeof(*s))) {
		x->oom = true;
		return NULL;
	}
	s = &x->steps[x->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->img = img;
	s->file = -1;
	return s;
}

static void xcomment(struct xstate *x, int img, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void xcomment(struct xstate *x, int img, const char *fmt, ...)
{
	struct xstep *s = xstep_new(x, X_COMMENT, img);
	va_list ap;

	if (!s)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s->text, fmt, ap) < 0) {
		s->text = NULL;
		x->oom = true;
	}
	va_end(ap);
}

/* Pages [start, end) are touched; @gd: a stack (VM_GROWSDOWN) begins there. */
static void xrange_add(struct xstate *x, uint64_t start, uint64_t end, bool gd)
{
	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	if (end <= start)
		return;
	if (!xgrow((void **)&x->rg, &x->caprg, x->nrg + 1, sizeof(*x->rg))) {
		x->oom = true;
		return;
	}
	x->rg[x->nrg++] = (struct xrange){ .start = start, .end = end, .gd = gd };
}

static int xfile_find(struct xstate *x, const struct xfile *key,
		      unsigned long pages)
{
	size_t i;

	for (i = 0; i < x->nfiles; i++) {
		struct xfile *f = &x->files[i];

		if (f->serial == key->serial && f->dev == key->dev &&
		    f->inode == key->inode && f->snap == key->snap)
			break;
	}
	if (i == x->nfiles) {
		if (!xgrow((void **)&x->files, &x->capfiles, i + 1, sizeof(*key))) {
			x->oom = true;
			return -1;
		}
		x->files[x->nfiles++] = *key;
	}
	if (x->files[i].pages < pages)
		x->files[i].pages = pages;
	return (int)i;
}

static void set_pending(struct xstate *x, int tid)
{
	/* The step about to be made: index x->nsteps, stored plus one. */
	if (u64map_put(&x->pending, (uint64_t)tid, x->nsteps + 1))
		x->oom = true;
}

/* The kernel's counts of an operation, summed over call sites. */
static void attach(struct xstep *s, const struct rcounts *c, bool frees_only)
{
	int o;

	s->counts = true;
	s->frees_only = frees_only;
	for (o = 0; o < NR_SCN_OBJECTS; o++) {
		s->kc[o][0] += obs_sites_sum(c->alloc[o]);
		s->kc[o][1] += obs_sites_sum(c->free[o]);
	}
}

static bool counts_empty(const struct rcounts *c)
{
	struct xstep s = { .kind = X_COMMENT };
	int o;

	attach(&s, c, false);
	for (o = 0; o < NR_SCN_OBJECTS; o++)
		if (s.kc[o][0] || s.kc[o][1])
			return false;
	return true;
}

static bool is_gate_or_special(const struct tsnap *s, const struct tsnap_vma *v)
{
	return v->start >= XGATE_START || vmflags_special(v->flags) ||
	       !strncmp(tsnap_path(s, v), "[v", 2);
}

static unsigned long perms_prot(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) |
	       (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

/* The VmFlags an mmap cannot give, set by the advice that gives them. */
static const struct { unsigned long flag; int advice; } xadvice[] = {
	{ VM_HUGEPAGE, MADV_HUGEPAGE }, { VM_DONTDUMP, MADV_DONTDUMP },
	{ VM_DONTCOPY, MADV_DONTFORK }, { VM_WIPEONFORK, MADV_WIPEONFORK },
};

static void layout_vma(struct xstate *x, int img, const struct tsnap *s,
		       const struct tsnap_vma *v)
{
	bool gd = v->flags & VM_GROWSDOWN;
	struct xstep *st;
	size_t k;

	st = xstep_new(x, X_MMAP, img);
	if (!st)
		return;
	st->a = v->start;
	st->len = v->end - v->start;
	st->prot = perms_prot(v->perms);
	st->flags = v->perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
	if (v->inode) {
		struct xfile key = { .dev = v->dev, .inode = v->inode,
				     .snap = s->n };

		st->off = v->offset >> PAGE_SHIFT;
		st->file = xfile_find(x, &key, st->off + (st->len >> PAGE_SHIFT));
	} else {
		st->flags |= MAP_ANONYMOUS;
	}
	if (gd)
		st->flags |= MAP_GROWSDOWN;
	/* MAP_STACK is how an mmap gets VM_NOHUGEPAGE. */
	if (v->flags & VM_NOHUGEPAGE)
		st->flags |= MAP_STACK;
	xrange_add(x, v->start, v->end, gd);
	for (k = 0; k < sizeof(xadvice) / sizeof(xadvice[0]); k++) {
		if (!(v->flags & xadvice[k].flag))
			continue;
		st = xstep_new(x, X_MADVISE, img);
		if (!st)
			return;
		st->a = v->start;
		st->len = v->end - v->start;
		st->arg = (unsigned long)xadvice[k].advice;
	}
	if (v->unknown_flags || (v->flags & VM_LOCKED))
		xcomment(x, img, "the VMA at %#llx has VmFlags an mmap cannot give",
			 (unsigned long long)v->start);
}

/* exec: a new process, its layout as mmaps, the pages exec wrote as writes. */
static void on_layout(struct xstate *x, const struct replay_event *e)
{
	const struct tsnap *s = e->snap;
	struct ximg *im = ximg(x, e->image);
	struct xstep *st;
	uint32_t i, r;

	im->begun = true;
	xcomment(x, e->image, "image %d: exec at trace line %u", e->image, s->line);
	xstep_new(x, X_PROC, e->image);
	for (i = 0; i < s->nvmas; i++) {
		if (is_gate_or_special(s, &s->vmas[i])) {
			if (!x->gate_said)
				xcomment(x, e->image, "vdso, vvar and vsyscall are left out: special mappings, never anonymous");
			x->gate_said = true;
			continue;
		}
		layout_vma(x, e->image, s, &s->vmas[i]);
	}
	for (r = 0; r < s->nruns; r++) {
		uint64_t rs = s->runs[r].start;
		uint64_t re = rs + s->runs[r].npages * PAGE_SIZE;

		for (i = 0; i < s->nvmas; i++) {
			const struct tsnap_vma *v = &s->vmas[i];
			uint64_t a = rs > v->start ? rs : v->start;
			uint64_t b = re < v->end ? re : v->end;

			if (a >= b || is_gate_or_special(s, v))
				continue;
			if (v->perms[1] != 'w') {
				xcomment(x, e->image, "exec wrote %#llx of a read-only VMA",
					 (unsigned long long)a);
				x->stats->unsaid++;
				continue;
			}
			st = xstep_new(x, X_WRITE, e->image);
			if (!st)
				return;
			st->a = a;
			st->len = b - a;
		}
	}
	im->brk = s->start_brk;
}

static void on_fork(struct xstate *x, const struct replay_event *e)
{
	struct ximg *parent = ximg(x, e->image);
	bool listed = ximg(x, e->child)->role == XR_LISTED;
	struct xstep *st;

	if (parent->role != XR_LISTED || !parent->begun) {
		if (listed && !x->err[0])
			snprintf(x->err, sizeof(x->err),
				 "image %d is a fork of image %d, which is not listed: list it too",
				 e->child, e->image);
		return;
	}
	if ((size_t)e->child >= x->nimg)
		return;
	x->img[e->child].role = listed ? XR_LISTED : XR_CHILD;
	x->img[e->child].begun = true;
	x->img[e->child].brk = parent->brk;
	set_pending(x, e->tid);
	st = xstep_new(x, X_FORK, e->image);
	if (st) {
		st->child = e->child;
		st->line = e->ev->line;
	}
}

static void on_fault(struct xstate *x, const struct replay_event *e)
{
	struct ximg *im = ximg(x, e->image);
	bool write = e->ev->fault.err & 2;
	struct xstep *st;

	if (!im->begun || im->role != XR_LISTED) {
		if (im->role == XR_CHILD)
			x->stats->dropped++;
		return;
	}
	set_pending(x, e->tid);
	st = xstep_new(x, write ? X_WRITE : X_READ, e->image);
	if (!st)
		return;
	st->a = e->ev->fault.addr & PAGE_MASK;
	st->len = PAGE_SIZE;
	st->line = e->ev->line;
	/*
	 * Without the zero page a read of anonymous memory allocates and
	 * maps a writable page, as a write does; `anonvma run` keeps the
	 * zero page, so the scenario says write to mean the same thing.
	 */
	if (!write && x->t->no_zero_page && e->anon) {
		st->kind = X_WRITE;
		st->read_as_write = true;
	}
	if (e->ret & VM_FAULT_SIGSEGV)
		st->err = SCN_SIGSEGV;
	else if (e->ret & VM_FAULT_SIGBUS)
		st->err = SCN_SIGBUS;
	xrange_add(x, st->a, st->a + PAGE_SIZE, false);
}

static void on_end(struct xstate *x, const struct replay_event *e)
{
	struct xstep *st;

	if (ximg(x, e->image)->role == XR_NONE || !ximg(x, e->image)->begun)
		return;
	set_pending(x, e->tid);
	st = xstep_new(x, X_EXIT, e->image);
	if (st)
		st->line = e->ev ? e->ev->line : 0;
}

/* A range operand of munmap, mprotect, madvise, mlock: page-aligned, not empty. */
static struct xstep *range_step(struct xstate *x, const struct replay_event *e,
				enum xkind kind, uint64_t a, uint64_t len)
{
	const char *name = tsys_name((enum tsys)e->ev->sys.nr);
	struct xstep *st;

	if ((a & ~PAGE_MASK) || !len || a + PAGE_ALIGN(len) < a) {
		xcomment(x, e->image, "trace line %u: %s(%#llx, %#llx): a range the language cannot say",
			 e->ev->line, name, (unsigned long long)a,
			 (unsigned long long)len);
		x->stats->unsaid++;
		return NULL;
	}
	st = xstep_new(x, kind, e->image);
	if (!st)
		return NULL;
	st->a = a;
	st->len = PAGE_ALIGN(len);
	st->line = e->ev->line;
	st->err = e->ret >= (uint64_t)-4095 ? -(int)e->ret : 0;
	xrange_add(x, st->a, st->a + st->len, false);
	return st;
}

static struct xstep *mmap_step(struct xstate *x, const struct replay_event *e,
			       const uint64_t *a)
{
	unsigned long type = a[3] & MAP_TYPE;
	struct xstep *st;

	if (e->ret >= (uint64_t)-4095) {
		xcomment(x, e->image, "trace line %u: an mmap the kernel refused (%d), at no known address",
			 e->ev->line, (int)e->ret);
		x->stats->unsaid++;
		return NULL;
	}
	/*
	 * The language's files are read-write: a shared mapping of a file
	 * opened read-only is said with VM_MAYWRITE, which only an
	 * mprotect to writable (refused on the kernel) or a merge with a
	 * neighbour of the same file could tell apart.
	 */
	if (!(a[3] & MAP_ANONYMOUS) && type != MAP_PRIVATE &&
	    !(e->file_mode & FMODE_WRITE)) {
		xcomment(x, e->image, "trace line %u: approximately: the file was opened read-only (no VM_MAYWRITE on the kernel)",
			 e->ev->line);
		x->stats->approx++;
	}
	st = xstep_new(x, X_MMAP, e->image);
	if (!st)
		return NULL;
	st->a = e->ret;
	st->len = PAGE_ALIGN(a[1]);
	st->prot = a[2];
	st->flags = a[3];
	st->line = e->ev->line;
	if (!(a[3] & MAP_ANONYMOUS)) {
		struct xfile key = { .serial = e->file_serial };

		st->off = a[5] >> PAGE_SHIFT;
		st->file = xfile_find(x, &key, st->off + (st->len >> PAGE_SHIFT));
	}
	xrange_add(x, st->a, st->a + st->len, a[3] & MAP_GROWSDOWN);
	return st;
}

static struct xstep *mremap_step(struct xstate *x, const struct replay_event *e,
				 const uint64_t *a)
{
	uint64_t old_len = PAGE_ALIGN(a[1]), new_len = PAGE_ALIGN(a[2]);
	struct xstep *st;

	if (e->ret >= (uint64_t)-4095 || !old_len || (a[0] & ~PAGE_MASK)) {
		xcomment(x, e->image, "trace line %u: mremap(%#llx, %#llx, %#llx, %#llx) = %#llx: not said (a failure, or a copy of a shared mapping)",
			 e->ev->line, (unsigned long long)a[0],
			 (unsigned long long)a[1], (unsigned long long)a[2],
			 (unsigned long long)a[3], (unsigned long long)e->ret);
		x->stats->unsaid++;
		return NULL;
	}
	st = xstep_new(x, X_MREMAP, e->image);
	if (!st)
		return NULL;
	st->a = a[0];
	st->len = old_len;
	st->flags = a[3] & MREMAP_DONTUNMAP;
	st->line = e->ev->line;
	if (e->ret == a[0] && !(a[3] & (MREMAP_FIXED | MREMAP_DONTUNMAP))) {
		st->arg = new_len >> PAGE_SHIFT;
		xrange_add(x, a[0], a[0] + (old_len > new_len ? old_len : new_len), false);
	} else {
		st->a2 = e->ret;
		st->len2 = new_len;
		xrange_add(x, a[0], a[0] + old_len, false);
		xrange_add(x, e->ret, e->ret + new_len, false);
	}
	return st;
}

/*
 * brk as the mmap or munmap that does the same to the heap: a scenario's
 * `brk` is model only, and the kernel run of the scenario would go on
 * without a heap.  Growing the heap merges the new range into its VMA as
 * brk's vma_expand() does, and shrinking it is a munmap (do_brk_munmap()).
 */
static struct xstep *brk_step(struct xstate *x, const struct replay_event *e,
			      uint64_t want)
{
	struct ximg *im = ximg(x, e->image);
	uint64_t cur = PAGE_ALIGN(im->brk), to = PAGE_ALIGN(want);
	struct xstep *st;

	if (!want || to == cur)
		return NULL;	/* a query, or a move within the last page */
	if (e->ret != want) {
		xcomment(x, e->image, "trace line %u: a brk the kernel refused", e->ev->line);
		x->stats->unsaid++;
		return NULL;
	}
	st = xstep_new(x, to > cur ? X_MMAP : X_MUNMAP, e->image);
	if (!st)
		return NULL;
	st->a = to > cur ? cur : to;
	st->len = to > cur ? to - cur : cur - to;
	st->prot = PROT_READ | PROT_WRITE;
	st->flags = MAP_PRIVATE | MAP_ANONYMOUS;
	st->delta = (long)((int64_t)(to - cur) / (int64_t)PAGE_SIZE);
	st->line = e->ev->line;
	im->brk = want;
	xrange_add(x, st->a, st->a + st->len, false);
	return st;
}

/* A memory system call of a listed image: the step that does the same. */
static struct xstep *syscall_step(struct xstate *x, const struct replay_event *e)
{
	const uint64_t *a = tev_args(x->t, e->ev);
	enum tsys nr = (enum tsys)e->ev->sys.nr;
	struct xstep *st = NULL;

	switch (nr) {
	case TSYS_MMAP:
		return mmap_step(x, e, a);
	case TSYS_MREMAP:
		return mremap_step(x, e, a);
	case TSYS_BRK:
		return brk_step(x, e, a[0]);
	case TSYS_MUNMAP:
		return range_step(x, e, X_MUNMAP, a[0], a[1]);
	case TSYS_PKEY_MPROTECT:
		if ((int)a[3] != -1)
			break;
		__attribute__((fallthrough));	/* without a key it is mprotect */
	case TSYS_MPROTECT:
		if (a[2] & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
			break;
		st = range_step(x, e, X_MPROTECT, a[0], a[1]);
		if (st)
			st->prot = a[2];
		return st;
	case TSYS_MADVISE:
		st = range_step(x, e, X_MADVISE, a[0], a[1]);
		if (st)
			st->arg = a[2];
		return st;
	case TSYS_MLOCK:
	case TSYS_MLOCK2:
		st = range_step(x, e, X_MLOCK, a[0], a[1]);
		if (st)
			st->arg = nr == TSYS_MLOCK2 ? a[2] : 0;
		return st;
	case TSYS_MUNLOCK:
		return range_step(x, e, X_MUNLOCK, a[0], a[1]);
	case TSYS_MLOCKALL:
	case TSYS_MUNLOCKALL:
		st = xstep_new(x, nr == TSYS_MLOCKALL ? X_MLOCKALL : X_MUNLOCKALL, e->image);
		if (st) {
			st->arg = a[0];
			st->line = e->ev->line;
			st->err = e->ret >= (uint64_t)-4095 ? -(int)e->ret : 0;
		}
		return st;
	default:
		/* open, close, prctl...: nothing the scenario needs, unless it allocated. */
		if (counts_empty(e->kernel))
			return NULL;
		break;
	}
	xcomment(x, e->image, "trace line %u: %s is not said in the scenario language",
		 e->ev->line, tsys_name(nr));
	x->stats->unsaid++;
	return NULL;
}

static void on_op(struct xstate *x, const struct replay_event *e)
{
	struct ximg *im = ximg(x, e->image);
	struct xstep *st, *open = NULL;
	uint64_t v;
	enum tsys nr;

	if (u64map_get(&x->pending, (uint64_t)e->tid, &v)) {
		u64map_del(&x->pending, (uint64_t)e->tid);
		open = &x->steps[v - 1];
	}
	/*
	 * An unlisted child's end frees what it allocated itself, in
	 * operations the scenario leaves out: no counts are expected there.
	 */
	if (open && open->kind == X_EXIT && ximg(x, open->img)->role == XR_CHILD)
		open = NULL;
	if (e->op_kind != REPLAY_OP_SYSCALL) {
		if (open)
			attach(open, e->kernel, false);
		else if (im->role == XR_LISTED && im->begun && !counts_empty(e->kernel)) {
			xcomment(x, e->image, "kernel objects outside any operation");
			x->stats->unsaid++;
		}
		return;
	}
	nr = (enum tsys)e->ev->sys.nr;
	switch (nr) {
	case TSYS_CLONE: case TSYS_CLONE3: case TSYS_FORK: case TSYS_VFORK:
	case TSYS_EXIT: case TSYS_EXIT_GROUP:
		if (open)
			attach(open, e->kernel, false);
		return;
	case TSYS_EXECVE: case TSYS_EXECVEAT:
		/* The old image's end: its frees; the new one's allocations are its layout. */
		if (open)
			attach(open, e->kernel, true);
		if (im->role == XR_LISTED && im->begun && e->ret == 0) {
			struct xstep s = { .kind = X_COMMENT };

			attach(&s, e->kernel, false);
			xcomment(x, e->image, "trace line %u: exec, not said: the kernel allocated anon_vma %lu, avc %lu inside it (the layout above stands for it)",
				 e->ev->line, s.kc[SCN_OBJ_ANON_VMA][0], s.kc[SCN_OBJ_AVC][0]);
			x->stats->unsaid++;
		}
		return;
	default:
		break;
	}
	if (im->role != XR_LISTED || !im->begun) {
		if (im->role == XR_CHILD)
			x->stats->dropped++;
		return;
	}
	/* A fault inside the call keeps no counts: the call's step has them all. */
	st = syscall_step(x, e);
	if (st)
		attach(st, e->kernel, false);
}

static void on_event(void *arg, const struct replay_event *e)
{
	struct xstate *x = arg;

	if (x->oom || x->err[0])
		return;
	switch (e->kind) {
	case REPLAY_EV_LAYOUT:
		if (ximg(x, e->image)->role == XR_LISTED)
			on_layout(x, e);
		break;
	case REPLAY_EV_FORK:
		on_fork(x, e);
		break;
	case REPLAY_EV_FAULT:
		on_fault(x, e);
		break;
	case REPLAY_EV_END:
		on_end(x, e);
		break;
	case REPLAY_EV_OP:
		on_op(x, e);
		break;
	}
}

static void xstate_free(struct xstate *x)
{
	size_t i;

	for (i = 0; i < x->nsteps; i++)
		free(x->steps[i].text);
	free(x->steps);
	free(x->rg);
	free(x->files);
	free(x->img);
	u64map_free(&x->pending);
}

/** replay_extract() - see replay.h. */
int replay_extract(const struct trace *t, const char *trace_name,
		   const int *ids, size_t nids, FILE *out,
		   struct replay_extract_stats *stats, char *err, size_t n)
{
	struct xstate x = { .t = t, .stats = stats };
	struct replay_opts o = { .design = DESIGN_V6_18, .event = on_event, .arg = &x };
	struct replay_result res;
	size_t i;
	int ret = -1;

	memset(stats, 0, sizeof(*stats));
	/* Image ids are 1, 2, ...; there are at most as many as events. */
	x.nimg = t->nev + 2;
	x.img = calloc(x.nimg, sizeof(*x.img));
	if (!x.img) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	for (i = 0; i < nids; i++)
		if (ids[i] > 0 && (size_t)ids[i] < x.nimg)
			x.img[ids[i]].role = XR_LISTED;
	if (replay_run(t, &o, &res)) {
		snprintf(err, n, "the replay failed: %s", res.ndiffs ? res.diffs[0].why : "?");
		goto out;
	}
	for (i = 0; i < nids && !x.err[0]; i++) {
		if (ids[i] <= 0 || (size_t)ids[i] > res.nimages)
			snprintf(x.err, sizeof(x.err), "no image %d: the recording has %zu (anonvma replay --images lists them)",
				 ids[i], res.nimages);
		else if (!x.img[ids[i]].begun)
			snprintf(x.err, sizeof(x.err), "image %d (%s) has no known layout: neither an exec the recording saw nor a fork of a listed image",
				 ids[i], res.images[ids[i] - 1].name);
	}
	if (x.oom)
		snprintf(x.err, sizeof(x.err), "out of memory");
	if (x.err[0]) {
		snprintf(err, n, "%s", x.err);
		goto out;
	}
	stats->pages = relocate(&x);
	if (stats->pages > SCN_MAX_PAGES) {
		snprintf(err, n, "the images need a window of %lu pages after relocation; the scenario language allows %lu",
			 stats->pages, SCN_MAX_PAGES);
		goto out;
	}
	if (!stats->pages)
		stats->pages = 1;
	write_scenario(out, &x, trace_name, ids, nids);
	ret = 0;
out:
	replay_result_free(&res);
	xstate_free(&x);
	return ret;
}
