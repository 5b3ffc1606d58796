/* SPDX-License-Identifier: MIT */
/*
 * The recorder's parsers and formatters on the kernel's own formats (no
 * root needed): the normalizer on real trace_pipe lines (comm columns
 * with spaces and dashes, an unknown tgid, syscall events, markers,
 * LOST lines), the per-CPU stats, the @vma lines from smaps text with
 * VmFlags, the @anon runs from pagemap entries, start_brk from a stat
 * line, the stable sort by timestamp and the shell quoting of the
 * command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "record/record.h"

static enum rec_line_kind norm(const char *line, char *out, size_t n,
			       struct rec_norm *nr)
{
	return rec_normalize(line, strlen(line), out, n, nr);
}

static void test_normalize_events(void **state)
{
	struct rec_norm nr;
	char out[512];

	assert_int_equal(norm("         python3-4309    (   4309) [000] .....   878.610638: "
			      "sys_mmap(addr: 0, len: 0x2000, prot: 3, flags: 0x22, fd: 0xffffffff, off: 0)",
			      out, sizeof(out), &nr), REC_LINE_EVENT);
	assert_string_equal(out, "878.610638 4309 4309 sys_enter_mmap addr: 0, len: 0x2000, "
			    "prot: 3, flags: 0x22, fd: 0xffffffff, off: 0");
	assert_int_equal(nr.ts, 878610638ULL);
	assert_int_equal(nr.len, strlen(out));
	assert_int_equal(nr.snapshot, 0);

	assert_int_equal(norm("              sh-4415    (   4415) [001] .....   899.624255: "
			      "sys_execve -> 0xfffffffffffffffe", out, sizeof(out), &nr),
			 REC_LINE_EVENT);
	assert_string_equal(out, "899.624255 4415 4415 sys_exit_execve 0xfffffffffffffffe");

	/* A comm with spaces and dashes; the tgid differs from the tid. */
	assert_int_equal(norm("   Web Content-a-2001    (   1999) [001] d..1.  1234.567890: "
			      "kmem_cache_free: call_site=unlink_anon_vmas+0x81/0x1e0 "
			      "ptr=ffff888100844540 name=anon_vma_chain", out, sizeof(out), &nr),
			 REC_LINE_EVENT);
	assert_string_equal(out, "1234.567890 2001 1999 kmem_cache_free call_site=unlink_anon_vmas+0x81/0x1e0 "
			    "ptr=ffff888100844540 name=anon_vma_chain");

	/* A comm that itself looks like "-PID (TGID) [CPU]". */
	assert_int_equal(norm("     a-1 (2) [0]-77      (     77) [001] .....     5.000001: "
			      "sched_process_exit: comm=x pid=77 prio=120 group_dead=true",
			      out, sizeof(out), &nr), REC_LINE_EVENT);
	assert_string_equal(out, "5.000001 77 77 sched_process_exit comm=x pid=77 prio=120 group_dead=true");

	/* ftrace knows no tgid for the task: -1. */
	assert_int_equal(norm("          <idle>-0       (-------) [000] d.h1.   100.000001: "
			      "page_fault_kernel: address=0x0 ip=0x0 error_code=0x0",
			      out, sizeof(out), &nr), REC_LINE_EVENT);
	assert_string_equal(out, "100.000001 0 -1 page_fault_kernel address=0x0 ip=0x0 error_code=0x0");
	assert_int_equal(nr.ts, 100000001ULL);

	/* Without record-tgid and irq-info. */
	assert_int_equal(norm("  cc1-42 [001]  7.5: task_newtask: pid=43 comm=cc1 clone_flags=1200000",
			      out, sizeof(out), &nr), REC_LINE_EVENT);
	assert_string_equal(out, "7.5 42 -1 task_newtask pid=43 comm=cc1 clone_flags=1200000");
	assert_int_equal(nr.ts, 7500000ULL);
}

static void test_normalize_markers(void **state)
{
	struct rec_norm nr;
	char out[512];

	assert_int_equal(norm("              sh-4305    (   4305) [000] ...1.   878.608208: "
			      "tracing_mark_write: anonvma-snapshot 12", out, sizeof(out), &nr),
			 REC_LINE_EVENT);
	assert_string_equal(out, "878.608208 4305 4305 tracing_mark_write anonvma-snapshot 12");
	assert_int_equal(nr.snapshot, 12);

	/* Another marker text is an event like any other. */
	assert_int_equal(norm("              sh-4305    (   4305) [000] ...1.   878.608209: "
			      "tracing_mark_write: hello world", out, sizeof(out), &nr),
			 REC_LINE_EVENT);
	assert_string_equal(out, "878.608209 4305 4305 tracing_mark_write hello world");
	assert_int_equal(nr.snapshot, 0);
}

static void test_normalize_other_lines(void **state)
{
	struct rec_norm nr;
	char out[512];

	assert_int_equal(norm("CPU:1 [LOST 37 EVENTS]", out, sizeof(out), &nr), REC_LINE_LOST);
	assert_int_equal(nr.cpu, 1);
	assert_int_equal(nr.lost, 37);
	assert_int_equal(norm("", out, sizeof(out), &nr), REC_LINE_SKIP);
	assert_int_equal(norm("# tracer: nop", out, sizeof(out), &nr), REC_LINE_SKIP);
	assert_int_equal(norm("garbage", out, sizeof(out), &nr), REC_LINE_BAD);
	/* No timestamp after the CPU. */
	assert_int_equal(norm("  sh-1 (1) [000] ..... x: e: y", out, sizeof(out), &nr),
			 REC_LINE_BAD);
	/* A syscall enter line cut short. */
	assert_int_equal(norm("  sh-1 (1) [000] ..... 1.000001: sys_mmap(addr: 0",
			      out, sizeof(out), &nr), REC_LINE_BAD);
	/* Too small an output buffer. */
	assert_int_equal(norm("  sh-1 (1) [000] ..... 1.000001: task_newtask: pid=2",
			      out, 10, &nr), REC_LINE_BAD);
}

static void test_stats(void **state)
{
	static const char text[] =
		"entries: 219\n"
		"overrun: 5\n"
		"commit overrun: 2\n"
		"bytes: 10336\n"
		"oldest event ts:   871.901547\n"
		"now ts:   872.221087\n"
		"dropped events: 7\n"
		"read events: 0\n";
	struct rec_cpu_stats st = { 0 };

	assert_int_equal(rec_parse_stats(text, &st), 0);
	assert_int_equal(st.overrun, 5);
	assert_int_equal(st.commit_overrun, 2);
	assert_int_equal(st.dropped, 7);
	assert_int_equal(rec_parse_stats("entries: 1\ncommit overrun: 0\n", &st), -1);
}

static const char smaps[] =
	"55b930465000-55b930469000 r--p 00000000 fe:00 247230                     /usr/bin/dash\n"
	"Size:                 16 kB\n"
	"Rss:                  16 kB\n"
	"Anonymous:             0 kB\n"
	"THPeligible:    0\n"
	"VmFlags: rd mr mw me \n"
	"55b930485000-55b930487000 rw-p 00000000 00:00 0 \n"
	"Size:                  8 kB\n"
	"Anonymous:             8 kB\n"
	"VmFlags: rd wr mr mw me ac \n"
	"7f0000000000-7f0000003000 rw-s 00002000 00:01 4242                       /memfd:a b (deleted)\n"
	"Size:                 12 kB\n"
	"VmFlags: rd wr sh mr mw me ms sd\n"
	"7fffd89a1000-7fffd89c2000 rw-p 00000000 00:00 0                          [stack]\n"
	"VmFlags: rd wr mr mw me gd ac\n";

static void test_smaps(void **state)
{
	struct rec_buf b = { 0 };
	struct rec_range *r;

	assert_int_equal(rec_format_smaps(&b, smaps, &r), 4);
	assert_string_equal(b.p,
		"@vma 0x55b930465000 0x55b930469000 r--p 0x00000000 fe:00 247230 rd,mr,mw,me /usr/bin/dash\n"
		"@vma 0x55b930485000 0x55b930487000 rw-p 0x00000000 00:00 0 rd,wr,mr,mw,me,ac -\n"
		"@vma 0x7f0000000000 0x7f0000003000 rw-s 0x00002000 00:01 4242 rd,wr,sh,mr,mw,me,ms,sd /memfd:a b (deleted)\n"
		"@vma 0x7fffd89a1000 0x7fffd89c2000 rw-p 0x00000000 00:00 0 rd,wr,mr,mw,me,gd,ac [stack]\n");
	assert_int_equal(r[0].start, 0x55b930465000UL);
	assert_int_equal(r[3].end, 0x7fffd89c2000UL);
	/* Anonymous: 0 (not walked), 8 kB, and none given (walked). */
	assert_int_equal(r[0].anon_kb, 0);
	assert_int_equal(r[1].anon_kb, 8);
	assert_int_equal(r[2].anon_kb, -1);
	assert_int_equal(r[3].anon_kb, -1);
	free(r);
	rec_buf_free(&b);

	/* A field before any VMA, or a VMA line that is not one. */
	assert_int_equal(rec_format_smaps(&b, "Size: 4 kB\n", &r), -1);
	assert_null(r);
	assert_int_equal(rec_format_smaps(&b, "not a vma\nVmFlags: rd\n", &r), -1);
	rec_buf_free(&b);
	assert_int_equal(rec_format_smaps(&b, "", &r), 0);
	free(r);
	rec_buf_free(&b);
}

static void test_anon_runs(void **state)
{
	const uint64_t P = PM_PRESENT, F = PM_FILE, zero = 0x1234;
	/* present anon, anon, absent, file, anon, zero page, anon */
	const uint64_t pm[] = { P | 7, P | 8, 0, P | F | 9, P | 10, P | zero, P | 11 };
	/* The next VMA starts right after: its first page extends the last run. */
	const uint64_t next[] = { P | 12, 0 };
	/* A swapped-out page is not present. */
	const uint64_t swapped[] = { P | 13, PM_SWAP, P | 14 };
	struct rec_buf b = { 0 };
	struct rec_runs r = { .b = &b, .page_size = 4096, .zero_pfn = zero };

	rec_runs_add(&r, 0x10000, pm, 7);
	rec_runs_add(&r, 0x17000, next, 2);
	rec_runs_add(&r, 0x30000, swapped, 3);
	rec_runs_flush(&r);
	assert_string_equal(b.p, "@anon 0x10000 2\n@anon 0x14000 1\n@anon 0x16000 2\n"
			    "@anon 0x30000 1\n@anon 0x32000 1\n");
	assert_int_equal(r.count, 5);
	rec_buf_free(&b);

	/* Runs found by PAGEMAP_SCAN: adjacent ones join, others do not. */
	memset(&r, 0, sizeof(r));
	r.b = &b;
	r.page_size = 4096;
	rec_runs_add_range(&r, 0x10000, 2);
	rec_runs_add_range(&r, 0x12000, 3);
	rec_runs_add_range(&r, 0x20000, 1);
	rec_runs_add(&r, 0x21000, next, 2);
	rec_runs_flush(&r);
	assert_string_equal(b.p, "@anon 0x10000 5\n@anon 0x20000 2\n");
	rec_buf_free(&b);

	/* Not adjacent: two runs; without a known zero page, PFN 0x1234 is anon. */
	memset(&r, 0, sizeof(r));
	r.b = &b;
	r.page_size = 4096;
	rec_runs_add(&r, 0x10000, next, 1);
	rec_runs_add(&r, 0x20000, pm + 5, 1);
	rec_runs_flush(&r);
	assert_string_equal(b.p, "@anon 0x10000 1\n@anon 0x20000 1\n");
	rec_buf_free(&b);
}

static void test_start_brk(void **state)
{
	struct rec_buf b = { 0 };
	unsigned long brk = 0;
	int f;

	/* A comm with spaces and parentheses; fields 4..52 hold their number. */
	rec_buf_printf(&b, "1234 (a b) c) S");
	for (f = 4; f <= 52; f++)
		rec_buf_printf(&b, " %d", f == 47 ? 94000000 : f);
	rec_buf_printf(&b, "\n");
	assert_int_equal(rec_stat_start_brk(b.p, &brk), 0);
	assert_int_equal(brk, 94000000UL);
	assert_int_equal(rec_stat_start_brk("1 (x) S 1 2 3\n", &brk), -1);
	assert_int_equal(rec_stat_start_brk("no parenthesis", &brk), -1);
	rec_buf_free(&b);
}

static void test_sort_stable(void **state)
{
	struct rec_event ev[] = {
		{ .ts = 30, .seq = 0, .text = "c" },
		{ .ts = 10, .seq = 1, .text = "a1" },
		{ .ts = 20, .seq = 2, .text = "b" },
		{ .ts = 10, .seq = 3, .text = "a2" },
		{ .ts = 10, .seq = 4, .text = "a3" },
		{ .ts = 30, .seq = 5, .text = "d" },
	};
	static const char *const want[] = { "a1", "a2", "a3", "b", "c", "d" };
	size_t i;

	rec_sort_events(ev, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(ev[i].text, want[i]);
}

static void test_shell_quote(void **state)
{
	struct rec_buf b = { 0 };

	rec_shell_quote(&b, "make");
	rec_buf_printf(&b, " ");
	rec_shell_quote(&b, "-j2");
	rec_buf_printf(&b, " ");
	rec_shell_quote(&b, "for i in 1; do x; done");
	rec_buf_printf(&b, " ");
	rec_shell_quote(&b, "it's");
	rec_buf_printf(&b, " ");
	rec_shell_quote(&b, "");
	assert_string_equal(b.p, "make -j2 'for i in 1; do x; done' 'it'\\''s' ''");
	rec_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_events),
		cmocka_unit_test(test_normalize_markers),
		cmocka_unit_test(test_normalize_other_lines),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_smaps),
		cmocka_unit_test(test_anon_runs),
		cmocka_unit_test(test_start_brk),
		cmocka_unit_test(test_sort_stable),
		cmocka_unit_test(test_shell_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
