/* SPDX-License-Identifier: MIT */
/*
 * mm/debug.c - WARN_ON and BUG_ON of the model.
 *
 * A WARN is a broken kernel assertion that the kernel survives: print
 * where, count it, go on.  Tests and the scenario runner assert that
 * the count stays zero.  A BUG stops the process.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static unsigned long warn_count;

/**
 * __warn_on() - report a broken assertion when @cond is true.
 * @cond: the condition, already evaluated.
 * @what: its text.
 * @file: source file of the WARN_ON.
 * @line: source line of the WARN_ON.
 *
 * Every firing is printed and counted (the kernel's WARN_ON_ONCE would
 * print once; here each one matters to the test that caused it).
 *
 * Return: @cond, so that "if (WARN_ON(x)) return;" works.
 */
bool __warn_on(bool cond, const char *what, const char *file, int line)
{
	if (!cond)
		return false;
	__atomic_add_fetch(&warn_count, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, what);
	return true;
}

/**
 * __bug_on() - stop the process when @cond is true.
 * @cond: the condition, already evaluated.
 * @what: its text.
 * @file: source file of the BUG_ON.
 * @line: source line of the BUG_ON.
 */
void __bug_on(bool cond, const char *what, const char *file, int line)
{
	if (!cond)
		return;
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

/**
 * vm_warn_count() - how many WARN_ONs fired since the process started.
 */
unsigned long vm_warn_count(void)
{
	return __atomic_load_n(&warn_count, __ATOMIC_RELAXED);
}
