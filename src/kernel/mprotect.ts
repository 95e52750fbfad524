import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import type { Prot } from './mmap.js';
import { bug, type KernelError, type Op } from './types.js';

/**
 * Being written. Linux: do_mprotect_pkey() → mprotect_fixup() → change_protection()
 */
export function* doMprotect(k: Kernel, task: number, mm: Mm, start: number, len: number, prot: Prot): Op<KernelError | undefined> {
  void k; void task; void mm; void start; void len; void prot;
  return bug('doMprotect: not implemented yet');
}
