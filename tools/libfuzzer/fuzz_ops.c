/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness 2: the fuzzer's bytes as a program of operations
 * run on the model through its public C API (include/anonvma).
 *
 * A few processes act on a small window of address space, so that
 * almost every operation meets mappings made by earlier ones: splits,
 * merges, moves, COW after fork, swap and migration walks over shared
 * anon_vma hierarchies.  After every operation the whole model must
 * pass the invariant checker (spec §4), hold no lock and have fired no
 * WARN_ON; every load must return what the contents oracle (shadow.c)
 * knows the process stored; an operation that an injected allocation
 * failure made fail must return the kernel's errno; at the end of each
 * input every process exits and anonvma_exit() must find nothing
 * leaked.  Any of these failing aborts, which is what makes libFuzzer
 * (or AFL++) record the input.
 *
 * The encoding is in ops.h.  Running the harness with the environment
 * variable FUZZ_OPS_TRACE=1 on an input prints the program as a scenario
 * (docs/scenario-language.md) that `anonvma run` replays wherever the
 * scenario language can say the same thing (trace.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anonvma/anonvma.h>

#include "common.h"
#include "failinject.h"
#include "ops.h"

/* The state of one input; reset at its start (libFuzzer runs in-process). */
static struct ops_state S;
static bool trace_on;

/* A property is broken: say which and after what, then abort. */
static void __attribute__((noreturn)) ops_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "fuzz_ops: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, "fuzz_ops: rerun with FUZZ_OPS_TRACE=1 to print the program as a scenario\n");
	abort();
}

/* Invariants, held locks and WARNs after operation @opno. */
static void check_all(struct ops_state *st, int opno)
{
	static struct check_report rep;
	int n = check_invariants(&rep);
	int held = locks_held_count();
	unsigned long warns = vm_warn_count() - st->warns;

	if (!n && !held && !warns)
		return;
	fflush(stdout);		/* the trace up to here first */
	check_report_print(&rep, "fuzz_ops:   ", stderr);
	ops_die("after operation %d: %d invariant violations, %d locks held, %lu WARN_ONs",
		opno, n, held, warns);
}

static unsigned long page_addr(unsigned long page)
{
	return OPS_WIN_BASE + page * PAGE_SIZE;
}

/* A new process in slot @p: an empty mm with its heap at OPS_BRK_PAGE. */
static int proc_new(struct ops_state *st, int p)
{
	struct mm_struct *mm;

	st->gen[p]++;		/* a new name even if creation fails */
	mm = mm_alloc();
	if (!mm)
		return -ENOMEM;
	mm_set_brk_base(mm, page_addr(OPS_BRK_PAGE));
	st->mm[p] = mm;
	return 0;
}

static void proc_exit(struct ops_state *st, int p)
{
	mmput(st->mm[p]);
	st->mm[p] = NULL;
}

static long do_mmap(struct ops_state *st, const struct ops_rec *r,
		    struct ops_call *c)
{
	struct mm_struct *mm = st->mm[r->p];

	c->addr = page_addr(r->a);
	c->len = (unsigned long)r->n * PAGE_SIZE;
	c->prot = r->f & 7;
	c->flags = (r->f & 8) ? MAP_SHARED : MAP_PRIVATE;
	c->file = (r->g & 4) ? st->file : NULL;
	if (!c->file)
		c->flags |= MAP_ANONYMOUS;
	switch (r->g & 3) {
	case 0:
		c->flags |= MAP_FIXED;
		break;
	case 1:
		c->flags |= MAP_FIXED_NOREPLACE;
		break;
	case 2:
		break;		/* a hint */
	default:
		c->addr = 0;	/* anywhere */
		break;
	}
	if (r->g & 8)
		c->flags |= MAP_NORESERVE;
	if (r->g & 16)
		c->len -= 100;	/* the kernel rounds the length up */
	if (r->g & 32)
		c->len = 0;	/* EINVAL */
	c->pgoff = c->file ? r->h : 0;
	return ops_addr_result(sys_mmap(mm, c->addr, c->len, c->prot,
					c->flags, c->file, c->pgoff), c);
}

/* The start and length of a range operation, with the odd-input bits of g. */
static void range_args(const struct ops_rec *r, struct ops_call *c)
{
	c->addr = page_addr(r->a) + ((r->g & 1) ? 1 : 0);
	c->len = (unsigned long)r->n * PAGE_SIZE;
	if (r->g & 2)
		c->len = 0;
	else if (r->g & 4)
		c->len -= 100;
}

static const int advice_table[8] = {
	MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
	MADV_KEEPONFORK, MADV_DONTNEED, MADV_DONTFORK, 1000 /* EINVAL */,
};

/*
 * Loads and stores page by page; like a scenario's `read`/`write`, the
 * first page that faults with an error stops the operation.  Each load
 * is checked against the contents oracle (shadow.c); a wrong one stops
 * the operation too, with c->bad_load set, for step() to report once
 * the trace has the operation.
 */
static long do_access(struct ops_state *st, const struct ops_rec *r,
		      struct ops_call *c, bool write)
{
	c->addr = page_addr(r->a);
	c->len = (unsigned long)r->n * PAGE_SIZE;
	for (c->done = 0; c->done < r->n; c->done++) {
		unsigned long i = c->done, addr = c->addr + i * PAGE_SIZE;
		uint64_t v = ops_token(st->opno, r->a + i);
		vm_fault_t f;

		f = access_page(st->mm[r->p], addr, write, &v);
		if (f & VM_FAULT_ERROR)
			return ops_fault_result(f);
		if (write) {
			ops_shadow_store(st, (int)r->p, addr, v);
		} else if (!ops_shadow_load(st, (int)r->p, addr, v, &c->want[i],
					    &c->want_known[i])) {
			c->bad_load = true;
			c->got = v;
			c->done++;
			return 0;
		}
	}
	return 0;
}

static bool count_one(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, void *arg)
{
	return true;
}

/*
 * swapout, migrate, referenced, rmap on the folio at each page; pages
 * without one are skipped and the first failure stops, as in a scenario.
 */
static long do_folio_op(struct ops_state *st, const struct ops_rec *r,
			struct ops_call *c)
{
	struct mm_struct *mm = st->mm[r->p];
	unsigned long i;

	c->addr = page_addr(r->a);
	c->len = (unsigned long)r->n * PAGE_SIZE;
	for (i = 0; i < r->n; i++) {
		struct folio *folio = folio_at(mm, c->addr + i * PAGE_SIZE);
		struct folio *new = NULL;
		struct walk_stats ws = { 0, 0 };
		struct rmap_walk_control rwc = {
			.rmap_one = count_one,
			.anon_lock = folio_lock_anon_vma_read,
		};
		int ret = 0;

		if (!folio)
			continue;
		switch (r->op) {
		case OP_SWAPOUT:
			ret = reclaim_folio(folio, r->f & 1, &ws);
			break;
		case OP_MIGRATE:
			ret = migrate_folio_to_new(folio, &new, &ws);
			if (new)
				folio_put(new);
			break;
		default:
			if (r->f & 1) {
				folio_referenced(folio, &ws);
			} else {
				folio_lock(folio);
				rmap_walk(folio, &rwc);
				folio_unlock(folio);
			}
			break;
		}
		folio_put(folio);
		if (ret)
			return ret;
	}
	return 0;
}

static long do_mremap(struct ops_state *st, const struct ops_rec *r,
		      struct ops_call *c)
{
	c->addr = page_addr(r->a) + ((r->g & 2) ? 1 : 0);
	c->len = (r->g & 1) ? 0 : (unsigned long)r->n * PAGE_SIZE;
	c->new_len = ((unsigned long)r->h + 1) * PAGE_SIZE;
	c->flags = r->f;	/* MAYMOVE 1, FIXED 2, DONTUNMAP 4, 8: invalid */
	c->new_addr = page_addr(r->k);
	return ops_addr_result(sys_mremap(st->mm[r->p], c->addr, c->len,
					  c->new_len, c->flags, c->new_addr), c);
}

static long do_brk(struct ops_state *st, const struct ops_rec *r,
		   struct ops_call *c)
{
	struct mm_struct *mm = st->mm[r->p];
	unsigned long ret;

	c->old_brk = mm->brk;
	c->addr = page_addr(r->a + ((r->h & 1) ? 16 : 0)) +
		  ((r->g & 1) ? 123 : 0);
	ret = sys_brk(mm, c->addr);
	/* brk(2) answers with the new break, or the old one when refused. */
	return ret == PAGE_ALIGN(c->addr) ? 0 : -ENOMEM;
}

/* fork into the first free slot after @p; none free: nothing happens. */
static long do_fork(struct ops_state *st, const struct ops_rec *r,
		    struct ops_call *c)
{
	struct mm_struct *child;
	int q, err = 0;

	for (q = 0; q < OPS_NPROCS; q++)
		if (!st->mm[(r->p + 1 + q) % OPS_NPROCS])
			break;
	if (q == OPS_NPROCS)
		return OPS_SKIPPED;
	q = (r->p + 1 + q) % OPS_NPROCS;
	c->child = q;
	/*
	 * The model has no pin_user_pages(); a process that pinned pages
	 * once is marked for good, and fork must then copy its exclusive
	 * anonymous pages rather than share them (copy_present_page()).
	 */
	if (r->f & 1)
		__atomic_or_fetch(&st->mm[r->p]->flags, MMF_HAS_PINNED,
				  __ATOMIC_RELAXED);
	st->gen[q]++;		/* a new name even if the fork fails */
	child = dup_mm(st->mm[r->p], &err);
	if (!child)
		return err ? err : -ENOMEM;
	st->mm[q] = child;
	return 0;
}

/* Run record @r; returns 0, a negative errno, a fault result or OPS_SKIPPED. */
static long run_op(struct ops_state *st, const struct ops_rec *r,
		   struct ops_call *c)
{
	struct mm_struct *mm = st->mm[r->p];

	if (!mm && r->op != OP_MMAP && r->op != OP_EXEC)
		return OPS_SKIPPED;
	switch (r->op) {
	case OP_MMAP:
		if (!mm) {
			int ret = proc_new(st, r->p);

			c->created = true;
			if (ret)
				return ret;
		}
		return do_mmap(st, r, c);
	case OP_MUNMAP:
		range_args(r, c);
		return sys_munmap(mm, c->addr, c->len);
	case OP_MPROTECT:
		range_args(r, c);
		c->prot = r->f & 7;
		return sys_mprotect(mm, c->addr, c->len, c->prot);
	case OP_MREMAP:
		return do_mremap(st, r, c);
	case OP_MADVISE:
		range_args(r, c);
		c->advice = advice_table[r->f & 7];
		return sys_madvise(mm, c->addr, c->len, c->advice);
	case OP_READ:
	case OP_WRITE:
		return do_access(st, r, c, r->op == OP_WRITE);
	case OP_FORK:
		return do_fork(st, r, c);
	case OP_EXIT:
		proc_exit(st, r->p);
		return 0;
	case OP_SWAPOUT:
	case OP_MIGRATE:
	case OP_RMAP:
		return do_folio_op(st, r, c);
	case OP_BRK:
		return do_brk(st, r, c);
	case OP_EXEC:
		/* exec: the old address space goes, a new empty one comes. */
		if (mm)
			proc_exit(st, r->p);
		c->created = true;
		return proc_new(st, r->p);
	default:
		return OPS_SKIPPED;	/* OP_FAIL and OP_MAPCOUNT: see below */
	}
}

/** LLVMFuzzerInitialize() - read FUZZ_OPS_TRACE and the configuration once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("FUZZ_OPS_TRACE");
	static char outbuf[1 << 16];

	trace_on = t && *t && strcmp(t, "0");
	/*
	 * A buffer stdio would otherwise malloc during the first input and
	 * keep: libFuzzer would take it for a leak and run the input again.
	 */
	if (trace_on)
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	fuzz_config_init("fuzz_ops");
	return 0;
}

/*
 * libFuzzer runs an input a second time when it allocated more than it
 * freed (the model keeps its swap map until the next anonvma_init()),
 * to look for leaks; the trace of that second run would be a duplicate.
 */
static bool trace_this_input(const uint8_t *data, size_t size)
{
	static uint64_t last_hash;
	static size_t last_size = (size_t)-1;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	if (h == last_hash && size == last_size)
		return false;
	last_hash = h;
	last_size = size;
	return true;
}

/*
 * An operation that failed after an injected allocation failure must
 * fail the way the kernel's does: a fault with VM_FAULT_OOM, madvise
 * with EAGAIN (madvise_vma_behavior() turns -ENOMEM into -EAGAIN), every
 * other call with ENOMEM.  A failed GFP_NOWAIT allocation is retried
 * (6.18's anon_vma_clone()), so an operation whose failures were all
 * such may still fail for a reason of its own, a hole in its range.
 */
static void check_injected(const struct ops_state *st, const struct ops_rec *r,
			   long ret)
{
	long want;

	if (!st->fail_hard || !ret || ret == OPS_SKIPPED)
		return;
	if (r->op == OP_READ || r->op == OP_WRITE)
		want = OPS_OOM;
	else if (r->op == OP_MADVISE)
		want = -EAGAIN;
	else
		want = -ENOMEM;
	if (ret != want)
		ops_die("operation %d failed with %ld after an injected allocation failure, the kernel fails with %ld",
			st->opno, ret, want);
}

/* Run record @r with the `fail` armed for it, if any, and check after. */
static void step(struct ops_state *st, const struct ops_rec *r, bool trace)
{
	struct ops_call c;
	unsigned long injected = st->fi.injected;
	unsigned long nowait = st->fi.injected_nowait;
	long ret;

	memset(&c, 0, sizeof(c));
	c.child = -1;
	c.had_mm = st->mm[r->p] != NULL;
	c.old_gen = st->gen[r->p];
	if (r->op == OP_FAIL) {
		/* For the next operation only, as a scenario's `fail` line. */
		st->fail_pending = true;
		st->fail_cache = r->f < NR_FI_CACHES ? (int)r->f : FI_ANY;
		st->fail_nth = r->n;
		return;
	}
	if (r->op == OP_MAPCOUNT) {
		sysctl_max_map_count = r->f ? (int)(r->f + (r->g & 3) * 16) :
					      DEFAULT_MAX_MAP_COUNT;
		if (trace)
			ops_trace(stdout, st, r, &c, 0);
		return;
	}
	st->fail_used = st->fail_pending;
	st->fail_pending = false;
	if (st->fail_used)
		fi_arm_step(&st->fi, (enum fi_cache)st->fail_cache,
			    st->fail_nth);
	st->fi.armed = true;
	ret = run_op(st, r, &c);
	st->fi.armed = false;
	fi_arm_step(&st->fi, FI_ANY, 0);
	st->fail_fired = st->fi.injected != injected;
	st->fail_hard = fi_hard_failures(&st->fi, injected, nowait) != 0;
	ops_shadow_after(st, r, &c, ret);
	if (trace)
		ops_trace(stdout, st, r, &c, ret);
	if (c.bad_load)
		ops_die("operation %d: process %u read 0x%llx at window page %lu, expected 0x%llx",
			st->opno, r->p, (unsigned long long)c.got,
			r->a + c.done - 1,
			(unsigned long long)c.want[c.done - 1]);
	check_injected(st, r, ret);
	if (ret != OPS_SKIPPED)
		check_all(st, st->opno);
}

/**
 * LLVMFuzzerTestOneInput() - run one input as an operation program.
 * @data: byte 0 selects the design, then OPS_REC_SIZE bytes per operation.
 * @size: its length.
 *
 * Return: 0 (the harness aborts on any finding).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_state *st = &S;
	bool trace = trace_on && trace_this_input(data, size);
	enum anonvma_design design;
	unsigned long leaks;
	size_t off;
	int p;

	if (size < 1)
		return 0;
	memset(st, 0, sizeof(*st));
	design = fuzz_config.designs[data[0] % fuzz_config.ndesigns];
	/* Global knobs the previous input may have turned. */
	anonvma_bugs = 0;
	sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	slab_set_fail_hook(NULL, NULL);
	if (anonvma_init(design))
		ops_die("anonvma_init failed (previous input not torn down?)");
	anonvma_bugs = fuzz_config.bugs;
	st->warns = vm_warn_count();
	st->file = file_create("F0", OPS_FILE_PAGES);
	if (!st->file)
		ops_die("out of memory creating the file");
	fi_init(&st->fi);
	fi_install(&st->fi);
	if (trace)
		ops_trace_begin(stdout, design);

	for (off = 1; off + OPS_REC_SIZE <= size && st->opno < OPS_MAX_OPS;
	     off += OPS_REC_SIZE) {
		struct ops_rec r;

		ops_decode(data + off, &r);
		st->opno++;
		step(st, &r, trace);
	}

	/* Every process exits, the file goes, and nothing may be left. */
	fi_install(NULL);
	for (p = 0; p < OPS_NPROCS; p++)
		if (st->mm[p])
			proc_exit(st, p);
	fput(st->file);
	check_all(st, st->opno + 1);
	if (trace)
		ops_trace_end(stdout);
	leaks = anonvma_exit(stderr);
	sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	anonvma_bugs = 0;
	if (leaks)
		ops_die("%lu objects or swap slots leaked at anonvma_exit()",
			leaks);
	if (vm_warn_count() != st->warns)
		ops_die("WARN_ON fired at teardown");
	return 0;
}
