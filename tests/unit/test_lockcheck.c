/* SPDX-License-Identifier: MIT */
/*
 * The lock checking of the model, seen from the model's own objects and
 * entry points (tests/unit/test_locking.c tests the lock primitives).
 *
 * - Lock order (spec §1.7): each inversion of mmap lock -> folio lock ->
 *   VMA write lock -> anon_vma root -> page-table lock, made through the
 *   real lock helpers of real processes, is reported with its rule; the
 *   kernel's order and trylocks are not; and every path of the model
 *   (fork, faults, splits, merges, mremap, swap, migration) follows it.
 * - Assertions where the kernel asserts (spec §4.3, rules L1-L5): an
 *   internal function called without the lock it needs reports the
 *   kernel's assertion by name.
 * - "Lock still held when an operation returns": the historical bug
 *   clone-no-unlock (spec §6.8) plus one injected allocation failure
 *   leaves the anon_vma root locked; the scenario executor's check
 *   after each step catches it, and the same run without the bug passes.
 *
 * Tests with several threads are in tests/unit/test_lockthreads.c.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "internal.h"
#include "vma.h"
#include "exec.h"

/* ---- violation recorder -------------------------------------------- */

#define MAX_REC 32
static const char *rules[MAX_REC];
static const void *rule_locks[MAX_REC];
static int nrules;

static void record(const char *rule, const void *lock)
{
	if (nrules < MAX_REC) {
		rules[nrules] = rule;
		rule_locks[nrules] = lock;
	}
	nrules++;
}

/* Exactly @n violations were reported since the last reset, these ones. */
static void assert_rules(const char *const *want, int n)
{
	int i;

	for (i = 0; i < nrules && i < MAX_REC; i++)
		if (i >= n || strcmp(rules[i], want[i]))
			print_error("violation %d: %s\n", i, rules[i]);
	assert_int_equal(nrules, n);
	for (i = 0; i < n; i++)
		assert_string_equal(rules[i], want[i]);
}

#define ASSERT_RULES(...)						\
	assert_rules((const char *const[]){ __VA_ARGS__ },		\
		     (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / \
			   sizeof(const char *)))

static int setup_design(enum anonvma_design design)
{
	tl_setup(design);
	nrules = 0;
	lock_set_violation_hook(record);
	return 0;
}

static int setup(void **state)
{
	return setup_design(DESIGN_MAINLINE);
}

static int setup_v6_18(void **state)
{
	return setup_design(DESIGN_V6_18);
}

/* The teardown runs with the default handler: it must break no rule. */
static int teardown(void **state)
{
	lock_set_violation_hook(NULL);
	anonvma_bugs = 0;
	tl_teardown();
	return 0;
}

/* ---- lock order (spec §1.7) ----------------------------------------- */

static void test_order_mmap_after_root(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct anon_vma *av = tl_anon(mm, 0);

	anon_vma_lock_write(av);
	mmap_read_lock(mm);
	ASSERT_RULES("lock order: MMAP after ANON_VMA");
	assert_ptr_equal(rule_locks[0], &mm->mmap_lock);
	mmap_read_unlock(mm);
	anon_vma_unlock_write(av);
	assert_int_equal(nrules, 1);
}

static void test_order_folio_after_ptl(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct folio *f = tl_folio(mm, 1);

	spin_lock(&mm->page_table_lock);
	folio_lock(f);
	ASSERT_RULES("lock order: FOLIO after PTL");
	assert_ptr_equal(rule_locks[0], f);
	folio_unlock(f);
	spin_unlock(&mm->page_table_lock);
}

static void test_order_folio_after_root(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct folio *f = tl_folio(mm, 0);
	struct anon_vma *av = tl_anon(mm, 0);

	anon_vma_lock_read(av);
	folio_lock(f);
	ASSERT_RULES("lock order: FOLIO after ANON_VMA");
	folio_unlock(f);
	anon_vma_unlock_read(av);
}

static void test_order_root_after_ptl(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct anon_vma *av = tl_anon(mm, 0);

	spin_lock(&mm->page_table_lock);
	anon_vma_lock_read(av);
	ASSERT_RULES("lock order: ANON_VMA after PTL");
	assert_ptr_equal(rule_locks[0], &av->root->rwsem);
	anon_vma_unlock_read(av);
	spin_unlock(&mm->page_table_lock);
}

/* The VMA write lock comes before the anon_vma root and the PTL. */
static void test_order_vma_after_root_and_ptl(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct vm_area_struct *vma = tl_vma(mm, 0);
	struct anon_vma *av = tl_anon(mm, 0);

	mmap_write_lock(mm);
	anon_vma_lock_write(av);
	vma_start_write(vma);
	ASSERT_RULES("lock order: VMA after ANON_VMA");
	assert_ptr_equal(rule_locks[0], vma);
	anon_vma_unlock_write(av);

	spin_lock(&mm->page_table_lock);
	vma_start_write(vma);
	spin_unlock(&mm->page_table_lock);
	mmap_write_unlock(mm);
	ASSERT_RULES("lock order: VMA after ANON_VMA",
		     "lock order: VMA after PTL");
	/* Not recorded as held: released with the mmap lock. */
	assert_int_equal(locks_held_count(), 0);
}

/* Two hierarchies' roots, or two mms, nest only with annotation. */
static void test_order_same_class_twice(void **state)
{
	struct mm_struct *a = tl_faulted_mm(), *b = tl_faulted_mm();
	struct anon_vma *ava = tl_anon(a, 0), *avb = tl_anon(b, 0);

	assert_ptr_not_equal(ava->root, avb->root);
	anon_vma_lock_write(ava);
	anon_vma_lock_read(avb);
	anon_vma_unlock_read(avb);
	anon_vma_unlock_write(ava);
	mmap_write_lock(a);
	mmap_read_lock(b);
	mmap_read_unlock(b);
	/* dup_mm()'s way: the child's lock nested in the parent's. */
	mmap_write_lock_nested(b);
	mmap_write_unlock(b);
	mmap_write_unlock(a);
	ASSERT_RULES("lock order: ANON_VMA after ANON_VMA",
		     "lock order: MMAP after MMAP");
}

/* The whole kernel order in one go, and trylocks against it. */
static void test_order_kernel_sequence_clean(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct vm_area_struct *vma = tl_vma(mm, 0);
	struct folio *f = tl_folio(mm, 2), *g = tl_folio(mm, 3);
	struct anon_vma *av = tl_anon(mm, 0);

	mmap_write_lock(mm);
	folio_lock(f);
	vma_start_write(vma);
	anon_vma_lock_write(av);
	spin_lock(&mm->page_table_lock);
	assert_int_equal(locks_held_count(), 4);
	/* do_wp_page(): a folio trylock under the PTE lock is fine. */
	assert_true(folio_trylock(g));
	folio_unlock(g);
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(av);
	folio_unlock(f);
	mmap_write_unlock(mm);

	spin_lock(&mm->page_table_lock);
	assert_true(anon_vma_trylock_read(av));
	anon_vma_unlock_read(av);
	spin_unlock(&mm->page_table_lock);
	assert_int_equal(nrules, 0);
}

/*
 * Every path of the model follows the order and its own assertions:
 * a run over all of them reports nothing.
 */
static void test_model_paths_clean(void **state)
{
	struct mm_struct *p = tl_faulted_mm(), *c, *g;
	struct folio *f, *nf;

	c = tl_fork(p);
	tl_write(c, 1);				/* COW copy */
	tl_write(p, 0);				/* COW reuse, folio_move_anon_rmap */
	tl_mprotect(p, 1, 1, PROT_READ);	/* split */
	tl_mprotect(p, 1, 1, RW);		/* merge */
	assert_int_equal(sys_mremap(p, PG(2), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				    MREMAP_MAYMOVE | MREMAP_FIXED |
				    MREMAP_DONTUNMAP, PG(8)), (long)PG(8));
	assert_int_equal(sys_madvise(c, PG(0), PAGE_SIZE, MADV_DONTNEED), 0);
	f = folio_at(c, PG(2));
	assert_non_null(f);
	assert_int_equal(reclaim_folio(f, true, NULL), 0);
	folio_put(f);
	tl_read(c, 2);				/* swap-in from the cache */
	f = folio_at(c, PG(3));
	assert_non_null(f);
	folio_referenced(f, NULL);
	assert_int_equal(migrate_folio_to_new(f, &nf, NULL), 0);
	folio_put(nf);
	folio_put(f);
	g = tl_fork(c);
	assert_int_equal(sys_munmap(c, PG(0), 2 * PAGE_SIZE), 0);
	tl_exit(c);
	tl_write(g, 3);
	tl_check();
	assert_int_equal(nrules, 0);
}

/* ---- assertions where the kernel asserts (spec §4.3) ---------------- */

/* __anon_vma_prepare(): mmap_assert_locked (read is enough). */
static void test_assert_prepare(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct vm_area_struct *a, *b;

	tl_map(mm, 0, 2, RW);
	tl_map(mm, 4, 2, PROT_READ);
	a = tl_vma(mm, 0);
	b = tl_vma(mm, 4);
	assert_int_equal(__anon_vma_prepare(a), 0);
	ASSERT_RULES("mmap_assert_locked");
	assert_ptr_equal(rule_locks[0], mm);
	assert_non_null(a->anon_vma);

	mmap_read_lock(mm);
	assert_int_equal(__anon_vma_prepare(b), 0);
	mmap_read_unlock(mm);
	assert_int_equal(nrules, 1);
	assert_non_null(b->anon_vma);
	tl_check();
}

/* unlink_anon_vmas(): mmap_assert_locked. */
static void test_assert_unlink(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct vm_area_struct *vma = tl_vma(mm, 0);

	/* Zapped first, so the VMA may be left unfaulted afterwards. */
	assert_int_equal(sys_madvise(mm, PG(0), 4 * PAGE_SIZE, MADV_DONTNEED), 0);
	unlink_anon_vmas(vma);
	ASSERT_RULES("mmap_assert_locked");
	assert_null(vma->anon_vma);
	assert_int_equal(tl_chain_len(vma), 0);
	assert_int_equal(tl_live(anon_vma_cachep), 0);
	tl_check();
}

/*
 * anon_vma_clone(): mmap_assert_write_locked first (check_anon_vma_clone),
 * then __split_vma()'s two vma_start_write() each assert it too.
 */
static void test_assert_clone_needs_write_lock(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct vm_area_struct *vma = tl_vma(mm, 0);

	mmap_read_lock(mm);
	assert_int_equal(split_vma(vma, PG(2), 0), 0);
	mmap_read_unlock(mm);
	ASSERT_RULES("mmap_assert_write_locked", "mmap_assert_write_locked",
		     "mmap_assert_write_locked");
	assert_ptr_equal(rule_locks[0], mm);
	assert_int_equal(tl_vmas(mm), 2);
	tl_check();
}

/*
 * Rule L1: a tree changes only under the root WRITE lock; one report
 * per chain taken out of (or put back into) a tree.
 */
static void test_assert_tree_change_needs_root_write(void **state)
{
	struct mm_struct *p = tl_faulted_mm(), *c = tl_fork(p);
	struct vm_area_struct *vma = tl_vma(c, 0);
	struct anon_vma *av = vma->anon_vma;

	assert_int_equal(tl_chain_len(vma), 2);
	anon_vma_interval_tree_pre_update_vma(vma);
	ASSERT_RULES("anon_vma root not write-locked",
		     "anon_vma root not write-locked");
	assert_ptr_equal(rule_locks[0], tl_chain_at(vma, 0));
	assert_ptr_equal(rule_locks[1], tl_chain_at(vma, 1));

	anon_vma_lock_read(av);
	anon_vma_interval_tree_post_update_vma(vma);
	anon_vma_unlock_read(av);
	assert_int_equal(nrules, 4);

	anon_vma_lock_write(av);
	anon_vma_interval_tree_pre_update_vma(vma);
	anon_vma_interval_tree_post_update_vma(vma);
	anon_vma_unlock_write(av);
	assert_int_equal(nrules, 4);
	tl_check();
}

/* vma_assert_write_locked(): set by vma_start_write(), ended by the unlock. */
static void test_assert_vma_write_lock(void **state)
{
	struct mm_struct *mm = tl_mm();
	struct vm_area_struct *vma;

	tl_map(mm, 0, 2, RW);
	vma = tl_vma(mm, 0);
	mmap_write_lock(mm);
	vma_assert_write_locked(vma);
	ASSERT_RULES("vma_assert_write_locked");
	assert_ptr_equal(rule_locks[0], vma);
	vma_start_write(vma);
	vma_assert_write_locked(vma);
	assert_int_equal(nrules, 1);
	mmap_write_unlock(mm);

	mmap_write_lock(mm);
	vma_assert_write_locked(vma);	/* released by the unlock */
	vma_start_write(vma);
	mmap_write_downgrade(mm);
	vma_assert_write_locked(vma);	/* and by a downgrade */
	mmap_read_unlock(mm);
	vma_start_write(vma);		/* needs the mmap write lock */
	ASSERT_RULES("vma_assert_write_locked", "vma_assert_write_locked",
		     "vma_assert_write_locked", "mmap_assert_write_locked");
}

static void test_assert_mmap_lock(void **state)
{
	struct mm_struct *mm = tl_mm();

	mmap_assert_locked(mm);
	mmap_read_lock(mm);
	mmap_assert_locked(mm);
	mmap_assert_write_locked(mm);
	mmap_read_unlock(mm);
	mmap_write_lock(mm);
	mmap_assert_locked(mm);
	mmap_assert_write_locked(mm);
	mmap_write_unlock(mm);
	ASSERT_RULES("mmap_assert_locked", "mmap_assert_write_locked");
}

/* ---- rules that stop the process: run them in a child ---------------- */

/*
 * Run @fn in a forked child with stderr captured into @buf; returns the
 * wait status.  The child inherits the model as it is.
 */
static int in_child(void (*fn)(void *), void *arg, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		dup2(fds[1], 2);
		close(fds[0]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while (len < size - 1 &&
	       (n = read(fds[0], buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * Rule L5: put_anon_vma() of the last reference while holding the
 * root: anon_vma_free() must take that lock (L4) and the thread would
 * wait for itself.  The checker stops the run instead of hanging.
 */
static void put_under_root_lock(void *arg)
{
	struct anon_vma *av = arg;

	lock_set_violation_hook(NULL);
	anon_vma_lock_write(av);
	put_anon_vma(av);
}

static void test_l5_put_under_root_lock_dies(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct anon_vma *av = tl_anon(mm, 0);
	char buf[4096];
	int status;

	get_anon_vma(av);
	assert_int_equal(sys_munmap(mm, PG(0), 4 * PAGE_SIZE), 0);
	/* Only our reference keeps it now. */
	assert_int_equal(__atomic_load_n(&av->refcount, __ATOMIC_RELAXED), 1);
	status = in_child(put_under_root_lock, av, buf, sizeof(buf));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "self-deadlock: lock already held by this thread"));
	assert_non_null(strstr(buf, "ANON_VMA write"));
	put_anon_vma(av);
}

/* folio_lock_anon_vma_read() and folio_get_anon_vma() need the folio lock. */
static void walk_unlocked_folio(void *arg)
{
	struct folio *f = arg;
	unsigned long before = vm_warn_count();
	struct anon_vma *av = folio_lock_anon_vma_read(f, NULL);

	if (av)
		anon_vma_unlock_read(av);
	av = folio_get_anon_vma(f);
	if (av)
		put_anon_vma(av);
	_exit((int)(vm_warn_count() - before));
}

static void test_walk_needs_folio_lock(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	char buf[4096];
	int status;

	status = in_child(walk_unlocked_folio, tl_folio(mm, 0), buf,
			  sizeof(buf));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(buf, "!folio_test_locked(folio)"));
}

/* ---- a lock still held when an operation returns (spec §6.8) -------- */

static int clone_allocs;

/* Fail the first anon_vma_chain allocation of anon_vma_clone(). */
static bool fail_first_clone(const struct kmem_cache *c, enum alloc_site site,
			     void *arg)
{
	return site == SITE_CLONE && clone_allocs++ == 0;
}

/*
 * Split a faulted VMA with the clone's allocation failing: -ENOMEM and
 * nothing changed.  Returns the number of locks the caller holds after.
 */
static int split_with_failed_clone(struct mm_struct *mm)
{
	clone_allocs = 0;
	slab_set_fail_hook(fail_first_clone, NULL);
	assert_int_equal(sys_mprotect(mm, PG(1), PAGE_SIZE, PROT_READ), -ENOMEM);
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(clone_allocs, 1);
	return locks_held_count();
}

static void test_clone_failure_releases_root(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();

	assert_int_equal(split_with_failed_clone(mm), 0);
	assert_int_equal(tl_vmas(mm), 1);
	tl_check();
}

/* The bug switch re-creates the version the seeds' review caught. */
static void test_clone_no_unlock_leaves_root_held(void **state)
{
	struct mm_struct *mm = tl_faulted_mm();
	struct anon_vma *av = tl_anon(mm, 0);

	anonvma_bugs = 1UL << BUG_CLONE_NO_UNLOCK;
	assert_int_equal(split_with_failed_clone(mm), 1);
	assert_true(rwsem_is_write_owner(&av->root->rwsem));
	/* Anyone else locking this hierarchy would now wait for ever. */
	anon_vma_unlock_write(av);
	anonvma_bugs = 0;
	assert_int_equal(locks_held_count(), 0);
	assert_int_equal(tl_vmas(mm), 1);
	assert_int_equal(nrules, 0);
	tl_check();
}

/* The same shape as a scenario, run by the model executor with --check. */
static const char clone_scn[] =
	"region A 0 4\n"
	"proc P\n"
	"P mmap A rw\n"
	"P write A\n"
	"P mprotect A[1] r\n"
	"expect errno ENOMEM\n";

/*
 * on_step: arm the failure once the pages are written (installed here,
 * after the executor's own set-up of the hook), and when the failing
 * step has been checked, report its failures through the pipe and leave
 * before the teardown, which could not unlock what the bug left held.
 */
struct scn_probe {
	int fd;		/* -1: the in-process control run */
	int mprotect_violations;
};

static void probe_step(const struct scenario *s, const struct obs_step *o,
		       void *arg)
{
	struct scn_probe *p = arg;
	int i;

	if (strstr(o->text, "write")) {
		clone_allocs = 0;
		slab_set_fail_hook(fail_first_clone, NULL);
	}
	if (!strstr(o->text, "mprotect"))
		return;
	slab_set_fail_hook(NULL, NULL);
	p->mprotect_violations = o->model.violations;
	if (p->fd < 0)
		return;
	for (i = 0; i < o->nfailures; i++)
		dprintf(p->fd, "%s\n", o->failures[i]);
	for (i = 0; i < nrules && i < MAX_REC; i++)
		dprintf(p->fd, "rule: %s\n", rules[i]);
	dprintf(p->fd, "violations: %d\n", o->model.violations);
	_exit(0);
}

static struct scenario *parse_clone_scn(void)
{
	struct scn_error err;
	struct scenario *s = scn_parse("clone.scn", clone_scn,
				       sizeof(clone_scn) - 1, &err);

	if (!s)
		fail_msg("%d:%d: %s", err.line, err.col, err.msg);
	return s;
}

static void run_clone_scn(void *arg)
{
	struct scn_probe *p = arg;
	struct exec_opts eo = {
		.check = true,
		.design = DESIGN_MAINLINE,
		.bugs = 1UL << BUG_CLONE_NO_UNLOCK,
		.on_step = probe_step,
		.arg = p,
	};
	struct exec_summary sum;
	struct scenario *s = parse_clone_scn();

	/*
	 * Record lock rules instead of aborting: observing the step takes
	 * the mmap lock, which after the bug comes after the root's.
	 */
	nrules = 0;
	lock_set_violation_hook(record);
	p->fd = 2;
	exec_model(s, &eo, &sum);
	_exit(3);	/* the probe did not see the step */
}

static void test_executor_catches_clone_no_unlock(void **state)
{
	struct scn_probe probe = { .fd = -1 };
	struct exec_opts eo = {
		.check = true,
		.design = DESIGN_MAINLINE,
		.on_step = probe_step,
		.arg = &probe,
	};
	struct exec_summary sum;
	struct scenario *s = parse_clone_scn();
	char buf[8192];
	int status;

	/* Without the bug the failed split leaves nothing held: pass. */
	assert_int_equal(exec_model(s, &eo, &sum), 0);
	slab_set_fail_hook(NULL, NULL);
	assert_int_equal(probe.mprotect_violations, 0);
	assert_int_equal(sum.check_failures, 0);
	assert_int_equal(sum.expect_failures, 0);
	assert_int_equal(sum.leaks, 0);

	/* With it, the check after the step finds the root still locked. */
	status = in_child(run_clone_scn, &probe, buf, sizeof(buf));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		print_error("%s", buf);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/*
	 * Two findings: the thread still holds a lock after the step, and
	 * the checker sees a root rwsem locked at a quiescent point.
	 */
	assert_non_null(strstr(buf, "\nviolations: 2\n"));
	assert_non_null(strstr(buf,
		"clone.scn:5: invariant violation after step 4 (P mprotect A[1] r): 1 locks still held\n"));
	assert_non_null(strstr(buf,
		"clone.scn:5: invariant violation after step 4 (P mprotect A[1] r): LOCK: av#"));
	/* The first lock taken after it, and only that, breaks the order. */
	assert_non_null(strstr(buf, "\nrule: lock order: MMAP after ANON_VMA\n"));
	assert_null(strstr(buf, "rule: self-deadlock"));
	scn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_mmap_after_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_folio_after_ptl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_folio_after_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_root_after_ptl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_vma_after_root_and_ptl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_same_class_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_kernel_sequence_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_paths_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_paths_clean, setup_v6_18, teardown),
		cmocka_unit_test_setup_teardown(test_assert_prepare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_unlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_clone_needs_write_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_tree_change_needs_root_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_vma_write_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_mmap_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l5_put_under_root_lock_dies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_needs_folio_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_failure_releases_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_no_unlock_leaves_root_held, setup, teardown),
		cmocka_unit_test(test_executor_catches_clone_no_unlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
