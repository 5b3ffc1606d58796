/* SPDX-License-Identifier: MIT */
/*
 * A parsed scenario: the declarations of a scenario file and its list of
 * steps, each with the expectations that follow it.
 *
 * Nothing here depends on how the steps are carried out: the model
 * executor (exec_model.c) runs them on the library, and a kernel
 * executor runs the same list with real processes and system calls.
 * Addresses are kept as page indices inside the scenario's window, and
 * flags as the Linux ABI values of <sys/mman.h>, so both executors read
 * the same numbers.  The language itself is docs/scenario-language.md.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCN_NAME_MAX		32	/* names: at most 31 characters */
#define SCN_LINE_MAX		4096	/* longer lines are refused */
#define SCN_PAGE_SIZE		4096UL
#define SCN_DEFAULT_BASE	0x200000000000UL
#define SCN_DEFAULT_PAGES	512UL
#define SCN_MAX_PAGES		(1UL << 20)	/* window at most 4 GiB */
/* The window must lie below x86-64's TASK_SIZE so a kernel run can use it. */
#define SCN_USER_TOP		0x7ffffffff000UL
#define SCN_MAX_COUNT		(1UL << 31)	/* counts in expectations */
#define SCN_MAX_NTH		1000000UL	/* `fail CACHE nth N` */

/*
 * Results of an operation: 0 for success, a positive errno value (EINVAL,
 * ENOMEM...) for a failed system call, or one of these for an access
 * that faulted.
 */
enum {
	SCN_OK = 0,
	SCN_SIGSEGV = 0x10000,
	SCN_SIGBUS,
	SCN_OOM,
	SCN_BADADDR,	/* mmap/mremap returned another address than asked */
};

/** struct scn_range - pages [first, end) of the window. */
struct scn_range {
	unsigned long first;
	unsigned long end;
};

static inline unsigned long scn_range_pages(const struct scn_range *r)
{
	return r->end - r->first;
}

struct scn_region {
	char name[SCN_NAME_MAX];
	struct scn_range r;
	int line;
};

struct scn_file {
	char name[SCN_NAME_MAX];
	unsigned long pages;
	int line;
};

/** struct scn_proc - a process of the scenario, created by `proc` or `fork`. */
struct scn_proc {
	char name[SCN_NAME_MAX];
	int line;	/* where it is created */
	int parent;	/* index of the forking process, -1 for `proc` */
};

enum scn_op {
	SCN_OP_PROC,		/* proc P */
	SCN_OP_MMAP,
	SCN_OP_MUNMAP,
	SCN_OP_MPROTECT,
	SCN_OP_MADVISE,
	SCN_OP_MREMAP,		/* resize in place or move (flags) */
	SCN_OP_MLOCK,		/* mlock2 (flags: MLOCK_ONFAULT) */
	SCN_OP_MUNLOCK,
	SCN_OP_MLOCKALL,	/* flags: MCL_* */
	SCN_OP_MUNLOCKALL,
	SCN_OP_BRK_BASE,	/* model only */
	SCN_OP_BRK,		/* model only: move the break by delta pages */
	SCN_OP_READ,
	SCN_OP_WRITE,
	SCN_OP_FORK,
	SCN_OP_EXIT,
	SCN_OP_SWAPOUT,		/* model only */
	SCN_OP_MIGRATE,		/* model only */
	SCN_OP_REFERENCED,	/* model only */
	SCN_OP_RMAP,		/* model only */
	SCN_OP_CHECK,		/* model only */
	NR_SCN_OPS
};

enum scn_expect_kind {
	/* Observable on the kernel too. */
	SCN_EX_MAPS,		/* P maps R PROT [s], ... | none */
	SCN_EX_VMAS,		/* P vmas N */
	SCN_EX_PAGE,		/* P page R STATE [ATTR...] */
	SCN_EX_SAME,		/* same P R Q R2 */
	SCN_EX_DIFFER,		/* differ P R Q R2 */
	SCN_EX_LIVE,		/* live anon_vma|avc N */
	SCN_EX_STEP,		/* step anon_vma|avc [+A] [-F] */
	/* Model only. */
	SCN_EX_UNFAULTED,	/* P R unfaulted */
	SCN_EX_CHAIN,		/* P R chain N */
	SCN_EX_AV_EQ,		/* P R av == Q R2 */
	SCN_EX_AV_NE,		/* P R av != Q R2 */
	SCN_EX_AV_ROOT,		/* P R av root */
	SCN_EX_AV_NOTROOT,	/* P R av notroot */
	SCN_EX_AV_COUNTS,	/* P R av [children N] [active N] */
	SCN_EX_FOLIO_AV,	/* P R folio av == Q R2 */
	SCN_EX_FOLIO_AV_ROOT,	/* P R folio av == root Q R2 */
	SCN_EX_FOLIO_INDEX,	/* P R folio index N */
	SCN_EX_FOLIO_WALK,	/* P R folio walk N */
	SCN_EX_VIOLATIONS,	/* violations N */
	NR_SCN_EXPECTS
};

/* PTE states of `expect P page` (and of observations). */
enum scn_pstate {
	SCN_PAGE_NONE,
	SCN_PAGE_ZERO,
	SCN_PAGE_PRESENT,
	SCN_PAGE_SWAP,
	SCN_PAGE_MIGRATION,	/* only seen if the model is broken */
};

/* Which object cache an expectation counts. */
enum scn_object {
	SCN_OBJ_ANON_VMA,
	SCN_OBJ_AVC,
	NR_SCN_OBJECTS
};

/** struct scn_map_spec - one VMA of `expect P maps`. */
struct scn_map_spec {
	struct scn_range r;
	unsigned long prot;	/* PROT_* */
	bool shared;
};

/**
 * struct scn_expect - one `expect` line (other than `expect errno`).
 * @tri_*: -1 when not given, else 0 or 1.
 */
struct scn_expect {
	int line;
	char *text;		/* the line without "expect " and the comment */
	enum scn_expect_kind kind;
	bool model_only;
	int proc, proc2;
	struct scn_range r, r2;
	enum scn_object obj;
	long n, n2;		/* counts; -1 when not given */
	enum scn_pstate state;
	int tri_excl, tri_anon;
	long mapcount;		/* -1 when not given */
	struct scn_map_spec *maps;
	int nmaps;
};

/**
 * struct scn_step - one operation line and the expectations after it.
 * @text: the line without leading blanks and without its comment.
 * @proc: the acting process (the one named in the line), or -1.
 * @proc2: the child of a fork.
 * @flags: MAP_* for mmap, MREMAP_* for mremap, MLOCK_* for mlock, MCL_*
 *         for mlockall.
 * @populates: the operation faults pages in on the process's behalf
 *         (MAP_POPULATE, MAP_LOCKED or an mmap after `mlockall future`,
 *         mlock, `mlockall current`, MADV_POPULATE_*), or may do so
 *         (mprotect to writable, of a locked mapping): a failed
 *         allocation there leaves some prefix of the range faulted.
 * @npages: new size of an in-place mremap.
 * @delta: brk move in pages (may be negative).
 * @value: for `write R = V` and `read R == V` when @has_value.
 * @expect_errno: the result named by a following `expect errno`, or 0.
 * @fail_cache, @fail_nth, @fail_line: a `fail CACHE nth N` line before
 *         the operation: its @fail_nth-th allocation from @fail_cache
 *         (enum fi_cache, failinject.h) fails; @fail_nth is 0 when there
 *         is no such line.  A step with one is model only (the kernel
 *         run cannot make that allocation fail).
 */
struct scn_step {
	int line;
	char *text;
	enum scn_op op;
	bool model_only;
	int proc, proc2;
	struct scn_range r, r2;
	unsigned long prot;
	unsigned long flags;
	int file;		/* -1: anonymous */
	unsigned long off;	/* file offset in pages */
	int advice;		/* MADV_* */
	bool populates;
	unsigned long npages;
	long delta;
	bool has_value;
	uint64_t value;
	bool keepcache;
	int expect_errno;
	int errno_line;
	int fail_cache;
	unsigned long fail_nth;
	int fail_line;
	struct scn_expect *ex;
	int nex;
};

/** struct scenario - a whole parsed scenario file. */
struct scenario {
	char *name;		/* file name, for messages */
	unsigned long base;	/* window base address */
	unsigned long pages;	/* window size in pages */
	char design[SCN_NAME_MAX];	/* "" when the file names none */
	unsigned long bugs;	/* `bug` lines: bits of enum anonvma_bug */
	long max_map_count;	/* `sysctl max_map_count N`; 0: the default */
	struct scn_region *regions;
	int nregions;
	struct scn_file *files;
	int nfiles;
	struct scn_proc *procs;
	int nprocs;
	struct scn_step *steps;
	int nsteps;
};

/** struct scn_error - where and why parsing failed. */
struct scn_error {
	int line;
	int col;
	char msg[256];
};

/**
 * scn_parse() - parse a whole scenario text.
 * @name: the file name used in messages (copied).
 * @buf: the text; need not be NUL-terminated, may contain any byte.
 * @len: its length.
 * @err: filled in when parsing fails.
 *
 * Return: the scenario, or NULL with @err set.  Never executes anything.
 */
struct scenario *scn_parse(const char *name, const char *buf, size_t len,
			   struct scn_error *err);

/**
 * scn_read_file() - read a file (or standard input for "-") into memory.
 * @path: the file.
 * @len: out: the number of bytes read.
 * @err: filled in on failure (line 0).
 *
 * Return: a malloc'ed buffer, or NULL.
 */
char *scn_read_file(const char *path, size_t *len, struct scn_error *err);

/** scn_free() - free a scenario returned by scn_parse(). */
void scn_free(struct scenario *s);

/**
 * scn_error_print() - print @err as "file:line:col: message".
 * @name: the file name.
 * @err: the error.
 * @out: where to print.
 */
void scn_error_print(const char *name, const struct scn_error *err, FILE *out);

/** scn_result_name() - "ok", "EINVAL", "SIGSEGV"... for a result code. */
const char *scn_result_name(int res);

/** scn_result_parse() - the result code named @name, or -1 if unknown. */
int scn_result_parse(const char *name);

/** scn_op_name() - the keyword of an operation ("mmap", "swapout"...). */
const char *scn_op_name(enum scn_op op);

/** scn_prot_str() - "rw-" style protection letters of @prot into @buf[4]. */
void scn_prot_str(unsigned long prot, char buf[4]);

/** scn_utf8_len() - bytes of the valid multi-byte UTF-8 sequence at @p, or 0. */
int scn_utf8_len(const unsigned char *p, size_t n);

/** scn_write_value() - the token `write R` stores at window page @page. */
static inline uint64_t scn_write_value(const struct scn_step *st,
				       unsigned long page)
{
	return (uint64_t)st->line * 0x10000 + page;
}

#endif
