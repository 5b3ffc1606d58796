/* SPDX-License-Identifier: MIT */
/*
 * A bench run: one workload under each selected design, and the same
 * shape on the host kernel, then the tables (text or JSON).
 *
 * The kernel side runs first: it forks real processes, and a fork
 * copies the whole address space of this process, which the model's
 * runs would have grown.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

/** lab_bench_init() - see lab.h. */
void lab_bench_init(struct lab_bench *b, const struct lab_workload *w)
{
	int i;

	memset(b, 0, sizeof(*b));
	b->w = w;
	for (i = 0; i < w->nparams; i++)
		b->params[i] = w->params[i].def;
	b->designs = (1UL << NR_DESIGNS) - 1;
}

/** lab_bench_set_param() - see lab.h. */
int lab_bench_set_param(struct lab_bench *b, const char *kv, char *msg,
			size_t n)
{
	const char *eq = strchr(kv, '=');
	char name[64], *end;
	long v;
	int i;

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(name)) {
		snprintf(msg, n, "--param wants NAME=VALUE, not '%s'", kv);
		return -1;
	}
	memcpy(name, kv, (size_t)(eq - kv));
	name[eq - kv] = 0;
	i = lab_param_index(b->w, name);
	if (i < 0) {
		snprintf(msg, n, "workload %s has no parameter '%s'", b->w->name,
			 name);
		return -1;
	}
	v = strtol(eq + 1, &end, 0);
	if (!eq[1] || *end) {
		snprintf(msg, n, "parameter %s: '%s' is not a number", name,
			 eq + 1);
		return -1;
	}
	if (v < b->w->params[i].min || v > b->w->params[i].max) {
		snprintf(msg, n, "parameter %s must be in %ld..%ld", name,
			 b->w->params[i].min, b->w->params[i].max);
		return -1;
	}
	b->params[i] = v;
	return 0;
}

/** lab_bench_params_str() - see lab.h. */
const char *lab_bench_params_str(const struct lab_bench *b, char *buf,
				 size_t n)
{
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < b->w->nparams && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s=%ld",
					i ? " " : "", b->w->params[i].name,
					b->params[i]);
	return buf;
}

/** lab_fmt_bytes() - see lab.h. */
const char *lab_fmt_bytes(double bytes, char *buf, size_t n)
{
	if (bytes < 1024)
		snprintf(buf, n, "%.0f B", bytes);
	else if (bytes < 1024 * 1024)
		snprintf(buf, n, "%.1f KiB", bytes / 1024);
	else
		snprintf(buf, n, "%.1f MiB", bytes / (1024 * 1024));
	return buf;
}

static void host_info(struct lab_bench *b)
{
	struct utsname u;
	char model[128] = "", line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");
	time_t t = time(NULL);
	struct tm tm;

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	snprintf(b->host, sizeof(b->host), "Linux %s %s, %s, %ld CPUs",
		 u.release, u.machine, model[0] ? model : "unknown CPU",
		 sysconf(_SC_NPROCESSORS_ONLN));
	gmtime_r(&t, &tm);
	strftime(b->date, sizeof(b->date), "%Y-%m-%d %H:%M UTC", &tm);
}

/** lab_bench_run() - see lab.h. */
int lab_bench_run(struct lab_bench *b, FILE *err)
{
	int d, bad = 0;

	host_info(b);
	if (b->kernel) {
		if (!b->w->kernel) {
			snprintf(b->kres.why, sizeof(b->kres.why),
				 "workload %s has no host-kernel version (it "
				 "needs the model's rmap walks or threads)",
				 b->w->name);
		} else {
			b->w->kernel(b->params, &b->kres);
		}
		if (!b->kres.ran && err)
			fprintf(err, "bench %s: host kernel not measured: %s\n",
				b->w->name, b->kres.why);
	}
	for (d = 0; d < NR_DESIGNS; d++) {
		struct lab_result *r;

		if (!(b->designs & (1UL << d)))
			continue;
		r = &b->res[b->nres++];
		if (lab_model_begin(d, r)) {
			bad = 1;
			continue;
		}
		r->check = b->check;
		if (b->w->model(b->params, r) && !r->error[0])
			snprintf(r->error, sizeof(r->error), "the workload failed");
		lab_model_end(r);
		if (r->error[0] || r->leaks || r->violations > 0) {
			bad = 1;
			if (err && r->error[0])
				fprintf(err, "bench %s: %s: %s\n", b->w->name,
					design_name((enum anonvma_design)d),
					r->error);
		}
	}
	return bad;
}

/** lab_bench_free() - see lab.h. */
void lab_bench_free(struct lab_bench *b)
{
	int i;

	for (i = 0; i < b->nres; i++)
		lab_result_free(&b->res[i]);
	b->nres = 0;
}

static double ratio(unsigned long a, unsigned long b)
{
	return b ? (double)a / (double)b : 0;
}

static bool op_used(const struct lab_bench *b, int op)
{
	int i;

	if (b->kres.ran && b->kres.op[op].n)
		return true;
	for (i = 0; i < b->nres; i++)
		if (b->res[i].op[op].n)
			return true;
	return false;
}

static const char *dname(const struct lab_result *r)
{
	return design_name((enum anonvma_design)r->design);
}

static void print_growth(FILE *out, const struct lab_bench *b)
{
	const struct lab_result *r0 = &b->res[0];
	int cols[6], ncols = 0, i, j;

	if (!b->nres || r0->nseries < 2)
		return;
	for (i = 0; i < 6; i++) {
		int k = (int)((long)(r0->nseries - 1) * i / 5);

		if (!ncols || cols[ncols - 1] != k)
			cols[ncols++] = k;
	}
	fprintf(out, "\nlive anon_vma (anon_vma_chain) by %s\n", b->w->xlabel);
	fprintf(out, "%-10s", "design");
	for (j = 0; j < ncols; j++)
		fprintf(out, " %16.0f", r0->series[cols[j]].x);
	fputc('\n', out);
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];
		char cell[40];

		fprintf(out, "%-10s", dname(r));
		for (j = 0; j < ncols; j++) {
			if (cols[j] >= r->nseries) {
				fprintf(out, " %16s", "-");
				continue;
			}
			snprintf(cell, sizeof(cell), "%lu (%lu)",
				 r->series[cols[j]].anon_vma,
				 r->series[cols[j]].avc);
			fprintf(out, " %16s", cell);
		}
		fputc('\n', out);
	}
}

static void print_kernel(FILE *out, const struct lab_bench *b)
{
	int op, i;

	if (!b->kernel)
		return;
	if (!b->kres.ran) {
		fprintf(out, "\nhost kernel: not measured: %s\n", b->kres.why);
		return;
	}
	fprintf(out, "\nhost kernel, same shape with real processes, this run: "
		"ns per operation (kernel/model)\n%-10s", "");
	for (op = 0; op < NR_LAB_OPS; op++)
		if (b->kres.op[op].n)
			fprintf(out, " %17s", lab_op_name((enum lab_op)op));
	fprintf(out, "\n%-10s", "kernel");
	for (op = 0; op < NR_LAB_OPS; op++)
		if (b->kres.op[op].n)
			fprintf(out, " %17.0f", lab_timer_avg(&b->kres.op[op]));
	fputc('\n', out);
	for (i = 0; i < b->nres; i++) {
		fprintf(out, "%-10s", dname(&b->res[i]));
		for (op = 0; op < NR_LAB_OPS; op++) {
			double kn = lab_timer_avg(&b->kres.op[op]);
			double mn = lab_timer_avg(&b->res[i].op[op]);
			char cell[48];

			if (!b->kres.op[op].n)
				continue;
			if (mn > 0)
				snprintf(cell, sizeof(cell), "%.0f (%.2fx)", mn, kn / mn);
			else
				snprintf(cell, sizeof(cell), "-");
			fprintf(out, " %17s", cell);
		}
		fputc('\n', out);
	}
}

/** lab_bench_print_text() - see lab.h. */
void lab_bench_print_text(FILE *out, const struct lab_bench *b)
{
	char params[512], b1[32];
	int i, op;

	fprintf(out, "bench %s: %s\n", b->w->name, b->w->title);
	fprintf(out, "parameters: %s\n",
		lab_bench_params_str(b, params, sizeof(params)));
	fprintf(out, "host: %s; %s\n", b->host, b->date);

	fprintf(out, "\nrmap walks and memory (anon_vma, avc: most live between operations; "
		"slab peak: inside one, too;\nVMAs, w/ av: VMAs at the end, and "
		"those with an anon_vma)\n");
	fprintf(out, "%-10s %8s %9s %9s %8s %8s %10s %11s %6s %6s %6s %7s\n",
		"design", "walks", "VMAs/walk", "precision", "anon_vma", "avc",
		"bytes", "slab peak", "chain", "VMAs", "w/ av", "av/VMA");
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];
		char peak[32];

		snprintf(peak, sizeof(peak), "%lu/%lu", r->av_peak, r->avc_peak);
		fprintf(out, "%-10s %8lu %9.2f %9.4f %8lu %8lu %10s %11s %6lu %6lu %6lu %7.2f\n",
			dname(r), r->walks, ratio(r->visited, r->walks),
			ratio(r->mapped, r->visited), r->av_max, r->avc_max,
			lab_fmt_bytes((double)(r->av_max * r->av_size +
					       r->avc_max * r->avc_size), b1,
				      sizeof(b1)),
			peak, r->chain_peak, r->vmas, r->vmas_with_av,
			ratio(r->av_max, r->vmas));
	}

	fprintf(out, "\ntime per operation on the model (ns)\n%-10s", "design");
	for (op = 0; op < NR_LAB_OPS; op++)
		if (op_used(b, op))
			fprintf(out, " %9s", lab_op_name((enum lab_op)op));
	fprintf(out, " %9s\n", "total ms");
	for (i = 0; i < b->nres; i++) {
		fprintf(out, "%-10s", dname(&b->res[i]));
		for (op = 0; op < NR_LAB_OPS; op++)
			if (op_used(b, op))
				fprintf(out, " %9.0f",
					lab_timer_avg(&b->res[i].op[op]));
		fprintf(out, " %9.1f\n", b->res[i].wall_ns / 1e6);
	}

	fprintf(out, "\nanon_vma root lock (rwsem, read and write; ns)\n");
	fprintf(out, "%-10s %10s %9s %9s %9s %9s %9s\n", "design", "acquired",
		"contended", "hold avg", "hold max", "wait avg", "wait max");
	for (i = 0; i < b->nres; i++) {
		const struct lock_stats *l = &b->res[i].root_lock;

		fprintf(out, "%-10s %10lu %9lu %9.0f %9llu %9.0f %9llu\n",
			dname(&b->res[i]), l->acquired, l->contended,
			l->acquired ? (double)l->hold_ns / (double)l->acquired : 0,
			l->hold_max_ns,
			l->acquired ? (double)l->wait_ns / (double)l->acquired : 0,
			l->wait_max_ns);
	}
	print_growth(out, b);
	print_kernel(out, b);
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];

		if (r->error[0])
			fprintf(out, "\n%s: FAILED: %s\n", dname(r), r->error);
		if (r->leaks)
			fprintf(out, "\n%s: %lu objects leaked\n", dname(r),
				r->leaks);
		if (r->violations > 0)
			fprintf(out, "\n%s: %ld invariant violations\n", dname(r),
				r->violations);
	}
}

static void json_timers(FILE *out, const struct lab_timer *t)
{
	int op, first = 1;

	fputc('{', out);
	for (op = 0; op < NR_LAB_OPS; op++) {
		if (!t[op].n)
			continue;
		fprintf(out, "%s\"%s\": {\"n\": %lu, \"ns_per_op\": %.1f}",
			first ? "" : ", ", lab_op_name((enum lab_op)op),
			t[op].n, lab_timer_avg(&t[op]));
		first = 0;
	}
	fputc('}', out);
}

/** lab_bench_print_json() - see lab.h. */
void lab_bench_print_json(FILE *out, const struct lab_bench *b)
{
	int i, j;

	fprintf(out, "{\"workload\": ");
	scn_json_string(out, b->w->name);
	fprintf(out, ", \"params\": {");
	for (i = 0; i < b->w->nparams; i++)
		fprintf(out, "%s\"%s\": %ld", i ? ", " : "", b->w->params[i].name,
			b->params[i]);
	fprintf(out, "},\n \"host\": ");
	scn_json_string(out, b->host);
	fprintf(out, ", \"date\": ");
	scn_json_string(out, b->date);
	fprintf(out, ",\n \"designs\": [");
	for (i = 0; i < b->nres; i++) {
		const struct lab_result *r = &b->res[i];
		const struct lock_stats *l = &r->root_lock;

		fprintf(out, "%s\n  {\"design\": \"%s\", \"error\": ", i ? "," : "",
			dname(r));
		if (r->error[0])
			scn_json_string(out, r->error);
		else
			fprintf(out, "null");
		fprintf(out, ", \"walks\": %lu, \"visited\": %lu, \"offered\": %lu, "
			"\"mapped\": %lu, \"visits_per_walk\": %.4f, "
			"\"precision\": %.4f,\n",
			r->walks, r->visited, r->offered, r->mapped,
			ratio(r->visited, r->walks), ratio(r->mapped, r->visited));
		fprintf(out, "   \"anon_vma\": {\"max\": %lu, \"slab_peak\": %lu, "
			"\"live\": %lu, \"allocated\": %lu, \"size\": %lu}, "
			"\"avc\": {\"max\": %lu, \"slab_peak\": %lu, \"live\": %lu, "
			"\"allocated\": %lu, \"size\": %lu},\n",
			r->av_max, r->av_peak, r->av_live, r->av_alloc, r->av_size,
			r->avc_max, r->avc_peak, r->avc_live, r->avc_alloc,
			r->avc_size);
		fprintf(out, "   \"vmas\": %lu, \"vmas_with_anon_vma\": %lu, "
			"\"chain_peak\": %lu, \"leaks\": %lu, \"violations\": %ld, "
			"\"wall_ms\": %.2f,\n   \"ops\": ",
			r->vmas, r->vmas_with_av, r->chain_peak, r->leaks,
			r->violations, r->wall_ns / 1e6);
		json_timers(out, r->op);
		fprintf(out, ",\n   \"root_lock\": {\"acquired\": %lu, "
			"\"contended\": %lu, \"hold_ns\": %llu, \"hold_max_ns\": %llu, "
			"\"wait_ns\": %llu, \"wait_max_ns\": %llu},\n   \"series\": [",
			l->acquired, l->contended, l->hold_ns, l->hold_max_ns,
			l->wait_ns, l->wait_max_ns);
		for (j = 0; j < r->nseries; j++)
			fprintf(out, "%s[%.0f, %lu, %lu, %.4f]", j ? ", " : "",
				r->series[j].x, r->series[j].anon_vma,
				r->series[j].avc, r->series[j].visits);
		fprintf(out, "]}");
	}
	fprintf(out, "],\n \"kernel\": ");
	if (!b->kernel) {
		fprintf(out, "null");
	} else if (!b->kres.ran) {
		fprintf(out, "{\"ran\": false, \"why\": ");
		scn_json_string(out, b->kres.why);
		fputc('}', out);
	} else {
		fprintf(out, "{\"ran\": true, \"ops\": ");
		json_timers(out, b->kres.op);
		fputc('}', out);
	}
	fprintf(out, "}\n");
}
