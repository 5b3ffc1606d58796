/* SPDX-License-Identifier: MIT */
/*
 * Replay of a recorded program through the model (docs/record-replay.md).
 *
 * Every process image of the recording (an mm: made by exec, or by a
 * fork without CLONE_VM) becomes a model mm; every fault, every memory
 * system call, every fork, exec and exit is applied to it in the order
 * the kernel saw them.  Each of those is one *operation*: the kernel's
 * anon_vma and anon_vma_chain allocations and frees that the recording
 * shows inside it are compared, call site by call site, with what the
 * model allocated and freed for it, and the layout of each image at its
 * exit with /proc/PID/maps and pagemap at that moment.
 */
#ifndef ANONVMA_REPLAY_H
#define ANONVMA_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include <anonvma/system.h>

#include "../scenario/observe.h"
#include "trace.h"

/** struct rcounts - allocations and frees by object and call site. */
struct rcounts {
	unsigned long alloc[NR_SCN_OBJECTS][NR_OBS_SITES];
	unsigned long free[NR_SCN_OBJECTS][NR_OBS_SITES];
};

/**
 * struct replay_image - one process image's totals.
 * @id: 1, 2, ... in order of appearance; @pid: the tgid that made it.
 * @name: the program (exec) or "fork of N".
 * @known: its layout is known (made by an exec the recording saw, or
 *         forked from a known image); an unknown image (the recorder's
 *         own copy before the command's first exec) is not replayed.
 * @kernel, @model: the counts of the operations that were compared.
 * @ops, @ops_differ: operations of the image, and those that disagreed.
 * @layout: 1 its exit layout agreed, -1 it differed, 0 not compared.
 * @vmas_at_exit: VMAs of the model's image when it ended.
 */
struct replay_image {
	int id, pid;
	char name[48];
	bool known;
	struct rcounts kernel, model;
	unsigned long ops, ops_differ;
	int layout;
	unsigned long vmas_at_exit;
};

/**
 * struct replay_diff - one operation where kernel and model disagree.
 * @line: the trace line of the event that began the operation.
 * @tid, @image: who did it.
 * @what: the operation, e.g. "mmap(0x7f.., 0x2000, ...) = 0x7f..".
 * @why: what differs, in words (counts, a result, a layout).
 */
struct replay_diff {
	unsigned long line;
	int tid, image;
	char what[160];
	char why[512];
};

#define REPLAY_MAX_DIFFS 20

/**
 * struct replay_result - everything one replay found.
 * @design: the model's design during the replay.
 * @compared: kernel and model were compared (the design is the host's).
 * @ops: operations replayed; @ops_differ: of those, disagreeing ones.
 * @faults, @syscalls, @forks, @execs, @exits: what was replayed.
 * @layouts, @layouts_differ: exit layouts compared and disagreeing.
 * @results_differ: system calls whose result differs (listed in @diffs).
 * @faults_refused: faults the model answered with SIGSEGV or SIGBUS.
 * @not_modelled: events the model cannot express (listed in @diffs too).
 * @pretrace_frees: kernel frees of objects allocated before recording.
 * @kernel_unfreed: kernel objects allocated in the recording and never freed in it.
 * @model_live_end: model objects live when the last image ended.
 * @peak: the model's highest live anon_vma and anon_vma_chain counts.
 * @vmas_with_av: VMAs that had an anon_vma when their image ended, summed
 *                over the images; @vmas: all their VMAs.
 * @checks, @violations: invariant checks run and failed (--check).
 * @leaks: model objects left when the model was torn down.
 * @diffs: the first REPLAY_MAX_DIFFS disagreements, in trace order.
 */
struct replay_result {
	enum anonvma_design design;
	bool compared;
	struct rcounts kernel, model;
	unsigned long ops, ops_differ;
	unsigned long faults, syscalls, forks, execs, exits;
	unsigned long layouts, layouts_differ;
	unsigned long results_differ, faults_refused;
	unsigned long not_modelled;
	unsigned long pretrace_frees;
	unsigned long kernel_unfreed[NR_SCN_OBJECTS];
	unsigned long model_live_end[NR_SCN_OBJECTS];
	unsigned long peak[NR_SCN_OBJECTS];
	unsigned long vmas_with_av, vmas;
	unsigned long checks, violations;
	unsigned long leaks;
	char first_violation[512];
	struct replay_image *images;
	size_t nimages;
	struct replay_diff diffs[REPLAY_MAX_DIFFS];
	size_t ndiffs, ndiffs_total;
	double seconds;
};

/* What a struct replay_event reports. */
enum replay_event_kind {
	REPLAY_EV_OP,		/* an operation ended (its kernel counts are known) */
	REPLAY_EV_FAULT,	/* a fault is about to be applied to the model */
	REPLAY_EV_FORK,		/* a fork made image @child from image @image */
	REPLAY_EV_LAYOUT,	/* image @image was built from exec snapshot @snap */
	REPLAY_EV_END,		/* image @image loses its last user (exit or exec) */
};

/* What an operation is (REPLAY_EV_OP's @op_kind). */
enum replay_op_kind {
	REPLAY_OP_NONE, REPLAY_OP_SYSCALL, REPLAY_OP_FAULT, REPLAY_OP_EXIT,
	REPLAY_OP_STRAY,
};

/**
 * struct replay_event - what a replay tells its observer (replay_opts.event).
 * @image: the id of the image acted on (0: none).
 * @tid: the task.
 * @child: REPLAY_EV_FORK: the new image's id.
 * @ev: OP: the event that began the operation (NULL: none); FAULT: the
 *	fault; FORK: task_newtask.
 * @op_kind: OP: an enum replay_op_kind.
 * @ret: OP of a system call: its result on the kernel; FAULT: the
 *	 model's vm_fault_t for it (after it was applied).
 * @kernel: OP: what the kernel allocated and freed during it.
 * @file_serial, @file_mode: OP of a file mmap: the model file's serial
 *		(one per open file description) and FMODE_* bits.
 * @anon: FAULT: the faulting address lies in an anonymous VMA of the model.
 * @snap: LAYOUT: the exec snapshot.
 *
 * An operation's FAULT, FORK, LAYOUT and END events come while it is
 * open, its OP event when it ends.
 */
struct replay_event {
	enum replay_event_kind kind;
	int image, tid, child;
	const struct tevent *ev;
	enum replay_op_kind op_kind;
	uint64_t ret;
	const struct rcounts *kernel;
	unsigned long file_serial;
	unsigned int file_mode;
	bool anon;
	const struct tsnap *snap;
};

/**
 * struct replay_opts - how to replay.
 * @design: the model's rules; only DESIGN_V6_18 (the host's) compares.
 * @check_every: run the invariant checker every this many operations
 *               (0: never) and once at the end.
 * @progress: where to print progress (NULL: nowhere).
 * @event: called with each struct replay_event (NULL: none), with @arg.
 */
struct replay_opts {
	enum anonvma_design design;
	unsigned long check_every;
	FILE *progress;
	void (*event)(void *arg, const struct replay_event *e);
	void *arg;
};

/**
 * replay_run() - replay @t through a fresh model.
 * @res: out; replay_result_free() it afterwards.
 *
 * Initialises the model with @opts->design and tears it down again.
 * Return: 0 when the replay ran to its end (whatever it found), -1 when
 * the model could not be set up or memory ran out (@res->diffs says why).
 */
int replay_run(const struct trace *t, const struct replay_opts *opts,
	       struct replay_result *res);
void replay_result_free(struct replay_result *res);
/** replay_agrees() - did everything compared agree, with no violation? */
bool replay_agrees(const struct replay_result *res);

/** replay_print() - the text report of @res for a person. */
void replay_print(FILE *out, const struct trace *t,
		  const struct replay_result *res, bool per_image);
/** replay_print_json() - the same as one JSON object. */
void replay_print_json(FILE *out, const struct trace *t,
		       const struct replay_result *res);
/** replay_print_designs() - one line per design of @res[0..n). */
void replay_print_designs(FILE *out, const struct trace *t,
			  const struct replay_result *res, size_t n);

/**
 * struct replay_extract_stats - what replay_extract() wrote and left out.
 * @steps: operation lines written; @expects: `expect step` lines.
 * @unsaid: operations of the listed images written only as comments.
 * @approx: operations said with a difference the comment before them names.
 * @dropped: operations of unlisted children (only their fork and end are kept).
 * @pages: the window's size.
 */
struct replay_extract_stats {
	unsigned long steps, expects, unsaid, approx, dropped, pages;
};

/**
 * replay_extract() - write the listed images of @t as a scenario.
 * @ids, @nids: image ids as `replay --images` prints them.
 * @out: the scenario text goes there.
 * @err: out: why it could not be written.
 *
 * Replays @t under v6.18 once to learn which events belong to which
 * image (docs/record-replay.md, "Extracting a scenario").
 * Return: 0, or -1 with @err set (unknown image, a window too large...).
 */
int replay_extract(const struct trace *t, const char *trace_name,
		   const int *ids, size_t nids, FILE *out,
		   struct replay_extract_stats *stats, char *err, size_t n);

#endif
