/* SPDX-License-Identifier: MIT */
/*
 * The kernel executor: runs a scenario on the host kernel and reports
 * the same observations as the model executor (exec_model.c), the
 * kernel-observable part.
 *
 * A run is two traced passes over the scenario in fresh processes forked
 * from one zygote (kworker.c): the observed pass (every step, observed
 * after each) and the control pass (only `proc`, `fork` and `exit`).
 * The control pass's allocations and frees are those of the processes'
 * own VMAs outside the window (stack, data, libc: kernel-oracle.md §3),
 * and are subtracted step by step and call site by call site, so that
 * what remains is the scenario's own objects, which compare exactly with
 * the model's.  A run during which a page migrated (pgmigrate_success
 * moved) or the trace lost events is repeated (at most three times).
 *
 * Everything runs pinned to one CPU (the per-CPU LRU batches otherwise
 * make COW reuse nondeterministic, kernel-oracle.md §2 pitfall (a)), in
 * a window probed free, with no transparent huge pages.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "../scenario/exec_internal.h"
#include "../scenario/ops.h"
#include "kexec.h"

#define ATTEMPTS	3

static unsigned long now_usec(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (unsigned long)tv.tv_sec * 1000000UL + (unsigned long)tv.tv_usec;
}

/* The window, with one page either side, must be free in this process. */
static int probe_window(const struct scenario *s, char *err, size_t n)
{
	unsigned long lo = s->base - KPAGE_SIZE;
	size_t len = (s->pages + 2) * KPAGE_SIZE;
	void *p;

	p = mmap((void *)lo, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)lo) {
		snprintf(err, n, "the window %#lx-%#lx (and a page either side) is not free: %s",
			 s->base, s->base + s->pages * KPAGE_SIZE,
			 p == MAP_FAILED ? strerror(errno) : "placed elsewhere");
		if (p != MAP_FAILED)
			munmap(p, len);
		return -1;
	}
	munmap(p, len);
	return 0;
}

/*
 * A memfd per scenario file, each page holding the token the model's
 * file pages hold (mm/filemap.c: bit 63, file serial, page index), the
 * files numbered 1, 2... in declaration order as a fresh model does.
 * tmpfs keeps every page in the page cache, small, never written back.
 */
static int make_files(struct kx *x)
{
	const struct scenario *s = x->s;
	int i;

	x->memfd = calloc((size_t)s->nfiles + 1, sizeof(*x->memfd));
	if (!x->memfd)
		goto oom;
	for (i = 0; i < s->nfiles; i++) {
		char name[64];
		struct stat sb;
		unsigned long p;

		snprintf(name, sizeof(name), "anonvma-%s", s->files[i].name);
		x->memfd[i] = memfd_create(name, 0);
		if (x->memfd[i] < 0 ||
		    ftruncate(x->memfd[i], (off_t)(s->files[i].pages * KPAGE_SIZE))) {
			snprintf(x->err, sizeof(x->err), "memfd for file %s: %s",
				 s->files[i].name, strerror(errno));
			return -1;
		}
		for (p = 0; p < s->files[i].pages; p++) {
			uint64_t tok = (1ULL << 63) | ((uint64_t)(i + 1) << 32) | p;

			if (pwrite(x->memfd[i], &tok, sizeof(tok),
				   (off_t)(p * KPAGE_SIZE)) != sizeof(tok)) {
				snprintf(x->err, sizeof(x->err), "writing file %s: %s",
					 s->files[i].name, strerror(errno));
				return -1;
			}
		}
		if (fstat(x->memfd[i], &sb)) {
			snprintf(x->err, sizeof(x->err), "fstat: %s", strerror(errno));
			return -1;
		}
		x->obs_reader.file_ino[i] = sb.st_ino;
		x->obs_reader.file_dev[i] = sb.st_dev;
	}
	return 0;
oom:
	snprintf(x->err, sizeof(x->err), "out of memory");
	return -1;
}

static void free_obs(struct kx *x)
{
	int i;

	if (!x->obs)
		return;
	for (i = 0; i < x->s->nsteps; i++)
		obs_step_free(&x->obs[i]);
	free(x->obs);
	x->obs = NULL;
}

/* Is the attempt's trace trustworthy?  "" if so, else why not. */
static const char *unreliable(const struct kcounts *c)
{
	if (c->lost)
		return "the trace lost events";
	if (!c->end_seen)
		return "the trace has no end marker";
	if (c->unfreed)
		return "objects allocated during the run were never seen freed";
	return "";
}

/*
 * Observed minus control, per step and call site, into the observations;
 * live counts; and the checks that the difference makes sense: never
 * negative, nothing before the first step, and every object of the
 * scenario freed by the end.
 */
static int subtract(struct kx *x, const struct kcounts *run,
		    const struct kcounts *ctl, struct exec_summary *sum)
{
	const struct scenario *s = x->s;
	long live[NR_SCN_OBJECTS] = { 0 };
	int i, obj, k;

	for (obj = 0; obj < NR_SCN_OBJECTS; obj++)
		for (k = 0; k < NR_OBS_SITES; k++)
			if (run->step[s->nsteps + 1].alloc[obj][k] ||
			    run->step[s->nsteps + 1].free[obj][k]) {
				snprintf(x->err, sizeof(x->err),
					 "trace events before the first step");
				return -1;
			}
	for (i = 0; i <= x->steps_run; i++) {
		/* i == steps_run: the teardown (bucket s->nsteps). */
		int b = i < x->steps_run ? i : s->nsteps;

		for (obj = 0; obj < NR_SCN_OBJECTS; obj++) {
			struct obs_objects *ob = i < x->steps_run ?
						 &x->obs[i].obj[obj] : NULL;

			for (k = 0; k < NR_OBS_SITES; k++) {
				unsigned long ra = run->step[b].alloc[obj][k];
				unsigned long rf = run->step[b].free[obj][k];
				unsigned long ca = ctl->step[b].alloc[obj][k];
				unsigned long cf = ctl->step[b].free[obj][k];

				if (ca > ra || cf > rf) {
					snprintf(x->err, sizeof(x->err),
						 "%s: the control pass has more %s events at %s than the run (%lu/%lu vs %lu/%lu): the baseline is not stable",
						 i < x->steps_run ? s->steps[i].text : "teardown",
						 obs_object_name((enum scn_object)obj),
						 obs_site_name((enum obs_site)k),
						 ca, cf, ra, rf);
					return -1;
				}
				if (ob) {
					ob->alloc[k] = ra - ca;
					ob->free[k] = rf - cf;
				}
				sum->alloc[obj][k] += ra - ca;
				sum->free[obj][k] += rf - cf;
				live[obj] += (long)(ra - ca) - (long)(rf - cf);
				x->info->baseline[obj] += ca;
			}
			if (live[obj] < 0) {
				snprintf(x->err, sizeof(x->err),
					 "more %s objects freed than allocated after step %d",
					 obs_object_name((enum scn_object)obj), i + 1);
				return -1;
			}
			if (ob)
				ob->live = (unsigned long)live[obj];
			if ((unsigned long)live[obj] > sum->peak[obj])
				sum->peak[obj] = (unsigned long)live[obj];
		}
	}
	for (obj = 0; obj < NR_SCN_OBJECTS; obj++)
		if (live[obj]) {
			snprintf(x->err, sizeof(x->err),
				 "%ld %s objects of the scenario still live after every process exited",
				 live[obj], obs_object_name((enum scn_object)obj));
			return -1;
		}
	return 0;
}

/* ANONVMA_KERNEL_DEBUG=1: the raw counts of both passes, per step. */
static void debug_counts(const struct kx *x, const struct kcounts *run,
			 const struct kcounts *ctl)
{
	int i, obj, k;

	if (!getenv("ANONVMA_KERNEL_DEBUG"))
		return;
	fprintf(stderr, "kernel run of %s: %lu+%lu events counted, %lu+%lu of other caches, %lu+%lu of other processes\n",
		x->s->name, run->events, ctl->events, run->ignored, ctl->ignored,
		run->foreign, ctl->foreign);
	for (i = 0; i <= x->steps_run; i++) {
		int b = i < x->steps_run ? i : x->s->nsteps;

		fprintf(stderr, "  %-28.28s", i < x->steps_run ? x->s->steps[i].text :
			"(teardown)");
		for (obj = 0; obj < NR_SCN_OBJECTS; obj++)
			for (k = 0; k < NR_OBS_SITES; k++) {
				const struct kcounts_step *r = &run->step[b];
				const struct kcounts_step *c = &ctl->step[b];

				if (r->alloc[obj][k] || c->alloc[obj][k])
					fprintf(stderr, " %s+%s %lu/%lu",
						obj ? "avc" : "av", obs_site_name((enum obs_site)k),
						r->alloc[obj][k], c->alloc[obj][k]);
				if (r->free[obj][k] || c->free[obj][k])
					fprintf(stderr, " %s-%s %lu/%lu",
						obj ? "avc" : "av", obs_site_name((enum obs_site)k),
						r->free[obj][k], c->free[obj][k]);
			}
		fputc('\n', stderr);
	}
}

/* One attempt: both passes, parsed and subtracted. */
static int attempt(struct kx *x, struct exec_summary *sum, bool *retry)
{
	struct kcounts run = { 0 }, ctl = { 0 };
	long mig = kernel_read_vmstat("pgmigrate_success");
	unsigned long t0 = now_usec(), t1;
	const char *why;
	int ret = -1;

	*retry = false;
	free_obs(x);
	x->obs = calloc((size_t)x->s->nsteps + 1, sizeof(*x->obs));
	if (!x->obs) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	x->steps_run = 0;
	if (kpass_run(x, true, &run))
		goto out;
	t1 = now_usec();
	x->info->usec_run = t1 - t0;
	if (kpass_run(x, false, &ctl))
		goto out;
	x->info->usec_control = now_usec() - t1;
	x->info->events = run.events + ctl.events;
	why = unreliable(&run);
	if (!*why)
		why = unreliable(&ctl);
	if (!*why && kernel_read_vmstat("pgmigrate_success") != mig)
		why = "a page migrated during the run (pgmigrate_success moved)";
	if (*why) {
		snprintf(x->err, sizeof(x->err), "%s", why);
		*retry = true;
		goto out;
	}
	debug_counts(x, &run, &ctl);
	memset(sum->alloc, 0, sizeof(sum->alloc));
	memset(sum->free, 0, sizeof(sum->free));
	memset(sum->peak, 0, sizeof(sum->peak));
	memset(x->info->baseline, 0, sizeof(x->info->baseline));
	ret = subtract(x, &run, &ctl, sum);
out:
	kcount_free(&run);
	kcount_free(&ctl);
	return ret;
}

/* `read R == V`, as the model executor checks it. */
static void check_values(struct exec_state *es, const struct scn_step *st,
			 struct obs_step *o)
{
	int i;

	if (!scn_op_has(st, SCN_OPF_VALUES) || !st->has_value)
		return;
	es->sum->expectations++;
	for (i = 0; i < o->nvalues; i++) {
		if (o->values[i] == st->value)
			continue;
		es->sum->expect_failures++;
		exec_fail(es, o, st->line,
			  "expectation failed: read @%lu == 0x%llx, found 0x%llx",
			  st->r.first + (unsigned long)i,
			  (unsigned long long)st->value,
			  (unsigned long long)o->values[i]);
		return;
	}
}

/* The result against `expect errno`, with exec_model's messages. */
static void check_result(struct exec_state *es, const struct scn_step *st,
			 struct obs_step *o)
{
	if (st->expect_errno) {
		es->sum->expectations++;
		if (o->result == st->expect_errno)
			return;
		es->sum->expect_failures++;
		exec_fail(es, o, st->errno_line,
			  "expectation failed: errno %s, found %s",
			  scn_result_name(st->expect_errno),
			  o->result ? scn_result_name(o->result) : "success");
		return;
	}
	if (o->result == SCN_OK)
		return;
	es->sum->op_failures++;
	exec_fail(es, o, st->line, "operation failed: %s: %s", st->text,
		  scn_result_name(o->result));
}

/* The part of observations an expectation of kind @kind needs. */
static unsigned int parts_of(enum scn_expect_kind kind)
{
	switch (kind) {
	case SCN_EX_MAPS:
	case SCN_EX_VMAS:
		return OBS_PART_MAPS;
	case SCN_EX_PAGE:
	case SCN_EX_SAME:
	case SCN_EX_DIFFER:
		return OBS_PART_PAGES;
	case SCN_EX_LIVE:
	case SCN_EX_STEP:
		return OBS_PART_OBJECTS;
	default:
		return ~0U;	/* model only */
	}
}

/*
 * Evaluate step @i's result and the expectations the kernel can decide,
 * with the model executor's own code (expect.c) on a copy of the step
 * that holds only those.
 */
static void evaluate(struct kx *x, struct exec_state *es, int i)
{
	const struct scn_step *st = &x->s->steps[i];
	unsigned int parts = kernel_comparable(x->s, i, NULL);
	struct scn_step copy = *st;
	struct obs_step *o = &x->obs[i];
	int j;

	if (!x->info->pages)
		parts &= ~(unsigned int)OBS_PART_PAGES;
	if (parts & OBS_PART_RESULT)
		check_result(es, st, o);
	if (parts & OBS_PART_VALUES)
		check_values(es, st, o);
	copy.ex = calloc((size_t)st->nex + 1, sizeof(*copy.ex));
	copy.nex = 0;
	for (j = 0; j < st->nex; j++) {
		unsigned int need = parts_of(st->ex[j].kind);

		if (copy.ex && !st->ex[j].model_only && (need & parts) == need)
			copy.ex[copy.nex++] = st->ex[j];
		else
			x->info->skipped_expectations++;
	}
	if (copy.ex)
		exec_expect_step(es, &copy, o);
	free(copy.ex);
}

static int pick_cpu(void)
{
	cpu_set_t cs;
	int cpu = sched_getcpu(), i;

	if (sched_getaffinity(0, sizeof(cs), &cs))
		return cpu >= 0 ? cpu : 0;
	if (cpu >= 0 && CPU_ISSET(cpu, &cs))
		return cpu;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &cs))
			return i;
	return 0;
}

static int run(struct kx *x, const struct exec_opts *opts,
	       struct exec_summary *sum)
{
	struct exec_state es = { .s = x->s, .opts = opts, .sum = sum };
	bool retry;
	int i, tries;

	if (probe_window(x->s, x->err, sizeof(x->err)) ||
	    kernel_session_open(x->err, sizeof(x->err)) ||
	    kobs_open(&x->obs_reader, x->s, x->info->pages, x->err,
		      sizeof(x->err)) ||
	    make_files(x) ||
	    kfleet_start(&x->fleet, x->s, x->info->cpu, x->err, sizeof(x->err)))
		return 2;
	x->result = calloc((size_t)x->s->nsteps + 1, sizeof(*x->result));
	if (!x->result) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return 2;
	}
	for (tries = 0; tries < ATTEMPTS; tries++) {
		x->info->attempts = tries + 1;
		x->err[0] = '\0';
		if (!attempt(x, sum, &retry))
			break;
		if (!retry)
			return 2;
	}
	if (tries == ATTEMPTS)
		return 2;	/* x->err says why the last attempt failed */
	for (i = 0; i < x->steps_run; i++) {
		const struct scn_step *st = &x->s->steps[i];
		enum scn_kdrive kd;

		if (st->model_only)
			x->info->model_only_steps++;
		kd = scn_op(st->op)->kdrive;
		if (kd == SCN_K_SPAWN ||
		    (kd == SCN_K_FORK && x->obs[i].result == SCN_OK))
			sum->procs_created++;
		if (kd == SCN_K_EXIT)
			sum->procs_exited++;
		evaluate(x, &es, i);
		sum->steps_run++;
		x->obs[i].last = i == x->steps_run - 1;
		if (opts->on_step)
			opts->on_step(x->s, &x->obs[i], opts->arg);
	}
	return exec_summary_failed(sum) ? 1 : 0;
}

#if defined(__SANITIZE_ADDRESS__)
#define BUILT_WITH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUILT_WITH_ASAN 1
#endif
#endif

/*
 * Can a worker of this build run @s on the kernel?  Not an mlockall()
 * under AddressSanitizer: MCL_CURRENT would lock and populate the
 * terabytes of shadow memory ASan reserves in every process (the
 * interceptor ASan puts on mlockall() does nothing instead, which is as
 * wrong for a comparison).  @info->skipped says why.
 */
static bool sanitizer_allows(const struct scenario *s, struct kernel_info *info)
{
#ifdef BUILT_WITH_ASAN
	int i;

	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].op == SCN_OP_MLOCKALL) {
			snprintf(info->skipped, sizeof(info->skipped),
				 "built with AddressSanitizer, whose shadow memory mlockall(MCL_CURRENT) would lock (line %d)",
				 s->steps[i].line);
			return false;
		}
#endif
	(void)s;
	(void)info;
	return true;
}

/** exec_kernel_info() - see kernel.h. */
int exec_kernel_info(const struct scenario *s, const struct exec_opts *opts,
		     struct exec_summary *sum, struct kernel_info *info)
{
	struct kernel_info local;
	struct kx x = { .s = s };
	cpu_set_t saved, one;
	bool pinned = false;
	int ret, i;

	if (!info)
		info = &local;
	memset(sum, 0, sizeof(*sum));
	x.info = info;
	if (!kernel_probe(info) || !sanitizer_allows(s, info)) {
		sum->design = info->design;
		if (opts->err)
			fprintf(opts->err, "skipped: %s\n", info->skipped);
		return KEXEC_SKIPPED;
	}
	sum->design = info->design;
	x.fleet.rep = x.fleet.zcmd = x.fleet.zygote_pidfd = -1;
	x.obs_reader.kpageflags = x.obs_reader.kpagecount = -1;
	info->cpu = pick_cpu();
	if (!sched_getaffinity(0, sizeof(saved), &saved)) {
		CPU_ZERO(&one);
		CPU_SET(info->cpu, &one);
		pinned = !sched_setaffinity(0, sizeof(one), &one);
	}
	ret = run(&x, opts, sum);
	if (ret == 2) {
		snprintf(info->error, sizeof(info->error), "%s", x.err);
		if (opts->err)
			fprintf(opts->err, "%s: kernel run failed: %s\n", s->name,
				x.err);
	}
	if (x.fleet.mbox)
		kfleet_stop(&x.fleet);
	kobs_close(&x.obs_reader);
	for (i = 0; x.memfd && i < s->nfiles; i++)
		if (x.memfd[i] > 0)
			close(x.memfd[i]);
	free(x.memfd);
	free(x.result);
	free_obs(&x);
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
	return ret;
}

/** exec_kernel() - see kernel.h. */
int exec_kernel(const struct scenario *s, const struct exec_opts *opts,
		struct exec_summary *sum)
{
	return exec_kernel_info(s, opts, sum, NULL);
}
