/* SPDX-License-Identifier: MIT */
/*
 * bench_replay - how fast a recording replays, and in how much memory.
 *
 *   build/bench/bench_replay [--runs N] TRACE
 *
 * Each run loads the recording (reading and checking every line) and
 * replays it under the host's design in a fresh child process, so that
 * each run's peak resident memory is its own; the times are the
 * medians over the runs, load and replay apart, and the memory is the
 * largest peak.  The events per second and the replay's own verdict
 * are printed too, so a fast run that disagrees is seen as one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "replay/replay.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run in this process; writes "load replay events agree" to @fd. */
static int one_run(const char *path, int fd)
{
	struct replay_opts o = { .design = DESIGN_V6_18 };
	struct replay_result res;
	struct trace t;
	char err[1024], line[128];
	double t0, t1, t2;
	int n;

	t0 = now_s();
	if (trace_load(path, &t, err, sizeof(err), true)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	t1 = now_s();
	if (replay_run(&t, &o, &res))
		return 2;
	t2 = now_s();
	n = snprintf(line, sizeof(line), "%f %f %zu %d\n", t1 - t0, t2 - t1,
		     t.nev, replay_agrees(&res));
	replay_result_free(&res);
	trace_free(&t);
	return write(fd, line, (size_t)n) == n ? 0 : 2;
}

int main(int argc, char **argv)
{
	double load[64], rep[64];
	long max_rss = 0;
	size_t events = 0;
	int runs = 5, i, agree = 1;
	const char *path;

	if (argc == 4 && !strcmp(argv[1], "--runs"))
		runs = atoi(argv[2]);
	if ((argc != 2 && argc != 4) || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench_replay [--runs N] TRACE\n");
		return 2;
	}
	path = argv[argc - 1];
	for (i = 0; i < runs; i++) {
		struct rusage ru;
		int pfd[2], st, a;
		char buf[128] = "";
		pid_t pid;

		if (pipe(pfd))
			return 2;
		pid = fork();
		if (pid == 0) {
			close(pfd[0]);
			_exit(one_run(path, pfd[1]));
		}
		close(pfd[1]);
		if (read(pfd[0], buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(pfd[0]);
		if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) ||
		    sscanf(buf, "%lf %lf %zu %d", &load[i], &rep[i], &events, &a) != 4) {
			fprintf(stderr, "bench_replay: run %d failed\n", i + 1);
			return 2;
		}
		agree &= a;
		if (ru.ru_maxrss > max_rss)
			max_rss = ru.ru_maxrss;
	}
	qsort(load, (size_t)runs, sizeof(double), cmp_double);
	qsort(rep, (size_t)runs, sizeof(double), cmp_double);
	printf("recording      %s: %zu events\n", path, events);
	printf("load           %.3f s (median of %d)\n", load[runs / 2], runs);
	printf("replay         %.3f s (%.0f events/s)\n", rep[runs / 2],
	       (double)events / rep[runs / 2]);
	printf("total          %.3f s\n", load[runs / 2] + rep[runs / 2]);
	printf("peak memory    %.1f MB\n", (double)max_rss / 1024.0);
	printf("verdict        %s\n", agree ? "AGREE" : "DIVERGE");
	return 0;
}
