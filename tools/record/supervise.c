/* SPDX-License-Identifier: MIT */
/*
 * The ptrace supervisor: follows the command and every task it creates
 * and stops them only where the trace cannot see what happens.
 *
 * The syscalls and faults are in the trace, but execve sets up a whole
 * address space (the program's and ld.so's segments, the stack with
 * argv written by the kernel without a fault, vdso/vvar, the brk base)
 * that no event describes: at each PTRACE_EVENT_EXEC the new image is
 * snapshotted before it runs an instruction, and at each
 * PTRACE_EVENT_EXIT the layout the task leaves (before exit_mm()).
 * Each snapshot gets a trace_marker line so that replay knows where it
 * belongs in time.  Tasks are never stopped on syscalls (no
 * PTRACE_SYSCALL): only at fork/vfork/clone/exec/exit events, signals
 * and group stops, which are passed on unchanged.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record.h"

/* Tasks that had their first stop: any later PTRACE_EVENT_STOP is a group stop. */
struct tidset {
	unsigned long *bits;
	unsigned long max;
};

static int tidset_init(struct tidset *t)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	unsigned long max = 4194304;	/* PID_MAX_LIMIT on 64-bit */

	if (f) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 4194304;
		fclose(f);
	}
	t->max = max + 1;
	t->bits = calloc(t->max / 64 + 1, sizeof(*t->bits));
	return t->bits ? 0 : -1;
}

static bool tidset_test(const struct tidset *t, pid_t tid)
{
	unsigned long i = (unsigned long)tid;

	return i < t->max && (t->bits[i / 64] >> (i % 64) & 1);
}

static void tidset_set(struct tidset *t, pid_t tid, bool on)
{
	unsigned long i = (unsigned long)tid;

	if (i >= t->max)
		return;
	if (on)
		t->bits[i / 64] |= 1UL << (i % 64);
	else
		t->bits[i / 64] &= ~(1UL << (i % 64));
}

/* ---- signals for the command ------------------------------------------------ */

static volatile sig_atomic_t forward_to, pending;

/* SIGINT, SIGTERM...: for the command; recording ends when it has gone. */
static void forward_signal(int sig)
{
	pending = sig;
	if (forward_to > 0)
		kill(forward_to, sig);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/** rec_signals() - see record.h. */
void rec_signals(bool on)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? forward_signal : SIG_DFL;
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
}

/** rec_signals_target() - see record.h. */
void rec_signals_target(pid_t pid)
{
	forward_to = pid;
}

/** rec_signal_pending() - see record.h. */
int rec_signal_pending(void)
{
	return pending;
}

/* After the command has gone: the signal is for what it left running. */
static void signal_all(const struct tidset *t, int sig)
{
	unsigned long w, b;

	for (w = 0; w <= t->max / 64; w++)
		for (b = 0; t->bits[w] >> b; b++)
			if (t->bits[w] >> b & 1)
				kill((pid_t)(w * 64 + b), sig);
}

/* ---- the supervisor -------------------------------------------------------- */

/* Snapshot @tid; store it under the next N and mark it in the trace. */
static void snapshot(struct rec_session *s, pid_t tid, bool exec)
{
	struct rec_buf b = { 0 };
	long n = s->nsnaps;
	char text[64];
	char **ns;
	int len;

	/* The task can vanish (SIGKILL) between its stop and now: no block. */
	if (rec_snapshot_take(&b, n, exec, tid, s->zero_pfn)) {
		rec_buf_free(&b);
		return;
	}
	ns = realloc(s->snaps, (size_t)(n + 1) * sizeof(*ns));
	if (!ns) {
		rec_buf_free(&b);
		return;
	}
	if (!s->snaps)
		ns[0] = NULL;	/* numbers start at 1 */
	s->snaps = ns;
	s->snaps[n] = NULL;
	s->nsnaps = n + 1;
	len = snprintf(text, sizeof(text), REC_SNAPSHOT_MARKER "%ld", n);
	/* Without its marker line a block would have no place in the file. */
	if (write(s->marker_fd, text, (size_t)len) != len) {
		rec_buf_free(&b);
		return;
	}
	s->snaps[n] = b.p;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Resume @tid, delivering @sig; a task that died meanwhile is no error. */
static void resume(pid_t tid, int sig)
{
	ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
}

static void on_stop(struct rec_session *s, struct tidset *seen, pid_t tid,
		    int status)
{
	int sig = WSTOPSIG(status), event = (unsigned int)status >> 16;
	unsigned long msg = 0;

	if (!tidset_test(seen, tid)) {
		tidset_set(seen, tid, true);
		/* A new task's first stop, the one PTRACE_SEIZE's auto-attach makes. */
		if (event == PTRACE_EVENT_STOP) {
			resume(tid, 0);
			return;
		}
	}
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		atomic_fetch_add(&s->processes, 1);
		resume(tid, 0);
		break;
	case PTRACE_EVENT_CLONE:
		atomic_fetch_add(&s->threads, 1);
		resume(tid, 0);
		break;
	case PTRACE_EVENT_EXEC:
		/* A non-leader thread that execs takes the leader's tid. */
		if (!ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg) &&
		    (pid_t)msg != tid)
			tidset_set(seen, (pid_t)msg, false);
		snapshot(s, tid, true);
		resume(tid, 0);
		break;
	case PTRACE_EVENT_EXIT:
		snapshot(s, tid, false);
		resume(tid, 0);
		break;
	case PTRACE_EVENT_STOP:
		/*
		 * A group stop reports its stopping signal: stay stopped but
		 * let SIGCONT and signals through.  Otherwise it is the trap
		 * that ends a listened-to group stop.
		 */
		if (is_stop_signal(sig))
			ptrace(PTRACE_LISTEN, tid, NULL, NULL);
		else
			resume(tid, 0);
		break;
	default:
		/* A signal on its way to the task: deliver it. */
		resume(tid, sig);
		break;
	}
}

/** rec_supervise() - see record.h. */
int rec_supervise(struct rec_session *s)
{
	bool root_gone = false;
	struct tidset seen;
	int ret = 1;

	if (tidset_init(&seen)) {
		fputs("anonvma record: out of memory\n", stderr);
		abort();
	}
	/* PTRACE_SEIZE does not stop the command: it has no first stop. */
	tidset_set(&seen, s->root_pid, true);
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0 && errno == EINTR) {
			/* A signal for the command, forwarded (or for its leftovers). */
			if (root_gone && pending) {
				signal_all(&seen, pending);
				pending = 0;
			}
			continue;
		}
		if (tid < 0) {
			/* ECHILD: the command and all its descendants are gone. */
			if (errno != ECHILD)
				perror("anonvma record: waitpid");
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			tidset_set(&seen, tid, false);
			if (tid == s->root_pid) {
				ret = WIFEXITED(status) ? WEXITSTATUS(status) :
				      128 + WTERMSIG(status);
				root_gone = true;
				forward_to = 0;
				if (pending)
					signal_all(&seen, pending);
				pending = 0;
			}
			continue;
		}
		if (WIFSTOPPED(status))
			on_stop(s, &seen, tid, status);
	}
	free(seen.bits);
	return ret;
}
