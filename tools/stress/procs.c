/* SPDX-License-Identifier: MIT */
/*
 * The table of live processes.  Each slot belongs to one operator
 * thread (its family), which alone publishes and retires the mm in it.
 * Walker threads read any slot: they pin it, use the mm only to find a
 * folio (folio_at() takes its mmap lock), and unpin it.  That is the
 * model's stand-in for the kernel's "a task reference keeps the mm
 * alive"; once a walker holds a folio reference it needs nothing else,
 * exactly like reclaim and migration in the kernel.
 *
 * Pinning is a Dekker-style handshake on two sequentially consistent
 * words: the walker increments the pin count and then loads the mm;
 * the owner clears the mm and then waits for the pin count to drop to
 * zero before mmput().  Whichever order the four accesses take, either
 * the walker sees NULL or the owner sees the pin.
 */
#include <sched.h>
#include <stdlib.h>

#include "stress.h"

struct proc_slot {
	struct mm_struct *mm;	/* NULL: free; atomic */
	int pins;		/* walkers using mm; atomic */
};

static struct proc_slot *slots;
static int nr_slots;

/** procs_init() - an empty table of @n slots; 0 or -ENOMEM. */
int procs_init(int n)
{
	slots = calloc((size_t)n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	nr_slots = n;
	return 0;
}

/** procs_exit() - free the table; every slot must be empty. */
void procs_exit(void)
{
	free(slots);
	slots = NULL;
	nr_slots = 0;
}

/** procs_nslots() - the number of slots. */
int procs_nslots(void)
{
	return nr_slots;
}

/**
 * proc_pin() - the mm in @slot, kept alive until proc_unpin().
 * @slot: any slot.
 *
 * Return: the mm, or NULL (then nothing is pinned) when the slot is empty.
 */
struct mm_struct *proc_pin(int slot)
{
	struct proc_slot *s = &slots[slot];
	struct mm_struct *mm;

	__atomic_add_fetch(&s->pins, 1, __ATOMIC_SEQ_CST);
	mm = __atomic_load_n(&s->mm, __ATOMIC_SEQ_CST);
	if (!mm)
		__atomic_sub_fetch(&s->pins, 1, __ATOMIC_RELEASE);
	return mm;
}

/** proc_unpin() - end the use of the mm pinned with proc_pin(@slot). */
void proc_unpin(int slot)
{
	__atomic_sub_fetch(&slots[slot].pins, 1, __ATOMIC_RELEASE);
}

/** proc_publish() - the owner makes @mm, fully set up, visible in @slot. */
void proc_publish(int slot, struct mm_struct *mm)
{
	__atomic_store_n(&slots[slot].mm, mm, __ATOMIC_SEQ_CST);
}

/** proc_peek() - the mm in @slot, read by its owner (who alone changes it). */
struct mm_struct *proc_peek(int slot)
{
	return __atomic_load_n(&slots[slot].mm, __ATOMIC_RELAXED);
}

/**
 * proc_retire() - the owner takes the mm out of @slot for mmput().
 * @slot: a slot of the caller's family.
 *
 * Waits until no walker uses it any more.  A walker's pinned section is
 * a folio_at() call, which only waits for the mmap lock, and the owner
 * holds no lock here, so the wait is short.
 *
 * Return: the mm (NULL if the slot was empty).
 */
struct mm_struct *proc_retire(int slot)
{
	struct proc_slot *s = &slots[slot];
	struct mm_struct *mm = proc_peek(slot);

	__atomic_store_n(&s->mm, NULL, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->pins, __ATOMIC_ACQUIRE))
		sched_yield();
	return mm;
}
