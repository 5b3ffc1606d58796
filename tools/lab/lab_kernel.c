/* SPDX-License-Identifier: MIT */
/*
 * The workloads that can run on the host kernel, as real processes of
 * the same shape, so that `anonvma bench --kernel` prints the kernel's
 * time next to the model's from the same run (absolute times drift on a
 * shared machine; the ratio within one run is what means something,
 * shared/spec/kernel-oracle.md §4).
 *
 * The mappings go to the same fixed window as the model's, placed with
 * MAP_FIXED_NOREPLACE after a probe that the window is free (oracle
 * §1).  Children report their own timings through a MAP_SHARED page;
 * they never touch stdio or malloc.  Walks are the model's alone: the
 * kernel has no interface that runs an rmap walk on demand.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#define KPAGE 4096UL

/* What children add up, in a MAP_SHARED page. */
struct kshared {
	uint64_t fork_ns, fault_ns, faults;
};

static uint64_t now_u64(void)
{
	return (uint64_t)lab_now();
}

static struct kshared *kshared_new(struct lab_kresult *k)
{
	void *p = mmap(NULL, KPAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		snprintf(k->why, sizeof(k->why), "mmap of a shared page: %s",
			 strerror(errno));
		return NULL;
	}
	memset(p, 0, KPAGE);
	return p;
}

/*
 * The window must be free (kernel-oracle §1): map it PROT_NONE with
 * MAP_FIXED_NOREPLACE, which fails with EEXIST instead of clobbering.
 */
static int window_free(unsigned long pages, struct lab_kresult *k)
{
#if defined(__SANITIZE_THREAD__)
	/* TSan's shadow memory claims the window; its mmap refuses it. */
	snprintf(k->why, sizeof(k->why),
		 "not under ThreadSanitizer: its shadow memory covers the window at %#lx",
		 LAB_WIN);
	return -1;
#else
	void *p = mmap((void *)LAB_WIN, pages * KPAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
		       MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED || p != (void *)LAB_WIN) {
		snprintf(k->why, sizeof(k->why),
			 "the window at %#lx is not free: %s", LAB_WIN,
			 p == MAP_FAILED ? strerror(errno) : "moved");
		if (p != MAP_FAILED)
			munmap(p, pages * KPAGE);
		return -1;
	}
	munmap(p, pages * KPAGE);
	return 0;
#endif
}

static unsigned long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* Refuse shapes that would take more than a quarter of free memory. */
static int memory_ok(double bytes, struct lab_kresult *k)
{
	unsigned long avail = mem_available();

	if (avail && bytes > avail / 4.0) {
		snprintf(k->why, sizeof(k->why),
			 "needs %.0f MiB of real memory, more than a quarter of "
			 "MemAvailable (%lu MiB)", bytes / 1048576.0,
			 avail / 1048576);
		return -1;
	}
	return 0;
}

static char *map_window(unsigned long off, unsigned long pages,
			struct lab_kresult *k)
{
	char *p = mmap((void *)(LAB_WIN + off * KPAGE), pages * KPAGE,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED) {
		snprintf(k->why, sizeof(k->why), "mmap in the window: %s",
			 strerror(errno));
		return NULL;
	}
	return p;
}

static void add(struct lab_timer *t, double ns, unsigned long n)
{
	t->ns += ns;
	t->n += n;
}

/* Write every page of [p, p + pages), timed per page into @t. */
static void write_pages(char *p, unsigned long pages, struct lab_timer *t)
{
	unsigned long i;

	for (i = 0; i < pages; i++) {
		double t0 = lab_now();

		*(volatile char *)(p + i * KPAGE) = (char)i;
		add(t, lab_now() - t0, 1);
	}
}

/*
 * The window's first @pages pages mapped and written, as the workloads
 * start.  stdio is flushed because the forks that follow would copy
 * any unwritten buffer into every child.
 */
static char *faulted_window(unsigned long pages, struct lab_kresult *k)
{
	char *win = map_window(0, pages, k);

	if (!win)
		return NULL;
	write_pages(win, pages, &k->op[LAB_OP_FAULT]);
	fflush(NULL);
	return win;
}

/* A workload's pipes, shared page or pid table could not be set up. */
static int setup_failed(struct lab_kresult *k)
{
	snprintf(k->why, sizeof(k->why), "setting up: %s", strerror(errno));
	return -1;
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * rik: children that write every page and wait on a pipe until the
 * parent closes it; the parent times each fork, then the exits.
 */
int lab_rik_kernel(const long *p, struct lab_kresult *k)
{
	long children = p[0], pages = p[1], c, started = 0;
	struct kshared *sh;
	pid_t *pids;
	int done[2], go[2];
	char *win, b;
	double t0, wall;

	if (memory_ok((double)(children + 1) * (double)pages * KPAGE, k) ||
	    window_free((unsigned long)pages, k))
		return -1;
	sh = kshared_new(k);
	pids = calloc((size_t)children + 1, sizeof(*pids));
	if (!sh || !pids || pipe(done) || pipe(go)) {
		return setup_failed(k);
	}
	win = faulted_window((unsigned long)pages, k);
	if (!win)
		return -1;
	wall = lab_now();
	for (c = 0; c < children; c++) {
		t0 = lab_now();
		pids[c] = fork();
		if (pids[c] == 0) {
			uint64_t t = now_u64();
			long i;

			close(go[1]);
			for (i = 0; i < pages; i++)
				*(volatile char *)(win + (unsigned long)i * KPAGE) = 1;
			__atomic_fetch_add(&sh->fault_ns, now_u64() - t,
					   __ATOMIC_RELAXED);
			__atomic_fetch_add(&sh->faults, (uint64_t)pages,
					   __ATOMIC_RELAXED);
			if (write(done[1], "x", 1) != 1)
				_exit(1);
			while (read(go[0], &b, 1) > 0)
				;
			_exit(0);
		}
		add(&k->op[LAB_OP_FORK], lab_now() - t0, 1);
		if (pids[c] < 0) {
			snprintf(k->why, sizeof(k->why), "fork: %s",
				 strerror(errno));
			break;
		}
		started++;
	}
	for (c = 0; c < started; c++)
		if (read(done[0], &b, 1) != 1)
			break;
	add(&k->op[LAB_OP_CYCLE], lab_now() - wall, (unsigned long)started);
	t0 = lab_now();
	close(go[1]);
	for (c = 0; c < started; c++)
		reap(pids[c]);
	add(&k->op[LAB_OP_EXIT], lab_now() - t0, (unsigned long)started);
	add(&k->op[LAB_OP_FAULT], (double)sh->fault_ns, sh->faults);
	munmap(win, (unsigned long)pages * KPAGE);
	close(go[0]);
	close(done[0]);
	close(done[1]);
	munmap(sh, KPAGE);
	free(pids);
	k->ran = started == children;
	return k->ran ? 0 : -1;
}

/*
 * serial: a chain of real processes, each forking the next and
 * exiting.  This process becomes a child subreaper so that every
 * orphaned generation is reparented to it and reaped here.
 */
int lab_serial_kernel(const long *p, struct lab_kresult *k)
{
	long gens = p[0], vmas = p[1], pages = p[2];
	unsigned long stride = (unsigned long)pages + 1;
	struct kshared *sh;
	double t0;
	pid_t pid;
	int fin[2];
	char b;

	if (window_free((unsigned long)vmas * stride, k))
		return -1;
	sh = kshared_new(k);
	if (!sh || pipe(fin) || prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		return setup_failed(k);
	}
	fflush(NULL);
	t0 = lab_now();
	pid = fork();
	if (pid == 0) {
		long g, v;

		close(fin[0]);
		for (v = 0; v < vmas; v++) {
			char *q = mmap((void *)(LAB_WIN + (unsigned long)v * stride * KPAGE),
				       (unsigned long)pages * KPAGE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_FIXED_NOREPLACE, -1, 0);

			if (q == MAP_FAILED)
				_exit(1);
			*(volatile char *)q = 1;
		}
		for (g = 1; g <= gens; g++) {
			uint64_t t = now_u64();
			pid_t child = fork();

			if (child < 0)
				_exit(1);
			if (child > 0) {
				__atomic_fetch_add(&sh->fork_ns, now_u64() - t,
						   __ATOMIC_RELAXED);
				_exit(0);
			}
			t = now_u64();
			for (v = 0; v < vmas; v++)
				*(volatile char *)(LAB_WIN +
						   (unsigned long)v * stride * KPAGE +
						   (unsigned long)(g % pages) * KPAGE) = 1;
			__atomic_fetch_add(&sh->fault_ns, now_u64() - t,
					   __ATOMIC_RELAXED);
			__atomic_fetch_add(&sh->faults, (uint64_t)vmas,
					   __ATOMIC_RELAXED);
		}
		if (write(fin[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(fin[1]);
	if (pid < 0) {
		snprintf(k->why, sizeof(k->why), "fork: %s", strerror(errno));
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		return -1;
	}
	k->ran = read(fin[0], &b, 1) == 1;
	/* Every generation ends up our child: reap until none is left. */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	k->wall_ns = lab_now() - t0;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(fin[0]);
	add(&k->op[LAB_OP_CYCLE], k->wall_ns, (unsigned long)gens);
	add(&k->op[LAB_OP_FORK], (double)sh->fork_ns, (unsigned long)gens);
	add(&k->op[LAB_OP_FAULT], (double)sh->fault_ns, sh->faults);
	munmap(sh, KPAGE);
	if (!k->ran)
		snprintf(k->why, sizeof(k->why),
			 "a generation failed before the last one");
	return k->ran ? 0 : -1;
}

static long max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long n = 65530;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 65530;
		fclose(f);
	}
	return n;
}

/* split: fault, fork sleeping children, then split with mprotect. */
int lab_split_kernel(const long *p, struct lab_kresult *k)
{
	long pages = p[0], children = p[1], c, i, started = 0;
	pid_t *pids;
	int go[2];
	char *win, b;

	if (pages + 100 > max_map_count()) {
		snprintf(k->why, sizeof(k->why),
			 "%ld pieces exceed vm.max_map_count (%ld)", pages,
			 max_map_count());
		return -1;
	}
	if (memory_ok((double)pages * KPAGE, k) ||
	    window_free((unsigned long)pages, k))
		return -1;
	pids = calloc((size_t)children + 1, sizeof(*pids));
	if (!pids || pipe(go)) {
		return setup_failed(k);
	}
	win = faulted_window((unsigned long)pages, k);
	if (!win)
		return -1;
	for (c = 0; c < children; c++) {
		double t0 = lab_now();

		pids[c] = fork();
		if (pids[c] == 0) {
			close(go[1]);
			while (read(go[0], &b, 1) > 0)
				;
			_exit(0);
		}
		add(&k->op[LAB_OP_FORK], lab_now() - t0, 1);
		if (pids[c] < 0)
			break;
		started++;
	}
	for (i = 1; i < pages; i += 2) {
		double t0 = lab_now();
		int err = mprotect(win + (unsigned long)i * KPAGE, KPAGE,
				   PROT_READ);

		add(&k->op[LAB_OP_MPROTECT], lab_now() - t0, 1);
		if (err) {
			snprintf(k->why, sizeof(k->why), "mprotect: %s",
				 strerror(errno));
			break;
		}
	}
	k->ran = i >= pages && started == children;
	close(go[1]);
	for (c = 0; c < started; c++)
		reap(pids[c]);
	close(go[0]);
	munmap(win, (unsigned long)pages * KPAGE);
	free(pids);
	return k->ran ? 0 : -1;
}

/*
 * server: workers that write their pages, say so on a pipe and wait;
 * the oldest is killed and reaped once LIVE younger ones exist.
 */
int lab_server_kernel(const long *p, struct lab_kresult *k)
{
	long workers = p[0], live = p[1], heap = p[2], writes = p[3];
	long w, head = 0, n = 0;
	struct kshared *sh;
	pid_t *fifo;
	int ready[2];
	char *win, b;

	if (memory_ok((double)(live + 1) * (double)heap * KPAGE, k) ||
	    window_free((unsigned long)heap, k))
		return -1;
	sh = kshared_new(k);
	fifo = calloc((size_t)live + 1, sizeof(*fifo));
	if (!sh || !fifo || pipe(ready)) {
		return setup_failed(k);
	}
	win = faulted_window((unsigned long)heap, k);
	if (!win)
		return -1;
	for (w = 0; w < workers; w++) {
		double t0 = lab_now(), t1;
		pid_t pid = fork();

		if (pid == 0) {
			uint64_t t = now_u64();
			long j;

			for (j = 0; j < writes; j++)
				*(volatile char *)(win + (unsigned long)((w * writes + j) %
									heap) * KPAGE) = 1;
			__atomic_fetch_add(&sh->fault_ns, now_u64() - t,
					   __ATOMIC_RELAXED);
			__atomic_fetch_add(&sh->faults, (uint64_t)writes,
					   __ATOMIC_RELAXED);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		add(&k->op[LAB_OP_FORK], lab_now() - t0, 1);
		if (pid < 0) {
			snprintf(k->why, sizeof(k->why), "fork: %s",
				 strerror(errno));
			break;
		}
		fifo[(head + n++) % (live + 1)] = pid;
		if (read(ready[0], &b, 1) != 1)
			break;
		if (n > live) {
			t1 = lab_now();
			kill(fifo[head], SIGKILL);
			reap(fifo[head]);
			add(&k->op[LAB_OP_EXIT], lab_now() - t1, 1);
			head = (head + 1) % (live + 1);
			n--;
		}
		add(&k->op[LAB_OP_CYCLE], lab_now() - t0, 1);
	}
	k->ran = w == workers;
	while (n) {
		kill(fifo[head], SIGKILL);
		reap(fifo[head]);
		head = (head + 1) % (live + 1);
		n--;
	}
	add(&k->op[LAB_OP_FAULT], (double)sh->fault_ns, sh->faults);
	munmap(win, (unsigned long)heap * KPAGE);
	close(ready[0]);
	close(ready[1]);
	munmap(sh, KPAGE);
	free(fifo);
	return k->ran ? 0 : -1;
}

/* churn: mmap + write + munmap cycles next to a faulted neighbour. */
int lab_churn_kernel(const long *p, struct lab_kresult *k)
{
	long cycles = p[0], pages = p[1], gap = p[2], c;
	unsigned long len = (unsigned long)pages * KPAGE;
	char *nb, *addr = (char *)(LAB_WIN + (unsigned long)(1 + gap) * KPAGE);

	if (window_free((unsigned long)(1 + gap + pages), k))
		return -1;
	nb = map_window(0, 1, k);
	if (!nb)
		return -1;
	*(volatile char *)nb = 1;
	for (c = 0; c < cycles; c++) {
		double t0 = lab_now(), t1;
		char *q = mmap(addr, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);

		add(&k->op[LAB_OP_MMAP], lab_now() - t0, 1);
		if (q == MAP_FAILED) {
			snprintf(k->why, sizeof(k->why), "mmap: %s",
				 strerror(errno));
			break;
		}
		write_pages(q, (unsigned long)pages, &k->op[LAB_OP_FAULT]);
		t1 = lab_now();
		munmap(q, len);
		add(&k->op[LAB_OP_MUNMAP], lab_now() - t1, 1);
		add(&k->op[LAB_OP_CYCLE], lab_now() - t0, 1);
	}
	munmap(nb, KPAGE);
	k->ran = c == cycles;
	return k->ran ? 0 : -1;
}
