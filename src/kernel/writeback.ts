import type { Kernel } from './kernel.js';
import type { FileObj } from './file.js';
import type { Vma } from './vma.js';
import { VM_SHARED } from './vma.js';
import { PG_DIRTY, PG_LOCKED } from './frames.js';
import { isPresent, PTE_DIRTY, PTE_SPECIAL, PTE_WRITE } from './pte.js';
import { mmuNotifierInvalidateRangeStart, mmuNotifierInvalidateRangeEnd, type NotifierRange } from './notifier.js';
import { PAGE_SIZE, type Op } from './types.js';

/**
 * Writes back the dirty page-cache pages of `file`, in index order. Each page is locked,
 * cleaned in every shared mapping (page_mkclean: a PROTECTION_PAGE invalidation per
 * mapping, the PTE write-protected and cleaned), written to the file, and left clean.
 * A later write through a mapping faults (do_wp_page → wp_page_shared, page_mkwrite) and
 * dirties it again. A page locked by someone else (reclaim) is waited for.
 * Steps per page: start, clear, end per shared mapping; swapout (the write).
 * shmem has no backing store to write to and is left alone.
 * Linux: mm/page-writeback.c write_cache_pages() → folio_clear_dirty_for_io() →
 * folio_mkclean(); ->writepage()
 */
export function* writebackFile(k: Kernel, task: number, file: FileObj): Op<void> {
  if (file.shmem) return;
  const m = k.mem;
  const indices = [...file.cache.keys()].sort((a, b) => a - b);
  for (const index of indices) {
    let pfn = file.cache.get(index);
    if (pfn === undefined || !m.has(pfn, PG_DIRTY)) continue;
    if (m.has(pfn, PG_LOCKED)) {
      const p = pfn;
      yield { wait: `page lock of pfn ${p}`, ready: () => !m.has(p, PG_LOCKED) || file.cache.get(index) !== p };
      pfn = file.cache.get(index);
      if (pfn === undefined || !m.has(pfn, PG_DIRTY) || m.has(pfn, PG_LOCKED)) continue;
    }
    m.set(pfn, PG_LOCKED);
    try {
      // folio_clear_dirty_for_io(): a dirty PTE found by mkclean keeps the page dirty for this write.
      if (m.mapcount[pfn]! > 0) yield* pageMkclean(k, task, file, index, pfn);
      m.clear(pfn, PG_DIRTY);
      file.backing[index] = m.value[pfn] ?? 0;
      k.emit({ e: 'writeback', pfn, file: file.name, index });
      if (k.step('swapout')) yield 'swapout';
    } finally {
      m.clear(pfn, PG_LOCKED);
    }
  }
}

/**
 * Write-protects and cleans the page in every shared mapping of the file that covers its
 * index; each such VMA gets a PROTECTION_PAGE invalidation of the page's range, whether or
 * not its PTE is populated (page_vma_mkclean_one starts it before walking).
 * Private mappings are skipped: their PTEs of a page-cache page are never writable.
 * Linux: folio_mkclean() → rmap_walk() with invalid_mkclean_vma() → page_mkclean_one()
 */
function* pageMkclean(k: Kernel, task: number, file: FileObj, index: number, pfn: number): Op<void> {
  const targets: { vma: Vma; addr: number }[] = [];
  for (const vma of file.mappings) {
    if (!vma.has(VM_SHARED)) continue;
    const addr = vma.addressOf(index);
    if (addr >= 0) targets.push({ vma, addr });
  }
  targets.sort((a, b) => a.vma.mm.id - b.vma.mm.id || a.addr - b.addr);
  for (const { vma, addr } of targets) {
    const mm = vma.mm;
    const range: NotifierRange = { mm, start: addr, end: addr + PAGE_SIZE, event: 'PROTECTION_PAGE', blockable: true, task };
    yield* mmuNotifierInvalidateRangeStart(k, range);
    if (k.step('start')) yield 'start';
    const pte = mm.pte(addr);
    if (isPresent(pte.bits) && (pte.bits & PTE_SPECIAL) === 0 && pte.pfn === pfn && (pte.bits & (PTE_WRITE | PTE_DIRTY)) !== 0) {
      k.setPte(mm, addr, pfn, pte.bits & ~(PTE_WRITE | PTE_DIRTY));
    }
    if (k.step('clear')) yield 'clear';
    yield* mmuNotifierInvalidateRangeEnd(k, range);
    if (k.step('end')) yield 'end';
  }
}
