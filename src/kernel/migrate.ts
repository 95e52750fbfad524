import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/migrate.c migrate_pages()
 */
export function* migrateRange(k: Kernel, task: number, mm: Mm, addrs: readonly number[]): Op<void> {
  void k; void task; void mm; void addrs;
  return bug('migrateRange: not implemented yet');
}
