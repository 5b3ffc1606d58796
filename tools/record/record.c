/* SPDX-License-Identifier: MIT */
/*
 * `anonvma record`: the driver.  Sets up a private ftrace instance
 * "anonvma-rec-<pid>" that traces only the command and what it forks
 * (set_event_pid written before the command execs, event-fork), starts
 * the reader of trace_pipe and the ptrace supervisor, and at the end
 * checks the per-CPU loss counters and writes the file.  The top-level
 * instance is never touched; ours is removed on every exit path
 * (SIGINT and SIGTERM are forwarded to the command, and recording goes
 * on until it has gone).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record.h"

#define INSTANCE_PREFIX	"anonvma-rec-"
#define FILTER		"name == \"anon_vma\" || name == \"anon_vma_chain\""

/* The syscalls whose entry and exit are recorded (missing ones are listed). */
static const char *const syscalls[] = {
	"mmap", "munmap", "mprotect", "pkey_mprotect", "mremap", "madvise",
	"process_madvise", "brk", "clone", "clone3", "fork", "vfork", "execve",
	"execveat", "exit", "exit_group", "mlock", "mlock2", "munlock",
	"mlockall", "munlockall", "shmat", "shmdt", "prctl", "mseal", "open",
	"openat", "openat2", "memfd_create", "dup", "dup2", "dup3", "close",
	"close_range",
};

/* The events without which there is nothing to replay. */
static const char *const required[] = {
	"exceptions/page_fault_user", "exceptions/page_fault_kernel",
	"sched/sched_process_fork", "sched/sched_process_exec",
	"sched/sched_process_exit", "task/task_newtask",
	"kmem/kmem_cache_alloc", "kmem/kmem_cache_free",
};

static bool exists(const char *root, const char *rel)
{
	char path[700];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/events/%s", root, rel);
	return !stat(path, &sb);
}

/* The tracepoints: the required ones, and which syscalls are missing. */
static int check_events(struct rec_session *s, const char *root, char *why,
			size_t n)
{
	size_t i, have = 0;
	char rel[128];

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!exists(root, required[i])) {
			snprintf(why, n, "no %s tracepoint in %s/events", required[i], root);
			return -1;
		}
	s->missing[0] = '\0';
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		const char *dir[2] = { "enter", "exit" };
		int d;

		for (d = 0; d < 2; d++) {
			snprintf(rel, sizeof(rel), "syscalls/sys_%s_%s", dir[d], syscalls[i]);
			if (exists(root, rel)) {
				have++;
				continue;
			}
			snprintf(s->missing + strlen(s->missing),
				 sizeof(s->missing) - strlen(s->missing), "%s%s",
				 s->missing[0] ? "," : "", rel + strlen("syscalls/"));
		}
	}
	if (!have) {
		snprintf(why, n, "no syscall tracepoints in %s/events/syscalls", root);
		return -1;
	}
	return 0;
}

static int enable(struct rec_session *s, const char *rel, const char *filter,
		  char *err, size_t n)
{
	char path[200];

	if (filter) {
		snprintf(path, sizeof(path), "events/%s/filter", rel);
		if (tracefs_write(s->inst.path, path, filter, false, err, n))
			return -1;
	}
	snprintf(path, sizeof(path), "events/%s/enable", rel);
	return tracefs_write(s->inst.path, path, "1", false, err, n);
}

static int configure(struct rec_session *s, const char *root, char *err,
		     size_t n)
{
	char val[32], path[600];
	size_t i;

	snprintf(val, sizeof(val), "%u", s->o->buffer_mb * 1024);
	if (tracefs_write(s->inst.path, "tracing_on", "0", false, err, n) ||
	    tracefs_write(s->inst.path, "buffer_size_kb", val, false, err, n) ||
	    tracefs_write(s->inst.path, "options/event-fork", "1", false, err, n) ||
	    tracefs_write(s->inst.path, "options/record-tgid", "1", false, err, n) ||
	    tracefs_write(s->inst.path, "options/hash-ptr", "0", false, err, n))
		return -1;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (enable(s, required[i], strncmp(required[i], "kmem/", 5) ? NULL : FILTER,
			   err, n))
			return -1;
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		char rel[128];
		const char *dir[2] = { "enter", "exit" };
		int d;

		for (d = 0; d < 2; d++) {
			snprintf(rel, sizeof(rel), "syscalls/sys_%s_%s", dir[d], syscalls[i]);
			if (exists(root, rel) && enable(s, rel, NULL, err, n))
				return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/trace_marker", s->inst.path);
	s->marker_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (s->marker_fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return -1;
	}
	s->inst.pin[0] = s->marker_fd;
	return 0;
}

/* The command, waiting until tracing and ptrace are set up. */
static pid_t spawn(char **argv, int *go)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c = 0;

		rec_signals(false);
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		if (c != 'g')
			_exit(127);	/* recording could not start */
		execvp(argv[0], argv);
		fprintf(stderr, "anonvma record: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

/* per_cpu/cpuN/stats of every CPU. */
static int read_stats(struct rec_session *s, char *err, size_t n)
{
	char dir[600], path[900], text[1024];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/per_cpu", s->inst.path);
	dp = opendir(dir);
	if (!dp) {
		snprintf(err, n, "opendir %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		struct rec_cpu_stats *st;
		ssize_t r;
		int fd, cpu;

		if (sscanf(d->d_name, "cpu%d", &cpu) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s/stats", dir, d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		r = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
		if (fd >= 0)
			close(fd);
		text[r > 0 ? r : 0] = '\0';
		st = rec_cpu(s, cpu);
		if (rec_parse_stats(text, st)) {
			snprintf(err, n, "%s: no overrun/dropped counters", path);
			closedir(dp);
			return -1;
		}
	}
	closedir(dp);
	return 0;
}

static int cmp_cpu(const void *a, const void *b)
{
	return ((const struct rec_cpu_stats *)a)->cpu -
	       ((const struct rec_cpu_stats *)b)->cpu;
}

/* Stop tracing, read what is left and the counters, remove the instance. */
static int finish(struct rec_session *s, char *err, size_t n)
{
	char e2[512];
	int ret = 0;

	if (tracefs_write(s->inst.path, "tracing_on", "0", false, e2, sizeof(e2)))
		fprintf(stderr, "anonvma record: %s\n", e2);
	rec_stream_stop(s);
	rec_progress(s, true);
	if (read_stats(s, err, n))
		ret = -1;
	qsort(s->cpus, (size_t)s->ncpus, sizeof(*s->cpus), cmp_cpu);
	s->marker_fd = -1;
	tracefs_instance_remove(&s->inst);
	return ret;
}

static int report(struct rec_session *s, FILE *out, int status)
{
	unsigned long lost;
	int c;

	if (rec_write_trace(s, out, &lost))
		return 1;
	if (s->bad_lines)
		fprintf(stderr, "anonvma record: %lu trace lines not understood, the first: %s\n",
			s->bad_lines, s->first_bad);
	if (lost) {
		for (c = 0; c < s->ncpus; c++) {
			const struct rec_cpu_stats *st = &s->cpus[c];
			unsigned long l = (st->overrun > st->lost_lines ? st->overrun :
					   st->lost_lines) + st->dropped + st->commit_overrun;

			if (l)
				fprintf(stderr, "anonvma record: %lu events lost on CPU %d; the trace is incomplete and replay will refuse it; try --buffer\n",
					l, st->cpu);
		}
		return 1;
	}
	if (!s->o->quiet)
		fprintf(stderr, "anonvma record: wrote %s: %lu events, %ld snapshots, %lu processes, %.1f s\n",
			s->o->out, atomic_load(&s->nevents), s->nsnaps - 1,
			atomic_load(&s->processes), rec_now() - s->t0);
	return status;
}

/** rec_run() - see record.h. */
int rec_run(const struct rec_opts *o)
{
	static struct rec_session s;
	char root[256], err[1200], name[64];
	int go = -1, status, ret;
	FILE *out;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.marker_fd = -1;
	s.pipe_fd = -1;
	s.nsnaps = 1;	/* snapshots are numbered from 1 */
	s.show_progress = !o->quiet && (o->progress || isatty(2));
	if (geteuid()) {
		printf("skipped: not root (tracefs and ptrace need root)\n");
		return REC_EXIT_SKIPPED;
	}
	/* Before the instance exists, so that tracefs.c leaves these alone. */
	rec_signals(true);
	if (tracefs_open_root(root, sizeof(root), err, sizeof(err))) {
		printf("skipped: %s\n", err);
		return REC_EXIT_SKIPPED;
	}
	if (check_events(&s, root, err, sizeof(err))) {
		printf("skipped: %s\n", err);
		return REC_EXIT_SKIPPED;
	}
	out = fopen(o->out, "w");
	if (!out) {
		fprintf(stderr, "anonvma record: cannot write %s: %s\n", o->out,
			strerror(errno));
		return REC_EXIT_USAGE;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	tracefs_remove_stale(root, INSTANCE_PREFIX);
	snprintf(name, sizeof(name), INSTANCE_PREFIX "%d", (int)getpid());
	if (tracefs_instance_create(&s.inst, root, name, err, sizeof(err)) ||
	    configure(&s, root, err, sizeof(err)))
		goto fail;
	s.zero_page = rec_zero_page(&s.zero_pfn);
	s.root_pid = spawn(o->argv, &go);
	if (s.root_pid < 0) {
		snprintf(err, sizeof(err), "fork: %s", strerror(errno));
		goto fail;
	}
	rec_signals_target(s.root_pid);
	atomic_store(&s.processes, 1);
	snprintf(name, sizeof(name), "%d", (int)s.root_pid);
	s.t0 = rec_now();
	if (tracefs_write(s.inst.path, "set_event_pid", name, false, err, sizeof(err)) ||
	    rec_stream_start(&s, err, sizeof(err)) ||
	    tracefs_write(s.inst.path, "tracing_on", "1", false, err, sizeof(err)))
		goto fail_child;
	if (ptrace(PTRACE_SEIZE, s.root_pid, NULL,
		   (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				  PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
				  PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL))) {
		snprintf(err, sizeof(err), "ptrace(PTRACE_SEIZE): %s", strerror(errno));
		goto fail_child;
	}
	/* Set up: let it exec the command. */
	if (rec_signal_pending() || write(go, "g", 1) != 1)
		kill(s.root_pid, SIGKILL);
	close(go);
	status = rec_supervise(&s);
	if (finish(&s, err, sizeof(err))) {
		fprintf(stderr, "anonvma record: %s\n", err);
		ret = 1;
	} else {
		ret = report(&s, out, status);
	}
	if (fclose(out)) {
		perror("anonvma record: writing the trace");
		ret = 1;
	}
	rec_session_free(&s);
	return ret;

fail_child:
	close(go);	/* the child exits without running the command */
	waitpid(s.root_pid, NULL, __WALL);
	if (s.pipe_fd >= 0)
		rec_stream_stop(&s);
fail:
	fprintf(stderr, "anonvma record: %s\n", err);
	tracefs_instance_remove(&s.inst);
	fclose(out);
	rec_session_free(&s);
	return 1;
}
