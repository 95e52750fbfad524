import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: kernel_clone() → copy_mm() → dup_mmap() → copy_page_range()
 */
export function* doFork(k: Kernel, task: number, parent: Mm, childPid: number): Op<Mm> {
  void k; void task; void parent; void childPid;
  return bug('doFork: not implemented yet');
}
