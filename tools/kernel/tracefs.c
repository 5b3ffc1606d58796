/* SPDX-License-Identifier: MIT */
/*
 * tracefs for the tools that trace the host kernel: see tracefs.h.
 *
 * Instances are removed at exit and on the usual fatal signals, so that
 * no tracing stays enabled after us; one left by a run killed with
 * SIGKILL is removed by the next run (its pid no longer exists).
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
#include <unistd.h>

#include "tracefs.h"

/** tracefs_find() - see tracefs.h. */
void tracefs_find(char *root, size_t n)
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

/** tracefs_open_root() - see tracefs.h. */
int tracefs_open_root(char *root, size_t n, char *err, size_t en)
{
	tracefs_find(root, n);
	if (root[0])
		return 0;
	return mount_private(root, n, err, en);
}

/** tracefs_write() - see tracefs.h. */
int tracefs_write(const char *dir, const char *name, const char *val,
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

/** tracefs_read_fd() - see tracefs.h. */
char *tracefs_read_fd(int fd, size_t *lenp, int *error)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t r;

	if (error)
		*error = 0;
	while (buf) {
		if (cap - len <= 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN && error)
			*error = errno;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (!buf)
		return NULL;
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/** tracefs_remove_stale() - see tracefs.h. */
void tracefs_remove_stale(const char *root, const char *prefix)
{
	size_t plen = strlen(prefix);
	char dir[300], path[600];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/instances", root);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		char *end;
		long pid;

		if (strncmp(d->d_name, prefix, plen))
			continue;
		pid = strtol(d->d_name + plen, &end, 10);
		/* "anonvma-rec-N" is the recorder's, not "anonvma-"'s. */
		if (end == d->d_name + plen)
			continue;
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (rmdir(path) == 0)
			fprintf(stderr, "anonvma: removed the tracing instance %s left by a killed run\n",
				d->d_name);
	}
	closedir(dp);
}

/* ---- removal at exit and on fatal signals --------------------------------- */

#define MAX_INSTANCES	4

static struct tracefs_instance *volatile instances[MAX_INSTANCES];
static volatile sig_atomic_t cleaning;

/** tracefs_instance_remove() - see tracefs.h. */
void tracefs_instance_remove(struct tracefs_instance *ti)
{
	int i;

	if (!ti->open || ti->owner != getpid())
		return;
	/* An open trace_marker or a trace_pipe being read pins the instance. */
	for (i = 0; i < TRACEFS_PINS; i++) {
		int fd = ti->pin[i];

		ti->pin[i] = -1;
		if (fd >= 0)
			close(fd);
	}
	/* EBUSY if a forked child still holds a file: the next run removes it. */
	rmdir(ti->path);
	ti->open = 0;
}

static void remove_all(void)
{
	int i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (instances[i])
			tracefs_instance_remove(instances[i]);
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void on_fatal_signal(int sig)
{
	if (!cleaning) {
		cleaning = 1;
		remove_all();
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
	atexit(remove_all);
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

/** tracefs_instance_create() - see tracefs.h. */
int tracefs_instance_create(struct tracefs_instance *ti, const char *root,
			    const char *name, char *err, size_t n)
{
	int i, slot = -1;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (instances[i] == ti || (!instances[i] && slot < 0))
			slot = i;
	if (slot < 0) {
		snprintf(err, n, "too many tracing instances in one process");
		return -1;
	}
	install_cleanup();
	snprintf(ti->path, sizeof(ti->path), "%s/instances/%s", root, name);
	for (i = 0; i < TRACEFS_PINS; i++)
		ti->pin[i] = -1;
	if (mkdir(ti->path, 0700)) {
		snprintf(err, n, "cannot create the tracing instance %s: %s",
			 ti->path, strerror(errno));
		return -1;
	}
	ti->owner = getpid();
	ti->open = 1;
	instances[slot] = ti;
	return 0;
}
