/* SPDX-License-Identifier: MIT */
/*
 * bench_core - the core issue's performance figures, model against the
 * host kernel in the same run:
 *
 *   fork       fork of a process with 1000 write-faulted one-page VMAs
 *   cycle      mmap + write + munmap of one page at a fixed address
 *              (a neighbouring mapping keeps the page table allocated)
 *   serial     fork, parent exits, repeated for 10,000 generations
 *              (model only: the anon_vma count must stay bounded)
 *
 * Times are medians of repeated runs, in nanoseconds per operation; the
 * last column is kernel time / model time.  The machine is shared, so
 * only the ratio of one run means anything.
 *
 *   build/bench/bench_core [--quick] [--model-only]
 *
 * --model-only skips the kernel's side (kernel columns print 0), for
 * profiling the model alone with perf or callgrind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <anonvma/anonvma.h>

#define WIN 0x200000000000UL
#define NR_VMAS 1000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Every other page, so that the 1000 VMAs cannot merge. */
static unsigned long vma_addr(int i)
{
	return WIN + (unsigned long)i * 2 * PAGE_SIZE;
}

static double model_fork(int reps)
{
	struct mm_struct *mm = mm_alloc();
	double t[64];
	int i, r, err;

	for (i = 0; i < NR_VMAS; i++) {
		uint64_t v = i;

		sys_mmap(mm, vma_addr(i), PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL, 0);
		access_page(mm, vma_addr(i), true, &v);
	}
	for (r = 0; r < reps; r++) {
		double t0 = now_ns();
		struct mm_struct *child = dup_mm(mm, &err);

		t[r] = now_ns() - t0;
		if (!child) {
			fprintf(stderr, "model fork failed: %d\n", err);
			exit(1);
		}
		mmput(child);
	}
	mmput(mm);
	return median(t, reps);
}

static double kernel_fork(int reps)
{
	double t[64];
	int i, r;

	for (i = 0; i < NR_VMAS; i++) {
		char *p = mmap((void *)vma_addr(i), PAGE_SIZE,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		*p = 1;
	}
	for (r = 0; r < reps; r++) {
		double t0 = now_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		t[r] = now_ns() - t0;
		waitpid(pid, NULL, 0);
	}
	munmap((void *)WIN, NR_VMAS * 2 * PAGE_SIZE);
	return median(t, reps);
}

static double model_cycle(int cycles, int reps)
{
	struct mm_struct *mm = mm_alloc();
	unsigned long addr = WIN + 16 * PAGE_SIZE;
	double t[16];
	int r, i;

	/* A neighbour two pages away keeps the PTE table alive. */
	sys_mmap(mm, WIN, PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL, 0);
	for (r = 0; r < reps; r++) {
		double t0 = now_ns();

		for (i = 0; i < cycles; i++) {
			uint64_t v = i;

			sys_mmap(mm, addr, PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				 NULL, 0);
			access_page(mm, addr, true, &v);
			sys_munmap(mm, addr, PAGE_SIZE);
		}
		t[r] = (now_ns() - t0) / cycles;
	}
	mmput(mm);
	return median(t, reps);
}

static double kernel_cycle(int cycles, int reps)
{
	char *addr = (char *)(WIN + 16 * PAGE_SIZE);
	double t[16];
	int r, i;

	if (mmap((void *)WIN, PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) ==
	    MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	*(volatile char *)WIN = 1;
	for (r = 0; r < reps; r++) {
		double t0 = now_ns();

		for (i = 0; i < cycles; i++) {
			char *p = mmap(addr, PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_FIXED_NOREPLACE, -1, 0);

			*(volatile char *)p = 1;
			munmap(p, PAGE_SIZE);
		}
		t[r] = (now_ns() - t0) / cycles;
	}
	munmap((void *)WIN, PAGE_SIZE);
	return median(t, reps);
}

/* 10,000 generations of fork-then-parent-exits: time and peak count. */
static void model_serial(int generations)
{
	struct mm_struct *mm = mm_alloc();
	struct kmem_cache_stats st;
	unsigned long peak = 0;
	double t0;
	int g, err;
	uint64_t v = 1;

	sys_mmap(mm, WIN, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL, 0);
	access_page(mm, WIN, true, &v);
	t0 = now_ns();
	for (g = 0; g < generations; g++) {
		struct mm_struct *child = dup_mm(mm, &err);

		mmput(mm);
		mm = child;
		access_page(mm, WIN + (g % 4) * PAGE_SIZE, true, &v);
		kmem_cache_get_stats(anon_vma_cachep, &st);
		if (st.live > peak)
			peak = st.live;
	}
	printf("serial forker: %d generations in %.1f ms, peak %lu anon_vmas for 1 VMA, "
	       "chain length %d at the end\n",
	       generations, (now_ns() - t0) / 1e6, peak,
	       mm->vmas[0] ? (int)({
		       struct anon_vma_chain *avc;
		       int n = 0;
		       list_for_each_entry(avc, &mm->vmas[0]->anon_vma_chain, same_vma)
			       n++;
		       n;
	       }) : 0);
	mmput(mm);
}

int main(int argc, char **argv)
{
	bool quick = false, model_only = false;
	int reps, cycles, i;
	double mf, kf = 0, mc, kc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--model-only")) {
			model_only = true;
		} else {
			fprintf(stderr, "usage: %s [--quick] [--model-only]\n", argv[0]);
			return 2;
		}
	}
	reps = quick ? 5 : 21;
	cycles = quick ? 10000 : 100000;

	if (anonvma_init(DESIGN_MAINLINE))
		return 1;
	printf("sizeof(struct anon_vma) = %zu (kernel: 96)\n", sizeof(struct anon_vma));
	printf("sizeof(struct anon_vma_chain) = %zu (kernel: 64)\n",
	       sizeof(struct anon_vma_chain));
	mf = model_fork(reps);
	if (!model_only)
		kf = kernel_fork(reps);
	mc = model_cycle(cycles, quick ? 3 : 5);
	if (!model_only)
		kc = kernel_cycle(cycles, quick ? 3 : 5);
	printf("%-44s %12s %12s %8s\n", "operation", "model ns", "kernel ns", "ratio");
	printf("%-44s %12.0f %12.0f %7.1fx\n",
	       "fork, 1000 write-faulted one-page VMAs", mf, kf, kf / mf);
	printf("%-44s %12.0f %12.0f %7.1fx\n",
	       "mmap + write + munmap of one page", mc, kc, kc / mc);
	model_serial(10000);
	return anonvma_exit(stderr) ? 1 : 0;
}
