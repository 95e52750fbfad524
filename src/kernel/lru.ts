import { PG_ACTIVE, PG_LRU, PG_REFERENCED } from './frames.js';
import type { Kernel } from './kernel.js';

/**
 * The LRU lists: inactive and active, each a doubly linked list threaded through the
 * frames' lruNext/lruPrev (0 is nil: the zero page is never on an LRU). New pages enter
 * at the head of the inactive list; reclaim scans from the tail (oldest first).
 * mmspec keeps one pair of lists for anon and file pages alike (no swappiness balance),
 * which makes the scan order a simple documented rule.
 * Linux: struct lruvec, folio_add_lru(), shrink_inactive_list(), shrink_active_list()
 */
export class Lru {
  head = [0, 0];
  tail = [0, 0];
  size = [0, 0];
}
export const INACTIVE = 0;
export const ACTIVE = 1;

/** Adds a page at the head of a list. Linux: lru_cache_add() / folio_add_lru() */
export function lruAdd(k: Kernel, pfn: number, list = INACTIVE): void {
  const m = k.mem, l = k.lru;
  if (m.has(pfn, PG_LRU)) return;
  m.lruPrev[pfn] = 0;
  m.lruNext[pfn] = l.head[list]!;
  if (l.head[list]) m.lruPrev[l.head[list]!] = pfn; else l.tail[list] = pfn;
  l.head[list] = pfn;
  l.size[list]!++;
  m.set(pfn, PG_LRU);
  if (list === ACTIVE) m.set(pfn, PG_ACTIVE); else m.clear(pfn, PG_ACTIVE);
}

/** Removes a page from its list. Linux: lruvec_del_folio() */
export function lruDel(k: Kernel, pfn: number): void {
  const m = k.mem, l = k.lru;
  if (!m.has(pfn, PG_LRU)) return;
  const list = m.has(pfn, PG_ACTIVE) ? ACTIVE : INACTIVE;
  const prev = m.lruPrev[pfn]!, next = m.lruNext[pfn]!;
  if (prev) m.lruNext[prev] = next; else l.head[list] = next;
  if (next) m.lruPrev[next] = prev; else l.tail[list] = prev;
  m.lruNext[pfn] = 0;
  m.lruPrev[pfn] = 0;
  l.size[list]!--;
  m.clear(pfn, PG_LRU);
}

/** Moves a page to the head of the active list. Linux: folio_activate() */
export function lruActivate(k: Kernel, pfn: number): void {
  lruDel(k, pfn);
  lruAdd(k, pfn, ACTIVE);
  k.mem.clear(pfn, PG_REFERENCED);
}

/** Moves a page to the head of the inactive list. Linux: deactivate_page() */
export function lruDeactivate(k: Kernel, pfn: number): void {
  lruDel(k, pfn);
  lruAdd(k, pfn, INACTIVE);
}

/** The oldest page of a list, or 0. */
export function lruTail(k: Kernel, list: number): number {
  return k.lru.tail[list]!;
}

/** Pages of a list from oldest to newest (for traces of the final state). */
export function lruPages(k: Kernel, list: number): number[] {
  const out: number[] = [];
  for (let p = k.lru.tail[list]!; p; p = k.mem.lruPrev[p]!) out.push(p);
  return out;
}
