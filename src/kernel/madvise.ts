import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type KernelError, type Op } from './types.js';

/**
 * Being written. Linux: do_madvise() → madvise_vma_behavior()
 */
export type Advice = 'dontneed' | 'free' | 'pageout' | 'cold' | 'willneed' | 'hugepage' | 'nohugepage' | 'mergeable' | 'collapse';

export function* doMadvise(k: Kernel, task: number, mm: Mm, start: number, len: number, advice: Advice): Op<KernelError | undefined> {
  void k; void task; void mm; void start; void len; void advice;
  return bug('doMadvise: not implemented yet');
}
