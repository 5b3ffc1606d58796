/* SPDX-License-Identifier: MIT */
/*
 * The scenario parser: every malformed input is refused with the exact
 * "file:line:col: message" and exit status 2 before any step runs; good
 * input gives exactly the expected list of steps; and no input, however
 * broken, crashes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <anonvma/mm.h>

#include "exec.h"
#include "scenario.h"

struct bad_case {
	const char *text;
	const char *error;	/* "line:col: message" */
	size_t len;
};

/* sizeof, not strlen: some cases hold NUL bytes. */
#define BAD(t, e) { t, e, sizeof(t) - 1 }

#define HDR "proc P\nregion A 0 10\n"

static const struct bad_case bad_cases[] = {
	/* truncated lines */
	BAD(HDR "P mmap A\n", "3:9: missing protection"),
	BAD(HDR "P mmap\n", "3:7: missing range"),
	BAD(HDR "P\n", "3:2: missing operation"),
	BAD("region A 0\n", "1:11: missing number"),
	BAD(HDR "P mremap A\n", "3:11: missing new size or 'to'"),
	BAD(HDR "P mremap A to\n", "3:14: missing range"),
	BAD(HDR "P write A =\n", "3:12: missing number"),
	BAD(HDR "P mmap A rw\nexpect\n", "4:7: missing expectation"),
	BAD(HDR "P mmap A rw\nexpect P page A\n", "4:16: missing page state"),
	BAD(HDR "P mmap A rw\nexpect P maps A rw,\n", "4:20: missing range"),
	BAD(HDR "P mmap A rw\nexpect step avc\n", "4:16: missing +N or -N"),
	/* unknown operations and words */
	BAD("frobnicate\n", "1:1: unknown statement or process 'frobnicate'"),
	BAD(HDR "P frob A\n", "3:3: unknown operation 'frob'"),
	BAD(HDR "P mmap A rw frob\n", "3:13: unknown mmap option 'frob'"),
	BAD(HDR "P mmap A rw shared shared\n",
	  "3:20: duplicate mmap option 'shared'"),
	BAD(HDR "P madvise A tepid\n", "3:13: unknown advice 'tepid'"),
	BAD(HDR "P mmap A wr\n",
	  "3:10: invalid protection 'wr' (none, or r, w, x in this order)"),
	BAD(HDR "P mmap A rw\nexpect P page A dirty\n",
	  "4:17: unknown page state 'dirty' (none, zero, present, swap)"),
	BAD(HDR "P mmap A rw\nexpect P page A zero excl\n",
	  "4:22: 'excl' needs state 'present'"),
	BAD(HDR "P mmap A rw\nexpect P page A present excl noexcl\n",
	  "4:30: duplicate or conflicting attribute 'noexcl'"),
	BAD(HDR "P mmap A rw\nexpect P A av sideways\n",
	  "4:15: expected '==', '!=', 'root', 'notroot', 'children' or 'active', found 'sideways'"),
	BAD(HDR "P mmap A rw\nexpect live folios 3\n",
	  "4:13: expected anon_vma or avc, found 'folios'"),
	BAD("design linux-2.4\n", "1:8: unknown design 'linux-2.4'"),
	BAD("proc P extra\n", "1:8: unexpected 'extra'"),
	/* unknown process, region, file */
	BAD(HDR "Q mmap A rw\n", "3:1: unknown statement or process 'Q'"),
	BAD(HDR "swapout Q A\n", "3:9: unknown process 'Q'"),
	BAD(HDR "P mmap B rw\n", "3:8: unknown region 'B'"),
	BAD(HDR "P mmap P rw\n", "3:8: 'P' is a process, not a region"),
	BAD(HDR "P mmap A r file=G\n", "3:17: unknown file 'G'"),
	BAD(HDR "A mmap A rw\n", "3:1: 'A' is a region, not a process"),
	BAD(HDR "file F 4\nP mmap A r off=2\n", "4:12: off= needs file="),
	/* ranges outside the region or the window, bad ranges */
	BAD(HDR "P mmap @510:513 rw\n",
	  "3:13: range end 513 is outside the window (512 pages)"),
	BAD(HDR "P mmap @512 rw\n",
	  "3:9: page 512 is outside the window (512 pages)"),
	BAD(HDR "P mmap A[12] rw\n",
	  "3:10: page 12 is outside region A (10 pages)"),
	BAD(HDR "P mmap A[2:11] rw\n",
	  "3:12: range end 11 is outside region A (10 pages)"),
	BAD(HDR "P mmap A[5:3] rw\n", "3:8: empty range 'A[5:3]'"),
	BAD(HDR "P mmap @4:4 rw\n", "3:8: empty range '@4:4'"),
	BAD(HDR "P mmap A[3 rw\n", "3:8: invalid range 'A[3'"),
	BAD(HDR "P mmap A[] rw\n", "3:8: invalid range 'A[]'"),
	BAD(HDR "P mmap @ rw\n", "3:9: invalid number ''"),
	BAD(HDR "P mmap @-1 rw\n", "3:9: invalid number '-1'"),
	BAD("region A 510 4\n",
	  "1:14: region ends outside the window (512 pages)"),
	BAD("region A 512 1\n",
	  "1:10: page 512 is outside the window (512 pages)"),
	BAD("region A 0 0\n", "1:12: a region needs at least one page"),
	BAD(HDR "P mremap A 600\n",
	  "3:12: new size ends outside the window (512 pages)"),
	BAD(HDR "P mmap A rw\nexpect same P A P A[0:5]\n",
	  "4:19: ranges have different lengths (10 and 5 pages)"),
	BAD(HDR "P mmap A rw\nexpect P maps A[5:10] rw, A[0:5] rw\n",
	  "4:27: VMAs must be listed in address order, without overlap"),
	/* unaligned, garbage, too large numbers */
	BAD("window 0x200000000001\n",
	  "1:8: window base 0x200000000001 is not page-aligned"),
	BAD("window 0\n", "1:8: window base must lie in 0x1000-0x7fffffffefff"),
	BAD("window 0x7ffffffff000\n",
	  "1:8: window base must lie in 0x1000-0x7fffffffefff"),
	BAD("window 0x7fffffffe000 pages 2\n",
	  "1:29: window ends above the user address space (0x7ffffffff000)"),
	BAD("window 0x200000000000 pages 0\n",
	  "1:29: window size must be 1 to 1048576 pages"),
	BAD("window 0x2000000000g0\n", "1:8: invalid number '0x2000000000g0'"),
	BAD("region A 1x 4\n", "1:10: invalid number '1x'"),
	BAD("region A 0x 4\n", "1:10: invalid number '0x'"),
	BAD("region A 99999999999999999999999 4\n",
	  "1:10: number too large '99999999999999999999999'"),
	BAD("region A 0x10000000000000000 4\n",
	  "1:10: number too large '0x10000000000000000'"),
	BAD("region A 18446744073709551615 4\n",
	  "1:10: page 18446744073709551615 is outside the window (512 pages)"),
	BAD(HDR "P mmap A rw\nexpect live avc 4294967296\n",
	  "4:17: number too large '4294967296'"),
	BAD(HDR "P mmap A rw\nexpect step avc +99999999999999999999\n",
	  "4:18: number too large '99999999999999999999'"),
	BAD(HDR "P mmap A rw\nexpect P page A present mc=1x\n",
	  "4:28: invalid number '1x'"),
	BAD(HDR "P write A = 18446744073709551616\n",
	  "3:13: number too large '18446744073709551616'"),
	BAD("file F 0\n", "1:8: file size must be 1 to 1048576 pages"),
	/* names */
	BAD(HDR "proc A\n", "3:6: duplicate name 'A' (region at line 2)"),
	BAD(HDR "P fork P\n", "3:8: duplicate name 'P' (process at line 1)"),
	BAD("file F 2\nregion F 0 1\n", "2:8: duplicate name 'F' (file at line 1)"),
	BAD("proc mmap\n", "1:6: 'mmap' is a keyword, not a name"),
	BAD("proc 9lives\n", "1:6: invalid name '9lives'"),
	BAD("proc abcdefghijabcdefghijabcdefghijab\n",
	  "1:6: name too long (more than 31 characters)"),
	/* processes before creation, after exit, after a failing fork */
	BAD(HDR "Q write A\nP fork Q\n",
	  "3:1: process 'Q' used before it is created (line 4)"),
	BAD(HDR "P mmap A rw\nexpect P vmas 1\nexpect same P A Q A\nP fork Q\n",
	  "5:17: process 'Q' used before it is created (line 6)"),
	BAD(HDR "P exit\nP write A\n", "4:1: process 'P' has exited (line 3)"),
	BAD(HDR "P exit\nrmap P A\n", "4:6: process 'P' has exited (line 3)"),
	BAD(HDR "P fork Q\nexpect errno ENOMEM\nQ exit\n",
	  "5:1: process 'Q' does not exist (its fork fails at line 4)"),
	/* expect errno placement and kind */
	BAD(HDR "P mmap A rw\nexpect P vmas 1\nexpect errno EEXIST\n",
	  "5:8: expect errno must directly follow an operation"),
	BAD("expect live anon_vma 0\n", "1:1: expect before any operation"),
	BAD(HDR "P mmap A rw\nexpect errno EWHATEVER\n",
	  "4:14: unknown errno 'EWHATEVER'"),
	BAD(HDR "P write A\nexpect errno EINVAL\n",
	  "4:14: read and write fail with SIGSEGV, SIGBUS or OOM"),
	BAD(HDR "P mmap A rw\nexpect errno SIGSEGV\n",
	  "4:14: SIGSEGV is a fault result, only for read and write"),
	BAD(HDR "P exit\nexpect errno ENOMEM\n", "4:8: 'exit' cannot fail"),
	/* brk */
	BAD(HDR "P brk +1\n", "3:7: brk moves need a 'brk base' first"),
	BAD(HDR "P brk base @500\nP brk +13\n",
	  "4:7: the break would end outside the window (512 pages)"),
	BAD(HDR "P brk base @1\nP brk -2\n",
	  "4:7: the break would go below the window"),
	BAD(HDR "P brk 3\n", "3:7: expected 'base', +N or -N, found '3'"),
	/* declarations out of place */
	BAD("region A 0 1\nwindow 0x100000000\n",
	  "2:1: window must come before regions and operations"),
	BAD("window 0x100000000\nwindow 0x100000000\n",
	  "2:1: window declared twice (first at line 1)"),
	BAD("proc P\ndesign mainline\n", "2:1: design must come before operations"),
	/* fault injection: `fail CACHE [nth N]` and `sysctl max_map_count N` */
	BAD(HDR "fail\n", "3:5: missing cache name"),
	BAD(HDR "fail slab\nP mmap A rw\n",
	  "3:6: unknown cache 'slab' (any, anon_vma, avc, vma, folio, pgtable, mm, maple, swap, file)"),
	BAD(HDR "fail avc twice\nP mmap A rw\n", "3:10: expected 'nth', found 'twice'"),
	BAD(HDR "fail avc nth\nP mmap A rw\n", "3:13: missing number"),
	BAD(HDR "fail avc nth 0\nP mmap A rw\n", "3:14: nth must be 1 to 1000000"),
	BAD(HDR "fail avc nth 1000001\nP mmap A rw\n",
	  "3:14: nth must be 1 to 1000000"),
	BAD(HDR "fail avc nth 99999999999999999999\nP mmap A rw\n",
	  "3:14: number too large '99999999999999999999'"),
	BAD(HDR "fail avc nth 2 3\nP mmap A rw\n", "3:16: unexpected '3'"),
	BAD(HDR "P mmap A rw\nfail avc\n", "4:1: fail is not followed by an operation"),
	BAD(HDR "P mmap A rw\nfail avc\nexpect P vmas 1\n",
	  "5:1: the fail line 4 must be followed by an operation"),
	BAD(HDR "fail avc\nregion B 20 1\n",
	  "4:1: the fail line 3 must be followed by an operation"),
	BAD(HDR "fail avc\nfail vma\nP mmap A rw\n",
	  "4:1: two fail lines for one operation (the first at line 3)"),
	BAD(HDR "P mmap A rw\nfail any\nP exit\n",
	  "5:1: 'exit' cannot fail (fail at line 4)"),
	BAD(HDR "fail avc\ncheck\n", "4:1: 'check' cannot fail (fail at line 3)"),
	BAD(HDR "fail avc\nP brk base A\n",
	  "4:1: 'brk base' cannot fail (fail at line 3)"),
	BAD("proc fail\n", "1:6: 'fail' is a keyword, not a name"),
	BAD("sysctl\n", "1:7: missing max_map_count"),
	BAD("sysctl vm.swappiness 60\n",
	  "1:8: unknown sysctl 'vm.swappiness' (max_map_count)"),
	BAD("sysctl max_map_count\n", "1:21: missing number"),
	BAD("sysctl max_map_count 0\n", "1:22: max_map_count must be 1 to 2147483647"),
	BAD("sysctl max_map_count 2147483648\n",
	  "1:22: max_map_count must be 1 to 2147483647"),
	BAD("sysctl max_map_count 5 6\n", "1:24: unexpected '6'"),
	BAD("sysctl max_map_count 5\nsysctl max_map_count 6\n",
	  "2:1: sysctl declared twice (first at line 1)"),
	BAD("proc P\nsysctl max_map_count 5\n",
	  "2:1: sysctl must come before operations"),
	/* bytes */
	BAD("proc P\n\x01\x02\n", "2:1: non-printable byte 0x01"),
	BAD("proc P\0\n", "1:7: non-printable byte 0x00"),
	BAD("proc P\x7f\n", "1:7: non-printable byte 0x7f"),
	BAD("proc P\xc3\xa9\n", "1:7: non-printable byte 0xc3"),
	BAD("proc P # bad UTF-8 \xc3(\n", "1:20: non-printable byte 0xc3"),
	BAD("proc P\rQ\n", "1:7: non-printable byte 0x0d"),
};

/* The text of an overlong line, built once. */
static char *long_line(size_t n)
{
	char *s = malloc(n + 8);

	assert_non_null(s);
	memcpy(s, "proc P\n#", 8);
	memset(s + 8, 'a', n);
	s[n + 8 - 1] = '\n';
	return s;
}

/* Returns the number of mismatches, after printing each of them. */
static int check_bad(const char *text, size_t len, const char *error)
{
	struct run_opts opts = { .format = RUN_TEXT, .check = true };
	struct scn_error err;
	struct scenario *s;
	char got[512], *out, *errbuf;
	size_t outlen, errlen;
	FILE *fo, *fe;
	int executed = -1, status;

	s = scn_parse("t.scn", text, len, &err);
	if (s) {
		scn_free(s);
		print_error("accepted: expected %s\n", error);
		return 1;
	}
	snprintf(got, sizeof(got), "%d:%d: %s", err.line, err.col, err.msg);
	if (strcmp(got, error)) {
		print_error("expected \"%s\"\n     got \"%s\"\n", error, got);
		return 1;
	}

	/* The same through the whole command path: nothing runs, status 2. */
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&errbuf, &errlen);
	status = scn_run("t.scn", text, len, &opts, fo, fe, &executed);
	fclose(fo);
	fclose(fe);
	assert_int_equal(status, 2);
	assert_int_equal(executed, 0);
	assert_string_equal(out, "");
	snprintf(got, sizeof(got), "t.scn:%s\n", error);
	assert_string_equal(errbuf, got);
	free(out);
	free(errbuf);
	return 0;
}

static void test_bad_inputs(void **state)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		bad += check_bad(bad_cases[i].text, bad_cases[i].len,
				 bad_cases[i].error);
	assert_int_equal(bad, 0);
}

static void test_long_lines(void **state)
{
	char *s = long_line(4096);

	/* Line 2 is exactly 4096 characters ('#' + 4095 'a'): accepted. */
	struct scn_error err;
	struct scenario *sc = scn_parse("t.scn", s, 8 + 4095 + 1, &err);

	assert_non_null(sc);
	scn_free(sc);
	free(s);
	s = long_line(4097);
	assert_int_equal(check_bad(s, 8 + 4097,
				   "2:4097: line too long (more than 4096 characters)"), 0);
	free(s);
	s = long_line(100000);
	assert_int_equal(check_bad(s, 8 + 100000,
				   "2:4097: line too long (more than 4096 characters)"), 0);
	free(s);
}

static const char good[] =
	"# A scenario that uses most of the language.\n"
	"window 0x100000000 pages 64   # a small window\n"
	"design v6.18\n"
	"region A 0 8\n"
	"region B 8 4\n"
	"file F 16\n"
	"\tproc P\n"
	"P mmap A rw noreserve\n"
	"P mmap B r shared file=F off=2\n"
	"P write A[1:3] = 0x55\n"
	"expect P maps A rw, B r s\n"
	"expect P page A[1] present excl mc=1 anon   # résumé: UTF-8 here\n"
	"P fork Q\r\n"
	"Q mremap A[0:4] to @20:24 dontunmap\n"
	"Q mremap B 6\n"
	"P brk base @40\n"
	"P brk +2\n"
	"expect errno ENOMEM\n"
	"P read A[2] == 0x55\n"
	"P madvise A dontneed\n"
	"swapout P A keepcache\n"
	"expect P A av children 1 active 1\n"
	"expect step avc +1 -0\n"
	"expect P A folio av == root Q A\n"
	"Q exit\n"
	"check\n"
	"expect violations 0";	/* no newline at the end */

static void test_good_structure(void **state)
{
	struct scn_error err;
	struct scenario *s = scn_parse("good.scn", good, strlen(good), &err);
	const struct scn_step *st;
	const struct scn_expect *ex;

	assert_non_null(s);
	assert_string_equal(s->name, "good.scn");
	assert_int_equal(s->base, 0x100000000UL);
	assert_int_equal(s->pages, 64);
	assert_string_equal(s->design, "v6.18");
	assert_int_equal(s->nregions, 2);
	assert_string_equal(s->regions[1].name, "B");
	assert_int_equal(s->regions[1].r.first, 8);
	assert_int_equal(s->regions[1].r.end, 12);
	assert_int_equal(s->nfiles, 1);
	assert_int_equal(s->files[0].pages, 16);
	assert_int_equal(s->nprocs, 2);
	assert_string_equal(s->procs[0].name, "P");
	assert_int_equal(s->procs[0].parent, -1);
	assert_string_equal(s->procs[1].name, "Q");
	assert_int_equal(s->procs[1].parent, 0);
	assert_int_equal(s->procs[1].line, 13);
	assert_int_equal(s->nsteps, 14);

	st = &s->steps[0];
	assert_int_equal(st->op, SCN_OP_PROC);
	assert_int_equal(st->line, 7);
	assert_string_equal(st->text, "proc P");
	assert_int_equal(st->proc, 0);

	st = &s->steps[1];
	assert_int_equal(st->op, SCN_OP_MMAP);
	assert_string_equal(st->text, "P mmap A rw noreserve");
	assert_int_equal(st->r.first, 0);
	assert_int_equal(st->r.end, 8);
	assert_int_equal(st->prot, PROT_READ | PROT_WRITE);
	assert_int_equal(st->flags, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE | MAP_NORESERVE);
	assert_int_equal(st->file, -1);
	assert_false(st->model_only);

	st = &s->steps[2];
	assert_int_equal(st->prot, PROT_READ);
	assert_int_equal(st->flags, MAP_SHARED | MAP_FIXED_NOREPLACE);
	assert_int_equal(st->file, 0);
	assert_int_equal(st->off, 2);

	st = &s->steps[3];
	assert_int_equal(st->op, SCN_OP_WRITE);
	assert_int_equal(st->r.first, 1);
	assert_int_equal(st->r.end, 3);
	assert_true(st->has_value);
	assert_int_equal(st->value, 0x55);
	assert_int_equal(st->nex, 2);
	ex = &st->ex[0];
	assert_int_equal(ex->kind, SCN_EX_MAPS);
	assert_int_equal(ex->line, 11);
	assert_string_equal(ex->text, "P maps A rw, B r s");
	assert_int_equal(ex->nmaps, 2);
	assert_int_equal(ex->maps[0].r.first, 0);
	assert_int_equal(ex->maps[0].r.end, 8);
	assert_int_equal(ex->maps[0].prot, PROT_READ | PROT_WRITE);
	assert_false(ex->maps[0].shared);
	assert_int_equal(ex->maps[1].r.first, 8);
	assert_int_equal(ex->maps[1].prot, PROT_READ);
	assert_true(ex->maps[1].shared);
	ex = &st->ex[1];
	assert_int_equal(ex->kind, SCN_EX_PAGE);
	assert_string_equal(ex->text, "P page A[1] present excl mc=1 anon");
	assert_int_equal(ex->r.first, 1);
	assert_int_equal(ex->r.end, 2);
	assert_int_equal(ex->state, SCN_PAGE_PRESENT);
	assert_int_equal(ex->tri_excl, 1);
	assert_int_equal(ex->tri_anon, 1);
	assert_int_equal(ex->mapcount, 1);
	assert_false(ex->model_only);

	st = &s->steps[4];
	assert_int_equal(st->op, SCN_OP_FORK);
	assert_string_equal(st->text, "P fork Q");
	assert_int_equal(st->proc, 0);
	assert_int_equal(st->proc2, 1);

	st = &s->steps[5];
	assert_int_equal(st->op, SCN_OP_MREMAP);
	assert_int_equal(st->proc, 1);
	assert_int_equal(st->r.first, 0);
	assert_int_equal(st->r.end, 4);
	assert_int_equal(st->r2.first, 20);
	assert_int_equal(st->r2.end, 24);
	assert_int_equal(st->flags, MREMAP_MAYMOVE | MREMAP_FIXED |
			 MREMAP_DONTUNMAP);

	st = &s->steps[6];
	assert_int_equal(st->flags, 0);
	assert_int_equal(st->npages, 6);

	st = &s->steps[7];
	assert_int_equal(st->op, SCN_OP_BRK_BASE);
	assert_int_equal(st->r.first, 40);
	assert_true(st->model_only);

	st = &s->steps[8];
	assert_int_equal(st->op, SCN_OP_BRK);
	assert_int_equal(st->delta, 2);
	assert_int_equal(st->expect_errno, ENOMEM);
	assert_int_equal(st->errno_line, 18);
	assert_int_equal(st->nex, 0);

	st = &s->steps[9];
	assert_int_equal(st->op, SCN_OP_READ);
	assert_true(st->has_value);
	assert_int_equal(st->value, 0x55);

	st = &s->steps[10];
	assert_int_equal(st->op, SCN_OP_MADVISE);
	assert_int_equal(st->advice, MADV_DONTNEED);

	st = &s->steps[11];
	assert_int_equal(st->op, SCN_OP_SWAPOUT);
	assert_true(st->keepcache);
	assert_true(st->model_only);
	assert_int_equal(st->nex, 3);
	assert_int_equal(st->ex[0].kind, SCN_EX_AV_COUNTS);
	assert_int_equal(st->ex[0].n, 1);
	assert_int_equal(st->ex[0].n2, 1);
	assert_true(st->ex[0].model_only);
	assert_int_equal(st->ex[1].kind, SCN_EX_STEP);
	assert_int_equal(st->ex[1].obj, SCN_OBJ_AVC);
	assert_int_equal(st->ex[1].n, 1);
	assert_int_equal(st->ex[1].n2, 0);
	assert_int_equal(st->ex[2].kind, SCN_EX_FOLIO_AV_ROOT);
	assert_int_equal(st->ex[2].proc, 0);
	assert_int_equal(st->ex[2].proc2, 1);
	assert_int_equal(st->ex[2].r2.end, 8);

	st = &s->steps[12];
	assert_int_equal(st->op, SCN_OP_EXIT);
	assert_int_equal(st->proc, 1);

	st = &s->steps[13];
	assert_int_equal(st->op, SCN_OP_CHECK);
	assert_int_equal(st->proc, -1);
	assert_int_equal(st->nex, 1);
	assert_int_equal(st->ex[0].kind, SCN_EX_VIOLATIONS);
	assert_int_equal(st->ex[0].n, 0);
	assert_int_equal(st->ex[0].line, 27);
	scn_free(s);
}

/* Defaults, and a process created by a fork that is expected to fail. */
static void test_defaults_and_failed_fork(void **state)
{
	static const char text[] =
		"proc P\n"
		"P fork Q\n"
		"expect errno ENOMEM\n"
		"P fork R\n";
	struct scn_error err;
	struct scenario *s = scn_parse("t", text, strlen(text), &err);

	assert_non_null(s);
	assert_int_equal(s->base, SCN_DEFAULT_BASE);
	assert_int_equal(s->pages, SCN_DEFAULT_PAGES);
	assert_string_equal(s->design, "");
	assert_int_equal(s->nsteps, 3);
	assert_int_equal(s->steps[1].expect_errno, ENOMEM);
	assert_int_equal(s->steps[2].proc2, 2);
	scn_free(s);
}

/* A forked child inherits the break, so it may move it at once. */
static void test_fork_inherits_brk(void **state)
{
	static const char text[] =
		"proc P\n"
		"P brk base @10\n"
		"P brk +2\n"
		"P fork Q\n"
		"Q brk -12\n";
	static const char bad[] =
		"proc P\n"
		"P brk base @10\n"
		"P brk +2\n"
		"P fork Q\n"
		"Q brk -13\n";
	struct scn_error err;
	struct scenario *s = scn_parse("t", text, strlen(text), &err);

	assert_non_null(s);
	assert_int_equal(s->steps[4].delta, -12);
	scn_free(s);
	/* ... and the child's break is checked against the inherited one. */
	assert_null(scn_parse("t", bad, strlen(bad), &err));
	assert_int_equal(err.line, 5);
	assert_int_equal(err.col, 7);
	assert_string_equal(err.msg, "the break would go below the window");
}

static void test_result_names(void **state)
{
	assert_string_equal(scn_result_name(SCN_OK), "ok");
	assert_string_equal(scn_result_name(EEXIST), "EEXIST");
	assert_string_equal(scn_result_name(SCN_SIGSEGV), "SIGSEGV");
	assert_int_equal(scn_result_parse("ENOMEM"), ENOMEM);
	assert_int_equal(scn_result_parse("OOM"), SCN_OOM);
	assert_int_equal(scn_result_parse("ENOPE"), -1);
}

/*
 * No input crashes the parser: random token soups, random bytes, and
 * every truncation and one-byte corruption of a good scenario.
 */
static void test_never_crashes(void **state)
{
	static const char *const words[] = {
		"proc", "P", "Q", "A", "B", "F", "region", "window", "file",
		"mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "base",
		"read", "write", "fork", "exit", "expect", "errno", "ENOMEM",
		"maps", "vmas", "page", "present", "excl", "mc=1", "same",
		"differ", "live", "step", "anon_vma", "avc", "av", "==", "!=",
		"root", "folio", "walk", "index", "chain", "unfaulted", "rw",
		"r", "none", "0", "1", "10", "0x1000", "+1", "-1", "@0", "@1:3",
		"A[1]", "A[0:2]", "A[", "]", ",", "s", "to", "dontunmap",
		"shared", "file=F", "off=1", "swapout", "rmap", "check", "#",
		"design", "mainline", "pages", "99999999999999999999", "\t",
	};
	unsigned int seed = 12345;
	char buf[512];
	size_t n, i, k;
	struct scn_error err;

	for (i = 0; i < 20000; i++) {
		n = 0;
		while (n < sizeof(buf) - 40) {
			const char *w = words[rand_r(&seed) %
					      (sizeof(words) / sizeof(words[0]))];
			size_t l = strlen(w);

			memcpy(buf + n, w, l);
			n += l;
			buf[n++] = rand_r(&seed) % 5 ? ' ' : '\n';
			if (rand_r(&seed) % 40 == 0)
				break;
		}
		scn_free(scn_parse("f", buf, n, &err));
		for (k = 0; k < n; k++)
			if (rand_r(&seed) % 16 == 0)
				buf[k] = (char)(rand_r(&seed) & 0xff);
		scn_free(scn_parse("f", buf, n, &err));
	}
	n = strlen(good);
	for (k = 0; k <= n; k++)
		scn_free(scn_parse("f", good, k, &err));
	memcpy(buf, good, n < sizeof(buf) ? n : sizeof(buf));
	for (k = 0; k < n && k < sizeof(buf); k++) {
		char c = buf[k];
		unsigned int b;

		for (b = 0; b < 256; b += 37) {
			buf[k] = (char)b;
			scn_free(scn_parse("f", buf, n < sizeof(buf) ? n : sizeof(buf),
					   &err));
		}
		buf[k] = c;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_good_structure),
		cmocka_unit_test(test_defaults_and_failed_fork),
		cmocka_unit_test(test_fork_inherits_brk),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_never_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
