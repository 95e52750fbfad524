import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: do_exit() → exit_mm() → mmput() → exit_mmap()
 */
export function* doExit(k: Kernel, task: number, mm: Mm): Op<void> {
  void k; void task; void mm;
  return bug('doExit: not implemented yet');
}
