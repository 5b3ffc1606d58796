/* SPDX-License-Identifier: MIT */
/*
 * The driven processes of a kernel run: one real process per scenario
 * process, driven one step at a time.
 *
 * The driver forks a zygote first; the zygote forks a new root process
 * for every `proc` step, and each process forks its own children for the
 * `fork` steps, so the fork tree is the scenario's.  All of them are
 * forked from the zygote's address space, which does not change between
 * the observed pass and the control pass, so that the baseline (the
 * anon_vmas of each process's own stack, data and libraries) is the same
 * in both.  Before anything runs, the zygote gives every writable
 * private VMA of its own an anon_vma (it touches one page of each): no
 * step can then create one outside the window by accident.
 *
 * Commands go through a MAP_SHARED mailbox (no anon_vma, nothing to copy
 * at fork); a byte on the process's own pipe wakes it, and it answers
 * with its index on the common reply pipe.  The driver holds the only
 * write end of every command pipe, so if the driver dies every process
 * reads EOF and exits: a crashed run leaves no process behind.
 *
 * The driven processes never allocate memory or use stdio; loads and
 * stores that fault are caught (sigsetjmp) and reported as SIGSEGV or
 * SIGBUS, as the model reports them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../scenario/ops.h"
#include "kernel_internal.h"

#ifndef PR_SET_THP_DISABLE
#define PR_SET_THP_DISABLE 41
#endif

/* ---- the driven side ------------------------------------------------------ */

static struct kmbox *kw_mbox;
static int *kw_cmd;		/* per process: read end of its command pipe */
static int kw_rep = -1;		/* write end of the reply pipe */
static int kw_zcmd = -1;	/* read end of the zygote's command pipe */

static void kw_fault(int sig)
{
	if (ksys_in_access) {
		ksys_in_access = 0;
		siglongjmp(ksys_jb, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void kw_reply(int me)
{
	int32_t v = me;

	if (write(kw_rep, &v, sizeof(v)) != sizeof(v))
		_exit(3);
}

/* A command the mailbox carries: the operation's system call. */
static void kw_do(struct kmbox *m)
{
	const struct scn_op_desc *d = (unsigned int)m->call < NR_SCN_OPS ?
				      scn_op((enum scn_op)m->call) : NULL;

	m->result = SCN_OK;
	m->done = 0;
	if (m->op == KOP_CALL && d && d->kcall)
		d->kcall(m);
	else
		m->result = EINVAL;
}

static __attribute__((noreturn)) void kw_loop(int me)
{
	struct kmbox *m = kw_mbox;

	for (;;) {
		ssize_t r;
		char c;
		pid_t pid;
		int child;

		r = read(kw_cmd[me], &c, 1);
		if (r == 0)
			_exit(0);	/* the driver is gone */
		if (r < 0) {
			if (errno == EINTR)
				continue;
			_exit(3);
		}
		switch (m->op) {
		case KOP_EXIT:
			_exit(0);
		case KOP_FORK:
			child = m->child;
			pid = fork();
			if (pid == 0) {
				me = child;
				kw_reply(me);	/* ready */
				continue;
			}
			m->pid = pid;
			m->result = pid < 0 ? errno : SCN_OK;
			break;
		default:
			kw_do(m);
			break;
		}
		kw_reply(me);
	}
}

/*
 * Touch one byte of a VMA (a store of the byte that is there).  Any
 * VMA: a sanitizer's redzone or shadow too, so not instrumented.
 */
static __attribute__((no_sanitize("address", "thread", "undefined")))
void kw_touch(unsigned long addr)
{
	volatile char *p = (volatile char *)addr;

	if (sigsetjmp(ksys_jb, 1))
		return;
	ksys_in_access = 1;
	*p = *p;
	ksys_in_access = 0;
}

/*
 * Give every writable private VMA of the zygote an anon_vma, so that no
 * step of a driven process can create one outside the window.
 */
static void kw_prepare_baseline(unsigned long wlo, unsigned long whi)
{
	char buf[8192], line[512];
	size_t ll = 0;
	ssize_t r, i;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < r; i++) {
			struct kmaps_line ml;

			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (kparse_maps_line(line, &ml) || strcmp(ml.perms, "rw-p"))
				continue;
			if (ml.end > wlo && ml.start < whi)
				continue;
			kw_touch(ml.start);
		}
	}
	close(fd);
}

static __attribute__((noreturn)) void zygote_main(struct kfleet *f,
						  unsigned long wlo,
						  unsigned long whi)
{
	char stack_warm[128 << 10];
	struct sigaction sa;
	int me;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ktrace_forget();
	/* No transparent huge pages (of any size): small folios only. */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kw_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/*
	 * Children are reaped by the kernel; the driver waits on pidfds.  A
	 * process whose parent exits first is reparented to the zygote (a
	 * subreaper), which ignores SIGCHLD too: no zombie is left for init.
	 */
	signal(SIGCHLD, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGPIPE, SIG_DFL);
	/* Grow the stack now rather than during a step. */
	memset(stack_warm, 1, sizeof(stack_warm));
	__asm__ volatile("" : : "r"(stack_warm) : "memory");
	kw_prepare_baseline(wlo, whi);
	kw_reply(-1);		/* ready */

	for (;;) {
		struct kmbox *m = kw_mbox;
		ssize_t r;
		pid_t pid;
		char c;

		r = read(kw_zcmd, &c, 1);
		if (r == 0)
			_exit(0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			_exit(3);
		}
		if (m->op != KOP_SPAWN) {
			m->result = EINVAL;
			kw_reply(-1);
			continue;
		}
		me = m->child;
		pid = fork();
		if (pid == 0) {
			kw_reply(me);	/* ready */
			kw_loop(me);
		}
		m->pid = pid;
		m->result = pid < 0 ? errno : SCN_OK;
		kw_reply(-1);
	}
	(void)f;
}

/* ---- the driver's side ------------------------------------------------------ */

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Slot of reply index @v (-1 is the zygote) in f->pending. */
static int slot_of(const struct kfleet *f, int v)
{
	return v < 0 ? f->nprocs : v;
}

/*
 * Wait until the reply pipe has brought every index in @want (@n of
 * them; -1 is the zygote), watching @watch (a pidfd, or -1) for the
 * death of the process that should answer.  A reply that comes before
 * it is waited for (a fork child can answer before its parent) is kept
 * in f->pending.
 */
static int wait_replies(struct kfleet *f, const int *want, int n, int watch,
			const char *what, char *err, size_t en)
{
	bool got[2] = { false, false };
	int left = n, i;

	for (i = 0; i < n; i++)
		if (f->pending[slot_of(f, want[i])]) {
			f->pending[slot_of(f, want[i])]--;
			got[i] = true;
			left--;
		}
	while (left) {
		struct pollfd pf[2] = {
			{ .fd = f->rep, .events = POLLIN },
			{ .fd = watch, .events = POLLIN },
		};
		int32_t v;
		int r;

		r = poll(pf, watch >= 0 ? 2 : 1, f->timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, en, "%s: no answer after %d ms", what,
				 f->timeout_ms);
			return -1;
		}
		if (!(pf[0].revents & POLLIN)) {
			snprintf(err, en, "%s: the process died", what);
			return -1;
		}
		if (read(f->rep, &v, sizeof(v)) != sizeof(v)) {
			snprintf(err, en, "%s: reply pipe: %s", what, strerror(errno));
			return -1;
		}
		if (v < -1 || v >= f->nprocs) {
			snprintf(err, en, "%s: reply from unknown process %d", what,
				 (int)v);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (want[i] == v && !got[i]) {
				got[i] = true;
				left--;
				break;
			}
		if (i == n)
			f->pending[slot_of(f, v)]++;
	}
	return 0;
}

static int poke(int fd, const char *what, char *err, size_t en)
{
	char c = 1;

	if (write(fd, &c, 1) == 1)
		return 0;
	snprintf(err, en, "%s: command pipe: %s", what, strerror(errno));
	return -1;
}

/** kfleet_start() - see kernel_internal.h. */
int kfleet_start(struct kfleet *f, const struct scenario *s, int cpu,
		 char *err, size_t n)
{
	unsigned long wlo = s->base, whi = s->base + s->pages * KPAGE_SIZE;
	int *rd, rep[2], zcmd[2], i, want = -1;
	cpu_set_t cs;

	memset(f, 0, sizeof(*f));
	f->nprocs = s->nprocs;
	f->timeout_ms = 30000;
	f->rep = f->zcmd = f->zygote_pidfd = -1;
	f->mbox_size = (sizeof(struct kmbox) + (s->pages + 1) * sizeof(uint64_t) +
			KPAGE_SIZE - 1) & ~(KPAGE_SIZE - 1);
	f->mbox = mmap(NULL, f->mbox_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	f->cmd = calloc((size_t)s->nprocs + 1, sizeof(*f->cmd));
	f->pid = calloc((size_t)s->nprocs + 1, sizeof(*f->pid));
	f->pidfd = calloc((size_t)s->nprocs + 1, sizeof(*f->pidfd));
	f->pending = calloc((size_t)s->nprocs + 1, sizeof(*f->pending));
	rd = calloc((size_t)s->nprocs + 1, sizeof(*rd));
	if (f->mbox == MAP_FAILED || !f->cmd || !f->pid || !f->pidfd ||
	    !f->pending || !rd) {
		snprintf(err, n, "out of memory");
		f->mbox = NULL;
		free(rd);
		kfleet_stop(f);
		return -1;
	}
	for (i = 0; i < s->nprocs; i++) {
		int p[2];

		f->pidfd[i] = -1;
		if (pipe(p)) {
			snprintf(err, n, "pipe: %s (%d processes)", strerror(errno),
				 s->nprocs);
			f->nprocs = i;
			free(rd);
			kfleet_stop(f);
			return -1;
		}
		rd[i] = p[0];
		f->cmd[i] = p[1];
	}
	if (pipe(rep) || pipe(zcmd)) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		free(rd);
		kfleet_stop(f);
		return -1;
	}
	CPU_ZERO(&cs);
	CPU_SET(cpu, &cs);
	kw_mbox = f->mbox;
	kw_cmd = rd;
	f->zygote = fork();
	if (f->zygote == 0) {
		/* Keep the read ends of the commands, the write end of replies. */
		for (i = 0; i < s->nprocs; i++)
			close(f->cmd[i]);
		close(rep[0]);
		close(zcmd[1]);
		kw_rep = rep[1];
		kw_zcmd = zcmd[0];
		if (sched_setaffinity(0, sizeof(cs), &cs))
			_exit(4);
		zygote_main(f, wlo, whi);
	}
	for (i = 0; i < s->nprocs; i++)
		close(rd[i]);
	free(rd);
	kw_cmd = NULL;
	close(rep[1]);
	close(zcmd[0]);
	f->rep = rep[0];
	f->zcmd = zcmd[1];
	if (f->zygote < 0) {
		snprintf(err, n, "fork: %s", strerror(errno));
		kfleet_stop(f);
		return -1;
	}
	f->zygote_pidfd = pidfd_open_(f->zygote);
	if (wait_replies(f, &want, 1, f->zygote_pidfd, "starting the zygote",
			 err, n)) {
		kfleet_stop(f);
		return -1;
	}
	return 0;
}

static int add_pass_pid(struct kfleet *f, pid_t pid, char *err, size_t n)
{
	if (f->npass_pids == f->cap_pass_pids) {
		int cap = f->cap_pass_pids ? f->cap_pass_pids * 2 : 16;
		pid_t *np = realloc(f->pass_pids, sizeof(*np) * (size_t)cap);

		if (!np) {
			snprintf(err, n, "out of memory");
			return -1;
		}
		f->pass_pids = np;
		f->cap_pass_pids = cap;
	}
	f->pass_pids[f->npass_pids++] = pid;
	return 0;
}

/** kfleet_pass_reset() - see kernel_internal.h. */
int kfleet_pass_reset(struct kfleet *f, char *err, size_t n)
{
	f->npass_pids = 0;
	return add_pass_pid(f, f->zygote, err, n);
}

/** kfleet_spawn() - see kernel_internal.h. */
int kfleet_spawn(struct kfleet *f, int proc, char *err, size_t n)
{
	int want[2] = { -1, proc };

	f->mbox->op = KOP_SPAWN;
	f->mbox->child = proc;
	f->mbox->result = -1;
	if (poke(f->zcmd, "proc", err, n) ||
	    wait_replies(f, want, 2, f->zygote_pidfd, "proc", err, n))
		return -1;
	if (f->mbox->result) {
		snprintf(err, n, "proc: fork: %s", strerror(f->mbox->result));
		return -1;
	}
	f->pid[proc] = (pid_t)f->mbox->pid;
	f->pidfd[proc] = pidfd_open_(f->pid[proc]);
	if (f->pidfd[proc] < 0) {
		snprintf(err, n, "pidfd_open: %s", strerror(errno));
		return -1;
	}
	return add_pass_pid(f, f->pid[proc], err, n);
}

/** kfleet_call() - see kernel_internal.h. */
int kfleet_call(struct kfleet *f, int proc, char *err, size_t n)
{
	if (poke(f->cmd[proc], "step", err, n))
		return -1;
	return wait_replies(f, &proc, 1, f->pidfd[proc], "step", err, n);
}

/** kfleet_fork() - see kernel_internal.h. */
int kfleet_fork(struct kfleet *f, int parent, int child, char *err, size_t n)
{
	int want[2] = { parent, child };

	f->mbox->op = KOP_FORK;
	f->mbox->child = child;
	f->mbox->pid = 0;
	if (poke(f->cmd[parent], "fork", err, n))
		return -1;
	/*
	 * The parent answers after fork(); the child as soon as it runs.
	 * Wait for both (when the fork worked), so that the new process is
	 * quiet before anything is observed.
	 */
	if (wait_replies(f, want, 1, f->pidfd[parent], "fork", err, n))
		return -1;
	if (f->mbox->result)
		return 0;
	if (wait_replies(f, &want[1], 1, -1, "fork (child)", err, n))
		return -1;
	f->pid[child] = (pid_t)f->mbox->pid;
	f->pidfd[child] = pidfd_open_(f->pid[child]);
	if (f->pidfd[child] < 0) {
		snprintf(err, n, "pidfd_open: %s", strerror(errno));
		return -1;
	}
	return add_pass_pid(f, f->pid[child], err, n);
}

/** kfleet_exit() - see kernel_internal.h. */
int kfleet_exit(struct kfleet *f, int proc, char *err, size_t n)
{
	struct pollfd pf = { .fd = f->pidfd[proc], .events = POLLIN };
	int r;

	f->mbox->op = KOP_EXIT;
	if (poke(f->cmd[proc], "exit", err, n))
		return -1;
	/*
	 * The pidfd becomes readable in exit_notify(), after exit_mm() has
	 * torn the address space down: every free of the exit is done.
	 */
	do
		r = poll(&pf, 1, f->timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		snprintf(err, n, "exit: the process did not exit");
		return -1;
	}
	close(f->pidfd[proc]);
	f->pidfd[proc] = -1;
	f->pid[proc] = 0;
	return 0;
}

/** kfleet_stop() - see kernel_internal.h. */
void kfleet_stop(struct kfleet *f)
{
	char err[128];
	int i;

	for (i = 0; i < f->nprocs; i++) {
		if (f->pid && f->pid[i] && f->pidfd[i] >= 0 &&
		    kfleet_exit(f, i, err, sizeof(err)))
			kill(f->pid[i], SIGKILL);
		if (f->pidfd && f->pidfd[i] >= 0)
			close(f->pidfd[i]);
		if (f->cmd && f->cmd[i] > 0)
			close(f->cmd[i]);
	}
	if (f->zcmd >= 0)
		close(f->zcmd);		/* the zygote reads EOF and exits */
	if (f->zygote > 0) {
		int st;

		if (waitpid(f->zygote, &st, 0) < 0 && errno != ECHILD)
			kill(f->zygote, SIGKILL);
	}
	if (f->zygote_pidfd >= 0)
		close(f->zygote_pidfd);
	if (f->rep >= 0)
		close(f->rep);
	if (f->mbox)
		munmap(f->mbox, f->mbox_size);
	free(f->cmd);
	free(f->pid);
	free(f->pidfd);
	free(f->pending);
	free(f->pass_pids);
	memset(f, 0, sizeof(*f));
	f->rep = f->zcmd = f->zygote_pidfd = -1;
}
