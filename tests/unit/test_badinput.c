/* SPDX-License-Identifier: MIT */
/*
 * Invalid operations: each is refused with the errno the host kernel
 * returns (checked on 6.18 with the same calls) and changes nothing.
 *
 * - Through the C API: a table of calls on a prepared address space,
 *   each compared with a fingerprint of the whole model taken before
 *   (VMAs with their flags, pgoffs, anon_vmas and chains; every PTE of
 *   the window; the live objects of every cache).
 * - Through the scenario language: one scenario of refused operations
 *   (`expect errno`), where the observations of each refused step must
 *   equal those of the step before it.
 *
 * vm.max_map_count is lowered with `sysctl max_map_count N` (scenario)
 * or sysctl_max_map_count (C), as the kernel's sysctl would.
 * Malformed scenario text is tests/unit/test_parser.c's table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "exec.h"
#include "internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define NOREPLACE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE)
#define WINDOW_PAGES 64

/* ---- a fingerprint of the whole model ---------------------------------- */

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < *cap - *len)
			break;
		*cap = *cap * 2 + (size_t)n;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
	*len += (size_t)n;
}

static char *fingerprint(struct mm_struct *mm)
{
	struct kmem_cache *caches[] = { anon_vma_cachep, anon_vma_chain_cachep,
					vm_area_cachep, folio_cachep,
					pgtable_cachep, mm_cachep };
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);
	unsigned long p;
	int i;

	assert_non_null(buf);
	buf[0] = '\0';
	for (i = 0; i < mm->map_count; i++) {
		struct vm_area_struct *v = mm_vma_at(mm, i);

		append(&buf, &len, &cap, "vma %lx-%lx flags %lx pgoff %lx av %p chain %d\n",
		       v->vm_start, v->vm_end, (unsigned long)v->vm_flags,
		       v->vm_pgoff, (void *)v->anon_vma, tl_chain_len(v));
	}
	for (p = 0; p < WINDOW_PAGES; p++) {
		pte_t *ptep = pte_offset_map(mm, PG(p), false, NULL);

		if (ptep && !pte_none(*ptep))
			append(&buf, &len, &cap, "pte @%lu %llx\n", p,
			       (unsigned long long)ptep->val);
	}
	for (i = 0; i < (int)(sizeof(caches) / sizeof(caches[0])); i++)
		append(&buf, &len, &cap, "%s live %lu\n",
		       kmem_cache_name(caches[i]), tl_live(caches[i]));
	append(&buf, &len, &cap, "brk %lx total_vm %lu\n", mm->brk, mm->total_vm);
	return buf;
}

/* ---- the C API table ----------------------------------------------------- */

/*
 * The address space every case starts from: A = pages 0-3 (rw,
 * page 0 written), hole 4-7, B = pages 8-11 (rw, unfaulted), the heap
 * from page 40 (break at 42, one page written).
 */
static struct mm_struct *prepared(void)
{
	struct mm_struct *mm = tl_mm();

	tl_map(mm, 0, 4, RW);
	tl_map(mm, 8, 4, RW);
	tl_write(mm, 0);
	mm_set_brk_base(mm, PG(40));
	assert_int_equal(sys_brk(mm, PG(42)), PG(42));
	tl_write(mm, 40);
	return mm;
}

struct bad_call {
	const char *what;
	long (*call)(struct mm_struct *mm);
	long want;	/* the return value: -errno, VM_FAULT_*, or an address */
	int max_map_count;	/* 0: the default */
};

static long munmap_unaligned(struct mm_struct *mm)
{
	return sys_munmap(mm, PG(0) + 1, PAGE_SIZE);
}

static long munmap_zero_len(struct mm_struct *mm)
{
	return sys_munmap(mm, PG(0), 0);
}

static long munmap_past_top(struct mm_struct *mm)
{
	return sys_munmap(mm, 0x7ffffffff000UL, 2 * PAGE_SIZE);
}

static long munmap_split_at_limit(struct mm_struct *mm)
{
	return sys_munmap(mm, PG(1), PAGE_SIZE);
}

static long mprotect_hole(struct mm_struct *mm)
{
	return sys_mprotect(mm, PG(4), PAGE_SIZE, PROT_READ);
}

static long mprotect_unaligned(struct mm_struct *mm)
{
	return sys_mprotect(mm, PG(0) + 1, PAGE_SIZE, PROT_READ);
}

static long mprotect_bad_prot(struct mm_struct *mm)
{
	return sys_mprotect(mm, PG(0), PAGE_SIZE, 0x100);
}

static long mprotect_split_at_limit(struct mm_struct *mm)
{
	return sys_mprotect(mm, PG(1), PAGE_SIZE, PROT_READ);
}

static long mremap_overlap(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0), 2 * PAGE_SIZE, 2 * PAGE_SIZE,
			  MREMAP_MAYMOVE | MREMAP_FIXED, PG(1));
}

static long mremap_hole(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(5), PAGE_SIZE, PAGE_SIZE,
			  MREMAP_MAYMOVE | MREMAP_FIXED, PG(20));
}

static long mremap_grow_hole(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(5), PAGE_SIZE, 2 * PAGE_SIZE, 0, 0);
}

static long mremap_dontunmap_resize(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0), PAGE_SIZE, 2 * PAGE_SIZE,
			  MREMAP_MAYMOVE | MREMAP_DONTUNMAP, PG(20));
}

static long mremap_fixed_no_maymove(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0), PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED, PG(20));
}

static long mremap_blocked(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0), 4 * PAGE_SIZE, 10 * PAGE_SIZE, 0, 0);
}

static long mremap_new_unaligned(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0), PAGE_SIZE, PAGE_SIZE,
			  MREMAP_MAYMOVE | MREMAP_FIXED, PG(20) + 1);
}

static long mremap_old_unaligned(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0) + 1, PAGE_SIZE, PAGE_SIZE,
			  MREMAP_MAYMOVE | MREMAP_FIXED, PG(20));
}

static long mremap_zero_old_len(struct mm_struct *mm)
{
	return sys_mremap(mm, PG(0), 0, PAGE_SIZE,
			  MREMAP_MAYMOVE | MREMAP_FIXED, PG(20));
}

static long mmap_noreplace(struct mm_struct *mm)
{
	return sys_mmap(mm, PG(3), 2 * PAGE_SIZE, PROT_READ, NOREPLACE, NULL, 0);
}

static long mmap_zero_len(struct mm_struct *mm)
{
	return sys_mmap(mm, PG(20), 0, PROT_READ, NOREPLACE, NULL, 0);
}

static long mmap_unaligned(struct mm_struct *mm)
{
	return sys_mmap(mm, PG(20) + 1, PAGE_SIZE, PROT_READ, NOREPLACE, NULL, 0);
}

static long mmap_at_limit(struct mm_struct *mm)
{
	return sys_mmap(mm, PG(20), PAGE_SIZE, PROT_READ, NOREPLACE, NULL, 0);
}

static long madvise_hole(struct mm_struct *mm)
{
	return sys_madvise(mm, PG(4), PAGE_SIZE, MADV_DONTFORK);
}

static long madvise_bad_advice(struct mm_struct *mm)
{
	return sys_madvise(mm, PG(0), PAGE_SIZE, 12345);
}

static long madvise_unaligned(struct mm_struct *mm)
{
	return sys_madvise(mm, PG(0) + 1, PAGE_SIZE, MADV_DONTFORK);
}

static long write_read_only(struct mm_struct *mm)
{
	uint64_t v = 1;

	return access_page(mm, PG(9), true, &v);
}

static long read_hole(struct mm_struct *mm)
{
	uint64_t v = 0;

	return access_page(mm, PG(5), false, &v);
}

static long brk_below_base(struct mm_struct *mm)
{
	return (long)sys_brk(mm, PG(39));
}

static const struct bad_call calls[] = {
	{ "munmap of an unaligned address", munmap_unaligned, -EINVAL, 0 },
	{ "munmap of zero bytes", munmap_zero_len, -EINVAL, 0 },
	{ "munmap past the user address space", munmap_past_top, -EINVAL, 0 },
	{ "munmap splitting at vm.max_map_count", munmap_split_at_limit, -ENOMEM, 3 },
	{ "mprotect of a hole", mprotect_hole, -ENOMEM, 0 },
	{ "mprotect of an unaligned address", mprotect_unaligned, -EINVAL, 0 },
	{ "mprotect with unknown PROT bits", mprotect_bad_prot, -EINVAL, 0 },
	{ "mprotect splitting at vm.max_map_count", mprotect_split_at_limit, -ENOMEM, 3 },
	{ "mremap onto an overlapping range", mremap_overlap, -EINVAL, 0 },
	{ "mremap of a hole", mremap_hole, -EFAULT, 0 },
	{ "mremap growing a hole", mremap_grow_hole, -EFAULT, 0 },
	{ "mremap DONTUNMAP with a new size", mremap_dontunmap_resize, -EINVAL, 0 },
	{ "mremap FIXED without MAYMOVE", mremap_fixed_no_maymove, -EINVAL, 0 },
	{ "mremap growing into a neighbour", mremap_blocked, -ENOMEM, 0 },
	{ "mremap to an unaligned address", mremap_new_unaligned, -EINVAL, 0 },
	{ "mremap of an unaligned address", mremap_old_unaligned, -EINVAL, 0 },
	{ "mremap of zero bytes (private)", mremap_zero_old_len, -EINVAL, 0 },
	{ "MAP_FIXED_NOREPLACE over a mapping", mmap_noreplace, -EEXIST, 0 },
	{ "mmap of zero bytes", mmap_zero_len, -EINVAL, 0 },
	{ "mmap at an unaligned address", mmap_unaligned, -EINVAL, 0 },
	{ "mmap beyond vm.max_map_count", mmap_at_limit, -ENOMEM, 3 },
	{ "madvise of a hole", madvise_hole, -ENOMEM, 0 },
	{ "madvise with an unknown advice", madvise_bad_advice, -EINVAL, 0 },
	{ "madvise of an unaligned address", madvise_unaligned, -EINVAL, 0 },
	{ "write to a read-only mapping", write_read_only, VM_FAULT_SIGSEGV, 0 },
	{ "read of a hole", read_hole, VM_FAULT_SIGSEGV, 0 },
	{ "brk below the heap's start", brk_below_base, (long)PG(42), 0 },
};

static void test_c_api(void **state)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct bad_call *c = &calls[i];
		int saved = sysctl_max_map_count;
		struct mm_struct *mm;
		char *before, *after;
		long got;

		tl_setup(DESIGN_MAINLINE);
		mm = prepared();
		/* The write-to-read-only case prepares by an mprotect first. */
		if (c->call == write_read_only)
			assert_int_equal(sys_mprotect(mm, PG(8), 4 * PAGE_SIZE,
						      PROT_READ), 0);
		if (c->max_map_count)
			sysctl_max_map_count = c->max_map_count;
		before = fingerprint(mm);
		got = c->call(mm);
		after = fingerprint(mm);
		sysctl_max_map_count = saved;
		if (got != c->want) {
			print_error("%s: returned %ld, want %ld\n", c->what,
				    got, c->want);
			failed++;
		} else if (strcmp(before, after)) {
			print_error("%s: the state changed\nbefore:\n%safter:\n%s",
				    c->what, before, after);
			failed++;
		}
		free(before);
		free(after);
		tl_teardown();
	}
	assert_int_equal(failed, 0);
}

/* ---- the scenario language ----------------------------------------------- */

static const char refused_scn[] =
	"sysctl max_map_count 4\n"
	"region A 0 3\n"
	"region B 8 3\n"
	"region C 16 1\n"
	"region D 24 1\n"
	"region HOLE 4 2\n"
	"region FAR 40 3\n"
	"proc P\n"
	"P mmap A rw\n"
	"P write A[0]\n"
	"P mmap B r\n"
	"P mmap C rw\n"
	"P mmap A[2:3] rw\n"
	"expect errno EEXIST\n"		/* MAP_FIXED_NOREPLACE over A */
	"P mmap B rw fixed\n"		/* allowed: replaces B */
	"P mmap D rw\n"			/* the 4th VMA: at the limit */
	"P mmap FAR rw\n"
	"expect errno ENOMEM\n"		/* a 5th VMA */
	"P mprotect A[1] r\n"
	"expect errno ENOMEM\n"		/* a split beyond the limit */
	"P munmap A[1]\n"
	"expect errno ENOMEM\n"		/* a middle split beyond it */
	"P mprotect HOLE r\n"
	"expect errno ENOMEM\n"
	"P madvise HOLE dontfork\n"
	"expect errno ENOMEM\n"
	"P mremap A[0:2] to A[1:3]\n"
	"expect errno EINVAL\n"		/* overlapping ranges */
	"P mremap HOLE to FAR[0:2]\n"
	"expect errno ENOMEM\n"		/* the map-count margin: before the lookup */
	"P mremap A 10\n"
	"expect errno ENOMEM\n"		/* growing into B without MAYMOVE */
	"P write C = 7\n"
	"P mprotect C r\n"
	"P write C\n"
	"expect errno SIGSEGV\n"
	"P read HOLE\n"
	"expect errno SIGSEGV\n"
	"P read C == 7\n"
	"P brk base @30\n"
	"P brk -1\n"
	"expect errno ENOMEM\n";	/* below the heap's start */

struct capture {
	char *prev;
	int refused, compared, differ;
};

/* The state part of a step's text: no header, result or allocation counts. */
static char *state_of(const struct scenario *s, const struct obs_step *o)
{
	char *buf = NULL, *out, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	print_text_step(f, s, o);
	fclose(f);
	out = calloc(1, len + 1);
	assert_non_null(out);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *live = strstr(line, "live ");

		if (!strncmp(line, "step ", 5) || strstr(line, "result:") ||
		    strstr(line, "read:"))
			continue;
		if ((!strncmp(line, "  anon_vma:", 11) ||
		     !strncmp(line, "  avc:", 6)) && live) {
			strncat(out, line, (size_t)(strchr(line, ':') - line + 1));
			strcat(out, live);
		} else {
			strcat(out, line);
		}
		strcat(out, "\n");
	}
	free(buf);
	return out;
}

static void compare_step(const struct scenario *s, const struct obs_step *o,
			 void *arg)
{
	struct capture *c = arg;
	const struct scn_step *st = &s->steps[o->index - 1];
	char *now = state_of(s, o);

	if (st->expect_errno && c->prev) {
		c->refused++;
		c->compared++;
		if (strcmp(c->prev, now)) {
			print_error("line %d (%s) changed the state:\nbefore:\n%safter:\n%s",
				    st->line, st->text, c->prev, now);
			c->differ++;
		}
	}
	free(c->prev);
	c->prev = now;
}

static void test_scenario(void **state)
{
	struct scn_error err;
	struct scenario *s = scn_parse("refused.scn", refused_scn,
				       strlen(refused_scn), &err);
	struct capture cap = { 0 };
	struct exec_opts eo = {
		.check = true,
		.design = -1,
		.on_step = compare_step,
		.arg = &cap,
		.err = stderr,
	};
	struct exec_summary sum;

	if (!s)
		fail_msg("%d:%d: %s", err.line, err.col, err.msg);
	assert_int_equal(s->max_map_count, 4);
	assert_int_equal(exec_model(s, &eo, &sum), 0);
	assert_int_equal(sum.expect_failures, 0);
	assert_int_equal(cap.refused, 12);
	assert_int_equal(cap.differ, 0);
	/* The run put the default limit back. */
	assert_int_equal(sysctl_max_map_count, DEFAULT_MAX_MAP_COUNT);
	free(cap.prev);
	scn_free(s);
}

/* Without the sysctl line the same fifth mapping is accepted. */
static void test_default_limit(void **state)
{
	static const char text[] =
		"region A 0 1\nregion B 2 1\nregion C 4 1\nregion D 6 1\n"
		"region E 8 1\nproc P\nP mmap A rw\nP mmap B rw\nP mmap C rw\n"
		"P mmap D rw\nP mmap E rw\nexpect P vmas 5\n";
	struct scn_error err;
	struct scenario *s = scn_parse("t.scn", text, strlen(text), &err);
	struct exec_opts eo = { .check = true, .design = -1 };
	struct exec_summary sum;

	assert_non_null(s);
	assert_int_equal(s->max_map_count, 0);
	assert_int_equal(exec_model(s, &eo, &sum), 0);
	scn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c_api),
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_default_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
