import type { Kernel } from './kernel.js';
import { isMovable, expectedRefs, migratePage } from './migrate.js';
import type { Op } from './types.js';

/**
 * One kcompactd pass over all of memory (kernel-model.md §8): movable pages are taken in
 * pfn order from the highest used pfn down and migrated into the lowest free pfns, while
 * a free pfn lies below the page. Each migration has migrate's steps.
 *
 * Movable: an allocated page on the LRU (anonymous or page cache), not isolated, not the
 * zero page, not reserved, not device memory, and not pinned — a page with references
 * beyond its mappings and caches is passed over at isolation, as
 * isolate_migratepages_block() does for pinned anonymous pages. THPs are passed over too
 * (compaction skips compound pages unless it allocates a contiguous range). Special
 * PTEs (a driver's PFNMAP) are not found by rmap, so they are neither moved nor updated:
 * a mirror learns of the move only through its notifier.
 *
 * mmspec's direction is a modelling choice: Linux runs a migration scanner upwards from
 * the zone start and a free scanner downwards from its end, moving pages up; with a
 * lowest-first allocator, packing pages down is what makes free memory contiguous.
 * Linux: kcompactd_do_work() → compact_zone() → isolate_migratepages(), migrate_pages()
 */
export function* compactMemory(k: Kernel, task: number): Op<void> {
  const m = k.mem;
  let lowFree = 1;
  const nextFree = (): number => {
    while (lowFree <= m.limit && m.isAllocated(lowFree)) lowFree++;
    return lowFree;
  };
  for (let pfn = m.span - 1; pfn >= 1; pfn--) {
    if (nextFree() >= pfn) break;
    if (!isMovable(k, pfn) || m.refcount[pfn] !== expectedRefs(k, pfn)) continue;
    yield* migratePage(k, task, pfn);
  }
}
