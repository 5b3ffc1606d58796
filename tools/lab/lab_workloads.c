/* SPDX-License-Identifier: MIT */
/*
 * The benchmark workloads on the model, part one: Rik van Riel's fork
 * bomb, the serial forker, the split VMA, the forking server and mmap
 * churn.  Each one drives the library through the entry points a
 * process would use (sys_*, access_page(), dup_mm(), mmput()), times
 * every operation, and samples the live anon_vma / anon_vma_chain
 * counts as it goes.  The parameter tables and the registry are here
 * too; the process image and the concurrent mix are in
 * lab_workloads2.c, the host-kernel versions in lab_kernel.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/anonvma.h>

#include "lab.h"
#include "lab_internal.h"

/** lab_op_done() - see lab_internal.h. */
void lab_op_done(struct lab_result *r, enum lab_op op, double t0)
{
	r->op[op].ns += lab_now() - t0;
	r->op[op].n++;
}

/** lab_map_anon() - see lab_internal.h. */
int lab_map_anon(struct lab_result *r, struct mm_struct *mm,
		 unsigned long addr, unsigned long pages, unsigned long prot,
		 unsigned long flags)
{
	double t0 = lab_now();
	long ret = sys_mmap(mm, addr, pages * PAGE_SIZE, prot,
			    MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
			    (flags ? flags : MAP_PRIVATE), NULL, 0);

	lab_op_done(r, LAB_OP_MMAP, t0);
	if (ret < 0 || (unsigned long)ret != addr) {
		snprintf(r->error, sizeof(r->error),
			 "mmap of %lu pages at %#lx failed: %ld", pages, addr,
			 ret);
		return -1;
	}
	return 0;
}

/** lab_touch() - see lab_internal.h. */
int lab_touch(struct lab_result *r, struct mm_struct *mm, unsigned long addr,
	      bool write)
{
	uint64_t v = addr;
	double t0 = lab_now();
	vm_fault_t f = access_page(mm, addr, write, &v);

	lab_op_done(r, LAB_OP_FAULT, t0);
	if (f & VM_FAULT_ERROR) {
		snprintf(r->error, sizeof(r->error),
			 "%s of %#lx failed (fault %#x)",
			 write ? "write" : "read", addr, f);
		return -1;
	}
	return 0;
}

/** lab_fork() - see lab_internal.h. */
struct mm_struct *lab_fork(struct lab_result *r, struct mm_struct *mm)
{
	double t0 = lab_now();
	int err = 0;
	struct mm_struct *child = dup_mm(mm, &err);

	lab_op_done(r, LAB_OP_FORK, t0);
	if (!child)
		snprintf(r->error, sizeof(r->error), "fork failed: %s",
			 strerror(err ? -err : ENOMEM));
	return child;
}

/** lab_exit() - see lab_internal.h. */
void lab_exit(struct lab_result *r, struct mm_struct *mm)
{
	double t0 = lab_now();

	mmput(mm);
	lab_op_done(r, LAB_OP_EXIT, t0);
}

/** lab_every() - see lab_internal.h. */
unsigned long lab_every(unsigned long total, unsigned long samples)
{
	return total / samples ? total / samples : 1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	return p;
}

/* Exit every non-NULL mm of @mms[0..n) (a failed run's clean-up). */
static void exit_all(struct lab_result *r, struct mm_struct **mms, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (mms[i])
			lab_exit(r, mms[i]);
}

/*
 * End a parent @mms[0] and its @children: children first, then the
 * parent, as the processes would end; any may be NULL (a failed run).
 * Frees @mms.
 */
static void exit_family(struct lab_result *r, struct mm_struct **mms,
			long children)
{
	exit_all(r, mms + 1, children);
	if (mms[0])
		lab_exit(r, mms[0]);
	free(mms);
}

/* Map @pages pages at LAB_WIN in @mm and write every one of them. */
static int map_written(struct lab_result *r, struct mm_struct *mm, long pages)
{
	long i;

	if (lab_map_anon(r, mm, LAB_WIN, (unsigned long)pages,
			 PROT_READ | PROT_WRITE, 0))
		return -1;
	for (i = 0; i < pages; i++)
		if (lab_touch(r, mm, LAB_WIN + (unsigned long)i * PAGE_SIZE,
			      true))
			return -1;
	return 0;
}

/*
 * rik: one parent maps PAGES pages and writes them, forks CHILDREN
 * children that each write (COW) every page and stay alive, then every
 * SAMPLE-th page of every process is rmap-walked (each folio once).
 * Rik van Riel's 2009 report behind anon_vma chains: with one anon_vma
 * per fork family, a walk of a child's private page visits every VMA of
 * the family.
 */
int lab_rik_model(const long *p, struct lab_result *r)
{
	long children = p[0], pages = p[1], sample = p[2], c, i;
	struct mm_struct **mms = xcalloc((size_t)children + 1, sizeof(*mms));
	unsigned long every = lab_every((unsigned long)children, 100);
	struct lab_ptrset *seen;
	int ret = -1;

	mms[0] = mm_alloc();
	if (!mms[0] || map_written(r, mms[0], pages))
		goto out;
	lab_sample(r, 0);
	for (c = 1; c <= children; c++) {
		double t0 = lab_now();

		mms[c] = lab_fork(r, mms[0]);
		if (!mms[c])
			goto out;
		for (i = 0; i < pages; i++)
			if (lab_touch(r, mms[c],
				      LAB_WIN + (unsigned long)i * PAGE_SIZE, true))
				goto out;
		lab_op_done(r, LAB_OP_CYCLE, t0);
		lab_note_live(r);
		if ((unsigned long)c % every == 0 || c == children)
			lab_sample(r, (double)c);
	}
	lab_measure_point(r, r->check);
	seen = lab_ptrset_new();
	for (c = 0; c <= children; c++)
		lab_walk_pages(mms[c], LAB_WIN, (unsigned long)pages,
			       (unsigned long)sample, seen, r);
	lab_ptrset_free(seen);
	lab_sample(r, (double)children);
	ret = 0;
out:
	exit_family(r, mms, children);
	return ret;
}

/*
 * serial: VMAS separate VMAs of PAGES pages each, one page of each
 * written; then GENERATIONS times: fork, the parent exits, the child
 * writes one page of each VMA.  With fork-time reuse the anon_vmas per
 * VMA stay bounded (spec §2.5: the root is never reusable, so the bound
 * is 3: root, the exited parent's reusable one, the current one);
 * without reuse every generation adds one.
 */
int lab_serial_model(const long *p, struct lab_result *r)
{
	long gens = p[0], vmas = p[1], pages = p[2], g, v;
	unsigned long stride = (unsigned long)(pages + 1) * PAGE_SIZE;
	unsigned long every = lab_every((unsigned long)gens, 200);
	struct mm_struct *mm = mm_alloc();
	struct lab_ptrset *seen;

	if (!mm)
		return -1;
	for (v = 0; v < vmas; v++) {
		unsigned long a = LAB_WIN + (unsigned long)v * stride;

		if (lab_map_anon(r, mm, a, (unsigned long)pages,
				 PROT_READ | PROT_WRITE, 0) ||
		    lab_touch(r, mm, a, true))
			goto fail;
	}
	lab_sample(r, 0);
	for (g = 1; g <= gens; g++) {
		double t0 = lab_now();
		struct mm_struct *child = lab_fork(r, mm);

		if (!child)
			goto fail;
		lab_exit(r, mm);
		mm = child;
		for (v = 0; v < vmas; v++)
			if (lab_touch(r, mm, LAB_WIN + (unsigned long)v * stride +
				      (unsigned long)(g % pages) * PAGE_SIZE, true))
				goto fail;
		lab_op_done(r, LAB_OP_CYCLE, t0);
		lab_note_live(r);
		if ((unsigned long)g % every == 0 || g == gens)
			lab_sample(r, (double)g);
	}
	lab_measure_point(r, r->check);
	seen = lab_ptrset_new();
	for (v = 0; v < vmas; v++)
		lab_walk_pages(mm, LAB_WIN + (unsigned long)v * stride,
			       (unsigned long)pages, 1, seen, r);
	lab_ptrset_free(seen);
	lab_exit(r, mm);
	return 0;
fail:
	lab_exit(r, mm);
	return -1;
}

/*
 * split: one VMA of PAGES pages, every page written, CHILDREN children
 * forked (sharing every page), then every other page made read-only
 * with mprotect: PAGES VMAs that cannot merge, all on the one
 * anon_vma.  A walk asks the anon_vma which VMAs may map the folio: an
 * interval tree answers with the one piece that covers its index (plus
 * the children), a list with every piece (the motivation for the
 * interval tree, 2012).
 */
int lab_split_model(const long *p, struct lab_result *r)
{
	long pages = p[0], children = p[1], sample = p[2], c, i, calls = 0;
	struct mm_struct **mms = xcalloc((size_t)children + 1, sizeof(*mms));
	unsigned long every = lab_every((unsigned long)pages / 2, 100);
	struct lab_ptrset *seen;
	int ret = -1;

	mms[0] = mm_alloc();
	if (!mms[0] || map_written(r, mms[0], pages))
		goto out;
	for (c = 1; c <= children; c++) {
		mms[c] = lab_fork(r, mms[0]);
		if (!mms[c])
			goto out;
	}
	lab_sample(r, 0);
	for (i = 1; i < pages; i += 2) {
		double t0 = lab_now();
		int err = sys_mprotect(mms[0], LAB_WIN + (unsigned long)i * PAGE_SIZE,
				       PAGE_SIZE, PROT_READ);

		lab_op_done(r, LAB_OP_MPROTECT, t0);
		if (err) {
			snprintf(r->error, sizeof(r->error),
				 "mprotect of page %ld failed: %d", i, err);
			goto out;
		}
		lab_note_live(r);
		if ((unsigned long)++calls % every == 0)
			lab_sample(r, (double)(2 * calls));
	}
	lab_measure_point(r, r->check);
	seen = lab_ptrset_new();
	lab_walk_pages(mms[0], LAB_WIN, (unsigned long)pages,
		       (unsigned long)sample, seen, r);
	lab_ptrset_free(seen);
	lab_sample(r, (double)(2 * calls));
	ret = 0;
out:
	exit_family(r, mms, children);
	return ret;
}

/*
 * server: a server maps a HEAP-page heap and fills it, then forks
 * WORKERS workers one after the other; each writes WRITES heap pages
 * (COW) and stays alive until LIVE younger workers exist, then exits.
 * Every RECLAIM workers, reclaim walks every page of the server's heap
 * (the pages the workers did not write stay shared, so each walk finds
 * the server and the live workers).
 */
int lab_server_model(const long *p, struct lab_result *r)
{
	long workers = p[0], live = p[1], heap = p[2], writes = p[3];
	long reclaim = p[4], w, k, head = 0, n = 0;
	struct mm_struct **fifo = xcalloc((size_t)live + 1, sizeof(*fifo));
	struct mm_struct *server = mm_alloc();
	int ret = -1;

	if (!server || map_written(r, server, heap))
		goto out;
	lab_sample(r, 0);
	for (w = 0; w < workers; w++) {
		double t0 = lab_now();
		struct mm_struct *child = lab_fork(r, server);

		if (!child)
			goto out;
		fifo[(head + n++) % (live + 1)] = child;
		for (k = 0; k < writes; k++) {
			unsigned long pg = (unsigned long)(w * writes + k) %
					   (unsigned long)heap;

			if (lab_touch(r, child, LAB_WIN + pg * PAGE_SIZE, true))
				goto out;
		}
		if (n > live) {
			lab_exit(r, fifo[head]);
			fifo[head] = NULL;
			head = (head + 1) % (live + 1);
			n--;
		}
		lab_op_done(r, LAB_OP_CYCLE, t0);
		lab_note_live(r);
		if ((w + 1) % reclaim == 0 || w == workers - 1) {
			lab_walk_pages(server, LAB_WIN, (unsigned long)heap, 1,
				       NULL, r);
			lab_sample(r, (double)(w + 1));
		}
	}
	lab_measure_point(r, r->check);
	ret = 0;
out:
	while (n) {
		if (fifo[head])
			lab_exit(r, fifo[head]);
		head = (head + 1) % (live + 1);
		n--;
	}
	if (server)
		lab_exit(r, server);
	free(fifo);
	return ret;
}

/*
 * churn: a one-page neighbour mapping, written; then CYCLES times: map
 * PAGES pages GAP pages above it, write them, unmap them.  With GAP 0
 * the new range merges with the faulted neighbour and shares its
 * anon_vma (spec §2.3); otherwise each cycle prepares a fresh one.
 */
int lab_churn_model(const long *p, struct lab_result *r)
{
	long cycles = p[0], pages = p[1], gap = p[2], c, i;
	unsigned long addr = LAB_WIN + (unsigned long)(1 + gap) * PAGE_SIZE;
	unsigned long every = lab_every((unsigned long)cycles, 100);
	struct mm_struct *mm = mm_alloc();
	int ret = -1;

	if (!mm || lab_map_anon(r, mm, LAB_WIN, 1, PROT_READ | PROT_WRITE, 0) ||
	    lab_touch(r, mm, LAB_WIN, true))
		goto out;
	lab_sample(r, 0);
	for (c = 1; c <= cycles; c++) {
		double t0 = lab_now(), t1;
		int err;

		if (lab_map_anon(r, mm, addr, (unsigned long)pages,
				 PROT_READ | PROT_WRITE, 0))
			goto out;
		for (i = 0; i < pages; i++)
			if (lab_touch(r, mm, addr + (unsigned long)i * PAGE_SIZE,
				      true))
				goto out;
		lab_note_live(r);
		if (c == cycles)
			lab_measure_point(r, r->check);
		t1 = lab_now();
		err = sys_munmap(mm, addr, (unsigned long)pages * PAGE_SIZE);
		lab_op_done(r, LAB_OP_MUNMAP, t1);
		if (err) {
			snprintf(r->error, sizeof(r->error),
				 "munmap failed: %d", err);
			goto out;
		}
		lab_op_done(r, LAB_OP_CYCLE, t0);
		if ((unsigned long)c % every == 0)
			lab_sample(r, (double)c);
	}
	ret = 0;
out:
	if (mm)
		lab_exit(r, mm);
	return ret;
}
