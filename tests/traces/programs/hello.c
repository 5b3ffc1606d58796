// SPDX-License-Identifier: MIT
/* A small translation unit for the recorded compile (gcc -O2 -c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	const char *name;
	int value;
};

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

int table_sum(struct entry *e, int n);

int table_sum(struct entry *e, int n)
{
	int i, s = 0;

	qsort(e, (size_t)n, sizeof(*e), cmp);
	for (i = 0; i < n; i++)
		s += e[i].value;
	printf("%d entries, sum %d\n", n, s);
	return s;
}
