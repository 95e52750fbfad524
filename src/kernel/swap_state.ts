import type { Kernel } from './kernel.js';
import { PG_SWAPCACHE, PG_ANON, PG_SWAPBACKED, PG_DIRTY } from './frames.js';
import { lruAdd } from './lru.js';
import { asSlot, bug, type Op } from './types.js';

/**
 * The swap cache: a page that is being swapped out or was swapped in while its slot is
 * still referenced. The cache holds one reference on the page and one use of the slot.
 * Linux: mm/swap_state.c add_to_swap_cache(), delete_from_swap_cache(), folio_free_swap()
 */
export function addToSwapCache(k: Kernel, pfn: number, slot: number): void {
  k.swap.cache.set(slot, pfn);
  k.mem.swapOf.set(pfn, asSlot(slot));
  k.mem.set(pfn, PG_SWAPCACHE);
  k.getPage(pfn);
}

/** Removes a page from the swap cache, dropping the cache's page reference and slot use. */
export function deleteFromSwapCache(k: Kernel, pfn: number): void {
  const slot = k.mem.swapOf.get(pfn);
  if (slot === undefined) bug(`deleteFromSwapCache: pfn ${pfn} is not in the swap cache`);
  k.swap.cache.delete(slot);
  k.mem.swapOf.delete(pfn);
  k.mem.clear(pfn, PG_SWAPCACHE);
  k.swap.put(slot);
  k.putPage(pfn);
}

/**
 * Frees the swap copy of a page once no swap entry refers to its slot any more
 * (only the cache's own use is left). The page becomes dirty: it is now the only copy of
 * its content, so reclaim must write it out again rather than drop it (MADV_FREE's
 * lazyfree discard included). Linux: folio_free_swap() → delete_from_swap_cache(), folio_set_dirty()
 */
export function freeSwapCache(k: Kernel, pfn: number): void {
  const slot = k.mem.swapOf.get(pfn);
  if (slot === undefined) return;
  if (k.swap.count[slot] !== 1) return;
  deleteFromSwapCache(k, pfn);
  k.mem.set(pfn, PG_DIRTY);
}

/** A swap entry is gone (swap PTE cleared or swapped in). Linux: swap_free() */
export function swapFree(k: Kernel, slot: number): void {
  k.swap.put(asSlot(slot));
}

/**
 * Finds the page of a swap slot: the swap-cache page if there is one, else a new page
 * read from the slot and added to the swap cache. `fresh` tells which.
 * Linux: swap_cache_get_folio(), swapin_readahead() (one page: no readahead in mmspec)
 */
export function* swapInPage(k: Kernel, task: number, slot: number): Op<{ pfn: number; fresh: boolean } | undefined> {
  const cached = k.swap.cache.get(slot);
  if (cached !== undefined) return { pfn: cached, fresh: false };
  const pfn = yield* k.allocPage(k.swap.content[slot] ?? 0, 'swapin', task);
  if (pfn === undefined) return undefined;
  // Another thread may have read it in while we allocated.
  const raced = k.swap.cache.get(slot);
  if (raced !== undefined) {
    k.putPage(pfn);
    return { pfn: raced, fresh: false };
  }
  swapReadIn(k, slot, pfn);
  return { pfn, fresh: true };
}

/**
 * A new page holding a slot's content enters the swap cache (the read itself).
 * Linux: __read_swap_cache_async() → add_to_swap_cache(), swap_read_folio()
 */
export function swapReadIn(k: Kernel, slot: number, pfn: number): void {
  k.emit({ e: 'swapin', slot, pfn });
  k.mem.set(pfn, PG_ANON | PG_SWAPBACKED);
  k.swap.dup(asSlot(slot));
  addToSwapCache(k, pfn, slot);
  lruAdd(k, pfn);
}
