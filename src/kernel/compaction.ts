import type { Kernel } from './kernel.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/compaction.c kcompactd_do_work() / compact_zone()
 */
export function* compactMemory(k: Kernel, task: number): Op<void> {
  void k; void task;
  return bug('compactMemory: not implemented yet');
}
