/* SPDX-License-Identifier: MIT */
/*
 * Observations: what a scenario step leaves behind, in one schema that
 * both executors fill in.
 *
 * The first part of each record is observable on the host kernel too:
 * the VMAs of the window per process (as /proc/PID/maps shows them), the
 * pages of the window (PTE state, a canonical label instead of a PFN,
 * PageAnonExclusive, mapcount, anon or file, as /proc/PID/pagemap,
 * /proc/kpagecount and /proc/kpageflags show them), and the anon_vma and
 * anon_vma_chain allocations and frees of the step by call site with the
 * live totals (kmem tracepoints).  The `model` members hold what only
 * the model can show (anon_vma identities, chains, pgoffs, PTE write
 * bits, rmap walks); a kernel executor leaves them empty and sets
 * has_model to false.  Printers keep the two parts apart.
 */
#ifndef SCN_OBSERVE_H
#define SCN_OBSERVE_H

#include "scenario.h"

/* Call sites of the anon_vma and anon_vma_chain caches, by kernel name. */
enum obs_site {
	OBS_SITE_PREPARE,	/* __anon_vma_prepare */
	OBS_SITE_CLONE,		/* anon_vma_clone */
	OBS_SITE_FORK,		/* anon_vma_fork */
	OBS_SITE_PUT,		/* __put_anon_vma */
	OBS_SITE_UNLINK,	/* unlink_anon_vmas */
	OBS_SITE_CLEANUP,	/* cleanup_partial_anon_vmas */
	OBS_SITE_OTHER,
	NR_OBS_SITES
};

/** obs_site_name() - the kernel function name of call site @site. */
const char *obs_site_name(enum obs_site site);
/*
 * The vm_flags an observation shows, by their two-letter names in
 * /proc/PID/smaps: gd lo sr rr dc lf wf dd hg nh.  Accounting (ac, nr)
 * and the access bits are left out: /proc/PID/maps already shows the
 * latter, and the former are in no scenario's expectations.
 */
#define OBS_VM_FLAGS 0x660ba100UL
/** obs_vm_flags_str() - @flags as smaps names them ("lo lf"), "" for none. */
void obs_vm_flags_str(unsigned long flags, char *buf, size_t n);
/** obs_vm_flags_parse() - the OBS_VM_FLAGS bits of a VmFlags line's names. */
unsigned long obs_vm_flags_parse(const char *names);

/** obs_sites_sum() - the total of one count per call site (@v[NR_OBS_SITES]). */
unsigned long obs_sites_sum(const unsigned long *v);
/** obs_object_name() - "anon_vma" or "anon_vma_chain". */
const char *obs_object_name(enum scn_object obj);

/** struct obs_objects - one cache's allocations and frees in a step. */
struct obs_objects {
	unsigned long alloc[NR_OBS_SITES];
	unsigned long free[NR_OBS_SITES];
	unsigned long live;
};

/**
 * struct obs_vma - one VMA inside the window, clipped to it.
 * @first, @end: window pages [first, end).
 * @prot: PROT_* from the VMA's read/write/exec flags.
 * @shared: VM_MAYSHARE ('s' in /proc/PID/maps), else private ('p').
 * @flags: the VM_* bits of OBS_VM_FLAGS the VMA has, as the VmFlags line
 *         of /proc/PID/smaps shows them (advice, locking, growth).
 * @offset: file offset in bytes for file-backed VMAs (shared anonymous
 *          memory included, as the kernel prints it), 0 for private anon.
 * @file: the scenario file mapped, or -1.
 * @model.av: anon_vma label (avN), 0 for none.
 * @model.chain: number of anon_vma_chains on the VMA.
 * @model.pgoff: vm_pgoff, which /proc only shows for files.
 * @model.chain_av: the labels of the anon_vmas its anon_vma_chains link,
 *                  in chain order (@model.chain of them; NULL if none).
 */
struct obs_vma {
	unsigned long first, end;
	unsigned long prot;
	bool shared;
	unsigned long flags;
	unsigned long offset;
	int file;
	struct {
		int av;
		unsigned long chain;
		unsigned long pgoff;
		const void *avp;	/* executor's own use */
		int *chain_av;
		const void **chain_avp;	/* executor's own use */
	} model;
};

/**
 * struct obs_page - one page of the window that is not pte_none.
 * @label: present: folio label (f<label>); swap: slot label (s<label>).
 * @excl: PageAnonExclusive of a present anon page; for a swap entry,
 *        its exclusive marker, which only the model shows (pagemap
 *        has no such bit).
 * @mapcount: folio mapcount of a present page.
 * @anon: present page of an anonymous folio (else a page-cache folio).
 * @model.writable: the PTE write bit (pagemap does not show it).
 * @model.av: label of the anon_vma the anon folio points to, 0 for none.
 * @model.index: folio->index.
 */
struct obs_page {
	unsigned long page;
	enum scn_pstate state;
	int label;
	bool excl;
	int mapcount;
	bool anon;
	struct {
		bool writable;
		int av;
		unsigned long index;
		const void *avp;	/* executor's own use */
	} model;
};

/** struct obs_proc - what one live process shows inside the window. */
struct obs_proc {
	int proc;		/* index in scenario->procs */
	struct obs_vma *vmas;
	int nvmas;
	struct obs_page *pages;
	int npages;
};

/** struct obs_av - one anon_vma (model only). */
struct obs_av {
	int id, root, parent;
	unsigned long children, active;
	int refcount;
};

/** struct obs_visit - one VMA an rmap walk visited (model only). */
struct obs_visit {
	int proc;		/* -1: an mm the scenario does not know */
	unsigned long page;	/* where the folio would be mapped */
	bool mapped;		/* a PTE there really maps the folio */
};

/** struct obs_folio_op - the result of rmap/referenced on one page. */
struct obs_folio_op {
	unsigned long page;
	int label;		/* folio label, -1 when no folio was there */
	int referenced;		/* `referenced`: folio_referenced()'s result */
	struct obs_visit *visits;	/* `rmap` */
	int nvisits;
};

/**
 * struct obs_step - everything observed after one step.
 * @index: 1-based step number.
 * @result: SCN_OK or a result code (scenario.h).
 * @done: pages of the range processed before a failure.
 * @values: for `read`: the value read at each page, in order.
 * @obj: per cache: allocations and frees of the step, live total.
 * @procs: the live processes, in creation order.
 * @model.violations: invariant violations found, -1 if not checked.
 * @model.folio_ops: rmap/referenced results (model-only operations).
 * @model.folios: folios the operation handled (swapout, migrate).
 * @failures: formatted failure messages of the step.
 * @last: no step will be reported after this one.
 */
struct obs_step {
	int index;
	int line;
	const char *text;
	int result;
	unsigned long done;
	uint64_t *values;
	int nvalues;
	struct obs_objects obj[NR_SCN_OBJECTS];
	struct obs_proc *procs;
	int nprocs;
	bool has_model;
	struct {
		struct obs_av *avs;
		int navs;
		int violations;
		struct obs_folio_op *folio_ops;
		int nfolio_ops;
		unsigned long folios;
	} model;
	char **failures;
	int nfailures;
	bool last;
};

/** obs_step_free() - free the arrays of @o (not @o itself). */
void obs_step_free(struct obs_step *o);

/**
 * obs_add_failure() - append a formatted failure message to @o.
 * @o: the step.
 * @fmt: printf format.
 */
void obs_add_failure(struct obs_step *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** obs_find_proc() - @o's record of scenario process @proc, or NULL. */
const struct obs_proc *obs_find_proc(const struct obs_step *o, int proc);
/** obs_find_av() - @o's record of the anon_vma labelled av@id, or NULL. */
const struct obs_av *obs_find_av(const struct obs_step *o, int id);
/** obs_find_page() - @p's record of window page @page, or NULL (pte_none). */
const struct obs_page *obs_find_page(const struct obs_proc *p,
				     unsigned long page);

struct mm_struct;
struct file;
struct anon_vma;

/**
 * struct obs_model - the model executor's observer: the processes and
 * files of a run, the previous counters, and the anon_vma labels, which
 * stay with an object for its whole life.
 */
struct obs_model {
	const struct scenario *s;
	struct mm_struct **mms;		/* per scenario process, NULL if dead */
	struct file **files;		/* per scenario file */
	unsigned long prev_alloc[NR_SCN_OBJECTS][NR_OBS_SITES];
	unsigned long prev_free[NR_SCN_OBJECTS][NR_OBS_SITES];
	struct obs_ptrmap *avs;		/* anon_vma -> label and serial */
	int next_av;
};

/** obs_model_init() - start observing; takes the counters' baseline. */
void obs_model_init(struct obs_model *m, const struct scenario *s,
		    struct mm_struct **mms, struct file **files);
/** obs_model_destroy() - free the observer's own memory. */
void obs_model_destroy(struct obs_model *m);
/**
 * obs_model_snapshot() - fill @o's objects, procs and model parts from
 * the model's current state.  Call while no operation is in progress.
 */
void obs_model_snapshot(struct obs_model *m, struct obs_step *o);
/** obs_model_av_label() - the label of @av (assigning one if new), 0 for NULL. */
int obs_model_av_label(struct obs_model *m, const struct anon_vma *av);
/**
 * obs_model_counters() - the counters of @obj's cache since it was
 * created, summed by call site.
 * @obj: which cache.
 * @alloc, @freed: out: NR_OBS_SITES counts each.
 * @live: out: objects live now.
 * @peak: out (may be NULL): the highest live count.
 */
void obs_model_counters(enum scn_object obj, unsigned long alloc[],
			unsigned long freed[], unsigned long *live,
			unsigned long *peak);
/** obs_model_proc_of() - the scenario process whose mm is @mm, or -1. */
int obs_model_proc_of(const struct obs_model *m, const struct mm_struct *mm);

#endif
