/* SPDX-License-Identifier: MIT */
/*
 * The fuzz loop: generate a scenario from seed + i, check it (model with
 * the invariant checker, then the oracle), and shrink every new kind of
 * failure to a small scenario file with a header that says where it came
 * from and how to replay it (docs/fuzzing.md).
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <anonvma/system.h>

#include "../scenario/scenario.h"
#include "fuzz.h"

#define MAX_SEEN 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mkdir -p */
static int make_dir(const char *dir)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0777) && errno != EEXIST)
		return -1;
	return 0;
}

/* "fuzz.scn:12: invariant ..." -> "invariant ...": line numbers shift. */
static const char *strip_location(const char *msg)
{
	const char *p = msg;

	if (strncmp(p, "fuzz.scn:", 9))
		return msg;
	p += 9;
	p += strspn(p, "0123456789:");
	return *p == ' ' ? p + 1 : p;
}

/** fuzz_write_finding() - see fuzz.h. */
int fuzz_write_finding(const char *dir, uint64_t seed, const char *text,
		       const struct fuzz_result *r, const char *repro,
		       const struct fuzz_shrink_stats *sst, char *path)
{
	const char *body = text;
	FILE *f;

	if (make_dir(dir))
		return -1;
	snprintf(path, 512, "%s/seed-%llu-%s.scn", dir,
		 (unsigned long long)seed, fuzz_kind_name(r->kind));
	f = fopen(path, "w");
	if (!f)
		return -1;
	/* The generator's own first line (its seed) is replaced by this. */
	if (!strncmp(body, "# anonvma fuzz: seed", 20))
		body += strcspn(body, "\n") + (body[strcspn(body, "\n")] == '\n');
	fprintf(f, "# Found by anonvma fuzz, seed %llu: %s (%s).\n",
		 (unsigned long long)seed, fuzz_kind_name(r->kind), r->sig);
	fprintf(f, "# %s\n", strip_location(r->msg));
	if (sst)
		fprintf(f, "# Shrunk from %d to %d operations (%lu runs).\n",
			sst->ops_before, sst->ops_after, sst->runs);
	fprintf(f, "# Original: %s\n", repro);
	fprintf(f, "# Reproduce: anonvma %s %s\n",
		r->kind == FUZZ_DIFF || r->kind == FUZZ_ORACLE ?
		"diff" : "run --check", path);
	fputs(body, f);
	if (fclose(f))
		return -1;
	return 0;
}

struct shrink_arg {
	const struct fuzz_opts *o;
	const struct fuzz_result *want;
};

static bool still_fails(const char *text, size_t len, void *arg)
{
	const struct shrink_arg *sa = arg;
	struct fuzz_result r;

	/*
	 * A disagreement with the generator is kept only by candidates
	 * the generator could have written: deleting the write a read
	 * checks, or the mmap an mremap needs, "fails" too, but shows
	 * nothing.
	 */
	if (sa->want->kind == FUZZ_OPFAIL || sa->want->kind == FUZZ_EXPECT) {
		struct scn_error perr;
		struct scenario *s = scn_parse("fuzz.scn", text, len, &perr);
		char why[256];
		bool ok = s && fuzz_shadow_check(s, why, sizeof(why));

		scn_free(s);
		if (!ok)
			return false;
	}
	fuzz_check(text, len, sa->o->oracle, sa->o->timeout, &r);
	return fuzz_same_failure(&r, sa->want);
}

static void repro_command(const struct fuzz_opts *o, uint64_t seed,
			  char *buf, size_t n)
{
	int b, k;

	k = snprintf(buf, n, "anonvma fuzz%s --seed %llu --count 1 --steps %d",
		     o->oracle ? " --kernel" : "", (unsigned long long)seed,
		     o->steps);
	if (o->design && k > 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, " --design %s", o->design);
	for (b = 0; b < NR_BUGS && k > 0 && (size_t)k < n; b++)
		if (o->bugs & (1UL << b))
			k += snprintf(buf + k, n - (size_t)k, " --bug %s",
				      bug_name((enum anonvma_bug)b));
}

struct seen {
	enum fuzz_kind kind;
	char sig[128];
	char path[512];
};

/* Shrink and write one new failure; print what became of it. */
static void report(const struct fuzz_opts *o, struct fuzz_stats *st,
		   uint64_t seed, const char *text, const struct fuzz_result *r,
		   struct seen *seen, int *nseen)
{
	struct shrink_arg sa = { o, r };
	struct fuzz_shrink_stats sst;
	struct fuzz_result fin;
	char repro[512], path[512];
	double t0 = now();
	char *small;
	int i;

	for (i = 0; i < *nseen; i++) {
		if (seen[i].kind != r->kind || strcmp(seen[i].sig, r->sig))
			continue;
		if (o->progress)
			fprintf(o->progress, "fuzz: seed %llu: %s (%s): as %s\n",
				(unsigned long long)seed, fuzz_kind_name(r->kind),
				r->sig, seen[i].path);
		return;
	}
	repro_command(o, seed, repro, sizeof(repro));
	if (o->progress) {
		fprintf(o->progress, "fuzz: seed %llu: %s (%s): %s\n",
			(unsigned long long)seed, fuzz_kind_name(r->kind), r->sig,
			strip_location(r->msg));
		fflush(o->progress);
	}
	/*
	 * A text that does not parse cannot be shrunk by parsing
	 * candidates; an oracle that could not run says nothing about
	 * smaller scenarios.  Both are written as they are.
	 */
	if (r->kind == FUZZ_PARSE || r->kind == FUZZ_ORACLE) {
		small = strdup(text);
		memset(&sst, 0, sizeof(sst));
	} else {
		small = fuzz_shrink(text, still_fails, &sa, o->shrink_runs, &sst);
	}
	st->shrink_seconds += now() - t0;
	if (small && r->kind != FUZZ_PARSE && r->kind != FUZZ_ORACLE) {
		/* The header quotes the shrunk scenario's own failure. */
		fuzz_check(small, strlen(small), o->oracle, o->timeout, &fin);
		if (fuzz_same_failure(&fin, r))
			r = &fin;
	}
	if (!small || fuzz_write_finding(o->out, seed, small, r, repro,
					 r->kind == FUZZ_PARSE || r->kind == FUZZ_ORACLE ?
					 NULL : &sst,
					 path)) {
		if (o->progress)
			fprintf(o->progress, "fuzz: cannot write the finding to %s: %s\n",
				o->out, strerror(errno));
		free(small);
		return;
	}
	free(small);
	st->findings++;
	if (!st->first_file[0])
		snprintf(st->first_file, sizeof(st->first_file), "%s", path);
	if (o->progress)
		fprintf(o->progress, "fuzz:   shrunk %d -> %d operations in %lu runs (%.1f s): %s\n",
			sst.ops_before, sst.ops_after, sst.runs, now() - t0,
			path);
	if (*nseen < MAX_SEEN) {
		seen[*nseen].kind = r->kind;
		snprintf(seen[*nseen].sig, sizeof(seen[0].sig), "%s", r->sig);
		snprintf(seen[*nseen].path, sizeof(seen[0].path), "%s", path);
		(*nseen)++;
	}
}

/** fuzz_opts_gen() - see fuzz.h. */
void fuzz_opts_gen(const struct fuzz_opts *o, uint64_t seed,
		   struct fuzz_gen_opts *go)
{
	fuzz_gen_defaults(go, seed);
	go->steps = o->steps;
	go->design = o->design;
	go->bugs = o->bugs;
	if (o->oracle) {
		/*
		 * Against the kernel: no model-only steps, and no loads from
		 * file or shared memory: a read fault there maps the
		 * neighbouring page-cache pages too (fault-around), which
		 * the model does not do.  Stores fault one page on both.
		 */
		go->model_only = false;
		go->shared_reads = false;
	}
}

/** fuzz_run() - see fuzz.h. */
int fuzz_run(const struct fuzz_opts *o, struct fuzz_stats *st)
{
	struct seen *seen = calloc(MAX_SEEN, sizeof(*seen));
	struct fuzz_gen_opts go;
	double t0 = now(), last = t0;
	unsigned long i;
	int nseen = 0;

	memset(st, 0, sizeof(*st));
	if (!seen)
		return 2;
	for (i = 0; i < o->count; i++) {
		uint64_t seed = o->seed + i;
		struct fuzz_result r;
		char *text;

		fuzz_opts_gen(o, seed, &go);
		text = fuzz_generate(&go);
		fuzz_check(text, strlen(text), o->oracle, o->timeout, &r);
		st->run++;
		if (r.kind == FUZZ_PASS) {
			st->passed++;
		} else {
			st->failed++;
			st->by_kind[r.kind]++;
			report(o, st, seed, text, &r, seen, &nseen);
		}
		free(text);
		if (o->max_failures && st->failed >= o->max_failures)
			break;
		if (o->progress && o->progress_every > 0 &&
		    now() - last >= o->progress_every) {
			last = now();
			fprintf(o->progress, "fuzz: %lu/%lu scenarios, %lu failed, %.1f scenarios/s\n",
				st->run, o->count, st->failed,
				(double)st->run / (last - t0));
			fflush(o->progress);
		}
	}
	st->seconds = now() - t0;
	free(seen);
	return st->failed ? 1 : 0;
}
