import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/khugepaged.c khugepaged_scan_mm_slot() → collapse_huge_page()
 */
export function* khugepagedScan(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<void> {
  void k; void task; void mm; void start; void end;
  return bug('khugepagedScan: not implemented yet');
}
