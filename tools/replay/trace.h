/* SPDX-License-Identifier: MIT */
/*
 * A recorded program: the trace file `anonvma record` writes, loaded and
 * checked as a whole before anything is replayed (docs/record-replay.md
 * describes the format).
 *
 * Every line is parsed into a typed event at load time, so that replay
 * itself never meets text, and so that a malformed, truncated, reordered
 * or incomplete recording is refused with its line number before the
 * model has done anything.
 */
#ifndef ANONVMA_REPLAY_TRACE_H
#define ANONVMA_REPLAY_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_VERSION 1

/* What an event line is; one entry per event name in trace_parse.c. */
enum tev_kind {
	TEV_SYS_ENTER,		/* sys_enter_NAME: args in a[] */
	TEV_SYS_EXIT,		/* sys_exit_NAME: ret */
	TEV_FAULT_USER,		/* page_fault_user */
	TEV_FAULT_KERNEL,	/* page_fault_kernel */
	TEV_KMEM_ALLOC,		/* kmem_cache_alloc */
	TEV_KMEM_FREE,		/* kmem_cache_free */
	TEV_NEWTASK,		/* task_newtask: child and clone flags */
	TEV_FORK,		/* sched_process_fork */
	TEV_EXEC,		/* sched_process_exec */
	TEV_EXIT,		/* sched_process_exit */
	TEV_SNAPSHOT,		/* tracing_mark_write anonvma-snapshot N */
	TEV_MARKER,		/* another marker (ignored) */
};

/* The system calls replay distinguishes; TSYS_OTHER is recorded but inert. */
enum tsys {
	TSYS_MMAP, TSYS_MUNMAP, TSYS_MPROTECT, TSYS_PKEY_MPROTECT,
	TSYS_MREMAP, TSYS_MADVISE, TSYS_PROCESS_MADVISE, TSYS_BRK,
	TSYS_CLONE, TSYS_CLONE3, TSYS_FORK, TSYS_VFORK,
	TSYS_EXECVE, TSYS_EXECVEAT, TSYS_EXIT, TSYS_EXIT_GROUP,
	TSYS_MLOCK, TSYS_MLOCK2, TSYS_MUNLOCK, TSYS_MLOCKALL, TSYS_MUNLOCKALL,
	TSYS_SHMAT, TSYS_SHMDT, TSYS_PRCTL, TSYS_MSEAL,
	TSYS_OPEN, TSYS_OPENAT, TSYS_OPENAT2, TSYS_MEMFD_CREATE,
	TSYS_DUP, TSYS_DUP2, TSYS_DUP3, TSYS_CLOSE, TSYS_CLOSE_RANGE,
	NR_TSYS
};

/** tsys_name() - the system call's name as the tracepoints spell it. */
const char *tsys_name(enum tsys nr);

#define TKMEM_NOT_RMAP	(-1)

/** struct tsysargs - a system call's six arguments, or its result in a[0]. */
struct tsysargs {
	uint64_t a[6];
};

/**
 * struct tevent - one event line (32 bytes: a build's recording has
 * half a million of them; the timestamps are only checked for order).
 * @tid, @tgid: the task (@tgid is -1 when ftrace did not know it).
 * @line: line number in the file, for messages.
 * @kind: what it is; the union member of that kind is valid.
 * @sys.nr, @sys.args: a system call, and the index in trace->sysargs of
 *                  its arguments (enter) or return value in a[0] (exit).
 * @fault.addr, @fault.err: the faulting address and the x86 error code.
 * @kmem.obj, @kmem.site: which cache (an enum scn_object) and which call
 *                  site (an enum obs_site; OBS_SITE_OTHER for a function
 *                  the model does not know, which can only disagree), or
 *                  TKMEM_NOT_RMAP for an object of another cache merged
 *                  into the anon_vma_chain slab, which replay ignores.
 * @kmem.ptr: the object's address, to pair frees with allocations.
 * @task.pid: task_newtask's and sched_process_fork's child, the exec'd
 *            or exiting task; @task.flags: clone flags; @task.old_pid: an
 *            exec's former tid.
 * @snap: index into trace->snaps.
 */
struct tevent {
	int32_t tid, tgid;
	uint32_t line;
	uint8_t kind;
	union {
		struct {
			uint8_t nr;
			uint32_t args;
		} sys;
		struct {
			uint64_t addr;
			uint32_t err;
		} fault;
		struct {
			uint8_t obj;
			int8_t site;
			uint64_t ptr;
		} kmem;
		struct {
			int32_t pid, old_pid;
			uint64_t flags;
		} task;
		uint32_t snap;
	};
};

/**
 * struct tsnap_vma - one VMA of a snapshot.
 * @flags: the VmFlags mnemonics as VM_* bits the model knows.
 * @unknown_flags: whether some mnemonic was not one of those.
 * @path: index into the snapshot owner's string pool, or -1.
 */
struct tsnap_vma {
	uint64_t start, end, offset;
	uint64_t flags;
	uint64_t inode;
	uint32_t dev;
	int32_t path;
	char perms[5];
	bool unknown_flags;
};

/** struct tsnap_run - @npages present anonymous pages from @start. */
struct tsnap_run {
	uint64_t start, npages;
};

/**
 * struct tsnap - an exec or exit snapshot of one task's address space.
 * @exec: taken at the exec event (else at the task's exit).
 * @start_brk: exec only.
 * @vmas, @runs: arrays of @nvmas and @nruns entries.
 * @strings: the paths, NUL-separated.
 */
struct tsnap {
	uint32_t n, line;
	int32_t tid, tgid;
	bool exec;
	uint64_t start_brk;
	struct tsnap_vma *vmas;
	uint32_t nvmas;
	struct tsnap_run *runs;
	uint32_t nruns;
	char *strings;
	size_t strings_len;
};

/**
 * struct trace - a whole recording.
 * @no_zero_page: the recording kernel served read faults on private
 *                anonymous memory without the zero page (header line
 *                "zero-page forbidden"; see mm_set_zero_page_forbidden()).
 */
struct trace {
	char kernel[128];
	char machine[32];
	char command[512];
	int root_pid;
	unsigned long page_size;
	bool no_zero_page;
	struct tevent *ev;
	size_t nev;
	struct tsysargs *sysargs;
	size_t nsysargs;
	struct tsnap *snaps;
	size_t nsnaps;
};

/**
 * trace_load() - read and check the trace file @path.
 * @t: out; trace_free() it afterwards (also after a failure).
 * @err: out: "FILE:LINE: message" on failure.
 * @allow_other_kernel: accept a recording of a kernel other than 6.18
 *                     (its rules may differ from the model's v6.18).
 *
 * Return: 0, or -1 with @err set: the file cannot be read, a line is
 * malformed, an event is unknown, timestamps go backwards, a snapshot
 * block is broken or unannounced, the trailer is missing (truncated)
 * or disagrees with the body, or events were lost while recording.
 */
int trace_load(const char *path, struct trace *t, char *err, size_t n,
	       bool allow_other_kernel);
/** trace_load_mem() - trace_load() of @len bytes at @buf, named @name in messages. */
int trace_load_mem(const char *name, const char *buf, size_t len,
		   struct trace *t, char *err, size_t n,
		   bool allow_other_kernel);
void trace_free(struct trace *t);
/** tev_args() - the arguments (or result, in [0]) of system call event @e. */
static inline const uint64_t *tev_args(const struct trace *t,
				       const struct tevent *e)
{
	return t->sysargs[e->sys.args].a;
}

/** tsnap_path() - the path of @v in @s, or "" . */
const char *tsnap_path(const struct tsnap *s, const struct tsnap_vma *v);

#endif
