/* SPDX-License-Identifier: MIT */
/*
 * Between the two halves of `replay --extract`: extract.c turns the
 * replay's events into steps in recorded addresses, extract_write.c
 * relocates them into a window and writes the scenario.
 */
#ifndef ANONVMA_REPLAY_EXTRACT_H
#define ANONVMA_REPLAY_EXTRACT_H

#include "../scenario/scenario.h"
#include "replay_internal.h"

/* Gaps up to this many pages are kept exactly; longer ones shrink to it. */
#define XGAP_PAGES	16UL
/* The least gap kept below a stack: the guard gap and one page to grow. */
#define XGUARD_PAGES	((STACK_GUARD_GAP >> PAGE_SHIFT) + 1)
#define XGATE_START	0xffffffffff600000ULL

enum xkind {
	X_COMMENT, X_PROC, X_MMAP, X_MUNMAP, X_MPROTECT, X_MADVISE, X_MREMAP,
	X_MLOCK, X_MUNLOCK, X_MLOCKALL, X_MUNLOCKALL,
	X_READ, X_WRITE, X_FORK, X_EXIT,
};

/**
 * struct xstep - one line of the scenario to be, in recorded addresses.
 * @a, @len: the range; @a2, @len2: an mremap's destination.
 * @arg: advice, mlock2 or mlockall flags, or an in-place mremap's pages.
 * @delta: a brk's move in pages, said as this mmap or munmap.
 * @err: the errno (or SCN_SIGSEGV...) the kernel returned, 0 for success.
 * @counts: the kernel's counts @kc[object][0 alloc, 1 free] are known;
 *	    @frees_only: only the frees are (the old image's end at exec).
 */
struct xstep {
	enum xkind kind;
	int img, child, file;
	uint64_t a, len, a2, len2;
	unsigned long prot, flags, arg, off, line;
	long delta;
	int err;
	bool counts, frees_only, read_as_write;
	unsigned long kc[NR_SCN_OBJECTS][2];
	char *text;
};

/* Which images the scenario follows. */
enum xrole { XR_NONE, XR_LISTED, XR_CHILD };

struct ximg {
	enum xrole role;
	bool begun;
	uint64_t brk;
};

/* A scenario file: an exec'd file (@serial 0) or a model file's serial. */
struct xfile {
	unsigned long serial;
	uint32_t dev, snap;
	uint64_t inode;
	unsigned long pages;
};

struct xrange {
	uint64_t start, end, to;	/* @to: the relocated start */
	bool gd;
};

struct xstate {
	const struct trace *t;
	struct ximg *img;
	size_t nimg;
	struct xstep *steps;
	size_t nsteps, capsteps;
	struct xrange *rg;
	size_t nrg, caprg;
	struct xfile *files;
	size_t nfiles, capfiles;
	struct u64map pending;		/* tid -> index + 1 of its open step */
	struct replay_extract_stats *stats;
	bool oom, gate_said;
	char err[256];
};

/* extract_write.c */
/** relocate() - place the touched ranges in the window; returns its pages. */
unsigned long relocate(struct xstate *x);
/** write_scenario() - the scenario text of @x's steps, after relocate(). */
void write_scenario(FILE *o, struct xstate *x, const char *trace_name,
		    const int *ids, size_t nids);

#endif
