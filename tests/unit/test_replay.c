/* SPDX-License-Identifier: MIT */
/*
 * The trace reader and the replay (tools/replay/): every kind of
 * malformed, truncated, reordered or incomplete recording is refused
 * with its line; a small synthetic recording of exec, mmap, a fault, a
 * fork and two exits replays to exact agreement, and each kind of
 * disagreement (a kernel allocation the model does not make, a
 * different result, a different exit layout) is found at its line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "replay/replay.h"
#include "scenario/exec.h"
#include "scenario/scenario.h"

#define HEADER \
	"anonvma-trace 1\n" \
	"kernel 6.18.44-test\n" \
	"machine x86_64\n" \
	"page-size 4096\n" \
	"command ./prog\n" \
	"root-pid 100\n" \
	"events\n"

#define ALLOC(tid, ts, site, ptr, cache) \
	ts " " tid " " tid " kmem_cache_alloc call_site=" site "+0x40/0x1e0 ptr=" ptr \
	" name=" cache " bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=true\n"
#define FREE(tid, ts, site, ptr, cache) \
	ts " " tid " " tid " kmem_cache_free call_site=" site "+0x10/0x80 ptr=" ptr " name=" cache "\n"

/*
 * A program execs (the kernel prepares its stack's anon_vma while
 * copying the arguments), maps two anonymous pages, writes one, forks a
 * child (anon_vma_fork for both faulted VMAs) that writes the same page
 * (copy-on-write, no new anon_vma) and exits, then exits itself.
 */
static const char good_body[] =
	"1.000000 100 100 sys_enter_execve filename: 0x1, argv: 0x2, envp: 0x3\n"
	ALLOC("100", "1.000001", "__anon_vma_prepare", "ffff000000001000", "anon_vma_chain")
	ALLOC("100", "1.000002", "__anon_vma_prepare", "ffff000000002000", "anon_vma")
	"1.000003 100 100 sched_process_exec filename=/bin/prog pid=100 old_pid=100\n"
	"1.000004 99 99 tracing_mark_write anonvma-snapshot 1\n"
	"@snapshot 1 exec tid=100 tgid=100\n"
	"@brk start_brk=0x600000\n"
	"@vma 0x400000 0x401000 r-xp 0x00000000 fe:00 12 rd,ex,mr,mw,me /bin/prog\n"
	"@vma 0x7ffd00000000 0x7ffd00021000 rw-p 0x00000000 00:00 0 rd,wr,mr,mw,me,gd,ac [stack]\n"
	"@vma 0xffffffffff600000 0xffffffffff601000 --xp 0x00000000 00:00 0 ex [vsyscall]\n"
	"@anon 0x7ffd00020000 1\n"
	"@end\n"
	"1.000005 100 100 sys_exit_execve 0x0\n"
	"1.000006 100 100 sys_enter_mmap addr: 0, len: 0x2000, prot: 0x3, flags: 0x22, fd: 0xffffffffffffffff, off: 0\n"
	"1.000007 100 100 sys_exit_mmap 0x7f0000000000\n"
	"1.000008 100 100 page_fault_user address=0x7f0000000010 ip=0x400000 error_code=0x6\n"
	ALLOC("100", "1.000009", "__anon_vma_prepare", "ffff000000003000", "anon_vma_chain")
	ALLOC("100", "1.000010", "__anon_vma_prepare", "ffff000000004000", "anon_vma")
	"1.000011 100 100 sys_enter_clone clone_flags: 0x1200011, newsp: 0, parent_tidptr: 0, child_tidptr: 0x7f00, tls: 0\n"
	ALLOC("100", "1.000012", "anon_vma_clone", "ffff000000005000", "anon_vma_chain")
	ALLOC("100", "1.000013", "anon_vma_fork", "ffff000000006000", "anon_vma")
	ALLOC("100", "1.000014", "anon_vma_fork", "ffff000000007000", "anon_vma_chain")
	ALLOC("100", "1.000015", "anon_vma_clone", "ffff000000008000", "anon_vma_chain")
	ALLOC("100", "1.000016", "anon_vma_fork", "ffff000000009000", "anon_vma")
	ALLOC("100", "1.000017", "anon_vma_fork", "ffff00000000a000", "anon_vma_chain")
	"1.000018 100 100 task_newtask pid=101 comm=prog x clone_flags=1200011 oom_score_adj=0\n"
	"1.000019 100 100 sched_process_fork comm=prog pid=100 child_comm=prog child_pid=101\n"
	"1.000020 100 100 sys_exit_clone 0x65\n"
	"1.000021 101 101 sys_exit_clone 0x0\n"
	"1.000022 101 101 page_fault_user address=0x7f0000000010 ip=0x400000 error_code=0x7\n"
	"1.000023 101 101 sys_enter_exit_group error_code: 0\n"
	"1.000024 99 99 tracing_mark_write anonvma-snapshot 2\n"
	"@snapshot 2 exit tid=101 tgid=101\n"
	"@vma 0x400000 0x401000 r-xp 0x00000000 fe:00 12 rd,ex,mr,mw,me /bin/prog\n"
	"@vma 0x7f0000000000 0x7f0000002000 rw-p 0x00000000 00:00 0 rd,wr,mr,mw,me,ac -\n"
	"@vma 0x7ffd00000000 0x7ffd00021000 rw-p 0x00000000 00:00 0 rd,wr,mr,mw,me,gd,ac [stack]\n"
	"@vma 0xffffffffff600000 0xffffffffff601000 --xp 0x00000000 00:00 0 ex [vsyscall]\n"
	"@anon 0x7f0000000000 1\n"
	"@anon 0x7ffd00020000 1\n"
	"@end\n"
	"1.000025 101 101 sched_process_exit comm=prog x pid=101 prio=120 group_dead=true\n"
	FREE("101", "1.000026", "unlink_anon_vmas", "ffff000000005000", "anon_vma_chain")
	FREE("101", "1.000027", "unlink_anon_vmas", "ffff000000007000", "anon_vma_chain")
	FREE("101", "1.000028", "__put_anon_vma", "ffff000000006000", "anon_vma")
	FREE("101", "1.000029", "unlink_anon_vmas", "ffff000000008000", "anon_vma_chain")
	FREE("101", "1.000030", "unlink_anon_vmas", "ffff00000000a000", "anon_vma_chain")
	FREE("101", "1.000031", "__put_anon_vma", "ffff000000009000", "anon_vma")
	"1.000032 100 100 sys_enter_exit_group error_code: 0\n"
	"1.000033 100 100 sched_process_exit comm=prog pid=100 prio=120 group_dead=true\n"
	FREE("100", "1.000034", "unlink_anon_vmas", "ffff000000003000", "anon_vma_chain")
	FREE("100", "1.000035", "__put_anon_vma", "ffff000000004000", "anon_vma")
	FREE("100", "1.000036", "unlink_anon_vmas", "ffff000000001000", "anon_vma_chain")
	FREE("100", "1.000037", "__put_anon_vma", "ffff000000002000", "anon_vma")
	"@lost cpu=0 overrun=0 dropped=0 commit-overrun=0\n"
	"@lost cpu=1 overrun=0 dropped=0 commit-overrun=0\n";

/* The good recording with @trailer appended (a NULL one: the right counts). */
static char *make_trace(const char *body, const char *trailer)
{
	size_t n = strlen(HEADER) + strlen(body) + 128;
	char *buf = malloc(n);
	const char *p;
	int events = 0, snaps = 0;

	assert_non_null(buf);
	for (p = body; *p; p = strchr(p, '\n') + 1) {
		if (*p != '@')
			events++;
		else if (!strncmp(p, "@snapshot ", 10))
			snaps++;
	}
	if (trailer)
		snprintf(buf, n, "%s%s%s", HEADER, body, trailer);
	else
		snprintf(buf, n, "%s%s@end-of-trace events=%d snapshots=%d\n",
			 HEADER, body, events, snaps);
	return buf;
}

/* Load @text; on failure, @want must be in the message. */
static int load(const char *text, struct trace *t, const char *want)
{
	char err[512] = "";
	int ret = trace_load_mem("t.trace", text, strlen(text), t, err,
				 sizeof(err), false);

	if (want) {
		assert_int_equal(ret, -1);
		if (!strstr(err, want))
			fail_msg("wanted \"%s\", got \"%s\"", want, err);
	}
	return ret;
}

static void test_load_good(void **state)
{
	char *text = make_trace(good_body, NULL);
	struct trace t;

	assert_int_equal(load(text, &t, NULL), 0);
	assert_string_equal(t.kernel, "6.18.44-test");
	assert_string_equal(t.command, "./prog");
	assert_int_equal(t.root_pid, 100);
	assert_int_equal(t.nsnaps, 2);
	assert_true(t.snaps[0].exec);
	assert_int_equal(t.snaps[0].start_brk, 0x600000);
	assert_int_equal(t.snaps[0].nvmas, 3);
	assert_int_equal(t.snaps[0].vmas[1].flags,
			 VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE |
			 VM_MAYEXEC | VM_GROWSDOWN | VM_ACCOUNT);
	assert_string_equal(tsnap_path(&t.snaps[0], &t.snaps[0].vmas[1]), "[stack]");
	assert_int_equal(t.snaps[0].nruns, 1);
	assert_false(t.snaps[1].exec);
	/* The comm "prog x" has a space; the fork's flags are hexadecimal. */
	assert_int_equal(t.ev[18].kind, TEV_NEWTASK);
	assert_int_equal(t.ev[18].task.pid, 101);
	assert_int_equal(t.ev[18].task.flags, 0x1200011);
	assert_int_equal(t.ev[1].kind, TEV_KMEM_ALLOC);
	assert_int_equal(t.ev[1].kmem.obj, SCN_OBJ_AVC);
	assert_int_equal(t.ev[1].kmem.site, OBS_SITE_PREPARE);
	assert_int_equal(t.ev[6].kind, TEV_SYS_ENTER);
	assert_int_equal(t.ev[6].sys.nr, TSYS_MMAP);
	assert_int_equal(tev_args(&t, &t.ev[6])[1], 0x2000);
	assert_int_equal(tev_args(&t, &t.ev[6])[4], 0xffffffffffffffffULL);
	trace_free(&t);
	free(text);
}

/* A copy of @text with the first @from replaced by @to (which must be there). */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	assert_non_null(at);
	out = malloc(strlen(text) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

/* One broken variant of the good trace: @from replaced by @to. */
static void expect_broken(const char *from, const char *to, const char *want)
{
	char *good = make_trace(good_body, NULL), *bad = replaced(good, from, to);
	struct trace t;

	load(bad, &t, want);
	trace_free(&t);
	free(bad);
	free(good);
}

static void test_load_malformed(void **state)
{
	expect_broken("anonvma-trace 1", "anonvma-trace 2", "t.trace:1: trace format version 2");
	expect_broken("anonvma-trace 1", "hello", "t.trace:1: not an anonvma trace");
	expect_broken("kernel 6.18.44-test", "kernel 6.19.1", "t.trace:2: recorded on Linux 6.19.1");
	expect_broken("machine x86_64\n", "", "lacks one of kernel");
	expect_broken("page-size 4096", "page-size 65536", "t.trace:4: page size 65536");
	expect_broken("root-pid 100", "root-pid x", "t.trace:6: bad root-pid x");
	expect_broken("command ./prog", "colour blue", "t.trace:5: unknown header line");
	expect_broken("1.000006 100 100 sys_enter_mmap", "1.000006 100 100 sys_enter_frobnicate",
		      "t.trace:21: unknown system call event sys_frobnicate");
	expect_broken("1.000007 100 100 sys_exit_mmap 0x7f0000000000",
		      "1.000007 100 100 sched_wakeup comm=x", "t.trace:22: unknown event sched_wakeup");
	expect_broken("1.000007 100 100 sys_exit_mmap 0x7f0000000000",
		      "1.000007 100 100 sys_exit_mmap seven", "t.trace:22: cannot decode the arguments of mmap");
	expect_broken("1.000008 100 100 page_fault_user address=",
		      "1.000008 100 100 page_fault_user addr=", "t.trace:23: cannot decode the page fault");
	expect_broken("1.000007 100", "0.500000 100", "t.trace:22: timestamps go backwards");
	expect_broken("1.000007 100", "1.0007 100", "t.trace:22: bad timestamp");
	expect_broken("1.000007 100 100", "1.000007 x 100", "t.trace:22: bad tid");
	expect_broken("ptr=ffff000000003000 name=anon_vma_chain", "ptr=ffff000000003000 name=dentry",
		      "t.trace:24: a kmem event of cache dentry");
	expect_broken("@snapshot 1 exec", "@snapshot 7 exec", "t.trace:13: @snapshot 7 exec");
	expect_broken("@snapshot 1 exec tid=100 tgid=100\n", "", "t.trace:13: a snapshot marker without its @snapshot block");
	expect_broken("@anon 0x7ffd00020000 1\n@end\n1.000005", "@anon 0x7ffd00020000 1\n1.000005",
		      "t.trace:19: unexpected line in a snapshot block");
	expect_broken("@anon 0x7ffd00020000 1\n@end\n1.000005", "@anon 0x7ffd00020001 1\n@end\n1.000005",
		      "t.trace:18: bad @anon run");
	expect_broken("0xffffffffff600000 0xffffffffff601000 --xp 0x00000000 00:00 0 ex [vsyscall]\n@anon 0x7ffd",
		      "0x1000 0x2000 --xp 0x00000000 00:00 0 ex -\n@anon 0x7ffd",
		      "t.trace:17: @vma lines overlap or are out of order");
	expect_broken(" rd,ex,mr,mw,me /bin/prog\n@vma 0x7ffd", " rd,ex,mr,mw,me\n@vma 0x7ffd",
		      "t.trace:15: no path (or -)");
	expect_broken("@lost cpu=1 overrun=0 dropped=0", "@lost cpu=1 overrun=0 dropped=3",
		      "events were lost while recording (cpu=1 overrun=0 dropped=3");
	expect_broken("@lost cpu=0", "1.1 100 100 x\n@lost cpu=0", "bad timestamp");
}

static void test_load_truncated(void **state)
{
	char *good = make_trace(good_body, NULL), *cut;
	struct trace t;

	/* Everything up to the trailer, or up to the middle of a block. */
	cut = strdup(good);
	*strstr(cut, "@end-of-trace") = '\0';
	load(cut, &t, "no @end-of-trace line: the trace is truncated");
	trace_free(&t);
	strcpy(cut, good);
	*strstr(cut, "@anon 0x7ffd00020000 1\n@end") = '\0';
	load(cut, &t, "snapshot block without @end (truncated)");
	trace_free(&t);
	strcpy(cut, good);
	*strstr(cut, "events\n") = '\0';
	load(cut, &t, "the header has no 'events' line");
	trace_free(&t);
	free(cut);
	free(good);

	good = make_trace(good_body, "@end-of-trace events=3 snapshots=2\n");
	load(good, &t, "@end-of-trace does not match the body, which has 38 events and 2 snapshots");
	trace_free(&t);
	free(good);
	good = make_trace(good_body, "@end-of-trace events=38 snapshots=2\nmore\n");
	load(good, &t, "text after @end-of-trace");
	trace_free(&t);
	free(good);
	load("anonvma-trace 1\n\0", &t, NULL);
	trace_free(&t);
	{
		static const char nul[] = "anonvma-trace 1\nkernel \0x\n";
		char err[256];

		assert_int_equal(trace_load_mem("n.trace", nul, sizeof(nul) - 1, &t,
						err, sizeof(err), false), -1);
		assert_string_equal(err, "n.trace: a NUL byte: not a text trace");
		trace_free(&t);
	}
}

static struct replay_result replay_text(const char *text)
{
	struct replay_opts o = { .design = DESIGN_V6_18, .check_every = 1 };
	struct replay_result res;
	struct trace t;

	assert_int_equal(load(text, &t, NULL), 0);
	assert_int_equal(replay_run(&t, &o, &res), 0);
	trace_free(&t);
	return res;
}

static void test_replay_agrees(void **state)
{
	char *text = make_trace(good_body, NULL);
	struct replay_result res = replay_text(text);

	if (!replay_agrees(&res))
		replay_print(stderr, &(struct trace){ .command = "t" }, &res, true);
	assert_true(replay_agrees(&res));
	assert_int_equal(res.nimages, 3);	/* before exec, prog, its fork */
	assert_int_equal(res.execs, 1);
	assert_int_equal(res.forks, 1);
	assert_int_equal(res.exits, 2);
	assert_int_equal(res.faults, 2);
	assert_int_equal(res.layouts, 1);
	assert_int_equal(res.kernel.alloc[SCN_OBJ_ANON_VMA][OBS_SITE_PREPARE], 2);
	assert_int_equal(res.kernel.alloc[SCN_OBJ_ANON_VMA][OBS_SITE_FORK], 2);
	assert_int_equal(res.model.alloc[SCN_OBJ_AVC][OBS_SITE_CLONE], 2);
	assert_int_equal(res.model.free[SCN_OBJ_AVC][OBS_SITE_UNLINK], 6);
	assert_int_equal(res.checks, res.ops + 1);
	assert_int_equal(res.violations, 0);
	assert_int_equal(res.model_live_end[SCN_OBJ_ANON_VMA], 0);
	replay_result_free(&res);
	free(text);
}

/* The good recording with its first @from replaced by @to, counts right. */
static char *changed_trace(const char *from, const char *to)
{
	char *body = replaced(good_body, from, to), *text = make_trace(body, NULL);

	free(body);
	return text;
}

static void expect_diverge(const char *from, const char *to, unsigned long line,
			   const char *why)
{
	char *text = changed_trace(from, to);
	struct replay_result res;

	res = replay_text(text);
	assert_false(replay_agrees(&res));
	assert_true(res.ndiffs >= 1);
	assert_int_equal(res.diffs[0].line, line);
	if (!strstr(res.diffs[0].why, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, res.diffs[0].why);
	replay_result_free(&res);
	free(text);
}

static void test_replay_diverges(void **state)
{
	/* The kernel prepares an anon_vma the model does not (a read fault). */
	expect_diverge("address=0x7f0000000010 ip=0x400000 error_code=0x6",
		       "address=0x7f0000000010 ip=0x400000 error_code=0x4", 23,
		       "anon_vma allocated at __anon_vma_prepare: kernel 1, model 0");
	/* The model would move the mapping elsewhere than the kernel did. */
	expect_diverge("sys_exit_mmap 0x7f0000000000", "sys_exit_mmap 0x7ffd00000000", 21,
		       "returns 0x7ffd00000000 on the kernel, 0xffffffffffffffef on the model");
	/* The kernel's exit layout has a page the model never mapped. */
	expect_diverge("@anon 0x7f0000000000 1\n", "@anon 0x7f0000000000 2\n", 39,
		       "layout at exit: page 0x7f0000001000: present on the kernel, absent on the model");
}

/* Extract image 2 of @text (the good trace, perhaps changed) into a parsed scenario. */
static struct scenario *extract_image2(const char *text, char **out)
{
	struct replay_extract_stats st;
	struct scenario *scn;
	struct scn_error perr;
	char err[512] = "";
	size_t len = 0;
	struct trace t;
	FILE *f;
	int ids[] = { 2 };

	assert_int_equal(load(text, &t, NULL), 0);
	f = open_memstream(out, &len);
	assert_non_null(f);
	if (replay_extract(&t, "t.trace", ids, 1, f, &st, err, sizeof(err)))
		fail_msg("extract: %s", err);
	fclose(f);
	trace_free(&t);
	/* proc, 2 layout mmaps and a write, then mmap, write, fork and two exits. */
	assert_int_equal(st.steps, 9);
	assert_int_equal(st.expects, 8);
	assert_int_equal(st.unsaid, 1);		/* the exec */
	assert_int_equal(st.dropped, 1);	/* the unlisted child's write fault */
	assert_int_equal(st.pages, 309);
	scn = scn_parse("x.scn", *out, len, &perr);
	if (!scn)
		fail_msg("x.scn:%d:%d: %s\n%s", perr.line, perr.col, perr.msg, *out);
	return scn;
}

static void assert_step_counts(const struct scn_step *s, long av_alloc,
			       long av_free, long avc_alloc, long avc_free)
{
	assert_int_equal(s->nex, 2);
	assert_int_equal(s->ex[0].kind, SCN_EX_STEP);
	assert_int_equal(s->ex[0].obj, SCN_OBJ_ANON_VMA);
	assert_int_equal(s->ex[0].n, av_alloc);
	assert_int_equal(s->ex[0].n2, av_free);
	assert_int_equal(s->ex[1].obj, SCN_OBJ_AVC);
	assert_int_equal(s->ex[1].n, avc_alloc);
	assert_int_equal(s->ex[1].n2, avc_free);
}

/*
 * The good recording's program as a scenario: the layout relocated (the
 * program at page 0, the mapping 16 pages above, the stack 257 pages
 * above that), every operation with the kernel's counts; run on the
 * model it passes, as the replay agreed.
 */
static void test_extract(void **state)
{
	char *text = make_trace(good_body, NULL), *out = NULL;
	struct scenario *scn = extract_image2(text, &out);
	struct exec_opts eo = { .design = DESIGN_V6_18 };
	struct exec_summary sum;
	const struct scn_step *s = scn->steps;

	assert_int_equal(scn->base, SCN_DEFAULT_BASE);
	assert_int_equal(scn->pages, 309);
	assert_string_equal(scn->design, "v6.18");
	assert_int_equal(scn->nfiles, 1);
	assert_int_equal(scn->files[0].pages, 1);
	assert_int_equal(scn->nprocs, 2);
	assert_int_equal(scn->nsteps, 9);
	assert_int_equal(s[0].op, SCN_OP_PROC);
	/* /bin/prog, r-x, from the file at offset 0 */
	assert_int_equal(s[1].op, SCN_OP_MMAP);
	assert_int_equal(s[1].r.first, 0);
	assert_int_equal(s[1].r.end, 1);
	assert_int_equal(s[1].prot, PROT_READ | PROT_EXEC);
	assert_int_equal(s[1].file, 0);
	assert_int_equal(s[1].nex, 0);
	/* the stack: 33 pages, MAP_GROWSDOWN, a guard gap below it */
	assert_int_equal(s[2].op, SCN_OP_MMAP);
	assert_int_equal(s[2].r.first, 276);
	assert_int_equal(s[2].r.end, 309);
	assert_true(s[2].flags & MAP_GROWSDOWN);
	assert_int_equal(s[2].file, -1);
	/* the argument page exec wrote */
	assert_int_equal(s[3].op, SCN_OP_WRITE);
	assert_int_equal(s[3].r.first, 308);
	assert_int_equal(s[3].nex, 0);
	/* mmap(NULL, 2 pages) = 0x7f0000000000: 16 pages above the program */
	assert_int_equal(s[4].op, SCN_OP_MMAP);
	assert_int_equal(s[4].r.first, 17);
	assert_int_equal(s[4].r.end, 19);
	assert_step_counts(&s[4], 0, 0, 0, 0);
	/* the write fault that prepared an anon_vma */
	assert_int_equal(s[5].op, SCN_OP_WRITE);
	assert_int_equal(s[5].r.first, 17);
	assert_step_counts(&s[5], 1, 0, 1, 0);
	/* fork: anon_vma_fork for both faulted VMAs */
	assert_int_equal(s[6].op, SCN_OP_FORK);
	assert_step_counts(&s[6], 2, 0, 4, 0);
	/* the unlisted child's end: no counts, its own operations are left out */
	assert_int_equal(s[7].op, SCN_OP_EXIT);
	assert_int_equal(s[7].proc, 1);
	assert_int_equal(s[7].nex, 0);
	assert_int_equal(s[8].op, SCN_OP_EXIT);
	assert_int_equal(s[8].proc, 0);
	assert_step_counts(&s[8], 0, 2, 0, 2);
	assert_int_equal(exec_model(scn, &eo, &sum), 0);
	assert_int_equal(sum.expect_failures, 0);
	scn_free(scn);
	free(out);
	free(text);
}

/*
 * Where the replay diverges (the kernel prepared an anon_vma on a read
 * fault, which the model, with the zero page, does not), the extracted
 * scenario fails that step's expectation on the model.
 */
static void test_extract_diverges(void **state)
{
	char *good = changed_trace("error_code=0x6", "error_code=0x4"), *out = NULL;
	struct exec_opts eo = { .design = DESIGN_V6_18 };
	struct exec_summary sum;
	struct scenario *scn;

	scn = extract_image2(good, &out);
	assert_int_equal(scn->steps[5].op, SCN_OP_READ);
	assert_step_counts(&scn->steps[5], 1, 0, 1, 0);
	assert_int_equal(exec_model(scn, &eo, &sum), 1);
	/* the read, then the fork and the exit, with one faulted VMA less (two lines each) */
	assert_int_equal(sum.expect_failures, 6);
	scn_free(scn);
	free(out);
	free(good);
}

/* What cannot be extracted is refused with a reason, and nothing is written. */
static void expect_refused(const char *text, const int *ids, size_t nids,
			   const char *want)
{
	struct replay_extract_stats st;
	char err[512] = "", *out = NULL;
	size_t len = 0;
	struct trace t;
	FILE *f;

	assert_int_equal(load(text, &t, NULL), 0);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(replay_extract(&t, "t.trace", ids, nids, f, &st, err,
					sizeof(err)), -1);
	fclose(f);
	assert_int_equal(len, 0);
	if (!strstr(err, want))
		fail_msg("wanted \"%s\", got \"%s\"", want, err);
	trace_free(&t);
	free(out);
}

static void test_extract_refused(void **state)
{
	char *text = make_trace(good_body, NULL);
	static const int before_exec[] = { 1 }, child[] = { 3 }, none[] = { 9 };
	static const int image2[] = { 2 };

	expect_refused(text, before_exec, 1, "image 1 (before exec) has no known layout");
	expect_refused(text, child, 1, "image 3 is a fork of image 2, which is not listed");
	expect_refused(text, none, 1, "no image 9: the recording has 3");
	free(text);
	/*
	 * A 5 GiB mapping does not fit the language's 4 GiB window:
	 * 1 + 16 + 1310720 + 257 + 33 pages.
	 */
	text = changed_trace("len: 0x2000,", "len: 0x140000000,");
	expect_refused(text, image2, 1,
		       "the images need a window of 1311027 pages after relocation; the scenario language allows 1048576");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_malformed),
		cmocka_unit_test(test_load_truncated),
		cmocka_unit_test(test_replay_agrees),
		cmocka_unit_test(test_replay_diverges),
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_extract_diverges),
		cmocka_unit_test(test_extract_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
