/* SPDX-License-Identifier: MIT */
/*
 * Parsers of what the kernel prints: /proc/PID/maps lines, pagemap /
 * kpageflags / kpagecount entries, and the lines of an ftrace instance's
 * `trace` file (kmem_cache_alloc / kmem_cache_free events and markers),
 * with the classification of allocation call sites.
 *
 * Pure functions on strings and numbers, so that the unit tests can feed
 * them the kernel's formats without root.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel_internal.h"

/** kparse_maps_line() - see kernel_internal.h. */
int kparse_maps_line(const char *line, struct kmaps_line *m)
{
	int pos = -1;
	char perms[8];

	memset(m, 0, sizeof(*m));
	m->path = -1;
	/* fs/proc/task_mmu.c: "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " */
	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu%n", &m->start, &m->end,
		   perms, &m->offset, &m->major, &m->minor, &m->inode,
		   &pos) != 7 || pos < 0)
		return -1;
	if (strlen(perms) != 4 || !strchr("r-", perms[0]) ||
	    !strchr("w-", perms[1]) || !strchr("x-", perms[2]) ||
	    !strchr("ps", perms[3]) || m->end <= m->start)
		return -1;
	memcpy(m->perms, perms, 5);
	while (line[pos] == ' ' || line[pos] == '\t')
		pos++;
	if (line[pos] && line[pos] != '\n')
		m->path = pos;
	return 0;
}

/** kmaps_prot() - see kernel_internal.h. */
unsigned long kmaps_prot(const struct kmaps_line *m)
{
	return (m->perms[0] == 'r' ? PROT_READ : 0) |
	       (m->perms[1] == 'w' ? PROT_WRITE : 0) |
	       (m->perms[2] == 'x' ? PROT_EXEC : 0);
}

/** kparse_page() - see kernel_internal.h. */
void kparse_page(uint64_t pagemap, uint64_t flags, uint64_t count,
		 struct kpage *k)
{
	memset(k, 0, sizeof(*k));
	if (!(pagemap & PM_PRESENT)) {
		k->state = pagemap & PM_SWAP ? SCN_PAGE_SWAP : SCN_PAGE_NONE;
		return;
	}
	k->pfn = pagemap & PM_PFN_MASK;
	if (flags & (1ULL << KPF_ZERO_PAGE)) {
		k->state = SCN_PAGE_ZERO;
		return;
	}
	k->state = SCN_PAGE_PRESENT;
	k->anon = flags & (1ULL << KPF_ANON);
	/* Bit 34 is PG_mappedtodisk for page-cache pages: not exclusivity. */
	k->excl = k->anon && (flags & (1ULL << KPF_ANON_EXCLUSIVE));
	k->large = flags & ((1ULL << KPF_COMPOUND_HEAD) |
			    (1ULL << KPF_COMPOUND_TAIL) | (1ULL << KPF_THP));
	k->ksm = flags & (1ULL << KPF_KSM);
	k->mapcount = (int)count;
}

/* Copy the word of @src up to a character of @stop (or the end) into @dst. */
static size_t copy_word(char *dst, size_t n, const char *src, const char *stop)
{
	size_t len = strcspn(src, stop);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

static int parse_kmem(const char *body, struct ktrace_event *ev, char *err,
		      size_t n)
{
	const char *cs = strstr(body, "call_site=");
	const char *pt = strstr(body, " ptr=");
	const char *nm = strstr(body, " name=");
	char *end;

	if (!cs || !pt || !nm) {
		snprintf(err, n, "kmem event without call_site, ptr or name: %.120s",
			 body);
		return -1;
	}
	/* "call_site=anon_vma_clone+0x66/0x1e0": the function name only. */
	if (!copy_word(ev->func, sizeof(ev->func), cs + 10, "+ \t")) {
		snprintf(err, n, "empty call site: %.120s", body);
		return -1;
	}
	ev->ptr = strtoull(pt + 5, &end, 16);
	if (end == pt + 5) {
		snprintf(err, n, "bad ptr: %.120s", body);
		return -1;
	}
	if (!copy_word(ev->cache, sizeof(ev->cache), nm + 6, " \t")) {
		snprintf(err, n, "empty cache name: %.120s", body);
		return -1;
	}
	return 0;
}

/*
 * The pid of a trace line "  TASK-PID  [CPU] FLAGS  TIMESTAMP: EVENT":
 * the digits before the first "[digits]" field, after a '-' (the task
 * name itself may hold '-', spaces and brackets of other shapes).
 */
static int line_pid(const char *line)
{
	const char *p;

	for (p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
		const char *q = p + 1, *d;

		while (isdigit((unsigned char)*q))
			q++;
		if (q == p + 1 || *q != ']')
			continue;
		d = p;
		while (d > line && d[-1] == ' ')
			d--;
		q = d;
		while (q > line && isdigit((unsigned char)q[-1]))
			q--;
		if (q == d || q == line || q[-1] != '-')
			return -1;
		return atoi(q);
	}
	return -1;
}

/** kparse_trace_line() - see kernel_internal.h. */
int kparse_trace_line(const char *line, struct ktrace_event *ev, char *err,
		      size_t n)
{
	const char *p;

	memset(ev, 0, sizeof(*ev));
	ev->kind = KTRACE_OTHER;
	ev->pid = -1;
	if (line[0] == '#')
		return 0;
	/* kernel/trace/trace.c prints this where the buffer dropped events. */
	p = strstr(line, "[LOST ");
	if (p && !strncmp(line, "CPU:", 4) &&
	    sscanf(p, "[LOST %lu EVENTS]", &ev->lost) == 1) {
		ev->kind = KTRACE_LOST;
		return 0;
	}
	/* The task name may hold spaces and colons: look for the event name. */
	ev->pid = line_pid(line);
	p = strstr(line, ": tracing_mark_write: ");
	if (p) {
		size_t len;

		ev->kind = KTRACE_MARKER;
		p += strlen(": tracing_mark_write: ");
		len = copy_word(ev->marker, sizeof(ev->marker), p, "\n");
		while (len && isspace((unsigned char)ev->marker[len - 1]))
			ev->marker[--len] = '\0';
		return 0;
	}
	p = strstr(line, ": kmem_cache_alloc: ");
	if (p) {
		ev->kind = KTRACE_ALLOC;
		return parse_kmem(p + strlen(": kmem_cache_alloc: "), ev, err, n);
	}
	p = strstr(line, ": kmem_cache_free: ");
	if (p) {
		ev->kind = KTRACE_FREE;
		return parse_kmem(p + strlen(": kmem_cache_free: "), ev, err, n);
	}
	return 0;
}

/** kparse_trace_header() - see kernel_internal.h. */
int kparse_trace_header(const char *line, unsigned long *in_buffer,
			unsigned long *written)
{
	static const char key[] = "# entries-in-buffer/entries-written:";

	if (strncmp(line, key, sizeof(key) - 1))
		return 0;
	return sscanf(line + sizeof(key) - 1, " %lu/%lu", in_buffer,
		      written) == 2;
}

/*
 * Members of the merged 64-byte cache that are not anon_vma_chains, by
 * the call sites this kernel shows for them (kernel-oracle.md §3): the
 * fs_struct copied at fork and freed at exit, and epoll's wait-queue
 * entries.
 */
static const char *const other_sites[] = {
	"copy_fs_struct", "free_fs_struct", "exit_fs", "do_exit",
	"unshare_fs_struct",
	"ep_ptable_queue_proc", "ep_remove_wait_queue",
	"ep_unregister_pollwait", "ep_free",
};

/** ksite_classify() - see kernel_internal.h. */
enum ksite_class ksite_classify(const char *cache, const char *func, bool alloc,
				enum scn_object *obj, enum obs_site *site)
{
	size_t i;
	int k;

	if (!strcmp(cache, "anon_vma"))
		*obj = SCN_OBJ_ANON_VMA;
	else if (!strcmp(cache, "anon_vma_chain"))
		*obj = SCN_OBJ_AVC;
	else
		return KSITE_UNKNOWN;
	/*
	 * The call sites of both caches are named as the model names its
	 * own (observe.h); OBS_SITE_OTHER is the model's catch-all and no
	 * kernel function.
	 */
	for (k = 0; k < OBS_SITE_OTHER; k++)
		if (!strcmp(func, obs_site_name((enum obs_site)k))) {
			*site = (enum obs_site)k;
			return KSITE_COUNTED;
		}
	if (*obj == SCN_OBJ_AVC)
		for (i = 0; i < sizeof(other_sites) / sizeof(other_sites[0]); i++)
			if (!strcmp(func, other_sites[i]))
				return KSITE_OTHER;
	(void)alloc;
	return KSITE_UNKNOWN;
}
