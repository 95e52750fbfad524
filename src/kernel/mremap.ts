import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type KernelError, type Op } from './types.js';

/**
 * Being written. Linux: mremap(MREMAP_MAYMOVE | MREMAP_FIXED) → move_vma() → move_page_tables()
 */
export function* doMremap(k: Kernel, task: number, mm: Mm, oldStart: number, oldLen: number, newAddr: number): Op<number | KernelError> {
  void k; void task; void mm; void oldStart; void oldLen; void newAddr;
  return bug('doMremap: not implemented yet');
}
