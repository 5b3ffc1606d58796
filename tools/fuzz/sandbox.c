/* SPDX-License-Identifier: MIT */
/*
 * One run in a forked child: a model that crashes (BUG_ON aborts, a wild
 * pointer faults) or hangs (a lock never released) becomes a verdict
 * that can be shrunk like any other, instead of the fuzzer's own death.
 *
 * The child writes its verdict into a shared anonymous page; its stderr
 * goes to a memfd, so the parent can name the BUG_ON or WARN_ON that
 * fired even when the child died before it could say anything.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define CAPTURE_MAX 65536

static bool in_sandbox;
static int capture_fd = -1;
static char capture[CAPTURE_MAX];

/* The first @max - 1 bytes written to @fd (a memfd), NUL-terminated. */
static void read_capture(int fd, char *buf, size_t max)
{
	ssize_t n = pread(fd, buf, max - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/** fuzz_sandbox_stderr() - see fuzz.h. */
const char *fuzz_sandbox_stderr(void)
{
	if (!in_sandbox || capture_fd < 0)
		return NULL;
	fflush(stderr);
	read_capture(capture_fd, capture, sizeof(capture));
	return capture;
}

/* "BUG: mm/x.c:12: cond" -> "mm/x.c:12" (the part that stays put). */
static void bug_location(const char *text, const char *tag, char *out,
			 size_t n)
{
	const char *p = strstr(text, tag), *e;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(tag);
	e = strstr(p, ": ");
	if (!e)
		e = p + strcspn(p, "\n");
	snprintf(out, n, "%.*s", (int)(e - p), p);
}

static void first_line(const char *text, const char *tag, char *out, size_t n)
{
	const char *p = strstr(text, tag);

	if (p)
		snprintf(out, n, "%.*s", (int)strcspn(p, "\n"), p);
}

/** fuzz_sandbox() - see fuzz.h. */
int fuzz_sandbox(void (*fn)(void *arg, struct fuzz_result *r), void *arg,
		 unsigned int timeout, struct fuzz_result *r)
{
	struct fuzz_result *shared;
	int fd, status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		goto fail;
	fd = memfd_create("anonvma-fuzz-stderr", MFD_CLOEXEC);
	if (fd < 0) {
		munmap(shared, sizeof(*shared));
		goto fail;
	}
	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(fd);
		munmap(shared, sizeof(*shared));
		goto fail;
	}
	if (pid == 0) {
		dup2(fd, STDERR_FILENO);
		in_sandbox = true;
		capture_fd = STDERR_FILENO;
		signal(SIGALRM, SIG_DFL);
		alarm(timeout);
		fn(arg, shared);
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*r = *shared;
	munmap(shared, sizeof(*shared));

	if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status))) {
		char where[128];

		read_capture(fd, capture, sizeof(capture));
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
			r->kind = FUZZ_HANG;
			snprintf(r->sig, sizeof(r->sig), "hang");
			snprintf(r->msg, sizeof(r->msg),
				 "the run did not finish within %u s", timeout);
		} else if (WIFSIGNALED(status)) {
			r->kind = FUZZ_CRASH;
			bug_location(capture, "BUG: ", where, sizeof(where));
			snprintf(r->sig, sizeof(r->sig), "crash %s%s%s",
				 sigabbrev_np(WTERMSIG(status)) ?: "?",
				 where[0] ? " " : "", where);
			snprintf(r->msg, sizeof(r->msg), "killed by SIG%s",
				 sigabbrev_np(WTERMSIG(status)) ?: "?");
			first_line(capture, "BUG: ", r->msg, sizeof(r->msg));
		} else {
			r->kind = FUZZ_CRASH;
			snprintf(r->sig, sizeof(r->sig), "crash exit %d",
				 WEXITSTATUS(status));
			snprintf(r->msg, sizeof(r->msg), "exited with status %d: %.600s",
				 WEXITSTATUS(status), capture);
		}
	}
	close(fd);
	return 0;
fail:
	r->kind = FUZZ_CRASH;
	snprintf(r->sig, sizeof(r->sig), "sandbox");
	snprintf(r->msg, sizeof(r->msg), "cannot start a sandbox: %s",
		 strerror(errno));
	return -1;
}
