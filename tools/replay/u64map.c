// SPDX-License-Identifier: MIT
/* u64map.h's hash map. */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

static size_t slot_of(const struct u64map *m, uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (m->cap - 1);
}

static bool find(const struct u64map *m, uint64_t k, size_t *at)
{
	size_t i;

	if (!m->cap)
		return false;
	for (i = slot_of(m, k); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == k) {
			*at = i;
			return true;
		}
	*at = i;
	return false;
}

/** u64map_get() - see u64map.h. */
bool u64map_get(const struct u64map *m, uint64_t k, uint64_t *v)
{
	size_t i;

	if (!find(m, k, &i))
		return false;
	*v = m->vals[i];
	return true;
}

static int rehash(struct u64map *m, size_t cap)
{
	struct u64map big = { .cap = cap };
	size_t i, j;

	big.keys = malloc(cap * sizeof(*big.keys));
	big.vals = malloc(cap * sizeof(*big.vals));
	big.used = calloc(cap, sizeof(*big.used));
	if (!big.keys || !big.vals || !big.used) {
		u64map_free(&big);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->used[i])
			continue;
		find(&big, m->keys[i], &j);
		big.used[j] = true;
		big.keys[j] = m->keys[i];
		big.vals[j] = m->vals[i];
	}
	big.len = m->len;
	u64map_free(m);
	*m = big;
	return 0;
}

/** u64map_put() - see u64map.h. */
int u64map_put(struct u64map *m, uint64_t k, uint64_t v)
{
	size_t i;

	if (find(m, k, &i)) {
		m->vals[i] = v;
		return 0;
	}
	/* Keep the table at most half full so that probes stay short. */
	if ((m->len + 1) * 2 > m->cap) {
		if (rehash(m, m->cap ? m->cap * 2 : 64))
			return -1;
		find(m, k, &i);
	}
	m->used[i] = true;
	m->keys[i] = k;
	m->vals[i] = v;
	m->len++;
	return 0;
}

/** u64map_del() - see u64map.h. */
bool u64map_del(struct u64map *m, uint64_t k)
{
	size_t i, j, mask = m->cap - 1;

	if (!find(m, k, &i))
		return false;
	m->used[i] = false;
	m->len--;
	/* Move later members of the probe run back over the hole. */
	for (j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->keys[j]);

		/* Stays if its home lies cyclically in (i, j]. */
		if (i < j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		m->used[i] = true;
		m->used[j] = false;
		i = j;
	}
	return true;
}

/** u64map_free() - see u64map.h. */
void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}
