/* SPDX-License-Identifier: MIT */
/*
 * Writing the trace file, version 1: a header that says where and what
 * was recorded, the events sorted by timestamp with each snapshot block
 * after its marker line, and a trailer with the per-CPU loss counters
 * and the totals (a file without it was truncated).
 * docs/record-replay.md describes the format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "record.h"

/** rec_shell_quote() - see record.h. */
void rec_shell_quote(struct rec_buf *b, const char *arg)
{
	const char *p;

	if (*arg && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			   "0123456789_@%+=:,./-") == strlen(arg)) {
		rec_buf_printf(b, "%s", arg);
		return;
	}
	rec_buf_printf(b, "'");
	for (p = arg; *p; p++) {
		if (*p == '\'')
			rec_buf_printf(b, "'\\''");
		else
			rec_buf_printf(b, "%c", *p);
	}
	rec_buf_printf(b, "'");
}

static void header(struct rec_session *s, FILE *f)
{
	struct rec_buf cmd = { 0 };
	struct utsname u;
	int i;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	for (i = 0; i < s->o->argc; i++) {
		if (i)
			rec_buf_printf(&cmd, " ");
		rec_shell_quote(&cmd, s->o->argv[i]);
	}
	fprintf(f, "anonvma-trace 1\n");
	fprintf(f, "kernel %s\n", u.release);
	fprintf(f, "machine %s\n", u.machine);
	fprintf(f, "page-size %ld\n", sysconf(_SC_PAGESIZE));
	/* Replay must fault the way the recording host did. */
	if (s->zero_page >= 0)
		fprintf(f, "zero-page %s\n", s->zero_page ? "allowed" : "forbidden");
	fprintf(f, "command %s\n", cmd.p ? cmd.p : "");
	fprintf(f, "root-pid %d\n", (int)s->root_pid);
	if (s->missing[0])
		fprintf(f, "missing-events %s\n", s->missing);
	fprintf(f, "events\n");
	rec_buf_free(&cmd);
}

/** rec_write_trace() - see record.h. */
int rec_write_trace(struct rec_session *s, FILE *f, unsigned long *lost)
{
	size_t i, n = atomic_load(&s->nevents);
	unsigned long blocks = 0;
	int c;

	header(s, f);
	rec_sort_events(s->events, n);
	for (i = 0; i < n; i++) {
		const struct rec_event *e = &s->events[i];

		fputs(e->text, f);
		fputc('\n', f);
		if (e->snapshot > 0 && e->snapshot < s->nsnaps &&
		    s->snaps[e->snapshot]) {
			fputs(s->snaps[e->snapshot], f);
			/* A marker is written once: so is its block. */
			free(s->snaps[e->snapshot]);
			s->snaps[e->snapshot] = NULL;
			blocks++;
		}
	}
	*lost = 0;
	for (c = 0; c < s->ncpus; c++) {
		const struct rec_cpu_stats *st = &s->cpus[c];
		/* "[LOST N EVENTS]" lines are overruns the reader saw. */
		unsigned long over = st->overrun > st->lost_lines ?
				     st->overrun : st->lost_lines;

		fprintf(f, "@lost cpu=%d overrun=%lu dropped=%lu commit-overrun=%lu\n",
			st->cpu, over, st->dropped, st->commit_overrun);
		*lost += over + st->dropped + st->commit_overrun;
	}
	fprintf(f, "@end-of-trace events=%zu snapshots=%lu\n", n, blocks);
	if (fflush(f) || ferror(f)) {
		perror("anonvma record: writing the trace");
		return -1;
	}
	return 0;
}
