/* SPDX-License-Identifier: MIT */
/*
 * Operator threads: each owns a family of up to FAMILY_MAX processes
 * and changes their address spaces the way programs do, through the
 * model's system calls, faults, fork and exit.  A child forked by one
 * operation is used by the following ones, so fork hierarchies (and
 * anon_vma hierarchies with them) grow, shrink and get reused while
 * walker threads run rmap walks over their folios.
 *
 * Every process is used by one thread at a time, but half of the forked
 * children are handed over to another operator (through a one-place
 * box per operator, see op_fork() and adopt()).  Then parent and child
 * live on in different threads, and the things they share are changed
 * concurrently: the root lock and trees of their anon_vma hierarchy
 * (one forks while the other unmaps or exits), the folios (both write:
 * COW copy against COW reuse) and the swap slots (both swap in).
 *
 * Any result an operation returns is accepted (the model may refuse an
 * mremap over a hole, fail an injected allocation, ...): correctness is
 * judged by the invariant checker at pauses, by the lock checks after
 * each operation, and by one end-to-end check a single thread can make
 * here: a value written to a page is read back unchanged, even though
 * walkers may swap the page out or migrate it in between.
 */
#include <stdlib.h>
#include <unistd.h>

#include "stress.h"

/* Relative weights of the operations an operator picks from. */
static const struct op_weight op_weights[] = {
	{ OP_WRITE, 30 },
	{ OP_READ, 10 },
	{ OP_MMAP, 6 },
	{ OP_MMAP_FILE, 3 },
	{ OP_MUNMAP, 5 },
	{ OP_MPROTECT, 10 },
	{ OP_MREMAP, 8 },
	{ OP_DONTNEED, 5 },
	{ OP_MADV_FLAGS, 3 },
	{ OP_FORK, 6 },
	{ OP_EXIT, 4 },
};

#define NR_WEIGHTS (sizeof(op_weights) / sizeof(op_weights[0]))

/* Per operator: a forked child handed over to it, or NULL; atomic. */
static struct mm_struct **inbox;
static int nr_operators;

/** operators_init() - empty hand-off boxes for @n operators; 0 or -ENOMEM. */
int operators_init(int n)
{
	inbox = calloc((size_t)n, sizeof(*inbox));
	nr_operators = n;
	return inbox ? 0 : -ENOMEM;
}

/**
 * operators_exit() - once every operator has ended, the children still
 * waiting in a box exit too.
 */
void operators_exit(void)
{
	int i;

	for (i = 0; i < nr_operators; i++)
		if (inbox[i])
			mmput(inbox[i]);
	free(inbox);
	inbox = NULL;
}

static unsigned long page_addr(unsigned long page)
{
	return STRESS_WIN + page * PAGE_SIZE;
}

static int family_slot(const struct thread_info *ti, int k)
{
	return ti->index * FAMILY_MAX + k;
}

/* A random range of 1..@max pages inside the window. */
static void pick_range(struct thread_info *ti, unsigned long max,
		       unsigned long *first, unsigned long *n)
{
	unsigned long room;

	*first = rng_below(&ti->rng, opts.pages);
	room = opts.pages - *first;
	*n = 1 + rng_below(&ti->rng, room < max ? room : max);
}

static unsigned long pick_prot(struct thread_info *ti)
{
	static const unsigned long prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_NONE, PROT_READ | PROT_WRITE | PROT_EXEC,
	};

	return prots[rng_below(&ti->rng, sizeof(prots) / sizeof(prots[0]))];
}

/*
 * A new process whose window is one private anonymous mapping (as after
 * exec).  The mapping may fail under fault injection; an empty process
 * is fine.
 */
static struct mm_struct *new_process(void)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return NULL;
	sys_mmap(mm, STRESS_WIN, opts.pages * PAGE_SIZE,
		 PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	return mm;
}

/**
 * operator_setup() - give operator @ti its first process and its file.
 * @ti: the operator, before its thread starts.
 *
 * Return: 0, or -ENOMEM.
 */
int operator_setup(struct thread_info *ti)
{
	struct mm_struct *mm = new_process();

	if (!mm)
		return -ENOMEM;
	proc_publish(family_slot(ti, 0), mm);
	ti->file = file_create(ti->name, opts.pages);
	return ti->file ? 0 : -ENOMEM;
}

/* Slots of the family: a random live one, or a free one (-1: none). */
static int pick_slot(struct thread_info *ti, bool live)
{
	int k, start = (int)rng_below(&ti->rng, FAMILY_MAX);

	for (k = 0; k < FAMILY_MAX; k++) {
		int slot = family_slot(ti, (start + k) % FAMILY_MAX);

		if ((proc_peek(slot) != NULL) == live)
			return slot;
	}
	return -1;
}

static int family_size(struct thread_info *ti)
{
	int k, n = 0;

	for (k = 0; k < FAMILY_MAX; k++)
		n += proc_peek(family_slot(ti, k)) != NULL;
	return n;
}

/*
 * Is @addr in a MAP_SHARED mapping of @mm?  Its pages are shared with
 * the processes it was forked to, which other operators may own now.
 */
static bool addr_is_shared(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	bool shared;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	shared = vma && (vma->vm_flags & VM_SHARED);
	mmap_read_unlock(mm);
	return shared;
}

/*
 * Write 1-4 consecutive pages, reading each back: the value must
 * survive whatever the walkers do to the page meanwhile (swap-out and
 * swap-in, migration to a new folio) and whatever the other operators
 * do to the processes that share it (copy-on-write).  Only a MAP_SHARED
 * page may legitimately change: another process may store to it.
 */
static bool op_write(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n, i;
	bool error = false;

	pick_range(ti, 4, &first, &n);
	for (i = 0; i < n; i++) {
		unsigned long addr = page_addr(first + i);
		uint64_t v = ((uint64_t)(ti->index + 1) << 48) | ++ti->token;
		uint64_t back = 0;
		vm_fault_t r;

		op_at(ti, mm, addr);
		r = access_page(mm, addr, true, &v);
		if (r) {
			error = true;
			continue;
		}
		r = access_page(mm, addr, false, &back);
		if (!r && back != v && !addr_is_shared(mm, addr))
			stress_fail("%s: mm#%lu page 0x%lx: wrote 0x%llx, read back 0x%llx",
				    ti->name, mm->serial, addr,
				    (unsigned long long)v,
				    (unsigned long long)back);
		if (r)
			error = true;
	}
	return error;
}

static bool op_read(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long addr = page_addr(rng_below(&ti->rng, opts.pages));
	uint64_t v;

	op_at(ti, mm, addr);
	return access_page(mm, addr, false, &v) != 0;
}

/* Private anonymous memory mostly; now and then shared anonymous (shmem). */
static bool op_mmap(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n, flags = MAP_ANONYMOUS | MAP_FIXED;

	pick_range(ti, 8, &first, &n);
	flags |= rng_below(&ti->rng, 8) ? MAP_PRIVATE : MAP_SHARED;
	return sys_mmap(mm, page_addr(first), n * PAGE_SIZE, pick_prot(ti),
			flags, NULL, 0) < 0;
}

/* A private (copy-on-write, anon_vma on write) or shared file mapping. */
static bool op_mmap_file(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n, pgoff;
	unsigned long flags = MAP_FIXED;

	pick_range(ti, 8, &first, &n);
	pgoff = rng_below(&ti->rng, opts.pages - n + 1);
	flags |= rng_below(&ti->rng, 4) ? MAP_PRIVATE : MAP_SHARED;
	return sys_mmap(mm, page_addr(first), n * PAGE_SIZE,
			PROT_READ | PROT_WRITE, flags, ti->file, pgoff) < 0;
}

static bool op_munmap(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n;

	pick_range(ti, 6, &first, &n);
	return sys_munmap(mm, page_addr(first), n * PAGE_SIZE) != 0;
}

static bool op_mprotect(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n;

	pick_range(ti, 8, &first, &n);
	return sys_mprotect(mm, page_addr(first), n * PAGE_SIZE,
			    pick_prot(ti)) != 0;
}

/*
 * Move a range elsewhere in the window (MREMAP_FIXED, sometimes
 * MREMAP_DONTUNMAP: the shapes of spec §6.6), or resize it in place.
 */
static bool op_mremap(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n, to, new_n, flags;
	long r;

	pick_range(ti, 4, &first, &n);
	if (rng_below(&ti->rng, 3) == 0) {
		/* In place: shrink, or grow only if the pages above are free. */
		new_n = 1 + rng_below(&ti->rng, n + 2);
		if (first + new_n > opts.pages)
			new_n = opts.pages - first;
		r = sys_mremap(mm, page_addr(first), n * PAGE_SIZE,
			       new_n * PAGE_SIZE, 0, 0);
		return r < 0;
	}
	flags = MREMAP_MAYMOVE | MREMAP_FIXED;
	new_n = n;
	if (rng_below(&ti->rng, 3) == 0)
		flags |= MREMAP_DONTUNMAP;
	else if (rng_below(&ti->rng, 4) == 0)
		new_n = n + 1;
	if (new_n > opts.pages)
		new_n = n;
	to = rng_below(&ti->rng, opts.pages - new_n + 1);
	/* The two ranges must not overlap (EINVAL): move above or below. */
	if (to < first + n && first < to + new_n) {
		if (first + n + new_n <= opts.pages)
			to = first + n;
		else if (first >= new_n)
			to = first - new_n;
		else
			return false;
	}
	r = sys_mremap(mm, page_addr(first), n * PAGE_SIZE, new_n * PAGE_SIZE,
		       flags, page_addr(to));
	return r < 0;
}

static bool op_dontneed(struct thread_info *ti, struct mm_struct *mm)
{
	unsigned long first, n;

	pick_range(ti, 8, &first, &n);
	return sys_madvise(mm, page_addr(first), n * PAGE_SIZE,
			   MADV_DONTNEED) != 0;
}

/* The advice that changes what fork copies (spec §3.9). */
static bool op_madv_flags(struct thread_info *ti, struct mm_struct *mm)
{
	static const int advice[] = {
		MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
	};
	unsigned long first, n;

	pick_range(ti, 8, &first, &n);
	return sys_madvise(mm, page_addr(first), n * PAGE_SIZE,
			   advice[rng_below(&ti->rng, 4)]) != 0;
}

/*
 * Fork @mm.  Half of the children go to another operator's box (if it
 * is empty), the others into a free slot of the family; a full family
 * keeps none.
 */
static bool op_fork(struct thread_info *ti, struct mm_struct *mm)
{
	int slot = pick_slot(ti, false);
	struct mm_struct *child, *none = NULL;
	int to = -1, err;

	if (nr_operators > 1 && rng_below(&ti->rng, 2)) {
		to = (ti->index + 1 +
		      (int)rng_below(&ti->rng, (unsigned long)nr_operators - 1)) %
		     nr_operators;
		if (__atomic_load_n(&inbox[to], __ATOMIC_RELAXED))
			to = -1;
	}
	if (to < 0 && slot < 0)
		return false;
	child = dup_mm(mm, &err);
	if (!child)
		return true;
	if (to >= 0 && __atomic_compare_exchange_n(&inbox[to], &none, child,
						   false, __ATOMIC_RELEASE,
						   __ATOMIC_RELAXED))
		return false;
	if (slot >= 0) {
		proc_publish(slot, child);
		return false;
	}
	mmput(child);	/* the box filled up meanwhile: the child exits */
	return false;
}

/* Take a child another operator handed over, if there is room for it. */
static void adopt(struct thread_info *ti)
{
	struct mm_struct *mm;
	int slot;

	if (!__atomic_load_n(&inbox[ti->index], __ATOMIC_RELAXED))
		return;
	slot = pick_slot(ti, false);
	if (slot < 0)
		return;
	op_begin(ti, OP_ADOPT);
	mm = __atomic_exchange_n(&inbox[ti->index], NULL, __ATOMIC_ACQUIRE);
	proc_publish(slot, mm);
	op_end(ti, OP_ADOPT, false);
}

/*
 * The process in @slot exits.  The last one of a family is replaced by
 * a new process, as if it had exec'd.
 */
static bool op_exit(struct thread_info *ti, int slot)
{
	bool last = family_size(ti) == 1;
	struct mm_struct *mm = proc_retire(slot);

	mmput(mm);
	if (last) {
		mm = new_process();
		if (!mm)
			return true;
		proc_publish(slot, mm);
	}
	return false;
}

/*
 * --inject-hang: the watchdog's self-test.  The operator takes the
 * mmap lock of one of its processes for write and never returns, like
 * a thread stuck in an operation; walkers that pick that process, and
 * then every thread at the next pause, wait behind it.
 */
static void hang_forever(struct thread_info *ti, struct mm_struct *mm)
{
	op_begin(ti, OP_MPROTECT);
	mmap_write_lock(mm);
	for (;;)
		pause();
}

static void one_op(struct thread_info *ti)
{
	struct mm_struct *mm;
	enum stress_op op;
	bool error = false;
	int slot;

	adopt(ti);
	slot = pick_slot(ti, true);
	if (slot < 0) {
		/* Every process failed to start (injected failures): retry. */
		op_begin(ti, OP_EXIT);
		mm = new_process();
		if (mm)
			proc_publish(family_slot(ti, 0), mm);
		op_end(ti, OP_EXIT, !mm);
		return;
	}
	mm = proc_peek(slot);
	if (opts.inject_hang && ti->index == 0 && ti->ops == 200)
		hang_forever(ti, mm);
	op = pick_weighted(&ti->rng, op_weights, NR_WEIGHTS);
	op_begin(ti, op);
	switch (op) {
	case OP_WRITE:
		error = op_write(ti, mm);
		break;
	case OP_READ:
		error = op_read(ti, mm);
		break;
	case OP_MMAP:
		error = op_mmap(ti, mm);
		break;
	case OP_MMAP_FILE:
		error = op_mmap_file(ti, mm);
		break;
	case OP_MUNMAP:
		error = op_munmap(ti, mm);
		break;
	case OP_MPROTECT:
		error = op_mprotect(ti, mm);
		break;
	case OP_MREMAP:
		error = op_mremap(ti, mm);
		break;
	case OP_DONTNEED:
		error = op_dontneed(ti, mm);
		break;
	case OP_MADV_FLAGS:
		error = op_madv_flags(ti, mm);
		break;
	case OP_FORK:
		error = op_fork(ti, mm);
		break;
	case OP_EXIT:
		error = op_exit(ti, slot);
		break;
	default:
		break;
	}
	op_end(ti, op, error);
}

/**
 * operator_main() - the body of an operator thread.
 * @arg: its struct thread_info.
 *
 * Runs operations until the run stops, parking at pauses, then every
 * process of the family exits.
 *
 * Return: NULL.
 */
void *operator_main(void *arg)
{
	struct thread_info *ti = arg;
	int k;

	lock_set_thread_name(ti->name);
	while (!stress_stopping()) {
		checkpoint(ti);
		if (stress_stopping())
			break;
		one_op(ti);
	}
	thread_leaves(ti);
	for (k = 0; k < FAMILY_MAX; k++) {
		struct mm_struct *mm = proc_retire(family_slot(ti, k));

		if (!mm)
			continue;
		op_begin(ti, OP_EXIT);
		mmput(mm);
		op_end(ti, OP_EXIT, false);
	}
	return NULL;
}
