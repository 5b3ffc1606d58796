/* SPDX-License-Identifier: MIT */
/*
 * What the harnesses share: the designs they fuzz and the historical
 * bugs they may be told to switch on, both read from the environment
 * once, in LLVMFuzzerInitialize().
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>

#include <anonvma/system.h>

/*
 * The designs fuzzed unless FUZZ_DESIGNS says otherwise: every design
 * whose invariants must hold on any input.  `degree` is left out: it is
 * the 3.19-5.19 rule under which CVE-2022-42703 is reachable on purpose
 * (docs/designs.md), so the fuzzers would only rediscover it.
 */
#define FUZZ_DEFAULT_DESIGNS "mainline,v6.18,noreuse,list,single,eager,eager-rw"

/**
 * struct fuzz_config - the designs and bugs of this fuzzing process.
 * @designs: the designs to fuzz, @ndesigns of them.
 * @bugs: enum anonvma_bug bits to switch on in every run (FUZZ_OPS_BUGS).
 */
struct fuzz_config {
	enum anonvma_design designs[NR_DESIGNS];
	int ndesigns;
	unsigned long bugs;
};

extern struct fuzz_config fuzz_config;

/**
 * fuzz_config_init() - read FUZZ_DESIGNS (a comma-separated list of
 * design names, or "all") and FUZZ_OPS_BUGS (bug names); exits with a
 * message on an unknown name.
 * @who: the harness's name, for messages.
 */
void fuzz_config_init(const char *who);

/** fuzz_design_allowed() - whether design @d is among those fuzzed. */
bool fuzz_design_allowed(int d);

#endif
