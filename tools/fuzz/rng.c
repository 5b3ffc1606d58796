/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer's random numbers: splitmix64, so that a seed printed by one
 * run regenerates exactly the same scenario in any later run, on any
 * machine (no libc rand(), whose sequence is not specified).
 */
#include "fuzz.h"

/** fuzz_rng_seed() - see fuzz.h. */
void fuzz_rng_seed(struct fuzz_rng *r, uint64_t seed)
{
	/*
	 * Consecutive seeds (scenario i uses seed + i) must not give
	 * related streams: the output function below scrambles the state,
	 * so equal-distance states still give unrelated numbers.
	 */
	r->state = seed ^ 0x6a09e667f3bcc909ULL;
}

/** fuzz_rng_next() - see fuzz.h. */
uint64_t fuzz_rng_next(struct fuzz_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/** fuzz_rng_below() - see fuzz.h. */
unsigned long fuzz_rng_below(struct fuzz_rng *r, unsigned long n)
{
	/* The modulo bias is below 2^-40 for the small n used here. */
	return n ? (unsigned long)(fuzz_rng_next(r) % n) : 0;
}

/** fuzz_rng_chance() - see fuzz.h. */
bool fuzz_rng_chance(struct fuzz_rng *r, unsigned int percent)
{
	return fuzz_rng_below(r, 100) < percent;
}
