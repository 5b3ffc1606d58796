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
 * @strict: FUZZ_STRICT=1: report the known findings too (below).
 */
struct fuzz_config {
	enum anonvma_design designs[NR_DESIGNS];
	int ndesigns;
	unsigned long bugs;
	bool strict;
};

/*
 * Known findings, reported and not yet fixed in files the fuzzing work
 * may not change; tolerated unless FUZZ_STRICT=1, so that the suite in
 * `make check` stays usable meanwhile.  Delete each once fixed.
 *
 * KNOWN_MADVISE_ENOMEM: sys_madvise() (mm/madvise.c) returns -ENOMEM
 * when a split or merge fails for lack of memory; the kernel's
 * madvise_vma_behavior() turns that into -EAGAIN.  Reproducer:
 * tests/libfuzzer-corpus/known/madvise-enomem.scn.
 *
 * KNOWN_FAILCHECK_MMAP_GAP: after an injected failure in a MAP_FIXED
 * mmap over existing mappings, the kernel (and the model) leave a gap
 * once the old mappings were cleaned up (vms_clean_up_area() before
 * the new VMA is allocated; vms_abort_munmap_vmas() then completes the
 * munmap), while the executor's failure contract
 * (tools/scenario/failcheck.c) expects the old state; fuzz_run only
 * counts fault_violations under FUZZ_STRICT.  Reproducer:
 * tests/libfuzzer-corpus/known/mmap-fixed-gap.scn.
 */

extern struct fuzz_config fuzz_config;

/**
 * fuzz_config_init() - read FUZZ_DESIGNS (a comma-separated list of
 * design names, or "all"), FUZZ_OPS_BUGS (bug names) and FUZZ_STRICT;
 * exits with a message on an unknown name.
 * @who: the harness's name, for messages.
 */
void fuzz_config_init(const char *who);

/** fuzz_design_allowed() - whether design @d is among those fuzzed. */
bool fuzz_design_allowed(int d);

#endif
