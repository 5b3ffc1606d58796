/* SPDX-License-Identifier: MIT */
/*
 * The model side of observations: reads the library's address spaces,
 * page tables and caches after a step and fills struct obs_step.
 *
 * Folio labels (f0, f1, ...) and swap-slot labels (s0, ...) are given in
 * order of first appearance, walking processes in creation order and
 * each one's pages in address order, so that they compare with the
 * kernel's PFNs relabelled the same way.  anon_vma labels (av1, ...) are
 * model only; they are given in allocation order when an object is first
 * seen and stay with it while it lives.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/anonvma.h>

#include "observe.h"

static const char *const site_names[NR_OBS_SITES] = {
	[OBS_SITE_PREPARE] = "__anon_vma_prepare",
	[OBS_SITE_CLONE] = "anon_vma_clone",
	[OBS_SITE_FORK] = "anon_vma_fork",
	[OBS_SITE_PUT] = "__put_anon_vma",
	[OBS_SITE_UNLINK] = "unlink_anon_vmas",
	[OBS_SITE_CLEANUP] = "cleanup_partial_anon_vmas",
	[OBS_SITE_OTHER] = "other",
};

/** obs_site_name() - see observe.h. */
const char *obs_site_name(enum obs_site site)
{
	return (unsigned int)site < NR_OBS_SITES ? site_names[site] : "?";
}

/* smaps's names of the OBS_VM_FLAGS bits, in bit order as smaps prints. */
static const struct {
	unsigned long flag;
	char name[3];
} vm_flag_names[] = {
	{ VM_GROWSDOWN, "gd" },	{ VM_LOCKED, "lo" },	{ VM_SEQ_READ, "sr" },
	{ VM_RAND_READ, "rr" },	{ VM_DONTCOPY, "dc" },	{ VM_LOCKONFAULT, "lf" },
	{ VM_WIPEONFORK, "wf" },	{ VM_DONTDUMP, "dd" },	{ VM_HUGEPAGE, "hg" },
	{ VM_NOHUGEPAGE, "nh" },
};
#define NR_VM_FLAG_NAMES (sizeof(vm_flag_names) / sizeof(vm_flag_names[0]))
/* The header's number must be exactly the bits named here. */
_Static_assert(OBS_VM_FLAGS == (VM_GROWSDOWN | VM_LOCKED | VM_SEQ_READ |
				VM_RAND_READ | VM_DONTCOPY | VM_LOCKONFAULT |
				VM_WIPEONFORK | VM_DONTDUMP | VM_HUGEPAGE |
				VM_NOHUGEPAGE), "OBS_VM_FLAGS");

/** obs_vm_flags_str() - see observe.h. */
void obs_vm_flags_str(unsigned long flags, char *buf, size_t n)
{
	size_t i, len = 0;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < NR_VM_FLAG_NAMES && len + 4 <= n; i++)
		if (flags & vm_flag_names[i].flag)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? " " : "", vm_flag_names[i].name);
}

/** obs_vm_flags_parse() - see observe.h. */
unsigned long obs_vm_flags_parse(const char *names)
{
	unsigned long flags = 0;
	const char *p = names;
	size_t i;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (i = 0; i < NR_VM_FLAG_NAMES; i++)
			if (!strncmp(p, vm_flag_names[i].name, 2) &&
			    (p[2] == ' ' || p[2] == '\0' || p[2] == '\n'))
				flags |= vm_flag_names[i].flag;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return flags;
}

/** obs_object_name() - see observe.h. */
const char *obs_object_name(enum scn_object obj)
{
	return obj == SCN_OBJ_ANON_VMA ? "anon_vma" : "anon_vma_chain";
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

static void *xgrow(void *p, int n, int *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	p = realloc(p, (size_t)*cap * size);
	if (!p) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	return p;
}

/*
 * A small open-addressing hash from pointers to 64-bit values: folio to
 * label, swap entry to label, anon_vma to (serial, label).
 */
struct obs_ptrmap {
	uintptr_t *keys;
	uint64_t *vals;
	size_t cap, n;
};

static struct obs_ptrmap *ptrmap_new(void)
{
	struct obs_ptrmap *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	return m;
}

static void ptrmap_free(struct obs_ptrmap *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	free(m);
}

static size_t ptrmap_slot(const struct obs_ptrmap *m, uintptr_t k)
{
	size_t i = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool ptrmap_get(const struct obs_ptrmap *m, uintptr_t k, uint64_t *v)
{
	size_t i = ptrmap_slot(m, k);

	if (!m->keys[i])
		return false;
	*v = m->vals[i];
	return true;
}

static void ptrmap_put(struct obs_ptrmap *m, uintptr_t k, uint64_t v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct obs_ptrmap big = { 0 };
		size_t j;

		big.cap = m->cap * 2;
		big.keys = xcalloc(big.cap, sizeof(*big.keys));
		big.vals = xcalloc(big.cap, sizeof(*big.vals));
		for (j = 0; j < m->cap; j++)
			if (m->keys[j]) {
				i = ptrmap_slot(&big, m->keys[j]);
				big.keys[i] = m->keys[j];
				big.vals[i] = m->vals[j];
			}
		free(m->keys);
		free(m->vals);
		m->keys = big.keys;
		m->vals = big.vals;
		m->cap = big.cap;
	}
	i = ptrmap_slot(m, k);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
}

/* The label of @k in @m, a new one (next *@next) if it has none. */
static int ptrmap_label(struct obs_ptrmap *m, uintptr_t k, int *next)
{
	uint64_t v;

	if (ptrmap_get(m, k, &v))
		return (int)v;
	ptrmap_put(m, k, (uint64_t)*next);
	return (*next)++;
}

/** obs_step_free() - see observe.h. */
void obs_step_free(struct obs_step *o)
{
	int i, j;

	for (i = 0; i < o->nprocs; i++) {
		for (j = 0; j < o->procs[i].nvmas; j++) {
			free(o->procs[i].vmas[j].model.chain_av);
			free(o->procs[i].vmas[j].model.chain_avp);
		}
		free(o->procs[i].vmas);
		free(o->procs[i].pages);
	}
	free(o->procs);
	free(o->values);
	for (i = 0; i < o->model.nfolio_ops; i++)
		free(o->model.folio_ops[i].visits);
	free(o->model.folio_ops);
	free(o->model.avs);
	for (i = 0; i < o->nfailures; i++)
		free(o->failures[i]);
	free(o->failures);
	o->procs = NULL;
	o->values = NULL;
	o->model.folio_ops = NULL;
	o->model.avs = NULL;
	o->failures = NULL;
	o->nprocs = o->nvalues = o->model.nfolio_ops = o->model.navs = 0;
	o->nfailures = 0;
}

/** obs_add_failure() - see observe.h. */
void obs_add_failure(struct obs_step *o, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	o->failures = realloc(o->failures,
			      sizeof(*o->failures) * (size_t)(o->nfailures + 1));
	if (!o->failures) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	o->failures[o->nfailures++] = msg;
}

/** obs_find_proc() - see observe.h. */
const struct obs_proc *obs_find_proc(const struct obs_step *o, int proc)
{
	int i;

	for (i = 0; i < o->nprocs; i++)
		if (o->procs[i].proc == proc)
			return &o->procs[i];
	return NULL;
}

/** obs_find_av() - see observe.h. */
const struct obs_av *obs_find_av(const struct obs_step *o, int id)
{
	int i;

	for (i = 0; i < o->model.navs; i++)
		if (o->model.avs[i].id == id)
			return &o->model.avs[i];
	return NULL;
}

/** obs_find_page() - see observe.h. */
const struct obs_page *obs_find_page(const struct obs_proc *p,
				     unsigned long page)
{
	int lo = 0, hi = p ? p->npages : 0;

	/* Pages are in address order: VMAs are, and each VMA's pages are. */
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (p->pages[mid].page < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (p && lo < p->npages && p->pages[lo].page == page)
		return &p->pages[lo];
	return NULL;
}

static enum obs_site site_of(enum alloc_site site)
{
	switch (site) {
	case SITE_PREPARE:
		return OBS_SITE_PREPARE;
	case SITE_CLONE:
		return OBS_SITE_CLONE;
	case SITE_FORK:
		return OBS_SITE_FORK;
	case SITE_PUT:
		return OBS_SITE_PUT;
	case SITE_UNLINK:
		return OBS_SITE_UNLINK;
	case SITE_CLEANUP:
		return OBS_SITE_CLEANUP;
	default:
		return OBS_SITE_OTHER;
	}
}

static struct kmem_cache *cache_of(enum scn_object obj)
{
	return obj == SCN_OBJ_ANON_VMA ? anon_vma_cachep : anon_vma_chain_cachep;
}

/** obs_sites_sum() - see observe.h. */
unsigned long obs_sites_sum(const unsigned long *v)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < NR_OBS_SITES; i++)
		n += v[i];
	return n;
}

/** obs_model_counters() - see observe.h. */
void obs_model_counters(enum scn_object obj, unsigned long alloc[],
			unsigned long freed[], unsigned long *live,
			unsigned long *peak)
{
	struct kmem_cache_stats st;
	int i;

	kmem_cache_get_stats(cache_of(obj), &st);
	memset(alloc, 0, sizeof(unsigned long) * NR_OBS_SITES);
	memset(freed, 0, sizeof(unsigned long) * NR_OBS_SITES);
	for (i = 0; i < NR_ALLOC_SITES; i++) {
		alloc[site_of((enum alloc_site)i)] += st.allocs[i];
		freed[site_of((enum alloc_site)i)] += st.frees[i];
	}
	*live = st.live;
	if (peak)
		*peak = st.peak;
}

/** obs_model_init() - see observe.h. */
void obs_model_init(struct obs_model *m, const struct scenario *s,
		    struct mm_struct **mms, struct file **files)
{
	unsigned long live;
	int o;

	memset(m, 0, sizeof(*m));
	m->s = s;
	m->mms = mms;
	m->files = files;
	m->avs = ptrmap_new();
	m->next_av = 1;
	for (o = 0; o < NR_SCN_OBJECTS; o++)
		obs_model_counters((enum scn_object)o, m->prev_alloc[o],
				   m->prev_free[o], &live, NULL);
}

/** obs_model_destroy() - see observe.h. */
void obs_model_destroy(struct obs_model *m)
{
	ptrmap_free(m->avs);
	m->avs = NULL;
}

/** obs_model_proc_of() - see observe.h. */
int obs_model_proc_of(const struct obs_model *m, const struct mm_struct *mm)
{
	int i;

	for (i = 0; i < m->s->nprocs; i++)
		if (m->mms[i] && m->mms[i] == mm)
			return i;
	return -1;
}

/*
 * anon_vma labels are keyed by address and checked against the object's
 * serial, so that a slab slot reused by a new anon_vma gets a new label.
 */
static int av_lookup(struct obs_model *m, const struct anon_vma *av)
{
	uint64_t v;

	if (ptrmap_get(m->avs, (uintptr_t)av, &v) &&
	    (unsigned int)(v >> 32) == av->serial)
		return (int)(uint32_t)v;
	return 0;
}

/** obs_model_av_label() - see observe.h. */
int obs_model_av_label(struct obs_model *m, const struct anon_vma *av)
{
	int id;

	if (!av)
		return 0;
	id = av_lookup(m, av);
	if (!id) {
		id = m->next_av++;
		ptrmap_put(m->avs, (uintptr_t)av,
			   ((uint64_t)av->serial << 32) | (uint32_t)id);
	}
	return id;
}

static int file_index(const struct obs_model *m, const struct file *f)
{
	int i;

	for (i = 0; f && i < m->s->nfiles; i++)
		if (m->files[i] == f)
			return i;
	return -1;
}

struct snap {
	struct obs_model *m;
	struct obs_ptrmap *folios, *slots;
	int next_folio, next_slot;
	struct obs_ptrmap *seen;	/* anon_vmas of this step */
	const struct anon_vma **avs;
	int navs, cap_avs;
};

static void see_av(struct snap *sn, const struct anon_vma *av)
{
	uint64_t v;

	while (av && !ptrmap_get(sn->seen, (uintptr_t)av, &v)) {
		ptrmap_put(sn->seen, (uintptr_t)av, 0);
		sn->avs = xgrow(sn->avs, sn->navs, &sn->cap_avs,
				sizeof(*sn->avs));
		sn->avs[sn->navs++] = av;
		see_av(sn, READ_ONCE(av->root));
		av = av->parent;
	}
}

static void observe_pte(struct snap *sn, struct obs_page *pg, pte_t pte)
{
	struct folio *folio;

	if (is_zero_pte(pte)) {
		pg->state = SCN_PAGE_ZERO;
	} else if (pte_present(pte)) {
		folio = pte_folio(pte);
		pg->state = SCN_PAGE_PRESENT;
		pg->label = ptrmap_label(sn->folios, (uintptr_t)folio,
					 &sn->next_folio);
		pg->anon = folio_test_anon(folio);
		pg->excl = pg->anon && PageAnonExclusive(folio);
		pg->mapcount = folio_mapcount(folio);
		pg->model.writable = pte_write(pte);
		pg->model.index = folio->index;
		if (pg->anon) {
			pg->model.avp = folio_anon_vma(folio);
			see_av(sn, pg->model.avp);
		}
	} else if (is_swap_entry_pte(pte)) {
		pg->state = SCN_PAGE_SWAP;
		pg->label = ptrmap_label(sn->slots,
					 pte_to_swp_entry(pte).val + 1,
					 &sn->next_slot);
		pg->excl = pte_swp_exclusive(pte);
	} else {
		pg->state = SCN_PAGE_MIGRATION;
		pg->excl = pte_swp_exclusive(pte);
	}
}

static void observe_vma(struct snap *sn, struct obs_proc *op, int *cap_pages,
			struct vm_area_struct *vma)
{
	const struct scenario *s = sn->m->s;
	unsigned long wend = s->base + s->pages * PAGE_SIZE;
	unsigned long start = vma->vm_start > s->base ? vma->vm_start : s->base;
	unsigned long end = vma->vm_end < wend ? vma->vm_end : wend;
	struct anon_vma_chain *avc;
	struct obs_vma *ov;
	unsigned long addr;

	ov = &op->vmas[op->nvmas++];
	memset(ov, 0, sizeof(*ov));
	ov->first = (start - s->base) >> PAGE_SHIFT;
	ov->end = (end - s->base) >> PAGE_SHIFT;
	ov->prot = (vma->vm_flags & VM_READ ? PROT_READ : 0) |
		   (vma->vm_flags & VM_WRITE ? PROT_WRITE : 0) |
		   (vma->vm_flags & VM_EXEC ? PROT_EXEC : 0);
	ov->shared = vma->vm_flags & VM_MAYSHARE;
	ov->flags = vma->vm_flags & OBS_VM_FLAGS;
	ov->offset = vma->vm_file ? vma->vm_pgoff << PAGE_SHIFT : 0;
	ov->file = file_index(sn->m, vma->vm_file);
	ov->model.avp = READ_ONCE(vma->anon_vma);
	ov->model.pgoff = vma->vm_pgoff;
	see_av(sn, ov->model.avp);
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma) {
		ov->model.chain++;
		see_av(sn, avc->anon_vma);
	}
	if (ov->model.chain) {
		unsigned long k = 0;

		/* Labelled in label_avs(), once every anon_vma is seen. */
		ov->model.chain_avp = xcalloc(ov->model.chain,
					      sizeof(*ov->model.chain_avp));
		ov->model.chain_av = xcalloc(ov->model.chain,
					     sizeof(*ov->model.chain_av));
		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
			ov->model.chain_avp[k++] = avc->anon_vma;
	}

	spin_lock(&vma->vm_mm->page_table_lock);
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		struct obs_page *pg;
		bool oom = false;
		pte_t *ptep = pte_offset_map(vma->vm_mm, addr, false, &oom);

		if (!ptep || pte_none(*ptep))
			continue;
		op->pages = xgrow(op->pages, op->npages, cap_pages,
				  sizeof(*op->pages));
		pg = &op->pages[op->npages++];
		memset(pg, 0, sizeof(*pg));
		pg->page = (addr - s->base) >> PAGE_SHIFT;
		pg->label = -1;
		observe_pte(sn, pg, *ptep);
	}
	spin_unlock(&vma->vm_mm->page_table_lock);
}

static int cmp_serial(const void *a, const void *b)
{
	const struct anon_vma *x = *(const struct anon_vma *const *)a;
	const struct anon_vma *y = *(const struct anon_vma *const *)b;

	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

static int cmp_av_id(const void *a, const void *b)
{
	const struct obs_av *x = a, *y = b;

	return x->id - y->id;
}

/*
 * Give labels to the anon_vmas seen in this step (new ones in allocation
 * order) and forget the ones not seen: an anon_vma that no VMA links any
 * more is never linked again (spec §1.6), so its label is not needed.
 */
static void label_avs(struct snap *sn, struct obs_step *o)
{
	struct obs_model *m = sn->m;
	struct obs_ptrmap *old = m->avs;
	int i, j;

	if (sn->navs)
		qsort(sn->avs, (size_t)sn->navs, sizeof(*sn->avs), cmp_serial);
	m->avs = ptrmap_new();
	for (i = 0; i < sn->navs; i++) {
		uint64_t v;
		int id = 0;

		if (ptrmap_get(old, (uintptr_t)sn->avs[i], &v) &&
		    (unsigned int)(v >> 32) == sn->avs[i]->serial)
			id = (int)(uint32_t)v;
		if (!id)
			id = m->next_av++;
		ptrmap_put(m->avs, (uintptr_t)sn->avs[i],
			   ((uint64_t)sn->avs[i]->serial << 32) | (uint32_t)id);
	}
	ptrmap_free(old);

	o->model.avs = xcalloc((size_t)sn->navs, sizeof(*o->model.avs));
	o->model.navs = sn->navs;
	for (i = 0; i < sn->navs; i++) {
		const struct anon_vma *av = sn->avs[i];
		struct obs_av *oa = &o->model.avs[i];

		oa->id = av_lookup(m, av);
		oa->root = av_lookup(m, READ_ONCE(av->root));
		oa->parent = av_lookup(m, av->parent);
		oa->children = av->num_children;
		oa->active = av->num_active_vmas;
		oa->refcount = __atomic_load_n(&av->refcount, __ATOMIC_RELAXED);
	}
	qsort(o->model.avs, (size_t)o->model.navs, sizeof(*o->model.avs),
	      cmp_av_id);
	for (i = 0; i < o->nprocs; i++) {
		struct obs_proc *op = &o->procs[i];

		for (j = 0; j < op->nvmas; j++) {
			struct obs_vma *ov = &op->vmas[j];
			unsigned long k;

			ov->model.av = av_lookup(m, ov->model.avp);
			for (k = 0; k < ov->model.chain; k++)
				ov->model.chain_av[k] =
					av_lookup(m, ov->model.chain_avp[k]);
		}
		for (j = 0; j < op->npages; j++)
			op->pages[j].model.av = op->pages[j].model.avp ?
				av_lookup(m, op->pages[j].model.avp) : 0;
	}
}

/** obs_model_snapshot() - see observe.h. */
void obs_model_snapshot(struct obs_model *m, struct obs_step *o)
{
	const struct scenario *s = m->s;
	unsigned long wend = s->base + s->pages * PAGE_SIZE;
	struct snap sn = { .m = m };
	int i, v, obj, k;

	for (obj = 0; obj < NR_SCN_OBJECTS; obj++) {
		unsigned long alloc[NR_OBS_SITES], freed[NR_OBS_SITES];

		obs_model_counters((enum scn_object)obj, alloc, freed,
				   &o->obj[obj].live, NULL);
		for (k = 0; k < NR_OBS_SITES; k++) {
			o->obj[obj].alloc[k] = alloc[k] - m->prev_alloc[obj][k];
			o->obj[obj].free[k] = freed[k] - m->prev_free[obj][k];
		}
		memcpy(m->prev_alloc[obj], alloc, sizeof(alloc));
		memcpy(m->prev_free[obj], freed, sizeof(freed));
	}

	sn.folios = ptrmap_new();
	sn.slots = ptrmap_new();
	sn.seen = ptrmap_new();
	o->has_model = true;
	o->procs = xcalloc((size_t)s->nprocs, sizeof(*o->procs));
	for (i = 0; i < s->nprocs; i++) {
		struct mm_struct *mm = m->mms[i];
		struct obs_proc *op;
		int cap_pages = 0;

		if (!mm)
			continue;
		op = &o->procs[o->nprocs++];
		op->proc = i;
		mmap_read_lock(mm);
		op->vmas = xcalloc((size_t)mm->map_count, sizeof(*op->vmas));
		for (v = 0; v < mm->map_count; v++) {
			struct vm_area_struct *vma = mm_vma_at(mm, v);

			if (vma->vm_end > s->base && vma->vm_start < wend)
				observe_vma(&sn, op, &cap_pages, vma);
		}
		mmap_read_unlock(mm);
	}
	label_avs(&sn, o);
	ptrmap_free(sn.folios);
	ptrmap_free(sn.slots);
	ptrmap_free(sn.seen);
	free(sn.avs);
}
