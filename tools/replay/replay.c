// SPDX-License-Identifier: MIT
/*
 * The replay itself: each event of the recording, in order, applied to
 * the model, and each operation's anon_vma and anon_vma_chain traffic
 * compared with the kernel's.
 *
 * How events make operations (the kernel's order, 6.18):
 *
 *   sys_enter_X ... kmem events of the task ... sys_exit_X
 *	one operation; the model applies X at sys_exit, when its result
 *	(the address the kernel chose, the new break) is known.
 *   page_fault_user ... kmem events of the task
 *	one operation, until the task's next event; the model faults at
 *	once.  A page_fault_kernel inside a system call (copy_to_user,
 *	execve reading argv) belongs to that call's operation.
 *   sys_enter_clone ... kmem (dup_mmap) ... task_newtask ... sys_exit
 *	the fork happens in the model at task_newtask, which tells the
 *	clone flags and comes after copy_mm().
 *   sys_enter_execve ... kmem (new stack, old mm's teardown) ...
 *   sched_process_exec, snapshot marker, sys_exit_execve
 *	the old image is released at sched_process_exec and the new one
 *	built from the snapshot (replay_layout.c).
 *   sched_process_exit ... kmem (exit_mm(): the last user's exit_mmap)
 *	6.18 traces the exit before exit_mm(), so the task's operation
 *	stays open after it and collects the teardown's frees.
 *
 * A kernel free of an object the recording never saw allocated belongs
 * to the time before the recording (the recorder's own process image):
 * it is counted apart and compared with nothing.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay_internal.h"

#define CLONE_VM	0x00000100ULL
#define CLONE_FILES	0x00000400ULL
#define CLONE_THREAD	0x00010000ULL
#define PR_SET_VMA	0x53564d41UL
/* The highest user address on x86-64 with 4-level page tables. */
#define USER_TOP	0x800000000000ULL

static bool is_err(uint64_t ret)
{
	return ret >= (uint64_t)-4095;
}

/** model_counters() - see replay_internal.h. */
void model_counters(struct rcounts *c)
{
	unsigned long live;
	int o;

	for (o = 0; o < NR_SCN_OBJECTS; o++)
		obs_model_counters((enum scn_object)o, c->alloc[o], c->free[o],
				   &live, NULL);
}

/** rcounts_add_delta() - see replay_internal.h. */
void rcounts_add_delta(struct rcounts *dst, const struct rcounts *after,
		       const struct rcounts *before)
{
	int o, s;

	for (o = 0; o < NR_SCN_OBJECTS; o++)
		for (s = 0; s < NR_OBS_SITES; s++) {
			dst->alloc[o][s] += after->alloc[o][s] - before->alloc[o][s];
			dst->free[o][s] += after->free[o][s] - before->free[o][s];
		}
}

static void rcounts_add(struct rcounts *dst, const struct rcounts *src)
{
	int o, s;

	for (o = 0; o < NR_SCN_OBJECTS; o++)
		for (s = 0; s < NR_OBS_SITES; s++) {
			dst->alloc[o][s] += src->alloc[o][s];
			dst->free[o][s] += src->free[o][s];
		}
}

static void describe_op(const struct rstate *st, const struct rop *op,
			char *buf, size_t n)
{
	const struct tevent *e = op->ev;
	const uint64_t *a;

	if (!e) {
		snprintf(buf, n, "%s", op->kind == ROP_EXIT ? "exit" : "events outside any operation");
		return;
	}
	switch (op->kind) {
	case ROP_SYSCALL:
		a = tev_args(st->t, e);
		snprintf(buf, n, "%s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)",
			 tsys_name((enum tsys)e->sys.nr),
			 (unsigned long long)a[0], (unsigned long long)a[1],
			 (unsigned long long)a[2], (unsigned long long)a[3],
			 (unsigned long long)a[4], (unsigned long long)a[5]);
		break;
	case ROP_FAULT:
		snprintf(buf, n, "%s fault at %#llx (error code %#x)",
			 e->fault.err & 2 ? "write" : "read",
			 (unsigned long long)e->fault.addr, e->fault.err);
		break;
	case ROP_EXIT:
		snprintf(buf, n, "exit of task %d", e->task.pid);
		break;
	default:
		snprintf(buf, n, "kernel objects outside an operation");
		break;
	}
}

/** replay_note_diff() - see replay_internal.h. */
void replay_note_diff(struct rstate *st, const struct rop *op,
		      const char *fmt, ...)
{
	struct replay_result *res = st->res;
	struct replay_diff *d;
	va_list ap;

	res->ndiffs_total++;
	if (res->ndiffs == REPLAY_MAX_DIFFS)
		return;
	d = &res->diffs[res->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->line = op && op->ev ? op->ev->line : 0;
	d->tid = op && op->ev ? op->ev->tid : 0;
	d->image = op && op->img ? (int)op->img->idx + 1 : 0;
	if (op)
		describe_op(st, op, d->what, sizeof(d->what));
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

/* "anon_vma +1 __anon_vma_prepare" for each count that differs. */
static void explain_counts(const struct rop *op, char *buf, size_t n)
{
	size_t len = 0;
	int o, s;

	buf[0] = '\0';
	for (o = 0; o < NR_SCN_OBJECTS; o++)
		for (s = 0; s < NR_OBS_SITES; s++) {
			const char *obj = obs_object_name((enum scn_object)o);
			const char *site = obs_site_name((enum obs_site)s);

			if (op->kernel.alloc[o][s] != op->model.alloc[o][s] && len < n)
				len += (size_t)snprintf(buf + len, n - len,
					"%s allocated at %s: kernel %lu, model %lu; ",
					obj, site, op->kernel.alloc[o][s],
					op->model.alloc[o][s]);
			if (op->kernel.free[o][s] != op->model.free[o][s] && len < n)
				len += (size_t)snprintf(buf + len, n - len,
					"%s freed at %s: kernel %lu, model %lu; ",
					obj, site, op->kernel.free[o][s],
					op->model.free[o][s]);
		}
}

static bool rcounts_empty(const struct rcounts *c)
{
	static const struct rcounts zero;

	return !memcmp(c, &zero, sizeof(zero));
}

static void maybe_check(struct rstate *st, bool force)
{
	struct replay_result *res = st->res;
	struct check_report r;

	if (!st->opts->check_every ||
	    (!force && ++st->ops_since_check < st->opts->check_every))
		return;
	st->ops_since_check = 0;
	res->checks++;
	if (check_invariants(&r)) {
		res->violations += (unsigned long)r.count;
		if (!res->first_violation[0])
			snprintf(res->first_violation, sizeof(res->first_violation),
				 "%s", r.msg[0]);
	}
}

/** replay_emit() - see replay_internal.h. */
void replay_emit(struct rstate *st, struct replay_event *e,
		 const struct rimage *img, int tid)
{
	if (!st->opts->event)
		return;
	e->image = img ? st->res->images[img->idx].id : 0;
	e->tid = tid;
	st->opts->event(st->opts->arg, e);
}

/* Tell the observer that @task's operation @op ends. */
static void emit_op(struct rstate *st, const struct rtask *task,
		    const struct rop *op)
{
	struct replay_event e = {
		.kind = REPLAY_EV_OP, .ev = op->ev,
		.op_kind = (enum replay_op_kind)op->kind, .ret = op->ret,
		.kernel = &op->kernel,
	};

	if (op->file) {
		e.file_serial = op->file->serial;
		e.file_mode = op->file->f_mode;
	}
	replay_emit(st, &e, op->img, task->tid);
}

/* End @task's operation: count it and compare its two sides. */
static void op_close(struct rstate *st, struct rtask *task)
{
	struct rop *op = &task->op;
	struct replay_result *res = st->res;
	struct replay_image *ri;

	if (op->kind == ROP_NONE)
		return;
	if (op->kind == ROP_STRAY && rcounts_empty(&op->kernel) &&
	    rcounts_empty(&op->model)) {
		memset(op, 0, sizeof(*op));
		return;
	}
	res->ops++;
	emit_op(st, task, op);
	ri = op->img ? &res->images[op->img->idx] : NULL;
	if (ri)
		ri->ops++;
	if (op->uncomparable) {
		res->not_modelled++;
	} else if (ri && ri->known) {
		rcounts_add(&ri->kernel, &op->kernel);
		rcounts_add(&ri->model, &op->model);
		rcounts_add(&res->kernel, &op->kernel);
		rcounts_add(&res->model, &op->model);
		if (res->compared && memcmp(&op->kernel, &op->model, sizeof(op->kernel))) {
			char why[512];

			res->ops_differ++;
			ri->ops_differ++;
			explain_counts(op, why, sizeof(why));
			replay_note_diff(st, op, "%s", why);
		}
	}
	memset(op, 0, sizeof(*op));
	maybe_check(st, false);
}

static void op_open(struct rstate *st, struct rtask *task, enum rop_kind kind,
		    const struct tevent *e)
{
	op_close(st, task);
	task->op.kind = kind;
	task->op.ev = e;
	task->op.img = task->img;
}

/*
 * Run @fn's model action and add what it allocated and freed to @op.
 * The counters are cumulative per cache, so the difference around the
 * call is exactly this action's.
 */
#define MODEL(op, stmt) do {						\
	struct rcounts __before, __after;				\
	model_counters(&__before);					\
	stmt;								\
	model_counters(&__after);					\
	rcounts_add_delta(&(op)->model, &__after, &__before);		\
} while (0)

static void sys_result(struct rstate *st, struct rop *op, long model,
		       uint64_t kernel)
{
	if ((uint64_t)model == kernel)
		return;
	/* The model's word for a mapping or advice it does not have. */
	if (model == -ENOTMODELLED) {
		op->uncomparable = true;
		replay_note_diff(st, op, "not modelled: the model answers ENOSYS (hugetlb, MAP_DROPPABLE, or advice it lacks)");
		return;
	}
	st->res->results_differ++;
	replay_note_diff(st, op, "returns %#llx on the kernel, %#lx on the model",
			 (unsigned long long)kernel, (unsigned long)model);
}

static void not_modelled(struct rstate *st, struct rop *op, const char *what)
{
	op->uncomparable = true;
	replay_note_diff(st, op, "not modelled: %s", what);
}

/*
 * Is @op an execve?  What exec allocates belongs to the new image, which
 * the replay knows even when it did not know the old one.
 */
static bool op_is_exec(const struct rop *op)
{
	return op->kind == ROP_SYSCALL && (op->ev->sys.nr == TSYS_EXECVE ||
					   op->ev->sys.nr == TSYS_EXECVEAT);
}

/* mmap at sys_exit: the kernel's choice of address becomes a fixed one. */
static void do_mmap_op(struct rstate *st, struct rtask *task, struct rop *op,
		       const uint64_t *a, uint64_t ret)
{
	struct mm_struct *mm = task->img->mm;
	unsigned long flags = a[3];
	struct file *file = NULL;
	long r;

	if (!(flags & MAP_ANONYMOUS)) {
		unsigned long pages = PAGE_ALIGN(a[1]) >> PAGE_SHIFT;

		file = rfiles_get(task->files, a[4]);
		if (!file) {
			st->oom = true;
			return;
		}
		if (file_grow(file, (a[5] >> PAGE_SHIFT) + pages)) {
			not_modelled(st, op, "a file mapping beyond the model's page cache (64 GiB)");
			return;
		}
	}
	if (!(flags & MAP_FIXED))
		flags |= MAP_FIXED_NOREPLACE;
	op->file = file;
	MODEL(op, r = sys_mmap(mm, ret, a[1], a[2], flags, file, a[5] >> PAGE_SHIFT));
	sys_result(st, op, r, ret);
}

static void do_mremap_op(struct rstate *st, struct rtask *task, struct rop *op,
			 const uint64_t *a, uint64_t ret)
{
	unsigned long flags = a[3], new_addr = a[4];
	long r;

	/* Where the kernel moved it, the model moves it too. */
	if ((flags & MREMAP_MAYMOVE) && !(flags & MREMAP_FIXED) && ret != a[0]) {
		flags |= MREMAP_FIXED;
		new_addr = ret;
	}
	MODEL(op, r = sys_mremap(task->img->mm, a[0], a[1], a[2], flags, new_addr));
	sys_result(st, op, r, ret);
}

/*
 * FMODE_* of the file an open call made: its O_ACCMODE bits.  openat2()
 * passes them in a structure the recording does not show, and a memfd
 * is always read-write: both count as read-write.
 */
static unsigned int open_mode(const struct trace *t, const struct tevent *e)
{
	uint64_t flags;

	switch (e->sys.nr) {
	case TSYS_OPEN:
		flags = tev_args(t, e)[1];
		break;
	case TSYS_OPENAT:
		flags = tev_args(t, e)[2];
		break;
	default:
		return FMODE_READ | FMODE_WRITE;
	}
	switch (flags & 3) {
	case 0:
		return FMODE_READ;
	case 1:
		return FMODE_WRITE;
	default:
		return FMODE_READ | FMODE_WRITE;
	}
}

static void do_file_op(struct rstate *st, struct rtask *task, struct rop *op,
		       const uint64_t *a, uint64_t ret)
{
	unsigned long i;
	struct file *f;

	if (!task->files)
		return;
	switch (op->ev->sys.nr) {
	case TSYS_OPEN: case TSYS_OPENAT: case TSYS_OPENAT2:
	case TSYS_MEMFD_CREATE:
		f = file_create("file", 0);
		if (f)
			f->f_mode = open_mode(st->t, op->ev);
		if (!f || rfiles_set(task->files, ret, f))
			st->oom = true;
		if (f)
			fput(f);
		break;
	case TSYS_DUP: case TSYS_DUP2: case TSYS_DUP3:
		if (ret == a[0])
			break;
		f = rfiles_get(task->files, a[0]);
		if (!f || rfiles_set(task->files, ret, f))
			st->oom = true;
		break;
	case TSYS_CLOSE:
		rfiles_set(task->files, a[0], NULL);
		break;
	case TSYS_CLOSE_RANGE:
		/* CLOSE_RANGE_CLOEXEC only marks them. */
		if (a[2] & 4)
			break;
		for (i = a[0]; i <= a[1] && i < task->files->nfd; i++)
			rfiles_set(task->files, i, NULL);
		break;
	}
}

/* The model's side of a system call, at its sys_exit. */
static void sys_apply(struct rstate *st, struct rtask *task, struct rop *op,
		      uint64_t ret)
{
	const uint64_t *a = tev_args(st->t, op->ev);
	struct mm_struct *mm = task->img ? task->img->mm : NULL;
	long r;

	switch (op->ev->sys.nr) {
	case TSYS_OPEN: case TSYS_OPENAT: case TSYS_OPENAT2:
	case TSYS_MEMFD_CREATE: case TSYS_DUP: case TSYS_DUP2: case TSYS_DUP3:
	case TSYS_CLOSE: case TSYS_CLOSE_RANGE:
		if (!is_err(ret))
			do_file_op(st, task, op, a, ret);
		return;
	default:
		break;
	}
	if (!mm)
		return;
	st->res->syscalls++;
	switch (op->ev->sys.nr) {
	case TSYS_MMAP:
		if (!is_err(ret))
			do_mmap_op(st, task, op, a, ret);
		break;
	case TSYS_MUNMAP:
		MODEL(op, r = sys_munmap(mm, a[0], a[1]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MPROTECT:
	case TSYS_PKEY_MPROTECT:
		MODEL(op, r = sys_mprotect(mm, a[0], a[1], a[2]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MREMAP:
		if (!is_err(ret))
			do_mremap_op(st, task, op, a, ret);
		break;
	case TSYS_MADVISE:
		MODEL(op, r = sys_madvise(mm, a[0], a[1], (int)a[2]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_BRK:
		MODEL(op, r = (long)sys_brk(mm, a[0]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MLOCK:
		MODEL(op, r = sys_mlock(mm, a[0], a[1]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MLOCK2:
		MODEL(op, r = sys_mlock2(mm, a[0], a[1], a[2]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MUNLOCK:
		MODEL(op, r = sys_munlock(mm, a[0], a[1]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MLOCKALL:
		MODEL(op, r = sys_mlockall(mm, a[0]));
		sys_result(st, op, r, ret);
		break;
	case TSYS_MUNLOCKALL:
		MODEL(op, r = sys_munlockall(mm));
		sys_result(st, op, r, ret);
		break;
	case TSYS_SHMAT: case TSYS_SHMDT:
		if (!is_err(ret))
			not_modelled(st, op, "System V shared memory");
		break;
	case TSYS_MSEAL:
		if (!is_err(ret))
			not_modelled(st, op, "mseal");
		break;
	case TSYS_PROCESS_MADVISE:
		if (!is_err(ret))
			not_modelled(st, op, "process_madvise");
		break;
	case TSYS_PRCTL:
		if (a[0] == PR_SET_VMA && !is_err(ret))
			not_modelled(st, op, "prctl(PR_SET_VMA): anonymous VMA names");
		break;
	case TSYS_EXECVE: case TSYS_EXECVEAT:
		/*
		 * A failed exec that got as far as building the new mm
		 * (ENOEXEC: a script without #!) allocated and freed its
		 * stack's anon_vma; the recording does not show how far.
		 */
		if (is_err(ret) && !rcounts_empty(&op->kernel))
			not_modelled(st, op, "an exec that failed after building its mm");
		break;
	default:
		break;
	}
}

static void on_fault(struct rstate *st, struct rtask *task,
		     const struct tevent *e)
{
	struct replay_event re = { .kind = REPLAY_EV_FAULT, .ev = e };
	struct rop *op = &task->op;
	uint64_t token = e->fault.addr;
	struct vm_area_struct *vma;
	vm_fault_t ret;

	if (e->fault.addr >= USER_TOP)
		return;
	/*
	 * exec's own writes to the new image (the stack's strings and
	 * auxiliary vector, the zeroed end of the data segments) fault on
	 * an mm the replay builds only at the exec event, from the
	 * snapshot that already shows their result.
	 */
	if (op_is_exec(&task->op))
		return;
	/* A fault inside a system call is part of that call's operation. */
	if (e->kind == TEV_FAULT_USER || op->kind != ROP_SYSCALL)
		op_open(st, task, ROP_FAULT, e);
	if (!task->img || !task->img->mm)
		return;
	st->res->faults++;
	/*
	 * vdso and vvar are special mappings with a fault handler of their
	 * own (no anonymous memory, no anon_vma); the model has no vm_ops
	 * and would take them for anonymous VMAs.
	 */
	vma = vma_lookup(task->img->mm, e->fault.addr);
	if (vma && vmflags_special(vma->vm_flags))
		return;
	/*
	 * A fault the model refuses (SIGSEGV, SIGBUS) may be one the kernel
	 * refused too: a program can catch the signal.  Only the counts
	 * tell; the refusals are counted for the report.
	 */
	re.anon = vma && vma_is_anonymous(vma);
	MODEL(op, ret = access_page(task->img->mm, e->fault.addr & PAGE_MASK,
				    e->fault.err & 2, &token));
	re.ret = ret;
	replay_emit(st, &re, task->img, task->tid);
	if (ret & VM_FAULT_ERROR)
		st->res->faults_refused++;
}

/* task_newtask: the child exists; fork the image unless it shares it. */
static void on_newtask(struct rstate *st, struct rtask *parent,
		       const struct tevent *e)
{
	uint64_t flags = e->task.flags;
	struct rimage *img = parent->img;
	struct rfiles *files;
	struct rtask *child, *old;
	int tgid = flags & CLONE_THREAD ? parent->tgid : e->task.pid;

	old = rtask_find(st, e->task.pid);
	if (old)
		op_close(st, old);
	if (!(flags & CLONE_VM)) {
		struct mm_struct *mm = NULL;
		char name[48];

		st->res->forks++;
		if (img && img->mm) {
			int err = 0;

			MODEL(&parent->op, mm = dup_mm(img->mm, &err));
			if (!mm) {
				replay_note_diff(st, &parent->op, "fork fails on the model (%d)", err);
				parent->op.uncomparable = true;
			}
		}
		snprintf(name, sizeof(name), "fork of %d",
			 img ? st->res->images[img->idx].id : 0);
		img = rimage_new(st, mm, e->task.pid, name);
		if (!img) {
			if (mm)
				mmput(mm);
			return;
		}
		img->users = 0;
		if (st->opts->event) {
			struct replay_event re = {
				.kind = REPLAY_EV_FORK, .ev = e,
				.child = st->res->images[img->idx].id,
			};

			replay_emit(st, &re, parent->img, parent->tid);
		}
	}
	files = flags & CLONE_FILES ? parent->files : rfiles_dup(parent->files);
	if (!files) {
		st->oom = true;
		return;
	}
	child = rtask_new(st, e->task.pid, tgid, img, files);
	if (!(flags & CLONE_FILES))
		rfiles_put(files);
	(void)child;
}

/* @task leaves its image: tell the observer when it is the last user. */
static void emit_end(struct rstate *st, const struct rtask *task)
{
	struct replay_event re = { .kind = REPLAY_EV_END };

	if (task->img && task->img->users == 1)
		replay_emit(st, &re, task->img, task->tid);
}

/* sched_process_exec: the old image is left; the new one waits for its snapshot. */
static void on_exec(struct rstate *st, struct rtask *task,
		    const struct tevent *e)
{
	struct mm_struct *mm;

	if (e->task.old_pid != e->task.pid) {
		/* A non-leader thread exec'd: it takes the leader's tid. */
		u64map_del(&st->tasks, (uint64_t)task->tid);
		task->tid = e->task.pid;
		if (u64map_put(&st->tasks, (uint64_t)task->tid, (uintptr_t)task))
			st->oom = true;
	}
	st->res->execs++;
	emit_end(st, task);
	MODEL(&task->op, rimage_put(st, task->img));
	task->img = NULL;
	mm = mm_alloc();
	if (!mm) {
		st->oom = true;
		return;
	}
	task->img = rimage_new(st, mm, task->tgid, "exec");
	if (!task->img) {
		mmput(mm);
		return;
	}
	task->img->users = 1;
	task->op.img = task->img;
}

static void on_snapshot(struct rstate *st, const struct tevent *e)
{
	const struct tsnap *s = &st->t->snaps[e->snap];
	struct rtask *task = rtask_find(st, s->tid);
	struct replay_result *res = st->res;
	struct replay_image *ri;
	char why[512];

	if (!task || !task->img || !task->img->mm)
		return;
	ri = &res->images[task->img->idx];
	if (s->exec) {
		const char *path = s->nvmas ? NULL : "";
		uint32_t i;

		/* Name the image after the first file it maps: the program. */
		for (i = 0; i < s->nvmas && !path; i++)
			if (s->vmas[i].path >= 0 && s->vmas[i].inode)
				path = tsnap_path(s, &s->vmas[i]);
		if (path && *path) {
			const char *base = strrchr(path, '/');

			snprintf(ri->name, sizeof(ri->name), "%s", base ? base + 1 : path);
		}
		MODEL(&task->op, layout_install(st, task->img, s, &task->op));
		if (st->opts->event) {
			struct replay_event re = { .kind = REPLAY_EV_LAYOUT, .snap = s };

			replay_emit(st, &re, task->img, task->tid);
		}
		return;
	}
	/* Only a layout no other task can be changing meanwhile is compared. */
	if (task->img->users != 1 || !ri->known)
		return;
	res->layouts++;
	if (layout_compare(task->img, s, why, sizeof(why))) {
		ri->layout = 1;
	} else {
		struct rop op = { .kind = ROP_EXIT, .ev = e, .img = task->img };

		ri->layout = -1;
		if (res->compared) {
			res->layouts_differ++;
			replay_note_diff(st, &op, "layout at exit: %s", why);
		}
	}
}

static void on_exit_task(struct rstate *st, struct rtask *task,
			 const struct tevent *e)
{
	bool in_exit_call = task->op.kind == ROP_SYSCALL &&
		(task->op.ev->sys.nr == TSYS_EXIT ||
		 task->op.ev->sys.nr == TSYS_EXIT_GROUP);

	if (!in_exit_call)
		op_open(st, task, ROP_EXIT, e);
	st->res->exits++;
	emit_end(st, task);
	MODEL(&task->op, rimage_put(st, task->img));
	task->img = NULL;
	rfiles_put(task->files);
	task->files = NULL;
}

/* Marks an object allocated by an image the replay does not know. */
#define OBJ_FOREIGN 0x100

static void on_kmem(struct rstate *st, struct rtask *task,
		    const struct tevent *e)
{
	struct rcounts *c;
	uint64_t v;

	if (e->kmem.site == TKMEM_NOT_RMAP)
		return;
	if (e->kind == TEV_KMEM_ALLOC) {
		/*
		 * An object of an image the replay does not know (the
		 * recorder's copy before the first exec) is as foreign as
		 * one allocated before the recording: remember it as such.
		 */
		bool foreign = (!task->img || !task->img->mm) &&
			       !op_is_exec(&task->op);

		if (u64map_put(&st->objs, e->kmem.ptr,
			       e->kmem.obj | (foreign ? OBJ_FOREIGN : 0)))
			st->oom = true;
		if (foreign)
			return;
	} else if (!u64map_get(&st->objs, e->kmem.ptr, &v) || (v & OBJ_FOREIGN)) {
		st->res->pretrace_frees++;
		u64map_del(&st->objs, e->kmem.ptr);
		return;
	} else {
		u64map_del(&st->objs, e->kmem.ptr);
	}
	if (task->op.kind == ROP_NONE)
		op_open(st, task, ROP_STRAY, e);
	c = &task->op.kernel;
	if (e->kind == TEV_KMEM_ALLOC)
		c->alloc[e->kmem.obj][e->kmem.site]++;
	else
		c->free[e->kmem.obj][e->kmem.site]++;
}

static void on_event(struct rstate *st, const struct tevent *e)
{
	struct rtask *task = rtask_find(st, e->tid);

	if (e->kind == TEV_SNAPSHOT) {
		on_snapshot(st, e);
		return;
	}
	if (e->kind == TEV_MARKER || e->kind == TEV_FORK)
		return;
	if (!task) {
		/* The command's first task, or one born before the recording. */
		struct rimage *img = rimage_new(st, NULL, e->tgid > 0 ? e->tgid : e->tid,
						"before exec");
		struct rfiles *files = rfiles_new();

		task = img && files ? rtask_new(st, e->tid, e->tgid > 0 ? e->tgid : e->tid,
						img, files) : NULL;
		if (files)
			rfiles_put(files);
		if (!task)
			return;
	}
	switch (e->kind) {
	case TEV_KMEM_ALLOC:
	case TEV_KMEM_FREE:
		on_kmem(st, task, e);
		break;
	case TEV_SYS_ENTER:
		op_open(st, task, ROP_SYSCALL, e);
		break;
	case TEV_SYS_EXIT:
		if (task->op.kind == ROP_SYSCALL && task->op.ev->sys.nr == e->sys.nr) {
			task->op.ret = tev_args(st->t, e)[0];
			sys_apply(st, task, &task->op, task->op.ret);
		}
		/* else: a child's return from clone, or an exit before the recording */
		op_close(st, task);
		break;
	case TEV_FAULT_USER:
	case TEV_FAULT_KERNEL:
		on_fault(st, task, e);
		break;
	case TEV_NEWTASK:
		on_newtask(st, task, e);
		break;
	case TEV_EXEC:
		on_exec(st, task, e);
		break;
	case TEV_EXIT:
		on_exit_task(st, task, e);
		break;
	default:
		break;
	}
}

static void progress(struct rstate *st, size_t i, bool last)
{
	if (!st->opts->progress)
		return;
	fprintf(st->opts->progress, "\r%s: %zu of %zu events, %zu images%s",
		design_name(st->opts->design), i, st->t->nev, st->res->nimages,
		last ? "\n" : "");
	fflush(st->opts->progress);
}

/** replay_run() - see replay.h. */
int replay_run(const struct trace *t, const struct replay_opts *opts,
	       struct replay_result *res)
{
	struct rstate st = { .t = t, .opts = opts, .res = res };
	struct timespec t0, t1;
	unsigned long live;
	size_t i;
	int o;

	memset(res, 0, sizeof(*res));
	res->design = opts->design;
	res->compared = opts->design == DESIGN_V6_18;
	if (anonvma_init(opts->design)) {
		replay_note_diff(&st, NULL, "the model cannot be set up");
		return -1;
	}
	mm_set_zero_page_forbidden(t->no_zero_page);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < t->nev && !st.oom; i++) {
		on_event(&st, &t->ev[i]);
		if (!(i & 0xffff))
			progress(&st, i, false);
	}
	progress(&st, i, true);
	for (i = 0; i < st.ntasks; i++)
		op_close(&st, st.alltasks[i]);
	maybe_check(&st, true);
	for (o = 0; o < NR_SCN_OBJECTS; o++) {
		unsigned long a[NR_OBS_SITES], f[NR_OBS_SITES];

		obs_model_counters((enum scn_object)o, a, f, &live,
				   &res->peak[o]);
		res->model_live_end[o] = live;
	}
	/* Kernel objects allocated while recording and still allocated. */
	for (i = 0; i < st.objs.cap; i++)
		if (st.objs.used[i] && !(st.objs.vals[i] & OBJ_FOREIGN))
			res->kernel_unfreed[st.objs.vals[i]]++;
	replay_teardown(&st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	res->leaks = anonvma_exit(NULL);
	mm_set_zero_page_forbidden(false);
	if (st.oom) {
		replay_note_diff(&st, NULL, "out of memory: the replay stopped early");
		return -1;
	}
	return 0;
}

/** replay_result_free() - see replay.h. */
void replay_result_free(struct replay_result *res)
{
	free(res->images);
	res->images = NULL;
	res->nimages = 0;
}

/** replay_agrees() - see replay.h. */
bool replay_agrees(const struct replay_result *res)
{
	return res->compared && !res->ndiffs_total && !res->violations &&
	       !res->leaks &&
	       !res->ops_differ && !res->layouts_differ;
}
