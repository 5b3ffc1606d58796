/* SPDX-License-Identifier: MIT */
/*
 * The workloads of `anonvma bench`: names, parameters with their
 * defaults and limits, and which of them also run on the host kernel.
 * Defaults are scaled so that every workload runs in seconds under
 * every design; the parameters reach the original sizes (Rik van
 * Riel's 1000 x 1000, 10^4 generations...).
 */
#include <string.h>

#include "lab.h"

static const struct lab_param rik_params[] = {
	{ "children", 100, 1, 100000, "children forked, all alive at once (Rik: 1000)" },
	{ "pages", 100, 1, 1000000, "pages each child writes (Rik: 1000)" },
	{ "sample", 1, 1, 1000000, "walk every SAMPLE-th page of each process" },
};

static const struct lab_param serial_params[] = {
	{ "generations", 10000, 1, 10000000, "fork, parent exits, this many times" },
	{ "vmas", 1, 1, 10000, "separate VMAs in the process" },
	{ "pages", 4, 1, 100000, "pages per VMA (one is written each generation)" },
};

static const struct lab_param split_params[] = {
	{ "pages", 4096, 2, 60000, "pages of the VMA, split into this many pieces" },
	{ "children", 1, 0, 1000, "children forked before the split (sharing every page)" },
	{ "sample", 1, 1, 1000000, "walk every SAMPLE-th page" },
};

static const struct lab_param server_params[] = {
	{ "workers", 1000, 1, 10000000, "workers forked in all" },
	{ "live", 8, 1, 10000, "workers alive at once" },
	{ "heap", 256, 1, 1000000, "pages of the server's heap" },
	{ "writes", 16, 0, 1000000, "heap pages each worker writes" },
	{ "reclaim", 50, 1, 10000000, "walk the whole heap every RECLAIM workers" },
};

static const struct lab_param churn_params[] = {
	{ "cycles", 100000, 1, 100000000, "mmap + write + munmap cycles" },
	{ "pages", 1, 1, 100000, "pages per mapping" },
	{ "gap", 1, 0, 1000, "pages between the neighbour and the mapping (0: adjacent)" },
};

static const struct lab_param image_params[] = {
	{ "libs", 12, 0, 1000, "shared objects besides the program (5 VMAs each)" },
	{ "anon", 8, 0, 10000, "anonymous regions (arenas, reservations, guards)" },
	{ "written", 3, 0, 10000, "of which written" },
	{ "children", 0, 0, 1000, "forks of the finished image" },
};

static const struct lab_param concurrent_params[] = {
	{ "threads", 2, 1, 256, "threads forking the parent" },
	{ "walkers", 1, 0, 256, "threads rmap-walking the parent's pages" },
	{ "iters", 200, 1, 10000000, "forks per thread" },
	{ "pages", 64, 1, 1000000, "pages of the parent (an eighth written per child)" },
};

#define P(a) a, (int)(sizeof(a) / sizeof(a[0]))

static const struct lab_workload rik = {
	"rik", "one parent, CHILDREN children each COWing PAGES pages, then an rmap walk of every page",
	"children forked", P(rik_params), lab_rik_model, lab_rik_kernel,
};
static const struct lab_workload serial = {
	"serial", "fork, then the parent exits, for GENERATIONS generations",
	"generation", P(serial_params), lab_serial_model, lab_serial_kernel,
};
static const struct lab_workload split = {
	"split", "a faulted VMA split by mprotect into PAGES pieces, then an rmap walk of every page",
	"pieces", P(split_params), lab_split_model, lab_split_kernel,
};
static const struct lab_workload server = {
	"server", "a forking server: WORKERS workers, LIVE at a time, reclaim walks every RECLAIM",
	"workers forked", P(server_params), lab_server_model, lab_server_kernel,
};
static const struct lab_workload churn = {
	"churn", "mmap, write and munmap of PAGES pages, CYCLES times, next to a faulted neighbour",
	"cycle", P(churn_params), lab_churn_model, lab_churn_kernel,
};
static const struct lab_workload image = {
	"image", "a program's address space: libraries, heap, stack, anonymous regions (several never written)",
	"forks", P(image_params), lab_image_model, NULL,
};
static const struct lab_workload concurrent = {
	"concurrent", "THREADS threads fork/fault/exit children of one parent while WALKERS threads walk its pages",
	"forks", P(concurrent_params), lab_concurrent_model, NULL,
};

/** lab_workloads - see lab.h. */
const struct lab_workload *const lab_workloads[] = {
	&rik, &serial, &split, &server, &churn, &image, &concurrent, NULL,
};

/** lab_workload_find() - see lab.h. */
const struct lab_workload *lab_workload_find(const char *name)
{
	int i;

	for (i = 0; name && lab_workloads[i]; i++)
		if (!strcmp(lab_workloads[i]->name, name))
			return lab_workloads[i];
	return NULL;
}

/** lab_param_index() - see lab.h. */
int lab_param_index(const struct lab_workload *w, const char *name)
{
	int i;

	for (i = 0; i < w->nparams; i++)
		if (!strcmp(w->params[i].name, name))
			return i;
	return -1;
}
