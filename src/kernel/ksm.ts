import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/ksm.c cmp_and_merge_page() → try_to_merge_two_pages()
 */
export function* ksmMergePair(k: Kernel, task: number, a: { mm: Mm; addr: number }, b: { mm: Mm; addr: number }): Op<void> {
  void k; void task; void a; void b;
  return bug('ksmMergePair: not implemented yet');
}
