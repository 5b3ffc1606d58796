/* SPDX-License-Identifier: MIT */
/* Helpers shared by the lab's workload files (not used outside tools/lab). */
#ifndef LAB_INTERNAL_H
#define LAB_INTERNAL_H

#include <anonvma/anonvma.h>

#include "lab.h"

/**
 * lab_map_anon() - a timed mmap of @pages pages at @addr with
 * MAP_ANONYMOUS | MAP_FIXED_NOREPLACE and @flags (0: MAP_PRIVATE).
 * Returns 0, or -1 with r->error set.
 */
int lab_map_anon(struct lab_result *r, struct mm_struct *mm,
		 unsigned long addr, unsigned long pages, unsigned long prot,
		 unsigned long flags);
/** lab_touch() - a timed load or store of one page; 0, or -1 with r->error set. */
int lab_touch(struct lab_result *r, struct mm_struct *mm, unsigned long addr,
	      bool write);
/** lab_fork() - a timed dup_mm(); NULL with r->error set on failure. */
struct mm_struct *lab_fork(struct lab_result *r, struct mm_struct *mm);
/** lab_exit() - a timed mmput(). */
void lab_exit(struct lab_result *r, struct mm_struct *mm);
/**
 * lab_op_done() - count one operation of kind @op that began at @t0
 * (lab_now()) in @r's per-operation times.
 */
void lab_op_done(struct lab_result *r, enum lab_op op, double t0);
/** lab_every() - sample period so that @total steps give about @samples samples. */
unsigned long lab_every(unsigned long total, unsigned long samples);

#endif
