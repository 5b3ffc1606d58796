// SPDX-License-Identifier: MIT
/*
 * The trace file's reader: header, event lines, snapshot blocks and
 * trailer (docs/record-replay.md), each checked as it is read.
 *
 * The payloads are the kernel's own tracepoint output, so each event name
 * has one small decoder that knows its print format (the format files in
 * tracefs's events/ directory); a payload that does not decode is an
 * error at its line, never a silently skipped event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <anonvma/mm_types.h>

#include "../kernel/kernel_internal.h"
#include "../scenario/observe.h"
#include "grow.h"
#include "trace.h"

static const char *const tsys_names[NR_TSYS] = {
	[TSYS_MMAP] = "mmap", [TSYS_MUNMAP] = "munmap",
	[TSYS_MPROTECT] = "mprotect", [TSYS_PKEY_MPROTECT] = "pkey_mprotect",
	[TSYS_MREMAP] = "mremap", [TSYS_MADVISE] = "madvise",
	[TSYS_PROCESS_MADVISE] = "process_madvise", [TSYS_BRK] = "brk",
	[TSYS_CLONE] = "clone", [TSYS_CLONE3] = "clone3",
	[TSYS_FORK] = "fork", [TSYS_VFORK] = "vfork",
	[TSYS_EXECVE] = "execve", [TSYS_EXECVEAT] = "execveat",
	[TSYS_EXIT] = "exit", [TSYS_EXIT_GROUP] = "exit_group",
	[TSYS_MLOCK] = "mlock", [TSYS_MLOCK2] = "mlock2",
	[TSYS_MUNLOCK] = "munlock", [TSYS_MLOCKALL] = "mlockall",
	[TSYS_MUNLOCKALL] = "munlockall", [TSYS_SHMAT] = "shmat",
	[TSYS_SHMDT] = "shmdt", [TSYS_PRCTL] = "prctl", [TSYS_MSEAL] = "mseal",
	[TSYS_OPEN] = "open", [TSYS_OPENAT] = "openat",
	[TSYS_OPENAT2] = "openat2", [TSYS_MEMFD_CREATE] = "memfd_create",
	[TSYS_DUP] = "dup", [TSYS_DUP2] = "dup2", [TSYS_DUP3] = "dup3",
	[TSYS_CLOSE] = "close", [TSYS_CLOSE_RANGE] = "close_range",
};

/** tsys_name() - see trace.h. */
const char *tsys_name(enum tsys nr)
{
	return nr < NR_TSYS ? tsys_names[nr] : "?";
}

/* The smaps VmFlags mnemonics (fs/proc/task_mmu.c) of the flags the model has. */
static const struct {
	char name[3];
	vm_flags_t flag;
} vmflag_names[] = {
	{ "rd", VM_READ }, { "wr", VM_WRITE }, { "ex", VM_EXEC },
	{ "sh", VM_SHARED }, { "mr", VM_MAYREAD }, { "mw", VM_MAYWRITE },
	{ "me", VM_MAYEXEC }, { "ms", VM_MAYSHARE }, { "gd", VM_GROWSDOWN },
	{ "pf", VM_PFNMAP }, { "lo", VM_LOCKED }, { "io", VM_IO },
	{ "dc", VM_DONTCOPY }, { "de", VM_DONTEXPAND }, { "lf", VM_LOCKONFAULT },
	{ "ac", VM_ACCOUNT }, { "nr", VM_NORESERVE }, { "wf", VM_WIPEONFORK },
	{ "dd", VM_DONTDUMP }, { "sd", VM_SOFTDIRTY }, { "mm", VM_MIXEDMAP },
	{ "hg", VM_HUGEPAGE }, { "nh", VM_NOHUGEPAGE }, { "mg", VM_MERGEABLE },
};

struct reader {
	const char *name;
	unsigned long line;
	uint64_t ts;		/* the last event's, in microseconds */
	size_t argcap;
	char *err;
	size_t n;
	struct trace *t;
};

static int fail(struct reader *r, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(r->err, r->n, "%s:%lu: %s", r->name, r->line, msg);
	return -1;
}

/* A whole unsigned number in base @base at *@s, which is advanced. */
static bool number(const char **s, int base, uint64_t *v)
{
	char *end;

	if (**s == '-' || **s == ' ' || !**s)
		return false;
	errno = 0;
	*v = strtoull(*s, &end, base);
	if (end == *s || errno)
		return false;
	*s = end;
	return true;
}

/* The value after the last occurrence of @key (e.g. " pid=") in @p. */
static bool last_field(const char *p, const char *key, int base, uint64_t *v)
{
	const char *at = NULL, *q = p;

	while ((q = strstr(q, key))) {
		at = q;
		q++;
	}
	if (!at)
		return false;
	at += strlen(key);
	return number(&at, base, v) && (*at == ' ' || !*at);
}

/* "name: 0x.., name: 0x.." of a sys_enter event, up to six values. */
static bool sys_args(const char *p, uint64_t *a)
{
	int i = 0;

	while (*p) {
		const char *c = strstr(p, ": ");

		if (!c || i == 6)
			return false;
		p = c + 2;
		if (!number(&p, 0, &a[i++]))
			return false;
		if (!*p)
			return true;
		if (strncmp(p, ", ", 2))
			return false;
		p += 2;
	}
	return i == 0;
}

static int parse_sys(struct reader *r, struct tevent *e, const char *name,
		     const char *payload, bool enter)
{
	struct tsysargs *args;
	int i;

	for (i = 0; i < NR_TSYS; i++)
		if (!strcmp(name, tsys_names[i]))
			break;
	if (i == NR_TSYS)
		return fail(r, "unknown system call event sys_%s", name);
	e->kind = enter ? TEV_SYS_ENTER : TEV_SYS_EXIT;
	e->sys.nr = (uint8_t)i;
	args = grow_array(r->t->sysargs, &r->argcap, r->t->nsysargs + 1, sizeof(*args));
	if (!args)
		return fail(r, "out of memory%s", "");
	r->t->sysargs = args;
	args += r->t->nsysargs;
	memset(args, 0, sizeof(*args));
	if (enter ? !sys_args(payload, args->a) :
	    !(number(&payload, 0, &args->a[0]) && !*payload))
		return fail(r, "cannot decode the arguments of %s", name);
	e->sys.args = (uint32_t)r->t->nsysargs++;
	return 0;
}

static int parse_fault(struct reader *r, struct tevent *e, const char *p)
{
	uint64_t err;
	const char *a = p;

	if (strncmp(a, "address=", 8) || !last_field(p, " error_code=", 16, &err))
		return fail(r, "cannot decode the page fault %s", p);
	a += 8;
	/* %ps prints a kernel address as a symbol: not a user page. */
	if (!number(&a, 16, &e->fault.addr) || *a != ' ')
		e->fault.addr = UINT64_MAX;
	e->fault.err = (uint32_t)err;
	return 0;
}

static int parse_kmem(struct reader *r, struct tevent *e, const char *p,
		      bool alloc)
{
	char func[64], cache[32];
	const char *q;
	enum scn_object obj;
	enum obs_site site;
	size_t len;

	if (strncmp(p, "call_site=", 10))
		return fail(r, "cannot decode the kmem event %s", p);
	p += 10;
	len = strcspn(p, "+ ");
	if (!len || len >= sizeof(func))
		return fail(r, "bad call site in %s", p);
	memcpy(func, p, len);
	func[len] = '\0';
	q = strstr(p, " ptr=");
	if (!q)
		return fail(r, "no ptr= in %s", p);
	q += 5;
	if (!number(&q, 16, &e->kmem.ptr))
		return fail(r, "bad ptr= in %s", p);
	q = strstr(q, " name=");
	if (!q)
		return fail(r, "no name= in %s", p);
	q += 6;
	len = strcspn(q, " ");
	if (!len || len >= sizeof(cache))
		return fail(r, "bad cache name in %s", p);
	memcpy(cache, q, len);
	cache[len] = '\0';
	e->kind = alloc ? TEV_KMEM_ALLOC : TEV_KMEM_FREE;
	switch (ksite_classify(cache, func, alloc, &obj, &site)) {
	case KSITE_COUNTED:
		e->kmem.obj = (uint8_t)obj;
		e->kmem.site = (int8_t)site;
		break;
	case KSITE_OTHER:
		e->kmem.obj = (uint8_t)obj;
		e->kmem.site = TKMEM_NOT_RMAP;
		break;
	default:
		if (strcmp(cache, "anon_vma") && strcmp(cache, "anon_vma_chain"))
			return fail(r, "a kmem event of cache %s, which is not recorded", cache);
		/* An rmap call site the model does not have: it will disagree. */
		e->kmem.obj = !strcmp(cache, "anon_vma") ? SCN_OBJ_ANON_VMA : SCN_OBJ_AVC;
		e->kmem.site = OBS_SITE_OTHER;
		break;
	}
	return 0;
}

/*
 * The value after the last @key that starts before @stop in @p: a comm
 * or a file name printed earlier in the line may contain the key too.
 */
static bool field_before(const char *p, const char *key, const char *stop,
			 uint64_t *v)
{
	const char *lim = strstr(p, stop), *q = p, *at = NULL;

	while (lim && (q = strstr(q, key)) && q < lim) {
		at = q;
		q++;
	}
	if (!at)
		return false;
	at += strlen(key);
	return number(&at, 10, v) && *at == ' ';
}

static int parse_task(struct reader *r, struct tevent *e, const char *ev,
		      const char *p)
{
	uint64_t v = 0, w = 0;
	bool ok;

	if (!strcmp(ev, "task_newtask")) {
		const char *q = p + 4;

		e->kind = TEV_NEWTASK;
		ok = !strncmp(p, "pid=", 4) && number(&q, 10, &v) &&
		     last_field(p, " clone_flags=", 16, &w);
		e->task.flags = w;
	} else if (!strcmp(ev, "sched_process_fork")) {
		e->kind = TEV_FORK;
		ok = last_field(p, " child_pid=", 10, &v);
	} else if (!strcmp(ev, "sched_process_exec")) {
		e->kind = TEV_EXEC;
		ok = last_field(p, " old_pid=", 10, &w) &&
		     field_before(p, " pid=", " old_pid=", &v);
		e->task.old_pid = (int32_t)w;
	} else {
		e->kind = TEV_EXIT;
		ok = field_before(p, " pid=", " prio=", &v);
	}
	if (!ok || v > INT32_MAX)
		return fail(r, "cannot decode the task event %s", p);
	e->task.pid = (int32_t)v;
	return 0;
}

/* "<ts> <tid> <tgid> <event> <payload>" */
static int parse_event(struct reader *r, char *line, struct tevent *e)
{
	uint64_t sec, usec, v, ts;
	const char *p = line, *frac;
	char ev[64];
	size_t len;

	memset(e, 0, sizeof(*e));
	e->line = (uint32_t)r->line;
	if (!number(&p, 10, &sec) || *p != '.')
		return fail(r, "expected a timestamp at the start of %s", line);
	frac = ++p;
	if (!number(&p, 10, &usec) || p - frac != 6 || *p != ' ')
		return fail(r, "bad timestamp in %s", line);
	ts = sec * 1000000 + usec;
	if (ts < r->ts)
		return fail(r, "timestamps go backwards: the events are out of order%s", "");
	r->ts = ts;
	p++;
	if (!number(&p, 10, &v) || *p != ' ' || v > INT32_MAX)
		return fail(r, "bad tid in %s", line);
	e->tid = (int32_t)v;
	p++;
	if (!strncmp(p, "-1 ", 3)) {
		e->tgid = -1;
		p += 3;
	} else if (number(&p, 10, &v) && *p == ' ' && v <= INT32_MAX) {
		e->tgid = (int32_t)v;
		p++;
	} else {
		return fail(r, "bad tgid in %s", line);
	}
	len = strcspn(p, " ");
	if (!len || len >= sizeof(ev))
		return fail(r, "bad event name in %s", line);
	memcpy(ev, p, len);
	ev[len] = '\0';
	p += len;
	if (*p == ' ')
		p++;

	if (!strncmp(ev, "sys_enter_", 10))
		return parse_sys(r, e, ev + 10, p, true);
	if (!strncmp(ev, "sys_exit_", 9))
		return parse_sys(r, e, ev + 9, p, false);
	if (!strcmp(ev, "page_fault_user") || !strcmp(ev, "page_fault_kernel")) {
		e->kind = ev[11] == 'u' ? TEV_FAULT_USER : TEV_FAULT_KERNEL;
		return parse_fault(r, e, p);
	}
	if (!strcmp(ev, "kmem_cache_alloc") || !strcmp(ev, "kmem_cache_free"))
		return parse_kmem(r, e, p, ev[11] == 'a');
	if (!strcmp(ev, "task_newtask") || !strcmp(ev, "sched_process_fork") ||
	    !strcmp(ev, "sched_process_exec") || !strcmp(ev, "sched_process_exit"))
		return parse_task(r, e, ev, p);
	if (!strcmp(ev, "tracing_mark_write")) {
		if (!strncmp(p, "anonvma-snapshot ", 17)) {
			p += 17;
			if (!number(&p, 10, &v) || *p || v > UINT32_MAX)
				return fail(r, "bad snapshot marker %s", line);
			e->kind = TEV_SNAPSHOT;
			e->snap = (uint32_t)v;
		} else {
			e->kind = TEV_MARKER;
		}
		return 0;
	}
	return fail(r, "unknown event %s", ev);
}

static int add_string(struct tsnap *s, const char *str, size_t *cap)
{
	size_t len = strlen(str) + 1;
	char *np = grow_array(s->strings, cap, s->strings_len + len, 1);

	if (!np)
		return -1;
	s->strings = np;
	memcpy(s->strings + s->strings_len, str, len);
	s->strings_len += len;
	return (int)(s->strings_len - len);
}

static int parse_vmflags(const char *p, size_t len, struct tsnap_vma *v)
{
	while (len) {
		size_t k = 0, i;

		while (k < len && p[k] != ',')
			k++;
		if (k != 2)
			return -1;
		for (i = 0; i < sizeof(vmflag_names) / sizeof(vmflag_names[0]); i++)
			if (!strncmp(p, vmflag_names[i].name, 2))
				break;
		if (i < sizeof(vmflag_names) / sizeof(vmflag_names[0]))
			v->flags |= vmflag_names[i].flag;
		else
			v->unknown_flags = true;
		p += k;
		len -= k;
		if (len) {
			p++;
			len--;
		}
	}
	return 0;
}

/* "@vma 0xS 0xE perms 0xOFF maj:min inode flags path" */
static int parse_vma(struct reader *r, struct tsnap *s, const char *p,
		     size_t *vcap, size_t *scap)
{
	const char *whole = p;
	struct tsnap_vma v = { .path = -1 };
	uint64_t maj, min;
	size_t len;
	struct tsnap_vma *nv;

	if (!number(&p, 0, &v.start) || *p++ != ' ' ||
	    !number(&p, 0, &v.end) || *p++ != ' ' || v.start >= v.end)
		return fail(r, "bad VMA range in @vma %s", whole);
	if (strlen(p) < 5 || p[4] != ' ')
		return fail(r, "bad permissions in @vma %s", whole);
	memcpy(v.perms, p, 4);
	p += 5;
	if (!number(&p, 0, &v.offset) || *p++ != ' ' ||
	    !number(&p, 16, &maj) || *p++ != ':' || !number(&p, 16, &min) ||
	    *p++ != ' ' || !number(&p, 10, &v.inode) || *p++ != ' ')
		return fail(r, "bad offset, device or inode in @vma %s", whole);
	v.dev = (uint32_t)(maj << 20 | min);
	len = strcspn(p, " ");
	if (parse_vmflags(p, len, &v))
		return fail(r, "bad VmFlags in @vma %s", whole);
	p += len;
	if (*p++ != ' ' || !*p)
		return fail(r, "no path (or -) at the end of @vma %s", whole);
	if (strcmp(p, "-")) {
		v.path = add_string(s, p, scap);
		if (v.path < 0)
			return fail(r, "out of memory%s", "");
	}
	nv = grow_array(s->vmas, vcap, s->nvmas + 1, sizeof(*nv));
	if (!nv)
		return fail(r, "out of memory%s", "");
	s->vmas = nv;
	if (s->nvmas && s->vmas[s->nvmas - 1].end > v.start)
		return fail(r, "@vma lines overlap or are out of order%s", "");
	s->vmas[s->nvmas++] = v;
	return 0;
}

static int parse_run(struct reader *r, struct tsnap *s, const char *p,
		     size_t *cap)
{
	const char *whole = p;
	struct tsnap_run run, *nr;

	if (!number(&p, 0, &run.start) || *p++ != ' ' ||
	    !number(&p, 10, &run.npages) || *p || !run.npages ||
	    run.start & (r->t->page_size - 1) ||
	    run.npages > (UINT64_MAX - run.start) / r->t->page_size)
		return fail(r, "bad @anon run %s", whole);
	if (s->nruns && s->runs[s->nruns - 1].start +
	    s->runs[s->nruns - 1].npages * r->t->page_size > run.start)
		return fail(r, "@anon runs overlap or are out of order%s", "");
	nr = grow_array(s->runs, cap, s->nruns + 1, sizeof(*nr));
	if (!nr)
		return fail(r, "out of memory%s", "");
	s->runs = nr;
	s->runs[s->nruns++] = run;
	return 0;
}

/* Split the next line off @buf; NULL at the end. */
static char *next_line(char **buf, const char *end)
{
	char *line = *buf, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl) {
		*nl = '\0';
		*buf = nl + 1;
	} else {
		*buf = (char *)end;
	}
	return line;
}

static int parse_header(struct reader *r, char **pos, const char *end,
			bool allow_other_kernel)
{
	bool seen[5] = { false };
	unsigned long kernel_line = 0, machine_line = 0, events_line;
	char *line;
	uint64_t v;

	r->line = 1;
	line = next_line(pos, end);
	if (!line || strncmp(line, "anonvma-trace ", 14))
		return fail(r, "not an anonvma trace (no 'anonvma-trace VERSION' line)%s", "");
	if (strcmp(line + 14, "1"))
		return fail(r, "trace format version %s; this anonvma reads version 1", line + 14);
	while ((line = next_line(pos, end))) {
		const char *val = strchr(line, ' ');

		r->line++;
		if (!strcmp(line, "events"))
			break;
		if (!line[0] || line[0] == '#')
			continue;
		if (!val)
			return fail(r, "header line without a value: %s", line);
		val++;
		if (!strncmp(line, "kernel ", 7)) {
			snprintf(r->t->kernel, sizeof(r->t->kernel), "%s", val);
			kernel_line = r->line;
			seen[0] = true;
		} else if (!strncmp(line, "machine ", 8)) {
			snprintf(r->t->machine, sizeof(r->t->machine), "%s", val);
			machine_line = r->line;
			seen[1] = true;
		} else if (!strncmp(line, "page-size ", 10)) {
			if (!number(&val, 10, &v) || *val || v != 4096)
				return fail(r, "page size %s: only 4096 is modelled", line + 10);
			r->t->page_size = v;
			seen[2] = true;
		} else if (!strncmp(line, "command ", 8)) {
			snprintf(r->t->command, sizeof(r->t->command), "%s", val);
			seen[3] = true;
		} else if (!strncmp(line, "root-pid ", 9)) {
			if (!number(&val, 10, &v) || *val || !v || v > INT32_MAX)
				return fail(r, "bad root-pid %s", line + 9);
			r->t->root_pid = (int)v;
			seen[4] = true;
		} else if (!strncmp(line, "zero-page ", 10)) {
			if (strcmp(val, "forbidden") && strcmp(val, "allowed"))
				return fail(r, "zero-page is allowed or forbidden, not %s", val);
			r->t->no_zero_page = !strcmp(val, "forbidden");
		} else if (strncmp(line, "missing-events ", 15) &&
			   strncmp(line, "recorded ", 9) &&
			   strncmp(line, "buffer-kb ", 10)) {
			return fail(r, "unknown header line: %s", line);
		}
	}
	if (!line)
		return fail(r, "the header has no 'events' line (truncated?)%s", "");
	events_line = r->line;
	if (!(seen[0] && seen[1] && seen[2] && seen[3] && seen[4]))
		return fail(r, "the header lacks one of kernel, machine, page-size, command, root-pid%s", "");
	r->line = machine_line;
	if (strcmp(r->t->machine, "x86_64"))
		return fail(r, "recorded on %s: only x86_64 page-fault error codes are decoded",
			    r->t->machine);
	r->line = kernel_line;
	if (!allow_other_kernel && strncmp(r->t->kernel, "6.18.", 5) &&
	    strcmp(r->t->kernel, "6.18"))
		return fail(r, "recorded on Linux %s; the model follows 6.18's rules (--any-kernel to replay anyway)",
			    r->t->kernel);
	r->line = events_line;
	return 0;
}

/*
 * exec writes a few pages (the stack's strings, the data segments'
 * tails); a snapshot that claims more is not one of exec's, and replaying
 * it as writes would take as long as it claims.
 */
#define EXEC_MAX_PAGES 65536

static int check_snapshot(struct reader *r, const struct tsnap *s)
{
	uint64_t pages = 0;
	uint32_t i;

	for (i = 0; i < s->nruns; i++)
		pages += s->runs[i].npages;
	if (s->exec && pages > EXEC_MAX_PAGES) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%llu", (unsigned long long)pages);
		return fail(r, "an exec snapshot with %s present pages: exec writes far fewer", msg);
	}
	return 0;
}

static int parse_snapshot(struct reader *r, char **pos, const char *end,
			  const char *head, uint32_t want)
{
	struct trace *t = r->t;
	size_t vcap = 0, rcap = 0, scap = 0;
	struct tsnap *s = &t->snaps[t->nsnaps];
	const char *p = head;
	uint64_t n, tid, tgid;
	char *line;

	memset(s, 0, sizeof(*s));
	s->line = (uint32_t)r->line;
	if (!number(&p, 10, &n) || *p++ != ' ')
		return fail(r, "bad @snapshot line %s", head);
	if (!strncmp(p, "exec ", 5)) {
		s->exec = true;
		p += 5;
	} else if (!strncmp(p, "exit ", 5)) {
		p += 5;
	} else {
		return fail(r, "a snapshot is exec or exit: %s", head);
	}
	if (strncmp(p, "tid=", 4))
		return fail(r, "bad @snapshot line %s", head);
	p += 4;
	if (!number(&p, 10, &tid) || strncmp(p, " tgid=", 6))
		return fail(r, "bad @snapshot line %s", head);
	p += 6;
	if (!number(&p, 10, &tgid) || *p)
		return fail(r, "bad @snapshot line %s", head);
	if (n != want)
		return fail(r, "@snapshot %s does not follow its marker", head);
	s->n = (uint32_t)n;
	s->tid = (int32_t)tid;
	s->tgid = (int32_t)tgid;
	t->nsnaps++;
	while ((line = next_line(pos, end))) {
		r->line++;
		if (!strcmp(line, "@end"))
			return check_snapshot(r, s);
		if (!strncmp(line, "@vma ", 5)) {
			if (parse_vma(r, s, line + 5, &vcap, &scap))
				return -1;
		} else if (!strncmp(line, "@anon ", 6)) {
			if (parse_run(r, s, line + 6, &rcap))
				return -1;
		} else if (!strncmp(line, "@brk start_brk=", 15) && s->exec) {
			const char *q = line + 15;

			if (!number(&q, 0, &s->start_brk) || *q)
				return fail(r, "bad @brk %s", line);
		} else {
			return fail(r, "unexpected line in a snapshot block: %s", line);
		}
	}
	return fail(r, "snapshot block without @end (truncated)%s", "");
}

static int parse_trailer(struct reader *r, const char *line, size_t nevents,
			 bool *done)
{
	uint64_t a[4];
	const char *p;

	if (!strncmp(line, "@lost cpu=", 10)) {
		p = line + 10;
		if (!number(&p, 10, &a[0]) || strncmp(p, " overrun=", 9))
			return fail(r, "bad @lost line %s", line);
		p += 9;
		if (!number(&p, 10, &a[1]) || strncmp(p, " dropped=", 9))
			return fail(r, "bad @lost line %s", line);
		p += 9;
		if (!number(&p, 10, &a[2]) || strncmp(p, " commit-overrun=", 16))
			return fail(r, "bad @lost line %s", line);
		p += 16;
		if (!number(&p, 10, &a[3]) || *p)
			return fail(r, "bad @lost line %s", line);
		if (a[1] || a[2] || a[3])
			return fail(r, "events were lost while recording (%s): the trace is incomplete and cannot be replayed exactly; record again with a larger --buffer",
				    line + 6);
		return 0;
	}
	if (!strncmp(line, "@end-of-trace events=", 21)) {
		p = line + 21;
		if (!number(&p, 10, &a[0]) || strncmp(p, " snapshots=", 11))
			return fail(r, "bad @end-of-trace line %s", line);
		p += 11;
		if (!number(&p, 10, &a[1]) || *p)
			return fail(r, "bad @end-of-trace line %s", line);
		if (a[0] != nevents || a[1] != r->t->nsnaps) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%zu events and %zu snapshots",
				 nevents, r->t->nsnaps);
			return fail(r, "@end-of-trace does not match the body, which has %s", msg);
		}
		*done = true;
		return 0;
	}
	return fail(r, "unexpected line %s", line);
}

/*
 * Parse the @len bytes at @buf, which the parser may write to (it cuts
 * lines in place) and which have one more byte after them for a NUL.
 */
static int parse_buffer(const char *name, char *buf, size_t len,
			struct trace *t, char *err, size_t n,
			bool allow_other_kernel)
{
	struct reader r = { .name = name, .err = err, .n = n, .t = t };
	size_t evcap = 0, snapcap = 0;
	char *pos, *end, *line;
	bool done = false, trailer = false;

	memset(t, 0, sizeof(*t));
	if (memchr(buf, '\0', len)) {
		snprintf(err, n, "%s: a NUL byte: not a text trace", name);
		return -1;
	}
	buf[len] = '\0';
	pos = buf;
	end = buf + len;
	if (parse_header(&r, &pos, end, allow_other_kernel))
		return -1;
	while ((line = next_line(&pos, end))) {
		struct tevent *e;

		r.line++;
		if (done) {
			if (line[0]) {
				fail(&r, "text after @end-of-trace%s", "");
				return -1;
			}
			continue;
		}
		if (line[0] == '@') {
			trailer = true;
			if (parse_trailer(&r, line, t->nev, &done))
				return -1;
			continue;
		}
		if (trailer) {
			fail(&r, "an event after the trailer: %s", line);
			return -1;
		}
		e = grow_array(t->ev, &evcap, t->nev + 1, sizeof(*e));
		if (!e) {
			fail(&r, "out of memory%s", "");
			return -1;
		}
		t->ev = e;
		e = &t->ev[t->nev];
		if (parse_event(&r, line, e))
			return -1;
		t->nev++;
		if (e->kind == TEV_SNAPSHOT) {
			struct tsnap *ns = grow_array(t->snaps, &snapcap, t->nsnaps + 1, sizeof(*ns));

			if (!ns) {
				fail(&r, "out of memory%s", "");
				return -1;
			}
			t->snaps = ns;
			line = next_line(&pos, end);
			r.line++;
			if (!line || strncmp(line, "@snapshot ", 10)) {
				fail(&r, "a snapshot marker without its @snapshot block%s", "");
				return -1;
			}
			if (parse_snapshot(&r, &pos, end, line + 10, e->snap))
				return -1;
			e->snap = (uint32_t)(t->nsnaps - 1);
		}
	}
	if (!done) {
		fail(&r, "no @end-of-trace line: the trace is truncated%s", "");
		return -1;
	}
	return 0;
}

/** trace_load_mem() - see trace.h. */
int trace_load_mem(const char *name, const char *buf, size_t len,
		   struct trace *t, char *err, size_t n,
		   bool allow_other_kernel)
{
	char *copy = malloc(len + 1);
	int ret;

	if (!copy) {
		memset(t, 0, sizeof(*t));
		snprintf(err, n, "%s: out of memory", name);
		return -1;
	}
	memcpy(copy, buf, len);
	ret = parse_buffer(name, copy, len, t, err, n, allow_other_kernel);
	free(copy);
	return ret;
}

/*
 * All of @fd, in a malloc'd buffer of *@len bytes (with room for one more);
 * NULL with errno set when reading fails or memory is short.
 */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 0;
	char *buf = NULL;
	ssize_t r;

	*len = 0;
	for (;;) {
		char *nb = grow_array(buf, &cap, *len + 65536, 1);

		if (!nb) {
			free(buf);
			return NULL;
		}
		buf = nb;
		r = read(fd, buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	return buf;
}

/*
 * A recording compressed with gzip (tests/traces keeps them so) is read
 * through gzip -dc: gzip is an essential package on Debian, so no
 * library is needed for it.
 */
static char *read_gzip(const char *path, size_t *len, char *err, size_t n)
{
	int pfd[2], st;
	pid_t pid;
	char *buf;

	if (pipe(pfd)) {
		snprintf(err, n, "%s: pipe: %s", path, strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, n, "%s: fork: %s", path, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execlp("gzip", "gzip", "-dc", "--", path, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	buf = read_all(pfd[0], len);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (!buf) {
		snprintf(err, n, "%s: out of memory", path);
		return NULL;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(err, n, "%s: gzip -dc failed (%s)", path,
			 WIFEXITED(st) && WEXITSTATUS(st) == 127 ?
			 "no gzip" : "not a valid gzip file");
		free(buf);
		return NULL;
	}
	return buf;
}

/** trace_load() - see trace.h. */
int trace_load(const char *path, struct trace *t, char *err, size_t n,
	       bool allow_other_kernel)
{
	size_t len = 0, map, plen = strlen(path);
	char *buf;
	int ret;

	memset(t, 0, sizeof(*t));
	if (plen > 3 && !strcmp(path + plen - 3, ".gz")) {
		buf = read_gzip(path, &len, err, n);
		if (!buf)
			return -1;
	} else {
		int fd = strcmp(path, "-") ? open(path, O_RDONLY) : dup(STDIN_FILENO);
		struct stat sb;

		if (fd < 0 || fstat(fd, &sb)) {
			snprintf(err, n, "%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (!S_ISREG(sb.st_mode)) {
			buf = read_all(fd, &len);
			if (!buf)
				snprintf(err, n, "%s: %s", path, strerror(errno));
			close(fd);
			if (!buf)
				return -1;
			goto parse;
		}
		/*
		 * A private, writable mapping of the file inside an anonymous
		 * one that has room for a NUL after the last byte: the parser
		 * cuts lines in place, without a copy of a trace that can be
		 * tens of megabytes.
		 */
		len = (size_t)sb.st_size;
		map = (len + 1 + 4095) & ~(size_t)4095;
		buf = mmap(NULL, map, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf != MAP_FAILED && len &&
		    mmap(buf, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED) {
			munmap(buf, map);
			buf = MAP_FAILED;
		}
		close(fd);
		if (buf == MAP_FAILED) {
			snprintf(err, n, "%s: %s", path, strerror(errno));
			return -1;
		}
		ret = parse_buffer(path, buf, len, t, err, n, allow_other_kernel);
		munmap(buf, map);
		return ret;
	}
parse:
	ret = parse_buffer(path, buf, len, t, err, n, allow_other_kernel);
	free(buf);
	return ret;
}

/** trace_free() - see trace.h. */
void trace_free(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->nsnaps; i++) {
		free(t->snaps[i].vmas);
		free(t->snaps[i].runs);
		free(t->snaps[i].strings);
	}
	free(t->snaps);
	free(t->ev);
	free(t->sysargs);
	memset(t, 0, sizeof(*t));
}

/** tsnap_path() - see trace.h. */
const char *tsnap_path(const struct tsnap *s, const struct tsnap_vma *v)
{
	return v->path >= 0 ? s->strings + v->path : "";
}
