// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness 4: the trace reader and the replay on arbitrary bytes.
 *
 * trace_load_mem() promises (tools/replay/trace.h) to take any bytes and
 * either return a checked recording or fail with "NAME:LINE: message"
 * naming a line of the input.  A recording it accepts is then replayed
 * under the host's design with the invariant checker after every
 * operation: whatever the events claim (forks of unknown tasks, faults
 * anywhere, frees of objects never allocated, snapshots of absurd
 * layouts), the model must neither crash nor break an invariant nor
 * leak, since the replay only ever drives it through its system calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../replay/replay.h"

static void __attribute__((noreturn)) trace_die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_trace: broken postcondition: %s: %s\n", what, msg);
	abort();
}

/* The error names this input and a line it has (or the one after it). */
static void check_error(const char *err, const char *buf, size_t len)
{
	unsigned long line, lines = 1;
	size_t i;

	if (!strncmp(err, "fuzz: a NUL byte", 16) || !strcmp(err, "fuzz: out of memory"))
		return;
	if (strncmp(err, "fuzz:", 5) || sscanf(err + 5, "%lu:", &line) != 1)
		trace_die("error without FILE:LINE", err);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (line < 1 || line > lines + 1)
		trace_die("error line outside the input", err);
}

/** LLVMFuzzerTestOneInput() - load @data; replay what loads. */
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct replay_opts o = { .design = DESIGN_V6_18, .check_every = 1 };
	struct replay_result res;
	struct trace t;
	char err[1024];

	if (trace_load_mem("fuzz", (const char *)data, size, &t, err,
			   sizeof(err), true)) {
		check_error(err, (const char *)data, size);
		trace_free(&t);
		return 0;
	}
	if (replay_run(&t, &o, &res) == 0) {
		if (res.violations)
			trace_die("invariant violations", res.first_violation);
		if (res.leaks)
			trace_die("objects left when the model was torn down", "leak");
	}
	replay_result_free(&res);
	trace_free(&t);
	return 0;
}
