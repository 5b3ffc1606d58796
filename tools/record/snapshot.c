/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of a task's memory for the trace file: what execve set up
 * without any traced syscall or fault (the program and ld.so segments,
 * the stack the kernel wrote argv into, vdso/vvar, the brk base), and
 * the layout at exit.  Read from /proc/TID/smaps (VMAs with VmFlags),
 * /proc/TID/pagemap (present anonymous pages) and /proc/TID/stat
 * (start_brk) while the task is stopped by ptrace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kernel/kernel_internal.h"
#include "record.h"

/** rec_buf_printf() - see record.h. */
void rec_buf_printf(struct rec_buf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		need = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (need < 0)
			abort();	/* an invalid format: a bug here */
		if (b->p && (size_t)need < room) {
			b->len += (size_t)need;
			return;
		}
		b->cap = (b->cap ? b->cap * 2 : 4096) + (size_t)need;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			fputs("anonvma record: out of memory\n", stderr);
			abort();
		}
	}
}

/** rec_buf_free() - see record.h. */
void rec_buf_free(struct rec_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* "Key:" of a smaps field line: a word of letters, digits and '_' then ':'. */
static bool smaps_field(const char *line, const char *key)
{
	size_t k = strlen(key);

	return !strncmp(line, key, k) && line[k] == ':';
}

static bool is_field_line(const char *line)
{
	const char *p = line;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return p > line && *p == ':';
}

/* VmFlags: "rd wr mr" -> "rd,wr,mr". */
static void vmflags(struct rec_buf *b, const char *v)
{
	bool first = true;

	while (*v) {
		size_t w;

		v += strspn(v, " \t");
		w = strcspn(v, " \t\n");
		if (!w)
			break;
		rec_buf_printf(b, "%s%.*s", first ? "" : ",", (int)w, v);
		first = false;
		v += w;
	}
	if (first)
		rec_buf_printf(b, "-");
}

/* One @vma line from the header line @hdr and its VmFlags value @flags. */
static int vma_line(struct rec_buf *b, const char *hdr, size_t hlen,
		    const char *flags, struct rec_range *r)
{
	char line[4200];
	struct kmaps_line m;

	snprintf(line, sizeof(line), "%.*s", (int)hlen, hdr);
	if (kparse_maps_line(line, &m))
		return -1;
	r->start = m.start;
	r->end = m.end;
	rec_buf_printf(b, "@vma 0x%lx 0x%lx %s 0x%08lx %02x:%02x %lu ", m.start,
		       m.end, m.perms, m.offset, m.major, m.minor, m.inode);
	vmflags(b, flags ? flags : "");
	rec_buf_printf(b, " %s\n", m.path >= 0 ? line + m.path : "-");
	return 0;
}

/* Write the VMA of header @hdr and add its range to @v (@n of @cap). */
static int add_vma(struct rec_buf *b, const char *hdr, size_t hlen,
		   const char *flags, long anon_kb, struct rec_range **v, int *n,
		   size_t *cap)
{
	if ((size_t)*n == *cap) {
		struct rec_range *nv;

		*cap = *cap ? *cap * 2 : 64;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -1;
		*v = nv;
	}
	if (vma_line(b, hdr, hlen, flags, &(*v)[*n]))
		return -1;
	(*v)[*n].anon_kb = anon_kb;
	(*n)++;
	return 0;
}

/** rec_format_smaps() - see record.h. */
int rec_format_smaps(struct rec_buf *b, const char *smaps,
		     struct rec_range **ranges)
{
	const char *p = smaps, *hdr = NULL, *flags = NULL;
	size_t hlen = 0, cap = 0;
	long anon_kb = -1;
	int n = 0;

	*ranges = NULL;
	for (;;) {
		size_t len = strcspn(p, "\n");

		if (*p && is_field_line(p)) {
			/* A field before the first VMA: not smaps. */
			if (!hdr)
				goto bad;
			if (smaps_field(p, "VmFlags"))
				flags = p + strlen("VmFlags:");
			else if (smaps_field(p, "Anonymous"))
				anon_kb = strtol(p + strlen("Anonymous:"), NULL, 10);
		} else if (len || !*p) {
			/* A new VMA or the end: write the previous one. */
			if (hdr && add_vma(b, hdr, hlen, flags, anon_kb, ranges, &n, &cap))
				goto bad;
			if (!*p)
				return n;
			hdr = p;
			hlen = len;
			flags = NULL;
			anon_kb = -1;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
bad:
	free(*ranges);
	*ranges = NULL;
	return -1;
}

/** rec_runs_flush() - see record.h. */
void rec_runs_flush(struct rec_runs *r)
{
	if (!r->npages)
		return;
	rec_buf_printf(r->b, "@anon 0x%lx %lu\n", r->start, r->npages);
	r->count++;
	r->npages = 0;
}

/** rec_runs_add_range() - see record.h. */
void rec_runs_add_range(struct rec_runs *r, unsigned long start,
			unsigned long npages)
{
	if (r->npages && r->start + r->npages * r->page_size == start) {
		r->npages += npages;
		return;
	}
	rec_runs_flush(r);
	r->start = start;
	r->npages = npages;
}

/** rec_runs_add() - see record.h. */
void rec_runs_add(struct rec_runs *r, unsigned long start, const uint64_t *pm,
		  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bool anon = (pm[i] & PM_PRESENT) && !(pm[i] & PM_FILE) &&
			    !(r->zero_pfn && (pm[i] & PM_PFN_MASK) == r->zero_pfn);

		if (anon)
			rec_runs_add_range(r, start + i * r->page_size, 1);
		else
			rec_runs_flush(r);
	}
}

/** rec_stat_start_brk() - see record.h. */
int rec_stat_start_brk(const char *stat, unsigned long *start_brk)
{
	/* The comm in parentheses may hold spaces and ')': skip to the last ')'. */
	const char *p = strrchr(stat, ')');
	int field;

	if (!p)
		return -1;
	p++;
	/* p is before field 3; field 47 is 44 fields further on. */
	for (field = 3; field < 47; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " \n");
		if (!*p || *p == '\n')
			return -1;
	}
	p += strspn(p, " ");
	if (*p < '0' || *p > '9')
		return -1;
	*start_brk = strtoul(p, NULL, 10);
	return 0;
}

/* The whole of a /proc file (they have no size); NULL when unreadable. */
static char *read_proc(pid_t tid, const char *name)
{
	char path[64], *buf;
	int fd, error;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = tracefs_read_fd(fd, NULL, &error);
	close(fd);
	if (buf && error) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

static int tgid_of(pid_t tid, pid_t *tgid)
{
	char *status = read_proc(tid, "status"), *p;

	p = status ? strstr(status, "\nTgid:") : NULL;
	if (p)
		*tgid = (pid_t)strtol(p + 6, NULL, 10);
	free(status);
	return p ? 0 : -1;
}

#define PM_CHUNK	4096	/* pagemap entries per read */

/*
 * PAGEMAP_SCAN (6.7+) finds the runs in the kernel, skipping whole page
 * tables that are not there; Debian 12's headers predate it, so its
 * ABI (include/uapi/linux/fs.h) is spelled out here.
 */
#define SCAN_IS_FILE	(1ULL << 2)
#define SCAN_IS_PRESENT	(1ULL << 3)
#define SCAN_IS_PFNZERO	(1ULL << 5)

struct scan_region {
	uint64_t start, end, categories;
};

struct scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define SCAN_IOCTL	_IOWR('f', 16, struct scan_arg)
#define SCAN_REGIONS	512

/* Present, not a file page, not the zero page: by PAGEMAP_SCAN. */
static int scan_vma(struct rec_runs *r, int fd, const struct rec_range *v)
{
	struct scan_region reg[SCAN_REGIONS];
	struct scan_arg a = {
		.size = sizeof(a), .start = v->start, .end = v->end,
		.vec = (uintptr_t)reg, .vec_len = SCAN_REGIONS,
		.category_mask = SCAN_IS_PRESENT | SCAN_IS_FILE | SCAN_IS_PFNZERO,
		.category_inverted = SCAN_IS_FILE | SCAN_IS_PFNZERO,
		.return_mask = SCAN_IS_PRESENT,
	};

	while (a.start < v->end) {
		long i, n = ioctl(fd, SCAN_IOCTL, &a);

		if (n < 0)
			return -1;
		for (i = 0; i < n; i++)
			rec_runs_add_range(r, reg[i].start,
					   (reg[i].end - reg[i].start) / r->page_size);
		/* A full vector stops the walk early: go on from there. */
		if (a.walk_end <= a.start)
			return -1;
		a.start = a.walk_end;
	}
	return 0;
}

/* The same from the pagemap entries, for kernels without PAGEMAP_SCAN. */
static int read_vma(struct rec_runs *r, int fd, const struct rec_range *v,
		    uint64_t *pm)
{
	unsigned long a;

	for (a = v->start; a < v->end;) {
		size_t want = (v->end - a) / r->page_size;
		ssize_t got;

		if (want > PM_CHUNK)
			want = PM_CHUNK;
		got = pread(fd, pm, want * sizeof(*pm),
			    (off_t)(a / r->page_size * sizeof(*pm)));
		/* The vsyscall page is outside the page tables' reach. */
		if (got <= 0)
			break;
		rec_runs_add(r, a, pm, (size_t)got / sizeof(*pm));
		a += (size_t)got / sizeof(*pm) * r->page_size;
	}
	return 0;
}

static int anon_runs(struct rec_runs *r, pid_t tid, const struct rec_range *v,
		     int nv)
{
	static bool no_scan;
	uint64_t *pm = malloc(PM_CHUNK * sizeof(*pm));
	char path[64];
	int i, fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !pm) {
		free(pm);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < nv; i++) {
		/*
		 * smaps counts every anonymous page (PageAnon, THP and KSM
		 * included) in Anonymous: none there, none to find.
		 */
		if (!v[i].anon_kb)
			continue;
		if (!no_scan && !scan_vma(r, fd, &v[i]))
			continue;
		if (!no_scan && errno != ENOTTY && errno != EINVAL)
			break;	/* the task is gone */
		no_scan = true;
		read_vma(r, fd, &v[i], pm);
	}
	rec_runs_flush(r);
	close(fd);
	free(pm);
	return i < nv ? -1 : 0;
}

/** rec_snapshot_take() - see record.h. */
int rec_snapshot_take(struct rec_buf *b, long n, bool exec, pid_t tid,
		      uint64_t zero_pfn)
{
	struct rec_runs runs = {
		.b = b, .page_size = (unsigned long)sysconf(_SC_PAGESIZE),
		.zero_pfn = zero_pfn,
	};
	struct rec_range *ranges = NULL;
	unsigned long start_brk = 0;
	char *smaps, *stat = NULL;
	pid_t tgid = tid;
	int nv;

	if (tgid_of(tid, &tgid))
		return -1;
	if (exec) {
		stat = read_proc(tid, "stat");
		if (!stat || rec_stat_start_brk(stat, &start_brk)) {
			free(stat);
			return -1;
		}
		free(stat);
	}
	smaps = read_proc(tid, "smaps");
	/* A task that has gone (or lost its mm) has an empty smaps. */
	if (!smaps || !smaps[0]) {
		free(smaps);
		return -1;
	}
	b->len = 0;
	rec_buf_printf(b, "@snapshot %ld %s tid=%d tgid=%d\n", n,
		       exec ? "exec" : "exit", (int)tid, (int)tgid);
	if (exec)
		rec_buf_printf(b, "@brk start_brk=0x%lx\n", start_brk);
	nv = rec_format_smaps(b, smaps, &ranges);
	free(smaps);
	if (nv < 0 || anon_runs(&runs, tid, ranges, nv)) {
		free(ranges);
		return -1;
	}
	free(ranges);
	rec_buf_printf(b, "@end\n");
	return 0;
}

/** rec_zero_page() - see record.h. */
int rec_zero_page(uint64_t *pfn)
{
	long ps = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)ps, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0;
	int fd;

	*pfn = 0;
	if (p == MAP_FAILED)
		return -1;
	(void)p[0];	/* a read fault maps the shared zero page, if the host allows */
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, &e, sizeof(e),
			  (off_t)((unsigned long)p / (unsigned long)ps * sizeof(e))) != sizeof(e))
			e = 0;
		close(fd);
	}
	munmap((void *)p, (size_t)ps);
	if (!(e & PM_PRESENT))
		return -1;
	/* The zero page has no struct page to be exclusive: a real page is. */
	if (e & PM_MMAP_EXCLUSIVE)
		return 0;
	*pfn = e & PM_PFN_MASK;
	return 1;
}
