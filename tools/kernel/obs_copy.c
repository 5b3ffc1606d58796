/* SPDX-License-Identifier: MIT */
/*
 * Keeping observations past the executor's callback (which frees them
 * after it returns): deep copies of the kernel-observable part, one per
 * step, so that two runs can be compared once both are done.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static void *dup_mem(const void *p, size_t size)
{
	void *q;

	if (!p || !size)
		return NULL;
	q = malloc(size);
	if (!q) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	memcpy(q, p, size);
	return q;
}

/** obs_step_copy() - see kernel.h. */
struct obs_step *obs_step_copy(const struct obs_step *o)
{
	struct obs_step *c = calloc(1, sizeof(*c));
	int i, j;

	if (!c) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	c->index = o->index;
	c->line = o->line;
	c->text = o->text;
	c->result = o->result;
	c->done = o->done;
	c->nvalues = o->nvalues;
	c->values = dup_mem(o->values, sizeof(*o->values) * (size_t)o->nvalues);
	memcpy(c->obj, o->obj, sizeof(c->obj));
	c->has_model = false;
	c->model.violations = o->model.violations;
	c->last = o->last;
	c->nprocs = o->nprocs;
	c->procs = calloc((size_t)o->nprocs + 1, sizeof(*c->procs));
	if (!c->procs) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
	for (i = 0; i < o->nprocs; i++) {
		const struct obs_proc *p = &o->procs[i];
		struct obs_proc *q = &c->procs[i];

		q->proc = p->proc;
		q->nvmas = p->nvmas;
		q->npages = p->npages;
		q->vmas = dup_mem(p->vmas, sizeof(*p->vmas) * (size_t)p->nvmas);
		q->pages = dup_mem(p->pages, sizeof(*p->pages) * (size_t)p->npages);
		/* The model part is not kept: no pointer into the model. */
		for (j = 0; j < q->nvmas; j++)
			memset(&q->vmas[j].model, 0, sizeof(q->vmas[j].model));
		for (j = 0; j < q->npages; j++)
			memset(&q->pages[j].model, 0, sizeof(q->pages[j].model));
	}
	for (i = 0; i < o->nfailures; i++)
		obs_add_failure(c, "%s", o->failures[i]);
	return c;
}

/** obs_run_init() - see kernel.h. */
void obs_run_init(struct obs_run *r, const struct scenario *s)
{
	r->nsteps = s->nsteps;
	r->steps = calloc((size_t)s->nsteps + 1, sizeof(*r->steps));
	if (!r->steps) {
		fprintf(stderr, "anonvma: out of memory\n");
		exit(2);
	}
}

/** obs_run_free() - see kernel.h. */
void obs_run_free(struct obs_run *r)
{
	int i;

	for (i = 0; r->steps && i < r->nsteps; i++)
		if (r->steps[i]) {
			obs_step_free(r->steps[i]);
			free(r->steps[i]);
		}
	free(r->steps);
	r->steps = NULL;
	r->nsteps = 0;
}

/** obs_run_on_step() - see kernel.h. */
void obs_run_on_step(const struct scenario *s, const struct obs_step *o,
		     void *arg)
{
	struct obs_run *r = arg;
	int i = o->index - 1;

	if (i < 0 || i >= r->nsteps)
		return;
	if (r->steps[i]) {
		obs_step_free(r->steps[i]);
		free(r->steps[i]);
	}
	r->steps[i] = obs_step_copy(o);
}
