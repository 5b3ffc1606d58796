/* SPDX-License-Identifier: MIT */
/*
 * The operation programs of fuzz_ops.c: how the fuzzer's bytes encode
 * operations, the state of one run, and the trace that prints a
 * program as a scenario.
 *
 * Byte 0 of an input selects the design, modulo the number of designs
 * fuzzed (FUZZ_OPS_DESIGNS; by default 0 mainline, 1 v6.18).
 * Then OPS_REC_SIZE bytes per operation, fixed-size so that libFuzzer's
 * cross-over keeps whole operations together:
 *
 *   byte 0: op = low 4 bits (enum ops_op), f = high 4 bits
 *   byte 1: p  = low 2 bits (process slot), g = high 6 bits
 *   byte 2: a  = low 4 bits (first page),   h = high 4 bits
 *   byte 3: n  = low 4 bits + 1 (pages),     k = high 4 bits
 *
 * What f, g, h and k mean depends on the operation:
 *
 *   mmap     f: prot (bits 0-2), MAP_SHARED (bit 3); g: placement (bits
 *            0-1: MAP_FIXED, MAP_FIXED_NOREPLACE, hint, anywhere), the
 *            file instead of anonymous memory (bit 2), MAP_NORESERVE
 *            (bit 3), length 100 bytes short (bit 4), length 0 (bit 5);
 *            h: file offset in pages.  A slot without a process gets a
 *            new one first.
 *   munmap, mprotect, madvise
 *            g: start one byte off (bit 0), length 0 (bit 1), length
 *            100 bytes short (bit 2); f: prot (mprotect) or an index
 *            into the advice table (madvise).
 *   mremap   f: the flags (MAYMOVE 1, FIXED 2, DONTUNMAP 4, 8 invalid);
 *            new length h + 1 pages, new address page k; g: old length
 *            0 (bit 0), start one byte off (bit 1).
 *   read, write   the pages a to a + n - 1; a store writes the token
 *            ops_token(operation number, page), unique to both.
 *   fork     the child goes to the next free slot (none: skipped); f
 *            bit 0: mark the parent MMF_HAS_PINNED first (it pinned
 *            pages once), so its exclusive pages are copied.
 *   swapout  f bit 0: keep the folio in the swap cache.
 *   rmap     f bit 0: folio_referenced(), else a counting rmap walk.
 *   brk      the new break at page a (+16 if h bit 0), 123 bytes past
 *            it if g bit 0.
 *   fail     the n-th allocation from cache f (enum fi_cache; FI_ANY,
 *            any cache, when f >= NR_FI_CACHES) during the next
 *            operation fails: a scenario's `fail CACHE nth N` line.
 *   mapcount vm.max_map_count = f + 16 * (g & 3), or the default if f
 *            is 0.
 *   exec     the process's address space is replaced by an empty one.
 */
#ifndef FUZZ_OPS_H
#define FUZZ_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <anonvma/anonvma.h>

#include "failinject.h"

#define OPS_NPROCS	4
#define OPS_WIN_PAGES	64	/* the trace's window; ops reach page 31 */
/* Where the model's get_unmapped_area() starts, so unfixed maps land here. */
#define OPS_WIN_BASE	0x100000000UL
#define OPS_BRK_PAGE	8	/* heap start of every new process */
#define OPS_FILE_PAGES	16
#define OPS_REC_SIZE	4
#define OPS_MAX_OPS	256	/* longer inputs are cut here */
/* Pages of the window the contents oracle (shadow.c) follows. */
#define OPS_SHADOW_PAGES 64

enum ops_op {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MREMAP,
	OP_MADVISE,
	OP_READ,
	OP_WRITE,
	OP_FORK,
	OP_EXIT,
	OP_SWAPOUT,
	OP_MIGRATE,
	OP_RMAP,
	OP_BRK,
	OP_FAIL,
	OP_MAPCOUNT,
	OP_EXEC,
	NR_OPS_OPS
};

/* Results besides 0 and negative errnos. */
enum {
	OPS_SKIPPED = 1,	/* nothing to act on */
	OPS_SIGSEGV,
	OPS_SIGBUS,
	OPS_OOM,
};

/** struct ops_rec - one decoded operation record. */
struct ops_rec {
	unsigned int op, f, p, g, a, h, n, k;
};

/** struct ops_call - the arguments an operation was run with, for the trace. */
struct ops_call {
	unsigned long addr, len, new_len, new_addr, prot, flags, pgoff;
	unsigned long old_brk;
	unsigned long ret_addr;	/* where mmap/mremap put the range */
	struct file *file;
	int advice;
	unsigned long done;	/* read/write: pages accessed */
	/* read: per page, the token the shadow knew (want_known) */
	uint64_t want[16];
	bool want_known[16];
	bool bad_load;		/* the last page read was not @want */
	uint64_t got;		/* what it read instead */
	int child;		/* fork: the child's slot */
	bool created;		/* a new process was made in the slot */
	bool had_mm;		/* the slot had a process before */
	int old_gen;		/* its name's generation before */
};

/**
 * struct ops_state - everything one input changes; zeroed per input.
 * @gen: per slot, the generation of the name of its current process.
 * @warns: vm_warn_count() at the start.
 * @opno: the number of the operation running (1 for the first).
 * @val, @known: the contents oracle (shadow.c): per slot and window
 *        page, the token a load must return, where it is known.
 */
struct ops_state {
	struct mm_struct *mm[OPS_NPROCS];
	int gen[OPS_NPROCS];
	struct file *file;
	unsigned long warns;
	struct failinject fi;
	bool fail_pending;	/* a fail record waits for the next op */
	bool fail_used;		/* the running op has one armed */
	bool fail_fired;	/* and it failed an allocation */
	bool fail_hard;		/* one that was not GFP_NOWAIT */
	int fail_cache;		/* enum fi_cache */
	unsigned int fail_nth;
	int opno;
	uint64_t val[OPS_NPROCS][OPS_SHADOW_PAGES];
	bool known[OPS_NPROCS][OPS_SHADOW_PAGES];
};

/** ops_token() - what operation @opno stores at window page @page. */
static inline uint64_t ops_token(int opno, unsigned long page)
{
	return ((uint64_t)opno << 8 | page) + 1;
}

/** ops_decode() - the record at @b (OPS_REC_SIZE bytes) into @r. */
static inline void ops_decode(const uint8_t *b, struct ops_rec *r)
{
	r->op = b[0] & 15;
	r->f = b[0] >> 4;
	r->p = b[1] & 3;
	r->g = b[1] >> 2;
	r->a = b[2] & 15;
	r->h = b[2] >> 4;
	r->n = (b[3] & 15) + 1U;
	r->k = b[3] >> 4;
}

/** ops_fault_result() - OPS_OOM, OPS_SIGBUS or OPS_SIGSEGV for fault bits @f. */
static inline long ops_fault_result(vm_fault_t f)
{
	if (f & VM_FAULT_OOM)
		return OPS_OOM;
	if (f & VM_FAULT_SIGBUS)
		return OPS_SIGBUS;
	return OPS_SIGSEGV;
}

/** ops_addr_result() - a syscall's address result as 0 or a negative errno. */
static inline long ops_addr_result(long ret, struct ops_call *c)
{
	if (ret < 0 && ret >= -4095)
		return ret;
	c->ret_addr = (unsigned long)ret;
	return 0;
}

/* shadow.c: the contents oracle (documented there) */
void ops_shadow_clear(struct ops_state *st, int p);
void ops_shadow_store(struct ops_state *st, int p, unsigned long addr,
		      uint64_t v);
bool ops_shadow_load(struct ops_state *st, int p, unsigned long addr,
		     uint64_t v, uint64_t *want, bool *checked);
void ops_shadow_after(struct ops_state *st, const struct ops_rec *r,
		      const struct ops_call *c, long ret);

/* trace.c */
/** ops_trace_begin() - the scenario's declarations. */
void ops_trace_begin(FILE *out, enum anonvma_design design);
/**
 * ops_trace() - one operation as a scenario line and its result.
 * @out: where to print.
 * @st: the state after the operation.
 * @r: the record.
 * @c: the arguments it ran with.
 * @ret: its result.
 */
void ops_trace(FILE *out, const struct ops_state *st, const struct ops_rec *r,
	       const struct ops_call *c, long ret);
/** ops_trace_end() - the closing comment. */
void ops_trace_end(FILE *out);

#endif
