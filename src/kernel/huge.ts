import type { Kernel } from './kernel.js';
import type { Vma } from './vma.js';
import type { PteValue } from './pte.js';
import type { FaultOutcome } from './fault.js';
import type { Op } from './types.js';

/**
 * Transparent huge pages (madvise mode). Being written: until then no fault is
 * THP-eligible and every anonymous fault takes the 4 KiB path.
 * Linux: mm/huge_memory.c
 */
export function thpFaultEligible(vma: Vma, addr: number): boolean {
  void vma; void addr;
  return false;
}

/** Linux: do_huge_pmd_anonymous_page() */
export function* doHugePmdAnonymousPage(k: Kernel, task: number, vma: Vma, addr: number, write: boolean): Op<FaultOutcome | 'fallback'> {
  void k; void task; void vma; void addr; void write;
  return 'fallback';
}

/** A fault on a PMD-mapped THP. Linux: do_huge_pmd_wp_page() */
export function* doHugePmdWpPage(k: Kernel, task: number, vma: Vma, addr: number, pte: PteValue, write: boolean): Op<FaultOutcome> {
  void k; void task; void vma; void addr; void pte; void write;
  return { kind: 'signal', sig: 'SIGBUS', reason: 'huge PMD faults are not modelled yet' };
}

/** Zaps a huge PMD overlapping [start, end). Linux: zap_huge_pmd() (splitting when partial) */
export function zapHugePmd(k: Kernel, vma: Vma, base: number, start: number, end: number): number {
  void k; void vma; void base; void start; void end;
  return 0;
}
