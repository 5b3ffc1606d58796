/* SPDX-License-Identifier: MIT */
/*
 * `anonvma record`: run a command under a private ftrace instance and a
 * ptrace supervisor and write one trace file (docs/record-replay.md).
 *
 *   record.c     the driver: the instance, the command, the exit status
 *   supervise.c  the ptrace loop: follows every task, snapshots at exec and exit
 *   snapshot.c   /proc readers and the @snapshot blocks
 *   stream.c     the reader thread of trace_pipe and the line normalizer
 *   tracefile.c  sorting and writing the file (header, body, trailer)
 *
 * The parsers and formatters are pure functions on text and arrays, so
 * that the unit tests (tests/unit/test_record.c) run without root.
 */
#ifndef ANONVMA_RECORD_H
#define ANONVMA_RECORD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../kernel/tracefs.h"

#define REC_SNAPSHOT_MARKER	"anonvma-snapshot "
#define REC_EXIT_SKIPPED	77	/* no root, tracefs or tracepoint here */
#define REC_EXIT_USAGE		2

/** struct rec_opts - what the command line asks for. */
struct rec_opts {
	const char *out;	/* the trace file */
	unsigned int buffer_mb;	/* per-CPU ring buffer */
	bool quiet;		/* no progress line, no summary */
	bool progress;		/* the progress line even when stderr is no terminal */
	char **argv;		/* the command, NULL-terminated */
	int argc;
};

/**
 * rec_run() - record @o->argv into @o->out.
 *
 * Return: the command's exit status (128 + signal when it was killed);
 * 1 when events were lost or recording failed; 77 when recording is not
 * possible here ("skipped: reason" printed); 2 when the command cannot
 * be run.
 */
int rec_run(const struct rec_opts *o);

/* ---- a growable string (snapshot.c) --------------------------------------- */

/** struct rec_buf - text that grows; @p is NUL-terminated when not NULL. */
struct rec_buf {
	char *p;
	size_t len, cap;
};

/** rec_buf_printf() - append formatted text; aborts when out of memory. */
void rec_buf_printf(struct rec_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** rec_buf_free() - release @b's text and empty it. */
void rec_buf_free(struct rec_buf *b);

/* ---- snapshots (snapshot.c) --------------------------------------------------- */

/**
 * struct rec_range - a VMA's address range, for the pagemap walk.
 * @anon_kb: its smaps "Anonymous:" value, -1 when smaps has none; a VMA
 *           without anonymous memory is not walked (a sanitizer's
 *           shadow reservation would take minutes).
 */
struct rec_range {
	unsigned long start, end;
	long anon_kb;
};

/**
 * rec_format_smaps() - the @vma lines of one /proc/PID/smaps text.
 * @b: out: one "@vma START END PERMS OFFSET MAJ:MIN INODE VMFLAGS PATH"
 *     line per VMA, in the file's order.
 * @smaps: the file's contents, NUL-terminated.
 * @ranges: out: malloc'ed array of the VMAs' ranges (free it).
 *
 * Return: the number of VMAs, or -1 on a line that is neither a VMA
 * header nor a "Key: value" line (the format changed: fail loudly).
 */
int rec_format_smaps(struct rec_buf *b, const char *smaps,
		     struct rec_range **ranges);

/**
 * struct rec_runs - runs of consecutive present anonymous pages being
 * collected, in address order; a run may cross from one VMA into the
 * next when they are adjacent.
 * @zero_pfn: the shared zero page's frame (0: unknown): present but not
 *            anonymous memory, so it ends a run.
 */
struct rec_runs {
	struct rec_buf *b;
	unsigned long page_size;
	uint64_t zero_pfn;
	unsigned long start, npages;
	unsigned long count;	/* @anon lines written */
};

/**
 * rec_runs_add() - account pagemap entries @pm[0..n) of the pages from
 * address @start on, appending "@anon START NPAGES" for each run that ends.
 */
void rec_runs_add(struct rec_runs *r, unsigned long start, const uint64_t *pm,
		  size_t n);
/**
 * rec_runs_add_range() - account @npages present anonymous pages from
 * @start on (after those of lower addresses).
 */
void rec_runs_add_range(struct rec_runs *r, unsigned long start,
			unsigned long npages);
/** rec_runs_flush() - write the run in progress. */
void rec_runs_flush(struct rec_runs *r);

/**
 * rec_stat_start_brk() - field 47 (start_brk) of a /proc/PID/stat line.
 * Return: 0, or -1 when the line has fewer fields.
 */
int rec_stat_start_brk(const char *stat, unsigned long *start_brk);

/**
 * rec_snapshot_take() - snapshot task @tid's memory into @b.
 * @b: out: "@snapshot N exec|exit tid=T tgid=G", @brk for exec, the
 *     @vma and @anon lines, "@end".
 * @n: the snapshot's number.
 * @exec: an exec snapshot (else exit).
 * @tid: the task.
 * @zero_pfn: see struct rec_runs.
 *
 * Return: 0, or -1 when the task is gone (or its files unreadable): no
 * block then.
 */
int rec_snapshot_take(struct rec_buf *b, long n, bool exec, pid_t tid,
		      uint64_t zero_pfn);

/**
 * rec_zero_page() - does this host map the shared zero page on a read
 * fault of private anonymous memory (some boot options forbid it)?
 * @pfn: out: its frame, 0 when unknown (PFNs are hidden without root).
 * Return: 1 it does, 0 it maps a new page instead, -1 unknown.
 */
int rec_zero_page(uint64_t *pfn);

/* ---- trace lines (stream.c) --------------------------------------------------- */

/** enum rec_line_kind - what one line of trace_pipe is. */
enum rec_line_kind {
	REC_LINE_EVENT,		/* an event: normalized */
	REC_LINE_LOST,		/* "CPU:N [LOST M EVENTS]" */
	REC_LINE_SKIP,		/* blank or a "#" comment */
	REC_LINE_BAD,		/* none of these: the format changed */
};

/**
 * struct rec_norm - one line, understood.
 * @ts: the timestamp in microseconds (for sorting).
 * @snapshot: N for the marker "anonvma-snapshot N", else 0.
 * @cpu, @lost: of a LOST line.
 * @len: length of the normalized text.
 */
struct rec_norm {
	enum rec_line_kind kind;
	uint64_t ts;
	long snapshot;
	int cpu;
	unsigned long lost;
	size_t len;
};

/**
 * rec_normalize() - turn one ftrace line into "TS TID TGID EVENT PAYLOAD".
 * @line: the line, without its newline.
 * @len: its length.
 * @out: out: the normalized text, NUL-terminated (for REC_LINE_EVENT).
 * @outsz: size of @out (at least @len + 16).
 * @nr: out.
 *
 * The comm column may hold any characters: the fields are found from
 * the "-PID (TGID) [CPU]" that follows it.  Syscall events, which the
 * kernel prints as "sys_NAME(ARGS)" and "sys_NAME -> RET", become
 * "sys_enter_NAME ARGS" and "sys_exit_NAME RET".
 *
 * Return: @nr->kind.
 */
enum rec_line_kind rec_normalize(const char *line, size_t len, char *out,
				 size_t outsz, struct rec_norm *nr);

/** struct rec_event - one normalized event line; @seq is its arrival order. */
struct rec_event {
	uint64_t ts;
	uint32_t seq;
	long snapshot;
	const char *text;
};

/** struct rec_cpu_stats - one CPU's per_cpu/cpuN/stats, and its LOST lines. */
struct rec_cpu_stats {
	int cpu;
	unsigned long overrun, dropped, commit_overrun;
	unsigned long lost_lines;
};

/**
 * rec_parse_stats() - the overrun, "commit overrun" and "dropped events"
 * counters of one per_cpu/cpuN/stats text.
 * Return: 0, or -1 when a counter is missing.
 */
int rec_parse_stats(const char *text, struct rec_cpu_stats *st);

/** rec_sort_events() - sort @ev by timestamp, keeping arrival order among equals. */
void rec_sort_events(struct rec_event *ev, size_t n);

/* ---- the session (record.c, supervise.c, stream.c, tracefile.c) ------------------ */

/**
 * struct rec_session - what the threads of one recording share.
 * @inst: the instance.
 * @marker_fd: its trace_marker (the supervisor writes it).
 * @root_pid: the command.
 * @snaps: snapshot N's block (NULL when there is none), N < @nsnaps.
 * @events: the normalized events, filled by the reader thread.
 * @cpus: the per-CPU counters (@ncpus), LOST lines included.
 * @processes, @threads, @nevents: progress counters.
 */
struct rec_session {
	const struct rec_opts *o;
	struct tracefs_instance inst;
	int marker_fd;
	pid_t root_pid;
	uint64_t zero_pfn;
	int zero_page;		/* rec_zero_page() */
	char **snaps;
	long nsnaps;
	struct rec_event *events;
	size_t nevents_cap;
	struct rec_cpu_stats *cpus;
	int ncpus;
	unsigned long bad_lines;
	char first_bad[256];
	char missing[1024];
	atomic_ulong processes, threads, nevents;
	double t0;
	bool show_progress;
	/* the reader thread */
	int pipe_fd;
	atomic_bool stop;
	void *arena;
};

/**
 * rec_supervise() - follow the command and its descendants until every
 * one has exited, snapshotting each exec and exit.
 * Return: the command's exit status (128 + signal).
 */
int rec_supervise(struct rec_session *s);

/**
 * rec_signals() - forward SIGINT, SIGTERM, SIGHUP and SIGQUIT to the
 * command (@on), or restore their default action (in the child before
 * it execs).  Once the command has gone, a forwarded signal goes to
 * every task it left behind.
 */
void rec_signals(bool on);
/** rec_signals_target() - the command's pid, once it exists. */
void rec_signals_target(pid_t pid);
/** rec_signal_pending() - the last forwarded signal, 0 when none. */
int rec_signal_pending(void);

/** rec_stream_start() - start the thread that reads trace_pipe. */
int rec_stream_start(struct rec_session *s, char *err, size_t n);
/** rec_stream_stop() - after tracing is off: read what is left, stop the thread. */
void rec_stream_stop(struct rec_session *s);
/** rec_session_free() - free the events, snapshots and counters. */
void rec_session_free(struct rec_session *s);
/** rec_cpu() - @cpu's counters in @s, added when new. */
struct rec_cpu_stats *rec_cpu(struct rec_session *s, int cpu);
/** rec_progress() - the progress line (no-op unless enabled); @final ends it. */
void rec_progress(struct rec_session *s, bool final);
/** rec_now() - monotonic seconds. */
double rec_now(void);

/**
 * rec_shell_quote() - @arg as a shell word, appended to @b: unchanged
 * when it has only safe characters, else in single quotes.
 */
void rec_shell_quote(struct rec_buf *b, const char *arg);

/**
 * rec_write_trace() - sort the events and write the trace file.
 * @lost: out: events lost over all CPUs.
 * Return: 0, or -1 (message printed).
 */
int rec_write_trace(struct rec_session *s, FILE *f, unsigned long *lost);

#endif
