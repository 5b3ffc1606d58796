/* SPDX-License-Identifier: MIT */
/*
 * `anonvma run --fail-each`: every allocation failure point of a
 * scenario, one run each (the way SQLite tests every malloc failure).
 *
 * A first run without injection counts the allocations the operations
 * make: N points (setup, observation and the final teardown are not
 * counted; the executor arms the injector only while an operation
 * runs).  Then run k = 1..N fails exactly the k-th.  The executor
 * (exec_model.c) checks the operation that got the failure: it returns
 * the kernel's error (ENOMEM; OOM for a fault; EAGAIN for madvise) and
 * leaves the state the kernel leaves (failcheck.c); the rest of the
 * scenario then runs without its expectations, skipping the steps of
 * processes that do not exist (their creation failed), with the
 * invariant checker, the held-lock check and the WARN count after
 * every step, and the leak check at the end.  An operation that
 * succeeds in spite of the failure (6.18's clone retries a failed
 * non-sleeping allocation) must leave exactly what the run without
 * injection left at that step.
 *
 * With a probability instead, each run fails every allocation with that
 * probability under its own seed, and only the checks after injection
 * apply.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <anonvma/system.h>

#include "exec.h"
#include "failcheck.h"
#include "failinject.h"

_Static_assert(NR_FI_CACHES <= 16, "fail_each_result.per_cache too small");

/*
 * The observations of each step of one run, as text (to show) and as a
 * copy of the parts failcheck.c compares, for absorbed failures.
 */
struct capture {
	char **text;
	struct obs_step *obs;
	int n, cap;
};

static void *xmemdup(const void *p, size_t n)
{
	void *q;

	if (!n)
		return NULL;
	q = malloc(n);
	if (!q) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	return memcpy(q, p, n);
}

/*
 * Copy what failcheck.c reads: processes with their VMAs and pages, the
 * anon_vmas and the object counts.  Pointers inside the copied VMAs and
 * pages are the executor's and must not be followed.
 */
static void obs_copy(struct obs_step *dst, const struct obs_step *src)
{
	int i;

	memset(dst, 0, sizeof(*dst));
	dst->index = src->index;
	dst->line = src->line;
	dst->text = src->text;
	dst->result = src->result;
	dst->done = src->done;
	dst->has_model = src->has_model;
	memcpy(dst->obj, src->obj, sizeof(dst->obj));
	dst->nprocs = src->nprocs;
	dst->procs = xmemdup(src->procs, (size_t)src->nprocs * sizeof(*src->procs));
	for (i = 0; i < src->nprocs; i++) {
		const struct obs_proc *p = &src->procs[i];

		dst->procs[i].vmas = xmemdup(p->vmas,
					     (size_t)p->nvmas * sizeof(*p->vmas));
		dst->procs[i].pages = xmemdup(p->pages,
					      (size_t)p->npages * sizeof(*p->pages));
	}
	dst->model.navs = src->model.navs;
	dst->model.avs = xmemdup(src->model.avs,
				 (size_t)src->model.navs * sizeof(*src->model.avs));
}

static void obs_copy_free(struct obs_step *o)
{
	int i;

	for (i = 0; i < o->nprocs; i++) {
		free(o->procs[i].vmas);
		free(o->procs[i].pages);
	}
	free(o->procs);
	free(o->model.avs);
	memset(o, 0, sizeof(*o));
}

static void capture_step(const struct scenario *s, const struct obs_step *o,
			 void *arg)
{
	struct capture *c = arg;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i = o->index - 1;

	if (!f) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	print_text_step(f, s, o);
	fclose(f);
	if (i >= c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;

		while (cap <= i)
			cap *= 2;
		c->text = realloc(c->text, (size_t)cap * sizeof(*c->text));
		c->obs = realloc(c->obs, (size_t)cap * sizeof(*c->obs));
		if (!c->text || !c->obs) {
			fprintf(stderr, "anonvma: out of memory\n");
			exit(2);
		}
		memset(c->text + c->cap, 0,
		       (size_t)(cap - c->cap) * sizeof(*c->text));
		memset(c->obs + c->cap, 0,
		       (size_t)(cap - c->cap) * sizeof(*c->obs));
		c->cap = cap;
	}
	free(c->text[i]);
	c->text[i] = buf;
	obs_copy_free(&c->obs[i]);
	obs_copy(&c->obs[i], o);
	if (i >= c->n)
		c->n = i + 1;
}

static void capture_free(struct capture *c)
{
	int i;

	for (i = 0; i < c->cap; i++) {
		free(c->text[i]);
		obs_copy_free(&c->obs[i]);
	}
	free(c->text);
	free(c->obs);
	memset(c, 0, sizeof(*c));
}

static const char *captured(const struct capture *c, int step)
{
	return step >= 1 && step <= c->n && c->text[step - 1] ?
	       c->text[step - 1] : "";
}

/* Differences of an absorbed failure, collected as text. */
struct diffs {
	FILE *f;
};

static void diff_report(void *arg, const char *msg)
{
	struct diffs *d = arg;

	fprintf(d->f, "%s\n", msg);
}

/*
 * The operation succeeded in spite of the failure: compare its step with
 * the run without it (failcheck.c); the differences go into *@msgs.
 */
static int absorbed_diffs(const struct scenario *s, int step,
			  const struct capture *clean,
			  const struct capture *cap, char **msgs)
{
	struct diffs d;
	size_t len = 0;
	int n;

	*msgs = NULL;
	if (step > clean->n || step > cap->n)
		return 1;
	d.f = open_memstream(msgs, &len);
	if (!d.f) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	n = fail_absorbed_check(s, &s->steps[step - 1], &clean->obs[step - 1],
				&cap->obs[step - 1], diff_report, &d);
	fclose(d.f);
	return n;
}

/* One run with @fi, failure messages to @err as they happen. */
static int run_one(const struct scenario *s, const struct fail_each_opts *fo,
		   struct failinject *fi, struct capture *cap,
		   struct exec_summary *sum, FILE *err)
{
	struct exec_opts eo = {
		.check = true,
		.design = fo->design,
		.fi = fi,
		.bugs = fo->bugs,
		.on_step = cap ? capture_step : NULL,
		.arg = cap,
		.err = err,
	};

	return exec_model(s, &eo, sum);
}

/* Print @msgs with each line indented. */
static void print_indented(FILE *f, const char *msgs)
{
	const char *p = msgs;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(f, "    %.*s\n", n, p);
		p = nl ? nl + 1 : NULL;
	}
}

static const char *step_text(const struct scenario *s, int step)
{
	return step >= 1 && step <= s->nsteps ? s->steps[step - 1].text : "?";
}

static int step_line(const struct scenario *s, int step)
{
	return step >= 1 && step <= s->nsteps ? s->steps[step - 1].line : 0;
}

/*
 * Each run is made in a child process: a run that breaks a lock rule
 * aborts (locking.c), one that deadlocks is stopped by an alarm, and a
 * use after free may crash; each is then one violation of the sweep,
 * not its end.  The child writes its messages to a pipe as they come
 * (the lock checker's report included), then a line that starts with
 * RUN_END and holds the run's results, then what only it can print.
 */
#define RUN_END "\001end "
#define RUN_TIMEOUT 120	/* seconds */

struct run_result {
	bool finished;		/* the child got to the end */
	int status;		/* exec_model()'s */
	int step, result, cache, site;
	unsigned long count, injected;
	bool absorbed, absorbed_diff;
	char *msgs;		/* everything before the end line */
	char *extra;		/* after it */
	char died[64];		/* how it died, when it did not finish */
};

struct point_arg {
	const struct scenario *s;
	const struct fail_each_opts *fo;
	struct failinject fi;
	const struct capture *clean;	/* NULL: a random run */
};

/* The child's part. */
static void child_run(struct point_arg *pa, FILE *w)
{
	struct capture cap = { 0 };
	struct exec_summary sum;
	char *diffs = NULL;
	int status, step, ndiff = 0;

	status = run_one(pa->s, pa->fo, &pa->fi, pa->clean ? &cap : NULL,
			 &sum, w);
	step = sum.injected_step;
	if (pa->clean && step && sum.injected_absorbed)
		ndiff = absorbed_diffs(pa->s, step, pa->clean, &cap, &diffs);
	fprintf(w, RUN_END "%d %d %d %d %d %lu %lu %d %d\n", status, step,
		sum.injected_result, sum.injected_cache, sum.injected_site,
		pa->fi.count, pa->fi.injected, sum.injected_absorbed,
		ndiff != 0);
	if (ndiff) {
		fprintf(w, "    the operation absorbed the failure but left another state than without it:\n");
		print_indented(w, diffs);
		fprintf(w, "    without:\n");
		print_indented(w, captured(pa->clean, step));
		fprintf(w, "    with:\n");
		print_indented(w, captured(&cap, step));
	}
	fflush(w);
	/* What the child allocated, so that valgrind finds no leak in it. */
	free(diffs);
	capture_free(&cap);
}

static void run_isolated(struct point_arg *pa, struct run_result *rr)
{
	char *buf = NULL, *end;
	size_t len = 0;
	FILE *acc;
	char chunk[4096];
	int pfd[2], wstatus;
	ssize_t n;
	pid_t pid;

	memset(rr, 0, sizeof(*rr));
	if (pipe(pfd)) {
		fprintf(stderr, "anonvma: cannot make a pipe\n");
		exit(2);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "anonvma: cannot fork\n");
		exit(2);
	}
	if (pid == 0) {
		FILE *w;

		close(pfd[0]);
		dup2(pfd[1], 2);
		close(pfd[1]);
		w = stderr;
		setvbuf(w, NULL, _IOLBF, 0);
		alarm(RUN_TIMEOUT);
		child_run(pa, w);
		_exit(0);
	}
	close(pfd[1]);
	acc = open_memstream(&buf, &len);
	if (!acc) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, acc);
	close(pfd[0]);
	fclose(acc);
	while (waitpid(pid, &wstatus, 0) < 0)
		;
	rr->msgs = buf;
	end = strstr(buf, RUN_END);
	if (end && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
		int ab = 0, ad = 0;

		*end = '\0';
		end += strlen(RUN_END);
		rr->finished = sscanf(end, "%d %d %d %d %d %lu %lu %d %d",
				      &rr->status, &rr->step, &rr->result,
				      &rr->cache, &rr->site, &rr->count,
				      &rr->injected, &ab, &ad) == 9;
		rr->absorbed = ab;
		rr->absorbed_diff = ad;
		end = strchr(end, '\n');
		rr->extra = end ? end + 1 : NULL;
	}
	if (!rr->finished) {
		if (WIFSIGNALED(wstatus))
			snprintf(rr->died, sizeof(rr->died), "killed by %s%s",
				 strsignal(WTERMSIG(wstatus)),
				 WTERMSIG(wstatus) == SIGALRM ? " (a hang?)" : "");
		else
			snprintf(rr->died, sizeof(rr->died), "exit status %d",
				 WEXITSTATUS(wstatus));
	}
}

/* Run k of the sweep: fail the k-th point and judge the outcome. */
static bool sweep_point(const struct scenario *s,
			const struct fail_each_opts *fo, unsigned long k,
			unsigned long n, const struct capture *clean,
			FILE *out, FILE *err, struct fail_each_result *res)
{
	struct point_arg pa = { .s = s, .fo = fo, .clean = clean };
	struct run_result rr;
	bool bad;

	fi_init(&pa.fi);
	pa.fi.fail_at = k;
	pa.fi.only = (enum fi_cache)fo->only;
	pa.fi.only_site = fo->by_site ? fo->only_site : -1;
	run_isolated(&pa, &rr);
	if (rr.step) {
		res->injected++;
		res->per_cache[rr.cache & 15]++;
		if (rr.absorbed)
			res->absorbed++;
		else
			res->failed++;
	}
	bad = !rr.finished || rr.status != 0 || !rr.step || rr.absorbed_diff;
	if (bad || fo->verbose) {
		FILE *f = bad ? err : out;

		if (!rr.finished)
			fprintf(f, "%s: point %lu of %lu: the run died (%s): VIOLATION\n",
				s->name, k, n, rr.died);
		else if (rr.step)
			fprintf(f, "%s: point %lu of %lu: %s (%s) in step %d (line %d: %s): %s%s\n",
				s->name, k, n,
				fi_cache_name((enum fi_cache)rr.cache),
				alloc_site_name((enum alloc_site)rr.site),
				rr.step, step_line(s, rr.step),
				step_text(s, rr.step),
				rr.absorbed ? "absorbed" :
				scn_result_name(rr.result),
				bad ? ": VIOLATION" : "");
		else
			fprintf(f, "%s: point %lu of %lu: not reached (the run is not repeatable): VIOLATION\n",
				s->name, k, n);
		if (bad) {
			if (rr.extra)
				fputs(rr.extra, f);
			print_indented(f, rr.msgs);
		}
	}
	if (bad)
		res->violations++;
	free(rr.msgs);
	return !bad;
}

static int fail_random(const struct scenario *s, const struct fail_each_opts *fo,
		       FILE *out, FILE *err, struct fail_each_result *res)
{
	unsigned long r;

	for (r = 0; r < fo->runs; r++) {
		struct point_arg pa = { .s = s, .fo = fo };
		struct run_result rr;

		fi_init(&pa.fi);
		pa.fi.only = (enum fi_cache)fo->only;
		pa.fi.only_site = fo->by_site ? fo->only_site : -1;
		pa.fi.prob = fo->prob;
		pa.fi.seed = fo->seed + r;
		run_isolated(&pa, &rr);
		res->points += rr.count;
		res->injected += rr.injected;
		if (!rr.finished || rr.status) {
			res->violations++;
			if (rr.finished)
				fprintf(err, "%s: seed %llu: %lu failures injected, the first in step %d (line %d: %s): VIOLATION\n",
					s->name, fo->seed + r, rr.injected,
					rr.step, step_line(s, rr.step),
					step_text(s, rr.step));
			else
				fprintf(err, "%s: seed %llu: the run died (%s): VIOLATION\n",
					s->name, fo->seed + r, rr.died);
			print_indented(err, rr.msgs);
		} else if (fo->verbose) {
			fprintf(out, "%s: seed %llu: %lu of %lu allocations failed\n",
				s->name, fo->seed + r, rr.injected, rr.count);
		}
		free(rr.msgs);
	}
	fprintf(out, "fail-random %s: %lu runs, %lu allocations, %lu failures injected, %lu violations\n",
		s->name, fo->runs, res->points, res->injected, res->violations);
	return res->violations ? 1 : 0;
}

static void print_summary_line(FILE *out, const struct scenario *s,
			       const struct fail_each_result *res)
{
	bool first = true;
	int c;

	fprintf(out, "fail-each %s: %lu allocation points, %lu failures injected (%lu failed the operation, %lu absorbed), %lu violations",
		s->name, res->points, res->injected, res->failed,
		res->absorbed, res->violations);
	for (c = 0; c < NR_FI_CACHES; c++) {
		if (!res->per_cache[c])
			continue;
		fprintf(out, "%s%s %lu", first ? " [" : ", ",
			fi_cache_name((enum fi_cache)c), res->per_cache[c]);
		first = false;
	}
	fprintf(out, "%s\n", first ? "" : "]");
}

/** scn_fail_each() - see exec.h. */
int scn_fail_each(const char *name, const char *buf, size_t len,
		  const struct fail_each_opts *opts, FILE *out, FILE *err,
		  struct fail_each_result *res)
{
	struct fail_each_result local;
	struct capture clean = { 0 };
	struct exec_summary sum;
	struct failinject fi;
	struct scn_error perr;
	struct scenario *s;
	char *msgs = NULL;
	size_t mlen = 0;
	unsigned long k;
	FILE *mf;
	int status;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	s = scn_parse(name, buf, len, &perr);
	if (!s) {
		scn_error_print(name, &perr, err);
		return 2;
	}
	if (opts->prob > 0) {
		status = fail_random(s, opts, out, err, res);
		scn_free(s);
		return status;
	}

	/*
	 * The run without injection: it must pass, and it counts the points.
	 * It is made once in a child first, in case it dies (a bug switch).
	 */
	{
		struct point_arg pa = { .s = s, .fo = opts };
		struct run_result rr;

		fi_init(&pa.fi);
		run_isolated(&pa, &rr);
		if (!rr.finished) {
			fprintf(err, "%s: the scenario dies without fault injection (%s):\n",
				name, rr.died);
			print_indented(err, rr.msgs);
			free(rr.msgs);
			scn_free(s);
			return 1;
		}
		free(rr.msgs);
	}
	fi_init(&fi);
	fi.only = (enum fi_cache)opts->only;
	fi.only_site = opts->by_site ? opts->only_site : -1;
	mf = open_memstream(&msgs, &mlen);
	if (!mf) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	status = run_one(s, opts, &fi, &clean, &sum, mf);
	fclose(mf);
	if (status) {
		fprintf(err, "%s: the scenario fails without fault injection:\n",
			name);
		print_indented(err, msgs);
		free(msgs);
		capture_free(&clean);
		scn_free(s);
		return 1;
	}
	free(msgs);
	res->points = fi.count;

	for (k = 1; k <= res->points; k++)
		sweep_point(s, opts, k, res->points, &clean, out, err, res);

	print_summary_line(out, s, res);
	capture_free(&clean);
	scn_free(s);
	return res->violations ? 1 : 0;
}
