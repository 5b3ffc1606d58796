/* SPDX-License-Identifier: MIT */
/*
 * The built-in workload of `anonvma run` (no file): a forking server,
 * written as scenario text and parsed like any file, and the short
 * summary printed after it.  `anonvma workload` prints the text, so it
 * is also an example of the language.
 */
#include <stdlib.h>
#include <string.h>

#include <anonvma/system.h>

#include "exec.h"
#include "ops.h"

static const char workload[] =
"# The built-in workload of `anonvma run`: a forking server.\n"
"#\n"
"# A server maps a configuration area, a heap and an I/O buffer, fills\n"
"# them, and forks a worker per request.  Each worker writes part of the\n"
"# heap and its buffer (copy-on-write: it gets private copies, the rest\n"
"# stays shared), and exits.  Meanwhile memory pressure swaps shared\n"
"# pages out, and rmap walks show which processes map a shared page.\n"
"\n"
"window 0x200000000000 pages 512\n"
"region config 0 4\n"
"region heap 16 32\n"
"region buf 64 8\n"
"\n"
"proc server\n"
"server mmap config rw\n"
"server mmap heap rw\n"
"server mmap buf rw\n"
"server write config\n"
"server write heap\n"
"server write buf\n"
"expect live anon_vma 3\n"
"server mprotect config r             # read-only from now on\n"
"expect server maps config r, heap rw, buf rw\n"
"\n"
"# Worker 1: every faulted VMA gets its own anon_vma in the child.\n"
"server fork w1\n"
"expect step anon_vma +3 -0\n"
"expect step avc +6 -0\n"
"expect same server heap w1 heap\n"
"expect server page heap present noexcl mc=2\n"
"w1 write heap[0:8]\n"
"w1 write buf\n"
"expect differ server heap[0:8] w1 heap[0:8]\n"
"expect w1 page heap[0:8] present excl mc=1\n"
"expect same server heap[8:32] w1 heap[8:32]\n"
"\n"
"# Worker 2, while worker 1 still runs.\n"
"server fork w2\n"
"w2 write heap[8:16]\n"
"w2 write buf\n"
"expect server page heap[16:32] present noexcl mc=3\n"
"rmap server heap[20]                  # shared by all three\n"
"expect server heap[20] folio walk 3\n"
"\n"
"# Memory pressure: shared pages leave every process at once.\n"
"swapout server heap[24:32]\n"
"expect server page heap[24:32] swap\n"
"expect w1 page heap[24:32] swap\n"
"w2 read heap[24:28]                   # swapped back in\n"
"expect w2 page heap[24:28] present\n"
"w1 exit\n"
"\n"
"# Workers 3 and 4.\n"
"server fork w3\n"
"w3 write heap[16:24]\n"
"w3 exit\n"
"server fork w4\n"
"w4 write buf[0:4]\n"
"referenced server config\n"
"w4 exit\n"
"w2 exit\n"
"\n"
"# Only the server is left: its pages are exclusive to it again.\n"
"rmap server heap[20]\n"
"expect server heap[20] folio walk 1\n"
"expect live anon_vma 3\n"
"expect live avc 3\n"
"expect server maps config r, heap rw, buf rw\n";

/** workload_text() - see exec.h. */
const char *workload_text(void)
{
	return workload;
}

/** workload_name() - see exec.h. */
const char *workload_name(void)
{
	return "<built-in workload>";
}

#define MAX_WALK_NOTES 4

struct summary_notes {
	int nprocs;
	int *vmas;		/* per process at the last step; -1: gone */
	char *walks[MAX_WALK_NOTES];
	int nwalks;
};

/** summary_notes_new() - see exec.h. */
struct summary_notes *summary_notes_new(const struct scenario *s)
{
	struct summary_notes *n = calloc(1, sizeof(*n));

	if (n)
		n->vmas = calloc((size_t)s->nprocs + 1, sizeof(*n->vmas));
	if (!n || !n->vmas) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	n->nprocs = s->nprocs;
	return n;
}

/** summary_notes_free() - see exec.h. */
void summary_notes_free(struct summary_notes *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < n->nwalks; i++)
		free(n->walks[i]);
	free(n->vmas);
	free(n);
}

/* "server @20 f5: 3 VMAs visited, 3 map it (server w1 w2)" */
static void note_walks(struct summary_notes *n, const struct scenario *s,
		       const struct obs_step *o)
{
	int i, j;

	for (i = 0; i < o->model.nfolio_ops && n->nwalks < MAX_WALK_NOTES; i++) {
		const struct obs_folio_op *f = &o->model.folio_ops[i];
		char buf[256];
		int len, mapped = 0;

		if (f->label < 0)
			continue;
		for (j = 0; j < f->nvisits; j++)
			mapped += f->visits[j].mapped;
		len = snprintf(buf, sizeof(buf),
			       "%s @%lu (f%d): %d VMA%s visited, %d map%s it (",
			       s->procs[s->steps[o->index - 1].proc].name,
			       f->page, f->label, f->nvisits,
			       f->nvisits == 1 ? "" : "s", mapped,
			       mapped == 1 ? "s" : "");
		for (j = 0; j < f->nvisits && len < (int)sizeof(buf) - 40; j++)
			if (f->visits[j].mapped && f->visits[j].proc >= 0)
				len += snprintf(buf + len, sizeof(buf) - (size_t)len,
						"%s%s", buf[len - 1] == '(' ? "" : " ",
						s->procs[f->visits[j].proc].name);
		snprintf(buf + len, sizeof(buf) - (size_t)len, ")");
		n->walks[n->nwalks++] = strdup(buf);
	}
}

/** summary_on_step() - see exec.h. */
void summary_on_step(const struct scenario *s, const struct obs_step *o,
		     void *arg)
{
	struct summary_notes *n = arg;
	int i;

	for (i = 0; i < n->nprocs; i++)
		n->vmas[i] = -1;
	for (i = 0; i < o->nprocs; i++)
		n->vmas[o->procs[i].proc] = o->procs[i].nvmas;
	if (scn_op_has(&s->steps[o->index - 1], SCN_OPF_VISITS))
		note_walks(n, s, o);
}

/* "3 (3 __anon_vma_prepare, 12 anon_vma_fork)" */
static void print_sites(FILE *out, const unsigned long *count)
{
	unsigned long total = 0;
	const char *sep = "";
	int k;

	for (k = 0; k < NR_OBS_SITES; k++)
		total += count[k];
	fprintf(out, "%lu", total);
	if (!total)
		return;
	fprintf(out, " (");
	for (k = 0; k < NR_OBS_SITES; k++)
		if (count[k]) {
			fprintf(out, "%s%lu %s", sep, count[k],
				obs_site_name((enum obs_site)k));
			sep = ", ";
		}
	fprintf(out, ")");
}

/** print_summary() - see exec.h. */
void print_summary(FILE *out, const struct scenario *s,
		   const struct exec_summary *sum,
		   const struct summary_notes *n)
{
	bool builtin = !strcmp(s->name, workload_name());
	const char *sep = "";
	int i, obj;

	fprintf(out, "anonvma: %s, design %s\n\n",
		builtin ? "the built-in forking-server workload" : s->name,
		design_name((enum anonvma_design)sum->design));
	if (builtin)
		fprintf(out,
			"  A server maps three regions, fills them and forks four workers;\n"
			"  each one writes part of the heap (copy-on-write) and exits.\n"
			"  Shared pages are swapped out and walked through the rmap.\n\n");
	fprintf(out, "  steps            %d of %d run, %d operations failed\n",
		sum->steps_run, s->nsteps, sum->op_failures);
	fprintf(out, "  expectations     %d passed, %d failed\n",
		sum->expectations - sum->expect_failures, sum->expect_failures);
	if (sum->checks)
		fprintf(out, "  invariants       checked after %d steps, %s\n",
			sum->checks, sum->check_failures ? "VIOLATED" :
			"all held");
	else
		fprintf(out, "  invariants       not checked (use --check)\n");
	fprintf(out, "  processes        %d created, %d exited\n",
		sum->procs_created, sum->procs_exited);
	fprintf(out, "  VMAs at the end  ");
	for (i = 0; n && i < n->nprocs; i++)
		if (n->vmas[i] >= 0) {
			fprintf(out, "%s%s %d", sep, s->procs[i].name, n->vmas[i]);
			sep = ", ";
		}
	fprintf(out, "%s\n", *sep ? "" : "no process left");
	for (obj = 0; obj < NR_SCN_OBJECTS; obj++) {
		fprintf(out, "  %-16s allocated ",
			obs_object_name((enum scn_object)obj));
		print_sites(out, sum->alloc[obj]);
		fprintf(out, "\n                   freed ");
		print_sites(out, sum->free[obj]);
		fprintf(out, ", at most %lu live\n", sum->peak[obj]);
	}
	for (i = 0; n && i < n->nwalks; i++)
		fprintf(out, "  %-16s %s\n", i ? "" : "rmap walks", n->walks[i]);
	if (sum->swapped || sum->migrated)
		fprintf(out, "  folios           %lu swapped out, %lu migrated\n",
			sum->swapped, sum->migrated);
	fprintf(out, "  leaks            %s\n", sum->leaks ? "YES" : "none");
	if (exec_summary_failed(sum))
		fprintf(out, "\nFAIL: see the messages above.\n");
	else
		fprintf(out, "\nPASS: every expectation%s held; nothing leaked.\n",
			sum->checks ? " and invariant" : "");
	if (builtin)
		fprintf(out, "The scenario: `anonvma workload`.  Every step's observations:\n"
			"`anonvma workload | anonvma run --check -`.\n");
}
