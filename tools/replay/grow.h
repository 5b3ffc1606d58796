/* SPDX-License-Identifier: MIT */
/* The replay's one growable-array helper. */
#ifndef ANONVMA_REPLAY_GROW_H
#define ANONVMA_REPLAY_GROW_H

#include <stdlib.h>

/**
 * grow_array() - @p with room for at least @need elements of @size bytes,
 * doubling *@cap (from 16) as needed; NULL when memory is short, with @p
 * and *@cap unchanged.
 */
static inline void *grow_array(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	np = realloc(p, c * size);
	if (np)
		*cap = c;
	return np;
}

#endif
