/* SPDX-License-Identifier: MIT */
/*
 * Comparing two observations of one step, kernel-observable part only:
 * result and pages done, values read, allocations and frees by call
 * site and live counts, the live processes, their VMAs in the window,
 * and their pages (state, folio label, exclusive, mapcount, anon).
 * Both executors label folios in the same canonical order, so equal
 * labels mean the same sharing partition.
 *
 * Also what can be compared at all after model-only steps.
 */
#include <stdarg.h>
#include <string.h>

#include "../scenario/ops.h"
#include "kernel.h"

/** obs_part_name() - see kernel.h. */
const char *obs_part_name(unsigned int part)
{
	switch (part) {
	case OBS_PART_RESULT:
		return "result";
	case OBS_PART_VALUES:
		return "values";
	case OBS_PART_OBJECTS:
		return "objects";
	case OBS_PART_PROCS:
		return "processes";
	case OBS_PART_MAPS:
		return "maps";
	case OBS_PART_PAGES:
		return "pages";
	default:
		return "?";
	}
}

/** kernel_comparable() - see kernel.h. */
unsigned int kernel_comparable(const struct scenario *s, int i, int *why)
{
	unsigned int parts = OBS_PARTS_ALL, hides;
	int j, cause = -1;

	for (j = 0; j < i && j < s->nsteps; j++) {
		const struct scn_step *st = &s->steps[j];

		if (!st->model_only)
			continue;
		if (st->fail_line) {
			/* An injected failure: the model did something else. */
			parts = 0;
			cause = j;
			continue;
		}
		/* What the model did that the kernel run did not. */
		hides = scn_op(st->op)->obs_hides;
		if (parts & hides)
			cause = j;
		parts &= ~hides;
	}
	if (i < s->nsteps && s->steps[i].model_only) {
		parts = 0;
		cause = i;
	}
	if (why)
		*why = parts == OBS_PARTS_ALL ? -1 : cause;
	return parts;
}

static void add(struct obs_diff_report *rep, unsigned int part,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(struct obs_diff_report *rep, unsigned int part,
		const char *fmt, ...)
{
	va_list ap;

	if (!rep)
		return;
	rep->parts |= part;
	if (rep->nmsg == OBS_DIFF_MSGS) {
		rep->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(rep->msg[rep->nmsg++], OBS_DIFF_MSG, fmt, ap);
	va_end(ap);
}

static void fmt_page(const struct obs_page *pg, char *buf, size_t n)
{
	if (!pg || pg->state == SCN_PAGE_NONE)
		snprintf(buf, n, "none");
	else if (pg->state == SCN_PAGE_ZERO)
		snprintf(buf, n, "zero");
	else if (pg->state == SCN_PAGE_PRESENT)
		snprintf(buf, n, "present f%d %s mc=%d %s", pg->label,
			 pg->excl ? "excl" : "noexcl", pg->mapcount,
			 pg->anon ? "anon" : "file");
	else if (pg->state == SCN_PAGE_SWAP)
		snprintf(buf, n, "swap s%d", pg->label);
	else
		snprintf(buf, n, "migration entry");
}

static void fmt_vma(const struct scenario *s, const struct obs_vma *v,
		    char *buf, size_t n)
{
	char prot[4];
	int len;

	scn_prot_str(v->prot, prot);
	len = snprintf(buf, n, "@%lu:%lu %s%c", v->first, v->end, prot,
		       v->shared ? 's' : 'p');
	if (len < 0 || (size_t)len >= n)
		return;
	if (v->flags) {
		char fl[48];

		obs_vm_flags_str(v->flags, fl, sizeof(fl));
		len += snprintf(buf + len, n - (size_t)len, " %s", fl);
		if ((size_t)len >= n)
			return;
	}
	if (v->file >= 0)
		len += snprintf(buf + len, n - (size_t)len, " file=%s",
				s->files[v->file].name);
	if ((v->file >= 0 || v->offset) && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, " off=0x%lx", v->offset);
}

static bool page_equal(const struct obs_page *a, const struct obs_page *b)
{
	if (a->state != b->state)
		return false;
	if (a->state == SCN_PAGE_SWAP)
		return a->label == b->label;
	if (a->state != SCN_PAGE_PRESENT)
		return true;
	return a->label == b->label && a->excl == b->excl &&
	       a->mapcount == b->mapcount && a->anon == b->anon;
}

static bool vma_equal(const struct obs_vma *a, const struct obs_vma *b)
{
	return a->first == b->first && a->end == b->end && a->prot == b->prot &&
	       a->shared == b->shared && a->flags == b->flags &&
	       a->offset == b->offset &&
	       a->file == b->file;
}

static void diff_objects(const struct obs_step *a, const struct obs_step *b,
			 struct obs_diff_report *rep, unsigned int *d)
{
	int obj, k;

	for (obj = 0; obj < NR_SCN_OBJECTS; obj++) {
		const struct obs_objects *x = &a->obj[obj], *y = &b->obj[obj];
		const char *name = obs_object_name((enum scn_object)obj);

		for (k = 0; k < NR_OBS_SITES; k++) {
			const char *site = obs_site_name((enum obs_site)k);

			if (x->alloc[k] != y->alloc[k]) {
				*d |= OBS_PART_OBJECTS;
				add(rep, OBS_PART_OBJECTS,
				    "%s allocated at %s: kernel %lu, model %lu",
				    name, site, x->alloc[k], y->alloc[k]);
			}
			if (x->free[k] != y->free[k]) {
				*d |= OBS_PART_OBJECTS;
				add(rep, OBS_PART_OBJECTS,
				    "%s freed at %s: kernel %lu, model %lu",
				    name, site, x->free[k], y->free[k]);
			}
		}
		if (x->live != y->live) {
			*d |= OBS_PART_OBJECTS;
			add(rep, OBS_PART_OBJECTS, "live %s: kernel %lu, model %lu",
			    name, x->live, y->live);
		}
	}
}

static void diff_maps(const struct scenario *s, const char *name,
		      const struct obs_proc *x, const struct obs_proc *y,
		      struct obs_diff_report *rep, unsigned int *d)
{
	char b1[128], b2[128];
	int i, n = x->nvmas > y->nvmas ? x->nvmas : y->nvmas;

	for (i = 0; i < n; i++) {
		const struct obs_vma *u = i < x->nvmas ? &x->vmas[i] : NULL;
		const struct obs_vma *v = i < y->nvmas ? &y->vmas[i] : NULL;

		if (u && v && vma_equal(u, v))
			continue;
		*d |= OBS_PART_MAPS;
		if (u)
			fmt_vma(s, u, b1, sizeof(b1));
		if (v)
			fmt_vma(s, v, b2, sizeof(b2));
		add(rep, OBS_PART_MAPS, "%s: vma %d: kernel %s, model %s", name,
		    i + 1, u ? b1 : "none", v ? b2 : "none");
	}
}

static void diff_pages(const char *name, const struct obs_proc *x,
		       const struct obs_proc *y, struct obs_diff_report *rep,
		       unsigned int *d)
{
	int i = 0, j = 0;

	while (i < x->npages || j < y->npages) {
		const struct obs_page *u = i < x->npages ? &x->pages[i] : NULL;
		const struct obs_page *v = j < y->npages ? &y->pages[j] : NULL;
		char b1[96], b2[96];
		unsigned long page;

		if (u && v && u->page == v->page) {
			i++;
			j++;
			if (page_equal(u, v))
				continue;
			page = u->page;
		} else if (u && (!v || u->page < v->page)) {
			i++;
			page = u->page;
			v = NULL;
		} else {
			j++;
			page = v->page;
			u = NULL;
		}
		*d |= OBS_PART_PAGES;
		fmt_page(u, b1, sizeof(b1));
		fmt_page(v, b2, sizeof(b2));
		add(rep, OBS_PART_PAGES, "%s: page @%lu: kernel %s, model %s", name,
		    page, b1, b2);
	}
}

/** obs_diff_step() - see kernel.h. */
unsigned int obs_diff_step(const struct scenario *s, const struct obs_step *a,
			   const struct obs_step *b, unsigned int parts,
			   struct obs_diff_report *rep)
{
	unsigned int d = 0;
	int i;

	if (rep)
		memset(rep, 0, sizeof(*rep));
	if ((parts & OBS_PART_RESULT) &&
	    (a->result != b->result || a->done != b->done)) {
		d |= OBS_PART_RESULT;
		add(rep, OBS_PART_RESULT,
		    "result: kernel %s after %lu pages, model %s after %lu pages",
		    scn_result_name(a->result), a->done,
		    scn_result_name(b->result), b->done);
	}
	if (parts & OBS_PART_VALUES) {
		if (a->nvalues != b->nvalues) {
			d |= OBS_PART_VALUES;
			add(rep, OBS_PART_VALUES, "values read: kernel %d, model %d",
			    a->nvalues, b->nvalues);
		}
		for (i = 0; i < a->nvalues && i < b->nvalues; i++)
			if (a->values[i] != b->values[i]) {
				d |= OBS_PART_VALUES;
				add(rep, OBS_PART_VALUES,
				    "value read at the range's page %d: kernel 0x%llx, model 0x%llx",
				    i, (unsigned long long)a->values[i],
				    (unsigned long long)b->values[i]);
				break;
			}
	}
	if (parts & OBS_PART_OBJECTS)
		diff_objects(a, b, rep, &d);
	for (i = 0; i < s->nprocs; i++) {
		const struct obs_proc *x = obs_find_proc(a, i);
		const struct obs_proc *y = obs_find_proc(b, i);
		const char *name = s->procs[i].name;

		if (!x && !y)
			continue;
		if (!x || !y) {
			if (parts & OBS_PART_PROCS) {
				d |= OBS_PART_PROCS;
				add(rep, OBS_PART_PROCS, "%s: %s in the kernel, %s in the model",
				    name, x ? "alive" : "gone", y ? "alive" : "gone");
			}
			continue;
		}
		if (parts & OBS_PART_MAPS)
			diff_maps(s, name, x, y, rep, &d);
		if (parts & OBS_PART_PAGES)
			diff_pages(name, x, y, rep, &d);
	}
	return d;
}
