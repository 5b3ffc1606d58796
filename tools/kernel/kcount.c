/* SPDX-License-Identifier: MIT */
/*
 * Trace events per step: walks the text of one pass's `trace` file,
 * assigns every kmem_cache_alloc / kmem_cache_free event of an anon_vma
 * or anon_vma_chain to the step whose marker precedes it, by call site,
 * and pairs allocations with frees by pointer (hash-ptr is off) to find
 * objects the pass never freed.  Lost events are counted from the
 * header's entries-in-buffer/entries-written and from [LOST] lines
 * (kernel-oracle.md §3).
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_internal.h"

/* Live objects: pointer -> cache, open addressing with tombstones. */
struct livemap {
	uint64_t *key;		/* 0 empty, 1 tombstone */
	unsigned char *obj;
	size_t cap, used, n;
};

static size_t lm_slot(uint64_t k, size_t cap)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static int lm_grow(struct livemap *m)
{
	struct livemap big = { 0 };
	size_t i;

	big.cap = m->cap ? m->cap * 2 : 1024;
	big.key = calloc(big.cap, sizeof(*big.key));
	big.obj = calloc(big.cap, 1);
	if (!big.key || !big.obj) {
		free(big.key);
		free(big.obj);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (m->key[i] <= 1)
			continue;
		j = lm_slot(m->key[i], big.cap);
		while (big.key[j])
			j = (j + 1) & (big.cap - 1);
		big.key[j] = m->key[i];
		big.obj[j] = m->obj[i];
		big.used++;
		big.n++;
	}
	free(m->key);
	free(m->obj);
	*m = big;
	return 0;
}

/* Index of @k, or of the first free slot where it would go (-1: none). */
static long lm_find(const struct livemap *m, uint64_t k, bool *found)
{
	size_t i, probes;
	long free_slot = -1;

	*found = false;
	if (!m->cap)
		return -1;
	i = lm_slot(k, m->cap);
	for (probes = 0; probes < m->cap; probes++) {
		if (m->key[i] == k) {
			*found = true;
			return (long)i;
		}
		if (m->key[i] == 1 && free_slot < 0)
			free_slot = (long)i;
		if (!m->key[i])
			return free_slot >= 0 ? free_slot : (long)i;
		i = (i + 1) & (m->cap - 1);
	}
	return free_slot;
}

/* Returns 1 when @k was already live, 0 when added, -1 on OOM. */
static int lm_add(struct livemap *m, uint64_t k, int obj)
{
	bool found;
	long i;

	if ((m->used + 1) * 2 > m->cap && lm_grow(m))
		return -1;
	i = lm_find(m, k, &found);
	if (found)
		return 1;
	if (!m->key[i])
		m->used++;
	m->key[i] = k;
	m->obj[i] = (unsigned char)obj;
	m->n++;
	return 0;
}

static bool lm_del(struct livemap *m, uint64_t k)
{
	bool found;
	long i = lm_find(m, k, &found);

	if (!found)
		return false;
	m->key[i] = 1;
	m->n--;
	return true;
}

static int on_marker(struct kcounts *c, const char *text, int *cur, char *err,
		     size_t n)
{
	size_t l = strlen(KMARK_STEP);

	if (!strcmp(text, KMARK_BEGIN)) {
		/* Anything before is another pass's or another process's. */
		memset(c->step, 0, sizeof(*c->step) * (size_t)(c->nsteps + 2));
		/* Lost events are kept: they may have been this pass's. */
		c->events = c->ignored = c->foreign = 0;
		c->end_seen = false;
		*cur = c->nsteps + 1;
	} else if (!strncmp(text, KMARK_STEP, l)) {
		char *end;
		long i = strtol(text + l, &end, 10);

		if (end == text + l || *end || i < 0 || i >= c->nsteps) {
			snprintf(err, n, "bad step marker '%s'", text);
			return -1;
		}
		*cur = (int)i;
	} else if (!strcmp(text, KMARK_TEARDOWN)) {
		*cur = c->nsteps;
	} else if (!strcmp(text, KMARK_END)) {
		c->end_seen = true;
		*cur = c->nsteps + 1;
	}
	return 0;
}

/* Is @pid one of the run's processes? */
static bool is_ours(const pid_t *pids, int npids, int pid)
{
	int i;

	if (!pids)
		return true;
	for (i = npids - 1; i >= 0; i--)
		if (pids[i] == pid)
			return true;
	return false;
}

/** kcount_parse() - see kernel_internal.h. */
int kcount_parse(const char *text, int nsteps, const pid_t *pids, int npids,
		 struct kcounts *c, char *err, size_t n)
{
	struct livemap live = { 0 };
	const char *p = text;
	char line[1024];
	int cur = nsteps + 1, ret = -1;

	memset(c, 0, sizeof(*c));
	c->nsteps = nsteps;
	c->step = calloc((size_t)nsteps + 2, sizeof(*c->step));
	if (!c->step) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	while (*p) {
		size_t len = strcspn(p, "\n");
		unsigned long inbuf, written;
		struct ktrace_event ev;
		enum ksite_class cl;
		enum scn_object obj = SCN_OBJ_ANON_VMA;
		enum obs_site site = OBS_SITE_OTHER;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += strcspn(p, "\n");
		if (*p)
			p++;
		if (kparse_trace_header(line, &inbuf, &written)) {
			if (written > inbuf)
				c->lost += written - inbuf;
			continue;
		}
		if (kparse_trace_line(line, &ev, err, n))
			goto out;
		switch (ev.kind) {
		case KTRACE_MARKER:
			if (!strcmp(ev.marker, KMARK_BEGIN)) {
				free(live.key);
				free(live.obj);
				memset(&live, 0, sizeof(live));
			}
			if (on_marker(c, ev.marker, &cur, err, n))
				goto out;
			continue;
		case KTRACE_LOST:
			c->lost += ev.lost;
			continue;
		case KTRACE_OTHER:
			continue;
		default:
			break;
		}
		if (ev.pid < 0) {
			snprintf(err, n, "kmem event without a pid: %.120s", line);
			goto out;
		}
		if (!is_ours(pids, npids, ev.pid)) {
			c->foreign++;
			continue;
		}
		cl = ksite_classify(ev.cache, ev.func, ev.kind == KTRACE_ALLOC,
				    &obj, &site);
		if (cl == KSITE_UNKNOWN) {
			snprintf(err, n,
				 "unknown call site %s of a %s %s: the kernel's call sites changed (see docs/kernel-executor.md)",
				 ev.func, ev.cache,
				 ev.kind == KTRACE_ALLOC ? "allocation" : "free");
			goto out;
		}
		if (cl == KSITE_OTHER) {
			c->ignored++;
			continue;
		}
		c->events++;
		if (ev.kind == KTRACE_ALLOC) {
			int r = lm_add(&live, ev.ptr, obj);

			if (r < 0) {
				snprintf(err, n, "out of memory");
				goto out;
			}
			if (r > 0) {
				snprintf(err, n,
					 "object %#llx allocated twice without a free: events were lost",
					 (unsigned long long)ev.ptr);
				goto out;
			}
			c->step[cur].alloc[obj][site]++;
		} else {
			/* Objects older than the pass are freed too; count them. */
			lm_del(&live, ev.ptr);
			c->step[cur].free[obj][site]++;
		}
	}
	c->unfreed = live.n;
	ret = 0;
out:
	free(live.key);
	free(live.obj);
	if (ret)
		kcount_free(c);
	return ret;
}

/** kcount_free() - see kernel_internal.h. */
void kcount_free(struct kcounts *c)
{
	free(c->step);
	c->step = NULL;
}
