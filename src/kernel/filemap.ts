import type { Kernel } from './kernel.js';
import type { FileObj } from './file.js';
import { PG_DIRTY, PG_SWAPBACKED, PG_UPTODATE } from './frames.js';
import { lruAdd } from './lru.js';
import { swapFree } from './swap_state.js';
import type { Op } from './types.js';

/**
 * The page-cache page of `file` at `index`, read in (or, for shmem, swapped in) if it is
 * not cached. The cache holds one reference; the caller takes its own for a mapping.
 * A shmem page read back from swap is dirty: its slot is freed at once, so the page is
 * the only copy of its content and the next reclaim must write it to swap again.
 * Linux: filemap_fault() → filemap_get_folio() / page_cache_ra_unbounded(); shmem_get_folio()
 * → shmem_swapin_folio() (delete_from_swap_cache(), folio_mark_dirty(), swap_free())
 */
export function* filemapGetPage(k: Kernel, task: number, file: FileObj, index: number): Op<number | undefined> {
  const cached = file.cache.get(index);
  if (cached !== undefined) return cached;
  const slot = file.shmem ? file.swapped.get(index) : undefined;
  const value = slot !== undefined ? (k.swap.content[slot] ?? 0) : file.diskValue(index);
  const pfn = yield* k.allocPage(value, file.shmem ? 'shmem' : `file ${file.name}`, task);
  if (pfn === undefined) return undefined;
  const raced = file.cache.get(index);
  if (raced !== undefined) {
    k.putPage(pfn);
    return raced;
  }
  k.mem.owner[pfn] = -file.id;
  k.mem.index[pfn] = index;
  k.mem.set(pfn, PG_UPTODATE | (file.shmem ? PG_SWAPBACKED : 0));
  file.cache.set(index, pfn);
  k.mem.settle(pfn);
  if (slot !== undefined) {
    k.emit({ e: 'swapin', slot, pfn });
    k.mem.set(pfn, PG_DIRTY);
    file.swapped.delete(index);
    swapFree(k, slot);
  }
  lruAdd(k, pfn);
  k.check.frameTouched(pfn);
  return pfn;
}
