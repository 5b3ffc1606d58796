/* SPDX-License-Identifier: MIT */
/*
 * Running one generated scenario on the model with the invariant checker
 * after every step, and turning what the run printed into a verdict
 * (kind + signature) that the shrinker can compare.
 *
 * The signature keeps what identifies the failure and drops what
 * shrinking changes (line and step numbers, addresses, labels): the
 * invariant ("I7"), the operation and its errno, the WARN_ON's source
 * line.  So a shrunk scenario fails for the same reason as the original,
 * not merely somehow.
 */
#include <stdlib.h>
#include <string.h>

#include "../scenario/exec.h"
#include "fuzz.h"

static const char *const kind_names[NR_FUZZ_KINDS] = {
	[FUZZ_PASS] = "pass",
	[FUZZ_PARSE] = "parse",
	[FUZZ_OPFAIL] = "opfail",
	[FUZZ_EXPECT] = "expect",
	[FUZZ_VIOLATION] = "violation",
	[FUZZ_WARN] = "warn",
	[FUZZ_LEAK] = "leak",
	[FUZZ_CRASH] = "crash",
	[FUZZ_HANG] = "hang",
	[FUZZ_DIFF] = "diff",
	[FUZZ_ORACLE] = "oracle",
};

/** fuzz_kind_name() - see fuzz.h. */
const char *fuzz_kind_name(enum fuzz_kind k)
{
	return (unsigned int)k < NR_FUZZ_KINDS ? kind_names[k] : "?";
}

/** fuzz_same_failure() - see fuzz.h. */
bool fuzz_same_failure(const struct fuzz_result *a, const struct fuzz_result *b)
{
	return a->kind != FUZZ_PASS && a->kind == b->kind &&
	       !strcmp(a->sig, b->sig);
}

/* The first WARN_ON's source location in @warnings, or "". */
static void warn_location(const char *warnings, char *out, size_t n)
{
	const char *p = warnings ? strstr(warnings, "WARNING: ") : NULL;

	out[0] = '\0';
	if (p) {
		p += strlen("WARNING: ");
		snprintf(out, n, "%.*s", (int)strcspn(p, " \n"), p);
		/* "mm/rmap.c:123:" -> "mm/rmap.c:123" */
		n = strlen(out);
		if (n && out[n - 1] == ':')
			out[n - 1] = '\0';
	}
}

/* "operation failed: P1 mremap @3 to @5: EFAULT" -> "mremap EFAULT". */
static void opfail_sig(const char *line, char *sig, size_t n)
{
	static const char *const global_ops[] = {
		"swapout", "migrate", "referenced", "rmap", "check",
	};
	const char *text = strstr(line, "operation failed: ");
	const char *res, *w, *end;
	char op[32];
	size_t i;

	text += strlen("operation failed: ");
	res = strrchr(text, ':');
	res = res ? res + 2 : "";
	/* The operation is the first word, or the second after a process. */
	w = text;
	end = w + strcspn(w, " ");
	snprintf(op, sizeof(op), "%.*s", (int)(end - w), w);
	for (i = 0; i < sizeof(global_ops) / sizeof(global_ops[0]); i++)
		if (!strcmp(op, global_ops[i]))
			break;
	if (i == sizeof(global_ops) / sizeof(global_ops[0]) && *end) {
		w = end + 1;
		end = w + strcspn(w, " :");
		snprintf(op, sizeof(op), "%.*s", (int)(end - w), w);
	}
	snprintf(sig, n, "opfail %s %.*s", op, (int)strcspn(res, " \n"), res);
}

static bool classify_line(struct fuzz_result *r, const char *line,
			  const char *warnings)
{
	const char *p;
	char where[100];

	if (strstr(line, "operation failed: ")) {
		r->kind = FUZZ_OPFAIL;
		opfail_sig(line, r->sig, sizeof(r->sig));
	} else if ((p = strstr(line, "expectation failed: "))) {
		p += strlen("expectation failed: ");
		r->kind = FUZZ_EXPECT;
		snprintf(r->sig, sizeof(r->sig), "expect %.*s",
			 (int)strcspn(p, " ,"), p);
	} else if (strstr(line, "invariant violation after step")) {
		if (strstr(line, "WARN_ON")) {
			r->kind = FUZZ_WARN;
			warn_location(warnings, where, sizeof(where));
			snprintf(r->sig, sizeof(r->sig), "warn %s", where);
		} else if (strstr(line, "locks still held")) {
			r->kind = FUZZ_VIOLATION;
			snprintf(r->sig, sizeof(r->sig), "violation locks");
		} else {
			p = strstr(line, "): ");
			p = p ? p + 3 : line;
			r->kind = FUZZ_VIOLATION;
			snprintf(r->sig, sizeof(r->sig), "violation %.*s",
				 (int)strcspn(p, ": "), p);
		}
	} else if (strstr(line, "fired at teardown")) {
		r->kind = FUZZ_WARN;
		warn_location(warnings, where, sizeof(where));
		snprintf(r->sig, sizeof(r->sig), "warn %s", where);
	} else if (strstr(line, "leak: ")) {
		r->kind = FUZZ_LEAK;
		snprintf(r->sig, sizeof(r->sig), "leak");
	} else {
		return false;
	}
	snprintf(r->msg, sizeof(r->msg), "%s", line);
	return true;
}

/** fuzz_classify_model() - see fuzz.h. */
void fuzz_classify_model(struct fuzz_result *r, const char *failures,
			 const char *warnings)
{
	const char *p = failures;

	r->kind = FUZZ_PASS;
	r->sig[0] = r->msg[0] = '\0';
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		char line[sizeof(r->msg)];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (classify_line(r, line, warnings))
			return;
		p += n + (p[n] == '\n');
	}
}

/** fuzz_parse() - see fuzz.h. */
struct scenario *fuzz_parse(const char *text, size_t len,
			    struct fuzz_result *r)
{
	struct scn_error perr;
	struct scenario *s;

	memset(r, 0, sizeof(*r));
	s = scn_parse("fuzz.scn", text, len, &perr);
	if (!s) {
		r->kind = FUZZ_PARSE;
		snprintf(r->sig, sizeof(r->sig), "parse");
		snprintf(r->msg, sizeof(r->msg), "fuzz.scn:%d:%d: %s",
			 perr.line, perr.col, perr.msg);
	}
	return s;
}

/** fuzz_run_model() - see fuzz.h. */
void fuzz_run_model(const char *text, size_t len, struct fuzz_result *r)
{
	struct exec_opts eo = { .check = true, .design = -1 };
	struct exec_summary sum;
	struct scenario *s;
	char *errbuf = NULL;
	size_t errlen = 0;
	int ret;

	s = fuzz_parse(text, len, r);
	if (!s)
		return;
	eo.err = open_memstream(&errbuf, &errlen);
	if (!eo.err) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	ret = exec_model(s, &eo, &sum);
	fclose(eo.err);
	fuzz_classify_model(r, errbuf, fuzz_sandbox_stderr());
	r->steps_run = sum.steps_run;
	if (r->kind == FUZZ_PASS && ret) {
		/* A failure the executor counted but printed in no known form. */
		r->kind = ret == 2 ? FUZZ_CRASH : FUZZ_VIOLATION;
		snprintf(r->sig, sizeof(r->sig), "%s", ret == 2 ? "setup" : "other");
		snprintf(r->msg, sizeof(r->msg), "%.700s",
			 errbuf && *errbuf ? errbuf : "the run failed");
	}
	free(errbuf);
	scn_free(s);
}

struct model_arg {
	const char *text;
	size_t len;
};

static void model_child(void *arg, struct fuzz_result *r)
{
	const struct model_arg *ma = arg;

	fuzz_run_model(ma->text, ma->len, r);
}

/** fuzz_check_model() - see fuzz.h. */
void fuzz_check_model(const char *text, size_t len, unsigned int timeout,
		      struct fuzz_result *r)
{
	struct model_arg ma = { text, len };

	fuzz_sandbox(model_child, &ma, timeout, r);
}

struct oracle_arg {
	const struct fuzz_oracle *oracle;
	const char *text;
	size_t len;
};

static void oracle_child(void *arg, struct fuzz_result *r)
{
	const struct oracle_arg *oa = arg;

	oa->oracle->compare(oa->oracle->arg, oa->text, oa->len, r);
}

/** fuzz_check() - see fuzz.h. */
void fuzz_check(const char *text, size_t len, const struct fuzz_oracle *oracle,
		unsigned int timeout, struct fuzz_result *r)
{
	struct oracle_arg oa = { oracle, text, len };
	struct fuzz_result o;

	fuzz_check_model(text, len, timeout, r);
	if (!oracle)
		return;
	/*
	 * A model that breaks its own invariants, leaks or crashes is a
	 * finding without the referee.  An operation that failed against
	 * the generator's expectation is settled by the oracle: if the
	 * kernel disagrees with the model, that is the finding.
	 */
	if (r->kind != FUZZ_PASS && r->kind != FUZZ_OPFAIL &&
	    r->kind != FUZZ_EXPECT)
		return;
	fuzz_sandbox(oracle_child, &oa, timeout, &o);
	if (o.kind == FUZZ_ORACLE || o.kind == FUZZ_CRASH || o.kind == FUZZ_HANG) {
		/* Runs are repeated on lost events; try once more on the rest. */
		fuzz_sandbox(oracle_child, &oa, timeout, &o);
	}
	if (o.kind == FUZZ_CRASH || o.kind == FUZZ_HANG) {
		/* The comparison itself died: report it as the oracle's. */
		o.kind = FUZZ_ORACLE;
		snprintf(o.sig, sizeof(o.sig), "oracle died");
	}
	if (o.kind != FUZZ_PASS)
		*r = o;
}
