/* SPDX-License-Identifier: MIT */
/*
 * The simulated swap device and its swap cache (the kernel's
 * mm/swapfile.c and mm/swap_state.c folded into one file).
 *
 * There is one device.  A slot is addressed by a swp_entry_t whose value
 * is the slot number; slot 0 is never handed out, so that a zero
 * folio->private always means "no swap entry".  Each slot records:
 *
 *   count  how many swap PTEs refer to it (the kernel's swap_map count,
 *          without SWAP_HAS_CACHE, which is the separate @cache field);
 *   data   the page contents written out to it;
 *   cache  the swap-cache folio holding the slot, or NULL.  The cache
 *          owns one reference on that folio.
 *
 * A slot is freed when its count is zero and no folio caches it.  The
 * device is protected by one leaf spinlock (LOCK_CLASS_INTERNAL); no
 * other lock is ever taken while it is held, and folio references that
 * the cache drops are put only after it has been released.
 *
 * Lifetime of a folio in the cache: reclaim adds it (get_swap_slot() +
 * add_to_swap_cache()) and, unless asked to keep it, deletes it again
 * once every PTE became a swap PTE (delete_from_swap_cache(), which
 * writes the contents back first).  Swap-in maps a cached folio again,
 * or creates a new one and may add it to the cache so that other swap
 * PTEs of the same slot share it; once no swap PTE refers to the slot,
 * folio_free_swap() drops the cache and frees the slot.  A slot whose
 * last swap PTE is zapped while a folio still caches it is reclaimed on
 * the spot when the folio lock can be taken (the kernel's
 * free_swap_and_cache()); otherwise the lock holder frees it, and
 * swap_exit() sweeps whatever is left.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The device never grows beyond this many slots (a 64 GiB swap file). */
#define SWAP_MAX_SLOTS (1UL << 24)
#define SWAP_MIN_SLOTS 64UL

struct swap_slot {
	int count;		/* swap PTEs referring to the slot */
	bool used;		/* allocated by get_swap_slot() */
	uint64_t data;		/* contents written out */
	struct folio *cache;	/* swap-cache folio, or NULL */
	unsigned long next_free;	/* free list link while !used */
};

struct swap_device {
	spinlock_t lock;
	struct swap_slot *slots;	/* slots[0] is reserved */
	unsigned long nr_slots;		/* length of @slots */
	unsigned long free_head;	/* first freed slot, 0: none */
	unsigned long next_fresh;	/* first slot never handed out */
	unsigned long in_use;		/* slots with used set */
};

static struct swap_device swap_dev;
static pthread_once_t swap_once = PTHREAD_ONCE_INIT;

/* An empty device: no slots, slot 1 handed out first. */
static void swap_dev_reset(void)
{
	swap_dev.slots = NULL;
	swap_dev.nr_slots = 0;
	swap_dev.free_head = 0;
	swap_dev.next_fresh = 1;
	swap_dev.in_use = 0;
}

static void swap_dev_setup(void)
{
	spin_lock_init(&swap_dev.lock, LOCK_CLASS_INTERNAL);
	swap_dev_reset();
}

/*
 * The device is usable without swap_init(): the first user sets it up.
 * swap_init() only resets it between two lives of the system.
 */
static inline void swap_dev_ready(void)
{
	pthread_once(&swap_once, swap_dev_setup);
}

/* The slot of @entry if it is allocated, else NULL.  Device lock held. */
static struct swap_slot *lookup_slot(swp_entry_t entry)
{
	if (entry.val == 0 || entry.val >= swap_dev.next_fresh)
		return NULL;
	if (!swap_dev.slots[entry.val].used)
		return NULL;
	return &swap_dev.slots[entry.val];
}

/* Return @slot to the free list.  Device lock held. */
static void release_slot(swp_entry_t entry)
{
	struct swap_slot *slot = &swap_dev.slots[entry.val];

	slot->used = false;
	slot->count = 0;
	slot->cache = NULL;
	slot->data = 0;
	slot->next_free = swap_dev.free_head;
	swap_dev.free_head = entry.val;
	swap_dev.in_use--;
}

/* Free @slot if nothing refers to it any more.  Device lock held. */
static void maybe_release_slot(swp_entry_t entry)
{
	struct swap_slot *slot = &swap_dev.slots[entry.val];

	if (slot->count == 0 && !slot->cache)
		release_slot(entry);
}

/**
 * swap_init() - empty the swap device (anonvma_init()).
 *
 * Anything left over from an earlier life of the system is forgotten;
 * call swap_exit() first to sweep and count it.
 */
void swap_init(void)
{
	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	free(swap_dev.slots);
	swap_dev_reset();
	spin_unlock(&swap_dev.lock);
}

/*
 * Drop from the cache every folio whose slot no swap PTE refers to and
 * which no PTE maps: what reclaim would eventually find on the LRU in
 * the kernel.  The model has no LRU, so this is done on demand.
 */
static unsigned long swap_cache_sweep(void)
{
	unsigned long i, swept = 0;

	for (i = 1;; i++) {
		struct folio *folio = NULL;

		spin_lock(&swap_dev.lock);
		for (; i < swap_dev.next_fresh; i++) {
			struct swap_slot *slot = &swap_dev.slots[i];

			if (slot->used && slot->count == 0 && slot->cache &&
			    !folio_mapped(slot->cache)) {
				/* The cache's reference keeps it alive. */
				folio = slot->cache;
				folio_get(folio);
				break;
			}
		}
		spin_unlock(&swap_dev.lock);
		if (!folio)
			return swept;
		/* A locked folio is in someone's hands: they will free it. */
		if (folio_trylock(folio)) {
			if (folio_free_swap(folio))
				swept++;
			folio_unlock(folio);
		}
		folio_put(folio);
	}
}

/**
 * swap_exit() - tear the swap device down (anonvma_exit()).
 *
 * Folios left in the swap cache with no swap PTE referring to their slot
 * are dropped from it first, so that their memory is given back before
 * the folio cache counts its leaks.  Must run before that count.
 *
 * Return: the number of slots still in use afterwards (leaks: a swap PTE
 * that was never zapped, or a cached folio still mapped somewhere).
 */
unsigned long swap_exit(void)
{
	swap_dev_ready();
	swap_cache_sweep();
	return swap_slots_in_use();
}

/**
 * swap_slots_in_use() - swap slots still allocated.
 *
 * A slot is in use while a swap PTE refers to it or a folio caches it.
 * Return: the number of such slots.
 */
unsigned long swap_slots_in_use(void)
{
	unsigned long n;

	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	n = swap_dev.in_use;
	spin_unlock(&swap_dev.lock);
	return n;
}

/* Make room for one more fresh slot.  Device lock held; 0 or -ENOMEM. */
static int grow_device(void)
{
	struct swap_slot *slots;
	unsigned long nr;

	if (swap_dev.next_fresh < swap_dev.nr_slots)
		return 0;
	if (swap_dev.nr_slots >= SWAP_MAX_SLOTS)
		return -ENOMEM;
	nr = swap_dev.nr_slots ? swap_dev.nr_slots * 2 : SWAP_MIN_SLOTS;
	slots = realloc(swap_dev.slots, nr * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	memset(slots + swap_dev.nr_slots, 0,
	       (nr - swap_dev.nr_slots) * sizeof(*slots));
	swap_dev.slots = slots;
	swap_dev.nr_slots = nr;
	return 0;
}

/**
 * get_swap_slot() - allocate a slot to swap @folio out to.
 * @folio: the folio being reclaimed (locked); its contents are written
 *         to the slot now, and again when it leaves the swap cache.
 * @entry: out: the new slot's entry.
 *
 * The slot starts with count 0 and no cache folio; the caller adds
 * @folio to the cache with add_to_swap_cache() straight away.
 *
 * Return: 0, or -ENOMEM when the device is full.
 */
int get_swap_slot(struct folio *folio, swp_entry_t *entry)
{
	struct swap_slot *slot;
	unsigned long nr;
	int err = 0;

	/*
	 * A failure point: the kernel's add_to_swap() fails when no slot
	 * can be had or the swap cache cannot store the folio (-ENOMEM),
	 * and reclaim then keeps the folio where it is.
	 */
	if (should_failslab(swap_slot_cachep, SITE_SWAP))
		return -ENOMEM;
	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	if (swap_dev.free_head) {
		nr = swap_dev.free_head;
		swap_dev.free_head = swap_dev.slots[nr].next_free;
	} else {
		err = grow_device();
		if (err)
			goto out;
		nr = swap_dev.next_fresh++;
	}
	slot = &swap_dev.slots[nr];
	slot->used = true;
	slot->count = 0;
	slot->cache = NULL;
	slot->data = READ_ONCE(folio->data);
	slot->next_free = 0;
	swap_dev.in_use++;
	entry->val = nr;
out:
	spin_unlock(&swap_dev.lock);
	return err;
}

/**
 * swap_duplicate() - one more swap PTE refers to @entry.
 * @entry: an allocated slot.
 *
 * Called by try_to_unmap for each PTE it turns into a swap PTE, and by
 * fork for each swap PTE it copies.
 */
void swap_duplicate(swp_entry_t entry)
{
	struct swap_slot *slot;

	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (!WARN_ON(!slot))
		slot->count++;
	spin_unlock(&swap_dev.lock);
}

/**
 * swap_free() - a swap PTE referring to @entry went away.
 * @entry: an allocated slot with a non-zero count.
 *
 * The slot is freed when this was the last swap PTE and no folio caches
 * it.  If a folio still caches it, the folio is dropped from the cache
 * here when its lock can be taken without waiting (zap runs under the
 * page-table lock, below the folio lock in the lock order, so only a
 * trylock is allowed, as in the kernel's free_swap_and_cache()).  When
 * the trylock fails, the holder of the folio lock (reclaim or swap-in)
 * frees the slot itself through folio_free_swap().
 */
void swap_free(swp_entry_t entry)
{
	struct folio *folio = NULL;
	struct swap_slot *slot;

	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (WARN_ON(!slot) || WARN_ON(slot->count <= 0)) {
		spin_unlock(&swap_dev.lock);
		return;
	}
	if (--slot->count == 0) {
		if (slot->cache) {
			/* The cache's reference keeps it alive under the lock. */
			folio = slot->cache;
			folio_get(folio);
		} else {
			release_slot(entry);
		}
	}
	spin_unlock(&swap_dev.lock);

	if (!folio)
		return;
	if (folio_trylock(folio)) {
		folio_free_swap(folio);
		folio_unlock(folio);
	}
	folio_put(folio);
}

/*
 * A copy of @entry's slot taken under the device lock, for the readers
 * that need one field of it; false for a slot that is not allocated.
 */
static bool swap_slot_peek(swp_entry_t entry, struct swap_slot *copy)
{
	struct swap_slot *slot;

	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (slot)
		*copy = *slot;
	spin_unlock(&swap_dev.lock);
	return slot != NULL;
}

/**
 * swap_count() - how many swap PTEs refer to @entry.
 * @entry: a slot.
 *
 * Return: the count, 0 for a slot that is not allocated.
 */
int swap_count(swp_entry_t entry)
{
	struct swap_slot slot;

	return swap_slot_peek(entry, &slot) ? slot.count : 0;
}

/**
 * swap_read_data() - the page contents saved in @entry's slot.
 * @entry: an allocated slot.
 *
 * Only meaningful when no folio caches the slot: a cached folio is the
 * up-to-date copy, written back when it leaves the cache.
 *
 * Return: the contents token, 0 (and a warning) for a free slot.
 */
uint64_t swap_read_data(swp_entry_t entry)
{
	struct swap_slot slot = { 0 };

	WARN_ON(!swap_slot_peek(entry, &slot));
	return slot.data;
}

/**
 * swap_cache_get_folio() - the folio caching @entry, with a reference.
 * @entry: a slot.
 *
 * The folio is not locked.  After folio_lock() the caller must check
 * that it is still PG_swapcache with folio->private == @entry.val: a
 * concurrent reclaim may have dropped it from the cache meanwhile (the
 * kernel's do_swap_page() makes the same check).
 *
 * Return: the folio with a reference the caller drops, or NULL.
 */
struct folio *swap_cache_get_folio(swp_entry_t entry)
{
	struct swap_slot *slot;
	struct folio *folio = NULL;

	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (slot && slot->cache) {
		/* The cache's reference cannot go while we hold the lock. */
		folio = slot->cache;
		folio_get(folio);
	}
	spin_unlock(&swap_dev.lock);
	return folio;
}

/**
 * try_add_to_swap_cache() - let @folio cache @entry, unless another does.
 * @folio: a locked anon folio not in the swap cache.
 * @entry: an allocated slot.
 *
 * On success @folio gets PG_swapcache, folio->private = @entry.val, and
 * the cache takes one reference on it.  Two swap-ins of the same slot
 * that both found the cache empty race here; the loser gets -EEXIST and
 * must drop its folio and look the cache up again.
 *
 * Return: 0, -EEXIST if another folio caches @entry, -ENOENT if the slot
 * is not allocated.
 */
int try_add_to_swap_cache(struct folio *folio, swp_entry_t entry)
{
	struct swap_slot *slot;
	int err = 0;

	WARN_ON(!folio_test_locked(folio));
	WARN_ON(folio_test_flag(folio, PG_swapcache));
	swap_dev_ready();
	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (!slot) {
		err = -ENOENT;
	} else if (slot->cache) {
		err = -EEXIST;
	} else {
		folio_get(folio);
		slot->cache = folio;
		folio->private = entry.val;
		folio_set_flag(folio, PG_swapcache);
		folio_set_flag(folio, PG_swapbacked);
	}
	spin_unlock(&swap_dev.lock);
	return err;
}

/**
 * add_to_swap_cache() - @folio caches @entry.
 * @folio: a locked anon folio not in the swap cache.
 * @entry: an allocated slot no other folio caches.
 *
 * See try_add_to_swap_cache(); here a conflict is a caller bug and only
 * warns.
 */
void add_to_swap_cache(struct folio *folio, swp_entry_t entry)
{
	WARN_ON(try_add_to_swap_cache(folio, entry));
}

/*
 * Unhook @folio from the cache.  With @writeback the contents are saved
 * to the slot first (a dirty swap-cache folio is written out before it
 * is dropped).  With @only_unused nothing happens unless the slot count
 * is zero.  Returns true if the folio left the cache; the caller then
 * drops the cache's reference.
 */
static bool __delete_from_swap_cache(struct folio *folio, bool writeback,
				     bool only_unused)
{
	swp_entry_t entry = { folio->private };
	struct swap_slot *slot;
	bool done = false;

	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (WARN_ON(!slot) || WARN_ON(slot->cache != folio))
		goto out;
	if (only_unused && slot->count)
		goto out;
	if (writeback)
		slot->data = READ_ONCE(folio->data);
	slot->cache = NULL;
	folio->private = 0;
	folio_clear_flag(folio, PG_swapcache);
	maybe_release_slot(entry);
	done = true;
out:
	spin_unlock(&swap_dev.lock);
	return done;
}

/**
 * folio_free_swap() - free @folio's swap slot if nothing else needs it.
 * @folio: a locked folio; the caller holds its own reference.
 *
 * When no swap PTE refers to the slot any more, the on-disk copy is
 * useless: drop @folio from the swap cache and free the slot.
 *
 * Return: true if it did.
 */
bool folio_free_swap(struct folio *folio)
{
	WARN_ON(!folio_test_locked(folio));
	if (!folio_test_flag(folio, PG_swapcache))
		return false;
	if (!__delete_from_swap_cache(folio, false, true))
		return false;
	folio_put(folio);
	return true;
}

/**
 * delete_from_swap_cache() - reclaim: drop @folio from the swap cache.
 * @folio: a locked swap-cache folio; the caller holds its own reference.
 *
 * The contents are written back to the slot, which lives on while swap
 * PTEs refer to it (and is freed now if none does).
 */
void delete_from_swap_cache(struct folio *folio)
{
	WARN_ON(!folio_test_locked(folio));
	if (WARN_ON(!folio_test_flag(folio, PG_swapcache)))
		return;
	if (__delete_from_swap_cache(folio, true, false))
		folio_put(folio);
}

/**
 * swap_cache_replace_folio() - migration: @new takes @old's place in the
 * swap cache.
 * @old: a locked swap-cache folio.
 * @new: a locked folio not in the swap cache.
 *
 * The cache's reference moves from @old to @new (the kernel's
 * folio_migrate_mapping() for the swap address space).
 */
void swap_cache_replace_folio(struct folio *old, struct folio *new)
{
	swp_entry_t entry = { old->private };
	struct swap_slot *slot;
	bool moved = false;

	WARN_ON(!folio_test_locked(old) || !folio_test_locked(new));
	if (WARN_ON(!folio_test_flag(old, PG_swapcache)))
		return;
	spin_lock(&swap_dev.lock);
	slot = lookup_slot(entry);
	if (!WARN_ON(!slot) && !WARN_ON(slot->cache != old)) {
		folio_get(new);
		slot->cache = new;
		new->private = entry.val;
		folio_set_flag(new, PG_swapcache);
		old->private = 0;
		folio_clear_flag(old, PG_swapcache);
		moved = true;
	}
	spin_unlock(&swap_dev.lock);
	if (moved)
		folio_put(old);
}
