import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/mempolicy.c change_prot_numa()
 */
export function* changeProtNuma(k: Kernel, task: number, mm: Mm, start: number, end: number): Op<void> {
  void k; void task; void mm; void start; void end;
  return bug('changeProtNuma: not implemented yet');
}
