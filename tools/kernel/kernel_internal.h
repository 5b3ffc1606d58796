/* SPDX-License-Identifier: MIT */
/*
 * Between the files of the kernel executor, and for its unit tests: the
 * parsers of what the kernel prints (kparse.c), the accounting of trace
 * events (kcount.c), the tracing instance (ktrace.c), the fork tree of
 * driven processes (kworker.c) and the reading of their memory
 * (kobserve.c).
 */
#ifndef ANONVMA_KERNEL_INTERNAL_H
#define ANONVMA_KERNEL_INTERNAL_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel.h"

#define KPAGE_SIZE	4096UL

/* ---- parsers (kparse.c) ------------------------------------------------ */

/**
 * struct kmaps_line - one line of /proc/PID/maps.
 * @start, @end: the VMA's addresses.
 * @perms: "rw-p" style, NUL-terminated.
 * @offset: file offset in bytes (0 for private anonymous memory).
 * @major, @minor, @inode: the file's device and inode (0 for anonymous).
 * @path: offset of the path in the line, or -1 when there is none.
 */
struct kmaps_line {
	unsigned long start, end;
	char perms[5];
	unsigned long offset;
	unsigned int major, minor;
	unsigned long inode;
	int path;
};

/**
 * kparse_maps_line() - parse one /proc/PID/maps line.
 * @line: the line (a trailing newline is allowed).
 * @m: out.
 *
 * Return: 0, or -1 when the line is not in the format of fs/proc/task_mmu.c
 * (start-end perms offset major:minor inode [path]).
 */
int kparse_maps_line(const char *line, struct kmaps_line *m);

/** kmaps_prot() - PROT_* of @m's permission letters. */
unsigned long kmaps_prot(const struct kmaps_line *m);

/* /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT		(1ULL << 63)
#define PM_SWAP			(1ULL << 62)
#define PM_FILE			(1ULL << 61)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_PFN_MASK		((1ULL << 55) - 1)

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h). */
#define KPF_ANON		12
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_KSM			21
#define KPF_THP			22
#define KPF_ZERO_PAGE		24
/* PG_mappedtodisk, which anon pages use as PG_anon_exclusive. */
#define KPF_ANON_EXCLUSIVE	34

/**
 * struct kpage - what pagemap, kpageflags and kpagecount say of one
 * virtual page.
 * @state: SCN_PAGE_NONE (not mapped by a PTE), _ZERO, _PRESENT or _SWAP.
 * @pfn: the page frame of a present page.
 * @anon, @excl, @large, @ksm: from kpageflags (excl only for anon pages).
 * @mapcount: from kpagecount.
 */
struct kpage {
	enum scn_pstate state;
	uint64_t pfn;
	bool anon, excl, large, ksm;
	int mapcount;
};

/**
 * kparse_page() - decode one page.
 * @pagemap: its /proc/PID/pagemap entry.
 * @flags: /proc/kpageflags of its PFN (ignored when not present).
 * @count: /proc/kpagecount of its PFN (ignored when not present).
 * @k: out.
 */
void kparse_page(uint64_t pagemap, uint64_t flags, uint64_t count,
		 struct kpage *k);

/* What a line of the trace file is. */
enum ktrace_kind {
	KTRACE_OTHER,	/* a comment, a blank line, another event */
	KTRACE_MARKER,	/* tracing_mark_write: ... */
	KTRACE_ALLOC,	/* kmem_cache_alloc: ... */
	KTRACE_FREE,	/* kmem_cache_free: ... */
	KTRACE_LOST,	/* CPU:N [LOST M EVENTS] */
};

/**
 * struct ktrace_event - one parsed line of the trace file.
 * @func: the call site's function name (without +offset/size).
 * @ptr: the object.
 * @cache: the cache name (`name=`).
 * @marker: the text written to trace_marker.
 * @lost: for KTRACE_LOST, how many events the ring buffer dropped.
 * @pid: the task the event happened in (-1 if the line has none).
 */
struct ktrace_event {
	enum ktrace_kind kind;
	int pid;
	unsigned long lost;
	char func[64];
	uint64_t ptr;
	char cache[32];
	char marker[64];
};

/**
 * kparse_trace_line() - parse one line of an instance's `trace` file.
 * @line: the line, NUL-terminated, without its newline.
 * @ev: out.
 * @err: out: why it is malformed.
 * @n: size of @err.
 *
 * Return: 0, or -1 for a kmem_cache_alloc/free line without call_site,
 * ptr or name (the tracepoint's format changed: fail loudly).
 */
int kparse_trace_line(const char *line, struct ktrace_event *ev, char *err,
		      size_t n);

/**
 * kparse_trace_header() - the "# entries-in-buffer/entries-written: A/B"
 * line of a trace file.
 * @in_buffer, @written: out.
 *
 * Return: 1 when @line is that line, 0 otherwise.  A < B means the ring
 * buffer dropped events.
 */
int kparse_trace_header(const char *line, unsigned long *in_buffer,
			unsigned long *written);

/* Classification of one allocation or free call site. */
enum ksite_class {
	KSITE_UNKNOWN = -1,	/* a call site this executor does not know */
	KSITE_OTHER = 0,	/* another member of the merged 64-byte cache */
	KSITE_COUNTED = 1,	/* an anon_vma or an anon_vma_chain */
};

/**
 * ksite_classify() - what an event of cache @cache at call site @func is.
 * @alloc: an allocation (else a free).
 * @obj, @site: out, for KSITE_COUNTED.
 *
 * The anon_vma_chain cache is merged with other 64-byte caches, whose
 * objects carry its name too: those are told apart by call site, and an
 * unknown call site is an error (inlining changes call-site names from
 * one kernel build to the next; kernel-oracle.md §3).
 */
enum ksite_class ksite_classify(const char *cache, const char *func, bool alloc,
				enum scn_object *obj, enum obs_site *site);

/* ---- trace events per step (kcount.c) ----------------------------------- */

/** struct kcounts_step - one step's events by cache and call site. */
struct kcounts_step {
	unsigned long alloc[NR_SCN_OBJECTS][NR_OBS_SITES];
	unsigned long free[NR_SCN_OBJECTS][NR_OBS_SITES];
};

/* Marker texts: the pass begins, each step, the teardown, the end. */
#define KMARK_BEGIN	"anonvma-begin"
#define KMARK_STEP	"anonvma-step "
#define KMARK_TEARDOWN	"anonvma-teardown"
#define KMARK_END	"anonvma-end"

/**
 * struct kcounts - the events of one pass, by step.
 * @step: @nsteps + 2 buckets: the steps, then the teardown (index
 *        @nsteps), then what came before the first marker (@nsteps + 1).
 * @events: counted events.
 * @ignored: events of other members of the merged cache.
 * @foreign: events of processes that are not the run's.
 * @unfreed: objects allocated in the pass and never freed in it.
 * @lost: events the ring buffer dropped (entries-written - in-buffer).
 * @end_seen: the end marker was found.
 */
struct kcounts {
	struct kcounts_step *step;
	int nsteps;
	unsigned long events, ignored, foreign, unfreed, lost;
	bool end_seen;
};

/**
 * kcount_parse() - account every line of one pass's trace text.
 * @text: the contents of the `trace` file (NUL-terminated); what comes
 *        before a KMARK_BEGIN marker is ignored.
 * @nsteps: steps of the scenario.
 * @pids: the processes of the run (events of others are not counted),
 *        or NULL to count every process's.
 * @npids: how many.
 * @c: out; free with kcount_free().
 * @err: out: the reason of a failure.
 * @n: its size.
 *
 * Allocations and frees are paired by pointer; a free counts at its own
 * call site.  Return: 0, or -1 on a malformed event line or an unknown
 * call site (@err says which).
 */
int kcount_parse(const char *text, int nsteps, const pid_t *pids, int npids,
		 struct kcounts *c, char *err, size_t n);

/** kcount_free() - free @c's buckets. */
void kcount_free(struct kcounts *c);

/* ---- the tracing instance (ktrace.c) ---------------------------------------- */

/**
 * ktrace_available() - whether tracefs with the kmem tracepoints can be
 * used; @why says why not.
 */
bool ktrace_available(char *why, size_t n);

/**
 * ktrace_begin() - start a pass: empty what is left in the buffer, note
 * the events lost so far, turn tracing on and write KMARK_BEGIN.
 */
int ktrace_begin(char *err, size_t n);
/** ktrace_session_is_open() - a tracing instance is set up (here or in a parent). */
bool ktrace_session_is_open(void);
/** ktrace_forget() - in a forked driven process: close the session's files. */
void ktrace_forget(void);
/** ktrace_mark() - write @text to the instance's trace_marker. */
int ktrace_mark(const char *text);
/**
 * ktrace_end() - turn tracing off and consume the pass's events.
 * @lost: out: events the ring buffer dropped during the pass.
 *
 * Return: the text (malloc'ed), NULL on error.
 */
char *ktrace_end(unsigned long *lost, char *err, size_t n);

/* ---- the driven processes (kworker.c) ----------------------------------- */

/*
 * Commands of the driven processes: a process of the fleet is spawned,
 * forks or exits, or makes the system call of a scenario operation
 * (kmbox.call, its desc->kcall in scn_ops[]).
 */
enum kop {
	KOP_SPAWN,	/* zygote: fork a new root process */
	KOP_CALL,	/* the operation kmbox.call */
	KOP_FORK,
	KOP_EXIT,
};

/**
 * struct kmbox - the mailbox the driver and the process it is driving
 * share (MAP_SHARED, so it has no anon_vma and costs nothing at fork).
 * Only one process acts at a time.
 */
struct kmbox {
	/* the command */
	int op;
	int call;		/* KOP_CALL: the enum scn_op */
	int child;		/* KOP_SPAWN / KOP_FORK: the new process's index */
	unsigned long addr, len;
	unsigned long addr2, len2;	/* mremap's target with MREMAP_FIXED */
	unsigned long new_len;		/* mremap's new size in place */
	unsigned long prot, flags;
	int fd;
	unsigned long off;	/* bytes */
	int advice;
	bool has_value;
	uint64_t value;
	uint64_t token;		/* `write R`: value of the first page */
	/* the reply */
	int result;
	unsigned long done;
	long pid;
	unsigned long nvalues;
	uint64_t values[];
};

/*
 * The system calls of the operations, in the driven process (ksyscall.c):
 * the @kcall hooks of scn_ops[].  Each takes its arguments from @m and
 * sets m->result (and m->done, m->values for the accesses).
 */
void ksys_mmap(struct kmbox *m);
void ksys_munmap(struct kmbox *m);
void ksys_mprotect(struct kmbox *m);
void ksys_madvise(struct kmbox *m);
void ksys_mremap(struct kmbox *m);
void ksys_mlock(struct kmbox *m);
void ksys_munlock(struct kmbox *m);
void ksys_mlockall(struct kmbox *m);
void ksys_munlockall(struct kmbox *m);
void ksys_read(struct kmbox *m);
void ksys_write(struct kmbox *m);

/* An access that faults jumps back here (ksyscall.c, kworker.c). */
extern sigjmp_buf ksys_jb;
extern volatile sig_atomic_t ksys_in_access;

/**
 * struct kfleet - the processes of one kernel run: a zygote forked from
 * the driver, which forks every `proc`, and the fork tree below them.
 */
struct kfleet {
	struct kmbox *mbox;
	size_t mbox_size;
	int nprocs;
	int *cmd;		/* per process: write end of its command pipe */
	int rep;		/* read end of the common reply pipe */
	int zcmd;		/* the zygote's command pipe */
	pid_t zygote;
	int zygote_pidfd;
	pid_t *pid;		/* per process, 0 when not alive */
	int *pidfd;
	int *pending;		/* replies that came before they were awaited */
	pid_t *pass_pids;	/* every process of the current pass */
	int npass_pids, cap_pass_pids;
	int timeout_ms;
};

/**
 * kfleet_start() - fork the zygote.
 * @f: out.
 * @s: the scenario (number of processes, window).
 * @cpu: the CPU every process is pinned to.
 *
 * Return: 0, or -1 with @err set.
 */
int kfleet_start(struct kfleet *f, const struct scenario *s, int cpu,
		 char *err, size_t n);
/** kfleet_pass_reset() - start a pass's list of processes (the zygote). */
int kfleet_pass_reset(struct kfleet *f, char *err, size_t n);
/** kfleet_spawn() - `proc`: a new root process @proc (forked by the zygote). */
int kfleet_spawn(struct kfleet *f, int proc, char *err, size_t n);
/** kfleet_call() - let @proc run the command in the mailbox and wait for its reply. */
int kfleet_call(struct kfleet *f, int proc, char *err, size_t n);
/** kfleet_fork() - @parent forks @child; mbox->result is the fork's result. */
int kfleet_fork(struct kfleet *f, int parent, int child, char *err, size_t n);
/** kfleet_exit() - @proc exits; returns when its address space is gone. */
int kfleet_exit(struct kfleet *f, int proc, char *err, size_t n);
/** kfleet_stop() - exit every process still alive and the zygote; free @f. */
void kfleet_stop(struct kfleet *f);

/* ---- reading the processes' memory (kobserve.c) -------------------------- */

struct klabels;

/**
 * struct kobserver - reads the window of the driven processes.
 * @pages: read the pages too (false when KSM runs).
 * @file_ino, @file_dev: per scenario file, its memfd's inode and device.
 */
struct kobserver {
	const struct scenario *s;
	bool pages;
	int kpageflags, kpagecount;
	unsigned long *file_ino;
	dev_t *file_dev;
	struct klabels *labels;
};

/** kobs_open() - open /proc/kpageflags and /proc/kpagecount (when @pages). */
int kobs_open(struct kobserver *k, const struct scenario *s, bool pages,
	      char *err, size_t n);
/** kobs_close() - close what kobs_open() opened. */
void kobs_close(struct kobserver *k);
/**
 * kobs_snapshot() - fill @o's procs from the live processes @pid (0 for
 * dead ones), in creation order, with fresh folio labels.
 */
int kobs_snapshot(struct kobserver *k, const pid_t *pid, struct obs_step *o,
		  char *err, size_t n);

/* ---- small things (kprobe.c) -------------------------------------------- */

/** kernel_read_vmstat() - the value of @key in /proc/vmstat, or -1. */
long kernel_read_vmstat(const char *key);
/** kernel_pfns_visible() - whether pagemap shows PFNs to this process. */
bool kernel_pfns_visible(char *why, size_t n);

#endif
