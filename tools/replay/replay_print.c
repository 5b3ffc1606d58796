// SPDX-License-Identifier: MIT
/* The replay's reports: text for people, JSON for programs, a design table. */
#include <string.h>

#include "replay.h"

/* "12 (3 __anon_vma_prepare, 9 anon_vma_fork)" */
static void by_site(FILE *out, const unsigned long *v)
{
	const char *sep = " (";
	int s;

	fprintf(out, "%lu", obs_sites_sum(v));
	for (s = 0; s < NR_OBS_SITES; s++) {
		if (!v[s])
			continue;
		fprintf(out, "%s%lu %s", sep, v[s], obs_site_name((enum obs_site)s));
		sep = ", ";
	}
	if (strcmp(sep, " ("))
		fputc(')', out);
}

static void side(FILE *out, const char *who, const struct rcounts *c, int o)
{
	fprintf(out, "    %-7s allocated ", who);
	by_site(out, c->alloc[o]);
	fprintf(out, ", freed ");
	by_site(out, c->free[o]);
	fputc('\n', out);
}

/** replay_print() - see replay.h. */
void replay_print(FILE *out, const struct trace *t,
		  const struct replay_result *res, bool per_image)
{
	size_t i, known = 0;
	int o;

	for (i = 0; i < res->nimages; i++)
		known += res->images[i].known;
	fprintf(out, "replay: %s (Linux %s%s, %zu events, %zu snapshots)\n",
		t->command, t->kernel, t->no_zero_page ? ", no zero page" : "",
		t->nev, t->nsnaps);
	fprintf(out, "model: design %s%s, %.3f s\n\n", design_name(res->design),
		res->compared ? " (the host kernel's rules: compared)" :
		" (not the recording kernel's rules: counted, not compared)",
		res->seconds);
	fprintf(out, "  images       %zu (%zu replayed; the rest ran before the first exec)\n",
		res->nimages, known);
	fprintf(out, "  operations   %lu: %lu faults, %lu memory system calls, %lu forks, %lu execs, %lu exits\n",
		res->ops, res->faults, res->syscalls, res->forks, res->execs,
		res->exits);
	for (o = 0; o < NR_SCN_OBJECTS; o++) {
		fprintf(out, "  %s\n", obs_object_name((enum scn_object)o));
		if (res->compared)
			side(out, "kernel", &res->kernel, o);
		side(out, "model", &res->model, o);
		fprintf(out, "    model peak live %lu\n", res->peak[o]);
	}
	fprintf(out, "  VMAs         %lu at the images' ends, %lu of them with an anon_vma\n",
		res->vmas, res->vmas_with_av);
	if (res->compared) {
		fprintf(out, "  differ       %lu of %lu operations, %lu results; %lu of %lu exit layouts\n",
			res->ops_differ, res->ops, res->results_differ,
			res->layouts_differ, res->layouts);
		fprintf(out, "  not modelled %lu operations\n", res->not_modelled);
		fprintf(out, "  outside      %lu frees of objects from before the recording; %lu anon_vma and %lu anon_vma_chain never freed in it\n",
			res->pretrace_frees, res->kernel_unfreed[SCN_OBJ_ANON_VMA],
			res->kernel_unfreed[SCN_OBJ_AVC]);
	}
	if (res->faults_refused)
		fprintf(out, "  refused      %lu faults got SIGSEGV or SIGBUS on the model\n",
			res->faults_refused);
	if (res->checks)
		fprintf(out, "  invariants   %lu checks, %lu violations%s%s\n",
			res->checks, res->violations,
			res->first_violation[0] ? ": " : "", res->first_violation);

	if (per_image) {
		fprintf(out, "\n  %-5s %-7s %-24s %9s %9s %9s %9s %6s %s\n", "image",
			"pid", "program", "av k", "av m", "avc k", "avc m", "ops≠",
			"layout");
		for (i = 0; i < res->nimages; i++) {
			const struct replay_image *ri = &res->images[i];

			if (!ri->known)
				continue;
			fprintf(out, "  %-5d %-7d %-24.24s %9lu %9lu %9lu %9lu %6lu %s\n",
				ri->id, ri->pid, ri->name,
				obs_sites_sum(ri->kernel.alloc[SCN_OBJ_ANON_VMA]),
				obs_sites_sum(ri->model.alloc[SCN_OBJ_ANON_VMA]),
				obs_sites_sum(ri->kernel.alloc[SCN_OBJ_AVC]),
				obs_sites_sum(ri->model.alloc[SCN_OBJ_AVC]), ri->ops_differ,
				ri->layout > 0 ? "agrees" : ri->layout < 0 ? "DIFFERS" : "-");
		}
	}

	if (res->ndiffs) {
		fprintf(out, "\n");
		for (i = 0; i < res->ndiffs; i++) {
			const struct replay_diff *d = &res->diffs[i];

			fprintf(out, "%s:%lu: image %d, task %d: %s\n  %s\n",
				"trace", d->line, d->image, d->tid, d->what, d->why);
		}
		if (res->ndiffs_total > res->ndiffs)
			fprintf(out, "... and %zu more\n", res->ndiffs_total - res->ndiffs);
	}
	if (!res->compared)
		fprintf(out, "\nCOUNTED under design %s\n", design_name(res->design));
	else if (replay_agrees(res))
		fprintf(out, "\nAGREE: every operation of every image, and every exit layout, as the kernel\n");
	else
		fprintf(out, "\nDIVERGE: %zu disagreements (the first are listed above)\n",
			res->ndiffs_total);
}

static void json_counts(FILE *out, const char *name, const struct rcounts *c)
{
	int o, s;

	fprintf(out, "\"%s\": {", name);
	for (o = 0; o < NR_SCN_OBJECTS; o++) {
		fprintf(out, "%s\"%s\": {\"alloc\": {", o ? ", " : "",
			obs_object_name((enum scn_object)o));
		for (s = 0; s < NR_OBS_SITES; s++)
			fprintf(out, "%s\"%s\": %lu", s ? ", " : "",
				obs_site_name((enum obs_site)s), c->alloc[o][s]);
		fprintf(out, "}, \"free\": {");
		for (s = 0; s < NR_OBS_SITES; s++)
			fprintf(out, "%s\"%s\": %lu", s ? ", " : "",
				obs_site_name((enum obs_site)s), c->free[o][s]);
		fprintf(out, "}}");
	}
	fprintf(out, "}");
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/** replay_print_json() - see replay.h. */
void replay_print_json(FILE *out, const struct trace *t,
		       const struct replay_result *res)
{
	size_t i;

	fprintf(out, "{\"schema\": \"anonvma-replay-1\", \"command\": ");
	json_string(out, t->command);
	fprintf(out, ", \"kernel\": ");
	json_string(out, t->kernel);
	fprintf(out, ", \"design\": \"%s\", \"compared\": %s, \"agree\": %s, ",
		design_name(res->design), res->compared ? "true" : "false",
		replay_agrees(res) ? "true" : "false");
	fprintf(out, "\"events\": %zu, \"images\": %zu, \"operations\": %lu, \"faults\": %lu, \"syscalls\": %lu, \"forks\": %lu, \"execs\": %lu, \"exits\": %lu, ",
		t->nev, res->nimages, res->ops, res->faults, res->syscalls,
		res->forks, res->execs, res->exits);
	fprintf(out, "\"ops_differ\": %lu, \"results_differ\": %lu, \"layouts\": %lu, \"layouts_differ\": %lu, \"not_modelled\": %lu, \"peak\": {\"anon_vma\": %lu, \"anon_vma_chain\": %lu}, \"vmas\": %lu, \"vmas_with_anon_vma\": %lu, ",
		res->ops_differ, res->results_differ, res->layouts,
		res->layouts_differ, res->not_modelled, res->peak[SCN_OBJ_ANON_VMA],
		res->peak[SCN_OBJ_AVC], res->vmas, res->vmas_with_av);
	json_counts(out, "kernel", &res->kernel);
	fprintf(out, ", ");
	json_counts(out, "model", &res->model);
	fprintf(out, ", \"diffs\": [");
	for (i = 0; i < res->ndiffs; i++) {
		fprintf(out, "%s{\"line\": %lu, \"image\": %d, \"tid\": %d, \"what\": ",
			i ? ", " : "", res->diffs[i].line, res->diffs[i].image,
			res->diffs[i].tid);
		json_string(out, res->diffs[i].what);
		fprintf(out, ", \"why\": ");
		json_string(out, res->diffs[i].why);
		fprintf(out, "}");
	}
	fprintf(out, "], \"seconds\": %.6f}\n", res->seconds);
}

/** replay_print_designs() - see replay.h. */
void replay_print_designs(FILE *out, const struct trace *t,
			  const struct replay_result *res, size_t n)
{
	unsigned long base = 0;
	size_t i;

	fprintf(out, "replay: %s (Linux %s, %zu events), every design\n\n",
		t->command, t->kernel, t->nev);
	fprintf(out, "  %-9s %10s %10s %9s %9s %12s %12s %s\n", "design",
		"anon_vma", "avc", "peak av", "peak avc", "peak bytes",
		"VMAs w/ av", "vs v6.18");
	for (i = 0; i < n; i++)
		if (res[i].design == DESIGN_V6_18)
			base = obs_sites_sum(res[i].model.alloc[SCN_OBJ_ANON_VMA]);
	for (i = 0; i < n; i++) {
		const struct replay_result *r = &res[i];
		unsigned long av = obs_sites_sum(r->model.alloc[SCN_OBJ_ANON_VMA]);
		unsigned long bytes = r->peak[SCN_OBJ_ANON_VMA] * design_anon_vma_bytes(r->design) +
				      r->peak[SCN_OBJ_AVC] * design_link_bytes(r->design);

		fprintf(out, "  %-9s %10lu %10lu %9lu %9lu %12lu %5lu of %-5lu",
			design_name(r->design), av,
			obs_sites_sum(r->model.alloc[SCN_OBJ_AVC]), r->peak[SCN_OBJ_ANON_VMA],
			r->peak[SCN_OBJ_AVC], bytes, r->vmas_with_av, r->vmas);
		if (base)
			fprintf(out, " %.2fx", (double)av / (double)base);
		fputc('\n', out);
	}
	fprintf(out, "\n  anon_vma, avc: allocated over the whole run; peak: most live at once;\n"
		"  peak bytes: the peaks at each design's kernel object sizes;\n"
		"  VMAs w/ av: VMAs that had an anon_vma when their image ended;\n"
		"  vs v6.18: anon_vmas allocated, relative to the host's rules.\n");
}
