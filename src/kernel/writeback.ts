import type { Kernel } from './kernel.js';
import type { FileObj } from './file.js';
import { bug, type Op } from './types.js';

/**
 * Being written. Linux: mm/page-writeback.c write_cache_pages() with folio_mkclean()
 */
export function* writebackFile(k: Kernel, task: number, file: FileObj): Op<void> {
  void k; void task; void file;
  return bug('writebackFile: not implemented yet');
}
