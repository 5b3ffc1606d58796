/* SPDX-License-Identifier: MIT */
/*
 * The design lab: benchmark workloads run on the model under every
 * design (and, where they can, on the host kernel in the same run),
 * pictures of the anon_vma hierarchy of a scenario, gnuplot charts and
 * self-contained HTML reports.  Used by `anonvma bench`, `anonvma draw`
 * and `anonvma report` (tools/cli/cmd_*.c) and by tests/unit/test_lab.c.
 *
 * Everything here is design-generic: designs are enumerated through
 * design_name() up to NR_DESIGNS, never named in the code.
 */
#ifndef LAB_H
#define LAB_H

#include <stdbool.h>
#include <stdio.h>

#include <anonvma/locking.h>
#include <anonvma/system.h>

#include "../scenario/exec.h"

/* ------------------------------------------------------------------ */
/* Measurements of one workload run on the model (lab_measure.c)       */
/* ------------------------------------------------------------------ */

/* The timed operations. */
enum lab_op {
	LAB_OP_FORK,		/* dup_mm / fork() */
	LAB_OP_EXIT,		/* mmput / exit of a process */
	LAB_OP_FAULT,		/* one page written (fault, COW) */
	LAB_OP_WALK,		/* one rmap walk of a folio */
	LAB_OP_MPROTECT,	/* one mprotect call */
	LAB_OP_MMAP,		/* one mmap call */
	LAB_OP_MUNMAP,		/* one munmap call */
	LAB_OP_CYCLE,		/* one iteration of the workload's loop */
	NR_LAB_OPS
};

/** lab_op_name() - "fork", "exit", ... */
const char *lab_op_name(enum lab_op op);

/** struct lab_timer - @n operations that took @ns nanoseconds in all. */
struct lab_timer {
	unsigned long n;
	double ns;
};

/** lab_timer_avg() - nanoseconds per operation, 0 when none ran. */
static inline double lab_timer_avg(const struct lab_timer *t)
{
	return t->n ? t->ns / (double)t->n : 0;
}

/** lab_now() - CLOCK_MONOTONIC in nanoseconds. */
double lab_now(void);

/**
 * struct lab_point - one sample of a growth series.
 * @x: the workload's progress (generation, child, worker...).
 * @anon_vma, @avc: objects live at that moment.
 * @visits: VMAs visited per walk in the walks since the previous
 *          sample, or -1 when none ran.
 */
struct lab_point {
	double x;
	unsigned long anon_vma, avc;
	double visits;
};

#define LAB_TEXT_MAX 200

/**
 * struct lab_result - what one workload run on one design measured.
 * @design: enum anonvma_design.
 * @error: why the run failed ("" when it did not).
 * @op: timers of the operations.
 * @walks, @visited, @mapped: rmap walks, VMAs they visited (the walk's
 *          own rwc.visited: every anon_vma_chain examined), and of those
 *          the VMAs a PTE of which really maps the folio.
 * @offered: VMAs the walks passed to rmap_one (those whose range covers
 *          the folio's index).
 * @av_max, @avc_max: highest live count between operations (noted by
 *          lab_note_live() after each iteration of the workload).
 * @av_peak, @avc_peak: highest live count of each cache at any moment,
 *          the objects allocated and freed again inside one operation
 *          included (the slab's own peak).
 * @av_live, @avc_live, @vmas, @vmas_with_av: at the measure point (the
 *          workload's steady state, before it tears down).
 * @av_alloc, @avc_alloc: allocations over the run.
 * @av_size, @avc_size: bytes per object.
 * @chain_peak: longest anon_vma_chain list of any VMA seen at a sample.
 * @root_lock: timing of the anon_vma root rwsems (lock_stats).
 * @leaks: objects still live at anonvma_exit().
 * @violations: invariant violations at the measure point, -1 unchecked.
 * @wall_ns: the whole run.
 * @series: growth samples.
 */
struct lab_result {
	int design;
	char error[LAB_TEXT_MAX];
	struct lab_timer op[NR_LAB_OPS];
	unsigned long walks, visited, mapped, offered;
	unsigned long av_max, avc_max;
	unsigned long av_peak, avc_peak;
	unsigned long av_live, avc_live, vmas, vmas_with_av;
	unsigned long av_alloc, avc_alloc;
	unsigned long av_size, avc_size;
	unsigned long chain_peak;
	struct lock_stats root_lock;
	unsigned long leaks;
	long violations;
	double wall_ns;
	bool check;		/* set by the caller: check at the measure point */
	struct lab_point *series;
	int nseries, capseries;
	/* private: walks and visits at the previous sample */
	unsigned long prev_walks, prev_visited;
};

/**
 * lab_model_begin() - bring the model up under @design for a run that
 * fills @r: caches, lock timing on.  Returns 0 or a negative errno.
 */
int lab_model_begin(int design, struct lab_result *r);
/**
 * lab_model_end() - after the workload tore its processes down: read
 * peaks, allocations and lock timing into @r, then anonvma_exit() and
 * count leaks.
 */
void lab_model_end(struct lab_result *r);
/** lab_result_free() - free @r's series. */
void lab_result_free(struct lab_result *r);

/**
 * lab_measure_point() - the steady state: live objects, VMAs, chain
 * lengths and, with @check, the invariant checker.  Call while no
 * operation is in progress.
 */
void lab_measure_point(struct lab_result *r, bool check);
/**
 * lab_sample() - add a growth sample at progress @x (and update
 * @r->chain_peak).  Call while no operation is in progress.
 */
void lab_sample(struct lab_result *r, double x);
/** lab_note_live() - update @r's av_max and avc_max from the live counts. */
void lab_note_live(struct lab_result *r);
/** lab_chain_peak() - the longest chain of any VMA of any live mm. */
unsigned long lab_chain_peak(void);

/**
 * lab_walk_folio() - an rmap walk of @folio as reclaim does it (folio
 * lock, folio_lock_anon_vma_read), timed, counting the VMAs visited and
 * those where page_vma_mapped() under the PTE lock finds the folio.
 * @folio: a folio the caller holds a reference on.
 * @r: where the counts and the time go.
 */
void lab_walk_folio(struct folio *folio, struct lab_result *r);

struct lab_ptrset;
/** lab_ptrset_new() - an empty set of pointers (folios already walked). */
struct lab_ptrset *lab_ptrset_new(void);
/** lab_ptrset_add() - add @p; false when it was there already. */
bool lab_ptrset_add(struct lab_ptrset *set, const void *p);
void lab_ptrset_free(struct lab_ptrset *set);

/**
 * lab_walk_pages() - walk the folio of every @step-th page of
 * [@start, @start + @npages pages) of @mm, each folio once per @seen.
 */
void lab_walk_pages(struct mm_struct *mm, unsigned long start,
		    unsigned long npages, unsigned long step,
		    struct lab_ptrset *seen, struct lab_result *r);

/* ------------------------------------------------------------------ */
/* Workloads (lab_workloads.c, lab_workloads2.c, lab_kernel*.c)        */
/* ------------------------------------------------------------------ */

#define LAB_MAX_PARAMS 8

/** struct lab_param - one parameter of a workload, an integer. */
struct lab_param {
	const char *name;
	long def, min, max;
	const char *help;
};

/**
 * struct lab_kresult - the same shape run with real processes on the
 * host kernel.
 * @ran: measured; otherwise @why says why not.
 */
struct lab_kresult {
	bool ran;
	char why[LAB_TEXT_MAX];
	struct lab_timer op[NR_LAB_OPS];
	double wall_ns;
};

/**
 * struct lab_workload - a benchmark workload.
 * @name: as given to `anonvma bench`.
 * @title: one line saying what it does.
 * @xlabel: what the growth series' x is.
 * @model: run on the model (anonvma_init() already done by the caller
 *         through lab_model_begin(); the workload tears its processes
 *         down itself).  Returns 0, or -1 with r->error set.
 * @kernel: run the same shape with real processes, or NULL when the
 *         workload cannot run on the host (walks need the model).
 */
struct lab_workload {
	const char *name;
	const char *title;
	const char *xlabel;
	const struct lab_param *params;
	int nparams;
	int (*model)(const long *p, struct lab_result *r);
	int (*kernel)(const long *p, struct lab_kresult *k);
};

/** lab_workloads - every workload, NULL-terminated. */
extern const struct lab_workload *const lab_workloads[];
/** lab_workload_find() - the workload called @name, or NULL. */
const struct lab_workload *lab_workload_find(const char *name);
/** lab_param_index() - index of parameter @name of @w, or -1. */
int lab_param_index(const struct lab_workload *w, const char *name);

/* The model sides (one function per workload). */
int lab_rik_model(const long *p, struct lab_result *r);
int lab_serial_model(const long *p, struct lab_result *r);
int lab_split_model(const long *p, struct lab_result *r);
int lab_server_model(const long *p, struct lab_result *r);
int lab_churn_model(const long *p, struct lab_result *r);
int lab_image_model(const long *p, struct lab_result *r);
int lab_concurrent_model(const long *p, struct lab_result *r);
/* The kernel sides. */
int lab_rik_kernel(const long *p, struct lab_kresult *k);
int lab_serial_kernel(const long *p, struct lab_kresult *k);
int lab_split_kernel(const long *p, struct lab_kresult *k);
int lab_server_kernel(const long *p, struct lab_kresult *k);
int lab_churn_kernel(const long *p, struct lab_kresult *k);

/* The window the workloads place their mappings in (model and kernel). */
#define LAB_WIN 0x200000000000UL

/* ------------------------------------------------------------------ */
/* A bench run: one workload, several designs (lab_bench.c)            */
/* ------------------------------------------------------------------ */

/**
 * struct lab_bench - one `anonvma bench` run.
 * @w: the workload; @params: its parameter values.
 * @designs: bit per enum anonvma_design to run.
 * @kernel: also run the shape on the host kernel.
 * @check: run the invariant checker at the measure point.
 * @res: per design run, in design order (@nres of them).
 * @kres: the host kernel's run.
 * @host, @date: where and when (for the tables of docs/results).
 */
struct lab_bench {
	const struct lab_workload *w;
	long params[LAB_MAX_PARAMS];
	unsigned long designs;
	bool kernel;
	bool check;
	struct lab_result res[NR_DESIGNS];
	int nres;
	struct lab_kresult kres;
	char host[LAB_TEXT_MAX];
	char date[64];
};

/** lab_bench_init() - @b for workload @w with default parameters, all designs. */
void lab_bench_init(struct lab_bench *b, const struct lab_workload *w);
/**
 * lab_bench_set_param() - "name=value" into @b.  Returns 0, or -1 with
 * a message in @msg (@n bytes).
 */
int lab_bench_set_param(struct lab_bench *b, const char *kv, char *msg,
			size_t n);
/**
 * lab_bench_run() - run the kernel side first (before the model's memory
 * grows the process that forks), then every selected design.  Errors
 * go to @err (may be NULL).  Returns 0 when every design ran
 * without leak or violation, 1 otherwise.
 */
int lab_bench_run(struct lab_bench *b, FILE *err);
/** lab_bench_free() - free the results' memory. */
void lab_bench_free(struct lab_bench *b);
/** lab_bench_print_text() - the tables. */
void lab_bench_print_text(FILE *out, const struct lab_bench *b);
/** lab_bench_print_json() - one JSON document. */
void lab_bench_print_json(FILE *out, const struct lab_bench *b);
/** lab_bench_params_str() - "children=100 pages=100" into @buf. */
const char *lab_bench_params_str(const struct lab_bench *b, char *buf,
				 size_t n);
/** lab_fmt_bytes() - "12.3 KiB" style. */
const char *lab_fmt_bytes(double bytes, char *buf, size_t n);

/* ------------------------------------------------------------------ */
/* Plots (lab_plot.c)                                                  */
/* ------------------------------------------------------------------ */

/**
 * lab_plot() - write the charts of @b into directory @dir: NAME-growth
 * (live anon_vmas over the run, one line per design) and NAME-visits
 * (VMAs visited per rmap walk, per design), each as a .dat data file
 * and a .gp gnuplot script, rendered to .svg and .png when gnuplot is
 * installed (@msg says so when it is not).
 * @files: out (may be NULL): the paths of the SVGs made, NULL-terminated,
 *         malloc'ed; NULL entries only when none were made.
 * Returns 0, or -1 when the files cannot be written.
 */
int lab_plot(const struct lab_bench *b, const char *dir, FILE *msg,
	     char ***files);
/** lab_free_strv() - free a NULL-terminated malloc'ed string vector. */
void lab_free_strv(char **v);

/* ------------------------------------------------------------------ */
/* External programs (lab_tools.c)                                     */
/* ------------------------------------------------------------------ */

/** lab_have_program() - @name is an executable on $PATH. */
bool lab_have_program(const char *name);
/**
 * lab_run_program() - run @argv (argv[0] looked up on $PATH) in
 * directory @cwd (NULL: the current one) with standard input and
 * output from and to /dev/null; standard error is kept.  Returns its
 * exit status, or -1 when it could not run.
 */
int lab_run_program(char *const argv[], const char *cwd);
/** lab_read_whole() - a file's contents, NUL-terminated, malloc'ed; NULL on error. */
char *lab_read_whole(const char *path, size_t *len);
/** lab_write_whole() - write @len bytes to @path; 0 or -1. */
int lab_write_whole(const char *path, const char *buf, size_t len);
/**
 * lab_svg_inline() - an SVG document made fit to be inlined in HTML:
 * the XML prolog, DOCTYPE, comments and xmlns attributes dropped (they
 * name URLs; an HTML parser does not need them).  malloc'ed.
 */
char *lab_svg_inline(const char *svg);
/** lab_tmpdir() - a new private temporary directory, malloc'ed, or NULL. */
char *lab_tmpdir(void);
/** lab_rmtree() - remove @dir and the files in it (no subdirectories). */
void lab_rmtree(const char *dir);

/* ------------------------------------------------------------------ */
/* Pictures of the hierarchy (lab_draw.c)                              */
/* ------------------------------------------------------------------ */

/**
 * lab_dot_step() - the Graphviz (DOT) picture of one step's
 * observations: anon_vma nodes with their counters and parent edges
 * (roots marked), a cluster per process with its VMAs, the
 * anon_vma_chain links between VMAs and anon_vmas, the VMA's own
 * anon_vma, and the folios tagged with each anon_vma.
 * @out: where to write.
 * @s: the scenario.
 * @o: the step's observations (with the model part).
 */
void lab_dot_step(FILE *out, const struct scenario *s,
		  const struct obs_step *o);

/**
 * struct lab_step_row - one step of a run, summed up for a report table.
 * @op, @result: the step's line and its result ("ok", "ENOMEM"...).
 * @av_*, @avc_*: allocations, frees and live count after the step.
 * @failures: the step's failure messages, "\n"-joined, or NULL.
 * @text: the step's observations in the canonical text form.
 */
struct lab_step_row {
	int index, line;
	char *op;
	char *result;
	unsigned long av_alloc, av_free, av_live;
	unsigned long avc_alloc, avc_free, avc_live;
	int nprocs;
	char *failures;
	char *text;
};

#define LAB_MAX_WANT 16

/**
 * struct lab_capture - what to keep of a run, taken as the steps pass.
 * @want: steps (1-based, as `anonvma run` numbers them) to draw; -1
 *        means the last step run.
 * @dots: per @want entry, its DOT picture (malloc'ed), NULL if not reached.
 * @step_of: per @want entry, the step drawn.
 * @keep_rows: also keep one lab_step_row per step in @rows.
 * @last_step: the last step run.
 */
struct lab_capture {
	int want[LAB_MAX_WANT];
	int nwant;
	char *dots[LAB_MAX_WANT];
	int step_of[LAB_MAX_WANT];
	bool keep_rows;
	struct lab_step_row *rows;
	int nrows, caprows;
	int last_step;
};

/**
 * lab_capture_run() - run the parsed scenario @s on the model with
 * @design (-1: the scenario's own) and @bugs, the invariant checker
 * after every step, and capture into @c.  Returns exec_model()'s
 * status; @sum gets the totals; failures go to @err (may be NULL).
 */
int lab_capture_run(const struct scenario *s, int design, unsigned long bugs,
		    struct lab_capture *c, struct exec_summary *sum, FILE *err);
/** lab_capture_free() - free what @c holds. */
void lab_capture_free(struct lab_capture *c);

/**
 * lab_render_dot() - run `dot -T@fmt` on @dot_path into @out_path.
 * Returns 0, 1 when `dot` is not installed, -1 when it failed.
 */
int lab_render_dot(const char *dot_path, const char *fmt,
		   const char *out_path);

/* ------------------------------------------------------------------ */
/* HTML reports (lab_html.c, lab_report.c)                             */
/* ------------------------------------------------------------------ */

/** lab_html_escape() - @s with &, <, >, " escaped. */
void lab_html_escape(FILE *out, const char *s);
/** lab_html_begin() - doctype, head with the inline style sheet, <body>, <h1>. */
void lab_html_begin(FILE *out, const char *title);
/** lab_html_end() - the footer and </html>. */
void lab_html_end(FILE *out);
/**
 * lab_html_svg_file() - inline the SVG file @path (lab_svg_inline());
 * returns 0, -1 when it cannot be read.
 */
int lab_html_svg_file(FILE *out, const char *path);

/**
 * lab_report_scenario() - the HTML report of a scenario run: verdict,
 * a table of every step (operation, result, object counts, failures),
 * the hierarchy pictures at @steps (@nsteps of them; none: chosen
 * automatically) and the text observations.  Returns the run's status
 * (0 pass, 1 failure, 2 error).
 */
int lab_report_scenario(FILE *out, const struct scenario *s, int design,
			const int *steps, int nsteps, FILE *err);
/**
 * lab_report_bench() - the HTML report of a bench run that has run:
 * parameters, tables, the kernel comparison and the charts.
 */
void lab_report_bench(FILE *out, const struct lab_bench *b, FILE *err);

#endif
