/* SPDX-License-Identifier: MIT */
/*
 * Reading what the driven processes show inside the window, into the
 * observation schema (observe.h, kernel-observable part):
 *
 * - the VMAs from /proc/PID/smaps (its maps lines and VmFlags), clipped
 *   to the window; a file VMA is
 *   matched to its scenario file by the inode of the file's memfd;
 * - every page of those VMAs that a PTE maps, from /proc/PID/pagemap
 *   (present, swap, PFN) and, for a present page, /proc/kpageflags
 *   (anon, zero page, bit 34 PG_anon_exclusive) and /proc/kpagecount
 *   (mapcount).  PFNs become folio labels f0, f1, ... in order of first
 *   appearance, walking processes in creation order and each one's
 *   pages in address order: exactly as the model labels its folios
 *   (kernel-oracle.md §2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernel_internal.h"

/* PFN -> label, for one step. */
struct klabels {
	uint64_t *pfn;		/* stored as pfn + 1; 0 is empty */
	int *label;
	size_t cap, n;
	int next;
};

static void labels_reset(struct klabels *l)
{
	if (l->pfn)
		memset(l->pfn, 0, l->cap * sizeof(*l->pfn));
	l->n = 0;
	l->next = 0;
}

static int labels_grow(struct klabels *l)
{
	struct klabels big = { 0 };
	size_t i;

	big.cap = l->cap ? l->cap * 2 : 1024;
	big.pfn = calloc(big.cap, sizeof(*big.pfn));
	big.label = calloc(big.cap, sizeof(*big.label));
	if (!big.pfn || !big.label) {
		free(big.pfn);
		free(big.label);
		return -1;
	}
	for (i = 0; i < l->cap; i++) {
		size_t j;

		if (!l->pfn[i])
			continue;
		j = (size_t)(l->pfn[i] * 0x9e3779b97f4a7c15ULL >> 20) & (big.cap - 1);
		while (big.pfn[j])
			j = (j + 1) & (big.cap - 1);
		big.pfn[j] = l->pfn[i];
		big.label[j] = l->label[i];
	}
	free(l->pfn);
	free(l->label);
	big.n = l->n;
	big.next = l->next;
	*l = big;
	return 0;
}

static int label_of(struct klabels *l, uint64_t pfn)
{
	uint64_t k = pfn + 1;
	size_t j;

	if ((l->n + 1) * 2 > l->cap && labels_grow(l))
		return -1;
	j = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (l->cap - 1);
	while (l->pfn[j] && l->pfn[j] != k)
		j = (j + 1) & (l->cap - 1);
	if (!l->pfn[j]) {
		l->pfn[j] = k;
		l->label[j] = l->next++;
		l->n++;
	}
	return l->label[j];
}

/** kobs_open() - see kernel_internal.h. */
int kobs_open(struct kobserver *k, const struct scenario *s, bool pages,
	      char *err, size_t n)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
	k->pages = pages;
	k->kpageflags = k->kpagecount = -1;
	k->labels = calloc(1, sizeof(*k->labels));
	k->file_ino = calloc((size_t)s->nfiles + 1, sizeof(*k->file_ino));
	k->file_dev = calloc((size_t)s->nfiles + 1, sizeof(*k->file_dev));
	if (!k->labels || !k->file_ino || !k->file_dev) {
		snprintf(err, n, "out of memory");
		kobs_close(k);
		return -1;
	}
	if (!pages)
		return 0;
	k->kpageflags = open("/proc/kpageflags", O_RDONLY);
	k->kpagecount = open("/proc/kpagecount", O_RDONLY);
	if (k->kpageflags < 0 || k->kpagecount < 0) {
		snprintf(err, n, "cannot open /proc/kpageflags or /proc/kpagecount: %s",
			 strerror(errno));
		kobs_close(k);
		return -1;
	}
	return 0;
}

/** kobs_close() - see kernel_internal.h. */
void kobs_close(struct kobserver *k)
{
	if (k->kpageflags >= 0)
		close(k->kpageflags);
	if (k->kpagecount >= 0)
		close(k->kpagecount);
	if (k->labels) {
		free(k->labels->pfn);
		free(k->labels->label);
		free(k->labels);
	}
	free(k->file_ino);
	free(k->file_dev);
	memset(k, 0, sizeof(*k));
	k->kpageflags = k->kpagecount = -1;
}

/* The whole of a /proc file, NUL-terminated (malloc'ed), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int file_of(const struct kobserver *k, const struct kmaps_line *ml)
{
	int i;

	if (!ml->inode)
		return -1;
	for (i = 0; i < k->s->nfiles; i++)
		if (k->file_ino[i] == ml->inode &&
		    major(k->file_dev[i]) == ml->major &&
		    minor(k->file_dev[i]) == ml->minor)
			return i;
	return -1;
}

static int read_u64s(int fd, uint64_t *v, size_t count, off_t off)
{
	size_t want = count * sizeof(*v), got = 0;

	while (got < want) {
		ssize_t r = pread(fd, (char *)v + got, want - got,
				  off + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int read_pages(struct kobserver *k, int pmfd, const struct obs_vma *v,
		      struct obs_proc *op, int *cap, char *err, size_t n)
{
	unsigned long count = v->end - v->first, i;
	uint64_t *pm = malloc(count * sizeof(*pm));
	unsigned long vbase = k->s->base / KPAGE_SIZE;

	if (!pm) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (read_u64s(pmfd, pm, count,
		      (off_t)((vbase + v->first) * sizeof(uint64_t)))) {
		snprintf(err, n, "reading pagemap: %s", strerror(errno));
		free(pm);
		return -1;
	}
	for (i = 0; i < count; i++) {
		uint64_t flags = 0, mc = 0;
		struct obs_page *pg;
		struct kpage kp;

		if (!(pm[i] & (PM_PRESENT | PM_SWAP)))
			continue;
		if (pm[i] & PM_PRESENT) {
			uint64_t pfn = pm[i] & PM_PFN_MASK;

			if (!pfn) {
				snprintf(err, n, "pagemap hides PFNs (not root?)");
				free(pm);
				return -1;
			}
			if (read_u64s(k->kpageflags, &flags, 1,
				      (off_t)(pfn * sizeof(uint64_t))) ||
			    read_u64s(k->kpagecount, &mc, 1,
				      (off_t)(pfn * sizeof(uint64_t)))) {
				snprintf(err, n, "reading kpageflags/kpagecount: %s",
					 strerror(errno));
				free(pm);
				return -1;
			}
		}
		kparse_page(pm[i], flags, mc, &kp);
		if (kp.large || kp.ksm) {
			snprintf(err, n, "window page %lu is in a %s page: the run is not comparable",
				 v->first + i, kp.ksm ? "KSM" : "large");
			free(pm);
			return -1;
		}
		if (op->npages == *cap) {
			struct obs_page *np;

			*cap = *cap ? *cap * 2 : 32;
			np = realloc(op->pages, (size_t)*cap * sizeof(*np));
			if (!np) {
				snprintf(err, n, "out of memory");
				free(pm);
				return -1;
			}
			op->pages = np;
		}
		pg = &op->pages[op->npages++];
		memset(pg, 0, sizeof(*pg));
		pg->page = v->first + i;
		pg->state = kp.state;
		pg->label = -1;
		if (kp.state == SCN_PAGE_PRESENT) {
			pg->label = label_of(k->labels, kp.pfn);
			pg->excl = kp.excl;
			pg->mapcount = kp.mapcount;
			pg->anon = kp.anon;
		}
		/* The host has no swap: a swap entry gets no slot label here. */
	}
	free(pm);
	return 0;
}

static int observe_proc(struct kobserver *k, pid_t pid, struct obs_proc *op,
			char *err, size_t n)
{
	const struct scenario *s = k->s;
	unsigned long wlo = s->base, whi = s->base + s->pages * KPAGE_SIZE;
	char path[64], *text, *line;
	int cap = 0, cap_pages = 0, pmfd = -1, ret = -1, i;
	bool in_window = false;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	text = slurp(path, &len);
	if (!text) {
		snprintf(err, n, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	for (line = text; *line; ) {
		char *nl = strchr(line, '\n');
		struct kmaps_line ml;
		struct obs_vma *v;

		if (nl)
			*nl = '\0';
		/*
		 * smaps: each VMA's maps line, then "Key: value" lines (keys
		 * start with a capital, addresses with a lowercase hex digit);
		 * VmFlags is the one kept, for the window's last VMA.
		 */
		if (*line >= 'A' && *line <= 'Z') {
			if (in_window && !strncmp(line, "VmFlags:", 8))
				op->vmas[op->nvmas - 1].flags =
					obs_vm_flags_parse(line + 8);
			line = nl ? nl + 1 : line + strlen(line);
			continue;
		}
		in_window = false;
		if (kparse_maps_line(line, &ml)) {
			snprintf(err, n, "cannot parse a line of %s: %.80s", path,
				 line);
			goto out;
		}
		line = nl ? nl + 1 : line + strlen(line);
		if (ml.end <= wlo || ml.start >= whi)
			continue;
		if (op->nvmas == cap) {
			struct obs_vma *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(op->vmas, (size_t)cap * sizeof(*nv));
			if (!nv) {
				snprintf(err, n, "out of memory");
				goto out;
			}
			op->vmas = nv;
		}
		v = &op->vmas[op->nvmas++];
		memset(v, 0, sizeof(*v));
		in_window = true;
		v->first = ((ml.start > wlo ? ml.start : wlo) - wlo) / KPAGE_SIZE;
		v->end = ((ml.end < whi ? ml.end : whi) - wlo) / KPAGE_SIZE;
		v->prot = kmaps_prot(&ml);
		v->shared = ml.perms[3] == 's';
		v->offset = ml.offset;
		v->file = file_of(k, &ml);
	}
	if (k->pages && op->nvmas) {
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
		pmfd = open(path, O_RDONLY);
		if (pmfd < 0) {
			snprintf(err, n, "cannot open %s: %s", path, strerror(errno));
			goto out;
		}
		for (i = 0; i < op->nvmas; i++)
			if (read_pages(k, pmfd, &op->vmas[i], op, &cap_pages, err, n))
				goto out;
	}
	ret = 0;
out:
	if (pmfd >= 0)
		close(pmfd);
	free(text);
	return ret;
}

/** kobs_snapshot() - see kernel_internal.h. */
int kobs_snapshot(struct kobserver *k, const pid_t *pid, struct obs_step *o,
		  char *err, size_t n)
{
	int i;

	labels_reset(k->labels);
	o->has_model = false;
	o->procs = calloc((size_t)k->s->nprocs + 1, sizeof(*o->procs));
	if (!o->procs) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	for (i = 0; i < k->s->nprocs; i++) {
		struct obs_proc *op;

		if (!pid[i])
			continue;
		op = &o->procs[o->nprocs++];
		op->proc = i;
		if (observe_proc(k, pid[i], op, err, n))
			return -1;
	}
	return 0;
}
