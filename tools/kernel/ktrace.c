/* SPDX-License-Identifier: MIT */
/*
 * The private ftrace instance that counts anon_vma and anon_vma_chain
 * allocations and frees (kernel-oracle.md §3).
 *
 * tracefs is used where it is mounted; otherwise it is mounted in a
 * private mount namespace of this process, which disappears with it.
 * The instance, "anonvma-<pid>-<n>", traces only the kmem_cache_alloc /
 * kmem_cache_free events of the anon_vma and anon_vma_chain caches, only
 * for the pids in set_event_pid and their descendants (event-fork), with
 * real pointers (hash-ptr off) so that frees pair with allocations.
 * Each pass drains the buffer before it starts and consumes its own
 * events through trace_pipe at the end, so the buffer is never reset.  It
 * is removed when the process that made it exits, also on a fatal
 * signal; one left by a killed run is removed by the next session (its
 * pid no longer runs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_internal.h"
#include "tracefs.h"

#define INSTANCE_PREFIX	"anonvma-"
#define BUFFER_KB	"8192"	/* per CPU: about 100k events */
#define FILTER		"name == \"anon_vma\" || name == \"anon_vma_chain\""

/* The instance's files that pin it: pin[] of struct tracefs_instance. */
#define PIN_MARKER	0
#define PIN_READING	1	/* a `trace` or `trace_pipe` being read */

static struct {
	char root[256];		/* where tracefs is mounted */
	struct tracefs_instance ti;
} ks = { .ti.pin = { -1, -1 } };

static int configure(char *err, size_t n)
{
	static const char *const events[] = {
		"events/kmem/kmem_cache_alloc", "events/kmem/kmem_cache_free",
	};
	char path[600];
	size_t i;

	if (tracefs_write(ks.ti.path, "tracing_on", "0", false, err, n) ||
	    tracefs_write(ks.ti.path, "buffer_size_kb", BUFFER_KB, false, err, n) ||
	    tracefs_write(ks.ti.path, "options/event-fork", "1", false, err, n) ||
	    tracefs_write(ks.ti.path, "options/hash-ptr", "0", false, err, n) ||
	    /* Overwrite mode: a full buffer shows in entries-written. */
	    tracefs_write(ks.ti.path, "options/overwrite", "1", false, err, n))
		return -1;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), "%s/filter", events[i]);
		if (tracefs_write(ks.ti.path, path, FILTER, false, err, n))
			return -1;
		snprintf(path, sizeof(path), "%s/enable", events[i]);
		if (tracefs_write(ks.ti.path, path, "1", false, err, n))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/trace_marker", ks.ti.path);
	ks.ti.pin[PIN_MARKER] = open(path, O_WRONLY);
	if (ks.ti.pin[PIN_MARKER] < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Trace this process and, through event-fork, everything it forks: the
 * zygote and driven processes of every run of the session.  Written
 * once: rewriting set_event_pid waits for an RCU grace period (~80 ms),
 * so the processes of each run are told apart when the trace is parsed,
 * by pid (kcount.c).
 */
static int register_owner(char *err, size_t n)
{
	char val[32];

	snprintf(val, sizeof(val), "%d", (int)getpid());
	return tracefs_write(ks.ti.path, "set_event_pid", val, false, err, n);
}

/** kernel_session_open() - see kernel.h. */
int kernel_session_open(char *err, size_t n)
{
	static unsigned int serial;
	char name[64];

	if (ks.ti.open)
		return 0;
	if (tracefs_open_root(ks.root, sizeof(ks.root), err, n))
		return -1;
	tracefs_remove_stale(ks.root, INSTANCE_PREFIX);
	snprintf(name, sizeof(name), INSTANCE_PREFIX "%d-%u", (int)getpid(),
		 serial++);
	if (tracefs_instance_create(&ks.ti, ks.root, name, err, n))
		return -1;
	if (configure(err, n) || register_owner(err, n)) {
		tracefs_instance_remove(&ks.ti);
		return -1;
	}
	return 0;
}

/** ktrace_session_is_open() - see kernel_internal.h. */
bool ktrace_session_is_open(void)
{
	return ks.ti.open;
}

/** ktrace_forget() - see kernel_internal.h. */
void ktrace_forget(void)
{
	int fd = ks.ti.pin[PIN_MARKER];

	/*
	 * An open trace_marker pins the instance (rmdir says EBUSY): the
	 * driven processes must not keep the one they inherited.
	 */
	ks.ti.pin[PIN_MARKER] = -1;
	if (fd >= 0)
		close(fd);
	ks.ti.open = 0;
}

/** kernel_session_close() - see kernel.h. */
void kernel_session_close(void)
{
	tracefs_instance_remove(&ks.ti);
}

/*
 * Events the ring buffer has dropped since the last reset, from the
 * header of the `trace` file: entries-written minus entries-in-buffer.
 * Read while tracing is off (opening `trace` pauses the instance).
 */
static int overruns(unsigned long *lost, char *err, size_t n)
{
	char path[600], buf[2048], *line;
	unsigned long inbuf, written;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", ks.ti.path);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return -1;
	}
	ks.ti.pin[PIN_READING] = fd;
	r = read(fd, buf, sizeof(buf) - 1);
	ks.ti.pin[PIN_READING] = -1;
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char one[256];

		snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
		if (kparse_trace_header(one, &inbuf, &written)) {
			*lost = written - inbuf;
			return 0;
		}
	}
	snprintf(err, n, "no entries-in-buffer/entries-written line in %s", path);
	return -1;
}

/* Read what is in trace_pipe (consuming it) until it is empty. */
static char *drain(char *err, size_t n)
{
	char path[600];
	char *buf;
	int fd;

	snprintf(path, sizeof(path), "%s/trace_pipe", ks.ti.path);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	ks.ti.pin[PIN_READING] = fd;
	buf = tracefs_read_fd(fd, NULL, NULL);
	ks.ti.pin[PIN_READING] = -1;
	close(fd);
	if (!buf)
		snprintf(err, n, "out of memory reading the trace");
	return buf;
}

static unsigned long lost_before;

/** ktrace_begin() - see kernel_internal.h. */
int ktrace_begin(char *err, size_t n)
{
	char *old;

	if (!ks.ti.open && kernel_session_open(err, n))
		return -1;
	if (tracefs_write(ks.ti.path, "tracing_on", "0", false, err, n))
		return -1;
	old = drain(err, n);
	if (!old)
		return -1;
	free(old);
	if (overruns(&lost_before, err, n) ||
	    tracefs_write(ks.ti.path, "tracing_on", "1", false, err, n))
		return -1;
	if (ktrace_mark(KMARK_BEGIN)) {
		snprintf(err, n, "cannot write the trace marker: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/** ktrace_mark() - see kernel_internal.h. */
int ktrace_mark(const char *text)
{
	ssize_t len = (ssize_t)strlen(text);

	int fd = ks.ti.pin[PIN_MARKER];

	return fd >= 0 && write(fd, text, (size_t)len) == len ? 0 : -1;
}

/** ktrace_end() - see kernel_internal.h. */
char *ktrace_end(unsigned long *lost, char *err, size_t n)
{
	unsigned long now;

	if (tracefs_write(ks.ti.path, "tracing_on", "0", false, err, n) ||
	    overruns(&now, err, n))
		return NULL;
	*lost = now - lost_before;
	return drain(err, n);
}

/** ktrace_available() - see kernel_internal.h. */
bool ktrace_available(char *why, size_t n)
{
	char root[256], err[512] = "", path[400];
	int st, pfd[2];
	pid_t pid;
	ssize_t r;

	if (pipe(pfd)) {
		snprintf(why, n, "pipe: %s", strerror(errno));
		return false;
	}
	/* Mount (if needed) and look in a child: no lasting effect here. */
	pid = fork();
	if (pid < 0) {
		snprintf(why, n, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (pid == 0) {
		struct stat sb;

		close(pfd[0]);
		if (tracefs_open_root(root, sizeof(root), err, sizeof(err)))
			goto child_out;
		snprintf(path, sizeof(path), "%s/events/kmem/kmem_cache_alloc/format",
			 root);
		if (stat(path, &sb)) {
			snprintf(err, sizeof(err),
				 "no kmem_cache_alloc tracepoint in %s/events/kmem", root);
			goto child_out;
		}
		snprintf(path, sizeof(path), "%s/instances", root);
		if (stat(path, &sb))
			snprintf(err, sizeof(err), "tracefs at %s has no instances",
				 root);
		else {
			FILE *f;
			char line[256];
			bool name = false;

			snprintf(path, sizeof(path),
				 "%s/events/kmem/kmem_cache_alloc/format", root);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				if (strstr(line, "char[] name;"))
					name = true;
			if (f)
				fclose(f);
			if (!name)
				snprintf(err, sizeof(err),
					 "the kmem_cache_alloc tracepoint has no cache name (kernel older than 6.2?)");
		}
child_out:
		r = write(pfd[1], err, strlen(err));
		_exit(r < 0);
	}
	close(pfd[1]);
	r = read(pfd[0], err, sizeof(err) - 1);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	err[r > 0 ? r : 0] = '\0';
	if (err[0]) {
		snprintf(why, n, "%s", err);
		return false;
	}
	return true;
}
