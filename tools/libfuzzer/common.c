/* SPDX-License-Identifier: MIT */
/*
 * The harnesses' configuration from the environment (common.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct fuzz_config fuzz_config;

/* Call @add on each name of the comma-separated @list. */
static void for_each_name(const char *who, const char *var, const char *list,
			  int (*parse)(const char *), void (*add)(int))
{
	char buf[512], *save = NULL, *tok;
	int v;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		v = parse(tok);
		if (v < 0) {
			fprintf(stderr, "%s: unknown name '%s' in %s\n", who,
				tok, var);
			exit(2);
		}
		add(v);
	}
}

static void add_design(int d)
{
	if (!fuzz_design_allowed(d))
		fuzz_config.designs[fuzz_config.ndesigns++] =
			(enum anonvma_design)d;
}

static void add_bug(int b)
{
	fuzz_config.bugs |= 1UL << b;
}

/**
 * fuzz_config_init() - read the environment into fuzz_config (common.h).
 * @who: the harness's name, for messages.
 */
void fuzz_config_init(const char *who)
{
	const char *designs = getenv("FUZZ_DESIGNS");
	const char *bugs = getenv("FUZZ_OPS_BUGS");
	int d;

	memset(&fuzz_config, 0, sizeof(fuzz_config));
	if (designs && !strcmp(designs, "all")) {
		for (d = 0; d < NR_DESIGNS; d++)
			add_design(d);
	} else {
		for_each_name(who, "FUZZ_DESIGNS",
			      designs && *designs ? designs : FUZZ_DEFAULT_DESIGNS,
			      design_parse, add_design);
	}
	if (!fuzz_config.ndesigns)
		add_design(DESIGN_MAINLINE);
	if (bugs)
		for_each_name(who, "FUZZ_OPS_BUGS", bugs, bug_parse, add_bug);
}

/**
 * fuzz_design_allowed() - whether design @d is among those fuzzed.
 * @d: an enum anonvma_design value (or -1, never allowed).
 */
bool fuzz_design_allowed(int d)
{
	int i;

	for (i = 0; i < fuzz_config.ndesigns; i++)
		if ((int)fuzz_config.designs[i] == d)
			return true;
	return false;
}
