/* SPDX-License-Identifier: MIT */
/*
 * The reader of the instance's trace_pipe and the normalizer of its
 * lines.
 *
 * The per-CPU ring buffers are read while the command runs, so they do
 * not fill up and overwrite events; a reader that only looked at the
 * end would lose everything but the last few megabytes of a build.
 * trace_pipe consumes what it returns, merging the CPUs by timestamp
 * at read time: an event committed late on another CPU can therefore
 * come out after a later one, which is why the file is sorted before it
 * is written (tracefile.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

/* ---- the normalizer ------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

/* "SEC.FRAC: " at @t: the microseconds, and what follows; NULL if not. */
static const char *parse_ts(const char *t, const char *end, uint64_t *us)
{
	uint64_t sec = 0, frac = 0;
	const char *w = t;
	int digits = 0;

	for (; w < end && is_digit(*w); w++)
		sec = sec * 10 + (uint64_t)(*w - '0');
	if (w == t || w >= end || *w != '.')
		return NULL;
	for (w++; w < end && is_digit(*w); w++, digits++)
		if (digits < 6)
			frac = frac * 10 + (uint64_t)(*w - '0');
	if (!digits || end - w < 2 || w[0] != ':' || w[1] != ' ')
		return NULL;
	for (; digits < 6; digits++)
		frac *= 10;
	*us = sec * 1000000 + frac;
	return w + 2;
}

/*
 * The fields after the comm column, from the '-' at @p on:
 * "-PID (TGID) [CPU] FLAGS TS: REST"; (TGID) and FLAGS are optional
 * (record-tgid and irq-info off), TGID may be "-------".
 * Return: the start of REST, or NULL when @p does not start them.
 */
static const char *parse_fields(const char *p, const char *end, long *pid,
				long *tgid, const char **ts, size_t *tslen,
				uint64_t *us)
{
	const char *q = p + 1, *rest;
	int word;

	if (q >= end || !is_digit(*q))
		return NULL;
	*pid = strtol(q, (char **)&q, 10);
	while (q < end && *q == ' ')
		q++;
	*tgid = -1;
	if (q < end && *q == '(') {
		q++;
		while (q < end && *q == ' ')
			q++;
		if (end - q >= 7 && !strncmp(q, "-------", 7))
			q += 7;
		else if (q < end && is_digit(*q))
			*tgid = strtol(q, (char **)&q, 10);
		else
			return NULL;
		if (q >= end || *q != ')')
			return NULL;
		q++;
		while (q < end && *q == ' ')
			q++;
	}
	if (q >= end || *q != '[')
		return NULL;
	for (q++; q < end && is_digit(*q); q++)
		;
	if (q >= end || *q != ']')
		return NULL;
	q++;
	/* FLAGS (e.g. "d..1.") then TS, or TS alone. */
	for (word = 0; word < 2; word++) {
		while (q < end && *q == ' ')
			q++;
		rest = parse_ts(q, end, us);
		if (rest) {
			*ts = q;
			*tslen = (size_t)(rest - 2 - q);
			return rest;
		}
		while (q < end && *q != ' ')
			q++;
	}
	return NULL;
}

/** rec_normalize() - see record.h. */
enum rec_line_kind rec_normalize(const char *line, size_t len, char *out,
				 size_t outsz, struct rec_norm *nr)
{
	const char *end = line + len, *p, *rest = NULL, *ts = NULL;
	const char *name, *name_end, *payload;
	size_t tslen = 0, plen;
	long pid = 0, tgid = -1;
	char event[128];
	int n;

	memset(nr, 0, sizeof(*nr));
	nr->kind = REC_LINE_BAD;
	for (p = line; p < end && *p == ' '; p++)
		;
	if (p == end || *p == '#')
		return nr->kind = REC_LINE_SKIP;
	if (sscanf(p, "CPU:%d [LOST %lu EVENTS]", &nr->cpu, &nr->lost) == 2)
		return nr->kind = REC_LINE_LOST;
	/* The first '-' that the pid, tgid, CPU, flags and timestamp follow. */
	for (; p < end && !rest; p++)
		if (*p == '-')
			rest = parse_fields(p, end, &pid, &tgid, &ts, &tslen, &nr->ts);
	if (!rest)
		return REC_LINE_BAD;
	name = rest;
	for (name_end = name; name_end < end && is_word(*name_end); name_end++)
		;
	if (name_end == name || name_end - name >= 100)
		return REC_LINE_BAD;
	if (name_end < end && *name_end == ':') {
		snprintf(event, sizeof(event), "%.*s", (int)(name_end - name), name);
		payload = name_end + 1 < end ? name_end + 2 : end;
		if (payload > end)
			payload = end;
		plen = (size_t)(end - payload);
	} else if (!strncmp(name, "sys_", 4) && name_end < end && *name_end == '(' &&
		   end[-1] == ')') {
		snprintf(event, sizeof(event), "sys_enter_%.*s",
			 (int)(name_end - name - 4), name + 4);
		payload = name_end + 1;
		plen = (size_t)(end - 1 - payload);
	} else if (!strncmp(name, "sys_", 4) && end - name_end >= 4 &&
		   !strncmp(name_end, " -> ", 4)) {
		snprintf(event, sizeof(event), "sys_exit_%.*s",
			 (int)(name_end - name - 4), name + 4);
		payload = name_end + 4;
		plen = (size_t)(end - payload);
	} else {
		return REC_LINE_BAD;
	}
	n = snprintf(out, outsz, "%.*s %ld %ld %s%s%.*s", (int)tslen, ts, pid,
		     tgid, event, plen ? " " : "", (int)plen, payload);
	if (n < 0 || (size_t)n >= outsz)
		return REC_LINE_BAD;
	nr->len = (size_t)n;
	if (!strcmp(event, "tracing_mark_write") &&
	    !strncmp(payload, REC_SNAPSHOT_MARKER, strlen(REC_SNAPSHOT_MARKER)))
		nr->snapshot = strtol(payload + strlen(REC_SNAPSHOT_MARKER), NULL, 10);
	return nr->kind = REC_LINE_EVENT;
}

/** rec_parse_stats() - see record.h. */
int rec_parse_stats(const char *text, struct rec_cpu_stats *st)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "overrun: ", offsetof(struct rec_cpu_stats, overrun) },
		{ "commit overrun: ", offsetof(struct rec_cpu_stats, commit_overrun) },
		{ "dropped events: ", offsetof(struct rec_cpu_stats, dropped) },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = text;
		size_t k = strlen(keys[i].key);

		/* At the start of a line: "overrun" is also in "commit overrun". */
		while (p && strncmp(p, keys[i].key, k)) {
			p = strchr(p, '\n');
			if (p)
				p++;
		}
		if (!p || !is_digit(p[k]))
			return -1;
		*(unsigned long *)((char *)st + keys[i].off) = strtoul(p + k, NULL, 10);
	}
	return 0;
}

static int cmp_events(const void *a, const void *b)
{
	const struct rec_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/** rec_sort_events() - see record.h. */
void rec_sort_events(struct rec_event *ev, size_t n)
{
	/* qsort is not stable: the arrival order breaks ties. */
	qsort(ev, n, sizeof(*ev), cmp_events);
}

/* ---- storage ----------------------------------------------------------------- */

#define ARENA_CHUNK	(4UL << 20)

struct arena {
	struct arena *next;
	size_t used;
	char data[];
};

static const char *arena_copy(struct rec_session *s, const char *text, size_t len)
{
	struct arena *a = s->arena;
	char *p;

	if (!a || a->used + len + 1 > ARENA_CHUNK) {
		a = malloc(sizeof(*a) + ARENA_CHUNK);
		if (!a) {
			fputs("anonvma record: out of memory\n", stderr);
			abort();
		}
		a->next = s->arena;
		a->used = 0;
		s->arena = a;
	}
	p = a->data + a->used;
	memcpy(p, text, len);
	p[len] = '\0';
	a->used += len + 1;
	return p;
}

/** rec_cpu() - see record.h. */
struct rec_cpu_stats *rec_cpu(struct rec_session *s, int cpu)
{
	struct rec_cpu_stats *nc;
	int i;

	for (i = 0; i < s->ncpus; i++)
		if (s->cpus[i].cpu == cpu)
			return &s->cpus[i];
	nc = realloc(s->cpus, (size_t)(s->ncpus + 1) * sizeof(*nc));
	if (!nc)
		abort();
	s->cpus = nc;
	memset(&nc[s->ncpus], 0, sizeof(*nc));
	nc[s->ncpus].cpu = cpu;
	return &nc[s->ncpus++];
}

static void add_line(struct rec_session *s, const char *line, size_t len)
{
	char out[8192];
	struct rec_norm nr;
	size_t n = atomic_load(&s->nevents);
	struct rec_event *e;

	switch (rec_normalize(line, len, out, sizeof(out), &nr)) {
	case REC_LINE_SKIP:
		return;
	case REC_LINE_LOST:
		rec_cpu(s, nr.cpu)->lost_lines += nr.lost;
		return;
	case REC_LINE_BAD:
		if (!s->bad_lines++)
			snprintf(s->first_bad, sizeof(s->first_bad), "%.*s",
				 (int)len, line);
		return;
	case REC_LINE_EVENT:
		break;
	}
	if (n == s->nevents_cap) {
		s->nevents_cap = s->nevents_cap ? s->nevents_cap * 2 : 1 << 16;
		s->events = realloc(s->events, s->nevents_cap * sizeof(*s->events));
		if (!s->events) {
			fputs("anonvma record: out of memory\n", stderr);
			abort();
		}
	}
	e = &s->events[n];
	e->ts = nr.ts;
	e->seq = (uint32_t)n;
	e->snapshot = nr.snapshot;
	e->text = arena_copy(s, out, nr.len);
	atomic_store(&s->nevents, n + 1);
}

/* ---- the reader thread --------------------------------------------------------- */

/** rec_now() - see record.h. */
double rec_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/** rec_progress() - see record.h. */
void rec_progress(struct rec_session *s, bool final)
{
	if (!s->show_progress)
		return;
	fprintf(stderr, "\ranonvma record: %lu processes, %lu threads, %lu events, %.1f s%s",
		atomic_load(&s->processes), atomic_load(&s->threads),
		atomic_load(&s->nevents), rec_now() - s->t0, final ? "\n" : "");
}

#define READ_BUF	(1 << 20)
#define READ_PERIOD_US	50000

/* Read until trace_pipe is empty; returns false on a read error. */
static bool drain(struct rec_session *s, char *buf, size_t *have)
{
	for (;;) {
		ssize_t r = read(s->pipe_fd, buf + *have, READ_BUF - *have);
		char *p, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN;
		if (r == 0)
			return true;
		*have += (size_t)r;
		for (p = buf; (nl = memchr(p, '\n', (size_t)(buf + *have - p))); p = nl + 1)
			add_line(s, p, (size_t)(nl - p));
		/* Keep a partial last line for the next read. */
		*have = (size_t)(buf + *have - p);
		memmove(buf, p, *have);
		if (*have == READ_BUF) {
			add_line(s, buf, *have);	/* no newline in 1 MB: give up on it */
			*have = 0;
		}
	}
}

static void *reader(void *arg)
{
	struct rec_session *s = arg;
	char *buf = malloc(READ_BUF);
	double last = 0;
	size_t have = 0;
	sigset_t all;

	/* Signals are the supervisor's (it forwards them to the command). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (!buf)
		abort();
	for (;;) {
		bool stop = atomic_load(&s->stop);

		/*
		 * Read in batches: polling trace_pipe wakes the reader for
		 * nearly every event of a busy command, which cost more CPU
		 * than the rest of the recording (a build: 6 s instead of 1 s).
		 * 16 MB per CPU hold seconds of events, not 50 ms.
		 */
		if (!stop)
			usleep(READ_PERIOD_US);
		if (!drain(s, buf, &have)) {
			/* Nothing more can be read: the loss counters will tell. */
			fprintf(stderr, "anonvma record: reading trace_pipe: %s\n",
				strerror(errno));
			break;
		}
		if (stop)
			break;
		if (rec_now() - last > 0.25) {
			last = rec_now();
			rec_progress(s, false);
		}
	}
	if (have)
		add_line(s, buf, have);
	free(buf);
	return NULL;
}

static pthread_t reader_thread;

/** rec_stream_start() - see record.h. */
int rec_stream_start(struct rec_session *s, char *err, size_t n)
{
	char path[600];
	int e;

	snprintf(path, sizeof(path), "%s/trace_pipe", s->inst.path);
	s->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->pipe_fd < 0) {
		snprintf(err, n, "open %s: %s", path, strerror(errno));
		return -1;
	}
	s->inst.pin[1] = s->pipe_fd;
	atomic_store(&s->stop, false);
	e = pthread_create(&reader_thread, NULL, reader, s);
	if (e) {
		snprintf(err, n, "pthread_create: %s", strerror(e));
		s->inst.pin[1] = -1;
		close(s->pipe_fd);
		s->pipe_fd = -1;
		return -1;
	}
	return 0;
}

/** rec_stream_stop() - see record.h. */
void rec_stream_stop(struct rec_session *s)
{
	atomic_store(&s->stop, true);
	pthread_join(reader_thread, NULL);
}

/** rec_session_free() - see record.h. */
void rec_session_free(struct rec_session *s)
{
	struct arena *a = s->arena;
	long i;

	for (i = 0; i < s->nsnaps; i++)
		free(s->snaps ? s->snaps[i] : NULL);
	free(s->snaps);
	s->snaps = NULL;
	s->nsnaps = 0;

	while (a) {
		struct arena *next = a->next;

		free(a);
		a = next;
	}
	s->arena = NULL;
	free(s->events);
	s->events = NULL;
	free(s->cpus);
	s->cpus = NULL;
}
