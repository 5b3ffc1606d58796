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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_internal.h"

#define INSTANCE_PREFIX	"anonvma-"
#define BUFFER_KB	"8192"	/* per CPU: about 100k events */
#define FILTER		"name == \"anon_vma\" || name == \"anon_vma_chain\""

static struct {
	bool open;
	pid_t owner;
	char root[256];		/* where tracefs is mounted */
	char inst[400];		/* the instance directory */
	int marker_fd;
} ks = { .marker_fd = -1 };

static volatile sig_atomic_t ks_cleaning;
static volatile int ks_reading = -1;	/* an instance file open for reading */

/* tracefs's mount point in this process's namespace, or "" . */
static void find_tracefs(char *root, size_t n)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[256], dir[256], type[64];

	root[0] = '\0';
	if (!f)
		return;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "tracefs")) {
			snprintf(root, n, "%s", dir);
			break;
		}
	fclose(f);
}

/*
 * Mount tracefs where it is usually found, in a mount namespace of our
 * own: nothing outside this process (and its children) sees the mount.
 */
static int mount_private(char *root, size_t n, char *err, size_t en)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	size_t i;

	if (unshare(CLONE_NEWNS)) {
		snprintf(err, en, "tracefs is not mounted and unshare(CLONE_NEWNS) failed: %s",
			 strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		snprintf(err, en, "cannot make mounts private: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (mount("nodev", dirs[i], "tracefs", 0, NULL))
			continue;
		snprintf(root, n, "%s", dirs[i]);
		return 0;
	}
	snprintf(err, en, "cannot mount tracefs: %s", strerror(errno));
	return -1;
}

static int write_file(const char *dir, const char *name, const char *val,
		      bool append, char *err, size_t n)
{
	char path[600];
	int fd;
	ssize_t w;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return -1;
	}
	w = write(fd, val, strlen(val));
	if (w != (ssize_t)strlen(val)) {
		snprintf(err, n, "write '%s' to %s: %s", val, path,
			 w < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Remove the instances of earlier runs whose process is gone. */
static void remove_stale(const char *root)
{
	char dir[300], path[600];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/instances", root);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		long pid;

		if (strncmp(d->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)))
			continue;
		pid = strtol(d->d_name + strlen(INSTANCE_PREFIX), NULL, 10);
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (rmdir(path) == 0)
			fprintf(stderr, "anonvma: removed the tracing instance %s left by a killed run\n",
				d->d_name);
	}
	closedir(dp);
}

/* Async-signal-safe: close the marker (it pins the instance), rmdir. */
static void remove_instance(void)
{
	if (!ks.open || ks.owner != getpid())
		return;
	if (ks.marker_fd >= 0)
		close(ks.marker_fd);
	ks.marker_fd = -1;
	/* So does a `trace` or `trace_pipe` being read right now. */
	if (ks_reading >= 0)
		close(ks_reading);
	ks_reading = -1;
	/* EBUSY if a forked child still holds one: the next session removes it. */
	rmdir(ks.inst);
	ks.open = false;
}

static void on_exit_cleanup(void)
{
	remove_instance();
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void on_fatal_signal(int sig)
{
	if (!ks_cleaning) {
		ks_cleaning = 1;
		remove_instance();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_cleanup(void)
{
	static bool done;
	size_t i;

	if (done)
		return;
	done = true;
	atexit(on_exit_cleanup);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction old, sa;

		/* Leave handlers the program installed itself alone. */
		if (sigaction(fatal_signals[i], NULL, &old) ||
		    old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

static int configure(char *err, size_t n)
{
	static const char *const events[] = {
		"events/kmem/kmem_cache_alloc", "events/kmem/kmem_cache_free",
	};
	char path[600];
	size_t i;

	if (write_file(ks.inst, "tracing_on", "0", false, err, n) ||
	    write_file(ks.inst, "buffer_size_kb", BUFFER_KB, false, err, n) ||
	    write_file(ks.inst, "options/event-fork", "1", false, err, n) ||
	    write_file(ks.inst, "options/hash-ptr", "0", false, err, n) ||
	    /* Overwrite mode: a full buffer shows in entries-written. */
	    write_file(ks.inst, "options/overwrite", "1", false, err, n))
		return -1;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), "%s/filter", events[i]);
		if (write_file(ks.inst, path, FILTER, false, err, n))
			return -1;
		snprintf(path, sizeof(path), "%s/enable", events[i]);
		if (write_file(ks.inst, path, "1", false, err, n))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/trace_marker", ks.inst);
	ks.marker_fd = open(path, O_WRONLY);
	if (ks.marker_fd < 0) {
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
	return write_file(ks.inst, "set_event_pid", val, false, err, n);
}

/** kernel_session_open() - see kernel.h. */
int kernel_session_open(char *err, size_t n)
{
	static unsigned int serial;

	if (ks.open)
		return 0;
	find_tracefs(ks.root, sizeof(ks.root));
	if (!ks.root[0] && mount_private(ks.root, sizeof(ks.root), err, n))
		return -1;
	remove_stale(ks.root);
	install_cleanup();
	snprintf(ks.inst, sizeof(ks.inst), "%s/instances/" INSTANCE_PREFIX "%d-%u",
		 ks.root, (int)getpid(), serial++);
	if (mkdir(ks.inst, 0700)) {
		snprintf(err, n, "cannot create the tracing instance %s: %s",
			 ks.inst, strerror(errno));
		return -1;
	}
	ks.open = true;
	ks.owner = getpid();
	if (configure(err, n) || register_owner(err, n)) {
		remove_instance();
		return -1;
	}
	return 0;
}

/** ktrace_session_is_open() - see kernel_internal.h. */
bool ktrace_session_is_open(void)
{
	return ks.open;
}

/** ktrace_forget() - see kernel_internal.h. */
void ktrace_forget(void)
{
	/*
	 * An open trace_marker pins the instance (rmdir says EBUSY): the
	 * driven processes must not keep the one they inherited.
	 */
	if (ks.marker_fd >= 0)
		close(ks.marker_fd);
	ks.marker_fd = -1;
	ks.open = false;
}

/** kernel_session_close() - see kernel.h. */
void kernel_session_close(void)
{
	remove_instance();
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

	snprintf(path, sizeof(path), "%s/trace", ks.inst);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return -1;
	}
	ks_reading = fd;
	r = read(fd, buf, sizeof(buf) - 1);
	ks_reading = -1;
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
	size_t len = 0, cap = 1 << 16;
	char *buf;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/trace_pipe", ks.inst);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	ks_reading = fd;
	buf = malloc(cap);
	while (buf) {
		if (len + 4096 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* EAGAIN: empty */
		len += (size_t)r;
	}
	ks_reading = -1;
	close(fd);
	if (!buf) {
		snprintf(err, n, "out of memory reading the trace");
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static unsigned long lost_before;

/** ktrace_begin() - see kernel_internal.h. */
int ktrace_begin(char *err, size_t n)
{
	char *old;

	if (!ks.open && kernel_session_open(err, n))
		return -1;
	if (write_file(ks.inst, "tracing_on", "0", false, err, n))
		return -1;
	old = drain(err, n);
	if (!old)
		return -1;
	free(old);
	if (overruns(&lost_before, err, n) ||
	    write_file(ks.inst, "tracing_on", "1", false, err, n))
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

	return ks.marker_fd >= 0 && write(ks.marker_fd, text, (size_t)len) == len ?
	       0 : -1;
}

/** ktrace_end() - see kernel_internal.h. */
char *ktrace_end(unsigned long *lost, char *err, size_t n)
{
	unsigned long now;

	if (write_file(ks.inst, "tracing_on", "0", false, err, n) ||
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
		find_tracefs(root, sizeof(root));
		if (!root[0] && mount_private(root, sizeof(root), err, sizeof(err)))
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
