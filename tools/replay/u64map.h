/* SPDX-License-Identifier: MIT */
/*
 * A hash map from 64-bit keys to 64-bit values with deletion: tids to
 * tasks, and the kernel's object addresses to "allocated inside the
 * recording".  Linear probing with backward-shift deletion, so lookups
 * stay short however many tasks come and go.
 */
#ifndef ANONVMA_REPLAY_U64MAP_H
#define ANONVMA_REPLAY_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys, *vals;
	bool *used;
	size_t cap, len;
};

/** u64map_get() - the value of @k in *@v; false when @k is absent. */
bool u64map_get(const struct u64map *m, uint64_t k, uint64_t *v);
/** u64map_put() - set @k to @v; -1 when memory is short (nothing changed). */
int u64map_put(struct u64map *m, uint64_t k, uint64_t v);
/** u64map_del() - remove @k; false when it was absent. */
bool u64map_del(struct u64map *m, uint64_t k);
void u64map_free(struct u64map *m);

#endif
