/* SPDX-License-Identifier: MIT */
/*
 * The benchmark workloads on the model, part two: a realistic process
 * image (how many anon_vmas does a program need, lazily or eagerly
 * allocated?) and the concurrent mix of forking threads and rmap
 * walkers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/anonvma.h>

#include "lab.h"
#include "lab_internal.h"

/* The layout of one shared object (and of the program itself), in pages. */
#define OBJ_HDR		4	/* r--  ELF header, .rodata      file off 0  */
#define OBJ_TEXT	24	/* r-x  .text                    file off 4  */
#define OBJ_RELRO	2	/* r--  after relocation (RELRO) file off 28 */
#define OBJ_DATA	4	/* rw-  .data                    file off 30 */
#define OBJ_BSS		4	/* rw-  .bss, anonymous                       */
#define OBJ_FILE_PAGES	(OBJ_HDR + OBJ_TEXT + OBJ_RELRO + OBJ_DATA)
#define OBJ_SPAN	(OBJ_FILE_PAGES + OBJ_BSS + 4)	/* + a gap */

#define ANON_PAGES	16	/* each anonymous region */
#define HEAP_PAGES	64
#define STACK_PAGES	32

static int map_file(struct lab_result *r, struct mm_struct *mm,
		    unsigned long addr, unsigned long pages, unsigned long prot,
		    struct file *f, unsigned long off)
{
	double t0 = lab_now();
	long ret = sys_mmap(mm, addr, pages * PAGE_SIZE, prot,
			    MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, off);

	lab_op_done(r, LAB_OP_MMAP, t0);
	if (ret < 0 || (unsigned long)ret != addr) {
		snprintf(r->error, sizeof(r->error),
			 "file mmap at %#lx failed: %ld", addr, ret);
		return -1;
	}
	return 0;
}

/*
 * One ELF object as ld.so maps it: header and read-only data (read),
 * text (executed: read), RELRO (written by relocation processing, then
 * made read-only: it keeps its anon_vma), data (some pages written),
 * bss (anonymous, one page written).  Three of the five VMAs are
 * written, the shape behind Linus's 2010 remark that about half of the
 * VMAs never need an anon_vma.
 */
static int map_object(struct lab_result *r, struct mm_struct *mm,
		      unsigned long base, struct file *f)
{
	unsigned long a = base;

	if (map_file(r, mm, a, OBJ_HDR, PROT_READ, f, 0) ||
	    lab_touch(r, mm, a, false))
		return -1;
	a += OBJ_HDR * PAGE_SIZE;
	if (map_file(r, mm, a, OBJ_TEXT, PROT_READ | PROT_EXEC, f, OBJ_HDR) ||
	    lab_touch(r, mm, a, false) ||
	    lab_touch(r, mm, a + 5 * PAGE_SIZE, false))
		return -1;
	a += OBJ_TEXT * PAGE_SIZE;
	if (map_file(r, mm, a, OBJ_RELRO, PROT_READ | PROT_WRITE, f,
		     OBJ_HDR + OBJ_TEXT) ||
	    lab_touch(r, mm, a, true) ||
	    sys_mprotect(mm, a, OBJ_RELRO * PAGE_SIZE, PROT_READ))
		return -1;
	a += OBJ_RELRO * PAGE_SIZE;
	if (map_file(r, mm, a, OBJ_DATA, PROT_READ | PROT_WRITE, f,
		     OBJ_HDR + OBJ_TEXT + OBJ_RELRO) ||
	    lab_touch(r, mm, a, true) || lab_touch(r, mm, a + PAGE_SIZE, true))
		return -1;
	a += OBJ_DATA * PAGE_SIZE;
	if (lab_map_anon(r, mm, a, OBJ_BSS, PROT_READ | PROT_WRITE, 0) ||
	    lab_touch(r, mm, a, true))
		return -1;
	return 0;
}

/*
 * image: the address space of a dynamically linked program: the
 * program and LIBS shared objects (five VMAs each, map_object()), a
 * heap grown with brk and partly written, ANON anonymous regions of
 * which WRITTEN are written (the others are reservations and guard
 * areas: PROT_NONE or never touched, one read through the zero page),
 * a MAP_SHARED region, and a stack.  Then CHILDREN forks.  The measure
 * is the number of anon_vmas: lazy allocation (spec §2.2) prepares one
 * at the first write fault of a VMA only.
 */
int lab_image_model(const long *p, struct lab_result *r)
{
	long libs = p[0], anon = p[1], written = p[2], children = p[3], i;
	struct file **files = calloc((size_t)libs + 1, sizeof(*files));
	struct mm_struct **kids = calloc((size_t)children + 1, sizeof(*kids));
	struct mm_struct *mm = mm_alloc();
	unsigned long a = LAB_WIN, heap;
	int ret = -1;

	if (!files || !kids || !mm) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		goto out;
	}
	for (i = 0; i <= libs; i++) {
		char name[32];

		snprintf(name, sizeof(name), i ? "lib%ld.so" : "program", i);
		files[i] = file_create(name, OBJ_FILE_PAGES);
		if (!files[i] || map_object(r, mm, a, files[i]))
			goto out;
		a += OBJ_SPAN * PAGE_SIZE;
	}
	/* The heap: brk grows it, malloc writes a quarter of it. */
	heap = a;
	mm_set_brk_base(mm, heap);
	if (sys_brk(mm, heap + HEAP_PAGES * PAGE_SIZE) !=
	    heap + HEAP_PAGES * PAGE_SIZE) {
		snprintf(r->error, sizeof(r->error), "brk failed");
		goto out;
	}
	for (i = 0; i < HEAP_PAGES / 4; i++)
		if (lab_touch(r, mm, heap + (unsigned long)i * PAGE_SIZE, true))
			goto out;
	a = heap + (HEAP_PAGES + 64) * PAGE_SIZE;
	for (i = 0; i < anon; i++) {
		bool guard = i >= written && (i - written) % 2;

		if (lab_map_anon(r, mm, a, ANON_PAGES,
				 guard ? PROT_NONE : PROT_READ | PROT_WRITE, 0))
			goto out;
		if (i < written) {
			if (lab_touch(r, mm, a, true) ||
			    lab_touch(r, mm, a + 3 * PAGE_SIZE, true))
				goto out;
		} else if (!guard && (i - written) % 4 == 0) {
			if (lab_touch(r, mm, a, false))	/* the zero page */
				goto out;
		}
		a += (ANON_PAGES + 1) * PAGE_SIZE;
	}
	/* A shared anonymous region (never an anon_vma: spec §3.2). */
	if (lab_map_anon(r, mm, a, 8, PROT_READ | PROT_WRITE, MAP_SHARED) ||
	    lab_touch(r, mm, a, true))
		goto out;
	a += 9 * PAGE_SIZE;
	/* The stack: its top pages are in use. */
	if (lab_map_anon(r, mm, a, STACK_PAGES, PROT_READ | PROT_WRITE, 0))
		goto out;
	for (i = STACK_PAGES - 4; i < STACK_PAGES; i++)
		if (lab_touch(r, mm, a + (unsigned long)i * PAGE_SIZE, true))
			goto out;
	lab_sample(r, 0);
	for (i = 0; i < children; i++) {
		kids[i] = lab_fork(r, mm);
		if (!kids[i])
			goto out;
		lab_sample(r, (double)(i + 1));
	}
	lab_measure_point(r, r->check);
	ret = 0;
out:
	for (i = 0; kids && i < children; i++)
		if (kids[i])
			lab_exit(r, kids[i]);
	if (mm)
		lab_exit(r, mm);
	for (i = 0; files && i <= libs; i++)
		if (files[i])
			fput(files[i]);
	free(files);
	free(kids);
	return ret;
}

/* ------------------------------------------------------------------ */
/* concurrent                                                          */
/* ------------------------------------------------------------------ */

struct conc {
	struct mm_struct *parent;
	long pages, iters;
	int *running;			/* forking threads still running */
	struct lab_result part;		/* per thread */
	pthread_t tid;
};

static void *conc_forker(void *arg)
{
	struct conc *c = arg;
	long it, k, n = c->pages / 8 ? c->pages / 8 : 1;

	for (it = 0; it < c->iters; it++) {
		double t0 = lab_now();
		struct mm_struct *child = lab_fork(&c->part, c->parent);

		if (!child)
			break;
		for (k = 0; k < n; k++) {
			unsigned long pg = (unsigned long)(it * 7 + k * 3) %
					   (unsigned long)c->pages;

			if (lab_touch(&c->part, child, LAB_WIN + pg * PAGE_SIZE,
				      true))
				break;
		}
		lab_note_live(&c->part);
		lab_exit(&c->part, child);
		lab_op_done(&c->part, LAB_OP_CYCLE, t0);
	}
	return NULL;
}

static void *conc_walker(void *arg)
{
	struct conc *c = arg;
	unsigned long k = 0;

	while (__atomic_load_n(c->running, __ATOMIC_ACQUIRE) > 0 ||
	       k < (unsigned long)c->pages) {
		struct folio *folio = folio_at(c->parent, LAB_WIN +
					       (k++ % (unsigned long)c->pages) *
					       PAGE_SIZE);

		if (folio) {
			lab_walk_folio(folio, &c->part);
			folio_put(folio);
		}
	}
	return NULL;
}

static void merge_part(struct lab_result *r, const struct lab_result *p)
{
	int i;

	for (i = 0; i < NR_LAB_OPS; i++) {
		r->op[i].n += p->op[i].n;
		r->op[i].ns += p->op[i].ns;
	}
	if (p->av_max > r->av_max)
		r->av_max = p->av_max;
	if (p->avc_max > r->avc_max)
		r->avc_max = p->avc_max;
	r->walks += p->walks;
	r->visited += p->visited;
	r->mapped += p->mapped;
	r->offered += p->offered;
	if (!r->error[0] && p->error[0])
		memcpy(r->error, p->error, sizeof(r->error));
}

/*
 * concurrent: a parent with PAGES written pages; THREADS threads each
 * fork it ITERS times, write an eighth of the pages in the child (COW)
 * and exit the child; meanwhile WALKERS threads rmap-walk the parent's
 * pages round and round.  Every fork and exit write-locks the root
 * anon_vma that the walkers read-lock: the lock figures of the table
 * come from here.
 */
int lab_concurrent_model(const long *p, struct lab_result *r)
{
	long threads = p[0], walkers = p[1], iters = p[2], pages = p[3], i;
	struct conc *cs = calloc((size_t)(threads + walkers), sizeof(*cs));
	struct mm_struct *parent = mm_alloc();
	int running = (int)threads, ret = -1;

	if (!cs || !parent) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		goto out;
	}
	if (lab_map_anon(r, parent, LAB_WIN, (unsigned long)pages,
			 PROT_READ | PROT_WRITE, 0))
		goto out;
	for (i = 0; i < pages; i++)
		if (lab_touch(r, parent, LAB_WIN + (unsigned long)i * PAGE_SIZE,
			      true))
			goto out;
	lab_sample(r, 0);
	for (i = 0; i < threads + walkers; i++) {
		cs[i].parent = parent;
		cs[i].pages = pages;
		cs[i].iters = iters;
		cs[i].running = &running;
		if (pthread_create(&cs[i].tid, NULL,
				   i < threads ? conc_forker : conc_walker,
				   &cs[i])) {
			snprintf(r->error, sizeof(r->error),
				 "cannot start thread %ld", i);
			/* Walkers stop once the forkers are done. */
			__atomic_store_n(&running, 0, __ATOMIC_RELEASE);
			threads = walkers = 0;
			while (i-- > 0)
				pthread_join(cs[i].tid, NULL);
			goto out;
		}
	}
	for (i = 0; i < threads; i++) {
		pthread_join(cs[i].tid, NULL);
		__atomic_fetch_sub(&running, 1, __ATOMIC_ACQ_REL);
	}
	for (i = threads; i < threads + walkers; i++)
		pthread_join(cs[i].tid, NULL);
	for (i = 0; i < threads + walkers; i++)
		merge_part(r, &cs[i].part);
	lab_sample(r, (double)(threads * iters));
	lab_measure_point(r, r->check);
	ret = r->error[0] ? -1 : 0;
out:
	if (parent)
		lab_exit(r, parent);
	free(cs);
	return ret;
}
