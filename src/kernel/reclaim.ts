import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/vmscan.c shrink_folio_list(), reclaim_pages()
 */
/** Reclaims the pages mapped now at `addrs` of `mm` (resolved at the first step). */
export function* reclaimRange(k: Kernel, task: number, mm: Mm, addrs: readonly number[]): Op<void> {
  void k; void task; void mm; void addrs;
  return bug('reclaimRange: not implemented yet');
}

/** Memory pressure: reclaims up to `n` pages chosen by the LRU; returns how many were freed. */
export function* shrinkLru(k: Kernel, n: number, task: number): Op<number> {
  void k; void n; void task;
  return bug('shrinkLru: not implemented yet');
}
