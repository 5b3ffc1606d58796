/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker: I1-I15 of spec §4 plus mapcount, refcount and
 * page-table consistency, over every mm in the registry and every live
 * anon_vma.  Call it while no operation is in progress.
 */
#ifndef ANONVMA_CHECK_H
#define ANONVMA_CHECK_H

#include <stddef.h>
#include <stdio.h>

#define CHECK_MAX_REPORTS 32

/**
 * struct check_report - the violations found by one check.
 * @count: how many violations (may exceed the stored messages).
 * @msg:   the first CHECK_MAX_REPORTS, each naming the invariant
 *         ("I7") and the objects (mm, VMA range, anon_vma, folio).
 */
struct check_report {
	int count;
	char msg[CHECK_MAX_REPORTS][256];
};

/** check_invariants() - run every check; returns the number of violations. */
int check_invariants(struct check_report *r);
/**
 * vm_warn_count() - how many kernel-style assertions (WARN_ON and the
 * like) have fired since the program started; a run that is correct
 * leaves it unchanged.
 */
unsigned long vm_warn_count(void);

/** check_report_print() - print @r, each line prefixed by @prefix. */
void check_report_print(const struct check_report *r, const char *prefix,
			FILE *out);

#endif
